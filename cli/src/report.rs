//! Output of measurements: a readable block per file, or one JSON object per
//! line (`--json`).

use std::fmt::Write as _;

use serde::Serialize;

use crate::layout::LayoutSource;
use crate::measure::{Measurement, SeriesPoint};

/// Shown for a loudness value that is undefined (too short, or silence).
pub const UNDEFINED_TEXT: &str = "—";
/// Shown for a peak of a file that is digital silence.
pub const NO_PEAK_TEXT: &str = "-inf";

/// Decimals of LUFS / LU / dB values in JSON: a thousandth of a dB is far
/// below anything audible or any standard's tolerance (EBU Tech 3341: ±0.1).
pub(crate) const JSON_LEVEL_DECIMALS: i32 = 3;
/// Decimals of times in JSON: a microsecond is finer than one sample at
/// any supported rate's step boundary, and hides `0.30000000000000004`.
const JSON_TIME_DECIMALS: i32 = 6;
/// Decimals of the correlation in JSON output.
const JSON_CORRELATION_DECIMALS: i32 = 3;
/// Decimals of the correlation in human output.
const HUMAN_CORRELATION_DECIMALS: usize = 2;
/// Decimals of loudness values in the human report (EBU Tech 3341 displays
/// to 0.1 LU).
pub(crate) const HUMAN_LOUDNESS_DECIMALS: usize = 1;
/// Decimals of peak values in the human report (close to 0 dBTP, hundredths matter).
pub(crate) const HUMAN_PEAK_DECIMALS: usize = 2;
/// Width of the label column in the human report.
pub(crate) const LABEL_WIDTH: usize = 22;
/// Width of the value column in the human report.
pub(crate) const VALUE_WIDTH: usize = 8;

const SECONDS_PER_MINUTE: f64 = 60.0;
const SECONDS_PER_HOUR: f64 = 3600.0;

/// Rounds `value` to `decimals` decimal places; never returns −0.0.
pub(crate) fn round_to(value: f64, decimals: i32) -> f64 {
    let scale = 10f64.powi(decimals);
    // Adding +0.0 turns −0.0 into +0.0 and leaves everything else alone.
    (value * scale).round() / scale + 0.0
}

/// A level for JSON: rounded, and `None` for anything not finite so JSON
/// never carries `-inf` or `NaN`.
pub(crate) fn json_level(value: Option<f64>) -> Option<f64> {
    value
        .filter(|v| v.is_finite())
        .map(|v| round_to(v, JSON_LEVEL_DECIMALS))
}

/// A series as `[[t_end_s, lufs], ...]`.
fn json_series(points: &[SeriesPoint]) -> Vec<(f64, Option<f64>)> {
    points
        .iter()
        .map(|point| {
            (
                round_to(point.t_end_s, JSON_TIME_DECIMALS),
                json_level(point.lufs),
            )
        })
        .collect()
}

/// The JSON object for one file (`--json`); field names are a public interface.
#[derive(Debug, Serialize)]
struct JsonReport<'a> {
    file: &'a str,
    sample_rate: u32,
    channels: usize,
    /// The speaker of each channel as weighed: `["L", "R", "C", "LFE", "Ls", "Rs"]`.
    channel_order: Vec<&'static str>,
    /// The WAV channel mask the order was read from; `null` when the default
    /// order for the channel count was used.
    channel_mask: Option<u32>,
    duration_s: f64,
    integrated_lufs: Option<f64>,
    max_momentary_lufs: Option<f64>,
    max_short_term_lufs: Option<f64>,
    lra_lu: Option<f64>,
    true_peak_dbtp: Option<f64>,
    sample_peak_dbfs: Option<f64>,
    plr_lu: Option<f64>,
    /// Stereo files: how much quieter the mono fold-down `(L+R)/2` is, LU
    /// (integrated loudness); `null` when undefined or total.
    mono_loss_lu: Option<f64>,
    /// Stereo files: the fold-down is silent while the mix is not (inverted
    /// channels); `null` for other channel counts.
    mono_collapses: Option<bool>,
    /// Stereo files: correlation of L and R over the whole file.
    correlation: Option<f64>,
    /// The file ends before the length its header declares; the readings
    /// are of what is there.
    truncated: bool,
    /// When truncated: the duration the header declares, seconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    declared_duration_s: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    momentary_series: Option<Vec<(f64, Option<f64>)>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    short_term_series: Option<Vec<(f64, Option<f64>)>>,
}

