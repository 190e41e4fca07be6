//! Fractional-octave smoothing of analyser spectra, with a display slope.
//!
//! A raw FFT has a constant resolution in hertz, so on a log-frequency axis
//! it is a handful of jagged points per octave at the bottom and thousands
//! at the top. Analysers built for mixing (FabFilter Pro-Q, Voxengo SPAN,
//! REW) instead show, at each display frequency `f`, the mean power over the
//! band `f·2^(−1/2B) … f·2^(+1/2B)` (`B` bands per octave), so every octave
//! gets the same resolution. See P. D. Hatziantoniou and J. N. Mourjopoulos,
//! "Generalized fractional-octave smoothing of audio and acoustic responses",
//! JAES 48(4), 2000 (the rectangular-window case).
//!
//! The per-bin powers are read as a piecewise-linear power density between
//! bin centres, and each band is that density's exact integral divided by
//! the band's width: averaging is in power (not dB), a flat spectrum stays
//! flat, and a band narrower than one bin (low frequencies) reads the
//! interpolated density instead of a staircase.
//!
//! The display slope tilts the result by `slope` dB per octave about
//! [`SLOPE_REFERENCE_HZ`], so programme material, whose spectrum falls with
//! frequency, reads roughly level (Pro-Q's default is 4.5 dB/octave).
//!
//! For the GUI thread: [`OctaveSmoother::new`] allocates, smoothing does not.

use super::spectrum::SPECTRUM_FLOOR_DB;

/// Frequency about which the display slope tilts (reads unchanged there), Hz.
pub const SLOPE_REFERENCE_HZ: f64 = 1000.0;

/// Display slope an analyser opens with, dB per octave (FabFilter Pro-Q's default).
pub const DEFAULT_SLOPE_DB_PER_OCTAVE: f64 = 4.5;

/// Display slopes an analyser offers, dB per octave: none, pink noise reads
/// flat (3 dB), and Pro-Q's default.
pub const SLOPES_DB_PER_OCTAVE: [f64; 3] = [0.0, 3.0, DEFAULT_SLOPE_DB_PER_OCTAVE];

/// Smoothing bandwidth as a fraction of an octave.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OctaveFraction {
    /// 1/3 octave: broad tonal balance.
    Third,
    /// 1/6 octave: the default, close to how Pro-Q's analyser reads.
    #[default]
    Sixth,
    /// 1/12 octave: resolves individual notes' fundamentals.
    Twelfth,
}

impl OctaveFraction {
    /// Every fraction, broadest first.
    pub const ALL: [Self; 3] = [Self::Third, Self::Sixth, Self::Twelfth];

    /// Bands per octave `B` (the band is `1/B` octave wide).
    pub fn bands_per_octave(self) -> f64 {
        match self {
            Self::Third => 3.0,
            Self::Sixth => 6.0,
            Self::Twelfth => 12.0,
        }
    }
}

/// Where the smoothed spectrum is evaluated and how it is displayed.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SmoothingLayout {
    /// Length of the FFT the spectra come from, samples (even, ≥ 2): spectra
    /// have `fft_size / 2 + 1` bins.
    pub fft_size: usize,
    /// Sample rate of the analysed signal, Hz (> 0).
    pub sample_rate_hz: f64,
    /// Smoothing bandwidth.
    pub fraction: OctaveFraction,
    /// Display tilt, dB per octave about [`SLOPE_REFERENCE_HZ`] (any sign).
    pub slope_db_per_octave: f64,
    /// Lowest display frequency, Hz (> 0).
    pub min_hz: f64,
    /// Highest display frequency, Hz (> `min_hz`).
    pub max_hz: f64,
    /// Number of display points, log-spaced from `min_hz` to `max_hz` (≥ 2).
    pub num_points: usize,
}

