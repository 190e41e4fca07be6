//! Parameter builders and text ↔ value conversions shared by every plugin,
//! so every Lathe control formats, parses and skews the same way.

use nice_plug::prelude::{formatters, FloatParam, FloatRange};
use std::sync::Arc;

#[cfg(test)]
use nice_plug::prelude::Param;

/// A text → plain value parser, as nice-plug's `with_string_to_value` takes it.
pub type StringToValue = Arc<dyn Fn(&str) -> Option<f32> + Send + Sync>;

/// A gain/level parameter in dB (or dBTP, LUFS): linear range, 0.01 steps,
/// two decimals, typed text must be a finite number.
pub fn db_param(name: &str, default: f32, range: (f32, f32), unit: &'static str) -> FloatParam {
    FloatParam::new(
        name,
        default,
        FloatRange::Linear {
            min: range.0,
            max: range.1,
        },
    )
    .with_step_size(0.01)
    .with_unit(unit)
    .with_value_to_string(formatters::v2s_f32_rounded(2))
    .with_string_to_value(s2v_finite(unit))
}

/// Skew of time parameters: more travel for short times.
const TIME_SKEW: f32 = -1.5;

/// A time parameter in ms: skewed towards short times, one decimal.
pub fn ms_param(name: &str, default: f32, range: (f32, f32)) -> FloatParam {
    FloatParam::new(
        name,
        default,
        FloatRange::Skewed {
            min: range.0,
            max: range.1,
            factor: FloatRange::skew_factor(TIME_SKEW),
        },
    )
    .with_unit(" ms")
    .with_value_to_string(formatters::v2s_f32_rounded(2))
    .with_string_to_value(s2v_finite(" ms"))
}

/// A frequency parameter in Hz: logarithmic travel, shown as Hz then kHz
/// (the text carries its unit, so the parameter has none of its own).
pub fn hz_param(name: &str, default: f32, range: (f32, f32)) -> FloatParam {
    FloatParam::new(
        name,
        default,
        FloatRange::Skewed {
            min: range.0,
            max: range.1,
            factor: FloatRange::skew_factor(-2.0),
        },
    )
    .with_value_to_string(v2s_hz_then_khz(HZ_DECIMALS))
    .with_string_to_value(finite(ascii_only(formatters::s2v_f32_hz_then_khz())))
}

/// Decimals a frequency is shown with, in Hz below 1 kHz and in kHz above.
const HZ_DECIMALS: usize = 1;

/// Hz below 1 kHz, kHz from there, choosing the unit by the value *as shown*, so the text
/// parses back to a value that shows the same text.
///
/// nice-plug's `v2s_f32_hz_then_khz` switches at `value.round() < 1000`: 999.46 Hz shows
/// "999.5 Hz", which parses to 999.5 Hz, which rounds to 1000 and shows "1.0 kHz".
/// clap-validator's fuzzer reported exactly that on the Bus Glue's first crossover
/// (40–1000 Hz): "Text conversion error … -> "999.5 Hz" -> … -> "1.0 kHz"".
pub fn v2s_hz_then_khz(decimals: usize) -> Arc<dyn Fn(f32) -> String + Send + Sync> {
    let scale = 10f32.powi(decimals as i32);
    Arc::new(move |hz: f32| {
        if (hz * scale).round() / scale < 1000.0 {
            format!("{hz:.decimals$} Hz")
        } else {
            format!("{:.decimals$} kHz", hz / 1000.0)
        }
    })
}

/// Wraps a parser so it refuses text that is not ASCII before the parser sees it.
///
/// nice-plug's Hz parser falls back to its note-name parser, which slices the text by bytes
/// (`&text[..1]`, `&text[1..2]`) and panics when a multi-byte character sits there ("∞",
/// "５ kHz", "C∞"). A panic in `text_to_value` cannot unwind out of the C ABI: it aborts the
/// host. Frequencies, units and note names are ASCII, so nothing parseable is lost.
fn ascii_only(parse: StringToValue) -> StringToValue {
    Arc::new(move |text: &str| if text.is_ascii() { parse(text) } else { None })
}

