//! Shared state and routes: `GET /` and `POST /` (v2), `GET /health`, `GET /metrics`.

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use hrefdex_accounts::Accounts;
use hrefdex_api::params::Params;
use tokio::sync::Semaphore;
use tower_http::compression::CompressionLayer;

use crate::cache::AnswerCache;
use crate::metrics::Metrics;
use crate::rate_limit::RateLimiter;
use crate::settings::Settings;
use crate::snapshots::Snapshots;
use crate::tokens::TokenCache;
use crate::v2;

/// Everything a request handler reads.
#[derive(Debug)]
pub struct AppState {
    /// The index versions.
    pub snapshots: Arc<Snapshots>,
    /// The accounts store.
    pub accounts: Accounts,
    /// Counters.
    pub metrics: Arc<Metrics>,
    /// Accounts by token, read at most once a second per token.
    pub tokens: TokenCache,
    /// Per-token rate limit.
    pub limiter: RateLimiter,
    /// Query slots (at most `max_concurrent_queries` run at once).
    pub queries: Semaphore,
    /// Answers already computed.
    pub cache: AnswerCache,
    /// Limits.
    pub settings: Settings,
}

impl AppState {
    /// State over an engine's snapshots and an accounts store.
    pub fn new(snapshots: Arc<Snapshots>, accounts: Accounts, settings: Settings) -> AppState {
        AppState {
            snapshots,
            accounts,
            metrics: Arc::new(Metrics::default()),
            tokens: TokenCache::default(),
            limiter: RateLimiter::new(settings.rate_limit, settings.rate_burst),
            queries: Semaphore::new(settings.max_concurrent_queries.max(1)),
            cache: AnswerCache::new(settings.answer_cache),
            settings,
        }
    }
}

/// The routes, with gzip for clients that accept it.
pub fn router(state: Arc<AppState>) -> Router {
    Router::new()
        .route("/", get(v2_get).post(v2_post))
        .route("/health", get(health))
        .route("/metrics", get(metrics))
        .layer(CompressionLayer::new())
        .with_state(state)
}

async fn v2_get(State(app): State<Arc<AppState>>, RawQuery(query): RawQuery) -> Response {
    let params = Params::from_query(query.unwrap_or_default().as_bytes());
    v2::handle(app, params).await.into_response()
}

/// POST takes parameters from the URL and from a form body; the body wins on a clash.
async fn v2_post(
    State(app): State<Arc<AppState>>,
    RawQuery(query): RawQuery,
    body: Bytes,
) -> Response {
    let mut params = Params::from_query(query.unwrap_or_default().as_bytes());
    params.merge_form(&body);
    v2::handle(app, params).await.into_response()
}

async fn health(State(app): State<Arc<AppState>>) -> Response {
    let version = app.snapshots.version();
    let accounts = app.accounts.ping().await;
    let ok = version.is_some() && accounts.is_ok();
    let body = format!(
        "{{\"status\":\"{}\",\"index_version\":{},\"accounts\":\"{}\"}}",
        if ok { "ok" } else { "unavailable" },
        version.map_or_else(|| "null".to_owned(), |v| v.to_string()),
        if accounts.is_ok() {
            "ok"
        } else {
            "unavailable"
        },
    );
    let status = if ok {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    let json = HeaderValue::from_static("application/json; charset=utf-8");
    (status, [(header::CONTENT_TYPE, json)], body).into_response()
}

async fn metrics(State(app): State<Arc<AppState>>) -> Response {
    let text = HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8");
    ([(header::CONTENT_TYPE, text)], app.metrics.render()).into_response()
}
