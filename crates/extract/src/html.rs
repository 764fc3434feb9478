//! Streaming link extraction from HTML with `lol_html`.
//!
//! `lol_html` won the comparison with `html5ever` on the real pages in
//! `shared/data/html-*` (see `benches/html_parsers.rs` and docs/perf-log.md): it
//! tokenises lazily, only builds elements that a selector matches, and needs no
//! DOM. It does not decode entities, so values pass through [`crate::text`].
//!
//! [`extract_html`] turns one page's bytes into [`HtmlFacts`]: raw (unresolved)
//! links with their anchor text, alt, rel flags and snippets, plus the page's
//! `<base>`, title, language and `<meta name=robots>`. Resolving and normalising
//! URLs happens in [`crate::page`], after `<base>` is known for the whole page.

use std::borrow::Cow;
use std::cell::RefCell;
use std::rc::Rc;
use std::sync::LazyLock;

use encoding_rs::Encoding;
use lol_html::html_content::{Element, TextChunk, TextType};
use lol_html::{
    AsciiCompatibleEncoding, ElementContentHandlers, HandlerResult, HtmlRewriter, Selector,
    Settings, doc_text,
};

use crate::limits::{
    ALT_MAX_CHARS, ANCHOR_MAX_CHARS, MAX_LINKS_PER_PAGE, PAGE_FIELD_MAX_CHARS, SNIPPET_MAX_CHARS,
    TITLE_MAX_CHARS,
};
use crate::observation::LinkType;
use crate::snippet::{Snippet, SnippetBuilder};
use crate::text::{
    WordCount, attr, attr_owned, clean, clean_tail, clean_words, push_collapsed_counting,
};

/// Raw text kept while collecting (bytes); a multiple of the output limits so that
/// entities and collapsing still leave enough characters.
const RAW_SNIPPET_BYTES: usize = SNIPPET_MAX_CHARS * 4;
const RAW_ANCHOR_BYTES: usize = ANCHOR_MAX_CHARS * 4;

/// A link as written in the page, before resolution.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RawLink {
    /// The attribute value, entities decoded and trimmed.
    pub href: String,
    /// Kind of link.
    pub kind: Option<LinkType>,
    /// Anchor text (cleaned).
    pub anchor: String,
    /// Alt text of the image in the link.
    pub alt: String,
    /// The link wraps an image.
    pub image: bool,
    /// rel=nofollow.
    pub nofollow: bool,
    /// rel=ugc.
    pub ugc: bool,
    /// rel=sponsored.
    pub sponsored: bool,
    /// Text before (cleaned).
    pub text_pre: Snippet,
    /// Text after (cleaned).
    pub text_post: Snippet,
}

/// What one HTML page says about itself and where it links.
#[derive(Clone, Debug, Default)]
pub struct HtmlFacts {
    /// `<title>` (outside SVG), cleaned.
    pub title: String,
    /// `<html lang>` as written.
    pub lang: String,
    /// First `<base href>`.
    pub base: Option<String>,
    /// `<meta name=robots>` has nofollow (or none).
    pub meta_nofollow: bool,
    /// `<meta name=robots>` has noindex (or none).
    pub meta_noindex: bool,
    /// Links in document order.
    pub links: Vec<RawLink>,
    /// Links dropped past [`MAX_LINKS_PER_PAGE`].
    pub links_dropped: usize,
    /// Words of visible text: runs of non-whitespace within one text node.
    pub words: u64,
    /// On-page fields `pages_info` answers, each cleaned and bounded by
    /// [`PAGE_FIELD_MAX_CHARS`], several values joined with ` | `.
    pub on_page: OnPage,
}

/// What a page says of itself beyond its title.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct OnPage {
    /// Texts of the `<h1>` elements.
    pub h1: String,
    /// Texts of the `<h2>` elements.
    pub h2: String,
    /// `<meta name=description>`.
    pub description: String,
    /// Open Graph and Twitter card tags, as `property=content`.
    pub meta_social: String,
    /// `alt` texts of the page's images.
    pub images_alt: String,
    /// `<meta name=generator>` (the software that made the page).
    pub powered_by: String,
}

