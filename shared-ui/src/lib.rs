//! Lathe's editor kit.
//!
//! - [`theme`]: colours, spacing and text styles shared by every editor.
//! - [`widgets`]: readouts, level bars and history graphs. They draw what they
//!   are given; no signal processing happens here.
//! - [`editor`]: the shell every editor runs in ([`editor::EditorView`]).
//! - [`host`]: channel layouts and activation checks every plugin shares.
//! - [`params`]: parameter builders (dB, ms, Hz, %) with units and safe text parsing.
//! - [`telemetry`]: lock-free, allocation-free cells through which a plugin's
//!   audio thread hands meter values to its editor.

pub mod editor;
pub mod host;
pub mod params;
pub mod telemetry;
pub mod theme;
pub mod widgets;

pub use egui;
