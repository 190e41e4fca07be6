//! The Channel Strip's editor: interactive EQ curve over a live pre/post
//! spectrum, the compressor's transfer curve with its operating point,
//! input/output/gain-reduction meters, and every parameter with units
//! (double-click any slider to return it to its default).

use crate::params::{BandParams, ChannelStripParams};
use crate::telemetry::StripTelemetry;
use nice_plug::prelude::*;
use nice_plug_egui::widgets::ParamSlider;
use nice_plug_egui::EguiEditor;
use plugin_kit::KitPlugin;
use shared_dsp::processors::channel_strip::{ChannelStripSettings, FilterCurve};
use shared_dsp::units::eq::{MAX_FREQUENCY_HZ, MAX_Q, MIN_FREQUENCY_HZ, MIN_Q, NUM_EQ_BANDS};
use shared_dsp::units::spectrum::SpectrumAnalyzer;
use shared_ui::editor::{self, set_param, EditorShell, EditorView};
use shared_ui::egui::{
    self, pos2, vec2, Align2, Color32, Pos2, Rect, RichText, Sense, Shape, Stroke,
};
use shared_ui::widgets::meter::{self, MeterScale};
use shared_ui::{theme, widgets};
use std::sync::Arc;

const EDITOR_WIDTH: f64 = 1120.0;
const EDITOR_HEIGHT: f64 = 740.0;
/// EQ graph range, dB (± this).
const EQ_RANGE_DB: f32 = 24.0;
/// Spectrum graph floor and top, dBFS.
const SPECTRUM_RANGE_DB: (f32, f32) = (-96.0, 0.0);
/// Spectrum FFT length, samples.
const SPECTRUM_FFT: usize = 4096;
/// Spectrum smoothing: weight of the previous frame (per-bin one-pole).
const SPECTRUM_DECAY: f32 = 0.7;
/// Q change per wheel notch (multiplicative).
const Q_WHEEL_STEP: f32 = 1.1;
/// Points on the drawn response curve.
const CURVE_POINTS: usize = 300;
/// Compressor transfer-curve input range, dBFS.
const TRANSFER_RANGE_DB: (f32, f32) = (-60.0, 0.0);
const SLIDER_WIDTH: f32 = 84.0;
/// Width of the parameter label column, logical px.
const LABEL_WIDTH: f32 = 74.0;
/// Width of a meter's bar, logical px.
const METER_BAR_WIDTH: f32 = 12.0;
/// Height of the side column's meters, logical px.
const METER_HEIGHT: f32 = 96.0;
/// Lowest level the input/output meters show, dBFS.
const METER_FLOOR_DB: f32 = -60.0;
/// Gain reduction at the bottom of the compressor's meter, dB.
const COMP_GR_RANGE_DB: f32 = 24.0;
/// Height of the compressor's transfer curve, logical px.
const TRANSFER_HEIGHT: f32 = 150.0;
/// Width of the right-hand column (transfer curve, meters), logical px.
const SIDE_COLUMN_WIDTH: f32 = 200.0;
/// Band node colours, by band.
const BAND_COLORS: [Color32; NUM_EQ_BANDS] = [
    Color32::from_rgb(0xe0, 0x6c, 0x75),
    Color32::from_rgb(0xe5, 0xc0, 0x7b),
    Color32::from_rgb(0x98, 0xc3, 0x79),
    Color32::from_rgb(0x56, 0xb6, 0xc2),
    Color32::from_rgb(0x61, 0xaf, 0xef),
    Color32::from_rgb(0xc6, 0x78, 0xdd),
];

pub struct StripView {
    params: Arc<ChannelStripParams>,
    telemetry: Arc<StripTelemetry>,
    analyzer: SpectrumAnalyzer,
    frame: Vec<f32>,
    pre_db: Vec<f32>,
    post_db: Vec<f32>,
    selected_band: usize,
    dragging: Option<usize>,
    /// The drawn curve's coefficients and the settings and rate they were
    /// designed for: redesigned only when those change.
    curve: Option<(ChannelStripSettings, f64, FilterCurve)>,
}

