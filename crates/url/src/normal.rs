//! The stored normal form of a URL.

use std::borrow::Cow;
use std::fmt;

use url::{Host, Position, Url};

use crate::UrlError;
use crate::surt;

/// An absolute `http`/`https` URL in hrefdex's one normal form.
///
/// Two spellings of the same resource (`HTTP://Example.COM:80/a%7e#x` and
/// `http://example.com/a~`) give the same `NormalUrl`. The rules, in order:
/// WHATWG parsing (lower-case scheme and host, IDNA to punycode, dot segments
/// resolved, default port removed, non-ASCII percent-encoded), then: user info and
/// fragment dropped, a trailing dot on the host dropped, an empty `?` dropped, and
/// percent-escapes normalised (hex in upper case, unreserved bytes decoded).
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NormalUrl {
    text: String,
    host_start: u32,
    host_end: u32,
    path_start: u32,
    port: Option<u16>,
}

impl NormalUrl {
    /// Longest URL we store; longer links are dropped by the extractor (they are
    /// nearly always session garbage, and they would bloat every key).
    pub const MAX_LEN: usize = 4096;

    /// Parses an absolute URL into normal form.
    pub fn parse(input: &str) -> Result<Self, UrlError> {
        let url = Url::parse(input.trim()).map_err(|e| UrlError::Invalid(e.to_string()))?;
        Self::from_url(url)
    }

    /// Resolves `href` against `base` (as a browser would) and normalises the result.
    pub fn resolve(base: &Url, href: &str) -> Result<Self, UrlError> {
        let url = base
            .join(href.trim())
            .map_err(|e| UrlError::Invalid(e.to_string()))?;
        Self::from_url(url)
    }

    /// Normalises an already parsed URL.
    pub fn from_url(mut url: Url) -> Result<Self, UrlError> {
        match url.scheme() {
            "http" | "https" => {}
            other => return Err(UrlError::UnsupportedScheme(other.to_owned())),
        }
        url.set_fragment(None);
        // Both setters only fail for URLs that cannot have credentials, which http(s) can.
        let _ = url.set_username("");
        let _ = url.set_password(None);
        let trimmed_host = match url.host() {
            Some(Host::Domain(d)) if d.ends_with('.') => Some(d.trim_end_matches('.').to_owned()),
            Some(_) => None,
            None => return Err(UrlError::Invalid("URL has no host".into())),
        };
        if let Some(host) = trimmed_host {
            if host.is_empty() {
                return Err(UrlError::Invalid("URL has an empty host".into()));
            }
            url.set_host(Some(&host))
                .map_err(|e| UrlError::Invalid(e.to_string()))?;
        }
        if let Cow::Owned(path) = normalize_escapes(url.path()) {
            url.set_path(&path);
        }
        match url.query() {
            Some("") => url.set_query(None),
            Some(q) => {
                if let Cow::Owned(query) = normalize_escapes(q) {
                    url.set_query(Some(&query));
                }
            }
            None => {}
        }
        let host_start = url[..Position::BeforeHost].len();
        let host_end = url[..Position::AfterHost].len();
        let path_start = url[..Position::BeforePath].len();
        let port = url.port();
        let text: String = url.into();
        if text.len() > Self::MAX_LEN {
            return Err(UrlError::TooLong { max: Self::MAX_LEN });
        }
        // MAX_LEN keeps every offset far below u32::MAX.
        Ok(Self {
            host_start: host_start as u32,
            host_end: host_end as u32,
            path_start: path_start as u32,
            port,
            text,
        })
    }

    /// The normal form as text.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// `http` or `https`.
    pub fn scheme(&self) -> &str {
        &self.text[..self.text.find(':').unwrap_or(0)]
    }

    /// The host: lower-case, punycode, an IPv4 address, or a bracketed IPv6 address.
    pub fn host(&self) -> &str {
        &self.text[self.host_start as usize..self.host_end as usize]
    }

    /// The explicit port, if it is not the scheme's default.
    pub fn port(&self) -> Option<u16> {
        self.port
    }

    /// Path and query (`/a/b?c=d`), always starting with `/`.
    pub fn path_and_query(&self) -> &str {
        &self.text[self.path_start as usize..]
    }

    /// The SURT sort key of this URL (see [`crate::surt`]).
    pub fn surt_key(&self) -> String {
        surt::url_key(self.host(), self.port, self.path_and_query())
    }

    /// Parses the normal form back into a [`Url`] (for resolving relative links).
    pub fn to_url(&self) -> Url {
        // The text came out of `Url` unchanged, so it parses again.
        Url::parse(&self.text).unwrap_or_else(|_| unreachable!("normal form always reparses"))
    }
}

impl fmt::Display for NormalUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl fmt::Debug for NormalUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "NormalUrl({:?})", self.text)
    }
}

impl serde::Serialize for NormalUrl {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.text)
    }
}

