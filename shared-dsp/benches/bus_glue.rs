//! Bus Glue throughput, 48 kHz stereo, 64- and 512-frame blocks, compressing
//! a music-like signal by several dB: the compressor path alone (meters off)
//! and as the plugin runs it (two loudness meters with true peak for the
//! level match and the glue readout); the three-band mode (meters off) and
//! the soft clip (8× oversampled, meters off). Criterion reports frames/s
//! ("elem/s"); × realtime = (frames/s) / 48 000.

use criterion::{black_box, criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use shared_dsp::processors::bus_glue::{BusGlue, BusGlueSettings};

mod support;

use support::{in_blocks, music_like, NUM_CHANNELS, SAMPLE_RATE_HZ, SIGNAL_FRAMES};

fn bench_bus_glue(c: &mut Criterion) {
    let audio = music_like();
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
                    in_blocks(&mut left, &mut right, block, |channels| g.process(channels));
                    black_box(g.gain_reduction_db())
                });
            });
        }
    }
    let modes = [
        ("three_band", support::bus_glue_three_band()),
        (
            "soft_clip",
            BusGlueSettings {
                threshold_db: -24.0,
                ratio: 4.0,
                soft_clip: true,
                soft_clip_drive_db: 6.0,
                metering: false,
                ..BusGlueSettings::default()
            },
        ),
    ];
    for (name, settings) in modes {
        let block = 64usize;
        group.bench_with_input(BenchmarkId::new(name, block), &block, |b, &block| {
            let mut g = BusGlue::new(SAMPLE_RATE_HZ, NUM_CHANNELS);
            g.set_settings(&settings);
            let mut left = audio[0].clone();
            let mut right = audio[1].clone();
            b.iter(|| {
                left.copy_from_slice(&audio[0]);
                right.copy_from_slice(&audio[1]);
                in_blocks(&mut left, &mut right, block, |channels| g.process(channels));
                black_box(g.gain_reduction_db())
            });
        });
    }
    group.finish();
}

criterion_group!(benches, bench_bus_glue);
criterion_main!(benches);
