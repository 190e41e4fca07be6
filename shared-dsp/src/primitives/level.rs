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

/// `20·log10(2)`: dB per octave of amplitude (dB = this · log2(amplitude)).
const DB_PER_LOG2: f64 = 6.020_599_913_279_624;
/// Largest magnitude [`fast_exp2`] takes; beyond it the result would leave
/// the normal f64 range (2^±1020).
const FAST_EXP2_LIMIT: f64 = 1020.0;
/// `1.5·2^52`: adding and subtracting it rounds an f64 of magnitude below
/// 2^51 to the nearest integer (ties to even) without a library call.
const ROUND_MAGIC: f64 = 6_755_399_441_055_744.0;

/// Bits of 2^52: an f64 whose mantissa holds a small integer `e` exactly
/// (`2^52 + e`), see [`fast_log2`].
const EXPONENT_MAGIC_BITS: u64 = 0x4330_0000_0000_0000;
/// `2^52 + 1023`: [`EXPONENT_MAGIC_BITS`] with the exponent bias.
const EXPONENT_MAGIC_BIASED: f64 = 4_503_599_627_371_519.0;

/// `log2(x)` for finite `x > 0` (normal f64), without a library call:
/// exponent from the bits, and for the mantissa `m ∈ [√½, √2)` the series
/// `log2 m = (2/ln 2)·(t + t³/3 + t⁵/5 + t⁷/7 + t⁹/9)`, `t = (m − 1)/(m + 1)`,
/// `|t| ≤ 0.1716` (Abramowitz & Stegun 4.1.27), truncated after `t⁹`: the
/// first omitted term is below 1.1e-9, so the absolute error is below 2e-9
/// (`tests` check < 5e-9 over 1e-10 ..= 1e10). Continuous in `x`
/// (the series is exact in the limit at both ends of the mantissa range).
/// Zero, negative, subnormal and non-finite inputs give meaningless values:
/// callers floor first.
#[inline(always)]
pub fn fast_log2(x: f64) -> f64 {
    const MANTISSA_MASK: u64 = (1 << 52) - 1;
    const EXPONENT_ONE: u64 = 1023 << 52;
    let bits = x.to_bits();
    let m = f64::from_bits((bits & MANTISSA_MASK) | EXPONENT_ONE);
    // Mantissa into [√½, √2): selects, not a branch (a block loop over
    // levels then has no data-dependent jump).
    let high = m > core::f64::consts::SQRT_2;
    // The unbiased exponent as an f64 straight from the bits: the biased
    // exponent `e` (< 2^11) in the mantissa of 2^52 reads `2^52 + e`, and
    // subtracting `2^52 + 1023` leaves `e − 1023` exactly. The same value
    // as converting the integer, without the i64 → f64 conversion SSE2
    // lacks, so block loops over levels vectorise. `m·1` is `m` exactly.
    let biased = f64::from_bits(EXPONENT_MAGIC_BITS | ((bits >> 52) & 0x7ff));
    let exponent = (biased - EXPONENT_MAGIC_BIASED) + if high { 1.0 } else { 0.0 };
    let m = m * if high { 0.5 } else { 1.0 };
    let t = (m - 1.0) / (m + 1.0);
    let t2 = t * t;
    let c = 2.0 * core::f64::consts::LOG2_E;
    let series = t * c * (1.0 + t2 * (1.0 / 3.0 + t2 * (1.0 / 5.0 + t2 * (1.0 / 7.0 + t2 / 9.0))));
    exponent + series
}

