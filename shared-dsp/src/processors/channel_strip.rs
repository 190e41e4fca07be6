//! The Channel Strip's processor: one type the plugin (and any offline
//! tool) runs, so they cannot drift.
//!
//! ```text
//! input trim + polarity ─► high-pass ─► low-pass
//!   ─► EQ ─► gate ─► compressor      (SectionOrder::EqThenDynamics)
//!   ─► gate ─► compressor ─► EQ      (SectionOrder::DynamicsThenEq)
//!   ─► saturation ─► width / pan / balance (stereo only) ─► output gain
//! ```
//!
//! Samples are f32 at the boundary and f64 inside; the strip works in
//! chunks of [`CHUNK_FRAMES`] frames on a stack scratch buffer. Non-finite
//! and subnormal input samples are replaced by 0 (every other f32 passes
//! through unchanged), and the output is guaranteed finite and free of
//! subnormals.
//!
//! With every section neutral (off, or at settings that cannot change the
//! signal) the output is bit-identical to the input: neutral sections are
//! skipped, not computed. Latency is 0 unless saturation is enabled
//! (see [`ChannelStrip::latency_samples`]).

use crate::primitives::biquad::BiquadState;
use crate::primitives::complex::Complex;
use crate::primitives::level::{db_to_amplitude, sanitize, LevelMath};
use crate::primitives::smoother::{Fade, Smoother};
use crate::units::dynamics::{Compressor, CompressorSettings, Gate, GateSettings};
use crate::units::eq::{CutFilter, CutFilterSettings, EqSettings, ParametricEq};
use crate::units::eq::{
    CONTROL_INTERVAL_SAMPLES, MAX_FREQUENCY_HZ, MAX_Q, MIN_FREQUENCY_HZ, MIN_Q, NUM_EQ_BANDS,
    PARAMETER_RAMP_MS,
};
use crate::units::filter::{BiquadCoefs, ButterworthCoefs, PassKind};
use crate::units::saturation::{SaturationSettings, Saturator};
use crate::units::stereo::{StereoSettings, StereoStage};

/// Most channels a strip processes.
pub use crate::primitives::channels::MAX_CHANNELS;
/// Frames per internal chunk (stack scratch size).
pub const CHUNK_FRAMES: usize = 64;
/// Input trim and output gain range, dB.
pub const GAIN_RANGE_DB: (f32, f32) = (-24.0, 24.0);
/// Glide time of input trim and output gain, ms.
pub const GAIN_RAMP_MS: f64 = 20.0;
/// A polarity flip ramps the channel gain from ±1 to ∓1 over this, ms.
pub const POLARITY_RAMP_MS: f64 = 10.0;

/// A band solo fades in and out over this, ms.
pub const SOLO_FADE_MS: f64 = 10.0;

/// The band solo's listening filter: a band-pass fed the EQ's input,
/// crossfaded over the EQ's output. While soloed, a band that moves glides
/// its band-pass as the EQ glides the band (log frequency and log Q over
/// [`PARAMETER_RAMP_MS`], coefficients redesigned every
/// [`CONTROL_INTERVAL_SAMPLES`]), so dragging a soloed node never clicks.
#[derive(Debug, Clone)]
struct BandSolo {
    /// Band-pass at the current (gliding) frequency and Q.
    coefs: BiquadCoefs,
    log2_frequency: Smoother,
    log2_q: Smoother,
    /// Samples until the next coefficient update while gliding.
    until_tick: u32,
    states: [BiquadState; MAX_CHANNELS],
    /// 0: the EQ's output; 1: the band-pass.
    fade: Fade,
}

