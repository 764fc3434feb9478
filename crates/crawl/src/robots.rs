//! robots.txt rules for one host, as RFC 9309 says to apply them. Pure: no I/O; the
//! crawler fetches `/robots.txt` and hands the status and bytes to
//! [`RobotsRules::from_response`].
//!
//! Parsing is done by the `texting_robots` crate (maintained, tested against Google's
//! robots.txt test suite); this module adds the status rules of RFC 9309 §2.3.1:
//!
//! | `/robots.txt` answers | rules |
//! |---|---|
//! | 2xx | the file, for our product token (or `*`) |
//! | 4xx (not found, gone, forbidden) | everything allowed |
//! | 5xx, or no answer at all | everything disallowed (the host is skipped for this run) |
//!
//! Redirects of `/robots.txt` itself are followed by the crawler (up to five hops).

use std::time::Duration;

use texting_robots::Robot;

/// Bytes of a robots.txt file that are parsed (RFC 9309 asks for at least 500 KiB).
pub const MAX_ROBOTS_BYTES: usize = 512 * 1024;

/// Longest `Crawl-delay` obeyed; a larger value is capped (a host that asks for an hour
/// between pages is still crawled, slowly).
pub const MAX_CRAWL_DELAY: Duration = Duration::from_secs(60);

#[derive(Debug)]
enum Rules {
    AllowAll,
    DisallowAll,
    File(Box<Robot>),
}

/// What one host's robots.txt lets us do.
#[derive(Debug)]
pub struct RobotsRules {
    rules: Rules,
}

impl RobotsRules {
    /// Rules that allow everything (no robots.txt).
    pub fn allow_all() -> RobotsRules {
        RobotsRules {
            rules: Rules::AllowAll,
        }
    }

    /// Rules for a host whose robots.txt could not be fetched (network error or 5xx).
    pub fn unreachable() -> RobotsRules {
        RobotsRules {
            rules: Rules::DisallowAll,
        }
    }

    /// The rules from a `/robots.txt` answer with HTTP `status` and `body`, for the
    /// product token `agent` (e.g. `hrefdex`).
    pub fn from_response(agent: &str, status: u16, body: &[u8]) -> RobotsRules {
        let rules = match status {
            200..=299 => {
                let body = &body[..body.len().min(MAX_ROBOTS_BYTES)];
                // texting_robots refuses only input it cannot tokenise at all; such a
                // file says nothing we can obey, so it counts as no file.
                Robot::new(agent, body).map_or(Rules::AllowAll, |r| Rules::File(Box::new(r)))
            }
            400..=499 => Rules::AllowAll,
            _ => Rules::DisallowAll,
        };
        RobotsRules { rules }
    }

    /// True when `url` (absolute, or a path) may be fetched.
    pub fn allows(&self, url: &str) -> bool {
        match &self.rules {
            Rules::AllowAll => true,
            Rules::DisallowAll => false,
            Rules::File(robot) => robot.allowed(url),
        }
    }

    /// The `Crawl-delay` for us, capped at [`MAX_CRAWL_DELAY`].
    pub fn crawl_delay(&self) -> Option<Duration> {
        match &self.rules {
            Rules::File(robot) => robot
                .delay
                .filter(|d| d.is_finite() && *d > 0.0)
                .map(|d| Duration::from_secs_f32(d).min(MAX_CRAWL_DELAY)),
            _ => None,
        }
    }

    /// `Sitemap:` URLs, as written.
    pub fn sitemaps(&self) -> &[String] {
        match &self.rules {
            Rules::File(robot) => &robot.sitemaps,
            _ => &[],
        }
    }
}

/// The robots.txt product token of a User-Agent string: its first word before `/`,
/// lower-cased (`hrefdex` for `hrefdex/0.1 (+https://…)`).
pub fn product_token(user_agent: &str) -> String {
    user_agent
        .split(['/', ' '])
        .next()
        .unwrap_or(user_agent)
        .to_ascii_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &[u8] = b"User-agent: *\nDisallow: /\n\nUser-agent: hrefdex\nDisallow: /private/\nAllow: /private/ok\nCrawl-delay: 1.5\n\nSitemap: http://a.example/sitemap.xml\n";

    #[test]
    fn our_group_wins_over_star() {
        let r = RobotsRules::from_response("hrefdex", 200, FILE);
        assert!(r.allows("http://a.example/"));
        assert!(!r.allows("http://a.example/private/x"));
        assert!(r.allows("http://a.example/private/ok"));
        assert!(r.allows("/robots.txt"));
        assert_eq!(r.crawl_delay(), Some(Duration::from_millis(1500)));
        assert_eq!(r.sitemaps(), ["http://a.example/sitemap.xml"]);
        let other = RobotsRules::from_response("otherbot", 200, FILE);
        assert!(!other.allows("http://a.example/"));
    }

    #[test]
    fn status_rules() {
        assert!(RobotsRules::from_response("hrefdex", 404, b"").allows("/x"));
        assert!(RobotsRules::from_response("hrefdex", 403, b"").allows("/x"));
        assert!(!RobotsRules::from_response("hrefdex", 503, FILE).allows("/x"));
        assert!(!RobotsRules::unreachable().allows("/"));
        assert_eq!(RobotsRules::allow_all().crawl_delay(), None);
    }

    #[test]
    fn delay_is_capped_and_token_is_the_product() {
        let r = RobotsRules::from_response("hrefdex", 200, b"User-agent: *\nCrawl-delay: 86400\n");
        assert_eq!(r.crawl_delay(), Some(MAX_CRAWL_DELAY));
        assert_eq!(product_token("hrefdex/0.1 (+https://x)"), "hrefdex");
        assert_eq!(product_token("Mozilla compatible"), "mozilla");
    }
}
