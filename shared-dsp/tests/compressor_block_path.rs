//! The compressor's block gain computer (`LevelMath::Fast`, the default)
//! against its per-frame reference path (`LevelMath::Reference`: the
//! original loop with library `log10`/`powf` and the curve as written in
//! Giannoulis et al.), over random settings, channel counts, block sizes,
//! settings changes mid-stream (make-up and mix ramps, on/off fades) and
//! external side-chains, for both `process` and `compute_gains`.
//!
//! The two paths differ only by rounding and by the fast dB conversions'
//! errors (< 1.2e-8 dB in level, < 1e-11 relative in gain), which the
//! ballistics (one-pole filters, gain < 1) do not amplify. The stated bound:
//! every output sample within [`MAX_RELATIVE_DIFF`] of the reference
//! relative to max(1, |input|·make-up), i.e. −160 dB below the signal.

#[path = "support/rng.rs"]
mod rng;

use rng::Rng;
use shared_dsp::primitives::level::LevelMath;
use shared_dsp::units::dynamics::{Compressor, CompressorSettings, Detection};

const RATE: f64 = 48_000.0;
/// Largest fast − reference difference allowed, relative (see the module docs).
const MAX_RELATIVE_DIFF: f64 = 1e-8;

fn pick<T: Copy>(rng: &mut Rng, values: &[T]) -> T {
    values[rng.below(values.len())]
}

fn random_settings(rng: &mut Rng) -> CompressorSettings {
    CompressorSettings {
        enabled: true,
        threshold_db: -60.0 + 60.0 * rng.uniform() as f32,
        ratio: pick(rng, &[1.0, 1.5, 2.0, 4.0, 8.0, 30.0, 100.0, f32::INFINITY]),
        knee_db: pick(rng, &[0.0, 1.0, 6.0, 24.0]),
        attack_ms: pick(rng, &[0.01, 0.5, 5.0, 30.0, 500.0]),
        release_ms: pick(rng, &[1.0, 20.0, 100.0, 1000.0]),
        auto_release: rng.below(2) == 0,
        detection: pick(rng, &[Detection::Peak, Detection::Rms]),
        rms_blend: pick(rng, &[0.0, 0.0, 0.3, 1.0]),
        max_reduction_db: pick(rng, &[f32::INFINITY, 6.0, 20.0]),
        sidechain_hpf_enabled: rng.below(2) == 0,
        sidechain_hpf_hz: 20.0 + 480.0 * rng.uniform() as f32,
        stereo_link: pick(rng, &[0.0, 1.0, 1.0, 0.7, 0.25]),
        makeup_db: pick(rng, &[0.0, 0.0, 6.0, -3.0, 24.0]),
        auto_makeup: rng.below(3) == 0,
        mix: pick(rng, &[1.0, 1.0, 0.8, 0.3]),
    }
}

/// Tones with a swell, noise bursts and transients, quiet stretches and an
/// exact-silence gap, per channel.
fn programme(rng: &mut Rng, channels: usize, len: usize) -> Vec<Vec<f64>> {
    let peak = pick(rng, &[0.05, 0.5, 1.0, 3.0]);
    (0..channels)
        .map(|c| {
            let f = 90.0 * (1.0 + c as f64 * 0.37);
            (0..len)
                .map(|n| {
                    let t = n as f64 / RATE;
                    if (0.30..0.35).contains(&t) {
                        return 0.0;
                    }
                    let swell = 0.5 + 0.5 * (std::f64::consts::TAU * 1.3 * t).sin();
                    let beat = (-(t % 0.11) / 0.01).exp();
                    let tone = (std::f64::consts::TAU * f * t).sin();
                    peak * (0.6 * swell * tone + 0.4 * beat * rng.bipolar())
                })
                .collect()
        })
        .collect()
}

