//! 8× oversampling as a cascade of three 2× stages (the saturator's).
//!
//! # Why a cascade
//! A single 8× polyphase FIR ([`super::oversampling`]) must be sharp at the
//! base-rate Nyquist frequency *at the 8× rate*: 48 taps per branch, 336
//! multiply-adds per input sample up and 384 down. Split into 2×·2×·2×,
//! only the first stage up (and the last down) needs that sharpness; each
//! later stage sees the signal occupying a smaller fraction of its rate, so
//! its transition band is wide and it is short. And every stage is a
//! *half-band* filter (cut-off at a quarter of its higher rate), whose taps
//! at even distances from the centre are zero, so a 2× stage costs one
//! dot product of `2K` taps per input sample (up) or per output sample (down).
//!
//! # Filters
//! Half-band stage, `K` = [`HalfbandDesign::taps_per_side`]: length `4K − 1`,
//! centre `c = 2K − 1`, `h[i] = ½·sinc((i − c)/2)·w[i]` with a Kaiser window
//! `w` of half-width `2K` (so the outermost non-zero taps are not wasted on
//! the window's tails), β from the stopband attenuation (Kaiser's formula).
//! The centre tap is exactly ½ and the `2K` others are normalised to sum ½,
//! so the DC gain is exactly 1. Interpolating, the output at odd instants is
//! the input delayed by `K − 1` samples, exactly; at even instants a dot
//! product. Decimating, the output is one dot product over the samples of
//! one parity plus ½ × one sample of the other.
//!
//! The first decimation stage (8× → 4×) is instead an *even*-length
//! symmetric low-pass ([`EVEN_STAGE_TAPS`] taps, Kaiser-windowed sinc at
//! the 4× Nyquist frequency): its group delay is a half-integer number of
//! 8× samples, which takes back the half sample that first-order ADAA (and
//! the saturator's matching two-tap dry average) adds, so the whole chain
//! delays by an exact number of base-rate samples ([`LATENCY_SAMPLES`]).
//! That is why [`Downsampler8x`] is only for signals that passed such a
//! half-sample stage.
//!
//! # Stage specifications (fractions of the base rate `fs`)
//! Pass band up to ≈ 0.44·fs everywhere, like the 8× polyphase design it
//! replaces (90 dB, 48 taps per phase, transition 0.44–0.56·fs):
//! - stage 1 up / stage 3 down (2× ↔ 1×): `K` = 24, transition 0.44–0.56·fs;
//! - stage 2 up (2× → 4×): images of 0 … 0.44·fs start at 1.56·fs: `K` = 7;
//! - stage 3 up (4× → 8×): images start at 3.44·fs: `K` = 6;
//! - stage 1 down (8× → 4×): what would fold onto 0 … 0.56·fs lies above
//!   3.44·fs: 20 taps;
//! - stage 2 down (4× → 2×): what would fold onto 0 … 0.56·fs lies above
//!   1.44·fs: `K` = 8.
//!
//! Kaiser attenuations [`SHARP_ATTENUATION_DB`] and [`SHORT_ATTENUATION_DB`]; `tests` check every stage's analytic
//! response (short stages ≥ 90 dB over the bands that matter; the sharp
//! stages within 2 dB of the single-stage design at 0.56·fs, measured
//! 88.6 dB against 90.4 dB; pass band flat to 0.001 dB up to 0.40·fs,
//! measured ≤ 2.2e-4 dB) and where an impulse comes out: latency
//! [`LATENCY_SAMPLES`] = 56 base-rate samples.
//!
//! Cost per base-rate sample and channel: 48 + 2·16 + 4·12 = 128
//! multiply-adds up (taps padded to SSE width) and 4·20 + 2·16 + 48 = 160
//! down, against 336 + 384 for the single-stage design.

use super::oversampling::{bessel_i0, kaiser_beta, sinc};
use crate::primitives::complex::Complex;
use core::f64::consts::PI;

