//! WARC (0.17–1.1) and ARC (v1/v2) record framing.
//!
//! [`RecordReader`] is an iterator of `Result<Record, RecordError>` over one archive
//! file. A malformed record yields one error (with its offsets) and reading goes on
//! at the next record header, so a bad record never costs the rest of the file.
//!
//! Hand-written rather than the `warc` crate: that crate stops at the first
//! malformed header, has no ARC support, cannot report gzip member offsets, and
//! copies every header into a map; real archives (ClueWeb's `WARC/0.18`, clipped
//! gzip members, wrong `Content-Length`s) need the resynchronisation done here.

use std::io::{self, BufRead, Read};

use crate::source::Source;

/// Longest header line we accept; longer lines mean we are not at a header.
const MAX_LINE: usize = 64 * 1024;
/// Most header lines in one record.
const MAX_HEADERS: usize = 256;
/// Largest record block kept in memory; the rest of a larger block is skipped
/// (and the record is marked `block_clipped`).
pub const MAX_BLOCK_BYTES: u64 = 32 * 1024 * 1024;

/// Archive format of a record.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ArchiveFormat {
    /// ISO 28500 WARC.
    Warc,
    /// Internet Archive ARC.
    Arc,
}

/// The `WARC-Type` of a record (ARC records are mapped onto these).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RecordType {
    /// `warcinfo` (and the ARC `filedesc` record).
    Warcinfo,
    /// `response`.
    Response,
    /// `resource`.
    Resource,
    /// `request`.
    Request,
    /// `metadata` (WAT records are `metadata`).
    Metadata,
    /// `revisit`.
    Revisit,
    /// `conversion` (WET).
    Conversion,
    /// `continuation`.
    Continuation,
    /// Anything else, as written.
    Other(String),
}

impl RecordType {
    fn parse(s: &str) -> Self {
        match s.trim().to_ascii_lowercase().as_str() {
            "warcinfo" => Self::Warcinfo,
            "response" => Self::Response,
            "resource" => Self::Resource,
            "request" => Self::Request,
            "metadata" => Self::Metadata,
            "revisit" => Self::Revisit,
            "conversion" => Self::Conversion,
            "continuation" => Self::Continuation,
            other => Self::Other(other.to_owned()),
        }
    }

    /// The name as written in `WARC-Type`.
    pub fn as_str(&self) -> &str {
        match self {
            Self::Warcinfo => "warcinfo",
            Self::Response => "response",
            Self::Resource => "resource",
            Self::Request => "request",
            Self::Metadata => "metadata",
            Self::Revisit => "revisit",
            Self::Conversion => "conversion",
            Self::Continuation => "continuation",
            Self::Other(s) => s,
        }
    }
}

/// One archive record: its headers and (up to [`MAX_BLOCK_BYTES`] of) its block.
#[derive(Clone, Debug)]
pub struct Record {
    /// WARC or ARC.
    pub format: ArchiveFormat,
    /// File offset of the record, or of the gzip member it starts in.
    pub offset: u64,
    /// Offset of the record in the decompressed stream.
    pub uncompressed_offset: u64,
    /// Record type (`WARC-Type`).
    pub kind: RecordType,
    /// Header fields in file order. ARC header lines are mapped to
    /// `WARC-Target-URI`, `WARC-IP-Address`, `WARC-Date` and `Content-Type`.
    pub headers: Vec<(String, String)>,
    /// The declared block length.
    pub content_length: u64,
    /// The block (for `response`: HTTP status line, headers and payload).
    pub block: Vec<u8>,
    /// The block was longer than [`MAX_BLOCK_BYTES`] and was cut.
    pub block_clipped: bool,
}

impl Record {
    /// First header with this name (ASCII case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// `WARC-Target-URI`, without the `<…>` some writers put around it.
    pub fn target_uri(&self) -> Option<&str> {
        self.header("WARC-Target-URI")
            .map(|u| u.trim().trim_start_matches('<').trim_end_matches('>'))
    }

    /// `WARC-Date` as written.
    pub fn date(&self) -> Option<&str> {
        self.header("WARC-Date")
    }

