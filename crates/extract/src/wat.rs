//! Common Crawl WAT records: JSON metadata with the links already extracted.
//!
//! Layout (as written by `ia-web-commons`):
//!
//! ```text
//! Envelope
//! ├─ WARC-Header-Metadata { WARC-Type, WARC-Target-URI, WARC-Date, WARC-IP-Address }
//! └─ Payload-Metadata
//!    └─ HTTP-Response-Metadata
//!       ├─ Response-Message { Status }
//!       ├─ Headers { Content-Type, Location, Content-Language, … }
//!       └─ HTML-Metadata
//!          ├─ Head { Title, Base, Metas: [{name|http-equiv, content}], Link: [{path, url, rel, type}] }
//!          └─ Links: [{path: "A@/href", url, text, rel, alt}, {path: "IMG@/src", url, alt}, …]
//! ```
//!
//! The same [`PageObservation`]s come out as from the WARC response, except that
//! WAT keeps no `text_pre`/`text_post` and no payload size (Entity-Length is used).
//! Image links: `ia-web-commons` writes an `IMG@/src` entry when it meets the image
//! and the enclosing `A@/href` entry when the anchor closes, so an `IMG@/src` that
//! directly precedes an `A@/href` is taken as that link's image.

use hrefdex_url::NormalUrl;
use serde_json::{Map, Value, json};

use crate::html::{HtmlFacts, RawLink, refresh_target};
use crate::limits::{ALT_MAX_CHARS, ANCHOR_MAX_CHARS, MAX_LINKS_PER_PAGE, TITLE_MAX_CHARS};
use crate::observation::{LinkType, PageObservation};
use crate::page::{Outcome, apply_facts, media_type, primary_language};
use crate::record::{Record, SkipReason};
use crate::snippet::Snippet;
use crate::text::{attr, clean};
use crate::time;

/// Whether a `metadata` record holds WAT JSON.
pub fn is_wat(rec: &Record) -> bool {
    rec.content_type()
        .is_some_and(|c| c.starts_with("application/json"))
        && rec.block.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{')
}

fn s<'a>(v: &'a Value, path: &[&str]) -> Option<&'a Value> {
    path.iter().try_fold(v, |v, k| v.get(k))
}

fn text(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Array(a) => a.first().and_then(|x| text(Some(x))),
        _ => None,
    }
}

fn header<'a>(headers: Option<&'a Map<String, Value>>, name: &str) -> Option<&'a Value> {
    headers?
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v)
}

/// Turns one WAT metadata record into a page observation.
pub fn observe_wat(rec: &Record, archive: &str) -> Outcome {
    let v: Value = match serde_json::from_slice(&rec.block) {
        Ok(v) => v,
        Err(e) => return Outcome::Skipped(SkipReason::BadWat, e.to_string()),
    };
    let Some(env) = v.get("Envelope") else {
        return Outcome::Skipped(SkipReason::BadWat, "no Envelope".into());
    };
    let wh = env.get("WARC-Header-Metadata");
    let wtype = text(wh.and_then(|h| h.get("WARC-Type"))).unwrap_or_default();
    if wtype != "response" && wtype != "revisit" {
        return Outcome::NotPage;
    }
    let Some(http) = s(env, &["Payload-Metadata", "HTTP-Response-Metadata"]) else {
        return Outcome::NotPage;
    };
    let Some(target) = text(wh.and_then(|h| h.get("WARC-Target-URI"))) else {
        return Outcome::Skipped(SkipReason::BadWat, "no WARC-Target-URI".into());
    };
    let url = match NormalUrl::parse(&target) {
        Ok(u) => u,
        Err(e) => {
            return Outcome::Skipped(
                SkipReason::BadWat,
                format!("WARC-Target-URI {target:?}: {e}"),
            );
        }
    };
    let status = text(s(http, &["Response-Message", "Status"]))
        .and_then(|t| t.trim().parse::<u16>().ok())
        .unwrap_or(0);
    let headers = http.get("Headers").and_then(Value::as_object);
    let hdr = |n: &str| text(header(headers, n));
    let mut page = PageObservation {
        url: url.as_str().to_owned(),
        visited: text(wh.and_then(|h| h.get("WARC-Date")))
            .and_then(|d| time::normalize(&d))
            .unwrap_or_default(),
        http_code: status,
        redirect_to: None,
        redirect_code: 0,
        ip: text(wh.and_then(|h| h.get("WARC-IP-Address"))).filter(|i| !i.is_empty()),
        page_size: text(http.get("Entity-Length"))
            .and_then(|t| t.parse().ok())
            .unwrap_or(0),
        content_type: media_type(hdr("Content-Type").as_deref()),
        encoding: String::new(),
        language: hdr("Content-Language")
            .map(|l| primary_language(&l))
            .unwrap_or_default(),
        title: String::new(),
        canonical: None,
        links_internal: 0,
        links_external: 0,
        meta_nofollow: false,
        meta_noindex: false,
        revisit: wtype == "revisit",
        archive: archive.to_owned(),
        archive_offset: rec.offset,
        words: 0,
        on_page: crate::html::OnPage::default(),
        links: Vec::new(),
    };
    let page_url = url.to_url();
    if (300..400).contains(&status) {
        if let Some(to) = hdr("Location").and_then(|l| NormalUrl::resolve(&page_url, &l).ok()) {
            page.redirect_to = Some(to.as_str().to_owned());
            page.redirect_code = status;
            page.links.push(crate::observation::LinkObservation {
                internal: hrefdex_url::is_internal(url.host(), to.host()),
                url_to: to.as_str().to_owned(),
                link_type: LinkType::Redirect,
                anchor: String::new(),
                alt: String::new(),
                image: false,
                nofollow: false,
                ugc: false,
                sponsored: false,
                redirect: status,
                text_pre: Snippet::default(),
                text_post: Snippet::default(),
            });
        }
        return Outcome::Page(Box::new(page));
    }
    if let Some(html) = http.get("HTML-Metadata") {
        if let Some(cs) = hdr("Content-Type")
            .as_deref()
            .and_then(crate::charset::charset_param)
            && let Some(enc) = encoding_rs::Encoding::for_label(cs.as_bytes())
        {
            page.encoding = crate::charset::report_name(enc);
        }
        let facts = facts_from_wat(html);
        apply_facts(&mut page, &url, &page_url, facts);
    }
    Outcome::Page(Box::new(page))
}

