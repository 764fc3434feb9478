//! `anchors`: anchor texts of the target's backlinks, one row per anchor, with `stats`
//! (backlinks, refpages) over every matching link.

use crate::plans::Run;
use datafusion::arrow::array::{Array, AsArray};
use datafusion::arrow::datatypes::Int64Type;
use datafusion::functions_aggregate::expr_fn::{count, max, min, sum};
use datafusion::logical_expr::{Expr, col, lit};
use hrefdex_api::Request;
use hrefdex_api::encode::{Answer, Extras};

use super::{finish_grouped, live_backlinks};
use crate::engine::{QueryError, Snapshot};

/// Columns that filter link rows before grouping, and what they read.
fn row_level(name: &str) -> Option<Expr> {
    match name {
        "anchor" | "first_seen" | "last_visited" => Some(col(name)),
        "refdomain" => Some(col("from_domain")),
        _ => None,
    }
}

/// Anchors are grouped in three steps, (anchor, domain, page) → (anchor, domain) →
/// anchor, so that every distinct count becomes a plain count of groups. A referring page
/// belongs to one domain, so the counts are exact; and they run on DataFusion's vectorised
/// group accumulators instead of a hash set of strings per anchor (which took a second on a
/// target with 65,000 backlinks).
pub(super) async fn answer(snapshot: &Snapshot, request: &Request) -> Result<Answer, QueryError> {
    let links = live_backlinks(snapshot, request, row_level).await?;
    let per_page = links.clone().aggregate(
        vec![col("anchor"), col("from_domain"), col("url_from")],
        vec![
            count(lit(1i64)).alias("backlinks"),
            min(col("first_seen")).alias("first_seen"),
            max(col("last_visited")).alias("last_visited"),
        ],
    )?;
    let per_domain = per_page.aggregate(
        vec![col("anchor"), col("from_domain")],
        vec![
            sum(col("backlinks")).alias("backlinks"),
            count(lit(1i64)).alias("refpages"),
            min(col("first_seen")).alias("first_seen"),
            max(col("last_visited")).alias("last_visited"),
        ],
    )?;
    let df = per_domain.aggregate(
        vec![col("anchor")],
        vec![
            sum(col("backlinks")).alias("backlinks"),
            sum(col("refpages")).alias("refpages"),
            count(lit(1i64)).alias("refdomains"),
            min(col("first_seen")).alias("first_seen"),
            max(col("last_visited")).alias("last_visited"),
        ],
    )?;
    let found = finish_grouped(request, df, row_level).await?;

    let totals = links
        .aggregate(
            vec![col("url_from")],
            vec![count(lit(1i64)).alias("backlinks")],
        )?
        .aggregate(vec![], vec![sum(col("backlinks")), count(lit(1i64))])?
        .run()
        .await?;
    let total = |i: usize| {
        totals
            .first()
            .and_then(|b| b.column(i).as_primitive_opt::<Int64Type>())
            .filter(|a| !a.is_empty() && !a.is_null(0))
            .map_or(0, |a| a.value(0))
    };
    let extras = Extras {
        stats: vec![("backlinks", total(0)), ("refpages", total(1))],
        tlds: vec![],
    };
    Ok(Answer {
        table: request.table,
        columns: request.select.clone(),
        rows: found,
        extras,
    })
}
