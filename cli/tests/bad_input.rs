//! `lathe` under bad input (issue 13): empty, truncated, corrupt and huge-header files,
//! unsupported formats, outputs that cannot be written, a full disk, a report that cannot be
//! written. Each must give a clear message naming the user's path, a non-zero exit, no partial
//! output, and leave the input untouched. (Outputs equal to the input, also through links, are
//! in `master.rs`, `never_overwrites_its_input`.)

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use common::*;

/// Exit status of `lathe` when some files failed.
const EXIT_SOME_FILES_FAILED: i32 = 1;

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Names in `dir`, sorted, hidden ones (temporary files) included.
fn dir_names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// A 2 s stereo 16-bit WAV of music-like noise.
fn good_wav(dir: &Path, name: &str) -> PathBuf {
    let path = dir.join(name);
    Signal::new(
        48_000,
        SampleFormat::Int16,
        music_like(48_000, 2, 2.0, 0.0, -18.0, 5),
    )
    .write_wav(&path);
    path
}

/// Writes `bytes` to `dir/name`.
fn file(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

/// A WAV header (RIFF, a `fmt ` chunk of `fmt_len` bytes for 16-bit stereo 48 kHz PCM, then a
/// `data` chunk header promising `data_len` bytes), without any samples.
fn wav_header(fmt_len: u32, data_len: u32) -> Vec<u8> {
    let mut bytes = b"RIFF".to_vec();
    bytes.extend_from_slice(&(36u32.wrapping_add(data_len)).to_le_bytes());
    bytes.extend_from_slice(b"WAVEfmt ");
    bytes.extend_from_slice(&fmt_len.to_le_bytes());
    bytes.extend_from_slice(&1u16.to_le_bytes()); // PCM
    bytes.extend_from_slice(&2u16.to_le_bytes()); // channels
    bytes.extend_from_slice(&48_000u32.to_le_bytes());
    bytes.extend_from_slice(&(48_000u32 * 4).to_le_bytes());
    bytes.extend_from_slice(&4u16.to_le_bytes()); // block align
    bytes.extend_from_slice(&16u16.to_le_bytes()); // bits
    bytes.extend_from_slice(b"data");
    bytes.extend_from_slice(&data_len.to_le_bytes());
    bytes
}

/// Bad input files and a word of the reason the user must be told.
fn bad_files(dir: &Path) -> Vec<(PathBuf, &'static str)> {
    let good = std::fs::read(good_wav(dir, "template.wav")).unwrap();
    std::fs::remove_file(dir.join("template.wav")).unwrap();
    let mut huge_list = good[..12].to_vec();
    huge_list.extend_from_slice(b"LIST");
    huge_list.extend_from_slice(&0xFFFF_FFF0u32.to_le_bytes());
    huge_list.extend_from_slice(&good[12..]);
    let mut corrupt = good[..44].to_vec();
    corrupt[20..22].copy_from_slice(&0x7777u16.to_le_bytes()); // no such format tag
    corrupt.extend_from_slice(&good[44..]);
    let sub_dir = dir.join("a directory.wav");
    std::fs::create_dir(&sub_dir).unwrap();
    vec![
        (file(dir, "empty.wav", b""), "not a supported audio file"),
        (
            file(dir, "cut header.wav", &good[..30]),
            "not a supported audio file",
        ),
        (
            file(dir, "riff only.wav", b"RIFF\x04\x00\x00\x00WAVE"),
            "not a supported audio file",
        ),
        (file(dir, "huge fmt.wav", &wav_header(0xFFFF_FFF0, 0)), ""),
        (file(dir, "huge list.wav", &huge_list), ""),
        (
            file(dir, "zero channels.wav", &{
                let mut bytes = good.clone();
                bytes[22..24].copy_from_slice(&0u16.to_le_bytes());
                bytes
            }),
            "",
        ),
        (file(dir, "corrupt format tag.wav", &corrupt), ""),
        (
            file(
                dir,
                "song.mp3",
                b"ID3\x04\x00\x00\x00\x00\x00\x00\xff\xfb\x90\x00",
            ),
            "not a supported audio file",
        ),
        (
            file(
                dir,
                "song.ogg",
                b"OggS\x00\x02\x00\x00\x00\x00\x00\x00\x00\x00",
            ),
            "not a supported audio file",
        ),
        (
            file(
                dir,
                "song.aiff",
                b"FORM\x00\x00\x00\x2eAIFFCOMM\x00\x00\x00\x12",
            ),
            "not a supported audio file",
        ),
        (file(dir, "notes.flac", b"fLaC but not really"), ""),
        (sub_dir, ""),
    ]
}

#[test]
fn bad_files_are_clear_errors_for_measure_and_master() {
    let dir = tempfile::tempdir().unwrap();
    let out_dir = dir.path().join("out");
    std::fs::create_dir(&out_dir).unwrap();
    for (path, reason) in bad_files(dir.path()) {
        let before = std::fs::read(&path).ok();
        let shown = format!("{:?}", path.to_string_lossy());

        let result = run_lathe(["measure".as_ref(), "--json".as_ref(), path.as_os_str()]);
        let stderr = text(&result.stderr);
        assert_eq!(
            result.status.code(),
            Some(EXIT_SOME_FILES_FAILED),
            "{shown}: {stderr}"
        );
        assert!(result.stdout.is_empty(), "{shown}: a report for a bad file");
        assert!(
            stderr.starts_with(&format!("lathe: cannot read {shown}: ")) && stderr.contains(reason),
            "{shown}: expected a message naming the file ({reason:?}):\n{stderr}"
        );
        assert_eq!(stderr.lines().count(), 1, "{shown}: one line:\n{stderr}");

        let result = run_lathe([
            "master".as_ref(),
            path.as_os_str(),
            "-o".as_ref(),
            out_dir.as_os_str(),
        ]);
        let stderr = text(&result.stderr);
        assert_eq!(
            result.status.code(),
            Some(EXIT_SOME_FILES_FAILED),
            "{shown}: {stderr}"
        );
        assert!(
            stderr.contains(&format!("lathe: cannot master {shown}: ")) && stderr.contains(reason),
            "{shown}: expected a message naming the file ({reason:?}):\n{stderr}"
        );
        assert!(
            dir_names(&out_dir).is_empty(),
            "{shown}: left {:?}",
            dir_names(&out_dir)
        );
        assert_eq!(
            std::fs::read(&path).ok(),
            before,
            "{shown}: the input changed"
        );
    }
}

#[test]
fn a_wav_shorter_than_its_header_fails_master_and_warns_in_measure() {
    let dir = tempfile::tempdir().unwrap();
    let whole = std::fs::read(good_wav(dir.path(), "whole.wav")).unwrap();
    // The header promises 2 s; the file holds the first half of the samples.
    let cut = file(dir.path(), "cut.wav", &whole[..44 + (whole.len() - 44) / 2]);
    let before = std::fs::read(&cut).unwrap();
    let shown = format!("{:?}", cut.to_string_lossy());

    let result = run_lathe(["measure".as_ref(), "--json".as_ref(), cut.as_os_str()]);
    let stderr = text(&result.stderr);
    assert!(result.status.success(), "{stderr}");
    assert!(
        stderr.starts_with(&format!("lathe: warning: {shown}: the file is truncated")),
        "{stderr}"
    );
    let report = &parse_json_lines(&result.stdout)[0];
    assert_eq!(report["truncated"], true, "{report}");
    assert_eq!(report["declared_duration_s"], 2.0, "{report}");
    assert!(
        (report["duration_s"].as_f64().unwrap() - 1.0).abs() < 0.01,
        "{report}"
    );

    // A whole file says it is not truncated.
    let report = &measure_json(&[dir.path().join("whole.wav")], &[])[0];
    assert_eq!(report["truncated"], false, "{report}");
    assert!(report.get("declared_duration_s").is_none(), "{report}");

    let out_dir = dir.path().join("out");
    std::fs::create_dir(&out_dir).unwrap();
    let result = run_lathe([
        "master".as_ref(),
        cut.as_os_str(),
        "-o".as_ref(),
        out_dir.as_os_str(),
    ]);
    let stderr = text(&result.stderr);
    assert_eq!(
        result.status.code(),
        Some(EXIT_SOME_FILES_FAILED),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!(
            "lathe: cannot master {shown}: the file is truncated"
        )),
        "{stderr}"
    );
    assert!(dir_names(&out_dir).is_empty());
    assert_eq!(std::fs::read(&cut).unwrap(), before);
}

