//! Observations from `hrefdex-extract` into the index's [`PageVisit`]s.

use chrono::DateTime;
use hrefdex_extract::{LinkObservation, PageObservation};
use hrefdex_url::NormalUrl;

use crate::batch::{BatchLink, BatchTables};
use crate::texts::LinkTexts;
use crate::visit::{LinkFlags, PageVisit};

/// Why an observation could not become a visit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Unusable {
    /// The page URL is not an http(s) URL in normal form.
    BadUrl,
    /// The visit time could not be read.
    BadTime,
}

/// Converts one page observation, numbering its link targets and anchors in `tables`.
/// Links whose
/// target does not parse are dropped (the extractor only emits normal-form URLs, so this
/// does not happen in practice).
pub fn visit_from_observation(
    obs: PageObservation,
    tables: &BatchTables,
) -> Result<PageVisit<BatchLink>, Unusable> {
    let url = NormalUrl::parse(&obs.url).map_err(|_| Unusable::BadUrl)?;
    let visited = DateTime::parse_from_rfc3339(&obs.visited)
        .map_err(|_| Unusable::BadTime)?
        .timestamp();
    let parse = |s: Option<String>| s.and_then(|s| NormalUrl::parse(&s).ok());
    // Sized once: collected from a filter, the vector would grow by doubling and keep
    // up to twice the room it needs for as long as the batch is held.
    let mut links = Vec::with_capacity(obs.links.len());
    links.extend(obs.links.into_iter().filter_map(|l| batch_link(l, tables)));
    let mut on_page = obs.on_page;
    for field in [
        &mut on_page.h1,
        &mut on_page.h2,
        &mut on_page.description,
        &mut on_page.meta_social,
        &mut on_page.images_alt,
        &mut on_page.powered_by,
    ] {
        field.shrink_to_fit();
    }
    Ok(PageVisit {
        url,
        visited,
        http_code: obs.http_code,
        redirect_to: parse(obs.redirect_to),
        ip: compact(obs.ip.unwrap_or_default()),
        title: compact(obs.title),
        encoding: compact(obs.encoding),
        language: compact(obs.language),
        content_type: compact(obs.content_type),
        content_encoding: String::new(),
        page_size: obs.page_size,
        canonical: parse(obs.canonical),
        links_internal: obs.links_internal,
        links_external: obs.links_external,
        words: obs.words,
        on_page,
        links,
        unchanged: obs.revisit,
    })
}

/// Gives back the spare capacity of a string. A whole crawl batch is held in memory
/// until it merges, and the extractor's buffers are sized for the longest text, so
/// without this a staged link takes several times the bytes of its text.
fn compact(mut s: String) -> String {
    s.shrink_to_fit();
    s
}

fn batch_link(l: LinkObservation, tables: &BatchTables) -> Option<BatchLink> {
    Some(BatchLink {
        to: tables.intern_str(&l.url_to)?,
        link_type: l.link_type,
        anchor: tables.intern_anchor(&l.anchor)?,
        flags: LinkFlags {
            nofollow: l.nofollow,
            ugc: l.ugc,
            sponsored: l.sponsored,
            image: l.image,
            redirect: l.redirect,
        },
        texts: LinkTexts::from_snippets(&l.text_pre, &l.text_post, &l.alt),
    })
}
