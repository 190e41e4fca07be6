//! Compressor and gate: static curves measured with steady sines against
//! the gain-computer formulas, time constants measured from step responses,
//! link, side-chain filter, auto release, make-up and mix.
//!
//! Time-constant definition (see `dynamics::envelope`): after a step the
//! gain in dB has covered 1 − 1/e of its change after the time constant.

mod strip_common;

use shared_dsp::units::dynamics::{
    Compressor, CompressorCurve, CompressorSettings, Detection, ExpanderCurve, Gate, GateSettings,
};
use strip_common::*;

const RATE: f64 = 48_000.0;

fn peak_db(x: &[f64]) -> f64 {
    db(x.iter().fold(0.0f64, |m, v| m.max(v.abs())))
}

fn comp(settings: CompressorSettings, channels: usize) -> Compressor {
    let mut c = Compressor::new(RATE, channels);
    c.set_settings(&settings);
    c.reset();
    c
}

fn compressor_settings(threshold_db: f32, ratio: f32, knee_db: f32) -> CompressorSettings {
    CompressorSettings {
        enabled: true,
        threshold_db,
        ratio,
        knee_db,
        attack_ms: 1.0,
        release_ms: 2000.0,
        ..CompressorSettings::default()
    }
}

/// Steady-state gain (dB) of `compressor` for a 1 kHz sine of peak
/// `level_db`: output peak minus input peak over the last 100 ms of 1 s.
fn steady_gain_db(c: &mut Compressor, level_db: f64) -> f64 {
    let x = sine(10f64.powf(level_db / 20.0), 1000.0, RATE, RATE as usize);
    let mut y = x.clone();
    c.process(&mut [&mut y]);
    let tail = (0.9 * RATE) as usize;
    peak_db(&y[tail..]) - peak_db(&x[tail..])
}

#[test]
fn compressor_static_curve_matches_gain_computer_within_0_1_db() {
    for (threshold, ratio, knee) in [
        (-20.0f32, 4.0f32, 6.0f32),
        (-20.0, 4.0, 0.0),
        (-30.0, 2.0, 12.0),
        (-12.0, f32::INFINITY, 6.0),
        (-40.0, 10.0, 24.0),
    ] {
        for detection in [Detection::Peak, Detection::Rms] {
            let settings = CompressorSettings {
                detection,
                ..compressor_settings(threshold, ratio, knee)
            };
            let curve = settings.curve();
            let mut level = -60.0;
            while level <= 0.0 {
                let mut c = comp(settings, 1);
                let measured = steady_gain_db(&mut c, level);
                // RMS of a sine is its peak − 3.01 dB.
                let detected = match detection {
                    Detection::Peak => level,
                    Detection::Rms => level - 10.0 * 2f64.log10(),
                };
                let expected = curve.gain_db(detected);
                assert!(
                    (measured - expected).abs() < 0.1,
                    "{detection:?} T {threshold} R {ratio} W {knee}: {level} dBFS measured {measured:.3} expected {expected:.3}"
                );
                assert!((c.gain_reduction_db() + expected).abs() < 0.1);
                level += 1.5;
            }
        }
    }
}

#[test]
fn soft_knee_formula_is_continuous_and_matches_the_paper_at_the_edges() {
    let curve = CompressorCurve {
        threshold_db: -20.0,
        ratio: 4.0,
        knee_db: 10.0,
    };
    // Knee edges: T ± W/2 meet the straight lines.
    assert!((curve.output_db(-25.0) - -25.0).abs() < 1e-12);
    assert!((curve.output_db(-15.0) - (-20.0 + 5.0 / 4.0)).abs() < 1e-12);
    // At T: x + (1/R − 1)(W/2)²/(2W) = −20 − 0.75·25/20.
    assert!((curve.output_db(-20.0) - (-20.0 - 0.75 * 25.0 / 20.0)).abs() < 1e-12);
    let mut prev = curve.output_db(-60.0);
    let mut x = -60.0;
    while x < 0.0 {
        x += 0.01;
        let y = curve.output_db(x);
        assert!(y >= prev && y - prev < 0.0101, "{x}");
        prev = y;
    }
}