/// Oversampling factor of the cascade.
pub const FACTOR: usize = 8;
/// Kaiser design attenuation of the two sharp stages (2× ↔ 1×), dB: that of
/// the single-stage design they replace.
pub const SHARP_ATTENUATION_DB: f64 = 90.0;
/// Kaiser design attenuation of the short stages, dB: higher than
/// [`SHARP_ATTENUATION_DB`] because Kaiser's formula overestimates what a
/// short window reaches (their wide transition bands can afford it).
pub const SHORT_ATTENUATION_DB: f64 = 100.0;
/// Half-band stages, interpolation, first (1× → 2×) to last (4× → 8×).
pub const UP_STAGES: [HalfbandDesign; 3] = [
    HalfbandDesign::new(24, SHARP_ATTENUATION_DB),
    HalfbandDesign::new(7, SHORT_ATTENUATION_DB),
    HalfbandDesign::new(6, SHORT_ATTENUATION_DB),
];
/// Taps of the even-length 8× → 4× decimation stage.
pub const EVEN_STAGE_TAPS: usize = 20;
/// Half-band stages, decimation, 4× → 2× then 2× → 1×.
pub const DOWN_STAGES: [HalfbandDesign; 2] = [
    HalfbandDesign::new(8, SHORT_ATTENUATION_DB),
    HalfbandDesign::new(24, SHARP_ATTENUATION_DB),
];
/// SIMD width the tap arrays are padded to (zeros), f32 lanes of SSE.
const LANES: usize = 4;

/// Total delay of up → half-sample stage → down, in 8× samples:
/// stage `s` (rate `2^s·fs`) delays by its centre `c` at its own rate, i.e.
/// `c·8/2^s` samples at 8×; the half sample and the even stage's
/// `(EVEN_STAGE_TAPS − 1)/2` add to `EVEN_STAGE_TAPS/2`.
pub const CHAIN_DELAY_OVERSAMPLED: usize = 4 * UP_STAGES[0].centre()
    + 2 * UP_STAGES[1].centre()
    + UP_STAGES[2].centre()
    + EVEN_STAGE_TAPS / 2
    + 2 * DOWN_STAGES[0].centre()
    + 4 * DOWN_STAGES[1].centre();
/// Which 8× instant (0 … 7 within a base-rate period) the decimated output
/// is taken at, so that the chain delay is a whole number of base samples.
/// Bit 0 selects the phase of the even stage, bit 1 of the 4× → 2× stage,
/// bit 2 of the 2× → 1× stage.
pub const OUTPUT_PHASE: usize = CHAIN_DELAY_OVERSAMPLED % FACTOR;
/// Latency of up → half-sample stage → down, base-rate samples (exact).
pub const LATENCY_SAMPLES: usize = (CHAIN_DELAY_OVERSAMPLED - OUTPUT_PHASE) / FACTOR;

/// A half-band FIR stage. Plain value.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct HalfbandDesign {
    /// `K`: non-zero taps on each side of the centre, ≥ 1 (length `4K − 1`).
    pub taps_per_side: usize,
    /// Stopband attenuation the Kaiser window is designed for, dB (≥ 21).
    pub attenuation_db: f64,
}

impl HalfbandDesign {
    /// A stage with `taps_per_side` non-zero taps each side.
    pub const fn new(taps_per_side: usize, attenuation_db: f64) -> Self {
        Self {
            taps_per_side,
            attenuation_db,
        }
    }

    /// Centre index `2K − 1` = delay in samples at the stage's higher rate.
    pub const fn centre(&self) -> usize {
        2 * self.taps_per_side - 1
    }

    /// Full impulse response at the higher rate, `4K − 1` taps, DC gain 1
    /// (centre ½, the others normalised to sum ½; zeros included).
    pub fn impulse_response(&self) -> Vec<f64> {
        let k = self.taps_per_side;
        assert!(k >= 1, "a half-band stage needs at least one tap a side");
        let len = 4 * k - 1;
        let centre = self.centre() as f64;
        let half_width = centre + 1.0;
        let beta = kaiser_beta(self.attenuation_db);
        let i0_beta = bessel_i0(beta);
        let mut h: Vec<f64> = (0..len)
            .map(|i| {
                let offset = i as f64 - centre;
                if offset == 0.0 || i % 2 == 1 {
                    return 0.0;
                }
                let ratio = offset / half_width;
                let window = bessel_i0(beta * (1.0 - ratio * ratio).max(0.0).sqrt()) / i0_beta;
                0.5 * sinc(offset / 2.0) * window
            })
            .collect();
        let sum: f64 = h.iter().sum();
        for x in &mut h {
            *x *= 0.5 / sum;
        }
        h[self.centre()] = 0.5;
        h
    }

