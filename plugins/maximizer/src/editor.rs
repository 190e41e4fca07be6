//! The Maximizer's editor: scrolling waveform with gain reduction, output
//! loudness and true-peak meters, latency readout, every control with units,
//! Learn. Reads only [`MaximizerTelemetry`]; writes only parameters.

use crate::params::MaximizerParams;
use crate::telemetry::{MaximizerTelemetry, WAVEFORM_COLUMN_S};
use nice_plug::prelude::*;
use nice_plug_egui::widgets::ParamSlider;
use nice_plug_egui::EguiEditor;
use plugin_kit::KitPlugin;
use shared_dsp::processors::maximizer::learn::learned_gain_db;
use shared_ui::editor::{self, set_param, EditorShell, EditorView};
use shared_ui::egui::{self, RichText};
use shared_ui::theme;
use shared_ui::widgets::meter::{self, MeterScale};
use shared_ui::widgets::{self, choice, knob, WaveformColumn};
use std::sync::atomic::Ordering;
use std::sync::Arc;

const EDITOR_WIDTH: f64 = 960.0;
const EDITOR_HEIGHT: f64 = 660.0;
/// Lowest level drawn by the waveform, dBFS.
const WAVEFORM_FLOOR_DB: f32 = -36.0;
/// Gain reduction at the bottom edge of the waveform, dB.
const WAVEFORM_GR_RANGE_DB: f32 = 12.0;
/// Size of the waveform, logical px.
const WAVEFORM_SIZE: egui::Vec2 = egui::vec2(500.0, 240.0);
/// Size of the gain-reduction history, logical px.
const GR_HISTORY_SIZE: egui::Vec2 = egui::vec2(500.0, 130.0);
/// Width of a meter's bar, logical px.
const METER_BAR_WIDTH: f32 = 14.0;
/// Height of the meters beside the waveform, logical px: the waveform and
/// the gain-reduction history with the space between them.
const METER_HEIGHT: f32 = 374.0;
/// Lowest output level the output meter shows, dBFS.
const METER_FLOOR_DB: f32 = -48.0;
/// Window of the held gain-reduction readout, s.
const GR_PEAK_WINDOW_S: f64 = 1.0;
/// Width of the parameter sliders, logical px.
const SLIDER_WIDTH: f32 = 150.0;
/// Width of the label column, logical px.
const LABEL_WIDTH: f32 = 110.0;

pub struct MaximizerView {
    params: Arc<MaximizerParams>,
    telemetry: Arc<MaximizerTelemetry>,
    rows: Vec<[Option<f32>; 3]>,
    columns: Vec<WaveformColumn>,
    /// Gain reduction per waveform column, as negative dB for the history graph.
    gr_history: Vec<Option<f32>>,
    /// Largest gain reduction seen since the meters were last reset, dB.
    gr_max_db: Option<f32>,
}

/// Peak gain reduction over the newest `window_columns` history rows
/// (`[input dB, output dB, gain reduction dB]`, oldest first), dB (≥ 0);
/// `None` when no row in the window reduced the gain.
pub fn recent_peak_gain_reduction(rows: &[[Option<f32>; 3]], window_columns: usize) -> Option<f32> {
    rows[rows.len().saturating_sub(window_columns)..]
        .iter()
        .filter_map(|r| r[2])
        .filter(|gr| *gr > 0.0)
        .reduce(f32::max)
}

/// The running maximum `held` after seeing `recent` (both dB of gain reduction).
pub fn hold_maximum(held: Option<f32>, recent: Option<f32>) -> Option<f32> {
    match (held, recent) {
        (Some(h), Some(r)) => Some(h.max(r)),
        (h, r) => h.or(r),
    }
}

/// The editor's view of `params` and `telemetry`, before any frame is drawn.
fn new_view(params: Arc<MaximizerParams>, telemetry: Arc<MaximizerTelemetry>) -> MaximizerView {
    MaximizerView {
        params,
        telemetry,
        rows: Vec::new(),
        columns: Vec::new(),
        gr_history: Vec::new(),
        gr_max_db: None,
    }
}

pub fn create(
    params: Arc<MaximizerParams>,
    telemetry: Arc<MaximizerTelemetry>,
) -> Option<EguiEditor<EditorShell<MaximizerView>>> {
    let repaint = telemetry.repaint.clone();
    let scale = params.editor_scale.clone();
    let view = new_view(params, telemetry);
    editor::create(
        view,
        (EDITOR_WIDTH, EDITOR_HEIGHT),
        crate::Maximizer::IDENTITY.name,
        scale,
        repaint,
    )
}

