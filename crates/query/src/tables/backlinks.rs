//! `backlinks`: live external links into the target, one row per link.

use datafusion::logical_expr::{Expr, col};
use hrefdex_api::Request;
use hrefdex_api::encode::{Answer, Extras};

use super::{live_backlinks, order_and_page};
use crate::convert::rows;
use crate::engine::{QueryError, Snapshot};
use crate::exprs;

/// Every API column of `backlinks` is stored under its own name in `links_in`.
fn stored(name: &str) -> Expr {
    col(name)
}

pub(super) async fn answer(snapshot: &Snapshot, request: &Request) -> Result<Answer, QueryError> {
    let mut df = live_backlinks(snapshot, request, |n| Some(stored(n))).await?;
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