/// A smoother for one [`SmoothingLayout`]. Rebuild it when the layout changes.
#[derive(Debug, Clone)]
pub struct OctaveSmoother {
    layout: SmoothingLayout,
    /// Display frequencies, Hz, ascending.
    frequencies_hz: Vec<f32>,
    /// Each point's band edges in bins (fractional), clamped to `0..=N/2`;
    /// `None` above Nyquist.
    bands: Vec<Option<(f64, f64)>>,
    /// Each point's display tilt, dB.
    tilt_db: Vec<f64>,
    /// Per-bin power (linear, relative to full scale).
    power: Vec<f64>,
    /// `cumulative[k]`: integral of the power density from bin 0 to bin `k`.
    cumulative: Vec<f64>,
    smoothed_db: Vec<f32>,
}

impl OctaveSmoother {
    /// A smoother for `layout`. Allocates.
    ///
    /// # Panics
    /// If the layout breaks a range stated on [`SmoothingLayout`].
    pub fn new(layout: SmoothingLayout) -> Self {
        assert!(
            layout.fft_size >= 2 && layout.fft_size.is_multiple_of(2),
            "fft_size must be even and ≥ 2"
        );
        assert!(layout.sample_rate_hz > 0.0, "sample rate must be positive");
        assert!(
            layout.min_hz > 0.0 && layout.max_hz > layout.min_hz,
            "need 0 < min_hz < max_hz"
        );
        assert!(layout.num_points >= 2, "need at least two points");
        let num_bins = layout.fft_size / 2 + 1;
        let last_bin = (num_bins - 1) as f64;
        let bins_per_hz = layout.fft_size as f64 / layout.sample_rate_hz;
        let half_band = 2f64.powf(0.5 / layout.fraction.bands_per_octave());
        let ratio = layout.max_hz / layout.min_hz;
        let mut frequencies_hz = Vec::with_capacity(layout.num_points);
        let mut bands = Vec::with_capacity(layout.num_points);
        let mut tilt_db = Vec::with_capacity(layout.num_points);
        for i in 0..layout.num_points {
            let f = layout.min_hz * ratio.powf(i as f64 / (layout.num_points - 1) as f64);
            frequencies_hz.push(f as f32);
            let centre_bin = f * bins_per_hz;
            bands.push((centre_bin <= last_bin).then(|| {
                (
                    (centre_bin / half_band).clamp(0.0, last_bin),
                    (centre_bin * half_band).clamp(0.0, last_bin),
                )
            }));
            tilt_db.push(layout.slope_db_per_octave * (f / SLOPE_REFERENCE_HZ).log2());
        }
        Self {
            layout,
            frequencies_hz,
            bands,
            tilt_db,
            power: vec![0.0; num_bins],
            cumulative: vec![0.0; num_bins],
            smoothed_db: vec![SPECTRUM_FLOOR_DB; layout.num_points],
        }
    }

    /// The layout this smoother was built for.
    pub fn layout(&self) -> &SmoothingLayout {
        &self.layout
    }

    /// The display frequencies, Hz, ascending (`num_points` of them).
    pub fn frequencies_hz(&self) -> &[f32] {
        &self.frequencies_hz
    }

