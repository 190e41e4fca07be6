//! Maximizer processor: bit-exact pass-through below threshold, latency
//! where an impulse comes out, block-size independence, reset, dither grid,
//! hostile input, release timing and characters, auto release, listening
//! aids, smoothing, latency changes. (True-peak safety over the stress set:
//! `maximizer_true_peak.rs`; allocation: `maximizer_no_alloc.rs`.)

mod maximizer_support;
use maximizer_support::*;
use shared_dsp::processors::maximizer::{
    Character, DitherMode, Listen, Maximizer, MaximizerSettings, Oversampling,
};
use std::f64::consts::PI;

const RATES: [f64; 5] = [44_100.0, 48_000.0, 88_200.0, 96_000.0, 192_000.0];

/// Quiet, band-limited programme: three tones, −14 dBFS peak at most.
fn quiet(rate: f64, len: usize) -> Stereo {
    (0..2)
        .map(|c| {
            (0..len)
                .map(|i| {
                    let t = i as f64 / rate;
                    (0.08 * (2.0 * PI * 220.0 * t + c as f64).sin()
                        + 0.06 * (2.0 * PI * 1234.5 * t).sin()
                        + 0.05 * (2.0 * PI * 7000.0 * t + 0.3).sin()) as f32
                })
                .collect()
        })
        .collect()
}

fn delayed(x: &[f32], latency: usize) -> Vec<f32> {
    let mut out = vec![0.0; x.len()];
    out[latency..].copy_from_slice(&x[..x.len() - latency]);
    out
}

fn bits(x: &[f32]) -> Vec<u32> {
    x.iter().map(|v| v.to_bits()).collect()
}

#[test]
fn below_threshold_output_is_the_input_delayed_bit_exactly() {
    for rate in [44_100.0, 48_000.0, 96_000.0] {
        for oversampling in [Oversampling::X4, Oversampling::X8] {
            for character in [Character::Transparent, Character::Punchy] {
                let settings = MaximizerSettings {
                    oversampling,
                    character,
                    ..MaximizerSettings::default()
                };
                let mut input = quiet(rate, 20_000);
                // Signed zeros and tiny (normal) values must survive too.
                input[0][100] = -0.0;
                input[1][101] = f32::MIN_POSITIVE;
                input[1][102] = -1e-30;
                let mut m = Maximizer::new(rate, 2);
                m.set_settings(&settings);
                let latency = m.latency_samples();
                let out = process_blocks(&mut m, &input, || 333);
                for c in 0..2 {
                    assert_eq!(
                        bits(&out[c]),
                        bits(&delayed(&input[c], latency)),
                        "{rate} {oversampling:?} {character:?} ch {c}"
                    );
                }
                assert_eq!(m.gain_reduction_db(), 0.0);
            }
        }
    }
}

#[test]
fn impulse_comes_out_at_the_reported_latency() {
    for rate in RATES {
        for oversampling in [Oversampling::X4, Oversampling::X8] {
            for lookahead_ms in [0.5f32, 1.0, 1.5, 2.7, 5.0] {
                let settings = MaximizerSettings {
                    oversampling,
                    lookahead_ms,
                    ..MaximizerSettings::default()
                };
                let mut m = Maximizer::new(rate, 2);
                m.set_settings(&settings);
                let latency = m.latency_samples();
                let expected_lookahead = (f64::from(lookahead_ms) * 1e-3 * rate).round() as usize;
                assert!(
                    latency >= expected_lookahead,
                    "latency covers the look-ahead"
                );
                let len = latency + 100;
                let mut input = vec![vec![0.0f32; len]; 2];
                input[0][0] = 0.5;
                input[1][0] = -0.25;
                let out = process_blocks(&mut m, &input, || 17);
                for (c, level) in [(0, 0.5f32), (1, -0.25)] {
                    for (i, &y) in out[c].iter().enumerate() {
                        let expected = if i == latency { level } else { 0.0 };
                        assert_eq!(
                            y, expected,
                            "{rate} {oversampling:?} {lookahead_ms} ms ch {c} at {i} (latency {latency})"
                        );
                    }
                }
            }
        }
    }
}

