//! HTTP responses for v2 requests: answers (streamed), API errors, and HTTP 429.
//!
//! Every v2 response has status 200 (except 429), the format's `Content-Type`,
//! `X-Results-Count`, and the cost headers `X-Rows-Charged` / `X-Rows-Left` (the latter
//! when the account is known). Errors add `X-Status: error`.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use hrefdex_api::encode::{Answer, BodyEncoder, Extras, encode_error};
use hrefdex_api::{ApiError, OutputFormat};

/// Rows encoded per body chunk.
const ROWS_PER_CHUNK: usize = 512;

/// `X-Status`.
pub const X_STATUS: HeaderName = HeaderName::from_static("x-status");
/// `X-Results-Count`.
pub const X_RESULTS_COUNT: HeaderName = HeaderName::from_static("x-results-count");
/// `X-Rows-Charged`.
pub const X_ROWS_CHARGED: HeaderName = HeaderName::from_static("x-rows-charged");
/// `X-Rows-Left`.
pub const X_ROWS_LEFT: HeaderName = HeaderName::from_static("x-rows-left");

/// What a v2 request is answered with.
#[derive(Debug)]
pub enum Reply {
    /// Data, charged.
    Answer {
        /// The rows (shared with the answer cache).
        answer: Arc<Answer>,
        /// Body format.
        format: OutputFormat,
        /// Rows charged for it.
        charged: u64,
        /// Rows left on the account afterwards.
        rows_left: u64,
    },
    /// An API error (HTTP 200, `X-Status: error`).
    Error {
        /// The error.
        error: ApiError,
        /// Body format.
        format: OutputFormat,
        /// Rows left, when the account is known.
        rows_left: Option<u64>,
    },
    /// Too many requests (HTTP 429).
    RateLimited {
        /// Body format.
        format: OutputFormat,
        /// Time until the next request is allowed.
        retry_after: Duration,
    },
}

impl IntoResponse for Reply {
    fn into_response(self) -> Response {
        match self {
            Reply::Answer {
                answer,
                format,
                charged,
                rows_left,
            } => {
                let mut headers = common(format, answer.results_count());
                headers.insert(X_ROWS_CHARGED, HeaderValue::from(charged));
                headers.insert(X_ROWS_LEFT, HeaderValue::from(rows_left));
                (StatusCode::OK, headers, stream(answer, format)).into_response()
            }
            Reply::Error {
                error,
                format,
                rows_left,
            } => {
                let mut headers = error_headers(format);
                if let Some(left) = rows_left {
                    headers.insert(X_ROWS_LEFT, HeaderValue::from(left));
                }
                (StatusCode::OK, headers, encode_error(&error, format)).into_response()
            }
            Reply::RateLimited {
                format,
                retry_after,
            } => {
                let mut headers = error_headers(format);
                let secs = retry_after.as_secs() + u64::from(retry_after.subsec_nanos() > 0);
                headers.insert(header::RETRY_AFTER, HeaderValue::from(secs.max(1)));
                let body = encode_error(&ApiError::RateLimited, format);
                (StatusCode::TOO_MANY_REQUESTS, headers, body).into_response()
            }
        }
    }
}

fn common(format: OutputFormat, results: usize) -> HeaderMap {
    let mut headers = HeaderMap::new();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(format.content_type()),
    );
    headers.insert(X_RESULTS_COUNT, HeaderValue::from(results));
    headers
}

fn error_headers(format: OutputFormat) -> HeaderMap {
    let mut headers = common(format, 0);
    headers.insert(X_STATUS, HeaderValue::from_static("error"));
    headers.insert(X_ROWS_CHARGED, HeaderValue::from(0u64));
    headers
}

/// The answer's body, encoded chunk by chunk as the client reads it.
fn stream(answer: Arc<Answer>, format: OutputFormat) -> Body {
    let encoder = BodyEncoder::new(format, answer.table, answer.columns.clone());
    let chunks = Chunks {
        answer,
        encoder,
        next: 0,
        state: State::Begin,
    };
    Body::from_stream(futures_util::stream::iter(chunks.map(Ok::<_, Infallible>)))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Begin,
    Rows,
    Done,
}

struct Chunks {
    answer: Arc<Answer>,
    encoder: BodyEncoder,
    next: usize,
    state: State,
}

impl Iterator for Chunks {
    type Item = Bytes;

    fn next(&mut self) -> Option<Bytes> {
        let mut out = Vec::new();
        match self.state {
            State::Done => return None,
            State::Begin => {
                self.encoder.begin(&mut out);
                self.state = State::Rows;
            }
            State::Rows => {
                let end = (self.next + ROWS_PER_CHUNK).min(self.answer.rows.len());
                for row in &self.answer.rows[self.next..end] {
                    self.encoder.row(&mut out, row);
                }
                self.next = end;
                if end == self.answer.rows.len() {
                    self.encoder.finish(&mut out, &self.answer.extras);
                    self.state = State::Done;
                }
            }
        }
        Some(Bytes::from(out))
    }
}

/// Whether an answer is small enough to hold: its estimated size in bytes.
pub fn answer_bytes(answer: &Answer) -> u64 {
    use hrefdex_api::value::Value;
    let per_value = std::mem::size_of::<Value>() as u64;
    let mut total = 0u64;
    for row in &answer.rows {
        total += per_value * row.len() as u64 + 24;
        for v in row {
            if let Value::Str(s) = v {
                total += s.len() as u64;
            }
        }
    }
    total + extras_bytes(&answer.extras)
}

fn extras_bytes(extras: &Extras) -> u64 {
    extras.tlds.iter().map(|(t, _)| t.len() as u64 + 32).sum()
}
