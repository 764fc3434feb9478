//! Errors of the crawler: the ones that stop a crawl. Per-page failures are not errors
//! of the crawl; they are counted by kind in [`crate::CrawlStats`].

use std::path::PathBuf;

use thiserror::Error;

/// Why a crawl could not start or had to stop.
#[derive(Debug, Error)]
pub enum CrawlError {
    /// A flag or seed is not usable.
    #[error("invalid configuration: {0}")]
    Config(String),
    /// The frontier journal cannot be read or written.
    #[error("crawl journal {path}: {source}")]
    Journal {
        /// The journal file.
        path: PathBuf,
        /// The error.
        source: std::io::Error,
    },
    /// A directory the crawl writes into cannot be created.
    #[error("creating {path}: {source}")]
    CreateDir {
        /// The directory.
        path: PathBuf,
        /// The error.
        source: std::io::Error,
    },
    /// Another crawl holds the state directory's lock.
    #[error("another crawl is running with state in {0} (its lock is held)")]
    Busy(PathBuf),
    /// Writing the WARC output failed.
    #[error(transparent)]
    Warc(#[from] hrefdex_warc::WarcError),
    /// The async runtime could not start.
    #[error("starting the async runtime: {0}")]
    Runtime(#[source] std::io::Error),
    /// The HTTP client could not be built.
    #[error("building the HTTP client: {0}")]
    Client(#[source] reqwest::Error),
    /// The checkpoint hook (e.g. the periodic import) failed.
    #[error("checkpoint: {0}")]
    Checkpoint(String),
}
