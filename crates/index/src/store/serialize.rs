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
use crate::state::{EventKind, IndexState, LinkEvent, LinkState, PageState, UrlInfo};
use crate::time::day;

/// Rows per record batch handed to the writer.
pub const BATCH_ROWS: usize = 65_536;

fn micros(secs: i64) -> i64 {
    secs.saturating_mul(1_000_000)
}

// Column builders: each makes one Arrow column of `rows` from `value` of every row.

/// A string column, its buffers sized once: collected from an iterator, the values
/// buffer grew by doubling, a dozen copies per 65,536-row batch.
fn texts<'a, T>(rows: &[T], value: impl Fn(&T) -> &'a str) -> ArrayRef {
    let values: Vec<&str> = rows.iter().map(value).collect();
    let bytes = values.iter().map(|s| s.len()).sum();
    let mut column = StringBuilder::with_capacity(values.len(), bytes);
    for v in values {
        column.append_value(v);
    }
    Arc::new(column.finish())
}

fn opt_texts<'a, T>(rows: &[T], value: impl Fn(&T) -> Option<&'a str>) -> ArrayRef {
    Arc::new(StringArray::from(
        rows.iter().map(value).collect::<Vec<_>>(),
    ))
}

fn int32s<T>(rows: &[T], value: impl Fn(&T) -> i32) -> ArrayRef {
    Arc::new(Int32Array::from_iter_values(rows.iter().map(value)))
}

fn int64s<T>(rows: &[T], value: impl Fn(&T) -> i64) -> ArrayRef {
    Arc::new(Int64Array::from_iter_values(rows.iter().map(value)))
}

fn floats<T>(rows: &[T], value: impl Fn(&T) -> f64) -> ArrayRef {
    Arc::new(Float64Array::from_iter_values(rows.iter().map(value)))
}

fn bools<T>(rows: &[T], value: impl Fn(&T) -> bool) -> ArrayRef {
    Arc::new(BooleanArray::from(
        rows.iter().map(value).collect::<Vec<_>>(),
    ))
}

/// A UTC timestamp column from times in seconds.
fn times<T>(rows: &[T], secs: impl Fn(&T) -> i64) -> ArrayRef {
    let micros = rows.iter().map(|r| micros(secs(r)));
    Arc::new(TimestampMicrosecondArray::from_iter_values(micros).with_timezone("UTC"))
}

fn opt_times<T>(rows: &[T], secs: impl Fn(&T) -> Option<i64>) -> ArrayRef {
    let micros: Vec<Option<i64>> = rows.iter().map(|r| secs(r).map(micros)).collect();
    Arc::new(TimestampMicrosecondArray::from(micros).with_timezone("UTC"))
}

/// Where one link row's values come from: the link and, looked up once, its two URLs
/// and two pages.
struct LinkRow<'a> {
    link: &'a LinkState,
    from: &'a UrlInfo,
    to: &'a UrlInfo,
    /// The referring page, if the state has it.
    page: Option<&'a PageState>,
    /// The target, when it was crawled.
    target: Option<&'a PageState>,
    /// The link's row in `links_in`.
    row: u32,
}

