//! The measurement as a CSV report (a delivery document engineers keep with
//! a master): the summary readings, both verdicts and the fix per target,
//! and the loudness history, one row per second with its mm:ss time.
//!
//! Written by the editor (GUI thread, never the audio thread) on a button
//! press, to [`report_dir`] under a timestamped name, atomically: into a
//! temporary file in the same folder, then renamed.
//!
//! # Format (RFC 4180: comma-separated, CRLF-free `\n` lines, fields with a
//! comma, quote or line break quoted)
//! Three tables one after the other, each with its own header row, separated
//! by an empty line:
//! 1. `quantity,value,unit`: integrated, loudness range, max momentary, max
//!    short-term, max true peak, measured time.
//! 2. `target,reference_lufs,peak_limit_dbtp,loudness,deviation_lu,true_peak,
//!    peak_excess_db,fix_gain_db,limiting_db` per target (loudness:
//!    `on target` / `too loud` / `too quiet`; true_peak: `within` / `over`;
//!    the fix columns empty when nothing needs fixing).
//! 3. `time,short_term_lufs,momentary_lufs`: one row per second of the
//!    history (time `mm:ss` since the measurement started; a reading not
//!    yet available is an empty field).
//!
//! Numbers use `.` and an ASCII `-`, one decimal (the meter's resolution);
//! a reading not available is an empty field.

use shared_dsp::units::loudness::targets::{LoudnessTarget, LoudnessVerdict, PeakVerdict};
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};

/// Folder below the documents folder the reports go to.
pub const REPORT_SUBDIR: &str = "Lathe";
/// File name prefix of a report; followed by the UTC time and `.csv`.
pub const REPORT_PREFIX: &str = "loudness-report-";

/// What a report holds: the readings at the moment of export.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Measurement {
    pub integrated_lufs: Option<f32>,
    pub loudness_range_lu: Option<f32>,
    pub max_momentary_lufs: Option<f32>,
    pub max_short_term_lufs: Option<f32>,
    pub max_true_peak_dbtp: Option<f32>,
    /// Seconds measured since the last reset.
    pub measured_s: f64,
    /// Momentary and short-term loudness per history step, oldest first;
    /// the last step is at `measured_s`.
    pub history: Vec<HistoryStep>,
    /// History steps per second.
    pub steps_per_second: usize,
}

/// One step of the history, LUFS.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct HistoryStep {
    pub momentary_lufs: Option<f32>,
    pub short_term_lufs: Option<f32>,
}

/// `value` with one decimal, ASCII minus, never "-0.0"; empty for `None`.
fn number(value: Option<f64>) -> String {
    match value {
        Some(v) if v.is_finite() => {
            let rounded = (v * 10.0).round() / 10.0;
            let rounded = if rounded == 0.0 { 0.0 } else { rounded };
            format!("{rounded:.1}")
        }
        _ => String::new(),
    }
}

/// A CSV field, quoted if it holds a comma, a quote or a line break.
fn field(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_owned()
    }
}

/// `seconds` (≥ 0) as `mm:ss`, minutes not wrapping at an hour ("75:03").
pub fn mm_ss(seconds: f64) -> String {
    let total = seconds.max(0.0).round() as u64;
    format!("{:02}:{:02}", total / 60, total % 60)
}

/// The report as CSV text (see the module docs), `targets` judged against
/// the integrated loudness and maximum true peak.
pub fn csv(m: &Measurement, targets: &[LoudnessTarget]) -> String {
    let mut out = String::new();
    let f = |v: Option<f32>| number(v.map(f64::from));
    out.push_str("quantity,value,unit\n");
    for (name, value, unit) in [
        ("integrated", f(m.integrated_lufs), "LUFS"),
        ("loudness range", f(m.loudness_range_lu), "LU"),
        ("max momentary", f(m.max_momentary_lufs), "LUFS"),
        ("max short-term", f(m.max_short_term_lufs), "LUFS"),
        ("max true peak", f(m.max_true_peak_dbtp), "dBTP"),
        ("measured", mm_ss(m.measured_s), "mm:ss"),
    ] {
        let _ = writeln!(out, "{},{},{}", field(name), field(&value), unit);
    }
    out.push('\n');
    out.push_str(
        "target,reference_lufs,peak_limit_dbtp,loudness,deviation_lu,true_peak,\
         peak_excess_db,fix_gain_db,limiting_db\n",
    );
    for t in targets {
        let cells = match (m.integrated_lufs, m.max_true_peak_dbtp) {
            (Some(i), Some(tp)) => {
                let a = t.assess(f64::from(i), f64::from(tp));
                let loudness = match a.loudness {
                    LoudnessVerdict::OnTarget => "on target",
                    LoudnessVerdict::TooLoud => "too loud",
                    LoudnessVerdict::TooQuiet => "too quiet",
                };
                let peak = match a.peak {
                    PeakVerdict::Within => "within",
                    PeakVerdict::Over => "over",
                };
                [
                    loudness.to_owned(),
                    number(Some(a.deviation_lu)),
                    peak.to_owned(),
                    number(Some(a.peak_excess_db)),
                    number(a.fix.map(|f| f.gain_db)),
                    number(a.fix.map(|f| f.limiting_db)),
                ]
            }
            _ => Default::default(),
        };
        let _ = write!(
            out,
            "{},{},{}",
            field(t.name),
            number(Some(t.integrated_lufs)),
            number(Some(t.max_true_peak_dbtp))
        );
        for cell in &cells {
            let _ = write!(out, ",{}", field(cell));
        }
        out.push('\n');
    }
    out.push('\n');
    out.push_str("time,short_term_lufs,momentary_lufs\n");
    let per_s = m.steps_per_second.max(1) as i64;
    // Rows on whole seconds since the start.
    for (index, step) in m.indexed_history() {
        if index % per_s != 0 {
            continue;
        }
        let _ = writeln!(
            out,
            "{},{},{}",
            mm_ss((index / per_s) as f64),
            f(step.short_term_lufs),
            f(step.momentary_lufs)
        );
    }
    out
}

