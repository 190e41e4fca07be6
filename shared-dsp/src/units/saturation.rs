//! Saturation: three waveshaper characters with drive, output
//! compensation and dry/wet mix, anti-aliased twice over.
//!
//! # Signal flow
//! ```text
//! x ─► ↑8 (Upsampler8x) ─► u = drive·x ─► ADAA1 shaper f(u) ─► wet
//!                     └► two-tap average (½-sample, like ADAA) ─► dry
//!   mix in the oversampled domain ─► ↓8 (Downsampler8x, half-sample compensated)
//!   ─► × output gain (÷ drive with compensation) ─► y
//! ```
//!
//! # Anti-aliasing
//! - 8× oversampling by a cascade of three 2× half-band FIR stages each way
//!   ([`crate::primitives::halfband`]: pass band to ≈ 0.44·fs, ≥ 88 dB
//!   stopbands), so harmonics up to 4·fs stay in the oversampled band and are
//!   removed by the decimator instead of folding back. The single-stage
//!   polyphase design it replaced ([`OVERSAMPLING`]: Kaiser-windowed sinc,
//!   90 dB, 48 taps per phase) is still the reference path
//!   ([`Saturator::set_level_math`]).
//! - First-order antiderivative anti-aliasing (Parker, Zavalishin & Le Bivic,
//!   "Reducing the Aliasing of Nonlinear Waveshaping Using Continuous-Time
//!   Convolution", DAFx-16; Bilbao, Esqueda, Parker & Välimäki, IEEE SPL
//!   2017): `y[n] = (F(u[n]) − F(u[n−1]))/(u[n] − u[n−1])`, `F' = f`, which
//!   attenuates the harmonics that still exceed the oversampled Nyquist
//!   (those of the hard clipper fall only as 1/n). ADAA delays by half an
//!   oversampled sample; the dry path gets the same two-tap average and the
//!   decimator's even-length first stage takes that half sample back, so the
//!   latency is an exact integer. `F` is computed in f64 without library
//!   calls (`ln_cosh_fast`; its error, and that of the divided difference
//!   down to the smallest step, are bounded in `tests`).
//!
//! Latency: [`Saturator::latency_samples`] ([`LATENCY_SAMPLES`] = 56 samples
//! at any rate; 48 on the reference path).
//!
//! Measured aliasing (`tests/channel_strip_saturation.rs`), 0 dBFS 7 kHz
//! sine at 44.1 kHz, +18 dB drive, total non-harmonic power 20 Hz – 20 kHz
//! re the fundamental: tube −111.7 dB, tape −110.9 dB, hard clip −86.0 dB
//! (the single-stage design: −109.0, −108.5, −86.0 dB; 4× oversampling gave
//! ≈ −70 dB for all three; no anti-aliasing ≈ −12 dB).
//!
//! # Characters (all with `f(0) = 0`, `f'(0) = 1`)
//! - [`SaturationCharacter::Tube`]: `tanh(u)`, symmetric: odd harmonics only.
//! - [`SaturationCharacter::Tape`]: `(tanh(u + b) − tanh b)/sech²b`,
//!   `b` = [`TAPE_BIAS`]: asymmetric, so even harmonics too; its DC is
//!   removed by a first-order high-pass at [`DC_BLOCK_HZ`] on the wet path.
//! - [`SaturationCharacter::HardClip`]: `clamp(u, −1, 1)`.

use crate::primitives::halfband::{self, Downsampler8x, Upsampler8x};
use crate::primitives::level::{clamp_or, sanitize_channels_f64, LevelMath};
use crate::primitives::oversampling::{Decimator, Upsampler, UpsamplerDesign};
use crate::primitives::smoother::Smoother;
use crate::units::filter::{AnalogBiquad, BiquadCoefs, BiquadState};

