//! Magnitude-matched biquad design: digital filters whose magnitude follows
//! the analog prototype up to Nyquist, without the bilinear transform's
//! "cramping" (a bell or shelf squeezed towards fs/2).
//!
//! # Method (M. Vicanek, "Matched Second Order Digital Filters", 2016)
//! 1. **Poles by impulse invariance.** The analog denominator
//!    `a₂s² + a₁s + a₀` (s normalised to `f0`) has natural frequency
//!    `ωₙ = 2π·f0·√(a₀/a₂)/fs` (rad/sample) and damping
//!    `ζ = a₁/(2√(a₀a₂))`; its poles map exactly by `z = e^{sT}`:
//!    `a1 = −2·e^{−ζωₙ}·cos(ωₙ√(1−ζ²))` (ζ ≤ 1) or `−2·e^{−ζωₙ}·cosh(ωₙ√(ζ²−1))`
//!    (ζ > 1), `a2 = e^{−2ζωₙ}` (Vicanek eqs. 11–12).
//! 2. **Numerator from the magnitude.** With `φ₀ = cos²(ω/2)`,
//!    `φ₁ = sin²(ω/2)`, `φ₂ = 4φ₀φ₁` every biquad polynomial obeys
//!    `|b0 + b1·z⁻¹ + b2·z⁻²|² = B₀φ₀ + B₁φ₁ + B₂φ₂` with
//!    `B₀ = (b0+b1+b2)²`, `B₁ = (b0−b1+b2)²`, `B₂ = −4·b0·b2` (Vicanek eq. 13).
//!    The three `Bᵢ` are chosen so the digital magnitude equals the analog one
//!    at DC, at Nyquist and at a match frequency (the bell's centre, the
//!    shelf's corner), then factored back into the minimum-phase
//!    `b1 = (√B₀ − √B₁)/2`, `b0 = (W + √(W² + B₂))/2`, `b2 = W − b0`,
//!    `W = (√B₀ + √B₁)/2` (Vicanek eq. 16).
//!
//! Vicanek's peaking design matches a slope condition at `f0` instead of the
//! Nyquist gain; matching the Nyquist gain (as Orfanidis' prescribed-Nyquist-gain
//! design does) is what keeps the top octave on the analog curve, which is
//! the requirement here. The callers in [`crate::units::eq`] keep poles below the
//! corner (designing the variant whose poles are lower, inverting it for the
//! other gain sign), so poles never alias past Nyquist.

use crate::primitives::biquad::{AnalogBiquad, BiquadCoefs};
use core::f64::consts::PI;

impl BiquadCoefs {
    /// Magnitude-matched digital version of a *second-order* `prototype`
    /// (corner `f0_hz`), equal in magnitude to the analog prototype at DC,
    /// at Nyquist and at `match_hz` (0 < `match_hz` < fs/2; the corner
    /// frequency is the usual choice). Poles by impulse invariance, zeros
    /// minimum phase; see the module docs.
    ///
    /// The prototype's natural frequency `f0·√(a₀/a₂)` must be below
    /// `sample_rate/2` and `a₀, a₂ > 0` (a stable second-order denominator).
    pub fn matched(prototype: &AnalogBiquad, f0_hz: f64, match_hz: f64, sample_rate: f64) -> Self {
        let [da0, da1, da2] = prototype.a;
        let natural_rad = 2.0 * PI * f0_hz / sample_rate * (da0 / da2).sqrt();
        let zeta = da1 / (2.0 * (da0 * da2).sqrt());
        let (a1, a2) = matched_poles(natural_rad, zeta);

        let target_sq = |freq_hz: f64| {
            let h = prototype.response(freq_hz, f0_hz).norm();
            h * h
        };
        let nyquist = 0.5 * sample_rate;
        // Denominator terms, Vicanek eq. 13 applied to (1, a1, a2).
        let den_dc = (1.0 + a1 + a2) * (1.0 + a1 + a2);
        let den_nyquist = (1.0 - a1 + a2) * (1.0 - a1 + a2);
        let b_dc = den_dc * target_sq(0.0);
        let b_nyquist = den_nyquist * target_sq(nyquist);

        let w = 2.0 * PI * match_hz / sample_rate;
        let phi1 = (0.5 * w).sin().powi(2);
        let phi0 = 1.0 - phi1;
        let phi2 = 4.0 * phi0 * phi1;
        // |A(e^{jw})|² evaluated directly (no cancellation of the φ form).
        let den_match = denominator_power(a1, a2, w);
        let b_cross = (target_sq(match_hz) * den_match - b_dc * phi0 - b_nyquist * phi1) / phi2;

        let sqrt_dc = b_dc.sqrt();
        let sqrt_nyquist = b_nyquist.sqrt();
        let half_sum = 0.5 * (sqrt_dc + sqrt_nyquist);
        let discriminant = (half_sum * half_sum + b_cross).max(0.0);
        let b0 = 0.5 * (half_sum + discriminant.sqrt());
        let b1 = 0.5 * (sqrt_dc - sqrt_nyquist);
        let b2 = half_sum - b0;
        Self::from_normalized(b0, b1, b2, a1, a2)
    }

    /// Notch (band-reject) `(s² + 1)/(s² + s/Q + 1)` at `center_hz`, matched:
    /// poles by impulse invariance, zeros exactly on the unit circle at
    /// `center_hz` (the matched-z image of the analog zeros ±j·2π·f0), gain
    /// normalised to exactly 0 dB at DC. With the zeros fixed only one scale
    /// factor is free, so the Nyquist gain is not matched: wide notches
    /// above ≈ fs/8 differ from the analog curve in the top octave.
    /// `0 < center_hz < sample_rate/2`, `q > 0`.
    pub fn matched_notch(center_hz: f64, q: f64, sample_rate: f64) -> Self {
        let w0 = 2.0 * PI * center_hz / sample_rate;
        let (a1, a2) = matched_poles(w0, 0.5 / q);
        let c = -2.0 * w0.cos();
        let gain = (1.0 + a1 + a2) / (2.0 + c);
        Self::from_normalized(gain, gain * c, gain, a1, a2)
    }

    /// The reciprocal filter `1/H(z)` (swap numerator and denominator).
    /// Only stable if `self` is minimum phase with `b0 ≠ 0`.
    pub fn inverted(&self) -> Self {
        Self::new(1.0, self.a1, self.a2, self.b0, self.b1, self.b2)
    }
}

/// Impulse-invariant pole pair `(a1, a2)` of a second-order section with
/// natural frequency `natural_rad` (rad/sample) and damping `zeta` ≥ 0.
fn matched_poles(natural_rad: f64, zeta: f64) -> (f64, f64) {
    let decay = (-zeta * natural_rad).exp();
    let a1 = if zeta <= 1.0 {
        -2.0 * decay * (natural_rad * (1.0 - zeta * zeta).sqrt()).cos()
    } else {
        -2.0 * decay * (natural_rad * (zeta * zeta - 1.0).sqrt()).cosh()
    };
    (a1, decay * decay)
}

/// `|1 + a1·e^{−jw} + a2·e^{−2jw}|²`.
fn denominator_power(a1: f64, a2: f64, w: f64) -> f64 {
    let re = 1.0 + a1 * w.cos() + a2 * (2.0 * w).cos();
    let im = a1 * w.sin() + a2 * (2.0 * w).sin();
    re * re + im * im
}