impl BandSolo {
    fn new(sample_rate: f64) -> Self {
        let ramp = Smoother::samples_for_ms(PARAMETER_RAMP_MS, sample_rate);
        Self {
            coefs: BiquadCoefs::from_normalized(0.0, 0.0, 0.0, 0.0, 0.0),
            log2_frequency: Smoother::linear(0.0, ramp),
            log2_q: Smoother::linear(0.0, ramp),
            until_tick: 0,
            states: [BiquadState::new(); MAX_CHANNELS],
            fade: Fade::new(false, Smoother::samples_for_ms(SOLO_FADE_MS, sample_rate)),
        }
    }

    fn design(&mut self, sample_rate: f64) {
        self.coefs = BiquadCoefs::bandpass(
            self.log2_frequency.value().exp2(),
            self.log2_q.value().exp2(),
            sample_rate,
        );
    }

    /// Soloes the band of `frequency_hz` and `q` (`None`: none). A solo
    /// that starts is designed at once; a soloed band that moves glides.
    fn set(&mut self, band: Option<(f32, f32)>, sample_rate: f64) {
        if let Some((frequency_hz, q)) = band {
            let log2_frequency =
                f64::from(frequency_hz.clamp(MIN_FREQUENCY_HZ, MAX_FREQUENCY_HZ)).log2();
            let log2_q = f64::from(q.clamp(MIN_Q, MAX_Q)).log2();
            if self.fade.is_off() {
                self.log2_frequency.reset_to(log2_frequency);
                self.log2_q.reset_to(log2_q);
                self.design(sample_rate);
            } else if (log2_frequency, log2_q)
                != (self.log2_frequency.target(), self.log2_q.target())
            {
                self.log2_frequency.set_target(log2_frequency);
                self.log2_q.set_target(log2_q);
            }
        }
        self.fade.set_on(band.is_some());
    }

    fn reset(&mut self, sample_rate: f64) {
        self.fade.settle();
        self.log2_frequency.settle();
        self.log2_q.settle();
        self.design(sample_rate);
        for state in &mut self.states {
            state.reset();
        }
    }

    /// Mixes the band-pass of `dry` (the EQ's input) over `views` (its output).
    fn process(&mut self, dry: &[[f64; CHUNK_FRAMES]], views: &mut [&mut [f64]], sample_rate: f64) {
        let n = views.first().map_or(0, |v| v.len());
        let mut amount = [0.0f64; CHUNK_FRAMES];
        self.fade.fill(&mut amount[..n]);
        let mut start = 0;
        while start < n {
            if self.until_tick == 0 {
                self.until_tick = CONTROL_INTERVAL_SAMPLES;
                if self.log2_frequency.is_smoothing() || self.log2_q.is_smoothing() {
                    self.log2_frequency.advance(CONTROL_INTERVAL_SAMPLES);
                    self.log2_q.advance(CONTROL_INTERVAL_SAMPLES);
                    self.design(sample_rate);
                }
            }
            let end = n.min(start + self.until_tick as usize);
            for ((view, dry), state) in views.iter_mut().zip(dry).zip(&mut self.states) {
                for ((y, &x), &m) in view[start..end]
                    .iter_mut()
                    .zip(&dry[start..end])
                    .zip(&amount[start..end])
                {
                    let band = state.process(&self.coefs, x);
                    *y += m * (band - *y);
                }
            }
            self.until_tick -= (end - start) as u32;
            start = end;
        }
        if self.fade.is_off() {
            self.reset(sample_rate);
        }
    }
}

/// The soloed band's frequency (Hz) and Q, if a band is soloed.
fn solo_band(settings: &ChannelStripSettings) -> Option<(f32, f32)> {
    let band = settings.eq.bands.get(settings.eq_solo?)?;
    Some((band.frequency_hz, band.q))
}

/// Where the dynamics sit relative to the EQ.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SectionOrder {
    /// EQ, then gate and compressor.
    #[default]
    EqThenDynamics,
    /// Gate and compressor, then EQ.
    DynamicsThenEq,
}

