//! Stereo utilities: mid/side, width, balance and constant-power pan, as
//! pure functions plus a smoothed [`StereoStage`] (the channel strip's
//! stereo section; the Stereo Imager reuses the same functions).
//!
//! Conventions: `M = (L + R)/2`, `S = (L − R)/2`, so `L = M + S`, `R = M − S`
//! (unity gain round trip).

use crate::primitives::level::{clamp_or, sanitize_channels_f64};
use crate::primitives::smoother::Smoother;

/// Glide time of pan, balance and width, ms.
pub const RAMP_MS: f64 = 20.0;
/// Largest width (200 %: side doubled).
pub const MAX_WIDTH: f32 = 2.0;

/// `(L, R) → (M, S)`, `M = (L + R)/2`, `S = (L − R)/2`.
#[inline]
pub fn encode_mid_side(left: f64, right: f64) -> (f64, f64) {
    (0.5 * (left + right), 0.5 * (left - right))
}

/// `(M, S) → (L, R) = (M + S, M − S)`.
#[inline]
pub fn decode_mid_side(mid: f64, side: f64) -> (f64, f64) {
    (mid + side, mid - side)
}

/// Scales the side signal by `width` (0 = mono, 1 = unchanged, 2 = double).
#[inline]
pub fn apply_width(left: f64, right: f64, width: f64) -> (f64, f64) {
    let (mid, side) = encode_mid_side(left, right);
    decode_mid_side(mid, side * width)
}

/// Constant-power pan gains `[g_L, g_R]` for `pan` in −1 (left) ..= +1
/// (right): `g_L = √2·cos θ`, `g_R = √2·sin θ`, `θ = (pan + 1)·π/4`.
/// `g_L² + g_R² = 2` at every position, the power of the unpanned
/// dual-mono pair, and exactly `[1, 1]` at the centre (so a centred pan is
/// a bit-exact no-op); hard left is `[√2, 0]` (+3 dB).
#[inline]
pub fn pan_gains(pan: f64) -> [f64; 2] {
    if pan == 0.0 {
        return [1.0, 1.0];
    }
    let theta = (pan.clamp(-1.0, 1.0) + 1.0) * core::f64::consts::FRAC_PI_4;
    let root2 = core::f64::consts::SQRT_2;
    [root2 * theta.cos(), root2 * theta.sin()]
}

/// Balance gains `[g_L, g_R]` for `balance` in −1 ..= +1: the far side is
/// attenuated along a quarter cosine (`cos(|b|·π/2)`), the near side stays
/// at unity; exactly `[1, 1]` at the centre.
#[inline]
pub fn balance_gains(balance: f64) -> [f64; 2] {
    let b = balance.clamp(-1.0, 1.0);
    let far = (b.abs() * core::f64::consts::FRAC_PI_2).cos();
    if b > 0.0 {
        [far, 1.0]
    } else if b < 0.0 {
        [1.0, far]
    } else {
        [1.0, 1.0]
    }
}

/// Stereo section settings. Plain values; out-of-range values are clamped.
/// Only applied to two-channel signals.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StereoSettings {
    /// Constant-power pan, −1 (left) ..= +1 (right), for a mono source
    /// carried on both channels (see [`pan_gains`]).
    pub pan: f32,
    /// Balance, −1 ..= +1, for stereo sources (see [`balance_gains`]).
    pub balance: f32,
    /// Mid/side width, 0 (mono) ..= 2; 1 = unchanged.
    pub width: f32,
}

impl Default for StereoSettings {
    fn default() -> Self {
        Self {
            pan: 0.0,
            balance: 0.0,
            width: 1.0,
        }
    }
}

impl StereoSettings {
    /// Clamped to the documented ranges.
    pub fn sanitized(&self) -> Self {
        Self {
            pan: clamp_or(self.pan, (-1.0, 1.0), 0.0),
            balance: clamp_or(self.balance, (-1.0, 1.0), 0.0),
            width: clamp_or(self.width, (0.0, MAX_WIDTH), 1.0),
        }
    }

    /// True if the stage leaves the signal unchanged.
    pub fn is_neutral(&self) -> bool {
        self.pan == 0.0 && self.balance == 0.0 && self.width == 1.0
    }
}

/// Smoothed width → pan → balance on a stereo pair (f64, in place).
#[derive(Debug, Clone)]
pub struct StereoStage {
    settings: StereoSettings,
    pan: Smoother,
    balance: Smoother,
    width: Smoother,
}

impl StereoStage {
    /// A neutral stage ramping over [`RAMP_MS`] at `sample_rate`.
    pub fn new(sample_rate: f64) -> Self {
        let ramp = Smoother::samples_for_ms(RAMP_MS, sample_rate);
        Self {
            settings: StereoSettings::default(),
            pan: Smoother::linear(0.0, ramp),
            balance: Smoother::linear(0.0, ramp),
            width: Smoother::linear(1.0, ramp),
        }
    }

    /// Changes the sample rate and settles. Never allocates.
    pub fn set_sample_rate(&mut self, sample_rate: f64) {
        let ramp = Smoother::samples_for_ms(RAMP_MS, sample_rate);
        for r in [&mut self.pan, &mut self.balance, &mut self.width] {
            r.set_ramp_samples(ramp);
        }
        self.reset();
    }

    /// Jumps the ramps to their targets. Never allocates.
    pub fn reset(&mut self) {
        self.pan.settle();
        self.balance.settle();
        self.width.settle();
    }

    /// Applies settings (all glide).
    pub fn set_settings(&mut self, settings: &StereoSettings) {
        let s = settings.sanitized();
        self.settings = s;
        self.pan.set_target(f64::from(s.pan));
        self.balance.set_target(f64::from(s.balance));
        self.width.set_target(f64::from(s.width));
    }

    /// True if skipped (neutral and settled).
    pub fn is_bypassed(&self) -> bool {
        self.settings.is_neutral()
            && !self.pan.is_smoothing()
            && !self.balance.is_smoothing()
            && !self.width.is_smoothing()
    }

    /// Processes a stereo pair in place (same lengths). Never allocates.
    pub fn process(&mut self, left: &mut [f64], right: &mut [f64]) {
        sanitize_channels_f64(&mut [&mut *left, &mut *right]);
        if self.is_bypassed() {
            return;
        }
        if !self.pan.is_smoothing() && !self.balance.is_smoothing() && !self.width.is_smoothing() {
            // Settled: a settled ramp returns its target at every step, so
            // the gains (a `cos`/`sin` each) are computed once per block.
            // Same expressions per sample, so the same bits.
            let width = self.width.target();
            let pan = pan_gains(self.pan.target());
            let balance = balance_gains(self.balance.target());
            if width == 1.0 {
                for (l, r) in left.iter_mut().zip(right.iter_mut()) {
                    *l = *l * pan[0] * balance[0];
                    *r = *r * pan[1] * balance[1];
                }
            } else {
                for (l, r) in left.iter_mut().zip(right.iter_mut()) {
                    let (a, b) = apply_width(*l, *r, width);
                    *l = a * pan[0] * balance[0];
                    *r = b * pan[1] * balance[1];
                }
            }
            return;
        }
        for (l, r) in left.iter_mut().zip(right.iter_mut()) {
            let width = self.width.advance(1);
            let pan = pan_gains(self.pan.advance(1));
            let balance = balance_gains(self.balance.advance(1));
            let (mut a, mut b) = (*l, *r);
            if width != 1.0 {
                (a, b) = apply_width(a, b, width);
            }
            *l = a * pan[0] * balance[0];
            *r = b * pan[1] * balance[1];
        }
    }
}
