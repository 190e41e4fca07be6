//! The Maximizer's learn rule: the input gain that puts the limited
//! output on a loudness target. The plugin's Learn/Apply is one pass of it
//! ([`learned_gain_db`]); `lathe master` iterates it ([`GainSearch`]).
//!
//! Output loudness rises monotonically with input gain, but with a slope
//! below 1 LU/dB once the limiter works (the louder, the flatter). The
//! first guess assumes a slope of 1 (`target − input loudness`); later ones
//! use the secant through the last two passes, with the slope kept in a
//! sane band so one noisy pass cannot send the gain flying.

use crate::processors::maximizer;

/// Loudness targets Learn and `lathe master` accept, LUFS (the plugin's
/// Learn Target parameter range: frozen, hosts' automation depends on it).
pub const LEARN_TARGET_RANGE_LUFS: (f32, f32) = (-30.0, -6.0);
/// Lowest input gain of the Maximizer, dB.
pub const MIN_INPUT_GAIN_DB: f64 = maximizer::INPUT_GAIN_RANGE_DB.0 as f64;
/// Highest input gain of the Maximizer, dB.
pub const MAX_INPUT_GAIN_DB: f64 = maximizer::INPUT_GAIN_RANGE_DB.1 as f64;
/// Smallest slope the secant may use, LU/dB (a hard-limited output still
/// gains some loudness per dB: it gets denser).
const MIN_SLOPE: f64 = 0.1;
/// Largest slope the secant may use, LU/dB (gain cannot raise loudness by
/// more than itself).
const MAX_SLOPE: f64 = 1.0;
/// Gains closer than this are the same pass, dB.
const SAME_GAIN_DB: f64 = 1e-6;

/// The state of the search: the passes made so far.
#[derive(Debug, Clone)]
pub struct GainSearch {
    target_lufs: f64,
    input_lufs: f64,
    /// `(gain_db, output_lufs)` of the last two passes, oldest first
    /// (`passes` of them are valid).
    last: [(f64, f64); 2],
    passes: usize,
}

impl GainSearch {
    /// A search for `target_lufs` on an input measuring `input_lufs`.
    pub fn new(target_lufs: f64, input_lufs: f64) -> Self {
        Self {
            target_lufs,
            input_lufs,
            last: [(0.0, 0.0); 2],
            passes: 0,
        }
    }

    /// The gain to try next, dB, within the Maximizer's range.
    pub fn next_gain_db(&self) -> f64 {
        let gain_db = match self.last[..self.passes] {
            [] => self.target_lufs - self.input_lufs,
            [(gain_db, lufs)] => gain_db + (self.target_lufs - lufs),
            [(gain_a, lufs_a), (gain_b, lufs_b)] => {
                let slope = if (gain_b - gain_a).abs() > SAME_GAIN_DB {
                    (lufs_b - lufs_a) / (gain_b - gain_a)
                } else {
                    MAX_SLOPE
                };
                let slope = if slope.is_finite() {
                    slope.clamp(MIN_SLOPE, MAX_SLOPE)
                } else {
                    MAX_SLOPE
                };
                gain_b + (self.target_lufs - lufs_b) / slope
            }
            _ => unreachable!("at most two passes are kept"),
        };
        gain_db.clamp(MIN_INPUT_GAIN_DB, MAX_INPUT_GAIN_DB)
    }

    /// Records that `gain_db` gave an output of `output_lufs`.
    pub fn record(&mut self, gain_db: f64, output_lufs: f64) {
        if self.passes == 2 {
            self.last[0] = self.last[1];
            self.passes = 1;
        }
        self.last[self.passes] = (gain_db, output_lufs);
        self.passes += 1;
    }

    /// Whether another pass would repeat the last one (the gain is pinned
    /// at the end of its range): the target is out of reach.
    pub fn is_stuck(&self) -> bool {
        self.last[..self.passes]
            .last()
            .is_some_and(|&(gain_db, _)| (self.next_gain_db() - gain_db).abs() <= SAME_GAIN_DB)
    }
}

