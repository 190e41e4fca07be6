//! Bus Glue's optional modes against independent truth: the three-band
//! path's band sum (flat within 0.01 dB, phase equal to the product of the
//! two Linkwitz-Riley all-passes written out again here from the
//! Butterworth prototype), the phase-matched parallel mix, mix 0 bit-exact,
//! the soft clip's latency (where an impulse lands), dry alignment, aliasing
//! against a naive (not oversampled) soft clip, its true-peak overshoot
//! (libebur128's true-peak meter), NaN recovery, block-size independence
//! and the allocation guard.

#[path = "support/rng.rs"]
#[allow(dead_code)]
mod rng;

use assert_no_alloc::{assert_no_alloc, AllocDisabler};
use ebur128::{EbuR128, Mode};
use rng::Rng;
use shared_dsp::processors::bus_glue::{
    BandSettings, BusGlue, BusGlueSettings, DetectMode, DEFAULT_BANDS, NUM_BANDS,
    SOFT_CLIP_LATENCY_SAMPLES, SOFT_CLIP_TRUE_PEAK_OVERSHOOT_DB,
};
use std::f64::consts::{PI, SQRT_2, TAU};

#[global_allocator]
static ALLOCATOR: AllocDisabler = AllocDisabler;

const RATE: f64 = 48_000.0;

fn db(x: f64) -> f64 {
    20.0 * x.log10()
}

/// Every band at ratio 1: the bands only split and sum.
fn neutral_bands() -> [BandSettings; NUM_BANDS] {
    DEFAULT_BANDS.map(|b| BandSettings { ratio: 1.0, ..b })
}

fn three_band(crossover_hz: [f32; 2]) -> BusGlueSettings {
    BusGlueSettings {
        multiband: true,
        crossover_hz,
        bands: neutral_bands(),
        metering: false,
        ..BusGlueSettings::default()
    }
}

fn glue(rate: f64, settings: BusGlueSettings) -> BusGlue {
    let mut g = BusGlue::new(rate, 2);
    g.set_settings(&settings);
    g
}

fn run(g: &mut BusGlue, input: &[Vec<f32>; 2], block: usize) -> [Vec<f32>; 2] {
    let mut out = input.clone();
    let [l, r] = &mut out;
    let mut start = 0;
    while start < l.len() {
        let end = (start + block).min(l.len());
        g.process(&mut [&mut l[start..end], &mut r[start..end]]);
        start = end;
    }
    out
}

fn impulse(len: usize, at: usize, amplitude: f32) -> [Vec<f32>; 2] {
    let mut v = vec![0.0f32; len];
    v[at] = amplitude;
    [v.clone(), v]
}

fn sine(len: usize, freq_hz: f64, amplitude: f64) -> [Vec<f32>; 2] {
    let v: Vec<f32> = (0..len)
        .map(|n| (amplitude * (TAU * freq_hz * n as f64 / RATE).sin()) as f32)
        .collect();
    [v.clone(), v]
}

fn noise(len: usize, seed: u64, gain: f64) -> [Vec<f32>; 2] {
    let mut rng = Rng::new(seed);
    let mut make = |c: usize| -> Vec<f32> {
        (0..len)
            .map(|n| {
                let t = n as f64 / RATE;
                let swell = 0.3 + 0.7 * (TAU * 1.3 * t).sin().abs();
                let tone = (TAU * (110.0 + 40.0 * c as f64) * t).sin();
                (gain * swell * (0.6 * tone + 0.4 * rng.bipolar())) as f32
            })
            .collect()
    };
    [make(0), make(1)]
}

/// DFT of `h` at `freq_hz`: (re, im).
fn dft(h: &[f32], freq_hz: f64, rate: f64) -> (f64, f64) {
    let w = TAU * freq_hz / rate;
    h.iter().enumerate().fold((0.0, 0.0), |(re, im), (n, &x)| {
        let x = f64::from(x);
        (re + x * (w * n as f64).cos(), im - x * (w * n as f64).sin())
    })
}

