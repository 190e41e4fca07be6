//! The channel strip's equaliser: a parametric EQ of [`NUM_EQ_BANDS`]
//! magnitude-matched biquad bands, and the Butterworth high/low-pass
//! ("cut") filters, both built from [`crate::units::filter`].
//!
//! # Band design
//! Bell, shelf and tilt bands follow the RBJ cookbook's analog prototypes
//! ([`AnalogBiquad`]) and are digitised with the magnitude-matched design of
//! [`BiquadCoefs::matched`] (Vicanek 2016, matched at DC, at the corner and
//! at Nyquist), so they do not cramp near Nyquist: a +12 dB bell at 12 kHz
//! at 44.1 kHz stays within 1 dB of its analog prototype up to 20 kHz (the
//! bilinear transform is off by several dB there). Poles are always taken
//! from the variant whose poles sit at or below the corner — the boost for
//! bells and low shelves, the cut for high shelves and tilt — and the other
//! gain sign is its exact reciprocal (`H(−g) = 1/H(g)` holds for these
//! prototypes), so boosts and cuts are mirror images. The notch has its
//! zeros exactly on the unit circle ([`BiquadCoefs::matched_notch`]).
//!
//! # Smoothing
//! Frequency (in log2 Hz), gain (in dB) and Q (in log2) glide linearly over
//! [`PARAMETER_RAMP_MS`]; while any of them moves, coefficients are
//! recomputed every [`CONTROL_INTERVAL_SAMPLES`] (STYLE.md §8), counted from
//! `reset`, so the output does not depend on the host's block size. Changes
//! that cannot glide (band type, filter order, on/off) crossfade over
//! [`FADE_MS`]: the band fades out, switches, and fades back in.

use crate::primitives::biquad::{process_cascade_pair, process_cascade_scalar};
use crate::primitives::complex::Complex;
use crate::primitives::level::{clamp_or, sanitize_channels_f64};
use crate::primitives::smoother::{Fade, Smoother};
use crate::units::filter::{
    AnalogBiquad, BiquadCoefs, BiquadState, ButterworthCoefs, ButterworthState, PassKind,
};

/// Cutoff a filter falls back to when given NaN, Hz.
const FALLBACK_CUTOFF_HZ: f32 = 1000.0;

/// Number of parametric bands.
pub const NUM_EQ_BANDS: usize = 6;
/// Lowest band / cut-filter frequency, Hz.
pub const MIN_FREQUENCY_HZ: f32 = 20.0;
/// Highest band / cut-filter frequency, Hz.
pub const MAX_FREQUENCY_HZ: f32 = 20_000.0;
/// Largest band gain magnitude, dB.
pub const MAX_GAIN_DB: f32 = 24.0;
/// Smallest band Q.
pub const MIN_Q: f32 = 0.1;
/// Largest band Q.
pub const MAX_Q: f32 = 40.0;
/// Coefficients are recomputed every this many samples while smoothing.
pub const CONTROL_INTERVAL_SAMPLES: u32 = 32;
/// Glide time of frequency, gain and Q, ms.
pub const PARAMETER_RAMP_MS: f64 = 50.0;
/// Crossfade time for on/off, type and order changes, ms.
pub const FADE_MS: f64 = 10.0;
/// Band corners are clamped below this fraction of the sample rate so the
/// matched design never meets Nyquist (only matters below 41.7 kHz, where
/// 20 kHz would exceed it).
const MAX_CORNER_FRACTION: f64 = 0.48;

/// Shape of a parametric band.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum EqBandType {
    /// Peak/dip of `gain_db` at the frequency, width set by Q.
    #[default]
    Bell,
    /// `gain_db` below the frequency (half of it at the frequency).
    LowShelf,
    /// `gain_db` above the frequency (half of it at the frequency).
    HighShelf,
    /// Band reject at the frequency (gain ignored), width set by Q.
    Notch,
    /// Tilt around the frequency: `−gain_db/2` at DC, `+gain_db/2` at high
    /// frequencies (a high shelf shifted down by half its gain).
    Tilt,
}

