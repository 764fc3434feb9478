//! Server and accounts configuration: flags, environment variables and a TOML file.
//!
//! Every setting can come from three places; the first one that has it wins:
//!
//! 1. a command-line flag (`--listen 0.0.0.0:8080`);
//! 2. an environment variable (`HREFDEX_LISTEN=0.0.0.0:8080`);
//! 3. the config file named by `--config FILE` or `HREFDEX_CONFIG` (`listen = "0.0.0.0:8080"`).
//!
//! and then the built-in default. The file's keys are the flags' long names with `_` for
//! `-`; unknown keys are an error, so a typo does not pass silently. docs/server.md lists
//! every key with its default.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Context;
use hrefdex_server::Settings;
use serde::Deserialize;

/// Default listen address.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8080";
/// Default index directory.
pub const DEFAULT_INDEX: &str = "./hrefdex-data";

/// The config file (every key optional).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    index: Option<PathBuf>,
    accounts: Option<String>,
    listen: Option<SocketAddr>,
    time_budget: Option<f64>,
    memory_budget_mb: Option<u64>,
    max_queries: Option<usize>,
    rate_limit: Option<f64>,
    rate_burst: Option<u32>,
    refresh_ms: Option<u64>,
    answer_cache_mb: Option<u64>,
}

impl FileConfig {
    /// Reads `path`, or returns an empty config when there is no file.
    pub fn load(path: Option<&Path>) -> anyhow::Result<FileConfig> {
        let Some(path) = path else {
            return Ok(FileConfig::default());
        };
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("reading config file {}", path.display()))?;
        toml::from_str(&text).with_context(|| format!("parsing config file {}", path.display()))
    }
}

/// Where the index and the accounts live (every command that touches accounts).
#[derive(Debug, Clone, clap::Args)]
pub struct StoreFlags {
    /// Index directory [default: ./hrefdex-data].
    #[arg(long, env = "HREFDEX_INDEX", value_name = "DIR", global = true)]
    pub index: Option<PathBuf>,
    /// Accounts database URL [default: sqlite://<index>/accounts.sqlite].
    #[arg(long, env = "HREFDEX_ACCOUNTS", value_name = "URL", global = true)]
    pub accounts: Option<String>,
    /// TOML config file (flags and environment variables override it).
    #[arg(long, env = "HREFDEX_CONFIG", value_name = "FILE", global = true)]
    pub config: Option<PathBuf>,
}

/// The resolved index directory and accounts URL.
#[derive(Debug, Clone)]
pub struct Store {
    /// Index directory.
    pub index: PathBuf,
    /// Accounts database URL.
    pub accounts: String,
}

impl StoreFlags {
    /// Resolves against the config file.
    pub fn resolve(&self, file: &FileConfig) -> Store {
        let index = self
            .index
            .clone()
            .or_else(|| file.index.clone())
            .unwrap_or_else(|| PathBuf::from(DEFAULT_INDEX));
        let accounts = self
            .accounts
            .clone()
            .or_else(|| file.accounts.clone())
            .unwrap_or_else(|| hrefdex_accounts::default_url(&index));
        Store { index, accounts }
    }
}

/// Flags of `hrefdex serve` (and `hrefdex quickstart`) beyond the store.
#[derive(Debug, Clone, clap::Args)]
pub struct ServeFlags {
    /// Address to listen on [default: 127.0.0.1:8080].
    #[arg(long, env = "HREFDEX_LISTEN", value_name = "ADDR")]
    pub listen: Option<SocketAddr>,
    /// Seconds a query may run before `request too expensive` [default: 30].
    #[arg(long, env = "HREFDEX_TIME_BUDGET", value_name = "SECONDS")]
    pub time_budget: Option<f64>,
    /// Largest answer held in memory, in MiB [default: 1024].
    #[arg(long, env = "HREFDEX_MEMORY_BUDGET_MB", value_name = "MIB")]
    pub memory_budget_mb: Option<u64>,
    /// Queries running at once; more wait their turn [default: 16].
    #[arg(long, env = "HREFDEX_MAX_QUERIES", value_name = "N")]
    pub max_queries: Option<usize>,
    /// Requests per second per token, 0 for no limit [default: 50].
    #[arg(long, env = "HREFDEX_RATE_LIMIT", value_name = "PER_SECOND")]
    pub rate_limit: Option<f64>,
    /// Requests a token may send at once above its rate [default: 100].
    #[arg(long, env = "HREFDEX_RATE_BURST", value_name = "N")]
    pub rate_burst: Option<u32>,
    /// Milliseconds between looks for a newer index version [default: 1000].
    #[arg(long, env = "HREFDEX_REFRESH_MS", value_name = "MS")]
    pub refresh_ms: Option<u64>,
    /// MiB of answers kept for repeated requests on the same index version, 0 for none
    /// [default: 256].
    #[arg(long, env = "HREFDEX_ANSWER_CACHE_MB", value_name = "MIB")]
    pub answer_cache_mb: Option<u64>,
}

