//! Gate / downward expander with hold and hysteresis, linked across channels.
//!
//! ```text
//! level = max over channels of a peak-hold detector (dBFS)
//! state: Open  → (level < T − hysteresis for hold_ms) → Closed
//!        Closed → (level ≥ T)                          → Open
//! target gain: Open: 0 dB; Closed: ExpanderCurve (max(−range, (level − T)(R − 1)))
//! gain (dB) follows the target with attack (rising = opening) and
//! release (falling = closing) one-pole time constants
//! ```
//!
//! The detector holds each new peak for [`DETECTOR_HOLD_MS`] (one period of
//! 50 Hz, so steady tones read their peak without ripple) and then decays
//! with [`DETECTOR_RELEASE_MS`]; the gate therefore starts to close at the
//! earliest `DETECTOR_HOLD_MS + hold_ms` after the signal drops.
//! Time constants as defined in [`super::envelope`].

use super::gain_computer::ExpanderCurve;
use super::MAX_CHANNELS;
use crate::primitives::envelope::{one_pole_coef, Ballistics, BranchingSmoother, PeakHold};
use crate::primitives::level::{clamp_or, sanitize_channels_f64, sanitize_f64, LevelMath};
use crate::primitives::smoother::{Fade, Smoother};

/// Detector hold after each new peak, ms.
pub const DETECTOR_HOLD_MS: f64 = 20.0;
/// Detector release time constant after the hold, ms.
pub const DETECTOR_RELEASE_MS: f64 = 10.0;
/// On/off crossfade, ms.
pub const FADE_MS: f64 = 10.0;

/// Gate settings. Plain values; out-of-range values are clamped.
/// Threshold range, dBFS.
pub const THRESHOLD_RANGE_DB: (f32, f32) = (-90.0, 0.0);
/// Range (largest attenuation) range, dB.
pub const RANGE_RANGE_DB: (f32, f32) = (0.0, 90.0);
/// Expansion ratio range (∞ is also accepted: a gate).
pub const RATIO_RANGE: (f32, f32) = (1.0, 100.0);
/// Attack range, ms.
pub const ATTACK_RANGE_MS: (f32, f32) = (0.01, 100.0);
/// Hold range, ms.
pub const HOLD_RANGE_MS: (f32, f32) = (0.0, 2000.0);
/// Release range, ms.
pub const RELEASE_RANGE_MS: (f32, f32) = (1.0, 5000.0);
/// Hysteresis range, dB.
pub const HYSTERESIS_RANGE_DB: (f32, f32) = (0.0, 24.0);

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GateSettings {
    /// On/off (crossfaded).
    pub enabled: bool,
    /// Opening threshold T, dBFS, −90 ..= 0.
    pub threshold_db: f32,
    /// Largest attenuation when closed, dB, 0 ..= 90.
    pub range_db: f32,
    /// Expansion ratio below the threshold, 1 ..= 100, or `f32::INFINITY`
    /// for a hard gate (always `range_db` when closed).
    pub ratio: f32,
    /// Opening time constant, ms, 0.01 ..= 100.
    pub attack_ms: f32,
    /// Time the level must stay below `T − hysteresis` before closing, ms, 0 ..= 2000.
    pub hold_ms: f32,
    /// Closing time constant, ms, 1 ..= 5000.
    pub release_ms: f32,
    /// The gate closes only below `T − hysteresis_db`, dB, 0 ..= 24.
    pub hysteresis_db: f32,
}

impl Default for GateSettings {
    fn default() -> Self {
        Self {
            enabled: false,
            threshold_db: -50.0,
            range_db: 0.0,
            ratio: f32::INFINITY,
            attack_ms: 1.0,
            hold_ms: 20.0,
            release_ms: 100.0,
            hysteresis_db: 3.0,
        }
    }
}

