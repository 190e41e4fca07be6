//! Output of `lathe master`: a readable before/after table per file, or one
//! JSON object per line (`--json`).

use std::fmt::Write as _;

use serde::Serialize;
use shared_dsp::units::loudness::LoudnessReadings;

use super::{MasterOutcome, HEAVY_LIMITING_GR_DB};
use crate::report::{
    format_value, json_level, round_to, HUMAN_LOUDNESS_DECIMALS, HUMAN_PEAK_DECIMALS,
    JSON_LEVEL_DECIMALS, LABEL_WIDTH, NO_PEAK_TEXT, UNDEFINED_TEXT, VALUE_WIDTH,
};

/// Decimals of the gain values in the human report.
const HUMAN_GAIN_DECIMALS: usize = 2;

/// The levels reported for each side (`before`, `after`).
#[derive(Debug, Serialize)]
struct JsonLevels {
    integrated_lufs: Option<f64>,
    true_peak_dbtp: Option<f64>,
    sample_peak_dbfs: Option<f64>,
    lra_lu: Option<f64>,
    max_short_term_lufs: Option<f64>,
    max_momentary_lufs: Option<f64>,
}

impl JsonLevels {
    fn new(readings: &LoudnessReadings) -> Self {
        Self {
            integrated_lufs: json_level(readings.integrated_lufs),
            true_peak_dbtp: json_level(readings.true_peak_dbtp),
            sample_peak_dbfs: json_level(readings.sample_peak_dbfs),
            lra_lu: json_level(readings.loudness_range_lu),
            max_short_term_lufs: json_level(readings.max_short_term_lufs),
            max_momentary_lufs: json_level(readings.max_momentary_lufs),
        }
    }
}

/// The JSON object for one file; field names are a public interface.
#[derive(Debug, Serialize)]
struct JsonReport<'a> {
    file: &'a str,
    output: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    plot: Option<&'a str>,
    target_lufs: f64,
    ceiling_dbtp: f64,
    before: JsonLevels,
    after: JsonLevels,
    input_gain_db: f64,
    passes: usize,
    max_gain_reduction_db: f64,
    /// `max_gain_reduction_db` is above [`super::HEAVY_LIMITING_GR_DB`].
    heavy_limiting: bool,
}

/// What the report says about one file besides the outcome.
pub struct ReportContext<'a> {
    pub file: &'a str,
    pub output: &'a str,
    pub plot: Option<&'a str>,
    pub target_lufs: f64,
    pub ceiling_dbtp: f64,
}

/// One line of JSON (no trailing newline).
pub fn json_line(context: &ReportContext, outcome: &MasterOutcome) -> String {
    let report = JsonReport {
        file: context.file,
        output: context.output,
        plot: context.plot,
        target_lufs: round_to(context.target_lufs, JSON_LEVEL_DECIMALS),
        ceiling_dbtp: round_to(context.ceiling_dbtp, JSON_LEVEL_DECIMALS),
        before: JsonLevels::new(&outcome.before.readings),
        after: JsonLevels::new(&outcome.after.readings),
        input_gain_db: round_to(outcome.input_gain_db, JSON_LEVEL_DECIMALS),
        passes: outcome.passes,
        max_gain_reduction_db: round_to(outcome.max_gain_reduction_db, JSON_LEVEL_DECIMALS),
        heavy_limiting: outcome.heavy_limiting(),
    };
    serde_json::to_string(&report).expect("a report of numbers and strings always serializes")
}

/// The stderr warning for a file that needed heavy limiting (see
/// [`HEAVY_LIMITING_GR_DB`]), or `None`.
pub fn heavy_limiting_warning(file: &str, outcome: &MasterOutcome) -> Option<String> {
    outcome.heavy_limiting().then(|| {
        format!(
            "lathe: warning: {file:?}: reaching the target took {:.1} dB of peak gain \
             reduction (more than {HEAVY_LIMITING_GR_DB:.0} dB is audible on most material); \
             consider a lower target",
            outcome.max_gain_reduction_db
        )
    })
}

/// A readable block with a before/after table, ending with a newline.
pub fn human_block(context: &ReportContext, outcome: &MasterOutcome) -> String {
    let before = &outcome.before.readings;
    let after = &outcome.after.readings;
    let loudness = |value| format_value(value, HUMAN_LOUDNESS_DECIMALS, UNDEFINED_TEXT);
    let peak = |value| format_value(value, HUMAN_PEAK_DECIMALS, NO_PEAK_TEXT);
    let rows = [
        (
            "Integrated loudness",
            loudness(before.integrated_lufs),
            loudness(after.integrated_lufs),
            "LUFS",
        ),
        (
            "True peak",
            peak(before.true_peak_dbtp),
            peak(after.true_peak_dbtp),
            "dBTP",
        ),
        (
            "Loudness range",
            loudness(before.loudness_range_lu),
            loudness(after.loudness_range_lu),
            "LU",
        ),
        (
            "Max short-term",
            loudness(before.max_short_term_lufs),
            loudness(after.max_short_term_lufs),
            "LUFS",
        ),
    ];

    let mut out = format!("{} → {}\n", context.file, context.output);
    let _ = writeln!(
        out,
        "  {:<LABEL_WIDTH$}{:>VALUE_WIDTH$} {:>VALUE_WIDTH$}",
        "", "before", "after"
    );
    for (label, before, after, unit) in rows {
        let _ = writeln!(
            out,
            "  {label:<LABEL_WIDTH$}{before:>VALUE_WIDTH$} {after:>VALUE_WIDTH$} {unit}"
        );
    }
    let _ = writeln!(
        out,
        "  {:<LABEL_WIDTH$}{:>+VALUE_WIDTH$.HUMAN_GAIN_DECIMALS$} dB ({} {})",
        "Input gain",
        outcome.input_gain_db,
        outcome.passes,
        if outcome.passes == 1 {
            "pass"
        } else {
            "passes"
        },
    );
    let _ = writeln!(
        out,
        "  {:<LABEL_WIDTH$}{:>VALUE_WIDTH$.HUMAN_GAIN_DECIMALS$} dB",
        "Max gain reduction", outcome.max_gain_reduction_db,
    );
    let _ = writeln!(
        out,
        "  {:<LABEL_WIDTH$}{:>VALUE_WIDTH$.1} LUFS, ceiling {:.1} dBTP",
        "Target", context.target_lufs, context.ceiling_dbtp,
    );
    if let Some(plot) = context.plot {
        let _ = writeln!(out, "  {:<LABEL_WIDTH$}{plot}", "Plot");
    }
    out
}
