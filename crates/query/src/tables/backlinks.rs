//! `backlinks`: live external links into the target, one row per link.

use datafusion::logical_expr::{Expr, col};
use hrefdex_api::Request;
use hrefdex_api::encode::Answer;

use super::{finish_rows, live_backlinks};
use crate::engine::{QueryError, Snapshot};

/// Every API column of `backlinks` is stored under its own name in `links_in`.
fn stored(name: &str) -> Expr {
    col(name)
}

pub(super) async fn answer(snapshot: &Snapshot, request: &Request) -> Result<Answer, QueryError> {
    let df = live_backlinks(snapshot, request, |n| Some(stored(n))).await?;
    finish_rows(df, request, stored).await
}
