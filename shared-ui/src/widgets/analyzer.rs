//! A spectrum analyser's traces and its own dB scale, drawn into a plot that
//! may carry another graph (an EQ curve) on its own scale. The traces are
//! handed in already smoothed (`shared_dsp::units::octave_smoothing`); a
//! [`PeakTrace`] keeps a decaying maximum of them for display.

use super::meter::PeakHold;
use super::scale;
use crate::theme;
use egui::{pos2, Align2, Color32, Painter, Pos2, Rect, Shape, Stroke};

/// Least distance between the analyser scale's labels, logical px.
const SCALE_MIN_SPACING_PX: f32 = 22.0;
/// Width an analyser scale needs beside its plot, logical px.
pub const SCALE_WIDTH: f32 = 30.0;
/// Text size of the scale's labels, pt.
const SCALE_TEXT_PT: f32 = 10.0;

/// How a trace is drawn.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TraceStyle {
    /// Colour of the line.
    pub line: Color32,
    /// Width of the line, logical px.
    pub width: f32,
    /// Colour of the area under the line (`None`: no fill).
    pub fill: Option<Color32>,
}

/// Vertical mapping of an analyser's levels into a plot.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AnalyzerRange {
    /// Level at the bottom of the plot, dB.
    pub floor_db: f32,
    /// Level at the top of the plot, dB.
    pub top_db: f32,
}

impl AnalyzerRange {
    /// Vertical position of `db` in `plot` (clamped to the plot).
    pub fn y_of(&self, db: f32, plot: Rect) -> f32 {
        scale::position(
            db,
            (self.floor_db, self.top_db),
            (plot.bottom(), plot.top()),
        )
    }

    /// Labelled levels for a plot `height_px` tall, ascending.
    pub fn ticks(&self, height_px: f32) -> Vec<f32> {
        scale::value_ticks(self.floor_db, self.top_db, height_px, SCALE_MIN_SPACING_PX)
    }
}

/// Screen points of a trace: `(x_of(frequency), y of level)` for each point
/// whose x lies inside `plot` and whose level is above the floor.
pub fn trace_points(
    plot: Rect,
    range: AnalyzerRange,
    frequencies_hz: &[f32],
    levels_db: &[f32],
    x_of: &dyn Fn(f32) -> f32,
) -> Vec<Pos2> {
    frequencies_hz
        .iter()
        .zip(levels_db)
        .map(|(f, db)| (x_of(*f), *db))
        .filter(|(x, _)| (plot.left()..=plot.right()).contains(x))
        .map(|(x, db)| pos2(x, range.y_of(db.max(range.floor_db), plot)))
        .collect()
}

/// Draws one analyser trace into `plot` (clipped to it): `levels_db[i]` at
/// `frequencies_hz[i]`, placed horizontally by `x_of` (the plot's frequency
/// axis) and vertically by `range`.
pub fn draw_trace(
    painter: &Painter,
    plot: Rect,
    range: AnalyzerRange,
    frequencies_hz: &[f32],
    levels_db: &[f32],
    x_of: &dyn Fn(f32) -> f32,
    style: TraceStyle,
) {
    let painter = painter.with_clip_rect(plot);
    let points = trace_points(plot, range, frequencies_hz, levels_db, x_of);
    if points.len() < 2 {
        return;
    }
    if let Some(fill) = style.fill {
        // One quad per segment down to the floor (a concave polygon would
        // not tessellate correctly as one convex shape).
        for pair in points.windows(2) {
            painter.add(Shape::convex_polygon(
                vec![
                    pair[0],
                    pair[1],
                    pos2(pair[1].x, plot.bottom()),
                    pos2(pair[0].x, plot.bottom()),
                ],
                fill,
                Stroke::NONE,
            ));
        }
    }
    painter.add(Shape::line(points, Stroke::new(style.width, style.line)));
}

/// Draws the analyser's dB scale in `strip` (beside the plot, outside it, so
/// it never covers the plot's own labels; reaching below the plot's bottom
/// for the unit): a label per tick at its level in `plot`, and the unit
/// under the lowest.
pub fn draw_scale(painter: &Painter, strip: Rect, plot: Rect, range: AnalyzerRange, unit: &str) {
    let painter = painter.with_clip_rect(strip);
    let font = theme::label_font(SCALE_TEXT_PT);
    // Keep the top and bottom labels inside the plot's height.
    let half_text = SCALE_TEXT_PT * 0.6;
    for tick in range.ticks(plot.height()) {
        let y = range
            .y_of(tick, plot)
            .clamp(plot.top() + half_text, plot.bottom() - half_text);
        painter.text(
            pos2(strip.right() - 2.0, y),
            Align2::RIGHT_CENTER,
            format!("{tick:.0}"),
            font.clone(),
            theme::TEXT_DIM,
        );
    }
    painter.text(
        pos2(strip.right() - 2.0, strip.bottom()),
        Align2::RIGHT_BOTTOM,
        unit,
        font,
        theme::TEXT_DIM,
    );
}

