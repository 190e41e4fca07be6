//! True-peak and sample-peak detection (ITU-R BS.1770-4 Annex 2).
//!
//! Annex 2 oversamples 4× at 48 kHz and takes the largest absolute value of
//! the oversampled signal. Here the factor is chosen so the oversampled rate
//! is at least [`MIN_OVERSAMPLED_RATE_HZ`], and never less than 4×
//! ([`MIN_FACTOR`]): 4× from 44.1 kHz to 192 kHz, 8× at 22.05–32 kHz, 16×
//! below. Keeping 4× at 88.2–192 kHz (where Annex 2 would allow 2×) costs
//! little. A peak of content at `f` can fall between oversampled points and
//! be under-read by up to `−20·log10(cos(π·f/(L·fs)))`: at 4× that is
//! 0.688 dB at Nyquist (the bound Annex 2 quotes), 0.53 dB at the 0.443·fs
//! pass-band edge, < 0.2 dB below 0.25·fs. Over-reading is limited to the
//! interpolator's ±0.01 dB ripple. The interpolator is [`UpsamplerDesign::TRUE_PEAK`]-like
//! (Kaiser-windowed sinc, 32 taps per branch, 60 dB); its branch 0 is the
//! delayed input, so true peak ≥ sample peak always holds.
//!
//! # The limiter-grade detector
//! [`TruePeakDetector`] is what the Maximizer limits against and, since it
//! must display what it limits against, what its output meter reads
//! ([`crate::units::loudness::LoudnessMeter::with_limiter_true_peak`]). The
//! (gained) input is upsampled by a two-stage cascade of [`Upsampler`]s — 2×
//! with a long filter ([`DETECTOR_STAGE1`], pass band to ≈ 0.487·fs: 21.5 kHz
//! at 44.1 kHz) then 2× or 4× with a short one ([`DETECTOR_STAGE2_TAPS`]) — to
//! 4× or 8× in total, for ≈ 300 multiply-adds per sample instead of the
//! ≈ 2000 a single-stage filter of the same pass band would need. Each local
//! maximum of the oversampled stream is refined with a parabola through it and
//! its two neighbours, which cuts the grid error (a peak falling between
//! oversampled points) from 0.69 dB to 0.074 dB at 4× and from 0.17 dB to
//! 0.005 dB at 8× (worst case, a tone at Nyquist). Beside it runs the
//! interpolator of the BS.1770 meters in the field (libebur128, see
//! [`UpsamplerCoefs::bs1770_meter`]), aligned to it, and the larger reading
//! wins: that short Hann-windowed filter leaks images and reads dense limited
//! material up to ≈ 0.3 dB *above* the ideal reconstruction, and a limited
//! output must pass those meters too.
//!
//! # Block evaluation
//! Both grades run their polyphase branches over blocks of up to
//! [`BLOCK_FRAMES`] samples held in one linear history ([`LinearHistory`]),
//! with AVX where the CPU has it (detected at run time) and a scalar loop
//! otherwise. Every output is summed in exactly the order of
//! [`Upsampler`]'s per-sample dot product, so readings and limiter gains are
//! bit-identical to the per-sample interpolators (tested against them).

use crate::primitives::level::{sanitize, sanitize_select};
#[cfg(doc)]
use crate::primitives::oversampling::Upsampler;
use crate::primitives::oversampling::{UpsamplerCoefs, UpsamplerDesign, MAX_FACTOR};

/// Smallest oversampling factor used at any rate (BS.1770-4 Annex 2).
pub const MIN_FACTOR: usize = 4;
/// Lowest oversampled rate aimed for, Hz (4× 44.1 kHz).
pub const MIN_OVERSAMPLED_RATE_HZ: f64 = 176_400.0;

/// Oversampling factor used for true peak at `sample_rate` Hz: the smallest
/// power of two ≥ [`MIN_FACTOR`] reaching [`MIN_OVERSAMPLED_RATE_HZ`]
/// (capped at [`MAX_FACTOR`]).
pub fn oversampling_factor(sample_rate: f64) -> usize {
    let mut factor = MIN_FACTOR;
    while (factor as f64) * sample_rate < MIN_OVERSAMPLED_RATE_HZ && factor < MAX_FACTOR {
        factor *= 2;
    }
    factor
}

/// Which interpolator a true-peak reading uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TruePeakGrade {
    /// BS.1770-4 Annex 2 metering: one [`UpsamplerDesign::TRUE_PEAK`]-like
    /// stage at [`oversampling_factor`] (the Loudness Meter and `lathe measure`).
    #[default]
    Meter,
    /// The limiter's detector ([`TruePeakDetector`]) at this factor: what
    /// the Maximizer limits against, so its display shows the same.
    Limiter(DetectorFactor),
    /// No interpolator: the true peak reads the sample peak. For meters
    /// whose true peak nobody reads (loudness-only analysis), at no cost.
    Off,
}

/// The interpolator behind a [`TruePeakChannel`].
#[derive(Debug, Clone)]
enum Interpolator {
    Meter(Box<MeterInterpolator>),
    Limiter(Box<TruePeakDetector>),
    Off,
}

/// Running true peak and sample peak of one channel (linear, full scale = 1.0).
#[derive(Debug, Clone)]
pub struct TruePeakChannel {
    interpolator: Interpolator,
    true_peak: f32,
    sample_peak: f32,
}

impl TruePeakChannel {
    /// A cleared meter-grade channel using `design`. Allocates.
    pub fn new(design: UpsamplerDesign) -> Self {
        Self::with_interpolator(Interpolator::Meter(Box::new(MeterInterpolator::new(
            design,
        ))))
    }

    /// A cleared limiter-grade channel ([`TruePeakDetector`]). Allocates.
    pub fn limiter_grade(factor: DetectorFactor, sample_rate: f64) -> Self {
        Self::with_interpolator(Interpolator::Limiter(Box::new(TruePeakDetector::new(
            factor,
            sample_rate,
        ))))
    }

