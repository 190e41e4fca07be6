//! Parameters of the Channel Strip. IDs are stable forever once released:
//! never rename an `#[id]` (or an enum variant's `#[id]`), only add new ones.
//! EQ band parameters carry the band number as a suffix (`eq_freq_1` …).

use nice_plug::prelude::*;
pub use plugin_kit::params::RATIO_INFINITE_AT;
use plugin_kit::params::{
    db_param, hz_param, ms_param, number_param, pan_param, percent_param, ratio_param, ratio_value,
    s2v_finite_percentage,
};
use shared_dsp::processors::channel_strip::{ChannelStripSettings, SectionOrder, GAIN_RANGE_DB};
use shared_dsp::processors::param_table::channel_strip::{plugin_defaults, PAN_NAME};
use shared_dsp::units::dynamics::compressor::{
    ATTACK_RANGE_MS, KNEE_RANGE_DB, MAKEUP_RANGE_DB, RELEASE_RANGE_MS, SIDECHAIN_HPF_RANGE_HZ,
    THRESHOLD_RANGE_DB,
};
use shared_dsp::units::dynamics::{CompressorSettings, Detection as DspDetection, GateSettings};
use shared_dsp::units::eq::{
    CutFilterSettings, EqBandSettings, EqBandType, EqSettings, MAX_FREQUENCY_HZ, MAX_GAIN_DB,
    MAX_Q, MIN_FREQUENCY_HZ, MIN_Q, NUM_EQ_BANDS,
};
use shared_dsp::units::saturation::{SaturationCharacter, SaturationSettings, DRIVE_RANGE_DB};
use shared_dsp::units::stereo::{StereoSettings, MAX_WIDTH};

const FREQ_RANGE: (f32, f32) = (MIN_FREQUENCY_HZ, MAX_FREQUENCY_HZ);
/// Gate ranges: the gate's own.
use shared_dsp::units::dynamics::gate::{
    ATTACK_RANGE_MS as GATE_ATTACK_MS, HOLD_RANGE_MS as GATE_HOLD_MS,
    HYSTERESIS_RANGE_DB as GATE_HYSTERESIS_DB, RANGE_RANGE_DB as GATE_RANGE_DB,
    RELEASE_RANGE_MS as GATE_RELEASE_MS, THRESHOLD_RANGE_DB as GATE_THRESHOLD_DB,
};
use shared_dsp::units::saturation::OUTPUT_RANGE_DB as SAT_OUTPUT_DB;

/// Filter slope in dB/octave (Butterworth order = slope / 6).
///
/// Five choices on purpose: hosts turn a stepped value into an index by
/// truncation, and with four steps every index (incl. the 12 dB/oct default)
/// is exact in the normalized f32 nice-plug reports, so no host can read
/// 0.999… as the wrong slope. Add variants only in pairs that keep that true.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Slope {
    #[id = "6"]
    #[name = "6 dB/oct"]
    S6,
    #[id = "12"]
    #[name = "12 dB/oct"]
    S12,
    #[id = "18"]
    #[name = "18 dB/oct"]
    S18,
    #[id = "24"]
    #[name = "24 dB/oct"]
    S24,
    #[id = "48"]
    #[name = "48 dB/oct"]
    S48,
}

impl Slope {
    fn order(self) -> u8 {
        match self {
            Self::S6 => 1,
            Self::S12 => 2,
            Self::S18 => 3,
            Self::S24 => 4,
            Self::S48 => 8,
        }
    }
}

#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum BandType {
    #[id = "bell"]
    Bell,
    #[id = "low-shelf"]
    #[name = "Low shelf"]
    LowShelf,
    #[id = "high-shelf"]
    #[name = "High shelf"]
    HighShelf,
    #[id = "notch"]
    Notch,
    #[id = "tilt"]
    Tilt,
}

impl BandType {
    fn from_dsp(band_type: EqBandType) -> Self {
        match band_type {
            EqBandType::Bell => Self::Bell,
            EqBandType::LowShelf => Self::LowShelf,
            EqBandType::HighShelf => Self::HighShelf,
            EqBandType::Notch => Self::Notch,
            EqBandType::Tilt => Self::Tilt,
        }
    }