/// One line of JSON (no trailing newline) describing `measurement` of `file`.
pub fn json_line(file: &str, measurement: &Measurement) -> String {
    let readings = &measurement.readings;
    let report = JsonReport {
        file,
        sample_rate: measurement.info.sample_rate,
        channels: measurement.info.num_channels,
        channel_order: measurement
            .layout
            .roles()
            .iter()
            .map(|role| role.short_name())
            .collect(),
        channel_mask: match measurement.layout.source {
            LayoutSource::ChannelMask(mask) => Some(mask),
            LayoutSource::Default => None,
        },
        duration_s: round_to(measurement.duration_s(), JSON_TIME_DECIMALS),
        integrated_lufs: json_level(readings.integrated_lufs),
        max_momentary_lufs: json_level(readings.max_momentary_lufs),
        max_short_term_lufs: json_level(readings.max_short_term_lufs),
        lra_lu: json_level(readings.loudness_range_lu),
        true_peak_dbtp: json_level(readings.true_peak_dbtp),
        sample_peak_dbfs: json_level(readings.sample_peak_dbfs),
        plr_lu: json_level(readings.plr_lu),
        mono_loss_lu: measurement
            .mono
            .and_then(|m| json_level(m.loss.integrated_lu)),
        mono_collapses: measurement
            .mono
            .map(|m| m.loss.integrated_lu == Some(f64::INFINITY)),
        correlation: measurement.mono.and_then(|m| {
            m.correlation
                .map(|c| round_to(c, JSON_CORRELATION_DECIMALS))
        }),
        truncated: measurement.truncated.is_some(),
        declared_duration_s: measurement.truncated.map(|truncation| {
            round_to(
                truncation.declared_frames as f64 / f64::from(measurement.info.sample_rate),
                JSON_TIME_DECIMALS,
            )
        }),
        momentary_series: measurement
            .series
            .as_ref()
            .map(|series| json_series(&series.momentary)),
        short_term_series: measurement
            .series
            .as_ref()
            .map(|series| json_series(&series.short_term)),
    };
    serde_json::to_string(&report).expect("a report of numbers and strings always serializes")
}

/// `value` with `decimals` places, or `undefined` when it is not defined.
pub(crate) fn format_value(value: Option<f64>, decimals: usize, undefined: &str) -> String {
    match value.filter(|v| v.is_finite()) {
        Some(v) => format!("{:.decimals$}", round_to(v, decimals as i32)),
        None => undefined.to_owned(),
    }
}

/// A duration as `m:ss.sss` or `h:mm:ss.sss`.
fn format_clock(seconds: f64) -> String {
    let hours = (seconds / SECONDS_PER_HOUR).floor();
    let minutes = ((seconds - hours * SECONDS_PER_HOUR) / SECONDS_PER_MINUTE).floor();
    let rest = seconds - hours * SECONDS_PER_HOUR - minutes * SECONDS_PER_MINUTE;
    if hours > 0.0 {
        format!("{hours:.0}:{minutes:02.0}:{rest:06.3}")
    } else {
        format!("{minutes:.0}:{rest:06.3}")
    }
}

/// A human description of a file's channels: `mono`, `stereo`, or the
/// speaker order and where it came from.
fn channel_description(measurement: &Measurement) -> String {
    match measurement.info.num_channels {
        1 => "mono".to_owned(),
        2 => "stereo".to_owned(),
        _ => {
            let from = match measurement.layout.source {
                LayoutSource::ChannelMask(mask) => format!("channel mask {mask:#x}"),
                LayoutSource::Default => "default order, no channel mask".to_owned(),
            };
            format!("{}; {from}", measurement.layout.names())
        }
    }
}

