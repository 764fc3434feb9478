//! `refdomains_by_type`: referring domains of the target, one row per registrable domain,
//! with the kinds of link each uses ([`super::kinds`]) as filter-only flags
//! (`where=gov=true`: domains with at least one backlink of that kind), plus `stats` and
//! `tlds` over every domain the `where` conditions keep.

use std::collections::HashMap;

use datafusion::common::JoinType;
use datafusion::functions_aggregate::expr_fn::{count, count_distinct, max, min, sum};
use datafusion::logical_expr::{col, lit, when};
use hrefdex_api::Request;
use hrefdex_api::encode::{Answer, Extras};

// The link-level columns are those of `refdomains` (`url`, `ip`, `refdomain`, dates).
use super::kinds::{any, count_if, kind, kinds};
use super::refdomains::row_level;
use super::{
    ProfileNames, catalogue_stats, domain_profile, finish_having, live_backlinks, single_row, tlds,
    where_on_groups,
};
use crate::engine::{QueryError, Snapshot};
use crate::host_udf;

pub(super) async fn answer(snapshot: &Snapshot, request: &Request) -> Result<Answer, QueryError> {
    let links = live_backlinks(snapshot, request, row_level).await?;
    let dofollow = kind("dofollow", "from_domain").unwrap_or_else(|| lit(true));
    let mut aggregates = vec![
        count(lit(1i64)).alias("backlinks"),
        count_if(dofollow).alias("backlinks_dofollow"),
        count_distinct(col("url_from")).alias("refpages"),
        min(col("first_seen")).alias("first_seen"),
        max(col("last_visited")).alias("last_visited"),
        max(col("domain_rating")).alias("domain_rating"),
    ];
    aggregates.extend(
        kinds("from_domain")
            .into_iter()
            .map(|(name, predicate)| any(predicate).alias(name)),
    );
    let grouped = links
        .clone()
        .aggregate(vec![col("from_domain").alias("refdomain")], aggregates)?;
    let profile = ProfileNames {
        top: "refdomain_top",
        traffic: "traffic",
        linked_domains: "linked_domains",
        refdomains: "refdomains",
    };
    let grouped = domain_profile(snapshot, grouped, "refdomain", profile).await?;
    let kept = where_on_groups(request, grouped, row_level)?;
    let found = finish_having(request, kept.clone()).await?;

    // `stats`: over the kept domains, and the links from them (for IPs and networks).
    let mut stats: HashMap<String, i64> = HashMap::new();
    let mut totals = vec![
        count(lit(1i64)).alias("refdomains"),
        max(col("backlinks")).alias("max_backlinks"),
        max(col("backlinks_dofollow")).alias("max_backlinks_dofollow"),
        max(col("refpages")).alias("max_refpages"),
        sum(col("backlinks")).alias("total_backlinks"),
        sum(col("backlinks_dofollow")).alias("total_backlinks_dofollow"),
    ];
    totals.extend(
        kinds("from_domain")
            .into_iter()
            .map(|(name, _)| count_if(col(name)).alias(name)),
    );
    stats.extend(single_row(kept.clone().aggregate(vec![], totals)?).await?);
    let from_kept = links.join(
        kept.clone().select(vec![col("refdomain")])?,
        JoinType::LeftSemi,
        &["from_domain"],
        &["refdomain"],
        None,
    )?;
    let non_empty_ip = when(col("ip_from").not_eq(lit("")), col("ip_from")).end()?;
    stats.extend(
        single_row(from_kept.aggregate(
            vec![],
            vec![
                count_distinct(non_empty_ip).alias("ips"),
                count_distinct(host_udf::class_c_of(col("ip_from"))).alias("class_c"),
            ],
        )?)
        .await?,
    );
    let extras = Extras {
        stats: catalogue_stats(request.table, &stats),
        tlds: tlds(kept, "refdomain").await?,
    };
    Ok(Answer {
        table: request.table,
        columns: request.select.clone(),
        rows: found,
        extras,
    })
}
