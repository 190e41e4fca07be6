//! What every plugin negotiates with its host the same way: channel layouts
//! and activation.

use nice_plug::prelude::{new_nonzero_u32, AudioIOLayout, BufferConfig, NonZeroU32, PortNames};

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

/// 5.0 in, 5.0 out (5 channels). nice-plug announces it to VST3 hosts as
/// `k50` (L R C Ls Rs) and to CLAP hosts with no port type (the host's
/// order; L R C Ls Rs is the common one).
pub const SURROUND_5_0: AudioIOLayout = AudioIOLayout {
    main_input_channels: NonZeroU32::new(5),
    main_output_channels: NonZeroU32::new(5),
    names: PortNames {
        layout: Some("5.0"),
        ..PortNames::const_default()
    },
    ..AudioIOLayout::const_default()
};

/// 5.1 in, 5.1 out (6 channels). nice-plug announces it to VST3 hosts as
/// `k51` (L R C LFE Ls Rs) and to CLAP hosts with no port type (the host's
/// order; L R C LFE Ls Rs, the WAV/SMPTE order, is the common one).
pub const SURROUND_5_1: AudioIOLayout = AudioIOLayout {
    main_input_channels: NonZeroU32::new(6),
    main_output_channels: NonZeroU32::new(6),
    names: PortNames {
        layout: Some("5.1"),
        ..PortNames::const_default()
    },
    ..AudioIOLayout::const_default()
};

/// 7.1 in, 7.1 out (8 channels). nice-plug (patched, `patches/PATCHES.md`)
/// announces it to VST3 hosts as `k71Music` (L R C Lfe Ls Rs Sl Sr: the back
/// pair, then the side pair) and to CLAP hosts with no port type (the host's
/// order; CLAP's surround channel ids and the WAV 7.1 mask give the same
/// one: FL FR FC LFE BL BR SL SR).
pub const SURROUND_7_1: AudioIOLayout = AudioIOLayout {
    main_input_channels: NonZeroU32::new(8),
    main_output_channels: NonZeroU32::new(8),
    names: PortNames {
        layout: Some("7.1"),
        ..PortNames::const_default()
    },
    ..AudioIOLayout::const_default()
};

/// Stereo in, stereo out, plus a stereo side-chain input (one auxiliary
/// input port, "Side-chain"); the plugin reads it from `AuxiliaryBuffers::inputs[0]`.
pub const STEREO_WITH_SIDECHAIN: AudioIOLayout = AudioIOLayout {
    main_input_channels: NonZeroU32::new(2),
    main_output_channels: NonZeroU32::new(2),
    aux_input_ports: &[new_nonzero_u32(2)],
    names: PortNames {
        aux_inputs: &["Side-chain"],
        ..PortNames::const_default()
    },
    ..AudioIOLayout::const_default()
};

/// What a plugin is activated for.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Activation {
    /// Main input channels (≥ 1).
    pub inputs: usize,
    /// Main output channels, at most the plugin's maximum (≥ 1).
    pub outputs: usize,
    /// Sample rate, Hz, finite and > 0.
    pub sample_rate: f64,
}

/// Checks an activation request: `None` (refuse activation, never panic in
/// the host) when a main port is missing or the rate is not a finite,
/// positive number. Every other rate is accepted: hosts and validators offer
/// odd ones (clap-validator tries 1234.57 Hz, the VST3 validator up to
/// 384 kHz), and the DSP designs its filters for whatever rate it is given,
/// clamping frequencies it cannot realise below Nyquist.
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
    (inputs > 0 && outputs > 0 && sample_rate.is_finite() && sample_rate > 0.0).then_some(
        Activation {
            inputs,
            outputs,
            sample_rate,
        },
    )
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
    fn accepts_supported_layouts_and_any_positive_rate_and_refuses_the_rest() {
        let a = activation(&MONO_TO_STEREO, &config(48_000.0), 2).unwrap();
        assert_eq!((a.inputs, a.outputs, a.sample_rate), (1, 2, 48_000.0));
        assert_eq!(
            activation(&STEREO, &config(192_000.0), 2).unwrap().outputs,
            2
        );
        // The odd and extreme rates the plugin validators offer.
        for rate in [1_000.0, 1_200.0, 1_234.57, 8_000.0, 384_000.0, 768_000.0] {
            let a = activation(&STEREO, &config(rate), 2).unwrap();
            assert_eq!(a.sample_rate, f64::from(rate));
        }
        for rate in [0.0, -44_100.0, f32::NAN, f32::INFINITY] {
            assert!(activation(&STEREO, &config(rate), 2).is_none(), "{rate}");
        }
        let no_input = AudioIOLayout {
            main_input_channels: None,
            ..STEREO
        };
        assert!(activation(&no_input, &config(48_000.0), 2).is_none());
    }
}