    /// `WARC-IP-Address`.
    pub fn ip(&self) -> Option<&str> {
        self.header("WARC-IP-Address").filter(|ip| !ip.is_empty())
    }

    /// `Content-Type` of the block.
    pub fn content_type(&self) -> Option<&str> {
        self.header("Content-Type")
    }
}

/// Why a record could not be read.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SkipReason {
    /// The file ended inside the record.
    Truncated,
    /// The gzip member holding the record is corrupt.
    BadGzip,
    /// The record header could not be parsed.
    BadHeader,
    /// Bytes that are no record header where one should start.
    Garbage,
    /// A response block with no parsable HTTP status line.
    NoHttpStatus,
    /// A WAT metadata record whose JSON could not be parsed.
    BadWat,
    /// An I/O error from the file system.
    Io,
}

impl SkipReason {
    /// Short name, as in [`crate::ExtractStats`].
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Truncated => "truncated",
            Self::BadGzip => "bad_gzip",
            Self::BadHeader => "bad_header",
            Self::Garbage => "garbage",
            Self::NoHttpStatus => "no_http_status",
            Self::BadWat => "bad_wat",
            Self::Io => "io",
        }
    }
}

/// A record that was skipped, with where it was.
#[derive(Clone, Debug, thiserror::Error, serde::Serialize)]
#[error("{reason:?} at offset {offset} (uncompressed {uncompressed_offset}): {detail}")]
pub struct RecordError {
    /// Why.
    pub reason: SkipReason,
    /// File offset of the record (or its gzip member).
    pub offset: u64,
    /// Offset in the decompressed stream.
    pub uncompressed_offset: u64,
    /// Human-readable detail.
    pub detail: String,
}

/// Iterator over the records of one archive file.
pub struct RecordReader<R> {
    src: Source<R>,
    /// A header line read while resynchronising, to be parsed next.
    pending: Option<(Vec<u8>, u64, u64)>,
    done: bool,
    /// After an error in a plain stream: scan lines for the next record header.
    resync: bool,
    line: Vec<u8>,
    /// Memory of a finished record's block, given back by [`RecordReader::recycle`].
    spare_block: Vec<u8>,
}

impl<R: Read> RecordReader<R> {
    /// Starts reading an archive (plain or gzip, detected from its first bytes).
    pub fn new(inner: R) -> io::Result<Self> {
        Ok(Self {
            src: Source::new(inner)?,
            pending: None,
            done: false,
            resync: false,
            line: Vec::with_capacity(256),
            spare_block: Vec::new(),
        })
    }

    /// Takes back a record this reader returned, once its reader is done with it,
    /// so that the next block reuses its memory: one allocation (and the page
    /// faults of fresh memory) less per record. Optional.
    pub fn recycle(&mut self, record: Record) {
        if record.block.capacity() > self.spare_block.capacity() {
            self.spare_block = record.block;
        }
    }

    /// Whether the file is gzip-compressed.
    pub fn is_gzip(&self) -> bool {
        self.src.is_gzip()
    }

    /// Compressed bytes read so far.
    pub fn bytes_read(&self) -> u64 {
        self.src.raw_consumed()
    }

    fn err(&self, reason: SkipReason, off: (u64, u64), detail: impl Into<String>) -> RecordError {
        RecordError {
            reason,
            offset: off.0,
            uncompressed_offset: off.1,
            detail: detail.into(),
        }
    }

    /// Reads one line (without its end) into `self.line`; `Ok(false)` at EOF.
    fn read_line(&mut self) -> io::Result<bool> {
        self.line.clear();
        loop {
            let buf = self.src.fill_buf()?;
            if buf.is_empty() {
                return Ok(!self.line.is_empty());
            }
            let room = MAX_LINE.saturating_sub(self.line.len());
            match memchr::memchr(b'\n', &buf[..buf.len().min(room + 1)]) {
                Some(p) => {
                    self.line.extend_from_slice(&buf[..p]);
                    self.src.consume(p + 1);
                    // Some writers end lines with "\r\r\n"; drop every trailing CR.
                    while self.line.last() == Some(&b'\r') {
                        self.line.pop();
                    }
                    return Ok(true);
                }
                None => {
                    let n = buf.len().min(room);
                    self.line.extend_from_slice(&buf[..n]);
                    self.src.consume(n);
                    if self.line.len() >= MAX_LINE {
                        return Ok(true);
                    }
                }
            }
        }
    }

