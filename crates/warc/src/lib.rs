//! # hrefdex-warc: writing WARC/1.1 files
//!
//! One job: write standard ISO 28500 WARC/1.1 records that any reader (hrefdex's own
//! `hrefdex-extract`, pywb, warcio, Common Crawl tooling) can read back. It is the
//! output half of DESIGN.md §1 step 1: the crawler and the synthetic web generator
//! (`hrefdex-gen`) both write through it.
//!
//! ```text
//! WarcWriter<W: Write>
//!   write_warcinfo ─┐
//!   write_request  ─┼─► record::Header (WARC fields) + block ─► one gzip member ─► W
//!   write_response ─┤        (digests: sha1, base32)
//!   write_revisit  ─┤
//!   write_capture  ─┤  (a response with extra fields, e.g. WARC-Truncated)
//!   write_metadata ─┘
//! RotatingWarcWriter: a new file every `max_bytes` (each starts with a warcinfo record)
//! ```
//!
//! Every record is its own gzip member (the `.warc.gz` convention), so a reader can
//! seek to any record offset ([`RecordInfo::offset`]). Record ids are `urn:uuid:`s;
//! with [`WriterOptions::seed`] set they are deterministic, so the same input gives a
//! byte-identical file.
//!
//! ```
//! use chrono::{TimeZone, Utc};
//! use hrefdex_warc::{WarcWriter, WriterOptions};
//! let mut w = WarcWriter::new(Vec::new(), WriterOptions::seeded(7));
//! let date = Utc.with_ymd_and_hms(2024, 1, 1, 12, 0, 0).unwrap();
//! w.write_warcinfo(date, "example.warc.gz", &[("software", "hrefdex")]).unwrap();
//! let body = b"<html><a href=\"/b\">b</a></html>";
//! w.write_response("http://example.com/", date, Some("93.184.216.34"), 200,
//!                  &[("Content-Type", "text/html")], body).unwrap();
//! let bytes = w.into_inner().unwrap();
//! assert!(bytes.starts_with(&[0x1f, 0x8b]));
//! ```

mod digest;
mod error;
mod http;
mod ids;
mod rotate;
mod writer;

pub use digest::sha1_base32;
pub use error::WarcError;
pub use http::{reason_phrase, request_head, response_head};
pub use rotate::RotatingWarcWriter;
pub use writer::{HttpCapture, RecordInfo, WarcWriter, WriterOptions};
