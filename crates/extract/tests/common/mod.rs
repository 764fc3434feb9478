//! Helpers shared by the data tests: locating `shared/data` and running extraction.

#![allow(dead_code, missing_docs)]

use std::path::{Path, PathBuf};

use hrefdex_extract::{CollectSink, ExtractStats, PageObservation, extract_files};

/// `shared/data` beside the workspace, or `None` (with a printed note) when absent.
pub fn data_dir() -> Option<PathBuf> {
    let dir = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data"));
    if dir.is_dir() {
        Some(dir.to_path_buf())
    } else {
        println!("SKIPPED: test data folder {} is absent", dir.display());
        None
    }
}

/// Extracts one file (path relative to `shared/data`) on this thread.
pub fn extract(rel: &str) -> Option<(ExtractStats, Vec<PageObservation>)> {
    let path = data_dir()?.join(rel);
    let sink = CollectSink::new();
    let stats = extract_files(&[&path], 1, &sink).expect("collecting sink never fails");
    assert!(
        stats.files_failed.is_empty(),
        "{rel}: {:?}",
        stats.files_failed
    );
    Some((stats, sink.into_pages()))
}

/// Every archive file under `shared/data`.
pub fn all_archives(root: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut dirs = vec![root.to_path_buf()];
    while let Some(d) = dirs.pop() {
        for e in std::fs::read_dir(&d).expect("read data dir").flatten() {
            let p = e.path();
            if p.is_dir() {
                dirs.push(p);
                continue;
            }
            let name = p
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let archive = [
                ".warc",
                ".warc.gz",
                ".arc",
                ".arc.gz",
                ".warc.gz.bad",
                ".wat.gz",
                ".wet.gz",
            ]
            .iter()
            .any(|ext| name.ends_with(ext));
            if archive {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// The page with this URL.
pub fn page<'a>(pages: &'a [PageObservation], url: &str) -> &'a PageObservation {
    pages
        .iter()
        .find(|p| p.url == url && !p.revisit)
        .unwrap_or_else(|| panic!("no page {url}"))
}
