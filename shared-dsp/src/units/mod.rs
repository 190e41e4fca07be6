//! Units: DSP stages built from [`crate::primitives`], each on one lifecycle.

pub mod crossover;
pub mod dither;
pub mod dynamics;
pub mod eq;
pub mod filter;
pub mod limiter;
pub mod limiter_guard;
pub mod loudness;
pub mod mono_check;
pub mod octave_smoothing;
pub mod pair;
pub mod pair_crossover;
pub mod saturation;
pub mod spectrum;
pub mod stereo;
pub mod unit;

pub use unit::{Sample, Unit};