    pub fn dsp(self) -> EqBandType {
        match self {
            Self::Bell => EqBandType::Bell,
            Self::LowShelf => EqBandType::LowShelf,
            Self::HighShelf => EqBandType::HighShelf,
            Self::Notch => EqBandType::Notch,
            Self::Tilt => EqBandType::Tilt,
        }
    }
}

#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Order {
    #[id = "eq-dyn"]
    #[name = "EQ, then dynamics"]
    EqThenDynamics,
    #[id = "dyn-eq"]
    #[name = "Dynamics, then EQ"]
    DynamicsThenEq,
}

#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Detection {
    #[id = "peak"]
    Peak,
    #[id = "rms"]
    #[name = "RMS"]
    Rms,
}

#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Character {
    #[id = "tube"]
    Tube,
    #[id = "tape"]
    Tape,
    #[id = "hard-clip"]
    #[name = "Hard clip"]
    HardClip,
}

/// One EQ band.
#[derive(Params)]
pub struct BandParams {
    #[id = "eq_on"]
    pub enabled: BoolParam,
    #[id = "eq_type"]
    pub band_type: EnumParam<BandType>,
    #[id = "eq_freq"]
    pub frequency_hz: FloatParam,
    #[id = "eq_gain"]
    pub gain_db: FloatParam,
    #[id = "eq_q"]
    pub q: FloatParam,
    /// Audition this band alone through a band-pass at its frequency and Q
    /// (one band at a time; see `ChannelStripSettings::eq_solo`).
    #[id = "eq_solo"]
    pub solo: BoolParam,
}

impl BandParams {
    fn new(index: usize) -> Self {
        let d = plugin_defaults().eq.bands[index];
        // Hosts list parameters by name: every band's names must be distinct.
        let name = |what: &str| format!("EQ Band {} {what}", index + 1);
        Self {
            enabled: BoolParam::new(name("On"), d.enabled),
            band_type: EnumParam::new(name("Type"), BandType::from_dsp(d.band_type)),
            frequency_hz: hz_param(&name("Frequency"), d.frequency_hz, FREQ_RANGE),
            gain_db: db_param(&name("Gain"), d.gain_db, (-MAX_GAIN_DB, MAX_GAIN_DB), " dB"),
            q: number_param(
                &name("Q"),
                d.q,
                FloatRange::Skewed {
                    min: MIN_Q,
                    max: MAX_Q,
                    factor: FloatRange::skew_factor(-2.0),
                },
                2,
                "",
            ),
            solo: BoolParam::new(name("Solo"), false),
        }
    }

    pub fn settings(&self) -> EqBandSettings {
        EqBandSettings {
            enabled: self.enabled.value(),
            band_type: self.band_type.value().dsp(),
            frequency_hz: self.frequency_hz.value(),
            gain_db: self.gain_db.value(),
            q: self.q.value(),
        }
    }
}

#[derive(Params)]
pub struct ChannelStripParams {
    #[id = "trim"]
    pub input_trim_db: FloatParam,
    #[id = "invert_l"]
    pub invert_left: BoolParam,
    #[id = "invert_r"]
    pub invert_right: BoolParam,

    #[id = "hp_on"]
    pub hp_enabled: BoolParam,
    #[id = "hp_freq"]
    pub hp_freq_hz: FloatParam,
    #[id = "hp_slope"]
    pub hp_slope: EnumParam<Slope>,
    #[id = "lp_on"]
    pub lp_enabled: BoolParam,
    #[id = "lp_freq"]
    pub lp_freq_hz: FloatParam,
    #[id = "lp_slope"]
    pub lp_slope: EnumParam<Slope>,

    #[id = "eq_section"]
    pub eq_enabled: BoolParam,
    #[nested(array, group = "EQ Band")]
    pub bands: [BandParams; NUM_EQ_BANDS],
    #[id = "order"]
    pub order: EnumParam<Order>,

