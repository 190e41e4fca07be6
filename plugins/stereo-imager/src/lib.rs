//! Lathe Stereo Imager: mid/side and multiband width, mono maker, stereoize,
//! side tone, balance, rotation and polarity, with the meters a mix is
//! checked with before release (correlation, balance, mid/side levels, the
//! mono fold-down loss and a goniometer), as a VST3 and CLAP plugin. Glue
//! only: the processing is `shared_dsp::processors::stereo_imager`.
//!
//! Zero latency; at the defaults the output is the input, bit for bit. A
//! mono bus passes through (sanitised), unmetered.

use nice_plug::prelude::*;
use plugin_kit::host::{MONO, STEREO};
use plugin_kit::{Activation, KitPlugin, PluginIdentity};
use shared_dsp::processors::stereo_imager::StereoImager as Processor;
use std::sync::Arc;

mod editor;
pub mod params;
pub mod telemetry;

pub use params::ImagerParams;
use telemetry::{ImagerTelemetry, HISTORY_STEPS_PER_SECOND};

/// The imager works on a stereo pair.
const MAX_CHANNELS: usize = shared_dsp::primitives::channels::STEREO;

/// The plugin (exported as `plugin_kit::Kit<StereoImager>`). See the crate docs.
pub struct StereoImager {
    params: Arc<ImagerParams>,
    telemetry: Arc<ImagerTelemetry>,
    /// Built in `activate` for the negotiated rate.
    processor: Option<Processor>,
    /// Frames between two correlation history rows, and frames since the last.
    history_step_frames: usize,
    frames_since_history: usize,
}

impl Default for StereoImager {
    fn default() -> Self {
        Self {
            params: Arc::new(ImagerParams::default()),
            telemetry: Arc::new(ImagerTelemetry::default()),
            processor: None,
            history_step_frames: 2_400,
            frames_since_history: 0,
        }
    }
}

impl KitPlugin for StereoImager {
    const IDENTITY: PluginIdentity = PluginIdentity {
        name: "Lathe Stereo Imager",
        clap_id: "dev.lathe.stereo-imager",
        vst3_class_id: *b"LatheStereoImgr1",
        description:
            "Mid/side and multiband stereo width, mono maker and mono-compatibility meters",
        clap_features: &[
            ClapFeature::AudioEffect,
            ClapFeature::Mixing,
            ClapFeature::Mastering,
            ClapFeature::Analyzer,
            ClapFeature::Stereo,
            ClapFeature::Mono,
        ],
        vst3_subcategories: &[
            Vst3SubCategory::Fx,
            Vst3SubCategory::Spatial,
            Vst3SubCategory::Mastering,
        ],
    };
    const AUDIO_IO_LAYOUTS: &'static [AudioIOLayout] = &[STEREO, MONO];
    const MAX_CHANNELS: usize = MAX_CHANNELS;
    type Editor = nice_plug_egui::EguiEditor<shared_ui::editor::EditorShell<editor::ImagerView>>;

    fn params(&self) -> Arc<dyn Params> {
        self.params.clone()
    }

    fn editor(&mut self) -> Option<Self::Editor> {
        editor::create(self.params.clone(), self.telemetry.clone())
    }

    fn activate(&mut self, activation: Activation) {
        let sample_rate = activation.sample_rate;
        match self.processor.as_mut() {
            Some(p) => p.set_sample_rate(sample_rate),
            None => self.processor = Some(Processor::new(sample_rate)),
        }
        if let Some(p) = self.processor.as_mut() {
            p.set_settings(&self.params.settings());
            p.set_bypass(self.params.bypass.value());
            p.reset();
        }
        self.history_step_frames =
            ((sample_rate as f32 / HISTORY_STEPS_PER_SECOND).round() as usize).max(1);
        self.frames_since_history = 0;
        self.telemetry.clear();
    }

    fn reset(&mut self) {
        plugin_kit::reset_processor(&mut self.processor);
        self.frames_since_history = 0;
        self.telemetry.clear();
    }

    /// No latency; the stereoize decorrelator's ring
    /// (`stereo_imager::DECAY_TAIL_S`).
    fn tail_samples(&self, sample_rate: f64) -> u32 {
        plugin_kit::tail_with_decay(
            0,
            shared_dsp::processors::stereo_imager::DECAY_TAIL_S,
            sample_rate,
        )
    }

    fn process(
        &mut self,
        buffer: &mut Buffer,
        _aux: &mut AuxiliaryBuffers,
        _transport: &Transport,
    ) {
        let Some(processor) = self.processor.as_mut() else {
            return;
        };
        let settings = self.params.settings();
        processor.set_settings(&settings);
        processor.set_bypass(self.params.bypass.value());
        if self.telemetry.reset_meters.take() {
            processor.reset_meters();
            self.telemetry.clear();
        }
        let frames = buffer.samples();
        let channels = buffer.as_slice();
        let stereo = channels.len() >= 2;
        let telemetry = &self.telemetry;
        processor.process_with_scope(channels, |l, r| telemetry.push_scope(l, r));
        if !stereo || frames == 0 {
            return;
        }
        let readings = processor.readings();
        let threshold = f64::from(self.params.mono_warning_lu.value());
        let multiband = processor.band_meters_live();
        telemetry.publish(
            &readings,
            settings.num_bands,
            multiband,
            readings.mono_warning(threshold),
        );
        self.frames_since_history += frames;
        if self.frames_since_history >= self.history_step_frames {
            self.frames_since_history %= self.history_step_frames;
            telemetry.push_history(&readings);
        }
    }
}

plugin_kit::export!(StereoImager);
