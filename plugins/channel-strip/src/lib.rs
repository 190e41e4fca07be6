//! Lathe Channel Strip: the plugin on every track — trim, polarity, filters,
//! six-band EQ, gate, compressor, saturation, pan/balance/width, output — as
//! a VST3 and CLAP plugin. Glue only: the processing is
//! `shared_dsp::processors::channel_strip`.
//!
//! Zero latency unless saturation is on (its oversampling adds a fixed
//! delay, reported to the host and shown in the editor). With every section
//! neutral the output is bit-identical to the input.

use nice_plug::prelude::*;
use plugin_kit::host::{MONO, MONO_TO_STEREO, STEREO};
use plugin_kit::{Activation, KitPlugin, PluginIdentity};
use shared_dsp::primitives::level::{mono_sample, peak_abs};
use shared_dsp::processors::channel_strip::{ChannelStrip as Processor, ChannelStripSettings};
use std::sync::Arc;

mod editor;
pub mod params;
pub mod telemetry;

pub use params::ChannelStripParams;
use telemetry::{peak_db, StripTelemetry};

/// Most channels the strip processes (mono and stereo tracks).
const MAX_CHANNELS: usize = shared_dsp::primitives::channels::STEREO;

/// Ringing after the input falls silent, s, until it is below
/// `plugin_kit::TAIL_FLOOR_DB`: a resonance of pole quality `Q` at `f` Hz
/// decays by 120 dB in `ln(10⁶)·Q/(π·f)` s, so one second covers every EQ
/// bell and cut filter whose poles have `Q/f ≤ 0.23 s` (e.g. Q 4.5 at 20 Hz,
/// Q 23 at 100 Hz). Narrower low boosts ring longer, at a level the host
/// may cut when it sleeps the plugin; the compressor, gate and saturator
/// output silence for silence (gains times zero).
const DECAY_TAIL_S: f64 = 1.0;

/// The plugin (exported as `plugin_kit::Kit<ChannelStrip>`). See the crate docs.
pub struct ChannelStrip {
    params: Arc<ChannelStripParams>,
    telemetry: Arc<StripTelemetry>,
    processor: Option<Processor>,
    /// Mono in, stereo out: the input is carried on both channels into the pan.
    mono_to_stereo: bool,
}

impl Default for ChannelStrip {
    fn default() -> Self {
        Self {
            params: Arc::new(ChannelStripParams::default()),
            telemetry: Arc::new(StripTelemetry::default()),
            processor: None,
            mono_to_stereo: false,
        }
    }
}

/// Settings while bypassed: every section neutral (each fades out on its
/// own ramp, so bypass never clicks), but saturation keeps its on/off state
/// at mix 0 so the latency, and the host's compensation, stay the same.
fn bypassed(settings: &ChannelStripSettings) -> ChannelStripSettings {
    let mut neutral = ChannelStripSettings::default();
    neutral.saturation.enabled = settings.saturation.enabled;
    neutral.saturation.mix = 0.0;
    neutral
}

impl KitPlugin for ChannelStrip {
    const IDENTITY: PluginIdentity = PluginIdentity {
        name: "Lathe Channel Strip",
        clap_id: "dev.lathe.channel-strip",
        vst3_class_id: *b"LatheChanStrip01",
        description:
            "Channel strip: trim, filters, parametric EQ, gate, compressor, saturation, pan",
        clap_features: &[
            ClapFeature::AudioEffect,
            ClapFeature::Equalizer,
            ClapFeature::Compressor,
            ClapFeature::Distortion,
            ClapFeature::Stereo,
            ClapFeature::Mono,
        ],
        vst3_subcategories: &[
            Vst3SubCategory::Fx,
            Vst3SubCategory::Eq,
            Vst3SubCategory::Dynamics,
        ],
    };
    // Mono-in/stereo-out serves a mono track feeding a stereo bus: the
    // constant-power pan places it.
    const AUDIO_IO_LAYOUTS: &'static [AudioIOLayout] = &[STEREO, MONO, MONO_TO_STEREO];
    const MAX_CHANNELS: usize = MAX_CHANNELS;

    type Editor = nice_plug_egui::EguiEditor<shared_ui::editor::EditorShell<editor::StripView>>;

    fn params(&self) -> Arc<dyn Params> {
        self.params.clone()
    }

    fn editor(&mut self) -> Option<Self::Editor> {
        editor::create(self.params.clone(), self.telemetry.clone())
    }

    fn activate(&mut self, activation: Activation) {
        let Activation {
            inputs,
            outputs: num_channels,
            sample_rate,
        } = activation;
        self.mono_to_stereo = inputs == 1 && num_channels == 2;
        let mut processor = Processor::new(sample_rate, num_channels);
        processor.set_settings(&self.params.settings());
        processor.reset();
        self.telemetry.sample_rate_hz.store(Some(sample_rate));
        self.telemetry
            .latency_samples
            .store(Some(processor.latency_samples() as f64));
        self.processor = Some(processor);
    }

    fn reset(&mut self) {
        plugin_kit::reset_processor(&mut self.processor);
    }

    fn latency_samples(&self) -> u32 {
        plugin_kit::processor_latency(&self.processor)
    }

    /// The oversampler's latency plus [`DECAY_TAIL_S`] of filter ringing.
    fn tail_samples(&self, sample_rate: f64) -> u32 {
        plugin_kit::tail_with_decay(self.latency_samples(), DECAY_TAIL_S, sample_rate)
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
        if self.params.bypass.value() {
            processor.set_settings(&bypassed(&settings));
        } else {
            processor.set_settings(&settings);
        }
        // The kit announces latency changes to the host after the block.
        self.telemetry
            .latency_samples
            .store(Some(processor.latency_samples() as f64));

        let n = buffer.samples();
        let channels = buffer.as_slice();
        if self.mono_to_stereo {
            // nice-plug zero-fills the output channel that has no input.
            if let [mono, right, ..] = channels {
                right.copy_from_slice(mono);
            }
        }
        let t = &self.telemetry;
        // The spectrum's sample rings feed only an open editor (40–100
        // strips in a mix, most of them closed).
        let spectrum = t.editor_open.get();
        t.input_peak_db.store(peak_db(peak_abs(channels)));
        if spectrum {
            t.pre.push((0..n).map(|i| mono_sample(channels, i)));
        }
        processor.process(channels);
        t.output_peak_db.store(peak_db(peak_abs(channels)));
        if spectrum {
            t.post.push((0..n).map(|i| mono_sample(channels, i)));
        }
        t.gain_reduction_db
            .store(Some(processor.gain_reduction_db()));
        t.gate_gain_db.store(Some(processor.gate_gain_db()));
        t.repaint.request_repaint();
    }
}

plugin_kit::export!(ChannelStrip);
