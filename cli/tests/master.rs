//! `lathe master` against independent truth: the output's loudness and true
//! peak measured by the `ebur128` crate (and by `lathe measure`), read back
//! with `hound`; plus the safety rules (never overwrite an input, never an
//! existing file without --force, nothing left behind on failure) and the
//! command line.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::*;
use serde_json::Value;

/// Exit status of `lathe` when some files failed.
const EXIT_SOME_FILES_FAILED: i32 = 1;
/// Exit status of usage errors.
const EXIT_USAGE: i32 = 2;
/// Exit status after Ctrl-C.
const EXIT_INTERRUPTED: i32 = 130;
/// The promise: integrated loudness within this of the target, LU.
const LOUDNESS_TOLERANCE_LU: f64 = 0.2;
/// lathe's own report of the output vs `ebur128` on the file, LU / dB
/// (both implement BS.1770-4; EBU Tech 3341 allows ±0.1).
const REPORT_AGREEMENT_DB: f64 = 0.1;
/// Size of `--plot` images, pixels (`plot::PLOT_WIDTH_PX` × `PLOT_HEIGHT_PX`).
const PLOT_SIZE_PX: (u32, u32) = (1200, 600);

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Runs `lathe master` with `args` and returns the output.
fn master<S: AsRef<std::ffi::OsStr>>(args: &[S]) -> std::process::Output {
    let mut all: Vec<std::ffi::OsString> = vec!["master".into()];
    all.extend(args.iter().map(|a| a.as_ref().to_owned()));
    run_lathe(all)
}

/// Runs `lathe master --json`, asserts success and returns the reports.
fn master_json<S: AsRef<std::ffi::OsStr>>(args: &[S]) -> Vec<Value> {
    let mut all: Vec<std::ffi::OsString> = vec!["--json".into()];
    all.extend(args.iter().map(|a| a.as_ref().to_owned()));
    let output = master(&all);
    assert!(
        output.status.success(),
        "lathe master failed: {}\n{}",
        output.status,
        text(&output.stderr)
    );
    parse_json_lines(&output.stdout)
}

/// Names in `dir`, sorted (hidden temporary files included).
fn dir_names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// A test programme and how it is mastered.
struct Case {
    name: &'static str,
    sample_rate: u32,
    num_channels: usize,
    duration_s: f64,
    quiet_s: f64,
    level_dbfs: f64,
    input_format: SampleFormat,
    flac: bool,
    target_lufs: f64,
    ceiling_dbtp: f64,
    extra: &'static [&'static str],
    output_format: SampleFormat,
}

impl Case {
    fn write_input(&self, dir: &Path) -> (PathBuf, Signal) {
        let planar = music_like(
            self.sample_rate,
            self.num_channels,
            self.duration_s,
            self.quiet_s,
            self.level_dbfs,
            7,
        );
        let signal = Signal::new(self.sample_rate, self.input_format, planar);
        let path = dir.join(format!(
            "{}.{}",
            self.name,
            if self.flac { "flac" } else { "wav" }
        ));
        if self.flac {
            signal.write_flac(&path);
        } else {
            signal.write_wav(&path);
        }
        (path, signal)
    }
}

const CASES: &[Case] = &[
    // Quiet stereo at 44.1 kHz: lots of gain, hard limiting.
    Case {
        name: "quiet_stereo_44k",
        sample_rate: 44_100,
        num_channels: 2,
        duration_s: 12.0,
        quiet_s: 4.0,
        level_dbfs: -20.0,
        input_format: SampleFormat::Int16,
        flac: false,
        target_lufs: -14.0,
        ceiling_dbtp: -1.0,
        extra: &[],
        output_format: SampleFormat::Int24,
    },
    // Loud stereo FLAC at 48 kHz: needs a cut, 16-bit out with shaped dither.
    Case {
        name: "loud_stereo_48k",
        sample_rate: 48_000,
        num_channels: 2,
        duration_s: 10.0,
        quiet_s: 0.0,
        level_dbfs: -1.0,
        input_format: SampleFormat::Int24,
        flac: true,
        target_lufs: -16.0,
        ceiling_dbtp: -1.5,
        extra: &["--bits", "16", "--dither", "shaped"],
        output_format: SampleFormat::Int16,
    },
    // Mono at 48 kHz, aggressive target, punchy, 8× oversampling, fixed release.
    Case {
        name: "mono_48k",
        sample_rate: 48_000,
        num_channels: 1,
        duration_s: 8.0,
        quiet_s: 2.0,
        level_dbfs: -6.0,
        input_format: SampleFormat::Float32,
        flac: false,
        target_lufs: -10.0,
        ceiling_dbtp: -0.3,
        extra: &[
            "--character",
            "punchy",
            "--oversampling",
            "8",
            "--release",
            "50",
            "--lookahead",
            "3",
        ],
        output_format: SampleFormat::Int24,
    },
    // Dynamic stereo at 44.1 kHz into float, gentle target.
    Case {
        name: "dynamic_stereo_float",
        sample_rate: 44_100,
        num_channels: 2,
        duration_s: 15.0,
        quiet_s: 8.0,
        level_dbfs: -6.0,
        input_format: SampleFormat::Int24,
        flac: false,
        target_lufs: -18.0,
        ceiling_dbtp: -2.0,
        extra: &["--bits", "32"],
        output_format: SampleFormat::Float32,
    },
];

