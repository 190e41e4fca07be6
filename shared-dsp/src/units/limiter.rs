//! Look-ahead true-peak limiter: a gain signal, not audio. The caller delays
//! the audio by [`TruePeakLimiter::latency_samples`] (see [`crate::primitives::delay`])
//! and multiplies it by the gains [`TruePeakLimiter::process_frame`] returns.
//!
//! # Signal flow (per channel, one input frame at a time)
//! 1. **Peak detector** ([`TruePeakDetector`], the suite's true-peak
//!    detector in [`crate::primitives::true_peak`]): the (gained) input is upsampled
//!    by a two-stage cascade of [`Upsampler`]s — 2× with a long
//!    ([`DETECTOR_STAGE1`], pass band to ≈ 0.487·fs: 21.5 kHz at 44.1 kHz)
//!    then 2× or 4× with a short filter ([`DETECTOR_STAGE2_TAPS`]) — to 4× or
//!    8× in total, for ≈ 300 multiply-adds per sample instead of the ≈ 2000 a
//!    single-stage filter of the same pass band would need. Each local maximum
//!    of the oversampled stream is refined with a parabola through it and its
//!    two neighbours, which cuts the grid error (a peak falling between
//!    oversampled points) from 0.69 dB to 0.074 dB at 4× and from 0.17 dB to
//!    0.005 dB at 8× (worst case, a tone at Nyquist). Beside it runs the
//!    interpolator of the BS.1770 meters in the field (libebur128, see
//!    [`UpsamplerCoefs::bs1770_meter`]), aligned to it, and the larger
//!    reading wins: that short Hann-windowed filter leaks images and reads
//!    dense limited material up to ≈ 0.3 dB *above* the ideal
//!    reconstruction, and the output must pass those meters too.
//! 2. **Gain computer**: required gain `r = min(0 dB, threshold − peak)`
//!    (dB), then stereo link: `r_c ← (1 − link)·r_c + link·min_c r_c`.
//! 3. **Hold**: the minimum of `r` over the last `H = W + 2·S` frames
//!    (`W` = look-ahead, `S` = [`PEAK_SLACK_SAMPLES`]).
//! 4. **Release**: instant attack, one-pole release in dB (time constant
//!    `release_ms`); program-dependent ("auto") release takes the lower of a
//!    fast envelope and a slow one that only follows sustained reduction.
//!    Both stay ≤ the held value.
//! 5. **Attack**: two cascaded moving averages (linear gain) spanning
//!    `M ≤ W` frames (an S-shaped ramp). Transparent: `M = W`. Punchy:
//!    `M = W/2`, the gain delayed by `W − M` first, so the ramp starts
//!    later and still ends where Transparent's does (the hold covers both).
//!
//! The audio is delayed by `L = D + W − 1 + S` (`D` = detector latency), so
//! every output sample within `S` samples of a detected peak is multiplied by
//! an average of values that are all ≤ the gain that peak requires: the
//! envelope reaches its target before the peak and holds it past it. The
//! slack `S` covers the ±1-sample uncertainty of where a refined peak lies
//! plus its neighbours, whose gain shapes the reconstructed peak.
//!
//! Below threshold every stage is exactly 0 dB / 1.0 (releasing envelopes
//! snap to 0 dB below [`RELEASE_SNAP_DB`], the moving average counts its
//! non-unity entries), so the gain is exactly 1.0f32 and the caller's
//! product is bit-exact.
//!
//! What the output's true peak can still exceed the threshold by: content
//! above the detector's pass band (≈ 0.487·fs, e.g. full-band white noise or
//! hard-clipped material) that a longer reference interpolator sees, and the
//! spectral spreading of fast gain changes. The maximizer measures both
//! against an accurate reference in its tests and subtracts a small safety
//! margin from the threshold.

use crate::primitives::channels::STEREO;
use crate::primitives::delay::DelayLine;
use crate::primitives::envelope::{one_pole_coef, one_pole_step};
use crate::primitives::gain_window::{MovingAverage, SlidingMin};
use crate::primitives::level::db_to_gain;
pub use crate::primitives::true_peak::DetectorFactor;
use crate::primitives::true_peak::{TruePeakDetector, DETECTOR_LATENCY_SAMPLES};

