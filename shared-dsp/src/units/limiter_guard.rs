//! True-peak guard: a second, short look-ahead limiting stage that runs on
//! the *output* of a [`TruePeakLimiter`] and holds the ceiling against the
//! output's own true peak.
//!
//! # Why a second stage
//! The main limiter is feed-forward: it measures the true peak of its
//! *input* and computes a gain `g[n]` so that `g[n]·|x(t)|` stays under the
//! threshold around every detected peak. The output it delivers is the
//! sampled product `g[n]·x[n]`, and the reconstruction of that product is not
//! `g(t)·x(t)`: with full-band material (white noise, clipped masters,
//! aliased squares) and fast gain changes (0.5 ms look-ahead, 1 ms release,
//! 18 dB of reduction) the gain modulation moves energy towards and across
//! the detector's pass-band edge (≈ 0.487·fs), where it reads again as
//! inter-sample peaks. Measured against the accurate reference, the main
//! limiter alone overshot its ceiling by up to +0.3 dB (white noise +18 dB
//! into −0.1 dBTP at 0.5 ms look-ahead, fastest release).
//!
//! The guard closes that loop: it measures the true peak of what the main
//! limiter actually delivers and limits once more, with its own look-ahead
//! ([`GUARD_LOOKAHEAD_MS`]) and a slow release, fully linked, at the ceiling
//! minus [`GUARD_MARGIN_DB`]. Its detector (`guard_detector`) takes the
//! largest of three readings: an accurate 8× path whose first stage has a
//! *narrower* transition band than the limiter's detector and the 16×
//! reference of the tests (so it under-reads content just below Nyquist
//! less than either: with the limiter's own detector in the guard, the
//! reference still read +0.11 dB), the BS.1770-meter interpolator, and the
//! suite meter's Annex 2 interpolator (which over-reads full-band material
//! by up to 0.4 dB, and is what `lathe measure` shows). Its reductions are
//! small and its ramps long (2 ms), so its own gain changes barely move the
//! reconstructed peaks.
//!
//! When the main limiter's output is already under the guard's threshold
//! (band-limited material; ordinary music mostly: the main limiter works
//! [`crate::processors::maximizer::SAFETY_MARGIN_X4_DB`] below the ceiling,
//! the guard only [`GUARD_MARGIN_DB`]) its gain is exactly 1.0f32 and the
//! output is the input delayed by [`TruePeakGuard::latency_samples`], bit for
//! bit.
//!
//! Measured (`tests/maximizer_ceiling.rs`, `tests/maximizer_true_peak.rs`):
//! on full-band white noise, clipped noise, aliased squares and music-like
//! material at 44.1/48/96 kHz and every look-ahead/release/character/factor
//! tried, the suite meter never reads above ceiling − 0.02 dB and the
//! reference never above ceiling + 0.033 dB. An ideal brick-wall (FFT)
//! reconstruction, which keeps content right up to Nyquist at full gain,
//! still reads such material up to ≈ 0.45 dB higher; no finite-latency
//! interpolator (nor a DAC's) does.
//!
//! # Cost
//! Per channel ≈ 256 + 72 (accurate path) + 48 (BS.1770 path) + 96 (Annex 2
//! path) multiply-adds per sample, evaluated a block (the Maximizer's
//! 64-frame chunk) at a time with the limiter detector's AVX block FIR
//! ([`TruePeakDetector::with_design`]), and the latency
//! [`TruePeakGuard::latency_for`]: detector latency (131) + guard
//! look-ahead − 1 + [`PEAK_SLACK_SAMPLES`]: 221 samples at 44.1 kHz, 230 at
//! 48 kHz, 326 at 96 kHz (5.0, 4.8, 3.4 ms).

use crate::primitives::channels::STEREO;
use crate::primitives::delay::DelayLine;
use crate::primitives::envelope::{one_pole_coef, one_pole_step};
use crate::primitives::gain_window::{MovingAverage, SlidingMin};
use crate::primitives::oversampling::UpsamplerDesign;
#[cfg(doc)]
use crate::primitives::oversampling::{Upsampler, UpsamplerCoefs};
#[cfg(doc)]
use crate::primitives::true_peak::{oversampling_factor, refined_peak_branchless};
use crate::primitives::true_peak::{
    DetectorFactor, TruePeakDetector, DETECTOR_LATENCY_SAMPLES, DETECTOR_STAGE2_ATTENUATION_DB,
    DETECTOR_STAGE2_TAPS,
};
use crate::units::limiter::PEAK_SLACK_SAMPLES;

