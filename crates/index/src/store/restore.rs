//! Reads stored record batches back into an [`IndexState`], so the next batch merges
//! into exactly what was committed.

use deltalake::arrow::array::{
    Array, BooleanArray, Int32Array, Int64Array, RecordBatch, StringArray,
    TimestampMicrosecondArray,
};
use hrefdex_url::NormalUrl;
use rustc_hash::FxHashMap;

use super::StoreError;
use crate::batch::Room;
use crate::state::{
    EventKind, IndexState, LinkEvent, LinkKey, LinkState, LostReason, Origin, PageState,
};
use crate::texts::LinkTexts;
use crate::visit::{LinkFlags, LinkType, LinkTypeExt};

/// Typed access to one batch's columns by name.
struct Cols<'a> {
    batch: &'a RecordBatch,
    table: &'static str,
}

impl<'a> Cols<'a> {
    fn get<T: 'static>(&self, name: &str) -> Result<&'a T, StoreError> {
        self.batch
            .column_by_name(name)
            .and_then(|c| c.as_any().downcast_ref::<T>())
            .ok_or_else(|| StoreError::Corrupt {
                table: self.table,
                detail: format!("column {name} missing or of the wrong type"),
            })
    }
    fn s(&self, name: &str) -> Result<&'a StringArray, StoreError> {
        self.get(name)
    }
    fn i32(&self, name: &str) -> Result<&'a Int32Array, StoreError> {
        self.get(name)
    }
    fn b(&self, name: &str) -> Result<&'a BooleanArray, StoreError> {
        self.get(name)
    }
    fn t(&self, name: &str) -> Result<&'a TimestampMicrosecondArray, StoreError> {
        self.get(name)
    }
}

fn secs(a: &TimestampMicrosecondArray, i: usize) -> i64 {
    a.value(i).div_euclid(1_000_000)
}

fn opt_secs(a: &TimestampMicrosecondArray, i: usize) -> Option<i64> {
    a.is_valid(i).then(|| secs(a, i))
}

fn url_id(state: &mut IndexState, text: &str) -> Option<u32> {
    if text.is_empty() {
        return None;
    }
    if let Some(id) = state.urls.lookup(text) {
        return Some(id);
    }
    let url = NormalUrl::parse(text).ok()?;
    Some(state.urls.intern(&url, &mut state.domains))
}

/// Rebuilds the state from `pages`, `links_in`, `link_events` and `domains` batches,
/// ratings included (DR by domain, UR of crawled pages): [`Restorer`] over whole tables.
pub fn restore(
    pages: &[RecordBatch],
    links: &[RecordBatch],
    events: &[RecordBatch],
    domains: &[RecordBatch],
    batches: u32,
) -> Result<IndexState, StoreError> {
    let mut r = Restorer::new(batches);
    pages.iter().try_for_each(|b| r.pages(b))?;
    links.iter().try_for_each(|b| r.links(b))?;
    events.iter().try_for_each(|b| r.events(b))?;
    domains.iter().try_for_each(|b| r.domains(b))?;
    Ok(r.finish())
}

/// The `links_in` columns a restore reads from a file of schema `file`. The referring
/// page's attributes inline in every row (its title, IP, ratings, sizes: about a sixth of
/// the table) come back from `pages` instead. The texts around each link stay in the
/// file ([`LinkTexts::stored`]) until the write reads back those of links a merge did
/// not see again ([`TEXT_COLUMNS`]). Files of older builds also name the referring page
/// by key, host and domain; those are read where present.
pub fn link_columns(file: &deltalake::arrow::datatypes::Schema) -> Vec<&'static str> {
    let mut columns = vec![
        "url_from",
        "url_to",
        "to_key",
        "to_host",
        "to_domain",
        "link_type",
        "anchor",
        "first_seen",
        "last_visited",
        "prev_visited",
        "lost_at",
        "lost_reason",
        "original",
        "sitewide",
        "nofollow",
        "ugc",
        "sponsored",
        "image",
        "redirect",
        "first_origin",
        "last_origin",
        "link",
    ];
    if file.field_with_name("from_key").is_ok() {
        columns.extend(["from_key", "from_host", "from_domain"]);
    }
    columns
}

/// The `links_in` columns of a link's [`LinkTexts`], in the order `LinkTexts::new`
/// takes them.
pub const TEXT_COLUMNS: [&str; 3] = ["text_pre", "text_post", "alt"];

