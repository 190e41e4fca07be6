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

use crate::primitives::biquad::{BiquadCoefs, BiquadState};
use crate::primitives::envelope::{one_pole_coef, one_pole_step};
use crate::primitives::level::{clamp_or, db_to_amplitude, flush_subnormal, sanitize};
use crate::primitives::smoother::{Fade, Smoother};
use crate::units::crossover::{Crossover, CrossoverSlope, SplitCoefs, MAX_BANDS, MAX_SPLITS};
use crate::units::loudness::LoudnessMeter;
use crate::units::mono_check::MonoCheck;
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
/// Frames metered per loudness-meter call (stack scratch size).
const METER_CHUNK: usize = 64;
/// Largest |input| the processing path takes (+120 dBFS, as the
/// Maximizer): absurd input stays bounded, so no gain of the chain can
/// overflow f32. The neutral and bypassed paths pass input untouched.
pub const MAX_INPUT_ABS: f32 = 1.0e6;
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
    #[inline]
    fn push(&mut self, l: f64, r: f64, coef: f64) {
        self.ll = one_pole_step(self.ll, l * l, coef);
        self.rr = one_pole_step(self.rr, r * r, coef);
        self.lr = one_pole_step(self.lr, l * r, coef);
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

/// A Schroeder all-pass `y = −g·x + x[n−D] + g·y[n−D]` on f64 (allocates
/// its line in `new` only).
#[derive(Debug, Clone)]
struct SchroederAllpass {
    line: Box<[f64]>,
    pos: usize,
}

impl SchroederAllpass {
    fn new(delay_samples: usize) -> Self {
        Self {
            line: vec![0.0; delay_samples.max(1)].into_boxed_slice(),
            pos: 0,
        }
    }

    fn reset(&mut self) {
        self.line.iter_mut().for_each(|v| *v = 0.0);
        self.pos = 0;
    }

    #[inline]
    fn process(&mut self, x: f64) -> f64 {
        // Canonical form: w[n] = x + g·w[n−D], y = −g·w[n] + w[n−D].
        let delayed = self.line[self.pos];
        let w = x + STEREOIZE_ALLPASS_GAIN * delayed;
        let y = delayed - STEREOIZE_ALLPASS_GAIN * w;
        self.line[self.pos] = if w.abs() < 1e-30 { 0.0 } else { w };
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
    crossover: Crossover,
    mono_maker: [SplitCoefs; 1],
    mono_maker_high: [crate::units::filter::ButterworthState; 2],
    mono_maker_allpass: [BiquadState; 2],
    side_low: (BiquadCoefs, BiquadState, f32, f32),
    side_high: (BiquadCoefs, BiquadState, f32, f32),
    stereoize_filters: [SchroederAllpass; 3],
    stereoize_high_pass: (BiquadCoefs, BiquadState),
    // Meters.
    meter_coef: f64,
    output_energy: PairEnergy,
    band_energy: [PairEnergy; MAX_BANDS],
    mid_energy: f64,
    side_energy: f64,
    band_ms_energy: [(f64, f64); MAX_BANDS],
    stereo_meter: LoudnessMeter,
    mono_check: MonoCheck,
    scope_countdown: usize,
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
            crossover: Crossover::new(
                sample_rate,
                BAND_SLOPE,
                MAX_BANDS,
                settings.crossover_hz.map(f64::from),
            ),
            mono_maker: [SplitCoefs::new(MONO_MAKER_SLOPE, 120.0, sample_rate)],
            mono_maker_high: Default::default(),
            mono_maker_allpass: Default::default(),
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
            meter_coef: 0.0,
            output_energy: PairEnergy::default(),
            band_energy: [PairEnergy::default(); MAX_BANDS],
            mid_energy: 0.0,
            side_energy: 0.0,
            band_ms_energy: [(0.0, 0.0); MAX_BANDS],
            stereo_meter: LoudnessMeter::loudness_only(sample_rate, 2),
            mono_check: MonoCheck::new(sample_rate),
            scope_countdown: 0,
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
        self.meter_coef = one_pole_coef(METER_TIME_MS, sample_rate);
        self.stereo_meter.set_sample_rate(sample_rate);
        self.mono_check.set_sample_rate(sample_rate);
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
        self.mono_maker_high = Default::default();
        self.mono_maker_allpass = Default::default();
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
        self.stereo_meter.reset();
        self.mono_check.reset();
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
            self.mono_maker[0] = SplitCoefs::new(MONO_MAKER_SLOPE, f, self.sample_rate);
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

    /// Processes a stereo pair in place (a single channel passes through
    /// sanitised), metering the result; calls `on_scope(l, r)` for every
    /// [`SCOPE_DECIMATION`]th output frame (the goniometer feed). Never
    /// allocates.
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
        // The metered stereo signal (before the Mono listen switch), per
        // chunk, for the loudness meter and the mono check.
        let mut metered = [[0.0f32; METER_CHUNK]; 2];
        let mut start = 0;
        while start < frames {
            let len = (frames - start).min(METER_CHUNK);
            // Index loop: frame `i` of the chunk is frame `start + i` of both
            // channels and of the scratch.
            #[allow(clippy::needless_range_loop)]
            for i in 0..len {
                let n = start + i;
                let (dry_l, dry_r) = (sanitize(left[n]), sanitize(right[n]));
                let (l, r) = if neutral {
                    (dry_l, dry_r)
                } else {
                    let clamp = |x: f32| f64::from(x.clamp(-MAX_INPUT_ABS, MAX_INPUT_ABS));
                    let (a, b) = self.frame(clamp(dry_l), clamp(dry_r));
                    (flush_subnormal(a as f32), flush_subnormal(b as f32))
                };
                let bypass = if self.bypass.is_off() {
                    0.0
                } else if self.bypass.is_on() {
                    1.0
                } else {
                    self.bypass.step() as f32
                };
                self.meter_frame(f64::from(l), f64::from(r));
                // In f64: the sum of two huge finite samples must not overflow.
                let fold = flush_subnormal((0.5 * (f64::from(l) + f64::from(r))) as f32);
                metered[0][i] = l;
                metered[1][i] = r;
                // Listen: the fold-down on both channels, crossfaded.
                let listen = if self.mono_listen.is_off() {
                    0.0
                } else {
                    self.mono_listen.step() as f32
                };
                let (mut out_l, mut out_r) = if listen == 0.0 {
                    (l, r)
                } else {
                    (l + listen * (fold - l), r + listen * (fold - r))
                };
                // Bypass: a linear crossfade to the input while switching.
                if bypass >= 1.0 {
                    (out_l, out_r) = (dry_l, dry_r);
                } else if bypass > 0.0 {
                    out_l += bypass * (dry_l - out_l);
                    out_r += bypass * (dry_r - out_r);
                }
                left[n] = flush_subnormal(out_l);
                right[n] = flush_subnormal(out_r);
                if self.scope_countdown == 0 {
                    on_scope(l, r);
                    self.scope_countdown = SCOPE_DECIMATION;
                }
                self.scope_countdown -= 1;
            }
            self.stereo_meter
                .process(&[&metered[0][..len], &metered[1][..len]]);
            self.mono_check
                .process(&metered[0][..len], &metered[1][..len]);
            start += len;
        }
    }

    /// [`Self::process_with_scope`] without a scope.
    pub fn process(&mut self, channels: &mut [&mut [f32]]) {
        self.process_with_scope(channels, |_, _| {});
    }

    /// One frame of the M/S chain (f64); returns the new (L, R).
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
        let (mid_out, side_out) = if multiband == 0.0 {
            (mid, side * width)
        } else {
            let mut mid_bands = [0.0; MAX_BANDS];
            let mut side_bands = [0.0; MAX_BANDS];
            self.crossover.split(0, mid, &mut mid_bands);
            self.crossover.split(1, side, &mut side_bands);
            let n = self.crossover.num_bands();
            let (mut m, mut s) = (0.0, 0.0);
            for b in 0..n {
                m += band_gains[b] * mid_bands[b];
                s += band_gains[b] * band_widths[b] * side_bands[b];
                self.band_ms_energy[b].0 = one_pole_step(
                    self.band_ms_energy[b].0,
                    mid_bands[b] * mid_bands[b],
                    self.meter_coef,
                );
                self.band_ms_energy[b].1 = one_pole_step(
                    self.band_ms_energy[b].1,
                    side_bands[b] * side_bands[b] * band_widths[b] * band_widths[b],
                    self.meter_coef,
                );
                let (bl, br) =
                    decode_mid_side(mid_bands[b], side_bands[b] * band_widths[b] * width);
                self.band_energy[b].push(bl, br, self.meter_coef);
            }
            // Crossfade from the single-band path (mid as is, side × width).
            (
                mid + multiband * (m - mid),
                side * width + multiband * (s * width - side * width),
            )
        };
        mid = mid_out;
        side = side_out;
        let amount = self.stereoize.tick();
        if amount != 0.0 || self.stereoize.is_smoothing() {
            let mut d = mid;
            for f in self.stereoize_filters.iter_mut() {
                d = f.process(d);
            }
            let (coefs, state) = &mut self.stereoize_high_pass;
            side += amount * state.process(coefs, d);
        }
        if self.settings.side_low_gain_db != 0.0 {
            side = self.side_low.1.process(&self.side_low.0, side);
        }
        if self.settings.side_high_gain_db != 0.0 {
            side = self.side_high.1.process(&self.side_high.0, side);
        }
        if !self.mono_maker_fade.is_off() {
            let amount = self.mono_maker_fade.step();
            let coefs = &self.mono_maker[0];
            let [h0, h1] = &mut self.mono_maker_high;
            let high = h1.process(&coefs.high, h0.process(&coefs.high, side));
            let mut all = mid;
            for (section, state) in coefs.allpass[..coefs.allpass_sections]
                .iter()
                .zip(self.mono_maker_allpass.iter_mut())
            {
                all = state.process(section, all);
            }
            side += amount * (high - side);
            mid += amount * (all - mid);
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

    /// Correlation, balance and M/S level meters on one output frame.
    #[inline]
    fn meter_frame(&mut self, l: f64, r: f64) {
        self.output_energy.push(l, r, self.meter_coef);
        let (m, s) = encode_mid_side(l, r);
        self.mid_energy = one_pole_step(self.mid_energy, m * m, self.meter_coef);
        self.side_energy = one_pole_step(self.side_energy, s * s, self.meter_coef);
        if self.mid_energy < SILENT_ENERGY {
            self.mid_energy = 0.0;
        }
        if self.side_energy < SILENT_ENERGY {
            self.side_energy = 0.0;
        }
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
            mono_loss: self.mono_check.loss(&self.stereo_meter.readings()),
            correlation_since_reset: self.mono_check.correlation(),
        }
    }
}