/// Appends `value` (cleaned) to a ` | `-joined field, within its bound.
fn push_field(field: &mut String, value: &str) {
    // A string has no more chars than bytes: count them only when it may matter.
    let full = |f: &str, max: usize| f.len() >= max && f.chars().count() >= max;
    if full(field, PAGE_FIELD_MAX_CHARS) {
        return;
    }
    let value = clean(value, PAGE_FIELD_MAX_CHARS);
    if value.is_empty() {
        return;
    }
    if !field.is_empty() {
        field.push_str(" | ");
    }
    field.push_str(&value);
    if full(field, PAGE_FIELD_MAX_CHARS + 1) {
        *field = clean(field, PAGE_FIELD_MAX_CHARS);
    }
}

/// Where one `<a>`/`<area>` sits in the page's collected text.
#[derive(Clone, Copy)]
struct Span {
    link: usize,
    open: usize,
    close: usize,
}

#[derive(Default)]
struct State {
    facts: HtmlFacts,
    /// All visible text of the page so far, ASCII whitespace collapsed. Anchor text
    /// and snippets are cut from it once the page is done, so each text byte is
    /// copied once, however many links are waiting for their `text_post`.
    text: String,
    /// Text positions of the href links.
    spans: Vec<Span>,
    /// Index into `spans` of the `<a>` that is open.
    open_anchor: Option<usize>,
    svg_depth: u32,
    in_title: bool,
    title_done: bool,
    title_raw: String,
    seen_html: bool,
    /// Raw text of the `<h1>`/`<h2>` being read (index 0 and 1).
    heading_raw: [String; 2],
    /// Words of the text so far (for [`HtmlFacts::words`]).
    words: WordCount,
}

/// Most page text kept for snippets; text past it gets no snippets.
const MAX_PAGE_TEXT: usize = 8 * 1024 * 1024;

/// `s[start..end]`, both ends moved inwards to char boundaries.
fn slice(s: &str, start: usize, end: usize) -> &str {
    &s[char_range(s, start, end)]
}

/// `start..end` within `s`, both ends moved inwards to char boundaries.
fn char_range(s: &str, start: usize, end: usize) -> std::ops::Range<usize> {
    let mut end = end.min(s.len());
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    let mut start = start.min(end);
    while !s.is_char_boundary(start) {
        start += 1;
    }
    start..end
}

impl State {
    fn push_link(&mut self, link: RawLink) -> Option<usize> {
        if self.facts.links.len() >= MAX_LINKS_PER_PAGE {
            self.facts.links_dropped += 1;
            return None;
        }
        self.facts.links.push(link);
        Some(self.facts.links.len() - 1)
    }

    fn open_span(&mut self, link: usize, closed: bool) -> usize {
        let at = self.text.len();
        self.spans.push(Span {
            link,
            open: at,
            close: if closed { at } else { usize::MAX },
        });
        self.spans.len() - 1
    }

    fn close_anchor(&mut self) {
        if let Some(i) = self.open_anchor.take() {
            let at = self.text.len();
            if let Some(sp) = self.spans.get_mut(i) {
                sp.close = at;
            }
        }
    }

    /// Collects a chunk of visible text and counts its words; a word never spans
    /// two text nodes (tags separate words, so `<td>a</td><td>b</td>` is two).
    fn on_text(&mut self, s: &str, last_in_node: bool) {
        push_collapsed_counting(&mut self.text, s, MAX_PAGE_TEXT, &mut self.words);
        if last_in_node {
            self.words.in_word = false;
        }
    }

    fn finish(mut self) -> HtmlFacts {
        self.close_anchor();
        let text = &self.text;
        let mut snippets = SnippetBuilder::default();
        let mut ids = Vec::with_capacity(self.spans.len());
        for sp in &self.spans {
            let Some(l) = self.facts.links.get_mut(sp.link) else {
                continue;
            };
            let close = sp.close.min(text.len());
            l.anchor = clean(
                slice(text, sp.open, close.min(sp.open + RAW_ANCHOR_BYTES)),
                ANCHOR_MAX_CHARS,
            );
            let before = slice(text, 0, sp.open);
            let pre = snippets.before(text, before.len(), clean_tail(before, SNIPPET_MAX_CHARS));
            let after = char_range(text, close, close + RAW_SNIPPET_BYTES);
            let post = snippets.after(
                text,
                after.start,
                clean_words(&text[after], SNIPPET_MAX_CHARS),
            );
            ids.push((sp.link, pre, post));
        }
        let snippets = snippets.finish(text);
        for (link, pre, post) in ids {
            if let Some(l) = self.facts.links.get_mut(link) {
                l.text_pre = pre.take(&snippets);
                l.text_post = post.take(&snippets);
            }
        }
        self.facts.title = clean(&self.title_raw, TITLE_MAX_CHARS);
        self.facts.words = self.words.words;
        self.facts
    }
}

