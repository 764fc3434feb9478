//! `hrefdex crawl`: fetch the web politely into WARC files and import them.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context, bail};
use hrefdex_crawl::{
    CrawlConfig, CrawlObserver, CrawlStats, DEFAULT_USER_AGENT, ResolveOverride, Scope, crawl,
};
use hrefdex_index::{Index, Progress, import};
use hrefdex_url::NormalUrl;
use indicatif::{ProgressBar, ProgressStyle};

use super::index_dir::IndexDir;

/// Crawl the web from seed URLs into WARC files, and import them into the index.
///
/// The crawler is polite: it reads each host's robots.txt first and obeys it for its
/// User-Agent (Disallow, Allow, Crawl-delay, Sitemap), opens one connection per host,
/// waits --per-host-delay after each answer from a host before its next request (or
/// the Crawl-delay, if longer), and backs off when a host answers 429 or 503 (Retry-After is honoured).
/// Pages are taken breadth-first; URLs are de-duplicated in hrefdex's normal form;
/// session ids, endless calendars, parameter explosions and repeating paths are
/// recognised and skipped, and each host gets at most 10,000 URLs.
///
/// Every response (redirect hops included, each as its own capture) is written as
/// gzip WARC/1.1 request, response and metadata records under <index>/warc/, and
/// imported into the index every --import-every pages and at the end. The crawl's
/// state is journaled in <index>/crawl/: a crawl that is stopped (even with kill -9)
/// resumes where it was when started again, without fetching finished pages twice.
/// Starting it again after it completed re-crawls every known page (finding lost
/// links) along with the seeds.
///
/// For safety, addresses that are not on the public internet (private, loopback,
/// link-local, multicast) are refused, after DNS and on every redirect hop, unless
/// --allow-private is given. Example against a local test server:
/// `hrefdex crawl --seeds http://site.test:8080/ --resolve site.test:8080:127.0.0.1
/// --allow-private --per-host-delay 0`
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    index: IndexDir,
    /// Seed URLs, or files with one URL per line (`#` starts a comment).
    #[arg(long, required = true, num_args = 1.., value_name = "FILE|URL")]
    seeds: Vec<String>,
    /// Which discovered links to follow: `domains` (same registrable domain as a
    /// seed), `hosts` (same host as a seed) or `any`.
    #[arg(long, default_value = "domains", value_parser = ["domains", "hosts", "any"])]
    scope: String,
    /// Stop after fetching this many pages in this run (the crawl resumes later).
    #[arg(long, value_name = "N")]
    max_pages: Option<u64>,
    /// Follow links at most this many steps from a seed.
    #[arg(long, default_value_t = 8, value_name = "D")]
    max_depth: u32,
    /// Fetches in flight at once, over all hosts.
    #[arg(long, default_value_t = 32, value_name = "C")]
    concurrency: usize,
    /// Milliseconds from one answer of a host to its next request (a longer Crawl-delay
    /// wins).
    #[arg(long, default_value_t = 1000, value_name = "MS")]
    per_host_delay: u64,
    /// Requests in flight to one host.
    #[arg(long, default_value_t = 1, value_name = "N")]
    per_host_connections: u32,
    /// User-Agent sent; its first word is the token robots.txt rules are matched on.
    /// Keep a contact URL in it.
    #[arg(long, default_value = DEFAULT_USER_AGENT)]
    user_agent: String,
    /// Import the finished WARC files every N pages (and always at the end).
    #[arg(long, value_name = "N")]
    import_every: Option<u64>,
    /// Only write WARC files; import nothing (import them later with `hrefdex import`).
    #[arg(long, conflicts_with = "import_every")]
    no_import: bool,
    /// Where WARC files go (default: <index>/warc).
    #[arg(long, value_name = "DIR")]
    warc_dir: Option<PathBuf>,
    /// Rotate WARC files at this many megabytes.
    #[arg(long, default_value_t = 1024, value_name = "MB")]
    warc_size_mb: u64,
    /// Allow private, loopback, link-local and multicast addresses (tests, intranets).
    #[arg(long)]
    allow_private: bool,
    /// Resolve HOST to ADDR instead of asking DNS, as curl's --resolve (repeatable).
    /// The entry applies to HOST on any port.
    #[arg(long, value_name = "HOST:PORT:ADDR")]
    resolve: Vec<String>,
    /// Time limit of one fetch, in milliseconds.
    #[arg(long, default_value_t = 30_000, value_name = "MS")]
    fetch_timeout: u64,
    /// Largest body read, in KiB; longer bodies are cut and marked WARC-Truncated.
    #[arg(long, default_value_t = 2048, value_name = "KIB")]
    max_body_kb: usize,
    /// Extraction threads of the imports (0 = one per core).
    #[arg(long, default_value_t = 0)]
    threads: usize,
}

