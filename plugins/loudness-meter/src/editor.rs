//! The Loudness Meter's editor: readouts, loudness history, target verdicts.
//! Reads only [`MeterTelemetry`] and writes only parameters (through the host).

use crate::params::{LoudnessMeterParams, TargetPreset};
use crate::telemetry::{MeterTelemetry, HISTORY_MOMENTARY, HISTORY_SHORT_TERM, STEPS_PER_SECOND};
use crate::verdicts::{self, Tone};
use crate::{report, report_png};
use nice_plug::prelude::*;
use nice_plug_egui::EguiEditor;
use plugin_kit::KitPlugin;
use shared_dsp::units::loudness::targets::LoudnessTarget;
use shared_ui::editor::{self, set_param, EditorShell, EditorView};
use shared_ui::egui::{self, Color32, RichText};
use shared_ui::widgets::knob;
use shared_ui::widgets::meter::{self, EbuRange, MeterScale, EBU_REFERENCE_LUFS};
use shared_ui::{theme, widgets};
use std::sync::Arc;

/// Editor size in logical pixels. The height leaves room for the verdict
/// lines a measurement adds at the top (two more than before one): at 660
/// the targets table's last row was cut off in a capture with live audio.
const EDITOR_WIDTH: f64 = 960.0;
const EDITOR_HEIGHT: f64 = 700.0;

/// Peak window mastering engineers ask a mix to leave (dBFS): −6 to −3.
const MIX_PEAK_WINDOW_DBFS: (f32, f32) = (-6.0, -3.0);

/// History spans offered, in seconds.
const HISTORY_SPANS_S: [(f32, &str); 4] = [
    (30.0, "30 s"),
    (60.0, "1 min"),
    (300.0, "5 min"),
    (600.0, "10 min"),
];

/// Loudness range drawn by the history graph, LUFS (bottom, top).
const HISTORY_RANGE_LUFS: (f32, f32) = (-48.0, 0.0);

/// Width of each momentary / short-term meter's bar, logical px.
const LOUDNESS_METER_BAR_WIDTH: f32 = 18.0;
/// Height of the momentary / short-term meters (with their readouts),
/// logical px: the height of the readouts and history beside them.
const LOUDNESS_METER_HEIGHT: f32 = 220.0;
/// Width of the meter column (two meters, their scale labels, the scale
/// choices), logical px.
const LOUDNESS_METER_COLUMN_WIDTH: f32 = 190.0;

/// How the momentary and short-term meters are scaled (EBU Tech 3341, EBU
/// Mode). Editor state: not a parameter, not saved with the session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoudnessScaleChoice {
    /// "EBU +9" or "EBU +18".
    pub range: EbuRange,
    /// Labels in LU relative to the reference (true) or in LUFS.
    pub relative: bool,
    /// 0 LU at the selected target's loudness (true) or at Tech 3341's
    /// −23 LUFS.
    pub at_target: bool,
}

impl Default for LoudnessScaleChoice {
    fn default() -> Self {
        Self {
            range: EbuRange::Plus9,
            relative: true,
            at_target: false,
        }
    }
}

impl LoudnessScaleChoice {
    /// The meter scale for a selected target of `target_lufs`.
    pub fn scale(&self, target_lufs: f32) -> MeterScale {
        let reference = if self.at_target {
            target_lufs
        } else {
            EBU_REFERENCE_LUFS
        };
        MeterScale::ebu(self.range, reference, self.relative)
    }
}

/// What an export writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ReportFormat {
    Csv,
    Png,
}

pub struct MeterView {
    params: Arc<LoudnessMeterParams>,
    telemetry: Arc<MeterTelemetry>,
    rows: Vec<[Option<f32>; 2]>,
    momentary: Vec<Option<f32>>,
    short_term: Vec<Option<f32>>,
    span_s: f32,
    scale: LoudnessScaleChoice,
    /// Outcome of the last export: the file written, or why not.
    export_status: Option<Result<std::path::PathBuf, String>>,
}