/// Lag (output vs input, samples) in `-max_lag..=max_lag` where the two
/// correlate best, over the first `frames` of channel 0.
fn best_lag(input: &[f32], output: &[f32], max_lag: isize, frames: usize) -> isize {
    let frames = frames.min(input.len()).min(output.len()) as isize;
    (-max_lag..=max_lag)
        .max_by(|&a, &b| {
            let corr = |lag: isize| -> f64 {
                (max_lag..frames - max_lag)
                    .map(|i| f64::from(input[i as usize]) * f64::from(output[(i + lag) as usize]))
                    .sum()
            };
            corr(a).total_cmp(&corr(b))
        })
        .unwrap()
}

#[test]
fn programmes_reach_the_target_under_the_ceiling() {
    let dir = tempfile::tempdir().unwrap();
    for case in CASES {
        let (input, signal) = case.write_input(dir.path());
        let output = dir.path().join(format!("{}.out.wav", case.name));
        let target = case.target_lufs.to_string();
        let ceiling = case.ceiling_dbtp.to_string();
        let mut args: Vec<std::ffi::OsString> = vec![
            input.clone().into(),
            "-o".into(),
            output.clone().into(),
            "--target".into(),
            target.into(),
            "--ceiling".into(),
            ceiling.into(),
        ];
        args.extend(case.extra.iter().map(Into::into));
        let reports = master_json(&args);
        assert_eq!(reports.len(), 1);
        let report = &reports[0];

        let (mastered, spec) = read_wav(&output);
        let what = |quantity: &str| format!("{}: {quantity}", case.name);
        assert_eq!(mastered.format, case.output_format, "{}", what("format"));
        assert_eq!(spec.sample_rate, case.sample_rate);
        assert_eq!(mastered.num_channels(), case.num_channels);
        assert_eq!(
            mastered.num_frames(),
            signal.num_frames(),
            "{}",
            what("length")
        );

        let truth = reference(&mastered);
        let lufs = truth.integrated_lufs.expect("output has loudness");
        assert!(
            (lufs - case.target_lufs).abs() <= LOUDNESS_TOLERANCE_LU,
            "{}: {lufs:.3} LUFS (ebur128) for a target of {}",
            case.name,
            case.target_lufs
        );
        let peak = truth.true_peak_dbtp.expect("output has a peak");
        assert!(
            peak <= case.ceiling_dbtp,
            "{}: true peak {peak:.3} dBTP (ebur128) above the ceiling {}",
            case.name,
            case.ceiling_dbtp
        );
        let measured = &measure_json(std::slice::from_ref(&output), &[])[0];
        let our_peak = opt_f64(measured, "true_peak_dbtp").unwrap();
        assert!(
            our_peak <= case.ceiling_dbtp,
            "{}: true peak {our_peak:.3} dBTP (LoudnessMeter) above the ceiling {}",
            case.name,
            case.ceiling_dbtp
        );

        // The report describes the file that was written.
        let after = &report["after"];
        assert_close(
            &what("reported loudness"),
            opt_f64(after, "integrated_lufs"),
            Some(lufs),
            REPORT_AGREEMENT_DB,
        );
        assert_close(
            &what("reported true peak"),
            opt_f64(after, "true_peak_dbtp"),
            Some(peak),
            REPORT_AGREEMENT_DB,
        );
        assert_close(
            &what("reported input loudness"),
            opt_f64(&report["before"], "integrated_lufs"),
            reference(&signal).integrated_lufs,
            REPORT_AGREEMENT_DB,
        );

        // Latency is compensated: the output lines up with the input.
        let lag = best_lag(
            &signal.channels[0],
            &mastered.channels[0],
            400,
            2 * case.sample_rate as usize,
        );
        assert_eq!(lag, 0, "{}", what("alignment"));
    }
}