/// Seeds from URLs and files of URLs.
fn read_seeds(values: &[String]) -> anyhow::Result<Vec<NormalUrl>> {
    let mut seeds = Vec::new();
    for v in values {
        if v.starts_with("http://") || v.starts_with("https://") {
            seeds.push(NormalUrl::parse(v).with_context(|| format!("seed {v:?}"))?);
            continue;
        }
        let text = std::fs::read_to_string(v).with_context(|| format!("reading seed file {v}"))?;
        for (n, line) in text.lines().enumerate() {
            let line = line.split('#').next().unwrap_or("").trim();
            if !line.is_empty() {
                seeds.push(
                    NormalUrl::parse(line).with_context(|| format!("{v}:{}: {line:?}", n + 1))?,
                );
            }
        }
    }
    if seeds.is_empty() {
        bail!("no seed URL given");
    }
    Ok(seeds)
}

fn config(args: &Args) -> anyhow::Result<CrawlConfig> {
    let root = &args.index.path;
    let warc_dir = args.warc_dir.clone().unwrap_or_else(|| root.join("warc"));
    let mut c = CrawlConfig::new(read_seeds(&args.seeds)?, warc_dir, root.join("crawl"));
    c.scope = Scope::parse(&args.scope).unwrap_or_default();
    c.max_pages = args.max_pages;
    c.max_depth = args.max_depth;
    c.concurrency = args.concurrency.max(1);
    c.per_host_delay = Duration::from_millis(args.per_host_delay);
    c.per_host_connections = args.per_host_connections.max(1);
    c.user_agent.clone_from(&args.user_agent);
    c.checkpoint_every = args.import_every;
    c.warc_max_bytes = args.warc_size_mb.max(1) << 20;
    c.allow_private = args.allow_private;
    c.fetch_timeout = Duration::from_millis(args.fetch_timeout.max(1));
    c.max_body_bytes = args.max_body_kb.max(1) << 10;
    c.resolve = args
        .resolve
        .iter()
        .map(|r| ResolveOverride::parse(r).map_err(anyhow::Error::msg))
        .collect::<anyhow::Result<_>>()?;
    c.source_ratings = source_ratings(root)
        .with_context(|| format!("reading domain ratings from {}", root.display()))?;
    Ok(c)
}

/// DR by registrable domain from the index's latest version, so that the frontier fetches
/// links found on the best sources first (empty before the first import).
fn source_ratings(root: &Path) -> anyhow::Result<HashMap<String, u8>> {
    use hrefdex_index::arrow::array::{Array, AsArray};
    use hrefdex_index::arrow::datatypes::Int32Type;

    let mut out = HashMap::new();
    if !root.join("manifest").is_dir() {
        return Ok(out);
    }
    let index = Index::open(root)?;
    let Some(version) = index.resolve(None)? else {
        return Ok(out);
    };
    for batch in index.read_table(&version, "domains")? {
        let domain = batch
            .column_by_name("domain")
            .and_then(|c| c.as_string_opt::<i32>());
        let rating = batch
            .column_by_name("domain_rating")
            .and_then(|c| c.as_primitive_opt::<Int32Type>());
        let (Some(domain), Some(rating)) = (domain, rating) else {
            bail!("the domains table has no text domain or integer domain_rating column");
        };
        for i in 0..batch.num_rows() {
            if rating.is_valid(i) && rating.value(i) > 0 {
                let dr = u8::try_from(rating.value(i).clamp(0, 100)).unwrap_or(0);
                out.insert(domain.value(i).to_owned(), dr);
            }
        }
    }
    Ok(out)
}