/// Creates the editor (called by the host on the main thread).
/// The editor's view of `params` and `telemetry`, before any frame is drawn.
fn new_view(params: Arc<LoudnessMeterParams>, telemetry: Arc<MeterTelemetry>) -> MeterView {
    MeterView {
        params,
        telemetry,
        rows: Vec::new(),
        momentary: Vec::new(),
        short_term: Vec::new(),
        span_s: HISTORY_SPANS_S[1].0,
        scale: LoudnessScaleChoice::default(),
        export_status: None,
    }
}

pub fn create(
    params: Arc<LoudnessMeterParams>,
    telemetry: Arc<MeterTelemetry>,
) -> Option<EguiEditor<EditorShell<MeterView>>> {
    let repaint = telemetry.repaint.clone();
    let scale = params.editor_scale.clone();
    let view = new_view(params, telemetry);
    editor::create(
        view,
        (EDITOR_WIDTH, EDITOR_HEIGHT),
        crate::LoudnessMeter::IDENTITY.name,
        scale,
        repaint,
    )
}

fn tone_color(tone: Tone) -> Color32 {
    match tone {
        Tone::Good => theme::GOOD,
        Tone::Warn => theme::WARN,
        Tone::Bad => theme::OVER,
    }
}

/// A verdict's text in its colour.
fn toned((text, tone): (String, Tone)) -> RichText {
    RichText::new(text).color(tone_color(tone))
}

/// Width of the label column of the measurement options, logical px.
const OPTION_LABEL_WIDTH: f32 = 110.0;

impl MeterView {
    fn header(&mut self, ui: &mut egui::Ui) {
        let t = &self.telemetry;
        let target = self.params.target.value().target();
        let integrated = t.integrated_lufs.load();
        let true_peak = t.true_peak_dbtp.load();
        let mut export = None;
        ui.horizontal(|ui| {
            let color = match (integrated, true_peak) {
                // The loudness readout in the loudness verdict's colour only.
                (Some(i), Some(tp)) => {
                    tone_color(verdicts::loudness(&target.assess(i as f64, tp as f64)).1)
                }
                _ => theme::ACCENT,
            };
            widgets::readout(
                ui,
                "INTEGRATED",
                integrated,
                "LUFS",
                theme::HERO_TEXT_PT,
                color,
            );
            ui.vertical(|ui| {
                ui.label(RichText::new(format!("Target: {}", target.name)).color(theme::TEXT_DIM));
                if let (Some(i), Some(tp)) = (integrated, true_peak) {
                    // Loudness and true peak judged apart, then the peak-safe fix.
                    let a = target.assess(i as f64, tp as f64);
                    let size = theme::READOUT_TEXT_PT * 0.7;
                    let (loudness, tone) = verdicts::loudness(&a);
                    ui.label(toned((format!("Loudness: {loudness}"), tone)).size(size));
                    let (peak, tone) = verdicts::peak(&a, target);
                    ui.label(toned((format!("True peak: {peak}"), tone)).size(size));
                    let (fix, tone) = verdicts::fix(a.fix);
                    ui.label(toned((format!("Fix: {fix}"), tone)));
                } else {
                    ui.label(RichText::new("measuring…").color(theme::TEXT_DIM));
                }
                let measured = t.measured_s.load().unwrap_or(0.0);
                let status = if t.is_paused() {
                    "  (paused: transport stopped)"
                } else {
                    ""
                };
                ui.label(
                    RichText::new(format!(
                        "{:02}:{:04.1} measured{status}",
                        (measured / 60.0) as u32,
                        measured % 60.0
                    ))
                    .color(theme::TEXT_DIM),
                );
            });
            ui.with_layout(egui::Layout::right_to_left(egui::Align::TOP), |ui| {
                ui.vertical(|ui| {
                    ui.with_layout(egui::Layout::right_to_left(egui::Align::TOP), |ui| {
                        if ui.button(RichText::new("Reset").size(16.0)).clicked() {
                            self.telemetry.reset_request.raise();
                        }
                        if ui
                            .button(RichText::new("Export PNG").size(16.0))
                            .on_hover_text(
                                "Save the readings, the verdicts and fixes per target and \
                                 the loudness history as a picture in Documents/Lathe",
                            )
                            .clicked()
                        {
                            export = Some(ReportFormat::Png);
                        }
                        if ui
                            .button(RichText::new("Export CSV").size(16.0))
                            .on_hover_text(
                                "Write the measurement, the verdicts per target and the \
                                 short-term history to a CSV file in Documents/Lathe",
                            )
                            .clicked()
                        {
                            export = Some(ReportFormat::Csv);
                        }
                    });
                    match &self.export_status {
                        Some(Ok(path)) => {
                            ui.label(
                                RichText::new(format!("Saved {}", path.display()))
                                    .color(theme::GOOD)
                                    .size(11.0),
                            );
                        }
                        Some(Err(e)) => {
                            ui.label(RichText::new(e).color(theme::OVER).size(11.0));
                        }
                        None => {}
                    }
                });
            });
        });
        if let Some(format) = export {
            self.export_status = Some(self.export(format));
        }
    }

