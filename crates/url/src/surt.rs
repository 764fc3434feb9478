//! SURT sort keys ("Sort-friendly URI Reordering Transform", the web-archive convention).
//!
//! `https://www.Blog.Example.com:8080/a?b` has the key `com,example,blog:8080)/a?b`:
//! the host's labels reversed and joined by `,`, a leading `www.` dropped, the port after
//! `:` when it is not the default, `)`, then path and query exactly as stored. The scheme
//! is not part of the key (it is kept in its own column), so `http` and `https` sort
//! together. IP addresses are not reversed.
//!
//! Because `)` (0x29) and `,` (0x2C) and `:` (0x3A) sort before every label character,
//! all URLs of one host, and all hosts under one domain, are contiguous in key order.

use std::net::Ipv4Addr;

/// `www.example.com` → `example.com`; a bare `www.com` keeps its name.
pub fn strip_www(host: &str) -> &str {
    match host.strip_prefix("www.") {
        Some(rest) if rest.contains('.') => rest,
        _ => host,
    }
}

/// True for an IPv4 address or a bracketed IPv6 address (as `Url` serialises them).
pub fn is_ip(host: &str) -> bool {
    host.starts_with('[') || host.parse::<Ipv4Addr>().is_ok()
}

/// The host part of a SURT key: `www.a.example.com` → `com,example,a`.
pub fn host_key(host: &str) -> String {
    if is_ip(host) {
        return host.to_owned();
    }
    let host = strip_www(host);
    let mut key = String::with_capacity(host.len());
    for (i, label) in host.rsplit('.').enumerate() {
        if i > 0 {
            key.push(',');
        }
        key.push_str(label);
    }
    key
}

/// The full SURT key of a URL given its normalised parts.
pub fn url_key(host: &str, port: Option<u16>, path_and_query: &str) -> String {
    let mut key = host_key(host);
    if let Some(port) = port {
        key.push(':');
        key.push_str(&port.to_string());
    }
    key.push(')');
    key.push_str(path_and_query);
    key
}

#[cfg(test)]
mod tests {
    use crate::NormalUrl;

    fn key(u: &str) -> String {
        NormalUrl::parse(u).unwrap().surt_key()
    }

    #[test]
    fn keys_follow_the_surt_convention() {
        assert_eq!(key("http://example.com/"), "com,example)/");
        assert_eq!(key("https://www.example.com/a?b=c"), "com,example)/a?b=c");
        assert_eq!(
            key("http://Blog.Example.co.uk:8080/x"),
            "uk,co,example,blog:8080)/x"
        );
        assert_eq!(key("http://www.com/"), "com,www)/");
        assert_eq!(key("http://192.168.0.1/x"), "192.168.0.1)/x");
        assert_eq!(key("http://[2001:db8::1]:81/"), "[2001:db8::1]:81)/");
    }

    #[test]
    fn http_and_https_share_a_key() {
        assert_eq!(
            key("http://example.com/p"),
            key("https://www.example.com/p")
        );
    }

    #[test]
    fn one_host_sorts_contiguously() {
        let mut keys = [
            key("http://example.com/z"),
            key("http://a.example.com/"),
            key("http://example-foo.com/"),
            key("http://example.com/a"),
            key("http://exampl.com/"),
            key("http://example.com.au/"),
        ];
        keys.sort();
        let pos: Vec<usize> = keys
            .iter()
            .enumerate()
            .filter(|(_, k)| k.starts_with("com,example)"))
            .map(|(i, _)| i)
            .collect();
        assert_eq!(pos.len(), 2);
        assert_eq!(pos[1], pos[0] + 1);
    }
}
