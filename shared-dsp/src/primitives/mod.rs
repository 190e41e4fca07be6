//! Primitives: one copy of each building block the units are made of.

pub mod biquad;
pub mod channels;
pub mod complex;
pub mod delay;
pub mod envelope;
pub mod gain_window;
pub mod level;
pub mod oversampling;

pub mod smoother;
pub mod true_peak;
