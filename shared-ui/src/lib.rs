//! Lathe's editor kit.
//!
//! - [`theme`]: colours, spacing and text styles shared by every editor.
//! - [`widgets`]: readouts, level bars and history graphs. They draw what they
//!   are given; no signal processing happens here.
//! - [`editor`]: the shell every editor runs in ([`editor::EditorView`]).
//!
//! What a plugin shares below its editor (identity, activation, parameter
//! builders, telemetry cells) is the `plugin-kit` crate.

pub mod editor;
pub mod theme;
pub mod widgets;

pub use egui;
