//! K-weighting (ITU-R BS.1770-4 Annex 1 §1, Tables 1 and 2) at any sample
//! rate, derived from the analog prototypes of its two stages.
//!
//! BS.1770-4 specifies the two biquads only at 48 kHz. Here both are
//! bilinear transforms (prewarped at their corner) of analog prototypes whose
//! parameters reproduce that table to ≈ 1e-9; the parameters are the ones
//! libebur128 derived (Jan Kokemüller). The response is therefore the same at
//! every rate up to the usual bilinear warping near Nyquist.
//!
//! One deliberate detail: the 48 kHz table gives the RLB high-pass the
//! numerator `[1, −2, 1]`, i.e. a high-frequency gain of `a0 ≈ 1.005`
//! (+0.043 dB) rather than 1. That gain is part of the standard's calibration
//! (a 1 kHz sine at −23 dBFS on two channels reads −23.0 LUFS), so the analog
//! prototype carries it as a constant gain and it is the same at every rate
//! (libebur128 instead keeps `[1, −2, 1]` at every rate, so its gain drifts
//! from +0.047 dB at 44.1 kHz to +0.011 dB at 192 kHz).

use crate::primitives::complex::Complex;
use crate::units::filter::{AnalogBiquad, BiquadCoefs, BiquadState};

/// Pre-filter (head-related high shelf) corner, Hz. BS.1770-4 Table 1 fitted.
pub const SHELF_FREQUENCY_HZ: f64 = 1681.974450955533;
/// Pre-filter high-frequency gain, dB. BS.1770-4 Table 1 fitted.
pub const SHELF_GAIN_DB: f64 = 3.999843853973347;
/// Pre-filter quality factor. BS.1770-4 Table 1 fitted.
pub const SHELF_Q: f64 = 0.7071752369554196;
/// Pre-filter mid-band numerator exponent: `Vb = Vh^SHELF_MID_EXPONENT`.
/// BS.1770-4 Table 1 fitted.
pub const SHELF_MID_EXPONENT: f64 = 0.4996667741545416;
/// RLB high-pass corner, Hz. BS.1770-4 Table 2 fitted.
pub const HIGHPASS_FREQUENCY_HZ: f64 = 38.13547087602444;
/// RLB high-pass quality factor. BS.1770-4 Table 2 fitted.
pub const HIGHPASS_Q: f64 = 0.5003270373238773;
/// From this rate up the pre-filter is the bilinear design (which at 48 kHz
/// *is* the BS.1770-4 table, and within 0.005 LU of it at 44.1 kHz and
/// above); below it, the magnitude-matched design, Hz.
pub const BILINEAR_SHELF_FROM_HZ: f64 = 44_100.0;
/// The matched shelf needs its natural frequency below Nyquist with room:
/// rates above this multiple of [`SHELF_FREQUENCY_HZ`] (≈ 4.2 kHz).
const MATCHED_SHELF_MIN_RATE_FACTOR: f64 = 2.5;
/// Where the matched shelf's magnitude is pinned to the analog prototype,
/// besides DC and Nyquist, Hz: 1 kHz, the calibration frequency.
const SHELF_MATCH_HZ: f64 = 1_000.0;
/// The rate at which BS.1770-4 tabulates the coefficients, Hz.
pub const REFERENCE_SAMPLE_RATE_HZ: f64 = 48_000.0;

/// Pass-band gain of the RLB high-pass as tabulated (numerator `[1, −2, 1]`
/// at 48 kHz): the bilinear `a0 = 1 + K/Q + K²` at the reference rate, linear.
fn highpass_passband_gain() -> f64 {
    let k = (core::f64::consts::PI * HIGHPASS_FREQUENCY_HZ / REFERENCE_SAMPLE_RATE_HZ).tan();
    1.0 + k / HIGHPASS_Q + k * k
}

