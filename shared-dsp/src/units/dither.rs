//! Requantization to a shorter word length with TPDF dither, optionally
//! noise-shaped.
//!
//! Output samples lie exactly on the grid `k / 2^(bits−1)`, `k` an integer
//! in `−2^(bits−1) ..= 2^(bits−1) − 1`, i.e. within `[−1, 1 − LSB]`: exactly
//! what a `bits`-bit integer file stores.
//!
//! - **TPDF**: the sum of two independent uniform variables of ±½ LSB
//!   (triangular PDF, ±1 LSB) is added before rounding; this makes the first
//!   two moments of the error independent of the signal (Lipshitz, Wannamaker
//!   & Vanderkooy, "Quantization and Dither: A Theoretical Survey", JAES 1992).
//! - **Noise-shaped**: the same dither inside an error-feedback loop,
//!   `v = x − Σ h_i·e[n−i]`, `y = Q(v + d)`, `e = y − v`, so the total error
//!   has the spectrum of `NTF(z) = 1 − Σ h_i z^−i` times the dither +
//!   rounding error. `h` is the 3-tap "E-weighted" filter of Wannamaker
//!   ("Psychoacoustically Optimal Noise Shaping", JAES 1992): −12 dB at DC,
//!   +11.4 dB at Nyquist, the noise moved to where the ear is least
//!   sensitive. The fed-back error is clamped to ±[`MAX_FEEDBACK_ERROR_LSB`]
//!   so a clipped sample cannot destabilise the loop.
//!
//! Random numbers come from a per-channel xorshift32 generator with a fixed
//! seed; `reset` restores the seeds, so renders are reproducible.

use crate::primitives::channels::STEREO;

/// Dither type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DitherShape {
    /// Triangular-PDF dither, ±1 LSB.
    Tpdf,
    /// TPDF dither with E-weighted error-feedback noise shaping.
    NoiseShaped,
}

/// Word lengths the requantizer supports, bits.
pub const SUPPORTED_BITS: [u32; 3] = [16, 20, 24];
/// Error-feedback coefficients `h_1..h_3` (Wannamaker 1992, 3-tap E-weighted).
pub const NOISE_SHAPING_COEFS: [f64; 3] = [1.623, -0.982, 0.109];
/// Fed-back error clamp, LSB. Unclipped, |e| ≤ 1.5 LSB (½ rounding + 1 dither).
pub const MAX_FEEDBACK_ERROR_LSB: f64 = 2.0;
/// Base seed of the per-channel generators (any non-zero value).
pub const DITHER_SEED: u32 = 0x2545_F491;

/// Largest deviation `|y − x|` the requantizer can add for `shape`, LSB
/// (unclipped input). TPDF: ½ LSB rounding + 1 LSB dither; noise-shaped:
/// that times `1 + Σ|h_i|` — used by the limiter to reserve headroom.
pub fn max_error_lsb(shape: DitherShape) -> f64 {
    let tpdf = 1.5;
    match shape {
        DitherShape::Tpdf => tpdf,
        DitherShape::NoiseShaped => {
            tpdf.min(MAX_FEEDBACK_ERROR_LSB)
                * (1.0 + NOISE_SHAPING_COEFS.iter().map(|h| h.abs()).sum::<f64>())
        }
    }
}

/// One LSB at `bits` bits, full scale 1.0: `2^−(bits−1)`.
pub fn lsb(bits: u32) -> f64 {
    (-(f64::from(bits) - 1.0)).exp2()
}

/// The grid step nearest `scaled` (a sample times `scale = 2^(bits−1)`),
/// clamped to the word's range `−scale ..= scale − 1`: the one rounding rule
/// of the requantizer and of the file encoder.
#[inline(always)]
fn nearest_step(scaled: f64, scale: f64) -> f64 {
    scaled.round().clamp(-scale, scale - 1.0)
}

/// `x` rounded, without dither, to the nearest value a `bits`-bit word holds
/// (`k / 2^(bits−1)`, full scale 1.0): what an integer file stores. Exact:
/// scaling by a power of two and rounding lose nothing in f64.
pub fn round_to_bits(x: f32, bits: u32) -> f32 {
    let scale = (f64::from(bits) - 1.0).exp2();
    (nearest_step(f64::from(x) * scale, scale) / scale) as f32
}

/// xorshift32 (Marsaglia 2003).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct XorShift32(u32);

