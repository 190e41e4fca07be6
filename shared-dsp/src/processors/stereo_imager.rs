//! The Stereo Imager's processor: mid/side width (single or up to four
//! bands), mono maker, stereoize, side tone, balance, rotation, swap and
//! polarity — and the meters a mix is checked with before release:
//! correlation (overall and per band), balance, mid and side levels, and the
//! mono fold-down loss measured with the suite's BS.1770 meter.
//!
//! # Conventions
//! - Mid/side: `M = (L + R)/2`, `S = (L − R)/2` ([`crate::units::stereo`]).
//! - Width `w` scales the side signal: 0 = mono, 1 = unchanged, 2 = side
//!   +6 dB.
//! - **Fold-down**: the mono signal a mono speaker plays is `(L + R)/2`, fed
//!   to *both* channels of the loudness meter (a mono device playing a
//!   stereo file sums at −6 dB per channel, the usual "−6 dB pan law" of a
//!   passive sum; identical channels then fold to themselves). The mono loss
//!   is `L_stereo − L_fold` in LU: 0 for identical channels, ≈ 3 LU for
//!   independent equal-level channels, total (`+∞`) for inverted channels.
//!
//! # Signal flow (per frame)
//! sanitise → polarity → swap → M/S → mid/side gain → width (single band:
//! `S·w`; bands: crossover on M and S, `S_b·w·w_b`, solo) → stereoize
//! (`S += a·D(M)`, `D` a decorrelating all-pass: cancels in `L + R`) → side
//! tone (low and high shelf on S) → mono maker (below `f`: `S ← HP(S)`,
//! `M ← AP(M)`, the Linkwitz-Riley pair, so the mid keeps its magnitude and
//! both channels the same phase) → L/R → rotation → balance → meters →
//! Mono listen (the fold-down on both channels).
//!
//! Zero latency. With every control neutral the processor is skipped and
//! the output is the input, bit for bit; a mono input stays mono at any
//! width (its side is 0) unless Stereoize adds one.

use crate::primitives::biquad::{BiquadCoefs, BiquadState, STATE_FLUSH_THRESHOLD};
use crate::primitives::envelope::one_pole_coef;
use crate::primitives::level::{clamp_or, db_to_amplitude, flush_subnormal, sanitize};
use crate::primitives::smoother::{Fade, Smoother};
use crate::units::crossover::{CrossoverSlope, SplitCoefs, MAX_BANDS, MAX_SPLITS};
use crate::units::loudness::StereoFoldMeter;
use crate::units::mono_check::correlation_of_sums;
use crate::units::pair::{process_series_block, vex_available, Pair, PairCoefs, PairState};
use crate::units::pair_crossover::PairCrossover;
use crate::units::stereo::{balance_gains, decode_mid_side, encode_mid_side};

/// Width range (0 = mono, 1 = unchanged, 2 = side +6 dB).
pub const WIDTH_RANGE: (f32, f32) = (0.0, 2.0);
/// Mid and side gain range, dB.
pub const MS_GAIN_RANGE_DB: (f32, f32) = (-24.0, 12.0);
/// Balance range (−1 = left only … +1 = right only).
pub const BALANCE_RANGE: (f32, f32) = (-1.0, 1.0);
/// Rotation range, degrees (positive turns the image to the right).
pub const ROTATION_RANGE_DEG: (f32, f32) = (-45.0, 45.0);
/// Crossover frequency range, Hz.
pub const CROSSOVER_RANGE_HZ: (f32, f32) = (40.0, 16_000.0);
/// Mono maker cutoff range, Hz.
pub const MONO_MAKER_RANGE_HZ: (f32, f32) = (20.0, 500.0);
/// Stereoize amount range (0 = off, 1 = a side signal as loud as the mid).
pub const STEREOIZE_RANGE: (f32, f32) = (0.0, 1.0);
/// Side shelf gain range, dB.
pub const SIDE_SHELF_GAIN_RANGE_DB: (f32, f32) = (-12.0, 12.0);
/// Side low-shelf corner range, Hz.
pub const SIDE_LOW_SHELF_RANGE_HZ: (f32, f32) = (40.0, 1_000.0);
/// Side high-shelf corner range, Hz.
pub const SIDE_HIGH_SHELF_RANGE_HZ: (f32, f32) = (1_000.0, 16_000.0);
/// Default mono-compatibility warning threshold, LU.
pub const DEFAULT_MONO_WARNING_LU: f64 = 1.5;

/// Glide time of every continuous control, ms.
pub const RAMP_MS: f64 = 20.0;
/// Crossfade of switches (swap, polarity, band mode, mono maker, solo), ms.
pub const FADE_MS: f64 = 10.0;
/// Slope of the mono maker's split (Linkwitz-Riley 48 dB/octave).
pub const MONO_MAKER_SLOPE: CrossoverSlope = CrossoverSlope::Lr48;
/// Second-order sections of each Butterworth stage of the mono maker's
/// split (order 4), and of its all-pass.
const MONO_MAKER_SECTIONS: usize = 2;
/// Slope of the multiband splits.
pub const BAND_SLOPE: CrossoverSlope = CrossoverSlope::Lr24;
/// Time constant of the correlation, balance and level meters, ms (the
/// integration time of common correlation meters).
pub const METER_TIME_MS: f64 = 300.0;
/// Stereoize decorrelator: Schroeder all-pass delays, ms, and gain. Prime
/// ratios keep the comb notches of the three stages apart.
const STEREOIZE_DELAYS_MS: [f64; 3] = [4.7, 11.3, 17.9];
const STEREOIZE_ALLPASS_GAIN: f64 = 0.6;
/// The stereoize side is high-passed here so the low end stays mono, Hz.
const STEREOIZE_HIGH_PASS_HZ: f64 = 180.0;
/// Shelf slope (Q of the RBJ shelves: 0.707 = no overshoot).
const SHELF_Q: f64 = core::f64::consts::FRAC_1_SQRT_2;
/// Energies below this count as silence in the correlation (≈ −200 dBFS²).
const SILENT_ENERGY: f64 = 1e-20;
/// Frames processed at a time (stack scratch size): the chain runs stage by
/// stage over a chunk, and the meters take a chunk at once.
pub const CHUNK: usize = 64;
/// Largest |input| the processing path takes (+120 dBFS, as the
/// Maximizer): absurd input stays bounded, so no gain of the chain can
/// overflow f32. The neutral and bypassed paths pass input untouched.
pub const MAX_INPUT_ABS: f32 = 1.0e6;
/// How long the output rings after the input falls silent, s, until it is
/// 120 dB down: the stereoize decorrelator's longest all-pass (17.9 ms,
/// feedback 0.6) loses 120 dB in `ln(10⁻⁶)/ln(0.6)` ≈ 27 delays ≈ 0.48 s;
/// the crossovers, shelves and mono maker settle far sooner. Zero latency,
/// so this is the whole tail.
pub const DECAY_TAIL_S: f64 = 0.6;
/// Every Nth frame goes to the goniometer.
pub const SCOPE_DECIMATION: usize = 8;

/// Every user setting of the imager. Plain values; out-of-range values are
/// clamped, NaN falls back to the default.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ImagerSettings {
    /// Overall width, [`WIDTH_RANGE`].
    pub width: f32,
    /// Mid gain, dB.
    pub mid_gain_db: f32,
    /// Side gain, dB.
    pub side_gain_db: f32,
    /// Balance, [`BALANCE_RANGE`].
    pub balance: f32,
    /// Rotation, degrees.
    pub rotation_deg: f32,
    /// Swap left and right.
    pub swap: bool,
    /// Invert the polarity of the left / right input.
    pub invert: [bool; 2],
    /// Bands of the width control, 1 ..= 4.
    pub num_bands: usize,
    /// Crossover frequencies, Hz, ascending (the first `num_bands − 1`).
    pub crossover_hz: [f32; MAX_SPLITS],
    /// Width of each band (multiplies `width`), [`WIDTH_RANGE`].
    pub band_width: [f32; MAX_BANDS],
    /// Solo a band (any soloed band mutes the others).
    pub band_solo: [bool; MAX_BANDS],
    /// Mono maker on.
    pub mono_maker: bool,
    /// Mono maker cutoff, Hz.
    pub mono_maker_hz: f32,
    /// Stereoize amount, [`STEREOIZE_RANGE`].
    pub stereoize: f32,
    /// Side low shelf: corner, Hz, and gain, dB.
    pub side_low_hz: f32,
    pub side_low_gain_db: f32,
    /// Side high shelf: corner, Hz, and gain, dB.
    pub side_high_hz: f32,
    pub side_high_gain_db: f32,
    /// Listen to the mono fold-down.
    pub mono_listen: bool,
}

impl Default for ImagerSettings {
    fn default() -> Self {
        Self {
            width: 1.0,
            mid_gain_db: 0.0,
            side_gain_db: 0.0,
            balance: 0.0,
            rotation_deg: 0.0,
            swap: false,
            invert: [false; 2],
            num_bands: 1,
            crossover_hz: [150.0, 1_500.0, 6_000.0],
            band_width: [1.0; MAX_BANDS],
            band_solo: [false; MAX_BANDS],
            mono_maker: false,
            mono_maker_hz: 120.0,
            stereoize: 0.0,
            side_low_hz: 200.0,
            side_low_gain_db: 0.0,
            side_high_hz: 6_000.0,
            side_high_gain_db: 0.0,
            mono_listen: false,
        }
    }
}