/// Gain-reduction trajectory (dB ≥ 0) for a DC input switching between
/// `levels` (amplitude, samples).
fn gain_reduction_trajectory(c: &mut Compressor, levels: &[(f64, usize)]) -> Vec<f64> {
    let mut out = Vec::new();
    for &(amp, len) in levels {
        let mut y = vec![amp; len];
        c.process(&mut [&mut y]);
        out.extend(y.iter().map(|v| -20.0 * (v / amp).log10()));
    }
    out
}

/// Samples until `trajectory[start..]` first crosses `level` (rising or falling).
fn crossing(trajectory: &[f64], start: usize, level: f64, rising: bool) -> usize {
    trajectory[start..]
        .iter()
        .position(|&v| if rising { v >= level } else { v <= level })
        .expect("never crossed")
}

#[test]
fn compressor_attack_and_release_time_constants_match_settings() {
    let inv_e = (-1.0f64).exp();
    for (attack_ms, release_ms) in [(0.5f32, 50.0f32), (10.0, 200.0), (50.0, 1000.0)] {
        let settings = CompressorSettings {
            attack_ms,
            release_ms,
            ..compressor_settings(-20.0, 4.0, 0.0)
        };
        let mut c = comp(settings, 1);
        let quiet = 0.01; // −40 dBFS: no reduction
        let loud = 1.0; // 0 dBFS: 15 dB reduction
        let first = RATE as usize / 2;
        let hold = 5 * RATE as usize;
        let gr = gain_reduction_trajectory(&mut c, &[(quiet, first), (loud, hold), (quiet, hold)]);
        let full = 15.0;
        assert!((gr[first + hold - 1] - full).abs() < 1e-6);
        let attack = crossing(&gr, first, (1.0 - inv_e) * full, true) + 1;
        let release = crossing(&gr, first + hold, inv_e * full, false) + 1;
        let attack_expected = f64::from(attack_ms) * 1e-3 * RATE;
        let release_expected = f64::from(release_ms) * 1e-3 * RATE;
        println!("attack {attack} samples (expected {attack_expected}), release {release} (expected {release_expected})");
        assert!((attack as f64 - attack_expected).abs() <= 1.0 + 0.01 * attack_expected);
        assert!((release as f64 - release_expected).abs() <= 1.0 + 0.01 * release_expected);
    }
}

#[test]
fn auto_release_is_faster_after_short_peaks_than_after_sustained_compression() {
    let settings = CompressorSettings {
        attack_ms: 1.0,
        release_ms: 500.0,
        auto_release: true,
        ..compressor_settings(-20.0, 4.0, 0.0)
    };
    let recovery = |burst: usize| {
        let mut c = comp(settings, 1);
        let gr = gain_reduction_trajectory(&mut c, &[(1.0, burst), (0.01, 5 * RATE as usize)]);
        let peak = gr[burst - 1];
        crossing(&gr, burst, peak / std::f64::consts::E, false)
    };
    let short = recovery((0.02 * RATE) as usize);
    let long = recovery((3.0 * RATE) as usize);
    println!("auto release to 1/e: after 20 ms burst {short} samples, after 3 s {long}");
    // Sustained: the slow path (release_ms) dominates.
    assert!(
        (long as f64 - 0.5 * RATE).abs() < 0.1 * 0.5 * RATE,
        "{long}"
    );
    // Short peak: close to the fast path (release_ms × 0.1).
    assert!((short as f64) < 0.2 * 0.5 * RATE, "{short}");
}

#[test]
fn stereo_link_shares_gain_reduction() {
    let len = RATE as usize;
    for link in [0.0f32, 1.0] {
        let settings = CompressorSettings {
            stereo_link: link,
            ..compressor_settings(-20.0, 4.0, 0.0)
        };
        let mut c = comp(settings, 2);
        let left_in = sine(1.0, 1000.0, RATE, len);
        let right_in = sine(10f64.powf(-30.0 / 20.0), 700.0, RATE, len);
        let (mut l, mut r) = (left_in.clone(), right_in.clone());
        c.process(&mut [&mut l, &mut r]);
        let tail = len - 4800;
        let left_gain = peak_db(&l[tail..]) - peak_db(&left_in[tail..]);
        let right_gain = peak_db(&r[tail..]) - peak_db(&right_in[tail..]);
        println!("link {link}: left {left_gain:.2} dB, right {right_gain:.2} dB");
        assert!((left_gain + 15.0).abs() < 0.1);
        if link == 1.0 {
            assert!((right_gain - left_gain).abs() < 0.1);
        } else {
            assert!(right_gain.abs() < 0.01);
        }
    }
}

