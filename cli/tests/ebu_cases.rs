//! Every EBU Tech 3341 and Tech 3342 minimum-requirement case that can be
//! generated from a description (Tech 3341 v4, 2023, Table 1 — the cases of
//! v3, 2016 — cases 1–6 and 9–23; Tech 3342 cases 1–4), written as 24-bit
//! WAV files at 44.1 and 48 kHz and measured through the CLI,
//! `lathe measure --json --series --series-step-ms 10` (momentary loudness on
//! the meter's 10 ms grid, short-term loudness every 100 ms).
//!
//! Cases 7 and 8 are authentic programme excerpts that exist only as the
//! EBU's files, so they are not here.
//!
//! Expected values and tolerances are the specifications': ±0.1 LU for M, S
//! and I, +0.2/−0.4 dB for the true peak (Tech 3341), ±1 LU for LRA (Tech
//! 3342). Signals are 1 kHz sines at the stated peak level on both channels
//! unless said otherwise (such a stereo sine reads its peak level in LUFS).
//!
//! Where Table 1 names a family of signals without fixing every number (the
//! burst offsets of cases 10, 11, 13 and 14, the true-peak patterns of cases
//! 20–23) the numbers chosen here are stated at each case; they were not
//! taken from the EBU's files.

mod common;

use std::f64::consts::{PI, TAU};
use std::path::{Path, PathBuf};

use common::*;
use serde_json::Value;

/// Sample rates every case is generated at, Hz.
const RATES: [u32; 2] = [44_100, 48_000];
/// Tech 3341 Table 1 tolerance for M, S and I, LU.
const EBU_TOLERANCE_LU: f64 = 0.1;
/// Tech 3341 Table 1 tolerance for the true peak: this much over…, dB.
const TRUE_PEAK_OVER_DB: f64 = 0.2;
/// …and this much under, dB.
const TRUE_PEAK_UNDER_DB: f64 = 0.4;
/// Tech 3342 tolerance for the loudness range, LU.
const LRA_TOLERANCE_LU: f64 = 1.0;
/// Frequency of the test tones, Hz.
const TONE_HZ: f64 = 1_000.0;
/// Spacing of the momentary series asked for, ms (the meter's finest grid).
const FINE_SERIES_MS: &str = "10";
/// Spacing of the short-term series (its update rate), s.
const SHORT_TERM_STEP_S: f64 = 0.1;
/// Momentary (400 ms) and short-term (3 s) window lengths, s.
const MOMENTARY_WINDOW_S: f64 = 0.4;
const SHORT_TERM_WINDOW_S: f64 = 3.0;
/// Slack on series times when selecting points, s (JSON rounds to 1 ms).
const TIME_SLACK_S: f64 = 1e-4;

/// One segment of a test programme: a duration and a 1 kHz tone level
/// (dBFS peak), or silence.
type Segment = (f64, Option<f64>);

/// A 1 kHz sine through `segments`, continuous in phase across level
/// changes; segment boundaries are rounded to whole frames from the start
/// (no drift over many segments).
fn programme(rate: u32, segments: &[Segment]) -> Vec<f64> {
    let rate_hz = f64::from(rate);
    let mut out = Vec::new();
    let mut t_s = 0.0;
    for &(duration_s, level) in segments {
        t_s += duration_s;
        let end = (t_s * rate_hz).round() as usize;
        let amplitude = level.map_or(0.0, db_to_amplitude);
        while out.len() < end {
            let i = out.len();
            out.push(amplitude * (TAU * TONE_HZ * i as f64 / rate_hz).sin());
        }
    }
    out
}

/// Writes `samples` on both channels of a 24-bit WAV file.
fn write_stereo(dir: &Path, name: &str, rate: u32, samples: Vec<f64>) -> PathBuf {
    let path = dir.join(name);
    Signal::new(rate, SampleFormat::Int24, vec![samples.clone(), samples]).write_wav(&path);
    path
}

/// `lathe measure --json --series --series-step-ms 10` on `paths`.
fn measure(paths: &[PathBuf]) -> Vec<Value> {
    let reports = measure_json(paths, &["--series", "--series-step-ms", FINE_SERIES_MS]);
    assert_eq!(reports.len(), paths.len());
    reports
}

