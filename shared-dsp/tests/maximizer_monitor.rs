//! The Maximizer's monitor path never exceeds the ceiling in any listen mode
//! (issue 11): level-matched bypass (with a level-match gain that would put
//! the dry signal far over the ceiling), delta, a monitor gain above 0 dB,
//! and switches between the modes (their crossfades), on seeded
//! programme-like material (noise bursts, clipped noise, a drum-like
//! transient track, the music-like signal) at 44.1/48/96 kHz and several
//! ceilings. Read by the suite's own true-peak meter (`LoudnessMeter`, what
//! `lathe measure` and the Loudness Meter read), which must never exceed the
//! ceiling, and by the independent accurate reference
//! (`reference_true_peak_db`: f64, 16×, long Kaiser sinc), held to the
//! main path's tolerance ([`REFERENCE_TOLERANCE_DB`], issue 10).
//!
//! And that the level-matched bypass is still an honest comparison: while
//! the cap does not bite it is the dry input × the level-match gain bit for
//! bit, at the output's loudness; when it bites it becomes a constant,
//! lower gain (the guard stops working on repeats of the same peaks).
//!
//! Run with `--nocapture` for the table.

mod maximizer_support;
use maximizer_support::*;
use shared_dsp::processors::maximizer::{Listen, Maximizer, MaximizerSettings};
use shared_dsp::units::loudness::LoudnessMeter;

/// Largest allowed excess of the accurate reference over the ceiling, dB:
/// the main path's (`maximizer_ceiling.rs`, issue 10).
const REFERENCE_TOLERANCE_DB: f64 = 0.05;
/// Seconds of each signal.
const SIGNAL_SECONDS: f64 = 0.5;

/// The suite meter's true peak (`lathe measure`), dBTP.
fn suite_meter_true_peak_db(x: &Stereo, rate: f64) -> f64 {
    let mut meter = LoudnessMeter::new(rate, x.len());
    meter.process(x);
    meter.readings().true_peak_dbtp.unwrap_or(f64::NEG_INFINITY)
}

/// Integrated loudness by the suite meter, LUFS.
fn integrated_lufs(x: &Stereo, rate: f64) -> f64 {
    let mut meter = LoudnessMeter::new(rate, x.len());
    meter.process(x);
    meter
        .readings()
        .integrated_lufs
        .expect("loud enough to gate")
}

/// White-noise bursts of 30 ms every 100 ms (full band, abrupt edges),
/// peak 1.0.
fn noise_bursts(rng: &mut Rng, rate: f64, seconds: f64) -> Stereo {
    let n = (seconds * rate) as usize;
    let (period, on) = ((0.1 * rate) as usize, (0.03 * rate) as usize);
    (0..2)
        .map(|_| {
            (0..n)
                .map(|i| {
                    let v = rng.bipolar() as f32;
                    if i % period < on {
                        v
                    } else {
                        0.01 * v
                    }
                })
                .collect()
        })
        .collect()
}

/// Full-band noise hard-clipped at ±1 (an over-driven master).
fn clipped_noise(rng: &mut Rng, rate: f64, seconds: f64) -> Stereo {
    white_noise(rng, rate, seconds)
        .into_iter()
        .map(|c| c.into_iter().map(|v| (2.0 * v).clamp(-1.0, 1.0)).collect())
        .collect()
}

/// Drum-like transients: a kick (pitch-swept sine with a click) every
/// 125 ms and a snare (noise with a fast decay) between, over a quiet bed,
/// peak 1.0.
fn drums(rng: &mut Rng, rate: f64, seconds: f64) -> Stereo {
    let n = (seconds * rate) as usize;
    let beat = (0.125 * rate) as usize;
    let mut out = vec![vec![0.0f32; n]; 2];
    for (c, ch) in out.iter_mut().enumerate() {
        for (i, y) in ch.iter_mut().enumerate() {
            let tb = (i % beat) as f64 / rate;
            let v = if (i / beat).is_multiple_of(2) {
                let f = 45.0 + 400.0 * (-tb * 60.0).exp();
                (-tb * 18.0).exp() * (std::f64::consts::TAU * f * tb).sin()
                    + if i % beat < 3 { 0.8 } else { 0.0 }
            } else {
                (-tb * 35.0).exp() * rng.bipolar()
            };
            *y = (0.6 * v + 0.002 * rng.bipolar() + 0.05 * c as f64 * v) as f32;
        }
    }
    let peak = out.iter().flatten().fold(0.0f32, |m, v| m.max(v.abs()));
    out.into_iter()
        .map(|c| c.into_iter().map(|v| v / peak).collect())
        .collect()
}

/// (name, signal, input gain dB).
fn signals(rate: f64, seed: u64) -> Vec<(&'static str, Stereo, f32)> {
    let mut rng = Rng::new(seed);
    vec![
        ("bursts", noise_bursts(&mut rng, rate, SIGNAL_SECONDS), 12.0),
        (
            "clipped",
            clipped_noise(&mut rng, rate, SIGNAL_SECONDS),
            6.0,
        ),
        ("drums", drums(&mut rng, rate, SIGNAL_SECONDS), 12.0),
        ("music", music_like(&mut rng, rate, SIGNAL_SECONDS), 9.0),
    ]
}

