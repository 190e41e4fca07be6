//! The Channel Strip's band solo against independent truth: the analog
//! band-pass (RBJ, constant 0 dB peak) at the bilinear transform's
//! prewarped frequency, measured with steady sines; and un-soloing returns
//! the strip bit-exactly to what it outputs without ever soloing.

use shared_dsp::processors::channel_strip::{ChannelStrip, ChannelStripSettings, SOLO_FADE_MS};
use shared_dsp::units::eq::EqBandType;
use std::f64::consts::PI;

const RATE: f64 = 48_000.0;

fn rms(x: &[f32]) -> f64 {
    (x.iter().map(|&v| f64::from(v).powi(2)).sum::<f64>() / x.len() as f64).sqrt()
}

/// A strip with band 2 a +12 dB bell at `f0_hz`, quality `q`, soloed.
fn soloed(f0_hz: f32, q: f32) -> ChannelStripSettings {
    let mut s = ChannelStripSettings::default();
    let band = &mut s.eq.bands[1];
    band.enabled = true;
    band.band_type = EqBandType::Bell;
    band.frequency_hz = f0_hz;
    band.gain_db = 12.0;
    band.q = q;
    s.eq_solo = Some(1);
    s
}

/// |H| of `(s/Q)/(s² + s/Q + 1)` at the digital frequency `f_hz`, with the
/// bilinear transform's frequency warping: `Ω = tan(πf/fs) / tan(πf0/fs)`.
fn analog_bandpass_db(f_hz: f64, f0_hz: f64, q: f64) -> f64 {
    let w = (PI * f_hz / RATE).tan() / (PI * f0_hz / RATE).tan();
    let num = w / q;
    let den = ((1.0 - w * w).powi(2) + (w / q).powi(2)).sqrt();
    20.0 * (num / den).log10()
}

#[test]
fn a_soloed_band_is_heard_through_a_band_pass_at_its_frequency_and_q() {
    for (f0, q) in [(1000.0f32, 2.0f32), (120.0, 0.7), (6000.0, 8.0)] {
        // Below Nyquist for every centre here (6 kHz · 3 = 18 kHz).
        for ratio in [0.25, 0.7, 1.0, 1.3, 3.0] {
            let f = f64::from(f0) * ratio;
            let mut strip = ChannelStrip::new(RATE, 2);
            strip.set_settings(&soloed(f0, q));
            strip.reset();
            let n = RATE as usize;
            let input: Vec<f32> = (0..n)
                .map(|i| (0.25 * (2.0 * PI * f * i as f64 / RATE).sin()) as f32)
                .collect();
            let mut left = input.clone();
            let mut right = input.clone();
            strip.process(&mut [&mut left, &mut right]);
            // The last half second: the band-pass has long settled.
            let gain_db = 20.0 * (rms(&left[n / 2..]) / rms(&input[n / 2..])).log10();
            let expected = analog_bandpass_db(f, f64::from(f0), f64::from(q));
            assert!(
                (gain_db - expected).abs() < 0.05,
                "f0 {f0} Hz Q {q} at {f} Hz: {gain_db:.3} dB, expected {expected:.3}"
            );
            assert_eq!(left, right);
        }
    }
}

