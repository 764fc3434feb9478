//! The accounts store against a real SQLite file in a temporary directory.
#![allow(clippy::unwrap_used)] // test code: a panic is the failure report

use hrefdex_accounts::{Accounts, AccountsError, Charge, default_url};

async fn store() -> (tempfile::TempDir, Accounts) {
    let dir = tempfile::tempdir().unwrap();
    let accounts = Accounts::open(&default_url(dir.path())).await.unwrap();
    (dir, accounts)
}

#[tokio::test]
async fn create_authenticate_and_list() {
    let (_dir, accounts) = store().await;
    let new = accounts.create("alice", "Pro", 1_000).await.unwrap();
    assert_eq!(new.account.rows_left, 1_000);
    assert_eq!(new.account.rows_limit, 1_000);
    assert!(new.token.starts_with(&new.account.token_prefix));
    let found = accounts.authenticate(&new.token).await.unwrap().unwrap();
    assert_eq!(found, new.account);
    assert_eq!(accounts.authenticate("nope").await.unwrap(), None);
    let mut wrong = new.token.clone();
    wrong.pop();
    assert_eq!(accounts.authenticate(&wrong).await.unwrap(), None);
    let other = accounts.create("bob", "", 5).await.unwrap();
    let list = accounts.list().await.unwrap();
    assert_eq!(
        list.iter().map(|a| a.id).collect::<Vec<_>>(),
        [new.account.id, other.account.id]
    );
}

#[tokio::test]
async fn charges_are_all_or_nothing() {
    let (_dir, accounts) = store().await;
    let id = accounts.create("a", "", 10).await.unwrap().account.id;
    assert_eq!(
        accounts.charge(id, 7).await.unwrap(),
        Charge::Charged { rows_left: 3 }
    );
    assert_eq!(
        accounts.charge(id, 4).await.unwrap(),
        Charge::NoCredit { rows_left: 3 }
    );
    assert_eq!(
        accounts.charge(id, 3).await.unwrap(),
        Charge::Charged { rows_left: 0 }
    );
    let a = accounts.get(id).await.unwrap().unwrap();
    assert_eq!((a.rows_left, a.rows_charged, a.requests), (0, 10, 2));
    let a = accounts.topup(id, 5).await.unwrap().unwrap();
    assert_eq!((a.rows_left, a.rows_limit), (5, 15));
    assert_eq!(accounts.topup(id + 100, 5).await.unwrap(), None);
}

#[tokio::test]
async fn revoked_tokens_stop_working_and_cannot_be_charged() {
    let (_dir, accounts) = store().await;
    let new = accounts.create("a", "", 10).await.unwrap();
    let revoked = accounts.revoke(new.account.id).await.unwrap().unwrap();
    assert!(!revoked.is_active());
    assert_eq!(accounts.authenticate(&new.token).await.unwrap(), None);
    assert_eq!(
        accounts.charge(new.account.id, 1).await.unwrap(),
        Charge::Revoked
    );
    let again = accounts.revoke(new.account.id).await.unwrap().unwrap();
    assert_eq!(again.revoked_at, revoked.revoked_at);
    assert_eq!(accounts.revoke(999).await.unwrap(), None);
}

#[tokio::test]
async fn concurrent_charges_never_overdraw() {
    let (_dir, accounts) = store().await;
    let id = accounts.create("a", "", 1_000).await.unwrap().account.id;
    let tasks: Vec<_> = (0..300)
        .map(|_| {
            let accounts = accounts.clone();
            tokio::spawn(async move { accounts.charge(id, 7).await.unwrap() })
        })
        .collect();
    let mut charged = 0;
    for t in tasks {
        if let Charge::Charged { .. } = t.await.unwrap() {
            charged += 1;
        }
    }
    assert_eq!(charged, 1_000 / 7);
    let a = accounts.get(id).await.unwrap().unwrap();
    assert_eq!(a.rows_left, 1_000 - 7 * charged);
}

#[tokio::test]
async fn reopening_keeps_accounts_and_refuses_other_databases() {
    let dir = tempfile::tempdir().unwrap();
    let url = default_url(dir.path());
    let token = {
        let accounts = Accounts::open(&url).await.unwrap();
        let t = accounts.create("a", "", 3).await.unwrap().token;
        accounts.close().await;
        t
    };
    let accounts = Accounts::open(&url).await.unwrap();
    assert!(accounts.authenticate(&token).await.unwrap().is_some());
    assert!(matches!(
        Accounts::open("postgres://localhost/x").await,
        Err(AccountsError::UnsupportedUrl(_))
    ));
    let memory = Accounts::open("sqlite::memory:").await.unwrap();
    let t = memory.create("m", "", 1).await.unwrap().token;
    assert!(memory.authenticate(&t).await.unwrap().is_some());
}

#[tokio::test]
async fn a_closed_store_refuses_calls_instead_of_hanging() {
    let (_dir, accounts) = store().await;
    let new = accounts.create("carol", "", 10).await.unwrap();
    let same = accounts.clone();
    accounts.close().await;
    assert!(matches!(
        same.authenticate(&new.token).await,
        Err(AccountsError::Database(sqlx::Error::PoolClosed))
    ));
    assert!(same.charge(new.account.id, 1).await.is_err());
    assert!(same.ping().await.is_err());
}

/// A server charges on every request: the write-ahead log must be checkpointed into the
/// database as it goes, not grow by a page per charge for as long as the server runs.
#[tokio::test]
async fn the_write_ahead_log_stays_bounded_under_steady_charges() {
    let (dir, accounts) = store().await;
    let new = accounts.create("a", "", 1_000_000).await.unwrap();
    let wal = dir
        .path()
        .join(format!("{}-wal", hrefdex_accounts::ACCOUNTS_FILE));
    for i in 0..5_000 {
        if i % 10 == 0 {
            accounts.authenticate(&new.token).await.unwrap().unwrap();
        }
        accounts.charge(new.account.id, 1).await.unwrap();
    }
    let size = std::fs::metadata(&wal).map_or(0, |m| m.len());
    // SQLite checkpoints at 1,000 pages (4 MB); 5,000 charges unchecked would be 20 MB.
    assert!(size < 8 << 20, "write-ahead log is {size} bytes");
    let a = accounts.get(new.account.id).await.unwrap().unwrap();
    assert_eq!(a.requests, 5_000);
}
