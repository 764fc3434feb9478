//! The physical scan of a [`super::KeyedTable`]: the target's rows, read page by page.

use std::sync::Arc;

use datafusion::arrow::array::{
    Array, ArrayRef, BooleanArray, Scalar, StringArray, UInt64Array, new_null_array,
};
use datafusion::arrow::compute::kernels::cmp::{gt_eq, lt};
use datafusion::arrow::compute::{and, cast, or};
use datafusion::arrow::datatypes::{DataType, SchemaRef};
use datafusion::arrow::record_batch::{RecordBatch, RecordBatchOptions};
use datafusion::common::tree_node::TreeNodeRecursion;
use datafusion::error::{DataFusionError, Result};
use datafusion::execution::TaskContext;
use datafusion::parquet::arrow::ProjectionMask;
use datafusion::parquet::arrow::arrow_reader::{
    ParquetRecordBatchReader, ParquetRecordBatchReaderBuilder, RowSelection, RowSelector,
};
use datafusion::physical_expr::{EquivalenceProperties, PhysicalExpr};
use datafusion::physical_plan::execution_plan::{Boundedness, EmissionType};
use datafusion::physical_plan::stream::RecordBatchStreamAdapter;
use datafusion::physical_plan::{
    DisplayAs, DisplayFormatType, ExecutionPlan, Partitioning, PlanProperties,
    SendableRecordBatchStream,
};

use super::{KeyKind, KeyedFile, RowIds, TargetKeys, row_id};

/// Rows decoded per batch.
const BATCH_ROWS: usize = 8192;

/// Reads the rows of the target in [`TargetKeys`] (taken from the task's session
/// configuration at execution, so one plan serves every target) from a keyed table's
/// files, in key order, projected to `projection`.
#[derive(Debug)]
pub(crate) struct TargetScanExec {
    /// The table's name in plans (which [`RowIds`] apply to it).
    name: String,
    files: Vec<Arc<KeyedFile>>,
    /// Position of the key column in the table.
    key: usize,
    kind: KeyKind,
    /// Table columns to output.
    projection: Vec<usize>,
    /// The projected schema.
    schema: SchemaRef,
    properties: Arc<PlanProperties>,
}

impl TargetScanExec {
    pub(crate) fn new(
        table: &SchemaRef,
        name: &str,
        (key, kind): (usize, KeyKind),
        projection: Vec<usize>,
        files: Vec<Arc<KeyedFile>>,
    ) -> Result<TargetScanExec> {
        let schema = Arc::new(table.project(&projection)?);
        let properties = PlanProperties::new(
            EquivalenceProperties::new(SchemaRef::clone(&schema)),
            Partitioning::UnknownPartitioning(1),
            EmissionType::Incremental,
            Boundedness::Bounded,
        );
        Ok(TargetScanExec {
            name: name.to_owned(),
            files,
            key,
            kind,
            projection,
            schema,
            properties: Arc::new(properties),
        })
    }
}

impl DisplayAs for TargetScanExec {
    fn fmt_as(&self, _t: DisplayFormatType, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        let columns: Vec<&str> = self
            .schema
            .fields()
            .iter()
            .map(|f| f.name().as_str())
            .collect();
        write!(
            f,
            "TargetScanExec: files={}, projection=[{}]",
            self.files.len(),
            columns.join(", ")
        )
    }
}

impl ExecutionPlan for TargetScanExec {
    fn name(&self) -> &str {
        "TargetScanExec"
    }

    fn properties(&self) -> &Arc<PlanProperties> {
        &self.properties
    }

    fn children(&self) -> Vec<&Arc<dyn ExecutionPlan>> {
        Vec::new()
    }

    fn apply_expressions(
        &self,
        _f: &mut dyn FnMut(&Arc<dyn PhysicalExpr>) -> Result<TreeNodeRecursion>,
    ) -> Result<TreeNodeRecursion> {
        Ok(TreeNodeRecursion::Continue)
    }

    fn with_new_children(
        self: Arc<Self>,
        children: Vec<Arc<dyn ExecutionPlan>>,
    ) -> Result<Arc<dyn ExecutionPlan>> {
        if children.is_empty() {
            Ok(self)
        } else {
            Err(DataFusionError::Internal(
                "TargetScanExec has no children".into(),
            ))
        }
    }

