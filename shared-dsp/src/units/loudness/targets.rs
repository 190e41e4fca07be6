//! Loudness targets of delivery specifications and streaming platforms, and
//! what each will do to a master measured at a given loudness.
//!
//! Figures are the published reference levels: EBU R128 (2023 rev.),
//! ATSC A/85 (2013), and the loudness-normalisation levels the streaming
//! services document for their default playback mode. Streaming services
//! turn loud masters down to their reference; only some turn quiet masters
//! up, and those limit the boost so the true peak stays under their peak
//! limit instead of adding a limiter.

/// How a target treats a master.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum TargetKind {
    /// A delivery specification: the master must measure at the target
    /// (within `tolerance_lu`) with its true peak at or below the maximum.
    Delivery {
        /// Permitted deviation from the target, LU.
        tolerance_lu: f64,
    },
    /// A playback normalisation applied by a streaming service.
    Streaming {
        /// Whether the service raises masters quieter than its reference.
        turns_up: bool,
    },
}

/// One loudness target.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LoudnessTarget {
    /// Human name, e.g. "Spotify".
    pub name: &'static str,
    /// Reference integrated loudness, LUFS.
    pub integrated_lufs: f64,
    /// Highest permitted (delivery) or preserved (streaming boost) true peak, dBTP.
    pub max_true_peak_dbtp: f64,
    /// Delivery spec or streaming normalisation.
    pub kind: TargetKind,
}

/// Tolerance used when judging a streaming master "on target", LU.
pub const STREAMING_TOLERANCE_LU: f64 = 1.0;

/// Every target the meter and the command line know, broadcast first.
pub const TARGETS: &[LoudnessTarget] = &[
    LoudnessTarget {
        name: "EBU R128",
        integrated_lufs: -23.0,
        max_true_peak_dbtp: -1.0,
        kind: TargetKind::Delivery { tolerance_lu: 0.5 },
    },
    LoudnessTarget {
        name: "ATSC A/85",
        integrated_lufs: -24.0,
        max_true_peak_dbtp: -2.0,
        kind: TargetKind::Delivery { tolerance_lu: 2.0 },
    },
    LoudnessTarget {
        name: "Spotify",
        integrated_lufs: -14.0,
        max_true_peak_dbtp: -1.0,
        kind: TargetKind::Streaming { turns_up: true },
    },
    LoudnessTarget {
        name: "YouTube",
        integrated_lufs: -14.0,
        max_true_peak_dbtp: -1.0,
        kind: TargetKind::Streaming { turns_up: false },
    },
    LoudnessTarget {
        name: "Tidal",
        integrated_lufs: -14.0,
        max_true_peak_dbtp: -1.0,
        kind: TargetKind::Streaming { turns_up: false },
    },
    LoudnessTarget {
        name: "Amazon Music",
        integrated_lufs: -14.0,
        max_true_peak_dbtp: -1.0,
        kind: TargetKind::Streaming { turns_up: false },
    },
    LoudnessTarget {
        name: "Apple Music",
        integrated_lufs: -16.0,
        max_true_peak_dbtp: -1.0,
        kind: TargetKind::Streaming { turns_up: true },
    },
    LoudnessTarget {
        name: "Deezer",
        integrated_lufs: -15.0,
        max_true_peak_dbtp: -1.0,
        kind: TargetKind::Streaming { turns_up: false },
    },
    LoudnessTarget {
        name: "Podcast",
        integrated_lufs: -16.0,
        max_true_peak_dbtp: -1.0,
        kind: TargetKind::Delivery { tolerance_lu: 1.0 },
    },
];

/// Tolerance of a user's custom target, LU (as the streaming targets').
pub const CUSTOM_TOLERANCE_LU: f64 = STREAMING_TOLERANCE_LU;

/// Name of a user's custom target.
pub const CUSTOM_TARGET_NAME: &str = "Custom";

/// Verdict of a measurement against a target, loudness and true peak
/// together (see [`Assessment`] for the two apart).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Loudness within tolerance and true peak at or below the maximum.
    Pass,
    /// Louder than the target's tolerance allows, or true peak over the maximum.
    Over,
    /// Quieter than the target's tolerance allows.
    Under,
}

/// The loudness half of a judgement: integrated loudness against the
/// target's reference and tolerance.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoudnessVerdict {
    /// Within ± the tolerance of the reference.
    OnTarget,
    /// Louder than the reference + tolerance.
    TooLoud,
    /// Quieter than the reference − tolerance.
    TooQuiet,
}

/// The true-peak half of a judgement: the held true-peak maximum against
/// the target's peak limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PeakVerdict {
    /// At or below the limit.
    Within,
    /// Above the limit.
    Over,
}

