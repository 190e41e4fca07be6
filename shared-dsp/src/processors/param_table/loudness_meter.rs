//! The Loudness Meter's parameters (`plugins/loudness-meter/src/params.rs`).
//! None changes the audio (the meter passes it through) and none changes an
//! offline measurement, which always covers the whole file: the target only
//! judges the readings in the editor, and the transport switches follow a
//! host's transport.

use super::{Binding, Choice, ParamKind, ParamSpec, ParamTable};

/// Loudness targets the editor judges against, in the plugin's order.
pub const TARGET: &[Choice] = &[
    Choice {
        id: "ebu-r128",
        name: "EBU R128 (−23 LUFS)",
    },
    Choice {
        id: "atsc-a85",
        name: "ATSC A/85 (−24 LUFS)",
    },
    Choice {
        id: "spotify",
        name: "Spotify (−14 LUFS)",
    },
    Choice {
        id: "youtube",
        name: "YouTube (−14 LUFS)",
    },
    Choice {
        id: "tidal",
        name: "Tidal (−14 LUFS)",
    },
    Choice {
        id: "amazon",
        name: "Amazon Music (−14 LUFS)",
    },
    Choice {
        id: "apple-music",
        name: "Apple Music (−16 LUFS)",
    },
    Choice {
        id: "deezer",
        name: "Deezer (−15 LUFS)",
    },
    Choice {
        id: "podcast",
        name: "Podcast (−16 LUFS)",
    },
];
/// Default target: Spotify.
pub const DEFAULT_TARGET: usize = 2;

pub const TABLE: ParamTable<()> = ParamTable {
    plugin: "loudness-meter",
    defaults: || (),
    params: &[
        ParamSpec {
            id: "target",
            name: "Target",
            kind: ParamKind::Choice(TARGET),
            binding: Binding::EditorOnly {
                default: DEFAULT_TARGET as f64,
            },
        },
        ParamSpec {
            id: "auto_reset",
            name: "Reset on Play",
            kind: ParamKind::Bool,
            binding: Binding::EditorOnly { default: 1.0 },
        },
        ParamSpec {
            id: "pause_stopped",
            name: "Pause when Stopped",
            kind: ParamKind::Bool,
            binding: Binding::EditorOnly { default: 1.0 },
        },
    ],
};
