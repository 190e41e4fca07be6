//! The Bus Glue's processor: a feed-forward, stereo-linked VCA bus
//! compressor for the mix bus, group buses and the mastering chain. One type
//! the plugin (and the `lathe` command line) runs, so they cannot drift.
//!
//! # Signal flow (per frame)
//! ```text
//! main ─► sanitize ─┬──────────────────────────────── dry ───────────────┐
//!                   │                                                    │
//! key (main, or the external side-chain input)                           │
//!   ─► L/R, M or S ─► side-chain high-pass ─► Compressor::compute_gains  │
//!   (peak/RMS blend, link, curve, range, ballistics, make-up) ─► gain g  │
//!                   └─► × g × output ─► wet ─► mix ─► processed ◄────────┘
//!   processed / Listen (the detector signal) / Delta (dry − processed)
//!   / level-matched bypass (dry × metered loudness change), crossfaded
//!   ─► plugin bypass (crossfade to dry) ─► out
//! ```
//!
//! - The gain computer, detectors, ballistics, Auto release (two time
//!   constants) and make-up are [`Compressor`]'s; this processor only feeds
//!   it the detector signal ([`Compressor::compute_gains`]) and applies the
//!   gain, so the dry path needs no alignment: there is no latency.
//! - The output gain belongs to the wet path, like make-up: with mix at 0 the
//!   output is the (sanitised) input bit for bit whatever else is set.
//! - M/S-aware detection feeds the mid `(L + R)/2` or side `(L − R)/2` signal
//!   to both channels' detectors, so the gain is linked on M or on S.
//! - Level-matched bypass plays the dry input scaled by the processed
//!   output's integrated loudness minus the input's (two [`LoudnessMeter`]s),
//!   updated at each 100 ms meter step, smoothed.
//! - Glue readout: the drop of the crest factor, PLR = peak − short-term
//!   loudness, from input to processed output. The peak is the sample peak
//!   held over [`GLUE_WINDOW_S`] ([`PeakHold`]), the loudness the meters'
//!   3 s short-term reading, so the figure follows the last seconds.
//!
//! Not (yet) here: the three-band mode and the output soft clip of the
//! issue.

use crate::primitives::envelope::{one_pole_coef, PeakHold};
use crate::primitives::level::{amplitude_to_db, clamp_or, db_to_amplitude, sanitize_clamped};
use crate::primitives::smoother::{Fade, Smoother};
use crate::units::dynamics::compressor::{
    CompressorSettings, Detection, KNEE_RANGE_DB, MAKEUP_RANGE_DB, SIDECHAIN_HPF_ORDER,
    THRESHOLD_RANGE_DB,
};
use crate::units::dynamics::{Compressor, CompressorCurve};
use crate::units::filter::{ButterworthCoefs, ButterworthState, PassKind};
use crate::units::loudness::{LoudnessMeter, LoudnessReadings};

/// Most channels the Bus Glue processes (main and key).
pub use crate::primitives::channels::STEREO as MAX_CHANNELS;

