//! The complete EBU R128 meter: momentary, short-term, integrated, LRA,
//! maxima, true peak and sample peak.

use super::channels::{default_layout, ChannelRole, MAX_CHANNELS};
use super::energy_to_lufs;
use super::gating::GatedLoudness;
use super::k_weighting::{KWeightingCoefs, KWeightingState};
use super::range::LoudnessRange;
use crate::primitives::level::{peak_to_db, sanitize};
use crate::primitives::true_peak::{TruePeakChannel, TruePeakGrade, TruePeakMeter};

/// Duration of one step, s: the 100 ms hop of BS.1770-4 gating blocks
/// (75 % overlap of 400 ms) and the 10 Hz update rate of EBU Tech 3341.
pub const STEP_DURATION_S: f64 = 0.1;
/// Momentary window, steps (400 ms, EBU Tech 3341 "M").
pub const MOMENTARY_WINDOW_STEPS: usize = 4;
/// Short-term window, steps (3 s, EBU Tech 3341 "S").
pub const SHORT_TERM_WINDOW_STEPS: usize = 30;
/// Hop of the fine grid on which the *maximum* momentary loudness is
/// sought, s (10 ms): a 400 ms burst at any offset is then caught by a
/// window holding at least 395 ms of it (−0.05 LU), where the 100 ms step
/// grid can miss up to a quarter of it (EBU Tech 3341 cases 13 and 14).
pub const FINE_HOP_S: f64 = 0.01;
/// Momentary window on the fine grid, hops (40 × 10 ms = 400 ms).
pub const MOMENTARY_WINDOW_HOPS: usize = 40;
/// Lowest sample rate the readings are specified for, Hz (the CLI refuses
/// files outside [`MIN_SAMPLE_RATE_HZ`] ..= [`MAX_SAMPLE_RATE_HZ`]). The meter
/// itself runs at any finite, positive rate, since plugin hosts may offer
/// any: below ≈ 3.4 kHz the K-weighting shelf corner lies above Nyquist and is
/// clamped below it (see [`KWeightingCoefs::new`]), so readings there are
/// only indicative.
pub const MIN_SAMPLE_RATE_HZ: f64 = 8_000.0;
/// Highest sample rate the readings are specified for, Hz (see [`MIN_SAMPLE_RATE_HZ`]).
pub const MAX_SAMPLE_RATE_HZ: f64 = 768_000.0;

