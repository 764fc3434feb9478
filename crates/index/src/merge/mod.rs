//! Merge rules: how one crawl batch changes the index.
//!
//! 1. **Duplicates.** Several visits of one page in a batch: the latest wins. Unchanged
//!    revisits (see 5) after it are kept too, so the capture they repeat is not lost.
//! 2. **Order.** When a page's newest visit in the batch is older than its last visit in
//!    the index, the batch is out of order: it is refused whole with
//!    [`MergeError::OutOfOrder`], naming the page, before anything changes. When it is
//!    exactly the index's last visit, the page was imported already and is skipped; when
//!    newer, only the visits after the index's last visit apply. So importing a crawl
//!    twice changes nothing.
//! 3. **Pages.** First visit sets `first_seen`; every visit moves `last_visited` to
//!    `prev_visited` and records status, title, size, charset, language, IP, canonical,
//!    redirect and link counts. `broken_at` is set when a page starts answering 4xx/5xx.
//! 4. **Links on a visit.** A 2xx page carries the links extracted from it; a 3xx page
//!    carries one `redirect` link to its `Location`; a 4xx/5xx page carries none.
//!    * a link already live: `prev_visited` ← `last_visited`, `last_visited` ← visit;
//!      flags and snippets from this sighting;
//!    * a link never seen: new, `first_seen` = visit, `original` when this is the page's
//!      first visit, `first_origin` fresh or recrawl likewise; event `new`;
//!    * a link that was lost and is back: new again (`first_seen` = visit, not original);
//!      event `new`;
//!    * a live link missing from the visit: lost at the visit time, reason `broken` when
//!      the page answers 4xx/5xx, `redirect` when it answers 3xx, `removed` otherwise;
//!      event `lost`. Lost links stay in the index with their dates.
//! 5. **Unchanged pages.** A visit marked unchanged (a WARC `revisit` record: the same
//!    bytes as an earlier capture) sees every live link of the page again and keeps the
//!    page's details; only the visit dates and status move.
//! 6. Visits are applied in time order, so events come out in time order.

use std::mem::take;

use rayon::iter::ParallelIterator;
use rayon::slice::ParallelSliceMut;
use rustc_hash::FxHashSet;
use thiserror::Error;

use crate::batch::{Batch, BatchLink, FrozenTables, Room};
use crate::state::{
    EventKind, IndexState, LinkEvent, LinkKey, LinkState, LostReason, Origin, PageState,
};
use crate::texts::LinkTexts;
use crate::time::{MaybeTime, format};
use crate::visit::{LinkFlags, LinkType, PageVisit};

/// A batch that cannot be merged.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum MergeError {
    /// The batch has visits older than the index's last visit of the same page.
    #[error(
        "out-of-order batch: {url} was visited at {visited} in this batch but at {last_visited} in the index \
         ({count} page(s) affected); import crawls oldest first"
    )]
    OutOfOrder {
        /// One affected page.
        url: String,
        /// Its visit time in the batch.
        visited: String,
        /// Its last visit time in the index.
        last_visited: String,
        /// How many pages are affected.
        count: usize,
    },
}

/// What a merge did.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct MergeSummary {
    /// Visits in the batch.
    pub visits: u64,
    /// Visits dropped because a later visit of the same page was in the batch.
    pub duplicates: u64,
    /// Visits skipped because the index already had them.
    pub already_imported: u64,
    /// Pages seen for the first time.
    pub new_pages: u64,
    /// Pages visited again.
    pub revisited_pages: u64,
    /// Links that appeared (new or back).
    pub new_links: u64,
    /// Links seen again.
    pub kept_links: u64,
    /// Links that disappeared.
    pub lost_links: u64,
}

impl IndexState {
    /// Merges one crawl batch built in memory (see the module docs for the rules).
    pub fn merge(&mut self, visits: Vec<PageVisit>) -> Result<MergeSummary, MergeError> {
        self.merge_batch(Batch::from_visits(visits))
    }