/// The editor's view of `params` and `telemetry`, before any frame is drawn.
fn new_view(params: Arc<ChannelStripParams>, telemetry: Arc<StripTelemetry>) -> StripView {
    StripView {
        params,
        telemetry,
        analyzer: SpectrumAnalyzer::new(SPECTRUM_FFT),
        frame: vec![0.0; SPECTRUM_FFT],
        pre_db: vec![SPECTRUM_RANGE_DB.0; SPECTRUM_FFT / 2 + 1],
        post_db: vec![SPECTRUM_RANGE_DB.0; SPECTRUM_FFT / 2 + 1],
        selected_band: 1,
        dragging: None,
        curve: None,
    }
}

pub fn create(
    params: Arc<ChannelStripParams>,
    telemetry: Arc<StripTelemetry>,
) -> Option<EguiEditor<EditorShell<StripView>>> {
    let repaint = telemetry.repaint.clone();
    let scale = params.editor_scale.clone();
    let view = new_view(params, telemetry);
    editor::create(
        view,
        (EDITOR_WIDTH, EDITOR_HEIGHT),
        crate::ChannelStrip::IDENTITY.name,
        scale,
        repaint,
    )
}

/// Maps frequency ↔ x on a log axis from 20 Hz to 20 kHz.
struct FreqAxis {
    rect: Rect,
}

impl FreqAxis {
    fn x(&self, freq: f32) -> f32 {
        let t = (freq / MIN_FREQUENCY_HZ).ln() / (MAX_FREQUENCY_HZ / MIN_FREQUENCY_HZ).ln();
        self.rect.left() + t.clamp(0.0, 1.0) * self.rect.width()
    }
    fn freq(&self, x: f32) -> f32 {
        let t = ((x - self.rect.left()) / self.rect.width()).clamp(0.0, 1.0);
        MIN_FREQUENCY_HZ * (MAX_FREQUENCY_HZ / MIN_FREQUENCY_HZ).powf(t)
    }
    fn y(&self, db: f32, range: (f32, f32)) -> f32 {
        let t = ((db - range.0) / (range.1 - range.0)).clamp(0.0, 1.0);
        self.rect.bottom() - t * self.rect.height()
    }
    fn db(&self, y: f32, range: (f32, f32)) -> f32 {
        let t = ((self.rect.bottom() - y) / self.rect.height()).clamp(0.0, 1.0);
        range.0 + t * (range.1 - range.0)
    }
}

impl StripView {
    fn update_spectra(&mut self) {
        for (ring, out) in [
            (&self.telemetry.pre, &mut self.pre_db),
            (&self.telemetry.post, &mut self.post_db),
        ] {
            ring.latest(&mut self.frame);
            let fresh = self.analyzer.analyze(&self.frame);
            for (smoothed, new) in out.iter_mut().zip(fresh) {
                *smoothed = (SPECTRUM_DECAY * *smoothed + (1.0 - SPECTRUM_DECAY) * new)
                    .max(SPECTRUM_RANGE_DB.0);
            }
        }
    }

    fn draw_spectrum(
        &self,
        painter: &egui::Painter,
        axis: &FreqAxis,
        rate: f64,
        db: &[f32],
        color: Color32,
    ) {
        let mut points: Vec<Pos2> = Vec::with_capacity(db.len());
        for (k, v) in db.iter().enumerate().skip(1) {
            let f = self.analyzer.bin_frequency_hz(k, rate) as f32;
            if !(MIN_FREQUENCY_HZ..=MAX_FREQUENCY_HZ).contains(&f) {
                continue;
            }
            points.push(pos2(axis.x(f), axis.y(*v, SPECTRUM_RANGE_DB)));
        }
        if points.len() > 1 {
            let mut fill = points.clone();
            fill.push(pos2(axis.rect.right(), axis.rect.bottom()));
            fill.push(pos2(axis.rect.left(), axis.rect.bottom()));
            painter.add(Shape::line(points, Stroke::new(1.0, color)));
        }
    }

