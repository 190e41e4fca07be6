//! Static curves: output level (dB) as a function of the detected level (dB).

/// Downward compressor curve with a quadratic soft knee (Giannoulis,
/// Massberg & Reiss 2012, eq. 4):
///
/// ```text
/// y = x                                   2(x − T) < −W
/// y = x + (1/R − 1)·(x − T + W/2)²/(2W)   2|x − T| ≤ W
/// y = T + (x − T)/R                       2(x − T) > W
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CompressorCurve {
    /// Threshold T, dBFS.
    pub threshold_db: f64,
    /// Ratio R ≥ 1 (`f64::INFINITY` for a limiter curve).
    pub ratio: f64,
    /// Knee width W, dB ≥ 0 (0 = hard knee).
    pub knee_db: f64,
}

impl CompressorCurve {
    /// Output level `y` for input level `x_db`.
    pub fn output_db(&self, x_db: f64) -> f64 {
        let slope = 1.0 / self.ratio - 1.0; // 0 for R = 1, −1 for R = ∞
        let over = x_db - self.threshold_db;
        let w = self.knee_db;
        if 2.0 * over < -w {
            x_db
        } else if 2.0 * over.abs() <= w && w > 0.0 {
            let t = over + 0.5 * w;
            x_db + slope * t * t / (2.0 * w)
        } else {
            x_db + slope * over
        }
    }

    /// Gain `y − x` (dB, ≤ 0) for input level `x_db`.
    pub fn gain_db(&self, x_db: f64) -> f64 {
        (self.output_db(x_db) - x_db).min(0.0)
    }

    /// True if the curve is the identity (ratio 1).
    pub fn is_identity(&self) -> bool {
        self.ratio == 1.0
    }
}

/// [`CompressorCurve`] rearranged for a per-sample gain computer: the gain
/// reduction `−gain_db(x)` (dB ≥ 0), clamped to a range, with no division
/// and no branch. `1/R − 1` and the knee's `1/(2W)` are precomputed, and the
/// knee region is found by clamping `t = x − T + W/2` to `0 ..= W` (0 below
/// the knee, so the quadratic reads 0 there), then selecting the straight
/// line above it. It agrees with [`CompressorCurve::gain_db`] to rounding
/// (multiplying by a reciprocal instead of dividing, and `slope·over`
/// instead of `(x + slope·over) − x`): tests bound the difference by 1e-12 dB.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FastCompressorCurve {
    threshold_db: f64,
    /// `1/R − 1` (0 for R = 1, −1 for R = ∞).
    slope: f64,
    half_knee_db: f64,
    knee_db: f64,
    /// `1/(2W)`, 0 for a hard knee.
    inv_two_knee: f64,
    /// Largest reduction, dB (`f64::INFINITY` for none).
    max_reduction_db: f64,
}

impl FastCompressorCurve {
    /// From a curve and the range (largest reduction, dB ≥ 0 or ∞).
    pub fn new(curve: &CompressorCurve, max_reduction_db: f64) -> Self {
        let knee = curve.knee_db.max(0.0);
        Self {
            threshold_db: curve.threshold_db,
            slope: 1.0 / curve.ratio - 1.0,
            half_knee_db: 0.5 * knee,
            knee_db: knee,
            inv_two_knee: if knee > 0.0 { 1.0 / (2.0 * knee) } else { 0.0 },
            max_reduction_db,
        }
    }

    /// Gain reduction (dB, 0 ..= range) at input level `x_db`.
    #[inline(always)]
    pub fn reduction_db(&self, x_db: f64) -> f64 {
        let over = x_db - self.threshold_db;
        let t = (over + self.half_knee_db).max(0.0).min(self.knee_db);
        let soft = self.slope * t * t * self.inv_two_knee;
        let gain = if over > self.half_knee_db {
            self.slope * over
        } else {
            soft
        };
        (-gain).max(0.0).min(self.max_reduction_db)
    }
}

/// Downward expander / gate curve: below the threshold the level falls
/// `ratio` times faster than the input (`gain = (x − T)·(R − 1)`), never by
/// more than `range_db`:
///
/// ```text
/// gain = 0                              x ≥ T
/// gain = max(−range, (x − T)·(R − 1))   x < T   (R = ∞: −range)
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ExpanderCurve {
    /// Threshold T, dBFS.
    pub threshold_db: f64,
    /// Expansion ratio R ≥ 1 (`f64::INFINITY` = gate).
    pub ratio: f64,
    /// Largest attenuation, dB ≥ 0.
    pub range_db: f64,
}

impl ExpanderCurve {
    /// Gain (dB, `−range ..= 0`) for input level `x_db`.
    pub fn gain_db(&self, x_db: f64) -> f64 {
        if x_db >= self.threshold_db || self.ratio == 1.0 || self.range_db <= 0.0 {
            0.0
        } else if self.ratio.is_infinite() {
            -self.range_db
        } else {
            ((x_db - self.threshold_db) * (self.ratio - 1.0)).max(-self.range_db)
        }
    }

    /// True if the curve never attenuates.
    pub fn is_identity(&self) -> bool {
        self.ratio == 1.0 || self.range_db <= 0.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fast_compressor_curve_matches_the_reference_curve() {
        // Every knee region, hard and soft knees, R = 1 .. ∞, with a range.
        let mut worst = 0.0f64;
        for &threshold_db in &[-60.0, -24.0, -18.3, 0.0] {
            for &ratio in &[1.0, 1.5, 2.0, 4.0, 10.0, 100.0, f64::INFINITY] {
                for &knee_db in &[0.0, 0.5, 6.0, 24.0] {
                    for &range in &[f64::INFINITY, 12.0, 0.0] {
                        let curve = CompressorCurve {
                            threshold_db,
                            ratio,
                            knee_db,
                        };
                        let fast = FastCompressorCurve::new(&curve, range);
                        for i in 0..=4000 {
                            let x = -200.0 + 230.0 * f64::from(i) / 4000.0;
                            let exact = (-curve.gain_db(x)).min(range);
                            let got = fast.reduction_db(x);
                            assert!(got >= 0.0 && got <= range, "{got}");
                            worst = worst.max((got - exact).abs());
                        }
                        // Exactly at the knee's edges.
                        for x in [
                            threshold_db - 0.5 * knee_db,
                            threshold_db,
                            threshold_db + 0.5 * knee_db,
                        ] {
                            worst = worst
                                .max((fast.reduction_db(x) - (-curve.gain_db(x)).min(range)).abs());
                        }
                    }
                }
            }
        }
        assert!(worst < 1e-12, "{worst:e}");
        // And the bound is not vacuous: a different ratio is far off.
        let a = FastCompressorCurve::new(
            &CompressorCurve {
                threshold_db: -20.0,
                ratio: 4.0,
                knee_db: 6.0,
            },
            f64::INFINITY,
        );
        let curve = CompressorCurve {
            threshold_db: -20.0,
            ratio: 4.1,
            knee_db: 6.0,
        };
        assert!((a.reduction_db(0.0) + curve.gain_db(0.0)).abs() > 0.1);
    }
}
