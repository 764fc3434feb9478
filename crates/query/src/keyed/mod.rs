//! Target lookups on the sorted tables, read through a sparse key index.
//!
//! Every v2 request names one target, and every stored table is sorted by the key a
//! target selects (`links_in` by `to_key`, `links_out` by `from_key`, `pages` by
//! `url_key`, …). [`KeyedTable`] is such a table as a DataFusion table provider whose scan
//! returns only the rows of the current request's target: it finds the pages that can
//! hold them in a [`sparse::SparseIndex`] (binary search over the key column's page
//! bounds), reads only those with the Parquet reader, and drops the rows outside the
//! target's key ranges.
//!
//! The target is not part of the plan: the scan reads it from [`TargetKeys`], an
//! extension of the session configuration set per request. So a plan is the same for
//! every target of the same request shape, and the engine plans each shape once (see
//! [`crate::plans`]).

mod exec;
mod mapped;
mod sparse;

use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use datafusion::arrow::datatypes::SchemaRef;
use datafusion::catalog::Session;
use datafusion::datasource::{TableProvider, TableType};
use datafusion::error::{DataFusionError, Result};
use datafusion::logical_expr::Expr;
use datafusion::parquet::arrow::arrow_reader::{ArrowReaderMetadata, ArrowReaderOptions};
use datafusion::parquet::file::metadata::PageIndexPolicy;
use datafusion::physical_plan::ExecutionPlan;
use hrefdex_api::Request;
use hrefdex_index::store::heads::head_key;
use hrefdex_url::{KeyRange, registrable_domain};

pub(crate) use exec::TargetScanExec;
use mapped::MappedFile;
use sparse::SparseIndex;

/// The keys of the request being answered, for the [`KeyedTable`] scans of its plan:
/// the target's key ranges and its registrable domain, each as ranges
/// `lower <= key < upper`. Set as a session configuration extension.
#[derive(Debug)]
pub(crate) struct TargetKeys {
    ranges: Vec<(String, String)>,
    domain: Vec<(String, String)>,
    head: Vec<(String, String)>,
}

/// Which key of the target a [`KeyedTable`] is sorted by.
#[derive(Debug, Clone, Copy)]
pub(crate) enum KeyKind {
    /// The target's key ranges (`to_key`, `from_key`, `url_key`).
    Target,
    /// The target's registrable domain (`domains.domain`).
    Domain,
    /// The key of the target's head (`links_head.head`, see
    /// [`hrefdex_index::store::heads`]).
    Head,
}

impl TargetKeys {
    /// The keys of `request`'s target (none for a request without one: its scans read
    /// nothing).
    pub(crate) fn new(request: &Request) -> TargetKeys {
        let target_ranges = request.key_ranges();
        let ranges = target_ranges
            .iter()
            .map(|r| (r.lower().to_owned(), r.upper_exclusive()))
            .collect();
        let domain = request
            .target
            .as_ref()
            .map(|t| KeyRange::Exact(registrable_domain(t.host()).to_owned()))
            .map(|r| (r.lower().to_owned(), r.upper_exclusive()))
            .into_iter()
            .collect();
        let head = (!target_ranges.is_empty())
            .then(|| KeyRange::Exact(head_key(&target_ranges)))
            .map(|r| (r.lower().to_owned(), r.upper_exclusive()))
            .into_iter()
            .collect();
        TargetKeys {
            ranges,
            domain,
            head,
        }
    }

    pub(crate) fn ranges(&self, kind: KeyKind) -> &[(String, String)] {
        match kind {
            KeyKind::Target => &self.ranges,
            KeyKind::Domain => &self.domain,
            KeyKind::Head => &self.head,
        }
    }
}

/// The virtual last column of every target table: each row's position in the table
/// (file number × 2^40 + row in the file), for reading chosen rows again ([`RowIds`]).
pub(crate) const ROW_ID: &str = "__row";

/// The position [`ROW_ID`] gives row `row` of file `file`.
fn row_id(file: usize, row: u64) -> u64 {
    ((file as u64) << 40) | row
}

/// Rows to read from one target table instead of the target's key ranges: positions
/// from its [`ROW_ID`] column, ascending. Set as a session configuration extension for
/// the second pass of a late-materialised lookup.
#[derive(Debug)]
pub(crate) struct RowIds {
    /// The target table's name in plans.
    pub(crate) table: String,
    /// The rows, ascending.
    pub(crate) ids: Vec<u64>,
}

/// A stored table sorted by `key`, scanned for the current request's target only.
#[derive(Debug)]
pub(crate) struct KeyedTable {
    name: String,
    /// The stored columns and [`ROW_ID`].
    schema: SchemaRef,
    /// The stored columns.
    stored: SchemaRef,
    /// Position of the key column in `schema`.
    key: usize,
    kind: KeyKind,
    files: Vec<LazyFile>,
}

impl KeyedTable {
    /// The table made of `files` (each sorted by `key`, which holds keys of `kind`),
    /// named `name` in plans.
    pub(crate) fn new(
        name: String,
        schema: SchemaRef,
        (key, kind): (&str, KeyKind),
        files: &[PathBuf],
    ) -> Result<KeyedTable> {
        let key = schema.index_of(key)?;
        let mut fields: Vec<_> = schema.fields().iter().cloned().collect();
        fields.push(Arc::new(datafusion::arrow::datatypes::Field::new(
            ROW_ID,
            datafusion::arrow::datatypes::DataType::UInt64,
            false,
        )));
        Ok(KeyedTable {
            name,
            stored: schema,
            schema: Arc::new(datafusion::arrow::datatypes::Schema::new(fields)),
            key,
            kind,
            files: files.iter().map(|p| LazyFile::new(p.clone())).collect(),
        })
    }

