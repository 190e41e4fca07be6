//! What the Stereo Imager's audio thread publishes for its editor, and what
//! the editor asks of it. Fixed blocks of atomics allocated when the plugin
//! is created: lock-free and allocation-free on the audio side.

use nice_plug_egui::RepaintNotifier;
use plugin_kit::telemetry::{AtomicReading, History, Request, SampleRing};
use shared_dsp::processors::stereo_imager::{ImagerReadings, SCOPE_DECIMATION};
use shared_dsp::units::crossover::MAX_BANDS;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};

/// Goniometer points kept (every [`SCOPE_DECIMATION`]th frame): ≈ 85 ms at
/// 48 kHz.
pub const SCOPE_POINTS: usize = 512;
/// Seconds of correlation history.
pub const HISTORY_SECONDS: f32 = 10.0;
/// Correlation history rows per second.
pub const HISTORY_STEPS_PER_SECOND: f32 = 20.0;
/// Columns of a history row: overall correlation, then one per band.
pub const HISTORY_OVERALL: usize = 0;
pub const HISTORY_COLUMNS: usize = 1 + MAX_BANDS;

/// A mono fold-down loss reading: `None`, a finite LU value, or total loss
/// (the fold-down is silent while the stereo signal is not).
#[derive(Debug, Default)]
pub struct LossReading {
    pub lu: AtomicReading,
    pub total: AtomicBool,
}

/// What the editor shows of a [`LossReading`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Loss {
    Undefined,
    Lu(f32),
    Total,
}

impl LossReading {
    fn store(&self, value: Option<f64>) {
        self.total
            .store(value == Some(f64::INFINITY), Ordering::Relaxed);
        self.lu.store(value);
    }

    pub fn load(&self) -> Loss {
        if self.total.load(Ordering::Relaxed) {
            Loss::Total
        } else {
            self.lu.load().map_or(Loss::Undefined, Loss::Lu)
        }
    }
}

pub struct ImagerTelemetry {
    pub correlation: AtomicReading,
    pub band_correlation: [AtomicReading; MAX_BANDS],
    /// Bands the width control runs with (the band correlations that mean something).
    pub num_bands: AtomicU32,
    /// True while the multiband path is audible (band meters are live).
    pub multiband: AtomicBool,
    pub balance: AtomicReading,
    pub mid_db: AtomicReading,
    pub side_db: AtomicReading,
    pub side_exceeds_mid: AtomicBool,
    pub loss_integrated: LossReading,
    pub loss_short_term: LossReading,
    /// The processor's mono-compatibility warning at the parameter's threshold.
    pub mono_warning: AtomicBool,
    /// Goniometer feed: interleaved (L, R) output frames.
    pub scope: SampleRing,
    /// Correlation, overall and per band, [`HISTORY_STEPS_PER_SECOND`] rows a second.
    pub history: History<HISTORY_COLUMNS>,
    /// Editor → audio: restart every meter.
    pub reset_meters: Request,
    /// Audio → editor: new values are ready.
    pub repaint: RepaintNotifier,
}

impl Default for ImagerTelemetry {
    fn default() -> Self {
        Self {
            correlation: AtomicReading::default(),
            band_correlation: Default::default(),
            num_bands: AtomicU32::new(1),
            multiband: AtomicBool::new(false),
            balance: AtomicReading::default(),
            mid_db: AtomicReading::default(),
            side_db: AtomicReading::default(),
            side_exceeds_mid: AtomicBool::new(false),
            loss_integrated: LossReading::default(),
            loss_short_term: LossReading::default(),
            mono_warning: AtomicBool::new(false),
            scope: SampleRing::new(2 * SCOPE_POINTS),
            history: History::new((HISTORY_SECONDS * HISTORY_STEPS_PER_SECOND) as usize),
            reset_meters: Request::default(),
            repaint: RepaintNotifier::new(),
        }
    }
}

impl ImagerTelemetry {
    /// Publishes the meters (audio thread; no allocation).
    pub fn publish(&self, r: &ImagerReadings, num_bands: usize, multiband: bool, warning: bool) {
        self.correlation.store(Some(r.correlation));
        for (cell, &c) in self.band_correlation.iter().zip(&r.band_correlation) {
            cell.store(Some(c));
        }
        self.num_bands.store(num_bands as u32, Ordering::Relaxed);
        self.multiband.store(multiband, Ordering::Relaxed);
        self.balance.store(Some(r.balance));
        self.mid_db.store(r.mid_db);
        self.side_db.store(r.side_db);
        self.side_exceeds_mid
            .store(r.side_exceeds_mid, Ordering::Relaxed);
        self.loss_integrated.store(r.mono_loss.integrated_lu);
        self.loss_short_term.store(r.mono_loss.short_term_lu);
        self.mono_warning.store(warning, Ordering::Relaxed);
        self.repaint.request_repaint();
    }

    /// Appends one goniometer frame (audio thread).
    #[inline]
    pub fn push_scope(&self, l: f32, r: f32) {
        self.scope.push([l, r]);
    }

    /// Appends one correlation history row (audio thread).
    pub fn push_history(&self, r: &ImagerReadings) {
        let mut row = [None; HISTORY_COLUMNS];
        row[HISTORY_OVERALL] = Some(r.correlation);
        for (cell, &c) in row[1..].iter_mut().zip(&r.band_correlation) {
            *cell = Some(c);
        }
        self.history.push(row);
    }

    /// Forgets the history (audio thread, on a meter reset).
    pub fn clear(&self) {
        self.history.clear();
    }
}

/// Every [`SCOPE_DECIMATION`]th frame reaches the scope; at 48 kHz the ring
/// holds this many seconds.
pub fn scope_seconds(sample_rate_hz: f32) -> f32 {
    (SCOPE_POINTS * SCOPE_DECIMATION) as f32 / sample_rate_hz
}
