//! Lathe Maximizer: the last plugin on the master bus. True-peak brickwall
//! limiting, loudness target learning, listening aids and dither, as a VST3
//! and CLAP plugin. Glue only: the processing is `shared_dsp::processors::maximizer`,
//! the same processor `lathe master` runs.

use nice_plug::prelude::*;
use plugin_kit::host::{MONO, STEREO};
use plugin_kit::{Activation, KitPlugin, PluginIdentity};
use shared_dsp::processors::maximizer::Maximizer as Processor;
use std::sync::Arc;

mod editor;
pub mod params;
pub mod telemetry;

pub use params::MaximizerParams;
use telemetry::{MaximizerTelemetry, WAVEFORM_COLUMN_S};

/// Most channels the Maximizer processes.
const MAX_CHANNELS: usize = 2;

/// The plugin (exported as `plugin_kit::Kit<Maximizer>`). See the crate docs.
pub struct Maximizer {
    params: Arc<MaximizerParams>,
    telemetry: Arc<MaximizerTelemetry>,
    /// Built in `activate` for the negotiated channel count and rate.
    processor: Option<Processor>,
    /// Samples per waveform column at the current rate.
    column_len: usize,
    /// Progress through the current waveform column.
    column_pos: usize,
    column_input_peak: f32,
    column_output_peak: f32,
    column_gain_reduction_db: f32,
}

impl Default for Maximizer {
    fn default() -> Self {
        Self {
            params: Arc::new(MaximizerParams::default()),
            telemetry: Arc::new(MaximizerTelemetry::default()),
            processor: None,
            column_len: 1,
            column_pos: 0,
            column_input_peak: 0.0,
            column_output_peak: 0.0,
            column_gain_reduction_db: 0.0,
        }
    }
}

impl Maximizer {
    fn start_column(&mut self) {
        self.column_pos = 0;
        self.column_input_peak = 0.0;
        self.column_output_peak = 0.0;
        self.column_gain_reduction_db = 0.0;
    }

    /// Gains that come from the meters: level match for the matched bypass
    /// (output − input integrated loudness) and the platform preview.
    fn metered_gains(&self) -> (f32, f32) {
        let t = &self.telemetry;
        let level_match = match (
            t.output.integrated_lufs.load(),
            t.input.integrated_lufs.load(),
        ) {
            (Some(out), Some(inp)) => out - inp,
            _ => 0.0,
        };
        let monitor = match (
            self.params.preview.value().target(),
            t.output.integrated_lufs.load(),
            t.output.true_peak_dbtp.load(),
        ) {
            (Some(target), Some(i), Some(tp)) => {
                target.playback_gain_db(f64::from(i), f64::from(tp)) as f32
            }
            _ => 0.0,
        };
        (level_match, monitor)
    }
}

impl KitPlugin for Maximizer {
    const IDENTITY: PluginIdentity = PluginIdentity {
        name: "Lathe Maximizer",
        clap_id: "dev.lathe.maximizer",
        vst3_class_id: *b"LatheMaximizer01",
        description:
            "True-peak brickwall limiter with loudness learning, listening aids and dither",
        clap_features: &[
            ClapFeature::AudioEffect,
            ClapFeature::Limiter,
            ClapFeature::Mastering,
            ClapFeature::Stereo,
            ClapFeature::Mono,
        ],
        vst3_subcategories: &[
            Vst3SubCategory::Fx,
            Vst3SubCategory::Dynamics,
            Vst3SubCategory::Mastering,
        ],
    };
    const AUDIO_IO_LAYOUTS: &'static [AudioIOLayout] = &[STEREO, MONO];
    const MAX_CHANNELS: usize = MAX_CHANNELS;
    type Editor = nice_plug_egui::EguiEditor<shared_ui::editor::EditorShell<editor::MaximizerView>>;

    fn params(&self) -> Arc<dyn Params> {
        self.params.clone()
    }

    fn editor(&mut self) -> Option<Self::Editor> {
        editor::create(self.params.clone(), self.telemetry.clone())
    }

    fn activate(&mut self, activation: Activation) {
        let sample_rate = activation.sample_rate;
        let mut processor = Processor::new(sample_rate, activation.outputs);
        let (level_match, monitor) = self.metered_gains();
        processor.set_settings(&self.params.settings(level_match, monitor));
        processor.reset();
        self.telemetry
            .set_latency(processor.latency_samples() as u32);
        self.processor = Some(processor);
        self.telemetry.sample_rate_hz.store(Some(sample_rate));
        self.column_len = ((sample_rate * WAVEFORM_COLUMN_S).round() as usize).max(1);
        self.start_column();
    }

    fn reset(&mut self) {
        if let Some(p) = self.processor.as_mut() {
            p.reset();
        }
        self.start_column();
    }

    fn latency_samples(&self) -> u32 {
        self.processor
            .as_ref()
            .map_or(0, |p| p.latency_samples() as u32)
    }

    fn process(
        &mut self,
        buffer: &mut Buffer,
        _aux: &mut AuxiliaryBuffers,
        _transport: &Transport,
    ) {
        let (level_match, monitor) = self.metered_gains();
        let settings = self.params.settings(level_match, monitor);
        let bypass = self.params.bypass.value();
        let Some(processor) = self.processor.as_mut() else {
            return;
        };
        processor.set_settings(&settings);
        processor.set_bypass(bypass);
        self.telemetry
            .monitor_gain_db
            .store(Some(f64::from(monitor)));
        // The kit announces latency changes to the host after the block.
        self.telemetry
            .set_latency(processor.latency_samples() as u32);
        if self.telemetry.reset_meters.take() {
            processor.reset_meters();
        }

        // Process in pieces that end on waveform-column boundaries.
        let num_samples = buffer.samples();
        let channels = buffer.as_slice();
        let num_channels = channels.len().min(MAX_CHANNELS);
        let mut start = 0;
        while start < num_samples {
            let len = (self.column_len - self.column_pos).min(num_samples - start);
            let mut block: [&mut [f32]; MAX_CHANNELS] = [&mut [], &mut []];
            for (slot, channel) in block.iter_mut().zip(channels.iter_mut()) {
                *slot = &mut channel[start..start + len];
            }
            processor.process(&mut block[..num_channels]);
            let stats = processor.block_stats();
            self.column_input_peak = self.column_input_peak.max(stats.input_peak);
            self.column_output_peak = self.column_output_peak.max(stats.output_peak);
            self.column_gain_reduction_db = self
                .column_gain_reduction_db
                .max(processor.gain_reduction_db());
            self.column_pos += len;
            start += len;
            if self.column_pos >= self.column_len {
                self.telemetry.push_column(
                    self.column_input_peak,
                    self.column_output_peak,
                    self.column_gain_reduction_db,
                );
                self.telemetry
                    .publish_meters(&processor.input_readings(), &processor.output_readings());
                self.column_pos = 0;
                self.column_input_peak = 0.0;
                self.column_output_peak = 0.0;
                self.column_gain_reduction_db = 0.0;
            }
        }
    }
}

plugin_kit::export!(Maximizer);
