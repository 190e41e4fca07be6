//! Lathe's signal processing: every unit the plugins and the `lathe` command
//! line run. Pure Rust: no plugin framework, no GUI, no file I/O.
//!
//! Three layers, each built only from the ones below it:
//!
//! - [`primitives`]: one copy of each building block — biquad, one-pole
//!   envelope and ballistics, smoother, delay line, oversampler, true-peak
//!   detector, level (dB / sanitise / clamp) helpers, channel constants.
//! - [`units`]: DSP units built from primitives, every one on the
//!   [`units::Unit`] lifecycle — EQ, cut filters, dynamics (gain computers fed
//!   by a separate detector input), limiter, saturator, stereo stages,
//!   loudness meter, dither, spectrum frames and their fractional-octave smoothing.
//! - [`processors`]: one per plugin — what the plugin and the CLI both run,
//!   including their statistics, level matching and learn rules.
//!
//! Lifecycle (see `docs/ARCHITECTURE.md`): construct for the largest channel
//! count, `set_sample_rate` may allocate, `reset` clears state without
//! allocating, `process` does the work without allocating.

pub mod primitives;
pub mod processors;
pub mod units;
