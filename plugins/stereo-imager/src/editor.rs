//! The Stereo Imager's editor: goniometer with a polar level view,
//! correlation meter with history (and per band), balance, mid/side levels,
//! the mono fold-down loss with its warning, and every control with units.
//! Reads only [`ImagerTelemetry`]; writes only parameters (and the meter
//! reset request).

use crate::params::ImagerParams;
use crate::telemetry::{
    ImagerTelemetry, Loss, HISTORY_COLUMNS, HISTORY_OVERALL, HISTORY_STEPS_PER_SECOND, SCOPE_POINTS,
};
use nice_plug::prelude::*;
use nice_plug_egui::widgets::ParamSlider;
use nice_plug_egui::EguiEditor;
use plugin_kit::KitPlugin;
use shared_dsp::processors::stereo_imager::{goniometer_xy, polar_levels};
use shared_dsp::units::crossover::MAX_BANDS;
use shared_ui::editor::{self, EditorShell, EditorView};
use shared_ui::egui::{self, pos2, vec2, Align2, Color32, Rect, RichText, Sense, Shape, Stroke};
use shared_ui::theme;
use shared_ui::widgets::toggle;
use shared_ui::widgets::{self, Series};
use std::sync::atomic::Ordering;
use std::sync::Arc;

const EDITOR_WIDTH: f64 = 1040.0;
const EDITOR_HEIGHT: f64 = 700.0;
/// Side of the goniometer square, logical px.
const SCOPE_SIDE: f32 = 270.0;
/// Sectors of the polar level view.
const POLAR_BINS: usize = 45;
/// Lowest level of the mid/side bars, dBFS.
const LEVEL_FLOOR_DB: f32 = -60.0;
/// Width of the meter bars, logical px.
const METER_WIDTH: f32 = 300.0;
/// Width of the parameter sliders, logical px.
const SLIDER_WIDTH: f32 = 120.0;
/// Width of the label column, logical px.
const LABEL_WIDTH: f32 = 96.0;
/// Colours of the per-band correlation lines.
const BAND_COLOURS: [Color32; MAX_BANDS] = [
    Color32::from_rgb(0xd9, 0x6f, 0x4f),
    Color32::from_rgb(0xe0, 0xa4, 0x58),
    Color32::from_rgb(0x6c, 0xc6, 0x7a),
    Color32::from_rgb(0xa0, 0x8c, 0xe0),
];

pub struct ImagerView {
    params: Arc<ImagerParams>,
    telemetry: Arc<ImagerTelemetry>,
    scope: Vec<f32>,
    polar: [f32; POLAR_BINS],
    rows: Vec<[Option<f32>; HISTORY_COLUMNS]>,
    series: Vec<Vec<Option<f32>>>,
}

/// The editor's view of `params` and `telemetry`, before any frame is drawn.
fn new_view(params: Arc<ImagerParams>, telemetry: Arc<ImagerTelemetry>) -> ImagerView {
    ImagerView {
        params,
        telemetry,
        scope: vec![0.0; 2 * SCOPE_POINTS],
        polar: [0.0; POLAR_BINS],
        rows: Vec::new(),
        series: vec![Vec::new(); HISTORY_COLUMNS],
    }
}

pub fn create(
    params: Arc<ImagerParams>,
    telemetry: Arc<ImagerTelemetry>,
) -> Option<EguiEditor<EditorShell<ImagerView>>> {
    let repaint = telemetry.repaint.clone();
    let scale = params.editor_scale.clone();
    let view = new_view(params, telemetry);
    editor::create(
        view,
        (EDITOR_WIDTH, EDITOR_HEIGHT),
        crate::StereoImager::IDENTITY.name,
        scale,
        repaint,
    )
}

/// Screen position of goniometer coordinates (unit radius = `radius` px).
fn to_screen(center: egui::Pos2, radius: f32, (x, y): (f32, f32)) -> egui::Pos2 {
    pos2(
        center.x + (x * radius).clamp(-radius, radius),
        center.y - (y * radius).clamp(-radius, radius),
    )
}

