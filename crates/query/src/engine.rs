//! One index version registered in a DataFusion session.

use std::collections::HashSet;
use std::path::Path;
use std::sync::{Arc, Mutex};

use datafusion::arrow::datatypes::SchemaRef;
use datafusion::dataframe::DataFrame;
use datafusion::datasource::file_format::parquet::ParquetFormat;
use datafusion::datasource::listing::{
    ListingOptions, ListingTable, ListingTableConfig, ListingTableUrl,
};
use datafusion::datasource::{TableProvider, provider_as_source};
use datafusion::error::DataFusionError;
use datafusion::execution::runtime_env::RuntimeEnvBuilder;
use datafusion::logical_expr::LogicalPlanBuilder;
use datafusion::prelude::{SessionConfig, SessionContext};
use hrefdex_api::Request;
use hrefdex_api::encode::Answer;
use hrefdex_api::request::AsOf as ApiAsOf;
use hrefdex_index::store::LINKS_HEAD;
use hrefdex_index::store::schema;
use hrefdex_index::{AsOf, Index, IndexVersion, StoreError};
use thiserror::Error;

use crate::keyed::{KeyKind, KeyedTable, RowIds, TargetKeys};
use crate::plans::{MemoryBudget, PlanCache};
use crate::staged::{Stage, StagedTable};
use crate::tables;

/// Why a request could not be answered.
#[derive(Debug, Error)]
pub enum QueryError {
    /// The index has no committed version yet.
    #[error("the index has no committed version yet (run `hrefdex import` first)")]
    Empty,
    /// Storage failed (or the requested version does not exist).
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The query engine failed.
    #[error("query engine: {0}")]
    Engine(DataFusionError),
    /// The request needed more memory than its budget.
    #[error("memory budget exceeded: {0}")]
    MemoryBudget(String),
    /// Building an intermediate Arrow batch failed.
    #[error("arrow: {0}")]
    Arrow(#[from] datafusion::arrow::error::ArrowError),
    /// This table is not answered yet.
    #[error("table {0} is not answered yet")]
    NotYet(&'static str),
    /// The async runtime could not start.
    #[error("runtime: {0}")]
    Runtime(std::io::Error),
}

impl From<DataFusionError> for QueryError {
    fn from(e: DataFusionError) -> QueryError {
        match e.find_root() {
            DataFusionError::ResourcesExhausted(why) => QueryError::MemoryBudget(why.clone()),
            _ => QueryError::Engine(e),
        }
    }
}

/// Answers requests from one index.
///
/// Snapshots are cached by version: registering a version's tables happens once, and
/// later requests for the same version reuse its session (and DataFusion's metadata
/// caches). [`Engine::latest`] re-reads the manifest, so a newer import is picked up
/// without reopening the engine.
#[derive(Debug)]
pub struct Engine {
    index: Index,
    snapshots: Mutex<Vec<Arc<Snapshot>>>,
    late_rows: std::sync::atomic::AtomicUsize,
}

/// Above how many target rows (estimated from the page index) a lookup takes the plans
/// made for large targets: a row table reads its sort columns first and the other columns
/// for the answer's rows only, `metrics` groups the links before counting distinct values.
const LATE_ROWS: usize = 16_384;

/// Parquet footers and page indexes kept parsed in memory, per cached version. Every
/// lookup needs the footer of each table it reads; DataFusion's default (50 MiB) is
/// smaller than one link table's footer at 10M links, and a miss costs a full parse.
const METADATA_CACHE_BYTES: usize = 1 << 30;

/// How many versions' sessions the engine keeps (the latest and a few `as_of` ones).
const CACHED_SNAPSHOTS: usize = 4;

/// One index version, its tables registered for querying.
pub struct Snapshot {
    /// The version.
    pub version: IndexVersion,
    /// The session with `links_in`, `links_out`, `pages`, `domains`, `link_events`, and
    /// `keywords` once rankings were imported (the latest, whatever the version).
    pub ctx: SessionContext,
    /// The rankings files registered as `keywords`.
    keywords: Option<Vec<std::path::PathBuf>>,
    /// The sorted tables, read for one target through their sparse key index.
    keyed: Arc<Vec<(&'static str, Arc<KeyedTable>)>>,
    /// The staged tables, registered in `ctx` (see [`crate::staged`]).
    staged: Arc<Vec<Arc<StagedTable>>>,
    /// See [`Engine::set_late_materialisation_rows`].
    late_rows: usize,
    /// The key of every head in `links_head` (none for versions written before heads),
    /// so that a target without one costs no scan.
    heads: Arc<HashSet<String>>,
    /// Answers read from a head so far (see [`Snapshot::answers_from_heads`]).
    head_answers: Arc<std::sync::atomic::AtomicU64>,
}

impl std::fmt::Debug for Snapshot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Snapshot")
            .field("version", &self.version.version)
            .finish_non_exhaustive()
    }
}

impl Snapshot {
    /// Answers one request from this version. Runs on any Tokio runtime.
    pub async fn answer(&self, request: &Request) -> Result<Answer, QueryError> {
        tables::answer(&self.for_request(request, None), request).await
    }

