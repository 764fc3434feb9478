//! Written records read back by the project's reader, `hrefdex-extract`.
#![allow(clippy::unwrap_used)] // test code: a panic is the failure report

use chrono::{TimeZone, Utc};
use hrefdex_extract::{
    CollectSink, LinkType, RecordReader, RecordType, extract_files, extract_reader,
};
use hrefdex_warc::{RotatingWarcWriter, WarcWriter, WriterOptions, sha1_base32};

const PAGE: &str = r#"<!doctype html><html lang="en-GB"><head><title>Garden tools</title></head>
<body><p>Read the <a href="/guide">spade guide</a> or
<a href="https://shop.example.org/x" rel="nofollow sponsored">buy one</a>.
<a href="http://img.example.net/"><img src="s.png" alt="Spade picture"></a></p></body></html>"#;

/// Every record of a file's bytes, in order.
fn read_records(bytes: &[u8]) -> Vec<hrefdex_extract::Record> {
    RecordReader::new(bytes)
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

fn write_sample(options: WriterOptions) -> Vec<u8> {
    let mut w = WarcWriter::new(Vec::new(), options);
    let d = Utc.with_ymd_and_hms(2024, 3, 1, 10, 30, 5).unwrap();
    w.write_warcinfo(d, "t.warc.gz", &[("software", "hrefdex-warc test")])
        .unwrap();
    let len = PAGE.len().to_string();
    let resp = w
        .write_response(
            "http://www.example.com/tools",
            d,
            Some("192.0.2.7"),
            200,
            &[
                ("Content-Type", "text/html; charset=utf-8"),
                ("Content-Length", &len),
            ],
            PAGE.as_bytes(),
        )
        .unwrap();
    w.write_request(
        "http://www.example.com/tools",
        d,
        "GET",
        &[("User-Agent", "t")],
        Some(&resp.id),
    )
    .unwrap();
    w.write_response(
        "http://example.com/old",
        d,
        None,
        301,
        &[("Location", "/new"), ("Content-Length", "0")],
        b"",
    )
    .unwrap();
    w.write_response(
        "http://example.com/gone",
        d,
        None,
        410,
        &[("Content-Length", "0")],
        b"",
    )
    .unwrap();
    let d2 = Utc.with_ymd_and_hms(2024, 3, 8, 1, 2, 3).unwrap();
    w.write_revisit(
        d2,
        Some("192.0.2.7"),
        200,
        &[("Content-Type", "text/html")],
        &resp,
    )
    .unwrap();
    w.into_inner().unwrap()
}

#[test]
fn pages_and_links_come_back_exactly() {
    for gzip in [true, false] {
        let bytes = write_sample(WriterOptions {
            gzip,
            ..WriterOptions::seeded(3)
        });
        let sink = CollectSink::new();
        let stats = extract_reader("t", &bytes[..], &sink).unwrap();
        assert_eq!(stats.total_skipped(), 0, "{stats:?}");
        let pages = sink.into_pages();
        assert_eq!(pages.len(), 4);
        let p = &pages[0];
        assert_eq!(p.url, "http://www.example.com/tools");
        assert_eq!(
            (p.http_code, p.visited.as_str()),
            (200, "2024-03-01T10:30:05Z")
        );
        assert_eq!(
            (p.title.as_str(), p.language.as_str()),
            ("Garden tools", "en")
        );
        assert_eq!(p.ip.as_deref(), Some("192.0.2.7"));
        assert_eq!(p.page_size, PAGE.len() as u64);
        let links: Vec<(&str, &str, bool, bool, bool, &str)> = p
            .links
            .iter()
            .map(|l| {
                (
                    l.url_to.as_str(),
                    l.anchor.as_str(),
                    l.nofollow,
                    l.sponsored,
                    l.image,
                    l.alt.as_str(),
                )
            })
            .collect();
        assert_eq!(
            links,
            vec![
                (
                    "http://www.example.com/guide",
                    "spade guide",
                    false,
                    false,
                    false,
                    ""
                ),
                (
                    "https://shop.example.org/x",
                    "buy one",
                    true,
                    true,
                    false,
                    ""
                ),
                (
                    "http://img.example.net/",
                    "",
                    false,
                    false,
                    true,
                    "Spade picture"
                ),
            ]
        );
        let r = &pages[1];
        assert_eq!(
            (r.http_code, r.redirect_to.as_deref()),
            (301, Some("http://example.com/new"))
        );
        assert_eq!(r.links.len(), 1);
        assert_eq!(r.links[0].link_type, LinkType::Redirect);
        assert_eq!(pages[2].http_code, 410);
        assert!(pages[3].revisit && pages[3].http_code == 200);
        assert_eq!(pages[3].url, "http://www.example.com/tools");
    }
}

#[test]
fn headers_digests_and_offsets_are_right() {
    let bytes = write_sample(WriterOptions::seeded(3));
    assert_eq!(
        bytes,
        write_sample(WriterOptions::seeded(3)),
        "seeded output is byte-identical"
    );
    assert_ne!(bytes, write_sample(WriterOptions::seeded(4)));
    let records = read_records(&bytes);
    let kinds: Vec<&RecordType> = records.iter().map(|r| &r.kind).collect();
    assert_eq!(
        kinds,
        [
            &RecordType::Warcinfo,
            &RecordType::Response,
            &RecordType::Request,
            &RecordType::Response,
            &RecordType::Response,
            &RecordType::Revisit
        ]
    );
    for r in &records {
        assert_eq!(
            r.header("WARC-Block-Digest").unwrap(),
            sha1_base32(&r.block)
        );
        assert_eq!(r.content_length, r.block.len() as u64);
        assert!(
            r.header("WARC-Record-ID")
                .unwrap()
                .starts_with("<urn:uuid:")
        );
    }
    let resp = &records[1];
    assert_eq!(
        resp.header("Content-Type"),
        Some("application/http; msgtype=response")
    );
    assert_eq!(
        resp.header("WARC-Payload-Digest").unwrap(),
        sha1_base32(PAGE.as_bytes())
    );
    assert_eq!(
        records[2].header("WARC-Concurrent-To"),
        resp.header("WARC-Record-ID")
    );
    assert_eq!(
        records[5].header("WARC-Refers-To"),
        resp.header("WARC-Record-ID")
    );
    assert_eq!(
        records[5].header("WARC-Payload-Digest"),
        resp.header("WARC-Payload-Digest")
    );
    // Every record is its own gzip member, starting at its reported offset.
    assert!(records.windows(2).all(|w| w[0].offset < w[1].offset));
    for r in &records {
        assert_eq!(
            &bytes[r.offset as usize..r.offset as usize + 2],
            &[0x1f, 0x8b]
        );
    }
}

#[test]
fn bad_fields_are_refused() {
    let mut w = WarcWriter::new(Vec::new(), WriterOptions::seeded(1));
    let d = Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap();
    let err = w
        .write_response("http://a/", d, None, 200, &[("X", "a\r\nB: c")], b"")
        .unwrap_err();
    assert!(err.to_string().contains("\"X\""), "{err}");
    assert!(
        w.write_response("http://a/\n", d, None, 200, &[], b"")
            .is_err()
    );
    assert_eq!(w.bytes_written(), 0, "nothing half-written");
}

#[test]
fn rotation_splits_files_and_each_reads_alone() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let mut rot = RotatingWarcWriter::new(
        dir,
        "crawl",
        2_000,
        WriterOptions::seeded(9),
        &[("software", "t")],
    );
    let d = Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap();
    for i in 0..40 {
        let body = format!("<html><title>p{i}</title><a href=\"/n{i}\">next {i}</a></html>");
        rot.writer(d)
            .unwrap()
            .write_response(
                &format!("http://r.example/{i}"),
                d,
                None,
                200,
                &[("Content-Type", "text/html")],
                body.as_bytes(),
            )
            .unwrap();
    }
    let files = rot.finish().unwrap();
    assert!(files.len() > 2, "{files:?}");
    let sink = CollectSink::new();
    let stats = extract_files(&files, 1, &sink).unwrap();
    assert_eq!(
        (stats.pages, stats.links, stats.total_skipped()),
        (40, 40, 0)
    );
}

