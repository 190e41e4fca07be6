//! A bounded loudness histogram: constant memory over any programme length,
//! with every query in O(log bins).
//!
//! Values are binned by loudness (bins of `bin_width_lu` from `min_lufs`,
//! everything louder than `max_lufs` clamped into the top bin). Each bin keeps
//! its count *and the exact sum of the energies* that fell in it, so:
//! - energy means over any set of whole bins are exact (not bin centres);
//! - a threshold that falls inside a bin is the only approximation: that bin
//!   is taken whole or not at all (by comparing its mean with the threshold),
//!   so only values within one bin width of the threshold can be misplaced;
//! - a percentile is reported as the mean loudness of the bin holding the
//!   wanted rank, so it is within one bin width of the exact order statistic
//!   (and exact when all values in that bin are equal).
//!
//! Counts and energies are also kept in two Fenwick (binary indexed) trees
//! indexed from the *top* bin down, so "sum of everything at or above bin b"
//! is a prefix sum (no subtraction, hence no cancellation) and "the n-th
//! largest value" is a tree descent.

use super::{energy_to_lufs, lufs_to_energy};

/// Histogram of loudness values with exact per-bin energy sums.
#[derive(Debug, Clone)]
pub struct LoudnessHistogram {
    min_lufs: f64,
    bin_width_lu: f64,
    bin_counts: Box<[u64]>,
    bin_energies: Box<[f64]>,
    /// Fenwick tree over reversed bins (position 1 = top bin), counts.
    tree_counts: Box<[u64]>,
    /// Fenwick tree over reversed bins, energy sums.
    tree_energies: Box<[f64]>,
}

impl LoudnessHistogram {
    /// Bins of `bin_width_lu` (> 0) covering `min_lufs ..= max_lufs`
    /// (`max_lufs > min_lufs`). Values at or below `min_lufs` are rejected
    /// (this is where an absolute gate goes). Allocates
    /// `32 · (max − min)/width` bytes.
    ///
    /// # Panics
    /// If the range or width is not positive and finite.
    pub fn new(min_lufs: f64, max_lufs: f64, bin_width_lu: f64) -> Self {
        let bins = (max_lufs - min_lufs) / bin_width_lu;
        assert!(
            bins.is_finite() && bins >= 1.0,
            "histogram needs a positive range and bin width"
        );
        let num_bins = bins.ceil() as usize;
        Self {
            min_lufs,
            bin_width_lu,
            bin_counts: vec![0; num_bins].into_boxed_slice(),
            bin_energies: vec![0.0; num_bins].into_boxed_slice(),
            tree_counts: vec![0; num_bins + 1].into_boxed_slice(),
            tree_energies: vec![0.0; num_bins + 1].into_boxed_slice(),
        }
    }

    /// Number of bins.
    pub fn num_bins(&self) -> usize {
        self.bin_counts.len()
    }

    /// Bin width, LU.
    pub fn bin_width_lu(&self) -> f64 {
        self.bin_width_lu
    }

    /// Forgets every value. Never allocates.
    pub fn reset(&mut self) {
        self.bin_counts.fill(0);
        self.bin_energies.fill(0.0);
        self.tree_counts.fill(0);
        self.tree_energies.fill(0.0);
    }

    /// The bin holding `loudness_lufs`, or `None` at or below the bottom
    /// (including −∞ and NaN). Values above the top land in the top bin.
    pub fn bin_of(&self, loudness_lufs: f64) -> Option<usize> {
        if loudness_lufs > self.min_lufs {
            let bin = ((loudness_lufs - self.min_lufs) / self.bin_width_lu) as usize;
            Some(bin.min(self.num_bins() - 1))
        } else {
            None
        }
    }

    /// Adds one value given as an energy (mean square, linear; its loudness is
    /// [`energy_to_lufs`]). Returns false, ignoring it, if its loudness is at
    /// or below the bottom of the histogram or it is not finite.
    pub fn add(&mut self, energy: f64) -> bool {
        if !energy.is_finite() {
            return false;
        }
        let Some(bin) = self.bin_of(energy_to_lufs(energy)) else {
            return false;
        };
        self.bin_counts[bin] += 1;
        self.bin_energies[bin] += energy;
        let mut pos = self.num_bins() - bin; // reversed, 1-based
        while pos < self.tree_counts.len() {
            self.tree_counts[pos] += 1;
            self.tree_energies[pos] += energy;
            pos += pos & pos.wrapping_neg();
        }
        true
    }

    /// Count and energy sum of all bins at or above `bin`.
    fn sum_from(&self, bin: usize) -> (u64, f64) {
        let mut pos = self.num_bins().saturating_sub(bin);
        let (mut count, mut energy) = (0, 0.0);
        while pos > 0 {
            count += self.tree_counts[pos];
            energy += self.tree_energies[pos];
            pos &= pos - 1;
        }
        (count, energy)
    }

    /// Number of values held.
    pub fn count(&self) -> u64 {
        self.sum_from(0).0
    }

    /// Count and exact energy sum of every value held.
    pub fn total(&self) -> (u64, f64) {
        self.sum_from(0)
    }

    /// Mean energy of the values in `bin` (0 if empty).
    pub fn bin_mean_energy(&self, bin: usize) -> f64 {
        match self.bin_counts[bin] {
            0 => 0.0,
            count => self.bin_energies[bin] / count as f64,
        }
    }

    /// The lowest bin counted as above `threshold_energy`: bins wholly above
    /// it, plus the bin containing it if that bin's mean energy exceeds it.
    pub fn first_bin_above(&self, threshold_energy: f64) -> usize {
        match self.bin_of(energy_to_lufs(threshold_energy)) {
            None => 0,
            Some(bin) if self.bin_mean_energy(bin) > threshold_energy => bin,
            Some(bin) => bin + 1,
        }
    }

    /// Count and energy sum of the values above `threshold_energy` (bin
    /// resolution, see [`Self::first_bin_above`]).
    pub fn sum_above(&self, threshold_energy: f64) -> (u64, f64) {
        self.sum_from(self.first_bin_above(threshold_energy))
    }

    /// The bin holding the value of rank `rank_from_top` (0 = largest).
    /// `None` if fewer values are held.
    pub fn bin_of_rank_from_top(&self, rank_from_top: u64) -> Option<usize> {
        if rank_from_top >= self.count() {
            return None;
        }
        // Fenwick descent: largest reversed position whose prefix ≤ rank.
        let len = self.tree_counts.len() - 1;
        let mut pos = 0;
        let mut remaining = rank_from_top;
        let mut step = len.next_power_of_two();
        while step > 0 {
            let next = pos + step;
            if next <= len && self.tree_counts[next] <= remaining {
                pos = next;
                remaining -= self.tree_counts[next];
            }
            step >>= 1;
        }
        // Reversed 1-based position pos + 1 holds the rank.
        Some(self.num_bins() - 1 - pos)
    }

    /// Mean loudness of the bin holding the value of rank `rank_from_top`,
    /// LUFS.
    pub fn loudness_of_rank_from_top(&self, rank_from_top: u64) -> Option<f64> {
        self.bin_of_rank_from_top(rank_from_top)
            .map(|bin| energy_to_lufs(self.bin_mean_energy(bin)))
    }

    /// Lower edge of the histogram, LUFS.
    pub fn min_lufs(&self) -> f64 {
        self.min_lufs
    }

    /// Energy at the lower edge, for callers that gate in energy.
    pub fn min_energy(&self) -> f64 {
        lufs_to_energy(self.min_lufs)
    }
}
