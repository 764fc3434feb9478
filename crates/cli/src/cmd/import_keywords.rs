//! `hrefdex import-keywords`: load search rankings for `positions_metrics`.

use std::fs::File;
use std::process::ExitCode;

use anyhow::Context;
use hrefdex_index::Index;
use hrefdex_index::keywords::read_csv;

use super::index_dir::IndexDir;

/// Import keyword rankings (from a rank tracker or a search console export) so that
/// `positions_metrics` answers positions, traffic and its value.
///
/// The CSV needs a header row with the columns keyword, country, position, url, volume
/// and cpc, in any order (others are ignored), e.g.
///
///   keyword,country,position,url,volume,cpc
///   blue shoes,us,3,https://example.com/shoes/blue,12000,1.20
///
/// A rankings file is a snapshot: it replaces the rankings imported before. A file with
/// any bad row is refused whole, with the line named; nothing is changed then.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    index: IndexDir,
    /// The rankings file (CSV).
    file: std::path::PathBuf,
}

/// Runs the subcommand.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let file =
        File::open(&args.file).with_context(|| format!("opening {}", args.file.display()))?;
    let rankings = read_csv(std::io::BufReader::new(file))
        .with_context(|| format!("reading {}", args.file.display()))?;
    let index = Index::open(&args.index.path)
        .with_context(|| format!("opening index {}", args.index.path.display()))?;
    let version = index
        .replace_keywords(&rankings)
        .with_context(|| format!("storing rankings in {}", args.index.path.display()))?;
    println!(
        "imported {} rankings from {} (keywords table version {version})",
        rankings.len(),
        args.file.display()
    );
    Ok(ExitCode::SUCCESS)
}
