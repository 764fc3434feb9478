//! New and lost referring domains, derived from link events.
//!
//! For a set of link events (those of the links into one target range), a referring
//! domain is **new** on the day its first live link appears, and **lost** on the day its
//! last live link disappears. Events at the same moment are applied new-before-lost, so
//! one page swapping a link for another on the same domain loses nothing.

use rustc_hash::FxHashMap;

use crate::state::EventKind;
use crate::time::day;

/// One link event, reduced to what the domain sweep needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DomainLinkEvent<'a> {
    /// When, in seconds since the epoch.
    pub time: i64,
    /// The referring domain.
    pub domain: &'a str,
    /// New or lost.
    pub kind: EventKind,
}

/// A referring domain appearing or disappearing on a day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefdomainEvent {
    /// Days since 1970-01-01.
    pub day: i32,
    /// When exactly.
    pub time: i64,
    /// The referring domain.
    pub domain: String,
    /// New or lost.
    pub kind: EventKind,
}

/// Sweeps link events in time order and reports domain transitions (0 → 1 live links is
/// new, 1 → 0 is lost). The input may be in any order.
pub fn refdomain_events(mut events: Vec<DomainLinkEvent<'_>>) -> Vec<RefdomainEvent> {
    events.sort_by(|a, b| {
        a.time
            .cmp(&b.time)
            .then(a.kind.cmp(&b.kind))
            .then(a.domain.cmp(b.domain))
    });
    let mut live: FxHashMap<&str, u64> = FxHashMap::default();
    let mut out = Vec::new();
    for e in events {
        let count = live.entry(e.domain).or_default();
        match e.kind {
            EventKind::New => {
                *count += 1;
                if *count == 1 {
                    out.push(RefdomainEvent {
                        day: day(e.time),
                        time: e.time,
                        domain: e.domain.to_owned(),
                        kind: EventKind::New,
                    });
                }
            }
            EventKind::Lost => {
                if *count == 0 {
                    continue; // its "new" lies outside the events given
                }
                *count -= 1;
                if *count == 0 {
                    out.push(RefdomainEvent {
                        day: day(e.time),
                        time: e.time,
                        domain: e.domain.to_owned(),
                        kind: EventKind::Lost,
                    });
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(time: i64, domain: &str, kind: EventKind) -> DomainLinkEvent<'_> {
        DomainLinkEvent { time, domain, kind }
    }

    #[test]
    fn first_link_in_is_new_and_last_link_out_is_lost() {
        use EventKind::{Lost, New};
        let d = 86_400;
        let out = refdomain_events(vec![
            ev(3 * d, "a.com", Lost),
            ev(d, "a.com", New),
            ev(d, "a.com", New),
            ev(2 * d, "a.com", Lost),
            ev(2 * d, "b.com", New),
            ev(4 * d, "b.com", Lost),
            ev(4 * d, "b.com", New), // swapped on the same visit: no change
        ]);
        let got: Vec<_> = out
            .iter()
            .map(|e| (e.day, e.domain.as_str(), e.kind))
            .collect();
        assert_eq!(
            got,
            [(1, "a.com", New), (2, "b.com", New), (3, "a.com", Lost)]
        );
    }
}