/// The gain that brings a master as close to a target as its peak limit
/// allows, and what a limiter would have to add to get the rest of the way.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Fix {
    /// Gain to apply to the master, dB: `min(reference − integrated,
    /// peak limit − true peak)`, so the true peak after it is at or below the
    /// limit. Negative: turn down.
    pub gain_db: f64,
    /// Gain still missing to the reference after [`Self::gain_db`], dB
    /// (≥ 0): the true-peak reduction a limiter must add to reach the
    /// reference with the peaks at the limit.
    pub limiting_db: f64,
    /// Whether the master stays outside the tolerance after
    /// [`Self::gain_db`] alone: reaching the target needs a limiter (or
    /// other peak control) of [`Self::limiting_db`].
    pub needs_limiter: bool,
}

/// A measurement judged against one target: the two verdicts apart, and the
/// peak-safe fix.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Assessment {
    pub loudness: LoudnessVerdict,
    /// Integrated loudness − reference, LU (positive: too loud).
    pub deviation_lu: f64,
    pub peak: PeakVerdict,
    /// True peak − peak limit, dB (positive: over).
    pub peak_excess_db: f64,
    /// `None` when both verdicts pass (nothing to fix).
    pub fix: Option<Fix>,
}

impl LoudnessTarget {
    /// A user's own target: `integrated_lufs` (LUFS) with true peaks at or
    /// below `max_true_peak_dbtp` (dBTP), judged as a delivery spec with
    /// [`CUSTOM_TOLERANCE_LU`].
    pub const fn custom(integrated_lufs: f64, max_true_peak_dbtp: f64) -> Self {
        Self {
            name: CUSTOM_TARGET_NAME,
            integrated_lufs,
            max_true_peak_dbtp,
            kind: TargetKind::Delivery {
                tolerance_lu: CUSTOM_TOLERANCE_LU,
            },
        }
    }

    /// Tolerance around the target used for the verdict, LU.
    pub fn tolerance_lu(&self) -> f64 {
        match self.kind {
            TargetKind::Delivery { tolerance_lu } => tolerance_lu,
            TargetKind::Streaming { .. } => STREAMING_TOLERANCE_LU,
        }
    }

    /// Judges a master of `integrated_lufs` and `true_peak_dbtp`, both
    /// halves in one word (a too-quiet master with peaks over the limit is
    /// `Over`); [`Self::assess`] keeps them apart.
    pub fn verdict(&self, integrated_lufs: f64, true_peak_dbtp: f64) -> Verdict {
        let a = self.assess(integrated_lufs, true_peak_dbtp);
        match (a.loudness, a.peak) {
            (LoudnessVerdict::TooLoud, _) | (_, PeakVerdict::Over) => Verdict::Over,
            (LoudnessVerdict::TooQuiet, PeakVerdict::Within) => Verdict::Under,
            (LoudnessVerdict::OnTarget, PeakVerdict::Within) => Verdict::Pass,
        }
    }

    /// The loudness verdict of a master of `integrated_lufs`.
    pub fn loudness_verdict(&self, integrated_lufs: f64) -> LoudnessVerdict {
        let deviation = integrated_lufs - self.integrated_lufs;
        if deviation > self.tolerance_lu() {
            LoudnessVerdict::TooLoud
        } else if deviation < -self.tolerance_lu() {
            LoudnessVerdict::TooQuiet
        } else {
            LoudnessVerdict::OnTarget
        }
    }

    /// The true-peak verdict of a master whose true peak is `true_peak_dbtp`.
    pub fn peak_verdict(&self, true_peak_dbtp: f64) -> PeakVerdict {
        if true_peak_dbtp > self.max_true_peak_dbtp {
            PeakVerdict::Over
        } else {
            PeakVerdict::Within
        }
    }

    /// The gain that brings a master of `integrated_lufs` and
    /// `true_peak_dbtp` towards the reference without its true peak ending
    /// above the limit: `min(reference − integrated, limit − true peak)`
    /// (a master with peaks over the limit is turned down to it even when
    /// that leaves it quiet), and the limiting still needed for the rest.
    pub fn fix(&self, integrated_lufs: f64, true_peak_dbtp: f64) -> Fix {
        let to_reference = self.integrated_lufs - integrated_lufs;
        let to_peak_limit = self.max_true_peak_dbtp - true_peak_dbtp;
        let gain_db = to_reference.min(to_peak_limit);
        let limiting_db = (to_reference - gain_db).max(0.0);
        Fix {
            gain_db,
            limiting_db,
            needs_limiter: limiting_db > self.tolerance_lu(),
        }
    }

