//! The Linkwitz-Riley crossover of [`crate::units::crossover`] on a pair of
//! channels at once (the Stereo Imager's mid and side): the same tree, the
//! same [`SplitCoefs`], every filter a [`PairState`], so each band of each
//! channel is bit for bit what [`Crossover::split`] gives (tested below),
//! at about the cost of one channel.
//!
//! [`Crossover`]: crate::units::crossover::Crossover
//! [`Crossover::split`]: crate::units::crossover::Crossover::split

use crate::primitives::biquad::STATE_FLUSH_THRESHOLD;
use crate::units::crossover::{CrossoverSlope, SplitCoefs, MAX_BANDS, MAX_SPLITS};
use crate::units::pair::{vex_available, Pair, PairCoefs, PairState};

/// Most second-order sections of one Butterworth stage (Linkwitz-Riley
/// 48 dB/octave: order 4).
const MAX_STAGE_SECTIONS: usize = 2;

/// One split's coefficients as pairs: the Butterworth sections of the low-
/// and high-pass (each stage applied twice) and the all-pass sections.
#[derive(Debug, Clone, Copy, Default)]
struct PairSplit {
    low: [PairCoefs; MAX_STAGE_SECTIONS],
    high: [PairCoefs; MAX_STAGE_SECTIONS],
    allpass: [PairCoefs; MAX_STAGE_SECTIONS],
    /// Sections per stage (`low`, `high`) in use.
    sections: usize,
    /// All-pass sections in use.
    allpass_sections: usize,
}

impl PairSplit {
    fn new(coefs: &SplitCoefs) -> Self {
        let mut split = Self {
            sections: coefs.low.num_sections.min(MAX_STAGE_SECTIONS),
            allpass_sections: coefs.allpass_sections.min(MAX_STAGE_SECTIONS),
            ..Self::default()
        };
        for k in 0..split.sections {
            split.low[k] = PairCoefs::splat(&coefs.low.sections[k]);
            split.high[k] = PairCoefs::splat(&coefs.high.sections[k]);
        }
        for k in 0..split.allpass_sections {
            split.allpass[k] = PairCoefs::splat(&coefs.allpass[k]);
        }
        split
    }
}

/// A cascade of `sections` of `coefs` on `x`.
#[inline(always)]
fn cascade(coefs: &[PairCoefs], states: &mut [PairState], sections: usize, x: Pair) -> Pair {
    let mut y = x;
    for (c, s) in coefs.iter().zip(states.iter_mut()).take(sections) {
        y = s.process(c, y);
    }
    y
}

/// Most sections one branch of a block pass runs: the low-pass stage twice
/// plus the all-passes of every later split (Linkwitz-Riley 48 dB/octave:
/// 2·2 + 2·2).
const MAX_PASS_SECTIONS: usize = 2 * MAX_STAGE_SECTIONS + (MAX_SPLITS - 1) * MAX_STAGE_SECTIONS;

/// A block pass's coefficients, low branch then high branch.
type PassCoefRefs<'a> = (
    &'a [PairCoefs; MAX_PASS_SECTIONS],
    &'a [PairCoefs; MAX_PASS_SECTIONS],
);
/// A block pass's memories, low branch then high branch.
type PassStateRefs<'a> = (
    &'a mut [PairState; MAX_PASS_SECTIONS],
    &'a mut [PairState; MAX_PASS_SECTIONS],
);