/// Threshold range, dBFS.
pub const THRESHOLD_RANGE_DBFS: (f32, f32) = THRESHOLD_RANGE_DB;
/// Ratio range (continuous; the editor marks [`RATIO_MARKS`]).
pub const RATIO_RANGE: (f32, f32) = (1.0, 20.0);
/// The classic bus-compressor ratios, marked on the ratio control.
pub const RATIO_MARKS: [f32; 4] = [1.5, 2.0, 4.0, 10.0];
/// Attack range, ms.
pub const ATTACK_RANGE_MS: (f32, f32) = (0.1, 30.0);
/// Release range, ms (the slow time constant with Auto release).
pub const RELEASE_RANGE_MS: (f32, f32) = (100.0, 1200.0);
/// Knee width range, dB.
pub const KNEE_RANGE: (f32, f32) = KNEE_RANGE_DB;
/// Make-up gain range, dB.
pub const MAKEUP_RANGE: (f32, f32) = MAKEUP_RANGE_DB;
/// Range (largest gain reduction allowed) range, dB.
pub const RANGE_RANGE_DB: (f32, f32) = (0.0, 40.0);
/// Output gain range (wet path), dB.
pub const OUTPUT_RANGE_DB: (f32, f32) = (-24.0, 24.0);
/// Side-chain high-pass cutoff range, Hz.
pub const SC_HPF_RANGE_HZ: (f32, f32) = (20.0, 500.0);
/// Output gain and mix glide time, ms.
pub const GAIN_RAMP_MS: f64 = 20.0;
/// Crossfade time of the listening aids and the plugin bypass, ms.
pub const CROSSFADE_MS: f64 = 10.0;
/// Largest level-match gain applied, ±dB.
pub const LEVEL_MATCH_LIMIT_DB: f64 = 24.0;
/// Input samples are clamped to ±this (absurd input kept bounded).
pub const MAX_INPUT_ABS: f32 = 1.0e6;
/// Peak window of the glue readout, s.
pub const GLUE_WINDOW_S: f64 = 3.0;
/// Release of the glue readout's peak after its hold, ms.
pub const GLUE_PEAK_RELEASE_MS: f64 = 1000.0;
/// Length of one column of the gain-reduction history, s.
pub const COLUMN_S: f64 = 0.02;
/// Frames processed per inner chunk (stack scratch size).
const CHUNK: usize = 64;

/// What drives the detector.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DetectMode {
    /// Each channel's own key signal (then linked by `stereo_link`).
    #[default]
    LeftRight,
    /// The mid signal `(L + R)/2` for both channels.
    Mid,
    /// The side signal `(L − R)/2` for both channels.
    Side,
}

/// Every user setting of the processor. Plain values; out-of-range values
/// are clamped, non-finite ones fall back to the defaults.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BusGlueSettings {
    /// Threshold, dBFS, −60 ..= 0.
    pub threshold_db: f32,
    /// Ratio, 1 ..= 20 (continuous).
    pub ratio: f32,
    /// Attack time constant, ms, 0.1 ..= 30.
    pub attack_ms: f32,
    /// Release time constant, ms, 100 ..= 1200 (the slow one with Auto).
    pub release_ms: f32,
    /// Program-dependent release: a fast path (release × 0.1) for short
    /// peaks and the slow `release_ms` path for sustained compression.
    pub auto_release: bool,
    /// Soft-knee width, dB, 0 ..= 24.
    pub knee_db: f32,
    /// Make-up gain, dB, −12 ..= +24 (added to auto make-up).
    pub makeup_db: f32,
    /// Auto make-up: the curve's reduction at 0 dBFS (range included).
    pub auto_makeup: bool,
    /// Largest gain reduction, dB, 0 ..= 40.
    pub range_db: f32,
    /// Output gain of the wet path, dB, −24 ..= +24.
    pub output_db: f32,
    /// Detector peak/RMS blend, 0 (peak) ..= 1 (RMS).
    pub detector_rms: f32,
    /// Stereo link, 0 (independent) ..= 1 (linked).
    pub stereo_link: f32,
    /// Detect on L/R, M or S.
    pub detect_mode: DetectMode,
    /// Side-chain high-pass on/off.
    pub sc_hpf_enabled: bool,
    /// Side-chain high-pass cutoff, Hz, 20 ..= 500 (12 dB/oct Butterworth).
    pub sc_hpf_hz: f32,
    /// Detect on the external key (when one is given to `process_keyed`).
    pub external_sidechain: bool,
    /// Listen: the output is the detector signal (after M/S and high-pass).
    pub listen: bool,
    /// Dry/wet mix, 0 (dry, bit exact) ..= 1 (wet).
    pub mix: f32,
    /// Delta: the output is what the compressor takes away (dry − processed).
    pub delta: bool,
    /// Level-matched bypass: the dry input at the processed loudness.
    pub matched_bypass: bool,
    /// Run the loudness meters (the glue readout and the meters' readings);
    /// they always run while `matched_bypass` is on.
    pub metering: bool,
}

