//! Link targets into normal form, with a fast path for the common shapes.
//!
//! [`Resolver`] resolves the hrefs of one page against its base URL and says
//! whether each target is internal. Most hrefs on real pages are plain absolute
//! `http(s)` URLs or plain paths (`/a/b?c=d`): of the 1,171 pages in
//! `shared/data/html-*`, 85 % of the `<a href>`s. For those, the normal form is the
//! href itself (or the page's origin and directory plus the href) without its
//! fragment, so it is written directly instead of parsing a `url::Url`, fixing it
//! up and copying it out. Anything that WHATWG parsing or [`NormalUrl`] would
//! change (upper case or IDNA hosts, ports, user info, IP addresses, dot segments,
//! percent-escapes, bytes that get escaped, a `<base href>`) takes the normal path,
//! [`NormalUrl::resolve`]. The tests below check the fast path against it.

use hrefdex_url::{NormalUrl, registrable_domain};
use url::Url;

/// Resolves the links of one page.
pub(crate) struct Resolver<'a> {
    base: &'a Url,
    /// The page, when it is also the base: relative hrefs may take the fast path.
    page: Option<&'a NormalUrl>,
    from_host: &'a str,
    from_domain: &'a str,
}

impl<'a> Resolver<'a> {
    /// Links of `page`, resolved against `base`; `base_is_page` when the page has
    /// no (usable) `<base href>`, so that `base` is `page` itself.
    pub(crate) fn new(page: &'a NormalUrl, base: &'a Url, base_is_page: bool) -> Self {
        Self {
            base,
            page: base_is_page.then_some(page),
            from_host: page.host(),
            from_domain: registrable_domain(page.host()),
        }
    }

    /// The normal form of `href` and whether it points into the page's registrable
    /// domain; `None` when it does not resolve to an http(s) URL in normal form.
    pub(crate) fn resolve(&self, href: &str) -> Option<(String, bool)> {
        if let Some(fast) = self.fast(href) {
            return Some(fast);
        }
        let to = NormalUrl::resolve(self.base, href).ok()?;
        let internal = self.is_internal(to.host());
        Some((to.as_str().to_owned(), internal))
    }

    /// Same registrable domain as the page (as [`hrefdex_url::is_internal`]).
    pub(crate) fn is_internal(&self, host: &str) -> bool {
        host == self.from_host || registrable_domain(host) == self.from_domain
    }

    /// The fast path: `None` when `href` is not of a shape it handles.
    fn fast(&self, href: &str) -> Option<(String, bool)> {
        // Every byte up to the fragment is checked below (host, path, query): no
        // spaces or controls (trimmed or dropped by the parser), nothing that gets
        // percent-encoded. The fragment is dropped whatever it holds.
        let bytes = href.as_bytes();
        let &first = bytes.first()?;
        if let Some(rest) = href.strip_prefix("http://") {
            return self.absolute("http", rest);
        }
        if let Some(rest) = href.strip_prefix("https://") {
            return self.absolute("https", rest);
        }
        if let Some(rest) = href.strip_prefix("//") {
            return self.absolute(self.base.scheme(), rest);
        }
        let page = self.page?;
        let text = page.as_str();
        let origin = &text[..text.len() - page.path_and_query().len()];
        match first {
            // The fragment goes, and the page's normal form has none.
            b'#' => Some((text.to_owned(), true)),
            b'/' => {
                let (path, query) = path_and_query(href)?;
                finish(&[origin, path], query).map(|u| (u, true))
            }
            b'?' => None,
            _ => {
                // A colon in the first segment may end a scheme (`mailto:`, `tel:`).
                if bytes[..part_end(bytes)].contains(&b':') {
                    return None;
                }
                let (path, query) = path_and_query(href)?;
                let page_path = page.path_and_query();
                let page_path = page_path.as_bytes();
                let page_path =
                    &page_path[..memchr::memchr(b'?', page_path).unwrap_or(page_path.len())];
                let dir_len = memchr::memrchr(b'/', page_path).map_or(0, |s| s + 1);
                // A prefix ending in `/` (or empty), so a char boundary.
                let dir = &page.path_and_query()[..dir_len];
                finish(&[origin, dir, path], query).map(|u| (u, true))
            }
        }
    }

