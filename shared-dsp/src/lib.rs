//! Lathe's signal processing: every unit the plugins and the `lathe` command
//! line run. Pure Rust: no plugin framework, no GUI, no file I/O.
//!
//! Every unit follows one lifecycle (see `../shared/STYLE.md`): construct for
//! the largest channel count, `set_sample_rate` may allocate, `reset` clears
//! state without allocating, `process` does the work without allocating.

pub mod complex;
pub mod filter;
pub mod loudness;
pub mod oversampling;
pub mod targets;