/// Oversampling factor.
pub const OVERSAMPLING_FACTOR: usize = halfband::FACTOR;
/// Latency of the default ([`LevelMath::Fast`]) path, base-rate samples:
/// the half-band cascade's ([`halfband::LATENCY_SAMPLES`]).
pub const LATENCY_SAMPLES: usize = halfband::LATENCY_SAMPLES;
/// The single-stage polyphase design of the reference path
/// ([`LevelMath::Reference`], the saturator before the half-band cascade;
/// latency `2 · 24` = 48 samples).
pub const OVERSAMPLING: UpsamplerDesign = UpsamplerDesign {
    factor: 8,
    taps_per_phase: 48,
    stopband_attenuation_db: 90.0,
};
/// Bias of the tape curve (operating point on the tanh): sets the
/// asymmetry, hence the even-harmonic content.
pub const TAPE_BIAS: f64 = 0.3;
/// DC-blocking high-pass on the tape character's wet path, Hz.
pub const DC_BLOCK_HZ: f64 = 3.0;
/// Below this step `|u[n] − u[n−1]|`, ADAA falls back to `f` at the
/// midpoint (the divided difference is then ill-conditioned).
const ADAA_MIN_STEP: f64 = 1e-6;
/// Input samples are clamped to ±this (+80 dBFS) before the f32
/// oversampler; every character is fully saturated long before.
pub const INPUT_LIMIT: f32 = 1e4;
/// Drive range, dB.
pub const DRIVE_RANGE_DB: (f32, f32) = (0.0, 36.0);
/// Output gain range, dB.
pub const OUTPUT_RANGE_DB: (f32, f32) = (-24.0, 24.0);
/// Glide time of drive, output and mix, ms.
pub const RAMP_MS: f64 = 20.0;

/// Waveshaper character.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SaturationCharacter {
    /// Soft, symmetric `tanh`: odd harmonics.
    #[default]
    Tube,
    /// Asymmetric soft curve: even and odd harmonics.
    Tape,
    /// Hard clipper at ±1 (after drive).
    HardClip,
}

/// Saturation settings. Plain values; out-of-range values are clamped.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SaturationSettings {
    /// On/off. Switching changes the latency (0 ↔ [`Saturator::latency_samples`])
    /// and takes effect at once.
    pub enabled: bool,
    /// Curve.
    pub character: SaturationCharacter,
    /// Gain into the curve, dB, 0 ..= 36.
    pub drive_db: f32,
    /// Divide the output by the drive gain, so low-level signals (where
    /// every curve is linear, slope 1) pass at unity gain whatever the drive.
    pub compensate: bool,
    /// Output gain, dB, −24 ..= +24.
    pub output_db: f32,
    /// Dry/wet, 0 (dry, still oversampled and delayed) ..= 1 (wet).
    pub mix: f32,
}

impl Default for SaturationSettings {
    fn default() -> Self {
        Self {
            enabled: false,
            character: SaturationCharacter::Tube,
            drive_db: 6.0,
            compensate: true,
            output_db: 0.0,
            mix: 1.0,
        }
    }
}

impl SaturationSettings {
    /// Clamped to the documented ranges.
    pub fn sanitized(&self) -> Self {
        Self {
            drive_db: clamp_or(self.drive_db, DRIVE_RANGE_DB, 0.0),
            output_db: clamp_or(self.output_db, OUTPUT_RANGE_DB, 0.0),
            mix: clamp_or(self.mix, (0.0, 1.0), 1.0),
            ..*self
        }
    }
}

/// `ln(cosh u)` without overflow: `|u| + ln(1 + e^{−2|u|}) − ln 2`, with
/// the library `exp` and `ln_1p` (the reference the fast path is tested
/// against).
#[inline]
fn ln_cosh(u: f64) -> f64 {
    let a = u.abs();
    a + (-2.0 * a).exp().ln_1p() - core::f64::consts::LN_2
}

