//! Time helpers: the index keeps moments as seconds since the Unix epoch (UTC).

use chrono::{TimeZone, Utc};

/// `YYYY-MM-DDTHH:MM:SSZ`, as the API prints datetimes.
pub fn format(secs: i64) -> String {
    Utc.timestamp_opt(secs, 0).single().map_or_else(
        || secs.to_string(),
        |t| t.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
    )
}

/// Days since 1970-01-01.
pub fn day(secs: i64) -> i32 {
    secs.div_euclid(86_400) as i32
}