    fn with_interpolator(interpolator: Interpolator) -> Self {
        Self {
            interpolator,
            true_peak: 0.0,
            sample_peak: 0.0,
        }
    }

    /// Clears history and peaks. Never allocates.
    pub fn reset(&mut self) {
        match &mut self.interpolator {
            Interpolator::Meter(meter) => meter.reset(),
            Interpolator::Limiter(detector) => detector.reset(),
            Interpolator::Off => {}
        }
        self.true_peak = 0.0;
        self.sample_peak = 0.0;
    }

    /// Feeds one sample (see [`Self::process_block`]).
    #[inline]
    pub fn process(&mut self, x: f32) {
        self.process_block(&[x]);
    }

    /// Feeds a block of any length. Samples are [`sanitize`]d (NaN, ±∞ and
    /// subnormals read as 0.0). Never allocates.
    pub fn process_block(&mut self, input: &[f32]) {
        for piece in input.chunks(BLOCK_FRAMES) {
            match &mut self.interpolator {
                Interpolator::Meter(meter) => {
                    let start = meter.history.append(piece, sanitize_select);
                    let fed = &meter.history.samples()[start..start + piece.len()];
                    self.sample_peak = fold_peak(self.sample_peak, fed);
                    self.true_peak = self.true_peak.max(meter.peak(start, piece.len()));
                }
                Interpolator::Limiter(detector) => {
                    let mut clean = [0.0f32; BLOCK_FRAMES];
                    let clean = &mut clean[..piece.len()];
                    for (dst, &x) in clean.iter_mut().zip(piece) {
                        *dst = sanitize(x);
                    }
                    self.sample_peak = fold_peak(self.sample_peak, clean);
                    let mut peaks = [0.0f32; BLOCK_FRAMES];
                    detector.process_block(clean, &mut peaks[..piece.len()]);
                    self.true_peak = fold_peak(self.true_peak, &peaks[..piece.len()]);
                }
                Interpolator::Off => {
                    self.sample_peak = piece
                        .iter()
                        .fold(self.sample_peak, |p, &x| p.max(sanitize(x).abs()));
                }
            }
        }
    }

    /// Feeds `frames` samples of silence. Never allocates.
    pub fn process_silence(&mut self, frames: usize) {
        const ZEROS: [f32; BLOCK_FRAMES] = [0.0; BLOCK_FRAMES];
        let mut left = frames;
        while left > 0 {
            let len = left.min(BLOCK_FRAMES);
            self.process_block(&ZEROS[..len]);
            left -= len;
        }
    }

    /// Highest true peak since reset, linear. Never below the sample peak
    /// (the newest samples count there before the interpolator has passed
    /// them on).
    pub fn true_peak(&self) -> f32 {
        self.true_peak.max(self.sample_peak)
    }

    /// Highest sample peak since reset, linear.
    pub fn sample_peak(&self) -> f32 {
        self.sample_peak
    }
}

/// The meter-grade interpolator of one channel: one Kaiser-designed
/// polyphase stage ([`UpsamplerDesign`]) evaluated a block at a time.
#[derive(Debug, Clone)]
struct MeterInterpolator {
    history: LinearHistory,
    /// Branches `1..factor`, `taps` each, newest sample first.
    branches: Box<[f32]>,
    taps: usize,
    /// One branch's outputs for a block (contents meaningless between
    /// blocks; kept here so no block zeroes a stack buffer).
    out: [f32; BLOCK_FRAMES],
}

impl MeterInterpolator {
    /// Allocates.
    fn new(design: UpsamplerDesign) -> Self {
        let coefs = UpsamplerCoefs::new(design);
        let taps = design.taps_per_phase;
        Self {
            history: LinearHistory::new(taps - 1, BLOCK_FRAMES),
            branches: branch_coefs(&coefs, true),
            taps,
            out: [0.0; BLOCK_FRAMES],
        }
    }

    fn reset(&mut self) {
        self.history.reset();
    }

    /// Largest magnitude of the oversampled values of the `len` (≤
    /// [`BLOCK_FRAMES`]) samples appended at `start`: the delayed input
    /// (branch 0) and every other branch.
    fn peak(&mut self, start: usize, len: usize) -> f32 {
        let x = self.history.samples();
        let delayed = start - self.taps / 2;
        let mut peak = fold_peak(0.0, &x[delayed..delayed + len]);
        let out = &mut self.out[..len];
        for branch in self.branches.chunks_exact(self.taps) {
            fir_block(branch, x, start, out);
            peak = fold_peak(peak, out);
        }
        peak
    }
}

/// True peak and sample peak for several channels.
#[derive(Debug, Clone)]
pub struct TruePeakMeter {
    channels: Box<[TruePeakChannel]>,
    factor: usize,
    latency_samples: usize,
}

impl TruePeakMeter {
    /// A cleared meter-grade meter for `num_channels` at `sample_rate` Hz
    /// (factor from [`oversampling_factor`]). Allocates.
    pub fn new(sample_rate: f64, num_channels: usize) -> Self {
        Self::with_grade(TruePeakGrade::Meter, sample_rate, num_channels)
    }

    /// A cleared meter of `grade` for `num_channels` at `sample_rate` Hz. Allocates.
    pub fn with_grade(grade: TruePeakGrade, sample_rate: f64, num_channels: usize) -> Self {
        match grade {
            TruePeakGrade::Meter => {
                let design = UpsamplerDesign {
                    factor: oversampling_factor(sample_rate),
                    ..UpsamplerDesign::TRUE_PEAK
                };
                Self {
                    channels: (0..num_channels)
                        .map(|_| TruePeakChannel::new(design))
                        .collect(),
                    factor: design.factor,
                    latency_samples: design.latency_samples(),
                }
            }
            TruePeakGrade::Off => Self {
                channels: (0..num_channels)
                    .map(|_| TruePeakChannel::with_interpolator(Interpolator::Off))
                    .collect(),
                factor: 1,
                latency_samples: 0,
            },
            TruePeakGrade::Limiter(factor) => Self {
                channels: (0..num_channels)
                    .map(|_| TruePeakChannel::limiter_grade(factor, sample_rate))
                    .collect(),
                factor: factor.factor(),
                latency_samples: DETECTOR_LATENCY_SAMPLES,
            },
        }
    }

