//! Freezes an [`IndexState`] into sorted Arrow record batches, one set per table.
//!
//! Hand-written column builders: this runs over every link at every build, so it fills
//! typed vectors directly rather than going through a generic row encoder.

use std::sync::Arc;

use deltalake::arrow::array::{
    ArrayRef, BooleanArray, Date32Array, Float64Array, Int32Array, Int64Array, RecordBatch,
    StringArray, StringBuilder, TimestampMicrosecondArray,
};
use deltalake::arrow::datatypes::SchemaRef;
use deltalake::arrow::error::ArrowError;
use rayon::prelude::*;

use super::schema;
use crate::state::{EventKind, IndexState, LinkEvent};
use crate::time::day;

/// Rows per record batch handed to the writer.
pub const BATCH_ROWS: usize = 65_536;

fn micros(secs: i64) -> i64 {
    secs.saturating_mul(1_000_000)
}

fn ts(v: Vec<i64>) -> ArrayRef {
    Arc::new(TimestampMicrosecondArray::from(v).with_timezone("UTC"))
}

fn ts_opt(v: Vec<Option<i64>>) -> ArrayRef {
    Arc::new(TimestampMicrosecondArray::from(v).with_timezone("UTC"))
}

/// A string column with its buffers sized once: collected from an iterator, the values
/// buffer grew by doubling, a dozen copies per 65,536-row batch.
fn strs(v: Vec<&str>) -> ArrayRef {
    let bytes = v.iter().map(|s| s.len()).sum();
    let mut column = StringBuilder::with_capacity(v.len(), bytes);
    for s in v {
        column.append_value(s);
    }
    Arc::new(column.finish())
}

/// Typed column vectors of link rows.
struct LinkColumns<'a> {
    /// Which of the columns a table may leave out it stores (those it does not are
    /// filled with empty strings, which cost no copying, and projected away).
    stores: Stored,
    to_key: Vec<&'a str>,
    from_key: Vec<&'a str>,
    url_from: Vec<&'a str>,
    url_to: Vec<&'a str>,
    from_host: Vec<&'a str>,
    from_domain: Vec<&'a str>,
    to_host: Vec<&'a str>,
    to_domain: Vec<&'a str>,
    link_type: Vec<&'a str>,
    anchor: Vec<&'a str>,
    alt: Vec<&'a str>,
    text_pre: Vec<&'a str>,
    text_post: Vec<&'a str>,
    nofollow: Vec<bool>,
    ugc: Vec<bool>,
    sponsored: Vec<bool>,
    image: Vec<bool>,
    original: Vec<bool>,
    sitewide: Vec<bool>,
    internal: Vec<bool>,
    redirect: Vec<i32>,
    first_seen: Vec<i64>,
    last_visited: Vec<i64>,
    prev_visited: Vec<Option<i64>>,
    lost_at: Vec<Option<i64>>,
    lost_reason: Vec<Option<&'a str>>,
    first_origin: Vec<&'a str>,
    last_origin: Vec<&'a str>,
    ahrefs_rank: Vec<i32>,
    domain_rating: Vec<i32>,
    ahrefs_top: Vec<i64>,
    ip_from: Vec<&'a str>,
    links_internal: Vec<i32>,
    links_external: Vec<i32>,
    page_size: Vec<i64>,
    encoding: Vec<&'a str>,
    language: Vec<&'a str>,
    title: Vec<&'a str>,
    http_code: Vec<i32>,
    url_from_first_seen: Vec<i64>,
    to_http_code: Vec<Option<i32>>,
    to_broken_at: Vec<Option<i64>>,
    domain_to_rating: Vec<i32>,
    domain_to_ahrefs_top: Vec<i64>,
    link: Vec<i64>,
}

/// The link columns a table may leave out, and whether it stores each.
#[derive(Default, Clone, Copy)]
struct Stored {
    to_key: bool,
    from_key: bool,
    snippets: bool,
}