impl ImagerSettings {
    /// Clamped to the documented ranges.
    pub fn sanitized(&self) -> Self {
        let d = Self::default();
        let mut crossover_hz = [0.0; MAX_SPLITS];
        for (out, (&f, &df)) in crossover_hz
            .iter_mut()
            .zip(self.crossover_hz.iter().zip(&d.crossover_hz))
        {
            *out = clamp_or(f, CROSSOVER_RANGE_HZ, df);
        }
        crossover_hz.sort_by(|a, b| a.total_cmp(b));
        Self {
            width: clamp_or(self.width, WIDTH_RANGE, d.width),
            mid_gain_db: clamp_or(self.mid_gain_db, MS_GAIN_RANGE_DB, 0.0),
            side_gain_db: clamp_or(self.side_gain_db, MS_GAIN_RANGE_DB, 0.0),
            balance: clamp_or(self.balance, BALANCE_RANGE, 0.0),
            rotation_deg: clamp_or(self.rotation_deg, ROTATION_RANGE_DEG, 0.0),
            swap: self.swap,
            invert: self.invert,
            num_bands: self.num_bands.clamp(1, MAX_BANDS),
            crossover_hz,
            band_width: self.band_width.map(|w| clamp_or(w, WIDTH_RANGE, 1.0)),
            band_solo: self.band_solo,
            mono_maker: self.mono_maker,
            mono_maker_hz: clamp_or(self.mono_maker_hz, MONO_MAKER_RANGE_HZ, d.mono_maker_hz),
            stereoize: clamp_or(self.stereoize, STEREOIZE_RANGE, 0.0),
            side_low_hz: clamp_or(self.side_low_hz, SIDE_LOW_SHELF_RANGE_HZ, d.side_low_hz),
            side_low_gain_db: clamp_or(self.side_low_gain_db, SIDE_SHELF_GAIN_RANGE_DB, 0.0),
            side_high_hz: clamp_or(self.side_high_hz, SIDE_HIGH_SHELF_RANGE_HZ, d.side_high_hz),
            side_high_gain_db: clamp_or(self.side_high_gain_db, SIDE_SHELF_GAIN_RANGE_DB, 0.0),
            mono_listen: self.mono_listen,
        }
    }

    /// True if band widths or solos make the multiband path audible.
    fn multiband_active(&self) -> bool {
        self.num_bands > 1
            && (self.band_width[..self.num_bands].iter().any(|&w| w != 1.0)
                || self.band_solo[..self.num_bands].iter().any(|&s| s))
    }
}

pub use crate::units::mono_check::MonoLoss;

/// The imager's meters, as of the last processed frame.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct ImagerReadings {
    /// Correlation of the output, −1 ..= +1 (0 for silence).
    pub correlation: f64,
    /// Correlation per band (bands of the width control; all equal to the
    /// overall one in single-band mode).
    pub band_correlation: [f64; MAX_BANDS],
    /// Balance, −1 (all left) ..= +1 (all right), from the channel energies.
    pub balance: f64,
    /// Mid and side RMS levels, dBFS (`None` for silence).
    pub mid_db: Option<f64>,
    pub side_db: Option<f64>,
    /// Whether any band's side energy exceeds its mid energy.
    pub side_exceeds_mid: bool,
    /// Mono fold-down loss.
    pub mono_loss: MonoLoss,
    /// Correlation over everything since the last meter reset (`None`
    /// while a channel is silent): the whole-mix figure.
    pub correlation_since_reset: Option<f64>,
}

impl ImagerReadings {
    /// The mono-compatibility warning: fold-down loss (integrated, else
    /// short-term) above `threshold_lu`, or side louder than mid in a band.
    pub fn mono_warning(&self, threshold_lu: f64) -> bool {
        let loss = self
            .mono_loss
            .integrated_lu
            .or(self.mono_loss.short_term_lu);
        self.side_exceeds_mid || loss.is_some_and(|l| l > threshold_lu)
    }
}

/// Goniometer coordinates of a stereo frame, the L/R plane turned 45° so
/// mono is vertical: `x = (R − L)/√2`, `y = (L + R)/√2`. Left-only points
/// lie on the upper-left diagonal, right-only on the upper-right one,
/// inverted channels on the horizontal; the radius is `√(L² + R²)`.
#[inline]
pub fn goniometer_xy(l: f32, r: f32) -> (f32, f32) {
    let k = core::f32::consts::FRAC_1_SQRT_2;
    ((r - l) * k, (l + r) * k)
}

/// The polar level view of a goniometer: `interleaved` holds (L, R) frames
/// (`[l0, r0, l1, r1, …]`); each of the `bins.len()` equal sectors of the
/// upper half-plane (−90° = left of vertical … +90°, 0° = mono) gets the
/// largest radius of the frames pointing into it. A frame and its negation
/// point the same way (the same signal half a cycle later), so the lower
/// half folds onto the upper. Empty sectors read 0.
pub fn polar_levels(interleaved: &[f32], bins: &mut [f32]) {
    bins.fill(0.0);
    let n = bins.len();
    if n == 0 {
        return;
    }
    for frame in interleaved.chunks_exact(2) {
        let (mut x, mut y) = goniometer_xy(frame[0], frame[1]);
        if !(x.is_finite() && y.is_finite()) || (x == 0.0 && y == 0.0) {
            continue;
        }
        if y < 0.0 || (y == 0.0 && x > 0.0) {
            (x, y) = (-x, -y);
        }
        let angle = x.atan2(y); // −π/2 ..= π/2, 0 = straight up
        let t = (angle + core::f32::consts::FRAC_PI_2) / core::f32::consts::PI;
        let bin = ((t * n as f32) as usize).min(n - 1);
        bins[bin] = bins[bin].max(x.hypot(y));
    }
}

/// Exponentially averaged products of a stereo pair: what correlation and
/// balance are read from.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
struct PairEnergy {
    ll: f64,
    rr: f64,
    lr: f64,
}

impl PairEnergy {
    /// Advances the averages over a chunk: `decay` = `α^n`, `sums` the
    /// chunk's weighted products `[Σ w·L², Σ w·R², Σ w·L·R]` (see
    /// [`weighted_products`]). Clears to silence below [`SILENT_ENERGY`].
    #[inline]
    fn advance(&mut self, decay: f64, sums: [f64; 3]) {
        self.ll = decay * self.ll + sums[0];
        self.rr = decay * self.rr + sums[1];
        self.lr = decay * self.lr + sums[2];
        if self.ll + self.rr < SILENT_ENERGY {
            *self = Self::default();
        }
    }

    fn correlation(&self) -> f64 {
        let norm = (self.ll * self.rr).sqrt();
        if norm > SILENT_ENERGY {
            (self.lr / norm).clamp(-1.0, 1.0)
        } else {
            0.0
        }
    }

    fn balance(&self) -> f64 {
        let total = self.ll + self.rr;
        if total > SILENT_ENERGY {
            (self.rr - self.ll) / total
        } else {
            0.0
        }
    }
}

/// The meters' one-pole averages `y ← x + α·(y − x)` over a chunk in closed
/// form: after `n` frames `y_n = α^n·y_0 + Σ_k (1 − α)·α^(n−1−k)·x_k`, the
/// same average as `n` single steps up to rounding (≈ 1e-15 relative), as
/// dot products that need no step-by-step recursion. `weights[k]` is the
/// weight of frame `k` (the last `n` of the [`CHUNK`] weights); `products(k)`
/// gives frame `k`'s squared terms; `acc[j]` collects term `j` (two lanes:
/// even and odd frames; the caller adds the lanes).
#[inline(always)]
fn weighted_products<const M: usize>(
    weights: &[f64],
    n: usize,
    acc: &mut [Pair],
    products: impl Fn(usize) -> [f64; M],
) {
    let pairs = n / 2;
    for k in 0..pairs {
        let (a, b) = (products(2 * k), products(2 * k + 1));
        let w = Pair::new(weights[2 * k], weights[2 * k + 1]);
        for (j, sum) in acc.iter_mut().enumerate().take(M) {
            *sum += w * Pair::new(a[j], b[j]);
        }
    }
    if n % 2 == 1 {
        let a = products(n - 1);
        for (j, sum) in acc.iter_mut().enumerate().take(M) {
            *sum += Pair::new(weights[n - 1] * a[j], 0.0);
        }
    }
}

/// [`weighted_products`] of one band over a settled chunk (`band_width` and
/// `width` constant), two frames at a time as the two lanes: the same
/// products, weights and sums in the same order, so the same bits.
#[inline(always)]
fn band_products(weights: &[f64], split: &[Pair], band_width: f64, width: f64) -> [f64; 5] {
    let n = split.len();
    let (band_width, width) = (Pair::splat(band_width), Pair::splat(width));
    let mut acc = [Pair::default(); 5];
    for (frames, w) in split.chunks_exact(2).zip(weights.chunks_exact(2)) {
        // (mid, side) of frames 2k and 2k+1 → (mids, sides).
        let (mid, side) = Pair::transpose(frames[0], frames[1]);
        let side = side * band_width;
        let wide = side * width;
        let (l, r) = (mid + wide, mid - wide);
        let w = Pair::new(w[0], w[1]);
        acc[0] += w * (l * l);
        acc[1] += w * (r * r);
        acc[2] += w * (l * r);
        acc[3] += w * (mid * mid);
        acc[4] += w * (side * side);
    }
    if n % 2 == 1 {
        let (mid, side) = (split[n - 1].lo(), split[n - 1].hi() * band_width.lo());
        let (l, r) = decode_mid_side(mid, side * width.lo());
        let w = weights[n - 1];
        for (sum, p) in acc
            .iter_mut()
            .zip([l * l, r * r, l * r, mid * mid, side * side])
        {
            *sum += Pair::new(w * p, 0.0);
        }
    }
    acc.map(|a| a.lo() + a.hi())
}

