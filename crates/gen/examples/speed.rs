//! Generation speed: `cargo run --release -p hrefdex-gen --example speed -- PAGES DOMAINS CRAWLS OUT`.

use std::time::Instant;

use hrefdex_gen::{GenOptions, generate};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let num = |i: usize, d: u64| args.get(i).and_then(|s| s.parse().ok()).unwrap_or(d);
    let out = args
        .get(3)
        .cloned()
        .unwrap_or_else(|| "gen-speed".to_owned());
    let opts = GenOptions {
        pages: num(0, 100_000),
        domains: num(1, 1_000) as u32,
        crawls: num(2, 3) as u32,
        ..GenOptions::default()
    };
    let started = Instant::now();
    let truth = generate(&opts, std::path::Path::new(&out))?;
    let secs = started.elapsed().as_secs_f64();
    let fetches: u64 = truth.crawls.iter().map(|c| c.pages_fetched).sum();
    println!(
        "{} pages, {fetches} fetches, {} link observations, {} bytes in {secs:.2} s: {:.0} fetches/s, {:.0} links/s",
        opts.pages,
        truth.totals.link_observations,
        truth.totals.bytes,
        fetches as f64 / secs,
        truth.totals.link_observations as f64 / secs
    );
    Ok(())
}