/// Every setting of the strip. Plain values; each section clamps its own
/// values to the ranges its type documents.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ChannelStripSettings {
    /// Input trim, dB, −24 ..= +24.
    pub input_trim_db: f32,
    /// Polarity inversion per channel (entries past the channel count ignored).
    pub invert_polarity: [bool; MAX_CHANNELS],
    /// Butterworth high-pass (20 Hz ..= 20 kHz, order 1 ..= 8 = 6 ..= 48 dB/oct).
    pub high_pass: CutFilterSettings,
    /// Butterworth low-pass (same ranges).
    pub low_pass: CutFilterSettings,
    /// EQ section on/off (each band also has its own).
    pub eq_enabled: bool,
    /// Parametric bands (see [`crate::units::eq::EqBandSettings`]).
    pub eq: EqSettings,
    /// Band auditioned alone (index `0..NUM_EQ_BANDS`; `None`: off): the EQ
    /// section then outputs its input through a band-pass at that band's
    /// frequency and Q (unity at the centre, whatever the band's type, gain
    /// or on/off), as Pro-Q's band solo. Switching crossfades over
    /// [`SOLO_FADE_MS`]. The sections after the EQ still run.
    pub eq_solo: Option<usize>,
    /// Gate / expander (runs before the compressor).
    pub gate: GateSettings,
    /// Compressor.
    pub compressor: CompressorSettings,
    /// EQ before or after the dynamics.
    pub order: SectionOrder,
    /// Saturation (enabling it adds latency).
    pub saturation: SaturationSettings,
    /// Width, pan, balance (two-channel strips only).
    pub stereo: StereoSettings,
    /// Output gain, dB, −24 ..= +24.
    pub output_gain_db: f32,
}

impl Default for ChannelStripSettings {
    /// Every section neutral: the strip passes audio bit-exact.
    fn default() -> Self {
        Self {
            input_trim_db: 0.0,
            invert_polarity: [false; MAX_CHANNELS],
            high_pass: CutFilterSettings::HIGH_PASS_DEFAULT,
            low_pass: CutFilterSettings::LOW_PASS_DEFAULT,
            eq_enabled: true,
            eq: EqSettings::default(),
            eq_solo: None,
            gate: GateSettings::default(),
            compressor: CompressorSettings::default(),
            order: SectionOrder::EqThenDynamics,
            saturation: SaturationSettings::default(),
            stereo: StereoSettings::default(),
            output_gain_db: 0.0,
        }
    }
}

fn clamp_gain_db(db: f32) -> f64 {
    if db.is_nan() {
        0.0
    } else {
        f64::from(db.clamp(GAIN_RANGE_DB.0, GAIN_RANGE_DB.1))
    }
}

/// Analytic response of the filter sections (high-pass, low-pass, EQ) for
/// `settings` at `sample_rate`, as the strip realises them once every ramp
/// has settled. (For the coefficients in use mid-ramp see
/// [`ChannelStrip::filter_response`]; for many frequencies, design a
/// [`FilterCurve`] once.)
pub fn settings_response(
    settings: &ChannelStripSettings,
    sample_rate: f64,
    freq_hz: f64,
) -> Complex {
    FilterCurve::new(settings, sample_rate).response(freq_hz)
}

/// The filter sections (EQ bands, high-pass, low-pass) of a
/// [`ChannelStripSettings`] as coefficients, designed once, so a curve of
/// many points only evaluates responses: what the editor's curve draws.
/// Plain values.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FilterCurve {
    /// Sample rate the coefficients are designed for, Hz.
    sample_rate: f64,
    /// Each EQ band's coefficients; `None` where the band (or the EQ) is off.
    bands: [Option<BiquadCoefs>; NUM_EQ_BANDS],
    /// High-pass then low-pass; `None` where off.
    cuts: [Option<ButterworthCoefs>; 2],
}

