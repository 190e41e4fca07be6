//! The suite's one biquad: second-order IIR coefficients (plain values from
//! pure constructors, with an analytic response) and a transposed direct
//! form II state that stays free of subnormals.
//!
//! Designs go through [`AnalogBiquad`], a second-order analog prototype with
//! `s` normalised to the corner frequency, mapped to the z-plane by the
//! bilinear transform prewarped at the corner (`K = tan(π·f0/fs)`), so the
//! digital filter matches the analog one exactly at `f0` at every sample
//! rate. The RBJ "Audio EQ Cookbook" filters are exactly these prototypes.

use crate::primitives::complex::Complex;
use core::f64::consts::PI;

/// When both state cells fall below this magnitude they are set to zero
/// together. 1e-20 is 400 dB below full scale (far below the ≈ −150 dB
/// resolution of an f32 signal, so inaudible and unmeasurable) and far above
/// the f64 subnormal range (< 2.2e-308), so decaying tails never reach
/// subnormal arithmetic, and a silent input gives an exactly silent output
/// once the tail has decayed. The cells are flushed *together*: in a filter
/// with poles near z = 1 (the 38 Hz K-weighting high-pass) the two cells
/// nearly cancel, and zeroing only one of them would kick the filter back
/// up to ≈ 100× the threshold instead of silencing it.
pub const STATE_FLUSH_THRESHOLD: f64 = 1e-20;

/// Highest corner [`BiquadCoefs::bilinear`] designs, as a fraction of the
/// sample rate: just below Nyquist, where the prewarp `tan(π·f0/fs)` is
/// still finite (≈ 32). Only reached when a host runs at a rate too low for
/// a filter's corner (a 1.7 kHz K-weighting shelf at 1.2 kHz).
pub const MAX_BILINEAR_CORNER_FRACTION: f64 = 0.49;

/// Second-order analog prototype
/// `H(s) = (b[2]·s² + b[1]·s + b[0]) / (a[2]·s² + a[1]·s + a[0])`
/// with `s = j·f/f0` normalised to the corner frequency `f0`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AnalogBiquad {
    /// Numerator coefficients, index = power of `s`.
    pub b: [f64; 3],
    /// Denominator coefficients, index = power of `s`. Must not all be 0.
    pub a: [f64; 3],
}

impl AnalogBiquad {
    /// Second-order low-pass `1 / (s² + s/Q + 1)`; `q` > 0.
    pub fn lowpass(q: f64) -> Self {
        Self {
            b: [1.0, 0.0, 0.0],
            a: [1.0, 1.0 / q, 1.0],
        }
    }

    /// Second-order high-pass `s² / (s² + s/Q + 1)`; `q` > 0.
    pub fn highpass(q: f64) -> Self {
        Self {
            b: [0.0, 0.0, 1.0],
            a: [1.0, 1.0 / q, 1.0],
        }
    }

    /// Second-order band-pass `(s/Q) / (s² + s/Q + 1)`: unity at `f0`,
    /// −3 dB bandwidth `f0/Q` (RBJ cookbook, "constant 0 dB peak gain");
    /// `q` > 0.
    pub fn bandpass(q: f64) -> Self {
        Self {
            b: [0.0, 1.0 / q, 0.0],
            a: [1.0, 1.0 / q, 1.0],
        }
    }

    /// Peaking (bell) filter, `gain_db` at `f0`, bandwidth set by `q` > 0
    /// (RBJ cookbook: `(s² + s·A/Q + 1) / (s² + s/(A·Q) + 1)`, `A = 10^(gain_db/40)`).
    pub fn peaking(gain_db: f64, q: f64) -> Self {
        let amp = 10f64.powf(gain_db / 40.0);
        Self {
            b: [1.0, amp / q, 1.0],
            a: [1.0, 1.0 / (amp * q), 1.0],
        }
    }

    /// Low shelf: `gain_db` below `f0`, 0 dB above; `q` > 0 sets the slope
    /// (RBJ cookbook: `A·(s² + √A/Q·s + A) / (A·s² + √A/Q·s + 1)`).
    pub fn low_shelf(gain_db: f64, q: f64) -> Self {
        let amp = 10f64.powf(gain_db / 40.0);
        let mid = amp.sqrt() / q;
        Self {
            b: [amp * amp, amp * mid, amp],
            a: [1.0, mid, amp],
        }
    }