/// The per-band meter inputs of one chunk, for the frames that ran the
/// multiband path: each band's (mid, side) out of the crossover, and the
/// widths that frame applied (the meters derive the widened side from them
/// with the chain's own arithmetic).
#[derive(Debug, Clone)]
struct BandTaps {
    /// The crossover's (mid, side) bands of the chunk.
    split: [[Pair; CHUNK]; MAX_BANDS],
    /// Per-frame band widths and overall width (the per-frame path, while
    /// controls move).
    band_width: [[f64; CHUNK]; MAX_BANDS],
    width: [f64; CHUNK],
    /// `Some((band widths, width))` when they held for the whole chunk
    /// (the settled path; the per-frame arrays are then unused).
    settled: Option<([f64; MAX_BANDS], f64)>,
    /// Frames held.
    len: usize,
    /// Bands in use.
    bands: usize,
}

impl BandTaps {
    fn new() -> Self {
        Self {
            split: [[Pair::default(); CHUNK]; MAX_BANDS],
            band_width: [[0.0; CHUNK]; MAX_BANDS],
            width: [0.0; CHUNK],
            settled: None,
            len: 0,
            bands: 0,
        }
    }

    /// Empties the taps for a new chunk.
    fn clear(&mut self) {
        self.len = 0;
        self.settled = None;
    }
}

/// The multiband width of one frame: crossover on (mid, side), band gains
/// (solo) and widths, crossfaded by `multiband` from the single-band result;
/// the band meters' inputs go to `taps`.
#[inline(always)]
fn multiband_frame(
    crossover: &mut PairCrossover,
    taps: &mut BandTaps,
    (mid, side): (f64, f64),
    width: f64,
    multiband: f64,
    band_widths: &[f64; MAX_BANDS],
    band_gains: &[f64; MAX_BANDS],
) -> (f64, f64) {
    let mut bands = [Pair::default(); MAX_BANDS];
    crossover.split(Pair::new(mid, side), &mut bands);
    let n = crossover.num_bands();
    let (mut m, mut s) = (0.0, 0.0);
    let t = taps.len;
    for b in 0..n {
        let (mid_band, side_band) = (bands[b].lo(), bands[b].hi());
        m += band_gains[b] * mid_band;
        s += band_gains[b] * band_widths[b] * side_band;
        taps.split[b][t] = bands[b];
        taps.band_width[b][t] = band_widths[b];
    }
    taps.width[t] = width;
    taps.len = t + 1;
    taps.bands = n;
    // Crossfade from the single-band path (mid as is, side × width).
    (
        mid + multiband * (m - mid),
        side * width + multiband * (s * width - side * width),
    )
}

/// The first stage of [`StereoImager::mono_maker_frame`] over a chunk: the
/// first high-pass stage on the side (lane 0) beside the all-pass on the
/// mid (lane 1), into `out`; whether the pass is complete (`FLUSH = false`
/// stops counting as complete once a tail flush could have happened) and
/// the memories after it.
#[inline(always)]
fn mono_maker_first_pass<const FLUSH: bool>(
    coefs: &[PairCoefs; MONO_MAKER_SECTIONS],
    mut states: [PairState; MONO_MAKER_SECTIONS],
    mid: &[f64],
    side: &[f64],
    out: &mut [Pair; CHUNK],
) -> (bool, [PairState; MONO_MAKER_SECTIONS]) {
    let mut floors = [Pair::splat(f64::INFINITY); MONO_MAKER_SECTIONS];
    for ((&m, &s), o) in mid.iter().zip(side).zip(out.iter_mut()) {
        let mut y = Pair::new(s, m);
        for k in 0..MONO_MAKER_SECTIONS {
            y = if FLUSH {
                states[k].process(&coefs[k], y)
            } else {
                states[k].process_unflushed(&coefs[k], y, &mut floors[k])
            };
        }
        *o = y;
    }
    let complete = FLUSH || !floors.iter().any(|f| f.any_below(STATE_FLUSH_THRESHOLD));
    (complete, states)
}

/// Line values below this magnitude are stored as +0.0 (the decorrelator's
/// tail flush).
const SCHROEDER_FLUSH: f64 = 1e-30;

/// A Schroeder all-pass `y = −g·x + x[n−D] + g·y[n−D]` on f64 (allocates
/// its line in `new` only).
#[derive(Debug, Clone)]
struct SchroederAllpass {
    line: Box<[f64]>,
    pos: usize,
    /// Zeros written in a row (saturating): the line is all zeros once it
    /// reaches the line's length.
    zeros_written: usize,
}

impl SchroederAllpass {
    fn new(delay_samples: usize) -> Self {
        Self {
            line: vec![0.0; delay_samples.max(1)].into_boxed_slice(),
            pos: 0,
            zeros_written: usize::MAX,
        }
    }

    fn reset(&mut self) {
        self.line.iter_mut().for_each(|v| *v = 0.0);
        self.pos = 0;
        self.zeros_written = usize::MAX;
    }

    /// True if the line holds only +0.0: silence in gives +0.0 out.
    fn is_clear(&self) -> bool {
        self.zeros_written >= self.line.len()
    }

    /// Exactly `frames` calls of [`Self::process`] on +0.0 while
    /// [`Self::is_clear`]: only the position moves.
    fn skip_silence(&mut self, frames: usize) {
        debug_assert!(self.is_clear());
        self.pos = (self.pos + frames) % self.line.len();
    }

    /// [`Self::process`] on every sample of `samples`, in place, bit for
    /// bit. Within a run that does not wrap around the line, no cell is
    /// read after it is written (a run is at most the delay long), so the
    /// frames are independent and the loop vectorises.
    #[inline(always)]
    fn process_block(&mut self, samples: &mut [f64]) {
        let line_len = self.line.len();
        let mut done = 0;
        while done < samples.len() {
            let n = (samples.len() - done).min(line_len - self.pos);
            let cells = &mut self.line[self.pos..self.pos + n];
            for (x, cell) in samples[done..done + n].iter_mut().zip(cells.iter_mut()) {
                let delayed = *cell;
                let w = *x + STEREOIZE_ALLPASS_GAIN * delayed;
                *x = delayed - STEREOIZE_ALLPASS_GAIN * w;
                *cell = if w.abs() < SCHROEDER_FLUSH { 0.0 } else { w };
            }
            // Zeros written in a row: the run's trailing zeros, added to
            // the count before if the whole run was zeros.
            let trailing = cells.iter().rev().take_while(|&&v| v == 0.0).count();
            self.zeros_written = if trailing == n {
                self.zeros_written.saturating_add(n)
            } else {
                trailing
            };
            self.pos += n;
            if self.pos == line_len {
                self.pos = 0;
            }
            done += n;
        }
    }

    #[inline]
    fn process(&mut self, x: f64) -> f64 {
        // Canonical form: w[n] = x + g·w[n−D], y = −g·w[n] + w[n−D].
        let delayed = self.line[self.pos];
        let w = x + STEREOIZE_ALLPASS_GAIN * delayed;
        let y = delayed - STEREOIZE_ALLPASS_GAIN * w;
        let written = if w.abs() < SCHROEDER_FLUSH { 0.0 } else { w };
        self.line[self.pos] = written;
        self.zeros_written = if written == 0.0 {
            self.zeros_written.saturating_add(1)
        } else {
            0
        };
        self.pos += 1;
        if self.pos == self.line.len() {
            self.pos = 0;
        }
        y
    }
}

/// The Stereo Imager processor (a stereo pair; one channel passes through).
#[derive(Debug, Clone)]
pub struct StereoImager {
    sample_rate: f64,
    settings: ImagerSettings,
    settle_next: bool,
    // Smoothed controls.
    width: Smoother,
    mid_gain: Smoother,
    side_gain: Smoother,
    balance: Smoother,
    rotation: Smoother,
    band_width: [Smoother; MAX_BANDS],
    band_gain: [Smoother; MAX_BANDS],
    stereoize: Smoother,
    sign: [Smoother; 2],
    swap: Fade,
    multiband: Fade,
    mono_maker_fade: Fade,
    mono_listen: Fade,
    /// Plugin bypass: 0 = processed, 1 = the (sanitised) input.
    bypass: Fade,
    // Filters (f64).
    /// The multiband split of (mid, side).
    crossover: PairCrossover,
    mono_maker: [SplitCoefs; 1],
    /// The mono maker's first high-pass stage on the side (lane 0) beside
    /// its all-pass on the mid (lane 1): section by section, as a pair.
    mono_maker_pair: (
        [PairCoefs; MONO_MAKER_SECTIONS],
        [PairState; MONO_MAKER_SECTIONS],
    ),
    /// The second high-pass stage on the side (the Linkwitz-Riley square).
    /// Its second high-pass stage on the side: lane 0 (lane 1 idles at
    /// zero), as pairs so the chunk path runs the whole mono maker as one
    /// pass of pairs (bit for bit the scalar sections on lane 0).
    mono_maker_high: (
        [PairCoefs; MONO_MAKER_SECTIONS],
        [PairState; MONO_MAKER_SECTIONS],
    ),
    side_low: (BiquadCoefs, BiquadState, f32, f32),
    side_high: (BiquadCoefs, BiquadState, f32, f32),
    stereoize_filters: [SchroederAllpass; 3],
    stereoize_high_pass: (BiquadCoefs, BiquadState),
    // Meters.
    /// Weight of each frame of a chunk in the meters' averages (see
    /// [`weighted_products`]): `weights[k] = (1 − α)·α^(CHUNK−1−k)`.
    meter_weights: [f64; CHUNK],
    /// `α^n` for chunks of `n` = 0 ..= [`CHUNK`] frames.
    meter_decay: [f64; CHUNK + 1],
    output_energy: PairEnergy,
    band_energy: [PairEnergy; MAX_BANDS],
    mid_energy: f64,
    side_energy: f64,
    band_ms_energy: [(f64, f64); MAX_BANDS],
    /// Band meter inputs of the chunk being processed (boxed: 6 kB not
    /// cleared per chunk).
    taps: Box<BandTaps>,
    /// Stereo and fold-down loudness, for the mono loss.
    loudness: StereoFoldMeter,
    /// `[Σ L², Σ R², Σ L·R]` of the output since the last meter reset.
    correlation_sums: [f64; 3],
    scope_countdown: usize,
    /// Skip the work of silent chunks while at rest (see
    /// [`Self::process_with_scope`]).
    silence_skip: bool,
    /// Frames skipped as provably silent since construction.
    frames_skipped: u64,
}

