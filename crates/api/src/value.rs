//! Typed values: what filters compare against and what answers carry.

use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeZone, Utc};
use serde::Serialize;

use crate::catalogue::ColumnType;

/// One typed value of a column.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", content = "value", rename_all = "lowercase")]
pub enum Value {
    /// No value: printed as `""` for text and dates, `0` for numbers, `false` for booleans.
    Null,
    /// An integer.
    Int(i64),
    /// A float.
    Float(f64),
    /// Text.
    Str(String),
    /// A moment, in seconds since the Unix epoch (UTC).
    Date(i64),
    /// A calendar day, in days since 1970-01-01.
    Day(i32),
    /// A boolean.
    Bool(bool),
}

/// Parses `YYYY-MM-DD` (midnight UTC), `YYYY-MM-DDTHH:MM:SS[Z]` or `YYYY-MM-DD HH:MM:SS`
/// into seconds since the epoch.
pub fn parse_datetime(s: &str) -> Option<i64> {
    let s = s.trim();
    if let Ok(d) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        return Some(d.and_hms_opt(0, 0, 0)?.and_utc().timestamp());
    }
    if let Ok(dt) = DateTime::parse_from_rfc3339(s) {
        return Some(dt.timestamp());
    }
    let s = s.strip_suffix('Z').unwrap_or(s);
    for fmt in ["%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S"] {
        if let Ok(dt) = NaiveDateTime::parse_from_str(s, fmt) {
            return Some(dt.and_utc().timestamp());
        }
    }
    None
}

/// Formats seconds since the epoch as `YYYY-MM-DDTHH:MM:SSZ`.
pub fn format_datetime(secs: i64) -> String {
    match Utc.timestamp_opt(secs, 0).single() {
        Some(dt) => dt.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
        None => String::new(),
    }
}

/// Days since 1970-01-01 of a moment.
pub fn day_of(secs: i64) -> i32 {
    secs.div_euclid(86_400) as i32
}

/// Formats days since 1970-01-01 as `YYYY-MM-DD`.
pub fn format_day(day: i32) -> String {
    format_datetime(i64::from(day) * 86_400)[..10].to_owned()
}

impl Value {
    /// The value as text in an answer (`None` for values that are not text-like).
    pub fn as_text(&self) -> Option<String> {
        match self {
            Value::Str(s) => Some(s.clone()),
            Value::Date(s) => Some(format_datetime(*s)),
            Value::Day(d) => Some(format_day(*d)),
            _ => None,
        }
    }

    /// The null value as a column of type `ty` prints it.
    pub fn default_for(ty: ColumnType) -> Value {
        match ty {
            ColumnType::Int => Value::Int(0),
            ColumnType::Float => Value::Float(0.0),
            ColumnType::Bool => Value::Bool(false),
            ColumnType::Str | ColumnType::Date | ColumnType::Day => Value::Str(String::new()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_round_trip() {
        let t = parse_datetime("2013-10-27T20:42:14Z").unwrap();
        assert_eq!(format_datetime(t), "2013-10-27T20:42:14Z");
        assert_eq!(
            parse_datetime("2013-10-27"),
            parse_datetime("2013-10-27T00:00:00Z")
        );
        assert_eq!(parse_datetime("2013-10-27 20:42:14"), Some(t));
        assert_eq!(parse_datetime("2013-10-27T22:42:14+02:00"), Some(t));
        assert_eq!(format_day(day_of(t)), "2013-10-27");
        assert_eq!(parse_datetime("2013-13-01"), None);
        assert_eq!(parse_datetime("yesterday"), None);
        assert_eq!(format_day(day_of(-1)), "1969-12-31");
    }
}