    /// `scheme://rest` where `rest` starts with the host.
    fn absolute(&self, scheme: &str, rest: &str) -> Option<(String, bool)> {
        if !matches!(scheme, "http" | "https") {
            return None;
        }
        let end = part_end(rest.as_bytes());
        // `end` is the end of `rest` or at an ASCII byte, so a char boundary.
        let host = &rest[..end];
        if !plain_host(host) {
            return None;
        }
        let (path, query) = path_and_query(&rest[end..])?;
        let path = if path.is_empty() { "/" } else { path };
        let url = finish(&[scheme, "://", host, path], query)?;
        Some((url, self.is_internal(host)))
    }
}

/// Joins the parts and `?query` (when not empty), within [`NormalUrl::MAX_LEN`]
/// (longer ones take the normal path, which refuses them).
fn finish(parts: &[&str], query: &str) -> Option<String> {
    let len = parts.iter().map(|p| p.len()).sum::<usize>() + 1 + query.len();
    if len > NormalUrl::MAX_LEN {
        return None;
    }
    let mut url = String::with_capacity(len);
    for p in parts {
        url.push_str(p);
    }
    if !query.is_empty() {
        url.push('?');
        url.push_str(query);
    }
    Some(url)
}

/// Length of the first part of an href or an authority: up to the first `/`, `?`
/// or `#`.
fn part_end(bytes: &[u8]) -> usize {
    bytes
        .iter()
        .position(|b| matches!(b, b'/' | b'?' | b'#'))
        .unwrap_or(bytes.len())
}

/// A host that WHATWG parsing and [`NormalUrl`] keep exactly as written: lower-case
/// ASCII labels of letters, digits and hyphens, no empty label, nothing that looks
/// like punycode (`xn--`, it would be checked), and a last label that cannot be
/// read as an IPv4 number.
fn plain_host(host: &str) -> bool {
    let bytes = host.as_bytes();
    let mut label_start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        match b {
            b'a'..=b'z' | b'0'..=b'9' => {}
            b'-' => {
                if i >= 3 && &bytes[i - 3..=i] == b"xn--" {
                    return false;
                }
            }
            b'.' => {
                // No empty label: not first, not after another dot.
                if i == label_start {
                    return false;
                }
                label_start = i + 1;
            }
            _ => return false,
        }
    }
    // Not empty, no trailing dot, and the last label starts with a letter or '-'.
    bytes.get(label_start).is_some_and(|b| !b.is_ascii_digit())
}

/// Bytes that parsing keeps as written in a path (no escaping, no `\` → `/`,
/// no `%`); in a query, `?` too.
const PATH_BYTES: [bool; 256] = {
    let mut t = [false; 256];
    let mut i = 0;
    while i < 256 {
        let b = i as u8;
        t[i] = b.is_ascii_alphanumeric()
            || matches!(
                b,
                b'-' | b'.'
                    | b'_'
                    | b'~'
                    | b'!'
                    | b'$'
                    | b'&'
                    | b'('
                    | b')'
                    | b'*'
                    | b'+'
                    | b','
                    | b';'
                    | b'='
                    | b':'
                    | b'@'
                    | b'/'
            );
        i += 1;
    }
    t
};