#[test]
fn integer_output_holds_whole_steps_of_its_word_length() {
    let dir = tempfile::tempdir().unwrap();
    let case = &CASES[0];
    let (input, _) = case.write_input(dir.path());
    for (bits, format) in [("16", SampleFormat::Int16), ("24", SampleFormat::Int24)] {
        let output = dir.path().join(format!("out{bits}.wav"));
        master_json(&[
            input.as_os_str(),
            "-o".as_ref(),
            output.as_os_str(),
            "--bits".as_ref(),
            bits.as_ref(),
        ]);
        let (mastered, spec) = read_wav(&output);
        assert_eq!(mastered.format, format);
        assert_eq!(spec.sample_format, hound::SampleFormat::Int);
        // Whole steps that use the word length: the low byte of 24-bit
        // samples is not always zero (real 24-bit, not padded 16-bit).
        let scale = f64::from(1u32 << (format.bits() - 1));
        let mut low_bits_used = false;
        for &sample in &mastered.channels[0] {
            let step = f64::from(sample) * scale;
            assert_eq!(step.fract(), 0.0);
            low_bits_used |= (step as i64) % 256 != 0;
        }
        if format == SampleFormat::Int24 {
            assert!(low_bits_used, "24-bit output looks like padded 16-bit");
        }
    }
}

#[test]
fn several_inputs_go_to_a_directory_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let out_dir = dir.path().join("out");
    std::fs::create_dir(&out_dir).unwrap();
    let mut inputs = Vec::new();
    for (index, level) in [-20.0, -8.0, -16.0].into_iter().enumerate() {
        let path = dir.path().join(format!("song{index}.wav"));
        Signal::new(
            48_000,
            SampleFormat::Int16,
            music_like(48_000, 2, 5.0, 1.0, level, index as u64 + 1),
        )
        .write_wav(&path);
        inputs.push(path);
    }
    let mut args: Vec<std::ffi::OsString> = inputs.iter().map(Into::into).collect();
    args.extend(["-o".into(), out_dir.clone().into(), "-j".into(), "3".into()]);
    let reports = master_json(&args);
    let files: Vec<&str> = reports
        .iter()
        .map(|r| r["file"].as_str().unwrap())
        .collect();
    let expected: Vec<String> = inputs
        .iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    assert_eq!(files, expected);
    assert_eq!(
        dir_names(&out_dir),
        [
            "song0.mastered.wav",
            "song1.mastered.wav",
            "song2.mastered.wav"
        ]
    );
    for report in &reports {
        let output = PathBuf::from(report["output"].as_str().unwrap());
        let (mastered, _) = read_wav(&output);
        let lufs = reference(&mastered).integrated_lufs.unwrap();
        assert!(
            (lufs + 14.0).abs() <= LOUDNESS_TOLERANCE_LU,
            "{output:?}: {lufs}"
        );
    }
}

#[test]
fn json_report_has_before_and_after() {
    let dir = tempfile::tempdir().unwrap();
    let (input, _) = CASES[0].write_input(dir.path());
    let output = dir.path().join("out.wav");
    let reports = master_json(&[input.as_os_str(), "-o".as_ref(), output.as_os_str()]);
    let report = &reports[0];
    assert_eq!(report["file"].as_str(), Some(input.to_str().unwrap()));
    assert_eq!(report["output"].as_str(), Some(output.to_str().unwrap()));
    assert_eq!(report["target_lufs"].as_f64(), Some(-14.0));
    assert_eq!(report["ceiling_dbtp"].as_f64(), Some(-1.0));
    for side in ["before", "after"] {
        for key in [
            "integrated_lufs",
            "true_peak_dbtp",
            "sample_peak_dbfs",
            "lra_lu",
            "max_short_term_lufs",
            "max_momentary_lufs",
        ] {
            assert!(
                report[side][key].is_number(),
                "{side}.{key} missing in {report}"
            );
        }
    }
    let passes = report["passes"].as_u64().unwrap();
    assert!((1..=5).contains(&passes), "{report}");
    let gain = report["input_gain_db"].as_f64().unwrap();
    let before = report["before"]["integrated_lufs"].as_f64().unwrap();
    // Limiting costs loudness, so the gain is at least target − input.
    assert!(gain >= -14.0 - before - 0.05, "{report}");
    assert!(
        report["max_gain_reduction_db"].as_f64().unwrap() > 0.0,
        "{report}"
    );
}

#[test]
fn human_report_shows_before_and_after() {
    let dir = tempfile::tempdir().unwrap();
    let (input, _) = CASES[0].write_input(dir.path());
    let output = dir.path().join("out.wav");
    let result = master(&[input.as_os_str(), "-o".as_ref(), output.as_os_str()]);
    assert!(result.status.success(), "{}", text(&result.stderr));
    let stdout = text(&result.stdout);
    assert!(stdout.starts_with(&format!("{} → {}\n", input.display(), output.display())));
    for label in [
        "before",
        "after",
        "Integrated loudness",
        "True peak",
        "Loudness range",
        "Max short-term",
        "Input gain",
        "Max gain reduction",
    ] {
        assert!(stdout.contains(label), "{label} missing:\n{stdout}");
    }
    // No progress bar when stderr is not a terminal.
    assert!(result.stderr.is_empty(), "{}", text(&result.stderr));
}

