//! `refdomains`: referring domains of the target, one row per registrable domain, with
//! `stats` (refdomains, ips, class_c) over every matching link.

use std::sync::Arc;

use datafusion::arrow::array::{Int32Array, Int64Array};
use datafusion::arrow::datatypes::{DataType, Field, Schema, SchemaRef, TimeUnit};
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::logical_expr::{Expr, col};
use hrefdex_api::Request;
use hrefdex_api::encode::{Answer, Extras};

use super::{finish_grouped, live_backlinks};
use crate::engine::{QueryError, Snapshot};
use crate::host_udf::class_c;
use crate::interner::Interner;
use crate::plans::fold_batches;
use crate::referrers::{LinkColumns, Referrers, max_of, min_of, utc_micros};

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

/// The staged table of the target's referring domains (see [`answer`]).
pub(super) const GROUPS: &str = "refdomains_groups";

/// The columns of [`GROUPS`]: one row per referring domain of the matching links, under
/// the API's names.
pub(super) fn groups_schema() -> SchemaRef {
    let ts = DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into()));
    Arc::new(Schema::new(vec![
        Field::new("refdomain", DataType::Utf8, true),
        Field::new("backlinks", DataType::Int64, true),
        Field::new("refpages", DataType::Int64, true),
        Field::new("first_seen", ts.clone(), true),
        Field::new("last_visited", ts, true),
        Field::new("domain_rating", DataType::Int32, true),
    ]))
}

/// One scan of the target: its links folded by referring domain in Rust (numbering
/// pages and domains once instead of grouping on their strings, see
/// [`crate::interner`]), with the stats counted over the pages as they are first seen;
/// then the domains staged and read by a cached plan through the request's `having`,
/// order and limit.
pub(super) async fn answer(snapshot: &Snapshot, request: &Request) -> Result<Answer, QueryError> {
    let links = live_backlinks(snapshot, request, row_level)
        .await?
        .select(vec![
            col("url_from"),
            col("from_domain"),
            col("ip_from"),
            col("first_seen"),
            col("last_visited"),
            col("domain_rating"),
        ])?;
    let mut domains = RefDomains::default();
    fold_batches(links, "refdomains", |batch| domains.add(batch)).await?;
    let extras = Extras {
        stats: domains.stats(),
        tlds: vec![],
    };
    let groups = domains.into_batch()?;
    let grouped = snapshot.staged(GROUPS, vec![groups]).await?;
    let found = finish_grouped(request, grouped, row_level).await?;
    Ok(Answer {
        table: request.table,
        columns: request.select.clone(),
        rows: found,
        extras,
    })
}

/// What `refdomains` knows of one referring domain.
#[derive(Default)]
struct DomainGroup {
    backlinks: i64,
    refpages: i64,
    first_seen: Option<i64>,
    last_visited: Option<i64>,
    domain_rating: Option<i32>,
}

/// The target's links folded by referring domain, and the IPs of their pages.
#[derive(Default)]
struct RefDomains {
    referrers: Referrers,
    /// By domain number ([`Referrers::domains`]).
    groups: Vec<DomainGroup>,
    /// Distinct non-empty IPs of the referring pages (an IP is an attribute of the page,
    /// written for every row of a version, so each page's first row gives it).
    ips: Interner,
    class_c: Interner,
}

impl RefDomains {
    /// Folds one batch of links; returns the bytes now held.
    fn add(&mut self, batch: &RecordBatch) -> datafusion::error::Result<usize> {
        let c = LinkColumns::new(batch);
        let (url, domain, ip) = (
            c.strings("url_from")?,
            c.strings("from_domain")?,
            c.strings("ip_from")?,
        );
        let (first_seen, last_visited) = (c.times("first_seen")?, c.times("last_visited")?);
        let rating = c.ints("domain_rating")?;
        for row in 0..batch.num_rows() {
            let r = self.referrers.add(url.get(row), domain.get(row));
            let d = r.domain as usize;
            if d == self.groups.len() {
                self.groups.push(DomainGroup::default());
            }
            let g = &mut self.groups[d];
            g.backlinks += 1;
            g.first_seen = min_of(g.first_seen, first_seen.get(row));
            g.last_visited = max_of(g.last_visited, last_visited.get(row));
            g.domain_rating = max_of(g.domain_rating, rating.get(row));
            if r.new_page {
                g.refpages += 1;
                let ip = ip.get(row);
                if !ip.is_empty()
                    && self.ips.intern(ip).1
                    && let Some(net) = class_c(ip)
                {
                    self.class_c.intern(&net);
                }
            }
        }
        Ok(self.referrers.heap_bytes()
            + self.groups.capacity() * size_of::<DomainGroup>()
            + self.ips.heap_bytes()
            + self.class_c.heap_bytes())
    }

    /// `refdomains`, `ips` and `class_c`: distinct referring domains, distinct non-empty
    /// IPs of the referring pages, and the class-C networks of those IPs.
    fn stats(&self) -> Vec<(&'static str, i64)> {
        vec![
            ("refdomains", self.groups.len() as i64),
            ("ips", self.ips.len() as i64),
            ("class_c", self.class_c.len() as i64),
        ]
    }

    /// The domains as one batch of [`GROUPS`].
    fn into_batch(self) -> Result<RecordBatch, QueryError> {
        let g = &self.groups;
        Ok(RecordBatch::try_new(
            groups_schema(),
            vec![
                Arc::new(self.referrers.domains().to_array()),
                Arc::new(Int64Array::from_iter_values(g.iter().map(|g| g.backlinks))),
                Arc::new(Int64Array::from_iter_values(g.iter().map(|g| g.refpages))),
                utc_micros(g.iter().map(|g| g.first_seen)),
                utc_micros(g.iter().map(|g| g.last_visited)),
                Arc::new(Int32Array::from_iter(g.iter().map(|g| g.domain_rating))),
            ],
        )?)
    }
}