/// A `[[t_end_s, lufs], ...]` series of a report (`null` values dropped).
fn series(report: &Value, key: &str) -> Vec<(f64, f64)> {
    report[key]
        .as_array()
        .unwrap_or_else(|| panic!("{key} missing"))
        .iter()
        .filter_map(|point| {
            let t = point[0].as_f64().expect("t_end_s");
            point[1].as_f64().map(|lufs| (t, lufs))
        })
        .collect()
}

/// Largest value of `points` whose window ends in `from_s < t ≤ to_s`.
fn max_between(points: &[(f64, f64)], from_s: f64, to_s: f64) -> f64 {
    points
        .iter()
        .filter(|&&(t, _)| t > from_s + TIME_SLACK_S && t <= to_s + TIME_SLACK_S)
        .map(|&(_, lufs)| lufs)
        .fold(f64::NEG_INFINITY, f64::max)
}

/// Asserts `report[key]` is `expected` ± [`EBU_TOLERANCE_LU`].
fn assert_loudness(what: &str, report: &Value, key: &str, expected: f64) {
    assert_close(
        &format!("{what}: {key}"),
        opt_f64(report, key),
        Some(expected),
        EBU_TOLERANCE_LU,
    );
}

/// Asserts every point of `points` from `after_s` on is `expected` ±
/// [`EBU_TOLERANCE_LU`] ("constant after …"); returns how many were checked.
fn assert_constant_after(what: &str, points: &[(f64, f64)], after_s: f64, expected: f64) -> usize {
    let checked: Vec<_> = points
        .iter()
        .filter(|&&(t, _)| t >= after_s - TIME_SLACK_S)
        .collect();
    for &&(t, lufs) in &checked {
        assert!(
            (lufs - expected).abs() <= EBU_TOLERANCE_LU,
            "{what}: {lufs:.3} LUFS at {t} s, expected {expected} ± {EBU_TOLERANCE_LU}"
        );
    }
    checked.len()
}

/// Asserts a true peak is `expected` +0.2/−0.4 dB (Tech 3341).
fn assert_true_peak(what: &str, report: &Value, expected_dbtp: f64) {
    let peak = opt_f64(report, "true_peak_dbtp").expect("true peak");
    assert!(
        peak <= expected_dbtp + TRUE_PEAK_OVER_DB && peak >= expected_dbtp - TRUE_PEAK_UNDER_DB,
        "{what}: true peak {peak:.3} dBTP, expected {expected_dbtp} +{TRUE_PEAK_OVER_DB}/−{TRUE_PEAK_UNDER_DB}"
    );
}

// --- Cases 1–5: steady tones and the gates --------------------------------

/// Case 1: −23 dBFS for 20 s → M, S, I = −23.0 ±0.1 LUFS; case 2: the same
/// at −33 dBFS → −33.0. M and S are checked at every point of their series
/// (every 10 ms and 100 ms), not only at their maxima.
#[test]
fn ebu3341_cases_1_and_2_steady_tone_reads_its_level() {
    let dir = tempfile::tempdir().unwrap();
    for rate in RATES {
        let cases = [("case 1", -23.0), ("case 2", -33.0)];
        let paths: Vec<_> = cases
            .iter()
            .map(|&(name, level)| {
                let tone = programme(rate, &[(20.0, Some(level))]);
                write_stereo(dir.path(), &format!("{name} {rate}.wav"), rate, tone)
            })
            .collect();
        for (report, &(name, level)) in measure(&paths).iter().zip(&cases) {
            let what = format!("{name} at {rate} Hz");
            for key in [
                "integrated_lufs",
                "max_momentary_lufs",
                "max_short_term_lufs",
            ] {
                assert_loudness(&what, report, key, level);
            }
            let m = series(report, "momentary_series");
            let s = series(report, "short_term_series");
            assert!(
                assert_constant_after(&format!("{what} M"), &m, MOMENTARY_WINDOW_S, level) > 1_900
            );
            assert!(
                assert_constant_after(&format!("{what} S"), &s, SHORT_TERM_WINDOW_S, level) > 160
            );
        }
    }
}