/// A readable multi-line block describing `measurement` of `file`, ending
/// with a newline.
pub fn human_block(file: &str, measurement: &Measurement) -> String {
    let readings = &measurement.readings;
    let loudness = |value| format_value(value, HUMAN_LOUDNESS_DECIMALS, UNDEFINED_TEXT);
    let peak = |value| format_value(value, HUMAN_PEAK_DECIMALS, NO_PEAK_TEXT);
    let rows = [
        (
            "Integrated loudness",
            loudness(readings.integrated_lufs),
            "LUFS",
        ),
        ("Loudness range", loudness(readings.loudness_range_lu), "LU"),
        (
            "Max momentary",
            loudness(readings.max_momentary_lufs),
            "LUFS",
        ),
        (
            "Max short-term",
            loudness(readings.max_short_term_lufs),
            "LUFS",
        ),
        ("True peak", peak(readings.true_peak_dbtp), "dBTP"),
        ("Sample peak", peak(readings.sample_peak_dbfs), "dBFS"),
        ("PLR", loudness(readings.plr_lu), "LU"),
    ];

    let mut out = format!("{file}\n");
    let mut rows = rows.to_vec();
    if let Some(mono) = measurement.mono {
        let loss = match mono.loss.integrated_lu {
            Some(lu) if lu.is_infinite() => "total".to_owned(),
            other => loudness(other),
        };
        rows.push(("Mono fold-down loss", loss, "LU"));
        rows.push((
            "Correlation",
            format_value(mono.correlation, HUMAN_CORRELATION_DECIMALS, UNDEFINED_TEXT),
            "",
        ));
    }
    for (label, value, unit) in rows {
        let _ = writeln!(out, "  {label:<LABEL_WIDTH$}{value:>VALUE_WIDTH$} {unit}");
    }
    let duration_s = measurement.duration_s();
    let _ = writeln!(
        out,
        "  {:<LABEL_WIDTH$}{:>VALUE_WIDTH$} ({duration_s:.3} s)",
        "Duration",
        format_clock(duration_s),
    );
    let _ = writeln!(
        out,
        "  {:<LABEL_WIDTH$}{:>VALUE_WIDTH$} Hz",
        "Sample rate", measurement.info.sample_rate,
    );
    let _ = writeln!(
        out,
        "  {:<LABEL_WIDTH$}{:>VALUE_WIDTH$} ({})",
        "Channels",
        measurement.info.num_channels,
        channel_description(measurement),
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clock_formats_minutes_and_hours() {
        assert_eq!(format_clock(20.0), "0:20.000");
        assert_eq!(format_clock(75.5), "1:15.500");
        assert_eq!(format_clock(3_723.25), "1:02:03.250");
    }

    #[test]
    fn undefined_and_infinite_values_never_reach_json() {
        assert_eq!(json_level(None), None);
        assert_eq!(json_level(Some(f64::NEG_INFINITY)), None);
        assert_eq!(json_level(Some(f64::NAN)), None);
        assert_eq!(json_level(Some(-23.00049)), Some(-23.0));
        assert!(json_level(Some(-0.0004)).unwrap().is_sign_positive());
    }

    #[test]
    fn undefined_values_print_as_dash_or_minus_inf() {
        assert_eq!(format_value(None, 1, UNDEFINED_TEXT), "—");
        assert_eq!(
            format_value(Some(f64::NEG_INFINITY), 2, NO_PEAK_TEXT),
            "-inf"
        );
        assert_eq!(format_value(Some(-0.954), 2, NO_PEAK_TEXT), "-0.95");
        assert_eq!(format_value(Some(-0.006), 1, UNDEFINED_TEXT), "0.0");
    }
}
