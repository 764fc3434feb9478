//! The frontier on disk: an append-only text journal, `fsync`ed once per batch.
//!
//! Why a journal and not an embedded database (`redb`, `sled`): the crawler's state
//! changes in only three ways (a URL is queued, a URL is finished, a WARC file is handed
//! to the import), each a short line; appends are sequential and cheap, one `fsync` per
//! batch makes a whole batch durable at once, and a torn last line after a crash is
//! easy to recognise and drop. Replaying the journal rebuilds the frontier exactly. It
//! also keeps the crate free of another storage engine and readable with `grep`.
//!
//! ```text
//! R <round>                                  a crawl round starts
//! Q <depth> <hops> <kind> <via> <url>        queued (tab-separated; kind p|s)
//! D <url>                                    finished: archived, or given up
//! W <path>                                   WARC file handed over for import
//! E                                          the round's frontier ran empty
//! ```
//!
//! **Durability order.** The crawler syncs the WARC file before it syncs the `D` lines
//! of the pages in it, so a page the journal calls finished is always in a WARC file on
//! disk. After `kill -9`, a page fetched but not yet journaled is fetched again; a
//! finished one never is.
//!
//! **Rounds.** When a round has ended (`E`) and the crawl is started again, a new round
//! begins: its frontier is every page the last round finished (the re-crawl that finds
//! lost links) plus the seeds. The journal is then rewritten with only the new round.

use std::collections::{HashMap, HashSet};
use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};

use hrefdex_url::NormalUrl;

use crate::error::CrawlError;
use crate::frontier::{EntryKind, FrontierEntry};

/// What a journal says about the crawl so far.
#[derive(Debug, Default)]
pub struct JournalState {
    /// The current round (0 before any).
    pub round: u64,
    /// The current round's frontier ran empty.
    pub round_ended: bool,
    /// Entries queued in the current round, in order.
    pub queued: Vec<FrontierEntry>,
    /// URLs finished in the current round.
    pub finished: HashSet<String>,
    /// WARC files already handed over for import.
    pub handed_over: HashSet<PathBuf>,
}

impl JournalState {
    /// Queued entries not yet finished (the frontier to restore).
    pub fn pending(&self) -> impl Iterator<Item = &FrontierEntry> {
        self.queued
            .iter()
            .filter(|e| !self.finished.contains(e.url.as_str()))
    }

    /// Pages the round finished (what a new round re-crawls).
    pub fn finished_pages(&self) -> impl Iterator<Item = &FrontierEntry> {
        self.queued
            .iter()
            .filter(|e| e.kind == EntryKind::Page && self.finished.contains(e.url.as_str()))
    }
}

/// The journal file, open for appending.
#[derive(Debug)]
pub struct Journal {
    path: PathBuf,
    file: File,
    buf: Vec<u8>,
}

fn io_err(path: &Path) -> impl Fn(std::io::Error) -> CrawlError + '_ {
    move |source| CrawlError::Journal {
        path: path.to_owned(),
        source,
    }
}

impl Journal {
    /// Opens (or creates) the journal at `path` and replays it. A torn last line (a
    /// crash mid-write) is cut off.
    pub fn open(path: &Path) -> Result<(Journal, JournalState), CrawlError> {
        let err = io_err(path);
        let (state, valid_len) = match File::open(path) {
            Ok(f) => replay(BufReader::new(f)).map_err(&err)?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => (JournalState::default(), 0),
            Err(e) => return Err(err(e)),
        };
        let file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .map_err(&err)?;
        file.set_len(valid_len).map_err(&err)?;
        let journal = Journal {
            path: path.to_owned(),
            file,
            buf: Vec::new(),
        };
        Ok((journal, state))
    }