impl Measurement {
    /// The history with each step's index since the measurement started
    /// (the last step is at `measured_s`); steps that would fall before
    /// the start are left out.
    fn indexed_history(&self) -> impl Iterator<Item = (i64, &HistoryStep)> {
        let per_s = self.steps_per_second.max(1);
        let n = self.history.len();
        let last_step = (self.measured_s * per_s as f64).round() as i64;
        self.history
            .iter()
            .enumerate()
            .map(move |(i, step)| (last_step - (n - 1 - i) as i64, step))
            .filter(|(index, _)| *index >= 0)
    }

    /// The history with each step's time since the measurement started, s.
    pub fn timed_history(&self) -> impl Iterator<Item = (f64, &HistoryStep)> {
        let per_s = self.steps_per_second.max(1) as f64;
        self.indexed_history()
            .map(move |(index, step)| (index as f64 / per_s, step))
    }
}

/// The folder reports go to: `$XDG_DOCUMENTS_DIR/Lathe` if that variable
/// is set, else `<home>/Documents/Lathe` (`$HOME`, or `%USERPROFILE%` on
/// Windows). `env` reads an environment variable. `None` if neither is set.
pub fn report_dir(env: impl Fn(&str) -> Option<String>) -> Option<PathBuf> {
    let non_empty = |name: &str| env(name).filter(|v| !v.is_empty());
    let documents = non_empty("XDG_DOCUMENTS_DIR")
        .map(PathBuf::from)
        .or_else(|| {
            non_empty("HOME")
                .or_else(|| non_empty("USERPROFILE"))
                .map(|home| Path::new(&home).join("Documents"))
        })?;
    Some(documents.join(REPORT_SUBDIR))
}

/// A report's file name for `unix_s` seconds since 1970 (UTC) with
/// `extension` (`csv`, `png`): `loudness-report-20261203-061502Z.csv`.
pub fn file_name(unix_s: u64, extension: &str) -> String {
    let days = (unix_s / 86_400) as i64;
    let secs = unix_s % 86_400;
    let (y, mo, d) = civil_from_days(days);
    format!(
        "{REPORT_PREFIX}{y:04}{mo:02}{d:02}-{:02}{:02}{:02}Z.{extension}",
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    )
}