/// One band's settings. Plain values.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EqBandSettings {
    /// Band on/off.
    pub enabled: bool,
    /// Shape.
    pub band_type: EqBandType,
    /// Centre/corner frequency, Hz, [`MIN_FREQUENCY_HZ`] ..= [`MAX_FREQUENCY_HZ`].
    pub frequency_hz: f32,
    /// Gain, dB, −[`MAX_GAIN_DB`] ..= +[`MAX_GAIN_DB`] (ignored by `Notch`).
    pub gain_db: f32,
    /// Quality factor, [`MIN_Q`] ..= [`MAX_Q`]; for shelves and tilt the RBJ
    /// shelf Q (0.707 = steepest without overshoot).
    pub q: f32,
}

impl Default for EqBandSettings {
    fn default() -> Self {
        Self {
            enabled: false,
            band_type: EqBandType::Bell,
            frequency_hz: 1000.0,
            gain_db: 0.0,
            q: core::f32::consts::FRAC_1_SQRT_2,
        }
    }
}

impl EqBandSettings {
    /// An enabled band.
    pub fn new(band_type: EqBandType, frequency_hz: f32, gain_db: f32, q: f32) -> Self {
        Self {
            enabled: true,
            band_type,
            frequency_hz,
            gain_db,
            q,
        }
    }

    /// Clamped to the documented ranges; non-finite values become defaults.
    pub fn sanitized(&self) -> Self {
        let d = Self::default();
        Self {
            enabled: self.enabled,
            band_type: self.band_type,
            frequency_hz: clamp_or(
                self.frequency_hz,
                (MIN_FREQUENCY_HZ, MAX_FREQUENCY_HZ),
                d.frequency_hz,
            ),
            gain_db: clamp_or(self.gain_db, (-MAX_GAIN_DB, MAX_GAIN_DB), 0.0),
            q: clamp_or(self.q, (MIN_Q, MAX_Q), d.q),
        }
    }

    /// True if the band leaves the signal unchanged (off, or 0 dB and not a notch).
    pub fn is_neutral(&self) -> bool {
        !self.enabled || (self.gain_db == 0.0 && self.band_type != EqBandType::Notch)
    }
}

/// Analog prototype of a band, `s` normalised to the band frequency.
pub fn band_prototype(band_type: EqBandType, gain_db: f64, q: f64) -> AnalogBiquad {
    match band_type {
        EqBandType::Bell => AnalogBiquad::peaking(gain_db, q),
        EqBandType::LowShelf => AnalogBiquad::low_shelf(gain_db, q),
        EqBandType::HighShelf => AnalogBiquad::high_shelf(gain_db, q),
        EqBandType::Notch => AnalogBiquad {
            b: [1.0, 0.0, 1.0],
            a: [1.0, 1.0 / q, 1.0],
        },
        EqBandType::Tilt => {
            AnalogBiquad::high_shelf(gain_db, q).scaled(10f64.powf(-gain_db / 40.0))
        }
    }
}

/// Analytic response of a band's analog prototype at `freq_hz`.
pub fn band_analog_response(band: &EqBandSettings, freq_hz: f64) -> Complex {
    if band.is_neutral() {
        return Complex::new(1.0, 0.0);
    }
    band_prototype(band.band_type, f64::from(band.gain_db), f64::from(band.q))
        .response(freq_hz, f64::from(band.frequency_hz))
}