/// Runs `settings` (then `changed` from the middle on) through a
/// compressor with `math` in random blocks; returns the output.
#[allow(clippy::too_many_arguments)]
fn run(
    math: LevelMath,
    settings: &CompressorSettings,
    changed: &CompressorSettings,
    input: &[Vec<f64>],
    key: Option<&[Vec<f64>]>,
    blocks: &[usize],
    gains_only: bool,
) -> (Vec<Vec<f64>>, f64) {
    let channels = input.len();
    let mut c = Compressor::new(RATE, channels);
    c.set_level_math(math);
    c.set_settings(settings);
    c.reset();
    let len = input[0].len();
    let mut out = input.to_vec();
    let mut start = 0;
    let mut largest_reduction = 0.0f64;
    for &block in blocks.iter().cycle() {
        if start >= len {
            break;
        }
        if start >= len / 2 && start < len / 2 + block {
            c.set_settings(changed);
        }
        let end = (start + block).min(len);
        if gains_only {
            let detector: Vec<&[f64]> = input.iter().map(|x| &x[start..end]).collect();
            let mut gains: Vec<&mut [f64]> = out.iter_mut().map(|y| &mut y[start..end]).collect();
            c.compute_gains(&detector, &mut gains);
        } else {
            let mut views: Vec<&mut [f64]> = out.iter_mut().map(|y| &mut y[start..end]).collect();
            match key {
                None => c.process(&mut views),
                Some(k) => {
                    let key: Vec<&[f64]> = k.iter().map(|x| &x[start..end]).collect();
                    c.process_sidechain(&mut views, &key);
                }
            }
        }
        largest_reduction = largest_reduction.max(c.gain_reduction_db());
        start = end;
    }
    (out, largest_reduction)
}

/// Asserts that every channel of `a` holds exactly the bits of `b`'s.
fn assert_same_bits(a: &[Vec<f64>], b: &[Vec<f64>], what: &str) {
    assert_eq!(a.len(), b.len(), "{what}: channel counts differ");
    for (a, b) in a.iter().zip(b) {
        assert!(
            a.iter().zip(b).all(|(x, y)| x.to_bits() == y.to_bits()),
            "{what}: gains differ"
        );
    }
}

#[test]
fn block_path_agrees_with_the_reference_path_over_random_settings() {
    let mut rng = Rng::new(0x00c0_ffee);
    let mut worst = 0.0f64;
    let mut compressed_cases = 0;
    for case in 0..160 {
        let settings = random_settings(&mut rng);
        let mut changed = settings;
        match case % 4 {
            0 => changed.makeup_db = 9.0,
            1 => changed.mix = 0.5,
            2 => changed.enabled = false,
            _ => changed = random_settings(&mut rng),
        }
        let channels = pick(&mut rng, &[1, 2, 2, 2, 3]);
        let len = (0.5 * RATE) as usize;
        let input = programme(&mut rng, channels, len);
        let key = (case % 5 == 0).then(|| programme(&mut rng, channels.min(2), len));
        let blocks: Vec<usize> = (0..7).map(|_| rng.range(1, 300)).collect();
        let gains_only = case % 7 == 3;
        let (fast, fast_reduction) = run(
            LevelMath::Fast,
            &settings,
            &changed,
            &input,
            key.as_deref(),
            &blocks,
            gains_only,
        );
        let (exact, exact_reduction) = run(
            LevelMath::Reference,
            &settings,
            &changed,
            &input,
            key.as_deref(),
            &blocks,
            gains_only,
        );
        if exact_reduction > 1.0 {
            compressed_cases += 1;
        }
        let makeup = 10f64.powf(f64::from(settings.makeup_db.max(changed.makeup_db)) / 20.0);
        for c in 0..channels {
            for i in 0..len {
                let scale = if gains_only {
                    makeup.max(1.0) * 2.0
                } else {
                    (input[c][i].abs() * makeup).max(1.0)
                };
                let diff = (fast[c][i] - exact[c][i]).abs() / scale;
                assert!(
                    diff <= MAX_RELATIVE_DIFF,
                    "case {case}, channel {c}, frame {i}: fast {} vs reference {} ({diff:e}); {settings:?}",
                    fast[c][i],
                    exact[c][i]
                );
                worst = worst.max(diff);
            }
        }
        assert!(
            (fast_reduction - exact_reduction).abs() <= 1e-6,
            "case {case}: reduction {fast_reduction} vs {exact_reduction}"
        );
    }
    println!("largest relative fast − reference difference: {worst:e}");
    // The cases compress: the comparison is not between two unity gains.
    assert!(compressed_cases > 60, "{compressed_cases}");
}

#[test]
fn block_path_differs_from_a_wrong_setting() {
    // The comparison above can fail: a 0.1 dB threshold change is seen.
    let mut rng = Rng::new(7);
    let input = programme(&mut rng, 2, 24_000);
    let settings = CompressorSettings {
        enabled: true,
        threshold_db: -30.0,
        ratio: 4.0,
        ..CompressorSettings::default()
    };
    let wrong = CompressorSettings {
        threshold_db: -30.1,
        ..settings
    };
    let (a, _) = run(
        LevelMath::Fast,
        &settings,
        &settings,
        &input,
        None,
        &[64],
        false,
    );
    let (b, _) = run(
        LevelMath::Reference,
        &wrong,
        &wrong,
        &input,
        None,
        &[64],
        false,
    );
    let worst = a
        .iter()
        .flatten()
        .zip(b.iter().flatten())
        .fold(0.0f64, |m, (x, y)| m.max((x - y).abs()));
    assert!(worst > 100.0 * MAX_RELATIVE_DIFF, "{worst:e}");
}