/// Cases 3–5, integrated loudness −23.0 ±0.1 LUFS:
/// 3: −36 / −23 / −36 dBFS for 10 / 60 / 10 s (relative gate);
/// 4: −72 / −36 / −23 / −36 / −72 dBFS for 10 / 10 / 60 / 10 / 10 s (both gates);
/// 5: −26 / −20 / −26 dBFS for 20 / 20.1 / 20 s (power average of the parts
/// that pass the gate).
#[test]
fn ebu3341_cases_3_to_5_gated_integrated_loudness() {
    let dir = tempfile::tempdir().unwrap();
    let cases: [(&str, &[Segment]); 3] = [
        (
            "case 3",
            &[
                (10.0, Some(-36.0)),
                (60.0, Some(-23.0)),
                (10.0, Some(-36.0)),
            ],
        ),
        (
            "case 4",
            &[
                (10.0, Some(-72.0)),
                (10.0, Some(-36.0)),
                (60.0, Some(-23.0)),
                (10.0, Some(-36.0)),
                (10.0, Some(-72.0)),
            ],
        ),
        (
            "case 5",
            &[
                (20.0, Some(-26.0)),
                (20.1, Some(-20.0)),
                (20.0, Some(-26.0)),
            ],
        ),
    ];
    for rate in RATES {
        let paths: Vec<_> = cases
            .iter()
            .map(|(name, segments)| {
                write_stereo(
                    dir.path(),
                    &format!("{name} {rate}.wav"),
                    rate,
                    programme(rate, segments),
                )
            })
            .collect();
        for (report, (name, _)) in measure(&paths).iter().zip(&cases) {
            assert_loudness(
                &format!("{name} at {rate} Hz"),
                report,
                "integrated_lufs",
                -23.0,
            );
        }
    }
}

/// Case 6: 5.0 (L R C Ls Rs), 1 kHz at −28 dBFS on L and R, −24 on C, −30
/// on Ls and Rs, 20 s → I = −23.0 ±0.1 LUFS; with the 5.0 channel mask and
/// with a plain header (the EBU file has none).
#[test]
fn ebu3341_case_6_five_channels() {
    /// WAV mask of 5.0: L R C SL SR.
    const MASK_5_0: u32 = 0x607;
    let dir = tempfile::tempdir().unwrap();
    for rate in RATES {
        let planar: Vec<Vec<f64>> = [-28.0, -28.0, -24.0, -30.0, -30.0]
            .iter()
            .map(|&level| programme(rate, &[(20.0, Some(level))]))
            .collect();
        let signal = Signal::new(rate, SampleFormat::Int24, planar);
        let paths: Vec<_> = [Speakers::Mask(MASK_5_0), Speakers::NoMask]
            .iter()
            .map(|&speakers| {
                let path = dir.path().join(format!("case 6 {rate} {speakers:?}.wav"));
                signal.write_wav_with_speakers(&path, speakers);
                path
            })
            .collect();
        for report in measure(&paths) {
            assert_eq!(
                report["channel_order"],
                serde_json::json!(["L", "R", "C", "Ls", "Rs"])
            );
            assert_loudness(
                &format!("case 6 at {rate} Hz"),
                &report,
                "integrated_lufs",
                -23.0,
            );
        }
    }
}

// --- Cases 9–14: short-term and momentary loudness over time ---------------

/// Case 9: 1.34 s at −20 dBFS then 1.66 s at −30 dBFS, five times: every
/// 3 s window holds the same energy, so S = −23.0 ±0.1 LUFS, constant after
/// 3 s (every 100 ms point of the short-term series).
#[test]
fn ebu3341_case_9_short_term_constant_after_3_s() {
    let dir = tempfile::tempdir().unwrap();
    let segments: Vec<Segment> = (0..5)
        .flat_map(|_| [(1.34, Some(-20.0)), (1.66, Some(-30.0))])
        .collect();
    for rate in RATES {
        let path = write_stereo(
            dir.path(),
            &format!("case 9 {rate}.wav"),
            rate,
            programme(rate, &segments),
        );
        let report = measure(&[path]).remove(0);
        let s = series(&report, "short_term_series");
        let checked = assert_constant_after(
            &format!("case 9 at {rate} Hz S"),
            &s,
            SHORT_TERM_WINDOW_S,
            -23.0,
        );
        assert!(checked >= 120, "checked {checked} points");
    }
}

