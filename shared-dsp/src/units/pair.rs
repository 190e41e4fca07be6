//! Two f64 lanes processed together — a stereo pair, or mid and side — and
//! the biquad on such a pair.
//!
//! Each operation is the scalar IEEE operation per lane, in the same order
//! as the scalar code, so a [`PairState`] gives *bit for bit* what two
//! [`BiquadState`]s give (tests below). On x86-64 a [`Pair`] is one SSE2
//! register and every operation one SSE2 instruction (SSE2 is part of the
//! x86-64 baseline: no runtime detection); the vectoriser cannot be relied
//! on to find that by itself (at `opt-level = 2` it left the pair code
//! scalar, ≈ 2× the instructions). On other targets it is two scalars, still
//! correct.
//!
//! Used by the Stereo Imager's paths (its crossover, mono maker and
//! loudness meters) and the Bus Glue's crossover, so the two channels of a
//! pair cost about one.

use crate::primitives::biquad::{BiquadCoefs, BiquadState, BLOCK_PIECE, STATE_FLUSH_THRESHOLD};
use core::ops::{Add, AddAssign, Mul, Sub};
use core::sync::atomic::{AtomicBool, Ordering};

/// The lane operations on x86-64: one SSE2 instruction each.
#[cfg(target_arch = "x86_64")]
mod lanes {
    use core::arch::x86_64::{
        __m128d, _mm_add_pd, _mm_and_pd, _mm_andnot_pd, _mm_castsi128_pd, _mm_cmplt_pd,
        _mm_cvtps_pd, _mm_cvtsd_f64, _mm_max_pd, _mm_min_pd, _mm_movemask_pd, _mm_mul_pd,
        _mm_set1_epi64x, _mm_set1_pd, _mm_set_pd, _mm_setr_ps, _mm_sub_pd, _mm_unpackhi_pd,
        _mm_unpacklo_pd,
    };

    // SAFETY (every `unsafe` block of this module): SSE2 is part of the
    // x86-64 baseline, and these intrinsics only operate on registers.

    pub type Raw = __m128d;

    #[inline(always)]
    pub fn new(a: f64, b: f64) -> Raw {
        unsafe { _mm_set_pd(b, a) }
    }
    #[inline(always)]
    pub fn splat(x: f64) -> Raw {
        unsafe { _mm_set1_pd(x) }
    }
    /// Both f32 widened in one conversion.
    #[inline(always)]
    pub fn from_f32(a: f32, b: f32) -> Raw {
        unsafe { _mm_cvtps_pd(_mm_setr_ps(a, b, 0.0, 0.0)) }
    }
    #[inline(always)]
    pub fn lo(v: Raw) -> f64 {
        unsafe { _mm_cvtsd_f64(v) }
    }
    #[inline(always)]
    pub fn hi(v: Raw) -> f64 {
        unsafe { _mm_cvtsd_f64(_mm_unpackhi_pd(v, v)) }
    }
    #[inline(always)]
    pub fn add(a: Raw, b: Raw) -> Raw {
        unsafe { _mm_add_pd(a, b) }
    }
    #[inline(always)]
    pub fn sub(a: Raw, b: Raw) -> Raw {
        unsafe { _mm_sub_pd(a, b) }
    }
    #[inline(always)]
    pub fn mul(a: Raw, b: Raw) -> Raw {
        unsafe { _mm_mul_pd(a, b) }
    }
    #[inline(always)]
    pub fn abs(v: Raw) -> Raw {
        unsafe { _mm_and_pd(v, _mm_castsi128_pd(_mm_set1_epi64x(i64::MAX))) }
    }
    /// Per lane `if b > a { b } else { a }` (`maxpd b, a` returns its first
    /// operand only where it is greater).
    #[inline(always)]
    pub fn max(a: Raw, b: Raw) -> Raw {
        unsafe { _mm_max_pd(b, a) }
    }
    /// Per lane `if b < a { b } else { a }`.
    #[inline(always)]
    pub fn min(a: Raw, b: Raw) -> Raw {
        unsafe { _mm_min_pd(b, a) }
    }
    /// `(lo(a), lo(b))`.
    #[inline(always)]
    pub fn unpack_lo(a: Raw, b: Raw) -> Raw {
        unsafe { _mm_unpacklo_pd(a, b) }
    }
    /// `(hi(a), hi(b))`.
    #[inline(always)]
    pub fn unpack_hi(a: Raw, b: Raw) -> Raw {
        unsafe { _mm_unpackhi_pd(a, b) }
    }
    /// True if either lane of `v` is below `t`.
    #[inline(always)]
    pub fn any_below(v: Raw, t: f64) -> bool {
        unsafe { _mm_movemask_pd(_mm_cmplt_pd(v, _mm_set1_pd(t))) != 0 }
    }
    /// Both cells of a lane cleared where both are below `t` in magnitude.
    #[inline(always)]
    pub fn flush(s1: Raw, s2: Raw, t: f64) -> (Raw, Raw) {
        unsafe {
            let t = _mm_set1_pd(t);
            let tiny = _mm_and_pd(_mm_cmplt_pd(abs(s1), t), _mm_cmplt_pd(abs(s2), t));
            (_mm_andnot_pd(tiny, s1), _mm_andnot_pd(tiny, s2))
        }
    }
}

