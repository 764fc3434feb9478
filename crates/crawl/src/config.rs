//! What a crawl is told: seeds, scope, limits, politeness, safety and where to write.

use std::path::PathBuf;
use std::time::Duration;

use hrefdex_url::NormalUrl;

use crate::dns::ResolveOverride;
use crate::scope::Scope;

/// The User-Agent sent when none is given: the product token robots.txt rules match
/// (`hrefdex`), a version, and a contact URL, as polite crawlers do.
pub const DEFAULT_USER_AGENT: &str = concat!(
    "hrefdex/",
    env!("CARGO_PKG_VERSION"),
    " (+https://example.invalid/hrefdex/crawler)"
);

/// Largest body read from one response; the rest is not fetched and the record is
/// marked `WARC-Truncated: length`.
pub const DEFAULT_MAX_BODY_BYTES: usize = 2 * 1024 * 1024;

/// Time limit of one fetch (connect, headers and body).
pub const DEFAULT_FETCH_TIMEOUT: Duration = Duration::from_secs(30);

/// WARC files are rotated at this size.
pub const DEFAULT_WARC_MAX_BYTES: u64 = 1 << 30;

/// URLs admitted per host and round (a trap that slips past the URL rules stops here).
pub const DEFAULT_PER_HOST_CAP: u32 = 10_000;

/// Redirect hops followed from one page before the chain is dropped.
pub const MAX_REDIRECT_HOPS: u32 = 10;

/// Attempts of a URL that answers 429 or 503.
pub const MAX_ATTEMPTS: u32 = 3;

/// Everything a crawl needs to know.
#[derive(Debug, Clone)]
pub struct CrawlConfig {
    /// Where the crawl starts.
    pub seeds: Vec<NormalUrl>,
    /// How far from the seeds it may go.
    pub scope: Scope,
    /// Pages fetched by this run at most (`None`: until the frontier is empty).
    pub max_pages: Option<u64>,
    /// Links from a seed at most.
    pub max_depth: u32,
    /// Fetches in flight at once, over all hosts.
    pub concurrency: usize,
    /// Time between two requests to one host (robots.txt `Crawl-delay` may raise it).
    pub per_host_delay: Duration,
    /// Requests in flight to one host (and pooled connections per host).
    pub per_host_connections: u32,
    /// URLs admitted per host and round.
    pub per_host_cap: u32,
    /// User-Agent header; its first word is the robots.txt product token.
    pub user_agent: String,
    /// Time limit of one fetch.
    pub fetch_timeout: Duration,
    /// Largest body read.
    pub max_body_bytes: usize,
    /// Connect to private, loopback, link-local and multicast addresses too.
    pub allow_private: bool,
    /// `--resolve` overrides.
    pub resolve: Vec<ResolveOverride>,
    /// Where WARC files are written.
    pub warc_dir: PathBuf,
    /// Where the crawl journal lives.
    pub state_dir: PathBuf,
    /// Rotation size of WARC files.
    pub warc_max_bytes: u64,
    /// Hand finished WARC files to the checkpoint hook every this many pages.
    pub checkpoint_every: Option<u64>,
    /// DR (0–100) by registrable domain, from the index once one exists: within one
    /// depth, URLs found on higher-rated domains are fetched first.
    pub source_ratings: std::collections::HashMap<String, u8>,
}

impl CrawlConfig {
    /// A configuration with the defaults, writing under `warc_dir` and `state_dir`.
    pub fn new(seeds: Vec<NormalUrl>, warc_dir: PathBuf, state_dir: PathBuf) -> CrawlConfig {
        CrawlConfig {
            seeds,
            scope: Scope::Domains,
            max_pages: None,
            max_depth: 8,
            concurrency: 32,
            per_host_delay: Duration::from_secs(1),
            per_host_connections: 1,
            per_host_cap: DEFAULT_PER_HOST_CAP,
            user_agent: DEFAULT_USER_AGENT.to_owned(),
            fetch_timeout: DEFAULT_FETCH_TIMEOUT,
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            allow_private: false,
            resolve: Vec::new(),
            warc_dir,
            state_dir,
            warc_max_bytes: DEFAULT_WARC_MAX_BYTES,
            checkpoint_every: None,
            source_ratings: std::collections::HashMap::new(),
        }
    }
}