    fn execute(
        &self,
        partition: usize,
        context: Arc<TaskContext>,
    ) -> Result<SendableRecordBatchStream> {
        if partition != 0 {
            return Err(DataFusionError::Internal(format!(
                "TargetScanExec has one partition, not {partition}"
            )));
        }
        let keys = context
            .session_config()
            .get_extension::<TargetKeys>()
            .ok_or_else(|| {
                DataFusionError::Internal("a target scan ran without the request's target".into())
            })?;
        let row_ids = context
            .session_config()
            .get_extension::<RowIds>()
            .filter(|r| r.table == self.name);
        let rows = TargetRows {
            row_ids,
            files: self.files.clone(),
            next_file: 0,
            reader: None,
            keys,
            kind: self.kind,
            key: self.key,
            projection: self.projection.clone(),
            schema: SchemaRef::clone(&self.schema),
        };
        // The reads are page-cache reads of a few pages for most targets; they run on
        // the calling task like DataFusion's own decoding does.
        Ok(Box::pin(RecordBatchStreamAdapter::new(
            SchemaRef::clone(&self.schema),
            futures::stream::iter(rows),
        )))
    }
}

/// The target's rows, file after file.
struct TargetRows {
    /// Rows to read instead of the target's (the second pass of a late-materialised
    /// lookup).
    row_ids: Option<Arc<RowIds>>,
    files: Vec<Arc<KeyedFile>>,
    next_file: usize,
    reader: Option<FileRows>,
    keys: Arc<TargetKeys>,
    kind: KeyKind,
    key: usize,
    projection: Vec<usize>,
    schema: SchemaRef,
}

/// The reader of one file's target rows, and where each projected column is in the
/// batches it returns.
struct FileRows {
    file: Arc<KeyedFile>,
    batches: ParquetRecordBatchReader,
    /// Where each projected column comes from.
    columns: Vec<Source>,
    /// The [`ROW_ID`] of every row the reader returns, when projected.
    ids: Vec<u64>,
    /// Rows returned so far.
    emitted: usize,
}

/// Where a projected column comes from.
#[derive(Debug, Clone, Copy)]
enum Source {
    /// This position in the read batches.
    Read(usize),
    /// Not in the file (added later): nulls.
    Null,
    /// The row's [`ROW_ID`].
    RowId,
}

impl Iterator for TargetRows {
    type Item = Result<RecordBatch>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(reader) = &mut self.reader {
                match reader.batches.next() {
                    Some(Ok(batch)) => match target_rows(&self.schema, reader, &batch) {
                        Ok(Some(rows)) => return Some(Ok(rows)),
                        Ok(None) => continue,
                        Err(e) => return Some(Err(e)),
                    },
                    Some(Err(e)) => {
                        let path = reader.file.path.display().to_string();
                        return Some(Err(DataFusionError::Execution(format!(
                            "reading {path}: {e}"
                        ))));
                    }
                    None => self.reader = None,
                }
            }
            let file = Arc::clone(self.files.get(self.next_file)?);
            self.next_file += 1;
            match self.open(self.next_file - 1, file) {
                Ok(reader) => self.reader = reader,
                Err(e) => return Some(Err(e)),
            }
        }
    }
}

