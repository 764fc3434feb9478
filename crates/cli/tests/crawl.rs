//! `hrefdex crawl` against a multi-host test web on 127.0.0.1 (virtual hosts through
//! `--resolve`): robots.txt and Crawl-delay are obeyed, traps and limits hold, every hop
//! is archived, the WARC files import, the index has the expected backlinks and broken
//! links, private addresses are refused without `--allow-private`, and a crawl killed
//! with SIGKILL resumes without fetching a finished page again.
#![allow(clippy::unwrap_used)] // test code: a panic is the failure report

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use chrono::Datelike;
use hrefdex_crawl::testweb::fixture::{self, FixtureWeb};
use hrefdex_crawl::testweb::generated::GeneratedWeb;
use hrefdex_crawl::testweb::{Hit, TestWeb};
use hrefdex_extract::{RecordReader, RecordType};

fn hrefdex(args: &[String]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_hrefdex"));
    cmd.args(args).env_remove("HREFDEX_INDEX");
    cmd
}

fn run(args: &[String]) -> Output {
    let out = hrefdex(args).output().unwrap();
    assert!(
        out.status.success(),
        "hrefdex {args:?} failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn s(v: &[&str]) -> Vec<String> {
    v.iter().map(|x| (*x).to_owned()).collect()
}

/// `crawl` arguments for `web`'s hosts, loopback allowed.
fn crawl_args(
    index: &Path,
    web: &TestWeb,
    hosts: &[&str],
    seed: &str,
    extra: &[&str],
) -> Vec<String> {
    let mut args = s(&[
        "crawl",
        "--index",
        index.to_str().unwrap(),
        "--allow-private",
    ]);
    args.extend(s(&["--seeds", seed]));
    for r in web.resolve_args(hosts) {
        args.push("--resolve".to_owned());
        args.push(r);
    }
    args.extend(s(extra));
    args
}

fn query(index: &Path, q: &str) -> serde_json::Value {
    let out = run(&s(&["query", "--index", index.to_str().unwrap(), q]));
    serde_json::from_slice(&out.stdout).unwrap()
}

/// Every `url_from` in a v2 answer's rows.
fn urls_from(answer: &serde_json::Value) -> HashSet<String> {
    let rows = answer
        .as_object()
        .and_then(|o| o.values().find_map(|v| v.as_array()))
        .cloned()
        .unwrap_or_default();
    rows.iter()
        .filter_map(|r| r["url_from"].as_str().map(str::to_owned))
        .collect()
}

/// Smallest gap between consecutive hits on `host`.
fn min_gap(hits: &[Hit], host: &str) -> Duration {
    let times: Vec<Instant> = hits
        .iter()
        .filter(|h| h.host == host)
        .map(|h| h.at)
        .collect();
    times
        .windows(2)
        .map(|w| w[1] - w[0])
        .min()
        .unwrap_or(Duration::MAX)
}

fn warc_files(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().ends_with(".warc.gz"))
        .collect();
    v.sort();
    v
}

