//! Loudness of a stereo signal and of its mono fold-down at once, from one
//! K-weighting per channel: what the Stereo Imager's mono-loss readout needs,
//! at the cost of a stereo meter.
//!
//! K-weighting is linear, so the K-weighted fold-down `(L + R)/2` is
//! `(K·L + K·R)/2`: the fold needs no filter of its own. Its meter is one
//! channel of weight 2, the fold played on both channels of a stereo meter
//! (BS.1770-4: `z = Σ G_i·z_i`, two identical channels of weight 1).
//!
//! - The stereo readings are those of [`LoudnessMeter::loudness_only`] with
//!   two channels fed the same blocks, bit for bit (same filter, same sums in
//!   the same order; the two channels run as one [`Pair`]).
//! - The fold readings are those of a meter fed the exact fold in f64; a
//!   meter fed the fold rounded to f32 differs by that rounding only
//!   (≈ 1e-7 relative per sample, far below 0.001 LU). The fold carries no
//!   peaks (its peak and PLR readings are `None`).

use super::k_weighting::KWeightingCoefs;
use super::{LoudnessMeter, LoudnessReadings};
use crate::primitives::biquad::STATE_FLUSH_THRESHOLD;
use crate::units::pair::{vex_available, Pair, PairCoefs, PairState};

/// [`crate::primitives::level::sanitize`] of two f32 samples, without
/// branches, on their exact f64 values (NaN, ±∞ and f32 subnormals → +0.0,
/// everything else, zeros of either sign included, bit-identical to the
/// sanitised f32 widened): per-lane compares and a mask, so the meter's
/// loop stays one straight vector path.
#[inline(always)]
fn clean(x: Pair) -> Pair {
    let lane = |x: f64| {
        let a = x.abs();
        let normal = (a >= f64::from(f32::MIN_POSITIVE)) & (a <= f64::from(f32::MAX));
        let keep = u64::from(normal | (a == 0.0)).wrapping_neg();
        f64::from_bits(x.to_bits() & keep)
    };
    Pair::new(lane(x.lo()), lane(x.hi()))
}

/// K-weights one chunk of (L, R) as a pair and continues the stereo step
/// sums `energy`, the fold's `fold_energy` and the chunk's sample peaks:
/// `(memories, energy, fold_energy, peak)`, and whether the pass is
/// complete. `FLUSH = false` runs without the per-sample tail flush and is
/// incomplete (to be run again with `FLUSH = true`) if a flush could have
/// happened (see [`PairState::process_unflushed`]); when complete, the
/// result is bit for bit the flushed pass's. `CLEAN = false` takes the
/// samples as they are (they must already be sanitised: then [`clean`] is
/// the identity on them and the result the same bits).
#[inline(always)]
fn k_weigh<const FLUSH: bool, const CLEAN: bool>(
    (shelf, highpass): (&PairCoefs, &PairCoefs),
    states: [PairState; 2],
    left: &[f32],
    right: &[f32],
    mut energy: Pair,
    mut fold_energy: f64,
) -> (([PairState; 2], Pair, f64, Pair), bool) {
    let [mut shelf_state, mut highpass_state] = states;
    let mut peak = Pair::default();
    // A floor per filter, so the two minima do not chain.
    let (mut shelf_floor, mut highpass_floor) =
        (Pair::splat(f64::INFINITY), Pair::splat(f64::INFINITY));
    for (&l, &r) in left.iter().zip(right) {
        let x = Pair::from_f32(l, r);
        let x = if CLEAN { clean(x) } else { x };
        peak = peak.max(x.abs());
        let y = if FLUSH {
            highpass_state.process(highpass, shelf_state.process(shelf, x))
        } else {
            let shelved = shelf_state.process_unflushed(shelf, x, &mut shelf_floor);
            highpass_state.process_unflushed(highpass, shelved, &mut highpass_floor)
        };
        energy += y * y;
        let fold = 0.5 * (y.lo() + y.hi());
        fold_energy += fold * fold;
    }
    let complete = FLUSH
        || !(shelf_floor.any_below(STATE_FLUSH_THRESHOLD)
            || highpass_floor.any_below(STATE_FLUSH_THRESHOLD));
    (
        ([shelf_state, highpass_state], energy, fold_energy, peak),
        complete,
    )
}

/// Weight of the fold-down's one channel: the fold on both channels.
pub const FOLD_CHANNEL_WEIGHT: f64 = 2.0;

/// Stereo and fold-down loudness from one K-weighting per channel,
/// loudness only (no true peak). No allocation after construction /
/// [`Self::set_sample_rate`].
#[derive(Debug, Clone)]
pub struct StereoFoldMeter {
    shelf: PairCoefs,
    highpass: PairCoefs,
    /// K-weighting memories of (L, R): shelf, then high-pass.
    states: [PairState; 2],
    stereo: LoudnessMeter,
    fold: LoudnessMeter,
}