impl MaximizerView {
    fn waveform(&mut self, ui: &mut egui::Ui) {
        self.telemetry.waveform.snapshot(&mut self.rows);
        let capacity = self.telemetry.waveform.capacity();
        WaveformColumn::fill_padded(&self.rows, capacity, &mut self.columns);
        // The whole snapshot (8 s) feeds the maximum, so no column is
        // missed while the editor repaints at least that often.
        self.gr_max_db = hold_maximum(
            self.gr_max_db,
            recent_peak_gain_reduction(&self.rows, self.rows.len()),
        );
        let span_s = capacity as f64 * WAVEFORM_COLUMN_S;
        ui.label(
            RichText::new(format!(
                "Input (grey), output (blue), gain reduction (red, from the top) — last {span_s:.0} s"
            ))
            .color(theme::TEXT_DIM),
        );
        widgets::waveform_history(
            ui,
            WAVEFORM_SIZE,
            &self.columns,
            WAVEFORM_FLOOR_DB,
            WAVEFORM_GR_RANGE_DB,
            Some(self.params.ceiling_dbtp.value()),
        );
        ui.add_space(4.0);
        self.gr_history.clear();
        self.gr_history.extend(
            std::iter::repeat_n(None, capacity.saturating_sub(self.rows.len())).chain(
                self.rows
                    .iter()
                    .map(|r| Some(-r[2].unwrap_or(0.0).max(0.0))),
            ),
        );
        widgets::history_graph(
            ui,
            GR_HISTORY_SIZE,
            &[widgets::Series {
                name: "Gain reduction",
                values: &self.gr_history,
                color: theme::OVER,
            }],
            WAVEFORM_COLUMN_S as f32,
            span_s as f32,
            (-WAVEFORM_GR_RANGE_DB, 0.0),
            "dB",
            None,
        );
    }

    /// Gain-reduction and output level meters beside the waveform.
    fn level_meters(&self, ui: &mut egui::Ui) {
        let t = &self.telemetry;
        ui.vertical(|ui| {
            ui.label(RichText::new("GR").color(theme::TEXT_DIM));
            meter::gain_reduction_meter(
                ui,
                "gain reduction",
                meter::meter_size(METER_BAR_WIDTH, METER_HEIGHT),
                t.gain_reduction_db.load(),
                WAVEFORM_GR_RANGE_DB,
            );
        });
        ui.vertical(|ui| {
            ui.label(RichText::new("OUT").color(theme::TEXT_DIM));
            meter::level_meter(
                ui,
                "output",
                meter::meter_size(METER_BAR_WIDTH, METER_HEIGHT),
                t.output.true_peak_dbtp.load(),
                MeterScale {
                    clip: Some(self.params.ceiling_dbtp.value()),
                    unit: "dBTP",
                    ..MeterScale::dbfs(METER_FLOOR_DB)
                },
                theme::ACCENT,
            );
        });
    }

    fn meters(&mut self, ui: &mut egui::Ui) {
        let reset_gr_max = std::cell::Cell::new(false);
        self.readouts(ui, &reset_gr_max);
        if reset_gr_max.get() {
            self.gr_max_db = None;
        }
    }

