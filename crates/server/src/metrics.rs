//! Prometheus metrics, kept in memory and written in the text exposition format.
//!
//! * `hrefdex_requests_total{table,outcome}`: v2 requests by table (`none` before the
//!   table is known) and outcome (`answer`, `error`, `rate_limited`).
//! * `hrefdex_request_duration_seconds`: latency histogram of v2 requests.
//! * `hrefdex_errors_total{error}`: API errors by message, with the client's input
//!   replaced by `…` so that the label set stays small.
//! * `hrefdex_rows_charged_total`: rows charged to accounts.
//! * `hrefdex_index_version`: the index version answering requests.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Mutex;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::time::Duration;

use hrefdex_api::ApiError;

/// Upper bounds of the latency histogram's buckets, in seconds.
const BUCKETS: [f64; 12] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0,
];

/// How a v2 request ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Outcome {
    /// Data (or subscription info) was sent.
    Answer,
    /// An API error body was sent.
    Error,
    /// HTTP 429.
    RateLimited,
}

impl Outcome {
    fn label(self) -> &'static str {
        match self {
            Outcome::Answer => "answer",
            Outcome::Error => "error",
            Outcome::RateLimited => "rate_limited",
        }
    }
}

/// All counters of one server.
#[derive(Debug, Default)]
pub struct Metrics {
    requests: Mutex<BTreeMap<(&'static str, Outcome), u64>>,
    errors: Mutex<BTreeMap<&'static str, u64>>,
    buckets: [AtomicU64; BUCKETS.len()],
    latency_count: AtomicU64,
    latency_micros: AtomicU64,
    rows_charged: AtomicU64,
    index_version: AtomicI64,
}

impl Metrics {
    /// Records one finished v2 request.
    pub fn request(&self, table: Option<&'static str>, outcome: Outcome, took: Duration) {
        *lock(&self.requests)
            .entry((table.unwrap_or("none"), outcome))
            .or_default() += 1;
        let secs = took.as_secs_f64();
        for (bucket, bound) in self.buckets.iter().zip(BUCKETS) {
            if secs <= bound {
                bucket.fetch_add(1, Ordering::Relaxed);
            }
        }
        self.latency_count.fetch_add(1, Ordering::Relaxed);
        let micros = u64::try_from(took.as_micros()).unwrap_or(u64::MAX);
        self.latency_micros.fetch_add(micros, Ordering::Relaxed);
    }

    /// Records an API error sent to a client.
    pub fn error(&self, error: &ApiError) {
        *lock(&self.errors).entry(error_label(error)).or_default() += 1;
    }

    /// Records rows charged to an account.
    pub fn charged(&self, rows: u64) {
        self.rows_charged.fetch_add(rows, Ordering::Relaxed);
    }

    /// Records the index version now answering.
    pub fn index_version(&self, version: i64) {
        self.index_version.store(version, Ordering::Relaxed);
    }