    /// Oversampling factor in use.
    pub fn factor(&self) -> usize {
        self.factor
    }

    /// Switches a limiter-grade meter's detectors to `factor`, clearing
    /// their history but keeping the peaks read so far (no-op for the meter
    /// grade). Never allocates.
    pub fn set_detector_factor(&mut self, factor: DetectorFactor) {
        for channel in self.channels.iter_mut() {
            if let Interpolator::Limiter(detector) = &mut channel.interpolator {
                if detector.factor() != factor {
                    detector.set_factor(factor);
                    self.factor = factor.factor();
                }
            }
        }
    }

    /// Interpolator latency, input samples.
    pub fn latency_samples(&self) -> usize {
        self.latency_samples
    }

    /// Clears history and peaks. Never allocates.
    pub fn reset(&mut self) {
        self.channels.iter_mut().for_each(TruePeakChannel::reset);
    }

    /// The detector of one channel.
    ///
    /// # Panics
    /// If `channel` ≥ the number of channels.
    pub fn channel_mut(&mut self, channel: usize) -> &mut TruePeakChannel {
        &mut self.channels[channel]
    }

    /// The detector of one channel.
    ///
    /// # Panics
    /// If `channel` ≥ the number of channels.
    pub fn channel(&self, channel: usize) -> &TruePeakChannel {
        &self.channels[channel]
    }

    /// Highest true peak over all channels, linear.
    pub fn max_true_peak(&self) -> f32 {
        self.channels
            .iter()
            .fold(0.0, |peak, c| peak.max(c.true_peak()))
    }

    /// Highest sample peak over all channels, linear.
    pub fn max_sample_peak(&self) -> f32 {
        self.channels
            .iter()
            .fold(0.0, |peak, c| peak.max(c.sample_peak()))
    }
}

/// First detector stage: 2×, 256 taps per branch, 100 dB (Kaiser). Pass
/// band to ≈ 0.487·fs (21.5 kHz at 44.1 kHz), images ≥ 100 dB down from
/// ≈ 0.513·fs; 128 samples latency. The pass band is what decides how far
/// full-band material (noise, clipping) can overshoot an accurate meter:
/// with 128 taps (0.478·fs) white noise overshot by 0.5 dB, with 256 by
/// ≈ 0.2 dB (see `tests/maximizer_true_peak.rs`).
pub const DETECTOR_STAGE1: UpsamplerDesign = UpsamplerDesign {
    factor: 2,
    taps_per_phase: 256,
    stopband_attenuation_db: 100.0,
};
/// Taps per branch of the second detector stage. Its input holds content up
/// to 0.244 of its rate with images from 0.756, so a short filter suffices:
/// 12 taps at 80 dB give a pass band to 0.29 and a stop band from 0.71.
pub const DETECTOR_STAGE2_TAPS: usize = 12;
/// Stopband attenuation of the second detector stage, dB.
pub const DETECTOR_STAGE2_ATTENUATION_DB: f64 = 80.0;
/// Detector latency, input samples: 128 (stage 1) + 6 samples at 2·fs (stage 2).
pub const DETECTOR_LATENCY_SAMPLES: usize =
    DETECTOR_STAGE1.taps_per_phase / 2 + DETECTOR_STAGE2_TAPS / 2 / DETECTOR_STAGE1.factor;
/// Detection oversampling factor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DetectorFactor {
    /// 2× · 2×.
    #[default]
    X4,
    /// 2× · 4×.
    X8,
}

impl DetectorFactor {
    /// Total oversampling factor (4 or 8).
    pub fn factor(self) -> usize {
        match self {
            Self::X4 => 4,
            Self::X8 => 8,
        }
    }
}

/// Oversampling factor of the meter-compliance path at `sample_rate` Hz:
/// what libebur128 / the `ebur128` crate use (4× below 96 kHz, else 2×).
pub fn meter_factor(sample_rate: f64) -> usize {
    if sample_rate < METER_2X_FROM_HZ {
        4
    } else {
        2
    }
}
/// Rate from which BS.1770 meters (libebur128) switch from 4× to 2×, Hz.
pub const METER_2X_FROM_HZ: f64 = 96_000.0;

/// The limiter-grade true-peak detector for one channel (see the module
/// docs): the accurate two-stage path, refined, and beside it the meter-compliance
/// path ([`UpsamplerCoefs::bs1770_meter`]) aligned to it; the larger wins.
/// Evaluated a block at a time (see the module docs).
#[derive(Debug, Clone)]
pub struct TruePeakDetector {
    /// Input history shared by stage 1 and the (delayed) meter path.
    input: LinearHistory,
    /// Stage 1 branch 1 ([`DETECTOR_STAGE1`]), newest sample first.
    stage1: Box<[f32]>,
    /// History of the stage-1 output (2× rate).
    half: LinearHistory,
    /// Stage 2 branches for [`DetectorFactor::X4`] (one) and
    /// [`DetectorFactor::X8`] (three), [`DETECTOR_STAGE2_TAPS`] each.
    stage2_x4: Box<[f32]>,
    stage2_x8: Box<[f32]>,
    factor: DetectorFactor,
    /// The two previous oversampled values (older first), for refinement.
    previous: [f32; 2],
    /// Meter paths beside the accurate one: the BS.1770 meters'
    /// interpolator, and with [`Self::with_design`] optionally the Annex 2
    /// one; the largest reading wins.
    meters: Box<[MeterPath]>,
    /// Per-block working buffers (on the heap: no zeroing per block).
    scratch: Box<DetectorScratch>,
}

