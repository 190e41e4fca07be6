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
use shared_ui::widgets::{self, WaveformColumn};
use std::sync::atomic::Ordering;
use std::sync::Arc;

const EDITOR_WIDTH: f64 = 900.0;
const EDITOR_HEIGHT: f64 = 600.0;
/// Lowest level drawn by the waveform, dBFS.
const WAVEFORM_FLOOR_DB: f32 = -36.0;
/// Gain reduction at the bottom edge of the waveform, dB.
const WAVEFORM_GR_RANGE_DB: f32 = 12.0;
/// Width of the parameter sliders, logical px.
const SLIDER_WIDTH: f32 = 150.0;
/// Width of the label column, logical px.
const LABEL_WIDTH: f32 = 110.0;

pub struct MaximizerView {
    params: Arc<MaximizerParams>,
    telemetry: Arc<MaximizerTelemetry>,
    rows: Vec<[Option<f32>; 3]>,
    columns: Vec<WaveformColumn>,
}

pub fn create(
    params: Arc<MaximizerParams>,
    telemetry: Arc<MaximizerTelemetry>,
) -> Option<EguiEditor<EditorShell<MaximizerView>>> {
    let repaint = telemetry.repaint.clone();
    let view = MaximizerView {
        params,
        telemetry,
        rows: Vec::new(),
        columns: Vec::new(),
    };
    editor::create(
        view,
        (EDITOR_WIDTH, EDITOR_HEIGHT),
        crate::Maximizer::IDENTITY.name,
        repaint,
    )
}

impl MaximizerView {
    fn waveform(&mut self, ui: &mut egui::Ui) {
        self.telemetry.waveform.snapshot(&mut self.rows);
        let capacity = self.telemetry.waveform.capacity();
        WaveformColumn::fill_padded(&self.rows, capacity, &mut self.columns);
        ui.label(
            RichText::new(format!(
                "Input (grey), output (blue), gain reduction (red, top) — last {:.0} s",
                capacity as f64 * WAVEFORM_COLUMN_S
            ))
            .color(theme::TEXT_DIM),
        );
        widgets::waveform_history(
            ui,
            egui::vec2(560.0, 230.0),
            &self.columns,
            WAVEFORM_FLOOR_DB,
            WAVEFORM_GR_RANGE_DB,
            Some(self.params.ceiling_dbtp.value()),
        );
    }

    fn meters(&self, ui: &mut egui::Ui) {
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
            widgets::readout(
                ui,
                "GAIN REDUCTION",
                t.gain_reduction_db.load(),
                "dB",
                pt,
                theme::OVER,
            );
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

    fn controls(&self, ui: &mut egui::Ui, setter: &ParamSetter) {
        let p = &self.params;
        ui.horizontal_top(|ui| {
            ui.vertical(|ui| {
                ui.label(RichText::new("LIMITER").color(theme::TEXT_DIM));
                slider(ui, "Input gain", &p.input_gain_db, setter);
                slider(ui, "Ceiling", &p.ceiling_dbtp, setter);
                slider(ui, "Release", &p.release_ms, setter);
                slider(ui, "Auto release", &p.auto_release, setter);
                slider(ui, "Lookahead", &p.lookahead_ms, setter);
                slider(ui, "Stereo link", &p.stereo_link, setter);
                slider(ui, "Character", &p.character, setter);
                slider(ui, "Oversampling", &p.oversampling, setter);
            });
            ui.add_space(20.0);
            ui.vertical(|ui| {
                ui.label(RichText::new("OUTPUT").color(theme::TEXT_DIM));
                slider(ui, "Dither", &p.dither, setter);
                slider(ui, "Word length", &p.dither_bits, setter);
                slider(ui, "Listen", &p.listen, setter);
                slider(ui, "Preview", &p.preview, setter);
                slider(ui, "Bypass", &p.bypass, setter);
                ui.add_space(8.0);
                ui.label(RichText::new("LOUDNESS TARGET").color(theme::TEXT_DIM));
                slider(ui, "Learn target", &p.learn_target_lufs, setter);
                self.learn(ui, setter);
            });
        });
    }

    /// Learn: restart the measurement, listen, then set the input gain so the
    /// output lands on the target (the limiter keeps it under the ceiling).
    fn learn(&self, ui: &mut egui::Ui, setter: &ParamSetter) {
        let t = &self.telemetry;
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

fn slider<P: Param>(ui: &mut egui::Ui, label: &str, param: &P, setter: &ParamSetter) {
    widgets::labelled(ui, label, LABEL_WIDTH, |ui| {
        ui.add(ParamSlider::for_param(param, setter).with_width(SLIDER_WIDTH));
    });
}

impl EditorView for MaximizerView {
    fn draw(&mut self, ui: &mut egui::Ui, setter: &ParamSetter) {
        ui.horizontal_top(|ui| {
            ui.vertical(|ui| self.waveform(ui));
            ui.add_space(12.0);
            ui.vertical(|ui| self.meters(ui));
        });
        ui.add_space(10.0);
        self.controls(ui, setter);
    }
}
