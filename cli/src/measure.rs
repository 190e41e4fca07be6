//! `lathe measure`: loudness of a file with `shared-dsp`'s [`LoudnessMeter`],
//! the very code the Loudness Meter plugin runs.

use std::path::Path;

use shared_dsp::units::loudness::{LoudnessMeter, LoudnessReadings};
use shared_dsp::units::mono_check::{MonoCheck, MonoLoss};

use crate::decode::{AudioInfo, AudioReader, DecodeError, Truncation};

/// Steps (of 100 ms) before the momentary window (400 ms, BS.1770-4 §2.8 /
/// EBU Tech 3341 §2.2) is full and the momentary series starts.
pub const MOMENTARY_WINDOW_STEPS: u64 = 4;

/// Steps (of 100 ms) before the short-term window (3 s, EBU Tech 3341 §2.2)
/// is full and the short-term series starts.
pub const SHORT_TERM_WINDOW_STEPS: u64 = 30;

/// What to collect besides the final readings.
#[derive(Debug, Clone, Copy, Default)]
pub struct MeasureOptions {
    /// Record the momentary and short-term loudness at every 100 ms step.
    pub series: bool,
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

/// Momentary and short-term loudness at each 100 ms step.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LoudnessSeries {
    /// One point per step from the first full 400 ms window on.
    pub momentary: Vec<SeriesPoint>,
    /// One point per step from the first full 3 s window on.
    pub short_term: Vec<SeriesPoint>,
}

/// The result of measuring one file.
#[derive(Debug, Clone)]
pub struct Measurement {
    /// Sample rate and channel count of the file.
    pub info: AudioInfo,
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
/// the meter's 100 ms step boundaries, so a series can be read at each step.
pub struct Measurer {
    meter: LoudnessMeter,
    info: AudioInfo,
    num_frames: u64,
    series: Option<LoudnessSeries>,
    /// The fold-down check, for stereo files.
    mono: Option<MonoCheck>,
}

impl Measurer {
    /// A fresh measurer for audio with the given parameters.
    pub fn new(info: AudioInfo, options: MeasureOptions) -> Self {
        Self {
            meter: LoudnessMeter::new(f64::from(info.sample_rate), info.num_channels),
            info,
            num_frames: 0,
            series: options.series.then(LoudnessSeries::default),
            mono: (info.num_channels == 2).then(|| MonoCheck::new(f64::from(info.sample_rate))),
        }
    }

    /// Feeds one planar block (`channels[c][i]`, all slices the same length).
    pub fn feed(&mut self, channels: &[&[f32]]) {
        let block_frames = channels.first().map_or(0, |channel| channel.len());
        let mut start = 0;
        while start < block_frames {
            // A meter always has at least one frame to go before its next
            // step; `max(1)` only guards against an endless loop.
            let piece_frames = self
                .meter
                .samples_until_next_step()
                .max(1)
                .min(block_frames - start);
            let end = start + piece_frames;
            let mut piece: [&[f32]; crate::decode::MAX_CHANNELS] =
                [&[]; crate::decode::MAX_CHANNELS];
            for (slot, channel) in piece.iter_mut().zip(channels) {
                *slot = &channel[start..end];
            }
            let steps_before = self.meter.steps_completed();
            self.meter.process(&piece[..channels.len()]);
            if self.meter.steps_completed() != steps_before {
                self.record_step();
            }
            start = end;
        }
        if let (Some(mono), [left, right]) = (self.mono.as_mut(), channels) {
            mono.process(left, right);
        }
        self.num_frames += block_frames as u64;
    }

    /// Appends the readings at the step that just completed to the series.
    fn record_step(&mut self) {
        let Some(series) = self.series.as_mut() else {
            return;
        };
        let steps = self.meter.steps_completed();
        let t_end_s = self.meter.time_s();
        let readings = self.meter.readings();
        if steps >= MOMENTARY_WINDOW_STEPS {
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

    /// The final measurement.
    pub fn finish(self) -> Measurement {
        let readings = self.meter.readings();
        Measurement {
            info: self.info,
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
    let mut measurer = Measurer::new(reader.info(), options);
    while let Some(block) = reader.next_block()? {
        measurer.feed(block.channels());
    }
    Ok(Measurement {
        truncated: reader.truncation(),
        ..measurer.finish()
    })
}
