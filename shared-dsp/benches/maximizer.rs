//! Maximizer throughput, 48 kHz stereo, 64- and 512-frame blocks, 4× and 8×
//! detection, limiting a music-like signal by several dB. Criterion reports
//! frames/s ("elem/s"); × realtime = (frames/s) / 48 000.

use criterion::{black_box, criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use shared_dsp::processors::maximizer::{Maximizer, MaximizerSettings, Oversampling};

const SAMPLE_RATE_HZ: f64 = 48_000.0;
const NUM_CHANNELS: usize = 2;
/// One second of audio per iteration.
const SIGNAL_FRAMES: usize = 48_000;
/// Drive into the limiter, dB (several dB of gain reduction on the peaks).
const INPUT_GAIN_DB: f32 = 9.0;

fn signal() -> Vec<Vec<f32>> {
    let mut seed = 0x1234_5678u32;
    (0..NUM_CHANNELS)
        .map(|c| {
            (0..SIGNAL_FRAMES)
                .map(|i| {
                    seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
                    let hiss = (seed >> 9) as f32 / (1u32 << 23) as f32 - 0.5;
                    let t = i as f32 / SAMPLE_RATE_HZ as f32;
                    let beat = (i % 12_000) as f32 / SAMPLE_RATE_HZ as f32;
                    0.3 * (2.0 * std::f32::consts::PI * (110.0 + 3.0 * c as f32) * t).sin()
                        + 0.5 * (-beat * 20.0).exp() * hiss
                })
                .collect()
        })
        .collect()
}

fn bench_maximizer(c: &mut Criterion) {
    let audio = signal();
    let mut group = c.benchmark_group("maximizer_48k_stereo");
    group.throughput(Throughput::Elements(SIGNAL_FRAMES as u64));
    for oversampling in [Oversampling::X4, Oversampling::X8] {
        for block in [64usize, 512] {
            let id = BenchmarkId::new(format!("{oversampling:?}"), block);
            group.bench_with_input(id, &block, |b, &block| {
                let mut m = Maximizer::new(SAMPLE_RATE_HZ, NUM_CHANNELS);
                m.set_settings(&MaximizerSettings {
                    input_gain_db: INPUT_GAIN_DB,
                    oversampling,
                    ..MaximizerSettings::default()
                });
                let mut left = audio[0].clone();
                let mut right = audio[1].clone();
                b.iter(|| {
                    left.copy_from_slice(&audio[0]);
                    right.copy_from_slice(&audio[1]);
                    for start in (0..SIGNAL_FRAMES).step_by(block) {
                        let end = (start + block).min(SIGNAL_FRAMES);
                        m.process(&mut [&mut left[start..end], &mut right[start..end]]);
                    }
                    black_box(m.gain_reduction_db())
                });
            });
        }
    }
    group.finish();
}

criterion_group!(benches, bench_maximizer);
criterion_main!(benches);
