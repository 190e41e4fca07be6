//! Loudness range, LRA (EBU Tech 3342), over a bounded histogram.
//!
//! Input: the short-term (3 s) loudness at every 100 ms step. Values at or
//! below the absolute gate (−70 LUFS) are dropped; of the rest, those above
//! the relative gate (loudness of their mean energy − 20 LU) form the
//! distribution whose 95th minus 10th percentile is the LRA. Percentiles are
//! nearest-rank on the sorted values, index `round((n − 1)·p)` (Tech 3342's
//! reference code).
//!
//! Resolution: values are binned at [`RANGE_BIN_WIDTH_LU`] = 0.01 LU from
//! −70 to +30 LUFS; a percentile is the mean loudness of the bin holding the
//! wanted rank, so each is within 0.01 LU of exact and the LRA within 0.02 LU
//! (exact for steady signals). Memory ≈ 320 kB regardless of duration.
//! Short-term values above +30 LUFS (beyond any signal within ±1.0 full
//! scale on up to 8 channels) share the top bin, so their spread is not
//! resolved.

use super::gating::lufs_to_energy_ratio;
use super::histogram::LoudnessHistogram;

/// Absolute gate for short-term values, LUFS (EBU Tech 3342, LRA algorithm).
pub const RANGE_ABSOLUTE_GATE_LUFS: f64 = -70.0;
/// Relative gate, LU below the absolutely gated mean (EBU Tech 3342, LRA algorithm).
pub const RANGE_RELATIVE_GATE_LU: f64 = -20.0;
/// Lower percentile of the distribution (EBU Tech 3342, LRA algorithm).
pub const RANGE_LOW_PERCENTILE: f64 = 0.10;
/// Upper percentile of the distribution (EBU Tech 3342, LRA algorithm).
pub const RANGE_HIGH_PERCENTILE: f64 = 0.95;
/// Histogram bin width, LU.
pub const RANGE_BIN_WIDTH_LU: f64 = 0.01;
/// Loudest value kept apart, LUFS; louder values share the top bin.
pub const RANGE_HISTOGRAM_MAX_LUFS: f64 = 30.0;

/// Accumulates short-term energies and computes the loudness range.
#[derive(Debug, Clone)]
pub struct LoudnessRange {
    histogram: LoudnessHistogram,
}

impl Default for LoudnessRange {
    fn default() -> Self {
        Self::new()
    }
}

impl LoudnessRange {
    /// An empty accumulator. Allocates (≈ 320 kB).
    pub fn new() -> Self {
        Self {
            histogram: LoudnessHistogram::new(
                RANGE_ABSOLUTE_GATE_LUFS,
                RANGE_HISTOGRAM_MAX_LUFS,
                RANGE_BIN_WIDTH_LU,
            ),
        }
    }

    /// Forgets all values. Never allocates.
    pub fn reset(&mut self) {
        self.histogram.reset();
    }

    /// Adds one short-term value as its channel-weighted mean-square energy.
    /// Returns whether it passed the absolute gate.
    pub fn add_short_term(&mut self, energy: f64) -> bool {
        self.histogram.add(energy)
    }

    /// Number of values that passed the absolute gate.
    pub fn num_values(&self) -> u64 {
        self.histogram.count()
    }

    /// Loudness range, LU; `None` if no value passes both gates.
    pub fn range_lu(&self) -> Option<f64> {
        let (count, energy) = self.histogram.total();
        if count == 0 {
            return None;
        }
        let threshold = energy / count as f64 * lufs_to_energy_ratio(RANGE_RELATIVE_GATE_LU);
        let (gated_count, _) = self.histogram.sum_above(threshold);
        if gated_count == 0 {
            return None;
        }
        // Ranks counted from the bottom of the gated set, converted to ranks
        // from the top (the gated set is a prefix of the top-down order).
        let rank_from_top = |percentile: f64| {
            let from_bottom = ((gated_count - 1) as f64 * percentile + 0.5) as u64;
            gated_count - 1 - from_bottom
        };
        let low = self
            .histogram
            .loudness_of_rank_from_top(rank_from_top(RANGE_LOW_PERCENTILE))?;
        let high = self
            .histogram
            .loudness_of_rank_from_top(rank_from_top(RANGE_HIGH_PERCENTILE))?;
        Some(high - low)
    }
}
