//! The composed ChannelStrip: bit-identical when neutral, block-size
//! independence, reset reproducibility, hostile input and recovery,
//! latency, readouts, polarity, and the stereo helpers.
// Settings are built up field by field from the neutral default: it reads
// as "neutral except …", which is what each test is about.
#![allow(clippy::field_reassign_with_default)]

mod strip_common;

use shared_dsp::processors::channel_strip::{ChannelStrip, ChannelStripSettings, SectionOrder};
use shared_dsp::units::eq::{CutFilterSettings, EqBandSettings, EqBandType};
use shared_dsp::units::saturation::SaturationSettings;
use shared_dsp::units::stereo::{
    apply_width, balance_gains, decode_mid_side, encode_mid_side, pan_gains,
};
use strip_common::*;

const RATE: f64 = 48_000.0;

/// Reproducible programme-like stereo test signal: noise plus tones.
fn test_signal(len: usize, seed: u64) -> [Vec<f32>; 2] {
    let mut rng = Rng::new(seed);
    let make = |rng: &mut Rng, f: f64| -> Vec<f32> {
        (0..len)
            .map(|n| {
                let t = n as f64 / RATE;
                let env = 0.5 + 0.5 * (2.0 * std::f64::consts::PI * 1.5 * t).sin();
                (env * (0.4 * (2.0 * std::f64::consts::PI * f * t).sin() + 0.2 * rng.bipolar()))
                    as f32
            })
            .collect()
    };
    [make(&mut rng, 220.0), make(&mut rng, 330.0)]
}

/// Runs `strip` over `input` in blocks of `block`, applying `change` at
/// frame `change_at` (a multiple of `block`).
fn run(
    strip: &mut ChannelStrip,
    input: &[Vec<f32>; 2],
    block: usize,
    change: Option<(usize, &ChannelStripSettings)>,
) -> [Vec<f32>; 2] {
    let mut out = input.clone();
    let len = out[0].len();
    let (left, right) = out.split_at_mut(1);
    let mut start = 0;
    while start < len {
        if let Some((at, settings)) = change {
            if start == at {
                strip.set_settings(settings);
            }
        }
        let end = (start + block).min(len);
        strip.process(&mut [&mut left[0][start..end], &mut right[0][start..end]]);
        start = end;
    }
    out
}

fn max_abs_diff(a: &[f32], b: &[f32]) -> f32 {
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f32::max)
}

#[test]
fn neutral_strip_is_bit_identical() {
    let mut input = test_signal(20_000, 1);
    // Edge values that must survive: −0, tiny normals, huge finite values.
    input[0][10] = -0.0;
    input[0][11] = f32::MIN_POSITIVE;
    input[0][12] = 1e30;
    input[1][13] = -f32::MAX;
    // Default settings (sections off) and sections on at neutral values.
    let mut neutral_on = ChannelStripSettings::default();
    neutral_on.eq_enabled = true;
    for band in &mut neutral_on.eq.bands {
        *band = EqBandSettings::new(EqBandType::Bell, 1000.0, 0.0, 1.0);
    }
    neutral_on.compressor.enabled = true; // ratio 1, no make-up
    neutral_on.gate.enabled = true; // range 0
    for settings in [ChannelStripSettings::default(), neutral_on] {
        for channels in [1, 2] {
            let mut strip = ChannelStrip::new(RATE, channels);
            strip.set_settings(&settings);
            assert_eq!(strip.latency_samples(), 0);
            let out = run(&mut strip, &input, 333, None);
            for c in 0..channels {
                for (a, b) in out[c].iter().zip(&input[c]) {
                    assert_eq!(a.to_bits(), b.to_bits());
                }
            }
        }
    }
}

