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
//!
//! # Three-band mode (`multiband`)
//! ```text
//! main ─► Crossover (LR24 at crossover_hz[0], [1]) ─► band b (b = 1, 2, 3)
//! key bands: the main bands (L/R, or M/S of them: the split is linear, so
//!   the bands of M are the M of the bands), or an external key through its
//!   own crossover ─► side-chain high-pass per band (LTI filters commute:
//!   the same as filtering the key before the split)
//!   ─► Compressor b (band threshold, ratio, attack, release; the rest
//!   global) ─► g_b
//! wet = Σ audible_b · band_b · g_b · output,  reference = Σ audible_b · band_b
//! ```
//! - The reference (what the mix blends the wet path with) is the sum of the
//!   uncompressed bands, i.e. the input through the crossover's all-pass
//!   ([`Crossover::sum_response`]): the dry and wet paths have the same
//!   phase, so the parallel mix does not comb.
//! - With every band neutral (ratio 1, no make-up, no solo) the output is
//!   that all-pass of the input: flat magnitude (within 0.01 dB, tested),
//!   phase `AP(f1)·AP(f2)`, the product of the two splits' second-order
//!   all-passes (Lipshitz & Vanderkooy 1986).
//! - Solo: only the soloed bands are heard (wet and reference alike).
//! - Mix 0 % is still the input bit for bit: the output crossfades (over
//!   [`CROSSFADE_MS`]) to the un-all-passed input whenever the mix target
//!   is 0.
//! - Switching between single- and three-band mode crossfades.
//!
//! # Output soft clip (`soft_clip`)
//! `y = c·tanh(d·x/c)` on the wet path (drive `d`, ceiling `c`), after the
//! output gain and before the mix: the suite's [`Saturator`] (8×
//! oversampled, first-order antiderivative anti-aliasing), tube character,
//! no drive compensation. It adds [`SOFT_CLIP_LATENCY_SAMPLES`] of latency,
//! reported by [`BusGlue::latency_samples`]; the dry input, the mix's
//! reference and the listening aids are delayed to match. The oversampled
//! curve never exceeds the ceiling, but the decimated output's samples and
//! its true peak can: see [`SOFT_CLIP_TRUE_PEAK_OVERSHOOT_DB`]. A soft clip
//! is not a true-peak limiter.

use crate::primitives::delay::DelayLine;
use crate::primitives::envelope::{one_pole_coef, PeakHold};
use crate::primitives::level::{amplitude_to_db, clamp_or, db_to_amplitude, sanitize_clamped};
use crate::primitives::smoother::{Fade, Smoother};
use crate::units::crossover::{Crossover, CrossoverSlope, MAX_BANDS as CROSSOVER_MAX_BANDS};
use crate::units::dynamics::compressor::{
    CompressorSettings, Detection, KNEE_RANGE_DB, MAKEUP_RANGE_DB, SIDECHAIN_HPF_ORDER,
    THRESHOLD_RANGE_DB,
};
use crate::units::dynamics::{Compressor, CompressorCurve};
use crate::units::filter::{ButterworthCoefs, ButterworthState, PassKind};
use crate::units::loudness::{LoudnessMeter, LoudnessReadings};
use crate::units::pair::Pair;
use crate::units::pair_crossover::PairCrossover;
use crate::units::saturation::{SaturationCharacter, SaturationSettings, Saturator};

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
/// Frames processed per inner chunk (stack scratch size). Chunks also end
/// on multiples of this many frames since the last reset, so control-rate
/// updates (the crossover glide) land on the same frames whatever the
/// host's block size.
const CHUNK: usize = 64;
/// Bands of the three-band mode.
pub const NUM_BANDS: usize = 3;
const _: () = assert!(
    NUM_BANDS == 3,
    "the settings' band arrays are written [_; 3]"
);
/// Slope of the three-band crossovers (Linkwitz-Riley 24 dB/octave).
pub const BAND_SLOPE: CrossoverSlope = CrossoverSlope::Lr24;
/// Lower crossover range, Hz.
pub const CROSSOVER_1_RANGE_HZ: (f32, f32) = (40.0, 1_000.0);
/// Upper crossover range, Hz.
pub const CROSSOVER_2_RANGE_HZ: (f32, f32) = (1_000.0, 12_000.0);
/// Soft-clip drive range, dB.
pub const SOFT_CLIP_DRIVE_RANGE_DB: (f32, f32) = (0.0, 18.0);
/// Soft-clip ceiling range, dBFS.
pub const SOFT_CLIP_CEILING_RANGE_DBFS: (f32, f32) = (-12.0, 0.0);
/// Latency of the soft clip (the saturator's oversampling filters), samples
/// at any rate.
pub const SOFT_CLIP_LATENCY_SAMPLES: usize =
    crate::units::saturation::OVERSAMPLING.latency_samples() * 2;
/// Bound on the true-peak overshoot of the soft clip's output above its
/// ceiling, dB, held by `tests/bus_glue_modes.rs`
/// (`soft_clip_true_peak_overshoot_is_bounded`, libebur128's true-peak
/// meter, 18 dB drive, ceilings 0/−6/−12 dBFS). Measured: a 1 kHz
/// full-scale square +1.3 dB, a 0 dBFS 15 kHz sine +2.3 dB, full-scale
/// noise up to +4.2 dB. The tanh never exceeds the ceiling at the
/// oversampled rate; removing its harmonics above the base band (the
/// decimator) leaves Gibbs overshoot. Put a true-peak limiter (the
/// Maximizer) after it when a ceiling must hold.
pub const SOFT_CLIP_TRUE_PEAK_OVERSHOOT_DB: f64 = 4.5;

/// Settings of one band of the three-band mode.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BandSettings {
    /// Threshold, dBFS, −60 ..= 0.
    pub threshold_db: f32,
    /// Ratio, 1 ..= 20.
    pub ratio: f32,
    /// Attack time constant, ms, 0.1 ..= 30.
    pub attack_ms: f32,
    /// Release time constant, ms, 100 ..= 1200.
    pub release_ms: f32,
    /// Solo: only soloed bands are heard (when any is).
    pub solo: bool,
}

