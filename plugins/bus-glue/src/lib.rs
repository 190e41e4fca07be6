//! Lathe Bus Glue: the mix-bus compressor that glues a mix together. A
//! feed-forward, stereo-linked VCA compressor with a side-chain input,
//! M/S-aware detection, parallel mix, Delta and level-matched bypass, as a
//! VST3 and CLAP plugin. Glue only: the processing is
//! `shared_dsp::processors::bus_glue`.

use nice_plug::prelude::*;
use plugin_kit::host::{MONO, STEREO_WITH_SIDECHAIN};
use plugin_kit::{Activation, KitPlugin, PluginIdentity};
use shared_dsp::processors::bus_glue::BusGlue as Processor;
use std::sync::Arc;

mod editor;
pub mod params;
pub mod telemetry;

pub use params::BusGlueParams;
use telemetry::{BusGlueTelemetry, Report};

/// Most channels the Bus Glue processes (main and side-chain).
const MAX_CHANNELS: usize = shared_dsp::processors::bus_glue::MAX_CHANNELS;

/// Ringing after the input falls silent, s, until it is below
/// `plugin_kit::TAIL_FLOOR_DB`: the three-band crossover's lowest split
/// (LR24, ≥ 40 Hz: Butterworth poles of Q 0.71, each decaying 120 dB in
/// `ln(10⁶)·Q/(π·f)` ≈ 78 ms, squared and all-pass compensated) and the
/// side-chain high-pass, with margin. The compressor outputs silence for
/// silence (a gain times zero).
const DECAY_TAIL_S: f64 = 0.25;

/// The plugin (exported as `plugin_kit::Kit<BusGlue>`). See the crate docs.
pub struct BusGlue {
    params: Arc<BusGlueParams>,
    telemetry: Arc<BusGlueTelemetry>,
    /// Built in `activate` for the negotiated channel count and rate.
    processor: Option<Processor>,
    /// Whether the meters ran in the last block (see [`Self::settings`]).
    metering: bool,
}

impl Default for BusGlue {
    fn default() -> Self {
        Self {
            params: Arc::new(BusGlueParams::default()),
            telemetry: Arc::new(BusGlueTelemetry::default()),
            processor: None,
            metering: false,
        }
    }
}

impl BusGlue {
    /// The processor's settings: the parameters, with the meters (loudness,
    /// true peak, the glue readout: about twice the compressor's own cost)
    /// running only while an editor shows them; the level-matched bypass
    /// runs them whenever it is on (`BusGlueSettings::metering`).
    fn settings(&self) -> shared_dsp::processors::bus_glue::BusGlueSettings {
        let mut settings = self.params.settings();
        settings.metering = self.telemetry.editor_open.get();
        settings
    }
}

impl KitPlugin for BusGlue {
    const IDENTITY: PluginIdentity = PluginIdentity {
        name: "Lathe Bus Glue",
        clap_id: "dev.lathe.bus-glue",
        vst3_class_id: *b"LatheBusGlue0001",
        description: "Stereo-linked VCA bus compressor with side-chain input, parallel mix and a glue readout",
        clap_features: &[
            ClapFeature::AudioEffect,
            ClapFeature::Compressor,
            ClapFeature::Mixing,
            ClapFeature::Mastering,
            ClapFeature::Stereo,
        ],
        vst3_subcategories: &[
            Vst3SubCategory::Fx,
            Vst3SubCategory::Dynamics,
            Vst3SubCategory::Stereo,
        ],
    };
    // Mono has no side-chain port: nice-plug 0.4's VST3 wrapper reads a mono aux bus that a
    // host leaves unconnected (pedalboard/JUCE) through invalid channel pointers and aborts.
    const AUDIO_IO_LAYOUTS: &'static [AudioIOLayout] = &[STEREO_WITH_SIDECHAIN, MONO];
    const MAX_CHANNELS: usize = MAX_CHANNELS;
    type Editor = nice_plug_egui::EguiEditor<shared_ui::editor::EditorShell<editor::BusGlueView>>;

    fn params(&self) -> Arc<dyn Params> {
        self.params.clone()
    }

    fn editor(&mut self) -> Option<Self::Editor> {
        editor::create(self.params.clone(), self.telemetry.clone())
    }

    fn activate(&mut self, activation: Activation) {
        let mut processor = Processor::new(activation.sample_rate, activation.outputs);
        processor.set_settings(&self.settings());
        processor.set_bypass(self.params.bypass.value());
        processor.reset();
        self.processor = Some(processor);
    }

    fn reset(&mut self) {
        plugin_kit::reset_processor(&mut self.processor);
    }

    /// 0, or the soft clip's oversampling latency while it is on.
    fn latency_samples(&self) -> u32 {
        plugin_kit::processor_latency(&self.processor)
    }

    /// The soft clip's latency plus [`DECAY_TAIL_S`] of crossover ringing.
    fn tail_samples(&self, sample_rate: f64) -> u32 {
        plugin_kit::tail_with_decay(self.latency_samples(), DECAY_TAIL_S, sample_rate)
    }