fn rel_flags(el: &Element<'_, '_>, link: &mut RawLink) {
    if let Some(rel) = el.get_attribute("rel") {
        for t in rel.split_ascii_whitespace() {
            if t.eq_ignore_ascii_case("nofollow") {
                link.nofollow = true;
            } else if t.eq_ignore_ascii_case("ugc") {
                link.ugc = true;
            } else if t.eq_ignore_ascii_case("sponsored") {
                link.sponsored = true;
            }
        }
    }
}

type Shared = Rc<RefCell<State>>;

/// `<a>` or `<area>` (`is_area`) with an `href`.
///
/// Selectors name elements only (`a`, not `a[href]`): lol_html's attribute
/// selectors cost more than looking the attribute up here.
fn on_anchor(st: &Shared, el: &mut Element<'_, '_>, is_area: bool) {
    let Some(href) = el.get_attribute("href") else {
        return;
    };
    let mut link = RawLink {
        href: attr_owned(href),
        kind: Some(LinkType::Href),
        ..RawLink::default()
    };
    rel_flags(el, &mut link);
    let mut s = st.borrow_mut();
    s.close_anchor();
    if is_area {
        link.alt = el
            .get_attribute("alt")
            .map(|a| clean(&a, ALT_MAX_CHARS))
            .unwrap_or_default();
        if let Some(i) = s.push_link(link) {
            s.open_span(i, true);
        }
        return;
    }
    let Some(link_index) = s.push_link(link) else {
        return;
    };
    let i = s.open_span(link_index, false);
    s.open_anchor = Some(i);
    drop(s);
    if let Some(handlers) = el.end_tag_handlers() {
        let st = Rc::clone(st);
        handlers.push(Box::new(move |_end| {
            let mut s = st.borrow_mut();
            if s.open_anchor == Some(i) {
                s.close_anchor();
            }
            Ok(())
        }));
    }
}

fn on_img(st: &Shared, el: &mut Element<'_, '_>) {
    let mut s = st.borrow_mut();
    let alt = el.get_attribute("alt");
    if let Some(alt) = &alt {
        push_field(&mut s.facts.on_page.images_alt, alt);
    }
    let Some(i) = s.open_anchor.and_then(|i| s.spans.get(i)).map(|sp| sp.link) else {
        return;
    };
    if let Some(l) = s.facts.links.get_mut(i)
        && (!l.image || l.alt.is_empty())
    {
        l.image = true;
        if l.alt.is_empty() {
            l.alt = alt.map(|a| clean(&a, ALT_MAX_CHARS)).unwrap_or_default();
        }
    }
}

fn on_link(st: &Shared, el: &mut Element<'_, '_>) {
    let (Some(href), Some(rel)) = (el.get_attribute("href"), el.get_attribute("rel")) else {
        return;
    };
    let rel = rel.to_ascii_lowercase();
    let tokens: Vec<&str> = rel.split_ascii_whitespace().collect();
    let kind = if tokens.contains(&"canonical") {
        LinkType::Canonical
    } else if tokens.contains(&"alternate") {
        let ty = el
            .get_attribute("type")
            .unwrap_or_default()
            .to_ascii_lowercase();
        if ty.contains("rss") || ty.contains("atom") {
            LinkType::Rss
        } else {
            LinkType::Alternate
        }
    } else {
        return;
    };
    let mut link = RawLink {
        href: attr(&href),
        kind: Some(kind),
        ..RawLink::default()
    };
    rel_flags(el, &mut link);
    st.borrow_mut().push_link(link);
}

