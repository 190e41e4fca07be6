//! Parameters of the Maximizer. IDs are stable forever once released: never
//! rename an `#[id]` (or an enum variant's `#[id]`), only add new ones.

use nice_plug::prelude::*;
use plugin_kit::params::{db_param, ms_param, percent_param};
/// Streaming service the output is previewed through (variant ids persist).
pub use plugin_kit::targets::Preview;
use shared_dsp::processors::maximizer::{
    Character as DspCharacter, DitherMode, Listen as DspListen, MaximizerSettings,
    Oversampling as DspOversampling,
};
use shared_dsp::processors::param_table::maximizer::DEFAULT_LEARN_TARGET_LUFS;

#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Character {
    #[id = "transparent"]
    Transparent,
    #[id = "punchy"]
    Punchy,
}

#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Oversampling {
    #[id = "4x"]
    #[name = "4×"]
    X4,
    #[id = "8x"]
    #[name = "8×"]
    X8,
}

#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dither {
    #[id = "off"]
    Off,
    #[id = "tpdf"]
    #[name = "TPDF"]
    Tpdf,
    #[id = "shaped"]
    #[name = "Noise shaped"]
    NoiseShaped,
}

#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum DitherBits {
    #[id = "16"]
    #[name = "16 bit"]
    B16,
    #[id = "20"]
    #[name = "20 bit"]
    B20,
    #[id = "24"]
    #[name = "24 bit"]
    B24,
}

#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Listen {
    #[id = "output"]
    Output,
    #[id = "matched-bypass"]
    #[name = "Level-matched bypass"]
    LevelMatchedBypass,
    #[id = "delta"]
    Delta,
}

/// Ranges (plain units) shared by the parameters and their docs.
pub use shared_dsp::processors::maximizer::learn::LEARN_TARGET_RANGE_LUFS as LEARN_TARGET_LUFS;
pub use shared_dsp::processors::maximizer::{
    CEILING_RANGE_DBTP as CEILING_DBTP, INPUT_GAIN_RANGE_DB as INPUT_GAIN_DB,
    LOOKAHEAD_RANGE_MS as LOOKAHEAD_MS, RELEASE_RANGE_MS as RELEASE_MS,
};

#[derive(Params)]
pub struct MaximizerParams {
    #[id = "input_gain"]
    pub input_gain_db: FloatParam,
    #[id = "ceiling"]
    pub ceiling_dbtp: FloatParam,
    #[id = "release"]
    pub release_ms: FloatParam,
    #[id = "auto_release"]
    pub auto_release: BoolParam,
    #[id = "lookahead"]
    pub lookahead_ms: FloatParam,
    /// Stereo link, 0..=1 (shown in %).
    #[id = "link"]
    pub stereo_link: FloatParam,
    #[id = "character"]
    pub character: EnumParam<Character>,
    #[id = "oversampling"]
    pub oversampling: EnumParam<Oversampling>,
    #[id = "dither"]
    pub dither: EnumParam<Dither>,
    #[id = "dither_bits"]
    pub dither_bits: EnumParam<DitherBits>,
    #[id = "listen"]
    pub listen: EnumParam<Listen>,
    #[id = "preview"]
    pub preview: EnumParam<Preview>,
    /// Integrated loudness the Learn button aims the input gain at.
    #[id = "learn_target"]
    pub learn_target_lufs: FloatParam,
    #[id = "bypass"]
    pub bypass: BoolParam,

    /// Editor size (100/150/200 % of the base size), chosen in the editor's
    /// title bar and saved with the plugin's state; not a host parameter.
    #[persist = "editor-scale"]
    pub editor_scale: shared_ui::editor::EditorScale,
}

impl Default for MaximizerParams {
    fn default() -> Self {
        let d = MaximizerSettings::default();
        Self {
            input_gain_db: db_param("Input Gain", d.input_gain_db, INPUT_GAIN_DB, " dB"),
            ceiling_dbtp: db_param("Ceiling", d.ceiling_dbtp, CEILING_DBTP, " dBTP"),
            release_ms: ms_param("Release", d.release_ms, RELEASE_MS),
            auto_release: BoolParam::new("Auto Release", d.auto_release),
            lookahead_ms: ms_param("Lookahead", d.lookahead_ms, LOOKAHEAD_MS),
            stereo_link: percent_param("Stereo Link", d.stereo_link),
            character: EnumParam::new("Character", Character::Transparent),
            oversampling: EnumParam::new("Oversampling", Oversampling::X4),
            dither: EnumParam::new("Dither", Dither::Off),
            dither_bits: EnumParam::new("Dither Bits", DitherBits::B24),
            listen: EnumParam::new("Listen", Listen::Output),
            preview: EnumParam::new("Platform Preview", Preview::Off),
            learn_target_lufs: db_param(
                "Learn Target",
                DEFAULT_LEARN_TARGET_LUFS as f32,
                LEARN_TARGET_LUFS,
                " LUFS",
            ),
            bypass: BoolParam::new("Bypass", false).make_bypass(),
            editor_scale: Default::default(),
        }
    }
}

impl MaximizerParams {
    /// The processor settings the current parameter values stand for.
    /// `level_match_gain_db` and `monitor_gain_db` come from the meters, not parameters.
    pub fn settings(&self, level_match_gain_db: f32, monitor_gain_db: f32) -> MaximizerSettings {
        MaximizerSettings {
            input_gain_db: self.input_gain_db.value(),
            ceiling_dbtp: self.ceiling_dbtp.value(),
            release_ms: self.release_ms.value(),
            auto_release: self.auto_release.value(),
            lookahead_ms: self.lookahead_ms.value(),
            stereo_link: self.stereo_link.value(),
            character: match self.character.value() {
                Character::Transparent => DspCharacter::Transparent,
                Character::Punchy => DspCharacter::Punchy,
            },
            oversampling: match self.oversampling.value() {
                Oversampling::X4 => DspOversampling::X4,
                Oversampling::X8 => DspOversampling::X8,
            },
            dither: match self.dither.value() {
                Dither::Off => DitherMode::Off,
                Dither::Tpdf => DitherMode::Tpdf,
                Dither::NoiseShaped => DitherMode::NoiseShaped,
            },
            dither_bits: match self.dither_bits.value() {
                DitherBits::B16 => 16,
                DitherBits::B20 => 20,
                DitherBits::B24 => 24,
            },
            listen: match self.listen.value() {
                Listen::Output => DspListen::Output,
                Listen::LevelMatchedBypass => DspListen::LevelMatchedBypass,
                Listen::Delta => DspListen::Delta,
            },
            level_match_gain_db,
            monitor_gain_db,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use shared_dsp::processors::param_table::maximizer::{MaximizerControls, TABLE};

    #[test]
    fn parameters_match_the_table_lathe_process_uses() {
        plugin_kit::param_parity::assert_params_match_table(
            MaximizerParams::default,
            &TABLE,
            |p: &MaximizerParams| MaximizerControls {
                settings: p.settings(0.0, 0.0),
                preview: p.preview.value() as usize,
            },
        );
    }

    #[test]
    fn defaults_are_the_processor_defaults() {
        let p = MaximizerParams::default();
        assert_eq!(p.settings(0.0, 0.0), MaximizerSettings::default());
    }
}