/// A tmpfs mounted for one test, unmounted when dropped. `None` where `mount` is not allowed.
struct Tmpfs {
    dir: tempfile::TempDir,
}

impl Tmpfs {
    fn mount(options: &str) -> Option<Self> {
        let dir = tempfile::tempdir().ok()?;
        let mounted = Command::new("mount")
            .args(["-t", "tmpfs", "-o", options, "lathe-test"])
            .arg(dir.path())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|status| status.success());
        mounted.then_some(Self { dir })
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(self.dir.path()).status();
    }
}

/// Runs `lathe master INPUT -o OUTPUT` with the disk full: on a 64 KiB tmpfs where `mount`
/// works, else with `ulimit -f` (RLIMIT_FSIZE, SIGXFSZ ignored so the write fails with EFBIG).
fn master_onto_a_full_disk(input: &Path, scratch: &Path) -> (Output, PathBuf, Option<Tmpfs>) {
    if let Some(tmpfs) = Tmpfs::mount("size=64k") {
        let output = tmpfs.path().join("mastered.wav");
        let result = run_lathe([
            "master".as_ref(),
            input.as_os_str(),
            "-o".as_ref(),
            output.as_os_str(),
        ]);
        return (result, output, Some(tmpfs));
    }
    /// File size limit in 512-byte blocks (`ulimit -f`): 64 KiB.
    const FSIZE_BLOCKS: u32 = 128;
    let output = scratch.join("mastered.wav");
    let result = Command::new("sh")
        .arg("-c")
        .arg(format!(
            "trap '' XFSZ; ulimit -f {FSIZE_BLOCKS}; exec \"$0\" \"$@\""
        ))
        .arg(env!("CARGO_BIN_EXE_lathe"))
        .args([
            "master".as_ref(),
            input.as_os_str(),
            "-o".as_ref(),
            output.as_os_str(),
        ])
        .output()
        .unwrap();
    (result, output, None)
}