/// What is heard: a listen mode (or a sequence of them, switched every
/// quarter of the signal), level-match and monitor gains.
#[derive(Clone, Copy)]
struct Mode {
    label: &'static str,
    listens: &'static [Listen],
    /// Level-match gain, dB; `None`: the input gain (the dry signal at the
    /// gained level, far over the ceiling on every signal here).
    level_match_db: Option<f32>,
    monitor_db: f32,
}

const MODES: [Mode; 6] = [
    Mode {
        label: "output",
        listens: &[Listen::Output],
        level_match_db: Some(0.0),
        monitor_db: 0.0,
    },
    Mode {
        label: "lm-bypass",
        listens: &[Listen::LevelMatchedBypass],
        level_match_db: None,
        monitor_db: 0.0,
    },
    Mode {
        label: "delta",
        listens: &[Listen::Delta],
        level_match_db: Some(0.0),
        monitor_db: 0.0,
    },
    Mode {
        label: "output+6dB",
        listens: &[Listen::Output],
        level_match_db: Some(0.0),
        monitor_db: 6.0,
    },
    Mode {
        label: "lm-bypass+6dB",
        listens: &[Listen::LevelMatchedBypass],
        level_match_db: Some(0.0),
        monitor_db: 6.0,
    },
    Mode {
        label: "switching",
        listens: &[
            Listen::Output,
            Listen::LevelMatchedBypass,
            Listen::Delta,
            Listen::Output,
        ],
        level_match_db: None,
        monitor_db: 0.0,
    },
];

/// Runs `input` through a fresh maximizer in seeded block sizes, switching
/// the listen mode per `mode`.
fn run_mode(
    rate: f64,
    base: &MaximizerSettings,
    mode: &Mode,
    input: &Stereo,
    rng: &mut Rng,
) -> Stereo {
    let settings = |listen| MaximizerSettings {
        listen,
        level_match_gain_db: mode.level_match_db.unwrap_or(base.input_gain_db),
        monitor_gain_db: mode.monitor_db,
        ..*base
    };
    let mut m = Maximizer::new(rate, 2);
    m.set_settings(&settings(mode.listens[0]));
    let len = input[0].len();
    let mut out = input.clone();
    let mut pos = 0;
    while pos < len {
        let part = (pos * mode.listens.len() / len).min(mode.listens.len() - 1);
        m.set_settings(&settings(mode.listens[part]));
        let n = rng.range(1, 700).min(len - pos);
        let (l, r) = out.split_at_mut(1);
        m.process(&mut [&mut l[0][pos..pos + n], &mut r[0][pos..pos + n]]);
        pos += n;
    }
    out
}

#[test]
fn monitor_path_never_exceeds_the_ceiling_in_any_listen_mode() {
    let mut rng = Rng::new(0x11_0B);
    let mut failures = Vec::new();
    let (mut worst_meter, mut worst_reference) = (f64::NEG_INFINITY, f64::NEG_INFINITY);
    println!(
        "{:>6} {:<8} {:>6} {:<14} {:>9} {:>9}  (over the ceiling, dB)",
        "rate", "signal", "ceil", "mode", "meter", "ref"
    );
    for (r, rate) in [44_100.0, 48_000.0, 96_000.0].into_iter().enumerate() {
        for (name, signal, gain_db) in signals(rate, 70 + r as u64) {
            let input = with_tail(&signal, 4096);
            for ceiling_dbtp in [-0.1f32, -1.0, -3.0] {
                let base = MaximizerSettings {
                    input_gain_db: gain_db,
                    ceiling_dbtp,
                    ..MaximizerSettings::default()
                };
                for mode in &MODES {
                    let output = run_mode(rate, &base, mode, &input, &mut rng);
                    let ceiling = f64::from(ceiling_dbtp);
                    let meter = suite_meter_true_peak_db(&output, rate) - ceiling;
                    let reference = reference_true_peak_db(&output) - ceiling;
                    println!(
                        "{rate:>6} {name:<8} {ceiling_dbtp:>6} {:<14} {meter:>+9.4} {reference:>+9.4}",
                        mode.label
                    );
                    worst_meter = worst_meter.max(meter);
                    worst_reference = worst_reference.max(reference);
                    if meter > 0.0 || reference > REFERENCE_TOLERANCE_DB {
                        failures.push(format!(
                            "{rate} {name} {ceiling_dbtp} {}: meter {meter:+.4}, reference {reference:+.4}",
                            mode.label
                        ));
                    }
                }
            }
        }
    }
    println!("largest: suite meter {worst_meter:+.4} dB, reference {worst_reference:+.4} dB");
    assert!(failures.is_empty(), "{failures:#?}");
}