impl FilterCurve {
    /// Designs the sections of `settings` at `sample_rate` (Hz, > 0).
    pub fn new(settings: &ChannelStripSettings, sample_rate: f64) -> Self {
        let bands = std::array::from_fn(|i| {
            let band = &settings.eq.bands[i];
            (settings.eq_enabled && band.enabled)
                .then(|| crate::units::eq::band_settings_coefs(band, sample_rate))
        });
        let cut = |filter: &CutFilterSettings, kind| {
            filter.enabled.then(|| {
                ButterworthCoefs::new(
                    kind,
                    usize::from(filter.order),
                    f64::from(filter.cutoff_hz),
                    sample_rate,
                )
            })
        };
        Self {
            sample_rate,
            bands,
            cuts: [
                cut(&settings.high_pass, PassKind::HighPass),
                cut(&settings.low_pass, PassKind::LowPass),
            ],
        }
    }

    /// Analytic response at `freq_hz` (0 ..= Nyquist), in the order the
    /// strip applies the sections' responses: EQ bands, high-pass, low-pass.
    pub fn response(&self, freq_hz: f64) -> Complex {
        let mut h = Complex::new(1.0, 0.0);
        for band in self.bands.iter().flatten() {
            h = h * band.response(freq_hz, self.sample_rate);
        }
        for cut in self.cuts.iter().flatten() {
            h = h * cut.response(freq_hz, self.sample_rate);
        }
        h
    }
}

/// A smoothed gain with a per-channel sign (polarity). The gain ramps
/// multiplicatively — a straight line in dB — so no per-sample `powf`.
#[derive(Debug, Clone)]
struct GainStage {
    /// Linear gain (> 0).
    gain: Smoother,
    sign: [Smoother; MAX_CHANNELS],
}

impl GainStage {
    fn new() -> Self {
        Self {
            gain: Smoother::multiplicative(1.0, 1),
            sign: [Smoother::linear(1.0, 1); MAX_CHANNELS],
        }
    }

    fn set_sample_rate(&mut self, sample_rate: f64) {
        self.gain
            .set_ramp_samples(Smoother::samples_for_ms(GAIN_RAMP_MS, sample_rate));
        let polarity = Smoother::samples_for_ms(POLARITY_RAMP_MS, sample_rate);
        self.sign
            .iter_mut()
            .for_each(|s| s.set_ramp_samples(polarity));
    }

    fn reset(&mut self) {
        self.gain.settle();
        self.sign.iter_mut().for_each(Smoother::settle);
    }

    fn is_bypassed(&self, num_channels: usize) -> bool {
        !self.gain.is_smoothing()
            && self.gain.target() == 1.0
            && self.sign[..num_channels]
                .iter()
                .all(|s| !s.is_smoothing() && s.target() == 1.0)
    }

    /// True if +0.0 in gives +0.0 out and the stage does not change: no
    /// ramp running and every sign positive.
    fn is_at_rest(&self, num_channels: usize) -> bool {
        !self.gain.is_smoothing()
            && self.sign[..num_channels]
                .iter()
                .all(|s| !s.is_smoothing() && s.target() > 0.0)
    }

    fn process(&mut self, channels: &mut [&mut [f64]]) {
        if self.is_bypassed(channels.len()) {
            return;
        }
        let len = channels.first().map_or(0, |c| c.len());
        for i in 0..len {
            let gain = self.gain.tick();
            for (samples, sign) in channels.iter_mut().zip(&mut self.sign) {
                samples[i] *= gain * sign.advance(1);
            }
        }
    }
}

