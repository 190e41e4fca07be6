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

use crate::primitives::delay::DelayLine;
use crate::primitives::oversampling::{Upsampler, UpsamplerCoefs, UpsamplerDesign, MAX_FACTOR};

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
    Meter(Upsampler),
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
        Self::with_interpolator(Interpolator::Meter(Upsampler::new(design)))
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
            Interpolator::Meter(upsampler) => upsampler.reset(),
            Interpolator::Limiter(detector) => detector.reset(),
            Interpolator::Off => {}
        }
        self.true_peak = 0.0;
        self.sample_peak = 0.0;
    }

    /// Feeds one finite sample.
    #[inline(always)]
    pub fn process(&mut self, x: f32) {
        self.sample_peak = self.sample_peak.max(x.abs());
        let peak = match &mut self.interpolator {
            Interpolator::Meter(upsampler) => upsampler.process_sample_peak(x),
            Interpolator::Limiter(detector) => detector.process(x),
            Interpolator::Off => return,
        };
        self.true_peak = self.true_peak.max(peak);
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
#[derive(Debug, Clone)]
pub struct TruePeakDetector {
    stage1: Upsampler,
    stage2_x4: Upsampler,
    stage2_x8: Upsampler,
    factor: DetectorFactor,
    /// The two previous oversampled values (older first), for refinement.
    previous: [f32; 2],
    /// Meter-compliance interpolator and the delay aligning it.
    meter: Upsampler,
    meter_align: DelayLine,
}

impl TruePeakDetector {
    /// A cleared detector for `sample_rate` Hz. Allocates.
    pub fn new(factor: DetectorFactor, sample_rate: f64) -> Self {
        let stage2 = |factor| {
            Upsampler::new(UpsamplerDesign {
                factor,
                taps_per_phase: DETECTOR_STAGE2_TAPS,
                stopband_attenuation_db: DETECTOR_STAGE2_ATTENUATION_DB,
            })
        };
        let meter = Upsampler::from_coefs(UpsamplerCoefs::bs1770_meter(meter_factor(sample_rate)));
        let align = DETECTOR_LATENCY_SAMPLES - meter.latency_samples();
        let mut meter_align = DelayLine::new(align);
        meter_align.set_delay_samples(align);
        Self {
            stage1: Upsampler::new(DETECTOR_STAGE1),
            stage2_x4: stage2(2),
            stage2_x8: stage2(4),
            factor,
            previous: [0.0; 2],
            meter,
            meter_align,
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
        self.stage1.reset();
        self.stage2_x4.reset();
        self.stage2_x8.reset();
        self.previous = [0.0; 2];
        self.meter.reset();
        self.meter_align.reset();
    }

    /// Pushes one input sample; returns the refined peak magnitude (linear)
    /// of the oversampled stream around the input instant
    /// [`Self::latency_samples`] ago (within ±1 sample).
    #[inline]
    pub fn process(&mut self, x: f32) -> f32 {
        let mut half = [0.0f32; MAX_FACTOR];
        self.stage1.process_sample(x, &mut half);
        let stage2 = match self.factor {
            DetectorFactor::X4 => &mut self.stage2_x4,
            DetectorFactor::X8 => &mut self.stage2_x8,
        };
        let stage2_factor = stage2.factor();
        let mut peak = 0.0f32;
        let mut fine = [0.0f32; MAX_FACTOR];
        for &v in &half[..DETECTOR_STAGE1.factor] {
            stage2.process_sample(v, &mut fine);
            for &y in &fine[..stage2_factor] {
                let [a, b] = self.previous;
                self.previous = [b, y];
                peak = peak.max(refined_peak(a, b, y));
            }
        }
        let meter_input = self.meter_align.process(x);
        peak.max(self.meter.process_sample_peak(meter_input))
    }
}

/// Peak magnitude around the newest point `c` of a stream `…, a, b, c`:
/// `|c|`, or, if `b` is a local maximum of the magnitude, the vertex of the
/// parabola through `a, b, c` when it is higher (never more than 1.25·|b|).
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

#[cfg(test)]
mod tests {
    use super::*;

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
