//! `hrefdex`: one binary, one subcommand per job.
//!
//! Each subcommand lives in its own file under `cmd/`. Errors are reported once, with
//! their cause chain, and the process exits 1; API errors (a request the v2 protocol
//! rejects) exit 2 after printing the exact error body.

mod allocator;
mod cmd;

use std::io::ErrorKind;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// hrefdex: a self-hosted backlink index that speaks the Ahrefs API v2 protocol.
///
/// Import web archives (WARC, ARC, Common Crawl WAT) or crawl the web, keep the history of
/// every link, compute Domain Rating and URL Rating, and answer v2 requests unchanged.
#[derive(Debug, Parser)]
#[command(name = "hrefdex", version, about, long_about, max_term_width = 100)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    Extract(cmd::extract::Args),
    Import(cmd::import::Args),
    ImportKeywords(cmd::import_keywords::Args),
    Stats(cmd::stats::Args),
    Query(cmd::query::Args),
    Explain(cmd::explain::Args),
    Gen(cmd::r#gen::Args),
    Crawl(cmd::crawl::Args),
    Serve(cmd::serve::Args),
    Token(cmd::token::Args),
    Quickstart(cmd::quickstart::Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Extract(args) => cmd::extract::run(args),
        Command::Import(args) => cmd::import::run(args),
        Command::ImportKeywords(args) => cmd::import_keywords::run(args),
        Command::Stats(args) => cmd::stats::run(args),
        Command::Query(args) => cmd::query::run(args),
        Command::Explain(args) => cmd::explain::run(args),
        Command::Gen(args) => cmd::r#gen::run(args),
        Command::Crawl(args) => cmd::crawl::run(args),
        Command::Serve(args) => cmd::serve::run(args),
        Command::Token(args) => cmd::token::run(args),
        Command::Quickstart(args) => cmd::quickstart::run(args),
    };
    match result {
        Ok(code) => code,
        Err(err) => {
            if err.chain().any(|c| {
                c.downcast_ref::<std::io::Error>()
                    .is_some_and(|e| e.kind() == ErrorKind::BrokenPipe)
            }) {
                return ExitCode::SUCCESS;
            }
            eprintln!("hrefdex: {err:#}");
            ExitCode::FAILURE
        }
    }
}
