//! Delta Lake operations on one table: overwrite with new sorted files, append, read.
//!
//! We write Parquet through `deltalake`'s `RecordBatchWriter` (which records per-file
//! statistics in the log) with our own writer properties, and commit the new files
//! together with `remove` actions for every file of the current snapshot, so that each
//! build replaces a table's contents in one atomic Delta commit.

use std::ops::Range;
use std::path::{Path, PathBuf};

use deltalake::DeltaTable;
use deltalake::arrow::array::RecordBatch;
use deltalake::arrow::datatypes::SchemaRef;
use deltalake::arrow::error::ArrowError;
use deltalake::kernel::engine::arrow_conversion::TryFromArrow;
use deltalake::kernel::transaction::CommitBuilder;
use deltalake::kernel::{Action, StructType};
use deltalake::parquet::arrow::ProjectionMask;
use deltalake::parquet::arrow::arrow_reader::{
    ArrowReaderOptions, ParquetRecordBatchReaderBuilder, RowSelection,
};
use deltalake::parquet::basic::{Compression, Encoding};
use deltalake::parquet::file::metadata::PageIndexPolicy;
use deltalake::parquet::file::properties::{EnabledStatistics, WriterProperties};
use deltalake::parquet::file::reader::{FileReader, SerializedFileReader};
use deltalake::parquet::schema::types::ColumnPath;
use deltalake::protocol::{DeltaOperation, SaveMode};
use deltalake::writer::{DeltaWriter, RecordBatchWriter};
use futures::TryStreamExt;
use url::Url;

use super::StoreError;

/// Rows per Parquet row group: small groups let a single-target lookup read little
/// (DESIGN.md §7: 8,192-row groups with page statistics beat 64K-row groups).
pub const ROW_GROUP_ROWS: usize = 8_192;

/// Rows per data page. A lookup decodes only the pages its key range overlaps (the page
/// index says which), so a page is the unit of work of a small lookup: 1,024 rows keeps
/// that to a few kilobytes per column instead of a whole 8,192-row column chunk.
pub const PAGE_ROWS: usize = 1_024;

/// Bytes per data page of the long-text columns ([`long_text`]), instead of
/// [`PAGE_ROWS`] rows: a 1,024-row page of snippets is about 50 KB, and an answer row
/// needs its whole page decompressed. With small pages a lookup decompresses a few
/// kilobytes of text per row it returns. 8 KiB rather than 4: since the largest
/// targets' rows come from `links_head`, small and median lookups were as fast with
/// either, and the text compresses better in the larger pages (15.6 bytes per link
/// fewer at 10M links; 16 KiB saved 9 more but made those lookups about 5 % slower;
/// docs/perf-log.md, "Long text in 8 KiB pages").
pub const TEXT_PAGE_BYTES: usize = 8_192;

/// Columns of long text that lookups return but never filter, group or sort on.
fn long_text(table: &str) -> &'static [&'static str] {
    match table {
        "links_in" | "links_head" => &["text_pre", "text_post", "title", "url_from"],
        _ => &[],
    }
}

/// Columns written without a dictionary. A column chunk's dictionary is read whole by
/// any read of one of its rows, so it only pays where values repeat a lot within a row
/// group. Written plain here: columns that differ on nearly every row of a table in its
/// sort order (a dictionary would hold the whole chunk), and in `links_in` the referring
/// page's host, domain, IP, dates and the anchor, whose dictionaries hold thousands of
/// values per row group (15–35 KB compressed each): a small lookup decoded about 200 KB
/// of dictionaries to return a few rows. In `domains` every row has its own domain, raw
/// rating and position: their dictionaries (130 KB a row group) were most of the work of
/// a `domain_rating` call, the commonest request of all.
fn without_dictionary(table: &str) -> &'static [&'static str] {
    match table {
        "links_in" | "links_head" => &[
            "url_from",
            "text_pre",
            "text_post",
            "title",
            "link",
            "from_host",
            "from_domain",
            "ip_from",
            "anchor",
            "first_seen",
            "last_visited",
            "url_from_first_seen",
        ],
        "links_out" => &["url_to", "link"],
        "domains" => &["domain", "dr_raw", "ahrefs_top"],
        "link_events" => &["link"],
        "pages" => &[
            "url_key",
            "url",
            "title",
            "h1",
            "h2",
            "description",
            "meta_social",
            "images_alt",
        ],
        _ => &[],
    }
}

