//! Parameters of the Loudness Meter. IDs are stable forever once released:
//! never rename an `#[id]`, only add new ones.

use nice_plug::prelude::*;

/// The target the editor judges the programme against (variant ids persist).
pub use plugin_kit::targets::TargetPreset;

#[derive(Params)]
pub struct LoudnessMeterParams {
    /// Target the readout compares against.
    #[id = "target"]
    pub target: EnumParam<TargetPreset>,
    /// Reset the measurement when host playback starts.
    #[id = "auto_reset"]
    pub auto_reset_on_play: BoolParam,
    /// Stop measuring while the host transport is stopped (hosts that report a transport).
    #[id = "pause_stopped"]
    pub pause_when_stopped: BoolParam,
}

impl Default for LoudnessMeterParams {
    fn default() -> Self {
        Self {
            target: EnumParam::new("Target", TargetPreset::Spotify),
            auto_reset_on_play: BoolParam::new("Reset on Play", true),
            pause_when_stopped: BoolParam::new("Pause when Stopped", true),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameters_match_the_table_lathe_process_uses() {
        plugin_kit::param_parity::assert_params_match_table(
            LoudnessMeterParams::default,
            &shared_dsp::processors::param_table::loudness_meter::TABLE,
            |_| (),
        );
    }
}
