//! EBU Tech 3342 loudness-range test signals (cases 1–4), stereo 1 kHz
//! sines at the stated level per channel.

mod common;
use common::*;
use shared_dsp::units::loudness::LoudnessMeter;

/// Tech 3342 tolerance: ±1 LU. Our histogram is exact for steady segments,
/// so a much tighter bound also holds; both are checked.
const SPEC_TOLERANCE_LU: f64 = 1.0;
const TIGHT_TOLERANCE_LU: f64 = 0.1;

fn lra(rate: f64, segments: &[(f64, f64)]) -> f64 {
    let signal = sine_segments(rate, segments);
    let mut meter = LoudnessMeter::new(rate, 2);
    meter.process(&[&signal, &signal]);
    meter.readings().loudness_range_lu.expect("LRA defined")
}

#[test]
fn cases_1_to_4() {
    let cases: [(&[(f64, f64)], f64); 4] = [
        (&[(20.0, -20.0), (20.0, -30.0)], 10.0),
        (&[(20.0, -20.0), (20.0, -15.0)], 5.0),
        (&[(20.0, -40.0), (20.0, -20.0)], 20.0),
        (
            &[
                (20.0, -50.0),
                (20.0, -35.0),
                (20.0, -20.0),
                (20.0, -35.0),
                (20.0, -50.0),
            ],
            15.0,
        ),
    ];
    for rate in [44_100.0, 48_000.0, 96_000.0] {
        for (i, (segments, expected)) in cases.iter().enumerate() {
            let value = lra(rate, segments);
            let label = format!("case {} at {rate} Hz", i + 1);
            assert_within(
                &label,
                value,
                *expected,
                SPEC_TOLERANCE_LU,
                SPEC_TOLERANCE_LU,
            );
            assert_within(
                &label,
                value,
                *expected,
                TIGHT_TOLERANCE_LU,
                TIGHT_TOLERANCE_LU,
            );
        }
    }
}

/// Values below −70 LUFS are not part of the distribution (absolute gate),
/// and values more than 20 LU under the mean are dropped (relative gate).
#[test]
fn gates_exclude_quiet_values() {
    let rate = 48_000.0;
    // −80 dBFS is below the absolute gate: LRA as if only −20/−30 existed.
    let with_silence = lra(
        rate,
        &[(20.0, -80.0), (20.0, -20.0), (20.0, -30.0), (20.0, -80.0)],
    );
    assert_within("abs gate", with_silence, 10.0, 0.1, 0.1);
    // −45 dBFS is > 20 LU below the mean of −20/−45 (≈ −23): dropped by the
    // relative gate (else LRA ≈ 25). Only the ≈ 3 s of short-term values
    // straddling the step remain besides the −20 ones, so LRA is small.
    let relative = lra(rate, &[(20.0, -20.0), (20.0, -45.0)]);
    assert!(relative < 3.0, "relative gate LRA {relative}");
    // Without the quiet part reaching below the gate, it is counted: −20/−35.
    let counted = lra(rate, &[(20.0, -20.0), (20.0, -35.0)]);
    assert_within("counted", counted, 15.0, 0.1, 0.1);
}