/// The channel strip processor. Lifecycle as every unit (STYLE.md §2):
/// [`Self::new`] allocates, [`Self::set_sample_rate`] may, [`Self::reset`]
/// and [`Self::process`] never do.
#[derive(Debug, Clone)]
pub struct ChannelStrip {
    sample_rate: f64,
    num_channels: usize,
    settings: ChannelStripSettings,
    input: GainStage,
    high_pass: CutFilter,
    low_pass: CutFilter,
    eq: ParametricEq,
    solo: BandSolo,
    gate: Gate,
    compressor: Compressor,
    saturator: Saturator,
    saturation_on: bool,
    stereo: StereoStage,
    output: GainStage,
    /// Largest compressor gain reduction during the last `process`, dB ≥ 0.
    gain_reduction_db: f64,
    /// Frames until the stereo stage's ramps have certainly ended (it
    /// exposes no ramp state; a ramp lasts [`crate::units::stereo::RAMP_MS`]).
    stereo_ramp_left: usize,
    /// Skip silent chunks while every section is at rest (see [`Self::process`]).
    silence_skip: bool,
    /// Frames skipped as silence since construction.
    frames_skipped: u64,
}

impl ChannelStrip {
    /// A neutral strip for up to `num_channels` channels at `sample_rate` Hz.
    /// Allocates.
    ///
    /// # Panics
    /// If `num_channels` is 0 or above [`MAX_CHANNELS`].
    pub fn new(sample_rate: f64, num_channels: usize) -> Self {
        assert!(
            (1..=MAX_CHANNELS).contains(&num_channels),
            "1..={MAX_CHANNELS} channels"
        );
        let mut strip = Self {
            sample_rate,
            num_channels,
            settings: ChannelStripSettings::default(),
            input: GainStage::new(),
            high_pass: CutFilter::new(PassKind::HighPass, sample_rate, num_channels),
            low_pass: CutFilter::new(PassKind::LowPass, sample_rate, num_channels),
            eq: ParametricEq::new(sample_rate, num_channels),
            solo: BandSolo::new(sample_rate),
            gate: Gate::new(sample_rate, num_channels),
            compressor: Compressor::new(sample_rate, num_channels),
            saturator: Saturator::new(sample_rate, num_channels),
            saturation_on: false,
            stereo: StereoStage::new(sample_rate),
            output: GainStage::new(),
            gain_reduction_db: 0.0,
            stereo_ramp_left: 0,
            silence_skip: true,
            frames_skipped: 0,
        };
        strip.set_sample_rate(sample_rate);
        strip
    }

    /// Changes the sample rate (Hz, > 0): every unit recomputes its
    /// coefficients; all state is cleared and ramps settle. Idempotent;
    /// does not allocate (units are sized in `new`).
    pub fn set_sample_rate(&mut self, sample_rate: f64) {
        self.sample_rate = sample_rate;
        self.input.set_sample_rate(sample_rate);
        self.output.set_sample_rate(sample_rate);
        self.high_pass.set_sample_rate(sample_rate);
        self.low_pass.set_sample_rate(sample_rate);
        self.eq.set_sample_rate(sample_rate);
        self.solo = BandSolo::new(sample_rate);
        let solo = solo_band(&self.settings);
        self.solo.set(solo, sample_rate);
        self.gate.set_sample_rate(sample_rate);
        self.compressor.set_sample_rate(sample_rate);
        self.saturator.set_sample_rate(sample_rate);
        self.stereo.set_sample_rate(sample_rate);
        self.reset();
    }

    /// Clears all state; ramps and crossfades jump to their targets.
    /// Never allocates.
    pub fn reset(&mut self) {
        self.input.reset();
        self.output.reset();
        self.high_pass.reset();
        self.low_pass.reset();
        self.eq.reset();
        self.solo.reset(self.sample_rate);
        self.gate.reset();
        self.compressor.reset();
        self.saturator.reset();
        self.stereo.reset();
        self.gain_reduction_db = 0.0;
        self.stereo_ramp_left = 0;
    }