/// Columns written without statistics: long text that no lookup filters on by range.
/// Minimum and maximum of snippets, titles or referring URLs in a table sorted by target
/// prune nothing, and computing them compared every value written (about 4 % of an
/// import's write phase at 10M links, most of it in `links_in`).
fn without_statistics(table: &str) -> &'static [&'static str] {
    match table {
        "links_in" | "links_head" => &["text_pre", "text_post", "title", "alt", "url_from"],
        "links_out" => &["title", "alt"],
        "pages" => &[
            "title",
            "h1",
            "h2",
            "description",
            "meta_social",
            "images_alt",
        ],
        _ => &[],
    }
}

/// The column a table is sorted by, the one lookups range over.
fn sort_key(table: &str) -> Option<&'static str> {
    match table {
        "links_head" => Some("head"),
        "links_in" | "link_events" => Some("to_key"),
        "links_out" => Some("from_key"),
        "pages" => Some("url_key"),
        "domains" => Some("domain"),
        _ => None,
    }
}

/// How every table is compressed: LZ4, for what a lookup pays to read.
///
/// parquet-rs (59) makes a zstd compression and a decompression context for every column
/// chunk it opens, reads included, and zstd asks the CPU for its features (`CPUID`, three
/// times) each time it makes one. On a virtual machine, where most servers run, `CPUID`
/// traps to the hypervisor: 7 µs here, about 45 µs per zstd column chunk opened. A
/// small `pages` lookup opened 14 of them and spent two thirds of its time there; with
/// every table in LZ4, `pages` got 3.5× faster, `broken_links` 2.3×, `metrics` 1.6×, and
/// no lookup slower, for 7.8 % more bytes (zstd level 3 kept `links_out`, `pages` and
/// `link_events` 30 % smaller; docs/perf-log.md, "Every table in LZ4"). `links_in` was
/// already LZ4 for the decoding itself (a `backlinks` lookup 1.1–2× faster than with zstd,
/// for 47 % more bytes), and zstd on its long text alone, 4 KiB pages and all, still made
/// a small `backlinks` lookup 1.6× slower to save 52 bytes per link.
const COMPRESSION: Compression = Compression::LZ4_RAW;

/// Writer settings for `table`: LZ4, dictionaries where values repeat, small
/// pages in small row groups, and page-level statistics (the column index) on the sort
/// key only.
///
/// Every other column gets row-group statistics alone: per-page minimum and maximum of
/// snippets or titles prune nothing, yet at 10M rows they are tens of megabytes of
/// footer that every reader must parse and DataFusion's metadata cache must hold. The
/// longest text gets none at all ([`without_statistics`]).
pub fn writer_properties(table: &str) -> WriterProperties {
    let mut builder = WriterProperties::builder()
        .set_compression(COMPRESSION)
        .set_dictionary_enabled(true)
        .set_statistics_enabled(EnabledStatistics::Chunk)
        .set_max_row_group_row_count(Some(ROW_GROUP_ROWS))
        .set_data_page_row_count_limit(PAGE_ROWS)
        .set_write_batch_size(PAGE_ROWS);
    for column in without_dictionary(table) {
        builder = builder.set_column_dictionary_enabled(ColumnPath::from(*column), false);
    }
    for column in without_statistics(table) {
        builder = builder
            .set_column_statistics_enabled(ColumnPath::from(*column), EnabledStatistics::None);
    }
    for column in long_text(table) {
        builder =
            builder.set_column_data_page_size_limit(ColumnPath::from(*column), TEXT_PAGE_BYTES);
    }
    if let Some(key) = sort_key(table) {
        builder =
            builder.set_column_statistics_enabled(ColumnPath::from(key), EnabledStatistics::Page);
    }
    if table == "links_in" {
        // `link` counts the rows: delta encoding stores it in a few bytes per page.
        builder =
            builder.set_column_encoding(ColumnPath::from("link"), Encoding::DELTA_BINARY_PACKED);
    }
    builder.build()
}