#[test]
fn crawl_obeys_the_rules_archives_every_hop_and_imports() {
    let year = chrono::Utc::now().year();
    let web = TestWeb::spawn(FixtureWeb { year }, 2).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let index = dir.path().join("index");
    let seed = format!("http://a.test:{}/", web.port());
    let args = crawl_args(
        &index,
        &web,
        &fixture::HOSTS,
        &seed,
        &[
            "--scope",
            "any",
            "--max-depth",
            "60",
            "--per-host-delay",
            "50",
            "--fetch-timeout",
            "2000",
            "--concurrency",
            "8",
        ],
    );
    let out = run(&args);
    let summary = String::from_utf8_lossy(&out.stderr).into_owned();
    let hits = web.hits();
    let counts = web.counts();

    // Nothing disallowed or unreachable is fetched.
    for never in fixture::NEVER_FETCHED {
        assert!(!counts.contains_key(never), "{never} fetched\n{summary}");
    }
    // No page twice, except the one that answered 503 first.
    for (url, n) in &counts {
        let expected = if url == "b.test/retry" { 2 } else { 1 };
        assert_eq!(*n, expected, "{url} fetched {n} times\n{summary}");
    }
    // Session ids are stripped: the same page is not fetched again.
    assert!(counts.keys().all(|u| !u.contains("PHPSESSID")));
    // Redirect chains are followed hop by hop; the loop ends.
    for hop in [
        "a.test/r1",
        "a.test/r2",
        "a.test/r3",
        "a.test/p2",
        "a.test/loop1",
        "a.test/loop2",
    ] {
        assert_eq!(counts.get(hop), Some(&1), "{hop}\n{summary}");
    }
    // Sitemap from robots.txt, error pages, non-HTML, the slow host, the timeout.
    for url in [
        "a.test/sitemap.xml",
        "a.test/from-sitemap",
        "a.test/missing",
        "a.test/error",
        "a.test/file.pdf",
        "a.test/data.json",
        "a.test/big",
        "a.test/gz",
        "a.test/from-gz",
        "b.test/gone",
        "b.test/timeout",
        "slow.test/",
        "slow.test/s1",
        "slow.test/s2",
    ] {
        assert!(counts.contains_key(url), "{url} not fetched\n{summary}");
    }
    // The calendar is followed only within the year window.
    let cal_years: Vec<i32> = counts
        .keys()
        .filter_map(|u| u.strip_prefix("b.test/cal/"))
        .filter_map(|r| r.split('/').next()?.parse().ok())
        .collect();
    assert!(cal_years.len() >= 24, "{cal_years:?}");
    assert!(cal_years.iter().all(|y| *y <= year + 2), "{cal_years:?}");
    // Delays hold per host: Crawl-delay 0.2 s on a.test, --per-host-delay 50 ms on b.test.
    let a_gap = min_gap(&hits, "a.test");
    let b_gap = min_gap(&hits, "b.test");
    // The delay runs from the end of an answer, so the gaps between arrivals here hold
    // it whole however the machine schedules the two processes.
    assert!(a_gap >= Duration::from_millis(200), "a.test gap {a_gap:?}");
    assert!(b_gap >= Duration::from_millis(50), "b.test gap {b_gap:?}");
    assert!(summary.contains("timeout=1"), "{summary}");
    // The slow host holds up nobody: b.test was served while slow.test was answering.
    let slow: Vec<Instant> = hits
        .iter()
        .filter(|h| h.host == "slow.test")
        .map(|h| h.at)
        .collect();
    let (first, last) = (slow[0], slow[slow.len() - 1]);
    assert!(
        hits.iter()
            .any(|h| h.host == "b.test" && h.at > first && h.at < last),
        "no b.test request while slow.test was being crawled"
    );

    // The WARC files: request, response and metadata records, IPs, digests, truncation.
    let files = warc_files(&index.join("warc"));
    assert!(!files.is_empty());
    let mut kinds: HashMap<String, usize> = HashMap::new();
    let mut truncated = Vec::new();
    let mut gz_body_is_decoded = false;
    for f in &files {
        let bytes = std::fs::read(f).unwrap();
        for rec in RecordReader::new(&bytes[..]).unwrap() {
            let rec = rec.unwrap();
            *kinds.entry(rec.kind.as_str().to_owned()).or_default() += 1;
            if rec.kind == RecordType::Response {
                assert_eq!(rec.header("WARC-IP-Address"), Some("127.0.0.1"));
                assert!(rec.header("WARC-Payload-Digest").is_some());
                if rec
                    .header("WARC-Target-URI")
                    .is_some_and(|u| u.ends_with("/gz"))
                {
                    let block = String::from_utf8_lossy(&rec.block).to_ascii_lowercase();
                    gz_body_is_decoded =
                        !block.contains("content-encoding") && block.contains("/from-gz");
                }
                if rec.header("WARC-Truncated").is_some() {
                    truncated.push(rec.header("WARC-Target-URI").unwrap_or("").to_owned());
                }
            }
        }
    }
    let responses = kinds["response"];
    assert_eq!(kinds["request"], responses, "{kinds:?}");
    assert!(
        kinds["metadata"] > responses,
        "a metadata record per response and per failure: {kinds:?}"
    );
    assert_eq!(truncated, [format!("http://a.test:{}/big", web.port())]);
    assert!(
        gz_body_is_decoded,
        "the gzip page is archived decoded, without Content-Encoding"
    );

    // The index has the backlinks and the broken links.
    let port = web.port();
    let back = query(
        &index,
        "from=backlinks&target=a.test&mode=domain&output=json&limit=1000",
    );
    let from = urls_from(&back);
    assert!(from.contains(&format!("http://b.test:{port}/")), "{back}");
    let broken = query(
        &index,
        "from=broken_backlinks&target=b.test&mode=domain&output=json&limit=1000",
    );
    let from = urls_from(&broken);
    assert!(
        from.contains(&format!("http://a.test:{port}/p1")),
        "{broken}"
    );
    assert!(
        !from.contains(&format!("http://a.test:{port}/")),
        "a.test/ links to no broken b.test page: {broken}"
    );
}