/// `compute_gains_sanitized` skips the side-chain's sanitising pass: for
/// input that pass keeps (here `f32` samples, subnormals flushed, widened to
/// `f64`: every one normal or ±0), both entry points give the same gains bit
/// for bit and the same largest reduction, over random settings, both level
/// maths, random block sizes and a settings change mid-stream.
#[test]
fn sanitized_entry_point_matches_compute_gains_on_clean_input() {
    let mut rng = Rng::new(0x5a17_c1ea);
    for case in 0..40 {
        let settings = random_settings(&mut rng);
        let changed = random_settings(&mut rng);
        let channels = 1 + case % 2;
        let input: Vec<Vec<f64>> = programme(&mut rng, channels, 24_000)
            .into_iter()
            .map(|x| {
                x.into_iter()
                    .map(|s| {
                        let s = s as f32;
                        f64::from(if s.is_normal() { s } else { 0.0 })
                    })
                    .collect()
            })
            .collect();
        let math = if case % 4 == 3 {
            LevelMath::Reference
        } else {
            LevelMath::Fast
        };
        let blocks: Vec<usize> = (0..7).map(|_| 1 + rng.below(300)).collect();
        let [checked, sanitized] = [true, false].map(|check| {
            let mut c = Compressor::new(RATE, channels);
            c.set_level_math(math);
            c.set_settings(&settings);
            c.reset();
            let mut out = input.clone();
            let mut largest = Vec::new();
            let mut start = 0;
            for &block in blocks.iter().cycle() {
                if start >= input[0].len() {
                    break;
                }
                if start >= 12_000 && start < 12_000 + block {
                    c.set_settings(&changed);
                }
                let end = (start + block).min(input[0].len());
                let detector: Vec<&[f64]> = input.iter().map(|x| &x[start..end]).collect();
                let mut gains: Vec<&mut [f64]> =
                    out.iter_mut().map(|y| &mut y[start..end]).collect();
                if check {
                    c.compute_gains(&detector, &mut gains);
                } else {
                    c.compute_gains_sanitized(&detector, &mut gains);
                }
                largest.push(c.gain_reduction_db().to_bits());
                start = end;
            }
            (out, largest)
        });
        assert_same_bits(&checked.0, &sanitized.0, &format!("case {case}"));
        assert_eq!(checked.1, sanitized.1, "case {case}: reductions differ");
    }
}

/// `Compressor::compute_gains_each` (three compressors together, the
/// multiband case) gives every unit the gains, the largest reduction and
/// the state, bit for bit, that `compute_gains` on each in turn gives: over
/// random settings (so both the shared ballistics loop and the unit-by-unit
/// fallback run: mixed Auto release, unlinked channels, the reference
/// math), settings changes mid-stream, mono and stereo, random blocks.
#[test]
fn compute_gains_each_is_compute_gains_on_each_bit_for_bit() {
    const UNITS: usize = 3;
    let mut rng = Rng::new(0x3b4d_5eed);
    let mut shared_loop_cases = 0;
    for case in 0..30 {
        let channels = 1 + case % 2;
        // Mostly one Auto release setting and full link (the shared loop),
        // sometimes not (the fallback).
        let auto_release = rng.below(2) == 0;
        let settings: [[CompressorSettings; 2]; UNITS] = std::array::from_fn(|_| {
            std::array::from_fn(|_| {
                let mut s = random_settings(&mut rng);
                if case % 5 != 4 {
                    s.auto_release = auto_release;
                    s.stereo_link = 1.0;
                }
                s
            })
        });
        let math = if case % 7 == 6 {
            LevelMath::Reference
        } else {
            LevelMath::Fast
        };
        shared_loop_cases += usize::from(case % 5 != 4 && math == LevelMath::Fast);
        let inputs: Vec<Vec<Vec<f64>>> = (0..UNITS)
            .map(|_| programme(&mut rng, channels, 20_000))
            .collect();
        let blocks: Vec<usize> = (0..7).map(|_| 1 + rng.below(200)).collect();
        let [alone, together] = [false, true].map(|together| {
            let mut units: [Compressor; UNITS] = std::array::from_fn(|k| {
                let mut c = Compressor::new(RATE, channels);
                c.set_level_math(math);
                c.set_settings(&settings[k][0]);
                c.reset();
                c
            });
            let mut outs: Vec<Vec<Vec<f64>>> = inputs.clone();
            let mut reductions = Vec::new();
            let mut start = 0;
            for &block in blocks.iter().cycle() {
                if start >= 20_000 {
                    break;
                }
                if start >= 10_000 && start < 10_000 + block {
                    for (u, s) in units.iter_mut().zip(&settings) {
                        u.set_settings(&s[1]);
                    }
                }
                let end = (start + block).min(20_000);
                let detectors: Vec<Vec<&[f64]>> = inputs
                    .iter()
                    .map(|x| x.iter().map(|c| &c[start..end]).collect())
                    .collect();
                let mut gains: Vec<Vec<&mut [f64]>> = outs
                    .iter_mut()
                    .map(|y| y.iter_mut().map(|c| &mut c[start..end]).collect())
                    .collect();
                if together {
                    let [g0, g1, g2] = &mut gains[..] else {
                        unreachable!()
                    };
                    Compressor::compute_gains_each(
                        &mut units,
                        std::array::from_fn(|k| &detectors[k][..]),
                        [&mut g0[..], &mut g1[..], &mut g2[..]],
                    );
                } else {
                    for ((u, d), g) in units.iter_mut().zip(&detectors).zip(&mut gains) {
                        u.compute_gains(d, g);
                    }
                }
                reductions.extend(units.iter().map(|u| u.gain_reduction_db().to_bits()));
                start = end;
            }
            (outs, reductions)
        });
        for (k, (a, b)) in alone.0.iter().zip(&together.0).enumerate() {
            assert_same_bits(a, b, &format!("case {case}, unit {k}"));
        }
        assert_eq!(alone.1, together.1, "case {case}: reductions differ");
        // Not vacuous: the units' gains differ from each other.
        assert!(alone.0[0] != alone.0[1], "case {case}");
    }
    assert!(shared_loop_cases >= 15, "{shared_loop_cases}");
}