    /// Applies new settings: continuous values glide, switches crossfade,
    /// except saturation on/off, which changes the latency and switches at
    /// once. Never allocates.
    pub fn set_settings(&mut self, settings: &ChannelStripSettings) {
        if settings.stereo != self.settings.stereo {
            self.stereo_ramp_left =
                Smoother::samples_for_ms(crate::units::stereo::RAMP_MS, self.sample_rate) as usize;
        }
        self.settings = *settings;
        self.input
            .gain
            .set_target(db_to_amplitude(clamp_gain_db(settings.input_trim_db)));
        for (sign, &invert) in self.input.sign.iter_mut().zip(&settings.invert_polarity) {
            sign.set_target(if invert { -1.0 } else { 1.0 });
        }
        self.output
            .gain
            .set_target(db_to_amplitude(clamp_gain_db(settings.output_gain_db)));
        self.high_pass.set_settings(&settings.high_pass);
        self.low_pass.set_settings(&settings.low_pass);
        let mut eq = settings.eq;
        for band in &mut eq.bands {
            band.enabled &= settings.eq_enabled;
        }
        self.eq.set_settings(&eq);
        let solo = solo_band(settings);
        self.solo.set(solo, self.sample_rate);
        self.gate.set_settings(&settings.gate);
        self.compressor.set_settings(&settings.compressor);
        self.saturator.set_settings(&settings.saturation);
        if settings.saturation.enabled != self.saturation_on {
            self.saturation_on = settings.saturation.enabled;
            self.saturator.reset();
        }
        self.stereo.set_settings(&settings.stereo);
    }

    /// Chooses the dB conversions of the gate's and compressor's gain
    /// computers ([`LevelMath::Fast`] by default; the library reference for
    /// tests that bound the difference).
    pub fn set_level_math(&mut self, math: LevelMath) {
        self.gate.set_level_math(math);
        self.compressor.set_level_math(math);
    }

    /// The settings last applied.
    pub fn settings(&self) -> &ChannelStripSettings {
        &self.settings
    }

    /// Sample rate, Hz.
    pub fn sample_rate(&self) -> f64 {
        self.sample_rate
    }

    /// Channels the strip was built for.
    pub fn num_channels(&self) -> usize {
        self.num_channels
    }

    /// Latency, samples: 0, or the saturation oversampler's delay while
    /// saturation is enabled.
    pub fn latency_samples(&self) -> usize {
        if self.saturation_on {
            self.saturator.latency_samples()
        } else {
            0
        }
    }

    /// Largest compressor gain reduction during the last [`Self::process`], dB ≥ 0.
    pub fn gain_reduction_db(&self) -> f64 {
        self.gain_reduction_db
    }

    /// True while the gate is open.
    pub fn gate_open(&self) -> bool {
        self.gate.is_open()
    }

    /// Current gate gain, dB (−range ..= 0).
    pub fn gate_gain_db(&self) -> f64 {
        self.gate.gain_db()
    }

    /// Analytic response of the filter sections (high-pass, low-pass, EQ)
    /// with the coefficients currently in use, for the editor's curve.
    pub fn filter_response(&self, freq_hz: f64) -> Complex {
        let mut h = self.eq.response(freq_hz);
        for filter in [&self.high_pass, &self.low_pass] {
            if !filter.is_bypassed() {
                h = h * filter.coefs().response(freq_hz, self.sample_rate);
            }
        }
        h
    }

    /// Turns the silence skip on (the default) or off: for tests and
    /// benchmarks that compare the two (the output is the same either way).
    pub fn set_silence_skip(&mut self, enabled: bool) {
        self.silence_skip = enabled;
    }

    /// Frames skipped as provably silent since construction.
    pub fn frames_skipped(&self) -> u64 {
        self.frames_skipped
    }

    /// True if a chunk of exact zeros would come out as exact zeros and
    /// leave every section as it is (bar the filters' control clocks).
    fn is_at_rest(&self) -> bool {
        let n = self.num_channels;
        self.input.is_at_rest(n)
            && self.output.is_at_rest(n)
            && self.high_pass.is_at_rest()
            && self.low_pass.is_at_rest()
            && self.eq.is_at_rest()
            && self.solo.fade.is_off()
            && self.gate.is_at_rest()
            && self.compressor.is_at_rest()
            && (!self.saturation_on || self.saturator.is_at_rest())
            && (n != 2 || self.stereo_ramp_left == 0)
    }

