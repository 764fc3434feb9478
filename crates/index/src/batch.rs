//! A crawl batch as the merge takes it: page visits whose links name their targets and
//! anchors by number in the batch's own tables.
//!
//! A batch is held whole in memory until it merges (the merge must see every visit of a
//! page before it applies any). Kept as text, a link's target is its biggest part (about
//! a hundred bytes with the parsed form), and the merge looked each one up by string
//! in the index's URL table: a tenth of an import's memory and a fifth of the merge's
//! time at 10M links. Most targets recur, so the extraction threads intern them as they
//! go, into [`BatchTables`], parsing each distinct URL once; a staged link keeps a `u32`,
//! and the merge finds each distinct target in the index once. Anchor texts, which recur
//! even more, are numbered the same way.
//!
//! Numbers are given in whatever order the threads meet the URLs, so they are not
//! stable from run to run; the merge gives index ids in the order it applies visits,
//! which is.

use std::sync::Mutex;

use hrefdex_url::NormalUrl;

use crate::interner::TextIds;
use crate::texts::LinkTexts;
use crate::visit::{LinkFlags, LinkSeen, LinkType, PageVisit};

/// Shards of [`BatchTables`]: enough that two to a few dozen extraction threads seldom
/// wait for each other.
const SHARDS: usize = 16;
const SHARD_BITS: u32 = SHARDS.trailing_zeros();

/// One link as a batch stages it ([`LinkSeen`] with its target and anchor as numbers in
/// the batch's [`BatchTables`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchLink {
    /// Target: a URL number in the batch's [`BatchTables`].
    pub to: u32,
    /// Kind.
    pub link_type: LinkType,
    /// Anchor text: an anchor number in the batch's [`BatchTables`].
    pub anchor: u32,
    /// rel values, image, redirect code.
    pub flags: LinkFlags,
    /// Text just before and after the anchor, and the `alt` of an image link.
    pub texts: LinkTexts,
}

impl BatchLink {
    /// `link` with its target numbered `to` and its anchor `anchor`.
    pub fn new(link: LinkSeen, to: u32, anchor: u32) -> BatchLink {
        BatchLink {
            to,
            link_type: link.link_type,
            anchor,
            flags: link.flags,
            texts: link.texts,
        }
    }
}

/// The link targets and anchor texts of a batch being staged, interned from any number
/// of threads. Anchors recur even more than targets ("", "Home", "Read more"), and a
/// number is 4 bytes where a boxed string is 16 plus its text.
#[derive(Debug, Default)]
pub struct BatchTables {
    urls: Sharded<NormalUrl>,
    anchors: Sharded<Box<str>>,
}

impl BatchTables {
    /// The number of `url` (a URL in hrefdex's normal form, as the extractor gives
    /// them), adding it when new. `None` when it does not parse, or in the impossible case
    /// of more than 2^28 distinct URLs landing in one shard.
    pub fn intern_str(&self, url: &str) -> Option<u32> {
        // Parsed outside the lock, and only when new: it is most of the work of a new URL.
        self.urls.intern(url, || NormalUrl::parse(url).ok())
    }

    /// The number of `url`, adding (a copy of) it when new.
    pub fn intern(&self, url: &NormalUrl) -> Option<u32> {
        self.urls.intern(url.as_str(), || Some(url.clone()))
    }

    /// The number of an anchor text, adding it when new (`None` as for URLs).
    pub fn intern_anchor(&self, anchor: &str) -> Option<u32> {
        self.anchors.intern(anchor, || Some(anchor.into()))
    }

    /// The tables, read-only, once staging is over (the lookup maps are dropped).
    pub fn freeze(self) -> FrozenTables {
        FrozenTables {
            urls: self.urls.freeze(),
            anchors: self.anchors.freeze(),
        }
    }
}

/// Values numbered by their text from several threads: shards of a map from the text to
/// its number and the values in number order.
#[derive(Debug)]
struct Sharded<T> {
    shards: [Mutex<Shard<T>>; SHARDS],
}

impl<T> Default for Sharded<T> {
    fn default() -> Self {
        Sharded {
            shards: std::array::from_fn(|_| Mutex::default()),
        }
    }
}

/// What a staged value is numbered by.
trait Text {
    fn text(&self) -> &str;
}

impl Text for NormalUrl {
    fn text(&self) -> &str {
        self.as_str()
    }
}

impl Text for Box<str> {
    fn text(&self) -> &str {
        self
    }
}

#[derive(Debug)]
struct Shard<T> {
    /// Numbers by text, each text read from `values` (not kept a second time).
    ids: TextIds,
    values: Vec<T>,
}

