//! `hrefdex stats`: versions, row counts and sizes of an index.

use std::process::ExitCode;

use anyhow::{Context, bail};
use hrefdex_api::request::AsOf as ApiAsOf;
use hrefdex_index::{AsOf, Index};

use super::index_dir::IndexDir;

/// Show an index version: when it was committed, and rows, files and bytes per table.
///
/// Without --as-of, the latest version. --as-of takes a version number or a date
/// (YYYY-MM-DD or an RFC 3339 time): the last version committed by then.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    index: IndexDir,
    /// Version number or date.
    #[arg(long, value_name = "VERSION|DATE")]
    as_of: Option<String>,
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

/// The same reading of `--as-of` as the API's `as_of` parameter.
fn parse_as_of(s: &str) -> anyhow::Result<AsOf> {
    match hrefdex_api::request::parse_as_of(s) {
        Ok(ApiAsOf::Version(v)) => Ok(AsOf::Version(v)),
        Ok(ApiAsOf::Time(t)) => Ok(AsOf::Time(t)),
        Err(_) => bail!("--as-of {s:?}: expected a version number, YYYY-MM-DD or an RFC 3339 time"),
    }
}

/// Runs the subcommand.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let index = Index::open(&args.index.path)
        .with_context(|| format!("opening index {}", args.index.path.display()))?;
    let as_of = args.as_of.as_deref().map(parse_as_of).transpose()?;
    let Some(version) = index.resolve(as_of)? else {
        bail!(
            "{} has no committed version yet (run `hrefdex import` first)",
            args.index.path.display()
        );
    };
    let tables = index.stats(&version)?;
    let versions = index.versions()?.len();
    if args.json {
        let out = serde_json::json!({ "version": version, "versions": versions, "tables": tables });
        println!("{}", serde_json::to_string_pretty(&out)?);
        return Ok(ExitCode::SUCCESS);
    }
    println!("index     {}", args.index.path.display());
    println!(
        "version   {} of {} (committed {})",
        version.version,
        versions,
        hrefdex_index::time::format(version.committed_at)
    );
    println!(
        "{:<12} {:>8} {:>12} {:>6} {:>14}",
        "table", "delta_v", "rows", "files", "bytes"
    );
    for t in &tables {
        println!(
            "{:<12} {:>8} {:>12} {:>6} {:>14}",
            t.table, t.version, t.rows, t.files, t.bytes
        );
    }
    if let Some(links) = tables
        .iter()
        .find(|t| t.table == "links_in")
        .filter(|t| t.rows > 0)
    {
        let all: u64 = tables.iter().map(|t| t.bytes).sum();
        println!(
            "bytes per link: {:.1} (links_in alone {:.1})",
            all as f64 / links.rows as f64,
            links.bytes as f64 / links.rows as f64
        );
    }
    Ok(ExitCode::SUCCESS)
}
