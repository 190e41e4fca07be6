//! Helpers shared by the channel-strip integration tests: FFT of impulse
//! responses (realfft), windowed spectra, seeded noise, sines.
#![allow(dead_code)]

use realfft::num_complex::Complex as FftComplex;
use realfft::RealFftPlanner;
use shared_dsp::processors::channel_strip::ChannelStripSettings;
use shared_dsp::units::dynamics::{CompressorSettings, Detection, GateSettings};
use shared_dsp::units::eq::{CutFilterSettings, EqBandSettings, EqBandType};
use shared_dsp::units::saturation::{SaturationCharacter, SaturationSettings};
use shared_dsp::units::stereo::StereoSettings;
use std::f64::consts::PI;

#[path = "../support/rng.rs"]
mod rng;
#[allow(unused_imports)] // not every test binary draws random numbers
pub use rng::Rng;

/// Spectrum (bins 0 ..= n/2) of a real signal.
pub fn spectrum(signal: &[f64]) -> Vec<FftComplex<f64>> {
    let mut planner = RealFftPlanner::<f64>::new();
    let fft = planner.plan_fft_forward(signal.len());
    let mut input = signal.to_vec();
    let mut output = fft.make_output_vec();
    fft.process(&mut input, &mut output).unwrap();
    output
}

/// Magnitude (dB) of the FFT of the impulse response of `filter`
/// (a per-sample closure), `len` samples long, at bin `k`.
pub fn impulse_response(mut filter: impl FnMut(f64) -> f64, len: usize) -> Vec<f64> {
    (0..len)
        .map(|n| filter(if n == 0 { 1.0 } else { 0.0 }))
        .collect()
}

/// dB of a magnitude (floored at −400 dB).
pub fn db(magnitude: f64) -> f64 {
    20.0 * magnitude.max(1e-20).log10()
}

/// Log-spaced frequencies from `lo` to `hi` (inclusive), `count` of them.
pub fn log_freqs(lo: f64, hi: f64, count: usize) -> Vec<f64> {
    (0..count)
        .map(|i| lo * (hi / lo).powf(i as f64 / (count - 1) as f64))
        .collect()
}

/// Bin nearest to `freq_hz` for an FFT of `len` at `rate`, and its exact frequency.
pub fn nearest_bin(freq_hz: f64, len: usize, rate: f64) -> (usize, f64) {
    let k = (freq_hz * len as f64 / rate).round() as usize;
    (k, k as f64 * rate / len as f64)
}

/// 4-term Blackman-Harris window (−92 dB sidelobes, main lobe ±4 bins).
pub fn blackman_harris(len: usize) -> Vec<f64> {
    const A: [f64; 4] = [0.35875, 0.48829, 0.14128, 0.01168];
    (0..len)
        .map(|n| {
            let x = 2.0 * PI * n as f64 / len as f64;
            A[0] - A[1] * x.cos() + A[2] * (2.0 * x).cos() - A[3] * (3.0 * x).cos()
        })
        .collect()
}

/// Power spectrum (|X|², bins 0 ..= n/2) of `signal` under a
/// Blackman-Harris window.
pub fn windowed_power(signal: &[f64]) -> Vec<f64> {
    let w = blackman_harris(signal.len());
    let x: Vec<f64> = signal.iter().zip(&w).map(|(s, w)| s * w).collect();
    spectrum(&x).iter().map(|c| c.norm_sqr()).collect()
}

/// Sine, amplitude `amp`, `freq_hz`, `len` samples at `rate`.
pub fn sine(amp: f64, freq_hz: f64, rate: f64, len: usize) -> Vec<f64> {
    (0..len)
        .map(|n| amp * (2.0 * PI * freq_hz * n as f64 / rate).sin())
        .collect()
}

/// Sine as f32.
pub fn sine_f32(amp: f64, freq_hz: f64, rate: f64, len: usize) -> Vec<f32> {
    sine(amp, freq_hz, rate, len)
        .into_iter()
        .map(|x| x as f32)
        .collect()
}

/// Every section of the strip on, with non-trivial settings (the channel
/// strip tests and the golden-output hashes).
pub fn busy_settings() -> ChannelStripSettings {
    let mut s = ChannelStripSettings {
        input_trim_db: 3.0,
        high_pass: CutFilterSettings {
            enabled: true,
            cutoff_hz: 60.0,
            order: 3,
        },
        low_pass: CutFilterSettings {
            enabled: true,
            cutoff_hz: 16_000.0,
            order: 4,
        },
        gate: GateSettings {
            enabled: true,
            threshold_db: -45.0,
            range_db: 20.0,
            ratio: 3.0,
            ..GateSettings::default()
        },
        compressor: CompressorSettings {
            enabled: true,
            threshold_db: -20.0,
            ratio: 4.0,
            knee_db: 6.0,
            attack_ms: 5.0,
            release_ms: 80.0,
            auto_release: true,
            detection: Detection::Rms,
            // The Bus Glue's detector blend and range, unused here.
            rms_blend: 0.0,
            max_reduction_db: f32::INFINITY,
            sidechain_hpf_enabled: true,
            sidechain_hpf_hz: 100.0,
            stereo_link: 0.7,
            makeup_db: 4.0,
            auto_makeup: false,
            mix: 0.8,
        },
        saturation: SaturationSettings {
            enabled: true,
            character: SaturationCharacter::Tape,
            drive_db: 9.0,
            compensate: true,
            output_db: -1.0,
            mix: 0.7,
        },
        stereo: StereoSettings {
            pan: 0.1,
            balance: -0.2,
            width: 1.3,
        },
        output_gain_db: -2.0,
        ..ChannelStripSettings::default()
    };
    s.invert_polarity[1] = true;
    s.eq.bands[0] = EqBandSettings::new(EqBandType::LowShelf, 120.0, 3.0, 0.7);
    s.eq.bands[1] = EqBandSettings::new(EqBandType::Bell, 450.0, -4.0, 1.5);
    s.eq.bands[2] = EqBandSettings::new(EqBandType::Bell, 3000.0, 5.0, 2.0);
    s.eq.bands[3] = EqBandSettings::new(EqBandType::Notch, 7000.0, 0.0, 8.0);
    s.eq.bands[4] = EqBandSettings::new(EqBandType::HighShelf, 10_000.0, 2.0, 0.7);
    s.eq.bands[5] = EqBandSettings::new(EqBandType::Tilt, 1000.0, -1.5, 0.5);
    s
}