fn rel_flags(rel: &str, l: &mut RawLink) {
    for t in rel.split_ascii_whitespace() {
        match t.to_ascii_lowercase().as_str() {
            "nofollow" => l.nofollow = true,
            "ugc" => l.ugc = true,
            "sponsored" => l.sponsored = true,
            _ => {}
        }
    }
}

/// Builds [`HtmlFacts`] from an `HTML-Metadata` object.
fn facts_from_wat(html: &Value) -> HtmlFacts {
    let mut f = HtmlFacts::default();
    let head = html.get("Head");
    if let Some(h) = head {
        f.title = clean(&text(h.get("Title")).unwrap_or_default(), TITLE_MAX_CHARS);
        f.base = text(h.get("Base"));
        for m in h
            .get("Metas")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let name = text(m.get("name")).unwrap_or_default();
            let content = text(m.get("content")).unwrap_or_default();
            if name.eq_ignore_ascii_case("robots") {
                let c = content.to_ascii_lowercase();
                f.meta_nofollow |= c.contains("nofollow") || c.contains("none");
                f.meta_noindex |= c.contains("noindex") || c.contains("none");
            } else if name == "HTML@/lang" && f.lang.is_empty() {
                f.lang = content;
            } else if text(m.get("http-equiv")).is_some_and(|e| e.eq_ignore_ascii_case("refresh"))
                && let Some(t) = refresh_target(&content)
            {
                f.links.push(RawLink {
                    href: t.to_owned(),
                    kind: Some(LinkType::Redirect),
                    ..RawLink::default()
                });
            }
        }
        for l in h
            .get("Link")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let rel = text(l.get("rel")).unwrap_or_default().to_ascii_lowercase();
            let ty = text(l.get("type")).unwrap_or_default().to_ascii_lowercase();
            let kind = if rel.split_ascii_whitespace().any(|t| t == "canonical") {
                LinkType::Canonical
            } else if rel.split_ascii_whitespace().any(|t| t == "alternate") {
                if ty.contains("rss") || ty.contains("atom") {
                    LinkType::Rss
                } else {
                    LinkType::Alternate
                }
            } else {
                continue;
            };
            let mut raw = RawLink {
                href: attr(&text(l.get("url").or_else(|| l.get("href"))).unwrap_or_default()),
                kind: Some(kind),
                ..RawLink::default()
            };
            rel_flags(&rel, &mut raw);
            f.links.push(raw);
        }
    }
    let mut last_img: Option<String> = None;
    for l in html
        .get("Links")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        if f.links.len() >= MAX_LINKS_PER_PAGE {
            f.links_dropped += 1;
            continue;
        }
        let path = text(l.get("path")).unwrap_or_default();
        let href = attr(&text(l.get("url").or_else(|| l.get("href"))).unwrap_or_default());
        let kind = match path.as_str() {
            "A@/href" | "AREA@/href" => LinkType::Href,
            "FRAME@/src" | "IFRAME@/src" => LinkType::Frame,
            "FORM@/action" => LinkType::Form,
            "IMG@/src" => {
                last_img = Some(clean(
                    &text(l.get("alt")).unwrap_or_default(),
                    ALT_MAX_CHARS,
                ));
                continue;
            }
            _ => {
                last_img = None;
                continue;
            }
        };
        let mut raw = RawLink {
            href,
            kind: Some(kind),
            anchor: clean(&text(l.get("text")).unwrap_or_default(), ANCHOR_MAX_CHARS),
            alt: clean(&text(l.get("alt")).unwrap_or_default(), ALT_MAX_CHARS),
            ..RawLink::default()
        };
        if path == "A@/href"
            && let Some(alt) = last_img.take()
        {
            raw.image = true;
            if raw.alt.is_empty() {
                raw.alt = alt;
            }
        }
        last_img = None;
        rel_flags(&text(l.get("rel")).unwrap_or_default(), &mut raw);
        f.links.push(raw);
    }
    f
}

