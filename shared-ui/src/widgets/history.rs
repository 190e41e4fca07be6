//! A scrolling history graph with a labelled value axis (with its unit) on
//! the left and a time axis ("−6 s" … "now") along the bottom.

use super::scale;
use crate::theme;
use egui::{pos2, Align2, Color32, Rect, Response, Sense, Shape, Stroke, Ui};

/// Width of the value-axis label column, logical px.
pub const VALUE_AXIS_WIDTH: f32 = 34.0;
/// Height of the time-axis label row, logical px.
pub const TIME_AXIS_HEIGHT: f32 = 14.0;
/// Height of the legend row above the plot, logical px: the legend sits
/// outside the data, so a curve along the top (gain reduction near 0 dB,
/// loudness near full scale) is never hidden behind its name.
pub const LEGEND_HEIGHT: f32 = 16.0;
/// Least distance between value ticks, logical px.
const VALUE_TICK_SPACING_PX: f32 = 18.0;
/// Least distance between time ticks, logical px.
const TIME_TICK_SPACING_PX: f32 = 48.0;

/// One line of a [`history_graph`]: values at equal time steps, oldest first.
pub struct Series<'a> {
    /// Legend text.
    pub name: &'a str,
    /// Values; `None` leaves a gap.
    pub values: &'a [Option<f32>],
    /// Line colour.
    pub color: Color32,
}

/// The plot area of a graph laid out in `rect` (without the axis labels,
/// and without the legend row when `legend`).
pub fn plot_rect(rect: Rect, legend: bool) -> Rect {
    let legend_height = if legend { LEGEND_HEIGHT } else { 0.0 };
    Rect::from_min_max(
        pos2(rect.left() + VALUE_AXIS_WIDTH, rect.top() + legend_height),
        pos2(rect.right(), rect.bottom() - TIME_AXIS_HEIGHT),
    )
}

/// Draws value and time axes for `plot` inside `rect`: value ticks of
/// `y_range` in `unit`, time ticks for the last `span_s` seconds.
pub fn draw_axes(
    painter: &egui::Painter,
    rect: Rect,
    plot: Rect,
    y_range: (f32, f32),
    unit: &str,
    span_s: f32,
) {
    let y_of = |v: f32| scale::position(v, y_range, (plot.bottom(), plot.top()));
    let font = theme::label_font(10.0);
    for v in scale::value_ticks(y_range.0, y_range.1, plot.height(), VALUE_TICK_SPACING_PX) {
        let y = y_of(v);
        painter.line_segment(
            [pos2(plot.left(), y), pos2(plot.right(), y)],
            Stroke::new(1.0, theme::GRID),
        );
        painter.text(
            pos2(
                plot.left() - 4.0,
                y.clamp(plot.top() + 6.0, plot.bottom() - 5.0),
            ),
            Align2::RIGHT_CENTER,
            super::format_level(Some(v), 0).replace('-', "−"),
            font.clone(),
            theme::TEXT_DIM,
        );
    }
    painter.text(
        pos2(rect.left() + 2.0, plot.bottom() + 1.0),
        Align2::LEFT_TOP,
        unit,
        font.clone(),
        theme::TEXT_DIM,
    );
    for ago in scale::time_ticks(span_s, plot.width(), TIME_TICK_SPACING_PX) {
        let x = scale::position(ago, (0.0, span_s), (plot.right(), plot.left()));
        painter.line_segment(
            [pos2(x, plot.top()), pos2(x, plot.bottom())],
            Stroke::new(1.0, theme::GRID.gamma_multiply(0.6)),
        );
        let align = if ago <= 0.0 {
            Align2::RIGHT_TOP
        } else if ago >= span_s {
            Align2::LEFT_TOP
        } else {
            Align2::CENTER_TOP
        };
        painter.text(
            pos2(x, plot.bottom() + 1.0),
            align,
            scale::time_label(ago),
            font.clone(),
            theme::TEXT_DIM,
        );
    }
}

