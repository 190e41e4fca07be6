//! Lathe Loudness Meter: ITU-R BS.1770-4 / EBU R128 metering as a VST3 and
//! CLAP plugin. Glue only: the processor is
//! `shared_dsp::processors::loudness_meter` (sanitising, the transport rule,
//! the 100 ms steps).
//!
//! Audio passes through untouched (bit-exact for every finite, normal input
//! sample) with zero latency; non-finite and subnormal input samples leave as
//! 0.0 so nothing a host could choke on ever reaches the output.

use nice_plug::prelude::*;
use plugin_kit::host::{MONO, STEREO as STEREO_LAYOUT, SURROUND_5_0, SURROUND_5_1, SURROUND_7_1};
use plugin_kit::{Activation, KitPlugin, PluginIdentity};
use shared_dsp::processors::loudness_meter::{LoudnessMeterProcessor as Meter, TransportPolicy};
use std::sync::Arc;

mod editor;
pub mod params;
pub mod report;
pub mod report_png;
pub mod telemetry;
mod verdicts;

pub use params::{LoudnessMeterParams, TargetPreset};
use telemetry::MeterTelemetry;

/// Most channels the meter measures (7.1).
///
/// Channel weights follow the channel count
/// (`shared_dsp::units::loudness::channels::default_layout`, BS.1770-4
/// Table 3): 5 channels L R C Ls Rs, 6 channels L R C LFE Ls Rs, 8 channels
/// L R C LFE Lrs Rrs Ls Rs (rears 1.0, side surrounds 1.41) — the VST3
/// `k50`/`k51`/`k71Music` arrangements nice-plug announces (8 channels as
/// `k71Music` by a patch, `patches/PATCHES.md`), and the usual CLAP host
/// order (nice-plug gives surround ports no CLAP port type; CLAP's surround
/// channel ids give the same 7.1 order).
const MAX_CHANNELS: usize = 8;

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
            ClapFeature::Surround,
            ClapFeature::Utility,
        ],
        vst3_subcategories: &[Vst3SubCategory::Fx, Vst3SubCategory::Analyzer],
    };
    const AUDIO_IO_LAYOUTS: &'static [AudioIOLayout] = &[
        STEREO_LAYOUT,
        MONO,
        SURROUND_5_1,
        SURROUND_5_0,
        SURROUND_7_1,
    ];
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

#[cfg(test)]
mod tests {
    //! The plugin on surround buffers, through its own `activate` and
    //! `process` (the host glue's path), against the BS.1770-4 weights.

    use super::*;

    const RATE_HZ: f32 = 48_000.0;
    /// Frames per block handed to `process`.
    const BLOCK_FRAMES: usize = 512;
    /// Blocks fed: 2 s, five gating blocks' worth and more.
    const BLOCKS: usize = 188;
    /// Weight of a surround channel, BS.1770-4 Table 3 (linear, on energy).
    const SURROUND_WEIGHT: f64 = 1.41;

    /// Activates the plugin for `layout`, plays a 1 kHz sine at −20 dBFS on
    /// `channel` only, and returns the integrated loudness it reads.
    fn integrated_with_tone_on(layout: &AudioIOLayout, channel: usize) -> Option<f64> {
        let num_channels = layout.main_output_channels.unwrap().get() as usize;
        let mut plugin = LoudnessMeter::default();
        plugin.activate(Activation {
            inputs: num_channels,
            outputs: num_channels,
            sample_rate: f64::from(RATE_HZ),
        });
        let mut transport = Transport::new(RATE_HZ);
        transport.playing = true;
        let amplitude = 10f32.powf(-20.0 / 20.0);
        let mut frame = 0_usize;
        let mut storage = vec![vec![0.0_f32; BLOCK_FRAMES]; num_channels];
        for _ in 0..BLOCKS {
            for (c, samples) in storage.iter_mut().enumerate() {
                for (i, x) in samples.iter_mut().enumerate() {
                    let t = (frame + i) as f32 / RATE_HZ;
                    *x = if c == channel {
                        amplitude * (std::f32::consts::TAU * 1_000.0 * t).sin()
                    } else {
                        0.0
                    };
                }
            }
            frame += BLOCK_FRAMES;
            let mut buffer = Buffer::default();
            // SAFETY: the slices point into `storage`, alive and unmoved while
            // `buffer` is used, and all have `BLOCK_FRAMES` samples.
            unsafe {
                buffer.set_slices(BLOCK_FRAMES, |slices| {
                    *slices = storage.iter_mut().map(|c| c.as_mut_slice()).collect();
                });
            }
            let mut aux = AuxiliaryBuffers {
                inputs: &mut [],
                outputs: &mut [],
            };
            KitPlugin::process(&mut plugin, &mut buffer, &mut aux, &transport);
        }
        plugin.meter.as_ref().unwrap().readings().integrated_lufs
    }

