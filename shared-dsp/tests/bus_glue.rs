//! Bus Glue processor against independent truth: the textbook gain computer
//! (Giannoulis, Massberg & Reiss 2012, eq. 4, written out again here), time
//! constants measured from steps (63 % / 37 % points), Auto release on a
//! transient and on a sustained signal, the parallel and delta identities,
//! the external key, M/S detection, level-matched bypass against libebur128
//! (the `ebur128` crate), block-size independence and the allocation guard.

#[path = "support/rng.rs"]
#[allow(dead_code)]
mod rng;

use assert_no_alloc::{assert_no_alloc, AllocDisabler};
use ebur128::{EbuR128, Mode};
use rng::Rng;
use shared_dsp::processors::bus_glue::{BusGlue, BusGlueSettings, DetectMode, RATIO_MARKS};
use shared_dsp::units::dynamics::compressor::AUTO_RELEASE_FAST_FRACTION;

#[global_allocator]
static ALLOCATOR: AllocDisabler = AllocDisabler;

const RATE: f64 = 48_000.0;

/// Textbook static curve: output level (dB) for input level `x` (dB),
/// threshold `t`, ratio `r`, knee width `w` (Giannoulis et al. 2012, eq. 4).
fn textbook_output_db(x: f64, t: f64, r: f64, w: f64) -> f64 {
    if 2.0 * (x - t) < -w {
        x
    } else if 2.0 * (x - t).abs() <= w && w > 0.0 {
        x + (1.0 / r - 1.0) * (x - t + w / 2.0).powi(2) / (2.0 * w)
    } else {
        t + (x - t) / r
    }
}

fn db(x: f64) -> f64 {
    20.0 * x.log10()
}

fn amp(db: f64) -> f32 {
    10f64.powf(db / 20.0) as f32
}

fn glue(settings: BusGlueSettings) -> BusGlue {
    let mut g = BusGlue::new(RATE, 2);
    g.set_settings(&settings);
    g
}

/// Runs stereo `left`/`right` through `g` in blocks of `block` frames.
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

fn dc(levels: &[(f32, usize)]) -> [Vec<f32>; 2] {
    let v: Vec<f32> = levels
        .iter()
        .flat_map(|&(a, n)| std::iter::repeat_n(a, n))
        .collect();
    [v.clone(), v]
}

fn noise(len: usize, seed: u64, gain: f64) -> [Vec<f32>; 2] {
    let mut rng = Rng::new(seed);
    let mut make = |c: usize| -> Vec<f32> {
        (0..len)
            .map(|n| {
                let t = n as f64 / RATE;
                let swell = 0.3 + 0.7 * (std::f64::consts::TAU * 1.3 * t).sin().abs();
                let tone = (std::f64::consts::TAU * (110.0 + 40.0 * c as f64) * t).sin();
                (gain * swell * (0.6 * tone + 0.4 * rng.bipolar())) as f32
            })
            .collect()
    };
    [make(0), make(1)]
}

/// Gain reduction (dB ≥ 0) per sample from a DC input and its output.
fn reduction_db(input: &[f32], output: &[f32]) -> Vec<f64> {
    input
        .iter()
        .zip(output)
        .map(|(&x, &y)| -db(f64::from(y) / f64::from(x)))
        .collect()
}

/// Time (s) from the step at `step` until `curve` first crosses `level`
/// (linear interpolation between samples). The sample at `step` is the
/// first the new level has acted on: it counts as one sample of time.
fn crossing_time_s(curve: &[f64], step: usize, level: f64, rising: bool) -> f64 {
    let crossed = |v: f64| if rising { v >= level } else { v <= level };
    let mut prev = curve[step - 1];
    for (i, &v) in curve.iter().enumerate().skip(step) {
        if crossed(v) {
            let frac = (level - prev) / (v - prev);
            return (i as f64 - 1.0 + frac - step as f64 + 1.0) / RATE;
        }
        prev = v;
    }
    panic!("never crossed {level}");
}

/// Hard-knee, fast settings with threshold −40 dBFS for the timing tests.
fn timing_settings(attack_ms: f32, release_ms: f32) -> BusGlueSettings {
    BusGlueSettings {
        threshold_db: -40.0,
        ratio: 10.0,
        knee_db: 0.0,
        attack_ms,
        release_ms,
        ..BusGlueSettings::default()
    }
}

