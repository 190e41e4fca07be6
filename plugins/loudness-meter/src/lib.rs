//! Lathe Loudness Meter: ITU-R BS.1770-4 / EBU R128 metering as a VST3 and
//! CLAP plugin. Glue only: the measurement is `shared_dsp::units::loudness`.
//!
//! Audio passes through untouched (bit-exact for every finite, normal input
//! sample) with zero latency; non-finite and subnormal input samples leave as
//! 0.0 so nothing a host could choke on ever reaches the output.

use nice_plug::prelude::*;
use shared_dsp::units::loudness::LoudnessMeter as Meter;
use shared_ui::host::{activation, Activation, MONO, STEREO};
use std::sync::Arc;

mod editor;
pub mod params;
pub mod telemetry;

pub use params::{LoudnessMeterParams, TargetPreset};
use telemetry::MeterTelemetry;

/// Most channels the meter measures (stereo; 5.1 will raise this).
const MAX_CHANNELS: usize = 2;

/// The plugin. See the crate docs.
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

impl Plugin for LoudnessMeter {
    const NAME: &'static str = "Lathe Loudness Meter";
    const VENDOR: &'static str = "Lathe";
    const URL: &'static str = "";
    const EMAIL: &'static str = "";
    const VERSION: &'static str = env!("CARGO_PKG_VERSION");

    const AUDIO_IO_LAYOUTS: &'static [AudioIOLayout] = &[STEREO, MONO];

    const SAMPLE_ACCURATE_AUTOMATION: bool = true;

    type Editor = nice_plug_egui::EguiEditor<shared_ui::editor::EditorShell<editor::MeterView>>;
    type SysExMessage = ();
    type BackgroundTask = ();

    fn params(&self) -> Arc<dyn Params> {
        self.params.clone()
    }

    fn editor(&mut self, _async_executor: AsyncExecutor<Self>) -> Option<Self::Editor> {
        editor::create(self.params.clone(), self.telemetry.clone())
    }

    fn activate(
        &mut self,
        audio_io_layout: &AudioIOLayout,
        buffer_config: &BufferConfig,
        context: &mut impl ActivateContext<Self>,
    ) -> bool {
        let Some(Activation {
            outputs: num_channels,
            sample_rate,
            ..
        }) = activation(audio_io_layout, buffer_config, MAX_CHANNELS)
        else {
            return false;
        };
        let fits = self
            .meter
            .as_ref()
            .is_some_and(|m| m.num_channels() == num_channels);
        match self.meter.as_mut() {
            Some(meter) if fits => meter.set_sample_rate(sample_rate),
            _ => self.meter = Some(Meter::new(sample_rate, num_channels)),
        }
        self.telemetry.clear();
        context.set_latency_samples(0);
        true
    }

    fn reset(&mut self) {
        self.was_playing = false;
        self.reset_measurement();
    }

    fn process(
        &mut self,
        buffer: &mut Buffer,
        _aux: &mut AuxiliaryBuffers,
        context: &mut impl ProcessContext<Self>,
    ) -> ProcessStatus {
        Self::sanitize(buffer);

        let playing = context.transport().playing;
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
        ProcessStatus::Normal
    }
}

impl ClapPlugin for LoudnessMeter {
    const CLAP_ID: &'static str = "dev.lathe.loudness-meter";
    const CLAP_DESCRIPTION: Option<&'static str> =
        Some("ITU-R BS.1770-4 / EBU R128 loudness meter with streaming targets");
    const CLAP_MANUAL_URL: Option<&'static str> = None;
    const CLAP_SUPPORT_URL: Option<&'static str> = None;
    const CLAP_FEATURES: &'static [ClapFeature] = &[
        ClapFeature::AudioEffect,
        ClapFeature::Analyzer,
        ClapFeature::Stereo,
        ClapFeature::Mono,
        ClapFeature::Utility,
    ];
}

impl Vst3Plugin for LoudnessMeter {
    const VST3_CLASS_ID: [u8; 16] = *b"LatheLoudnessMtr";
    const VST3_SUBCATEGORIES: &'static [Vst3SubCategory] =
        &[Vst3SubCategory::Fx, Vst3SubCategory::Analyzer];
}

nice_export_clap!(LoudnessMeter);
nice_export_vst3!(LoudnessMeter);