/// The gain computer reads a linked stereo peak side-chain straight from
/// the caller's slices (`compute_gains`), where `process_sidechain` copies
/// it into its scratch first: the same gains, bit for bit (a unit-gain
/// signal through `process_sidechain` comes out as the gain itself), with
/// hostile samples in the key (sanitised on both paths), settings changes
/// and random blocks.
#[test]
fn linked_peak_side_chain_read_in_place_matches_the_copying_path() {
    let mut rng = Rng::new(0x11_4ced);
    let mut compressed = 0;
    for case in 0..30 {
        let pick_settings = |rng: &mut Rng| CompressorSettings {
            stereo_link: 1.0,
            detection: Detection::Peak,
            rms_blend: 0.0,
            sidechain_hpf_enabled: false,
            mix: 1.0,
            ratio: pick(rng, &[1.5, 4.0, 30.0, f32::INFINITY]),
            ..random_settings(rng)
        };
        let settings = pick_settings(&mut rng);
        let changed = pick_settings(&mut rng);
        let mut key = programme(&mut rng, 2, 20_000);
        for (i, bad) in [f64::NAN, f64::INFINITY, 1e-310, -0.0]
            .into_iter()
            .enumerate()
        {
            key[i % 2][1_000 + 37 * i] = bad;
        }
        let blocks: Vec<usize> = (0..7).map(|_| 1 + rng.below(200)).collect();
        let [in_place, copied] = [true, false].map(|in_place| {
            let mut c = Compressor::new(RATE, 2);
            c.set_settings(&settings);
            c.reset();
            let mut out = vec![vec![1.0f64; 20_000]; 2];
            let mut reductions = Vec::new();
            let mut start = 0;
            for &block in blocks.iter().cycle() {
                if start >= 20_000 {
                    break;
                }
                if start >= 10_000 && start < 10_000 + block {
                    c.set_settings(&changed);
                }
                let end = (start + block).min(20_000);
                let detector: Vec<&[f64]> = key.iter().map(|x| &x[start..end]).collect();
                let mut views: Vec<&mut [f64]> =
                    out.iter_mut().map(|y| &mut y[start..end]).collect();
                if in_place {
                    c.compute_gains(&detector, &mut views);
                } else {
                    c.process_sidechain(&mut views, &detector);
                }
                reductions.push(c.gain_reduction_db().to_bits());
                start = end;
            }
            (out, reductions)
        });
        assert_same_bits(&in_place.0, &copied.0, &format!("case {case}"));
        assert_eq!(in_place.1, copied.1, "case {case}: reductions differ");
        compressed += usize::from(in_place.1.iter().any(|&r| f64::from_bits(r) > 1.0));
    }
    // Not vacuous: most cases compress by more than 1 dB.
    assert!(compressed >= 20, "{compressed}");
}
