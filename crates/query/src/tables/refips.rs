//! `refips`: the IP addresses (with their domain) of pages linking to the target, one row
//! per (IP, referring domain). Links from pages with no known IP are left out.

use datafusion::functions_aggregate::expr_fn::count;
use datafusion::logical_expr::{Expr, col, lit};
use hrefdex_api::Request;
use hrefdex_api::encode::{Answer, Extras};

use super::{finish_grouped, live_backlinks};
use crate::engine::{QueryError, Snapshot};

/// Columns that filter link rows before grouping, and what they read.
fn row_level(name: &str) -> Option<Expr> {
    match name {
        "refip" => Some(col("ip_from")),
        "refdomain" => Some(col("from_domain")),
        _ => None,
    }
}

pub(super) async fn answer(snapshot: &Snapshot, request: &Request) -> Result<Answer, QueryError> {
    let links = live_backlinks(snapshot, request, row_level)
        .await?
        .filter(col("ip_from").not_eq(lit("")))?;
    let df = links.aggregate(
        vec![
            col("ip_from").alias("refip"),
            col("from_domain").alias("refdomain"),
        ],
        vec![count(lit(1i64)).alias("backlinks")],
    )?;
    let found = finish_grouped(request, df, row_level).await?;
    Ok(Answer {
        table: request.table,
        columns: request.select.clone(),
        rows: found,
        extras: Extras::default(),
    })
}
