//! `hrefdex gen`: write a deterministic synthetic web as WARC crawls plus its ground truth.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context;
use hrefdex_gen::{GenOptions, generate};

/// Generate a synthetic web: K weekly crawls as gzip WARC files and truth.json.
///
/// The web has Zipf-sized domains and Zipf in-links, realistic titles and anchors,
/// nofollow/ugc/sponsored and image links, redirects, 404s, pages that die or move and
/// pages born later, links added, removed and re-added between crawls. The same seed
/// gives byte-identical files. Import the crawls oldest first, e.g.
/// `hrefdex gen --out web && for f in web/crawl-*.warc.gz; do hrefdex import "$f"; done`,
/// then compare the index with web/truth.json (the generator's own expected values).
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Pages in the web (each domain has at least one).
    #[arg(long, default_value_t = 2_000)]
    pages: u64,
    /// Registrable domains.
    #[arg(long, default_value_t = 60)]
    domains: u32,
    /// Crawls, one file each, a week apart.
    #[arg(long, default_value_t = 3)]
    crawls: u32,
    /// Seed.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Mean body links per page.
    #[arg(long, default_value_t = 12)]
    links_per_page: u32,
    /// Output directory (created if missing).
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// Do not write a request record per fetch (smaller, faster files).
    #[arg(long)]
    no_requests: bool,
}

/// Runs the subcommand.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let opts = GenOptions {
        pages: args.pages,
        domains: args.domains,
        crawls: args.crawls,
        seed: args.seed,
        links_per_page: args.links_per_page,
        request_records: !args.no_requests,
        ..GenOptions::default()
    };
    let started = Instant::now();
    let truth = generate(&opts, &args.out)
        .with_context(|| format!("generating into {}", args.out.display()))?;
    let secs = started.elapsed().as_secs_f64();
    let t = &truth.totals;
    println!("out        {}", args.out.display());
    println!(
        "pages      {} on {} domains, {} hosts",
        t.pages, t.domains, t.hosts
    );
    println!(
        "links      {} observations, {} distinct ({} live at the end)",
        t.link_observations, t.links_total, t.links_live
    );
    println!(
        "crawls     {} ({} … {})",
        truth.crawls.len(),
        truth.crawls.first().map_or("", |c| c.date.as_str()),
        truth.crawls.last().map_or("", |c| c.date.as_str())
    );
    println!("bytes      {}", t.bytes);
    println!(
        "seconds    {secs:.2} ({:.0} page fetches/s, {:.0} links/s)",
        truth.crawls.iter().map(|c| c.pages_fetched).sum::<u64>() as f64 / secs.max(1e-9),
        t.link_observations as f64 / secs.max(1e-9)
    );
    Ok(ExitCode::SUCCESS)
}
