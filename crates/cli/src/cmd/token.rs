//! `hrefdex token`: create, list, revoke and top up API accounts.

use std::process::ExitCode;

use anyhow::Context;
use hrefdex_accounts::{Account, Accounts};

use super::config::{FileConfig, StoreFlags};

/// Manage API tokens and their row credits.
///
/// Each token opens one account with a number of rows it may be sent; every answer
/// charges its cost (spec/DECISIONS.md §11) and `subscription_info` shows what is left.
/// Tokens are shown once, at creation; the database keeps only their SHA-256 hash.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    store: StoreFlags,
    #[command(subcommand)]
    action: Action,
}

#[derive(Debug, clap::Subcommand)]
enum Action {
    /// Create an account; prints the new token alone on the last line of stdout.
    Create {
        /// Rows the account may be sent.
        #[arg(long)]
        rows: u64,
        /// Who holds it.
        #[arg(long, default_value = "")]
        name: String,
        /// Plan name, answered as `subscription` by subscription_info.
        #[arg(long, default_value = "hrefdex")]
        plan: String,
    },
    /// List accounts (tokens are not stored, only their first characters).
    List,
    /// Revoke an account: its token stops working at once.
    Revoke {
        /// Account id (see `token list`).
        id: i64,
    },
    /// Add rows to an account (rows left and its allowance).
    Topup {
        /// Account id (see `token list`).
        id: i64,
        /// Rows to add.
        #[arg(long)]
        rows: u64,
    },
}

/// Runs the subcommand.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let file = FileConfig::load(args.store.config.as_deref())?;
    let store = args.store.resolve(&file);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    runtime.block_on(async {
        if store.accounts.starts_with("sqlite:") || !store.accounts.contains("://") {
            std::fs::create_dir_all(&store.index)
                .with_context(|| format!("creating {}", store.index.display()))?;
        }
        let accounts = Accounts::open(&store.accounts)
            .await
            .with_context(|| format!("opening accounts {}", store.accounts))?;
        let code = act(&accounts, args.action).await;
        accounts.close().await;
        code
    })
}

async fn act(accounts: &Accounts, action: Action) -> anyhow::Result<ExitCode> {
    match action {
        Action::Create { rows, name, plan } => {
            let new = accounts.create(&name, &plan, rows).await?;
            eprintln!(
                "created account {} ({} rows, plan '{}'); the token is shown only now:",
                new.account.id, rows, new.account.plan
            );
            println!("{}", new.token);
        }
        Action::List => {
            println!(
                "{:>4}  {:<8} {:>12} {:>12} {:>12} {:>9}  {:<8} {:<12} name",
                "id", "token", "rows_left", "rows_limit", "charged", "requests", "state", "plan"
            );
            for a in accounts.list().await? {
                print_row(&a);
            }
        }
        Action::Revoke { id } => match accounts.revoke(id).await? {
            Some(_) => eprintln!("revoked account {id}"),
            None => anyhow::bail!("no account {id}"),
        },
        Action::Topup { id, rows } => match accounts.topup(id, rows).await? {
            Some(a) => eprintln!(
                "account {id}: {} rows left of {}",
                a.rows_left, a.rows_limit
            ),
            None => anyhow::bail!("no account {id}"),
        },
    }
    Ok(ExitCode::SUCCESS)
}

fn print_row(a: &Account) {
    println!(
        "{:>4}  {:<8} {:>12} {:>12} {:>12} {:>9}  {:<8} {:<12} {}",
        a.id,
        format!("{}…", a.token_prefix),
        a.rows_left,
        a.rows_limit,
        a.rows_charged,
        a.requests,
        if a.is_active() { "active" } else { "revoked" },
        a.plan,
        a.name
    );
}