/// One split over a block: `src` through the `L` sections of the low
/// branch (the low-pass stage twice, then the later splits' all-passes:
/// the band's phase compensation) into `low`, and through the `H`
/// sections of the high branch into `high`, every section of a sample
/// before the next sample and every memory in a local, so the core
/// overlaps the `L + H` recursions. `FLUSH = false` runs without the
/// per-sample tail flush and returns `false` (memories left untouched) if a
/// flush could have happened, see [`PairState::process_unflushed`].
#[inline(always)]
fn split_pass<const L: usize, const H: usize, const FLUSH: bool>(
    coefs: PassCoefRefs<'_>,
    states: PassStateRefs<'_>,
    src: &[Pair],
    low: &mut [Pair],
    high: &mut [Pair],
) -> bool {
    let low_coefs: [PairCoefs; L] = core::array::from_fn(|k| coefs.0[k]);
    let high_coefs: [PairCoefs; H] = core::array::from_fn(|k| coefs.1[k]);
    let mut low_states: [PairState; L] = core::array::from_fn(|k| states.0[k]);
    let mut high_states: [PairState; H] = core::array::from_fn(|k| states.1[k]);
    // One floor per section: a shared one would chain every section's
    // minimum into one serial dependency.
    let mut low_floor = [Pair::splat(f64::INFINITY); L];
    let mut high_floor = [Pair::splat(f64::INFINITY); H];
    for ((&x, lo), hi) in src.iter().zip(low.iter_mut()).zip(high.iter_mut()) {
        let (mut a, mut b) = (x, x);
        for k in 0..L {
            a = if FLUSH {
                low_states[k].process(&low_coefs[k], a)
            } else {
                low_states[k].process_unflushed(&low_coefs[k], a, &mut low_floor[k])
            };
        }
        for k in 0..H {
            b = if FLUSH {
                high_states[k].process(&high_coefs[k], b)
            } else {
                high_states[k].process_unflushed(&high_coefs[k], b, &mut high_floor[k])
            };
        }
        *lo = a;
        *hi = b;
    }
    let tail = |floor: &Pair| floor.any_below(STATE_FLUSH_THRESHOLD);
    if !FLUSH && (low_floor.iter().any(tail) || high_floor.iter().any(tail)) {
        return false;
    }
    states.0[..L].copy_from_slice(&low_states);
    states.1[..H].copy_from_slice(&high_states);
    true
}

/// `$pass::<L, H>` for the (low, high) section counts a crossover's block
/// passes have, as constants: `Some` of its result, `None` for any other
/// shape. Linkwitz-Riley 24 dB/octave: 2 low-pass sections plus 0 ..= 2
/// all-passes, 2 high-pass sections; 48 dB/octave: 4 low-pass sections
/// plus 0, 2 or 4 all-passes, 4 high-pass sections.
macro_rules! by_pass_shape {
    ($sections:expr, |$l:ident, $h:ident| $pass:expr) => {
        match $sections {
            (2, 2) => by_pass_shape!(@run 2, 2, $l, $h, $pass),
            (3, 2) => by_pass_shape!(@run 3, 2, $l, $h, $pass),
            (4, 2) => by_pass_shape!(@run 4, 2, $l, $h, $pass),
            (4, 4) => by_pass_shape!(@run 4, 4, $l, $h, $pass),
            (6, 4) => by_pass_shape!(@run 6, 4, $l, $h, $pass),
            (8, 4) => by_pass_shape!(@run 8, 4, $l, $h, $pass),
            _ => None,
        }
    };
    (@run $lv:literal, $hv:literal, $l:ident, $h:ident, $pass:expr) => {{
        const $l: usize = $lv;
        const $h: usize = $hv;
        Some($pass)
    }};
}

/// [`split_pass`] with `L` and `H` known at compile time for the shapes a
/// crossover has; `None` for any other shape.
#[inline(always)]
fn split_pass_dispatch<const FLUSH: bool>(
    sections: (usize, usize),
    coefs: PassCoefRefs<'_>,
    states: PassStateRefs<'_>,
    src: &[Pair],
    low: &mut [Pair],
    high: &mut [Pair],
) -> Option<bool> {
    by_pass_shape!(sections, |L, H| split_pass::<L, H, FLUSH>(
        coefs, states, src, low, high
    ))
}