    /// High shelf: 0 dB below `f0`, `gain_db` above; `q` > 0 sets the slope
    /// (RBJ cookbook: `A·(A·s² + √A/Q·s + 1) / (s² + √A/Q·s + A)`).
    pub fn high_shelf(gain_db: f64, q: f64) -> Self {
        let amp = 10f64.powf(gain_db / 40.0);
        let mid = amp.sqrt() / q;
        Self {
            b: [amp, amp * mid, amp * amp],
            a: [amp, mid, 1.0],
        }
    }

    /// High shelf in the form BS.1770 uses for the K-weighting pre-filter:
    /// `(Vh·s² + Vb·s/Q + 1) / (s² + s/Q + 1)` with `Vh = 10^(gain_db/20)`
    /// (high-frequency gain) and `Vb = Vh^mid_exponent` (mid-band numerator
    /// term; an exponent of 0.5 gives the RBJ-like symmetric shelf).
    pub fn high_shelf_vh_vb(gain_db: f64, q: f64, mid_exponent: f64) -> Self {
        let vh = 10f64.powf(gain_db / 20.0);
        let vb = vh.powf(mid_exponent);
        Self {
            b: [1.0, vb / q, vh],
            a: [1.0, 1.0 / q, 1.0],
        }
    }

    /// First-order low-pass `1 / (s + 1)` (a `b[2] = a[2] = 0` prototype,
    /// see [`Self::is_first_order`]).
    pub fn lowpass_first_order() -> Self {
        Self {
            b: [1.0, 0.0, 0.0],
            a: [1.0, 1.0, 0.0],
        }
    }

    /// First-order high-pass `s / (s + 1)`.
    pub fn highpass_first_order() -> Self {
        Self {
            b: [0.0, 1.0, 0.0],
            a: [1.0, 1.0, 0.0],
        }
    }

    /// True if the prototype has no `s²` terms (`b[2] = a[2] = 0`): it is then
    /// mapped by a first-order bilinear transform, giving `b2 = a2 = 0`
    /// instead of a pole/zero pair cancelling on the unit circle at z = −1.
    pub fn is_first_order(&self) -> bool {
        self.b[2] == 0.0 && self.a[2] == 0.0
    }

    /// Scales the numerator by `gain` (linear).
    pub fn scaled(self, gain: f64) -> Self {
        Self {
            b: [self.b[0] * gain, self.b[1] * gain, self.b[2] * gain],
            a: self.a,
        }
    }

    /// Analytic response `H(j·freq_hz/f0_hz)` of the analog prototype.
    pub fn response(&self, freq_hz: f64, f0_hz: f64) -> Complex {
        let w = freq_hz / f0_hz;
        // s = j·w, s² = −w².
        let num = Complex::new(self.b[0] - self.b[2] * w * w, self.b[1] * w);
        let den = Complex::new(self.a[0] - self.a[2] * w * w, self.a[1] * w);
        num / den
    }
}

/// Biquad coefficients, normalised so `a0 = 1`:
/// `H(z) = (b0 + b1·z⁻¹ + b2·z⁻²) / (1 + a1·z⁻¹ + a2·z⁻²)`.
///
/// Plain values: compute them once (or at control rate) with a pure
/// constructor and share them between any number of [`BiquadState`]s.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BiquadCoefs {
    /// Feed-forward coefficient of `x[n]`.
    pub b0: f64,
    /// Feed-forward coefficient of `x[n−1]`.
    pub b1: f64,
    /// Feed-forward coefficient of `x[n−2]`.
    pub b2: f64,
    /// Feedback coefficient of `y[n−1]` (sign convention: `y += −a1·y[n−1]`).
    pub a1: f64,
    /// Feedback coefficient of `y[n−2]`.
    pub a2: f64,
}

impl Default for BiquadCoefs {
    fn default() -> Self {
        Self::IDENTITY
    }
}

impl BiquadCoefs {
    /// Passes the signal unchanged.
    pub const IDENTITY: Self = Self {
        b0: 1.0,
        b1: 0.0,
        b2: 0.0,
        a1: 0.0,
        a2: 0.0,
    };

    /// From already normalised coefficients (`a0 = 1`).
    pub const fn from_normalized(b0: f64, b1: f64, b2: f64, a1: f64, a2: f64) -> Self {
        Self { b0, b1, b2, a1, a2 }
    }

    /// From raw coefficients, dividing everything by `a0` (must be non-zero).
    pub fn new(b0: f64, b1: f64, b2: f64, a0: f64, a1: f64, a2: f64) -> Self {
        Self::from_normalized(b0 / a0, b1 / a0, b2 / a0, a1 / a0, a2 / a0)
    }