    fn eq_graph(&mut self, ui: &mut egui::Ui, setter: &ParamSetter) {
        let rate = self
            .telemetry
            .sample_rate_hz
            .load()
            .map_or(48_000.0, f64::from);
        let size = vec2(ui.available_width(), 270.0);
        let (rect, response) = ui.allocate_exact_size(size, Sense::click_and_drag());
        let painter = ui.painter_at(rect);
        painter.rect_filled(rect, 4.0, theme::PANEL);
        let axis = FreqAxis { rect };
        // Grid: decades and 6 dB lines.
        for f in [50.0, 100.0, 200.0, 500.0, 1000.0, 2000.0, 5000.0, 10_000.0] {
            let x = axis.x(f);
            painter.line_segment(
                [pos2(x, rect.top()), pos2(x, rect.bottom())],
                Stroke::new(1.0, theme::GRID),
            );
            let label = if f >= 1000.0 {
                format!("{}k", f / 1000.0)
            } else {
                format!("{f}")
            };
            painter.text(
                pos2(x + 2.0, rect.bottom() - 2.0),
                Align2::LEFT_BOTTOM,
                label,
                theme::label_font(10.0),
                theme::TEXT_DIM,
            );
        }
        let eq_range = (-EQ_RANGE_DB, EQ_RANGE_DB);
        let mut g = -18.0;
        while g <= 18.0 {
            let y = axis.y(g, eq_range);
            painter.line_segment(
                [pos2(rect.left(), y), pos2(rect.right(), y)],
                Stroke::new(1.0, theme::GRID),
            );
            painter.text(
                pos2(rect.left() + 2.0, y - 1.0),
                Align2::LEFT_BOTTOM,
                format!("{g:+.0}"),
                theme::label_font(10.0),
                theme::TEXT_DIM,
            );
            g += 6.0;
        }

        self.update_spectra();
        self.draw_spectrum(
            &painter,
            &axis,
            rate,
            &self.pre_db,
            theme::TEXT_DIM.gamma_multiply(0.5),
        );
        self.draw_spectrum(
            &painter,
            &axis,
            rate,
            &self.post_db,
            theme::ACCENT.gamma_multiply(0.6),
        );

        // The response the strip realises (shared-dsp's analytic response),
        // from coefficients designed once per change of settings.
        let settings = self.params.settings();
        let filters = match &self.curve {
            Some((designed, designed_rate, filters))
                if *designed == settings && *designed_rate == rate =>
            {
                *filters
            }
            _ => {
                let filters = FilterCurve::new(&settings, rate);
                self.curve = Some((settings, rate, filters));
                filters
            }
        };
        let curve: Vec<Pos2> = (0..CURVE_POINTS)
            .map(|i| {
                let x = rect.left() + rect.width() * i as f32 / (CURVE_POINTS - 1) as f32;
                let f = axis.freq(x);
                let db = filters.response(f64::from(f)).norm_db() as f32;
                pos2(x, axis.y(db, eq_range))
            })
            .collect();
        painter.add(Shape::line(curve, Stroke::new(2.0, theme::TEXT)));

        // Band nodes: drag for frequency/gain, wheel for Q, click to select,
        // double-click to switch a band on or off.
        let node = |band: &BandParams| {
            pos2(
                axis.x(band.frequency_hz.value()),
                axis.y(band.gain_db.value(), eq_range),
            )
        };
        let pointer = response.interact_pointer_pos().or(response.hover_pos());
        let nearest = pointer.and_then(|p| {
            (0..NUM_EQ_BANDS)
                .map(|i| (i, node(&self.params.bands[i]).distance(p)))
                .filter(|(_, d)| *d < 14.0)
                .min_by(|a, b| a.1.total_cmp(&b.1))
                .map(|(i, _)| i)
        });
        if response.drag_started() {
            self.dragging = nearest;
            if let Some(i) = nearest {
                self.selected_band = i;
                let band = &self.params.bands[i];
                setter.begin_set_parameter(&band.frequency_hz);
                setter.begin_set_parameter(&band.gain_db);
                if !band.enabled.value() {
                    set_param(setter, &band.enabled, true);
                }
            }
        }
        if let (Some(i), Some(p)) = (self.dragging, response.interact_pointer_pos()) {
            let band = &self.params.bands[i];
            setter.set_parameter(&band.frequency_hz, axis.freq(p.x));
            setter.set_parameter(&band.gain_db, axis.db(p.y, eq_range));
        }
        if response.drag_stopped() {
            if let Some(i) = self.dragging.take() {
                let band = &self.params.bands[i];
                setter.end_set_parameter(&band.frequency_hz);
                setter.end_set_parameter(&band.gain_db);
            }
        }
        if response.clicked() {
            if let Some(i) = nearest {
                self.selected_band = i;
            }
        }
        if response.double_clicked() {
            if let Some(i) = nearest {
                let band = &self.params.bands[i];
                set_param(setter, &band.enabled, !band.enabled.value());
            }
        }
        if let Some(i) = nearest.filter(|_| response.hovered()) {
            let scroll = ui.input(|input| input.smooth_scroll_delta.y);
            if scroll != 0.0 {
                let band = &self.params.bands[i];
                let q = band.q.value() * Q_WHEEL_STEP.powf(scroll / 40.0);
                set_param(setter, &band.q, q.clamp(MIN_Q, MAX_Q));
            }
        }
        for (i, band) in self.params.bands.iter().enumerate() {
            let p = node(band);
            let color = BAND_COLORS[i];
            if band.enabled.value() {
                painter.circle_filled(p, 7.0, color);
            } else {
                painter.circle_stroke(p, 6.0, Stroke::new(1.5, color.gamma_multiply(0.6)));
            }
            if i == self.selected_band {
                painter.circle_stroke(p, 10.0, Stroke::new(1.5, theme::TEXT));
            }
            painter.text(
                p + vec2(0.0, -12.0),
                Align2::CENTER_BOTTOM,
                format!("{}", i + 1),
                theme::label_font(11.0),
                color,
            );
        }
    }

