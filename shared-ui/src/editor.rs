//! The shell every Lathe editor runs in: theme, margins, a title bar with the
//! editor's size choice, the host's `GuiContext`, and one-gesture parameter
//! changes. A plugin only writes an [`EditorView`] that draws itself at its
//! base size; the shell scales it.
//!
//! Sizes: every editor is offered at [`EDITOR_SIZES_PERCENT`] of its base
//! size. The choice is egui's zoom factor, so a view lays itself out in the
//! same logical points at every size and only the pixels per point change;
//! egui-baseview resizes the window (through the host's resize request when
//! embedded) whenever the zoom factor changes. The choice is stored in an
//! [`EditorScale`], a `#[persist = "editor-scale"]` field of the plugin's
//! parameters, so it is saved with the project and restored on reopen.

use crate::theme;
use egui::{pos2, vec2, Align, Layout, Rect, RichText, UiBuilder};
use nice_plug::context::gui::GuiContext;
use nice_plug::editor::dpi::LogicalSize;
use nice_plug::editor::{ResizeHint, SizeConstraints};
use nice_plug::params::persist::PersistentField;
use nice_plug::prelude::{Param, ParamSetter};
use nice_plug_egui::{
    create_egui_editor, EguiEditor, EguiEditorState, EguiNiceSettings, NiceEguiApp, RepaintNotifier,
};
use std::sync::atomic::{AtomicU16, Ordering};
use std::sync::Arc;

/// Inner margin of every editor, logical px.
const EDITOR_MARGIN: f32 = 12.0;
/// Height of the title bar above the view, logical px (added to the view's
/// base height, so a view keeps its whole base size below it).
pub const TITLE_BAR_HEIGHT: f32 = 26.0;
/// Width of the size drop-down's closed box, logical px.
const SIZE_CHOICE_WIDTH: f32 = 74.0;
/// Right margin of the size drop-down, logical px.
const SIZE_CHOICE_MARGIN: f32 = 8.0;

/// Editor sizes offered, percent of the base size, smallest first.
pub const EDITOR_SIZES_PERCENT: [u16; 3] = [100, 150, 200];
/// Size an editor opens at before the user chooses one, percent.
pub const DEFAULT_SIZE_PERCENT: u16 = 100;

/// The editor size the user chose, percent of the base size: always one of
/// [`EDITOR_SIZES_PERCENT`]. A cheap handle (clones share the value), kept
/// in the plugin's parameters as `#[persist = "editor-scale"]` and read by
/// the editor shell.
#[derive(Debug, Clone)]
pub struct EditorScale(Arc<AtomicU16>);

impl Default for EditorScale {
    fn default() -> Self {
        Self(Arc::new(AtomicU16::new(DEFAULT_SIZE_PERCENT)))
    }
}

impl EditorScale {
    /// The offered size closest to `percent` (ties go to the smaller), so a
    /// state saved by another version or edited by hand never opens an
    /// editor at a size that was not tested.
    pub fn nearest_offered(percent: u16) -> u16 {
        let mut best = EDITOR_SIZES_PERCENT[0];
        for offered in EDITOR_SIZES_PERCENT {
            if offered.abs_diff(percent) < best.abs_diff(percent) {
                best = offered;
            }
        }
        best
    }

    /// The chosen size, percent.
    pub fn percent(&self) -> u16 {
        self.0.load(Ordering::Relaxed)
    }

    /// The chosen size as egui's zoom factor (1.0 = base size).
    pub fn zoom(&self) -> f32 {
        f32::from(self.percent()) / 100.0
    }

    /// Chooses the offered size nearest to `percent`.
    pub fn set_percent(&self, percent: u16) {
        self.0
            .store(Self::nearest_offered(percent), Ordering::Relaxed);
    }
}

impl PersistentField<'_, u16> for EditorScale {
    fn set(&self, new_value: u16) {
        self.set_percent(new_value);
    }

    fn map<F, R>(&self, f: F) -> R
    where
        F: Fn(&u16) -> R,
    {
        f(&self.percent())
    }
}

