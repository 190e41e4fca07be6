//! Test-signal generators and helpers shared by the integration tests.
#![allow(dead_code)]

use shared_dsp::units::loudness::LoudnessMeter;
use std::f64::consts::PI;

#[path = "../support/rng.rs"]
mod rng;
pub use rng::Rng;

/// dBFS → linear amplitude.
pub fn db_to_amp(db: f64) -> f64 {
    10f64.powf(db / 20.0)
}

/// Number of frames in `seconds` at `rate` (rounded).
pub fn frames(seconds: f64, rate: f64) -> usize {
    (seconds * rate).round() as usize
}

/// A sine of `freq_hz` at `level_dbfs` peak, phase-continuous from `start`
/// (sample index), `phase_rad` offset.
pub fn sine(
    rate: f64,
    freq_hz: f64,
    level_dbfs: f64,
    len: usize,
    start: usize,
    phase_rad: f64,
) -> Vec<f32> {
    let amp = db_to_amp(level_dbfs);
    (0..len)
        .map(|i| (amp * (2.0 * PI * freq_hz * (start + i) as f64 / rate + phase_rad).sin()) as f32)
        .collect()
}

/// Concatenated 1 kHz sine segments `(seconds, dBFS)`, phase continuous,
/// as in the EBU Tech 3341/3342 test signals.
pub fn sine_segments(rate: f64, segments: &[(f64, f64)]) -> Vec<f32> {
    let mut out = Vec::new();
    for &(seconds, level) in segments {
        let n = frames(seconds, rate);
        let start = out.len();
        out.extend(sine(rate, 1000.0, level, n, start, 0.0));
    }
    out
}

/// White noise, uniform, peak `amp`.
pub fn white_noise(rng: &mut Rng, len: usize, amp: f64) -> Vec<f32> {
    (0..len).map(|_| (amp * rng.bipolar()) as f32).collect()
}

/// Pink-ish noise (Paul Kellet's economy filter on white noise), scaled so
/// the peak is about `amp`.
pub fn pink_noise(rng: &mut Rng, len: usize, amp: f64) -> Vec<f32> {
    let (mut b0, mut b1, mut b2) = (0.0, 0.0, 0.0);
    let raw: Vec<f64> = (0..len)
        .map(|_| {
            let w = rng.bipolar();
            b0 = 0.99765 * b0 + w * 0.0990460;
            b1 = 0.96300 * b1 + w * 0.2965164;
            b2 = 0.57000 * b2 + w * 1.0526913;
            b0 + b1 + b2 + w * 0.1848
        })
        .collect();
    let peak = raw.iter().fold(0.0f64, |p, x| p.max(x.abs())).max(1e-12);
    raw.iter().map(|x| (amp * x / peak) as f32).collect()
}

/// Logarithmic sine sweep from `f0` to `f1` Hz at `level_dbfs`.
pub fn log_sweep(rate: f64, f0: f64, f1: f64, seconds: f64, level_dbfs: f64) -> Vec<f32> {
    let n = frames(seconds, rate);
    let amp = db_to_amp(level_dbfs);
    let k = (f1 / f0).ln();
    (0..n)
        .map(|i| {
            let t = i as f64 / rate;
            let phase = 2.0 * PI * f0 * seconds / k * ((t / seconds * k).exp() - 1.0);
            (amp * phase.sin()) as f32
        })
        .collect()
}

/// Tone bursts: `freq_hz` sine on for `on_s`, off for `off_s`, with levels
/// drawn from `levels_dbfs` in turn.
pub fn tone_bursts(
    rate: f64,
    freq_hz: f64,
    on_s: f64,
    off_s: f64,
    levels_dbfs: &[f64],
    seconds: f64,
) -> Vec<f32> {
    let n = frames(seconds, rate);
    let period = frames(on_s + off_s, rate);
    let on = frames(on_s, rate);
    (0..n)
        .map(|i| {
            let burst = i / period;
            if i % period < on {
                let amp = db_to_amp(levels_dbfs[burst % levels_dbfs.len()]);
                (amp * (2.0 * PI * freq_hz * i as f64 / rate).sin()) as f32
            } else {
                0.0
            }
        })
        .collect()
}

/// Noise amplitude-modulated by a slow sine (depth in dB, rate in Hz).
pub fn am_noise(
    rng: &mut Rng,
    rate: f64,
    seconds: f64,
    level_dbfs: f64,
    depth_db: f64,
    mod_hz: f64,
) -> Vec<f32> {
    let n = frames(seconds, rate);
    (0..n)
        .map(|i| {
            let t = i as f64 / rate;
            let db = level_dbfs + 0.5 * depth_db * (2.0 * PI * mod_hz * t).sin();
            (db_to_amp(db) * rng.bipolar()) as f32
        })
        .collect()
}

/// Interleaves planar channels.
pub fn interleave(channels: &[Vec<f32>]) -> Vec<f32> {
    let len = channels[0].len();
    let mut out = Vec::with_capacity(len * channels.len());
    for i in 0..len {
        for c in channels {
            out.push(c[i]);
        }
    }
    out
}

/// Feeds the whole planar signal in one block.
pub fn feed_all(meter: &mut LoudnessMeter, channels: &[Vec<f32>]) {
    meter.process(channels);
}

/// Feeds a planar signal in blocks of the sizes produced by `next_size`.
pub fn feed_in_blocks(
    meter: &mut LoudnessMeter,
    channels: &[Vec<f32>],
    mut next_size: impl FnMut() -> usize,
) {
    let len = channels[0].len();
    let mut pos = 0;
    while pos < len {
        let n = next_size().min(len - pos);
        let block: Vec<&[f32]> = channels.iter().map(|c| &c[pos..pos + n]).collect();
        meter.process(&block);
        pos += n;
    }
}

/// Asserts `actual` is within `[expected − below, expected + above]`.
#[track_caller]
pub fn assert_within(label: &str, actual: f64, expected: f64, below: f64, above: f64) {
    assert!(
        actual >= expected - below && actual <= expected + above,
        "{label}: {actual:.4} not within {expected} (−{below}/+{above})"
    );
}
