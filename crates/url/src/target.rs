//! API targets and the four modes as ranges of SURT keys.
//!
//! A target arrives as a host (`example.com`), a host and path (`example.com/blog/`), or
//! a URL with or without scheme. It is normalised exactly like a stored URL, so a
//! percent-encoded and a raw spelling find the same rows. The scheme is ignored and a
//! leading `www.` is the same host as the bare domain (spec/DECISIONS.md §2).
//!
//! | mode | keys covered (target `www.example.com/blog/`) |
//! |---|---|
//! | `exact` | `com,example)/blog/` only |
//! | `prefix` | keys starting with `com,example)/blog/` |
//! | `domain` | keys starting with `com,example)` or `com,example:` (any port) |
//! | `subdomains` | as `domain`, plus keys starting with `com,example,` |
//!
//! A target that names a port (`example.com:8080`) limits `domain` to that host on that
//! port; `subdomains` then covers that host on that port plus every subdomain (any port).
//! Without a port, `domain` and `subdomains` cover the host on every port.

use serde::Serialize;

use crate::surt::{host_key, is_ip, strip_www};
use crate::{NormalUrl, UrlError};

/// How a target is widened into a set of URLs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// Exactly this URL (scheme and `www.` aside).
    Exact,
    /// Every URL on this host, no subdomains.
    Domain,
    /// This host and every subdomain of it.
    Subdomains,
    /// Every URL whose key starts with the target's key.
    Prefix,
}

impl Mode {
    /// All modes, in the order the documentation lists them.
    pub const ALL: [Mode; 4] = [Mode::Exact, Mode::Domain, Mode::Subdomains, Mode::Prefix];

    /// Parses the `mode` parameter; values are case-sensitive, as in v2.
    pub fn parse(s: &str) -> Option<Mode> {
        match s {
            "exact" => Some(Mode::Exact),
            "domain" => Some(Mode::Domain),
            "subdomains" => Some(Mode::Subdomains),
            "prefix" => Some(Mode::Prefix),
            _ => None,
        }
    }

    /// The parameter spelling of this mode.
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Exact => "exact",
            Mode::Domain => "domain",
            Mode::Subdomains => "subdomains",
            Mode::Prefix => "prefix",
        }
    }
}

/// A contiguous range of SURT keys.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(tag = "kind", content = "key", rename_all = "lowercase")]
pub enum KeyRange {
    /// Exactly one key.
    Exact(String),
    /// Every key starting with this prefix.
    Prefix(String),
}

impl KeyRange {
    /// Whether `key` lies in the range.
    pub fn contains(&self, key: &str) -> bool {
        match self {
            KeyRange::Exact(k) => key == k,
            KeyRange::Prefix(p) => key.starts_with(p.as_str()),
        }
    }

    /// The smallest key in the range (inclusive lower bound).
    pub fn lower(&self) -> &str {
        match self {
            KeyRange::Exact(k) | KeyRange::Prefix(k) => k,
        }
    }

    /// The smallest string above every key of the range (exclusive upper bound), for
    /// storage layers that scan `lower <= key < upper`. Keys are ASCII, so the
    /// successor of a prefix is the prefix with its last byte incremented.
    pub fn upper_exclusive(&self) -> String {
        match self {
            KeyRange::Exact(k) => {
                let mut s = k.clone();
                s.push('\0');
                s
            }
            KeyRange::Prefix(p) => {
                let mut bytes = p.as_bytes().to_vec();
                while let Some(last) = bytes.pop() {
                    if last < 0x7F {
                        bytes.push(last + 1);
                        // Every byte is ASCII, so this is valid UTF-8.
                        return String::from_utf8(bytes).unwrap_or_default();
                    }
                }
                // Only reached for an all-DEL prefix; U+0080 sorts above every ASCII key.
                "\u{80}".to_owned()
            }
        }
    }
}

/// A parsed, normalised API target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    url: NormalUrl,
    host: String,
    host_key: String,
    key: String,
}

impl Target {
    /// Parses a target as the API receives it (after form decoding).
    pub fn parse(raw: &str) -> Result<Target, UrlError> {
        let raw = raw.trim();
        if raw.is_empty() {
            return Err(UrlError::Invalid("empty target".into()));
        }
        let url = if raw.contains("://") {
            NormalUrl::parse(raw)?
        } else if raw.starts_with("//") {
            NormalUrl::parse(&format!("http:{raw}"))?
        } else {
            NormalUrl::parse(&format!("http://{raw}"))?
        };
        let host = strip_www(url.host()).to_owned();
        let host_key = host_key(url.host());
        let key = url.surt_key();
        Ok(Target {
            url,
            host,
            host_key,
            key,
        })
    }

    /// The target as a normalised URL (`http://` when it had no scheme).
    pub fn url(&self) -> &NormalUrl {
        &self.url
    }

    /// The target host without a leading `www.`.
    pub fn host(&self) -> &str {
        &self.host
    }

    /// The target's full SURT key (what `exact` matches).
    pub fn key(&self) -> &str {
        &self.key
    }