    fn readouts(&self, ui: &mut egui::Ui, reset_gr_max: &std::cell::Cell<bool>) {
        let t = &self.telemetry;
        let pt = theme::READOUT_TEXT_PT;
        let ceiling = self.params.ceiling_dbtp.value();
        let tp = t.output.true_peak_dbtp.load();
        let tp_color = if tp.is_some_and(|v| v > ceiling) {
            theme::OVER
        } else {
            theme::GOOD
        };
        ui.horizontal(|ui| {
            widgets::readout(ui, "OUT TRUE PEAK", tp, "dBTP", pt, tp_color);
        });
        ui.horizontal(|ui| {
            // Held readouts: the peak over the last second, and the maximum
            // since the meters were reset (click it to reset).
            let window = (GR_PEAK_WINDOW_S / WAVEFORM_COLUMN_S).round() as usize;
            let recent = recent_peak_gain_reduction(&self.rows, window);
            widgets::readout(
                ui,
                "GR PEAK (1 s)",
                Some(0.0 - recent.unwrap_or(0.0)),
                "dB",
                pt,
                theme::OVER,
            );
            let max = widgets::readout(
                ui,
                "GR MAX",
                Some(0.0 - self.gr_max_db.unwrap_or(0.0)),
                "dB",
                pt,
                theme::OVER,
            )
            .on_hover_text("Largest gain reduction since reset; click to reset");
            if max.clicked() {
                reset_gr_max.set(true);
            }
        });
        ui.horizontal(|ui| {
            widgets::readout(
                ui,
                "OUT INTEGRATED",
                t.output.integrated_lufs.load(),
                "LUFS",
                pt,
                theme::ACCENT,
            );
            widgets::readout(
                ui,
                "OUT SHORT-TERM",
                t.output.short_term_lufs.load(),
                "LUFS",
                pt,
                theme::ACCENT_2,
            );
        });
        ui.horizontal(|ui| {
            widgets::readout(
                ui,
                "OUT MOMENTARY",
                t.output.momentary_lufs.load(),
                "LUFS",
                pt,
                theme::ACCENT,
            );
            widgets::readout(
                ui,
                "IN INTEGRATED",
                t.input.integrated_lufs.load(),
                "LUFS",
                pt,
                theme::TEXT_DIM,
            );
        });
        let latency = t.latency();
        let rate = t.sample_rate_hz.load().unwrap_or(48_000.0);
        ui.label(
            RichText::new(format!(
                "Latency: {latency} samples ({:.2} ms at {:.1} kHz)",
                latency as f32 * 1000.0 / rate,
                rate / 1000.0
            ))
            .color(theme::TEXT),
        );
        if let Some(gain) = t.monitor_gain_db.load().filter(|g| *g != 0.0) {
            ui.label(
                RichText::new(format!(
                    "Preview: platform plays this at {} dB",
                    widgets::format_gain(gain, 1)
                ))
                .color(theme::WARN),
            );
        }
    }

    fn controls(&mut self, ui: &mut egui::Ui, setter: &ParamSetter) {
        let p = self.params.clone();
        ui.horizontal_top(|ui| {
            ui.vertical(|ui| {
                ui.label(RichText::new("LIMITER").color(theme::TEXT_DIM));
                ui.horizontal(|ui| {
                    knob::knob(ui, "Input gain", &p.input_gain_db, setter);
                    knob::knob(ui, "Ceiling", &p.ceiling_dbtp, setter);
                    knob::knob(ui, "Release", &p.release_ms, setter);
                    knob::knob(ui, "Lookahead", &p.lookahead_ms, setter);
                    knob::knob(ui, "Stereo link", &p.stereo_link, setter);
                });
                toggle(ui, "Auto release", &p.auto_release, setter);
                choice(ui, "Character", &p.character, setter);
                choice(ui, "Oversampling", &p.oversampling, setter);
            });
            ui.add_space(20.0);
            ui.vertical(|ui| {
                ui.label(RichText::new("OUTPUT").color(theme::TEXT_DIM));
                choice(ui, "Dither", &p.dither, setter);
                choice(ui, "Word length", &p.dither_bits, setter);
                dropdown(ui, "Listen", &p.listen, setter);
                if p.listen.value() == crate::params::Listen::LevelMatchedBypass {
                    if let Some(cap) = self.telemetry.level_match_cap_db.load() {
                        ui.label(
                            RichText::new(format!(
                                "Bypass capped at {} dB: the ceiling",
                                widgets::format_gain(cap, 1)
                            ))
                            .color(theme::WARN),
                        )
                        .on_hover_text(
                            "Level-matched, the dry signal would exceed the ceiling: \
                             its gain is lowered to what its peaks allow",
                        );
                    }
                }
                dropdown(ui, "Preview", &p.preview, setter);
                toggle(ui, "Bypass", &p.bypass, setter);
                ui.add_space(8.0);
                ui.label(RichText::new("LOUDNESS TARGET").color(theme::TEXT_DIM));
                slider(ui, "Learn target", &p.learn_target_lufs, setter);
                self.learn(ui, setter);
            });
        });
    }

