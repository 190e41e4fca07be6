//! The Loudness Meter's processor: audio passes through (sanitised, never
//! otherwise changed), measured by [`LoudnessMeter`] under the plugin's
//! transport rule. The plugin runs this; `lathe measure` runs the same
//! meter unit over files.
//!
//! # Transport rule
//! With [`TransportPolicy::reset_on_play`] the measurement restarts when
//! host playback starts; with [`TransportPolicy::pause_when_stopped`] it
//! pauses while the transport is stopped — but only once the host has been
//! seen playing, so hosts without a transport (and offline use) are
//! measured continuously.

use crate::primitives::level::sanitize_channels;
use crate::units::loudness::{LoudnessMeter, LoudnessReadings, MAX_CHANNELS};

/// How the measurement follows the host transport.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TransportPolicy {
    /// Restart the measurement when playback starts.
    pub reset_on_play: bool,
    /// Pause the measurement while the transport is stopped.
    pub pause_when_stopped: bool,
}

/// What one [`LoudnessMeterProcessor::process`] call did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct MeterStatus {
    /// The measurement was restarted (displays should clear).
    pub reset: bool,
    /// The measurement is paused (the transport is stopped).
    pub paused: bool,
}

/// The Loudness Meter processor (1 ..= [`MAX_CHANNELS`] channels).
#[derive(Debug, Clone)]
pub struct LoudnessMeterProcessor {
    meter: LoudnessMeter,
    /// Whether the host was playing during the last block.
    was_playing: bool,
    /// Whether the Reset parameter was on during the last block.
    reset_was_on: bool,
    /// Whether the host has ever been seen playing (it has a transport).
    host_has_transport: bool,
}

impl LoudnessMeterProcessor {
    /// A processor for `num_channels` at `sample_rate` Hz. Allocates.
    ///
    /// # Panics
    /// As [`LoudnessMeter::new`].
    pub fn new(sample_rate: f64, num_channels: usize) -> Self {
        Self {
            meter: LoudnessMeter::new(sample_rate, num_channels),
            was_playing: false,
            reset_was_on: false,
            host_has_transport: false,
        }
    }

    /// Re-derives everything rate-dependent and restarts the measurement.
    /// May allocate.
    pub fn set_sample_rate(&mut self, sample_rate: f64) {
        self.meter.set_sample_rate(sample_rate);
        self.was_playing = false;
    }

    /// Clears the measurement and the transport history. Never allocates.
    pub fn reset(&mut self) {
        self.was_playing = false;
        self.meter.reset();
    }

    /// Restarts the measurement (a Reset button). Never allocates.
    pub fn reset_measurement(&mut self) {
        self.meter.reset();
    }

    /// Follows a momentary Reset parameter (a switch a host or controller
    /// can map): restarts the measurement on its rising edge only, so a
    /// button held on — or a controller that never sends the release —
    /// resets once, not every block. Call once per block with the
    /// parameter's value; returns whether it reset (displays should clear).
    /// Never allocates.
    pub fn follow_reset(&mut self, reset_on: bool) -> bool {
        let rising = reset_on && !self.reset_was_on;
        self.reset_was_on = reset_on;
        if rising {
            self.meter.reset();
        }
        rising
    }

    /// Channels measured.
    pub fn num_channels(&self) -> usize {
        self.meter.num_channels()
    }

    /// The meter, for readings.
    pub fn meter(&self) -> &LoudnessMeter {
        &self.meter
    }

    /// Current readings.
    pub fn readings(&self) -> LoudnessReadings {
        self.meter.readings()
    }

    /// Applies the transport rule for a block during which the host was
    /// `playing`: restarts the measurement when playback starts (with
    /// [`TransportPolicy::reset_on_play`]) and says whether the block is to
    /// be measured. Call once per block, before [`Self::process`]. Never
    /// allocates.
    pub fn follow_transport(&mut self, playing: bool, policy: TransportPolicy) -> MeterStatus {
        self.host_has_transport |= playing;
        let started = playing && !self.was_playing;
        self.was_playing = playing;
        let mut status = MeterStatus::default();
        if started && policy.reset_on_play {
            self.meter.reset();
            status.reset = true;
        }
        status.paused = policy.pause_when_stopped && self.host_has_transport && !playing;
        status
    }

