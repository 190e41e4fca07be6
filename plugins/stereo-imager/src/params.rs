//! Parameters of the Stereo Imager. IDs are stable forever once released:
//! never rename an `#[id]`, only add new ones. Per-band parameters carry the
//! band (or split) number as a suffix (`band_width_1` …, `crossover_1` …).
//! Ranges are the processor's own constants.

use nice_plug::prelude::*;
use plugin_kit::params::{db_param, hz_param, number_param, pan_param, percent_range_param};
use shared_dsp::processors::stereo_imager::{
    ImagerSettings, CROSSOVER_RANGE_HZ, DEFAULT_MONO_WARNING_LU, MONO_MAKER_RANGE_HZ,
    MS_GAIN_RANGE_DB, ROTATION_RANGE_DEG, SIDE_HIGH_SHELF_RANGE_HZ, SIDE_LOW_SHELF_RANGE_HZ,
    SIDE_SHELF_GAIN_RANGE_DB, STEREOIZE_RANGE, WIDTH_RANGE,
};
use shared_dsp::units::crossover::{MAX_BANDS, MAX_SPLITS};

/// Range of the mono-compatibility warning threshold, LU.
pub use shared_dsp::processors::param_table::stereo_imager::MONO_WARNING_RANGE_LU;

/// A width (0 ..= 2 as plain value) shown in percent, 0–200 %.
fn width_param(name: &str, default: f32) -> FloatParam {
    percent_range_param(name, default, WIDTH_RANGE)
}

#[derive(Params)]
pub struct ImagerParams {
    /// Overall width, 0 ..= 2 (shown 0–200 %).
    #[id = "width"]
    pub width: FloatParam,
    #[id = "mid_gain"]
    pub mid_gain_db: FloatParam,
    #[id = "side_gain"]
    pub side_gain_db: FloatParam,
    #[id = "balance"]
    pub balance: FloatParam,
    /// Rotation, degrees.
    #[id = "rotation"]
    pub rotation_deg: FloatParam,
    #[id = "swap"]
    pub swap: BoolParam,
    #[id = "invert_left"]
    pub invert_left: BoolParam,
    #[id = "invert_right"]
    pub invert_right: BoolParam,

    /// Bands of the width control, 1 ..= 4.
    #[id = "bands"]
    pub bands: IntParam,
    #[id = "crossover_1"]
    pub crossover_1: FloatParam,
    #[id = "crossover_2"]
    pub crossover_2: FloatParam,
    #[id = "crossover_3"]
    pub crossover_3: FloatParam,
    #[id = "band_width_1"]
    pub band_width_1: FloatParam,
    #[id = "band_width_2"]
    pub band_width_2: FloatParam,
    #[id = "band_width_3"]
    pub band_width_3: FloatParam,
    #[id = "band_width_4"]
    pub band_width_4: FloatParam,
    #[id = "band_solo_1"]
    pub band_solo_1: BoolParam,
    #[id = "band_solo_2"]
    pub band_solo_2: BoolParam,
    #[id = "band_solo_3"]
    pub band_solo_3: BoolParam,
    #[id = "band_solo_4"]
    pub band_solo_4: BoolParam,

    #[id = "mono_maker"]
    pub mono_maker: BoolParam,
    #[id = "mono_maker_freq"]
    pub mono_maker_hz: FloatParam,
    /// Stereoize amount, 0 ..= 1 (shown in %).
    #[id = "stereoize"]
    pub stereoize: FloatParam,
    #[id = "side_low_freq"]
    pub side_low_hz: FloatParam,
    #[id = "side_low_gain"]
    pub side_low_gain_db: FloatParam,
    #[id = "side_high_freq"]
    pub side_high_hz: FloatParam,
    #[id = "side_high_gain"]
    pub side_high_gain_db: FloatParam,

    /// Listen to the mono fold-down `(L + R)/2` on both channels.
    #[id = "mono_listen"]
    pub mono_listen: BoolParam,
    /// Mono fold-down loss above which the editor warns, LU.
    #[id = "mono_warning_lu"]
    pub mono_warning_lu: FloatParam,
    #[id = "bypass"]
    pub bypass: BoolParam,

    /// Editor size (100/150/200 % of the base size), chosen in the editor's
    /// title bar and saved with the plugin's state; not a host parameter.
    #[persist = "editor-scale"]
    pub editor_scale: shared_ui::editor::EditorScale,
}