/// The lane operations elsewhere: two scalars.
#[cfg(not(target_arch = "x86_64"))]
mod lanes {
    pub type Raw = [f64; 2];

    #[inline(always)]
    pub fn new(a: f64, b: f64) -> Raw {
        [a, b]
    }
    #[inline(always)]
    pub fn splat(x: f64) -> Raw {
        [x, x]
    }
    #[inline(always)]
    pub fn from_f32(a: f32, b: f32) -> Raw {
        [f64::from(a), f64::from(b)]
    }
    #[inline(always)]
    pub fn lo(v: Raw) -> f64 {
        v[0]
    }
    #[inline(always)]
    pub fn hi(v: Raw) -> f64 {
        v[1]
    }
    #[inline(always)]
    pub fn add(a: Raw, b: Raw) -> Raw {
        [a[0] + b[0], a[1] + b[1]]
    }
    #[inline(always)]
    pub fn sub(a: Raw, b: Raw) -> Raw {
        [a[0] - b[0], a[1] - b[1]]
    }
    #[inline(always)]
    pub fn mul(a: Raw, b: Raw) -> Raw {
        [a[0] * b[0], a[1] * b[1]]
    }
    #[inline(always)]
    pub fn abs(v: Raw) -> Raw {
        [v[0].abs(), v[1].abs()]
    }
    #[inline(always)]
    pub fn max(a: Raw, b: Raw) -> Raw {
        let m = |a: f64, b: f64| if b > a { b } else { a };
        [m(a[0], b[0]), m(a[1], b[1])]
    }
    #[inline(always)]
    pub fn min(a: Raw, b: Raw) -> Raw {
        let m = |a: f64, b: f64| if b < a { b } else { a };
        [m(a[0], b[0]), m(a[1], b[1])]
    }
    #[inline(always)]
    pub fn unpack_lo(a: Raw, b: Raw) -> Raw {
        [a[0], b[0]]
    }
    #[inline(always)]
    pub fn unpack_hi(a: Raw, b: Raw) -> Raw {
        [a[1], b[1]]
    }
    #[inline(always)]
    pub fn any_below(v: Raw, t: f64) -> bool {
        v[0] < t || v[1] < t
    }
    #[inline(always)]
    pub fn flush(s1: Raw, s2: Raw, t: f64) -> (Raw, Raw) {
        let keep = |a: f64, b: f64| !((a.abs() < t) & (b.abs() < t));
        let lane = |i: usize| {
            if keep(s1[i], s2[i]) {
                (s1[i], s2[i])
            } else {
                (0.0, 0.0)
            }
        };
        let (a, b) = (lane(0), lane(1));
        ([a.0, b.0], [a.1, b.1])
    }
}

