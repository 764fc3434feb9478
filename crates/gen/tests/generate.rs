//! The generated crawls read back with hrefdex-extract, and determinism.
#![allow(clippy::unwrap_used)] // test code: a panic is the failure report

use hrefdex_extract::{CollectSink, extract_files};
use hrefdex_gen::{GenOptions, crawl_file_name, generate};

fn small() -> GenOptions {
    GenOptions {
        pages: 400,
        domains: 20,
        crawls: 3,
        seed: 5,
        ..GenOptions::default()
    }
}

#[test]
fn crawls_extract_cleanly_and_match_the_counts() {
    let dir = tempfile::tempdir().unwrap();
    let truth = generate(&small(), dir.path()).unwrap();
    assert_eq!(truth.crawls.len(), 3);
    for c in &truth.crawls {
        let sink = CollectSink::new();
        let stats = extract_files(&[dir.path().join(&c.file)], 1, &sink).unwrap();
        assert_eq!(stats.total_skipped(), 0, "{stats:?}");
        let pages = sink.into_pages();
        assert_eq!(pages.len() as u64, c.pages_fetched);
        assert_eq!(
            pages.iter().filter(|p| p.revisit).count() as u64,
            c.revisits
        );
        let links: u64 = pages.iter().map(|p| p.links.len() as u64).sum();
        assert_eq!(links, c.link_observations, "crawl {}", c.index);
        assert!(pages.iter().all(|p| p.visited.starts_with(&c.date)));
        assert!(
            pages
                .iter()
                .filter(|p| p.http_code == 200 && !p.revisit)
                .all(|p| !p.title.is_empty() && !p.language.is_empty())
        );
    }
    assert!(
        truth.crawls.iter().skip(1).all(|c| c.lost_removed > 0
            && c.lost_broken > 0
            && c.lost_redirect > 0
            && c.revisits > 0)
    );
    assert!(truth.sitewide.pairs_total > 0);
    assert_eq!(truth.targets.len(), 11);
    assert_eq!(truth.domain_rank.len(), 20);
    assert!(!truth.links.is_empty());
}

#[test]
fn same_seed_same_bytes() {
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    let ta = generate(&small(), a.path()).unwrap();
    let tb = generate(&small(), b.path()).unwrap();
    assert!(ta == tb, "same truth");
    for k in 0..3 {
        let f = crawl_file_name(k);
        assert_eq!(
            std::fs::read(a.path().join(&f)).unwrap(),
            std::fs::read(b.path().join(&f)).unwrap()
        );
    }
    let mut json: hrefdex_gen::Truth =
        serde_json::from_slice(&std::fs::read(a.path().join("truth.json")).unwrap()).unwrap();
    for (j, t) in json.domain_rank.iter().zip(&ta.domain_rank) {
        assert!((j.score - t.score).abs() < 1e-15 && j.domain == t.domain);
    }
    json.domain_rank.clone_from(&ta.domain_rank);
    assert!(json == ta, "truth.json reads back as written");
}

#[test]
fn bad_options_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let err = generate(
        &GenOptions {
            pages: 3,
            domains: 5,
            ..GenOptions::default()
        },
        dir.path(),
    )
    .unwrap_err();
    assert!(
        err.to_string().contains("3 pages cannot fill 5 domains"),
        "{err}"
    );
}