    /// Merges one staged crawl batch (see the module docs for the rules).
    pub fn merge_batch(&mut self, batch: Batch) -> Result<MergeSummary, MergeError> {
        let Batch { tables, mut visits } = batch;
        let mut summary = MergeSummary {
            visits: visits.len() as u64,
            ..MergeSummary::default()
        };
        let order = self.apply_order(&visits, &mut summary)?;
        self.reserve_for(order.iter().map(|&i| &visits[i as usize]), &tables);
        let mut targets = Targets {
            ids: vec![u32::MAX; tables.urls.id_bound()],
            anchor_ids: vec![u32::MAX; tables.anchors.id_bound()],
            tables,
        };
        for i in order {
            self.apply(&mut visits[i as usize], &mut targets, &mut summary);
        }
        self.batches += 1;
        Ok(summary)
    }

    /// Which visits of a batch apply (rules 1 and 2), as positions in `visits` in the
    /// order they apply: by time, then by URL.
    ///
    /// A visit is a few hundred bytes and a batch holds millions: they are sorted and
    /// grouped by position, so that none of them moves (moving them cost a tenth of the
    /// merge in copies and in fresh memory for the groups).
    fn apply_order(
        &self,
        visits: &[PageVisit<BatchLink>],
        summary: &mut MergeSummary,
    ) -> Result<Vec<u32>, MergeError> {
        let url = |i: u32| visits[i as usize].url.as_str();
        let visited = |i: u32| visits[i as usize].visited;
        // Group the visits by page, in time order (ties in input order).
        let mut by_page: Vec<u32> = (0..visits.len() as u32).collect();
        by_page.par_sort_unstable_by(|&a, &b| {
            url(a)
                .cmp(url(b))
                .then(visited(a).cmp(&visited(b)))
                .then(a.cmp(&b))
        });
        // Per page: the latest visit with content plus the unchanged revisits after it,
        // then reconciled with what the index already has of the page.
        let mut kept = Vec::with_capacity(by_page.len());
        let mut stale: Vec<(u32, i64)> = Vec::new();
        for group in by_page.chunk_by(|&a, &b| url(a) == url(b)) {
            let n = group.len();
            let mut group = latest_content(visits, group);
            summary.duplicates += (n - group.len()) as u64;
            let indexed = self
                .urls
                .lookup(url(group[0]))
                .and_then(|id| self.pages.get(&id))
                .map(|p| p.last_visited);
            if let (Some(indexed), Some(&newest)) = (indexed, group.last()) {
                if visited(newest) < indexed {
                    stale.push((newest, indexed));
                    continue;
                }
                let before = group.len();
                group = &group[group.partition_point(|&i| visited(i) <= indexed)..];
                summary.already_imported += (before - group.len()) as u64;
            }
            kept.extend_from_slice(group);
        }
        if let Some(&(newest, last_visited)) = stale.first() {
            return Err(MergeError::OutOfOrder {
                url: url(newest).to_owned(),
                visited: format(visited(newest)),
                last_visited: format(last_visited),
                count: stale.len(),
            });
        }
        kept.par_sort_unstable_by(|&a, &b| {
            visited(a)
                .cmp(&visited(b))
                .then(url(a).cmp(url(b)))
                .then(a.cmp(&b))
        });
        Ok(kept)
    }

