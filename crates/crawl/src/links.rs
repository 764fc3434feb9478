//! Which URLs a fetched response leads to. Links are found by exactly the code the
//! index uses (`hrefdex-extract`'s `observe_record` on the response as it will be
//! archived), so the crawler follows what the index will see: `<a>`/`<area>`, frames,
//! meta refresh and the `Location` of a redirect, resolved against `<base>`.
//!
//! Not followed: links marked `nofollow` (by `rel` or `<meta name=robots>`), forms,
//! canonical and alternate links, and anything that is not http(s).
//!
//! Sitemaps (`Sitemap:` lines of robots.txt) are read with [`sitemap_locs`].

use hrefdex_extract::{ArchiveFormat, LinkType, Outcome, Record, RecordType, observe_record};
use hrefdex_url::NormalUrl;
use hrefdex_warc::response_head;

/// Most `<loc>` entries read from one sitemap.
pub const MAX_SITEMAP_LOCS: usize = 50_000;

/// The URLs a response leads to, in page order, normalised, repeats removed.
pub fn followed_links(
    url: &str,
    status: u16,
    headers: &[(&str, &str)],
    body: &[u8],
) -> Vec<NormalUrl> {
    let mut block = response_head(status, headers);
    block.extend_from_slice(body);
    let record = Record {
        format: ArchiveFormat::Warc,
        offset: 0,
        uncompressed_offset: 0,
        kind: RecordType::Response,
        headers: vec![("WARC-Target-URI".to_owned(), url.to_owned())],
        content_length: block.len() as u64,
        block,
        block_clipped: false,
    };
    let Outcome::Page(page) = observe_record(&record, "") else {
        return Vec::new();
    };
    let mut out: Vec<NormalUrl> = Vec::new();
    if let Some(to) = page
        .redirect_to
        .as_deref()
        .and_then(|t| NormalUrl::parse(t).ok())
    {
        out.push(to);
    }
    for link in &page.links {
        let followed = matches!(
            link.link_type,
            LinkType::Href | LinkType::Frame | LinkType::Redirect
        ) && !link.nofollow;
        if followed && let Ok(to) = NormalUrl::parse(&link.url_to) {
            out.push(to);
        }
    }
    let mut seen = std::collections::HashSet::new();
    out.retain(|u| seen.insert(u.as_str().to_owned()));
    out
}

/// The `<loc>` URLs of a sitemap or sitemap index (XML), as written, up to
/// [`MAX_SITEMAP_LOCS`].
pub fn sitemap_locs(body: &[u8]) -> Vec<String> {
    let text = String::from_utf8_lossy(body);
    let mut out = Vec::new();
    let mut rest = text.as_ref();
    while let Some(start) = rest.find("<loc>") {
        rest = &rest[start + "<loc>".len()..];
        let Some(end) = rest.find("</loc>") else {
            break;
        };
        let loc = rest[..end].trim();
        let loc = loc
            .strip_prefix("<![CDATA[")
            .and_then(|l| l.strip_suffix("]]>"))
            .unwrap_or(loc)
            .replace("&amp;", "&");
        out.push(loc);
        if out.len() >= MAX_SITEMAP_LOCS {
            break;
        }
        rest = &rest[end..];
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_links_follow_the_index_rules() {
        let body = br#"<html><head><base href="/dir/"></head><body>
            <a href="a">a</a> <a href="http://other.example/x#frag">x</a>
            <a href="/n" rel="nofollow">n</a> <a href="mailto:x@y">m</a>
            <a href="a">again</a> <iframe src="/f"></iframe>
            <form action="/search"></form></body></html>"#;
        let got: Vec<String> = followed_links(
            "http://a.example/p",
            200,
            &[("Content-Type", "text/html")],
            body,
        )
        .into_iter()
        .map(|u| u.as_str().to_owned())
        .collect();
        assert_eq!(
            got,
            [
                "http://a.example/dir/a",
                "http://other.example/x",
                "http://a.example/f"
            ]
        );
    }

    #[test]
    fn redirects_and_non_html() {
        let got = followed_links("http://a.example/old", 301, &[("Location", "/new")], b"");
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].as_str(), "http://a.example/new");
        let pdf = followed_links(
            "http://a.example/f.pdf",
            200,
            &[("Content-Type", "application/pdf")],
            b"%PDF-1.4 <a href=\"/x\">",
        );
        assert!(pdf.is_empty());
    }

    #[test]
    fn sitemap() {
        let xml = b"<urlset><url><loc> http://a.example/1 </loc></url><url><loc><![CDATA[http://a.example/2?a=1&amp;b=2]]></loc></url><loc>broken";
        assert_eq!(
            sitemap_locs(xml),
            ["http://a.example/1", "http://a.example/2?a=1&b=2"]
        );
    }
}
