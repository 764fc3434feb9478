//! Heads: the first backlinks of each large target in the default `backlinks` order,
//! stored apart (`links_head`) so that the commonest call on a large target reads one
//! short run of rows instead of ranking all of them.
//!
//! `backlinks` with no `where` or `having`, in its default order (`ahrefs_rank` desc,
//! then `url_from`, `url_to`, then the row's position in `links_in`), wants the first
//! `offset + limit` live external links of the target. `links_in` holds them sorted
//! within each target URL, but a domain spans many URLs: on a 500,000-backlink domain
//! the lookup read the rank of every link to find the first thousand, then every column
//! of rows spread over 150 URL ranges (about 15 ms). A head holds those first rows,
//! contiguous, for every target (in the `exact`, `domain` and `subdomains` modes) with
//! more than [`HeadOptions::min_rows`] links.
//!
//! A head is found by its [`head_key`]: the target's key ranges, which the importer and
//! the query engine both take from [`Target::key_ranges`], so the two cannot disagree on
//! which links a target covers. A head is a prefix of the full answer; the engine
//! answers from it only when it holds the whole page asked for.

use std::cmp::Ordering;

use hrefdex_url::surt::{is_ip, strip_www};
use hrefdex_url::{KeyRange, Mode, Target};
use rustc_hash::FxHashSet;

use crate::state::IndexState;

/// Which targets get a head, and how long.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HeadOptions {
    /// Targets with more links than this (live or not, in `links_in`) get a head. Below
    /// it the general lookup is already fast (it is the engine's threshold for reading a
    /// large target in passes).
    pub min_rows: usize,
    /// Links kept per head: a request is answered from a head when `offset + limit` is at
    /// most this (the API's default `limit` is 1,000).
    pub rows: usize,
}

impl Default for HeadOptions {
    fn default() -> HeadOptions {
        HeadOptions {
            min_rows: 16_384,
            rows: 1_000,
        }
    }
}

/// The key a target's head is stored under: its key ranges, each as `=key` (exact) or
/// `^prefix`, joined by spaces (SURT keys hold no spaces).
pub fn head_key(ranges: &[KeyRange]) -> String {
    let mut key = String::new();
    for (i, range) in ranges.iter().enumerate() {
        if i > 0 {
            key.push(' ');
        }
        match range {
            KeyRange::Exact(k) => {
                key.push('=');
                key.push_str(k);
            }
            KeyRange::Prefix(p) => {
                key.push('^');
                key.push_str(p);
            }
        }
    }
    key
}

/// One head: its key and its links (ids), in the default `backlinks` order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Head {
    /// The target's [`head_key`].
    pub key: String,
    /// Link ids, at most [`HeadOptions::rows`].
    pub links: Vec<u32>,
}