/// Loudness meter for mono, stereo or surround (up to 7.1) audio.
///
/// Feed any block size with [`LoudnessMeter::process`]; read values at any
/// time. Loudness readings (momentary, short-term, integrated, LRA and their
/// maxima) are updated at every 100 ms *step* (the gating-block hop of
/// BS.1770-4, and the 10 Hz update rate of EBU Tech 3341); a step is exactly
/// `round(0.1·fs)` frames. Peaks are live: they include every frame fed.
///
/// The maximum momentary loudness is also sought on a 10 ms grid
/// ([`FINE_HOP_S`]), so a short burst at any offset reads its level.
///
/// Momentary and short-term loudness come from a ring of per-step energy sums
/// (f64), so the 400 ms and 3 s windows are exactly 4 and 30 steps. Gating
/// blocks for the integrated loudness are the momentary windows; LRA takes
/// the short-term value at every step. Both use bounded histograms (0.01 LU
/// bins, see [`super::gating`] and [`super::range`]): memory does not grow.
///
/// Non-finite input samples (NaN, ±∞) are measured as 0.0 so they cannot
/// poison filter state or readings; so are subnormals (see `sanitize`).
///
/// No allocation after construction / [`LoudnessMeter::set_sample_rate`].
#[derive(Debug, Clone)]
pub struct LoudnessMeter {
    sample_rate: f64,
    num_channels: usize,
    /// BS.1770-4 channel weights `G_i`, linear; entries ≥ `num_channels` unused.
    channel_weights: [f64; MAX_CHANNELS],
    k_weighting: KWeightingCoefs,
    k_states: [KWeightingState; MAX_CHANNELS],
    true_peak: TruePeakMeter,
    /// Interpolator of the true-peak reading.
    true_peak_grade: TruePeakGrade,
    /// Frames per 100 ms step.
    step_len: usize,
    /// Frames of the current step fed so far, `0 .. step_len`.
    frames_in_step: usize,
    /// Σ y² per channel over the current step.
    step_energy: [f64; MAX_CHANNELS],
    /// Channel-weighted Σ y² of the last completed steps (ring).
    step_ring: [f64; SHORT_TERM_WINDOW_STEPS],
    /// Ring slot the next completed step goes to.
    ring_write_idx: usize,
    steps_completed: u64,
    gated: GatedLoudness,
    range: LoudnessRange,
    /// Loudness readings as of the last completed step.
    stepped: SteppedReadings,
    /// Frames per fine hop (`round(0.01·fs)`, ≥ 1).
    hop_len: usize,
    /// Frames of the current hop fed so far.
    frames_in_hop: usize,
    /// Σ y² per channel over the current hop.
    hop_energy: [f64; MAX_CHANNELS],
    /// Channel-weighted Σ y² of the last completed hops (ring).
    hop_ring: [f64; MOMENTARY_WINDOW_HOPS],
    /// Ring slot the next completed hop goes to.
    hop_write_idx: usize,
    hops_completed: u64,
    /// Largest momentary energy on the fine grid since reset.
    max_fine_momentary_energy: f64,
}

/// The readings that change only at step boundaries.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
struct SteppedReadings {
    momentary_lufs: Option<f64>,
    short_term_lufs: Option<f64>,
    integrated_lufs: Option<f64>,
    loudness_range_lu: Option<f64>,
    max_momentary_energy: f64,
    max_short_term_energy: f64,
}

/// A snapshot of every reading, for handing to a GUI or printing.
/// `None` means "undefined" (not enough audio yet, or silence below the gates).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct LoudnessReadings {
    /// Momentary loudness (400 ms window), LUFS.
    pub momentary_lufs: Option<f64>,
    /// Short-term loudness (3 s window), LUFS.
    pub short_term_lufs: Option<f64>,
    /// Gated integrated loudness since the last reset, LUFS.
    pub integrated_lufs: Option<f64>,
    /// Loudness range (EBU Tech 3342), LU.
    pub loudness_range_lu: Option<f64>,
    /// Highest momentary loudness since reset, LUFS (400 ms windows every
    /// 10 ms, [`FINE_HOP_S`]).
    pub max_momentary_lufs: Option<f64>,
    /// Highest short-term loudness since reset, LUFS.
    pub max_short_term_lufs: Option<f64>,
    /// Highest true peak over all channels since reset, dBTP.
    pub true_peak_dbtp: Option<f64>,
    /// Highest sample peak over all channels since reset, dBFS.
    pub sample_peak_dbfs: Option<f64>,
    /// Peak-to-loudness ratio: true peak − integrated loudness, LU.
    pub plr_lu: Option<f64>,
}

/// Frames per fine hop at `sample_rate`: `round(0.01·fs)`, at least 1.
fn hop_len_for(sample_rate: f64) -> usize {
    ((sample_rate * FINE_HOP_S).round() as usize).max(1)
}

/// Frames per step at `sample_rate`: `round(0.1·fs)`, at least 1.
fn step_len_for(sample_rate: f64) -> usize {
    ((sample_rate * STEP_DURATION_S).round() as usize).max(1)
}

/// Loudness of a window energy, `None` for digital silence (energy 0).
fn lufs_unless_silent(energy: f64) -> Option<f64> {
    (energy > 0.0).then(|| energy_to_lufs(energy))
}