/// The guard's own look-ahead, ms (rounded to samples, ≥ 1). Its attack ramp
/// spans it: the longer the ramp, the less the guard's own gain changes
/// within the span of a reconstruction kernel, and the less they move the
/// true peak (see the module docs).
pub const GUARD_LOOKAHEAD_MS: f64 = 2.0;
/// The guard's release time constant, ms: slow against the look-ahead, so a
/// correction is a gentle dip, gone soon after the peaks that needed it.
pub const GUARD_RELEASE_MS: f64 = 20.0;
/// Guard threshold below the ceiling, dB: covers the 8× grid error
/// (0.005 dB) and what the guard's own gain changes add (measured in
/// `tests/maximizer_ceiling.rs`).
pub const GUARD_MARGIN_DB: f32 = 0.02;
/// A releasing reduction `1 − g` below this snaps to exactly 0 (gain 1.0;
/// one f32 ulp below 1.0 is 6e-8), so the idle guard is bit-exact.
const RELEASE_SNAP: f32 = 1e-7;

/// First stage of the guard's accurate path: 2×, 256 taps per branch (the
/// limiter detector's length and latency, 128 samples) at
/// [`GUARD_STAGE1_ATTENUATION_DB`].
pub const GUARD_STAGE1: UpsamplerDesign = UpsamplerDesign {
    factor: 2,
    taps_per_phase: 256,
    stopband_attenuation_db: GUARD_STAGE1_ATTENUATION_DB,
};
/// Stopband attenuation of [`GUARD_STAGE1`], dB. Lower than the limiter
/// detector's 100 dB on purpose: at the same length the Kaiser transition
/// band is then narrower (≈ 0.0196·fs instead of 0.0251·fs, centred on
/// Nyquist), so the response between 0.49·fs and Nyquist is *higher* than
/// both the limiter detector's and the 384-tap 140 dB reference's
/// (0.0240·fs) and the guard sees at least as much of the content right
/// below Nyquist as they do. Images are still 80 dB down (≤ 0.001 dB of
/// over-reading).
pub const GUARD_STAGE1_ATTENUATION_DB: f64 = 80.0;
/// Second stage of the guard's accurate path: 4× (8× in total), the limiter
/// detector's short filter ([`DETECTOR_STAGE2_TAPS`]).
pub const GUARD_STAGE2: UpsamplerDesign = UpsamplerDesign {
    factor: 4,
    taps_per_phase: DETECTOR_STAGE2_TAPS,
    stopband_attenuation_db: DETECTOR_STAGE2_ATTENUATION_DB,
};

/// The guard's detector for one channel ([`TruePeakDetector::with_design`]
/// with [`GUARD_STAGE1`] and the Annex 2 path); the largest of three
/// readings, aligned to the same instant ([`DETECTOR_LATENCY_SAMPLES`] ago):
/// - the accurate path: [`GUARD_STAGE1`] then [`GUARD_STAGE2`], each local
///   maximum of the 8× stream refined with [`refined_peak_branchless`] (grid error
///   ≤ 0.005 dB);
/// - the interpolator of the BS.1770 meters in the field
///   ([`UpsamplerCoefs::bs1770_meter`], as in the limiter's detector);
/// - the suite meter's own Annex 2 interpolator ([`UpsamplerDesign::TRUE_PEAK`]
///   at [`oversampling_factor`], what `LoudnessMeter` and `lathe measure`
///   read). Its short filter lets images through its wide transition band
///   and reads full-band material up to ≈ 0.4 dB above an accurate
///   reconstruction; the guard holds the ceiling on that reading too.
///
/// Evaluated a block at a time with the limiter detector's block FIR (AVX
/// where present); bit-identical to the per-sample [`Upsampler`] cascade it
/// replaced (`GuardDetector` in the tests).
fn guard_detector(sample_rate: f64) -> TruePeakDetector {
    TruePeakDetector::with_design(DetectorFactor::X8, GUARD_STAGE1, true, sample_rate)
}