    fn process(&mut self, buffer: &mut Buffer, aux: &mut AuxiliaryBuffers, _transport: &Transport) {
        let settings = self.settings();
        let Some(processor) = self.processor.as_mut() else {
            return;
        };
        // The kit announces a latency change (soft clip on/off) to the host
        // after the block.
        // Meters switched on by an editor opening start afresh, so nothing
        // measured before the gap shows as current (a running level match
        // keeps them on, and its measurement, throughout).
        let restart = settings.metering && !self.metering;
        self.metering = settings.metering;
        processor.set_settings(&settings);
        processor.set_bypass(self.params.bypass.value());
        if self.telemetry.reset_meters.take() || restart {
            processor.reset_meters();
        }
        // The side-chain port, when the host gives one (silence when it is
        // not connected).
        let mut key_view: [&[f32]; MAX_CHANNELS] = [&[]; MAX_CHANNELS];
        let key_channels = aux.inputs.first().map_or(0, |port| {
            let channels = port.as_slice_immutable();
            for (slot, channel) in key_view.iter_mut().zip(channels.iter()) {
                *slot = channel;
            }
            channels.len().min(MAX_CHANNELS)
        });
        let key = (key_channels > 0).then_some(&key_view[..key_channels]);
        let telemetry = &self.telemetry;
        processor.process_with_columns(buffer.as_slice(), key, |column| {
            telemetry.push_column(column);
        });
        telemetry.publish(&Report {
            stats: processor.block_stats(),
            input: processor.input_readings(),
            output: processor.output_readings(),
            input_plr_db: processor.input_plr_db(),
            output_plr_db: processor.output_plr_db(),
            glue_db: processor.glue_db(),
            operating_point_db: processor.operating_point_db(),
            level_match_db: processor.level_match_db(),
            multiband: processor.settings().multiband,
            latency_samples: processor.latency_samples(),
        });
    }
}

plugin_kit::export!(BusGlue);

#[cfg(test)]
mod tests {
    use super::*;
    use nice_plug::wrapper::vst3::layout_matches_arrangements;
    use nice_plug::wrapper::vst3::vst3::Steinberg::Vst::{SpeakerArr, SpeakerArrangement};
    use shared_dsp::processors::bus_glue::BusGlueSettings;

    /// The meters follow the editor window and nothing else changes: a
    /// closed editor gives the parameters' settings with the meters off,
    /// an open one with them on; and a processor given the closed-editor
    /// settings measures nothing, the open-editor ones measure the input.
    #[test]
    fn meters_run_only_while_an_editor_is_open() {
        let plugin = BusGlue::default();
        let from_params = plugin.params.settings();
        let closed = plugin.settings();
        plugin.telemetry.editor_open.set(true);
        let open = plugin.settings();
        assert!(!closed.metering && open.metering);
        let same = |s: BusGlueSettings| BusGlueSettings {
            metering: from_params.metering,
            ..s
        };
        assert!(same(closed) == from_params && same(open) == from_params);

        let measured = |settings: &BusGlueSettings| {
            let mut processor = Processor::new(48_000.0, 2);
            processor.set_settings(settings);
            processor.reset();
            // 1 s of a −20 dBFS 1 kHz tone, in 64-frame blocks.
            let tone: Vec<f32> = (0..48_000)
                .map(|i| 0.1 * (std::f32::consts::TAU * 1_000.0 * i as f32 / 48_000.0).sin())
                .collect();
            for block in tone.chunks(64) {
                let (mut l, mut r) = (block.to_vec(), block.to_vec());
                processor.process(&mut [&mut l, &mut r]);
            }
            processor.input_readings().momentary_lufs
        };
        assert!(
            !measured(&closed).is_some_and(f64::is_finite),
            "meters ran with no editor"
        );
        assert!(
            measured(&open).is_some_and(f64::is_finite),
            "meters idle with the editor open"
        );
    }

    /// The layout a VST3 host's `setBusArrangements(inputs, outputs)` selects, if any.
    fn selected(
        inputs: &[SpeakerArrangement],
        outputs: &[SpeakerArrangement],
    ) -> Option<AudioIOLayout> {
        BusGlue::AUDIO_IO_LAYOUTS
            .iter()
            .find(|layout| layout_matches_arrangements(layout, inputs, outputs))
            .copied()
    }

    /// Each side-chain bus is compared with its own channel count, not the main bus's: a
    /// stereo main bus with a mono side-chain is refused (the wrapper would read two channels
    /// of a one-channel host bus), and every bus count but the declared ones is refused.
    #[test]
    fn vst3_bus_arrangements_select_only_the_declared_layouts() {
        let (mono, stereo) = (SpeakerArr::kMono, SpeakerArr::kStereo);
        assert_eq!(
            selected(&[stereo, stereo], &[stereo]),
            Some(STEREO_WITH_SIDECHAIN)
        );
        assert_eq!(selected(&[mono], &[mono]), Some(MONO));
        for (inputs, outputs) in [
            (&[stereo, mono][..], &[stereo][..]),
            (&[mono, stereo][..], &[stereo][..]),
            (&[mono, mono][..], &[mono][..]),
            (&[stereo][..], &[stereo][..]),
            (&[stereo, stereo][..], &[mono][..]),
            (&[stereo, stereo][..], &[][..]),
            (&[][..], &[stereo][..]),
        ] {
            assert_eq!(selected(inputs, outputs), None, "{inputs:?} -> {outputs:?}");
        }
    }
}
