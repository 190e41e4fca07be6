//! Feed-forward downward compressor.
//!
//! Signal flow per sample (Giannoulis, Massberg & Reiss 2012, fig. 7(d): the
//! log-domain detector after the gain computer):
//!
//! ```text
//! x ─► side-chain high-pass (optional) ─► level (|x|, RMS or a blend) ─► stereo link
//!   ─► dB ─► gain computer (soft knee) ─► gain reduction, clamped to the range
//!   ─► attack/release
//!   ─► + make-up ─► gain ─► × x ─► dry/wet mix
//! ```
//!
//! Attack and release are one-pole time constants on the gain reduction in
//! dB (see [`super::envelope`] for the definition), so a step in level moves
//! the gain 1 − 1/e of the way to its new value in `attack_ms` / `release_ms`.
//! Auto release (program-dependent) runs two release paths and uses the
//! larger reduction: a fast one (`release_ms` × [`AUTO_RELEASE_FAST_FRACTION`])
//! and a slow one (`release_ms`) that only charges over
//! [`AUTO_RELEASE_SLOW_ATTACK_MS`]; short peaks release fast, sustained
//! compression releases slowly.

use super::gain_computer::{CompressorCurve, FastCompressorCurve};
use super::MAX_CHANNELS;
use crate::primitives::biquad::{process_cascade_pair, process_cascade_scalar};
use crate::primitives::envelope::{
    branching_step, mean_square_step, one_pole_coef, Ballistics, BranchingSmoother, MeanSquare,
};
use crate::primitives::level::{
    clamp_or, db_to_amplitude, fast_amplitude_to_db, fast_exp2, sanitize_channels_f64,
    sanitize_f64, LevelMath, LOG2_PER_DB,
};
use crate::primitives::smoother::{Fade, Smoother};
use crate::units::filter::{ButterworthCoefs, ButterworthState, PassKind};

/// RMS detection averages `x²` with this time constant, ms.
pub const RMS_TIME_CONSTANT_MS: f64 = 10.0;
/// Auto release: the fast path releases in this fraction of `release_ms`.
pub const AUTO_RELEASE_FAST_FRACTION: f64 = 0.1;
/// Auto release: the slow path charges with this time constant, ms.
pub const AUTO_RELEASE_SLOW_ATTACK_MS: f64 = 200.0;
/// Side-chain high-pass order (12 dB/octave Butterworth).
pub const SIDECHAIN_HPF_ORDER: usize = 2;
/// Make-up gain and mix glide time, ms.
pub const RAMP_MS: f64 = 20.0;
/// On/off crossfade time, ms.
pub const FADE_MS: f64 = 10.0;
/// Ranges (see [`CompressorSettings`]).
pub const THRESHOLD_RANGE_DB: (f32, f32) = (-60.0, 0.0);
/// Ratio range; `f32::INFINITY` is also accepted (∞:1).
pub const RATIO_RANGE: (f32, f32) = (1.0, 100.0);
/// Knee width range, dB.
pub const KNEE_RANGE_DB: (f32, f32) = (0.0, 24.0);
/// Attack range, ms.
pub const ATTACK_RANGE_MS: (f32, f32) = (0.01, 500.0);
/// Release range, ms.
pub const RELEASE_RANGE_MS: (f32, f32) = (1.0, 5000.0);
/// Side-chain high-pass range, Hz.
pub const SIDECHAIN_HPF_RANGE_HZ: (f32, f32) = (20.0, 500.0);
/// Make-up gain range, dB.
pub const MAKEUP_RANGE_DB: (f32, f32) = (-12.0, 24.0);
/// Range (largest gain reduction allowed) when limited, dB; `f32::INFINITY`
/// is also accepted (no limit, the default).
pub const MAX_REDUCTION_RANGE_DB: (f32, f32) = (0.0, 60.0);

/// Level detection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Detection {
    /// Instantaneous |x| (the ballistics smooth the gain).
    #[default]
    Peak,
    /// RMS over [`RMS_TIME_CONSTANT_MS`]; a sine reads 3.01 dB below its peak.
    Rms,
}

/// Compressor settings. Plain values; out-of-range values are clamped.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CompressorSettings {
    /// On/off (crossfaded).
    pub enabled: bool,
    /// Threshold, dBFS, −60 ..= 0.
    pub threshold_db: f32,
    /// Ratio, 1 ..= 100, or `f32::INFINITY` (∞:1).
    pub ratio: f32,
    /// Soft-knee width, dB, 0 ..= 24.
    pub knee_db: f32,
    /// Attack time constant, ms, 0.01 ..= 500.
    pub attack_ms: f32,
    /// Release time constant, ms, 1 ..= 5000 (slowest release with `auto_release`).
    pub release_ms: f32,
    /// Program-dependent release.
    pub auto_release: bool,
    /// Peak or RMS detection.
    pub detection: Detection,
    /// Peak/RMS blend with [`Detection::Peak`]: the detected level is
    /// `(1 − b)·|x| + b·RMS(x)`, `b` 0 (peak) ..= 1 (RMS). Ignored (taken as 1)
    /// with [`Detection::Rms`].
    pub rms_blend: f32,
    /// Range: the largest gain reduction the curve may ask for, dB,
    /// 0 ..= 60, or `f32::INFINITY` (unlimited). Clamps the static curve
    /// before the ballistics, so it also bounds auto make-up.
    pub max_reduction_db: f32,
    /// Side-chain high-pass on/off.
    pub sidechain_hpf_enabled: bool,
    /// Side-chain high-pass cutoff, Hz, 20 ..= 500 (12 dB/oct Butterworth).
    pub sidechain_hpf_hz: f32,
    /// Stereo link, 0 (independent channels) ..= 1 (all channels share the
    /// loudest channel's level).
    pub stereo_link: f32,
    /// Make-up gain, dB, −12 ..= +24 (added to auto make-up).
    pub makeup_db: f32,
    /// Auto make-up: adds `−gain(0 dBFS)`, the curve's reduction at full
    /// scale, so a 0 dBFS input comes out at 0 dBFS (Giannoulis et al. 2012,
    /// §2.4).
    pub auto_makeup: bool,
    /// Dry/wet mix, 0 (dry) ..= 1 (wet); parallel compression in between.
    pub mix: f32,
}

