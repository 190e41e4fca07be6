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
