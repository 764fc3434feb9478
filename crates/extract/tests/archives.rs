//! Reading every real archive in `shared/data`: record counts (as warcio 1.8.1
//! reports them in the data README), HTTP statuses, offsets (against pywb's CDX),
//! and bad records reported with file and offset.

mod common;

use std::collections::BTreeMap;

use common::{all_archives, data_dir, extract};
use hrefdex_extract::{CollectSink, SkipReason, extract_files};

fn counts(pairs: &[(&str, u64)]) -> BTreeMap<String, u64> {
    pairs.iter().map(|(k, v)| ((*k).to_owned(), *v)).collect()
}

#[test]
fn every_archive_is_read_without_losing_files() {
    let Some(root) = data_dir() else { return };
    let files = all_archives(&root);
    assert_eq!(files.len(), 44, "archives found: {files:?}");
    for f in &files {
        let sink = CollectSink::new();
        let stats = extract_files(&[f], 1, &sink).expect("sink");
        assert!(
            stats.files_failed.is_empty(),
            "{}: {:?}",
            f.display(),
            stats.files_failed
        );
        assert_eq!(stats.pages as usize, sink.into_pages().len());
        for s in &stats.skipped_records {
            assert!(
                s.file
                    .ends_with(&*f.file_name().expect("name").to_string_lossy())
            );
        }
    }
}

#[test]
fn record_counts_match_warcio() {
    let cases: &[(&str, &[(&str, u64)])] = &[
        (
            "warc-pywb-sample-archive/warcs/iana.warc.gz",
            &[
                ("warcinfo", 1),
                ("response", 48),
                ("request", 171),
                ("revisit", 123),
            ],
        ),
        (
            "warc-pywb-sample-archive/warcs/dupes.warc.gz",
            &[
                ("warcinfo", 1),
                ("response", 3),
                ("request", 12),
                ("revisit", 9),
            ],
        ),
        (
            "warc-pywb-sample-archive/warcs/example.warc.gz",
            &[
                ("warcinfo", 1),
                ("response", 2),
                ("request", 2),
                ("revisit", 1),
            ],
        ),
        (
            "warc-pywb-sample-archive/warcs/example.warc",
            &[
                ("warcinfo", 1),
                ("response", 2),
                ("request", 2),
                ("revisit", 1),
            ],
        ),
        (
            "warc-pywb-sample-archive/warcs/example-bad.warc.gz.bad",
            &[
                ("warcinfo", 1),
                ("response", 2),
                ("request", 2),
                ("revisit", 1),
            ],
        ),
        (
            "warc-pywb-sample-archive/warcs/example-extra.warc",
            &[("response", 2), ("request", 2), ("revisit", 2)],
        ),
        (
            "warc-pywb-sample-archive/warcs/example.arc.gz",
            &[("warcinfo", 1), ("response", 1)],
        ),
        (
            "warc-pywb-sample-archive/warcs/example.arc",
            &[("warcinfo", 1), ("response", 1)],
        ),
        (
            "warc-pywb-sample-archive/warcs/post-test.warc.gz",
            &[("request", 3), ("response", 3)],
        ),
        (
            "warc-resiliparse-tests/warcfile.warc.gz",
            &[
                ("warcinfo", 1),
                ("request", 17),
                ("response", 16),
                ("metadata", 16),
            ],
        ),
        (
            "warc-resiliparse-tests/clueweb-quirk.warc.gz",
            &[("warcinfo", 1), ("response", 29)],
        ),
        (
            "warc-resiliparse-tests/block-sized-records.warc.gz",
            &[("unknown", 3)],
        ),
        (
            "warc-node-warc-tests/books.toscrape.warc",
            &[("request", 30), ("response", 30)],
        ),
        (
            "warc-node-warc-tests/parseMe.warc.gz",
            &[
                ("warcinfo", 1),
                ("metadata", 1),
                ("request", 14),
                ("response", 14),
            ],
        ),
        (
            "warc-ia-web-commons-tests/IAH-urls-wget.warc.gz",
            &[
                ("warcinfo", 1),
                ("request", 16),
                ("response", 16),
                ("resource", 3),
            ],
        ),
        (
            "warc-ia-web-commons-tests/link-extraction-test.warc",
            &[("warcinfo", 1), ("response", 9)],
        ),
        (
            "warc-ukwa-webarchive-discovery-tests/BL-20140325121225068-00000-32090_opera_8443.warc.gz",
            &[
                ("warcinfo", 1),
                ("response", 65),
                ("request", 62),
                ("metadata", 62),
            ],
        ),
        (
            "warc-ukwa-webarchive-discovery-tests/BL-20140325122341434-00000-32090_opera_8443.warc.gz",
            &[
                ("warcinfo", 1),
                ("response", 10),
                ("revisit", 55),
                ("request", 62),
                ("metadata", 62),
            ],
        ),
        (
            "warc-ukwa-webarchive-discovery-tests/flashfrozen-jwat-recompressed.warc.gz",
            &[
                ("warcinfo", 1),
                ("request", 39),
                ("response", 39),
                ("resource", 3),
            ],
        ),
        (
            "warc-ukwa-webarchive-discovery-tests/IAH-20080430204825-00000-blackbook-truncated.warc.gz",
            &[
                ("warcinfo", 1),
                ("response", 8),
                ("request", 7),
                ("metadata", 7),
            ],
        ),
        // warcio reads 9 records from the .arc.gz; its plain .arc twin stops warcio after
        // one record (bad length at 1399), while we resynchronise and read all 9.
        (
            "warc-ukwa-webarchive-discovery-tests/IAH-20080430204825-00000-blackbook-truncated.arc.gz",
            &[("warcinfo", 1), ("response", 7), ("resource", 1)],
        ),
        (
            "warc-ia-web-commons-tests/IAH-20080430204825-00000-blackbook-truncated.arc",
            &[("warcinfo", 1), ("response", 7), ("resource", 1)],
        ),
        (
            "commoncrawl-whirlwind/whirlwind.warc.gz",
            &[
                ("warcinfo", 1),
                ("request", 1),
                ("response", 1),
                ("metadata", 1),
            ],
        ),
        (
            "commoncrawl-whirlwind/whirlwind.warc.wat.gz",
            &[("warcinfo", 1), ("metadata", 1)],
        ),
        (
            "commoncrawl-whirlwind/whirlwind.warc.wet.gz",
            &[("warcinfo", 1), ("conversion", 1)],
        ),
    ];
    for (file, want) in cases {
        let Some((stats, _)) = extract(file) else {
            return;
        };
        assert_eq!(stats.records, counts(want), "{file}");
        // The two plain WARCs with deliberate damage are checked in their own test.
        if !file.ends_with("example.warc") && !file.ends_with("example-extra.warc") {
            assert_eq!(
                stats.total_skipped(),
                0,
                "{file}: {:?}",
                stats.skipped_records
            );
        }
    }
}

