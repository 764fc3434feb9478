//! `broken_backlinks` (live external links into the target whose destination answers
//! 4xx/5xx) and `broken_links` (the target's live outgoing links to such destinations).
//! In both, `http_code` and `broken_at` describe the destination; `error` is empty
//! because DNS failures are not recorded yet.

use datafusion::logical_expr::{Expr, col, lit};
use hrefdex_api::Request;
use hrefdex_api::encode::Answer;

use super::{finish_rows, live_backlinks};
use crate::engine::{QueryError, Snapshot};

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
    finish_rows(df, request, stored).await
}

/// `broken_links`.
pub(super) async fn links(snapshot: &Snapshot, request: &Request) -> Result<Answer, QueryError> {
    let live_and_broken = col("lost_at").is_null().and(broken());
    let df = super::links_out::outgoing(snapshot, request, live_and_broken, stored).await?;
    finish_rows(df, request, stored).await
}