/// Offset step of the 3 s bursts of cases 10 and 11, s: 20 offsets from 0
/// to 2.907 s, none after the first on the 100 ms step grid or on a 10 ms
/// multiple, covering every phase against the meter's steps.
const SHORT_TERM_BURST_OFFSET_STEP_S: f64 = 0.153;
/// Offset step of the 0.4 s bursts of cases 13 and 14, s: 20 offsets from 0
/// to 0.437 s, covering every phase against the 10 ms and 100 ms grids.
const MOMENTARY_BURST_OFFSET_STEP_S: f64 = 0.023;
/// Bursts per series (Table 1: 20 files in cases 10 and 13, 20 levels in
/// cases 11 and 14).
const BURSTS: usize = 20;

/// Case 10: 20 files, each a 3 s burst at −23 dBFS after `k`·0.153 s of
/// silence (k = 0…19) in a 6 s file → max S = −23.0 ±0.1 LUFS for each.
#[test]
fn ebu3341_case_10_max_short_term_of_3_s_bursts_at_any_offset() {
    let dir = tempfile::tempdir().unwrap();
    for rate in RATES {
        let paths: Vec<_> = (0..BURSTS)
            .map(|k| {
                let offset_s = k as f64 * SHORT_TERM_BURST_OFFSET_STEP_S;
                let segments = [(offset_s, None), (3.0, Some(-23.0)), (3.0 - offset_s, None)];
                write_stereo(
                    dir.path(),
                    &format!("case 10-{} {rate}.wav", k + 1),
                    rate,
                    programme(rate, &segments),
                )
            })
            .collect();
        for (k, report) in measure(&paths).iter().enumerate() {
            assert_loudness(
                &format!("case 10-{} at {rate} Hz", k + 1),
                report,
                "max_short_term_lufs",
                -23.0,
            );
        }
    }
}

/// Case 11: one file of 20 segments of 6 s; segment `k` (0…19) holds a 3 s
/// burst at −38 + k dBFS after `k`·0.153 s of silence → max S over each
/// segment = −38.0, −37.0, …, −19.0 ±0.1 LUFS, successive values (read from
/// the short-term series, windows ending within the segment).
#[test]
fn ebu3341_case_11_max_short_term_of_successive_bursts() {
    const SEGMENT_S: f64 = 6.0;
    let dir = tempfile::tempdir().unwrap();
    let levels: Vec<f64> = (0..BURSTS).map(|k| -38.0 + k as f64).collect();
    let segments: Vec<Segment> = levels
        .iter()
        .enumerate()
        .flat_map(|(k, &level)| {
            let offset_s = k as f64 * SHORT_TERM_BURST_OFFSET_STEP_S;
            [
                (offset_s, None),
                (3.0, Some(level)),
                (SEGMENT_S - 3.0 - offset_s, None),
            ]
        })
        .collect();
    for rate in RATES {
        let path = write_stereo(
            dir.path(),
            &format!("case 11 {rate}.wav"),
            rate,
            programme(rate, &segments),
        );
        let report = measure(&[path]).remove(0);
        let s = series(&report, "short_term_series");
        for (k, &level) in levels.iter().enumerate() {
            let from_s = k as f64 * SEGMENT_S;
            let max_s = max_between(&s, from_s, from_s + SEGMENT_S);
            assert!(
                (max_s - level).abs() <= EBU_TOLERANCE_LU,
                "case 11 at {rate} Hz, segment {}: max S {max_s:.3}, expected {level}",
                k + 1
            );
        }
        assert_loudness(
            &format!("case 11 at {rate} Hz"),
            &report,
            "max_short_term_lufs",
            -19.0,
        );
        // The series really has a point per 100 ms over the whole file.
        let expected_points =
            ((120.0 - SHORT_TERM_WINDOW_S) / SHORT_TERM_STEP_S).round() as usize + 1;
        assert!(
            s.len() + 5 >= expected_points,
            "{} short-term points",
            s.len()
        );
    }
}

