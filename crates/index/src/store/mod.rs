//! The index on disk: five Delta tables and a manifest under one root directory.
//!
//! ```text
//! <root>/links_in/      every link, sorted by target key (inbound tables)
//! <root>/links_out/     every link, sorted by referring key (outbound tables)
//! <root>/pages/         crawled pages
//! <root>/domains/       registrable domains with DR
//! <root>/link_events/   new/lost link events
//! <root>/links_head/    the first backlinks of each large target (see [`heads`])
//! <root>/manifest/      one row per index version: the version of each table above
//! <root>/keywords/      imported search rankings (outside the versioned index)
//! <root>/.lock          held by a running import
//! ```
//!
//! **Commit protocol.** A build writes each data table as a new Delta version (a full,
//! sorted rewrite), then appends one row to `manifest` naming those versions. The
//! manifest commit is the index's commit point: readers resolve an index version through
//! the manifest and open every table at the version it names, so they see the old index
//! or the new one, never a mix. A build killed before the manifest commit leaves table
//! versions nobody points to; the next build simply writes over them.

mod ahead;
mod delta;
pub mod heads;
pub mod restore;
pub mod schema;
pub mod serialize;

use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use deltalake::arrow::array::{
    Array, Int64Array, RecordBatch, StringArray, TimestampMicrosecondArray,
};
use deltalake::arrow::datatypes::{Schema, SchemaRef};
use serde::Serialize;
use thiserror::Error;

use crate::state::IndexState;

/// The data tables every index version has, in commit order.
pub const TABLES: [&str; 5] = ["links_in", "links_out", "pages", "domains", "link_events"];

/// The heads of large targets ([`heads`]): written with every version since it was added
/// (older versions have none, and their lookups take the general path).
pub const LINKS_HEAD: &str = "links_head";

/// A storage failure, with the path or table it concerns.
#[derive(Debug, Error)]
pub enum StoreError {
    /// A filesystem error.
    #[error("{path}: {source}")]
    Io {
        /// The path.
        path: PathBuf,
        /// The error.
        source: std::io::Error,
    },
    /// A Delta Lake error.
    #[error("delta: {0}")]
    Delta(#[from] deltalake::DeltaTableError),
    /// A Parquet error.
    #[error("parquet: {0}")]
    Parquet(#[from] deltalake::parquet::errors::ParquetError),
    /// An Arrow error.
    #[error("arrow: {0}")]
    Arrow(#[from] deltalake::arrow::error::ArrowError),
    /// Stored data that does not have the shape this version writes.
    #[error("table {table} is corrupt: {detail}")]
    Corrupt {
        /// The table.
        table: &'static str,
        /// What is wrong.
        detail: String,
    },
    /// Another import holds the index lock.
    #[error("another import is running on {0} (it holds {0}/.lock)")]
    Locked(PathBuf),
    /// The requested version does not exist.
    #[error("no index version matches {0}")]
    NoSuchVersion(String),
    /// The async runtime could not start.
    #[error("runtime: {0}")]
    Runtime(std::io::Error),
    /// A loaded state about to be written before the texts its load left in the index
    /// were read back ([`Index::read_stored_texts`]): the write would lose them.
    #[error("the loaded links' texts were not read back before the write")]
    TextsNotRead,
}

impl StoreError {
    fn io(path: &Path, source: std::io::Error) -> StoreError {
        StoreError::Io {
            path: path.to_owned(),
            source,
        }
    }
}

/// Which index version to read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AsOf {
    /// An index version number.
    Version(u64),
    /// The last version committed at or before this moment (seconds since the epoch).
    Time(i64),
}

/// One committed index version.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IndexVersion {
    /// The index version (the manifest's Delta version).
    pub version: u64,
    /// Commit time, seconds since the epoch.
    pub committed_at: i64,
    /// Delta version of each table in [`TABLES`] order.
    pub tables: [u64; 5],
    /// Delta version of [`LINKS_HEAD`] (`None` for versions written before it existed).
    pub links_head: Option<u64>,
    /// What the build did (JSON).
    pub summary: serde_json::Value,
}

impl IndexVersion {
    /// The Delta version of a data table.
    pub fn table_version(&self, table: &str) -> Option<u64> {
        if table == LINKS_HEAD {
            return self.links_head;
        }
        TABLES
            .iter()
            .position(|t| *t == table)
            .map(|i| self.tables[i])
    }
}

/// Size of one table at one version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TableStats {
    /// Table name.
    pub table: &'static str,
    /// Delta version.
    pub version: u64,
    /// Rows.
    pub rows: u64,
    /// Bytes of Parquet data.
    pub bytes: u64,
    /// Number of files.
    pub files: usize,
}