#[test]
fn latency_is_constant_for_given_settings_and_follows_changes() {
    let mut m = Maximizer::new(48_000.0, 2);
    let base = MaximizerSettings::default();
    m.set_settings(&base);
    let l0 = m.latency_samples();
    // Non-structural changes keep it.
    for s in [
        MaximizerSettings {
            input_gain_db: 12.0,
            ..base
        },
        MaximizerSettings {
            character: Character::Punchy,
            release_ms: 3.0,
            auto_release: false,
            ..base
        },
        MaximizerSettings {
            dither: DitherMode::Tpdf,
            ..base
        },
    ] {
        m.set_settings(&s);
        assert_eq!(m.latency_samples(), l0);
    }
    m.set_settings(&MaximizerSettings {
        lookahead_ms: 5.0,
        ..base
    });
    assert_eq!(m.latency_samples(), l0 + 168); // (5.0 − 1.5) ms · 48 kHz
}

#[test]
fn output_does_not_depend_on_block_size() {
    let rate = 48_000.0;
    let mut rng = Rng::new(3);
    let input = music_like(&mut rng, rate, 1.0);
    for settings in [
        MaximizerSettings {
            input_gain_db: 10.0,
            ..MaximizerSettings::default()
        },
        MaximizerSettings {
            input_gain_db: 15.0,
            character: Character::Punchy,
            oversampling: Oversampling::X8,
            auto_release: false,
            release_ms: 5.0,
            stereo_link: 0.4,
            dither: DitherMode::NoiseShaped,
            dither_bits: 16,
            ..MaximizerSettings::default()
        },
    ] {
        let reference = run(rate, &settings, &input, 4096);
        for sizes in [1usize, 64, 0] {
            let mut m = Maximizer::new(rate, 2);
            m.set_settings(&settings);
            let mut rng = Rng::new(sizes as u64 + 9);
            let out = process_blocks(&mut m, &input, || {
                if sizes == 0 {
                    rng.range(1, 1500)
                } else {
                    sizes
                }
            });
            for c in 0..2 {
                assert_eq!(bits(&out[c]), bits(&reference[c]), "block {sizes} ch {c}");
            }
        }
    }
}

#[test]
fn reset_reproduces_the_same_output() {
    let rate = 44_100.0;
    let mut rng = Rng::new(4);
    let input = music_like(&mut rng, rate, 0.5);
    let settings = MaximizerSettings {
        input_gain_db: 12.0,
        dither: DitherMode::Tpdf,
        dither_bits: 16,
        ..MaximizerSettings::default()
    };
    let mut m = Maximizer::new(rate, 2);
    m.set_settings(&settings);
    let first = process_blocks(&mut m, &input, || 256);
    m.reset();
    m.set_settings(&settings);
    let second = process_blocks(&mut m, &input, || 100);
    assert_eq!(first, second);
}

#[test]
fn dithered_output_lies_on_the_bit_grid_within_range() {
    let rate = 48_000.0;
    let mut rng = Rng::new(5);
    let loud = music_like(&mut rng, rate, 0.5);
    for dither in [DitherMode::Tpdf, DitherMode::NoiseShaped] {
        for dither_bits in [16u32, 20, 24] {
            for (input, gain) in [(&loud, 12.0f32), (&quiet(rate, 24_000), 0.0)] {
                let settings = MaximizerSettings {
                    input_gain_db: gain,
                    ceiling_dbtp: -0.1,
                    dither,
                    dither_bits,
                    ..MaximizerSettings::default()
                };
                let out = run(rate, &settings, input, 512);
                let scale = (dither_bits as f64 - 1.0).exp2();
                let lsb = 1.0 / scale;
                for c in &out {
                    for &y in c {
                        let k = f64::from(y) * scale;
                        assert_eq!(k, k.round(), "{dither:?} {dither_bits}: {y} off grid");
                        assert!(
                            (-1.0..=1.0 - lsb).contains(&f64::from(y)),
                            "{dither:?} {dither_bits}: {y} out of range"
                        );
                    }
                }
                // Dither's headroom keeps the true peak under the ceiling.
                let tp = reference_true_peak_db(&out);
                assert!(tp <= -0.1, "{dither:?} {dither_bits}: {tp} dBTP");
            }
        }
    }
}