/// Feeds `frames` samples of one channel (`None` = silence) through
/// K-weighting and the peak detector; returns the updated Σ y².
#[inline(always)]
fn measure_channel(
    input: Option<&[f32]>,
    frames: usize,
    coefs: &KWeightingCoefs,
    state: &mut KWeightingState,
    peaks: &mut TruePeakChannel,
    mut energy: f64,
) -> f64 {
    let mut feed = |x: f32| {
        let y = state.process(coefs, f64::from(x));
        energy += y * y;
    };
    // The peak detector runs a block at a time (it sanitizes the same way).
    match input {
        Some(samples) => {
            peaks.process_block(samples);
            samples.iter().for_each(|&x| feed(sanitize(x)));
        }
        None => {
            peaks.process_silence(frames);
            (0..frames).for_each(|_| feed(0.0));
        }
    }
    energy
}

impl LoudnessMeter {
    /// Creates a meter for `num_channels` at `sample_rate` Hz. Channel
    /// weights follow [`super::channels::default_layout`] (BS.1770-4 Table 3):
    /// mono and stereo weigh 1.0 per channel; 5.1 is L R C LFE Ls Rs with the
    /// LFE excluded and surrounds at 1.41. Allocates (≈ 0.7 MB, mostly the two
    /// histograms).
    ///
    /// # Panics
    /// If `num_channels` is 0 or above [`MAX_CHANNELS`], or `sample_rate` is
    /// not finite and positive.
    pub fn new(sample_rate: f64, num_channels: usize) -> Self {
        assert!(
            (1..=MAX_CHANNELS).contains(&num_channels),
            "LoudnessMeter supports 1..={MAX_CHANNELS} channels, got {num_channels}"
        );
        Self::assert_sample_rate(sample_rate);
        let mut channel_weights = [0.0; MAX_CHANNELS];
        for (weight, role) in channel_weights.iter_mut().zip(default_layout(num_channels)) {
            *weight = role.weight();
        }
        let mut meter = Self {
            sample_rate,
            num_channels,
            channel_weights,
            k_weighting: KWeightingCoefs::new(sample_rate),
            k_states: [KWeightingState::default(); MAX_CHANNELS],
            true_peak: TruePeakMeter::new(sample_rate, num_channels),
            true_peak_grade: TruePeakGrade::Meter,
            step_len: step_len_for(sample_rate),
            frames_in_step: 0,
            step_energy: [0.0; MAX_CHANNELS],
            step_ring: [0.0; SHORT_TERM_WINDOW_STEPS],
            ring_write_idx: 0,
            steps_completed: 0,
            gated: GatedLoudness::new(),
            range: LoudnessRange::new(),
            stepped: SteppedReadings::default(),
            hop_len: hop_len_for(sample_rate),
            frames_in_hop: 0,
            hop_energy: [0.0; MAX_CHANNELS],
            hop_ring: [0.0; MOMENTARY_WINDOW_HOPS],
            hop_write_idx: 0,
            hops_completed: 0,
            max_fine_momentary_energy: 0.0,
        };
        meter.reset();
        meter
    }

    /// A meter whose true peak is read by the limiter's detector at
    /// `factor` ([`TruePeakGrade::Limiter`]) instead of the Annex 2
    /// interpolator: what the Maximizer shows, so it displays the true peak
    /// it limits against. Allocates.
    ///
    /// # Panics
    /// As [`Self::new`].
    pub fn with_limiter_true_peak(
        sample_rate: f64,
        num_channels: usize,
        factor: crate::primitives::true_peak::DetectorFactor,
    ) -> Self {
        let mut meter = Self::new(sample_rate, num_channels);
        meter.set_true_peak_grade(TruePeakGrade::Limiter(factor));
        meter
    }

