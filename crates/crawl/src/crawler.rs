//! The crawl loop: dispatch from the frontier, fetch in tasks, archive, follow links,
//! journal, and hand finished WARC files over at checkpoints.
//!
//! ```text
//! crawl(config, observer)
//!   restore (journal replay, or a new round) ─► Session
//!   loop { Session::run_until_checkpoint()  (async, on a tokio runtime)
//!          observer.checkpoint(files)       (outside the runtime: may block, e.g. import)
//!        } until the frontier is empty or --max-pages is reached
//! ```
//!
//! Fetch tasks do the network and the link extraction (both cores work); the loop owns
//! the frontier, the WARC writer and the journal, so none of them needs a lock.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use chrono::{Datelike, Utc};
use hrefdex_url::NormalUrl;
use hrefdex_warc::{RotatingWarcWriter, WriterOptions};
use tokio::sync::mpsc;

use crate::archive::{archive_failure, archive_response};
use crate::config::{CrawlConfig, MAX_ATTEMPTS, MAX_REDIRECT_HOPS};
use crate::error::CrawlError;
use crate::fetch::{FetchError, Fetched, Fetcher};
use crate::frontier::{Dispatch, EntryKind, Frontier, FrontierEntry, Politeness, Refused};
use crate::journal::{Journal, JournalState, lock_state_dir};
use crate::robots::{RobotsRules, product_token};
use crate::scope::ScopeFilter;
use crate::stats::{CrawlObserver, CrawlStats};
use crate::tasks::{Done, fetch_page, fetch_robots};
use crate::traps::{TrapFilter, strip_session_ids};

/// File name prefix of the crawler's WARC files.
pub const WARC_PREFIX: &str = "hrefdex-crawl";
/// Journal syncs at least this often while pages finish.
const SYNC_EVERY: Duration = Duration::from_millis(200);
/// Progress is reported at most this often.
const PROGRESS_EVERY: Duration = Duration::from_millis(250);

/// What one stretch of crawling ended with.
enum Step {
    Checkpoint,
    Finished,
}

/// Runs a crawl to its end (the frontier is empty, or `max_pages` pages were fetched),
/// resuming from the journal in `config.state_dir` when there is one.
pub fn crawl(
    config: CrawlConfig,
    observer: &mut dyn CrawlObserver,
) -> Result<CrawlStats, CrawlError> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(CrawlError::Runtime)?;
    let mut session = Session::open(config)?;
    loop {
        let step = runtime.block_on(session.run_until_checkpoint(observer))?;
        session.checkpoint(observer)?;
        if matches!(step, Step::Finished) {
            break;
        }
    }
    Ok(session.stats)
}

struct Session {
    /// Held for the session: one crawl per state directory (released by the OS when
    /// the process ends, also after kill -9).
    _lock: std::fs::File,
    config: CrawlConfig,
    fetcher: Fetcher,
    agent: String,
    frontier: Frontier,
    journal: Journal,
    handed_over: HashSet<PathBuf>,
    scope: ScopeFilter,
    traps: TrapFilter,
    warc: RotatingWarcWriter,
    stats: CrawlStats,
    started_pages: u64,
    pages_since_checkpoint: u64,
    tx: mpsc::UnboundedSender<Done>,
    rx: mpsc::UnboundedReceiver<Done>,
    in_flight: usize,
    last_sync: Instant,
    last_progress: Instant,
}

fn create_dir(path: &Path) -> Result<(), CrawlError> {
    std::fs::create_dir_all(path).map_err(|source| CrawlError::CreateDir {
        path: path.to_owned(),
        source,
    })
}

