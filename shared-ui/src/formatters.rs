//! Text ↔ value conversions for plugin parameters, shared by every plugin.
//! (The closures match nice-plug's `with_string_to_value` signature.)

use std::sync::Arc;

/// Parses a number typed by the user, with or without `unit` after it, and
/// refuses anything that is not a finite number ("NaN", "inf", "", "abc").
/// Hosts and validators send such strings; the range clamp happens in nice-plug.
pub fn s2v_finite(unit: &'static str) -> Arc<dyn Fn(&str) -> Option<f32> + Send + Sync> {
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
pub fn s2v_finite_percentage() -> Arc<dyn Fn(&str) -> Option<f32> + Send + Sync> {
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
        assert_eq!(percent("50 %"), Some(0.5));
        assert_eq!(percent("NaN%"), None);
    }
}