/// The heads of every target of `s` with more than `options.min_rows` links, sorted by
/// key. `links_in` lists the link ids in `links_in` order and `row_of` gives each link's
/// row there (the last tie-break of the default order).
pub fn heads(s: &IndexState, links_in: &[u32], row_of: &[u32], options: HeadOptions) -> Vec<Head> {
    // Where each target URL's rows start in `links_in` (one pass; `links_in` is sorted by
    // target key, so the ranges below are searched over these runs, not over every row).
    let mut runs: Vec<(usize, u32)> = Vec::new();
    for (row, &id) in links_in.iter().enumerate() {
        let to = s.links[id as usize].key.to;
        if runs.last().is_none_or(|&(_, last)| last != to) {
            runs.push((row, to));
        }
    }
    let key_of_run = |i: usize| -> &str { &s.urls.info(runs[i].1).key };
    let row_of_run = |i: usize| runs.get(i).map_or(links_in.len(), |&(row, _)| row);
    // The rows of `links_in` whose target key lies in `range`: one contiguous run.
    let rows_in = |range: &KeyRange| -> std::ops::Range<usize> {
        let (lower, upper) = (range.lower(), range.upper_exclusive());
        let first = partition(runs.len(), |i| key_of_run(i) < lower);
        let last = partition(runs.len(), |i| key_of_run(i) < upper.as_str());
        row_of_run(first)..row_of_run(last.max(first))
    };

    let mut targets: Vec<Vec<KeyRange>> = Vec::new();
    // Exact targets: runs of one target key (URLs that differ only in what the key
    // drops, such as the scheme, share it).
    let mut i = 0;
    while i < runs.len() {
        let key = key_of_run(i);
        let mut next = i + 1;
        while next < runs.len() && key_of_run(next) == key {
            next += 1;
        }
        if row_of_run(next) - row_of_run(i) > options.min_rows {
            targets.push(vec![KeyRange::Exact(key.to_owned())]);
        }
        i = next;
    }
    // Hosts and the domains above them, in the `domain` and `subdomains` modes.
    let mut hosts: FxHashSet<&str> = FxHashSet::default();
    for &(_, to) in &runs {
        let host = strip_www(&s.urls.info(to).host);
        if is_ip(host) {
            hosts.insert(host);
            continue;
        }
        // The host and every domain above it with at least two labels.
        let mut rest = host;
        while hosts.insert(rest) {
            match rest.split_once('.') {
                Some((_, up)) if up.contains('.') => rest = up,
                _ => break,
            }
        }
    }
    let mut hosts: Vec<&str> = hosts.into_iter().collect();
    hosts.sort_unstable();
    for host in hosts {
        let Ok(target) = Target::parse(host) else {
            continue;
        };
        for mode in [Mode::Domain, Mode::Subdomains] {
            let ranges = target.key_ranges(mode);
            let rows: usize = ranges.iter().map(|r| rows_in(r).len()).sum();
            if rows > options.min_rows {
                targets.push(ranges);
            }
        }
    }

    let mut out: Vec<Head> = targets
        .into_iter()
        .filter_map(|ranges| {
            let mut live: Vec<u32> = ranges
                .iter()
                .flat_map(|r| rows_in(r).map(|row| links_in[row]))
                .filter(|&id| {
                    let l = &s.links[id as usize];
                    l.lost_at.is_none()
                        && s.urls.info(l.key.from).domain != s.urls.info(l.key.to).domain
                })
                .collect();
            let order = |a: &u32, b: &u32| default_order(s, row_of, *a, *b);
            if options.rows > 0 && live.len() > options.rows {
                live.select_nth_unstable_by(options.rows - 1, order);
            }
            live.truncate(options.rows);
            live.sort_unstable_by(order);
            (!live.is_empty()).then(|| Head {
                key: head_key(&ranges),
                links: live,
            })
        })
        .collect();
    out.sort_unstable_by(|a, b| a.key.cmp(&b.key));
    out
}

/// The default order of `backlinks`: the referring page's UR highest first, then the
/// referring URL, the target URL, and the row in `links_in` (what the engine's sort ends
/// with), so that a head is exactly the first rows of the engine's own answer.
fn default_order(s: &IndexState, row_of: &[u32], a: u32, b: u32) -> Ordering {
    let (la, lb) = (&s.links[a as usize].key, &s.links[b as usize].key);
    s.ur(lb.from)
        .cmp(&s.ur(la.from))
        .then_with(|| s.urls.info(la.from).url.cmp(&s.urls.info(lb.from).url))
        .then_with(|| s.urls.info(la.to).url.cmp(&s.urls.info(lb.to).url))
        .then_with(|| row_of[a as usize].cmp(&row_of[b as usize]))
}

/// The first of `0..len` for which `before` is false (`before` must be true on a prefix).
fn partition(len: usize, before: impl Fn(usize) -> bool) -> usize {
    let (mut lo, mut hi) = (0, len);
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        if before(mid) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    lo
}

#[cfg(test)]
mod tests {
    use hrefdex_url::NormalUrl;

    use super::*;
    use crate::store::serialize::Ranks;
    use crate::visit::{LinkSeen, PageVisit};

    fn visit(url: &str, t: i64, links: &[&str]) -> PageVisit {
        let mut v = PageVisit::new(NormalUrl::parse(url).unwrap(), t, 200);
        v.links = links
            .iter()
            .enumerate()
            .map(|(i, to)| LinkSeen::href(NormalUrl::parse(to).unwrap(), &format!("a{i}")))
            .collect();
        v
    }

