//! What the Maximizer's audio thread publishes for its editor. Lock-free and
//! allocation-free on the audio side.

use nice_plug_egui::RepaintNotifier;
use plugin_kit::telemetry::{AtomicReading, History, Request};
use shared_dsp::primitives::level::peak_to_db;
use shared_dsp::processors::maximizer::WaveformColumn;
use shared_dsp::units::loudness::LoudnessReadings;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};

/// Time covered by one waveform column, seconds.
pub use shared_dsp::processors::maximizer::WAVEFORM_COLUMN_S;
/// Waveform history length, seconds.
pub const WAVEFORM_SECONDS: f64 = 8.0;
/// Columns of a waveform row.
pub const COL_INPUT_PEAK: usize = 0;
pub const COL_OUTPUT_PEAK: usize = 1;
pub const COL_GAIN_REDUCTION: usize = 2;

/// Loudness readings of one tap (input or output).
#[derive(Default)]
pub struct TapReadings {
    pub momentary_lufs: AtomicReading,
    pub short_term_lufs: AtomicReading,
    pub integrated_lufs: AtomicReading,
    pub true_peak_dbtp: AtomicReading,
}

impl TapReadings {
    fn store(&self, r: &LoudnessReadings) {
        self.momentary_lufs.store(r.momentary_lufs);
        self.short_term_lufs.store(r.short_term_lufs);
        self.integrated_lufs.store(r.integrated_lufs);
        self.true_peak_dbtp.store(r.true_peak_dbtp);
    }
}

pub struct MaximizerTelemetry {
    pub input: TapReadings,
    pub output: TapReadings,
    /// Gain reduction over the last waveform column, dB.
    pub gain_reduction_db: AtomicReading,
    /// Reported latency, samples.
    pub latency_samples: AtomicU32,
    /// Sample rate of the running instance, Hz.
    pub sample_rate_hz: AtomicReading,
    /// Gain the platform preview applies right now, dB.
    pub monitor_gain_db: AtomicReading,
    /// Cap on the level-matched bypass gain, dB, once the bypass had to be
    /// lowered to stay under the ceiling (`Maximizer::level_match_cap_db`).
    pub level_match_cap_db: AtomicReading,
    /// Input peak, output peak (dBFS) and gain reduction (dB) per column.
    pub waveform: History<3>,
    /// Editor → audio: restart the loudness measurement (Learn, Reset).
    pub reset_meters: Request,
    /// True while the editor's Learn mode is listening.
    pub learning: AtomicBool,
    /// Audio → editor: new values are ready.
    pub repaint: RepaintNotifier,
}

impl Default for MaximizerTelemetry {
    fn default() -> Self {
        Self {
            input: TapReadings::default(),
            output: TapReadings::default(),
            gain_reduction_db: AtomicReading::default(),
            latency_samples: AtomicU32::new(0),
            sample_rate_hz: AtomicReading::default(),
            monitor_gain_db: AtomicReading::default(),
            level_match_cap_db: AtomicReading::default(),
            waveform: History::new((WAVEFORM_SECONDS / WAVEFORM_COLUMN_S).round() as usize),
            reset_meters: Request::default(),
            learning: AtomicBool::new(false),
            repaint: RepaintNotifier::new(),
        }
    }
}

impl MaximizerTelemetry {
    /// Publishes the meters (audio thread).
    pub fn publish_meters(&self, input: &LoudnessReadings, output: &LoudnessReadings) {
        self.input.store(input);
        self.output.store(output);
    }

    /// Appends one waveform column (audio thread). Peaks are linear.
    pub fn push_column(&self, column: &WaveformColumn) {
        self.gain_reduction_db
            .store(Some(f64::from(column.gain_reduction_db)));
        self.waveform.push([
            peak_to_db(column.input_peak),
            peak_to_db(column.output_peak),
            Some(f64::from(column.gain_reduction_db)),
        ]);
        self.repaint.request_repaint();
    }

    pub fn set_latency(&self, samples: u32) {
        self.latency_samples.store(samples, Ordering::Relaxed);
    }

    pub fn latency(&self) -> u32 {
        self.latency_samples.load(Ordering::Relaxed)
    }
}
