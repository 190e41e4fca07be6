//! `lathe measure --json` against independent truth: EBU Tech 3341 expected
//! values, and the `ebur128` crate run on the very samples stored in the file.

mod common;

use std::path::PathBuf;

use common::*;
use serde_json::Value;

/// Integrated, max momentary and max short-term vs `ebur128`, LU.
const LOUDNESS_TOLERANCE_LU: f64 = 0.05;
/// EBU Tech 3342 tolerance for the loudness range, LU.
const EBU_LRA_TOLERANCE_LU: f64 = 1.0;
/// True peak vs `ebur128` (different oversampling filters), dB.
const TRUE_PEAK_TOLERANCE_DB: f64 = 0.1;
/// Sample peak vs `ebur128` (same samples, so only rounding), dB.
const SAMPLE_PEAK_TOLERANCE_DB: f64 = 0.01;
/// EBU Tech 3341 Table 1 tolerance for M, S and I, LU.
const EBU_TOLERANCE_LU: f64 = 0.1;
/// PLR is reported as true peak − integrated: only JSON rounding may differ.
const PLR_CONSISTENCY_LU: f64 = 0.002;

/// How a test signal is stored.
#[derive(Debug, Clone, Copy)]
enum Container {
    Wav,
    Flac,
}

/// Writes `signal` into a temp dir as `name` in `container` and returns the path.
fn write(dir: &tempfile::TempDir, name: &str, signal: &Signal, container: Container) -> PathBuf {
    let path = dir.path().join(name);
    match container {
        Container::Wav => signal.write_wav(&path),
        Container::Flac => signal.write_flac(&path),
    }
    path
}

/// Stores `signal`, measures it with `lathe` (with `--series`) and checks every
/// reported value against `ebur128` on the same samples. Returns the JSON.
fn check_against_reference(name: &str, signal: &Signal, container: Container) -> Value {
    let dir = tempfile::tempdir().unwrap();
    let path = write(&dir, name, signal, container);
    let reports = measure_json(std::slice::from_ref(&path), &["--series"]);
    assert_eq!(reports.len(), 1);
    let report = reports.into_iter().next().unwrap();
    let expected = reference(signal);

    assert_eq!(report["file"], path.to_string_lossy().as_ref());
    assert_eq!(report["sample_rate"], signal.sample_rate);
    assert_eq!(report["channels"], signal.num_channels());
    let duration_s = opt_f64(&report, "duration_s").unwrap();
    assert!(
        (duration_s - signal.duration_s()).abs() < 1e-6,
        "duration {duration_s}"
    );

    let loudness_fields = [
        ("integrated_lufs", expected.integrated_lufs),
        ("max_momentary_lufs", expected.max_momentary_lufs),
        ("max_short_term_lufs", expected.max_short_term_lufs),
    ];
    for (key, value) in loudness_fields {
        assert_close(key, opt_f64(&report, key), value, LOUDNESS_TOLERANCE_LU);
    }
    // LRA is only checked for being defined: libebur128 takes its short-term
    // values at 1 s intervals, lathe at every 100 ms step, and on signals of a
    // few seconds the percentiles then differ by more than any useful
    // tolerance. The EBU Tech 3342 cases below check its value.
    assert_eq!(
        report["lra_lu"].is_null(),
        expected.lra_lu.is_none(),
        "lra_lu: lathe {}, reference {:?}",
        report["lra_lu"],
        expected.lra_lu
    );
    assert_close(
        "true_peak_dbtp",
        opt_f64(&report, "true_peak_dbtp"),
        expected.true_peak_dbtp,
        TRUE_PEAK_TOLERANCE_DB,
    );
    assert_close(
        "sample_peak_dbfs",
        opt_f64(&report, "sample_peak_dbfs"),
        expected.sample_peak_dbfs,
        SAMPLE_PEAK_TOLERANCE_DB,
    );
    let expected_plr = opt_f64(&report, "true_peak_dbtp")
        .zip(opt_f64(&report, "integrated_lufs"))
        .map(|(tp, i)| tp - i);
    assert_close(
        "plr_lu",
        opt_f64(&report, "plr_lu"),
        expected_plr,
        PLR_CONSISTENCY_LU,
    );

    check_series("momentary_series", &report, &expected.momentary_series);
    check_series("short_term_series", &report, &expected.short_term_series);
    report
}