/// Wraps a parser so it refuses non-finite results (nice-plug's own parsers accept "NaN").
fn finite(parse: StringToValue) -> StringToValue {
    Arc::new(move |text: &str| parse(text).filter(|v| v.is_finite()))
}

/// A 0..=1 amount shown in percent.
pub fn percent_param(name: &str, default: f32) -> FloatParam {
    percent_range_param(name, default, (0.0, 1.0))
}

/// A proportion over `range` (plain values, 1.0 = 100 %) shown in percent,
/// e.g. a width of 0 ..= 2 as 0–200 %; typed text must be a finite number.
pub fn percent_range_param(name: &str, default: f32, range: (f32, f32)) -> FloatParam {
    FloatParam::new(
        name,
        default,
        FloatRange::Linear {
            min: range.0,
            max: range.1,
        },
    )
    .with_unit("%")
    .with_value_to_string(formatters::v2s_f32_percentage(0))
    .with_string_to_value(s2v_finite_percentage())
}

/// Ratios at or above this are ∞:1 (limiting, hard gating).
pub use shared_dsp::processors::param_table::RATIO_INFINITE_AT;

/// The largest text a finite ratio shows: one decimal below
/// [`RATIO_INFINITE_AT`]. Without it 99.97:1 would round to "100.0:1", which
/// parses to the top of the range and so shows back as "∞:1" (clap-validator's
/// fuzzer reports that as a text conversion error).
const RATIO_LARGEST_FINITE_SHOWN: f32 = RATIO_INFINITE_AT - 0.1;

/// A dynamics ratio, 1:1 ..= ∞:1: more travel for low ratios, shown as "4.0:1";
/// the top of the range shows and parses as "∞:1" (read it with [`ratio_value`]).
pub fn ratio_param(name: &str, default: f32) -> FloatParam {
    FloatParam::new(
        name,
        default,
        FloatRange::Skewed {
            min: 1.0,
            max: RATIO_INFINITE_AT,
            factor: FloatRange::skew_factor(-2.0),
        },
    )
    .with_value_to_string(Arc::new(|ratio| {
        if ratio >= RATIO_INFINITE_AT {
            "∞:1".to_owned()
        } else {
            format!("{:.1}:1", ratio.min(RATIO_LARGEST_FINITE_SHOWN))
        }
    }))
    .with_string_to_value(Arc::new(|text| {
        let text = text.trim().trim_end_matches(":1").trim();
        if text == "∞" || text.eq_ignore_ascii_case("inf") {
            return Some(RATIO_INFINITE_AT);
        }
        text.parse::<f32>().ok().filter(|r| r.is_finite())
    }))
}

/// The ratio a [`ratio_param`] stands for: `f32::INFINITY` at the top of its range.
pub fn ratio_value(param: &FloatParam) -> f32 {
    shared_dsp::processors::param_table::ratio_from_plain(param.value())
}

/// A pan or balance position, −1 (left) ..= +1 (right), centred by default,
/// shown as "50L" / "C" / "50R" (see [`pan_text`]).
pub fn pan_param(name: &str) -> FloatParam {
    FloatParam::new(
        name,
        0.0,
        FloatRange::Linear {
            min: -1.0,
            max: 1.0,
        },
    )
    .with_value_to_string(Arc::new(pan_text))
    .with_string_to_value(finite(formatters::s2v_f32_panning()))
}

/// Steps of a pan position's text: whole percent of a side.
const PAN_TEXT_STEPS: f32 = 100.0;

