//! The Maximizer's processor: input gain → look-ahead true-peak limiter →
//! listening aids → dither. One type the plugin and `lathe master` both run,
//! so they cannot drift.
//!
//! # Signal flow (per frame)
//! 1. Sanitize: non-finite input → 0, subnormal → 0, |x| ≤ [`MAX_INPUT_ABS`].
//! 2. Input gain (smoothed, log-linear ramp of [`GAIN_RAMP_MS`]).
//! 3. [`TruePeakLimiter`] computes a gain from the gained input; the gained
//!    input, delayed by [`Maximizer::latency_samples`] ([`DelayLine`]), is
//!    multiplied by it. The limiter's threshold is the ceiling (smoothed)
//!    minus a safety margin ([`SAFETY_MARGIN_X4_DB`], [`SAFETY_MARGIN_X8_DB`])
//!    minus the dither's worst-case contribution when dither is on.
//!    The limited signal then passes the true-peak guard
//!    ([`crate::units::limiter_guard`]), which limits it once more against
//!    its own true peak (as the suite's meter and an accurate reference read
//!    it) and adds its latency.
//! 4. Listen: output / level-matched bypass / delta, crossfaded over
//!    [`LISTEN_CROSSFADE_MS`] on a change.
//! 5. Dither ([`Requantizer`]), then monitor gain (smoothed), then
//!    subnormals flushed.
//!
//! # The monitor path never exceeds the ceiling
//! Whenever something other than the plain limited output is heard — level-
//! matched bypass, delta, or the plain output with a monitor gain above
//! 0 dB — that signal is formed *before* the true-peak guard, from the
//! limiter's output, the latency-aligned dry input and the gained input (all
//! aligned with each other), monitor gain included, and passed through a
//! second [`TruePeakGuard`] (the monitor guard) at the main guard's
//! threshold. Both guards have the same latency, so the monitor path lines up
//! with the main path sample for sample and the latency never changes; the
//! path of each frame and the weight of the main guard's output in it travel
//! through the main guard with the audio. A crossfade between the plain
//! output and another mode mixes the two guards' outputs (each under the
//! threshold, so their mix is too, and the main path stays continuous); a
//! crossfade between two other modes is mixed before the monitor guard.
//! Dither follows (its headroom is in the threshold). The monitor guard only
//! runs while its output is (or was, within its latency) heard.
//!
//! Level-matched bypass is a *capped* gain, not a limiter: when the monitor
//! guard has to reduce the level-matched dry signal, the level-match gain is
//! capped at what that peak allowed ([`Maximizer::level_match_cap_db`]), so
//! the comparison soon becomes the exact dry signal at a constant (lower)
//! gain again. The cap only falls; it is lifted by [`Maximizer::reset`],
//! [`Maximizer::reset_meters`] and a change of the limiter threshold
//! (ceiling, dither). While the cap does
//! not bite, the bypass is the dry input × the level-match gain, bit for bit.
//! Delta is what the limiter (before the guard) removes, guarded the same way.
//!
//! With no gain reduction, dither off and all gains at 0 dB, the output is
//! the input delayed by exactly [`Maximizer::latency_samples`], bit for bit
//! (every gain is exactly 1.0f32 — see [`crate::units::limiter`]).
//!
//! # Smoothing and latency changes
//! Input gain, ceiling, level-match and monitor gains ramp (no zipper);
//! character, release, auto-release and stereo link switch at once (they
//! only shape a gain envelope). A change of look-ahead or oversampling
//! changes the structure: delay lines and the limiter are cleared, so the
//! next [`Maximizer::latency_samples`] output samples are silence — the host
//! must be told the new latency anyway.
//!
//! The oversampling setting selects the detector's grid (4× or 8×, see
//! [`crate::units::limiter`]); both have the same latency.

/// Limiter character.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Character {
    /// Smooth gain changes, minimal distortion.
    #[default]
    Transparent,
    /// Faster release on transients, keeps more punch and density.
    Punchy,
}

/// True-peak detection oversampling.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Oversampling {
    #[default]
    X4,
    X8,
}

/// Output requantization.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DitherMode {
    #[default]
    Off,
    /// Triangular-PDF dither, ±1 LSB.
    Tpdf,
    /// TPDF dither with error-feedback noise shaping.
    NoiseShaped,
}

/// What the output carries (listening aids).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Listen {
    /// The limited output.
    #[default]
    Output,
    /// The input, latency-aligned, scaled by `level_match_gain_db` (honest A/B).
    LevelMatchedBypass,
    /// Only what the limiter removes: gained input minus the limiter's output
    /// (before the true-peak guard), latency-aligned.
    Delta,
}

/// Every user setting of the processor. Plain values; ranges in the docs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MaximizerSettings {
    /// Gain before the limiter, dB, −12..=+24.
    pub input_gain_db: f32,
    /// Output true-peak ceiling, dBTP, −3.0..=−0.1.
    pub ceiling_dbtp: f32,
    /// Release time, ms, 1..=1000.
    pub release_ms: f32,
    /// Program-dependent release (uses `release_ms` as its slowest setting).
    pub auto_release: bool,
    /// Look-ahead, ms, 0.5..=5.0. Changes the latency.
    pub lookahead_ms: f32,
    /// Stereo link, 0.0 (independent) ..= 1.0 (fully linked).
    pub stereo_link: f32,
    pub character: Character,
    /// Changes the latency.
    pub oversampling: Oversampling,
    pub dither: DitherMode,
    /// Dither target word length: 16, 20 or 24 bits.
    pub dither_bits: u32,
    pub listen: Listen,
    /// Gain for [`Listen::LevelMatchedBypass`], dB.
    pub level_match_gain_db: f32,
    /// Gain applied after everything else (platform-normalisation preview), dB, ≤ 0 typically.
    pub monitor_gain_db: f32,
}