/// The window size, logical px at 100 %, of an editor whose view is
/// `width` × `height`: the view plus the title bar.
pub fn window_size((width, height): (f64, f64)) -> (f64, f64) {
    (width, height + f64::from(TITLE_BAR_HEIGHT))
}

/// What a plugin's editor draws each frame; parameters change through `setter`.
pub trait EditorView: Send + 'static {
    fn draw(&mut self, ui: &mut egui::Ui, setter: &ParamSetter);

    /// The editor window opened (again); GUI thread.
    fn opened(&mut self) {}

    /// The editor window closed; GUI thread.
    fn closed(&mut self) {}
}

/// What the shell draws around a view: the title and the size choice.
#[derive(Debug, Clone)]
pub struct Chrome {
    /// Shown at the left of the title bar (the plugin's name).
    pub title: String,
    /// The size choice, shared with the plugin's persisted parameters.
    pub scale: EditorScale,
}

/// Adapts an [`EditorView`] to nice-plug-egui.
pub struct EditorShell<V> {
    view: V,
    chrome: Chrome,
    /// The window at 100 %, logical px (view plus title bar).
    window: egui::Vec2,
    /// The window size, points, last asked back to `window` (see
    /// [`EditorShell::keep_window_size`]).
    snapped_from: Option<egui::Vec2>,
    gui: Option<GuiContext>,
}

impl<V> EditorShell<V> {
    /// Keeps the window at the chosen size. The window is resizable only so
    /// that the size choice can resize it (baseview ignores resize requests
    /// of a fixed-size window); a window dragged or set to another size is
    /// asked back to the chosen one, once per size it was found at.
    fn keep_window_size(&mut self, ctx: &egui::Context) {
        let points = ctx.content_rect().size();
        if (points - self.window).length() <= 1.0 {
            self.snapped_from = None;
        } else if self.snapped_from != Some(points) {
            self.snapped_from = Some(points);
            // In points: egui-baseview multiplies by the zoom factor.
            ctx.send_viewport_cmd(egui::ViewportCommand::InnerSize(self.window));
        }
    }
}

impl<V: EditorView> NiceEguiApp for EditorShell<V> {
    fn build(
        &mut self,
        egui_ctx: egui::Context,
        nice_gui_ctx: GuiContext,
        _frame: &mut nice_plug_egui::Frame,
    ) -> Result<(), nice_plug_egui::baseview::HandlerError> {
        theme::apply(&egui_ctx);
        // Only the offered sizes: no Ctrl +/- zoom to sizes nobody tested.
        egui_ctx.options_mut(|o| o.zoom_with_keyboard = false);
        // The window opens at the base size (what the host was told); the
        // first frame applies the saved size and egui-baseview resizes.
        egui_ctx.set_zoom_factor(self.chrome.scale.zoom());
        self.gui = Some(nice_gui_ctx);
        self.view.opened();
        Ok(())
    }

    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut nice_plug_egui::Frame) {
        let Some(gui) = self.gui.clone() else {
            return;
        };
        self.keep_window_size(ui.ctx());
        let setter = gui.param_setter();
        draw_shell(ui, &mut self.view, &self.chrome, &setter);
    }

    fn editor_closed(&mut self) {
        self.gui = None;
        self.view.closed();
    }
}

/// Draws `view` inside the editor's margin: what the shell does below its
/// title bar each frame.
pub fn draw_view<V: EditorView>(ui: &mut egui::Ui, view: &mut V, setter: &ParamSetter) {
    egui::Frame::new()
        .inner_margin(EDITOR_MARGIN)
        .show(ui, |ui| view.draw(ui, setter));
}