/// A pan position, −1 ..= +1, as text: rounded to whole percent first, then
/// "C" at 0 and "12L" / "30R" otherwise, so a position that rounds to 0
/// (±0.004, −0.0) reads "C", never "0L" or "0R" (nice-plug's formatter
/// compares before rounding). Non-finite positions read "C" (the stage
/// treats them as centre).
pub fn pan_text(position: f32) -> String {
    let steps = (position * PAN_TEXT_STEPS).round();
    if !steps.is_finite() || steps == 0.0 {
        "C".to_owned()
    } else if steps < 0.0 {
        format!("{:.0}L", -steps)
    } else {
        format!("{steps:.0}R")
    }
}

/// A plain number (ratio, Q, width) with `decimals` shown.
pub fn number_param(
    name: &str,
    default: f32,
    range: FloatRange,
    decimals: usize,
    unit: &'static str,
) -> FloatParam {
    FloatParam::new(name, default, range)
        .with_unit(unit)
        .with_value_to_string(formatters::v2s_f32_rounded(decimals))
        .with_string_to_value(s2v_finite(unit))
}

/// Parses a number typed by the user, with or without `unit` after it, and
/// refuses anything that is not a finite number ("NaN", "inf", "", "abc").
/// Hosts and validators send such strings; the range clamp happens in nice-plug.
pub fn s2v_finite(unit: &'static str) -> StringToValue {
    let unit = unit.trim();
    Arc::new(move |text: &str| {
        let text = text.trim();
        let number = if unit.is_empty() {
            text
        } else {
            text.strip_suffix(unit).unwrap_or(text).trim_end()
        };
        number.parse::<f32>().ok().filter(|v| v.is_finite())
    })
}

