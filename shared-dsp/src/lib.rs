//! Lathe's signal processing: every unit the plugins and the `lathe` command
//! line run. Pure Rust: no plugin framework, no GUI, no file I/O.
//!
//! Every unit follows one lifecycle (see `../shared/STYLE.md`): construct for
//! the largest channel count, `set_sample_rate` may allocate, `reset` clears
//! state without allocating, `process` does the work without allocating.

pub mod channel_strip;
pub mod complex;
pub mod delay;
pub mod dither;
pub mod dynamics;
pub mod eq;
pub mod filter;
pub mod level;
pub mod limiter;
pub mod loudness;
pub mod maximizer;
pub mod oversampling;
pub mod ramp;
pub mod saturation;
pub mod smoothing;
pub mod spectrum;
pub mod stereo;
pub mod targets;