    /// Smooths `magnitudes_db`, one level per bin 0..=N/2 in dB (as
    /// [`super::spectrum::SpectrumAnalyzer::analyze`] returns; missing bins
    /// read silence), and returns one level per display point in dB, tilted
    /// by the display slope and never below [`SPECTRUM_FLOOR_DB`]. Points
    /// above Nyquist, and silent bands, read the floor.
    pub fn smooth_db(&mut self, magnitudes_db: &[f32]) -> &[f32] {
        for (k, p) in self.power.iter_mut().enumerate() {
            *p = magnitudes_db
                .get(k)
                .filter(|db| db.is_finite() && **db > SPECTRUM_FLOOR_DB)
                .map_or(0.0, |db| 10f64.powf(f64::from(*db) / 10.0));
        }
        // Trapezoids between bin centres: the exact integral of the linear density.
        let mut total = 0.0;
        self.cumulative[0] = 0.0;
        for k in 1..self.power.len() {
            total += 0.5 * (self.power[k - 1] + self.power[k]);
            self.cumulative[k] = total;
        }
        let floor_power = 10f64.powf(f64::from(SPECTRUM_FLOOR_DB) / 10.0);
        let density = Density {
            power: &self.power,
            cumulative: &self.cumulative,
        };
        for ((out, band), tilt) in self
            .smoothed_db
            .iter_mut()
            .zip(&self.bands)
            .zip(&self.tilt_db)
        {
            let power = band.map_or(0.0, |(lo, hi)| {
                if hi - lo > BAND_MIN_WIDTH_BINS {
                    (density.integral_to(hi) - density.integral_to(lo)) / (hi - lo)
                } else {
                    density.at(lo)
                }
            });
            *out = if power > floor_power {
                ((10.0 * power.log10() + tilt) as f32).max(SPECTRUM_FLOOR_DB)
            } else {
                SPECTRUM_FLOOR_DB
            };
        }
        &self.smoothed_db
    }
}

/// The piecewise-linear power density through per-bin powers (bin `k` at
/// `x = k` bins) and its running integral at whole bins.
struct Density<'a> {
    power: &'a [f64],
    cumulative: &'a [f64],
}

impl Density<'_> {
    /// Bin `k` and the fraction `t` of the way to bin `k + 1` of position
    /// `x` bins (`0 ≤ x ≤ N/2`), with `k + 1` a valid bin unless `t` is 0.
    fn split(&self, x: f64) -> (usize, f64) {
        let last = self.power.len() - 1;
        let k = (x.floor() as usize).min(last);
        if k == last {
            (last, 0.0)
        } else {
            (k, x - k as f64)
        }
    }

    /// The density at `x` bins.
    fn at(&self, x: f64) -> f64 {
        match self.split(x) {
            (k, 0.0) => self.power[k],
            (k, t) => self.power[k] + t * (self.power[k + 1] - self.power[k]),
        }
    }

    /// Integral of the power density from bin 0 to `x` bins.
    fn integral_to(&self, x: f64) -> f64 {
        match self.split(x) {
            (k, 0.0) => self.cumulative[k],
            (k, t) => {
                let (p0, p1) = (self.power[k], self.power[k + 1]);
                self.cumulative[k] + p0 * t + 0.5 * (p1 - p0) * t * t
            }
        }
    }
}

/// Bands narrower than this (in bins) read the density at their centre
/// instead of dividing a vanishing integral by a vanishing width.
const BAND_MIN_WIDTH_BINS: f64 = 1e-9;

#[cfg(test)]
mod tests {
    use super::*;

    const FFT: usize = 4096;

    fn layout(rate: f64, fraction: OctaveFraction, slope: f64) -> SmoothingLayout {
        SmoothingLayout {
            fft_size: FFT,
            sample_rate_hz: rate,
            fraction,
            slope_db_per_octave: slope,
            min_hz: 20.0,
            max_hz: 20_000.0,
            num_points: 400,
        }
    }

    /// Deterministic pseudo-random levels in −60…0 dB (64-bit LCG, Knuth's MMIX).
    fn random_levels_db(n: usize, seed: u64) -> Vec<f32> {
        let mut state = seed;
        (0..n)
            .map(|_| {
                state = state
                    .wrapping_mul(6_364_136_223_846_793_005)
                    .wrapping_add(1_442_695_040_888_963_407);
                -60.0 * ((state >> 11) as f64 / (1u64 << 53) as f64) as f32
            })
            .collect()
    }

    #[test]
    fn a_flat_spectrum_stays_flat_at_every_fraction_and_rate() {
        for rate in [44_100.0, 48_000.0, 96_000.0] {
            for fraction in OctaveFraction::ALL {
                let mut smoother = OctaveSmoother::new(layout(rate, fraction, 0.0));
                let flat = vec![-37.5; FFT / 2 + 1];
                for (&f, &db) in smoother
                    .frequencies_hz()
                    .to_vec()
                    .iter()
                    .zip(smoother.smooth_db(&flat))
                {
                    assert!((db + 37.5).abs() < 1e-4, "{rate} {fraction:?} {f} Hz: {db}");
                }
            }
        }
    }