#[test]
fn sidechain_high_pass_ignores_bass() {
    let measure = |hpf: bool| {
        let settings = CompressorSettings {
            sidechain_hpf_enabled: hpf,
            sidechain_hpf_hz: 300.0,
            ..compressor_settings(-20.0, 4.0, 0.0)
        };
        let mut c = comp(settings, 1);
        let x = sine(0.5, 40.0, RATE, RATE as usize);
        let mut y = x.clone();
        c.process(&mut [&mut y]);
        c.gain_reduction_db()
    };
    let without = measure(false);
    let with = measure(true);
    println!("40 Hz at −6 dBFS: reduction {without:.2} dB without, {with:.2} dB with the 300 Hz side-chain filter");
    assert!((without - 10.5).abs() < 0.2);
    // 300 Hz 12 dB/oct: 40 Hz is ≈ 35 dB down, far below the threshold.
    assert!(with < 0.01, "{with}");
}

#[test]
fn makeup_auto_makeup_and_mix() {
    let level = -10.0;
    let base = compressor_settings(-20.0, 4.0, 0.0); // −7.5 dB at −10 dBFS
    let mut c = comp(
        CompressorSettings {
            makeup_db: 5.0,
            ..base
        },
        1,
    );
    assert!((steady_gain_db(&mut c, level) - (-7.5 + 5.0)).abs() < 0.05);
    // Auto make-up = −gain(0 dBFS) = 15 dB.
    let mut c = comp(
        CompressorSettings {
            auto_makeup: true,
            ..base
        },
        1,
    );
    assert!((steady_gain_db(&mut c, level) - (-7.5 + 15.0)).abs() < 0.05);
    // 50 % mix: 0.5 + 0.5·10^(−7.5/20) in amplitude.
    let mut c = comp(CompressorSettings { mix: 0.5, ..base }, 1);
    let expected = 20.0 * (0.5 + 0.5 * 10f64.powf(-7.5 / 20.0)).log10();
    assert!((steady_gain_db(&mut c, level) - expected).abs() < 0.05);
}

fn gate(settings: GateSettings) -> Gate {
    let mut g = Gate::new(RATE, 1);
    g.set_settings(&settings);
    g.reset();
    g
}

fn gate_settings(threshold_db: f32, ratio: f32, range_db: f32) -> GateSettings {
    GateSettings {
        enabled: true,
        threshold_db,
        range_db,
        ratio,
        attack_ms: 1.0,
        hold_ms: 10.0,
        release_ms: 20.0,
        hysteresis_db: 4.0,
    }
}

fn gate_steady_gain_db(g: &mut Gate, level_db: f64) -> f64 {
    let x = sine(10f64.powf(level_db / 20.0), 1000.0, RATE, RATE as usize);
    let mut y = x.clone();
    g.process(&mut [&mut y]);
    let tail = (0.9 * RATE) as usize;
    peak_db(&y[tail..]) - peak_db(&x[tail..])
}

#[test]
fn gate_static_curve_matches_expander_formula_within_0_1_db() {
    for (ratio, range) in [(2.0f32, 30.0f32), (4.0, 60.0), (f32::INFINITY, 40.0)] {
        let settings = gate_settings(-40.0, ratio, range);
        let curve: ExpanderCurve = settings.curve();
        let mut level = -90.0;
        while level <= -10.0 {
            // Starting open, the gate only closes below T − hysteresis.
            let mut g = gate(settings);
            let measured = gate_steady_gain_db(&mut g, level);
            let expected = if level >= -44.0 {
                0.0
            } else {
                curve.gain_db(level)
            };
            assert!(
                (measured - expected).abs() < 0.1,
                "R {ratio} range {range}: {level} dBFS measured {measured:.3} expected {expected:.3}"
            );
            assert_eq!(g.is_open(), level >= -44.0, "{level}");
            level += 2.5;
        }
    }
}

