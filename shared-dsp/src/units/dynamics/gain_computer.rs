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