/// Output samples on each side of a detected peak that are guaranteed the
/// gain it requires (see the module docs).
pub const PEAK_SLACK_SAMPLES: usize = 3;
/// A releasing envelope closer than this to 0 dB snaps to exactly 0 dB
/// (1e-6 dB is a gain step of 1.2e-7, about one f32 ulp below 1.0).
pub const RELEASE_SNAP_DB: f32 = 1e-6;
/// Lowest gain the gain computer asks for, dB (keeps the dB arithmetic finite
/// for absurd inputs).
pub const MIN_GAIN_DB: f32 = -200.0;
/// Auto release: the fast envelope's time constant as a fraction of `release_ms`.
pub const AUTO_FAST_RELEASE_RATIO: f32 = 0.1;
/// Auto release: time constant with which the slow envelope follows
/// sustained gain reduction, ms.
pub const AUTO_SLOW_ATTACK_MS: f32 = 250.0;
/// Punchy character: release time constant as a fraction of `release_ms`.
pub const PUNCHY_RELEASE_RATIO: f32 = 0.4;
/// Punchy character: attack ramp length as a fraction of the look-ahead.
pub const PUNCHY_ATTACK_RATIO: f32 = 0.5;
/// Shortest effective release time constant, ms (after the character and
/// auto-release ratios). Faster gain changes spread the spectrum of the
/// output enough to raise its true peak measurably (0.1 dB on white noise
/// at 0.4 ms), and sound like clipping anyway.
pub const MIN_RELEASE_MS: f32 = 1.0;

/// Envelope shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LimiterCharacter {
    /// Attack ramp over the whole look-ahead, release = `release_ms`.
    #[default]
    Transparent,
    /// Attack ramp over [`PUNCHY_ATTACK_RATIO`] of the look-ahead (transient
    /// onsets pass less touched), release × [`PUNCHY_RELEASE_RATIO`].
    Punchy,
}

/// Limiter settings that do not need smoothing. Plain values.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LimiterSettings {
    /// Look-ahead, samples, `1 ..= max_lookahead_samples`. Changes the latency.
    pub lookahead_samples: usize,
    /// Release time constant, ms, ≥ [`MIN_RELEASE_MS`].
    pub release_ms: f32,
    /// Program-dependent release.
    pub auto_release: bool,
    /// Stereo link, 0.0 ..= 1.0.
    pub stereo_link: f32,
    /// Envelope shape.
    pub character: LimiterCharacter,
    /// Detection oversampling.
    pub factor: DetectorFactor,
}

/// Hold → release → attack for one channel.
#[derive(Debug, Clone)]
struct GainChain {
    hold: SlidingMin,
    /// Attack ramp over the whole look-ahead ([`LimiterCharacter::Transparent`]):
    /// two cascaded moving averages (see [`split_attack`]).
    average: [MovingAverage; 2],
    /// Attack ramp over the last part of it ([`LimiterCharacter::Punchy`]),
    /// fed through `short_delay` so that it ends where the long one does.
    /// Both run always, so switching character is seamless.
    short_average: [MovingAverage; 2],
    /// Delays the gain reduction `1 − g` by `W − M` for the short ramp
    /// (an empty line holds 0: no reduction).
    short_delay: DelayLine,
    /// Fast (or only) envelope, dB ≤ 0.
    fast_db: f32,
    /// Slow auto-release envelope, dB ≤ 0.
    slow_db: f32,
}

impl GainChain {
    fn new(max_lookahead_samples: usize) -> Self {
        Self {
            hold: SlidingMin::new(max_lookahead_samples + 2 * PEAK_SLACK_SAMPLES),
            average: [
                MovingAverage::new(max_lookahead_samples),
                MovingAverage::new(max_lookahead_samples),
            ],
            short_average: [
                MovingAverage::new(max_lookahead_samples),
                MovingAverage::new(max_lookahead_samples),
            ],
            short_delay: DelayLine::new(max_lookahead_samples),
            fast_db: 0.0,
            slow_db: 0.0,
        }
    }

