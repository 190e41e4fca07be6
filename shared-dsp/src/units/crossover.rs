//! Phase-coherent multiband crossover (Linkwitz-Riley), for multiband
//! dynamics and width.
//!
//! A Linkwitz-Riley split of order `2N` is a Butterworth low-pass of order
//! `N` applied twice, and the matching high-pass applied twice. Their sum is
//! the all-pass `B(−s)/B(s)` of the Butterworth polynomial `B` (Linkwitz,
//! "Active Crossover Networks for Noncoincident Drivers", JAES 24(1), 1976;
//! Lipshitz & Vanderkooy, JAES 34(6), 1986), for even `N`: flat magnitude.
//!
//! More than two bands use the usual tree: split the input at the lowest
//! frequency, split the upper part again, and so on; every band that leaves
//! the tree early passes through the all-passes of the splits it skipped, so
//! every band carries the same total phase and the bands sum to the product
//! of the splits' all-passes — flat magnitude, a documented phase:
//!
//! ```text
//! x ─┬─ LP(f1)² ── AP(f2) ── AP(f3) ─────────────────── band 1
//!    └─ HP(f1)² ─┬─ LP(f2)² ── AP(f3) ───────────────── band 2
//!                └─ HP(f2)² ─┬─ LP(f3)² ────────────── band 3
//!                            └─ HP(f3)² ────────────── band 4
//! Σ bands = AP(f1)·AP(f2)·AP(f3)·x
//! ```
//!
//! Zero latency. Coefficients are recomputed only when a split frequency
//! changes; a changing split glides its frequency per block (the caller
//! smooths, see `processors`), so states are kept across changes.

use crate::primitives::biquad::{AnalogBiquad, BiquadCoefs, BiquadState};
use crate::primitives::complex::Complex;
use crate::units::filter::{ButterworthCoefs, ButterworthState, PassKind};
use core::f64::consts::PI;

/// Most bands a crossover splits into.
pub const MAX_BANDS: usize = 4;
/// Most split frequencies (`MAX_BANDS − 1`).
pub const MAX_SPLITS: usize = MAX_BANDS - 1;
/// Most channels a crossover splits (a stereo pair, or mid and side).
pub const MAX_CHANNELS: usize = crate::primitives::channels::STEREO;
/// Split frequencies are kept within this fraction of the sample rate
/// (below Nyquist, so every design is valid at any rate).
const MAX_SPLIT_FRACTION_OF_RATE: f64 = 0.45;
/// Lowest split frequency, Hz.
pub const MIN_SPLIT_HZ: f64 = 10.0;

/// Slope of every split.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CrossoverSlope {
    /// Linkwitz-Riley 24 dB/octave (Butterworth order 2, squared).
    #[default]
    Lr24,
    /// Linkwitz-Riley 48 dB/octave (Butterworth order 4, squared).
    Lr48,
}

impl CrossoverSlope {
    /// Order of the Butterworth filter that is applied twice.
    pub fn butterworth_order(self) -> usize {
        match self {
            Self::Lr24 => 2,
            Self::Lr48 => 4,
        }
    }

    /// Asymptotic slope of each band edge, dB per octave.
    pub fn db_per_octave(self) -> f64 {
        2.0 * self.butterworth_order() as f64
            * crate::units::filter::butterworth::DB_PER_OCTAVE_PER_ORDER
    }
}

/// Coefficients of one split: the Butterworth low- and high-pass (each used
/// twice) and the all-pass equal to their Linkwitz-Riley sum.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SplitCoefs {
    /// Butterworth low-pass of order N (applied twice).
    pub low: ButterworthCoefs,
    /// Butterworth high-pass of order N (applied twice).
    pub high: ButterworthCoefs,
    /// The all-pass `B(−s)/B(s)`, one section per Butterworth pole pair.
    pub allpass: [BiquadCoefs; 2],
    /// Sections of `allpass` in use.
    pub allpass_sections: usize,
    /// Split frequency, Hz (clamped).
    pub frequency_hz: f64,
}