/// Path and query of `s` (fragment dropped) when both are kept as written: only
/// [`PATH_BYTES`] (and `?` in the query), and no `.` or `..` segment.
fn path_and_query(s: &str) -> Option<(&str, &str)> {
    let bytes = s.as_bytes();
    let mut query_at = None;
    let mut end = bytes.len();
    for (i, &b) in bytes.iter().enumerate() {
        if b == b'#' {
            end = i;
            break;
        }
        if b == b'?' {
            query_at.get_or_insert(i);
        } else if !PATH_BYTES[usize::from(b)] {
            return None;
        }
    }
    let (path, query) = match query_at {
        Some(q) => (&s[..q], &s[q + 1..end]),
        None => (&s[..end], ""),
    };
    // Dot segments are rare: look closer only when a segment starts with a dot.
    let maybe_dots = path.starts_with('.') || path.as_bytes().windows(2).any(|w| w == b"/.");
    if maybe_dots && path.split('/').any(|seg| seg == "." || seg == "..") {
        return None;
    }
    Some((path, query))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What the normal path gives.
    fn slow(page: &NormalUrl, base: &Url, href: &str) -> Option<(String, bool)> {
        let to = NormalUrl::resolve(base, href).ok()?;
        let internal = hrefdex_url::is_internal(page.host(), to.host());
        Some((to.as_str().to_owned(), internal))
    }

    const PAGES: &[&str] = &[
        "https://www.example.com/dir/page.html?q=1",
        "http://example.co.uk/",
        "http://sub.blogspot.com/a/b/",
        "https://[::1]:8443/x",
        "http://10.0.0.1/a%2Fb/c",
        "http://xn--bcher-kva.example/%C3%BC/x",
    ];

    /// Pieces of hrefs, chosen to hit every rule of the fast path and its edges.
    const PIECES: &[&str] = &[
        "http://",
        "https://",
        "HTTP://",
        "//",
        "/",
        "?",
        "#",
        ".",
        "..",
        "./",
        "../",
        "a",
        "b.html",
        "example.com",
        "www.example.com",
        "Example.com",
        "1.2.3.4",
        "a.123",
        "a.0x1f",
        "xn--bcher-kva",
        "-",
        "_",
        "~",
        ":",
        ":80",
        ":443",
        "@",
        "u:p@",
        "%41",
        "%2e",
        "%7e",
        "%zz",
        "'",
        "\"",
        "<",
        ">",
        "`",
        "{",
        "}",
        "|",
        "^",
        "\\",
        "[",
        "]",
        " ",
        "\t",
        "\n",
        "=",
        "&",
        ";",
        ",",
        "+",
        "*",
        "!",
        "$",
        "(",
        "ü",
        "mailto:",
        "javascript:",
        "x:y",
        "a/b",
        "/c",
        "?x=1",
        "#frag",
        "",
        "sub.",
        "..x",
        "blogspot.com",
        "co.uk",
        "\x01",
        "\u{3000}",
        "#a b",
        "/.x",
        "/x/.",
        "x/..",
    ];

    struct Rng(u64);
    impl Rng {
        fn below(&mut self, n: usize) -> usize {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            (self.0 % n as u64) as usize
        }
    }

    #[test]
    fn fast_path_agrees_with_normal_url() {
        let mut rng = Rng(0x1234_5678_9abc_def1);
        let mut fast_hits = 0;
        for page in PAGES {
            let page = NormalUrl::parse(page).expect("page");
            let base = page.to_url();
            let r = Resolver::new(&page, &base, true);
            for _ in 0..40_000 {
                let n = 1 + rng.below(6);
                let href: String = (0..n).map(|_| PIECES[rng.below(PIECES.len())]).collect();
                if r.fast(&href).is_some() {
                    fast_hits += 1;
                }
                assert_eq!(
                    r.resolve(&href),
                    slow(&page, &base, &href),
                    "{page} + {href:?}"
                );
            }
        }
        assert!(fast_hits > 10_000, "{fast_hits}");
    }

    #[test]
    fn common_shapes_take_the_fast_path() {
        let page = NormalUrl::parse("https://www.example.com/dir/page.html?q=1").expect("page");
        let base = page.to_url();
        let r = Resolver::new(&page, &base, true);
        for (href, want) in [
            ("https://other.org", "https://other.org/"),
            (
                "http://shop.example.com/a?b=c#d",
                "http://shop.example.com/a?b=c",
            ),
            ("//cdn.example.net/x.js", "https://cdn.example.net/x.js"),
            ("/about?", "https://www.example.com/about"),
            ("next.html", "https://www.example.com/dir/next.html"),
            ("#top", "https://www.example.com/dir/page.html?q=1"),
        ] {
            let got = r.fast(href).map(|(u, _)| u);
            assert_eq!(got.as_deref(), Some(want), "{href}");
        }
        // With a `<base href>`, relative hrefs take the normal path.
        let other = Url::parse("https://base.example.org/x/").expect("base");
        let r = Resolver::new(&page, &other, false);
        assert!(r.fast("next.html").is_none());
        assert_eq!(
            r.resolve("next.html").map(|(u, _)| u).as_deref(),
            Some("https://base.example.org/x/next.html")
        );
    }
}