impl StereoImager {
    /// A neutral imager at `sample_rate` Hz. Allocates.
    pub fn new(sample_rate: f64) -> Self {
        let settings = ImagerSettings::default();
        let mut imager = Self {
            sample_rate,
            settings,
            settle_next: true,
            width: Smoother::linear(1.0, 1),
            mid_gain: Smoother::multiplicative(1.0, 1),
            side_gain: Smoother::multiplicative(1.0, 1),
            balance: Smoother::linear(0.0, 1),
            rotation: Smoother::linear(0.0, 1),
            band_width: [Smoother::linear(1.0, 1); MAX_BANDS],
            band_gain: [Smoother::linear(1.0, 1); MAX_BANDS],
            stereoize: Smoother::linear(0.0, 1),
            sign: [Smoother::linear(1.0, 1); 2],
            swap: Fade::new(false, 1),
            multiband: Fade::new(false, 1),
            mono_maker_fade: Fade::new(false, 1),
            mono_listen: Fade::new(false, 1),
            bypass: Fade::new(false, 1),
            crossover: PairCrossover::new(
                sample_rate,
                BAND_SLOPE,
                MAX_BANDS,
                settings.crossover_hz.map(f64::from),
            ),
            mono_maker: [SplitCoefs::new(MONO_MAKER_SLOPE, 120.0, sample_rate)],
            mono_maker_pair: Default::default(),
            mono_maker_high: Default::default(),
            side_low: (
                BiquadCoefs::IDENTITY,
                BiquadState::new(),
                f32::NAN,
                f32::NAN,
            ),
            side_high: (
                BiquadCoefs::IDENTITY,
                BiquadState::new(),
                f32::NAN,
                f32::NAN,
            ),
            stereoize_filters: [
                SchroederAllpass::new(1),
                SchroederAllpass::new(1),
                SchroederAllpass::new(1),
            ],
            stereoize_high_pass: (BiquadCoefs::IDENTITY, BiquadState::new()),
            meter_weights: [0.0; CHUNK],
            meter_decay: [1.0; CHUNK + 1],
            output_energy: PairEnergy::default(),
            band_energy: [PairEnergy::default(); MAX_BANDS],
            mid_energy: 0.0,
            side_energy: 0.0,
            band_ms_energy: [(0.0, 0.0); MAX_BANDS],
            taps: Box::new(BandTaps::new()),
            loudness: StereoFoldMeter::new(sample_rate),
            correlation_sums: [0.0; 3],
            scope_countdown: 0,
            silence_skip: true,
            frames_skipped: 0,
        };
        imager.set_sample_rate(sample_rate);
        imager
    }

    /// Re-derives everything rate-dependent and resets. May allocate.
    pub fn set_sample_rate(&mut self, sample_rate: f64) {
        self.sample_rate = sample_rate;
        let ramp = Smoother::samples_for_ms(RAMP_MS, sample_rate);
        let fade = Smoother::samples_for_ms(FADE_MS, sample_rate);
        for s in [
            &mut self.width,
            &mut self.mid_gain,
            &mut self.side_gain,
            &mut self.balance,
            &mut self.rotation,
            &mut self.stereoize,
        ] {
            s.set_ramp_samples(ramp);
        }
        for s in self.band_width.iter_mut() {
            s.set_ramp_samples(ramp);
        }
        for s in self.band_gain.iter_mut().chain(self.sign.iter_mut()) {
            s.set_ramp_samples(fade);
        }
        for f in [
            &mut self.swap,
            &mut self.multiband,
            &mut self.mono_maker_fade,
            &mut self.mono_listen,
            &mut self.bypass,
        ] {
            f.set_fade_samples(fade);
        }
        self.crossover.set_sample_rate(sample_rate);
        self.stereoize_filters = STEREOIZE_DELAYS_MS
            .map(|ms| SchroederAllpass::new((ms * 1e-3 * sample_rate).round() as usize));
        self.stereoize_high_pass.0 = BiquadCoefs::highpass(
            STEREOIZE_HIGH_PASS_HZ.min(0.45 * sample_rate),
            SHELF_Q,
            sample_rate,
        );
        let alpha = one_pole_coef(METER_TIME_MS, sample_rate);
        let mut power = 1.0;
        for n in 0..=CHUNK {
            self.meter_decay[n] = power;
            if n < CHUNK {
                self.meter_weights[CHUNK - 1 - n] = (1.0 - alpha) * power;
            }
            power *= alpha;
        }
        self.loudness.set_sample_rate(sample_rate);
        self.side_low.2 = f32::NAN;
        self.side_high.2 = f32::NAN;
        self.update_filters(true);
        self.reset();
    }

    /// Clears all state and meters; controls jump to their targets. Never
    /// allocates.
    pub fn reset(&mut self) {
        self.settle_all();
        self.crossover.reset();
        self.mono_maker_pair.1 = Default::default();
        self.mono_maker_high.1 = Default::default();
        self.side_low.1.reset();
        self.side_high.1.reset();
        self.stereoize_filters
            .iter_mut()
            .for_each(SchroederAllpass::reset);
        self.stereoize_high_pass.1.reset();
        self.reset_meters();
        self.settle_next = true;
    }

    /// Restarts every meter (correlation, levels, loudness). Never allocates.
    pub fn reset_meters(&mut self) {
        self.output_energy = PairEnergy::default();
        self.band_energy = [PairEnergy::default(); MAX_BANDS];
        self.mid_energy = 0.0;
        self.side_energy = 0.0;
        self.band_ms_energy = [(0.0, 0.0); MAX_BANDS];
        self.loudness.reset();
        self.correlation_sums = [0.0; 3];
        self.scope_countdown = 0;
    }

    fn settle_all(&mut self) {
        for s in [
            &mut self.width,
            &mut self.mid_gain,
            &mut self.side_gain,
            &mut self.balance,
            &mut self.rotation,
            &mut self.stereoize,
        ] {
            s.settle();
        }
        for s in self
            .band_width
            .iter_mut()
            .chain(self.band_gain.iter_mut())
            .chain(self.sign.iter_mut())
        {
            s.settle();
        }
        for f in [
            &mut self.swap,
            &mut self.multiband,
            &mut self.mono_maker_fade,
            &mut self.mono_listen,
            &mut self.bypass,
        ] {
            f.settle();
        }
    }

    /// Applies settings: continuous controls glide over [`RAMP_MS`],
    /// switches crossfade over [`FADE_MS`]. Never allocates.
    pub fn set_settings(&mut self, settings: &ImagerSettings) {
        let s = settings.sanitized();
        self.settings = s;
        self.width.set_target(f64::from(s.width));
        self.mid_gain
            .set_target(db_to_amplitude(f64::from(s.mid_gain_db)));
        self.side_gain
            .set_target(db_to_amplitude(f64::from(s.side_gain_db)));
        self.balance.set_target(f64::from(s.balance));
        self.rotation
            .set_target(f64::from(s.rotation_deg).to_radians());
        self.stereoize.set_target(f64::from(s.stereoize));
        let any_solo = s.band_solo[..s.num_bands].iter().any(|&x| x);
        for b in 0..MAX_BANDS {
            self.band_width[b].set_target(f64::from(s.band_width[b]));
            let audible = !any_solo || s.band_solo[b];
            self.band_gain[b].set_target(if audible { 1.0 } else { 0.0 });
        }
        for (sign, &invert) in self.sign.iter_mut().zip(&s.invert) {
            sign.set_target(if invert { -1.0 } else { 1.0 });
        }
        self.swap.set_on(s.swap);
        self.multiband.set_on(s.multiband_active());
        self.mono_maker_fade.set_on(s.mono_maker);
        self.mono_listen.set_on(s.mono_listen);
        let crossover: [f64; MAX_SPLITS] = s.crossover_hz.map(f64::from);
        self.crossover.set_bands(s.num_bands, crossover);
        if self.settle_next {
            self.settle_all();
        }
        self.update_filters(self.settle_next);
    }

    /// Plugin bypass: crossfades over [`FADE_MS`] to the sanitised input
    /// (exactly the input once settled; still metered). Before the first
    /// processed frame it takes effect at once. Never allocates.
    pub fn set_bypass(&mut self, bypass: bool) {
        self.bypass.set_on(bypass);
        if self.settle_next {
            self.bypass.settle();
        }
    }

    /// True if the plugin bypass is on (or fading on).
    pub fn is_bypassed(&self) -> bool {
        !self.bypass.target_is_off()
    }

    /// True while the per-band meters run: more than one band and the
    /// multiband path audible (a band width off 100 % or a band soloed).
    /// Otherwise [`ImagerReadings::band_correlation`] repeats the overall one.
    pub fn band_meters_live(&self) -> bool {
        !self.multiband.is_off()
    }

    /// The settings in use (after clamping).
    pub fn settings(&self) -> &ImagerSettings {
        &self.settings
    }

    /// Sample rate, Hz.
    pub fn sample_rate(&self) -> f64 {
        self.sample_rate
    }

    /// Turns the silence skip on (the default) or off: for tests and
    /// benchmarks that compare the two (the output and the readings are the
    /// same either way).
    pub fn set_silence_skip(&mut self, enabled: bool) {
        self.silence_skip = enabled;
    }