impl Stored {
    fn of(schema: &SchemaRef) -> Stored {
        let has = |name: &str| schema.index_of(name).is_ok();
        Stored {
            to_key: has("to_key"),
            from_key: has("from_key"),
            snippets: has("text_pre") && has("text_post"),
        }
    }
}

/// A [`LinkColumns`] with room for `$rows` rows in every column (grown row by row, the
/// 45 vectors were copied a dozen times each per batch). Naming every field, it stops
/// compiling when a column is added but not listed.
macro_rules! link_columns_with_capacity {
    ($stores:expr, $rows:expr; $($column:ident),* $(,)?) => {
        LinkColumns { stores: $stores, $($column: Vec::with_capacity($rows)),* }
    };
}

impl<'a> LinkColumns<'a> {
    fn with_capacity(stores: Stored, rows: usize) -> LinkColumns<'a> {
        link_columns_with_capacity!(stores, rows;
            to_key, from_key, url_from, url_to, from_host, from_domain, to_host, to_domain,
            link_type, anchor, alt, text_pre, text_post, nofollow, ugc, sponsored, image,
            original, sitewide, internal, redirect, first_seen, last_visited, prev_visited,
            lost_at, lost_reason, first_origin, last_origin, ahrefs_rank, domain_rating,
            ahrefs_top, ip_from, links_internal, links_external, page_size, encoding,
            language, title, http_code, url_from_first_seen, to_http_code, to_broken_at,
            domain_to_rating, domain_to_ahrefs_top, link,
        )
    }

    /// Adds link `id`, whose row in `links_in` is `row`.
    fn push(&mut self, s: &'a IndexState, id: u32, row: u32) {
        let l = &s.links[id as usize];
        let from = s.urls.info(l.key.from);
        let to = s.urls.info(l.key.to);
        let page = s.pages.get(&l.key.from);
        let target = s.pages.get(&l.key.to);
        let keep = |stored: bool, text: &'a str| if stored { text } else { "" };
        self.to_key.push(keep(self.stores.to_key, &to.key));
        self.from_key.push(keep(self.stores.from_key, &from.key));
        self.url_from.push(&from.url);
        self.url_to.push(&to.url);
        self.from_host.push(&from.host);
        self.from_domain.push(s.domains.get(from.domain));
        self.to_host.push(&to.host);
        self.to_domain.push(s.domains.get(to.domain));
        self.link_type.push(l.key.link_type.as_str());
        self.anchor.push(s.anchors.get(l.key.anchor));
        self.alt.push(l.texts.alt());
        self.text_pre
            .push(keep(self.stores.snippets, l.texts.pre()));
        self.text_post
            .push(keep(self.stores.snippets, l.texts.post()));
        self.nofollow.push(l.flags.nofollow);
        self.ugc.push(l.flags.ugc);
        self.sponsored.push(l.flags.sponsored);
        self.image.push(l.flags.image);
        self.original.push(l.original);
        self.sitewide.push(l.sitewide);
        self.internal.push(from.domain == to.domain);
        self.redirect.push(i32::from(l.flags.redirect));
        self.first_seen.push(micros(l.first_seen));
        self.last_visited.push(micros(l.last_visited));
        self.prev_visited.push(l.prev_visited.map(micros));
        self.lost_at.push(l.lost_at.map(micros));
        self.lost_reason.push(l.lost_reason.map(|r| r.as_str()));
        self.first_origin.push(l.first_origin.as_str());
        self.last_origin.push(l.last_origin.as_str());
        self.ahrefs_rank.push(i32::from(s.ur(l.key.from)));
        self.domain_rating.push(i32::from(s.dr(from.domain)));
        self.ahrefs_top.push(i64::from(s.ahrefs_top(from.domain)));
        self.ip_from.push(page.map_or("", |p| &p.ip));
        self.links_internal
            .push(page.map_or(0, |p| p.links_internal as i32));
        self.links_external
            .push(page.map_or(0, |p| p.links_external as i32));
        self.page_size.push(page.map_or(0, |p| p.page_size as i64));
        self.encoding.push(page.map_or("", |p| &p.encoding));
        self.language.push(page.map_or("", |p| &p.language));
        self.title.push(page.map_or("", |p| &p.title));
        self.http_code
            .push(page.map_or(0, |p| i32::from(p.http_code)));
        self.url_from_first_seen
            .push(micros(page.map_or(l.first_seen, |p| p.first_seen)));
        self.to_http_code
            .push(target.map(|p| i32::from(p.http_code)));
        self.to_broken_at
            .push(target.and_then(|p| p.broken_at).map(micros));
        self.domain_to_rating.push(i32::from(s.dr(to.domain)));
        self.domain_to_ahrefs_top
            .push(i64::from(s.ahrefs_top(to.domain)));
        self.link.push(i64::from(row));
    }

    fn arrays(self) -> Vec<ArrayRef> {
        vec![
            strs(self.to_key),
            strs(self.from_key),
            strs(self.url_from),
            strs(self.url_to),
            strs(self.from_host),
            strs(self.from_domain),
            strs(self.to_host),
            strs(self.to_domain),
            strs(self.link_type),
            strs(self.anchor),
            strs(self.alt),
            strs(self.text_pre),
            strs(self.text_post),
            Arc::new(BooleanArray::from(self.nofollow)),
            Arc::new(BooleanArray::from(self.ugc)),
            Arc::new(BooleanArray::from(self.sponsored)),
            Arc::new(BooleanArray::from(self.image)),
            Arc::new(BooleanArray::from(self.original)),
            Arc::new(BooleanArray::from(self.sitewide)),
            Arc::new(BooleanArray::from(self.internal)),
            Arc::new(Int32Array::from(self.redirect)),
            ts(self.first_seen),
            ts(self.last_visited),
            ts_opt(self.prev_visited),
            ts_opt(self.lost_at),
            Arc::new(StringArray::from(self.lost_reason)),
            strs(self.first_origin),
            strs(self.last_origin),
            Arc::new(Int32Array::from(self.ahrefs_rank)),
            Arc::new(Int32Array::from(self.domain_rating)),
            Arc::new(Int64Array::from(self.ahrefs_top)),
            strs(self.ip_from),
            Arc::new(Int32Array::from(self.links_internal)),
            Arc::new(Int32Array::from(self.links_external)),
            Arc::new(Int64Array::from(self.page_size)),
            strs(self.encoding),
            strs(self.language),
            strs(self.title),
            Arc::new(Int32Array::from(self.http_code)),
            ts(self.url_from_first_seen),
            Arc::new(Int32Array::from(self.to_http_code)),
            ts_opt(self.to_broken_at),
            Arc::new(Int32Array::from(self.domain_to_rating)),
            Arc::new(Int64Array::from(self.domain_to_ahrefs_top)),
            Arc::new(Int64Array::from(self.link)),
        ]
    }
}