/// Checks a `[[t_end_s, lufs], ...]` series point by point against the reference.
fn check_series(key: &str, report: &Value, expected: &[(f64, Option<f64>)]) {
    let series = report[key]
        .as_array()
        .unwrap_or_else(|| panic!("{key} missing"));
    assert_eq!(series.len(), expected.len(), "{key} length");
    for (point, &(t_expected, lufs_expected)) in series.iter().zip(expected) {
        let pair = point.as_array().expect("series point is an array");
        assert_eq!(pair.len(), 2, "{key} point {point}");
        let t_end_s = pair[0].as_f64().expect("t_end_s is a number");
        assert!(
            (t_end_s - t_expected).abs() < 1e-6,
            "{key}: t_end {t_end_s}, expected {t_expected}"
        );
        let lufs = if pair[1].is_null() {
            None
        } else {
            Some(pair[1].as_f64().expect("lufs is a number or null"))
        };
        assert_close(
            &format!("{key} at {t_end_s} s"),
            lufs,
            lufs_expected,
            LOUDNESS_TOLERANCE_LU,
        );
    }
}

/// A stereo signal with `left` and `right` planar channels.
fn stereo(rate: u32, format: SampleFormat, left: Vec<f64>, right: Vec<f64>) -> Signal {
    Signal::new(rate, format, vec![left, right])
}

// --- EBU Tech 3341 Table 1 ------------------------------------------------

/// Case 1: stereo 1 kHz sine at −23 dBFS for 20 s → M, S, I = −23.0 ±0.1 LUFS.
#[test]
fn ebu3341_case1_sine_minus_23_dbfs_wav24_48k() {
    const RATE: u32 = 48_000;
    let tone = sine(RATE, 1_000.0, -23.0, 20.0);
    let signal = stereo(RATE, SampleFormat::Int24, tone.clone(), tone);
    let report = check_against_reference("case1.wav", &signal, Container::Wav);
    for key in [
        "integrated_lufs",
        "max_momentary_lufs",
        "max_short_term_lufs",
    ] {
        assert_close(key, opt_f64(&report, key), Some(-23.0), EBU_TOLERANCE_LU);
    }
}

/// Case 2: stereo 1 kHz sine at −33 dBFS for 20 s → −33.0 ±0.1 LUFS (FLAC, 16-bit, 44.1 kHz).
/// 20 s is not a whole number of `flacenc`'s 4096-frame blocks and it pads the
/// last frame, so this also checks that the length in STREAMINFO is honoured.
#[test]
fn ebu3341_case2_sine_minus_33_dbfs_flac16_44k1() {
    const RATE: u32 = 44_100;
    let tone = sine(RATE, 1_000.0, -33.0, 20.0);
    let signal = stereo(RATE, SampleFormat::Int16, tone.clone(), tone);
    let report = check_against_reference("case2.flac", &signal, Container::Flac);
    for key in [
        "integrated_lufs",
        "max_momentary_lufs",
        "max_short_term_lufs",
    ] {
        assert_close(key, opt_f64(&report, key), Some(-33.0), EBU_TOLERANCE_LU);
    }
}

/// Case 3 shortened (2 s / 20 s / 2 s instead of 10 s / 60 s / 10 s):
/// −36 / −23 / −36 dBFS; the relative gate drops the quiet parts, so I is
/// −23.0 ±0.1 (float WAV, 96 kHz). The six 400 ms blocks straddling the level
/// changes pass the gate and pull I down by ≈ 0.06 LU at this length
/// (≈ 0.02 LU in the full-length case), still inside the tolerance.
#[test]
fn ebu3341_gated_bursts_float32_96k() {
    const RATE: u32 = 96_000;
    let tone = sine(RATE, 1_000.0, -36.0, 2.0)
        .into_iter()
        .chain(sine(RATE, 1_000.0, -23.0, 20.0))
        .chain(sine(RATE, 1_000.0, -36.0, 2.0))
        .collect::<Vec<f64>>();
    let signal = stereo(RATE, SampleFormat::Float32, tone.clone(), tone);
    let report = check_against_reference("case3.wav", &signal, Container::Wav);
    assert_close(
        "integrated_lufs",
        opt_f64(&report, "integrated_lufs"),
        Some(-23.0),
        EBU_TOLERANCE_LU,
    );
}

