//! One archive record into one [`PageObservation`] (or a reason why not).
//!
//! ```text
//! Record ─► HTTP head (status, Location, Content-Type, Content-Encoding)
//!        ─► payload (dechunk, gunzip/inflate/brotli)
//!        ─► HTML? ─► charset ─► html::extract_html ─► resolve against <base>/URL
//!        ─► PageObservation { links: Vec<LinkObservation> }
//! ```

use hrefdex_url::{NormalUrl, is_internal};
use url::Url;

use crate::charset;
use crate::html::{HtmlFacts, RawLink, extract_html};
use crate::http::{HttpHead, decode_payload, parse_response};
use crate::observation::{LinkObservation, LinkType, PageObservation};
use crate::record::{Record, RecordType, SkipReason};
use crate::resolve::Resolver;
use crate::snippet::Snippet;
use crate::time;
use crate::wat;

/// What became of one record.
#[derive(Debug)]
pub enum Outcome {
    /// A page (response, revisit, or WAT response metadata).
    Page(Box<PageObservation>),
    /// A record that describes no page (request, warcinfo, resource, …).
    NotPage,
    /// A record that should have been a page but could not be read.
    Skipped(SkipReason, String),
}

/// Turns one record into a page observation. `archive` names the file.
pub fn observe_record(rec: &Record, archive: &str) -> Outcome {
    match rec.kind {
        RecordType::Response | RecordType::Revisit => observe_http(rec, archive),
        RecordType::Metadata if wat::is_wat(rec) => wat::observe_wat(rec, archive),
        _ => Outcome::NotPage,
    }
}

fn observe_http(rec: &Record, archive: &str) -> Outcome {
    let Some(target) = rec.target_uri() else {
        return Outcome::NotPage;
    };
    if !(target.starts_with("http:") || target.starts_with("https:") || target.starts_with("HTTP"))
    {
        // dns:, ftp:, whois: captures.
        return Outcome::NotPage;
    }
    let revisit = rec.kind == RecordType::Revisit;
    let Some((head, body_at)) = parse_response(&rec.block) else {
        if revisit {
            return Outcome::NotPage;
        }
        return Outcome::Skipped(
            SkipReason::NoHttpStatus,
            format!("no HTTP status line for {target}"),
        );
    };
    let url = match NormalUrl::parse(target) {
        Ok(u) => u,
        Err(e) => {
            return Outcome::Skipped(
                SkipReason::BadHeader,
                format!("WARC-Target-URI {target:?}: {e}"),
            );
        }
    };
    let body = &rec.block[body_at.min(rec.block.len())..];
    let page = build_page(
        PageInput {
            url,
            visited: rec.date().and_then(time::normalize).unwrap_or_default(),
            ip: rec.ip().map(str::to_owned),
            revisit,
            archive,
            offset: rec.offset,
        },
        &head,
        body,
    );
    Outcome::Page(Box::new(page))
}

/// Record-level facts about a page.
pub(crate) struct PageInput<'a> {
    pub url: NormalUrl,
    pub visited: String,
    pub ip: Option<String>,
    pub revisit: bool,
    pub archive: &'a str,
    pub offset: u64,
}

/// Media type without parameters, lower case.
pub(crate) fn media_type(ct: Option<&str>) -> String {
    ct.map(|c| {
        c.split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase()
    })
    .unwrap_or_default()
}

fn looks_like_html(body: &[u8]) -> bool {
    let head = &body[..body.len().min(512)];
    let start = head
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(head.len());
    let head = head[start..].to_ascii_lowercase();
    head.starts_with(b"<!doctype html") || head.starts_with(b"<html") || head.starts_with(b"<head")
}

/// Whether a payload with this media type is parsed as HTML.
pub(crate) fn is_html(media_type: &str, payload: &[u8]) -> bool {
    match media_type {
        "text/html" | "application/xhtml+xml" | "application/vnd.wap.xhtml+xml" => true,
        "" | "text/plain" | "application/octet-stream" | "unk" | "no-type" => {
            looks_like_html(payload)
        }
        _ => false,
    }
}

/// Primary language subtag, lower case (`de-AT` → `de`).
pub(crate) fn primary_language(tag: &str) -> String {
    let first = tag.split(',').next().unwrap_or("").trim();
    let primary = first.split(['-', '_']).next().unwrap_or("");
    if primary.len() >= 2 && primary.len() <= 3 && primary.bytes().all(|b| b.is_ascii_alphabetic())
    {
        primary.to_ascii_lowercase()
    } else {
        String::new()
    }
}

