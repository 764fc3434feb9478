//! One module per subcommand: its flags (`Args`) and its `run`.

mod config;
pub mod crawl;
pub mod explain;
pub mod extract;
mod extract_parquet;
pub mod r#gen;
pub mod import;
pub mod import_keywords;
mod index_dir;
pub mod query;
pub mod quickstart;
pub mod serve;
pub mod stats;
pub mod token;