/// Draws the whole editor: the title bar (title, size choice) and `view`
/// below it. What the shell does each frame, and what headless layout tests
/// run at every offered size.
pub fn draw_shell<V: EditorView>(
    ui: &mut egui::Ui,
    view: &mut V,
    chrome: &Chrome,
    setter: &ParamSetter,
) {
    let full = ui.max_rect();
    let bar = Rect::from_min_size(full.min, vec2(full.width(), TITLE_BAR_HEIGHT));
    let body = Rect::from_min_max(pos2(full.left(), bar.bottom()), full.max);
    ui.scope_builder(
        UiBuilder::new()
            .max_rect(bar)
            .layout(Layout::left_to_right(Align::Center)),
        |ui| title_bar(ui, chrome),
    );
    ui.scope_builder(UiBuilder::new().max_rect(body), |ui| {
        draw_view(ui, view, setter)
    });
}

/// The title bar: the plugin's name at the left, the size drop-down at the right.
fn title_bar(ui: &mut egui::Ui, chrome: &Chrome) {
    ui.painter().rect_filled(ui.max_rect(), 0.0, theme::PANEL);
    ui.add_space(EDITOR_MARGIN);
    ui.label(
        RichText::new(&chrome.title)
            .font(theme::label_font(theme::LABEL_TEXT_PT))
            .color(theme::TEXT_DIM),
    );
    ui.with_layout(Layout::right_to_left(Align::Center), |ui| {
        ui.add_space(SIZE_CHOICE_MARGIN);
        size_choice(ui, &chrome.scale);
    });
}

/// The size drop-down (100 %, 150 %, 200 %): a pick is stored in `scale`
/// and becomes egui's zoom factor from the next frame on.
pub fn size_choice(ui: &mut egui::Ui, scale: &EditorScale) -> egui::Response {
    let current = scale.percent();
    let mut picked = None;
    let inner = egui::ComboBox::from_id_salt("lathe-editor-size")
        .width(SIZE_CHOICE_WIDTH)
        .selected_text(format!("{current} %"))
        .show_ui(ui, |ui| {
            for percent in EDITOR_SIZES_PERCENT {
                if ui
                    .selectable_label(percent == current, format!("{percent} %"))
                    .clicked()
                {
                    picked = Some(percent);
                }
            }
        });
    if let Some(percent) = picked.filter(|p| *p != current) {
        scale.set_percent(percent);
        ui.ctx().set_zoom_factor(scale.zoom());
    }
    inner.response.on_hover_text("Editor size")
}

/// Creates a plugin editor whose view is `width` × `height` logical px at
/// 100 % (the window adds the title bar), titled `title`, opened at the size
/// saved in `scale`, repainted whenever the audio thread raises `repaint`.
pub fn create<V: EditorView>(
    view: V,
    base_size: (f64, f64),
    title: &str,
    scale: EditorScale,
    repaint: RepaintNotifier,
) -> Option<EguiEditor<EditorShell<V>>> {
    let (width, height) = window_size(base_size);
    let largest = f64::from(EDITOR_SIZES_PERCENT[EDITOR_SIZES_PERCENT.len() - 1]) / 100.0;
    let logical = |factor: f64| {
        Some(LogicalSize::new(
            (width * factor) as f32,
            (height * factor) as f32,
        ))
    };
    let resize_hint = ResizeHint {
        can_resize: true,
        can_resize_horizontally: true,
        can_resize_vertically: true,
        preserve_aspect_ratio: true,
        aspect_ratio_width: width.round() as u32,
        aspect_ratio_height: height.round() as u32,
        size_constraints: SizeConstraints::Logical {
            min_size: logical(1.0),
            max_size: logical(largest),
        },
    };
    create_egui_editor(
        // Zoom 1 here: the host sizes its window from this state before the
        // editor runs; the shell applies the saved size on its first frame.
        EguiEditorState::from_size(LogicalSize::new(width, height), 1.0),
        repaint,
        EguiNiceSettings::default()
            .with_tile(title)
            .with_resize_hint(resize_hint),
        EditorShell {
            view,
            chrome: Chrome {
                title: title.to_owned(),
                scale,
            },
            window: vec2(width as f32, height as f32),
            snapped_from: None,
            gui: None,
        },
    )
}

