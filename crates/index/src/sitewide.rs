//! Sitewide links: the same target linked from most crawled pages of the referring host.
//!
//! A live link is **sitewide** when its target is linked (live, any anchor or kind) from
//! at least [`SITEWIDE_MIN_PAGES`] pages of the referring host, and from more than half
//! ([`SITEWIDE_SHARE`]) of that host's crawled pages that answered 2xx. Navigation,
//! header and footer links meet this; links in an article body do not.

use rayon::prelude::*;
use rustc_hash::FxHashMap;

use crate::state::IndexState;

/// Fewest linking pages for a sitewide link (a two-page site has no "sitewide").
pub const SITEWIDE_MIN_PAGES: usize = 3;
/// Share of the host's 2xx pages that must link the target (strictly more than this).
pub const SITEWIDE_SHARE: f64 = 0.5;

/// Hosts numbered as they are met, each URL's host looked up once.
struct Hosts<'a> {
    ids: FxHashMap<&'a str, u32>,
    /// Host id by URL id (`u32::MAX`: not looked up yet).
    of_url: Vec<u32>,
}

impl<'a> Hosts<'a> {
    fn id(&mut self, s: &'a IndexState, url: u32) -> u32 {
        let slot = &mut self.of_url[url as usize];
        if *slot == u32::MAX {
            let next = self.ids.len() as u32;
            *slot = *self.ids.entry(&s.urls.info(url).host).or_insert(next);
        }
        *slot
    }
}

impl IndexState {
    /// Recomputes the `sitewide` flag of every link.
    pub fn compute_sitewide(&mut self) {
        let flags = self.sitewide_flags();
        self.set_sitewide(&flags);
    }

    /// Sets every link's `sitewide` flag from `flags`, indexed by link id.
    pub(crate) fn set_sitewide(&mut self, flags: &[bool]) {
        for (link, &flag) in self.links.iter_mut().zip(flags) {
            link.sitewide = flag;
        }
    }

    /// Whether each link is sitewide, by link id.
    ///
    /// Written with integers only: every live link becomes one 128-bit key (host of the
    /// referring page, target, referring page, link id), the keys are sorted, and each
    /// run of one host and target counts its distinct pages. A map of pages per host and
    /// target did the same with a hash set per pair and a string hash per link, and was
    /// most of the ratings phase of a large import.
    pub(crate) fn sitewide_flags(&self) -> Vec<bool> {
        let mut hosts = Hosts {
            ids: FxHashMap::default(),
            of_url: vec![u32::MAX; self.urls.len()],
        };
        // 2xx pages per host.
        let mut host_pages: Vec<usize> = Vec::new();
        for (&id, page) in &self.pages {
            if (200..=299).contains(&page.http_code) {
                let host = hosts.id(self, id) as usize;
                if host >= host_pages.len() {
                    host_pages.resize(host + 1, 0);
                }
                host_pages[host] += 1;
            }
        }
        let mut keys: Vec<u128> = Vec::with_capacity(self.links.len());
        for (id, link) in self.links.iter().enumerate() {
            if link.is_live() {
                let host = hosts.id(self, link.key.from);
                keys.push(
                    (u128::from(host) << 96)
                        | (u128::from(link.key.to) << 64)
                        | (u128::from(link.key.from) << 32)
                        | id as u128,
                );
            }
        }
        keys.par_sort_unstable();
        let mut flags = vec![false; self.links.len()];
        for run in keys.chunk_by(|a, b| a >> 64 == b >> 64) {
            let host = (run[0] >> 96) as usize;
            let pages = 1 + run
                .windows(2)
                .filter(|w| (w[0] >> 32) != (w[1] >> 32))
                .count();
            let total = host_pages.get(host).copied().unwrap_or(0);
            if pages >= SITEWIDE_MIN_PAGES && pages as f64 > SITEWIDE_SHARE * total as f64 {
                for key in run {
                    flags[(*key as u32) as usize] = true;
                }
            }
        }
        flags
    }
}

#[cfg(test)]
mod tests {
    use std::collections::{HashMap, HashSet};

    use hrefdex_url::NormalUrl;

    use super::{SITEWIDE_MIN_PAGES, SITEWIDE_SHARE};

    use crate::state::IndexState;
    use crate::visit::{LinkSeen, PageVisit};