impl Default for BusGlueSettings {
    fn default() -> Self {
        Self {
            threshold_db: -18.0,
            ratio: 4.0,
            attack_ms: 10.0,
            release_ms: 300.0,
            auto_release: false,
            knee_db: 6.0,
            makeup_db: 0.0,
            auto_makeup: false,
            range_db: RANGE_RANGE_DB.1,
            output_db: 0.0,
            detector_rms: 0.0,
            stereo_link: 1.0,
            detect_mode: DetectMode::LeftRight,
            sc_hpf_enabled: false,
            sc_hpf_hz: 80.0,
            external_sidechain: false,
            listen: false,
            mix: 1.0,
            delta: false,
            matched_bypass: false,
            metering: true,
        }
    }
}

impl BusGlueSettings {
    /// Clamped to the documented ranges; non-finite values → defaults.
    pub fn sanitized(&self) -> Self {
        let d = Self::default();
        Self {
            threshold_db: clamp_or(self.threshold_db, THRESHOLD_RANGE_DBFS, d.threshold_db),
            ratio: clamp_or(self.ratio, RATIO_RANGE, d.ratio),
            attack_ms: clamp_or(self.attack_ms, ATTACK_RANGE_MS, d.attack_ms),
            release_ms: clamp_or(self.release_ms, RELEASE_RANGE_MS, d.release_ms),
            knee_db: clamp_or(self.knee_db, KNEE_RANGE, d.knee_db),
            makeup_db: clamp_or(self.makeup_db, MAKEUP_RANGE, d.makeup_db),
            range_db: clamp_or(self.range_db, RANGE_RANGE_DB, d.range_db),
            output_db: clamp_or(self.output_db, OUTPUT_RANGE_DB, d.output_db),
            detector_rms: clamp_or(self.detector_rms, (0.0, 1.0), d.detector_rms),
            stereo_link: clamp_or(self.stereo_link, (0.0, 1.0), d.stereo_link),
            sc_hpf_hz: clamp_or(self.sc_hpf_hz, SC_HPF_RANGE_HZ, d.sc_hpf_hz),
            mix: clamp_or(self.mix, (0.0, 1.0), d.mix),
            ..*self
        }
    }

    /// The compressor's settings for these (the processor applies output,
    /// mix and the listening aids itself; the side-chain filter is its own).
    pub fn compressor(&self) -> CompressorSettings {
        CompressorSettings {
            enabled: true,
            threshold_db: self.threshold_db,
            ratio: self.ratio,
            knee_db: self.knee_db,
            attack_ms: self.attack_ms,
            release_ms: self.release_ms,
            auto_release: self.auto_release,
            detection: Detection::Peak,
            rms_blend: self.detector_rms,
            max_reduction_db: self.range_db,
            sidechain_hpf_enabled: false,
            sidechain_hpf_hz: self.sc_hpf_hz,
            stereo_link: self.stereo_link,
            makeup_db: self.makeup_db,
            auto_makeup: self.auto_makeup,
            mix: 1.0,
        }
    }

    /// The static curve (for the editor's transfer curve).
    pub fn curve(&self) -> CompressorCurve {
        self.compressor().curve()
    }

    /// Output level (dBFS) of the static curve for a detected level, range
    /// and make-up included, output gain excluded.
    pub fn transfer_db(&self, level_db: f64) -> f64 {
        let c = self.compressor();
        level_db - c.static_reduction_db(level_db) + c.total_makeup_db()
    }

    fn monitor(&self) -> Monitor {
        if self.listen {
            Monitor::Listen
        } else if self.delta {
            Monitor::Delta
        } else if self.matched_bypass {
            Monitor::MatchedBypass
        } else {
            Monitor::Output
        }
    }
}

/// What the output carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Monitor {
    Output,
    Listen,
    Delta,
    MatchedBypass,
}