    fn transfer_curve(&self, ui: &mut egui::Ui) {
        let settings = self.params.settings().compressor;
        let (rect, _) =
            ui.allocate_exact_size(vec2(SIDE_COLUMN_WIDTH, TRANSFER_HEIGHT), Sense::hover());
        let painter = ui.painter_at(rect);
        painter.rect_filled(rect, 4.0, theme::PANEL);
        let (lo, hi) = TRANSFER_RANGE_DB;
        let to_screen = |x_db: f32, y_db: f32| {
            let tx = ((x_db - lo) / (hi - lo)).clamp(0.0, 1.0);
            let ty = ((y_db - lo) / (hi - lo)).clamp(0.0, 1.0);
            pos2(
                rect.left() + tx * rect.width(),
                rect.bottom() - ty * rect.height(),
            )
        };
        painter.line_segment(
            [to_screen(lo, lo), to_screen(hi, hi)],
            Stroke::new(1.0, theme::GRID),
        );
        let curve = settings.curve();
        let makeup = settings.total_makeup_db() as f32;
        let points: Vec<Pos2> = (0..=120)
            .map(|i| {
                let x = lo + (hi - lo) * i as f32 / 120.0;
                let y = if settings.enabled {
                    curve.output_db(f64::from(x)) as f32 + makeup
                } else {
                    x
                };
                to_screen(x, y)
            })
            .collect();
        painter.add(Shape::line(points, Stroke::new(2.0, theme::ACCENT)));
        let threshold = settings.threshold_db;
        let x = to_screen(threshold, lo).x;
        painter.line_segment(
            [pos2(x, rect.top()), pos2(x, rect.bottom())],
            Stroke::new(1.0, theme::WARN.gamma_multiply(0.5)),
        );
        // Operating point: the input level now and the gain applied to it.
        if let Some(level) = self.telemetry.input_peak_db.load() {
            let gr = self.telemetry.gain_reduction_db.load().unwrap_or(0.0);
            let out = if settings.enabled {
                level - gr + makeup
            } else {
                level
            };
            painter.circle_filled(to_screen(level, out), 5.0, theme::OVER);
        }
        painter.text(
            rect.left_top() + vec2(6.0, 4.0),
            Align2::LEFT_TOP,
            "Compressor",
            theme::label_font(11.0),
            theme::TEXT_DIM,
        );
    }

