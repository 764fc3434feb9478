//! The Ahrefs API v2 contract, independent of any storage or transport.
//!
//! * [`catalogue`]: the 25 tables (columns, flags, costs, extra tables, default order).
//! * [`params`]: form decoding of a query string or POST body into raw parameters.
//! * [`request`]: the validated [`Request`]: table, target key ranges, typed conditions,
//!   order, limit, offset, output format; every failure is an [`ApiError`] whose text is
//!   the v2 document's, word for word.
//! * [`encode`]: answer and error bodies in `json`, `xml` and `php`.
//!
//! Flow: query string → [`params::Params`] → [`Request::parse`] → (planner, elsewhere) →
//! [`encode::Answer`] → bytes. Nothing here touches data, so every check happens before
//! a single row is read.

pub mod catalogue;
pub mod encode;
mod error;
pub mod filter;
pub mod params;
pub mod request;
pub mod value;

pub use error::ApiError;
pub use request::{OutputFormat, ParseOptions, Request};