    /// Skips blank lines; returns the next non-blank line with its offsets.
    fn next_header_line(&mut self) -> io::Result<Option<(Vec<u8>, u64, u64)>> {
        if let Some(p) = self.pending.take() {
            return Ok(Some(p));
        }
        loop {
            // Skip separator bytes quickly.
            loop {
                let buf = self.src.fill_buf()?;
                if buf.is_empty() {
                    return Ok(None);
                }
                let n = buf
                    .iter()
                    .take_while(|b| matches!(b, b'\r' | b'\n' | b' ' | b'\t' | 0))
                    .count();
                if n == 0 {
                    break;
                }
                self.src.consume(n);
            }
            let off = (self.src.file_offset(), self.src.uncompressed_offset());
            if !self.read_line()? {
                return Ok(None);
            }
            if !self.line.is_empty() {
                return Ok(Some((std::mem::take(&mut self.line), off.0, off.1)));
            }
        }
    }

    fn read_record(&mut self) -> Result<Option<Record>, RecordError> {
        let io_err = |s: &Self, e: io::Error, off: (u64, u64)| {
            let reason = if e.kind() == io::ErrorKind::InvalidData
                || e.kind() == io::ErrorKind::InvalidInput
            {
                SkipReason::BadGzip
            } else if e.kind() == io::ErrorKind::UnexpectedEof {
                SkipReason::Truncated
            } else {
                SkipReason::Io
            };
            s.err(reason, off, e.to_string())
        };
        let here = (self.src.file_offset(), self.src.uncompressed_offset());
        let first = match self.next_header_line() {
            Ok(Some(l)) => l,
            Ok(None) => return Ok(None),
            Err(e) => return Err(io_err(self, e, here)),
        };
        let (line, off0, off1) = first;
        let off = (off0, off1);
        if line.starts_with(b"WARC/") {
            self.read_warc(off).map(Some)
        } else if let Some(arc) = parse_arc_header(&line) {
            self.read_arc(arc, off).map(Some)
        } else {
            self.resync = true;
            Err(self.err(
                SkipReason::Garbage,
                off,
                format!("expected a record header, found {:?}", preview(&line)),
            ))
        }
    }

