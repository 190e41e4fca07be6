//! `lathe measure` as a user meets it: several files, bad input, exit status,
//! the human report and argument errors.

mod common;

use std::path::PathBuf;

use common::*;

const RATE: u32 = 48_000;
/// Exit status of `lathe` when some files could not be read.
const EXIT_SOME_FILES_FAILED: i32 = 1;
/// Exit status of clap's usage errors.
const EXIT_USAGE: i32 = 2;

/// Writes a short mono 16-bit WAV sine of `peak_dbfs` and `duration_s`.
fn short_wav(dir: &tempfile::TempDir, name: &str, peak_dbfs: f64, duration_s: f64) -> PathBuf {
    let path = dir.path().join(name);
    Signal::new(
        RATE,
        SampleFormat::Int16,
        vec![sine(RATE, 1_000.0, peak_dbfs, duration_s)],
    )
    .write_wav(&path);
    path
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).expect("UTF-8 output")
}

#[test]
fn unreadable_files_are_reported_and_the_others_still_measured() {
    let dir = tempfile::tempdir().unwrap();
    let good_a = short_wav(&dir, "a.wav", -20.0, 1.0);
    let missing = dir.path().join("missing.wav");
    let not_audio = dir.path().join("notes.wav");
    std::fs::write(
        &not_audio,
        "these are not the samples you are looking for\n",
    )
    .unwrap();
    let good_b = short_wav(&dir, "b.wav", -30.0, 1.0);

    let output = run_lathe([
        "measure".as_ref(),
        "--json".as_ref(),
        good_a.as_os_str(),
        missing.as_os_str(),
        not_audio.as_os_str(),
        good_b.as_os_str(),
    ]);
    assert_eq!(output.status.code(), Some(EXIT_SOME_FILES_FAILED));

    let reports = parse_json_lines(&output.stdout);
    let files: Vec<&str> = reports
        .iter()
        .map(|r| r["file"].as_str().unwrap())
        .collect();
    assert_eq!(
        files,
        [
            good_a.to_string_lossy().as_ref(),
            good_b.to_string_lossy().as_ref()
        ]
    );

    let stderr = text(&output.stderr);
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 2, "one line per bad file:\n{stderr}");
    assert!(
        lines[0].starts_with(&format!(
            "lathe: cannot read {:?}: ",
            missing.to_string_lossy()
        )),
        "{stderr}"
    );
    assert!(lines[0].contains("No such file"), "{stderr}");
    assert!(
        lines[1].starts_with(&format!(
            "lathe: cannot read {:?}: ",
            not_audio.to_string_lossy()
        )),
        "{stderr}"
    );
    assert!(lines[1].contains("not a supported audio file"), "{stderr}");
}

#[test]
fn several_files_are_reported_in_input_order() {
    let dir = tempfile::tempdir().unwrap();
    // The longest first, so with several jobs it finishes last.
    let durations_s = [6.0, 0.5, 2.0, 1.0, 3.0];
    let paths: Vec<PathBuf> = durations_s
        .iter()
        .enumerate()
        .map(|(i, &d)| short_wav(&dir, &format!("f{i}.wav"), -20.0 - i as f64, d))
        .collect();
    let reports = measure_json(&paths, &["-j", "3"]);
    assert_eq!(reports.len(), paths.len());
    for ((report, path), &duration_s) in reports.iter().zip(&paths).zip(&durations_s) {
        assert_eq!(report["file"], path.to_string_lossy().as_ref());
        let reported = opt_f64(report, "duration_s").unwrap();
        assert!((reported - duration_s).abs() < 1e-6, "{report}");
    }
}

#[test]
fn more_than_eight_channels_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nine.wav");
    let tone = sine(RATE, 1_000.0, -20.0, 0.5);
    Signal::new(RATE, SampleFormat::Int16, vec![tone; 9]).write_wav(&path);
    let output = run_lathe(["measure".as_ref(), path.as_os_str()]);
    assert_eq!(output.status.code(), Some(EXIT_SOME_FILES_FAILED));
    assert!(output.stdout.is_empty());
    assert_eq!(
        text(&output.stderr).trim_end(),
        format!(
            "lathe: cannot read {:?}: 9-channel files are not supported (at most 8, 7.1)",
            path.to_string_lossy()
        )
    );
}