    #[id = "gate_on"]
    pub gate_enabled: BoolParam,
    #[id = "gate_thr"]
    pub gate_threshold_db: FloatParam,
    #[id = "gate_range"]
    pub gate_range_db: FloatParam,
    #[id = "gate_ratio"]
    pub gate_ratio: FloatParam,
    #[id = "gate_attack"]
    pub gate_attack_ms: FloatParam,
    #[id = "gate_hold"]
    pub gate_hold_ms: FloatParam,
    #[id = "gate_release"]
    pub gate_release_ms: FloatParam,
    #[id = "gate_hyst"]
    pub gate_hysteresis_db: FloatParam,

    #[id = "comp_on"]
    pub comp_enabled: BoolParam,
    #[id = "comp_thr"]
    pub comp_threshold_db: FloatParam,
    #[id = "comp_ratio"]
    pub comp_ratio: FloatParam,
    #[id = "comp_knee"]
    pub comp_knee_db: FloatParam,
    #[id = "comp_attack"]
    pub comp_attack_ms: FloatParam,
    #[id = "comp_release"]
    pub comp_release_ms: FloatParam,
    #[id = "comp_auto_rel"]
    pub comp_auto_release: BoolParam,
    #[id = "comp_detect"]
    pub comp_detection: EnumParam<Detection>,
    #[id = "comp_sc_hp_on"]
    pub comp_sc_hpf_enabled: BoolParam,
    #[id = "comp_sc_hp"]
    pub comp_sc_hpf_hz: FloatParam,
    #[id = "comp_link"]
    pub comp_link: FloatParam,
    #[id = "comp_makeup"]
    pub comp_makeup_db: FloatParam,
    #[id = "comp_auto_makeup"]
    pub comp_auto_makeup: BoolParam,
    #[id = "comp_mix"]
    pub comp_mix: FloatParam,

    #[id = "sat_on"]
    pub sat_enabled: BoolParam,
    #[id = "sat_char"]
    pub sat_character: EnumParam<Character>,
    #[id = "sat_drive"]
    pub sat_drive_db: FloatParam,
    #[id = "sat_comp"]
    pub sat_compensate: BoolParam,
    #[id = "sat_out"]
    pub sat_output_db: FloatParam,
    #[id = "sat_mix"]
    pub sat_mix: FloatParam,

    #[id = "pan"]
    pub pan: FloatParam,
    #[id = "balance"]
    pub balance: FloatParam,
    #[id = "width"]
    pub width: FloatParam,
    #[id = "out"]
    pub output_gain_db: FloatParam,
    #[id = "bypass"]
    pub bypass: BoolParam,

    /// Editor size (100/150/200 % of the base size), chosen in the editor's
    /// title bar and saved with the plugin's state; not a host parameter.
    #[persist = "editor-scale"]
    pub editor_scale: shared_ui::editor::EditorScale,
}

