//! [`WarcWriter`]: records into any `Write`, one gzip member per record.

use std::io::Write;

use chrono::{DateTime, Utc};
use flate2::Compression;
use flate2::write::GzEncoder;

use crate::digest::sha1_base32;
use crate::error::WarcError;
use crate::http::{request_head, response_head};
use crate::ids::RecordIds;

/// The WARC version line every record starts with.
pub const WARC_VERSION: &str = "WARC/1.1";
/// `WARC-Profile` of a revisit whose payload equals an earlier capture's.
pub const IDENTICAL_PAYLOAD_PROFILE: &str =
    "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest";

/// How records are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WriterOptions {
    /// Compress each record as its own gzip member (`.warc.gz`); plain `.warc` when false.
    pub gzip: bool,
    /// gzip level 0–9 (1 is fast, 6 is gzip's default).
    pub level: u32,
    /// Seed for deterministic record ids; `None` seeds from the clock.
    pub seed: Option<u64>,
}

impl Default for WriterOptions {
    fn default() -> Self {
        WriterOptions {
            gzip: true,
            level: 6,
            seed: None,
        }
    }
}

impl WriterOptions {
    /// gzip, default level, deterministic ids from `seed`.
    pub fn seeded(seed: u64) -> WriterOptions {
        WriterOptions {
            seed: Some(seed),
            ..WriterOptions::default()
        }
    }
}

/// Where a written record is, and what a later revisit needs to refer to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordInfo {
    /// `WARC-Record-ID`, with its angle brackets.
    pub id: String,
    /// `WARC-Target-URI` (empty for warcinfo).
    pub target_uri: String,
    /// `WARC-Date` as written.
    pub date: String,
    /// Output offset of the record (of its gzip member when compressed).
    pub offset: u64,
    /// Bytes the record takes in the output.
    pub length: u64,
    /// `WARC-Payload-Digest` of a response (the HTTP body), if any.
    pub payload_digest: Option<String>,
}

/// Writes WARC/1.1 records to `W`.
///
/// Each `write_*` call writes one whole record (and, with gzip, one whole member), so
/// the output is valid after every call. Call [`WarcWriter::into_inner`] (or
/// [`WarcWriter::flush`]) at the end to flush.
#[derive(Debug)]
pub struct WarcWriter<W: Write> {
    inner: W,
    offset: u64,
    options: WriterOptions,
    ids: RecordIds,
    buf: Vec<u8>,
}

/// WARC date form: UTC, seconds.
fn warc_date(date: DateTime<Utc>) -> String {
    date.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

fn check_field(name: &str, value: &str) -> Result<(), WarcError> {
    let bad_name = name.is_empty()
        || name
            .bytes()
            .any(|b| b == b':' || b.is_ascii_whitespace() || b.is_ascii_control());
    if bad_name {
        return Err(WarcError::InvalidField {
            name: name.to_owned(),
            reason: "a name must be non-empty, without colon, space or control bytes",
        });
    }
    if value.bytes().any(|b| b == b'\r' || b == b'\n') {
        return Err(WarcError::InvalidField {
            name: name.to_owned(),
            reason: "a value must not contain CR or LF",
        });
    }
    Ok(())
}

/// An `application/warc-fields` block: one `name: value` line per field.
fn warc_fields_block(fields: &[(&str, &str)]) -> Result<Vec<u8>, WarcError> {
    let mut block = Vec::new();
    for (k, v) in fields {
        check_field(k, v)?;
        block.extend_from_slice(format!("{k}: {v}\r\n").as_bytes());
    }
    Ok(block)
}

/// One HTTP exchange's response as it is archived: what [`WarcWriter::write_capture`]
/// writes.
#[derive(Debug, Clone, Copy)]
pub struct HttpCapture<'a> {
    /// `WARC-Target-URI`.
    pub uri: &'a str,
    /// When the response was received.
    pub date: DateTime<Utc>,
    /// The server's IP address (`WARC-IP-Address`).
    pub ip: Option<&'a str>,
    /// HTTP status code.
    pub status: u16,
    /// Response headers as they are to be archived.
    pub headers: &'a [(&'a str, &'a str)],
    /// The body (payload).
    pub body: &'a [u8],
}

impl<W: Write> WarcWriter<W> {
    /// A writer at output offset 0.
    pub fn new(inner: W, options: WriterOptions) -> WarcWriter<W> {
        WarcWriter::with_offset(inner, options, 0)
    }

    /// A writer whose output already holds `offset` bytes (appending to a file).
    pub fn with_offset(inner: W, options: WriterOptions, offset: u64) -> WarcWriter<W> {
        WarcWriter {
            inner,
            offset,
            ids: RecordIds::new(options.seed),
            options,
            buf: Vec::new(),
        }
    }

    /// Bytes written so far (the offset of the next record).
    pub fn bytes_written(&self) -> u64 {
        self.offset
    }