    /// The current measurement as a report (see [`crate::report`]).
    fn measurement(&self) -> report::Measurement {
        let t = &self.telemetry;
        let mut rows = Vec::new();
        t.history.snapshot(&mut rows);
        report::Measurement {
            integrated_lufs: t.integrated_lufs.load(),
            loudness_range_lu: t.loudness_range_lu.load(),
            max_momentary_lufs: t.max_momentary_lufs.load(),
            max_short_term_lufs: t.max_short_term_lufs.load(),
            max_true_peak_dbtp: t.true_peak_dbtp.load(),
            measured_s: f64::from(t.measured_s.load().unwrap_or(0.0)),
            history: rows
                .iter()
                .map(|r| report::HistoryStep {
                    momentary_lufs: r[HISTORY_MOMENTARY],
                    short_term_lufs: r[HISTORY_SHORT_TERM],
                })
                .collect(),
            steps_per_second: STEPS_PER_SECOND,
        }
    }

    /// Writes the report into the documents folder (GUI thread; small
    /// blocking write): the path written, or a message naming the folder.
    fn export(&self, format: ReportFormat) -> Result<std::path::PathBuf, String> {
        let dir = report::report_dir(|name| std::env::var(name).ok())
            .ok_or("Export failed: no home or documents folder (set HOME)")?;
        // The editor's rows: every preset, then the custom target.
        let mut targets: Vec<LoudnessTarget> = (0..TargetPreset::variants().len())
            .map(|idx| *TargetPreset::from_index(idx).target())
            .collect();
        targets.push(self.params.custom_target());
        let measurement = self.measurement();
        let (bytes, extension) = match format {
            ReportFormat::Csv => (report::csv(&measurement, &targets).into_bytes(), "csv"),
            ReportFormat::Png => (
                report_png::render(&measurement, &targets)
                    .map_err(|e| format!("Export failed: {e}"))?
                    .0,
                "png",
            ),
        };
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        report::write_atomically(&dir, &report::file_name(now, extension), &bytes)
            .map_err(|e| format!("Export to {} failed: {e}", dir.display()))
    }