    /// Grows the tables once for what `visits` will most likely add: their pages the
    /// index does not have, and on each page the links beyond those it had last time.
    /// Grown step by step instead, a 10M-link batch copied the link table and rehashed
    /// its maps a dozen times each, every step in fresh memory: page faults were 40 % of
    /// the merge's time on a virtual machine. The estimate is not padded: a hash table
    /// bigger than its contents spreads them over more memory pages than it needs.
    /// The URL and anchor tables take room for as many entries as are surely new
    /// without looking each one up: as many as the batch has beyond the index's count.
    /// That is all of them in a first import, and nothing when a later crawl brings
    /// mostly known anchors (room beyond the tables' own growth made them rehash every
    /// entry, about 1.5 s of a 10M-link re-import).
    fn reserve_for<'v>(
        &mut self,
        visits: impl Iterator<Item = &'v PageVisit<BatchLink>>,
        tables: &FrozenTables,
    ) {
        let (mut pages, mut links) = (0, 0);
        for visit in visits {
            match self.urls.lookup(visit.url.as_str()) {
                Some(id) => links += visit.links.len().saturating_sub(self.links_of(id).len()),
                None => {
                    pages += 1;
                    links += visit.links.len();
                }
            }
        }
        let targets = tables.urls.len().saturating_sub(self.urls.len());
        self.urls.reserve(pages.max(targets));
        let anchors = tables.anchors.len().saturating_sub(self.anchors.len());
        if anchors > 0 {
            let bytes = tables.anchors.values().map(|a| a.len()).sum();
            self.anchors.reserve(anchors, bytes);
        }
        self.pages.reserve(pages);
        self.page_links.reserve(pages);
        self.grow_links(links, links, Room::default());
    }

    /// Grows the link and event tables once for `links` and `events` more, their memory
    /// touched on all cores ([`prefault`]): what a merge expects to add, or what a load
    /// restores. `room` is capacity left untouched beyond that, for a merge to come (a
    /// load's [`Room`]): grown later, the tables would be copied into fresh memory.
    /// Room that cannot be had is left out: the tables then grow as rows come.
    pub(crate) fn grow_links(&mut self, links: usize, events: usize, room: Room) {
        let blank_key = LinkKey {
            from: 0,
            to: 0,
            link_type: LinkType::Href,
            anchor: 0,
        };
        if reserve_with_room(&mut self.links, links, room.links) {
            prefault(&mut self.links, links, || {
                LinkState::new(blank_key, 0, false)
            });
        }
        if reserve_with_room(&mut self.events, events, room.events) {
            prefault(&mut self.events, events, || LinkEvent {
                link: 0,
                time: 0,
                kind: EventKind::New,
                reason: None,
            });
        }
    }

    /// Applies one visit, moving its texts and links into the index (what is left of
    /// it is dropped with the batch).
    fn apply(
        &mut self,
        visit: &mut PageVisit<BatchLink>,
        targets: &mut Targets,
        summary: &mut MergeSummary,
    ) {
        let t = visit.visited;
        let page_id = self.urls.intern(&visit.url, &mut self.domains);
        let redirect_to = visit
            .redirect_to
            .as_ref()
            .map(|u| self.urls.intern(u, &mut self.domains));
        let canonical = visit
            .canonical
            .as_ref()
            .map(|u| self.urls.intern(u, &mut self.domains));
        let broken = (400..=599).contains(&visit.http_code);
        let first_visit = match self.pages.get_mut(&page_id) {
            Some(page) if page.last_visited == t => {
                summary.already_imported += 1;
                return;
            }
            Some(page) => {
                page.prev_visited = Some(page.last_visited);
                page.last_visited = t;
                page.broken_at = if broken {
                    page.broken_at.or(Some(t))
                } else {
                    None
                };
                false
            }
            None => {
                self.pages.insert(page_id, PageState::first(t, broken));
                true
            }
        };
        if first_visit {
            summary.new_pages += 1;
        } else {
            summary.revisited_pages += 1;
        }
        if visit.unchanged && !first_visit {
            self.see_again(page_id, t, visit.http_code, summary);
            return;
        }
        if let Some(page) = self.pages.get_mut(&page_id) {
            page.http_code = visit.http_code;
            page.redirect_to = redirect_to;
            page.canonical = canonical;
            page.ip = take(&mut visit.ip).into_boxed_str();
            page.title = take(&mut visit.title).into_boxed_str();
            page.encoding = take(&mut visit.encoding).into_boxed_str();
            page.language = take(&mut visit.language).into_boxed_str();
            page.content_type = take(&mut visit.content_type).into_boxed_str();
            page.content_encoding = take(&mut visit.content_encoding).into_boxed_str();
            page.page_size = visit.page_size;
            page.links_internal = visit.links_internal;
            page.links_external = visit.links_external;
            page.words = visit.words;
            page.on_page = take(&mut visit.on_page);
        }

        let seen_links = self.links_on_visit(visit, targets);
        let mut ids = self.page_link_ids(page_id, seen_links.len());
        let mut seen: FxHashSet<u32> =
            FxHashSet::with_capacity_and_hasher(seen_links.len(), Default::default());
        for (to, anchor, link) in seen_links {
            let key = LinkKey {
                from: page_id,
                to,
                link_type: link.link_type,
                anchor,
            };
            let id = match ids.get(&key).copied() {
                Some(id) if seen.contains(&id) => continue, // the same link twice on one page
                Some(id) => {
                    let state = &mut self.links[id as usize];
                    if state.is_live() {
                        state.seen_again(t);
                        summary.kept_links += 1;
                    } else {
                        *state = LinkState::new(key, t, false);
                        self.events.push(LinkEvent {
                            link: id,
                            time: t,
                            kind: EventKind::New,
                            reason: None,
                        });
                        summary.new_links += 1;
                    }
                    id
                }
                None => {
                    let id = self.push_link(LinkState::new(key, t, first_visit));
                    ids.insert(key, id);
                    self.events.push(LinkEvent {
                        link: id,
                        time: t,
                        kind: EventKind::New,
                        reason: None,
                    });
                    summary.new_links += 1;
                    id
                }
            };
            self.links[id as usize].refresh(link);
            seen.insert(id);
        }

        let reason = match self.pages.get(&page_id).map_or(200, |p| p.http_code) {
            400..=599 => LostReason::Broken,
            300..=399 => LostReason::Redirect,
            _ => LostReason::Removed,
        };
        let on_page: Vec<u32> = self.links_of(page_id).to_vec();
        for id in on_page {
            let state = &mut self.links[id as usize];
            if state.is_live() && !seen.contains(&id) {
                state.lost_at = MaybeTime::some(t);
                state.lost_reason = Some(reason);
                self.events.push(LinkEvent {
                    link: id,
                    time: t,
                    kind: EventKind::Lost,
                    reason: Some(reason),
                });
                summary.lost_links += 1;
            }
        }
    }
}

