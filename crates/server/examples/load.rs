//! A small HTTP load generator for `hrefdex serve`, run as its own process.
//!
//! `cargo run --release -p hrefdex-server --example load -- URLS_FILE [CONNECTIONS] [SECONDS]`
//!
//! Each of CONNECTIONS tasks keeps one keep-alive connection and sends GET requests for
//! the URLs of URLS_FILE (one per line) in turn, for SECONDS. It prints requests/s,
//! latency percentiles, and the number of errors: transport failures, non-200 statuses,
//! and v2 error bodies (`X-Status: error`).
#![allow(clippy::unwrap_used)] // a benchmark tool: a panic is the report

use std::time::{Duration, Instant};

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let file = args
        .get(1)
        .expect("usage: load URLS_FILE [CONNECTIONS] [SECONDS]");
    let connections: usize = args.get(2).map_or(32, |s| s.parse().unwrap());
    let seconds: u64 = args.get(3).map_or(20, |s| s.parse().unwrap());
    let urls: Vec<String> = std::fs::read_to_string(file)
        .unwrap()
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(str::to_owned)
        .collect();
    assert!(!urls.is_empty(), "no URLs in {file}");
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let started = Instant::now();
    let tasks: Vec<_> = (0..connections)
        .map(|c| {
            let urls = urls.clone();
            let client = reqwest::Client::builder()
                .pool_max_idle_per_host(1)
                .build()
                .unwrap();
            tokio::spawn(async move {
                let mut latencies = Vec::new();
                let mut errors = 0u64;
                let mut i = c;
                while Instant::now() < deadline {
                    let url = &urls[i % urls.len()];
                    i += connections;
                    let t = Instant::now();
                    let ok = match client.get(url).send().await {
                        Ok(r) => {
                            let fine = r.status() == 200 && r.headers().get("x-status").is_none();
                            fine && r.bytes().await.is_ok()
                        }
                        Err(_) => false,
                    };
                    latencies.push(t.elapsed());
                    errors += u64::from(!ok);
                }
                (latencies, errors)
            })
        })
        .collect();
    let mut all = Vec::new();
    let mut errors = 0;
    for t in tasks {
        let (l, e) = t.await.unwrap();
        all.extend(l);
        errors += e;
    }
    let secs = started.elapsed().as_secs_f64();
    all.sort();
    let pct = |p: f64| all[((all.len() as f64 * p) as usize).min(all.len() - 1)];
    println!(
        "requests {}  seconds {secs:.1}  req/s {:.0}  errors {errors}",
        all.len(),
        all.len() as f64 / secs
    );
    println!(
        "latency ms: p50 {:.2}  p90 {:.2}  p99 {:.2}  max {:.2}",
        pct(0.50).as_secs_f64() * 1e3,
        pct(0.90).as_secs_f64() * 1e3,
        pct(0.99).as_secs_f64() * 1e3,
        all.last().unwrap().as_secs_f64() * 1e3
    );
}