/// The true-peak guard for up to [`STEREO`] channels (see the module docs),
/// fully linked. Besides the signal it limits, it carries `aligned_signals`
/// companion signals per frame, delayed by the same latency but not limited
/// (the caller's dry and pre-limiter signals for its listening aids).
///
/// The gain chain is the main limiter's ([`crate::units::limiter`]) in
/// linear gain, without its characters: required gain
/// `min(1, threshold / peak)` (the smallest over the channels) → minimum
/// over the last `W + 2·S` frames (`W` = guard look-ahead, `S` =
/// [`PEAK_SLACK_SAMPLES`]) → instant attack, one-pole release
/// ([`GUARD_RELEASE_MS`]) → two cascaded moving averages spanning `W`; the
/// audio is delayed by `D + W − 1 + S` (`D` = detector latency), so every
/// sample within `S` of a detected peak gets at most the gain it requires.
#[derive(Debug, Clone)]
pub struct TruePeakGuard {
    num_channels: usize,
    aligned_signals: usize,
    lookahead_samples: usize,
    release_pole: f32,
    detectors: Box<[TruePeakDetector]>,
    hold: SlidingMin,
    /// Released envelope as a reduction `1 − g`, 0 ..= 1.
    reduction: f32,
    average: [MovingAverage; 2],
    /// The limited signal, per channel.
    delays: Box<[DelayLine]>,
    /// Companion signals, `aligned_signals` per channel (signal-major).
    aligned: Box<[DelayLine]>,
}

impl TruePeakGuard {
    /// A cleared guard for `num_channels` (1 ..= [`STEREO`]) at `sample_rate`
    /// Hz, carrying `aligned_signals` companion signals. Allocates.
    ///
    /// # Panics
    /// If `num_channels` is 0 or above [`STEREO`].
    pub fn new(sample_rate: f64, num_channels: usize, aligned_signals: usize) -> Self {
        assert!(
            (1..=STEREO).contains(&num_channels),
            "1..={STEREO} channels"
        );
        let lookahead_samples = Self::lookahead_samples_for(sample_rate);
        let latency = Self::latency_for(sample_rate);
        let line = || {
            let mut d = DelayLine::new(latency);
            d.set_delay_samples(latency);
            d
        };
        let first = lookahead_samples.div_ceil(2).max(1);
        let second = (lookahead_samples + 1 - first).max(1);
        Self {
            num_channels,
            aligned_signals,
            lookahead_samples,
            release_pole: one_pole_coef(GUARD_RELEASE_MS, sample_rate) as f32,
            detectors: (0..num_channels)
                .map(|_| guard_detector(sample_rate))
                .collect(),
            hold: SlidingMin::new(lookahead_samples + 2 * PEAK_SLACK_SAMPLES),
            reduction: 0.0,
            average: [MovingAverage::new(first), MovingAverage::new(second)],
            delays: (0..num_channels).map(|_| line()).collect(),
            aligned: (0..num_channels * aligned_signals)
                .map(|_| line())
                .collect(),
        }
    }

    /// The guard's look-ahead at `sample_rate` Hz, samples (≥ 1).
    pub fn lookahead_samples_for(sample_rate: f64) -> usize {
        ((GUARD_LOOKAHEAD_MS * 1e-3 * sample_rate).round() as usize).max(1)
    }

    /// Latency the guard adds at `sample_rate` Hz, samples:
    /// `DETECTOR_LATENCY_SAMPLES + W − 1 + PEAK_SLACK_SAMPLES`.
    pub fn latency_for(sample_rate: f64) -> usize {
        DETECTOR_LATENCY_SAMPLES + Self::lookahead_samples_for(sample_rate) - 1 + PEAK_SLACK_SAMPLES
    }

    /// Latency the guard adds, samples (constant for a given rate).
    pub fn latency_samples(&self) -> usize {
        DETECTOR_LATENCY_SAMPLES + self.lookahead_samples - 1 + PEAK_SLACK_SAMPLES
    }