impl Default for MaximizerSettings {
    fn default() -> Self {
        Self {
            input_gain_db: 0.0,
            ceiling_dbtp: -1.0,
            release_ms: 100.0,
            auto_release: true,
            lookahead_ms: 1.5,
            stereo_link: 1.0,
            character: Character::Transparent,
            oversampling: Oversampling::X4,
            dither: DitherMode::Off,
            dither_bits: 24,
            listen: Listen::Output,
            level_match_gain_db: 0.0,
            monitor_gain_db: 0.0,
        }
    }
}

/// Gain ramp time of input gain, ceiling, level-match and monitor gains, ms.
pub const GAIN_RAMP_MS: f64 = 20.0;
/// Listen-mode crossfade, ms.
pub const LISTEN_CROSSFADE_MS: f64 = 10.0;
/// Look-ahead range, ms.
pub const LOOKAHEAD_RANGE_MS: (f32, f32) = (0.5, 5.0);
/// Ceiling range, dBTP.
pub const CEILING_RANGE_DBTP: (f32, f32) = (-3.0, -0.1);
/// Input gain range, dB.
pub const INPUT_GAIN_RANGE_DB: (f32, f32) = (-12.0, 24.0);
/// Release range, ms.
pub const RELEASE_RANGE_MS: (f32, f32) = (1.0, 1000.0);
/// Level-match and monitor gain range, dB.
pub const AUX_GAIN_RANGE_DB: (f32, f32) = (-60.0, 24.0);
/// Largest input magnitude accepted (hostile input is clamped), linear.
/// With +24 dB input gain the limiter must reduce by up to 144 dB, inside
/// [`crate::units::limiter::MIN_GAIN_DB`].
pub const MAX_INPUT_ABS: f32 = 1.0e6;
/// Threshold below the ceiling with 4× detection, dB: covers the 4× grid's
/// residual error after parabolic refinement (≤ 0.074 dB at Nyquist,
/// ≤ 0.05 dB up to 0.45·fs) and the spreading of fast gain changes.
pub const SAFETY_MARGIN_X4_DB: f32 = 0.06;
/// Threshold below the ceiling with 8× detection, dB (grid error ≤ 0.005 dB).
pub const SAFETY_MARGIN_X8_DB: f32 = 0.03;
/// Headroom reserved for the dither's own (inter-sample) peaks, in units of
/// its worst-case sample deviation [`crate::units::dither::max_error_lsb`].
pub const DITHER_HEADROOM_FACTOR: f64 = 2.0;
/// Channels supported: a stereo pair.
pub use crate::primitives::channels::STEREO as MAX_CHANNELS;

pub mod learn;

use crate::primitives::delay::DelayLine;
use crate::primitives::level::{clamp_or, db_to_gain, flush_subnormal, sanitize_clamped};
use crate::primitives::smoother::{Fade, Smoother};
use crate::units::dither::{DitherShape, Requantizer};
use crate::units::limiter::{DetectorFactor, LimiterCharacter, LimiterSettings, TruePeakLimiter};
use crate::units::limiter_guard::{TruePeakGuard, GUARD_MARGIN_DB};
/// Signals the guard keeps aligned with the limited one: dry input, limiter
/// gain reduction `1 − g`, and the frame's route ([`MonitorPath::route`]).
const GUARD_ALIGNED_SIGNALS: usize = 3;
/// Signals the monitor guard keeps aligned with the monitor mix: the
/// level-match gain applied to the frame (linear).
const MONITOR_ALIGNED_SIGNALS: usize = 1;

/// Which path an output frame comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum MonitorPath {
    /// The main guard's output (plain limited output, monitor gain ≤ 0 dB).
    Main,
    /// The monitor guard's output, crossfaded with the main guard's.
    Monitor,
    /// The monitor guard's output, and the frame is level-matched bypass
    /// only (no crossfade, monitor gain ≤ 0 dB): its guard gain caps the
    /// level-match gain.
    MonitorBypass,
}

/// [`MonitorPath::route`] of a [`MonitorPath::MonitorBypass`] frame.
const BYPASS_ROUTE: f32 = -1.0;

impl MonitorPath {
    /// The route of a frame as one `f32` that travels through the main guard
    /// with the audio: the weight of the main guard's output in it (1.0 on
    /// the main path, 0 ≤ w < 1 on the monitor path), or [`BYPASS_ROUTE`].
    fn route(self, main_weight: f32) -> f32 {
        match self {
            Self::Main => 1.0,
            Self::Monitor => main_weight,
            Self::MonitorBypass => BYPASS_ROUTE,
        }
    }

    /// The path and main-guard weight of a `route`.
    fn from_route(route: f32) -> (Self, f32) {
        if route >= 1.0 {
            (Self::Main, 1.0)
        } else if route < 0.0 {
            (Self::MonitorBypass, 0.0)
        } else {
            (Self::Monitor, route)
        }
    }
}
use crate::units::loudness::targets::LoudnessTarget;
use crate::units::loudness::{LoudnessMeter, LoudnessReadings};