    /// Frames skipped as provably silent since construction.
    pub fn frames_skipped(&self) -> u64 {
        self.frames_skipped
    }

    /// True if a chunk of +0.0 input would leave every filter the chunk runs
    /// as it is (its memories +0.0) and give the same output frame on every
    /// frame: no control moving, no fade running, and the memories of every
    /// stage that runs clear. `neutral`: the chain is skipped anyway.
    fn is_at_rest(&self, neutral: bool) -> bool {
        if self.mono_listen.is_fading() || self.bypass.is_fading() {
            return false;
        }
        if neutral {
            return true;
        }
        let clear = |s: &BiquadState| s.cells() == [0.0; 2];
        self.chain_settled()
            && (self.multiband.amount() == 0.0 || self.crossover.is_clear())
            && (self.stereoize.target() == 0.0
                || (self
                    .stereoize_filters
                    .iter()
                    .all(SchroederAllpass::is_clear)
                    && clear(&self.stereoize_high_pass.1)))
            && (self.settings.side_low_gain_db == 0.0 || clear(&self.side_low.1))
            && (self.settings.side_high_gain_db == 0.0 || clear(&self.side_high.1))
            && (self.mono_maker_fade.is_off()
                || (self.mono_maker_pair.1.iter().all(PairState::is_clear)
                    && self.mono_maker_high.1.iter().all(PairState::is_clear)))
    }

    /// The meters on `n` frames of silence while at rest: exactly what
    /// [`Self::meter_bands`] and [`Self::meter_chunk`] do with zeros (every
    /// product +0.0, so each average only decays), without the per-frame
    /// work. `bands`: the multiband path ran on the chunk.
    fn meter_silence(&mut self, n: usize, bands: bool) {
        let decay = self.meter_decay[n];
        if bands {
            for b in 0..self.crossover.num_bands() {
                self.band_energy[b].advance(decay, [0.0; 3]);
                let (m, s) = &mut self.band_ms_energy[b];
                *m = decay * *m + 0.0;
                *s = decay * *s + 0.0;
            }
        }
        for sum in self.correlation_sums.iter_mut() {
            *sum += 0.0;
        }
        self.output_energy.advance(decay, [0.0; 3]);
        self.mid_energy = decay * self.mid_energy + 0.0;
        self.side_energy = decay * self.side_energy + 0.0;
        if self.mid_energy < SILENT_ENERGY {
            self.mid_energy = 0.0;
        }
        if self.side_energy < SILENT_ENERGY {
            self.side_energy = 0.0;
        }
        self.loudness.process_silence(n);
    }

    /// Latency: none.
    pub fn latency_samples(&self) -> usize {
        0
    }

    /// Recomputes the mono-maker and side-shelf coefficients when their
    /// settings changed (`force`: always).
    fn update_filters(&mut self, force: bool) {
        let s = self.settings;
        let f = f64::from(s.mono_maker_hz);
        if force || self.mono_maker[0].frequency_hz != f.min(0.45 * self.sample_rate) {
            let split = SplitCoefs::new(MONO_MAKER_SLOPE, f, self.sample_rate);
            debug_assert_eq!(split.high.num_sections, MONO_MAKER_SECTIONS);
            debug_assert_eq!(split.allpass_sections, MONO_MAKER_SECTIONS);
            self.mono_maker_pair.0 =
                std::array::from_fn(|k| PairCoefs::new(&split.high.sections[k], &split.allpass[k]));
            self.mono_maker_high.0 = std::array::from_fn(|k| {
                PairCoefs::new(&split.high.sections[k], &BiquadCoefs::IDENTITY)
            });
            self.mono_maker[0] = split;
        }
        let nyquist_safe = |hz: f32| f64::from(hz).min(0.45 * self.sample_rate);
        if force || self.side_low.2 != s.side_low_hz || self.side_low.3 != s.side_low_gain_db {
            self.side_low.0 = BiquadCoefs::low_shelf(
                nyquist_safe(s.side_low_hz),
                f64::from(s.side_low_gain_db),
                SHELF_Q,
                self.sample_rate,
            );
            self.side_low.2 = s.side_low_hz;
            self.side_low.3 = s.side_low_gain_db;
        }
        if force || self.side_high.2 != s.side_high_hz || self.side_high.3 != s.side_high_gain_db {
            self.side_high.0 = BiquadCoefs::high_shelf(
                nyquist_safe(s.side_high_hz),
                f64::from(s.side_high_gain_db),
                SHELF_Q,
                self.sample_rate,
            );
            self.side_high.2 = s.side_high_hz;
            self.side_high.3 = s.side_high_gain_db;
        }
    }

    /// True when every control is neutral and settled: the processor is
    /// skipped (output = input, bit for bit).
    pub fn is_neutral(&self) -> bool {
        let s = &self.settings;
        let settled = |x: &Smoother, v: f64| !x.is_smoothing() && x.target() == v;
        settled(&self.width, 1.0)
            && settled(&self.mid_gain, 1.0)
            && settled(&self.side_gain, 1.0)
            && settled(&self.balance, 0.0)
            && settled(&self.rotation, 0.0)
            && settled(&self.stereoize, 0.0)
            && self.sign.iter().all(|x| settled(x, 1.0))
            && self.swap.is_off()
            && self.multiband.is_off()
            && self.mono_maker_fade.is_off()
            && self.mono_listen.is_off()
            && s.side_low_gain_db == 0.0
            && s.side_high_gain_db == 0.0
    }

    /// True when no control moves: every smoother and the switches inside
    /// the M/S chain settled (the Mono listen and bypass fades are applied
    /// after it). The chunk path then hoists every control out of the loop.
    fn chain_settled(&self) -> bool {
        let still = |s: &Smoother| !s.is_smoothing();
        still(&self.width)
            && still(&self.mid_gain)
            && still(&self.side_gain)
            && still(&self.balance)
            && still(&self.rotation)
            && still(&self.stereoize)
            && self.band_width.iter().all(still)
            && self.band_gain.iter().all(still)
            && self.sign.iter().all(still)
            && !self.swap.is_fading()
            && !self.multiband.is_fading()
            && !self.mono_maker_fade.is_fading()
    }

    /// Processes a stereo pair in place (a single channel passes through
    /// sanitised), metering the result; calls `on_scope(l, r)` for every
    /// [`SCOPE_DECIMATION`]th output frame (the goniometer feed). Never
    /// allocates.
    ///
    /// Works in chunks of [`CHUNK`] frames: the M/S chain per frame while a
    /// control moves ([`Self::frame`]), else a settled chunk path with the
    /// same arithmetic in the same order (bit for bit the same output);
    /// then the meters on the chunk. A chunk whose samples all sanitise to
    /// +0.0 while the imager is at rest (no control moving, every filter it
    /// runs clear) computes one output frame and copies it, and the meters
    /// only decay: bit-identical to processing it, at a small fraction of
    /// the cost ([`Self::set_silence_skip`], `tests/stereo_imager_silence.rs`).
    pub fn process_with_scope(
        &mut self,
        channels: &mut [&mut [f32]],
        mut on_scope: impl FnMut(f32, f32),
    ) {
        if channels.is_empty() {
            return;
        }
        if channels.len() < 2 {
            channels[0].iter_mut().for_each(|x| *x = sanitize(*x));
            return;
        }
        let (left, right) = channels.split_at_mut(1);
        let (left, right) = (&mut *left[0], &mut *right[0]);
        let frames = left.len().min(right.len());
        if frames > 0 {
            self.settle_next = false;
        }
        // Fully bypassed counts as neutral: the input is the output.
        let neutral = self.is_neutral() || self.bypass.is_on();
        let mut start = 0;
        while start < frames {
            let len = (frames - start).min(CHUNK);
            let (out_l, out_r) = (
                &mut left[start..start + len],
                &mut right[start..start + len],
            );
            let mut dry = [[0.0f32; CHUNK]; 2];
            let [dry_l, dry_r] = &mut dry;
            let mut bits = 0u32;
            for ((d0, d1), (&a, &b)) in dry_l[..len]
                .iter_mut()
                .zip(dry_r[..len].iter_mut())
                .zip(out_l.iter().zip(out_r.iter()))
            {
                *d0 = sanitize(a);
                *d1 = sanitize(b);
                bits |= d0.to_bits() | d1.to_bits();
            }
            // The metered stereo signal (before the Mono listen switch).
            let mut wet = dry;
            self.taps.clear();
            // Silence (every sample +0.0 after sanitising) while at rest:
            // every frame of the chunk gives the same output frame and leaves
            // the filters as they are, so one frame is computed and copied,
            // and the meters only decay (bit-identical to processing it:
            // `tests/stereo_imager_silence.rs`).
            let silent = self.silence_skip && bits == 0 && self.is_at_rest(neutral);
            if silent {
                let bands = !neutral && self.multiband.amount() != 0.0;
                if !neutral {
                    self.settled_chunk(&dry, &mut wet, 1);
                    if self.stereoize.target() != 0.0 {
                        for f in self.stereoize_filters.iter_mut() {
                            f.skip_silence(len - 1);
                        }
                    }
                    self.taps.clear();
                    let (l, r) = (wet[0][0], wet[1][0]);
                    wet[0][..len].fill(l);
                    wet[1][..len].fill(r);
                }
                self.meter_silence(len, bands);
                self.frames_skipped += len as u64;
            } else if !neutral {
                if self.chain_settled() {
                    self.settled_chunk(&dry, &mut wet, len);
                } else {
                    for i in 0..len {
                        let clamp = |x: f32| f64::from(x.clamp(-MAX_INPUT_ABS, MAX_INPUT_ABS));
                        let (a, b) = self.frame(clamp(dry[0][i]), clamp(dry[1][i]));
                        wet[0][i] = flush_subnormal(a as f32);
                        wet[1][i] = flush_subnormal(b as f32);
                    }
                }
            }
            if !silent {
                self.meter_bands();
                self.meter_chunk(&wet[0][..len], &wet[1][..len]);
            }
            if self.mono_listen.is_off() && self.bypass.is_off() {
                out_l.copy_from_slice(&wet[0][..len]);
                out_r.copy_from_slice(&wet[1][..len]);
            } else {
                // Silent at rest: every output frame equals the first.
                let frames_out = if silent { 1 } else { len };
                for i in 0..frames_out {
                    let (l, r) = (wet[0][i], wet[1][i]);
                    let (dry_l, dry_r) = (dry[0][i], dry[1][i]);
                    let bypass = if self.bypass.is_off() {
                        0.0
                    } else if self.bypass.is_on() {
                        1.0
                    } else {
                        self.bypass.step() as f32
                    };
                    // In f64: the sum of two huge finite samples must not overflow.
                    let fold = flush_subnormal((0.5 * (f64::from(l) + f64::from(r))) as f32);
                    // Listen: the fold-down on both channels, crossfaded.
                    let listen = if self.mono_listen.is_off() {
                        0.0
                    } else {
                        self.mono_listen.step() as f32
                    };
                    let (mut o_l, mut o_r) = if listen == 0.0 {
                        (l, r)
                    } else {
                        (l + listen * (fold - l), r + listen * (fold - r))
                    };
                    // Bypass: a linear crossfade to the input while switching.
                    if bypass >= 1.0 {
                        (o_l, o_r) = (dry_l, dry_r);
                    } else if bypass > 0.0 {
                        o_l += bypass * (dry_l - o_l);
                        o_r += bypass * (dry_r - o_r);
                    }
                    out_l[i] = flush_subnormal(o_l);
                    out_r[i] = flush_subnormal(o_r);
                }
                if silent {
                    let (l, r) = (out_l[0], out_r[0]);
                    out_l.fill(l);
                    out_r.fill(r);
                }
            }
            // The goniometer sees the metered signal, every Nth frame.
            let mut i = self.scope_countdown;
            while i < len {
                on_scope(wet[0][i], wet[1][i]);
                i += SCOPE_DECIMATION;
            }
            self.scope_countdown = i - len;
            start += len;
        }
    }