impl Default for CompressorSettings {
    fn default() -> Self {
        Self {
            enabled: false,
            threshold_db: -18.0,
            ratio: 1.0,
            knee_db: 6.0,
            attack_ms: 10.0,
            release_ms: 100.0,
            auto_release: false,
            detection: Detection::Peak,
            rms_blend: 0.0,
            max_reduction_db: f32::INFINITY,
            sidechain_hpf_enabled: false,
            sidechain_hpf_hz: 80.0,
            stereo_link: 1.0,
            makeup_db: 0.0,
            auto_makeup: false,
            mix: 1.0,
        }
    }
}

impl CompressorSettings {
    /// Clamped to the documented ranges.
    pub fn sanitized(&self) -> Self {
        let d = Self::default();
        Self {
            enabled: self.enabled,
            threshold_db: clamp_or(self.threshold_db, THRESHOLD_RANGE_DB, d.threshold_db),
            ratio: if self.ratio == f32::INFINITY {
                f32::INFINITY
            } else {
                clamp_or(self.ratio, RATIO_RANGE, d.ratio)
            },
            knee_db: clamp_or(self.knee_db, KNEE_RANGE_DB, d.knee_db),
            attack_ms: clamp_or(self.attack_ms, ATTACK_RANGE_MS, d.attack_ms),
            release_ms: clamp_or(self.release_ms, RELEASE_RANGE_MS, d.release_ms),
            auto_release: self.auto_release,
            detection: self.detection,
            rms_blend: clamp_or(self.rms_blend, (0.0, 1.0), d.rms_blend),
            max_reduction_db: if self.max_reduction_db == f32::INFINITY {
                f32::INFINITY
            } else {
                clamp_or(
                    self.max_reduction_db,
                    MAX_REDUCTION_RANGE_DB,
                    d.max_reduction_db,
                )
            },
            sidechain_hpf_enabled: self.sidechain_hpf_enabled,
            sidechain_hpf_hz: clamp_or(
                self.sidechain_hpf_hz,
                SIDECHAIN_HPF_RANGE_HZ,
                d.sidechain_hpf_hz,
            ),
            stereo_link: clamp_or(self.stereo_link, (0.0, 1.0), d.stereo_link),
            makeup_db: clamp_or(self.makeup_db, MAKEUP_RANGE_DB, 0.0),
            auto_makeup: self.auto_makeup,
            mix: clamp_or(self.mix, (0.0, 1.0), 1.0),
        }
    }

    /// The static curve.
    pub fn curve(&self) -> CompressorCurve {
        CompressorCurve {
            threshold_db: f64::from(self.threshold_db),
            ratio: f64::from(self.ratio),
            knee_db: f64::from(self.knee_db),
        }
    }

    /// Gain reduction (dB ≥ 0) the static curve asks for at input level
    /// `level_db`, range included.
    pub fn static_reduction_db(&self, level_db: f64) -> f64 {
        (-self.curve().gain_db(level_db)).min(f64::from(self.max_reduction_db))
    }

    /// The effective peak/RMS blend, 0 (peak) ..= 1 (RMS).
    pub fn effective_rms_blend(&self) -> f64 {
        match self.detection {
            Detection::Peak => f64::from(self.rms_blend),
            Detection::Rms => 1.0,
        }
    }

    /// Total make-up gain, dB (manual + auto).
    pub fn total_makeup_db(&self) -> f64 {
        let auto = if self.auto_makeup {
            self.static_reduction_db(0.0)
        } else {
            0.0
        };
        f64::from(self.makeup_db) + auto
    }

    /// True if the unit cannot change the signal: off, ratio 1 with no
    /// make-up, or mix 0 (see also [`Compressor::is_bypassed`]).
    pub fn is_neutral(&self) -> bool {
        !self.enabled || (self.ratio == 1.0 && self.total_makeup_db() == 0.0) || self.mix == 0.0
    }
}

/// `a.max(b)` for the ballistics' reductions, as a compare and a select
/// (no NaN handling on the recurrence's path). The same value: reductions
/// are finite and never −0.0 (`branching_step` flushes to +0.0, the curve's
/// targets only meet it through `one_pole_step`), so `max`'s freedom with
/// NaN and signed zeros never arises.
#[inline(always)]
fn larger(a: f64, b: f64) -> f64 {
    if b > a {
        b
    } else {
        a
    }
}

/// Frames the block gain computer ([`LevelMath::Fast`]) handles at once:
/// the size of its scratch buffers.
const BLOCK: usize = 64;

/// Scratch of the block gain computer (allocated in `new`, sized to the
/// channel count).
#[derive(Debug, Clone)]
struct Scratch {
    /// Per channel: the side-chain, then its level, then the linear gain.
    detector: Vec<[f64; BLOCK]>,
    /// Per channel: the curve's target reduction, then the smoothed
    /// reduction, dB.
    reduction: Vec<[f64; BLOCK]>,
    /// Make-up gain per frame, linear.
    makeup: [f64; BLOCK],
    /// Wet amount (mix × fade) per frame.
    amount: [f64; BLOCK],
}

impl Scratch {
    fn new(num_channels: usize) -> Self {
        Self {
            detector: vec![[0.0; BLOCK]; num_channels],
            reduction: vec![[0.0; BLOCK]; num_channels],
            makeup: [1.0; BLOCK],
            amount: [1.0; BLOCK],
        }
    }
}