    /// Input, output and compressor gain-reduction meters with their
    /// scales, then the gate's gain and the latency, in the side column.
    fn meters(&self, ui: &mut egui::Ui) {
        let t = &self.telemetry;
        let size = meter::meter_size(METER_BAR_WIDTH, METER_HEIGHT);
        ui.horizontal_top(|ui| {
            for (name, reading) in [
                ("In", t.input_peak_db.load()),
                ("Out", t.output_peak_db.load()),
            ] {
                ui.vertical(|ui| {
                    ui.label(RichText::new(name).color(theme::TEXT_DIM).size(11.0));
                    meter::level_meter(
                        ui,
                        name,
                        size,
                        reading,
                        MeterScale::dbfs(METER_FLOOR_DB),
                        theme::ACCENT,
                    );
                });
            }
            ui.vertical(|ui| {
                ui.label(RichText::new("GR").color(theme::TEXT_DIM).size(11.0));
                meter::gain_reduction_meter(
                    ui,
                    "comp",
                    size,
                    t.gain_reduction_db.load(),
                    COMP_GR_RANGE_DB,
                );
            });
            ui.vertical(|ui| {
                let small = |text: String| RichText::new(text).color(theme::TEXT_DIM).size(11.0);
                ui.label(small("Gate".to_owned()));
                let gate = t
                    .gate_gain_db
                    .load()
                    .map(|g| if g.abs() < 0.05 { 0.0 } else { g });
                ui.label(
                    RichText::new(format!("{} dB", widgets::format_level(gate, 1))).size(11.0),
                );
                ui.add_space(6.0);
                let latency = t.latency_samples.load().unwrap_or(0.0);
                let rate = t.sample_rate_hz.load().unwrap_or(48_000.0);
                ui.label(small("Latency".to_owned()))
                    .on_hover_text("Saturation's oversampling adds latency; reported to the host");
                ui.label(RichText::new(format!("{latency:.0} smp")).size(11.0));
                ui.label(small(format!("{:.2} ms", latency * 1000.0 / rate)));
            });
        });
    }

    fn section(ui: &mut egui::Ui, title: &str, body: impl FnOnce(&mut egui::Ui)) {
        ui.vertical(|ui| {
            ui.label(RichText::new(title).color(theme::TEXT_DIM).strong());
            body(ui);
        });
    }