/// Like [`s2v_finite`] for a 0..=1 value shown as a percentage: "50", "50 %" → 0.5.
pub fn s2v_finite_percentage() -> StringToValue {
    let parse = s2v_finite("%");
    Arc::new(move |text: &str| parse(text).map(|percent| percent / 100.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_numbers_with_or_without_the_unit_and_refuses_non_finite() {
        let parse = s2v_finite(" dB");
        assert_eq!(parse("-3.5"), Some(-3.5));
        assert_eq!(parse(" -3.5 dB "), Some(-3.5));
        assert_eq!(parse("+12dB"), Some(12.0));
        for bad in ["NaN", "nan dB", "inf", "-inf", "", "dB", "loud"] {
            assert_eq!(parse(bad), None, "{bad:?}");
        }
        let percent = s2v_finite_percentage();
        let hz = hz_param("f", 1000.0, (20.0, 20_000.0));
        assert_eq!(hz.string_to_normalized_value("NaN"), None);
        assert!(hz.string_to_normalized_value("1 kHz").is_some());
        assert!(hz.string_to_normalized_value("A4").is_some());
        // Multi-byte characters where nice-plug's note-name parser slices by bytes: refused,
        // not a panic (which would abort the host).
        for text in ["∞", "C∞", "５ kHz", "é1", "1∞"] {
            assert_eq!(hz.string_to_normalized_value(text), None, "{text}");
        }
        assert_eq!(percent("50 %"), Some(0.5));
        assert_eq!(percent("NaN%"), None);
    }

    #[test]
    fn hz_text_round_trips_to_the_same_text_around_the_khz_switch() {
        let hz = hz_param("Crossover", 200.0, (40.0, 1000.0));
        let mut checked = 0;
        // Every 0.01 Hz from 998 Hz to the top of the range, and the values
        // clap-validator's fuzzer reported.
        let values = (0..=200)
            .map(|i| 998.0 + i as f32 * 0.01)
            .chain([999.46, 999.5, 999.9499, 999.95, 1000.0]);
        for value in values {
            let normalized = hz.preview_normalized(value);
            let text = hz.normalized_value_to_string(normalized, true);
            let parsed = hz
                .string_to_normalized_value(&text)
                .unwrap_or_else(|| panic!("{text:?} does not parse"));
            let again = hz.normalized_value_to_string(parsed, true);
            assert_eq!(
                again, text,
                "{value} Hz shows {text:?}, which parses to {again:?}"
            );
            checked += 1;
        }
        assert_eq!(checked, 206);
        // And the switch itself: the largest value shown in Hz is 999.9 Hz.
        let text = v2s_hz_then_khz(HZ_DECIMALS);
        assert_eq!(text(999.46), "999.5 Hz");
        assert_eq!(text(999.5), "999.5 Hz");
        assert_eq!(text(999.94), "999.9 Hz");
        assert_eq!(text(999.96), "1.0 kHz");
        assert_eq!(text(12_345.0), "12.3 kHz");
    }

    #[test]
    fn ratio_at_the_top_of_its_range_is_infinite() {
        let ratio = ratio_param("Ratio", 4.0);
        assert_eq!(ratio.normalized_value_to_string(1.0, false), "∞:1");
        assert_eq!(ratio.string_to_normalized_value("∞:1"), Some(1.0));
        assert_eq!(ratio.string_to_normalized_value("inf"), Some(1.0));
        assert_eq!(ratio.string_to_normalized_value("NaN"), None);
        assert_eq!(ratio_value(&ratio), 4.0);
        assert_eq!(
            ratio_value(&ratio_param("Ratio", RATIO_INFINITE_AT)),
            f32::INFINITY
        );
    }

    #[test]
    fn ratio_text_round_trips_to_the_same_text_below_the_top() {
        let ratio = ratio_param("Ratio", 4.0);
        // Normalised values from 0.999 to the top in steps of 1e-6, and the
        // values clap-validator's fuzzer reported.
        let values = (0..=1000)
            .map(|i| 0.999 + f64::from(i) * 1e-6)
            .chain([0.999_959_354_563_730_4, 0.999_915_414_537_814_4]);
        for normalized in values {
            let normalized = normalized.min(1.0) as f32;
            let text = ratio.normalized_value_to_string(normalized, true);
            let parsed = ratio
                .string_to_normalized_value(&text)
                .unwrap_or_else(|| panic!("{text:?} does not parse"));
            let again = ratio.normalized_value_to_string(parsed, true);
            assert_eq!(
                again, text,
                "{normalized} shows {text:?}, which parses to {again:?}"
            );
            let finite = ratio.preview_plain(normalized) < RATIO_INFINITE_AT;
            assert_eq!(text != "∞:1", finite, "{normalized} shows {text:?}");
        }
    }

    #[test]
    fn pan_is_centred_by_default_and_parses_sides() {
        let pan = pan_param("Pan");
        assert_eq!(pan.value(), 0.0);
        assert_eq!(pan.string_to_normalized_value("C"), Some(0.5));
        assert!(pan.string_to_normalized_value("50L").unwrap() < 0.5);
    }

    #[test]
    fn pan_text_never_shows_a_zero_side_and_round_trips() {
        for centre in [0.0, -0.0, 0.004, -0.004, 0.0049, -0.0049] {
            assert_eq!(pan_text(centre), "C", "{centre}");
        }
        assert_eq!(pan_text(0.006), "1R");
        assert_eq!(pan_text(-0.12), "12L");
        assert_eq!(pan_text(0.3), "30R");
        assert_eq!(pan_text(-1.0), "100L");
        assert_eq!(pan_text(f32::NAN), "C");
        // Every text the host shows parses back to the position it rounds to.
        let pan = pan_param("Pan");
        for step in -100..=100 {
            let position = step as f32 / 100.0;
            for nudge in [-0.004, 0.0, 0.004] {
                let text =
                    pan.normalized_value_to_string(pan.preview_normalized(position + nudge), false);
                assert!(!text.starts_with('0'), "{text} for {}", position + nudge);
                let back = pan.preview_plain(pan.string_to_normalized_value(&text).unwrap());
                assert!(
                    (back - position).abs() < 1e-6,
                    "{text}: {back} vs {position}"
                );
            }
        }
    }
}
