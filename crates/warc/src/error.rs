//! Errors of the writer.

use std::path::PathBuf;

use thiserror::Error;

/// Why a record could not be written.
#[derive(Debug, Error)]
pub enum WarcError {
    /// The underlying writer failed at this output offset.
    #[error("writing WARC record at offset {offset}: {source}")]
    Io {
        /// Output offset of the record being written.
        offset: u64,
        /// The error.
        source: std::io::Error,
    },
    /// A file of a rotating writer could not be created.
    #[error("creating {path}: {source}")]
    Create {
        /// The file.
        path: PathBuf,
        /// The error.
        source: std::io::Error,
    },
    /// A header name or value would break the record framing (CR, LF, or a colon in a name).
    #[error("invalid header {name:?}: {reason}")]
    InvalidField {
        /// The header name.
        name: String,
        /// What is wrong.
        reason: &'static str,
    },
}