fn build_page(input: PageInput<'_>, head: &HttpHead, body: &[u8]) -> PageObservation {
    let payload = decode_payload(head, body);
    let content_type = media_type(head.header("Content-Type"));
    let mut page = PageObservation {
        url: input.url.as_str().to_owned(),
        visited: input.visited,
        http_code: head.status,
        redirect_to: None,
        redirect_code: 0,
        ip: input.ip,
        page_size: payload.len() as u64,
        content_type,
        encoding: String::new(),
        language: head
            .header("Content-Language")
            .map(primary_language)
            .unwrap_or_default(),
        title: String::new(),
        canonical: None,
        links_internal: 0,
        links_external: 0,
        meta_nofollow: false,
        meta_noindex: false,
        revisit: input.revisit,
        archive: input.archive.to_owned(),
        archive_offset: input.offset,
        words: 0,
        on_page: crate::html::OnPage::default(),
        links: Vec::new(),
    };
    let page_url = input.url.to_url();
    if (300..400).contains(&head.status) {
        if let Some(loc) = head.header("Location")
            && let Ok(to) = NormalUrl::resolve(&page_url, loc)
        {
            page.redirect_to = Some(to.as_str().to_owned());
            page.redirect_code = head.status;
            page.links.push(LinkObservation {
                internal: is_internal(input.url.host(), to.host()),
                url_to: to.as_str().to_owned(),
                link_type: LinkType::Redirect,
                anchor: String::new(),
                alt: String::new(),
                image: false,
                nofollow: false,
                ugc: false,
                sponsored: false,
                redirect: head.status,
                text_pre: Snippet::default(),
                text_post: Snippet::default(),
            });
        }
        return page;
    }
    if input.revisit {
        return page;
    }
    if !is_html(&page.content_type, &payload) {
        return page;
    }
    let (enc, bom) = charset::detect(head.header("Content-Type"), &payload);
    page.encoding = charset::report_name(enc);
    let facts = extract_html(&payload[bom..], enc);
    apply_facts(&mut page, &input.url, &page_url, facts);
    page
}

/// Resolves raw links against `<base>` and fills the page's HTML fields.
pub(crate) fn apply_facts(
    page: &mut PageObservation,
    url: &NormalUrl,
    page_url: &Url,
    facts: HtmlFacts,
) {
    page.title = facts.title;
    page.words = facts.words;
    page.on_page = facts.on_page;
    if !facts.lang.is_empty() {
        let lang = primary_language(&facts.lang);
        if !lang.is_empty() {
            page.language = lang;
        }
    }
    page.meta_nofollow = facts.meta_nofollow;
    page.meta_noindex = facts.meta_noindex;
    let base = facts
        .base
        .as_deref()
        .and_then(|b| page_url.join(b).ok())
        .filter(|b| matches!(b.scheme(), "http" | "https"));
    let resolver = Resolver::new(url, base.as_ref().unwrap_or(page_url), base.is_none());
    page.links.reserve(facts.links.len());
    for raw in facts.links {
        if let Some(link) = resolve_link(&resolver, raw, facts.meta_nofollow) {
            if link.link_type == LinkType::Canonical && page.canonical.is_none() {
                page.canonical = Some(link.url_to.clone());
            }
            if link.link_type == LinkType::Href {
                if link.internal {
                    page.links_internal += 1;
                } else {
                    page.links_external += 1;
                }
            }
            page.links.push(link);
        }
    }
}

/// Schemes dropped before resolving (they never name a web page).
fn dropped_scheme(href: &str) -> bool {
    const DROPPED: [&str; 7] = [
        "javascript:",
        "mailto:",
        "data:",
        "tel:",
        "about:",
        "sms:",
        "file:",
    ];
    let href = href.as_bytes();
    DROPPED.iter().any(|s| {
        href.get(..s.len())
            .is_some_and(|h| h.eq_ignore_ascii_case(s.as_bytes()))
    })
}

fn resolve_link(
    resolver: &Resolver<'_>,
    raw: RawLink,
    meta_nofollow: bool,
) -> Option<LinkObservation> {
    if raw.href.is_empty() || dropped_scheme(&raw.href) {
        return None;
    }
    let (url_to, internal) = resolver.resolve(&raw.href)?;
    Some(LinkObservation {
        internal,
        url_to,
        link_type: raw.kind.unwrap_or(LinkType::Href),
        anchor: raw.anchor,
        alt: raw.alt,
        image: raw.image,
        nofollow: raw.nofollow || meta_nofollow,
        ugc: raw.ugc,
        sponsored: raw.sponsored,
        redirect: 0,
        text_pre: raw.text_pre,
        text_post: raw.text_post,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dropped_schemes_in_any_case() {
        for href in [
            "javascript:void(0)",
            "MAILTO:a@b.c",
            "Tel:+1",
            "data:,x",
            "file:",
        ] {
            assert!(dropped_scheme(href), "{href}");
        }
        for href in ["java", "/mailto:x", "https://x/", "télé:", ""] {
            assert!(!dropped_scheme(href), "{href}");
        }
    }
}
