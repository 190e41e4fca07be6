//! The shell every Lathe editor runs in: theme, margins, the host's
//! `GuiContext`, and one-gesture parameter changes. A plugin only writes an
//! [`EditorView`] that draws itself.

use crate::theme;
use nice_plug::context::gui::GuiContext;
use nice_plug::editor::dpi::LogicalSize;
use nice_plug::prelude::{Param, ParamSetter};
use nice_plug_egui::{
    create_egui_editor, EguiEditor, EguiEditorState, EguiNiceSettings, NiceEguiApp, RepaintNotifier,
};

/// Inner margin of every editor, logical px.
const EDITOR_MARGIN: f32 = 12.0;

/// What a plugin's editor draws each frame; parameters change through `setter`.
pub trait EditorView: Send + 'static {
    fn draw(&mut self, ui: &mut egui::Ui, setter: &ParamSetter);
}

/// Adapts an [`EditorView`] to nice-plug-egui.
pub struct EditorShell<V> {
    view: V,
    gui: Option<GuiContext>,
}

impl<V: EditorView> NiceEguiApp for EditorShell<V> {
    fn build(
        &mut self,
        egui_ctx: egui::Context,
        nice_gui_ctx: GuiContext,
        _frame: &mut nice_plug_egui::Frame,
    ) -> Result<(), nice_plug_egui::baseview::HandlerError> {
        theme::apply(&egui_ctx);
        self.gui = Some(nice_gui_ctx);
        Ok(())
    }

    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut nice_plug_egui::Frame) {
        let Some(gui) = self.gui.clone() else {
            return;
        };
        let setter = gui.param_setter();
        draw_view(ui, &mut self.view, &setter);
    }

    fn editor_closed(&mut self) {
        self.gui = None;
    }
}

/// Draws `view` inside the editor's margin: what the shell does each frame,
/// and what headless layout tests run.
pub fn draw_view<V: EditorView>(ui: &mut egui::Ui, view: &mut V, setter: &ParamSetter) {
    egui::Frame::new()
        .inner_margin(EDITOR_MARGIN)
        .show(ui, |ui| view.draw(ui, setter));
}

/// Creates a plugin editor of `width` × `height` logical px titled `title`,
/// repainted whenever the audio thread raises `repaint`.
pub fn create<V: EditorView>(
    view: V,
    (width, height): (f64, f64),
    title: &str,
    repaint: RepaintNotifier,
) -> Option<EguiEditor<EditorShell<V>>> {
    create_egui_editor(
        EguiEditorState::from_size(LogicalSize::new(width, height), 1.0),
        repaint,
        EguiNiceSettings::default().with_tile(title),
        EditorShell { view, gui: None },
    )
}

/// Sets `param` to `value` as one host gesture (begin, set, end), so hosts
/// record it as a single automation/undo step.
pub fn set_param<P: Param>(setter: &ParamSetter, param: &P, value: P::Plain) {
    setter.begin_set_parameter(param);
    setter.set_parameter(param, value);
    setter.end_set_parameter(param);
}
