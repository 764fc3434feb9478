//! `subscription_info`, answered from the caller's account (free, no index data).

use hrefdex_accounts::Account;
use hrefdex_api::Request;
use hrefdex_api::encode::{Answer, Extras};
use hrefdex_api::value::Value;

/// The account's `rows_left`, `rows_limit` and `subscription` (its plan), in the
/// request's `select` order.
pub fn answer(request: &Request, account: &Account) -> Answer {
    let count = |n: u64| Value::Int(i64::try_from(n).unwrap_or(i64::MAX));
    let row = request
        .select
        .iter()
        .map(|c| match c.name {
            "rows_left" => count(account.rows_left),
            "rows_limit" => count(account.rows_limit),
            "subscription" => Value::Str(account.plan.clone()),
            _ => Value::Null,
        })
        .collect();
    Answer {
        table: request.table,
        columns: request.select.clone(),
        rows: vec![row],
        extras: Extras::default(),
    }
}