    /// Sanitises `channels` in place (NaN, ±∞, subnormals → 0: nothing
    /// non-finite leaves the plugin; everything else passes bit-identical)
    /// and, unless `status.paused`, measures them — calling
    /// `on_step(readings, time_s)` at every completed 100 ms step, so
    /// displays update on the meter's own grid. Never allocates.
    pub fn process(
        &mut self,
        channels: &mut [&mut [f32]],
        status: MeterStatus,
        mut on_step: impl FnMut(&LoudnessReadings, f64),
    ) {
        sanitize_channels(channels);
        if status.paused {
            return;
        }
        let num_channels = channels.len().min(self.meter.num_channels());
        let frames = channels[..num_channels]
            .iter()
            .map(|c| c.len())
            .min()
            .unwrap_or(0);
        let mut start = 0;
        while start < frames {
            let len = self
                .meter
                .samples_until_next_step()
                .clamp(1, frames - start);
            let mut piece: [&[f32]; MAX_CHANNELS] = [&[]; MAX_CHANNELS];
            for (slot, channel) in piece.iter_mut().zip(channels.iter()) {
                *slot = &channel[start..start + len];
            }
            let steps_before = self.meter.steps_completed();
            self.meter.process(&piece[..num_channels]);
            if self.meter.steps_completed() != steps_before {
                on_step(&self.meter.readings(), self.meter.time_s());
            }
            start += len;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const RATE: f64 = 48_000.0;
    const POLICY: TransportPolicy = TransportPolicy {
        reset_on_play: true,
        pause_when_stopped: true,
    };

    fn tone(len: usize) -> Vec<f32> {
        (0..len)
            .map(|n| (0.25 * (std::f64::consts::TAU * 1000.0 * n as f64 / RATE).sin()) as f32)
            .collect()
    }

    #[test]
    fn passes_audio_bit_identical_and_sanitises_the_rest() {
        let mut p = LoudnessMeterProcessor::new(RATE, 2);
        let mut left = tone(1000);
        let expected = left.clone();
        let mut right = vec![f32::NAN, f32::INFINITY, 1e-42, -0.0, 0.5];
        let status = p.follow_transport(false, POLICY);
        p.process(&mut [&mut left, &mut right], status, |_, _| {});
        assert_eq!(left, expected);
        assert_eq!(right[..3], [0.0, 0.0, 0.0]);
        assert_eq!(right[3].to_bits(), (-0.0f32).to_bits());
        assert_eq!(right[4], 0.5);
    }

    #[test]
    fn steps_are_reported_on_the_100_ms_grid_whatever_the_block_size() {
        for block in [1usize, 37, 4800, 10_000] {
            let mut p = LoudnessMeterProcessor::new(RATE, 1);
            let signal = tone(48_000);
            let mut times = Vec::new();
            for chunk in signal.chunks(block) {
                let mut chunk = chunk.to_vec();
                let status = p.follow_transport(false, POLICY);
                p.process(&mut [&mut chunk], status, |_, t| times.push(t));
            }
            assert_eq!(times.len(), 10, "block {block}");
            for (k, t) in times.iter().enumerate() {
                assert!(
                    (t - 0.1 * (k + 1) as f64).abs() < 1e-9,
                    "block {block}: {t}"
                );
            }
        }
    }

    #[test]
    fn the_reset_parameter_restarts_the_measurement_on_its_rising_edge_only() {
        let mut p = LoudnessMeterProcessor::new(RATE, 1);
        let free = TransportPolicy {
            reset_on_play: false,
            pause_when_stopped: false,
        };
        // One block of a tone per call, the Reset parameter at `reset_on`.
        let run = |p: &mut LoudnessMeterProcessor, reset_on: bool| {
            let mut block = tone(4800);
            let reset = p.follow_reset(reset_on);
            let status = p.follow_transport(false, free);
            p.process(&mut [&mut block], status, |_, _| {});
            (reset, p.meter().steps_completed())
        };
        assert_eq!(run(&mut p, false), (false, 1));
        assert_eq!(run(&mut p, false), (false, 2));
        // Pressed: the measurement restarts, then this block is measured.
        assert_eq!(run(&mut p, true), (true, 1));
        assert!(p.readings().true_peak_dbtp.is_some());
        // Held on: no further resets; the measurement keeps growing.
        assert_eq!(run(&mut p, true), (false, 2));
        assert_eq!(run(&mut p, true), (false, 3));
        // Released, then pressed again: one more reset.
        assert_eq!(run(&mut p, false), (false, 4));
        assert_eq!(run(&mut p, true), (true, 1));
    }

    #[test]
    fn transport_rule_resets_on_play_and_pauses_when_stopped() {
        let mut p = LoudnessMeterProcessor::new(RATE, 1);
        let mut block = tone(9600);
        // No transport seen yet: measured while "stopped".
        let s = p.follow_transport(false, POLICY);
        p.process(&mut [&mut block], s, |_, _| {});
        assert!(!s.paused && !s.reset);
        assert!(p.meter().steps_completed() > 0);
        // Playback starts: measurement restarts.
        let s = p.follow_transport(true, POLICY);
        p.process(&mut [&mut block], s, |_, _| {});
        assert!(s.reset && !s.paused);
        let steps = p.meter().steps_completed();
        // Stopped after playing: paused, nothing measured.
        let s = p.follow_transport(false, POLICY);
        p.process(&mut [&mut block], s, |_, _| {});
        assert!(s.paused);
        assert_eq!(p.meter().steps_completed(), steps);
        // Without the rule, stopped is measured.
        let free = TransportPolicy {
            reset_on_play: false,
            pause_when_stopped: false,
        };
        let s = p.follow_transport(false, free);
        p.process(&mut [&mut block], s, |_, _| {});
        assert!(!s.paused);
        assert!(p.meter().steps_completed() > steps);
    }
}
