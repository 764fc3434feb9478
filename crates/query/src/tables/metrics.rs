//! `metrics` and `metrics_extended`: one object of counters over the target: its live
//! external backlinks split by kind ([`super::kinds`]), referring domains, IPs and class-C
//! networks, its crawled pages, and the root domains it links to.
//!
//! * `pages`: crawled URLs under the target; `valid_pages`: of those, the ones whose
//!   latest answer is not 5xx; `html_pages`: the ones whose latest answer was HTML.
//! * `links_internal`, `links_external`: sums of the per-page counts of those pages.
//! * `linked_root_domains`: registrable domains the target's live external links point to.

use std::collections::HashMap;

use datafusion::dataframe::DataFrame;
use datafusion::functions_aggregate::expr_fn::{count, count_distinct, sum};
use datafusion::logical_expr::{Expr, col, lit, when};
use hrefdex_api::Request;
use hrefdex_api::encode::{Answer, Extras};
use hrefdex_api::value::Value;

use super::kinds::{count_if, kinds};
use super::{live_backlinks, single_row};
use crate::engine::{QueryError, Snapshot};
use crate::host_udf;

pub(super) async fn answer(snapshot: &Snapshot, request: &Request) -> Result<Answer, QueryError> {
    let mut counters: HashMap<String, i64> = HashMap::new();

    let links = live_backlinks(snapshot, request, |_| None).await?;
    let link_counters = if snapshot.large_target("links_in")? {
        by_domain_and_ip(links)?
    } else {
        vec![links.aggregate(vec![], per_link()?)?]
    };
    for df in link_counters {
        counters.extend(single_row(df).await?);
    }

    let pages = snapshot.target("pages")?.aggregate(
        vec![],
        vec![
            count(lit(1i64)).alias("pages"),
            count_if(col("http_code").lt(lit(500))).alias("valid_pages"),
            count_if(
                col("content_type")
                    .like(lit("text/html%"))
                    .or(col("content_type").like(lit("application/xhtml%"))),
            )
            .alias("html_pages"),
            sum(col("links_internal")).alias("links_internal"),
            sum(col("links_external")).alias("links_external"),
        ],
    )?;
    counters.extend(single_row(pages).await?);

    let linked = snapshot
        .target("links_out")?
        .filter(col("lost_at").is_null().and(col("internal").eq(lit(false))))?
        .aggregate(
            vec![],
            vec![count_distinct(col("to_domain")).alias("linked_root_domains")],
        )?;
    counters.extend(single_row(linked).await?);

    let row = request
        .select
        .iter()
        .map(|c| Value::Int(counters.get(c.name).copied().unwrap_or(0)))
        .collect();
    Ok(Answer {
        table: request.table,
        columns: request.select.clone(),
        rows: vec![row],
        extras: Extras::default(),
    })
}

/// The link counters in one aggregate over the links: the plan for a target of a few
/// thousand links, where one pass costs less than two.
fn per_link() -> Result<Vec<Expr>, QueryError> {
    let mut aggregates = vec![
        count(lit(1i64)).alias("backlinks"),
        count_distinct(col("url_from")).alias("refpages"),
    ];
    aggregates.extend(distinct_referrers()?);
    aggregates.extend(
        counted_kinds()
            .into_iter()
            .map(|(name, predicate)| count_if(predicate).alias(name)),
    );
    Ok(aggregates)
}

/// The kinds counted (every one but `all`, which is `backlinks`).
fn counted_kinds() -> Vec<(&'static str, Expr)> {
    kinds("from_domain")
        .into_iter()
        .filter(|(name, _)| *name != "all")
        .collect()
}

/// Distinct referring domains, IPs and class-C networks, over rows with the columns
/// `from_domain` and `ip_from` (links, or their (domain, IP) groups).
fn distinct_referrers() -> Result<Vec<Expr>, QueryError> {
    let non_empty_ip = when(col("ip_from").not_eq(lit("")), col("ip_from")).end()?;
    Ok(vec![
        count_distinct(col("from_domain")).alias("refdomains"),
        count_distinct(non_empty_ip).alias("refips"),
        count_distinct(host_udf::class_c_of(col("ip_from"))).alias("refclass_c"),
    ])
}

/// The link counters of a large target, as two aggregates. The links are first grouped
/// by (referring domain, IP): a few thousand groups even for 500,000 backlinks, which the
/// distinct counts of domains, IPs and class-C networks and the kinds decided by the
/// domain (`gov`, `edu`) then read instead of every link. The other kinds are counted per
/// link in that first step; `refpages` is counted over the links apart.
fn by_domain_and_ip(links: DataFrame) -> Result<Vec<DataFrame>, QueryError> {
    let by_domain = |predicate: &Expr| {
        predicate
            .column_refs()
            .iter()
            .all(|c| c.name == "from_domain")
    };
    let kinds = counted_kinds();
    let mut per_pair = vec![count(lit(1i64)).alias("backlinks")];
    per_pair.extend(
        kinds
            .iter()
            .filter(|(_, predicate)| !by_domain(predicate))
            .map(|(name, predicate)| count_if(predicate.clone()).alias(*name)),
    );
    let pairs = links
        .clone()
        .aggregate(vec![col("from_domain"), col("ip_from")], per_pair)?;

    let mut totals = vec![sum(col("backlinks")).alias("backlinks")];
    totals.extend(distinct_referrers()?);
    for (name, predicate) in &kinds {
        totals.push(if by_domain(predicate) {
            sum(when(predicate.clone(), col("backlinks")).otherwise(lit(0i64))?).alias(*name)
        } else {
            sum(col(*name)).alias(*name)
        });
    }
    let refpages = links.aggregate(
        vec![],
        vec![count_distinct(col("url_from")).alias("refpages")],
    )?;
    Ok(vec![pairs.aggregate(vec![], totals)?, refpages])
}