    /// The `2K` non-zero off-centre taps `h[0], h[2], …, h[4K − 2]`.
    fn branch(&self) -> Vec<f64> {
        self.impulse_response().into_iter().step_by(2).collect()
    }
}

/// Taps of the even-length 8× → 4× stage (sum 1): Kaiser-windowed sinc with
/// its cut-off at a quarter of the 8× rate, centre `(EVEN_STAGE_TAPS − 1)/2`.
pub fn even_stage_impulse_response() -> Vec<f64> {
    let len = EVEN_STAGE_TAPS;
    let centre = (len - 1) as f64 / 2.0;
    let half_width = centre + 0.5;
    let beta = kaiser_beta(SHORT_ATTENUATION_DB);
    let i0_beta = bessel_i0(beta);
    let raw: Vec<f64> = (0..len)
        .map(|i| {
            let offset = i as f64 - centre;
            let ratio = offset / half_width;
            let window = bessel_i0(beta * (1.0 - ratio * ratio).max(0.0).sqrt()) / i0_beta;
            sinc(offset / 2.0) * window
        })
        .collect();
    let sum: f64 = raw.iter().sum();
    raw.iter().map(|h| h / sum).collect()
}

/// Frequency response of an FIR `h` at `freq` (a fraction of *its* rate),
/// linear-phase delay removed: real-valued for a symmetric `h`.
pub fn fir_response(h: &[f64], freq: f64) -> Complex {
    let w = 2.0 * PI * freq;
    let centre = (h.len() - 1) as f64 / 2.0;
    h.iter()
        .enumerate()
        .fold(Complex::default(), |acc, (j, &x)| {
            acc + Complex::from_polar(x, -w * (j as f64 - centre))
        })
}

/// `len` rounded up to whole SIMD registers.
const fn padded(len: usize) -> usize {
    len.div_ceil(LANES) * LANES
}

/// Padded tap counts of the stages, in signal order: up 1, 2, 3; the even
/// stage; down 2, 3.
const UP_TAPS: [usize; 3] = [
    padded(2 * UP_STAGES[0].taps_per_side),
    padded(2 * UP_STAGES[1].taps_per_side),
    padded(2 * UP_STAGES[2].taps_per_side),
];
const EVEN_TAPS: usize = padded(EVEN_STAGE_TAPS);
const DOWN_TAPS: [usize; 2] = [
    padded(2 * DOWN_STAGES[0].taps_per_side),
    padded(2 * DOWN_STAGES[1].taps_per_side),
];

/// f32 taps, zero-padded to `P`.
fn padded_taps<const P: usize>(taps: &[f64]) -> [f32; P] {
    assert!(taps.len() <= P && P % LANES == 0);
    let mut out = [0.0f32; P];
    for (o, t) in out.iter_mut().zip(taps) {
        *o = *t as f32;
    }
    out
}

