//! Two f64 lanes processed together — a stereo pair, or mid and side — and
//! the biquad on such a pair.
//!
//! Plain Rust on `[f64; 2]`: each operation is the scalar IEEE operation per
//! lane, in the same order as the scalar code, so a [`PairState`] gives
//! *bit for bit* what two [`BiquadState`]s give (tests below). Written so
//! the compiler's vectoriser turns every operation into one SSE2 instruction
//! on x86-64 (SSE2 is part of the baseline: no runtime detection, no
//! `unsafe`); on other targets it is two scalars, still correct.
//!
//! Used by the Stereo Imager's paths (its crossover, mono maker and
//! loudness meters), so the two channels of a pair cost about one.

#[cfg(test)]
use crate::primitives::biquad::BiquadState;
use crate::primitives::biquad::{BiquadCoefs, STATE_FLUSH_THRESHOLD};
use core::ops::{Add, AddAssign, Mul, Sub};

/// Two f64 lanes, `[lane 0, lane 1]`.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Pair(pub [f64; 2]);

impl Pair {
    /// Both lanes `x`.
    #[inline(always)]
    pub const fn splat(x: f64) -> Self {
        Self([x, x])
    }

    /// Lanes `(a, b)`.
    #[inline(always)]
    pub const fn new(a: f64, b: f64) -> Self {
        Self([a, b])
    }

    /// Lane 0.
    #[inline(always)]
    pub fn lo(self) -> f64 {
        self.0[0]
    }

    /// Lane 1.
    #[inline(always)]
    pub fn hi(self) -> f64 {
        self.0[1]
    }

    /// `|x|` per lane.
    #[inline(always)]
    pub fn abs(self) -> Self {
        Self([self.0[0].abs(), self.0[1].abs()])
    }

    /// The larger per lane (`self` where `other` is not larger; inputs are
    /// finite where this is used).
    #[inline(always)]
    pub fn max(self, other: Self) -> Self {
        let m = |a: f64, b: f64| if b > a { b } else { a };
        Self([m(self.0[0], other.0[0]), m(self.0[1], other.0[1])])
    }

    /// The smaller per lane (`self` where `other` is not smaller; inputs are
    /// finite where this is used).
    #[inline(always)]
    pub fn min(self, other: Self) -> Self {
        let m = |a: f64, b: f64| if b < a { b } else { a };
        Self([m(self.0[0], other.0[0]), m(self.0[1], other.0[1])])
    }

    /// True if either lane is below `threshold`.
    #[inline(always)]
    pub fn any_below(self, threshold: f64) -> bool {
        self.0[0] < threshold || self.0[1] < threshold
    }
}

impl Add for Pair {
    type Output = Self;
    #[inline(always)]
    fn add(self, o: Self) -> Self {
        Self([self.0[0] + o.0[0], self.0[1] + o.0[1]])
    }
}

impl AddAssign for Pair {
    #[inline(always)]
    fn add_assign(&mut self, o: Self) {
        *self = *self + o;
    }
}

impl Sub for Pair {
    type Output = Self;
    #[inline(always)]
    fn sub(self, o: Self) -> Self {
        Self([self.0[0] - o.0[0], self.0[1] - o.0[1]])
    }
}

impl Mul for Pair {
    type Output = Self;
    #[inline(always)]
    fn mul(self, o: Self) -> Self {
        Self([self.0[0] * o.0[0], self.0[1] * o.0[1]])
    }
}

/// Biquad coefficients for two lanes (each lane its own filter).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PairCoefs {
    b0: Pair,
    b1: Pair,
    b2: Pair,
    a1: Pair,
    a2: Pair,
}

impl Default for PairCoefs {
    fn default() -> Self {
        Self::splat(&BiquadCoefs::IDENTITY)
    }
}

impl PairCoefs {
    /// Lane 0 filtered by `lane0`, lane 1 by `lane1`.
    pub fn new(lane0: &BiquadCoefs, lane1: &BiquadCoefs) -> Self {
        let p = |f: fn(&BiquadCoefs) -> f64| Pair::new(f(lane0), f(lane1));
        Self {
            b0: p(|c| c.b0),
            b1: p(|c| c.b1),
            b2: p(|c| c.b2),
            a1: p(|c| c.a1),
            a2: p(|c| c.a2),
        }
    }

    /// The same filter on both lanes.
    pub fn splat(coefs: &BiquadCoefs) -> Self {
        Self::new(coefs, coefs)
    }
}

/// Memories of a biquad on two lanes: per lane exactly
/// [`crate::primitives::biquad::BiquadState::process`] (transposed direct form II, tails below
/// [`STATE_FLUSH_THRESHOLD`] flushed to zero).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct PairState {
    s1: Pair,
    s2: Pair,
}

impl PairState {
    /// Clears both lanes. Never allocates.
    pub fn reset(&mut self) {
        *self = Self::default();
    }

    /// True if both lanes hold exact zeros (the filter is at rest).
    pub fn is_clear(&self) -> bool {
        self.s1 == Pair::default() && self.s2 == Pair::default()
    }

