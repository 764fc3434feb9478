//! The light crates must stay light (DESIGN.md §2): no DataFusion, Delta, Arrow or
//! Parquet in `hrefdex-url`, `hrefdex-api`, `hrefdex-extract`, `hrefdex-rank`,
//! `hrefdex-warc` or `hrefdex-gen`, so that
//! they build and test in seconds. This test fails on a new edge.

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
        let out = Command::new(&cargo)
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
                !HEAVY
                    .iter()
                    .any(|h| name == *h || name.starts_with(&format!("{h}-"))),
                "{krate} depends on {name}; keep heavy dependencies out of light crates"
            );
        }
    }
}
