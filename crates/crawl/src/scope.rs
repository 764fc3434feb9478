//! Which discovered URLs a crawl follows: same registrable domain as a seed, same host
//! as a seed, or anything.

use std::collections::HashSet;

use hrefdex_url::{NormalUrl, registrable_domain};

/// How far from the seeds a crawl may go.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Scope {
    /// URLs whose registrable domain is a seed's (`blog.example.com` for a seed on
    /// `www.example.com`).
    #[default]
    Domains,
    /// URLs on exactly a seed's host.
    Hosts,
    /// Any URL (bounded only by depth, page caps and trap rules).
    Any,
}

impl Scope {
    /// Parses `domains`, `hosts` or `any`.
    pub fn parse(s: &str) -> Option<Scope> {
        match s {
            "domains" => Some(Scope::Domains),
            "hosts" => Some(Scope::Hosts),
            "any" => Some(Scope::Any),
            _ => None,
        }
    }
}

/// The scope resolved against the seeds: answers "may this URL be crawled?".
#[derive(Debug, Clone)]
pub struct ScopeFilter {
    scope: Scope,
    hosts: HashSet<String>,
    domains: HashSet<String>,
}

impl ScopeFilter {
    /// A filter for `scope` around `seeds`.
    pub fn new(scope: Scope, seeds: &[NormalUrl]) -> ScopeFilter {
        let hosts: HashSet<String> = seeds.iter().map(|s| s.host().to_owned()).collect();
        let domains = hosts
            .iter()
            .map(|h| registrable_domain(h).to_owned())
            .collect();
        ScopeFilter {
            scope,
            hosts,
            domains,
        }
    }

    /// Adds a seed (e.g. one restored from the journal).
    pub fn add_seed(&mut self, seed: &NormalUrl) {
        self.hosts.insert(seed.host().to_owned());
        self.domains
            .insert(registrable_domain(seed.host()).to_owned());
    }

    /// True when `url` is inside the scope.
    pub fn allows(&self, url: &NormalUrl) -> bool {
        match self.scope {
            Scope::Any => true,
            Scope::Hosts => self.hosts.contains(url.host()),
            Scope::Domains => self.domains.contains(registrable_domain(url.host())),
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn scopes() {
        let seeds = [NormalUrl::parse("http://www.example.com/").unwrap()];
        let blog = NormalUrl::parse("http://blog.example.com/x").unwrap();
        let other = NormalUrl::parse("http://other.org/").unwrap();
        let d = ScopeFilter::new(Scope::Domains, &seeds);
        assert!(d.allows(&blog) && !d.allows(&other));
        let h = ScopeFilter::new(Scope::Hosts, &seeds);
        assert!(!h.allows(&blog) && h.allows(&seeds[0]));
        assert!(ScopeFilter::new(Scope::Any, &seeds).allows(&other));
    }
}