/// [`split_pass`] without the tail flush (`FLUSH = false`) in 256-bit AVX
/// registers: section `k < H` of the low branch and section `k` of the
/// high branch share one register (lanes: low left, low right, high left,
/// high right; both branches start from the same sample), so the `H`
/// section pairs cost about what `H` sections cost; the low branch's
/// remaining `L − H` sections (the later splits' all-passes, and the
/// 24 dB/octave shapes' extra stage) run as pairs. Per lane the same IEEE
/// operations in the same order as [`PairState::process_unflushed`] (no
/// FMA), so the same bits (tested against the baseline path). Returns
/// `false`, memories untouched, when a flush could have happened (the
/// caller then runs the exact pass).
///
/// # Safety
/// The CPU must have AVX.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx")]
unsafe fn split_pass_quad<const L: usize, const H: usize>(
    coefs: PassCoefRefs<'_>,
    states: PassStateRefs<'_>,
    src: &[Pair],
    low: &mut [Pair],
    high: &mut [Pair],
) -> bool {
    use core::arch::x86_64::{
        __m256d, _mm256_add_pd, _mm256_and_pd, _mm256_castpd256_pd128, _mm256_castsi256_pd,
        _mm256_cmp_pd, _mm256_extractf128_pd, _mm256_min_pd, _mm256_movemask_pd, _mm256_mul_pd,
        _mm256_set1_epi64x, _mm256_set1_pd, _mm256_set_m128d, _mm256_sub_pd, _CMP_LT_OQ,
    };
    const { assert!(H <= L) };
    let join = |lo: Pair, hi: Pair| -> __m256d { _mm256_set_m128d(hi.raw(), lo.raw()) };
    let lower = |v: __m256d| Pair::from_raw(_mm256_castpd256_pd128(v));
    let upper = |v: __m256d| Pair::from_raw(_mm256_extractf128_pd::<1>(v));
    let coef: [[__m256d; 5]; H] = core::array::from_fn(|k| {
        let (l, h) = (coefs.0[k].parts(), coefs.1[k].parts());
        core::array::from_fn(|j| join(l[j], h[j]))
    });
    let mut s1: [__m256d; H] =
        core::array::from_fn(|k| join(states.0[k].cells().0, states.1[k].cells().0));
    let mut s2: [__m256d; H] =
        core::array::from_fn(|k| join(states.0[k].cells().1, states.1[k].cells().1));
    let sign_off = _mm256_castsi256_pd(_mm256_set1_epi64x(i64::MAX));
    let mut floor = [_mm256_set1_pd(f64::INFINITY); H];
    let rest_coefs: [PairCoefs; L] = core::array::from_fn(|k| coefs.0[k]);
    let mut rest_states: [PairState; L] = core::array::from_fn(|k| states.0[k]);
    let mut rest_floor = [Pair::splat(f64::INFINITY); L];
    for ((&x, lo), hi) in src.iter().zip(low.iter_mut()).zip(high.iter_mut()) {
        let mut q = join(x, x);
        for k in 0..H {
            let [b0, b1, b2, a1, a2] = coef[k];
            let y = _mm256_add_pd(_mm256_mul_pd(b0, q), s1[k]);
            s1[k] = _mm256_add_pd(
                _mm256_sub_pd(_mm256_mul_pd(b1, q), _mm256_mul_pd(a1, y)),
                s2[k],
            );
            s2[k] = _mm256_sub_pd(_mm256_mul_pd(b2, q), _mm256_mul_pd(a2, y));
            floor[k] = _mm256_min_pd(_mm256_and_pd(s2[k], sign_off), floor[k]);
            q = y;
        }
        let mut a = lower(q);
        for k in H..L {
            a = rest_states[k].process_unflushed(&rest_coefs[k], a, &mut rest_floor[k]);
        }
        *lo = a;
        *hi = upper(q);
    }
    let threshold = _mm256_set1_pd(STATE_FLUSH_THRESHOLD);
    let quad_tail = floor
        .iter()
        .any(|&f| _mm256_movemask_pd(_mm256_cmp_pd::<_CMP_LT_OQ>(f, threshold)) != 0);
    let pair_tail = rest_floor[H..]
        .iter()
        .any(|f| f.any_below(STATE_FLUSH_THRESHOLD));
    if quad_tail || pair_tail {
        return false;
    }
    for k in 0..H {
        states.0[k] = PairState::from_cells(lower(s1[k]), lower(s2[k]));
        states.1[k] = PairState::from_cells(upper(s1[k]), upper(s2[k]));
    }
    states.0[H..L].copy_from_slice(&rest_states[H..]);
    true
}

/// [`split_pass_quad`] for the shapes [`split_pass_dispatch`] knows.
///
/// # Safety
/// The CPU must have AVX.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx")]
unsafe fn split_pass_quad_dispatch(
    sections: (usize, usize),
    coefs: PassCoefRefs<'_>,
    states: PassStateRefs<'_>,
    src: &[Pair],
    low: &mut [Pair],
    high: &mut [Pair],
) -> Option<bool> {
    // SAFETY: the caller guarantees AVX.
    by_pass_shape!(sections, |L, H| unsafe {
        split_pass_quad::<L, H>(coefs, states, src, low, high)
    })
}

