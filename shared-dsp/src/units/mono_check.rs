//! Mono compatibility of a stereo signal: how much quieter its mono
//! fold-down is, measured with the suite's BS.1770 meter, and the
//! correlation of its channels since the last reset. The Stereo Imager shows
//! it live; `lathe measure` reports it for files.
//!
//! **Fold-down**: `(L + R)/2` on both channels of a stereo loudness meter —
//! what a mono device summing the channels passively at −6 dB each plays
//! (identical channels fold to themselves). The loss is
//! `L_stereo − L_fold` in LU: 0 for identical channels, 3.01 LU for
//! independent channels of equal power (the fold has half their power),
//! total (`+∞`) for inverted channels, whose fold is silent.

// The fold-down is metered on one channel of weight 2: the fold plays on
// both channels, and two identical channels of weight 1 are one of weight 2
// (BS.1770-4: `z = Σ G_i·z_i`), for half the filtering.
use crate::units::loudness::stereo_fold::FOLD_CHANNEL_WEIGHT;
use crate::units::loudness::{LoudnessMeter, LoudnessReadings};

/// Frames folded per meter call (stack scratch size).
const CHUNK: usize = 64;

/// Mono fold-down loss, LU: stereo loudness minus fold-down loudness.
/// `+∞` when the fold-down is silent but the stereo signal is not (inverted
/// channels); `None` while undefined.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct MonoLoss {
    /// From the integrated loudness of both, LU.
    pub integrated_lu: Option<f64>,
    /// From the short-term loudness of both, LU.
    pub short_term_lu: Option<f64>,
}

impl MonoLoss {
    /// The loss from the `(integrated, short-term)` loudness, LUFS, of a
    /// stereo signal and of its fold-down measured over the same time.
    pub fn from_lufs(stereo: (Option<f64>, Option<f64>), fold: (Option<f64>, Option<f64>)) -> Self {
        let loss = |stereo: Option<f64>, fold: Option<f64>| match (stereo, fold) {
            (Some(s), Some(f)) => Some(s - f),
            (Some(_), None) => Some(f64::INFINITY),
            _ => None,
        };
        Self {
            integrated_lu: loss(stereo.0, fold.0),
            short_term_lu: loss(stereo.1, fold.1),
        }
    }
}

/// Correlation from the sums `[Σ L², Σ R², Σ L·R]`, −1 ..= +1 (`None` while
/// either channel is silent).
pub fn correlation_of_sums(sums: &[f64; 3]) -> Option<f64> {
    let norm = (sums[0] * sums[1]).sqrt();
    (norm > 0.0).then(|| (sums[2] / norm).clamp(-1.0, 1.0))
}

/// A loudness meter for the fold-down: one channel of weight
/// [`FOLD_CHANNEL_WEIGHT`].
fn fold_down_meter(sample_rate: f64) -> LoudnessMeter {
    let mut meter = LoudnessMeter::loudness_only(sample_rate, 1);
    meter.set_channel_weights(&[FOLD_CHANNEL_WEIGHT]);
    meter
}

/// Fold-down meter and channel sums of a stereo signal.
#[derive(Debug, Clone)]
pub struct MonoCheck {
    fold_meter: LoudnessMeter,
    /// Σ L², Σ R², Σ L·R since reset.
    sums: [f64; 3],
}

impl MonoCheck {
    /// A cleared check at `sample_rate` Hz. Allocates.
    ///
    /// # Panics
    /// As [`LoudnessMeter::new`].
    pub fn new(sample_rate: f64) -> Self {
        Self {
            fold_meter: fold_down_meter(sample_rate),
            sums: [0.0; 3],
        }
    }

    /// Re-derives everything rate-dependent and resets. May allocate.
    pub fn set_sample_rate(&mut self, sample_rate: f64) {
        self.fold_meter.set_sample_rate(sample_rate);
        self.fold_meter.set_channel_weights(&[FOLD_CHANNEL_WEIGHT]);
        self.sums = [0.0; 3];
    }

    /// Clears the measurement. Never allocates.
    pub fn reset(&mut self) {
        self.fold_meter.reset();
        self.sums = [0.0; 3];
    }

    /// Measures one block of finite stereo audio (same lengths). Never
    /// allocates.
    pub fn process(&mut self, left: &[f32], right: &[f32]) {
        let mut folded = [0.0f32; CHUNK];
        for (l, r) in left.chunks(CHUNK).zip(right.chunks(CHUNK)) {
            let n = l.len().min(r.len());
            for i in 0..n {
                let (a, b) = (f64::from(l[i]), f64::from(r[i]));
                self.sums[0] += a * a;
                self.sums[1] += b * b;
                self.sums[2] += a * b;
                // In f64: (L + R) of huge finite input must not overflow.
                folded[i] = (0.5 * (a + b)) as f32;
            }
            self.fold_meter.process(&[&folded[..n]]);
        }
    }

    /// Correlation of the channels since reset, −1 ..= +1 (`None` while
    /// either channel is silent).
    pub fn correlation(&self) -> Option<f64> {
        correlation_of_sums(&self.sums)
    }

    /// The fold-down's loudness readings.
    pub fn fold_readings(&self) -> LoudnessReadings {
        self.fold_meter.readings()
    }

    /// The fold-down loss against `stereo`, the readings of a meter that
    /// measured the same stereo signal over the same time.
    pub fn loss(&self, stereo: &LoudnessReadings) -> MonoLoss {
        let fold = self.fold_meter.readings();
        MonoLoss::from_lufs(
            (stereo.integrated_lufs, stereo.short_term_lufs),
            (fold.integrated_lufs, fold.short_term_lufs),
        )
    }
}
