//! Parameters of the Loudness Meter. IDs are stable forever once released:
//! never rename an `#[id]`, only add new ones.

use nice_plug::prelude::*;
use plugin_kit::params::db_param;
use shared_dsp::processors::param_table::loudness_meter::{
    CUSTOM_PEAK_RANGE_DBTP, CUSTOM_TARGET_RANGE_LUFS, DEFAULT_CUSTOM_PEAK_DBTP,
    DEFAULT_CUSTOM_TARGET_LUFS,
};
use shared_dsp::units::loudness::targets::LoudnessTarget;

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
    /// Momentary reset a host or controller can map: the measurement
    /// restarts when it turns on (its rising edge; see
    /// `LoudnessMeterProcessor::follow_reset`).
    #[id = "reset"]
    pub reset: BoolParam,
    /// Integrated loudness of the custom target row, LUFS.
    #[id = "custom_target_lufs"]
    pub custom_target_lufs: FloatParam,
    /// True-peak limit of the custom target row, dBTP.
    #[id = "custom_peak_dbtp"]
    pub custom_peak_dbtp: FloatParam,

    /// Editor size (100/150/200 % of the base size), chosen in the editor's
    /// title bar and saved with the plugin's state; not a host parameter.
    #[persist = "editor-scale"]
    pub editor_scale: shared_ui::editor::EditorScale,
}

impl Default for LoudnessMeterParams {
    fn default() -> Self {
        Self {
            target: EnumParam::new("Target", TargetPreset::Spotify),
            auto_reset_on_play: BoolParam::new("Reset on Play", true),
            pause_when_stopped: BoolParam::new("Pause when Stopped", true),
            reset: BoolParam::new("Reset", false),
            custom_target_lufs: db_param(
                "Custom Target",
                DEFAULT_CUSTOM_TARGET_LUFS as f32,
                CUSTOM_TARGET_RANGE_LUFS,
                " LUFS",
            ),
            custom_peak_dbtp: db_param(
                "Custom Peak Limit",
                DEFAULT_CUSTOM_PEAK_DBTP as f32,
                CUSTOM_PEAK_RANGE_DBTP,
                " dBTP",
            ),
            editor_scale: Default::default(),
        }
    }
}

impl LoudnessMeterParams {
    /// The custom target the two Custom parameters describe.
    pub fn custom_target(&self) -> LoudnessTarget {
        LoudnessTarget::custom(
            f64::from(self.custom_target_lufs.value()),
            f64::from(self.custom_peak_dbtp.value()),
        )
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