/// A split's fast block pass (no tail flush): [`split_pass_quad`] with
/// `QUAD`, else [`split_pass`]; `None` for a shape neither knows.
#[inline(always)]
fn fast_pass<const QUAD: bool>(
    sections: (usize, usize),
    coefs: PassCoefRefs<'_>,
    states: PassStateRefs<'_>,
    src: &[Pair],
    low: &mut [Pair],
    high: &mut [Pair],
) -> Option<bool> {
    #[cfg(target_arch = "x86_64")]
    if QUAD {
        // SAFETY: `QUAD` is set only by `split_block_vex`, whose caller
        // checked for AVX.
        return unsafe { split_pass_quad_dispatch(sections, coefs, states, src, low, high) };
    }
    split_pass_dispatch::<false>(sections, coefs, states, src, low, high)
}

/// One split's block pass coefficients ([`split_pass`]): the low branch
/// (the low-pass stage twice, then the later splits' all-passes) and the
/// high branch (the high-pass stage twice), and how many sections of each
/// are in use. Derived from the splits in use whenever they change.
#[derive(Debug, Clone, Copy, Default)]
struct PassCoefs {
    low: [PairCoefs; MAX_PASS_SECTIONS],
    high: [PairCoefs; MAX_PASS_SECTIONS],
    low_len: usize,
    high_len: usize,
}

/// Memories of one split: each Butterworth stage twice.
#[derive(Debug, Clone, Copy, Default)]
struct SplitMemory {
    low: [[PairState; MAX_STAGE_SECTIONS]; 2],
    high: [[PairState; MAX_STAGE_SECTIONS]; 2],
}

/// A Linkwitz-Riley crossover into 1 ..= [`MAX_BANDS`] bands of a pair of
/// channels. Never allocates.
#[derive(Debug, Clone)]
pub struct PairCrossover {
    sample_rate: f64,
    slope: CrossoverSlope,
    num_bands: usize,
    frequencies_hz: [f64; MAX_SPLITS],
    splits: [PairSplit; MAX_SPLITS],
    memory: [SplitMemory; MAX_SPLITS],
    /// Band `b`'s all-passes of the later splits `b+1 ..`.
    compensation: [[[PairState; MAX_STAGE_SECTIONS]; MAX_SPLITS]; MAX_BANDS],
    /// Each split's block pass coefficients (see [`Self::split_block`]).
    pass: [PassCoefs; MAX_SPLITS],
}

impl PairCrossover {
    /// As [`crate::units::crossover::Crossover::new`].
    pub fn new(
        sample_rate: f64,
        slope: CrossoverSlope,
        num_bands: usize,
        frequencies_hz: [f64; MAX_SPLITS],
    ) -> Self {
        let mut crossover = Self {
            sample_rate,
            slope,
            num_bands: num_bands.clamp(1, MAX_BANDS),
            frequencies_hz,
            splits: [PairSplit::default(); MAX_SPLITS],
            memory: [SplitMemory::default(); MAX_SPLITS],
            compensation: Default::default(),
            pass: [PassCoefs::default(); MAX_SPLITS],
        };
        crossover.update_coefs();
        crossover
    }

    /// Changes the sample rate (Hz): redesigns and clears. Never allocates.
    pub fn set_sample_rate(&mut self, sample_rate: f64) {
        self.sample_rate = sample_rate;
        self.update_coefs();
        self.reset();
    }

    /// Clears every filter memory. Never allocates.
    pub fn reset(&mut self) {
        self.memory = [SplitMemory::default(); MAX_SPLITS];
        self.compensation = Default::default();
    }

    /// Number of bands.
    /// True if every filter memory is +0.0: silence in then gives +0.0
    /// bands out and leaves the memories so.
    pub fn is_clear(&self) -> bool {
        self.memory
            .iter()
            .flat_map(|m| m.low.iter().chain(m.high.iter()).flatten())
            .chain(self.compensation.iter().flatten().flatten())
            .all(PairState::is_clear)
    }