    /// [`Self::process_with_scope`] without a scope.
    pub fn process(&mut self, channels: &mut [&mut [f32]]) {
        self.process_with_scope(channels, |_, _| {});
    }

    /// The M/S chain on a chunk while every control is settled: exactly the
    /// arithmetic of [`Self::frame`] (same operations, same order), with the
    /// controls read once and each stage run over the whole chunk.
    /// Runs VEX-encoded where the CPU has AVX (the same bits, tested).
    fn settled_chunk(&mut self, dry: &[[f32; CHUNK]; 2], wet: &mut [[f32; CHUNK]; 2], len: usize) {
        #[cfg(target_arch = "x86_64")]
        if vex_available() {
            // SAFETY: AVX is present (checked at run time).
            unsafe { self.settled_chunk_vex(dry, wet, len) };
            return;
        }
        self.settled_chunk_impl(dry, wet, len);
    }

    /// [`Self::settled_chunk_impl`] compiled with AVX enabled.
    ///
    /// # Safety
    /// The CPU must have AVX.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx")]
    unsafe fn settled_chunk_vex(
        &mut self,
        dry: &[[f32; CHUNK]; 2],
        wet: &mut [[f32; CHUNK]; 2],
        len: usize,
    ) {
        self.settled_chunk_impl(dry, wet, len);
    }

    /// The body of [`Self::settled_chunk`].
    #[inline(always)]
    fn settled_chunk_impl(
        &mut self,
        dry: &[[f32; CHUNK]; 2],
        wet: &mut [[f32; CHUNK]; 2],
        len: usize,
    ) {
        let sign = [self.sign[0].target(), self.sign[1].target()];
        let swap = self.swap.amount();
        let (mid_gain, side_gain) = (self.mid_gain.target(), self.side_gain.target());
        let width = self.width.target();
        let multiband = self.multiband.amount();
        let clamp = |x: f32| f64::from(x.clamp(-MAX_INPUT_ABS, MAX_INPUT_ABS));
        // Frame `i` clamped, polarity-flipped, swapped and encoded to M/S.
        let mid_side_in = |i: usize| {
            let l = clamp(dry[0][i]) * sign[0];
            let r = clamp(dry[1][i]) * sign[1];
            let (l, r) = if swap == 0.0 {
                (l, r)
            } else {
                (l + swap * (r - l), r + swap * (l - r))
            };
            encode_mid_side(l, r)
        };
        let amount = self.stereoize.target();
        let low_on = self.settings.side_low_gain_db != 0.0;
        let high_on = self.settings.side_high_gain_db != 0.0;
        let mono_on = !self.mono_maker_fade.is_off();
        let angle = self.rotation.target();
        let (sin, cos) = angle.sin_cos();
        let balance = self.balance.target();
        let [gl, gr] = balance_gains(balance);
        if multiband == 0.0 && !(amount != 0.0 || low_on || high_on || mono_on) {
            // Single band, no side stages: the same per-frame arithmetic in
            // one pass (no f64 scratch between the stages).
            if swap == 0.0 && angle == 0.0 && balance == 0.0 {
                // Nothing to swap, turn or balance: the same arithmetic
                // without the per-frame branches (the loop vectorises).
                let [wet_l, wet_r] = wet;
                for (((&a, &b), out_l), out_r) in dry[0][..len]
                    .iter()
                    .zip(&dry[1][..len])
                    .zip(wet_l[..len].iter_mut())
                    .zip(wet_r[..len].iter_mut())
                {
                    let (m, s) = encode_mid_side(clamp(a) * sign[0], clamp(b) * sign[1]);
                    let (l, r) = decode_mid_side(m * mid_gain, s * side_gain * width);
                    *out_l = flush_subnormal(l as f32);
                    *out_r = flush_subnormal(r as f32);
                }
                return;
            }
            for i in 0..len {
                let (m, s) = mid_side_in(i);
                let (mid, side) = (m * mid_gain, s * side_gain * width);
                let (mut l, mut r) = decode_mid_side(mid, side);
                if angle != 0.0 {
                    (l, r) = (l * cos - r * sin, l * sin + r * cos);
                }
                if balance != 0.0 {
                    l *= gl;
                    r *= gr;
                }
                wet[0][i] = flush_subnormal(l as f32);
                wet[1][i] = flush_subnormal(r as f32);
            }
            return;
        }
        let mut mid = [0.0f64; CHUNK];
        let mut side = [0.0f64; CHUNK];
        if swap == 0.0 {
            // Nothing to swap: the same arithmetic without the per-frame
            // branch.
            for (((&a, &b), m), s) in dry[0][..len]
                .iter()
                .zip(&dry[1][..len])
                .zip(mid[..len].iter_mut())
                .zip(side[..len].iter_mut())
            {
                let (mid_in, side_in) = encode_mid_side(clamp(a) * sign[0], clamp(b) * sign[1]);
                *m = mid_in * mid_gain;
                *s = side_in * side_gain;
            }
        } else {
            for i in 0..len {
                let (m, s) = mid_side_in(i);
                mid[i] = m * mid_gain;
                side[i] = s * side_gain;
            }
        }
        if multiband == 0.0 {
            side[..len].iter_mut().for_each(|s| *s *= width);
        } else {
            let band_widths: [f64; MAX_BANDS] =
                std::array::from_fn(|b| self.band_width[b].target());
            let band_gains: [f64; MAX_BANDS] = std::array::from_fn(|b| self.band_gain[b].target());
            // [`multiband_frame`] over the chunk: the crossover as one
            // block, then band by band (each sum in the same band order as
            // per frame, so bit for bit the same).
            let mut input = [Pair::default(); CHUNK];
            for (x, (&m, &s)) in input.iter_mut().zip(mid.iter().zip(&side)).take(len) {
                *x = Pair::new(m, s);
            }
            let taps = &mut *self.taps;
            self.crossover.split_block(&input[..len], &mut taps.split);
            let bands = self.crossover.num_bands();
            // (Σ gain·mid band, Σ gain·width·side band), band by band.
            let mut sum = [Pair::default(); CHUNK];
            for b in 0..bands {
                let gain = band_gains[b];
                let coefs = Pair::new(gain, gain * band_widths[b]);
                for (acc, &band) in sum.iter_mut().zip(&taps.split[b]).take(len) {
                    *acc += coefs * band;
                }
            }
            taps.settled = Some((band_widths, width));
            taps.len = len;
            taps.bands = bands;
            for ((m, s), sum) in mid[..len].iter_mut().zip(side[..len].iter_mut()).zip(&sum) {
                let (mid_sum, side_sum) = (sum.lo(), sum.hi());
                *m += multiband * (mid_sum - *m);
                *s = *s * width + multiband * (side_sum * width - *s * width);
            }
        }
        if amount != 0.0 || low_on || high_on || mono_on {
            let mono_amount = self.mono_maker_fade.amount();
            // Stage by stage over the chunk (each filter sees the same
            // sequence as frame by frame: the same bits).
            if amount != 0.0 {
                let mut decorrelated = [0.0f64; CHUNK];
                let d = &mut decorrelated[..len];
                d.copy_from_slice(&mid[..len]);
                for f in self.stereoize_filters.iter_mut() {
                    f.process_block(d);
                }
                let (coefs, state) = &mut self.stereoize_high_pass;
                state.process_block(coefs, d);
                for (s, &d) in side[..len].iter_mut().zip(d.iter()) {
                    *s += amount * d;
                }
            }
            let (low_coefs, low_state, ..) = &mut self.side_low;
            let (high_coefs, high_state, ..) = &mut self.side_high;
            match (low_on, high_on) {
                // Both shelves: one skewed pair (the same bits).
                (true, true) => process_series_block(
                    (low_coefs, low_state),
                    (high_coefs, high_state),
                    &mut side[..len],
                ),
                (true, false) => low_state.process_block(low_coefs, &mut side[..len]),
                (false, true) => high_state.process_block(high_coefs, &mut side[..len]),
                (false, false) => {}
            }
            if mono_on {
                self.mono_maker_chunk(&mut mid[..len], &mut side[..len], mono_amount);
            }
        }
        if angle == 0.0 && balance == 0.0 {
            // Nothing to turn or balance: without the per-frame branches.
            let [wet_l, wet_r] = wet;
            for (((&m, &s), out_l), out_r) in mid[..len]
                .iter()
                .zip(&side[..len])
                .zip(wet_l[..len].iter_mut())
                .zip(wet_r[..len].iter_mut())
            {
                let (l, r) = decode_mid_side(m, s);
                *out_l = flush_subnormal(l as f32);
                *out_r = flush_subnormal(r as f32);
            }
            return;
        }
        for i in 0..len {
            let (mut l, mut r) = decode_mid_side(mid[i], side[i]);
            if angle != 0.0 {
                (l, r) = (l * cos - r * sin, l * sin + r * cos);
            }
            if balance != 0.0 {
                l *= gl;
                r *= gr;
            }
            wet[0][i] = flush_subnormal(l as f32);
            wet[1][i] = flush_subnormal(r as f32);
        }
    }

