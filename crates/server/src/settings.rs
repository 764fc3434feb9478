//! The server's limits and intervals, resolved (the command line fills them in from
//! flags, environment and config file).

use std::time::Duration;

/// Limits and intervals of a running server.
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    /// Longest a query may run; past it the answer is `request too expensive: time budget
    /// exceeded` and nothing is charged.
    pub time_budget: Duration,
    /// Memory one request may hold, in bytes: its sorts, groupings and joins while it runs,
    /// and its answer (estimated from the rows) once done. Past it the answer is `request
    /// too expensive: memory budget exceeded` and nothing is charged.
    pub memory_budget: u64,
    /// Queries running at once; further requests wait for a slot (bounds total memory).
    pub max_concurrent_queries: usize,
    /// Requests per second allowed per token (0 turns rate limiting off).
    pub rate_limit: f64,
    /// Requests a token may send at once above its rate.
    pub rate_burst: u32,
    /// How often the server looks for a newer index version.
    pub refresh_interval: Duration,
    /// Bytes of answers kept for repeated requests on the same index version (0 turns the
    /// cache off). Cached answers are charged like any other.
    pub answer_cache: u64,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            time_budget: Duration::from_secs(30),
            memory_budget: 1 << 30,
            max_concurrent_queries: 16,
            rate_limit: 50.0,
            rate_burst: 100,
            refresh_interval: Duration::from_secs(1),
            answer_cache: 256 << 20,
        }
    }
}