/// The table a Delta table directory holds (its last path component).
fn table_name(path: &Path) -> &str {
    path.file_name().and_then(|n| n.to_str()).unwrap_or("")
}

fn table_url(path: &Path) -> Result<Url, StoreError> {
    std::fs::create_dir_all(path).map_err(|e| StoreError::io(path, e))?;
    let abs = std::fs::canonicalize(path).map_err(|e| StoreError::io(path, e))?;
    Url::from_directory_path(&abs).map_err(|()| StoreError::Corrupt {
        table: "index",
        detail: format!("not a usable path: {}", abs.display()),
    })
}

/// Whether a Delta table exists at `path`.
pub fn exists(path: &Path) -> bool {
    path.join("_delta_log").is_dir()
}

async fn open_or_create(path: &Path, schema: &SchemaRef) -> Result<DeltaTable, StoreError> {
    let url = table_url(path)?;
    if exists(path) {
        return Ok(deltalake::open_table(url).await?);
    }
    let columns = StructType::try_from_arrow(schema.as_ref())?;
    Ok(DeltaTable::try_from_url(url)
        .await?
        .create()
        .with_columns(columns.fields().cloned())
        .await?)
}

/// Replaces the table's contents with `batches` in one commit; returns the new version.
/// Batches are pulled one at a time, so a lazy iterator keeps memory to one batch.
pub async fn overwrite(
    path: &Path,
    schema: &SchemaRef,
    batches: impl IntoIterator<Item = Result<RecordBatch, ArrowError>>,
) -> Result<u64, StoreError> {
    write(path, schema, batches, SaveMode::Overwrite).await
}

/// Writes `batches` as new files and commits them, with a `remove` for every current
/// file when `mode` is [`SaveMode::Overwrite`]; returns the new version.
async fn write(
    path: &Path,
    schema: &SchemaRef,
    batches: impl IntoIterator<Item = Result<RecordBatch, ArrowError>>,
    mode: SaveMode,
) -> Result<u64, StoreError> {
    let table = open_or_create(path, schema).await?;
    let snapshot = table.snapshot()?;
    let log_store = table.log_store();
    let removes: Vec<Action> = if mode == SaveMode::Overwrite {
        snapshot
            .snapshot()
            .file_views(log_store.as_ref(), None)
            .map_ok(|f| Action::Remove(f.remove_action(true)))
            .try_collect()
            .await?
    } else {
        Vec::new()
    };
    // A table written by an older hrefdex has an older schema: the new version carries
    // the new one (added columns are nullable, so older versions still read).
    let wanted = StructType::try_from_arrow(schema.as_ref())?;
    let evolved = (*snapshot.schema() != wanted)
        .then(|| with_schema(snapshot.metadata(), &wanted))
        .transpose()?;
    let writer = if evolved.is_some() {
        RecordBatchWriter::try_new(table_url(path)?, SchemaRef::clone(schema), None, None)?
    } else {
        RecordBatchWriter::for_table(&table)?
    };
    let mut writer = writer.with_writer_properties(writer_properties(table_name(path)));
    for batch in batches {
        writer.write(batch?).await?;
    }
    let mut actions: Vec<Action> = writer.flush().await?.into_iter().map(Action::Add).collect();
    actions.extend(removes);
    actions.extend(evolved.map(Action::Metadata));
    let operation = DeltaOperation::Write {
        mode,
        partition_by: None,
        predicate: None,
    };
    let done = CommitBuilder::default()
        .with_actions(actions)
        .build(Some(snapshot), log_store, operation)
        .await?;
    Ok(done.version())
}

