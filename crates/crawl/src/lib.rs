//! # hrefdex-crawl: a polite, resumable crawler that writes WARC
//!
//! One job: fetch pages from the web and archive them as standard gzip WARC/1.1, so
//! that they enter the index by exactly the path of any other web archive (DESIGN.md §1
//! step 1). No index, no DataFusion: the CLI imports the files this crate hands over.
//!
//! ```text
//! seeds ─► Frontier (per-host queues, depth priority, dedup in normal form)
//!            ▲   │ dispatch when robots.txt is known and the host's delay has passed
//!            │   ▼
//!   admit ◄─ links (hrefdex-extract) ◄─ Fetcher (reqwest, GuardedResolver, limits)
//!   scope, traps, caps                      │
//!            │                              ▼
//!            └──── Journal (fsync per batch) ◄── archive: response + request + metadata
//!                                                 ─► RotatingWarcWriter ─► <warc-dir>/*.warc.gz
//!                                                                              │
//!                                     CrawlObserver::checkpoint(files) ◄───────┘ (import)
//! ```
//!
//! - [`robots`], [`traps`], [`links`] and [`scope`] are pure rules, tested without a
//!   network; [`frontier`] and [`journal`] hold the state; [`fetch`] and [`dns`] talk
//!   to the network; [`crawler`] runs the loop (its fetch tasks live in `tasks.rs`).
//! - Entry point: [`crawl`] with a [`CrawlConfig`] and a [`CrawlObserver`].
//! - `test-web` (feature): [`testweb`], a multi-host web on 127.0.0.1 for tests and the
//!   benchmark.

pub mod archive;
pub mod config;
pub mod crawler;
pub mod dns;
mod error;
pub mod fetch;
pub mod frontier;
pub mod journal;
pub mod links;
pub mod robots;
pub mod scope;
mod stats;
mod tasks;
#[cfg(feature = "test-web")]
pub mod testweb;
pub mod traps;

pub use config::{CrawlConfig, DEFAULT_USER_AGENT};
pub use crawler::{WARC_PREFIX, crawl};
pub use dns::ResolveOverride;
pub use error::CrawlError;
pub use frontier::{Frontier, FrontierEntry};
pub use scope::Scope;
pub use stats::{CrawlObserver, CrawlStats, NoObserver};