    /// Bilinear transform of `prototype` with its corner at `f0_hz`,
    /// prewarped so the digital response equals the analog one at `f0_hz`:
    /// `s ← (1/K)·(1 − z⁻¹)/(1 + z⁻¹)`, `K = tan(π·f0_hz/sample_rate)`.
    /// `0 < f0_hz`; a corner at or above Nyquist (a host offering a very
    /// low rate) is clamped to [`MAX_BILINEAR_CORNER_FRACTION`]·`sample_rate`,
    /// where `tan` would otherwise wrap round and give an unstable or
    /// meaningless filter. A first-order prototype
    /// ([`AnalogBiquad::is_first_order`]) gives a first-order section
    /// (`b2 = a2 = 0`).
    pub fn bilinear(prototype: &AnalogBiquad, f0_hz: f64, sample_rate: f64) -> Self {
        let f0_hz = f0_hz.min(MAX_BILINEAR_CORNER_FRACTION * sample_rate);
        let k = (PI * f0_hz / sample_rate).tan();
        if prototype.is_first_order() {
            // Multiply numerator and denominator by K·(1 + z⁻¹).
            let [nb0, nb1, _] = prototype.b;
            let [da0, da1, _] = prototype.a;
            return Self::new(
                nb1 + nb0 * k,
                nb0 * k - nb1,
                0.0,
                da1 + da0 * k,
                da0 * k - da1,
                0.0,
            );
        }
        let k2 = k * k;
        let [nb0, nb1, nb2] = prototype.b;
        let [da0, da1, da2] = prototype.a;
        // Multiply numerator and denominator by K²·(1 + z⁻¹)².
        let b0 = nb2 + nb1 * k + nb0 * k2;
        let b1 = 2.0 * (nb0 * k2 - nb2);
        let b2 = nb2 - nb1 * k + nb0 * k2;
        let a0 = da2 + da1 * k + da0 * k2;
        let a1 = 2.0 * (da0 * k2 - da2);
        let a2 = da2 - da1 * k + da0 * k2;
        Self::new(b0, b1, b2, a0, a1, a2)
    }

    /// RBJ low-pass at `cutoff_hz` (0 < cutoff < fs/2), `q` > 0.
    pub fn lowpass(cutoff_hz: f64, q: f64, sample_rate: f64) -> Self {
        Self::bilinear(&AnalogBiquad::lowpass(q), cutoff_hz, sample_rate)
    }

    /// RBJ high-pass at `cutoff_hz` (0 < cutoff < fs/2), `q` > 0.
    pub fn highpass(cutoff_hz: f64, q: f64, sample_rate: f64) -> Self {
        Self::bilinear(&AnalogBiquad::highpass(q), cutoff_hz, sample_rate)
    }

    /// RBJ band-pass, unity at `center_hz` (0 < centre < fs/2), `q` > 0.
    pub fn bandpass(center_hz: f64, q: f64, sample_rate: f64) -> Self {
        Self::bilinear(&AnalogBiquad::bandpass(q), center_hz, sample_rate)
    }

    /// RBJ peaking filter: `gain_db` at `center_hz`, `q` > 0.
    pub fn peaking(center_hz: f64, gain_db: f64, q: f64, sample_rate: f64) -> Self {
        Self::bilinear(&AnalogBiquad::peaking(gain_db, q), center_hz, sample_rate)
    }

    /// RBJ low shelf: `gain_db` below `corner_hz`, `q` > 0.
    pub fn low_shelf(corner_hz: f64, gain_db: f64, q: f64, sample_rate: f64) -> Self {
        Self::bilinear(&AnalogBiquad::low_shelf(gain_db, q), corner_hz, sample_rate)
    }

    /// RBJ high shelf: `gain_db` above `corner_hz`, `q` > 0.
    pub fn high_shelf(corner_hz: f64, gain_db: f64, q: f64, sample_rate: f64) -> Self {
        Self::bilinear(
            &AnalogBiquad::high_shelf(gain_db, q),
            corner_hz,
            sample_rate,
        )
    }