    /// The stereoize side of one frame: the mid through the decorrelating
    /// all-passes and the high-pass.
    #[inline(always)]
    fn stereoize_side(&mut self, mid: f64) -> f64 {
        let mut d = mid;
        for f in self.stereoize_filters.iter_mut() {
            d = f.process(d);
        }
        let (coefs, state) = &mut self.stereoize_high_pass;
        state.process(coefs, d)
    }

    /// [`Self::mono_maker_frame`] on every frame of a chunk, bit for bit:
    /// the first stage as one pass of pairs (side high-pass beside the mid
    /// all-pass) with the memories in registers, without the per-sample
    /// tail flush unless one could have happened (then again, exactly; see
    /// [`PairState::process_unflushed`]); the second high-pass stage, alone
    /// on the side, as one skewed pair ([`process_series_block`]) instead of
    /// two pairs with an idle lane.
    #[inline(always)]
    fn mono_maker_chunk(&mut self, mid: &mut [f64], side: &mut [f64], amount: f64) {
        let n = mid.len();
        let mut first = [Pair::default(); CHUNK];
        let (coefs, states) = self.mono_maker_pair;
        let (ran, mut done) = mono_maker_first_pass::<false>(&coefs, states, mid, side, &mut first);
        if !ran {
            done = mono_maker_first_pass::<true>(&coefs, states, mid, side, &mut first).1;
        }
        self.mono_maker_pair.1 = done;
        // The second stage's memories are lane 0 of its pairs (lane 1 idles
        // at exact zero: identity on zeros).
        let mut high = [0.0f64; CHUNK];
        for (h, y) in high[..n].iter_mut().zip(&first) {
            *h = y.lo();
        }
        let sections = &self.mono_maker[0].high.sections;
        let pairs = &mut self.mono_maker_high.1;
        let mut a = BiquadState::from_cells(pairs[0].lane_cells(0));
        let mut b = BiquadState::from_cells(pairs[1].lane_cells(0));
        process_series_block(
            (&sections[0], &mut a),
            (&sections[1], &mut b),
            &mut high[..n],
        );
        pairs[0] = PairState::from_lanes(a.cells(), [0.0; 2]);
        pairs[1] = PairState::from_lanes(b.cells(), [0.0; 2]);
        for (((m, s), y), &h) in mid.iter_mut().zip(side.iter_mut()).zip(&first).zip(&high) {
            *m += amount * (y.hi() - *m);
            *s += amount * (h - *s);
        }
    }

    /// The mono maker on one frame, crossfaded by `amount`.
    #[inline(always)]
    fn mono_maker_frame(&mut self, mid: f64, side: f64, amount: f64) -> (f64, f64) {
        // Side: HP then HP again (sections in order); mid: the all-pass.
        let (coefs, states) = &mut self.mono_maker_pair;
        let mut y = Pair::new(side, mid);
        for (c, state) in coefs.iter().zip(states.iter_mut()) {
            y = state.process(c, y);
        }
        let all = y.hi();
        let (coefs, states) = &mut self.mono_maker_high;
        let mut high = Pair::new(y.lo(), 0.0);
        for (c, state) in coefs.iter().zip(states.iter_mut()) {
            high = state.process(c, high);
        }
        let high = high.lo();
        (mid + amount * (all - mid), side + amount * (high - side))
    }

    /// One frame of the M/S chain (f64) while controls move; returns the new
    /// (L, R).
    #[inline]
    fn frame(&mut self, l: f64, r: f64) -> (f64, f64) {
        let l = l * self.sign[0].tick();
        let r = r * self.sign[1].tick();
        let swap = self.swap.step();
        let (l, r) = if swap == 0.0 {
            (l, r)
        } else {
            (l + swap * (r - l), r + swap * (l - r))
        };
        let (mut mid, mut side) = encode_mid_side(l, r);
        mid *= self.mid_gain.tick();
        side *= self.side_gain.tick();
        let width = self.width.tick();
        let multiband = self.multiband.step();
        let band_widths: [f64; MAX_BANDS] = std::array::from_fn(|b| self.band_width[b].tick());
        let band_gains: [f64; MAX_BANDS] = std::array::from_fn(|b| self.band_gain[b].tick());
        (mid, side) = if multiband == 0.0 {
            (mid, side * width)
        } else {
            multiband_frame(
                &mut self.crossover,
                &mut self.taps,
                (mid, side),
                width,
                multiband,
                &band_widths,
                &band_gains,
            )
        };
        let amount = self.stereoize.tick();
        if amount != 0.0 || self.stereoize.is_smoothing() {
            side += amount * self.stereoize_side(mid);
        }
        if self.settings.side_low_gain_db != 0.0 {
            side = self.side_low.1.process(&self.side_low.0, side);
        }
        if self.settings.side_high_gain_db != 0.0 {
            side = self.side_high.1.process(&self.side_high.0, side);
        }
        if !self.mono_maker_fade.is_off() {
            let amount = self.mono_maker_fade.step();
            (mid, side) = self.mono_maker_frame(mid, side, amount);
        }
        let (mut l, mut r) = decode_mid_side(mid, side);
        let angle = self.rotation.tick();
        if angle != 0.0 {
            let (sin, cos) = angle.sin_cos();
            (l, r) = (l * cos - r * sin, l * sin + r * cos);
        }
        let balance = self.balance.tick();
        if balance != 0.0 {
            let [gl, gr] = balance_gains(balance);
            l *= gl;
            r *= gr;
        }
        (l, r)
    }

    /// The per-band correlation and M/S energy meters over the frames of a
    /// chunk that ran the multiband path. Per frame and band: the band's mid
    /// `m`, its side after the band width `w_s = s·w_b` and after the overall
    /// width too `s·w_b·w`; `(L, R) = (m + s·w_b·w, m − s·w_b·w)`; the
    /// weighted products `[L², R², L·R, m², w_s²]` ([`weighted_products`]).
    fn meter_bands(&mut self) {
        #[cfg(target_arch = "x86_64")]
        if vex_available() {
            // SAFETY: AVX is present (checked at run time).
            unsafe { self.meter_bands_vex() };
            return;
        }
        self.meter_bands_impl();
    }

    /// [`Self::meter_bands_impl`] compiled with AVX enabled (the same
    /// operations VEX-encoded: the same bits, tested).
    ///
    /// # Safety
    /// The CPU must have AVX.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx")]
    unsafe fn meter_bands_vex(&mut self) {
        self.meter_bands_impl();
    }

    /// The body of [`Self::meter_bands`].
    #[inline(always)]
    fn meter_bands_impl(&mut self) {
        let taps = &self.taps;
        let n = taps.len;
        if n == 0 {
            return;
        }
        let weights = &self.meter_weights[CHUNK - n..];
        let decay = self.meter_decay[n];
        for b in 0..taps.bands {
            let split = &taps.split[b][..n];
            let sums = match taps.settled {
                Some((band_widths, width)) => band_products(weights, split, band_widths[b], width),
                None => {
                    let mut acc = [Pair::default(); 5];
                    let (band_width, width) = (&taps.band_width[b][..n], &taps.width[..n]);
                    weighted_products(weights, n, &mut acc, |i| {
                        let (mid, side) = (split[i].lo(), split[i].hi() * band_width[i]);
                        let (l, r) = decode_mid_side(mid, side * width[i]);
                        [l * l, r * r, l * r, mid * mid, side * side]
                    });
                    acc.map(|a| a.lo() + a.hi())
                }
            };
            self.band_energy[b].advance(decay, [sums[0], sums[1], sums[2]]);
            let (m, s) = &mut self.band_ms_energy[b];
            *m = decay * *m + sums[3];
            *s = decay * *s + sums[4];
        }
    }