    /// Eight referring pages on four domains link to `x.com`'s pages and subdomain (twice
    /// to one URL, so that ties on the referring URL exist); one of them links to
    /// `x.com/gone` only at its first visit; `x.com` links to itself.
    fn state() -> IndexState {
        let mut s = IndexState::default();
        let t0 = 1_700_000_000;
        let mut first = Vec::new();
        for d in ["a.com", "b.org", "c.net", "d.io"] {
            for p in 1..=2 {
                let links = [
                    "http://x.com/",
                    "http://x.com/p",
                    "http://x.com/p",
                    "http://blog.x.com/",
                    "http://x.com/gone",
                    &format!("http://{d}/other"),
                ];
                first.push(visit(&format!("http://{d}/{p}"), t0, &links));
            }
        }
        first.push(visit("http://x.com/", t0, &["http://x.com/p"]));
        s.merge(first).unwrap();
        s.merge(vec![visit(
            "http://a.com/1",
            t0 + 100,
            &["http://x.com/", "http://x.com/p", "http://blog.x.com/"],
        )])
        .unwrap();
        s.compute_authority().unwrap();
        s
    }

    /// What a head of `ranges` must hold, computed plainly: every link, filtered, fully
    /// sorted, cut.
    fn expected(s: &IndexState, ranks: &Ranks, ranges: &[KeyRange], rows: usize) -> Vec<u32> {
        let mut ids: Vec<u32> = (0..s.links.len() as u32)
            .filter(|&id| {
                let l = &s.links[id as usize];
                let (from, to) = (s.urls.info(l.key.from), s.urls.info(l.key.to));
                ranges.iter().any(|r| r.contains(&to.key))
                    && l.lost_at.is_none()
                    && from.domain != to.domain
            })
            .collect();
        ids.sort_by(|&a, &b| default_order(s, &ranks.link_row, a, b));
        ids.truncate(rows);
        ids
    }

    #[test]
    fn heads_hold_the_first_live_external_links_of_every_large_target() {
        let s = state();
        let ranks = Ranks::new(&s);
        let options = HeadOptions {
            min_rows: 5,
            rows: 6,
        };
        let heads = heads(&s, &ranks.links_in, &ranks.link_row, options);
        let x = Target::parse("x.com").unwrap();
        let wanted = [
            x.key_ranges(Mode::Domain),
            x.key_ranges(Mode::Subdomains),
            Target::parse("x.com/p").unwrap().key_ranges(Mode::Exact),
            Target::parse("x.com/").unwrap().key_ranges(Mode::Exact),
            Target::parse("blog.x.com")
                .unwrap()
                .key_ranges(Mode::Domain),
        ];
        for ranges in &wanted {
            let key = head_key(ranges);
            let head = heads
                .iter()
                .find(|h| h.key == key)
                .unwrap_or_else(|| panic!("no head {key}"));
            let want = expected(&s, &ranks, ranges, options.rows);
            assert_eq!(head.links, want, "{key}");
            assert_eq!(head.links.len(), options.rows.min(want.len()));
        }
        // Subdomains covers blog.x.com, the domain mode does not.
        let domain = expected(&s, &ranks, &wanted[0], usize::MAX);
        let subdomains = expected(&s, &ranks, &wanted[1], usize::MAX);
        assert!(subdomains.len() > domain.len());
        // A target with too few links has no head: a.com has two (internal) links.
        let small = head_key(&Target::parse("a.com").unwrap().key_ranges(Mode::Domain));
        assert!(heads.iter().all(|h| h.key != small), "{small} has 2 links");
        assert!(
            heads.windows(2).all(|w| w[0].key < w[1].key),
            "sorted by key"
        );
        // Lost links are left out: a.com/1 dropped its link to x.com/gone.
        let gone = Target::parse("x.com/gone").unwrap().key_ranges(Mode::Exact);
        let lost = (0..s.links.len() as u32)
            .find(|&id| s.links[id as usize].lost_at.is_some())
            .expect("a lost link");
        assert!(heads.iter().all(|h| !h.links.contains(&lost)));
        let head = heads.iter().find(|h| h.key == head_key(&gone)).unwrap();
        assert_eq!(head.links, expected(&s, &ranks, &gone, options.rows));
    }

    #[test]
    fn no_target_is_large_enough_above_every_count() {
        let s = state();
        let ranks = Ranks::new(&s);
        let options = HeadOptions {
            min_rows: s.links.len(),
            rows: 1_000,
        };
        assert!(heads(&s, &ranks.links_in, &ranks.link_row, options).is_empty());
    }

    #[test]
    fn head_keys_name_each_range() {
        let ranges = [
            KeyRange::Prefix("com,x)".into()),
            KeyRange::Exact("com,x)/p".into()),
        ];
        assert_eq!(head_key(&ranges), "^com,x) =com,x)/p");
    }
}