impl Default for ChannelStripParams {
    fn default() -> Self {
        // One source of defaults with `lathe process` (the parameter table).
        let d = plugin_defaults();
        let (comp, gate, sat) = (d.compressor, d.gate, d.saturation);
        let (hp, lp) = (d.high_pass, d.low_pass);
        Self {
            input_trim_db: db_param("Input Trim", d.input_trim_db, GAIN_RANGE_DB, " dB"),
            invert_left: BoolParam::new("Invert Left", d.invert_polarity[0]),
            invert_right: BoolParam::new("Invert Right", d.invert_polarity[1]),
            hp_enabled: BoolParam::new("High-pass", hp.enabled),
            hp_freq_hz: hz_param("High-pass Frequency", hp.cutoff_hz, FREQ_RANGE),
            hp_slope: EnumParam::new("High-pass Slope", Slope::S12),
            lp_enabled: BoolParam::new("Low-pass", lp.enabled),
            lp_freq_hz: hz_param("Low-pass Frequency", lp.cutoff_hz, FREQ_RANGE),
            lp_slope: EnumParam::new("Low-pass Slope", Slope::S12),
            eq_enabled: BoolParam::new("EQ Section", d.eq_enabled),
            bands: std::array::from_fn(BandParams::new),
            order: EnumParam::new("EQ/Dynamics Order", Order::EqThenDynamics),
            gate_enabled: BoolParam::new("Gate", gate.enabled),
            gate_threshold_db: db_param(
                "Gate Threshold",
                gate.threshold_db,
                GATE_THRESHOLD_DB,
                " dBFS",
            ),
            gate_range_db: db_param("Gate Range", gate.range_db, GATE_RANGE_DB, " dB"),
            gate_ratio: ratio_param("Gate Ratio", gate.ratio.min(RATIO_INFINITE_AT)),
            gate_attack_ms: ms_param("Gate Attack", gate.attack_ms, GATE_ATTACK_MS),
            gate_hold_ms: ms_param("Gate Hold", gate.hold_ms, GATE_HOLD_MS),
            gate_release_ms: ms_param("Gate Release", gate.release_ms, GATE_RELEASE_MS),
            gate_hysteresis_db: db_param(
                "Gate Hysteresis",
                gate.hysteresis_db,
                GATE_HYSTERESIS_DB,
                " dB",
            ),
            comp_enabled: BoolParam::new("Compressor", comp.enabled),
            comp_threshold_db: db_param(
                "Comp Threshold",
                comp.threshold_db,
                THRESHOLD_RANGE_DB,
                " dBFS",
            ),
            comp_ratio: ratio_param("Comp Ratio", comp.ratio.min(RATIO_INFINITE_AT)),
            comp_knee_db: db_param("Comp Knee", comp.knee_db, KNEE_RANGE_DB, " dB"),
            comp_attack_ms: ms_param("Comp Attack", comp.attack_ms, ATTACK_RANGE_MS),
            comp_release_ms: ms_param("Comp Release", comp.release_ms, RELEASE_RANGE_MS),
            comp_auto_release: BoolParam::new("Comp Auto Release", comp.auto_release),
            comp_detection: EnumParam::new("Comp Detection", Detection::Peak),
            comp_sc_hpf_enabled: BoolParam::new("Comp Side-chain HP", comp.sidechain_hpf_enabled),
            comp_sc_hpf_hz: hz_param(
                "Comp Side-chain HP Frequency",
                comp.sidechain_hpf_hz,
                SIDECHAIN_HPF_RANGE_HZ,
            ),
            comp_link: percent_param("Comp Stereo Link", comp.stereo_link),
            comp_makeup_db: db_param("Comp Make-up", comp.makeup_db, MAKEUP_RANGE_DB, " dB"),
            comp_auto_makeup: BoolParam::new("Comp Auto Make-up", comp.auto_makeup),
            comp_mix: percent_param("Comp Mix", comp.mix),
            sat_enabled: BoolParam::new("Saturation", sat.enabled),
            sat_character: EnumParam::new("Sat Character", Character::Tube),
            sat_drive_db: db_param("Sat Drive", sat.drive_db, DRIVE_RANGE_DB, " dB"),
            sat_compensate: BoolParam::new("Sat Level Compensation", sat.compensate),
            sat_output_db: db_param("Sat Output", sat.output_db, SAT_OUTPUT_DB, " dB"),
            sat_mix: percent_param("Sat Mix", sat.mix),
            pan: pan_param(PAN_NAME),
            balance: pan_param("Balance"),
            width: FloatParam::new(
                "Width",
                d.stereo.width,
                FloatRange::Linear {
                    min: 0.0,
                    max: MAX_WIDTH,
                },
            )
            .with_unit("%")
            .with_value_to_string(formatters::v2s_f32_percentage(0))
            .with_string_to_value(s2v_finite_percentage()),
            output_gain_db: db_param("Output Gain", d.output_gain_db, GAIN_RANGE_DB, " dB"),
            bypass: BoolParam::new("Bypass", false).make_bypass(),
            editor_scale: Default::default(),
        }
    }
}