// --- EBU Tech 3342 (loudness range), segments shortened from 20 s to 10 s --
//
// Two 1 kHz stereo sine segments; with 10 s each, the 10th and 95th
// percentiles still fall on the two plateaus, so LRA is the level difference.

/// Checks the LRA of a stereo sine at `first_dbfs` then `second_dbfs`.
fn check_ebu3342_case(name: &str, first_dbfs: f64, second_dbfs: f64, expected_lra_lu: f64) {
    const RATE: u32 = 48_000;
    const SEGMENT_S: f64 = 10.0;
    let tone = bursts(RATE, 1_000.0, &[first_dbfs, second_dbfs], SEGMENT_S);
    let signal = stereo(RATE, SampleFormat::Int24, tone.clone(), tone);
    let report = check_against_reference(name, &signal, Container::Wav);
    assert_close(
        "lra_lu",
        opt_f64(&report, "lra_lu"),
        Some(expected_lra_lu),
        EBU_LRA_TOLERANCE_LU,
    );
}

#[test]
fn ebu3342_case1_minus_20_then_minus_30_gives_lra_10() {
    check_ebu3342_case("lra1.wav", -20.0, -30.0, 10.0);
}

#[test]
fn ebu3342_case2_minus_20_then_minus_15_gives_lra_5() {
    check_ebu3342_case("lra2.wav", -20.0, -15.0, 5.0);
}

#[test]
fn ebu3342_case3_minus_40_then_minus_20_gives_lra_20() {
    check_ebu3342_case("lra3.wav", -40.0, -20.0, 20.0);
}

// --- Formats, rates and channel counts vs ebur128 ------------------------
//
// Noise is low-passed: near Nyquist, libebur128's short true-peak
// interpolator reads lower than an ideal one (see
// `full_band_noise_true_peak_vs_ideal_interpolation`).

/// Corner of the test noise's low-pass, Hz.
const NOISE_CUTOFF_HZ: f64 = 4_000.0;
/// Number of one-pole sections in the test noise's low-pass.
const NOISE_LOWPASS_ORDER: usize = 4;

/// Seeded noise low-passed at [`NOISE_CUTOFF_HZ`].
fn soft_noise(rate: u32, peak_dbfs: f64, duration_s: f64, seed: u64) -> Vec<f64> {
    lowpass(
        &noise(rate, peak_dbfs, duration_s, seed),
        rate,
        NOISE_CUTOFF_HZ,
        NOISE_LOWPASS_ORDER,
    )
}

#[test]
fn mono_noise_wav16_44k1() {
    const RATE: u32 = 44_100;
    let signal = Signal::new(
        RATE,
        SampleFormat::Int16,
        vec![soft_noise(RATE, -6.0, 8.0, 1)],
    );
    check_against_reference("noise.wav", &signal, Container::Wav);
}

#[test]
fn stereo_noise_wav24_44k1() {
    const RATE: u32 = 44_100;
    let signal = stereo(
        RATE,
        SampleFormat::Int24,
        soft_noise(RATE, -3.0, 6.0, 2),
        soft_noise(RATE, -15.0, 6.0, 3),
    );
    check_against_reference("noise24.wav", &signal, Container::Wav);
}

/// Bursts of different levels in each channel, giving a non-trivial LRA.
#[test]
fn stereo_tone_bursts_wav16_48k() {
    const RATE: u32 = 48_000;
    let levels = [-20.0, -30.0, -14.0, -40.0, -24.0, -18.0];
    let signal = stereo(
        RATE,
        SampleFormat::Int16,
        bursts(RATE, 1_000.0, &levels, 2.0),
        bursts(RATE, 3_000.0, &levels, 2.0),
    );
    let report = check_against_reference("bursts.wav", &signal, Container::Wav);
    assert!(
        opt_f64(&report, "lra_lu").unwrap() > 1.0,
        "bursts have a range"
    );
}

#[test]
fn stereo_sine_near_full_scale_float32_44k1() {
    // A high-frequency sine whose inter-sample peaks exceed its sample peak.
    const RATE: u32 = 44_100;
    let tone = sine(RATE, 11_025.0 * 0.97, -0.5, 5.0);
    let signal = stereo(RATE, SampleFormat::Float32, tone.clone(), tone);
    check_against_reference("hot.wav", &signal, Container::Wav);
}