fn on_simple(st: &Shared, el: &mut Element<'_, '_>, attr_name: &str, kind: LinkType) {
    if let Some(v) = el.get_attribute(attr_name) {
        let v = attr(&v);
        if !v.is_empty() {
            st.borrow_mut().push_link(RawLink {
                href: v,
                kind: Some(kind),
                ..RawLink::default()
            });
        }
    }
}

fn on_meta(st: &Shared, el: &mut Element<'_, '_>) {
    let social = el
        .get_attribute("property")
        .or_else(|| el.get_attribute("name"))
        .filter(|p| {
            let p = p.to_ascii_lowercase();
            p.starts_with("og:") || p.starts_with("twitter:")
        });
    if let Some(property) = social {
        let content = el.get_attribute("content").unwrap_or_default();
        let mut s = st.borrow_mut();
        push_field(
            &mut s.facts.on_page.meta_social,
            &format!("{property}={content}"),
        );
        return;
    }
    if let Some(name) = el.get_attribute("name") {
        let field = if name.eq_ignore_ascii_case("description") {
            Some(0)
        } else if name.eq_ignore_ascii_case("generator") {
            Some(1)
        } else {
            None
        };
        if let Some(f) = field {
            let content = el.get_attribute("content").unwrap_or_default();
            let mut s = st.borrow_mut();
            let on_page = &mut s.facts.on_page;
            push_field(
                if f == 0 {
                    &mut on_page.description
                } else {
                    &mut on_page.powered_by
                },
                &content,
            );
            return;
        }
        if name.eq_ignore_ascii_case("robots") {
            let content = el
                .get_attribute("content")
                .unwrap_or_default()
                .to_ascii_lowercase();
            let mut s = st.borrow_mut();
            for t in content.split(|c: char| c == ',' || c.is_ascii_whitespace()) {
                match t {
                    "nofollow" => s.facts.meta_nofollow = true,
                    "noindex" => s.facts.meta_noindex = true,
                    "none" => {
                        s.facts.meta_nofollow = true;
                        s.facts.meta_noindex = true;
                    }
                    _ => {}
                }
            }
        }
        return;
    }
    let Some(equiv) = el.get_attribute("http-equiv") else {
        return;
    };
    if !equiv.trim().eq_ignore_ascii_case("refresh") {
        return;
    }
    let content = attr(&el.get_attribute("content").unwrap_or_default());
    if let Some(target) = refresh_target(&content) {
        st.borrow_mut().push_link(RawLink {
            href: target.to_owned(),
            kind: Some(LinkType::Redirect),
            ..RawLink::default()
        });
    }
}

/// `<h1>` (level 0) or `<h2>` (level 1): its text is collected until its end tag.
fn on_heading(st: &Shared, el: &mut Element<'_, '_>, level: usize) {
    st.borrow_mut().heading_raw[level].clear();
    if let Some(h) = el.end_tag_handlers() {
        let st = Rc::clone(st);
        h.push(Box::new(move |_| {
            let mut s = st.borrow_mut();
            let raw = std::mem::take(&mut s.heading_raw[level]);
            let on_page = &mut s.facts.on_page;
            push_field(
                if level == 0 {
                    &mut on_page.h1
                } else {
                    &mut on_page.h2
                },
                &raw,
            );
            Ok(())
        }));
    }
}

fn on_svg(st: &Shared, el: &mut Element<'_, '_>) {
    st.borrow_mut().svg_depth += 1;
    if let Some(h) = el.end_tag_handlers() {
        let st = Rc::clone(st);
        h.push(Box::new(move |_| {
            let mut s = st.borrow_mut();
            s.svg_depth = s.svg_depth.saturating_sub(1);
            Ok(())
        }));
    }
}

fn on_title(st: &Shared, el: &mut Element<'_, '_>) {
    {
        let mut s = st.borrow_mut();
        if s.title_done || s.svg_depth > 0 {
            return;
        }
        s.in_title = true;
    }
    if let Some(h) = el.end_tag_handlers() {
        let st = Rc::clone(st);
        h.push(Box::new(move |_| {
            let mut s = st.borrow_mut();
            s.in_title = false;
            s.title_done = true;
            Ok(())
        }));
    }
}

