//! The Bus Glue's parameters (`plugins/bus-glue/src/params.rs`).

use super::kinds::{db, dbfs, float, hz, ms, percent};
use super::{choice_plain_value, field, Binding, Choice, ParamKind, ParamSpec, ParamTable};
use crate::processors::bus_glue::{
    BusGlueSettings, DetectMode, ATTACK_RANGE_MS, CROSSOVER_1_RANGE_HZ, CROSSOVER_2_RANGE_HZ,
    KNEE_RANGE, MAKEUP_RANGE, OUTPUT_RANGE_DB, RANGE_RANGE_DB, RATIO_RANGE, RELEASE_RANGE_MS,
    SC_HPF_RANGE_HZ, SOFT_CLIP_CEILING_RANGE_DBFS, SOFT_CLIP_DRIVE_RANGE_DB, THRESHOLD_RANGE_DBFS,
};

const DETECT_MODE: &[Choice] = &[
    Choice {
        id: "lr",
        name: "L/R",
    },
    Choice {
        id: "mid",
        name: "Mid",
    },
    Choice {
        id: "side",
        name: "Side",
    },
];
choice_plain_value!(DetectMode: [DetectMode::LeftRight, DetectMode::Mid, DetectMode::Side]);

pub const TABLE: ParamTable<BusGlueSettings> = ParamTable {
    plugin: "bus-glue",
    defaults: BusGlueSettings::default,
    params: &[
        ParamSpec {
            id: "threshold",
            name: "Threshold",
            kind: dbfs(THRESHOLD_RANGE_DBFS),
            binding: field!(|s| s.threshold_db),
        },
        ParamSpec {
            id: "ratio",
            name: "Ratio",
            kind: float(RATIO_RANGE, ":1"),
            binding: field!(|s| s.ratio),
        },
        ParamSpec {
            id: "attack",
            name: "Attack",
            kind: ms(ATTACK_RANGE_MS),
            binding: field!(|s| s.attack_ms),
        },
        ParamSpec {
            id: "release",
            name: "Release",
            kind: ms(RELEASE_RANGE_MS),
            binding: field!(|s| s.release_ms),
        },
        ParamSpec {
            id: "auto_release",
            name: "Auto Release",
            kind: ParamKind::Bool,
            binding: field!(|s| s.auto_release),
        },
        ParamSpec {
            id: "knee",
            name: "Knee",
            kind: db(KNEE_RANGE),
            binding: field!(|s| s.knee_db),
        },
        ParamSpec {
            id: "makeup",
            name: "Make-up",
            kind: db(MAKEUP_RANGE),
            binding: field!(|s| s.makeup_db),
        },
        ParamSpec {
            id: "auto_makeup",
            name: "Auto Make-up",
            kind: ParamKind::Bool,
            binding: field!(|s| s.auto_makeup),
        },
        ParamSpec {
            id: "range",
            name: "Range",
            kind: db(RANGE_RANGE_DB),
            binding: field!(|s| s.range_db),
        },
        ParamSpec {
            id: "output",
            name: "Output",
            kind: db(OUTPUT_RANGE_DB),
            binding: field!(|s| s.output_db),
        },
        ParamSpec {
            id: "detector_rms",
            name: "Detector RMS",
            kind: percent((0.0, 1.0)),
            binding: field!(|s| s.detector_rms),
        },
        ParamSpec {
            id: "link",
            name: "Stereo Link",
            kind: percent((0.0, 1.0)),
            binding: field!(|s| s.stereo_link),
        },
        ParamSpec {
            id: "detect_mode",
            name: "Detect",
            kind: ParamKind::Choice(DETECT_MODE),
            binding: field!(|s| s.detect_mode),
        },
        ParamSpec {
            id: "sc_hpf",
            name: "SC High-pass",
            kind: ParamKind::Bool,
            binding: field!(|s| s.sc_hpf_enabled),
        },
        ParamSpec {
            id: "sc_hpf_freq",
            name: "SC High-pass Freq",
            kind: hz(SC_HPF_RANGE_HZ),
            binding: field!(|s| s.sc_hpf_hz),
        },
        // Offline there is no auxiliary input: on, the key is the main
        // input, as in a host with nothing connected to the side-chain.
        ParamSpec {
            id: "external_sc",
            name: "External Side-chain",
            kind: ParamKind::Bool,
            binding: field!(|s| s.external_sidechain),
        },
        ParamSpec {
            id: "listen",
            name: "Listen",
            kind: ParamKind::Bool,
            binding: field!(|s| s.listen),
        },
        ParamSpec {
            id: "mix",
            name: "Mix",
            kind: percent((0.0, 1.0)),
            binding: field!(|s| s.mix),
        },
        ParamSpec {
            id: "delta",
            name: "Delta",
            kind: ParamKind::Bool,
            binding: field!(|s| s.delta),
        },
        ParamSpec {
            id: "matched_bypass",
            name: "Level-matched Bypass",
            kind: ParamKind::Bool,
            binding: field!(|s| s.matched_bypass),
        },
        ParamSpec {
            id: "multiband",
            name: "Three-band",
            kind: ParamKind::Bool,
            binding: field!(|s| s.multiband),
        },
        ParamSpec {
            id: "crossover_1",
            name: "Crossover 1",
            kind: hz(CROSSOVER_1_RANGE_HZ),
            binding: field!(|s| s.crossover_hz[0]),
        },
        ParamSpec {
            id: "crossover_2",
            name: "Crossover 2",
            kind: hz(CROSSOVER_2_RANGE_HZ),
            binding: field!(|s| s.crossover_hz[1]),
        },
        ParamSpec {
            id: "band_threshold_1",
            name: "Band 1 Threshold",
            kind: dbfs(THRESHOLD_RANGE_DBFS),
            binding: field!(|s| s.bands[0].threshold_db),
        },
        ParamSpec {
            id: "band_ratio_1",
            name: "Band 1 Ratio",
            kind: float(RATIO_RANGE, ":1"),
            binding: field!(|s| s.bands[0].ratio),
        },
        ParamSpec {
            id: "band_attack_1",
            name: "Band 1 Attack",
            kind: ms(ATTACK_RANGE_MS),
            binding: field!(|s| s.bands[0].attack_ms),
        },
        ParamSpec {
            id: "band_release_1",
            name: "Band 1 Release",
            kind: ms(RELEASE_RANGE_MS),
            binding: field!(|s| s.bands[0].release_ms),
        },
        ParamSpec {
            id: "band_solo_1",
            name: "Band 1 Solo",
            kind: ParamKind::Bool,
            binding: field!(|s| s.bands[0].solo),
        },
        ParamSpec {
            id: "band_threshold_2",
            name: "Band 2 Threshold",
            kind: dbfs(THRESHOLD_RANGE_DBFS),
            binding: field!(|s| s.bands[1].threshold_db),
        },
        ParamSpec {
            id: "band_ratio_2",
            name: "Band 2 Ratio",
            kind: float(RATIO_RANGE, ":1"),
            binding: field!(|s| s.bands[1].ratio),
        },
        ParamSpec {
            id: "band_attack_2",
            name: "Band 2 Attack",
            kind: ms(ATTACK_RANGE_MS),
            binding: field!(|s| s.bands[1].attack_ms),
        },
        ParamSpec {
            id: "band_release_2",
            name: "Band 2 Release",
            kind: ms(RELEASE_RANGE_MS),
            binding: field!(|s| s.bands[1].release_ms),
        },
        ParamSpec {
            id: "band_solo_2",
            name: "Band 2 Solo",
            kind: ParamKind::Bool,
            binding: field!(|s| s.bands[1].solo),
        },
        ParamSpec {
            id: "band_threshold_3",
            name: "Band 3 Threshold",
            kind: dbfs(THRESHOLD_RANGE_DBFS),
            binding: field!(|s| s.bands[2].threshold_db),
        },
        ParamSpec {
            id: "band_ratio_3",
            name: "Band 3 Ratio",
            kind: float(RATIO_RANGE, ":1"),
            binding: field!(|s| s.bands[2].ratio),
        },
        ParamSpec {
            id: "band_attack_3",
            name: "Band 3 Attack",
            kind: ms(ATTACK_RANGE_MS),
            binding: field!(|s| s.bands[2].attack_ms),
        },
        ParamSpec {
            id: "band_release_3",
            name: "Band 3 Release",
            kind: ms(RELEASE_RANGE_MS),
            binding: field!(|s| s.bands[2].release_ms),
        },
        ParamSpec {
            id: "band_solo_3",
            name: "Band 3 Solo",
            kind: ParamKind::Bool,
            binding: field!(|s| s.bands[2].solo),
        },
        ParamSpec {
            id: "soft_clip",
            name: "Soft Clip",
            kind: ParamKind::Bool,
            binding: field!(|s| s.soft_clip),
        },
        ParamSpec {
            id: "soft_clip_drive",
            name: "Soft Clip Drive",
            kind: db(SOFT_CLIP_DRIVE_RANGE_DB),
            binding: field!(|s| s.soft_clip_drive_db),
        },
        ParamSpec {
            id: "soft_clip_ceiling",
            name: "Soft Clip Ceiling",
            kind: dbfs(SOFT_CLIP_CEILING_RANGE_DBFS),
            binding: field!(|s| s.soft_clip_ceiling_db),
        },
        ParamSpec {
            id: "bypass",
            name: "Bypass",
            kind: ParamKind::Bool,
            binding: Binding::Bypass,
        },
    ],
};