/// Record batches produced one at a time, so that only one batch of a table is ever
/// materialised while the writer encodes it.
pub type Batches<'a> = Box<dyn Iterator<Item = Result<RecordBatch, ArrowError>> + 'a>;

/// Sort ranks of every URL (by SURT key, then URL) and every anchor (by text), and the
/// order of the links in `links_in`.
///
/// Tables are sorted by keys that are strings reached through two indirections; ranking
/// each string once (M log M over distinct strings) lets the row sorts (N log N over
/// links, N ≫ M) compare packed integers instead.
pub struct Ranks {
    url: Vec<u32>,
    anchor: Vec<u32>,
    /// Link ids in `links_in` order.
    pub(crate) links_in: Vec<u32>,
    /// Row in `links_in` by link id: what every table stores as `link`.
    pub(crate) link_row: Vec<u32>,
}

impl Ranks {
    /// Ranks the URLs, anchors and links of `s`.
    ///
    /// The two string sorts run side by side and the link sort on every core (1.4 s at
    /// 10M links on two cores, the `order` phase of an import).
    pub fn new(s: &IndexState) -> Ranks {
        let (url, anchor) = rayon::join(
            || {
                let mut urls: Vec<u32> = (0..s.urls.len() as u32).collect();
                urls.par_sort_unstable_by(|&a, &b| {
                    let (ia, ib) = (s.urls.info(a), s.urls.info(b));
                    ia.key.cmp(&ib.key).then_with(|| ia.url.cmp(&ib.url))
                });
                invert(&urls)
            },
            || {
                let mut anchors: Vec<u32> = (0..s.anchors.len() as u32).collect();
                anchors.par_sort_unstable_by(|&a, &b| s.anchors.get(a).cmp(s.anchors.get(b)));
                invert(&anchors)
            },
        );
        let mut ranks = Ranks {
            url,
            anchor,
            links_in: Vec::new(),
            link_row: Vec::new(),
        };
        ranks.links_in = ranks.link_order(s, true);
        ranks.link_row = invert(&ranks.links_in);
        ranks
    }

