//! The Stereo Imager's parameters (`plugins/stereo-imager/src/params.rs`).

use super::kinds::{db, float, hz, percent};
use super::{field, Binding, ParamKind, ParamSpec, ParamTable};
use crate::processors::stereo_imager::{
    ImagerSettings, BALANCE_RANGE, CROSSOVER_RANGE_HZ, DEFAULT_MONO_WARNING_LU,
    MONO_MAKER_RANGE_HZ, MS_GAIN_RANGE_DB, ROTATION_RANGE_DEG, SIDE_HIGH_SHELF_RANGE_HZ,
    SIDE_LOW_SHELF_RANGE_HZ, SIDE_SHELF_GAIN_RANGE_DB, STEREOIZE_RANGE, WIDTH_RANGE,
};
use crate::units::crossover::MAX_BANDS;

/// Range of the mono-compatibility warning threshold (editor only), LU.
pub const MONO_WARNING_RANGE_LU: (f32, f32) = (0.5, 6.0);

/// Balance: −1 (left) ..= +1 (right), typed in percent (−100 = all left).
const BALANCE: ParamKind = percent(BALANCE_RANGE);

pub const TABLE: ParamTable<ImagerSettings> = ParamTable {
    plugin: "stereo-imager",
    defaults: ImagerSettings::default,
    params: &[
        ParamSpec {
            id: "width",
            name: "Width",
            kind: percent(WIDTH_RANGE),
            binding: field!(|s| s.width),
        },
        ParamSpec {
            id: "mid_gain",
            name: "Mid Gain",
            kind: db(MS_GAIN_RANGE_DB),
            binding: field!(|s| s.mid_gain_db),
        },
        ParamSpec {
            id: "side_gain",
            name: "Side Gain",
            kind: db(MS_GAIN_RANGE_DB),
            binding: field!(|s| s.side_gain_db),
        },
        ParamSpec {
            id: "balance",
            name: "Balance",
            kind: BALANCE,
            binding: field!(|s| s.balance),
        },
        ParamSpec {
            id: "rotation",
            name: "Rotation",
            kind: float(ROTATION_RANGE_DEG, "°"),
            binding: field!(|s| s.rotation_deg),
        },
        ParamSpec {
            id: "swap",
            name: "Swap L/R",
            kind: ParamKind::Bool,
            binding: field!(|s| s.swap),
        },
        ParamSpec {
            id: "invert_left",
            name: "Invert Left",
            kind: ParamKind::Bool,
            binding: field!(|s| s.invert[0]),
        },
        ParamSpec {
            id: "invert_right",
            name: "Invert Right",
            kind: ParamKind::Bool,
            binding: field!(|s| s.invert[1]),
        },
        ParamSpec {
            id: "bands",
            name: "Bands",
            kind: ParamKind::Int {
                range: (1, MAX_BANDS as i64),
            },
            binding: field!(|s| s.num_bands),
        },
        ParamSpec {
            id: "crossover_1",
            name: "Crossover 1",
            kind: hz(CROSSOVER_RANGE_HZ),
            binding: field!(|s| s.crossover_hz[0]),
        },
        ParamSpec {
            id: "crossover_2",
            name: "Crossover 2",
            kind: hz(CROSSOVER_RANGE_HZ),
            binding: field!(|s| s.crossover_hz[1]),
        },
        ParamSpec {
            id: "crossover_3",
            name: "Crossover 3",
            kind: hz(CROSSOVER_RANGE_HZ),
            binding: field!(|s| s.crossover_hz[2]),
        },
        ParamSpec {
            id: "band_width_1",
            name: "Band 1 Width",
            kind: percent(WIDTH_RANGE),
            binding: field!(|s| s.band_width[0]),
        },
        ParamSpec {
            id: "band_width_2",
            name: "Band 2 Width",
            kind: percent(WIDTH_RANGE),
            binding: field!(|s| s.band_width[1]),
        },
        ParamSpec {
            id: "band_width_3",
            name: "Band 3 Width",
            kind: percent(WIDTH_RANGE),
            binding: field!(|s| s.band_width[2]),
        },
        ParamSpec {
            id: "band_width_4",
            name: "Band 4 Width",
            kind: percent(WIDTH_RANGE),
            binding: field!(|s| s.band_width[3]),
        },
        ParamSpec {
            id: "band_solo_1",
            name: "Band 1 Solo",
            kind: ParamKind::Bool,
            binding: field!(|s| s.band_solo[0]),
        },
        ParamSpec {
            id: "band_solo_2",
            name: "Band 2 Solo",
            kind: ParamKind::Bool,
            binding: field!(|s| s.band_solo[1]),
        },
        ParamSpec {
            id: "band_solo_3",
            name: "Band 3 Solo",
            kind: ParamKind::Bool,
            binding: field!(|s| s.band_solo[2]),
        },
        ParamSpec {
            id: "band_solo_4",
            name: "Band 4 Solo",
            kind: ParamKind::Bool,
            binding: field!(|s| s.band_solo[3]),
        },
        ParamSpec {
            id: "mono_maker",
            name: "Mono Maker",
            kind: ParamKind::Bool,
            binding: field!(|s| s.mono_maker),
        },
        ParamSpec {
            id: "mono_maker_freq",
            name: "Mono Maker Frequency",
            kind: hz(MONO_MAKER_RANGE_HZ),
            binding: field!(|s| s.mono_maker_hz),
        },
        ParamSpec {
            id: "stereoize",
            name: "Stereoize",
            kind: percent(STEREOIZE_RANGE),
            binding: field!(|s| s.stereoize),
        },
        ParamSpec {
            id: "side_low_freq",
            name: "Side Low Frequency",
            kind: hz(SIDE_LOW_SHELF_RANGE_HZ),
            binding: field!(|s| s.side_low_hz),
        },
        ParamSpec {
            id: "side_low_gain",
            name: "Side Low Gain",
            kind: db(SIDE_SHELF_GAIN_RANGE_DB),
            binding: field!(|s| s.side_low_gain_db),
        },
        ParamSpec {
            id: "side_high_freq",
            name: "Side High Frequency",
            kind: hz(SIDE_HIGH_SHELF_RANGE_HZ),
            binding: field!(|s| s.side_high_hz),
        },
        ParamSpec {
            id: "side_high_gain",
            name: "Side High Gain",
            kind: db(SIDE_SHELF_GAIN_RANGE_DB),
            binding: field!(|s| s.side_high_gain_db),
        },
        ParamSpec {
            id: "mono_listen",
            name: "Mono Listen",
            kind: ParamKind::Bool,
            binding: field!(|s| s.mono_listen),
        },
        ParamSpec {
            id: "mono_warning_lu",
            name: "Mono Warning",
            kind: float(MONO_WARNING_RANGE_LU, "LU"),
            binding: Binding::EditorOnly {
                default: DEFAULT_MONO_WARNING_LU,
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
