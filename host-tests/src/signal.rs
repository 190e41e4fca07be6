//! Test input signals, from clean noise to values no sane host would send.

use crate::rng::Rng;

/// A kind of test input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signal {
    /// All zeros.
    Silence,
    /// Uniform white noise in `[-1, 1)`, i.e. up to 0 dBFS.
    Noise,
    /// Noise scaled to ±[`HUGE_AMPLITUDE`] (+120 dBFS).
    Huge,
    /// Subnormal values only, positive and negative.
    Subnormal,
    /// Noise with NaN, ±infinity, ±`f32::MAX`, huge, subnormal and signed-zero samples mixed in.
    Hostile,
}

impl Signal {
    /// Signals a host can send; only [`Signal::Silence`] and [`Signal::Noise`] are sane.
    pub const ALL: [Signal; 5] = [
        Signal::Silence,
        Signal::Noise,
        Signal::Huge,
        Signal::Subnormal,
        Signal::Hostile,
    ];

    /// Fills `samples` with this signal.
    pub fn fill(self, rng: &mut Rng, samples: &mut [f32]) {
        for sample in samples {
            *sample = match self {
                Signal::Silence => 0.0,
                Signal::Noise => noise(rng),
                Signal::Huge => HUGE_AMPLITUDE * noise(rng),
                Signal::Subnormal => subnormal(rng),
                Signal::Hostile => hostile(rng),
            };
        }
    }

    /// `channels` planar channels of `frames` samples of this signal.
    pub fn block(self, rng: &mut Rng, channels: usize, frames: usize) -> Vec<Vec<f32>> {
        (0..channels)
            .map(|_| {
                let mut channel = vec![0.0; frames];
                self.fill(rng, &mut channel);
                channel
            })
            .collect()
    }
}

/// Amplitude of [`Signal::Huge`]: 1e6, i.e. +120 dBFS.
pub const HUGE_AMPLITUDE: f32 = 1e6;

/// Mask of the mantissa bits of an `f32`; a nonzero mantissa with a zero exponent is subnormal.
const F32_MANTISSA_MASK: u32 = 0x007F_FFFF;

/// Sign bit of an `f32`.
const F32_SIGN_BIT: u32 = 0x8000_0000;

fn noise(rng: &mut Rng) -> f32 {
    rng.range_f64(-1.0, 1.0) as f32
}

fn subnormal(rng: &mut Rng) -> f32 {
    let mantissa = (rng.next_u64() as u32 & F32_MANTISSA_MASK).max(1);
    let sign = if rng.chance(0.5) { F32_SIGN_BIT } else { 0 };
    f32::from_bits(sign | mantissa)
}

fn hostile(rng: &mut Rng) -> f32 {
    /// Share of samples that are special values; the rest is noise.
    const SPECIAL_CHANCE: f64 = 0.2;
    if !rng.chance(SPECIAL_CHANCE) {
        return noise(rng);
    }
    let specials = [
        f32::NAN,
        -f32::NAN,
        f32::INFINITY,
        f32::NEG_INFINITY,
        f32::MAX,
        f32::MIN,
        HUGE_AMPLITUDE,
        -HUGE_AMPLITUDE,
        f32::MIN_POSITIVE,
        -0.0,
    ];
    if rng.chance(0.2) {
        subnormal(rng)
    } else {
        *rng.pick(&specials)
    }
}
