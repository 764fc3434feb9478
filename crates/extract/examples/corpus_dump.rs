//! Prints the observations of every file in a fuzz corpus directory, one JSON line
//! per file, for before/after comparisons of the extractor (a change that only
//! makes it faster must print the same bytes):
//!
//! ```text
//! cargo run --release -p hrefdex-extract --example corpus_dump -- html ../../fuzz/corpus/html_extract > a.jsonl
//! cargo run --release -p hrefdex-extract --example corpus_dump -- warc ../../fuzz/corpus/warc_reader > b.jsonl
//! ```
//!
//! `html`: each file is the HTML payload of one WARC response (as in the
//! `html_extract` fuzz target). `warc`: each file is a whole archive.

use std::io::Write;

use hrefdex_extract::{CollectSink, Outcome, RecordReader, extract_reader, observe_record};

/// The HTML payload wrapped in a WARC response record, as the fuzz target does.
fn html_record(data: &[u8]) -> Vec<u8> {
    let http_head = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n";
    let mut rec = format!(
        "WARC/1.0\r\nWARC-Type: response\r\nWARC-Target-URI: http://fuzz.example.com/a/b.html\r\nContent-Length: {}\r\n\r\n",
        http_head.len() + data.len()
    )
    .into_bytes();
    rec.extend_from_slice(http_head);
    rec.extend_from_slice(data);
    rec
}

fn html_line(data: &[u8]) -> String {
    let rec = html_record(data);
    let Ok(mut reader) = RecordReader::new(&rec[..]) else {
        return "no reader".to_owned();
    };
    match reader.next() {
        Some(Ok(r)) => match observe_record(&r, "corpus") {
            Outcome::Page(p) => serde_json::to_string(&p).unwrap_or_default(),
            Outcome::NotPage => "not a page".to_owned(),
            Outcome::Skipped(reason, detail) => format!("skipped {reason:?} {detail}"),
        },
        Some(Err(e)) => format!("error {e}"),
        None => "no record".to_owned(),
    }
}

fn warc_line(data: &[u8]) -> String {
    let sink = CollectSink::new();
    match extract_reader("corpus", data, &sink) {
        Ok(stats) => format!(
            "{} {}",
            serde_json::to_string(&stats).unwrap_or_default(),
            serde_json::to_string(&sink.into_pages()).unwrap_or_default()
        ),
        Err(e) => format!("sink error {e}"),
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(mode), Some(dir)) = (args.first(), args.get(1)) else {
        eprintln!("usage: corpus_dump html|warc DIR");
        std::process::exit(2);
    };
    let mut paths: Vec<_> = match std::fs::read_dir(dir) {
        Ok(rd) => rd.filter_map(|e| e.ok().map(|e| e.path())).collect(),
        Err(e) => {
            eprintln!("{dir}: {e}");
            std::process::exit(1);
        }
    };
    paths.sort();
    let mut out = std::io::BufWriter::new(std::io::stdout());
    for p in paths {
        let Ok(data) = std::fs::read(&p) else {
            continue;
        };
        let line = if mode == "html" {
            html_line(&data)
        } else {
            warc_line(&data)
        };
        let name = p.file_name().map(|n| n.to_string_lossy().into_owned());
        if writeln!(out, "{}\t{line}", name.unwrap_or_default()).is_err() {
            std::process::exit(1);
        }
    }
}
