//! `hrefdex extract`: archives to page and link observations, without an index.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Mutex;

use anyhow::Context;
use hrefdex_extract::{ExtractStats, PageObservation, PageSink, SinkError, extract_files};

use super::extract_parquet::ParquetSink;

/// Extract page and link observations from WARC, ARC or WAT files.
///
/// jsonl (the default) writes one JSON object per page: url, http_code, redirect_to, ip,
/// visited, title, encoding, language, page_size, links_internal, links_external,
/// canonical, ..., and a `links` array (url_to, link_type, anchor, alt, nofollow, ugc,
/// sponsored, redirect, text_pre, text_post). parquet writes one row per link with its
/// page's columns (a page without links is one row with null link columns) and needs
/// --out. Files are read in parallel; a summary of records by type, pages, links and
/// skipped records goes to stderr.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Archive files.
    #[arg(required = true, value_name = "FILE")]
    files: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Jsonl)]
    format: Format,
    /// Output file (default: stdout).
    #[arg(long, value_name = "PATH")]
    out: Option<PathBuf>,
    /// Threads (0 = one per core).
    #[arg(long, default_value_t = 0)]
    threads: usize,
}

/// Output formats.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum Format {
    /// One JSON object per page.
    Jsonl,
    /// One Parquet row per link.
    Parquet,
}

struct JsonLines<W: Write + Send> {
    out: Mutex<W>,
}

impl<W: Write + Send> PageSink for JsonLines<W> {
    fn page(&self, page: PageObservation) -> Result<(), SinkError> {
        let mut line = serde_json::to_vec(&page).map_err(|e| SinkError(Box::new(e)))?;
        line.push(b'\n');
        self.out
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .write_all(&line)
            .map_err(|e| SinkError(Box::new(e)))
    }
}

/// Runs the subcommand.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    if let Format::Parquet = args.format {
        let Some(out) = &args.out else {
            anyhow::bail!("--format parquet needs --out PATH");
        };
        let sink =
            ParquetSink::create(out).with_context(|| format!("creating {}", out.display()))?;
        let stats = extract_files(&args.files, args.threads, &sink)?;
        sink.finish()
            .with_context(|| format!("writing {}", out.display()))?;
        return Ok(report(&stats));
    }
    let writer: Box<dyn Write + Send> = match &args.out {
        Some(p) => Box::new(File::create(p).with_context(|| format!("creating {}", p.display()))?),
        None => Box::new(std::io::stdout()),
    };
    let sink = JsonLines {
        out: Mutex::new(BufWriter::new(writer)),
    };
    let stats = extract_files(&args.files, args.threads, &sink)?;
    sink.out
        .into_inner()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .flush()?;
    Ok(report(&stats))
}

fn report(stats: &ExtractStats) -> ExitCode {
    eprintln!(
        "{} file(s), {} records {:?}, {} pages ({} HTML), {} links, {} skipped {:?}",
        stats.files,
        stats.total_records(),
        stats.records,
        stats.pages,
        stats.html_pages,
        stats.links,
        stats.total_skipped(),
        stats.skipped
    );
    for (file, err) in &stats.files_failed {
        eprintln!("  failed: {file}: {err}");
    }
    for s in stats.skipped_records.iter().take(10) {
        eprintln!("  skipped {}: {:?}", s.file, s.error);
    }
    if stats.files_failed.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
