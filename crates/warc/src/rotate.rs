//! [`RotatingWarcWriter`]: a series of files `<prefix>-00000.warc.gz`, `-00001`, …, a new
//! one once the current file reaches `max_bytes`.

use std::fs::File;
use std::io::BufWriter;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};

use crate::error::WarcError;
use crate::writer::{WarcWriter, WriterOptions};

/// Writes records into size-limited files in one directory. Each file starts with a
/// `warcinfo` record carrying `info` fields. A record never spans two files, so a file
/// can exceed `max_bytes` by one record.
#[derive(Debug)]
pub struct RotatingWarcWriter {
    dir: PathBuf,
    prefix: String,
    max_bytes: u64,
    options: WriterOptions,
    info: Vec<(String, String)>,
    current: Option<WarcWriter<BufWriter<File>>>,
    files: Vec<PathBuf>,
}

impl RotatingWarcWriter {
    /// A writer creating files in `dir` (which must exist).
    pub fn new(
        dir: &Path,
        prefix: &str,
        max_bytes: u64,
        options: WriterOptions,
        info: &[(&str, &str)],
    ) -> RotatingWarcWriter {
        RotatingWarcWriter {
            dir: dir.to_owned(),
            prefix: prefix.to_owned(),
            max_bytes: max_bytes.max(1),
            options,
            info: info
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
            current: None,
            files: Vec::new(),
        }
    }

    /// The writer for the next record, opening a new file first when the current one is
    /// full (or none is open). `date` dates the new file's `warcinfo` record.
    pub fn writer(
        &mut self,
        date: DateTime<Utc>,
    ) -> Result<&mut WarcWriter<BufWriter<File>>, WarcError> {
        let full = self
            .current
            .as_ref()
            .is_none_or(|w| w.bytes_written() >= self.max_bytes);
        if full {
            if let Some(w) = self.current.take() {
                w.into_inner()?;
            }
            let ext = if self.options.gzip { "warc.gz" } else { "warc" };
            let name = format!("{}-{:05}.{ext}", self.prefix, self.files.len());
            let path = self.dir.join(&name);
            let file = File::create(&path).map_err(|source| WarcError::Create {
                path: path.clone(),
                source,
            })?;
            let mut options = self.options;
            options.seed = options
                .seed
                .map(|s| s ^ (self.files.len() as u64).rotate_left(32));
            let mut w = WarcWriter::new(BufWriter::new(file), options);
            let info: Vec<(&str, &str)> = self
                .info
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .collect();
            w.write_warcinfo(date, &name, &info)?;
            self.files.push(path);
            return Ok(self.current.insert(w));
        }
        self.current.as_mut().ok_or_else(|| WarcError::Io {
            offset: 0,
            source: std::io::Error::other("no open WARC file"),
        })
    }

    /// Flushes the open file and asks the operating system to put it on disk
    /// (`fsync`), so that every record written so far survives a crash.
    pub fn sync(&mut self) -> Result<(), WarcError> {
        if let Some(w) = self.current.as_mut() {
            w.flush()?;
            let offset = w.bytes_written();
            w.get_ref()
                .get_ref()
                .sync_data()
                .map_err(|source| WarcError::Io { offset, source })?;
        }
        Ok(())
    }

    /// Closes the open file (flushed and synced), so that it is complete for a reader;
    /// the next record opens a new file. Returns the closed file, if one was open.
    pub fn close_current(&mut self) -> Result<Option<PathBuf>, WarcError> {
        self.sync()?;
        match self.current.take() {
            Some(w) => {
                w.into_inner()?;
                Ok(self.files.last().cloned())
            }
            None => Ok(None),
        }
    }

    /// Files created so far, in order.
    pub fn files(&self) -> &[PathBuf] {
        &self.files
    }

    /// Flushes the last file and returns every file written.
    pub fn finish(mut self) -> Result<Vec<PathBuf>, WarcError> {
        if let Some(w) = self.current.take() {
            w.into_inner()?;
        }
        Ok(self.files)
    }
}