#[test]
fn static_curve_matches_the_textbook_gain_computer() {
    for &ratio in &RATIO_MARKS {
        for knee in [0.0f32, 6.0, 12.0] {
            let threshold = -20.0f32;
            let mut worst = 0.0f64;
            for level_db in (-40..=0).step_by(2).map(f64::from) {
                let mut g = glue(BusGlueSettings {
                    threshold_db: threshold,
                    ratio,
                    knee_db: knee,
                    attack_ms: 0.1,
                    release_ms: 100.0,
                    ..BusGlueSettings::default()
                });
                let x = amp(level_db);
                let out = run(&mut g, &dc(&[(x, 24_000)]), 512);
                let measured = db(f64::from(out[0][23_999]) / f64::from(x));
                let expected = textbook_output_db(
                    f64::from(x.abs()).log10() * 20.0,
                    f64::from(threshold),
                    f64::from(ratio),
                    f64::from(knee),
                ) - db(f64::from(x));
                worst = worst.max((measured - expected).abs());
                assert!(
                    (measured - expected).abs() < 0.01,
                    "ratio {ratio} knee {knee} level {level_db}: {measured} vs {expected}"
                );
            }
            println!("static curve ratio {ratio}:1 knee {knee} dB: worst error {worst:.2e} dB");
        }
    }
}

#[test]
fn range_limits_the_gain_reduction_and_auto_makeup_follows() {
    let mut g = glue(BusGlueSettings {
        threshold_db: -40.0,
        ratio: 10.0,
        knee_db: 0.0,
        range_db: 6.0,
        attack_ms: 0.1,
        ..BusGlueSettings::default()
    });
    let x = amp(-6.0);
    let out = run(&mut g, &dc(&[(x, 24_000)]), 512);
    let gain = db(f64::from(out[0][23_999]) / f64::from(x));
    assert!((gain + 6.0).abs() < 0.01, "{gain}");
    let mut g = glue(BusGlueSettings {
        range_db: 6.0,
        auto_makeup: true,
        ..g.settings().to_owned()
    });
    let out = run(&mut g, &dc(&[(x, 24_000)]), 512);
    let gain = db(f64::from(out[0][23_999]) / f64::from(x));
    assert!(gain.abs() < 0.01, "auto make-up restores the range: {gain}");
}

#[test]
fn attack_time_constant_is_the_63_percent_point() {
    for attack_ms in [0.1f32, 1.0, 10.0, 30.0] {
        let mut g = glue(timing_settings(attack_ms, 300.0));
        let step = 4800;
        let input = dc(&[(amp(-80.0), step), (amp(-6.0), 96_000)]);
        let out = run(&mut g, &input, 64);
        let gr = reduction_db(&input[0], &out[0]);
        let final_gr = gr[gr.len() - 1];
        let expected_final = (40.0 - 6.0) * (1.0 - 1.0 / 10.0);
        assert!((final_gr - expected_final).abs() < 0.01, "{final_gr}");
        let t = crossing_time_s(&gr, step, (1.0 - (-1.0f64).exp()) * final_gr, true);
        let error = t * 1e3 / f64::from(attack_ms) - 1.0;
        println!(
            "attack {attack_ms} ms: 63 % point at {:.4} ms ({:+.2} %)",
            t * 1e3,
            error * 100.0
        );
        assert!(
            error.abs() < 0.05,
            "attack {attack_ms} ms measured {} ms",
            t * 1e3
        );
    }
}

#[test]
fn release_time_constant_is_the_37_percent_point() {
    for release_ms in [100.0f32, 300.0, 1200.0] {
        let mut g = glue(timing_settings(0.1, release_ms));
        let step = 24_000;
        let input = dc(&[(amp(-6.0), step), (amp(-80.0), 5 * 48_000)]);
        let out = run(&mut g, &input, 64);
        let gr = reduction_db(&input[0], &out[0]);
        let start_gr = gr[step - 1];
        let t = crossing_time_s(&gr, step, (-1.0f64).exp() * start_gr, false);
        let error = t * 1e3 / f64::from(release_ms) - 1.0;
        println!(
            "release {release_ms} ms: 37 % point at {:.2} ms ({:+.2} %)",
            t * 1e3,
            error * 100.0
        );
        assert!(
            error.abs() < 0.05,
            "release {release_ms} ms measured {} ms",
            t * 1e3
        );
    }
}