impl Session {
    fn open(config: CrawlConfig) -> Result<Session, CrawlError> {
        create_dir(&config.warc_dir)?;
        create_dir(&config.state_dir)?;
        let lock = lock_state_dir(&config.state_dir)?;
        let fetcher = Fetcher::new(&config)?;
        let (journal, state) = Journal::open(&config.state_dir.join("journal"))?;
        let now = Utc::now();
        let prefix = format!(
            "{WARC_PREFIX}-{}-{}",
            now.format("%Y%m%d%H%M%S"),
            std::process::id()
        );
        let info = [
            (
                "software",
                concat!("hrefdex-crawl/", env!("CARGO_PKG_VERSION")),
            ),
            ("format", "WARC File Format 1.1"),
            ("http-header-user-agent", config.user_agent.as_str()),
            ("robots", "obey"),
        ];
        let warc = RotatingWarcWriter::new(
            &config.warc_dir,
            &prefix,
            config.warc_max_bytes,
            WriterOptions::default(),
            &info,
        );
        let (tx, rx) = mpsc::unbounded_channel();
        let politeness = Politeness {
            per_host_delay: config.per_host_delay,
            per_host_connections: config.per_host_connections.max(1),
            per_host_cap: config.per_host_cap,
        };
        let mut session = Session {
            _lock: lock,
            agent: product_token(&config.user_agent),
            fetcher,
            frontier: {
                let mut f = Frontier::new(politeness);
                f.set_source_ratings(config.source_ratings.clone());
                f
            },
            journal,
            handed_over: HashSet::new(),
            scope: ScopeFilter::new(config.scope, &config.seeds),
            traps: TrapFilter::new(now.year()),
            warc,
            stats: CrawlStats::new(),
            started_pages: 0,
            pages_since_checkpoint: 0,
            tx,
            rx,
            in_flight: 0,
            last_sync: Instant::now(),
            last_progress: Instant::now(),
            config,
        };
        session.restore(state)?;
        Ok(session)
    }

    /// Rebuilds the frontier from the journal, or starts a (new) round.
    fn restore(&mut self, state: JournalState) -> Result<(), CrawlError> {
        let now = Instant::now();
        self.handed_over = state.handed_over.clone();
        let revisit: Vec<FrontierEntry> = if state.round == 0 || state.round_ended {
            let round = state.round + 1;
            self.journal.start_round(round, &self.handed_over)?;
            self.stats.round = round;
            state.finished_pages().cloned().collect()
        } else {
            self.stats.round = state.round;
            for e in &state.queued {
                if e.depth == 0 {
                    self.scope.add_seed(&e.url);
                }
                let _ = self.traps.admit(&e.url);
            }
            for e in &state.queued {
                if state.finished.contains(e.url.as_str()) {
                    self.frontier.mark_seen(&e.url);
                } else {
                    // Queued before the crash: already in the journal.
                    let _ = self.frontier.push(e.clone(), now);
                }
            }
            Vec::new()
        };
        let seeds: Vec<FrontierEntry> = self
            .config
            .seeds
            .iter()
            .map(|s| FrontierEntry::seed(s.clone()))
            .collect();
        for e in seeds.into_iter().chain(revisit) {
            self.admit(e, now);
        }
        self.journal.sync()
    }

    /// Queues a discovered URL if it passes the rules, and journals it.
    fn admit(&mut self, mut entry: FrontierEntry, now: Instant) {
        entry.url = strip_session_ids(&entry.url);
        if self.frontier.is_seen(&entry.url) {
            return;
        }
        if entry.depth > self.config.max_depth {
            self.stats.skip("depth");
            return;
        }
        if entry.depth > 0 && !self.scope.allows(&entry.url) {
            self.stats.skip("scope");
            return;
        }
        if let Err(kind) = self.traps.admit(&entry.url) {
            self.stats.skip(&format!("trap:{kind}"));
            return;
        }
        match self.frontier.push(entry.clone(), now) {
            Ok(()) => self.journal.queued(&entry),
            Err(Refused::HostCap) => self.stats.skip("host-cap"),
            Err(Refused::Seen) => {}
        }
    }

    fn budget_left(&self) -> bool {
        self.config.max_pages.is_none_or(|m| self.started_pages < m)
    }

