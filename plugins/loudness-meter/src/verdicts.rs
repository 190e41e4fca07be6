//! The words and colours the editor shows for a measurement judged against
//! a target: the loudness verdict, the true-peak verdict and the peak-safe
//! fix, each on its own (the logic is `shared_dsp::units::loudness::targets`).

use shared_dsp::units::loudness::targets::{
    Assessment, Fix, LoudnessTarget, LoudnessVerdict, PeakVerdict, TargetKind,
};

/// How a verdict is coloured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    Good,
    Warn,
    Bad,
}

/// Smallest change the editor shows, dB / LU (one decimal).
const SHOWN_STEP_DB: f64 = 0.1;

/// `value` in dB/LU with one decimal and a sign, rounded first so that a
/// value that rounds to zero reads "0.0", never "−0.0".
pub fn signed(value: f64) -> String {
    let rounded = (value / SHOWN_STEP_DB).round() * SHOWN_STEP_DB;
    if rounded == 0.0 {
        "0.0".to_owned()
    } else if rounded > 0.0 {
        format!("+{rounded:.1}")
    } else {
        format!("−{:.1}", -rounded)
    }
}

/// The loudness verdict, e.g. "on target", "5.3 LU too quiet".
pub fn loudness(a: &Assessment) -> (String, Tone) {
    match a.loudness {
        LoudnessVerdict::OnTarget => ("on target".to_owned(), Tone::Good),
        LoudnessVerdict::TooLoud => (format!("{:.1} LU too loud", a.deviation_lu), Tone::Bad),
        LoudnessVerdict::TooQuiet => (format!("{:.1} LU too quiet", -a.deviation_lu), Tone::Warn),
    }
}

/// The true-peak verdict against `target`'s limit, e.g. "within −1 dBTP",
/// "0.4 dB over −1 dBTP".
pub fn peak(a: &Assessment, target: &LoudnessTarget) -> (String, Tone) {
    let limit = signed(target.max_true_peak_dbtp);
    match a.peak {
        PeakVerdict::Within => (format!("within {limit} dBTP"), Tone::Good),
        PeakVerdict::Over => (
            format!("{:.1} dB over {limit} dBTP", a.peak_excess_db),
            Tone::Bad,
        ),
    }
}

/// The true-peak verdict where the limit is shown beside it: "ok", "0.4 dB over".
pub fn peak_short(a: &Assessment) -> (String, Tone) {
    match a.peak {
        PeakVerdict::Within => ("ok".to_owned(), Tone::Good),
        PeakVerdict::Over => (format!("{:.1} dB over", a.peak_excess_db), Tone::Bad),
    }
}

/// The fix, e.g. "none needed", "−9.0 dB", "+3.0 dB, then limit 2.3 dB".
pub fn fix(fix: Option<Fix>) -> (String, Tone) {
    match fix {
        None => ("none needed".to_owned(), Tone::Good),
        Some(f) if f.needs_limiter => (
            format!(
                "{} dB, then limit {:.1} dB",
                signed(f.gain_db),
                f.limiting_db
            ),
            Tone::Warn,
        ),
        Some(f) => (format!("{} dB", signed(f.gain_db)), Tone::Good),
    }
}

/// What a streaming service will do to the master on playback (its gain,
/// dB); `None` for a delivery spec, which plays nothing back.
pub fn playback(
    target: &LoudnessTarget,
    integrated_lufs: f64,
    true_peak_dbtp: f64,
) -> Option<String> {
    match target.kind {
        TargetKind::Streaming { .. } => Some(format!(
            "{} dB",
            signed(target.playback_gain_db(integrated_lufs, true_peak_dbtp))
        )),
        TargetKind::Delivery { .. } => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use shared_dsp::units::loudness::targets::TARGETS;

    fn target(name: &str) -> LoudnessTarget {
        *TARGETS.iter().find(|t| t.name == name).unwrap()
    }

    #[test]
    fn a_quiet_master_over_the_peak_limit_gets_two_verdicts_that_agree_with_each_other() {
        // The line: "over: 5.3 LU too quiet, true peak over −1 dBTP".
        let r128 = target("EBU R128");
        let a = r128.assess(-28.3, -0.2);
        assert_eq!(loudness(&a), ("5.3 LU too quiet".to_owned(), Tone::Warn));
        assert_eq!(
            peak(&a, &r128),
            ("0.8 dB over −1.0 dBTP".to_owned(), Tone::Bad)
        );
        assert_eq!(peak_short(&a).0, "0.8 dB over");
        assert_eq!(fix(a.fix).0, "−0.8 dB, then limit 6.1 dB");
    }

    #[test]
    fn the_podcast_fix_respects_its_peak_limit() {
        let podcast = target("Podcast");
        let a = podcast.assess(-27.7, -1.0);
        assert_eq!(fix(a.fix).0, "0.0 dB, then limit 11.7 dB");
        assert_eq!(playback(&podcast, -27.7, -1.0), None);
        assert_eq!(playback(&target("YouTube"), -27.7, -1.0).unwrap(), "0.0 dB");
    }

    #[test]
    fn passing_masters_need_nothing_and_nothing_reads_minus_zero() {
        let spotify = target("Spotify");
        let a = spotify.assess(-14.2, -3.0);
        assert_eq!(loudness(&a).0, "on target");
        assert_eq!(peak(&a, &spotify).0, "within −1.0 dBTP");
        assert_eq!(fix(a.fix), ("none needed".to_owned(), Tone::Good));
        for tiny in [-0.04, -0.0, 0.0, 0.04] {
            assert_eq!(signed(tiny), "0.0");
        }
        assert_eq!(signed(-0.06), "−0.1");
    }
}
