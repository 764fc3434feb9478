//! `backlinks_new_lost`: backlinks that appeared or disappeared, one row per event, from
//! `link_events` (the link's other columns are as of the answering version).

use datafusion::logical_expr::{Expr, col, lit};
use hrefdex_api::Request;
use hrefdex_api::encode::Answer;

use super::finish_rows;
use crate::engine::{QueryError, Snapshot};
use crate::exprs;

/// `origin` is how the link was first found; every other column keeps its name.
fn stored(name: &str) -> Expr {
    match name {
        "origin" => col("first_origin"),
        other => col(other),
    }
}

pub(super) async fn answer(snapshot: &Snapshot, request: &Request) -> Result<Answer, QueryError> {
    let mut predicate = col("internal").eq(lit(false));
    for c in &request.where_ {
        predicate = predicate.and(exprs::condition(c, stored));
    }
    let df = super::link_events::with_links(snapshot)
        .await?
        .filter(predicate)?;
    finish_rows(df, request, stored).await
}