#[test]
fn http_statuses_match_warcio() {
    let cases: &[(&str, &[(u16, usize)])] = &[
        (
            "warc-pywb-sample-archive/warcs/iana.warc.gz",
            &[(200, 167), (302, 4)],
        ),
        (
            "warc-pywb-sample-archive/warcs/dupes.warc.gz",
            &[(200, 11), (302, 1)],
        ),
        (
            "warc-node-warc-tests/parseMe.warc.gz",
            &[(200, 7), (301, 3), (307, 2), (404, 1)],
        ),
        (
            "warc-ia-web-commons-tests/IAH-urls-wget.warc.gz",
            &[(200, 7), (301, 2), (302, 7)],
        ),
        (
            "warc-ukwa-webarchive-discovery-tests/BL-20140325121225068-00000-32090_opera_8443.warc.gz",
            &[(200, 57), (302, 1), (403, 1), (404, 3)],
        ),
        (
            "warc-ukwa-webarchive-discovery-tests/BL-20140325122341434-00000-32090_opera_8443.warc.gz",
            &[(200, 57), (302, 1), (403, 1), (404, 3)],
        ),
        (
            "warc-pywb-sample-archive/warcs/missing-status-text.warc",
            &[(302, 1)],
        ),
        (
            "warc-ukwa-webarchive-discovery-tests/ip-host-testcase.warc.gz",
            &[(404, 1)],
        ),
    ];
    for (file, want) in cases {
        let Some((_, pages)) = extract(file) else {
            return;
        };
        let mut got: BTreeMap<u16, usize> = BTreeMap::new();
        for p in &pages {
            *got.entry(p.http_code).or_default() += 1;
        }
        assert_eq!(
            got,
            want.iter().copied().collect::<BTreeMap<_, _>>(),
            "{file}"
        );
    }
}

#[test]
fn page_offsets_times_and_statuses_match_pywb_cdx() {
    let Some(root) = data_dir() else { return };
    let Some((_, pages)) = extract("warc-pywb-sample-archive/warcs/iana.warc.gz") else {
        return;
    };
    let cdx =
        std::fs::read_to_string(root.join("warc-pywb-sample-archive/cdx/iana.cdx")).expect("cdx");
    let mut checked = 0;
    for line in cdx.lines().skip(1) {
        let f: Vec<&str> = line.split(' ').collect();
        let (stamp, status, offset) = (f[1], f[4], f[9].parse::<u64>().expect("offset"));
        let p = pages
            .iter()
            .find(|p| p.archive_offset == offset)
            .unwrap_or_else(|| panic!("no page at offset {offset}"));
        let want_time = format!(
            "{}-{}-{}T{}:{}:{}Z",
            &stamp[0..4],
            &stamp[4..6],
            &stamp[6..8],
            &stamp[8..10],
            &stamp[10..12],
            &stamp[12..14]
        );
        assert_eq!(p.visited, want_time, "offset {offset}");
        if status != "-" {
            assert_eq!(p.http_code.to_string(), status, "offset {offset}");
            assert!(!p.revisit);
        } else {
            assert!(p.revisit, "offset {offset}");
        }
        checked += 1;
    }
    assert_eq!(checked, 171);
    assert_eq!(pages.len(), 171);
}

