//! Maximizer throughput, 48 kHz stereo, 64- and 512-frame blocks, 4× and 8×
//! detection, limiting a music-like signal by several dB. Criterion reports
//! frames/s ("elem/s"); × realtime = (frames/s) / 48 000.

use criterion::{black_box, criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use shared_dsp::processors::maximizer::{Maximizer, MaximizerSettings, Oversampling};

mod support;

use support::{in_blocks, music_like, NUM_CHANNELS, SAMPLE_RATE_HZ, SIGNAL_FRAMES};

/// Drive into the limiter, dB (several dB of gain reduction on the peaks).
const INPUT_GAIN_DB: f32 = 9.0;

fn bench_maximizer(c: &mut Criterion) {
    let audio = music_like();
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
                    in_blocks(&mut left, &mut right, block, |channels| m.process(channels));
                    black_box(m.gain_reduction_db())
                });
            });
        }
    }
    group.finish();
}

criterion_group!(benches, bench_maximizer);
criterion_main!(benches);
