//! The observations this crate produces: one [`PageObservation`] per HTTP response,
//! holding its [`LinkObservation`]s. Field names follow the Ahrefs API v2 where a
//! column of the same meaning exists (`url`, `http_code`, `redirect_to`, `ip`,
//! `visited`, `title`, `encoding`, `language`, `page_size`, `links_internal`,
//! `links_external`, `canonical`; `url_to`, `link_type`, `anchor`, `alt`, `nofollow`,
//! `ugc`, `sponsored`, `redirect`, `text_pre`, `text_post`). Text fields that the API
//! returns as `""` when absent are plain `String`s here too (the snippets, [`Snippet`]s,
//! read as one).

use serde::Serialize;

use crate::snippet::Snippet;

/// What kind of reference a link is (the API's `link_type`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum LinkType {
    /// `<a href>` or `<area href>`.
    Href,
    /// An HTTP 3xx `Location` or a `<meta http-equiv=refresh>`.
    Redirect,
    /// `<frame src>` or `<iframe src>`.
    Frame,
    /// `<form action>`.
    Form,
    /// `<link rel=canonical>`.
    Canonical,
    /// `<link rel=alternate>` with an RSS or Atom type.
    Rss,
    /// Any other `<link rel=alternate>` (hreflang, media, …).
    Alternate,
}

impl LinkType {
    /// The API spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Href => "href",
            Self::Redirect => "redirect",
            Self::Frame => "frame",
            Self::Form => "form",
            Self::Canonical => "canonical",
            Self::Rss => "rss",
            Self::Alternate => "alternate",
        }
    }
}

/// One outgoing link seen on a page at one visit.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LinkObservation {
    /// Target URL in hrefdex's normal form.
    pub url_to: String,
    /// Kind of link.
    pub link_type: LinkType,
    /// Anchor text, whitespace collapsed, at most [`crate::limits::ANCHOR_MAX_CHARS`].
    pub anchor: String,
    /// Alt text of the image inside the link (empty when there is none).
    pub alt: String,
    /// The link wraps an image.
    pub image: bool,
    /// `rel=nofollow` on the link, or `<meta name=robots content=nofollow>` on the page.
    pub nofollow: bool,
    /// `rel=ugc`.
    pub ugc: bool,
    /// `rel=sponsored`.
    pub sponsored: bool,
    /// The 3xx code for HTTP redirect links, else 0 (also 0 for meta refresh).
    pub redirect: u16,
    /// Text just before the link, at most [`crate::limits::SNIPPET_MAX_CHARS`]; the
    /// links of a page share its text ([`crate::snippet`]).
    pub text_pre: Snippet,
    /// Text just after the link, at most [`crate::limits::SNIPPET_MAX_CHARS`].
    pub text_post: Snippet,
    /// Target is on the same registrable domain as the page.
    pub internal: bool,
}

/// One HTTP response (or revisit) seen in an archive.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PageObservation {
    /// Page URL in normal form.
    pub url: String,
    /// Visit time, RFC 3339 UTC with seconds (`2014-01-27T17:12:38Z`); empty when the
    /// record has no readable date.
    pub visited: String,
    /// HTTP status code.
    pub http_code: u16,
    /// Resolved `Location` of a 3xx response.
    pub redirect_to: Option<String>,
    /// The 3xx code when `redirect_to` is set, else 0.
    pub redirect_code: u16,
    /// Server IP (`WARC-IP-Address`).
    pub ip: Option<String>,
    /// Payload size in bytes after transfer and content decoding.
    pub page_size: u64,
    /// Media type from `Content-Type`, lower case, without parameters.
    pub content_type: String,
    /// Charset the page was decoded with (`utf8`, `windows-1252`, …); empty for non-HTML.
    pub encoding: String,
    /// Primary language subtag from `<html lang>` or `Content-Language`, lower case.
    pub language: String,
    /// `<title>`, whitespace collapsed.
    pub title: String,
    /// Resolved `<link rel=canonical>`.
    pub canonical: Option<String>,
    /// `href` links to the same registrable domain.
    pub links_internal: u32,
    /// `href` links to other registrable domains.
    pub links_external: u32,
    /// `<meta name=robots>` says nofollow (every link then has `nofollow`).
    pub meta_nofollow: bool,
    /// `<meta name=robots>` says noindex.
    pub meta_noindex: bool,
    /// From a `revisit` record: the payload is unchanged since an earlier capture,
    /// and `links` is empty because it was not re-read (not because links vanished).
    pub revisit: bool,
    /// Archive file the record came from.
    pub archive: String,
    /// File offset of the record (or of its gzip member).
    pub archive_offset: u64,
    /// Words of visible text (0 for non-HTML and WAT records).
    pub words: u64,
    /// `h1`, `h2`, `description`, `meta_social`, `images_alt`, `powered_by` (HTML only).
    #[serde(flatten)]
    pub on_page: crate::html::OnPage,
    /// Links found on the page, in document order.
    pub links: Vec<LinkObservation>,
}
