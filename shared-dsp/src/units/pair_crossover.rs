//! The Linkwitz-Riley crossover of [`crate::units::crossover`] on a pair of
//! channels at once (the Stereo Imager's mid and side): the same tree, the
//! same [`SplitCoefs`], every filter a [`PairState`], so each band of each
//! channel is bit for bit what [`Crossover::split`] gives (tested below),
//! at about the cost of one channel.
//!
//! [`Crossover`]: crate::units::crossover::Crossover
//! [`Crossover::split`]: crate::units::crossover::Crossover::split

use crate::units::crossover::{CrossoverSlope, SplitCoefs, MAX_BANDS, MAX_SPLITS};
use crate::units::pair::{Pair, PairCoefs, PairState};

/// Most second-order sections of one Butterworth stage (Linkwitz-Riley
/// 48 dB/octave: order 4).
const MAX_STAGE_SECTIONS: usize = 2;

/// One split's coefficients as pairs: the Butterworth sections of the low-
/// and high-pass (each stage applied twice) and the all-pass sections.
#[derive(Debug, Clone, Copy, Default)]
struct PairSplit {
    low: [PairCoefs; MAX_STAGE_SECTIONS],
    high: [PairCoefs; MAX_STAGE_SECTIONS],
    allpass: [PairCoefs; MAX_STAGE_SECTIONS],
    /// Sections per stage (`low`, `high`) in use.
    sections: usize,
    /// All-pass sections in use.
    allpass_sections: usize,
}

impl PairSplit {
    fn new(coefs: &SplitCoefs) -> Self {
        let mut split = Self {
            sections: coefs.low.num_sections.min(MAX_STAGE_SECTIONS),
            allpass_sections: coefs.allpass_sections.min(MAX_STAGE_SECTIONS),
            ..Self::default()
        };
        for k in 0..split.sections {
            split.low[k] = PairCoefs::splat(&coefs.low.sections[k]);
            split.high[k] = PairCoefs::splat(&coefs.high.sections[k]);
        }
        for k in 0..split.allpass_sections {
            split.allpass[k] = PairCoefs::splat(&coefs.allpass[k]);
        }
        split
    }
}

/// A cascade of `sections` of `coefs` on `x`.
#[inline(always)]
fn cascade(coefs: &[PairCoefs], states: &mut [PairState], sections: usize, x: Pair) -> Pair {
    let mut y = x;
    for (c, s) in coefs.iter().zip(states.iter_mut()).take(sections) {
        y = s.process(c, y);
    }
    y
}

/// Memories of one split: each Butterworth stage twice.
#[derive(Debug, Clone, Copy, Default)]
struct SplitMemory {
    low: [[PairState; MAX_STAGE_SECTIONS]; 2],
    high: [[PairState; MAX_STAGE_SECTIONS]; 2],
}

/// A Linkwitz-Riley crossover into 1 ..= [`MAX_BANDS`] bands of a pair of
/// channels. Never allocates.
#[derive(Debug, Clone)]
pub struct PairCrossover {
    sample_rate: f64,
    slope: CrossoverSlope,
    num_bands: usize,
    frequencies_hz: [f64; MAX_SPLITS],
    splits: [PairSplit; MAX_SPLITS],
    memory: [SplitMemory; MAX_SPLITS],
    /// Band `b`'s all-passes of the later splits `b+1 ..`.
    compensation: [[[PairState; MAX_STAGE_SECTIONS]; MAX_SPLITS]; MAX_BANDS],
}

impl PairCrossover {
    /// As [`crate::units::crossover::Crossover::new`].
    pub fn new(
        sample_rate: f64,
        slope: CrossoverSlope,
        num_bands: usize,
        frequencies_hz: [f64; MAX_SPLITS],
    ) -> Self {
        let mut crossover = Self {
            sample_rate,
            slope,
            num_bands: num_bands.clamp(1, MAX_BANDS),
            frequencies_hz,
            splits: [PairSplit::default(); MAX_SPLITS],
            memory: [SplitMemory::default(); MAX_SPLITS],
            compensation: Default::default(),
        };
        crossover.update_coefs();
        crossover
    }

    /// Changes the sample rate (Hz): redesigns and clears. Never allocates.
    pub fn set_sample_rate(&mut self, sample_rate: f64) {
        self.sample_rate = sample_rate;
        self.update_coefs();
        self.reset();
    }

    /// Clears every filter memory. Never allocates.
    pub fn reset(&mut self) {
        self.memory = [SplitMemory::default(); MAX_SPLITS];
        self.compensation = Default::default();
    }

    /// Number of bands.
    /// True if every filter memory is +0.0: silence in then gives +0.0
    /// bands out and leaves the memories so.
    pub fn is_clear(&self) -> bool {
        self.memory
            .iter()
            .flat_map(|m| m.low.iter().chain(m.high.iter()).flatten())
            .chain(self.compensation.iter().flatten().flatten())
            .all(PairState::is_clear)
    }

    pub fn num_bands(&self) -> usize {
        self.num_bands
    }

    /// As [`crate::units::crossover::Crossover::set_bands`]: a change of
    /// band count clears the memories, a change of frequency keeps them.
    pub fn set_bands(&mut self, num_bands: usize, frequencies_hz: [f64; MAX_SPLITS]) {
        let num_bands = num_bands.clamp(1, MAX_BANDS);
        if num_bands != self.num_bands {
            self.num_bands = num_bands;
            self.reset();
        }
        if frequencies_hz != self.frequencies_hz {
            self.frequencies_hz = frequencies_hz;
            self.update_coefs();
        }
    }