    async fn run_until_checkpoint(
        &mut self,
        observer: &mut dyn CrawlObserver,
    ) -> Result<Step, CrawlError> {
        loop {
            self.dispatch()?;
            if self.in_flight == 0 && (self.frontier.is_empty() || !self.budget_left()) {
                if self.frontier.is_empty() {
                    self.journal.round_ended();
                    self.stats.round_ended = true;
                }
                self.refresh_counts();
                self.sync()?;
                return Ok(Step::Finished);
            }
            let wake = self
                .frontier
                .next_wake()
                .unwrap_or_else(|| Instant::now() + Duration::from_secs(1));
            let done = tokio::select! {
                done = self.rx.recv() => done,
                () = tokio::time::sleep_until(wake.into()) => None,
            };
            if let Some(done) = done {
                self.handle(done)?;
                while let Ok(done) = self.rx.try_recv() {
                    self.handle(done)?;
                }
            }
            if self.journal.has_pending() && self.last_sync.elapsed() >= SYNC_EVERY {
                self.sync()?;
            }
            if self.last_progress.elapsed() >= PROGRESS_EVERY {
                self.last_progress = Instant::now();
                self.refresh_counts();
                observer.progress(&self.stats);
            }
            if self
                .config
                .checkpoint_every
                .is_some_and(|n| self.pages_since_checkpoint >= n.max(1))
            {
                return Ok(Step::Checkpoint);
            }
        }
    }

    fn refresh_counts(&mut self) {
        self.stats.queued = self.frontier.len();
        self.stats.in_flight = self.in_flight;
    }

    /// WARC first, then the journal: a page the journal calls finished is on disk.
    fn sync(&mut self) -> Result<(), CrawlError> {
        self.warc.sync()?;
        self.journal.sync()?;
        self.last_sync = Instant::now();
        Ok(())
    }

    fn dispatch(&mut self) -> Result<(), CrawlError> {
        while self.in_flight < self.config.concurrency.max(1) && self.budget_left() {
            let now = Instant::now();
            let Some(d) = self.frontier.next_dispatch(now) else {
                break;
            };
            match d {
                Dispatch::Robots { host, origin } => self.spawn_robots(host, origin),
                Dispatch::Fetch { host, entry } => {
                    self.started_pages += 1;
                    self.spawn_page(host, entry);
                }
                Dispatch::Disallowed(entry) => {
                    self.stats.skip("robots");
                    self.journal.finished(&entry.url);
                }
            }
        }
        Ok(())
    }

    fn spawn_robots(&mut self, host: usize, origin: String) {
        self.in_flight += 1;
        let fetcher = self.fetcher.clone();
        let tx = self.tx.clone();
        tokio::spawn(async move {
            let (captures, error) = fetch_robots(&fetcher, &origin).await;
            let _ = tx.send(Done::Robots {
                host,
                captures,
                error,
            });
        });
    }

    fn spawn_page(&mut self, host: usize, entry: FrontierEntry) {
        self.in_flight += 1;
        let fetcher = self.fetcher.clone();
        let tx = self.tx.clone();
        tokio::spawn(async move {
            let result = fetch_page(&fetcher, &entry).await;
            let _ = tx.send(Done::Page {
                host,
                entry,
                result,
            });
        });
    }

    fn handle(&mut self, done: Done) -> Result<(), CrawlError> {
        self.in_flight = self.in_flight.saturating_sub(1);
        let now = Instant::now();
        match done {
            Done::Robots {
                host,
                captures,
                error,
            } => {
                let headers = self.fetcher.request_headers();
                for f in &captures {
                    archive_response(&mut self.warc, f, None, &headers)?;
                    self.stats.robots += 1;
                }
                let rules = match (captures.last(), &error) {
                    (Some(f), None) if !f.is_redirect() => {
                        RobotsRules::from_response(&self.agent, f.status, &f.body)
                    }
                    // A redirect chain too long: as if there were no file.
                    (Some(_), None) => RobotsRules::allow_all(),
                    _ => {
                        self.stats.error("robots-unreachable");
                        RobotsRules::unreachable()
                    }
                };
                self.frontier.robots_known(host, rules, now);
                for s in self.frontier.sitemaps(host) {
                    if let Ok(url) = NormalUrl::parse(&s) {
                        let mut e = FrontierEntry::seed(url);
                        e.kind = EntryKind::Sitemap;
                        e.via = "robots.txt".to_owned();
                        self.admit(e, now);
                    }
                }
            }
            Done::Page {
                host,
                entry,
                result,
            } => self.handle_page(host, entry, result, now)?,
        }
        Ok(())
    }

