//! Parameter smoothing without zipper noise: one smoother for the suite,
//! with two laws (STYLE.md §9, "smooth per quantity").
//!
//! - [`Law::Linear`]: a straight line from the current value to the target
//!   over a fixed number of samples. The value is computed from the number
//!   of samples still to go, not accumulated, so advancing by `n` at once
//!   gives *exactly* the value of `n` single steps: output does not depend
//!   on the host's block size. Choose the domain by what is smoothed: the
//!   EQ ramps `log2(Hz)` and dB (logarithmic in frequency and gain), mix,
//!   width and crossfades ramp linearly.
//! - [`Law::Multiplicative`]: a positive linear value (a gain, a threshold)
//!   multiplied by a constant ratio each sample — a straight line in dB —
//!   accumulated in f64 so the product of many ratios drifts by ≪ 1 ulp of
//!   f32 before the final snap.
//!
//! Both land *exactly* on their target when the ramp ends, so a gain that
//! should be 1.0 is exactly 1.0 afterwards (bit-exact pass-through).
//!
//! [`Fade`] is a 0 ..= 1 crossfade amount on the linear law (bypass and
//! section on/off switches, STYLE.md §9: "bypass is a crossfade").

/// How a [`Smoother`] moves from its current value to its target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Law {
    /// Equal steps in the value's own domain (dB, `log2(Hz)`, mix, …).
    Linear,
    /// Equal ratios of a positive linear value (equal steps in dB).
    /// Targets ≤ 0 or non-finite are ignored.
    Multiplicative,
}

/// Ramps a control value to a target over a fixed time and lands exactly
/// on it. Lifecycle: [`Smoother::set_ramp_samples`] when the sample rate is
/// known, [`Smoother::set_target`] at control rate, [`Smoother::tick`] per
/// sample (or [`Smoother::advance`] per chunk). Never allocates.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Smoother {
    law: Law,
    /// Linear law: the value the current ramp started from.
    start: f64,
    /// Multiplicative law: the current value (linear, > 0).
    current: f64,
    /// Value the ramp ends on exactly.
    target: f64,
    /// Multiplicative law: per-sample ratio while ramping.
    ratio: f64,
    /// Samples left in the ramp (0 = settled on `target`).
    remaining: u32,
    /// Length of the current ramp, samples (≥ 1).
    length: u32,
    /// Length used for the next target, samples (≥ 1).
    ramp_samples: u32,
}

impl Smoother {
    /// A settled smoother on `law` at `value`, whose future ramps last
    /// `ramp_samples` (0 is treated as 1).
    pub fn new(law: Law, value: f64, ramp_samples: u32) -> Self {
        Self {
            law,
            start: value,
            current: value,
            target: value,
            ratio: 1.0,
            remaining: 0,
            length: 1,
            ramp_samples: ramp_samples.max(1),
        }
    }

    /// A settled linear smoother (see [`Law::Linear`]).
    pub fn linear(value: f64, ramp_samples: u32) -> Self {
        Self::new(Law::Linear, value, ramp_samples)
    }

    /// A settled multiplicative smoother at `value` (linear, > 0; see
    /// [`Law::Multiplicative`]).
    pub fn multiplicative(value: f64, ramp_samples: u32) -> Self {
        Self::new(Law::Multiplicative, value, ramp_samples)
    }

    /// Samples in `ramp_ms` at `sample_rate` Hz, rounded (≥ 1).
    pub fn samples_for_ms(ramp_ms: f64, sample_rate: f64) -> u32 {
        (ramp_ms * 1e-3 * sample_rate).round().max(1.0) as u32
    }

    /// Sets the length of future ramps, samples (≥ 1). A running ramp keeps
    /// its length.
    pub fn set_ramp_samples(&mut self, ramp_samples: u32) {
        self.ramp_samples = ramp_samples.max(1);
    }

    /// Starts a ramp from the current value to `target`. Non-finite targets
    /// (and, on the multiplicative law, targets ≤ 0) are ignored; a target
    /// equal to the current target is a no-op.
    pub fn set_target(&mut self, target: f64) {
        let valid = match self.law {
            Law::Linear => target.is_finite(),
            Law::Multiplicative => target.is_finite() && target > 0.0,
        };
        if !valid || target == self.target {
            return;
        }
        match self.law {
            Law::Linear => self.start = self.value(),
            Law::Multiplicative => {
                self.ratio = (target / self.current).powf(1.0 / f64::from(self.ramp_samples));
            }
        }
        self.target = target;
        self.length = self.ramp_samples;
        self.remaining = self.ramp_samples;
    }

    /// Jumps to the target (used by `reset` and before the first block).
    pub fn settle(&mut self) {
        self.start = self.target;
        self.current = self.target;
        self.ratio = 1.0;
        self.remaining = 0;
    }

    /// Jumps to `value` and stays there.
    pub fn reset_to(&mut self, value: f64) {
        self.target = value;
        self.settle();
    }

    /// Current value: what the last [`Self::tick`] returned.
    #[inline]
    pub fn value(&self) -> f64 {
        if self.remaining == 0 {
            return self.target;
        }
        match self.law {
            Law::Linear => {
                self.target
                    + (self.start - self.target)
                        * (f64::from(self.remaining) / f64::from(self.length))
            }
            Law::Multiplicative => self.current,
        }
    }