/// Case 12: 0.18 s at −20 dBFS then 0.22 s at −30 dBFS, 25 times: every
/// 400 ms window holds the same energy, so M = −23.0 ±0.1 LUFS, constant
/// after 1 s — checked at every 10 ms point of the momentary series.
#[test]
fn ebu3341_case_12_momentary_constant_after_1_s() {
    let dir = tempfile::tempdir().unwrap();
    let segments: Vec<Segment> = (0..25)
        .flat_map(|_| [(0.18, Some(-20.0)), (0.22, Some(-30.0))])
        .collect();
    for rate in RATES {
        let path = write_stereo(
            dir.path(),
            &format!("case 12 {rate}.wav"),
            rate,
            programme(rate, &segments),
        );
        let report = measure(&[path]).remove(0);
        let m = series(&report, "momentary_series");
        let checked = assert_constant_after(&format!("case 12 at {rate} Hz M"), &m, 1.0, -23.0);
        assert!(checked >= 900, "checked {checked} points");
    }
}

/// Case 13: 20 files, each a 0.4 s burst at −23 dBFS after `k`·0.023 s of
/// silence (k = 0…19) in a 1.5 s file → max M = −23.0 ±0.1 LUFS for each.
#[test]
fn ebu3341_case_13_max_momentary_of_400_ms_bursts_at_any_offset() {
    let dir = tempfile::tempdir().unwrap();
    for rate in RATES {
        let paths: Vec<_> = (0..BURSTS)
            .map(|k| {
                let offset_s = k as f64 * MOMENTARY_BURST_OFFSET_STEP_S;
                let segments = [(offset_s, None), (0.4, Some(-23.0)), (1.1 - offset_s, None)];
                write_stereo(
                    dir.path(),
                    &format!("case 13-{} {rate}.wav", k + 1),
                    rate,
                    programme(rate, &segments),
                )
            })
            .collect();
        for (k, report) in measure(&paths).iter().enumerate() {
            assert_loudness(
                &format!("case 13-{} at {rate} Hz", k + 1),
                report,
                "max_momentary_lufs",
                -23.0,
            );
        }
    }
}

/// Case 14: one file of 20 segments of 1 s; segment `k` (0…19) holds a
/// 0.4 s burst at −38 + k dBFS after `k`·0.023 s of silence → max M over
/// each segment = −38.0, −37.0, …, −19.0 ±0.1 LUFS, successive values (read
/// from the 10 ms momentary series, windows ending within the segment).
#[test]
fn ebu3341_case_14_max_momentary_of_successive_bursts() {
    const SEGMENT_S: f64 = 1.0;
    let dir = tempfile::tempdir().unwrap();
    let levels: Vec<f64> = (0..BURSTS).map(|k| -38.0 + k as f64).collect();
    let segments: Vec<Segment> = levels
        .iter()
        .enumerate()
        .flat_map(|(k, &level)| {
            let offset_s = k as f64 * MOMENTARY_BURST_OFFSET_STEP_S;
            [
                (offset_s, None),
                (0.4, Some(level)),
                (SEGMENT_S - 0.4 - offset_s, None),
            ]
        })
        .collect();
    for rate in RATES {
        let path = write_stereo(
            dir.path(),
            &format!("case 14 {rate}.wav"),
            rate,
            programme(rate, &segments),
        );
        let report = measure(&[path]).remove(0);
        let m = series(&report, "momentary_series");
        for (k, &level) in levels.iter().enumerate() {
            let from_s = k as f64 * SEGMENT_S;
            let max_m = max_between(&m, from_s, from_s + SEGMENT_S);
            assert!(
                (max_m - level).abs() <= EBU_TOLERANCE_LU,
                "case 14 at {rate} Hz, segment {}: max M {max_m:.3}, expected {level}",
                k + 1
            );
        }
        assert_loudness(
            &format!("case 14 at {rate} Hz"),
            &report,
            "max_momentary_lufs",
            -19.0,
        );
    }
}

// --- Cases 15–23: true peak --------------------------------------------------

/// Length of the true-peak test files, s.
const TRUE_PEAK_FILE_S: f64 = 2.0;
/// Raised-cosine fade-in of the true-peak sines, s: switching a sine near
/// fs/4 on abruptly is a step whose band-limited reconstruction really
/// overshoots (Gibbs), which the steady-sine values of cases 15–19 do not
/// describe (see `shared-dsp/tests/ebu_tech_3341.rs`).
const TRUE_PEAK_FADE_IN_S: f64 = 0.01;

