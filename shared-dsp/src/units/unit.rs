//! The one lifecycle every unit (and every processor) follows, as a trait,
//! so one generic conformance test (`tests/unit_conformance.rs`) can hold
//! them all to it.
//!
//! - [`Unit::set_sample_rate`] re-derives everything rate-dependent; it may
//!   allocate, is safe to call again, and leaves the unit reset.
//! - [`Unit::reset`] clears all state (delay lines, envelopes, filter
//!   memories, measurements) and never allocates: the next output is what a
//!   freshly built unit would give.
//! - [`Unit::process`] does the work on planar audio in place, any block
//!   length (0 included), never allocating, locking or panicking. Units
//!   that analyse (meters) pass the audio through; gain computers that make
//!   a gain signal (the limiter) write it in place of the audio.
//! - [`Unit::latency_samples`] is where an impulse comes out, in samples at
//!   the unit's rate, for the current settings.
//!
//! Settings stay inherent methods of each unit: they are what differ.

use crate::primitives::channels::STEREO;
use crate::primitives::delay::DelayLine;
use crate::units::dither::Requantizer;
use crate::units::dynamics::{Compressor, Gate};
use crate::units::eq::{CutFilter, ParametricEq};
use crate::units::limiter::TruePeakLimiter;
use crate::units::loudness::LoudnessMeter;
use crate::units::saturation::Saturator;
use crate::units::stereo::StereoStage;

/// A sample type units process: f32 at the plugin and file boundary, f64
/// inside the channel strip.
pub trait Sample: Copy + PartialEq + Default + std::fmt::Debug + 'static {
    /// From f64, rounded to nearest.
    fn from_f64(x: f64) -> Self;
    /// To f64, exactly.
    fn to_f64(self) -> f64;
}

impl Sample for f32 {
    fn from_f64(x: f64) -> Self {
        x as f32
    }
    fn to_f64(self) -> f64 {
        f64::from(self)
    }
}

impl Sample for f64 {
    fn from_f64(x: f64) -> Self {
        x
    }
    fn to_f64(self) -> f64 {
        self
    }
}

/// The unit lifecycle (see the module docs).
pub trait Unit {
    /// Sample type of [`Unit::process`].
    type Sample: Sample;
    /// Re-derives everything rate-dependent and resets. May allocate.
    fn set_sample_rate(&mut self, sample_rate: f64);
    /// Clears all state. Never allocates.
    fn reset(&mut self);
    /// Processes planar `channels` in place. Never allocates.
    fn process(&mut self, channels: &mut [&mut [Self::Sample]]);
    /// Latency at the current settings, samples.
    fn latency_samples(&self) -> usize;
}

/// Implements [`Unit`] for units whose inherent methods already have the
/// lifecycle's shape.
macro_rules! unit_with_inherent_lifecycle {
    ($unit:ty, $sample:ty, latency: $latency:expr) => {
        impl Unit for $unit {
            type Sample = $sample;
            fn set_sample_rate(&mut self, sample_rate: f64) {
                <$unit>::set_sample_rate(self, sample_rate);
            }
            fn reset(&mut self) {
                <$unit>::reset(self);
            }
            fn process(&mut self, channels: &mut [&mut [$sample]]) {
                <$unit>::process(self, channels);
            }
            fn latency_samples(&self) -> usize {
                let latency: fn(&$unit) -> usize = $latency;
                latency(self)
            }
        }
    };
}
pub(crate) use unit_with_inherent_lifecycle;

unit_with_inherent_lifecycle!(ParametricEq, f64, latency: |_| 0);
unit_with_inherent_lifecycle!(CutFilter, f64, latency: |_| 0);
unit_with_inherent_lifecycle!(Compressor, f64, latency: |_| 0);
unit_with_inherent_lifecycle!(Gate, f64, latency: |_| 0);
unit_with_inherent_lifecycle!(Saturator, f64, latency: Saturator::latency_samples);

impl Unit for StereoStage {
    type Sample = f64;
    fn set_sample_rate(&mut self, sample_rate: f64) {
        StereoStage::set_sample_rate(self, sample_rate);
        StereoStage::reset(self);
    }
    fn reset(&mut self) {
        StereoStage::reset(self);
    }
    /// A stereo pair; other channel counts pass untouched.
    fn process(&mut self, channels: &mut [&mut [f64]]) {
        if let [left, right] = channels {
            StereoStage::process(self, left, right);
        }
    }
    fn latency_samples(&self) -> usize {
        0
    }
}

impl Unit for LoudnessMeter {
    type Sample = f32;
    fn set_sample_rate(&mut self, sample_rate: f64) {
        LoudnessMeter::set_sample_rate(self, sample_rate);
    }
    fn reset(&mut self) {
        LoudnessMeter::reset(self);
    }
    /// Measures; the audio passes through sanitised.
    fn process(&mut self, channels: &mut [&mut [f32]]) {
        crate::primitives::level::sanitize_channels(channels);
        let n = channels.len().min(self.num_channels());
        let mut view: [&[f32]; crate::primitives::channels::MAX_CHANNELS] =
            [&[]; crate::primitives::channels::MAX_CHANNELS];
        for (slot, channel) in view.iter_mut().zip(channels.iter()) {
            *slot = channel;
        }
        LoudnessMeter::process(self, &view[..n]);
    }
    fn latency_samples(&self) -> usize {
        0
    }
}

