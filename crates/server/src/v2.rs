//! The v2 endpoint: one request from parameters to a charged answer.
//!
//! Order (spec/DECISIONS.md §10–12): parse and check the request (every API error before
//! any data or account is read) → per-token rate limit → token validity (cached for a
//! second, see [`crate::tokens`]; the charge re-checks it) → can the
//! account pay the smallest possible answer → run the query within the time budget →
//! check the memory budget → charge the exact cost, all or nothing → send. A request
//! that fails at any step costs nothing.

use std::sync::Arc;
use std::time::Instant;

use hrefdex_accounts::{AccountsError, Charge};
use hrefdex_api::catalogue::DataSource;
use hrefdex_api::encode::Answer;
use hrefdex_api::params::Params;
use hrefdex_api::{ApiError, OutputFormat, ParseOptions, Request};
use hrefdex_query::QueryError;

use crate::app::AppState;
use crate::metrics::Outcome;
use crate::reply::{Reply, answer_bytes};
use crate::snapshots::SnapshotError;
use crate::subscription;
use crate::tokens::Holder;

/// Answers one v2 request given its decoded parameters, recording metrics.
pub async fn handle(app: Arc<AppState>, params: Params) -> Reply {
    let started = Instant::now();
    let (table, reply) = respond(&app, &params).await;
    let outcome = match &reply {
        Reply::Answer { charged, .. } => {
            app.metrics.charged(*charged);
            Outcome::Answer
        }
        Reply::Error { error, .. } => {
            app.metrics.error(error);
            Outcome::Error
        }
        Reply::RateLimited { .. } => {
            app.metrics.error(&ApiError::RateLimited);
            Outcome::RateLimited
        }
    };
    app.metrics.request(table, outcome, started.elapsed());
    reply
}

async fn respond(app: &AppState, params: &Params) -> (Option<&'static str>, Reply) {
    let options = ParseOptions {
        require_token: true,
    };
    let request = match Request::parse(params, options) {
        Ok(r) => r,
        Err(error) => {
            let format = OutputFormat::for_errors(params);
            return (None, error_reply(error, format, None));
        }
    };
    let table = Some(request.table.name);
    (table, answer(app, &request).await)
}

async fn answer(app: &AppState, request: &Request) -> Reply {
    let format = request.output;
    // Parsing with `require_token` guarantees a token.
    let token = request.token.as_deref().unwrap_or_default();
    if let Err(retry_after) = app.limiter.check(token, Instant::now()) {
        return Reply::RateLimited {
            format,
            retry_after,
        };
    }
    if request.table.source == DataSource::Account {
        // The account's own counters: always read from the database.
        return match app.accounts.authenticate(token).await {
            Ok(Some(account)) => Reply::Answer {
                answer: Arc::new(subscription::answer(request, &account)),
                format,
                charged: 0,
                rows_left: account.rows_left,
            },
            Ok(None) => error_reply(ApiError::InvalidToken, format, None),
            Err(e) => billing_error("authenticating a token", &e, format),
        };
    }
    let mut holder = match known(app.tokens.authenticate(&app.accounts, token).await, format) {
        Ok(holder) => holder,
        Err(reply) => return reply,
    };
    if holder.rows_left < request.cost(0) {
        // The cached count may predate a top-up: read it again before refusing.
        holder = match known(app.tokens.refresh(&app.accounts, token).await, format) {
            Ok(holder) => holder,
            Err(reply) => return reply,
        };
        if holder.rows_left < request.cost(0) {
            return error_reply(ApiError::NoCredit, format, Some(holder.rows_left));
        }
    }
    let answer = match query(app, request).await {
        Ok(answer) => answer,
        Err(error) => return error_reply(error, format, Some(holder.rows_left)),
    };
    charge(app, request, token, holder, answer).await
}

async fn query(app: &AppState, request: &Request) -> Result<Arc<Answer>, ApiError> {
    let snapshot = app.snapshots.get(request.as_of).await.map_err(|e| {
        match &e {
            SnapshotError::Query(QueryError::Empty) => tracing::warn!("{e}"),
            _ => tracing::error!("opening the index for {}: {e}", request.table.name),
        }
        ApiError::Internal
    })?;
    let key = app.cache.key(snapshot.version.version, request);
    if let Some(hit) = key.as_deref().and_then(|k| app.cache.get(k)) {
        return Ok(hit);
    }
    let _slot = app
        .queries
        .acquire()
        .await
        .map_err(|_| ApiError::Internal)?;
    let memory_budget = usize::try_from(app.settings.memory_budget).unwrap_or(usize::MAX);
    let started = Instant::now();
    let answered = tokio::time::timeout(
        app.settings.time_budget,
        snapshot.answer_within(request, memory_budget),
    )
    .await;
    let answer = match answered {
        Err(_) => return Err(ApiError::Budget("time budget exceeded")),
        Ok(Err(QueryError::MemoryBudget(why))) => {
            tracing::info!("{} over its memory budget: {why}", request.table.name);
            return Err(ApiError::Budget("memory budget exceeded"));
        }
        Ok(Err(QueryError::NotYet(table))) => {
            tracing::warn!("table {table} is not answered yet by this version of hrefdex");
            return Err(ApiError::Internal);
        }
        Ok(Err(e)) => {
            tracing::error!("answering {}: {e}", request.table.name);
            return Err(ApiError::Internal);
        }
        // A query that never waits (its pages already in memory) finishes inside its
        // first poll, before the timer can fire: its time is checked here as well.
        Ok(Ok(_)) if started.elapsed() > app.settings.time_budget => {
            return Err(ApiError::Budget("time budget exceeded"));
        }
        Ok(Ok(answer)) => answer,
    };
    if answer_bytes(&answer) > app.settings.memory_budget {
        return Err(ApiError::Budget("memory budget exceeded"));
    }
    let answer = Arc::new(answer);
    if let Some(key) = key {
        app.cache.put(key, Arc::clone(&answer));
    }
    Ok(answer)
}

async fn charge(
    app: &AppState,
    request: &Request,
    token: &str,
    holder: Holder,
    answer: Arc<Answer>,
) -> Reply {
    let format = request.output;
    let cost = request.cost(answer.results_count() as u64);
    let charge = match app.accounts.charge(holder.id, cost).await {
        Ok(charge) => charge,
        Err(e) => {
            tracing::error!("charging account {}: {e}", holder.id);
            return error_reply(ApiError::InternalBilling, format, None);
        }
    };
    app.tokens.charged(token, charge);
    match charge {
        Charge::Charged { rows_left } => Reply::Answer {
            answer,
            format,
            charged: cost,
            rows_left,
        },
        Charge::NoCredit { rows_left } => error_reply(ApiError::NoCredit, format, Some(rows_left)),
        Charge::Revoked => error_reply(ApiError::InvalidToken, format, None),
    }
}

/// The holder of a valid token, or the reply for an invalid one or a failed lookup.
fn known(
    found: Result<Option<Holder>, AccountsError>,
    format: OutputFormat,
) -> Result<Holder, Reply> {
    match found {
        Ok(Some(holder)) => Ok(holder),
        Ok(None) => Err(error_reply(ApiError::InvalidToken, format, None)),
        Err(e) => Err(billing_error("authenticating a token", &e, format)),
    }
}

fn billing_error(doing: &str, error: &AccountsError, format: OutputFormat) -> Reply {
    tracing::error!("{doing}: {error}");
    error_reply(ApiError::InternalBilling, format, None)
}

fn error_reply(error: ApiError, format: OutputFormat, rows_left: Option<u64>) -> Reply {
    Reply::Error {
        error,
        format,
        rows_left,
    }
}
