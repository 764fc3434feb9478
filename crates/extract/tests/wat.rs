//! WAT input: Common Crawl's JSON metadata layout gives the same links as the
//! WARC it was made from. No real WAT with a `Links` array could be obtained, so
//! the WAT files here are written from real WARC responses in Common Crawl's
//! layout (Envelope → Payload-Metadata → HTTP-Response-Metadata → HTML-Metadata →
//! Head/Links), plus one record written by hand as ia-web-commons writes it.

mod common;

use std::io::Write;

use common::{data_dir, extract};
use flate2::Compression;
use flate2::write::GzEncoder;
use hrefdex_extract::wat::wat_json_for_response;
use hrefdex_extract::{
    CollectSink, LinkType, PageObservation, RecordReader, RecordType, extract_files,
};

fn wat_record(uri: &str, json: &str) -> Vec<u8> {
    let rec = format!(
        "WARC/1.0\r\nWARC-Type: metadata\r\nWARC-Target-URI: {uri}\r\nWARC-Date: 2020-08-08T18:31:12Z\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{json}\r\n\r\n",
        json.len()
    );
    let mut gz = GzEncoder::new(Vec::new(), Compression::fast());
    gz.write_all(rec.as_bytes()).expect("gzip to memory");
    gz.finish().expect("gzip to memory")
}

type LinkKey = (LinkType, String, String, String, bool, bool, bool, bool);

fn link_keys(p: &PageObservation) -> Vec<LinkKey> {
    let mut v: Vec<LinkKey> = p
        .links
        .iter()
        .map(|l| {
            (
                l.link_type,
                l.url_to.clone(),
                l.anchor.clone(),
                l.alt.clone(),
                l.image,
                l.nofollow,
                l.ugc,
                l.sponsored,
            )
        })
        .collect();
    v.sort();
    v
}

#[test]
fn wat_made_from_real_warcs_gives_the_same_links() {
    let Some(root) = data_dir() else { return };
    let sources = [
        "warc-resiliparse-tests/warcfile.warc.gz",
        "warc-ia-web-commons-tests/link-extraction-test.warc",
        "warc-node-warc-tests/books.toscrape.warc",
        "warc-pywb-sample-archive/warcs/iana.warc.gz",
    ];
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("wat-roundtrip");
    std::fs::create_dir_all(&dir).expect("tmp dir");
    let mut total_links = 0;
    for src in sources {
        let mut wat = Vec::new();
        let file = std::fs::File::open(root.join(src)).expect("open");
        for rec in RecordReader::new(file).expect("reader").flatten() {
            if rec.kind != RecordType::Response {
                continue;
            }
            let Some(json) = wat_json_for_response(&rec) else {
                continue;
            };
            wat.extend(wat_record(
                rec.target_uri().unwrap_or(""),
                &json.to_string(),
            ));
        }
        let wat_path = dir.join(format!("{}.wat.gz", src.replace('/', "_")));
        std::fs::write(&wat_path, &wat).expect("write wat");
        let sink = CollectSink::new();
        let stats = extract_files(&[&wat_path], 1, &sink).expect("sink");
        assert_eq!(
            stats.total_skipped(),
            0,
            "{src}: {:?}",
            stats.skipped_records
        );
        let from_wat = sink.into_pages();
        let Some((_, from_warc)) = extract(src) else {
            return;
        };
        let from_warc: Vec<_> = from_warc.into_iter().filter(|p| !p.revisit).collect();
        assert_eq!(from_wat.len(), from_warc.len(), "{src}");
        for (w, h) in from_wat.iter().zip(&from_warc) {
            assert_eq!(w.url, h.url);
            assert_eq!(
                (w.http_code, &w.title, &w.canonical, &w.language),
                (h.http_code, &h.title, &h.canonical, &h.language),
                "{}",
                h.url
            );
            assert_eq!(
                (w.links_internal, w.links_external),
                (h.links_internal, h.links_external),
                "{}",
                h.url
            );
            assert_eq!(
                (&w.redirect_to, w.redirect_code),
                (&h.redirect_to, h.redirect_code),
                "{}",
                h.url
            );
            assert_eq!(link_keys(w), link_keys(h), "{}", h.url);
            total_links += w.links.len();
        }
    }
    assert_eq!(total_links, 1407 + 21 + 94 + 5200);
}