/// An index root directory.
#[derive(Debug)]
pub struct Index {
    root: PathBuf,
    /// Which targets get a head at the next commit.
    heads: heads::HeadOptions,
    /// Drives `deltalake`'s async API for this synchronous one. Always `Some` until drop.
    rt: Option<tokio::runtime::Runtime>,
}

impl Drop for Index {
    /// Shuts the runtime down without blocking, so that an `Index` may be dropped
    /// anywhere, inside a server's async tasks included.
    fn drop(&mut self) {
        if let Some(rt) = self.rt.take() {
            rt.shutdown_background();
        }
    }
}

/// Held while an import runs; released on drop (and by the OS if the process dies).
#[derive(Debug)]
pub struct ImportLock {
    _file: File,
}

/// Aborts the process at a named point when `HREFDEX_FAIL_AT` names it: crash injection
/// for the commit protocol's tests (an abort leaves files exactly as `kill -9` would).
pub fn fail_point(name: &str) {
    if std::env::var("HREFDEX_FAIL_AT").is_ok_and(|v| v == name) {
        eprintln!("hrefdex: fail point {name} reached, aborting");
        std::process::abort();
    }
}

impl Index {
    /// Opens (creating the directory if needed) an index root.
    pub fn open(root: impl Into<PathBuf>) -> Result<Index, StoreError> {
        let root = root.into();
        std::fs::create_dir_all(&root).map_err(|e| StoreError::io(&root, e))?;
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(StoreError::Runtime)?;
        Ok(Index {
            root,
            heads: heads::HeadOptions::default(),
            rt: Some(rt),
        })
    }

    /// This index, writing heads as `options` say at its next commits (tests use small
    /// ones on small webs).
    pub fn with_heads(mut self, options: heads::HeadOptions) -> Index {
        self.heads = options;
        self
    }

    /// Runs one of `deltalake`'s futures to completion on this index's runtime.
    fn block_on<F: std::future::Future>(&self, future: F) -> F::Output {
        match &self.rt {
            Some(rt) => rt.block_on(future),
            None => unreachable!("the runtime is only taken on drop"),
        }
    }

    /// The root directory.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The directory of a table.
    pub fn table_path(&self, table: &str) -> PathBuf {
        self.root.join(table)
    }

