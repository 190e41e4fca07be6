//! Headless editor testing: a host stand-in that records parameter gestures
//! and applies them, and an egui context driven by synthetic input, so tests
//! can click and drag real widgets and check which parameters changed and
//! where every widget was laid out.

use crate::editor::{self, Chrome, EditorScale, EditorView, EDITOR_SIZES_PERCENT};
use egui::{pos2, Event, Modifiers, PointerButton, Pos2, RawInput, Rect, Ui, Vec2};
use nice_plug::context::gui::GuiContextInner;
use nice_plug::context::PluginApi;
use nice_plug::params::internals::ParamPtr;
use nice_plug::plugin::PluginState;
use nice_plug::prelude::ParamSetter;
use std::sync::Mutex;

/// One call the editor made to the host.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum HostCall {
    Begin(ParamPtr),
    Set(ParamPtr, f32),
    End(ParamPtr),
}

/// A host that records every gesture and applies `set` calls to the
/// parameter, as a real wrapper does.
#[derive(Default)]
pub struct RecordingContext {
    calls: Mutex<Vec<HostCall>>,
}

// SAFETY: `ParamPtr` points into parameters the test owns and keeps alive for
// the context's lifetime; the test drives everything from one thread.
unsafe impl Send for RecordingContext {}
unsafe impl Sync for RecordingContext {}

impl RecordingContext {
    /// Every call so far, in order.
    pub fn calls(&self) -> Vec<HostCall> {
        self.calls.lock().unwrap().clone()
    }

    /// The parameters that received a `set`, each once, in first-set order.
    pub fn touched(&self) -> Vec<ParamPtr> {
        let mut out = Vec::new();
        for call in self.calls() {
            if let HostCall::Set(p, _) = call {
                if !out.contains(&p) {
                    out.push(p);
                }
            }
        }
        out
    }

    /// True if every `set` happened between a `begin` and an `end` of the
    /// same parameter, and every gesture that began has ended.
    pub fn gestures_balanced(&self) -> bool {
        let mut open: Vec<ParamPtr> = Vec::new();
        for call in self.calls() {
            match call {
                HostCall::Begin(p) => open.push(p),
                HostCall::Set(p, _) if !open.contains(&p) => return false,
                HostCall::Set(..) => {}
                HostCall::End(p) => match open.iter().position(|q| *q == p) {
                    Some(i) => {
                        open.remove(i);
                    }
                    None => return false,
                },
            }
        }
        open.is_empty()
    }

    /// Forgets the calls so far.
    pub fn clear(&self) {
        self.calls.lock().unwrap().clear();
    }

    /// A setter that talks to this host.
    pub fn setter(&self) -> ParamSetter<'_> {
        ParamSetter::new(self)
    }
}

impl GuiContextInner for RecordingContext {
    fn plugin_api(&self) -> PluginApi {
        PluginApi::Standalone
    }
    unsafe fn raw_begin_set_parameter(&self, param: ParamPtr) {
        self.calls.lock().unwrap().push(HostCall::Begin(param));
    }
    unsafe fn raw_set_parameter_normalized(&self, param: ParamPtr, normalized: f32) {
        self.calls
            .lock()
            .unwrap()
            .push(HostCall::Set(param, normalized));
        // SAFETY: the parameter outlives the test that owns this context.
        unsafe {
            param._internal_set_normalized_value(normalized);
        }
    }
    unsafe fn raw_end_set_parameter(&self, param: ParamPtr) {
        self.calls.lock().unwrap().push(HostCall::End(param));
    }
    fn get_state(&self) -> PluginState {
        unimplemented!("the headless host keeps no plugin state")
    }
    fn set_state(&self, _state: PluginState) {}
    fn request_restart(&self) {}
}

/// Events of a primary click at `pos` (move, press, release).
pub fn click_at(pos: Pos2) -> Vec<Event> {
    vec![
        Event::PointerMoved(pos),
        button(pos, true, Modifiers::NONE),
        button(pos, false, Modifiers::NONE),
    ]
}

/// A primary-button press or release at `pos` with `modifiers` held.
pub fn button(pos: Pos2, pressed: bool, modifiers: Modifiers) -> Event {
    Event::PointerButton {
        pos,
        button: PointerButton::Primary,
        pressed,
        modifiers,
    }
}

/// An egui context of a fixed window size, run one frame at a time.
pub struct HeadlessEditor {
    ctx: egui::Context,
    size: Vec2,
    time_s: f64,
}

/// Frame interval the headless editor pretends to run at, s.
const HEADLESS_FRAME_S: f64 = 1.0 / 60.0;

impl HeadlessEditor {
    /// A window of `size` logical px with the Lathe theme.
    pub fn new(size: Vec2) -> Self {
        Self::at_zoom(size, 1.0)
    }

    /// A window of `size` logical px shown at `zoom` physical px per logical
    /// px (egui's zoom factor, as the editor shell sets it for a size
    /// choice): the window is `size × zoom` pixels, egui lays out in `size`
    /// points and rounds to pixels at `zoom`.
    pub fn at_zoom(size: Vec2, zoom: f32) -> Self {
        let ctx = egui::Context::default();
        crate::theme::apply(&ctx);
        ctx.set_zoom_factor(zoom);
        Self {
            ctx,
            size,
            time_s: 0.0,
        }
    }