/// `2^x` without a library call, `x` clamped to ±1020 (NaN gives NaN or a
/// meaningless value: callers pass finite values): `x = n + f`,
/// `n` the nearest integer, `|f| ≤ ½`, `2^f = e^{f·ln 2}` by its Taylor
/// series to degree 9 (remainder below 2e-12 relative), `2^n` from the bits.
/// Relative error below 1e-11 (`tests` check < 5e-11 over ±100);
/// continuous within ≈ 1e-11 at the half-integers where `n` steps.
#[inline(always)]
pub fn fast_exp2(x: f64) -> f64 {
    let x = x.clamp(-FAST_EXP2_LIMIT, FAST_EXP2_LIMIT);
    let rounded = x + ROUND_MAGIC;
    let n = rounded - ROUND_MAGIC;
    let y = (x - n) * core::f64::consts::LN_2;
    // e^y, Horner form of Σ yᵏ/k!, k ≤ 9.
    let p = 1.0
        + y * (1.0
            + y * (1.0 / 2.0
                + y * (1.0 / 6.0
                    + y * (1.0 / 24.0
                        + y * (1.0 / 120.0
                            + y * (1.0 / 720.0
                                + y * (1.0 / 5040.0 + y * (1.0 / 40_320.0 + y / 362_880.0))))))));
    // 2^n from the bits of `rounded` = 1.5·2^52 + n, whose low mantissa
    // bits hold n in two's complement: (n + 1023) mod 2^12 shifted into the
    // exponent field is the biased exponent (3 ..= 2043, sign bit clear), as
    // converting n to an integer gives, without the f64 → i64 conversion
    // SSE2 lacks, so block loops of it vectorise.
    let scale = f64::from_bits(rounded.to_bits().wrapping_add(1023) << 52);
    p * scale
}

/// [`amplitude_to_db`] on [`fast_log2`]: the same floor, absolute error
/// below 1.2e-8 dB. For per-sample gain computers.
#[inline(always)]
pub fn fast_amplitude_to_db(amplitude: f64) -> f64 {
    // Both sides, then a blend on the bits: `if above { db } else { floor }`
    // exactly, but written so the compiler neither branches nor skips the
    // logarithm, and block loops of it vectorise.
    let db = DB_PER_LOG2 * fast_log2(amplitude);
    let above = u64::from(amplitude > LEVEL_FLOOR_AMPLITUDE).wrapping_neg();
    f64::from_bits((db.to_bits() & above) | (LEVEL_FLOOR_DB.to_bits() & !above))
}

/// `1/(20·log10 2)`: octaves of amplitude per dB.
pub const LOG2_PER_DB: f64 = 1.0 / DB_PER_LOG2;

/// [`db_to_amplitude`] on [`fast_exp2`]: exactly 1.0 for 0 dB, relative
/// error below 1e-11 for |db| ≤ 600. For per-sample gain computers.
#[inline(always)]
pub fn fast_db_to_amplitude(db: f64) -> f64 {
    if db == 0.0 {
        1.0
    } else {
        fast_exp2(db / DB_PER_LOG2)
    }
}

/// Which dB conversions a per-sample gain computer uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LevelMath {
    /// [`fast_amplitude_to_db`] / [`fast_db_to_amplitude`] (the default).
    #[default]
    Fast,
    /// The library `log10` / `powf` ([`amplitude_to_db`] / [`db_to_amplitude`]):
    /// the reference the fast path is tested against.
    Reference,
}

impl LevelMath {
    /// Amplitude → dB (floored at [`LEVEL_FLOOR_DB`]).
    #[inline(always)]
    pub fn to_db(self, amplitude: f64) -> f64 {
        match self {
            Self::Fast => fast_amplitude_to_db(amplitude),
            Self::Reference => amplitude_to_db(amplitude),
        }
    }