    /// Analytic frequency response `H(e^{jω})`, `ω = 2π·freq_hz/sample_rate`.
    pub fn response(&self, freq_hz: f64, sample_rate: f64) -> Complex {
        let w = 2.0 * PI * freq_hz / sample_rate;
        // z⁻¹ = e^{−jω}, z⁻² = e^{−2jω}.
        let z1 = Complex::from_polar(1.0, -w);
        let z2 = Complex::from_polar(1.0, -2.0 * w);
        let num = Complex::new(self.b0, 0.0) + z1 * self.b1 + z2 * self.b2;
        let den = Complex::new(1.0, 0.0) + z1 * self.a1 + z2 * self.a2;
        num / den
    }

    /// True if both poles lie strictly inside the unit circle
    /// (stability triangle: |a2| < 1 and |a1| < 1 + a2).
    pub fn is_stable(&self) -> bool {
        self.a2.abs() < 1.0 && self.a1.abs() < 1.0 + self.a2
    }
}

/// Samples [`BiquadState::process_block`] runs at a time (its scratch copy).
pub const BLOCK_PIECE: usize = 64;

/// State of one biquad channel, transposed direct form II (two f64 memory
/// cells), the form with the best numerical behaviour in floating point.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct BiquadState {
    s1: f64,
    s2: f64,
}

impl BiquadState {
    /// A cleared state.
    pub const fn new() -> Self {
        Self { s1: 0.0, s2: 0.0 }
    }

    /// Clears the state. Never allocates.
    pub fn reset(&mut self) {
        *self = Self::new();
    }

    /// Filters one sample:
    /// `y = b0·x + s1; s1 = b1·x − a1·y + s2; s2 = b2·x − a2·y`.
    /// A tail below [`STATE_FLUSH_THRESHOLD`] is flushed to exact zero.
    /// `x` must be finite for the state to stay finite.
    #[inline(always)]
    pub fn process(&mut self, coefs: &BiquadCoefs, x: f64) -> f64 {
        let y = coefs.b0 * x + self.s1;
        self.s1 = coefs.b1 * x - coefs.a1 * y + self.s2;
        self.s2 = coefs.b2 * x - coefs.a2 * y;
        if self.s1.abs() < STATE_FLUSH_THRESHOLD && self.s2.abs() < STATE_FLUSH_THRESHOLD {
            *self = Self::new();
        }
        y
    }

    /// Filters `samples` in place: bit for bit [`Self::process`] on each
    /// sample in turn. Runs a piece of up to [`BLOCK_PIECE`] samples with
    /// the memories in registers and without the per-sample tail flush,
    /// tracking the smallest `|s2|`: the flush clears the state only when
    /// both cells are below [`STATE_FLUSH_THRESHOLD`], so while that floor
    /// stays at or above it no flush would have happened and the result is
    /// exact; otherwise the piece runs again from the saved memories with
    /// [`Self::process`] (the compare-and-branch then stays off the common
    /// path). Never allocates.
    pub fn process_block(&mut self, coefs: &BiquadCoefs, samples: &mut [f64]) {
        for piece in samples.chunks_mut(BLOCK_PIECE) {
            let mut input = [0.0f64; BLOCK_PIECE];
            input[..piece.len()].copy_from_slice(piece);
            let (mut s1, mut s2) = (self.s1, self.s2);
            let mut floor = f64::INFINITY;
            for x in piece.iter_mut() {
                let y = coefs.b0 * *x + s1;
                s1 = coefs.b1 * *x - coefs.a1 * y + s2;
                s2 = coefs.b2 * *x - coefs.a2 * y;
                let magnitude = s2.abs();
                floor = if magnitude < floor { magnitude } else { floor };
                *x = y;
            }
            if floor < STATE_FLUSH_THRESHOLD {
                // A flush could have happened: again, exactly.
                for (x, &dry) in piece.iter_mut().zip(&input) {
                    *x = self.process(coefs, dry);
                }
            } else {
                (self.s1, self.s2) = (s1, s2);
            }
        }
    }

    /// The two state cells `[s1, s2]`, for tests and diagnostics.
    pub fn cells(&self) -> [f64; 2] {
        [self.s1, self.s2]
    }

    /// A state holding `cells` (`[s1, s2]`, as [`Self::cells`] returns
    /// them): for block loops that keep the memories elsewhere.
    pub fn from_cells(cells: [f64; 2]) -> Self {
        Self {
            s1: cells[0],
            s2: cells[1],
        }
    }
}

/// Most sections [`process_cascade_pair`] keeps in registers at once; longer
/// cascades run in groups of this many (the result is the same: every
/// sample still passes the sections in order).
pub const MAX_PAIR_SECTIONS: usize = 6;

