//! A crawl batch as the merge takes it: page visits whose links name their targets by
//! number in the batch's own URL table.
//!
//! A batch is held whole in memory until it merges (the merge must see every visit of a
//! page before it applies any). Kept as text, a link's target is its biggest part (about
//! a hundred bytes with the parsed form), and the merge looked each one up by string
//! in the index's URL table: a tenth of an import's memory and a fifth of the merge's
//! time at 10M links. Most targets recur, so the extraction threads intern them as they
//! go, into [`BatchUrls`], parsing each distinct URL once; a staged link keeps a `u32`,
//! and the merge finds each distinct target in the index once.
//!
//! Numbers are given in whatever order the threads meet the URLs, so they are not
//! stable from run to run; the merge gives index ids in the order it applies visits,
//! which is.

use std::sync::Mutex;

use hrefdex_url::NormalUrl;
use rustc_hash::FxHashMap;

use crate::texts::LinkTexts;
use crate::visit::{LinkFlags, LinkSeen, LinkType, PageVisit};

/// Shards of [`BatchUrls`]: enough that two to a few dozen extraction threads seldom
/// wait for each other.
const SHARDS: usize = 16;
const SHARD_BITS: u32 = SHARDS.trailing_zeros();

/// One link as a batch stages it ([`LinkSeen`] with its target as a number in
/// [`BatchUrls`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchLink {
    /// Target: a number in the batch's [`BatchUrls`].
    pub to: u32,
    /// Kind.
    pub link_type: LinkType,
    /// Anchor text (whitespace collapsed).
    pub anchor: Box<str>,
    /// rel values, image, redirect code.
    pub flags: LinkFlags,
    /// Text just before and after the anchor, and the `alt` of an image link.
    pub texts: LinkTexts,
}

impl BatchLink {
    /// `link` with its target numbered `to`.
    pub fn new(link: LinkSeen, to: u32) -> BatchLink {
        BatchLink {
            to,
            link_type: link.link_type,
            anchor: link.anchor,
            flags: link.flags,
            texts: link.texts,
        }
    }
}

/// The URLs of a batch being staged, interned from any number of threads.
#[derive(Debug, Default)]
pub struct BatchUrls {
    shards: [Mutex<Shard>; SHARDS],
}

#[derive(Debug, Default)]
struct Shard {
    ids: FxHashMap<Box<str>, u32>,
    urls: Vec<NormalUrl>,
}

impl BatchUrls {
    /// The number of `url` (a URL in hrefdex's normal form, as the extractor gives
    /// them), adding it when new. `None` when it does not parse, or in the impossible case
    /// of more than 2^28 distinct URLs landing in one shard.
    pub fn intern_str(&self, url: &str) -> Option<u32> {
        let shard = shard_of(url);
        if let Some(&id) = self.lock(shard).ids.get(url) {
            return Some(id);
        }
        // Parsed outside the lock: it is most of the work of a new URL.
        let parsed = NormalUrl::parse(url).ok()?;
        self.insert(shard, url, parsed)
    }

    /// The number of `url`, adding it when new.
    pub fn intern(&self, url: NormalUrl) -> Option<u32> {
        let shard = shard_of(url.as_str());
        if let Some(&id) = self.lock(shard).ids.get(url.as_str()) {
            return Some(id);
        }
        let text = url.as_str().to_owned();
        self.insert(shard, &text, url)
    }

    fn insert(&self, shard: usize, text: &str, url: NormalUrl) -> Option<u32> {
        let mut guard = self.lock(shard);
        if let Some(&id) = guard.ids.get(text) {
            return Some(id); // another thread added it meanwhile
        }
        let local = u32::try_from(guard.urls.len()).ok()?;
        let id = local.checked_mul(SHARDS as u32)? | shard as u32;
        guard.urls.push(url);
        guard.ids.insert(text.into(), id);
        Some(id)
    }

    fn lock(&self, shard: usize) -> std::sync::MutexGuard<'_, Shard> {
        self.shards[shard]
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The table, read-only, once staging is over (the lookup maps are dropped).
    pub fn freeze(self) -> FrozenUrls {
        FrozenUrls {
            shards: self.shards.map(|s| {
                s.into_inner()
                    .unwrap_or_else(std::sync::PoisonError::into_inner)
                    .urls
            }),
        }
    }
}

fn shard_of(url: &str) -> usize {
    use std::hash::BuildHasher;
    let hash = rustc_hash::FxBuildHasher.hash_one(url);
    // The top bits: FxHash mixes them best.
    (hash >> (64 - SHARD_BITS)) as usize
}

/// A batch's URL table after staging.
#[derive(Debug, Default)]
pub struct FrozenUrls {
    shards: [Vec<NormalUrl>; SHARDS],
}

impl FrozenUrls {
    /// The URL numbered `id`, if there is one.
    pub fn get(&self, id: u32) -> Option<&NormalUrl> {
        self.shards[id as usize % SHARDS].get((id >> SHARD_BITS) as usize)
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

/// One crawl batch, staged.
#[derive(Debug, Default)]
pub struct Batch {
    /// The link targets.
    pub urls: FrozenUrls,
    /// The visits, their links numbered in `urls`.
    pub visits: Vec<PageVisit<BatchLink>>,
}

impl Batch {
    /// Stages visits built in memory (tests, generators).
    pub fn from_visits(visits: Vec<PageVisit>) -> Batch {
        let urls = BatchUrls::default();
        let visits = visits
            .into_iter()
            .map(|v| {
                v.map_links(|links| {
                    links
                        .into_iter()
                        .filter_map(|l| {
                            let to = urls.intern(l.url_to.clone())?;
                            Some(BatchLink::new(l, to))
                        })
                        .collect()
                })
            })
            .collect();
        Batch {
            urls: urls.freeze(),
            visits,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_url_gets_the_same_number_and_reads_back() {
        let urls = BatchUrls::default();
        let mut ids = Vec::new();
        for i in 0..1000 {
            let text = format!("http://example.com/{}", i % 300);
            let id = urls.intern_str(&text).unwrap();
            ids.push((text, id));
        }
        let again = urls
            .intern(NormalUrl::parse("http://example.com/7").unwrap())
            .unwrap();
        assert_eq!(again, ids[7].1);
        let frozen = urls.freeze();
        let mut distinct: Vec<u32> = ids.iter().map(|(_, id)| *id).collect();
        distinct.sort_unstable();
        distinct.dedup();
        assert_eq!(distinct.len(), 300);
        for (text, id) in &ids {
            assert_eq!(frozen.get(*id).unwrap().as_str(), text);
            assert!((*id as usize) < frozen.id_bound());
        }
    }

    #[test]
    fn urls_that_do_not_parse_get_no_number() {
        let urls = BatchUrls::default();
        assert_eq!(urls.intern_str("not a url"), None);
        assert_eq!(urls.intern_str("mailto:a@b.c"), None);
        assert_eq!(urls.freeze().id_bound(), 0);
    }

    #[test]
    fn threads_interning_at_once_agree_on_numbers() {
        let urls = BatchUrls::default();
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
                frozen.get(id).unwrap().as_str(),
                format!("http://t.org/{i}")
            );
        }
    }
}
