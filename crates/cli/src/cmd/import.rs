//! `hrefdex import`: merge web archives into the index as one new version.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use anyhow::Context;
use hrefdex_index::{Index, Progress, import};
use indicatif::{ProgressBar, ProgressStyle};

use super::index_dir::IndexDir;

/// Import WARC, ARC or WAT files (one crawl batch) into the index as one new version.
///
/// Each run extracts pages and links from the files (in parallel), merges them into the
/// latest index version (link history, lost links and why, new/lost events), recomputes
/// sitewide flags, Domain Rating and URL Rating, and commits a new version atomically: a
/// run that is interrupted leaves the previous version intact, and running it again
/// completes the import. Import crawls oldest first; an older crawl after a newer one is
/// refused. Importing the same files twice changes nothing.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    index: IndexDir,
    /// Archive files: .warc, .warc.gz, .arc, .arc.gz, .warc.wat.gz.
    #[arg(required = true, value_name = "FILE")]
    files: Vec<PathBuf>,
    /// Extraction threads (0 = one per core).
    #[arg(long, default_value_t = 0)]
    threads: usize,
    /// Print the full report as JSON on stdout.
    #[arg(long)]
    json: bool,
}

struct Bar {
    bar: ProgressBar,
    pages: AtomicU64,
}

impl Progress for Bar {
    fn phase(&self, name: &'static str) {
        self.bar.set_message(name);
    }
    fn page(&self) {
        let n = self.pages.fetch_add(1, Ordering::Relaxed) + 1;
        if n.is_multiple_of(256) {
            self.bar.set_position(n);
        }
    }
}

/// Runs the subcommand.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    crate::allocator::keep_freed_memory();
    let index = Index::open(&args.index.path)
        .with_context(|| format!("opening index {}", args.index.path.display()))?;
    let bar = ProgressBar::new_spinner();
    bar.set_style(
        ProgressStyle::with_template("{spinner} {msg:8} {pos} pages  {per_sec}  {elapsed}")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    bar.enable_steady_tick(Duration::from_millis(120));
    let progress = Bar {
        bar,
        pages: AtomicU64::new(0),
    };
    let report = import(&index, &args.files, args.threads, &progress);
    progress.bar.finish_and_clear();
    let report = report.with_context(|| format!("importing into {}", args.index.path.display()))?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
        return Ok(ExitCode::SUCCESS);
    }
    let x = &report.extract;
    let m = &report.merge;
    eprintln!(
        "imported {} file(s) into {} as version {} in {:.1}s",
        x.files,
        args.index.path.display(),
        report.version.version,
        report.seconds
    );
    eprintln!(
        "  records: {} read, {} skipped {:?}",
        x.total_records(),
        x.total_skipped(),
        x.skipped
    );
    for s in x.skipped_records.iter().take(5) {
        eprintln!("    skipped {}: {:?}", s.file, s.error);
    }
    eprintln!(
        "  pages: {} observed ({} new, {} revisited, {} duplicate, {} already imported)",
        m.visits, m.new_pages, m.revisited_pages, m.duplicates, m.already_imported
    );
    eprintln!(
        "  links: {} new, {} kept, {} lost; {} in the index",
        m.new_links, m.kept_links, m.lost_links, report.links_total
    );
    let phases: Vec<String> = report
        .phases
        .iter()
        .map(|(name, secs)| format!("{name} {secs:.1}s"))
        .collect();
    eprintln!("  time: {}", phases.join(", "));
    if !report.unusable.is_empty() {
        eprintln!("  unusable observations: {:?}", report.unusable);
    }
    Ok(ExitCode::SUCCESS)
}
