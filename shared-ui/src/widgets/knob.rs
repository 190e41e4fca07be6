//! A rotary knob bound to a continuous parameter: drag up/down (Shift for
//! fine), double-click for the default, click the value to type one (with
//! or without its unit). The value text is the parameter's own.

use crate::editor::set_param;
use crate::theme;
use egui::{pos2, vec2, Align2, Response, Sense, Shape, Stroke, Ui};
use nice_plug::prelude::{Param, ParamSetter};
use std::f32::consts::PI;

/// Angle of the knob's minimum, rad clockwise from 12 o'clock (7:30 position).
pub const MIN_ANGLE_RAD: f32 = -0.75 * PI;
/// Angle of the knob's maximum, rad clockwise from 12 o'clock (4:30 position).
pub const MAX_ANGLE_RAD: f32 = 0.75 * PI;
/// Vertical drag that sweeps the whole range, logical px.
pub const DRAG_RANGE_PX: f32 = 200.0;
/// Shift-drag moves this fraction of a normal drag.
pub const FINE_FACTOR: f32 = 0.1;
/// Knob diameter, logical px.
pub const KNOB_DIAMETER: f32 = 40.0;
/// Width of a knob with its name and value text, logical px.
pub const KNOB_WIDTH: f32 = 76.0;
/// Height of the name and of the value line, logical px.
const KNOB_TEXT_HEIGHT: f32 = 15.0;

/// Angle of `normalized` (0..=1), rad clockwise from 12 o'clock.
pub fn angle_of(normalized: f32) -> f32 {
    MIN_ANGLE_RAD + normalized.clamp(0.0, 1.0) * (MAX_ANGLE_RAD - MIN_ANGLE_RAD)
}

/// Normalized value (0..=1) of an angle, rad clockwise from 12 o'clock.
pub fn normalized_of(angle_rad: f32) -> f32 {
    ((angle_rad - MIN_ANGLE_RAD) / (MAX_ANGLE_RAD - MIN_ANGLE_RAD)).clamp(0.0, 1.0)
}

/// The normalized value after dragging `up_px` px upward (negative: down)
/// from `normalized`; `fine` (Shift) moves [`FINE_FACTOR`] as far.
pub fn dragged(normalized: f32, up_px: f32, fine: bool) -> f32 {
    let scale = if fine { FINE_FACTOR } else { 1.0 };
    (normalized + up_px / DRAG_RANGE_PX * scale).clamp(0.0, 1.0)
}

/// Parses typed text as a value of `param`: the parameter's own parser
/// (which accepts the unit), with a typographic minus accepted as "-".
pub fn parse_entry<P: Param>(param: &P, text: &str) -> Option<f32> {
    let text = text.trim().replace('−', "-");
    param.string_to_normalized_value(&text)
}

/// Drag state kept between frames: the unsnapped normalized value.
#[derive(Clone, Copy, Default)]
struct DragState(f32);

/// Typed-entry state kept between frames.
#[derive(Clone, Default)]
struct EntryState {
    text: String,
}