/// Per-channel detector state.
#[derive(Debug, Clone, Copy, Default)]
struct ChannelState {
    sidechain_hpf: ButterworthState,
    mean_square: MeanSquare,
    /// Gain reduction (dB ≥ 0), the only path without auto release, the
    /// fast path with it.
    reduction: BranchingSmoother,
    /// Slow auto-release path (dB ≥ 0).
    reduction_slow: BranchingSmoother,
}

/// Compressor over up to [`MAX_CHANNELS`] channels (f64, in place).
#[derive(Debug, Clone)]
pub struct Compressor {
    sample_rate: f64,
    settings: CompressorSettings,
    curve: CompressorCurve,
    /// The curve and range as the block gain computer evaluates them.
    fast_curve: FastCompressorCurve,
    ballistics: Ballistics,
    slow_ballistics: Ballistics,
    rms_coef: f64,
    sidechain_coefs: ButterworthCoefs,
    /// Make-up gain, linear (> 0), ramping multiplicatively: no `powf`
    /// per sample while it glides.
    makeup: Smoother,
    mix: Smoother,
    fade: Fade,
    channels: Vec<ChannelState>,
    /// Largest gain reduction during the last `process` call, dB ≥ 0.
    last_reduction_db: f64,
    running: bool,
    /// dB conversions of the gain computer (fast unless a test asks).
    math: LevelMath,
    scratch: Scratch,
}

impl Compressor {
    /// A compressor (off) for up to `num_channels` (≤ [`MAX_CHANNELS`]). Allocates.
    ///
    /// # Panics
    /// If `num_channels` > [`MAX_CHANNELS`].
    pub fn new(sample_rate: f64, num_channels: usize) -> Self {
        assert!(
            num_channels <= MAX_CHANNELS,
            "at most {MAX_CHANNELS} channels"
        );
        let settings = CompressorSettings::default();
        let mut c = Self {
            sample_rate,
            settings,
            curve: settings.curve(),
            fast_curve: FastCompressorCurve::new(
                &settings.curve(),
                f64::from(settings.max_reduction_db),
            ),
            ballistics: Ballistics::default(),
            slow_ballistics: Ballistics::default(),
            rms_coef: 0.0,
            sidechain_coefs: ButterworthCoefs::new(
                PassKind::HighPass,
                SIDECHAIN_HPF_ORDER,
                80.0,
                sample_rate,
            ),
            makeup: Smoother::multiplicative(1.0, 1),
            mix: Smoother::linear(1.0, 1),
            fade: Fade::new(false, 1),
            channels: vec![ChannelState::default(); num_channels],
            last_reduction_db: 0.0,
            running: false,
            math: LevelMath::Fast,
            scratch: Scratch::new(num_channels),
        };
        c.set_sample_rate(sample_rate);
        c
    }

    /// Changes the sample rate (Hz): recomputes coefficients, settles, clears.
    /// Never allocates.
    pub fn set_sample_rate(&mut self, sample_rate: f64) {
        self.sample_rate = sample_rate;
        let ramp = Smoother::samples_for_ms(RAMP_MS, sample_rate);
        self.makeup.set_ramp_samples(ramp);
        self.mix.set_ramp_samples(ramp);
        self.fade
            .set_fade_samples(Smoother::samples_for_ms(FADE_MS, sample_rate));
        self.rms_coef = one_pole_coef(RMS_TIME_CONSTANT_MS, sample_rate);
        self.update_coefs();
        self.reset();
    }

    /// Clears detectors and gain reduction, jumps ramps to their targets.
    /// Never allocates.
    pub fn reset(&mut self) {
        for ch in &mut self.channels {
            *ch = ChannelState::default();
        }
        self.makeup.settle();
        self.mix.settle();
        self.fade.reset_to(self.settings.enabled);
        self.last_reduction_db = 0.0;
        self.running = false;
    }

    fn update_coefs(&mut self) {
        let s = &self.settings;
        self.curve = s.curve();
        self.fast_curve = FastCompressorCurve::new(&self.curve, f64::from(s.max_reduction_db));
        let release_ms = f64::from(s.release_ms);
        let fast_release_ms = if s.auto_release {
            release_ms * AUTO_RELEASE_FAST_FRACTION
        } else {
            release_ms
        };
        self.ballistics =
            Ballistics::new(f64::from(s.attack_ms), fast_release_ms, self.sample_rate);
        self.slow_ballistics = Ballistics::new(
            AUTO_RELEASE_SLOW_ATTACK_MS.max(f64::from(s.attack_ms)),
            release_ms,
            self.sample_rate,
        );
        self.sidechain_coefs = ButterworthCoefs::new(
            PassKind::HighPass,
            SIDECHAIN_HPF_ORDER,
            f64::from(s.sidechain_hpf_hz),
            self.sample_rate,
        );
    }

    /// Chooses the gain computer: [`LevelMath::Fast`] (default), the block
    /// path (see [`Self::process`]), or [`LevelMath::Reference`], the
    /// per-frame path with library `log10`/`powf`, for tests that bound the
    /// difference.
    pub fn set_level_math(&mut self, math: LevelMath) {
        self.math = math;
    }

    /// Applies new settings. Threshold, ratio, knee and times take effect at
    /// once (the gain still moves with the ballistics); make-up and mix glide;
    /// on/off crossfades.
    pub fn set_settings(&mut self, settings: &CompressorSettings) {
        let new = settings.sanitized();
        if new == self.settings {
            return;
        }
        self.settings = new;
        self.update_coefs();
        self.makeup
            .set_target(db_to_amplitude(new.total_makeup_db()));
        self.mix.set_target(f64::from(new.mix));
        self.fade.set_on(new.enabled);
        if self.fade.is_off() {
            self.makeup.settle();
            self.mix.settle();
        }
    }