    fn update_coefs(&mut self) {
        let mut sorted = self.frequencies_hz;
        let used = self.num_bands - 1;
        sorted[..used].sort_by(|a, b| a.total_cmp(b));
        for (split, &f) in self.splits.iter_mut().zip(&sorted) {
            *split = PairSplit::new(&SplitCoefs::new(self.slope, f, self.sample_rate));
        }
    }

    /// Splits one sample of each channel into `bands[..num_bands]`, lowest
    /// first.
    #[inline]
    pub fn split(&mut self, x: Pair, bands: &mut [Pair; MAX_BANDS]) {
        // Every split of a slope has the same section counts: with them
        // known at compile time the cascades unroll and their coefficients
        // and memories sit at fixed offsets (the same arithmetic in the same
        // order as the general loop below, so the same bits).
        let splits = self.num_bands - 1;
        let uniform = |n: usize| {
            self.splits[..splits]
                .iter()
                .all(|s| s.sections == n && s.allpass_sections == n)
        };
        if uniform(1) {
            self.split_fixed::<1>(x, bands);
        } else if uniform(2) {
            self.split_fixed::<2>(x, bands);
        } else {
            self.split_general(x, bands);
        }
    }

    /// [`Self::split`] when every split has `N` sections per stage and `N`
    /// all-pass sections.
    // `s` indexes the splits, the memories and the bands alike.
    #[allow(clippy::needless_range_loop)]
    #[inline(always)]
    fn split_fixed<const N: usize>(&mut self, x: Pair, bands: &mut [Pair; MAX_BANDS]) {
        #[inline(always)]
        fn run<const N: usize>(
            coefs: &[PairCoefs; MAX_STAGE_SECTIONS],
            states: &mut [PairState; MAX_STAGE_SECTIONS],
            x: Pair,
        ) -> Pair {
            let mut y = x;
            for k in 0..N {
                y = states[k].process(&coefs[k], y);
            }
            y
        }
        let splits = self.num_bands - 1;
        let mut rest = x;
        for s in 0..splits {
            let coefs = &self.splits[s];
            let memory = &mut self.memory[s];
            let [low_a, low_b] = &mut memory.low;
            let low = run::<N>(&coefs.low, low_b, run::<N>(&coefs.low, low_a, rest));
            let [high_a, high_b] = &mut memory.high;
            rest = run::<N>(&coefs.high, high_b, run::<N>(&coefs.high, high_a, rest));
            let mut band = low;
            for later in s + 1..splits {
                band = run::<N>(
                    &self.splits[later].allpass,
                    &mut self.compensation[s][later],
                    band,
                );
            }
            bands[s] = band;
        }
        bands[splits] = rest;
    }

    /// [`Self::split`] for any section counts.
    fn split_general(&mut self, x: Pair, bands: &mut [Pair; MAX_BANDS]) {
        let splits = self.num_bands - 1;
        let mut rest = x;
        for s in 0..splits {
            let coefs = &self.splits[s];
            let n = coefs.sections;
            let memory = &mut self.memory[s];
            let [low_a, low_b] = &mut memory.low;
            let low = cascade(&coefs.low, low_b, n, cascade(&coefs.low, low_a, n, rest));
            let [high_a, high_b] = &mut memory.high;
            rest = cascade(
                &coefs.high,
                high_b,
                n,
                cascade(&coefs.high, high_a, n, rest),
            );
            // Phase compensation: the all-passes of the later splits.
            let mut band = low;
            for later in s + 1..splits {
                let ap = &self.splits[later];
                band = cascade(
                    &ap.allpass,
                    &mut self.compensation[s][later],
                    ap.allpass_sections,
                    band,
                );
            }
            bands[s] = band;
        }
        bands[splits] = rest;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::units::crossover::Crossover;

    #[test]
    fn every_band_is_the_scalar_crossovers_bit_for_bit() {
        let rate = 48_000.0;
        for slope in [CrossoverSlope::Lr24, CrossoverSlope::Lr48] {
            for num_bands in 1..=MAX_BANDS {
                let freqs = [6_000.0, 150.0, 1_500.0];
                let mut scalar = Crossover::new(rate, slope, num_bands, freqs);
                let mut pair = PairCrossover::new(rate, slope, num_bands, freqs);
                let mut seed = 3u32;
                for n in 0..6_000 {
                    seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
                    let v = (seed >> 8) as f64 / (1u32 << 24) as f64 - 0.5;
                    let x = if n < 3_000 {
                        [v, 0.3 * v - 0.1]
                    } else {
                        [0.0, 0.0]
                    };
                    if n == 2_000 {
                        let moved = [5_000.0, 200.0, 1_000.0];
                        scalar.set_bands(num_bands, moved);
                        pair.set_bands(num_bands, moved);
                    }
                    let (mut a, mut b) = ([0.0; MAX_BANDS], [0.0; MAX_BANDS]);
                    scalar.split(0, x[0], &mut a);
                    scalar.split(1, x[1], &mut b);
                    let mut p = [Pair::default(); MAX_BANDS];
                    pair.split(Pair::new(x[0], x[1]), &mut p);
                    for band in 0..num_bands {
                        assert_eq!(p[band].lo().to_bits(), a[band].to_bits(), "{slope:?} {n}");
                        assert_eq!(p[band].hi().to_bits(), b[band].to_bits(), "{slope:?} {n}");
                    }
                }
            }
        }
    }
}