#[test]
fn mono_bursts_flac24_48k() {
    const RATE: u32 = 48_000;
    let levels = [-18.0, -28.0, -12.0, -22.0];
    let signal = Signal::new(
        RATE,
        SampleFormat::Int24,
        vec![bursts(RATE, 500.0, &levels, 2.5)],
    );
    check_against_reference("bursts.flac", &signal, Container::Flac);
}

#[test]
fn stereo_noise_flac16_96k() {
    const RATE: u32 = 96_000;
    let signal = stereo(
        RATE,
        SampleFormat::Int16,
        soft_noise(RATE, -6.0, 5.0, 4),
        soft_noise(RATE, -6.0, 5.0, 5),
    );
    check_against_reference("noise96.flac", &signal, Container::Flac);
}

/// Full-band white noise: lathe's true peak against an ideal (long sinc, 16×)
/// reconstruction. At 4× oversampling (BS.1770-4 Annex 2) a peak can fall
/// between the oversampled points, so a meter may read low by up to
/// −20·log10(cos(π/8)) ≈ 0.69 dB, and more where its interpolator rolls off
/// just below Nyquist; it must never read high beyond filter ripple.
/// (Uniform noise at −6 dBFS reconstructs to ≈ +0.2 dBTP; libebur128 reads
/// ≈ 1.9 dB under that, which is why the `ebur128` comparisons use
/// low-passed noise.)
#[test]
fn full_band_noise_true_peak_vs_ideal_interpolation() {
    const RATE: u32 = 44_100;
    /// Largest under-read allowed: the 0.69 dB of 4× sampling plus some
    /// interpolator roll-off near Nyquist, dB.
    const MAX_UNDER_READ_DB: f64 = 1.0;
    /// Largest over-read allowed (interpolator ripple), dB.
    const MAX_OVER_READ_DB: f64 = 0.1;
    let dir = tempfile::tempdir().unwrap();
    let signal = Signal::new(
        RATE,
        SampleFormat::Float32,
        vec![noise(RATE, -6.0, 3.0, 11)],
    );
    let path = write(&dir, "white.wav", &signal, Container::Wav);
    let report = &measure_json(&[path], &[])[0];
    let lathe = opt_f64(report, "true_peak_dbtp").unwrap();
    let sample_peak = opt_f64(report, "sample_peak_dbfs").unwrap();
    let ideal = ideal_true_peak_dbtp(&signal.channels).unwrap();
    assert!(
        lathe >= sample_peak,
        "true peak {lathe} < sample peak {sample_peak}"
    );
    assert!(
        lathe >= ideal - MAX_UNDER_READ_DB && lathe <= ideal + MAX_OVER_READ_DB,
        "true peak: lathe {lathe:.3} dBTP, ideal {ideal:.3} dBTP"
    );
}

/// EBU Tech 3341 cases 15–18 style: −6 dBFS sines at fs/4, fs/6 and fs/8
/// sampled so that no sample hits the crest. The true peak is the sine's
/// amplitude, −6.0 dBTP, within the Tech 3341 tolerance of +0.2 / −0.4 dB.
#[test]
fn true_peak_of_sines_between_samples() {
    const RATE: u32 = 48_000;
    const PEAK_DBFS: f64 = -6.0;
    const TOLERANCE_HIGH_DB: f64 = 0.2;
    const TOLERANCE_LOW_DB: f64 = 0.4;
    const FADE_S: f64 = 0.1;
    // (samples per cycle, phase of the first sample in degrees)
    let cases = [(4.0, 0.0), (4.0, 45.0), (6.0, 60.0), (8.0, 67.5)];
    // Raised-cosine fades at both ends: an abrupt start at a non-zero
    // sample would make any band-limited reconstruction overshoot.
    let fade_frames = (FADE_S * f64::from(RATE)) as usize;
    let fade = |i: usize| {
        let edge = i.min(RATE as usize - 1 - i);
        if edge >= fade_frames {
            1.0
        } else {
            0.5 - 0.5 * (std::f64::consts::PI * edge as f64 / fade_frames as f64).cos()
        }
    };
    let dir = tempfile::tempdir().unwrap();
    let mut paths = Vec::new();
    for (k, &(samples_per_cycle, phase_deg)) in cases.iter().enumerate() {
        let amplitude = db_to_amplitude(PEAK_DBFS);
        let tone: Vec<f64> = (0..RATE as usize) // 1 s
            .map(|i| {
                let cycles = i as f64 / samples_per_cycle + phase_deg / 360.0;
                amplitude * fade(i) * (std::f64::consts::TAU * cycles).sin()
            })
            .collect();
        let signal = stereo(RATE, SampleFormat::Float32, tone.clone(), tone);
        paths.push(write(&dir, &format!("tp{k}.wav"), &signal, Container::Wav));
    }
    let reports = measure_json(&paths, &[]);
    for (report, case) in reports.iter().zip(&cases) {
        let true_peak = opt_f64(report, "true_peak_dbtp").unwrap();
        assert!(
            (PEAK_DBFS - TOLERANCE_LOW_DB..=PEAK_DBFS + TOLERANCE_HIGH_DB).contains(&true_peak),
            "{case:?}: true peak {true_peak} dBTP, expected {PEAK_DBFS}"
        );
    }
}