impl GateSettings {
    /// Clamped to the documented ranges.
    pub fn sanitized(&self) -> Self {
        let d = Self::default();
        Self {
            enabled: self.enabled,
            threshold_db: clamp_or(self.threshold_db, THRESHOLD_RANGE_DB, d.threshold_db),
            range_db: clamp_or(self.range_db, RANGE_RANGE_DB, 0.0),
            ratio: if self.ratio == f32::INFINITY {
                f32::INFINITY
            } else {
                clamp_or(self.ratio, RATIO_RANGE, d.ratio)
            },
            attack_ms: clamp_or(self.attack_ms, ATTACK_RANGE_MS, d.attack_ms),
            hold_ms: clamp_or(self.hold_ms, HOLD_RANGE_MS, d.hold_ms),
            release_ms: clamp_or(self.release_ms, RELEASE_RANGE_MS, d.release_ms),
            hysteresis_db: clamp_or(self.hysteresis_db, HYSTERESIS_RANGE_DB, d.hysteresis_db),
        }
    }

    /// The static curve of the closed state.
    pub fn curve(&self) -> ExpanderCurve {
        ExpanderCurve {
            threshold_db: f64::from(self.threshold_db),
            ratio: f64::from(self.ratio),
            range_db: f64::from(self.range_db),
        }
    }

    /// True if the gate cannot change the signal.
    pub fn is_neutral(&self) -> bool {
        !self.enabled || self.curve().is_identity()
    }
}

/// Gate over up to [`MAX_CHANNELS`] channels (one linked gain, f64 in place).
#[derive(Debug, Clone)]
pub struct Gate {
    sample_rate: f64,
    settings: GateSettings,
    curve: ExpanderCurve,
    ballistics: Ballistics,
    detector_release_coef: f64,
    detector_hold_samples: u32,
    hold_samples: u32,
    detectors: Vec<PeakHold>,
    gain_db: BranchingSmoother,
    open: bool,
    /// Samples the level has been below the closing threshold.
    below_for: u32,
    fade: Fade,
    running: bool,
    /// dB conversions of the gain computer (fast unless a test asks).
    math: LevelMath,
    /// The last conversion of the detected level: (level, dB). The peak
    /// detector holds its value for [`DETECTOR_HOLD_MS`] after each peak,
    /// so consecutive frames often read the same level; the conversion is a
    /// pure function, so reusing it gives the same bits.
    last_level: (f64, f64),
    /// The last dB → linear conversion of the gain: (dB, linear).
    last_gain: (f64, f64),
}

impl Gate {
    /// A gate (off) for up to `num_channels` (≤ [`MAX_CHANNELS`]). Allocates.
    ///
    /// # Panics
    /// If `num_channels` > [`MAX_CHANNELS`].
    pub fn new(sample_rate: f64, num_channels: usize) -> Self {
        assert!(
            num_channels <= MAX_CHANNELS,
            "at most {MAX_CHANNELS} channels"
        );
        let settings = GateSettings::default();
        let mut g = Self {
            sample_rate,
            settings,
            curve: settings.curve(),
            ballistics: Ballistics::default(),
            detector_release_coef: 0.0,
            detector_hold_samples: 0,
            hold_samples: 0,
            detectors: vec![PeakHold::default(); num_channels],
            gain_db: BranchingSmoother::default(),
            open: true,
            below_for: 0,
            fade: Fade::new(false, 1),
            running: false,
            math: LevelMath::Fast,
            last_level: (f64::NAN, 0.0),
            last_gain: (0.0, 1.0),
        };
        g.set_sample_rate(sample_rate);
        g
    }

    /// Changes the sample rate (Hz). Never allocates.
    pub fn set_sample_rate(&mut self, sample_rate: f64) {
        self.sample_rate = sample_rate;
        self.fade
            .set_fade_samples(Smoother::samples_for_ms(FADE_MS, sample_rate));
        self.detector_release_coef = one_pole_coef(DETECTOR_RELEASE_MS, sample_rate);
        self.detector_hold_samples = (DETECTOR_HOLD_MS * 1e-3 * sample_rate).round() as u32;
        self.update_coefs();
        self.reset();
    }

