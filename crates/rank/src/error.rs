//! The one error type of this crate.

use std::path::PathBuf;

/// Errors from reading edge lists and building graphs.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RankError {
    /// A line of an edge list is not `src<ws>dst` with two decimal `u32` node ids.
    #[error("line {line}: {reason}: {text:?}")]
    Parse {
        /// 1-based line number in the input.
        line: u64,
        /// What is wrong with the line.
        reason: &'static str,
        /// The offending line (truncated to 80 bytes, lossily decoded).
        text: String,
    },
    /// An edge names a node that is not below the declared node count.
    #[error("edge {edge} names node {node}, but the graph has {num_nodes} nodes")]
    NodeOutOfRange {
        /// 0-based index of the edge in the input.
        edge: usize,
        /// The node id that is too large.
        node: u32,
        /// The declared node count.
        num_nodes: usize,
    },
    /// Reading the input failed.
    #[error("reading {path}: {source}")]
    Io {
        /// The file being read (empty for a reader without a path).
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// A PageRank option is out of its domain (for example α outside `[0, 1)`).
    #[error("invalid PageRank option: {0}")]
    InvalidOption(&'static str),
}
