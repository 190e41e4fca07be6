//! The Maximizer's parameters (`plugins/maximizer/src/params.rs`).

use super::kinds::{db, float, ms, percent};
use super::{choice_plain_value, field, Binding, Choice, ParamKind, ParamSpec, ParamTable};
use crate::processors::maximizer::learn::LEARN_TARGET_RANGE_LUFS;
use crate::processors::maximizer::{
    Character, DitherMode, Listen, MaximizerSettings, Oversampling, CEILING_RANGE_DBTP,
    INPUT_GAIN_RANGE_DB, LOOKAHEAD_RANGE_MS, RELEASE_RANGE_MS,
};
use crate::units::loudness::targets::{LoudnessTarget, TARGETS};

/// What the Maximizer's parameters set: the processor settings, and the
/// platform whose playback level the output previews (the plugin turns it
/// into `monitor_gain_db` from its meters, block by block; so does
/// `lathe process`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MaximizerControls {
    pub settings: MaximizerSettings,
    /// Index into [`PREVIEW`] (0 = off).
    pub preview: usize,
}

impl Default for MaximizerControls {
    fn default() -> Self {
        Self {
            settings: MaximizerSettings::default(),
            preview: 0,
        }
    }
}

impl MaximizerControls {
    /// The platform previewed, if any.
    pub fn preview_target(&self) -> Option<&'static LoudnessTarget> {
        preview_target(self.preview)
    }
}

/// The platform a [`PREVIEW`] index stands for (`None` for off).
pub fn preview_target(index: usize) -> Option<&'static LoudnessTarget> {
    let name = PREVIEW_TARGET_NAMES.get(index).copied().flatten()?;
    TARGETS.iter().find(|t| t.name == name)
}

/// The Learn target's default, LUFS.
pub const DEFAULT_LEARN_TARGET_LUFS: f64 = -14.0;

const CHARACTER: &[Choice] = &[
    Choice {
        id: "transparent",
        name: "Transparent",
    },
    Choice {
        id: "punchy",
        name: "Punchy",
    },
];
choice_plain_value!(Character: [Character::Transparent, Character::Punchy]);

const OVERSAMPLING: &[Choice] = &[
    Choice {
        id: "4x",
        name: "4×",
    },
    Choice {
        id: "8x",
        name: "8×",
    },
];
choice_plain_value!(Oversampling: [Oversampling::X4, Oversampling::X8]);

const DITHER: &[Choice] = &[
    Choice {
        id: "off",
        name: "Off",
    },
    Choice {
        id: "tpdf",
        name: "TPDF",
    },
    Choice {
        id: "shaped",
        name: "Noise shaped",
    },
];
choice_plain_value!(DitherMode: [DitherMode::Off, DitherMode::Tpdf, DitherMode::NoiseShaped]);

/// Dither word lengths, bits, in the order of [`DITHER_BITS`].
const DITHER_BITS_VALUES: [u32; 3] = [16, 20, 24];
const DITHER_BITS: &[Choice] = &[
    Choice {
        id: "16",
        name: "16 bit",
    },
    Choice {
        id: "20",
        name: "20 bit",
    },
    Choice {
        id: "24",
        name: "24 bit",
    },
];

const LISTEN: &[Choice] = &[
    Choice {
        id: "output",
        name: "Output",
    },
    Choice {
        id: "matched-bypass",
        name: "Level-matched bypass",
    },
    Choice {
        id: "delta",
        name: "Delta",
    },
];
choice_plain_value!(Listen: [Listen::Output, Listen::LevelMatchedBypass, Listen::Delta]);