/// A sine of `fraction`·fs, linear peak `amplitude`, phase `phase_deg`.
fn true_peak_sine(rate: u32, fraction: f64, amplitude: f64, phase_deg: f64) -> Vec<f64> {
    let frames = (TRUE_PEAK_FILE_S * f64::from(rate)).round() as usize;
    let fade = (TRUE_PEAK_FADE_IN_S * f64::from(rate)).round() as usize;
    (0..frames)
        .map(|i| {
            let ramp = if i < fade {
                0.5 - 0.5 * (PI * i as f64 / fade as f64).cos()
            } else {
                1.0
            };
            ramp * amplitude * (TAU * fraction * i as f64 + phase_deg.to_radians()).sin()
        })
        .collect()
}

/// Cases 15–19 (Table 1): 15: fs/4, peak 0.50, 0° phase; 16: fs/4, 0.50,
/// 45°; 17: fs/6, 0.50, 60°; 18: fs/8, 0.50, 67.5°; 19: fs/4, 1.41, 45° →
/// max true peak −6.0 (15–18) and +3.0 dBTP (19), +0.2/−0.4 dB. The phase
/// puts the peaks between the samples (16–19), which the true peak must
/// find: its sample peak is lower.
#[test]
fn ebu3341_cases_15_to_19_true_peak_of_sines() {
    let cases = [
        ("case 15", 1.0 / 4.0, 0.50, 0.0, -6.0),
        ("case 16", 1.0 / 4.0, 0.50, 45.0, -6.0),
        ("case 17", 1.0 / 6.0, 0.50, 60.0, -6.0),
        ("case 18", 1.0 / 8.0, 0.50, 67.5, -6.0),
        ("case 19", 1.0 / 4.0, 1.41, 45.0, 3.0),
    ];
    let dir = tempfile::tempdir().unwrap();
    for rate in RATES {
        let paths: Vec<_> = cases
            .iter()
            .map(|&(name, fraction, amplitude, phase_deg, _)| {
                write_stereo(
                    dir.path(),
                    &format!("{name} {rate}.wav"),
                    rate,
                    true_peak_sine(rate, fraction, amplitude, phase_deg),
                )
            })
            .collect();
        for (report, &(name, _, _, phase_deg, expected)) in measure(&paths).iter().zip(&cases) {
            let what = format!("{name} at {rate} Hz");
            assert_true_peak(&what, report, expected);
            let sample_peak = opt_f64(report, "sample_peak_dbfs").unwrap();
            let true_peak = opt_f64(report, "true_peak_dbtp").unwrap();
            assert!(sample_peak <= true_peak + 0.001, "{what}");
            if phase_deg > 0.0 {
                assert!(
                    true_peak - sample_peak > 0.5,
                    "{what}: the peak between samples is found"
                );
            }
        }
    }
}

/// Bandwidths of the two sinc factors of the true-peak pulse, cycles per
/// sample: their product is band-limited to (0.6 + 0.2)/2 = 0.4·fs (below
/// Nyquist, so its samples reconstruct it exactly) and decays as 1/t².
const PULSE_SINC_A: f64 = 0.6;
const PULSE_SINC_B: f64 = 0.2;

/// `sin(πx)/(πx)`.
fn sinc(x: f64) -> f64 {
    if x == 0.0 {
        1.0
    } else {
        (PI * x).sin() / (PI * x)
    }
}

/// A band-limited pulse `sinc(0.6·t)·sinc(0.2·t)` (t in samples) whose peak,
/// exactly 1.0 (0 dBTP), lies `offset` samples after the middle frame of a
/// [`TRUE_PEAK_FILE_S`] file. Its largest sample is `g(offset)` — lower than
/// the true peak unless `offset` is 0 — and its true peak is 1.0 by
/// construction: the reconstruction of a band-limited signal's samples is
/// the signal (the truncation to the file changes it by < 1e-8).
fn true_peak_pulse(rate: u32, offset: f64) -> Vec<f64> {
    let frames = (TRUE_PEAK_FILE_S * f64::from(rate)).round() as usize;
    let centre = (frames / 2) as f64 + offset;
    (0..frames)
        .map(|i| {
            let t = i as f64 - centre;
            sinc(PULSE_SINC_A * t) * sinc(PULSE_SINC_B * t)
        })
        .collect()
}