/// A length that does not end on a step: the tail still counts for peaks and
/// duration, and the series stops at the last full step.
#[test]
fn partial_last_step_wav24_48k() {
    const RATE: u32 = 48_000;
    let mut tone = sine(RATE, 1_000.0, -20.0, 4.0);
    tone.extend(sine(RATE, 1_000.0, -3.0, 0.037));
    let signal = Signal::new(RATE, SampleFormat::Int24, vec![tone]);
    let report = check_against_reference("tail.wav", &signal, Container::Wav);
    let series = report["momentary_series"].as_array().unwrap();
    let last_t = series.last().unwrap()[0].as_f64().unwrap();
    assert!(
        (last_t - 4.0).abs() < 1e-6,
        "last step ends at 4.0 s, got {last_t}"
    );
    assert_close(
        "sample_peak_dbfs",
        opt_f64(&report, "sample_peak_dbfs"),
        Some(-3.0),
        SAMPLE_PEAK_TOLERANCE_DB,
    );
}

// --- Silence and series shape ---------------------------------------------

#[test]
fn silence_gives_nulls() {
    const RATE: u32 = 48_000;
    let signal = stereo(
        RATE,
        SampleFormat::Int16,
        silence(RATE, 4.0),
        silence(RATE, 4.0),
    );
    let report = check_against_reference("silence.wav", &signal, Container::Wav);
    for key in [
        "integrated_lufs",
        "max_momentary_lufs",
        "max_short_term_lufs",
        "lra_lu",
        "true_peak_dbtp",
        "sample_peak_dbfs",
        "plr_lu",
    ] {
        assert!(
            report[key].is_null(),
            "{key} should be null: {}",
            report[key]
        );
    }
    // Steps are still reported, with undefined loudness.
    let momentary = report["momentary_series"].as_array().unwrap();
    assert_eq!(momentary.len(), 40 - MOMENTARY_WINDOW_STEPS + 1);
    assert!(momentary.iter().all(|p| p[1].is_null()));
    let json = serde_json::to_string(&report).unwrap();
    assert!(!json.contains("inf") && !json.contains("NaN"), "{json}");
}

#[test]
fn series_shape_and_timestamps() {
    const RATE: u32 = 44_100;
    const DURATION_S: f64 = 5.0;
    let signal = stereo(
        RATE,
        SampleFormat::Int16,
        soft_noise(RATE, -20.0, DURATION_S, 6),
        soft_noise(RATE, -20.0, DURATION_S, 7),
    );
    let report = check_against_reference("series.wav", &signal, Container::Wav);
    let steps = (DURATION_S / STEP_S).round() as usize;
    for (key, window_steps) in [
        ("momentary_series", MOMENTARY_WINDOW_STEPS),
        ("short_term_series", SHORT_TERM_WINDOW_STEPS),
    ] {
        let series = report[key].as_array().unwrap();
        assert_eq!(series.len(), steps - window_steps + 1, "{key} length");
        for (k, point) in series.iter().enumerate() {
            let t_end_s = point[0].as_f64().unwrap();
            let step = (t_end_s / STEP_S).round();
            assert!((t_end_s - step * STEP_S).abs() < 1e-6, "{key}: {t_end_s}");
            assert_eq!(step as usize, window_steps + k, "{key}: consecutive steps");
            assert!(point[1].is_number(), "{key}: noise is never undefined");
        }
    }
}