    fn readouts(&self, ui: &mut egui::Ui) {
        let t = &self.telemetry;
        let pt = theme::READOUT_TEXT_PT;
        ui.horizontal(|ui| {
            widgets::readout(
                ui,
                "MOMENTARY",
                t.momentary_lufs.load(),
                "LUFS",
                pt,
                theme::ACCENT,
            );
            widgets::readout(
                ui,
                "MAX M",
                t.max_momentary_lufs.load(),
                "LUFS",
                pt,
                theme::ACCENT,
            );
            widgets::readout(
                ui,
                "SHORT-TERM",
                t.short_term_lufs.load(),
                "LUFS",
                pt,
                theme::ACCENT_2,
            );
            widgets::readout(
                ui,
                "MAX S",
                t.max_short_term_lufs.load(),
                "LUFS",
                pt,
                theme::ACCENT_2,
            );
        });
        ui.horizontal(|ui| {
            let target = self.params.target.value().target();
            let tp = t.true_peak_dbtp.load();
            let tp_color = match tp {
                Some(v) if v as f64 > target.max_true_peak_dbtp => theme::OVER,
                _ => theme::TEXT,
            };
            widgets::readout(ui, "LRA", t.loudness_range_lu.load(), "LU", pt, theme::TEXT);
            widgets::readout(ui, "TRUE PEAK MAX", tp, "dBTP", pt, tp_color)
                .on_hover_text("Highest true peak since reset (held). Reset clears it.");
            widgets::readout(
                ui,
                "SAMPLE PEAK",
                t.sample_peak_dbfs.load(),
                "dBFS",
                pt,
                theme::TEXT,
            );
            widgets::readout(ui, "PLR", t.plr_lu.load(), "LU", pt, theme::TEXT)
                .on_hover_text("Peak-to-loudness ratio: true peak max − integrated");
        });
    }

    fn history(&mut self, ui: &mut egui::Ui) {
        self.telemetry.history.snapshot(&mut self.rows);
        self.momentary.clear();
        self.short_term.clear();
        self.momentary
            .extend(self.rows.iter().map(|r| r[HISTORY_MOMENTARY]));
        self.short_term
            .extend(self.rows.iter().map(|r| r[HISTORY_SHORT_TERM]));
        ui.horizontal(|ui| {
            ui.label(RichText::new("Loudness history").color(theme::TEXT_DIM));
            for (span, label) in HISTORY_SPANS_S {
                if ui.selectable_label(self.span_s == span, label).clicked() {
                    self.span_s = span;
                }
            }
        });
        let target = self.params.target.value().target();
        let width = ui.available_width();
        widgets::history_graph(
            ui,
            egui::vec2(width, 170.0),
            &[
                widgets::Series {
                    name: "Momentary",
                    values: &self.momentary,
                    color: theme::ACCENT,
                },
                widgets::Series {
                    name: "Short-term",
                    values: &self.short_term,
                    color: theme::ACCENT_2,
                },
            ],
            1.0 / STEPS_PER_SECOND as f32,
            self.span_s,
            HISTORY_RANGE_LUFS,
            "LUFS",
            Some((target.integrated_lufs as f32, theme::GOOD)),
        );
    }

    /// Momentary and short-term meters on the chosen EBU scale, and the
    /// choices of scale, unit and reference above them.
    fn loudness_meters(&mut self, ui: &mut egui::Ui) {
        let choice = &mut self.scale;
        ui.horizontal(|ui| {
            for range in [EbuRange::Plus9, EbuRange::Plus18] {
                let label = range.name().trim_start_matches("EBU ");
                if ui
                    .selectable_label(choice.range == range, label)
                    .on_hover_text(range.name())
                    .clicked()
                {
                    choice.range = range;
                }
            }
            ui.add_space(4.0);
            for (relative, label) in [(true, "LU"), (false, "LUFS")] {
                if ui
                    .selectable_label(choice.relative == relative, label)
                    .clicked()
                {
                    choice.relative = relative;
                }
            }
        });
        ui.horizontal(|ui| {
            ui.label(RichText::new("0 LU:").color(theme::TEXT_DIM));
            for (at_target, label, hover) in [
                (false, "−23", "EBU R128 / Tech 3341: 0 LU = −23 LUFS"),
                (true, "Target", "0 LU at the selected target's loudness"),
            ] {
                if ui
                    .selectable_label(choice.at_target == at_target, label)
                    .on_hover_text(hover)
                    .clicked()
                {
                    choice.at_target = at_target;
                }
            }
        });
        let target = self.params.target.value().target();
        let scale = self.scale.scale(target.integrated_lufs as f32);
        let t = &self.telemetry;
        let size = meter::meter_size(LOUDNESS_METER_BAR_WIDTH, LOUDNESS_METER_HEIGHT);
        ui.horizontal(|ui| {
            for (name, reading, color) in [
                ("M", t.momentary_lufs.load(), theme::ACCENT),
                ("S", t.short_term_lufs.load(), theme::ACCENT_2),
            ] {
                ui.vertical(|ui| {
                    ui.label(RichText::new(name).color(color));
                    meter::level_meter(ui, name, size, reading, scale, color);
                });
            }
        });
    }