#[test]
fn dither_is_seeded_and_decorrelated_between_channels() {
    let rate = 44_100.0;
    let settings = MaximizerSettings {
        dither: DitherMode::Tpdf,
        dither_bits: 16,
        ..MaximizerSettings::default()
    };
    let silence = vec![vec![0.0f32; 4000]; 2];
    let a = run(rate, &settings, &silence, 64);
    let b = run(rate, &settings, &silence, 1000);
    assert_eq!(a, b, "same seed, same noise");
    assert_ne!(a[0], a[1], "channels get different noise");
    assert!(
        a[0].iter().any(|&v| v != 0.0),
        "TPDF dither is audible on silence"
    );
}

#[test]
fn hostile_input_gives_finite_output_under_the_ceiling_and_recovers() {
    let rate = 48_000.0;
    let settings = MaximizerSettings {
        input_gain_db: 24.0,
        release_ms: 5.0,
        auto_release: false,
        ..MaximizerSettings::default()
    };
    let ceiling = 10f32.powf(-1.0 / 20.0);
    let len = 48_000;
    let mut input = quiet(rate, len);
    let hostile = [
        f32::NAN,
        f32::INFINITY,
        f32::NEG_INFINITY,
        1e30,
        -1e30,
        f32::MAX,
        1e-40, // subnormal
        -1e-45,
    ];
    for (k, v) in hostile.iter().enumerate() {
        for i in 0..50 {
            input[k % 2][1000 + 200 * k + i] = *v;
        }
    }
    // A block of pure garbage.
    for channel in input.iter_mut() {
        for (i, v) in channel.iter_mut().enumerate().take(5100).skip(5000) {
            *v = hostile[i % hostile.len()];
        }
    }
    let mut m = Maximizer::new(rate, 2);
    m.set_settings(&settings);
    let out = process_blocks(&mut m, &input, || 480);
    for c in &out {
        for &y in c {
            assert!(y.is_finite(), "non-finite output");
            assert!(y == 0.0 || y.is_normal(), "subnormal output {y:e}");
            assert!(y.abs() <= ceiling, "sample peak {y} above the ceiling");
        }
    }
    // Recovery: quiet material at 0 dB gain is bit-exact again once the
    // release has finished (5 ms time constant; 0.5 s is plenty).
    m.set_settings(&MaximizerSettings {
        input_gain_db: 0.0,
        ..settings
    });
    let tail_in = quiet(rate, 48_000);
    let tail_out = process_blocks(&mut m, &tail_in, || 512);
    let latency = m.latency_samples();
    let start = 24_000;
    for c in 0..2 {
        assert_eq!(
            bits(&tail_out[c][start..]),
            bits(&tail_in[c][start - latency..tail_in[c].len() - latency]),
            "channel {c} did not recover"
        );
    }
}

/// Gain reduction per output sample (blocks of one sample).
fn gain_reduction_trace(rate: f64, settings: &MaximizerSettings, input: &Stereo) -> Vec<f32> {
    let mut m = Maximizer::new(rate, 2);
    m.set_settings(settings);
    let mut trace = Vec::with_capacity(input[0].len());
    let mut x = input.clone();
    for i in 0..x[0].len() {
        let (l, r) = x.split_at_mut(1);
        m.process(&mut [&mut l[0][i..=i], &mut r[0][i..=i]]);
        trace.push(m.gain_reduction_db());
    }
    trace
}

/// A 1 kHz sine at +`over_db` above the ceiling for `burst_s`, then a quiet
/// tone (never limited), `total_s` long.
fn burst(rate: f64, over_db: f64, burst_s: f64, total_s: f64) -> Stereo {
    let n = (total_s * rate) as usize;
    let nb = (burst_s * rate) as usize;
    let amp = db_to_amp(-1.0 + over_db);
    let x: Vec<f32> = (0..n)
        .map(|i| {
            let s = (2.0 * PI * 1000.0 * i as f64 / rate).sin();
            (if i < nb { amp * s } else { 0.01 * s }) as f32
        })
        .collect();
    vec![x.clone(), x]
}

/// Seconds after the burst leaves the output until the gain reduction has
/// fallen to 1/e of its held value (63 % recovered, in dB).
fn recovery_time_s(trace: &[f32], burst_end_output: usize, rate: f64) -> f64 {
    let held = trace[burst_end_output - 10];
    let target = held * (-1.0f32).exp();
    let idx = (burst_end_output..trace.len())
        .find(|&i| trace[i] <= target)
        .expect("recovers");
    (idx - burst_end_output) as f64 / rate
}