/// One interpolator read beside the accurate path of a [`TruePeakDetector`],
/// on the input delayed so its output lines up with the accurate path's.
#[derive(Debug, Clone)]
struct MeterPath {
    /// Branches `1..factor`, `taps` each, newest sample first.
    branches: Box<[f32]>,
    taps: usize,
    /// Delay aligning the path to the accurate one, input samples.
    align: usize,
}

impl MeterPath {
    /// The path for `coefs` (`normalised` as in [`branch_coefs`]).
    fn new(coefs: &UpsamplerCoefs, normalised: bool) -> Self {
        Self {
            branches: branch_coefs(coefs, normalised),
            taps: coefs.design().taps_per_phase,
            align: DETECTOR_LATENCY_SAMPLES - coefs.design().latency_samples(),
        }
    }
}

/// Working buffers of one [`TruePeakDetector`] block, contents meaningless
/// between blocks.
#[derive(Debug, Clone)]
struct DetectorScratch {
    branch1: [f32; BLOCK_FRAMES],
    half: [f32; DETECTOR_STAGE1.factor * BLOCK_FRAMES],
    fine: [[f32; DETECTOR_STAGE1.factor * BLOCK_FRAMES]; MAX_STAGE2_FACTOR - 1],
    stream: [f32; 2 + DETECTOR_STAGE1.factor * MAX_STAGE2_FACTOR * BLOCK_FRAMES],
    refined: [f32; DETECTOR_STAGE1.factor * MAX_STAGE2_FACTOR * BLOCK_FRAMES],
    meter_peaks: [f32; BLOCK_FRAMES],
    out: [f32; BLOCK_FRAMES],
}

impl TruePeakDetector {
    /// A cleared detector for `sample_rate` Hz. Allocates.
    pub fn new(factor: DetectorFactor, sample_rate: f64) -> Self {
        Self::with_design(factor, DETECTOR_STAGE1, false, sample_rate)
    }

    /// A cleared detector for `sample_rate` Hz with its own first stage
    /// `stage1` (2×, [`DETECTOR_STAGE1`]'s length, so the same latency), and,
    /// with `annex2_path`, a third reading: the suite meter's Annex 2
    /// interpolator ([`UpsamplerDesign::TRUE_PEAK`] at
    /// [`oversampling_factor`]), aligned like the BS.1770 one. This is the
    /// Maximizer's true-peak guard detector
    /// ([`crate::units::limiter_guard`]). Allocates.
    ///
    /// # Panics
    /// If `stage1` is not 2× with [`DETECTOR_STAGE1`]'s taps per branch.
    pub fn with_design(
        factor: DetectorFactor,
        stage1: UpsamplerDesign,
        annex2_path: bool,
        sample_rate: f64,
    ) -> Self {
        assert!(
            stage1.factor == DETECTOR_STAGE1.factor
                && stage1.taps_per_phase == DETECTOR_STAGE1.taps_per_phase,
            "stage 1 must match the detector's factor and length"
        );
        let stage2 = |factor| {
            branch_coefs(
                &UpsamplerCoefs::new(UpsamplerDesign {
                    factor,
                    taps_per_phase: DETECTOR_STAGE2_TAPS,
                    stopband_attenuation_db: DETECTOR_STAGE2_ATTENUATION_DB,
                }),
                true,
            )
        };
        let mut meters = vec![MeterPath::new(
            &UpsamplerCoefs::bs1770_meter(meter_factor(sample_rate)),
            false,
        )];
        if annex2_path {
            let annex2 = UpsamplerDesign {
                factor: oversampling_factor(sample_rate),
                ..UpsamplerDesign::TRUE_PEAK
            };
            meters.push(MeterPath::new(&UpsamplerCoefs::new(annex2), true));
        }
        let keep = meters
            .iter()
            .map(|m| m.align + m.taps - 1)
            .fold(stage1.taps_per_phase - 1, usize::max);
        Self {
            input: LinearHistory::new(keep, BLOCK_FRAMES),
            stage1: branch_coefs(&UpsamplerCoefs::new(stage1), true),
            half: LinearHistory::new(
                DETECTOR_STAGE2_TAPS - 1,
                DETECTOR_STAGE1.factor * BLOCK_FRAMES,
            ),
            stage2_x4: stage2(2),
            stage2_x8: stage2(4),
            factor,
            previous: [0.0; 2],
            meters: meters.into_boxed_slice(),
            scratch: Box::new(DetectorScratch {
                branch1: [0.0; BLOCK_FRAMES],
                half: [0.0; DETECTOR_STAGE1.factor * BLOCK_FRAMES],
                fine: [[0.0; DETECTOR_STAGE1.factor * BLOCK_FRAMES]; MAX_STAGE2_FACTOR - 1],
                stream: [0.0; 2 + DETECTOR_STAGE1.factor * MAX_STAGE2_FACTOR * BLOCK_FRAMES],
                refined: [0.0; DETECTOR_STAGE1.factor * MAX_STAGE2_FACTOR * BLOCK_FRAMES],
                meter_peaks: [0.0; BLOCK_FRAMES],
                out: [0.0; BLOCK_FRAMES],
            }),
        }
    }

    /// Latency, input samples ([`DETECTOR_LATENCY_SAMPLES`]).
    pub fn latency_samples(&self) -> usize {
        DETECTOR_LATENCY_SAMPLES
    }

    /// Detection factor in use.
    pub fn factor(&self) -> DetectorFactor {
        self.factor
    }

    /// Switches the factor and clears the history. Never allocates.
    pub fn set_factor(&mut self, factor: DetectorFactor) {
        self.factor = factor;
        self.reset();
    }

    /// Clears the history. Never allocates.
    pub fn reset(&mut self) {
        self.input.reset();
        self.half.reset();
        self.previous = [0.0; 2];
    }

    /// Pushes one input sample; returns the refined peak magnitude (linear)
    /// of the oversampled stream around the input instant
    /// [`Self::latency_samples`] ago (within ±1 sample).
    #[inline]
    pub fn process(&mut self, x: f32) -> f32 {
        let mut peak = [0.0f32];
        self.process_block(&[x], &mut peak);
        peak[0]
    }

