//! A tiny seeded random number generator (xorshift64*), so fuzz runs are reproducible from a
//! printed seed without pulling in a dependency.

/// xorshift64* (Vigna, "An experimental exploration of Marsaglia's xorshift generators,
/// scrambled", 2016). Not cryptographic; good enough to pick test inputs.
#[derive(Debug, Clone)]
pub struct Rng {
    state: u64,
}

/// Multiplier of the xorshift64* output scrambler (from the paper above).
const XORSHIFT64_STAR_MULTIPLIER: u64 = 0x2545_F491_4F6C_DD1D;

/// Replaces a zero seed, which would make xorshift emit zeros forever (any odd constant works).
const NONZERO_SEED: u64 = 0x9E37_79B9_7F4A_7C15;

impl Rng {
    /// A generator seeded with `seed` (any value, 0 included).
    pub fn new(seed: u64) -> Self {
        Self {
            state: if seed == 0 { NONZERO_SEED } else { seed },
        }
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.state ^= self.state >> 12;
        self.state ^= self.state << 25;
        self.state ^= self.state >> 27;
        self.state.wrapping_mul(XORSHIFT64_STAR_MULTIPLIER)
    }

    /// Uniform in `0..bound`.
    ///
    /// # Panics
    /// If `bound` is 0.
    pub fn below(&mut self, bound: u64) -> u64 {
        assert!(bound > 0, "Rng::below(0)");
        // Modulo bias is irrelevant for picking test inputs.
        self.next_u64() % bound
    }

    /// Uniform in `low..=high`.
    pub fn range_usize(&mut self, low: usize, high: usize) -> usize {
        low + self.below((high - low) as u64 + 1) as usize
    }

    /// Uniform in `[0, 1)`.
    pub fn unit_f64(&mut self) -> f64 {
        // The top 53 bits fill an f64 mantissa exactly.
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Uniform in `[low, high)`.
    pub fn range_f64(&mut self, low: f64, high: f64) -> f64 {
        low + (high - low) * self.unit_f64()
    }

    /// True with probability `p` (0..=1).
    pub fn chance(&mut self, p: f64) -> bool {
        self.unit_f64() < p
    }

    /// A random element of `items`.
    ///
    /// # Panics
    /// If `items` is empty.
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_sequence_and_ranges_hold() {
        let mut a = Rng::new(42);
        let mut b = Rng::new(42);
        for _ in 0..1000 {
            assert_eq!(a.next_u64(), b.next_u64());
            let x = a.range_usize(3, 9);
            assert!((3..=9).contains(&x));
            let u = a.unit_f64();
            assert!((0.0..1.0).contains(&u));
            b.range_usize(3, 9);
            b.unit_f64();
        }
        assert_ne!(
            Rng::new(0).next_u64(),
            0,
            "a zero seed must still produce numbers"
        );
    }
}
