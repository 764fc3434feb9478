//! Registrable domains ("refdomain", "domain_from") and internal versus external links.
//!
//! The registrable domain is the public suffix plus one label (`news.bbc.co.uk` →
//! `bbc.co.uk`), from the Public Suffix List embedded by the `psl` crate. Hosts that are
//! IP addresses, or that have no label left of a suffix (`localhost`), are their own domain.

use crate::surt::is_ip;

/// The registrable domain of a lower-case host.
pub fn registrable_domain(host: &str) -> &str {
    let host = host.trim_end_matches('.');
    if is_ip(host) {
        return host;
    }
    psl::domain_str(host).unwrap_or(host)
}

/// The public suffix of a host (`bbc.co.uk` → `co.uk`; an IP or single label → itself).
pub fn public_suffix(host: &str) -> &str {
    let host = host.trim_end_matches('.');
    if is_ip(host) {
        return host;
    }
    psl::suffix_str(host).unwrap_or(host)
}

/// The top-level domain as the `tlds` extra table counts it: the last label (`bbc.co.uk` → `uk`).
pub fn tld(host: &str) -> &str {
    let host = host.trim_end_matches('.');
    if is_ip(host) {
        return "";
    }
    host.rsplit('.').next().unwrap_or(host)
}

/// A governmental domain: one label of its public suffix is `gov` or `gouv` (`.gov`, `gov.uk`, `gouv.fr`).
pub fn is_gov(host: &str) -> bool {
    public_suffix(host)
        .split('.')
        .any(|l| l == "gov" || l == "gouv")
}

/// An educational domain: one label of its public suffix is `edu` or `ac` (`.edu`, `edu.au`, `ac.uk`).
pub fn is_edu(host: &str) -> bool {
    public_suffix(host)
        .split('.')
        .any(|l| l == "edu" || l == "ac")
}

/// A link between these hosts is internal when both have the same registrable domain.
pub fn is_internal(from_host: &str, to_host: &str) -> bool {
    registrable_domain(from_host) == registrable_domain(to_host)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registrable_domains_use_the_public_suffix_list() {
        assert_eq!(registrable_domain("www.example.com"), "example.com");
        assert_eq!(registrable_domain("news.bbc.co.uk"), "bbc.co.uk");
        assert_eq!(registrable_domain("foo.blogspot.com"), "foo.blogspot.com");
        assert_eq!(registrable_domain("a.b.c.github.io"), "c.github.io");
        assert_eq!(registrable_domain("localhost"), "localhost");
        assert_eq!(registrable_domain("10.0.0.1"), "10.0.0.1");
        assert_eq!(registrable_domain("xn--bcher-kva.de"), "xn--bcher-kva.de");
    }

    #[test]
    fn internal_means_same_registrable_domain() {
        assert!(is_internal("www.example.com", "shop.example.com"));
        assert!(!is_internal("example.com", "example.org"));
        assert!(!is_internal("a.blogspot.com", "b.blogspot.com"));
    }

    #[test]
    fn tld_gov_edu() {
        assert_eq!(tld("bbc.co.uk"), "uk");
        assert!(is_gov("www.whitehouse.gov"));
        assert!(is_gov("www.gov.uk") || is_gov("hmrc.gov.uk"));
        assert!(is_gov("impots.gouv.fr"));
        assert!(is_edu("mit.edu"));
        assert!(is_edu("ox.ac.uk"));
        assert!(!is_gov("example.com"));
        assert!(!is_edu("education.com"));
    }
}
