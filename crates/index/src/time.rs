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

/// A moment that may be absent, in 8 bytes where `Option<i64>` takes 16. Every link
/// holds two (seen before, lost at), and an import holds every link in memory: 160 MB
/// at 10M links.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct MaybeTime(i64);

impl MaybeTime {
    /// No moment.
    pub const NONE: MaybeTime = MaybeTime(i64::MIN);

    /// The moment `secs`. `i64::MIN`, which stands for none, is no date a parser gives
    /// (chrono's range ends some 262,000 years out); it is taken as one second later.
    pub fn some(secs: i64) -> MaybeTime {
        MaybeTime(secs.max(i64::MIN + 1))
    }

    /// The moment, if there is one.
    pub fn get(self) -> Option<i64> {
        (self != MaybeTime::NONE).then_some(self.0)
    }

    /// Whether there is none.
    pub fn is_none(self) -> bool {
        self == MaybeTime::NONE
    }

    /// Whether there is one.
    pub fn is_some(self) -> bool {
        !self.is_none()
    }
}

impl Default for MaybeTime {
    fn default() -> Self {
        MaybeTime::NONE
    }
}

impl From<Option<i64>> for MaybeTime {
    fn from(secs: Option<i64>) -> Self {
        secs.map_or(MaybeTime::NONE, MaybeTime::some)
    }
}

impl std::fmt::Debug for MaybeTime {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.get().fmt(f)
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn none_is_none_and_the_smallest_time_is_still_a_time() {
        assert_eq!(MaybeTime::NONE.get(), None);
        assert_eq!(MaybeTime::default(), MaybeTime::NONE);
        assert_eq!(MaybeTime::some(i64::MIN).get(), Some(i64::MIN + 1));
        assert_eq!(format!("{:?}", MaybeTime::some(5)), "Some(5)");
    }

    proptest! {
        #[test]
        fn a_time_reads_back_as_given(secs in (i64::MIN + 1)..=i64::MAX) {
            prop_assert_eq!(MaybeTime::some(secs).get(), Some(secs));
            prop_assert_eq!(MaybeTime::from(Some(secs)).get(), Some(secs));
            prop_assert!(MaybeTime::some(secs).is_some());
        }
    }
}
