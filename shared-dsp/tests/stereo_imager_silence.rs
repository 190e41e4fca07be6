//! The Stereo Imager's silence skip: chunks of silence while the imager is
//! at rest compute one output frame and let the meters decay, instead of
//! running the chain and the meters frame by frame. The output, the scope
//! feed and every reading must be bit-identical to processing the silence,
//! whatever happens around it (settings changing during it, hostile samples
//! that sanitise to zero, uneven blocks), and the skip must actually happen
//! once the filters have rung out.

#[path = "support/rng.rs"]
#[allow(dead_code)] // the shared test RNG; this file uses part of it
mod rng;

use rng::Rng;
use shared_dsp::processors::stereo_imager::{ImagerSettings, StereoImager};

const RATE: f64 = 48_000.0;

/// Noise bursts around long silences (long enough for the stereoize
/// all-passes and the meters' K-weighting to ring out exactly), with a
/// stretch of NaN, ±∞ and subnormals (which the imager reads as zeros) in
/// the last silence.
fn signal() -> [Vec<f32>; 2] {
    let mut rng = Rng::new(23);
    let second = RATE as usize;
    let mut out = [Vec::new(), Vec::new()];
    for (burst, silence) in [(second / 2, 4 * second), (second / 4, 5 * second)] {
        for _ in 0..burst {
            let shared = 0.3 * rng.bipolar();
            for ch in &mut out {
                ch.push((shared + 0.2 * rng.bipolar()) as f32);
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
        out[0][i] = if i % 2 == 0 { f32::NAN } else { f32::INFINITY };
        out[1][i] = if i % 3 == 0 { 1e-41 } else { -1e-44 };
    }
    out
}

/// Output, scope feed, readings after every block (as the plugin reads
/// them) and frames skipped.
type Run = ([Vec<f32>; 2], Vec<(f32, f32)>, Vec<String>, u64);

fn run(settings: &ImagerSettings, bypass: bool, skip: bool, input: &[Vec<f32>; 2]) -> Run {
    let mut imager = StereoImager::new(RATE);
    imager.set_silence_skip(skip);
    imager.set_settings(settings);
    imager.set_bypass(bypass);
    let mut out = input.clone();
    let (left, right) = out.split_at_mut(1);
    let (left, right) = (&mut left[0], &mut right[0]);
    let len = left.len();
    let changed_at = len - 4 * RATE as usize;
    let mut changed = false;
    let mut scope = Vec::new();
    let mut readings = Vec::new();
    let mut start = 0;
    for block in [64usize, 1, 333, 4096, 100, 63].iter().cycle() {
        if start >= len {
            break;
        }
        if !changed && start >= changed_at {
            // A change during silence: ramps and fades run, then settle.
            let mut s = *settings;
            s.width = 0.7;
            s.side_high_gain_db = -2.0;
            s.mono_listen = !s.mono_listen;
            imager.set_settings(&s);
            changed = true;
        }
        let end = (start + block).min(len);
        imager.process_with_scope(
            &mut [&mut left[start..end], &mut right[start..end]],
            |l, r| scope.push((l, r)),
        );
        // Debug text holds every f64 reading exactly (shortest round trip).
        readings.push(format!("{:?}", imager.readings()));
        start = end;
    }
    (out, scope, readings, imager.frames_skipped())
}

#[test]
fn skipping_silence_is_bit_identical_and_does_happen() {
    let input = signal();
    let busy = ImagerSettings {
        width: 1.3,
        mid_gain_db: -1.0,
        side_gain_db: 1.5,
        num_bands: 4,
        band_width: [0.0, 1.0, 1.3, 1.6],
        mono_maker: true,
        stereoize: 0.3,
        side_low_gain_db: -3.0,
        side_high_gain_db: 2.0,
        rotation_deg: 5.0,
        balance: -0.1,
        ..ImagerSettings::default()
    };
    let cases = [
        ("default", ImagerSettings::default(), false),
        (
            "width 150 %",
            ImagerSettings {
                width: 1.5,
                ..ImagerSettings::default()
            },
            false,
        ),
        ("four bands, every stage", busy, false),
        (
            // Inverted polarity makes −0.0 samples; swap and Mono listen on.
            "inverted, swapped, mono listen",
            ImagerSettings {
                invert: [true, true],
                swap: true,
                mono_listen: true,
                width: 0.5,
                ..ImagerSettings::default()
            },
            false,
        ),
        ("bypassed", busy, true),
    ];
    for (name, settings, bypass) in cases {
        let (skipped_out, skipped_scope, skipped_readings, skipped) =
            run(&settings, bypass, true, &input);
        let (full_out, full_scope, full_readings, none) = run(&settings, bypass, false, &input);
        assert_eq!(none, 0);
        for c in 0..2 {
            for (i, (a, b)) in skipped_out[c].iter().zip(&full_out[c]).enumerate() {
                assert_eq!(a.to_bits(), b.to_bits(), "{name}: channel {c}, frame {i}");
            }
        }
        assert_eq!(
            skipped_scope.len(),
            full_scope.len(),
            "{name}: scope points"
        );
        for (i, (a, b)) in skipped_scope.iter().zip(&full_scope).enumerate() {
            assert_eq!(
                (a.0.to_bits(), a.1.to_bits()),
                (b.0.to_bits(), b.1.to_bits()),
                "{name}: scope point {i}"
            );
        }
        for (i, (a, b)) in skipped_readings.iter().zip(&full_readings).enumerate() {
            assert_eq!(a, b, "{name}: readings after block {i}");
        }
        // Most of the 9 s of silence is skipped once the filters rang out;
        // the stereoize all-passes take ≈ 2.4 s per silence to flush their
        // feedback below 1e-30 (0.6 per 17.9 ms), the K-weighting far less.
        let min_skipped_s = if settings.stereoize > 0.0 && !bypass {
            3
        } else {
            6
        };
        assert!(
            skipped > min_skipped_s * RATE as u64,
            "{name}: skipped only {skipped} frames"
        );
        println!("{name}: {skipped} frames skipped");
    }
}
