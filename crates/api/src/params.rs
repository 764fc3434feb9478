//! Form decoding of v2 requests.
//!
//! Standard `application/x-www-form-urlencoded` rules: `&` separates pairs, the first `=`
//! splits name from value, `+` and `%20` are spaces, `%XX` is a byte. Raw `/ , : ( ) "` in
//! values pass through unchanged. A parameter given twice keeps its last value; `orderBy`
//! is the same parameter as `order_by`. Values stay bytes until read, so that invalid
//! UTF-8 is reported as `<parameter>: value is not valid UTF-8` (hand-written for that
//! reason: `form_urlencoded` replaces invalid bytes silently).

use std::collections::HashMap;

use percent_encoding::percent_decode;

use crate::ApiError;

/// Decoded request parameters, by name.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Params {
    values: HashMap<String, Vec<u8>>,
}

impl Params {
    /// Decodes a query string (with or without the leading `?`).
    pub fn from_query(query: &[u8]) -> Params {
        let mut p = Params::default();
        p.merge_form(query);
        p
    }

    /// Adds the pairs of a form body (or another query string); later pairs win, so a
    /// POST body merged after the URL query wins on a clash.
    pub fn merge_form(&mut self, form: &[u8]) {
        let form = form.strip_prefix(b"?").unwrap_or(form);
        for pair in form.split(|&b| b == b'&') {
            if pair.is_empty() {
                continue;
            }
            let (name, value) = match pair.iter().position(|&b| b == b'=') {
                Some(i) => (&pair[..i], &pair[i + 1..]),
                None => (pair, &b""[..]),
            };
            let name = String::from_utf8_lossy(&decode(name)).into_owned();
            let name = if name == "orderBy" {
                "order_by".to_owned()
            } else {
                name
            };
            self.values.insert(name, decode(value));
        }
    }

    /// Sets one parameter (used by tests and by callers that build requests).
    pub fn set(&mut self, name: &str, value: &str) {
        self.values
            .insert(name.to_owned(), value.as_bytes().to_vec());
    }

    /// The value of `name`: `Ok(None)` when absent, an error when it is not UTF-8.
    pub fn get(&self, name: &str) -> Result<Option<&str>, ApiError> {
        match self.values.get(name) {
            None => Ok(None),
            Some(bytes) => std::str::from_utf8(bytes)
                .map(Some)
                .map_err(|_| ApiError::NotUtf8(name.to_owned())),
        }
    }

    /// Like [`Params::get`], with an empty value treated as absent.
    pub fn get_nonempty(&self, name: &str) -> Result<Option<&str>, ApiError> {
        Ok(self.get(name)?.filter(|v| !v.trim().is_empty()))
    }
}

fn decode(bytes: &[u8]) -> Vec<u8> {
    let plus_as_space: Vec<u8> = bytes
        .iter()
        .map(|&b| if b == b'+' { b' ' } else { b })
        .collect();
    percent_decode(&plus_as_space).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_plus_percent_and_raw_punctuation() {
        let p =
            Params::from_query(b"?where=anchor%3D%22a+b%20c%22&order_by=x:desc&target=a.com/b,(c)");
        assert_eq!(p.get("where").unwrap(), Some("anchor=\"a b c\""));
        assert_eq!(p.get("order_by").unwrap(), Some("x:desc"));
        assert_eq!(p.get("target").unwrap(), Some("a.com/b,(c)"));
        assert_eq!(p.get("nope").unwrap(), None);
    }

    #[test]
    fn last_value_wins_and_order_by_alias() {
        let p = Params::from_query(b"limit=1&limit=2&order_by=a&orderBy=b");
        assert_eq!(p.get("limit").unwrap(), Some("2"));
        assert_eq!(p.get("order_by").unwrap(), Some("b"));
    }

    #[test]
    fn body_wins_over_query() {
        let mut p = Params::from_query(b"from=backlinks&limit=5");
        p.merge_form(b"limit=7");
        assert_eq!(p.get("limit").unwrap(), Some("7"));
        assert_eq!(p.get("from").unwrap(), Some("backlinks"));
    }

    #[test]
    fn invalid_utf8_is_reported_per_parameter() {
        let p = Params::from_query(b"target=%FF%FE&x=%C3");
        assert_eq!(
            p.get("target").unwrap_err().to_string(),
            "target: value is not valid UTF-8"
        );
        assert!(p.get("x").is_err());
    }

    #[test]
    fn empty_and_valueless_pairs() {
        let p = Params::from_query(b"&&token&where=&a=%");
        assert_eq!(p.get("token").unwrap(), Some(""));
        assert_eq!(p.get_nonempty("where").unwrap(), None);
        assert_eq!(p.get("a").unwrap(), Some("%"));
    }
}
