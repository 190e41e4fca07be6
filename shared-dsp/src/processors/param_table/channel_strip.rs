//! The Channel Strip's parameters (`plugins/channel-strip/src/params.rs`).

use super::kinds::{db, dbfs, hz, ms, percent, PAN, RATIO};
use super::{
    choice_plain_value, field, ratio_from_plain, Binding, Choice, ParamKind, ParamSpec, ParamTable,
    RATIO_INFINITE_AT,
};
use crate::processors::channel_strip::{ChannelStripSettings, SectionOrder, GAIN_RANGE_DB};
use crate::units::dynamics::compressor::{
    ATTACK_RANGE_MS, KNEE_RANGE_DB, MAKEUP_RANGE_DB, RELEASE_RANGE_MS, SIDECHAIN_HPF_RANGE_HZ,
    THRESHOLD_RANGE_DB,
};
use crate::units::dynamics::gate::{
    ATTACK_RANGE_MS as GATE_ATTACK_MS, HOLD_RANGE_MS as GATE_HOLD_MS,
    HYSTERESIS_RANGE_DB as GATE_HYSTERESIS_DB, RANGE_RANGE_DB as GATE_RANGE_DB,
    RELEASE_RANGE_MS as GATE_RELEASE_MS, THRESHOLD_RANGE_DB as GATE_THRESHOLD_DB,
};
use crate::units::dynamics::Detection;
use crate::units::eq::{
    EqBandType, MAX_FREQUENCY_HZ, MAX_GAIN_DB, MAX_Q, MIN_FREQUENCY_HZ, MIN_Q, NUM_EQ_BANDS,
};
use crate::units::saturation::{SaturationCharacter, DRIVE_RANGE_DB, OUTPUT_RANGE_DB};
use crate::units::stereo::MAX_WIDTH;

/// Frequency range of the filters and EQ bands, Hz.
const FREQ: ParamKind = hz((MIN_FREQUENCY_HZ, MAX_FREQUENCY_HZ));

/// The plugin's default EQ layout: a low shelf, four bells spread over the
/// spectrum, a high shelf (type, frequency in Hz), all off.
pub const BAND_LAYOUT: [(EqBandType, f32); NUM_EQ_BANDS] = [
    (EqBandType::LowShelf, 80.0),
    (EqBandType::Bell, 250.0),
    (EqBandType::Bell, 800.0),
    (EqBandType::Bell, 2500.0),
    (EqBandType::Bell, 6000.0),
    (EqBandType::HighShelf, 12_000.0),
];
/// Host name of the pan control. Not "Pan (mono)": the stereo stage
/// applies the constant-power pan gains ([`crate::units::stereo::pan_gains`],
/// −∞ ..= +3 dB per side) to both channels of any two-channel input, so on
/// a stereo source it acts as a constant-power balance, not only on mono.
pub const PAN_NAME: &str = "Pan (Constant Power)";
/// Gate attenuation when the gate is first switched on, dB (the DSP
/// default of 0 dB is neutral).
pub const GATE_DEFAULT_RANGE_DB: f32 = 40.0;
/// Compressor ratio when the compressor is first switched on.
pub const DEFAULT_COMP_RATIO: f32 = 4.0;

/// What a freshly loaded Channel Strip stands for: every section neutral
/// or off, with the plugin's EQ layout and the ratio and gate range its
/// sections start from when switched on.
pub fn plugin_defaults() -> ChannelStripSettings {
    let mut settings = ChannelStripSettings::default();
    for (band, (band_type, frequency_hz)) in settings.eq.bands.iter_mut().zip(BAND_LAYOUT) {
        band.band_type = band_type;
        band.frequency_hz = frequency_hz;
    }
    settings.gate.range_db = GATE_DEFAULT_RANGE_DB;
    settings.compressor.ratio = DEFAULT_COMP_RATIO;
    settings
}

/// Filter slopes: Butterworth order = slope / 6, in the order of [`SLOPE`].
const SLOPE_ORDERS: [u8; 5] = [1, 2, 3, 4, 8];
const SLOPE: &[Choice] = &[
    Choice {
        id: "6",
        name: "6 dB/oct",
    },
    Choice {
        id: "12",
        name: "12 dB/oct",
    },
    Choice {
        id: "18",
        name: "18 dB/oct",
    },
    Choice {
        id: "24",
        name: "24 dB/oct",
    },
    Choice {
        id: "48",
        name: "48 dB/oct",
    },
];

