//! Parameter smoothing without zipper noise.
//!
//! [`GainSmoother`] ramps a linear gain (or any positive linear quantity,
//! e.g. a threshold) *logarithmically* — a straight line in dB — over a
//! fixed time, then lands exactly on its target, so a gain that should be
//! 1.0 is exactly 1.0 once the ramp is over (bit-exact pass-through).

/// Default ramp time of the suite's gain smoothers, ms.
pub const DEFAULT_GAIN_RAMP_MS: f64 = 20.0;

/// Log-linear ramp of a positive linear value towards a target.
///
/// Lifecycle: [`GainSmoother::set_ramp_samples`] when the sample rate is
/// known, [`GainSmoother::set_target`] from the control thread / block
/// boundary, [`GainSmoother::tick`] once per sample. Never allocates.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GainSmoother {
    /// Current value (linear, > 0). f64 so the product of many per-sample
    /// ratios drifts by ≪ 1 ulp of f32 before the final snap.
    current: f64,
    /// Value the ramp ends on exactly (linear, > 0).
    target: f32,
    /// Per-sample multiplier while ramping.
    ratio: f64,
    /// Samples left in the ramp (0 = settled on `target`).
    remaining: u32,
    /// Ramp length for a new target, samples (≥ 1).
    ramp_samples: u32,
}

impl GainSmoother {
    /// A settled smoother at `value` (linear, > 0) with a ramp of
    /// `ramp_samples` (≥ 1; 0 is treated as 1).
    pub fn new(value: f32, ramp_samples: u32) -> Self {
        Self {
            current: f64::from(value),
            target: value,
            ratio: 1.0,
            remaining: 0,
            ramp_samples: ramp_samples.max(1),
        }
    }

    /// Ramp length in samples for `ramp_ms` at `sample_rate` Hz.
    pub fn ramp_samples_for(ramp_ms: f64, sample_rate: f64) -> u32 {
        (ramp_ms * 1e-3 * sample_rate).round().max(1.0) as u32
    }

    /// Changes the ramp length used for the *next* target (samples, ≥ 1).
    pub fn set_ramp_samples(&mut self, ramp_samples: u32) {
        self.ramp_samples = ramp_samples.max(1);
    }

    /// Starts a ramp to `target` (linear, > 0; non-finite or ≤ 0 values are
    /// ignored). A target equal to the current one is a no-op.
    pub fn set_target(&mut self, target: f32) {
        if !(target.is_finite() && target > 0.0) || target == self.target {
            return;
        }
        self.target = target;
        self.remaining = self.ramp_samples;
        self.ratio = (f64::from(target) / self.current).powf(1.0 / f64::from(self.ramp_samples));
    }

    /// Jumps to the target now (used by `reset` and before the first block).
    pub fn settle(&mut self) {
        self.current = f64::from(self.target);
        self.remaining = 0;
        self.ratio = 1.0;
    }

    /// Advances one sample and returns the value to use for it.
    #[inline]
    pub fn tick(&mut self) -> f32 {
        if self.remaining == 0 {
            return self.target;
        }
        self.remaining -= 1;
        if self.remaining == 0 {
            self.current = f64::from(self.target);
            self.target
        } else {
            self.current *= self.ratio;
            self.current as f32
        }
    }

    /// The value the next call to [`Self::tick`] moves away from.
    pub fn current(&self) -> f32 {
        self.current as f32
    }

    /// The value the ramp ends on.
    pub fn target(&self) -> f32 {
        self.target
    }

    /// True while a ramp is in progress.
    pub fn is_smoothing(&self) -> bool {
        self.remaining > 0
    }
}

/// dB → linear amplitude, `10^(db/20)`; exactly 1.0 for 0 dB.
#[inline]
pub fn db_to_gain(db: f32) -> f32 {
    if db == 0.0 {
        1.0
    } else {
        10f32.powf(db / 20.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ramps_monotonically_and_lands_exactly() {
        let mut s = GainSmoother::new(1.0, 100);
        s.set_target(0.5);
        let mut prev = 1.0f32;
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
    fn ramp_is_straight_in_db() {
        let mut s = GainSmoother::new(1.0, 10);
        s.set_target(0.01); // −40 dB in 10 steps: −4 dB per step
        for i in 1..10 {
            let db = 20.0 * s.tick().log10();
            assert!((db + 4.0 * i as f32).abs() < 1e-3, "{i}: {db}");
        }
    }
}