/// The crossover as a unit: every channel split and summed back, which is
/// the all-pass the bands add up to (magnitude flat, the documented phase).
impl Unit for crate::units::crossover::Crossover {
    type Sample = f64;
    fn set_sample_rate(&mut self, sample_rate: f64) {
        crate::units::crossover::Crossover::set_sample_rate(self, sample_rate);
    }
    fn reset(&mut self) {
        crate::units::crossover::Crossover::reset(self);
    }
    fn process(&mut self, channels: &mut [&mut [f64]]) {
        crate::primitives::level::sanitize_channels_f64(channels);
        let n = self.num_bands();
        let mut bands = [0.0; crate::units::crossover::MAX_BANDS];
        for (c, channel) in channels
            .iter_mut()
            .enumerate()
            .take(crate::units::crossover::MAX_CHANNELS)
        {
            for x in channel.iter_mut() {
                self.split(c, *x, &mut bands);
                *x = bands[..n].iter().sum();
            }
        }
    }
    fn latency_samples(&self) -> usize {
        0
    }
}

/// The mono check as a unit: measures a stereo pair; the audio passes
/// through sanitised.
impl Unit for crate::units::mono_check::MonoCheck {
    type Sample = f32;
    fn set_sample_rate(&mut self, sample_rate: f64) {
        crate::units::mono_check::MonoCheck::set_sample_rate(self, sample_rate);
    }
    fn reset(&mut self) {
        crate::units::mono_check::MonoCheck::reset(self);
    }
    fn process(&mut self, channels: &mut [&mut [f32]]) {
        crate::primitives::level::sanitize_channels(channels);
        if let [left, right] = channels {
            crate::units::mono_check::MonoCheck::process(self, left, right);
        }
    }
    fn latency_samples(&self) -> usize {
        0
    }
}

/// The limiter as a unit makes its gain signal: with the threshold at
/// `threshold` (linear), each sample is replaced by the gain (0 < g ≤ 1)
/// for the audio frame [`TruePeakLimiter::latency_samples`] earlier.
#[derive(Debug, Clone)]
pub struct LimiterGain {
    /// The limiter.
    pub limiter: TruePeakLimiter,
    /// Threshold, linear (> 0).
    pub threshold: f32,
    /// Frame scratch for the limiter's per-frame interface.
    num_channels: usize,
    max_lookahead_samples: usize,
}

impl LimiterGain {
    /// A limiter for `num_channels` (1 or 2) at `sample_rate` Hz with room for
    /// `max_lookahead_samples`, limiting at `threshold`. Allocates.
    pub fn new(
        sample_rate: f64,
        num_channels: usize,
        max_lookahead_samples: usize,
        threshold: f32,
    ) -> Self {
        Self {
            limiter: TruePeakLimiter::new(sample_rate, num_channels, max_lookahead_samples),
            threshold,
            num_channels,
            max_lookahead_samples,
        }
    }
}

impl Unit for LimiterGain {
    type Sample = f32;
    fn set_sample_rate(&mut self, sample_rate: f64) {
        let settings = *self.limiter.settings();
        self.limiter =
            TruePeakLimiter::new(sample_rate, self.num_channels, self.max_lookahead_samples);
        self.limiter.set_settings(&settings);
    }
    fn reset(&mut self) {
        self.limiter.reset();
    }
    fn process(&mut self, channels: &mut [&mut [f32]]) {
        let n = channels.len().min(self.num_channels);
        let frames = channels[..n].iter().map(|c| c.len()).min().unwrap_or(0);
        for i in 0..frames {
            let mut input = [0.0f32; STEREO];
            for (x, channel) in input.iter_mut().zip(channels.iter()) {
                *x = crate::primitives::level::sanitize(channel[i]);
            }
            let mut gains = [1.0f32; STEREO];
            self.limiter
                .process_frame(&input[..self.num_channels], self.threshold, &mut gains);
            for (channel, g) in channels[..n].iter_mut().zip(gains) {
                channel[i] = g;
            }
        }
    }
    fn latency_samples(&self) -> usize {
        self.limiter.latency_samples()
    }
}

/// A fixed delay as a unit: every channel delayed by the same number of
/// samples (one [`DelayLine`] each).
#[derive(Debug, Clone)]
pub struct Delay {
    lines: Box<[DelayLine]>,
}

impl Delay {
    /// `num_channels` lines delaying by `delay_samples`. Allocates.
    pub fn new(num_channels: usize, delay_samples: usize) -> Self {
        Self {
            lines: (0..num_channels)
                .map(|_| {
                    let mut line = DelayLine::new(delay_samples);
                    line.set_delay_samples(delay_samples);
                    line
                })
                .collect(),
        }
    }
}

impl Unit for Delay {
    type Sample = f32;
    fn set_sample_rate(&mut self, _sample_rate: f64) {
        self.reset();
    }
    fn reset(&mut self) {
        self.lines.iter_mut().for_each(DelayLine::reset);
    }
    fn process(&mut self, channels: &mut [&mut [f32]]) {
        for (line, channel) in self.lines.iter_mut().zip(channels.iter_mut()) {
            for x in channel.iter_mut() {
                *x = line.process(crate::primitives::level::sanitize(*x));
            }
        }
    }
    fn latency_samples(&self) -> usize {
        self.lines.first().map_or(0, DelayLine::delay_samples)
    }
}

/// Dither as a unit: every channel requantized by one [`Requantizer`].
impl Unit for Requantizer {
    type Sample = f32;
    fn set_sample_rate(&mut self, _sample_rate: f64) {
        Requantizer::reset(self);
    }
    fn reset(&mut self) {
        Requantizer::reset(self);
    }
    fn process(&mut self, channels: &mut [&mut [f32]]) {
        for (c, channel) in channels.iter_mut().enumerate().take(STEREO) {
            for x in channel.iter_mut() {
                *x = Requantizer::process(self, c, crate::primitives::level::sanitize(*x));
            }
        }
    }
    fn latency_samples(&self) -> usize {
        0
    }
}
