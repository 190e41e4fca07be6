//! A minimal complex number for analytic frequency responses.
//!
//! Only what response evaluation needs (add, multiply, divide, polar form), so
//! `shared-dsp` carries no maths dependency for it.

use core::ops::{Add, Div, Mul, Sub};

/// A complex number `re + j·im` in f64.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Complex {
    /// Real part.
    pub re: f64,
    /// Imaginary part.
    pub im: f64,
}

impl Complex {
    /// `re + j·im`.
    pub const fn new(re: f64, im: f64) -> Self {
        Self { re, im }
    }

    /// `magnitude · e^(j·phase_rad)`.
    pub fn from_polar(magnitude: f64, phase_rad: f64) -> Self {
        Self::new(magnitude * phase_rad.cos(), magnitude * phase_rad.sin())
    }

    /// Magnitude |z| (linear, ≥ 0).
    pub fn norm(self) -> f64 {
        self.re.hypot(self.im)
    }

    /// Magnitude in dB: 20·log10|z| (−∞ for 0).
    pub fn norm_db(self) -> f64 {
        20.0 * self.norm().log10()
    }

    /// Argument (phase) in radians, in (−π, π].
    pub fn arg(self) -> f64 {
        self.im.atan2(self.re)
    }
}

impl Add for Complex {
    type Output = Self;
    fn add(self, rhs: Self) -> Self {
        Self::new(self.re + rhs.re, self.im + rhs.im)
    }
}

impl Sub for Complex {
    type Output = Self;
    fn sub(self, rhs: Self) -> Self {
        Self::new(self.re - rhs.re, self.im - rhs.im)
    }
}

impl Mul for Complex {
    type Output = Self;
    fn mul(self, rhs: Self) -> Self {
        Self::new(
            self.re * rhs.re - self.im * rhs.im,
            self.re * rhs.im + self.im * rhs.re,
        )
    }
}

impl Mul<f64> for Complex {
    type Output = Self;
    fn mul(self, rhs: f64) -> Self {
        Self::new(self.re * rhs, self.im * rhs)
    }
}

impl Div for Complex {
    type Output = Self;
    fn div(self, rhs: Self) -> Self {
        let denom = rhs.re * rhs.re + rhs.im * rhs.im;
        Self::new(
            (self.re * rhs.re + self.im * rhs.im) / denom,
            (self.im * rhs.re - self.re * rhs.im) / denom,
        )
    }
}
