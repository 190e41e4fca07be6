//! Choices bound to a stepped parameter (an `EnumParam`, or an `IntParam`
//! with few values): a segmented row when the options are few, a drop-down
//! otherwise. Option names are the parameter's own value-to-string.

use crate::editor::set_param;
use crate::theme;
use egui::{vec2, Align2, Response, Sense, Stroke, Ui};
use nice_plug::prelude::{Param, ParamSetter};

/// Up to this many options are shown as a segmented row; more as a drop-down.
pub const SEGMENTED_MAX_OPTIONS: usize = 4;
/// Height of a segmented row, logical px.
const SEGMENT_HEIGHT: f32 = 20.0;
/// Horizontal padding around a segment's text, logical px.
const SEGMENT_PADDING: f32 = 7.0;

/// Number of options of a stepped parameter (`step_count + 1`); 0 for a
/// continuous one.
pub fn option_count<P: Param>(param: &P) -> usize {
    param.step_count().map_or(0, |steps| steps + 1)
}

/// Normalized value of option `index` out of `count` (`index < count`).
pub fn option_normalized(index: usize, count: usize) -> f32 {
    if count <= 1 {
        0.0
    } else {
        index as f32 / (count - 1) as f32
    }
}

/// The option a normalized value selects (nearest), out of `count`.
pub fn option_index(normalized: f32, count: usize) -> usize {
    if count <= 1 {
        0
    } else {
        ((normalized.clamp(0.0, 1.0) * (count - 1) as f32).round() as usize).min(count - 1)
    }
}

/// Name of option `index` (the parameter's own text, without unit).
fn option_name<P: Param>(param: &P, index: usize, count: usize) -> String {
    param.normalized_value_to_string(option_normalized(index, count), false)
}

/// Selects option `index` of `param` as one host gesture.
pub fn select<P: Param>(setter: &ParamSetter, param: &P, index: usize) {
    let count = option_count(param);
    set_param(
        setter,
        param,
        param.preview_plain(option_normalized(index, count)),
    );
}

/// A segmented row or a drop-down, whichever suits the number of options.
pub fn choice<P: Param>(ui: &mut Ui, param: &P, setter: &ParamSetter) -> Response {
    if option_count(param) <= SEGMENTED_MAX_OPTIONS {
        segmented(ui, param, setter)
    } else {
        dropdown(ui, param, setter)
    }
}

/// One button per option, the selected one lit.
pub fn segmented<P: Param>(ui: &mut Ui, param: &P, setter: &ParamSetter) -> Response {
    let count = option_count(param);
    let selected = option_index(param.unmodulated_normalized_value(), count);
    let font = theme::label_font(theme::LABEL_TEXT_PT);
    let names: Vec<String> = (0..count).map(|i| option_name(param, i, count)).collect();
    let widths: Vec<f32> = names
        .iter()
        .map(|n| {
            ui.painter()
                .layout_no_wrap(n.clone(), font.clone(), theme::TEXT)
                .size()
                .x
                + 2.0 * SEGMENT_PADDING
        })
        .collect();
    let total: f32 = widths.iter().sum();
    let (rect, mut response) = ui.allocate_exact_size(vec2(total, SEGMENT_HEIGHT), Sense::hover());
    let painter = ui.painter_at(rect);
    painter.rect_filled(rect, 4.0, theme::PANEL);
    let mut x = rect.left();
    for (i, (name, w)) in names.iter().zip(&widths).enumerate() {
        let seg = egui::Rect::from_min_size(egui::pos2(x, rect.top()), vec2(*w, SEGMENT_HEIGHT));
        let seg_response = ui.interact(seg, response.id.with(i), Sense::click());
        if seg_response.clicked() && i != selected {
            select(setter, param, i);
            response.mark_changed();
        }
        let lit = i == selected;
        if lit {
            painter.rect_filled(seg, 4.0, theme::ACCENT.gamma_multiply(0.85));
        } else if seg_response.hovered() {
            painter.rect_filled(seg, 4.0, theme::GRID);
        }
        painter.text(
            seg.center(),
            Align2::CENTER_CENTER,
            name,
            font.clone(),
            if lit {
                theme::BACKGROUND
            } else {
                theme::TEXT_DIM
            },
        );
        x += w;
    }
    painter.rect_stroke(
        rect,
        4.0,
        Stroke::new(1.0, theme::GRID),
        egui::StrokeKind::Inside,
    );
    response.on_hover_text(param.name())
}

