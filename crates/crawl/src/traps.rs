//! Crawler traps: URL spaces that never end (session ids, calendars, endless parameter
//! combinations, paths that repeat themselves). Pure: the rules look at URLs only.
//!
//! - **Session ids** are not a trap but a disguise: [`strip_session_ids`] removes them,
//!   so that the same page with a new id is a known URL.
//! - **Calendars**: a year in the path or query more than [`MAX_YEARS_AHEAD`] ahead or
//!   [`MAX_YEARS_BACK`] behind the crawl's year, or more than [`MAX_URLS_PER_SHAPE`] dated
//!   URLs (naming a year) of one *shape* (the path with every digit run replaced by `0`)
//!   on one host.
//! - **Parameter explosion**: more than [`MAX_QUERY_PARAMS`] parameters, or more than
//!   [`MAX_QUERY_VARIANTS`] different queries on one host and path.
//! - **Repeating paths**: a segment that appears more than [`MAX_SEGMENT_REPEATS`]
//!   times, or more than [`MAX_PATH_SEGMENTS`] segments.
//! - **Length**: URLs longer than [`MAX_URL_LEN`].
//!
//! The per-host page cap lives with the frontier ([`crate::Frontier`]).

use std::collections::HashMap;
use std::fmt;

use hrefdex_url::NormalUrl;

/// Most query parameters on a URL.
pub const MAX_QUERY_PARAMS: usize = 8;
/// Most distinct queries on one host and path.
pub const MAX_QUERY_VARIANTS: u32 = 64;
/// Most dated URLs of one shape (digits masked) on one host.
pub const MAX_URLS_PER_SHAPE: u32 = 256;
/// Years ahead of the crawl's year that a calendar may link to.
pub const MAX_YEARS_AHEAD: i32 = 2;
/// Years behind the crawl's year that a calendar may link to.
pub const MAX_YEARS_BACK: i32 = 30;
/// Most times one path segment may appear.
pub const MAX_SEGMENT_REPEATS: usize = 3;
/// Most path segments.
pub const MAX_PATH_SEGMENTS: usize = 24;
/// Longest URL crawled.
pub const MAX_URL_LEN: usize = 2048;

/// Query parameter names that carry a session id (compared lower-case).
const SESSION_PARAMS: [&str; 9] = [
    "jsessionid",
    "phpsessid",
    "sessionid",
    "session_id",
    "sid",
    "aspsessionid",
    "cfid",
    "cftoken",
    "zenid",
];

/// Why a URL is not crawled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TrapKind {
    /// A year far from now (an endless calendar).
    Calendar,
    /// Too many URLs of one shape on one host.
    Shape,
    /// Too many parameters, or too many queries on one path.
    Parameters,
    /// A path that repeats itself or is too deep.
    RepeatingPath,
    /// Too long.
    Length,
}

impl fmt::Display for TrapKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TrapKind::Calendar => "calendar",
            TrapKind::Shape => "shape",
            TrapKind::Parameters => "parameters",
            TrapKind::RepeatingPath => "repeating-path",
            TrapKind::Length => "length",
        })
    }
}

/// `url` without session-id parameters (and without a `;jsessionid=…` path suffix).
pub fn strip_session_ids(url: &NormalUrl) -> NormalUrl {
    let mut u = url.to_url();
    let mut changed = false;
    let path = u.path().to_owned();
    if let Some(i) = path.to_ascii_lowercase().find(";jsessionid=") {
        u.set_path(&path[..i]);
        changed = true;
    }
    if u.query().is_some() {
        let kept: Vec<(String, String)> = u
            .query_pairs()
            .filter(|(k, _)| {
                let k = k.to_ascii_lowercase();
                !SESSION_PARAMS
                    .iter()
                    .any(|s| k == *s || k.starts_with("aspsessionid"))
            })
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        if kept.len() != u.query_pairs().count() {
            changed = true;
            if kept.is_empty() {
                u.set_query(None);
            } else {
                u.query_pairs_mut().clear().extend_pairs(kept);
            }
        }
    }
    if !changed {
        return url.clone();
    }
    NormalUrl::from_url(u).unwrap_or_else(|_| url.clone())
}

/// Trap rules with the per-host counts they need.
#[derive(Debug, Default)]
pub struct TrapFilter {
    year: i32,
    shapes: HashMap<(String, String), u32>,
    queries: HashMap<(String, String), u32>,
}

impl TrapFilter {
    /// A filter for a crawl running in `year`.
    pub fn new(year: i32) -> TrapFilter {
        TrapFilter {
            year,
            ..TrapFilter::default()
        }
    }

