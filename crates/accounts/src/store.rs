//! The accounts store: one SQLite database, a few reader connections and one writer.
//!
//! Writes go through a single connection so that concurrent charges queue for it instead
//! of spinning on SQLite's lock; reads (authentication, listings) have connections of
//! their own. The database runs in WAL mode with `synchronous=NORMAL`: a crash may lose
//! the last charges, never corrupt the file.
//!
//! Every statement is stepped to its end (`fetch_all`, even where one row at most can
//! come back): sqlx leaves a statement stopped after its first row (`fetch_one`,
//! `fetch_optional`) unreset until the connection's next statement, and an unreset
//! statement keeps its transaction open. SQLite then could never checkpoint the log into
//! the database: a server's log grew by a page per charge (2 GB after a day of
//! benchmarks) and the charge's commit waited for the next request.
//!
//! The connections are held here rather than in sqlx's pool: the pool pings a connection
//! each time it is returned (and, by default, before handing it out), and each SQLite
//! connection runs on a worker thread of its own, so every ping is a round trip between
//! threads. A charged request made six such trips instead of two; on a loaded server
//! they were a tenth of the CPU.

use std::path::Path;
use std::str::FromStr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use sqlx::sqlite::{
    SqliteConnectOptions, SqliteConnection, SqliteJournalMode, SqliteRow, SqliteSynchronous,
};
use sqlx::{ConnectOptions, Connection, Row};
use tokio::sync::{Mutex, MutexGuard};

use crate::schema::MIGRATIONS;
use crate::{Account, AccountsError, Charge, NewToken, token};

/// The accounts database's file name inside an index directory.
pub const ACCOUNTS_FILE: &str = "accounts.sqlite";

/// Reader connections (authentication and listings).
const READERS: usize = 4;
/// How long a statement waits for SQLite's lock before failing.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// The default accounts URL for an index directory: `sqlite://<index>/accounts.sqlite`.
pub fn default_url(index: &Path) -> String {
    format!("sqlite://{}", index.join(ACCOUNTS_FILE).display())
}

/// Open connections, each used by one statement at a time; `None` once closed.
#[derive(Debug)]
struct Connections {
    connections: Vec<Mutex<Option<SqliteConnection>>>,
    /// The connection the next caller waits for when none is free.
    next: AtomicUsize,
}

/// A connection taken for one statement (or one transaction).
type Taken<'a> = MutexGuard<'a, Option<SqliteConnection>>;

impl Connections {
    async fn open(options: &SqliteConnectOptions, count: usize) -> Result<Self, AccountsError> {
        let mut connections = Vec::with_capacity(count);
        for _ in 0..count {
            connections.push(Mutex::new(Some(options.connect().await?)));
        }
        Ok(Connections {
            connections,
            next: AtomicUsize::new(0),
        })
    }

    /// A free connection, or else the next one in turn once it is free ([`conn`] opens
    /// it, or fails once the store is closed).
    async fn take(&self) -> Taken<'_> {
        if let Some(free) = self.connections.iter().find_map(|c| c.try_lock().ok()) {
            return free;
        }
        let turn = self.next.fetch_add(1, Ordering::Relaxed) % self.connections.len();
        self.connections[turn].lock().await
    }

    /// Closes every connection once its statement in flight is done.
    async fn close(&self) {
        for connection in &self.connections {
            if let Some(open) = connection.lock().await.take() {
                // A connection that fails to close cleanly is dropped all the same.
                let _ = open.close().await;
            }
        }
    }
}

/// The connection a [`Taken`] holds; an error once the store is closed.
fn conn<'a>(taken: &'a mut Taken<'_>) -> Result<&'a mut SqliteConnection, AccountsError> {
    taken
        .as_mut()
        .ok_or_else(|| AccountsError::from(sqlx::Error::PoolClosed))
}

/// The accounts store. Cheap to clone (the connections are shared).
#[derive(Debug, Clone)]
pub struct Accounts {
    read: Arc<Connections>,
    write: Arc<Connections>,
}

