//! Widgets every Lathe editor reuses. They draw the numbers they are handed.
//!
//! Controls bound to parameters: [`toggle`], [`choice`], [`knob`]. Displays:
//! [`meter`] (level and gain-reduction meters), [`history`] (graphs over
//! time with labelled axes), [`analyzer`] (smoothed spectrum traces with
//! their own scale), [`node_readout`] (a dragged node's values); [`scale`]
//! places their ticks.

pub mod analyzer;
pub mod choice;
pub mod history;
pub mod knob;
pub mod meter;
pub mod node_readout;
pub mod scale;
pub mod toggle;

pub use history::{history_graph, Series};

use crate::theme;
use egui::{pos2, vec2, Align2, Color32, Rect, Response, Sense, Shape, Stroke, Ui};

/// Formats an optional level with a fixed number of decimals; `None` as an en dash.
pub fn format_level(value: Option<f32>, decimals: usize) -> String {
    match value {
        Some(v) => format!("{v:.decimals$}"),
        None => "–".to_owned(),
    }
}

/// Formats a signed gain change, e.g. `+2.3` / `−4.0`.
pub fn format_gain(value_db: f32, decimals: usize) -> String {
    if value_db >= 0.0 {
        format!("+{value_db:.decimals$}")
    } else {
        format!("−{:.decimals$}", -value_db)
    }
}

/// Narrowest readout, wide enough for labels like "TRUE PEAK MAX", logical px.
const READOUT_MIN_WIDTH: f32 = 124.0;

/// A labelled numeric readout: small label above, number and unit below.
/// Returns a clickable response (e.g. click a peak readout to reset its hold).
pub fn readout(
    ui: &mut Ui,
    label: &str,
    value: Option<f32>,
    unit: &str,
    text_pt: f32,
    color: Color32,
) -> Response {
    let text = format_level(value, 1);
    let height = theme::LABEL_TEXT_PT + text_pt + 10.0;
    let width = (text_pt * 4.2).max(READOUT_MIN_WIDTH);
    let (rect, response) = ui.allocate_exact_size(vec2(width, height), Sense::click());
    let painter = ui.painter_at(rect);
    painter.rect_filled(rect, 4.0, theme::PANEL);
    painter.text(
        rect.left_top() + vec2(8.0, 4.0),
        Align2::LEFT_TOP,
        label,
        theme::label_font(theme::LABEL_TEXT_PT),
        theme::TEXT_DIM,
    );
    let baseline = rect.left_bottom() + vec2(8.0, -4.0);
    let galley_rect = painter.text(
        baseline,
        Align2::LEFT_BOTTOM,
        text,
        theme::number_font(text_pt),
        color,
    );
    painter.text(
        pos2(galley_rect.right() + 4.0, baseline.y - 2.0),
        Align2::LEFT_BOTTOM,
        unit,
        theme::label_font(theme::LABEL_TEXT_PT),
        theme::TEXT_DIM,
    );
    response
}

/// A horizontal level bar from `range_db.0` to `range_db.1`, with an optional marker line.
pub fn level_bar(
    ui: &mut Ui,
    width: f32,
    value_db: Option<f32>,
    range_db: (f32, f32),
    marker_db: Option<f32>,
    color: Color32,
) -> Response {
    let (rect, response) = ui.allocate_exact_size(vec2(width, 10.0), Sense::hover());
    let painter = ui.painter_at(rect);
    painter.rect_filled(rect, 2.0, theme::PANEL);
    let x_of = |db: f32| {
        let t = ((db - range_db.0) / (range_db.1 - range_db.0)).clamp(0.0, 1.0);
        rect.left() + t * rect.width()
    };
    if let Some(v) = value_db {
        let filled = Rect::from_min_max(rect.min, pos2(x_of(v), rect.max.y));
        painter.rect_filled(filled, 2.0, color);
    }
    if let Some(m) = marker_db {
        let x = x_of(m);
        painter.line_segment(
            [pos2(x, rect.top() - 2.0), pos2(x, rect.bottom() + 2.0)],
            Stroke::new(1.5, theme::TEXT),
        );
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_format_with_dash_for_undefined() {
        assert_eq!(format_level(Some(-23.04), 1), "-23.0");
        assert_eq!(format_level(None, 1), "–");
        assert_eq!(format_gain(2.25, 1), "+2.2");
        assert_eq!(format_gain(-4.0, 1), "−4.0");
    }
}

/// One column of a [`waveform_history`]: peak levels over a short interval.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct WaveformColumn {
    /// Input peak, dBFS (`None` for silence).
    pub input_db: Option<f32>,
    /// Output peak, dBFS (`None` for silence).
    pub output_db: Option<f32>,
    /// Gain reduction, dB (≥ 0).
    pub gain_reduction_db: Option<f32>,
}

