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

use crate::primitives::oversampling::{Upsampler, UpsamplerDesign, MAX_FACTOR};

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

/// Running true peak and sample peak of one channel (linear, full scale = 1.0).
#[derive(Debug, Clone)]
pub struct TruePeakChannel {
    upsampler: Upsampler,
    true_peak: f32,
    sample_peak: f32,
}

impl TruePeakChannel {
    /// A cleared detector using `design`. Allocates.
    pub fn new(design: UpsamplerDesign) -> Self {
        Self {
            upsampler: Upsampler::new(design),
            true_peak: 0.0,
            sample_peak: 0.0,
        }
    }

    /// Clears history and peaks. Never allocates.
    pub fn reset(&mut self) {
        self.upsampler.reset();
        self.true_peak = 0.0;
        self.sample_peak = 0.0;
    }

    /// Feeds one finite sample.
    #[inline(always)]
    pub fn process(&mut self, x: f32) {
        self.sample_peak = self.sample_peak.max(x.abs());
        self.true_peak = self.true_peak.max(self.upsampler.process_sample_peak(x));
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
    /// A cleared meter for `num_channels` at `sample_rate` Hz
    /// (factor from [`oversampling_factor`]). Allocates.
    pub fn new(sample_rate: f64, num_channels: usize) -> Self {
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

    /// Oversampling factor in use.
    pub fn factor(&self) -> usize {
        self.factor
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