    fn read_warc(&mut self, off: (u64, u64)) -> Result<Record, RecordError> {
        let mut headers: Vec<(String, String)> = Vec::with_capacity(16);
        loop {
            match self.read_line() {
                Ok(true) => {}
                Ok(false) => {
                    return Err(self.err(
                        SkipReason::Truncated,
                        off,
                        "file ends inside WARC header",
                    ));
                }
                Err(e) => return Err(self.err(SkipReason::BadGzip, off, e.to_string())),
            }
            if self.line.is_empty() {
                break;
            }
            if headers.len() >= MAX_HEADERS {
                self.resync = true;
                return Err(self.err(SkipReason::BadHeader, off, "too many header lines"));
            }
            let line = String::from_utf8_lossy(&self.line);
            if matches!(self.line[0], b' ' | b'\t') {
                if let Some(last) = headers.last_mut() {
                    last.1.push(' ');
                    last.1.push_str(line.trim());
                }
                continue;
            }
            match line.split_once(':') {
                Some((k, v)) => headers.push((k.trim().to_owned(), v.trim().to_owned())),
                // A line with no colon (seen in ClueWeb): keep going, it is harmless.
                None => continue,
            }
        }
        let Some(len) = headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case("Content-Length"))
            .and_then(|(_, v)| v.trim().parse::<u64>().ok())
        else {
            self.resync = true;
            return Err(self.err(SkipReason::BadHeader, off, "no valid Content-Length"));
        };
        let kind = headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case("WARC-Type"))
            .map_or(RecordType::Other(String::new()), |(_, v)| {
                RecordType::parse(v)
            });
        let (block, clipped) = self.read_block(len, off)?;
        Ok(Record {
            format: ArchiveFormat::Warc,
            offset: off.0,
            uncompressed_offset: off.1,
            kind,
            headers,
            content_length: len,
            block,
            block_clipped: clipped,
        })
    }

    fn read_arc(&mut self, arc: ArcHeader, off: (u64, u64)) -> Result<Record, RecordError> {
        let (block, clipped) = self.read_block(arc.length, off)?;
        let kind = if arc.url.starts_with("filedesc:") {
            RecordType::Warcinfo
        } else if arc.url.starts_with("http:") || arc.url.starts_with("https:") {
            RecordType::Response
        } else {
            RecordType::Resource
        };
        let mut headers = vec![
            ("WARC-Target-URI".to_owned(), arc.url),
            ("WARC-Date".to_owned(), arc.date),
            ("Content-Type".to_owned(), arc.mime),
            ("Content-Length".to_owned(), arc.length.to_string()),
        ];
        if arc.ip != "0.0.0.0" && arc.ip != "-" {
            headers.push(("WARC-IP-Address".to_owned(), arc.ip));
        }
        Ok(Record {
            format: ArchiveFormat::Arc,
            offset: off.0,
            uncompressed_offset: off.1,
            kind,
            headers,
            content_length: arc.length,
            block,
            block_clipped: clipped,
        })
    }

    fn read_block(&mut self, len: u64, off: (u64, u64)) -> Result<(Vec<u8>, bool), RecordError> {
        let keep = len.min(MAX_BLOCK_BYTES);
        let mut block = std::mem::take(&mut self.spare_block);
        block.clear();
        block.reserve(keep as usize);
        // Copied out of the source's buffer (`read_to_end` would zero the block first).
        let mut want = keep as usize;
        while want > 0 {
            let buf = match self.src.fill_buf() {
                Ok(b) => b,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(self.err(SkipReason::BadGzip, off, format!("in block: {e}"))),
            };
            if buf.is_empty() {
                break;
            }
            let n = buf.len().min(want);
            block.extend_from_slice(&buf[..n]);
            self.src.consume(n);
            want -= n;
        }
        if (block.len() as u64) < keep {
            return Err(self.err(
                SkipReason::Truncated,
                off,
                format!("block has {} of {len} bytes", block.len()),
            ));
        }
        if len > keep {
            let skip = len - keep;
            match io::copy(&mut (&mut self.src).take(skip), &mut io::sink()) {
                Ok(n) if n == skip => {}
                Ok(_) => {
                    return Err(self.err(SkipReason::Truncated, off, "file ends inside block"));
                }
                Err(e) => return Err(self.err(SkipReason::BadGzip, off, e.to_string())),
            }
        }
        Ok((block, len > keep))
    }

    /// After an error: move to where the next record can start.
    fn recover(&mut self, err: &RecordError) {
        let gz_recovered = if err.reason == SkipReason::BadGzip {
            self.src.recover().unwrap_or(false)
        } else {
            false
        };
        if gz_recovered {
            self.resync = false;
            return;
        }
        if self.resync || err.reason == SkipReason::BadGzip {
            self.resync = false;
            self.scan_to_header();
        }
    }

    /// Reads lines until one that starts a WARC or ARC record; keeps it pending.
    fn scan_to_header(&mut self) {
        loop {
            let off = (self.src.file_offset(), self.src.uncompressed_offset());
            match self.read_line() {
                Ok(true) => {}
                Ok(false) | Err(_) => {
                    if self.src.recover().unwrap_or(false) {
                        continue;
                    }
                    self.done = true;
                    return;
                }
            }
            if self.line.starts_with(b"WARC/") || parse_arc_header(&self.line).is_some() {
                self.pending = Some((std::mem::take(&mut self.line), off.0, off.1));
                return;
            }
        }
    }
}