/// Rebuilds an [`IndexState`] one record batch at a time, so that a whole table never
/// has to be decoded into memory at once: at 10M links, `links_in` decoded whole was
/// several gigabytes on top of the state being rebuilt, and most of a load's time went
/// to the kernel zeroing the fresh pages it took (docs/perf-log.md, "Loading an index").
///
/// Batches must come table by table, in this order: every `pages` batch, then
/// `links_in`, then `link_events`, then `domains`; then [`Restorer::finish`].
/// Events name their link by its row in `links_in` (the `link` column of both); events
/// written by older builds carry the link's columns inline instead, and are matched by
/// the link's identity.
pub struct Restorer {
    s: IndexState,
    /// Link id by `links_in` row (the row its `link` column names).
    by_row: Vec<u32>,
    /// `links_in` rows read so far, counted in the order the batches came: the row
    /// numbers of [`LinkTexts::stored`].
    rows_read: usize,
    /// Links by identity, built only for events of older builds.
    by_key: Option<FxHashMap<LinkKey, u32>>,
    /// (URL id, UR, raw UR) of every crawled page.
    page_ratings: Vec<(u32, u8, f64)>,
    /// (domain id, DR, raw DR, position) of every domain of the state.
    domain_ratings: Vec<(u32, u8, f64, u32)>,
}

impl Restorer {
    /// An empty state that has seen `batches` crawl batches.
    pub fn new(batches: u32) -> Restorer {
        Restorer {
            s: IndexState {
                batches,
                ..IndexState::default()
            },
            by_row: Vec::new(),
            rows_read: 0,
            by_key: None,
            page_ratings: Vec::new(),
            domain_ratings: Vec::new(),
        }
    }

    /// Grows the state's tables once for a version of `pages` pages, `links` links and
    /// `events` events, before the first batch. Grown row by row instead, the link
    /// table was copied a dozen times, each time into fresh memory that the kernel
    /// zeroed: a quarter of a load's time at 10M links (docs/perf-log.md, "Loading an
    /// index: tables grown once").
    ///
    /// The counts are a hint (from the files' footers): room that cannot be had is left
    /// out, and counts beyond what ids can number (`u32`) are not a real table's, so
    /// nothing is reserved for them; reading the damaged table then fails on its own.
    /// `room` is left untouched at the end of the link and event tables, for the merge
    /// to come.
    pub fn reserve(&mut self, pages: u64, links: u64, events: u64, room: Room) {
        let count = |n: u64| usize::try_from(n).ok().filter(|&n| n <= u32::MAX as usize);
        let (Some(pages), Some(links), Some(events)) = (count(pages), count(links), count(events))
        else {
            return;
        };
        let s = &mut self.s;
        let reserved = s.urls.try_reserve(pages)
            && s.pages.try_reserve(pages)
            && self.page_ratings.try_reserve(pages).is_ok()
            && self.by_row.try_reserve(links).is_ok();
        if reserved {
            s.grow_links(links, events, room);
        }
    }

