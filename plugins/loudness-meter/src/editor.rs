//! The Loudness Meter's editor: readouts, loudness history, target verdicts.
//! Reads only [`MeterTelemetry`] and writes only parameters (through the host).

use crate::params::{LoudnessMeterParams, TargetPreset};
use crate::telemetry::{MeterTelemetry, HISTORY_MOMENTARY, HISTORY_SHORT_TERM, STEPS_PER_SECOND};
use crate::verdicts::{self, Tone};
use nice_plug::prelude::*;
use nice_plug_egui::EguiEditor;
use plugin_kit::KitPlugin;
use shared_dsp::units::loudness::targets::LoudnessTarget;
use shared_ui::editor::{self, set_param, EditorShell, EditorView};
use shared_ui::egui::{self, Color32, RichText};
use shared_ui::widgets::knob;
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

pub struct MeterView {
    params: Arc<LoudnessMeterParams>,
    telemetry: Arc<MeterTelemetry>,
    rows: Vec<[Option<f32>; 2]>,
    momentary: Vec<Option<f32>>,
    short_term: Vec<Option<f32>>,
    span_s: f32,
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
                if ui.button(RichText::new("Reset").size(16.0)).clicked() {
                    self.telemetry.reset_request.raise();
                }
            });
        });
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
        self.readouts(ui);
        ui.add_space(8.0);
        self.history(ui);
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
        assert_editor_fits(
            || {
                new_view(
                    Arc::new(LoudnessMeterParams::default()),
                    Arc::new(MeterTelemetry::default()),
                )
            },
            (EDITOR_WIDTH, EDITOR_HEIGHT),
        );
    }
}