    pub fn num_bands(&self) -> usize {
        self.num_bands
    }

    /// As [`crate::units::crossover::Crossover::set_bands`]: a change of
    /// band count clears the memories, a change of frequency keeps them.
    pub fn set_bands(&mut self, num_bands: usize, frequencies_hz: [f64; MAX_SPLITS]) {
        let num_bands = num_bands.clamp(1, MAX_BANDS);
        if num_bands != self.num_bands {
            self.num_bands = num_bands;
            self.reset();
            self.update_pass();
        }
        if frequencies_hz != self.frequencies_hz {
            self.frequencies_hz = frequencies_hz;
            self.update_coefs();
        }
    }

    fn update_coefs(&mut self) {
        let mut sorted = self.frequencies_hz;
        let used = self.num_bands - 1;
        sorted[..used].sort_by(|a, b| a.total_cmp(b));
        for (split, &f) in self.splits.iter_mut().zip(&sorted) {
            *split = PairSplit::new(&SplitCoefs::new(self.slope, f, self.sample_rate));
        }
        self.update_pass();
    }

    /// Lays out each split's block pass coefficients ([`PassCoefs`]) for
    /// the splits in use.
    fn update_pass(&mut self) {
        let splits = self.num_bands - 1;
        for s in 0..splits {
            let coefs = &self.splits[s];
            let mut pass = PassCoefs::default();
            let mut l = 0;
            for _stage in 0..2 {
                for k in 0..coefs.sections {
                    pass.low[l] = coefs.low[k];
                    pass.high[l] = coefs.high[k];
                    l += 1;
                }
            }
            pass.high_len = l;
            for later in s + 1..splits {
                let ap = &self.splits[later];
                for k in 0..ap.allpass_sections {
                    pass.low[l] = ap.allpass[k];
                    l += 1;
                }
            }
            pass.low_len = l;
            self.pass[s] = pass;
        }
    }

    /// Splits one sample of each channel into `bands[..num_bands]`, lowest
    /// first.
    #[inline]
    pub fn split(&mut self, x: Pair, bands: &mut [Pair; MAX_BANDS]) {
        // Every split of a slope has the same section counts: with them
        // known at compile time the cascades unroll and their coefficients
        // and memories sit at fixed offsets (the same arithmetic in the same
        // order as the general loop below, so the same bits).
        let splits = self.num_bands - 1;
        let uniform = |n: usize| {
            self.splits[..splits]
                .iter()
                .all(|s| s.sections == n && s.allpass_sections == n)
        };
        if uniform(1) {
            self.split_fixed::<1>(x, bands);
        } else if uniform(2) {
            self.split_fixed::<2>(x, bands);
        } else {
            self.split_general(x, bands);
        }
    }

    /// [`Self::split`] when every split has `N` sections per stage and `N`
    /// all-pass sections.
    // `s` indexes the splits, the memories and the bands alike.
    #[allow(clippy::needless_range_loop)]
    #[inline(always)]
    fn split_fixed<const N: usize>(&mut self, x: Pair, bands: &mut [Pair; MAX_BANDS]) {
        #[inline(always)]
        fn run<const N: usize>(
            coefs: &[PairCoefs; MAX_STAGE_SECTIONS],
            states: &mut [PairState; MAX_STAGE_SECTIONS],
            x: Pair,
        ) -> Pair {
            let mut y = x;
            for k in 0..N {
                y = states[k].process(&coefs[k], y);
            }
            y
        }
        let splits = self.num_bands - 1;
        let mut rest = x;
        for s in 0..splits {
            let coefs = &self.splits[s];
            let memory = &mut self.memory[s];
            let [low_a, low_b] = &mut memory.low;
            let low = run::<N>(&coefs.low, low_b, run::<N>(&coefs.low, low_a, rest));
            let [high_a, high_b] = &mut memory.high;
            rest = run::<N>(&coefs.high, high_b, run::<N>(&coefs.high, high_a, rest));
            let mut band = low;
            for later in s + 1..splits {
                band = run::<N>(
                    &self.splits[later].allpass,
                    &mut self.compensation[s][later],
                    band,
                );
            }
            bands[s] = band;
        }
        bands[splits] = rest;
    }

