//! A Parquet file mapped into memory, shared by concurrent scans.
//!
//! A lookup reads a few pages of each of dozens of columns. Read with `pread`, every
//! page (and every page header) was a system call and a copy into a fresh, zeroed
//! buffer: a quarter of the scan time of a target with half a million backlinks. Mapped,
//! a page is a slice of memory the page cache already holds: no call, no copy, and
//! concurrent readers share no file position.

use std::fs::File;

use bytes::{Buf, Bytes};
use datafusion::parquet::errors::{ParquetError, Result};
use datafusion::parquet::file::reader::{ChunkReader, Length};
use memmap2::Mmap;

/// The bytes of an open file, cheap to clone (a reference count).
#[derive(Debug, Clone)]
pub(crate) struct MappedFile {
    bytes: Bytes,
}

impl MappedFile {
    /// Maps `file` whole.
    #[allow(unsafe_code)]
    pub(crate) fn new(file: &File) -> std::io::Result<MappedFile> {
        if file.metadata()?.len() == 0 {
            // Nothing to map (and `mmap` refuses a zero length); the Parquet reader then
            // reports the missing footer.
            return Ok(MappedFile {
                bytes: Bytes::new(),
            });
        }
        // SAFETY: a mapping is sound while nobody changes the file under it. hrefdex
        // never does: every import writes new data files under new names (Delta files
        // are never rewritten), and no command truncates or deletes them (a deleted file
        // would stay mapped intact anyway). Editing an index's files in place by hand is
        // outside what a reader can protect against (`pread` would read torn data).
        let map = unsafe { Mmap::map(file)? };
        Ok(MappedFile {
            bytes: Bytes::from_owner(map),
        })
    }

    /// `length` bytes from `start`, or an error naming the request when the file is shorter.
    fn range(&self, start: u64, length: usize) -> Result<Bytes> {
        let out_of_bounds = || {
            ParquetError::EOF(format!(
                "{length} bytes at offset {start} are past the end of a {}-byte file",
                self.bytes.len()
            ))
        };
        let start = usize::try_from(start).map_err(|_| out_of_bounds())?;
        let end = start.checked_add(length).ok_or_else(out_of_bounds)?;
        if end > self.bytes.len() {
            return Err(out_of_bounds());
        }
        Ok(self.bytes.slice(start..end))
    }
}

impl Length for MappedFile {
    fn len(&self) -> u64 {
        self.bytes.len() as u64
    }
}

impl ChunkReader for MappedFile {
    type T = bytes::buf::Reader<Bytes>;

    fn get_read(&self, start: u64) -> Result<Self::T> {
        let rest = self
            .bytes
            .len()
            .saturating_sub(usize::try_from(start).unwrap_or(usize::MAX));
        Ok(self.range(start, rest)?.reader())
    }

    fn get_bytes(&self, start: u64, length: usize) -> Result<Bytes> {
        self.range(start, length)
    }
}

#[cfg(test)]
mod tests {
    use std::io::{Read, Write};

    use super::*;

    fn mapped(content: &[u8]) -> MappedFile {
        let mut file = tempfile::tempfile().expect("temporary file");
        file.write_all(content).expect("write");
        MappedFile::new(&file).expect("map")
    }

    #[test]
    fn ranges_read_the_file_and_past_its_end_is_an_error() {
        let file = mapped(b"PAR1 data PAR1");
        assert_eq!(file.len(), 14);
        assert_eq!(&file.get_bytes(5, 4).expect("in range")[..], b"data");
        let mut rest = String::new();
        file.get_read(10)
            .expect("in range")
            .read_to_string(&mut rest)
            .expect("read");
        assert_eq!(rest, "PAR1");
        assert!(file.get_bytes(10, 5).is_err());
        assert!(file.get_bytes(u64::MAX, 1).is_err());
        assert!(file.get_read(15).is_err());
    }

    #[test]
    fn an_empty_file_maps_to_no_bytes() {
        let file = mapped(b"");
        assert_eq!(file.len(), 0);
        assert!(file.get_bytes(0, 1).is_err());
        assert_eq!(file.get_bytes(0, 0).expect("empty range").len(), 0);
    }
}