/// Digital coefficients of a band (magnitude-matched, see the module docs).
/// A gain of exactly 0 dB (other than a notch) gives
/// [`BiquadCoefs::IDENTITY`]. `frequency_hz` is clamped below
/// 0.48·`sample_rate`; `q` > 0.
pub fn band_coefs(
    band_type: EqBandType,
    frequency_hz: f64,
    gain_db: f64,
    q: f64,
    sample_rate: f64,
) -> BiquadCoefs {
    let f0 = frequency_hz.min(MAX_CORNER_FRACTION * sample_rate);
    if band_type == EqBandType::Notch {
        return BiquadCoefs::matched_notch(f0, q, sample_rate);
    }
    if gain_db == 0.0 {
        return BiquadCoefs::IDENTITY;
    }
    // Design the variant whose poles lie at or below f0; invert for the
    // other sign.
    let design_boost = matches!(band_type, EqBandType::Bell | EqBandType::LowShelf);
    let design_gain = if design_boost {
        gain_db.abs()
    } else {
        -gain_db.abs()
    };
    let coefs = BiquadCoefs::matched(
        &band_prototype(band_type, design_gain, q),
        f0,
        f0,
        sample_rate,
    );
    if design_gain == gain_db {
        coefs
    } else {
        coefs.inverted()
    }
}

/// Coefficients for a band's settings at `sample_rate` (identity if neutral).
pub fn band_settings_coefs(band: &EqBandSettings, sample_rate: f64) -> BiquadCoefs {
    let b = band.sanitized();
    if b.is_neutral() {
        return BiquadCoefs::IDENTITY;
    }
    band_coefs(
        b.band_type,
        f64::from(b.frequency_hz),
        f64::from(b.gain_db),
        f64::from(b.q),
        sample_rate,
    )
}

/// Settings of the parametric EQ. Plain values.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct EqSettings {
    /// The bands, processed in order.
    pub bands: [EqBandSettings; NUM_EQ_BANDS],
}

/// Runtime state of one band (shared by all channels).
#[derive(Debug, Clone, Copy)]
struct Band {
    /// Latest requested settings (sanitised).
    target: EqBandSettings,
    /// Type the coefficients currently realise.
    active_type: EqBandType,
    /// Waiting for the fade-out to finish before switching type.
    pending_switch: bool,
    log2_frequency: Smoother,
    gain_db: Smoother,
    log2_q: Smoother,
    fade: Fade,
    coefs: BiquadCoefs,
    /// True if the band processed the previous chunk (state is live).
    running: bool,
}

impl Band {
    fn new(ramp_samples: u32, fade_samples: u32) -> Self {
        let d = EqBandSettings::default();
        Self {
            target: d,
            active_type: d.band_type,
            pending_switch: false,
            log2_frequency: Smoother::linear(f64::from(d.frequency_hz).log2(), ramp_samples),
            gain_db: Smoother::linear(0.0, ramp_samples),
            log2_q: Smoother::linear(f64::from(d.q).log2(), ramp_samples),
            fade: Fade::new(false, fade_samples),
            coefs: BiquadCoefs::IDENTITY,
            running: false,
        }
    }

    fn is_smoothing(&self) -> bool {
        self.log2_frequency.is_smoothing()
            || self.gain_db.is_smoothing()
            || self.log2_q.is_smoothing()
    }

    fn update_coefs(&mut self, sample_rate: f64) {
        self.coefs = band_coefs(
            self.active_type,
            self.log2_frequency.value().exp2(),
            self.gain_db.value(),
            self.log2_q.value().exp2(),
            sample_rate,
        );
    }

    /// Jumps all parameters to the target and adopts its type.
    fn settle_on_target(&mut self, sample_rate: f64) {
        self.active_type = self.target.band_type;
        self.pending_switch = false;
        self.log2_frequency
            .reset_to(f64::from(self.target.frequency_hz).log2());
        self.gain_db.reset_to(f64::from(self.target.gain_db));
        self.log2_q.reset_to(f64::from(self.target.q).log2());
        self.update_coefs(sample_rate);
    }

