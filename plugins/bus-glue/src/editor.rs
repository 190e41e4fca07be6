//! The Bus Glue's editor: gain-reduction needle and history (input level
//! behind it), input/output meters with peak and loudness, the transfer
//! curve with the operating point, the glue (PLR drop) readout, per-band
//! gain reduction in three-band mode, and every control with units. Reads only [`BusGlueTelemetry`]; writes only
//! parameters.

use crate::params::{BusGlueParams, NUM_BANDS, RATIO_MARKS};
use crate::telemetry::{BusGlueTelemetry, HISTORY_STEP_S};
use nice_plug::prelude::*;
use nice_plug_egui::widgets::ParamSlider;
use nice_plug_egui::EguiEditor;
use plugin_kit::KitPlugin;
use shared_ui::editor::{self, set_param, EditorShell, EditorView};
use shared_ui::egui::{self, pos2, vec2, Align2, RichText, Sense, Shape, Stroke};
use shared_ui::theme;
use shared_ui::widgets::{self, WaveformColumn};
use std::sync::Arc;

const EDITOR_WIDTH: f64 = 1140.0;
const EDITOR_HEIGHT: f64 = 860.0;
/// Lowest level drawn by the history and the meters, dBFS.
const FLOOR_DB: f32 = -48.0;
/// Gain reduction at the full scale of the needle and the history, dB.
const GR_SCALE_DB: f32 = 20.0;
/// Level range of the transfer curve (both axes), dBFS.
const CURVE_RANGE_DB: (f32, f32) = (-60.0, 6.0);
/// Points along the transfer curve.
const CURVE_POINTS: usize = 120;
/// Width of the parameter sliders, logical px.
const SLIDER_WIDTH: f32 = 140.0;
/// Width of the label column, logical px.
const LABEL_WIDTH: f32 = 112.0;
/// Width of a band's sliders in the three-band grid, logical px.
const BAND_SLIDER_WIDTH: f32 = 120.0;
/// Width of the three-band grid's label column, logical px.
const BAND_LABEL_WIDTH: f32 = 64.0;
/// Names of the bands, lowest first.
const BAND_NAMES: [&str; NUM_BANDS] = ["LOW", "MID", "HIGH"];
/// Glue readouts inside this range (dB of PLR drop) are the sweet spot.
const GLUE_SWEET_SPOT_DB: (f32, f32) = (1.0, 3.0);

pub struct BusGlueView {
    params: Arc<BusGlueParams>,
    telemetry: Arc<BusGlueTelemetry>,
    rows: Vec<[Option<f32>; 3]>,
    columns: Vec<WaveformColumn>,
}

/// The editor's view of `params` and `telemetry`, before any frame is drawn.
fn new_view(params: Arc<BusGlueParams>, telemetry: Arc<BusGlueTelemetry>) -> BusGlueView {
    BusGlueView {
        params,
        telemetry,
        rows: Vec::new(),
        columns: Vec::new(),
    }
}

pub fn create(
    params: Arc<BusGlueParams>,
    telemetry: Arc<BusGlueTelemetry>,
) -> Option<EguiEditor<EditorShell<BusGlueView>>> {
    let repaint = telemetry.repaint.clone();
    let scale = params.editor_scale.clone();
    let view = new_view(params, telemetry);
    editor::create(
        view,
        (EDITOR_WIDTH, EDITOR_HEIGHT),
        crate::BusGlue::IDENTITY.name,
        scale,
        repaint,
    )
}

impl BusGlueView {
    fn history(&mut self, ui: &mut egui::Ui) {
        self.telemetry.history.snapshot(&mut self.rows);
        let capacity = self.telemetry.history.capacity();
        WaveformColumn::fill_padded(&self.rows, capacity, &mut self.columns);
        ui.label(
            RichText::new(format!(
                "Gain reduction (red, from the top, {GR_SCALE_DB:.0} dB full scale) over input (grey) and output (blue) — last {:.0} s",
                capacity as f64 * HISTORY_STEP_S
            ))
            .color(theme::TEXT_DIM),
        );
        widgets::waveform_history(
            ui,
            vec2(600.0, 170.0),
            &self.columns,
            FLOOR_DB,
            GR_SCALE_DB,
            None,
        );
    }