/// Cases 20–23: max true peak 0.0 +0.2/−0.4 dBTP for signals whose 0 dBTP
/// peak the samples miss. Table 1 expects 0.0 dBTP for four such signals;
/// not having the specification's description of them, these are a
/// band-limited pulse (0.4·fs) with its peak at 0 (20), ⅛ (21), ⅜ (22) and
/// ½ (23) of a sample after a sample: on a sample, and midway between the
/// points of a 4× oversampling detector (the worst case for one) twice.
#[test]
fn ebu3341_cases_20_to_23_true_peak_between_samples() {
    let cases = [
        ("case 20", 0.0),
        ("case 21", 0.125),
        ("case 22", 0.375),
        ("case 23", 0.5),
    ];
    let dir = tempfile::tempdir().unwrap();
    for rate in RATES {
        let signals: Vec<Vec<f64>> = cases
            .iter()
            .map(|&(_, offset)| true_peak_pulse(rate, offset))
            .collect();
        let paths: Vec<_> = cases
            .iter()
            .zip(&signals)
            .map(|(&(name, _), signal)| {
                write_stereo(
                    dir.path(),
                    &format!("{name} {rate}.wav"),
                    rate,
                    signal.clone(),
                )
            })
            .collect();
        for ((report, &(name, offset)), signal) in measure(&paths).iter().zip(&cases).zip(&signals)
        {
            let what = format!("{name} at {rate} Hz");
            assert_true_peak(&what, report, 0.0);
            // The samples really miss the peak (by 20·log10 g(offset) dB).
            let largest_sample = signal.iter().fold(0.0f64, |p, x| p.max(x.abs()));
            let miss_db = -20.0 * largest_sample.log10();
            let expected_miss_db =
                -20.0 * (sinc(PULSE_SINC_A * offset) * sinc(PULSE_SINC_B * offset)).log10();
            assert!((miss_db - expected_miss_db).abs() < 1e-6, "{what}");
            if offset > 0.0 {
                assert!(
                    miss_db > 0.05,
                    "{what}: samples {miss_db:.2} dB under the peak"
                );
            }
            let sample_peak = opt_f64(report, "sample_peak_dbfs").unwrap();
            assert!(
                (sample_peak + miss_db).abs() < 0.01,
                "{what}: sample peak {sample_peak}"
            );
        }
    }
}

// --- EBU Tech 3342: loudness range ----------------------------------------

/// Tech 3342 cases 1–4 (20 s segments): 1: −20 / −30 dBFS → LRA 10;
/// 2: −20 / −15 → 5; 3: −40 / −20 → 20; 4: −50 / −35 / −20 / −35 / −50 → 15;
/// ±1 LU.
#[test]
fn ebu3342_cases_1_to_4_loudness_range() {
    let cases: [(&str, &[f64], f64); 4] = [
        ("3342 case 1", &[-20.0, -30.0], 10.0),
        ("3342 case 2", &[-20.0, -15.0], 5.0),
        ("3342 case 3", &[-40.0, -20.0], 20.0),
        ("3342 case 4", &[-50.0, -35.0, -20.0, -35.0, -50.0], 15.0),
    ];
    let dir = tempfile::tempdir().unwrap();
    for rate in RATES {
        let paths: Vec<_> = cases
            .iter()
            .map(|(name, levels, _)| {
                let segments: Vec<Segment> =
                    levels.iter().map(|&level| (20.0, Some(level))).collect();
                write_stereo(
                    dir.path(),
                    &format!("{name} {rate}.wav"),
                    rate,
                    programme(rate, &segments),
                )
            })
            .collect();
        let reports = measure_json(&paths, &[]);
        for (report, (name, _, expected)) in reports.iter().zip(&cases) {
            assert_close(
                &format!("{name} at {rate} Hz: LRA"),
                opt_f64(report, "lra_lu"),
                Some(*expected),
                LRA_TOLERANCE_LU,
            );
        }
    }
}
