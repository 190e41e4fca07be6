//! Parameters of the Bus Glue. IDs are stable forever once released: never
//! rename an `#[id]` (or an enum variant's `#[id]`), only add new ones.

use nice_plug::prelude::*;
use plugin_kit::params::{db_param, hz_param, ms_param, number_param, percent_param};
use shared_dsp::processors::bus_glue::{BusGlueSettings, DetectMode as DspDetectMode};

use shared_dsp::processors::bus_glue::BandSettings;
/// Ranges (plain units), from the processor.
pub use shared_dsp::processors::bus_glue::{
    ATTACK_RANGE_MS as ATTACK_MS, CROSSOVER_1_RANGE_HZ as CROSSOVER_1_HZ,
    CROSSOVER_2_RANGE_HZ as CROSSOVER_2_HZ, KNEE_RANGE as KNEE_DB, MAKEUP_RANGE as MAKEUP_DB,
    NUM_BANDS, OUTPUT_RANGE_DB as OUTPUT_DB, RANGE_RANGE_DB as RANGE_DB, RATIO_MARKS,
    RATIO_RANGE as RATIO, RELEASE_RANGE_MS as RELEASE_MS, SC_HPF_RANGE_HZ as SC_HPF_HZ,
    SOFT_CLIP_CEILING_RANGE_DBFS as SOFT_CLIP_CEILING_DBFS,
    SOFT_CLIP_DRIVE_RANGE_DB as SOFT_CLIP_DRIVE_DB, THRESHOLD_RANGE_DBFS as THRESHOLD_DBFS,
};

/// Skew of the ratio control: more travel for the low, gluey ratios.
const RATIO_SKEW: f32 = -1.5;

/// What drives the detector (variant ids persist).
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum DetectMode {
    #[id = "lr"]
    #[name = "L/R"]
    LeftRight,
    #[id = "mid"]
    #[name = "Mid"]
    Mid,
    #[id = "side"]
    #[name = "Side"]
    Side,
}

#[derive(Params)]
pub struct BusGlueParams {
    #[id = "threshold"]
    pub threshold_db: FloatParam,
    #[id = "ratio"]
    pub ratio: FloatParam,
    #[id = "attack"]
    pub attack_ms: FloatParam,
    #[id = "release"]
    pub release_ms: FloatParam,
    #[id = "auto_release"]
    pub auto_release: BoolParam,
    #[id = "knee"]
    pub knee_db: FloatParam,
    #[id = "makeup"]
    pub makeup_db: FloatParam,
    #[id = "auto_makeup"]
    pub auto_makeup: BoolParam,
    /// Largest gain reduction allowed.
    #[id = "range"]
    pub range_db: FloatParam,
    #[id = "output"]
    pub output_db: FloatParam,
    /// Peak/RMS blend of the detector, 0..=1 (shown in %).
    #[id = "detector_rms"]
    pub detector_rms: FloatParam,
    /// Stereo link, 0..=1 (shown in %).
    #[id = "link"]
    pub stereo_link: FloatParam,
    #[id = "detect_mode"]
    pub detect_mode: EnumParam<DetectMode>,
    #[id = "sc_hpf"]
    pub sc_hpf: BoolParam,
    #[id = "sc_hpf_freq"]
    pub sc_hpf_hz: FloatParam,
    /// Detect on the side-chain (auxiliary) input.
    #[id = "external_sc"]
    pub external_sc: BoolParam,
    #[id = "listen"]
    pub listen: BoolParam,
    /// Dry/wet, 0..=1 (shown in %).
    #[id = "mix"]
    pub mix: FloatParam,
    #[id = "delta"]
    pub delta: BoolParam,
    #[id = "matched_bypass"]
    pub matched_bypass: BoolParam,
    #[id = "bypass"]
    pub bypass: BoolParam,
    /// Three-band mode.
    #[id = "multiband"]
    pub multiband: BoolParam,
    #[id = "crossover_1"]
    pub crossover_1_hz: FloatParam,
    #[id = "crossover_2"]
    pub crossover_2_hz: FloatParam,
    /// The bands, lowest first: IDs `band_threshold_1` … `band_solo_3`
    /// (nice-plug appends `_{index + 1}` to a nested array's IDs).
    #[nested(array)]
    pub bands: [BandParams; NUM_BANDS],
    #[id = "soft_clip"]
    pub soft_clip: BoolParam,
    #[id = "soft_clip_drive"]
    pub soft_clip_drive_db: FloatParam,
    #[id = "soft_clip_ceiling"]
    pub soft_clip_ceiling_db: FloatParam,