fn slope_plain(order: u8) -> f64 {
    SLOPE_ORDERS.iter().position(|&o| o == order).unwrap_or(1) as f64
}

fn slope_order(plain: f64) -> u8 {
    SLOPE_ORDERS[(plain.round().max(0.0) as usize).min(SLOPE_ORDERS.len() - 1)]
}

/// A ratio as its parameter's plain value (∞ at the top of the range).
fn ratio_plain(ratio: f32) -> f64 {
    f64::from(ratio.min(RATIO_INFINITE_AT))
}

const BAND_TYPE: &[Choice] = &[
    Choice {
        id: "bell",
        name: "Bell",
    },
    Choice {
        id: "low-shelf",
        name: "Low shelf",
    },
    Choice {
        id: "high-shelf",
        name: "High shelf",
    },
    Choice {
        id: "notch",
        name: "Notch",
    },
    Choice {
        id: "tilt",
        name: "Tilt",
    },
];
choice_plain_value!(EqBandType: [
    EqBandType::Bell,
    EqBandType::LowShelf,
    EqBandType::HighShelf,
    EqBandType::Notch,
    EqBandType::Tilt,
]);

const ORDER: &[Choice] = &[
    Choice {
        id: "eq-dyn",
        name: "EQ, then dynamics",
    },
    Choice {
        id: "dyn-eq",
        name: "Dynamics, then EQ",
    },
];
choice_plain_value!(SectionOrder: [SectionOrder::EqThenDynamics, SectionOrder::DynamicsThenEq]);

const DETECTION: &[Choice] = &[
    Choice {
        id: "peak",
        name: "Peak",
    },
    Choice {
        id: "rms",
        name: "RMS",
    },
];
choice_plain_value!(Detection: [Detection::Peak, Detection::Rms]);

const CHARACTER: &[Choice] = &[
    Choice {
        id: "tube",
        name: "Tube",
    },
    Choice {
        id: "tape",
        name: "Tape",
    },
    Choice {
        id: "hard-clip",
        name: "Hard clip",
    },
];
choice_plain_value!(SaturationCharacter: [
    SaturationCharacter::Tube,
    SaturationCharacter::Tape,
    SaturationCharacter::HardClip,
]);

/// The table, with the EQ bands' six parameters each spliced in after
/// `head` (nice-plug's nested arrays suffix the IDs with `_1` … `_6`).
macro_rules! strip_params {
    ([$($head:expr),* $(,)?], bands: [$(($n:literal, $i:literal)),* $(,)?], [$($tail:expr),* $(,)?]) => {
        &[
            $($head,)*
            $(
                ParamSpec {
                    id: concat!("eq_on_", $n),
                    name: concat!("EQ Band ", $n, " On"),
                    kind: ParamKind::Bool,
                    binding: field!(|s| s.eq.bands[$i].enabled),
                },
                ParamSpec {
                    id: concat!("eq_type_", $n),
                    name: concat!("EQ Band ", $n, " Type"),
                    kind: ParamKind::Choice(BAND_TYPE),
                    binding: field!(|s| s.eq.bands[$i].band_type),
                },
                ParamSpec {
                    id: concat!("eq_freq_", $n),
                    name: concat!("EQ Band ", $n, " Frequency"),
                    kind: FREQ,
                    binding: field!(|s| s.eq.bands[$i].frequency_hz),
                },
                ParamSpec {
                    id: concat!("eq_gain_", $n),
                    name: concat!("EQ Band ", $n, " Gain"),
                    kind: db((-MAX_GAIN_DB, MAX_GAIN_DB)),
                    binding: field!(|s| s.eq.bands[$i].gain_db),
                },
                ParamSpec {
                    id: concat!("eq_q_", $n),
                    name: concat!("EQ Band ", $n, " Q"),
                    kind: super::kinds::float((MIN_Q, MAX_Q), ""),
                    binding: field!(|s| s.eq.bands[$i].q),
                },
                // One solo at a time: soloing a band unsoloes the others.
                ParamSpec {
                    id: concat!("eq_solo_", $n),
                    name: concat!("EQ Band ", $n, " Solo"),
                    kind: ParamKind::Bool,
                    binding: Binding::Setting {
                        get: |s| if s.eq_solo == Some($i) { 1.0 } else { 0.0 },
                        set: |s, plain| {
                            if plain >= 0.5 {
                                s.eq_solo = Some($i);
                            } else if s.eq_solo == Some($i) {
                                s.eq_solo = None;
                            }
                        },
                    },
                },
            )*
            $($tail,)*
        ]
    };
}