/// Degree of the Taylor polynomial of `e^y`, `|y| ≤ ½ ln 2`, in
/// [`exp2_nonpositive`]: the remainder `(½ ln 2)^13/13!` is 1.7e-16.
const EXP_TAYLOR_DEGREE: usize = 12;
/// `1/k!`, `k = 0 ..= EXP_TAYLOR_DEGREE`.
const INVERSE_FACTORIALS: [f64; EXP_TAYLOR_DEGREE + 1] = {
    let mut c = [1.0; EXP_TAYLOR_DEGREE + 1];
    let mut k = 1;
    while k <= EXP_TAYLOR_DEGREE {
        c[k] = c[k - 1] / k as f64;
        k += 1;
    }
    c
};
/// `1.5·2^52`: adding and subtracting it rounds an f64 of magnitude below
/// 2^51 to the nearest integer without a library call.
const ROUND_MAGIC: f64 = 6_755_399_441_055_744.0;
/// Arguments of [`exp2_nonpositive`] are clamped to `−this ..= 0`
/// (2^−1020 is still a normal f64; far below any value that matters here).
const EXP2_ARGUMENT_LIMIT: f64 = 1020.0;
/// Odd terms of `2·atanh r = ln((1 + r)/(1 − r))` kept by [`ln_1p_unit`]:
/// `r^1 … r^19`. With `|r| ≤ 3 − 2√2 ≈ 0.1716` the first omitted term,
/// `2r^21/21`, is below 1e-17.
const ATANH_TERMS: usize = 10;
/// `2/(2k + 1)`, `k = 0 .. ATANH_TERMS`.
const ATANH_COEFFS: [f64; ATANH_TERMS] = {
    let mut c = [0.0; ATANH_TERMS];
    let mut k = 0;
    while k < ATANH_TERMS {
        c[k] = 2.0 / (2 * k + 1) as f64;
        k += 1;
    }
    c
};

/// `2^x` for `x ≤ 0`, no library call: `x = n + f`, `n` the nearest
/// integer, `2^f = e^{f ln 2}` by its Taylor polynomial of degree
/// [`EXP_TAYLOR_DEGREE`] (relative error below 2e-16 plus rounding), `2^n`
/// from the bits. Continuous to within that error at the half-integers
/// where `n` steps (what ADAA's difference quotient needs, see
/// [`ln_cosh_fast`]).
#[inline(always)]
fn exp2_nonpositive(x: f64) -> f64 {
    let x = x.clamp(-EXP2_ARGUMENT_LIMIT, 0.0);
    let n = (x + ROUND_MAGIC) - ROUND_MAGIC;
    let y = (x - n) * core::f64::consts::LN_2;
    let mut p = INVERSE_FACTORIALS[EXP_TAYLOR_DEGREE];
    for c in INVERSE_FACTORIALS[..EXP_TAYLOR_DEGREE].iter().rev() {
        p = p * y + c;
    }
    p * f64::from_bits(((n as i64 + 1023) as u64) << 52)
}

/// `ln(1 + t)` for `t ∈ [0, 1]`, no library call: `m = 1 + t`, halved (and
/// `ln 2` added) above `√2` so `m ∈ [√½, √2]`, then
/// `ln m = 2·atanh((m − 1)/(m + 1))` by [`ATANH_TERMS`] terms of its series
/// (Abramowitz & Stegun 4.1.27). Absolute error below 3e-16 (the rounding
/// of `1 + t` included); the two branches agree at `√2` to that error.
#[inline(always)]
fn ln_1p_unit(t: f64) -> f64 {
    let m = 1.0 + t;
    let high = m > core::f64::consts::SQRT_2;
    let (m, offset) = if high {
        (0.5 * m, core::f64::consts::LN_2)
    } else {
        (m, 0.0)
    };
    let r = (m - 1.0) / (m + 1.0);
    let r2 = r * r;
    let mut series = ATANH_COEFFS[ATANH_TERMS - 1];
    for c in ATANH_COEFFS[..ATANH_TERMS - 1].iter().rev() {
        series = series * r2 + c;
    }
    r * series + offset
}

