//! A sparse key index over one sorted Parquet file: the key bounds of every page of the
//! key column, held in memory and binary-searched, so that a target lookup reads only the
//! pages that can hold its keys (DESIGN.md §7, the ClickHouse primary-index idea).
//!
//! Written by hand: this is the core of every lookup and must cost microseconds. The
//! bounds come from the file's own page index (or, for a file written without one, its
//! row-group statistics), so the index needs no side file and cannot go stale.

use std::ops::Range;

use datafusion::parquet::arrow::arrow_reader::{RowSelection, RowSelector};
use datafusion::parquet::file::metadata::ParquetMetaData;
use datafusion::parquet::file::page_index::column_index::ColumnIndexMetaData;

/// One page of the key column (or a whole row group, where no page index was written).
#[derive(Debug)]
struct Granule {
    row_group: usize,
    /// First row of the granule within its row group.
    first_row: usize,
    rows: usize,
    /// Lower bound of the keys in the granule (`None`: unknown).
    min: Option<Box<[u8]>>,
    /// Upper bound of the keys in the granule (`None`: unknown).
    max: Option<Box<[u8]>>,
}

/// The rows of a file to read for a set of key ranges: which row groups, and which rows
/// within them (a superset of the matching rows, at page granularity).
#[derive(Debug, PartialEq)]
pub(crate) struct Selection {
    /// Row groups to read, ascending.
    pub row_groups: Vec<usize>,
    /// Rows to read within those row groups, concatenated in that order.
    pub rows: RowSelection,
    /// How many rows the selection reads.
    pub selected_rows: usize,
    /// The same rows in runs over those row groups, each run telling whether its keys
    /// still need checking: only the granules at the ends of a range hold keys outside it.
    spans: Vec<Span>,
}

/// A run of rows of a [`Selection`]'s row groups.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Span {
    /// Not read.
    Skip(usize),
    /// Read; every key lies in one of the ranges (its granule's bounds say so).
    Inside(usize),
    /// Read; the keys must be checked one by one.
    Check(usize),
}

impl Selection {
    /// The rows whose keys must be checked (a subset of [`Selection::rows`], over the same
    /// row groups), and how many there are. No rows: every selected key is in range.
    pub(crate) fn to_check(&self) -> (RowSelection, usize) {
        let mut count = 0;
        let selectors: Vec<RowSelector> = self
            .spans
            .iter()
            .map(|span| match *span {
                Span::Skip(n) | Span::Inside(n) => RowSelector::skip(n),
                Span::Check(n) => {
                    count += n;
                    RowSelector::select(n)
                }
            })
            .collect();
        (RowSelection::from(selectors), count)
    }

    /// Exactly the rows in range: the rows of granules inside a range, and of the checked
    /// ones those `checked` (one flag per row of [`Selection::to_check`], in order) keeps.
    /// `None` when `checked` has another length.
    pub(crate) fn exact(&self, checked: &[bool]) -> Option<RowSelection> {
        let mut selectors: Vec<RowSelector> = Vec::new();
        let mut push = |selector: RowSelector| match selectors.last_mut() {
            Some(last) if last.skip == selector.skip => last.row_count += selector.row_count,
            _ if selector.row_count == 0 => {}
            _ => selectors.push(selector),
        };
        let mut flags = checked.iter().copied();
        for span in &self.spans {
            match *span {
                Span::Skip(n) => push(RowSelector::skip(n)),
                Span::Inside(n) => push(RowSelector::select(n)),
                Span::Check(n) => {
                    for _ in 0..n {
                        let keep = flags.next()?;
                        push(if keep {
                            RowSelector::select(1)
                        } else {
                            RowSelector::skip(1)
                        });
                    }
                }
            }
        }
        flags
            .next()
            .is_none()
            .then(|| RowSelection::from(selectors))
    }
}

/// The key bounds of every granule of one file, in file order.
#[derive(Debug)]
pub(crate) struct SparseIndex {
    granules: Vec<Granule>,
    /// Rows per row group.
    row_group_rows: Vec<usize>,
    /// Whether granule bounds never decrease (the file is sorted by the key and every
    /// bound is known), which allows binary search; otherwise every granule is tested.
    sorted: bool,
}