    fn layout_with(channels: u32) -> &'static AudioIOLayout {
        <LoudnessMeter as KitPlugin>::AUDIO_IO_LAYOUTS
            .iter()
            .find(|l| l.main_output_channels.map(|n| n.get()) == Some(channels))
            .unwrap_or_else(|| panic!("a {channels}-channel layout"))
    }

    #[test]
    fn five_one_ignores_the_lfe_and_weighs_the_surrounds() {
        let layout = layout_with(6);
        // L R C LFE Ls Rs: the VST3 k51 order.
        assert_eq!(
            integrated_with_tone_on(layout, 3),
            None,
            "LFE only reads silence"
        );
        let left = integrated_with_tone_on(layout, 0).expect("L is measured");
        let centre = integrated_with_tone_on(layout, 2).expect("C is measured");
        assert!((centre - left).abs() < 1e-9, "C {centre} vs L {left}");
        let expected = 10.0 * SURROUND_WEIGHT.log10();
        for surround in [4, 5] {
            let reading = integrated_with_tone_on(layout, surround).expect("measured");
            assert!(
                (reading - left - expected).abs() < 1e-6,
                "channel {surround}: {reading} vs L {left} (+{expected:.3} dB expected)"
            );
        }
    }

    #[test]
    fn five_zero_weighs_its_last_two_channels_as_surrounds() {
        let layout = layout_with(5);
        // L R C Ls Rs: the VST3 k50 order.
        let left = integrated_with_tone_on(layout, 0).expect("L");
        let centre = integrated_with_tone_on(layout, 2).expect("C");
        let surround = integrated_with_tone_on(layout, 3).expect("Ls");
        assert!((centre - left).abs() < 1e-9);
        assert!((surround - left - 10.0 * SURROUND_WEIGHT.log10()).abs() < 1e-6);
    }

    #[test]
    fn seven_one_weighs_the_side_pair_and_not_the_rears() {
        let layout = layout_with(8);
        // L R C LFE Ls Rs Sl Sr: the VST3 k71Music order (back pair = rears,
        // then the side pair), also CLAP's FL FR FC LFE BL BR SL SR.
        assert_eq!(
            integrated_with_tone_on(layout, 3),
            None,
            "LFE only reads silence"
        );
        let left = integrated_with_tone_on(layout, 0).expect("L is measured");
        for rear in [4, 5] {
            let reading = integrated_with_tone_on(layout, rear).expect("measured");
            assert!(
                (reading - left).abs() < 1e-6,
                "rear channel {rear}: {reading} vs L {left} (weight 1.0 expected)"
            );
        }
        let expected = 10.0 * SURROUND_WEIGHT.log10();
        for side in [6, 7] {
            let reading = integrated_with_tone_on(layout, side).expect("measured");
            assert!(
                (reading - left - expected).abs() < 1e-6,
                "side channel {side}: {reading} vs L {left} (+{expected:.3} dB expected)"
            );
        }
    }

    /// What VST3 hosts are told each layout is, bit for bit (VST3 speaker
    /// bits in channel order), against the roles the meter weighs the
    /// channels by: 5.0 `k50`, 5.1 `k51`, 7.1 `k71Music` (L R C Lfe Ls Rs Sl
    /// Sr, where Ls/Rs are the back pair: the rears beside Sl/Sr).
    #[test]
    fn vst3_arrangements_name_the_speakers_the_weights_assume() {
        use nice_plug::wrapper::vst3::speaker_arrangement_for;
        use nice_plug::wrapper::vst3::vst3::Steinberg::Vst::{
            kSpeakerC, kSpeakerL, kSpeakerLfe, kSpeakerLs, kSpeakerR, kSpeakerRs, kSpeakerSl,
            kSpeakerSr, SpeakerArr,
        };
        use shared_dsp::units::loudness::channels::default_layout;
        use shared_dsp::units::loudness::ChannelRole::*;
        // The VST3 speaker each role is announced as, per layout.
        let speaker_of = |channels: usize, role| match (channels, role) {
            (_, Left) => kSpeakerL,
            (_, Right) => kSpeakerR,
            (_, Center) => kSpeakerC,
            (_, Lfe) => kSpeakerLfe,
            // 5.x surrounds: VST3 Ls/Rs. 7.1: the side pair is Sl/Sr, the
            // back pair (the rears) Ls/Rs.
            (8, LeftSurround) => kSpeakerSl,
            (8, RightSurround) => kSpeakerSr,
            (_, LeftSurround | LeftRearSurround) => kSpeakerLs,
            (_, RightSurround | RightRearSurround) => kSpeakerRs,
            (_, Mono) => unreachable!("no surround layout has a mono role"),
        };
        for (channels, arrangement) in [
            (5, SpeakerArr::k50),
            (6, SpeakerArr::k51),
            (8, SpeakerArr::k71Music),
        ] {
            let layout = layout_with(channels as u32);
            assert_eq!(
                layout.main_output_channels.unwrap().get() as usize,
                channels
            );
            let announced = speaker_arrangement_for(channels as u32);
            assert_eq!(announced, arrangement, "{channels} channels");
            // VST3 orders a bus's channels by ascending speaker bit.
            let mut bits = (0..64)
                .map(|b| 1u64 << b)
                .filter(|bit| announced & bit != 0);
            for (c, &role) in default_layout(channels).iter().enumerate() {
                assert_eq!(
                    bits.next(),
                    Some(speaker_of(channels, role)),
                    "{channels} channels, channel {c} ({role:?})"
                );
            }
            assert_eq!(bits.next(), None);
        }
    }

    #[test]
    fn stereo_and_mono_read_as_before() {
        // A −20 dBFS 1 kHz sine on one front channel: −23.01 LUFS (BS.1770-4).
        for channels in [1, 2] {
            let reading = integrated_with_tone_on(layout_with(channels), 0).unwrap();
            assert!((reading + 23.01).abs() < 0.05, "{channels} ch: {reading}");
        }
    }
}