impl ChannelStripParams {
    /// The processor settings the current parameter values stand for.
    pub fn settings(&self) -> ChannelStripSettings {
        let d = ChannelStripSettings::default();
        ChannelStripSettings {
            input_trim_db: self.input_trim_db.value(),
            invert_polarity: {
                let mut p = d.invert_polarity;
                p[0] = self.invert_left.value();
                p[1] = self.invert_right.value();
                p
            },
            high_pass: CutFilterSettings {
                enabled: self.hp_enabled.value(),
                cutoff_hz: self.hp_freq_hz.value(),
                order: self.hp_slope.value().order(),
            },
            low_pass: CutFilterSettings {
                enabled: self.lp_enabled.value(),
                cutoff_hz: self.lp_freq_hz.value(),
                order: self.lp_slope.value().order(),
            },
            eq_enabled: self.eq_enabled.value(),
            eq: EqSettings {
                bands: std::array::from_fn(|i| self.bands[i].settings()),
            },
            // The editor keeps one band soloed; a host may set more: the
            // lowest wins.
            eq_solo: self.bands.iter().position(|b| b.solo.value()),
            gate: GateSettings {
                enabled: self.gate_enabled.value(),
                threshold_db: self.gate_threshold_db.value(),
                range_db: self.gate_range_db.value(),
                ratio: ratio_value(&self.gate_ratio),
                attack_ms: self.gate_attack_ms.value(),
                hold_ms: self.gate_hold_ms.value(),
                release_ms: self.gate_release_ms.value(),
                hysteresis_db: self.gate_hysteresis_db.value(),
            },
            compressor: CompressorSettings {
                enabled: self.comp_enabled.value(),
                threshold_db: self.comp_threshold_db.value(),
                ratio: ratio_value(&self.comp_ratio),
                knee_db: self.comp_knee_db.value(),
                attack_ms: self.comp_attack_ms.value(),
                release_ms: self.comp_release_ms.value(),
                auto_release: self.comp_auto_release.value(),
                detection: match self.comp_detection.value() {
                    Detection::Peak => DspDetection::Peak,
                    Detection::Rms => DspDetection::Rms,
                },
                // The Bus Glue's detector blend and range, unused here.
                rms_blend: 0.0,
                max_reduction_db: f32::INFINITY,
                sidechain_hpf_enabled: self.comp_sc_hpf_enabled.value(),
                sidechain_hpf_hz: self.comp_sc_hpf_hz.value(),
                stereo_link: self.comp_link.value(),
                makeup_db: self.comp_makeup_db.value(),
                auto_makeup: self.comp_auto_makeup.value(),
                mix: self.comp_mix.value(),
            },
            order: match self.order.value() {
                Order::EqThenDynamics => SectionOrder::EqThenDynamics,
                Order::DynamicsThenEq => SectionOrder::DynamicsThenEq,
            },
            saturation: SaturationSettings {
                enabled: self.sat_enabled.value(),
                character: match self.sat_character.value() {
                    Character::Tube => SaturationCharacter::Tube,
                    Character::Tape => SaturationCharacter::Tape,
                    Character::HardClip => SaturationCharacter::HardClip,
                },
                drive_db: self.sat_drive_db.value(),
                compensate: self.sat_compensate.value(),
                output_db: self.sat_output_db.value(),
                mix: self.sat_mix.value(),
            },
            stereo: StereoSettings {
                pan: self.pan.value(),
                balance: self.balance.value(),
                width: self.width.value(),
            },
            output_gain_db: self.output_gain_db.value(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameters_match_the_table_lathe_process_uses() {
        plugin_kit::param_parity::assert_params_match_table(
            ChannelStripParams::default,
            &shared_dsp::processors::param_table::channel_strip::TABLE,
            ChannelStripParams::settings,
        );
    }

    #[test]
    fn defaults_are_the_neutral_processor_settings_apart_from_band_layout() {
        let p = ChannelStripParams::default();
        let s = p.settings();
        let d = ChannelStripSettings::default();
        assert_eq!(s.input_trim_db, d.input_trim_db);
        assert_eq!(s.high_pass, d.high_pass);
        assert_eq!(s.low_pass, d.low_pass);
        assert_eq!(s.stereo, d.stereo);
        assert!(s.eq.bands.iter().all(|b| !b.enabled));
        assert!(!s.gate.enabled && !s.compressor.enabled && !s.saturation.enabled);
        assert_eq!(s.output_gain_db, 0.0);
    }

    #[test]
    fn ratio_at_the_top_of_its_range_is_infinite() {
        let p = ChannelStripParams::default();
        let text = p.comp_ratio.normalized_value_to_string(1.0, false);
        assert_eq!(text, "∞:1");
        assert_eq!(p.comp_ratio.string_to_normalized_value("∞:1"), Some(1.0));
        assert_eq!(p.comp_ratio.string_to_normalized_value("NaN"), None);
    }
}