/// `e^{−2|u|}`, the common factor of [`ln_cosh_fast`] and [`tanh_fast`].
#[inline(always)]
fn exp_minus_2_abs(u: f64) -> f64 {
    exp2_nonpositive(-2.0 * core::f64::consts::LOG2_E * u.abs())
}

/// [`ln_cosh`] without library calls, in f64: `|u| + ln_1p_unit(e^{−2|u|}) − ln 2`.
/// Absolute error below ≈ 1e-15 + 2 ulp(|u|) (`tests` check it over
/// ±40 and at ±1e5), and the error is smooth where it is not rounding:
/// ADAA's quotient `(F(u₁) − F(u₀))/(u₁ − u₀)` is what must be accurate
/// (steps down to `ADAA_MIN_STEP`), and `tests` bound *its* error against
/// the exact mean of `tanh` over the step (Gauss–Legendre quadrature).
/// f32 would not do: its 6e-8 relative error divided by a 1e-6 step is
/// larger than the signal.
#[inline(always)]
fn ln_cosh_fast(u: f64) -> f64 {
    u.abs() + ln_1p_unit(exp_minus_2_abs(u)) - core::f64::consts::LN_2
}

/// `tanh u = sign(u)·(1 − e^{−2|u|})/(1 + e^{−2|u|})`, no library call
/// (absolute error below ≈ 5e-16); ADAA's small-step fallback.
#[inline(always)]
fn tanh_fast(u: f64) -> f64 {
    let t = exp_minus_2_abs(u);
    ((1.0 - t) / (1.0 + t)).copysign(u)
}

impl SaturationCharacter {
    /// The curve `f(u)` (library `tanh`: the reference the tests use).
    #[inline]
    pub fn shape(self, u: f64) -> f64 {
        self.shape_with(LevelMath::Reference, u)
    }

    /// The curve `f(u)` with the given maths ([`LevelMath::Fast`]: no
    /// library call, absolute error below ≈ 1e-15).
    #[inline(always)]
    pub fn shape_with(self, math: LevelMath, u: f64) -> f64 {
        let tanh = |v: f64| match math {
            LevelMath::Fast => tanh_fast(v),
            LevelMath::Reference => v.tanh(),
        };
        match self {
            Self::Tube => tanh(u),
            Self::Tape => {
                // The same maths for the bias term, so f(0) is exactly 0
                // (silence stays exact silence).
                let t = tanh(TAPE_BIAS);
                (tanh(u + TAPE_BIAS) - t) / (1.0 - t * t)
            }
            Self::HardClip => u.clamp(-1.0, 1.0),
        }
    }

    /// Antiderivative `F(u)` with `F(0) = 0` (fast maths, see
    /// [`Self::antiderivative_with`]).
    #[inline]
    pub fn antiderivative(self, u: f64) -> f64 {
        self.antiderivative_with(LevelMath::Fast, u)
    }

    /// Antiderivative `F(u)` with `F(0) = 0`: `ln cosh` by
    /// [`ln_cosh_fast`] ([`LevelMath::Fast`]) or the library
    /// ([`LevelMath::Reference`], the path before the fast maths).
    #[inline(always)]
    pub fn antiderivative_with(self, math: LevelMath, u: f64) -> f64 {
        let ln_cosh = |v: f64| match math {
            LevelMath::Fast => ln_cosh_fast(v),
            LevelMath::Reference => ln_cosh(v),
        };
        match self {
            Self::Tube => ln_cosh(u),
            Self::Tape => {
                let t = TAPE_BIAS.tanh();
                (ln_cosh(u + TAPE_BIAS) - ln_cosh(TAPE_BIAS) - u * t) / (1.0 - t * t)
            }
            Self::HardClip => {
                if u.abs() <= 1.0 {
                    0.5 * u * u
                } else {
                    u.abs() - 0.5
                }
            }
        }
    }

    /// First-order ADAA of the curve between `previous` and `current`.
    #[inline]
    pub fn shape_adaa(self, previous: f64, current: f64) -> f64 {
        self.shape_adaa_cached(previous, self.antiderivative(previous), current)
            .0
    }