const COLUMNS: &str = "id, token_prefix, name, plan, rows_left, rows_limit, rows_charged, \
                       requests, created_at, revoked_at";

impl Accounts {
    /// Opens (creating if missing) the database at `url` and applies missing migrations.
    ///
    /// `url` is `sqlite://PATH`, `sqlite:PATH`, `sqlite::memory:` or a plain file path.
    /// Other schemes (`postgres://…`) are refused with [`AccountsError::UnsupportedUrl`].
    pub async fn open(url: &str) -> Result<Accounts, AccountsError> {
        let options = if url.starts_with("sqlite:") {
            SqliteConnectOptions::from_str(url)?
        } else if url.contains("://") {
            return Err(AccountsError::UnsupportedUrl(url.to_owned()));
        } else {
            SqliteConnectOptions::new().filename(url)
        };
        let options = options
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(BUSY_TIMEOUT);
        let in_memory = url.contains(":memory:");
        let write = Arc::new(Connections::open(&options, 1).await?);
        migrate(conn(&mut write.take().await)?).await?;
        let read = if in_memory {
            // Each in-memory connection is its own database: share the writer's.
            Arc::clone(&write)
        } else {
            Arc::new(Connections::open(&options.read_only(true), READERS).await?)
        };
        Ok(Accounts { read, write })
    }

    /// Creates an account with `rows` rows and returns it with its token (shown once).
    pub async fn create(
        &self,
        name: &str,
        plan: &str,
        rows: u64,
    ) -> Result<NewToken, AccountsError> {
        let token = token::generate()?;
        let rows = to_i64(rows)?;
        let rows = sqlx::query(&format!(
            "INSERT INTO accounts (token_hash, token_prefix, name, plan, rows_left, rows_limit, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?5, ?6) RETURNING {COLUMNS}"
        ))
        .bind(token::hash(&token).to_vec())
        .bind(token::prefix(&token))
        .bind(name)
        .bind(plan)
        .bind(rows)
        .bind(now())
        .fetch_all(conn(&mut self.write.take().await)?)
        .await?;
        let row = rows.first().ok_or(sqlx::Error::RowNotFound)?;
        Ok(NewToken {
            account: account(row)?,
            token,
        })
    }

    /// Every account, oldest first.
    pub async fn list(&self) -> Result<Vec<Account>, AccountsError> {
        sqlx::query(&format!("SELECT {COLUMNS} FROM accounts ORDER BY id"))
            .fetch_all(conn(&mut self.read.take().await)?)
            .await?
            .iter()
            .map(account)
            .collect()
    }

    /// One account by id.
    pub async fn get(&self, id: i64) -> Result<Option<Account>, AccountsError> {
        sqlx::query(&format!("SELECT {COLUMNS} FROM accounts WHERE id = ?1"))
            .bind(id)
            .fetch_all(conn(&mut self.write.take().await)?)
            .await?
            .first()
            .map(account)
            .transpose()
    }

    /// Revokes an account: its token stops working at once. `None` when there is no such
    /// account; revoking twice keeps the first revocation time.
    pub async fn revoke(&self, id: i64) -> Result<Option<Account>, AccountsError> {
        self.update_returning("revoked_at = COALESCE(revoked_at, ?2)", id, now())
            .await
    }

    /// Adds `rows` to an account's rows left and to its allowance (`rows_limit`).
    pub async fn topup(&self, id: i64, rows: u64) -> Result<Option<Account>, AccountsError> {
        let set = "rows_left = rows_left + ?2, rows_limit = rows_limit + ?2";
        self.update_returning(set, id, to_i64(rows)?).await
    }

    /// `UPDATE accounts SET <set> WHERE id = ?1` with `?2` bound to `value`.
    async fn update_returning(
        &self,
        set: &'static str,
        id: i64,
        value: i64,
    ) -> Result<Option<Account>, AccountsError> {
        sqlx::query(&format!(
            "UPDATE accounts SET {set} WHERE id = ?1 RETURNING {COLUMNS}"
        ))
        .bind(id)
        .bind(value)
        .fetch_all(conn(&mut self.write.take().await)?)
        .await?
        .first()
        .map(account)
        .transpose()
    }