/// Width and height of a PNG, decoded with the `png` crate.
fn png_size(path: &Path) -> (u32, u32) {
    let decoder = png::Decoder::new(std::fs::File::open(path).unwrap());
    let mut reader = decoder.read_info().expect("a valid PNG");
    let mut pixels = vec![0; reader.output_buffer_size()];
    let frame = reader.next_frame(&mut pixels).expect("decodable pixels");
    // A plot is not a blank image.
    let first = &pixels[..3];
    assert!(pixels[..frame.buffer_size()]
        .chunks(3)
        .any(|px| px != first));
    (frame.width, frame.height)
}

#[test]
fn plot_is_drawn_for_one_or_several_files() {
    let dir = tempfile::tempdir().unwrap();
    let (input, _) = CASES[0].write_input(dir.path());
    let output = dir.path().join("out.wav");
    let plot = dir.path().join("loudness.png");
    let reports = master_json(&[
        input.as_os_str(),
        "-o".as_ref(),
        output.as_os_str(),
        "--plot".as_ref(),
        plot.as_os_str(),
    ]);
    assert_eq!(reports[0]["plot"].as_str(), Some(plot.to_str().unwrap()));
    assert_eq!(png_size(&plot), PLOT_SIZE_PX);

    let out_dir = dir.path().join("out");
    std::fs::create_dir(&out_dir).unwrap();
    let (second, _) = CASES[3].write_input(dir.path());
    master_json(&[
        input.as_os_str(),
        second.as_os_str(),
        "-o".as_ref(),
        out_dir.as_os_str(),
        "--plot".as_ref(),
        out_dir.as_os_str(),
    ]);
    assert_eq!(
        dir_names(&out_dir),
        [
            "dynamic_stereo_float.loudness.png",
            "dynamic_stereo_float.mastered.wav",
            "quiet_stereo_44k.loudness.png",
            "quiet_stereo_44k.mastered.wav",
        ]
    );
    assert_eq!(
        png_size(&out_dir.join("quiet_stereo_44k.loudness.png")),
        PLOT_SIZE_PX
    );
}

/// A short input file in a fresh directory.
fn short_input(dir: &Path, name: &str) -> PathBuf {
    let path = dir.join(name);
    Signal::new(
        48_000,
        SampleFormat::Int16,
        music_like(48_000, 2, 4.0, 0.0, -18.0, 3),
    )
    .write_wav(&path);
    path
}

#[test]
fn never_overwrites_its_input() {
    let dir = tempfile::tempdir().unwrap();
    let input = short_input(dir.path(), "song.wav");
    let original = std::fs::read(&input).unwrap();
    let link = dir.path().join("link.wav");
    std::os::unix::fs::symlink(&input, &link).unwrap();
    let hard = dir.path().join("hard.wav");
    std::fs::hard_link(&input, &hard).unwrap();
    let respelled = dir.path().join(".").join("song.wav");

    for (input_arg, output) in [
        (&input, &input),
        (&input, &link),
        (&input, &hard),
        (&input, &respelled),
        (&link, &input),
    ] {
        let result = master(&[
            input_arg.as_os_str(),
            "-o".as_ref(),
            output.as_os_str(),
            "--force".as_ref(),
        ]);
        assert_eq!(
            result.status.code(),
            Some(EXIT_SOME_FILES_FAILED),
            "{output:?}"
        );
        let stderr = text(&result.stderr);
        assert!(
            stderr.contains("refusing to overwrite the input"),
            "{stderr}"
        );
        assert_eq!(std::fs::read(&input).unwrap(), original);
    }
    assert_eq!(dir_names(dir.path()), ["hard.wav", "link.wav", "song.wav"]);
    assert!(std::fs::symlink_metadata(&link)
        .unwrap()
        .file_type()
        .is_symlink());
}

#[test]
fn an_existing_output_needs_force() {
    let dir = tempfile::tempdir().unwrap();
    let input = short_input(dir.path(), "song.wav");
    let output = dir.path().join("out.wav");
    std::fs::write(&output, b"precious").unwrap();

    let result = master(&[input.as_os_str(), "-o".as_ref(), output.as_os_str()]);
    assert_eq!(result.status.code(), Some(EXIT_SOME_FILES_FAILED));
    let stderr = text(&result.stderr);
    assert!(stderr.contains("already exists (use --force"), "{stderr}");
    assert_eq!(std::fs::read(&output).unwrap(), b"precious");
    assert_eq!(dir_names(dir.path()), ["out.wav", "song.wav"]);

    let result = master(&[
        input.as_os_str(),
        "-o".as_ref(),
        output.as_os_str(),
        "--force".as_ref(),
    ]);
    assert!(result.status.success(), "{}", text(&result.stderr));
    let (mastered, _) = read_wav(&output);
    assert_eq!(mastered.num_frames(), 4 * 48_000);
}