    /// Judges a master of `integrated_lufs` and `true_peak_dbtp`: the
    /// loudness and true-peak verdicts apart, and the fix when either fails.
    pub fn assess(&self, integrated_lufs: f64, true_peak_dbtp: f64) -> Assessment {
        let loudness = self.loudness_verdict(integrated_lufs);
        let peak = self.peak_verdict(true_peak_dbtp);
        let passes = loudness == LoudnessVerdict::OnTarget && peak == PeakVerdict::Within;
        Assessment {
            loudness,
            deviation_lu: integrated_lufs - self.integrated_lufs,
            peak,
            peak_excess_db: true_peak_dbtp - self.max_true_peak_dbtp,
            fix: (!passes).then(|| self.fix(integrated_lufs, true_peak_dbtp)),
        }
    }

    /// Gain in dB this target applies to (streaming) or asks of (delivery)
    /// a master of `integrated_lufs` with `true_peak_dbtp`.
    ///
    /// Streaming services that do not turn up return at most 0 dB; those that
    /// do limit the boost so the true peak lands at most at their peak limit
    /// (never turning a master down to make room). Delivery specs return the
    /// full difference to the target.
    pub fn playback_gain_db(&self, integrated_lufs: f64, true_peak_dbtp: f64) -> f64 {
        let to_target = self.integrated_lufs - integrated_lufs;
        match self.kind {
            TargetKind::Delivery { .. } => to_target,
            TargetKind::Streaming { turns_up: false } => to_target.min(0.0),
            TargetKind::Streaming { turns_up: true } => {
                if to_target <= 0.0 {
                    to_target
                } else {
                    let peak_room = (self.max_true_peak_dbtp - true_peak_dbtp).max(0.0);
                    to_target.min(peak_room)
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target(name: &str) -> LoudnessTarget {
        *TARGETS.iter().find(|t| t.name == name).unwrap()
    }

    #[test]
    fn loud_masters_are_turned_down_to_the_reference() {
        for t in TARGETS {
            let gain = t.playback_gain_db(-8.0, -0.1);
            assert!(
                (gain - (t.integrated_lufs + 8.0)).abs() < 1e-12,
                "{}",
                t.name
            );
        }
    }

    #[test]
    fn only_services_that_turn_up_raise_quiet_masters_within_peak_room() {
        // -20 LUFS with peaks at -6 dBTP: 6 dB to Spotify's -14, room 5 dB to -1 dBTP.
        assert_eq!(target("Spotify").playback_gain_db(-20.0, -6.0), 5.0);
        assert_eq!(target("Spotify").playback_gain_db(-20.0, -10.0), 6.0);
        assert_eq!(target("YouTube").playback_gain_db(-20.0, -10.0), 0.0);
        // Peaks already over the limit: no boost, never a cut for being quiet.
        assert_eq!(target("Apple Music").playback_gain_db(-20.0, 0.5), 0.0);
        assert_eq!(target("EBU R128").playback_gain_db(-30.0, -10.0), 7.0);
    }

    /// Masters spread over loudness and true peak, with the peak never
    /// below the loudness (a PLR ≥ 0, as any real programme has).
    fn masters() -> Vec<(f64, f64)> {
        let mut m = Vec::new();
        for integrated in (-40..=-4).map(|l| l as f64 + 0.3) {
            for plr in [0.5, 3.0, 8.0, 13.0, 20.0] {
                let peak = integrated + plr;
                if peak <= 3.0 {
                    m.push((integrated, peak));
                }
            }
        }
        m
    }

    #[test]
    fn the_fix_never_leaves_the_true_peak_over_the_limit_nor_passes_the_reference() {
        for t in TARGETS
            .iter()
            .copied()
            .chain([LoudnessTarget::custom(-9.0, -0.3)])
        {
            for (integrated, peak) in masters() {
                let fix = t.fix(integrated, peak);
                let (after_lufs, after_peak) = (integrated + fix.gain_db, peak + fix.gain_db);
                assert!(
                    after_peak <= t.max_true_peak_dbtp + 1e-9,
                    "{}: {integrated} LUFS, {peak} dBTP: fix {fix:?} peaks at {after_peak}",
                    t.name
                );
                assert!(
                    after_lufs <= t.integrated_lufs + 1e-9,
                    "{}: {fix:?}",
                    t.name
                );
                // Limiting makes up exactly the loudness the peak limit withheld.
                assert!(
                    (after_lufs + fix.limiting_db - t.integrated_lufs).abs() < 1e-9,
                    "{}: {fix:?}",
                    t.name
                );
                // Either the fix alone lands within tolerance, or it says a limiter is needed.
                let lands = t.loudness_verdict(after_lufs) == LoudnessVerdict::OnTarget;
                assert_eq!(lands, !fix.needs_limiter, "{}: {fix:?}", t.name);
            }
        }
    }

    #[test]
    fn a_peak_limited_loud_master_is_turned_down_and_never_raised() {
        // A modern loud master: -7 LUFS, true peak exactly at each limit.
        for t in TARGETS {
            let peak = t.max_true_peak_dbtp;
            let a = t.assess(-7.0, peak);
            assert_eq!(a.loudness, LoudnessVerdict::TooLoud, "{}", t.name);
            assert_eq!(a.peak, PeakVerdict::Within, "{}", t.name);
            let fix = a.fix.unwrap();
            assert_eq!(fix.gain_db, t.integrated_lufs + 7.0, "{}", t.name);
            assert!(fix.gain_db < 0.0 && !fix.needs_limiter && fix.limiting_db == 0.0);
            assert_eq!(t.verdict(-7.0, peak), Verdict::Over);
        }
        // Loud and over every limit (+0.4 dBTP): turned down by whichever is more.
        let r128 = target("EBU R128");
        let fix = r128.fix(-7.0, 0.4);
        assert_eq!(fix.gain_db, -16.0);
        assert!(0.4 + fix.gain_db <= r128.max_true_peak_dbtp);
    }

    #[test]
    fn a_quiet_master_gets_only_the_gain_its_peaks_allow_and_a_limiter_for_the_rest() {
        // The case: a podcast master 11.7 LU under -16 LUFS with peaks
        // at -1 dBTP. The old fix said +11.7 dB (peaks to +10.7 dBTP).
        let podcast = target("Podcast");
        let a = podcast.assess(-27.7, -1.0);
        assert_eq!(a.loudness, LoudnessVerdict::TooQuiet);
        assert_eq!(a.peak, PeakVerdict::Within);
        let fix = a.fix.unwrap();
        assert_eq!(fix.gain_db, 0.0);
        assert!((fix.limiting_db - 11.7).abs() < 1e-9 && fix.needs_limiter);
        // Quiet with headroom: the whole way on gain alone.
        let fix = podcast.fix(-20.0, -8.0);
        assert_eq!(
            (fix.gain_db, fix.limiting_db, fix.needs_limiter),
            (4.0, 0.0, false)
        );
        // Quiet with a little headroom: gain to the limit, limiting for the rest.
        let fix = target("Spotify").fix(-20.0, -4.0);
        assert_eq!(
            (fix.gain_db, fix.limiting_db, fix.needs_limiter),
            (3.0, 3.0, true)
        );
        // Quiet but peaks over the limit: loudness and peaks judged apart
        // (the old line said "over: … too quiet, true peak over").
        let a = target("EBU R128").assess(-28.3, -0.2);
        assert_eq!(
            (a.loudness, a.peak),
            (LoudnessVerdict::TooQuiet, PeakVerdict::Over)
        );
        let fix = a.fix.unwrap();
        assert!((fix.gain_db + 0.8).abs() < 1e-9 && fix.needs_limiter);
    }

    #[test]
    fn only_a_passing_master_has_no_fix_and_a_small_one_needs_no_limiter() {
        for t in TARGETS {
            let a = t.assess(t.integrated_lufs, t.max_true_peak_dbtp - 2.0);
            assert_eq!(
                (a.loudness, a.peak, a.fix),
                (LoudnessVerdict::OnTarget, PeakVerdict::Within, None),
                "{}",
                t.name
            );
            // On target but 0.3 dB over the peak limit: turn down 0.3 dB, no limiter.
            let a = t.assess(t.integrated_lufs, t.max_true_peak_dbtp + 0.3);
            assert_eq!(a.peak, PeakVerdict::Over);
            let fix = a.fix.unwrap();
            assert!(
                (fix.gain_db + 0.3).abs() < 1e-9 && !fix.needs_limiter,
                "{}: {fix:?}",
                t.name
            );
        }
    }

    #[test]
    fn custom_targets_are_judged_like_a_delivery_spec() {
        let custom = LoudnessTarget::custom(-18.0, -2.0);
        assert_eq!(custom.name, CUSTOM_TARGET_NAME);
        assert_eq!(custom.tolerance_lu(), CUSTOM_TOLERANCE_LU);
        assert_eq!(custom.loudness_verdict(-18.9), LoudnessVerdict::OnTarget);
        assert_eq!(custom.loudness_verdict(-16.9), LoudnessVerdict::TooLoud);
        assert_eq!(custom.peak_verdict(-1.9), PeakVerdict::Over);
        assert_eq!(custom.fix(-24.0, -5.0).gain_db, 3.0);
    }

    #[test]
    fn verdicts_follow_tolerance_and_peak_limit() {
        let r128 = target("EBU R128");
        assert_eq!(r128.verdict(-23.4, -3.0), Verdict::Pass);
        assert_eq!(r128.verdict(-22.4, -3.0), Verdict::Over);
        assert_eq!(r128.verdict(-23.6, -3.0), Verdict::Under);
        assert_eq!(r128.verdict(-23.0, -0.5), Verdict::Over);
    }
}
