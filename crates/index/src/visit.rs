//! What the index consumes: one crawl's page visits and the links seen on them.
//!
//! This is the seam between extraction and the index: `hrefdex-extract` observations
//! convert into [`PageVisit`]s, and tests build them by hand.

use hrefdex_url::NormalUrl;

use crate::texts::LinkTexts;

pub use hrefdex_extract::LinkType;
pub use hrefdex_extract::html::OnPage;

/// What the index needs to know of a link type beyond its name.
pub trait LinkTypeExt: Sized {
    /// Every link type.
    const ALL: [LinkType; 7] = [
        LinkType::Href,
        LinkType::Redirect,
        LinkType::Frame,
        LinkType::Form,
        LinkType::Canonical,
        LinkType::Rss,
        LinkType::Alternate,
    ];

    /// Parses a stored `link_type` spelling.
    fn parse(s: &str) -> Option<LinkType> {
        Self::ALL.into_iter().find(|t| t.as_str() == s)
    }

    /// Whether links of this kind pass authority (DR/UR) when they are not nofollow:
    /// `href`, `redirect` and `frame`. Forms, canonicals and feeds do not vote.
    fn passes_authority(self) -> bool;
}

impl LinkTypeExt for LinkType {
    fn passes_authority(self) -> bool {
        matches!(self, LinkType::Href | LinkType::Redirect | LinkType::Frame)
    }
}

/// What a link's markup says of it, from its latest sighting.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct LinkFlags {
    /// rel=nofollow, or the page's meta robots says nofollow.
    pub nofollow: bool,
    /// rel=ugc.
    pub ugc: bool,
    /// rel=sponsored.
    pub sponsored: bool,
    /// The link wraps an image.
    pub image: bool,
    /// The 3xx code of a redirect link, else 0.
    pub redirect: u16,
}

impl LinkFlags {
    /// Whether no rel value withholds the link's vote (nofollow, ugc, sponsored).
    pub fn votes(&self) -> bool {
        !(self.nofollow || self.ugc || self.sponsored)
    }
}

/// One link as seen on one visit of its page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkSeen {
    /// Target, in normal form.
    pub url_to: NormalUrl,
    /// Kind.
    pub link_type: LinkType,
    /// Anchor text (whitespace collapsed).
    pub anchor: Box<str>,
    /// rel values, image, redirect code.
    pub flags: LinkFlags,
    /// Text just before and after the anchor, and the `alt` of an image link.
    pub texts: LinkTexts,
}

impl LinkSeen {
    /// A plain followed `href` link with an anchor (handy in tests and generators).
    pub fn href(url_to: NormalUrl, anchor: &str) -> LinkSeen {
        LinkSeen {
            url_to,
            link_type: LinkType::Href,
            anchor: anchor.into(),
            flags: LinkFlags::default(),
            texts: LinkTexts::default(),
        }
    }

    /// Whether this link passes authority (not nofollow/ugc/sponsored, and a voting type).
    pub fn is_followed(&self) -> bool {
        self.flags.votes() && self.link_type.passes_authority()
    }
}

/// One HTTP response of a crawl, with the links found in it: [`LinkSeen`]s as built in
/// memory, or [`BatchLink`](crate::batch::BatchLink)s as a staged batch holds them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageVisit<L = LinkSeen> {
    /// The page, in normal form.
    pub url: NormalUrl,
    /// When it was fetched, in seconds since the epoch (UTC).
    pub visited: i64,
    /// HTTP status.
    pub http_code: u16,
    /// Redirect target of a 3xx, resolved.
    pub redirect_to: Option<NormalUrl>,
    /// Server IP address, or empty.
    pub ip: String,
    /// Page title.
    pub title: String,
    /// Charset (e.g. `utf8`, `iso-8859-1`).
    pub encoding: String,
    /// ISO 639-1 language, or empty.
    pub language: String,
    /// `Content-Type` media type.
    pub content_type: String,
    /// `Content-Encoding` of the transfer (gzip, br, …) or empty.
    pub content_encoding: String,
    /// Body size in bytes.
    pub page_size: u64,
    /// `<link rel=canonical>` target.
    pub canonical: Option<NormalUrl>,
    /// Count of links to the same registrable domain.
    pub links_internal: u32,
    /// Count of links to other registrable domains.
    pub links_external: u32,
    /// Words of visible text (0 for non-HTML pages).
    pub words: u64,
    /// Headings, meta description, social tags, image alts, generator.
    pub on_page: OnPage,
    /// Links found on the page (empty for non-HTML and error pages).
    pub links: Vec<L>,
    /// The response is byte-identical to an earlier capture (a WARC `revisit` record):
    /// the page's links are all still there, and its details are unchanged.
    pub unchanged: bool,
}

impl PageVisit {
    /// A visit with no body details (status only); fill in what a test needs.
    pub fn new(url: NormalUrl, visited: i64, http_code: u16) -> PageVisit {
        PageVisit {
            url,
            visited,
            http_code,
            redirect_to: None,
            ip: String::new(),
            title: String::new(),
            encoding: String::new(),
            language: String::new(),
            content_type: String::new(),
            content_encoding: String::new(),
            page_size: 0,
            canonical: None,
            links_internal: 0,
            links_external: 0,
            words: 0,
            on_page: OnPage::default(),
            links: Vec::new(),
            unchanged: false,
        }
    }
}

impl<L> PageVisit<L> {
    /// The same visit with its links converted by `f`.
    pub fn map_links<M>(self, f: impl FnOnce(Vec<L>) -> Vec<M>) -> PageVisit<M> {
        PageVisit {
            url: self.url,
            visited: self.visited,
            http_code: self.http_code,
            redirect_to: self.redirect_to,
            ip: self.ip,
            title: self.title,
            encoding: self.encoding,
            language: self.language,
            content_type: self.content_type,
            content_encoding: self.content_encoding,
            page_size: self.page_size,
            canonical: self.canonical,
            links_internal: self.links_internal,
            links_external: self.links_external,
            words: self.words,
            on_page: self.on_page,
            links: f(self.links),
            unchanged: self.unchanged,
        }
    }
}