    /// Correlation, balance, M/S level and loudness meters on one chunk of
    /// output (≤ [`CHUNK`] frames).
    fn meter_chunk(&mut self, left: &[f32], right: &[f32]) {
        let n = left.len().min(right.len());
        if n == 0 {
            return;
        }
        let weights = &self.meter_weights[CHUNK - n..];
        let decay = self.meter_decay[n];
        // One pass: the weighted products ([`weighted_products`], two
        // lanes) and the plain sums since reset for the whole-mix
        // correlation, each lane summed in the same order as two passes.
        let mut acc = [Pair::default(); 5];
        let mut plain = [Pair::default(); 3];
        for ((l, r), w) in left[..n]
            .chunks_exact(2)
            .zip(right[..n].chunks_exact(2))
            .zip(weights.chunks_exact(2))
        {
            let l = Pair::from_f32(l[0], l[1]);
            let r = Pair::from_f32(r[0], r[1]);
            let w = Pair::new(w[0], w[1]);
            let (m, s) = (Pair::splat(0.5) * (l + r), Pair::splat(0.5) * (l - r));
            let (ll, rr, lr) = (l * l, r * r, l * r);
            acc[0] += w * ll;
            acc[1] += w * rr;
            acc[2] += w * lr;
            acc[3] += w * (m * m);
            acc[4] += w * (s * s);
            plain[0] += ll;
            plain[1] += rr;
            plain[2] += lr;
        }
        if n % 2 == 1 {
            let (l, r) = (f64::from(left[n - 1]), f64::from(right[n - 1]));
            let (m, s) = encode_mid_side(l, r);
            let w = weights[n - 1];
            for (sum, p) in acc.iter_mut().zip([l * l, r * r, l * r, m * m, s * s]) {
                *sum += Pair::new(w * p, 0.0);
            }
            plain[0] += Pair::new(l * l, 0.0);
            plain[1] += Pair::new(r * r, 0.0);
            plain[2] += Pair::new(l * r, 0.0);
        }
        for (sum, p) in self.correlation_sums.iter_mut().zip(plain) {
            *sum += p.lo() + p.hi();
        }
        let sums = [0, 1, 2, 3, 4].map(|j| acc[j].lo() + acc[j].hi());
        self.output_energy
            .advance(decay, [sums[0], sums[1], sums[2]]);
        self.mid_energy = decay * self.mid_energy + sums[3];
        self.side_energy = decay * self.side_energy + sums[4];
        if self.mid_energy < SILENT_ENERGY {
            self.mid_energy = 0.0;
        }
        if self.side_energy < SILENT_ENERGY {
            self.side_energy = 0.0;
        }
        // The metered signal is sanitised: the input sanitised, or the
        // chain's bounded output with subnormals flushed.
        self.loudness.process_sanitized(&left[..n], &right[..n]);
    }

    /// The meters as of the last processed frame.
    pub fn readings(&self) -> ImagerReadings {
        let level = |energy: f64| (energy > SILENT_ENERGY).then(|| 10.0 * energy.log10());
        let correlation = self.output_energy.correlation();
        let multiband = !self.multiband.is_off();
        let n = self.crossover.num_bands();
        let mut band_correlation = [correlation; MAX_BANDS];
        let mut side_exceeds_mid = self.side_energy > self.mid_energy && self.side_energy > 0.0;
        if multiband {
            for ((correlation, energy), &(m, s)) in band_correlation
                .iter_mut()
                .zip(&self.band_energy)
                .zip(&self.band_ms_energy)
                .take(n)
            {
                *correlation = energy.correlation();
                side_exceeds_mid |= s > m && s > SILENT_ENERGY;
            }
        }
        ImagerReadings {
            correlation,
            band_correlation,
            balance: self.output_energy.balance(),
            mid_db: level(self.mid_energy),
            side_db: level(self.side_energy),
            side_exceeds_mid,
            mono_loss: {
                let [stereo, fold] = self.loudness.integrated_and_short_term_lufs();
                MonoLoss::from_lufs(stereo, fold)
            },
            correlation_since_reset: correlation_of_sums(&self.correlation_sums),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The band meters read the same through the dispatched path
    /// (VEX-encoded where the CPU has AVX) and the baseline body, settled
    /// (two frames per pair) and per frame, in chunks of every parity.
    #[test]
    fn band_meters_agree_on_the_vex_and_the_baseline_paths_bit_for_bit() {
        let settings = ImagerSettings {
            width: 1.2,
            num_bands: 4,
            band_width: [0.0, 1.0, 1.3, 1.6],
            ..ImagerSettings::default()
        };
        let mut dispatched = StereoImager::new(48_000.0);
        dispatched.set_settings(&settings);
        let mut baseline = dispatched.clone();
        let mut seed = 5u32;
        let mut next = || {
            seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            (seed >> 8) as f32 / (1u32 << 24) as f32 - 0.5
        };
        for block in 0..300 {
            if block == 150 {
                let moved = ImagerSettings {
                    width: 0.7,
                    ..settings
                };
                dispatched.set_settings(&moved);
                baseline.set_settings(&moved);
            }
            let len = [64, 63, 17, 1][block % 4];
            let mut l: Vec<f32> = (0..len).map(|_| next()).collect();
            let mut r: Vec<f32> = (0..len).map(|_| 0.5 * next()).collect();
            let (mut l2, mut r2) = (l.clone(), r.clone());
            // Each call is one chunk: the taps of it are metered below.
            dispatched.process(&mut [&mut l, &mut r]);
            baseline.process(&mut [&mut l2, &mut r2]);
            let (a, b) = (dispatched.band_energy, baseline.band_energy);
            assert_eq!(a, b, "{block}");
            // Meter the same taps again, each way, from the same state.
            let (mut x, mut y) = (dispatched.clone(), dispatched.clone());
            x.meter_bands();
            y.meter_bands_impl();
            assert_eq!(x.band_energy, y.band_energy, "{block}");
            assert_eq!(x.band_ms_energy, y.band_ms_energy, "{block}");
        }
    }

    /// The settled chunk body gives the same bits through the dispatched
    /// path (VEX-encoded where the CPU has AVX) and as the baseline body,
    /// for every stage, single and multiband, in chunks of every parity.
    #[test]
    fn settled_chunks_agree_on_the_vex_and_the_baseline_paths_bit_for_bit() {
        let settings = ImagerSettings {
            width: 1.4,
            num_bands: 4,
            band_width: [0.2, 1.3, 1.8, 0.7],
            mono_maker: true,
            stereoize: 0.3,
            side_low_gain_db: -3.0,
            side_high_gain_db: 2.0,
            ..ImagerSettings::default()
        };
        for s in [
            settings,
            ImagerSettings {
                rotation_deg: 10.0,
                balance: 0.1,
                swap: true,
                ..settings
            },
            ImagerSettings {
                width: 1.5,
                ..ImagerSettings::default()
            },
        ] {
            let mut dispatched = StereoImager::new(48_000.0);
            dispatched.set_settings(&s);
            let mut baseline = dispatched.clone();
            let mut seed = 3u32;
            let mut next = || {
                seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
                (seed >> 8) as f32 / (1u32 << 24) as f32 - 0.5
            };
            for chunk in 0..200 {
                let len = [64, 63, 17, 1][chunk % 4];
                let dry: [[f32; CHUNK]; 2] = [
                    core::array::from_fn(|_| next()),
                    core::array::from_fn(|_| 0.5 * next()),
                ];
                let (mut a, mut b) = ([[0.0f32; CHUNK]; 2], [[0.0f32; CHUNK]; 2]);
                dispatched.settled_chunk(&dry, &mut a, len);
                baseline.settled_chunk_impl(&dry, &mut b, len);
                for c in 0..2 {
                    assert!(
                        a[c][..len]
                            .iter()
                            .zip(&b[c][..len])
                            .all(|(x, y)| x.to_bits() == y.to_bits()),
                        "chunk {chunk}"
                    );
                }
                dispatched.meter_bands();
                baseline.meter_bands_impl();
                assert_eq!(
                    dispatched.band_energy, baseline.band_energy,
                    "chunk {chunk}"
                );
                dispatched.taps.clear();
                baseline.taps.clear();
            }
        }
    }

    /// The settled chunk path is the per-frame chain with its controls
    /// hoisted: it must give the same output bit for bit, for every stage.
    #[test]
    fn settled_chunks_equal_the_per_frame_chain_bit_for_bit() {
        let settings = ImagerSettings {
            width: 1.4,
            mid_gain_db: -1.5,
            side_gain_db: 2.0,
            num_bands: 4,
            band_width: [0.2, 1.3, 1.8, 0.7],
            band_solo: [false, true, true, false],
            mono_maker: true,
            stereoize: 0.3,
            side_low_gain_db: -3.0,
            side_high_gain_db: 2.0,
            rotation_deg: 10.0,
            balance: 0.1,
            swap: true,
            invert: [false, true],
            ..ImagerSettings::default()
        };
        for s in [
            settings,
            ImagerSettings {
                num_bands: 1,
                ..settings
            },
        ] {
            let mut chunked = StereoImager::new(48_000.0);
            chunked.set_settings(&s);
            let mut per_frame = chunked.clone();
            let mut seed = 11u32;
            let mut next = || {
                seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
                (seed >> 8) as f32 / (1u32 << 24) as f32 - 0.5
            };
            let len = 5_000;
            let mut l: Vec<f32> = (0..len).map(|_| next()).collect();
            let mut r: Vec<f32> = (0..len).map(|_| 0.5 * next()).collect();
            let (dry_l, dry_r) = (l.clone(), r.clone());
            for (a, b) in l.chunks_mut(CHUNK).zip(r.chunks_mut(CHUNK)) {
                assert!(chunked.chain_settled());
                chunked.process(&mut [a, b]);
            }
            for n in 0..len {
                let (a, b) = per_frame.frame(f64::from(dry_l[n]), f64::from(dry_r[n]));
                per_frame.taps.len = 0;
                assert_eq!(flush_subnormal(a as f32).to_bits(), l[n].to_bits(), "L {n}");
                assert_eq!(flush_subnormal(b as f32).to_bits(), r[n].to_bits(), "R {n}");
            }
        }
    }
}