    /// The underlying writer.
    pub fn get_ref(&self) -> &W {
        &self.inner
    }

    /// Flushes the underlying writer.
    pub fn flush(&mut self) -> Result<(), WarcError> {
        let offset = self.offset;
        self.inner
            .flush()
            .map_err(|source| WarcError::Io { offset, source })
    }

    /// Flushes and returns the underlying writer.
    pub fn into_inner(mut self) -> Result<W, WarcError> {
        self.flush()?;
        Ok(self.inner)
    }

    /// A fresh `WARC-Record-ID` (for callers that need it before writing, e.g. to link
    /// a request to its response with `WARC-Concurrent-To`).
    pub fn new_record_id(&mut self) -> String {
        self.ids.next_id()
    }

    /// Writes a `warcinfo` record: `fields` become `name: value` lines of an
    /// `application/warc-fields` block.
    pub fn write_warcinfo(
        &mut self,
        date: DateTime<Utc>,
        filename: &str,
        fields: &[(&str, &str)],
    ) -> Result<RecordInfo, WarcError> {
        let block = warc_fields_block(fields)?;
        let id = self.ids.next_id();
        let date = warc_date(date);
        let mut head = vec![
            ("WARC-Type", "warcinfo"),
            ("WARC-Record-ID", id.as_str()),
            ("WARC-Date", date.as_str()),
        ];
        if !filename.is_empty() {
            head.push(("WARC-Filename", filename));
        }
        head.push(("Content-Type", "application/warc-fields"));
        self.write_record(&head, &block, None, "")
    }