/// The Maximizer processor (1 or 2 channels).
pub struct Maximizer {
    sample_rate: f64,
    num_channels: usize,
    /// Sanitized copy of the last settings.
    settings: MaximizerSettings,
    limiter: TruePeakLimiter,
    /// Second limiting stage on the limiter's output ([`TruePeakGuard`]).
    guard: TruePeakGuard,
    /// Guard threshold ÷ limiter threshold (linear, ≥ 1).
    guard_ratio: f32,
    /// Guard for the monitor path (see the module docs); same latency as
    /// `guard`.
    monitor_guard: TruePeakGuard,
    /// Frames the monitor guard must still be fed after the current chunk
    /// (0: idle; it is reset before it runs again).
    monitor_tail: usize,
    /// Cap on the level-match gain (linear; +∞ = none), see the module docs.
    level_match_cap: f32,
    /// Raw (un-gained) input, latency-aligned, per channel.
    dry_delays: Box<[DelayLine]>,
    /// The input gain that went with each delayed sample.
    gain_delay: DelayLine,
    input_gain: Smoother,
    threshold: Smoother,
    level_match_gain: Smoother,
    monitor_gain: Smoother,
    requantizer: Requantizer,
    /// Listen mode being faded out, and how much of it is still heard
    /// (1 → 0 over [`LISTEN_CROSSFADE_MS`] after a change).
    previous_listen: Listen,
    listen_fade: Fade,
    /// Smoothers jump to their targets at the next `set_settings` (after
    /// `new`/`reset`/`set_sample_rate`, before audio).
    settle_next: bool,
    gain_reduction_db: f32,
    /// Plugin bypass: 0.0 = processing, 1.0 = latency-aligned dry input.
    /// A linear crossfade (not a gain smoother: it must reach exactly 0).
    bypass_mix: Smoother,
    /// Loudness of the raw input (before input gain).
    input_meter: LoudnessMeter,
    /// Loudness of the limited master (after dither, before listening aids
    /// and monitor gain), so the meters read the master whatever is heard.
    output_meter: LoudnessMeter,
    block_stats: BlockStats,
    /// Samples per waveform column at the current rate (≥ 1).
    column_samples: usize,
    /// Samples into the current column.
    column_pos: usize,
    /// The column being accumulated.
    column: WaveformColumn,
}

/// Length of one column of the waveform display, s.
pub const WAVEFORM_COLUMN_S: f64 = 0.02;

/// One column of the waveform display: what happened during
/// [`WAVEFORM_COLUMN_S`] of audio.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct WaveformColumn {
    /// Largest |input| sample (raw input, before input gain), linear.
    pub input_peak: f32,
    /// Largest |output| sample as delivered, linear.
    pub output_peak: f32,
    /// Largest gain reduction, dB (≥ 0).
    pub gain_reduction_db: f32,
}

/// Peaks of the last `process` call, linear (for waveform displays).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct BlockStats {
    /// Largest |input| sample (raw input, before input gain).
    pub input_peak: f32,
    /// Largest |output| sample as delivered.
    pub output_peak: f32,
}

/// Frames processed between meter updates (stack scratch size).
const METER_CHUNK: usize = 64;

/// Per-frame values of one chunk of [`Maximizer::process`], handed from its
/// first pass (smoothers, input) to its second (gain, output), with the
/// limiter's true-peak detection run over the whole chunk in between.
struct ChunkScratch {
    /// Smoothed threshold (linear), level-match, monitor gains and bypass mix.
    threshold: [f32; METER_CHUNK],
    level_match: [f32; METER_CHUNK],
    monitor: [f32; METER_CHUNK],
    bypass: [f32; METER_CHUNK],
    /// The input gain that went with each latency-aligned dry sample.
    delayed_gain: [f32; METER_CHUNK],
    /// Gained input (detector input) and latency-aligned dry input.
    gained: [[f32; METER_CHUNK]; MAX_CHANNELS],
    dry: [[f32; METER_CHUNK]; MAX_CHANNELS],
    /// Detected true peaks of the gained input, linear.
    peaks: [[f32; METER_CHUNK]; MAX_CHANNELS],
    /// Limiter output (input to the guard), and the limiter's reduction
    /// `1 − g` per channel.
    limited: [[f32; METER_CHUNK]; MAX_CHANNELS],
    reduction: [[f32; METER_CHUNK]; MAX_CHANNELS],
    /// The guard's detected true peaks of `limited`, linear.
    guard_peaks: [[f32; METER_CHUNK]; MAX_CHANNELS],
    /// [`MonitorPath::route`] of each frame.
    route: [f32; METER_CHUNK],
    /// The heard mix of a monitor-path frame (input to the monitor guard),
    /// and the monitor guard's detected true peaks of it, linear.
    monitor_mix: [[f32; METER_CHUNK]; MAX_CHANNELS],
    monitor_peaks: [[f32; METER_CHUNK]; MAX_CHANNELS],
}

impl Default for ChunkScratch {
    fn default() -> Self {
        Self {
            threshold: [0.0; METER_CHUNK],
            level_match: [0.0; METER_CHUNK],
            monitor: [0.0; METER_CHUNK],
            bypass: [0.0; METER_CHUNK],
            delayed_gain: [0.0; METER_CHUNK],
            gained: [[0.0; METER_CHUNK]; MAX_CHANNELS],
            dry: [[0.0; METER_CHUNK]; MAX_CHANNELS],
            peaks: [[0.0; METER_CHUNK]; MAX_CHANNELS],
            limited: [[0.0; METER_CHUNK]; MAX_CHANNELS],
            reduction: [[0.0; METER_CHUNK]; MAX_CHANNELS],
            guard_peaks: [[0.0; METER_CHUNK]; MAX_CHANNELS],
            route: [0.0; METER_CHUNK],
            monitor_mix: [[0.0; METER_CHUNK]; MAX_CHANNELS],
            monitor_peaks: [[0.0; METER_CHUNK]; MAX_CHANNELS],
        }
    }
}

