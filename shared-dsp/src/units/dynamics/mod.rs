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
pub const MAX_CHANNELS: usize = 8;

/// Levels are floored here before conversion to dB (−200 dBFS: far below
/// any threshold, and finite).
pub const LEVEL_FLOOR_DB: f64 = -200.0;

/// Linear amplitude → dB, floored at [`LEVEL_FLOOR_DB`].
#[inline]
pub fn amplitude_to_db(amplitude: f64) -> f64 {
    if amplitude > 1e-10 {
        20.0 * amplitude.log10()
    } else {
        LEVEL_FLOOR_DB
    }
}

/// dB → linear amplitude; exactly 1.0 for 0 dB.
#[inline]
pub fn db_to_amplitude(db: f64) -> f64 {
    if db == 0.0 {
        1.0
    } else {
        10f64.powf(db / 20.0)
    }
}
