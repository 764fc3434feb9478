//! `hrefdex query`: answer one v2 request locally, printing the body the server sends.

use std::io::Write;
use std::process::ExitCode;

use anyhow::Context;
use hrefdex_api::encode::{Answer, encode_error};
use hrefdex_api::params::Params;
use hrefdex_api::{ApiError, OutputFormat, ParseOptions, Request};
use hrefdex_query::{Engine, QueryError};

use super::index_dir::IndexDir;

/// Answer one v2 request from the index and print the body exactly as the server will.
///
/// The request is a query string as a client sends it, e.g.
/// 'from=backlinks&target=example.com&mode=domain&limit=10&output=json'. No account is
/// needed: a `token` parameter is accepted and ignored. An `as_of` parameter (a version
/// number or a date) answers from an older index version. Errors print the exact v2 error
/// body and exit with status 2. Every v2 table is answered; `subscription_info` reports
/// a local, unmetered session (no account is involved here).
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    index: IndexDir,
    /// The request's query string (a leading '?' or a full URL is fine).
    query: String,
}

/// Runs the subcommand.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let query = args
        .query
        .split_once('?')
        .map_or(args.query.as_str(), |(_, q)| q);
    let params = Params::from_query(query.as_bytes());
    let mut out = std::io::stdout().lock();
    let request = match Request::parse(
        &params,
        ParseOptions {
            require_token: false,
        },
    ) {
        Ok(r) => r,
        Err(error) => {
            out.write_all(&encode_error(&error, OutputFormat::for_errors(&params)))?;
            writeln!(out)?;
            return Ok(ExitCode::from(2));
        }
    };
    if request.table.name == "subscription_info" {
        // No account here: local queries are not metered, so there is no allowance to
        // report (`hrefdex serve` answers from the caller's account).
        let answer = Answer::subscription_info(&request, 0, 0, "local (unmetered)");
        out.write_all(&answer.encode(request.output))?;
        writeln!(out)?;
        return Ok(ExitCode::SUCCESS);
    }
    let engine = Engine::open(&args.index.path)
        .with_context(|| format!("opening index {}", args.index.path.display()))?;
    match engine.answer(&request) {
        Ok(answer) => {
            out.write_all(&answer.encode(request.output))?;
            writeln!(out)?;
            Ok(ExitCode::SUCCESS)
        }
        Err(QueryError::NotYet(table)) => {
            eprintln!("hrefdex: table {table} is not answered yet by this version of hrefdex");
            out.write_all(&encode_error(&ApiError::Internal, request.output))?;
            writeln!(out)?;
            Ok(ExitCode::from(3))
        }
        Err(e) => Err(e).with_context(|| format!("answering from {}", args.index.path.display())),
    }
}