/// Dot product of two `P`-sample arrays (`P` a multiple of 4): one
/// accumulator per SSE lane on x86-64 (baseline there), lane `j` summing
/// the products `4i + j`, then `(lane 0 + lane 2) + (lane 1 + lane 3)`.
/// Elsewhere [`dot_fixed_scalar`], the same operations in the same order,
/// so the two are bit-identical (tested).
#[inline(always)]
fn dot_fixed<const P: usize>(a: &[f32; P], b: &[f32; P]) -> f32 {
    #[cfg(target_arch = "x86_64")]
    {
        use core::arch::x86_64::{
            _mm_add_ps, _mm_add_ss, _mm_cvtss_f32, _mm_loadu_ps, _mm_movehl_ps, _mm_mul_ps,
            _mm_setzero_ps, _mm_shuffle_ps,
        };
        // SAFETY: SSE is part of the x86-64 baseline; every load reads four
        // f32 at 4·k .. 4·k + 4 ≤ P of both arrays.
        unsafe {
            let mut acc = _mm_setzero_ps();
            for k in 0..P / LANES {
                let x = _mm_loadu_ps(a.as_ptr().add(LANES * k));
                let y = _mm_loadu_ps(b.as_ptr().add(LANES * k));
                acc = _mm_add_ps(acc, _mm_mul_ps(x, y));
            }
            // [l0 + l2, l1 + l3, ..], then (l0 + l2) + (l1 + l3).
            let pairs = _mm_add_ps(acc, _mm_movehl_ps(acc, acc));
            let second = _mm_shuffle_ps::<0b01>(pairs, pairs);
            _mm_cvtss_f32(_mm_add_ss(pairs, second))
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        dot_fixed_scalar(a, b)
    }
}

/// The scalar reference of [`dot_fixed`] (used on other targets).
#[cfg_attr(target_arch = "x86_64", allow(dead_code))]
#[inline(always)]
fn dot_fixed_scalar<const P: usize>(a: &[f32; P], b: &[f32; P]) -> f32 {
    let mut lanes = [0.0f32; LANES];
    for (ca, cb) in a.chunks_exact(LANES).zip(b.chunks_exact(LANES)) {
        for j in 0..LANES {
            lanes[j] += ca[j] * cb[j];
        }
    }
    (lanes[0] + lanes[2]) + (lanes[1] + lanes[3])
}

/// Sample history written twice (`buf[pos + k] = buf[pos + k + P]`) so
/// the newest `P` samples are always one contiguous array, newest first.
#[derive(Debug, Clone)]
struct History<const P: usize> {
    buf: Box<[f32]>,
    pos: usize,
}

impl<const P: usize> History<P> {
    fn new() -> Self {
        assert!(P >= 1);
        Self {
            buf: vec![0.0; 2 * P].into_boxed_slice(),
            pos: 0,
        }
    }

    #[inline(always)]
    fn push(&mut self, x: f32) {
        self.pos = if self.pos == 0 { P - 1 } else { self.pos - 1 };
        self.buf[self.pos] = x;
        self.buf[self.pos + P] = x;
    }

    /// The newest `P` samples, newest first.
    #[inline(always)]
    fn recent(&self) -> &[f32; P] {
        self.buf[self.pos..self.pos + P]
            .try_into()
            .expect("the window is P long")
    }

    fn reset(&mut self) {
        self.buf.fill(0.0);
        self.pos = 0;
    }

    fn is_silent(&self) -> bool {
        self.buf.iter().all(|&x| x == 0.0)
    }
}

/// One 2× half-band interpolation stage, one channel, `P` padded taps.
#[derive(Debug, Clone)]
struct HalfbandUp<const P: usize> {
    /// `2·h[2k]` (sum 1), newest input first, zero-padded.
    taps: [f32; P],
    history: History<P>,
    /// `K − 1`: the odd output is the input this many samples ago.
    copy_delay: usize,
}

impl<const P: usize> HalfbandUp<P> {
    fn new(design: HalfbandDesign) -> Self {
        let branch: Vec<f64> = design.branch().iter().map(|h| 2.0 * h).collect();
        Self {
            taps: padded_taps(&branch),
            history: History::new(),
            copy_delay: design.taps_per_side - 1,
        }
    }

    /// Pushes one sample; the two output samples, oldest first.
    #[inline(always)]
    fn process(&mut self, x: f32) -> [f32; 2] {
        self.history.push(x);
        let recent = self.history.recent();
        [dot_fixed(&self.taps, recent), recent[self.copy_delay]]
    }
}

/// One 2× half-band decimation stage, one channel, `P` padded taps.
#[derive(Debug, Clone)]
struct HalfbandDown<const P: usize> {
    /// `h[2k]` (sum ½), zero-padded.
    taps: [f32; P],
    /// The samples of the parity the dot product runs over.
    dot_history: History<P>,
    /// The samples of the other parity (the centre tap reads one of them);
    /// `P ≥ K + 1`, so it is long enough.
    centre_history: History<P>,
    centre_delay: usize,
    /// Output aligned with the newer sample of each pair (else the older).
    newer_phase: bool,
}

impl<const P: usize> HalfbandDown<P> {
    fn new(design: HalfbandDesign, newer_phase: bool) -> Self {
        let k = design.taps_per_side;
        // Output at the newer (odd) instant 2m + 1: the dot runs over the
        // odd samples m, m − 1, …, the centre 2m + 1 − (2K − 1) is the even
        // sample m + 1 − K. At the older (even) instant 2m: the dot runs over
        // the even samples, the centre 2m − (2K − 1) is the odd sample m − K.
        let centre_delay = if newer_phase { k - 1 } else { k };
        assert!(centre_delay < P);
        Self {
            taps: padded_taps(&design.branch()),
            dot_history: History::new(),
            centre_history: History::new(),
            centre_delay,
            newer_phase,
        }
    }

    /// Pushes a pair (older, newer); one output sample.
    #[inline(always)]
    fn process(&mut self, older: f32, newer: f32) -> f32 {
        let (dotted, centred) = if self.newer_phase {
            (newer, older)
        } else {
            (older, newer)
        };
        self.dot_history.push(dotted);
        self.centre_history.push(centred);
        dot_fixed(&self.taps, self.dot_history.recent())
            + 0.5 * self.centre_history.recent()[self.centre_delay]
    }

    fn reset(&mut self) {
        self.dot_history.reset();
        self.centre_history.reset();
    }

    fn is_silent(&self) -> bool {
        self.dot_history.is_silent() && self.centre_history.is_silent()
    }
}

/// The even-length 8× → 4× stage, one channel.
#[derive(Debug, Clone)]
struct EvenDown {
    taps: [f32; EVEN_TAPS],
    history: History<EVEN_TAPS>,
    newer_phase: bool,
}

impl EvenDown {
    fn new(newer_phase: bool) -> Self {
        Self {
            taps: padded_taps(&even_stage_impulse_response()),
            history: History::new(),
            newer_phase,
        }
    }

    #[inline(always)]
    fn process(&mut self, older: f32, newer: f32) -> f32 {
        self.history.push(older);
        if self.newer_phase {
            self.history.push(newer);
            dot_fixed(&self.taps, self.history.recent())
        } else {
            let y = dot_fixed(&self.taps, self.history.recent());
            self.history.push(newer);
            y
        }
    }
}

/// One channel of 8× interpolation (three half-band stages). Allocates in
/// [`Upsampler8x::new`] only.
#[derive(Debug, Clone)]
pub struct Upsampler8x {
    s1: HalfbandUp<{ UP_TAPS[0] }>,
    s2: HalfbandUp<{ UP_TAPS[1] }>,
    s3: HalfbandUp<{ UP_TAPS[2] }>,
}

impl Default for Upsampler8x {
    fn default() -> Self {
        Self::new()
    }
}

impl Upsampler8x {
    /// A cleared interpolator. Allocates.
    pub fn new() -> Self {
        Self {
            s1: HalfbandUp::new(UP_STAGES[0]),
            s2: HalfbandUp::new(UP_STAGES[1]),
            s3: HalfbandUp::new(UP_STAGES[2]),
        }
    }

    /// Clears the histories. Never allocates.
    pub fn reset(&mut self) {
        self.s1.history.reset();
        self.s2.history.reset();
        self.s3.history.reset();
    }

    /// True if every history is zero (zeros in give exact zeros out).
    pub fn is_silent(&self) -> bool {
        self.s1.history.is_silent() && self.s2.history.is_silent() && self.s3.history.is_silent()
    }

    /// Pushes one base-rate sample; the 8 output samples, oldest first.
    #[inline]
    pub fn process_sample(&mut self, x: f32) -> [f32; FACTOR] {
        let [a0, a1] = self.s1.process(x);
        let [b0, b1] = self.s2.process(a0);
        let [b2, b3] = self.s2.process(a1);
        let [c0, c1] = self.s3.process(b0);
        let [c2, c3] = self.s3.process(b1);
        let [c4, c5] = self.s3.process(b2);
        let [c6, c7] = self.s3.process(b3);
        [c0, c1, c2, c3, c4, c5, c6, c7]
    }
}

/// One channel of 8× decimation for a signal that was delayed by half an
/// 8× sample after [`Upsampler8x`] (see the module docs). Allocates in
/// [`Downsampler8x::new`] only.
#[derive(Debug, Clone)]
pub struct Downsampler8x {
    even: EvenDown,
    s2: HalfbandDown<{ DOWN_TAPS[0] }>,
    s3: HalfbandDown<{ DOWN_TAPS[1] }>,
}

impl Default for Downsampler8x {
    fn default() -> Self {
        Self::new()
    }
}

impl Downsampler8x {
    /// A cleared decimator, taking its output at [`OUTPUT_PHASE`]. Allocates.
    pub fn new() -> Self {
        Self {
            even: EvenDown::new(OUTPUT_PHASE & 1 != 0),
            s2: HalfbandDown::new(DOWN_STAGES[0], OUTPUT_PHASE & 2 != 0),
            s3: HalfbandDown::new(DOWN_STAGES[1], OUTPUT_PHASE & 4 != 0),
        }
    }

    /// Clears the histories. Never allocates.
    pub fn reset(&mut self) {
        self.even.history.reset();
        self.s2.reset();
        self.s3.reset();
    }

    /// True if every history is zero (zeros in give exact zeros out).
    pub fn is_silent(&self) -> bool {
        self.even.history.is_silent() && self.s2.is_silent() && self.s3.is_silent()
    }

    /// Pushes the 8 samples of one base-rate period (oldest first) and
    /// returns one output sample.
    #[inline]
    pub fn process(&mut self, input: &[f32; FACTOR]) -> f32 {
        let [x0, x1, x2, x3, x4, x5, x6, x7] = *input;
        let q0 = self.even.process(x0, x1);
        let q1 = self.even.process(x2, x3);
        let q2 = self.even.process(x4, x5);
        let q3 = self.even.process(x6, x7);
        let a = self.s2.process(q0, q1);
        let b = self.s2.process(q2, q3);
        self.s3.process(a, b)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Stage `s` (1-based) interpolating: its rate is `2^s·fs`.
    fn db(x: f64) -> f64 {
        20.0 * x.abs().max(1e-300).log10()
    }

    /// Largest |response| in dB over `lo ..= hi` (fractions of the stage rate).
    fn worst_db(h: &[f64], lo: f64, hi: f64) -> f64 {
        (0..=2000)
            .map(|i| lo + (hi - lo) * i as f64 / 2000.0)
            .map(|f| db(fir_response(h, f).norm()))
            .fold(f64::NEG_INFINITY, f64::max)
    }

    /// Largest pass-band deviation in dB over `0 ..= hi`.
    fn ripple_db(h: &[f64], hi: f64) -> f64 {
        (0..=2000)
            .map(|i| hi * i as f64 / 2000.0)
            .map(|f| db(fir_response(h, f).norm()).abs())
            .fold(0.0, f64::max)
    }

    /// Pass band edge, fraction of the base rate.
    const PASS: f64 = 0.40;
    /// Stopband where images or folds would land in 0 … 0.5·fs, per stage:
    /// `(impulse response, rate / fs, stopband from, to (fractions of fs))`.
    fn stages() -> Vec<(&'static str, Vec<f64>, f64, f64)> {
        vec![
            ("up 1", UP_STAGES[0].impulse_response(), 2.0, 0.56),
            ("up 2", UP_STAGES[1].impulse_response(), 4.0, 1.56),
            ("up 3", UP_STAGES[2].impulse_response(), 8.0, 3.44),
            ("down 1", even_stage_impulse_response(), 8.0, 3.44),
            ("down 2", DOWN_STAGES[0].impulse_response(), 4.0, 1.44),
            ("down 3", DOWN_STAGES[1].impulse_response(), 2.0, 0.56),
        ]
    }

    #[test]
    fn every_stage_is_flat_in_the_pass_band_and_attenuates_its_stopband() {
        // The single-stage 8× design the sharp stages replace, over the same
        // stopband (0.56·fs up to the next image).
        let old = crate::primitives::oversampling::UpsamplerCoefs::new(
            crate::primitives::oversampling::UpsamplerDesign {
                factor: 8,
                taps_per_phase: 48,
                stopband_attenuation_db: 90.0,
            },
        );
        let old_stop = (0..=2000)
            .map(|i| 0.56 + 0.88 * i as f64 / 2000.0)
            .map(|f| db(old.response(f).norm()))
            .fold(f64::NEG_INFINITY, f64::max);
        println!("single-stage 8× design: stopband from 0.56·fs {old_stop:.1} dB");
        let mut failures = Vec::new();
        for (name, h, rate, stop_from) in stages() {
            let ripple = ripple_db(&h, PASS / rate);
            let stop = worst_db(&h, stop_from / rate, 0.5);
            let edge = db(fir_response(&h, 0.44 / rate).norm());
            println!("{name}: ripple to {PASS}·fs {ripple:.2e} dB, at 0.44·fs {edge:.2e} dB, stopband from {stop_from}·fs {stop:.1} dB");
            // The sharp stages are 95 taps at 2× against the old 385 at 8×
            // (96¼ at 2×): up to 2 dB less at the very edge, 0.56·fs.
            let bound = if stop_from == 0.56 {
                old_stop + 2.0
            } else {
                -SHARP_ATTENUATION_DB
            };
            if ripple >= 1e-3 || stop >= bound {
                failures.push(name);
            }
        }
        assert!(failures.is_empty(), "{failures:?}");
    }

    #[test]
    fn half_band_taps_are_zero_at_even_distances_and_sum_to_one() {
        for d in UP_STAGES.iter().chain(&DOWN_STAGES) {
            let h = d.impulse_response();
            let c = d.centre();
            assert_eq!(h[c], 0.5);
            for (i, x) in h.iter().enumerate() {
                if i != c && (i.abs_diff(c)) % 2 == 0 {
                    assert_eq!(*x, 0.0);
                }
                assert!((x - h[h.len() - 1 - i]).abs() < 1e-15, "symmetric");
            }
            assert!((h.iter().sum::<f64>() - 1.0).abs() < 1e-14);
        }
    }

    /// Runs an impulse through up → two-tap average → down.
    fn chain_impulse(at: usize, len: usize) -> Vec<f32> {
        let mut up = Upsampler8x::new();
        let mut down = Downsampler8x::new();
        let mut previous = 0.0f32;
        (0..len)
            .map(|n| {
                let x = if n == at { 1.0 } else { 0.0 };
                let mut over = up.process_sample(x);
                for v in &mut over {
                    let now = *v;
                    *v = 0.5 * (now + previous);
                    previous = now;
                }
                down.process(&over)
            })
            .collect()
    }

    #[test]
    fn the_chain_delays_by_its_latency_with_a_symmetric_response() {
        let y = chain_impulse(100, 400);
        let peak = y
            .iter()
            .enumerate()
            .max_by(|a, b| a.1.abs().total_cmp(&b.1.abs()))
            .unwrap()
            .0;
        assert_eq!(peak, 100 + LATENCY_SAMPLES);
        for k in 1..60 {
            let (a, b) = (y[peak - k], y[peak + k]);
            assert!((a - b).abs() < 1e-6, "k {k}: {a} {b}");
        }
        // Unity DC gain: the impulse response sums to 1.
        let sum: f32 = y.iter().sum();
        assert!((sum - 1.0).abs() < 1e-5, "{sum}");
    }

    #[test]
    fn simd_dot_is_bit_identical_to_the_scalar_reference() {
        fn check<const P: usize>(next: &mut impl FnMut() -> f32) {
            for _ in 0..200 {
                let a: [f32; P] = core::array::from_fn(|_| next());
                let b: [f32; P] = core::array::from_fn(|_| next() * 1e3);
                assert_eq!(
                    dot_fixed(&a, &b).to_bits(),
                    dot_fixed_scalar(&a, &b).to_bits(),
                    "{P}"
                );
            }
        }
        let mut seed = 0x1234_5679u32;
        let mut next = move || {
            seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            (seed >> 8) as f32 / (1u32 << 23) as f32 - 1.0
        };
        check::<4>(&mut next);
        check::<{ UP_TAPS[0] }>(&mut next);
        check::<{ UP_TAPS[1] }>(&mut next);
        check::<{ UP_TAPS[2] }>(&mut next);
        check::<EVEN_TAPS>(&mut next);
        check::<{ DOWN_TAPS[0] }>(&mut next);
    }

    #[test]
    fn zeros_stay_zeros_and_reset_clears() {
        let mut up = Upsampler8x::new();
        let mut down = Downsampler8x::new();
        assert!(up.is_silent() && down.is_silent());
        let over = up.process_sample(0.5);
        down.process(&over);
        assert!(!up.is_silent() && !down.is_silent());
        up.reset();
        down.reset();
        assert!(up.is_silent() && down.is_silent());
        assert_eq!(down.process(&up.process_sample(0.0)), 0.0);
    }
}
