//! `linked_domains_by_type`: external registrable domains the target links to (live
//! links), one row per domain, with its links counted by kind ([`super::kinds`]; `gov`
//! and `edu` are decided by the linked domain), plus `stats` and `tlds` over every domain
//! the `where` conditions keep. In `stats`, the kind fields count domains with at least
//! one link of that kind (`all` is then the number of linked domains); `total_links` sums
//! the links.

use std::collections::HashMap;

use datafusion::functions_aggregate::expr_fn::{count, max, min, sum};
use datafusion::logical_expr::{Expr, col, lit};
use hrefdex_api::Request;
use hrefdex_api::encode::{Answer, Extras};
use hrefdex_url::registrable_domain;

use super::kinds::{count_if, kinds};
use super::{
    ProfileNames, catalogue_stats, domain_profile, finish_having, single_row, tlds, where_on_groups,
};
use crate::engine::{QueryError, Snapshot};
use crate::exprs;

pub(super) async fn answer(snapshot: &Snapshot, request: &Request) -> Result<Answer, QueryError> {
    let domain_from =
        registrable_domain(request.target.as_ref().map_or("", |t| t.host())).to_owned();
    // Columns that filter link rows before grouping, and what they read.
    let row_level = |name: &str| -> Option<Expr> {
        match name {
            "domain_to" => Some(col("to_domain")),
            "domain_from" => Some(lit(domain_from.clone())),
            "first_seen" | "last_visited" => Some(col(name)),
            _ => None,
        }
    };
    let mut predicate = col("lost_at").is_null().and(col("internal").eq(lit(false)));
    for c in &request.where_ {
        if row_level(c.column().name).is_some() {
            predicate = predicate.and(exprs::condition(c, |n| {
                row_level(n).unwrap_or_else(|| col(n))
            }));
        }
    }
    let links = snapshot.target("links_out")?.filter(predicate)?;
    let mut aggregates = vec![
        count(lit(1i64)).alias("links"),
        min(col("first_seen")).alias("first_seen"),
        max(col("last_visited")).alias("last_visited"),
        max(col("domain_to_rating")).alias("domain_to_rating"),
        max(col("domain_to_ahrefs_top")).alias("domain_to_ahrefs_top"),
    ];
    // The kinds this table counts are the kinds among its columns.
    let counted: Vec<(&str, Expr)> = kinds("to_domain")
        .into_iter()
        .filter(|(name, _)| request.table.column(name).is_some())
        .collect();
    aggregates.extend(
        counted
            .iter()
            .map(|(name, predicate)| count_if(predicate.clone()).alias(*name)),
    );
    let grouped = links
        .aggregate(vec![col("to_domain").alias("domain_to")], aggregates)?
        .with_column("domain_from", lit(domain_from.clone()))?;
    let profile = ProfileNames {
        top: "domain_to_top",
        traffic: "domain_to_traffic",
        linked_domains: "domain_to_linked_domains",
        refdomains: "domain_to_refdomains",
    };
    let grouped = domain_profile(snapshot, grouped, "domain_to", profile).await?;
    let kept = where_on_groups(request, grouped, row_level)?;
    let found = finish_having(request, kept.clone()).await?;

    let dofollow = col("dofollow");
    let mut totals = vec![
        count(lit(1i64)).alias("linked_domains"),
        max(col("links")).alias("max_links"),
        max(dofollow.clone()).alias("max_links_dofollow"),
        sum(col("links")).alias("total_links"),
        sum(dofollow).alias("total_links_dofollow"),
    ];
    totals.extend(
        counted
            .iter()
            .map(|(name, _)| count_if(col(*name).gt(lit(0i64))).alias(*name)),
    );
    let stats: HashMap<String, i64> = single_row(kept.clone().aggregate(vec![], totals)?).await?;
    let extras = Extras {
        stats: catalogue_stats(request.table, &stats),
        tlds: tlds(kept, "domain_to").await?,
    };
    Ok(Answer {
        table: request.table,
        columns: request.select.clone(),
        rows: found,
        extras,
    })
}