    /// Packs a link's sort key: `(first, ur, second, kind, anchor)` where `first`/`second`
    /// are the ranks of its target and referring URL in the order the table wants.
    ///
    /// `links_in` puts the referring page's UR, highest first, right after the target: the
    /// default order of `backlinks` (`ahrefs_rank` desc) is then the file's order within
    /// each target URL, so the first rows of an answer are the first rows of the target's
    /// range instead of rows scattered over all of it. `links_out` leaves that byte 0.
    fn link_key(&self, s: &IndexState, id: u32, target_first: bool) -> (u128, u32) {
        let key = &s.links[id as usize].key;
        let (to, from) = (self.url[key.to as usize], self.url[key.from as usize]);
        let (first, second, ur_rank) = if target_first {
            (to, from, u8::MAX - s.ur(key.from))
        } else {
            (from, to, 0)
        };
        let packed = (u128::from(first) << 96)
            | (u128::from(ur_rank) << 88)
            | (u128::from(second) << 56)
            | (u128::from(key.link_type as u8) << 48)
            | (u128::from(self.anchor[key.anchor as usize]) << 16);
        (packed, id)
    }

    fn link_order(&self, s: &IndexState, target_first: bool) -> Vec<u32> {
        let mut keyed: Vec<(u128, u32)> = (0..s.links.len() as u32)
            .into_par_iter()
            .map(|id| self.link_key(s, id, target_first))
            .collect();
        keyed.par_sort_unstable();
        keyed.into_par_iter().map(|(_, id)| id).collect()
    }
}

/// `order[rank] = id` into `rank[id]`.
fn invert(order: &[u32]) -> Vec<u32> {
    let mut rank = vec![0u32; order.len()];
    for (r, &id) in order.iter().enumerate() {
        rank[id as usize] = r as u32;
    }
    rank
}

/// Lazily cuts `items` into batches of [`BATCH_ROWS`] rows built by `build`.
fn batches<'a, T: 'a>(
    items: Vec<T>,
    build: impl Fn(&[T]) -> Result<RecordBatch, ArrowError> + 'a,
) -> Batches<'a> {
    let chunks = items.len().div_ceil(BATCH_ROWS);
    Box::new((0..chunks).map(move |i| {
        let end = ((i + 1) * BATCH_ROWS).min(items.len());
        build(&items[i * BATCH_ROWS..end])
    }))
}

/// The columns of `schema` (a projection of [`schema::LINK_COLUMNS`]) for the links
/// `ids`, each built from its link.
struct LinkProjection {
    columns: Vec<usize>,
    stores: Stored,
}