impl Maximizer {
    /// Creates a processor for `num_channels` (1 or 2) at `sample_rate` Hz. Allocates
    /// for the largest look-ahead and oversampling, so settings never allocate.
    ///
    /// # Panics
    /// If `num_channels` is not 1 or 2, or `sample_rate` is not positive.
    pub fn new(sample_rate: f64, num_channels: usize) -> Self {
        assert!(
            (1..=MAX_CHANNELS).contains(&num_channels),
            "Maximizer supports 1..={MAX_CHANNELS} channels"
        );
        let defaults = MaximizerSettings::default();
        let mut maximizer = Self {
            sample_rate,
            num_channels,
            settings: defaults,
            limiter: TruePeakLimiter::new(48_000.0, num_channels, 1),
            guard: TruePeakGuard::new(48_000.0, num_channels, GUARD_ALIGNED_SIGNALS),
            guard_ratio: 1.0,
            monitor_guard: TruePeakGuard::new(48_000.0, num_channels, MONITOR_ALIGNED_SIGNALS),
            monitor_tail: 0,
            level_match_cap: f32::INFINITY,
            dry_delays: Box::new([]),
            gain_delay: DelayLine::new(0),
            input_gain: Smoother::multiplicative(1.0, 1),
            threshold: Smoother::multiplicative(1.0, 1),
            level_match_gain: Smoother::multiplicative(1.0, 1),
            monitor_gain: Smoother::multiplicative(1.0, 1),
            requantizer: Requantizer::new(DitherShape::Tpdf, defaults.dither_bits),
            previous_listen: defaults.listen,
            listen_fade: Fade::new(false, 1),
            settle_next: true,
            gain_reduction_db: 0.0,
            bypass_mix: Smoother::linear(0.0, 1),
            input_meter: LoudnessMeter::new(sample_rate, num_channels),
            output_meter: LoudnessMeter::with_limiter_true_peak(
                sample_rate,
                num_channels,
                DetectorFactor::X4,
            ),
            block_stats: BlockStats::default(),
            column_samples: 1,
            column_pos: 0,
            column: WaveformColumn::default(),
        };
        maximizer.set_sample_rate(sample_rate);
        maximizer
    }

    /// Re-derives everything rate-dependent and resets. May allocate.
    ///
    /// # Panics
    /// If `sample_rate` is not positive and finite.
    pub fn set_sample_rate(&mut self, sample_rate: f64) {
        assert!(
            sample_rate.is_finite() && sample_rate > 0.0,
            "sample rate must be positive"
        );
        self.sample_rate = sample_rate;
        let max_lookahead = Self::lookahead_samples_for(LOOKAHEAD_RANGE_MS.1, sample_rate);
        self.limiter = TruePeakLimiter::new(sample_rate, self.num_channels, max_lookahead);
        self.guard = TruePeakGuard::new(sample_rate, self.num_channels, GUARD_ALIGNED_SIGNALS);
        self.monitor_guard =
            TruePeakGuard::new(sample_rate, self.num_channels, MONITOR_ALIGNED_SIGNALS);
        let max_latency = TruePeakLimiter::latency_for(max_lookahead);
        self.dry_delays = (0..self.num_channels)
            .map(|_| DelayLine::new(max_latency))
            .collect();
        self.gain_delay = DelayLine::new(max_latency);
        let ramp = Smoother::samples_for_ms(GAIN_RAMP_MS, sample_rate);
        for s in self.gain_smoothers() {
            s.set_ramp_samples(ramp);
        }
        let crossfade = Smoother::samples_for_ms(LISTEN_CROSSFADE_MS, sample_rate);
        self.listen_fade.set_fade_samples(crossfade);
        self.bypass_mix.set_ramp_samples(crossfade);
        self.input_meter.set_sample_rate(sample_rate);
        self.output_meter.set_sample_rate(sample_rate);
        self.column_samples = ((sample_rate * WAVEFORM_COLUMN_S).round() as usize).max(1);
        // Force the structural settings through to the new limiter.
        let settings = self.settings;
        self.apply_limiter_settings(&settings);
        self.reset();
        self.apply_settings(&settings);
    }

    /// The four gain smoothers (input gain, threshold, level match, monitor),
    /// which are ramped, settled and re-timed together.
    fn gain_smoothers(&mut self) -> [&mut Smoother; 4] {
        [
            &mut self.input_gain,
            &mut self.threshold,
            &mut self.level_match_gain,
            &mut self.monitor_gain,
        ]
    }

    /// Look-ahead in samples for `lookahead_ms` at `sample_rate` Hz (rounded, ≥ 1).
    pub fn lookahead_samples_for(lookahead_ms: f32, sample_rate: f64) -> usize {
        ((f64::from(lookahead_ms) * 1e-3 * sample_rate).round() as usize).max(1)
    }

    /// Clears all state (delay lines, envelopes, dither). Never allocates.
    pub fn reset(&mut self) {
        self.limiter.reset();
        self.guard.reset();
        self.monitor_guard.reset();
        self.monitor_tail = 0;
        self.level_match_cap = f32::INFINITY;
        self.dry_delays.iter_mut().for_each(DelayLine::reset);
        self.gain_delay.reset();
        self.requantizer.reset();
        for s in self.gain_smoothers() {
            s.settle();
        }
        self.previous_listen = self.settings.listen;
        self.listen_fade.reset_to(false);
        self.settle_next = true;
        self.gain_reduction_db = 0.0;
        self.bypass_mix.settle();
        self.block_stats = BlockStats::default();
        self.column_pos = 0;
        self.column = WaveformColumn::default();
        self.reset_meters();
    }

    /// Restarts the input and output loudness measurement, and lifts the
    /// level-match cap (the level match is measured anew). Never allocates.
    pub fn reset_meters(&mut self) {
        self.input_meter.reset();
        self.output_meter.reset();
        if self.level_match_cap.is_finite() {
            self.level_match_cap = f32::INFINITY;
            self.retarget_level_match();
        }
    }

    /// Loudness of the raw input since the last meter reset.
    pub fn input_readings(&self) -> LoudnessReadings {
        self.input_meter.readings()
    }

    /// Loudness of the limited master since the last meter reset.
    pub fn output_readings(&self) -> LoudnessReadings {
        self.output_meter.readings()
    }

    /// Peaks of the last `process` call.
    pub fn block_stats(&self) -> BlockStats {
        self.block_stats
    }

