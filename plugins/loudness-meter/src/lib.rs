//! Lathe Loudness Meter: ITU-R BS.1770-4 / EBU R128 metering as a VST3 and
//! CLAP plugin. Glue only: the measurement is `shared_dsp::units::loudness`.
//!
//! Audio passes through untouched (bit-exact for every finite, normal input
//! sample) with zero latency; non-finite and subnormal input samples leave as
//! 0.0 so nothing a host could choke on ever reaches the output.

use nice_plug::prelude::*;
use plugin_kit::host::{MONO, STEREO};
use plugin_kit::{Activation, KitPlugin, PluginIdentity};
use shared_dsp::units::loudness::LoudnessMeter as Meter;
use std::sync::Arc;

mod editor;
pub mod params;
pub mod telemetry;

pub use params::{LoudnessMeterParams, TargetPreset};
use telemetry::MeterTelemetry;

/// Most channels the meter measures (stereo; 5.1 will raise this).
const MAX_CHANNELS: usize = 2;

/// The plugin (exported as `plugin_kit::Kit<LoudnessMeter>`). See the crate docs.
pub struct LoudnessMeter {
    params: Arc<LoudnessMeterParams>,
    telemetry: Arc<MeterTelemetry>,
    /// Built in `activate` for the negotiated channel count and rate.
    meter: Option<Meter>,
    /// Whether the host transport was playing at the previous block.
    was_playing: bool,
    /// Whether this host has ever reported a running transport. Hosts without
    /// a transport (offline renderers, some test hosts) always report
    /// "stopped"; pausing on that would never measure anything.
    host_has_transport: bool,
}

impl Default for LoudnessMeter {
    fn default() -> Self {
        Self {
            params: Arc::new(LoudnessMeterParams::default()),
            telemetry: Arc::new(MeterTelemetry::default()),
            meter: None,
            was_playing: false,
            host_has_transport: false,
        }
    }
}

impl LoudnessMeter {
    /// Replaces every non-finite or subnormal sample with 0.0, in place.
    /// Finite normal samples and zeros of either sign are left bit-identical.
    fn sanitize(buffer: &mut Buffer) {
        for channel in buffer.as_slice().iter_mut() {
            for sample in channel.iter_mut() {
                if !sample.is_finite() || sample.is_subnormal() {
                    *sample = 0.0;
                }
            }
        }
    }

    fn reset_measurement(&mut self) {
        if let Some(meter) = self.meter.as_mut() {
            meter.reset();
        }
        self.telemetry.clear();
    }

    /// Feeds the meter, publishing readings at every completed 100 ms step.
    fn measure(&mut self, buffer: &Buffer) {
        let Some(meter) = self.meter.as_mut() else {
            return;
        };
        let channels = buffer.as_slice_immutable();
        let num_channels = channels.len().min(meter.num_channels()).min(MAX_CHANNELS);
        let num_samples = buffer.samples();
        let mut start = 0;
        while start < num_samples {
            let len = meter
                .samples_until_next_step()
                .clamp(1, num_samples - start);
            let mut block: [&[f32]; MAX_CHANNELS] = [&[]; MAX_CHANNELS];
            for (slot, channel) in block.iter_mut().zip(channels.iter()) {
                *slot = &channel[start..start + len];
            }
            let steps_before = meter.steps_completed();
            meter.process(&block[..num_channels]);
            if meter.steps_completed() != steps_before {
                self.telemetry.publish(&meter.readings(), meter.time_s());
            }
            start += len;
        }
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
    const AUDIO_IO_LAYOUTS: &'static [AudioIOLayout] = &[STEREO, MONO];
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
        self.was_playing = false;
        self.reset_measurement();
    }

    fn process(&mut self, buffer: &mut Buffer, _aux: &mut AuxiliaryBuffers, transport: &Transport) {
        Self::sanitize(buffer);

        let playing = transport.playing;
        self.host_has_transport |= playing;
        let started = playing && !self.was_playing;
        self.was_playing = playing;

        if self.telemetry.reset_request.take()
            || (started && self.params.auto_reset_on_play.value())
        {
            self.reset_measurement();
        }

        let paused = self.params.pause_when_stopped.value() && self.host_has_transport && !playing;
        self.telemetry.set_paused(paused);
        if !paused {
            self.measure(buffer);
        }
    }
}

plugin_kit::export!(LoudnessMeter);