impl StereoFoldMeter {
    /// A cleared meter at `sample_rate` Hz. Allocates (two meters' histograms).
    ///
    /// # Panics
    /// As [`LoudnessMeter::new`].
    pub fn new(sample_rate: f64) -> Self {
        let mut fold = LoudnessMeter::loudness_only(sample_rate, 1);
        fold.set_channel_weights(&[FOLD_CHANNEL_WEIGHT]);
        let mut meter = Self {
            shelf: PairCoefs::default(),
            highpass: PairCoefs::default(),
            states: [PairState::default(); 2],
            stereo: LoudnessMeter::loudness_only(sample_rate, 2),
            fold,
        };
        meter.set_coefs(sample_rate);
        meter
    }

    fn set_coefs(&mut self, sample_rate: f64) {
        let k = KWeightingCoefs::new(sample_rate);
        self.shelf = PairCoefs::splat(&k.shelf);
        self.highpass = PairCoefs::splat(&k.highpass);
    }

    /// Re-derives everything rate-dependent and resets. May allocate.
    ///
    /// # Panics
    /// As [`LoudnessMeter::set_sample_rate`].
    pub fn set_sample_rate(&mut self, sample_rate: f64) {
        self.stereo.set_sample_rate(sample_rate);
        self.fold.set_sample_rate(sample_rate);
        self.fold.set_channel_weights(&[FOLD_CHANNEL_WEIGHT]);
        self.set_coefs(sample_rate);
        self.states = [PairState::default(); 2];
    }

    /// Clears all state and readings. Never allocates.
    pub fn reset(&mut self) {
        self.states = [PairState::default(); 2];
        self.stereo.reset();
        self.fold.reset();
    }

    /// Measures one block (the shorter slice sets its length). NaN/±∞ and
    /// subnormal samples count as 0.0, as in [`LoudnessMeter::process`].
    /// Never allocates.
    pub fn process(&mut self, left: &[f32], right: &[f32]) {
        self.process_with::<true>(left, right);
    }

    /// [`Self::process`] on samples already sanitised (finite, subnormals
    /// flushed: what [`crate::primitives::level::sanitize`] returns, e.g. a
    /// processor's own output): the same readings, bit for bit, without the
    /// per-sample sanitising. Other samples would reach the filters as
    /// they are. Never allocates.
    pub fn process_sanitized(&mut self, left: &[f32], right: &[f32]) {
        #[cfg(target_arch = "x86_64")]
        if vex_available() {
            // SAFETY: AVX is present (checked at run time).
            unsafe { self.process_sanitized_vex(left, right) };
            return;
        }
        self.process_with::<false>(left, right);
    }

    /// [`Self::process_sanitized`] compiled with AVX enabled (the same
    /// operations VEX-encoded: the same bits, tested).
    ///
    /// # Safety
    /// The CPU must have AVX.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx")]
    unsafe fn process_sanitized_vex(&mut self, left: &[f32], right: &[f32]) {
        self.process_with::<false>(left, right);
    }

    #[inline(always)]
    fn process_with<const CLEAN: bool>(&mut self, left: &[f32], right: &[f32]) {
        let frames = left.len().min(right.len());
        let mut offset = 0;
        while offset < frames {
            // Both meters count the same frames, so their hops and steps
            // fall together.
            let chunk = self.stereo.frames_until_boundary().min(frames - offset);
            debug_assert_eq!(chunk, self.fold.frames_until_boundary().min(chunk));
            let energy = Pair::new(self.stereo.step_energy(0), self.stereo.step_energy(1));
            let fold_energy = self.fold.step_energy(0);
            let (l, r) = (
                &left[offset..offset + chunk],
                &right[offset..offset + chunk],
            );
            let coefs = (&self.shelf, &self.highpass);
            // Without the per-sample tail flush unless one could have
            // happened in the chunk (then again, exactly): the same sums.
            let (mut out, complete) =
                k_weigh::<false, CLEAN>(coefs, self.states, l, r, energy, fold_energy);
            if !complete {
                out = k_weigh::<true, CLEAN>(coefs, self.states, l, r, energy, fold_energy).0;
            }
            let (states, energy, fold_energy, peak) = out;
            self.states = states;
            self.stereo.commit_chunk(chunk, &energy.to_array());
            self.stereo
                .commit_sample_peaks(&[peak.lo() as f32, peak.hi() as f32]);
            self.fold.commit_chunk(chunk, &[fold_energy]);
            offset += chunk;
        }
    }

