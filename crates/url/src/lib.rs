//! URLs and keys: the one vocabulary every other hrefdex crate uses for "where".
//!
//! * [`NormalUrl`] is the single stored form of a URL: percent-encoded, lower-case
//!   scheme and host, IDNA (punycode) host, no default port, no fragment, no user info,
//!   `/` for an empty path, percent-escapes in upper case and unreserved bytes decoded.
//! * [`surt`] turns a URL into its **SURT** sort key (`com,example)/path?query`): host
//!   labels reversed, a leading `www.` dropped, scheme left out. Sorting links by this key
//!   puts every target mode's rows into one to three contiguous ranges.
//! * [`domain`] computes registrable domains with the public suffix list (the `psl`
//!   crate embeds it) and decides internal versus external links.
//! * [`target`] parses an API `target` (host, host + path, or URL, with or without scheme)
//!   and turns it with a [`Mode`] into [`KeyRange`]s over SURT keys.
//!
//! Data flow: raw href → [`NormalUrl::resolve`] → [`NormalUrl::surt_key`] → stored and sorted;
//! raw target → [`Target::parse`] → [`Target::key_ranges`] → range scan.
//! This crate has no I/O and no heavy dependencies, so it builds and tests in seconds.

pub mod domain;
mod error;
mod normal;
pub mod surt;
pub mod target;

pub use domain::{is_internal, registrable_domain};
pub use error::UrlError;
pub use normal::NormalUrl;
pub use target::{KeyRange, Mode, Target};
