//! `refdomains`: referring domains of the target, one row per registrable domain, with
//! `stats` (refdomains, ips, class_c) over every matching link.

use crate::plans::Run;
use std::collections::HashSet;

use datafusion::arrow::array::AsArray;
use datafusion::functions_aggregate::expr_fn::{count, max, min, sum};
use datafusion::logical_expr::{Expr, col, lit};
use hrefdex_api::Request;
use hrefdex_api::encode::{Answer, Extras};

use super::{finish_grouped, live_backlinks};
use crate::engine::{QueryError, Snapshot};

/// Columns that filter link rows before grouping, and what they read.
pub(super) fn row_level(name: &str) -> Option<Expr> {
    match name {
        "url" => Some(col("url_to")),
        "ip" => Some(col("ip_from")),
        "refdomain" => Some(col("from_domain")),
        "first_seen" | "last_visited" => Some(col(name)),
        _ => None,
    }
}

pub(super) async fn answer(snapshot: &Snapshot, request: &Request) -> Result<Answer, QueryError> {
    let links = live_backlinks(snapshot, request, row_level).await?;
    // Grouped in two steps, by (domain, page) and then by domain, so that `refpages` is a
    // plain count of groups: a referring page belongs to one domain. A distinct count per
    // domain instead keeps a hash set of URLs per group (on a target with 500,000
    // backlinks, most of the answer's time).
    let grouped = links
        .clone()
        .aggregate(
            vec![col("from_domain"), col("url_from")],
            vec![
                count(lit(1i64)).alias("backlinks"),
                min(col("first_seen")).alias("first_seen"),
                max(col("last_visited")).alias("last_visited"),
                max(col("domain_rating")).alias("domain_rating"),
            ],
        )?
        .aggregate(
            vec![col("from_domain").alias("refdomain")],
            vec![
                sum(col("backlinks")).alias("backlinks"),
                count(lit(1i64)).alias("refpages"),
                min(col("first_seen")).alias("first_seen"),
                max(col("last_visited")).alias("last_visited"),
                max(col("domain_rating")).alias("domain_rating"),
            ],
        )?;
    let found = finish_grouped(request, grouped, row_level).await?;

    // The stats in one more scan: the distinct (domain, IP) pairs of the matching links
    // give both the domains and the IPs.
    let pairs = links
        .aggregate(vec![col("from_domain"), col("ip_from")], vec![])?
        .run()
        .await?;
    let (mut domains, mut ips, mut class_c) = (HashSet::new(), HashSet::new(), HashSet::new());
    for b in &pairs {
        let (domain, ip) = (
            b.column(0).as_string::<i32>(),
            b.column(1).as_string::<i32>(),
        );
        for (domain, ip) in domain.iter().zip(ip.iter()) {
            if let Some(domain) = domain {
                domains.insert(domain);
            }
            if let Some(ip) = ip.filter(|ip| !ip.is_empty())
                && ips.insert(ip)
            {
                class_c.insert(ip.rsplit_once('.').map_or(ip, |(net, _)| net));
            }
        }
    }
    let (refdomains, ip_count) = (domains.len() as i64, ips.len() as i64);
    let extras = Extras {
        stats: vec![
            ("refdomains", refdomains),
            ("ips", ip_count),
            ("class_c", class_c.len() as i64),
        ],
        tlds: vec![],
    };
    Ok(Answer {
        table: request.table,
        columns: request.select.clone(),
        rows: found,
        extras,
    })
}