/// One column of the gain-reduction history: what happened during
/// [`COLUMN_S`] of audio.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Column {
    /// Largest |input| sample, linear.
    pub input_peak: f32,
    /// Largest |processed output| sample, linear.
    pub output_peak: f32,
    /// Largest gain reduction, dB ≥ 0.
    pub gain_reduction_db: f32,
}

/// Statistics of the last `process` call.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct BlockStats {
    /// Largest |input| sample, linear.
    pub input_peak: f32,
    /// Largest |processed output| sample, linear (before the listening aids).
    pub output_peak: f32,
    /// Largest gain reduction, dB ≥ 0.
    pub gain_reduction_db: f32,
    /// Largest |detector| sample (key after M/S and high-pass), linear: the
    /// operating point on the transfer curve.
    pub detector_peak: f32,
}

/// The Bus Glue processor (1 or 2 channels, f32 planar, in place).
#[derive(Debug, Clone)]
pub struct BusGlue {
    sample_rate: f64,
    num_channels: usize,
    settings: BusGlueSettings,
    compressor: Compressor,
    hpf_coefs: ButterworthCoefs,
    hpf_states: [ButterworthState; MAX_CHANNELS],
    output_gain: Smoother,
    mix: Smoother,
    level_match_gain: Smoother,
    bypass_mix: Smoother,
    previous_monitor: Monitor,
    monitor_fade: Fade,
    /// Smoothers jump to their targets at the next `set_settings`.
    settle_next: bool,
    input_meter: LoudnessMeter,
    output_meter: LoudnessMeter,
    /// Meter steps seen (level-match updates on each new one).
    meter_steps: u64,
    input_peak_hold: PeakHold,
    output_peak_hold: PeakHold,
    peak_hold_samples: u32,
    peak_release_coef: f64,
    stats: BlockStats,
    column_samples: usize,
    column_pos: usize,
    column: Column,
}

impl BusGlue {
    /// A processor for `num_channels` (1 or 2) at `sample_rate` Hz. Allocates.
    ///
    /// # Panics
    /// If `num_channels` is not 1 or 2, or the rate is outside the loudness
    /// meter's supported range.
    pub fn new(sample_rate: f64, num_channels: usize) -> Self {
        assert!(
            (1..=MAX_CHANNELS).contains(&num_channels),
            "BusGlue supports 1..={MAX_CHANNELS} channels"
        );
        let settings = BusGlueSettings::default();
        let mut glue = Self {
            sample_rate,
            num_channels,
            settings,
            compressor: Compressor::new(sample_rate, num_channels),
            hpf_coefs: ButterworthCoefs::new(
                PassKind::HighPass,
                SIDECHAIN_HPF_ORDER,
                f64::from(settings.sc_hpf_hz),
                sample_rate,
            ),
            hpf_states: [ButterworthState::default(); MAX_CHANNELS],
            output_gain: Smoother::multiplicative(1.0, 1),
            mix: Smoother::linear(1.0, 1),
            level_match_gain: Smoother::multiplicative(1.0, 1),
            bypass_mix: Smoother::linear(0.0, 1),
            previous_monitor: Monitor::Output,
            monitor_fade: Fade::new(false, 1),
            settle_next: true,
            input_meter: LoudnessMeter::new(sample_rate, num_channels),
            output_meter: LoudnessMeter::new(sample_rate, num_channels),
            meter_steps: 0,
            input_peak_hold: PeakHold::default(),
            output_peak_hold: PeakHold::default(),
            peak_hold_samples: 1,
            peak_release_coef: 0.0,
            stats: BlockStats::default(),
            column_samples: 1,
            column_pos: 0,
            column: Column::default(),
        };
        glue.set_sample_rate(sample_rate);
        glue
    }

