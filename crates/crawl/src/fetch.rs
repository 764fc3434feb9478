//! One HTTP GET, as the crawler does it: no automatic redirects (each hop is its own
//! capture), gzip/brotli decoded, HTTP/1.1 or HTTP/2 (ALPN), a time limit, a body
//! limit, and the peer's IP address. Addresses are checked by [`crate::dns`].

use std::net::IpAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use hrefdex_url::NormalUrl;
use reqwest::redirect::Policy;
use thiserror::Error;

use crate::config::CrawlConfig;
use crate::dns::{BlockedAddress, GuardedResolver, NoAddress, is_forbidden};
use crate::error::CrawlError;

/// `Accept` sent with every request.
pub const ACCEPT: &str = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";
/// `Accept-Encoding` sent with every request (reqwest decodes both).
pub const ACCEPT_ENCODING: &str = "gzip, br";

/// A response as it will be archived.
#[derive(Debug, Clone)]
pub struct Fetched {
    /// The URL fetched.
    pub url: NormalUrl,
    /// When the request was sent.
    pub date: DateTime<Utc>,
    /// HTTP status.
    pub status: u16,
    /// Headers, in order. Bodies are stored decoded: `Content-Encoding` and
    /// `Transfer-Encoding` are dropped and `Content-Length` is the stored length.
    pub headers: Vec<(String, String)>,
    /// The body (at most the body limit).
    pub body: Vec<u8>,
    /// The body was cut at the limit.
    pub truncated: bool,
    /// The server's address.
    pub ip: Option<IpAddr>,
    /// Time from request to the last body byte.
    pub elapsed: Duration,
}

impl Fetched {
    /// Headers as string pairs.
    pub fn header_pairs(&self) -> Vec<(&str, &str)> {
        self.headers
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect()
    }

    /// First header named `name` (ASCII case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// True for 3xx answers with a `Location`.
    pub fn is_redirect(&self) -> bool {
        (300..400).contains(&self.status) && self.header("location").is_some()
    }

    /// `Retry-After`: seconds, or an HTTP date (the time left until then, measured
    /// from when the request was sent).
    pub fn retry_after(&self) -> Option<Duration> {
        let v = self.header("retry-after")?.trim();
        if let Ok(secs) = v.parse::<u64>() {
            return Some(Duration::from_secs(secs));
        }
        let at = DateTime::parse_from_rfc2822(v).ok()?.with_timezone(&Utc);
        Some((at - self.date).to_std().unwrap_or(Duration::ZERO))
    }
}

/// Why a fetch produced no response.
#[derive(Debug, Error)]
pub enum FetchError {
    /// The time limit passed.
    #[error("timed out")]
    Timeout,
    /// The host has no address.
    #[error("{0}")]
    Dns(String),
    /// Every address of the host is refused (private, loopback, …).
    #[error("{0}")]
    Blocked(String),
    /// The connection could not be made.
    #[error("connect: {0}")]
    Connect(String),
    /// Anything else (protocol errors, a body cut off by the server, …).
    #[error("{0}")]
    Other(String),
}

impl FetchError {
    /// A short name for counts: `timeout`, `dns`, `blocked`, `connect`, `http`.
    pub fn kind(&self) -> &'static str {
        match self {
            FetchError::Timeout => "timeout",
            FetchError::Dns(_) => "dns",
            FetchError::Blocked(_) => "blocked",
            FetchError::Connect(_) => "connect",
            FetchError::Other(_) => "http",
        }
    }

    fn from_reqwest(e: &reqwest::Error) -> FetchError {
        let mut source: Option<&(dyn std::error::Error + 'static)> = Some(e);
        while let Some(s) = source {
            if let Some(b) = s.downcast_ref::<BlockedAddress>() {
                return FetchError::Blocked(b.to_string());
            }
            if let Some(n) = s.downcast_ref::<NoAddress>() {
                return FetchError::Dns(n.to_string());
            }
            source = s.source();
        }
        let chain = error_chain(e);
        if e.is_timeout() {
            FetchError::Timeout
        } else if e.is_connect() {
            if chain.contains("dns error") || chain.contains("failed to lookup") {
                FetchError::Dns(chain)
            } else {
                FetchError::Connect(chain)
            }
        } else {
            FetchError::Other(chain)
        }
    }
}

fn error_chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        out.push_str(": ");
        out.push_str(&s.to_string());
        source = s.source();
    }
    out
}

