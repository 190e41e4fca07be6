//! What the Channel Strip's audio thread publishes for its editor.

use nice_plug_egui::RepaintNotifier;
use plugin_kit::telemetry::{AtomicReading, SampleRing, Watched};

/// Samples kept for the spectrum analyser (≥ the editor's FFT size).
pub const SPECTRUM_RING_SAMPLES: usize = 8192;

pub struct StripTelemetry {
    /// Input peak over the last block, dBFS.
    pub input_peak_db: AtomicReading,
    /// Output peak over the last block, dBFS.
    pub output_peak_db: AtomicReading,
    /// Compressor gain reduction, dB (≥ 0).
    pub gain_reduction_db: AtomicReading,
    /// Gate attenuation, dB (≤ 0).
    pub gate_gain_db: AtomicReading,
    /// Sample rate, Hz.
    pub sample_rate_hz: AtomicReading,
    /// Latency, samples.
    pub latency_samples: AtomicReading,
    /// Mono sum of the input (pre) and the output (post), for the spectrum.
    pub pre: SampleRing,
    pub post: SampleRing,
    /// Editor → audio: a window is open, so the spectrum rings are fed.
    pub editor_open: Watched,
    pub repaint: RepaintNotifier,
}

impl Default for StripTelemetry {
    fn default() -> Self {
        Self {
            input_peak_db: AtomicReading::default(),
            output_peak_db: AtomicReading::default(),
            gain_reduction_db: AtomicReading::default(),
            gate_gain_db: AtomicReading::default(),
            sample_rate_hz: AtomicReading::default(),
            latency_samples: AtomicReading::default(),
            pre: SampleRing::new(SPECTRUM_RING_SAMPLES),
            post: SampleRing::new(SPECTRUM_RING_SAMPLES),
            editor_open: Watched::default(),
            repaint: RepaintNotifier::new(),
        }
    }
}

/// Peak of a block in dBFS, `None` for silence.
pub fn peak_db(peak: f32) -> Option<f64> {
    (peak > 0.0).then(|| 20.0 * f64::from(peak).log10())
}
