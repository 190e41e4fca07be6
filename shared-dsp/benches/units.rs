//! Per-unit throughput, 48 kHz stereo, at 64- and 512-frame blocks: one
//! criterion group per unit (STYLE.md §17), each iteration one second of the
//! shared music-like signal (`support::music_like`). Criterion reports
//! frames/s ("elem/s"); × realtime = (frames/s) / 48 000.
//!
//! The strip, compressor and EQ groups also run on silence and on random
//! subnormals (uniform in ±`f32::MIN_POSITIVE`, what clap-validator feeds),
//! outside any wrapper, so with neither Flush-To-Zero nor Denormals-Are-Zero
//! set: compare their `silence` / `denormal` lines with `music`.
//!
//! Windows are short by default (0.5 s warm-up, 1.5 s measurement, 10
//! samples) so the whole file runs in a few minutes; the command line
//! overrides them:
//!
//! ```sh
//! cargo bench -p shared-dsp --bench units -- --warm-up-time 1 --measurement-time 3
//! cargo bench -p shared-dsp --bench units -- compressor     # one group
//! ```
// Settings are built field by field from a default: "default except …".
#![allow(clippy::field_reassign_with_default)]

use std::time::Duration;

use criterion::measurement::WallTime;
use criterion::{
    black_box, criterion_group, criterion_main, BenchmarkGroup, BenchmarkId, Criterion, Throughput,
};
use shared_dsp::primitives::oversampling::{Decimator, Upsampler, MAX_FACTOR};
use shared_dsp::primitives::true_peak::{DetectorFactor, TruePeakDetector};
use shared_dsp::processors::bus_glue::{BusGlue, BusGlueSettings};
use shared_dsp::processors::channel_strip::{ChannelStrip, ChannelStripSettings};
use shared_dsp::processors::maximizer::{Maximizer, MaximizerSettings, Oversampling};
use shared_dsp::processors::stereo_imager::StereoImager;
use shared_dsp::units::dynamics::{Compressor, CompressorSettings, Detection, Gate, GateSettings};
use shared_dsp::units::eq::{
    CutFilter, CutFilterSettings, EqBandSettings, EqBandType, EqSettings, ParametricEq,
};
use shared_dsp::units::filter::PassKind;
use shared_dsp::units::loudness::LoudnessMeter;
use shared_dsp::units::saturation::{
    SaturationCharacter, SaturationSettings, Saturator, OVERSAMPLING,
};
use shared_dsp::units::stereo::{StereoSettings, StereoStage};

mod support;

use support::{in_blocks, music_like, NUM_CHANNELS, SAMPLE_RATE_HZ, SIGNAL_FRAMES};

/// The two block sizes every unit runs at, frames.
const BLOCKS: [usize; 2] = [64, 512];
/// Drive into the maximizer, dB (several dB of limiting on the peaks).
const MAXIMIZER_INPUT_GAIN_DB: f32 = 9.0;

/// The inputs: `music` (the shared bench signal), `silence` (zeros) and
/// `denormal` (random subnormals from a fixed seed).
fn inputs() -> [(&'static str, Vec<Vec<f32>>); 3] {
    let music = music_like();
    let silence = vec![vec![0.0f32; SIGNAL_FRAMES]; NUM_CHANNELS];
    let mut seed = 0x9e37_79b9u32;
    let denormal: Vec<Vec<f32>> = (0..NUM_CHANNELS)
        .map(|_| {
            (0..SIGNAL_FRAMES)
                .map(|_| {
                    seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
                    let unit = f64::from(seed >> 8) / f64::from(1u32 << 23) - 1.0;
                    (unit * f64::from(f32::MIN_POSITIVE)) as f32
                })
                .collect()
        })
        .collect();
    assert!(denormal
        .iter()
        .flatten()
        .all(|x| *x == 0.0 || x.is_subnormal()));
    [
        ("music", music),
        ("silence", silence),
        ("denormal", denormal),
    ]
}

fn to_f64(signal: &[Vec<f32>]) -> Vec<Vec<f64>> {
    signal
        .iter()
        .map(|c| c.iter().map(|&x| f64::from(x)).collect())
        .collect()
}

fn group<'a>(c: &'a mut Criterion, name: &str) -> BenchmarkGroup<'a, WallTime> {
    let mut g = c.benchmark_group(name);
    g.throughput(Throughput::Elements(SIGNAL_FRAMES as u64));
    g
}

