//! `metrics` and `metrics_extended`: one object of counters over the target: its live
//! external backlinks split by kind ([`super::kinds`]), referring domains, IPs and class-C
//! networks, its crawled pages, and the root domains it links to.
//!
//! * `pages`: crawled URLs under the target; `valid_pages`: of those, the ones whose
//!   latest answer is not 5xx; `html_pages`: the ones whose latest answer was HTML.
//! * `links_internal`, `links_external`: sums of the per-page counts of those pages.
//! * `linked_root_domains`: registrable domains the target's live external links point to.

use std::collections::HashMap;

use datafusion::functions_aggregate::expr_fn::{count, count_distinct, sum};
use datafusion::logical_expr::{col, lit, when};
use hrefdex_api::Request;
use hrefdex_api::encode::{Answer, Extras};
use hrefdex_api::value::Value;

use super::kinds::{count_if, kinds};
use super::{live_backlinks, single_row};
use crate::engine::{QueryError, Snapshot};
use crate::host_udf;

pub(super) async fn answer(snapshot: &Snapshot, request: &Request) -> Result<Answer, QueryError> {
    let mut counters: HashMap<String, i64> = HashMap::new();

    let non_empty_ip = when(col("ip_from").not_eq(lit("")), col("ip_from")).end()?;
    let mut aggregates = vec![
        count(lit(1i64)).alias("backlinks"),
        count_distinct(col("url_from")).alias("refpages"),
        count_distinct(col("from_domain")).alias("refdomains"),
        count_distinct(non_empty_ip).alias("refips"),
        count_distinct(host_udf::class_c_of(col("ip_from"))).alias("refclass_c"),
    ];
    aggregates.extend(
        kinds("from_domain")
            .into_iter()
            .filter(|(name, _)| *name != "all")
            .map(|(name, predicate)| count_if(predicate).alias(name)),
    );
    let links = live_backlinks(snapshot, request, |_| None).await?;
    counters.extend(single_row(links.aggregate(vec![], aggregates)?).await?);

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