    /// Editor size (100/150/200 % of the base size), chosen in the editor's
    /// title bar and saved with the plugin's state; not a host parameter.
    #[persist = "editor-scale"]
    pub editor_scale: shared_ui::editor::EditorScale,
}

/// One band of the three-band mode.
#[derive(Params)]
pub struct BandParams {
    #[id = "band_threshold"]
    pub threshold_db: FloatParam,
    #[id = "band_ratio"]
    pub ratio: FloatParam,
    #[id = "band_attack"]
    pub attack_ms: FloatParam,
    #[id = "band_release"]
    pub release_ms: FloatParam,
    #[id = "band_solo"]
    pub solo: BoolParam,
}

impl BandParams {
    /// Band `number` (1-based, in the names) with defaults `d`.
    fn new(number: usize, d: &BandSettings) -> Self {
        Self {
            threshold_db: db_param(
                &format!("Band {number} Threshold"),
                d.threshold_db,
                THRESHOLD_DBFS,
                " dBFS",
            ),
            ratio: ratio_param(&format!("Band {number} Ratio"), d.ratio),
            attack_ms: ms_param(&format!("Band {number} Attack"), d.attack_ms, ATTACK_MS),
            release_ms: ms_param(&format!("Band {number} Release"), d.release_ms, RELEASE_MS),
            solo: BoolParam::new(format!("Band {number} Solo"), d.solo),
        }
    }

    fn settings(&self) -> BandSettings {
        BandSettings {
            threshold_db: self.threshold_db.value(),
            ratio: self.ratio.value(),
            attack_ms: self.attack_ms.value(),
            release_ms: self.release_ms.value(),
            solo: self.solo.value(),
        }
    }
}

/// The ratio control (global and per band).
fn ratio_param(name: &str, default: f32) -> FloatParam {
    number_param(
        name,
        default,
        FloatRange::Skewed {
            min: RATIO.0,
            max: RATIO.1,
            factor: FloatRange::skew_factor(RATIO_SKEW),
        },
        2,
        ":1",
    )
}

impl Default for BusGlueParams {
    fn default() -> Self {
        let d = BusGlueSettings::default();
        Self {
            threshold_db: db_param("Threshold", d.threshold_db, THRESHOLD_DBFS, " dBFS"),
            ratio: ratio_param("Ratio", d.ratio),
            attack_ms: ms_param("Attack", d.attack_ms, ATTACK_MS),
            release_ms: ms_param("Release", d.release_ms, RELEASE_MS),
            auto_release: BoolParam::new("Auto Release", d.auto_release),
            knee_db: db_param("Knee", d.knee_db, KNEE_DB, " dB"),
            makeup_db: db_param("Make-up", d.makeup_db, MAKEUP_DB, " dB"),
            auto_makeup: BoolParam::new("Auto Make-up", d.auto_makeup),
            range_db: db_param("Range", d.range_db, RANGE_DB, " dB"),
            output_db: db_param("Output", d.output_db, OUTPUT_DB, " dB"),
            detector_rms: percent_param("Detector RMS", d.detector_rms),
            stereo_link: percent_param("Stereo Link", d.stereo_link),
            detect_mode: EnumParam::new("Detect", DetectMode::LeftRight),
            sc_hpf: BoolParam::new("SC High-pass", d.sc_hpf_enabled),
            sc_hpf_hz: hz_param("SC High-pass Freq", d.sc_hpf_hz, SC_HPF_HZ),
            external_sc: BoolParam::new("External Side-chain", d.external_sidechain),
            listen: BoolParam::new("Listen", d.listen),
            mix: percent_param("Mix", d.mix),
            delta: BoolParam::new("Delta", d.delta),
            matched_bypass: BoolParam::new("Level-matched Bypass", d.matched_bypass),
            bypass: BoolParam::new("Bypass", false).make_bypass(),
            multiband: BoolParam::new("Three-band", d.multiband),
            crossover_1_hz: hz_param("Crossover 1", d.crossover_hz[0], CROSSOVER_1_HZ),
            crossover_2_hz: hz_param("Crossover 2", d.crossover_hz[1], CROSSOVER_2_HZ),
            bands: std::array::from_fn(|b| BandParams::new(b + 1, &d.bands[b])),
            soft_clip: BoolParam::new("Soft Clip", d.soft_clip),
            soft_clip_drive_db: db_param(
                "Soft Clip Drive",
                d.soft_clip_drive_db,
                SOFT_CLIP_DRIVE_DB,
                " dB",
            ),
            soft_clip_ceiling_db: db_param(
                "Soft Clip Ceiling",
                d.soft_clip_ceiling_db,
                SOFT_CLIP_CEILING_DBFS,
                " dBFS",
            ),
            editor_scale: Default::default(),
        }
    }
}