#[test]
fn auto_release_is_fast_after_a_transient_and_slow_after_sustained_compression() {
    let release_ms = 1000.0f32;
    let settings = BusGlueSettings {
        auto_release: true,
        ..timing_settings(0.1, release_ms)
    };
    let measure = |burst: usize| {
        let mut g = glue(settings);
        let step = 4800 + burst;
        let input = dc(&[
            (amp(-80.0), 4800),
            (amp(-6.0), burst),
            (amp(-80.0), 5 * 48_000),
        ]);
        let out = run(&mut g, &input, 64);
        let gr = reduction_db(&input[0], &out[0]);
        let start_gr = gr[step - 1];
        crossing_time_s(&gr, step, (-1.0f64).exp() * start_gr, false) * 1e3
    };
    let transient_ms = measure(240); // 5 ms burst
    let sustained_ms = measure(3 * 48_000); // 3 s
    let fast_ms = f64::from(release_ms) * AUTO_RELEASE_FAST_FRACTION;
    println!("auto release: transient recovers (37 %) in {transient_ms:.1} ms, sustained in {sustained_ms:.1} ms");
    assert!(
        (transient_ms / fast_ms - 1.0).abs() < 0.05,
        "transient {transient_ms} ms, expected ≈ {fast_ms} ms"
    );
    assert!(
        (sustained_ms / f64::from(release_ms) - 1.0).abs() < 0.05,
        "sustained {sustained_ms} ms, expected ≈ {release_ms} ms"
    );
}

#[test]
fn mix_zero_is_bit_exact_whatever_else_is_set() {
    let input = noise(48_000, 7, 0.9);
    let mut g = glue(BusGlueSettings {
        threshold_db: -40.0,
        ratio: 20.0,
        auto_makeup: true,
        makeup_db: 6.0,
        output_db: 12.0,
        detector_rms: 0.5,
        sc_hpf_enabled: true,
        auto_release: true,
        mix: 0.0,
        ..BusGlueSettings::default()
    });
    let out = run(&mut g, &input, 128);
    assert!(g.gain_reduction_db() > 10.0, "it is compressing");
    for c in 0..2 {
        assert!(
            input[c]
                .iter()
                .zip(&out[c])
                .all(|(a, b)| a.to_bits() == b.to_bits()),
            "channel {c} not bit-exact"
        );
    }
}

#[test]
fn delta_plus_output_is_the_input() {
    let input = noise(48_000, 11, 0.8);
    for mix in [1.0f32, 0.6] {
        let settings = BusGlueSettings {
            threshold_db: -30.0,
            ratio: 4.0,
            mix,
            ..BusGlueSettings::default()
        };
        let out = run(&mut glue(settings), &input, 64);
        let delta = run(
            &mut glue(BusGlueSettings {
                delta: true,
                ..settings
            }),
            &input,
            64,
        );
        let mut worst = 0.0f32;
        for c in 0..2 {
            for i in 0..input[c].len() {
                worst = worst.max((out[c][i] + delta[c][i] - input[c][i]).abs());
            }
        }
        println!("mix {mix}: |delta + output − input| ≤ {worst:e}");
        assert!(worst < 1e-6, "mix {mix}: {worst}");
        assert!(
            delta[0].iter().any(|d| d.abs() > 0.01),
            "delta carries the reduction"
        );
    }
}

#[test]
fn external_key_compresses_a_quiet_main_input_and_is_ignored_when_absent() {
    let len = 24_000;
    let quiet: Vec<f32> = (0..len)
        .map(|n| 0.003 * (std::f32::consts::TAU * 440.0 * n as f32 / RATE as f32).sin())
        .collect();
    let loud: Vec<f32> = (0..len)
        .map(|n| 0.5 * (std::f32::consts::TAU * 100.0 * n as f32 / RATE as f32).sin())
        .collect();
    let settings = BusGlueSettings {
        threshold_db: -30.0,
        ratio: 4.0,
        external_sidechain: true,
        ..BusGlueSettings::default()
    };
    // Keyed: the loud key pulls the quiet main down.
    let mut g = glue(settings);
    let (mut l, mut r) = (quiet.clone(), quiet.clone());
    g.process_keyed(
        &mut [&mut l[..], &mut r[..]],
        Some(&[&loud[..], &loud[..]][..]),
    );
    assert!(g.gain_reduction_db() > 10.0, "GR {}", g.gain_reduction_db());
    let tail_gain =
        db(f64::from(l[len - 120..].iter().fold(0.0f32, |m, x| m.max(x.abs()))) / 0.003);
    assert!(tail_gain < -10.0, "main attenuated by {tail_gain} dB");
    // A mono key drives both channels the same.
    let mut g = glue(settings);
    let (mut l2, mut r2) = (quiet.clone(), quiet.clone());
    g.process_keyed(&mut [&mut l2[..], &mut r2[..]], Some(&[&loud[..]][..]));
    assert_eq!(l2, l);
    assert_eq!(r2, r);
    // No key connected: internal side-chain; the quiet main is untouched.
    let mut g = glue(settings);
    let (mut l, mut r) = (quiet.clone(), quiet.clone());
    g.process_keyed(&mut [&mut l[..], &mut r[..]], None);
    assert_eq!(g.gain_reduction_db(), 0.0);
    assert_eq!(l, quiet);
    // A key given while the switch is off is ignored.
    let mut g = glue(BusGlueSettings {
        external_sidechain: false,
        ..settings
    });
    let (mut l, mut r) = (quiet.clone(), quiet.clone());
    g.process_keyed(
        &mut [&mut l[..], &mut r[..]],
        Some(&[&loud[..], &loud[..]][..]),
    );
    assert_eq!(l, quiet);
}

