//! Gated integrated loudness (ITU-R BS.1770-4 Annex 1, "Gating of 400 ms blocks"), over a
//! bounded histogram so memory stays constant over hours of programme.
//!
//! Gating blocks are 400 ms with 75 % overlap (one per 100 ms step). Blocks at
//! or below the absolute gate Γa = −70 LUFS are dropped; of the rest, those
//! above the relative gate Γr = (loudness of their mean energy) − 10 LU are
//! power-averaged into the integrated loudness.
//!
//! Resolution: blocks are binned at [`GATING_BIN_WIDTH_LU`] = 0.01 LU from
//! −70 to +30 LUFS (louder blocks go to the top bin; their energy still counts
//! exactly). Each bin holds its exact energy sum, so the result is exact but
//! for blocks within 0.01 LU of Γr, which are all counted in or all out
//! together. Memory: 10 000 bins × 32 bytes ≈ 320 kB.

use super::histogram::LoudnessHistogram;
use super::{energy_to_lufs, lufs_to_energy};

/// Absolute gate Γa, LUFS (BS.1770-4 Annex 1, gating stage 1).
pub const ABSOLUTE_GATE_LUFS: f64 = -70.0;
/// Relative gate Γr, LU below the absolutely gated loudness
/// (BS.1770-4 Annex 1, gating stage 2).
pub const RELATIVE_GATE_LU: f64 = -10.0;
/// Histogram bin width, LU.
pub const GATING_BIN_WIDTH_LU: f64 = 0.01;
/// Loudest block kept apart, LUFS; louder blocks share the top bin.
pub const GATING_HISTOGRAM_MAX_LUFS: f64 = 30.0;

/// Accumulates gating-block energies and computes the gated loudness.
#[derive(Debug, Clone)]
pub struct GatedLoudness {
    histogram: LoudnessHistogram,
}

impl Default for GatedLoudness {
    fn default() -> Self {
        Self::new()
    }
}

impl GatedLoudness {
    /// An empty accumulator. Allocates (≈ 320 kB).
    pub fn new() -> Self {
        Self {
            histogram: LoudnessHistogram::new(
                ABSOLUTE_GATE_LUFS,
                GATING_HISTOGRAM_MAX_LUFS,
                GATING_BIN_WIDTH_LU,
            ),
        }
    }

    /// Forgets all blocks. Never allocates.
    pub fn reset(&mut self) {
        self.histogram.reset();
    }

    /// Adds one gating block, given as its channel-weighted mean-square
    /// energy `z = Σ G_i·z_i` (BS.1770-4 Annex 1, before the log). Returns whether it
    /// passed the absolute gate.
    pub fn add_block(&mut self, energy: f64) -> bool {
        self.histogram.add(energy)
    }

    /// Number of blocks that passed the absolute gate.
    pub fn num_blocks(&self) -> u64 {
        self.histogram.count()
    }

    /// Relative gate threshold Γr, LUFS; `None` before any block passed Γa.
    pub fn relative_threshold_lufs(&self) -> Option<f64> {
        self.relative_threshold_energy().map(energy_to_lufs)
    }

    fn relative_threshold_energy(&self) -> Option<f64> {
        let (count, energy) = self.histogram.total();
        (count > 0).then(|| energy / count as f64 * lufs_to_energy_ratio(RELATIVE_GATE_LU))
    }

    /// Gated (integrated) loudness, LUFS; `None` if no block passes both gates.
    pub fn loudness_lufs(&self) -> Option<f64> {
        let threshold = self.relative_threshold_energy()?;
        let (count, energy) = self.histogram.sum_above(threshold);
        (count > 0).then(|| energy_to_lufs(energy / count as f64))
    }
}

/// Energy ratio of a loudness difference of `lu` LU: `10^(lu/10)`.
pub(crate) fn lufs_to_energy_ratio(lu: f64) -> f64 {
    lufs_to_energy(lu) / lufs_to_energy(0.0)
}
