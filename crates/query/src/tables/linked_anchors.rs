//! `linked_anchors`: anchor texts of the target's live outgoing links, one row per
//! anchor, with internal and external links counted separately.

use datafusion::functions_aggregate::expr_fn::sum;
use datafusion::logical_expr::{Expr, case, col, lit};
use hrefdex_api::Request;
use hrefdex_api::encode::{Answer, Extras};

use super::finish_grouped;
use crate::engine::{QueryError, Snapshot};

/// What a `where` column reads in `links_out` (all but `ip` share the stored name).
fn stored(name: &str) -> Expr {
    match name {
        "ip" => col("ip_from"),
        other => col(other),
    }
}

pub(super) async fn answer(snapshot: &Snapshot, request: &Request) -> Result<Answer, QueryError> {
    let one_if = |internal: bool| {
        case(col("internal"))
            .when(lit(internal), lit(1i64))
            .otherwise(lit(0i64))
    };
    let live = col("lost_at").is_null();
    let df = super::links_out::outgoing(snapshot, request, live, stored)
        .await?
        .aggregate(
            vec![col("anchor")],
            vec![
                sum(one_if(true)?).alias("links_internal"),
                sum(one_if(false)?).alias("links_external"),
            ],
        )?;
    // Every `where` column of this table reads link rows, so all of them ran above.
    let found = finish_grouped(request, df, |n| Some(stored(n))).await?;
    Ok(Answer {
        table: request.table,
        columns: request.select.clone(),
        rows: found,
        extras: Extras::default(),
    })
}