    /// The name this table has in plans.
    pub(crate) fn name(&self) -> &str {
        &self.name
    }

    /// The rows of the table's file when it has exactly one (`None` otherwise): the
    /// positions [`RowIds`] can name are then `0..rows`.
    pub(crate) fn single_file_rows(&self) -> Result<Option<u64>> {
        match self.files.as_slice() {
            [file] => {
                let opened = file.open(&self.stored, self.key)?;
                Ok(Some(
                    opened
                        .index
                        .row_group_rows()
                        .iter()
                        .map(|&r| r as u64)
                        .sum(),
                ))
            }
            _ => Ok(None),
        }
    }

    /// Whether the table's files store `column` (a column of the table's schema that a
    /// file lacks reads as nulls). Asks the first file, opening it if need be; a table
    /// without files stores nothing.
    pub(crate) fn stores(&self, column: &str) -> Result<bool> {
        let at = self.stored.index_of(column)?;
        match self.files.first() {
            Some(file) => Ok(file.open(&self.stored, self.key)?.columns[at].is_some()),
            None => Ok(false),
        }
    }

    /// Every file, opened (each once per engine snapshot).
    fn open_files(&self) -> Result<Vec<Arc<KeyedFile>>> {
        self.files
            .iter()
            .map(|f| f.open(&self.stored, self.key))
            .collect()
    }

    /// An upper bound of the target's rows: those of the pages its keys can be in.
    pub(crate) fn estimated_rows(&self, keys: &TargetKeys) -> Result<usize> {
        Ok(self
            .open_files()?
            .iter()
            .filter_map(|f| f.index.select(keys.ranges(self.kind)))
            .map(|s| s.selected_rows)
            .sum())
    }
}

#[async_trait]
impl TableProvider for KeyedTable {
    fn schema(&self) -> SchemaRef {
        SchemaRef::clone(&self.schema)
    }

    fn table_type(&self) -> TableType {
        TableType::Base
    }

    async fn scan(
        &self,
        _state: &dyn Session,
        projection: Option<&Vec<usize>>,
        _filters: &[Expr],
        _limit: Option<usize>,
    ) -> Result<Arc<dyn ExecutionPlan>> {
        let projection = match projection {
            Some(p) => p.clone(),
            None => (0..self.schema.fields().len()).collect(),
        };
        let files = self.open_files()?;
        Ok(Arc::new(TargetScanExec::new(
            &self.schema,
            &self.name,
            (self.key, self.kind),
            projection,
            files,
        )?))
    }
}

/// A file opened on first use: a 10M-row table's footer and page index take tens of
/// milliseconds to parse, paid once per snapshot rather than at registration.
#[derive(Debug)]
struct LazyFile {
    path: PathBuf,
    opened: Mutex<Option<Arc<KeyedFile>>>,
}

impl LazyFile {
    fn new(path: PathBuf) -> LazyFile {
        LazyFile {
            path,
            opened: Mutex::new(None),
        }
    }

    fn open(&self, schema: &SchemaRef, key: usize) -> Result<Arc<KeyedFile>> {
        // A panic while holding the lock leaves at worst an unopened file.
        let mut opened = self
            .opened
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(file) = opened.as_ref() {
            return Ok(Arc::clone(file));
        }
        let file = Arc::new(KeyedFile::open(&self.path, schema, key)?);
        *opened = Some(Arc::clone(&file));
        Ok(file)
    }
}

/// One open Parquet file of a keyed table: its parsed metadata (with the page index, so
/// that the reader skips unselected pages), its sparse key index, and where each column
/// of the table lives in it.
#[derive(Debug)]
pub(crate) struct KeyedFile {
    path: PathBuf,
    file: MappedFile,
    metadata: ArrowReaderMetadata,
    index: SparseIndex,
    /// For each column of the table, its position in the file (`None`: a column added
    /// after the file was written, read as nulls).
    columns: Vec<Option<usize>>,
}

impl KeyedFile {
    fn open(path: &Path, schema: &SchemaRef, key: usize) -> Result<KeyedFile> {
        let context = |e: &dyn std::fmt::Display| {
            DataFusionError::Execution(format!("opening {}: {e}", path.display()))
        };
        let file = File::open(path)
            .and_then(|f| MappedFile::new(&f))
            .map_err(|e| context(&e))?;
        let options = ArrowReaderOptions::new().with_page_index_policy(PageIndexPolicy::Optional);
        let metadata = ArrowReaderMetadata::load(&file, options).map_err(|e| context(&e))?;
        let columns: Vec<Option<usize>> = schema
            .fields()
            .iter()
            .map(|f| metadata.schema().index_of(f.name()).ok())
            .collect();
        let key_leaf = columns[key]
            .ok_or_else(|| context(&format!("no key column {}", schema.field(key).name())))?;
        // Stored tables are flat: a column's root index is its leaf index.
        let index = SparseIndex::new(metadata.metadata(), key_leaf);
        Ok(KeyedFile {
            path: path.to_owned(),
            file,
            metadata,
            index,
            columns,
        })
    }
}
