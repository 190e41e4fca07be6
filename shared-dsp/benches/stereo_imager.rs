//! Stereo Imager throughput, 48 kHz stereo, 64-frame blocks: single band
//! (width 150 %, every meter running, as always) and four bands with the
//! mono maker, stereoize and side tone on, reading the meters once per
//! block as the plugin does. Criterion reports frames/s ("elem/s");
//! × realtime = (frames/s) / 48 000.

use criterion::{black_box, criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use shared_dsp::processors::stereo_imager::StereoImager;

#[allow(dead_code)]
mod support;

const SAMPLE_RATE_HZ: f64 = 48_000.0;
/// One second of audio per iteration.
const SIGNAL_FRAMES: usize = 48_000;
/// The plugin's typical small host block.
const BLOCK_FRAMES: usize = 64;

/// A wide-ish stereo programme: a shared tone plus independent noise.
fn signal() -> [Vec<f32>; 2] {
    let mut seed = 0x2468_ace1u32;
    let mut next = move || {
        seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
        (seed >> 9) as f32 / (1u32 << 23) as f32 - 0.5
    };
    let mut left = Vec::with_capacity(SIGNAL_FRAMES);
    let mut right = Vec::with_capacity(SIGNAL_FRAMES);
    for i in 0..SIGNAL_FRAMES {
        let t = i as f32 / SAMPLE_RATE_HZ as f32;
        let tone = 0.3 * (2.0 * std::f32::consts::PI * 110.0 * t).sin();
        left.push(tone + 0.2 * next());
        right.push(tone + 0.2 * next());
    }
    [left, right]
}

fn bench_imager(c: &mut Criterion) {
    let audio = signal();
    let mut group = c.benchmark_group("stereo_imager_48k_stereo_64");
    group.throughput(Throughput::Elements(SIGNAL_FRAMES as u64));
    let single = support::stereo_imager_single_band();
    let four = support::stereo_imager_four_bands();
    for (name, settings) in [("single_band", single), ("four_bands", four)] {
        group.bench_with_input(BenchmarkId::new(name, BLOCK_FRAMES), &settings, |b, s| {
            let mut imager = StereoImager::new(SAMPLE_RATE_HZ);
            imager.set_settings(s);
            let mut left = audio[0].clone();
            let mut right = audio[1].clone();
            b.iter(|| {
                left.copy_from_slice(&audio[0]);
                right.copy_from_slice(&audio[1]);
                let mut scope = 0.0f32;
                let mut correlation = 0.0;
                for start in (0..SIGNAL_FRAMES).step_by(BLOCK_FRAMES) {
                    let end = (start + BLOCK_FRAMES).min(SIGNAL_FRAMES);
                    imager.process_with_scope(
                        &mut [&mut left[start..end], &mut right[start..end]],
                        |l, r| scope += l - r,
                    );
                    correlation += imager.readings().correlation;
                }
                black_box((scope, correlation))
            });
        });
    }
    group.finish();
}

criterion_group!(benches, bench_imager);
criterion_main!(benches);