/// Width of a drop-down's closed box, logical px.
pub const DROPDOWN_WIDTH: f32 = 110.0;

/// A drop-down listing every option.
pub fn dropdown<P: Param>(ui: &mut Ui, param: &P, setter: &ParamSetter) -> Response {
    let count = option_count(param);
    let selected = option_index(param.unmodulated_normalized_value(), count);
    let mut picked = None;
    let inner = egui::ComboBox::from_id_salt(param.name())
        .width(DROPDOWN_WIDTH)
        .selected_text(option_name(param, selected, count))
        .show_ui(ui, |ui| {
            for i in 0..count {
                if ui
                    .selectable_label(i == selected, option_name(param, i, count))
                    .clicked()
                {
                    picked = Some(i);
                }
            }
        });
    if let Some(i) = picked.filter(|i| *i != selected) {
        select(setter, param, i);
    }
    inner.response.on_hover_text(param.name())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{click_at, HeadlessEditor, RecordingContext};
    use nice_plug::prelude::{BoolParam, Enum, EnumParam};

    #[derive(Enum, Debug, PartialEq, Eq, Clone, Copy)]
    enum Shape {
        Bell,
        Shelf,
        Notch,
    }

    #[test]
    fn option_index_and_normalized_round_trip() {
        for count in 1..8 {
            for i in 0..count {
                assert_eq!(option_index(option_normalized(i, count), count), i);
            }
        }
        assert_eq!(option_index(0.49, 3), 1);
        assert_eq!(option_index(2.0, 3), 2);
    }

    #[test]
    fn clicking_a_segment_sets_exactly_its_enum() {
        let shape = EnumParam::new("Shape", Shape::Bell);
        let other = BoolParam::new("Other", false);
        let ctx = RecordingContext::default();
        let mut editor = HeadlessEditor::new(vec2(400.0, 100.0));
        let rect = std::cell::Cell::new(egui::Rect::NOTHING);
        let mut draw = |ui: &mut Ui, setter: &ParamSetter| {
            rect.set(segmented(ui, &shape, setter).rect);
            crate::widgets::toggle::on_off(ui, &other, setter);
        };
        editor.frame(&ctx, vec![], &mut draw);
        // The third segment ("Notch") sits in the right third.
        let notch = egui::pos2(rect.get().right() - 6.0, rect.get().center().y);
        editor.frame(&ctx, click_at(notch), &mut draw);
        editor.frame(&ctx, vec![], &mut draw);
        assert_eq!(shape.value(), Shape::Notch);
        assert!(!other.value());
        assert_eq!(ctx.touched(), vec![shape.as_ptr()]);
        assert!(ctx.gestures_balanced());
    }

    #[test]
    fn picking_from_the_dropdown_sets_its_enum() {
        let shape = EnumParam::new("Shape", Shape::Bell);
        let ctx = RecordingContext::default();
        let mut editor = HeadlessEditor::new(vec2(400.0, 300.0));
        let rect = std::cell::Cell::new(egui::Rect::NOTHING);
        let mut draw = |ui: &mut Ui, setter: &ParamSetter| {
            rect.set(dropdown(ui, &shape, setter).rect);
        };
        editor.frame(&ctx, vec![], &mut draw);
        editor.frame(&ctx, click_at(rect.get().center()), &mut draw);
        editor.frame(&ctx, vec![], &mut draw);
        // The open popup lists the options in order: Bell, Shelf, Notch.
        let items = editor.popup_items();
        assert_eq!(items.len(), 3, "{items:?}");
        let shelf = items[1];
        editor.frame(&ctx, click_at(shelf.center()), &mut draw);
        editor.frame(&ctx, vec![], &mut draw);
        assert_eq!(shape.value(), Shape::Shelf);
        assert_eq!(ctx.touched(), vec![shape.as_ptr()]);
    }
}
