//! The fixture web of the crawler tests: three hosts that exercise every rule.
//!
//! ```text
//! a.test   robots.txt: Disallow /private/, Crawl-delay 0.2, Sitemap /sitemap.xml
//!   /            → /p1 /private/secret /r1 /loop1 /missing /error /file.pdf /data.json
//!                  /big /p1?PHPSESSID=… b.test/ slow.test/
//!   /p1          → b.test/gone /p2            /p2 → /
//!   /r1 301→ /r2 302→ /r3 301→ /p2            /loop1 302→ /loop2 302→ /loop1
//!   /missing 404  /error 500  /file.pdf  /data.json
//!   /big         3 MiB page whose only link (/after-big) is past the body limit
//!   /gz          a gzip-encoded page (Content-Encoding: gzip) → /from-gz
//!   /sitemap.xml → /from-sitemap
//! b.test   no robots.txt (404)
//!   /            → a.test/ /gone /timeout /retry /cal/<year>/1
//!   /gone 404    /timeout (answers after 3 s)   /retry (503 Retry-After: 1, then 200)
//!   /cal/Y/M     → the next month: an endless calendar
//! slow.test      every page answers after 300 ms; / → /s1 → /s2
//! ```

use std::time::Duration;

use super::{Reply, Site};

/// The pages no crawl may fetch (robots.txt disallows them, or nothing can reach them).
pub const NEVER_FETCHED: [&str; 2] = ["a.test/private/secret", "a.test/after-big"];

/// The hosts of the fixture web.
pub const HOSTS: [&str; 3] = ["a.test", "b.test", "slow.test"];

/// Size of the oversized page.
pub const BIG_PAGE_BYTES: usize = 3 * 1024 * 1024;

/// The fixture web; `year` is where the calendar starts.
#[derive(Debug, Clone, Copy)]
pub struct FixtureWeb {
    /// First year of the calendar trap.
    pub year: i32,
}

fn page(title: &str, links: &[String]) -> Reply {
    let mut body = format!("<!doctype html><html><head><title>{title}</title></head><body>");
    for l in links {
        body.push_str(&format!("<p><a href=\"{l}\">link to {l}</a></p>\n"));
    }
    body.push_str("</body></html>");
    Reply::html(body)
}

impl FixtureWeb {
    fn a(&self, port: u16, pq: &str) -> Reply {
        let b = format!("http://b.test:{port}");
        let s = format!("http://slow.test:{port}");
        let l = |p: &str| p.to_owned();
        match pq {
            "/robots.txt" => Reply::typed(
                200,
                "text/plain",
                format!(
                    "User-agent: *\nDisallow: /private/\nCrawl-delay: 0.2\n\nSitemap: http://a.test:{port}/sitemap.xml\n"
                )
                .into_bytes(),
            ),
            "/" => page(
                "a home",
                &[
                    l("/p1"),
                    l("/private/secret"),
                    l("/r1"),
                    l("/loop1"),
                    l("/missing"),
                    l("/error"),
                    l("/file.pdf"),
                    l("/data.json"),
                    l("/big"),
                    l("/gz"),
                    l("/p1?PHPSESSID=0123456789abcdef"),
                    format!("{b}/"),
                    format!("{s}/"),
                ],
            ),
            "/p1" => page("a p1", &[format!("{b}/gone"), l("/p2")]),
            "/p2" => page("a p2", &[l("/")]),
            "/from-sitemap" => page("a from sitemap", &[]),
            "/from-gz" => page("a from gz", &[]),
            "/gz" => gzipped(page("a gzip", &[l("/from-gz")])),
            "/private/secret" => page("secret", &[]),
            "/after-big" => page("after big", &[]),
            "/r1" => Reply::redirect(301, "/r2"),
            "/r2" => Reply::redirect(302, "/r3"),
            "/r3" => Reply::redirect(301, "/p2"),
            "/loop1" => Reply::redirect(302, "/loop2"),
            "/loop2" => Reply::redirect(302, "/loop1"),
            "/error" => Reply::typed(500, "text/html", b"<html>oops</html>".to_vec()),
            "/file.pdf" => Reply::typed(200, "application/pdf", b"%PDF-1.4\n%fake\n".to_vec()),
            "/data.json" => Reply::typed(200, "application/json", b"{\"a\":1}".to_vec()),
            "/sitemap.xml" => Reply::typed(
                200,
                "application/xml",
                format!(
                    "<?xml version=\"1.0\"?><urlset><url><loc>http://a.test:{port}/from-sitemap</loc></url></urlset>"
                )
                .into_bytes(),
            ),
            "/big" => {
                let mut body = String::with_capacity(BIG_PAGE_BYTES + 100);
                body.push_str("<html><body><p>");
                while body.len() < BIG_PAGE_BYTES {
                    body.push_str("filler text of an oversized page ");
                }
                body.push_str("</p><a href=\"/after-big\">after</a></body></html>");
                Reply::html(body)
            }
            _ => Reply::not_found(),
        }
    }

    fn b(&self, port: u16, pq: &str, hits: u32) -> Reply {
        match pq {
            "/" => page(
                "b home",
                &[
                    format!("http://a.test:{port}/"),
                    "/gone".to_owned(),
                    "/timeout".to_owned(),
                    "/retry".to_owned(),
                    format!("/cal/{}/1", self.year),
                ],
            ),
            "/timeout" => page("late", &[]).after(Duration::from_secs(3)),
            "/retry" if hits == 0 => {
                let mut r = Reply::typed(503, "text/html", b"busy".to_vec());
                r.headers.push(("Retry-After".to_owned(), "1".to_owned()));
                r
            }
            "/retry" => page("retry ok", &[]),
            _ => match calendar_month(pq) {
                Some((y, m)) => {
                    let (ny, nm) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
                    page(&format!("{y}-{m}"), &[format!("/cal/{ny}/{nm}")])
                }
                None => Reply::not_found(),
            },
        }
    }

    fn slow(&self, pq: &str) -> Reply {
        let delay = Duration::from_millis(300);
        match pq {
            "/" => page("slow home", &["/s1".to_owned()]).after(delay),
            "/s1" => page("slow 1", &["/s2".to_owned()]).after(delay),
            "/s2" => page("slow 2", &[]).after(delay),
            _ => Reply::not_found().after(delay),
        }
    }
}

/// `reply` with its body gzip-encoded (`Content-Encoding: gzip`).
fn gzipped(mut reply: Reply) -> Reply {
    use std::io::Write;
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    let encoded = gz.write_all(&reply.body).and_then(|()| gz.finish());
    if let Ok(bytes) = encoded {
        reply.body = bytes.into();
        reply
            .headers
            .push(("Content-Encoding".to_owned(), "gzip".to_owned()));
    }
    reply
}

fn calendar_month(pq: &str) -> Option<(i32, u32)> {
    let rest = pq.strip_prefix("/cal/")?;
    let (y, m) = rest.split_once('/')?;
    Some((y.parse().ok()?, m.parse().ok()?))
}

impl Site for FixtureWeb {
    fn reply(&self, host: &str, port: u16, pq: &str, hits: u32) -> Reply {
        match host {
            "a.test" => self.a(port, pq),
            "b.test" => self.b(port, pq, hits),
            "slow.test" => self.slow(pq),
            _ => Reply::not_found(),
        }
    }
}
