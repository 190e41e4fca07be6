//! Level arithmetic every unit shares: dB conversions, input sanitising,
//! clamping with a fallback, and small meter helpers. One copy of each.

/// Levels are floored here before conversion to dB (−200 dBFS: far below
/// any threshold or meter scale, and finite).
pub const LEVEL_FLOOR_DB: f64 = -200.0;

/// Amplitudes at or below this convert to [`LEVEL_FLOOR_DB`] (−200 dB).
const LEVEL_FLOOR_AMPLITUDE: f64 = 1e-10;

/// dB → linear amplitude, `10^(db/20)`; exactly 1.0 for 0 dB.
#[inline]
pub fn db_to_gain(db: f32) -> f32 {
    if db == 0.0 {
        1.0
    } else {
        10f32.powf(db / 20.0)
    }
}

/// dB → linear amplitude in f64, `10^(db/20)`; exactly 1.0 for 0 dB.
#[inline]
pub fn db_to_amplitude(db: f64) -> f64 {
    if db == 0.0 {
        1.0
    } else {
        10f64.powf(db / 20.0)
    }
}

/// Linear amplitude → dB, floored at [`LEVEL_FLOOR_DB`] (also for 0, negative
/// and NaN amplitudes).
#[inline]
pub fn amplitude_to_db(amplitude: f64) -> f64 {
    if amplitude > LEVEL_FLOOR_AMPLITUDE {
        20.0 * amplitude.log10()
    } else {
        LEVEL_FLOOR_DB
    }
}

/// Linear peak → dB, `None` for silence (0 or below).
#[inline]
pub fn peak_to_db(peak: f32) -> Option<f64> {
    (peak > 0.0).then(|| 20.0 * f64::from(peak).log10())
}

/// A real number a setting can hold: the two float widths.
pub trait Real: Copy + PartialOrd {
    /// Neither NaN nor ±∞.
    fn finite(self) -> bool;
}

impl Real for f32 {
    #[inline]
    fn finite(self) -> bool {
        self.is_finite()
    }
}

impl Real for f64 {
    #[inline]
    fn finite(self) -> bool {
        self.is_finite()
    }
}

/// `value` clamped to the range `(lo, hi)` (inclusive), or `default` when it is NaN: how every
/// unit takes a setting from a host or a file. ±∞ clamps to the range's end
/// (an infinite ratio is the largest ratio).
#[inline]
pub fn clamp_or<T: Real>(value: T, (lo, hi): (T, T), default: T) -> T {
    #[allow(clippy::eq_op)]
    let is_nan = value != value;
    if is_nan {
        default
    } else if value < lo {
        lo
    } else if value > hi {
        hi
    } else {
        value
    }
}

/// `value`, or `default` when it is not finite.
#[inline]
pub fn finite_or<T: Real>(value: T, default: T) -> T {
    if value.finite() {
        value
    } else {
        default
    }
}

/// Subnormal → +0.0; everything else (including ±0.0) unchanged.
#[inline(always)]
pub fn flush_subnormal(x: f32) -> f32 {
    if x != 0.0 && x.abs() < f32::MIN_POSITIVE {
        0.0
    } else {
        x
    }
}

/// The one input sanitiser: NaN, ±∞ and subnormals → 0.0; finite normal
/// samples and zeros of either sign pass bit-identical.
#[inline(always)]
pub fn sanitize(x: f32) -> f32 {
    if x.is_finite() {
        flush_subnormal(x)
    } else {
        0.0
    }
}

/// [`sanitize`], then clamped to `±max_abs` (absurd input kept bounded).
#[inline(always)]
pub fn sanitize_clamped(x: f32, max_abs: f32) -> f32 {
    sanitize(x).clamp(-max_abs, max_abs)
}

/// [`sanitize`] for the f64 units: NaN, ±∞ and f64 subnormals → 0.0.
#[inline(always)]
pub fn sanitize_f64(x: f64) -> f64 {
    if x.is_finite() && (x == 0.0 || x.abs() >= f64::MIN_POSITIVE) {
        x
    } else {
        0.0
    }
}