    /// Restores the crawled pages of one `pages` batch.
    pub fn pages(&mut self, batch: &RecordBatch) -> Result<(), StoreError> {
        let s = &mut self.s;
        let c = Cols {
            batch,
            table: "pages",
        };
        let (rating, raw) = (
            c.i32("ahrefs_rank")?,
            c.get::<deltalake::arrow::array::Float64Array>("ur_raw")?,
        );
        let (key, url, host, domain) = (c.s("url_key")?, c.s("url")?, c.s("host")?, c.s("domain")?);
        let (first, last, prev, broken) = (
            c.t("first_seen")?,
            c.t("last_visited")?,
            c.t("prev_visited")?,
            c.t("broken_at")?,
        );
        let (redirect, canonical) = (c.s("redirect_url")?, c.s("canonical_url")?);
        let (ip, title, enc, lang, ctype, cenc) = (
            c.s("ip")?,
            c.s("title")?,
            c.s("encoding")?,
            c.s("language")?,
            c.s("content_type")?,
            c.s("content_encoding")?,
        );
        let size = c.get::<deltalake::arrow::array::Int64Array>("size")?;
        // Columns added after the first release: absent from older versions.
        let optional_text = |name: &str| {
            batch.column_by_name(name).and_then(|a| {
                a.as_any()
                    .downcast_ref::<deltalake::arrow::array::StringArray>()
            })
        };
        let words = batch.column_by_name("words").and_then(|a| {
            a.as_any()
                .downcast_ref::<deltalake::arrow::array::Int64Array>()
        });
        let on_page_columns = [
            optional_text("h1"),
            optional_text("h2"),
            optional_text("description"),
            optional_text("meta_social"),
            optional_text("images_alt"),
            optional_text("powered_by"),
        ];
        let (code, li, le) = (
            c.i32("http_code")?,
            c.i32("links_internal")?,
            c.i32("links_external")?,
        );
        for i in 0..batch.num_rows() {
            let id = s.urls.intern_parts(
                url.value(i),
                key.value(i),
                host.value(i),
                domain.value(i),
                &mut s.domains,
            );
            let page = PageState {
                first_seen: secs(first, i),
                last_visited: secs(last, i),
                prev_visited: opt_secs(prev, i),
                http_code: u16::try_from(code.value(i)).unwrap_or(0),
                broken_at: opt_secs(broken, i),
                redirect_to: url_id(s, redirect.value(i)),
                canonical: url_id(s, canonical.value(i)),
                ip: ip.value(i).into(),
                title: title.value(i).into(),
                encoding: enc.value(i).into(),
                language: lang.value(i).into(),
                content_type: ctype.value(i).into(),
                content_encoding: cenc.value(i).into(),
                page_size: u64::try_from(size.value(i)).unwrap_or(0),
                links_internal: u32::try_from(li.value(i)).unwrap_or(0),
                links_external: u32::try_from(le.value(i)).unwrap_or(0),
                words: words
                    .filter(|w| w.is_valid(i))
                    .map_or(0, |w| u64::try_from(w.value(i)).unwrap_or(0)),
                on_page: {
                    let text = |k: usize| -> String {
                        on_page_columns[k]
                            .filter(|a| a.is_valid(i))
                            .map_or_else(String::new, |a| a.value(i).to_owned())
                    };
                    crate::visit::OnPage {
                        h1: text(0),
                        h2: text(1),
                        description: text(2),
                        meta_social: text(3),
                        images_alt: text(4),
                        powered_by: text(5),
                    }
                },
            };
            s.pages.insert(id, page);
            self.page_ratings
                .push((id, u8::try_from(rating.value(i)).unwrap_or(0), raw.value(i)));
        }
        Ok(())
    }

    /// Restores the links of one `links_in` batch.
    pub fn links(&mut self, batch: &RecordBatch) -> Result<(), StoreError> {
        let c = Cols {
            batch,
            table: "links_in",
        };
        // Every column found once per batch: by name for every row, the lookups were a
        // sixth of a load.
        let keys = KeyColumns::new(&c)?;
        let (first, last, prev, lost) = (
            c.t("first_seen")?,
            c.t("last_visited")?,
            c.t("prev_visited")?,
            c.t("lost_at")?,
        );
        let (lost_reason, first_origin, last_origin) = (
            c.s("lost_reason")?,
            c.s("first_origin")?,
            c.s("last_origin")?,
        );
        let (original, sitewide, nofollow, ugc, sponsored, image) = (
            c.b("original")?,
            c.b("sitewide")?,
            c.b("nofollow")?,
            c.b("ugc")?,
            c.b("sponsored")?,
            c.b("image")?,
        );
        let redirect = c.i32("redirect")?;
        // Batches decoded without their texts leave them in the file, by row.
        let held = match batch.column_by_name(TEXT_COLUMNS[0]) {
            Some(_) => Some((
                c.s(TEXT_COLUMNS[0])?,
                c.s(TEXT_COLUMNS[1])?,
                c.s(TEXT_COLUMNS[2])?,
            )),
            None => None,
        };
        let first_row = self.rows_read;
        self.rows_read += batch.num_rows();
        let row = batch
            .column_by_name("link")
            .and_then(|a| a.as_any().downcast_ref::<Int64Array>());
        let origin = |a: &StringArray, i: usize| {
            if a.value(i) == "fresh" {
                Origin::Fresh
            } else {
                Origin::Recrawl
            }
        };
        let mut last_to = None;
        for i in 0..batch.num_rows() {
            let key = link_key(&mut self.s, &keys, c.table, i, &mut last_to)?;
            let link = LinkState {
                key,
                first_seen: secs(first, i),
                last_visited: secs(last, i),
                prev_visited: opt_secs(prev, i).into(),
                lost_at: opt_secs(lost, i).into(),
                lost_reason: lost_reason
                    .is_valid(i)
                    .then(|| LostReason::parse(lost_reason.value(i)))
                    .flatten(),
                original: original.value(i),
                sitewide: sitewide.value(i),
                flags: LinkFlags {
                    nofollow: nofollow.value(i),
                    ugc: ugc.value(i),
                    sponsored: sponsored.value(i),
                    image: image.value(i),
                    redirect: u16::try_from(redirect.value(i)).unwrap_or(0),
                },
                texts: match held {
                    Some((pre, post, alt)) => {
                        LinkTexts::new(pre.value(i), post.value(i), alt.value(i))
                    }
                    None => LinkTexts::stored(u32::try_from(first_row + i).map_err(|_| {
                        StoreError::Corrupt {
                            table: "links_in",
                            detail: "more rows than links can be numbered".into(),
                        }
                    })?),
                },
                first_origin: origin(first_origin, i),
                last_origin: origin(last_origin, i),
            };
            // The map of links by page is built once, in `finish`.
            let id = self.s.links.len() as u32;
            self.s.links.push(link);
            if let Some(row) = row.filter(|r| r.is_valid(i)) {
                let row = usize::try_from(row.value(i)).map_err(|_| StoreError::Corrupt {
                    table: "links_in",
                    detail: format!("negative link row at row {i}"),
                })?;
                if self.by_row.len() <= row {
                    self.by_row.resize(row + 1, u32::MAX);
                }
                self.by_row[row] = id;
            }
        }
        Ok(())
    }