impl BusGlueParams {
    /// The processor settings the current parameter values stand for. The
    /// plugin always meters (the editor's readouts and the glue figure).
    pub fn settings(&self) -> BusGlueSettings {
        BusGlueSettings {
            threshold_db: self.threshold_db.value(),
            ratio: self.ratio.value(),
            attack_ms: self.attack_ms.value(),
            release_ms: self.release_ms.value(),
            auto_release: self.auto_release.value(),
            knee_db: self.knee_db.value(),
            makeup_db: self.makeup_db.value(),
            auto_makeup: self.auto_makeup.value(),
            range_db: self.range_db.value(),
            output_db: self.output_db.value(),
            detector_rms: self.detector_rms.value(),
            stereo_link: self.stereo_link.value(),
            detect_mode: match self.detect_mode.value() {
                DetectMode::LeftRight => DspDetectMode::LeftRight,
                DetectMode::Mid => DspDetectMode::Mid,
                DetectMode::Side => DspDetectMode::Side,
            },
            sc_hpf_enabled: self.sc_hpf.value(),
            sc_hpf_hz: self.sc_hpf_hz.value(),
            external_sidechain: self.external_sc.value(),
            listen: self.listen.value(),
            mix: self.mix.value(),
            delta: self.delta.value(),
            matched_bypass: self.matched_bypass.value(),
            // The plugin turns this off while no editor is open (lib.rs).
            metering: true,
            multiband: self.multiband.value(),
            crossover_hz: [self.crossover_1_hz.value(), self.crossover_2_hz.value()],
            bands: std::array::from_fn(|b| self.bands[b].settings()),
            soft_clip: self.soft_clip.value(),
            soft_clip_drive_db: self.soft_clip_drive_db.value(),
            soft_clip_ceiling_db: self.soft_clip_ceiling_db.value(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameters_match_the_table_lathe_process_uses() {
        plugin_kit::param_parity::assert_params_match_table(
            BusGlueParams::default,
            &shared_dsp::processors::param_table::bus_glue::TABLE,
            BusGlueParams::settings,
        );
    }

    #[test]
    fn defaults_are_the_processor_defaults() {
        assert_eq!(
            BusGlueParams::default().settings(),
            BusGlueSettings::default()
        );
    }

    #[test]
    fn ratio_marks_are_in_range_and_parse() {
        let p = BusGlueParams::default();
        for mark in RATIO_MARKS {
            let normalized = p.ratio.preview_normalized(mark);
            assert!((p.ratio.preview_plain(normalized) - mark).abs() < 1e-3);
        }
        assert!(p.ratio.string_to_normalized_value("4:1").is_some());
        assert_eq!(p.ratio.string_to_normalized_value("NaN"), None);
    }
}
