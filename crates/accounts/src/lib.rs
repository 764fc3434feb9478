//! Accounts, tokens and row credits for `hrefdex serve`.
//!
//! One job: know who may ask and how many rows they may still be sent.
//!
//! * [`Accounts`]: the store (SQLite through sqlx; the URL picks the database, by default
//!   `<index>/accounts.sqlite`). Create, list, revoke and top up accounts; authenticate a
//!   token; charge an answer.
//! * [`token`]: token secrets. A token is 32 random bytes as hex, shown once by
//!   [`Accounts::create`]; the store keeps only its SHA-256 hash (plus a six-character
//!   prefix for listings) and compares hashes in constant time.
//! * [`schema`]: the embedded migrations.
//!
//! Flow in the server: [`Accounts::authenticate`] (is the token valid, how many rows are
//! left) → answer the request → [`Accounts::charge`] with the answer's cost. The charge is
//! one conditional `UPDATE … WHERE rows_left >= cost`: it either takes the whole cost or
//! nothing, so concurrent requests can never overdraw an account, and a request that
//! cannot be paid is answered `no credit` without a charge.

mod account;
pub mod schema;
mod store;
pub mod token;

pub use account::{Account, Charge, NewToken};
pub use store::{ACCOUNTS_FILE, Accounts, default_url};

use thiserror::Error;

/// Why the accounts store failed.
#[derive(Debug, Error)]
pub enum AccountsError {
    /// The URL names a database kind this build cannot open.
    #[error("unsupported accounts URL '{0}': use sqlite://PATH")]
    UnsupportedUrl(String),
    /// The database failed.
    #[error("accounts database: {0}")]
    Database(#[from] sqlx::Error),
    /// The operating system's random source failed.
    #[error("random source: {0}")]
    Random(String),
    /// A row count does not fit the database's integer type.
    #[error("row count {0} is too large")]
    TooLarge(u64),
    /// A stored value is out of range (the database was edited by hand).
    #[error("corrupt accounts row {0}")]
    Corrupt(i64),
}