    /// [`Self::shape_adaa`] with `F(previous)` already known; returns the
    /// output and `F(current)` (one antiderivative evaluation per sample).
    /// Fast maths.
    #[inline]
    pub fn shape_adaa_cached(self, previous: f64, previous_f: f64, current: f64) -> (f64, f64) {
        self.shape_adaa_cached_with(LevelMath::Fast, previous, previous_f, current)
    }

    /// [`Self::shape_adaa_cached`] with the given maths.
    #[inline(always)]
    pub fn shape_adaa_cached_with(
        self,
        math: LevelMath,
        previous: f64,
        previous_f: f64,
        current: f64,
    ) -> (f64, f64) {
        let current_f = self.antiderivative_with(math, current);
        let step = current - previous;
        let y = if step.abs() < ADAA_MIN_STEP {
            self.shape_with(math, 0.5 * (current + previous))
        } else {
            (current_f - previous_f) / step
        };
        (y, current_f)
    }
}

/// Per-channel state.
#[derive(Debug, Clone)]
struct Channel {
    /// The half-band cascade (fast path).
    up8: Upsampler8x,
    down8: Downsampler8x,
    /// The single-stage polyphase filters (reference path).
    up: Upsampler,
    down: Decimator,
    /// Previous driven sample `u[n−1]` (ADAA memory).
    previous_u: f64,
    /// `F(u[n−1])` for the current character.
    previous_f: f64,
    /// Previous oversampled dry sample (two-tap average).
    previous_dry: f64,
    dc_block: BiquadState,
}

/// Oversampled, anti-aliased saturation over up to `num_channels` channels.
#[derive(Debug, Clone)]
pub struct Saturator {
    sample_rate: f64,
    settings: SaturationSettings,
    channels: Vec<Channel>,
    drive_db: Smoother,
    output_db: Smoother,
    mix: Smoother,
    dc_block: BiquadCoefs,
    math: LevelMath,
}

impl Saturator {
    /// A saturator for up to `num_channels`. Allocates.
    pub fn new(sample_rate: f64, num_channels: usize) -> Self {
        let channel = Channel {
            up8: Upsampler8x::new(),
            down8: Downsampler8x::new(),
            up: Upsampler::new(OVERSAMPLING),
            down: Decimator::new(OVERSAMPLING, true),
            previous_u: 0.0,
            previous_f: 0.0,
            previous_dry: 0.0,
            dc_block: BiquadState::new(),
        };
        let settings = SaturationSettings::default();
        let mut s = Self {
            sample_rate,
            settings,
            channels: vec![channel; num_channels],
            drive_db: Smoother::linear(f64::from(settings.drive_db), 1),
            output_db: Smoother::linear(0.0, 1),
            mix: Smoother::linear(1.0, 1),
            dc_block: BiquadCoefs::IDENTITY,
            math: LevelMath::Fast,
        };
        s.set_sample_rate(sample_rate);
        s
    }

    /// Changes the sample rate (Hz). Never allocates.
    pub fn set_sample_rate(&mut self, sample_rate: f64) {
        self.sample_rate = sample_rate;
        let ramp = Smoother::samples_for_ms(RAMP_MS, sample_rate);
        self.drive_db.set_ramp_samples(ramp);
        self.output_db.set_ramp_samples(ramp);
        self.mix.set_ramp_samples(ramp);
        let oversampled_rate = sample_rate * OVERSAMPLING_FACTOR as f64;
        self.dc_block = BiquadCoefs::bilinear(
            &AnalogBiquad::highpass_first_order(),
            DC_BLOCK_HZ,
            oversampled_rate,
        );
        self.reset();
    }

    /// Clears all state and settles the ramps. Never allocates.
    pub fn reset(&mut self) {
        for ch in &mut self.channels {
            ch.up8.reset();
            ch.down8.reset();
            ch.up.reset();
            ch.down.reset();
            ch.previous_u = 0.0;
            ch.previous_f = 0.0;
            ch.previous_dry = 0.0;
            ch.dc_block.reset();
        }
        self.drive_db.settle();
        self.output_db.settle();
        self.mix.settle();
    }

