//! Reads stored record batches back into an [`IndexState`], so the next batch merges
//! into exactly what was committed.

use deltalake::arrow::array::{
    Array, BooleanArray, Int32Array, Int64Array, RecordBatch, StringArray,
    TimestampMicrosecondArray,
};
use hrefdex_url::NormalUrl;
use rustc_hash::FxHashMap;

use super::StoreError;
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
/// ratings included (DR by domain, UR of crawled pages).
///
/// Events name their link by its row in `links_in` (the `link` column of both); events
/// written by older builds carry the link's columns inline instead, and are matched by
/// the link's identity.
pub fn restore(
    pages: &[RecordBatch],
    links: &[RecordBatch],
    events: &[RecordBatch],
    domains: &[RecordBatch],
    batches: u32,
) -> Result<IndexState, StoreError> {
    let mut s = IndexState {
        batches,
        ..IndexState::default()
    };
    for batch in pages {
        let c = Cols {
            batch,
            table: "pages",
        };
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
                redirect_to: url_id(&mut s, redirect.value(i)),
                canonical: url_id(&mut s, canonical.value(i)),
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
        }
    }
    // Link id by `links_in` row.
    let mut by_row: Vec<u32> = Vec::new();
    for batch in links {
        let c = Cols {
            batch,
            table: "links_in",
        };
        let row = batch
            .column_by_name("link")
            .and_then(|a| a.as_any().downcast_ref::<Int64Array>());
        for i in 0..batch.num_rows() {
            let key = link_key(&mut s, &c, i)?;
            let origin = |name: &str| -> Result<Origin, StoreError> {
                Ok(if c.s(name)?.value(i) == "fresh" {
                    Origin::Fresh
                } else {
                    Origin::Recrawl
                })
            };
            let lost_reason = c.s("lost_reason")?;
            let link = LinkState {
                key,
                first_seen: secs(c.t("first_seen")?, i),
                last_visited: secs(c.t("last_visited")?, i),
                prev_visited: opt_secs(c.t("prev_visited")?, i),
                lost_at: opt_secs(c.t("lost_at")?, i),
                lost_reason: lost_reason
                    .is_valid(i)
                    .then(|| LostReason::parse(lost_reason.value(i)))
                    .flatten(),
                original: c.b("original")?.value(i),
                sitewide: c.b("sitewide")?.value(i),
                flags: LinkFlags {
                    nofollow: c.b("nofollow")?.value(i),
                    ugc: c.b("ugc")?.value(i),
                    sponsored: c.b("sponsored")?.value(i),
                    image: c.b("image")?.value(i),
                    redirect: u16::try_from(c.i32("redirect")?.value(i)).unwrap_or(0),
                },
                texts: LinkTexts::new(
                    c.s("text_pre")?.value(i),
                    c.s("text_post")?.value(i),
                    c.s("alt")?.value(i),
                ),
                first_origin: origin("first_origin")?,
                last_origin: origin("last_origin")?,
            };
            let id = s.push_link(link);
            if let Some(row) = row.filter(|r| r.is_valid(i)) {
                let row = usize::try_from(row.value(i)).map_err(|_| StoreError::Corrupt {
                    table: "links_in",
                    detail: format!("negative link row at row {i}"),
                })?;
                if by_row.len() <= row {
                    by_row.resize(row + 1, u32::MAX);
                }
                by_row[row] = id;
            }
        }
    }
    // Links by identity, built only for events of older builds (which name their link by
    // its columns instead of its `links_in` row).
    let mut by_key: Option<FxHashMap<LinkKey, u32>> = None;
    for batch in events {
        let c = Cols {
            batch,
            table: "link_events",
        };
        let (time, kind, reason) = (c.t("time")?, c.s("type")?, c.s("reason")?);
        // Inline link columns (older builds) or the link's `links_in` row.
        let rows = match batch.column_by_name("url_from") {
            Some(_) => None,
            None => Some(c.get::<Int64Array>("link")?),
        };
        for i in 0..batch.num_rows() {
            let unknown = || StoreError::Corrupt {
                table: "link_events",
                detail: format!("event for an unknown link at row {i}"),
            };
            let link = if let Some(rows) = rows {
                usize::try_from(rows.value(i))
                    .ok()
                    .and_then(|r| by_row.get(r))
                    .copied()
                    .filter(|&id| id != u32::MAX)
                    .ok_or_else(unknown)?
            } else {
                let key = link_key(&mut s, &c, i)?;
                let by_key = by_key.get_or_insert_with(|| {
                    (0..s.links.len() as u32)
                        .map(|id| (s.links[id as usize].key, id))
                        .collect()
                });
                by_key.get(&key).copied().ok_or_else(unknown)?
            };
            s.events.push(LinkEvent {
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
    }
    s.events.sort_by_key(|e| (e.time, e.kind, e.link));
    restore_ratings(&mut s, pages, domains)?;
    Ok(s)
}

fn restore_ratings(
    s: &mut IndexState,
    pages: &[RecordBatch],
    domains: &[RecordBatch],
) -> Result<(), StoreError> {
    use deltalake::arrow::array::Float64Array;
    let n = s.domains.len();
    let (mut dr, mut dr_raw, mut top) = (vec![0u8; n], vec![0f64; n], vec![0u32; n]);
    for batch in domains {
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
            if let Some(id) = s.domains.lookup(name.value(i)) {
                dr[id as usize] = u8::try_from(rating.value(i)).unwrap_or(0);
                dr_raw[id as usize] = raw.value(i);
                top[id as usize] = u32::try_from(rank.value(i)).unwrap_or(0);
            }
        }
    }
    let m = s.urls.len();
    let (mut ur, mut ur_raw) = (vec![0u8; m], vec![0f64; m]);
    for batch in pages {
        let c = Cols {
            batch,
            table: "pages",
        };
        let (url, rating, raw) = (
            c.s("url")?,
            c.i32("ahrefs_rank")?,
            c.get::<Float64Array>("ur_raw")?,
        );
        for i in 0..batch.num_rows() {
            if let Some(id) = s.urls.lookup(url.value(i)) {
                ur[id as usize] = u8::try_from(rating.value(i)).unwrap_or(0);
                ur_raw[id as usize] = raw.value(i);
            }
        }
    }
    s.authority = crate::state::Authority {
        dr,
        dr_raw,
        ahrefs_top: top,
        ur,
        ur_raw,
    };
    Ok(())
}

fn link_key(s: &mut IndexState, c: &Cols<'_>, i: usize) -> Result<LinkKey, StoreError> {
    let url_from = c.s("url_from")?.value(i);
    // The referring page is a crawled page, restored from `pages` already; `links_in`
    // does not store its key (older builds did).
    let from = match (s.urls.lookup(url_from), c.batch.column_by_name("from_key")) {
        (Some(id), _) => id,
        (None, Some(_)) => s.urls.intern_parts(
            url_from,
            c.s("from_key")?.value(i),
            c.s("from_host")?.value(i),
            c.s("from_domain")?.value(i),
            &mut s.domains,
        ),
        (None, None) => url_id(s, url_from).ok_or_else(|| StoreError::Corrupt {
            table: c.table,
            detail: format!("unusable url_from at row {i}"),
        })?,
    };
    let to = s.urls.intern_parts(
        c.s("url_to")?.value(i),
        c.s("to_key")?.value(i),
        c.s("to_host")?.value(i),
        c.s("to_domain")?.value(i),
        &mut s.domains,
    );
    let link_type =
        LinkType::parse(c.s("link_type")?.value(i)).ok_or_else(|| StoreError::Corrupt {
            table: c.table,
            detail: format!("unknown link_type at row {i}"),
        })?;
    let anchor = s.anchors.intern(c.s("anchor")?.value(i));
    Ok(LinkKey {
        from,
        to,
        link_type,
        anchor,
    })
}
