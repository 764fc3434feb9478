//! `subscription_info`, answered from the caller's account (free, no index data).

use hrefdex_accounts::Account;
use hrefdex_api::Request;
use hrefdex_api::encode::Answer;

/// The account's `rows_left`, `rows_limit` and `subscription` (its plan), in the
/// request's `select` order.
pub fn answer(request: &Request, account: &Account) -> Answer {
    Answer::subscription_info(
        request,
        account.rows_left,
        account.rows_limit,
        &account.plan,
    )
}