impl SparseIndex {
    /// The index of the key column `key_leaf` of the file `metadata` describes.
    pub(crate) fn new(metadata: &ParquetMetaData, key_leaf: usize) -> SparseIndex {
        let mut granules = Vec::new();
        let mut row_group_rows = Vec::with_capacity(metadata.num_row_groups());
        for (rg, row_group) in metadata.row_groups().iter().enumerate() {
            let rows = usize::try_from(row_group.num_rows()).unwrap_or(0);
            row_group_rows.push(rows);
            let pages = page_bounds(metadata, rg, key_leaf, rows);
            match pages {
                Some(pages) => granules.extend(pages),
                None => {
                    let stats = row_group.column(key_leaf).statistics();
                    granules.push(Granule {
                        row_group: rg,
                        first_row: 0,
                        rows,
                        min: stats.and_then(|s| s.min_bytes_opt()).map(Box::from),
                        max: stats.and_then(|s| s.max_bytes_opt()).map(Box::from),
                    });
                }
            }
        }
        let sorted = granules.iter().all(|g| g.min.is_some() && g.max.is_some())
            && granules
                .windows(2)
                .all(|w| w[0].min <= w[1].min && w[0].max <= w[1].max);
        SparseIndex {
            granules,
            row_group_rows,
            sorted,
        }
    }

    /// Rows per row group.
    pub(crate) fn row_group_rows(&self) -> &[usize] {
        &self.row_group_rows
    }

    /// Granules in the index.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.granules.len()
    }

    /// The rows that can hold a key in one of `ranges` (each `lower <= key < upper`), or
    /// `None` when none can.
    pub(crate) fn select(&self, ranges: &[(String, String)]) -> Option<Selection> {
        let mut hit = vec![Hit::No; self.granules.len()];
        for (lower, upper) in ranges {
            let (lower, upper) = (lower.as_bytes(), upper.as_bytes());
            for i in self.candidates(lower, upper) {
                let g = &self.granules[i];
                let below = g.max.as_deref().is_some_and(|max| max < lower);
                let above = g.min.as_deref().is_some_and(|min| min >= upper);
                // Bounds may be truncated, but a truncated minimum is never above the
                // true one, nor a truncated maximum below it.
                let inside = g.min.as_deref().is_some_and(|min| min >= lower)
                    && g.max.as_deref().is_some_and(|max| max < upper);
                if inside {
                    hit[i] = Hit::Inside;
                } else if !below && !above && hit[i] == Hit::No {
                    hit[i] = Hit::Check;
                }
            }
        }
        self.selection(&hit)
    }

    /// Granules that may overlap `lower..upper`: a binary-searched run when sorted,
    /// every granule otherwise.
    fn candidates(&self, lower: &[u8], upper: &[u8]) -> Range<usize> {
        if !self.sorted {
            return 0..self.granules.len();
        }
        // Sorted: every bound is known and bounds never decrease.
        let start = self
            .granules
            .partition_point(|g| g.max.as_deref().is_some_and(|max| max < lower));
        let end = self
            .granules
            .partition_point(|g| g.min.as_deref().is_some_and(|min| min < upper));
        start..end.max(start)
    }

    fn selection(&self, hit: &[Hit]) -> Option<Selection> {
        let mut row_groups: Vec<usize> = Vec::new();
        for (g, _) in self
            .granules
            .iter()
            .zip(hit)
            .filter(|(_, h)| **h != Hit::No)
        {
            if row_groups.last() != Some(&g.row_group) {
                row_groups.push(g.row_group);
            }
        }
        if row_groups.is_empty() {
            return None;
        }
        let mut spans: Vec<Span> = Vec::new();
        let mut push = |span: Span| match (spans.last_mut(), span) {
            (_, Span::Skip(0) | Span::Inside(0) | Span::Check(0)) => {}
            (Some(Span::Skip(n)), Span::Skip(m))
            | (Some(Span::Inside(n)), Span::Inside(m))
            | (Some(Span::Check(n)), Span::Check(m)) => *n += m,
            _ => spans.push(span),
        };
        let mut next = 0;
        for &rg in &row_groups {
            while next < self.granules.len() && self.granules[next].row_group < rg {
                next += 1;
            }
            let mut at = 0;
            while next < self.granules.len() && self.granules[next].row_group == rg {
                let g = &self.granules[next];
                push(Span::Skip(g.first_row.saturating_sub(at)));
                push(match hit[next] {
                    Hit::No => Span::Skip(g.rows),
                    Hit::Inside => Span::Inside(g.rows),
                    Hit::Check => Span::Check(g.rows),
                });
                at = g.first_row + g.rows;
                next += 1;
            }
            push(Span::Skip(self.row_group_rows[rg].saturating_sub(at)));
        }
        let mut selected_rows = 0;
        let selectors: Vec<RowSelector> = spans
            .iter()
            .map(|span| match *span {
                Span::Skip(n) => RowSelector::skip(n),
                Span::Inside(n) | Span::Check(n) => {
                    selected_rows += n;
                    RowSelector::select(n)
                }
            })
            .collect();
        Some(Selection {
            row_groups,
            rows: RowSelection::from(selectors),
            selected_rows,
            spans,
        })
    }
}