#[test]
fn metadata_and_truncated_capture_read_back_and_files_close() {
    let dir = tempfile::tempdir().unwrap();
    let d = Utc.with_ymd_and_hms(2024, 3, 1, 10, 30, 5).unwrap();
    let mut rot = RotatingWarcWriter::new(dir.path(), "t", 1 << 20, WriterOptions::seeded(3), &[]);
    let w = rot.writer(d).unwrap();
    let id = w.new_record_id();
    let capture = hrefdex_warc::HttpCapture {
        uri: "http://example.com/big",
        date: d,
        ip: Some("192.0.2.1"),
        status: 200,
        headers: &[("Content-Type", "text/html")],
        body: b"<a href=/x>x</a>",
    };
    w.write_capture(&id, &capture, &[("WARC-Truncated", "length")])
        .unwrap();
    w.write_metadata(
        "http://example.com/big",
        d,
        Some(&id),
        &[("via", "http://example.com/")],
    )
    .unwrap();
    rot.sync().unwrap();
    let closed = rot.close_current().unwrap().unwrap();
    assert_eq!(rot.close_current().unwrap(), None);
    let bytes = std::fs::read(&closed).unwrap();
    let records = read_records(&bytes);
    let kinds: Vec<&RecordType> = records.iter().map(|r| &r.kind).collect();
    assert_eq!(
        kinds,
        [
            &RecordType::Warcinfo,
            &RecordType::Response,
            &RecordType::Metadata
        ]
    );
    assert_eq!(records[1].header("WARC-Truncated"), Some("length"));
    assert_eq!(records[2].header("WARC-Concurrent-To"), Some(id.as_str()));
    assert!(String::from_utf8_lossy(&records[2].block).contains("via: http://example.com/"));
    let sink = CollectSink::new();
    extract_files(&[closed], 1, &sink).unwrap();
    let pages = sink.into_pages();
    assert_eq!(pages.len(), 1);
    assert_eq!(pages[0].links.len(), 1);
}