/// Analog prototype of the pre-filter (stage 1), `s` normalised to
/// [`SHELF_FREQUENCY_HZ`].
pub fn shelf_prototype() -> AnalogBiquad {
    AnalogBiquad::high_shelf_vh_vb(SHELF_GAIN_DB, SHELF_Q, SHELF_MID_EXPONENT)
}

/// Analog prototype of the RLB high-pass (stage 2), `s` normalised to
/// [`HIGHPASS_FREQUENCY_HZ`], including the tabulated pass-band gain.
pub fn highpass_prototype() -> AnalogBiquad {
    AnalogBiquad::highpass(HIGHPASS_Q).scaled(highpass_passband_gain())
}

/// Analytic response of the analog K-weighting (both stages) at `freq_hz`.
pub fn analog_response(freq_hz: f64) -> Complex {
    shelf_prototype().response(freq_hz, SHELF_FREQUENCY_HZ)
        * highpass_prototype().response(freq_hz, HIGHPASS_FREQUENCY_HZ)
}

/// Coefficients of both K-weighting stages at one sample rate. Plain values.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct KWeightingCoefs {
    /// Stage 1: pre-filter high shelf (≈ +4 dB above ≈ 1.7 kHz).
    pub shelf: BiquadCoefs,
    /// Stage 2: RLB high-pass (≈ 38 Hz).
    pub highpass: BiquadCoefs,
}

impl KWeightingCoefs {
    /// Designs both stages for `sample_rate` Hz (finite, > 0). The response
    /// follows BS.1770-4 when the rate exceeds 2·[`SHELF_FREQUENCY_HZ`]
    /// (≳ 3.4 kHz); below that the bilinear design clamps the corners below
    /// Nyquist ([`BiquadCoefs::bilinear`]), so the filter stays stable and the
    /// readings are only indicative.
    pub fn new(sample_rate: f64) -> Self {
        let shelf = if sample_rate < BILINEAR_SHELF_FROM_HZ
            && sample_rate > MATCHED_SHELF_MIN_RATE_FACTOR * SHELF_FREQUENCY_HZ
        {
            // Below 44.1 kHz the bilinear shelf is warped enough to move
            // readings (−0.21 LU at 8 kHz): follow the analog prototype's
            // magnitude up to Nyquist instead, exact at DC, Nyquist and 1 kHz.
            BiquadCoefs::matched(
                &shelf_prototype(),
                SHELF_FREQUENCY_HZ,
                SHELF_MATCH_HZ,
                sample_rate,
            )
        } else {
            BiquadCoefs::bilinear(&shelf_prototype(), SHELF_FREQUENCY_HZ, sample_rate)
        };
        Self {
            shelf,
            highpass: BiquadCoefs::bilinear(
                &highpass_prototype(),
                HIGHPASS_FREQUENCY_HZ,
                sample_rate,
            ),
        }
    }

    /// Analytic response of the cascade at `freq_hz` for `sample_rate` Hz.
    pub fn response(&self, freq_hz: f64, sample_rate: f64) -> Complex {
        self.shelf.response(freq_hz, sample_rate) * self.highpass.response(freq_hz, sample_rate)
    }
}

/// K-weighting filter state for one channel (two biquads in series).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct KWeightingState {
    shelf: BiquadState,
    highpass: BiquadState,
}

impl KWeightingState {
    /// Clears both stages. Never allocates.
    pub fn reset(&mut self) {
        self.shelf.reset();
        self.highpass.reset();
    }

    /// Filters one sample (full scale = 1.0); `x` must be finite.
    #[inline(always)]
    pub fn process(&mut self, coefs: &KWeightingCoefs, x: f64) -> f64 {
        let shelved = self.shelf.process(&coefs.shelf, x);
        self.highpass.process(&coefs.highpass, shelved)
    }

    /// The four state cells (shelf then high-pass), for tests.
    pub fn cells(&self) -> [f64; 4] {
        let [a, b] = self.shelf.cells();
        let [c, d] = self.highpass.cells();
        [a, b, c, d]
    }
}