impl LinkProjection {
    fn of(schema: &SchemaRef) -> LinkProjection {
        LinkProjection {
            columns: schema
                .fields()
                .iter()
                .filter_map(|f| schema::LINK_COLUMNS.index_of(f.name()).ok())
                .collect(),
            stores: Stored::of(schema),
        }
    }

    /// One batch of the links `ids`.
    fn batch(
        &self,
        s: &IndexState,
        ranks: &Ranks,
        ids: impl ExactSizeIterator<Item = u32>,
    ) -> Result<RecordBatch, ArrowError> {
        let mut cols = LinkColumns::with_capacity(self.stores, ids.len());
        for id in ids {
            cols.push(s, id, ranks.link_row[id as usize]);
        }
        RecordBatch::try_new(SchemaRef::clone(&schema::LINK_COLUMNS), cols.arrays())?
            .project(&self.columns)
    }
}

/// Batches of the links `order` lists, with the columns of `schema` (a projection of
/// [`schema::LINK_COLUMNS`]).
fn link_batches<'a>(
    s: &'a IndexState,
    ranks: &'a Ranks,
    order: Vec<u32>,
    schema: &SchemaRef,
) -> Batches<'a> {
    let projection = LinkProjection::of(schema);
    batches(order, move |chunk| {
        projection.batch(s, ranks, chunk.iter().copied())
    })
}

/// `links_in`: every link, sorted by target key, then referring key, kind and anchor.
pub fn links_in<'a>(s: &'a IndexState, ranks: &'a Ranks) -> Batches<'a> {
    link_batches(s, ranks, ranks.links_in.clone(), &schema::LINKS)
}

/// `links_head`: the links of each head in `heads` (sorted by key), under its key, with
/// the columns of `links_in`.
pub fn links_head<'a>(
    s: &'a IndexState,
    ranks: &'a Ranks,
    heads: &'a [super::heads::Head],
) -> Batches<'a> {
    let rows: Vec<(&'a str, u32)> = heads
        .iter()
        .flat_map(|h| h.links.iter().map(move |&id| (h.key.as_str(), id)))
        .collect();
    let projection = LinkProjection::of(&schema::LINKS);
    batches(rows, move |chunk| {
        let links = projection.batch(s, ranks, chunk.iter().map(|&(_, id)| id))?;
        let mut arrays = vec![strs(chunk.iter().map(|&(key, _)| key).collect())];
        arrays.extend(links.columns().iter().cloned());
        RecordBatch::try_new(SchemaRef::clone(&schema::LINKS_HEAD), arrays)
    })
}

/// `links_out`: every link but its snippets, sorted by referring key, then target key,
/// kind and anchor.
pub fn links_out<'a>(s: &'a IndexState, ranks: &'a Ranks) -> Batches<'a> {
    link_batches(s, ranks, ranks.link_order(s, false), &schema::LINKS_OUT)
}

/// `link_events`: every event, sorted by target key then time, its link named by its
/// row in `links_in` (the link's columns are stored there, once).
pub fn link_events<'a>(s: &'a IndexState, ranks: &'a Ranks) -> Batches<'a> {
    // Each key is computed once, not at every comparison: it reads two index-wide arrays
    // at random places, and at 10M events the sort spent most of its time there.
    let mut keyed: Vec<((u32, i64, EventKind, u32), u32)> = s
        .events
        .par_iter()
        .enumerate()
        .map(|(i, e)| {
            let to = s.links[e.link as usize].key.to;
            let key = (
                ranks.url[to as usize],
                e.time,
                e.kind,
                ranks.link_row[e.link as usize],
            );
            (key, i as u32)
        })
        .collect();
    keyed.par_sort_unstable();
    let events: Vec<&LinkEvent> = keyed
        .into_iter()
        .map(|(_, i)| &s.events[i as usize])
        .collect();
    batches(events, move |chunk| {
        let arrays: Vec<ArrayRef> = vec![
            ts(chunk.iter().map(|e| micros(e.time)).collect()),
            Arc::new(Date32Array::from(
                chunk.iter().map(|e| day(e.time)).collect::<Vec<_>>(),
            )),
            strs(chunk.iter().map(|e| e.kind.as_str()).collect()),
            Arc::new(StringArray::from(
                chunk
                    .iter()
                    .map(|e| e.reason.map(|r| r.as_str()))
                    .collect::<Vec<_>>(),
            )),
            strs(
                chunk
                    .iter()
                    .map(|e| &*s.urls.info(s.links[e.link as usize].key.to).key)
                    .collect(),
            ),
            Arc::new(Int64Array::from(
                chunk
                    .iter()
                    .map(|e| i64::from(ranks.link_row[e.link as usize]))
                    .collect::<Vec<_>>(),
            )),
        ];
        RecordBatch::try_new(SchemaRef::clone(&schema::LINK_EVENTS), arrays)
    })
}