#[test]
fn private_addresses_are_refused_without_allow_private() {
    let web = TestWeb::spawn(FixtureWeb { year: 2026 }, 1).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let index = dir.path().join("index");
    let mut args = crawl_args(
        &index,
        &web,
        &["a.test"],
        &format!("http://a.test:{}/", web.port()),
        &["--no-import"],
    );
    args.retain(|a| a != "--allow-private");
    args.extend(s(&[
        "--seeds",
        &format!("http://127.0.0.1:{}/", web.port()),
    ]));
    let out = run(&args);
    let summary = String::from_utf8_lossy(&out.stderr);
    assert!(web.hits().is_empty(), "{:?}", web.hits());
    assert!(summary.contains("robots-unreachable=2"), "{summary}");
}

/// `D` lines of the journal: the URLs it calls finished, as `host/path`.
fn finished_in_journal(index: &Path) -> HashSet<String> {
    let text = std::fs::read_to_string(index.join("crawl/journal")).unwrap_or_default();
    // Only complete lines: the last one may be torn by the kill.
    let complete = text.rsplit_once('\n').map_or("", |(done, _)| done);
    complete
        .lines()
        .filter_map(|l| l.strip_prefix("D\t"))
        .map(server_key)
        .collect()
}

/// `http://h0.bench:PORT/p/1` → `h0.bench/p/1`, the server's key.
fn server_key(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let host = authority.split(':').next().unwrap_or(authority);
    format!("{host}{}", if path.is_empty() { "/" } else { path })
}

#[test]
fn kill_nine_then_resume_fetches_no_finished_page_twice() {
    let gen_web = GeneratedWeb {
        hosts: 3,
        pages_per_host: 60,
        links_per_page: 4,
    };
    let web = TestWeb::spawn(gen_web, 1).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let index = dir.path().join("index");
    let hosts = gen_web.host_names();
    let hosts: Vec<&str> = hosts.iter().map(String::as_str).collect();
    let seed = format!("http://h0.bench:{}/p/0", web.port());
    let args = crawl_args(
        &index,
        &web,
        &hosts,
        &seed,
        &[
            "--scope",
            "any",
            "--max-depth",
            "1000",
            "--per-host-delay",
            "20",
            "--no-import",
        ],
    );
    let mut child = hrefdex(&args).stderr(Stdio::null()).spawn().unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    while finished_in_journal(&index).len() < 40 {
        assert!(Instant::now() < deadline, "crawl made no progress");
        assert!(
            child.try_wait().unwrap().is_none(),
            "crawl ended before the kill"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    let finished = finished_in_journal(&index);
    let before = web.counts();
    assert!(
        finished.len() < gen_web.total_pages() as usize,
        "killed too late"
    );

    run(&args);
    let after = web.counts();
    for url in &finished {
        assert_eq!(
            before.get(url),
            Some(&1),
            "{url} fetched twice before the kill"
        );
        assert_eq!(
            after.get(url),
            Some(&1),
            "{url} finished before the kill, fetched again"
        );
    }
    // The resumed crawl completed the web.
    let pages: HashSet<&String> = after.keys().filter(|u| u.contains("/p/")).collect();
    assert_eq!(pages.len() as u64, gen_web.total_pages());
    let twice: Vec<_> = after.iter().filter(|(_, n)| **n > 1).collect();
    assert!(
        twice.len() <= 3 + 3,
        "only pages in flight at the kill may repeat: {twice:?}"
    );
}

#[test]
fn a_finished_crawl_started_again_recrawls_known_pages() {
    let gen_web = GeneratedWeb {
        hosts: 1,
        pages_per_host: 6,
        links_per_page: 2,
    };
    let web = TestWeb::spawn(gen_web, 1).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let index = dir.path().join("index");
    let seed = format!("http://h0.bench:{}/p/0", web.port());
    let args = crawl_args(
        &index,
        &web,
        &["h0.bench"],
        &seed,
        &["--scope", "any", "--per-host-delay", "0"],
    );
    let first = run(&args);
    assert!(String::from_utf8_lossy(&first.stderr).contains("round 1, complete"));
    let second = run(&args);
    let summary = String::from_utf8_lossy(&second.stderr);
    assert!(summary.contains("round 2, complete"), "{summary}");
    let counts = web.counts();
    for i in 0..6 {
        assert_eq!(
            counts.get(&format!("h0.bench/p/{i}")),
            Some(&2),
            "{counts:?}"
        );
    }
    // Both rounds imported: the second as revisits of the first's pages.
    let out = run(&s(&["stats", "--index", index.to_str().unwrap(), "--json"]));
    let stats: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(stats.to_string().contains("\"version\":1"), "{stats}");
}
