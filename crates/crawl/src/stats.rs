//! What a crawl counts, and the hook through which the caller sees it: progress, and
//! checkpoints where finished WARC files are handed over (the CLI imports them).

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// Counts of a crawl run.
#[derive(Debug, Clone)]
pub struct CrawlStats {
    /// When the run started.
    pub started: Instant,
    /// Responses archived (pages, redirects, errors pages, non-HTML files, sitemaps).
    pub pages: u64,
    /// robots.txt files fetched.
    pub robots: u64,
    /// Body bytes archived.
    pub bytes: u64,
    /// Responses by HTTP status.
    pub statuses: BTreeMap<u16, u64>,
    /// Fetches that failed, by kind (`timeout`, `connect`, `dns`, `blocked`, …).
    pub errors: BTreeMap<String, u64>,
    /// URLs not fetched, by reason (`robots`, `scope`, `depth`, `trap:calendar`, …).
    pub skipped: BTreeMap<String, u64>,
    /// Responses cut at the body limit.
    pub truncated: u64,
    /// Retries after 429/503.
    pub retries: u64,
    /// URLs waiting in the frontier.
    pub queued: usize,
    /// Fetches in flight.
    pub in_flight: usize,
    /// WARC files written by this run.
    pub warc_files: Vec<PathBuf>,
    /// The round (1 for the first crawl, +1 for each re-crawl).
    pub round: u64,
    /// The round's frontier ran empty (the crawl is complete).
    pub round_ended: bool,
}

impl CrawlStats {
    /// Zero counts, started now.
    pub fn new() -> CrawlStats {
        CrawlStats {
            started: Instant::now(),
            pages: 0,
            robots: 0,
            bytes: 0,
            statuses: BTreeMap::new(),
            errors: BTreeMap::new(),
            skipped: BTreeMap::new(),
            truncated: 0,
            retries: 0,
            queued: 0,
            in_flight: 0,
            warc_files: Vec::new(),
            round: 0,
            round_ended: false,
        }
    }

    /// Pages per second since the start.
    pub fn pages_per_second(&self) -> f64 {
        let s = self.started.elapsed().as_secs_f64();
        if s > 0.0 { self.pages as f64 / s } else { 0.0 }
    }

    /// Time since the start.
    pub fn elapsed(&self) -> Duration {
        self.started.elapsed()
    }

    /// Failed fetches, all kinds.
    pub fn error_total(&self) -> u64 {
        self.errors.values().sum()
    }

    pub(crate) fn error(&mut self, kind: &str) {
        *self.errors.entry(kind.to_owned()).or_default() += 1;
    }

    pub(crate) fn skip(&mut self, reason: &str) {
        *self.skipped.entry(reason.to_owned()).or_default() += 1;
    }
}

impl Default for CrawlStats {
    fn default() -> Self {
        CrawlStats::new()
    }
}

/// The caller's side of a crawl.
pub trait CrawlObserver {
    /// Called a few times a second with the counts so far.
    fn progress(&mut self, _stats: &CrawlStats) {}

    /// Finished WARC files (closed, on disk) to hand over, e.g. to import them. Called
    /// every `checkpoint_every` pages and once at the end. Runs outside the crawler's
    /// async runtime (fetches in flight go on meanwhile), so it may block. An error
    /// stops the crawl; the files are offered again by the next run.
    fn checkpoint(&mut self, _files: &[PathBuf]) -> Result<(), String> {
        Ok(())
    }
}

/// An observer that ignores everything.
#[derive(Debug, Default)]
pub struct NoObserver;

impl CrawlObserver for NoObserver {}
