//! What every plugin negotiates with its host the same way: channel layouts
//! and activation.

use nice_plug::prelude::{AudioIOLayout, BufferConfig, NonZeroU32};
use shared_dsp::units::loudness::{MAX_SAMPLE_RATE_HZ, MIN_SAMPLE_RATE_HZ};

/// Stereo in, stereo out.
pub const STEREO: AudioIOLayout = AudioIOLayout {
    main_input_channels: NonZeroU32::new(2),
    main_output_channels: NonZeroU32::new(2),
    ..AudioIOLayout::const_default()
};

/// Mono in, mono out.
pub const MONO: AudioIOLayout = AudioIOLayout {
    main_input_channels: NonZeroU32::new(1),
    main_output_channels: NonZeroU32::new(1),
    ..AudioIOLayout::const_default()
};

/// Mono in, stereo out (a mono track feeding a stereo bus).
pub const MONO_TO_STEREO: AudioIOLayout = AudioIOLayout {
    main_input_channels: NonZeroU32::new(1),
    main_output_channels: NonZeroU32::new(2),
    ..AudioIOLayout::const_default()
};

/// What a plugin is activated for.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Activation {
    /// Main input channels (≥ 1).
    pub inputs: usize,
    /// Main output channels, at most the plugin's maximum (≥ 1).
    pub outputs: usize,
    /// Sample rate, Hz, within the DSP's supported range.
    pub sample_rate: f64,
}

/// Checks an activation request: `None` (refuse activation, never panic in
/// the host) when a main port is missing or the rate is outside what the DSP
/// supports ([`MIN_SAMPLE_RATE_HZ`]..=[`MAX_SAMPLE_RATE_HZ`]).
pub fn activation(
    layout: &AudioIOLayout,
    buffer_config: &BufferConfig,
    max_channels: usize,
) -> Option<Activation> {
    let inputs = layout.main_input_channels.map_or(0, |n| n.get() as usize);
    let outputs = layout
        .main_output_channels
        .map_or(0, |n| n.get() as usize)
        .min(max_channels);
    let sample_rate = f64::from(buffer_config.sample_rate);
    (inputs > 0 && outputs > 0 && (MIN_SAMPLE_RATE_HZ..=MAX_SAMPLE_RATE_HZ).contains(&sample_rate))
        .then_some(Activation {
            inputs,
            outputs,
            sample_rate,
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use nice_plug::prelude::ProcessMode;

    fn config(sample_rate: f32) -> BufferConfig {
        BufferConfig {
            sample_rate,
            min_buffer_size: None,
            max_buffer_size: 512,
            process_mode: ProcessMode::Realtime,
        }
    }

    #[test]
    fn accepts_supported_layouts_and_rates_and_refuses_the_rest() {
        let a = activation(&MONO_TO_STEREO, &config(48_000.0), 2).unwrap();
        assert_eq!((a.inputs, a.outputs, a.sample_rate), (1, 2, 48_000.0));
        assert_eq!(
            activation(&STEREO, &config(192_000.0), 2).unwrap().outputs,
            2
        );
        assert!(activation(&STEREO, &config(1_000.0), 2).is_none());
        assert!(activation(&STEREO, &config(f32::NAN), 2).is_none());
        let no_input = AudioIOLayout {
            main_input_channels: None,
            ..STEREO
        };
        assert!(activation(&no_input, &config(48_000.0), 2).is_none());
    }
}