/// Sets `param` to `value` as one host gesture (begin, set, end), so hosts
/// record it as a single automation/undo step.
pub fn set_param<P: Param>(setter: &ParamSetter, param: &P, value: P::Plain) {
    setter.begin_set_parameter(param);
    setter.set_parameter(param, value);
    setter.end_set_parameter(param);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{click_at, HeadlessEditor, RecordingContext};
    use nice_plug::prelude::Params;
    use std::collections::BTreeMap;

    #[test]
    fn any_saved_size_opens_at_the_nearest_offered_size() {
        for offered in EDITOR_SIZES_PERCENT {
            assert_eq!(EditorScale::nearest_offered(offered), offered);
        }
        for percent in 0..=u16::MAX {
            let got = EditorScale::nearest_offered(percent);
            assert!(EDITOR_SIZES_PERCENT.contains(&got), "{percent} → {got}");
            for other in EDITOR_SIZES_PERCENT {
                assert!(
                    got.abs_diff(percent) <= other.abs_diff(percent),
                    "{percent} → {got}, but {other} is nearer"
                );
            }
        }
        assert_eq!(EditorScale::nearest_offered(0), 100);
        assert_eq!(EditorScale::nearest_offered(170), 150);
        assert_eq!(EditorScale::nearest_offered(400), 200);
    }

    #[derive(Params, Default)]
    struct WithScale {
        #[persist = "editor-scale"]
        scale: EditorScale,
    }

    #[test]
    fn the_size_is_saved_and_restored_with_the_plugin_state() {
        let saved = WithScale::default();
        saved.scale.set_percent(200);
        let fields = saved.serialize_fields();
        assert_eq!(fields.get("editor-scale").map(String::as_str), Some("200"));

        let restored = WithScale::default();
        assert_eq!(restored.scale.percent(), DEFAULT_SIZE_PERCENT);
        restored.deserialize_fields(&fields);
        assert_eq!(restored.scale.percent(), 200);

        // A hand-edited state snaps to an offered size.
        let edited = BTreeMap::from([("editor-scale".to_owned(), "160".to_owned())]);
        restored.deserialize_fields(&edited);
        assert_eq!(restored.scale.percent(), 150);
    }

    struct Empty;
    impl EditorView for Empty {
        fn draw(&mut self, ui: &mut egui::Ui, _setter: &ParamSetter) {
            ui.label("view");
        }
    }

    #[test]
    fn picking_a_size_in_the_title_bar_stores_it_and_zooms_the_editor() {
        let chrome = Chrome {
            title: "Test".to_owned(),
            scale: EditorScale::default(),
        };
        let host = RecordingContext::default();
        let mut editor = HeadlessEditor::new(vec2(400.0, 300.0));
        let mut view = Empty;
        editor.shell_frame(&host, &mut view, &chrome, vec![]);
        // The drop-down is the title bar's only clickable widget, at its right.
        let bar = Rect::from_min_size(egui::Pos2::ZERO, vec2(400.0, TITLE_BAR_HEIGHT));
        let closed = editor
            .widget_rects()
            .into_iter()
            .filter(|r| bar.contains_rect(*r) && r.center().x > 200.0 && r.width() > 40.0)
            .min_by(|a, b| a.width().total_cmp(&b.width()))
            .expect("the size drop-down is in the title bar");
        editor.shell_frame(&host, &mut view, &chrome, click_at(closed.center()));
        editor.shell_frame(&host, &mut view, &chrome, vec![]);
        let items = editor.popup_items();
        assert_eq!(items.len(), EDITOR_SIZES_PERCENT.len(), "{items:?}");
        editor.shell_frame(&host, &mut view, &chrome, click_at(items[1].center()));
        editor.shell_frame(&host, &mut view, &chrome, vec![]);
        assert_eq!(chrome.scale.percent(), 150);
        assert_eq!(editor.context().zoom_factor(), 1.5);
        // The size is editor state, not a parameter: the host saw nothing.
        assert!(host.calls().is_empty());
    }
}
