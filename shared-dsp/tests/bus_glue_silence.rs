//! The Bus Glue's silence skip: chunks of silence while the audio path is at
//! rest are written as zeros without running it (the meters still take
//! them). The output, the block statistics and the readings must be
//! bit-identical to running it, whatever happens around the silence
//! (settings changing during it, hostile samples that sanitise to zero,
//! uneven blocks), and the skip must actually happen once the compressor
//! has settled.

#[path = "support/rng.rs"]
#[allow(dead_code)] // the shared test RNG; this file uses part of it
mod rng;

use rng::Rng;
use shared_dsp::processors::bus_glue::{BusGlue, BusGlueSettings};

const RATE: f64 = 48_000.0;

/// Noise bursts well above the threshold around long silences, NaN/∞/
/// subnormals in the last. The compressor is at rest once its gain
/// reduction has released to exactly 0 dB (flushed below 1e-12 dB): ≈ 30
/// release time constants after ≈ 10 dB of reduction, ≈ 9 s at 300 ms, so
/// the silences are 14 s long.
fn signal() -> [Vec<f32>; 2] {
    let mut rng = Rng::new(31);
    let second = RATE as usize;
    let mut out = [Vec::new(), Vec::new()];
    for (burst, silence) in [(second / 2, 14 * second), (second / 4, 14 * second)] {
        for _ in 0..burst {
            for ch in &mut out {
                ch.push((0.7 * rng.bipolar()) as f32);
            }
        }
        for _ in 0..silence {
            for ch in &mut out {
                ch.push(0.0);
            }
        }
    }
    let n = out[0].len();
    for i in n - 2 * second..n - 2 * second + 500 {
        out[0][i] = if i % 2 == 0 {
            f32::NAN
        } else {
            f32::NEG_INFINITY
        };
        out[1][i] = 1e-41;
    }
    out
}

/// Output, per-block statistics and readings, frames skipped.
type Run = ([Vec<f32>; 2], Vec<String>, u64);

fn run(settings: &BusGlueSettings, skip: bool, input: &[Vec<f32>; 2]) -> Run {
    let mut glue = BusGlue::new(RATE, 2);
    glue.set_silence_skip(skip);
    glue.set_settings(settings);
    glue.reset();
    let mut out = input.clone();
    let (left, right) = out.split_at_mut(1);
    let (left, right) = (&mut left[0], &mut right[0]);
    let len = left.len();
    let changed_at = len - 4 * RATE as usize;
    let mut changed = false;
    let mut log = Vec::new();
    let mut start = 0;
    for block in [64usize, 1, 333, 4096, 100].iter().cycle() {
        if start >= len {
            break;
        }
        if !changed && start >= changed_at {
            // A change during silence: ramps run, then settle again.
            let mut s = *settings;
            s.output_db = 1.5;
            s.mix = 0.8;
            s.threshold_db = -30.0;
            glue.set_settings(&s);
            changed = true;
        }
        let end = (start + block).min(len);
        glue.process(&mut [&mut left[start..end], &mut right[start..end]]);
        // Debug text holds every float exactly (shortest round trip).
        log.push(format!(
            "{:?} {:?} {:?} {:?} {:?}",
            glue.block_stats(),
            glue.gain_reduction_db(),
            glue.operating_point_db(),
            glue.level_match_db(),
            glue.output_readings()
        ));
        start = end;
    }
    (out, log, glue.frames_skipped())
}

#[test]
fn skipping_silence_is_bit_identical_and_does_happen() {
    let input = signal();
    let busy = BusGlueSettings {
        threshold_db: -24.0,
        ratio: 4.0,
        auto_release: true,
        auto_makeup: true,
        sc_hpf_enabled: true,
        mix: 0.7,
        ..BusGlueSettings::default()
    };
    let cases = [
        ("default", BusGlueSettings::default()),
        ("busy", busy),
        (
            "listen",
            BusGlueSettings {
                listen: true,
                ..busy
            },
        ),
        (
            "matched bypass, no meters",
            BusGlueSettings {
                matched_bypass: true,
                metering: false,
                ..busy
            },
        ),
        (
            "meters off",
            BusGlueSettings {
                metering: false,
                ..busy
            },
        ),
    ];
    for (name, settings) in cases {
        let (skipped_out, skipped_log, skipped) = run(&settings, true, &input);
        let (full_out, full_log, none) = run(&settings, false, &input);
        assert_eq!(none, 0);
        for c in 0..2 {
            for (i, (a, b)) in skipped_out[c].iter().zip(&full_out[c]).enumerate() {
                assert_eq!(a.to_bits(), b.to_bits(), "{name}: channel {c}, frame {i}");
            }
        }
        for (i, (a, b)) in skipped_log.iter().zip(&full_log).enumerate() {
            assert_eq!(a, b, "{name}: stats and readings after block {i}");
        }
        // Most of the 12 s of silence is skipped once the release settled.
        assert!(
            skipped > 6 * RATE as u64,
            "{name}: skipped only {skipped} frames"
        );
        println!("{name}: {skipped} frames skipped");
    }
}