#[test]
fn failures_leave_nothing_behind() {
    let dir = tempfile::tempdir().unwrap();
    let out_dir = dir.path().join("out");
    std::fs::create_dir(&out_dir).unwrap();

    // Audio data that is damaged after a valid header.
    let good = short_input(dir.path(), "good.flac.wav");
    let corrupt = dir.path().join("corrupt.flac");
    Signal::new(
        48_000,
        SampleFormat::Int16,
        vec![noise(48_000, -6.0, 3.0, 9)],
    )
    .write_flac(&corrupt);
    let mut bytes = std::fs::read(&corrupt).unwrap();
    let header_len = 200;
    for (i, byte) in bytes[header_len..].iter_mut().enumerate() {
        *byte = (i as u8).wrapping_mul(37) ^ 0x5a;
    }
    std::fs::write(&corrupt, bytes).unwrap();
    let missing = dir.path().join("missing.wav");
    let not_audio = dir.path().join("notes.wav");
    std::fs::write(&not_audio, "not audio\n").unwrap();
    let silent = dir.path().join("silent.wav");
    Signal::new(48_000, SampleFormat::Int16, vec![silence(48_000, 2.0)]).write_wav(&silent);

    let result = master(&[
        corrupt.as_os_str(),
        missing.as_os_str(),
        not_audio.as_os_str(),
        silent.as_os_str(),
        good.as_os_str(),
        "-o".as_ref(),
        out_dir.as_os_str(),
    ]);
    assert_eq!(result.status.code(), Some(EXIT_SOME_FILES_FAILED));
    let stderr = text(&result.stderr);
    for (file, reason) in [
        (&missing, "No such file"),
        (&not_audio, "not a supported audio file"),
        (&silent, "silent"),
    ] {
        assert!(
            stderr.contains(&format!(
                "lathe: cannot master {:?}: ",
                file.to_string_lossy()
            )) && stderr.contains(reason),
            "{reason}:\n{stderr}"
        );
    }
    // Whatever the decoder makes of the damaged file, it is reported or
    // written whole; the good file is written either way.
    let names = dir_names(&out_dir);
    assert!(
        names.contains(&"good.flac.mastered.wav".to_owned()),
        "{names:?}"
    );
    assert!(names.iter().all(|n| !n.starts_with('.')), "{names:?}");
    if !names.contains(&"corrupt.mastered.wav".to_owned()) {
        assert!(
            stderr.contains(&format!("{:?}", corrupt.to_string_lossy())),
            "{stderr}"
        );
    }

    // The final rename fails: the destination is a directory.
    let blocked_dir = dir.path().join("blocked");
    std::fs::create_dir(&blocked_dir).unwrap();
    let blocker = blocked_dir.join("good.flac.mastered.wav");
    std::fs::create_dir(&blocker).unwrap();
    let result = master(&[
        good.as_os_str(),
        "-o".as_ref(),
        blocked_dir.as_os_str(),
        "--force".as_ref(),
    ]);
    assert_eq!(result.status.code(), Some(EXIT_SOME_FILES_FAILED));
    assert!(
        text(&result.stderr).contains("cannot write"),
        "{}",
        text(&result.stderr)
    );
    assert_eq!(dir_names(&blocked_dir), ["good.flac.mastered.wav"]);
    assert!(dir_names(&blocker).is_empty());
}

#[test]
fn ctrl_c_removes_the_unfinished_output() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("long.wav");
    Signal::new(
        48_000,
        SampleFormat::Int16,
        music_like(48_000, 2, 90.0, 0.0, -20.0, 5),
    )
    .write_wav(&input);
    let out_dir = dir.path().join("out");
    std::fs::create_dir(&out_dir).unwrap();

    let mut child = Command::new(env!("CARGO_BIN_EXE_lathe"))
        .arg("master")
        .arg(&input)
        .arg("-o")
        .arg(out_dir.join("long.out.wav"))
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Wait until a pass is writing its temporary file.
    let deadline = Instant::now() + Duration::from_secs(60);
    while dir_names(&out_dir).is_empty() {
        assert!(
            child.try_wait().unwrap().is_none(),
            "finished before it could be interrupted"
        );
        assert!(Instant::now() < deadline, "no temporary file appeared");
        std::thread::sleep(Duration::from_millis(1));
    }
    let status = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let output = child.wait_with_output().unwrap();
    assert_eq!(
        output.status.code(),
        Some(EXIT_INTERRUPTED),
        "{}",
        text(&output.stderr)
    );
    assert!(text(&output.stderr).contains("interrupted"));
    assert!(dir_names(&out_dir).is_empty(), "{:?}", dir_names(&out_dir));
}