#[test]
fn mid_and_side_detection_ignore_what_they_should() {
    let len = 24_000;
    let tone: Vec<f32> = (0..len)
        .map(|n| 0.5 * (std::f32::consts::TAU * 300.0 * n as f32 / RATE as f32).sin())
        .collect();
    let inverted: Vec<f32> = tone.iter().map(|x| -x).collect();
    let base = BusGlueSettings {
        threshold_db: -30.0,
        ..BusGlueSettings::default()
    };
    let gr = |mode: DetectMode, right: &[f32]| {
        let mut g = glue(BusGlueSettings {
            detect_mode: mode,
            ..base
        });
        let (mut l, mut r) = (tone.clone(), right.to_vec());
        g.process(&mut [&mut l[..], &mut r[..]]);
        g.gain_reduction_db()
    };
    assert_eq!(gr(DetectMode::Side, &tone), 0.0, "mono content has no side");
    assert_eq!(
        gr(DetectMode::Mid, &inverted),
        0.0,
        "anti-phase content has no mid"
    );
    assert!(gr(DetectMode::Mid, &tone) > 10.0);
    assert!(gr(DetectMode::Side, &inverted) > 10.0);
    assert!(gr(DetectMode::LeftRight, &inverted) > 10.0);
}

#[test]
fn sidechain_high_pass_keeps_the_low_end_from_pumping() {
    let len = 48_000;
    let bass: Vec<f32> = (0..len)
        .map(|n| 0.5 * (std::f32::consts::TAU * 40.0 * n as f32 / RATE as f32).sin())
        .collect();
    let gr = |hpf: bool| {
        let mut g = glue(BusGlueSettings {
            threshold_db: -30.0,
            sc_hpf_enabled: hpf,
            sc_hpf_hz: 300.0,
            ..BusGlueSettings::default()
        });
        let (mut l, mut r) = (bass.clone(), bass.clone());
        g.process(&mut [&mut l[..24_000], &mut r[..24_000]]);
        g.process(&mut [&mut l[24_000..], &mut r[24_000..]]);
        g.gain_reduction_db()
    };
    let (off, on) = (gr(false), gr(true));
    println!("40 Hz at −6 dBFS: GR {off:.1} dB without, {on:.1} dB with a 300 Hz side-chain HPF");
    // 12 dB/oct, 2.9 octaves below the cutoff: ≈ 35 dB less detected level.
    assert!(off > 15.0 && on < off - 15.0, "{off} {on}");
}

#[test]
fn listen_auditions_the_detector() {
    let input = noise(9600, 3, 0.5);
    let key = noise(9600, 4, 0.5);
    let mut g = glue(BusGlueSettings {
        listen: true,
        ..BusGlueSettings::default()
    });
    let out = run(&mut g, &input, 64);
    assert_eq!(out, input, "L/R detection without filter: the input itself");
    let mut g = glue(BusGlueSettings {
        listen: true,
        external_sidechain: true,
        detect_mode: DetectMode::Side,
        ..BusGlueSettings::default()
    });
    let (mut l, mut r) = (input[0].clone(), input[1].clone());
    g.process_keyed(
        &mut [&mut l[..], &mut r[..]],
        Some(&[&key[0][..], &key[1][..]][..]),
    );
    for i in 0..l.len() {
        let side = 0.5 * (f64::from(key[0][i]) - f64::from(key[1][i]));
        assert!((f64::from(l[i]) - side).abs() < 1e-7 && l[i] == r[i]);
    }
}

