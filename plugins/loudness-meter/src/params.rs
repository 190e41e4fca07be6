//! Parameters of the Loudness Meter. IDs are stable forever once released:
//! never rename an `#[id]`, only add new ones.

use nice_plug::prelude::*;
use shared_dsp::units::loudness::targets::{LoudnessTarget, TARGETS};

/// The target the editor judges the programme against. Variant IDs are stable.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum TargetPreset {
    #[id = "ebu-r128"]
    #[name = "EBU R128 (−23 LUFS)"]
    EbuR128,
    #[id = "atsc-a85"]
    #[name = "ATSC A/85 (−24 LUFS)"]
    AtscA85,
    #[id = "spotify"]
    #[name = "Spotify (−14 LUFS)"]
    Spotify,
    #[id = "youtube"]
    #[name = "YouTube (−14 LUFS)"]
    YouTube,
    #[id = "tidal"]
    #[name = "Tidal (−14 LUFS)"]
    Tidal,
    #[id = "amazon"]
    #[name = "Amazon Music (−14 LUFS)"]
    Amazon,
    #[id = "apple-music"]
    #[name = "Apple Music (−16 LUFS)"]
    AppleMusic,
    #[id = "deezer"]
    #[name = "Deezer (−15 LUFS)"]
    Deezer,
    #[id = "podcast"]
    #[name = "Podcast (−16 LUFS)"]
    Podcast,
}

impl TargetPreset {
    /// The shared-dsp target this preset stands for.
    pub fn target(self) -> &'static LoudnessTarget {
        let name = match self {
            Self::EbuR128 => "EBU R128",
            Self::AtscA85 => "ATSC A/85",
            Self::Spotify => "Spotify",
            Self::YouTube => "YouTube",
            Self::Tidal => "Tidal",
            Self::Amazon => "Amazon Music",
            Self::AppleMusic => "Apple Music",
            Self::Deezer => "Deezer",
            Self::Podcast => "Podcast",
        };
        TARGETS
            .iter()
            .find(|t| t.name == name)
            .expect("every preset names a target in shared_dsp::units::loudness::targets::TARGETS")
    }
}

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
    fn every_preset_resolves_to_a_target_with_its_level() {
        for (idx, name) in TargetPreset::variants().iter().enumerate() {
            let preset = TargetPreset::from_index(idx);
            let t = preset.target();
            // The display name carries the level the target defines.
            let level = format!("{}", -t.integrated_lufs as i32);
            assert!(name.contains(&level), "{name} vs {}", t.integrated_lufs);
        }
    }
}
