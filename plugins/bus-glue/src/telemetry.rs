//! What the Bus Glue's audio thread publishes for its editor. Lock-free and
//! allocation-free on the audio side.

use nice_plug_egui::RepaintNotifier;
use plugin_kit::telemetry::{AtomicReading, History, Request, Watched};
use shared_dsp::primitives::level::peak_to_db;
use shared_dsp::processors::bus_glue::{BlockStats, Column, COLUMN_S, NUM_BANDS};
use shared_dsp::units::loudness::LoudnessReadings;

/// Gain-reduction history length, seconds.
pub const HISTORY_SECONDS: f64 = 6.0;
/// Time covered by one history column, seconds.
pub const HISTORY_STEP_S: f64 = COLUMN_S;
/// Columns of a history row.
pub const COL_INPUT_PEAK: usize = 0;
pub const COL_OUTPUT_PEAK: usize = 1;
pub const COL_GAIN_REDUCTION: usize = 2;

/// Readings of one tap (input or processed output).
#[derive(Default)]
pub struct TapReadings {
    /// Sample peak of the last block, dBFS.
    pub peak_dbfs: AtomicReading,
    pub short_term_lufs: AtomicReading,
    pub integrated_lufs: AtomicReading,
    pub true_peak_dbtp: AtomicReading,
    /// Held peak minus short-term loudness, dB.
    pub plr_db: AtomicReading,
}

impl TapReadings {
    fn store(&self, r: &LoudnessReadings, peak: f32, plr_db: Option<f64>) {
        self.peak_dbfs.store(peak_to_db(peak));
        self.short_term_lufs.store(r.short_term_lufs);
        self.integrated_lufs.store(r.integrated_lufs);
        self.true_peak_dbtp.store(r.true_peak_dbtp);
        self.plr_db.store(plr_db);
    }
}

pub struct BusGlueTelemetry {
    pub input: TapReadings,
    pub output: TapReadings,
    /// Largest gain reduction of the last block, dB (the needle).
    pub gain_reduction_db: AtomicReading,
    /// Largest gain reduction of each band in the last block, dB; `None`
    /// in single-band mode.
    pub band_gain_reduction_db: [AtomicReading; NUM_BANDS],
    /// Latency the plugin reports, samples.
    pub latency_samples: AtomicReading,
    /// Operating point: detector level, dBFS …
    pub operating_in_db: AtomicReading,
    /// … and where the curve took it, dB.
    pub operating_out_db: AtomicReading,
    /// Crest-factor drop, dB (input PLR − output PLR).
    pub glue_db: AtomicReading,
    /// Level-match gain the bypass comparison applies, dB.
    pub level_match_db: AtomicReading,
    /// Input peak, output peak (dBFS) and gain reduction (dB) per column.
    pub history: History<3>,
    /// Editor → audio: restart the loudness measurement.
    pub reset_meters: Request,
    /// Editor → audio: a window is open, so the meters run (they feed
    /// only the editor and the level-matched bypass).
    pub editor_open: Watched,
    /// Audio → editor: new values are ready.
    pub repaint: RepaintNotifier,
}

impl Default for BusGlueTelemetry {
    fn default() -> Self {
        Self {
            input: TapReadings::default(),
            output: TapReadings::default(),
            gain_reduction_db: AtomicReading::default(),
            band_gain_reduction_db: Default::default(),
            latency_samples: AtomicReading::default(),
            operating_in_db: AtomicReading::default(),
            operating_out_db: AtomicReading::default(),
            glue_db: AtomicReading::default(),
            level_match_db: AtomicReading::default(),
            history: History::new((HISTORY_SECONDS / HISTORY_STEP_S).round() as usize),
            reset_meters: Request::default(),
            editor_open: Watched::default(),
            repaint: RepaintNotifier::new(),
        }
    }
}

/// Everything the processor reports after a block, as the glue hands it over.
pub struct Report {
    pub stats: BlockStats,
    pub input: LoudnessReadings,
    pub output: LoudnessReadings,
    pub input_plr_db: Option<f64>,
    pub output_plr_db: Option<f64>,
    pub glue_db: Option<f64>,
    pub operating_point_db: Option<(f64, f64)>,
    pub level_match_db: f64,
    /// Three-band mode in use (the band readings are published).
    pub multiband: bool,
    pub latency_samples: usize,
}

impl BusGlueTelemetry {
    /// Publishes one block's readings (audio thread).
    pub fn publish(&self, r: &Report) {
        self.input
            .store(&r.input, r.stats.input_peak, r.input_plr_db);
        self.output
            .store(&r.output, r.stats.output_peak, r.output_plr_db);
        self.gain_reduction_db
            .store(Some(f64::from(r.stats.gain_reduction_db)));
        self.operating_in_db
            .store(r.operating_point_db.map(|p| p.0));
        self.operating_out_db
            .store(r.operating_point_db.map(|p| p.1));
        for (cell, &db) in self
            .band_gain_reduction_db
            .iter()
            .zip(&r.stats.band_gain_reduction_db)
        {
            cell.store(r.multiband.then_some(f64::from(db)));
        }
        self.latency_samples.store(Some(r.latency_samples as f64));
        self.glue_db.store(r.glue_db);
        self.level_match_db.store(Some(r.level_match_db));
    }

    /// Appends one history column (audio thread). Peaks are linear.
    pub fn push_column(&self, column: &Column) {
        self.history.push([
            peak_to_db(column.input_peak),
            peak_to_db(column.output_peak),
            Some(f64::from(column.gain_reduction_db)),
        ]);
        self.repaint.request_repaint();
    }
}
