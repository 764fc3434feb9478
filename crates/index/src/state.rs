//! The index in memory: interned URLs and domains, page state, link state with history,
//! and the event log. [`crate::merge`] changes it; [`crate::store`] persists it.

use hrefdex_url::{NormalUrl, registrable_domain};
use rustc_hash::FxHashMap;
use serde::Serialize;

pub use crate::interner::Interner;
use crate::interner::TextIds;
pub use crate::page_table::PageTable;
use crate::texts::LinkTexts;
use crate::time::MaybeTime;
use crate::visit::{LinkFlags, LinkType, LinkTypeExt};

/// What the index knows of a URL without parsing it again.
#[derive(Debug, Clone)]
pub struct UrlInfo {
    /// Normal form.
    pub url: Box<str>,
    /// SURT key.
    pub key: Box<str>,
    /// Host.
    pub host: Box<str>,
    /// Registrable domain id (in [`IndexState::domains`]).
    pub domain: u32,
}

/// Every URL the index has met, as a page or as a link target.
#[derive(Debug, Default, Clone)]
pub struct UrlTable {
    /// Ids by URL, each URL's text read from `infos` (not kept a second time).
    ids: TextIds,
    infos: Vec<UrlInfo>,
}

impl UrlTable {
    /// The id of `url`, adding it (and its domain) when new.
    pub fn intern(&mut self, url: &NormalUrl, domains: &mut Interner) -> u32 {
        if let Some(id) = self.lookup(url.as_str()) {
            return id;
        }
        let id = self.next_id();
        let domain = domains.intern(registrable_domain(url.host()));
        self.infos.push(UrlInfo {
            url: url.as_str().into(),
            key: url.surt_key().into(),
            host: url.host().into(),
            domain,
        });
        self.file(id);
        id
    }

    /// Adds a URL whose key, host and domain are already known (restoring from storage).
    pub fn intern_parts(
        &mut self,
        url: &str,
        key: &str,
        host: &str,
        domain: &str,
        domains: &mut Interner,
    ) -> u32 {
        if let Some(id) = self.lookup(url) {
            return id;
        }
        let id = self.next_id();
        let domain = domains.intern(domain);
        self.infos.push(UrlInfo {
            url: url.into(),
            key: key.into(),
            host: host.into(),
            domain,
        });
        self.file(id);
        id
    }

    /// The id the next URL gets.
    ///
    /// # Panics
    /// Past `u32::MAX` URLs (far beyond memory).
    fn next_id(&self) -> u32 {
        u32::try_from(self.infos.len()).expect("fewer than 2^32 URLs")
    }

    /// Files the URL just pushed as `id` in the lookup table.
    fn file(&mut self, id: u32) {
        let infos = &self.infos;
        self.ids
            .insert(url_of(infos, id), id, |id| url_of(infos, id));
    }

    /// Makes room for `additional` more URLs.
    pub fn reserve(&mut self, additional: usize) {
        // Room refused is left out: the tables then grow as URLs come.
        self.try_reserve(additional);
    }

    /// Makes room for `additional` more URLs, if it can be had: whether it was.
    pub fn try_reserve(&mut self, additional: usize) -> bool {
        let infos = &self.infos;
        self.ids
            .try_reserve(additional, |id| url_of(infos, id))
            .is_ok()
            && self.infos.try_reserve(additional).is_ok()
    }

    /// The id of a URL in normal form, if known.
    pub fn lookup(&self, url: &str) -> Option<u32> {
        self.ids.find(url, |id| url_of(&self.infos, id))
    }

    /// Details of a URL id.
    pub fn info(&self, id: u32) -> &UrlInfo {
        &self.infos[id as usize]
    }

    /// Number of URLs.
    pub fn len(&self) -> usize {
        self.infos.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.infos.is_empty()
    }
}

/// The URL of id `id` in `infos` (empty for an id not given).
fn url_of(infos: &[UrlInfo], id: u32) -> &str {
    infos.get(id as usize).map_or("", |i| &i.url)
}

/// Why a link stopped being live.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum LostReason {
    /// A revisit of the referring page no longer has it.
    Removed,
    /// The referring page now answers 4xx or 5xx.
    Broken,
    /// The referring page now redirects.
    Redirect,
}