/// The URL in a refresh value such as `5; URL='http://x/'`.
pub fn refresh_target(content: &str) -> Option<&str> {
    let after_delay = content
        .trim_start()
        .trim_start_matches(|c: char| c.is_ascii_digit() || c == '.');
    let rest = after_delay
        .trim_start()
        .strip_prefix([';', ','])?
        .trim_start();
    let rest = if rest.len() >= 3 && rest.as_bytes()[..3].eq_ignore_ascii_case(b"url") {
        rest[3..].trim_start().strip_prefix('=')?.trim_start()
    } else {
        rest
    };
    let rest = rest.trim_matches(|c: char| c == '"' || c == '\'' || c.is_whitespace());
    (!rest.is_empty()).then_some(rest)
}

/// The selectors of [`extract_html`]'s handlers, parsed once per process: `lol_html`'s
/// `element!` and `text!` macros parse theirs for every document, which cost about 4 %
/// of extraction on pages of 2 KB (the generated webs; nothing measurable on the real
/// pages of `shared/data`, 150 KB on average).
struct Selectors {
    a: Selector,
    area: Selector,
    img: Selector,
    link: Selector,
    base: Selector,
    frame: Selector,
    form: Selector,
    meta: Selector,
    html: Selector,
    svg: Selector,
    title: Selector,
    headings: [Selector; 2],
}

static SELECTORS: LazyLock<Selectors> = LazyLock::new(|| {
    let parse = |s: &str| s.parse::<Selector>().expect("a fixed, valid selector");
    Selectors {
        a: parse("a"),
        area: parse("area"),
        img: parse("img"),
        link: parse("link"),
        base: parse("base"),
        frame: parse("frame, iframe"),
        form: parse("form"),
        meta: parse("meta"),
        html: parse("html"),
        svg: parse("svg"),
        title: parse("title"),
        headings: [parse("h1"), parse("h2")],
    }
});

/// A handler for the elements `selector` matches.
fn on_element<'h>(
    selector: &'static Selector,
    handler: impl FnMut(&mut Element<'_, '_>) -> HandlerResult + 'h,
) -> (Cow<'static, Selector>, ElementContentHandlers<'h>) {
    (
        Cow::Borrowed(selector),
        ElementContentHandlers::default().element(handler),
    )
}

/// A handler for the text inside the elements `selector` matches.
fn on_text_of<'h>(
    selector: &'static Selector,
    handler: impl FnMut(&mut TextChunk<'_>) -> HandlerResult + 'h,
) -> (Cow<'static, Selector>, ElementContentHandlers<'h>) {
    (
        Cow::Borrowed(selector),
        ElementContentHandlers::default().text(handler),
    )
}

