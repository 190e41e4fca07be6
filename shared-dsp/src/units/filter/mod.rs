//! Filters: coefficients (plain values, pure constructors, analytic
//! responses) kept apart from per-channel state.

pub mod butterworth;
pub mod matched;

pub use crate::primitives::biquad::{
    AnalogBiquad, BiquadCoefs, BiquadState, STATE_FLUSH_THRESHOLD,
};
pub use butterworth::{ButterworthCoefs, ButterworthState, PassKind};
