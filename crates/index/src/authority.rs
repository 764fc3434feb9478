//! Domain Rating and URL Rating for the whole index (DESIGN.md §4).
//!
//! * **DR**: nodes are registrable domains; an edge A→B when a live, followed link
//!   ([`crate::visit::LinkTypeExt::passes_authority`], not nofollow/ugc/sponsored) goes from a
//!   page of A to a page of B, A ≠ B, counted once per domain pair, so a domain's rating is
//!   split equally over the domains it links to. PageRank (α = 0.85, L1 < 1e-10) is mapped to
//!   0–100 by [`hrefdex_rank::domain_rating`]; `ahrefs_top` is the position by raw rank.
//! * **UR**: nodes are URLs (pages and link targets); an edge per live followed link, self
//!   links ignored, repeats merged; the same PageRank and mapping ([`hrefdex_rank::url_rating`]).

use hrefdex_rank::{
    Duplicates, GraphBuilder, PageRankOptions, RankError, SelfLoops, ahrefs_top, domain_rating,
    pagerank, url_rating,
};

use crate::state::{Authority, IndexState, LinkState};

/// L1 tolerance of the rating iterations: far below anything a 0–100 rating can show.
pub const TOLERANCE: f64 = 1e-10;

fn options() -> PageRankOptions {
    PageRankOptions {
        tolerance: TOLERANCE,
        ..PageRankOptions::default()
    }
}

impl IndexState {
    /// Recomputes the sitewide flags, DR, `ahrefs_top` and UR, side by side: the three
    /// read the links and nothing each other writes, and the PageRank sweeps of each graph
    /// run on one thread.
    pub fn compute_ratings(&mut self) -> Result<(), RankError> {
        let (sitewide, authority) = rayon::join(|| self.sitewide_flags(), || self.authority());
        self.set_sitewide(&sitewide);
        self.authority = authority?;
        Ok(())
    }

    /// Recomputes DR, `ahrefs_top` and UR from the live links.
    pub fn compute_authority(&mut self) -> Result<(), RankError> {
        self.authority = self.authority()?;
        Ok(())
    }

    /// DR, `ahrefs_top` and UR of the live links; the domain and page graphs are ranked
    /// side by side.
    fn authority(&self) -> Result<Authority, RankError> {
        let (dr_raw, ur_raw) = rayon::join(|| self.domain_ranks(), || self.page_ranks());
        let (dr_raw, ur_raw) = (dr_raw?, ur_raw?);
        Ok(Authority {
            dr: domain_rating(&dr_raw),
            ahrefs_top: ahrefs_top(&dr_raw),
            dr_raw,
            ur: url_rating(&ur_raw),
            ur_raw,
        })
    }

    fn followed(&self) -> impl Iterator<Item = &LinkState> {
        self.links.iter().filter(|l| l.is_live() && l.is_followed())
    }

    /// Raw PageRank of the registrable-domain graph.
    fn domain_ranks(&self) -> Result<Vec<f64>, RankError> {
        let domain_edges: Vec<(u32, u32)> = self
            .followed()
            .map(|l| {
                (
                    self.urls.info(l.key.from).domain,
                    self.urls.info(l.key.to).domain,
                )
            })
            .filter(|(a, b)| a != b)
            .collect();
        let domain_graph = GraphBuilder::new()
            .num_nodes(self.domains.len())
            .self_loops(SelfLoops::Drop)
            .duplicates(Duplicates::Merge)
            .build(&domain_edges)?;
        Ok(pagerank(&domain_graph, &options())?.scores)
    }

    /// Raw PageRank of the page graph.
    fn page_ranks(&self) -> Result<Vec<f64>, RankError> {
        let page_edges: Vec<(u32, u32)> = self.followed().map(|l| (l.key.from, l.key.to)).collect();
        let page_graph = GraphBuilder::new()
            .num_nodes(self.urls.len())
            .self_loops(SelfLoops::Drop)
            .duplicates(Duplicates::Merge)
            .build(&page_edges)?;
        Ok(pagerank(&page_graph, &options())?.scores)
    }

    /// DR of a domain id (0 before the first computation).
    pub fn dr(&self, domain: u32) -> u8 {
        self.authority.dr.get(domain as usize).copied().unwrap_or(0)
    }

    /// UR of a URL id (0 before the first computation).
    pub fn ur(&self, url: u32) -> u8 {
        self.authority.ur.get(url as usize).copied().unwrap_or(0)
    }

    /// `ahrefs_top` of a domain id (0 when unknown).
    pub fn ahrefs_top(&self, domain: u32) -> u32 {
        self.authority
            .ahrefs_top
            .get(domain as usize)
            .copied()
            .unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use hrefdex_url::NormalUrl;

    use crate::state::IndexState;
    use crate::visit::{LinkSeen, PageVisit};

    fn visit(url: &str, links: &[(&str, bool)]) -> PageVisit {
        let mut v = PageVisit::new(NormalUrl::parse(url).unwrap(), 1_700_000_000, 200);
        v.links = links
            .iter()
            .map(|(t, nofollow)| {
                let mut l = LinkSeen::href(NormalUrl::parse(t).unwrap(), "a");
                l.flags.nofollow = *nofollow;
                l
            })
            .collect();
        v
    }

    #[test]
    fn the_most_linked_domain_ranks_first_and_nofollow_does_not_vote() {
        let mut s = IndexState::default();
        s.merge(vec![
            visit(
                "http://a.com/",
                &[("http://hub.com/", false), ("http://spam.com/", true)],
            ),
            visit(
                "http://b.com/",
                &[("http://hub.com/x", false), ("http://spam.com/", true)],
            ),
            visit(
                "http://c.com/",
                &[("http://hub.com/", false), ("http://spam.com/", true)],
            ),
            visit("http://hub.com/", &[("http://a.com/", false)]),
        ])
        .unwrap();
        s.compute_authority().unwrap();
        let d = |name: &str| s.domains.lookup(name).unwrap();
        assert_eq!(s.ahrefs_top(d("hub.com")), 1);
        assert_eq!(s.dr(d("hub.com")), 100);
        assert!(
            s.dr(d("spam.com")) <= s.dr(d("b.com")),
            "nofollow links pass nothing"
        );
        assert!(s.dr(d("a.com")) > s.dr(d("c.com")), "hub links to a.com");
        let hub_home = s.urls.lookup("http://hub.com/").unwrap();
        let hub_x = s.urls.lookup("http://hub.com/x").unwrap();
        assert!(s.ur(hub_home) > s.ur(hub_x));
    }
}