/// The Linkwitz-Riley 24 dB/oct sum at `freq_hz` for a split at `split_hz`:
/// the second-order all-pass `(s² − √2·s + 1)/(s² + √2·s + 1)` of the
/// Butterworth polynomial, bilinear with the split pre-warped.
fn lr24_allpass(freq_hz: f64, split_hz: f64, rate: f64) -> (f64, f64) {
    let omega = (PI * freq_hz / rate).tan() / (PI * split_hz / rate).tan();
    let (a, b) = (1.0 - omega * omega, SQRT_2 * omega);
    // (a − jb)/(a + jb)
    let norm = a * a + b * b;
    ((a * a - b * b) / norm, -2.0 * a * b / norm)
}

fn log_frequencies() -> impl Iterator<Item = f64> {
    std::iter::successors(Some(20.0f64), |f| Some(f * 1.2)).take_while(|&f| f <= 20_000.0)
}

#[test]
fn neutral_three_band_path_is_the_documented_all_pass_at_every_common_rate() {
    for rate in [44_100.0, 48_000.0, 96_000.0] {
        for crossover_hz in [[200.0f32, 2_500.0], [40.0, 12_000.0], [1_000.0, 1_000.0]] {
            let len = rate as usize;
            let mut g = glue(rate, three_band(crossover_hz));
            let out = run(&mut g, &impulse(len, 0, 1.0), 512);
            let mut worst_db = 0.0f64;
            let mut worst_phase = 0.0f64;
            for f in log_frequencies() {
                let (re, im) = dft(&out[0], f, rate);
                let magnitude_db = 10.0 * (re * re + im * im).log10();
                worst_db = worst_db.max(magnitude_db.abs());
                let (a1r, a1i) = lr24_allpass(f, f64::from(crossover_hz[0]), rate);
                let (a2r, a2i) = lr24_allpass(f, f64::from(crossover_hz[1]), rate);
                let (er, ei) = (a1r * a2r - a1i * a2i, a1r * a2i + a1i * a2r);
                let phase_error = (im * er - re * ei).atan2(re * er + im * ei).abs();
                worst_phase = worst_phase.max(phase_error);
            }
            println!(
                "{rate} Hz, crossovers {crossover_hz:?}: |band sum| within {worst_db:.5} dB, phase within {worst_phase:.2e} rad of AP(f1)·AP(f2)"
            );
            assert!(worst_db < 0.01, "{rate} {crossover_hz:?}: {worst_db} dB");
            assert!(
                worst_phase < 1e-3,
                "{rate} {crossover_hz:?}: {worst_phase} rad"
            );
        }
    }
}

#[test]
fn parallel_mix_is_phase_matched_in_three_band_mode() {
    // Wet = the all-passed input at −6 dB (neutral bands, output −6 dB):
    // with the dry path all-passed too, any mix is a flat gain
    // 1 − mix·(1 − ½); an un-aligned dry path would comb.
    for mix in [0.25f32, 0.5, 0.75] {
        let mut g = glue(
            RATE,
            BusGlueSettings {
                output_db: -6.020_6,
                mix,
                ..three_band([200.0, 2_500.0])
            },
        );
        let out = run(&mut g, &impulse(48_000, 0, 1.0), 256);
        let expected_db = db(1.0 - f64::from(mix) * 0.5);
        for f in log_frequencies() {
            let (re, im) = dft(&out[0], f, RATE);
            let got_db = 10.0 * (re * re + im * im).log10();
            assert!(
                (got_db - expected_db).abs() < 0.01,
                "mix {mix}: {f} Hz {got_db} dB, expected {expected_db}"
            );
        }
    }
}

#[test]
fn mix_zero_is_bit_exact_in_three_band_mode_and_delayed_bit_exact_with_soft_clip() {
    let input = noise(48_000, 3, 0.9);
    for soft_clip in [false, true] {
        let settings = BusGlueSettings {
            multiband: true,
            bands: DEFAULT_BANDS.map(|b| BandSettings {
                threshold_db: -40.0,
                ratio: 10.0,
                ..b
            }),
            output_db: 6.0,
            soft_clip,
            soft_clip_drive_db: 12.0,
            mix: 0.0,
            ..BusGlueSettings::default()
        };
        let mut g = glue(RATE, settings);
        let out = run(&mut g, &input, 100);
        assert!(g.gain_reduction_db() > 10.0, "it is compressing");
        let delay = g.latency_samples();
        assert_eq!(
            delay,
            if soft_clip {
                SOFT_CLIP_LATENCY_SAMPLES
            } else {
                0
            }
        );
        for c in 0..2 {
            assert!(out[c][..delay].iter().all(|&x| x == 0.0));
            assert!(
                input[c][..input[c].len() - delay]
                    .iter()
                    .zip(&out[c][delay..])
                    .all(|(a, b)| a.to_bits() == b.to_bits()),
                "soft clip {soft_clip}: channel {c} not bit-exact"
            );
        }
    }
}