impl IndexState {
    /// An unchanged revisit: every live link of the page is seen again.
    fn see_again(&mut self, page_id: u32, t: i64, http_code: u16, summary: &mut MergeSummary) {
        if let Some(page) = self.pages.get_mut(&page_id) {
            page.http_code = http_code;
        }
        let on_page: Vec<u32> = self.links_of(page_id).to_vec();
        for id in on_page {
            let state = &mut self.links[id as usize];
            if state.is_live() {
                state.seen_again(t);
                summary.kept_links += 1;
            }
        }
    }
}

/// From one page's visits (positions in `visits`) in time order: the last one with
/// content and the unchanged revisits after it (or only the last visit, when all are
/// revisits).
fn latest_content<'g, L>(visits: &[PageVisit<L>], run: &'g [u32]) -> &'g [u32] {
    match run.iter().rposition(|&i| !visits[i as usize].unchanged) {
        Some(i) => &run[i..],
        None => &run[run.len().saturating_sub(1)..],
    }
}

/// Writes to every memory page of the room for the next `additional` elements of `v`,
/// on all cores, before a merge or a load fills it one element at a time on one. The first
/// write to a fresh memory page makes the kernel zero it, and on the virtual machines
/// measured that was a third of the merge's time (`clear_page_erms`); done here it is
/// split over the cores. Only that room: a vector grown by `reserve` may have more,
/// which untouched costs no memory.
///
/// `blank` must own no heap memory: the values written are overwritten by later pushes
/// without being dropped.
fn prefault<T: Send>(v: &mut Vec<T>, additional: usize, blank: impl Fn() -> T + Sync) {
    const PAGE: usize = 4096;
    let stride = (PAGE / std::mem::size_of::<T>().max(1)).max(1);
    let spare = v.spare_capacity_mut();
    let room = additional.min(spare.len());
    spare[..room]
        .par_chunks_mut(stride * 256)
        .for_each(|chunk| {
            for slot in chunk.iter_mut().step_by(stride) {
                slot.write(blank());
            }
        });
}

/// Reserves room for exactly `needed` more items of `v` and `room` beyond them, or, when
/// that cannot be had, for `needed` alone; whether `needed` fit.
fn reserve_with_room<T>(v: &mut Vec<T>, needed: usize, room: usize) -> bool {
    v.try_reserve_exact(needed.saturating_add(room)).is_ok()
        || (room > 0 && v.try_reserve_exact(needed).is_ok())
}

/// The index id of batch number `n` in `ids`, from `add` the first time it is met.
fn met(ids: &mut [u32], n: u32, add: impl FnOnce() -> u32) -> Option<u32> {
    let id = ids.get_mut(n as usize)?;
    if *id == u32::MAX {
        *id = add();
    }
    Some(*id)
}