    /// True if exact zeros in give exact zeros out and leave the state as
    /// it is: bypassed (and already cleared), or no ramp or fade running and every detector,
    /// side-chain filter and gain reduction at exactly zero.
    pub fn is_at_rest(&self) -> bool {
        (self.is_bypassed() && !self.running)
            || (!self.fade.is_fading()
                && !self.makeup.is_smoothing()
                && !self.mix.is_smoothing()
                && self.channels.iter().all(|c| {
                    c.sidechain_hpf.is_zero()
                        && c.mean_square.value() == 0.0
                        && c.reduction.value() == 0.0
                        && c.reduction_slow.value() == 0.0
                }))
    }

    /// The settings in use.
    pub fn settings(&self) -> &CompressorSettings {
        &self.settings
    }

    /// Largest gain reduction (dB ≥ 0) during the last [`Self::process`] call.
    pub fn gain_reduction_db(&self) -> f64 {
        self.last_reduction_db
    }

    /// True if processing is skipped (output = input, bit exact): faded out,
    /// or settings that cannot change the signal with no reduction left to
    /// release and no ramp running.
    pub fn is_bypassed(&self) -> bool {
        if self.fade.is_off() {
            return true;
        }
        let s = &self.settings;
        let idle = !self.makeup.is_smoothing()
            && self
                .channels
                .iter()
                .all(|c| c.reduction.value() == 0.0 && c.reduction_slow.value() == 0.0);
        // Unity wet gain: wet = dry whatever the mix or fade.
        let unity = self.curve.is_identity() && s.total_makeup_db() == 0.0;
        let dry_only = s.mix == 0.0 && !self.mix.is_smoothing();
        idle && (unity || dry_only)
    }

    /// Compresses `channels` in place, detecting on the channels themselves
    /// (same lengths; at most the `num_channels` given to [`Self::new`]).
    /// Never allocates.
    pub fn process(&mut self, channels: &mut [&mut [f64]]) {
        self.run(channels, None);
    }

    /// Compresses `channels` in place with the level detected on
    /// `sidechain` instead (an external key, the mid or side signal, one
    /// band of a crossover): `sidechain[c]` drives channel `c`'s gain, a
    /// missing side-chain channel is silence. Never allocates.
    pub fn process_sidechain(&mut self, channels: &mut [&mut [f64]], sidechain: &[&[f64]]) {
        self.run(channels, Some(sidechain));
    }

    /// The gain signal alone: for each frame of `detector`, the linear gain
    /// (gain reduction and make-up; ≤ 1 without make-up) of every channel
    /// into `gains[c][i]`. Applying it, and any dry/wet mix, is the caller's
    /// job; the unit's own mix and on/off fade are not applied. Never
    /// allocates.
    pub fn compute_gains(&mut self, detector: &[&[f64]], gains: &mut [&mut [f64]]) {
        self.gains_from::<true>(detector, gains);
    }

    /// [`Self::compute_gains`] for a side-chain the caller has already
    /// sanitised: every sample must be a fixed point of [`sanitize_f64`]
    /// (finite, and normal or ±0; e.g. an `f32` that went through
    /// `sanitize` widened to `f64`, which is always normal or ±0). Skips that
    /// pass, so the same gains, bit for bit, for such input. Never allocates.
    pub fn compute_gains_sanitized(&mut self, detector: &[&[f64]], gains: &mut [&mut [f64]]) {
        // A fold with `&`, not a short-circuiting `all`: it vectorises, so
        // builds with debug assertions (the `ci` profile the benches use)
        // pay little for the check.
        debug_assert!(detector
            .iter()
            .all(|d| d.iter().fold(true, |clean, &x| clean
                & (sanitize_f64(x).to_bits() == x.to_bits()))));
        self.gains_from::<false>(detector, gains);
    }

    /// [`Self::compute_gains`], sanitising the side-chain if `SANITIZE`.
    fn gains_from<const SANITIZE: bool>(&mut self, detector: &[&[f64]], gains: &mut [&mut [f64]]) {
        let clean = |x: f64| if SANITIZE { sanitize_f64(x) } else { x };
        self.last_reduction_db = 0.0;
        self.running = true;
        let num_channels = gains.len().min(self.channels.len());
        let len = gains.first().map_or(0, |g| g.len());
        if self.math == LevelMath::Fast {
            let mut start = 0;
            while start < len {
                let n = (len - start).min(BLOCK);
                if self.reads_linked_peak(detector, num_channels) {
                    let linked = [
                        &detector[0][start..start + n],
                        &detector[1][start..start + n],
                    ];
                    let one_path = self.block_targets::<SANITIZE>(num_channels, n, Some(linked));
                    self.block_ballistics(num_channels, one_path, n);
                    self.block_output(num_channels, one_path, n);
                } else {
                    self.load_detector::<SANITIZE>(detector, num_channels, start, n);
                    self.block_gains(num_channels, n);
                }
                self.store_gains(gains, num_channels, start, n);
                start += n;
            }
            return;
        }
        let mut frame = [0.0f64; MAX_CHANNELS];
        let mut frame_gains = [1.0f64; MAX_CHANNELS];
        for i in 0..len {
            for (c, x) in frame[..num_channels].iter_mut().enumerate() {
                *x = detector.get(c).map_or(0.0, |d| clean(d[i]));
            }
            let makeup = self.makeup.tick();
            self.frame_gains(&frame, num_channels, makeup, &mut frame_gains);
            for (c, g) in gains[..num_channels].iter_mut().enumerate() {
                g[i] = frame_gains[c];
            }
        }
    }

