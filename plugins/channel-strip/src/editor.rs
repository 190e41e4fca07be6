//! The Channel Strip's editor: interactive EQ curve (band, high-pass and
//! low-pass nodes, with a value readout while dragging) over a live pre/post
//! analyser (fractional-octave smoothed, display slope, peak hold, its own dB
//! scale), the compressor's transfer curve with its operating point,
//! input/output/gain-reduction meters, and every parameter with units
//! (double-click any slider to return it to its default).

use crate::params::ChannelStripParams;
use crate::telemetry::StripTelemetry;
use nice_plug::prelude::*;
use nice_plug_egui::widgets::ParamSlider;
use nice_plug_egui::EguiEditor;
use plugin_kit::KitPlugin;
use shared_dsp::processors::channel_strip::{ChannelStripSettings, FilterCurve};
use shared_dsp::units::eq::{MAX_FREQUENCY_HZ, MAX_Q, MIN_FREQUENCY_HZ, MIN_Q, NUM_EQ_BANDS};
use shared_dsp::units::octave_smoothing::{
    OctaveFraction, OctaveSmoother, SmoothingLayout, DEFAULT_SLOPE_DB_PER_OCTAVE,
    SLOPES_DB_PER_OCTAVE,
};
use shared_dsp::units::spectrum::SpectrumAnalyzer;
use shared_ui::editor::{self, set_param, EditorShell, EditorView};
use shared_ui::egui::{
    self, pos2, vec2, Align2, Color32, Pos2, Rect, RichText, Sense, Shape, Stroke,
};
use shared_ui::widgets::analyzer::{self, AnalyzerRange, PeakTrace, TraceStyle};
use shared_ui::widgets::meter::{self, MeterScale};
use shared_ui::widgets::node_readout;
use shared_ui::{theme, widgets};
use std::sync::Arc;

const EDITOR_WIDTH: f64 = 1120.0;
const EDITOR_HEIGHT: f64 = 740.0;
/// EQ graph range, dB (± this).
const EQ_RANGE_DB: f32 = 24.0;
/// Analyser floor and top, dB (0 dB: a full-scale sine at the slope's
/// reference frequency).
const SPECTRUM_RANGE_DB: (f32, f32) = (-96.0, 0.0);
/// Spectrum FFT length, samples (the telemetry ring holds
/// `telemetry::SPECTRUM_RING_SAMPLES`, at least this).
const SPECTRUM_FFT: usize = 8192;
/// Analyser time smoothing: weight of the previous frame (per-point one-pole).
const SPECTRUM_DECAY: f32 = 0.7;
/// Points of the smoothed analyser traces, log-spaced over the graph.
const ANALYZER_POINTS: usize = 320;
/// Height of the whole EQ graph block (analyser options row, plot, labels), logical px.
const GRAPH_BLOCK_HEIGHT: f32 = 270.0;
/// Height of the analyser options row above the plot, logical px.
const OPTIONS_ROW_HEIGHT: f32 = 20.0;
/// Height of the frequency labels under the plot, logical px.
const FREQ_LABEL_HEIGHT: f32 = 14.0;
/// Grab radius of a node, logical px.
const NODE_GRAB_PX: f32 = 14.0;
/// Level of a Butterworth cut filter at its cut-off, dB (20·log10(1/√2)).
const BUTTERWORTH_CUTOFF_DB: f32 = -3.010_3;
/// Colour of the high- and low-pass nodes.
const CUT_COLOR: Color32 = Color32::from_rgb(0xd0, 0xd4, 0xda);
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

/// A draggable node on the EQ curve.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Node {
    /// EQ band (index): x is its frequency, y its gain.
    Band(usize),
    /// The high-pass filter: x is its cut-off; it sits on the curve.
    HighPass,
    /// The low-pass filter: x is its cut-off; it sits on the curve.
    LowPass,
}