    fn handle_page(
        &mut self,
        host: usize,
        mut entry: FrontierEntry,
        result: Result<(Fetched, Vec<NormalUrl>), FetchError>,
        now: Instant,
    ) -> Result<(), CrawlError> {
        let (fetched, links) = match result {
            Err(e) => {
                self.frontier.finished(host, None, now);
                self.stats.error(e.kind());
                archive_failure(&mut self.warc, &entry, Utc::now(), e.kind(), &e.to_string())?;
                self.journal.finished(&entry.url);
                self.pages_since_checkpoint += 1;
                return Ok(());
            }
            Ok(ok) => ok,
        };
        let overloaded = matches!(fetched.status, 429 | 503);
        if overloaded && entry.retries + 1 < MAX_ATTEMPTS {
            self.frontier
                .finished(host, Some(fetched.retry_after()), now);
            self.stats.retries += 1;
            self.started_pages = self.started_pages.saturating_sub(1);
            entry.retries += 1;
            self.frontier.requeue(entry, now);
            return Ok(());
        }
        self.frontier
            .finished(host, overloaded.then(|| fetched.retry_after()), now);
        let headers = self.fetcher.request_headers();
        archive_response(&mut self.warc, &fetched, Some(&entry), &headers)?;
        self.journal.finished(&entry.url);
        self.stats.pages += 1;
        self.pages_since_checkpoint += 1;
        self.stats.bytes += fetched.body.len() as u64;
        *self.stats.statuses.entry(fetched.status).or_default() += 1;
        if fetched.truncated {
            self.stats.truncated += 1;
        }
        let redirect = fetched.is_redirect();
        if redirect && entry.hops >= MAX_REDIRECT_HOPS {
            self.stats.skip("redirect-hops");
            return Ok(());
        }
        for url in links {
            let next = FrontierEntry {
                kind: if entry.kind == EntryKind::Sitemap && is_sitemap_url(&url) {
                    EntryKind::Sitemap
                } else {
                    EntryKind::Page
                },
                depth: if redirect {
                    entry.depth
                } else {
                    entry.depth + 1
                },
                hops: if redirect { entry.hops + 1 } else { 0 },
                retries: 0,
                via: entry.url.as_str().to_owned(),
                url,
            };
            self.admit(next, now);
        }
        Ok(())
    }

    /// Closes the current WARC file and hands every file not yet handed over (also
    /// those of earlier, interrupted runs) to the observer; journals them when it
    /// accepts.
    fn checkpoint(&mut self, observer: &mut dyn CrawlObserver) -> Result<(), CrawlError> {
        self.pages_since_checkpoint = 0;
        self.warc.close_current()?;
        self.sync()?;
        let files = unhanded_warc_files(&self.config.warc_dir, &self.handed_over)?;
        for f in self.warc.files() {
            if !self.stats.warc_files.contains(f) {
                self.stats.warc_files.push(f.clone());
            }
        }
        if files.is_empty() {
            return Ok(());
        }
        observer
            .checkpoint(&files)
            .map_err(CrawlError::Checkpoint)?;
        self.journal.handed_over(&files);
        self.journal.sync()?;
        self.handed_over.extend(files);
        Ok(())
    }
}

/// The crawler's WARC files in `dir` that were not handed over yet, in name order
/// (also those of earlier, interrupted runs).
fn unhanded_warc_files(
    dir: &Path,
    handed_over: &HashSet<PathBuf>,
) -> Result<Vec<PathBuf>, CrawlError> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|source| CrawlError::CreateDir {
            path: dir.to_owned(),
            source,
        })?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with(WARC_PREFIX) && n.ends_with(".warc.gz"))
        })
        .filter(|p| !handed_over.contains(p))
        .collect();
    files.sort();
    Ok(files)
}

fn is_sitemap_url(url: &NormalUrl) -> bool {
    let path = url.path_and_query();
    let path = path.split('?').next().unwrap_or(path);
    path.ends_with(".xml") || path.ends_with(".xml.gz")
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn sitemap_urls_by_extension() {
        assert!(is_sitemap_url(
            &NormalUrl::parse("http://a.example/s/1.xml?x=1").unwrap()
        ));
        assert!(is_sitemap_url(
            &NormalUrl::parse("http://a.example/s.xml.gz").unwrap()
        ));
        assert!(!is_sitemap_url(
            &NormalUrl::parse("http://a.example/page").unwrap()
        ));
    }
}
