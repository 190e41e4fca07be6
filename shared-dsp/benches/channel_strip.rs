//! ChannelStrip throughput, 48 kHz stereo, every section on (8× oversampled
//! saturation included), at 64- and 512-frame blocks; plus the strip with
//! saturation off. Criterion reports time per second of audio and frames/s
//! ("elem/s"); × realtime = (frames/s) / 48 000.

use criterion::{black_box, criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use shared_dsp::processors::channel_strip::{ChannelStrip, ChannelStripSettings};
use shared_dsp::units::dynamics::{CompressorSettings, Detection, GateSettings};
use shared_dsp::units::eq::{CutFilterSettings, EqBandSettings, EqBandType};
use shared_dsp::units::saturation::{SaturationCharacter, SaturationSettings};
use shared_dsp::units::stereo::StereoSettings;

const SAMPLE_RATE_HZ: f64 = 48_000.0;
const SIGNAL_FRAMES: usize = 48_000;

fn signal() -> [Vec<f32>; 2] {
    let mut seed = 0x1234_5678u32;
    let mut make = |f: f32| -> Vec<f32> {
        (0..SIGNAL_FRAMES)
            .map(|i| {
                seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
                let hiss = (seed >> 9) as f32 / (1u32 << 23) as f32 - 0.5;
                let t = i as f32 / SAMPLE_RATE_HZ as f32;
                0.4 * (2.0 * std::f32::consts::PI * f * t).sin() + 0.1 * hiss
            })
            .collect()
    };
    [make(440.0), make(443.0)]
}

fn all_on() -> ChannelStripSettings {
    let mut s = ChannelStripSettings {
        input_trim_db: 2.0,
        high_pass: CutFilterSettings {
            enabled: true,
            cutoff_hz: 60.0,
            order: 4,
        },
        low_pass: CutFilterSettings {
            enabled: true,
            cutoff_hz: 18_000.0,
            order: 2,
        },
        gate: GateSettings {
            enabled: true,
            threshold_db: -50.0,
            range_db: 20.0,
            ..GateSettings::default()
        },
        compressor: CompressorSettings {
            enabled: true,
            threshold_db: -18.0,
            ratio: 3.0,
            auto_release: true,
            detection: Detection::Rms,
            sidechain_hpf_enabled: true,
            mix: 0.8,
            ..CompressorSettings::default()
        },
        saturation: SaturationSettings {
            enabled: true,
            character: SaturationCharacter::Tube,
            drive_db: 6.0,
            ..SaturationSettings::default()
        },
        stereo: StereoSettings {
            pan: 0.0,
            balance: 0.1,
            width: 1.2,
        },
        output_gain_db: -1.0,
        ..ChannelStripSettings::default()
    };
    for (i, band) in s.eq.bands.iter_mut().enumerate() {
        *band = EqBandSettings::new(EqBandType::Bell, 100.0 * 2.5f32.powi(i as i32), 3.0, 1.0);
    }
    s
}

fn bench_strip(c: &mut Criterion) {
    let audio = signal();
    let mut group = c.benchmark_group("channel_strip_48k_stereo");
    group.throughput(Throughput::Elements(SIGNAL_FRAMES as u64));
    for (name, settings) in [
        ("all_on", all_on()),
        (
            "all_on_but_saturation",
            ChannelStripSettings {
                saturation: SaturationSettings::default(),
                ..all_on()
            },
        ),
    ] {
        for block in [64usize, 512] {
            group.bench_with_input(BenchmarkId::new(name, block), &block, |b, &block| {
                let mut strip = ChannelStrip::new(SAMPLE_RATE_HZ, 2);
                strip.set_settings(&settings);
                strip.reset();
                let mut left = audio[0].clone();
                let mut right = audio[1].clone();
                b.iter(|| {
                    left.copy_from_slice(&audio[0]);
                    right.copy_from_slice(&audio[1]);
                    for start in (0..SIGNAL_FRAMES).step_by(block) {
                        let end = (start + block).min(SIGNAL_FRAMES);
                        strip.process(&mut [&mut left[start..end], &mut right[start..end]]);
                    }
                    black_box(strip.gain_reduction_db())
                });
            });
        }
    }
    group.finish();
}

criterion_group!(benches, bench_strip);
criterion_main!(benches);