    /// Applies settings: drive, output and mix glide; character switches at
    /// once (the curves agree at low level). `enabled` is the caller's
    /// business (the unit always processes when called).
    pub fn set_settings(&mut self, settings: &SaturationSettings) {
        let new = settings.sanitized();
        if new.character != self.settings.character {
            for ch in &mut self.channels {
                ch.previous_f = new.character.antiderivative_with(self.math, ch.previous_u);
            }
        }
        self.settings = new;
        self.drive_db.set_target(f64::from(new.drive_db));
        self.output_db.set_target(f64::from(new.output_db));
        self.mix.set_target(f64::from(new.mix));
    }

    /// True if exact zeros in give exact zeros out and leave every state
    /// as it is: no ramp running, the oversampler histories zero, the ADAA
    /// and dry memories at the curve's value at 0, the DC blocker at rest.
    /// (The oversamplers' write positions do not matter over zero histories.)
    pub fn is_at_rest(&self) -> bool {
        let f0 = self.settings.character.antiderivative_with(self.math, 0.0);
        !self.drive_db.is_smoothing()
            && !self.output_db.is_smoothing()
            && !self.mix.is_smoothing()
            && self.channels.iter().all(|ch| {
                ch.previous_u == 0.0
                    && ch.previous_f == f0
                    && ch.previous_dry == 0.0
                    && ch.dc_block.cells() == [0.0, 0.0]
                    && ch.up8.is_silent()
                    && ch.down8.is_silent()
                    && ch.up.is_silent()
                    && ch.down.is_silent()
            })
    }

    /// The settings in use.
    pub fn settings(&self) -> &SaturationSettings {
        &self.settings
    }

    /// Latency, samples at the base rate: [`LATENCY_SAMPLES`] on the fast
    /// path; on the reference path upsampler `T/2` plus decimator `T/2`
    /// (the ADAA half sample is compensated either way, see the module docs).
    pub fn latency_samples(&self) -> usize {
        match self.math {
            LevelMath::Fast => LATENCY_SAMPLES,
            LevelMath::Reference => OVERSAMPLING.latency_samples() * 2,
        }
    }

    /// Chooses the path: [`LevelMath::Fast`] (default; half-band cascade,
    /// curve maths without library calls) or [`LevelMath::Reference`] (the
    /// single-stage polyphase filters and library `exp`/`ln_1p`/`tanh`, as
    /// before; bit for bit). Changes the latency; clears the state. Never
    /// allocates.
    pub fn set_level_math(&mut self, math: LevelMath) {
        if math != self.math {
            self.math = math;
            self.reset();
            let character = self.settings.character;
            for ch in &mut self.channels {
                ch.previous_f = character.antiderivative_with(math, ch.previous_u);
            }
        }
    }

    /// The path in use (see [`Self::set_level_math`]).
    pub fn level_math(&self) -> LevelMath {
        self.math
    }

    /// Saturates `channels` in place. Never allocates.
    pub fn process(&mut self, channels: &mut [&mut [f64]]) {
        match self.math {
            LevelMath::Fast => self.process_with::<true>(channels),
            LevelMath::Reference => self.process_with::<false>(channels),
        }
    }