    /// Learn: restart the measurement, listen, then set the input gain so the
    /// output lands on the target (the limiter keeps it under the ceiling).
    fn learn(&mut self, ui: &mut egui::Ui, setter: &ParamSetter) {
        let t = self.telemetry.clone();
        let learning = t.learning.load(Ordering::Relaxed);
        ui.horizontal(|ui| {
            if !learning {
                if ui
                    .button("Learn")
                    .on_hover_text("Play a representative passage, then Apply")
                    .clicked()
                {
                    t.reset_meters.raise();
                    t.learning.store(true, Ordering::Relaxed);
                }
                if ui.button("Reset meters").clicked() {
                    t.reset_meters.raise();
                    self.gr_max_db = None;
                }
            } else {
                let measured = t.output.integrated_lufs.load();
                let apply = ui.add_enabled(measured.is_some(), egui::Button::new("Apply"));
                if apply.clicked() {
                    if let Some(out) = measured {
                        let current = self.params.input_gain_db.value();
                        let target = self.params.learn_target_lufs.value();
                        let gain =
                            learned_gain_db(f64::from(current), f64::from(out), f64::from(target))
                                as f32;
                        set_param(setter, &self.params.input_gain_db, gain);
                    }
                    t.learning.store(false, Ordering::Relaxed);
                }
                if ui.button("Cancel").clicked() {
                    t.learning.store(false, Ordering::Relaxed);
                }
                ui.label(
                    RichText::new(format!(
                        "listening… output {} LUFS",
                        widgets::format_level(measured, 1)
                    ))
                    .color(theme::WARN),
                );
            }
        });
    }
}

/// A labelled drop-down (for choices whose names are long).
fn dropdown<P: Param>(ui: &mut egui::Ui, label: &str, param: &P, setter: &ParamSetter) {
    widgets::labelled(ui, label, LABEL_WIDTH, |ui| {
        choice::dropdown(ui, param, setter);
    });
}

/// A labelled On/Off toggle for a switch parameter.
fn toggle(ui: &mut egui::Ui, label: &str, param: &BoolParam, setter: &ParamSetter) {
    widgets::labelled_toggle(ui, label, LABEL_WIDTH, param, setter);
}

/// A labelled segmented choice or drop-down for a stepped parameter.
fn choice<P: Param>(ui: &mut egui::Ui, label: &str, param: &P, setter: &ParamSetter) {
    widgets::labelled_choice(ui, label, LABEL_WIDTH, param, setter);
}

fn slider<P: Param>(ui: &mut egui::Ui, label: &str, param: &P, setter: &ParamSetter) {
    widgets::labelled(ui, label, LABEL_WIDTH, |ui| {
        ui.add(ParamSlider::for_param(param, setter).with_width(SLIDER_WIDTH));
    });
}

impl EditorView for MaximizerView {
    fn draw(&mut self, ui: &mut egui::Ui, setter: &ParamSetter) {
        ui.horizontal_top(|ui| {
            ui.vertical(|ui| self.waveform(ui));
            ui.add_space(8.0);
            self.level_meters(ui);
            ui.add_space(8.0);
            ui.vertical(|ui| self.meters(ui));
        });
        ui.add_space(10.0);
        self.controls(ui, setter);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(grs: &[Option<f32>]) -> Vec<[Option<f32>; 3]> {
        grs.iter().map(|gr| [Some(-6.0), Some(-1.0), *gr]).collect()
    }

    #[test]
    fn held_gain_reduction_is_the_peak_of_the_window_and_the_maximum_since_reset() {
        let window = (GR_PEAK_WINDOW_S / WAVEFORM_COLUMN_S).round() as usize;
        assert!(window > 2);
        // A 9 dB burst just older than the window, 3 dB inside it, the last column idle.
        let mut grs = vec![Some(9.0)];
        grs.extend(std::iter::repeat_n(Some(1.0), window - 2));
        grs.push(Some(3.0));
        grs.push(Some(0.0));
        let r = rows(&grs);
        assert_eq!(
            recent_peak_gain_reduction(&r, window),
            Some(3.0),
            "the burst left the window"
        );
        assert_eq!(recent_peak_gain_reduction(&r, r.len()), Some(9.0));
        assert_eq!(
            recent_peak_gain_reduction(&rows(&[None, Some(0.0)]), window),
            None
        );
        // The maximum holds until reset, however quiet later frames are.
        let held = hold_maximum(None, Some(9.0));
        let held = hold_maximum(held, Some(2.0));
        assert_eq!(hold_maximum(held, None), Some(9.0));
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
                    Arc::new(MaximizerParams::default()),
                    Arc::new(MaximizerTelemetry::default()),
                )
            },
            (EDITOR_WIDTH, EDITOR_HEIGHT),
        );
    }
}
