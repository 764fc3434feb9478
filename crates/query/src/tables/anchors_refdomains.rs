//! `anchors_refdomains`: referring domains of the target, one row per registrable domain,
//! with how many distinct anchors and backlinks each uses (`where=anchor="…"` restricts
//! both to links with that anchor).

use datafusion::functions_aggregate::expr_fn::{count, count_distinct};
use datafusion::logical_expr::{Expr, col, lit};
use hrefdex_api::Request;
use hrefdex_api::encode::{Answer, Extras};

use super::{finish_grouped, live_backlinks};
use crate::engine::{QueryError, Snapshot};

/// Columns that filter link rows before grouping, and what they read.
fn row_level(name: &str) -> Option<Expr> {
    match name {
        "anchor" => Some(col("anchor")),
        "refdomain" => Some(col("from_domain")),
        _ => None,
    }
}

pub(super) async fn answer(snapshot: &Snapshot, request: &Request) -> Result<Answer, QueryError> {
    let grouped = live_backlinks(snapshot, request, row_level)
        .await?
        .aggregate(
            vec![col("from_domain").alias("refdomain")],
            vec![
                count_distinct(col("anchor")).alias("anchors"),
                count(lit(1i64)).alias("backlinks"),
            ],
        )?;
    let found = finish_grouped(request, grouped, row_level).await?;
    Ok(Answer {
        table: request.table,
        columns: request.select.clone(),
        rows: found,
        extras: Extras::default(),
    })
}