    /// A loudness-only meter: no true-peak interpolator
    /// ([`TruePeakGrade::Off`]; the true peak reads the sample peak), for
    /// analyses that never show it. Allocates.
    ///
    /// # Panics
    /// As [`Self::new`].
    pub fn loudness_only(sample_rate: f64, num_channels: usize) -> Self {
        let mut meter = Self::new(sample_rate, num_channels);
        meter.set_true_peak_grade(TruePeakGrade::Off);
        meter
    }

    /// Switches the true-peak interpolator and resets. May allocate.
    pub fn set_true_peak_grade(&mut self, grade: TruePeakGrade) {
        if grade != self.true_peak_grade {
            self.true_peak_grade = grade;
            self.true_peak = TruePeakMeter::with_grade(grade, self.sample_rate, self.num_channels);
            self.reset();
        }
    }

    /// For a meter made by [`Self::with_limiter_true_peak`]: follows the
    /// limiter's detection factor. Never allocates.
    pub fn set_limiter_true_peak_factor(
        &mut self,
        factor: crate::primitives::true_peak::DetectorFactor,
    ) {
        if let TruePeakGrade::Limiter(current) = self.true_peak_grade {
            if current != factor {
                self.true_peak_grade = TruePeakGrade::Limiter(factor);
                self.true_peak.set_detector_factor(factor);
            }
        }
    }

    fn assert_sample_rate(sample_rate: f64) {
        assert!(
            sample_rate.is_finite() && sample_rate > 0.0,
            "LoudnessMeter sample rate must be finite and positive, got {sample_rate}"
        );
    }

    /// Re-derives all rate-dependent coefficients and buffers and resets.
    /// May allocate.
    ///
    /// # Panics
    /// If `sample_rate` is not finite and positive.
    pub fn set_sample_rate(&mut self, sample_rate: f64) {
        Self::assert_sample_rate(sample_rate);
        self.sample_rate = sample_rate;
        self.k_weighting = KWeightingCoefs::new(sample_rate);
        self.true_peak =
            TruePeakMeter::with_grade(self.true_peak_grade, sample_rate, self.num_channels);
        self.step_len = step_len_for(sample_rate);
        self.hop_len = hop_len_for(sample_rate);
        self.reset();
    }

    /// Clears all state and readings. Never allocates.
    pub fn reset(&mut self) {
        self.k_states.iter_mut().for_each(KWeightingState::reset);
        self.true_peak.reset();
        self.frames_in_step = 0;
        self.step_energy = [0.0; MAX_CHANNELS];
        self.step_ring = [0.0; SHORT_TERM_WINDOW_STEPS];
        self.ring_write_idx = 0;
        self.steps_completed = 0;
        self.gated.reset();
        self.range.reset();
        self.stepped = SteppedReadings::default();
        self.frames_in_hop = 0;
        self.hop_energy = [0.0; MAX_CHANNELS];
        self.hop_ring = [0.0; MOMENTARY_WINDOW_HOPS];
        self.hop_write_idx = 0;
        self.hops_completed = 0;
        self.max_fine_momentary_energy = 0.0;
    }

    /// Number of channels this meter measures.
    pub fn num_channels(&self) -> usize {
        self.num_channels
    }

    /// Sample rate in Hz.
    pub fn sample_rate(&self) -> f64 {
        self.sample_rate
    }

    /// Frames per 100 ms step: `round(0.1·sample_rate)`.
    pub fn step_len_samples(&self) -> usize {
        self.step_len
    }

    /// BS.1770-4 channel weights in use (linear, one per channel).
    pub fn channel_weights(&self) -> &[f64] {
        &self.channel_weights[..self.num_channels]
    }

    /// Overrides the channel weights (linear, ≥ 0, e.g. 0 to exclude an LFE,
    /// 1.41 for surrounds); entries beyond `num_channels` are ignored, missing
    /// ones keep their value. Takes effect from the next step on; call
    /// [`Self::reset`] to measure from scratch. Never allocates.
    pub fn set_channel_weights(&mut self, weights: &[f64]) {
        for (dst, src) in self.channel_weights[..self.num_channels]
            .iter_mut()
            .zip(weights)
        {
            *dst = if src.is_finite() { src.max(0.0) } else { 0.0 };
        }
    }

