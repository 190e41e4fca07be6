//! Butterworth high- and low-pass filters of order 1 to 8 (6 to 48 dB per
//! octave) as cascades of the suite's biquad: `order / 2` second-order
//! sections plus one first-order section for odd orders.
//!
//! # Design
//! The analog prototype `|H(jΩ)|² = 1 / (1 + Ω^{2n})` (Ω = f/fc) has its poles
//! on the unit circle at angles `φₖ = π·(2k + 1 + n mod 2)/(2n)` from the
//! negative real axis, `k = 0 .. n/2`; each conjugate pair is the section
//! `1/(s² + s/Qₖ + 1)` with `Qₖ = 1/(2·cos φₖ)`, and odd orders add the real
//! pole `1/(s + 1)` (Butterworth 1930; e.g. Zölzer, *Digital Audio Signal
//! Processing*, 2nd ed., §5.1). Every section goes through
//! [`BiquadCoefs::bilinear`] prewarped at the cutoff, so the digital filter is
//! *exactly* the analog one at the warped frequency
//! `fc·tan(π·f/fs)/tan(π·fc/fs)`: −3.01 dB at `cutoff_hz` at every sample
//! rate, a maximally flat pass band, and (for the low-pass) a zero at
//! Nyquist. Bilinear, not matched, on purpose: a high/low-pass must keep its
//! monotonic, maximally flat shape and exact stopband zero; its only
//! deviation from the analog curve is the frequency warp near Nyquist.

use crate::primitives::biquad::{AnalogBiquad, BiquadCoefs, BiquadState};
use crate::primitives::complex::Complex;
use core::f64::consts::PI;

/// Highest supported order (48 dB/octave).
pub const MAX_ORDER: usize = 8;
/// Second-order sections needed for [`MAX_ORDER`] (a first-order section
/// counts as one).
pub const MAX_SECTIONS: usize = MAX_ORDER.div_ceil(2);
/// Slope of one order, dB per octave (20·log10(2)).
pub const DB_PER_OCTAVE_PER_ORDER: f64 = 6.020_599_913_279_624;

/// Which side of the cutoff passes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PassKind {
    /// Passes above the cutoff.
    HighPass,
    /// Passes below the cutoff.
    LowPass,
}

/// Coefficients of one Butterworth cascade. Plain values.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ButterworthCoefs {
    /// Sections in processing order; only the first `num_sections` are used.
    pub sections: [BiquadCoefs; MAX_SECTIONS],
    /// Number of sections in use, `1 ..= MAX_SECTIONS`.
    pub num_sections: usize,
    /// Analog prototypes of the sections, same order (for [`Self::analog_response`]).
    pub prototypes: [AnalogBiquad; MAX_SECTIONS],
    /// Cutoff (−3.01 dB), Hz.
    pub cutoff_hz: f64,
}

impl ButterworthCoefs {
    /// Designs a Butterworth `kind` filter of `order` (clamped to
    /// `1 ..= MAX_ORDER`) with its −3 dB point at `cutoff_hz`
    /// (clamped to `1 Hz ..= 0.49·sample_rate`).
    pub fn new(kind: PassKind, order: usize, cutoff_hz: f64, sample_rate: f64) -> Self {
        let order = order.clamp(1, MAX_ORDER);
        let cutoff_hz = cutoff_hz.clamp(1.0, 0.49 * sample_rate);
        let mut sections = [BiquadCoefs::IDENTITY; MAX_SECTIONS];
        let mut prototypes = [AnalogBiquad {
            b: [1.0, 0.0, 0.0],
            a: [1.0, 0.0, 0.0],
        }; MAX_SECTIONS];
        let pairs = order / 2;
        for (k, prototype) in prototypes.iter_mut().enumerate().take(pairs) {
            let angle = PI * (2 * k + 1 + order % 2) as f64 / (2 * order) as f64;
            let q = 1.0 / (2.0 * angle.cos());
            *prototype = match kind {
                PassKind::HighPass => AnalogBiquad::highpass(q),
                PassKind::LowPass => AnalogBiquad::lowpass(q),
            };
        }
        if order % 2 == 1 {
            prototypes[pairs] = match kind {
                PassKind::HighPass => AnalogBiquad::highpass_first_order(),
                PassKind::LowPass => AnalogBiquad::lowpass_first_order(),
            };
        }
        let num_sections = order.div_ceil(2);
        for (section, prototype) in sections.iter_mut().zip(&prototypes).take(num_sections) {
            *section = BiquadCoefs::bilinear(prototype, cutoff_hz, sample_rate);
        }
        Self {
            sections,
            num_sections,
            prototypes,
            cutoff_hz,
        }
    }

    /// Sections in use.
    pub fn active(&self) -> &[BiquadCoefs] {
        &self.sections[..self.num_sections]
    }

    /// Analytic digital response at `freq_hz`.
    pub fn response(&self, freq_hz: f64, sample_rate: f64) -> Complex {
        self.active().iter().fold(Complex::new(1.0, 0.0), |acc, s| {
            acc * s.response(freq_hz, sample_rate)
        })
    }

    /// Analytic response of the analog prototype at `freq_hz`
    /// (`|H|² = 1/(1 + (f/fc)^{±2n})`).
    pub fn analog_response(&self, freq_hz: f64) -> Complex {
        self.prototypes[..self.num_sections]
            .iter()
            .fold(Complex::new(1.0, 0.0), |acc, p| {
                acc * p.response(freq_hz, self.cutoff_hz)
            })
    }
}

/// Per-channel state of one cascade.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct ButterworthState {
    sections: [BiquadState; MAX_SECTIONS],
}

impl ButterworthState {
    /// Clears the state. Never allocates.
    pub fn reset(&mut self) {
        *self = Self::default();
    }

    /// True if every cell of every section is exactly zero.
    pub fn is_zero(&self) -> bool {
        self.sections.iter().all(|s| s.cells() == [0.0, 0.0])
    }

    /// The sections' states, in processing order (for
    /// [`crate::primitives::biquad::process_cascade_pair`]).
    pub fn sections_mut(&mut self) -> &mut [BiquadState; MAX_SECTIONS] {
        &mut self.sections
    }

    /// Filters one sample through the active sections of `coefs`.
    #[inline]
    pub fn process(&mut self, coefs: &ButterworthCoefs, x: f64) -> f64 {
        coefs
            .active()
            .iter()
            .zip(&mut self.sections)
            .fold(x, |y, (c, s)| s.process(c, y))
    }
}
