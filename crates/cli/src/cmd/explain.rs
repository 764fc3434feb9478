//! `hrefdex explain`: show how a v2 request is understood, without touching data.

use std::io::Write;
use std::process::ExitCode;

use hrefdex_api::encode::encode_error;
use hrefdex_api::params::Params;
use hrefdex_api::request::SortKey;
use hrefdex_api::{OutputFormat, ParseOptions, Request};
use serde_json::json;

/// Parse and check a v2 request; print it as JSON, or print the exact error body.
///
/// The request is a query string as a client sends it, for example
/// 'from=backlinks&target=example.com/blog/&mode=prefix&where=nofollow=false&limit=10'.
/// The output lists the table, the target's SURT key ranges, the typed conditions, the
/// full sort order (with the default tie-breakers), limit, offset and the cost range in
/// rows. Exit status: 0 for a valid request, 2 when the API would answer with an error.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The request's query string (a leading '?' or a full URL is fine).
    query: String,
    /// Also require a `token` parameter, as the server does.
    #[arg(long)]
    require_token: bool,
}

/// Runs the subcommand.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let query = args
        .query
        .split_once('?')
        .map_or(args.query.as_str(), |(_, q)| q);
    let params = Params::from_query(query.as_bytes());
    let mut out = std::io::stdout().lock();
    match Request::parse(
        &params,
        ParseOptions {
            require_token: args.require_token,
        },
    ) {
        Ok(request) => {
            serde_json::to_writer_pretty(&mut out, &describe(&request))?;
            writeln!(out)?;
            Ok(ExitCode::SUCCESS)
        }
        Err(error) => {
            out.write_all(&encode_error(&error, OutputFormat::for_errors(&params)))?;
            writeln!(out)?;
            Ok(ExitCode::from(2))
        }
    }
}

fn describe(r: &Request) -> serde_json::Value {
    let ranges: Vec<_> = r
        .key_ranges()
        .iter()
        .map(|k| json!({ "range": k, "lower": k.lower(), "upper_exclusive": k.upper_exclusive() }))
        .collect();
    let order: Vec<SortKey> = r.effective_order();
    json!({
        "table": r.table.name,
        "response_key": r.table.response_key,
        "source": r.table.source,
        "target": r.target.as_ref().map(|t| json!({
            "raw": r.target_raw,
            "url": t.url().as_str(),
            "key": t.key(),
        })),
        "mode": r.mode,
        "key_ranges": ranges,
        "select": r.select.iter().map(|c| c.name).collect::<Vec<_>>(),
        "where": r.where_,
        "having": r.having,
        "group_by": r.table.group_by,
        "order_by": order,
        "limit": r.limit,
        "offset": r.offset,
        "output": r.output,
        "as_of": r.as_of,
        "cost_rows": { "if_empty": r.cost(0), "if_full": r.cost(r.limit) },
    })
}
