//! The target's outgoing links. `links_out` stores every link column but the snippets
//! ([`schema::LINKS_IN_ONLY`]), which `links_in` keeps; a request that reads them (in
//! `select`, `where`, `having` or its order) gets them joined on from `links_in` by the
//! link's row, for the links that pass its other conditions only.

use datafusion::common::JoinType;
use datafusion::dataframe::DataFrame;
use datafusion::logical_expr::{Expr, col};
use hrefdex_api::Request;
use hrefdex_index::store::schema;

use super::by_link::links_in_rows;
use crate::engine::{QueryError, Snapshot};
use crate::exprs;
use crate::keyed::ROW_ID;

/// Whether `e` reads a column `links_out` leaves to `links_in`.
fn reads_snippets(e: &Expr) -> bool {
    e.column_refs()
        .iter()
        .any(|c| schema::LINKS_IN_ONLY.contains(&c.name.as_str()))
}

/// The target's outgoing links that pass `base` and the request's `where` (its columns
/// read through `stored`): the columns of `links_out`, with the snippets and [`ROW_ID`]
/// when the request reads a snippet.
pub(crate) async fn outgoing(
    snapshot: &Snapshot,
    request: &Request,
    base: Expr,
    stored: impl Fn(&str) -> Expr,
) -> Result<DataFrame, QueryError> {
    let (late, early): (Vec<Expr>, Vec<Expr>) = request
        .where_
        .iter()
        .map(|c| exprs::condition(c, &stored))
        .partition(reads_snippets);
    let early = early.into_iter().fold(base, Expr::and);
    let order = request.effective_order();
    let mut named = request
        .select
        .iter()
        .map(|c| c.name)
        .chain(request.having.iter().map(|c| c.column().name))
        .chain(order.iter().map(|k| k.column.name));
    let needs_snippets = !late.is_empty() || named.any(|n| reads_snippets(&stored(n)));
    if !needs_snippets || snapshot.out_snippets()? {
        let all = late.into_iter().fold(early, Expr::and);
        return Ok(snapshot.target("links_out")?.filter(all)?);
    }
    let kept = snapshot.target("links_out")?.filter(early.clone())?;
    let snapshot = links_in_rows(snapshot, kept).await?;
    // The table has every column it ever had; this layout's snippets read as nulls.
    let in_this_layout: Vec<Expr> = schema::LINKS_OUT
        .fields()
        .iter()
        .map(|f| col(f.name()))
        .chain([col(ROW_ID)])
        .collect();
    let links = snapshot
        .target("links_out")?
        .filter(early)?
        .select(in_this_layout)?;
    let snippets: Vec<Expr> = [col("link").alias("snippet_link")]
        .into_iter()
        .chain(schema::LINKS_IN_ONLY.iter().map(|c| col(*c)))
        .collect();
    let snippets = snapshot.target("links_in")?.select(snippets)?;
    let mut joined = links.join(
        snippets,
        JoinType::Inner,
        &["link"],
        &["snippet_link"],
        None,
    )?;
    for condition in late {
        joined = joined.filter(condition)?;
    }
    let columns: Vec<Expr> = schema::LINKS_OUT
        .fields()
        .iter()
        .map(|f| col(f.name()))
        .chain(schema::LINKS_IN_ONLY.iter().map(|c| col(*c)))
        .chain([col(ROW_ID)])
        .collect();
    Ok(joined.select(columns)?)
}