    /// Answers one request, its sorts, groupings and joins holding at most
    /// `memory_budget` bytes ([`QueryError::MemoryBudget`] past it).
    pub async fn answer_within(
        &self,
        request: &Request,
        memory_budget: usize,
    ) -> Result<Answer, QueryError> {
        tables::answer(&self.for_request(request, Some(memory_budget)), request).await
    }

    /// This snapshot in a session whose target scans read `request`'s target.
    fn for_request(&self, request: &Request, memory_budget: Option<usize>) -> Snapshot {
        self.with_config(|config| {
            config.set_extension(Arc::new(TargetKeys::new(request)));
            config.set_extension(Arc::new(Stage::default()));
            if let Some(bytes) = memory_budget {
                config.set_extension(Arc::new(MemoryBudget(bytes)));
            }
        })
    }

    /// This request's snapshot, its scans of `table` reading the rows `ids` (positions
    /// from the table's `__row` column) instead of the target's key ranges.
    pub(crate) fn with_row_ids(&self, table: &str, ids: Vec<u64>) -> Result<Snapshot, QueryError> {
        let name = self.keyed_table(table)?.name().to_owned();
        Ok(self.with_config(|config| {
            config.set_extension(Arc::new(RowIds { table: name, ids }));
        }))
    }

    /// This snapshot in a session of its own, its configuration changed by `change`.
    fn with_config(&self, change: impl FnOnce(&mut SessionConfig)) -> Snapshot {
        let mut state = self.ctx.state();
        change(state.config_mut());
        Snapshot {
            version: self.version.clone(),
            ctx: SessionContext::new_with_state(state),
            keywords: self.keywords.clone(),
            keyed: Arc::clone(&self.keyed),
            staged: Arc::clone(&self.staged),
            late_rows: self.late_rows,
            heads: Arc::clone(&self.heads),
            head_answers: Arc::clone(&self.head_answers),
        }
    }

    /// A DataFrame of the staged table `table` whose rows, for this request, are
    /// `batches` (see [`crate::staged`]).
    pub(crate) async fn staged(
        &self,
        table: &str,
        batches: Vec<datafusion::arrow::record_batch::RecordBatch>,
    ) -> Result<DataFrame, QueryError> {
        let staged = self
            .staged
            .iter()
            .find(|t| t.name() == table)
            .ok_or_else(|| DataFusionError::Internal(format!("no staged table {table}")))?;
        let stage = self
            .ctx
            .state_ref()
            .read()
            .config()
            .get_extension::<Stage>()
            .ok_or_else(|| {
                DataFusionError::Internal(format!("{table} staged outside of a request"))
            })?;
        stage.put(staged, batches)?;
        Ok(self.ctx.table(table).await?)
    }

    /// Whether `link_events` carries the link columns inline (written by an older build)
    /// rather than naming each link by its `links_in` row.
    pub(crate) fn events_inline(&self) -> Result<bool, QueryError> {
        Ok(self.keyed_table("link_events")?.stores("url_from")?)
    }

    /// Whether `links_out` stores the snippets itself (written by an older build) rather
    /// than leaving them to `links_in`.
    pub(crate) fn out_snippets(&self) -> Result<bool, QueryError> {
        Ok(self.keyed_table("links_out")?.stores("text_pre")?)
    }