    /// Sets the channel weights from channel roles, `roles[c]` for channel
    /// `c` (e.g. the order a WAV channel mask gives); as
    /// [`Self::set_channel_weights`] with each role's BS.1770-4 weight.
    /// Never allocates.
    pub fn set_channel_layout(&mut self, roles: &[ChannelRole]) {
        for (dst, role) in self.channel_weights[..self.num_channels]
            .iter_mut()
            .zip(roles)
        {
            *dst = role.weight();
        }
    }

    /// Oversampling factor of the true-peak detector (≥ 4).
    pub fn true_peak_oversampling_factor(&self) -> usize {
        self.true_peak.factor()
    }

    /// Feeds one block, planar: `channels[c][i]`. All slices have equal length
    /// (any, including 0); if they differ, the shortest sets the block length.
    /// Extra channels beyond `num_channels` are ignored; missing channels are
    /// measured as silence. NaN/±∞ samples are measured as 0.0.
    /// Real-time safe: never allocates, locks or panics.
    pub fn process<S: AsRef<[f32]>>(&mut self, channels: &[S]) {
        let provided = &channels[..channels.len().min(self.num_channels)];
        let frames = provided.iter().map(|c| c.as_ref().len()).min().unwrap_or(0);
        let mut offset = 0;
        while offset < frames {
            let chunk = self.frames_until_boundary().min(frames - offset);
            let mut energies = [0.0; MAX_CHANNELS];
            for (c, energy) in energies[..self.num_channels].iter_mut().enumerate() {
                let input = provided
                    .get(c)
                    .map(|samples| &samples.as_ref()[offset..offset + chunk]);
                *energy = measure_channel(
                    input,
                    chunk,
                    &self.k_weighting,
                    &mut self.k_states[c],
                    self.true_peak.channel_mut(c),
                    self.step_energy[c],
                );
            }
            self.commit_chunk(chunk, &energies[..self.num_channels]);
            offset += chunk;
        }
    }

    /// Frames that can be fed before the next fine hop or step completes,
    /// `1 ..= step_len`: the longest chunk [`Self::commit_chunk`] takes.
    #[inline]
    pub(super) fn frames_until_boundary(&self) -> usize {
        (self.step_len - self.frames_in_step).min(self.hop_len - self.frames_in_hop)
    }

    /// The running Σ y² of `channel` over the current step (what a chunk's
    /// energies continue from, so the sums are the same however the audio
    /// was cut into chunks).
    #[inline]
    pub(super) fn step_energy(&self, channel: usize) -> f64 {
        self.step_energy[channel]
    }

    /// Takes a measured chunk of `frames` (≤ [`Self::frames_until_boundary`]):
    /// `step_energies[c]` is the running step sum of channel `c` continued
    /// over the chunk's K-weighted samples. Completes the hop and the step
    /// when they are full. For callers that K-weight themselves
    /// ([`super::StereoFoldMeter`]); [`Self::process`] ends here too.
    #[inline]
    pub(super) fn commit_chunk(&mut self, frames: usize, step_energies: &[f64]) {
        debug_assert!(frames <= self.frames_until_boundary());
        for (c, &energy) in step_energies.iter().enumerate().take(self.num_channels) {
            let before = self.step_energy[c];
            self.step_energy[c] = energy;
            // The hop's share of the running step sum (≥ 0 up to rounding).
            self.hop_energy[c] += (energy - before).max(0.0);
        }
        self.frames_in_step += frames;
        self.frames_in_hop += frames;
        if self.frames_in_hop == self.hop_len {
            self.complete_hop();
        }
        if self.frames_in_step == self.step_len {
            self.complete_step();
        }
    }