    /// The metrics in Prometheus' text format.
    pub fn render(&self) -> String {
        let mut s = String::new();
        s.push_str("# HELP hrefdex_requests_total v2 requests by table and outcome.\n");
        s.push_str("# TYPE hrefdex_requests_total counter\n");
        for ((table, outcome), n) in lock(&self.requests).iter() {
            let _ = writeln!(
                s,
                "hrefdex_requests_total{{table=\"{table}\",outcome=\"{}\"}} {n}",
                outcome.label()
            );
        }
        s.push_str("# HELP hrefdex_request_duration_seconds Latency of v2 requests.\n");
        s.push_str("# TYPE hrefdex_request_duration_seconds histogram\n");
        for (bucket, bound) in self.buckets.iter().zip(BUCKETS) {
            let _ = writeln!(
                s,
                "hrefdex_request_duration_seconds_bucket{{le=\"{bound}\"}} {}",
                bucket.load(Ordering::Relaxed)
            );
        }
        let count = self.latency_count.load(Ordering::Relaxed);
        let _ = writeln!(
            s,
            "hrefdex_request_duration_seconds_bucket{{le=\"+Inf\"}} {count}"
        );
        let sum = self.latency_micros.load(Ordering::Relaxed) as f64 / 1e6;
        let _ = writeln!(s, "hrefdex_request_duration_seconds_sum {sum}");
        let _ = writeln!(s, "hrefdex_request_duration_seconds_count {count}");
        s.push_str("# HELP hrefdex_errors_total API errors sent, by message.\n");
        s.push_str("# TYPE hrefdex_errors_total counter\n");
        for (label, n) in lock(&self.errors).iter() {
            let _ = writeln!(s, "hrefdex_errors_total{{error=\"{label}\"}} {n}");
        }
        s.push_str("# HELP hrefdex_rows_charged_total Rows charged to accounts.\n");
        s.push_str("# TYPE hrefdex_rows_charged_total counter\n");
        let _ = writeln!(
            s,
            "hrefdex_rows_charged_total {}",
            self.rows_charged.load(Ordering::Relaxed)
        );
        s.push_str("# HELP hrefdex_index_version Index version answering requests.\n");
        s.push_str("# TYPE hrefdex_index_version gauge\n");
        let _ = writeln!(
            s,
            "hrefdex_index_version {}",
            self.index_version.load(Ordering::Relaxed)
        );
        s
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// An error's message with the client's input left out (a small, fixed label set).
pub fn error_label(error: &ApiError) -> &'static str {
    match error {
        ApiError::BadOutput(_) => "bad output: '…'",
        ApiError::BadTarget(_) => "bad target: '…'",
        ApiError::BadMode(_) => "bad mode: '…'",
        ApiError::Missing(_) => "…: mandatory parameter missing",
        ApiError::NotUtf8(_) => "…: value is not valid UTF-8",
        ApiError::SelectColumn(_) => "select: column '…' not found",
        ApiError::UnknownTable(_) => "from: table '…' not found",
        ApiError::OrderDirection(_) => "order_by: bad sorting direction '…'",
        ApiError::OrderSyntax => "order_by: bad syntax",
        ApiError::OrderColumn(_) => "order_by: column '…' not found",
        ApiError::FilterColumn { .. } => "…: column '…' not found",
        ApiError::FunctionColumn { .. } => "…: function '…' cannot be applied to column '…'",
        ApiError::UnknownFunction { .. } => "…: unknown function '…'",
        ApiError::Escape { .. } => "…: value '…' is not properly escaped",
        ApiError::ValueType { .. } => "…: value '…' must be a …",
        ApiError::FilterSyntax(_) | ApiError::ParamSyntax(_) => "…: bad syntax",
        ApiError::NoCredit => "no credit",
        ApiError::InvalidToken => "invalid token",
        ApiError::Internal => "internal error",
        ApiError::InternalBilling => "internal billing error",
        ApiError::Budget(_) => "request too expensive: …",
        ApiError::RateLimited => "rate limit exceeded",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_counters_and_a_cumulative_histogram() {
        let m = Metrics::default();
        m.request(Some("backlinks"), Outcome::Answer, Duration::from_millis(3));
        m.request(None, Outcome::Error, Duration::from_millis(30));
        m.error(&ApiError::BadMode("json".into()));
        m.charged(12);
        let text = m.render();
        assert!(text.contains("hrefdex_requests_total{table=\"backlinks\",outcome=\"answer\"} 1"));
        assert!(text.contains("hrefdex_requests_total{table=\"none\",outcome=\"error\"} 1"));
        assert!(text.contains("hrefdex_request_duration_seconds_bucket{le=\"0.005\"} 1"));
        assert!(text.contains("hrefdex_request_duration_seconds_bucket{le=\"0.05\"} 2"));
        assert!(text.contains("hrefdex_request_duration_seconds_count 2"));
        assert!(text.contains("hrefdex_errors_total{error=\"bad mode: '…'\"} 1"));
        assert!(text.contains("hrefdex_rows_charged_total 12"));
    }
}
