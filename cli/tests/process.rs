//! `lathe process` through the built binary, against truths that do not come
//! from lathe: identities the processors promise (width 100 % and the meter
//! are bit-transparent; every default set explicitly changes nothing), exact
//! gains, the order of a chain shown by where a limiter sits, latency
//! removed (an impulse stays where it was), block-size independence, and the
//! safety rules shared with `lathe master`. Files are read back with `hound`.

mod common;

use std::path::{Path, PathBuf};

use common::*;
use serde_json::Value;

/// Exit status of `lathe` when a file failed.
const EXIT_FILE_FAILED: i32 = 1;
/// Exit status of usage errors (bad IDs and values are caught before any
/// audio is read).
const EXIT_USAGE: i32 = 2;
/// Every processor `lathe process` knows.
const PLUGINS: [&str; 5] = [
    "channel-strip",
    "bus-glue",
    "stereo-imager",
    "maximizer",
    "loudness-meter",
];
/// Sample rate of the test files, Hz.
const RATE: u32 = 48_000;
/// Settling time of the parameter smoothers allowed before comparing gains,
/// s (the suite's ramps are 50 ms at most).
const SETTLE_S: f64 = 0.1;

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A 2 s stereo music-like float file at −6 dBFS peak in `dir`.
fn music_file(dir: &Path) -> PathBuf {
    let path = dir.join("music.wav");
    Signal::new(
        RATE,
        SampleFormat::Float32,
        music_like(RATE, 2, 2.0, 0.5, -6.0, 11),
    )
    .write_wav(&path);
    path
}

/// Runs `lathe process IN -o OUT ARGS` and returns the output.
fn process(input: &Path, output: &Path, args: &[&str]) -> std::process::Output {
    let mut all: Vec<std::ffi::OsString> =
        vec!["process".into(), input.into(), "-o".into(), output.into()];
    all.extend(args.iter().map(Into::into));
    run_lathe(all)
}

/// Runs `process` and asserts it succeeded; returns the samples written.
fn process_ok(input: &Path, output: &Path, args: &[&str]) -> Vec<Vec<f32>> {
    let result = process(input, output, args);
    assert!(
        result.status.success(),
        "lathe process {args:?} failed: {}",
        text(&result.stderr)
    );
    planar_f32(output)
}

/// The float samples of a WAV, planar, read with `hound`.
fn planar_f32(path: &Path) -> Vec<Vec<f32>> {
    let (signal, spec) = read_wav(path);
    assert_eq!(
        spec.sample_format,
        hound::SampleFormat::Float,
        "expected float output"
    );
    signal.channels.clone()
}

fn bits(channels: &[Vec<f32>]) -> Vec<Vec<u32>> {
    channels
        .iter()
        .map(|c| c.iter().map(|s| s.to_bits()).collect())
        .collect()
}

fn peak_dbfs(channels: &[Vec<f32>]) -> f64 {
    let peak = channels
        .iter()
        .flatten()
        .fold(0.0f32, |m, s| m.max(s.abs()));
    20.0 * f64::from(peak).log10()
}

/// The parameter list of `plugin` as `--list --json` prints it.
fn parameter_list(plugin: &str) -> Vec<Value> {
    let result = run_lathe(["process", "--list", "--json", "--plugin", plugin]);
    assert!(result.status.success(), "{}", text(&result.stderr));
    let lines = parse_json_lines(&result.stdout);
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0]["plugin"], plugin);
    lines[0]["parameters"]
        .as_array()
        .expect("parameters")
        .clone()
}

#[test]
fn the_neutral_imager_and_the_meter_give_back_the_input_bit_for_bit() {
    let dir = tempfile::tempdir().unwrap();
    let input = music_file(dir.path());
    let original = bits(&planar_f32(&input));
    for plugin in ["stereo-imager", "loudness-meter"] {
        let out = dir.path().join(format!("{plugin}.wav"));
        let processed = process_ok(&input, &out, &["--plugin", plugin]);
        assert_eq!(
            bits(&processed),
            original,
            "{plugin} at its defaults changed the audio"
        );
    }
}

