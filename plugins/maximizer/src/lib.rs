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
use shared_dsp::processors::maximizer::MaximizerSettings;
use telemetry::MaximizerTelemetry;

/// Most channels the Maximizer processes.
const MAX_CHANNELS: usize = shared_dsp::processors::maximizer::MAX_CHANNELS;

/// The plugin (exported as `plugin_kit::Kit<Maximizer>`). See the crate docs.
pub struct Maximizer {
    params: Arc<MaximizerParams>,
    telemetry: Arc<MaximizerTelemetry>,
    /// Built in `activate` for the negotiated channel count and rate.
    processor: Option<Processor>,
}

impl Default for Maximizer {
    fn default() -> Self {
        Self {
            params: Arc::new(MaximizerParams::default()),
            telemetry: Arc::new(MaximizerTelemetry::default()),
            processor: None,
        }
    }
}

impl Maximizer {
    /// The settings for the next block: the parameters, with the level
    /// match and platform preview gains the processor derives from its own
    /// meters.
    fn settings(&self, processor: &Processor) -> MaximizerSettings {
        let level_match = processor.metered_level_match_db();
        let monitor = processor.preview_gain_db(self.params.preview.value().target());
        self.params.settings(level_match, monitor)
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
        processor.set_settings(&self.settings(&processor));
        processor.reset();
        self.telemetry
            .set_latency(processor.latency_samples() as u32);
        self.processor = Some(processor);
        self.telemetry.sample_rate_hz.store(Some(sample_rate));
    }

    fn reset(&mut self) {
        plugin_kit::reset_processor(&mut self.processor);
    }

    fn latency_samples(&self) -> u32 {
        plugin_kit::processor_latency(&self.processor)
    }

    fn process(
        &mut self,
        buffer: &mut Buffer,
        _aux: &mut AuxiliaryBuffers,
        _transport: &Transport,
    ) {
        let Some(processor) = self.processor.as_ref() else {
            return;
        };
        let settings = self.settings(processor);
        let bypass = self.params.bypass.value();
        let Some(processor) = self.processor.as_mut() else {
            return;
        };
        processor.set_settings(&settings);
        processor.set_bypass(bypass);
        self.telemetry
            .monitor_gain_db
            .store(Some(f64::from(settings.monitor_gain_db)));
        // The kit announces latency changes to the host after the block.
        self.telemetry
            .set_latency(processor.latency_samples() as u32);
        if self.telemetry.reset_meters.take() {
            processor.reset_meters();
        }
        let telemetry = &self.telemetry;
        processor.process_with_columns(buffer.as_slice(), |column| {
            telemetry.push_column(column);
        });
        telemetry.publish_meters(&processor.input_readings(), &processor.output_readings());
        telemetry
            .level_match_cap_db
            .store(processor.level_match_cap_db().map(f64::from));
    }
}

plugin_kit::export!(Maximizer);