/// `metadata` with its schema replaced. `deltalake` 1.1 has no public builder for this, so
/// the action goes through its log form (the `schemaString` field of the Delta protocol).
fn with_schema(
    metadata: &deltalake::kernel::Metadata,
    schema: &StructType,
) -> Result<deltalake::kernel::Metadata, StoreError> {
    let corrupt = |e: serde_json::Error| StoreError::Corrupt {
        table: "index",
        detail: format!("cannot evolve a table schema: {e}"),
    };
    let mut value = serde_json::to_value(metadata).map_err(corrupt)?;
    value["schemaString"] =
        serde_json::Value::String(serde_json::to_string(schema).map_err(corrupt)?);
    serde_json::from_value(value).map_err(corrupt)
}

/// Appends `batches` in one commit (taking `schema` if the table has an older one);
/// returns the new version.
pub async fn append(
    path: &Path,
    schema: &SchemaRef,
    batches: Vec<RecordBatch>,
) -> Result<u64, StoreError> {
    write(path, schema, batches.into_iter().map(Ok), SaveMode::Append).await
}

/// The data files of a table version, as local paths.
pub async fn files(path: &Path, version: u64) -> Result<Vec<PathBuf>, StoreError> {
    let url = table_url(path)?;
    let table = deltalake::open_table_with_version(url, version).await?;
    table
        .get_file_uris()?
        .map(|uri| {
            Url::parse(&uri)
                .ok()
                .and_then(|u| u.to_file_path().ok())
                .or_else(|| Some(PathBuf::from(&uri)))
                .ok_or_else(|| StoreError::Corrupt {
                    table: "index",
                    detail: format!("bad file URI {uri}"),
                })
        })
        .collect()
}

/// The latest version of a table, if it exists.
pub async fn latest_version(path: &Path) -> Result<Option<u64>, StoreError> {
    if !exists(path) {
        return Ok(None);
    }
    let table = deltalake::open_table(table_url(path)?).await?;
    Ok(table.version())
}

/// Reads every row of a table version.
pub async fn read(path: &Path, version: u64) -> Result<Vec<RecordBatch>, StoreError> {
    let mut out = Vec::new();
    for_each_batch(
        path,
        version,
        |_| None,
        |batch| {
            out.push(batch);
            Ok(())
        },
    )
    .await?;
    Ok(out)
}

/// Hands every row of a table version to `each`, one record batch at a time, so that
/// only a few batches are decoded in memory at once. `columns` picks, from a file's
/// schema, the columns to decode (`None`: all of them); names a file lacks are skipped.
pub async fn for_each_batch(
    path: &Path,
    version: u64,
    columns: impl Fn(&deltalake::arrow::datatypes::Schema) -> Option<Vec<&'static str>> + Send,
    each: impl FnMut(RecordBatch) -> Result<(), StoreError>,
) -> Result<(), StoreError> {
    for_each_file_batch(files(path, version).await?, columns, each)
}

/// [`for_each_batch`] over the data files `files`, in their order.
///
/// The batches are decoded on a thread of their own, two ahead of `each`: a load
/// (decoding `links_in`, then rebuilding the state from it) then uses two cores.
pub fn for_each_file_batch(
    files: Vec<PathBuf>,
    columns: impl Fn(&deltalake::arrow::datatypes::Schema) -> Option<Vec<&'static str>> + Send,
    mut each: impl FnMut(RecordBatch) -> Result<(), StoreError>,
) -> Result<(), StoreError> {
    // A file that cannot be opened is one error in the stream, after which `each` stops.
    let batches = files.into_iter().flat_map(move |file| -> DecodedBatches {
        let reader = std::fs::File::open(&file)
            .map_err(|e| StoreError::io(&file, e))
            .and_then(|f| {
                let mut builder =
                    ParquetRecordBatchReaderBuilder::try_new(f)?.with_batch_size(65_536);
                if let Some(names) = columns(builder.schema()) {
                    let mask = ProjectionMask::columns(builder.parquet_schema(), names);
                    builder = builder.with_projection(mask);
                }
                Ok(builder.build()?)
            });
        match reader {
            Ok(reader) => Box::new(reader.map(|b| b.map_err(StoreError::from))),
            Err(e) => Box::new(std::iter::once(Err(e))),
        }
    });
    // Two batches ahead; returning early stops the decoding.
    super::ahead::produced_ahead(batches, 2, |batches| {
        for batch in batches {
            each(batch?)?;
        }
        Ok(())
    })
}