    fn targets(&self, ui: &mut egui::Ui, setter: &ParamSetter) {
        let t = &self.telemetry;
        let measured = t.integrated_lufs.load().zip(t.true_peak_dbtp.load());
        let selected = self.params.target.value();
        let custom = self.params.custom_target();
        egui::Grid::new("platforms")
            .striped(true)
            .spacing([12.0, 3.0])
            .show(ui, |ui| {
                for heading in [
                    "Target",
                    "Reference",
                    "Loudness",
                    "True peak",
                    "Playback",
                    "Fix",
                ] {
                    ui.label(RichText::new(heading).color(theme::TEXT_DIM));
                }
                ui.end_row();
                for (idx, _) in TargetPreset::variants().iter().enumerate() {
                    let preset = TargetPreset::from_index(idx);
                    let target = preset.target();
                    let name = RichText::new(target.name);
                    if ui.selectable_label(preset == selected, name).clicked() {
                        set_param(setter, &self.params.target, preset);
                    }
                    target_row(ui, target, measured);
                }
                // The custom target: its values are the two Custom parameters.
                ui.label(RichText::new(custom.name).color(theme::ACCENT))
                    .on_hover_text(
                        "Your own target: set it with Custom Target and Custom Peak Limit",
                    );
                target_row(ui, &custom, measured);
            });
    }

    fn headroom(&self, ui: &mut egui::Ui, setter: &ParamSetter) {
        let peak = self.telemetry.true_peak_dbtp.load();
        let (lo, hi) = MIX_PEAK_WINDOW_DBFS;
        ui.label(RichText::new("Mix headroom for mastering").color(theme::TEXT_DIM));
        let (text, color) = match peak {
            None => ("no signal yet".to_owned(), theme::TEXT_DIM),
            Some(p) if p > hi => (
                format!("peaks {p:.1} dBTP: too hot, leave {:.0} dB", -hi),
                theme::OVER,
            ),
            Some(p) if p < lo => (
                format!("peaks {p:.1} dBTP: more headroom than needed"),
                theme::WARN,
            ),
            Some(p) => (
                format!("peaks {p:.1} dBTP: within {lo:.0} to {hi:.0} dBFS"),
                theme::GOOD,
            ),
        };
        ui.label(RichText::new(text).color(color));
        widgets::level_bar(ui, 260.0, peak, (-24.0, 0.0), Some(hi), color);
        ui.add_space(10.0);
        let p = &self.params;
        widgets::labelled_toggle(
            ui,
            "Reset on play",
            OPTION_LABEL_WIDTH,
            &p.auto_reset_on_play,
            setter,
        );
        widgets::labelled_toggle(
            ui,
            "Pause on stop",
            OPTION_LABEL_WIDTH,
            &p.pause_when_stopped,
            setter,
        );
        ui.add_space(10.0);
        ui.label(RichText::new("Custom target").color(theme::TEXT_DIM));
        ui.horizontal(|ui| {
            knob::knob(ui, "Loudness", &p.custom_target_lufs, setter);
            knob::knob(ui, "Peak limit", &p.custom_peak_dbtp, setter);
        });
    }
}

/// A reference level: whole numbers as such ("−14"), a custom target's
/// in-between values with their decimal ("−14.5").
fn level_text(level: f64) -> String {
    if level.fract() == 0.0 {
        format!("{level:.0}")
    } else {
        format!("{level:.1}")
    }
}