/// One Learn pass: the input gain, dB, that moves an output measured at
/// `output_lufs` with input gain `current_gain_db` onto `target_lufs`
/// (assuming 1 LU per dB; within the Maximizer's input gain range). The
/// first step of [`GainSearch`].
pub fn learned_gain_db(current_gain_db: f64, output_lufs: f64, target_lufs: f64) -> f64 {
    let mut search = GainSearch::new(target_lufs, output_lufs - current_gain_db);
    search.record(current_gain_db, output_lufs);
    search.next_gain_db()
}

/// The processor ceiling for the next pass, dBTP: `current` lowered by the
/// amount the last output's measured true peak `measured_dbtp` exceeded
/// `limit_dbtp` (plus [`CEILING_STEP_EXTRA_DB`] so the next pass lands
/// under it), or `current` when it did not. Never below the processor's
/// lowest ceiling.
pub fn corrected_ceiling_dbtp(current: f64, measured_dbtp: Option<f64>, limit_dbtp: f64) -> f64 {
    match measured_dbtp {
        Some(peak) if peak > limit_dbtp => {
            (current - (peak - limit_dbtp) - CEILING_STEP_EXTRA_DB).max(MIN_CEILING_DBTP)
        }
        _ => current,
    }
}

/// Extra lowering of the processor ceiling after an over, dB: the over
/// does not shrink exactly dB for dB.
const CEILING_STEP_EXTRA_DB: f64 = 0.01;
/// Lowest ceiling of the Maximizer, dBTP.
const MIN_CEILING_DBTP: f64 = maximizer::CEILING_RANGE_DBTP.0 as f64;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ceiling_moves_down_by_the_over_only() {
        assert_eq!(corrected_ceiling_dbtp(-1.1, Some(-1.2), -1.1), -1.1);
        assert_eq!(corrected_ceiling_dbtp(-1.1, None, -1.1), -1.1);
        let lowered = corrected_ceiling_dbtp(-1.1, Some(-1.05), -1.1);
        assert!((lowered - (-1.1 - 0.05 - CEILING_STEP_EXTRA_DB)).abs() < 1e-12);
        assert_eq!(
            corrected_ceiling_dbtp(-2.95, Some(-2.5), -3.0),
            MIN_CEILING_DBTP
        );
    }

    /// A limiter-like loudness curve: 1 LU/dB below `knee_db`, then
    /// `upper_slope` LU/dB.
    fn output_lufs(input_lufs: f64, gain_db: f64, knee_db: f64, upper_slope: f64) -> f64 {
        if gain_db <= knee_db {
            input_lufs + gain_db
        } else {
            input_lufs + knee_db + (gain_db - knee_db) * upper_slope
        }
    }

    #[test]
    fn converges_on_a_limited_curve_within_five_passes() {
        for (input, target, knee, slope) in [
            (-30.0, -14.0, 8.0, 0.5),
            (-20.0, -9.0, 3.0, 0.5),
            (-18.0, -10.0, 2.0, 0.35),
            (-10.0, -14.0, 10.0, 0.5),
            (-25.0, -14.0, 20.0, 0.5),
        ] {
            let mut search = GainSearch::new(target, input);
            let mut passes = 0;
            let error = loop {
                let gain = search.next_gain_db();
                let lufs = output_lufs(input, gain, knee, slope);
                search.record(gain, lufs);
                passes += 1;
                if (target - lufs).abs() <= 0.05 || passes == 5 {
                    break target - lufs;
                }
            };
            assert!(
                error.abs() <= 0.05,
                "{input} → {target}: error {error} after {passes}"
            );
        }
    }

    #[test]
    fn one_learn_pass_moves_the_gain_by_the_loudness_error_within_range() {
        assert!((learned_gain_db(2.0, -17.5, -14.0) - 5.5).abs() < 1e-12);
        assert!((learned_gain_db(0.0, -9.0, -14.0) + 5.0).abs() < 1e-12);
        assert_eq!(learned_gain_db(20.0, -40.0, -6.0), MAX_INPUT_GAIN_DB);
        assert_eq!(learned_gain_db(0.0, -2.0, -30.0), MIN_INPUT_GAIN_DB);
    }

    #[test]
    fn an_unreachable_target_pins_the_gain_and_stops() {
        let mut search = GainSearch::new(-5.0, -60.0);
        let gain = search.next_gain_db();
        assert_eq!(gain, MAX_INPUT_GAIN_DB);
        search.record(gain, -36.0);
        assert!(search.is_stuck());
    }
}
