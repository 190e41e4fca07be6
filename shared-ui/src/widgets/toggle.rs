//! An on/off button bound to a [`BoolParam`]: lit when on, one click flips
//! the parameter as one host gesture.

use crate::editor::set_param;
use crate::theme;
use egui::{vec2, Align2, Response, Sense, Stroke, Ui};
use nice_plug::prelude::{BoolParam, Param, ParamSetter};

/// Height of a toggle, logical px.
pub const TOGGLE_HEIGHT: f32 = 20.0;
/// Horizontal padding around a toggle's text, logical px.
const TOGGLE_PADDING: f32 = 10.0;
/// Narrowest toggle, logical px (so "On"/"Off" toggles line up).
const TOGGLE_MIN_WIDTH: f32 = 44.0;

/// What a click on a toggle showing `current` sets its parameter to.
pub fn clicked_value(current: bool) -> bool {
    !current
}

/// A toggle button for `param` showing `text` (e.g. the switch's name, or
/// "On"); lit in the accent colour while the parameter is on.
pub fn toggle(ui: &mut Ui, param: &BoolParam, setter: &ParamSetter, text: &str) -> Response {
    let on = param.value();
    let font = theme::label_font(theme::LABEL_TEXT_PT);
    let text_width = ui
        .painter()
        .layout_no_wrap(text.to_owned(), font.clone(), theme::TEXT)
        .size()
        .x;
    let width = (text_width + 2.0 * TOGGLE_PADDING).max(TOGGLE_MIN_WIDTH);
    let (rect, response) = ui.allocate_exact_size(vec2(width, TOGGLE_HEIGHT), Sense::click());
    let response = response.on_hover_text(param.name());
    if response.clicked() {
        set_param(setter, param, clicked_value(on));
    }
    let painter = ui.painter_at(rect);
    let hovered = response.hovered();
    let (fill, text_color) = if on {
        (
            theme::ACCENT.gamma_multiply(if hovered { 1.0 } else { 0.85 }),
            theme::BACKGROUND,
        )
    } else {
        (
            if hovered { theme::GRID } else { theme::PANEL },
            theme::TEXT_DIM,
        )
    };
    painter.rect_filled(rect, 4.0, fill);
    painter.rect_stroke(
        rect,
        4.0,
        Stroke::new(1.0, theme::GRID),
        egui::StrokeKind::Inside,
    );
    painter.text(rect.center(), Align2::CENTER_CENTER, text, font, text_color);
    response
}

/// A toggle that reads "On"/"Off".
pub fn on_off(ui: &mut Ui, param: &BoolParam, setter: &ParamSetter) -> Response {
    let text = if param.value() { "On" } else { "Off" };
    toggle(ui, param, setter, text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{click_at, HeadlessEditor, RecordingContext};

    #[test]
    fn a_click_flips_exactly_its_own_parameter() {
        let a = BoolParam::new("A", false);
        let b = BoolParam::new("B", true);
        let ctx = RecordingContext::default();
        let mut editor = HeadlessEditor::new(vec2(300.0, 100.0));
        let rect = std::cell::Cell::new(egui::Rect::NOTHING);
        let mut draw = |ui: &mut Ui, setter: &ParamSetter| {
            rect.set(toggle(ui, &a, setter, "Alpha").rect);
            toggle(ui, &b, setter, "Beta");
        };
        editor.frame(&ctx, vec![], &mut draw);
        assert!(rect.get().is_positive());
        editor.frame(&ctx, click_at(rect.get().center()), &mut draw);
        editor.frame(&ctx, vec![], &mut draw);
        assert!(a.value(), "A switched on");
        assert!(b.value(), "B untouched");
        assert_eq!(ctx.touched(), vec![a.as_ptr()]);
        assert!(ctx.gestures_balanced());
        // A second click switches it off again.
        editor.frame(&ctx, click_at(rect.get().center()), &mut draw);
        editor.frame(&ctx, vec![], &mut draw);
        assert!(!a.value());
        assert_eq!(clicked_value(true), false);
    }
}
