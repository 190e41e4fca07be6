//! A linear ramp of one control value over a fixed number of samples, and a
//! crossfade built on it, for the channel strip's units.
//!
//! Smoothing "per quantity" (STYLE.md §9) is done by choosing the domain the
//! value lives in: the EQ ramps `log2(Hz)` and dB (so frequency and gain move
//! logarithmically), mix and width ramp linearly.
//!
//! The value is computed from the number of samples still to go, not
//! accumulated, so advancing by `n` at once gives *exactly* the same value
//! as `n` single steps: output does not depend on the host's block size.
//!
//! (`smoothing::GainSmoother`, written alongside for the maximizer, ramps a
//! linear gain multiplicatively; this is its additive, any-domain sibling.
//! Merge them if one form proves enough.)

/// Linear ramp towards a target over a fixed time, landing exactly on it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LinearRamp {
    /// Value the current ramp started from.
    start: f64,
    /// Value the ramp ends on exactly.
    target: f64,
    /// Samples left in the ramp (0 = settled on `target`).
    remaining: u32,
    /// Length of the current ramp, samples (≥ 1).
    length: u32,
    /// Length used for the next target, samples (≥ 1).
    ramp_samples: u32,
}

impl LinearRamp {
    /// A settled ramp at `value` whose future ramps last `ramp_samples`
    /// (0 is treated as 1).
    pub fn new(value: f64, ramp_samples: u32) -> Self {
        Self {
            start: value,
            target: value,
            remaining: 0,
            length: 1,
            ramp_samples: ramp_samples.max(1),
        }
    }

    /// Samples in `ramp_ms` at `sample_rate` Hz (≥ 1).
    pub fn samples_for_ms(ramp_ms: f64, sample_rate: f64) -> u32 {
        (ramp_ms * 1e-3 * sample_rate).round().max(1.0) as u32
    }

    /// Sets the length of future ramps, samples (≥ 1). A running ramp keeps
    /// its length.
    pub fn set_ramp_samples(&mut self, ramp_samples: u32) {
        self.ramp_samples = ramp_samples.max(1);
    }

    /// Starts a ramp from the current value to `target` (must be finite;
    /// others are ignored). Equal to the current target: no-op.
    pub fn set_target(&mut self, target: f64) {
        if !target.is_finite() || target == self.target {
            return;
        }
        self.start = self.value();
        self.target = target;
        self.length = self.ramp_samples;
        self.remaining = self.ramp_samples;
    }

    /// Jumps to the target.
    pub fn settle(&mut self) {
        self.start = self.target;
        self.remaining = 0;
    }

    /// Jumps to `value` and stays there.
    pub fn reset_to(&mut self, value: f64) {
        self.start = value;
        self.target = value;
        self.remaining = 0;
    }

    /// Current value.
    #[inline]
    pub fn value(&self) -> f64 {
        if self.remaining == 0 {
            self.target
        } else {
            self.target
                + (self.start - self.target) * (f64::from(self.remaining) / f64::from(self.length))
        }
    }

    /// Advances `samples` and returns the new value.
    #[inline]
    pub fn advance(&mut self, samples: u32) -> f64 {
        self.remaining = self.remaining.saturating_sub(samples);
        self.value()
    }

    /// Value the ramp ends on.
    pub fn target(&self) -> f64 {
        self.target
    }

    /// True while a ramp is in progress.
    #[inline]
    pub fn is_ramping(&self) -> bool {
        self.remaining > 0
    }
}

/// Crossfade amount 0 (off) ..= 1 (on) for bypassing a unit without a
/// click (STYLE.md §9: bypass is a crossfade).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Fade(LinearRamp);

impl Fade {
    /// Settled fully on (`on`) or off, ramping over `fade_samples`.
    pub fn new(on: bool, fade_samples: u32) -> Self {
        Self(LinearRamp::new(if on { 1.0 } else { 0.0 }, fade_samples))
    }

    /// Sets the fade length, samples.
    pub fn set_fade_samples(&mut self, fade_samples: u32) {
        self.0.set_ramp_samples(fade_samples);
    }

    /// Starts fading towards on or off.
    pub fn set_on(&mut self, on: bool) {
        self.0.set_target(if on { 1.0 } else { 0.0 });
    }

    /// Jumps to the target state.
    pub fn settle(&mut self) {
        self.0.settle();
    }

    /// Jumps to on or off.
    pub fn reset_to(&mut self, on: bool) {
        self.0.reset_to(if on { 1.0 } else { 0.0 });
    }

    /// True if settled fully off (the unit can be skipped).
    #[inline]
    pub fn is_off(&self) -> bool {
        !self.0.is_ramping() && self.0.target() == 0.0
    }

    /// True if settled fully on (no mixing needed).
    #[inline]
    pub fn is_on(&self) -> bool {
        !self.0.is_ramping() && self.0.target() == 1.0
    }

    /// True if heading for off (or there).
    pub fn target_is_off(&self) -> bool {
        self.0.target() == 0.0
    }

    /// Current amount, 0 ..= 1.
    #[inline]
    pub fn amount(&self) -> f64 {
        self.0.value()
    }

    /// Advances one sample and returns the amount for it.
    #[inline]
    pub fn step(&mut self) -> f64 {
        self.0.advance(1)
    }

    /// Fills `out` with the next `out.len()` per-sample amounts.
    pub fn fill(&mut self, out: &mut [f64]) {
        for v in out {
            *v = self.step();
        }
    }
}