    /// Takes the import lock, failing at once if another import holds it.
    pub fn lock(&self) -> Result<ImportLock, StoreError> {
        let path = self.root.join(".lock");
        let file = File::options()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|e| StoreError::io(&path, e))?;
        match file.try_lock() {
            Ok(()) => Ok(ImportLock { _file: file }),
            Err(std::fs::TryLockError::WouldBlock) => Err(StoreError::Locked(self.root.clone())),
            Err(std::fs::TryLockError::Error(e)) => Err(StoreError::io(&path, e)),
        }
    }

    /// Replaces a table outside the manifest (one Delta commit); returns its new version.
    pub(crate) fn overwrite_table(
        &self,
        table: &str,
        schema: &SchemaRef,
        batches: Vec<RecordBatch>,
    ) -> Result<u64, StoreError> {
        self.block_on(delta::overwrite(
            &self.table_path(table),
            schema,
            batches.into_iter().map(Ok),
        ))
    }

    /// The data files of a table's latest version, `None` when the table does not exist.
    pub(crate) fn latest_files(&self, table: &str) -> Result<Option<Vec<PathBuf>>, StoreError> {
        let path = self.table_path(table);
        if !delta::exists(&path) {
            return Ok(None);
        }
        match self.block_on(delta::latest_version(&path))? {
            Some(v) => Ok(Some(self.block_on(delta::files(&path, v))?)),
            None => Ok(None),
        }
    }

    /// Every committed version, oldest first.
    pub fn versions(&self) -> Result<Vec<IndexVersion>, StoreError> {
        let path = self.table_path("manifest");
        let Some(latest) = self.block_on(delta::latest_version(&path))? else {
            return Ok(Vec::new());
        };
        let batches = self.block_on(delta::read(&path, latest))?;
        let mut out = Vec::new();
        for b in &batches {
            let col = |name: &str| -> Result<&Int64Array, StoreError> {
                b.column_by_name(name)
                    .and_then(|c| c.as_any().downcast_ref::<Int64Array>())
                    .ok_or(StoreError::Corrupt {
                        table: "manifest",
                        detail: format!("column {name}"),
                    })
            };
            let at = b
                .column_by_name("committed_at")
                .and_then(|c| c.as_any().downcast_ref::<TimestampMicrosecondArray>())
                .ok_or(StoreError::Corrupt {
                    table: "manifest",
                    detail: "column committed_at".into(),
                })?;
            let summary = b
                .column_by_name("summary")
                .and_then(|c| c.as_any().downcast_ref::<StringArray>())
                .ok_or(StoreError::Corrupt {
                    table: "manifest",
                    detail: "column summary".into(),
                })?;
            let version = col("index_version")?;
            let tables: Vec<&Int64Array> =
                TABLES.iter().map(|t| col(t)).collect::<Result<_, _>>()?;
            let head = b
                .column_by_name(LINKS_HEAD)
                .and_then(|c| c.as_any().downcast_ref::<Int64Array>());
            for i in 0..b.num_rows() {
                let v = |a: &Int64Array| u64::try_from(a.value(i)).unwrap_or(0);
                out.push(IndexVersion {
                    version: v(version),
                    committed_at: at.value(i).div_euclid(1_000_000),
                    tables: [
                        v(tables[0]),
                        v(tables[1]),
                        v(tables[2]),
                        v(tables[3]),
                        v(tables[4]),
                    ],
                    links_head: head
                        .filter(|h| h.is_valid(i))
                        .map(|h| u64::try_from(h.value(i)).unwrap_or(0)),
                    summary: serde_json::from_str(summary.value(i))
                        .unwrap_or(serde_json::Value::Null),
                });
            }
        }
        out.sort_by_key(|v| v.version);
        Ok(out)
    }

    /// The version a reader should use: the latest, or the one `as_of` names.
    pub fn resolve(&self, as_of: Option<AsOf>) -> Result<Option<IndexVersion>, StoreError> {
        let versions = self.versions()?;
        match as_of {
            None => Ok(versions.into_iter().next_back()),
            Some(AsOf::Version(v)) => versions
                .into_iter()
                .find(|x| x.version == v)
                .map(Some)
                .ok_or_else(|| StoreError::NoSuchVersion(format!("version {v}"))),
            Some(AsOf::Time(t)) => versions
                .into_iter()
                .rfind(|x| x.committed_at <= t)
                .map(Some)
                .ok_or_else(|| {
                    StoreError::NoSuchVersion(format!(
                        "a commit at or before {}",
                        crate::time::format(t)
                    ))
                }),
        }
    }

    /// Reads one data table at the version an index version names.
    pub fn read_table(
        &self,
        version: &IndexVersion,
        table: &str,
    ) -> Result<Vec<RecordBatch>, StoreError> {
        let mut batches = Vec::new();
        self.for_each_batch(
            version,
            table,
            |_| None,
            |b| {
                batches.push(b);
                Ok(())
            },
        )?;
        Ok(batches)
    }

    /// The data files of one table at an index version (for query engines).
    pub fn table_files(
        &self,
        version: &IndexVersion,
        table: &str,
    ) -> Result<Vec<PathBuf>, StoreError> {
        let v = version
            .table_version(table)
            .ok_or_else(|| StoreError::NoSuchVersion(format!("table {table}")))?;
        self.block_on(delta::files(&self.table_path(table), v))
    }

    /// The state of an index version (empty when there is none yet).
    pub fn load_state(&self, version: Option<&IndexVersion>) -> Result<IndexState, StoreError> {
        self.load_state_with_room(version, crate::Room::default())
    }

    /// [`Index::load_state`] with `room` left at the end of the link and event tables
    /// for the batch about to be merged ([`crate::Batch::room`]).
    pub fn load_state_with_room(
        &self,
        version: Option<&IndexVersion>,
        room: crate::Room,
    ) -> Result<IndexState, StoreError> {
        let Some(v) = version else {
            return Ok(IndexState::default());
        };
        // Table by table and batch by batch: decoded whole, `links_in` alone took
        // several gigabytes at 10M links, most of a load's time going to fresh pages.
        let mut restorer = restore::Restorer::new(u32::try_from(v.version + 1).unwrap_or(u32::MAX));
        let rows = |table: &str| -> Result<u64, StoreError> {
            let version = v
                .table_version(table)
                .ok_or_else(|| StoreError::NoSuchVersion(format!("table {table}")))?;
            let (rows, _, _) = self.block_on(delta::size(&self.table_path(table), version))?;
            Ok(rows)
        };
        restorer.reserve(
            rows("pages")?,
            rows("links_in")?,
            rows("link_events")?,
            room,
        );
        self.for_each_batch(v, "pages", |_| None, |b| restorer.pages(&b))?;
        // The links' texts stay in these files until the write needs them.
        let links_in = self.table_files(v, "links_in")?;
        delta::for_each_file_batch(
            links_in.clone(),
            |file| Some(restore::link_columns(file)),
            |b| restorer.links(&b),
        )?;
        self.for_each_batch(v, "link_events", |_| None, |b| restorer.events(&b))?;
        self.for_each_batch(v, "domains", |_| None, |b| restorer.domains(&b))?;
        let mut state = restorer.finish();
        state.stored_texts = Some(links_in);
        Ok(state)
    }

    /// Reads back the texts a load left in the index ([`crate::LinkTexts::stored`]) for
    /// the links that still have them: those the merge did not see again. Returns how
    /// many it read. A re-import sees most links again and replaces their texts, so
    /// reading every link's texts on load, as earlier builds did, read mostly texts about
    /// to be dropped (docs/perf-log.md, "Loading an index: texts left on disk").
    ///
    /// Must run before `state` is written, while the version it was loaded from is still
    /// on disk; [`Index::commit`] refuses a state that still has stored texts. On an
    /// error the state keeps those it could not read, and the commit its refusal.
    pub fn read_stored_texts(&self, state: &mut IndexState) -> Result<usize, StoreError> {
        let Some(files) = state.stored_texts.clone() else {
            return Ok(0);
        };
        let mut wanted: Vec<(u32, u32)> = state
            .links
            .iter()
            .enumerate()
            .filter_map(|(id, link)| Some((link.texts.stored_row()?, u32::try_from(id).ok()?)))
            .collect();
        wanted.sort_unstable();
        let rows: Vec<u32> = wanted.iter().map(|&(row, _)| row).collect();
        let mut read = 0usize;
        delta::for_each_selected_row(&files, &restore::TEXT_COLUMNS, &rows, |batch| {
            let column = |name: &str| {
                batch
                    .column_by_name(name)
                    .and_then(|c| c.as_any().downcast_ref::<StringArray>())
                    .ok_or_else(|| StoreError::Corrupt {
                        table: "links_in",
                        detail: format!("column {name} missing or of the wrong type"),
                    })
            };
            let [pre, post, alt] = restore::TEXT_COLUMNS.map(column);
            let (pre, post, alt) = (pre?, post?, alt?);
            for i in 0..batch.num_rows() {
                let Some(&(_, id)) = wanted.get(read) else {
                    break;
                };
                state.links[id as usize].texts =
                    crate::LinkTexts::new(pre.value(i), post.value(i), alt.value(i));
                read += 1;
            }
            Ok(())
        })?;
        if read < wanted.len() {
            return Err(StoreError::Corrupt {
                table: "links_in",
                detail: format!(
                    "row {} of the loaded version is gone from its files",
                    rows[read]
                ),
            });
        }
        state.stored_texts = None;
        Ok(read)
    }

    /// Hands one data table of an index version to `each`, a record batch at a time, with
    /// the columns `columns` picks from each file's schema (`None`: all).
    fn for_each_batch(
        &self,
        version: &IndexVersion,
        table: &str,
        columns: impl Fn(&Schema) -> Option<Vec<&'static str>> + Send,
        each: impl FnMut(RecordBatch) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        let v = version
            .table_version(table)
            .ok_or_else(|| StoreError::NoSuchVersion(format!("table {table}")))?;
        self.block_on(delta::for_each_batch(
            &self.table_path(table),
            v,
            columns,
            each,
        ))
    }

    /// Writes every data table of `state` as a new Delta version of its own; returns those
    /// versions in [`TABLES`] order, and the version of [`LINKS_HEAD`].
    ///
    /// Tables are independent until the manifest names them, so they are written in
    /// parallel, one per core, largest first: serialising and compressing three link
    /// tables is most of an import's write time.
    fn write_tables(
        &self,
        state: &IndexState,
        ranks: &serialize::Ranks,
    ) -> Result<([u64; 5], u64), StoreError> {
        /// Indexes into [`TABLES`] (5 is [`LINKS_HEAD`]), largest table first.
        const LARGEST_FIRST: [usize; 6] = [0, 1, 4, 2, 5, 3];
        let next = AtomicUsize::new(0);
        let workers = std::thread::available_parallelism()
            .map_or(1, std::num::NonZeroUsize::get)
            .min(LARGEST_FIRST.len());
        let write = || -> Result<Vec<(usize, u64)>, StoreError> {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|e| StoreError::io(&self.root, e))?;
            let mut written = Vec::new();
            while let Some(&i) = LARGEST_FIRST.get(next.fetch_add(1, Ordering::Relaxed)) {
                let table = TABLES.get(i).copied().unwrap_or(LINKS_HEAD);
                let heads;
                let (schema, batches): (&SchemaRef, serialize::Batches<'_>) = match table {
                    "links_in" => (&schema::LINKS, serialize::links_in(state, ranks)),
                    "links_out" => (&schema::LINKS_OUT, serialize::links_out(state, ranks)),
                    "pages" => (&schema::PAGES, serialize::pages(state, ranks)),
                    "domains" => (&schema::DOMAINS, serialize::domains(state)),
                    LINKS_HEAD => {
                        heads = heads::heads(state, &ranks.links_in, &ranks.link_row, self.heads);
                        (
                            &schema::LINKS_HEAD,
                            serialize::links_head(state, ranks, &heads),
                        )
                    }
                    _ => (&schema::LINK_EVENTS, serialize::link_events(state, ranks)),
                };
                fail_point(&format!("before:{table}"));
                // One batch ahead: gathering a batch from all over the state and
                // encoding the one before it run side by side.
                let version = ahead::produced_ahead(batches, 1, |batches| {
                    rt.block_on(delta::overwrite(&self.table_path(table), schema, batches))
                })?;
                fail_point(&format!("after:{table}"));
                written.push((i, version));
            }
            Ok(written)
        };
        let results: Vec<Result<Vec<(usize, u64)>, StoreError>> = std::thread::scope(|scope| {
            let handles: Vec<_> = (0..workers).map(|_| scope.spawn(write)).collect();
            handles
                .into_iter()
                .map(|h| {
                    h.join()
                        .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
                })
                .collect()
        });
        let (mut tables, mut head) = ([0u64; 5], 0);
        for result in results {
            for (i, version) in result? {
                match tables.get_mut(i) {
                    Some(table) => *table = version,
                    None => head = version,
                }
            }
        }
        Ok((tables, head))
    }

    /// Writes `state` as the next index version (see the module docs for the protocol).
    pub fn commit(
        &self,
        state: &IndexState,
        summary: &serde_json::Value,
    ) -> Result<IndexVersion, StoreError> {
        self.commit_ranked(state, &serialize::Ranks::new(state), summary)
    }

    /// [`Index::commit`] with the rows' order already computed (`ranks` must be
    /// `Ranks::new(state)`): an import times the ordering as a phase of its own.
    pub fn commit_ranked(
        &self,
        state: &IndexState,
        ranks: &serialize::Ranks,
        summary: &serde_json::Value,
    ) -> Result<IndexVersion, StoreError> {
        debug_assert_eq!(
            ranks.link_row.len(),
            state.links.len(),
            "ranks of another state"
        );
        if state.stored_texts.is_some() {
            return Err(StoreError::TextsNotRead);
        }
        let next = self.versions()?.last().map_or(0, |v| v.version + 1);
        let (tables, links_head) = self.write_tables(state, ranks)?;
        let committed_at = chrono::Utc::now().timestamp();
        let row = RecordBatch::try_new(
            SchemaRef::clone(&schema::MANIFEST),
            vec![
                Arc::new(Int64Array::from(vec![
                    i64::try_from(next).unwrap_or(i64::MAX),
                ])),
                Arc::new(
                    TimestampMicrosecondArray::from(vec![committed_at * 1_000_000])
                        .with_timezone("UTC"),
                ),
                Arc::new(Int64Array::from(vec![
                    i64::try_from(tables[0]).unwrap_or(i64::MAX),
                ])),
                Arc::new(Int64Array::from(vec![
                    i64::try_from(tables[1]).unwrap_or(i64::MAX),
                ])),
                Arc::new(Int64Array::from(vec![
                    i64::try_from(tables[2]).unwrap_or(i64::MAX),
                ])),
                Arc::new(Int64Array::from(vec![
                    i64::try_from(tables[3]).unwrap_or(i64::MAX),
                ])),
                Arc::new(Int64Array::from(vec![
                    i64::try_from(tables[4]).unwrap_or(i64::MAX),
                ])),
                Arc::new(StringArray::from(vec![summary.to_string()])),
                Arc::new(Int64Array::from(vec![
                    i64::try_from(links_head).unwrap_or(i64::MAX),
                ])),
            ],
        )?;
        fail_point("before:manifest");
        // The index version lives in the row; the manifest's own Delta version is one
        // higher (creating a Delta table is its version 0).
        self.block_on(delta::append(
            &self.table_path("manifest"),
            &schema::MANIFEST,
            vec![row],
        ))?;
        fail_point("after:manifest");
        Ok(IndexVersion {
            version: next,
            committed_at,
            tables,
            links_head: Some(links_head),
            summary: summary.clone(),
        })
    }

    /// Rows, bytes and files of every table at an index version.
    pub fn stats(&self, version: &IndexVersion) -> Result<Vec<TableStats>, StoreError> {
        TABLES
            .iter()
            .copied()
            .chain(version.links_head.map(|_| LINKS_HEAD))
            .map(|table| {
                let v = version.table_version(table).unwrap_or(0);
                let (rows, bytes, files) =
                    self.block_on(delta::size(&self.table_path(table), v))?;
                Ok(TableStats {
                    table,
                    version: v,
                    rows,
                    bytes,
                    files,
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests;
