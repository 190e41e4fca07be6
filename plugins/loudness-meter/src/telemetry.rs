//! What the audio thread publishes for the editor, and what the editor asks of
//! the audio thread. Lock-free and allocation-free on the audio side.

use nice_plug_egui::RepaintNotifier;
use plugin_kit::telemetry::{AtomicReading, History, Request};
use shared_dsp::units::loudness::LoudnessReadings;
use std::sync::atomic::{AtomicBool, Ordering};

/// Seconds of loudness history kept for the graph.
pub const HISTORY_SECONDS: usize = 600;
/// Meter steps per second (BS.1770 gating hop of 100 ms).
pub const STEPS_PER_SECOND: usize = 10;
/// Columns of each history row.
pub const HISTORY_MOMENTARY: usize = 0;
pub const HISTORY_SHORT_TERM: usize = 1;

/// Shared between the plugin (writer) and its editor (reader).
pub struct MeterTelemetry {
    pub momentary_lufs: AtomicReading,
    pub short_term_lufs: AtomicReading,
    pub integrated_lufs: AtomicReading,
    pub loudness_range_lu: AtomicReading,
    pub max_momentary_lufs: AtomicReading,
    pub max_short_term_lufs: AtomicReading,
    pub true_peak_dbtp: AtomicReading,
    pub sample_peak_dbfs: AtomicReading,
    pub plr_lu: AtomicReading,
    /// Seconds measured since the last reset.
    pub measured_s: AtomicReading,
    /// Momentary and short-term loudness at every 100 ms step.
    pub history: History<2>,
    /// True while the meter is paused because the host transport stopped.
    pub paused: AtomicBool,
    /// Editor → audio: reset every reading and the history.
    pub reset_request: Request,
    /// Audio → editor: new readings are ready (a real-time safe atomic flag).
    pub repaint: RepaintNotifier,
}

impl Default for MeterTelemetry {
    fn default() -> Self {
        Self {
            momentary_lufs: Default::default(),
            short_term_lufs: Default::default(),
            integrated_lufs: Default::default(),
            loudness_range_lu: Default::default(),
            max_momentary_lufs: Default::default(),
            max_short_term_lufs: Default::default(),
            true_peak_dbtp: Default::default(),
            sample_peak_dbfs: Default::default(),
            plr_lu: Default::default(),
            measured_s: Default::default(),
            history: History::new(HISTORY_SECONDS * STEPS_PER_SECOND),
            paused: AtomicBool::new(false),
            reset_request: Request::default(),
            repaint: RepaintNotifier::new(),
        }
    }
}

impl MeterTelemetry {
    /// Publishes a step's readings (audio thread; no allocation).
    pub fn publish(&self, r: &LoudnessReadings, measured_s: f64) {
        self.momentary_lufs.store(r.momentary_lufs);
        self.short_term_lufs.store(r.short_term_lufs);
        self.integrated_lufs.store(r.integrated_lufs);
        self.loudness_range_lu.store(r.loudness_range_lu);
        self.max_momentary_lufs.store(r.max_momentary_lufs);
        self.max_short_term_lufs.store(r.max_short_term_lufs);
        self.true_peak_dbtp.store(r.true_peak_dbtp);
        self.sample_peak_dbfs.store(r.sample_peak_dbfs);
        self.plr_lu.store(r.plr_lu);
        self.measured_s.store(Some(measured_s));
        self.history.push([r.momentary_lufs, r.short_term_lufs]);
        self.repaint.request_repaint();
    }

    /// Clears every reading and the history (audio thread, on reset).
    pub fn clear(&self) {
        self.publish(&LoudnessReadings::default(), 0.0);
        self.history.clear();
    }

    pub fn set_paused(&self, paused: bool) {
        self.paused.store(paused, Ordering::Relaxed);
    }

    pub fn is_paused(&self) -> bool {
        self.paused.load(Ordering::Relaxed)
    }
}