    /// [`Self::split`] for any section counts.
    fn split_general(&mut self, x: Pair, bands: &mut [Pair; MAX_BANDS]) {
        let splits = self.num_bands - 1;
        let mut rest = x;
        for s in 0..splits {
            let coefs = &self.splits[s];
            let n = coefs.sections;
            let memory = &mut self.memory[s];
            let [low_a, low_b] = &mut memory.low;
            let low = cascade(&coefs.low, low_b, n, cascade(&coefs.low, low_a, n, rest));
            let [high_a, high_b] = &mut memory.high;
            rest = cascade(
                &coefs.high,
                high_b,
                n,
                cascade(&coefs.high, high_a, n, rest),
            );
            // Phase compensation: the all-passes of the later splits.
            let mut band = low;
            for later in s + 1..splits {
                let ap = &self.splits[later];
                band = cascade(
                    &ap.allpass,
                    &mut self.compensation[s][later],
                    ap.allpass_sections,
                    band,
                );
            }
            bands[s] = band;
        }
        bands[splits] = rest;
    }

    /// [`Self::split`] on every sample of `input` (up to `N`):
    /// `bands[b][..input.len()]` get band `b` (`b < num_bands`), bit for bit
    /// what `input.len()` calls of [`Self::split`] give (tested below). Each
    /// split runs as one pass over the block with its memories in
    /// registers, the band leaving it through its phase compensation in the
    /// same pass; a pass runs without the per-sample tail flush unless one
    /// could have happened in it (then it runs again with it), see
    /// [`PairState::process_unflushed`]. Never allocates.
    /// Runs VEX-encoded where the CPU has AVX ([`vex_available`]; the same
    /// bits, tested).
    pub fn split_block<const N: usize>(
        &mut self,
        input: &[Pair],
        bands: &mut [[Pair; N]; MAX_BANDS],
    ) {
        #[cfg(target_arch = "x86_64")]
        if vex_available() {
            // SAFETY: AVX is present (checked at run time).
            unsafe { self.split_block_vex(input, bands) };
            return;
        }
        self.split_block_impl::<N, false>(input, bands);
    }

    /// [`Self::split_block_impl`] compiled with AVX enabled.
    ///
    /// # Safety
    /// The CPU must have AVX.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx")]
    unsafe fn split_block_vex<const N: usize>(
        &mut self,
        input: &[Pair],
        bands: &mut [[Pair; N]; MAX_BANDS],
    ) {
        self.split_block_impl::<N, true>(input, bands);
    }

