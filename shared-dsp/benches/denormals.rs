//! Denormal input against normal input, for every processor: the same second
//! of 48 kHz stereo, once as white noise at −10 dBFS and once as random
//! subnormals (uniform in ±`f32::MIN_POSITIVE`, what clap-validator's
//! `process-audio-denormals` feeds). Run outside the plugin wrapper, so with
//! neither Flush-To-Zero nor Denormals-Are-Zero set: the processors must not
//! rely on the wrapper's flags. Compare the `normal` and `denormal` lines of
//! each group; they should be the same within noise.
//!
//! ```sh
//! cargo bench -p shared-dsp --bench denormals -- --warm-up-time 1 --measurement-time 3
//! ```
// Settings are built up field by field from the neutral default: it reads
// as "neutral except …".
#![allow(clippy::field_reassign_with_default)]

use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};
use shared_dsp::processors::channel_strip::{ChannelStrip, ChannelStripSettings};
use shared_dsp::processors::maximizer::{Maximizer, MaximizerSettings};
use shared_dsp::units::dynamics::{CompressorSettings, GateSettings};
use shared_dsp::units::eq::{CutFilterSettings, EqBandSettings, EqBandType};
use shared_dsp::units::loudness::LoudnessMeter;
use shared_dsp::units::saturation::SaturationSettings;

const SAMPLE_RATE_HZ: f64 = 48_000.0;
/// One second of audio per iteration.
const SIGNAL_FRAMES: usize = 48_000;
/// Frames per `process` call (a typical host block).
const BLOCK_FRAMES: usize = 512;
/// Peak of the normal input (−10 dBFS), linear.
const NORMAL_PEAK: f32 = 0.316;

/// Stereo white noise of peak `peak`, from a fixed seed.
fn noise(peak: f32) -> [Vec<f32>; 2] {
    let mut seed = 0x1234_5678u32;
    let mut make = || -> Vec<f32> {
        (0..SIGNAL_FRAMES)
            .map(|_| {
                seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
                // Uniform in [−1, 1), then scaled in f64 so the scaling
                // itself never runs on subnormals here.
                let unit = f64::from(seed >> 8) / f64::from(1u32 << 23) - 1.0;
                (unit * f64::from(peak)) as f32
            })
            .collect()
    };
    [make(), make()]
}

fn inputs() -> [(&'static str, [Vec<f32>; 2]); 2] {
    let denormal = noise(f32::MIN_POSITIVE);
    assert!(denormal[0].iter().all(|x| *x == 0.0 || x.is_subnormal()));
    [("normal", noise(NORMAL_PEAK)), ("denormal", denormal)]
}

/// Runs `process` over one second in [`BLOCK_FRAMES`] blocks.
fn run(
    input: &[Vec<f32>; 2],
    work: &mut [Vec<f32>; 2],
    mut process: impl FnMut(&mut [&mut [f32]]),
) {
    let [left, right] = work;
    left.copy_from_slice(&input[0]);
    right.copy_from_slice(&input[1]);
    for start in (0..SIGNAL_FRAMES).step_by(BLOCK_FRAMES) {
        let end = (start + BLOCK_FRAMES).min(SIGNAL_FRAMES);
        process(&mut [&mut left[start..end], &mut right[start..end]]);
    }
}

/// Every section of the strip on (the worst case for feedback state).
fn strip_all_on() -> ChannelStripSettings {
    let mut s = ChannelStripSettings::default();
    s.high_pass = CutFilterSettings {
        enabled: true,
        cutoff_hz: 60.0,
        order: 4,
    };
    s.low_pass = CutFilterSettings {
        enabled: true,
        cutoff_hz: 18_000.0,
        order: 2,
    };
    for (i, band) in s.eq.bands.iter_mut().enumerate() {
        *band = EqBandSettings::new(EqBandType::Bell, 100.0 * (i + 1) as f32, 3.0, 1.0);
    }
    s.gate = GateSettings {
        enabled: true,
        threshold_db: -50.0,
        range_db: 20.0,
        ..GateSettings::default()
    };
    s.compressor = CompressorSettings {
        enabled: true,
        ratio: 3.0,
        ..CompressorSettings::default()
    };
    s.saturation = SaturationSettings {
        enabled: true,
        ..SaturationSettings::default()
    };
    s
}

fn bench_denormals(c: &mut Criterion) {
    let inputs = inputs();
    let mut work = [vec![0.0; SIGNAL_FRAMES], vec![0.0; SIGNAL_FRAMES]];

    let strips = [
        ("channel_strip_neutral", ChannelStripSettings::default()),
        ("channel_strip_all_on", strip_all_on()),
    ];
    for (name, settings) in strips {
        let mut group = c.benchmark_group(name);
        group.throughput(Throughput::Elements(SIGNAL_FRAMES as u64));
        for (kind, input) in &inputs {
            let mut strip = ChannelStrip::new(SAMPLE_RATE_HZ, 2);
            strip.set_settings(&settings);
            strip.reset();
            group.bench_function(*kind, |b| {
                b.iter(|| {
                    run(input, &mut work, |block| strip.process(block));
                    black_box(strip.gain_reduction_db())
                })
            });
        }
        group.finish();
    }

    let mut group = c.benchmark_group("maximizer_default");
    group.throughput(Throughput::Elements(SIGNAL_FRAMES as u64));
    for (kind, input) in &inputs {
        let mut maximizer = Maximizer::new(SAMPLE_RATE_HZ, 2);
        maximizer.set_settings(&MaximizerSettings::default());
        maximizer.reset();
        group.bench_function(*kind, |b| {
            b.iter(|| {
                run(input, &mut work, |block| maximizer.process(block));
                black_box(maximizer.gain_reduction_db())
            })
        });
    }
    group.finish();

    let mut group = c.benchmark_group("loudness_meter");
    group.throughput(Throughput::Elements(SIGNAL_FRAMES as u64));
    for (kind, input) in &inputs {
        let mut meter = LoudnessMeter::new(SAMPLE_RATE_HZ, 2);
        group.bench_function(*kind, |b| {
            b.iter(|| {
                run(input, &mut work, |block| meter.process(block));
                black_box(meter.readings())
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench_denormals);
criterion_main!(benches);