    /// [`Self::process`], monomorphised per path (`FAST`: half-band
    /// cascade and fast curve maths).
    #[inline(always)]
    fn process_with<const FAST: bool>(&mut self, channels: &mut [&mut [f64]]) {
        sanitize_channels_f64(channels);
        let math = if FAST {
            LevelMath::Fast
        } else {
            LevelMath::Reference
        };
        let character = self.settings.character;
        let dc_block = self.settings.character == SaturationCharacter::Tape;
        let compensate = self.settings.compensate;
        let len = channels.first().map_or(0, |c| c.len());
        // dB → linear only when the ramps move.
        let (mut drive_db, mut output_db) = (f64::NAN, f64::NAN);
        let (mut drive, mut wet_gain, mut output) = (1.0, 1.0, 1.0);
        for i in 0..len {
            let next_drive_db = self.drive_db.advance(1);
            if next_drive_db != drive_db {
                drive_db = next_drive_db;
                drive = 10f64.powf(drive_db / 20.0);
                // The curves have slope 1 at 0: dividing by the drive
                // restores unity small-signal gain.
                wet_gain = if compensate { 1.0 / drive } else { 1.0 };
            }
            let next_output_db = self.output_db.advance(1);
            if next_output_db != output_db {
                output_db = next_output_db;
                output = 10f64.powf(output_db / 20.0);
            }
            let mix = self.mix.advance(1);
            for (samples, ch) in channels.iter_mut().zip(&mut self.channels) {
                let x = samples[i] as f32;
                let x = x.clamp(-INPUT_LIMIT, INPUT_LIMIT);
                let mut block = if FAST {
                    ch.up8.process_sample(x)
                } else {
                    let mut b = [0.0f32; OVERSAMPLING_FACTOR];
                    ch.up.process_sample(x, &mut b);
                    b
                };
                for v in &mut block {
                    let dry_now = f64::from(*v);
                    let dry = 0.5 * (dry_now + ch.previous_dry);
                    ch.previous_dry = dry_now;
                    let u = drive * dry_now;
                    let (shaped, f) =
                        character.shape_adaa_cached_with(math, ch.previous_u, ch.previous_f, u);
                    let mut wet = shaped * wet_gain;
                    ch.previous_u = u;
                    ch.previous_f = f;
                    if dc_block {
                        wet = ch.dc_block.process(&self.dc_block, wet);
                    }
                    *v = (dry + mix * (wet - dry)) as f32;
                }
                let y = if FAST {
                    ch.down8.process(&block)
                } else {
                    ch.down.process(&block)
                };
                samples[i] = f64::from(y) * output;
            }
        }
    }
}

#[cfg(test)]
mod fast_math_tests {
    use super::*;

    /// Seeded uniform numbers in `[-1, 1)`.
    fn rng(mut seed: u64) -> impl FnMut() -> f64 {
        move || {
            seed = seed
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (seed >> 11) as f64 / (1u64 << 52) as f64 - 1.0
        }
    }

    /// Mean of `f` over `[a, b]` by composite 5-point Gauss–Legendre
    /// quadrature with the library `tanh`: the exact ADAA1 output,
    /// independent of any antiderivative.
    fn exact_mean(character: SaturationCharacter, a: f64, b: f64) -> f64 {
        const NODES: [f64; 5] = [
            0.0,
            -0.538_469_310_105_683_1,
            0.538_469_310_105_683_1,
            -0.906_179_845_938_664,
            0.906_179_845_938_664,
        ];
        const WEIGHTS: [f64; 5] = [
            0.568_888_888_888_888_9,
            0.478_628_670_499_366_5,
            0.478_628_670_499_366_5,
            0.236_926_885_056_189_1,
            0.236_926_885_056_189_1,
        ];
        const PIECES: usize = 64;
        let h = (b - a) / PIECES as f64;
        let mut sum = 0.0;
        for p in 0..PIECES {
            let mid = a + (p as f64 + 0.5) * h;
            for (x, w) in NODES.iter().zip(WEIGHTS) {
                sum += w * character.shape(mid + 0.5 * h * x);
            }
        }
        0.5 * sum / PIECES as f64
    }

    /// Bound on |fast − library| for `ln cosh`, absolute: a few ulps of
    /// the terms `|u|` and `ln 2` that are summed.
    fn ln_cosh_bound(u: f64) -> f64 {
        2e-15 + 4.0 * f64::EPSILON * u.abs()
    }