    fn reset(&mut self) {
        self.hold.reset();
        self.average.iter_mut().for_each(MovingAverage::reset);
        self.short_average.iter_mut().for_each(MovingAverage::reset);
        self.short_delay.reset();
        self.fast_db = 0.0;
        self.slow_db = 0.0;
    }
}

/// Per-sample one-pole coefficients derived from the settings.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Coefs {
    /// Release (fast envelope) pole.
    release: f32,
    /// Auto: slow envelope release pole (`release_ms`).
    slow_release: f32,
    /// Auto: slow envelope attack pole ([`AUTO_SLOW_ATTACK_MS`]).
    slow_attack: f32,
}

/// One-pole coefficient ([`one_pole_coef`]) for a time constant in ms,
/// at least [`MIN_RELEASE_MS`].
fn pole(time_ms: f32, sample_rate: f64) -> f32 {
    one_pole_coef(f64::from(time_ms.max(MIN_RELEASE_MS)), sample_rate) as f32
}

/// Look-ahead true-peak limiter for up to [`STEREO`] channels.
#[derive(Debug, Clone)]
pub struct TruePeakLimiter {
    sample_rate: f64,
    num_channels: usize,
    max_lookahead_samples: usize,
    settings: LimiterSettings,
    coefs: Coefs,
    detectors: Box<[TruePeakDetector]>,
    chains: Box<[GainChain]>,
}

impl TruePeakLimiter {
    /// A cleared limiter for `num_channels` (1 ..= [`STEREO`]) at
    /// `sample_rate` Hz, with room for look-aheads up to
    /// `max_lookahead_samples`. Allocates.
    ///
    /// # Panics
    /// If `num_channels` is 0 or above [`STEREO`].
    pub fn new(sample_rate: f64, num_channels: usize, max_lookahead_samples: usize) -> Self {
        assert!(
            (1..=STEREO).contains(&num_channels),
            "1..={STEREO} channels"
        );
        let max_lookahead_samples = max_lookahead_samples.max(1);
        let settings = LimiterSettings {
            lookahead_samples: max_lookahead_samples,
            release_ms: 100.0,
            auto_release: false,
            stereo_link: 1.0,
            character: LimiterCharacter::Transparent,
            factor: DetectorFactor::X4,
        };
        let mut limiter = Self {
            sample_rate,
            num_channels,
            max_lookahead_samples,
            settings,
            coefs: Coefs {
                release: 0.0,
                slow_release: 0.0,
                slow_attack: 0.0,
            },
            detectors: (0..num_channels)
                .map(|_| TruePeakDetector::new(settings.factor, sample_rate))
                .collect(),
            chains: (0..num_channels)
                .map(|_| GainChain::new(max_lookahead_samples))
                .collect(),
        };
        limiter.apply_structure();
        limiter.coefs = limiter.compute_coefs();
        limiter
    }

    /// Largest look-ahead supported, samples.
    pub fn max_lookahead_samples(&self) -> usize {
        self.max_lookahead_samples
    }

    /// Latency the audio must be delayed by, samples:
    /// `DETECTOR_LATENCY_SAMPLES + lookahead − 1 + PEAK_SLACK_SAMPLES`.
    pub fn latency_samples(&self) -> usize {
        Self::latency_for(self.settings.lookahead_samples)
    }

    /// Latency for a look-ahead of `lookahead_samples` (≥ 1), samples.
    pub fn latency_for(lookahead_samples: usize) -> usize {
        DETECTOR_LATENCY_SAMPLES + lookahead_samples.max(1) - 1 + PEAK_SLACK_SAMPLES
    }

    /// The settings in use.
    pub fn settings(&self) -> &LimiterSettings {
        &self.settings
    }