#[test]
fn every_listed_default_set_explicitly_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let input = music_file(dir.path());
    for plugin in PLUGINS {
        let params = parameter_list(plugin);
        assert!(!params.is_empty(), "{plugin}: no parameters listed");
        let sets: Vec<String> = params
            .iter()
            .map(|p| {
                format!(
                    "{}={}",
                    p["id"].as_str().unwrap(),
                    p["default"].as_str().unwrap()
                )
            })
            .collect();
        let mut args = vec!["--plugin", plugin];
        for set in &sets {
            args.extend(["--set", set.as_str()]);
        }
        let plain = process_ok(
            &input,
            &dir.path().join(format!("{plugin}-plain.wav")),
            &["--plugin", plugin],
        );
        let explicit = process_ok(
            &input,
            &dir.path().join(format!("{plugin}-explicit.wav")),
            &args,
        );
        assert_eq!(
            bits(&plain),
            bits(&explicit),
            "{plugin}: setting every default explicitly changed the output"
        );
    }
}

#[test]
fn trim_and_output_gains_are_the_decibels_they_say() {
    let dir = tempfile::tempdir().unwrap();
    let input = music_file(dir.path());
    let original = planar_f32(&input);
    let out = dir.path().join("gain.wav");
    let processed = process_ok(
        &input,
        &out,
        &[
            "--plugin",
            "channel-strip",
            "--set",
            "trim=6",
            "--set",
            "out=-3",
        ],
    );
    let gain = db_to_amplitude(3.0);
    let settle = (SETTLE_S * f64::from(RATE)) as usize;
    for (dry, wet) in original.iter().zip(&processed) {
        assert_eq!(dry.len(), wet.len());
        for (n, (x, y)) in dry.iter().zip(wet).enumerate().skip(settle) {
            let expected = f64::from(*x) * gain;
            assert!(
                (f64::from(*y) - expected).abs() <= 1e-5 * expected.abs().max(1e-3),
                "frame {n}: {y} where {x} × +3 dB = {expected}"
            );
        }
    }
}

#[test]
fn a_chain_runs_in_the_order_given() {
    let dir = tempfile::tempdir().unwrap();
    let input = music_file(dir.path());
    let ceiling = -1.0;
    let ceiling_set = format!("ceiling={ceiling}");
    // +12 dB, then the limiter: held under the ceiling.
    let limited_last = process_ok(
        &input,
        &dir.path().join("a.wav"),
        &[
            "--plugin",
            "channel-strip",
            "--set",
            "trim=12",
            "--plugin",
            "maximizer",
            "--set",
            &ceiling_set,
        ],
    );
    // The limiter (nothing to do at −6 dBFS), then +12 dB: far over it.
    let limited_first = process_ok(
        &input,
        &dir.path().join("b.wav"),
        &[
            "--plugin",
            "maximizer",
            "--set",
            &ceiling_set,
            "--plugin",
            "channel-strip",
            "--set",
            "trim=12",
        ],
    );
    let input_peak = peak_dbfs(&planar_f32(&input));
    assert!(
        peak_dbfs(&limited_last) <= ceiling + 1e-3,
        "limiter last: {:.3} dBFS",
        peak_dbfs(&limited_last)
    );
    assert!(
        (peak_dbfs(&limited_first) - (input_peak + 12.0)).abs() < 0.1,
        "limiter first: {:.3} dBFS, input {input_peak:.3} + 12",
        peak_dbfs(&limited_first)
    );
}

#[test]
fn latency_is_removed_and_the_length_kept() {
    let dir = tempfile::tempdir().unwrap();
    let frames = RATE as usize;
    let at = 10_007;
    let amplitude = db_to_amplitude(-20.0);
    let mut impulse = vec![0.0; frames];
    impulse[at] = amplitude;
    let input = dir.path().join("impulse.wav");
    Signal::new(RATE, SampleFormat::Float32, vec![impulse.clone(), impulse]).write_wav(&input);
    let out = dir.path().join("out.wav");
    let result = process(
        &input,
        &out,
        &["--json", "--plugin", "maximizer", "--set", "lookahead=5"],
    );
    assert!(result.status.success(), "{}", text(&result.stderr));
    let report = &parse_json_lines(&result.stdout)[0];
    let latency = report["latency_samples"].as_u64().expect("latency_samples");
    assert!(
        latency >= (0.005 * f64::from(RATE)) as u64,
        "5 ms look-ahead reported as {latency} samples"
    );
    for channel in planar_f32(&out) {
        assert_eq!(channel.len(), frames, "length changed");
        let (peak_at, peak) = channel
            .iter()
            .enumerate()
            .fold(
                (0, 0.0f32),
                |(i, m), (n, s)| if s.abs() > m { (n, s.abs()) } else { (i, m) },
            );
        assert_eq!(
            peak_at,
            at,
            "impulse moved by {} frames",
            peak_at as i64 - at as i64
        );
        assert!(
            (20.0 * (f64::from(peak) / amplitude).log10()).abs() < 0.01,
            "impulse level changed: {peak}"
        );
    }
}

