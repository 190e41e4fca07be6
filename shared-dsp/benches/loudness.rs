//! LoudnessMeter throughput, 48 kHz stereo, at 64- and 512-frame blocks.
//! Criterion reports time per block and frames/s ("elem/s");
//! × realtime = (frames/s) / 48 000.

use criterion::{black_box, criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use shared_dsp::units::loudness::LoudnessMeter;

const SAMPLE_RATE_HZ: f64 = 48_000.0;
const NUM_CHANNELS: usize = 2;
/// One second of audio per iteration batch keeps step completions (and the
/// histogram updates they trigger) in the measured mix.
const SIGNAL_FRAMES: usize = 48_000;

fn signal() -> Vec<Vec<f32>> {
    // A deterministic non-trivial signal: two detuned tones plus an LCG hiss.
    let mut seed = 0x1234_5678u32;
    (0..NUM_CHANNELS)
        .map(|c| {
            (0..SIGNAL_FRAMES)
                .map(|i| {
                    seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
                    let hiss = (seed >> 9) as f32 / (1u32 << 23) as f32 - 0.5;
                    let t = i as f32 / SAMPLE_RATE_HZ as f32;
                    0.3 * (2.0 * std::f32::consts::PI * (440.0 + 3.0 * c as f32) * t).sin()
                        + 0.05 * hiss
                })
                .collect()
        })
        .collect()
}

fn bench_loudness(c: &mut Criterion) {
    let audio = signal();
    let mut group = c.benchmark_group("loudness_meter_48k_stereo");
    for block in [64usize, 512] {
        group.throughput(Throughput::Elements(SIGNAL_FRAMES as u64));
        group.bench_with_input(BenchmarkId::new("block", block), &block, |b, &block| {
            let mut meter = LoudnessMeter::new(SAMPLE_RATE_HZ, NUM_CHANNELS);
            b.iter(|| {
                for start in (0..SIGNAL_FRAMES).step_by(block) {
                    let end = (start + block).min(SIGNAL_FRAMES);
                    meter.process(&[&audio[0][start..end], &audio[1][start..end]]);
                }
                black_box(meter.readings())
            });
        });
    }
    group.finish();
}

criterion_group!(benches, bench_loudness);
criterion_main!(benches);
