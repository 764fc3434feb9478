//! One module per subcommand: its flags (`Args`) and its `run`.

pub mod explain;
pub mod extract;
pub mod r#gen;
mod extract_parquet;
pub mod import;
mod index_dir;
pub mod query;
pub mod stats;