    /// Whether a row table over `table` answering `wanted` rows should read its sort
    /// columns first: the target is large and has many more rows than the answer.
    pub(crate) fn late_materialisation(
        &self,
        table: &str,
        wanted: usize,
    ) -> Result<bool, QueryError> {
        Ok(self
            .target_rows(table)?
            .is_some_and(|rows| rows > self.late_rows && rows > wanted.saturating_mul(4)))
    }

    /// Whether the target has more rows in `table` than [`Engine::set_late_materialisation_rows`]
    /// says are worth the plans made for large targets.
    pub(crate) fn large_target(&self, table: &str) -> Result<bool, QueryError> {
        Ok(self
            .target_rows(table)?
            .is_some_and(|rows| rows > self.late_rows))
    }

    /// The target's rows in `table`, estimated from the page index (`None`: the session
    /// has no target).
    fn target_rows(&self, table: &str) -> Result<Option<usize>, QueryError> {
        let Some(keys) = self
            .ctx
            .state_ref()
            .read()
            .config()
            .get_extension::<TargetKeys>()
        else {
            return Ok(None);
        };
        Ok(Some(self.keyed_table(table)?.estimated_rows(&keys)?))
    }

    /// How many answers this version has read from heads (`links_head`, see
    /// docs/query.md, "Heads") rather than from the target's rows in `links_in`.
    pub fn answers_from_heads(&self) -> u64 {
        self.head_answers.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Counts one answer read from a head.
    pub(crate) fn answered_from_head(&self) {
        self.head_answers
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }

    /// Whether this version has a head (`links_head`, see `tables::backlinks`) under `key`.
    pub(crate) fn has_head(&self, key: &str) -> bool {
        self.heads.contains(key)
    }

    pub(crate) fn keyed_table(&self, table: &str) -> Result<Arc<KeyedTable>, QueryError> {
        Ok(self
            .keyed
            .iter()
            .find(|(name, _)| *name == table)
            .map(|(_, t)| Arc::clone(t))
            .ok_or_else(|| {
                DataFusionError::Internal(format!("{table} is not sorted by a target key"))
            })?)
    }

    /// The rows of `table` whose key lies in the request's target ranges (`links_in`,
    /// `links_out`, `link_events`, `pages`) or is the target's registrable domain
    /// (`domains`), read through the table's sparse key index. The plan does not name the target, so it is
    /// planned once for every target (see [`crate::plans`]).
    pub(crate) fn target(&self, table: &str) -> Result<DataFrame, QueryError> {
        let keyed = self.keyed_table(table)?;
        let name = keyed.name().to_owned();
        let plan = LogicalPlanBuilder::scan(name, provider_as_source(keyed), None)?.build()?;
        Ok(DataFrame::new(self.ctx.state(), plan))
    }
}

/// The distinct `head` keys of `links_head`'s files: only that column is read (dictionary
/// encoded, a few hundred keys for a table of a hundred thousand rows).
fn head_keys(files: &[std::path::PathBuf]) -> Result<HashSet<String>, QueryError> {
    use datafusion::arrow::array::AsArray;
    use datafusion::parquet::arrow::ProjectionMask;
    use datafusion::parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

    let mut keys = HashSet::new();
    for path in files {
        let file = std::fs::File::open(path)
            .map_err(|e| DataFusionError::Execution(format!("{}: {e}", path.display())))?;
        let builder =
            ParquetRecordBatchReaderBuilder::try_new(file).map_err(DataFusionError::from)?;
        let mask = ProjectionMask::columns(builder.parquet_schema(), ["head"]);
        for batch in builder
            .with_projection(mask)
            .build()
            .map_err(DataFusionError::from)?
        {
            let batch = batch?;
            let column = batch.column(0).as_string_opt::<i32>().ok_or_else(|| {
                DataFusionError::Execution(format!("{}: head is not text", path.display()))
            })?;
            for key in column.iter().flatten() {
                if !keys.contains(key) {
                    keys.insert(key.to_owned());
                }
            }
        }
    }
    Ok(keys)
}

impl Engine {
    /// Opens the index at `root`.
    pub fn open(root: &Path) -> Result<Engine, QueryError> {
        Ok(Engine {
            index: Index::open(root)?,
            snapshots: Mutex::new(Vec::new()),
            late_rows: std::sync::atomic::AtomicUsize::new(LATE_ROWS),
        })
    }