    /// True if the band can be skipped: faded out, or settled on 0 dB (an
    /// exact identity whatever the fade; a fade in progress then simply
    /// resumes when the band becomes audible).
    fn is_skippable(&self) -> bool {
        self.fade.is_off()
            || (!self.is_smoothing()
                && self.active_type != EqBandType::Notch
                && self.gain_db.value() == 0.0)
    }
}

/// Parametric EQ of [`NUM_EQ_BANDS`] bands over up to `num_channels`
/// channels (f64 samples, processed in place).
#[derive(Debug, Clone)]
pub struct ParametricEq {
    sample_rate: f64,
    bands: [Band; NUM_EQ_BANDS],
    /// `states[channel][band]`.
    states: Vec<[BiquadState; NUM_EQ_BANDS]>,
    /// Samples until the next control tick.
    until_tick: u32,
}

impl ParametricEq {
    /// An EQ with all bands off. Allocates.
    pub fn new(sample_rate: f64, num_channels: usize) -> Self {
        let mut eq = Self {
            sample_rate,
            bands: [Band::new(1, 1); NUM_EQ_BANDS],
            states: vec![[BiquadState::new(); NUM_EQ_BANDS]; num_channels],
            until_tick: 0,
        };
        eq.set_sample_rate(sample_rate);
        eq
    }

    /// Changes the sample rate (Hz, > 0): recomputes ramp lengths and
    /// coefficients, settles every ramp and clears the state. Never allocates.
    pub fn set_sample_rate(&mut self, sample_rate: f64) {
        self.sample_rate = sample_rate;
        let ramp = Smoother::samples_for_ms(PARAMETER_RAMP_MS, sample_rate);
        let fade = Smoother::samples_for_ms(FADE_MS, sample_rate);
        for band in &mut self.bands {
            band.log2_frequency.set_ramp_samples(ramp);
            band.gain_db.set_ramp_samples(ramp);
            band.log2_q.set_ramp_samples(ramp);
            band.fade.set_fade_samples(fade);
        }
        self.reset();
    }

    /// Clears the filter state and jumps every ramp and fade to its target.
    /// Never allocates.
    pub fn reset(&mut self) {
        for band in &mut self.bands {
            band.settle_on_target(self.sample_rate);
            band.fade.reset_to(band.target.enabled);
            band.running = false;
        }
        for channel in &mut self.states {
            *channel = [BiquadState::new(); NUM_EQ_BANDS];
        }
        self.until_tick = 0;
    }

    /// Sets every band.
    pub fn set_settings(&mut self, settings: &EqSettings) {
        for (index, band) in settings.bands.iter().enumerate() {
            self.set_band(index, band);
        }
    }

    /// Sets band `index` (< [`NUM_EQ_BANDS`]; others are ignored).
    /// Frequency, gain and Q glide; type and on/off changes crossfade.
    pub fn set_band(&mut self, index: usize, settings: &EqBandSettings) {
        let sample_rate = self.sample_rate;
        let Some(band) = self.bands.get_mut(index) else {
            return;
        };
        let new = settings.sanitized();
        if new == band.target {
            return;
        }
        band.target = new;
        if band.fade.is_off() {
            // Silent: no need to glide or crossfade.
            band.settle_on_target(sample_rate);
            band.fade.set_on(new.enabled);
            return;
        }
        band.log2_frequency
            .set_target(f64::from(new.frequency_hz).log2());
        band.gain_db.set_target(f64::from(new.gain_db));
        band.log2_q.set_target(f64::from(new.q).log2());
        band.pending_switch = new.band_type != band.active_type;
        band.fade.set_on(new.enabled && !band.pending_switch);
    }

    /// The settings last requested.
    pub fn settings(&self) -> EqSettings {
        EqSettings {
            bands: core::array::from_fn(|i| self.bands[i].target),
        }
    }