/// Writes a WAT metadata JSON document (Common Crawl's layout) for a WARC response
/// record, from this crate's own HTML extraction. Used to test the WAT reader
/// against real pages (no real WAT with `Links` could be obtained), and usable to
/// produce WAT-like link metadata for a WARC.
pub fn wat_json_for_response(rec: &Record) -> Option<Value> {
    let (head, at) = crate::http::parse_response(&rec.block)?;
    let body = crate::http::decode_payload(&head, &rec.block[at.min(rec.block.len())..]);
    let mut headers = Map::new();
    for (k, v) in &head.headers {
        headers.insert(k.clone(), Value::String(v.clone()));
    }
    let html = crate::page::is_html(&media_type(head.header("Content-Type")), &body)
        && !(300..400).contains(&head.status);
    let (enc, bom) = crate::charset::detect(head.header("Content-Type"), &body);
    let facts = crate::html::extract_html(&body[bom..], enc);
    let mut metas = Vec::new();
    if !facts.lang.is_empty() {
        metas.push(json!({"name": "HTML@/lang", "content": facts.lang}));
    }
    if facts.meta_nofollow || facts.meta_noindex {
        let mut c = Vec::new();
        if facts.meta_noindex {
            c.push("noindex");
        }
        if facts.meta_nofollow {
            c.push("nofollow");
        }
        metas.push(json!({"name": "robots", "content": c.join(",")}));
    }
    let mut head_links = Vec::new();
    let mut links = Vec::new();
    for l in &facts.links {
        match l.kind {
            Some(LinkType::Redirect) => {
                metas.push(json!({"http-equiv": "refresh", "content": format!("0; url={}", l.href)}));
            }
            Some(LinkType::Canonical) => head_links.push(json!({"path": "LINK@/href", "url": l.href, "rel": "canonical"})),
            Some(LinkType::Rss) => head_links.push(
                json!({"path": "LINK@/href", "url": l.href, "rel": "alternate", "type": "application/rss+xml"}),
            ),
            Some(LinkType::Alternate) => {
                head_links.push(json!({"path": "LINK@/href", "url": l.href, "rel": "alternate"}));
            }
            Some(LinkType::Frame) => links.push(json!({"path": "IFRAME@/src", "url": l.href})),
            Some(LinkType::Form) => links.push(json!({"path": "FORM@/action", "url": l.href})),
            Some(LinkType::Href) | None => {
                if l.image {
                    links.push(json!({"path": "IMG@/src", "url": "image", "alt": l.alt}));
                }
                let mut o = json!({"path": "A@/href", "url": l.href});
                if !l.image && !l.alt.is_empty() {
                    // Only <area> has its own alt (ia-web-commons keeps A's alt too).
                    o["path"] = Value::String("AREA@/href".into());
                    o["alt"] = Value::String(l.alt.clone());
                }
                if !l.anchor.is_empty() {
                    o["text"] = Value::String(l.anchor.clone());
                }
                let mut rel = Vec::new();
                for (on, name) in [(l.nofollow, "nofollow"), (l.ugc, "ugc"), (l.sponsored, "sponsored")] {
                    if on {
                        rel.push(name);
                    }
                }
                if !rel.is_empty() {
                    o["rel"] = Value::String(rel.join(" "));
                }
                links.push(o);
            }
        }
    }
    let mut head_obj = json!({"Title": facts.title, "Metas": metas, "Link": head_links});
    if let Some(b) = &facts.base {
        head_obj["Base"] = Value::String(b.clone());
    }
    let mut wh = json!({
        "WARC-Type": rec.kind.as_str(),
        "WARC-Target-URI": rec.target_uri()?,
        "WARC-Date": rec.date().unwrap_or(""),
    });
    if let Some(ip) = rec.ip() {
        wh["WARC-IP-Address"] = Value::String(ip.to_owned());
    }
    let mut doc = json!({
        "Container": {"Offset": rec.offset.to_string()},
        "Envelope": {
            "Format": "WARC",
            "WARC-Header-Metadata": wh,
            "Payload-Metadata": {
                "Actual-Content-Type": "application/http; msgtype=response",
                "HTTP-Response-Metadata": {
                    "Response-Message": {"Version": "HTTP/1.1", "Status": head.status.to_string(), "Reason": ""},
                    "Headers": headers,
                    "Entity-Length": body.len().to_string(),
                }
            }
        }
    });
    if html {
        doc["Envelope"]["Payload-Metadata"]["HTTP-Response-Metadata"]["HTML-Metadata"] =
            json!({"Head": head_obj, "Links": links});
    }
    Some(doc)
}