    /// Restores the new/lost events of one `link_events` batch.
    pub fn events(&mut self, batch: &RecordBatch) -> Result<(), StoreError> {
        let c = Cols {
            batch,
            table: "link_events",
        };
        let (time, kind, reason) = (c.t("time")?, c.s("type")?, c.s("reason")?);
        let named_by = match batch.column_by_name("url_from") {
            Some(_) => LinkNamedBy::Columns(KeyColumns::new(&c)?),
            None => LinkNamedBy::Row(c.get::<Int64Array>("link")?),
        };
        let mut last_to = None;
        for i in 0..batch.num_rows() {
            let unknown = || StoreError::Corrupt {
                table: "link_events",
                detail: format!("event for an unknown link at row {i}"),
            };
            let link = match &named_by {
                LinkNamedBy::Row(rows) => usize::try_from(rows.value(i))
                    .ok()
                    .and_then(|r| self.by_row.get(r))
                    .copied()
                    .filter(|&id| id != u32::MAX)
                    .ok_or_else(unknown)?,
                LinkNamedBy::Columns(keys) => {
                    let key = link_key(&mut self.s, keys, c.table, i, &mut last_to)?;
                    let links = &self.s.links;
                    let by_key = self.by_key.get_or_insert_with(|| {
                        (0..links.len() as u32)
                            .map(|id| (links[id as usize].key, id))
                            .collect()
                    });
                    by_key.get(&key).copied().ok_or_else(unknown)?
                }
            };
            self.s.events.push(LinkEvent {
                link,
                time: secs(time, i),
                kind: if kind.value(i) == "new" {
                    EventKind::New
                } else {
                    EventKind::Lost
                },
                reason: reason
                    .is_valid(i)
                    .then(|| LostReason::parse(reason.value(i)))
                    .flatten(),
            });
        }
        Ok(())
    }

    /// Restores the ratings of one `domains` batch (of domains the state has).
    pub fn domains(&mut self, batch: &RecordBatch) -> Result<(), StoreError> {
        use deltalake::arrow::array::Float64Array;
        let c = Cols {
            batch,
            table: "domains",
        };
        let (name, rating, raw, rank) = (
            c.s("domain")?,
            c.i32("domain_rating")?,
            c.get::<Float64Array>("dr_raw")?,
            c.get::<Int64Array>("ahrefs_top")?,
        );
        for i in 0..batch.num_rows() {
            if let Some(id) = self.s.domains.lookup(name.value(i)) {
                self.domain_ratings.push((
                    id,
                    u8::try_from(rating.value(i)).unwrap_or(0),
                    raw.value(i),
                    u32::try_from(rank.value(i)).unwrap_or(0),
                ));
            }
        }
        Ok(())
    }