    /// Applies settings. A change of look-ahead or detection factor changes
    /// the structure and clears all state (the caller must clear its delay
    /// lines too); character, release and link changes apply at once,
    /// seamlessly. Never
    /// allocates; the look-ahead is clamped to `1 ..= max_lookahead_samples`.
    pub fn set_settings(&mut self, settings: &LimiterSettings) {
        let mut settings = *settings;
        settings.lookahead_samples = settings
            .lookahead_samples
            .clamp(1, self.max_lookahead_samples);
        settings.stereo_link = if settings.stereo_link.is_finite() {
            settings.stereo_link.clamp(0.0, 1.0)
        } else {
            1.0
        };
        if !settings.release_ms.is_finite() {
            settings.release_ms = self.settings.release_ms;
        }
        let structural = settings.lookahead_samples != self.settings.lookahead_samples
            || settings.factor != self.settings.factor;
        self.settings = settings;
        self.coefs = self.compute_coefs();
        if structural {
            self.apply_structure();
        }
    }

    fn compute_coefs(&self) -> Coefs {
        let s = &self.settings;
        let release_ms = match s.character {
            LimiterCharacter::Transparent => s.release_ms,
            LimiterCharacter::Punchy => s.release_ms * PUNCHY_RELEASE_RATIO,
        };
        let fast_ms = if s.auto_release {
            release_ms * AUTO_FAST_RELEASE_RATIO
        } else {
            release_ms
        };
        Coefs {
            release: pole(fast_ms, self.sample_rate),
            slow_release: pole(release_ms, self.sample_rate),
            slow_attack: pole(AUTO_SLOW_ATTACK_MS, self.sample_rate),
        }
    }

    /// Attack ramp length for `character` at the current look-ahead, samples.
    pub fn attack_samples(&self, character: LimiterCharacter) -> usize {
        let w = self.settings.lookahead_samples;
        match character {
            LimiterCharacter::Transparent => w,
            LimiterCharacter::Punchy => ((w as f32 * PUNCHY_ATTACK_RATIO).round() as usize).max(1),
        }
    }

    fn apply_structure(&mut self) {
        let hold = self.settings.lookahead_samples + 2 * PEAK_SLACK_SAMPLES;
        let long = self.attack_samples(LimiterCharacter::Transparent);
        let short = self.attack_samples(LimiterCharacter::Punchy);
        let (long, short) = (split_attack(long), split_attack(short));
        let short_delay =
            self.settings.lookahead_samples - self.attack_samples(LimiterCharacter::Punchy);
        for chain in self.chains.iter_mut() {
            chain.hold.set_window(hold);
            chain.short_delay.set_delay_samples(short_delay);
            for k in 0..2 {
                chain.average[k].set_len(long[k]);
                chain.short_average[k].set_len(short[k]);
            }
        }
        for detector in self.detectors.iter_mut() {
            detector.set_factor(self.settings.factor);
        }
        self.reset();
    }

    /// Clears all state. Never allocates.
    pub fn reset(&mut self) {
        self.detectors.iter_mut().for_each(TruePeakDetector::reset);
        self.chains.iter_mut().for_each(GainChain::reset);
    }

    /// Pushes one frame of (gained, finite) input, `input[..num_channels]`,
    /// with the current `threshold` (linear, > 0), and writes to
    /// `gains[..num_channels]` the gains (linear, 0 < g ≤ 1) for the audio
    /// frame pushed [`Self::latency_samples`] frames ago.
    #[inline]
    pub fn process_frame(&mut self, input: &[f32], threshold: f32, gains: &mut [f32]) {
        let n = self.num_channels;
        let mut peaks = [0.0f32; STEREO];
        for ((detector, &x), peak) in self
            .detectors
            .iter_mut()
            .zip(&input[..n])
            .zip(peaks.iter_mut())
        {
            *peak = detector.process(x);
        }
        self.process_peaks(&peaks[..n], threshold, gains);
    }

