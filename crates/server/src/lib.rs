//! The hrefdex HTTP server: the Ahrefs API v2 endpoint with accounts and credits.
//!
//! One job: turn HTTP requests into charged v2 answers, within limits, observably.
//!
//! * [`Server`]: binds a listener, keeps the index version current, serves until a
//!   shutdown signal, then finishes the requests in flight.
//! * `app`: routes (`GET`/`POST /`, `/health`, `/metrics`) and shared state; gzip for
//!   clients that accept it.
//! * `v2`: one request, in the order of spec/DECISIONS.md §10–12: parse → rate limit →
//!   token → credit → query (time budget) → memory budget → charge → answer.
//! * `reply`: status, headers (`X-Status`, `X-Results-Count`, `X-Rows-Charged`,
//!   `X-Rows-Left`, `Retry-After`) and streamed bodies.
//! * [`snapshots`]: the current index version, refreshed in the background.
//! * [`cache`]: answers by index version and request (exact: versions are immutable).
//! * [`tokens`]: accounts by token for a second, so a busy token is not read from the
//!   accounts database on every request (the charge stays the authority).
//! * [`metrics`], [`rate_limit`], [`settings`], [`shutdown`].
//!
//! Accounts live in `hrefdex-accounts`; the query engine in `hrefdex-query`; the v2
//! contract (parsing, errors, encoders, costs) in `hrefdex-api`.

mod app;
pub mod cache;
pub mod metrics;
pub mod rate_limit;
mod reply;
pub mod settings;
pub mod shutdown;
pub mod snapshots;
mod subscription;
pub mod tokens;
mod v2;

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;

use hrefdex_accounts::Accounts;
use hrefdex_query::Engine;
use tokio::net::TcpListener;

pub use reply::{X_RESULTS_COUNT, X_ROWS_CHARGED, X_ROWS_LEFT, X_STATUS};
pub use settings::Settings;

use crate::app::AppState;
use crate::snapshots::Snapshots;

/// A bound server, ready to run.
#[derive(Debug)]
pub struct Server {
    listener: TcpListener,
    state: Arc<AppState>,
}

impl Server {
    /// Binds `addr` (port 0 picks a free port) over an engine and an accounts store.
    pub async fn bind(
        addr: SocketAddr,
        engine: Engine,
        accounts: Accounts,
        settings: Settings,
    ) -> std::io::Result<Server> {
        let listener = TcpListener::bind(addr).await?;
        let snapshots = Arc::new(Snapshots::new(engine));
        let state = Arc::new(AppState::new(snapshots, accounts, settings));
        Ok(Server { listener, state })
    }

    /// The address actually bound.
    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// Serves until `shutdown` completes, then stops accepting, lets requests in flight
    /// finish, and closes the accounts store.
    pub async fn run(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        let state = self.state;
        // Load the latest version before the first request (an empty index is served
        // too: requests answer `internal error` and /health says unavailable until an
        // import finishes).
        match state.snapshots.refresh().await {
            Ok(version) => state
                .metrics
                .index_version(i64::try_from(version).unwrap_or(i64::MAX)),
            Err(e) => tracing::warn!("index: {e}"),
        }
        let refresher = tokio::spawn(snapshots::refresh_forever(
            Arc::clone(&state.snapshots),
            Arc::clone(&state.metrics),
            state.settings.refresh_interval,
        ));
        let result = axum::serve(self.listener, app::router(Arc::clone(&state)))
            .with_graceful_shutdown(shutdown)
            .await;
        refresher.abort();
        state.accounts.close().await;
        result
    }
}