    /// Frames `start .. start + n` (`n` ≤ [`BLOCK`]) of `detector` into
    /// `scratch.detector`, sanitised if `SANITIZE`; a missing channel is
    /// silence.
    fn load_detector<const SANITIZE: bool>(
        &mut self,
        detector: &[&[f64]],
        num_channels: usize,
        start: usize,
        n: usize,
    ) {
        let clean = |x: f64| if SANITIZE { sanitize_f64(x) } else { x };
        for (c, d) in self.scratch.detector[..num_channels].iter_mut().enumerate() {
            match detector.get(c) {
                Some(x) => {
                    for (y, &x) in d[..n].iter_mut().zip(&x[start..start + n]) {
                        *y = clean(x);
                    }
                }
                None => d[..n].fill(0.0),
            }
        }
    }

    /// The gains [`Self::block_gains`] left in `scratch.detector` into
    /// frames `start .. start + n` of `gains`.
    fn store_gains(&self, gains: &mut [&mut [f64]], num_channels: usize, start: usize, n: usize) {
        for (g, d) in gains[..num_channels].iter_mut().zip(&self.scratch.detector) {
            g[start..start + n].copy_from_slice(&d[..n]);
        }
    }

    /// [`Self::compute_gains`] on each of `units` (`detectors[k]` into
    /// `gains[k]`), with the same gains and state, bit for bit, as calling
    /// it on each in turn. The ballistics are a serial recurrence per
    /// compressor; when every unit's run once per frame (linked, equal
    /// states: the usual case) they share one loop, so the `K` recurrences
    /// overlap instead of running one after another (the three bands of a
    /// multiband compressor). Any other case runs unit by unit. Never
    /// allocates.
    pub fn compute_gains_each<const K: usize>(
        units: &mut [Self; K],
        detectors: [&[&[f64]]; K],
        gains: [&mut [&mut [f64]]; K],
    ) {
        let len = gains.first().and_then(|g| g.first()).map_or(0, |g| g.len());
        let num_channels: [usize; K] =
            core::array::from_fn(|k| gains[k].len().min(units[k].channels.len()));
        let together = K > 0
            && units.iter().all(|u| {
                u.math == LevelMath::Fast
                    && u.settings.auto_release == units[0].settings.auto_release
            })
            && (0..K).all(|k| {
                num_channels[k] > 0 && gains[k][..num_channels[k]].iter().all(|g| g.len() == len)
            });
        if !together {
            for ((unit, detector), gains) in units.iter_mut().zip(detectors).zip(gains) {
                unit.compute_gains(detector, gains);
            }
            return;
        }
        for unit in units.iter_mut() {
            unit.last_reduction_db = 0.0;
            unit.running = true;
        }
        let mut start = 0;
        while start < len {
            let n = (len - start).min(BLOCK);
            let mut one_path = [false; K];
            for k in 0..K {
                let (unit, detector) = (&mut units[k], detectors[k]);
                one_path[k] = if unit.reads_linked_peak(detector, num_channels[k]) {
                    let linked = [
                        &detector[0][start..start + n],
                        &detector[1][start..start + n],
                    ];
                    unit.block_targets::<true>(num_channels[k], n, Some(linked))
                } else {
                    unit.load_detector::<true>(detector, num_channels[k], start, n);
                    unit.block_targets::<true>(num_channels[k], n, None)
                };
            }
            if one_path.iter().all(|&p| p) {
                Self::block_ballistics_together(units, n);
            } else {
                for k in 0..K {
                    units[k].block_ballistics(num_channels[k], one_path[k], n);
                }
            }
            for k in 0..K {
                units[k].block_output(num_channels[k], one_path[k], n);
                units[k].store_gains(gains[k], num_channels[k], start, n);
            }
            start += n;
        }
    }

    /// [`Self::block_ballistics`] with `one_path` for every unit (all with
    /// the same `auto_release`), frame by frame across the units: per unit
    /// the same steps on the same values, so the same bits.
    // Frame-major across the units' buffers: `i` indexes all of them.
    #[allow(clippy::needless_range_loop)]
    fn block_ballistics_together<const K: usize>(units: &mut [Self; K], n: usize) {
        let auto_release = units[0].settings.auto_release;
        let fast: [Ballistics; K] = core::array::from_fn(|k| units[k].ballistics);
        let slow: [Ballistics; K] = core::array::from_fn(|k| units[k].slow_ballistics);
        let mut value: [f64; K] = core::array::from_fn(|k| units[k].channels[0].reduction.value());
        let mut slow_value: [f64; K] =
            core::array::from_fn(|k| units[k].channels[0].reduction_slow.value());
        let mut largest: [f64; K] = core::array::from_fn(|k| units[k].last_reduction_db);
        let targets = units.each_mut().map(|u| &mut u.scratch.reduction[0]);
        if auto_release {
            for i in 0..n.min(BLOCK) {
                for k in 0..K {
                    let x = targets[k][i];
                    value[k] = branching_step(value[k], x, &fast[k]);
                    slow_value[k] = branching_step(slow_value[k], x, &slow[k]);
                    let r = larger(value[k], slow_value[k]);
                    targets[k][i] = r;
                    largest[k] = larger(largest[k], r);
                }
            }
        } else {
            for i in 0..n.min(BLOCK) {
                for k in 0..K {
                    value[k] = branching_step(value[k], targets[k][i], &fast[k]);
                    targets[k][i] = value[k];
                    largest[k] = larger(largest[k], value[k]);
                }
            }
        }
        for (k, unit) in units.iter_mut().enumerate() {
            let state = &mut unit.channels[0];
            state.reduction.set_value(value[k]);
            if auto_release {
                state.reduction_slow.set_value(slow_value[k]);
            }
            unit.last_reduction_db = largest[k];
        }
    }