impl<R: Read> Iterator for RecordReader<R> {
    type Item = Result<Record, RecordError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        match self.read_record() {
            Ok(Some(r)) => Some(Ok(r)),
            Ok(None) => {
                self.done = true;
                None
            }
            Err(e) => {
                self.recover(&e);
                Some(Err(e))
            }
        }
    }
}

/// An ARC record header line (v1: 5 fields, v2: 10 fields; the length is last).
struct ArcHeader {
    url: String,
    ip: String,
    date: String,
    mime: String,
    length: u64,
}

fn parse_arc_header(line: &[u8]) -> Option<ArcHeader> {
    if line.len() > 8192 {
        return None;
    }
    let text = std::str::from_utf8(line).ok()?;
    let fields: Vec<&str> = text.split(' ').filter(|f| !f.is_empty()).collect();
    if fields.len() != 5 && fields.len() != 10 {
        return None;
    }
    let url = fields[0];
    if !url.contains(':') {
        return None;
    }
    let date = fields[2];
    if date.len() < 12 || date.len() > 18 || !date.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    // A negative or non-numeric length (seen in broken ARCs) reads as an empty block.
    let length = fields[fields.len() - 1].parse().unwrap_or(0);
    Some(ArcHeader {
        url: url.to_owned(),
        ip: fields[1].to_owned(),
        date: date.to_owned(),
        mime: fields[3].to_owned(),
        length,
    })
}

fn preview(line: &[u8]) -> String {
    String::from_utf8_lossy(&line[..line.len().min(60)]).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn warc(kind: &str, body: &str) -> String {
        format!(
            "WARC/1.0\r\nWARC-Type: {kind}\r\nContent-Length: {}\r\n\r\n{body}\r\n\r\n",
            body.len()
        )
    }

    #[test]
    fn reads_plain_records_and_recovers_from_bad_length() {
        let mut file = warc("warcinfo", "a: b\r\n");
        file.push_str(
            "WARC/1.0\r\nWARC-Type: response\r\nContent-Length: 5\r\n\r\n0123456789\r\n\r\n",
        );
        file.push_str(&warc("request", "GET / HTTP/1.1\r\n\r\n"));
        let items: Vec<_> = RecordReader::new(file.as_bytes())
            .expect("reader")
            .collect();
        let kinds: Vec<String> = items
            .iter()
            .map(|r| match r {
                Ok(r) => r.kind.as_str().to_owned(),
                Err(e) => e.reason.as_str().to_owned(),
            })
            .collect();
        assert_eq!(kinds, ["warcinfo", "response", "garbage", "request"]);
    }

    #[test]
    fn truncated_block_is_reported() {
        let file = "WARC/1.0\r\nWARC-Type: response\r\nContent-Length: 500\r\n\r\nshort";
        let items: Vec<_> = RecordReader::new(file.as_bytes())
            .expect("reader")
            .collect();
        assert_eq!(items.len(), 1);
        let e = items[0].as_ref().expect_err("truncated");
        assert_eq!(e.reason, SkipReason::Truncated);
        assert_eq!(e.offset, 0);
    }

    #[test]
    fn gzip_garbage_at_the_end_terminates() {
        use flate2::Compression;
        use flate2::write::GzEncoder;
        use std::io::Write;
        let mut e = GzEncoder::new(Vec::new(), Compression::fast());
        e.write_all(warc("warcinfo", "a: b\r\n").as_bytes())
            .expect("gzip");
        let mut file = e.finish().expect("gzip");
        file.extend_from_slice(b"\x1f\x8b\x08garbage that is not deflate \x1f\x8b\x1f");
        let items: Vec<_> = RecordReader::new(&file[..])
            .expect("reader")
            .take(100)
            .collect();
        assert!(items.len() < 10, "{items:?}");
        assert!(items[0].is_ok());
        assert!(items[1..].iter().all(Result::is_err));
    }

    #[test]
    fn arc_header_lines() {
        let h = parse_arc_header(
            b"http://www.example.com/ 93.184.216.34 20140216050221 text/html 1591",
        )
        .expect("arc v1");
        assert_eq!(h.length, 1591);
        assert!(parse_arc_header(b"HTTP/1.1 200 OK").is_none());
    }
}