    #[test]
    fn the_slope_tilts_by_exactly_its_rate_per_octave_about_the_reference() {
        for slope in [3.0, DEFAULT_SLOPE_DB_PER_OCTAVE, -2.0] {
            let mut config = layout(48_000.0, OctaveFraction::Sixth, slope);
            // Points at 125 Hz · 2^(i/8): 1 kHz and its octaves are points.
            config.min_hz = 125.0;
            config.max_hz = 16_000.0;
            config.num_points = 7 * 8 + 1;
            let mut smoother = OctaveSmoother::new(config);
            let flat = vec![-40.0; FFT / 2 + 1];
            let freqs = smoother.frequencies_hz().to_vec();
            let out = smoother.smooth_db(&flat).to_vec();
            for (f, db) in freqs.iter().zip(&out) {
                let octaves = (f64::from(*f) / SLOPE_REFERENCE_HZ).log2();
                let expected = -40.0 + slope * octaves;
                assert!((f64::from(*db) - expected).abs() < 1e-3, "{f} Hz: {db}");
            }
            let at = |hz: f32| out[freqs.iter().position(|f| (f - hz).abs() < 0.01).unwrap()];
            assert!(
                (at(1000.0) + 40.0).abs() < 1e-4,
                "unchanged at the reference"
            );
            assert!((at(2000.0) - at(1000.0) - slope as f32).abs() < 1e-3);
            assert!((at(1000.0) - at(500.0) - slope as f32).abs() < 1e-3);
        }
    }

    #[test]
    fn a_single_bin_spreads_over_exactly_the_points_whose_band_reaches_it() {
        let rate = 48_000.0;
        let bin_hz = rate / FFT as f64;
        for fraction in OctaveFraction::ALL {
            let mut smoother = OctaveSmoother::new(layout(rate, fraction, 0.0));
            for k0 in [3usize, 40, 853] {
                let mut spectrum = vec![SPECTRUM_FLOOR_DB; FFT / 2 + 1];
                spectrum[k0] = 0.0;
                let freqs = smoother.frequencies_hz().to_vec();
                let out = smoother.smooth_db(&spectrum).to_vec();
                // The bin's density is a triangle over bins k0 ± 1; a point at f
                // averages f·2^(∓1/2B): they overlap iff the point sees it.
                let half = 2f64.powf(0.5 / fraction.bands_per_octave());
                let mut lit = Vec::new();
                for (f, db) in freqs.iter().zip(&out) {
                    let (lo, hi) = (f64::from(*f) / half, f64::from(*f) * half);
                    let reaches =
                        lo < (k0 as f64 + 1.0) * bin_hz && hi > (k0 as f64 - 1.0) * bin_hz;
                    assert_eq!(
                        *db > SPECTRUM_FLOOR_DB,
                        reaches,
                        "{fraction:?} bin {k0} at {f} Hz"
                    );
                    if reaches {
                        lit.push(f64::from(*f));
                    }
                }
                // High up, where bins are dense, that is the band's own width:
                // the lit points span 1/B octave (to within a point and a bin).
                if k0 == 853 {
                    let span_oct = (lit[lit.len() - 1] / lit[0]).log2();
                    let point_oct = (20_000.0f64 / 20.0).log2() / 399.0;
                    let bin_oct = ((k0 as f64 + 1.0) / (k0 as f64 - 1.0)).log2();
                    let band_oct = 1.0 / fraction.bands_per_octave();
                    // Exactly band + triangle when the end points sit on the
                    // edges; up to one point spacing less at either end.
                    let full = band_oct + bin_oct;
                    assert!(
                        span_oct <= full + 1e-6 && span_oct >= full - 2.0 * point_oct,
                        "{fraction:?}: spans {span_oct} octaves, band {band_oct}"
                    );
                }
            }
        }
    }

