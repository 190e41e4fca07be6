//! Parameter kinds shared by the tables: plain ranges in the processors'
//! units, shown as a host shows them.

use super::ParamKind;

/// A processor's `(min, max)` constant as the table's `f64` range.
pub const fn range(r: (f32, f32)) -> (f64, f64) {
    (r.0 as f64, r.1 as f64)
}

/// A value in `unit`, shown as it is.
pub const fn float(r: (f32, f32), unit: &'static str) -> ParamKind {
    ParamKind::Float {
        range: range(r),
        unit,
        display_scale: 1.0,
    }
}

pub const fn db(r: (f32, f32)) -> ParamKind {
    float(r, "dB")
}

pub const fn dbfs(r: (f32, f32)) -> ParamKind {
    float(r, "dBFS")
}

pub const fn hz(r: (f32, f32)) -> ParamKind {
    float(r, "Hz")
}

pub const fn ms(r: (f32, f32)) -> ParamKind {
    float(r, "ms")
}

/// A fraction (plain 0..=1 or beyond) shown and typed in percent.
pub const fn percent(fraction: (f32, f32)) -> ParamKind {
    ParamKind::Float {
        range: range(fraction),
        unit: "%",
        display_scale: 100.0,
    }
}

/// A pan or balance position, plain −1 (left) ..= +1 (right), typed in
/// percent (−100 = all left, 100 = all right).
pub const PAN: ParamKind = percent((-1.0, 1.0));

/// A dynamics ratio, plain 1 ..= [`super::RATIO_INFINITE_AT`] (the top is ∞:1).
pub const RATIO: ParamKind = float((1.0, super::RATIO_INFINITE_AT), ":1");
