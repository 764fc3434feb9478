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
    let mut ids: Vec<u64> = rows
        .iter()
        .filter_map(|b| b.column(0).as_primitive_opt::<Int64Type>())
        .flat_map(|a| a.iter().flatten())
        .filter_map(|row| u64::try_from(row).ok())
        .collect();
    ids.sort_unstable();
    ids.dedup();
    // A row of `links_in` is then its position in the table's one file (the writer makes
    // one file per table version), which is how the target scan numbers file 0's rows.
    let files = snapshot.keyed_table("links_in")?.file_count();
    if !ids.is_empty() && files != 1 {
        return Err(DataFusionError::Execution(format!(
            "links_in of index version {} has {files} files; rows named by `link` need one",
            snapshot.version.version
        ))
        .into());
    }
    snapshot.with_row_ids("links_in", ids)
}