    /// True if exact zeros in give exact zeros out and change nothing but
    /// the control clock: no ramp or crossfade running, every filter state
    /// zero. [`Self::skip_frames`] then stands in for [`Self::process`].
    pub fn is_at_rest(&self) -> bool {
        self.bands
            .iter()
            .all(|b| !b.is_smoothing() && !b.fade.is_fading() && !b.pending_switch)
            && self
                .states
                .iter()
                .all(|channel| channel.iter().all(|s| s.cells() == [0.0, 0.0]))
    }

    /// What [`Self::process`] does to the unit on `frames` of silence while
    /// [`Self::is_at_rest`]: advances the control clock. Never allocates.
    pub fn skip_frames(&mut self, frames: usize) {
        self.until_tick = skip_control_clock(self.until_tick, frames);
    }

    /// True if every band is currently skipped (output = input, bit exact).
    pub fn is_bypassed(&self) -> bool {
        self.bands.iter().all(Band::is_skippable)
    }

    /// Analytic response of the coefficients currently in use (fades and
    /// ramps at their present values) at `freq_hz`.
    pub fn response(&self, freq_hz: f64) -> Complex {
        self.bands.iter().fold(Complex::new(1.0, 0.0), |acc, band| {
            let amount = band.fade.amount();
            if amount == 0.0 {
                return acc;
            }
            let h = band.coefs.response(freq_hz, self.sample_rate);
            acc * (Complex::new(1.0 - amount, 0.0) + h * amount)
        })
    }

    /// Filters `channels` in place (each the same length; at most the
    /// `num_channels` given to [`Self::new`] are processed). Never allocates.
    pub fn process(&mut self, channels: &mut [&mut [f64]]) {
        sanitize_channels_f64(channels);
        let len = channels.first().map_or(0, |c| c.len());
        let mut start = 0;
        while start < len {
            if self.until_tick == 0 {
                self.control_tick();
            }
            let n = (self.until_tick as usize).min(len - start).min(MAX_CHUNK);
            self.process_chunk(channels, start, n);
            self.until_tick -= n as u32;
            start += n;
        }
    }

    fn control_tick(&mut self) {
        self.until_tick = CONTROL_INTERVAL_SAMPLES;
        for band in &mut self.bands {
            if band.is_smoothing() {
                band.log2_frequency.advance(CONTROL_INTERVAL_SAMPLES);
                band.gain_db.advance(CONTROL_INTERVAL_SAMPLES);
                band.log2_q.advance(CONTROL_INTERVAL_SAMPLES);
                band.update_coefs(self.sample_rate);
            }
        }
    }

    fn process_chunk(&mut self, channels: &mut [&mut [f64]], start: usize, n: usize) {
        if self.process_chunk_settled(channels, start, n) {
            return;
        }
        let mut fade = [0.0f64; MAX_CHUNK];
        for (index, band) in self.bands.iter_mut().enumerate() {
            if band.is_skippable() {
                if band.running {
                    band.running = false;
                    for channel in &mut self.states {
                        channel[index].reset();
                    }
                }
                continue;
            }
            band.running = true;
            let fading = !band.fade.is_on();
            if fading {
                band.fade.fill(&mut fade[..n]);
            }
            for (samples, state) in channels.iter_mut().zip(&mut self.states) {
                let state = &mut state[index];
                let samples = &mut samples[start..start + n];
                if fading {
                    for (x, amount) in samples.iter_mut().zip(&fade[..n]) {
                        let y = state.process(&band.coefs, *x);
                        *x += amount * (y - *x);
                    }
                } else {
                    for x in samples.iter_mut() {
                        *x = state.process(&band.coefs, *x);
                    }
                }
            }
            if band.fade.is_off() {
                band.running = false;
                for channel in &mut self.states {
                    channel[index].reset();
                }
                if band.pending_switch {
                    band.settle_on_target(self.sample_rate);
                    band.fade.set_on(band.target.enabled);
                }
            }
        }
    }
}

