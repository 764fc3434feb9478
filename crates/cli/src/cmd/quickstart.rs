//! `hrefdex quickstart`: a working v2 endpoint on a fresh machine, in one command.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use hrefdex_accounts::Accounts;
use hrefdex_gen::{GenOptions, Truth, generate};
use hrefdex_index::import::Quiet;
use hrefdex_index::{Index, import};

use super::config::{FileConfig, ServeFlags, Store};

/// Generate a small synthetic web, import it, create a token, print a ready curl line,
/// and serve.
///
/// Everything lives under `--dir` (default ./hrefdex-quickstart): `web/` (the generated
/// WARC crawls and their truth.json) and `index/` (the index and accounts.sqlite). A
/// second run reuses the index and only creates a new token. No external service is
/// needed. Stop the server with Ctrl-C.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Working directory.
    #[arg(long, default_value = "./hrefdex-quickstart", value_name = "DIR")]
    dir: PathBuf,
    /// Pages in the generated web.
    #[arg(long, default_value_t = 2_000)]
    pages: u64,
    /// Registrable domains in the generated web.
    #[arg(long, default_value_t = 60)]
    domains: u32,
    /// Crawls (imported oldest first, so new/lost tables have history).
    #[arg(long, default_value_t = 2)]
    crawls: u32,
    /// Rows on the new token's account.
    #[arg(long, default_value_t = 100_000)]
    rows: u64,
    /// TOML config file for the server settings (flags and environment win).
    #[arg(long, env = "HREFDEX_CONFIG", value_name = "FILE")]
    config: Option<PathBuf>,
    #[command(flatten)]
    serve: ServeFlags,
}

/// Runs the subcommand.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    super::serve::init_logging();
    let file = FileConfig::load(args.config.as_deref())?;
    let config = args.serve.resolve(&file)?;
    let web = args.dir.join("web");
    let index_dir = args.dir.join("index");
    let truth = build(&args, &web, &index_dir)?;
    let store = Store {
        accounts: hrefdex_accounts::default_url(&index_dir),
        index: index_dir,
    };
    let target = truth
        .domain_rank
        .first()
        .map_or_else(|| "example.com".to_owned(), |d| d.domain.clone());
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    let token = runtime.block_on(async {
        let accounts = Accounts::open(&store.accounts)
            .await
            .with_context(|| format!("opening accounts {}", store.accounts))?;
        let new = accounts
            .create("quickstart", "quickstart", args.rows)
            .await?;
        accounts.close().await;
        anyhow::Ok(new.token)
    })?;
    let rows = args.rows;
    let banner = move |addr| {
        Some(format!(
            "token {token} ({rows} rows)\ntry:\ncurl -s 'http://{addr}/?token={token}&from=refdomains&target={target}&mode=domain&limit=5&output=json'"
        ))
    };
    runtime.block_on(super::serve::serve(store, config, banner))?;
    Ok(ExitCode::SUCCESS)
}

/// Generates and imports the web unless the index already has a version.
fn build(args: &Args, web: &Path, index_dir: &Path) -> anyhow::Result<Truth> {
    let truth_file = web.join("truth.json");
    let index =
        Index::open(index_dir).with_context(|| format!("opening index {}", index_dir.display()))?;
    if index.resolve(None)?.is_some() && truth_file.exists() {
        eprintln!("reusing the index in {}", index_dir.display());
        let text = std::fs::read(&truth_file)
            .with_context(|| format!("reading {}", truth_file.display()))?;
        return serde_json::from_slice(&text)
            .with_context(|| format!("parsing {}", truth_file.display()));
    }
    eprintln!(
        "generating a web of {} pages on {} domains in {}",
        args.pages,
        args.domains,
        web.display()
    );
    let options = GenOptions {
        pages: args.pages,
        domains: args.domains,
        crawls: args.crawls,
        ..GenOptions::default()
    };
    let truth =
        generate(&options, web).with_context(|| format!("generating into {}", web.display()))?;
    for crawl in &truth.crawls {
        let file = web.join(&crawl.file);
        eprintln!("importing {}", file.display());
        import(&index, &[file], 0, &Quiet).with_context(|| format!("importing {}", crawl.file))?;
    }
    Ok(truth)
}