/// Filters two channels in place through the cascade `coefs` (in order),
/// with `left_states[k]` / `right_states[k]` the state of section `k` on
/// each channel: both channels at once, one SIMD lane each (SSE2, baseline
/// on x86-64; elsewhere the scalar [`BiquadState::process`]), and every
/// section of a sample before the next sample, so the out-of-order core
/// overlaps the sections' recurrences.
///
/// The arithmetic is exactly [`BiquadState::process`]'s (the same IEEE
/// multiplies and adds in the same order, no fused multiply-add, the same
/// per-channel flush below [`STATE_FLUSH_THRESHOLD`]), so the output is
/// bit-identical to running each channel through the sections one by one
/// (`tests/biquad.rs` checks it).
///
/// # Panics
/// If the state slices are shorter than `coefs` or the channels differ in length.
pub fn process_cascade_pair(
    coefs: &[BiquadCoefs],
    left_states: &mut [BiquadState],
    right_states: &mut [BiquadState],
    left: &mut [f64],
    right: &mut [f64],
) {
    assert!(left_states.len() >= coefs.len() && right_states.len() >= coefs.len());
    assert_eq!(left.len(), right.len());
    let mut start = 0;
    while start < coefs.len() {
        let end = (start + MAX_PAIR_SECTIONS).min(coefs.len());
        let (c, l, r) = (
            &coefs[start..end],
            &mut left_states[start..end],
            &mut right_states[start..end],
        );
        match c.len() {
            1 => pair::cascade::<1>(c, l, r, left, right),
            2 => pair::cascade::<2>(c, l, r, left, right),
            3 => pair::cascade::<3>(c, l, r, left, right),
            4 => pair::cascade::<4>(c, l, r, left, right),
            5 => pair::cascade::<5>(c, l, r, left, right),
            _ => pair::cascade::<MAX_PAIR_SECTIONS>(c, l, r, left, right),
        }
        start = end;
    }
}

#[cfg(target_arch = "x86_64")]
mod pair {
    use super::{BiquadCoefs, BiquadState, STATE_FLUSH_THRESHOLD};
    use core::arch::x86_64::{
        __m128d, _mm_add_pd, _mm_and_pd, _mm_andnot_pd, _mm_castsi128_pd, _mm_cmplt_pd, _mm_mul_pd,
        _mm_set1_epi64x, _mm_set1_pd, _mm_set_pd, _mm_storeh_pd, _mm_storel_pd, _mm_sub_pd,
    };

    /// Lane 0 = left, lane 1 = right.
    #[inline(always)]
    fn lanes(left: f64, right: f64) -> __m128d {
        // SAFETY: SSE2 is part of the x86-64 baseline.
        unsafe { _mm_set_pd(right, left) }
    }

    #[inline(always)]
    fn split(v: __m128d) -> (f64, f64) {
        let (mut l, mut r) = (0.0, 0.0);
        // SAFETY: SSE2 is baseline; the stores write one f64 each to locals.
        unsafe {
            _mm_storel_pd(&mut l, v);
            _mm_storeh_pd(&mut r, v);
        }
        (l, r)
    }