/// Benches an f32 planar processor: one second of `input` per iteration, in
/// `block`-frame blocks.
fn bench_f32(
    g: &mut BenchmarkGroup<'_, WallTime>,
    id: BenchmarkId,
    input: &[Vec<f32>],
    block: usize,
    mut process: impl FnMut(&mut [&mut [f32]]),
) {
    let mut left = input[0].clone();
    let mut right = input[1].clone();
    g.bench_function(id, |b| {
        b.iter(|| {
            left.copy_from_slice(&input[0]);
            right.copy_from_slice(&input[1]);
            in_blocks(&mut left, &mut right, block, &mut process);
            black_box(left[0])
        })
    });
}

/// Benches an f64 planar unit (the units' own sample type).
fn bench_f64(
    g: &mut BenchmarkGroup<'_, WallTime>,
    id: BenchmarkId,
    input: &[Vec<f64>],
    block: usize,
    mut process: impl FnMut(&mut [&mut [f64]]),
) {
    let mut left = input[0].clone();
    let mut right = input[1].clone();
    g.bench_function(id, |b| {
        b.iter(|| {
            left.copy_from_slice(&input[0]);
            right.copy_from_slice(&input[1]);
            for start in (0..SIGNAL_FRAMES).step_by(block) {
                let end = (start + block).min(SIGNAL_FRAMES);
                process(&mut [&mut left[start..end], &mut right[start..end]]);
            }
            black_box(left[0])
        })
    });
}

/// Seconds of the input run through a unit before it is timed, so the
/// silence and denormal variants measure the settled state (a compressor
/// releasing, a gate closing) rather than the first second after `reset`.
const PREROLL_SECONDS: usize = 6;

fn preroll(input: &[Vec<f32>], mut process: impl FnMut(&mut [&mut [f32]])) {
    let (mut l, mut r) = (input[0].clone(), input[1].clone());
    for _ in 0..PREROLL_SECONDS {
        l.copy_from_slice(&input[0]);
        r.copy_from_slice(&input[1]);
        in_blocks(&mut l, &mut r, 512, &mut process);
    }
}

fn preroll64(input: &[Vec<f64>], mut process: impl FnMut(&mut [&mut [f64]])) {
    let (mut l, mut r) = (input[0].clone(), input[1].clone());
    for _ in 0..PREROLL_SECONDS {
        l.copy_from_slice(&input[0]);
        r.copy_from_slice(&input[1]);
        for start in (0..SIGNAL_FRAMES).step_by(512) {
            let end = (start + 512).min(SIGNAL_FRAMES);
            process(&mut [&mut l[start..end], &mut r[start..end]]);
        }
    }
}

/// Four bells at +3 dB, Q 1, from 100 Hz, ×2.5 apart (the other bands off).
fn four_bells() -> EqSettings {
    let mut eq = EqSettings::default();
    for (i, band) in eq.bands.iter_mut().take(4).enumerate() {
        *band = EqBandSettings::new(EqBandType::Bell, 100.0 * 2.5f32.powi(i as i32), 3.0, 1.0);
    }
    eq
}

/// A typical bus/track compressor: −20 dB, 4:1, 6 dB knee, 10/100 ms, peak.
fn compressor_settings() -> CompressorSettings {
    CompressorSettings {
        enabled: true,
        threshold_db: -20.0,
        ratio: 4.0,
        ..CompressorSettings::default()
    }
}

