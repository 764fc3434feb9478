//! The light crates must stay light (DESIGN.md §2): no DataFusion, Delta, Arrow or
//! Parquet in `hrefdex-url`, `hrefdex-api`, `hrefdex-extract`, `hrefdex-rank`,
//! `hrefdex-warc` or `hrefdex-gen`, so that
//! they build and test in seconds. `hrefdex-crawl` may use tokio but nothing of the
//! index's stack. This test fails on a new edge.

#![allow(clippy::unwrap_used)] // test code: a panic is the failure report

use std::process::Command;

const HEAVY: [&str; 6] = [
    "datafusion",
    "deltalake",
    "arrow",
    "parquet",
    "ballista",
    "tokio",
];

/// The crawler needs tokio (async fetching) but nothing of the index's stack.
const HEAVY_FOR_CRAWL: [&str; 5] = ["datafusion", "deltalake", "arrow", "parquet", "ballista"];

/// Fails when `krate`'s normal dependency tree holds a crate named in `heavy` (or a
/// `<name>-…` crate of one of them).
fn assert_no_heavy(cargo: &str, krate: &str, heavy: &[&str]) {
    let out = Command::new(cargo)
        .args([
            "tree",
            "--offline",
            "-e",
            "normal",
            "--prefix",
            "none",
            "-p",
            krate,
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("run cargo tree");
    assert!(
        out.status.success(),
        "cargo tree failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let tree = String::from_utf8_lossy(&out.stdout);
    for line in tree.lines() {
        let name = line.split_whitespace().next().unwrap_or("");
        assert!(
            !heavy
                .iter()
                .any(|h| name == *h || name.starts_with(&format!("{h}-"))),
            "{krate} depends on {name}; keep heavy dependencies out of light crates"
        );
    }
}

#[test]
fn light_crates_have_no_heavy_dependencies() {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    for krate in [
        "hrefdex-url",
        "hrefdex-api",
        "hrefdex-extract",
        "hrefdex-rank",
        "hrefdex-warc",
        "hrefdex-gen",
    ] {
        assert_no_heavy(&cargo, krate, &HEAVY);
    }
}

#[test]
fn the_crawler_has_no_index_dependencies() {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    assert_no_heavy(&cargo, "hrefdex-crawl", &HEAVY_FOR_CRAWL);
}