    /// `N` sections (N = `coefs.len()`), both channels as the two lanes.
    #[inline(always)]
    pub(super) fn cascade<const N: usize>(
        coefs: &[BiquadCoefs],
        left_states: &mut [BiquadState],
        right_states: &mut [BiquadState],
        left: &mut [f64],
        right: &mut [f64],
    ) {
        let (coefs, ls, rs) = (&coefs[..N], &mut left_states[..N], &mut right_states[..N]);
        // SAFETY (every intrinsic below): SSE2 is part of the x86-64
        // baseline, and they only operate on registers.
        unsafe {
            let b0: [__m128d; N] = core::array::from_fn(|k| _mm_set1_pd(coefs[k].b0));
            let b1: [__m128d; N] = core::array::from_fn(|k| _mm_set1_pd(coefs[k].b1));
            let b2: [__m128d; N] = core::array::from_fn(|k| _mm_set1_pd(coefs[k].b2));
            let a1: [__m128d; N] = core::array::from_fn(|k| _mm_set1_pd(coefs[k].a1));
            let a2: [__m128d; N] = core::array::from_fn(|k| _mm_set1_pd(coefs[k].a2));
            let mut s1: [__m128d; N] = core::array::from_fn(|k| lanes(ls[k].s1, rs[k].s1));
            let mut s2: [__m128d; N] = core::array::from_fn(|k| lanes(ls[k].s2, rs[k].s2));
            let threshold = _mm_set1_pd(STATE_FLUSH_THRESHOLD);
            let abs_mask = _mm_castsi128_pd(_mm_set1_epi64x(i64::MAX));
            for (l, r) in left.iter_mut().zip(right.iter_mut()) {
                let mut x = lanes(*l, *r);
                for k in 0..N {
                    // y = b0·x + s1; s1 = b1·x − a1·y + s2; s2 = b2·x − a2·y
                    let y = _mm_add_pd(_mm_mul_pd(b0[k], x), s1[k]);
                    let n1 = _mm_add_pd(
                        _mm_sub_pd(_mm_mul_pd(b1[k], x), _mm_mul_pd(a1[k], y)),
                        s2[k],
                    );
                    let n2 = _mm_sub_pd(_mm_mul_pd(b2[k], x), _mm_mul_pd(a2[k], y));
                    // Flush both cells of a lane together when both are tiny.
                    let tiny = _mm_and_pd(
                        _mm_cmplt_pd(_mm_and_pd(n1, abs_mask), threshold),
                        _mm_cmplt_pd(_mm_and_pd(n2, abs_mask), threshold),
                    );
                    s1[k] = _mm_andnot_pd(tiny, n1);
                    s2[k] = _mm_andnot_pd(tiny, n2);
                    x = y;
                }
                (*l, *r) = split(x);
            }
            for k in 0..N {
                (ls[k].s1, rs[k].s1) = split(s1[k]);
                (ls[k].s2, rs[k].s2) = split(s2[k]);
            }
        }
    }
}

/// The scalar path on other targets (and the reference the SIMD path is
/// tested against): each channel through the sections with
/// [`BiquadState::process`].
#[cfg(not(target_arch = "x86_64"))]
mod pair {
    use super::{BiquadCoefs, BiquadState};

    pub(super) fn cascade<const N: usize>(
        coefs: &[BiquadCoefs],
        left_states: &mut [BiquadState],
        right_states: &mut [BiquadState],
        left: &mut [f64],
        right: &mut [f64],
    ) {
        super::process_cascade_scalar(coefs, left_states, left);
        super::process_cascade_scalar(coefs, right_states, right);
    }
}

/// The scalar reference of [`process_cascade_pair`] for one channel:
/// `samples` through `coefs` in order with [`BiquadState::process`].
pub fn process_cascade_scalar(
    coefs: &[BiquadCoefs],
    states: &mut [BiquadState],
    samples: &mut [f64],
) {
    for sample in samples.iter_mut() {
        let mut x = *sample;
        for (c, s) in coefs.iter().zip(states.iter_mut()) {
            x = s.process(c, x);
        }
        *sample = x;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The block path is the per-sample one bit for bit, output and
    /// memories, through bursts and silent tails that flush (so the exact
    /// reruns happen), in uneven blocks longer and shorter than a piece.
    #[test]
    fn process_block_is_process_sample_by_sample_bit_for_bit() {
        let rate = 48_000.0;
        for coefs in [
            BiquadCoefs::highpass(180.0, 0.707, rate),
            BiquadCoefs::low_shelf(200.0, -3.0, 0.707, rate),
            BiquadCoefs::high_shelf(6_000.0, 2.0, 0.707, rate),
        ] {
            let (mut block, mut per_sample) = (BiquadState::new(), BiquadState::new());
            let mut seed = 17u32;
            let len = 200_000;
            let input: Vec<f64> = (0..len)
                .map(|n| {
                    seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
                    let v = f64::from(seed >> 8) / f64::from(1u32 << 24) - 0.5;
                    if n % 100_000 < 2_000 {
                        v
                    } else {
                        0.0
                    }
                })
                .collect();
            let mut out = input.clone();
            let mut start = 0;
            let mut flushed = false;
            for step in [64usize, 1, 63, 200, 17, 64, 130].iter().cycle() {
                if start >= len {
                    break;
                }
                let end = (start + step).min(len);
                block.process_block(&coefs, &mut out[start..end]);
                for (n, &x) in input[start..end].iter().enumerate() {
                    let want = per_sample.process(&coefs, x);
                    assert_eq!(
                        out[start + n].to_bits(),
                        want.to_bits(),
                        "sample {}",
                        start + n
                    );
                }
                assert_eq!(block, per_sample, "memories after {end}");
                flushed |= start > 2_000 && block.cells() == [0.0; 2];
                start = end;
            }
            assert!(flushed, "the tail flushed: the exact reruns ran");
        }
    }
}