    /// Processes `channels` in place (the first `num_channels` of them; all
    /// of equal length; extra channels are left untouched). Never
    /// allocates, never panics on any sample values.
    ///
    /// A chunk whose samples all sanitise to +0.0 while every section is at
    /// rest (its filters' states zero, no ramp or crossfade running, the
    /// compressor settled and the gate closed on silence, the oversampler
    /// empty) is provably
    /// output as +0.0 with the state unchanged, so it is written as zeros
    /// without running the sections: bit-identical to processing it
    /// (`tests/channel_strip_silence.rs`), at a small fraction of the cost.
    pub fn process(&mut self, channels: &mut [&mut [f32]]) {
        let num_channels = channels.len().min(self.num_channels);
        let channels = &mut channels[..num_channels];
        let len = channels.iter().map(|c| c.len()).min().unwrap_or(0);
        self.gain_reduction_db = 0.0;
        let mut scratch = [[0.0f64; CHUNK_FRAMES]; MAX_CHANNELS];
        let mut start = 0;
        while start < len {
            let n = (len - start).min(CHUNK_FRAMES);
            if self.silence_skip
                && channels.iter().all(|c| {
                    c[start..start + n]
                        .iter()
                        .all(|&x| sanitize(x).to_bits() == 0)
                })
                && self.is_at_rest()
            {
                for samples in channels.iter_mut() {
                    samples[start..start + n].fill(0.0);
                }
                self.high_pass.skip_frames(n);
                self.low_pass.skip_frames(n);
                // The gate's gain may still glide to its closed value.
                self.eq.skip_frames(n);
                self.gate.skip_frames(n);
                self.frames_skipped += n as u64;
                start += n;
                continue;
            }
            for (buffer, samples) in scratch.iter_mut().zip(channels.iter()) {
                for (y, &x) in buffer.iter_mut().zip(&samples[start..start + n]) {
                    *y = f64::from(sanitize(x));
                }
            }
            let mut views = scratch.each_mut().map(|b| &mut b[..n]);
            self.process_chunk(&mut views[..num_channels]);
            self.stereo_ramp_left = self.stereo_ramp_left.saturating_sub(n);
            for (buffer, samples) in scratch.iter().zip(channels.iter_mut()) {
                for (y, &x) in samples[start..start + n].iter_mut().zip(buffer.iter()) {
                    *y = sanitize(x as f32);
                }
            }
            start += n;
        }
    }

    fn process_chunk(&mut self, views: &mut [&mut [f64]]) {
        self.input.process(views);
        self.high_pass.process(views);
        self.low_pass.process(views);
        match self.settings.order {
            SectionOrder::EqThenDynamics => {
                self.process_eq(views);
                self.process_dynamics(views);
            }
            SectionOrder::DynamicsThenEq => {
                self.process_dynamics(views);
                self.process_eq(views);
            }
        }
        if self.saturation_on {
            self.saturator.process(views);
        }
        if let [left, right] = views {
            self.stereo.process(left, right);
        }
        self.output.process(views);
    }

    /// The EQ, and over it the band solo while it is heard.
    fn process_eq(&mut self, views: &mut [&mut [f64]]) {
        if self.solo.fade.is_off() {
            self.eq.process(views);
            return;
        }
        let mut dry = [[0.0f64; CHUNK_FRAMES]; MAX_CHANNELS];
        for (dry, view) in dry.iter_mut().zip(views.iter()) {
            dry[..view.len()].copy_from_slice(view);
        }
        self.eq.process(views);
        self.solo.process(&dry, views, self.sample_rate);
    }

    fn process_dynamics(&mut self, views: &mut [&mut [f64]]) {
        self.gate.process(views);
        self.compressor.process(views);
        self.gain_reduction_db = self
            .gain_reduction_db
            .max(self.compressor.gain_reduction_db());
    }
}