/// Whether a granule can hold keys of the ranges looked up.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Hit {
    No,
    /// Every key of it lies in a range.
    Inside,
    /// Some may.
    Check,
}

/// The pages of the key column of row group `rg`, with their bounds, from the page
/// index; `None` when the file has no page index for that column chunk.
fn page_bounds(
    metadata: &ParquetMetaData,
    rg: usize,
    key_leaf: usize,
    rows: usize,
) -> Option<Vec<Granule>> {
    let offsets = metadata.offset_index()?.get(rg)?.get(key_leaf)?;
    let ColumnIndexMetaData::BYTE_ARRAY(bounds) =
        metadata.column_index()?.get(rg)?.get(key_leaf)?
    else {
        return None;
    };
    let locations = offsets.page_locations();
    if locations.len() != usize::try_from(bounds.num_pages()).ok()? {
        return None;
    }
    let mut pages = Vec::with_capacity(locations.len());
    for (i, page) in locations.iter().enumerate() {
        let first_row = usize::try_from(page.first_row_index).ok()?;
        let end = match locations.get(i + 1) {
            Some(next) => usize::try_from(next.first_row_index).ok()?,
            None => rows,
        };
        pages.push(Granule {
            row_group: rg,
            first_row,
            rows: end.checked_sub(first_row)?,
            min: bounds.min_value(i).map(Box::from),
            max: bounds.max_value(i).map(Box::from),
        });
    }
    Some(pages)
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use datafusion::arrow::array::{ArrayRef, StringArray};
    use datafusion::arrow::record_batch::RecordBatch;
    use datafusion::parquet::arrow::ArrowWriter;
    use datafusion::parquet::arrow::arrow_reader::ArrowReaderMetadata;
    use datafusion::parquet::arrow::arrow_reader::ArrowReaderOptions;
    use datafusion::parquet::file::metadata::PageIndexPolicy;
    use datafusion::parquet::file::properties::{EnabledStatistics, WriterProperties};

    use super::*;

    /// A file of `keys` (already sorted) written with `rg_rows`-row groups and
    /// `page_rows`-row pages, and its index.
    fn index(keys: &[String], rg_rows: usize, page_rows: usize, pages: bool) -> SparseIndex {
        let array: ArrayRef = Arc::new(StringArray::from_iter_values(keys));
        let batch = RecordBatch::try_from_iter([("key", array)]).expect("batch");
        let props = WriterProperties::builder()
            .set_max_row_group_row_count(Some(rg_rows))
            .set_data_page_row_count_limit(page_rows)
            .set_write_batch_size(page_rows)
            .set_statistics_enabled(if pages {
                EnabledStatistics::Page
            } else {
                EnabledStatistics::Chunk
            })
            .build();
        let mut bytes = Vec::new();
        let mut writer = ArrowWriter::try_new(&mut bytes, batch.schema(), Some(props)).expect("w");
        writer.write(&batch).expect("write");
        writer.close().expect("close");
        let bytes = bytes::Bytes::from(bytes);
        let options = ArrowReaderOptions::new().with_page_index_policy(PageIndexPolicy::Required);
        let meta = ArrowReaderMetadata::load(&bytes, options).expect("metadata");
        SparseIndex::new(meta.metadata(), 0)
    }

    fn keys(n: usize) -> Vec<String> {
        (0..n).map(|i| format!("k{:05}", i / 3)).collect()
    }

    fn range(lower: &str, upper: &str) -> (String, String) {
        (lower.to_owned(), upper.to_owned())
    }

    /// Every row the selection reads, as row numbers of the file.
    fn rows_read(index: &SparseIndex, selection: &Selection) -> Vec<usize> {
        let mut starts = Vec::new();
        let mut at = 0;
        for &rows in &index.row_group_rows {
            starts.push(at);
            at += rows;
        }
        let mut out = Vec::new();
        let mut rg = selection.row_groups.iter();
        let (mut current, mut offset) = (rg.next().copied(), 0);
        for s in selection.rows.iter() {
            for _ in 0..s.row_count {
                let Some(g) = current else { break };
                if !s.skip {
                    out.push(starts[g] + offset);
                }
                offset += 1;
                if offset == index.row_group_rows[g] {
                    current = rg.next().copied();
                    offset = 0;
                }
            }
        }
        out
    }

    #[test]
    fn selects_every_matching_row_and_few_others() {
        let keys = keys(10_000);
        for pages in [true, false] {
            let index = index(&keys, 1_000, 100, pages);
            assert!(index.sorted);
            let selection = index
                .select(&[range("k01000", "k01000\0")])
                .expect("a match");
            let read = rows_read(&index, &selection);
            let matching: Vec<usize> = (0..keys.len()).filter(|&i| keys[i] == "k01000").collect();
            assert!(matching.iter().all(|r| read.contains(r)), "pages={pages}");
            let bound = if pages { 200 } else { 2_000 };
            assert!(
                read.len() <= bound,
                "read {} rows, pages={pages}",
                read.len()
            );
            assert_eq!(read.len(), selection.selected_rows);
        }
    }

    #[test]
    fn several_ranges_and_misses() {
        let keys = keys(9_000);
        let index = index(&keys, 2_048, 256, true);
        assert!(index.len() > 30);
        assert_eq!(index.select(&[range("a", "b")]), None);
        assert_eq!(index.select(&[range("z", "zz")]), None);
        let selection = index
            .select(&[range("k00010", "k00011"), range("k02000", "k02001")])
            .expect("matches");
        let read = rows_read(&index, &selection);
        for (i, k) in keys.iter().enumerate() {
            if k == "k00010" || k == "k02000" {
                assert!(read.contains(&i), "row {i} ({k}) not read");
            }
        }
        assert!(read.len() <= 4 * 256);
    }

    /// The rows of `selection` that `rows` selects, as row numbers of the file.
    fn rows_of(index: &SparseIndex, selection: &Selection, rows: RowSelection) -> Vec<usize> {
        let only = Selection {
            row_groups: selection.row_groups.clone(),
            rows,
            selected_rows: 0,
            spans: Vec::new(),
        };
        rows_read(index, &only)
    }

    /// Only the pages at the ends of a range have their keys checked, and the checked
    /// flags give exactly the matching rows, whatever the ranges.
    #[test]
    fn only_the_pages_at_the_ends_of_a_range_are_checked() {
        let keys = keys(10_000);
        let index = index(&keys, 1_000, 100, true);
        for ranges in [
            vec![range("k00100", "k01000")],
            vec![range("k00010", "k00011"), range("k02000", "k03000")],
            vec![range("a", "z")],
            vec![range("k00333", "k00334")],
        ] {
            let selection = index.select(&ranges).expect("matches");
            let (to_check, checked) = selection.to_check();
            let checked_rows = rows_of(&index, &selection, to_check);
            assert_eq!(checked_rows.len(), checked);
            assert!(checked <= ranges.len() * 2 * 100, "{checked} rows checked");
            let flags: Vec<bool> = checked_rows
                .iter()
                .map(|&r| {
                    ranges
                        .iter()
                        .any(|(lo, hi)| keys[r].as_str() >= lo.as_str() && keys[r] < *hi)
                })
                .collect();
            let exact = selection.exact(&flags).expect("one flag per checked row");
            let matching: Vec<usize> = (0..keys.len())
                .filter(|&i| {
                    ranges
                        .iter()
                        .any(|(lo, hi)| keys[i].as_str() >= lo.as_str() && keys[i] < *hi)
                })
                .collect();
            assert_eq!(rows_of(&index, &selection, exact), matching, "{ranges:?}");
            assert_eq!(selection.exact(&[]).is_some(), checked == 0);
        }
    }

    #[test]
    fn unsorted_files_are_searched_linearly() {
        let mut keys = keys(4_000);
        keys.reverse();
        let index = index(&keys, 1_000, 100, true);
        assert!(!index.sorted);
        let selection = index.select(&[range("k00500", "k00501")]).expect("a match");
        let read = rows_read(&index, &selection);
        for (i, k) in keys.iter().enumerate() {
            if k == "k00500" {
                assert!(read.contains(&i));
            }
        }
        assert!(read.len() <= 200);
    }
}