impl XorShift32 {
    #[inline(always)]
    fn next_u32(&mut self) -> u32 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        self.0 = x;
        x
    }

    /// Uniform in [0, 1).
    #[inline(always)]
    fn uniform(&mut self) -> f64 {
        f64::from(self.next_u32() >> 8) * (1.0 / (1u32 << 24) as f64)
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
struct ChannelState {
    rng: XorShift32,
    /// Past total errors e[n−1..n−3], full-scale units.
    errors: [f64; 3],
}

impl ChannelState {
    fn seeded(channel: usize) -> Self {
        Self {
            rng: XorShift32(DITHER_SEED ^ (0x9E37_79B9u32.wrapping_mul(channel as u32 + 1))),
            errors: [0.0; 3],
        }
    }
}

/// Dithered requantizer for up to [`STEREO`] channels. Never allocates.
#[derive(Debug, Clone)]
pub struct Requantizer {
    shape: DitherShape,
    bits: u32,
    /// `2^(bits−1)`.
    scale: f64,
    channels: [ChannelState; STEREO],
}

impl Requantizer {
    /// A requantizer to `bits` (clamped to 16..=24; other values between
    /// are accepted as-is) with `shape`.
    pub fn new(shape: DitherShape, bits: u32) -> Self {
        let mut r = Self {
            shape,
            bits: 24,
            scale: 1.0,
            channels: [ChannelState::seeded(0), ChannelState::seeded(1)],
        };
        r.set(shape, bits);
        r
    }

    /// Changes shape and word length (bits clamped to 16..=24). Keeps the
    /// random state; clears the noise-shaping memory on a change.
    pub fn set(&mut self, shape: DitherShape, bits: u32) {
        let bits = bits.clamp(16, 24);
        if shape != self.shape || bits != self.bits {
            self.channels.iter_mut().for_each(|c| c.errors = [0.0; 3]);
        }
        self.shape = shape;
        self.bits = bits;
        self.scale = (f64::from(bits) - 1.0).exp2();
    }

    /// Word length, bits.
    pub fn bits(&self) -> u32 {
        self.bits
    }

    /// Restores the seeds and clears the noise-shaping memory.
    pub fn reset(&mut self) {
        for (i, c) in self.channels.iter_mut().enumerate() {
            *c = ChannelState::seeded(i);
        }
    }

    /// Requantizes one finite sample of `channel` (< [`STEREO`]).
    ///
    /// # Panics
    /// If `channel ≥ STEREO`.
    #[inline]
    pub fn process(&mut self, channel: usize, x: f32) -> f32 {
        let scale = self.scale;
        let state = &mut self.channels[channel];
        let dither_lsb = state.rng.uniform() - state.rng.uniform();
        let v = match self.shape {
            DitherShape::Tpdf => f64::from(x),
            DitherShape::NoiseShaped => {
                f64::from(x)
                    - NOISE_SHAPING_COEFS
                        .iter()
                        .zip(&state.errors)
                        .map(|(h, e)| h * e)
                        .sum::<f64>()
            }
        };
        let k = nearest_step(v * scale + dither_lsb, scale);
        let y = k / scale;
        if self.shape == DitherShape::NoiseShaped {
            let limit = MAX_FEEDBACK_ERROR_LSB / scale;
            let e = (y - v).clamp(-limit, limit);
            state.errors = [e, state.errors[0], state.errors[1]];
        }
        // Exact: |k| ≤ 2^23 and the division by a power of two is exact.
        y as f32
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tpdf_error_is_zero_mean_and_bounded() {
        let mut q = Requantizer::new(DitherShape::Tpdf, 16);
        let lsb = lsb(16);
        let mut sum = 0.0;
        let n = 100_000;
        for i in 0..n {
            let x = 0.3 * ((i as f64) * 0.001).sin();
            let y = f64::from(q.process(0, x as f32));
            let e = (y - f64::from(x as f32)) / lsb;
            assert!(e.abs() <= 1.5 + 1e-9, "{e}");
            sum += e;
        }
        assert!((sum / n as f64).abs() < 0.01);
    }

    #[test]
    fn reset_restores_the_sequence() {
        let mut q = Requantizer::new(DitherShape::NoiseShaped, 16);
        let a: Vec<f32> = (0..100).map(|i| q.process(1, i as f32 * 1e-3)).collect();
        q.reset();
        let b: Vec<f32> = (0..100).map(|i| q.process(1, i as f32 * 1e-3)).collect();
        assert_eq!(a, b);
    }
}