/// Hands `each` the rows `rows` (strictly ascending; numbered from 0 across `files` in
/// their order) of the columns `columns`, in order, a record batch at a time. Pages
/// that hold none of the rows are skipped undecoded (the files' offset index says where
/// each starts). Rows beyond the files' end are not an error here: the caller counts
/// what it was given. Rows out of order or repeated are an error.
pub fn for_each_selected_row(
    files: &[PathBuf],
    columns: &[&str],
    rows: &[u32],
    mut each: impl FnMut(RecordBatch) -> Result<(), StoreError>,
) -> Result<(), StoreError> {
    if let Some(pair) = rows.windows(2).find(|pair| pair[0] >= pair[1]) {
        return Err(StoreError::Corrupt {
            table: "index",
            detail: format!(
                "rows to read not in ascending order ({} then {})",
                pair[0], pair[1]
            ),
        });
    }
    let mut rows = rows;
    let mut first_row = 0usize;
    for file in files {
        if rows.is_empty() {
            break;
        }
        let f = std::fs::File::open(file).map_err(|e| StoreError::io(file, e))?;
        let options = ArrowReaderOptions::new().with_offset_index_policy(PageIndexPolicy::Optional);
        let builder = ParquetRecordBatchReaderBuilder::try_new_with_options(f, options)?
            .with_batch_size(8_192);
        let file_rows =
            usize::try_from(builder.metadata().file_metadata().num_rows()).map_err(|_| {
                StoreError::Corrupt {
                    table: "index",
                    detail: format!("{} has a negative row count", file.display()),
                }
            })?;
        let end = first_row + file_rows;
        let here = rows.partition_point(|&r| (r as usize) < end);
        let (in_file, rest) = rows.split_at(here);
        rows = rest;
        if !in_file.is_empty() {
            let selection = RowSelection::from_consecutive_ranges(
                consecutive_ranges(in_file.iter().map(|&r| r as usize - first_row)),
                file_rows,
            );
            let mask = ProjectionMask::columns(builder.parquet_schema(), columns.iter().copied());
            let reader = builder
                .with_projection(mask)
                .with_row_selection(selection)
                .build()?;
            for batch in reader {
                each(batch?)?;
            }
        }
        first_row = end;
    }
    Ok(())
}

/// Ascending numbers as ranges of consecutive ones.
fn consecutive_ranges(numbers: impl Iterator<Item = usize>) -> impl Iterator<Item = Range<usize>> {
    let mut numbers = numbers.peekable();
    std::iter::from_fn(move || {
        let start = numbers.next()?;
        let mut end = start + 1;
        while numbers.next_if_eq(&end).is_some() {
            end += 1;
        }
        Some(start..end)
    })
}

/// The decoded batches of one file, or the error that kept it from being read.
type DecodedBatches = Box<dyn Iterator<Item = Result<RecordBatch, StoreError>> + Send>;