    /// The active account a token opens, or `None` (unknown or revoked token).
    ///
    /// The lookup goes by the token's hash; the hash found is compared again in constant
    /// time, so no timing difference depends on how much of a guess was right.
    pub async fn authenticate(&self, token: &str) -> Result<Option<Account>, AccountsError> {
        let hash = token::hash(token);
        let rows = sqlx::query(&format!(
            "SELECT token_hash, {COLUMNS} FROM accounts WHERE token_hash = ?1 AND revoked_at IS NULL"
        ))
        .bind(hash.to_vec())
        .fetch_all(conn(&mut self.read.take().await)?)
        .await?;
        let Some(row) = rows.first() else {
            return Ok(None);
        };
        let stored: Vec<u8> = row.try_get("token_hash")?;
        if !token::matches(token, &stored) {
            return Ok(None);
        }
        account(row).map(Some)
    }

    /// Takes `rows` from an active account, all or nothing.
    pub async fn charge(&self, id: i64, rows: u64) -> Result<Charge, AccountsError> {
        let cost = to_i64(rows)?;
        let left: Vec<i64> = sqlx::query_scalar(
            "UPDATE accounts SET rows_left = rows_left - ?2, rows_charged = rows_charged + ?2,
                                 requests = requests + 1
             WHERE id = ?1 AND revoked_at IS NULL AND rows_left >= ?2 RETURNING rows_left",
        )
        .bind(id)
        .bind(cost)
        .fetch_all(conn(&mut self.write.take().await)?)
        .await?;
        if let Some(&left) = left.first() {
            return Ok(Charge::Charged {
                rows_left: to_u64(left, id)?,
            });
        }
        Ok(match self.get(id).await? {
            Some(a) if a.is_active() => Charge::NoCredit {
                rows_left: a.rows_left,
            },
            _ => Charge::Revoked,
        })
    }

    /// Checks that the database answers (for `/health`).
    pub async fn ping(&self) -> Result<(), AccountsError> {
        conn(&mut self.read.take().await)?.ping().await?;
        Ok(())
    }

    /// Closes every connection, waiting for statements in flight; later calls fail.
    pub async fn close(&self) {
        self.write.close().await;
        self.read.close().await;
    }
}

async fn migrate(conn: &mut SqliteConnection) -> Result<(), AccountsError> {
    let version: Vec<i64> = sqlx::query_scalar("PRAGMA user_version")
        .fetch_all(&mut *conn)
        .await?;
    let done = version
        .first()
        .map_or(0, |&v| usize::try_from(v).unwrap_or(0));
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(done) {
        let mut tx = conn.begin().await?;
        sqlx::query(sql).execute(&mut *tx).await?;
        sqlx::query(&format!("PRAGMA user_version = {}", i + 1))
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
    }
    Ok(())
}

fn account(row: &SqliteRow) -> Result<Account, AccountsError> {
    let id: i64 = row.try_get("id")?;
    let count = |name: &str| -> Result<u64, AccountsError> { to_u64(row.try_get(name)?, id) };
    Ok(Account {
        id,
        token_prefix: row.try_get("token_prefix")?,
        name: row.try_get("name")?,
        plan: row.try_get("plan")?,
        rows_left: count("rows_left")?,
        rows_limit: count("rows_limit")?,
        rows_charged: count("rows_charged")?,
        requests: count("requests")?,
        created_at: row.try_get("created_at")?,
        revoked_at: row.try_get("revoked_at")?,
    })
}

fn to_i64(rows: u64) -> Result<i64, AccountsError> {
    i64::try_from(rows).map_err(|_| AccountsError::TooLarge(rows))
}

fn to_u64(value: i64, id: i64) -> Result<u64, AccountsError> {
    u64::try_from(value).map_err(|_| AccountsError::Corrupt(id))
}

fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}