fn soft_clip(drive_db: f32, ceiling_db: f32) -> BusGlueSettings {
    BusGlueSettings {
        ratio: 1.0,
        soft_clip: true,
        soft_clip_drive_db: drive_db,
        soft_clip_ceiling_db: ceiling_db,
        metering: false,
        ..BusGlueSettings::default()
    }
}

#[test]
fn soft_clip_latency_is_where_the_impulse_lands_and_is_zero_by_default() {
    assert_eq!(glue(RATE, BusGlueSettings::default()).latency_samples(), 0);
    for (rate, multiband) in [(44_100.0, false), (48_000.0, false), (96_000.0, true)] {
        let mut g = glue(
            rate,
            BusGlueSettings {
                multiband,
                bands: neutral_bands(),
                ..soft_clip(0.0, 0.0)
            },
        );
        let latency = g.latency_samples();
        assert_eq!(latency, SOFT_CLIP_LATENCY_SAMPLES);
        let at = 1_000;
        // Small: the tanh is linear there.
        let out = run(&mut g, &impulse(8_192, at, 0.01), 64);
        let peak = out[0]
            .iter()
            .enumerate()
            .fold(
                (0, 0.0f32),
                |b, (i, &x)| if x.abs() > b.1 { (i, x.abs()) } else { b },
            )
            .0;
        assert_eq!(peak, at + latency, "{rate} Hz, three-band {multiband}");
    }
}

#[test]
fn dry_path_is_aligned_with_the_soft_clip_at_mix_50() {
    // Low level (the tanh is linear to 1e-7), inside the oversampling
    // filters' pass band, no compression: wet and dry are both the input
    // delayed by the latency; a misaligned dry would comb.
    let input: [Vec<f32>; 2] = {
        let v: Vec<f32> = (0..24_000)
            .map(|n| {
                [100.0, 1_000.0, 5_000.0, 12_000.0]
                    .iter()
                    .map(|f| 0.000_25 * (TAU * f * n as f64 / RATE).sin())
                    .sum::<f64>() as f32
            })
            .collect();
        [v.clone(), v]
    };
    let mut g = glue(
        RATE,
        BusGlueSettings {
            mix: 0.5,
            ..soft_clip(0.0, 0.0)
        },
    );
    let out = run(&mut g, &input, 333);
    let l = g.latency_samples();
    let mut worst = 0.0f64;
    for c in 0..2 {
        for n in 2_000..input[c].len() {
            worst = worst.max(f64::from(out[c][n] - input[c][n - l]).abs());
        }
    }
    println!("mix 50 % with soft clip: |out − input delayed {l}| ≤ {worst:e} (input peak 1e-3)");
    // 1 % of the peak (the filters' pass-band ripple is ±0.01 dB); one
    // sample of misalignment would leave ≈ 0.5·|x[n] − x[n−1]|, > 3e-4 here.
    assert!(worst < 1e-5, "{worst}");
}

/// Power of everything but the fundamental (all of it aliasing: the first
/// harmonic of a 15 kHz tone is above Nyquist at 48 kHz) relative to the
/// fundamental, dB, over a whole number of cycles.
fn aliasing_db(signal: &[f32], freq_hz: f64) -> f64 {
    let (re, im) = dft(signal, freq_hz, RATE);
    let n = signal.len() as f64;
    let fundamental = 2.0 * (re * re + im * im) / (n * n);
    let total = signal.iter().map(|&x| f64::from(x).powi(2)).sum::<f64>() / n;
    10.0 * ((total - fundamental).max(1e-30) / fundamental).log10()
}