    /// Re-derives everything rate-dependent and resets. May allocate (the
    /// meters' true-peak stages): call it off the audio thread.
    pub fn set_sample_rate(&mut self, sample_rate: f64) {
        self.sample_rate = sample_rate;
        self.compressor.set_sample_rate(sample_rate);
        self.input_meter.set_sample_rate(sample_rate);
        self.output_meter.set_sample_rate(sample_rate);
        let ramp = Smoother::samples_for_ms(GAIN_RAMP_MS, sample_rate);
        self.output_gain.set_ramp_samples(ramp);
        self.mix.set_ramp_samples(ramp);
        self.level_match_gain.set_ramp_samples(ramp);
        let crossfade = Smoother::samples_for_ms(CROSSFADE_MS, sample_rate);
        self.bypass_mix.set_ramp_samples(crossfade);
        self.monitor_fade.set_fade_samples(crossfade);
        self.peak_hold_samples = (GLUE_WINDOW_S * sample_rate).round() as u32;
        self.peak_release_coef = one_pole_coef(GLUE_PEAK_RELEASE_MS, sample_rate);
        self.column_samples = ((COLUMN_S * sample_rate).round() as usize).max(1);
        let settings = self.settings;
        self.apply(&settings, true);
        self.reset();
    }

    /// Clears all state (envelopes, filters, meters, ramps). Never allocates.
    pub fn reset(&mut self) {
        self.compressor.reset();
        self.hpf_states = [ButterworthState::default(); MAX_CHANNELS];
        self.output_gain.settle();
        self.mix.settle();
        self.level_match_gain.reset_to(1.0);
        self.bypass_mix.settle();
        self.previous_monitor = self.settings.monitor();
        self.monitor_fade.reset_to(false);
        self.settle_next = true;
        self.stats = BlockStats::default();
        self.column_pos = 0;
        self.column = Column::default();
        self.reset_meters();
    }

    /// Restarts the loudness measurement (and the level match). Never allocates.
    pub fn reset_meters(&mut self) {
        self.input_meter.reset();
        self.output_meter.reset();
        self.meter_steps = 0;
        self.input_peak_hold.reset();
        self.output_peak_hold.reset();
    }

    /// Applies settings (sanitised). Threshold, ratio, knee and times act at
    /// once (the gain still follows the ballistics); output, mix and
    /// make-up glide; the listening aids crossfade. Never allocates.
    pub fn set_settings(&mut self, settings: &BusGlueSettings) {
        let settings = settings.sanitized();
        let settle = self.settle_next;
        self.apply(&settings, settle);
    }

    fn apply(&mut self, settings: &BusGlueSettings, settle: bool) {
        let old = self.settings;
        self.settings = *settings;
        self.compressor.set_settings(&settings.compressor());
        if settings.sc_hpf_hz != old.sc_hpf_hz || settle {
            self.hpf_coefs = ButterworthCoefs::new(
                PassKind::HighPass,
                SIDECHAIN_HPF_ORDER,
                f64::from(settings.sc_hpf_hz),
                self.sample_rate,
            );
        }
        self.output_gain
            .set_target(db_to_amplitude(f64::from(settings.output_db)));
        self.mix.set_target(f64::from(settings.mix));
        let monitor = settings.monitor();
        if settle {
            self.output_gain.settle();
            self.mix.settle();
            self.previous_monitor = monitor;
            self.monitor_fade.reset_to(false);
            // The compressor's own make-up ramp.
            self.compressor.reset();
        } else if monitor != old.monitor() {
            self.previous_monitor = old.monitor();
            self.monitor_fade.restart(false);
        }
    }

    /// Plugin bypass: crossfades over [`CROSSFADE_MS`] to the dry input.
    /// Never allocates.
    pub fn set_bypass(&mut self, bypass: bool) {
        self.bypass_mix.set_target(if bypass { 1.0 } else { 0.0 });
        if self.settle_next {
            self.bypass_mix.settle();
        }
    }

    /// The settings in use (sanitised).
    pub fn settings(&self) -> &BusGlueSettings {
        &self.settings
    }

    /// Latency, samples: always 0.
    pub fn latency_samples(&self) -> usize {
        0
    }