    /// Starts round `round` with a fresh file holding only the handed-over WARC files
    /// (written aside and renamed over the old journal, then synced).
    pub fn start_round(
        &mut self,
        round: u64,
        handed_over: &HashSet<PathBuf>,
    ) -> Result<(), CrawlError> {
        let err = io_err(&self.path);
        let tmp = self.path.with_extension("new");
        let mut text = String::new();
        for p in handed_over {
            text.push_str(&format!("W\t{}\n", p.display()));
        }
        text.push_str(&format!("R\t{round}\n"));
        let mut f = File::create(&tmp).map_err(&err)?;
        f.write_all(text.as_bytes()).map_err(&err)?;
        f.sync_all().map_err(&err)?;
        std::fs::rename(&tmp, &self.path).map_err(&err)?;
        if let Some(dir) = self.path.parent()
            && let Ok(d) = File::open(dir)
        {
            // Make the rename itself durable; not every platform can sync a directory.
            let _ = d.sync_all();
        }
        self.file = OpenOptions::new()
            .append(true)
            .open(&self.path)
            .map_err(&err)?;
        self.buf.clear();
        Ok(())
    }

    /// Records a queued entry (buffered until [`Journal::sync`]).
    pub fn queued(&mut self, e: &FrontierEntry) {
        let line = format!(
            "Q\t{}\t{}\t{}\t{}\t{}\n",
            e.depth,
            e.hops,
            e.kind.code(),
            clean(&e.via),
            e.url.as_str()
        );
        self.buf.extend_from_slice(line.as_bytes());
    }

    /// Records a finished URL (buffered).
    pub fn finished(&mut self, url: &NormalUrl) {
        self.buf
            .extend_from_slice(format!("D\t{}\n", url.as_str()).as_bytes());
    }

    /// Records WARC files handed over for import (buffered).
    pub fn handed_over(&mut self, files: &[PathBuf]) {
        for f in files {
            self.buf
                .extend_from_slice(format!("W\t{}\n", clean(&f.display().to_string())).as_bytes());
        }
    }

    /// Records that the round's frontier ran empty (buffered).
    pub fn round_ended(&mut self) {
        self.buf.extend_from_slice(b"E\n");
    }

    /// True when lines wait to be written.
    pub fn has_pending(&self) -> bool {
        !self.buf.is_empty()
    }

    /// Writes the buffered lines and `fsync`s the file: everything recorded so far
    /// survives a crash.
    pub fn sync(&mut self) -> Result<(), CrawlError> {
        if self.buf.is_empty() {
            return Ok(());
        }
        let err = io_err(&self.path);
        self.file.write_all(&self.buf).map_err(&err)?;
        self.file.sync_data().map_err(&err)?;
        self.buf.clear();
        Ok(())
    }
}

/// Tabs and line breaks cannot occur in a normal URL; in a `via` or path they are
/// replaced so that a line stays one record.
fn clean(s: &str) -> String {
    s.replace(['\t', '\n', '\r'], " ")
}

/// Replays journal lines; returns the state and the length of the complete lines.
fn replay(mut r: impl BufRead) -> std::io::Result<(JournalState, u64)> {
    let mut state = JournalState::default();
    let mut index: HashMap<String, usize> = HashMap::new();
    let mut valid = 0u64;
    let mut line = Vec::new();
    loop {
        line.clear();
        let n = r.read_until(b'\n', &mut line)?;
        if n == 0 || line.last() != Some(&b'\n') {
            break; // end, or a torn last line
        }
        valid += n as u64;
        let text = String::from_utf8_lossy(&line[..n - 1]);
        let mut f = text.split('\t');
        match f.next() {
            Some("R") => {
                state.round = f
                    .next()
                    .and_then(|r| r.parse().ok())
                    .unwrap_or(state.round + 1);
                state.round_ended = false;
                state.queued.clear();
                state.finished.clear();
                index.clear();
            }
            Some("Q") => {
                if let Some(e) = parse_queued(f) {
                    match index.get(e.url.as_str()) {
                        Some(&i) => state.queued[i] = e,
                        None => {
                            index.insert(e.url.as_str().to_owned(), state.queued.len());
                            state.queued.push(e);
                        }
                    }
                }
            }
            Some("D") => {
                if let Some(u) = f.next() {
                    state.finished.insert(u.to_owned());
                }
            }
            Some("W") => {
                if let Some(p) = f.next() {
                    state.handed_over.insert(PathBuf::from(p));
                }
            }
            Some("E") => state.round_ended = true,
            _ => {} // unknown line: written by a newer version; ignored
        }
    }
    Ok((state, valid))
}