/// Scrolling history of readings with labelled axes.
///
/// `step_s` is the time between values; the newest value sits at the right
/// edge and `span_s` seconds are shown. `y_range` is (bottom, top) in
/// `unit`; `reference` draws a horizontal dashed line (e.g. the target).
#[allow(clippy::too_many_arguments)]
pub fn history_graph(
    ui: &mut Ui,
    size: egui::Vec2,
    series: &[Series<'_>],
    step_s: f32,
    span_s: f32,
    y_range: (f32, f32),
    unit: &str,
    reference: Option<(f32, Color32)>,
) -> Response {
    let (rect, response) = ui.allocate_exact_size(size, Sense::hover());
    let painter = ui.painter_at(rect);
    let legend = series.iter().any(|s| !s.name.is_empty());
    let plot = plot_rect(rect, legend);
    painter.rect_filled(plot, 4.0, theme::PANEL);
    draw_axes(&painter, rect, plot, y_range, unit, span_s);
    let y_of = |v: f32| scale::position(v, y_range, (plot.bottom(), plot.top()));
    let plot_painter = ui.painter_at(plot);
    if let Some((level, color)) = reference {
        let y = y_of(level);
        plot_painter.extend(Shape::dashed_line(
            &[pos2(plot.left(), y), pos2(plot.right(), y)],
            Stroke::new(1.0, color),
            6.0,
            4.0,
        ));
    }
    let px_per_step = plot.width() * step_s / span_s;
    for s in series {
        let n = s.values.len();
        let mut run: Vec<egui::Pos2> = Vec::new();
        for (i, v) in s.values.iter().enumerate() {
            let x = plot.right() - (n - 1 - i) as f32 * px_per_step;
            match v {
                Some(v) if x >= plot.left() => run.push(pos2(x, y_of(*v))),
                _ => {
                    if run.len() > 1 {
                        plot_painter.add(Shape::line(
                            std::mem::take(&mut run),
                            Stroke::new(1.5, s.color),
                        ));
                    }
                    run.clear();
                }
            }
        }
        if run.len() > 1 {
            plot_painter.add(Shape::line(run, Stroke::new(1.5, s.color)));
        }
    }
    // Legend, right-aligned in its row above the plot.
    let mut x = plot.right();
    for s in series.iter().rev().filter(|s| !s.name.is_empty()) {
        let r = painter.text(
            pos2(x, plot.top() - 1.0),
            Align2::RIGHT_BOTTOM,
            s.name,
            theme::label_font(theme::LABEL_TEXT_PT),
            s.color,
        );
        x = r.left() - 12.0;
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;
    use egui::{
        epaint::{ClippedShape, ColorMode},
        Context, RawInput,
    };

    /// Every shape `draw` paints in one frame, flattened.
    fn shapes(draw: impl FnMut(&mut Ui)) -> Vec<Shape> {
        let ctx = Context::default();
        let mut draw = draw;
        let mut output = ctx.run_ui(RawInput::default(), |ui| draw(ui));
        output.textures_delta.clear();
        let mut flat = Vec::new();
        fn walk(shape: Shape, out: &mut Vec<Shape>) {
            match shape {
                Shape::Vec(v) => v.into_iter().for_each(|s| walk(s, out)),
                s => out.push(s),
            }
        }
        for ClippedShape { shape, .. } in output.shapes {
            walk(shape, &mut flat);
        }
        flat
    }

    /// The points of the first line drawn in `color`.
    fn curve(shapes: &[Shape], color: Color32) -> Option<Vec<egui::Pos2>> {
        shapes.iter().find_map(|s| match s {
            Shape::Path(p) if p.stroke.color == ColorMode::Solid(color) => Some(p.points.clone()),
            _ => None,
        })
    }

    #[test]
    fn the_legend_sits_above_the_data_a_curve_along_the_top_stays_visible() {
        // Gain reduction of 0 dB all along: the curve runs on the top edge.
        let values = vec![Some(0.0); 100];
        let size = egui::vec2(400.0, 120.0);
        let mut rect = Rect::NOTHING;
        let shapes = shapes(|ui| {
            let series = [Series {
                name: "Gain reduction",
                values: &values,
                color: theme::OVER,
            }];
            rect = history_graph(ui, size, &series, 0.1, 10.0, (-12.0, 0.0), "dB", None).rect;
        });
        let plot = plot_rect(rect, true);
        let legend: Vec<Rect> = shapes
            .iter()
            .filter_map(|s| match s {
                Shape::Text(t) if t.galley.text() == "Gain reduction" => {
                    Some(t.galley.rect.translate(t.pos.to_vec2()))
                }
                _ => None,
            })
            .collect();
        assert_eq!(legend.len(), 1, "one legend entry");
        assert!(
            legend[0].bottom() <= plot.top() + 0.5,
            "{legend:?} vs {plot:?}"
        );
        assert!(
            rect.contains_rect(legend[0].shrink(0.5)),
            "{legend:?} in {rect:?}"
        );
        // The curve itself is drawn on the plot's top edge, inside the plot.
        let curve = curve(&shapes, theme::OVER).expect("the curve");
        assert!(curve
            .iter()
            .all(|p| (p.y - plot.top()).abs() < 0.5 && plot.x_range().contains(p.x)));
    }

    #[test]
    fn a_graph_without_names_keeps_the_whole_height_for_data() {
        let values = vec![Some(-3.0); 10];
        let mut rect = Rect::NOTHING;
        let shapes = shapes(|ui| {
            let series = [Series {
                name: "",
                values: &values,
                color: theme::ACCENT,
            }];
            rect = history_graph(
                ui,
                egui::vec2(300.0, 100.0),
                &series,
                0.1,
                1.0,
                (-12.0, 0.0),
                "dB",
                None,
            )
            .rect;
        });
        let plot = plot_rect(rect, false);
        assert_eq!(plot.top(), rect.top());
        let curve = curve(&shapes, theme::ACCENT);
        let y = scale::position(-3.0, (-12.0, 0.0), (plot.bottom(), plot.top()));
        assert!(curve
            .expect("the curve")
            .iter()
            .all(|p| (p.y - y).abs() < 0.5));
    }
}