#[test]
fn level_matched_bypass_lands_within_half_a_lu_of_the_processed_output() {
    let input = noise(20 * 48_000, 5, 0.9);
    let settings = BusGlueSettings {
        threshold_db: -30.0,
        ratio: 4.0,
        makeup_db: 2.0,
        ..BusGlueSettings::default()
    };
    let processed = run(&mut glue(settings), &input, 256);
    let matched = run(
        &mut glue(BusGlueSettings {
            matched_bypass: true,
            ..settings
        }),
        &input,
        256,
    );
    // Independent loudness (libebur128) over the second half, once the
    // level match has settled on the processed loudness.
    let loudness = |x: &[Vec<f32>; 2]| {
        let mut m = EbuR128::new(2, RATE as u32, Mode::I).unwrap();
        let half = x[0].len() / 2;
        m.add_frames_planar_f32(&[&x[0][half..], &x[1][half..]])
            .unwrap();
        m.loudness_global().unwrap()
    };
    let (lp, lm, li) = (loudness(&processed), loudness(&matched), loudness(&input));
    println!("processed {lp:.2} LUFS, level-matched bypass {lm:.2} LUFS, input {li:.2} LUFS");
    assert!((lp - li).abs() > 2.0, "the compressor changes the loudness");
    assert!((lp - lm).abs() < 0.5, "{lp} vs {lm}");
}

#[test]
fn glue_readout_reports_the_crest_factor_drop() {
    // A steady −20 dBFS tone (it carries the loudness, below the threshold)
    // with a short loud pulse every 250 ms (it carries the peak): catching
    // the pulses lowers the peak far more than the loudness.
    let len = 6 * 48_000;
    let signal: Vec<f32> = (0..len)
        .map(|n| {
            let t = n as f32 / RATE as f32;
            let bed = 0.1 * (std::f32::consts::TAU * 500.0 * t).sin();
            let k = n % 12_000;
            let pulse = if k < 48 {
                0.8 * (std::f32::consts::PI * k as f32 / 48.0).sin()
            } else {
                0.0
            };
            bed + pulse
        })
        .collect();
    let mut g = glue(BusGlueSettings {
        threshold_db: -15.0,
        ratio: 10.0,
        attack_ms: 0.1,
        release_ms: 100.0,
        ..BusGlueSettings::default()
    });
    run(&mut g, &[signal.clone(), signal], 512);
    let glue_db = g.glue_db().expect("measured");
    let (input, output) = (g.input_plr_db().unwrap(), g.output_plr_db().unwrap());
    println!("glue: PLR {input:.1} → {output:.1} dB, drop {glue_db:.1} dB");
    assert!(glue_db > 3.0 && (glue_db - (input - output)).abs() < 1e-9);
}

#[test]
fn output_does_not_depend_on_block_size() {
    let input = noise(30_000, 21, 0.9);
    let key = noise(30_000, 22, 0.9);
    let settings = BusGlueSettings {
        threshold_db: -30.0,
        auto_release: true,
        external_sidechain: true,
        detect_mode: DetectMode::Mid,
        sc_hpf_enabled: true,
        matched_bypass: true,
        mix: 0.7,
        ..BusGlueSettings::default()
    };
    let run_keyed = |block: usize| {
        let mut g = glue(settings);
        let mut out = input.clone();
        let [l, r] = &mut out;
        let mut start = 0;
        while start < l.len() {
            let end = (start + block).min(l.len());
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
        assert!(run_keyed(block) == reference, "block {block}");
    }
}

#[test]
fn process_reset_and_set_settings_do_not_allocate() {
    let mut g = BusGlue::new(RATE, 2);
    let mut l: Vec<f32> = (0..4096)
        .map(|i| ((i as f32) * 0.031).sin() * 2.0)
        .collect();
    let mut r = l.clone();
    r[7] = f32::NAN;
    r[8] = f32::INFINITY;
    let key = l.clone();
    let base = BusGlueSettings::default();
    let variants = [
        BusGlueSettings {
            threshold_db: -40.0,
            auto_release: true,
            ..base
        },
        BusGlueSettings {
            detect_mode: DetectMode::Side,
            sc_hpf_enabled: true,
            sc_hpf_hz: 250.0,
            external_sidechain: true,
            ..base
        },
        BusGlueSettings {
            listen: true,
            ..base
        },
        BusGlueSettings {
            delta: true,
            mix: 0.3,
            ..base
        },
        BusGlueSettings {
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
            let _ = (g.glue_db(), g.level_match_db(), g.block_stats());
            g.reset();
        }
    });
}