    /// Counts `peaks[c]`, the largest |sample| of channel `c` in audio
    /// measured outside [`Self::process`], into the sample peaks. Only for a
    /// meter without a true-peak interpolator ([`Self::loudness_only`]),
    /// whose true peak is the sample peak: there, one call with a chunk's
    /// largest |sample| is exactly what feeding its samples one by one gives.
    pub(super) fn commit_sample_peaks(&mut self, peaks: &[f32]) {
        debug_assert_eq!(self.true_peak_grade, TruePeakGrade::Off);
        for (c, &peak) in peaks.iter().enumerate().take(self.num_channels) {
            self.true_peak.channel_mut(c).process(peak);
        }
    }

    /// The integrated and short-term loudness only, LUFS (no logarithms:
    /// both are kept from the last step), for callers that read them often.
    #[inline]
    pub(super) fn integrated_and_short_term_lufs(&self) -> (Option<f64>, Option<f64>) {
        (self.stepped.integrated_lufs, self.stepped.short_term_lufs)
    }

    /// Mean channel-weighted energy of the last `steps` completed steps.
    fn window_energy(&self, steps: usize) -> f64 {
        let sum: f64 = (1..=steps)
            .map(|back| {
                self.step_ring[(self.ring_write_idx + SHORT_TERM_WINDOW_STEPS - back)
                    % SHORT_TERM_WINDOW_STEPS]
            })
            .sum();
        sum / (steps * self.step_len) as f64
    }

    /// Closes the current fine hop and updates the fine-grid momentary maximum.
    fn complete_hop(&mut self) {
        let weighted: f64 = self.hop_energy[..self.num_channels]
            .iter()
            .zip(&self.channel_weights)
            .map(|(energy, weight)| energy * weight)
            .sum();
        self.hop_energy = [0.0; MAX_CHANNELS];
        self.frames_in_hop = 0;
        self.hop_ring[self.hop_write_idx] = weighted;
        self.hop_write_idx = (self.hop_write_idx + 1) % MOMENTARY_WINDOW_HOPS;
        self.hops_completed += 1;
        if self.hops_completed >= MOMENTARY_WINDOW_HOPS as u64 {
            let energy = self.fine_window_energy();
            self.max_fine_momentary_energy = self.max_fine_momentary_energy.max(energy);
        }
    }

    /// Mean channel-weighted energy of the last 40 completed fine hops.
    fn fine_window_energy(&self) -> f64 {
        let sum: f64 = self.hop_ring.iter().sum();
        sum / (MOMENTARY_WINDOW_HOPS * self.hop_len) as f64
    }

    /// Closes the current step and updates every loudness reading.
    fn complete_step(&mut self) {
        let weighted: f64 = self.step_energy[..self.num_channels]
            .iter()
            .zip(&self.channel_weights)
            .map(|(energy, weight)| energy * weight)
            .sum();
        self.step_energy = [0.0; MAX_CHANNELS];
        self.frames_in_step = 0;
        self.step_ring[self.ring_write_idx] = weighted;
        self.ring_write_idx = (self.ring_write_idx + 1) % SHORT_TERM_WINDOW_STEPS;
        self.steps_completed += 1;

        if self.steps_completed >= MOMENTARY_WINDOW_STEPS as u64 {
            let energy = self.window_energy(MOMENTARY_WINDOW_STEPS);
            // Every momentary window is a BS.1770-4 gating block.
            self.gated.add_block(energy);
            self.stepped.momentary_lufs = lufs_unless_silent(energy);
            self.stepped.max_momentary_energy = self.stepped.max_momentary_energy.max(energy);
            self.stepped.integrated_lufs = self.gated.loudness_lufs();
        }
        if self.steps_completed >= SHORT_TERM_WINDOW_STEPS as u64 {
            let energy = self.window_energy(SHORT_TERM_WINDOW_STEPS);
            self.range.add_short_term(energy);
            self.stepped.short_term_lufs = lufs_unless_silent(energy);
            self.stepped.max_short_term_energy = self.stepped.max_short_term_energy.max(energy);
            self.stepped.loudness_range_lu = self.range.range_lu();
        }
    }

