//! ITU-R BS.1770-4 / EBU R128 loudness measurement (EBU Tech 3341, 3342).
//!
//! [`LoudnessMeter`] is the unit plugins and the CLI use. Its parts are
//! usable alone: [`k_weighting`] (the filter), [`gating`] (integrated
//! loudness), [`range`] (LRA), [`true_peak`], [`channels`] (weights), over the
//! bounded [`histogram`].
//!
//! Energies here are channel-weighted mean squares of the K-weighted signal
//! (`z = Σ G_i·mean(y_i²)`, full scale = 1.0); loudness is
//! `−0.691 + 10·log10(z)` LUFS (BS.1770-4 Annex 1).

pub mod channels;
pub mod gating;
pub mod histogram;
pub mod k_weighting;
mod meter;
pub mod range;
pub mod stereo_fold;
pub mod targets;

pub use channels::{ChannelRole, MAX_CHANNELS};
pub use meter::{
    LoudnessMeter, LoudnessReadings, FINE_HOP_S, MAX_SAMPLE_RATE_HZ, MIN_SAMPLE_RATE_HZ,
    MOMENTARY_WINDOW_HOPS, MOMENTARY_WINDOW_STEPS, SHORT_TERM_WINDOW_STEPS, STEP_DURATION_S,
};
pub use stereo_fold::StereoFoldMeter;

/// Offset in the loudness formula, dB: `L = −0.691 + 10·log10(z)`
/// (BS.1770-4 Annex 1: a 0 dBFS 1 kHz sine on one front channel reads
/// −3.01 LUFS; the offset cancels the K-weighting gain at 1 kHz).
pub const LOUDNESS_OFFSET_DB: f64 = -0.691;

/// Loudness of a channel-weighted mean-square energy, LUFS (−∞ for 0).
#[inline]
pub fn energy_to_lufs(energy: f64) -> f64 {
    LOUDNESS_OFFSET_DB + 10.0 * energy.log10()
}

/// Channel-weighted mean-square energy of a loudness in LUFS.
#[inline]
pub fn lufs_to_energy(loudness_lufs: f64) -> f64 {
    10f64.powf((loudness_lufs - LOUDNESS_OFFSET_DB) / 10.0)
}