/// The output gain glides over `GAIN_RAMP_MS` (multiplicatively, so its dB
/// value moves monotonically) in single- and three-band mode alike, also
/// on the settled paths' fast loops: a step of the output control on a
/// steady signal the (neutral) compressor passes never jumps.
#[test]
fn output_gain_changes_glide_in_both_modes() {
    use shared_dsp::processors::bus_glue::GAIN_RAMP_MS;
    for multiband in [false, true] {
        let neutral = BusGlueSettings {
            ratio: 1.0,
            multiband,
            bands: shared_dsp::processors::bus_glue::DEFAULT_BANDS
                .map(|b| shared_dsp::processors::bus_glue::BandSettings { ratio: 1.0, ..b }),
            metering: false,
            ..BusGlueSettings::default()
        };
        let mut g = glue(neutral);
        // Settle (the crossover's all-pass passes DC at unity).
        let level = 0.25f32;
        let settle = run(&mut g, &dc(&[(level, 48_000)]), 64);
        assert!((settle[0][47_999] - level).abs() < 1e-4, "{multiband}");
        g.set_settings(&BusGlueSettings {
            output_db: -12.0,
            ..neutral
        });
        let out = run(&mut g, &dc(&[(level, 4_800)]), 64);
        let db: Vec<f64> = out[0].iter().map(|&y| db(f64::from(y / level))).collect();
        let ramp = (GAIN_RAMP_MS * RATE / 1000.0).round() as usize;
        // The first frame has barely moved, the ramp then falls monotonically
        // to −12 dB, where it stays.
        assert!(db[0] > -1.0, "{multiband}: jumped to {} dB", db[0]);
        assert!(db.windows(2).all(|w| w[1] <= w[0] + 1e-6), "{multiband}");
        assert!(db[ramp / 2] > -11.0 && db[ramp / 2] < -1.0, "{multiband}");
        assert!(
            (db[ramp + 64] + 12.0).abs() < 1e-3,
            "{multiband}: {}",
            db[ramp + 64]
        );
    }
}

/// The detector's peak (the operating point's level) with the glue's own
/// L/R key and no side-chain high-pass is the input's peak, exactly (the
/// key is the input widened to f64), in every block, with the plain output
/// and with meters on; with the high-pass or a mid key it is not.
#[test]
fn detector_peak_is_the_input_peak_with_the_own_key() {
    let mut rng = Rng::new(0x00de_7ec7);
    for (metering, hpf, mode) in [
        (false, false, DetectMode::LeftRight),
        (true, false, DetectMode::LeftRight),
        (false, true, DetectMode::LeftRight),
        (false, false, DetectMode::Mid),
    ] {
        let mut glue = BusGlue::new(48_000.0, 2);
        glue.set_settings(&BusGlueSettings {
            threshold_db: -24.0,
            ratio: 4.0,
            auto_release: true,
            auto_makeup: true,
            metering,
            sc_hpf_enabled: hpf,
            detect_mode: mode,
            ..BusGlueSettings::default()
        });
        let mut differs = false;
        for block in 0..200 {
            let len = 1 + (block * 37) % 200;
            let gain = if block % 7 == 0 { 0.0 } else { 0.9 };
            let mut left: Vec<f32> = (0..len).map(|_| gain * rng.bipolar() as f32).collect();
            let mut right: Vec<f32> = (0..len)
                .map(|_| 0.3 * gain * rng.bipolar() as f32)
                .collect();
            let peak = left
                .iter()
                .chain(&right)
                .fold(0.0f32, |m, x| m.max(x.abs()));
            glue.process(&mut [&mut left[..], &mut right[..]]);
            let got = glue.block_stats().detector_peak;
            if hpf || mode != DetectMode::LeftRight {
                differs |= got.to_bits() != peak.to_bits();
            } else {
                assert_eq!(
                    got.to_bits(),
                    peak.to_bits(),
                    "block {block}: {got} vs {peak}"
                );
            }
        }
        assert!(
            differs == (hpf || mode != DetectMode::LeftRight),
            "the high-pass and the mid key change the detector's peak"
        );
    }
}
