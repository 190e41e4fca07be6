//! The Lathe look: one palette and one set of text sizes for every editor.

use egui::{Color32, FontId, Visuals};

/// Window background.
pub const BACKGROUND: Color32 = Color32::from_rgb(0x17, 0x19, 0x1d);
/// Background of grouped panels and graphs.
pub const PANEL: Color32 = Color32::from_rgb(0x21, 0x24, 0x2a);
/// Grid lines and frames.
pub const GRID: Color32 = Color32::from_rgb(0x36, 0x3a, 0x42);
/// Primary text.
pub const TEXT: Color32 = Color32::from_rgb(0xe6, 0xe8, 0xeb);
/// Labels and secondary text.
pub const TEXT_DIM: Color32 = Color32::from_rgb(0x93, 0x99, 0xa3);
/// Accent for interactive elements and the main measured quantity.
pub const ACCENT: Color32 = Color32::from_rgb(0x4f, 0xb3, 0xd9);
/// A second series (e.g. short-term next to momentary).
pub const ACCENT_2: Color32 = Color32::from_rgb(0xe0, 0xa4, 0x58);
/// Within target / safe.
pub const GOOD: Color32 = Color32::from_rgb(0x6c, 0xc6, 0x7a);
/// Close to a limit.
pub const WARN: Color32 = Color32::from_rgb(0xe6, 0xc2, 0x4c);
/// Over a limit.
pub const OVER: Color32 = Color32::from_rgb(0xe5, 0x5b, 0x5b);

/// Text size of the one big number an editor is about (e.g. integrated LUFS).
pub const HERO_TEXT_PT: f32 = 44.0;
/// Text size of secondary readouts.
pub const READOUT_TEXT_PT: f32 = 22.0;
/// Text size of labels and units.
pub const LABEL_TEXT_PT: f32 = 12.0;

/// Monospaced-proportional font for numbers of the given size.
pub fn number_font(size_pt: f32) -> FontId {
    FontId::monospace(size_pt)
}

/// Font for labels of the given size.
pub fn label_font(size_pt: f32) -> FontId {
    FontId::proportional(size_pt)
}

/// Applies the Lathe visuals to an egui context (call once from the editor's build callback).
pub fn apply(ctx: &egui::Context) {
    let mut visuals = Visuals::dark();
    visuals.panel_fill = BACKGROUND;
    visuals.window_fill = BACKGROUND;
    visuals.extreme_bg_color = PANEL;
    visuals.selection.bg_fill = ACCENT.gamma_multiply(0.6);
    visuals.override_text_color = Some(TEXT);
    ctx.set_visuals(visuals);
}