/// A batch's link targets and anchors, and the index ids of those the merge has met so
/// far.
struct Targets {
    tables: FrozenTables,
    /// Index URL id by batch number, `u32::MAX` until met.
    ids: Vec<u32>,
    /// Index anchor id by batch number, `u32::MAX` until met.
    anchor_ids: Vec<u32>,
}

impl IndexState {
    /// The index id of the batch's target `to`, added to the index when new.
    fn target(&mut self, targets: &mut Targets, to: u32) -> Option<u32> {
        let url = targets.tables.urls.get(to)?;
        met(&mut targets.ids, to, || {
            self.urls.intern(url, &mut self.domains)
        })
    }

    /// The index id of the batch's anchor `anchor`, added to the index when new.
    fn anchor(&mut self, targets: &mut Targets, anchor: u32) -> Option<u32> {
        let text = targets.tables.anchors.get(anchor)?;
        met(&mut targets.anchor_ids, anchor, || {
            self.anchors.intern(text)
        })
    }

    /// The links a visit carries, by its status (moved out of it), with the index ids of
    /// their targets and anchors.
    fn links_on_visit(
        &mut self,
        visit: &mut PageVisit<BatchLink>,
        targets: &mut Targets,
    ) -> Vec<(u32, u32, BatchLink)> {
        let links = take(&mut visit.links);
        let carried: Vec<BatchLink> = match visit.http_code {
            200..=299 => links,
            300..=399 => links
                .into_iter()
                .filter(|l| l.link_type == LinkType::Redirect)
                .collect(),
            _ => Vec::new(),
        };
        let mut out: Vec<(u32, u32, BatchLink)> = carried
            .into_iter()
            .filter_map(|l| {
                let to = self.target(targets, l.to)?;
                Some((to, self.anchor(targets, l.anchor)?, l))
            })
            .collect();
        if out.is_empty()
            && (300..=399).contains(&visit.http_code)
            && let Some(to) = &visit.redirect_to
        {
            // Resolved here, so it carries no batch numbers.
            let link = BatchLink {
                to: u32::MAX,
                link_type: LinkType::Redirect,
                anchor: u32::MAX,
                flags: LinkFlags {
                    redirect: visit.http_code,
                    ..LinkFlags::default()
                },
                texts: LinkTexts::default(),
            };
            let to = self.urls.intern(to, &mut self.domains);
            out.push((to, self.anchors.intern(""), link));
        }
        out
    }
}

impl PageState {
    pub(crate) fn first(t: i64, broken: bool) -> PageState {
        PageState {
            first_seen: t,
            last_visited: t,
            prev_visited: None,
            http_code: 0,
            broken_at: broken.then_some(t),
            redirect_to: None,
            canonical: None,
            ip: "".into(),
            title: "".into(),
            encoding: "".into(),
            language: "".into(),
            content_type: "".into(),
            content_encoding: "".into(),
            page_size: 0,
            links_internal: 0,
            links_external: 0,
            words: 0,
            on_page: crate::visit::OnPage::default(),
        }
    }
}

impl LinkState {
    fn new(key: LinkKey, t: i64, original: bool) -> LinkState {
        let origin = if original {
            Origin::Fresh
        } else {
            Origin::Recrawl
        };
        LinkState {
            key,
            first_seen: t,
            last_visited: t,
            prev_visited: MaybeTime::NONE,
            lost_at: MaybeTime::NONE,
            lost_reason: None,
            original,
            sitewide: false,
            flags: LinkFlags::default(),
            texts: LinkTexts::default(),
            first_origin: origin,
            last_origin: origin,
        }
    }

    /// A live link seen on a later visit at `t`.
    fn seen_again(&mut self, t: i64) {
        self.prev_visited = MaybeTime::some(self.last_visited);
        self.last_visited = t;
        self.last_origin = Origin::Recrawl;
    }

    /// Flags and texts from the latest sighting; the texts move (a batch's links are
    /// the bulk of an import's memory, and they are not needed twice).
    fn refresh(&mut self, seen: BatchLink) {
        self.flags = seen.flags;
        self.texts = seen.texts;
    }
}

#[cfg(test)]
mod tests;