    fn run(&mut self, channels: &mut [&mut [f64]], sidechain: Option<&[&[f64]]>) {
        sanitize_channels_f64(channels);
        self.last_reduction_db = 0.0;
        if self.is_bypassed() {
            if self.running {
                self.running = false;
                for ch in &mut self.channels {
                    *ch = ChannelState::default();
                }
            }
            return;
        }
        self.running = true;
        let num_channels = channels.len().min(self.channels.len());
        let len = channels.first().map_or(0, |c| c.len());
        if self.math == LevelMath::Fast {
            self.run_blocks(channels, sidechain, num_channels, len);
        } else {
            self.run_frames(channels, sidechain, num_channels, len);
        }
        if self.fade.is_off() {
            self.running = false;
            for ch in &mut self.channels {
                *ch = ChannelState::default();
            }
        }
    }

    /// The block path of [`Self::run`] ([`LevelMath::Fast`]): the gain of
    /// up to [`BLOCK`] frames at a time ([`Self::block_gains`]), then the
    /// mix.
    fn run_blocks(
        &mut self,
        channels: &mut [&mut [f64]],
        sidechain: Option<&[&[f64]]>,
        num_channels: usize,
        len: usize,
    ) {
        let mut start = 0;
        while start < len {
            let n = (len - start).min(BLOCK);
            for (c, d) in self.scratch.detector[..num_channels].iter_mut().enumerate() {
                let d = &mut d[..n];
                match sidechain {
                    None => d.copy_from_slice(&channels[c][start..start + n]),
                    Some(key) => match key.get(c) {
                        Some(k) => {
                            for (y, &x) in d.iter_mut().zip(&k[start..start + n]) {
                                *y = sanitize_f64(x);
                            }
                        }
                        None => d.fill(0.0),
                    },
                }
            }
            // Mix and fade: constant unless ramping (a settled smoother
            // returns its target without changing, so one step stands for
            // all of them).
            let constant_amount = if self.mix.is_smoothing() || self.fade.is_fading() {
                for a in &mut self.scratch.amount[..n] {
                    *a = self.mix.advance(1) * self.fade.step();
                }
                None
            } else {
                Some(self.mix.advance(1) * self.fade.step())
            };
            self.block_gains(num_channels, n);
            let scratch = &self.scratch;
            for (samples, gains) in channels[..num_channels].iter_mut().zip(&scratch.detector) {
                let samples = &mut samples[start..start + n];
                match constant_amount {
                    Some(amount) if amount == 1.0 => {
                        for (x, &g) in samples.iter_mut().zip(&gains[..n]) {
                            *x *= g;
                        }
                    }
                    Some(amount) => {
                        for (x, &g) in samples.iter_mut().zip(&gains[..n]) {
                            let wet = *x * g;
                            *x += amount * (wet - *x);
                        }
                    }
                    None => {
                        for ((x, &g), &amount) in samples
                            .iter_mut()
                            .zip(&gains[..n])
                            .zip(&scratch.amount[..n])
                        {
                            let wet = *x * g;
                            *x = if amount == 1.0 {
                                wet
                            } else {
                                *x + amount * (wet - *x)
                            };
                        }
                    }
                }
            }
            start += n;
        }
    }

    /// The block gain computer: from the side-chain of `n` ≤ [`BLOCK`]
    /// frames in `scratch.detector[c]`, writes each channel's linear gain
    /// (make-up included) over it, and raises `last_reduction_db`. Stage by
    /// stage over the block, so each stage is a tight loop: the side-chain
    /// high-pass as one two-lane cascade per channel pair (bit-identical to
    /// the per-sample filter); the level (|x| or the mean square); the link,
    /// dB ([`fast_amplitude_to_db`]) and the curve ([`FastCompressorCurve`],
    /// no division); the ballistics ([`branching_step`], branch-free); the
    /// gain (`fast_exp2`). With the stereo link at 1 every channel's level
    /// is the loudest one, so the curve runs once per frame, and while the
    /// channels' ballistics states are equal (always, once linked) they run
    /// once too and the result is copied: the same arithmetic on the same
    /// values, so the same bits as running it per channel.
    fn block_gains(&mut self, num_channels: usize, n: usize) {
        if num_channels == 0 || n == 0 {
            return;
        }
        let one_path = self.block_targets::<false>(num_channels, n, None);
        self.block_ballistics(num_channels, one_path, n);
        self.block_output(num_channels, one_path, n);
    }

    /// True if [`Self::block_targets`] may read `detector` itself
    /// (`linked`): two channels, fully linked peak detection, no side-chain
    /// high-pass.
    fn reads_linked_peak(&self, detector: &[&[f64]], num_channels: usize) -> bool {
        let s = &self.settings;
        num_channels == 2
            && detector.len() >= 2
            && s.stereo_link == 1.0
            && s.effective_rms_blend() == 0.0
            && !s.sidechain_hpf_enabled
    }