    /// Filters one sample per lane; inputs must be finite.
    #[inline(always)]
    pub fn process(&mut self, c: &PairCoefs, x: Pair) -> Pair {
        let y = c.b0 * x + self.s1;
        let s1 = c.b1 * x - c.a1 * y + self.s2;
        let s2 = c.b2 * x - c.a2 * y;
        // As `BiquadState`: a lane whose two cells are both below the
        // threshold is cleared. Branch-free (a mask per lane), so it stays
        // one vector operation.
        let keep = |a: f64, b: f64| -> u64 {
            if (a.abs() < STATE_FLUSH_THRESHOLD) & (b.abs() < STATE_FLUSH_THRESHOLD) {
                0
            } else {
                u64::MAX
            }
        };
        let k = [keep(s1.0[0], s2.0[0]), keep(s1.0[1], s2.0[1])];
        let masked = |v: Pair| {
            Pair([
                f64::from_bits(v.0[0].to_bits() & k[0]),
                f64::from_bits(v.0[1].to_bits() & k[1]),
            ])
        };
        self.s1 = masked(s1);
        self.s2 = masked(s2);
        y
    }

    /// [`Self::process`] without the tail flush, for block loops that run a
    /// block *speculatively*: `floor` takes the per-lane minimum of `|s2|`
    /// after the step. The flush clears a lane only when both its cells are
    /// below [`STATE_FLUSH_THRESHOLD`], so while `floor` stays at or above
    /// it no flush would have happened and every output and memory is
    /// bit for bit [`Self::process`]'s; once `floor` falls below it, the
    /// caller runs the block again from the saved memories with
    /// [`Self::process`]. Keeps the flush's compare-and-mask off the
    /// recursion's critical path (the loop then runs at the speed of the
    /// arithmetic instead of the latency of the chain).
    #[inline(always)]
    pub fn process_unflushed(&mut self, c: &PairCoefs, x: Pair, floor: &mut Pair) -> Pair {
        let y = c.b0 * x + self.s1;
        self.s1 = c.b1 * x - c.a1 * y + self.s2;
        self.s2 = c.b2 * x - c.a2 * y;
        *floor = floor.min(self.s2.abs());
        y
    }

    /// The scalar state of one lane (0 or 1), for tests.
    pub fn lane_cells(&self, lane: usize) -> [f64; 2] {
        [self.s1.0[lane], self.s2.0[lane]]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pair_is_two_scalar_biquads_bit_for_bit_including_the_tail_flush() {
        let rate = 48_000.0;
        let a = BiquadCoefs::highpass(120.0, 0.707, rate);
        let b = BiquadCoefs::low_shelf(300.0, -4.0, 0.707, rate);
        let coefs = PairCoefs::new(&a, &b);
        let (mut pair, mut sa, mut sb) =
            (PairState::default(), BiquadState::new(), BiquadState::new());
        let mut seed = 7u32;
        for n in 0..20_000 {
            seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            let noise = (seed >> 8) as f64 / (1u32 << 24) as f64 - 0.5;
            // A burst then silence, so the tails decay through the flush.
            let (x0, x1) = if n < 2_000 {
                (noise, -0.3 * noise)
            } else {
                (0.0, 0.0)
            };
            let y = pair.process(&coefs, Pair::new(x0, x1));
            assert_eq!(y.lo().to_bits(), sa.process(&a, x0).to_bits(), "{n}");
            assert_eq!(y.hi().to_bits(), sb.process(&b, x1).to_bits(), "{n}");
            assert_eq!(pair.lane_cells(0), sa.cells());
            assert_eq!(pair.lane_cells(1), sb.cells());
        }
        assert!(
            pair.is_clear(),
            "the tails flush to zero as the scalar ones do"
        );
    }

    #[test]
    fn unflushed_steps_equal_flushed_ones_while_the_floor_holds_and_it_trips_before_a_flush() {
        let rate = 48_000.0;
        let coefs = PairCoefs::splat(&BiquadCoefs::highpass(38.0, 0.5, rate));
        let (mut exact, mut fast) = (PairState::default(), PairState::default());
        let mut floor = Pair::splat(f64::INFINITY);
        let mut tripped_at = None;
        let mut seed = 5u32;
        for n in 0..200_000 {
            seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            let noise = (seed >> 8) as f64 / (1u32 << 24) as f64 - 0.5;
            let x = if n < 1_000 {
                Pair::new(noise, 0.5 * noise)
            } else {
                Pair::default()
            };
            let a = exact.process(&coefs, x);
            let b = fast.process_unflushed(&coefs, x, &mut floor);
            if floor.any_below(STATE_FLUSH_THRESHOLD) {
                tripped_at = Some(n);
                break;
            }
            assert_eq!(a.0.map(f64::to_bits), b.0.map(f64::to_bits), "{n}");
            assert_eq!(exact, fast, "{n}");
        }
        // The exact filter flushes in the silent tail; the floor must trip
        // at or before that sample, never after.
        let n = tripped_at.expect("the floor trips in the decaying tail");
        let mut reference = PairState::default();
        let mut first_flush = None;
        let mut seed = 5u32;
        for k in 0..200_000 {
            seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            let noise = (seed >> 8) as f64 / (1u32 << 24) as f64 - 0.5;
            let x = if k < 1_000 {
                Pair::new(noise, 0.5 * noise)
            } else {
                Pair::default()
            };
            reference.process(&coefs, x);
            if k >= 1_000 && reference.lane_cells(0) == [0.0; 2] {
                first_flush = Some(k);
                break;
            }
        }
        assert!(
            n <= first_flush.expect("the tail flushes"),
            "{n} {first_flush:?}"
        );
    }
}
