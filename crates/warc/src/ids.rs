//! `urn:uuid:` record ids: deterministic from a seed, or seeded from the clock.

use sha1::{Digest, Sha1};

/// Produces record ids; the n-th id of a seed is always the same.
#[derive(Debug, Clone)]
pub(crate) struct RecordIds {
    seed: u64,
    next: u64,
}

impl RecordIds {
    /// Ids from `seed`, or from the clock and process id when `None`.
    pub(crate) fn new(seed: Option<u64>) -> RecordIds {
        let seed = seed.unwrap_or_else(|| {
            let nanos = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos() as u64);
            nanos ^ (u64::from(std::process::id()) << 32)
        });
        RecordIds { seed, next: 0 }
    }

    /// The next id, formatted as a version-4 style UUID URN.
    pub(crate) fn next_id(&mut self) -> String {
        let mut h = Sha1::new();
        h.update(self.seed.to_le_bytes());
        h.update(self.next.to_le_bytes());
        self.next += 1;
        let d = h.finalize();
        let mut b = [0u8; 16];
        b.copy_from_slice(&d[..16]);
        b[6] = (b[6] & 0x0f) | 0x40;
        b[8] = (b[8] & 0x3f) | 0x80;
        let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
        format!(
            "<urn:uuid:{}-{}-{}-{}-{}>",
            &hex[0..8],
            &hex[8..12],
            &hex[12..16],
            &hex[16..20],
            &hex[20..32]
        )
    }
}

#[cfg(test)]
mod tests {
    use super::RecordIds;

    #[test]
    fn seeded_ids_repeat_and_differ() {
        let a: Vec<String> = (0..3)
            .map({
                let mut ids = RecordIds::new(Some(1));
                move |_| ids.next_id()
            })
            .collect();
        let mut ids = RecordIds::new(Some(1));
        assert_eq!(ids.next_id(), a[0]);
        assert_ne!(a[0], a[1]);
        assert_eq!(a[0].len(), "<urn:uuid:>".len() + 36);
        assert_eq!(&a[0][24..25], "4", "{}", a[0]);
    }
}