#[test]
fn release_follows_its_time_constant_and_characters_differ() {
    let rate = 48_000.0;
    let input = burst(rate, 6.0, 0.3, 1.5);
    for release_ms in [50.0f32, 200.0] {
        let mut times = Vec::new();
        for character in [Character::Transparent, Character::Punchy] {
            let settings = MaximizerSettings {
                release_ms,
                auto_release: false,
                character,
                ..MaximizerSettings::default()
            };
            let trace = gain_reduction_trace(rate, &settings, &input);
            let m = Maximizer::new(rate, 2);
            let _ = m;
            let latency = {
                let mut m = Maximizer::new(rate, 2);
                m.set_settings(&settings);
                m.latency_samples()
            };
            let burst_end = (0.3 * rate) as usize + latency;
            let held = trace[burst_end - 10];
            assert!((held - 6.0).abs() < 0.3, "held reduction {held} dB");
            let t = recovery_time_s(&trace, burst_end, rate);
            let ratio = match character {
                Character::Transparent => 1.0,
                Character::Punchy => 0.4,
            };
            // Expected: the release time constant, plus the hold after the
            // last peak (≤ look-ahead + 6 samples + up to half a 1 kHz cycle
            // between peaks) and half the attack ramp; ±5 % of τ.
            let tau = f64::from(release_ms) * 1e-3 * ratio;
            let lookahead = 1.5e-3;
            let lo = tau * 0.95;
            let hi = tau * 1.05 + 1.5 * lookahead + 0.5e-3;
            assert!(
                (lo..=hi).contains(&t),
                "{character:?} {release_ms} ms: 63 % recovery after {:.2} ms, expected {:.2}..{:.2}",
                t * 1e3,
                lo * 1e3,
                hi * 1e3
            );
            times.push(t);
        }
        assert!(
            times[1] < 0.5 * times[0],
            "punchy must recover faster: {times:?}"
        );
    }
}

#[test]
fn punchy_lets_transient_onsets_through_longer() {
    // The attack ramp of Punchy spans half the look-ahead and ends where
    // Transparent's does: at a step onset its gain starts falling later, so
    // more of the signal before the peak is untouched.
    let rate = 48_000.0;
    let n = 4800;
    let x: Vec<f32> = (0..n)
        .map(|i| if i < 2400 { 0.1 } else { 1.5 } * (2.0 * PI * 100.0 * i as f64 / rate).sin() as f32)
        .collect();
    let input = vec![x.clone(), x];
    let first_reduction = |character| {
        let settings = MaximizerSettings {
            lookahead_ms: 5.0,
            character,
            ..MaximizerSettings::default()
        };
        let trace = gain_reduction_trace(rate, &settings, &input);
        trace.iter().position(|&g| g > 0.0).unwrap()
    };
    let transparent = first_reduction(Character::Transparent);
    let punchy = first_reduction(Character::Punchy);
    // 5 ms look-ahead = 240 samples; half of it is 120.
    assert!(
        (115..=125).contains(&(punchy - transparent)),
        "punchy {punchy} vs transparent {transparent}"
    );
}

#[test]
fn auto_release_recovers_faster_after_short_peaks_than_after_sustained_limiting() {
    let rate = 48_000.0;
    let settings = MaximizerSettings {
        release_ms: 300.0,
        auto_release: true,
        ..MaximizerSettings::default()
    };
    let latency = {
        let mut m = Maximizer::new(rate, 2);
        m.set_settings(&settings);
        m.latency_samples()
    };
    let recovery = |burst_s: f64| {
        let input = burst(rate, 6.0, burst_s, burst_s + 1.5);
        let trace = gain_reduction_trace(rate, &settings, &input);
        recovery_time_s(&trace, (burst_s * rate) as usize + latency, rate)
    };
    let short = recovery(0.01);
    let long = recovery(1.0);
    assert!(
        short < 0.25 * long,
        "short {:.1} ms, long {:.1} ms",
        short * 1e3,
        long * 1e3
    );
    // Sustained limiting releases with about `release_ms`.
    assert!((0.2..0.35).contains(&long), "long {:.1} ms", long * 1e3);
}

