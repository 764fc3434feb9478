//! The `--index` flag shared by every command that reads or writes an index.

use std::path::PathBuf;

/// Where the index lives.
#[derive(Debug, Clone, clap::Args)]
pub struct IndexDir {
    /// Index directory (created if missing).
    #[arg(
        long = "index",
        env = "HREFDEX_INDEX",
        default_value = "./hrefdex-data",
        value_name = "DIR"
    )]
    pub path: PathBuf,
}
