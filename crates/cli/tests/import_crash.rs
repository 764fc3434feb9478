//! `hrefdex import` killed at any moment leaves the last committed version readable, and
//! running it again completes. Crashes are injected at every commit step (fail points
//! abort the process, leaving files exactly as `kill -9` would) and by real SIGKILLs.
#![allow(clippy::unwrap_used)] // test code: a panic is the failure report

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Duration;

fn data() -> Option<PathBuf> {
    let dir = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data"));
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!("SKIP: ../shared/data not found; crash tests not run");
        None
    }
}

fn hrefdex(index: &Path, args: &[&str], fail_at: Option<&str>) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_hrefdex"));
    cmd.args(args)
        .arg("--index")
        .arg(index)
        .env_remove("HREFDEX_FAIL_AT");
    if let Some(point) = fail_at {
        cmd.env("HREFDEX_FAIL_AT", point);
    }
    cmd.output().unwrap()
}

fn import(index: &Path, file: &Path, fail_at: Option<&str>) -> Output {
    hrefdex(index, &["import", file.to_str().unwrap()], fail_at)
}

/// (index version, links_in rows, link_events rows).
fn stats(index: &Path) -> (u64, u64, u64) {
    let out = hrefdex(index, &["stats", "--json"], None);
    assert!(
        out.status.success(),
        "stats failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let rows = |t: &str| {
        v["tables"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["table"] == t)
            .unwrap()["rows"]
            .as_u64()
            .unwrap()
    };
    (
        v["version"]["version"].as_u64().unwrap(),
        rows("links_in"),
        rows("link_events"),
    )
}

#[test]
fn a_crash_at_any_commit_step_keeps_the_previous_version_and_a_rerun_completes() {
    let Some(data) = data() else { return };
    let first = data.join("warc-node-warc-tests/books.toscrape.warc");
    let second = data.join("warc-resiliparse-tests/warcfile.warc.gz");

    let clean = tempfile::tempdir().unwrap();
    assert!(import(clean.path(), &first, None).status.success());
    let after_first = stats(clean.path());
    assert!(import(clean.path(), &second, None).status.success());
    let after_second = stats(clean.path());
    assert_eq!(after_second.0, 1);
    assert!(after_second.1 > after_first.1);

    for point in [
        "before:links_in",
        "after:links_in",
        "after:links_out",
        "after:pages",
        "after:domains",
        "after:link_events",
        "after:links_head",
        "before:manifest",
    ] {
        let dir = tempfile::tempdir().unwrap();
        assert!(import(dir.path(), &first, None).status.success());
        let crashed = import(dir.path(), &second, Some(point));
        assert!(
            !crashed.status.success(),
            "{point}: the fail point did not fire"
        );
        assert_eq!(
            stats(dir.path()),
            after_first,
            "{point}: the previous version must still be the one readers see"
        );
        let rerun = import(dir.path(), &second, None);
        assert!(
            rerun.status.success(),
            "{point}: rerun failed: {}",
            String::from_utf8_lossy(&rerun.stderr)
        );
        assert_eq!(
            stats(dir.path()),
            after_second,
            "{point}: the rerun must give what a clean import gives"
        );
    }

    // After the manifest commit the import is done, even if the process dies right after.
    let dir = tempfile::tempdir().unwrap();
    assert!(import(dir.path(), &first, None).status.success());
    assert!(
        !import(dir.path(), &second, Some("after:manifest"))
            .status
            .success()
    );
    assert_eq!(stats(dir.path()), after_second);
}

#[test]
fn kill_9_at_several_moments_leaves_a_readable_index() {
    let Some(data) = data() else { return };
    let first = data.join("warc-node-warc-tests/books.toscrape.warc");
    let second = data.join("warc-pywb-sample-archive/warcs/iana.warc.gz");
    let clean = tempfile::tempdir().unwrap();
    assert!(import(clean.path(), &first, None).status.success());
    let after_first = stats(clean.path());
    assert!(import(clean.path(), &second, None).status.success());
    let after_second = stats(clean.path());

    for delay_ms in [20, 150, 400, 800] {
        let dir = tempfile::tempdir().unwrap();
        assert!(import(dir.path(), &first, None).status.success());
        let mut child = Command::new(env!("CARGO_BIN_EXE_hrefdex"))
            .args(["import", second.to_str().unwrap(), "--index"])
            .arg(dir.path())
            .env_remove("HREFDEX_FAIL_AT")
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(delay_ms));
        let _ = child.kill(); // SIGKILL; it may already have finished
        child.wait().unwrap();
        let seen = stats(dir.path());
        assert!(
            seen == after_first || seen == after_second,
            "after a kill at {delay_ms} ms: {seen:?}"
        );
        let rerun = import(dir.path(), &second, None);
        assert!(
            rerun.status.success(),
            "rerun after kill at {delay_ms} ms: {}",
            String::from_utf8_lossy(&rerun.stderr)
        );
        let (_, links, events) = stats(dir.path());
        assert_eq!(
            (links, events),
            (after_second.1, after_second.2),
            "kill at {delay_ms} ms"
        );
    }
}