    /// Transfer curve (output level against detected level) with the
    /// threshold, the 1:1 line and the operating point.
    fn transfer_curve(&self, ui: &mut egui::Ui) {
        let size = vec2(200.0, 200.0);
        let (rect, _) = ui.allocate_exact_size(size, Sense::hover());
        let painter = ui.painter_at(rect);
        painter.rect_filled(rect, 4.0, theme::PANEL);
        let (lo, hi) = CURVE_RANGE_DB;
        let to_screen = |x_db: f32, y_db: f32| {
            let tx = ((x_db - lo) / (hi - lo)).clamp(0.0, 1.0);
            let ty = ((y_db - lo) / (hi - lo)).clamp(0.0, 1.0);
            pos2(
                rect.left() + tx * rect.width(),
                rect.bottom() - ty * rect.height(),
            )
        };
        let mut grid = lo;
        while grid <= hi {
            let a = to_screen(grid, lo);
            let b = to_screen(grid, hi);
            painter.line_segment([a, b], Stroke::new(1.0, theme::GRID));
            let c = to_screen(lo, grid);
            let d = to_screen(hi, grid);
            painter.line_segment([c, d], Stroke::new(1.0, theme::GRID));
            grid += 12.0;
        }
        painter.line_segment(
            [to_screen(lo, lo), to_screen(hi, hi)],
            Stroke::new(1.0, theme::TEXT_DIM),
        );
        let settings = self.params.settings();
        let threshold = settings.threshold_db;
        painter.extend(Shape::dashed_line(
            &[to_screen(threshold, lo), to_screen(threshold, hi)],
            Stroke::new(1.0, theme::WARN),
            4.0,
            3.0,
        ));
        let points: Vec<egui::Pos2> = (0..=CURVE_POINTS)
            .map(|i| {
                let x = lo + (hi - lo) * i as f32 / CURVE_POINTS as f32;
                to_screen(x, settings.transfer_db(f64::from(x)) as f32)
            })
            .collect();
        painter.add(Shape::line(points, Stroke::new(2.0, theme::ACCENT)));
        let t = &self.telemetry;
        if let (Some(x), Some(y)) = (t.operating_in_db.load(), t.operating_out_db.load()) {
            painter.circle_filled(to_screen(x, y), 4.5, theme::ACCENT_2);
        }
        painter.text(
            rect.left_top() + vec2(6.0, 4.0),
            Align2::LEFT_TOP,
            "TRANSFER",
            theme::label_font(theme::LABEL_TEXT_PT),
            theme::TEXT_DIM,
        );
    }

    /// A VU-style needle for the gain reduction, 0 (right) to
    /// [`GR_SCALE_DB`] (left).
    fn needle(&self, ui: &mut egui::Ui) {
        let (rect, _) = ui.allocate_exact_size(vec2(200.0, 110.0), Sense::hover());
        let painter = ui.painter_at(rect);
        painter.rect_filled(rect, 4.0, theme::PANEL);
        let pivot = pos2(rect.center().x, rect.bottom() - 10.0);
        let radius = rect.height() - 24.0;
        // Angle from the vertical, radians: +50° at 0 dB, −50° at full scale.
        let angle_of = |gr: f32| {
            let t = (gr / GR_SCALE_DB).clamp(0.0, 1.0);
            (50.0 - 100.0 * t).to_radians()
        };
        let at = |angle: f32, r: f32| pos2(pivot.x + r * angle.sin(), pivot.y - r * angle.cos());
        for mark in [0.0f32, 2.0, 4.0, 6.0, 10.0, 15.0, 20.0] {
            let a = angle_of(mark);
            painter.line_segment(
                [at(a, radius - 6.0), at(a, radius)],
                Stroke::new(1.0, theme::TEXT_DIM),
            );
            painter.text(
                at(a, radius + 8.0),
                Align2::CENTER_CENTER,
                format!("{mark:.0}"),
                theme::label_font(10.0),
                theme::TEXT_DIM,
            );
        }
        let gr = self.telemetry.gain_reduction_db.load().unwrap_or(0.0);
        painter.line_segment(
            [pivot, at(angle_of(gr), radius - 2.0)],
            Stroke::new(2.0, theme::OVER),
        );
        painter.circle_filled(pivot, 3.0, theme::TEXT);
        painter.text(
            rect.left_top() + vec2(6.0, 4.0),
            Align2::LEFT_TOP,
            "GR dB",
            theme::label_font(theme::LABEL_TEXT_PT),
            theme::TEXT_DIM,
        );
    }