/// Sanitises every sample of every f64 channel in place ([`sanitize_f64`]):
/// what every f64 unit does first, so hostile input cannot poison its state.
pub fn sanitize_channels_f64(channels: &mut [&mut [f64]]) {
    for sample in channels.iter_mut().flat_map(|c| c.iter_mut()) {
        *sample = sanitize_f64(*sample);
    }
}

/// Sanitises every sample of every channel in place ([`sanitize`]).
pub fn sanitize_channels(channels: &mut [&mut [f32]]) {
    for sample in channels.iter_mut().flat_map(|c| c.iter_mut()) {
        *sample = sanitize(*sample);
    }
}

/// Largest |sample| over every channel, linear (0.0 for empty input).
/// Non-finite samples are ignored.
pub fn peak_abs<S: AsRef<[f32]>>(channels: &[S]) -> f32 {
    channels
        .iter()
        .flat_map(|c| c.as_ref().iter())
        .filter(|s| s.is_finite())
        .fold(0.0f32, |peak, s| peak.max(s.abs()))
}

/// Frame `i` of `channels` mixed to mono: the mean of the channels
/// (0.0 when there are none).
pub fn mono_sample<S: AsRef<[f32]>>(channels: &[S], i: usize) -> f32 {
    if channels.is_empty() {
        return 0.0;
    }
    let sum: f32 = channels.iter().map(|c| c.as_ref()[i]).sum();
    sum / channels.len() as f32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn peak_and_mono_mix() {
        let l = [0.5f32, -0.75, f32::NAN];
        let r = [0.25f32, 0.25, 0.0];
        assert_eq!(peak_abs(&[&l[..], &r[..]]), 0.75);
        assert_eq!(peak_abs::<&[f32]>(&[]), 0.0);
        assert_eq!(mono_sample(&[&l[..], &r[..]], 0), 0.375);
        assert_eq!(mono_sample(&[&l[..]], 1), -0.75);
    }

    #[test]
    fn db_conversions_are_inverse_and_exact_at_unity() {
        assert_eq!(db_to_gain(0.0), 1.0);
        assert_eq!(db_to_amplitude(0.0), 1.0);
        for db in [-60.0, -6.0, 3.0, 24.0] {
            assert!((amplitude_to_db(db_to_amplitude(db)) - db).abs() < 1e-12);
            assert!((f64::from(db_to_gain(db as f32)) - db_to_amplitude(db)).abs() < 1e-5);
        }
        assert_eq!(amplitude_to_db(0.0), LEVEL_FLOOR_DB);
        assert_eq!(amplitude_to_db(f64::NAN), LEVEL_FLOOR_DB);
        assert_eq!(peak_to_db(0.0), None);
        assert_eq!(peak_to_db(1.0), Some(0.0));
    }

    #[test]
    fn sanitize_keeps_normal_samples_and_signed_zeros() {
        for x in [0.0f32, -0.0, 1.0, -0.25, f32::MIN_POSITIVE, 1e30] {
            assert_eq!(sanitize(x).to_bits(), x.to_bits());
        }
        for x in [f32::NAN, f32::INFINITY, f32::NEG_INFINITY, 1e-40, -1e-42] {
            assert_eq!(sanitize(x), 0.0);
        }
        assert_eq!(sanitize_clamped(1e30, 8.0), 8.0);
        assert_eq!(sanitize_clamped(-1e30, 8.0), -8.0);
    }

    #[test]
    fn clamp_or_clamps_and_falls_back() {
        assert_eq!(clamp_or(5.0f32, (0.0, 1.0), 0.5), 1.0);
        assert_eq!(clamp_or(-5.0f64, (0.0, 1.0), 0.5), 0.0);
        assert_eq!(clamp_or(0.25f32, (0.0, 1.0), 0.5), 0.25);
        assert_eq!(clamp_or(f32::NAN, (0.0, 1.0), 0.5), 0.5);
        assert_eq!(clamp_or(f32::INFINITY, (0.0, 1.0), 0.5), 1.0);
        assert_eq!(clamp_or(f64::NEG_INFINITY, (0.0, 1.0), 0.5), 0.0);
        assert_eq!(finite_or(f64::INFINITY, 2.0), 2.0);
    }
}
