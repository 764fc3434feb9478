//! Accounts seen in the last second, by token, so that a busy token is not looked up in
//! the accounts database on every request.
//!
//! A stale entry is safe because the charge is the authority: it re-checks revocation and
//! credit in the same statement that takes the rows. At worst a request that will be
//! refused runs its query first (a token revoked in the last second is answered `invalid
//! token` at the charge, an account out of rows `no credit`); nothing is ever answered
//! without being paid. To keep even that window small:
//!
//! * an entry lives [`TTL`] (one second), then the database is read again;
//! * every charge stores the rows it left, so the credit check sees the latest charge;
//! * a charge that finds the token revoked drops the entry at once;
//! * before refusing for lack of credit, the caller re-reads the database
//!   ([`TokenCache::refresh`]), so a top-up is seen at once.
//!
//! Unknown tokens are never cached: a token created a moment ago works at once.
//! `subscription_info` reads the database directly: it answers the account's counters.
//!
//! Entries are keyed by the token's SHA-256 hash, the form the database keys accounts by.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use hrefdex_accounts::{Account, Accounts, AccountsError, Charge, token};

/// How long an account read from the database is trusted for the credit check.
pub const TTL: Duration = Duration::from_secs(1);

/// Entries kept at most; past it, expired entries are dropped, then all of them.
const CAPACITY: usize = 65_536;

/// What a request needs of its account before the charge.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Holder {
    /// The account's id (the charge goes to it).
    pub id: i64,
    /// Rows left, as of the last read or charge.
    pub rows_left: u64,
}

impl From<&Account> for Holder {
    fn from(account: &Account) -> Self {
        Holder {
            id: account.id,
            rows_left: account.rows_left,
        }
    }
}

#[derive(Debug, Clone, Copy)]
struct Entry {
    holder: Holder,
    read_at: Instant,
}

/// Token hash → account, for [`TTL`] after each database read.
#[derive(Debug)]
pub struct TokenCache {
    entries: Mutex<HashMap<[u8; 32], Entry>>,
    ttl: Duration,
}

impl Default for TokenCache {
    fn default() -> Self {
        TokenCache::new(TTL)
    }
}

impl TokenCache {
    /// A cache whose entries live `ttl` (zero turns it off).
    pub fn new(ttl: Duration) -> TokenCache {
        TokenCache {
            entries: Mutex::new(HashMap::new()),
            ttl,
        }
    }

    /// The account `token` opens: from the cache if read less than [`TTL`] ago, else from
    /// the database. `None` for an unknown or revoked token.
    pub async fn authenticate(
        &self,
        accounts: &Accounts,
        token: &str,
    ) -> Result<Option<Holder>, AccountsError> {
        let key = token::hash(token);
        let now = Instant::now();
        if let Some(entry) = self.lock().get(&key)
            && now.duration_since(entry.read_at) < self.ttl
        {
            return Ok(Some(entry.holder));
        }
        self.read(accounts, token, key).await
    }

    /// The account `token` opens, read from the database (and cached again).
    pub async fn refresh(
        &self,
        accounts: &Accounts,
        token: &str,
    ) -> Result<Option<Holder>, AccountsError> {
        self.read(accounts, token, token::hash(token)).await
    }

    /// Records what a charge found: the rows now left, or that the token is revoked.
    pub fn charged(&self, token: &str, charge: Charge) {
        let key = token::hash(token);
        let mut entries = self.lock();
        match charge {
            Charge::Charged { rows_left } | Charge::NoCredit { rows_left } => {
                if let Some(entry) = entries.get_mut(&key) {
                    entry.holder.rows_left = rows_left;
                }
            }
            Charge::Revoked => {
                entries.remove(&key);
            }
        }
    }