    /// [`Self::process`] for a block: `peaks[i]` is what `process(input[i])`
    /// would return, bit for bit. Finite input. Never allocates.
    ///
    /// # Panics
    /// If `peaks` is shorter than `input`.
    pub fn process_block(&mut self, input: &[f32], peaks: &mut [f32]) {
        assert!(peaks.len() >= input.len(), "one peak per input sample");
        for (piece, peaks) in input
            .chunks(BLOCK_FRAMES)
            .zip(peaks.chunks_mut(BLOCK_FRAMES))
        {
            self.process_piece(piece, &mut peaks[..piece.len()]);
        }
    }

    /// [`Self::process_block`] for at most [`BLOCK_FRAMES`] samples.
    fn process_piece(&mut self, input: &[f32], peaks: &mut [f32]) {
        const HALF_FACTOR: usize = DETECTOR_STAGE1.factor;
        let len = input.len();
        let start = self.input.append(input, |x| x);
        let x = self.input.samples();
        let sc = &mut *self.scratch;

        // Stage 1: the delayed input, then branch 1, interleaved.
        let branch1 = &mut sc.branch1;
        fir_block(&self.stage1, x, start, &mut branch1[..len]);
        let delay1 = DETECTOR_STAGE1.taps_per_phase / 2;
        let half = &mut sc.half;
        for (i, pair) in half[..HALF_FACTOR * len]
            .chunks_exact_mut(HALF_FACTOR)
            .enumerate()
        {
            pair[0] = x[start + i - delay1];
            pair[1] = branch1[i];
        }

        // Stage 2 on the 2× stream.
        let half_len = HALF_FACTOR * len;
        let half_start = self.half.append(&half[..half_len], |v| v);
        let h = self.half.samples();
        let branches = match self.factor {
            DetectorFactor::X4 => &self.stage2_x4,
            DetectorFactor::X8 => &self.stage2_x8,
        };
        let fine = &mut sc.fine;
        let stage2_branches = branches.len() / DETECTOR_STAGE2_TAPS;
        for (branch, out) in branches
            .chunks_exact(DETECTOR_STAGE2_TAPS)
            .zip(fine.iter_mut())
        {
            fir_block(branch, h, half_start, &mut out[..half_len]);
        }
        let delay2 = DETECTOR_STAGE2_TAPS / 2;

        // Refinement: the oversampled stream in order, after the two values
        // of the previous block, then every point refined (branch-free, so
        // it vectorises) and the largest per input sample kept.
        let fine_factor = HALF_FACTOR * (stage2_branches + 1);
        let stream_len = fine_factor * len;
        let stream = &mut sc.stream;
        stream[..2].copy_from_slice(&self.previous);
        let delayed = &h[half_start - delay2..half_start - delay2 + half_len];
        let points = &mut stream[2..2 + stream_len];
        match stage2_branches {
            1 => interleave::<2>(points, delayed, fine),
            _ => interleave::<4>(points, delayed, fine),
        }
        let refined = &mut sc.refined[..stream_len];
        let (a, b, c) = (
            &stream[..stream_len],
            &stream[1..stream_len + 1],
            &stream[2..stream_len + 2],
        );
        for (((r, &a), &b), &c) in refined.iter_mut().zip(a).zip(b).zip(c) {
            *r = refined_peak_branchless(a, b, c);
        }
        match fine_factor {
            4 => largest_per_frame::<4>(peaks, refined),
            _ => largest_per_frame::<8>(peaks, refined),
        }
        self.previous = [stream[stream_len], stream[stream_len + 1]];

        // Meter paths, each on the input delayed by its `align` (the largest
        // of exact maxima: the order of the paths does not matter).
        for path in self.meters.iter() {
            let meter_newest = start - path.align;
            let meter_delay = path.align + path.taps / 2;
            let meter_peaks = &mut sc.meter_peaks;
            for (peak, &v) in meter_peaks[..len]
                .iter_mut()
                .zip(&x[start - meter_delay..start - meter_delay + len])
            {
                *peak = v.abs();
            }
            let out = &mut sc.out;
            for branch in path.branches.chunks_exact(path.taps) {
                fir_block(branch, x, meter_newest, &mut out[..len]);
                for (peak, y) in meter_peaks[..len].iter_mut().zip(&out[..len]) {
                    *peak = peak.max(y.abs());
                }
            }
            for (peak, meter) in peaks.iter_mut().zip(&meter_peaks[..len]) {
                *peak = peak.max(*meter);
            }
        }
    }
}

/// The 2× stream at the finer rate: for each 2× sample `m`, the delayed
/// 2× value then the `N − 1` second-stage branches' outputs, written to
/// `points[N·m ..][..N]`. `N` is the second-stage factor (2 or 4), a
/// constant so the loop is unrolled and free of bounds checks.
#[inline(always)]
fn interleave<const N: usize>(
    points: &mut [f32],
    delayed: &[f32],
    fine: &[[f32; DETECTOR_STAGE1.factor * BLOCK_FRAMES]; MAX_STAGE2_FACTOR - 1],
) {
    for (m, (frame, &d)) in points.chunks_exact_mut(N).zip(delayed).enumerate() {
        frame[0] = d;
        for k in 1..N {
            frame[k] = fine[k - 1][m];
        }
    }
}

/// `peaks[i]` = the largest of `refined[N·i ..][..N]` (all ≥ 0, no NaN),
/// folded from 0 in order as the per-sample detector does. `N` is the total
/// factor (4 or 8), a constant so the fold is unrolled.
#[inline(always)]
fn largest_per_frame<const N: usize>(peaks: &mut [f32], refined: &[f32]) {
    for (peak, points) in peaks.iter_mut().zip(refined.chunks_exact(N)) {
        *peak = points.iter().fold(0.0f32, |p, &r| p.max(r));
    }
}