    fn visit(url: &str, links: &[&str]) -> PageVisit {
        let mut v = PageVisit::new(NormalUrl::parse(url).unwrap(), 1_700_000_000, 200);
        v.links = links
            .iter()
            .map(|t| LinkSeen::href(NormalUrl::parse(t).unwrap(), "a"))
            .collect();
        v
    }

    #[test]
    fn footer_links_are_sitewide_body_links_are_not() {
        let mut s = IndexState::default();
        let footer = "http://partner.com/";
        s.merge(vec![
            visit("http://blog.com/1", &[footer, "http://once.com/"]),
            visit("http://blog.com/2", &[footer]),
            visit("http://blog.com/3", &[footer]),
            visit("http://blog.com/4", &[]),
            visit("http://tiny.com/", &[footer]),
        ])
        .unwrap();
        s.compute_sitewide();
        let flag = |from: &str, to: &str| {
            let f = s.urls.lookup(from).unwrap();
            let t = s.urls.lookup(to).unwrap();
            s.links
                .iter()
                .find(|l| l.key.from == f && l.key.to == t)
                .unwrap()
                .sitewide
        };
        assert!(flag("http://blog.com/1", footer), "3 of 4 pages link it");
        assert!(!flag("http://blog.com/1", "http://once.com/"));
        assert!(!flag("http://tiny.com/", footer), "one page is not a site");
    }

    /// The rule read literally: distinct linking pages per (host, target) over live links.
    fn reference(s: &IndexState) -> Vec<bool> {
        let mut host_pages: HashMap<&str, usize> = HashMap::new();
        for (&id, page) in &s.pages {
            if (200..=299).contains(&page.http_code) {
                *host_pages.entry(&s.urls.info(id).host).or_default() += 1;
            }
        }
        let mut linking: HashMap<(&str, u32), HashSet<u32>> = HashMap::new();
        for l in s.links.iter().filter(|l| l.is_live()) {
            let host: &str = &s.urls.info(l.key.from).host;
            linking
                .entry((host, l.key.to))
                .or_default()
                .insert(l.key.from);
        }
        s.links
            .iter()
            .map(|l| {
                let host: &str = &s.urls.info(l.key.from).host;
                let pages = linking.get(&(host, l.key.to)).map_or(0, HashSet::len);
                let total = host_pages.get(host).copied().unwrap_or(0);
                l.is_live()
                    && pages >= SITEWIDE_MIN_PAGES
                    && pages as f64 > SITEWIDE_SHARE * total as f64
            })
            .collect()
    }

    #[test]
    fn sorted_runs_agree_with_the_rule_read_literally() {
        // A pseudo-random web of small hosts with shared footers, crawled twice: the
        // second crawl drops links and turns some pages into 404s, so lost links, hosts
        // with non-2xx pages and several anchors or kinds per (page, target) all occur.
        let mut seed = 0x2545_f491_4f6c_dd1d_u64;
        let mut next = move |n: u64| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed % n
        };
        let mut s = IndexState::default();
        let mut flagged = 0;
        for (crawl, t) in [(0, 1_700_000_000), (1, 1_700_100_000)] {
            let mut visits = Vec::new();
            for host in 0..12 {
                for page in 0..(3 + host % 6) {
                    let url = format!("http://h{host}.example{}/p{page}", host % 3);
                    let code = if crawl == 1 && next(7) == 0 { 404 } else { 200 };
                    let mut v = PageVisit::new(NormalUrl::parse(&url).unwrap(), t, code);
                    if code == 200 {
                        for _ in 0..next(9) {
                            let target = format!("http://t{}.com/{}", next(4), next(3));
                            let anchor = ["a", "b"][next(2) as usize];
                            v.links
                                .push(LinkSeen::href(NormalUrl::parse(&target).unwrap(), anchor));
                        }
                    }
                    visits.push(v);
                }
            }
            s.merge(visits).unwrap();
            let got = s.sitewide_flags();
            assert_eq!(got, reference(&s), "crawl {crawl}");
            flagged += got.iter().filter(|&&f| f).count();
        }
        assert!(flagged > 0, "the web has sitewide links");
        assert!(
            s.links.iter().any(|l| !l.is_live()),
            "the web has lost links"
        );
    }
}
