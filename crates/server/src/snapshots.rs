//! The index version that answers requests, and the task that keeps it current.
//!
//! Opening a version reads the index's Delta log, which blocks; it is done on a blocking
//! thread, every `refresh_interval`, by [`refresh_forever`]. Requests read the current
//! snapshot without waiting. A new import is therefore served within one interval, and a
//! request that started on the old version finishes on it (it holds its own `Arc`).
//! Requests with `as_of` open their version on a blocking thread; the engine caches the
//! last few versions.

use std::sync::{Arc, RwLock};
use std::time::Duration;

use hrefdex_api::request::AsOf;
use hrefdex_query::{Engine, QueryError, Snapshot};

use crate::metrics::Metrics;

/// The engine and its current snapshot.
#[derive(Debug)]
pub struct Snapshots {
    engine: Arc<Engine>,
    current: RwLock<Option<Arc<Snapshot>>>,
}

/// Why no snapshot could be had.
#[derive(Debug, thiserror::Error)]
pub enum SnapshotError {
    /// The engine failed (or the index has no version yet).
    #[error(transparent)]
    Query(#[from] QueryError),
    /// The blocking thread panicked or was cancelled.
    #[error("blocking task: {0}")]
    Join(#[from] tokio::task::JoinError),
}

impl Snapshots {
    /// Wraps an engine; nothing is read until the first refresh or request.
    pub fn new(engine: Engine) -> Snapshots {
        Snapshots {
            engine: Arc::new(engine),
            current: RwLock::new(None),
        }
    }

    /// The snapshot for a request: the current one, or the `as_of` version.
    pub async fn get(&self, as_of: Option<AsOf>) -> Result<Arc<Snapshot>, SnapshotError> {
        if as_of.is_none()
            && let Some(current) = self.current()
        {
            return Ok(current);
        }
        let engine = Arc::clone(&self.engine);
        let snapshot = tokio::task::spawn_blocking(move || engine.snapshot(as_of)).await??;
        if as_of.is_none() {
            self.set(Arc::clone(&snapshot));
        }
        Ok(snapshot)
    }

    /// Re-reads the latest version; returns its number.
    pub async fn refresh(&self) -> Result<u64, SnapshotError> {
        let engine = Arc::clone(&self.engine);
        let latest = tokio::task::spawn_blocking(move || engine.latest()).await??;
        let version = latest.version.version;
        self.set(latest);
        Ok(version)
    }

    fn current(&self) -> Option<Arc<Snapshot>> {
        self.current
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    fn set(&self, snapshot: Arc<Snapshot>) {
        let mut current = self
            .current
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let newer = current
            .as_ref()
            .is_none_or(|c| c.version.version < snapshot.version.version);
        if newer {
            *current = Some(snapshot);
        }
    }

    /// The current version's number, if one is loaded.
    pub fn version(&self) -> Option<u64> {
        self.current().map(|s| s.version.version)
    }
}

/// Refreshes `snapshots` every `interval` until the task is dropped.
pub async fn refresh_forever(snapshots: Arc<Snapshots>, metrics: Arc<Metrics>, interval: Duration) {
    let mut ticker = tokio::time::interval(interval);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut last_error = String::new();
    loop {
        ticker.tick().await;
        match snapshots.refresh().await {
            Ok(version) => {
                metrics.index_version(i64::try_from(version).unwrap_or(i64::MAX));
                last_error.clear();
            }
            Err(e) => {
                let text = e.to_string();
                if text != last_error {
                    tracing::warn!("index refresh: {text}");
                    last_error = text;
                }
            }
        }
    }
}
