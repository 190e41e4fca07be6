//! The strip's silence skip: chunks of silence while every section is at
//! rest are written as zeros without running the sections. The output must
//! be bit-identical to running them, whatever happens around the silence
//! (settings changing during it, hostile samples that sanitise to zero,
//! uneven blocks), and the skip must actually happen once the sections
//! have settled.

mod strip_common;

use shared_dsp::processors::channel_strip::{ChannelStrip, ChannelStripSettings};
use strip_common::{busy_settings, Rng};

const RATE: f64 = 48_000.0;

/// Noise bursts around long silences (long enough for the compressor's
/// slow release and the gate's close to settle exactly), with a stretch of
/// NaN and subnormals (which the strip reads as zeros) in the last silence.
fn signal() -> [Vec<f32>; 2] {
    let mut rng = Rng::new(11);
    let second = RATE as usize;
    let mut out = [Vec::new(), Vec::new()];
    for (burst, silence) in [(second / 2, 8 * second), (second / 4, 6 * second)] {
        for _ in 0..burst {
            for ch in &mut out {
                ch.push((0.4 * rng.bipolar()) as f32);
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
        out[0][i] = f32::NAN;
        out[1][i] = 1e-41;
    }
    out
}

fn run(settings: &ChannelStripSettings, skip: bool, input: &[Vec<f32>; 2]) -> ([Vec<f32>; 2], u64) {
    let mut strip = ChannelStrip::new(RATE, 2);
    strip.set_silence_skip(skip);
    strip.set_settings(settings);
    strip.reset();
    let mut out = input.clone();
    let (left, right) = out.split_at_mut(1);
    let (left, right) = (&mut left[0], &mut right[0]);
    let len = left.len();
    let changed_at = len - 5 * RATE as usize;
    let mut changed = false;
    let mut start = 0;
    for block in [64usize, 1, 333, 4096, 100].iter().cycle() {
        if start >= len {
            break;
        }
        if !changed && start >= changed_at {
            // A change during silence: ramps run, then settle again.
            let mut s = *settings;
            s.eq.bands[1].gain_db = 2.0;
            s.stereo.width = 0.8;
            s.output_gain_db = 1.0;
            strip.set_settings(&s);
            changed = true;
        }
        let end = (start + block).min(len);
        strip.process(&mut [&mut left[start..end], &mut right[start..end]]);
        start = end;
    }
    (out, strip.frames_skipped())
}

#[test]
fn skipping_silence_is_bit_identical_and_does_happen() {
    let input = signal();
    let mut settings = busy_settings();
    settings.invert_polarity = [false; 8];
    let mut without_saturation = settings;
    without_saturation.saturation.enabled = false;
    for settings in [settings, without_saturation] {
        let (skipped_out, skipped) = run(&settings, true, &input);
        let (full_out, none) = run(&settings, false, &input);
        assert_eq!(none, 0);
        for c in 0..2 {
            for (i, (a, b)) in skipped_out[c].iter().zip(&full_out[c]).enumerate() {
                assert_eq!(a.to_bits(), b.to_bits(), "channel {c}, frame {i}");
            }
        }
        // Several seconds of the 14 s of silence settle and are skipped.
        assert!(skipped > 4 * RATE as u64, "skipped only {skipped} frames");
        println!(
            "saturation {}: {skipped} frames skipped",
            settings.saturation.enabled
        );
    }
}
