//! What the store returns: accounts, new tokens, charge outcomes.

/// One account as stored (never with its token, which is not stored).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    /// Stable identifier (`token revoke ID`, `token topup ID`).
    pub id: i64,
    /// The first characters of the token, to tell tokens apart in listings.
    pub token_prefix: String,
    /// Free text naming the holder.
    pub name: String,
    /// Plan name, answered as `subscription` by `subscription_info`.
    pub plan: String,
    /// Rows the account may still be sent.
    pub rows_left: u64,
    /// The allowance of the current period.
    pub rows_limit: u64,
    /// Rows charged so far.
    pub rows_charged: u64,
    /// Requests charged so far.
    pub requests: u64,
    /// Creation time, seconds since the epoch.
    pub created_at: i64,
    /// Revocation time, if revoked.
    pub revoked_at: Option<i64>,
}

impl Account {
    /// Whether the token still opens the account.
    pub fn is_active(&self) -> bool {
        self.revoked_at.is_none()
    }
}

/// A freshly created account and its token (the only time the token is visible).
#[derive(Debug, Clone)]
pub struct NewToken {
    /// The account.
    pub account: Account,
    /// The secret to give the client.
    pub token: String,
}

/// The outcome of [`crate::Accounts::charge`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Charge {
    /// The rows were taken; this many are left.
    Charged {
        /// Rows left after the charge.
        rows_left: u64,
    },
    /// Not enough rows: nothing was taken.
    NoCredit {
        /// Rows left (unchanged).
        rows_left: u64,
    },
    /// The account is revoked or gone: nothing was taken.
    Revoked,
}
