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
    /// NaN only (quiet NaNs of both signs).
    Nan,
    /// Infinity only, alternating +∞ and −∞ sample by sample.
    Infinite,
    /// Full-scale DC: every sample +1.0.
    FullScaleDc,
    /// A full-scale square wave (±1.0) with a period of [`SQUARE_PERIOD_SAMPLES`].
    FullScaleSquare,
}

impl Signal {
    /// Signals a host can send; only [`Signal::Silence`] and [`Signal::Noise`] are sane (full-scale
    /// DC and square waves are legal but hostile to filters and detectors).
    pub const ALL: [Signal; 9] = [
        Signal::Silence,
        Signal::Noise,
        Signal::Huge,
        Signal::Subnormal,
        Signal::Hostile,
        Signal::Nan,
        Signal::Infinite,
        Signal::FullScaleDc,
        Signal::FullScaleSquare,
    ];

    /// The bad inputs of issue 13: everything but silence and clean noise.
    pub const BAD: [Signal; 7] = [
        Signal::Huge,
        Signal::Subnormal,
        Signal::Hostile,
        Signal::Nan,
        Signal::Infinite,
        Signal::FullScaleDc,
        Signal::FullScaleSquare,
    ];

    /// Fills `samples` with this signal.
    pub fn fill(self, rng: &mut Rng, samples: &mut [f32]) {
        for (index, sample) in samples.iter_mut().enumerate() {
            *sample = match self {
                Signal::Silence => 0.0,
                Signal::Noise => noise(rng),
                Signal::Huge => HUGE_AMPLITUDE * noise(rng),
                Signal::Subnormal => subnormal(rng),
                Signal::Hostile => hostile(rng),
                Signal::Nan if index % 2 == 0 => f32::NAN,
                Signal::Nan => -f32::NAN,
                Signal::Infinite if index % 2 == 0 => f32::INFINITY,
                Signal::Infinite => f32::NEG_INFINITY,
                Signal::FullScaleDc => 1.0,
                Signal::FullScaleSquare
                    if index % SQUARE_PERIOD_SAMPLES < SQUARE_PERIOD_SAMPLES / 2 =>
                {
                    1.0
                }
                Signal::FullScaleSquare => -1.0,
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

/// Period of [`Signal::FullScaleSquare`] in samples, counted from the start of each block
/// (1 kHz at 48 kHz).
pub const SQUARE_PERIOD_SAMPLES: usize = 48;

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
