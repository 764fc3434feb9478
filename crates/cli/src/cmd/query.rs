//! `hrefdex query`: answer one v2 request locally, printing the body the server sends.

use std::io::Write;
use std::process::ExitCode;
use std::time::{Duration, Instant};

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
    /// Answer the request this many more times after the first and print its latency to
    /// stderr (min, p50, p99, max in milliseconds). The first answer also opens the index
    /// version, so it is reported on its own. The body is printed once.
    #[arg(long, value_name = "N", default_value_t = 0)]
    repeat: usize,
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
    let started = Instant::now();
    let answer = engine.answer(&request);
    if args.repeat > 0 && answer.is_ok() {
        let first = started.elapsed();
        let mut times = time_repeats(&engine, &request, args.repeat)
            .with_context(|| format!("answering from {}", args.index.path.display()))?;
        times.sort_unstable();
        let ms = |d: Duration| d.as_secs_f64() * 1e3;
        let at = |q: f64| times[((times.len() - 1) as f64 * q).round() as usize];
        eprintln!(
            "latency over {} repeats: min {:.3} ms, p50 {:.3} ms, p99 {:.3} ms, max {:.3} ms (first answer {:.3} ms)",
            times.len(),
            ms(at(0.0)),
            ms(at(0.5)),
            ms(at(0.99)),
            ms(at(1.0)),
            ms(first)
        );
    }
    match answer {
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

/// Answers `request` `n` times from one snapshot on one runtime (as the server does, but
/// without HTTP) and returns each answer's wall-clock time.
fn time_repeats(engine: &Engine, request: &Request, n: usize) -> anyhow::Result<Vec<Duration>> {
    let snapshot = engine.snapshot(request.as_of)?;
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let mut times = Vec::with_capacity(n);
    for _ in 0..n {
        let started = Instant::now();
        rt.block_on(snapshot.answer(request))?;
        times.push(started.elapsed());
    }
    Ok(times)
}