#[test]
fn soft_clip_aliasing_of_a_high_sine_is_far_below_a_naive_soft_clip() {
    let freq = 15_000.0;
    let (drive_db, ceiling_db) = (18.0f32, -3.0f32);
    let input = sine(48_000, freq, 0.9);
    let out = run(&mut glue(RATE, soft_clip(drive_db, ceiling_db)), &input, 64);
    // 0.5 s (7500 cycles) after the ramps settled.
    let window = 12_000..36_000;
    let oversampled = aliasing_db(&out[0][window.clone()], freq);
    let c = 10f64.powf(f64::from(ceiling_db) / 20.0);
    let d = 10f64.powf(f64::from(drive_db) / 20.0);
    let naive: Vec<f32> = input[0][window]
        .iter()
        .map(|&x| (c * (d * f64::from(x) / c).tanh()) as f32)
        .collect();
    let naive = aliasing_db(&naive, freq);
    println!("15 kHz, 0.9 peak, drive {drive_db} dB, ceiling {ceiling_db} dBFS: aliasing {oversampled:.1} dB (naive {naive:.1} dB) re the fundamental");
    assert!(oversampled < -65.0, "{oversampled} dB");
    assert!(
        naive - oversampled > 40.0,
        "naive {naive}, oversampled {oversampled}"
    );
}

#[test]
fn soft_clip_true_peak_overshoot_is_bounded() {
    let len = 96_000;
    let square: Vec<f32> = (0..len)
        .map(|n| if (n / 24) % 2 == 0 { 1.0 } else { -1.0 })
        .collect();
    let signals = [
        ("1 kHz full-scale square", [square.clone(), square]),
        ("15 kHz sine, 0 dBFS", sine(len, 15_000.0, 1.0)),
        ("noise", noise(len, 4, 1.0)),
    ];
    let mut worst = f64::NEG_INFINITY;
    for ceiling_db in [0.0f32, -6.0, -12.0] {
        for (name, input) in &signals {
            let mut g = glue(RATE, soft_clip(18.0, ceiling_db));
            let out = run(&mut g, input, 512);
            let mut meter = EbuR128::new(2, RATE as u32, Mode::TRUE_PEAK).unwrap();
            meter
                .add_frames_planar_f32(&[&out[0][4_800..], &out[1][4_800..]])
                .unwrap();
            let tp = meter.true_peak(0).unwrap().max(meter.true_peak(1).unwrap());
            let over_db = db(tp) - f64::from(ceiling_db);
            println!(
                "{name}, ceiling {ceiling_db} dBFS: true peak {over_db:+.2} dB re the ceiling"
            );
            worst = worst.max(over_db);
        }
    }
    println!("largest true-peak overshoot {worst:.2} dB");
    assert!(worst <= SOFT_CLIP_TRUE_PEAK_OVERSHOOT_DB, "{worst} dB");
    assert!(
        worst > 0.0,
        "the documented overshoot exists (not a true-peak ceiling)"
    );
}

#[test]
fn defaults_keep_single_band_zero_latency_and_the_documented_band_settings() {
    let d = BusGlueSettings::default();
    assert!(!d.multiband && !d.soft_clip);
    assert_eq!(d.crossover_hz, [200.0, 2_500.0]);
    assert_eq!(
        d.bands
            .map(|b| (b.threshold_db, b.ratio, b.attack_ms, b.release_ms, b.solo)),
        [
            (-18.0, 2.0, 30.0, 400.0, false),
            (-18.0, 2.0, 10.0, 300.0, false),
            (-18.0, 2.0, 3.0, 150.0, false)
        ]
    );
    assert_eq!((d.soft_clip_drive_db, d.soft_clip_ceiling_db), (0.0, 0.0));
    // Out-of-range and non-finite values are clamped or fall back.
    let s = BusGlueSettings {
        crossover_hz: [f32::NAN, 50_000.0],
        soft_clip_drive_db: 99.0,
        soft_clip_ceiling_db: -99.0,
        bands: [BandSettings {
            ratio: f32::INFINITY,
            attack_ms: 0.0,
            ..DEFAULT_BANDS[0]
        }; NUM_BANDS],
        ..d
    }
    .sanitized();
    assert_eq!(s.crossover_hz, [200.0, 12_000.0]);
    assert_eq!(
        (s.soft_clip_drive_db, s.soft_clip_ceiling_db),
        (18.0, -12.0)
    );
    assert_eq!((s.bands[0].ratio, s.bands[0].attack_ms), (20.0, 0.1));
    // Default: single band, no latency, a plain compressor.
    let g = glue(RATE, d);
    assert_eq!(g.latency_samples(), 0);
}