/// The default bands: slower on the lows, faster on the highs.
pub const DEFAULT_BANDS: [BandSettings; NUM_BANDS] = [
    BandSettings {
        threshold_db: -18.0,
        ratio: 2.0,
        attack_ms: 30.0,
        release_ms: 400.0,
        solo: false,
    },
    BandSettings {
        threshold_db: -18.0,
        ratio: 2.0,
        attack_ms: 10.0,
        release_ms: 300.0,
        solo: false,
    },
    BandSettings {
        threshold_db: -18.0,
        ratio: 2.0,
        attack_ms: 3.0,
        release_ms: 150.0,
        solo: false,
    },
];

impl BandSettings {
    /// Clamped to the documented ranges; non-finite values → `default`'s.
    pub fn sanitized(&self, default: &Self) -> Self {
        Self {
            threshold_db: clamp_or(
                self.threshold_db,
                THRESHOLD_RANGE_DBFS,
                default.threshold_db,
            ),
            ratio: clamp_or(self.ratio, RATIO_RANGE, default.ratio),
            attack_ms: clamp_or(self.attack_ms, ATTACK_RANGE_MS, default.attack_ms),
            release_ms: clamp_or(self.release_ms, RELEASE_RANGE_MS, default.release_ms),
            solo: self.solo,
        }
    }
}

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
    /// Three-band mode (see the module docs).
    pub multiband: bool,
    /// Crossover frequencies, Hz: lower 40 ..= 1000, upper 1000 ..= 12000.
    pub crossover_hz: [f32; 2],
    /// The three bands, lowest first. (A literal length, not
    /// [`NUM_BANDS`]: rustc 1.95 hits an internal compiler error on struct
    /// update syntax across crates with a path-constant array length.)
    pub bands: [BandSettings; 3],
    /// Output soft clip on the wet path (adds latency).
    pub soft_clip: bool,
    /// Soft-clip drive, dB, 0 ..= 18.
    pub soft_clip_drive_db: f32,
    /// Soft-clip ceiling, dBFS, −12 ..= 0.
    pub soft_clip_ceiling_db: f32,
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
            multiband: false,
            crossover_hz: [200.0, 2_500.0],
            bands: DEFAULT_BANDS,
            soft_clip: false,
            soft_clip_drive_db: 0.0,
            soft_clip_ceiling_db: 0.0,
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
            crossover_hz: [
                clamp_or(
                    self.crossover_hz[0],
                    CROSSOVER_1_RANGE_HZ,
                    d.crossover_hz[0],
                ),
                clamp_or(
                    self.crossover_hz[1],
                    CROSSOVER_2_RANGE_HZ,
                    d.crossover_hz[1],
                ),
            ],
            bands: std::array::from_fn(|b| self.bands[b].sanitized(&d.bands[b])),
            soft_clip_drive_db: clamp_or(
                self.soft_clip_drive_db,
                SOFT_CLIP_DRIVE_RANGE_DB,
                d.soft_clip_drive_db,
            ),
            soft_clip_ceiling_db: clamp_or(
                self.soft_clip_ceiling_db,
                SOFT_CLIP_CEILING_RANGE_DBFS,
                d.soft_clip_ceiling_db,
            ),
            ..*self
        }
    }

    /// The compressor settings of band `band` (< [`NUM_BANDS`]): the
    /// band's threshold, ratio and times, everything else global.
    pub fn band_compressor(&self, band: usize) -> CompressorSettings {
        let b = &self.bands[band];
        CompressorSettings {
            threshold_db: b.threshold_db,
            ratio: b.ratio,
            attack_ms: b.attack_ms,
            release_ms: b.release_ms,
            ..self.compressor()
        }
    }

    /// The saturator settings of the soft clip: `c·tanh(d·x/c)` is the tube
    /// curve driven by `d/c` with its output scaled by `c`.
    pub fn soft_clip_saturation(&self) -> SaturationSettings {
        SaturationSettings {
            enabled: self.soft_clip,
            character: SaturationCharacter::Tube,
            drive_db: self.soft_clip_drive_db - self.soft_clip_ceiling_db,
            compensate: false,
            output_db: self.soft_clip_ceiling_db,
            mix: 1.0,
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

/// The wet path (before the output gain) [`BusGlue::finish_plain`] takes.
#[derive(Clone, Copy)]
enum PlainWet<'a> {
    /// Single band: the input times these gains.
    Gains(&'a [[f64; CHUNK]; MAX_CHANNELS]),
    /// Three bands: the summed wet bands.
    Summed(&'a [[f64; CHUNK]; MAX_CHANNELS]),
}

/// One f64 buffer per channel for a chunk.
type ChunkBuffers = [[f64; CHUNK]; MAX_CHANNELS];

/// The working buffers of [`BusGlue::process_chunk`], kept in the
/// processor (allocated in `new`) so a chunk does not zero ~20 KB of stack
/// it then overwrites. Every buffer is written over the frames and
/// channels in use before it is read; what an earlier chunk left is never
/// read.
#[derive(Debug, Clone)]
struct ChunkScratch {
    /// The key after L/R, M or S (before the side-chain high-pass).
    key_frames: ChunkBuffers,
    /// Single band: the high-passed detector, the gains (linear), the wet
    /// path before the output gain.
    single_detector: ChunkBuffers,
    single_gains: ChunkBuffers,
    single_wet: ChunkBuffers,
    /// The three-band path's.
    three: BandScratch,
}

/// The working buffers of [`BusGlue::three_bands`] (see [`ChunkScratch`]).
#[derive(Debug, Clone)]
struct BandScratch {
    /// Summed over the audible bands: wet (before the output gain), the
    /// all-passed reference, the detector.
    wet: ChunkBuffers,
    reference: ChunkBuffers,
    detector: ChunkBuffers,
    /// The input as channel pairs, the crossover's bands as pairs, then
    /// planar: the bands, the derived or filtered detector bands, the band
    /// gains (linear), the per-frame audibility (0 ..= 1).
    pairs: [Pair; CHUNK],
    split: [[Pair; CHUNK]; CROSSOVER_MAX_BANDS],
    bands: [ChunkBuffers; NUM_BANDS],
    key_bands: [ChunkBuffers; NUM_BANDS],
    gains: [ChunkBuffers; NUM_BANDS],
    audible: [[f64; CHUNK]; NUM_BANDS],
}

impl ChunkScratch {
    /// Zeroed, on the heap. Allocates.
    fn new() -> Box<Self> {
        let zeros = [[0.0; CHUNK]; MAX_CHANNELS];
        Box::new(Self {
            key_frames: zeros,
            single_detector: zeros,
            single_gains: zeros,
            single_wet: zeros,
            three: BandScratch {
                wet: zeros,
                reference: zeros,
                detector: zeros,
                pairs: [Pair::default(); CHUNK],
                split: [[Pair::default(); CHUNK]; CROSSOVER_MAX_BANDS],
                bands: [zeros; NUM_BANDS],
                key_bands: [zeros; NUM_BANDS],
                gains: [zeros; NUM_BANDS],
                audible: [[0.0; CHUNK]; NUM_BANDS],
            },
        })
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
    /// Largest gain reduction of each band in three-band mode, dB ≥ 0
    /// (zeros in single-band mode).
    pub band_gain_reduction_db: [f32; 3],
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
    /// Frames since the last reset modulo [`CHUNK`] (chunk alignment).
    chunk_phase: usize,
    // Three-band mode.
    /// 0 = single band, 1 = three bands (crossfaded).
    multiband: Fade,
    /// The main input's crossover, both channels as a pair.
    crossover: PairCrossover,
    /// The external key's crossover (only run with an external key).
    key_crossover: Crossover,
    /// Crossover frequencies, Hz, gliding (updated every [`CHUNK`] frames).
    crossover_hz: [Smoother; 2],
    band_compressors: [Compressor; NUM_BANDS],
    band_hpf_states: [[ButterworthState; MAX_CHANNELS]; NUM_BANDS],
    /// Per-band audibility (solo), 0 ..= 1, crossfaded.
    band_audible: [Smoother; NUM_BANDS],
    /// 1 while the mix target is above 0; at 0 the output fades to the
    /// input itself (bit-exact, not all-passed).
    aligned: Fade,
    // Soft clip.
    soft_clip: Saturator,
    /// Dry input, the mix's reference and the detector (Listen), delayed
    /// by the soft clip's latency while it is on.
    dry_delay: [DelayLine; MAX_CHANNELS],
    reference_delay: [DelayLine; MAX_CHANNELS],
    detector_delay: [DelayLine; MAX_CHANNELS],
    /// Soft clip in use (the latency it reports).
    soft_clip_on: bool,
    /// Skip the audio path of silent chunks at rest ([`Self::is_at_rest`]).
    silence_skip: bool,
    /// Frames whose audio path was skipped as provably silent.
    frames_skipped: u64,
    /// Working buffers of a chunk; taken out while one is processed (a
    /// pointer move, no allocation), so always `Some` between chunks.
    scratch: Option<Box<ChunkScratch>>,
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
            chunk_phase: 0,
            multiband: Fade::new(false, 1),
            crossover: PairCrossover::new(
                sample_rate,
                BAND_SLOPE,
                NUM_BANDS,
                band_splits(&settings),
            ),
            key_crossover: Crossover::new(
                sample_rate,
                BAND_SLOPE,
                NUM_BANDS,
                band_splits(&settings),
            ),
            crossover_hz: settings
                .crossover_hz
                .map(|hz| Smoother::multiplicative(f64::from(hz), 1)),
            band_compressors: std::array::from_fn(|_| Compressor::new(sample_rate, num_channels)),
            band_hpf_states: [[ButterworthState::default(); MAX_CHANNELS]; NUM_BANDS],
            band_audible: [Smoother::linear(1.0, 1); NUM_BANDS],
            aligned: Fade::new(true, 1),
            soft_clip: Saturator::new(sample_rate, num_channels),
            dry_delay: std::array::from_fn(|_| new_latency_delay()),
            reference_delay: std::array::from_fn(|_| new_latency_delay()),
            detector_delay: std::array::from_fn(|_| new_latency_delay()),
            soft_clip_on: false,
            silence_skip: true,
            frames_skipped: 0,
            scratch: Some(ChunkScratch::new()),
        };
        glue.set_sample_rate(sample_rate);
        glue
    }

    /// Re-derives everything rate-dependent and resets. May allocate (the
    /// meters' true-peak stages): call it off the audio thread.
    pub fn set_sample_rate(&mut self, sample_rate: f64) {
        self.sample_rate = sample_rate;
        self.compressor.set_sample_rate(sample_rate);
        for c in &mut self.band_compressors {
            c.set_sample_rate(sample_rate);
        }
        self.crossover.set_sample_rate(sample_rate);
        self.key_crossover.set_sample_rate(sample_rate);
        self.soft_clip.set_sample_rate(sample_rate);
        self.input_meter.set_sample_rate(sample_rate);
        self.output_meter.set_sample_rate(sample_rate);
        let ramp = Smoother::samples_for_ms(GAIN_RAMP_MS, sample_rate);
        self.output_gain.set_ramp_samples(ramp);
        self.mix.set_ramp_samples(ramp);
        self.level_match_gain.set_ramp_samples(ramp);
        let crossfade = Smoother::samples_for_ms(CROSSFADE_MS, sample_rate);
        self.bypass_mix.set_ramp_samples(crossfade);
        self.monitor_fade.set_fade_samples(crossfade);
        self.multiband.set_fade_samples(crossfade);
        self.aligned.set_fade_samples(crossfade);
        for s in &mut self.band_audible {
            s.set_ramp_samples(crossfade);
        }
        for s in &mut self.crossover_hz {
            s.set_ramp_samples(ramp);
        }
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
        self.reset_bands();
        self.reset_soft_clip();
        self.multiband.settle();
        self.aligned.settle();
        for s in self.band_audible.iter_mut().chain(&mut self.crossover_hz) {
            s.settle();
        }
        self.update_crossovers();
        self.chunk_phase = 0;
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

    /// Clears the three-band path (crossovers, band detectors). Never allocates.
    fn reset_bands(&mut self) {
        self.crossover.reset();
        self.key_crossover.reset();
        for c in &mut self.band_compressors {
            c.reset();
        }
        self.band_hpf_states = [[ButterworthState::default(); MAX_CHANNELS]; NUM_BANDS];
    }

    /// Clears the soft clip and its alignment delays. Never allocates.
    fn reset_soft_clip(&mut self) {
        self.soft_clip.reset();
        for d in self
            .dry_delay
            .iter_mut()
            .chain(&mut self.reference_delay)
            .chain(&mut self.detector_delay)
        {
            d.reset();
        }
    }

    /// The crossovers at the gliding frequencies. Never allocates.
    fn update_crossovers(&mut self) {
        let splits = [
            self.crossover_hz[0].value(),
            self.crossover_hz[1].value(),
            0.0,
        ];
        self.crossover.set_bands(NUM_BANDS, splits);
        self.key_crossover.set_bands(NUM_BANDS, splits);
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
        for (b, c) in self.band_compressors.iter_mut().enumerate() {
            c.set_settings(&settings.band_compressor(b));
        }
        for (s, &hz) in self.crossover_hz.iter_mut().zip(&settings.crossover_hz) {
            s.set_target(f64::from(hz));
        }
        let any_solo = settings.bands.iter().any(|b| b.solo);
        for (s, b) in self.band_audible.iter_mut().zip(&settings.bands) {
            s.set_target(if !any_solo || b.solo { 1.0 } else { 0.0 });
        }
        if settings.multiband != old.multiband && self.multiband.is_on() {
            // The single-band compressor idled: it starts from rest.
            self.compressor.reset();
        }
        if settings.multiband != old.multiband && self.multiband.is_off() {
            // The three-band path starts from rest.
            self.reset_bands();
        }
        self.multiband.set_on(settings.multiband);
        self.aligned.set_on(settings.mix > 0.0);
        self.soft_clip
            .set_settings(&settings.soft_clip_saturation());
        if settings.soft_clip != self.soft_clip_on {
            // A latency change: the host restarts processing around it.
            self.soft_clip_on = settings.soft_clip;
            self.reset_soft_clip();
        }
        self.output_gain
            .set_target(db_to_amplitude(f64::from(settings.output_db)));
        self.mix.set_target(f64::from(settings.mix));
        let monitor = settings.monitor();
        if settle {
            self.output_gain.settle();
            self.mix.settle();
            self.multiband.settle();
            self.aligned.settle();
            for s in self.band_audible.iter_mut().chain(&mut self.crossover_hz) {
                s.settle();
            }
            self.update_crossovers();
            for c in &mut self.band_compressors {
                c.reset();
            }
            self.soft_clip.reset();
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

    /// Latency, samples: 0, or [`SOFT_CLIP_LATENCY_SAMPLES`] with the soft
    /// clip on.
    pub fn latency_samples(&self) -> usize {
        if self.soft_clip_on {
            SOFT_CLIP_LATENCY_SAMPLES
        } else {
            0
        }
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
            for (b, &r) in block
                .band_gain_reduction_db
                .iter_mut()
                .zip(&s.band_gain_reduction_db)
            {
                *b = b.max(r);
            }
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
            let mut len = (frames - start).min(CHUNK - self.chunk_phase);
            if metering {
                // Chunks end on meter steps, so the level match changes at
                // the same sample whatever the host's block size.
                len = len.min(self.input_meter.samples_until_next_step().max(1));
            }
            if !(key.is_none() && self.skip_silent_chunk(channels, used, start, len, metering)) {
                self.process_chunk(channels, used, key, start, len, metering);
            }
            self.chunk_phase = (self.chunk_phase + len) % CHUNK;
            start += len;
        }
    }

    /// One chunk of at most [`CHUNK`] frames, with the working buffers
    /// taken out of `self` for it (so the helpers may borrow the rest).
    fn process_chunk(
        &mut self,
        channels: &mut [&mut [f32]],
        used: usize,
        key: Option<&[&[f32]]>,
        start: usize,
        len: usize,
        metering: bool,
    ) {
        let Some(mut scratch) = self.scratch.take() else {
            // Unreachable: only this function takes it, and it puts it back.
            debug_assert!(false, "the chunk scratch is always returned");
            return;
        };
        self.process_chunk_with(&mut scratch, channels, used, key, start, len, metering);
        self.scratch = Some(scratch);
    }

    // Planar slices visited frame by frame (the link needs every channel).
    #[allow(clippy::needless_range_loop, clippy::too_many_arguments)]
    fn process_chunk_with(
        &mut self,
        scratch: &mut ChunkScratch,
        channels: &mut [&mut [f32]],
        used: usize,
        key: Option<&[&[f32]]>,
        start: usize,
        len: usize,
        metering: bool,
    ) {
        let n = self.num_channels;
        let len = len.min(CHUNK);
        if self.chunk_phase == 0 && self.crossover_hz.iter().any(Smoother::is_smoothing) {
            // Control rate: the crossovers move every CHUNK frames.
            for s in &mut self.crossover_hz {
                s.advance(CHUNK as u32);
            }
            self.update_crossovers();
        }
        let mut dry = [[0.0f32; CHUNK]; MAX_CHANNELS];
        // Channel by channel (unused channels stay 0.0).
        for (d, channel) in dry.iter_mut().zip(channels[..used].iter()) {
            for (d, &x) in d[..len].iter_mut().zip(&channel[start..start + len]) {
                *d = sanitize_clamped(x, MAX_INPUT_ABS);
            }
        }
        // The key after L/R, M or S (before the side-chain high-pass).
        let key_frames = &mut scratch.key_frames;
        let own_key = key.is_none()
            && (n < MAX_CHANNELS || self.settings.detect_mode == DetectMode::LeftRight);
        // Three bands alone read the key only when it is external (they
        // derive M/S from the main bands).
        let key_needed = !self.multiband.is_on() || key.is_some();
        if own_key && key_needed {
            // The key is the input itself (what the loop below gives then).
            for (k, d) in key_frames[..n].iter_mut().zip(&dry) {
                for (k, &x) in k[..len].iter_mut().zip(&d[..len]) {
                    *k = f64::from(x);
                }
            }
        }
        if !own_key && key_needed {
            for i in 0..len {
                let frame = start + i;
                let mut k = [0.0f64; MAX_CHANNELS];
                for c in 0..n {
                    k[c] = f64::from(dry[c][i]);
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
                    k = mid_side(self.settings.detect_mode, k);
                }
                for c in 0..n {
                    key_frames[c][i] = k[c];
                }
            }
        }

        let key_frames = &scratch.key_frames;
        // Single band: the wet path (before the output gain) and the detector.
        let single_wet = &mut scratch.single_wet;
        let single_hpf = &mut scratch.single_detector;
        // Without the high-pass the detector is the key itself.
        let mut single_detector = key_frames;
        if !self.multiband.is_on() {
            let hpf = self.settings.sc_hpf_enabled;
            if hpf {
                for c in 0..n {
                    for i in 0..len {
                        single_hpf[c][i] =
                            self.hpf_states[c].process(&self.hpf_coefs, key_frames[c][i]);
                    }
                }
            }
            // Without the high-pass the detector is the key itself: read it
            // in place.
            let detector_in: &ChunkBuffers = if hpf { single_hpf } else { key_frames };
            let gains = &mut scratch.single_gains;
            {
                let [d0, d1] = detector_in;
                let views: [&[f64]; MAX_CHANNELS] = [&d0[..len], &d1[..len]];
                let [g0, g1] = &mut *gains;
                let mut outs: [&mut [f64]; MAX_CHANNELS] = [&mut g0[..len], &mut g1[..len]];
                if hpf {
                    self.compressor.compute_gains(&views[..n], &mut outs[..n]);
                } else {
                    // The key is sanitised f32 input (or a key channel
                    // sanitised the same way, or M/S sums of them), widened:
                    // every sample normal or ±0, which sanitising keeps.
                    self.compressor
                        .compute_gains_sanitized(&views[..n], &mut outs[..n]);
                }
            }
            self.stats.gain_reduction_db = self
                .stats
                .gain_reduction_db
                .max(self.compressor.gain_reduction_db() as f32);
            if self.multiband.is_off() && self.finishes_plain() {
                self.finish_plain(
                    channels,
                    used,
                    start,
                    &dry,
                    // The key is the input widened, exactly: its peak is
                    // the input's.
                    (!own_key || hpf).then_some(detector_in),
                    PlainWet::Gains(gains),
                    len,
                    metering,
                );
                return;
            }
            single_detector = detector_in;
            for c in 0..n {
                for i in 0..len {
                    single_wet[c][i] = f64::from(dry[c][i]) * gains[c][i];
                }
            }
        }

        // Three bands: wet (before the output gain), the all-passed reference
        // and the detector, each summed over the audible bands.
        if !self.multiband.is_off() {
            self.three_bands(&dry, key_frames, key.is_some(), len, &mut scratch.three);
            if self.multiband.is_on() && self.finishes_plain() {
                self.finish_plain(
                    channels,
                    used,
                    start,
                    &dry,
                    Some(&scratch.three.detector),
                    PlainWet::Summed(&scratch.three.wet),
                    len,
                    metering,
                );
                return;
            }
        }

        // Blend the modes; output gain on the wet path.
        let mut wet = [[0.0f64; CHUNK]; MAX_CHANNELS];
        let mut reference = [[0.0f64; CHUNK]; MAX_CHANNELS];
        let mut detector = [[0.0f64; CHUNK]; MAX_CHANNELS];
        if self.multiband.is_off() && !self.output_gain.is_smoothing() {
            // Single band, output gain settled (a settled smoother returns
            // its target): the loop below with m = 0, channel by channel.
            let output_gain = self.output_gain.tick();
            for c in 0..n {
                for i in 0..len {
                    let d = single_detector[c][i];
                    wet[c][i] = single_wet[c][i] * output_gain;
                    reference[c][i] = f64::from(dry[c][i]);
                    detector[c][i] = d;
                    self.stats.detector_peak = self.stats.detector_peak.max(d.abs() as f32);
                }
            }
        } else {
            self.blend_modes(
                &dry,
                [single_wet, single_detector],
                [
                    &scratch.three.wet,
                    &scratch.three.reference,
                    &scratch.three.detector,
                ],
                len,
                [&mut wet, &mut reference, &mut detector],
            );
        }

        if self.soft_clip_on {
            {
                let [w0, w1] = &mut wet;
                let mut views: [&mut [f64]; MAX_CHANNELS] = [&mut w0[..len], &mut w1[..len]];
                self.soft_clip.process(&mut views[..n]);
            }
            // Everything the wet path meets is delayed to match it.
            for c in 0..n {
                for i in 0..len {
                    dry[c][i] = self.dry_delay[c].process(dry[c][i]);
                    reference[c][i] =
                        f64::from(self.reference_delay[c].process(reference[c][i] as f32));
                    detector[c][i] =
                        f64::from(self.detector_delay[c].process(detector[c][i] as f32));
                }
            }
        }

        let monitor = self.settings.monitor();
        let mut processed = [[0.0f32; CHUNK]; MAX_CHANNELS];
        let plain = self.is_plain_output();
        if plain {
            // The loop below when nothing blends: mix 1, aligned, no
            // bypass, no monitor fade, the output monitored. Its settled
            // smoothers return their targets; the level-match gain still
            // advances as it would frame by frame.
            self.level_match_gain.advance(len as u32);
            for c in 0..n {
                for i in 0..len {
                    let out = wet[c][i] as f32;
                    processed[c][i] = out;
                    if c < used {
                        channels[c][start + i] = out;
                    }
                    self.stats.input_peak = self.stats.input_peak.max(dry[c][i].abs());
                    self.stats.output_peak = self.stats.output_peak.max(out.abs());
                }
            }
        }
        if !plain {
            for i in 0..len {
                let mix = self.mix.tick();
                let aligned = if self.aligned.is_on() {
                    1.0
                } else if self.aligned.is_off() {
                    0.0
                } else {
                    self.aligned.step()
                };
                let level_match = self.level_match_gain.tick();
                let bypass = self.bypass_mix.tick();
                let fade = self
                    .monitor_fade
                    .is_fading()
                    .then(|| self.monitor_fade.step());
                for c in 0..n {
                    let x = f64::from(dry[c][i]);
                    let wet = wet[c][i];
                    let r = reference[c][i];
                    let mixed = if mix == 1.0 { wet } else { r + mix * (wet - r) };
                    // At mix 0 the output is the input itself, not its all-pass.
                    let (out, r) = if aligned == 1.0 {
                        (mixed as f32, r)
                    } else if aligned == 0.0 {
                        (dry[c][i], x)
                    } else {
                        ((x + aligned * (mixed - x)) as f32, x + aligned * (r - x))
                    };
                    processed[c][i] = out;
                    let select = |m: Monitor| match m {
                        Monitor::Output => f64::from(out),
                        Monitor::Listen => detector[c][i],
                        Monitor::Delta => r - f64::from(out),
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
        }
        if metering {
            self.meter_chunk(&dry, &processed, len);
        }
    }

    /// True if nothing blends after the wet path: the output monitored, mix
    /// settled at 1, aligned, no plugin bypass, no monitor crossfade.
    fn is_plain_output(&self) -> bool {
        self.settings.monitor() == Monitor::Output
            && !self.mix.is_smoothing()
            && self.mix.target() == 1.0
            && self.aligned.is_on()
            && !self.bypass_mix.is_smoothing()
            && self.bypass_mix.target() <= 0.0
            && !self.monitor_fade.is_fading()
    }

    /// True if a settled mode may finish its chunk with
    /// [`Self::finish_plain`]: a plain output, a settled output gain, no
    /// soft clip.
    fn finishes_plain(&self) -> bool {
        !self.soft_clip_on && !self.output_gain.is_smoothing() && self.is_plain_output()
    }

    /// The rest of [`Self::process_chunk`] for one settled mode (single
    /// band, or three bands with the crossfade done) with a plain output
    /// ([`Self::is_plain_output`]), a settled output gain and no soft clip:
    /// the wet path, the output gain and the output, a few straight passes
    /// per channel. The same arithmetic in the same order as the general
    /// path (`x·g`, or the summed bands, × the output gain, rounded to f32),
    /// so the same bits; the peaks are maxima (order-free), the detector's
    /// taken in f64 and rounded once (rounding is monotonic: the same value).
    /// `detector` `None`: the detector is the input itself, widened to f64
    /// (exact), so its peak is the input's and is not taken again.
    #[allow(clippy::too_many_arguments)]
    fn finish_plain(
        &mut self,
        channels: &mut [&mut [f32]],
        used: usize,
        start: usize,
        dry: &[[f32; CHUNK]; MAX_CHANNELS],
        detector: Option<&[[f64; CHUNK]; MAX_CHANNELS]>,
        wet: PlainWet<'_>,
        len: usize,
        metering: bool,
    ) {
        let n = self.num_channels;
        // A settled smoother returns its target without changing.
        let output_gain = self.output_gain.tick();
        self.level_match_gain.advance(len as u32);
        let mut processed = [[0.0f32; CHUNK]; MAX_CHANNELS];
        let (mut input_peak, mut output_peak, mut detector_peak) = (0.0f32, 0.0f32, 0.0f64);
        for c in 0..n {
            let x = &dry[c][..len];
            let out = &mut processed[c][..len];
            // Separate passes: each one vectorises.
            match wet {
                PlainWet::Gains(gains) => {
                    for ((y, &x), &g) in out.iter_mut().zip(x).zip(&gains[c][..len]) {
                        *y = ((f64::from(x) * g) * output_gain) as f32;
                    }
                }
                PlainWet::Summed(wet) => {
                    for (y, &w) in out.iter_mut().zip(&wet[c][..len]) {
                        *y = (w * output_gain) as f32;
                    }
                }
            }
            input_peak = x.iter().fold(input_peak, |m, &v| m.max(v.abs()));
            output_peak = out.iter().fold(output_peak, |m, &v| m.max(v.abs()));
            if let Some(detector) = detector {
                let d = &detector[c][..len];
                detector_peak = d.iter().fold(detector_peak, |m, &v| m.max(v.abs()));
            }
            if c < used {
                channels[c][start..start + len].copy_from_slice(out);
            }
        }
        let stats = &mut self.stats;
        stats.input_peak = stats.input_peak.max(input_peak);
        stats.output_peak = stats.output_peak.max(output_peak);
        let detector_peak = match detector {
            Some(_) => detector_peak as f32,
            // Widening is exact and monotonic: the same maximum.
            None => input_peak,
        };
        stats.detector_peak = stats.detector_peak.max(detector_peak);
        if metering {
            self.meter_chunk(dry, &processed, len);
        }
    }

    /// Turns the silence skip on (the default) or off: for tests and
    /// benchmarks that compare the two (the output is the same either way).
    pub fn set_silence_skip(&mut self, enabled: bool) {
        self.silence_skip = enabled;
    }

    /// Frames whose audio path was skipped as provably silent since
    /// construction.
    pub fn frames_skipped(&self) -> u64 {
        self.frames_skipped
    }

    /// True if a chunk of +0.0 input (and no external key) comes out as
    /// +0.0 and leaves the audio path as it is: single band, soft clip off,
    /// no control gliding or fading, the compressor settled on silence
    /// (`Compressor::is_at_rest`) and the side-chain high-pass clear. Every
    /// gain then multiplies +0.0 and every blend mixes zeros.
    fn is_at_rest(&self) -> bool {
        let still = |s: &Smoother| !s.is_smoothing();
        self.multiband.is_off()
            && !self.soft_clip_on
            && still(&self.output_gain)
            && still(&self.mix)
            && still(&self.level_match_gain)
            && still(&self.bypass_mix)
            && self.crossover_hz.iter().all(still)
            && self.band_audible.iter().all(still)
            && !self.monitor_fade.is_fading()
            && !self.aligned.is_fading()
            && self.compressor.is_at_rest()
            && (!self.settings.sc_hpf_enabled
                || self.hpf_states[..self.num_channels]
                    .iter()
                    .all(ButterworthState::is_zero))
    }

    /// Issue 9: a chunk of `len` frames at `start` whose input is all +0.0
    /// after sanitising, while [`Self::is_at_rest`], is written as +0.0
    /// without running the audio path (bit-identical to running it:
    /// `tests/bus_glue_silence.rs`); the meters still take the chunk.
    /// Returns false (nothing done) otherwise.
    fn skip_silent_chunk(
        &mut self,
        channels: &mut [&mut [f32]],
        used: usize,
        start: usize,
        len: usize,
        metering: bool,
    ) -> bool {
        let silent = self.silence_skip
            && channels[..used].iter().all(|c| {
                c[start..start + len]
                    .iter()
                    .all(|&x| sanitize_clamped(x, MAX_INPUT_ABS).to_bits() == 0)
            })
            && self.is_at_rest();
        if !silent {
            return false;
        }
        for channel in channels[..used].iter_mut() {
            channel[start..start + len].fill(0.0);
        }
        // What the audio path reports for silence at rest: peaks stay 0 and
        // the reduction is exactly 0 dB on every frame.
        self.stats.gain_reduction_db = self.stats.gain_reduction_db.max(0.0);
        if metering {
            let zeros = [[0.0f32; CHUNK]; MAX_CHANNELS];
            self.meter_chunk(&zeros, &zeros, len);
        }
        self.frames_skipped += len as u64;
        true
    }

    /// The peak holds, loudness meters and level match on a chunk's input
    /// (`dry`) and processed output.
    fn meter_chunk(
        &mut self,
        dry: &[[f32; CHUNK]; MAX_CHANNELS],
        processed: &[[f32; CHUNK]; MAX_CHANNELS],
        len: usize,
    ) {
        let n = self.num_channels;
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

    /// The blend of the single- and three-band paths, output gain on the
    /// wet path: `[wet, reference, detector]` for `len` frames.
    #[allow(clippy::needless_range_loop)]
    fn blend_modes(
        &mut self,
        dry: &[[f32; CHUNK]; MAX_CHANNELS],
        [single_wet, single_detector]: [&[[f64; CHUNK]; MAX_CHANNELS]; 2],
        [band_wet, band_reference, band_detector]: [&[[f64; CHUNK]; MAX_CHANNELS]; 3],
        len: usize,
        [wet, reference, detector]: [&mut [[f64; CHUNK]; MAX_CHANNELS]; 3],
    ) {
        let n = self.num_channels;
        for i in 0..len {
            let m = if self.multiband.is_on() {
                1.0
            } else if self.multiband.is_off() {
                0.0
            } else {
                self.multiband.step()
            };
            let output_gain = self.output_gain.tick();
            for c in 0..n {
                let x = f64::from(dry[c][i]);
                let (w, r, d) = if m == 0.0 {
                    (single_wet[c][i], x, single_detector[c][i])
                } else if m == 1.0 {
                    (band_wet[c][i], band_reference[c][i], band_detector[c][i])
                } else {
                    (
                        single_wet[c][i] + m * (band_wet[c][i] - single_wet[c][i]),
                        x + m * (band_reference[c][i] - x),
                        single_detector[c][i] + m * (band_detector[c][i] - single_detector[c][i]),
                    )
                };
                wet[c][i] = w * output_gain;
                reference[c][i] = r;
                detector[c][i] = d;
                self.stats.detector_peak = self.stats.detector_peak.max(d.abs() as f32);
            }
        }
    }

    /// The three-band path for one chunk: splits the input, derives each
    /// band's detector (from the main bands, or the external key's own
    /// split), runs the band compressors and writes `out.wet`,
    /// `out.reference` and `out.detector` summed over the audible bands
    /// (wet before the output gain). Never allocates.
    #[allow(clippy::needless_range_loop)]
    fn three_bands(
        &mut self,
        dry: &[[f32; CHUNK]; MAX_CHANNELS],
        key_frames: &ChunkBuffers,
        external: bool,
        len: usize,
        out: &mut BandScratch,
    ) {
        let n = self.num_channels;
        let len = len.min(CHUNK);
        let BandScratch {
            wet,
            reference,
            detector,
            pairs,
            split,
            bands,
            key_bands,
            gains,
            audible,
        } = out;
        // Both channels at once (a mono input's second lane is silence), a
        // block at a time: each band bit for bit what the scalar crossover
        // gives (`PairCrossover::split_block`).
        for (p, (&l, &r)) in pairs[..len]
            .iter_mut()
            .zip(dry[0][..len].iter().zip(&dry[1][..len]))
        {
            *p = Pair::new(f64::from(l), f64::from(r));
        }
        self.crossover.split_block(&pairs[..len], split);
        for (band, split) in bands.iter_mut().zip(split.iter()) {
            let [l, r] = band;
            for ((l, r), p) in l[..len].iter_mut().zip(&mut r[..len]).zip(&split[..len]) {
                *l = p.lo();
                *r = p.hi();
            }
        }
        let stereo = n == MAX_CHANNELS;
        let mode = self.settings.detect_mode;
        let derived = external || (stereo && mode != DetectMode::LeftRight);
        let hpf = self.settings.sc_hpf_enabled;
        // The detector bands: the main bands themselves unless derived or
        // filtered.
        if external {
            // M or S keys are the same on both channels: split once.
            let distinct = if stereo && mode != DetectMode::LeftRight {
                1
            } else {
                n
            };
            let mut frame = [0.0f64; CROSSOVER_MAX_BANDS];
            for c in 0..distinct {
                for i in 0..len {
                    self.key_crossover.split(c, key_frames[c][i], &mut frame);
                    for b in 0..NUM_BANDS {
                        key_bands[b][c][i] = frame[b];
                    }
                }
            }
            for band in key_bands.iter_mut() {
                for c in distinct..n {
                    band[c] = band[0];
                }
            }
        } else if derived {
            for (key_band, band) in key_bands.iter_mut().zip(bands.iter()) {
                for i in 0..len {
                    let k = mid_side(mode, [band[0][i], band[1][i]]);
                    key_band[0][i] = k[0];
                    key_band[1][i] = k[1];
                }
            }
        }
        if hpf {
            // In place on the derived bands, else from the main bands.
            for b in 0..NUM_BANDS {
                let states = &mut self.band_hpf_states[b];
                for c in 0..n {
                    for i in 0..len {
                        let x = if derived {
                            key_bands[b][c][i]
                        } else {
                            bands[b][c][i]
                        };
                        key_bands[b][c][i] = states[c].process(&self.hpf_coefs, x);
                    }
                }
            }
        }
        let detectors: &[ChunkBuffers; NUM_BANDS] = if derived || hpf { key_bands } else { bands };
        {
            // The three compressors together: their ballistics overlap.
            let views: [[&[f64]; MAX_CHANNELS]; NUM_BANDS] =
                std::array::from_fn(|b| [&detectors[b][0][..len], &detectors[b][1][..len]]);
            let mut outs: [[&mut [f64]; MAX_CHANNELS]; NUM_BANDS] = gains
                .each_mut()
                .map(|[g0, g1]| [&mut g0[..len], &mut g1[..len]]);
            Compressor::compute_gains_each(
                &mut self.band_compressors,
                views.each_ref().map(|v| &v[..n]),
                outs.each_mut().map(|o| &mut o[..n]),
            );
        }
        for (b, compressor) in self.band_compressors.iter().enumerate() {
            let reduction = compressor.gain_reduction_db() as f32;
            self.stats.band_gain_reduction_db[b] =
                self.stats.band_gain_reduction_db[b].max(reduction);
            self.stats.gain_reduction_db = self.stats.gain_reduction_db.max(reduction);
        }
        // Every band heard, settled (no solo, no solo fade): the sums
        // below without the × 1.0 (exact, so the same bits), and without
        // the reference when the plain finish, which never reads it, follows.
        let all_heard = self
            .band_audible
            .iter()
            .all(|s| !s.is_smoothing() && s.target() == 1.0);
        if all_heard {
            for s in &mut self.band_audible {
                s.tick();
            }
            let need_reference = !(self.multiband.is_on() && self.finishes_plain());
            for c in 0..n {
                let [b0, b1, b2] = [&bands[0][c], &bands[1][c], &bands[2][c]];
                let [g0, g1, g2] = [&gains[0][c], &gains[1][c], &gains[2][c]];
                let [d0, d1, d2] = [&detectors[0][c], &detectors[1][c], &detectors[2][c]];
                for i in 0..len {
                    wet[c][i] = 0.0 + b0[i] * g0[i] + b1[i] * g1[i] + b2[i] * g2[i];
                    detector[c][i] = 0.0 + d0[i] + d1[i] + d2[i];
                }
                if need_reference {
                    for i in 0..len {
                        reference[c][i] = 0.0 + b0[i] + b1[i] + b2[i];
                    }
                }
            }
            return;
        }
        // Audibility per frame (a settled smoother returns its target).
        for (a, s) in audible.iter_mut().zip(&mut self.band_audible) {
            if s.is_smoothing() {
                for a in &mut a[..len] {
                    *a = s.tick();
                }
            } else {
                a[..len].fill(s.tick());
            }
        }
        // Channel by channel, each frame summing the bands in order from
        // 0.0 (the same sums, so the same bits, as frame by frame).
        for c in 0..n {
            for i in 0..len {
                let (mut w, mut r, mut d) = (0.0, 0.0, 0.0);
                for b in 0..NUM_BANDS {
                    let band = audible[b][i] * bands[b][c][i];
                    w += band * gains[b][c][i];
                    r += band;
                    d += audible[b][i] * detectors[b][c][i];
                }
                wet[c][i] = w;
                reference[c][i] = r;
                detector[c][i] = d;
            }
        }
    }
}

/// The detector key for `mode` from a stereo frame: L/R as it is, or the
/// mid `(L + R)/2` or side `(L − R)/2` on both channels.
#[inline]
fn mid_side(mode: DetectMode, k: [f64; MAX_CHANNELS]) -> [f64; MAX_CHANNELS] {
    match mode {
        DetectMode::LeftRight => k,
        DetectMode::Mid => {
            let mid = 0.5 * (k[0] + k[1]);
            [mid, mid]
        }
        DetectMode::Side => {
            let side = 0.5 * (k[0] - k[1]);
            [side, side]
        }
    }
}

/// The crossover's split array for `settings` (the third split unused).
fn band_splits(settings: &BusGlueSettings) -> [f64; CROSSOVER_MAX_BANDS - 1] {
    [
        f64::from(settings.crossover_hz[0]),
        f64::from(settings.crossover_hz[1]),
        0.0,
    ]
}

/// A delay line for the soft clip's latency, set to it. Allocates.
fn new_latency_delay() -> DelayLine {
    let mut d = DelayLine::new(SOFT_CLIP_LATENCY_SAMPLES);
    d.set_delay_samples(SOFT_CLIP_LATENCY_SAMPLES);
    d
}

/// Held sample peak (dB) minus short-term loudness, if both are defined.
fn plr(peak: &PeakHold, meter: &LoudnessMeter) -> Option<f64> {
    let peak_db = peak.value();
    (peak_db > 0.0)
        .then(|| amplitude_to_db(peak_db))
        .zip(meter.readings().short_term_lufs)
        .map(|(peak, loudness)| peak - loudness)
}
