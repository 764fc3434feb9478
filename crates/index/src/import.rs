//! `import`: archives → observations → merge → ratings → one new index version.
//!
//! Every file is checked readable before anything changes. Extraction runs in parallel
//! across files; the batch merges into the latest committed state under the import lock,
//! sitewide flags and DR/UR are recomputed, and the result commits as one index version.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::Instant;

use hrefdex_extract::{ExtractStats, PageObservation, PageSink, SinkError, extract_files};
use hrefdex_rank::RankError;
use serde::Serialize;
use thiserror::Error;

use crate::batch::{Batch, BatchLink, BatchTables};
use crate::from_extract::{Unusable, visit_from_observation};
use crate::merge::{MergeError, MergeSummary};
use crate::store::serialize::Ranks;
use crate::store::{Index, IndexVersion, StoreError};
use crate::visit::PageVisit;

/// Why an import did not commit.
#[derive(Debug, Error)]
pub enum ImportError {
    /// An input file cannot be read.
    #[error("cannot read {path}: {source}")]
    Input {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// Nothing to import.
    #[error("no input files")]
    NoInput,
    /// Extraction stopped.
    #[error(transparent)]
    Extract(#[from] SinkError),
    /// The batch cannot be merged.
    #[error(transparent)]
    Merge(#[from] MergeError),
    /// Ratings failed.
    #[error("ratings: {0}")]
    Rank(#[from] RankError),
    /// Storage failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Told about progress; called from several threads.
pub trait Progress: Sync {
    /// A new phase starts (`extract`, `load`, `merge`, `ratings`, `order`, `write`).
    fn phase(&self, name: &'static str);
    /// One more page extracted.
    fn page(&self);
}

/// Progress that goes nowhere.
pub struct Quiet;

impl Progress for Quiet {
    fn phase(&self, _: &'static str) {}
    fn page(&self) {}
}

/// What an import did.
#[derive(Debug, Serialize)]
pub struct ImportReport {
    /// The version committed.
    pub version: IndexVersion,
    /// Extraction statistics (records, pages, links, skipped records and why).
    pub extract: ExtractStats,
    /// Observations that could not become visits, by reason.
    pub unusable: BTreeMap<Unusable, u64>,
    /// What the merge did.
    pub merge: MergeSummary,
    /// Links in the index after the import (live or lost).
    pub links_total: u64,
    /// Wall-clock seconds.
    pub seconds: f64,
    /// Wall-clock seconds per phase, in order (`extract`, `load`, `merge`, `ratings`,
    /// `order`, `write`).
    pub phases: Vec<(&'static str, f64)>,
}

/// Times consecutive phases and tells the progress display when each starts.
struct Phases<'a> {
    progress: &'a dyn Progress,
    done: Vec<(&'static str, f64)>,
    current: Option<(&'static str, Instant)>,
}

impl<'a> Phases<'a> {
    fn new(progress: &'a dyn Progress) -> Self {
        Phases {
            progress,
            done: Vec::new(),
            current: None,
        }
    }

    fn start(&mut self, name: &'static str) {
        self.finish_current();
        self.progress.phase(name);
        self.current = Some((name, Instant::now()));
    }

    fn finish_current(&mut self) {
        if let Some((name, at)) = self.current.take() {
            self.done.push((name, at.elapsed().as_secs_f64()));
        }
    }

    fn finish(mut self) -> Vec<(&'static str, f64)> {
        self.finish_current();
        self.done
    }
}

/// What the extraction threads stage: the visits, and how many observations could not
/// become one, by reason.
type Staged = (Vec<PageVisit<BatchLink>>, BTreeMap<Unusable, u64>);

struct VisitSink<'a> {
    visits: Mutex<Staged>,
    tables: BatchTables,
    progress: &'a dyn Progress,
}

impl PageSink for VisitSink<'_> {
    fn page(&self, page: PageObservation) -> Result<(), SinkError> {
        let converted = visit_from_observation(page, &self.tables);
        let mut guard = self
            .visits
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        match converted {
            Ok(v) => guard.0.push(v),
            Err(why) => *guard.1.entry(why).or_default() += 1,
        }
        drop(guard);
        self.progress.page();
        Ok(())
    }
}

/// Imports archive files into the index as one new version.
pub fn import(
    index: &Index,
    files: &[PathBuf],
    threads: usize,
    progress: &dyn Progress,
) -> Result<ImportReport, ImportError> {
    let started = Instant::now();
    if files.is_empty() {
        return Err(ImportError::NoInput);
    }
    for path in files {
        std::fs::File::open(path).map_err(|source| ImportError::Input {
            path: path.clone(),
            source,
        })?;
    }
    let _lock = index.lock()?;
    let mut phases = Phases::new(progress);

    phases.start("extract");
    let sink = VisitSink {
        visits: Mutex::new((Vec::new(), BTreeMap::new())),
        tables: BatchTables::default(),
        progress,
    };
    let extract = extract_files(files, threads, &sink)?;
    let (visits, unusable) = sink
        .visits
        .into_inner()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let batch = Batch {
        tables: sink.tables.freeze(),
        visits,
    };

    phases.start("load");
    let base = index.resolve(None)?;
    let mut state = index.load_state_with_room(base.as_ref(), batch.room())?;
    phases.start("merge");
    let merge = state.merge_batch(batch)?;

    // The texts of links the batch did not see again, left in the index by the load.
    phases.start("texts");
    index.read_stored_texts(&mut state)?;

    phases.start("ratings");
    state.compute_ratings()?;

    phases.start("order");
    let ranks = Ranks::new(&state);

    phases.start("write");
    let summary = serde_json::json!({
        "files": files.iter().map(|f| f.display().to_string()).collect::<Vec<_>>(),
        "merge": &merge,
    });
    let version = index.commit_ranked(&state, &ranks, &summary)?;
    Ok(ImportReport {
        version,
        extract,
        unusable,
        merge,
        links_total: state.links.len() as u64,
        seconds: started.elapsed().as_secs_f64(),
        phases: phases.finish(),
    })
}