impl SplitCoefs {
    /// A split at `frequency_hz` (clamped to [`MIN_SPLIT_HZ`] ..
    /// 0.45·`sample_rate`) with `slope` at `sample_rate` Hz.
    pub fn new(slope: CrossoverSlope, frequency_hz: f64, sample_rate: f64) -> Self {
        let frequency_hz = clamp_split(frequency_hz, sample_rate);
        let order = slope.butterworth_order();
        let mut allpass = [BiquadCoefs::IDENTITY; 2];
        let allpass_sections = order / 2;
        for (k, section) in allpass.iter_mut().enumerate().take(allpass_sections) {
            // The Butterworth pole pair k: s² + s/Q + 1, Q = 1/(2·cos θ).
            let angle = PI * (2 * k + 1) as f64 / (2 * order) as f64;
            let q = 1.0 / (2.0 * angle.cos());
            let prototype = AnalogBiquad {
                b: [1.0, -1.0 / q, 1.0],
                a: [1.0, 1.0 / q, 1.0],
            };
            *section = BiquadCoefs::bilinear(&prototype, frequency_hz, sample_rate);
        }
        Self {
            low: ButterworthCoefs::new(PassKind::LowPass, order, frequency_hz, sample_rate),
            high: ButterworthCoefs::new(PassKind::HighPass, order, frequency_hz, sample_rate),
            allpass,
            allpass_sections,
            frequency_hz,
        }
    }

    /// Analytic responses `(low, high, allpass)` at `freq_hz`.
    pub fn response(&self, freq_hz: f64, sample_rate: f64) -> (Complex, Complex, Complex) {
        let low = self.low.response(freq_hz, sample_rate);
        let high = self.high.response(freq_hz, sample_rate);
        let allpass = self.allpass[..self.allpass_sections]
            .iter()
            .fold(Complex::new(1.0, 0.0), |h, s| {
                h * s.response(freq_hz, sample_rate)
            });
        (low * low, high * high, allpass)
    }
}

/// `frequency_hz` kept where every design is valid at `sample_rate`.
fn clamp_split(frequency_hz: f64, sample_rate: f64) -> f64 {
    let top = (MAX_SPLIT_FRACTION_OF_RATE * sample_rate).max(MIN_SPLIT_HZ);
    if frequency_hz.is_nan() {
        top.min(1000.0)
    } else {
        frequency_hz.clamp(MIN_SPLIT_HZ, top)
    }
}

/// Filter memories of one split for one channel.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
struct SplitState {
    low: [ButterworthState; 2],
    high: [ButterworthState; 2],
}

/// All-pass memories for one band's phase compensation (one per later split).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
struct AllpassState {
    sections: [BiquadState; 2],
}

impl AllpassState {
    #[inline]
    fn process(&mut self, coefs: &SplitCoefs, x: f64) -> f64 {
        coefs.allpass[..coefs.allpass_sections]
            .iter()
            .zip(&mut self.sections)
            .fold(x, |y, (c, s)| s.process(c, y))
    }
}

/// Per-channel state: one split state per split, and for band `b` the
/// all-passes of splits `b+1 ..` (at most `MAX_SPLITS − 1` per band).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
struct ChannelState {
    splits: [SplitState; MAX_SPLITS],
    compensation: [[AllpassState; MAX_SPLITS]; MAX_BANDS],
}

/// A Linkwitz-Riley crossover into 1 ..= [`MAX_BANDS`] bands for up to
/// [`MAX_CHANNELS`] channels. Never allocates.
#[derive(Debug, Clone)]
pub struct Crossover {
    sample_rate: f64,
    slope: CrossoverSlope,
    num_bands: usize,
    frequencies_hz: [f64; MAX_SPLITS],
    coefs: [SplitCoefs; MAX_SPLITS],
    channels: [ChannelState; MAX_CHANNELS],
}

