//! `refips`: the IP addresses (with their domain) of pages linking to the target, one row
//! per (IP, referring domain). Links from pages with no known IP are left out.

use datafusion::functions_aggregate::expr_fn::count;
use datafusion::logical_expr::{Expr, col, lit};
use hrefdex_api::Request;
use hrefdex_api::encode::{Answer, Extras};

use super::{live_backlinks, named, order_and_page};
use crate::convert::rows;
use crate::engine::{QueryError, Snapshot};
use crate::exprs;

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
    let mut df = links.aggregate(
        vec![
            col("ip_from").alias("refip"),
            col("from_domain").alias("refdomain"),
        ],
        vec![count(lit(1i64)).alias("backlinks")],
    )?;
    for c in request
        .where_
        .iter()
        .filter(|c| row_level(c.column().name).is_none())
        .chain(&request.having)
    {
        df = df.filter(exprs::condition(&snapshot.ctx, c, named))?;
    }
    let df = order_and_page(df, request, named)?;
    let df = df.select(
        request
            .select
            .iter()
            .map(|c| col(c.name))
            .collect::<Vec<_>>(),
    )?;
    let batches = df.collect().await?;
    Ok(Answer {
        table: request.table,
        columns: request.select.clone(),
        rows: rows(&batches, &request.select)?,
        extras: Extras::default(),
    })
}