    /// Above how many target rows (estimated from the page index, default 16,384) a lookup
    /// takes the plans made for large targets: a row table reads its sort columns first
    /// and the other columns for the answer's rows only, `metrics` groups the links by
    /// (domain, IP) before counting. Applies to versions opened after the call (tests set
    /// 0 to take those plans on small webs).
    pub fn set_late_materialisation_rows(&self, rows: usize) {
        self.late_rows
            .store(rows, std::sync::atomic::Ordering::Relaxed);
    }

    /// The index this engine reads.
    pub fn index(&self) -> &Index {
        &self.index
    }

    /// The latest committed version, re-read from the manifest.
    ///
    /// Blocking (it reads the manifest's Delta log): call it from a blocking thread.
    pub fn latest(&self) -> Result<Arc<Snapshot>, QueryError> {
        self.snapshot(None)
    }

    /// The version `as_of` names (the latest by default), its tables registered.
    ///
    /// Blocking (it reads the manifest's Delta log): call it from a blocking thread.
    pub fn snapshot(&self, as_of: Option<ApiAsOf>) -> Result<Arc<Snapshot>, QueryError> {
        let as_of = as_of.map(|a| match a {
            ApiAsOf::Version(v) => AsOf::Version(v),
            ApiAsOf::Time(t) => AsOf::Time(t),
        });
        let version = self.index.resolve(as_of)?.ok_or(QueryError::Empty)?;
        let keywords = self.index.keyword_files()?;
        if let Some(hit) = self
            .cache()
            .iter()
            .find(|s| s.version.version == version.version && s.keywords == keywords)
        {
            return Ok(Arc::clone(hit));
        }
        let snapshot = Arc::new(self.register_version(version, keywords)?);
        let mut cache = self.cache();
        cache.retain(|s| s.version.version != snapshot.version.version);
        cache.insert(0, Arc::clone(&snapshot));
        cache.truncate(CACHED_SNAPSHOTS);
        Ok(snapshot)
    }