    /// Checks a new URL (never seen before) and, when it passes, counts it.
    pub fn admit(&mut self, url: &NormalUrl) -> Result<(), TrapKind> {
        let text = url.as_str();
        if text.len() > MAX_URL_LEN {
            return Err(TrapKind::Length);
        }
        let pq = url.path_and_query();
        let (path, query) = pq.split_once('?').unwrap_or((pq, ""));
        check_path(path)?;
        if !query.is_empty() && query.split('&').count() > MAX_QUERY_PARAMS {
            return Err(TrapKind::Parameters);
        }
        if years(pq).any(|y| y > self.year + MAX_YEARS_AHEAD || y < self.year - MAX_YEARS_BACK) {
            return Err(TrapKind::Calendar);
        }
        let host = url.host().to_owned();
        // Only dated URLs are counted by shape: `/item/123` shapes are ordinary
        // catalogues (the per-host cap bounds them), `/cal/2026/11` ones are calendars.
        let dated = years(pq).next().is_some();
        let shape_key = (host.clone(), if dated { shape(pq) } else { String::new() });
        if dated && self.shapes.get(&shape_key).copied().unwrap_or(0) >= MAX_URLS_PER_SHAPE {
            return Err(TrapKind::Shape);
        }
        let query_key = (host, path.to_owned());
        if !query.is_empty()
            && self.queries.get(&query_key).copied().unwrap_or(0) >= MAX_QUERY_VARIANTS
        {
            return Err(TrapKind::Parameters);
        }
        if dated {
            *self.shapes.entry(shape_key).or_default() += 1;
        }
        if !query.is_empty() {
            *self.queries.entry(query_key).or_default() += 1;
        }
        Ok(())
    }
}

fn check_path(path: &str) -> Result<(), TrapKind> {
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    if segments.len() > MAX_PATH_SEGMENTS {
        return Err(TrapKind::RepeatingPath);
    }
    let mut counts: HashMap<&str, usize> = HashMap::new();
    for s in segments {
        let n = counts.entry(s).or_default();
        *n += 1;
        if *n > MAX_SEGMENT_REPEATS {
            return Err(TrapKind::RepeatingPath);
        }
    }
    Ok(())
}

/// Four-digit runs between 1900 and 2199 that stand alone (not part of a longer
/// number): the years a calendar URL names.
fn years(s: &str) -> impl Iterator<Item = i32> + '_ {
    s.split(|c: char| !c.is_ascii_digit())
        .filter(|run| run.len() == 4)
        .filter_map(|run| run.parse::<i32>().ok())
        .filter(|y| (1900..2200).contains(y))
}

/// The path and query with every run of digits replaced by one `0`.
fn shape(pq: &str) -> String {
    let mut out = String::with_capacity(pq.len());
    let mut in_digits = false;
    for c in pq.chars() {
        if c.is_ascii_digit() {
            if !in_digits {
                out.push('0');
            }
            in_digits = true;
        } else {
            out.push(c);
            in_digits = false;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn u(s: &str) -> NormalUrl {
        NormalUrl::parse(s).unwrap()
    }

    #[test]
    fn session_ids_are_stripped() {
        assert_eq!(
            strip_session_ids(&u("http://a.example/p?PHPSESSID=abc&x=1")).as_str(),
            "http://a.example/p?x=1"
        );
        assert_eq!(
            strip_session_ids(&u("http://a.example/p;jsessionid=XYZ?sid=2")).as_str(),
            "http://a.example/p"
        );
        let plain = u("http://a.example/p?page=2");
        assert_eq!(strip_session_ids(&plain), plain);
    }

    #[test]
    fn calendars_stop_at_the_year_window_and_by_shape() {
        let mut f = TrapFilter::new(2026);
        assert_eq!(f.admit(&u("http://a.example/cal/2027/01")), Ok(()));
        assert_eq!(f.admit(&u("http://a.example/cal/2028/12")), Ok(()));
        assert_eq!(
            f.admit(&u("http://a.example/cal/2029/01")),
            Err(TrapKind::Calendar)
        );
        assert_eq!(
            f.admit(&u("http://a.example/day?date=1990-01-01")),
            Err(TrapKind::Calendar)
        );
        // Not a year: part of a longer number.
        assert_eq!(f.admit(&u("http://a.example/item/1234567")), Ok(()));
        let mut g = TrapFilter::new(2026);
        let mut refused = 0;
        for i in 0..300 {
            if g.admit(&u(&format!("http://a.example/day/2026/{i}")))
                .is_err()
            {
                refused += 1;
            }
        }
        assert_eq!(refused, 300 - MAX_URLS_PER_SHAPE);
        // Another host has its own count; undated numbered pages are not counted.
        assert_eq!(g.admit(&u("http://b.example/day/2026/1")), Ok(()));
        for i in 0..300 {
            assert_eq!(g.admit(&u(&format!("http://a.example/item/{i}"))), Ok(()));
        }
    }

    #[test]
    fn parameters_and_paths() {
        let mut f = TrapFilter::new(2026);
        assert_eq!(
            f.admit(&u("http://a.example/s?a=1&b=2&c=3&d=4&e=5&f=6&g=7&h=8&i=9")),
            Err(TrapKind::Parameters)
        );
        let mut refused = 0;
        for i in 0..100 {
            if f.admit(&u(&format!("http://a.example/s?sort=x{i}")))
                .is_err()
            {
                refused += 1;
            }
        }
        assert!(refused > 0 && refused <= 100 - MAX_QUERY_VARIANTS);
        assert_eq!(
            f.admit(&u("http://a.example/a/b/a/b/a/b/a/b")),
            Err(TrapKind::RepeatingPath)
        );
        let long = format!("http://a.example/{}", "x".repeat(MAX_URL_LEN));
        assert_eq!(f.admit(&u(&long)), Err(TrapKind::Length));
    }
}