#[test]
fn per_band_gain_reduction_follows_the_band_that_is_over() {
    // A loud 60 Hz tone and quiet highs: only the low band compresses.
    let len = 48_000;
    let input: [Vec<f32>; 2] = {
        let v: Vec<f32> = (0..len)
            .map(|n| {
                let t = n as f64 / RATE;
                (0.8 * (TAU * 60.0 * t).sin() + 0.01 * (TAU * 8_000.0 * t).sin()) as f32
            })
            .collect();
        [v.clone(), v]
    };
    let mut g = glue(
        RATE,
        BusGlueSettings {
            multiband: true,
            bands: DEFAULT_BANDS.map(|b| BandSettings {
                threshold_db: -20.0,
                ratio: 4.0,
                ..b
            }),
            ..BusGlueSettings::default()
        },
    );
    run(&mut g, &input, 512);
    let gr = g.block_stats().band_gain_reduction_db;
    println!("band gain reduction {gr:?} dB");
    assert!(gr[0] > 6.0 && gr[1] < 0.5 && gr[2] < 0.01, "{gr:?}");
    assert_eq!(g.block_stats().gain_reduction_db, gr[0]);
}

#[test]
fn solo_plays_only_the_soloed_band() {
    let mut bands = neutral_bands();
    bands[2].solo = true;
    let mut g = glue(
        RATE,
        BusGlueSettings {
            bands,
            ..three_band([200.0, 2_500.0])
        },
    );
    let out = run(&mut g, &impulse(48_000, 0, 1.0), 512);
    // The high band alone: −6.02 dB at its split, well down at 100 Hz.
    let at = |f: f64| {
        let (re, im) = dft(&out[0], f, RATE);
        10.0 * (re * re + im * im).log10()
    };
    assert!((at(2_500.0) + 6.02).abs() < 0.05, "{}", at(2_500.0));
    assert!(at(100.0) < -40.0 && at(12_000.0).abs() < 0.05);
}

#[test]
fn nan_and_infinite_input_recover_in_three_band_mode_with_soft_clip() {
    let settings = BusGlueSettings {
        multiband: true,
        soft_clip: true,
        soft_clip_drive_db: 6.0,
        mix: 0.7,
        ..BusGlueSettings::default()
    };
    let clean = noise(48_000, 13, 0.5);
    let mut hostile = clean.clone();
    for n in (0..4_800).step_by(3) {
        hostile[0][n] = f32::NAN;
        hostile[1][n] = if n % 2 == 0 {
            f32::INFINITY
        } else {
            f32::NEG_INFINITY
        };
    }
    let out = run(&mut glue(RATE, settings), &hostile, 64);
    assert!(out.iter().flatten().all(|x| x.is_finite()));
    // Once the burst is released, the output is what clean input gives.
    let reference = run(&mut glue(RATE, settings), &clean, 64);
    let tail = 40_000..48_000;
    let worst = (0..2)
        .flat_map(|c| tail.clone().map(move |n| (c, n)))
        .map(|(c, n)| (out[c][n] - reference[c][n]).abs())
        .fold(0.0f32, f32::max);
    println!("after the NaN/∞ burst: |out − clean| ≤ {worst:e} over the last 8000 frames");
    assert!(worst < 1e-3, "{worst}");
}