    fn controls(&mut self, ui: &mut egui::Ui, setter: &ParamSetter) {
        let p = self.params.clone();
        ui.horizontal_top(|ui| {
            Self::section(ui, "INPUT & FILTERS", |ui| {
                slider(ui, "Trim", &p.input_trim_db, setter);
                toggle(ui, "Invert L", &p.invert_left, setter);
                toggle(ui, "Invert R", &p.invert_right, setter);
                toggle(ui, "High-pass", &p.hp_enabled, setter);
                slider(ui, "HP freq", &p.hp_freq_hz, setter);
                choice(ui, "HP slope", &p.hp_slope, setter);
                toggle(ui, "Low-pass", &p.lp_enabled, setter);
                slider(ui, "LP freq", &p.lp_freq_hz, setter);
                choice(ui, "LP slope", &p.lp_slope, setter);
                choice(ui, "Order", &p.order, setter);
            });
            Self::section(ui, "EQ BAND", |ui| {
                ui.horizontal(|ui| {
                    for (i, color) in BAND_COLORS.iter().enumerate() {
                        let text = RichText::new(format!("{}", i + 1)).color(*color);
                        if ui.selectable_label(self.selected_band == i, text).clicked() {
                            self.selected_band = i;
                        }
                    }
                });
                let band = &p.bands[self.selected_band];
                toggle(ui, "On", &band.enabled, setter);
                choice(ui, "Type", &band.band_type, setter);
                slider(ui, "Frequency", &band.frequency_hz, setter);
                slider(ui, "Gain", &band.gain_db, setter);
                slider(ui, "Q", &band.q, setter);
                toggle(ui, "EQ section", &p.eq_enabled, setter);
                ui.add_space(6.0);
                ui.label(RichText::new("GATE").color(theme::TEXT_DIM).strong());
                toggle(ui, "Gate", &p.gate_enabled, setter);
                slider(ui, "Threshold", &p.gate_threshold_db, setter);
                slider(ui, "Range", &p.gate_range_db, setter);
                slider(ui, "Ratio", &p.gate_ratio, setter);
                slider(ui, "Attack", &p.gate_attack_ms, setter);
                slider(ui, "Hold", &p.gate_hold_ms, setter);
                slider(ui, "Release", &p.gate_release_ms, setter);
                slider(ui, "Hysteresis", &p.gate_hysteresis_db, setter);
            });
            Self::section(ui, "COMPRESSOR", |ui| {
                toggle(ui, "Compressor", &p.comp_enabled, setter);
                slider(ui, "Threshold", &p.comp_threshold_db, setter);
                slider(ui, "Ratio", &p.comp_ratio, setter);
                slider(ui, "Knee", &p.comp_knee_db, setter);
                slider(ui, "Attack", &p.comp_attack_ms, setter);
                slider(ui, "Release", &p.comp_release_ms, setter);
                toggle(ui, "Auto release", &p.comp_auto_release, setter);
                choice(ui, "Detection", &p.comp_detection, setter);
                toggle(ui, "SC high-pass", &p.comp_sc_hpf_enabled, setter);
                slider(ui, "SC HP freq", &p.comp_sc_hpf_hz, setter);
                slider(ui, "Link", &p.comp_link, setter);
                slider(ui, "Make-up", &p.comp_makeup_db, setter);
                toggle(ui, "Auto make-up", &p.comp_auto_makeup, setter);
                slider(ui, "Mix", &p.comp_mix, setter);
            });
            Self::section(ui, "SATURATION & OUTPUT", |ui| {
                toggle(ui, "Saturation", &p.sat_enabled, setter);
                choice(ui, "Character", &p.sat_character, setter);
                slider(ui, "Drive", &p.sat_drive_db, setter);
                toggle(ui, "Compensate", &p.sat_compensate, setter);
                slider(ui, "Sat output", &p.sat_output_db, setter);
                slider(ui, "Sat mix", &p.sat_mix, setter);
                // Constant-power pan on both channels (stereo input too): not "mono".
                slider(ui, "Pan", &p.pan, setter);
                slider(ui, "Balance", &p.balance, setter);
                slider(ui, "Width", &p.width, setter);
                slider(ui, "Output", &p.output_gain_db, setter);
                toggle(ui, "Bypass", &p.bypass, setter);
            });
        });
    }
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

impl EditorView for StripView {
    fn draw(&mut self, ui: &mut egui::Ui, setter: &ParamSetter) {
        ui.horizontal_top(|ui| {
            ui.vertical(|ui| {
                ui.set_width(ui.available_width() - SIDE_COLUMN_WIDTH - 10.0);
                self.eq_graph(ui, setter);
            });
            ui.vertical(|ui| {
                self.transfer_curve(ui);
                self.meters(ui);
            });
        });
        ui.add_space(6.0);
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
                    Arc::new(ChannelStripParams::default()),
                    Arc::new(StripTelemetry::default()),
                )
            },
            (EDITOR_WIDTH, EDITOR_HEIGHT),
        );
    }
}