impl Crossover {
    /// A crossover at `sample_rate` Hz into `num_bands` (clamped to
    /// 1 ..= [`MAX_BANDS`]) at the ascending `frequencies_hz` (the first
    /// `num_bands − 1` are used).
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
            coefs: [SplitCoefs::new(slope, 1000.0, sample_rate); MAX_SPLITS],
            channels: [ChannelState::default(); MAX_CHANNELS],
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
        self.channels = [ChannelState::default(); MAX_CHANNELS];
    }

    /// Number of bands.
    pub fn num_bands(&self) -> usize {
        self.num_bands
    }

    /// The split frequencies in use (clamped), Hz; the first
    /// `num_bands − 1` matter.
    pub fn frequencies_hz(&self) -> [f64; MAX_SPLITS] {
        self.coefs.map(|c| c.frequency_hz)
    }

    /// Sets the band count and split frequencies (sorted ascending, each
    /// clamped below Nyquist). A change of band count clears the memories;
    /// a change of frequency keeps them. Never allocates.
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
        for (coefs, &f) in self.coefs.iter_mut().zip(&sorted) {
            *coefs = SplitCoefs::new(self.slope, f, self.sample_rate);
        }
    }

    /// Splits one sample `x` of `channel` (< [`MAX_CHANNELS`]) into
    /// `bands[..num_bands]`, lowest first.
    ///
    /// # Panics
    /// If `channel ≥ MAX_CHANNELS`.
    #[inline]
    pub fn split(&mut self, channel: usize, x: f64, bands: &mut [f64; MAX_BANDS]) {
        let state = &mut self.channels[channel];
        let splits = self.num_bands - 1;
        let mut rest = x;
        // Index loop: split `s` also reads the coefficients of later splits.
        #[allow(clippy::needless_range_loop)]
        for s in 0..splits {
            let coefs = &self.coefs[s];
            let split = &mut state.splits[s];
            let [low_a, low_b] = &mut split.low;
            let low = low_b.process(&coefs.low, low_a.process(&coefs.low, rest));
            let [high_a, high_b] = &mut split.high;
            rest = high_b.process(&coefs.high, high_a.process(&coefs.high, rest));
            // Phase compensation: the all-passes of the later splits.
            let mut band = low;
            for later in s + 1..splits {
                band = state.compensation[s][later].process(&self.coefs[later], band);
            }
            bands[s] = band;
        }
        bands[splits] = rest;
    }

    /// Analytic response of the sum of every band at `freq_hz`: the
    /// product of the splits' all-passes (magnitude 1; the phase a
    /// processor that sums the bands back documents and aligns its dry path
    /// to).
    pub fn sum_response(&self, freq_hz: f64) -> Complex {
        self.coefs[..self.num_bands - 1]
            .iter()
            .fold(Complex::new(1.0, 0.0), |h, c| {
                h * c.response(freq_hz, self.sample_rate).2
            })
    }

    /// Analytic response of band `band` (< `num_bands`) at `freq_hz`.
    pub fn band_response(&self, band: usize, freq_hz: f64) -> Complex {
        let splits = self.num_bands - 1;
        let mut h = Complex::new(1.0, 0.0);
        for s in 0..splits.min(band + 1) {
            let (low, high, _) = self.coefs[s].response(freq_hz, self.sample_rate);
            if s == band {
                h = h * low;
                for later in s + 1..splits {
                    h = h * self.coefs[later].response(freq_hz, self.sample_rate).2;
                }
                return h;
            }
            h = h * high;
        }
        h
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Impulse response of every band, `len` samples.
    fn impulse_bands(crossover: &mut Crossover, len: usize) -> Vec<Vec<f64>> {
        let mut out = vec![vec![0.0; len]; crossover.num_bands()];
        let mut bands = [0.0; MAX_BANDS];
        for n in 0..len {
            crossover.split(0, if n == 0 { 1.0 } else { 0.0 }, &mut bands);
            for (b, o) in out.iter_mut().enumerate() {
                o[n] = bands[b];
            }
        }
        out
    }

    fn dft_db(h: &[f64], freq_hz: f64, rate: f64) -> f64 {
        let w = 2.0 * PI * freq_hz / rate;
        let (re, im) = h.iter().enumerate().fold((0.0, 0.0), |(re, im), (n, &x)| {
            (re + x * (w * n as f64).cos(), im - x * (w * n as f64).sin())
        });
        10.0 * (re * re + im * im).log10()
    }

    #[test]
    fn bands_sum_flat_at_every_common_rate() {
        for rate in [44_100.0, 48_000.0, 96_000.0] {
            for slope in [CrossoverSlope::Lr24, CrossoverSlope::Lr48] {
                for num_bands in 2..=MAX_BANDS {
                    let mut x = Crossover::new(rate, slope, num_bands, [120.0, 1_000.0, 6_000.0]);
                    let len = rate as usize;
                    let bands = impulse_bands(&mut x, len);
                    let sum: Vec<f64> =
                        (0..len).map(|n| bands.iter().map(|b| b[n]).sum()).collect();
                    let mut f = 20.0;
                    while f <= 20_000.0 {
                        let db = dft_db(&sum, f, rate);
                        assert!(
                            db.abs() < 0.01,
                            "{rate} {slope:?} {num_bands} bands: {f} Hz {db} dB"
                        );
                        f *= 1.25;
                    }
                }
            }
        }
    }

    #[test]
    fn band_edges_fall_at_the_rated_slope_and_cross_at_minus_6_db() {
        let rate = 48_000.0;
        for slope in [CrossoverSlope::Lr24, CrossoverSlope::Lr48] {
            let mut x = Crossover::new(rate, slope, 2, [1_000.0, 0.0, 0.0]);
            let bands = impulse_bands(&mut x, 48_000);
            // Linkwitz-Riley bands are −6.02 dB at the split.
            for band in &bands {
                let db = dft_db(band, 1_000.0, rate);
                assert!((db + 6.02).abs() < 0.05, "{slope:?}: {db} dB at the split");
            }
            // Two octaves out, the attenuation grows by at least the rated
            // slope per octave from one octave out.
            let low_1 = dft_db(&bands[0], 2_000.0, rate);
            let low_2 = dft_db(&bands[0], 4_000.0, rate);
            let high_1 = dft_db(&bands[1], 500.0, rate);
            let high_2 = dft_db(&bands[1], 250.0, rate);
            let rated = slope.db_per_octave();
            assert!(
                low_1 - low_2 > rated - 1.0,
                "{slope:?} low: {low_1} → {low_2}"
            );
            assert!(
                high_1 - high_2 > rated - 1.0,
                "{slope:?} high: {high_1} → {high_2}"
            );
        }
    }

    #[test]
    fn analytic_band_response_matches_the_measured_one() {
        let rate = 44_100.0;
        let mut x = Crossover::new(rate, CrossoverSlope::Lr24, 4, [200.0, 2_000.0, 8_000.0]);
        let bands = impulse_bands(&mut x, 44_100);
        for (b, band) in bands.iter().enumerate() {
            for f in [50.0, 200.0, 700.0, 2_000.0, 5_000.0, 8_000.0, 15_000.0] {
                let measured = dft_db(band, f, rate);
                let analytic = x.band_response(b, f).norm_db();
                if analytic > -80.0 {
                    assert!(
                        (measured - analytic).abs() < 0.01,
                        "band {b} {f} Hz: {measured} vs {analytic}"
                    );
                }
            }
        }
    }

    #[test]
    fn sum_response_is_the_measured_sum_of_the_bands() {
        let rate = 48_000.0;
        let mut x = Crossover::new(rate, CrossoverSlope::Lr24, 3, [200.0, 2_500.0, 0.0]);
        let len = 48_000;
        let bands = impulse_bands(&mut x, len);
        let sum: Vec<f64> = (0..len).map(|n| bands.iter().map(|b| b[n]).sum()).collect();
        for f in [30.0, 200.0, 1_000.0, 2_500.0, 10_000.0] {
            let w = 2.0 * PI * f / rate;
            let (re, im) = sum
                .iter()
                .enumerate()
                .fold((0.0, 0.0), |(re, im), (n, &v)| {
                    (re + v * (w * n as f64).cos(), im - v * (w * n as f64).sin())
                });
            let h = x.sum_response(f);
            assert!((h.norm_db()).abs() < 1e-9, "{f} Hz: all-pass");
            let err = ((re - h.re).powi(2) + (im - h.im).powi(2)).sqrt();
            assert!(err < 1e-3, "{f} Hz: measured ({re}, {im}) vs {h:?}");
        }
    }

    #[test]
    fn one_band_is_identity_and_splits_clamp_below_nyquist_at_any_rate() {
        let mut x = Crossover::new(48_000.0, CrossoverSlope::Lr24, 1, [0.0; MAX_SPLITS]);
        let mut bands = [0.0; MAX_BANDS];
        x.split(1, 0.25, &mut bands);
        assert_eq!(bands[0], 0.25);
        for rate in [1_200.0, 8_000.0, 384_000.0] {
            let mut x = Crossover::new(rate, CrossoverSlope::Lr48, 4, [300.0, 5_000.0, 30_000.0]);
            for f in x.frequencies_hz() {
                assert!(f < 0.5 * rate && f >= MIN_SPLIT_HZ, "{rate}: {f}");
            }
            for n in 0..1000 {
                x.split(0, if n % 7 == 0 { 1.0 } else { -0.5 }, &mut bands);
                assert!(bands.iter().all(|b| b.is_finite()), "{rate}");
            }
        }
    }
}