    /// Level-matched bypass gain from the processor's own meters, dB: the
    /// output's integrated loudness minus the input's (0 until both are
    /// measured). Feed it back as `level_match_gain_db`.
    pub fn metered_level_match_db(&self) -> f32 {
        match (
            self.output_meter.readings().integrated_lufs,
            self.input_meter.readings().integrated_lufs,
        ) {
            (Some(output), Some(input)) => (output - input) as f32,
            _ => 0.0,
        }
    }

    /// Platform preview gain, dB: what `target` would do to this master's
    /// output as measured so far (0 with no target or before a reading).
    /// Feed it back as `monitor_gain_db`.
    pub fn preview_gain_db(&self, target: Option<&LoudnessTarget>) -> f32 {
        let readings = self.output_meter.readings();
        match (target, readings.integrated_lufs, readings.true_peak_dbtp) {
            (Some(target), Some(integrated), Some(true_peak)) => {
                target.playback_gain_db(integrated, true_peak) as f32
            }
            _ => 0.0,
        }
    }

    /// [`Self::process`], also accumulating the waveform display: calls
    /// `on_column` with every [`WaveformColumn`] completed in this block
    /// (columns run on across blocks). Real-time safe.
    pub fn process_with_columns(
        &mut self,
        channels: &mut [&mut [f32]],
        mut on_column: impl FnMut(&WaveformColumn),
    ) {
        let frames = channels.iter().map(|c| c.len()).min().unwrap_or(0);
        let used = channels.len().min(MAX_CHANNELS);
        let mut start = 0;
        while start < frames {
            let len = (self.column_samples - self.column_pos).min(frames - start);
            let mut piece: [&mut [f32]; MAX_CHANNELS] = Default::default();
            for (slot, channel) in piece.iter_mut().zip(channels.iter_mut()) {
                *slot = &mut channel[start..start + len];
            }
            self.process(&mut piece[..used]);
            let stats = self.block_stats;
            let column = &mut self.column;
            column.input_peak = column.input_peak.max(stats.input_peak);
            column.output_peak = column.output_peak.max(stats.output_peak);
            column.gain_reduction_db = column.gain_reduction_db.max(self.gain_reduction_db);
            self.column_pos += len;
            start += len;
            if self.column_pos >= self.column_samples {
                on_column(&self.column);
                self.column_pos = 0;
                self.column = WaveformColumn::default();
            }
        }
    }

    /// Bypass (plugin bypass): crossfades over [`LISTEN_CROSSFADE_MS`] to the
    /// latency-aligned dry input, so the latency and the timing stay the same
    /// and switching never clicks. Never allocates.
    pub fn set_bypass(&mut self, bypass: bool) {
        self.bypass_mix.set_target(if bypass { 1.0 } else { 0.0 });
        if self.settle_next {
            self.bypass_mix.settle();
        }
    }

    /// Applies settings. Gains are smoothed inside; a latency change (look-ahead,
    /// oversampling) takes effect immediately and clears the delay lines.
    /// Never allocates. Out-of-range values are clamped to the documented
    /// ranges; non-finite ones fall back to the defaults.
    pub fn set_settings(&mut self, settings: &MaximizerSettings) {
        let settings = sanitize_settings(settings);
        self.apply_settings(&settings);
    }

    fn apply_settings(&mut self, settings: &MaximizerSettings) {
        let old = self.settings;
        self.settings = *settings;
        let structural = self.apply_limiter_settings(settings);
        if structural {
            self.limiter.reset();
            self.guard.reset();
            self.monitor_guard.reset();
            self.monitor_tail = 0;
            self.dry_delays.iter_mut().for_each(DelayLine::reset);
            self.gain_delay.reset();
        }
        let latency = self.limiter.latency_samples();
        self.dry_delays
            .iter_mut()
            .for_each(|d| d.set_delay_samples(latency));
        self.gain_delay.set_delay_samples(latency);

        match settings.dither {
            DitherMode::Off => {}
            DitherMode::Tpdf => self
                .requantizer
                .set(DitherShape::Tpdf, settings.dither_bits),
            DitherMode::NoiseShaped => self
                .requantizer
                .set(DitherShape::NoiseShaped, settings.dither_bits),
        }

        self.input_gain
            .set_target(f64::from(db_to_gain(settings.input_gain_db)));
        self.threshold
            .set_target(f64::from(self.threshold_for(settings)));
        self.guard_ratio = db_to_gain(self.margin_db(settings) - GUARD_MARGIN_DB);
        if self.threshold_for(settings) != self.threshold_for(&old) {
            // A higher threshold may allow more level-match gain again.
            self.level_match_cap = f32::INFINITY;
        }
        self.retarget_level_match();
        self.monitor_gain
            .set_target(f64::from(db_to_gain(settings.monitor_gain_db)));

        if settings.listen != old.listen && !self.settle_next {
            self.previous_listen = old.listen;
            self.listen_fade.restart(false);
        }
        if self.settle_next {
            for s in self.gain_smoothers() {
                s.settle();
            }
            self.previous_listen = settings.listen;
            self.listen_fade.reset_to(false);
        }
    }

    /// Points the level-match smoother at the level-match gain, capped.
    fn retarget_level_match(&mut self) {
        let gain = db_to_gain(self.settings.level_match_gain_db).min(self.level_match_cap);
        self.level_match_gain.set_target(f64::from(gain));
    }

    /// The cap on the level-match gain of [`Listen::LevelMatchedBypass`]
    /// (dB), if the monitor path has had to lower it to stay under the
    /// ceiling (see the module docs); `None` while uncapped.
    pub fn level_match_cap_db(&self) -> Option<f32> {
        self.level_match_cap
            .is_finite()
            .then(|| 20.0 * self.level_match_cap.log10())
    }

