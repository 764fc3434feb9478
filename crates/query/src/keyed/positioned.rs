//! A file read at explicit offsets (`pread`), shared by concurrent scans.
//!
//! The Parquet reader's own `File` source clones the descriptor and seeks it, and clones
//! share one file offset: two requests reading the same file at once would move each
//! other's position. Reads at an explicit offset have no shared state.

use std::fs::File;
use std::io::Read;
use std::os::unix::fs::FileExt;
use std::sync::Arc;

use bytes::Bytes;
use datafusion::parquet::errors::{ParquetError, Result};
use datafusion::parquet::file::reader::{ChunkReader, Length};

/// An open file and its length, cheap to clone.
#[derive(Debug, Clone)]
pub(crate) struct PositionedFile {
    file: Arc<File>,
    len: u64,
}

impl PositionedFile {
    pub(crate) fn new(file: File) -> std::io::Result<PositionedFile> {
        let len = file.metadata()?.len();
        Ok(PositionedFile {
            file: Arc::new(file),
            len,
        })
    }
}

impl Length for PositionedFile {
    fn len(&self) -> u64 {
        self.len
    }
}

impl ChunkReader for PositionedFile {
    type T = ReadFrom;

    fn get_read(&self, start: u64) -> Result<ReadFrom> {
        Ok(ReadFrom {
            file: Arc::clone(&self.file),
            at: start,
        })
    }

    fn get_bytes(&self, start: u64, length: usize) -> Result<Bytes> {
        let mut buffer = vec![0; length];
        self.file.read_exact_at(&mut buffer, start).map_err(|e| {
            ParquetError::General(format!("reading {length} bytes at offset {start}: {e}"))
        })?;
        Ok(Bytes::from(buffer))
    }
}

/// Sequential reads from an offset of a [`PositionedFile`].
pub(crate) struct ReadFrom {
    file: Arc<File>,
    at: u64,
}

impl Read for ReadFrom {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.file.read_at(buf, self.at)?;
        self.at += n as u64;
        Ok(n)
    }
}