/// Largest second-stage factor ([`DetectorFactor::X8`]: 2× · 4×).
const MAX_STAGE2_FACTOR: usize = 4;

/// Peak magnitude around the newest point `c` of a stream `…, a, b, c`:
/// `|c|`, or, if `b` is a local maximum of the magnitude, the vertex of the
/// parabola through `a, b, c` when it is higher (never more than 1.25·|b|).
#[cfg(test)]
#[inline(always)]
pub fn refined_peak(a: f32, b: f32, c: f32) -> f32 {
    let mag_b = b.abs();
    let mut peak = c.abs();
    if mag_b >= a.abs() && mag_b >= peak && mag_b > 0.0 {
        let (a, c) = if b < 0.0 { (-a, -c) } else { (a, c) };
        let curvature = 2.0 * mag_b - a - c;
        if curvature > 0.0 {
            let d = a - c;
            peak = peak.max(mag_b + d * d / (8.0 * curvature));
        }
    }
    peak
}

/// Input samples handled per pass of the block interpolators (sizes their
/// stack scratch; longer blocks are split).
pub const BLOCK_FRAMES: usize = 128;

/// Polyphase branches of `coefs` as [`Upsampler`] runs them (branches
/// `1..factor`, `taps_per_phase` taps each, newest sample first), recomputed
/// from the prototype with the same arithmetic: normalised to unity DC gain
/// (`normalised`, the Kaiser designs of [`UpsamplerCoefs::new`]) or taken as
/// they are ([`UpsamplerCoefs::bs1770_meter`]). The tests check the result
/// against [`Upsampler`] bit for bit.
fn branch_coefs(coefs: &UpsamplerCoefs, normalised: bool) -> Box<[f32]> {
    let factor = coefs.design().factor;
    let taps = coefs.design().taps_per_phase;
    let prototype = coefs.prototype();
    let mut branches = vec![0.0f32; (factor - 1) * taps];
    for phase in 1..factor {
        let branch = &mut branches[(phase - 1) * taps..phase * taps];
        let sum: f64 = (0..taps).map(|k| prototype[phase + k * factor]).sum();
        for (k, coef) in branch.iter_mut().enumerate() {
            let h = prototype[phase + k * factor];
            *coef = if normalised {
                (h / sum) as f32
            } else {
                h as f32
            };
        }
    }
    branches.into_boxed_slice()
}

/// Input history kept as one linear buffer: the newest `keep` samples before
/// a block, then the block, so every FIR output reads one contiguous slice.
/// When the buffer is full the last `keep` samples move to its front (once
/// per [`BLOCK_FRAMES`] · k samples, not per sample as a ring would need).
#[derive(Debug, Clone)]
struct LinearHistory {
    buf: Box<[f32]>,
    /// One past the newest sample.
    end: usize,
    /// Samples of look-back every read needs.
    keep: usize,
}

impl LinearHistory {
    /// Room for `keep` samples of look-back and blocks of up to `capacity`
    /// (the buffer is `keep + 4·capacity` long). Allocates.
    fn new(keep: usize, capacity: usize) -> Self {
        Self {
            buf: vec![0.0; keep + 4 * capacity].into_boxed_slice(),
            end: keep,
            keep,
        }
    }

    /// Clears to silence. Never allocates.
    fn reset(&mut self) {
        self.buf.fill(0.0);
        self.end = self.keep;
    }

    /// Appends `input` (≤ the capacity) with `map` applied to each sample;
    /// returns the index of its first sample in [`Self::samples`].
    #[inline]
    fn append(&mut self, input: &[f32], map: impl Fn(f32) -> f32) -> usize {
        if self.end + input.len() > self.buf.len() {
            self.buf.copy_within(self.end - self.keep..self.end, 0);
            self.end = self.keep;
        }
        let start = self.end;
        for (dst, &x) in self.buf[start..start + input.len()].iter_mut().zip(input) {
            *dst = map(x);
        }
        self.end += input.len();
        start
    }

    fn samples(&self) -> &[f32] {
        &self.buf
    }
}

/// `out[n] = Σ_k branch[k]·x[newest + n − k]` for every `n` of `out`: one
/// polyphase branch over a block, with exactly the arithmetic of
/// [`Upsampler`]'s per-sample dot product (four partial sums over `k mod 4`,
/// each in increasing `k`, products and sums rounded separately, then
/// `(s0 + s1) + (s2 + s3)`), so the result is bit-identical to it. With AVX
/// (detected at run time) eight outputs are computed per vector, one per
/// lane, in that same order; without, the scalar loop below.
///
/// # Panics
/// If `branch.len()` is not a multiple of 4, or `x` does not hold
/// `newest + 1 − branch.len() ..= newest + out.len() − 1`.
#[inline]
fn fir_block(branch: &[f32], x: &[f32], newest: usize, out: &mut [f32]) {
    assert!(branch.len().is_multiple_of(4) && newest + 1 >= branch.len());
    assert!(newest + out.len() <= x.len());
    #[cfg(target_arch = "x86_64")]
    {
        if std::arch::is_x86_feature_detected!("avx") {
            // SAFETY: AVX is present (checked above); the bounds asserted
            // above are what the vector loads rely on.
            unsafe { fir_block_avx(branch, x, newest, out) };
            return;
        }
    }
    fir_block_scalar(branch, x, newest, out, 0);
}

/// The scalar form of [`fir_block`] for outputs `from..`.
#[inline]
fn fir_block_scalar(branch: &[f32], x: &[f32], newest: usize, out: &mut [f32], from: usize) {
    for (n, y) in out.iter_mut().enumerate().skip(from) {
        let mut acc = [0.0f32; 4];
        let recent_end = newest + n;
        for (j, chunk) in branch.chunks_exact(4).enumerate() {
            for i in 0..4 {
                acc[i] += chunk[i] * x[recent_end - (4 * j + i)];
            }
        }
        *y = (acc[0] + acc[1]) + (acc[2] + acc[3]);
    }
}