/// The strip with every section on (the `channel_strip` bench's settings).
fn strip_all_on() -> ChannelStripSettings {
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

fn bench_units(c: &mut Criterion) {
    let inputs = inputs();
    let inputs64: Vec<(&str, Vec<Vec<f64>>)> =
        inputs.iter().map(|(n, s)| (*n, to_f64(s))).collect();
    let music = &inputs[0].1;
    let music64 = &inputs64[0].1;

    // Channel strip: every section on, and with saturation off.
    let mut g = group(c, "channel_strip");
    let sat_off = ChannelStripSettings {
        saturation: SaturationSettings::default(),
        ..strip_all_on()
    };
    for (name, settings) in [("all_on", strip_all_on()), ("saturation_off", sat_off)] {
        for (kind, input) in &inputs {
            for block in BLOCKS {
                if *kind != "music" && block != 64 {
                    continue;
                }
                let mut strip = ChannelStrip::new(SAMPLE_RATE_HZ, NUM_CHANNELS);
                strip.set_settings(&settings);
                strip.reset();
                preroll(input, |ch| strip.process(ch));
                let id = BenchmarkId::new(format!("{name}/{kind}"), block);
                bench_f32(&mut g, id, input, block, |ch| strip.process(ch));
            }
        }
    }
    g.finish();

    // Biquad cascade: an 8th-order Butterworth high-pass (four sections).
    let mut g = group(c, "biquad_cascade_8th_order");
    for block in BLOCKS {
        let mut filter = CutFilter::new(PassKind::HighPass, SAMPLE_RATE_HZ, NUM_CHANNELS);
        filter.set_settings(&CutFilterSettings {
            enabled: true,
            cutoff_hz: 80.0,
            order: 8,
        });
        filter.reset();
        bench_f64(
            &mut g,
            BenchmarkId::from_parameter(block),
            music64,
            block,
            |ch| filter.process(ch),
        );
    }
    g.finish();

    let mut g = group(c, "eq_4_bells");
    for (kind, input) in &inputs64 {
        for block in BLOCKS {
            if *kind != "music" && block != 64 {
                continue;
            }
            let mut eq = ParametricEq::new(SAMPLE_RATE_HZ, NUM_CHANNELS);
            eq.set_settings(&four_bells());
            eq.reset();
            preroll64(input, |ch| eq.process(ch));
            bench_f64(&mut g, BenchmarkId::new(*kind, block), input, block, |ch| {
                eq.process(ch)
            });
        }
    }
    g.finish();

    let mut g = group(c, "compressor");
    for (kind, input) in &inputs64 {
        for block in BLOCKS {
            if *kind != "music" && block != 64 {
                continue;
            }
            let mut comp = Compressor::new(SAMPLE_RATE_HZ, NUM_CHANNELS);
            comp.set_settings(&compressor_settings());
            comp.reset();
            preroll64(input, |ch| comp.process(ch));
            bench_f64(&mut g, BenchmarkId::new(*kind, block), input, block, |ch| {
                comp.process(ch)
            });
        }
    }
    // The strip's compressor settings: RMS, auto release, side-chain HPF, 80 % mix.
    for block in BLOCKS {
        let mut comp = Compressor::new(SAMPLE_RATE_HZ, NUM_CHANNELS);
        comp.set_settings(&strip_all_on().compressor);
        comp.reset();
        let id = BenchmarkId::new("strip_settings", block);
        bench_f64(&mut g, id, music64, block, |ch| comp.process(ch));
    }
    g.finish();

    let mut g = group(c, "gate");
    for block in BLOCKS {
        let mut gate = Gate::new(SAMPLE_RATE_HZ, NUM_CHANNELS);
        gate.set_settings(&GateSettings {
            enabled: true,
            threshold_db: -30.0,
            range_db: 20.0,
            ..GateSettings::default()
        });
        gate.reset();
        bench_f64(
            &mut g,
            BenchmarkId::from_parameter(block),
            music64,
            block,
            |ch| gate.process(ch),
        );
    }
    g.finish();

    // Saturation: the unit (8× oversampled, ADAA1), and the same ADAA curve
    // per sample at the base rate without oversampling.
    let mut g = group(c, "saturation");
    for block in BLOCKS {
        let mut sat = Saturator::new(SAMPLE_RATE_HZ, NUM_CHANNELS);
        sat.set_settings(&SaturationSettings {
            enabled: true,
            drive_db: 6.0,
            ..SaturationSettings::default()
        });
        sat.reset();
        let id = BenchmarkId::new("tube_8x_oversampled", block);
        bench_f64(&mut g, id, music64, block, |ch| sat.process(ch));
    }
    for block in BLOCKS {
        let character = SaturationCharacter::Tube;
        let drive = 10f64.powf(6.0 / 20.0);
        let mut memory = [(0.0f64, 0.0f64); NUM_CHANNELS];
        let id = BenchmarkId::new("tube_no_oversampling", block);
        bench_f64(&mut g, id, music64, block, |ch| {
            for (samples, (previous_u, previous_f)) in ch.iter_mut().zip(&mut memory) {
                for x in samples.iter_mut() {
                    let u = drive * *x;
                    let (y, f) = character.shape_adaa_cached(*previous_u, *previous_f, u);
                    (*previous_u, *previous_f) = (u, f);
                    *x = y / drive;
                }
            }
        });
    }
    g.finish();

    // The saturator's oversampler alone: up 8× and straight back down.
    let mut g = group(c, "oversampler_8x_up_down");
    for block in BLOCKS {
        let mut ups: Vec<Upsampler> = (0..NUM_CHANNELS)
            .map(|_| Upsampler::new(OVERSAMPLING))
            .collect();
        let mut downs: Vec<Decimator> = (0..NUM_CHANNELS)
            .map(|_| Decimator::new(OVERSAMPLING, true))
            .collect();
        let factor = OVERSAMPLING.factor;
        bench_f32(
            &mut g,
            BenchmarkId::from_parameter(block),
            music,
            block,
            |ch| {
                let mut up = [0.0f32; MAX_FACTOR];
                for ((samples, u), d) in ch.iter_mut().zip(&mut ups).zip(&mut downs) {
                    for x in samples.iter_mut() {
                        u.process_sample(*x, &mut up);
                        *x = d.process(&up[..factor]);
                    }
                }
            },
        );
    }
    g.finish();

    let mut g = group(c, "true_peak_detector");
    for factor in [DetectorFactor::X4, DetectorFactor::X8] {
        for block in BLOCKS {
            let mut detectors: Vec<TruePeakDetector> = (0..NUM_CHANNELS)
                .map(|_| TruePeakDetector::new(factor, SAMPLE_RATE_HZ))
                .collect();
            let id = BenchmarkId::new(format!("{factor:?}"), block);
            bench_f32(&mut g, id, music, block, |ch| {
                for (samples, d) in ch.iter_mut().zip(&mut detectors) {
                    for x in samples.iter_mut() {
                        *x = d.process(*x);
                    }
                }
            });
        }
    }
    g.finish();

    let mut g = group(c, "limiter_maximizer");
    for oversampling in [Oversampling::X4, Oversampling::X8] {
        for block in BLOCKS {
            let mut m = Maximizer::new(SAMPLE_RATE_HZ, NUM_CHANNELS);
            m.set_settings(&MaximizerSettings {
                input_gain_db: MAXIMIZER_INPUT_GAIN_DB,
                oversampling,
                ..MaximizerSettings::default()
            });
            let id = BenchmarkId::new(format!("{oversampling:?}"), block);
            bench_f32(&mut g, id, music, block, |ch| m.process(ch));
        }
    }
    g.finish();

    let mut g = group(c, "loudness_meter");
    for true_peak in [true, false] {
        for block in BLOCKS {
            let mut meter = if true_peak {
                LoudnessMeter::new(SAMPLE_RATE_HZ, NUM_CHANNELS)
            } else {
                LoudnessMeter::loudness_only(SAMPLE_RATE_HZ, NUM_CHANNELS)
            };
            let name = if true_peak {
                "true_peak_4x"
            } else {
                "loudness_only"
            };
            bench_f32(&mut g, BenchmarkId::new(name, block), music, block, |ch| {
                meter.process(ch);
                black_box(meter.readings());
            });
        }
    }
    g.finish();

    // Mid/side width stage (width 1.2, balance 0.1).
    let mut g = group(c, "mid_side_width");
    for block in BLOCKS {
        let mut stage = StereoStage::new(SAMPLE_RATE_HZ);
        stage.set_settings(&StereoSettings {
            pan: 0.0,
            balance: 0.1,
            width: 1.2,
        });
        stage.reset();
        bench_f64(
            &mut g,
            BenchmarkId::from_parameter(block),
            music64,
            block,
            |ch| {
                if let [l, r] = ch {
                    stage.process(l, r);
                }
            },
        );
    }
    g.finish();

    let mut g = group(c, "bus_glue_single_band");
    for block in BLOCKS {
        let mut glue = BusGlue::new(SAMPLE_RATE_HZ, NUM_CHANNELS);
        glue.set_settings(&BusGlueSettings {
            threshold_db: -24.0,
            ratio: 4.0,
            auto_release: true,
            auto_makeup: true,
            metering: false,
            ..BusGlueSettings::default()
        });
        bench_f32(
            &mut g,
            BenchmarkId::from_parameter(block),
            music,
            block,
            |ch| glue.process(ch),
        );
    }
    g.finish();

    // Issue 12's second target (300× realtime at 64 frames): three bands,
    // the bench's per-band compression, meters off.
    let mut g = group(c, "bus_glue_three_band");
    for block in BLOCKS {
        let mut glue = BusGlue::new(SAMPLE_RATE_HZ, NUM_CHANNELS);
        glue.set_settings(&support::bus_glue_three_band());
        bench_f32(
            &mut g,
            BenchmarkId::from_parameter(block),
            music,
            block,
            |ch| glue.process(ch),
        );
    }
    g.finish();

    // Issue 9: silence must cost under a tenth of music. The imager and the
    // Bus Glue as a session runs them (every meter on), on music and on
    // silence (settled: the silence skip applies), 64-frame blocks.
    let silence = &inputs[1].1;
    let mut g = group(c, "stereo_imager_silence");
    let imager_cases = [
        ("single_band", support::stereo_imager_single_band()),
        ("four_bands", support::stereo_imager_four_bands()),
    ];
    for (name, settings) in imager_cases {
        for (input_name, input) in [("music", music), ("silence", silence)] {
            let mut imager = StereoImager::new(SAMPLE_RATE_HZ);
            imager.set_settings(&settings);
            bench_f32(
                &mut g,
                BenchmarkId::new(format!("{name}/{input_name}"), 64),
                input,
                64,
                |ch| {
                    imager.process(ch);
                    black_box(imager.readings());
                },
            );
        }
    }
    g.finish();

    let mut g = group(c, "bus_glue_silence");
    for (name, metering) in [("with_meters", true), ("meters_off", false)] {
        for (input_name, input) in [("music", music), ("silence", silence)] {
            let mut glue = BusGlue::new(SAMPLE_RATE_HZ, NUM_CHANNELS);
            glue.set_settings(&BusGlueSettings {
                threshold_db: -24.0,
                ratio: 4.0,
                auto_release: true,
                auto_makeup: true,
                metering,
                ..BusGlueSettings::default()
            });
            bench_f32(
                &mut g,
                BenchmarkId::new(format!("{name}/{input_name}"), 64),
                input,
                64,
                |ch| glue.process(ch),
            );
        }
    }
    g.finish();
}

fn config() -> Criterion {
    Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_millis(1500))
        .sample_size(10)
}

criterion_group! {
    name = benches;
    config = config();
    targets = bench_units
}
criterion_main!(benches);
