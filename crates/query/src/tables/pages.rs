//! `pages` and `ahrefs_rank`: crawled pages under the target, one row per URL (`pages`
//! adds `stats.pages`, the number of matching pages).

use crate::plans::Run;
use datafusion::arrow::array::AsArray;
use datafusion::arrow::datatypes::Int64Type;
use datafusion::functions_aggregate::expr_fn::count;
use datafusion::logical_expr::{Expr, col, lit};
use hrefdex_api::Request;
use hrefdex_api::encode::{Answer, Extras};

use super::page_and_select;
use crate::convert::rows;
use crate::engine::{QueryError, Snapshot};
use crate::exprs;

/// Every API column is stored under its own name in `pages`.
fn stored(name: &str) -> Expr {
    col(name)
}

pub(super) async fn answer(snapshot: &Snapshot, request: &Request) -> Result<Answer, QueryError> {
    let mut matching = snapshot.target("pages")?;
    for c in request.where_.iter().chain(&request.having) {
        matching = matching.filter(exprs::condition(c, stored))?;
    }
    let batches = page_and_select(matching.clone(), request, stored)?
        .run()
        .await?;
    let mut extras = Extras::default();
    if !request.table.extras.is_empty() {
        let total = matching
            .aggregate(vec![], vec![count(lit(1i64))])?
            .run()
            .await?;
        let pages = total
            .first()
            .and_then(|b| {
                b.column(0)
                    .as_primitive_opt::<Int64Type>()
                    .map(|a| a.value(0))
            })
            .unwrap_or(0);
        extras.stats = vec![("pages", pages)];
    }
    Ok(Answer {
        table: request.table,
        columns: request.select.clone(),
        rows: rows(&batches, &request.select)?,
        extras,
    })
}
