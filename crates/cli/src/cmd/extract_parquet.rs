//! Parquet output of `hrefdex extract`: one row per link, with its page's columns; a page
//! without links is one row whose link columns are null.

use std::fs::File;
use std::path::Path;
use std::sync::{Arc, Mutex};

use chrono::DateTime;
use hrefdex_extract::{PageObservation, PageSink, SinkError};
use hrefdex_index::arrow::array::{
    ArrayRef, BooleanArray, Int32Array, Int64Array, RecordBatch, StringArray,
    TimestampMicrosecondArray,
};
use hrefdex_index::arrow::datatypes::{DataType, Field, Schema, SchemaRef, TimeUnit};
use hrefdex_index::parquet::arrow::ArrowWriter;
use hrefdex_index::parquet::basic::{Compression, ZstdLevel};
use hrefdex_index::parquet::file::properties::WriterProperties;

/// Rows buffered before a record batch is written.
const BATCH_ROWS: usize = 8_192;

fn schema() -> SchemaRef {
    let s = |n: &str, null: bool| Field::new(n, DataType::Utf8, null);
    Arc::new(Schema::new(vec![
        s("url", false),
        Field::new(
            "visited",
            DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into())),
            true,
        ),
        Field::new("http_code", DataType::Int32, false),
        s("redirect_to", true),
        s("ip", true),
        s("title", false),
        s("encoding", false),
        s("language", false),
        Field::new("page_size", DataType::Int64, false),
        Field::new("links_internal", DataType::Int32, false),
        Field::new("links_external", DataType::Int32, false),
        s("canonical", true),
        s("content_type", false),
        s("archive", false),
        Field::new("archive_offset", DataType::Int64, false),
        s("url_to", true),
        s("link_type", true),
        s("anchor", true),
        s("alt", true),
        Field::new("nofollow", DataType::Boolean, true),
        Field::new("ugc", DataType::Boolean, true),
        Field::new("sponsored", DataType::Boolean, true),
        Field::new("redirect", DataType::Int32, true),
        s("text_pre", true),
        s("text_post", true),
    ]))
}

/// A [`PageSink`] that writes Parquet.
pub struct ParquetSink {
    state: Mutex<State>,
}

struct State {
    rows: Vec<PageObservation>,
    pending: usize,
    writer: Option<ArrowWriter<File>>,
}

impl ParquetSink {
    /// Creates the output file.
    pub fn create(path: &Path) -> anyhow::Result<ParquetSink> {
        let file = File::create(path)?;
        let props = WriterProperties::builder()
            .set_compression(Compression::ZSTD(ZstdLevel::default()))
            .build();
        let writer = ArrowWriter::try_new(file, schema(), Some(props))?;
        Ok(ParquetSink {
            state: Mutex::new(State {
                rows: Vec::new(),
                pending: 0,
                writer: Some(writer),
            }),
        })
    }

    /// Writes what is buffered and the file footer.
    pub fn finish(self) -> anyhow::Result<()> {
        let mut st = self
            .state
            .into_inner()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        st.flush()?;
        if let Some(w) = st.writer.take() {
            w.close()?;
        }
        Ok(())
    }
}

impl PageSink for ParquetSink {
    fn page(&self, page: PageObservation) -> Result<(), SinkError> {
        let mut st = self
            .state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        st.pending += page.links.len().max(1);
        st.rows.push(page);
        if st.pending >= BATCH_ROWS {
            st.flush().map_err(|e| SinkError(e.into()))?;
        }
        Ok(())
    }
}

impl State {
    fn flush(&mut self) -> anyhow::Result<()> {
        if self.rows.is_empty() {
            return Ok(());
        }
        let batch = to_batch(&self.rows)?;
        if let Some(w) = self.writer.as_mut() {
            w.write(&batch)?;
        }
        self.rows.clear();
        self.pending = 0;
        Ok(())
    }
}