    /// Clears all state. Never allocates.
    pub fn reset(&mut self) {
        self.detectors.iter_mut().for_each(TruePeakDetector::reset);
        self.hold.reset();
        self.reduction = 0.0;
        self.average.iter_mut().for_each(MovingAverage::reset);
        self.delays.iter_mut().for_each(DelayLine::reset);
        self.aligned.iter_mut().for_each(DelayLine::reset);
    }

    /// The guard's true-peak detection for a block of `channel`'s limited
    /// signal (finite): `peaks[i]` is the detected peak for `limited[i]`, to
    /// be handed to [`Self::process_frame`] with that same frame. Never
    /// allocates.
    ///
    /// # Panics
    /// If `channel` is out of range or `peaks` is shorter than `limited`.
    #[inline]
    pub fn detect_block(&mut self, channel: usize, limited: &[f32], peaks: &mut [f32]) {
        self.detectors[channel].process_block(limited, peaks);
    }

    /// Pushes one frame. `limited[..num_channels]` (finite, already through
    /// [`Self::detect_block`], which gave its `peaks`) is replaced by the
    /// guarded signal of the frame pushed [`Self::latency_samples`] frames
    /// ago, limited against `threshold` (linear, > 0);
    /// `aligned[s][..num_channels]` for each companion signal `s` is replaced
    /// by its value of that same frame. Returns the guard gain applied
    /// (linear, 0 < g ≤ 1; exactly 1.0 when idle). Never allocates.
    ///
    /// # Panics
    /// If `peaks` or `limited` hold fewer than `num_channels` values or
    /// `aligned` fewer than `aligned_signals` frames.
    #[inline]
    pub fn process_frame(
        &mut self,
        threshold: f32,
        peaks: &[f32],
        limited: &mut [f32],
        aligned: &mut [[f32; STEREO]],
    ) -> f32 {
        let n = self.num_channels;
        let mut required = 1.0f32;
        for &peak in &peaks[..n] {
            if peak > threshold {
                required = required.min(threshold / peak);
            }
        }
        // The envelope is kept as a reduction `1 − g`, which decays towards 0
        // without the rounding stall a gain approaching 1.0 in f32 has.
        let held = 1.0 - self.hold.push(required);
        self.reduction = if held >= self.reduction {
            held
        } else {
            let released = one_pole_step(self.reduction, held, self.release_pole);
            if released < RELEASE_SNAP {
                0.0
            } else {
                released
            }
        };
        let [first, second] = &mut self.average;
        let gain = second.push(first.push(1.0 - self.reduction)).min(1.0);
        for (y, delay) in limited[..n].iter_mut().zip(self.delays.iter_mut()) {
            *y = gain * delay.process(*y);
        }
        for (s, frame) in aligned[..self.aligned_signals].iter_mut().enumerate() {
            for (c, v) in frame[..n].iter_mut().enumerate() {
                *v = self.aligned[s * n + c].process(*v);
            }
        }
        gain
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::primitives::delay::DelayLine;
    use crate::primitives::oversampling::{Upsampler, UpsamplerCoefs, UpsamplerDesign, MAX_FACTOR};
    use crate::primitives::true_peak::{
        meter_factor, oversampling_factor, refined_peak_branchless,
    };

    /// The per-sample guard detector the block one replaced; the largest of three readings,
    /// aligned to the same instant ([`DETECTOR_LATENCY_SAMPLES`] ago):
    /// - the accurate path: [`GUARD_STAGE1`] then [`GUARD_STAGE2`], each local
    ///   maximum of the 8× stream refined with [`refined_peak_branchless`] (grid error
    ///   ≤ 0.005 dB);
    /// - the interpolator of the BS.1770 meters in the field
    ///   ([`UpsamplerCoefs::bs1770_meter`], as in the limiter's detector);
    /// - the suite meter's own Annex 2 interpolator ([`UpsamplerDesign::TRUE_PEAK`]
    ///   at [`oversampling_factor`], what `LoudnessMeter` and `lathe measure`
    ///   read). Its short filter lets images through its wide transition band
    ///   and reads full-band material up to ≈ 0.4 dB above an accurate
    ///   reconstruction; the guard holds the ceiling on that reading too.
    struct GuardDetector {
        stage1: Upsampler,
        stage2: Upsampler,
        /// The two previous 8× values (older first), for refinement.
        previous: [f32; 2],
        bs1770: Upsampler,
        bs1770_align: DelayLine,
        meter: Upsampler,
        meter_align: DelayLine,
    }

    impl GuardDetector {
        fn new(sample_rate: f64) -> Self {
            let aligned = |upsampler: Upsampler| {
                let align = DETECTOR_LATENCY_SAMPLES - upsampler.latency_samples();
                let mut delay = DelayLine::new(align);
                delay.set_delay_samples(align);
                (upsampler, delay)
            };
            let (bs1770, bs1770_align) = aligned(Upsampler::from_coefs(
                UpsamplerCoefs::bs1770_meter(meter_factor(sample_rate)),
            ));
            let (meter, meter_align) = aligned(Upsampler::new(UpsamplerDesign {
                factor: oversampling_factor(sample_rate),
                ..UpsamplerDesign::TRUE_PEAK
            }));
            Self {
                stage1: Upsampler::new(GUARD_STAGE1),
                stage2: Upsampler::new(GUARD_STAGE2),
                previous: [0.0; 2],
                bs1770,
                bs1770_align,
                meter,
                meter_align,
            }
        }

        /// Peak magnitude around the input instant [`DETECTOR_LATENCY_SAMPLES`]
        /// ago (within ±1 sample), linear.
        #[inline]
        fn process(&mut self, x: f32) -> f32 {
            let mut half = [0.0f32; MAX_FACTOR];
            self.stage1.process_sample(x, &mut half);
            let mut peak = 0.0f32;
            let mut fine = [0.0f32; MAX_FACTOR];
            for &v in &half[..GUARD_STAGE1.factor] {
                self.stage2.process_sample(v, &mut fine);
                for &y in &fine[..GUARD_STAGE2.factor] {
                    let [a, b] = self.previous;
                    self.previous = [b, y];
                    peak = peak.max(refined_peak_branchless(a, b, y));
                }
            }
            let bs1770 = self
                .bs1770
                .process_sample_peak(self.bs1770_align.process(x));
            let metered = self.meter.process_sample_peak(self.meter_align.process(x));
            peak.max(bs1770).max(metered)
        }
    }

    /// Seeded noise with bursts of full-scale squares, near-silence and
    /// silence, so every branch and the refinement see every kind of value.
    fn test_signal(len: usize, seed: u32) -> Vec<f32> {
        let mut state = seed.max(1);
        (0..len)
            .map(|i| {
                state ^= state << 13;
                state ^= state >> 17;
                state ^= state << 5;
                let noise = (state as f32 / u32::MAX as f32) * 2.0 - 1.0;
                match (i / 700) % 4 {
                    0 => noise,
                    1 => [1.0, -1.0][(i / 3) % 2],
                    2 => noise * 1e-3,
                    _ => 0.0,
                }
            })
            .collect()
    }

    #[test]
    fn block_guard_detector_equals_the_per_sample_one_bit_for_bit() {
        let input = test_signal(10_000, 5);
        let sizes = [1usize, 64, 7, 128, 300, 3, 129, 64, 511, 2];
        for sample_rate in [22_050.0, 44_100.0, 48_000.0, 96_000.0] {
            let mut reference = GuardDetector::new(sample_rate);
            let expected: Vec<f32> = input.iter().map(|&x| reference.process(x)).collect();
            let mut detector = guard_detector(sample_rate);
            let mut got = vec![0.0f32; input.len()];
            let (mut start, mut k) = (0, 0);
            while start < input.len() {
                let end = (start + sizes[k % sizes.len()]).min(input.len());
                detector.process_block(&input[start..end], &mut got[start..end]);
                start = end;
                k += 1;
            }
            for (i, (g, e)) in got.iter().zip(&expected).enumerate() {
                assert_eq!(g.to_bits(), e.to_bits(), "{sample_rate} at {i}: {g} vs {e}");
            }
        }
    }
}
