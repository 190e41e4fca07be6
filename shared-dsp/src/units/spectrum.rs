//! Spectrum analyser frames for editors: Hann-windowed real FFT of the most
//! recent samples, as magnitudes in dBFS per bin.
//!
//! Runs on the GUI thread (it allocates at construction only); the audio
//! thread only copies samples into a ring the GUI reads.

use realfft::{num_complex::Complex32, RealFftPlanner, RealToComplex};
use std::sync::Arc;

/// Floor of the reported magnitudes, dBFS (silence reads this, not −∞).
pub const SPECTRUM_FLOOR_DB: f32 = -150.0;

/// A reusable analyser for frames of `fft_size` samples.
pub struct SpectrumAnalyzer {
    fft: Arc<dyn RealToComplex<f32>>,
    window: Vec<f32>,
    input: Vec<f32>,
    output: Vec<Complex32>,
    scratch: Vec<Complex32>,
    magnitudes_db: Vec<f32>,
}

impl SpectrumAnalyzer {
    /// An analyser for `fft_size`-sample frames (even, ≥ 2). Allocates.
    ///
    /// # Panics
    /// If `fft_size` is odd or below 2.
    pub fn new(fft_size: usize) -> Self {
        assert!(
            fft_size >= 2 && fft_size.is_multiple_of(2),
            "fft_size must be even and ≥ 2"
        );
        let fft = RealFftPlanner::<f32>::new().plan_fft_forward(fft_size);
        // Periodic Hann window.
        let window = (0..fft_size)
            .map(|i| {
                let phase = std::f32::consts::TAU * i as f32 / fft_size as f32;
                0.5 - 0.5 * phase.cos()
            })
            .collect();
        Self {
            input: fft.make_input_vec(),
            output: fft.make_output_vec(),
            scratch: fft.make_scratch_vec(),
            magnitudes_db: vec![SPECTRUM_FLOOR_DB; fft_size / 2 + 1],
            window,
            fft,
        }
    }

    /// Frame length, samples.
    pub fn fft_size(&self) -> usize {
        self.window.len()
    }

    /// Centre frequency of bin `k` at `sample_rate`, Hz.
    pub fn bin_frequency_hz(&self, k: usize, sample_rate: f64) -> f64 {
        k as f64 * sample_rate / self.fft_size() as f64
    }

    /// Analyses `frame` (exactly `fft_size` samples; shorter frames are
    /// zero-padded, longer ones use their last `fft_size` samples) and returns
    /// the magnitude of each bin 0..=N/2 in dBFS, scaled so a full-scale sine
    /// centred on a bin reads 0 dB.
    pub fn analyze(&mut self, frame: &[f32]) -> &[f32] {
        let n = self.fft_size();
        let frame = &frame[frame.len().saturating_sub(n)..];
        self.input.fill(0.0);
        for ((x, w), s) in self.input.iter_mut().zip(&self.window).zip(frame) {
            *x = if s.is_finite() { s * w } else { 0.0 };
        }
        // Hann coherent gain is 1/2; a sine of amplitude A gives |X| = A·N/4.
        let scale = 4.0 / n as f32;
        if self
            .fft
            .process_with_scratch(&mut self.input, &mut self.output, &mut self.scratch)
            .is_ok()
        {
            for (m, c) in self.magnitudes_db.iter_mut().zip(&self.output) {
                let magnitude = c.norm() * scale;
                *m = (20.0 * magnitude.log10()).max(SPECTRUM_FLOOR_DB);
            }
        }
        &self.magnitudes_db
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_scale_sine_on_a_bin_reads_zero_db_there_and_far_less_elsewhere() {
        let n = 2048;
        let rate = 48_000.0;
        let bin = 100;
        let freq = bin as f64 * rate / n as f64;
        let frame: Vec<f32> = (0..n)
            .map(|i| (std::f64::consts::TAU * freq * i as f64 / rate).sin() as f32)
            .collect();
        let mut analyzer = SpectrumAnalyzer::new(n);
        let spectrum = analyzer.analyze(&frame).to_vec();
        assert!(spectrum[bin].abs() < 0.01, "peak {}", spectrum[bin]);
        // Hann: neighbours at −6 dB, far bins well below −80 dB.
        assert!((spectrum[bin + 1] + 6.02).abs() < 0.1);
        assert!(spectrum[bin + 20] < -80.0);
        assert_eq!(analyzer.bin_frequency_hz(bin, rate), freq);
    }

    #[test]
    fn silence_and_non_finite_input_read_the_floor() {
        let mut analyzer = SpectrumAnalyzer::new(256);
        let frame = vec![f32::NAN; 256];
        assert!(analyzer
            .analyze(&frame)
            .iter()
            .all(|&m| m == SPECTRUM_FLOOR_DB));
    }
}