/// The terminal side of a crawl: a progress line, and imports at checkpoints.
struct Terminal<'a> {
    bar: ProgressBar,
    index: Option<&'a Index>,
    index_path: &'a Path,
    threads: usize,
    versions: Vec<u64>,
}

impl Progress for Terminal<'_> {
    fn phase(&self, name: &'static str) {
        self.bar.set_message(format!("importing: {name}"));
    }
    fn page(&self) {}
}

impl CrawlObserver for Terminal<'_> {
    fn progress(&mut self, s: &CrawlStats) {
        self.bar.set_message(format!(
            "{} pages  {:.1}/s  queue {}  in flight {}  errors {}",
            s.pages,
            s.pages_per_second(),
            s.queued,
            s.in_flight,
            kinds(&s.errors)
        ));
    }

    fn checkpoint(&mut self, files: &[PathBuf]) -> Result<(), String> {
        let Some(index) = self.index else {
            return Ok(());
        };
        let report = import(index, files, self.threads, &*self).map_err(|e| {
            format!(
                "importing {} WARC file(s) into {}: {e}",
                files.len(),
                self.index_path.display()
            )
        })?;
        self.bar.println(format!(
            "imported {} file(s): {} pages, {} new links; index version {}",
            files.len(),
            report.merge.visits,
            report.merge.new_links,
            report.version.version
        ));
        self.versions.push(report.version.version);
        Ok(())
    }
}

/// `kind=count` pairs, or `0`.
fn kinds(counts: &std::collections::BTreeMap<String, u64>) -> String {
    if counts.is_empty() {
        return "0".to_owned();
    }
    counts
        .iter()
        .map(|(k, n)| format!("{k}={n}"))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Runs the subcommand.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let config = config(&args)?;
    let index = if args.no_import {
        None
    } else {
        Some(
            Index::open(&args.index.path)
                .with_context(|| format!("opening index {}", args.index.path.display()))?,
        )
    };
    let bar = ProgressBar::new_spinner();
    bar.set_style(
        ProgressStyle::with_template("{spinner} {elapsed} {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    bar.enable_steady_tick(Duration::from_millis(120));
    let mut terminal = Terminal {
        bar,
        index: index.as_ref(),
        index_path: &args.index.path,
        threads: args.threads,
        versions: Vec::new(),
    };
    let warc_dir = config.warc_dir.clone();
    let result = crawl(config, &mut terminal);
    terminal.bar.finish_and_clear();
    let stats = result.context("crawling")?;
    print_summary(&stats, &warc_dir, &terminal.versions);
    Ok(ExitCode::SUCCESS)
}

fn print_summary(s: &CrawlStats, warc_dir: &Path, versions: &[u64]) {
    eprintln!(
        "crawled {} pages in {:.1}s ({:.1} pages/s), round {}{}",
        s.pages,
        s.elapsed().as_secs_f64(),
        s.pages_per_second(),
        s.round,
        if s.round_ended {
            ", complete"
        } else {
            ", stopped with URLs left (run again to resume)"
        }
    );
    let statuses: Vec<String> = s.statuses.iter().map(|(k, n)| format!("{k}={n}")).collect();
    eprintln!("  statuses: {}", statuses.join(" "));
    eprintln!(
        "  robots.txt fetched: {}; retries after 429/503: {}; truncated: {}",
        s.robots, s.retries, s.truncated
    );
    eprintln!("  errors: {}", kinds(&s.errors));
    eprintln!("  not fetched: {}", kinds(&s.skipped));
    eprintln!("  queue left: {}", s.queued);
    eprintln!(
        "  WARC: {} file(s) in {}",
        s.warc_files.len(),
        warc_dir.display()
    );
    if let Some(v) = versions.last() {
        eprintln!("  imported: {} time(s), index version {v}", versions.len());
    }
}