impl LostReason {
    /// Stored spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            LostReason::Removed => "removed",
            LostReason::Broken => "broken",
            LostReason::Redirect => "redirect",
        }
    }

    /// Parses the stored spelling.
    pub fn parse(s: &str) -> Option<LostReason> {
        [
            LostReason::Removed,
            LostReason::Broken,
            LostReason::Redirect,
        ]
        .into_iter()
        .find(|r| r.as_str() == s)
    }
}

/// How a link was found (the `first_origin`/`last_origin` columns).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Origin {
    /// On the first visit of its page.
    Fresh,
    /// On a later visit of its page.
    Recrawl,
}

impl Origin {
    /// Stored spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Origin::Fresh => "fresh",
            Origin::Recrawl => "recrawl",
        }
    }
}

/// The latest known state of a crawled page.
#[derive(Debug, Clone, PartialEq)]
pub struct PageState {
    /// First visit.
    pub first_seen: i64,
    /// Latest visit.
    pub last_visited: i64,
    /// The visit before the latest.
    pub prev_visited: Option<i64>,
    /// Latest HTTP status.
    pub http_code: u16,
    /// Since when the page answers 4xx/5xx (`None` while it does not).
    pub broken_at: Option<i64>,
    /// Redirect target (URL id).
    pub redirect_to: Option<u32>,
    /// Canonical target (URL id).
    pub canonical: Option<u32>,
    /// Server IP.
    pub ip: Box<str>,
    /// Title.
    pub title: Box<str>,
    /// Charset.
    pub encoding: Box<str>,
    /// Language.
    pub language: Box<str>,
    /// Media type.
    pub content_type: Box<str>,
    /// Transfer compression.
    pub content_encoding: Box<str>,
    /// Body size in bytes.
    pub page_size: u64,
    /// Internal links on the page.
    pub links_internal: u32,
    /// External links on the page.
    pub links_external: u32,
    /// Words of visible text.
    pub words: u64,
    /// Headings, meta description, social tags, image alts, generator.
    pub on_page: crate::visit::OnPage,
}

/// A link's identity: the same page, target, kind and anchor are the same link.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct LinkKey {
    /// Referring page (URL id).
    pub from: u32,
    /// Target (URL id).
    pub to: u32,
    /// Kind.
    pub link_type: LinkType,
    /// Anchor (id in [`IndexState::anchors`]).
    pub anchor: u32,
}

/// A link and its history.
#[derive(Debug, Clone, PartialEq)]
pub struct LinkState {
    /// Identity.
    pub key: LinkKey,
    /// When it was (last) first seen; a link that comes back after being lost is new again.
    pub first_seen: i64,
    /// Latest visit that saw it.
    pub last_visited: i64,
    /// The visit before that which saw it.
    pub prev_visited: MaybeTime,
    /// When it was lost, if it is not live.
    pub lost_at: MaybeTime,
    /// Why it was lost.
    pub lost_reason: Option<LostReason>,
    /// On the page at the page's first visit.
    pub original: bool,
    /// Seen on most pages of the referring host (see [`crate::sitewide`]).
    pub sitewide: bool,
    /// rel values, image, redirect code, from the latest sighting.
    pub flags: LinkFlags,
    /// Text before and after the anchor, and the image's alt text.
    pub texts: LinkTexts,
    /// How it was first found.
    pub first_origin: Origin,
    /// How it was last found.
    pub last_origin: Origin,
}

impl LinkState {
    /// Whether the link is on its page now.
    pub fn is_live(&self) -> bool {
        self.lost_at.is_none()
    }

    /// Whether it passes authority (live or not: callers check liveness).
    pub fn is_followed(&self) -> bool {
        self.flags.votes() && self.key.link_type.passes_authority()
    }
}

/// New or lost.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum EventKind {
    /// The link appeared.
    New,
    /// The link disappeared.
    Lost,
}

impl EventKind {
    /// The `type` spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::New => "new",
            EventKind::Lost => "lost",
        }
    }
}

/// One appearance or disappearance of a link.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LinkEvent {
    /// The link (index into [`IndexState::links`]).
    pub link: u32,
    /// When.
    pub time: i64,
    /// New or lost.
    pub kind: EventKind,
    /// Why, for lost events.
    pub reason: Option<LostReason>,
}

/// DR per domain and UR per URL, from the latest build.
#[derive(Debug, Clone, Default)]
pub struct Authority {
    /// Domain Rating 0–100 by domain id.
    pub dr: Vec<u8>,
    /// Raw domain PageRank by domain id.
    pub dr_raw: Vec<f64>,
    /// Position by raw DR (1 = best) by domain id.
    pub ahrefs_top: Vec<u32>,
    /// URL Rating 0–100 by URL id.
    pub ur: Vec<u8>,
    /// Raw page PageRank by URL id.
    pub ur_raw: Vec<f64>,
}