    /// Stages 1–3 of [`Self::block_gains`] (`num_channels`, `n` > 0): the
    /// make-up per frame and the curve's target reductions in
    /// `scratch.reduction`. Returns true if the ballistics run once, on
    /// channel 0's targets, for every channel (shared targets, equal states).
    /// The side-chain is `scratch.detector`, or with `linked` (only where
    /// [`Self::reads_linked_peak`]) the `n` frames of those two channels,
    /// sanitised if `SANITIZE`: then |x| and the link run as one pass
    /// straight from them, with no copy into the scratch first (the same
    /// values, so the same bits).
    fn block_targets<const SANITIZE: bool>(
        &mut self,
        num_channels: usize,
        n: usize,
        linked: Option<[&[f64]; 2]>,
    ) -> bool {
        let settings = self.settings;
        let Self {
            channels: states,
            scratch,
            sidechain_coefs,
            makeup,
            fast_curve,
            rms_coef,
            ..
        } = self;
        let states = &mut states[..num_channels];
        let levels = &mut scratch.detector[..num_channels];
        let reductions = &mut scratch.reduction[..num_channels];
        // Make-up per frame (a settled ramp is its target).
        if makeup.is_smoothing() {
            for m in &mut scratch.makeup[..n] {
                *m = makeup.tick();
            }
        } else {
            scratch.makeup[..n].fill(makeup.tick());
        }
        let shared = num_channels == 1 || settings.stereo_link == 1.0;
        let curve = *fast_curve;
        if let Some([left, right]) = linked {
            // 2 and 3 for the linked peak detector: the loudest |x|, then dB
            // and the curve.
            let clean = |x: f64| if SANITIZE { sanitize_f64(x) } else { x };
            let target = &mut reductions[0][..n];
            for ((t, &l), &r) in target.iter_mut().zip(&left[..n]).zip(&right[..n]) {
                *t = clean(l).abs().max(clean(r).abs());
            }
            for t in target.iter_mut() {
                *t = curve.reduction_db(fast_amplitude_to_db(*t));
            }
            return Self::share_targets(states, reductions, n);
        }
        // 1. Side-chain high-pass.
        if settings.sidechain_hpf_enabled {
            let sections = sidechain_coefs.active();
            let mut c = 0;
            while c + 1 < num_channels {
                let (first, second) = levels[c..].split_at_mut(1);
                let (s_first, s_second) = states[c..].split_at_mut(1);
                process_cascade_pair(
                    sections,
                    s_first[0].sidechain_hpf.sections_mut(),
                    s_second[0].sidechain_hpf.sections_mut(),
                    &mut first[0][..n],
                    &mut second[0][..n],
                );
                c += 2;
            }
            if c < num_channels {
                process_cascade_scalar(
                    sections,
                    states[c].sidechain_hpf.sections_mut(),
                    &mut levels[c][..n],
                );
            }
        }
        // 2. Level, in place: |x|, the RMS or their blend. With full link
        // and pure RMS the mean square itself (the square root of the
        // loudest is the loudest square root, bit for bit).
        let blend = settings.effective_rms_blend();
        let squared = shared && blend == 1.0;
        if blend == 0.0 {
            for d in levels.iter_mut() {
                for x in &mut d[..n] {
                    *x = x.abs();
                }
            }
        } else {
            let coef = *rms_coef;
            for (d, state) in levels.iter_mut().zip(states.iter_mut()) {
                let mut ms = state.mean_square.value();
                for x in &mut d[..n] {
                    ms = mean_square_step(ms, *x, coef);
                    *x = if squared {
                        ms
                    } else if blend == 1.0 {
                        ms.sqrt()
                    } else {
                        let peak = x.abs();
                        peak + blend * (ms.sqrt() - peak)
                    };
                }
                state.mean_square.set_value(ms);
            }
        }
        // 3. Link, dB and the curve: the target reduction.
        if shared {
            let target = &mut reductions[0];
            if let [left, right] = &levels[..] {
                // Two straight loops (the `squared` test hoisted out), so
                // each vectorises: the link, then dB and the curve.
                let (target, left, right) = (&mut target[..n], &left[..n], &right[..n]);
                if squared {
                    for ((t, &l), &r) in target.iter_mut().zip(left).zip(right) {
                        *t = l.max(r).sqrt();
                    }
                } else {
                    for ((t, &l), &r) in target.iter_mut().zip(left).zip(right) {
                        *t = l.max(r);
                    }
                }
                for t in target.iter_mut() {
                    *t = curve.reduction_db(fast_amplitude_to_db(*t));
                }
            } else {
                for (i, t) in target[..n].iter_mut().enumerate() {
                    let loudest = levels.iter().fold(0.0f64, |m, d| m.max(d[i]));
                    let loudest = if squared { loudest.sqrt() } else { loudest };
                    *t = curve.reduction_db(fast_amplitude_to_db(loudest));
                }
            }
        } else {
            let link = f64::from(settings.stereo_link);
            for i in 0..n {
                let loudest = levels.iter().fold(0.0f64, |m, d| m.max(d[i]));
                for (t, d) in reductions.iter_mut().zip(levels.iter()) {
                    let level = d[i] + link * (loudest - d[i]);
                    t[i] = curve.reduction_db(fast_amplitude_to_db(level));
                }
            }
        }
        if shared {
            Self::share_targets(states, reductions, n)
        } else {
            false
        }
    }

    /// Shared targets (in `reductions[0]`): true if every channel's
    /// ballistics state equals channel 0's, so they run once (stage 4);
    /// otherwise the targets are copied to every channel.
    fn share_targets(states: &[ChannelState], reductions: &mut [[f64; BLOCK]], n: usize) -> bool {
        let one_path = states.iter().all(|s| {
            s.reduction.value().to_bits() == states[0].reduction.value().to_bits()
                && s.reduction_slow.value().to_bits() == states[0].reduction_slow.value().to_bits()
        });
        if !one_path {
            let (first, rest) = reductions.split_at_mut(1);
            for r in rest {
                r[..n].copy_from_slice(&first[0][..n]);
            }
        }
        one_path
    }

    /// Stage 4 of [`Self::block_gains`]: the ballistics, in place on
    /// `scratch.reduction`, once (`one_path`) or per channel.
    fn block_ballistics(&mut self, num_channels: usize, one_path: bool, n: usize) {
        let settings = self.settings;
        let Self {
            channels: states,
            scratch,
            ballistics,
            slow_ballistics,
            last_reduction_db,
            ..
        } = self;
        let states = &mut states[..num_channels];
        let reductions = &mut scratch.reduction[..num_channels];
        let paths = if one_path { 1 } else { num_channels };
        let fast = *ballistics;
        let slow = *slow_ballistics;
        let mut largest = *last_reduction_db;
        for (r, state) in reductions[..paths].iter_mut().zip(states.iter_mut()) {
            let mut value = state.reduction.value();
            if settings.auto_release {
                let mut slow_value = state.reduction_slow.value();
                for x in &mut r[..n] {
                    value = branching_step(value, *x, &fast);
                    slow_value = branching_step(slow_value, *x, &slow);
                    *x = larger(value, slow_value);
                    largest = larger(largest, *x);
                }
                state.reduction_slow.set_value(slow_value);
            } else {
                for x in &mut r[..n] {
                    value = branching_step(value, *x, &fast);
                    *x = value;
                    largest = larger(largest, value);
                }
            }
            state.reduction.set_value(value);
        }
        *last_reduction_db = largest;
    }