    /// Pushes the limiter's part of `settings`; true if its structure changed.
    fn apply_limiter_settings(&mut self, settings: &MaximizerSettings) -> bool {
        let before = *self.limiter.settings();
        let limiter_settings = LimiterSettings {
            lookahead_samples: Self::lookahead_samples_for(settings.lookahead_ms, self.sample_rate),
            release_ms: settings.release_ms,
            auto_release: settings.auto_release,
            stereo_link: settings.stereo_link,
            character: match settings.character {
                Character::Transparent => LimiterCharacter::Transparent,
                Character::Punchy => LimiterCharacter::Punchy,
            },
            factor: match settings.oversampling {
                Oversampling::X4 => DetectorFactor::X4,
                Oversampling::X8 => DetectorFactor::X8,
            },
        };
        self.limiter.set_settings(&limiter_settings);
        // The output meter reads the true peak with the limiter's own
        // detector, so the display shows what the ceiling is held against.
        self.output_meter
            .set_limiter_true_peak_factor(limiter_settings.factor);
        let after = self.limiter.settings();
        after.lookahead_samples != before.lookahead_samples || after.factor != before.factor
    }

    /// The limiter threshold for `settings`, linear: ceiling − safety margin
    /// − dither headroom.
    fn threshold_for(&self, settings: &MaximizerSettings) -> f32 {
        let margin_db = self.margin_db(settings);
        let ceiling = f64::from(db_to_gain(settings.ceiling_dbtp - margin_db));
        let dither_headroom = match settings.dither {
            DitherMode::Off => 0.0,
            DitherMode::Tpdf => crate::units::dither::max_error_lsb(DitherShape::Tpdf),
            DitherMode::NoiseShaped => {
                crate::units::dither::max_error_lsb(DitherShape::NoiseShaped)
            }
        } * DITHER_HEADROOM_FACTOR
            * crate::units::dither::lsb(settings.dither_bits.clamp(16, 24));
        (ceiling - dither_headroom) as f32
    }

    /// The limiter's safety margin below the ceiling for `settings`, dB.
    fn margin_db(&self, settings: &MaximizerSettings) -> f32 {
        match settings.oversampling {
            Oversampling::X4 => SAFETY_MARGIN_X4_DB,
            Oversampling::X8 => SAFETY_MARGIN_X8_DB,
        }
    }

    /// Latency in samples for the current settings (constant for given
    /// settings): the limiter's plus the true-peak guard's.
    pub fn latency_samples(&self) -> usize {
        self.limiter.latency_samples() + self.guard.latency_samples()
    }

    /// The settings in use (after clamping).
    pub fn settings(&self) -> &MaximizerSettings {
        &self.settings
    }

    /// Sample rate, Hz.
    pub fn sample_rate(&self) -> f64 {
        self.sample_rate
    }

    /// Number of channels the processor was built for.
    pub fn num_channels(&self) -> usize {
        self.num_channels
    }

    /// Current limiter threshold (ceiling minus safety margins), dBTP.
    pub fn threshold_db(&self) -> f32 {
        (20.0 * self.threshold.target().log10()) as f32
    }

    /// Processes planar audio in place, any block length. Real-time safe.
    ///
    /// Processes the first `min(channels.len(), num_channels)` slices over
    /// their common length; a missing channel counts as silence for the
    /// stereo link; extra slices are left untouched.
    // Planar slices are visited frame by frame (the stereo link needs every
    // channel of a frame before any output), hence the indexed loops.
    #[allow(clippy::needless_range_loop)]
    pub fn process(&mut self, channels: &mut [&mut [f32]]) {
        let used = channels.len().min(self.num_channels);
        let frames = channels[..used].iter().map(|c| c.len()).min().unwrap_or(0);
        let mut min_gain = 1.0f32;
        let mut stats = BlockStats::default();
        if frames > 0 {
            self.settle_next = false;
        }
        let mut start = 0;
        while start < frames {
            let len = (frames - start).min(METER_CHUNK);
            let mut metered_in = [[0.0f32; METER_CHUNK]; MAX_CHANNELS];
            let mut metered_out = [[0.0f32; METER_CHUNK]; MAX_CHANNELS];
            let mut chunk = ChunkScratch::default();
            for i in 0..len {
                self.prepare_frame(
                    channels,
                    used,
                    start + i,
                    i,
                    &mut metered_in,
                    &mut chunk,
                    &mut stats,
                );
            }
            // The true-peak detectors run over the whole chunk at once.
            for c in 0..self.num_channels {
                self.limiter
                    .detect_block(c, &chunk.gained[c][..len], &mut chunk.peaks[c][..len]);
            }
            for i in 0..len {
                self.limit_frame(i, &mut chunk);
            }
            for c in 0..self.num_channels {
                self.guard.detect_block(
                    c,
                    &chunk.limited[c][..len],
                    &mut chunk.guard_peaks[c][..len],
                );
            }
            let mut monitor_heard = false;
            let plain = self.settings.listen == Listen::Output
                && !self.listen_fade.is_fading()
                && chunk.monitor[..len].iter().all(|&m| m <= 1.0);
            if plain {
                // The plain output throughout: every frame on the main path.
                chunk.route[..len].fill(MonitorPath::Main.route(1.0));
            } else {
                for i in 0..len {
                    monitor_heard |= self.mix_monitor_frame(i, &mut chunk);
                }
            }
            // The monitor guard runs while the monitor path is heard and
            // for its latency after (and a chunk more), so its output stays
            // aligned with every output frame flagged for it.
            let run_monitor = monitor_heard || self.monitor_tail > 0;
            if run_monitor {
                if self.monitor_tail == 0 {
                    self.monitor_guard.reset();
                }
                self.monitor_tail = if monitor_heard {
                    self.monitor_guard.latency_samples() + METER_CHUNK
                } else {
                    self.monitor_tail.saturating_sub(len)
                };
                for c in 0..self.num_channels {
                    self.monitor_guard.detect_block(
                        c,
                        &chunk.monitor_mix[c][..len],
                        &mut chunk.monitor_peaks[c][..len],
                    );
                }
            }
            let mut cap = self.level_match_cap;
            for i in 0..len {
                self.finish_frame(
                    channels,
                    used,
                    start + i,
                    i,
                    &chunk,
                    run_monitor,
                    &mut cap,
                    &mut metered_out,
                    &mut min_gain,
                    &mut stats,
                );
            }
            if cap < self.level_match_cap {
                self.level_match_cap = cap;
                self.retarget_level_match();
            }
            let ins: [&[f32]; MAX_CHANNELS] = std::array::from_fn(|c| &metered_in[c][..len]);
            let outs: [&[f32]; MAX_CHANNELS] = std::array::from_fn(|c| &metered_out[c][..len]);
            self.input_meter.process(&ins[..self.num_channels]);
            self.output_meter.process(&outs[..self.num_channels]);
            start += len;
        }
        self.block_stats = stats;
        self.gain_reduction_db = if min_gain < 1.0 {
            -20.0 * min_gain.log10()
        } else {
            0.0
        };
    }

