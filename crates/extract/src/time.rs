//! Visit times: WARC dates (W3C-ISO8601, any precision) and ARC 14-digit stamps
//! into one RFC 3339 UTC form with whole seconds.

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};

const OUT: &str = "%Y-%m-%dT%H:%M:%SZ";

/// Normalises a WARC-Date or ARC date; `None` when it cannot be read.
pub fn normalize(raw: &str) -> Option<String> {
    let s = raw.trim();
    if s.len() >= 4 && s.bytes().all(|b| b.is_ascii_digit()) {
        // ARC: YYYYMMDDhhmmss, possibly shorter or with extra digits.
        let mut d = s[..s.len().min(14)].to_owned();
        while d.len() < 14 {
            d.push_str(if d.len() < 8 { "01" } else { "0" });
        }
        return NaiveDateTime::parse_from_str(&d, "%Y%m%d%H%M%S")
            .ok()
            .map(|t| t.and_utc().format(OUT).to_string());
    }
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t.with_timezone(&Utc).format(OUT).to_string());
    }
    for f in [
        "%Y-%m-%dT%H:%M:%S%z",
        "%Y-%m-%dT%H:%M:%S%.f%z",
        "%Y-%m-%dT%H:%M%z",
    ] {
        if let Ok(t) = DateTime::parse_from_str(s, f) {
            return Some(t.with_timezone(&Utc).format(OUT).to_string());
        }
    }
    let bare = s.trim_end_matches('Z');
    for f in [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%dT%H",
    ] {
        if let Ok(t) = NaiveDateTime::parse_from_str(bare, f) {
            return Some(t.and_utc().format(OUT).to_string());
        }
    }
    for f in ["%Y-%m-%d", "%Y-%m"] {
        let padded = if f == "%Y-%m" {
            format!("{bare}-01")
        } else {
            bare.to_owned()
        };
        if let Ok(d) = NaiveDate::parse_from_str(&padded, "%Y-%m-%d") {
            return d
                .and_hms_opt(0, 0, 0)
                .map(|t| t.and_utc().format(OUT).to_string());
        }
    }
    if bare.len() == 4 && bare.bytes().all(|b| b.is_ascii_digit()) {
        return Some(format!("{bare}-01-01T00:00:00Z"));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::normalize;

    #[test]
    fn forms() {
        assert_eq!(
            normalize("2014-01-27T17:12:38Z").as_deref(),
            Some("2014-01-27T17:12:38Z")
        );
        assert_eq!(
            normalize("2021-10-01T18:51:25.123456Z").as_deref(),
            Some("2021-10-01T18:51:25Z")
        );
        assert_eq!(
            normalize("2008-10-29T05:21:46-0700").as_deref(),
            Some("2008-10-29T12:21:46Z")
        );
        assert_eq!(
            normalize("20140301000000").as_deref(),
            Some("2014-03-01T00:00:00Z")
        );
        assert_eq!(
            normalize("2014-03-25T12:12Z").as_deref(),
            Some("2014-03-25T12:12:00Z")
        );
        assert_eq!(normalize("2008-10-294T05:21:46-0700"), None);
    }
}