#[test]
fn listening_aids() {
    let rate = 44_100.0;
    let mut rng = Rng::new(8);
    let input = music_like(&mut rng, rate, 0.5);
    let base = MaximizerSettings {
        input_gain_db: 8.0,
        level_match_gain_db: -6.0,
        ..MaximizerSettings::default()
    };
    let output = run(rate, &base, &input, 300);
    let mut m = Maximizer::new(rate, 2);
    m.set_settings(&base);
    let latency = m.latency_samples();

    // Level-matched bypass: the input, latency-aligned, × level-match gain.
    let bypass = run(
        rate,
        &MaximizerSettings {
            listen: Listen::LevelMatchedBypass,
            ..base
        },
        &input,
        300,
    );
    let lm = 10f32.powf(-6.0 / 20.0);
    for c in 0..2 {
        let expected: Vec<f32> = delayed(&input[c], latency).iter().map(|v| v * lm).collect();
        assert_eq!(bits(&bypass[c]), bits(&expected));
    }

    // Delta + output = gained input, latency-aligned — while the delta
    // itself stays under the ceiling (+4 dB here: above it, the monitor path
    // holds the delta at the ceiling too, see `maximizer_monitor.rs`).
    let delta_base = MaximizerSettings {
        input_gain_db: 4.0,
        ..base
    };
    let delta_output = run(rate, &delta_base, &input, 300);
    let delta = run(
        rate,
        &MaximizerSettings {
            listen: Listen::Delta,
            ..delta_base
        },
        &input,
        300,
    );
    let gain = 10f32.powf(4.0 / 20.0);
    let mut delta_energy = 0.0;
    for c in 0..2 {
        let gained = delayed(&input[c], latency);
        for i in 0..gained.len() {
            let sum = delta[c][i] + delta_output[c][i];
            // Delta is what the limiter removes before the true-peak guard;
            // the output also carries the guard's small trims (< 0.1 dB).
            let guard_trim = delta_output[c][i].abs() * (1.0 - 10f32.powf(-0.1 / 20.0));
            assert!(
                (sum - gained[i] * gain).abs() < 1e-5 + guard_trim,
                "at {i}: {sum} vs {}",
                gained[i] * gain
            );
            delta_energy += f64::from(delta[c][i]).powi(2);
        }
    }
    assert!(delta_energy > 1.0, "the limiter removes something");

    // Monitor gain scales the final output.
    let monitored = run(
        rate,
        &MaximizerSettings {
            monitor_gain_db: -10.0,
            ..base
        },
        &input,
        300,
    );
    let mg = 10f32.powf(-10.0 / 20.0);
    for c in 0..2 {
        for i in 0..output[c].len() {
            assert!((monitored[c][i] - output[c][i] * mg).abs() <= 1e-7);
        }
    }
}

#[test]
fn gain_and_listen_changes_are_smoothed() {
    let rate = 48_000.0;
    let len = 48_000;
    let tone: Vec<f32> = (0..len)
        .map(|i| (0.05 * (2.0 * PI * 50.0 * i as f64 / rate).sin()) as f32)
        .collect();
    let mut m = Maximizer::new(rate, 2);
    let base = MaximizerSettings::default();
    m.set_settings(&base);
    let mut out = [tone.clone(), tone.clone()];
    let half = len / 2;
    {
        let (l, r) = out.split_at_mut(1);
        m.process(&mut [&mut l[0][..half], &mut r[0][..half]]);
    }
    // +12 dB input gain, −6 dB monitor, switch to bypass at once.
    m.set_settings(&MaximizerSettings {
        input_gain_db: 12.0,
        monitor_gain_db: -6.0,
        ..base
    });
    {
        let (l, r) = out.split_at_mut(1);
        m.process(&mut [&mut l[0][half..], &mut r[0][half..]]);
    }
    // A 50 Hz tone changes by ≤ 2π·50/48000·peak per sample; with the
    // gains ramping over 20 ms, a jump would show as a much larger step.
    let peak = 0.05 * 4.0;
    let max_natural_step = 2.0 * PI * 50.0 / rate * peak;
    let steps = out[0].windows(2).map(|w| f64::from((w[1] - w[0]).abs()));
    let max_step = steps.fold(0.0, f64::max);
    assert!(
        max_step < 1.5 * max_natural_step,
        "step {max_step} vs {max_natural_step}"
    );
    let ramp_end = half + 2000;
    let expected_gain = 10f32.powf(12.0 / 20.0) * 10f32.powf(-6.0 / 20.0);
    let latency = m.latency_samples();
    for i in ramp_end + latency..len {
        let expected = tone[i - latency] * expected_gain;
        assert!((out[0][i] - expected).abs() < 1e-6, "{i}");
    }

    // Listen changes crossfade too.
    let mut m = Maximizer::new(rate, 1);
    m.set_settings(&MaximizerSettings {
        input_gain_db: 12.0,
        ..base
    });
    let mut x = tone.clone();
    m.process(&mut [&mut x[..half]]);
    m.set_settings(&MaximizerSettings {
        input_gain_db: 12.0,
        listen: Listen::Delta,
        ..base
    });
    m.process(&mut [&mut x[half..]]);
    let max_step = x
        .windows(2)
        .map(|w| (w[1] - w[0]).abs())
        .fold(0.0, f32::max);
    assert!(
        f64::from(max_step) < 1.5 * max_natural_step,
        "listen step {max_step}"
    );
}