    /// The first half of [`Self::process_frame`] for a block of one
    /// channel: runs `channel`'s true-peak detector over `input` (gained,
    /// finite) and writes one detected peak per sample to `peaks` (linear),
    /// to be handed frame by frame to [`Self::process_peaks`]. Detecting a
    /// block at once is several times faster and gives the same peaks bit
    /// for bit. Never allocates.
    ///
    /// # Panics
    /// If `channel` ≥ the number of channels or `peaks` is shorter than `input`.
    pub fn detect_block(&mut self, channel: usize, input: &[f32], peaks: &mut [f32]) {
        self.detectors[channel].process_block(input, peaks);
    }

    /// The second half of [`Self::process_frame`]: from one frame of
    /// detected peaks (`peaks[..num_channels]`, from [`Self::detect_block`])
    /// and the current `threshold` (linear, > 0), writes
    /// `gains[..num_channels]` for the audio frame pushed
    /// [`Self::latency_samples`] frames ago.
    #[inline]
    pub fn process_peaks(&mut self, peaks: &[f32], threshold: f32, gains: &mut [f32]) {
        let n = self.num_channels;
        let mut required_db = [0.0f32; STEREO];
        let mut linked_db = 0.0f32;
        for (&peak, required) in peaks[..n].iter().zip(required_db.iter_mut()) {
            if peak > threshold {
                *required = (20.0 * (threshold / peak).log10()).max(MIN_GAIN_DB);
                linked_db = linked_db.min(*required);
            }
        }
        let link = self.settings.stereo_link;
        let auto = self.settings.auto_release;
        let punchy = self.settings.character == LimiterCharacter::Punchy;
        let coefs = self.coefs;
        for ((chain, &required), gain) in self
            .chains
            .iter_mut()
            .zip(&required_db[..n])
            .zip(gains[..n].iter_mut())
        {
            let target_db = if link == 0.0 || required == linked_db {
                required
            } else {
                (1.0 - link) * required + link * linked_db
            };
            let held_db = chain.hold.push(target_db);
            chain.fast_db = envelope(chain.fast_db, held_db, coefs.release);
            let envelope_db = if auto {
                // The slow envelope follows reduction with a slow attack and
                // recovers with `release_ms`; short peaks barely move it.
                let pole = if held_db < chain.slow_db {
                    coefs.slow_attack
                } else {
                    coefs.slow_release
                };
                chain.slow_db = snap(one_pole_step(chain.slow_db, held_db, pole));
                chain.fast_db.min(chain.slow_db)
            } else {
                chain.fast_db
            };
            let g = db_to_gain(envelope_db);
            let [long_1, long_2] = &mut chain.average;
            let long = long_2.push(long_1.push(g));
            // 1 − (1 − g) is g to within an ulp, and exactly 1.0 for g = 1.
            let delayed_reduction = chain.short_delay.process(1.0 - g);
            let [short_1, short_2] = &mut chain.short_average;
            let short = short_2.push(short_1.push(1.0 - delayed_reduction));
            *gain = if punchy { short } else { long };
        }
    }
}

/// Lengths `M1 + M2 − 1 = attack_samples` of two cascaded moving averages:
/// their combined kernel is a trapezoid (a triangle for equal lengths)
/// spanning `attack_samples`, so the gain ramps in an S-curve whose
/// spectrum falls 12 dB/octave instead of 6 — less spreading of the
/// output's spectrum than a linear ramp, with the same look-ahead guarantee.
fn split_attack(attack_samples: usize) -> [usize; 2] {
    let first = attack_samples.div_ceil(2).max(1);
    [first, (attack_samples + 1 - first).max(1)]
}

/// Instant attack to `held_db`, one-pole release towards it.
#[inline(always)]
fn envelope(current_db: f32, held_db: f32, pole: f32) -> f32 {
    if held_db <= current_db {
        held_db
    } else {
        snap(one_pole_step(current_db, held_db, pole))
    }
}

/// Snaps an envelope within [`RELEASE_SNAP_DB`] of 0 dB to exactly 0 dB and
/// keeps it ≤ 0 dB.
#[inline(always)]
fn snap(db: f32) -> f32 {
    if db > -RELEASE_SNAP_DB {
        0.0
    } else {
        db
    }
}
