//! One module per v2 table. Each plans its answer over the registered index tables.

mod anchors;
mod backlinks;
mod backlinks_new_lost;
mod broken;
mod domain_rating;
mod linked_anchors;
mod linked_domains;
mod pages;
mod refdomains;
mod refdomains_new_lost;
mod refips;

use datafusion::dataframe::DataFrame;
use datafusion::logical_expr::{Expr, SortExpr, col, lit};
use hrefdex_api::Request;
use hrefdex_api::catalogue::Direction;
use hrefdex_api::encode::Answer;

use crate::engine::{QueryError, Snapshot};
use crate::exprs;

/// Answers `request` from `snapshot`.
pub async fn answer(snapshot: &Snapshot, request: &Request) -> Result<Answer, QueryError> {
    match request.table.name {
        "backlinks" => backlinks::answer(snapshot, request).await,
        "refdomains" => refdomains::answer(snapshot, request).await,
        "anchors" => anchors::answer(snapshot, request).await,
        "linked_anchors" => linked_anchors::answer(snapshot, request).await,
        "domain_rating" => domain_rating::answer(snapshot, request).await,
        "pages" | "ahrefs_rank" => pages::answer(snapshot, request).await,
        "refips" => refips::answer(snapshot, request).await,
        "backlinks_new_lost" => backlinks_new_lost::answer(snapshot, request).await,
        "broken_backlinks" => broken::backlinks(snapshot, request).await,
        "broken_links" => broken::links(snapshot, request).await,
        "linked_domains" => linked_domains::answer(snapshot, request).await,
        "refdomains_new_lost" => refdomains_new_lost::events(snapshot, request).await,
        "refdomains_new_lost_counters" => refdomains_new_lost::counters(snapshot, request).await,
        _ => Err(QueryError::NotYet(request.table.name)),
    }
}

/// Live external links into the target's key ranges, with the request's `where`
/// conditions that apply to link rows (`row_level` says which, and what they read).
pub(crate) async fn live_backlinks(
    snapshot: &Snapshot,
    request: &Request,
    row_level: impl Fn(&str) -> Option<Expr>,
) -> Result<DataFrame, QueryError> {
    let range = exprs::key_ranges("to_key", &request.key_ranges());
    let mut predicate = range
        .and(col("lost_at").is_null())
        .and(col("internal").eq(lit(false)));
    for c in &request.where_ {
        if row_level(c.column().name).is_some() {
            predicate = predicate.and(exprs::condition(c, |n| {
                row_level(n).unwrap_or_else(|| col(n))
            }));
        }
    }
    Ok(snapshot.ctx.table("links_in").await?.filter(predicate)?)
}

/// The end of every grouped table: filters on the groups (`where` conditions on aggregate
/// columns, which `row_level` does not place before grouping, and every `having`), the
/// full order, offset and limit, the selected columns; returns the answer rows.
pub(crate) async fn finish_grouped(
    request: &Request,
    mut df: DataFrame,
    row_level: impl Fn(&str) -> Option<Expr>,
) -> Result<Vec<Vec<hrefdex_api::value::Value>>, QueryError> {
    for c in request
        .where_
        .iter()
        .filter(|c| row_level(c.column().name).is_none())
        .chain(&request.having)
    {
        df = df.filter(exprs::condition(c, named))?;
    }
    let df = order_and_page(df, request, named)?;
    let df = df.select(
        request
            .select
            .iter()
            .map(|c| col(c.name))
            .collect::<Vec<_>>(),
    )?;
    Ok(crate::convert::rows(&df.collect().await?, &request.select)?)
}

/// A column by the name it has in the plan (the API name after grouping).
pub(crate) fn named(name: &str) -> Expr {
    col(name)
}

/// Sort, offset and limit by the request's full order, over columns named as the API names them.
pub(crate) fn order_and_page(
    df: DataFrame,
    request: &Request,
    stored: impl Fn(&str) -> Expr,
) -> Result<DataFrame, QueryError> {
    let sort: Vec<SortExpr> = request
        .effective_order()
        .iter()
        .map(|k| stored(k.column.name).sort(k.direction == Direction::Asc, false))
        .collect();
    let offset = usize::try_from(request.offset).unwrap_or(usize::MAX);
    let limit = usize::try_from(request.limit).unwrap_or(usize::MAX);
    Ok(df.sort(sort)?.limit(offset, Some(limit))?)
}