/// Set by [`disable_vex`].
static VEX_DISABLED: AtomicBool = AtomicBool::new(false);

/// True if the pair code may run VEX-encoded (x86-64 with AVX, detected at
/// run time and cached by `std`, unless [`disable_vex`] was called): the
/// hottest block loops (the crossover's block pass, the fold meter's
/// K-weighting) then run a copy compiled with AVX enabled — the same SSE2
/// operations in three-operand form (no register copies around every
/// multiply; no FMA, no wider lanes), so the same bits (tested).
#[inline]
pub fn vex_available() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        !VEX_DISABLED.load(Ordering::Relaxed) && std::arch::is_x86_feature_detected!("avx")
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        false
    }
}

/// Makes [`vex_available`] false from now on, process-wide: a diagnostic
/// switch for tools that cannot decode every VEX encoding (valgrind 3.19
/// stops at some), and to profile the baseline path. Never allocates.
pub fn disable_vex() {
    VEX_DISABLED.store(true, Ordering::Relaxed);
}

/// Two f64 lanes, `[lane 0, lane 1]` (on x86-64 one SSE2 register).
#[derive(Clone, Copy)]
pub struct Pair(lanes::Raw);

impl Default for Pair {
    #[inline(always)]
    fn default() -> Self {
        Self::splat(0.0)
    }
}

/// Lane by lane, as `[f64; 2]` compares (`0.0 == -0.0`, NaN unequal).
impl PartialEq for Pair {
    fn eq(&self, other: &Self) -> bool {
        self.to_array() == other.to_array()
    }
}

impl core::fmt::Debug for Pair {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_tuple("Pair").field(&self.to_array()).finish()
    }
}

impl Pair {
    /// Both lanes `x`.
    #[inline(always)]
    pub fn splat(x: f64) -> Self {
        Self(lanes::splat(x))
    }

    /// Lanes `(a, b)`.
    #[inline(always)]
    pub fn new(a: f64, b: f64) -> Self {
        Self(lanes::new(a, b))
    }

    /// Lanes `(a, b)` widened from f32 (exact).
    #[inline(always)]
    pub fn from_f32(a: f32, b: f32) -> Self {
        Self(lanes::from_f32(a, b))
    }

    /// `[lane 0, lane 1]`.
    #[inline(always)]
    pub fn to_array(self) -> [f64; 2] {
        [self.lo(), self.hi()]
    }

    /// Lane 0.
    #[inline(always)]
    pub fn lo(self) -> f64 {
        lanes::lo(self.0)
    }

    /// Lane 1.
    #[inline(always)]
    pub fn hi(self) -> f64 {
        lanes::hi(self.0)
    }

    /// `|x|` per lane.
    #[inline(always)]
    pub fn abs(self) -> Self {
        Self(lanes::abs(self.0))
    }

    /// The larger per lane (`self` where `other` is not larger; inputs are
    /// finite where this is used).
    #[inline(always)]
    pub fn max(self, other: Self) -> Self {
        Self(lanes::max(self.0, other.0))
    }

    /// The smaller per lane (`self` where `other` is not smaller; inputs are
    /// finite where this is used).
    #[inline(always)]
    pub fn min(self, other: Self) -> Self {
        Self(lanes::min(self.0, other.0))
    }

    /// The two lanes 0 of `a` and `b`, and their two lanes 1: a 2 × 2
    /// transpose, `((a.lo, b.lo), (a.hi, b.hi))` (e.g. two (mid, side)
    /// frames into a pair of mids and a pair of sides).
    #[inline(always)]
    pub fn transpose(a: Self, b: Self) -> (Self, Self) {
        (
            Self(lanes::unpack_lo(a.0, b.0)),
            Self(lanes::unpack_hi(a.0, b.0)),
        )
    }