#[test]
fn bad_arguments_are_usage_errors() {
    let dir = tempfile::tempdir().unwrap();
    let input = short_input(dir.path(), "song.wav");
    let second = short_input(dir.path(), "other.wav");
    let out = dir.path().join("out.wav");
    let inp = input.to_str().unwrap();
    let out_s = out.to_str().unwrap();
    let cases: &[(&[&str], &str)] = &[
        (&[inp, "-o", out_s, "--ceiling", "0"], "--ceiling"),
        (&[inp, "-o", out_s, "--ceiling", "-5"], "outside"),
        (&[inp, "-o", out_s, "--ceiling", "loud"], "not a number"),
        (&[inp, "-o", out_s, "--target", "-80"], "--target"),
        (&[inp, "-o", out_s, "--target", "3"], "outside"),
        (&[inp, "-o", out_s, "--bits", "20"], "--bits"),
        (&[inp, "-o", out_s, "--oversampling", "2"], "--oversampling"),
        (&[inp, "-o", out_s, "--release", "0"], "--release"),
        (&[inp, "-o", out_s, "--lookahead", "10"], "--lookahead"),
        (&[inp, "-o", out_s, "--dither", "loud"], "--dither"),
        (
            &[inp, "-o", out_s, "--bits", "32", "--dither", "tpdf"],
            "integer output",
        ),
        (&[inp, "-o", "out.mp3"], ".wav or .flac"),
        (&[inp, "-o", out_s, "--plot", "plot.jpg"], ".png"),
        (
            &[inp, second.to_str().unwrap(), "-o", out_s],
            "existing directory",
        ),
        (&[inp], "--output"),
        (&["-o", out_s], "FILE"),
    ];
    for (args, expected) in cases {
        let result = master(args);
        let stderr = text(&result.stderr);
        assert_eq!(result.status.code(), Some(EXIT_USAGE), "{args:?}: {stderr}");
        assert!(
            stderr.contains(expected),
            "{args:?}: expected {expected:?} in\n{stderr}"
        );
    }
    assert_eq!(dir_names(dir.path()), ["other.wav", "song.wav"]);
}

/// `lathe master --json` on `planar` (48 kHz) to `target`; returns the
/// report and stderr.
fn master_to(dir: &Path, name: &str, planar: Vec<Vec<f64>>, target: &str) -> (Value, String) {
    let input = dir.join(format!("{name}.wav"));
    Signal::new(48_000, SampleFormat::Int16, planar).write_wav(&input);
    let output = dir.join(format!("{name}.out.wav"));
    let result = master(&[
        "--json".as_ref(),
        input.as_os_str(),
        "-o".as_ref(),
        output.as_os_str(),
        "--target".as_ref(),
        target.as_ref(),
    ]);
    assert!(result.status.success(), "{}", text(&result.stderr));
    let report = parse_json_lines(&result.stdout).remove(0);
    (report, text(&result.stderr))
}

/// Peak gain reduction implied by the levels alone: the input's true peak
/// raised by the input gain, minus the output's true peak, dB. An
/// independent lower-bound-ish estimate of what the limiter took off.
fn implied_reduction_db(report: &Value) -> f64 {
    report["before"]["true_peak_dbtp"].as_f64().unwrap() + report["input_gain_db"].as_f64().unwrap()
        - report["after"]["true_peak_dbtp"].as_f64().unwrap()
}