impl<T> Default for Shard<T> {
    fn default() -> Self {
        Shard {
            ids: TextIds::default(),
            values: Vec::new(),
        }
    }
}

impl<T: Text> Shard<T> {
    /// The number of a value of text `text` in this shard, if it has one.
    fn find(&self, text: &str) -> Option<u32> {
        self.ids.find(text, |local| text_at(&self.values, local))
    }
}

/// The text of value `local` (empty for a number not given).
fn text_at<T: Text>(values: &[T], local: u32) -> &str {
    values.get(local as usize).map_or("", Text::text)
}

impl<T: Text> Sharded<T> {
    /// The number of `text`, adding the value `make` gives when new (none: no number).
    ///
    /// A value is filed under its own text. Were that ever not `text` (a URL not quite
    /// in normal form), a later call with `text` makes the value again and finds it
    /// under the value's text: numbers stay one per value, and lookups stay bounded.
    fn intern(&self, text: &str, make: impl FnOnce() -> Option<T>) -> Option<u32> {
        let shard = shard_of(text);
        if let Some(local) = self.lock(shard).find(text) {
            return Some(global_id(local, shard));
        }
        let value = make()?;
        let shard = shard_of(value.text());
        let mut guard = self.lock(shard);
        if let Some(local) = guard.find(value.text()) {
            return Some(global_id(local, shard)); // another thread added it meanwhile
        }
        let local = u32::try_from(guard.values.len()).ok()?;
        local.checked_mul(SHARDS as u32)?; // beyond that, numbers would collide
        let Shard { ids, values } = &mut *guard;
        values.push(value);
        ids.insert(text_at(values, local), local, |l| text_at(values, l));
        Some(global_id(local, shard))
    }

    fn lock(&self, shard: usize) -> std::sync::MutexGuard<'_, Shard<T>> {
        self.shards[shard]
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn freeze(self) -> Numbered<T> {
        Numbered {
            shards: self.shards.map(|s| {
                s.into_inner()
                    .unwrap_or_else(std::sync::PoisonError::into_inner)
                    .values
            }),
        }
    }
}

/// The batch-wide number of value `local` of `shard` (`local` below 2^32 / [`SHARDS`],
/// as [`Sharded::intern`] checks before giving it).
fn global_id(local: u32, shard: usize) -> u32 {
    (local * SHARDS as u32) | shard as u32
}

fn shard_of(text: &str) -> usize {
    use std::hash::BuildHasher;
    let hash = rustc_hash::FxBuildHasher.hash_one(text);
    // The top bits: FxHash mixes them best.
    (hash >> (64 - SHARD_BITS)) as usize
}

/// Values by the number the staging tables gave them.
#[derive(Debug)]
pub struct Numbered<T> {
    shards: [Vec<T>; SHARDS],
}

impl<T> Default for Numbered<T> {
    fn default() -> Self {
        Numbered {
            shards: std::array::from_fn(|_| Vec::new()),
        }
    }
}

impl<T> Numbered<T> {
    /// The value numbered `id`, if there is one.
    pub fn get(&self, id: u32) -> Option<&T> {
        self.shards[id as usize % SHARDS].get((id >> SHARD_BITS) as usize)
    }

    /// How many values are numbered.
    pub fn len(&self) -> usize {
        self.shards.iter().map(Vec::len).sum()
    }

    /// Whether none is.
    pub fn is_empty(&self) -> bool {
        self.shards.iter().all(Vec::is_empty)
    }

    /// Every value, in no particular order.
    pub fn values(&self) -> impl Iterator<Item = &T> {
        self.shards.iter().flatten()
    }

    /// One more than the largest number given (a size for tables indexed by number).
    pub fn id_bound(&self) -> usize {
        self.shards
            .iter()
            .enumerate()
            .filter(|(_, s)| !s.is_empty())
            .map(|(shard, s)| (s.len() - 1) * SHARDS + shard + 1)
            .max()
            .unwrap_or(0)
    }
}

/// A batch's link targets and anchors after staging.
#[derive(Debug, Default)]
pub struct FrozenTables {
    /// Link targets by number.
    pub urls: Numbered<NormalUrl>,
    /// Anchor texts by number.
    pub anchors: Numbered<Box<str>>,
}

/// One crawl batch, staged.
#[derive(Debug, Default)]
pub struct Batch {
    /// The link targets and anchors.
    pub tables: FrozenTables,
    /// The visits, their links numbered in `tables`.
    pub visits: Vec<PageVisit<BatchLink>>,
}