/// Gregorian (year, month, day) of `days` since 1970-01-01 (H. Hinnant's
/// `civil_from_days`, <https://howardhinnant.github.io/date_algorithms.html>).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// Writes `bytes` to `dir/name` atomically: creates `dir`, writes a hidden
/// temporary file beside the target, flushes it to disk, renames it. A
/// name already taken gets `-2`, `-3`, … before its extension. Returns the
/// path written. GUI thread only (blocking I/O).
pub fn write_atomically(dir: &Path, name: &str, bytes: &[u8]) -> std::io::Result<PathBuf> {
    std::fs::create_dir_all(dir)?;
    let (stem, extension) = name.rsplit_once('.').unwrap_or((name, ""));
    let mut path = dir.join(name);
    let mut k = 2;
    while path.exists() {
        path = dir.join(format!("{stem}-{k}.{extension}"));
        k += 1;
    }
    let temp = dir.join(format!(".{stem}.{extension}.tmp"));
    let result = (|| {
        let mut file = std::fs::File::create(&temp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        std::fs::rename(&temp, &path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&temp);
    }
    result.map(|()| path)
}

#[cfg(test)]
mod tests {
    use super::*;
    use shared_dsp::units::loudness::targets::TARGETS;

    /// A small RFC 4180 reader: tables (split at empty lines) of rows of fields.
    fn parse(text: &str) -> Vec<Vec<Vec<String>>> {
        let mut tables = vec![Vec::new()];
        let mut row = Vec::new();
        let mut cell = String::new();
        let mut quoted = false;
        let mut chars = text.chars().peekable();
        let mut row_started = false;
        while let Some(c) = chars.next() {
            match (quoted, c) {
                (true, '"') if chars.peek() == Some(&'"') => {
                    chars.next();
                    cell.push('"');
                }
                (true, '"') => quoted = false,
                (true, c) => cell.push(c),
                (false, '"') => {
                    quoted = true;
                    row_started = true;
                }
                (false, ',') => {
                    row.push(std::mem::take(&mut cell));
                    row_started = true;
                }
                (false, '\n') => {
                    if row_started || !cell.is_empty() {
                        row.push(std::mem::take(&mut cell));
                        tables.last_mut().unwrap().push(std::mem::take(&mut row));
                    } else {
                        tables.push(Vec::new());
                    }
                    row_started = false;
                }
                (false, c) => {
                    cell.push(c);
                    row_started = true;
                }
            }
        }
        assert!(!quoted, "unterminated quote");
        tables
    }

    fn sample() -> Measurement {
        // 12.3 s measured at 10 steps/s; the short-term reading starts after 3 s.
        let steps = 124;
        Measurement {
            integrated_lufs: Some(-9.04),
            loudness_range_lu: Some(5.25),
            max_momentary_lufs: Some(-6.0),
            max_short_term_lufs: Some(-7.96),
            max_true_peak_dbtp: Some(0.4),
            measured_s: 12.3,
            history: (0..steps)
                .map(|i| HistoryStep {
                    momentary_lufs: Some(-10.0 - i as f32 * 0.1),
                    short_term_lufs: (i >= 30).then(|| -20.0 + i as f32 * 0.1),
                })
                .collect(),
            steps_per_second: 10,
        }
    }

    #[test]
    fn the_report_parses_back_to_the_readings_verdicts_and_history() {
        let m = sample();
        let text = csv(&m, TARGETS);
        let tables = parse(&text);
        assert_eq!(tables.len(), 3, "{text}");
        let [summary, targets, history] = [&tables[0], &tables[1], &tables[2]];
        assert_eq!(summary[0], ["quantity", "value", "unit"]);
        let value = |name: &str| {
            summary
                .iter()
                .find(|r| r[0] == name)
                .unwrap_or_else(|| panic!("{name} in {summary:?}"))[1]
                .clone()
        };
        assert_eq!(value("integrated"), "-9.0");
        assert_eq!(value("loudness range"), "5.3");
        assert_eq!(value("max momentary"), "-6.0");
        assert_eq!(value("max short-term"), "-8.0");
        assert_eq!(value("max true peak"), "0.4");
        assert_eq!(value("measured"), "00:12");

        // One row per target, each judged as the targets module judges it.
        assert_eq!(targets[0].len(), 9);
        assert_eq!(targets.len(), TARGETS.len() + 1);
        for (row, t) in targets[1..].iter().zip(TARGETS) {
            assert_eq!(row.len(), 9, "{row:?}");
            assert_eq!(row[0], t.name);
            let a = t.assess(f64::from(-9.04f32), f64::from(0.4f32));
            let parsed = |k: usize| row[k].parse::<f64>().unwrap();
            assert_eq!(parsed(1), t.integrated_lufs);
            assert!((parsed(4) - a.deviation_lu).abs() <= 0.05, "{row:?}");
            assert!((parsed(6) - a.peak_excess_db).abs() <= 0.05, "{row:?}");
            // The master is louder than every target and over every peak limit.
            assert_eq!(row[3], "too loud", "{row:?}");
            assert_eq!(row[5], "over");
            let fix = a.fix.unwrap();
            assert!((parsed(7) - fix.gain_db).abs() <= 0.05);
            assert!((parsed(8) - fix.limiting_db).abs() <= 0.05);
        }

        // History: seconds 0..=12, the last step at 12.3 s; step k is at
        // (k + 1 − 124 + 123) / 10 s, so second s is step 10·s − 0 … of the
        // stored 124 (first at 0.0 s).
        assert_eq!(history[0], ["time", "short_term_lufs", "momentary_lufs"]);
        let times: Vec<&str> = history[1..].iter().map(|r| r[0].as_str()).collect();
        let expected: Vec<String> = (0..=12).map(|s| format!("00:{s:02}")).collect();
        assert_eq!(times, expected);
        for (s, row) in history[1..].iter().enumerate() {
            let step = &m.history[10 * s];
            let expect = |v: Option<f32>| number(v.map(f64::from));
            assert_eq!(row[1], expect(step.short_term_lufs), "{row:?}");
            assert_eq!(row[2], expect(step.momentary_lufs), "{row:?}");
        }
        assert_eq!(history[1][1], "", "no short-term reading at 0 s");
        assert_eq!(history[4][1], "-17.0");
    }

    #[test]
    fn an_empty_measurement_has_empty_fields_and_no_history() {
        let text = csv(&Measurement::default(), &TARGETS[..2]);
        let tables = parse(&text);
        assert_eq!(tables[0][1], ["integrated", "", "LUFS"]);
        assert_eq!(tables[1][1][3..], ["", "", "", "", "", ""]);
        assert_eq!(tables[2].len(), 1, "header only");
    }

    #[test]
    fn fields_with_commas_and_quotes_are_quoted() {
        assert_eq!(field("a,b"), "\"a,b\"");
        assert_eq!(field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(field("plain"), "plain");
        let custom = LoudnessTarget::custom(-16.0, -1.5);
        let named = LoudnessTarget {
            name: "Mine, \"loud\"",
            ..custom
        };
        let tables = parse(&csv(&sample(), &[named]));
        assert_eq!(tables[1][1][0], "Mine, \"loud\"");
        assert_eq!(tables[1][1][2], "-1.5");
    }

    #[test]
    fn times_read_mm_ss_and_numbers_never_minus_zero() {
        assert_eq!(mm_ss(0.0), "00:00");
        assert_eq!(mm_ss(59.6), "01:00");
        assert_eq!(mm_ss(4503.0), "75:03");
        assert_eq!(number(Some(-0.04)), "0.0");
        assert_eq!(number(Some(-14.25)), "-14.3");
        assert_eq!(number(None), "");
        assert_eq!(number(Some(f64::NAN)), "");
    }

    #[test]
    fn long_measurements_time_the_history_from_the_start() {
        // 700 s measured, the history holds the last 600 s.
        let steps = 6000;
        let m = Measurement {
            measured_s: 700.0,
            history: vec![HistoryStep::default(); steps],
            steps_per_second: 10,
            ..Measurement::default()
        };
        let tables = parse(&csv(&m, &[]));
        let rows = &tables[2][1..];
        assert_eq!(rows.len(), 600);
        assert_eq!(rows[0][0], "01:41");
        assert_eq!(rows.last().unwrap()[0], "11:40");
    }

    #[test]
    fn file_names_carry_the_utc_time() {
        assert_eq!(file_name(0, "csv"), "loudness-report-19700101-000000Z.csv");
        // 2026-12-03 06:15:02 UTC.
        assert_eq!(
            file_name(1_796_278_502, "csv"),
            "loudness-report-20261203-061502Z.csv"
        );
        // A leap day.
        assert_eq!(
            file_name(951_782_400, "csv"),
            "loudness-report-20000229-000000Z.csv"
        );
    }

    #[test]
    fn the_report_folder_follows_xdg_then_home() {
        let env = |vars: &'static [(&'static str, &'static str)]| {
            move |name: &str| {
                vars.iter()
                    .find(|(k, _)| *k == name)
                    .map(|(_, v)| (*v).to_owned())
            }
        };
        assert_eq!(
            report_dir(env(&[("XDG_DOCUMENTS_DIR", "/x/Docs"), ("HOME", "/h")])),
            Some(PathBuf::from("/x/Docs/Lathe"))
        );
        assert_eq!(
            report_dir(env(&[("XDG_DOCUMENTS_DIR", ""), ("HOME", "/h")])),
            Some(PathBuf::from("/h/Documents/Lathe"))
        );
        assert_eq!(report_dir(env(&[])), None);
    }

    #[test]
    fn writing_is_atomic_and_never_overwrites() {
        let dir = std::env::temp_dir().join(format!("lathe-report-test-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let name = file_name(1_796_278_502, "csv");
        let first = write_atomically(&dir, &name, b"a\n").unwrap();
        let second = write_atomically(&dir, &name, b"b\n").unwrap();
        assert_eq!(first, dir.join(&name));
        assert_eq!(second, dir.join("loudness-report-20261203-061502Z-2.csv"));
        assert_eq!(std::fs::read_to_string(&first).unwrap(), "a\n");
        assert_eq!(std::fs::read_to_string(&second).unwrap(), "b\n");
        let left: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        assert_eq!(left.len(), 2, "no temporary file left: {left:?}");
        // A folder that cannot be created is an error, and nothing is left.
        let blocked = first.join("sub");
        assert!(write_atomically(&blocked, &name, b"c").is_err());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