#[test]
fn gate_hysteresis_keeps_a_closed_gate_closed_until_the_threshold() {
    let settings = gate_settings(-40.0, 2.0, 30.0);
    let mut g = gate(settings);
    // Silence closes it.
    let mut silence = vec![0.0; RATE as usize / 2];
    g.process(&mut [&mut silence]);
    assert!(!g.is_open());
    // −42 dBFS lies inside the hysteresis band: stays closed, expander gain.
    let gain = gate_steady_gain_db(&mut g, -42.0);
    assert!(!g.is_open());
    assert!(
        (gain - settings.curve().gain_db(-42.0)).abs() < 0.1,
        "{gain}"
    );
    // −39 dBFS opens it.
    let gain = gate_steady_gain_db(&mut g, -39.0);
    assert!(g.is_open());
    assert!(gain.abs() < 0.01);
}

/// Gate gain trajectory (dB ≤ 0) for DC steps.
fn gate_trajectory(g: &mut Gate, levels: &[(f64, usize)]) -> Vec<f64> {
    let mut out = Vec::new();
    for &(amp, len) in levels {
        let mut y = vec![amp; len];
        g.process(&mut [&mut y]);
        out.extend(y.iter().map(|v| 20.0 * (v / amp).log10()));
    }
    out
}

#[test]
fn gate_attack_hold_and_release_match_settings() {
    let inv_e = (-1.0f64).exp();
    for (attack_ms, hold_ms, release_ms) in [
        (0.5f32, 0.0f32, 10.0f32),
        (5.0, 50.0, 100.0),
        (20.0, 200.0, 500.0),
    ] {
        let settings = GateSettings {
            attack_ms,
            hold_ms,
            release_ms,
            ..gate_settings(-40.0, f32::INFINITY, 40.0)
        };
        let mut g = gate(settings);
        let quiet = 1e-4; // −80 dBFS
        let loud = 0.1; // −20 dBFS
        let closed_for = 6 * RATE as usize;
        let open_for = 2 * RATE as usize;
        let gain = gate_trajectory(
            &mut g,
            &[
                (quiet, closed_for),
                (loud, open_for),
                (quiet, 3 * RATE as usize),
            ],
        );
        assert!((gain[closed_for - 1] + 40.0).abs() < 1e-3);
        // Opening: from −40 to 0 dB, 63 % after attack_ms.
        let attack = crossing(&gain, closed_for, -40.0 * inv_e, true) + 1;
        let attack_expected = f64::from(attack_ms) * 1e-3 * RATE;
        assert!(
            (attack as f64 - attack_expected).abs() <= 1.0 + 0.01 * attack_expected,
            "attack {attack} vs {attack_expected}"
        );
        // Closing starts after the detector hold, its decay to T − hysteresis
        // (one-pole, 10 ms, from 0.1 towards 1e-4 until it crosses −44 dBFS)
        // and hold_ms.
        let drop = closed_for + open_for;
        let starts = crossing(&gain, drop, -1e-9, false);
        let close_level = 10f64.powf(-44.0 / 20.0);
        let detector_ms = 20.0 + 10.0 * ((loud - quiet) / (close_level - quiet)).ln();
        let expected_start = (detector_ms + f64::from(hold_ms)) * 1e-3 * RATE;
        assert!(
            (starts as f64 - expected_start).abs() <= 3.0,
            "close starts {starts} vs {expected_start}"
        );
        let release = crossing(&gain, drop + starts, -40.0 * (1.0 - inv_e), false);
        let release_expected = f64::from(release_ms) * 1e-3 * RATE;
        println!("gate: attack {attack} ({attack_expected}), close after {starts} ({expected_start:.0}), release {release} ({release_expected})");
        assert!(
            (release as f64 - release_expected).abs() <= 2.0 + 0.01 * release_expected,
            "release {release} vs {release_expected}"
        );
    }
}