    /// Stage 5 of [`Self::block_gains`]: the linear gains over
    /// `scratch.detector`, computed once and copied if `one_path`.
    fn block_output(&mut self, num_channels: usize, one_path: bool, n: usize) {
        let Self {
            channels: states,
            scratch,
            ..
        } = self;
        let states = &mut states[..num_channels];
        let levels = &mut scratch.detector[..num_channels];
        let reductions = &scratch.reduction[..num_channels];
        let paths = if one_path { 1 } else { num_channels };
        // 5. Gain: make-up × 10^(−reduction/20) (exactly 1 at 0 dB).
        for (g, r) in levels[..paths].iter_mut().zip(reductions.iter()) {
            for ((g, &r), &m) in g[..n].iter_mut().zip(&r[..n]).zip(&scratch.makeup[..n]) {
                *g = m * fast_exp2(-r * LOG2_PER_DB);
            }
        }
        if one_path {
            let (first, rest) = levels.split_at_mut(1);
            for g in rest {
                g[..n].copy_from_slice(&first[0][..n]);
            }
            let (first, rest) = states.split_at_mut(1);
            for s in rest {
                s.reduction = first[0].reduction;
                s.reduction_slow = first[0].reduction_slow;
            }
        }
    }

    /// The per-frame path of [`Self::run`] ([`LevelMath::Reference`]).
    fn run_frames(
        &mut self,
        channels: &mut [&mut [f64]],
        sidechain: Option<&[&[f64]]>,
        num_channels: usize,
        len: usize,
    ) {
        let mut frame = [0.0f64; MAX_CHANNELS];
        let mut gains = [1.0f64; MAX_CHANNELS];
        // Sample-major: the stereo link needs every channel's level first.
        for i in 0..len {
            for (c, x) in frame[..num_channels].iter_mut().enumerate() {
                *x = match sidechain {
                    None => channels[c][i],
                    Some(key) => key.get(c).map_or(0.0, |k| sanitize_f64(k[i])),
                };
            }
            let makeup = self.makeup.tick();
            let mix = self.mix.advance(1);
            let amount = mix * self.fade.step();
            self.frame_gains(&frame, num_channels, makeup, &mut gains);
            for (samples, &gain) in channels[..num_channels].iter_mut().zip(&gains) {
                let x = samples[i];
                let wet = x * gain;
                samples[i] = if amount == 1.0 {
                    wet
                } else {
                    x + amount * (wet - x)
                };
            }
        }
    }

    /// Detector → link → gain computer → ballistics for one frame of the
    /// side-chain; writes each channel's linear gain (make-up included).
    #[inline]
    fn frame_gains(
        &mut self,
        detector: &[f64; MAX_CHANNELS],
        num_channels: usize,
        makeup: f64,
        gains: &mut [f64; MAX_CHANNELS],
    ) {
        let link = f64::from(self.settings.stereo_link);
        let rms_blend = self.settings.effective_rms_blend();
        let max_reduction_db = f64::from(self.settings.max_reduction_db);
        let sidechain_hpf = self.settings.sidechain_hpf_enabled;
        let auto_release = self.settings.auto_release;
        let mut levels = [0.0f64; MAX_CHANNELS];
        let mut loudest = 0.0f64;
        for (c, state) in self.channels[..num_channels].iter_mut().enumerate() {
            let mut s = detector[c];
            if sidechain_hpf {
                s = state.sidechain_hpf.process(&self.sidechain_coefs, s);
            }
            let peak = s.abs();
            let level = if rms_blend == 0.0 {
                peak
            } else {
                let rms = state.mean_square.process(s, self.rms_coef).sqrt();
                if rms_blend == 1.0 {
                    rms
                } else {
                    peak + rms_blend * (rms - peak)
                }
            };
            levels[c] = level;
            loudest = loudest.max(level);
        }
        // Linked channels usually share their level and their reduction: the
        // curve (a log) and the gain (an exp) are pure functions, so a value
        // equal to the previous channel's reuses its result, bit for bit.
        let mut previous_target: Option<(f64, f64)> = None;
        let mut previous_gain: Option<(f64, f64)> = None;
        for (c, state) in self.channels[..num_channels].iter_mut().enumerate() {
            let level = levels[c] + link * (loudest - levels[c]);
            let target = match previous_target {
                Some((l, t)) if l == level => t,
                _ => {
                    let t = (-self.curve.gain_db(self.math.to_db(level))).min(max_reduction_db);
                    previous_target = Some((level, t));
                    t
                }
            };
            let mut reduction = state.reduction.process(target, &self.ballistics);
            if auto_release {
                reduction =
                    reduction.max(state.reduction_slow.process(target, &self.slow_ballistics));
            }
            self.last_reduction_db = self.last_reduction_db.max(reduction);
            gains[c] = match previous_gain {
                Some((r, g)) if r == reduction => g,
                _ => {
                    let reduction_gain = if reduction == 0.0 {
                        1.0
                    } else {
                        self.math.to_amplitude(-reduction)
                    };
                    let g = makeup * reduction_gain;
                    previous_gain = Some((reduction, g));
                    g
                }
            };
        }
    }
}