    /// Writes a `response` record of an HTTP exchange: status line, `headers` as given
    /// (the caller supplies `Content-Type`, `Content-Length`, `Location`, …), then `body`.
    pub fn write_response(
        &mut self,
        uri: &str,
        date: DateTime<Utc>,
        ip: Option<&str>,
        status: u16,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> Result<RecordInfo, WarcError> {
        let id = self.ids.next_id();
        self.write_response_with_id(&id, uri, date, ip, status, headers, body)
    }

    /// [`WarcWriter::write_response`] with a record id taken from
    /// [`WarcWriter::new_record_id`].
    #[allow(clippy::too_many_arguments)] // one argument per field of an HTTP capture
    pub fn write_response_with_id(
        &mut self,
        id: &str,
        uri: &str,
        date: DateTime<Utc>,
        ip: Option<&str>,
        status: u16,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> Result<RecordInfo, WarcError> {
        let capture = HttpCapture {
            uri,
            date,
            ip,
            status,
            headers,
            body,
        };
        self.write_capture(id, &capture, &[])
    }

    /// Writes a `response` record of `capture` with record id `id` (from
    /// [`WarcWriter::new_record_id`]); `extra` WARC fields (e.g. `WARC-Truncated`,
    /// `WARC-Concurrent-To`) follow the standard ones.
    pub fn write_capture(
        &mut self,
        id: &str,
        capture: &HttpCapture<'_>,
        extra: &[(&str, &str)],
    ) -> Result<RecordInfo, WarcError> {
        for (k, v) in capture.headers {
            check_field(k, v)?;
        }
        check_field("WARC-Target-URI", capture.uri)?;
        let mut block = response_head(capture.status, capture.headers);
        block.extend_from_slice(capture.body);
        let payload = sha1_base32(capture.body);
        let date = warc_date(capture.date);
        let mut head = vec![
            ("WARC-Type", "response"),
            ("WARC-Record-ID", id),
            ("WARC-Date", date.as_str()),
            ("WARC-Target-URI", capture.uri),
        ];
        if let Some(ip) = capture.ip {
            head.push(("WARC-IP-Address", ip));
        }
        head.push(("Content-Type", "application/http; msgtype=response"));
        head.push(("WARC-Payload-Digest", payload.as_str()));
        head.extend_from_slice(extra);
        self.write_record(&head, &block, Some(payload.clone()), capture.uri)
    }

    /// Writes a `metadata` record about `uri` (e.g. how a crawler reached it): `fields`
    /// become `name: value` lines of an `application/warc-fields` block, linked to the
    /// capture by `WARC-Concurrent-To` when `concurrent_to` is set.
    pub fn write_metadata(
        &mut self,
        uri: &str,
        date: DateTime<Utc>,
        concurrent_to: Option<&str>,
        fields: &[(&str, &str)],
    ) -> Result<RecordInfo, WarcError> {
        check_field("WARC-Target-URI", uri)?;
        let block = warc_fields_block(fields)?;
        let id = self.ids.next_id();
        let date = warc_date(date);
        let mut head = vec![
            ("WARC-Type", "metadata"),
            ("WARC-Record-ID", id.as_str()),
            ("WARC-Date", date.as_str()),
            ("WARC-Target-URI", uri),
        ];
        if let Some(c) = concurrent_to {
            head.push(("WARC-Concurrent-To", c));
        }
        head.push(("Content-Type", "application/warc-fields"));
        self.write_record(&head, &block, None, uri)
    }

    /// Writes a `request` record (`GET` etc. with a `Host` header added unless given),
    /// linked to its response by `WARC-Concurrent-To` when `concurrent_to` is set.
    pub fn write_request(
        &mut self,
        uri: &str,
        date: DateTime<Utc>,
        method: &str,
        headers: &[(&str, &str)],
        concurrent_to: Option<&str>,
    ) -> Result<RecordInfo, WarcError> {
        for (k, v) in headers {
            check_field(k, v)?;
        }
        check_field("WARC-Target-URI", uri)?;
        check_field("method", method)?;
        let block = request_head(method, uri, headers);
        let id = self.ids.next_id();
        let date = warc_date(date);
        let mut head = vec![
            ("WARC-Type", "request"),
            ("WARC-Record-ID", id.as_str()),
            ("WARC-Date", date.as_str()),
            ("WARC-Target-URI", uri),
        ];
        if let Some(c) = concurrent_to {
            check_field("WARC-Concurrent-To", c)?;
            head.push(("WARC-Concurrent-To", c));
        }
        head.push(("Content-Type", "application/http; msgtype=request"));
        self.write_record(&head, &block, None, uri)
    }

    /// Writes a `revisit` record (profile identical-payload-digest): the response's
    /// status and headers, no body, referring to the earlier capture `original`.
    pub fn write_revisit(
        &mut self,
        date: DateTime<Utc>,
        ip: Option<&str>,
        status: u16,
        headers: &[(&str, &str)],
        original: &RecordInfo,
    ) -> Result<RecordInfo, WarcError> {
        for (k, v) in headers {
            check_field(k, v)?;
        }
        let block = response_head(status, headers);
        let id = self.ids.next_id();
        let date = warc_date(date);
        let uri = original.target_uri.as_str();
        let mut head = vec![
            ("WARC-Type", "revisit"),
            ("WARC-Record-ID", id.as_str()),
            ("WARC-Date", date.as_str()),
            ("WARC-Target-URI", uri),
        ];
        if let Some(ip) = ip {
            check_field("WARC-IP-Address", ip)?;
            head.push(("WARC-IP-Address", ip));
        }
        head.push(("WARC-Profile", IDENTICAL_PAYLOAD_PROFILE));
        head.push(("WARC-Refers-To", original.id.as_str()));
        head.push(("WARC-Refers-To-Target-URI", uri));
        head.push(("WARC-Refers-To-Date", original.date.as_str()));
        if let Some(p) = &original.payload_digest {
            head.push(("WARC-Payload-Digest", p.as_str()));
        }
        head.push(("Content-Type", "application/http; msgtype=response"));
        let payload = original.payload_digest.clone();
        self.write_record(&head, &block, payload, uri)
    }

    /// Writes one record: the version line, `fields` in order, `WARC-Block-Digest` and
    /// `Content-Length` (added here), the block, and the two closing CRLFs.
    fn write_record(
        &mut self,
        fields: &[(&str, &str)],
        block: &[u8],
        payload_digest: Option<String>,
        target_uri: &str,
    ) -> Result<RecordInfo, WarcError> {
        let mut head = String::with_capacity(512);
        head.push_str(WARC_VERSION);
        head.push_str("\r\n");
        let mut id = String::new();
        let mut date = String::new();
        for (k, v) in fields {
            check_field(k, v)?;
            match *k {
                "WARC-Record-ID" => id = (*v).to_owned(),
                "WARC-Date" => date = (*v).to_owned(),
                _ => {}
            }
            head.push_str(k);
            head.push_str(": ");
            head.push_str(v);
            head.push_str("\r\n");
        }
        head.push_str("WARC-Block-Digest: ");
        head.push_str(&sha1_base32(block));
        head.push_str("\r\nContent-Length: ");
        head.push_str(&block.len().to_string());
        head.push_str("\r\n\r\n");

        let offset = self.offset;
        let io = |source| WarcError::Io { offset, source };
        self.buf.clear();
        if self.options.gzip {
            let mut gz = GzEncoder::new(
                std::mem::take(&mut self.buf),
                Compression::new(self.options.level.min(9)),
            );
            gz.write_all(head.as_bytes()).map_err(io)?;
            gz.write_all(block).map_err(io)?;
            gz.write_all(b"\r\n\r\n").map_err(io)?;
            self.buf = gz.finish().map_err(io)?;
        } else {
            self.buf.extend_from_slice(head.as_bytes());
            self.buf.extend_from_slice(block);
            self.buf.extend_from_slice(b"\r\n\r\n");
        }
        self.inner.write_all(&self.buf).map_err(io)?;
        let length = self.buf.len() as u64;
        self.offset += length;
        Ok(RecordInfo {
            id,
            target_uri: target_uri.to_owned(),
            date,
            offset,
            length,
            payload_digest,
        })
    }
}
