//! Name resolution with the safety rule: addresses that are not on the public internet
//! (private, loopback, link-local, multicast, …) are refused after DNS, unless the
//! crawl allows them. The resolver is reqwest's for every connection, so the rule holds
//! for seeds, discovered links and every redirect hop alike. URLs whose host is an IP
//! literal never reach a resolver; the crawler checks those with [`is_forbidden`].
//!
//! `--resolve HOST:PORT:ADDR` overrides (as in curl) are served here too, so that tests
//! can put many virtual hosts on 127.0.0.1. reqwest hands a resolver only the host
//! name, so an override applies to its host on any port (the URL's port is used).

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use thiserror::Error;

/// A host whose every address is refused.
#[derive(Debug, Error)]
#[error("{host} resolves only to refused addresses ({addrs}); --allow-private permits them")]
pub struct BlockedAddress {
    /// The host name.
    pub host: String,
    /// Its addresses, comma-separated.
    pub addrs: String,
}

/// A host that resolves to no address at all.
#[derive(Debug, Error)]
#[error("{0} has no address")]
pub struct NoAddress(pub String);

/// One `--resolve HOST:PORT:ADDR` entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolveOverride {
    /// Host name (lower case).
    pub host: String,
    /// Port, as written (informational: see the module note).
    pub port: u16,
    /// The address to connect to.
    pub addr: IpAddr,
}

impl ResolveOverride {
    /// Parses `HOST:PORT:ADDR`; an IPv6 `ADDR` may be written in brackets.
    pub fn parse(s: &str) -> Result<ResolveOverride, String> {
        let mut parts = s.splitn(3, ':');
        let (Some(host), Some(port), Some(addr)) = (parts.next(), parts.next(), parts.next())
        else {
            return Err(format!("{s:?}: expected HOST:PORT:ADDR"));
        };
        let port = port
            .parse::<u16>()
            .map_err(|_| format!("{s:?}: {port:?} is not a port"))?;
        let addr = addr.trim_start_matches('[').trim_end_matches(']');
        let addr = addr
            .parse::<IpAddr>()
            .map_err(|_| format!("{s:?}: {addr:?} is not an IP address"))?;
        if host.is_empty() {
            return Err(format!("{s:?}: empty host"));
        }
        Ok(ResolveOverride {
            host: host.to_ascii_lowercase(),
            port,
            addr,
        })
    }
}

/// True for addresses a crawl must not connect to without `--allow-private`: private
/// (RFC 1918, unique local), loopback, link-local, multicast, unspecified, broadcast,
/// shared (100.64/10), documentation and benchmarking ranges; IPv4-mapped IPv6
/// addresses are judged as their IPv4 address.
pub fn is_forbidden(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let o = v4.octets();
            v4.is_private()
                || v4.is_loopback()
                || v4.is_link_local()
                || v4.is_multicast()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_documentation()
                || o[0] == 0
                || (o[0] == 100 && (o[1] & 0xc0) == 64)
                || (o[0] == 198 && (o[1] & 0xfe) == 18)
                || o[0] >= 240
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_forbidden(IpAddr::V4(v4));
            }
            let s = v6.segments();
            v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (s[0] & 0xfe00) == 0xfc00
                || (s[0] & 0xffc0) == 0xfe80
                || (s[0] == 0x2001 && s[1] == 0x0db8)
        }
    }
}

/// reqwest's resolver: overrides first, then the system resolver; refused addresses
/// are removed, and a host left with none fails with [`BlockedAddress`].
#[derive(Debug, Clone)]
pub struct GuardedResolver {
    overrides: Arc<HashMap<String, Vec<IpAddr>>>,
    allow_private: bool,
}

impl GuardedResolver {
    /// A resolver with `overrides`; `allow_private` lifts the address rule.
    pub fn new(overrides: &[ResolveOverride], allow_private: bool) -> GuardedResolver {
        let mut map: HashMap<String, Vec<IpAddr>> = HashMap::new();
        for o in overrides {
            map.entry(o.host.clone()).or_default().push(o.addr);
        }
        GuardedResolver {
            overrides: Arc::new(map),
            allow_private,
        }
    }
}

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let host = name.as_str().to_ascii_lowercase();
        let overrides = Arc::clone(&self.overrides);
        let allow_private = self.allow_private;
        Box::pin(async move {
            let found: Vec<IpAddr> = match overrides.get(&host) {
                Some(addrs) => addrs.clone(),
                None => tokio::net::lookup_host((host.as_str(), 0))
                    .await?
                    .map(|a| a.ip())
                    .collect(),
            };
            if found.is_empty() {
                return Err(Box::new(NoAddress(host)) as Box<dyn std::error::Error + Send + Sync>);
            }
            let allowed: Vec<SocketAddr> = found
                .iter()
                .filter(|ip| allow_private || !is_forbidden(**ip))
                .map(|ip| SocketAddr::new(*ip, 0))
                .collect();
            if allowed.is_empty() {
                let addrs = found
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(",");
                return Err(Box::new(BlockedAddress { host, addrs }) as Box<_>);
            }
            let addrs: Addrs = Box::new(allowed.into_iter());
            Ok(addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use std::str::FromStr;

    use super::*;

    #[test]
    fn forbidden_ranges() {
        for bad in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "224.0.0.1",
            "0.0.0.0",
            "100.64.0.1",
            "::1",
            "fe80::1",
            "fd00::1",
            "ff02::1",
            "::ffff:127.0.0.1",
        ] {
            assert!(is_forbidden(IpAddr::from_str(bad).unwrap()), "{bad}");
        }
        for good in ["93.184.216.34", "1.1.1.1", "2606:4700::1111"] {
            assert!(!is_forbidden(IpAddr::from_str(good).unwrap()), "{good}");
        }
    }

    #[test]
    fn override_syntax() {
        let o = ResolveOverride::parse("A.test:8080:127.0.0.1").unwrap();
        assert_eq!((o.host.as_str(), o.port), ("a.test", 8080));
        assert_eq!(
            ResolveOverride::parse("b:80:[::1]").unwrap().addr,
            IpAddr::from_str("::1").unwrap()
        );
        assert!(ResolveOverride::parse("b:80").is_err());
        assert!(ResolveOverride::parse("b:x:127.0.0.1").is_err());
        assert!(ResolveOverride::parse("b:80:nope").is_err());
    }

    #[tokio::test]
    async fn loopback_override_is_refused_unless_allowed() {
        let o = [ResolveOverride::parse("a.test:80:127.0.0.1").unwrap()];
        let name = Name::from_str("a.test").unwrap();
        let refused = GuardedResolver::new(&o, false).resolve(name).await;
        let err = refused.err().unwrap();
        assert!(err.downcast_ref::<BlockedAddress>().is_some(), "{err}");
        let name = Name::from_str("a.test").unwrap();
        let ok: Vec<_> = GuardedResolver::new(&o, true)
            .resolve(name)
            .await
            .unwrap()
            .collect();
        assert_eq!(ok, [SocketAddr::from(([127, 0, 0, 1], 0))]);
    }
}