impl WaveformColumn {
    /// Fills `columns` from history rows `[input dB, output dB, gain
    /// reduction dB]` (oldest first), padded with empty columns on the left
    /// up to `capacity` so the newest column always sits at the right edge.
    pub fn fill_padded(rows: &[[Option<f32>; 3]], capacity: usize, columns: &mut Vec<Self>) {
        columns.clear();
        columns.extend(std::iter::repeat_n(
            Self::default(),
            capacity.saturating_sub(rows.len()),
        ));
        columns.extend(
            rows.iter()
                .map(|&[input_db, output_db, gain_reduction_db]| Self {
                    input_db,
                    output_db,
                    gain_reduction_db,
                }),
        );
    }
}

/// Scrolling peak waveform of input (dim) and output (accent), mirrored about
/// the centre line on a dB scale from `floor_db` to 0 dB, with gain reduction
/// drawn down from the top edge (scale `gr_range_db`). Newest column on the right.
pub fn waveform_history(
    ui: &mut Ui,
    size: egui::Vec2,
    columns: &[WaveformColumn],
    floor_db: f32,
    gr_range_db: f32,
    ceiling_db: Option<f32>,
) -> Response {
    let (rect, response) = ui.allocate_exact_size(size, Sense::hover());
    let painter = ui.painter_at(rect);
    painter.rect_filled(rect, 4.0, theme::PANEL);
    let mid = rect.center().y;
    let half = rect.height() / 2.0;
    let extent = |db: Option<f32>| -> f32 {
        db.map_or(0.0, |v| ((v - floor_db) / -floor_db).clamp(0.0, 1.0) * half)
    };
    let n = columns.len().max(1);
    let col_w = rect.width() / n as f32;
    for (i, c) in columns.iter().enumerate() {
        let x = rect.left() + (i as f32 + 0.5) * col_w;
        let e_in = extent(c.input_db);
        let e_out = extent(c.output_db);
        let w = col_w.max(1.0);
        painter.line_segment(
            [pos2(x, mid - e_in), pos2(x, mid + e_in)],
            Stroke::new(w, theme::GRID),
        );
        painter.line_segment(
            [pos2(x, mid - e_out), pos2(x, mid + e_out)],
            Stroke::new(w, theme::ACCENT.gamma_multiply(0.8)),
        );
        if let Some(gr) = c.gain_reduction_db.filter(|g| *g > 0.0) {
            let h = (gr / gr_range_db).clamp(0.0, 1.0) * rect.height();
            painter.line_segment(
                [pos2(x, rect.top()), pos2(x, rect.top() + h)],
                Stroke::new(w, theme::OVER.gamma_multiply(0.7)),
            );
        }
    }
    if let Some(ceiling) = ceiling_db {
        let e = extent(Some(ceiling));
        for y in [mid - e, mid + e] {
            painter.extend(Shape::dashed_line(
                &[pos2(rect.left(), y), pos2(rect.right(), y)],
                Stroke::new(1.0, theme::WARN),
                6.0,
                4.0,
            ));
        }
    }
    response
}

/// Lays out a labelled row: label in a column `label_width` px wide on the
/// left, the widget on the right.
pub fn labelled(ui: &mut Ui, label: &str, label_width: f32, add: impl FnOnce(&mut Ui)) {
    ui.horizontal(|ui| {
        ui.add_sized(
            vec2(label_width, 18.0),
            egui::Label::new(egui::RichText::new(label).color(theme::TEXT_DIM)),
        );
        add(ui);
    });
}

#[cfg(test)]
mod waveform_tests {
    use super::WaveformColumn;

    #[test]
    fn padded_columns_keep_the_newest_at_the_right_edge() {
        let rows = [
            [Some(-6.0), Some(-7.0), Some(1.0)],
            [Some(-3.0), Some(-4.0), Some(2.5)],
        ];
        let mut columns = Vec::new();
        WaveformColumn::fill_padded(&rows, 4, &mut columns);
        assert_eq!(columns.len(), 4);
        assert_eq!(columns[0], WaveformColumn::default());
        assert_eq!(columns[1], WaveformColumn::default());
        assert_eq!(columns[3].input_db, Some(-3.0));
        assert_eq!(columns[3].gain_reduction_db, Some(2.5));
        // A full history is not padded or cut.
        WaveformColumn::fill_padded(&rows, 1, &mut columns);
        assert_eq!(columns.len(), 2);
        assert_eq!(columns[0].output_db, Some(-7.0));
    }
}

/// A labelled row with an On/Off [`toggle::on_off`] for `param`.
pub fn labelled_toggle(
    ui: &mut Ui,
    label: &str,
    label_width: f32,
    param: &nice_plug::prelude::BoolParam,
    setter: &nice_plug::prelude::ParamSetter,
) {
    labelled(ui, label, label_width, |ui| {
        toggle::on_off(ui, param, setter);
    });
}

/// A labelled row with a [`choice::choice`] (segmented or drop-down) for `param`.
pub fn labelled_choice<P: nice_plug::prelude::Param>(
    ui: &mut Ui,
    label: &str,
    label_width: f32,
    param: &P,
    setter: &nice_plug::prelude::ParamSetter,
) {
    labelled(ui, label, label_width, |ui| {
        choice::choice(ui, param, setter);
    });
}
