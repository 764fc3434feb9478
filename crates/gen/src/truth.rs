//! `truth.json`: what an index built from the generated crawls must contain, computed by
//! the generator's own model of the timeline (never by hrefdex-index).
//!
//! Times are RFC 3339 UTC (`2024-01-08T13:05:09Z`), dates `YYYY-MM-DD`. Meanings follow
//! the index's merge rules: a link is an identity (referring page, target, type, anchor);
//! it is *new* when first seen or seen again after being lost (then not `original`), and
//! *lost* as `broken` (the page now answers 4xx/5xx), `redirect` (it now answers 3xx) or
//! `removed` (a 2xx revisit without it).

use serde::{Deserialize, Serialize};

/// Everything the generator knows about its web.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Truth {
    /// The options the web was generated with.
    pub options: OptionsTruth,
    /// One entry per crawl, in order.
    pub crawls: Vec<CrawlTruth>,
    /// Whole-web counts after the last crawl.
    pub totals: Totals,
    /// Chosen targets: the most-linked pages (`exact`) and domains (`domain`, `subdomains`).
    pub targets: Vec<TargetTruth>,
    /// A sample of individual links with their history.
    pub links: Vec<LinkTruth>,
    /// Sitewide links after the last crawl (rule of `hrefdex_index::sitewide`).
    pub sitewide: SitewideTruth,
    /// Registrable domains by PageRank of the final live followed domain graph, best first.
    pub domain_rank: Vec<DomainScore>,
}

/// The generation options.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OptionsTruth {
    /// Pages.
    pub pages: u64,
    /// Domains.
    pub domains: u32,
    /// Crawls.
    pub crawls: u32,
    /// Seed.
    pub seed: u64,
    /// Mean body links per page.
    pub links_per_page: u32,
    /// Start of crawl 0.
    pub start: String,
}

/// One crawl: its file and the link events its visits cause.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CrawlTruth {
    /// 0, 1, …
    pub index: u32,
    /// File name in the output directory.
    pub file: String,
    /// The crawl day (every fetch of the crawl falls on it).
    pub date: String,
    /// Pages fetched.
    pub pages_fetched: u64,
    /// Of those, archived as `revisit` (unchanged since the previous capture).
    pub revisits: u64,
    /// Pages answering 2xx, 3xx and 4xx.
    pub status_2xx: u64,
    /// 3xx answers.
    pub status_3xx: u64,
    /// 4xx answers.
    pub status_4xx: u64,
    /// Bytes of the file.
    pub bytes: u64,
    /// Link observations in full captures (links in the HTML, plus redirect links).
    pub link_observations: u64,
    /// `new` link events of this crawl (all links of the web).
    pub new_links: u64,
    /// `lost` link events of this crawl.
    pub lost_links: u64,
    /// Lost as `removed`.
    pub lost_removed: u64,
    /// Lost as `broken`.
    pub lost_broken: u64,
    /// Lost as `redirect`.
    pub lost_redirect: u64,
}

/// Whole-web counts after the last crawl.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Totals {
    /// Pages in the layout (every one is fetched at least once).
    pub pages: u64,
    /// Registrable domains.
    pub domains: u64,
    /// Hosts.
    pub hosts: u64,
    /// Link observations written over all crawls.
    pub link_observations: u64,
    /// Link identities ever seen (live or lost).
    pub links_total: u64,
    /// Live link identities.
    pub links_live: u64,
    /// Lost now, as `removed`.
    pub lost_removed: u64,
    /// Lost now, as `broken`.
    pub lost_broken: u64,
    /// Lost now, as `redirect`.
    pub lost_redirect: u64,
    /// Bytes of all WARC files.
    pub bytes: u64,
}

/// Backlink facts of one target.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TargetTruth {
    /// URL (exact) or registrable domain (domain, subdomains).
    pub target: String,
    /// `exact`, `domain` or `subdomains` (as the API's `mode`).
    pub mode: String,
    /// Live backlinks.
    pub live_backlinks: u64,
    /// Backlinks ever (live or lost).
    pub total_backlinks: u64,
    /// Live backlinks that pass authority (not nofollow/ugc/sponsored).
    pub live_followed: u64,
    /// Registrable domains with a live backlink.
    pub live_refdomains: u64,
    /// Live backlinks from other registrable domains (what the API's tables count).
    pub live_external_backlinks: u64,
    /// Of those, the ones with `rel=nofollow`.
    pub live_external_nofollow: u64,
    /// Other registrable domains with a live backlink.
    pub live_external_refdomains: u64,
    /// Registrable domains with any backlink, live or lost.
    pub total_refdomains: u64,
    /// Lost now, as `removed`.
    pub lost_removed: u64,
    /// Lost now, as `broken`.
    pub lost_broken: u64,
    /// Lost now, as `redirect`.
    pub lost_redirect: u64,
    /// New and lost backlink events per crawl day.
    pub events: Vec<DayEvents>,
}

/// Link events of one day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DayEvents {
    /// `YYYY-MM-DD`.
    pub date: String,
    /// New links.
    pub new: u64,
    /// Lost links.
    pub lost: u64,
}

/// One link and its history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkTruth {
    /// Referring page.
    pub from: String,
    /// Target.
    pub to: String,
    /// `href` or `redirect`.
    pub link_type: String,
    /// Anchor text (empty for image and redirect links).
    pub anchor: String,
    /// rel=nofollow.
    pub nofollow: bool,
    /// On the page at the page's first visit (and never lost since).
    pub original: bool,
    /// When it was (last) first seen.
    pub first_seen: String,
    /// Last visit that saw it.
    pub last_visited: String,
    /// The visit that saw it before that.
    pub prev_visited: Option<String>,
    /// When it was lost.
    pub lost_at: Option<String>,
    /// `removed`, `broken` or `redirect`.
    pub lost_reason: Option<String>,
}

/// Sitewide links after the last crawl.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SitewideTruth {
    /// Live links flagged sitewide.
    pub live_links: u64,
    /// (host, target) pairs that are sitewide.
    pub pairs_total: u64,
    /// The pairs (the first [`crate::MAX_SITEWIDE_PAIRS`]).
    pub pairs: Vec<SitewidePair>,
}

/// One sitewide (host, target) pair.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SitewidePair {
    /// Referring host.
    pub host: String,
    /// Target URL.
    pub target: String,
    /// Pages of the host with a live link to it.
    pub pages: u64,
    /// Pages of the host whose last answer was 2xx.
    pub host_pages_2xx: u64,
    /// Live links from the host to it.
    pub links: u64,
}

/// A domain's raw PageRank.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DomainScore {
    /// Registrable domain.
    pub domain: String,
    /// PageRank (the scores sum to 1).
    pub score: f64,
}