    /// Clears: open, 0 dB gain. Never allocates.
    pub fn reset(&mut self) {
        self.detectors.iter_mut().for_each(PeakHold::reset);
        self.gain_db.set_value(0.0);
        self.open = true;
        self.below_for = 0;
        self.fade.reset_to(self.settings.enabled);
        self.running = false;
    }

    fn update_coefs(&mut self) {
        let s = &self.settings;
        self.curve = s.curve();
        self.ballistics = Ballistics::new(
            f64::from(s.attack_ms),
            f64::from(s.release_ms),
            self.sample_rate,
        );
        self.hold_samples = (f64::from(s.hold_ms) * 1e-3 * self.sample_rate).round() as u32;
    }

    /// True if exact zeros in give exact zeros out and change nothing that
    /// [`Self::skip_frames`] does not reproduce: off (and already cleared),
    /// or closed with every detector at zero (its hold re-armed, as a zero
    /// input leaves it) and no fade running; the gain may still be moving
    /// towards the closed curve's value for silence.
    pub fn is_at_rest(&self) -> bool {
        if self.is_bypassed() {
            return !self.running;
        }
        !self.fade.is_fading()
            && !self.open
            && self
                .detectors
                .iter()
                .all(|d| d.value() == 0.0 && d.hold_left() == self.detector_hold_samples)
    }

    /// What [`Self::process`] does to the state on `frames` of silence
    /// while [`Self::is_at_rest`]: the gain's ballistics step towards the
    /// closed curve's value for silence (one multiply-add a frame; the
    /// output, zero whatever the gain, is not computed). Never allocates.
    pub fn skip_frames(&mut self, frames: usize) {
        if self.is_bypassed() {
            return;
        }
        let silent_target = self.curve.gain_db(self.math.to_db(0.0));
        for _ in 0..frames {
            self.gain_db.process(silent_target, &self.ballistics);
        }
    }

    /// Chooses the gain computer's dB conversions: [`LevelMath::Fast`]
    /// (default) or the library reference, for tests that bound the
    /// difference.
    pub fn set_level_math(&mut self, math: LevelMath) {
        self.math = math;
        self.last_level = (f64::NAN, 0.0);
        self.last_gain = (0.0, 1.0);
    }

    /// `self.math.to_db(level)`, reusing the last conversion when the level
    /// is the same (see `last_level`).
    #[inline]
    fn level_to_db(&mut self, level: f64) -> f64 {
        if level.to_bits() != self.last_level.0.to_bits() {
            self.last_level = (level, self.math.to_db(level));
        }
        self.last_level.1
    }

    /// `self.math.to_amplitude(gain_db)`, reusing the last conversion.
    #[inline]
    fn gain_to_amplitude(&mut self, gain_db: f64) -> f64 {
        if gain_db.to_bits() != self.last_gain.0.to_bits() {
            self.last_gain = (gain_db, self.math.to_amplitude(gain_db));
        }
        self.last_gain.1
    }

    /// Applies new settings (on/off crossfades, the rest at once; the gain
    /// moves with the ballistics).
    pub fn set_settings(&mut self, settings: &GateSettings) {
        let new = settings.sanitized();
        if new == self.settings {
            return;
        }
        self.settings = new;
        self.update_coefs();
        self.fade.set_on(new.enabled);
    }

    /// True while the gate is open (or was never closed).
    pub fn is_open(&self) -> bool {
        self.open
    }

    /// Current gate gain, dB (−range ..= 0).
    pub fn gain_db(&self) -> f64 {
        self.gain_db.value()
    }

    /// True if processing is skipped (output = input, bit exact).
    pub fn is_bypassed(&self) -> bool {
        self.fade.is_off() || (self.curve.is_identity() && self.gain_db.value() == 0.0)
    }