    /// dB → amplitude (exactly 1 at 0 dB).
    #[inline(always)]
    pub fn to_amplitude(self, db: f64) -> f64 {
        match self {
            Self::Fast => fast_db_to_amplitude(db),
            Self::Reference => db_to_amplitude(db),
        }
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

/// [`sanitize`] written as one select on comparisons (NaN fails them all),
/// so a loop over a block vectorises: NaN, ±∞ and subnormals → +0.0, all
/// else (zeros of either sign included) unchanged; bit-identical to
/// [`sanitize`] (tested). Scalar code keeps [`sanitize`], whose branches are
/// cheaper there.
#[inline(always)]
pub fn sanitize_select(x: f32) -> f32 {
    let magnitude = x.abs();
    let normal = (f32::MIN_POSITIVE..f32::INFINITY).contains(&magnitude);
    if normal || magnitude == 0.0 {
        x
    } else {
        0.0
    }
}

/// [`sanitize`] over a block, in place, as [`sanitize_select`] (vectorised).
pub fn sanitize_block(samples: &mut [f32]) {
    for x in samples {
        *x = sanitize_select(*x);
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
    // Branch-free on the bits, so a loop of it vectorises: keep x when its
    // exponent field is neither all zeros (zero or subnormal) nor all ones
    // (±∞, NaN), or when x is ±0 (kept with its sign); otherwise +0.0.
    const EXPONENT: u64 = 0x7ff0_0000_0000_0000;
    let bits = x.to_bits();
    let exponent = bits & EXPONENT;
    let normal = exponent != 0 && exponent != EXPONENT;
    let zero = bits << 1 == 0;
    let keep = u64::from(normal | zero).wrapping_neg();
    f64::from_bits(bits & keep)
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

/// Every class of input a sanitiser must get right, for the tests that
/// hold each variant of [`sanitize`] to it bit for bit: zeros of both signs,
/// the edges of the normal range, subnormals, ±∞, NaN of both signs, and
/// ordinary samples.
#[cfg(test)]
pub(crate) const SANITIZER_EDGE_CASES: [f32; 16] = [
    0.0,
    -0.0,
    f32::MIN_POSITIVE,
    -f32::MIN_POSITIVE,
    f32::MIN_POSITIVE / 2.0,
    -f32::from_bits(1),
    f32::MAX,
    f32::MIN,
    f32::INFINITY,
    f32::NEG_INFINITY,
    f32::NAN,
    -f32::NAN,
    1.0,
    -1.0,
    -0.3,
    0.5,
];

#[cfg(test)]
mod tests {
    #[test]
    fn select_sanitiser_equals_sanitize_bit_for_bit() {
        let sweep = (0..=u32::MAX).step_by(7_919).map(f32::from_bits);
        for x in SANITIZER_EDGE_CASES.into_iter().chain(sweep) {
            assert_eq!(
                sanitize_select(x).to_bits(),
                sanitize(x).to_bits(),
                "{:#x}",
                x.to_bits()
            );
        }
    }

    #[test]
    fn sanitize_block_equals_sanitize_bit_for_bit() {
        let mut block: Vec<f32> = SANITIZER_EDGE_CASES
            .into_iter()
            .chain([f32::from_bits(3)])
            .chain((0..=u32::MAX).step_by(104_729).map(f32::from_bits))
            .collect();
        let expected: Vec<u32> = block.iter().map(|&x| sanitize(x).to_bits()).collect();
        sanitize_block(&mut block);
        let got: Vec<u32> = block.iter().map(|x| x.to_bits()).collect();
        assert_eq!(got, expected);
    }

    use super::*;

    /// Exponent and 2^n read from the bits give what converting through an
    /// integer gives (the formulation before branch glue-speed), bit for
    /// bit, over every exponent and both mantissa halves.
    #[test]
    fn bit_tricks_equal_the_integer_conversions() {
        let integer_exponent = |x: f64| {
            let bits = x.to_bits();
            let m = f64::from_bits((bits & ((1 << 52) - 1)) | (1023 << 52));
            let high = m > core::f64::consts::SQRT_2;
            (((bits >> 52) & 0x7ff) as i64 - 1023 + i64::from(high)) as f64
        };
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        for _ in 0..200_000 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            // Any normal positive f64, and exponents for fast_exp2 over ±1100.
            let x = f64::from_bits((seed >> 1) % (0x7fe0_0000_0000_0000) + (1 << 52));
            let bits = x.to_bits();
            let m = f64::from_bits((bits & ((1 << 52) - 1)) | (1023 << 52));
            let high = m > core::f64::consts::SQRT_2;
            let biased = f64::from_bits(EXPONENT_MAGIC_BITS | ((bits >> 52) & 0x7ff));
            let exponent = (biased - EXPONENT_MAGIC_BIASED) + if high { 1.0 } else { 0.0 };
            assert_eq!(exponent.to_bits(), integer_exponent(x).to_bits(), "{x:e}");
            let e = ((seed >> 11) as f64 / (1u64 << 53) as f64 - 0.5) * 2200.0;
            let e = e.clamp(-FAST_EXP2_LIMIT, FAST_EXP2_LIMIT);
            let rounded = e + ROUND_MAGIC;
            let n = rounded - ROUND_MAGIC;
            assert_eq!(
                rounded.to_bits().wrapping_add(1023) << 52,
                ((n as i64 + 1023) as u64) << 52,
                "{e}"
            );
        }
    }

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
    fn fast_log2_and_exp2_stay_within_their_stated_errors() {
        // log2: absolute error < 5e-9 over 1e-10 ..= 1e10 (dense log sweep,
        // and both sides of every power of two and of √2 steps).
        let mut worst_log = 0.0f64;
        for i in 0..=400_000 {
            let x = 10f64.powf(-10.0 + 20.0 * f64::from(i) / 400_000.0);
            worst_log = worst_log.max((fast_log2(x) - x.log2()).abs());
        }
        for e in -30..30 {
            for x in [2f64.powi(e), 2f64.powi(e) * core::f64::consts::SQRT_2] {
                for y in [x, x * (1.0 + 1e-15), x * (1.0 - 1e-15)] {
                    worst_log = worst_log.max((fast_log2(y) - y.log2()).abs());
                }
            }
        }
        assert!(worst_log < 5e-9, "log2 error {worst_log:e}");
        // exp2: relative error < 5e-11 over ±100, half-integers included.
        let mut worst_exp = 0.0f64;
        for i in -400_000..=400_000 {
            let x = 100.0 * f64::from(i) / 400_000.0;
            let exact = x.exp2();
            worst_exp = worst_exp.max(((fast_exp2(x) - exact) / exact).abs());
        }
        for k in -200..200 {
            let x = f64::from(k) + 0.5;
            let exact = x.exp2();
            worst_exp = worst_exp.max(((fast_exp2(x) - exact) / exact).abs());
        }
        assert!(worst_exp < 5e-11, "exp2 error {worst_exp:e}");
        // dB wrappers: exact at unity, same floor, tiny error in dB.
        assert_eq!(fast_db_to_amplitude(0.0), 1.0);
        assert_eq!(fast_amplitude_to_db(0.0), LEVEL_FLOOR_DB);
        assert_eq!(fast_amplitude_to_db(f64::NAN), LEVEL_FLOOR_DB);
        for db in [-199.0, -60.0, -18.3, -0.01, 0.7, 24.0, 100.0] {
            let a = db_to_amplitude(db);
            assert!((fast_amplitude_to_db(a) - db).abs() < 3e-8, "{db}");
            assert!((fast_db_to_amplitude(db) / a - 1.0).abs() < 5e-11, "{db}");
        }
    }

    #[test]
    fn sanitize_keeps_normal_samples_and_signed_zeros() {
        for x in [0.0f32, -0.0, 1.0, -0.25, f32::MIN_POSITIVE, 1e30] {
            assert_eq!(sanitize(x).to_bits(), x.to_bits());
        }
        for x in [f32::NAN, f32::INFINITY, f32::NEG_INFINITY, 1e-40, -1e-42] {
            assert_eq!(sanitize(x), 0.0);
        }
        for x in [
            0.0f64,
            -0.0,
            1.0,
            -0.25,
            f64::MIN_POSITIVE,
            -f64::MAX,
            1e300,
        ] {
            assert_eq!(sanitize_f64(x).to_bits(), x.to_bits());
        }
        for x in [
            f64::NAN,
            -f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
            1e-310,
            -5e-324,
        ] {
            assert_eq!(sanitize_f64(x).to_bits(), 0.0f64.to_bits());
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