fn parse_queued<'a>(mut f: impl Iterator<Item = &'a str>) -> Option<FrontierEntry> {
    let depth = f.next()?.parse().ok()?;
    let hops = f.next()?.parse().ok()?;
    let kind = EntryKind::from_code(f.next()?.chars().next()?)?;
    let via = f.next()?.to_owned();
    let url = NormalUrl::parse(f.next()?).ok()?;
    Some(FrontierEntry {
        url,
        depth,
        hops,
        kind,
        retries: 0,
        via,
    })
}

/// Takes the exclusive lock of `<state_dir>/lock`: one crawl per state directory. The
/// operating system releases it when the process ends, also after kill -9.
pub fn lock_state_dir(dir: &Path) -> Result<std::fs::File, CrawlError> {
    let path = dir.join("lock");
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(|source| CrawlError::Journal {
            path: path.clone(),
            source,
        })?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(std::fs::TryLockError::WouldBlock) => Err(CrawlError::Busy(dir.to_owned())),
        Err(std::fs::TryLockError::Error(source)) => Err(CrawlError::Journal { path, source }),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn entry(url: &str, depth: u32) -> FrontierEntry {
        FrontierEntry {
            depth,
            via: "http://a.example/".to_owned(),
            ..FrontierEntry::seed(NormalUrl::parse(url).unwrap())
        }
    }

    #[test]
    fn replays_pending_and_finished_and_drops_a_torn_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("journal");
        {
            let (mut j, state) = Journal::open(&path).unwrap();
            assert_eq!(state.round, 0);
            j.start_round(1, &HashSet::new()).unwrap();
            j.queued(&entry("http://a.example/", 0));
            j.queued(&entry("http://a.example/b", 1));
            j.queued(&entry("http://a.example/c", 1));
            j.finished(&NormalUrl::parse("http://a.example/").unwrap());
            j.handed_over(&[PathBuf::from("/w/x.warc.gz")]);
            j.sync().unwrap();
            j.finished(&NormalUrl::parse("http://a.example/c").unwrap());
            // Not synced: lost, as in a crash.
        }
        // A torn line as after kill -9 mid-write.
        let mut f = OpenOptions::new().append(true).open(&path).unwrap();
        f.write_all(b"D\thttp://a.exa").unwrap();
        drop(f);
        let (mut j, state) = Journal::open(&path).unwrap();
        assert_eq!(state.round, 1);
        assert!(!state.round_ended);
        let pending: Vec<&str> = state.pending().map(|e| e.url.as_str()).collect();
        assert_eq!(pending, ["http://a.example/b", "http://a.example/c"]);
        assert_eq!(state.pending().next().unwrap().depth, 1);
        assert_eq!(state.pending().next().unwrap().via, "http://a.example/");
        assert!(state.handed_over.contains(Path::new("/w/x.warc.gz")));
        // Appending after the cut continues cleanly.
        j.finished(&NormalUrl::parse("http://a.example/b").unwrap());
        j.round_ended();
        j.sync().unwrap();
        let (mut j, state) = Journal::open(&path).unwrap();
        assert!(state.round_ended);
        assert_eq!(state.pending().count(), 1);
        let again: Vec<&str> = state.finished_pages().map(|e| e.url.as_str()).collect();
        assert_eq!(again, ["http://a.example/", "http://a.example/b"]);
        j.start_round(2, &state.handed_over).unwrap();
        let (_, state) = Journal::open(&path).unwrap();
        assert_eq!(state.round, 2);
        assert!(state.queued.is_empty() && !state.round_ended);
        assert_eq!(state.handed_over.len(), 1);
    }

    #[test]
    fn one_crawl_per_state_directory() {
        let dir = tempfile::tempdir().unwrap();
        let held = lock_state_dir(dir.path()).unwrap();
        assert!(matches!(
            lock_state_dir(dir.path()),
            Err(CrawlError::Busy(_))
        ));
        drop(held);
        assert!(lock_state_dir(dir.path()).is_ok());
    }
}
