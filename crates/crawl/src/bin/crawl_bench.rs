//! Crawler throughput on a generated loopback web with politeness off (no delay, no
//! robots.txt on the hosts, several connections per host).
//!
//! ```sh
//! cargo run --release -p hrefdex-crawl --features test-web --bin crawl_bench -- \
//!     [--hosts 50] [--pages 400] [--links 8] [--concurrency 64] [--per-host 4]
//! ```
//!
//! Prints pages, seconds, pages/s and WARC bytes; the server runs in the same process
//! on one runtime worker.

use std::time::{Duration, Instant};

use hrefdex_crawl::testweb::TestWeb;
use hrefdex_crawl::testweb::generated::GeneratedWeb;
use hrefdex_crawl::{CrawlConfig, NoObserver, ResolveOverride, Scope, crawl};
use hrefdex_url::NormalUrl;

fn flag(args: &[String], name: &str, default: u32) -> u32 {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let web = GeneratedWeb {
        hosts: flag(&args, "--hosts", 50),
        pages_per_host: flag(&args, "--pages", 400),
        links_per_page: flag(&args, "--links", 8),
    };
    let server = TestWeb::spawn(web, 1)?;
    let dir = tempfile::tempdir()?;
    let seed = NormalUrl::parse(&format!("http://h0.bench:{}/p/0", server.port()))?;
    let mut config = CrawlConfig::new(
        vec![seed],
        dir.path().join("warc"),
        dir.path().join("state"),
    );
    config.scope = Scope::Any;
    config.max_depth = u32::MAX;
    config.concurrency = flag(&args, "--concurrency", 64) as usize;
    config.per_host_connections = flag(&args, "--per-host", 4);
    config.per_host_delay = Duration::ZERO;
    config.allow_private = true;
    config.resolve = web
        .host_names()
        .iter()
        .map(|h| ResolveOverride::parse(&format!("{h}:{}:127.0.0.1", server.port())))
        .collect::<Result<_, _>>()?;
    let started = Instant::now();
    let stats = crawl(config, &mut NoObserver)?;
    let secs = started.elapsed().as_secs_f64();
    let warc_bytes: u64 = stats
        .warc_files
        .iter()
        .filter_map(|f| std::fs::metadata(f).ok())
        .map(|m| m.len())
        .sum();
    println!(
        "pages {} (web has {}), robots {}, errors {:?}, {:.2} s, {:.0} pages/s, WARC {:.1} MB",
        stats.pages,
        web.total_pages(),
        stats.robots,
        stats.errors,
        secs,
        stats.pages as f64 / secs,
        warc_bytes as f64 / 1e6
    );
    Ok(())
}
