//! The value box drawn beside a graph node while it is dragged (frequency,
//! gain, Q), placed so it never leaves the graph and never hides the node.

use crate::theme;
use egui::{pos2, vec2, Painter, Pos2, Rect, Stroke, Vec2};

/// Gap between a node's centre and its readout box, logical px.
const NODE_GAP_PX: f32 = 14.0;
/// Padding inside the box, logical px.
const PADDING_PX: f32 = 4.0;
/// Text size of the readout, pt.
const TEXT_PT: f32 = 11.0;

/// Where a box of `size` goes beside a node at `anchor` inside `bounds`:
/// above and to the right by default, flipped to the other side of the node
/// where that side runs out of room, and finally clamped into `bounds` (a
/// box larger than `bounds` keeps its top-left corner inside).
pub fn place_beside(anchor: Pos2, size: Vec2, bounds: Rect) -> Rect {
    let x = if anchor.x + NODE_GAP_PX + size.x <= bounds.right() {
        anchor.x + NODE_GAP_PX
    } else {
        anchor.x - NODE_GAP_PX - size.x
    };
    let y = if anchor.y - NODE_GAP_PX - size.y >= bounds.top() {
        anchor.y - NODE_GAP_PX - size.y
    } else {
        anchor.y + NODE_GAP_PX
    };
    let x = x.min(bounds.right() - size.x).max(bounds.left());
    let y = y.min(bounds.bottom() - size.y).max(bounds.top());
    Rect::from_min_size(pos2(x, y), size)
}

/// Draws `lines` in a box beside the node at `anchor`, inside `bounds`, and
/// returns the box.
pub fn draw(painter: &Painter, anchor: Pos2, lines: &[String], bounds: Rect) -> Rect {
    let font = theme::number_font(TEXT_PT);
    let galleys: Vec<_> = lines
        .iter()
        .map(|line| painter.layout_no_wrap(line.clone(), font.clone(), theme::TEXT))
        .collect();
    let text_w = galleys.iter().map(|g| g.size().x).fold(0.0, f32::max);
    let line_h = galleys.iter().map(|g| g.size().y).fold(0.0, f32::max);
    let size = vec2(
        text_w + 2.0 * PADDING_PX,
        line_h * lines.len() as f32 + 2.0 * PADDING_PX,
    );
    let rect = place_beside(anchor, size, bounds);
    painter.rect_filled(rect, 3.0, theme::BACKGROUND.gamma_multiply(0.9));
    painter.rect_stroke(
        rect,
        3.0,
        Stroke::new(1.0, theme::GRID),
        egui::StrokeKind::Inside,
    );
    for (i, galley) in galleys.into_iter().enumerate() {
        let pos = rect.left_top() + vec2(PADDING_PX, PADDING_PX + i as f32 * line_h);
        painter.galley(pos, galley, theme::TEXT);
    }
    rect
}

/// A frequency for a readout: "85.3 Hz", "1.25 kHz", "12.5 kHz".
pub fn format_frequency(hz: f32) -> String {
    if hz >= 10_000.0 {
        format!("{:.1} kHz", hz / 1000.0)
    } else if hz >= 1000.0 {
        format!("{:.2} kHz", hz / 1000.0)
    } else if hz >= 100.0 {
        format!("{hz:.0} Hz")
    } else {
        format!("{hz:.1} Hz")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_box_stays_inside_the_bounds_and_off_the_node_wherever_the_node_is() {
        let bounds = Rect::from_min_size(pos2(12.0, 30.0), vec2(700.0, 240.0));
        let size = vec2(96.0, 44.0);
        for fx in [0.0, 0.01, 0.3, 0.5, 0.9, 0.99, 1.0] {
            for fy in [0.0, 0.02, 0.5, 0.97, 1.0] {
                let anchor = pos2(
                    bounds.left() + fx * bounds.width(),
                    bounds.top() + fy * bounds.height(),
                );
                let rect = place_beside(anchor, size, bounds);
                assert!(bounds.contains_rect(rect), "{anchor:?}: {rect:?}");
                assert!((rect.size() - size).length() < 1e-3, "{rect:?}");
                // The node (radius < gap) stays visible.
                assert!(
                    rect.distance_to_pos(anchor) >= NODE_GAP_PX - 1e-3,
                    "{anchor:?} covered by {rect:?}"
                );
            }
        }
    }

    #[test]
    fn frequencies_read_in_hz_then_khz() {
        assert_eq!(format_frequency(20.0), "20.0 Hz");
        assert_eq!(format_frequency(85.26), "85.3 Hz");
        assert_eq!(format_frequency(440.0), "440 Hz");
        assert_eq!(format_frequency(1250.0), "1.25 kHz");
        assert_eq!(format_frequency(12_500.0), "12.5 kHz");
    }
}