/// Extracts links and page facts from one HTML document in `enc`.
pub fn extract_html(body: &[u8], enc: &'static Encoding) -> HtmlFacts {
    let (bytes, enc): (Cow<'_, [u8]>, AsciiCompatibleEncoding) =
        match AsciiCompatibleEncoding::new(enc) {
            Some(e) => (Cow::Borrowed(body), e),
            None => {
                // UTF-16 and ISO-2022-JP: transcode to UTF-8 first.
                let (text, _, _) = enc.decode(body);
                (
                    Cow::Owned(text.into_owned().into_bytes()),
                    AsciiCompatibleEncoding::utf_8(),
                )
            }
        };
    let mut state = State::default();
    // Visible text is a fraction of the markup; most pages never grow this buffer.
    state.text.reserve(bytes.len().min(MAX_PAGE_TEXT) / 4);
    let st: Shared = Rc::new(RefCell::new(state));
    let sel = &*SELECTORS;
    {
        let (a, img, link, base, frame, form, meta, html, svg, title, txt) = (
            (Rc::clone(&st), Rc::clone(&st)),
            Rc::clone(&st),
            Rc::clone(&st),
            Rc::clone(&st),
            Rc::clone(&st),
            Rc::clone(&st),
            Rc::clone(&st),
            Rc::clone(&st),
            Rc::clone(&st),
            (Rc::clone(&st), Rc::clone(&st)),
            Rc::clone(&st),
        );
        let mut settings = Settings {
            element_content_handlers: vec![
                on_element(&sel.a, move |el| {
                    on_anchor(&a.0, el, false);
                    Ok(())
                }),
                on_element(&sel.area, move |el| {
                    on_anchor(&a.1, el, true);
                    Ok(())
                }),
                on_element(&sel.img, move |el| {
                    on_img(&img, el);
                    Ok(())
                }),
                on_element(&sel.link, move |el| {
                    on_link(&link, el);
                    Ok(())
                }),
                on_element(&sel.base, move |el| {
                    let mut s = base.borrow_mut();
                    if s.facts.base.is_none() {
                        s.facts.base = el.get_attribute("href").map(|h| attr(&h));
                    }
                    Ok(())
                }),
                on_element(&sel.frame, move |el| {
                    on_simple(&frame, el, "src", LinkType::Frame);
                    Ok(())
                }),
                on_element(&sel.form, move |el| {
                    on_simple(&form, el, "action", LinkType::Form);
                    Ok(())
                }),
                on_element(&sel.meta, move |el| {
                    on_meta(&meta, el);
                    Ok(())
                }),
                on_element(&sel.html, move |el| {
                    let mut s = html.borrow_mut();
                    if !s.seen_html {
                        s.seen_html = true;
                        s.facts.lang = el.get_attribute("lang").unwrap_or_default();
                    }
                    Ok(())
                }),
                on_element(&sel.svg, move |el| {
                    on_svg(&svg, el);
                    Ok(())
                }),
                on_element(&sel.title, move |el| {
                    on_title(&title.0, el);
                    Ok(())
                }),
                on_text_of(&sel.title, move |t| {
                    let mut s = title.1.borrow_mut();
                    if s.in_title && s.title_raw.len() < TITLE_MAX_CHARS * 8 {
                        s.title_raw.push_str(t.as_str());
                    }
                    Ok(())
                }),
            ],
            document_content_handlers: vec![doc_text!(move |t: &mut TextChunk<'_>| {
                if matches!(t.text_type(), TextType::Data | TextType::CDataSection) {
                    txt.borrow_mut().on_text(t.as_str(), t.last_in_text_node());
                }
                Ok(())
            })],
            encoding: enc,
            ..Settings::new()
        };
        for (level, selector) in sel.headings.iter().enumerate() {
            let (on_start, on_text) = (Rc::clone(&st), Rc::clone(&st));
            settings
                .element_content_handlers
                .push(on_element(selector, move |el| {
                    on_heading(&on_start, el, level);
                    Ok(())
                }));
            settings
                .element_content_handlers
                .push(on_text_of(selector, move |t| {
                    let mut s = on_text.borrow_mut();
                    if s.heading_raw[level].len() < PAGE_FIELD_MAX_CHARS * 4 {
                        s.heading_raw[level].push_str(t.as_str());
                    }
                    Ok(())
                }));
        }
        let mut rewriter = HtmlRewriter::new(settings, |_: &[u8]| {});
        // A rewriter error (only memory limits, none set) leaves what was found so far.
        if rewriter.write(&bytes).is_ok() {
            let _ = rewriter.end();
        }
    }
    match Rc::try_unwrap(st) {
        Ok(cell) => cell.into_inner().finish(),
        Err(rc) => std::mem::take(&mut *rc.borrow_mut()).finish(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use encoding_rs::UTF_8;

    #[test]
    fn anchors_snippets_and_flags() {
        let html = br#"<html lang="de-AT"><head><title> A &amp; B </title>
            <meta name="robots" content="index, nofollow"><base href="http://b.example/dir/">
            <link rel="canonical" href="/c"><link rel="alternate" type="application/rss+xml" href="feed.xml">
            </head><body><p>Some   text before
            <a href="x.html" rel="ugc nofollow">the <b>anchor</b>
            </a> and then text after it.<a href="y"><img src="i.png" alt="Logo &amp; co"></a>
            <iframe src="f.html"></iframe><form action="/post"></form>
            <meta http-equiv="refresh" content="0; url='/next'"></body></html>"#;
        let f = extract_html(html, UTF_8);
        assert_eq!(f.title, "A & B");
        assert_eq!(f.lang, "de-AT");
        assert_eq!(f.base.as_deref(), Some("http://b.example/dir/"));
        assert!(f.meta_nofollow && !f.meta_noindex);
        let kinds: Vec<_> = f.links.iter().map(|l| (l.kind, l.href.as_str())).collect();
        assert_eq!(
            kinds,
            [
                (Some(LinkType::Canonical), "/c"),
                (Some(LinkType::Rss), "feed.xml"),
                (Some(LinkType::Href), "x.html"),
                (Some(LinkType::Href), "y"),
                (Some(LinkType::Frame), "f.html"),
                (Some(LinkType::Form), "/post"),
                (Some(LinkType::Redirect), "/next"),
            ]
        );
        let a = &f.links[2];
        assert_eq!(a.anchor, "the anchor");
        assert_eq!(a.text_pre, "Some text before");
        assert_eq!(a.text_post, "and then text after it.");
        assert!(a.nofollow && a.ugc && !a.sponsored);
        let img = &f.links[3];
        assert!(img.image);
        assert_eq!(img.alt, "Logo & co");
        assert_eq!(img.anchor, "");
    }

    #[test]
    fn the_links_of_a_page_share_its_text_once() {
        let html = "<p>Read <a href=/a>one</a> and then <a href=/b>two</a> or \
                    <a href=/c>three &amp; more</a> at last.</p>";
        let f = extract_html(html.as_bytes(), UTF_8);
        let texts: Vec<(&str, &str)> = f
            .links
            .iter()
            .map(|l| (l.text_pre.as_str(), l.text_post.as_str()))
            .collect();
        assert_eq!(
            texts,
            [
                ("Read", "and then two or three & more at last."),
                ("Read one and then", "or three & more at last."),
                ("Read one and then two or", "at last."),
            ]
        );
        let page = f.links[0].text_pre.shared().unwrap().0;
        for l in &f.links {
            for s in [&l.text_pre, &l.text_post] {
                assert!(std::sync::Arc::ptr_eq(s.shared().unwrap().0, page));
            }
        }
        // The stretches of page text the snippets show, each once; then the snippets
        // with a decoded `&`, which are not stretches of it, on their own.
        assert_eq!(
            &**page,
            "Read one and then two orat last.\
             and then two or three & more at last.or three & more at last."
        );
        assert!(page.len() < texts.iter().map(|(a, b)| a.len() + b.len()).sum::<usize>());
    }

    #[test]
    fn on_page_fields_and_words() {
        let html = br#"<html><head><meta name="description" content=" A  page
            about cats ">
            <meta property="og:title" content="Cats"><meta name="twitter:card" content="summary">
            <meta name="generator" content="WordPress 6.4"></head>
            <body><h1>Hello <b>cats</b></h1><p>one two three</p><h2>First</h2><h2>Second</h2>
            <img src="a.png" alt="a cat"><img src="b.png"><a href="/x"><img alt="link cat"></a>
            <script>var not = "words";</script></body></html>"#;
        let f = extract_html(html, UTF_8);
        assert_eq!(f.on_page.h1, "Hello cats");
        assert_eq!(f.on_page.h2, "First | Second");
        assert_eq!(f.on_page.description, "A page about cats");
        assert_eq!(
            f.on_page.meta_social,
            "og:title=Cats | twitter:card=summary"
        );
        assert_eq!(f.on_page.powered_by, "WordPress 6.4");
        assert_eq!(f.on_page.images_alt, "a cat | link cat");
        // "Hello", "cats", "one two three", "First", "Second": script text does not count.
        assert_eq!(f.words, 7);
    }

    #[test]
    fn on_page_fields_are_bounded() {
        let mut html = String::from("<body>");
        for i in 0..2000 {
            html.push_str(&format!("<h2>heading number {i}</h2>"));
        }
        let f = extract_html(html.as_bytes(), UTF_8);
        assert!(f.on_page.h2.chars().count() <= PAGE_FIELD_MAX_CHARS);
        assert!(
            f.on_page
                .h2
                .starts_with("heading number 0 | heading number 1")
        );
    }

    #[test]
    fn svg_title_is_not_the_page_title() {
        let f = extract_html(b"<svg><title>icon</title></svg><title>Real</title>", UTF_8);
        assert_eq!(f.title, "Real");
    }

    #[test]
    fn refresh_values() {
        assert_eq!(refresh_target("5; URL=http://x/"), Some("http://x/"));
        assert_eq!(refresh_target("0;url='a b'"), Some("a b"));
        assert_eq!(refresh_target("10"), None);
        assert_eq!(refresh_target("1;ÿÿ"), Some("ÿÿ"));
    }
}