/// The HTTP client of a crawl.
#[derive(Debug, Clone)]
pub struct Fetcher {
    client: reqwest::Client,
    user_agent: String,
    max_body_bytes: usize,
    allow_private: bool,
}

impl Fetcher {
    /// A client for `config`: its User-Agent, time limit, body limit, address rule and
    /// resolver overrides.
    pub fn new(config: &CrawlConfig) -> Result<Fetcher, CrawlError> {
        let resolver = GuardedResolver::new(&config.resolve, config.allow_private);
        let client = reqwest::Client::builder()
            .user_agent(config.user_agent.clone())
            .redirect(Policy::none())
            .timeout(config.fetch_timeout)
            .connect_timeout(config.fetch_timeout.min(Duration::from_secs(10)))
            .pool_max_idle_per_host(config.per_host_connections.max(1) as usize)
            .dns_resolver(Arc::new(resolver))
            .build()
            .map_err(CrawlError::Client)?;
        Ok(Fetcher {
            client,
            user_agent: config.user_agent.clone(),
            max_body_bytes: config.max_body_bytes,
            allow_private: config.allow_private,
        })
    }

    /// The request headers sent (as archived in the `request` record).
    pub fn request_headers(&self) -> [(&str, &str); 3] {
        [
            ("User-Agent", self.user_agent.as_str()),
            ("Accept", ACCEPT),
            ("Accept-Encoding", ACCEPT_ENCODING),
        ]
    }

    /// GETs `url`, reading at most the body limit.
    pub async fn get(&self, url: &NormalUrl) -> Result<Fetched, FetchError> {
        if let Ok(ip) = url.host().trim_matches(['[', ']']).parse::<IpAddr>()
            && !self.allow_private
            && is_forbidden(ip)
        {
            return Err(FetchError::Blocked(format!(
                "{ip} is a refused address; --allow-private permits it"
            )));
        }
        let date = Utc::now();
        let started = Instant::now();
        let mut response = self
            .client
            .get(url.as_str())
            .header("Accept", ACCEPT)
            .send()
            .await
            .map_err(|e| FetchError::from_reqwest(&e))?;
        let ip = response.remote_addr().map(|a| a.ip());
        if let Some(ip) = ip
            && !self.allow_private
            && is_forbidden(ip)
        {
            return Err(FetchError::Blocked(format!(
                "connected to refused address {ip}"
            )));
        }
        let status = response.status().as_u16();
        let mut headers: Vec<(String, String)> = response
            .headers()
            .iter()
            .filter(|(k, _)| {
                !matches!(
                    k.as_str(),
                    "transfer-encoding" | "content-encoding" | "content-length"
                )
            })
            .map(|(k, v)| {
                (
                    k.as_str().to_owned(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect();
        let mut body = Vec::new();
        let mut truncated = false;
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|e| FetchError::from_reqwest(&e))?
        {
            let room = self.max_body_bytes.saturating_sub(body.len());
            if chunk.len() > room {
                body.extend_from_slice(&chunk[..room]);
                truncated = true;
                break;
            }
            body.extend_from_slice(&chunk);
        }
        headers.push(("Content-Length".to_owned(), body.len().to_string()));
        Ok(Fetched {
            url: url.clone(),
            date,
            status,
            headers,
            body,
            truncated,
            ip,
            elapsed: started.elapsed(),
        })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use chrono::TimeZone;

    use super::*;

    fn with_header(name: &str, value: &str) -> Fetched {
        Fetched {
            url: NormalUrl::parse("http://a.example/").unwrap(),
            date: Utc.with_ymd_and_hms(2026, 11, 30, 12, 0, 0).unwrap(),
            status: 503,
            headers: vec![(name.to_owned(), value.to_owned())],
            body: Vec::new(),
            truncated: false,
            ip: None,
            elapsed: Duration::ZERO,
        }
    }

    #[test]
    fn retry_after_in_seconds_or_as_a_date() {
        assert_eq!(
            with_header("Retry-After", "120").retry_after(),
            Some(Duration::from_secs(120))
        );
        assert_eq!(
            with_header("retry-after", "Mon, 30 Nov 2026 12:01:30 GMT").retry_after(),
            Some(Duration::from_secs(90))
        );
        assert_eq!(
            with_header("Retry-After", "Mon, 30 Nov 2026 11:00:00 GMT").retry_after(),
            Some(Duration::ZERO)
        );
        assert_eq!(with_header("Retry-After", "soon").retry_after(), None);
        assert!(!with_header("Location", "/x").is_redirect());
    }
}