/// One target's cells after its name: reference, the two verdicts, what a
/// streaming service will do on playback, and the peak-safe fix; dashes
/// until something is measured.
fn target_row(ui: &mut egui::Ui, target: &LoudnessTarget, measured: Option<(f32, f32)>) {
    ui.label(format!(
        "{} LUFS, {} dBTP",
        level_text(target.integrated_lufs),
        level_text(target.max_true_peak_dbtp)
    ));
    match measured {
        Some((i, tp)) => {
            let (i, tp) = (f64::from(i), f64::from(tp));
            let a = target.assess(i, tp);
            ui.label(toned(verdicts::loudness(&a)));
            // The row's reference already names the limit: just the excess.
            ui.label(toned(verdicts::peak_short(&a)));
            ui.label(verdicts::playback(target, i, tp).unwrap_or_else(|| "–".to_owned()))
                .on_hover_text("What the service does on playback (delivery specs: nothing)");
            ui.label(toned(verdicts::fix(a.fix))).on_hover_text(
                "Gain to the reference, at most to the peak limit; a limiter for the rest",
            );
        }
        None => {
            for _ in 0..4 {
                ui.label("–");
            }
        }
    }
    ui.end_row();
}

impl EditorView for MeterView {
    fn draw(&mut self, ui: &mut egui::Ui, setter: &ParamSetter) {
        self.header(ui);
        ui.add_space(8.0);
        ui.horizontal_top(|ui| {
            let left = ui.available_width() - LOUDNESS_METER_COLUMN_WIDTH;
            ui.vertical(|ui| {
                ui.set_width(left);
                self.readouts(ui);
                ui.add_space(8.0);
                self.history(ui);
            });
            ui.vertical(|ui| self.loudness_meters(ui));
        });
        ui.add_space(8.0);
        ui.horizontal_top(|ui| {
            ui.vertical(|ui| self.targets(ui, setter));
            ui.add_space(24.0);
            ui.vertical(|ui| self.headroom(ui, setter));
        });
    }
}

#[cfg(test)]
mod layout_tests {
    use super::*;
    use shared_ui::testing::assert_editor_fits;

    /// Every widget of the editor (with the shell's title bar) lies inside
    /// its window at every offered size.
    #[test]
    fn nothing_is_laid_out_outside_the_window() {
        // With the longest status line an export shows, and the EBU +18
        // scale in LUFS (the widest labels).
        assert_editor_fits(
            || {
                let mut view = new_view(
                    Arc::new(LoudnessMeterParams::default()),
                    Arc::new(MeterTelemetry::default()),
                );
                view.scale = LoudnessScaleChoice {
                    range: EbuRange::Plus18,
                    relative: false,
                    at_target: true,
                };
                view.export_status = Some(Ok(std::path::PathBuf::from(
                    "/home/someone-with-a-long-name/Documents/Lathe/loudness-report-20261203-061502Z-2.csv",
                )));
                view
            },
            (EDITOR_WIDTH, EDITOR_HEIGHT),
        );
    }
}

#[cfg(test)]
mod scale_tests {
    use super::*;

    #[test]
    fn the_scale_choice_gives_tech_3341_ranges_around_the_chosen_reference() {
        let mut choice = LoudnessScaleChoice::default();
        // Default: EBU +9, in LU around −23 LUFS.
        let s = choice.scale(-14.0);
        assert_eq!((s.floor, s.top, s.unit), (-41.0, -14.0, "LU"));
        assert_eq!(s.label(-23.0), "0");
        choice.range = EbuRange::Plus18;
        choice.at_target = true;
        let s = choice.scale(-14.0);
        assert_eq!((s.floor, s.top), (-50.0, 4.0));
        assert_eq!(s.label(-14.0), "0");
        assert_eq!(s.label(-50.0), "−36");
        choice.relative = false;
        let s = choice.scale(-14.0);
        assert_eq!((s.floor, s.top, s.unit), (-50.0, 4.0, "LUFS"));
        assert_eq!(s.label(-14.0), "−14");
    }
}
