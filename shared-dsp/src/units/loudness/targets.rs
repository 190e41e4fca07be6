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

/// Verdict of a measurement against a target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Loudness within tolerance and true peak at or below the maximum.
    Pass,
    /// Louder than the target's tolerance allows, or true peak over the maximum.
    Over,
    /// Quieter than the target's tolerance allows.
    Under,
}

impl LoudnessTarget {
    /// Tolerance around the target used for the verdict, LU.
    pub fn tolerance_lu(&self) -> f64 {
        match self.kind {
            TargetKind::Delivery { tolerance_lu } => tolerance_lu,
            TargetKind::Streaming { .. } => STREAMING_TOLERANCE_LU,
        }
    }

    /// Judges a master of `integrated_lufs` and `true_peak_dbtp`.
    pub fn verdict(&self, integrated_lufs: f64, true_peak_dbtp: f64) -> Verdict {
        let deviation = integrated_lufs - self.integrated_lufs;
        if deviation > self.tolerance_lu() || true_peak_dbtp > self.max_true_peak_dbtp {
            Verdict::Over
        } else if deviation < -self.tolerance_lu() {
            Verdict::Under
        } else {
            Verdict::Pass
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

    #[test]
    fn verdicts_follow_tolerance_and_peak_limit() {
        let r128 = target("EBU R128");
        assert_eq!(r128.verdict(-23.4, -3.0), Verdict::Pass);
        assert_eq!(r128.verdict(-22.4, -3.0), Verdict::Over);
        assert_eq!(r128.verdict(-23.6, -3.0), Verdict::Under);
        assert_eq!(r128.verdict(-23.0, -0.5), Verdict::Over);
    }
}