    /// Advances one sample and returns the value to use for it.
    #[inline]
    pub fn tick(&mut self) -> f64 {
        self.advance(1)
    }

    /// Advances `samples` and returns the new value; exactly the value of
    /// `samples` calls to [`Self::tick`].
    #[inline]
    pub fn advance(&mut self, samples: u32) -> f64 {
        if self.remaining == 0 {
            return self.target;
        }
        match self.law {
            Law::Linear => self.remaining = self.remaining.saturating_sub(samples),
            Law::Multiplicative => {
                for _ in 0..samples.min(self.remaining) {
                    self.remaining -= 1;
                    if self.remaining == 0 {
                        self.current = self.target;
                    } else {
                        self.current *= self.ratio;
                    }
                }
            }
        }
        self.value()
    }

    /// Value the ramp ends on.
    pub fn target(&self) -> f64 {
        self.target
    }

    /// True while a ramp is in progress.
    #[inline]
    pub fn is_smoothing(&self) -> bool {
        self.remaining > 0
    }
}

/// Crossfade amount 0 (off) ..= 1 (on), for switching a unit or a listen
/// path without a click (STYLE.md §9: bypass is a crossfade).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Fade(Smoother);

impl Fade {
    /// Settled fully on (`on`) or off, fading over `fade_samples`.
    pub fn new(on: bool, fade_samples: u32) -> Self {
        Self(Smoother::linear(if on { 1.0 } else { 0.0 }, fade_samples))
    }

    /// Sets the fade length, samples.
    pub fn set_fade_samples(&mut self, fade_samples: u32) {
        self.0.set_ramp_samples(fade_samples);
    }

    /// Starts fading towards on or off (from wherever the fade is now).
    pub fn set_on(&mut self, on: bool) {
        self.0.set_target(if on { 1.0 } else { 0.0 });
    }

    /// Restarts a full fade from on to off, or off to on, whatever the fade
    /// was doing (a crossfade from a path that just stopped being heard).
    pub fn restart(&mut self, on: bool) {
        self.0.reset_to(if on { 0.0 } else { 1.0 });
        self.set_on(on);
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
        !self.0.is_smoothing() && self.0.target() == 0.0
    }

    /// True if settled fully on (no mixing needed).
    #[inline]
    pub fn is_on(&self) -> bool {
        !self.0.is_smoothing() && self.0.target() == 1.0
    }

    /// True while fading.
    #[inline]
    pub fn is_fading(&self) -> bool {
        self.0.is_smoothing()
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
        self.0.tick()
    }

    /// Fills `out` with the next `out.len()` per-sample amounts.
    pub fn fill(&mut self, out: &mut [f64]) {
        for v in out {
            *v = self.step();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn multiplicative_ramps_monotonically_and_lands_exactly() {
        let mut s = Smoother::multiplicative(1.0, 100);
        s.set_target(0.5);
        let mut prev = 1.0f64;
        for i in 0..100 {
            let v = s.tick();
            assert!(v <= prev && v >= 0.5, "{i}: {v}");
            prev = v;
        }
        assert_eq!(s.tick(), 0.5);
        assert!(!s.is_smoothing());
        s.set_target(1.0);
        for _ in 0..100 {
            s.tick();
        }
        assert_eq!(s.tick(), 1.0);
    }

    #[test]
    fn multiplicative_ramp_is_straight_in_db_and_ignores_non_positive_targets() {
        let mut s = Smoother::multiplicative(1.0, 10);
        s.set_target(0.01); // −40 dB in 10 steps: −4 dB per step
        for i in 1..10 {
            let db = 20.0 * s.tick().log10();
            assert!((db + 4.0 * f64::from(i)).abs() < 1e-9, "{i}: {db}");
        }
        s.set_target(0.0);
        s.set_target(-1.0);
        s.set_target(f64::NAN);
        assert_eq!(s.target(), 0.01);
    }

    #[test]
    fn linear_ramp_is_straight_and_lands_exactly() {
        let mut s = Smoother::linear(0.0, 4);
        s.set_target(1.0);
        let steps: Vec<f64> = (0..5).map(|_| s.tick()).collect();
        assert_eq!(steps, [0.25, 0.5, 0.75, 1.0, 1.0]);
        s.set_target(f64::INFINITY);
        assert_eq!(s.target(), 1.0);
    }

    #[test]
    fn advancing_by_n_equals_n_ticks_on_both_laws() {
        for law in [Law::Linear, Law::Multiplicative] {
            let mut a = Smoother::new(law, 0.5, 37);
            let mut b = a;
            a.set_target(2.0);
            b.set_target(2.0);
            for chunk in [1u32, 7, 3, 11, 64] {
                for _ in 0..chunk {
                    a.tick();
                }
                assert_eq!(a.value(), b.advance(chunk), "{law:?}");
            }
        }
    }

    #[test]
    fn fade_restart_runs_a_full_crossfade() {
        let mut f = Fade::new(false, 4);
        f.restart(false);
        let amounts: Vec<f64> = (0..4).map(|_| f.step()).collect();
        assert_eq!(amounts, [0.75, 0.5, 0.25, 0.0]);
        assert!(f.is_off());
    }
}