    /// Gates `channels` in place, detecting on the channels themselves.
    /// Never allocates.
    pub fn process(&mut self, channels: &mut [&mut [f64]]) {
        self.run(channels, None);
    }

    /// Gates `channels` in place with the level detected on `sidechain`
    /// (a key input; missing channels are silence). Never allocates.
    pub fn process_sidechain(&mut self, channels: &mut [&mut [f64]], sidechain: &[&[f64]]) {
        self.run(channels, Some(sidechain));
    }

    /// The gain signal alone: the linked gate gain (linear, ≤ 1) for each
    /// frame of `detector` into `gains[i]`, without the on/off fade.
    /// Applying it is the caller's job. Never allocates.
    pub fn compute_gains(&mut self, detector: &[&[f64]], gains: &mut [f64]) {
        self.running = true;
        let num_channels = detector.len().min(self.detectors.len());
        for (i, gain) in gains.iter_mut().enumerate() {
            let mut frame = [0.0f64; MAX_CHANNELS];
            for (c, x) in frame[..num_channels].iter_mut().enumerate() {
                *x = sanitize_f64(detector[c][i]);
            }
            let gain_db = self.frame_gain_db(&frame, num_channels);
            *gain = self.gain_to_amplitude(gain_db);
        }
    }

    fn run(&mut self, channels: &mut [&mut [f64]], sidechain: Option<&[&[f64]]>) {
        sanitize_channels_f64(channels);
        if self.is_bypassed() {
            if self.running {
                self.running = false;
                self.detectors.iter_mut().for_each(PeakHold::reset);
                self.gain_db.set_value(0.0);
                self.open = true;
                self.below_for = 0;
            }
            return;
        }
        self.running = true;
        let num_channels = channels.len().min(self.detectors.len());
        let len = channels.first().map_or(0, |c| c.len());
        let mut frame = [0.0f64; MAX_CHANNELS];
        for i in 0..len {
            for (c, x) in frame[..num_channels].iter_mut().enumerate() {
                *x = match sidechain {
                    None => channels[c][i],
                    Some(key) => key.get(c).map_or(0.0, |k| sanitize_f64(k[i])),
                };
            }
            let gain_db = self.frame_gain_db(&frame, num_channels);
            let amount = self.fade.step();
            let gain = 1.0 + amount * (self.gain_to_amplitude(gain_db) - 1.0);
            for samples in channels[..num_channels].iter_mut() {
                samples[i] *= gain;
            }
        }
        if self.fade.is_off() {
            self.running = false;
            self.detectors.iter_mut().for_each(PeakHold::reset);
            self.gain_db.set_value(0.0);
        }
    }

    /// Detector → open/close state with hysteresis and hold → expander
    /// curve → ballistics, for one frame of the side-chain; the gate gain, dB.
    #[inline]
    fn frame_gain_db(&mut self, detector: &[f64; MAX_CHANNELS], num_channels: usize) -> f64 {
        let open_db = self.curve.threshold_db;
        let close_db = open_db - f64::from(self.settings.hysteresis_db);
        let mut loudest = 0.0f64;
        for (det, x) in self.detectors[..num_channels].iter_mut().zip(detector) {
            let level = det.process(
                x.abs(),
                self.detector_hold_samples,
                self.detector_release_coef,
            );
            loudest = loudest.max(level);
        }
        let level_db = self.level_to_db(loudest);
        if level_db >= open_db {
            self.open = true;
            self.below_for = 0;
        } else if self.open && level_db < close_db {
            self.below_for += 1;
            if self.below_for > self.hold_samples {
                self.open = false;
            }
        } else if self.open {
            self.below_for = 0;
        }
        let target = if self.open {
            0.0
        } else {
            self.curve.gain_db(level_db)
        };
        self.gain_db.process(target, &self.ballistics)
    }
}