    fn cache(&self) -> std::sync::MutexGuard<'_, Vec<Arc<Snapshot>>> {
        // A panic while holding the lock cannot leave the list inconsistent.
        self.snapshots
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn register_version(
        &self,
        version: IndexVersion,
        keywords: Option<Vec<std::path::PathBuf>>,
    ) -> Result<Snapshot, QueryError> {
        // `DATAFUSION_*` environment variables tune the session (see DataFusion's
        // configuration settings); the scan settings below always apply.
        let mut config = SessionConfig::from_env()?;
        if std::env::var_os("DATAFUSION_EXECUTION_TARGET_PARTITIONS").is_none() {
            // A lookup reads a few pages of one sorted file: splitting that scan into
            // partitions costs more in merging than it saves, and a server gets its
            // parallelism from concurrent requests instead.
            config = config.with_target_partitions(1);
        }
        let options = config.options_mut();
        // Dynamic filters are shared between an operator and the scans below it, and a
        // cached plan is executed many times (see `crate::plans`).
        options.optimizer.enable_dynamic_filter_pushdown = false;
        options.optimizer.enable_topk_dynamic_filter_pushdown = false;
        options.optimizer.enable_join_dynamic_filter_pushdown = false;
        options.optimizer.enable_aggregate_dynamic_filter_pushdown = false;
        options.execution.parquet.pushdown_filters = true;
        options.execution.parquet.reorder_filters = true;
        options.execution.parquet.enable_page_index = true;
        options.execution.parquet.schema_force_view_types = false;
        let runtime = RuntimeEnvBuilder::new()
            .with_metadata_cache_limit(METADATA_CACHE_BYTES)
            .build_arc()?;
        let mut keyed = Vec::new();
        let mut heads = HashSet::new();
        let mut names = Vec::new();
        let mut registered = Vec::new();
        // Each table, and the key of the target it is sorted by.
        for (table, schema, key) in [
            ("links_in", &schema::LINKS, ("to_key", KeyKind::Target)),
            // Older builds stored more columns in these two tables: each is registered
            // with every column it ever had, those a file lacks reading as nulls, and
            // the tables that read them ask the file which layout it has
            // (`Snapshot::out_snippets`, `Snapshot::events_inline`).
            (
                "links_out",
                &schema::LINK_COLUMNS,
                ("from_key", KeyKind::Target),
            ),
            ("pages", &schema::PAGES, ("url_key", KeyKind::Target)),
            ("domains", &schema::DOMAINS, ("domain", KeyKind::Domain)),
            (
                "link_events",
                &schema::LINK_EVENTS_INLINE,
                ("to_key", KeyKind::Target),
            ),
        ]
        .into_iter()
        .chain(
            // Versions written before heads existed have none (see `tables::backlinks`).
            version
                .links_head
                .map(|_| (LINKS_HEAD, &schema::LINKS_HEAD, ("head", KeyKind::Head))),
        ) {
            let files = self.index.table_files(&version, table)?;
            if table == LINKS_HEAD {
                heads = head_keys(&files)?;
                if files.is_empty() {
                    // No target was large enough for a head.
                    continue;
                }
            }
            let target = KeyedTable::new(
                format!("target_{table}"),
                SchemaRef::clone(schema),
                key,
                &files,
            )?;
            names.push(table.to_owned());
            names.push(target.name().to_owned());
            keyed.push((table, Arc::new(target)));
            registered.push((table, SchemaRef::clone(schema), files));
        }
        if let Some(files) = &keywords {
            names.push("keywords".to_owned());
            registered.push((
                "keywords",
                SchemaRef::clone(&schema::KEYWORDS),
                files.clone(),
            ));
        }
        let staged: Vec<Arc<StagedTable>> = crate::tables::staged_tables()
            .into_iter()
            .map(Arc::new)
            .collect();
        names.extend(staged.iter().map(|t| t.name().to_owned()));
        let config = config.with_extension(Arc::new(PlanCache::new(names)));
        let ctx = SessionContext::new_with_config_rt(config, runtime);
        for (table, schema, files) in registered {
            self.register(&ctx, table, schema, &files)?;
        }
        for table in &staged {
            ctx.register_table(table.name(), Arc::clone(table) as Arc<dyn TableProvider>)?;
        }
        Ok(Snapshot {
            version,
            ctx,
            keywords,
            keyed: Arc::new(keyed),
            staged: Arc::new(staged),
            late_rows: self.late_rows.load(std::sync::atomic::Ordering::Relaxed),
            heads: Arc::new(heads),
            head_answers: Arc::default(),
        })
    }

    fn register(
        &self,
        ctx: &SessionContext,
        name: &str,
        schema: SchemaRef,
        files: &[std::path::PathBuf],
    ) -> Result<(), QueryError> {
        let urls = files
            .iter()
            .map(|f| ListingTableUrl::parse(f.to_string_lossy()))
            .collect::<Result<Vec<_>, _>>()?;
        let options =
            ListingOptions::new(Arc::new(ParquetFormat::default())).with_file_extension(".parquet");
        let config = ListingTableConfig::new_with_multi_paths(urls)
            .with_listing_options(options)
            .with_schema(schema);
        // A ListingTable made by hand has no statistics cache (only SQL-registered ones get
        // the session's); without it every scan recomputes the file statistics from the
        // footer, which at 10M links is most of a small lookup's time.
        let table = ListingTable::try_new(config)?
            .with_cache(ctx.runtime_env().cache_manager.get_file_statistic_cache());
        ctx.register_table(name, Arc::new(table))?;
        Ok(())
    }

    /// Answers one request, blocking the calling thread (for the command line; a server
    /// takes a [`Snapshot`] and awaits [`Snapshot::answer`] on its own runtime).
    pub fn answer(&self, request: &Request) -> Result<Answer, QueryError> {
        let snapshot = self.snapshot(request.as_of)?;
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(QueryError::Runtime)?;
        rt.block_on(snapshot.answer(request))
    }
}