/// Upper-cases percent-escapes and decodes those of unreserved bytes (RFC 3986 §6.2.2).
fn normalize_escapes(s: &str) -> Cow<'_, str> {
    let bytes = s.as_bytes();
    if !bytes.contains(&b'%') {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    let mut changed = false;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b == b'%'
            && i + 2 < bytes.len()
            && let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2]))
        {
            let v = h << 4 | l;
            if is_unreserved(v) {
                out.push(v as char);
                changed = true;
            } else {
                let (hi, lo) = (
                    bytes[i + 1].to_ascii_uppercase(),
                    bytes[i + 2].to_ascii_uppercase(),
                );
                changed |= hi != bytes[i + 1] || lo != bytes[i + 2];
                out.push('%');
                out.push(hi as char);
                out.push(lo as char);
            }
            i += 3;
            continue;
        }
        // Copy one whole UTF-8 sequence (paths from `Url` are ASCII, but be safe).
        let len = utf8_len(b);
        out.push_str(&s[i..(i + len).min(s.len())]);
        i += len;
    }
    if changed {
        Cow::Owned(out)
    } else {
        Cow::Borrowed(s)
    }
}

fn hex(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

fn is_unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~')
}

fn utf8_len(first: u8) -> usize {
    match first {
        0x00..=0x7F => 1,
        0xC0..=0xDF => 2,
        0xE0..=0xEF => 3,
        _ => 4,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(s: &str) -> String {
        NormalUrl::parse(s)
            .map(|u| u.as_str().to_owned())
            .unwrap_or_else(|e| format!("ERR {e}"))
    }

    #[test]
    fn lower_cases_scheme_and_host_and_drops_default_port() {
        assert_eq!(n("HTTP://Example.COM:80/A"), "http://example.com/A");
        assert_eq!(n("https://example.com:443"), "https://example.com/");
        assert_eq!(
            n("https://example.com:8443/x"),
            "https://example.com:8443/x"
        );
    }

    #[test]
    fn drops_fragment_userinfo_empty_query_and_trailing_dot() {
        assert_eq!(n("http://u:p@example.com./a?#frag"), "http://example.com/a");
        assert_eq!(
            n("http://example.com/a?b=1#frag"),
            "http://example.com/a?b=1"
        );
    }

    #[test]
    fn idna_hosts_become_punycode() {
        assert_eq!(n("http://bücher.example/"), "http://xn--bcher-kva.example/");
        assert_eq!(n("http://BÜCHER.example/"), "http://xn--bcher-kva.example/");
    }

    #[test]
    fn percent_escapes_are_normalised() {
        assert_eq!(n("http://e.com/%7euser/%41"), "http://e.com/~user/A");
        assert_eq!(
            n("http://e.com/a%2fb?q=%3d%3D"),
            "http://e.com/a%2Fb?q=%3D%3D"
        );
        assert_eq!(n("http://e.com/ü ü"), "http://e.com/%C3%BC%20%C3%BC");
        assert_eq!(n("http://e.com/%C3%BC"), "http://e.com/%C3%BC");
        assert_eq!(n("http://e.com/100%"), "http://e.com/100%");
        assert_eq!(n("http://e.com/%zz%4"), "http://e.com/%zz%4");
    }

    #[test]
    fn dot_segments_and_empty_path() {
        assert_eq!(n("http://e.com"), "http://e.com/");
        assert_eq!(n("http://e.com/a/./b/../c"), "http://e.com/a/c");
    }

    #[test]
    fn rejects_other_schemes_and_garbage() {
        assert!(n("mailto:a@b.c").starts_with("ERR unsupported scheme"));
        assert!(n("javascript:void(0)").starts_with("ERR unsupported scheme"));
        assert!(n("ftp://e.com/").starts_with("ERR unsupported scheme"));
        assert!(n("not a url").starts_with("ERR"));
        assert!(n("http://").starts_with("ERR"));
        assert!(n("http://./").starts_with("ERR"));
        let long = format!("http://e.com/{}", "a".repeat(NormalUrl::MAX_LEN));
        assert!(n(&long).starts_with("ERR URL longer"));
    }

    #[test]
    fn parts_are_sliced_correctly() {
        let u = NormalUrl::parse("https://a.b.example.com:8080/p/q?x=1").unwrap();
        assert_eq!(u.scheme(), "https");
        assert_eq!(u.host(), "a.b.example.com");
        assert_eq!(u.port(), Some(8080));
        assert_eq!(u.path_and_query(), "/p/q?x=1");
        let v = NormalUrl::parse("http://[::1]/").unwrap();
        assert_eq!(v.host(), "[::1]");
    }

    #[test]
    fn resolves_relative_links() {
        let base = Url::parse("http://e.com/a/b.html").unwrap();
        assert_eq!(
            NormalUrl::resolve(&base, "../c#x").unwrap().as_str(),
            "http://e.com/c"
        );
        assert_eq!(
            NormalUrl::resolve(&base, "//other.org").unwrap().as_str(),
            "http://other.org/"
        );
        assert_eq!(
            NormalUrl::resolve(&base, " d ").unwrap().as_str(),
            "http://e.com/a/d"
        );
    }
}