#[test]
fn lookahead_change_stays_true_peak_safe() {
    let rate = 48_000.0;
    let mut rng = Rng::new(12);
    let input = music_like(&mut rng, rate, 1.0);
    let mut m = Maximizer::new(rate, 2);
    let mut settings = MaximizerSettings {
        input_gain_db: 12.0,
        ..MaximizerSettings::default()
    };
    m.set_settings(&settings);
    let mut out = input.clone();
    let chunk = 4800;
    for (k, start) in (0..input[0].len()).step_by(chunk).enumerate() {
        settings.lookahead_ms = [1.5, 5.0, 0.5, 3.0][k % 4];
        settings.oversampling = [Oversampling::X4, Oversampling::X8][k % 2];
        m.set_settings(&settings);
        let (l, r) = out.split_at_mut(1);
        let end = (start + chunk).min(input[0].len());
        m.process(&mut [&mut l[0][start..end], &mut r[0][start..end]]);
    }
    let tp = reference_true_peak_db(&out);
    assert!(tp <= -1.0, "{tp} dBTP");
}

#[test]
fn gain_reduction_is_reported() {
    let rate = 48_000.0;
    let input = burst(rate, 6.0, 0.5, 0.5);
    let settings = MaximizerSettings::default();
    let mut m = Maximizer::new(rate, 2);
    m.set_settings(&settings);
    let _ = process_blocks(&mut m, &input, || 4800);
    let gr = m.gain_reduction_db();
    assert!((gr - 6.0).abs() < 0.2, "{gr}");
}

#[test]
fn bypass_is_the_latency_aligned_input_and_switches_without_a_click() {
    let rate = 48_000.0;
    let len = 48_000;
    let input = music_like(&mut Rng::new(11), rate, len as f64 / rate);
    let settings = MaximizerSettings {
        input_gain_db: 9.0,
        ..MaximizerSettings::default()
    };
    let mut m = Maximizer::new(rate, 2);
    m.set_settings(&settings);
    m.set_bypass(true);
    let latency = m.latency_samples();
    let mut out = input.clone();
    {
        let (l, r) = out.split_at_mut(1);
        m.process(&mut [&mut l[0][..], &mut r[0][..]]);
    }
    // Fully bypassed from the start: exactly the input, delayed.
    for c in 0..2 {
        assert_eq!(bits(&out[c]), bits(&delayed(&input[c], latency)));
    }

    // Switch bypass off and on again mid-signal: the output never jumps by more
    // than the signal itself does plus the limited/dry difference spread over
    // the crossfade (a hard switch would jump by up to that whole difference).
    let mut m = Maximizer::new(rate, 2);
    m.set_settings(&settings);
    let mut out = input.clone();
    let switch_at = [12_000, 30_000];
    let mut max_jump = 0.0f32;
    let mut max_signal_step = 0.0f32;
    let mut pos = 0;
    for (k, end) in switch_at.iter().copied().chain([len]).enumerate() {
        let (l, r) = out.split_at_mut(1);
        m.process(&mut [&mut l[0][pos..end], &mut r[0][pos..end]]);
        m.set_bypass(k == 0);
        pos = end;
    }
    for c in 0..2 {
        for i in latency + 1..len {
            max_signal_step =
                max_signal_step.max((input[c][i - latency] - input[c][i - latency - 1]).abs());
        }
        for &s in &switch_at {
            for i in s..s + 2_000 {
                max_jump = max_jump.max((out[c][i] - out[c][i - 1]).abs());
            }
        }
    }
    assert!(
        max_jump <= 2.0 * max_signal_step,
        "bypass switch jumps by {max_jump}, signal steps at most {max_signal_step}"
    );
}