    /// The body of [`Self::split_block`]; with `QUAD` (only from
    /// [`Self::split_block_vex`], AVX present) the fast passes run as
    /// [`split_pass_quad`].
    // `s` picks a split, its band and the buffers around it: not one slice.
    #[allow(clippy::needless_range_loop)]
    #[inline(always)]
    fn split_block_impl<const N: usize, const QUAD: bool>(
        &mut self,
        input: &[Pair],
        bands: &mut [[Pair; N]; MAX_BANDS],
    ) {
        let len = input.len().min(N);
        let splits = self.num_bands - 1;
        if splits == 0 {
            bands[0][..len].copy_from_slice(&input[..len]);
            return;
        }
        // The rest of the signal above each split: the input for the first.
        let mut rest = [[Pair::default(); N]; 2];
        for s in 0..splits {
            let coefs = &self.splits[s];
            let n = coefs.sections;
            // Low branch: the low-pass stage twice, then the all-passes of
            // the later splits; high branch: the high-pass stage twice.
            // (Coefficients laid out by [`Self::update_pass`].)
            let pass = &self.pass[s];
            let mut low_states = [PairState::default(); MAX_PASS_SECTIONS];
            let mut high_states = [PairState::default(); MAX_PASS_SECTIONS];
            let memory = &self.memory[s];
            let mut l = 0;
            for stage in 0..2 {
                for k in 0..n {
                    low_states[l] = memory.low[stage][k];
                    high_states[l] = memory.high[stage][k];
                    l += 1;
                }
            }
            for later in s + 1..splits {
                for k in 0..self.splits[later].allpass_sections {
                    low_states[l] = self.compensation[s][later][k];
                    l += 1;
                }
            }
            debug_assert_eq!((l, 2 * n), (pass.low_len, pass.high_len));
            let (l, h) = (pass.low_len, pass.high_len);
            let (done, ahead) = rest.split_at_mut(1);
            let (lower, upper) = bands.split_at_mut(s + 1);
            let (src, high): (&[Pair], &mut [Pair]) = if s + 1 == splits {
                let src = if s == 0 {
                    &input[..len]
                } else if s % 2 == 1 {
                    &done[0][..len]
                } else {
                    &ahead[0][..len]
                };
                (src, &mut upper[splits - s - 1][..len])
            } else if s == 0 {
                (&input[..len], &mut done[0][..len])
            } else if s % 2 == 1 {
                (&done[0][..len], &mut ahead[0][..len])
            } else {
                (&ahead[0][..len], &mut done[0][..len])
            };
            let low = &mut lower[s][..len];
            let coefs_pair = (&pass.low, &pass.high);
            let fast = fast_pass::<QUAD>(
                (l, h),
                coefs_pair,
                (&mut low_states, &mut high_states),
                src,
                low,
                high,
            );
            let ran = match fast {
                Some(true) => true,
                Some(false) => {
                    // A tail flush could have happened: again, exactly.
                    split_pass_dispatch::<true>(
                        (l, h),
                        coefs_pair,
                        (&mut low_states, &mut high_states),
                        src,
                        low,
                        high,
                    );
                    true
                }
                None => false,
            };
            if !ran {
                // Not a shape the passes know: sample by sample.
                for ((&x, lo), hi) in src.iter().zip(low.iter_mut()).zip(high.iter_mut()) {
                    let m = &mut self.memory[s];
                    let [low_a, low_b] = &mut m.low;
                    let mut band = cascade(&coefs.low, low_b, n, cascade(&coefs.low, low_a, n, x));
                    let [high_a, high_b] = &mut m.high;
                    *hi = cascade(&coefs.high, high_b, n, cascade(&coefs.high, high_a, n, x));
                    for later in s + 1..splits {
                        let ap = &self.splits[later];
                        band = cascade(
                            &ap.allpass,
                            &mut self.compensation[s][later],
                            ap.allpass_sections,
                            band,
                        );
                    }
                    *lo = band;
                }
                continue;
            }
            // Scatter the memories back.
            let memory = &mut self.memory[s];
            let mut l = 0;
            for stage in 0..2 {
                for k in 0..n {
                    memory.low[stage][k] = low_states[l];
                    memory.high[stage][k] = high_states[l];
                    l += 1;
                }
            }
            for later in s + 1..splits {
                for k in 0..self.splits[later].allpass_sections {
                    self.compensation[s][later][k] = low_states[l];
                    l += 1;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::units::crossover::Crossover;

    /// The block path is the per-sample one, bit for bit, through bursts,
    /// frequency moves and silent tails that flush (so both the fast and
    /// the exact passes run), at every slope and band count, in uneven
    /// blocks.
    #[test]
    fn split_block_is_split_sample_by_sample_bit_for_bit() {
        const N: usize = 64;
        let rate = 48_000.0;
        for slope in [CrossoverSlope::Lr24, CrossoverSlope::Lr48] {
            for num_bands in 1..=MAX_BANDS {
                let freqs = [6_000.0, 150.0, 1_500.0];
                let mut per_sample = PairCrossover::new(rate, slope, num_bands, freqs);
                let mut block = per_sample.clone();
                let mut seed = 9u32;
                let len = 120_000;
                let input: Vec<Pair> = (0..len)
                    .map(|n| {
                        seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
                        let v = (seed >> 8) as f64 / (1u32 << 24) as f64 - 0.5;
                        // Bursts with long silences: the tails decay to the
                        // flush threshold (the K-weighting-like low splits
                        // ring longest).
                        if n % 60_000 < 3_000 {
                            Pair::new(v, 0.3 * v - 0.1)
                        } else {
                            Pair::default()
                        }
                    })
                    .collect();
                let mut start = 0;
                let mut flushed = false;
                for step in [64usize, 1, 63, 17, 64, 40].iter().cycle() {
                    if start >= len {
                        break;
                    }
                    if (2_000..2_100).contains(&start) {
                        let moved = [5_000.0, 200.0, 1_000.0];
                        per_sample.set_bands(num_bands, moved);
                        block.set_bands(num_bands, moved);
                    }
                    let end = (start + step).min(len);
                    let mut bands = [[Pair::default(); N]; MAX_BANDS];
                    block.split_block(&input[start..end], &mut bands);
                    for (i, &x) in input[start..end].iter().enumerate() {
                        let mut want = [Pair::default(); MAX_BANDS];
                        per_sample.split(x, &mut want);
                        for b in 0..num_bands {
                            assert_eq!(
                                bands[b][i].to_array().map(f64::to_bits),
                                want[b].to_array().map(f64::to_bits),
                                "{slope:?} {num_bands} bands, band {b}, sample {}",
                                start + i
                            );
                        }
                    }
                    flushed |= num_bands > 1 && start > 3_000 && block.is_clear();
                    start = end;
                }
                assert!(
                    num_bands == 1 || flushed,
                    "the tails flushed: the exact passes ran"
                );
            }
        }
    }

    /// The dispatched block path (VEX-encoded where the CPU has AVX) and
    /// the baseline SSE2 body give the same bits, through tails that flush.
    #[test]
    fn the_vex_and_the_baseline_block_paths_agree_bit_for_bit() {
        const N: usize = 64;
        for num_bands in 2..=MAX_BANDS {
            let freqs = [150.0, 1_500.0, 6_000.0];
            let mut dispatched =
                PairCrossover::new(48_000.0, CrossoverSlope::Lr24, num_bands, freqs);
            let mut baseline = dispatched.clone();
            let mut seed = 21u32;
            for block in 0..2_000 {
                let input: [Pair; N] = core::array::from_fn(|_| {
                    seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
                    let v = f64::from(seed >> 8) / f64::from(1u32 << 24) - 0.5;
                    if block % 1_000 < 40 {
                        Pair::new(v, 0.5 * v)
                    } else {
                        Pair::default()
                    }
                });
                let (mut a, mut b) = (
                    [[Pair::default(); N]; MAX_BANDS],
                    [[Pair::default(); N]; MAX_BANDS],
                );
                dispatched.split_block(&input, &mut a);
                baseline.split_block_impl::<N, false>(&input, &mut b);
                for band in 0..num_bands {
                    for i in 0..N {
                        assert_eq!(
                            a[band][i].to_array().map(f64::to_bits),
                            b[band][i].to_array().map(f64::to_bits)
                        );
                    }
                }
            }
            assert!(
                dispatched.is_clear() && baseline.is_clear(),
                "the tails flushed"
            );
        }
    }

    #[test]
    fn every_band_is_the_scalar_crossovers_bit_for_bit() {
        let rate = 48_000.0;
        for slope in [CrossoverSlope::Lr24, CrossoverSlope::Lr48] {
            for num_bands in 1..=MAX_BANDS {
                let freqs = [6_000.0, 150.0, 1_500.0];
                let mut scalar = Crossover::new(rate, slope, num_bands, freqs);
                let mut pair = PairCrossover::new(rate, slope, num_bands, freqs);
                let mut seed = 3u32;
                for n in 0..6_000 {
                    seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
                    let v = (seed >> 8) as f64 / (1u32 << 24) as f64 - 0.5;
                    let x = if n < 3_000 {
                        [v, 0.3 * v - 0.1]
                    } else {
                        [0.0, 0.0]
                    };
                    if n == 2_000 {
                        let moved = [5_000.0, 200.0, 1_000.0];
                        scalar.set_bands(num_bands, moved);
                        pair.set_bands(num_bands, moved);
                    }
                    let (mut a, mut b) = ([0.0; MAX_BANDS], [0.0; MAX_BANDS]);
                    scalar.split(0, x[0], &mut a);
                    scalar.split(1, x[1], &mut b);
                    let mut p = [Pair::default(); MAX_BANDS];
                    pair.split(Pair::new(x[0], x[1]), &mut p);
                    for band in 0..num_bands {
                        assert_eq!(p[band].lo().to_bits(), a[band].to_bits(), "{slope:?} {n}");
                        assert_eq!(p[band].hi().to_bits(), b[band].to_bits(), "{slope:?} {n}");
                    }
                }
            }
        }
    }
}