/// Every node, drawn in this order (bands last, on top).
const NODES: [Node; NUM_EQ_BANDS + 2] = {
    let mut nodes = [Node::HighPass; NUM_EQ_BANDS + 2];
    nodes[1] = Node::LowPass;
    let mut i = 0;
    while i < NUM_EQ_BANDS {
        nodes[i + 2] = Node::Band(i);
        i += 1;
    }
    nodes
};

/// How the analyser is shown (editor state, not parameters: it changes no sound).
#[derive(Debug, Clone, Copy, PartialEq)]
struct AnalyzerView {
    fraction: OctaveFraction,
    slope_db_per_octave: f64,
    peak_hold: bool,
}

impl Default for AnalyzerView {
    fn default() -> Self {
        Self {
            fraction: OctaveFraction::default(),
            slope_db_per_octave: DEFAULT_SLOPE_DB_PER_OCTAVE,
            peak_hold: true,
        }
    }
}

pub struct StripView {
    params: Arc<ChannelStripParams>,
    telemetry: Arc<StripTelemetry>,
    analyzer: SpectrumAnalyzer,
    /// Fractional-octave smoother for the current rate and options.
    smoother: Option<OctaveSmoother>,
    analyzer_view: AnalyzerView,
    frame: Vec<f32>,
    /// Smoothed, time-averaged pre and post traces, dB, one per smoother point.
    pre_db: Vec<f32>,
    post_db: Vec<f32>,
    post_peak: PeakTrace,
    selected_band: usize,
    dragging: Option<Node>,
    /// The plot area of the last frame (inside the graph's label strips).
    plot_rect: Option<Rect>,
    /// The dragged node's value box in the last frame.
    readout_rect: Option<Rect>,
    /// Where each of [`NODES`] was drawn in the last frame.
    node_positions: [Pos2; NODES.len()],
    /// The selected band's Solo button in the last frame.
    solo_rect: Option<Rect>,
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
        smoother: None,
        analyzer_view: AnalyzerView::default(),
        frame: vec![0.0; SPECTRUM_FFT],
        pre_db: vec![SPECTRUM_RANGE_DB.0; ANALYZER_POINTS],
        post_db: vec![SPECTRUM_RANGE_DB.0; ANALYZER_POINTS],
        post_peak: PeakTrace::default(),
        selected_band: 1,
        dragging: None,
        plot_rect: None,
        readout_rect: None,
        node_positions: [Pos2::ZERO; NODES.len()],
        solo_rect: None,
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
    /// Rebuilds the smoother when the rate or the analyser options change.
    fn smoother(&mut self, rate: f64) -> &mut OctaveSmoother {
        let layout = SmoothingLayout {
            fft_size: SPECTRUM_FFT,
            sample_rate_hz: rate,
            fraction: self.analyzer_view.fraction,
            slope_db_per_octave: self.analyzer_view.slope_db_per_octave,
            min_hz: f64::from(MIN_FREQUENCY_HZ),
            max_hz: f64::from(MAX_FREQUENCY_HZ),
            num_points: ANALYZER_POINTS,
        };
        let smoother = self
            .smoother
            .take()
            .filter(|s| *s.layout() == layout)
            .unwrap_or_else(|| OctaveSmoother::new(layout));
        self.smoother.insert(smoother)
    }

    /// Analyses the latest pre and post samples into smoothed traces.
    fn update_spectra(&mut self, rate: f64) {
        self.smoother(rate);
        let Some(smoother) = self.smoother.as_mut() else {
            return;
        };
        for (ring, out) in [
            (&self.telemetry.pre, &mut self.pre_db),
            (&self.telemetry.post, &mut self.post_db),
        ] {
            ring.latest(&mut self.frame);
            let fresh = smoother.smooth_db(self.analyzer.analyze(&self.frame));
            for (smoothed, new) in out.iter_mut().zip(fresh) {
                *smoothed = (SPECTRUM_DECAY * *smoothed + (1.0 - SPECTRUM_DECAY) * new)
                    .max(SPECTRUM_RANGE_DB.0);
            }
        }
    }