#[test]
fn meters_read_the_raw_input_and_the_limited_master() {
    use shared_dsp::units::loudness::LoudnessMeter;
    let rate = 48_000.0;
    let input = music_like(&mut Rng::new(5), rate, 8.0);
    let settings = MaximizerSettings {
        input_gain_db: 8.0,
        listen: Listen::Delta,
        monitor_gain_db: -6.0,
        ..MaximizerSettings::default()
    };
    let mut m = Maximizer::new(rate, 2);
    m.set_settings(&settings);
    let mut heard = input.clone();
    {
        let (l, r) = heard.split_at_mut(1);
        m.process(&mut [&mut l[0][..], &mut r[0][..]]);
    }
    // Input meter: exactly a meter fed the raw input.
    let mut reference = LoudnessMeter::new(rate, 2);
    reference.process(&[&input[0][..], &input[1][..]]);
    assert_eq!(m.input_readings(), reference.readings());

    // Output meter: the limited master, although Delta and monitor gain are heard.
    let master = run(
        rate,
        &MaximizerSettings {
            listen: Listen::Output,
            monitor_gain_db: 0.0,
            ..settings
        },
        &input,
        4096,
    );
    let mut reference = LoudnessMeter::new(rate, 2);
    reference.process(&[&master[0][..], &master[1][..]]);
    let (got, want) = (m.output_readings(), reference.readings());
    let (gi, wi) = (got.integrated_lufs.unwrap(), want.integrated_lufs.unwrap());
    assert!((gi - wi).abs() < 0.01, "output meter {gi} vs master {wi}");
    assert!(got.true_peak_dbtp.unwrap() <= f64::from(settings.ceiling_dbtp));

    // Block stats: peaks of what went in and what came out of the last call.
    let stats = m.block_stats();
    let peak = |x: &Stereo| x.iter().flatten().fold(0.0f32, |a, v| a.max(v.abs()));
    assert_eq!(stats.input_peak, peak(&input));
    assert_eq!(stats.output_peak, peak(&heard));

    m.reset_meters();
    assert_eq!(m.output_readings().integrated_lufs, None);
}

#[test]
fn bypass_turns_off_again_and_processing_resumes() {
    let rate = 48_000.0;
    let input = music_like(&mut Rng::new(12), rate, 1.0);
    let settings = MaximizerSettings {
        input_gain_db: 9.0,
        ..MaximizerSettings::default()
    };
    let len = input[0].len();
    let switch_on = 4_800;
    let switch_off = 14_400;
    let mut m = Maximizer::new(rate, 2);
    m.set_settings(&settings);
    let mut out = input.clone();
    let mut pos = 0;
    for (end, bypass) in [(switch_on, true), (switch_off, false), (len, false)] {
        let (l, r) = out.split_at_mut(1);
        m.process(&mut [&mut l[0][pos..end], &mut r[0][pos..end]]);
        m.set_bypass(bypass);
        pos = end;
    }
    let reference = run(rate, &settings, &input, 4096);
    let latency = m.latency_samples();
    let crossfade = (rate * 0.05) as usize;
    // Bypassed stretch (after its crossfade): the dry input, delayed.
    for c in 0..2 {
        for i in switch_on + crossfade..switch_off {
            assert_eq!(out[c][i], input[c][i - latency], "bypassed, sample {i}");
        }
    }
    // After bypass is switched off again (and its crossfade): the limited output.
    for c in 0..2 {
        for i in switch_off + crossfade..len {
            assert_eq!(out[c][i], reference[c][i], "processing resumed, sample {i}");
        }
    }
}