#[test]
fn returns_to_bit_identical_after_sections_are_made_neutral_again() {
    let input = test_signal(96_000, 2);
    let mut strip = ChannelStrip::new(RATE, 2);
    let mut busy = busy_settings();
    busy.saturation.enabled = false; // saturation on/off changes latency
    strip.set_settings(&busy);
    let _ = run(&mut strip, &input, 64, None);
    // Everything back to neutral (sections on but neutral, or off).
    let mut neutral = ChannelStripSettings::default();
    neutral.eq.bands[2] = EqBandSettings::new(EqBandType::Bell, 3000.0, 0.0, 2.0);
    strip.set_settings(&neutral);
    // Ramps (≤ 50 ms), fades (10 ms) and the compressor's/gate's release
    // (auto release slow path 80 ms; gate 100 ms) settle within ~3 s.
    let _ = run(&mut strip, &input, 64, None);
    let _ = run(&mut strip, &input, 64, None);
    let out = run(&mut strip, &input, 64, None);
    for c in 0..2 {
        for (i, (a, b)) in out[c].iter().zip(&input[c]).enumerate() {
            assert_eq!(
                a.to_bits(),
                b.to_bits(),
                "channel {c} sample {i}: {a} vs {b}"
            );
        }
    }
}

#[test]
fn block_size_does_not_change_the_output() {
    let input = test_signal(3 * 8192, 3);
    let mut second = busy_settings();
    second.eq.bands[2].frequency_hz = 6000.0;
    second.compressor.threshold_db = -30.0;
    second.high_pass.order = 6;
    second.stereo.width = 0.5;
    let reference = {
        let mut strip = ChannelStrip::new(RATE, 2);
        strip.set_settings(&busy_settings());
        run(&mut strip, &input, 1, Some((8192, &second)))
    };
    for block in [64, 512, 4096] {
        let mut strip = ChannelStrip::new(RATE, 2);
        strip.set_settings(&busy_settings());
        let out = run(&mut strip, &input, block, Some((8192, &second)));
        for c in 0..2 {
            let d = max_abs_diff(&out[c], &reference[c]);
            assert!(d <= 1e-6, "block {block} channel {c}: {d}");
        }
    }
}

#[test]
fn reset_reproduces_the_same_output() {
    let input = test_signal(30_000, 4);
    let mut strip = ChannelStrip::new(RATE, 2);
    strip.set_settings(&busy_settings());
    strip.reset(); // ramps and fades settle on the settings
    let first = run(&mut strip, &input, 256, None);
    strip.reset();
    let second = run(&mut strip, &input, 256, None);
    for c in 0..2 {
        assert!(first[c] == second[c], "channel {c}");
    }
    // set_sample_rate to another rate and back is idempotent too.
    strip.set_sample_rate(96_000.0);
    strip.set_sample_rate(RATE);
    let third = run(&mut strip, &input, 256, None);
    for c in 0..2 {
        assert!(first[c] == third[c], "channel {c}");
    }
}

#[test]
fn hostile_input_gives_finite_normal_output_and_recovers() {
    let hostile = [
        f32::NAN,
        f32::INFINITY,
        f32::NEG_INFINITY,
        1e30,
        -1e30,
        1e-40,
        -1e-42,
        f32::MAX,
    ];
    let mut rng = Rng::new(5);
    let len = 48_000;
    let mut input = test_signal(len, 6);
    for i in 0..len {
        if i > 1000 && i < 20_000 && rng.next_u64().is_multiple_of(7) {
            input[i % 2][i] = hostile[(rng.next_u64() % hostile.len() as u64) as usize];
        }
    }
    let mut strip = ChannelStrip::new(RATE, 2);
    strip.set_settings(&busy_settings());
    let out = run(&mut strip, &input, 128, None);
    for channel in &out {
        for &y in channel {
            assert!(y.is_finite() && (y == 0.0 || y.is_normal()), "{y}");
        }
    }
    // Recovery: after 4 s of clean signal the strip matches a fresh one fed
    // the same clean signal (release of the ~450 dB gain reduction that
    // 1e30 caused takes ≈ 1 s).
    let clean = test_signal(4 * 48_000, 7);
    let recovered = run(&mut strip, &clean, 128, None);
    let mut fresh = ChannelStrip::new(RATE, 2);
    fresh.set_settings(&busy_settings());
    let reference = run(&mut fresh, &clean, 128, None);
    let tail = 3 * 48_000;
    for c in 0..2 {
        let d = max_abs_diff(&recovered[c][tail..], &reference[c][tail..]);
        assert!(d < 1e-4, "channel {c}: {d}");
    }
}