    /// The analyser's options: smoothing, slope, peak hold.
    fn analyzer_options(&mut self, ui: &mut egui::Ui) {
        let before = self.analyzer_view;
        let view = &mut self.analyzer_view;
        let dim = |text: &str| RichText::new(text).color(theme::TEXT_DIM).size(11.0);
        ui.allocate_ui(vec2(ui.available_width(), OPTIONS_ROW_HEIGHT), |ui| {
            ui.horizontal(|ui| {
                ui.label(dim("Analyser smoothing"));
                for fraction in OctaveFraction::ALL {
                    let text = format!("1/{:.0} oct", fraction.bands_per_octave());
                    ui.selectable_value(
                        &mut view.fraction,
                        fraction,
                        RichText::new(text).size(11.0),
                    )
                    .on_hover_text("Fractional-octave smoothing of the analyser");
                }
                ui.add_space(10.0);
                ui.label(dim("Slope"));
                for slope in SLOPES_DB_PER_OCTAVE {
                    let text = format!("{slope} dB/oct");
                    ui.selectable_value(
                        &mut view.slope_db_per_octave,
                        slope,
                        RichText::new(text).size(11.0),
                    )
                    .on_hover_text(
                        "Tilts the analyser about 1 kHz so programme material reads level",
                    );
                }
                ui.add_space(10.0);
                ui.toggle_value(&mut view.peak_hold, RichText::new("Peak hold").size(11.0))
                    .on_hover_text("A decaying maximum of the output spectrum");
            });
        });
        if self.analyzer_view != before {
            self.post_peak.reset();
        }
    }

