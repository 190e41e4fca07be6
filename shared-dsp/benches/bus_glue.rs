//! Bus Glue throughput, 48 kHz stereo, 64- and 512-frame blocks, compressing
//! a music-like signal by several dB: the compressor path alone (meters off)
//! and as the plugin runs it (two loudness meters with true peak for the
//! level match and the glue readout). Criterion reports frames/s
//! ("elem/s"); × realtime = (frames/s) / 48 000.

use criterion::{black_box, criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use shared_dsp::processors::bus_glue::{BusGlue, BusGlueSettings};

const SAMPLE_RATE_HZ: f64 = 48_000.0;
const NUM_CHANNELS: usize = 2;
/// One second of audio per iteration.
const SIGNAL_FRAMES: usize = 48_000;

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

fn bench_bus_glue(c: &mut Criterion) {
    let audio = signal();
    let mut group = c.benchmark_group("bus_glue_48k_stereo");
    group.throughput(Throughput::Elements(SIGNAL_FRAMES as u64));
    for metering in [false, true] {
        for block in [64usize, 512] {
            let name = if metering {
                "with_meters"
            } else {
                "compressor"
            };
            group.bench_with_input(BenchmarkId::new(name, block), &block, |b, &block| {
                let mut g = BusGlue::new(SAMPLE_RATE_HZ, NUM_CHANNELS);
                g.set_settings(&BusGlueSettings {
                    threshold_db: -24.0,
                    ratio: 4.0,
                    auto_release: true,
                    auto_makeup: true,
                    metering,
                    ..BusGlueSettings::default()
                });
                let mut left = audio[0].clone();
                let mut right = audio[1].clone();
                b.iter(|| {
                    left.copy_from_slice(&audio[0]);
                    right.copy_from_slice(&audio[1]);
                    for start in (0..SIGNAL_FRAMES).step_by(block) {
                        let end = (start + block).min(SIGNAL_FRAMES);
                        g.process(&mut [&mut left[start..end], &mut right[start..end]]);
                    }
                    black_box(g.gain_reduction_db())
                });
            });
        }
    }
    group.finish();
}

criterion_group!(benches, bench_bus_glue);
criterion_main!(benches);
