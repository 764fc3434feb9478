//! `hrefdex serve`: answer Ahrefs API v2 requests over HTTP.

use std::process::ExitCode;

use anyhow::Context;
use hrefdex_accounts::Accounts;
use hrefdex_query::Engine;
use hrefdex_server::Server;

use super::config::{FileConfig, ServeFlags, StoreFlags};

/// Serve the index over HTTP as an Ahrefs API v2 endpoint.
///
/// `GET /?token=…&from=…&target=…&mode=…` (or the same parameters as a POST form body)
/// answers with the v2 body in json, xml or php, charged to the token's account (create
/// one with `hrefdex token create`). `GET /health` and `GET /metrics` (Prometheus) are
/// for operators. A newer index version (a finished `hrefdex import`) is picked up within
/// a second, without restart. SIGINT or SIGTERM stops accepting connections and finishes
/// the requests in flight. Settings come from flags, then environment variables, then the
/// `--config` TOML file; see docs/server.md.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    store: StoreFlags,
    #[command(flatten)]
    serve: ServeFlags,
}

/// Runs the subcommand.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    init_logging();
    let file = FileConfig::load(args.store.config.as_deref())?;
    let store = args.store.resolve(&file);
    let config = args.serve.resolve(&file)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    runtime.block_on(serve(store, config, |_| None))?;
    Ok(ExitCode::SUCCESS)
}

/// Opens the index and accounts, binds, prints the address, and serves until SIGINT or
/// SIGTERM. `banner` gives lines to print after the address, given the bound address
/// (the quickstart's curl line).
pub async fn serve(
    store: super::config::Store,
    config: super::config::ServeConfig,
    banner: impl FnOnce(std::net::SocketAddr) -> Option<String>,
) -> anyhow::Result<()> {
    let engine = Engine::open(&store.index)
        .with_context(|| format!("opening index {}", store.index.display()))?;
    let accounts = Accounts::open(&store.accounts)
        .await
        .with_context(|| format!("opening accounts {}", store.accounts))?;
    let server = Server::bind(config.listen, engine, accounts, config.settings)
        .await
        .with_context(|| format!("listening on {}", config.listen))?;
    let addr = server.local_addr().context("reading the bound address")?;
    println!(
        "hrefdex serving {} on http://{addr}/",
        store.index.display()
    );
    if let Some(banner) = banner(addr) {
        println!("{banner}");
    }
    // Whoever reads stdout through a pipe (a test, a script) sees the lines now.
    std::io::Write::flush(&mut std::io::stdout()).context("writing to stdout")?;
    server
        .run(hrefdex_server::shutdown::signal())
        .await
        .context("serving")?;
    eprintln!("hrefdex: stopped");
    Ok(())
}

/// Logs the server's warnings and errors (internal faults, never shown to clients) to
/// stderr.
pub fn init_logging() {
    let _ = tracing_subscriber::fmt()
        .with_max_level(tracing_subscriber::filter::LevelFilter::INFO)
        .with_writer(std::io::stderr)
        .try_init();
}
