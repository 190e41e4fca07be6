//! Where the labelled ticks of a linear scale go (a meter's dB scale, a
//! history graph's value and time axes). Pure functions; no drawing.

/// Candidate distances between labelled value ticks, in the scale's unit
/// (dB, LU, %): the smallest that leaves room for a label is chosen.
const VALUE_STEPS: [f32; 10] = [1.0, 2.0, 3.0, 6.0, 10.0, 12.0, 20.0, 30.0, 60.0, 120.0];

/// Candidate distances between labelled time ticks, s.
const TIME_STEPS_S: [f32; 11] = [
    1.0, 2.0, 5.0, 10.0, 15.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1800.0,
];

/// Maps `value` in `lo..=hi` linearly to `start_px..=end_px` (either may be
/// the larger, so a vertical scale passes bottom then top), clamped to the ends.
pub fn position(value: f32, (lo, hi): (f32, f32), (start_px, end_px): (f32, f32)) -> f32 {
    let t = ((value - lo) / (hi - lo)).clamp(0.0, 1.0);
    start_px + t * (end_px - start_px)
}

/// The smallest step from `steps` whose ticks lie at least `min_spacing_px`
/// apart on a scale `span` units long drawn over `length_px` px; the largest
/// step if none is wide enough.
fn pick_step(steps: &[f32], span: f32, length_px: f32, min_spacing_px: f32) -> f32 {
    let px_per_unit = length_px / span.abs().max(f32::EPSILON);
    steps
        .iter()
        .copied()
        .find(|step| step * px_per_unit >= min_spacing_px)
        .unwrap_or(steps[steps.len() - 1])
}

/// Labelled ticks of a value scale from `lo` to `hi` (`lo < hi`) drawn over
/// `length_px` px: every multiple of a round step inside the range,
/// ascending, at least `min_spacing_px` apart.
pub fn value_ticks(lo: f32, hi: f32, length_px: f32, min_spacing_px: f32) -> Vec<f32> {
    let step = pick_step(&VALUE_STEPS, hi - lo, length_px, min_spacing_px);
    multiples(lo, hi, step)
}

/// Labelled ticks of a time axis showing the last `span_s` seconds over
/// `length_px` px, as seconds before now (0 = now), ascending.
pub fn time_ticks(span_s: f32, length_px: f32, min_spacing_px: f32) -> Vec<f32> {
    let step = pick_step(&TIME_STEPS_S, span_s, length_px, min_spacing_px);
    multiples(0.0, span_s, step)
}

fn multiples(lo: f32, hi: f32, step: f32) -> Vec<f32> {
    let first = (lo / step).ceil() as i64;
    let last = (hi / step).floor() as i64;
    (first..=last).map(|k| k as f32 * step).collect()
}

/// A time-axis label for `ago_s` seconds before now: "now", "−5 s", "−1:30".
pub fn time_label(ago_s: f32) -> String {
    if ago_s <= 0.0 {
        "now".to_owned()
    } else if ago_s < 60.0 {
        format!("−{ago_s:.0} s")
    } else {
        let total = ago_s.round() as u32;
        format!("−{}:{:02}", total / 60, total % 60)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn value_ticks_are_inside_ascending_and_spaced() {
        for &(lo, hi, len) in &[(-60.0, 0.0, 300.0), (-36.0, 6.0, 80.0), (-24.0, 0.0, 500.0)] {
            let ticks = value_ticks(lo, hi, len, 18.0);
            assert!(ticks.len() >= 2, "{lo}..{hi} over {len} px: {ticks:?}");
            let px: Vec<f32> = ticks
                .iter()
                .map(|v| position(*v, (lo, hi), (len, 0.0)))
                .collect();
            for w in px.windows(2) {
                assert!(w[1] < w[0], "higher values sit higher: {px:?}");
                assert!(w[0] - w[1] >= 18.0 - 1e-3, "spacing {px:?}");
            }
            assert!(px.iter().all(|y| (0.0..=len).contains(y)));
            assert!(ticks.iter().all(|t| (lo..=hi).contains(t)));
        }
        // A tall meter gets finer ticks than a short one.
        assert!(
            value_ticks(-60.0, 0.0, 600.0, 18.0).len() > value_ticks(-60.0, 0.0, 120.0, 18.0).len()
        );
    }

    #[test]
    fn time_ticks_cover_the_span_in_round_steps() {
        assert_eq!(
            time_ticks(8.0, 560.0, 60.0),
            vec![0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0]
        );
        assert_eq!(time_ticks(8.0, 200.0, 40.0), vec![0.0, 2.0, 4.0, 6.0, 8.0]);
        assert_eq!(time_label(0.0), "now");
        assert_eq!(time_label(5.0), "−5 s");
        assert_eq!(time_label(90.0), "−1:30");
    }

    #[test]
    fn position_clamps_and_maps_linearly() {
        assert_eq!(position(-30.0, (-60.0, 0.0), (100.0, 0.0)), 50.0);
        assert_eq!(position(6.0, (-60.0, 0.0), (100.0, 0.0)), 0.0);
        assert_eq!(position(-90.0, (-60.0, 0.0), (100.0, 0.0)), 100.0);
    }
}