#[test]
fn heavy_limiting_is_warned_about() {
    /// `master::HEAVY_LIMITING_GR_DB`.
    const HEAVY_LIMITING_GR_DB: f64 = 6.0;
    let dir = tempfile::tempdir().unwrap();

    // A quiet tone (−24 dBFS, about −27 LUFS) with short −6 dBFS hits
    // pushed to −6 LUFS: the hits need far more than 6 dB of reduction.
    let mut tone = sine(48_000, 1_000.0, -24.0, 6.0);
    let hit = sine(48_000, 1_000.0, -6.0, 0.005);
    for start in (0..tone.len() - hit.len()).step_by(24_000) {
        for (sample, h) in tone[start..].iter_mut().zip(&hit) {
            *sample = *h;
        }
    }
    let quiet = vec![tone.clone(), tone];
    let (report, stderr) = master_to(dir.path(), "quiet", quiet, "-6");
    assert!(
        implied_reduction_db(&report) > HEAVY_LIMITING_GR_DB + 3.0,
        "{report}"
    );
    assert!(
        report["max_gain_reduction_db"].as_f64().unwrap() > HEAVY_LIMITING_GR_DB,
        "{report}"
    );
    assert_eq!(report["heavy_limiting"].as_bool(), Some(true), "{report}");
    assert!(
        stderr.contains("warning") && stderr.contains("gain reduction"),
        "{stderr}"
    );

    // Music-like material brought down to −23 LUFS: barely any limiting.
    let gentle = music_like(48_000, 2, 6.0, 0.0, -6.0, 5);
    let (report, stderr) = master_to(dir.path(), "gentle", gentle, "-23");
    assert!(
        implied_reduction_db(&report) < HEAVY_LIMITING_GR_DB,
        "{report}"
    );
    assert_eq!(report["heavy_limiting"].as_bool(), Some(false), "{report}");
    assert!(stderr.is_empty(), "{stderr}");
}

/// Whether the current user can create files in a folder with no write
/// permission (root can), so a chmod test would prove nothing.
fn permissions_are_ignored(dir: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    let probe = dir.join("probe");
    std::fs::create_dir(&probe).unwrap();
    std::fs::set_permissions(&probe, std::fs::Permissions::from_mode(0o555)).unwrap();
    let ignored = std::fs::write(probe.join("x"), b"").is_ok();
    std::fs::set_permissions(&probe, std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::remove_dir_all(&probe).unwrap();
    ignored
}

#[test]
fn write_errors_name_the_users_paths() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let input = short_input(dir.path(), "song.wav");
    let locked = dir.path().join("locked");
    std::fs::create_dir(&locked).unwrap();
    let mut bad_outputs = vec![
        // A folder that does not exist.
        dir.path().join("missing").join("out.wav"),
        // A "folder" that is a regular file.
        input.join("out.wav"),
    ];
    if !permissions_are_ignored(dir.path()) {
        std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o555)).unwrap();
        bad_outputs.push(locked.join("out.wav"));
    }
    let good_output = dir.path().join("good.wav");
    for bad in &bad_outputs {
        let bad_text = format!("{:?}", bad.to_string_lossy());
        let input_text = format!("{:?}", input.to_string_lossy());
        // The output, then the plot, in a folder that cannot take it.
        let cases: [Vec<&std::ffi::OsStr>; 3] = [
            vec![input.as_os_str(), "-o".as_ref(), bad.as_os_str()],
            vec![
                input.as_os_str(),
                "-o".as_ref(),
                good_output.as_os_str(),
                "--plot".as_ref(),
                bad.with_extension("png").into_os_string().leak(),
            ],
            vec![
                "process".as_ref(),
                input.as_os_str(),
                "-o".as_ref(),
                bad.as_os_str(),
                "--plugin".as_ref(),
                "maximizer".as_ref(),
            ],
        ];
        for (n, args) in cases.iter().enumerate() {
            let result = if n == 2 {
                run_lathe(args.iter().copied())
            } else {
                master(args)
            };
            let stderr = text(&result.stderr);
            assert_eq!(
                result.status.code(),
                Some(EXIT_SOME_FILES_FAILED),
                "{stderr}"
            );
            let named = if n == 1 {
                format!("{:?}", bad.with_extension("png").to_string_lossy())
            } else {
                bad_text.clone()
            };
            assert!(stderr.contains(&named), "case {n}: {stderr}");
            assert!(stderr.contains(&input_text), "case {n}: {stderr}");
            assert!(
                !stderr.contains(".lathe-"),
                "temporary file named: {stderr}"
            );
            assert!(!good_output.exists(), "case {n}");
        }
    }
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o755)).unwrap();
    assert!(dir_names(&locked).is_empty());
}