    #[test]
    fn bands_average_power_not_decibels() {
        // Alternate 0 dB and silence: half the power, −3.01 dB, wherever a band
        // holds many bins (a dB mean would read about −75 dB).
        let mut smoother = OctaveSmoother::new(layout(48_000.0, OctaveFraction::Third, 0.0));
        let spectrum: Vec<f32> = (0..=FFT / 2)
            .map(|k| if k % 2 == 0 { 0.0 } else { SPECTRUM_FLOOR_DB })
            .collect();
        let freqs = smoother.frequencies_hz().to_vec();
        let out = smoother.smooth_db(&spectrum).to_vec();
        let half_power_db = 10.0 * 0.5f32.log10();
        for (f, db) in freqs.iter().zip(&out).filter(|(f, _)| **f > 2_000.0) {
            assert!((db - half_power_db).abs() < 0.05, "{f} Hz: {db}");
        }
    }

    #[test]
    fn each_point_is_the_mean_power_of_its_band_by_numerical_integration() {
        let rate = 44_100.0;
        let fraction = OctaveFraction::Twelfth;
        let mut smoother = OctaveSmoother::new(layout(rate, fraction, 0.0));
        let levels = random_levels_db(FFT / 2 + 1, 7);
        let power: Vec<f64> = levels
            .iter()
            .map(|db| 10f64.powf(f64::from(*db) / 10.0))
            .collect();
        let freqs = smoother.frequencies_hz().to_vec();
        let out = smoother.smooth_db(&levels).to_vec();
        let half = 2f64.powf(0.5 / fraction.bands_per_octave());
        let bins_per_hz = FFT as f64 / rate;
        // Midpoint rule over the linearly interpolated power, independent of
        // the smoother's closed-form integral.
        let density = |x: f64| {
            let k = x.floor() as usize;
            let t = x - k as f64;
            power[k] + t * (power[(k + 1).min(power.len() - 1)] - power[k])
        };
        for (i, (f, db)) in freqs.iter().zip(&out).enumerate().step_by(7) {
            let lo = f64::from(*f) / half * bins_per_hz;
            let hi = f64::from(*f) * half * bins_per_hz;
            let steps = 20_000;
            let width = (hi - lo) / steps as f64;
            let mean = (0..steps)
                .map(|j| density(lo + (j as f64 + 0.5) * width))
                .sum::<f64>()
                / steps as f64;
            let expected = 10.0 * mean.log10();
            assert!(
                (f64::from(*db) - expected).abs() < 1e-3,
                "point {i} at {f} Hz: {db} vs {expected}"
            );
        }
    }

    #[test]
    fn silence_and_points_above_nyquist_read_the_floor() {
        let mut config = layout(32_000.0, OctaveFraction::Sixth, DEFAULT_SLOPE_DB_PER_OCTAVE);
        config.max_hz = 20_000.0;
        let mut smoother = OctaveSmoother::new(config);
        let silence = vec![SPECTRUM_FLOOR_DB; FFT / 2 + 1];
        assert!(smoother
            .smooth_db(&silence)
            .iter()
            .all(|db| *db == SPECTRUM_FLOOR_DB));
        let loud = vec![0.0; FFT / 2 + 1];
        let freqs = smoother.frequencies_hz().to_vec();
        for (f, db) in freqs.iter().zip(smoother.smooth_db(&loud)) {
            assert_eq!(*f > 16_000.0, *db == SPECTRUM_FLOOR_DB, "{f} Hz: {db}");
        }
        // Non-finite and missing bins are silence, not NaN.
        let broken = [f32::NAN, f32::INFINITY, 0.0];
        assert!(smoother.smooth_db(&broken).iter().all(|db| db.is_finite()));
    }
}