#[test]
fn three_band_output_does_not_depend_on_block_size() {
    let input = noise(30_000, 21, 0.9);
    let key = noise(30_000, 22, 0.9);
    let mut bands = DEFAULT_BANDS.map(|b| BandSettings {
        threshold_db: -30.0,
        ratio: 4.0,
        ..b
    });
    bands[1].solo = true;
    bands[0].solo = true;
    for (external, detect_mode, soft_clip) in [
        (false, DetectMode::LeftRight, false),
        (false, DetectMode::Mid, true),
        (true, DetectMode::Side, false),
        (true, DetectMode::LeftRight, true),
    ] {
        let settings = BusGlueSettings {
            multiband: true,
            bands,
            crossover_hz: [150.0, 4_000.0],
            auto_release: true,
            external_sidechain: external,
            detect_mode,
            sc_hpf_enabled: true,
            soft_clip,
            soft_clip_drive_db: 9.0,
            matched_bypass: true,
            mix: 0.7,
            ..BusGlueSettings::default()
        };
        let run_keyed = |block: usize| {
            let mut g = glue(RATE, settings);
            let mut out = input.clone();
            let [l, r] = &mut out;
            let mut start = 0;
            while start < l.len() {
                let end = (start + block).min(l.len());
                // A crossover glide starting mid-run, at a block boundary of
                // every size tested.
                if start == 0 {
                    g.set_settings(&settings);
                }
                g.process_with_columns(
                    &mut [&mut l[start..end], &mut r[start..end]],
                    Some(&[&key[0][start..end], &key[1][start..end]][..]),
                    |_| {},
                );
                start = end;
            }
            out
        };
        let reference = run_keyed(30_000);
        for block in [1, 7, 64, 333, 4096] {
            assert!(
                run_keyed(block) == reference,
                "{external} {detect_mode:?} {soft_clip}: block {block}"
            );
        }
    }
}

#[test]
fn crossover_glide_does_not_depend_on_block_size() {
    let input = noise(20_000, 31, 0.7);
    let start_settings = three_band([200.0, 2_500.0]);
    let moved = BusGlueSettings {
        crossover_hz: [800.0, 6_000.0],
        ..start_settings
    };
    let run_moving = |block: usize| {
        let mut g = glue(RATE, start_settings);
        let mut out = input.clone();
        let [l, r] = &mut out;
        // The change lands at frame 7 * 333 * 4 = 9324, a multiple of
        // every block size below.
        let change_at = 9_324;
        let mut start = 0;
        while start < l.len() {
            if start == change_at {
                g.set_settings(&moved);
            }
            let end = (start + block).min(l.len()).min(if start < change_at {
                change_at
            } else {
                usize::MAX
            });
            g.process(&mut [&mut l[start..end], &mut r[start..end]]);
            start = end;
        }
        out
    };
    let reference = run_moving(20_000);
    for block in [1, 7, 64, 333] {
        assert!(run_moving(block) == reference, "block {block}");
    }
}

#[test]
fn three_band_and_soft_clip_do_not_allocate() {
    let mut g = BusGlue::new(RATE, 2);
    let mut l: Vec<f32> = (0..4096)
        .map(|i| ((i as f32) * 0.031).sin() * 2.0)
        .collect();
    let mut r = l.clone();
    r[7] = f32::NAN;
    r[8] = f32::INFINITY;
    let key = l.clone();
    let base = BusGlueSettings {
        multiband: true,
        soft_clip: true,
        soft_clip_drive_db: 12.0,
        ..BusGlueSettings::default()
    };
    let mut soloed = base;
    soloed.bands[2].solo = true;
    let variants = [
        base,
        BusGlueSettings {
            detect_mode: DetectMode::Side,
            sc_hpf_enabled: true,
            external_sidechain: true,
            crossover_hz: [500.0, 8_000.0],
            ..base
        },
        BusGlueSettings {
            listen: true,
            ..soloed
        },
        BusGlueSettings {
            delta: true,
            mix: 0.3,
            multiband: false,
            ..base
        },
        BusGlueSettings {
            soft_clip: false,
            matched_bypass: true,
            ..base
        },
    ];
    assert_no_alloc(|| {
        for (i, v) in variants.iter().enumerate() {
            g.set_settings(v);
            g.set_bypass(i % 2 == 1);
            g.process_keyed(
                &mut [&mut l[..1000], &mut r[..1000]],
                Some(&[&key[..1000]][..]),
            );
            g.process_with_columns(&mut [&mut l[..], &mut r[..]], None, |_| {});
            let _ = (g.glue_db(), g.block_stats(), g.latency_samples());
            g.reset();
        }
    });
}