/// Room for what a batch may add to the index's link and event tables. A load made
/// before the merge leaves it, untouched, at the end of the tables it restores
/// ([`crate::Index::load_state_with_room`]): grown by the merge instead, a 10M-link
/// table was copied whole into fresh memory.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Room {
    /// Links the batch may add: at most one per link it holds.
    pub links: usize,
    /// New/lost events it may add (its links again: an estimate, lost links may add
    /// more).
    pub events: usize,
}

impl Batch {
    /// The most this batch can add to an index's links, and as many events.
    pub fn room(&self) -> Room {
        let links = self.visits.iter().map(|v| v.links.len()).sum();
        Room {
            links,
            events: links,
        }
    }

    /// Stages visits built in memory (tests, generators).
    pub fn from_visits(visits: Vec<PageVisit>) -> Batch {
        let urls = BatchTables::default();
        let visits = visits
            .into_iter()
            .map(|v| {
                v.map_links(|links| {
                    links
                        .into_iter()
                        .filter_map(|l| {
                            let to = urls.intern(&l.url_to)?;
                            let anchor = urls.intern_anchor(&l.anchor)?;
                            Some(BatchLink::new(l, to, anchor))
                        })
                        .collect()
                })
            })
            .collect();
        Batch {
            tables: urls.freeze(),
            visits,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_url_gets_the_same_number_and_reads_back() {
        let urls = BatchTables::default();
        let mut ids = Vec::new();
        for i in 0..1000 {
            let text = format!("http://example.com/{}", i % 300);
            let id = urls.intern_str(&text).unwrap();
            ids.push((text, id));
        }
        let again = urls
            .intern(&NormalUrl::parse("http://example.com/7").unwrap())
            .unwrap();
        assert_eq!(again, ids[7].1);
        let frozen = urls.freeze();
        let mut distinct: Vec<u32> = ids.iter().map(|(_, id)| *id).collect();
        distinct.sort_unstable();
        distinct.dedup();
        assert_eq!(distinct.len(), 300);
        for (text, id) in &ids {
            assert_eq!(frozen.urls.get(*id).unwrap().as_str(), text);
            assert!((*id as usize) < frozen.urls.id_bound());
        }
    }

    #[test]
    fn anchors_are_numbered_apart_from_urls_and_read_back() {
        let urls = BatchTables::default();
        let home = urls.intern_anchor("Home").unwrap();
        let empty = urls.intern_anchor("").unwrap();
        assert_eq!(urls.intern_anchor("Home"), Some(home));
        assert_ne!(home, empty);
        let frozen = urls.freeze();
        assert_eq!(frozen.anchors.get(home).map(|a| &**a), Some("Home"));
        assert_eq!(frozen.anchors.get(empty).map(|a| &**a), Some(""));
        assert_eq!(frozen.urls.id_bound(), 0);
    }

    #[test]
    fn urls_that_do_not_parse_get_no_number() {
        let urls = BatchTables::default();
        assert_eq!(urls.intern_str("not a url"), None);
        assert_eq!(urls.intern_str("mailto:a@b.c"), None);
        assert_eq!(urls.freeze().urls.id_bound(), 0);
    }

    /// A URL is filed under its normal form: text that only parses to it gets its
    /// number every time, and no second value.
    #[test]
    fn a_url_not_in_normal_form_is_numbered_once_under_its_normal_form() {
        let urls = BatchTables::default();
        let loose = "HTTP://Example.COM:80/a";
        let first = urls.intern_str(loose).unwrap();
        assert_eq!(urls.intern_str(loose), Some(first));
        assert_eq!(urls.intern_str("http://example.com/a"), Some(first));
        let tables = urls.freeze();
        assert_eq!(tables.urls.len(), 1);
        assert_eq!(
            tables.urls.get(first).unwrap().as_str(),
            "http://example.com/a"
        );
    }

    #[test]
    fn threads_interning_at_once_agree_on_numbers() {
        let urls = BatchTables::default();
        let per_thread: Vec<Vec<u32>> = std::thread::scope(|scope| {
            let handles: Vec<_> = (0..4)
                .map(|_| {
                    scope.spawn(|| {
                        (0..2000)
                            .map(|i| urls.intern_str(&format!("http://t.org/{i}")).unwrap())
                            .collect::<Vec<u32>>()
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        for ids in &per_thread[1..] {
            assert_eq!(ids, &per_thread[0]);
        }
        let frozen = urls.freeze();
        for (i, &id) in per_thread[0].iter().enumerate() {
            assert_eq!(
                frozen.urls.get(id).unwrap().as_str(),
                format!("http://t.org/{i}")
            );
        }
    }
}
