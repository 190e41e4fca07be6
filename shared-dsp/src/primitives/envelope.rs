//! Level detectors and ballistics: the suite's one one-pole smoother
//! ([`one_pole_coef`], [`one_pole_step`]) and the envelopes built on it —
//! [`BranchingSmoother`] (attack/release), [`MeanSquare`] (RMS),
//! [`PeakHold`] (peak with hold). The limiter's gain envelope uses the same
//! step and coefficient.
//!
//! # Time-constant definition
//! Every `*_ms` time constant here is that of a one-pole smoother
//! `y[n] = α·y[n−1] + (1 − α)·x[n]`, `α = exp(−1/(τ·fs))`: after a step,
//! the output has covered `1 − 1/e` (63.2 %) of the step after τ
//! (Giannoulis, Massberg & Reiss, "Digital Dynamic Range Compressor
//! Design — A Tutorial and Analysis", JAES 60(6), 2012, eq. 7).

/// Values whose magnitude falls below this are set to exactly 0, so a
/// decaying envelope never reaches subnormal numbers (1e-12 dB of gain
/// reduction, or 1e-12 of full scale squared: far below audibility).
pub const ENVELOPE_FLUSH_THRESHOLD: f64 = 1e-12;

/// Smoothing coefficient α for time constant `time_ms` at `sample_rate`
/// (0 for `time_ms` ≤ 0: no smoothing).
pub fn one_pole_coef(time_ms: f64, sample_rate: f64) -> f64 {
    if time_ms > 0.0 {
        (-1.0 / (time_ms * 1e-3 * sample_rate)).exp()
    } else {
        0.0
    }
}

/// One step of the one-pole smoother `y ← x + α·(y − x)` towards `x` with
/// coefficient `α` (0 = jump to `x`, → 1 = barely move), in f32 or f64.
#[inline(always)]
pub fn one_pole_step<T>(y: T, x: T, coef: T) -> T
where
    T: Copy + std::ops::Add<Output = T> + std::ops::Sub<Output = T> + std::ops::Mul<Output = T>,
{
    x + coef * (y - x)
}

/// Attack/release coefficient pair for a [`BranchingSmoother`].
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Ballistics {
    /// α used while the input is above the output (rising).
    pub attack_coef: f64,
    /// α used while the input is at or below the output (falling).
    pub release_coef: f64,
}

impl Ballistics {
    /// From time constants in ms (see the module docs).
    pub fn new(attack_ms: f64, release_ms: f64, sample_rate: f64) -> Self {
        Self {
            attack_coef: one_pole_coef(attack_ms, sample_rate),
            release_coef: one_pole_coef(release_ms, sample_rate),
        }
    }
}

/// "Smooth branching" one-pole (Giannoulis et al. 2012, eq. 17): attack
/// coefficient while rising, release coefficient while falling. Used on the
/// gain-reduction signal in dB (the paper's recommended log-domain,
/// post-gain-computer topology), so attack and release act exactly as set
/// on the gain.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct BranchingSmoother {
    value: f64,
}

impl BranchingSmoother {
    /// Advances one sample towards `target`.
    #[inline]
    pub fn process(&mut self, target: f64, ballistics: &Ballistics) -> f64 {
        self.value = branching_step(self.value, target, ballistics);
        self.value
    }

    /// Current output.
    pub fn value(&self) -> f64 {
        self.value
    }

    /// Sets the output.
    pub fn set_value(&mut self, value: f64) {
        self.value = value;
    }
}

/// One step of [`BranchingSmoother`] on a bare value: the output after
/// `value` moves towards `target` (attack coefficient while rising), with
/// the flush to exactly 0 below [`ENVELOPE_FLUSH_THRESHOLD`]. Written as two
/// selects, so a block loop over it compiles without branches.
#[inline(always)]
pub fn branching_step(value: f64, target: f64, ballistics: &Ballistics) -> f64 {
    let coef = if target > value {
        ballistics.attack_coef
    } else {
        ballistics.release_coef
    };
    let next = one_pole_step(value, target, coef);
    if next.abs() < ENVELOPE_FLUSH_THRESHOLD {
        0.0
    } else {
        next
    }
}

/// One step of [`MeanSquare`] on a bare value: the mean square after `x`
/// (same arithmetic and flush as [`MeanSquare::process`]).
#[inline(always)]
pub fn mean_square_step(value: f64, x: f64, coef: f64) -> f64 {
    let next = one_pole_step(value, x * x, coef);
    if next < ENVELOPE_FLUSH_THRESHOLD * ENVELOPE_FLUSH_THRESHOLD {
        0.0
    } else {
        next
    }
}

/// Mean-square detector: one-pole average of `x²` (RMS level = √output).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct MeanSquare {
    value: f64,
}

impl MeanSquare {
    /// Advances one sample; returns the mean square.
    #[inline]
    pub fn process(&mut self, x: f64, coef: f64) -> f64 {
        self.value = mean_square_step(self.value, x, coef);
        self.value
    }

    /// Clears.
    pub fn reset(&mut self) {
        self.value = 0.0;
    }

    /// Sets the mean square (for block loops that step a local copy).
    pub fn set_value(&mut self, value: f64) {
        self.value = value;
    }

    /// Current mean square.
    pub fn value(&self) -> f64 {
        self.value
    }
}

/// Peak detector with instant attack, a hold, then one-pole release: for a
/// steady periodic signal whose period is shorter than the hold it reads
/// the (sampled) peak exactly, without ripple.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct PeakHold {
    value: f64,
    hold_left: u32,
}

impl PeakHold {
    /// Advances one sample with `amplitude` = |x|; `hold_samples` after the
    /// last new peak, decays with coefficient `release_coef`.
    #[inline]
    pub fn process(&mut self, amplitude: f64, hold_samples: u32, release_coef: f64) -> f64 {
        if amplitude >= self.value {
            self.value = amplitude;
            self.hold_left = hold_samples;
        } else if self.hold_left > 0 {
            self.hold_left -= 1;
        } else {
            self.value = one_pole_step(self.value, amplitude, release_coef);
            if self.value < ENVELOPE_FLUSH_THRESHOLD {
                self.value = 0.0;
            }
        }
        self.value
    }

    /// Current output (linear amplitude).
    pub fn value(&self) -> f64 {
        self.value
    }

    /// Samples of hold left.
    pub fn hold_left(&self) -> u32 {
        self.hold_left
    }

    /// Clears.
    pub fn reset(&mut self) {
        *self = Self::default();
    }
}
