//! Dynamics: level detection and ballistics ([`envelope`]), static curves
//! ([`gain_computer`]), and the units built from them ([`compressor`],
//! [`gate`]). Both units compute a gain signal from a (side-chain) level and
//! apply it; neither adds latency.

pub mod compressor;

pub mod gain_computer;
pub mod gate;

pub use compressor::{Compressor, CompressorSettings, Detection};
pub use gain_computer::{CompressorCurve, ExpanderCurve};
pub use gate::{Gate, GateSettings};

/// Most channels a dynamics unit links (sizes stack scratch).
pub use crate::primitives::channels::MAX_CHANNELS;
