//! Record source → extractor → observation sink, parallel across files.
//!
//! ```text
//!  paths ──rayon──► RecordReader (one per file) ──par_bridge──► observe_record
//!                                                                  │
//!                            ExtractStats (merged) ◄───────────────┼──► PageSink::page
//! ```
//!
//! Within one file, records are framed and decompressed by one thread and parsed
//! by all threads of the pool, so a single large archive also uses every core.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use rayon::prelude::*;
use serde::Serialize;

use crate::observation::PageObservation;
use crate::page::{Outcome, observe_record};
use crate::record::{Record, RecordError, RecordReader, SkipReason};

/// Most skipped-record reports kept in [`ExtractStats::skipped_records`].
pub const MAX_REPORTED_SKIPS: usize = 1000;

/// An error returned by a sink; it stops the extraction of that file.
#[derive(Debug, thiserror::Error)]
#[error("observation sink failed: {0}")]
pub struct SinkError(#[from] pub Box<dyn std::error::Error + Send + Sync>);

/// Where page observations go. Called from several threads at once.
///
/// The implementation must be cheap or hand work off (a channel, a buffered
/// writer behind a mutex); returning an error stops the extraction.
pub trait PageSink: Sync {
    /// Receives one page with its links.
    fn page(&self, page: PageObservation) -> Result<(), SinkError>;
}

impl<F> PageSink for F
where
    F: Fn(PageObservation) -> Result<(), SinkError> + Sync,
{
    fn page(&self, page: PageObservation) -> Result<(), SinkError> {
        self(page)
    }
}

/// A sink that keeps every page in memory (tests, small inputs).
#[derive(Debug, Default)]
pub struct CollectSink {
    pages: Mutex<Vec<PageObservation>>,
}

impl CollectSink {
    /// An empty sink.
    pub fn new() -> Self {
        Self::default()
    }

    /// The pages received, in arrival order.
    pub fn into_pages(self) -> Vec<PageObservation> {
        self.pages
            .into_inner()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

impl PageSink for CollectSink {
    fn page(&self, page: PageObservation) -> Result<(), SinkError> {
        self.pages
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push(page);
        Ok(())
    }
}

/// A record that was skipped, with its file.
#[derive(Clone, Debug, Serialize)]
pub struct SkippedRecord {
    /// Archive file.
    pub file: String,
    /// Why and where.
    #[serde(flatten)]
    pub error: RecordError,
}

/// Summary of one extraction.
#[derive(Clone, Debug, Default, Serialize)]
pub struct ExtractStats {
    /// Files read (opened, even if some records were bad).
    pub files: u64,
    /// Files that could not be opened: (path, error).
    pub files_failed: Vec<(String, String)>,
    /// File bytes read (compressed size).
    pub bytes_read: u64,
    /// Records read, by `WARC-Type`.
    pub records: BTreeMap<String, u64>,
    /// Page observations produced.
    pub pages: u64,
    /// Pages that were parsed as HTML.
    pub html_pages: u64,
    /// Link observations produced.
    pub links: u64,
    /// Record block bytes read (uncompressed).
    pub block_bytes: u64,
    /// Payload bytes of pages (after HTTP decoding).
    pub payload_bytes: u64,
    /// Skipped records by reason.
    pub skipped: BTreeMap<SkipReason, u64>,
    /// The first [`MAX_REPORTED_SKIPS`] skipped records with file and offset.
    pub skipped_records: Vec<SkippedRecord>,
}

impl ExtractStats {
    /// Total records read (excluding skipped ones).
    pub fn total_records(&self) -> u64 {
        self.records.values().sum()
    }

    /// Total skipped records.
    pub fn total_skipped(&self) -> u64 {
        self.skipped.values().sum()
    }

    /// Adds `other` into `self`.
    pub fn merge(&mut self, other: ExtractStats) {
        self.files += other.files;
        self.files_failed.extend(other.files_failed);
        self.bytes_read += other.bytes_read;
        for (k, v) in other.records {
            *self.records.entry(k).or_default() += v;
        }
        self.pages += other.pages;
        self.html_pages += other.html_pages;
        self.links += other.links;
        self.block_bytes += other.block_bytes;
        self.payload_bytes += other.payload_bytes;
        for (k, v) in other.skipped {
            *self.skipped.entry(k).or_default() += v;
        }
        let room = MAX_REPORTED_SKIPS.saturating_sub(self.skipped_records.len());
        self.skipped_records
            .extend(other.skipped_records.into_iter().take(room));
    }

    fn skip(&mut self, file: &str, error: RecordError) {
        *self.skipped.entry(error.reason).or_default() += 1;
        if self.skipped_records.len() < MAX_REPORTED_SKIPS {
            self.skipped_records.push(SkippedRecord {
                file: file.to_owned(),
                error,
            });
        }
    }

    fn record(&mut self, name: &str, rec: &Record, sink: &dyn PageSink) -> Result<(), SinkError> {
        *self
            .records
            .entry(rec.kind.as_str().to_owned())
            .or_default() += 1;
        self.block_bytes += rec.block.len() as u64;
        match observe_record(rec, name) {
            Outcome::Page(page) => {
                self.pages += 1;
                self.payload_bytes += page.page_size;
                if !page.encoding.is_empty() {
                    self.html_pages += 1;
                }
                self.links += page.links.len() as u64;
                sink.page(*page)
            }
            Outcome::NotPage => Ok(()),
            Outcome::Skipped(reason, detail) => {
                self.skip(
                    name,
                    RecordError {
                        reason,
                        offset: rec.offset,
                        uncompressed_offset: rec.uncompressed_offset,
                        detail,
                    },
                );
                Ok(())
            }
        }
    }
}

/// Extracts every record of one archive read from `reader`, on the calling thread.
/// `name` is used in observations and error reports.
pub fn extract_reader<R: Read>(
    name: &str,
    reader: R,
    sink: &dyn PageSink,
) -> Result<ExtractStats, SinkError> {
    let mut stats = ExtractStats {
        files: 1,
        ..ExtractStats::default()
    };
    let mut records = match RecordReader::new(reader) {
        Ok(r) => r,
        Err(e) => {
            stats.files = 0;
            stats.files_failed.push((name.to_owned(), e.to_string()));
            return Ok(stats);
        }
    };
    while let Some(item) = records.next() {
        match item {
            Ok(rec) => {
                stats.record(name, &rec, sink)?;
                records.recycle(rec);
            }
            Err(e) => stats.skip(name, e),
        }
    }
    stats.bytes_read = records.bytes_read();
    Ok(stats)
}

/// Extracts one archive file using the current rayon pool: one thread reads and
/// decompresses, the others parse.
pub fn extract_file_parallel(path: &Path, sink: &dyn PageSink) -> Result<ExtractStats, SinkError> {
    let name = path.to_string_lossy().into_owned();
    let mut base = ExtractStats::default();
    let file = match File::open(path) {
        Ok(f) => f,
        Err(e) => {
            base.files_failed.push((name, e.to_string()));
            return Ok(base);
        }
    };
    let records = match RecordReader::new(file) {
        Ok(r) => r,
        Err(e) => {
            base.files_failed.push((name, e.to_string()));
            return Ok(base);
        }
    };
    base.files = 1;
    let reader = Mutex::new(records);
    let iter = ReaderIter(&reader);
    let stats = iter
        .par_bridge()
        .try_fold(ExtractStats::default, |mut st, item| {
            match item {
                Ok(rec) => {
                    st.record(&name, &rec, sink)?;
                    // Never wait for the reader (it may be decompressing).
                    if let Ok(mut r) = reader.try_lock() {
                        r.recycle(rec);
                    }
                }
                Err(e) => st.skip(&name, e),
            }
            Ok::<_, SinkError>(st)
        })
        .try_reduce(ExtractStats::default, |mut a, b| {
            a.merge(b);
            Ok(a)
        })?;
    base.merge(stats);
    base.bytes_read = reader
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .bytes_read();
    // Skipped records arrive out of order from the workers; report them in file order.
    base.skipped_records
        .sort_by_key(|s| s.error.uncompressed_offset);
    Ok(base)
}

/// Borrowing iterator over a shared reader (so its byte count is readable after).
struct ReaderIter<'a, R>(&'a Mutex<RecordReader<R>>);

impl<R: Read> Iterator for ReaderIter<'_, R> {
    type Item = Result<Record, RecordError>;
    fn next(&mut self) -> Option<Self::Item> {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .next()
    }
}

/// Extracts all `paths` with `threads` worker threads (0 = one per core), sending
/// every page to `sink`, and returns the merged statistics. Files that cannot be
/// opened are listed in [`ExtractStats::files_failed`]; bad records are counted
/// and skipped. Only a sink error stops the run.
///
/// With `threads == 1` everything runs on the calling thread.
pub fn extract_files<P: AsRef<Path> + Sync>(
    paths: &[P],
    threads: usize,
    sink: &dyn PageSink,
) -> Result<ExtractStats, SinkError> {
    if threads == 1 {
        let mut total = ExtractStats::default();
        for p in paths {
            let p = p.as_ref();
            let name = p.to_string_lossy().into_owned();
            match File::open(p) {
                Ok(f) => total.merge(extract_reader(&name, f, sink)?),
                Err(e) => total.files_failed.push((name, e.to_string())),
            }
        }
        return Ok(total);
    }
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|e| SinkError(Box::new(e)))?;
    pool.install(|| {
        paths
            .par_iter()
            .map(|p| extract_file_parallel(p.as_ref(), sink))
            .try_reduce(ExtractStats::default, |mut a, b| {
                a.merge(b);
                Ok(a)
            })
    })
}

/// Convenience: every path in `paths` as a `PathBuf` list sorted by size, largest
/// first (so the longest file starts first when running in parallel).
pub fn order_by_size(mut paths: Vec<PathBuf>) -> Vec<PathBuf> {
    paths.sort_by_key(|p| std::cmp::Reverse(std::fs::metadata(p).map(|m| m.len()).unwrap_or(0)));
    paths
}