impl ParametricEq {
    /// The common case: every audible band settled fully on (no crossfade).
    /// The audible bands then run as one cascade, two channels at a time
    /// ([`process_cascade_pair`], bit-identical to the band-by-band path).
    /// Returns false, doing nothing, when some band is crossfading.
    fn process_chunk_settled(
        &mut self,
        channels: &mut [&mut [f64]],
        start: usize,
        n: usize,
    ) -> bool {
        if self
            .bands
            .iter()
            .any(|band| !band.is_skippable() && !band.fade.is_on())
        {
            return false;
        }
        let mut coefs = [BiquadCoefs::IDENTITY; NUM_EQ_BANDS];
        let mut active = [0usize; NUM_EQ_BANDS];
        let mut count = 0;
        for (index, band) in self.bands.iter_mut().enumerate() {
            if band.is_skippable() {
                if band.running {
                    band.running = false;
                    for channel in &mut self.states {
                        channel[index].reset();
                    }
                }
                continue;
            }
            band.running = true;
            coefs[count] = band.coefs;
            active[count] = index;
            count += 1;
        }
        if count == 0 {
            return true;
        }
        let coefs = &coefs[..count];
        let gather = |states: &[BiquadState; NUM_EQ_BANDS]| {
            let mut out = [BiquadState::new(); NUM_EQ_BANDS];
            for (o, &i) in out.iter_mut().zip(&active[..count]) {
                *o = states[i];
            }
            out
        };
        let num_channels = channels.len().min(self.states.len());
        let mut c = 0;
        while c < num_channels {
            if c + 1 < num_channels {
                let (first, second) = channels[c..].split_at_mut(1);
                let mut ls = gather(&self.states[c]);
                let mut rs = gather(&self.states[c + 1]);
                process_cascade_pair(
                    coefs,
                    &mut ls,
                    &mut rs,
                    &mut first[0][start..start + n],
                    &mut second[0][start..start + n],
                );
                for (k, &i) in active[..count].iter().enumerate() {
                    self.states[c][i] = ls[k];
                    self.states[c + 1][i] = rs[k];
                }
                c += 2;
            } else {
                let mut s = gather(&self.states[c]);
                process_cascade_scalar(coefs, &mut s[..count], &mut channels[c][start..start + n]);
                for (k, &i) in active[..count].iter().enumerate() {
                    self.states[c][i] = s[k];
                }
                c += 1;
            }
        }
        true
    }
}

/// The control clock (samples to the next tick) after `frames` of
/// processing with no ramp running: exactly the arithmetic of the
/// `process` loops (a tick at 0 restarts the count).
fn skip_control_clock(mut until_tick: u32, frames: usize) -> u32 {
    let mut left = frames;
    while left > 0 {
        if until_tick == 0 {
            until_tick = CONTROL_INTERVAL_SAMPLES;
        }
        let n = (until_tick as usize).min(left).min(MAX_CHUNK);
        until_tick -= n as u32;
        left -= n;
    }
    until_tick
}

/// Longest stretch processed with one set of coefficients (also the stack
/// scratch size); a control tick comes sooner anyway.
const MAX_CHUNK: usize = CONTROL_INTERVAL_SAMPLES as usize;

/// Settings of a Butterworth high- or low-pass. Plain values.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CutFilterSettings {
    /// On/off.
    pub enabled: bool,
    /// −3 dB frequency, Hz, [`MIN_FREQUENCY_HZ`] ..= [`MAX_FREQUENCY_HZ`].
    pub cutoff_hz: f32,
    /// Order 1 ..= 8: slope of 6·order dB/octave (6, 12, … 48).
    pub order: u8,
}

impl CutFilterSettings {
    /// Default settings for a high-pass (off, 80 Hz, 12 dB/oct).
    pub const HIGH_PASS_DEFAULT: Self = Self {
        enabled: false,
        cutoff_hz: 80.0,
        order: 2,
    };
    /// Default settings for a low-pass (off, 12 kHz, 12 dB/oct).
    pub const LOW_PASS_DEFAULT: Self = Self {
        enabled: false,
        cutoff_hz: 12_000.0,
        order: 2,
    };

