//! Answers v2 requests from the index.
//!
//! * [`Engine`]: one index version's tables registered in a DataFusion session (the
//!   Parquet files the manifest names, so a query sees one consistent version).
//! * [`udf`]: `substring`, `word`, `subdomain` as scalar UDFs with the semantics of
//!   [`hrefdex_api::filter`].
//! * [`exprs`]: a request's target ranges and conditions as DataFusion expressions.
//! * [`tables`]: one module per v2 table: its plan (filters, grouping, aggregates,
//!   having, order, offset, limit) and its extra tables.
//!
//! Requests are planned with DataFrame (logical plan) builders; no SQL text is ever
//! assembled from user input. Tables not answered yet return [`QueryError::NotYet`].

mod convert;
mod engine;
pub mod exprs;
pub mod host_udf;
mod interner;
mod keyed;
mod plans;
mod referrers;
mod staged;
pub mod tables;
pub mod udf;

pub use engine::{Engine, QueryError, Snapshot};