    /// Measures `frames` of +0.0 on both channels: exactly what
    /// [`Self::process`] on zeros gives (the K-weighted samples are +0.0,
    /// so the step sums and peaks stay as they are and only the hop/step
    /// clocks run), without per-sample work while the K-weighting memories
    /// are clear; otherwise the zeros go through [`Self::process`] in blocks
    /// of up to 64 frames (so up to 64 frames it is exactly one `process`
    /// call on zeros even then). Never allocates.
    pub fn process_silence(&mut self, frames: usize) {
        /// Zeros fed while the filters still ring.
        const ZEROS: [f32; 64] = [0.0; 64];
        if !self.states.iter().all(PairState::is_clear) {
            let mut left = frames;
            while left > 0 {
                let n = left.min(ZEROS.len());
                self.process(&ZEROS[..n], &ZEROS[..n]);
                left -= n;
            }
            return;
        }
        let mut offset = 0;
        while offset < frames {
            let chunk = self.stereo.frames_until_boundary().min(frames - offset);
            let energy = [self.stereo.step_energy(0), self.stereo.step_energy(1)];
            let fold_energy = self.fold.step_energy(0);
            self.stereo.commit_chunk(chunk, &energy);
            self.stereo.commit_sample_peaks(&[0.0, 0.0]);
            self.fold.commit_chunk(chunk, &[fold_energy]);
            offset += chunk;
        }
    }

    /// Every reading of the stereo signal.
    pub fn stereo_readings(&self) -> LoudnessReadings {
        self.stereo.readings()
    }

    /// Every reading of the fold-down (no peaks).
    pub fn fold_readings(&self) -> LoudnessReadings {
        self.fold.readings()
    }