impl ImagerView {
    /// The Lissajous figure of the last [`SCOPE_POINTS`] output frames, L/R
    /// turned 45° (mono vertical), with its L, R, M and S axes.
    fn goniometer(&mut self, ui: &mut egui::Ui) {
        self.telemetry.scope.latest(&mut self.scope);
        let (rect, _) = ui.allocate_exact_size(vec2(SCOPE_SIDE, SCOPE_SIDE), Sense::hover());
        let painter = ui.painter_at(rect);
        painter.rect_filled(rect, 4.0, theme::PANEL);
        let c = rect.center();
        let radius = 0.5 * SCOPE_SIDE - 14.0;
        let grid = Stroke::new(1.0, theme::GRID);
        painter.circle_stroke(c, radius, grid);
        for (x, y, label) in [
            (0.0, 1.0, "M"),
            (-1.0, 0.0, "−S"),
            (1.0, 0.0, "+S"),
            (
                -core::f32::consts::FRAC_1_SQRT_2,
                core::f32::consts::FRAC_1_SQRT_2,
                "L",
            ),
            (
                core::f32::consts::FRAC_1_SQRT_2,
                core::f32::consts::FRAC_1_SQRT_2,
                "R",
            ),
        ] {
            let end = to_screen(c, radius, (x, y));
            painter.line_segment([to_screen(c, radius, (-x, -y)), end], grid);
            painter.text(
                end + vec2(x * 8.0, -y * 8.0),
                Align2::CENTER_CENTER,
                label,
                theme::label_font(theme::LABEL_TEXT_PT),
                theme::TEXT_DIM,
            );
        }
        let dot = Color32::from_rgba_unmultiplied(0x4f, 0xb3, 0xd9, 0xa0);
        for frame in self.scope.chunks_exact(2) {
            let p = to_screen(c, radius, goniometer_xy(frame[0], frame[1]));
            painter.circle_filled(p, 1.2, dot);
        }
    }

    /// Polar level view: the loudest frame per direction, as rays on a
    /// half circle (left of vertical = left, vertical = mono).
    fn polar(&mut self, ui: &mut egui::Ui) {
        polar_levels(&self.scope, &mut self.polar);
        let height = 0.5 * SCOPE_SIDE + 10.0;
        let (rect, _) = ui.allocate_exact_size(vec2(SCOPE_SIDE, height), Sense::hover());
        let painter = ui.painter_at(rect);
        painter.rect_filled(rect, 4.0, theme::PANEL);
        let c = pos2(rect.center().x, rect.bottom() - 6.0);
        let radius = 0.5 * SCOPE_SIDE - 14.0;
        let grid = Stroke::new(1.0, theme::GRID);
        for k in 1..=4 {
            let r = radius * k as f32 / 4.0;
            let arc: Vec<_> = (0..=32)
                .map(|i| {
                    let a = -core::f32::consts::FRAC_PI_2 + core::f32::consts::PI * i as f32 / 32.0;
                    pos2(c.x + r * a.sin(), c.y - r * a.cos())
                })
                .collect();
            painter.add(Shape::line(arc, grid));
        }
        let stroke = Stroke::new(2.0, theme::ACCENT_2);
        for (i, &level) in self.polar.iter().enumerate() {
            if level <= 0.0 {
                continue;
            }
            let a = -core::f32::consts::FRAC_PI_2
                + core::f32::consts::PI * (i as f32 + 0.5) / POLAR_BINS as f32;
            let r = radius * level.min(1.0);
            painter.line_segment([c, pos2(c.x + r * a.sin(), c.y - r * a.cos())], stroke);
        }
        painter.text(
            rect.left_top() + vec2(6.0, 4.0),
            Align2::LEFT_TOP,
            "POLAR LEVEL",
            theme::label_font(10.0),
            theme::TEXT_DIM,
        );
    }

    fn meters(&mut self, ui: &mut egui::Ui) {
        let t = self.telemetry.clone();
        let correlation = t.correlation.load();
        section(ui, "CORRELATION");
        bipolar_bar(ui, "", correlation, correlation_colour(correlation));
        self.correlation_history(ui);
        let num_bands = t.num_bands.load(Ordering::Relaxed) as usize;
        if num_bands > 1 {
            if t.multiband.load(Ordering::Relaxed) {
                for b in 0..num_bands.min(MAX_BANDS) {
                    let c = t.band_correlation[b].load();
                    bipolar_bar(ui, &format!("Band {}", b + 1), c, correlation_colour(c));
                }
            } else {
                ui.label(
                    RichText::new("Band meters run when a band's width is off 100 % or soloed")
                        .color(theme::TEXT_DIM),
                );
            }
        }
        ui.add_space(6.0);
        section(ui, "BALANCE");
        bipolar_bar(ui, "L | R", t.balance.load(), theme::ACCENT);
        ui.add_space(6.0);
        section(ui, "MID / SIDE");
        for (label, level, colour) in [
            ("Mid", t.mid_db.load(), theme::ACCENT),
            ("Side", t.side_db.load(), theme::ACCENT_2),
        ] {
            ui.horizontal(|ui| {
                ui.add_sized(
                    vec2(40.0, 14.0),
                    egui::Label::new(RichText::new(label).color(theme::TEXT_DIM)),
                );
                widgets::level_bar(
                    ui,
                    METER_WIDTH - 110.0,
                    level,
                    (LEVEL_FLOOR_DB, 0.0),
                    None,
                    colour,
                );
                ui.label(
                    RichText::new(format!("{} dBFS", widgets::format_level(level, 1)))
                        .color(theme::TEXT),
                );
            });
        }
        if t.side_exceeds_mid.load(Ordering::Relaxed) {
            ui.label(RichText::new("Side louder than mid").color(theme::OVER));
        }
    }

