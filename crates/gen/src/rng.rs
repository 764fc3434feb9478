//! A small deterministic random source (SplitMix64): the same seed gives the same web on
//! every platform and every version of this crate's dependencies.

/// Mixes 64 bits (the SplitMix64 finaliser).
pub fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// A hash of a few numbers: independent streams per (seed, purpose, item, …).
pub fn hash(parts: &[u64]) -> u64 {
    parts.iter().fold(0x9e37_79b9_7f4a_7c15, |h, &p| {
        mix(h ^ mix(p.wrapping_add(h)))
    })
}

/// A SplitMix64 stream.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A stream for the given parts (see [`hash`]).
    pub fn new(parts: &[u64]) -> Rng {
        Rng(hash(parts))
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        mix(self.0)
    }

    /// Uniform in `[0, 1)`.
    pub fn f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Uniform in `[0, n)` (0 when `n` is 0).
    pub fn below(&mut self, n: u64) -> u64 {
        if n == 0 {
            return 0;
        }
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }

    /// True with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        self.f64() < p
    }

    /// Uniform in `[lo, hi)` (`lo` when empty).
    pub fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.below(hi.saturating_sub(lo))
    }

    /// An index in `[0, n)` with probability falling like `1/(i+1)` (log-uniform):
    /// the first items are picked far more often, as with Zipf's law.
    pub fn zipf_index(&mut self, n: u64) -> u64 {
        if n <= 1 {
            return 0;
        }
        let x = ((n as f64 + 1.0).ln() * self.f64()).exp() - 1.0;
        (x as u64).min(n - 1)
    }

    /// One item of a non-empty slice.
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}

#[cfg(test)]
mod tests {
    use super::Rng;

    #[test]
    fn deterministic_and_skewed() {
        let a: Vec<u64> = (0..5)
            .map({
                let mut r = Rng::new(&[1, 2]);
                move |_| r.next_u64()
            })
            .collect();
        let b: Vec<u64> = (0..5)
            .map({
                let mut r = Rng::new(&[1, 2]);
                move |_| r.next_u64()
            })
            .collect();
        assert_eq!(a, b);
        let mut r = Rng::new(&[3]);
        let mut counts = [0u32; 100];
        for _ in 0..100_000 {
            counts[r.zipf_index(100) as usize] += 1;
        }
        assert!(counts[0] > 10 * counts[50], "{counts:?}");
        assert!(counts.iter().all(|&c| c > 0));
    }
}