/// `pages`: crawled pages sorted by key.
pub fn pages<'a>(s: &'a IndexState, ranks: &Ranks) -> Batches<'a> {
    let mut ids: Vec<u32> = s.pages.keys().copied().collect();
    ids.sort_unstable_by_key(|&id| ranks.url[id as usize]);
    batches(ids, move |chunk| {
        let info = |id: &u32| s.urls.info(*id);
        let page = |id: &u32| &s.pages[id];
        let url_of = |id: Option<u32>| id.map_or("", |i| &*s.urls.info(i).url);
        let arrays: Vec<ArrayRef> = vec![
            strs(chunk.iter().map(|id| &*info(id).key).collect()),
            strs(chunk.iter().map(|id| &*info(id).url).collect()),
            strs(chunk.iter().map(|id| &*info(id).host).collect()),
            strs(
                chunk
                    .iter()
                    .map(|id| s.domains.get(info(id).domain))
                    .collect(),
            ),
            ts(chunk.iter().map(|id| micros(page(id).first_seen)).collect()),
            ts(chunk
                .iter()
                .map(|id| micros(page(id).last_visited))
                .collect()),
            ts_opt(
                chunk
                    .iter()
                    .map(|id| page(id).prev_visited.map(micros))
                    .collect(),
            ),
            Arc::new(Int32Array::from(
                chunk
                    .iter()
                    .map(|id| i32::from(page(id).http_code))
                    .collect::<Vec<_>>(),
            )),
            ts_opt(
                chunk
                    .iter()
                    .map(|id| page(id).broken_at.map(micros))
                    .collect(),
            ),
            strs(
                chunk
                    .iter()
                    .map(|id| url_of(page(id).redirect_to))
                    .collect(),
            ),
            strs(chunk.iter().map(|id| url_of(page(id).canonical)).collect()),
            strs(chunk.iter().map(|id| &*page(id).ip).collect()),
            strs(chunk.iter().map(|id| &*page(id).title).collect()),
            strs(chunk.iter().map(|id| &*page(id).encoding).collect()),
            strs(chunk.iter().map(|id| &*page(id).language).collect()),
            strs(chunk.iter().map(|id| &*page(id).content_type).collect()),
            strs(chunk.iter().map(|id| &*page(id).content_encoding).collect()),
            Arc::new(Int64Array::from(
                chunk
                    .iter()
                    .map(|id| page(id).page_size as i64)
                    .collect::<Vec<_>>(),
            )),
            Arc::new(Int32Array::from(
                chunk
                    .iter()
                    .map(|id| page(id).links_internal as i32)
                    .collect::<Vec<_>>(),
            )),
            Arc::new(Int32Array::from(
                chunk
                    .iter()
                    .map(|id| page(id).links_external as i32)
                    .collect::<Vec<_>>(),
            )),
            Arc::new(Int32Array::from(
                chunk
                    .iter()
                    .map(|id| i32::from(s.ur(*id)))
                    .collect::<Vec<_>>(),
            )),
            Arc::new(Float64Array::from(
                chunk
                    .iter()
                    .map(|id| s.authority.ur_raw.get(*id as usize).copied().unwrap_or(0.0))
                    .collect::<Vec<_>>(),
            )),
            Arc::new(Int64Array::from(
                chunk
                    .iter()
                    .map(|id| i64::try_from(page(id).words).unwrap_or(i64::MAX))
                    .collect::<Vec<_>>(),
            )),
            strs(chunk.iter().map(|id| &*page(id).on_page.h1).collect()),
            strs(chunk.iter().map(|id| &*page(id).on_page.h2).collect()),
            strs(
                chunk
                    .iter()
                    .map(|id| &*page(id).on_page.description)
                    .collect(),
            ),
            strs(
                chunk
                    .iter()
                    .map(|id| &*page(id).on_page.meta_social)
                    .collect(),
            ),
            strs(
                chunk
                    .iter()
                    .map(|id| &*page(id).on_page.images_alt)
                    .collect(),
            ),
            strs(
                chunk
                    .iter()
                    .map(|id| &*page(id).on_page.powered_by)
                    .collect(),
            ),
        ];
        RecordBatch::try_new(SchemaRef::clone(&schema::PAGES), arrays)
    })
}