    fn meters(&self, ui: &mut egui::Ui) {
        let t = &self.telemetry;
        let pt = theme::READOUT_TEXT_PT;
        let glue = t.glue_db.load();
        let glue_color = match glue {
            Some(g) if (GLUE_SWEET_SPOT_DB.0..=GLUE_SWEET_SPOT_DB.1).contains(&g) => theme::GOOD,
            Some(g) if g > GLUE_SWEET_SPOT_DB.1 => theme::WARN,
            _ => theme::ACCENT,
        };
        ui.horizontal(|ui| {
            widgets::readout(ui, "GLUE (PLR DROP)", glue, "dB", pt, glue_color)
                .on_hover_text("How much the crest factor (peak − short-term loudness) fell over the last seconds; 1–3 dB glues");
            widgets::readout(
                ui,
                "GAIN REDUCTION",
                t.gain_reduction_db.load(),
                "dB",
                pt,
                theme::OVER,
            );
        });
        for (name, tap) in [("IN", &t.input), ("OUT", &t.output)] {
            ui.horizontal(|ui| {
                ui.add_sized(
                    vec2(32.0, 12.0),
                    egui::Label::new(RichText::new(name).color(theme::TEXT_DIM)),
                );
                widgets::level_bar(
                    ui,
                    240.0,
                    tap.peak_dbfs.load(),
                    (FLOOR_DB, 0.0),
                    tap.true_peak_dbtp.load(),
                    theme::ACCENT,
                );
            });
            ui.label(
                RichText::new(format!(
                    "{name}: peak {} dBFS · true peak max {} dBTP · short-term {} LUFS · integrated {} LUFS · PLR {} dB",
                    widgets::format_level(tap.peak_dbfs.load(), 1),
                    widgets::format_level(tap.true_peak_dbtp.load(), 1),
                    widgets::format_level(tap.short_term_lufs.load(), 1),
                    widgets::format_level(tap.integrated_lufs.load(), 1),
                    widgets::format_level(tap.plr_db.load(), 1),
                ))
                .color(theme::TEXT),
            );
        }
        if self.params.matched_bypass.value() {
            ui.label(
                RichText::new(format!(
                    "Level-matched bypass: dry at {} dB",
                    widgets::format_gain(t.level_match_db.load().unwrap_or(0.0), 1)
                ))
                .color(theme::WARN),
            );
        }
        if ui.button("Reset meters").clicked() {
            t.reset_meters.raise();
        }
    }

    fn controls(&self, ui: &mut egui::Ui, setter: &ParamSetter) {
        let p = &self.params;
        ui.horizontal_top(|ui| {
            ui.vertical(|ui| {
                ui.label(RichText::new("COMPRESSOR").color(theme::TEXT_DIM));
                slider(ui, "Threshold", &p.threshold_db, setter);
                slider(ui, "Ratio", &p.ratio, setter);
                ui.horizontal(|ui| {
                    ui.add_space(LABEL_WIDTH);
                    for mark in RATIO_MARKS {
                        if ui.small_button(format!("{mark}:1")).clicked() {
                            set_param(setter, &p.ratio, mark);
                        }
                    }
                });
                slider(ui, "Attack", &p.attack_ms, setter);
                slider(ui, "Release", &p.release_ms, setter);
                toggle(ui, "Auto release", &p.auto_release, setter);
                slider(ui, "Knee", &p.knee_db, setter);
                slider(ui, "Range", &p.range_db, setter);
            });
            ui.add_space(16.0);
            ui.vertical(|ui| {
                ui.label(RichText::new("DETECTOR / SIDE-CHAIN").color(theme::TEXT_DIM));
                slider(ui, "Peak / RMS", &p.detector_rms, setter);
                slider(ui, "Stereo link", &p.stereo_link, setter);
                choice(ui, "Detect on", &p.detect_mode, setter);
                toggle(ui, "SC high-pass", &p.sc_hpf, setter);
                slider(ui, "SC HPF freq", &p.sc_hpf_hz, setter);
                toggle(ui, "External SC", &p.external_sc, setter);
                toggle(ui, "Listen", &p.listen, setter);
            });
            ui.add_space(16.0);
            ui.vertical(|ui| {
                ui.label(RichText::new("OUTPUT").color(theme::TEXT_DIM));
                slider(ui, "Make-up", &p.makeup_db, setter);
                toggle(ui, "Auto make-up", &p.auto_makeup, setter);
                slider(ui, "Output", &p.output_db, setter);
                slider(ui, "Mix", &p.mix, setter);
                toggle(ui, "Delta", &p.delta, setter);
                toggle(ui, "Matched bypass", &p.matched_bypass, setter);
                toggle(ui, "Bypass", &p.bypass, setter);
            });
        });
    }
}