#[test]
fn unsoloing_fades_back_to_exactly_the_unsoloed_strip() {
    let with_solo = soloed(800.0, 1.5);
    let mut without = with_solo;
    without.eq_solo = None;
    let mut a = ChannelStrip::new(RATE, 1);
    let mut b = ChannelStrip::new(RATE, 1);
    a.set_settings(&with_solo);
    a.reset();
    b.set_settings(&without);
    b.reset();
    // Seeded noise (64-bit LCG), half a second soloed, then half unsoloed.
    let mut state = 0x1234_5678_u64;
    let mut noise = |n: usize| -> Vec<f32> {
        (0..n)
            .map(|_| {
                state = state
                    .wrapping_mul(6_364_136_223_846_793_005)
                    .wrapping_add(1_442_695_040_888_963_407);
                ((state >> 40) as f32 / (1u64 << 24) as f32 - 0.5) * 0.5
            })
            .collect()
    };
    let half = RATE as usize / 2;
    let first = noise(half);
    let (mut a1, mut b1) = (first.clone(), first);
    a.process(&mut [&mut a1]);
    b.process(&mut [&mut b1]);
    assert!(a1 != b1, "the solo is heard");
    without.eq_solo = None;
    a.set_settings(&without);
    let second = noise(half);
    let (mut a2, mut b2) = (second.clone(), second);
    a.process(&mut [&mut a2]);
    b.process(&mut [&mut b2]);
    let fade = (SOLO_FADE_MS * RATE / 1000.0).ceil() as usize;
    assert!(a2[..fade] != b2[..fade], "it fades out rather than cuts");
    assert_eq!(a2[fade..], b2[fade..], "after the fade, bit-identical");
}

#[test]
fn a_soloed_band_that_moves_glides_its_band_pass_like_the_eq() {
    use shared_dsp::units::eq::PARAMETER_RAMP_MS;
    // Soloed at 1 kHz, Q 2, hearing a 1 kHz sine; then the node is dragged
    // two octaves up in one step (as a host's automation jump does).
    let (from_hz, to_hz, q) = (1000.0f32, 4000.0f32, 2.0f32);
    let mut strip = ChannelStrip::new(RATE, 1);
    strip.set_settings(&soloed(from_hz, q));
    strip.reset();
    let period = (RATE / f64::from(from_hz)) as usize; // 48 samples
    let total = RATE as usize;
    let input: Vec<f32> = (0..total)
        .map(|i| (0.25 * (2.0 * PI * f64::from(from_hz) * i as f64 / RATE).sin()) as f32)
        .collect();
    let moved_at = total / 2;
    let mut output = input.clone();
    for (k, block) in output.chunks_mut(64).enumerate() {
        if k * 64 == moved_at {
            strip.set_settings(&soloed(to_hz, q));
        }
        strip.process(&mut [block]);
    }
    assert_eq!(moved_at % 64, 0);
    // Gain over one period starting `after` samples after the move, dB.
    let gain_db = |after: usize| {
        let at = moved_at + after;
        20.0 * (rms(&output[at..at + period]) / rms(&input[at..at + period])).log10()
    };
    // The analog response at the frequency the glide has reached: log
    // frequency moves linearly over the ramp.
    let ramp = PARAMETER_RAMP_MS * RATE / 1000.0;
    let expected_db = |after: usize| {
        let centre = (after + period / 2) as f64;
        let fraction = (centre / ramp).min(1.0);
        let f0 = f64::from(from_hz) * (f64::from(to_hz) / f64::from(from_hz)).powf(fraction);
        analog_bandpass_db(f64::from(from_hz), f0, f64::from(q))
    };
    let settled = analog_bandpass_db(f64::from(from_hz), f64::from(to_hz), f64::from(q));
    assert!(settled < -8.0, "the move is audible: {settled:.2} dB");
    // Right after the move it is still close to the old band (a step
    // would be near `settled` within a fraction of a millisecond).
    for after in [0, period, 2 * period] {
        let g = gain_db(after);
        assert!(
            (g - expected_db(after)).abs() < 0.5 && g > -1.0,
            "{after} samples after the move: {g:.2} dB, gliding expects {:.2}",
            expected_db(after)
        );
    }
    // Through the glide it follows the gliding band-pass and falls steadily.
    let mut previous = 0.0;
    for after in (0..ramp as usize).step_by(period) {
        let g = gain_db(after);
        assert!(
            (g - expected_db(after)).abs() < 0.5,
            "{after}: {g:.2} vs {:.2}",
            expected_db(after)
        );
        assert!(g <= previous + 0.05, "{after}: {g:.2} after {previous:.2}");
        previous = g;
    }
    // Once the ramp is over, exactly the new band-pass.
    let g = gain_db(2 * ramp as usize);
    assert!((g - settled).abs() < 0.05, "{g:.3} vs {settled:.3}");
}