    fn correlation_history(&mut self, ui: &mut egui::Ui) {
        self.telemetry.history.snapshot(&mut self.rows);
        for (k, s) in self.series.iter_mut().enumerate() {
            s.clear();
            s.extend(self.rows.iter().map(|r| r[k]));
        }
        let t = &self.telemetry;
        let bands = if t.multiband.load(Ordering::Relaxed) {
            (t.num_bands.load(Ordering::Relaxed) as usize).min(MAX_BANDS)
        } else {
            0
        };
        let names = ["Band 1", "Band 2", "Band 3", "Band 4"];
        let mut series = vec![Series {
            name: "Overall",
            values: &self.series[HISTORY_OVERALL],
            color: theme::ACCENT,
        }];
        for b in 0..bands {
            series.push(Series {
                name: names[b],
                values: &self.series[1 + b],
                color: BAND_COLOURS[b],
            });
        }
        let span_s = t.history.capacity() as f32 / HISTORY_STEPS_PER_SECOND;
        widgets::history_graph(
            ui,
            vec2(METER_WIDTH + 60.0, 90.0),
            &series,
            1.0 / HISTORY_STEPS_PER_SECOND,
            span_s,
            (-1.0, 1.0),
            "corr",
            Some((0.0, theme::TEXT_DIM)),
        );
    }

    fn mono_check(&self, ui: &mut egui::Ui) {
        let t = &self.telemetry;
        let warning = t.mono_warning.load(Ordering::Relaxed);
        let colour = if warning { theme::OVER } else { theme::GOOD };
        section(ui, "MONO FOLD-DOWN LOSS  (L+R)/2");
        ui.horizontal(|ui| {
            for (label, loss) in [
                ("INTEGRATED", t.loss_integrated.load()),
                ("SHORT-TERM", t.loss_short_term.load()),
            ] {
                match loss {
                    Loss::Total => {
                        widgets::readout(ui, label, None, "total", theme::READOUT_TEXT_PT, colour);
                    }
                    Loss::Lu(v) => {
                        widgets::readout(ui, label, Some(v), "LU", theme::READOUT_TEXT_PT, colour);
                    }
                    Loss::Undefined => {
                        widgets::readout(ui, label, None, "LU", theme::READOUT_TEXT_PT, colour);
                    }
                }
            }
        });
        let threshold = self.params.mono_warning_lu.value();
        let (text, colour) = if warning {
            (
                format!("MONO WARNING: loss above {threshold:.1} LU or side louder than mid"),
                theme::OVER,
            )
        } else {
            (
                format!("Mono safe (warns above {threshold:.1} LU)"),
                theme::GOOD,
            )
        };
        ui.label(RichText::new(text).color(colour).strong());
        if ui.button("Reset meters").clicked() {
            t.reset_meters.raise();
        }
    }

