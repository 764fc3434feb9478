//! Sitewide links: the same target linked from most crawled pages of the referring host.
//!
//! A live link is **sitewide** when its target is linked (live, any anchor or kind) from
//! at least [`SITEWIDE_MIN_PAGES`] pages of the referring host, and from more than half
//! ([`SITEWIDE_SHARE`]) of that host's crawled pages that answered 2xx. Navigation,
//! header and footer links meet this; links in an article body do not.

use rustc_hash::{FxHashMap, FxHashSet};

use crate::state::IndexState;

/// Fewest linking pages for a sitewide link (a two-page site has no "sitewide").
pub const SITEWIDE_MIN_PAGES: usize = 3;
/// Share of the host's 2xx pages that must link the target (strictly more than this).
pub const SITEWIDE_SHARE: f64 = 0.5;

impl IndexState {
    /// Recomputes the `sitewide` flag of every link.
    pub fn compute_sitewide(&mut self) {
        // 2xx pages per host.
        let mut host_pages: FxHashMap<&str, usize> = FxHashMap::default();
        for (&id, page) in &self.pages {
            if (200..=299).contains(&page.http_code) {
                *host_pages.entry(&self.urls.info(id).host).or_default() += 1;
            }
        }
        // Distinct linking pages per (host, target).
        let mut linking: FxHashMap<(&str, u32), FxHashSet<u32>> = FxHashMap::default();
        for l in self.links.iter().filter(|l| l.is_live()) {
            let host: &str = &self.urls.info(l.key.from).host;
            linking
                .entry((host, l.key.to))
                .or_default()
                .insert(l.key.from);
        }
        let sitewide: FxHashSet<(&str, u32)> = linking
            .into_iter()
            .filter(|((host, _), pages)| {
                let total = host_pages.get(host).copied().unwrap_or(0);
                pages.len() >= SITEWIDE_MIN_PAGES
                    && pages.len() as f64 > SITEWIDE_SHARE * total as f64
            })
            .map(|(key, _)| key)
            .collect();
        for l in self.links.iter_mut() {
            let host: &str = &self.urls.info(l.key.from).host;
            l.sitewide = l.lost_at.is_none() && sitewide.contains(&(host, l.key.to));
        }
    }
}

#[cfg(test)]
mod tests {
    use hrefdex_url::NormalUrl;

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
}