pub const TABLE: ParamTable<ChannelStripSettings> = ParamTable {
    plugin: "channel-strip",
    defaults: plugin_defaults,
    params: strip_params!(
        [
            ParamSpec { id: "trim", name: "Input Trim", kind: db(GAIN_RANGE_DB), binding: field!(|s| s.input_trim_db) },
            ParamSpec { id: "invert_l", name: "Invert Left", kind: ParamKind::Bool, binding: field!(|s| s.invert_polarity[0]) },
            ParamSpec { id: "invert_r", name: "Invert Right", kind: ParamKind::Bool, binding: field!(|s| s.invert_polarity[1]) },
            ParamSpec { id: "hp_on", name: "High-pass", kind: ParamKind::Bool, binding: field!(|s| s.high_pass.enabled) },
            ParamSpec { id: "hp_freq", name: "High-pass Frequency", kind: FREQ, binding: field!(|s| s.high_pass.cutoff_hz) },
            ParamSpec {
                id: "hp_slope",
                name: "High-pass Slope",
                kind: ParamKind::Choice(SLOPE),
                binding: Binding::Setting {
                    get: |s| slope_plain(s.high_pass.order),
                    set: |s, plain| s.high_pass.order = slope_order(plain),
                },
            },
            ParamSpec { id: "lp_on", name: "Low-pass", kind: ParamKind::Bool, binding: field!(|s| s.low_pass.enabled) },
            ParamSpec { id: "lp_freq", name: "Low-pass Frequency", kind: FREQ, binding: field!(|s| s.low_pass.cutoff_hz) },
            ParamSpec {
                id: "lp_slope",
                name: "Low-pass Slope",
                kind: ParamKind::Choice(SLOPE),
                binding: Binding::Setting {
                    get: |s| slope_plain(s.low_pass.order),
                    set: |s, plain| s.low_pass.order = slope_order(plain),
                },
            },
            ParamSpec { id: "eq_section", name: "EQ Section", kind: ParamKind::Bool, binding: field!(|s| s.eq_enabled) },
        ],
        bands: [(1, 0), (2, 1), (3, 2), (4, 3), (5, 4), (6, 5)],
        [
            ParamSpec { id: "order", name: "EQ/Dynamics Order", kind: ParamKind::Choice(ORDER), binding: field!(|s| s.order) },
            ParamSpec { id: "gate_on", name: "Gate", kind: ParamKind::Bool, binding: field!(|s| s.gate.enabled) },
            ParamSpec { id: "gate_thr", name: "Gate Threshold", kind: dbfs(GATE_THRESHOLD_DB), binding: field!(|s| s.gate.threshold_db) },
            ParamSpec { id: "gate_range", name: "Gate Range", kind: db(GATE_RANGE_DB), binding: field!(|s| s.gate.range_db) },
            ParamSpec {
                id: "gate_ratio",
                name: "Gate Ratio",
                kind: RATIO,
                binding: Binding::Setting {
                    get: |s| ratio_plain(s.gate.ratio),
                    set: |s, plain| s.gate.ratio = ratio_from_plain(plain as f32),
                },
            },
            ParamSpec { id: "gate_attack", name: "Gate Attack", kind: ms(GATE_ATTACK_MS), binding: field!(|s| s.gate.attack_ms) },
            ParamSpec { id: "gate_hold", name: "Gate Hold", kind: ms(GATE_HOLD_MS), binding: field!(|s| s.gate.hold_ms) },
            ParamSpec { id: "gate_release", name: "Gate Release", kind: ms(GATE_RELEASE_MS), binding: field!(|s| s.gate.release_ms) },
            ParamSpec { id: "gate_hyst", name: "Gate Hysteresis", kind: db(GATE_HYSTERESIS_DB), binding: field!(|s| s.gate.hysteresis_db) },
            ParamSpec { id: "comp_on", name: "Compressor", kind: ParamKind::Bool, binding: field!(|s| s.compressor.enabled) },
            ParamSpec { id: "comp_thr", name: "Comp Threshold", kind: dbfs(THRESHOLD_RANGE_DB), binding: field!(|s| s.compressor.threshold_db) },
            ParamSpec {
                id: "comp_ratio",
                name: "Comp Ratio",
                kind: RATIO,
                binding: Binding::Setting {
                    get: |s| ratio_plain(s.compressor.ratio),
                    set: |s, plain| s.compressor.ratio = ratio_from_plain(plain as f32),
                },
            },
            ParamSpec { id: "comp_knee", name: "Comp Knee", kind: db(KNEE_RANGE_DB), binding: field!(|s| s.compressor.knee_db) },
            ParamSpec { id: "comp_attack", name: "Comp Attack", kind: ms(ATTACK_RANGE_MS), binding: field!(|s| s.compressor.attack_ms) },
            ParamSpec { id: "comp_release", name: "Comp Release", kind: ms(RELEASE_RANGE_MS), binding: field!(|s| s.compressor.release_ms) },
            ParamSpec { id: "comp_auto_rel", name: "Comp Auto Release", kind: ParamKind::Bool, binding: field!(|s| s.compressor.auto_release) },
            ParamSpec { id: "comp_detect", name: "Comp Detection", kind: ParamKind::Choice(DETECTION), binding: field!(|s| s.compressor.detection) },
            ParamSpec { id: "comp_sc_hp_on", name: "Comp Side-chain HP", kind: ParamKind::Bool, binding: field!(|s| s.compressor.sidechain_hpf_enabled) },
            ParamSpec { id: "comp_sc_hp", name: "Comp Side-chain HP Frequency", kind: hz(SIDECHAIN_HPF_RANGE_HZ), binding: field!(|s| s.compressor.sidechain_hpf_hz) },
            ParamSpec { id: "comp_link", name: "Comp Stereo Link", kind: percent((0.0, 1.0)), binding: field!(|s| s.compressor.stereo_link) },
            ParamSpec { id: "comp_makeup", name: "Comp Make-up", kind: db(MAKEUP_RANGE_DB), binding: field!(|s| s.compressor.makeup_db) },
            ParamSpec { id: "comp_auto_makeup", name: "Comp Auto Make-up", kind: ParamKind::Bool, binding: field!(|s| s.compressor.auto_makeup) },
            ParamSpec { id: "comp_mix", name: "Comp Mix", kind: percent((0.0, 1.0)), binding: field!(|s| s.compressor.mix) },
            ParamSpec { id: "sat_on", name: "Saturation", kind: ParamKind::Bool, binding: field!(|s| s.saturation.enabled) },
            ParamSpec { id: "sat_char", name: "Sat Character", kind: ParamKind::Choice(CHARACTER), binding: field!(|s| s.saturation.character) },
            ParamSpec { id: "sat_drive", name: "Sat Drive", kind: db(DRIVE_RANGE_DB), binding: field!(|s| s.saturation.drive_db) },
            ParamSpec { id: "sat_comp", name: "Sat Level Compensation", kind: ParamKind::Bool, binding: field!(|s| s.saturation.compensate) },
            ParamSpec { id: "sat_out", name: "Sat Output", kind: db(OUTPUT_RANGE_DB), binding: field!(|s| s.saturation.output_db) },
            ParamSpec { id: "sat_mix", name: "Sat Mix", kind: percent((0.0, 1.0)), binding: field!(|s| s.saturation.mix) },
            ParamSpec { id: "pan", name: PAN_NAME, kind: PAN, binding: field!(|s| s.stereo.pan) },
            ParamSpec { id: "balance", name: "Balance", kind: PAN, binding: field!(|s| s.stereo.balance) },
            ParamSpec { id: "width", name: "Width", kind: percent((0.0, MAX_WIDTH)), binding: field!(|s| s.stereo.width) },
            ParamSpec { id: "out", name: "Output Gain", kind: db(GAIN_RANGE_DB), binding: field!(|s| s.output_gain_db) },
            ParamSpec { id: "bypass", name: "Bypass", kind: ParamKind::Bool, binding: Binding::Bypass },
        ]
    ),
};
