//! `backlinks_one_per_domain`: the target's backlinks, keeping one per referring domain:
//! the one from the page with the highest UR (`ahrefs_rank`), ties broken by `url_from`,
//! then `url_to`, ascending. `where` picks the candidate links first; `total_backlinks`
//! counts every live backlink from the domain to the target, whatever `where` says.

use datafusion::common::JoinType;
use datafusion::functions_aggregate::expr_fn::count;
use datafusion::functions_window::expr_fn::row_number;
use datafusion::logical_expr::{Expr, ExprFunctionExt, col, lit};
use hrefdex_api::Request;
use hrefdex_api::encode::{Answer, Extras};

use super::{finish_having, live_backlinks};
use crate::engine::{QueryError, Snapshot};

/// Every link column is stored under its own name in `links_in`; the rest exist only
/// after the choice.
fn row_level(name: &str) -> Option<Expr> {
    match name {
        "total_backlinks" => None,
        other => Some(col(other)),
    }
}

pub(super) async fn answer(snapshot: &Snapshot, request: &Request) -> Result<Answer, QueryError> {
    let best_first = row_number()
        .partition_by(vec![col("from_domain")])
        .order_by(vec![
            col("ahrefs_rank").sort(false, false),
            col("url_from").sort(true, false),
            col("url_to").sort(true, false),
        ])
        .build()?
        .alias("rank_in_domain");
    let chosen = live_backlinks(snapshot, request, row_level)
        .await?
        .window(vec![best_first])?
        .filter(col("rank_in_domain").eq(lit(1u64)))?;
    let totals = live_backlinks(snapshot, request, |_| None)
        .await?
        .aggregate(
            vec![col("from_domain").alias("total_domain")],
            vec![count(lit(1i64)).alias("total_backlinks")],
        )?;
    let joined = chosen.join(
        totals,
        JoinType::Inner,
        &["from_domain"],
        &["total_domain"],
        None,
    )?;
    let found = finish_having(request, joined).await?;
    Ok(Answer {
        table: request.table,
        columns: request.select.clone(),
        rows: found,
        extras: Extras::default(),
    })
}