#[test]
fn unsupported_sample_rate_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("phone.wav");
    const TOO_LOW_HZ: u32 = 4_000;
    let tone = sine(TOO_LOW_HZ, 440.0, -20.0, 0.5);
    Signal::new(TOO_LOW_HZ, SampleFormat::Int16, vec![tone]).write_wav(&path);
    let output = run_lathe(["measure".as_ref(), path.as_os_str()]);
    assert_eq!(output.status.code(), Some(EXIT_SOME_FILES_FAILED));
    let stderr = text(&output.stderr);
    assert!(
        stderr.contains("a sample rate of 4000 Hz is not supported"),
        "{stderr}"
    );
}

#[test]
fn human_report_shows_every_field() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("stereo.wav");
    let tone = sine(44_100, 1_000.0, -23.0, 4.0);
    Signal::new(44_100, SampleFormat::Int24, vec![tone.clone(), tone]).write_wav(&path);
    let output = run_lathe(["measure".as_ref(), path.as_os_str()]);
    assert!(output.status.success(), "{}", text(&output.stderr));
    let stdout = text(&output.stdout);
    assert!(stdout.starts_with(&*path.to_string_lossy()), "{stdout}");
    for label in [
        "Integrated loudness",
        "Loudness range",
        "Max momentary",
        "Max short-term",
        "True peak",
        "Sample peak",
        "PLR",
        "Duration",
        "Sample rate",
        "Channels",
    ] {
        assert!(stdout.contains(label), "missing {label}:\n{stdout}");
    }
    let line = |label: &str| {
        stdout
            .lines()
            .find(|l| l.trim_start().starts_with(label))
            .unwrap_or_else(|| panic!("no {label} line"))
            .to_owned()
    };
    assert!(
        line("Integrated loudness").contains("-23.0 LUFS"),
        "{stdout}"
    );
    assert!(line("Duration").contains("0:04.000"), "{stdout}");
    assert!(line("Sample rate").contains("44100 Hz"), "{stdout}");
    assert!(line("Channels").contains("2 (stereo)"), "{stdout}");
}

#[test]
fn human_report_of_silence_shows_undefined_values() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("silence.wav");
    Signal::new(RATE, SampleFormat::Int16, vec![silence(RATE, 1.0)]).write_wav(&path);
    let output = run_lathe(["measure".as_ref(), path.as_os_str()]);
    assert!(output.status.success(), "{}", text(&output.stderr));
    let stdout = text(&output.stdout);
    let value_of = |label: &str| {
        let line = stdout
            .lines()
            .find(|l| l.trim_start().starts_with(label))
            .unwrap_or_else(|| panic!("no {label} line:\n{stdout}"));
        line.trim_start()[label.len()..].trim().to_owned()
    };
    assert_eq!(value_of("Integrated loudness"), "— LUFS");
    assert_eq!(value_of("PLR"), "— LU");
    assert_eq!(value_of("True peak"), "-inf dBTP");
    assert_eq!(value_of("Sample peak"), "-inf dBFS");
}

#[test]
fn human_reports_of_several_files_are_separated() {
    let dir = tempfile::tempdir().unwrap();
    let a = short_wav(&dir, "a.wav", -20.0, 0.5);
    let b = short_wav(&dir, "b.wav", -20.0, 0.5);
    let output = run_lathe(["measure".as_ref(), a.as_os_str(), b.as_os_str()]);
    assert!(output.status.success(), "{}", text(&output.stderr));
    let stdout = text(&output.stdout);
    let blocks: Vec<&str> = stdout.split("\n\n").collect();
    assert_eq!(blocks.len(), 2, "{stdout}");
    assert!(blocks[0].starts_with(&*a.to_string_lossy()));
    assert!(blocks[1].starts_with(&*b.to_string_lossy()));
}

#[test]
fn usage_errors_exit_with_status_2() {
    // No files.
    assert_eq!(run_lathe(["measure"]).status.code(), Some(EXIT_USAGE));
    // --series needs --json.
    let output = run_lathe(["measure", "--series", "x.wav"]);
    assert_eq!(output.status.code(), Some(EXIT_USAGE));
    assert!(text(&output.stderr).contains("--json"));
    // Zero jobs makes no sense.
    assert_eq!(
        run_lathe(["measure", "-j", "0", "x.wav"]).status.code(),
        Some(EXIT_USAGE)
    );
}