/// Everything `serve` needs, resolved.
#[derive(Debug, Clone)]
pub struct ServeConfig {
    /// Listen address.
    pub listen: SocketAddr,
    /// Limits.
    pub settings: Settings,
}

impl ServeFlags {
    /// Resolves flag > environment (both via clap) > file > default.
    pub fn resolve(&self, file: &FileConfig) -> anyhow::Result<ServeConfig> {
        let defaults = Settings::default();
        let listen = match self.listen.or(file.listen) {
            Some(addr) => addr,
            None => DEFAULT_LISTEN.parse().context("default listen address")?,
        };
        let time_budget = match self.time_budget.or(file.time_budget) {
            Some(secs) => Duration::try_from_secs_f64(secs)
                .with_context(|| format!("time budget {secs} is not a number of seconds"))?,
            None => defaults.time_budget,
        };
        let memory_budget = self
            .memory_budget_mb
            .or(file.memory_budget_mb)
            .map_or(defaults.memory_budget, |mb| mb.saturating_mul(1 << 20));
        let settings = Settings {
            time_budget,
            memory_budget,
            max_concurrent_queries: self
                .max_queries
                .or(file.max_queries)
                .unwrap_or(defaults.max_concurrent_queries),
            rate_limit: self
                .rate_limit
                .or(file.rate_limit)
                .unwrap_or(defaults.rate_limit),
            rate_burst: self
                .rate_burst
                .or(file.rate_burst)
                .unwrap_or(defaults.rate_burst),
            refresh_interval: self
                .refresh_ms
                .or(file.refresh_ms)
                .map_or(defaults.refresh_interval, Duration::from_millis),
            answer_cache: self
                .answer_cache_mb
                .or(file.answer_cache_mb)
                .map_or(defaults.answer_cache, |mb| mb.saturating_mul(1 << 20)),
        };
        Ok(ServeConfig { listen, settings })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn file(text: &str) -> FileConfig {
        toml::from_str(text).unwrap()
    }

    fn flags() -> ServeFlags {
        ServeFlags {
            listen: None,
            time_budget: None,
            memory_budget_mb: None,
            max_queries: None,
            rate_limit: None,
            rate_burst: None,
            refresh_ms: None,
            answer_cache_mb: None,
        }
    }

    #[test]
    fn flags_override_the_file_which_overrides_defaults() {
        let f = file("listen = \"127.0.0.1:9000\"\nrate_limit = 5.0\nindex = \"/srv/idx\"\n");
        let mut fl = flags();
        fl.rate_limit = Some(7.0);
        let c = fl.resolve(&f).unwrap();
        assert_eq!(c.listen.port(), 9000);
        assert_eq!(c.settings.rate_limit, 7.0);
        assert_eq!(c.settings.rate_burst, Settings::default().rate_burst);
        let store = StoreFlags {
            index: None,
            accounts: None,
            config: None,
        }
        .resolve(&f);
        assert_eq!(store.index, PathBuf::from("/srv/idx"));
        assert_eq!(store.accounts, "sqlite:///srv/idx/accounts.sqlite");
    }

    #[test]
    fn unknown_keys_are_refused() {
        assert!(toml::from_str::<FileConfig>("listn = \"x\"").is_err());
    }
}
