//! `broken_backlinks` (live external links into the target whose destination answers
//! 4xx/5xx) and `broken_links` (the target's live outgoing links to such destinations).
//! In both, `http_code` and `broken_at` describe the destination; `error` is empty
//! because DNS failures are not recorded yet.

use datafusion::logical_expr::{Expr, col, lit};
use hrefdex_api::Request;
use hrefdex_api::encode::{Answer, Extras};

use super::{live_backlinks, order_and_page};
use crate::convert::rows;
use crate::engine::{QueryError, Snapshot};
use crate::exprs;

fn stored(name: &str) -> Expr {
    match name {
        "http_code" => col("to_http_code"),
        "broken_at" => col("to_broken_at"),
        "error" => lit(""),
        other => col(other),
    }
}

fn broken() -> Expr {
    col("to_http_code").gt_eq(lit(400i32))
}

/// `broken_backlinks`.
pub(super) async fn backlinks(
    snapshot: &Snapshot,
    request: &Request,
) -> Result<Answer, QueryError> {
    let df = live_backlinks(snapshot, request, |n| Some(stored(n)))
        .await?
        .filter(broken())?;
    finish(df, request).await
}

/// `broken_links`.
pub(super) async fn links(snapshot: &Snapshot, request: &Request) -> Result<Answer, QueryError> {
    let range = exprs::key_ranges("from_key", &request.key_ranges());
    let mut predicate = range.and(col("lost_at").is_null()).and(broken());
    for c in &request.where_ {
        predicate = predicate.and(exprs::condition(c, stored));
    }
    let df = snapshot.ctx.table("links_out").await?.filter(predicate)?;
    finish(df, request).await
}

async fn finish(
    mut df: datafusion::dataframe::DataFrame,
    request: &Request,
) -> Result<Answer, QueryError> {
    for c in &request.having {
        df = df.filter(exprs::condition(c, stored))?;
    }
    let df = order_and_page(df, request, stored)?;
    let df = df.select(
        request
            .select
            .iter()
            .map(|c| stored(c.name).alias(c.name))
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
