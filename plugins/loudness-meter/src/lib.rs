//! Lathe Loudness Meter: ITU-R BS.1770-4 / EBU R128 metering as a VST3 and
//! CLAP plugin. Glue only: the processor is
//! `shared_dsp::processors::loudness_meter` (sanitising, the transport rule,
//! the 100 ms steps).
//!
//! Audio passes through untouched (bit-exact for every finite, normal input
//! sample) with zero latency; non-finite and subnormal input samples leave as
//! 0.0 so nothing a host could choke on ever reaches the output.

use nice_plug::prelude::*;
use plugin_kit::host::{MONO, STEREO as STEREO_LAYOUT};
use plugin_kit::{Activation, KitPlugin, PluginIdentity};
use shared_dsp::primitives::channels::STEREO;
use shared_dsp::processors::loudness_meter::{LoudnessMeterProcessor as Meter, TransportPolicy};
use std::sync::Arc;

mod editor;
pub mod params;
pub mod telemetry;
mod verdicts;

pub use params::{LoudnessMeterParams, TargetPreset};
use telemetry::MeterTelemetry;

/// Most channels the meter measures (stereo; 5.1 will raise this).
const MAX_CHANNELS: usize = STEREO;

/// The plugin (exported as `plugin_kit::Kit<LoudnessMeter>`). See the crate docs.
pub struct LoudnessMeter {
    params: Arc<LoudnessMeterParams>,
    telemetry: Arc<MeterTelemetry>,
    /// Built in `activate` for the negotiated channel count and rate.
    meter: Option<Meter>,
}

impl Default for LoudnessMeter {
    fn default() -> Self {
        Self {
            params: Arc::new(LoudnessMeterParams::default()),
            telemetry: Arc::new(MeterTelemetry::default()),
            meter: None,
        }
    }
}

impl LoudnessMeter {
    fn reset_measurement(&mut self) {
        if let Some(meter) = self.meter.as_mut() {
            meter.reset_measurement();
        }
        self.telemetry.clear();
    }
}

impl KitPlugin for LoudnessMeter {
    const IDENTITY: PluginIdentity = PluginIdentity {
        name: "Lathe Loudness Meter",
        clap_id: "dev.lathe.loudness-meter",
        vst3_class_id: *b"LatheLoudnessMtr",
        description: "ITU-R BS.1770-4 / EBU R128 loudness meter with streaming targets",
        clap_features: &[
            ClapFeature::AudioEffect,
            ClapFeature::Analyzer,
            ClapFeature::Stereo,
            ClapFeature::Mono,
            ClapFeature::Utility,
        ],
        vst3_subcategories: &[Vst3SubCategory::Fx, Vst3SubCategory::Analyzer],
    };
    const AUDIO_IO_LAYOUTS: &'static [AudioIOLayout] = &[STEREO_LAYOUT, MONO];
    const MAX_CHANNELS: usize = MAX_CHANNELS;
    type Editor = nice_plug_egui::EguiEditor<shared_ui::editor::EditorShell<editor::MeterView>>;

    fn params(&self) -> Arc<dyn Params> {
        self.params.clone()
    }

    fn editor(&mut self) -> Option<Self::Editor> {
        editor::create(self.params.clone(), self.telemetry.clone())
    }

    fn activate(&mut self, activation: Activation) {
        let (num_channels, sample_rate) = (activation.outputs, activation.sample_rate);
        let fits = self
            .meter
            .as_ref()
            .is_some_and(|m| m.num_channels() == num_channels);
        match self.meter.as_mut() {
            Some(meter) if fits => meter.set_sample_rate(sample_rate),
            _ => self.meter = Some(Meter::new(sample_rate, num_channels)),
        }
        self.telemetry.clear();
    }

    fn reset(&mut self) {
        if let Some(meter) = self.meter.as_mut() {
            meter.reset();
        }
        self.telemetry.clear();
    }

    fn process(&mut self, buffer: &mut Buffer, _aux: &mut AuxiliaryBuffers, transport: &Transport) {
        if self.telemetry.reset_request.take() {
            self.reset_measurement();
        }
        let Some(meter) = self.meter.as_mut() else {
            return;
        };
        // The mappable Reset parameter (rising edge), like the editor's button.
        if meter.follow_reset(self.params.reset.value()) {
            self.telemetry.clear();
        }
        let policy = TransportPolicy {
            reset_on_play: self.params.auto_reset_on_play.value(),
            pause_when_stopped: self.params.pause_when_stopped.value(),
        };
        let status = meter.follow_transport(transport.playing, policy);
        if status.reset {
            self.telemetry.clear();
        }
        self.telemetry.set_paused(status.paused);
        let telemetry = &self.telemetry;
        meter.process(buffer.as_slice(), status, |readings, time_s| {
            telemetry.publish(readings, time_s)
        });
    }
}

plugin_kit::export!(LoudnessMeter);
