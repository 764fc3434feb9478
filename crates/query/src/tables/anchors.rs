//! `anchors`: anchor texts of the target's backlinks, one row per anchor, with `stats`
//! (backlinks, refpages) over every matching link.

use datafusion::arrow::array::AsArray;
use datafusion::arrow::datatypes::Int64Type;
use datafusion::functions_aggregate::expr_fn::{count, count_distinct, max, min};
use datafusion::logical_expr::{Expr, col, lit};
use hrefdex_api::Request;
use hrefdex_api::encode::{Answer, Extras};

use super::{finish_grouped, live_backlinks};
use crate::engine::{QueryError, Snapshot};

/// Columns that filter link rows before grouping, and what they read.
fn row_level(name: &str) -> Option<Expr> {
    match name {
        "anchor" | "first_seen" | "last_visited" => Some(col(name)),
        "refdomain" => Some(col("from_domain")),
        _ => None,
    }
}

pub(super) async fn answer(snapshot: &Snapshot, request: &Request) -> Result<Answer, QueryError> {
    let links = live_backlinks(snapshot, request, row_level).await?;
    let df = links.clone().aggregate(
        vec![col("anchor")],
        vec![
            count(lit(1i64)).alias("backlinks"),
            count_distinct(col("url_from")).alias("refpages"),
            count_distinct(col("from_domain")).alias("refdomains"),
            min(col("first_seen")).alias("first_seen"),
            max(col("last_visited")).alias("last_visited"),
        ],
    )?;
    let found = finish_grouped(request, df, row_level).await?;

    let totals = links
        .aggregate(
            vec![],
            vec![count(lit(1i64)), count_distinct(col("url_from"))],
        )?
        .collect()
        .await?;
    let total = |i: usize| {
        totals
            .first()
            .and_then(|b| {
                b.column(i)
                    .as_primitive_opt::<Int64Type>()
                    .map(|a| a.value(0))
            })
            .unwrap_or(0)
    };
    let extras = Extras {
        stats: vec![("backlinks", total(0)), ("refpages", total(1))],
        tlds: vec![],
    };
    Ok(Answer {
        table: request.table,
        columns: request.select.clone(),
        rows: found,
        extras,
    })
}
