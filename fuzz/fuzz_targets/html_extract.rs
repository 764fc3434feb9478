//! Arbitrary bytes as the HTML payload of a WARC response: charset sniffing,
//! lol_html extraction, snippet cleaning and URL resolution must never panic.
#![no_main]

use hrefdex_extract::{Outcome, RecordReader, observe_record};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let http_head = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n";
    let mut rec = format!(
        "WARC/1.0\r\nWARC-Type: response\r\nWARC-Target-URI: http://fuzz.example.com/a/b.html\r\nContent-Length: {}\r\n\r\n",
        http_head.len() + data.len()
    )
    .into_bytes();
    rec.extend_from_slice(http_head);
    rec.extend_from_slice(data);
    let Ok(mut reader) = RecordReader::new(&rec[..]) else { return };
    if let Some(Ok(r)) = reader.next() {
        if let Outcome::Page(p) = observe_record(&r, "fuzz") {
            let o = &p.on_page;
            for field in [&o.h1, &o.h2, &o.description, &o.meta_social, &o.images_alt, &o.powered_by] {
                assert!(field.chars().count() <= hrefdex_extract::limits::PAGE_FIELD_MAX_CHARS);
            }
            for l in &p.links {
                assert!(l.url_to.starts_with("http"));
                assert!(l.anchor.chars().count() <= hrefdex_extract::limits::ANCHOR_MAX_CHARS);
                assert!(l.text_pre.chars().count() <= hrefdex_extract::limits::SNIPPET_MAX_CHARS);
                assert!(l.text_post.chars().count() <= hrefdex_extract::limits::SNIPPET_MAX_CHARS);
            }
        }
    }
});