    /// Number of channels the processor was built for.
    pub fn num_channels(&self) -> usize {
        self.num_channels
    }

    /// Statistics of the last `process` call.
    pub fn block_stats(&self) -> BlockStats {
        self.stats
    }

    /// Largest gain reduction during the last `process` call, dB ≥ 0.
    pub fn gain_reduction_db(&self) -> f32 {
        self.stats.gain_reduction_db
    }

    /// The operating point on the transfer curve for the last `process`
    /// call: the detector's peak level (dBFS) and where the curve took it
    /// (that level minus the largest gain reduction, plus make-up, dB).
    /// `None` while the detector is silent.
    pub fn operating_point_db(&self) -> Option<(f64, f64)> {
        let peak = f64::from(self.stats.detector_peak);
        (peak > 0.0).then(|| {
            let level_db = amplitude_to_db(peak);
            let makeup_db = self.settings.compressor().total_makeup_db();
            (
                level_db,
                level_db - f64::from(self.stats.gain_reduction_db) + makeup_db,
            )
        })
    }

    /// Loudness of the input since the last meter reset.
    pub fn input_readings(&self) -> LoudnessReadings {
        self.input_meter.readings()
    }

    /// Loudness of the processed output (before the listening aids).
    pub fn output_readings(&self) -> LoudnessReadings {
        self.output_meter.readings()
    }

    /// The level-match gain, dB: processed integrated loudness minus the
    /// input's (0 before both are measured), within ±[`LEVEL_MATCH_LIMIT_DB`].
    pub fn level_match_db(&self) -> f64 {
        match (
            self.output_meter.readings().integrated_lufs,
            self.input_meter.readings().integrated_lufs,
        ) {
            (Some(out), Some(input)) => {
                (out - input).clamp(-LEVEL_MATCH_LIMIT_DB, LEVEL_MATCH_LIMIT_DB)
            }
            _ => 0.0,
        }
    }

    /// Crest factor of the input over the last seconds, dB: held sample
    /// peak ([`GLUE_WINDOW_S`]) minus short-term loudness.
    pub fn input_plr_db(&self) -> Option<f64> {
        plr(&self.input_peak_hold, &self.input_meter)
    }

    /// Crest factor of the processed output over the last seconds, dB.
    pub fn output_plr_db(&self) -> Option<f64> {
        plr(&self.output_peak_hold, &self.output_meter)
    }

    /// The glue readout: how much the crest factor dropped, dB (input PLR −
    /// output PLR; positive = denser).
    pub fn glue_db(&self) -> Option<f64> {
        self.input_plr_db()
            .zip(self.output_plr_db())
            .map(|(input, output)| input - output)
    }

    /// [`Self::process_keyed`] without an external key.
    pub fn process(&mut self, channels: &mut [&mut [f32]]) {
        self.process_keyed(channels, None);
    }

    /// [`Self::process_keyed`], also accumulating the gain-reduction
    /// history: calls `on_column` with every [`Column`] completed in this
    /// block (columns run on across blocks). Real-time safe.
    pub fn process_with_columns(
        &mut self,
        channels: &mut [&mut [f32]],
        key: Option<&[&[f32]]>,
        mut on_column: impl FnMut(&Column),
    ) {
        let frames = channels.iter().map(|c| c.len()).min().unwrap_or(0);
        let used = channels.len().min(MAX_CHANNELS);
        let mut block = BlockStats::default();
        let mut start = 0;
        while start < frames {
            let len = (self.column_samples - self.column_pos).min(frames - start);
            let mut piece: [&mut [f32]; MAX_CHANNELS] = Default::default();
            for (slot, channel) in piece.iter_mut().zip(channels.iter_mut()) {
                *slot = &mut channel[start..start + len];
            }
            let mut key_piece: [&[f32]; MAX_CHANNELS] = [&[]; MAX_CHANNELS];
            let key_used = key.map(|k| {
                let n = k.len().min(MAX_CHANNELS);
                for (slot, channel) in key_piece.iter_mut().zip(k.iter()) {
                    let end = (start + len).min(channel.len());
                    *slot = &channel[start.min(end)..end];
                }
                n
            });
            self.process_keyed(&mut piece[..used], key_used.map(|n| &key_piece[..n]));
            let s = self.stats;
            block.input_peak = block.input_peak.max(s.input_peak);
            block.output_peak = block.output_peak.max(s.output_peak);
            block.gain_reduction_db = block.gain_reduction_db.max(s.gain_reduction_db);
            block.detector_peak = block.detector_peak.max(s.detector_peak);
            let column = &mut self.column;
            column.input_peak = column.input_peak.max(s.input_peak);
            column.output_peak = column.output_peak.max(s.output_peak);
            column.gain_reduction_db = column.gain_reduction_db.max(s.gain_reduction_db);
            self.column_pos += len;
            start += len;
            if self.column_pos >= self.column_samples {
                on_column(&self.column);
                self.column_pos = 0;
                self.column = Column::default();
            }
        }
        self.stats = block;
    }