    /// The egui context (zoom factor, memory), for checks.
    pub fn context(&self) -> &egui::Context {
        &self.ctx
    }

    /// The window's rectangle.
    pub fn screen_rect(&self) -> Rect {
        Rect::from_min_size(Pos2::ZERO, self.size)
    }

    /// Runs one frame with `events`, drawing with `draw`.
    pub fn frame(
        &mut self,
        host: &RecordingContext,
        events: Vec<Event>,
        draw: &mut dyn FnMut(&mut Ui, &ParamSetter),
    ) {
        self.frame_with(host, events, Modifiers::NONE, draw);
    }

    /// Runs one frame with `events` while `modifiers` are held.
    pub fn frame_with(
        &mut self,
        host: &RecordingContext,
        mut events: Vec<Event>,
        modifiers: Modifiers,
        draw: &mut dyn FnMut(&mut Ui, &ParamSetter),
    ) {
        events.insert(0, Event::ModifiersChanged(modifiers));
        self.time_s += HEADLESS_FRAME_S;
        let input = RawInput {
            screen_rect: Some(self.screen_rect()),
            time: Some(self.time_s),
            events,
            ..Default::default()
        };
        let setter = host.setter();
        self.ctx
            .run_ui(input, |ui| draw(ui, &setter))
            .drop_without_applying_deltas();
    }

    /// Runs one frame of a whole editor view inside the editor shell's frame.
    pub fn view_frame<V: EditorView>(
        &mut self,
        host: &RecordingContext,
        view: &mut V,
        events: Vec<Event>,
    ) {
        self.frame(host, events, &mut |ui, setter| {
            editor::draw_view(ui, view, setter)
        });
    }

    /// Runs one frame of a whole editor: the shell's title bar with `chrome`
    /// and `view` below it, as the plugin window draws it.
    pub fn shell_frame<V: EditorView>(
        &mut self,
        host: &RecordingContext,
        view: &mut V,
        chrome: &Chrome,
        events: Vec<Event>,
    ) {
        self.frame(host, events, &mut |ui, setter| {
            editor::draw_shell(ui, view, chrome, setter)
        });
    }

    /// Rectangles of every widget laid out in the last frame (all layers).
    pub fn widget_rects(&self) -> Vec<Rect> {
        self.ctx.viewport(|v| {
            v.prev_pass
                .widgets
                .layers()
                .flat_map(|(_, rects)| rects.iter().map(|w| w.rect))
                .collect()
        })
    }

    /// Rectangles of clickable widgets on popup layers (e.g. an open
    /// drop-down's options), top to bottom.
    pub fn popup_items(&self) -> Vec<Rect> {
        let mut items: Vec<Rect> = self.ctx.viewport(|v| {
            v.prev_pass
                .widgets
                .layers()
                .filter(|(layer, _)| layer.order != egui::Order::Background)
                .flat_map(|(_, rects)| {
                    rects
                        .iter()
                        .filter(|w| w.sense.senses_click() && w.rect.height() < 40.0)
                        .map(|w| w.rect)
                })
                .collect()
        });
        items.sort_by(|a, b| a.top().total_cmp(&b.top()));
        items
    }

    /// Widgets laid out (even partly) outside the window in the last frame,
    /// allowing `tolerance_px` for anti-aliasing.
    pub fn widgets_outside_window(&self, tolerance_px: f32) -> Vec<Rect> {
        let window = self.screen_rect().expand(tolerance_px);
        self.widget_rects()
            .into_iter()
            .filter(|r| r.is_positive() && !window.contains_rect(*r))
            .collect()
    }
}

/// A point inside `rect` at fractions (`fx`, `fy`) of its width and height.
pub fn point_in(rect: Rect, fx: f32, fy: f32) -> Pos2 {
    pos2(
        rect.left() + fx * rect.width(),
        rect.top() + fy * rect.height(),
    )
}

/// Asserts that a whole editor (title bar and the view `make_view` returns,
/// whose base size is `base_size` logical px) lays every widget out inside
/// its window at every offered size ([`EDITOR_SIZES_PERCENT`]), after a few
/// frames so layouts that depend on the previous frame settle.
pub fn assert_editor_fits<V: EditorView>(mut make_view: impl FnMut() -> V, base_size: (f64, f64)) {
    let (width, height) = editor::window_size(base_size);
    let window = Vec2::new(width as f32, height as f32);
    for percent in EDITOR_SIZES_PERCENT {
        let scale = EditorScale::default();
        scale.set_percent(percent);
        let chrome = Chrome {
            title: "Layout test".to_owned(),
            scale: scale.clone(),
        };
        let mut view = make_view();
        let host = RecordingContext::default();
        let mut editor = HeadlessEditor::at_zoom(window, scale.zoom());
        for _ in 0..3 {
            editor.shell_frame(&host, &mut view, &chrome, vec![]);
        }
        assert_eq!(
            editor.context().pixels_per_point(),
            scale.zoom(),
            "the frames ran at {percent} %"
        );
        let widgets = editor.widget_rects();
        assert!(
            widgets.len() > 20,
            "at {percent} % the editor laid out its widgets: {}",
            widgets.len()
        );
        let outside = editor.widgets_outside_window(0.5);
        assert!(
            outside.is_empty(),
            "at {percent} %: {} widgets outside the {width}×{height} window: {outside:?}",
            outside.len(),
        );
    }
}