impl TargetRows {
    /// A reader of the target's rows of file number `file_no` (`None`: it has none):
    /// the rows [`RowIds`] names in it, or else those in the target's key ranges.
    fn open(&self, file_no: usize, file: Arc<KeyedFile>) -> Result<Option<FileRows>> {
        let reading = |e: &dyn std::fmt::Display| {
            DataFusionError::Execution(format!("reading {}: {e}", file.path.display()))
        };
        let wants_ids = self.projection.iter().any(|&c| c == self.row_col());
        let (row_groups, rows, ids) = match &self.row_ids {
            Some(chosen) => {
                let (first, end) = (row_id(file_no, 0), row_id(file_no + 1, 0));
                let mine: Vec<u64> = chosen
                    .ids
                    .iter()
                    .filter(|&&id| id >= first && id < end)
                    .map(|&id| id - first)
                    .collect();
                let Some((row_groups, rows)) = rows_selection(file.index.row_group_rows(), &mine)
                else {
                    return Ok(None);
                };
                let ids = mine.iter().map(|&r| first + r).collect();
                (row_groups, rows, ids)
            }
            None => {
                let Some((row_groups, rows)) = self.key_rows(&file)? else {
                    return Ok(None);
                };
                let ids = if wants_ids {
                    selected_rows(file.index.row_group_rows(), &row_groups, &rows)
                        .into_iter()
                        .map(|r| row_id(file_no, r))
                        .collect()
                } else {
                    Vec::new()
                };
                (row_groups, rows, ids)
            }
        };
        let selected = rows.row_count();
        // Columns to read: the projected ones the file has.
        let mut read: Vec<usize> = self
            .projection
            .iter()
            .filter_map(|&c| file.columns.get(c).copied().flatten())
            .collect();
        read.sort_unstable();
        read.dedup();
        let columns = self
            .projection
            .iter()
            .map(|&c| {
                if c == self.row_col() {
                    Source::RowId
                } else {
                    match file.columns[c].and_then(|f| read.binary_search(&f).ok()) {
                        Some(at) => Source::Read(at),
                        None => Source::Null,
                    }
                }
            })
            .collect();
        let batches = ParquetRecordBatchReaderBuilder::new_with_metadata(
            file.file.clone(),
            file.metadata.clone(),
        )
        .with_projection(ProjectionMask::roots(
            file.metadata.parquet_schema(),
            read.iter().copied(),
        ))
        .with_row_groups(row_groups)
        .with_row_selection(rows)
        .with_batch_size(BATCH_ROWS.min(selected.max(1)))
        .build()
        .map_err(|e| reading(&e))?;
        Ok(Some(FileRows {
            file,
            batches,
            columns,
            ids,
            emitted: 0,
        }))
    }

    /// Position of [`ROW_ID`] in the table (its last column).
    fn row_col(&self) -> usize {
        self.files.first().map_or(usize::MAX, |f| f.columns.len())
    }

    /// Exactly the rows of `file` in the target's key ranges, as the row groups to read
    /// and the rows within them (`None`: none).
    ///
    /// Two passes: the key column of the pages at the ends of each range (a page or two
    /// for most targets; the pages between them hold only the target's keys) gives the
    /// exact rows, then the projected columns are decoded for those rows only. A page is
    /// still decompressed whole, but the values of the rows around the target are
    /// skipped instead of decoded, copied and filtered out.
    fn key_rows(&self, file: &KeyedFile) -> Result<Option<(Vec<usize>, RowSelection)>> {
        let ranges = self.keys.ranges(self.kind);
        let Some(pages) = file.index.select(ranges) else {
            return Ok(None);
        };
        let reading = |e: &dyn std::fmt::Display| {
            DataFusionError::Execution(format!("reading {}: {e}", file.path.display()))
        };
        let (to_check, checked_rows) = pages.to_check();
        let mut inside: Vec<bool> = Vec::with_capacity(checked_rows);
        if checked_rows > 0 {
            let key_in_file = file.columns[self.key].ok_or_else(|| {
                DataFusionError::Internal(format!("{}: no key column", file.path.display()))
            })?;
            let keys = ParquetRecordBatchReaderBuilder::new_with_metadata(
                file.file.clone(),
                file.metadata.clone(),
            )
            .with_projection(ProjectionMask::roots(
                file.metadata.parquet_schema(),
                [key_in_file],
            ))
            .with_row_groups(pages.row_groups.clone())
            .with_row_selection(to_check)
            .with_batch_size(BATCH_ROWS)
            .build()
            .map_err(|e| reading(&e))?;
            for batch in keys {
                let batch = batch.map_err(|e| reading(&e))?;
                let mask = in_ranges(batch.column(0), ranges)?;
                inside.extend((0..mask.len()).map(|i| mask.is_valid(i) && mask.value(i)));
            }
        }
        // `exact` needs one flag per checked row.
        let rows = pages.exact(&inside).ok_or_else(|| {
            reading(&format!(
                "{} keys read where the page index selects {checked_rows} rows to check",
                inside.len()
            ))
        })?;
        if !rows.selects_any() {
            return Ok(None);
        }
        Ok(Some((pages.row_groups, rows)))
    }
}