    /// Integrated and short-term loudness of the stereo signal and of the
    /// fold, LUFS: `((stereo I, stereo S), (fold I, fold S))`. Cheap (kept
    /// from the last 100 ms step), for reading after every block.
    pub fn integrated_and_short_term_lufs(&self) -> [(Option<f64>, Option<f64>); 2] {
        [
            self.stereo.integrated_and_short_term_lufs(),
            self.fold.integrated_and_short_term_lufs(),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const RATE: f64 = 48_000.0;

    fn noise(len: usize, seed: u32, gain: f32) -> Vec<f32> {
        let mut s = seed;
        (0..len)
            .map(|_| {
                s = s.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
                gain * ((s >> 8) as f32 / (1u32 << 24) as f32 - 0.5)
            })
            .collect()
    }

    /// Feeds both in the same (uneven) blocks.
    fn feed(meter: &mut StereoFoldMeter, reference: &mut LoudnessMeter, l: &[f32], r: &[f32]) {
        let mut start = 0;
        for block in [1usize, 63, 64, 480, 777, 4_800].iter().cycle() {
            if start >= l.len() {
                break;
            }
            let end = (start + block).min(l.len());
            meter.process(&l[start..end], &r[start..end]);
            reference.process(&[&l[start..end], &r[start..end]]);
            start = end;
        }
    }

    #[test]
    fn stereo_readings_are_the_loudness_only_meters_bit_for_bit() {
        let (l, r) = (noise(5 * 48_000, 1, 0.5), noise(5 * 48_000, 2, 0.2));
        let mut meter = StereoFoldMeter::new(RATE);
        let mut reference = LoudnessMeter::loudness_only(RATE, 2);
        feed(&mut meter, &mut reference, &l, &r);
        assert_eq!(meter.stereo_readings(), reference.readings());
        assert!(meter.stereo_readings().integrated_lufs.is_some());
    }

    /// Bursts around silences long enough for the K-weighting tails to
    /// reach the flush: the chunks where a flush can happen run the exact
    /// pass, so the readings stay the loudness-only meter's bit for bit.
    #[test]
    fn readings_stay_bit_identical_through_tails_that_flush() {
        let second = RATE as usize;
        let (mut l, mut r) = (noise(second / 2, 7, 0.5), noise(second / 2, 8, 0.3));
        l.resize(4 * second, 0.0);
        r.resize(4 * second, 0.0);
        l.extend(noise(second, 9, 0.2));
        r.extend(noise(second, 10, 0.4));
        let mut meter = StereoFoldMeter::new(RATE);
        let mut reference = LoudnessMeter::loudness_only(RATE, 2);
        feed(
            &mut meter,
            &mut reference,
            &l[..4 * second],
            &r[..4 * second],
        );
        assert!(
            meter.states.iter().all(PairState::is_clear),
            "the tails flushed to zero"
        );
        feed(
            &mut meter,
            &mut reference,
            &l[4 * second..],
            &r[4 * second..],
        );
        assert_eq!(meter.stereo_readings(), reference.readings());
    }

    /// On sanitised samples the unsanitising path reads the same, bit for
    /// bit, through tails that flush.
    #[test]
    fn sanitized_input_reads_the_same_without_the_sanitiser() {
        use crate::primitives::level::sanitize;
        let second = RATE as usize;
        let (mut l, mut r) = (noise(second, 11, 0.5), noise(second, 12, 0.3));
        l.resize(4 * second, 0.0);
        r.resize(4 * second, 0.0);
        l.extend(noise(second, 13, 0.2));
        r.extend(noise(second, 14, 0.4));
        // Every class a sanitised signal holds: zeros of both signs,
        // the smallest normals, huge values.
        for (i, x) in [-0.0, f32::MIN_POSITIVE, -f32::MIN_POSITIVE, 1.0e6, -0.0]
            .into_iter()
            .enumerate()
        {
            l[100 + i] = x;
            r[200 + i] = x;
        }
        let mut a = StereoFoldMeter::new(RATE);
        let mut b = StereoFoldMeter::new(RATE);
        let mut c = StereoFoldMeter::new(RATE);
        let mut start = 0;
        for block in [1usize, 63, 64, 480, 777, 4_800].iter().cycle() {
            if start >= l.len() {
                break;
            }
            let end = (start + block).min(l.len());
            assert!(l[start..end]
                .iter()
                .chain(&r[start..end])
                .all(|&x| sanitize(x).to_bits() == x.to_bits()));
            a.process(&l[start..end], &r[start..end]);
            b.process_sanitized(&l[start..end], &r[start..end]);
            c.process_with::<false>(&l[start..end], &r[start..end]);
            start = end;
        }
        assert_eq!(a.stereo_readings(), b.stereo_readings());
        assert_eq!(a.fold_readings(), b.fold_readings());
        assert_eq!(a.states, b.states);
        // The baseline SSE2 body reads the same as the dispatched path
        // (VEX-encoded where the CPU has AVX).
        assert_eq!(b.stereo_readings(), c.stereo_readings());
        assert_eq!(b.fold_readings(), c.fold_readings());
        assert_eq!(b.states, c.states);
    }

    /// The f64 lane mask is the one f32 sanitiser, widened, bit for bit,
    /// on every class of input (the edges of the normal range included).
    #[test]
    fn clean_is_sanitize_widened_bit_for_bit() {
        use crate::primitives::level::{sanitize, SANITIZER_EDGE_CASES};
        for a in SANITIZER_EDGE_CASES {
            for b in SANITIZER_EDGE_CASES {
                let got = clean(Pair::new(f64::from(a), f64::from(b)));
                let want = [f64::from(sanitize(a)), f64::from(sanitize(b))];
                assert_eq!(
                    got.to_array().map(f64::to_bits),
                    want.map(f64::to_bits),
                    "{a} {b}"
                );
            }
        }
    }

    #[test]
    fn fold_readings_match_a_meter_on_the_fold_and_follow_theory() {
        let (l, r) = (noise(5 * 48_000, 3, 0.5), noise(5 * 48_000, 4, 0.5));
        let fold: Vec<f32> = l.iter().zip(&r).map(|(a, b)| 0.5 * (a + b)).collect();
        let mut meter = StereoFoldMeter::new(RATE);
        let mut stereo = LoudnessMeter::loudness_only(RATE, 2);
        feed(&mut meter, &mut stereo, &l, &r);
        let mut on_both = LoudnessMeter::new(RATE, 2);
        on_both.process(&[&fold[..], &fold[..]]);
        let (got, want) = (meter.fold_readings(), on_both.readings());
        for (g, w) in [
            (got.integrated_lufs, want.integrated_lufs),
            (got.short_term_lufs, want.short_term_lufs),
            (got.momentary_lufs, want.momentary_lufs),
            (got.loudness_range_lu, want.loudness_range_lu),
        ] {
            // Only the f32 rounding of the reference's fold differs.
            assert!((g.unwrap() - w.unwrap()).abs() < 1e-6, "{g:?} vs {w:?}");
        }
        // Independent equal-power channels: the fold has half the power.
        let loss = stereo.readings().integrated_lufs.unwrap() - got.integrated_lufs.unwrap();
        assert!((loss - 3.01).abs() < 0.1, "{loss}");
    }

    #[test]
    fn identical_channels_fold_to_themselves_and_inverted_ones_to_silence() {
        let a = noise(4 * 48_000, 5, 0.4);
        let inverted: Vec<f32> = a.iter().map(|x| -x).collect();
        let mut same = StereoFoldMeter::new(RATE);
        same.process(&a, &a);
        let [stereo, fold] = same.integrated_and_short_term_lufs();
        assert_eq!(stereo, fold, "identical channels: the fold is the signal");
        assert!(stereo.0.is_some());
        let mut opposite = StereoFoldMeter::new(RATE);
        opposite.process(&a, &inverted);
        let [stereo, fold] = opposite.integrated_and_short_term_lufs();
        assert!(stereo.0.is_some() && stereo.1.is_some());
        assert_eq!(fold, (None, None), "inverted channels fold to silence");
    }
}
