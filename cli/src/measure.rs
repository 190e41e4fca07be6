//! `lathe measure`: loudness of a file with `shared-dsp`'s [`LoudnessMeter`],
//! the very code the Loudness Meter plugin runs.

use std::path::Path;

use shared_dsp::units::loudness::{LoudnessMeter, LoudnessReadings, MOMENTARY_WINDOW_HOPS};
use shared_dsp::units::mono_check::{MonoCheck, MonoLoss};

use crate::decode::{AudioInfo, AudioReader, DecodeError, Truncation, MAX_CHANNELS};
use crate::layout::ChannelLayout;

/// Steps (of 100 ms) before the momentary window (400 ms, BS.1770-4 §2.8 /
/// EBU Tech 3341 §2.2) is full and the momentary series starts.
pub const MOMENTARY_WINDOW_STEPS: u64 = 4;

/// Steps (of 100 ms) before the short-term window (3 s, EBU Tech 3341 §2.2)
/// is full and the short-term series starts.
pub const SHORT_TERM_WINDOW_STEPS: u64 = 30;

/// The meter's fine grid, ms: momentary loudness is known every 10 ms
/// (`shared_dsp::units::loudness::FINE_HOP_S`).
pub const FINE_GRID_MS: u32 = 10;
/// The meter's step, ms: short-term loudness (and the momentary loudness of
/// the gating blocks) is known every 100 ms.
pub const STEP_MS: u32 = 100;
/// Longest series spacing accepted, ms (the short-term window).
pub const MAX_SERIES_STEP_MS: u32 = 3_000;

/// Spacing of the series, ms: a multiple of [`FINE_GRID_MS`] in
/// `FINE_GRID_MS ..= MAX_SERIES_STEP_MS`, default [`STEP_MS`].
///
/// A multiple of 100 ms takes every n-th point of the 100 ms step series
/// (100 is exactly the series as it always was). Any other spacing reads the
/// momentary loudness on the meter's 10 ms grid (the 400 ms window ending at
/// every 10 ms hop, the windows the maximum momentary loudness is sought
/// among); the short-term series then stays at 100 ms, its update rate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SeriesStep(u32);

impl SeriesStep {
    /// A spacing of `ms`, or `None` outside the accepted values.
    pub fn from_ms(ms: u32) -> Option<Self> {
        (ms % FINE_GRID_MS == 0 && (FINE_GRID_MS..=MAX_SERIES_STEP_MS).contains(&ms))
            .then_some(Self(ms))
    }

    /// Whether the series are read at 100 ms steps (every n-th step).
    fn on_step_grid(self) -> bool {
        self.0 % STEP_MS == 0
    }

    /// Grid points (steps or fine hops) per series point (≥ 1).
    fn stride(self) -> u64 {
        if self.on_step_grid() {
            u64::from(self.0 / STEP_MS)
        } else {
            u64::from(self.0 / FINE_GRID_MS)
        }
    }
}

impl Default for SeriesStep {
    fn default() -> Self {
        Self(STEP_MS)
    }
}

/// What to collect besides the final readings.
#[derive(Debug, Clone, Copy, Default)]
pub struct MeasureOptions {
    /// Record the momentary and short-term loudness series.
    pub series: bool,
    /// Spacing of the series.
    pub series_step: SeriesStep,
}

/// One point of a loudness series.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SeriesPoint {
    /// End of the step, seconds from the start of the file.
    pub t_end_s: f64,
    /// Loudness over the window ending at `t_end_s`, LUFS; `None` when
    /// undefined (e.g. digital silence).
    pub lufs: Option<f64>,
}

/// Momentary and short-term loudness at each series point ([`SeriesStep`]).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LoudnessSeries {
    /// One point per series step from the first full 400 ms window on.
    pub momentary: Vec<SeriesPoint>,
    /// One point per series step (at least 100 ms) from the first full 3 s window on.
    pub short_term: Vec<SeriesPoint>,
}

/// The result of measuring one file.
#[derive(Debug, Clone)]
pub struct Measurement {
    /// Sample rate and channel count of the file.
    pub info: AudioInfo,
    /// The speaker of each channel, as weighed.
    pub layout: ChannelLayout,
    /// Number of frames decoded.
    pub num_frames: u64,
    /// The meter's readings after the whole file.
    pub readings: LoudnessReadings,
    /// The per-step series, when asked for.
    pub series: Option<LoudnessSeries>,
    /// Stereo files: the mono fold-down loss (see
    /// `shared_dsp::units::mono_check`) and the correlation of the channels
    /// over the whole file; `None` for other channel counts.
    pub mono: Option<MonoReport>,
    /// Set when the file ended before the length its header declares: what is
    /// there was measured, and the report says so.
    pub truncated: Option<Truncation>,
}

/// Mono compatibility of a stereo file.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MonoReport {
    /// Fold-down loss, LU (`+∞`: the fold-down is silent).
    pub loss: MonoLoss,
    /// Correlation of L and R over the whole file (`None` if a channel is silent).
    pub correlation: Option<f64>,
}

impl Measurement {
    /// Length of the audio in seconds.
    pub fn duration_s(&self) -> f64 {
        self.num_frames as f64 / f64::from(self.info.sample_rate)
    }
}