#[test]
fn silence_decays_to_exact_zero() {
    let mut strip = ChannelStrip::new(RATE, 2);
    strip.set_settings(&busy_settings());
    let _ = run(&mut strip, &test_signal(48_000, 8), 512, None);
    let silence = [vec![0.0f32; 20 * 48_000], vec![0.0f32; 20 * 48_000]];
    let out = run(&mut strip, &silence, 512, None);
    for c in 0..2 {
        assert!(out[c].iter().all(|y| *y == 0.0 || y.is_normal()));
        assert!(
            out[c][out[c].len() - 48_000..].iter().all(|y| *y == 0.0),
            "channel {c}"
        );
    }
}

#[test]
fn reported_latency_is_where_an_impulse_comes_out() {
    let mut s = ChannelStripSettings::default();
    s.saturation = SaturationSettings {
        enabled: true,
        drive_db: 0.0,
        ..SaturationSettings::default()
    };
    let mut strip = ChannelStrip::new(RATE, 1);
    strip.set_settings(&s);
    let latency = strip.latency_samples();
    assert_eq!(latency, 48);
    let mut x = vec![0.0f32; 1024];
    x[200] = 1e-3;
    strip.process(&mut [&mut x]);
    let peak = x
        .iter()
        .enumerate()
        .max_by(|a, b| a.1.abs().total_cmp(&b.1.abs()))
        .unwrap()
        .0;
    assert_eq!(peak, 200 + latency);
    s.saturation.enabled = false;
    strip.set_settings(&s);
    assert_eq!(strip.latency_samples(), 0);
}

#[test]
fn readouts_and_order() {
    let input = test_signal(48_000, 9);
    let mut s = busy_settings();
    s.saturation.enabled = false;
    let mut strip = ChannelStrip::new(RATE, 2);
    strip.set_settings(&s);
    let a = run(&mut strip, &input, 512, None);
    assert!(
        strip.gain_reduction_db() > 1.0,
        "{}",
        strip.gain_reduction_db()
    );
    assert!(strip.gate_open());
    s.order = SectionOrder::DynamicsThenEq;
    let mut strip = ChannelStrip::new(RATE, 2);
    strip.set_settings(&s);
    let b = run(&mut strip, &input, 512, None);
    assert!(max_abs_diff(&a[0], &b[0]) > 1e-3, "order must matter");
    // The gate closes on silence.
    let silence = [vec![0.0f32; 48_000], vec![0.0f32; 48_000]];
    let _ = run(&mut strip, &silence, 512, None);
    assert!(!strip.gate_open());
    assert!(
        (strip.gate_gain_db() + 20.0).abs() < 0.01,
        "{}",
        strip.gate_gain_db()
    );
}

#[test]
fn polarity_inversion_is_exact_negation_once_settled() {
    let input = test_signal(4096, 10);
    let mut s = ChannelStripSettings::default();
    s.invert_polarity[0] = true;
    let mut strip = ChannelStrip::new(RATE, 2);
    strip.set_settings(&s);
    strip.reset(); // settle the 10 ms polarity ramp
    let out = run(&mut strip, &input, 64, None);
    for (a, b) in out[0].iter().zip(&input[0]) {
        assert_eq!(a.to_bits(), (-b).to_bits());
    }
    assert!(out[1] == input[1]);
}

#[test]
fn input_trim_and_output_gain() {
    let input = test_signal(4096, 11);
    let mut s = ChannelStripSettings::default();
    s.input_trim_db = 6.0;
    s.output_gain_db = -18.0;
    let mut strip = ChannelStrip::new(RATE, 2);
    strip.set_settings(&s);
    strip.reset();
    let out = run(&mut strip, &input, 64, None);
    let g = 10f64.powf(-12.0 / 20.0);
    for (a, b) in out[0].iter().zip(&input[0]) {
        assert!((f64::from(*a) - g * f64::from(*b)).abs() < 1e-6);
    }
}