    #[test]
    fn fast_ln_cosh_matches_the_library_over_the_range() {
        let mut worst = 0.0f64;
        let grid = (-400_000..=400_000).map(|i| f64::from(i) * 1e-4);
        for u in grid.chain([1e5, -1e5, 6.3e5, 1e-300, -1e-12]) {
            let err = (ln_cosh_fast(u) - ln_cosh(u)).abs();
            assert!(err <= ln_cosh_bound(u), "u {u}: {err:e}");
            worst = worst.max(err);
        }
        println!("ln cosh: worst |fast − library| {worst:e}");
        assert_eq!(ln_cosh_fast(0.0), 0.0);
    }

    #[test]
    fn every_curve_is_exactly_zero_at_zero_with_either_maths() {
        for character in [
            SaturationCharacter::Tube,
            SaturationCharacter::Tape,
            SaturationCharacter::HardClip,
        ] {
            for math in [LevelMath::Fast, LevelMath::Reference] {
                assert_eq!(character.shape_with(math, 0.0), 0.0, "{character:?}");
                assert_eq!(
                    character.antiderivative_with(math, 0.0),
                    0.0,
                    "{character:?}"
                );
                assert_eq!(
                    character.shape_adaa_cached_with(math, 0.0, 0.0, 0.0),
                    (0.0, 0.0),
                    "{character:?}"
                );
            }
        }
    }

    #[test]
    fn fast_tanh_matches_the_library() {
        let mut worst = 0.0f64;
        for i in -400_000..=400_000 {
            let u = f64::from(i) * 1e-4;
            let err = (tanh_fast(u) - u.tanh()).abs();
            worst = worst.max(err);
        }
        println!("tanh: worst |fast − library| {worst:e}");
        assert!(worst < 1e-15, "{worst:e}");
        assert_eq!(tanh_fast(0.0), 0.0);
        assert_eq!(tanh_fast(1e3), 1.0);
        assert_eq!(tanh_fast(-1e3), -1.0);
    }

    /// The error that matters: ADAA's divided difference, against the exact
    /// mean of the curve over the step, for steps from just above
    /// `ADAA_MIN_STEP` to large ones. Bound: `ADAA_QUOTIENT_ABS` plus the
    /// rounding of `F` (a few ulps of `1 + |u|`) divided by the step — the
    /// library path has the same rounding term (printed for comparison).
    #[test]
    fn adaa_quotient_error_is_bounded_down_to_the_smallest_step() {
        const ADAA_QUOTIENT_ABS: f64 = 1e-12;
        let mut next = rng(0x5eed);
        for character in [SaturationCharacter::Tube, SaturationCharacter::Tape] {
            let (mut worst_fast, mut worst_ref) = (0.0f64, 0.0f64);
            for _ in 0..20_000 {
                let u0 = 30.0 * next();
                let decade = (7.0 * (next() + 1.0) / 2.0).floor() - 6.0; // −6 ..= 0
                let step = (1.0 + 0.999 * next().abs()) * 10f64.powf(decade).max(ADAA_MIN_STEP);
                let step = step.copysign(next());
                let u1 = u0 + step;
                let step = u1 - u0;
                let exact = exact_mean(character, u0, u1);
                let q = |math| {
                    let f0 = character.antiderivative_with(math, u0);
                    character.shape_adaa_cached_with(math, u0, f0, u1).0
                };
                let rounding = 8.0 * f64::EPSILON * (1.0 + u0.abs().max(u1.abs())) / step.abs();
                let bound = ADAA_QUOTIENT_ABS + rounding;
                let (fast, reference) = (q(LevelMath::Fast), q(LevelMath::Reference));
                assert!(
                    (fast - exact).abs() <= bound,
                    "{character:?} u0 {u0} step {step:e}: {fast} vs {exact} (bound {bound:e})"
                );
                worst_fast = worst_fast.max((fast - exact).abs() / bound);
                worst_ref = worst_ref.max((reference - exact).abs() / bound);
            }
            println!(
                "{character:?}: worst ADAA error / bound: fast {worst_fast:.3}, library {worst_ref:.3}"
            );
        }
    }
}