/// The link column `name` (a field of [`schema::LINK_COLUMNS`]) of `rows`; `None` for a
/// name that is not one.
///
/// Built a column at a time, not a row at a time: each value is a load from a link, URL
/// or page scattered over the index, and a short loop over one column keeps many of
/// those loads in flight where a row of 45 values kept about one.
fn link_column<'a>(name: &str, s: &'a IndexState, rows: &[LinkRow<'a>]) -> Option<ArrayRef> {
    let page_text =
        |text: fn(&'a PageState) -> &'a str| texts(rows, move |r| r.page.map_or("", text));
    Some(match name {
        "to_key" => texts(rows, |r| &r.to.key),
        "from_key" => texts(rows, |r| &r.from.key),
        "url_from" => texts(rows, |r| &r.from.url),
        "url_to" => texts(rows, |r| &r.to.url),
        "from_host" => texts(rows, |r| &r.from.host),
        "from_domain" => texts(rows, |r| s.domains.get(r.from.domain)),
        "to_host" => texts(rows, |r| &r.to.host),
        "to_domain" => texts(rows, |r| s.domains.get(r.to.domain)),
        "link_type" => texts(rows, |r| r.link.key.link_type.as_str()),
        "anchor" => texts(rows, |r| s.anchors.get(r.link.key.anchor)),
        "alt" => texts(rows, |r| r.link.texts.alt()),
        "text_pre" => texts(rows, |r| r.link.texts.pre()),
        "text_post" => texts(rows, |r| r.link.texts.post()),
        "nofollow" => bools(rows, |r| r.link.flags.nofollow),
        "ugc" => bools(rows, |r| r.link.flags.ugc),
        "sponsored" => bools(rows, |r| r.link.flags.sponsored),
        "image" => bools(rows, |r| r.link.flags.image),
        "original" => bools(rows, |r| r.link.original),
        "sitewide" => bools(rows, |r| r.link.sitewide),
        "internal" => bools(rows, |r| r.from.domain == r.to.domain),
        "redirect" => int32s(rows, |r| i32::from(r.link.flags.redirect)),
        "first_seen" => times(rows, |r| r.link.first_seen),
        "last_visited" => times(rows, |r| r.link.last_visited),
        "prev_visited" => opt_times(rows, |r| r.link.prev_visited.get()),
        "lost_at" => opt_times(rows, |r| r.link.lost_at.get()),
        "lost_reason" => opt_texts(rows, |r| r.link.lost_reason.map(|reason| reason.as_str())),
        "first_origin" => texts(rows, |r| r.link.first_origin.as_str()),
        "last_origin" => texts(rows, |r| r.link.last_origin.as_str()),
        "ahrefs_rank" => int32s(rows, |r| i32::from(s.ur(r.link.key.from))),
        "domain_rating" => int32s(rows, |r| i32::from(s.dr(r.from.domain))),
        "ahrefs_top" => int64s(rows, |r| i64::from(s.ahrefs_top(r.from.domain))),
        "ip_from" => page_text(|p| &p.ip),
        "links_internal" => int32s(rows, |r| r.page.map_or(0, |p| p.links_internal as i32)),
        "links_external" => int32s(rows, |r| r.page.map_or(0, |p| p.links_external as i32)),
        "page_size" => int64s(rows, |r| r.page.map_or(0, |p| p.page_size as i64)),
        "encoding" => page_text(|p| &p.encoding),
        "language" => page_text(|p| &p.language),
        "title" => page_text(|p| &p.title),
        "http_code" => int32s(rows, |r| r.page.map_or(0, |p| i32::from(p.http_code))),
        "url_from_first_seen" => {
            times(rows, |r| r.page.map_or(r.link.first_seen, |p| p.first_seen))
        }
        "to_http_code" => Arc::new(Int32Array::from(
            rows.iter()
                .map(|r| r.target.map(|p| i32::from(p.http_code)))
                .collect::<Vec<_>>(),
        )),
        "to_broken_at" => opt_times(rows, |r| r.target.and_then(|p| p.broken_at)),
        "domain_to_rating" => int32s(rows, |r| i32::from(s.dr(r.to.domain))),
        "domain_to_ahrefs_top" => int64s(rows, |r| i64::from(s.ahrefs_top(r.to.domain))),
        "link" => int64s(rows, |r| i64::from(r.row)),
        _ => return None,
    })
}

/// Record batches produced one at a time, so that only a batch or two of a table are
/// ever materialised while the writer encodes them; `Send`, so that the next batch can be
/// built on another thread while the writer encodes this one.
pub type Batches<'a> = Box<dyn Iterator<Item = Result<RecordBatch, ArrowError>> + Send + 'a>;

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
fn batches<'a, T: Send + 'a>(
    items: Vec<T>,
    build: impl Fn(&[T]) -> Result<RecordBatch, ArrowError> + Send + 'a,
) -> Batches<'a> {
    let chunks = items.len().div_ceil(BATCH_ROWS);
    Box::new((0..chunks).map(move |i| {
        let end = ((i + 1) * BATCH_ROWS).min(items.len());
        build(&items[i * BATCH_ROWS..end])
    }))
}