    /// The state, its events in time order and its ratings in place.
    pub fn finish(self) -> IndexState {
        let mut s = self.s;
        s.index_links_by_page();
        s.events.sort_by_key(|e| (e.time, e.kind, e.link));
        let n = s.domains.len();
        let (mut dr, mut dr_raw, mut top) = (vec![0u8; n], vec![0f64; n], vec![0u32; n]);
        for (id, rating, raw, rank) in self.domain_ratings {
            dr[id as usize] = rating;
            dr_raw[id as usize] = raw;
            top[id as usize] = rank;
        }
        let m = s.urls.len();
        let (mut ur, mut ur_raw) = (vec![0u8; m], vec![0f64; m]);
        for (id, rating, raw) in self.page_ratings {
            ur[id as usize] = rating;
            ur_raw[id as usize] = raw;
        }
        s.authority = crate::state::Authority {
            dr,
            dr_raw,
            ahrefs_top: top,
            ur,
            ur_raw,
        };
        s
    }
}

/// How a `link_events` batch names each event's link.
enum LinkNamedBy<'a> {
    /// By its row in `links_in`.
    Row(&'a Int64Array),
    /// By the link's own columns, inline (older builds).
    Columns(KeyColumns<'a>),
}

/// The columns that name a link: its referring and target URLs, type and anchor.
struct KeyColumns<'a> {
    url_from: &'a StringArray,
    /// The referring page's key, host and domain, in files of older builds.
    from_parts: Option<(&'a StringArray, &'a StringArray, &'a StringArray)>,
    url_to: &'a StringArray,
    to_key: &'a StringArray,
    to_host: &'a StringArray,
    to_domain: &'a StringArray,
    link_type: &'a StringArray,
    anchor: &'a StringArray,
}

impl<'a> KeyColumns<'a> {
    fn new(c: &Cols<'a>) -> Result<KeyColumns<'a>, StoreError> {
        let from_parts = match c.batch.column_by_name("from_key") {
            Some(_) => Some((c.s("from_key")?, c.s("from_host")?, c.s("from_domain")?)),
            None => None,
        };
        Ok(KeyColumns {
            url_from: c.s("url_from")?,
            from_parts,
            url_to: c.s("url_to")?,
            to_key: c.s("to_key")?,
            to_host: c.s("to_host")?,
            to_domain: c.s("to_domain")?,
            link_type: c.s("link_type")?,
            anchor: c.s("anchor")?,
        })
    }
}

/// The identity of the link of row `i`. `last_to` is the previous row's target (row,
/// id): rows come sorted by target, so most rows name the one before's and skip a
/// lookup by URL.
fn link_key(
    s: &mut IndexState,
    k: &KeyColumns<'_>,
    table: &'static str,
    i: usize,
    last_to: &mut Option<(usize, u32)>,
) -> Result<LinkKey, StoreError> {
    let url_from = k.url_from.value(i);
    // The referring page is a crawled page, restored from `pages` already; `links_in`
    // does not store its key (older builds did).
    let from = match (s.urls.lookup(url_from), k.from_parts) {
        (Some(id), _) => id,
        (None, Some((key, host, domain))) => s.urls.intern_parts(
            url_from,
            key.value(i),
            host.value(i),
            domain.value(i),
            &mut s.domains,
        ),
        (None, None) => url_id(s, url_from).ok_or_else(|| StoreError::Corrupt {
            table,
            detail: format!("unusable url_from at row {i}"),
        })?,
    };
    let url_to = k.url_to.value(i);
    let to = match *last_to {
        Some((row, id)) if k.url_to.value(row) == url_to => id,
        _ => s.urls.intern_parts(
            url_to,
            k.to_key.value(i),
            k.to_host.value(i),
            k.to_domain.value(i),
            &mut s.domains,
        ),
    };
    *last_to = Some((i, to));
    let link_type = LinkType::parse(k.link_type.value(i)).ok_or_else(|| StoreError::Corrupt {
        table,
        detail: format!("unknown link_type at row {i}"),
    })?;
    let anchor = s.anchors.intern(k.anchor.value(i));
    Ok(LinkKey {
        from,
        to,
        link_type,
        anchor,
    })
}
