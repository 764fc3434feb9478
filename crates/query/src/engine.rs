//! One index version registered in a DataFusion session.

use std::path::Path;
use std::sync::Arc;

use datafusion::arrow::datatypes::SchemaRef;
use datafusion::datasource::file_format::parquet::ParquetFormat;
use datafusion::datasource::listing::{
    ListingOptions, ListingTable, ListingTableConfig, ListingTableUrl,
};
use datafusion::error::DataFusionError;
use datafusion::prelude::{SessionConfig, SessionContext};
use hrefdex_api::Request;
use hrefdex_api::encode::Answer;
use hrefdex_api::request::AsOf as ApiAsOf;
use hrefdex_index::store::schema;
use hrefdex_index::{AsOf, Index, IndexVersion, StoreError};
use thiserror::Error;

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
    Engine(#[from] DataFusionError),
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

/// Answers requests from one index.
#[derive(Debug)]
pub struct Engine {
    index: Index,
    rt: tokio::runtime::Runtime,
}

/// One index version, its tables registered for querying.
pub struct Snapshot {
    /// The version.
    pub version: IndexVersion,
    /// The session with `links_in`, `links_out`, `pages`, `domains`, `link_events`.
    pub ctx: SessionContext,
}

impl Engine {
    /// Opens the index at `root`.
    pub fn open(root: &Path) -> Result<Engine, QueryError> {
        let index = Index::open(root)?;
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(QueryError::Runtime)?;
        Ok(Engine { index, rt })
    }

    /// Registers the tables of the version `as_of` names (the latest by default).
    pub fn snapshot(&self, as_of: Option<ApiAsOf>) -> Result<Snapshot, QueryError> {
        let as_of = as_of.map(|a| match a {
            ApiAsOf::Version(v) => AsOf::Version(v),
            ApiAsOf::Time(t) => AsOf::Time(t),
        });
        let version = self.index.resolve(as_of)?.ok_or(QueryError::Empty)?;
        let mut config = SessionConfig::new().with_target_partitions(2);
        let options = config.options_mut();
        options.execution.parquet.pushdown_filters = true;
        options.execution.parquet.reorder_filters = true;
        options.execution.parquet.enable_page_index = true;
        options.execution.parquet.schema_force_view_types = false;
        let ctx = SessionContext::new_with_config(config);
        for (table, schema) in [
            ("links_in", &schema::LINKS),
            ("links_out", &schema::LINKS),
            ("pages", &schema::PAGES),
            ("domains", &schema::DOMAINS),
            ("link_events", &schema::LINK_EVENTS),
        ] {
            let files = self.index.table_files(&version, table)?;
            self.register(&ctx, table, SchemaRef::clone(schema), &files)?;
        }
        Ok(Snapshot { version, ctx })
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
        ctx.register_table(name, Arc::new(ListingTable::try_new(config)?))?;
        Ok(())
    }

    /// Answers one request.
    pub fn answer(&self, request: &Request) -> Result<Answer, QueryError> {
        let snapshot = self.snapshot(request.as_of)?;
        self.rt.block_on(tables::answer(&snapshot, request))
    }
}