/// One batch of the links `ids` with the columns of `schema` (a projection of
/// [`schema::LINK_COLUMNS`]).
fn link_batch(
    s: &IndexState,
    ranks: &Ranks,
    schema: &SchemaRef,
    ids: impl Iterator<Item = u32>,
) -> Result<RecordBatch, ArrowError> {
    let rows: Vec<LinkRow<'_>> = ids
        .map(|id| {
            let link = &s.links[id as usize];
            LinkRow {
                link,
                from: s.urls.info(link.key.from),
                to: s.urls.info(link.key.to),
                page: s.pages.get(&link.key.from),
                target: s.pages.get(&link.key.to),
                row: ranks.link_row[id as usize],
            }
        })
        .collect();
    let columns = schema
        .fields()
        .iter()
        .map(|field| {
            link_column(field.name(), s, &rows).ok_or_else(|| {
                ArrowError::SchemaError(format!("{} is not a link column", field.name()))
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    RecordBatch::try_new(SchemaRef::clone(schema), columns)
}

/// Batches of the links `order` lists, with the columns of `schema` (a projection of
/// [`schema::LINK_COLUMNS`]).
fn link_batches<'a>(
    s: &'a IndexState,
    ranks: &'a Ranks,
    order: Vec<u32>,
    schema: &SchemaRef,
) -> Batches<'a> {
    let schema = SchemaRef::clone(schema);
    batches(order, move |chunk| {
        link_batch(s, ranks, &schema, chunk.iter().copied())
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
    batches(rows, move |chunk| {
        let links = link_batch(s, ranks, &schema::LINKS, chunk.iter().map(|&(_, id)| id))?;
        let mut arrays = vec![texts(chunk, |&(key, _)| key)];
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
            times(chunk, |e| e.time),
            Arc::new(Date32Array::from_iter_values(
                chunk.iter().map(|e| day(e.time)),
            )),
            texts(chunk, |e| e.kind.as_str()),
            opt_texts(chunk, |e| e.reason.map(|r| r.as_str())),
            texts(chunk, |e| &s.urls.info(s.links[e.link as usize].key.to).key),
            int64s(chunk, |e| i64::from(ranks.link_row[e.link as usize])),
        ];
        RecordBatch::try_new(SchemaRef::clone(&schema::LINK_EVENTS), arrays)
    })
}

/// `pages`: crawled pages sorted by key.
pub fn pages<'a>(s: &'a IndexState, ranks: &Ranks) -> Batches<'a> {
    let mut ids: Vec<u32> = s.pages.keys().copied().collect();
    ids.sort_unstable_by_key(|&id| ranks.url[id as usize]);
    batches(ids, move |chunk| {
        let rows: Vec<(u32, &UrlInfo, &PageState)> = chunk
            .iter()
            .map(|&id| (id, s.urls.info(id), &s.pages[&id]))
            .collect();
        let url_of = |id: Option<u32>| id.map_or("", |i| &*s.urls.info(i).url);
        let arrays: Vec<ArrayRef> = vec![
            texts(&rows, |(_, url, _)| &url.key),
            texts(&rows, |(_, url, _)| &url.url),
            texts(&rows, |(_, url, _)| &url.host),
            texts(&rows, |(_, url, _)| s.domains.get(url.domain)),
            times(&rows, |(_, _, page)| page.first_seen),
            times(&rows, |(_, _, page)| page.last_visited),
            opt_times(&rows, |(_, _, page)| page.prev_visited),
            int32s(&rows, |(_, _, page)| i32::from(page.http_code)),
            opt_times(&rows, |(_, _, page)| page.broken_at),
            texts(&rows, |(_, _, page)| url_of(page.redirect_to)),
            texts(&rows, |(_, _, page)| url_of(page.canonical)),
            texts(&rows, |(_, _, page)| &page.ip),
            texts(&rows, |(_, _, page)| &page.title),
            texts(&rows, |(_, _, page)| &page.encoding),
            texts(&rows, |(_, _, page)| &page.language),
            texts(&rows, |(_, _, page)| &page.content_type),
            texts(&rows, |(_, _, page)| &page.content_encoding),
            int64s(&rows, |(_, _, page)| page.page_size as i64),
            int32s(&rows, |(_, _, page)| page.links_internal as i32),
            int32s(&rows, |(_, _, page)| page.links_external as i32),
            int32s(&rows, |&(id, _, _)| i32::from(s.ur(id))),
            floats(&rows, |&(id, _, _)| {
                s.authority.ur_raw.get(id as usize).copied().unwrap_or(0.0)
            }),
            int64s(&rows, |(_, _, page)| {
                i64::try_from(page.words).unwrap_or(i64::MAX)
            }),
            texts(&rows, |(_, _, page)| &page.on_page.h1),
            texts(&rows, |(_, _, page)| &page.on_page.h2),
            texts(&rows, |(_, _, page)| &page.on_page.description),
            texts(&rows, |(_, _, page)| &page.on_page.meta_social),
            texts(&rows, |(_, _, page)| &page.on_page.images_alt),
            texts(&rows, |(_, _, page)| &page.on_page.powered_by),
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
            texts(chunk, |&d| s.domains.get(d)),
            int32s(chunk, |&d| i32::from(s.dr(d))),
            floats(chunk, |&d| {
                s.authority.dr_raw.get(d as usize).copied().unwrap_or(0.0)
            }),
            int64s(chunk, |&d| i64::from(s.ahrefs_top(d))),
            int64s(chunk, |&d| pages_per_domain[d as usize]),
            int64s(chunk, |&d| refdomains[d as usize]),
            int64s(chunk, |&d| linked_domains[d as usize]),
        ];
        RecordBatch::try_new(SchemaRef::clone(&schema::DOMAINS), arrays)
    })
}

#[cfg(test)]
mod tests {
    use deltalake::arrow::array::AsArray;
    use deltalake::arrow::datatypes::{DataType, Field, Schema};
    use hrefdex_url::NormalUrl;

    use super::*;
    use crate::visit::{LinkSeen, PageVisit};

    #[test]
    fn every_link_column_is_built_and_no_other() {
        let mut page = PageVisit::new(
            NormalUrl::parse("http://a.com/").unwrap(),
            1_700_000_000,
            200,
        );
        page.links = vec![LinkSeen::href(
            NormalUrl::parse("http://b.com/x").unwrap(),
            "x",
        )];
        let mut state = IndexState::default();
        state.merge(vec![page]).unwrap();
        let ranks = Ranks::new(&state);
        let batch = link_batch(&state, &ranks, &schema::LINK_COLUMNS, 0..1).unwrap();
        assert_eq!(batch.schema(), *schema::LINK_COLUMNS);
        assert_eq!(batch.num_rows(), 1);
        let text = |name: &str| batch[name].as_string::<i32>().value(0).to_owned();
        assert_eq!(text("url_from"), "http://a.com/");
        assert_eq!(text("url_to"), "http://b.com/x");
        assert_eq!(text("to_domain"), "b.com");
        assert_eq!(text("anchor"), "x");

        let unknown = Arc::new(Schema::new(vec![
            Field::new("to_key", DataType::Utf8, false),
            Field::new("nope", DataType::Utf8, false),
        ]));
        let error = link_batch(&state, &ranks, &unknown, 0..1).unwrap_err();
        assert!(
            error.to_string().contains("nope is not a link column"),
            "{error}"
        );
    }
}
