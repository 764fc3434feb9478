//! A generated web for the benchmark: `hosts` hosts `h0.bench` … of `pages_per_host`
//! pages each; page `i` links to `links_per_page` pages of its host and one page of the
//! next host, so a crawl from `h0.bench/p/0` reaches every page. No robots.txt.

use super::{Reply, Site};

/// A web of plain linked pages.
#[derive(Debug, Clone, Copy)]
pub struct GeneratedWeb {
    /// Number of hosts.
    pub hosts: u32,
    /// Pages per host.
    pub pages_per_host: u32,
    /// Same-host links per page.
    pub links_per_page: u32,
}

impl GeneratedWeb {
    /// The host names, `h0.bench` … .
    pub fn host_names(&self) -> Vec<String> {
        (0..self.hosts).map(|h| format!("h{h}.bench")).collect()
    }

    /// Pages in the whole web.
    pub fn total_pages(&self) -> u64 {
        u64::from(self.hosts) * u64::from(self.pages_per_host)
    }
}

impl Site for GeneratedWeb {
    fn reply(&self, host: &str, port: u16, pq: &str, _hits: u32) -> Reply {
        let Some(h) = host
            .strip_prefix('h')
            .and_then(|r| r.strip_suffix(".bench"))
            .and_then(|n| n.parse::<u32>().ok())
        else {
            return Reply::not_found();
        };
        let Some(i) = pq.strip_prefix("/p/").and_then(|n| n.parse::<u32>().ok()) else {
            return Reply::not_found();
        };
        let n = self.pages_per_host.max(1);
        let mut body = format!(
            "<!doctype html><html><head><title>h{h} page {i}</title></head><body><h1>Page {i}</h1>"
        );
        for k in 1..=self.links_per_page {
            let to = (u64::from(i) * 7 + u64::from(k) * 13 + u64::from(k == 1)) % u64::from(n);
            let to = if k == 1 { (i + 1) % n } else { to as u32 };
            body.push_str(&format!(
                "<p>Some words about the topic, then <a href=\"/p/{to}\">page {to} of this site</a>.</p>"
            ));
        }
        let next = (h + 1) % self.hosts.max(1);
        body.push_str(&format!(
            "<p>See also <a href=\"http://h{next}.bench:{port}/p/{i}\">a friend</a>.</p></body></html>"
        ));
        Reply::html(body)
    }
}