    fn sanitized(&self) -> Self {
        Self {
            enabled: self.enabled,
            cutoff_hz: clamp_or(
                self.cutoff_hz,
                (MIN_FREQUENCY_HZ, MAX_FREQUENCY_HZ),
                FALLBACK_CUTOFF_HZ,
            ),
            order: self
                .order
                .clamp(1, crate::units::filter::butterworth::MAX_ORDER as u8),
        }
    }
}

/// A Butterworth high- or low-pass with a gliding cutoff (log2 Hz, over
/// [`PARAMETER_RAMP_MS`], coefficients every [`CONTROL_INTERVAL_SAMPLES`])
/// and crossfaded on/off and order changes.
#[derive(Debug, Clone)]
pub struct CutFilter {
    kind: PassKind,
    sample_rate: f64,
    target: CutFilterSettings,
    active_order: usize,
    pending_switch: bool,
    log2_cutoff: Smoother,
    fade: Fade,
    coefs: ButterworthCoefs,
    states: Vec<ButterworthState>,
    running: bool,
    until_tick: u32,
}

impl CutFilter {
    /// A filter (off) for up to `num_channels`. Allocates.
    pub fn new(kind: PassKind, sample_rate: f64, num_channels: usize) -> Self {
        let target = match kind {
            PassKind::HighPass => CutFilterSettings::HIGH_PASS_DEFAULT,
            PassKind::LowPass => CutFilterSettings::LOW_PASS_DEFAULT,
        };
        let mut filter = Self {
            kind,
            sample_rate,
            target,
            active_order: usize::from(target.order),
            pending_switch: false,
            log2_cutoff: Smoother::linear(f64::from(target.cutoff_hz).log2(), 1),
            fade: Fade::new(false, 1),
            coefs: ButterworthCoefs::new(
                kind,
                usize::from(target.order),
                f64::from(target.cutoff_hz),
                sample_rate,
            ),
            states: vec![ButterworthState::default(); num_channels],
            running: false,
            until_tick: 0,
        };
        filter.set_sample_rate(sample_rate);
        filter
    }

    /// Changes the sample rate (Hz): recomputes ramp lengths and
    /// coefficients, settles and clears. Never allocates.
    pub fn set_sample_rate(&mut self, sample_rate: f64) {
        self.sample_rate = sample_rate;
        self.log2_cutoff
            .set_ramp_samples(Smoother::samples_for_ms(PARAMETER_RAMP_MS, sample_rate));
        self.fade
            .set_fade_samples(Smoother::samples_for_ms(FADE_MS, sample_rate));
        self.reset();
    }

    /// Clears the state and jumps to the target settings. Never allocates.
    pub fn reset(&mut self) {
        self.settle_on_target();
        self.fade.reset_to(self.target.enabled);
        for state in &mut self.states {
            state.reset();
        }
        self.running = false;
        self.until_tick = 0;
    }

    fn settle_on_target(&mut self) {
        self.active_order = usize::from(self.target.order);
        self.pending_switch = false;
        self.log2_cutoff
            .reset_to(f64::from(self.target.cutoff_hz).log2());
        self.update_coefs();
    }

    fn update_coefs(&mut self) {
        self.coefs = ButterworthCoefs::new(
            self.kind,
            self.active_order,
            self.log2_cutoff.value().exp2(),
            self.sample_rate,
        );
    }

    /// Sets the filter: the cutoff glides, order and on/off crossfade.
    pub fn set_settings(&mut self, settings: &CutFilterSettings) {
        let new = settings.sanitized();
        if new == self.target {
            return;
        }
        self.target = new;
        if self.fade.is_off() {
            self.settle_on_target();
            self.fade.set_on(new.enabled);
            return;
        }
        self.log2_cutoff.set_target(f64::from(new.cutoff_hz).log2());
        self.pending_switch = usize::from(new.order) != self.active_order;
        self.fade.set_on(new.enabled && !self.pending_switch);
    }