    /// First pass of [`Self::process`] over one frame: smoothers, input
    /// sanitising and metering, the gained input for the limiter's detector
    /// and the latency-aligned dry input, into `chunk` at `i`.
    #[allow(clippy::too_many_arguments)]
    #[inline]
    fn prepare_frame(
        &mut self,
        channels: &[&mut [f32]],
        used: usize,
        frame: usize,
        i: usize,
        metered_in: &mut [[f32; METER_CHUNK]; MAX_CHANNELS],
        chunk: &mut ChunkScratch,
        stats: &mut BlockStats,
    ) {
        let input_gain = self.input_gain.tick() as f32;
        chunk.threshold[i] = self.threshold.tick() as f32;
        chunk.level_match[i] = self.level_match_gain.tick() as f32;
        chunk.monitor[i] = self.monitor_gain.tick() as f32;
        chunk.bypass[i] = self.bypass_mix.tick() as f32;
        for c in 0..self.num_channels {
            let x = if c < used {
                sanitize_clamped(channels[c][frame], MAX_INPUT_ABS)
            } else {
                0.0
            };
            metered_in[c][i] = x;
            stats.input_peak = stats.input_peak.max(x.abs());
            chunk.gained[c][i] = x * input_gain;
            chunk.dry[c][i] = self.dry_delays[c].process(x);
        }
        chunk.delayed_gain[i] = self.gain_delay.process(input_gain);
    }

    /// Second pass of [`Self::process`] over one frame: the limiter's gain
    /// from the detected peaks, and the limited signal (the guard's input),
    /// into `chunk` at `i`.
    #[inline]
    fn limit_frame(&mut self, i: usize, chunk: &mut ChunkScratch) {
        let n = self.num_channels;
        let peaks: [f32; MAX_CHANNELS] = std::array::from_fn(|c| chunk.peaks[c][i]);
        let mut gains = [1.0f32; MAX_CHANNELS];
        self.limiter
            .process_peaks(&peaks[..n], chunk.threshold[i], &mut gains);
        for c in 0..n {
            // As a reduction, so the guard's initial zeros mean no reduction.
            chunk.reduction[c][i] = 1.0 - gains[c];
            chunk.limited[c][i] = gains[c] * (chunk.dry[c][i] * chunk.delayed_gain[i]);
        }
    }

    /// Third pass of [`Self::process`] over one frame: the listen-mode
    /// crossfade, split into the weight of the plain limited output (heard
    /// through the main guard, monitor gain ≤ 0 dB) and the rest, whose mix
    /// (normalised, monitor gain included) goes to the monitor guard through
    /// `chunk.monitor_mix`; the frame's [`MonitorPath::route`] into
    /// `chunk.route`. Returns true if the monitor guard is heard in the frame.
    #[inline]
    fn mix_monitor_frame(&mut self, i: usize, chunk: &mut ChunkScratch) -> bool {
        let listen = self.settings.listen;
        let monitor = chunk.monitor[i];
        // Weight of the listen mode being faded out, while fading.
        let fade = self
            .listen_fade
            .is_fading()
            .then(|| self.listen_fade.step() as f32);
        let (old_weight, new_weight) = match fade {
            Some(old) => (old, 1.0 - old),
            None => (0.0, 1.0),
        };
        let main = |mode: Listen| mode == Listen::Output && monitor <= 1.0;
        let main_weight = if main(listen) { new_weight } else { 0.0 }
            + if fade.is_some() && main(self.previous_listen) {
                old_weight
            } else {
                0.0
            };
        let path = if main_weight >= 1.0 {
            MonitorPath::Main
        } else if listen == Listen::LevelMatchedBypass && fade.is_none() && monitor <= 1.0 {
            MonitorPath::MonitorBypass
        } else {
            MonitorPath::Monitor
        };
        chunk.route[i] = path.route(main_weight);
        if path == MonitorPath::Main {
            return false;
        }
        let rest = 1.0 - main_weight;
        let level_match = chunk.level_match[i];
        let delayed_gain = chunk.delayed_gain[i];
        for c in 0..self.num_channels {
            let (dry, limited) = (chunk.dry[c][i], chunk.limited[c][i]);
            let select = |mode: Listen| match mode {
                Listen::Output => limited,
                Listen::LevelMatchedBypass => dry * level_match,
                Listen::Delta => dry * delayed_gain - limited,
            };
            let mut y = if main(listen) {
                0.0
            } else {
                new_weight * select(listen)
            };
            if fade.is_some() && !main(self.previous_listen) {
                y += old_weight * select(self.previous_listen);
            }
            chunk.monitor_mix[c][i] = y / rest * monitor;
        }
        true
    }