#[test]
fn block_size_does_not_change_a_chain() {
    let dir = tempfile::tempdir().unwrap();
    let input = music_file(dir.path());
    let chain = [
        "--plugin",
        "channel-strip",
        "--set",
        "comp_on=on",
        "--set",
        "eq_on_3=on",
        "--set",
        "eq_gain_3=4",
        "--plugin",
        "stereo-imager",
        "--set",
        "width=130",
        "--plugin",
        "maximizer",
        "--set",
        "input_gain=6",
        "--set",
        "ceiling=-1",
    ];
    let mut outputs = Vec::new();
    for block in ["1", "64", "8192"] {
        let mut args = vec!["--block", block];
        args.extend(chain);
        outputs.push(process_ok(
            &input,
            &dir.path().join(format!("b{block}.wav")),
            &args,
        ));
    }
    for other in &outputs[1..] {
        for (a, b) in outputs[0].iter().zip(other) {
            let worst = a
                .iter()
                .zip(b)
                .map(|(x, y)| (x - y).abs())
                .fold(0.0f32, f32::max);
            assert!(worst <= 1e-6, "block sizes disagree by {worst}");
        }
    }
}

#[test]
fn bad_ids_and_values_are_refused_before_any_audio_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let input = music_file(dir.path());
    let out = dir.path().join("out.wav");
    let cases: [(&[&str], &str); 5] = [
        (
            &["--plugin", "bus-glue", "--set", "nope=1"],
            "its parameters are: threshold, ratio",
        ),
        (
            &["--plugin", "bus-glue", "--set", "ratio=50"],
            "it takes 1 ..= 20",
        ),
        (
            &["--plugin", "bus-glue", "--set", "ratio=fast"],
            "is not a value of ratio",
        ),
        (
            &["--plugin", "maximizer", "--set", "oversampling=3x"],
            "is not a value of oversampling",
        ),
        (
            &["--set", "width=120", "--plugin", "stereo-imager"],
            "comes before any --plugin",
        ),
    ];
    for (args, expected) in cases {
        let result = process(&input, &out, args);
        assert_eq!(result.status.code(), Some(EXIT_USAGE), "{args:?}");
        let stderr = text(&result.stderr);
        assert!(stderr.contains(expected), "{args:?}: {stderr}");
        assert!(!out.exists(), "{args:?} left an output");
    }
    let unknown = process(&input, &out, &["--plugin", "reverb"]);
    assert_eq!(unknown.status.code(), Some(EXIT_USAGE));
    assert!(
        text(&unknown.stderr).contains("channel-strip"),
        "the valid plugins are not listed"
    );
}

#[test]
fn never_overwrites_its_input_or_an_existing_file_without_force() {
    let dir = tempfile::tempdir().unwrap();
    let input = music_file(dir.path());
    let original = std::fs::read(&input).unwrap();
    let same = process(&input, &input, &["--force", "--plugin", "stereo-imager"]);
    assert_eq!(same.status.code(), Some(EXIT_FILE_FAILED));
    assert!(
        text(&same.stderr).contains("refusing to overwrite the input"),
        "{}",
        text(&same.stderr)
    );
    assert_eq!(std::fs::read(&input).unwrap(), original);

    let out = dir.path().join("out.wav");
    std::fs::write(&out, b"precious").unwrap();
    let refused = process(&input, &out, &["--plugin", "stereo-imager"]);
    assert_eq!(refused.status.code(), Some(EXIT_FILE_FAILED));
    assert!(
        text(&refused.stderr).contains("--force"),
        "{}",
        text(&refused.stderr)
    );
    assert_eq!(std::fs::read(&out).unwrap(), b"precious");
    let forced = process_ok(&input, &out, &["--force", "--plugin", "stereo-imager"]);
    assert_eq!(forced[0].len(), 2 * RATE as usize);
    let mut names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        ["music.wav", "out.wav"],
        "a temporary file was left behind"
    );
}