/// Rows and bytes of a table version (from Parquet footers and file sizes).
pub async fn size(path: &Path, version: u64) -> Result<(u64, u64, usize), StoreError> {
    let files = files(path, version).await?;
    let (mut rows, mut bytes) = (0u64, 0u64);
    for file in &files {
        let f = std::fs::File::open(file).map_err(|e| StoreError::io(file, e))?;
        bytes += f.metadata().map_err(|e| StoreError::io(file, e))?.len();
        let reader = SerializedFileReader::new(f)?;
        rows += u64::try_from(reader.metadata().file_metadata().num_rows()).unwrap_or(0);
    }
    Ok((rows, bytes, files.len()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::schema;

    #[test]
    fn consecutive_numbers_make_one_range() {
        let ranges: Vec<_> = consecutive_ranges([0, 1, 2, 5, 7, 8].into_iter()).collect();
        assert_eq!(ranges, [0..3, 5..6, 7..9]);
        assert_eq!(consecutive_ranges(std::iter::empty()).count(), 0);
    }

    /// Rows are numbered across the files in their order; each file reads only its own.
    #[test]
    fn selected_rows_come_back_in_order_across_files() {
        use deltalake::arrow::array::{Array, Int64Array};
        use deltalake::arrow::datatypes::{DataType, Field, Schema};
        use deltalake::parquet::arrow::ArrowWriter;
        use std::sync::Arc;

        let dir = tempfile::tempdir().unwrap();
        let schema = Arc::new(Schema::new(vec![
            Field::new("n", DataType::Int64, false),
            Field::new("other", DataType::Int64, false),
        ]));
        // Three files of 3,000 rows; small pages, so the selection skips some.
        let files: Vec<PathBuf> = (0..3)
            .map(|f| {
                let path = dir.path().join(format!("{f}.parquet"));
                let props = WriterProperties::builder()
                    .set_data_page_row_count_limit(100)
                    .set_write_batch_size(100)
                    .build();
                let mut w = ArrowWriter::try_new(
                    std::fs::File::create(&path).unwrap(),
                    Arc::clone(&schema),
                    Some(props),
                )
                .unwrap();
                let n = Int64Array::from_iter_values((0..3_000).map(|i| f * 3_000 + i));
                let batch = RecordBatch::try_new(
                    Arc::clone(&schema),
                    vec![Arc::new(n.clone()), Arc::new(n)],
                )
                .unwrap();
                w.write(&batch).unwrap();
                w.close().unwrap();
                path
            })
            .collect();
        let rows: Vec<u32> = [
            0, 1, 2, 999, 2_999, 3_000, 3_500, 3_501, 8_999, 9_000, 12_000,
        ]
        .into();
        let mut got = Vec::new();
        for_each_selected_row(&files, &["n"], &rows, |batch| {
            assert_eq!(batch.num_columns(), 1);
            let n = batch
                .column(0)
                .as_any()
                .downcast_ref::<Int64Array>()
                .unwrap();
            got.extend(n.values().iter().map(|&v| v as u32));
            Ok(())
        })
        .unwrap();
        // Rows past the last file's end are the caller's to notice.
        assert_eq!(got, rows[..rows.len() - 2]);

        // Repeated or unordered rows are an error, not a panic.
        for bad in [[5u32, 5], [7, 3]] {
            let err = for_each_selected_row(&files, &["n"], &bad, |_| Ok(())).unwrap_err();
            assert!(matches!(err, StoreError::Corrupt { .. }), "{err}");
        }
    }

    /// A misspelt column in the tuning lists would be ignored by the writer, silently.
    #[test]
    fn every_tuned_column_is_a_column_of_its_table() {
        let tables = [
            ("links_in", &*schema::LINKS),
            ("links_out", &*schema::LINKS_OUT),
            ("pages", &*schema::PAGES),
            ("domains", &*schema::DOMAINS),
            ("link_events", &*schema::LINK_EVENTS),
        ];
        for (table, schema) in tables {
            let key = sort_key(table);
            let tuned = without_dictionary(table)
                .iter()
                .chain(long_text(table))
                .chain(without_statistics(table))
                .chain(key.as_slice());
            for column in tuned {
                assert!(schema.field_with_name(column).is_ok(), "{table}.{column}");
            }
        }
    }
}