#[test]
fn uncapped_level_matched_bypass_is_the_dry_input_at_the_output_loudness() {
    for rate in [44_100.0, 48_000.0, 96_000.0] {
        let mut rng = Rng::new(5);
        // Music at −12 dBFS peak, +9 dB into −1 dBTP: the limiter works, and
        // the level-matched dry signal stays well under the ceiling.
        let input: Stereo = music_like(&mut rng, rate, 3.0)
            .into_iter()
            .map(|c| c.into_iter().map(|v| v * 0.25).collect())
            .collect();
        let base = MaximizerSettings {
            input_gain_db: 9.0,
            ..MaximizerSettings::default()
        };
        // The gain the plugin feeds back: output minus input loudness.
        let mut m = Maximizer::new(rate, 2);
        m.set_settings(&base);
        let output = process_blocks(&mut m, &input, || 512);
        let level_match_db = m.metered_level_match_db();
        assert!(
            level_match_db > 3.0,
            "the limiter gains loudness: {level_match_db}"
        );
        assert!(m.gain_reduction_db() >= 0.0);
        let settings = MaximizerSettings {
            listen: Listen::LevelMatchedBypass,
            level_match_gain_db: level_match_db,
            ..base
        };
        let mut m = Maximizer::new(rate, 2);
        m.set_settings(&settings);
        let latency = m.latency_samples();
        let bypass = process_blocks(&mut m, &input, || 512);
        assert_eq!(
            m.level_match_cap_db(),
            None,
            "{rate}: the cap must not bite"
        );
        // Bit for bit the dry input, latency-aligned, × the level-match gain.
        let gain = 10f32.powf(level_match_db / 20.0);
        for c in 0..2 {
            for i in latency..input[c].len() {
                assert_eq!(
                    bypass[c][i].to_bits(),
                    (input[c][i - latency] * gain).to_bits(),
                    "{rate} ch {c} at {i}"
                );
            }
        }
        let (out_lufs, bypass_lufs) = (
            integrated_lufs(&output, rate),
            integrated_lufs(&bypass, rate),
        );
        assert!(
            (out_lufs - bypass_lufs).abs() < 0.1,
            "{rate}: output {out_lufs:.2} LUFS, bypass {bypass_lufs:.2} LUFS"
        );
    }
}

#[test]
fn capped_level_matched_bypass_settles_to_a_constant_gain_under_the_ceiling() {
    let rate = 48_000.0;
    let mut rng = Rng::new(9);
    // The same 0.5 s of drums four times: once the first pass has set the
    // cap, the repeats need no more guarding.
    let once = drums(&mut rng, rate, 0.5);
    let input: Stereo = once.iter().map(|c| c.repeat(4)).collect();
    let ceiling_dbtp = -1.0;
    let settings = MaximizerSettings {
        input_gain_db: 9.0,
        ceiling_dbtp,
        listen: Listen::LevelMatchedBypass,
        level_match_gain_db: 6.0,
        ..MaximizerSettings::default()
    };
    let mut m = Maximizer::new(rate, 2);
    m.set_settings(&settings);
    let latency = m.latency_samples();
    let output = process_blocks(&mut m, &input, || 256);
    let cap_db = m
        .level_match_cap_db()
        .expect("6 dB over a 0 dBFS peak must be capped");
    // The cap is about what the dry peak allows: ceiling − its true peak.
    let dry_peak_db = reference_true_peak_db(&once);
    let expected_db = f64::from(ceiling_dbtp) - dry_peak_db;
    assert!(
        (f64::from(cap_db) - expected_db).abs() < 0.5,
        "cap {cap_db:.2} dB, ceiling − dry peak {expected_db:.2} dB"
    );
    // Over the last repeat the bypass is the dry input at one constant gain.
    let start = 3 * once[0].len();
    let mut ratios = Vec::new();
    for c in 0..2 {
        for i in start..input[c].len() {
            let dry = input[c][i - latency];
            if dry.abs() > 0.05 {
                ratios.push(f64::from(output[c][i]) / f64::from(dry));
            }
        }
    }
    let (lo, hi) = ratios.iter().fold((f64::INFINITY, 0.0f64), |(lo, hi), &r| {
        (lo.min(r), hi.max(r))
    });
    assert!(
        amp_to_db(hi) - amp_to_db(lo) < 1e-4,
        "gain varies {:.5}..{:.5} dB",
        amp_to_db(lo),
        amp_to_db(hi)
    );
    assert!(
        (amp_to_db(hi) - f64::from(cap_db)).abs() < 1e-3,
        "gain {:.4} dB vs cap {cap_db:.4} dB",
        amp_to_db(hi)
    );
    let tail: Stereo = output.iter().map(|c| c[start..].to_vec()).collect();
    assert!(suite_meter_true_peak_db(&output, rate) <= f64::from(ceiling_dbtp));
    assert!(suite_meter_true_peak_db(&tail, rate) <= f64::from(ceiling_dbtp));
    // A new loudness measurement (a new level match) lifts the cap.
    m.reset_meters();
    assert_eq!(m.level_match_cap_db(), None);
}