fn to_batch(pages: &[PageObservation]) -> anyhow::Result<RecordBatch> {
    // (page index, link index) per output row.
    let rows: Vec<(usize, Option<usize>)> = pages
        .iter()
        .enumerate()
        .flat_map(|(p, page)| {
            let n = page.links.len();
            (0..n.max(1)).map(move |l| (p, (n > 0).then_some(l)))
        })
        .collect();
    let page = |r: &(usize, Option<usize>)| &pages[r.0];
    let link = |r: &(usize, Option<usize>)| r.1.map(|l| &pages[r.0].links[l]);
    let visited = |p: &PageObservation| {
        DateTime::parse_from_rfc3339(&p.visited)
            .ok()
            .map(|t| t.timestamp_micros())
    };
    let cols: Vec<ArrayRef> = vec![
        Arc::new(StringArray::from_iter_values(
            rows.iter().map(|r| page(r).url.as_str()),
        )),
        Arc::new(
            TimestampMicrosecondArray::from(
                rows.iter().map(|r| visited(page(r))).collect::<Vec<_>>(),
            )
            .with_timezone("UTC"),
        ),
        Arc::new(Int32Array::from_iter_values(
            rows.iter().map(|r| i32::from(page(r).http_code)),
        )),
        Arc::new(StringArray::from_iter(
            rows.iter().map(|r| page(r).redirect_to.as_deref()),
        )),
        Arc::new(StringArray::from_iter(
            rows.iter().map(|r| page(r).ip.as_deref()),
        )),
        Arc::new(StringArray::from_iter_values(
            rows.iter().map(|r| page(r).title.as_str()),
        )),
        Arc::new(StringArray::from_iter_values(
            rows.iter().map(|r| page(r).encoding.as_str()),
        )),
        Arc::new(StringArray::from_iter_values(
            rows.iter().map(|r| page(r).language.as_str()),
        )),
        Arc::new(Int64Array::from_iter_values(
            rows.iter()
                .map(|r| i64::try_from(page(r).page_size).unwrap_or(i64::MAX)),
        )),
        Arc::new(Int32Array::from_iter_values(rows.iter().map(|r| {
            i32::try_from(page(r).links_internal).unwrap_or(i32::MAX)
        }))),
        Arc::new(Int32Array::from_iter_values(rows.iter().map(|r| {
            i32::try_from(page(r).links_external).unwrap_or(i32::MAX)
        }))),
        Arc::new(StringArray::from_iter(
            rows.iter().map(|r| page(r).canonical.as_deref()),
        )),
        Arc::new(StringArray::from_iter_values(
            rows.iter().map(|r| page(r).content_type.as_str()),
        )),
        Arc::new(StringArray::from_iter_values(
            rows.iter().map(|r| page(r).archive.as_str()),
        )),
        Arc::new(Int64Array::from_iter_values(rows.iter().map(|r| {
            i64::try_from(page(r).archive_offset).unwrap_or(i64::MAX)
        }))),
        Arc::new(StringArray::from_iter(
            rows.iter().map(|r| link(r).map(|l| l.url_to.as_str())),
        )),
        Arc::new(StringArray::from_iter(
            rows.iter().map(|r| link(r).map(|l| l.link_type.as_str())),
        )),
        Arc::new(StringArray::from_iter(
            rows.iter().map(|r| link(r).map(|l| l.anchor.as_str())),
        )),
        Arc::new(StringArray::from_iter(
            rows.iter().map(|r| link(r).map(|l| l.alt.as_str())),
        )),
        Arc::new(BooleanArray::from(
            rows.iter()
                .map(|r| link(r).map(|l| l.nofollow))
                .collect::<Vec<_>>(),
        )),
        Arc::new(BooleanArray::from(
            rows.iter()
                .map(|r| link(r).map(|l| l.ugc))
                .collect::<Vec<_>>(),
        )),
        Arc::new(BooleanArray::from(
            rows.iter()
                .map(|r| link(r).map(|l| l.sponsored))
                .collect::<Vec<_>>(),
        )),
        Arc::new(Int32Array::from(
            rows.iter()
                .map(|r| link(r).map(|l| i32::from(l.redirect)))
                .collect::<Vec<_>>(),
        )),
        Arc::new(StringArray::from_iter(
            rows.iter().map(|r| link(r).map(|l| l.text_pre.as_str())),
        )),
        Arc::new(StringArray::from_iter(
            rows.iter().map(|r| link(r).map(|l| l.text_post.as_str())),
        )),
    ];
    Ok(RecordBatch::try_new(schema(), cols)?)
}