    /// True if either lane is below `threshold`.
    #[inline(always)]
    pub fn any_below(self, threshold: f64) -> bool {
        lanes::any_below(self.0, threshold)
    }
}

impl Add for Pair {
    type Output = Self;
    #[inline(always)]
    fn add(self, o: Self) -> Self {
        Self(lanes::add(self.0, o.0))
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
        Self(lanes::sub(self.0, o.0))
    }
}

impl Mul for Pair {
    type Output = Self;
    #[inline(always)]
    fn mul(self, o: Self) -> Self {
        Self(lanes::mul(self.0, o.0))
    }
}

/// The SSE2 register behind a pair, for the wider AVX passes that put two
/// pairs in one register (`pair_crossover`).
#[cfg(target_arch = "x86_64")]
impl Pair {
    #[inline(always)]
    pub(crate) fn raw(self) -> core::arch::x86_64::__m128d {
        self.0
    }
    #[inline(always)]
    pub(crate) fn from_raw(raw: core::arch::x86_64::__m128d) -> Self {
        Self(raw)
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
    /// `[b0, b1, b2, a1, a2]`, for passes that lay the coefficients out
    /// their own way.
    #[inline(always)]
    pub(crate) fn parts(&self) -> [Pair; 5] {
        [self.b0, self.b1, self.b2, self.a1, self.a2]
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
        let (s1, s2) = lanes::flush(s1.0, s2.0, STATE_FLUSH_THRESHOLD);
        self.s1 = Pair(s1);
        self.s2 = Pair(s2);
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

    /// The memories `(s1, s2)`, for passes that keep them their own way.
    #[inline(always)]
    pub(crate) fn cells(&self) -> (Pair, Pair) {
        (self.s1, self.s2)
    }

    /// A state of the memories `(s1, s2)` ([`Self::cells`]).
    #[inline(always)]
    pub(crate) fn from_cells(s1: Pair, s2: Pair) -> Self {
        Self { s1, s2 }
    }

    /// A state whose lane 0 holds the cells `lane0` and lane 1 `lane1`
    /// (`[s1, s2]` each, as [`Self::lane_cells`] returns them).
    pub fn from_lanes(lane0: [f64; 2], lane1: [f64; 2]) -> Self {
        Self {
            s1: Pair::new(lane0[0], lane1[0]),
            s2: Pair::new(lane0[1], lane1[1]),
        }
    }

    /// The scalar state of one lane (0 or 1).
    pub fn lane_cells(&self, lane: usize) -> [f64; 2] {
        [self.s1.to_array()[lane], self.s2.to_array()[lane]]
    }
}

/// One unflushed scalar step of a biquad on the cells `(s1, s2)`: the
/// arithmetic of [`BiquadState::process`] without the tail flush, `floor`
/// taking the smallest `|s2|` (see [`PairState::process_unflushed`]).
#[inline(always)]
fn scalar_step_unflushed(c: &BiquadCoefs, cells: &mut [f64; 2], x: f64, floor: &mut f64) -> f64 {
    let y = c.b0 * x + cells[0];
    cells[0] = c.b1 * x - c.a1 * y + cells[1];
    cells[1] = c.b2 * x - c.a2 * y;
    let magnitude = cells[1].abs();
    *floor = if magnitude < *floor {
        magnitude
    } else {
        *floor
    };
    y
}

/// Two biquads in series on one signal, `first` then `second`, over
/// `samples` in place: bit for bit `second.process(first.process(x))` on
/// each sample in turn (tested), at about the cost of one. The two run as
/// the lanes of one [`PairState`] with a one-sample skew — lane 0 takes
/// `first` over sample `n` while lane 1 takes `second` over `first`'s
/// output of sample `n − 1` — so the serial pair becomes two independent
/// recursions per step; the first sample of a piece runs `first` alone and
/// the last `second` alone. A piece (up to [`BLOCK_PIECE`] samples) runs
/// without the per-sample tail flush, and again exactly if one could have
/// happened (see [`PairState::process_unflushed`]). Never allocates.
/// Runs VEX-encoded where the CPU has AVX ([`vex_available`]; the same
/// bits, tested).
pub fn process_series_block(
    first: (&BiquadCoefs, &mut BiquadState),
    second: (&BiquadCoefs, &mut BiquadState),
    samples: &mut [f64],
) {
    #[cfg(target_arch = "x86_64")]
    if vex_available() {
        // SAFETY: AVX is present (checked at run time).
        unsafe { process_series_block_vex(first, second, samples) };
        return;
    }
    process_series_block_impl(first, second, samples);
}

/// [`process_series_block_impl`] compiled with AVX enabled.
///
/// # Safety
/// The CPU must have AVX.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx")]
unsafe fn process_series_block_vex(
    first: (&BiquadCoefs, &mut BiquadState),
    second: (&BiquadCoefs, &mut BiquadState),
    samples: &mut [f64],
) {
    process_series_block_impl(first, second, samples);
}

/// The body of [`process_series_block`].
#[inline(always)]
fn process_series_block_impl(
    first: (&BiquadCoefs, &mut BiquadState),
    second: (&BiquadCoefs, &mut BiquadState),
    samples: &mut [f64],
) {
    let (first_coefs, first_state) = first;
    let (second_coefs, second_state) = second;
    let coefs = PairCoefs::new(first_coefs, second_coefs);
    for piece in samples.chunks_mut(BLOCK_PIECE) {
        let n = piece.len();
        let mut input = [0.0f64; BLOCK_PIECE];
        input[..n].copy_from_slice(piece);
        let (mut a, mut b) = (first_state.cells(), second_state.cells());
        let (mut floor_a, mut floor_b) = (f64::INFINITY, f64::INFINITY);
        let mut floor = Pair::splat(f64::INFINITY);
        // `first` alone on sample 0, then both (skewed), then `second`
        // alone on the last output of `first`.
        let mut previous = scalar_step_unflushed(first_coefs, &mut a, input[0], &mut floor_a);
        let mut pair = PairState {
            s1: Pair::new(a[0], b[0]),
            s2: Pair::new(a[1], b[1]),
        };
        for (&x, out) in input[1..n].iter().zip(piece.iter_mut()) {
            let y = pair.process_unflushed(&coefs, Pair::new(x, previous), &mut floor);
            previous = y.lo();
            *out = y.hi();
        }
        let (s1, s2) = (pair.s1.to_array(), pair.s2.to_array());
        (a, b) = ([s1[0], s2[0]], [s1[1], s2[1]]);
        piece[n - 1] = scalar_step_unflushed(second_coefs, &mut b, previous, &mut floor_b);
        if floor.any_below(STATE_FLUSH_THRESHOLD)
            || floor_a < STATE_FLUSH_THRESHOLD
            || floor_b < STATE_FLUSH_THRESHOLD
        {
            // A flush could have happened: again, exactly.
            for (x, &dry) in piece.iter_mut().zip(&input) {
                *x = second_state.process(second_coefs, first_state.process(first_coefs, dry));
            }
        } else {
            *first_state = BiquadState::from_cells(a);
            *second_state = BiquadState::from_cells(b);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lane_operations_are_the_scalar_ones() {
        let (a, b) = (Pair::new(1.5, -0.0), Pair::new(f64::MIN_POSITIVE, 3.0));
        assert_eq!((a + b).to_array(), [1.5 + f64::MIN_POSITIVE, 3.0]);
        assert_eq!((a - b).to_array(), [1.5 - f64::MIN_POSITIVE, -3.0]);
        assert_eq!((a * b).to_array(), [1.5 * f64::MIN_POSITIVE, -0.0 * 3.0]);
        assert_eq!((a * b).hi().to_bits(), (-0.0f64).to_bits());
        assert_eq!(Pair::new(-2.0, 2.0).abs().to_array(), [2.0, 2.0]);
        assert_eq!(a.max(b).to_array(), [1.5, 3.0]);
        assert_eq!(a.min(b).to_array(), [f64::MIN_POSITIVE, -0.0]);
        // Ties keep `self`: max(+0, −0) is +0, min(−0, +0) is −0.
        assert_eq!(Pair::splat(0.0).max(Pair::splat(-0.0)).lo().to_bits(), 0);
        assert_eq!(
            Pair::splat(-0.0).min(Pair::splat(0.0)).lo().to_bits(),
            (-0.0f64).to_bits()
        );
        for x in [0.1f32, -0.0, f32::MIN_POSITIVE, f32::MAX, -3.5] {
            let p = Pair::from_f32(x, -x);
            assert_eq!(p.lo().to_bits(), f64::from(x).to_bits());
            assert_eq!(p.hi().to_bits(), f64::from(-x).to_bits());
        }
        let (lo, hi) = Pair::transpose(a, b);
        assert_eq!(lo.to_array(), [1.5, f64::MIN_POSITIVE]);
        assert_eq!(
            hi.to_array().map(f64::to_bits),
            [(-0.0f64).to_bits(), 3.0f64.to_bits()]
        );
        assert!(Pair::new(1.0, 0.5).any_below(0.6) && !Pair::new(1.0, 0.7).any_below(0.6));
        assert!(!Pair::splat(f64::NAN).any_below(1.0));
    }

    /// The skewed pair is the two filters in series, sample by sample, bit
    /// for bit (outputs and memories), through bursts and tails that flush,
    /// in uneven blocks (1 sample, a piece, more than a piece).
    #[test]
    fn series_block_is_the_two_filters_in_series_bit_for_bit() {
        let rate = 48_000.0;
        let first = BiquadCoefs::low_shelf(200.0, -3.0, 0.707, rate);
        let second = BiquadCoefs::high_shelf(6_000.0, 2.0, 0.707, rate);
        let (mut a, mut b) = (BiquadState::new(), BiquadState::new());
        let (mut ra, mut rb) = (BiquadState::new(), BiquadState::new());
        let mut seed = 23u32;
        let len = 300_000;
        let input: Vec<f64> = (0..len)
            .map(|n| {
                seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
                let v = f64::from(seed >> 8) / f64::from(1u32 << 24) - 0.5;
                if n % 150_000 < 3_000 {
                    v
                } else {
                    0.0
                }
            })
            .collect();
        let mut out = input.clone();
        let (mut start, mut flushed) = (0, false);
        for step in [64usize, 1, 2, 63, 200, 17, 64, 130].iter().cycle() {
            if start >= len {
                break;
            }
            let end = (start + step).min(len);
            process_series_block((&first, &mut a), (&second, &mut b), &mut out[start..end]);
            // The baseline body on the same piece from the same memories.
            let (mut a2, mut b2) = (ra, rb);
            let mut base = input[start..end].to_vec();
            process_series_block_impl((&first, &mut a2), (&second, &mut b2), &mut base);
            for (n, &x) in input[start..end].iter().enumerate() {
                let want = rb.process(&second, ra.process(&first, x));
                assert_eq!(
                    out[start + n].to_bits(),
                    want.to_bits(),
                    "sample {}",
                    start + n
                );
                assert_eq!(
                    base[n].to_bits(),
                    want.to_bits(),
                    "baseline, sample {}",
                    start + n
                );
            }
            assert_eq!((a, b), (ra, rb), "memories after {end}");
            assert_eq!((a2, b2), (ra, rb), "baseline memories after {end}");
            flushed |= start > 3_000 && a.cells() == [0.0; 2] && b.cells() == [0.0; 2];
            start = end;
        }
        assert!(flushed, "the tails flushed: the exact reruns ran");
    }

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
            assert_eq!(
                a.to_array().map(f64::to_bits),
                b.to_array().map(f64::to_bits),
                "{n}"
            );
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
