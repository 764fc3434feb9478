//! Extraction throughput: MB/s of HTTP payload and records/s over one archive,
//! on one thread and on all threads.
//!
//! ```text
//! cargo bench -p hrefdex-extract --bench extract -- /tmp/bench/real.warc.gz [REPEATS]
//! ```
//! `real.warc.gz` comes from `shared/bench/peers/mkwarc.py` (see BENCHMARKS.md).
//! Without a path (as under `cargo test --benches`) it prints a note and exits.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use hrefdex_extract::{PageObservation, SinkError, extract_files};

/// The allocator the `hrefdex` binary ships with, so the bench measures what users run.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let Some(path) = args.first() else {
        eprintln!("usage: extract <archive.warc.gz> [repeats]; no archive given, nothing measured");
        return;
    };
    let repeats: usize = args.get(1).and_then(|r| r.parse().ok()).unwrap_or(3);
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let file_mb = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0) as f64 / 1e6;
    println!("file {path} ({file_mb:.1} MB on disk), best of {repeats}");
    for threads in [1, cores] {
        let mut best = f64::MAX;
        let mut last = (0, 0, 0, 0);
        for _ in 0..repeats {
            let links = AtomicU64::new(0);
            let anchors = AtomicU64::new(0);
            let sink = |p: PageObservation| -> Result<(), SinkError> {
                links.fetch_add(p.links.len() as u64, Ordering::Relaxed);
                let n = p.links.iter().filter(|l| !l.anchor.is_empty()).count();
                anchors.fetch_add(n as u64, Ordering::Relaxed);
                Ok(())
            };
            let t = Instant::now();
            let stats = match extract_files(&[path], threads, &sink) {
                Ok(s) => s,
                Err(e) => {
                    eprintln!("error: {e}");
                    return;
                }
            };
            let secs = t.elapsed().as_secs_f64();
            best = best.min(secs);
            last = (
                stats.records.get("response").copied().unwrap_or(0),
                stats.payload_bytes,
                links.load(Ordering::Relaxed),
                anchors.load(Ordering::Relaxed),
            );
        }
        let (recs, payload, links, anchors) = last;
        println!(
            "threads={threads} records={recs} links={links} (with anchor text {anchors}) payloadMB={:.1} secs={best:.3} rec/s={:.0} MB/s={:.1}",
            payload as f64 / 1e6,
            recs as f64 / best,
            payload as f64 / 1e6 / best
        );
    }
}
