//! `refdomains`: referring domains of the target, one row per registrable domain, with
//! `stats` (refdomains, ips, class_c) over every matching link.

use crate::plans::Run;
use std::collections::HashSet;
use std::sync::Arc;

use datafusion::arrow::array::AsArray;
use datafusion::arrow::datatypes::{DataType, Field, Schema, SchemaRef, TimeUnit};
use datafusion::arrow::record_batch::RecordBatch;
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

/// The staged table of the target's referring pages (see [`answer`]).
pub(super) const REFPAGES: &str = "refdomains_pages";

/// The columns of [`REFPAGES`]: one row per referring page of the matching links.
pub(super) fn refpages_schema() -> SchemaRef {
    let ts = DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into()));
    Arc::new(Schema::new(vec![
        Field::new("from_domain", DataType::Utf8, true),
        Field::new("url_from", DataType::Utf8, true),
        Field::new("ip_from", DataType::Utf8, true),
        Field::new("backlinks", DataType::Int64, true),
        Field::new("first_seen", ts.clone(), true),
        Field::new("last_visited", ts, true),
        Field::new("domain_rating", DataType::Int32, true),
    ]))
}

pub(super) async fn answer(snapshot: &Snapshot, request: &Request) -> Result<Answer, QueryError> {
    // One scan of the target: its links grouped by referring page, staged; then the
    // pages grouped by domain (so that `refpages` is a plain count of groups, not a
    // distinct count per domain, which keeps a hash set of URLs per group: on a target
    // with 500,000 backlinks, most of the answer's time) and the stats counted over the
    // pages. `ip_from` is an attribute of the referring page, written from the page for
    // every row of a version, so adding it to the page's key makes no more groups.
    let pages = live_backlinks(snapshot, request, row_level)
        .await?
        .aggregate(
            vec![col("from_domain"), col("url_from"), col("ip_from")],
            vec![
                count(lit(1i64)).alias("backlinks"),
                min(col("first_seen")).alias("first_seen"),
                max(col("last_visited")).alias("last_visited"),
                max(col("domain_rating")).alias("domain_rating"),
            ],
        )?
        .run()
        .await?;
    let extras = Extras {
        stats: stats(&pages),
        tlds: vec![],
    };
    let grouped = snapshot.staged(REFPAGES, pages).await?.aggregate(
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
    Ok(Answer {
        table: request.table,
        columns: request.select.clone(),
        rows: found,
        extras,
    })
}

/// `refdomains`, `ips` and `class_c` over the referring pages of the matching links
/// (batches of [`REFPAGES`]' columns): distinct domains, distinct non-empty IPs, and
/// the distinct first three octets of those IPs.
fn stats(pages: &[RecordBatch]) -> Vec<(&'static str, i64)> {
    let (mut domains, mut ips, mut class_c) = (HashSet::new(), HashSet::new(), HashSet::new());
    for b in pages {
        let (domain, ip) = (
            b.column(0).as_string::<i32>(),
            b.column(2).as_string::<i32>(),
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
    vec![
        ("refdomains", domains.len() as i64),
        ("ips", ips.len() as i64),
        ("class_c", class_c.len() as i64),
    ]
}
