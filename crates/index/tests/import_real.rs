//! Real archives from `../shared/data` through the whole import path.
#![allow(clippy::unwrap_used)] // test code: a panic is the failure report

use std::path::PathBuf;

use hrefdex_index::import::Quiet;
use hrefdex_index::{Index, LinkType, import};

fn data() -> Option<PathBuf> {
    let dir = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data"));
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!("SKIP: ../shared/data not found; real-archive import not tested");
        None
    }
}

#[test]
fn books_toscrape_imports_with_its_links_and_anchors() {
    let Some(data) = data() else { return };
    let dir = tempfile::tempdir().unwrap();
    let index = Index::open(dir.path()).unwrap();
    let file = data.join("warc-node-warc-tests/books.toscrape.warc");
    let report = import(&index, std::slice::from_ref(&file), 1, &Quiet).unwrap();
    assert_eq!(report.version.version, 0);
    assert_eq!(report.extract.total_skipped(), 0);
    assert_eq!(report.merge.new_pages, 30);

    let state = index.load_state(Some(&report.version)).unwrap();
    let home = state.urls.lookup("http://books.toscrape.com/").unwrap();
    let attic = state
        .urls
        .lookup("http://books.toscrape.com/catalogue/a-light-in-the-attic_1000/index.html")
        .unwrap();
    let link = state
        .links
        .iter()
        .find(|l| l.key.from == home && l.key.to == attic && l.key.link_type == LinkType::Href)
        .unwrap();
    assert!(link.is_live() && link.original);
    let anchors: Vec<&str> = state
        .links
        .iter()
        .filter(|l| l.key.from == home && l.key.to == attic)
        .map(|l| state.anchors.get(l.key.anchor))
        .collect();
    assert!(anchors.contains(&"A Light in the ..."), "{anchors:?}");
    let page = &state.pages[&home];
    assert_eq!(
        (page.http_code, &*page.title),
        (200, "All products | Books to Scrape - Sandbox")
    );

    // The same crawl again: a new version, nothing changed.
    let again = import(&index, &[file], 1, &Quiet).unwrap();
    assert_eq!(again.version.version, 1);
    assert_eq!(
        again.merge.already_imported,
        again.merge.visits - again.merge.duplicates
    );
    assert_eq!((again.merge.new_links, again.merge.lost_links), (0, 0));
}

#[test]
fn every_real_archive_imports_without_error() {
    let Some(data) = data() else { return };
    let mut files: Vec<PathBuf> = Vec::new();
    for dir in std::fs::read_dir(&data).unwrap().flatten() {
        if !dir.file_name().to_string_lossy().starts_with("warc-")
            && dir.file_name() != "commoncrawl-whirlwind"
        {
            continue;
        }
        let mut stack = vec![dir.path()];
        while let Some(d) = stack.pop() {
            for e in std::fs::read_dir(&d).unwrap().flatten() {
                let p = e.path();
                let name = p.file_name().unwrap().to_string_lossy().into_owned();
                if p.is_dir() {
                    stack.push(p);
                } else if [".warc", ".warc.gz", ".arc", ".arc.gz", ".wat.gz", ".bad"]
                    .iter()
                    .any(|x| name.ends_with(x))
                {
                    files.push(p);
                }
            }
        }
    }
    assert!(files.len() > 30, "found {} archives", files.len());
    // Each file is one crawl of its own; import them as separate batches, oldest data
    // first is not guaranteed across these unrelated files, so each gets a fresh index.
    for file in files {
        let dir = tempfile::tempdir().unwrap();
        let index = Index::open(dir.path()).unwrap();
        let report = import(&index, std::slice::from_ref(&file), 1, &Quiet)
            .unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        assert_eq!(report.version.version, 0, "{}", file.display());
    }
}