/// Decodes a FLAC file with symphonia: sample rate, bits per sample and
/// planar samples (integers / 2^(bits−1)).
fn read_flac(path: &Path) -> (u32, u32, Vec<Vec<f64>>) {
    use symphonia::core::audio::SampleBuffer;
    use symphonia::core::codecs::DecoderOptions;
    use symphonia::core::formats::FormatOptions;
    use symphonia::core::io::MediaSourceStream;
    use symphonia::core::meta::MetadataOptions;
    let source = MediaSourceStream::new(
        Box::new(std::fs::File::open(path).unwrap()),
        Default::default(),
    );
    let mut hint = symphonia::core::probe::Hint::new();
    hint.with_extension("flac");
    let mut format = symphonia::default::get_probe()
        .format(
            &hint,
            source,
            &FormatOptions::default(),
            &MetadataOptions::default(),
        )
        .expect("a FLAC stream")
        .format;
    let track = format.default_track().unwrap().clone();
    let params = &track.codec_params;
    let sample_rate = params.sample_rate.unwrap();
    let bits = params.bits_per_sample.unwrap();
    let num_channels = params.channels.unwrap().count();
    let mut decoder = symphonia::default::get_codecs()
        .make(params, &DecoderOptions { verify: true })
        .unwrap();
    let mut planar = vec![Vec::new(); num_channels];
    while let Ok(packet) = format.next_packet() {
        let decoded = decoder.decode(&packet).unwrap();
        let mut buffer = SampleBuffer::<i32>::new(decoded.capacity() as u64, *decoded.spec());
        buffer.copy_interleaved_ref(decoded);
        // symphonia scales integer samples to the full i32 range.
        for frame in buffer.samples().chunks(num_channels) {
            for (channel, &sample) in planar.iter_mut().zip(frame) {
                channel.push(f64::from(sample) / 2_f64.powi(31));
            }
        }
    }
    assert_eq!(decoder.finalize().verify_ok, Some(true), "MD5 of {path:?}");
    (sample_rate, bits, planar)
}

#[test]
fn flac_output_matches_the_wav_output() {
    let dir = tempfile::tempdir().unwrap();
    let (input, _) = CASES[0].write_input(dir.path());
    for bits in ["16", "24"] {
        let wav = dir.path().join(format!("out{bits}.wav"));
        let flac = dir.path().join(format!("out{bits}.flac"));
        let mut reports = Vec::new();
        for output in [&wav, &flac] {
            reports.extend(master_json(&[
                input.as_os_str(),
                "-o".as_ref(),
                output.as_os_str(),
                "--bits".as_ref(),
                bits.as_ref(),
            ]));
        }
        let (wav_signal, spec) = read_wav(&wav);
        let (rate, flac_bits, flac_planar) = read_flac(&flac);
        assert_eq!(rate, spec.sample_rate);
        assert_eq!(flac_bits, u32::from(spec.bits_per_sample));
        // Same length as the WAV (and so as the input).
        assert_eq!(flac_planar[0].len(), wav_signal.num_frames());
        let format = if bits == "16" {
            SampleFormat::Int16
        } else {
            SampleFormat::Int24
        };
        let flac_signal = Signal::new(rate, format, flac_planar);
        // Lossless and deterministic: the same samples as the WAV path…
        assert_eq!(flac_signal.channels, wav_signal.channels, "{bits}-bit");
        // …so the same loudness, by an independent meter and by the report.
        let from_flac = reference(&flac_signal);
        assert_close(
            "FLAC integrated loudness",
            from_flac.integrated_lufs,
            Some(CASES[0].target_lufs),
            LOUDNESS_TOLERANCE_LU,
        );
        assert_eq!(
            from_flac.integrated_lufs,
            reference(&wav_signal).integrated_lufs
        );
        assert_eq!(reports[0]["after"], reports[1]["after"]);
    }
    // Nothing but the four outputs and the input.
    assert_eq!(
        dir_names(dir.path()).len(),
        5,
        "{:?}",
        dir_names(dir.path())
    );
}

#[test]
fn flac_has_no_float() {
    let dir = tempfile::tempdir().unwrap();
    let input = short_input(dir.path(), "song.wav");
    let flac = dir.path().join("out.flac");
    let result = master(&[
        input.as_os_str(),
        "-o".as_ref(),
        flac.as_os_str(),
        "--bits".as_ref(),
        "32".as_ref(),
    ]);
    assert_eq!(
        result.status.code(),
        Some(EXIT_USAGE),
        "{}",
        text(&result.stderr)
    );
    assert!(
        text(&result.stderr).contains("FLAC"),
        "{}",
        text(&result.stderr)
    );
    let process = |extra: &[&str]| {
        let mut args: Vec<std::ffi::OsString> = vec![
            "process".into(),
            input.clone().into(),
            "-o".into(),
            flac.clone().into(),
            "--plugin".into(),
            "stereo-imager".into(),
        ];
        args.extend(extra.iter().map(Into::into));
        run_lathe(args)
    };
    let result = process(&["--bits", "32"]);
    assert_eq!(
        result.status.code(),
        Some(EXIT_USAGE),
        "{}",
        text(&result.stderr)
    );
    assert!(!flac.exists());
    // `lathe process` defaults to float, which for FLAC means 24-bit.
    let result = process(&[]);
    assert!(result.status.success(), "{}", text(&result.stderr));
    let (_, bits, planar) = read_flac(&flac);
    assert_eq!(bits, 24);
    let (input_signal, _) = read_wav(&input);
    assert_eq!(planar[0].len(), input_signal.num_frames());
}