/// A decaying maximum of a trace: each point holds its peak, then falls as
/// a meter's peak hold does ([`PeakHold`]).
#[derive(Debug, Clone, Default)]
pub struct PeakTrace {
    holds: Vec<PeakHold>,
    held_db: Vec<f32>,
    last_time_s: Option<f64>,
}

impl PeakTrace {
    /// Feeds the trace now (`now_s`, seconds on any steady clock) and returns
    /// the held levels, one per point, dB (`floor_db` where nothing is held).
    /// A trace of a different length starts the hold over.
    pub fn update(&mut self, levels_db: &[f32], now_s: f64, floor_db: f32) -> &[f32] {
        if self.holds.len() != levels_db.len() {
            self.holds = vec![PeakHold::default(); levels_db.len()];
            self.held_db = vec![floor_db; levels_db.len()];
            self.last_time_s = None;
        }
        let dt_s = self
            .last_time_s
            .map_or(0.0, |t| (now_s - t).max(0.0) as f32);
        self.last_time_s = Some(now_s);
        for ((hold, held), level) in self.holds.iter_mut().zip(&mut self.held_db).zip(levels_db) {
            let reading = (*level > floor_db).then_some(*level);
            *held = hold.update(reading, dt_s).unwrap_or(floor_db).max(floor_db);
        }
        &self.held_db
    }

    /// Forgets every held level.
    pub fn reset(&mut self) {
        *self = Self::default();
    }
}

#[cfg(test)]
mod tests {
    use super::super::meter::{PEAK_DECAY_DB_PER_S, PEAK_HOLD_S};
    use super::*;
    use egui::vec2;

    #[test]
    fn the_peak_trace_holds_each_point_then_falls_at_the_meter_rate() {
        let mut trace = PeakTrace::default();
        let floor = -96.0;
        assert_eq!(trace.update(&[-10.0, -50.0], 0.0, floor), &[-10.0, -50.0]);
        // Quieter input: held during the hold time.
        let held = trace.update(&[-40.0, -60.0], f64::from(PEAK_HOLD_S) * 0.5, floor);
        assert_eq!(held, &[-10.0, -50.0]);
        // One second into the fall.
        let t = f64::from(PEAK_HOLD_S) + 1.0;
        let held = trace.update(&[-40.0, -60.0], t, floor).to_vec();
        assert!(
            (held[0] - (-10.0 - PEAK_DECAY_DB_PER_S)).abs() < 1e-3,
            "{held:?}"
        );
        // A louder point takes over at once; a fallen one never reads below the input.
        let held = trace.update(&[0.0, -60.0], t + 100.0, floor).to_vec();
        assert_eq!(held[0], 0.0);
        assert_eq!(held[1], -60.0);
        assert!(trace
            .update(&[floor, floor], t + 1000.0, floor)
            .iter()
            .all(|h| *h == floor));
    }

    #[test]
    fn trace_points_keep_inside_the_plot() {
        let plot = Rect::from_min_size(pos2(10.0, 20.0), vec2(200.0, 100.0));
        let range = AnalyzerRange {
            floor_db: -90.0,
            top_db: 0.0,
        };
        let x_of = |f: f32| plot.left() + f;
        let points = trace_points(
            plot,
            range,
            &[-5.0, 0.0, 100.0, 200.0, 250.0],
            &[0.0, 12.0, -45.0, -200.0, 0.0],
            &x_of,
        );
        assert_eq!(
            points.len(),
            3,
            "points left and right of the plot are dropped"
        );
        assert!(points.iter().all(|p| plot.contains(*p)));
        assert_eq!(points[0].y, plot.top(), "above the top clamps to it");
        assert_eq!(points[1].y, plot.center().y, "−45 dB is half way");
        assert_eq!(points[2].y, plot.bottom(), "below the floor sits on it");
    }

    #[test]
    fn scale_ticks_are_round_and_inside_the_range() {
        let range = AnalyzerRange {
            floor_db: -96.0,
            top_db: 0.0,
        };
        let ticks = range.ticks(220.0);
        assert!(ticks.len() >= 3, "{ticks:?}");
        assert!(ticks.iter().all(|t| (-96.0..=0.0).contains(t)));
        let step = ticks[1] - ticks[0];
        assert!(
            step * 220.0 / 96.0 >= SCALE_MIN_SPACING_PX,
            "labels leave room: {ticks:?}"
        );
    }
}
