//! `metrics` and `metrics_extended`: one object of counters over the target: its live
//! external backlinks split by kind ([`super::kinds`]), referring domains, IPs and class-C
//! networks, its crawled pages, and the root domains it links to.
//!
//! * `pages`: crawled URLs under the target; `valid_pages`: of those, the ones whose
//!   latest answer is not 5xx; `html_pages`: the ones whose latest answer was HTML.
//! * `links_internal`, `links_external`: sums of the per-page counts of those pages.
//! * `linked_root_domains`: registrable domains the target's live external links point to.

use std::collections::HashMap;

use datafusion::arrow::record_batch::RecordBatch;
use datafusion::functions_aggregate::expr_fn::{count, count_distinct, sum};
use datafusion::logical_expr::{Expr, col, lit};
use hrefdex_api::Request;
use hrefdex_api::encode::{Answer, Extras};
use hrefdex_api::value::Value;

use super::kinds::{DomainKind, count_if, domain_kinds, kinds};
use super::{live_backlinks, single_row};
use crate::engine::{QueryError, Snapshot};
use crate::host_udf::class_c;
use crate::interner::Interner;
use crate::plans::fold_batches;
use crate::referrers::{LinkColumns, Referrers};

pub(super) async fn answer(snapshot: &Snapshot, request: &Request) -> Result<Answer, QueryError> {
    let mut counters: HashMap<String, i64> = HashMap::new();

    counters.extend(link_counters(snapshot, request).await?);

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

/// The link counters, in one scan of the target's links. DataFusion evaluates the kinds
/// a link decides itself as boolean columns, which the fold counts a batch at a time; the
/// fold numbers the referring pages, domains and IPs (see [`crate::interner`]) and
/// decides the kinds of a domain (`gov`, `edu`) once per domain. Distinct counts in
/// DataFusion kept a hash set of strings per aggregate; on a target with 500,000
/// backlinks they took most of the answer's time.
async fn link_counters(
    snapshot: &Snapshot,
    request: &Request,
) -> Result<HashMap<String, i64>, QueryError> {
    let domain_kinds = domain_kinds();
    let by_link: Vec<(&'static str, Expr)> = kinds("from_domain")
        .into_iter()
        .filter(|(name, _)| *name != "all" && domain_kinds.iter().all(|(d, _)| d != name))
        .collect();
    let mut columns = vec![col("url_from"), col("from_domain"), col("ip_from")];
    columns.extend(by_link.iter().map(|(name, p)| p.clone().alias(*name)));
    let links = live_backlinks(snapshot, request, |_| None)
        .await?
        .select(columns)?;
    let mut counters = LinkCounters {
        kinds: by_link.iter().map(|(name, _)| (*name, 0)).collect(),
        ..LinkCounters::default()
    };
    fold_batches(links, "metrics", |batch| counters.add(batch)).await?;
    Ok(counters.finish(&domain_kinds))
}

/// The target's links folded into the `metrics` link counters.
#[derive(Default)]
struct LinkCounters {
    referrers: Referrers,
    /// Links by referring domain number.
    domain_links: Vec<i64>,
    ips: Interner,
    class_c: Interner,
    /// The kinds a link decides itself, by name: links of each.
    kinds: Vec<(&'static str, i64)>,
    backlinks: i64,
}

impl LinkCounters {
    /// Folds one batch of links; returns the bytes now held.
    fn add(&mut self, batch: &RecordBatch) -> datafusion::error::Result<usize> {
        let c = LinkColumns::new(batch);
        let (url, domain, ip) = (
            c.strings("url_from")?,
            c.strings("from_domain")?,
            c.strings("ip_from")?,
        );
        for (name, links) in &mut self.kinds {
            *links += c.flags(name)?.true_count() as i64;
        }
        for row in 0..batch.num_rows() {
            let r = self.referrers.add(url.get(row), domain.get(row));
            let d = r.domain as usize;
            if d == self.domain_links.len() {
                self.domain_links.push(0);
            }
            self.domain_links[d] += 1;
            let ip = ip.get(row);
            if r.new_page
                && !ip.is_empty()
                && self.ips.intern(ip).1
                && let Some(net) = class_c(ip)
            {
                self.class_c.intern(&net);
            }
        }
        self.backlinks += batch.num_rows() as i64;
        Ok(self.referrers.heap_bytes()
            + self.domain_links.capacity() * size_of::<i64>()
            + self.ips.heap_bytes()
            + self.class_c.heap_bytes())
    }

    /// The counters by name: the link kinds, the domain kinds (`domain_kinds`, each
    /// decided once per referring domain), and the distinct referrers.
    fn finish(self, domain_kinds: &[DomainKind]) -> HashMap<String, i64> {
        let mut out: HashMap<String, i64> = self
            .kinds
            .into_iter()
            .map(|(name, links)| (name.to_owned(), links))
            .collect();
        let names = self.referrers.domains();
        for (kind, of_kind) in domain_kinds {
            let links = (0..names.len() as u32)
                .filter(|&d| of_kind(names.get(d)))
                .map(|d| self.domain_links[d as usize])
                .sum();
            out.insert((*kind).to_owned(), links);
        }
        out.extend([
            ("backlinks".to_owned(), self.backlinks),
            ("refpages".to_owned(), self.referrers.pages() as i64),
            ("refdomains".to_owned(), names.len() as i64),
            ("refips".to_owned(), self.ips.len() as i64),
            ("refclass_c".to_owned(), self.class_c.len() as i64),
        ]);
        out
    }
}
