//! Lathe's editor kit.
//!
//! - [`theme`]: colours, spacing and text styles shared by every editor.
//! - [`widgets`]: readouts, level bars and history graphs. They draw what they
//!   are given; no signal processing happens here.
//! - [`editor`]: the shell every editor runs in ([`editor::EditorView`]).
//! - [`testing`]: a recording host and a headless egui context for editor tests.
//!
//! What a plugin shares below its editor (identity, activation, parameter
//! builders, telemetry cells) is the `plugin-kit` crate.

pub mod editor;
pub mod testing;
pub mod theme;
pub mod widgets;

pub use egui;