#[test]
fn bad_records_are_reported_with_file_and_offset() {
    let Some((stats, pages)) = extract("warc-resiliparse-tests/clipped.warc.gz") else {
        return;
    };
    assert!(pages.is_empty());
    assert_eq!(stats.skipped, BTreeMap::from([(SkipReason::BadGzip, 1)]));
    let s = &stats.skipped_records[0];
    assert!(s.file.ends_with("clipped.warc.gz"));
    assert_eq!((s.error.offset, s.error.uncompressed_offset), (0, 0));

    // Wrong Content-Length in the plain WARC: the rest of the file is still read.
    let Some((stats, pages)) = extract("warc-pywb-sample-archive/warcs/example.warc") else {
        return;
    };
    assert_eq!(stats.skipped, BTreeMap::from([(SkipReason::Garbage, 1)]));
    assert_eq!(stats.skipped_records[0].error.offset, 4764);
    assert_eq!(pages.len(), 3);

    // "HTTPX/1.1" is no status line: counted, the revisits after it still read.
    let Some((stats, _)) = extract("warc-pywb-sample-archive/warcs/example-extra.warc") else {
        return;
    };
    assert_eq!(
        stats.skipped,
        BTreeMap::from([(SkipReason::NoHttpStatus, 1)])
    );
    assert_eq!(stats.skipped_records[0].error.offset, 3207);

    // ARC records with no HTTP headers, and a filedesc with length -1.
    let Some((stats, pages)) = extract("warc-pywb-sample-archive/warcs/bad.arc") else {
        return;
    };
    assert!(pages.is_empty());
    assert_eq!(stats.records, counts(&[("warcinfo", 1), ("response", 3)]));
    assert_eq!(stats.skipped.get(&SkipReason::NoHttpStatus), Some(&3));
}

#[test]
fn arc_and_warc_of_one_crawl_give_the_same_pages() {
    let Some((_, arc)) = extract(
        "warc-ukwa-webarchive-discovery-tests/IAH-20080430204825-00000-blackbook-truncated.arc.gz",
    ) else {
        return;
    };
    let Some((_, warc)) = extract(
        "warc-ukwa-webarchive-discovery-tests/IAH-20080430204825-00000-blackbook-truncated.warc.gz",
    ) else {
        return;
    };
    let key = |p: &hrefdex_extract::PageObservation| {
        (
            p.url.clone(),
            p.http_code,
            p.links.clone(),
            p.title.clone(),
            p.ip.clone(),
        )
    };
    let a: Vec<_> = arc.iter().map(key).collect();
    let w: Vec<_> = warc.iter().map(key).collect();
    assert_eq!(a, w);
    assert_eq!(arc.len(), 7);
}

#[test]
fn content_encodings_decode_to_the_same_page() {
    let mut seen = Vec::new();
    for enc in ["brotli", "gzip", "none"] {
        let Some((_, pages)) = extract(&format!(
            "warc-ukwa-webarchive-discovery-tests/transfer_compression_{enc}.warc.gz"
        )) else {
            return;
        };
        assert_eq!(pages.len(), 1);
        let p = &pages[0];
        seen.push((p.page_size, p.title.clone(), p.encoding.clone()));
    }
    assert!(!seen[0].1.is_empty(), "{seen:?}");
    assert!(seen.windows(2).all(|w| w[0] == w[1]), "{seen:?}");
}

#[test]
fn parallel_and_serial_runs_agree() {
    let Some(root) = data_dir() else { return };
    let files = all_archives(&root);
    let serial = extract_files(&files, 1, &CollectSink::new()).expect("sink");
    let parallel = extract_files(&files, 2, &CollectSink::new()).expect("sink");
    assert_eq!(serial.records, parallel.records);
    assert_eq!(
        (serial.pages, serial.links, serial.html_pages),
        (parallel.pages, parallel.links, parallel.html_pages)
    );
    assert_eq!(serial.skipped, parallel.skipped);
    assert_eq!(serial.bytes_read, parallel.bytes_read);
    println!(
        "all archives: {} files, {} records, {} pages ({} HTML), {} links, skipped {:?}",
        serial.files,
        serial.total_records(),
        serial.pages,
        serial.html_pages,
        serial.links,
        serial.skipped
    );
}
