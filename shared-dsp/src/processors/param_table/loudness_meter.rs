//! The Loudness Meter's parameters (`plugins/loudness-meter/src/params.rs`).
//! None changes the audio (the meter passes it through) and none changes an
//! offline measurement, which always covers the whole file: the target only
//! judges the readings in the editor (as do the custom target's two
//! values), the transport switches follow a host's transport, and Reset
//! restarts a live measurement.

use super::kinds::float;
use super::{Binding, Choice, ParamKind, ParamSpec, ParamTable};

/// Range of the custom target's integrated loudness, LUFS.
pub const CUSTOM_TARGET_RANGE_LUFS: (f32, f32) = (-30.0, -5.0);
/// Default custom target: the common streaming reference, LUFS.
pub const DEFAULT_CUSTOM_TARGET_LUFS: f64 = -14.0;
/// Range of the custom target's true-peak limit, dBTP.
pub const CUSTOM_PEAK_RANGE_DBTP: (f32, f32) = (-9.0, 0.0);
/// Default custom true-peak limit, dBTP (the streaming services' −1).
pub const DEFAULT_CUSTOM_PEAK_DBTP: f64 = -1.0;

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
        ParamSpec {
            id: "reset",
            name: "Reset",
            kind: ParamKind::Bool,
            // A live measurement's momentary reset; an offline measurement
            // always covers the whole file.
            binding: Binding::EditorOnly { default: 0.0 },
        },
        ParamSpec {
            id: "custom_target_lufs",
            name: "Custom Target",
            kind: float(CUSTOM_TARGET_RANGE_LUFS, "LUFS"),
            binding: Binding::EditorOnly {
                default: DEFAULT_CUSTOM_TARGET_LUFS,
            },
        },
        ParamSpec {
            id: "custom_peak_dbtp",
            name: "Custom Peak Limit",
            kind: float(CUSTOM_PEAK_RANGE_DBTP, "dBTP"),
            binding: Binding::EditorOnly {
                default: DEFAULT_CUSTOM_PEAK_DBTP,
            },
        },
    ],
};
