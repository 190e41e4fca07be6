//! The Maximizer holds its ceiling on full-band material (issue 10): the
//! output of full-band white noise driven +18 dB into −0.1 dBTP, clipped
//! noise +12 dB into −1 dBTP, aliased square waves and the music-like
//! signal, at 44.1/48/96 kHz, at the shortest, default and longest
//! look-ahead, fastest and default (auto) release, both characters and both
//! oversampling factors, read by
//! - the suite's meter (`LoudnessMeter::new`, what `lathe measure` and the
//!   Loudness Meter plugin read), and
//! - the independent accurate reference (`reference_true_peak_db`: f64, 16×,
//!   long Kaiser sinc, parabolic refinement),
//!
//! never exceeds the ceiling by more than [`CEILING_TOLERANCE_DB`].
//!
//! Run with `--nocapture` for the table and the largest overshoots.

mod maximizer_support;
use maximizer_support::*;
use shared_dsp::processors::maximizer::{Character, Maximizer, MaximizerSettings, Oversampling};
use shared_dsp::units::limiter::DetectorFactor;
use shared_dsp::units::loudness::LoudnessMeter;

/// Largest allowed excess of either reading over the ceiling, dB (issue 10).
const CEILING_TOLERANCE_DB: f64 = 0.05;
/// Seconds of each signal.
const SIGNAL_SECONDS: f64 = 0.4;

/// Full-band noise hard-clipped: white noise at twice full scale, clipped to
/// ±1 (flat tops, content to Nyquist, like an over-driven master).
fn clipped_noise(rng: &mut Rng, rate: f64, seconds: f64) -> Stereo {
    white_noise(rng, rate, seconds)
        .into_iter()
        .map(|c| c.into_iter().map(|v| (2.0 * v).clamp(-1.0, 1.0)).collect())
        .collect()
}

/// (name, signal, input gain dB, ceiling dBTP).
fn signals(rate: f64, seed: u64) -> Vec<(&'static str, Stereo, f32, f32)> {
    let mut rng = Rng::new(seed);
    let set = vec![
        (
            "white",
            white_noise(&mut rng, rate, SIGNAL_SECONDS),
            18.0,
            -0.1,
        ),
        (
            "clipped",
            clipped_noise(&mut rng, rate, SIGNAL_SECONDS),
            12.0,
            -1.0,
        ),
        ("square", squares(rate, SIGNAL_SECONDS), 12.0, -0.1),
        (
            "music",
            music_like(&mut rng, rate, SIGNAL_SECONDS),
            12.0,
            -0.1,
        ),
    ];
    set.into_iter()
        .map(|(name, x, gain, ceiling)| (name, faded(x, rate, STRESS_FADE_S), gain, ceiling))
        .collect()
}

/// Look-ahead × release × (character, oversampling) grid.
fn variants() -> Vec<(String, MaximizerSettings)> {
    let d = MaximizerSettings::default();
    let mut out = Vec::new();
    for lookahead_ms in [0.5, 1.5, 5.0] {
        for (release_ms, auto_release) in [(1.0, false), (100.0, true)] {
            for (character, oversampling) in [
                (Character::Transparent, Oversampling::X4),
                (Character::Punchy, Oversampling::X8),
            ] {
                let label = format!(
                    "la{lookahead_ms} rel{release_ms}{} {character:?} {oversampling:?}",
                    if auto_release { "a" } else { "" }
                );
                out.push((
                    label,
                    MaximizerSettings {
                        lookahead_ms,
                        release_ms,
                        auto_release,
                        character,
                        oversampling,
                        ..d
                    },
                ));
            }
        }
    }
    out
}

/// The suite meter's true peak (`lathe measure`), dBTP.
fn suite_meter_true_peak_db(x: &Stereo, rate: f64) -> f64 {
    let mut meter = LoudnessMeter::new(rate, x.len());
    meter.process(x);
    meter.readings().true_peak_dbtp.unwrap_or(f64::NEG_INFINITY)
}

#[test]
fn full_band_output_stays_within_the_ceiling_on_meter_and_reference() {
    let mut rng = Rng::new(0xCE11);
    let mut worst_meter = (f64::NEG_INFINITY, String::new());
    let mut worst_reference = (f64::NEG_INFINITY, String::new());
    let mut failures = Vec::new();
    println!(
        "{:>6} {:<8} {:<32} {:>9} {:>9} {:>9} {:>9}  (overshoot over ceiling, dB; \
         lim8x = the limiter's own detector, ideal = FFT sinc, only where ref > 0.05: information)",
        "rate", "signal", "settings", "meter", "ref", "lim8x", "ideal"
    );
    for (r, rate) in [44_100.0, 48_000.0, 96_000.0].into_iter().enumerate() {
        for (name, signal, gain_db, ceiling_dbtp) in signals(rate, 31 + r as u64) {
            let input = with_tail(&signal, 4096);
            for (label, settings) in variants() {
                let settings = MaximizerSettings {
                    input_gain_db: gain_db,
                    ceiling_dbtp,
                    ..settings
                };
                let mut m = Maximizer::new(rate, 2);
                m.set_settings(&settings);
                let output = process_blocks(&mut m, &input, || rng.range(1, 700));
                let ceiling = f64::from(ceiling_dbtp);
                let meter = suite_meter_true_peak_db(&output, rate) - ceiling;
                let reference = reference_true_peak_db(&output) - ceiling;
                let lim = {
                    let mut lm = LoudnessMeter::with_limiter_true_peak(rate, 2, DetectorFactor::X8);
                    lm.process(&output);
                    lm.readings().true_peak_dbtp.unwrap() - ceiling
                };
                let ideal = if reference > 0.05 {
                    ideal_true_peak_db(&output) - ceiling
                } else {
                    f64::NAN
                };
                println!("{rate:>6} {name:<8} {label:<32} {meter:>+9.4} {reference:>+9.4} {lim:>+9.4} {ideal:>+9.4}");
                let case = format!("{rate} {name} {label}");
                if meter > worst_meter.0 {
                    worst_meter = (meter, case.clone());
                }
                if reference > worst_reference.0 {
                    worst_reference = (reference, case.clone());
                }
                if meter > CEILING_TOLERANCE_DB || reference > CEILING_TOLERANCE_DB {
                    failures.push(format!(
                        "{case}: meter {meter:+.4}, reference {reference:+.4}"
                    ));
                }
            }
        }
    }
    println!(
        "largest overshoot, suite meter: {:+.4} dB ({})",
        worst_meter.0, worst_meter.1
    );
    println!(
        "largest overshoot, reference:   {:+.4} dB ({})",
        worst_reference.0, worst_reference.1
    );
    assert!(failures.is_empty(), "{failures:#?}");
}