/// One record as ia-web-commons writes it: `IMG@/src` before the `A@/href` that
/// holds it, head links under `Head.Link`, the refresh under `Head.Metas`.
const HAND_WRITTEN: &str = r#"{"Container":{"Filename":"x.warc.gz","Offset":"0"},
"Envelope":{"Format":"WARC","WARC-Header-Length":"300",
 "WARC-Header-Metadata":{"WARC-Type":"response","WARC-Target-URI":"https://www.example.org/dir/page.html",
  "WARC-Date":"2024-05-18T01:58:10Z","WARC-IP-Address":"93.184.216.34"},
 "Payload-Metadata":{"Actual-Content-Type":"application/http; msgtype=response",
  "HTTP-Response-Metadata":{
   "Response-Message":{"Version":"HTTP/1.1","Status":"200","Reason":"OK"},
   "Headers":{"Content-Type":"text/html; charset=UTF-8","Content-Language":"de-DE"},
   "Entity-Length":"1234",
   "HTML-Metadata":{
    "Head":{"Title":" A  page ","Base":"https://cdn.example.org/base/",
     "Metas":[{"name":"robots","content":"index,nofollow"},{"http-equiv":"refresh","content":"3; URL=/moved"}],
     "Link":[{"path":"LINK@/href","url":"/canon","rel":"canonical"},
             {"path":"LINK@/href","url":"feed.atom","rel":"alternate","type":"application/atom+xml"},
             {"path":"LINK@/href","url":"style.css","rel":"stylesheet"}]},
    "Links":[{"path":"A@/href","url":"rel/a.html","text":"Relative  link"},
             {"path":"IMG@/src","url":"logo.png","alt":"Logo"},
             {"path":"A@/href","url":"https://other.example.com/","rel":"sponsored"},
             {"path":"A@/href","url":"mailto:x@example.org","text":"mail"},
             {"path":"FORM@/action","url":"/search"},
             {"path":"IFRAME@/src","url":"https://video.example.net/embed"},
             {"path":"SCRIPT@/src","url":"app.js"}]}}}}}"#;

#[test]
fn hand_written_wat_record_in_common_crawl_layout() {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("wat-hand");
    std::fs::create_dir_all(&dir).expect("tmp dir");
    let path = dir.join("hand.warc.wat.gz");
    let compact: String = HAND_WRITTEN.lines().collect();
    std::fs::write(
        &path,
        wat_record("https://www.example.org/dir/page.html", &compact),
    )
    .expect("write");
    let sink = CollectSink::new();
    let stats = extract_files(&[&path], 1, &sink).expect("sink");
    assert_eq!(stats.total_skipped(), 0, "{:?}", stats.skipped_records);
    let pages = sink.into_pages();
    assert_eq!(pages.len(), 1);
    let p = &pages[0];
    assert_eq!(
        (p.url.as_str(), p.http_code, p.visited.as_str()),
        (
            "https://www.example.org/dir/page.html",
            200,
            "2024-05-18T01:58:10Z"
        )
    );
    assert_eq!(
        (
            p.ip.as_deref(),
            p.page_size,
            p.language.as_str(),
            p.encoding.as_str()
        ),
        (Some("93.184.216.34"), 1234, "de", "utf8")
    );
    assert_eq!((p.title.as_str(), p.meta_nofollow), ("A page", true));
    assert_eq!(
        p.canonical.as_deref(),
        Some("https://cdn.example.org/canon")
    );
    let got: Vec<(LinkType, &str, &str, &str, bool)> = p
        .links
        .iter()
        .map(|l| {
            (
                l.link_type,
                l.url_to.as_str(),
                l.anchor.as_str(),
                l.alt.as_str(),
                l.sponsored,
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            (
                LinkType::Redirect,
                "https://cdn.example.org/moved",
                "",
                "",
                false
            ),
            (
                LinkType::Canonical,
                "https://cdn.example.org/canon",
                "",
                "",
                false
            ),
            (
                LinkType::Rss,
                "https://cdn.example.org/base/feed.atom",
                "",
                "",
                false
            ),
            (
                LinkType::Href,
                "https://cdn.example.org/base/rel/a.html",
                "Relative link",
                "",
                false
            ),
            (
                LinkType::Href,
                "https://other.example.com/",
                "",
                "Logo",
                true
            ),
            (
                LinkType::Form,
                "https://cdn.example.org/search",
                "",
                "",
                false
            ),
            (
                LinkType::Frame,
                "https://video.example.net/embed",
                "",
                "",
                false
            ),
        ]
    );
    assert!(
        p.links.iter().all(|l| l.nofollow),
        "page-level nofollow applies to every link"
    );
    assert_eq!((p.links_internal, p.links_external), (1, 1));
}
