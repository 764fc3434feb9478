//! Reading the `links_in` rows other tables name by `link` (the link's row in `links_in`
//! of the same version): `link_events` for every event, `links_out` for the snippets it
//! leaves to `links_in`.

use datafusion::arrow::array::AsArray;
use datafusion::arrow::datatypes::Int64Type;
use datafusion::dataframe::DataFrame;
use datafusion::error::DataFusionError;
use datafusion::logical_expr::col;

use crate::engine::{QueryError, Snapshot};
use crate::plans::Run;

/// `snapshot` with its `links_in` scans reading only the rows whose `link` the rows of
/// `naming` (a target scan with a `link` column) give, instead of the target's.
pub(crate) async fn links_in_rows(
    snapshot: &Snapshot,
    naming: DataFrame,
) -> Result<Snapshot, QueryError> {
    let rows = naming.select(vec![col("link")])?.run().await?;
    let mut named: Vec<i64> = rows
        .iter()
        .filter_map(|b| b.column(0).as_primitive_opt::<Int64Type>())
        .flat_map(|a| a.iter().flatten())
        .collect();
    named.sort_unstable();
    named.dedup();
    // A row of `links_in` is its position in the table's one file (the writer makes one
    // file per table version), which is how the target scan numbers file 0's rows. A
    // row outside it is an error, not an event or snippet quietly left out.
    let corrupt = |detail: String| -> QueryError {
        DataFusionError::Execution(format!(
            "index version {}: {detail}",
            snapshot.version.version
        ))
        .into()
    };
    let (Some(&first), Some(&last)) = (named.first(), named.last()) else {
        return snapshot.with_row_ids("links_in", Vec::new());
    };
    let Some(rows) = snapshot.keyed_table("links_in")?.single_file_rows()? else {
        return Err(corrupt(
            "links_in is not one file, as rows named by `link` need".into(),
        ));
    };
    if first < 0 || u64::try_from(last).map_or(true, |l| l >= rows) {
        return Err(corrupt(format!(
            "a `link` names a row outside links_in's {rows} rows ({first}..={last})"
        )));
    }
    let ids: Vec<u64> = named
        .into_iter()
        .filter_map(|r| u64::try_from(r).ok())
        .collect();
    snapshot.with_row_ids("links_in", ids)
}
