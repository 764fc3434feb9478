//! # hrefdex-extract: archives into page and link observations
//!
//! One job: read web archives (WARC 0.17–1.1, ARC, Common Crawl WAT; plain, gzip per
//! record or whole-file gzip) and turn every HTTP response into a
//! [`PageObservation`] with its [`LinkObservation`]s. It is step 2 of DESIGN.md §1.
//!
//! ```text
//! file ─► source (gzip members, offsets) ─► record::RecordReader ─► page::observe_record
//!                                                                   ├─ http   (status, codings)
//!                                                                   ├─ charset (BOM/header/meta)
//!                                                                   ├─ html   (lol_html, links)
//!                                                                   ├─ resolve (hrefs → normal form)
//!                                                                   └─ wat    (JSON links)
//!        ─► PageSink::page(PageObservation)          + ExtractStats (counts, skipped + why)
//! ```
//!
//! Entry points: [`extract_files`] (many files, parallel), [`extract_reader`] (one
//! stream, this thread), or [`RecordReader`] + [`observe_record`] to drive it
//! yourself. Bad records are counted in [`ExtractStats`] with file and offset, and
//! skipped; reading never panics on input and never gives up on a whole file.
//!
//! ```no_run
//! use hrefdex_extract::{CollectSink, extract_files};
//! let sink = CollectSink::new();
//! let stats = extract_files(&["crawl.warc.gz"], 0, &sink).expect("sink never fails");
//! println!("{} pages, {} links", stats.pages, stats.links);
//! ```

pub mod charset;
pub mod html;
pub mod http;
mod inflate;
pub mod limits;
pub mod observation;
pub mod page;
pub mod pipeline;
pub mod record;
mod resolve;
pub mod snippet;
mod source;
pub mod text;
pub mod time;
pub mod wat;

pub use observation::{LinkObservation, LinkType, PageObservation};
pub use page::{Outcome, observe_record};
pub use pipeline::{
    CollectSink, ExtractStats, PageSink, SinkError, SkippedRecord, extract_file_parallel,
    extract_files, extract_reader,
};
pub use record::{ArchiveFormat, Record, RecordError, RecordReader, RecordType, SkipReason};