    /// Processes planar audio in place, any block length; `key` is the
    /// external side-chain (used when `external_sidechain` is on; a mono key
    /// drives both channels, a short key is padded with silence). The first
    /// `min(channels.len(), num_channels)` slices are processed over their
    /// common length. Never allocates, locks or panics.
    pub fn process_keyed(&mut self, channels: &mut [&mut [f32]], key: Option<&[&[f32]]>) {
        let used = channels.len().min(self.num_channels);
        let frames = channels[..used].iter().map(|c| c.len()).min().unwrap_or(0);
        let key = key
            .filter(|k| self.settings.external_sidechain && !k.is_empty())
            .map(|k| &k[..k.len().min(MAX_CHANNELS)]);
        self.stats = BlockStats::default();
        if frames > 0 {
            self.settle_next = false;
        }
        let metering = self.settings.metering || self.settings.matched_bypass;
        let mut start = 0;
        while start < frames {
            let mut len = (frames - start).min(CHUNK);
            if metering {
                // Chunks end on meter steps, so the level match changes at
                // the same sample whatever the host's block size.
                len = len.min(self.input_meter.samples_until_next_step().max(1));
            }
            self.process_chunk(channels, used, key, start, len, metering);
            start += len;
        }
    }

    // Planar slices visited frame by frame (the link needs every channel).
    #[allow(clippy::needless_range_loop)]
    fn process_chunk(
        &mut self,
        channels: &mut [&mut [f32]],
        used: usize,
        key: Option<&[&[f32]]>,
        start: usize,
        len: usize,
        metering: bool,
    ) {
        let n = self.num_channels;
        let mut dry = [[0.0f32; CHUNK]; MAX_CHANNELS];
        let mut detector = [[0.0f64; CHUNK]; MAX_CHANNELS];
        for i in 0..len {
            let frame = start + i;
            let mut k = [0.0f64; MAX_CHANNELS];
            for c in 0..n {
                let x = if c < used {
                    sanitize_clamped(channels[c][frame], MAX_INPUT_ABS)
                } else {
                    0.0
                };
                dry[c][i] = x;
                k[c] = f64::from(x);
            }
            if let Some(key) = key {
                for (c, kc) in k[..n].iter_mut().enumerate() {
                    let channel = key[c.min(key.len() - 1)];
                    *kc = channel
                        .get(frame)
                        .map_or(0.0, |&s| f64::from(sanitize_clamped(s, MAX_INPUT_ABS)));
                }
            }
            if n == MAX_CHANNELS {
                match self.settings.detect_mode {
                    DetectMode::LeftRight => {}
                    DetectMode::Mid => {
                        let mid = 0.5 * (k[0] + k[1]);
                        k = [mid, mid];
                    }
                    DetectMode::Side => {
                        let side = 0.5 * (k[0] - k[1]);
                        k = [side, side];
                    }
                }
            }
            for c in 0..n {
                let mut d = k[c];
                if self.settings.sc_hpf_enabled {
                    d = self.hpf_states[c].process(&self.hpf_coefs, d);
                }
                detector[c][i] = d;
                self.stats.detector_peak = self.stats.detector_peak.max(d.abs() as f32);
            }
        }
        let mut gains = [[1.0f64; CHUNK]; MAX_CHANNELS];
        {
            let [d0, d1] = &detector;
            let views: [&[f64]; MAX_CHANNELS] = [&d0[..len], &d1[..len]];
            let [g0, g1] = &mut gains;
            let mut outs: [&mut [f64]; MAX_CHANNELS] = [&mut g0[..len], &mut g1[..len]];
            self.compressor.compute_gains(&views[..n], &mut outs[..n]);
        }
        self.stats.gain_reduction_db = self
            .stats
            .gain_reduction_db
            .max(self.compressor.gain_reduction_db() as f32);

        let monitor = self.settings.monitor();
        let mut processed = [[0.0f32; CHUNK]; MAX_CHANNELS];
        for i in 0..len {
            let output_gain = self.output_gain.tick();
            let mix = self.mix.tick();
            let level_match = self.level_match_gain.tick();
            let bypass = self.bypass_mix.tick();
            let fade = self
                .monitor_fade
                .is_fading()
                .then(|| self.monitor_fade.step());
            for c in 0..n {
                let x = f64::from(dry[c][i]);
                let wet = x * gains[c][i] * output_gain;
                let mixed = if mix == 1.0 { wet } else { x + mix * (wet - x) };
                let out = mixed as f32;
                processed[c][i] = out;
                let select = |m: Monitor| match m {
                    Monitor::Output => f64::from(out),
                    Monitor::Listen => detector[c][i],
                    Monitor::Delta => x - f64::from(out),
                    Monitor::MatchedBypass => x * level_match,
                };
                let mut y = select(monitor);
                if let Some(old_weight) = fade {
                    y = old_weight * select(self.previous_monitor) + (1.0 - old_weight) * y;
                }
                if bypass >= 1.0 {
                    y = x;
                } else if bypass > 0.0 {
                    y = x + bypass * (y - x);
                }
                if c < used {
                    channels[c][start + i] = y as f32;
                }
                self.stats.input_peak = self.stats.input_peak.max(dry[c][i].abs());
                self.stats.output_peak = self.stats.output_peak.max(out.abs());
            }
        }
        if metering {
            for i in 0..len {
                let input = dry[..n].iter().fold(0.0f32, |m, ch| m.max(ch[i].abs()));
                let output = processed[..n]
                    .iter()
                    .fold(0.0f32, |m, ch| m.max(ch[i].abs()));
                self.input_peak_hold.process(
                    f64::from(input),
                    self.peak_hold_samples,
                    self.peak_release_coef,
                );
                self.output_peak_hold.process(
                    f64::from(output),
                    self.peak_hold_samples,
                    self.peak_release_coef,
                );
            }
            let ins: [&[f32]; MAX_CHANNELS] = std::array::from_fn(|c| &dry[c][..len]);
            let outs: [&[f32]; MAX_CHANNELS] = std::array::from_fn(|c| &processed[c][..len]);
            self.input_meter.process(&ins[..n]);
            self.output_meter.process(&outs[..n]);
            let steps = self.input_meter.steps_completed();
            if steps != self.meter_steps {
                self.meter_steps = steps;
                self.level_match_gain
                    .set_target(db_to_amplitude(self.level_match_db()));
            }
        }
    }
}

/// Held sample peak (dB) minus short-term loudness, if both are defined.
fn plr(peak: &PeakHold, meter: &LoudnessMeter) -> Option<f64> {
    let peak_db = peak.value();
    (peak_db > 0.0)
        .then(|| amplitude_to_db(peak_db))
        .zip(meter.readings().short_term_lufs)
        .map(|(peak, loudness)| peak - loudness)
}