#[test]
fn series_absent_without_flag() {
    const RATE: u32 = 48_000;
    let dir = tempfile::tempdir().unwrap();
    let signal = Signal::new(
        RATE,
        SampleFormat::Int16,
        vec![sine(RATE, 1_000.0, -20.0, 1.0)],
    );
    let path = write(&dir, "plain.wav", &signal, Container::Wav);
    let report = &measure_json(&[path], &[])[0];
    let object = report.as_object().unwrap();
    assert!(!object.contains_key("momentary_series"));
    assert!(!object.contains_key("short_term_series"));
    let keys: Vec<&str> = object.keys().map(String::as_str).collect();
    for key in [
        "file",
        "sample_rate",
        "channels",
        "duration_s",
        "integrated_lufs",
        "max_momentary_lufs",
        "max_short_term_lufs",
        "lra_lu",
        "true_peak_dbtp",
        "sample_peak_dbfs",
        "plr_lu",
    ] {
        assert!(keys.contains(&key), "missing {key} in {keys:?}");
    }
}

#[test]
fn mono_fold_down_loss_and_correlation_keys_report_stereo_compatibility() {
    // Fold-down (L+R)/2 on both channels: identical channels fold to
    // themselves (0 LU), independent equal-power noise loses half its power
    // (3.01 LU), inverted channels collapse (no finite loss).
    let dir = tempfile::tempdir().unwrap();
    let rate = 48_000;
    let a = noise(rate, -12.0, 6.0, 21);
    let b = noise(rate, -12.0, 6.0, 22);
    let inverted: Vec<f64> = a.iter().map(|x| -x).collect();
    let cases = [
        (
            "identical.wav",
            vec![a.clone(), a.clone()],
            Some(0.0),
            false,
            Some(1.0),
        ),
        (
            "independent.wav",
            vec![a.clone(), b],
            Some(3.01),
            false,
            Some(0.0),
        ),
        (
            "inverted.wav",
            vec![a.clone(), inverted],
            None,
            true,
            Some(-1.0),
        ),
    ];
    for (name, planar, loss, collapses, correlation) in cases {
        let signal = Signal::new(rate, SampleFormat::Float32, planar);
        let path = write(&dir, name, &signal, Container::Wav);
        let report = &measure_json(&[path], &[])[0];
        assert_close(
            &format!("{name} mono_loss_lu"),
            opt_f64(report, "mono_loss_lu"),
            loss,
            0.1,
        );
        assert_eq!(
            report["mono_collapses"].as_bool(),
            Some(collapses),
            "{name}"
        );
        assert_close(
            &format!("{name} correlation"),
            opt_f64(report, "correlation"),
            correlation,
            0.03,
        );
    }
    // A mono file has no stereo image to check.
    let mono = Signal::new(rate, SampleFormat::Float32, vec![a]);
    let path = write(&dir, "mono.wav", &mono, Container::Wav);
    let report = &measure_json(&[path], &[])[0];
    for key in ["mono_loss_lu", "mono_collapses", "correlation"] {
        assert!(report[key].is_null(), "mono file: {key} = {}", report[key]);
    }
}