    async fn read(
        &self,
        accounts: &Accounts,
        token: &str,
        key: [u8; 32],
    ) -> Result<Option<Holder>, AccountsError> {
        let read_at = Instant::now();
        let holder = accounts
            .authenticate(token)
            .await?
            .as_ref()
            .map(Holder::from);
        let mut entries = self.lock();
        match holder {
            Some(holder) if !self.ttl.is_zero() => {
                if entries.len() >= CAPACITY {
                    entries.retain(|_, e| read_at.duration_since(e.read_at) < self.ttl);
                    if entries.len() >= CAPACITY {
                        entries.clear();
                    }
                }
                entries.insert(key, Entry { holder, read_at });
            }
            _ => {
                entries.remove(&key);
            }
        }
        Ok(holder)
    }

    /// The entries; a panic elsewhere while holding the lock leaves them usable (every
    /// update is a single insert or field store).
    fn lock(&self) -> MutexGuard<'_, HashMap<[u8; 32], Entry>> {
        self.entries.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    async fn store_with_token(rows: u64) -> (Accounts, String, i64) {
        let accounts = Accounts::open("sqlite::memory:").await.unwrap();
        let new = accounts.create("test", "standard", rows).await.unwrap();
        (accounts, new.token, new.account.id)
    }

    async fn holder(cache: &TokenCache, accounts: &Accounts, token: &str) -> Option<Holder> {
        cache.authenticate(accounts, token).await.unwrap()
    }

    #[tokio::test]
    async fn a_cached_token_is_not_read_again_within_its_ttl() {
        let (accounts, token, id) = store_with_token(100).await;
        let cache = TokenCache::new(Duration::from_secs(3600));
        let first = holder(&cache, &accounts, &token).await;
        assert_eq!(first, Some(Holder { id, rows_left: 100 }));
        // A top-up the cache has not seen: the entry is still answered as read.
        accounts.topup(id, 50).await.unwrap();
        let cached = holder(&cache, &accounts, &token).await;
        assert_eq!(cached, Some(Holder { id, rows_left: 100 }));
        // `refresh` reads the database.
        let fresh = cache.refresh(&accounts, &token).await.unwrap();
        assert_eq!(fresh, Some(Holder { id, rows_left: 150 }));
        assert_eq!(holder(&cache, &accounts, &token).await, fresh);
    }

    #[tokio::test]
    async fn an_expired_entry_is_read_again() {
        let (accounts, token, id) = store_with_token(100).await;
        let cache = TokenCache::new(Duration::ZERO);
        holder(&cache, &accounts, &token).await;
        accounts.topup(id, 1).await.unwrap();
        let again = holder(&cache, &accounts, &token).await;
        assert_eq!(again, Some(Holder { id, rows_left: 101 }));
    }

    #[tokio::test]
    async fn charges_update_the_rows_left_and_a_revocation_drops_the_entry() {
        let (accounts, token, id) = store_with_token(100).await;
        let cache = TokenCache::new(Duration::from_secs(3600));
        holder(&cache, &accounts, &token).await;
        cache.charged(&token, accounts.charge(id, 30).await.unwrap());
        let after = holder(&cache, &accounts, &token).await;
        assert_eq!(after, Some(Holder { id, rows_left: 70 }));

        accounts.revoke(id).await.unwrap();
        // Cached: still answered until a charge (or the ttl) says otherwise.
        assert!(holder(&cache, &accounts, &token).await.is_some());
        let charge = accounts.charge(id, 1).await.unwrap();
        assert_eq!(charge, Charge::Revoked);
        cache.charged(&token, charge);
        assert_eq!(holder(&cache, &accounts, &token).await, None);
    }

    #[tokio::test]
    async fn unknown_tokens_are_not_cached() {
        let (accounts, token, _) = store_with_token(5).await;
        let cache = TokenCache::new(Duration::from_secs(3600));
        assert_eq!(holder(&cache, &accounts, "nope").await, None);
        assert!(cache.lock().is_empty());
        assert!(holder(&cache, &accounts, &token).await.is_some());
        assert_eq!(cache.lock().len(), 1);
    }
}