impl BusGlueView {
    /// The three-band section: mode switch and crossovers, then a grid with
    /// one column per band (threshold, ratio, attack, release, solo, and
    /// its gain-reduction bar).
    fn bands(&self, ui: &mut egui::Ui, setter: &ParamSetter) {
        let p = &self.params;
        let multiband = p.multiband.value();
        ui.vertical(|ui| {
            ui.label(RichText::new("THREE-BAND").color(theme::TEXT_DIM));
            toggle(ui, "Three-band", &p.multiband, setter);
            slider(ui, "Crossover 1", &p.crossover_1_hz, setter);
            slider(ui, "Crossover 2", &p.crossover_2_hz, setter);
            // The soft clip sits under the band switches, so the section
            // stays inside the window's width.
            ui.add_space(10.0);
            self.soft_clip(ui, setter);
        });
        ui.add_space(12.0);
        ui.vertical(|ui| {
            ui.horizontal(|ui| {
                ui.add_space(BAND_LABEL_WIDTH + 4.0);
                for name in BAND_NAMES {
                    ui.add_sized(
                        vec2(BAND_SLIDER_WIDTH, 14.0),
                        egui::Label::new(RichText::new(name).color(theme::TEXT_DIM)),
                    );
                }
            });
            type Pick = fn(&crate::params::BandParams) -> &FloatParam;
            let rows: [(&str, Pick); 4] = [
                ("Threshold", |b| &b.threshold_db),
                ("Ratio", |b| &b.ratio),
                ("Attack", |b| &b.attack_ms),
                ("Release", |b| &b.release_ms),
            ];
            for (label, pick) in rows {
                widgets::labelled(ui, label, BAND_LABEL_WIDTH, |ui| {
                    for band in &p.bands {
                        ui.add(
                            ParamSlider::for_param(pick(band), setter)
                                .with_width(BAND_SLIDER_WIDTH),
                        );
                    }
                });
            }
            widgets::labelled(ui, "Solo", BAND_LABEL_WIDTH, |ui| {
                for band in &p.bands {
                    ui.add_sized(vec2(BAND_SLIDER_WIDTH, 18.0), |ui: &mut egui::Ui| {
                        shared_ui::widgets::toggle::on_off(ui, &band.solo, setter)
                    });
                }
            });
            widgets::labelled(ui, "GR dB", BAND_LABEL_WIDTH, |ui| {
                for cell in &self.telemetry.band_gain_reduction_db {
                    let value = if multiband { cell.load() } else { None };
                    gain_reduction_bar(ui, value);
                }
            });
        });
    }

    /// The output soft clip: switch, drive, ceiling, and the latency it adds.
    fn soft_clip(&self, ui: &mut egui::Ui, setter: &ParamSetter) {
        let p = &self.params;
        ui.vertical(|ui| {
            ui.label(RichText::new("SOFT CLIP (OVERSAMPLED)").color(theme::TEXT_DIM));
            toggle(ui, "Soft clip", &p.soft_clip, setter);
            slider(ui, "Drive", &p.soft_clip_drive_db, setter);
            slider(ui, "Ceiling", &p.soft_clip_ceiling_db, setter);
            let latency = self.telemetry.latency_samples.load();
            ui.label(
                RichText::new(format!(
                    "Latency: {} samples (reported to the host)",
                    latency.map_or_else(|| "—".to_owned(), |l| format!("{l:.0}"))
                ))
                .color(theme::TEXT_DIM),
            )
            .on_hover_text("A soft clip is not a true-peak limiter: the true peak can exceed the ceiling slightly");
        });
    }
}

/// A band's gain reduction as a bar growing from the left, 0 ..=
/// [`GR_SCALE_DB`], with its value; "—" when there is none.
fn gain_reduction_bar(ui: &mut egui::Ui, value_db: Option<f32>) {
    let (rect, _) = ui.allocate_exact_size(vec2(BAND_SLIDER_WIDTH, 16.0), Sense::hover());
    let painter = ui.painter_at(rect);
    painter.rect_filled(rect, 2.0, theme::PANEL);
    if let Some(gr) = value_db {
        let t = (gr / GR_SCALE_DB).clamp(0.0, 1.0);
        let filled =
            egui::Rect::from_min_max(rect.min, pos2(rect.left() + t * rect.width(), rect.max.y));
        painter.rect_filled(filled, 2.0, theme::OVER);
    }
    painter.text(
        rect.right_center() - vec2(4.0, 0.0),
        Align2::RIGHT_CENTER,
        value_db.map_or_else(|| "—".to_owned(), |gr| format!("{gr:.1}")),
        theme::label_font(10.0),
        theme::TEXT,
    );
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

impl EditorView for BusGlueView {
    fn opened(&mut self) {
        self.telemetry.editor_open.set(true);
    }

    fn closed(&mut self) {
        self.telemetry.editor_open.set(false);
    }

    fn draw(&mut self, ui: &mut egui::Ui, setter: &ParamSetter) {
        ui.horizontal_top(|ui| {
            ui.vertical(|ui| {
                self.history(ui);
                ui.add_space(6.0);
                self.meters(ui);
            });
            ui.add_space(12.0);
            ui.vertical(|ui| {
                self.needle(ui);
                ui.add_space(6.0);
                self.transfer_curve(ui);
            });
        });
        ui.add_space(10.0);
        self.controls(ui, setter);
        ui.add_space(10.0);
        ui.horizontal_top(|ui| self.bands(ui, setter));
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
                    Arc::new(BusGlueParams::default()),
                    Arc::new(BusGlueTelemetry::default()),
                )
            },
            (EDITOR_WIDTH, EDITOR_HEIGHT),
        );
    }
}