/// `domains`: every registrable domain sorted by name.
pub fn domains(s: &IndexState) -> Batches<'_> {
    let mut pages_per_domain = vec![0i64; s.domains.len()];
    for id in s.pages.keys() {
        pages_per_domain[s.urls.info(*id).domain as usize] += 1;
    }
    // Live links between different registrable domains, each domain pair once.
    let mut pairs: rustc_hash::FxHashSet<(u32, u32)> = rustc_hash::FxHashSet::default();
    for link in s.links.iter().filter(|l| l.lost_at.is_none()) {
        let (from, to) = (
            s.urls.info(link.key.from).domain,
            s.urls.info(link.key.to).domain,
        );
        if from != to {
            pairs.insert((from, to));
        }
    }
    let mut refdomains = vec![0i64; s.domains.len()];
    let mut linked_domains = vec![0i64; s.domains.len()];
    for &(from, to) in &pairs {
        linked_domains[from as usize] += 1;
        refdomains[to as usize] += 1;
    }
    let mut ids: Vec<u32> = (0..s.domains.len() as u32).collect();
    ids.sort_unstable_by(|&a, &b| s.domains.get(a).cmp(s.domains.get(b)));
    batches(ids, move |chunk| {
        let arrays: Vec<ArrayRef> = vec![
            strs(chunk.iter().map(|&d| s.domains.get(d)).collect()),
            Arc::new(Int32Array::from(
                chunk
                    .iter()
                    .map(|&d| i32::from(s.dr(d)))
                    .collect::<Vec<_>>(),
            )),
            Arc::new(Float64Array::from(
                chunk
                    .iter()
                    .map(|&d| s.authority.dr_raw.get(d as usize).copied().unwrap_or(0.0))
                    .collect::<Vec<_>>(),
            )),
            Arc::new(Int64Array::from(
                chunk
                    .iter()
                    .map(|&d| i64::from(s.ahrefs_top(d)))
                    .collect::<Vec<_>>(),
            )),
            Arc::new(Int64Array::from(
                chunk
                    .iter()
                    .map(|&d| pages_per_domain[d as usize])
                    .collect::<Vec<_>>(),
            )),
            Arc::new(Int64Array::from(
                chunk
                    .iter()
                    .map(|&d| refdomains[d as usize])
                    .collect::<Vec<_>>(),
            )),
            Arc::new(Int64Array::from(
                chunk
                    .iter()
                    .map(|&d| linked_domains[d as usize])
                    .collect::<Vec<_>>(),
            )),
        ];
        RecordBatch::try_new(SchemaRef::clone(&schema::DOMAINS), arrays)
    })
}