/// Platform preview choices.
pub const PREVIEW: &[Choice] = &[
    Choice {
        id: "off",
        name: "Off",
    },
    Choice {
        id: "spotify",
        name: "Spotify",
    },
    Choice {
        id: "youtube",
        name: "YouTube",
    },
    Choice {
        id: "tidal",
        name: "Tidal",
    },
    Choice {
        id: "amazon",
        name: "Amazon Music",
    },
    Choice {
        id: "apple-music",
        name: "Apple Music",
    },
    Choice {
        id: "deezer",
        name: "Deezer",
    },
];
/// The [`TARGETS`] entry of each [`PREVIEW`] choice.
const PREVIEW_TARGET_NAMES: [Option<&str>; 7] = [
    None,
    Some("Spotify"),
    Some("YouTube"),
    Some("Tidal"),
    Some("Amazon Music"),
    Some("Apple Music"),
    Some("Deezer"),
];

pub const TABLE: ParamTable<MaximizerControls> = ParamTable {
    plugin: "maximizer",
    defaults: MaximizerControls::default,
    params: &[
        ParamSpec {
            id: "input_gain",
            name: "Input Gain",
            kind: db(INPUT_GAIN_RANGE_DB),
            binding: field!(|c| c.settings.input_gain_db),
        },
        ParamSpec {
            id: "ceiling",
            name: "Ceiling",
            kind: float(CEILING_RANGE_DBTP, "dBTP"),
            binding: field!(|c| c.settings.ceiling_dbtp),
        },
        ParamSpec {
            id: "release",
            name: "Release",
            kind: ms(RELEASE_RANGE_MS),
            binding: field!(|c| c.settings.release_ms),
        },
        ParamSpec {
            id: "auto_release",
            name: "Auto Release",
            kind: ParamKind::Bool,
            binding: field!(|c| c.settings.auto_release),
        },
        ParamSpec {
            id: "lookahead",
            name: "Lookahead",
            kind: ms(LOOKAHEAD_RANGE_MS),
            binding: field!(|c| c.settings.lookahead_ms),
        },
        ParamSpec {
            id: "link",
            name: "Stereo Link",
            kind: percent((0.0, 1.0)),
            binding: field!(|c| c.settings.stereo_link),
        },
        ParamSpec {
            id: "character",
            name: "Character",
            kind: ParamKind::Choice(CHARACTER),
            binding: field!(|c| c.settings.character),
        },
        ParamSpec {
            id: "oversampling",
            name: "Oversampling",
            kind: ParamKind::Choice(OVERSAMPLING),
            binding: field!(|c| c.settings.oversampling),
        },
        ParamSpec {
            id: "dither",
            name: "Dither",
            kind: ParamKind::Choice(DITHER),
            binding: field!(|c| c.settings.dither),
        },
        ParamSpec {
            id: "dither_bits",
            name: "Dither Bits",
            kind: ParamKind::Choice(DITHER_BITS),
            binding: Binding::Setting {
                get: |c| {
                    let bits = c.settings.dither_bits;
                    DITHER_BITS_VALUES
                        .iter()
                        .position(|&b| b == bits)
                        .unwrap_or(0) as f64
                },
                set: |c, plain| {
                    let index = (plain.round().max(0.0) as usize).min(DITHER_BITS_VALUES.len() - 1);
                    c.settings.dither_bits = DITHER_BITS_VALUES[index];
                },
            },
        },
        ParamSpec {
            id: "listen",
            name: "Listen",
            kind: ParamKind::Choice(LISTEN),
            binding: field!(|c| c.settings.listen),
        },
        ParamSpec {
            id: "preview",
            name: "Platform Preview",
            kind: ParamKind::Choice(PREVIEW),
            binding: field!(|c| c.preview),
        },
        ParamSpec {
            id: "learn_target",
            name: "Learn Target",
            kind: float(LEARN_TARGET_RANGE_LUFS, "LUFS"),
            binding: Binding::EditorOnly {
                default: DEFAULT_LEARN_TARGET_LUFS,
            },
        },
        ParamSpec {
            id: "bypass",
            name: "Bypass",
            kind: ParamKind::Bool,
            binding: Binding::Bypass,
        },
    ],
};
