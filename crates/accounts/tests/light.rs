//! The accounts store stays light: no DataFusion, Delta, Arrow or Parquet in its normal
//! dependency tree (it is opened by `hrefdex token`, which never reads the index).
#![allow(clippy::unwrap_used)] // test code: a panic is the failure report

use std::process::Command;

const HEAVY: [&str; 4] = ["datafusion", "deltalake", "arrow", "parquet"];

#[test]
fn no_index_stack_in_the_accounts_crate() {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let out = Command::new(cargo)
        .args([
            "tree",
            "--offline",
            "-e",
            "normal",
            "--prefix",
            "none",
            "-p",
            "hrefdex-accounts",
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let tree = String::from_utf8(out.stdout).unwrap();
    assert!(tree.contains("sqlx"), "unexpected tree: {tree}");
    for line in tree.lines() {
        let name = line.split_whitespace().next().unwrap_or("");
        for heavy in HEAVY {
            assert!(
                name != heavy && !name.starts_with(&format!("{heavy}-")),
                "hrefdex-accounts depends on {name}"
            );
        }
    }
}