    /// Samples (frames) still to feed before the next 100 ms step completes,
    /// `1 ..= step_len_samples()`. Lets offline callers read a series exactly
    /// at step boundaries.
    pub fn samples_until_next_step(&self) -> usize {
        self.step_len - self.frames_in_step
    }

    /// Samples (frames) still to feed before the next 10 ms fine hop
    /// completes, `1 ..= round(0.01·sample_rate)`. Lets offline callers read
    /// [`Self::fine_momentary_lufs`] at every hop.
    pub fn samples_until_next_hop(&self) -> usize {
        self.hop_len - self.frames_in_hop
    }

    /// Number of 10 ms fine hops completed since reset.
    pub fn hops_completed(&self) -> u64 {
        self.hops_completed
    }

    /// Time in seconds at the end of the last completed fine hop since reset
    /// (`hops · hop_len / sample_rate`).
    pub fn fine_time_s(&self) -> f64 {
        (self.hops_completed as f64 * self.hop_len as f64) / self.sample_rate
    }

    /// Momentary loudness of the 400 ms window ending at the last completed
    /// fine hop (40 hops of [`FINE_HOP_S`]), LUFS: the value the maximum
    /// momentary loudness is sought among. `None` before the first full
    /// window and for digital silence.
    pub fn fine_momentary_lufs(&self) -> Option<f64> {
        if self.hops_completed < MOMENTARY_WINDOW_HOPS as u64 {
            return None;
        }
        lufs_unless_silent(self.fine_window_energy())
    }

    /// Number of 100 ms steps completed since reset.
    pub fn steps_completed(&self) -> u64 {
        self.steps_completed
    }

    /// Time in seconds at the end of the last completed step since reset
    /// (`steps · step_len / sample_rate`).
    pub fn time_s(&self) -> f64 {
        (self.steps_completed as f64 * self.step_len as f64) / self.sample_rate
    }

    /// Highest true peak of `channel` since reset, dBTP (`None` for silence
    /// or a channel index ≥ `num_channels`).
    pub fn channel_true_peak_dbtp(&self, channel: usize) -> Option<f64> {
        (channel < self.num_channels)
            .then(|| peak_to_db(self.true_peak.channel(channel).true_peak()))
            .flatten()
    }

    /// Highest sample peak of `channel` since reset, dBFS (`None` for silence
    /// or a channel index ≥ `num_channels`).
    pub fn channel_sample_peak_dbfs(&self, channel: usize) -> Option<f64> {
        (channel < self.num_channels)
            .then(|| peak_to_db(self.true_peak.channel(channel).sample_peak()))
            .flatten()
    }

    /// All readings at once.
    pub fn readings(&self) -> LoudnessReadings {
        let stepped = &self.stepped;
        let true_peak_dbtp = peak_to_db(self.true_peak.max_true_peak());
        LoudnessReadings {
            momentary_lufs: stepped.momentary_lufs,
            short_term_lufs: stepped.short_term_lufs,
            integrated_lufs: stepped.integrated_lufs,
            loudness_range_lu: stepped.loudness_range_lu,
            max_momentary_lufs: lufs_unless_silent(
                stepped
                    .max_momentary_energy
                    .max(self.max_fine_momentary_energy),
            ),
            max_short_term_lufs: lufs_unless_silent(stepped.max_short_term_energy),
            true_peak_dbtp,
            sample_peak_dbfs: peak_to_db(self.true_peak.max_sample_peak()),
            plr_lu: true_peak_dbtp
                .zip(stepped.integrated_lufs)
                .map(|(peak, integrated)| peak - integrated),
        }
    }
}
