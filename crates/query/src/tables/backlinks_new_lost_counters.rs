//! `backlinks_new_lost_counters`: per day and linked URL, how many of the target's
//! backlinks appeared and disappeared. `new`/`lost` count the events `where` keeps;
//! `new_total`/`lost_total` count them all. A (day, URL) row exists when it has any event.

use datafusion::arrow::datatypes::DataType;
use datafusion::common::JoinType;
use datafusion::functions::expr_fn::coalesce;
use datafusion::logical_expr::{Expr, cast, col, lit};
use hrefdex_api::Request;
use hrefdex_api::encode::{Answer, Extras};

use super::finish_having;
use super::kinds::count_if;
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
    let events = super::link_events::with_links(snapshot)
        .await?
        .filter(col("internal").eq(lit(false)))?;
    let is = |t: &str| col("type").eq(lit(t.to_owned()));
    let totals = events.clone().aggregate(
        vec![col("date"), col("url_to")],
        vec![
            count_if(is("new")).alias("new_total"),
            count_if(is("lost")).alias("lost_total"),
        ],
    )?;
    let mut kept = events;
    for c in &request.where_ {
        kept = kept.filter(exprs::condition(c, stored))?;
    }
    let kept = kept.aggregate(
        vec![
            col("date").alias("kept_date"),
            col("url_to").alias("kept_url"),
        ],
        vec![
            count_if(is("new")).alias("kept_new"),
            count_if(is("lost")).alias("kept_lost"),
        ],
    )?;
    let zero_if_none = |c: &str| coalesce(vec![cast(col(c), DataType::Int64), lit(0i64)]);
    let joined = totals
        .join(
            kept,
            JoinType::Left,
            &["date", "url_to"],
            &["kept_date", "kept_url"],
            None,
        )?
        .select(vec![
            col("date"),
            col("url_to"),
            zero_if_none("kept_new").alias("new"),
            zero_if_none("kept_lost").alias("lost"),
            col("new_total"),
            col("lost_total"),
        ])?;
    let found = finish_having(request, joined).await?;
    Ok(Answer {
        table: request.table,
        columns: request.select.clone(),
        rows: found,
        extras: Extras::default(),
    })
}