/// The rows of a file (row numbers, ascending) that `rows` selects within `row_groups`.
fn selected_rows(rg_rows: &[usize], row_groups: &[usize], rows: &RowSelection) -> Vec<u64> {
    let starts: Vec<u64> = rg_rows
        .iter()
        .scan(0u64, |at, &n| {
            let start = *at;
            *at += n as u64;
            Some(start)
        })
        .collect();
    // Positions within the concatenated row groups, mapped back to the file.
    let mut out = Vec::with_capacity(rows.row_count());
    let mut groups = row_groups.iter().copied();
    let mut current = groups.next();
    let mut offset = 0usize;
    for s in rows.iter() {
        let mut left = s.row_count;
        while left > 0 {
            let Some(g) = current else { return out };
            let room = rg_rows[g] - offset;
            let take = left.min(room);
            if !s.skip {
                out.extend((0..take).map(|i| starts[g] + (offset + i) as u64));
            }
            offset += take;
            left -= take;
            if offset == rg_rows[g] {
                current = groups.next();
                offset = 0;
            }
        }
    }
    out
}

/// The row groups holding `rows` (row numbers of a file, ascending) and the selection of
/// exactly those rows within them (`None`: no rows).
fn rows_selection(rg_rows: &[usize], rows: &[u64]) -> Option<(Vec<usize>, RowSelection)> {
    let mut row_groups = Vec::new();
    let mut selectors: Vec<RowSelector> = Vec::new();
    let mut next = rows.iter().copied().peekable();
    let mut start = 0u64;
    for (g, &n) in rg_rows.iter().enumerate() {
        let end = start + n as u64;
        let mut at = start;
        let mut any = false;
        let mut group: Vec<RowSelector> = Vec::new();
        while let Some(&r) = next.peek() {
            if r >= end {
                break;
            }
            next.next();
            if r < at {
                continue; // a repeated row
            }
            group.push(RowSelector::skip((r - at) as usize));
            group.push(RowSelector::select(1));
            at = r + 1;
            any = true;
        }
        if any {
            group.push(RowSelector::skip((end - at) as usize));
            row_groups.push(g);
            selectors.extend(group);
        }
        start = end;
    }
    if row_groups.is_empty() {
        return None;
    }
    Some((row_groups, RowSelection::from(selectors)))
}

/// `batch` (read from `reader`'s file) projected to `schema`; `None` when it is empty.
fn target_rows(
    schema: &SchemaRef,
    reader: &mut FileRows,
    batch: &RecordBatch,
) -> Result<Option<RecordBatch>> {
    let rows = batch.num_rows();
    if rows == 0 {
        return Ok(None);
    }
    let (from, to) = (reader.emitted, reader.emitted + rows);
    reader.emitted = to;
    let columns = reader
        .columns
        .iter()
        .zip(schema.fields())
        .map(|(source, field)| match *source {
            Source::Read(i) if batch.column(i).data_type() == field.data_type() => {
                Ok(ArrayRef::clone(batch.column(i)))
            }
            Source::Read(i) => Ok(cast(batch.column(i), field.data_type())?),
            Source::Null => Ok(new_null_array(field.data_type(), rows)),
            Source::RowId => {
                let ids = reader.ids.get(from..to).ok_or_else(|| {
                    DataFusionError::Internal("row ids out of step with the rows read".into())
                })?;
                Ok(Arc::new(UInt64Array::from(ids.to_vec())) as ArrayRef)
            }
        })
        .collect::<Result<Vec<ArrayRef>>>()?;
    let options = RecordBatchOptions::new().with_row_count(Some(rows));
    Ok(Some(RecordBatch::try_new_with_options(
        SchemaRef::clone(schema),
        columns,
        &options,
    )?))
}

/// Which keys lie in one of `ranges` (each `lower <= key < upper`).
fn in_ranges(keys: &ArrayRef, ranges: &[(String, String)]) -> Result<BooleanArray> {
    let keys = match keys.data_type() {
        DataType::Utf8 => ArrayRef::clone(keys),
        _ => cast(keys, &DataType::Utf8)?,
    };
    let mut mask: Option<BooleanArray> = None;
    for (lower, upper) in ranges {
        let lower = Scalar::new(StringArray::from(vec![lower.as_str()]));
        let upper = Scalar::new(StringArray::from(vec![upper.as_str()]));
        let inside = and(&gt_eq(&keys, &lower)?, &lt(&keys, &upper)?)?;
        mask = Some(match mask {
            Some(m) => or(&m, &inside)?,
            None => inside,
        });
    }
    Ok(mask.unwrap_or_else(|| BooleanArray::from(vec![false; keys.len()])))
}