impl Default for ImagerParams {
    fn default() -> Self {
        let d = ImagerSettings::default();
        let crossover = |n: usize| {
            hz_param(
                &format!("Crossover {n}"),
                d.crossover_hz[n - 1],
                CROSSOVER_RANGE_HZ,
            )
        };
        let band_width = |n: usize| width_param(&format!("Band {n} Width"), d.band_width[n - 1]);
        let band_solo = |n: usize| BoolParam::new(format!("Band {n} Solo"), d.band_solo[n - 1]);
        Self {
            width: width_param("Width", d.width),
            mid_gain_db: db_param("Mid Gain", d.mid_gain_db, MS_GAIN_RANGE_DB, " dB"),
            side_gain_db: db_param("Side Gain", d.side_gain_db, MS_GAIN_RANGE_DB, " dB"),
            balance: pan_param("Balance"),
            rotation_deg: number_param(
                "Rotation",
                d.rotation_deg,
                FloatRange::Linear {
                    min: ROTATION_RANGE_DEG.0,
                    max: ROTATION_RANGE_DEG.1,
                },
                1,
                "°",
            ),
            swap: BoolParam::new("Swap L/R", d.swap),
            invert_left: BoolParam::new("Invert Left", d.invert[0]),
            invert_right: BoolParam::new("Invert Right", d.invert[1]),
            bands: IntParam::new(
                "Bands",
                d.num_bands as i32,
                IntRange::Linear {
                    min: 1,
                    max: MAX_BANDS as i32,
                },
            ),
            crossover_1: crossover(1),
            crossover_2: crossover(2),
            crossover_3: crossover(3),
            band_width_1: band_width(1),
            band_width_2: band_width(2),
            band_width_3: band_width(3),
            band_width_4: band_width(4),
            band_solo_1: band_solo(1),
            band_solo_2: band_solo(2),
            band_solo_3: band_solo(3),
            band_solo_4: band_solo(4),
            mono_maker: BoolParam::new("Mono Maker", d.mono_maker),
            mono_maker_hz: hz_param("Mono Maker Frequency", d.mono_maker_hz, MONO_MAKER_RANGE_HZ),
            stereoize: percent_range_param("Stereoize", d.stereoize, STEREOIZE_RANGE),
            side_low_hz: hz_param("Side Low Frequency", d.side_low_hz, SIDE_LOW_SHELF_RANGE_HZ),
            side_low_gain_db: db_param(
                "Side Low Gain",
                d.side_low_gain_db,
                SIDE_SHELF_GAIN_RANGE_DB,
                " dB",
            ),
            side_high_hz: hz_param(
                "Side High Frequency",
                d.side_high_hz,
                SIDE_HIGH_SHELF_RANGE_HZ,
            ),
            side_high_gain_db: db_param(
                "Side High Gain",
                d.side_high_gain_db,
                SIDE_SHELF_GAIN_RANGE_DB,
                " dB",
            ),
            mono_listen: BoolParam::new("Mono Listen", d.mono_listen),
            mono_warning_lu: db_param(
                "Mono Warning",
                DEFAULT_MONO_WARNING_LU as f32,
                MONO_WARNING_RANGE_LU,
                " LU",
            ),
            bypass: BoolParam::new("Bypass", false).make_bypass(),
            editor_scale: Default::default(),
        }
    }
}

impl ImagerParams {
    /// Width of each band, in band order.
    pub fn band_widths(&self) -> [&FloatParam; MAX_BANDS] {
        [
            &self.band_width_1,
            &self.band_width_2,
            &self.band_width_3,
            &self.band_width_4,
        ]
    }

    /// Solo switch of each band, in band order.
    pub fn band_solos(&self) -> [&BoolParam; MAX_BANDS] {
        [
            &self.band_solo_1,
            &self.band_solo_2,
            &self.band_solo_3,
            &self.band_solo_4,
        ]
    }

    /// Crossover frequencies, in split order.
    pub fn crossovers(&self) -> [&FloatParam; MAX_SPLITS] {
        [&self.crossover_1, &self.crossover_2, &self.crossover_3]
    }

    /// The processor settings the current parameter values stand for (the
    /// processor smooths them).
    pub fn settings(&self) -> ImagerSettings {
        ImagerSettings {
            width: self.width.value(),
            mid_gain_db: self.mid_gain_db.value(),
            side_gain_db: self.side_gain_db.value(),
            balance: self.balance.value(),
            rotation_deg: self.rotation_deg.value(),
            swap: self.swap.value(),
            invert: [self.invert_left.value(), self.invert_right.value()],
            num_bands: self.bands.value().clamp(1, MAX_BANDS as i32) as usize,
            crossover_hz: self.crossovers().map(|p| p.value()),
            band_width: self.band_widths().map(|p| p.value()),
            band_solo: self.band_solos().map(|p| p.value()),
            mono_maker: self.mono_maker.value(),
            mono_maker_hz: self.mono_maker_hz.value(),
            stereoize: self.stereoize.value(),
            side_low_hz: self.side_low_hz.value(),
            side_low_gain_db: self.side_low_gain_db.value(),
            side_high_hz: self.side_high_hz.value(),
            side_high_gain_db: self.side_high_gain_db.value(),
            mono_listen: self.mono_listen.value(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameters_match_the_table_lathe_process_uses() {
        plugin_kit::param_parity::assert_params_match_table(
            ImagerParams::default,
            &shared_dsp::processors::param_table::stereo_imager::TABLE,
            ImagerParams::settings,
        );
    }

    #[test]
    fn defaults_are_the_processor_defaults() {
        let p = ImagerParams::default();
        assert_eq!(p.settings(), ImagerSettings::default());
        assert_eq!(p.mono_warning_lu.value(), DEFAULT_MONO_WARNING_LU as f32);
    }

    #[test]
    fn width_shows_in_percent_up_to_200() {
        let p = ImagerParams::default();
        assert_eq!(p.width.normalized_value_to_string(1.0, true), "200%");
        assert_eq!(p.width.string_to_normalized_value("100%"), Some(0.5));
        assert_eq!(p.width.string_to_normalized_value("NaN"), None);
    }
}
