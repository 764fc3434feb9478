//! `backlinks`: live external links into the target, one row per link.

use datafusion::logical_expr::{Expr, col};
use hrefdex_api::Request;
use hrefdex_api::encode::Answer;

use datafusion::arrow::array::AsArray;
use datafusion::arrow::datatypes::UInt64Type;

use super::{finish_rows, live_backlinks, order_and_page};
use crate::engine::{QueryError, Snapshot};
use crate::exprs;
use crate::keyed::ROW_ID;
use crate::plans::Run;

/// Every API column of `backlinks` is stored under its own name in `links_in`.
fn stored(name: &str) -> Expr {
    col(name)
}

pub(super) async fn answer(snapshot: &Snapshot, request: &Request) -> Result<Answer, QueryError> {
    let wanted =
        usize::try_from(request.offset.saturating_add(request.limit)).unwrap_or(usize::MAX);
    if snapshot.late_materialisation("links_in", wanted)? {
        // First pass: the live links' sort and filter columns only, and the position of
        // the `offset + limit` first in the request's order.
        let mut df = live_backlinks(snapshot, request, |n| Some(stored(n))).await?;
        for c in &request.having {
            df = df.filter(exprs::condition(c, stored))?;
        }
        let mut top = request.clone();
        top.offset = 0;
        top.limit = request.offset.saturating_add(request.limit);
        let ids = order_and_page(df, &top, stored)?
            .select(vec![col(ROW_ID)])?
            .run()
            .await?;
        let mut rows: Vec<u64> = ids
            .iter()
            .filter_map(|b| b.column(0).as_primitive_opt::<UInt64Type>())
            .flat_map(|a| a.values().iter().copied())
            .collect();
        rows.sort_unstable();
        // Second pass: the same request over those rows alone, every column read.
        let snapshot = snapshot.with_row_ids("links_in", rows)?;
        let df = live_backlinks(&snapshot, request, |n| Some(stored(n))).await?;
        return finish_rows(df, request, stored).await;
    }
    let df = live_backlinks(snapshot, request, |n| Some(stored(n))).await?;
    finish_rows(df, request, stored).await
}