    /// Current coefficients.
    pub fn coefs(&self) -> &ButterworthCoefs {
        &self.coefs
    }

    /// True if exact zeros in give exact zeros out and change nothing but
    /// the control clock (no glide or crossfade, every state zero).
    pub fn is_at_rest(&self) -> bool {
        !self.log2_cutoff.is_smoothing()
            && !self.fade.is_fading()
            && !self.pending_switch
            && self.states.iter().all(ButterworthState::is_zero)
    }

    /// What [`Self::process`] does on `frames` of silence while
    /// [`Self::is_at_rest`]: advances the control clock. Never allocates.
    pub fn skip_frames(&mut self, frames: usize) {
        self.until_tick = skip_control_clock(self.until_tick, frames);
    }

    /// True if the filter is skipped (faded out).
    pub fn is_bypassed(&self) -> bool {
        self.fade.is_off()
    }

    /// Filters `channels` in place. Never allocates.
    pub fn process(&mut self, channels: &mut [&mut [f64]]) {
        sanitize_channels_f64(channels);
        let len = channels.first().map_or(0, |c| c.len());
        let mut start = 0;
        while start < len {
            if self.until_tick == 0 {
                self.until_tick = CONTROL_INTERVAL_SAMPLES;
                if self.log2_cutoff.is_smoothing() {
                    self.log2_cutoff.advance(CONTROL_INTERVAL_SAMPLES);
                    self.update_coefs();
                }
            }
            let n = (self.until_tick as usize).min(len - start).min(MAX_CHUNK);
            self.process_chunk(channels, start, n);
            self.until_tick -= n as u32;
            start += n;
        }
    }

    fn process_chunk(&mut self, channels: &mut [&mut [f64]], start: usize, n: usize) {
        if self.fade.is_off() {
            if self.running {
                self.running = false;
                self.states.iter_mut().for_each(ButterworthState::reset);
            }
            return;
        }
        self.running = true;
        let fading = !self.fade.is_on();
        if !fading {
            // Settled on: the sections as one two-lane cascade per channel
            // pair (bit-identical to the per-sample path below).
            let sections = self.coefs.active();
            let num_channels = channels.len().min(self.states.len());
            let (pairs, rest) = channels[..num_channels].split_at_mut(num_channels & !1);
            for (samples, state_pair) in pairs
                .chunks_exact_mut(2)
                .zip(self.states.chunks_exact_mut(2))
            {
                let (l, r) = samples.split_at_mut(1);
                let (ls, rs) = state_pair.split_at_mut(1);
                process_cascade_pair(
                    sections,
                    ls[0].sections_mut(),
                    rs[0].sections_mut(),
                    &mut l[0][start..start + n],
                    &mut r[0][start..start + n],
                );
            }
            if let Some(samples) = rest.first_mut() {
                process_cascade_scalar(
                    sections,
                    self.states[num_channels - 1].sections_mut(),
                    &mut samples[start..start + n],
                );
            }
            return;
        }
        let mut fade = [1.0f64; MAX_CHUNK];
        if fading {
            self.fade.fill(&mut fade[..n]);
        }
        for (samples, state) in channels.iter_mut().zip(&mut self.states) {
            for (x, amount) in samples[start..start + n].iter_mut().zip(&fade[..n]) {
                let y = state.process(&self.coefs, *x);
                *x = if fading { *x + amount * (y - *x) } else { y };
            }
        }
        if self.fade.is_off() {
            self.running = false;
            self.states.iter_mut().for_each(ButterworthState::reset);
            if self.pending_switch {
                self.settle_on_target();
                self.fade.set_on(self.target.enabled);
            }
        }
    }
}