    fn eq_graph(&mut self, ui: &mut egui::Ui, setter: &ParamSetter) {
        let rate = self
            .telemetry
            .sample_rate_hz
            .load()
            .map_or(48_000.0, f64::from);
        self.analyzer_options(ui);
        let size = vec2(
            ui.available_width(),
            GRAPH_BLOCK_HEIGHT - OPTIONS_ROW_HEIGHT - ui.spacing().item_spacing.y,
        );
        let (rect, response) = ui.allocate_exact_size(size, Sense::click_and_drag());
        let painter = ui.painter_at(rect);
        painter.rect_filled(rect, 4.0, theme::PANEL);
        // The plot, with the frequency labels under it and the analyser's
        // dB scale to its right: neither covers the other's labels.
        let plot = Rect::from_min_max(
            rect.min,
            pos2(
                rect.right() - analyzer::SCALE_WIDTH,
                rect.bottom() - FREQ_LABEL_HEIGHT,
            ),
        );
        self.plot_rect = Some(plot);
        let axis = FreqAxis { rect: plot };
        for f in [50.0, 100.0, 200.0, 500.0, 1000.0, 2000.0, 5000.0, 10_000.0] {
            let x = axis.x(f);
            painter.line_segment(
                [pos2(x, plot.top()), pos2(x, plot.bottom())],
                Stroke::new(1.0, theme::GRID),
            );
            let label = if f >= 1000.0 {
                format!("{}k", f / 1000.0)
            } else {
                format!("{f}")
            };
            painter.text(
                pos2(x, rect.bottom() - 1.0),
                Align2::CENTER_BOTTOM,
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
                [pos2(plot.left(), y), pos2(plot.right(), y)],
                Stroke::new(1.0, theme::GRID),
            );
            painter.text(
                pos2(plot.left() + 2.0, y - 1.0),
                Align2::LEFT_BOTTOM,
                format!("{g:+.0}"),
                theme::label_font(10.0),
                theme::TEXT_DIM,
            );
            g += 6.0;
        }

        self.update_spectra(rate);
        let range = AnalyzerRange {
            floor_db: SPECTRUM_RANGE_DB.0,
            top_db: SPECTRUM_RANGE_DB.1,
        };
        analyzer::draw_scale(
            &painter,
            Rect::from_min_max(pos2(plot.right(), rect.top()), rect.max),
            plot,
            range,
            "dB",
        );
        if let Some(smoother) = &self.smoother {
            let freqs = smoother.frequencies_hz();
            let x_of = |f: f32| axis.x(f);
            analyzer::draw_trace(
                &painter,
                plot,
                range,
                freqs,
                &self.pre_db,
                &x_of,
                TraceStyle {
                    line: theme::TEXT_DIM.gamma_multiply(0.6),
                    width: 1.0,
                    fill: None,
                },
            );
            analyzer::draw_trace(
                &painter,
                plot,
                range,
                freqs,
                &self.post_db,
                &x_of,
                TraceStyle {
                    line: theme::ACCENT.gamma_multiply(0.7),
                    width: 1.0,
                    fill: Some(theme::ACCENT.gamma_multiply(0.12)),
                },
            );
            if self.analyzer_view.peak_hold {
                let now = ui.input(|i| i.time);
                let held = self
                    .post_peak
                    .update(&self.post_db, now, SPECTRUM_RANGE_DB.0);
                analyzer::draw_trace(
                    &painter,
                    plot,
                    range,
                    freqs,
                    held,
                    &x_of,
                    TraceStyle {
                        line: theme::ACCENT_2.gamma_multiply(0.6),
                        width: 1.0,
                        fill: None,
                    },
                );
            }
        }

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
        let curve_db = |f: f32| filters.response(f64::from(f)).norm_db() as f32;
        let curve: Vec<Pos2> = (0..CURVE_POINTS)
            .map(|i| {
                let x = plot.left() + plot.width() * i as f32 / (CURVE_POINTS - 1) as f32;
                pos2(x, axis.y(curve_db(axis.freq(x)), eq_range))
            })
            .collect();
        painter.add(Shape::line(curve, Stroke::new(2.0, theme::TEXT)));

        // Nodes: drag a band for frequency/gain and a cut filter for its
        // cut-off (dragging a switched-off node switches it on), wheel a band
        // for Q, click to select a band, double-click to switch on or off.
        let p = &self.params;
        let node_pos = |node: Node| match node {
            Node::Band(i) => pos2(
                axis.x(p.bands[i].frequency_hz.value()),
                axis.y(p.bands[i].gain_db.value(), eq_range),
            ),
            // On the curve at the cut-off, −3 dB there for Butterworth when
            // on; where it will be when off, so switching does not move it
            // (and it does not sit on a band at 0 dB).
            Node::HighPass | Node::LowPass => {
                let f = cut_frequency(p, node).value();
                let off_db = if cut_enabled(p, node).value() {
                    0.0
                } else {
                    BUTTERWORTH_CUTOFF_DB
                };
                pos2(axis.x(f), axis.y(curve_db(f) + off_db, eq_range))
            }
        };
        let nearest_to = |at: Pos2| {
            NODES
                .iter()
                .map(|&n| (n, node_pos(n).distance(at)))
                .filter(|(_, d)| *d < NODE_GRAB_PX)
                .min_by(|a, b| a.1.total_cmp(&b.1))
                .map(|(n, _)| n)
        };
        let pointer = response.interact_pointer_pos().or(response.hover_pos());
        let nearest = pointer.and_then(nearest_to);
        if response.drag_started() {
            // The node under the press, not under the pointer now: a drag
            // starts only once the pointer has moved away from where it began.
            let pressed = ui.input(|i| i.pointer.press_origin()).and_then(nearest_to);
            self.dragging = pressed;
            match pressed {
                Some(Node::Band(i)) => {
                    self.selected_band = i;
                    let band = &p.bands[i];
                    setter.begin_set_parameter(&band.frequency_hz);
                    setter.begin_set_parameter(&band.gain_db);
                    if !band.enabled.value() {
                        set_param(setter, &band.enabled, true);
                    }
                }
                Some(cut @ (Node::HighPass | Node::LowPass)) => {
                    setter.begin_set_parameter(cut_frequency(p, cut));
                    let enabled = cut_enabled(p, cut);
                    if !enabled.value() {
                        set_param(setter, enabled, true);
                    }
                }
                None => {}
            }
        }
        if let (Some(node), Some(at)) = (self.dragging, response.interact_pointer_pos()) {
            match node {
                Node::Band(i) => {
                    let band = &p.bands[i];
                    setter.set_parameter(&band.frequency_hz, axis.freq(at.x));
                    setter.set_parameter(&band.gain_db, axis.db(at.y, eq_range));
                }
                cut => setter.set_parameter(cut_frequency(p, cut), axis.freq(at.x)),
            }
        }
        if response.drag_stopped() {
            match self.dragging.take() {
                Some(Node::Band(i)) => {
                    let band = &p.bands[i];
                    setter.end_set_parameter(&band.frequency_hz);
                    setter.end_set_parameter(&band.gain_db);
                }
                Some(cut) => setter.end_set_parameter(cut_frequency(p, cut)),
                None => {}
            }
        }
        if response.clicked() {
            if let Some(Node::Band(i)) = nearest {
                self.selected_band = i;
            }
        }
        if response.double_clicked() {
            match nearest {
                Some(Node::Band(i)) => {
                    let band = &p.bands[i];
                    set_param(setter, &band.enabled, !band.enabled.value());
                }
                Some(cut) => {
                    let enabled = cut_enabled(p, cut);
                    set_param(setter, enabled, !enabled.value());
                }
                None => {}
            }
        }
        if let Some(Node::Band(i)) = nearest.filter(|_| response.hovered()) {
            let scroll = ui.input(|input| input.smooth_scroll_delta.y);
            if scroll != 0.0 {
                let band = &p.bands[i];
                let q = band.q.value() * Q_WHEEL_STEP.powf(scroll / 40.0);
                set_param(setter, &band.q, q.clamp(MIN_Q, MAX_Q));
            }
        }
        for (k, node) in NODES.into_iter().enumerate() {
            let at = node_pos(node);
            self.node_positions[k] = at;
            let (color, on, label) = match node {
                Node::Band(i) => (
                    BAND_COLORS[i],
                    p.bands[i].enabled.value(),
                    format!("{}", i + 1),
                ),
                Node::HighPass => (CUT_COLOR, p.hp_enabled.value(), "HP".to_owned()),
                Node::LowPass => (CUT_COLOR, p.lp_enabled.value(), "LP".to_owned()),
            };
            match (node, on) {
                (Node::Band(_), true) => {
                    painter.circle_filled(at, 7.0, color);
                }
                (Node::Band(_), false) => {
                    painter.circle_stroke(at, 6.0, Stroke::new(1.5, color.gamma_multiply(0.6)));
                }
                // Cut filters: a square, so they read apart from the bands.
                (_, true) => {
                    painter.rect_filled(Rect::from_center_size(at, vec2(11.0, 11.0)), 2.0, color);
                }
                (_, false) => {
                    painter.rect_stroke(
                        Rect::from_center_size(at, vec2(10.0, 10.0)),
                        2.0,
                        Stroke::new(1.5, color.gamma_multiply(0.6)),
                        egui::StrokeKind::Inside,
                    );
                }
            }
            if node == Node::Band(self.selected_band) {
                painter.circle_stroke(at, 10.0, Stroke::new(1.5, theme::TEXT));
            }
            // Band numbers above their nodes, HP/LP below: apart where a band
            // and a filter share a frequency.
            let (offset, align) = match node {
                Node::Band(_) => (vec2(0.0, -12.0), Align2::CENTER_BOTTOM),
                _ => (vec2(0.0, 10.0), Align2::CENTER_TOP),
            };
            painter.text(at + offset, align, label, theme::label_font(11.0), color);
        }
        // The dragged node's values, beside it and inside the plot.
        self.readout_rect = self.dragging.map(|node| {
            let lines = match node {
                Node::Band(i) => {
                    let band = &p.bands[i];
                    vec![
                        format!("{} {}", i + 1, band.band_type),
                        node_readout::format_frequency(band.frequency_hz.value()),
                        format!("{} dB", widgets::format_gain(band.gain_db.value(), 1)),
                        format!("Q {:.2}", band.q.value()),
                    ]
                }
                cut => {
                    let (name, slope) = match cut {
                        Node::HighPass => ("High-pass", p.hp_slope.to_string()),
                        _ => ("Low-pass", p.lp_slope.to_string()),
                    };
                    vec![
                        name.to_owned(),
                        node_readout::format_frequency(cut_frequency(p, cut).value()),
                        slope,
                    ]
                }
            };
            node_readout::draw(&painter, node_pos(node), &lines, plot)
        });
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
                    self.solo_rect = Some(solo_button(ui, &p, self.selected_band, setter).rect);
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

/// Solo for band `band`: auditions it alone through a band-pass at its
/// frequency and Q (as Pro-Q's band solo); soloing one band unsoloes the
/// others, each as its own host gesture.
fn solo_button(
    ui: &mut egui::Ui,
    p: &ChannelStripParams,
    band: usize,
    setter: &ParamSetter,
) -> egui::Response {
    let on = p.bands[band].solo.value();
    let text = RichText::new("Solo").size(11.0);
    let text = if on { text.color(theme::WARN) } else { text };
    let response = ui
        .selectable_label(on, text)
        .on_hover_text("Listen to this band alone, through a band-pass at its frequency and Q");
    if response.clicked() {
        for (i, other) in p.bands.iter().enumerate() {
            let want = i == band && !on;
            if other.solo.value() != want {
                set_param(setter, &other.solo, want);
            }
        }
    }
    response
}

/// The cut-off frequency parameter of a high- or low-pass node.
fn cut_frequency(p: &ChannelStripParams, node: Node) -> &FloatParam {
    match node {
        Node::LowPass => &p.lp_freq_hz,
        _ => &p.hp_freq_hz,
    }
}

/// The on/off parameter of a high- or low-pass node.
fn cut_enabled(p: &ChannelStripParams, node: Node) -> &BoolParam {
    match node {
        Node::LowPass => &p.lp_enabled,
        _ => &p.hp_enabled,
    }
}

impl EditorView for StripView {
    fn opened(&mut self) {
        self.telemetry.editor_open.set(true);
    }

    fn closed(&mut self) {
        self.telemetry.editor_open.set(false);
    }

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
    use shared_ui::egui::{Event, Modifiers};
    use shared_ui::testing::assert_editor_fits;
    use shared_ui::testing::{button, HeadlessEditor, RecordingContext};

    fn window() -> egui::Vec2 {
        egui::vec2(EDITOR_WIDTH as f32, EDITOR_HEIGHT as f32)
    }

    fn view_with(params: ChannelStripParams, telemetry: StripTelemetry) -> StripView {
        new_view(Arc::new(params), Arc::new(telemetry))
    }

    /// Runs a few frames, so layouts that depend on the previous frame settle.
    fn settle(editor: &mut HeadlessEditor, host: &RecordingContext, view: &mut StripView) {
        for _ in 0..3 {
            editor.view_frame(host, view, vec![]);
        }
    }

    /// Drags from `from` to `to` in steps, one frame each, and returns the
    /// readout box seen in the frame before the release.
    fn drag(
        editor: &mut HeadlessEditor,
        host: &RecordingContext,
        view: &mut StripView,
        from: Pos2,
        to: Pos2,
    ) -> Option<Rect> {
        editor.view_frame(host, view, vec![Event::PointerMoved(from)]);
        editor.view_frame(host, view, vec![button(from, true, Modifiers::NONE)]);
        const STEPS: usize = 8;
        for step in 1..=STEPS {
            let at = from + (to - from) * (step as f32 / STEPS as f32);
            editor.view_frame(host, view, vec![Event::PointerMoved(at)]);
        }
        let readout = view.readout_rect;
        editor.view_frame(host, view, vec![button(to, false, Modifiers::NONE)]);
        readout
    }

    fn node_at(view: &StripView, node: Node) -> Pos2 {
        let k = NODES.iter().position(|n| *n == node).unwrap();
        view.node_positions[k]
    }

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
        let mut view = view_with(ChannelStripParams::default(), StripTelemetry::default());
        let host = RecordingContext::default();
        let mut editor = HeadlessEditor::new(window());
        settle(&mut editor, &host, &mut view);
        let widgets = editor.widget_rects();
        assert!(
            widgets.len() > 20,
            "the editor laid out its widgets: {}",
            widgets.len()
        );
        let outside = editor.widgets_outside_window(0.5);
        assert!(
            outside.is_empty(),
            "{} widgets outside the {}×{} window: {outside:?}",
            outside.len(),
            EDITOR_WIDTH,
            EDITOR_HEIGHT
        );
        // Every node, and the plot, inside the window too.
        let plot = view.plot_rect.expect("the graph was drawn");
        assert!(editor.screen_rect().contains_rect(plot));
        assert!(view
            .node_positions
            .iter()
            .all(|p| plot.expand(0.5).contains(*p)));
    }

    /// Switching every section on, with saturation's latency showing, moves
    /// no widget: the layout is fixed.
    #[test]
    fn the_layout_does_not_move_when_sections_change() {
        let host = RecordingContext::default();
        let mut quiet = view_with(ChannelStripParams::default(), StripTelemetry::default());
        let mut editor = HeadlessEditor::new(window());
        settle(&mut editor, &host, &mut quiet);
        let before = editor.widget_rects();

        let busy = ChannelStripParams::default();
        let telemetry = StripTelemetry::default();
        telemetry.latency_samples.store(Some(123_456.0));
        telemetry.sample_rate_hz.store(Some(192_000.0));
        telemetry.gate_gain_db.store(Some(-47.3));
        telemetry.gain_reduction_db.store(Some(17.5));
        let mut busy_view = view_with(busy, telemetry);
        let mut editor = HeadlessEditor::new(window());
        let setter = host.setter();
        let p = busy_view.params.clone();
        for param in [
            &p.hp_enabled,
            &p.lp_enabled,
            &p.gate_enabled,
            &p.comp_enabled,
            &p.sat_enabled,
            &p.invert_left,
            &p.bypass,
        ] {
            set_param(&setter, param, true);
        }
        settle(&mut editor, &host, &mut busy_view);
        // Texts may grow (a longer number), but nothing starts anywhere else.
        let corners = |rects: Vec<Rect>| rects.into_iter().map(|r| r.min).collect::<Vec<_>>();
        assert_eq!(corners(editor.widget_rects()), corners(before));
    }

    /// Dragging a band node writes its frequency and gain in one gesture and
    /// shows its values in a box inside the plot, even at the plot's corners.
    #[test]
    fn dragging_a_band_shows_its_values_inside_the_plot() {
        for corner in [(1.0, 0.0), (0.0, 0.0), (1.0, 1.0), (0.0, 1.0)] {
            let mut view = view_with(ChannelStripParams::default(), StripTelemetry::default());
            let host = RecordingContext::default();
            let mut editor = HeadlessEditor::new(window());
            settle(&mut editor, &host, &mut view);
            let plot = view.plot_rect.unwrap();
            let band = 3;
            let from = node_at(&view, Node::Band(band));
            let to = pos2(
                plot.left() + corner.0 * plot.width(),
                plot.top() + corner.1 * plot.height(),
            );
            let before = view.params.bands[band].frequency_hz.value();
            let readout =
                drag(&mut editor, &host, &mut view, from, to).expect("a readout while dragging");
            assert!(
                plot.contains_rect(readout),
                "{corner:?}: {readout:?} outside {plot:?}"
            );
            assert!(editor.screen_rect().contains_rect(readout));
            assert!(view.readout_rect.is_none(), "no readout once released");
            let b = &view.params.bands[band];
            assert!(
                b.frequency_hz.value() != before,
                "{corner:?}: frequency moved"
            );
            let expected = if corner.0 > 0.5 {
                MAX_FREQUENCY_HZ
            } else {
                MIN_FREQUENCY_HZ
            };
            assert!(
                (b.frequency_hz.value() / expected - 1.0).abs() < 0.01,
                "{}",
                b.frequency_hz.value()
            );
            let expected_gain = if corner.1 < 0.5 { MAX_GAIN } else { -MAX_GAIN };
            assert!(
                (b.gain_db.value() - expected_gain).abs() < 0.1,
                "{}",
                b.gain_db.value()
            );
            assert!(host.gestures_balanced());
            assert_eq!(view.selected_band, band);
        }
    }

    /// The Solo button solos exactly the selected band, and unsoloes the others.
    #[test]
    fn solo_soloes_the_selected_band_alone() {
        let mut view = view_with(ChannelStripParams::default(), StripTelemetry::default());
        let host = RecordingContext::default();
        let setter = host.setter();
        let p = view.params.clone();
        set_param(&setter, &p.bands[4].solo, true);
        host.clear();
        let mut editor = HeadlessEditor::new(window());
        settle(&mut editor, &host, &mut view);
        view.selected_band = 2;
        settle(&mut editor, &host, &mut view);
        let solo = view.solo_rect.expect("a Solo button");
        assert!(editor.screen_rect().contains_rect(solo));
        editor.view_frame(
            &host,
            &mut view,
            shared_ui::testing::click_at(solo.center()),
        );
        settle(&mut editor, &host, &mut view);
        let soloed: Vec<usize> = (0..NUM_EQ_BANDS)
            .filter(|&i| p.bands[i].solo.value())
            .collect();
        assert_eq!(soloed, vec![2]);
        assert_eq!(p.settings().eq_solo, Some(2));
        assert!(host.gestures_balanced());
        // Again: off.
        editor.view_frame(
            &host,
            &mut view,
            shared_ui::testing::click_at(solo.center()),
        );
        settle(&mut editor, &host, &mut view);
        assert_eq!(p.settings().eq_solo, None);
    }

    /// Highest gain the graph reaches, dB (the band gain's range is wider).
    const MAX_GAIN: f32 = EQ_RANGE_DB;

    /// The high- and low-pass nodes move only their cut-off, in one gesture,
    /// and dragging one that is off switches it on.
    #[test]
    fn dragging_a_cut_node_sets_its_cutoff_and_switches_it_on() {
        for (node, target_fx) in [(Node::HighPass, 0.3), (Node::LowPass, 0.8)] {
            let params = ChannelStripParams::default();
            let mut view = view_with(params, StripTelemetry::default());
            let host = RecordingContext::default();
            let mut editor = HeadlessEditor::new(window());
            settle(&mut editor, &host, &mut view);
            let p = view.params.clone();
            assert!(!cut_enabled(&p, node).value(), "off by default");
            let plot = view.plot_rect.unwrap();
            let from = node_at(&view, node);
            let to = pos2(plot.left() + target_fx * plot.width(), plot.top() + 10.0);
            let readout = drag(&mut editor, &host, &mut view, from, to).expect("a readout");
            assert!(plot.contains_rect(readout));
            assert!(cut_enabled(&p, node).value(), "{node:?} switched on");
            let axis = FreqAxis { rect: plot };
            let f = cut_frequency(&p, node).value();
            assert!((f / axis.freq(to.x) - 1.0).abs() < 0.01, "{node:?}: {f} Hz");
            // Only the cut filter's own parameters were written.
            let touched = host.touched();
            assert_eq!(touched.len(), 2, "{touched:?}");
            assert!(touched.contains(&cut_frequency(&p, node).as_ptr()));
            assert!(touched.contains(&cut_enabled(&p, node).as_ptr()));
            assert!(host.gestures_balanced());
            // It now sits on the curve, below 0 dB: −3 dB at its cut-off.
            editor.view_frame(&host, &mut view, vec![]);
            let at = node_at(&view, node);
            assert!((axis.db(at.y, (-EQ_RANGE_DB, EQ_RANGE_DB)) + 3.0).abs() < 0.5);
        }
    }
}