    /// The key ranges a mode covers, in ascending key order.
    pub fn key_ranges(&self, mode: Mode) -> Vec<KeyRange> {
        let hk = &self.host_key;
        let host_ranges = |with_subdomains: bool| -> Vec<KeyRange> {
            if let Some(port) = self.url.port() {
                let mut v = vec![KeyRange::Prefix(format!("{hk}:{port})"))];
                if with_subdomains && !is_ip(self.url.host()) {
                    v.push(KeyRange::Prefix(format!("{hk},")));
                }
                return v;
            }
            let mut v = vec![KeyRange::Prefix(format!("{hk})"))];
            if with_subdomains && !is_ip(self.url.host()) {
                v.push(KeyRange::Prefix(format!("{hk},")));
            }
            v.push(KeyRange::Prefix(format!("{hk}:")));
            v
        };
        match mode {
            Mode::Exact => vec![KeyRange::Exact(self.key.clone())],
            Mode::Prefix => vec![KeyRange::Prefix(self.key.clone())],
            Mode::Domain => host_ranges(false),
            Mode::Subdomains => host_ranges(true),
        }
    }

    /// Whether a stored URL falls under this target in `mode` (via its SURT key).
    pub fn matches(&self, mode: Mode, url: &NormalUrl) -> bool {
        let key = url.surt_key();
        self.key_ranges(mode).iter().any(|r| r.contains(&key))
    }

    /// Whether a host (not a URL) falls under this target in `mode`; `exact` and `prefix`
    /// compare hosts like `domain` does. Used by tables keyed by domain.
    pub fn matches_host(&self, mode: Mode, host: &str) -> bool {
        let host = strip_www(host);
        match mode {
            Mode::Subdomains => {
                host == self.host
                    || (!is_ip(host)
                        && host.len() > self.host.len()
                        && host.ends_with(self.host.as_str())
                        && host.as_bytes()[host.len() - self.host.len() - 1] == b'.')
            }
            _ => host == self.host,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ranges(t: &str, m: Mode) -> Vec<String> {
        Target::parse(t)
            .unwrap()
            .key_ranges(m)
            .iter()
            .map(|r| match r {
                KeyRange::Exact(k) => format!("={k}"),
                KeyRange::Prefix(k) => format!("{k}*"),
            })
            .collect()
    }

    #[test]
    fn documented_examples() {
        // The v2 documentation's table for `ahrefs.com/api/` and `apiv2.ahrefs.com`.
        assert_eq!(
            ranges("ahrefs.com/api/", Mode::Exact),
            ["=com,ahrefs)/api/"]
        );
        assert_eq!(
            ranges("apiv2.ahrefs.com", Mode::Exact),
            ["=com,ahrefs,apiv2)/"]
        );
        assert_eq!(
            ranges("ahrefs.com/api/", Mode::Domain),
            ["com,ahrefs)*", "com,ahrefs:*"]
        );
        assert_eq!(
            ranges("ahrefs.com/api/", Mode::Subdomains),
            ["com,ahrefs)*", "com,ahrefs,*", "com,ahrefs:*"]
        );
        assert_eq!(
            ranges("ahrefs.com/api/", Mode::Prefix),
            ["com,ahrefs)/api/*"]
        );
        assert_eq!(
            ranges("apiv2.ahrefs.com", Mode::Prefix),
            ["com,ahrefs,apiv2)/*"]
        );
    }

    #[test]
    fn scheme_and_www_are_ignored() {
        for t in [
            "example.com/a",
            "http://example.com/a",
            "https://www.example.com/a",
            "//www.example.com/a",
        ] {
            assert_eq!(ranges(t, Mode::Exact), ["=com,example)/a"], "{t}");
        }
    }

    #[test]
    fn encoded_and_raw_targets_are_the_same() {
        let a = Target::parse("example.com/caf%C3%A9?q=%7e").unwrap();
        let b = Target::parse("example.com/café?q=~").unwrap();
        assert_eq!(a.key(), b.key());
    }

    #[test]
    fn ports_narrow_host_modes() {
        assert_eq!(
            ranges("example.com:8080", Mode::Domain),
            ["com,example:8080)*"]
        );
        assert_eq!(
            ranges("example.com:8080", Mode::Subdomains),
            ["com,example:8080)*", "com,example,*"]
        );
    }

    #[test]
    fn bad_targets_are_errors() {
        for t in [
            "",
            "   ",
            "http://",
            "ftp://example.com",
            "exa mple.com",
            "http://[::1",
        ] {
            assert!(Target::parse(t).is_err(), "{t:?}");
        }
    }

    #[test]
    fn upper_bounds() {
        assert_eq!(
            KeyRange::Prefix("com,a)".into()).upper_exclusive(),
            "com,a*"
        );
        assert_eq!(KeyRange::Exact("k".into()).upper_exclusive(), "k\0");
    }

    #[test]
    fn host_matching() {
        let t = Target::parse("www.example.com/x").unwrap();
        assert!(t.matches_host(Mode::Domain, "example.com"));
        assert!(t.matches_host(Mode::Domain, "www.example.com"));
        assert!(!t.matches_host(Mode::Domain, "a.example.com"));
        assert!(t.matches_host(Mode::Subdomains, "a.example.com"));
        assert!(!t.matches_host(Mode::Subdomains, "aexample.com"));
    }
}
