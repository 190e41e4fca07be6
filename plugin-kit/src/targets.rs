//! The loudness targets of `shared_dsp::units::loudness::targets` as
//! parameter choices: the Loudness Meter's Target and the Maximizer's
//! Platform Preview.
//!
//! Each choice resolves to its [`LoudnessTarget`] by variant, through a table
//! of indices into [`TARGETS`] that is built (and checked) at compile time:
//! the audio thread never compares names.
//!
//! Variant `#[id]`s are what saved sessions store and the variant lists are
//! what hosts automate (by index): never rename, reorder or remove one.

use nice_plug::prelude::Enum;
use shared_dsp::units::loudness::targets::{LoudnessTarget, TARGETS};

/// Every target the meter judges against, broadcast first.
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

/// The [`TARGETS`] entry each [`TargetPreset`] stands for, in variant order.
const PRESET_TARGET_INDEX: [usize; 9] = [
    target_index("EBU R128"),
    target_index("ATSC A/85"),
    target_index("Spotify"),
    target_index("YouTube"),
    target_index("Tidal"),
    target_index("Amazon Music"),
    target_index("Apple Music"),
    target_index("Deezer"),
    target_index("Podcast"),
];

impl TargetPreset {
    /// The shared-dsp target this preset stands for (a table lookup).
    pub fn target(self) -> &'static LoudnessTarget {
        &TARGETS[PRESET_TARGET_INDEX[self as usize]]
    }
}

/// Streaming service whose loudness normalisation the output is previewed
/// through (`Off`: hear the master as is).
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Preview {
    #[id = "off"]
    Off,
    #[id = "spotify"]
    Spotify,
    #[id = "youtube"]
    #[name = "YouTube"]
    YouTube,
    #[id = "tidal"]
    Tidal,
    #[id = "amazon"]
    #[name = "Amazon Music"]
    Amazon,
    #[id = "apple-music"]
    #[name = "Apple Music"]
    AppleMusic,
    #[id = "deezer"]
    Deezer,
}

impl Preview {
    /// The target preset this preview plays through, if any.
    pub fn preset(self) -> Option<TargetPreset> {
        match self {
            Self::Off => None,
            Self::Spotify => Some(TargetPreset::Spotify),
            Self::YouTube => Some(TargetPreset::YouTube),
            Self::Tidal => Some(TargetPreset::Tidal),
            Self::Amazon => Some(TargetPreset::Amazon),
            Self::AppleMusic => Some(TargetPreset::AppleMusic),
            Self::Deezer => Some(TargetPreset::Deezer),
        }
    }

    /// The target this preview plays through, if any (a table lookup).
    pub fn target(self) -> Option<&'static LoudnessTarget> {
        self.preset().map(TargetPreset::target)
    }
}

/// Index of the target called `name` in [`TARGETS`].
///
/// # Panics
/// If no target has that name; evaluated in a `const`, that is a build error.
const fn target_index(name: &str) -> usize {
    let mut i = 0;
    while i < TARGETS.len() {
        if str_eq(TARGETS[i].name, name) {
            return i;
        }
        i += 1;
    }
    panic!("no target of that name in shared_dsp::units::loudness::targets::TARGETS");
}

const fn str_eq(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use shared_dsp::units::loudness::targets::TargetKind;

    #[test]
    fn every_preset_resolves_to_a_target_with_its_level() {
        assert_eq!(TargetPreset::variants().len(), PRESET_TARGET_INDEX.len());
        for (idx, name) in TargetPreset::variants().iter().enumerate() {
            let target = TargetPreset::from_index(idx).target();
            assert!(name.starts_with(target.name), "{name} vs {}", target.name);
            // The display name carries the level the target defines.
            let level = format!("{}", -target.integrated_lufs as i32);
            assert!(
                name.contains(&level),
                "{name} vs {}",
                target.integrated_lufs
            );
        }
    }

    #[test]
    fn every_preview_but_off_is_the_streaming_preset_with_the_same_id() {
        let preset_ids = TargetPreset::ids().unwrap();
        let preview_ids = Preview::ids().unwrap();
        for (idx, preview_id) in preview_ids.iter().enumerate() {
            let preview = Preview::from_index(idx);
            assert_eq!(preview.target().is_some(), preview != Preview::Off);
            if let Some(preset) = preview.preset() {
                assert_eq!(preset_ids[preset.to_index()], *preview_id);
                let kind = preset.target().kind;
                assert!(matches!(kind, TargetKind::Streaming { .. }), "{kind:?}");
            }
        }
    }
}