    fn controls(&self, ui: &mut egui::Ui, setter: &ParamSetter) {
        let p = &self.params;
        let bands = p.bands.value().clamp(1, MAX_BANDS as i32) as usize;
        ui.horizontal_top(|ui| {
            ui.vertical(|ui| {
                section(ui, "STEREO");
                slider(ui, "Width", &p.width, setter);
                slider(ui, "Mid gain", &p.mid_gain_db, setter);
                slider(ui, "Side gain", &p.side_gain_db, setter);
                slider(ui, "Balance", &p.balance, setter);
                slider(ui, "Rotation", &p.rotation_deg, setter);
                ui.horizontal(|ui| {
                    toggle::toggle(ui, &p.swap, setter, "Swap L/R");
                    toggle::toggle(ui, &p.invert_left, setter, "Invert L");
                    toggle::toggle(ui, &p.invert_right, setter, "Invert R");
                });
                // The monitor switches share this column so the controls
                // fit the window's width.
                section(ui, "MONITOR");
                ui.horizontal(|ui| {
                    toggle::toggle(ui, &p.mono_listen, setter, "Mono listen");
                    toggle::toggle(ui, &p.bypass, setter, "Bypass");
                });
                slider(ui, "Warn above", &p.mono_warning_lu, setter);
            });
            ui.add_space(12.0);
            ui.vertical(|ui| {
                section(ui, "BANDS");
                choice(ui, "Bands", &p.bands, setter);
                for (k, crossover) in p.crossovers().into_iter().enumerate() {
                    ui.add_enabled_ui(k + 1 < bands, |ui| {
                        slider(ui, &format!("Crossover {}", k + 1), crossover, setter);
                    });
                }
                for (k, (width, solo)) in
                    p.band_widths().into_iter().zip(p.band_solos()).enumerate()
                {
                    ui.add_enabled_ui(k < bands && bands > 1, |ui| {
                        ui.horizontal(|ui| {
                            slider(ui, &format!("Band {} width", k + 1), width, setter);
                            toggle::toggle(ui, solo, setter, "Solo");
                        });
                    });
                }
            });
            ui.add_space(12.0);
            ui.vertical(|ui| {
                section(ui, "MONO MAKER · STEREOIZE");
                toggle(ui, "Mono maker", &p.mono_maker, setter);
                slider(ui, "Below", &p.mono_maker_hz, setter);
                slider(ui, "Stereoize", &p.stereoize, setter);
                section(ui, "SIDE TONE");
                slider(ui, "Low shelf", &p.side_low_hz, setter);
                slider(ui, "Low gain", &p.side_low_gain_db, setter);
                slider(ui, "High shelf", &p.side_high_hz, setter);
                slider(ui, "High gain", &p.side_high_gain_db, setter);
            });
        });
    }
}

fn section(ui: &mut egui::Ui, title: &str) {
    ui.label(RichText::new(title).color(theme::TEXT_DIM));
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

/// Green for positive correlation, amber near zero, red when negative.
fn correlation_colour(value: Option<f32>) -> Color32 {
    match value {
        Some(v) if v < 0.0 => theme::OVER,
        Some(v) if v < 0.3 => theme::WARN,
        _ => theme::GOOD,
    }
}

/// A −1 ..= +1 bar filled from the centre, with its value.
fn bipolar_bar(ui: &mut egui::Ui, label: &str, value: Option<f32>, colour: Color32) {
    ui.horizontal(|ui| {
        ui.add_sized(
            vec2(40.0, 14.0),
            egui::Label::new(RichText::new(label).color(theme::TEXT_DIM)),
        );
        let (rect, _) = ui.allocate_exact_size(vec2(METER_WIDTH - 70.0, 14.0), Sense::hover());
        let painter = ui.painter_at(rect);
        painter.rect_filled(rect, 2.0, theme::PANEL);
        let x_of = |v: f32| rect.center().x + 0.5 * v.clamp(-1.0, 1.0) * rect.width();
        if let Some(v) = value {
            let (a, b) = (x_of(0.0), x_of(v));
            let filled = Rect::from_x_y_ranges(a.min(b)..=a.max(b), rect.y_range());
            painter.rect_filled(filled, 1.0, colour);
        }
        for (v, text) in [(-1.0, "−1"), (0.0, "0"), (1.0, "+1")] {
            let x = x_of(v);
            painter.line_segment(
                [pos2(x, rect.top()), pos2(x, rect.bottom())],
                Stroke::new(1.0, theme::GRID),
            );
            let align = match text {
                "−1" => Align2::LEFT_CENTER,
                "+1" => Align2::RIGHT_CENTER,
                _ => Align2::CENTER_CENTER,
            };
            painter.text(
                pos2(
                    x + if v < 0.0 {
                        2.0
                    } else if v > 0.0 {
                        -2.0
                    } else {
                        0.0
                    },
                    rect.center().y,
                ),
                align,
                text,
                theme::label_font(9.0),
                theme::TEXT_DIM,
            );
        }
        ui.label(RichText::new(value.map_or("–".to_owned(), |v| format!("{v:+.2}"))).color(colour));
    });
}

impl EditorView for ImagerView {
    fn draw(&mut self, ui: &mut egui::Ui, setter: &ParamSetter) {
        ui.horizontal_top(|ui| {
            ui.vertical(|ui| {
                self.goniometer(ui);
                ui.add_space(4.0);
                self.polar(ui);
            });
            ui.add_space(14.0);
            ui.vertical(|ui| self.meters(ui));
            ui.add_space(14.0);
            ui.vertical(|ui| self.mono_check(ui));
        });
        ui.add_space(10.0);
        self.controls(ui, setter);
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
                    Arc::new(ImagerParams::default()),
                    Arc::new(ImagerTelemetry::default()),
                )
            },
            (EDITOR_WIDTH, EDITOR_HEIGHT),
        );
    }
}