/// A knob for `param` titled `label`.
pub fn knob<P: Param>(ui: &mut Ui, label: &str, param: &P, setter: &ParamSetter) -> Response {
    let size = vec2(KNOB_WIDTH, KNOB_DIAMETER + 2.0 * KNOB_TEXT_HEIGHT + 4.0);
    let (rect, _) = ui.allocate_exact_size(size, Sense::hover());
    let id = ui.scope_id().with(("knob", param.name()));
    let dial_rect = egui::Rect::from_center_size(
        pos2(
            rect.center().x,
            rect.top() + KNOB_TEXT_HEIGHT + 2.0 + KNOB_DIAMETER / 2.0,
        ),
        vec2(KNOB_DIAMETER, KNOB_DIAMETER),
    );
    let dial = ui
        .interact(dial_rect, id, Sense::click_and_drag())
        .on_hover_text(format!(
            "{}: drag (Shift: fine), double-click: default",
            param.name()
        ));
    let normalized = param.unmodulated_normalized_value();

    if dial.double_clicked() {
        set_param(
            setter,
            param,
            param.preview_plain(param.default_normalized_value()),
        );
    } else if dial.drag_started() {
        setter.begin_set_parameter(param);
        ui.memory_mut(|m| m.data.insert_temp(id, DragState(normalized)));
    }
    if dial.dragged() {
        let fine = ui.input(|i| i.modifiers.shift);
        let start = ui
            .memory(|m| m.data.get_temp::<DragState>(id))
            .map_or(normalized, |s| s.0);
        let next = dragged(start, -dial.drag_delta().y, fine);
        ui.memory_mut(|m| m.data.insert_temp(id, DragState(next)));
        setter.set_parameter(param, param.preview_plain(next));
    }
    if dial.drag_stopped() {
        setter.end_set_parameter(param);
        ui.memory_mut(|m| m.data.remove::<DragState>(id));
    }

    let painter = ui.painter_at(rect);
    painter.text(
        pos2(rect.center().x, rect.top()),
        Align2::CENTER_TOP,
        label,
        theme::label_font(theme::LABEL_TEXT_PT),
        theme::TEXT_DIM,
    );
    let center = dial_rect.center();
    let radius = KNOB_DIAMETER / 2.0 - 3.0;
    let at = |angle: f32, r: f32| center + r * vec2(angle.sin(), -angle.cos());
    let arc = |from: f32, to: f32| -> Vec<egui::Pos2> {
        let steps = ((to - from).abs() / 0.08).ceil().max(1.0) as usize;
        (0..=steps)
            .map(|i| at(from + (to - from) * i as f32 / steps as f32, radius))
            .collect()
    };
    painter.circle_filled(center, radius - 3.0, theme::PANEL);
    painter.add(Shape::line(
        arc(MIN_ANGLE_RAD, MAX_ANGLE_RAD),
        Stroke::new(3.0, theme::GRID),
    ));
    let value_angle = angle_of(param.modulated_normalized_value());
    let accent = if dial.hovered() || dial.dragged() {
        theme::TEXT
    } else {
        theme::ACCENT
    };
    painter.add(Shape::line(
        arc(MIN_ANGLE_RAD, value_angle),
        Stroke::new(3.0, accent),
    ));
    painter.line_segment(
        [
            at(value_angle, radius * 0.35),
            at(value_angle, radius - 4.0),
        ],
        Stroke::new(2.0, theme::TEXT),
    );

    // Value line: the parameter's text; click to type a value.
    let value_rect = egui::Rect::from_min_size(
        pos2(rect.left(), rect.bottom() - KNOB_TEXT_HEIGHT),
        vec2(rect.width(), KNOB_TEXT_HEIGHT),
    );
    let entry_id = id.with("entry");
    let editing = ui
        .memory(|m| m.data.get_temp::<EntryState>(entry_id))
        .is_some();
    if editing {
        let mut state = ui
            .memory(|m| m.data.get_temp::<EntryState>(entry_id))
            .unwrap_or_default();
        let edit = ui.put(
            value_rect,
            egui::TextEdit::singleline(&mut state.text)
                .id(entry_id.with("text"))
                .font(theme::label_font(11.0))
                .align(egui::Align2::CENTER_CENTER),
        );
        edit.request_focus();
        let enter = ui.input(|i| i.key_pressed(egui::Key::Enter));
        let escape = ui.input(|i| i.key_pressed(egui::Key::Escape));
        if enter || edit.lost_focus() || escape {
            if !escape {
                if let Some(n) = parse_entry(param, &state.text) {
                    set_param(setter, param, param.preview_plain(n));
                }
            }
            ui.memory_mut(|m| m.data.remove::<EntryState>(entry_id));
        } else {
            ui.memory_mut(|m| m.data.insert_temp(entry_id, state));
        }
    } else {
        let value = ui
            .interact(value_rect, entry_id.with("label"), Sense::click())
            .on_hover_text("Click to type a value");
        painter.text(
            value_rect.center(),
            Align2::CENTER_CENTER,
            param.normalized_value_to_string(normalized, true),
            theme::label_font(11.0),
            theme::TEXT,
        );
        if value.clicked() {
            let text = param.normalized_value_to_string(normalized, false);
            ui.memory_mut(|m| m.data.insert_temp(entry_id, EntryState { text }));
        }
    }
    dial
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{button, click_at, HeadlessEditor, HostCall, RecordingContext};
    use egui::{Event, Modifiers};
    use nice_plug::prelude::{FloatParam, FloatRange};

    #[test]
    fn angle_and_normalized_are_inverse_and_span_270_degrees() {
        for i in 0..=10 {
            let n = i as f32 / 10.0;
            assert!((normalized_of(angle_of(n)) - n).abs() < 1e-6);
        }
        assert!(((MAX_ANGLE_RAD - MIN_ANGLE_RAD) - 1.5 * PI).abs() < 1e-6);
        assert_eq!(angle_of(0.5), 0.0, "centre points straight up");
        assert_eq!(angle_of(-1.0), MIN_ANGLE_RAD);
    }

    #[test]
    fn drag_moves_by_px_over_range_and_shift_by_a_tenth() {
        let n = 40.0;
        assert!((dragged(0.5, n, false) - (0.5 + n / DRAG_RANGE_PX)).abs() < 1e-6);
        assert!((dragged(0.5, -n, false) - (0.5 - n / DRAG_RANGE_PX)).abs() < 1e-6);
        assert!((dragged(0.5, n, true) - (0.5 + 0.1 * n / DRAG_RANGE_PX)).abs() < 1e-6);
        assert_eq!(dragged(0.9, 1000.0, false), 1.0);
        assert_eq!(dragged(0.1, -1000.0, false), 0.0);
    }

    fn gain() -> FloatParam {
        FloatParam::new(
            "Gain",
            0.0,
            FloatRange::Linear {
                min: -12.0,
                max: 12.0,
            },
        )
        .with_unit(" dB")
    }

    fn run_drag(modifiers: Modifiers, up_px: f32) -> (f32, RecordingContext) {
        let param = gain();
        let ctx = RecordingContext::default();
        let mut editor = HeadlessEditor::new(vec2(200.0, 200.0));
        let rect = std::cell::Cell::new(egui::Rect::NOTHING);
        let mut draw = |ui: &mut Ui, setter: &ParamSetter| {
            rect.set(knob(ui, "Gain", &param, setter).rect);
        };
        editor.frame(&ctx, vec![], &mut draw);
        let start = rect.get().center();
        editor.frame_with(
            &ctx,
            vec![Event::PointerMoved(start), button(start, true, modifiers)],
            modifiers,
            &mut draw,
        );
        // Move in small steps, as a real pointer does.
        let steps = 10;
        for i in 1..=steps {
            let p = start - vec2(0.0, up_px * i as f32 / steps as f32);
            editor.frame_with(&ctx, vec![Event::PointerMoved(p)], modifiers, &mut draw);
        }
        let end = start - vec2(0.0, up_px);
        editor.frame_with(
            &ctx,
            vec![button(end, false, modifiers)],
            modifiers,
            &mut draw,
        );
        editor.frame(&ctx, vec![], &mut draw);
        (param.unmodulated_normalized_value(), ctx)
    }

    #[test]
    fn dragging_the_knob_sets_its_parameter_in_one_gesture() {
        let (normal, host) = run_drag(Modifiers::NONE, 40.0);
        // egui holds the first few px back as click slop; allow for it.
        let expected = 0.5 + 40.0 / DRAG_RANGE_PX;
        assert!(
            (normal - expected).abs() < 8.0 / DRAG_RANGE_PX,
            "{normal} vs {expected}"
        );
        assert!(host.gestures_balanced());
        let begins = host
            .calls()
            .iter()
            .filter(|c| matches!(c, HostCall::Begin(_)))
            .count();
        assert_eq!(begins, 1, "one drag is one gesture");

        let (fine, _) = run_drag(Modifiers::SHIFT, 40.0);
        let fine_moved = fine - 0.5;
        assert!(fine_moved > 0.0);
        assert!(
            fine_moved < 0.2 * (normal - 0.5),
            "fine {fine_moved} vs {}",
            normal - 0.5
        );
    }

    #[test]
    fn double_click_returns_the_default() {
        let param = FloatParam::new(
            "Gain",
            3.0,
            FloatRange::Linear {
                min: -12.0,
                max: 12.0,
            },
        );
        let ctx = RecordingContext::default();
        ctx.setter().set_parameter(&param, -9.0);
        assert_eq!(param.value(), -9.0);
        let mut editor = HeadlessEditor::new(vec2(200.0, 200.0));
        let rect = std::cell::Cell::new(egui::Rect::NOTHING);
        let mut draw = |ui: &mut Ui, setter: &ParamSetter| {
            rect.set(knob(ui, "Gain", &param, setter).rect);
        };
        editor.frame(&ctx, vec![], &mut draw);
        editor.frame(&ctx, click_at(rect.get().center()), &mut draw);
        editor.frame(&ctx, click_at(rect.get().center()), &mut draw);
        editor.frame(&ctx, vec![], &mut draw);
        assert!((param.value() - 3.0).abs() < 1e-4, "{}", param.value());
    }

    #[test]
    fn typed_entry_accepts_units_and_typographic_minus() {
        let param = gain();
        assert_eq!(
            param.preview_plain(parse_entry(&param, "-3 dB").unwrap()),
            -3.0
        );
        assert_eq!(
            param.preview_plain(parse_entry(&param, " −6").unwrap()),
            -6.0
        );
        assert_eq!(parse_entry(&param, "loud"), None);
    }
}