/// `--series-step-ms 10`: the momentary series on the meter's 10 ms grid. A
/// 0.4 s burst that starts 1.23 s in (not on the 100 ms grid) reads its
/// level, −23.0 ± 0.1 LUFS (EBU Tech 3341 case 1's stereo −23 dBFS sine), in
/// the row of the window that holds it all (ending at 1.63 s), where the
/// 100 ms series holds at most 0.37 s of it. Thinner spacings take every n-th
/// point of their grid.
#[test]
fn fine_series_catches_a_burst_between_steps() {
    const RATE: u32 = 48_000;
    const BURST_START_S: f64 = 1.23;
    const BURST_S: f64 = 0.4;
    const DURATION_S: f64 = 4.0;
    let mut tone = silence(RATE, BURST_START_S);
    tone.extend(sine(RATE, 1_000.0, -23.0, BURST_S));
    tone.extend(silence(RATE, DURATION_S - BURST_START_S - BURST_S));
    let signal = stereo(RATE, SampleFormat::Int24, tone.clone(), tone);
    let dir = tempfile::tempdir().unwrap();
    let path = write(&dir, "burst.wav", &signal, Container::Wav);
    let points = |report: &Value, key: &str| -> Vec<(f64, Option<f64>)> {
        report[key]
            .as_array()
            .unwrap_or_else(|| panic!("{key} missing"))
            .iter()
            .map(|p| (p[0].as_f64().unwrap(), p[1].as_f64()))
            .collect()
    };
    let fine = &measure_json(
        std::slice::from_ref(&path),
        &["--series", "--series-step-ms", "10"],
    )[0];
    let momentary = points(fine, "momentary_series");
    // One row per 10 ms from the first full 400 ms window on.
    let hops = (DURATION_S / 0.01).round() as usize;
    assert_eq!(momentary.len(), hops - 40 + 1);
    for (k, &(t_end_s, _)) in momentary.iter().enumerate() {
        assert!(
            (t_end_s - (0.4 + 0.01 * k as f64)).abs() < 1e-6,
            "row {k}: {t_end_s}"
        );
    }
    let burst_end_s = BURST_START_S + BURST_S;
    let (_, row) = momentary
        .iter()
        .find(|(t, _)| (t - burst_end_s).abs() < 1e-6)
        .expect("a row ending with the burst");
    let row = row.expect("defined");
    assert!(
        (row + 23.0).abs() <= EBU_TOLERANCE_LU,
        "M at {burst_end_s} s: {row}"
    );
    let fine_max = momentary
        .iter()
        .filter_map(|p| p.1)
        .fold(f64::MIN, f64::max);
    assert_close(
        "max of the fine series",
        Some(fine_max),
        opt_f64(fine, "max_momentary_lufs"),
        0.0015,
    );
    // The short-term series stays on its 100 ms steps.
    let short_term = points(fine, "short_term_series");
    assert_eq!(
        short_term.len(),
        (DURATION_S / STEP_S).round() as usize - SHORT_TERM_WINDOW_STEPS + 1
    );

    // The default (and an explicit 100) is the 100 ms step series, which misses
    // part of the burst in every window: it could not pass the check above.
    let coarse = &measure_json(std::slice::from_ref(&path), &["--series"])[0];
    let explicit = &measure_json(
        std::slice::from_ref(&path),
        &["--series", "--series-step-ms", "100"],
    )[0];
    assert_eq!(coarse["momentary_series"], explicit["momentary_series"]);
    assert_eq!(coarse["short_term_series"], explicit["short_term_series"]);
    let coarse_max = points(coarse, "momentary_series")
        .iter()
        .filter_map(|p| p.1)
        .fold(f64::MIN, f64::max);
    assert!(
        coarse_max < -23.0 - 2.0 * EBU_TOLERANCE_LU,
        "100 ms series max {coarse_max}"
    );

    // Thinned: every 5th fine row (50 ms), every 3rd step (300 ms).
    let thin = &measure_json(
        std::slice::from_ref(&path),
        &["--series", "--series-step-ms", "50"],
    )[0];
    let every_fifth: Vec<_> = momentary
        .iter()
        .filter(|(t, _)| ((t / 0.05).round() * 0.05 - t).abs() < 1e-6)
        .copied()
        .collect();
    assert_eq!(points(thin, "momentary_series"), every_fifth);
    let steps = &measure_json(
        std::slice::from_ref(&path),
        &["--series", "--series-step-ms", "300"],
    )[0];
    for key in ["momentary_series", "short_term_series"] {
        let every_third: Vec<_> = points(coarse, key)
            .into_iter()
            .filter(|(t, _)| ((t / 0.3).round() * 0.3 - t).abs() < 1e-6)
            .collect();
        assert_eq!(points(steps, key), every_third, "{key}");
    }
    // Spacings off the grid are refused.
    for bad in ["0", "15", "3010", "x"] {
        let output = run_lathe([
            "measure",
            "--json",
            "--series",
            "--series-step-ms",
            bad,
            path.to_str().unwrap(),
        ]);
        assert_eq!(output.status.code(), Some(2), "--series-step-ms {bad}");
    }
}