#[test]
fn stereo_helpers() {
    // Constant power and exact centre.
    assert_eq!(pan_gains(0.0), [1.0, 1.0]);
    for i in -10..=10 {
        let [l, r] = pan_gains(f64::from(i) / 10.0);
        assert!((l * l + r * r - 2.0).abs() < 1e-12);
    }
    let [l, r] = pan_gains(-1.0);
    assert!((l - 2f64.sqrt()).abs() < 1e-12 && r.abs() < 1e-12);
    assert_eq!(balance_gains(0.0), [1.0, 1.0]);
    assert_eq!(balance_gains(1.0)[1], 1.0);
    assert!(balance_gains(1.0)[0].abs() < 1e-12);
    // M/S round trip and width.
    let (m, s) = encode_mid_side(0.3, -0.7);
    let (l, r) = decode_mid_side(m, s);
    assert!((l - 0.3).abs() < 1e-15 && (r + 0.7).abs() < 1e-15);
    let (l, r) = apply_width(0.3, -0.7, 0.0);
    assert_eq!(l, r);
    let (l, r) = apply_width(0.3, -0.7, 2.0);
    assert!((l - (m + 2.0 * s)).abs() < 1e-15 && (r - (m - 2.0 * s)).abs() < 1e-15);
}

#[test]
fn strip_eq_follows_filter_response() {
    // Sine through the strip's EQ equals |H| from filter_response.
    let mut s = ChannelStripSettings::default();
    s.eq.bands[0] = EqBandSettings::new(EqBandType::Bell, 2000.0, 9.0, 1.0);
    s.high_pass = CutFilterSettings {
        enabled: true,
        cutoff_hz: 500.0,
        order: 2,
    };
    let mut strip = ChannelStrip::new(RATE, 1);
    strip.set_settings(&s);
    strip.reset();
    for f in [300.0, 1000.0, 2000.0, 8000.0] {
        let x: Vec<f32> = sine_f32(0.1, f, RATE, 48_000);
        let mut y = x.clone();
        strip.process(&mut [&mut y]);
        // RMS over a whole number of periods (24 000 samples).
        let rms = |v: &[f32]| v.iter().map(|s| f64::from(*s).powi(2)).sum::<f64>().sqrt();
        let measured = db(rms(&y[24_000..]) / rms(&x[24_000..]));
        let expected = strip.filter_response(f).norm_db();
        assert!(
            (measured - expected).abs() < 0.02,
            "{f}: {measured} vs {expected}"
        );
    }
}

#[test]
fn settings_response_matches_the_measured_impulse_response() {
    // The analytic curve the editor draws against the truth: the DFT of the
    // settled strip's impulse response, measured by processing an impulse.
    use shared_dsp::processors::channel_strip::{
        settings_response, ChannelStrip, ChannelStripSettings,
    };
    use shared_dsp::units::eq::{EqBandSettings, EqBandType};
    for rate in [44_100.0, 96_000.0] {
        let mut settings = ChannelStripSettings::default();
        settings.high_pass.enabled = true;
        settings.high_pass.cutoff_hz = 120.0;
        settings.high_pass.order = 3;
        settings.low_pass.enabled = true;
        settings.low_pass.cutoff_hz = 15_000.0;
        settings.eq.bands[1] = EqBandSettings::new(EqBandType::Bell, 900.0, 6.0, 1.5);
        settings.eq.bands[4] = EqBandSettings::new(EqBandType::HighShelf, 8_000.0, -4.0, 0.7);
        let mut strip = ChannelStrip::new(rate, 1);
        strip.set_settings(&settings);
        // Run long enough for every glide and crossfade to settle.
        let mut block = vec![0.0f32; rate as usize];
        strip.process(&mut [&mut block[..]]);
        let mut impulse = vec![0.0f32; rate as usize];
        impulse[0] = 1.0;
        strip.process(&mut [&mut impulse[..]]);
        for freq in [50.0, 100.0, 120.0, 900.0, 5_000.0, 15_000.0, 20_000.0] {
            let w = std::f64::consts::TAU * freq / rate;
            let (re, im) =
                impulse
                    .iter()
                    .enumerate()
                    .fold((0.0f64, 0.0f64), |(re, im), (n, &h)| {
                        let phase = w * n as f64;
                        (
                            re + f64::from(h) * phase.cos(),
                            im - f64::from(h) * phase.sin(),
                        )
                    });
            let measured_db = 10.0 * (re * re + im * im).log10();
            let analytic_db = settings_response(&settings, rate, freq).norm_db();
            assert!(
                (measured_db - analytic_db).abs() < 0.01,
                "{rate} Hz, {freq} Hz: measured {measured_db:.4} dB, analytic {analytic_db:.4} dB"
            );
        }
    }
}
