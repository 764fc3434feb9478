//! `anchors`: anchor texts of the target's backlinks, one row per anchor, with `stats`
//! (backlinks, refpages) over every matching link.

use std::sync::Arc;

use datafusion::arrow::array::Int64Array;
use datafusion::arrow::datatypes::{DataType, Field, Schema, SchemaRef, TimeUnit};
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::logical_expr::{Expr, col};
use foldhash::fast::RandomState;
use hashbrown::HashSet;
use hrefdex_api::Request;
use hrefdex_api::encode::{Answer, Extras};

use super::{finish_grouped, live_backlinks};
use crate::engine::{QueryError, Snapshot};
use crate::interner::Interner;
use crate::plans::fold_batches;
use crate::referrers::{LinkColumns, Referrers, max_of, min_of, utc_micros};

/// Columns that filter link rows before grouping, and what they read.
fn row_level(name: &str) -> Option<Expr> {
    match name {
        "anchor" | "first_seen" | "last_visited" => Some(col(name)),
        "refdomain" => Some(col("from_domain")),
        _ => None,
    }
}

/// The staged table of the target's anchors (see [`answer`]).
pub(super) const GROUPS: &str = "anchors_groups";

/// The columns of [`GROUPS`]: one row per anchor of the matching links, under the API's
/// names.
pub(super) fn groups_schema() -> SchemaRef {
    let ts = DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into()));
    Arc::new(Schema::new(vec![
        Field::new("anchor", DataType::Utf8, true),
        Field::new("backlinks", DataType::Int64, true),
        Field::new("refpages", DataType::Int64, true),
        Field::new("refdomains", DataType::Int64, true),
        Field::new("first_seen", ts.clone(), true),
        Field::new("last_visited", ts, true),
    ]))
}

/// One scan of the target: its links folded by anchor in Rust, the distinct referring
/// pages and domains of each anchor counted over numbers instead of strings (see
/// [`crate::interner`]; grouping on the strings in DataFusion, in three steps, took a
/// quarter of a second on a target with 500,000 backlinks), and the stats counted on the
/// way; then the anchors staged and read by a cached plan through the request's `having`,
/// order and limit.
pub(super) async fn answer(snapshot: &Snapshot, request: &Request) -> Result<Answer, QueryError> {
    let links = live_backlinks(snapshot, request, row_level)
        .await?
        .select(vec![
            col("anchor"),
            col("url_from"),
            col("from_domain"),
            col("first_seen"),
            col("last_visited"),
        ])?;
    let mut anchors = Anchors::default();
    fold_batches(links, "anchors", |batch| anchors.add(batch)).await?;
    let extras = Extras {
        stats: vec![
            ("backlinks", anchors.backlinks),
            ("refpages", anchors.referrers.pages() as i64),
        ],
        tlds: vec![],
    };
    let grouped = snapshot.staged(GROUPS, vec![anchors.into_batch()?]).await?;
    let found = finish_grouped(request, grouped, row_level).await?;
    Ok(Answer {
        table: request.table,
        columns: request.select.clone(),
        rows: found,
        extras,
    })
}

/// What `anchors` knows of one anchor.
#[derive(Default)]
struct AnchorGroup {
    backlinks: i64,
    refpages: i64,
    refdomains: i64,
    first_seen: Option<i64>,
    last_visited: Option<i64>,
}

/// The target's links folded by anchor.
#[derive(Default)]
struct Anchors {
    referrers: Referrers,
    anchors: Interner,
    /// By anchor number.
    groups: Vec<AnchorGroup>,
    /// (anchor, page) and (anchor, domain) pairs seen, packed into one integer each.
    anchor_pages: HashSet<u64, RandomState>,
    anchor_domains: HashSet<u64, RandomState>,
    /// Every link folded.
    backlinks: i64,
}

/// Two numbers as one hashable integer.
fn pair(a: u32, b: u32) -> u64 {
    (u64::from(a) << 32) | u64::from(b)
}

impl Anchors {
    /// Folds one batch of links; returns the bytes now held.
    fn add(&mut self, batch: &RecordBatch) -> datafusion::error::Result<usize> {
        let c = LinkColumns::new(batch);
        let (anchor, url, domain) = (
            c.strings("anchor")?,
            c.strings("url_from")?,
            c.strings("from_domain")?,
        );
        let (first_seen, last_visited) = (c.times("first_seen")?, c.times("last_visited")?);
        for row in 0..batch.num_rows() {
            let r = self.referrers.add(url.get(row), domain.get(row));
            let (a, new_anchor) = self.anchors.intern(anchor.get(row));
            if new_anchor {
                self.groups.push(AnchorGroup::default());
            }
            let g = &mut self.groups[a as usize];
            g.backlinks += 1;
            g.first_seen = min_of(g.first_seen, first_seen.get(row));
            g.last_visited = max_of(g.last_visited, last_visited.get(row));
            // A page's first link with this anchor may also be its domain's first.
            if self.anchor_pages.insert(pair(a, r.page)) {
                g.refpages += 1;
                if self.anchor_domains.insert(pair(a, r.domain)) {
                    g.refdomains += 1;
                }
            }
        }
        self.backlinks += batch.num_rows() as i64;
        let set_bytes = |s: &HashSet<u64, RandomState>| s.capacity() * (size_of::<u64>() + 1);
        Ok(self.referrers.heap_bytes()
            + self.anchors.heap_bytes()
            + self.groups.capacity() * size_of::<AnchorGroup>()
            + set_bytes(&self.anchor_pages)
            + set_bytes(&self.anchor_domains))
    }

    /// The anchors as one batch of [`GROUPS`].
    fn into_batch(self) -> Result<RecordBatch, QueryError> {
        let g = &self.groups;
        Ok(RecordBatch::try_new(
            groups_schema(),
            vec![
                Arc::new(self.anchors.to_array()),
                Arc::new(Int64Array::from_iter_values(g.iter().map(|g| g.backlinks))),
                Arc::new(Int64Array::from_iter_values(g.iter().map(|g| g.refpages))),
                Arc::new(Int64Array::from_iter_values(g.iter().map(|g| g.refdomains))),
                utc_micros(g.iter().map(|g| g.first_seen)),
                utc_micros(g.iter().map(|g| g.last_visited)),
            ],
        )?)
    }
}