#[test]
fn a_full_disk_is_a_clear_error_and_leaves_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let input = good_wav(dir.path(), "song.wav");
    let before = std::fs::read(&input).unwrap();
    let scratch = dir.path().join("scratch");
    std::fs::create_dir(&scratch).unwrap();
    let (result, output, tmpfs) = master_onto_a_full_disk(&input, &scratch);
    let stderr = text(&result.stderr);
    assert_eq!(
        result.status.code(),
        Some(EXIT_SOME_FILES_FAILED),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!(
            "lathe: cannot master {:?}: ",
            input.to_string_lossy()
        )) && stderr.contains(&format!("{:?}", output.to_string_lossy()))
            && (stderr.contains("No space left") || stderr.contains("too large")),
        "expected a message naming both files and the full disk:\n{stderr}"
    );
    let out_dir = output.parent().unwrap();
    assert!(
        dir_names(out_dir).is_empty(),
        "left {:?}",
        dir_names(out_dir)
    );
    assert_eq!(std::fs::read(&input).unwrap(), before);
    drop(tmpfs);
}

#[test]
fn unwritable_outputs_are_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    let input = good_wav(dir.path(), "song.wav");
    let before = std::fs::read(&input).unwrap();
    let a_file = file(dir.path(), "a file", b"not a directory");
    let read_only = Tmpfs::mount("ro,size=64k");
    let mut outputs = vec![
        (
            dir.path().join("no such dir").join("out.wav"),
            "No such file",
        ),
        (a_file.join("out.wav"), "Not a directory"),
    ];
    if let Some(read_only) = &read_only {
        outputs.push((read_only.path().join("out.wav"), "Read-only file system"));
    }
    for (output, reason) in outputs {
        let result = run_lathe([
            "master".as_ref(),
            input.as_os_str(),
            "-o".as_ref(),
            output.as_os_str(),
        ]);
        let stderr = text(&result.stderr);
        assert_ne!(result.status.code(), Some(0), "{output:?}: {stderr}");
        assert!(
            stderr.contains(&format!("{:?}", output.to_string_lossy())) && stderr.contains(reason),
            "{output:?}: expected a message naming the output ({reason}):\n{stderr}"
        );
        assert!(!output.exists(), "{output:?}");
    }
    assert_eq!(std::fs::read(&input).unwrap(), before);
    assert_eq!(
        dir_names(dir.path()),
        ["a file", "no such dir", "song.wav"]
            .iter()
            .filter(|n| **n != "no such dir")
            .map(|n| n.to_string())
            .collect::<Vec<_>>()
    );
    assert_eq!(std::fs::read(&a_file).unwrap(), b"not a directory");
}

#[test]
fn a_report_that_cannot_be_written_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let input = good_wav(dir.path(), "song.wav");
    let full = std::fs::OpenOptions::new().write(true).open("/dev/full");
    let Ok(full) = full else {
        eprintln!("no /dev/full here; skipped");
        return;
    };
    let result = Command::new(env!("CARGO_BIN_EXE_lathe"))
        .args(["measure".as_ref(), "--json".as_ref(), input.as_os_str()])
        .stdout(full)
        .output()
        .unwrap();
    let stderr = text(&result.stderr);
    assert_eq!(
        result.status.code(),
        Some(EXIT_SOME_FILES_FAILED),
        "{stderr}"
    );
    assert!(
        stderr.contains("cannot write the report to standard output")
            && stderr.contains("No space left"),
        "{stderr}"
    );
}