/// [`fir_block`] with AVX: sixteen outputs per pass (two vectors sharing
/// each broadcast coefficient), then eight, then the scalar loop.
///
/// # Safety
/// AVX must be available, and the bounds of [`fir_block`] hold.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx")]
unsafe fn fir_block_avx(branch: &[f32], x: &[f32], newest: usize, out: &mut [f32]) {
    use std::arch::x86_64::*;
    const LANES: usize = 8;
    let taps = branch.len();
    let xp = x.as_ptr();
    let bp = branch.as_ptr();
    let op = out.as_mut_ptr();
    let len = out.len();
    let mut n = 0;
    // SAFETY (all loads): for output n + lane and tap k the sample read is
    // x[newest + n + lane − k], within the range asserted by `fir_block`.
    unsafe {
        while n + 2 * LANES <= len {
            let mut a = [_mm256_setzero_ps(); 4];
            let mut b = [_mm256_setzero_ps(); 4];
            let base = xp.add(newest + n);
            let mut k = 0;
            while k < taps {
                for i in 0..4 {
                    let h = _mm256_broadcast_ss(&*bp.add(k + i));
                    let src = base.sub(k + i);
                    a[i] = _mm256_add_ps(a[i], _mm256_mul_ps(h, _mm256_loadu_ps(src)));
                    b[i] = _mm256_add_ps(b[i], _mm256_mul_ps(h, _mm256_loadu_ps(src.add(LANES))));
                }
                k += 4;
            }
            let ya = _mm256_add_ps(_mm256_add_ps(a[0], a[1]), _mm256_add_ps(a[2], a[3]));
            let yb = _mm256_add_ps(_mm256_add_ps(b[0], b[1]), _mm256_add_ps(b[2], b[3]));
            _mm256_storeu_ps(op.add(n), ya);
            _mm256_storeu_ps(op.add(n + LANES), yb);
            n += 2 * LANES;
        }
        while n + LANES <= len {
            let mut a = [_mm256_setzero_ps(); 4];
            let base = xp.add(newest + n);
            let mut k = 0;
            while k < taps {
                for i in 0..4 {
                    let h = _mm256_broadcast_ss(&*bp.add(k + i));
                    a[i] = _mm256_add_ps(a[i], _mm256_mul_ps(h, _mm256_loadu_ps(base.sub(k + i))));
                }
                k += 4;
            }
            let ya = _mm256_add_ps(_mm256_add_ps(a[0], a[1]), _mm256_add_ps(a[2], a[3]));
            _mm256_storeu_ps(op.add(n), ya);
            n += LANES;
        }
    }
    fir_block_scalar(branch, x, newest, out, n);
}

/// Lanes of [`fold_peak`]'s independent maxima (one AVX vector).
const PEAK_LANES: usize = 8;

/// Largest `|out|` over a block of interpolated values, folded into `peak`
/// (≥ 0). The values are finite (sanitised input, bounded filters), so the
/// maximum is exact in any grouping: it is taken over [`PEAK_LANES`]
/// independent lanes, which vectorise, and is bit-identical to a serial fold
/// (tested).
#[inline]
fn fold_peak(peak: f32, values: &[f32]) -> f32 {
    let mut lanes = [0.0f32; PEAK_LANES];
    let chunks = values.chunks_exact(PEAK_LANES);
    let rest = chunks.remainder();
    for chunk in chunks {
        for (lane, &v) in lanes.iter_mut().zip(chunk) {
            let v = v.abs();
            *lane = if v > *lane { v } else { *lane };
        }
    }
    let peak = rest.iter().fold(peak, |p, y| p.max(y.abs()));
    lanes.iter().fold(peak, |p, &l| p.max(l))
}