/// The whole index in memory.
#[derive(Debug, Default, Clone)]
pub struct IndexState {
    /// Every URL met.
    pub urls: UrlTable,
    /// Every registrable domain met.
    pub domains: Interner,
    /// Every anchor text met.
    pub anchors: Interner,
    /// Crawled pages by URL id.
    pub pages: PageTable,
    /// Every link ever seen.
    pub links: Vec<LinkState>,
    /// Link ids by referring page.
    pub(crate) page_links: FxHashMap<u32, Vec<u32>>,
    /// Every new/lost event, in time order within a batch.
    pub events: Vec<LinkEvent>,
    /// Ratings.
    pub authority: Authority,
    /// Batches merged so far.
    pub batches: u32,
    /// The `links_in` files, in order, whose rows the [`LinkTexts::stored`] texts of
    /// loaded links name; `None` once every link holds its texts
    /// ([`crate::Index::read_stored_texts`]).
    pub stored_texts: Option<Vec<std::path::PathBuf>>,
}

impl IndexState {
    /// Adds a link (and keeps the map of links by page in step).
    pub(crate) fn push_link(&mut self, link: LinkState) -> u32 {
        let id = self.links.len() as u32;
        self.page_links.entry(link.key.from).or_default().push(id);
        self.links.push(link);
        id
    }

    /// Rebuilds the map of links by referring page from the link table, each page's
    /// list allocated once at its final length. For a load, which pushes its links
    /// straight into `links`: kept in step one link at a time instead, each page's list
    /// grew by doubling (a tenth of a load at 10M links, most of it fresh memory).
    pub(crate) fn index_links_by_page(&mut self) {
        let mut counts = vec![0u32; self.urls.len()];
        for link in &self.links {
            if let Some(n) = counts.get_mut(link.key.from as usize) {
                *n += 1;
            }
        }
        let pages = counts.iter().filter(|&&n| n > 0).count();
        let mut by_page = FxHashMap::with_capacity_and_hasher(pages, Default::default());
        for (id, link) in self.links.iter().enumerate() {
            let from = link.key.from;
            by_page
                .entry(from)
                .or_insert_with(|| {
                    let n = counts.get(from as usize).copied().unwrap_or(0);
                    Vec::with_capacity(n as usize)
                })
                .push(id as u32);
        }
        self.page_links = by_page;
    }

    /// The ids of the links found on a page (live or lost).
    pub fn links_of(&self, page: u32) -> &[u32] {
        self.page_links.get(&page).map_or(&[], Vec::as_slice)
    }

    /// The link id of an identity: a walk over its page's links, for one-off lookups.
    /// (No index-wide map by identity is kept: the merge needs one page's links at a
    /// time, and at 10M links such a map was a third of a gigabyte.)
    pub fn link_id(&self, key: &LinkKey) -> Option<u32> {
        self.links_of(key.from)
            .iter()
            .copied()
            .find(|&id| self.links[id as usize].key == *key)
    }

    /// The links of a page by identity, to look its links up while it is merged, with
    /// room for `more` (a new page's links are added one by one, and a map grown step by
    /// step rehashes every time it doubles).
    pub(crate) fn page_link_ids(&self, page: u32, more: usize) -> FxHashMap<LinkKey, u32> {
        let known = self.links_of(page);
        let mut ids = FxHashMap::with_capacity_and_hasher(known.len() + more, Default::default());
        ids.extend(known.iter().map(|&id| (self.links[id as usize].key, id)));
        ids
    }

    /// Live links.
    pub fn live_links(&self) -> impl Iterator<Item = &LinkState> {
        self.links.iter().filter(|l| l.is_live())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An import holds every link in memory, and on the machines we measure on every
    /// gigabyte touched costs seconds: a field that grows the link by 8 bytes costs
    /// 80 MB at 10M links, so it should be a choice (this fails when one is added).
    /// 96 since the texts became ranges of their page's shared text (a pointer to it and
    /// its length more, for about 100 bytes of text fewer per link).
    #[test]
    #[cfg(target_pointer_width = "64")]
    fn a_link_in_memory_stays_96_bytes() {
        assert_eq!(size_of::<LinkState>(), 96);
    }
}