    /// Fourth pass of [`Self::process`] over one frame: the true-peak guard
    /// (its peaks detected over the chunk), the monitor guard when it runs
    /// (`run_monitor`), dither, monitor gain, bypass. Lowers `cap` (the
    /// level-match cap) to what a guarded bypass frame allowed.
    #[allow(clippy::too_many_arguments)]
    #[inline]
    fn finish_frame(
        &mut self,
        channels: &mut [&mut [f32]],
        used: usize,
        frame: usize,
        i: usize,
        chunk: &ChunkScratch,
        run_monitor: bool,
        cap: &mut f32,
        metered_out: &mut [[f32; METER_CHUNK]; MAX_CHANNELS],
        min_gain: &mut f32,
        stats: &mut BlockStats,
    ) {
        let n = self.num_channels;
        let dither = match self.settings.dither {
            DitherMode::Off => false,
            DitherMode::Tpdf | DitherMode::NoiseShaped => true,
        };
        let monitor = chunk.monitor[i];
        let bypass = chunk.bypass[i];
        let dry: [f32; MAX_CHANNELS] = std::array::from_fn(|c| chunk.dry[c][i]);
        let guard_peaks: [f32; MAX_CHANNELS] = std::array::from_fn(|c| chunk.guard_peaks[c][i]);

        // True-peak guard (see `limiter_guard`): the limited signal, and dry
        // input, limiter gain and monitor path aligned with it.
        let mut limited: [f32; MAX_CHANNELS] = std::array::from_fn(|c| chunk.limited[c][i]);
        let mut aligned = [[0.0f32; MAX_CHANNELS]; GUARD_ALIGNED_SIGNALS];
        for c in 0..n {
            aligned[0][c] = dry[c];
            aligned[1][c] = chunk.reduction[c][i];
            aligned[2][c] = chunk.route[i];
        }
        let guard_threshold = chunk.threshold[i] * self.guard_ratio;
        let guard_gain =
            self.guard
                .process_frame(guard_threshold, &guard_peaks, &mut limited, &mut aligned);
        let [dry, reductions, route] = aligned;
        let (path, main_weight) = MonitorPath::from_route(route[0]);
        // The monitor guard, at the same threshold and latency.
        let mut heard: [f32; MAX_CHANNELS] = std::array::from_fn(|c| chunk.monitor_mix[c][i]);
        if run_monitor {
            let peaks: [f32; MAX_CHANNELS] = std::array::from_fn(|c| chunk.monitor_peaks[c][i]);
            let mut applied = [[chunk.level_match[i]; MAX_CHANNELS]; MONITOR_ALIGNED_SIGNALS];
            let monitor_gain =
                self.monitor_guard
                    .process_frame(guard_threshold, &peaks, &mut heard, &mut applied);
            if path == MonitorPath::MonitorBypass && monitor_gain < 1.0 {
                *cap = cap.min(applied[0][0] * monitor_gain);
            }
        }
        for c in 0..n {
            *min_gain = min_gain.min((1.0 - reductions[c]) * guard_gain);
            let mut y;
            if path == MonitorPath::Main {
                y = limited[c];
                if dither {
                    y = self.requantizer.process(c, y);
                }
                metered_out[c][i] = y;
                // A monitor gain above 0 dB goes through the monitor path;
                // until its frames come out, at most 0 dB here.
                y *= monitor.min(1.0);
            } else {
                // The main guard's output crossfaded with the monitor
                // guard's: each is under the threshold, so is their mix.
                y = main_weight * (limited[c] * monitor.min(1.0)) + (1.0 - main_weight) * heard[c];
                if dither {
                    y = self.requantizer.process(c, y);
                }
                metered_out[c][i] = limited[c];
            }
            // Exact dry when fully bypassed; a linear crossfade while switching.
            if bypass >= 1.0 {
                y = dry[c];
            } else if bypass > 0.0 {
                y = bypass * dry[c] + (1.0 - bypass) * y;
            }
            if c < used {
                let out = flush_subnormal(y);
                stats.output_peak = stats.output_peak.max(out.abs());
                channels[c][frame] = out;
            }
        }
    }

    /// Largest gain reduction during the last `process` call, dB (≥ 0).
    pub fn gain_reduction_db(&self) -> f32 {
        self.gain_reduction_db
    }
}

/// Clamps every field to its documented range; non-finite values → default.
fn sanitize_settings(s: &MaximizerSettings) -> MaximizerSettings {
    let d = MaximizerSettings::default();
    MaximizerSettings {
        input_gain_db: clamp_or(s.input_gain_db, INPUT_GAIN_RANGE_DB, d.input_gain_db),
        ceiling_dbtp: clamp_or(s.ceiling_dbtp, CEILING_RANGE_DBTP, d.ceiling_dbtp),
        release_ms: clamp_or(s.release_ms, RELEASE_RANGE_MS, d.release_ms),
        auto_release: s.auto_release,
        lookahead_ms: clamp_or(s.lookahead_ms, LOOKAHEAD_RANGE_MS, d.lookahead_ms),
        stereo_link: clamp_or(s.stereo_link, (0.0, 1.0), d.stereo_link),
        character: s.character,
        oversampling: s.oversampling,
        dither: s.dither,
        dither_bits: match s.dither_bits {
            0..=17 => 16,
            18..=21 => 20,
            _ => 24,
        },
        listen: s.listen,
        level_match_gain_db: clamp_or(
            s.level_match_gain_db,
            AUX_GAIN_RANGE_DB,
            d.level_match_gain_db,
        ),
        monitor_gain_db: clamp_or(s.monitor_gain_db, AUX_GAIN_RANGE_DB, d.monitor_gain_db),
    }
}