/// The parabola refinement (`refined_peak` in the tests, the reference)
/// without branches, the same arithmetic and result, so a
/// block of points can be refined with vector instructions.
#[inline(always)]
pub fn refined_peak_branchless(a: f32, b: f32, c: f32) -> f32 {
    let mag_b = b.abs();
    let mag_c = c.abs();
    let refine_candidate = mag_b >= a.abs() && mag_b >= mag_c && mag_b > 0.0;
    let (a, c) = if b < 0.0 { (-a, -c) } else { (a, c) };
    let curvature = 2.0 * mag_b - a - c;
    let d = a - c;
    let vertex = mag_b + d * d / (8.0 * curvature);
    if refine_candidate && curvature > 0.0 {
        mag_c.max(vertex)
    } else {
        mag_c
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::primitives::delay::DelayLine;
    use crate::primitives::oversampling::Upsampler;

    /// The per-sample detector this module ran before block evaluation,
    /// built from [`Upsampler`]s: the reference the block path must equal.
    struct ReferenceDetector {
        stage1: Upsampler,
        stage2: Upsampler,
        previous: [f32; 2],
        meter: Upsampler,
        meter_align: DelayLine,
    }

    impl ReferenceDetector {
        fn new(factor: DetectorFactor, sample_rate: f64) -> Self {
            let meter =
                Upsampler::from_coefs(UpsamplerCoefs::bs1770_meter(meter_factor(sample_rate)));
            let align = DETECTOR_LATENCY_SAMPLES - meter.latency_samples();
            let mut meter_align = DelayLine::new(align);
            meter_align.set_delay_samples(align);
            Self {
                stage1: Upsampler::new(DETECTOR_STAGE1),
                stage2: Upsampler::new(UpsamplerDesign {
                    factor: factor.factor() / 2,
                    taps_per_phase: DETECTOR_STAGE2_TAPS,
                    stopband_attenuation_db: DETECTOR_STAGE2_ATTENUATION_DB,
                }),
                previous: [0.0; 2],
                meter,
                meter_align,
            }
        }

        fn process(&mut self, x: f32) -> f32 {
            let mut half = [0.0f32; MAX_FACTOR];
            self.stage1.process_sample(x, &mut half);
            let mut peak = 0.0f32;
            let mut fine = [0.0f32; MAX_FACTOR];
            for &v in &half[..2] {
                self.stage2.process_sample(v, &mut fine);
                for &y in &fine[..self.stage2.factor()] {
                    let [a, b] = self.previous;
                    self.previous = [b, y];
                    peak = peak.max(refined_peak(a, b, y));
                }
            }
            let meter_input = self.meter_align.process(x);
            peak.max(self.meter.process_sample_peak(meter_input))
        }
    }

    /// Seeded noise with bursts of full-scale squares and near-silence, so
    /// every branch and the refinement see large, small and zero values.
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
                    1 => {
                        if (i / 3) % 2 == 0 {
                            1.0
                        } else {
                            -1.0
                        }
                    }
                    2 => noise * 1e-3,
                    _ => 0.0,
                }
            })
            .collect()
    }

    /// Splits `len` samples into uneven blocks (1 sample up to several
    /// hundred), so block edges and history moves fall everywhere.
    fn uneven_blocks(len: usize) -> Vec<std::ops::Range<usize>> {
        let sizes = [1usize, 7, 128, 3, 300, 64, 129, 16, 2, 511];
        let mut ranges = Vec::new();
        let mut start = 0;
        for k in 0.. {
            if start >= len {
                break;
            }
            let end = (start + sizes[k % sizes.len()]).min(len);
            ranges.push(start..end);
            start = end;
        }
        ranges
    }

    #[test]
    fn block_detector_equals_the_per_sample_upsamplers_bit_for_bit() {
        let input = test_signal(12_000, 7);
        for sample_rate in [44_100.0, 48_000.0, 96_000.0] {
            for factor in [DetectorFactor::X4, DetectorFactor::X8] {
                let mut reference = ReferenceDetector::new(factor, sample_rate);
                let expected: Vec<f32> = input.iter().map(|&x| reference.process(x)).collect();
                let mut detector = TruePeakDetector::new(factor, sample_rate);
                let mut got = vec![0.0f32; input.len()];
                for range in uneven_blocks(input.len()) {
                    detector.process_block(&input[range.clone()], &mut got[range]);
                }
                for (i, (g, e)) in got.iter().zip(&expected).enumerate() {
                    assert_eq!(
                        g.to_bits(),
                        e.to_bits(),
                        "{sample_rate} {factor:?} at {i}: {g} vs {e}"
                    );
                }
                // The per-sample entry point is the same path.
                let mut single = TruePeakDetector::new(factor, sample_rate);
                for (i, &x) in input.iter().enumerate().take(3000) {
                    assert_eq!(single.process(x).to_bits(), expected[i].to_bits(), "{i}");
                }
            }
        }
    }

    #[test]
    fn block_meter_reads_what_the_per_sample_upsampler_reads() {
        let input = test_signal(9_000, 11);
        for sample_rate in [22_050.0, 44_100.0, 48_000.0, 192_000.0] {
            let design = UpsamplerDesign {
                factor: oversampling_factor(sample_rate),
                ..UpsamplerDesign::TRUE_PEAK
            };
            let mut upsampler = Upsampler::new(design);
            let mut channel = TruePeakChannel::new(design);
            for range in uneven_blocks(input.len()) {
                let block = &input[range];
                let expected = block.iter().fold(channel.true_peak, |p, &x| {
                    p.max(upsampler.process_sample_peak(x))
                });
                let expected_sample = block
                    .iter()
                    .fold(channel.sample_peak, |p, x| p.max(x.abs()));
                channel.process_block(block);
                assert_eq!(
                    channel.true_peak.to_bits(),
                    expected.to_bits(),
                    "{sample_rate}"
                );
                assert_eq!(channel.sample_peak().to_bits(), expected_sample.to_bits());
            }
        }
    }

    #[test]
    fn scalar_and_vector_fir_agree_exactly() {
        let x = test_signal(2_000, 3);
        let coefs = UpsamplerCoefs::new(DETECTOR_STAGE1);
        let branch = branch_coefs(&coefs, true);
        for len in [1usize, 8, 15, 16, 17, 100, 128] {
            let mut vector = vec![0.0f32; len];
            let mut scalar = vec![0.0f32; len];
            fir_block(&branch, &x, 400, &mut vector);
            fir_block_scalar(&branch, &x, 400, &mut scalar, 0);
            assert_eq!(vector, scalar, "{len}");
        }
    }

    #[test]
    fn lane_parallel_peak_equals_the_serial_fold() {
        let x = test_signal(3_000, 13);
        for len in [0usize, 1, 7, 8, 9, 64, 127, 128, 3_000] {
            for peak in [0.0f32, 0.3, 2.0] {
                let serial = x[..len].iter().fold(peak, |p, y| p.max(y.abs()));
                assert_eq!(
                    fold_peak(peak, &x[..len]).to_bits(),
                    serial.to_bits(),
                    "{len}"
                );
            }
        }
    }

    #[test]
    fn branchless_refinement_equals_the_branching_one() {
        let values = [0.0f32, -0.0, 1.0, -1.0, 0.5, -0.5, 0.999, -0.25, 2.0, 1e-30];
        for &a in &values {
            for &b in &values {
                for &c in &values {
                    assert_eq!(
                        refined_peak_branchless(a, b, c).to_bits(),
                        refined_peak(a, b, c).to_bits(),
                        "{a} {b} {c}"
                    );
                }
            }
        }
    }

    #[test]
    fn parabola_refines_a_sampled_cosine() {
        // cos at 1/8 cycle per point, peak between points: the refined
        // value is within 0.08 dB of 1 and never above it.
        let theta = std::f32::consts::PI / 4.0;
        for k in 0..20 {
            let d = k as f32 / 20.0 - 0.5;
            let p = refined_peak(
                (theta * (-1.0 - d)).cos(),
                (theta * -d).cos(),
                (theta * (1.0 - d)).cos(),
            );
            assert!(p <= 1.0 + 1e-6 && p > 0.991, "{d}: {p}");
        }
    }
}