/// Feeds planar audio to a [`LoudnessMeter`] in pieces that end exactly on
/// the meter's 100 ms step boundaries (and its 10 ms hops, for a fine
/// series), so a series can be read at each.
pub struct Measurer {
    meter: LoudnessMeter,
    info: AudioInfo,
    layout: ChannelLayout,
    num_frames: u64,
    series: Option<LoudnessSeries>,
    series_step: SeriesStep,
    /// The fold-down check, for stereo files.
    mono: Option<MonoCheck>,
}

impl Measurer {
    /// A fresh measurer for audio with the given parameters, its channels
    /// in the default order for their count.
    ///
    /// # Panics
    /// If the channel count has no default order (see [`crate::layout`]).
    pub fn new(info: AudioInfo, options: MeasureOptions) -> Self {
        let layout = ChannelLayout::for_file(info.num_channels, None)
            .expect("a channel count with a default order");
        Self::with_layout(info, layout, options)
    }

    /// A fresh measurer for audio whose channels feed `layout`'s speakers.
    pub fn with_layout(info: AudioInfo, layout: ChannelLayout, options: MeasureOptions) -> Self {
        let mut meter = LoudnessMeter::new(f64::from(info.sample_rate), info.num_channels);
        meter.set_channel_layout(layout.roles());
        Self {
            meter,
            info,
            layout,
            num_frames: 0,
            series: options.series.then(LoudnessSeries::default),
            series_step: options.series_step,
            mono: (info.num_channels == 2).then(|| MonoCheck::new(f64::from(info.sample_rate))),
        }
    }

    /// Feeds one planar block (`channels[c][i]`, all slices the same length).
    pub fn feed(&mut self, channels: &[&[f32]]) {
        let block_frames = channels.first().map_or(0, |channel| channel.len());
        let mut start = 0;
        while start < block_frames {
            // A meter always has at least one frame to go before its next
            // step and hop; `max(1)` only guards against an endless loop.
            let mut until_next = self.meter.samples_until_next_step();
            if self.fine_series() {
                until_next = until_next.min(self.meter.samples_until_next_hop());
            }
            let piece_frames = until_next.max(1).min(block_frames - start);
            let end = start + piece_frames;
            let mut piece: [&[f32]; MAX_CHANNELS] = [&[]; MAX_CHANNELS];
            for (slot, channel) in piece.iter_mut().zip(channels) {
                *slot = &channel[start..end];
            }
            let steps_before = self.meter.steps_completed();
            let hops_before = self.meter.hops_completed();
            self.meter.process(&piece[..channels.len()]);
            if self.meter.steps_completed() != steps_before {
                self.record_step();
            }
            if self.meter.hops_completed() != hops_before {
                self.record_hop();
            }
            start = end;
        }
        if let (Some(mono), [left, right]) = (self.mono.as_mut(), channels) {
            mono.process(left, right);
        }
        self.num_frames += block_frames as u64;
    }

    /// Whether a momentary series on the 10 ms grid is being recorded.
    fn fine_series(&self) -> bool {
        self.series.is_some() && !self.series_step.on_step_grid()
    }

    /// Appends the readings at the step that just completed to the series
    /// (the short-term series always; the momentary one on the step grid),
    /// if the step is a series point.
    fn record_step(&mut self) {
        let on_step_grid = self.series_step.on_step_grid();
        let stride = if on_step_grid {
            self.series_step.stride()
        } else {
            1
        };
        let Some(series) = self.series.as_mut() else {
            return;
        };
        let steps = self.meter.steps_completed();
        if steps % stride != 0 {
            return;
        }
        let t_end_s = self.meter.time_s();
        let readings = self.meter.readings();
        if on_step_grid && steps >= MOMENTARY_WINDOW_STEPS {
            series.momentary.push(SeriesPoint {
                t_end_s,
                lufs: readings.momentary_lufs,
            });
        }
        if steps >= SHORT_TERM_WINDOW_STEPS {
            series.short_term.push(SeriesPoint {
                t_end_s,
                lufs: readings.short_term_lufs,
            });
        }
    }

    /// Appends the momentary loudness at the fine hop that just completed to
    /// a 10 ms-grid series, if the hop is a series point.
    fn record_hop(&mut self) {
        if !self.fine_series() {
            return;
        }
        let hops = self.meter.hops_completed();
        let Some(series) = self.series.as_mut() else {
            return;
        };
        if hops < MOMENTARY_WINDOW_HOPS as u64 || hops % self.series_step.stride() != 0 {
            return;
        }
        series.momentary.push(SeriesPoint {
            t_end_s: self.meter.fine_time_s(),
            lufs: self.meter.fine_momentary_lufs(),
        });
    }

    /// The final measurement.
    pub fn finish(self) -> Measurement {
        let readings = self.meter.readings();
        Measurement {
            info: self.info,
            layout: self.layout,
            num_frames: self.num_frames,
            readings,
            series: self.series,
            mono: self.mono.map(|mono| MonoReport {
                loss: mono.loss(&readings),
                correlation: mono.correlation(),
            }),
            truncated: None,
        }
    }
}

/// Decodes `path` packet by packet and measures it.
pub fn measure_file(path: &Path, options: MeasureOptions) -> Result<Measurement, DecodeError> {
    let mut reader = AudioReader::open(path)?;
    let mut measurer = Measurer::with_layout(reader.info(), reader.channel_layout(), options);
    while let Some(block) = reader.next_block()? {
        measurer.feed(block.channels());
    }
    Ok(Measurement {
        truncated: reader.truncation(),
        ..measurer.finish()
    })
}
