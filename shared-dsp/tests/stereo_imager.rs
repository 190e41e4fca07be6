//! The Stereo Imager processor against independent truths: exact identities
//! of the M/S matrix, measured filter slopes, the statistics of correlation
//! and of the BS.1770 fold-down loss, and real-time safety.

#[path = "support/rng.rs"]
#[allow(dead_code)] // the shared test RNG; this file uses part of it
mod rng;

use rng::Rng;
use shared_dsp::processors::stereo_imager::{ImagerSettings, StereoImager, MONO_MAKER_SLOPE};

const RATE: f64 = 48_000.0;

fn noise(len: usize, seed: u64, gain: f64) -> Vec<f32> {
    let mut rng = Rng::new(seed);
    (0..len).map(|_| (gain * rng.bipolar()) as f32).collect()
}

fn sine(len: usize, freq: f64, gain: f64, rate: f64) -> Vec<f32> {
    (0..len)
        .map(|n| (gain * (std::f64::consts::TAU * freq * n as f64 / rate).sin()) as f32)
        .collect()
}

fn run(imager: &mut StereoImager, l: &[f32], r: &[f32], block: usize) -> (Vec<f32>, Vec<f32>) {
    let (mut l, mut r) = (l.to_vec(), r.to_vec());
    for (a, b) in l.chunks_mut(block).zip(r.chunks_mut(block)) {
        imager.process(&mut [a, b]);
    }
    (l, r)
}

fn imager_with(settings: ImagerSettings) -> StereoImager {
    let mut imager = StereoImager::new(RATE);
    imager.set_settings(&settings);
    imager
}

fn rms(x: &[f32]) -> f64 {
    (x.iter().map(|&v| f64::from(v) * f64::from(v)).sum::<f64>() / x.len() as f64).sqrt()
}

#[test]
fn neutral_is_bit_identical_and_width_zero_is_exactly_mono() {
    let (l, r) = (noise(48_000, 1, 0.5), noise(48_000, 2, 0.3));
    let mut neutral = imager_with(ImagerSettings::default());
    let (ol, or) = run(&mut neutral, &l, &r, 64);
    assert!(ol.iter().zip(&l).all(|(a, b)| a.to_bits() == b.to_bits()));
    assert!(or.iter().zip(&r).all(|(a, b)| a.to_bits() == b.to_bits()));

    let mut mono = imager_with(ImagerSettings {
        width: 0.0,
        ..ImagerSettings::default()
    });
    let (ol, or) = run(&mut mono, &l, &r, 64);
    assert_eq!(ol, or, "width 0: L = R exactly");
}

#[test]
fn width_200_doubles_the_side_and_mono_input_stays_mono_at_any_width() {
    let (l, r) = (noise(24_000, 3, 0.4), noise(24_000, 4, 0.4));
    let mut wide = imager_with(ImagerSettings {
        width: 2.0,
        ..ImagerSettings::default()
    });
    let (ol, or) = run(&mut wide, &l, &r, 100);
    for n in 0..l.len() {
        let side_in = 0.5 * (f64::from(l[n]) - f64::from(r[n]));
        let side_out = 0.5 * (f64::from(ol[n]) - f64::from(or[n]));
        let mid_in = 0.5 * (f64::from(l[n]) + f64::from(r[n]));
        let mid_out = 0.5 * (f64::from(ol[n]) + f64::from(or[n]));
        assert!((side_out - 2.0 * side_in).abs() < 1e-6, "{n}");
        assert!((mid_out - mid_in).abs() < 1e-6, "{n}");
    }
    let m = noise(24_000, 5, 0.5);
    for width in [0.0, 0.37, 1.6, 2.0] {
        for bands in [1, 3] {
            let mut imager = imager_with(ImagerSettings {
                width,
                num_bands: bands,
                band_width: [0.5, 2.0, 1.5, 1.0],
                side_high_gain_db: 4.0,
                mono_maker: true,
                ..ImagerSettings::default()
            });
            let (ol, or) = run(&mut imager, &m, &m, 64);
            assert_eq!(ol, or, "mono input, width {width}, {bands} bands");
        }
    }
}

#[test]
fn stereoize_widens_mono_but_leaves_the_mono_sum_unchanged() {
    let m = noise(48_000, 6, 0.5);
    let mut imager = imager_with(ImagerSettings {
        stereoize: 1.0,
        ..ImagerSettings::default()
    });
    let (ol, or) = run(&mut imager, &m, &m, 64);
    let side: Vec<f32> = ol.iter().zip(&or).map(|(a, b)| 0.5 * (a - b)).collect();
    assert!(
        rms(&side[24_000..]) > 0.05,
        "stereoize must add a side signal"
    );
    for n in 0..m.len() {
        let sum_in = 2.0 * f64::from(m[n]);
        let sum_out = f64::from(ol[n]) + f64::from(or[n]);
        assert!(
            (sum_out - sum_in).abs() < 1e-6,
            "{n}: L+R {sum_out} vs {sum_in}"
        );
    }
}

#[test]
fn mono_maker_removes_side_an_octave_below_at_the_rated_slope_and_keeps_mid() {
    let cutoff = 160.0;
    let len = 96_000;
    let tail = len / 2..len;
    let rated = MONO_MAKER_SLOPE.db_per_octave();
    for (freq, min_attenuation_db) in [(cutoff / 2.0, rated), (cutoff / 4.0, 2.0 * rated - 6.0)] {
        // Pure side at `freq`.
        let s = sine(len, freq, 0.5, RATE);
        let neg: Vec<f32> = s.iter().map(|x| -x).collect();
        let mut imager = imager_with(ImagerSettings {
            mono_maker: true,
            mono_maker_hz: cutoff as f32,
            ..ImagerSettings::default()
        });
        let (ol, or) = run(&mut imager, &s, &neg, 64);
        let side: Vec<f32> = ol.iter().zip(&or).map(|(a, b)| 0.5 * (a - b)).collect();
        let attenuation = 20.0 * (rms(&s[tail.clone()]) / rms(&side[tail.clone()])).log10();
        assert!(
            attenuation >= min_attenuation_db,
            "{freq} Hz side: {attenuation:.1} dB < {min_attenuation_db:.1} dB"
        );
    }
    // Mid untouched in magnitude at every frequency.
    for freq in [40.0, cutoff, 1_000.0, 10_000.0] {
        let m = sine(len, freq, 0.5, RATE);
        let mut imager = imager_with(ImagerSettings {
            mono_maker: true,
            mono_maker_hz: cutoff as f32,
            ..ImagerSettings::default()
        });
        let (ol, _) = run(&mut imager, &m, &m, 64);
        let db = 20.0 * (rms(&ol[tail.clone()]) / rms(&m[tail.clone()])).log10();
        assert!(db.abs() < 0.01, "mid at {freq} Hz: {db} dB");
    }
}

#[test]
fn multiband_widths_apply_per_band_and_neutral_bands_sum_flat() {
    // Side tones in the low and high band; narrow the low one to 0.
    let len = 96_000;
    let tail = len / 2..len;
    let low = sine(len, 60.0, 0.3, RATE);
    let high = sine(len, 5_000.0, 0.3, RATE);
    let s: Vec<f32> = low.iter().zip(&high).map(|(a, b)| a + b).collect();
    let neg: Vec<f32> = s.iter().map(|x| -x).collect();
    let mut imager = imager_with(ImagerSettings {
        num_bands: 2,
        crossover_hz: [500.0, 2_000.0, 8_000.0],
        band_width: [0.0, 1.0, 1.0, 1.0],
        ..ImagerSettings::default()
    });
    let (ol, or) = run(&mut imager, &s, &neg, 64);
    let side: Vec<f32> = ol.iter().zip(&or).map(|(a, b)| 0.5 * (a - b)).collect();
    // The low tone's side is gone (LR24: −24 dB/oct from 500 Hz → ≥ 60 dB at
    // 60 Hz), the high one's is kept: side RMS ≈ the high tone's alone.
    let kept = 20.0 * (rms(&side[tail.clone()]) / rms(&high[tail.clone()])).log10();
    assert!(
        kept.abs() < 0.1,
        "side after narrowing the low band: {kept} dB"
    );

    // Neutral widths but a solo forces the multiband path; un-soloed all
    // bands: flat.
    let mut all = imager_with(ImagerSettings {
        num_bands: 4,
        band_width: [1.0, 1.0, 1.0, 0.999_999],
        ..ImagerSettings::default()
    });
    let n = noise(len, 9, 0.3);
    let (ol, _) = run(&mut all, &n, &n, 64);
    let db = 20.0 * (rms(&ol[tail.clone()]) / rms(&n[tail.clone()])).log10();
    assert!(db.abs() < 0.01, "four neutral bands: {db} dB");
}

#[test]
fn correlation_reads_plus_one_minus_one_and_near_zero() {
    let a = noise(48_000, 10, 0.3);
    let b = noise(48_000, 11, 0.3);
    let inverted: Vec<f32> = a.iter().map(|x| -x).collect();
    for (r, expected, tolerance) in [(&a, 1.0, 1e-9), (&inverted, -1.0, 1e-9), (&b, 0.0, 0.1)] {
        let mut imager = imager_with(ImagerSettings::default());
        run(&mut imager, &a, r, 512);
        let c = imager.readings().correlation;
        assert!(
            (c - expected).abs() <= tolerance,
            "expected {expected}, read {c}"
        );
    }
}

#[test]
fn fold_down_loss_is_zero_total_and_three_lu_as_theory_says() {
    let len = 48_000 * 5;
    let a = noise(len, 12, 0.2);
    let b = noise(len, 13, 0.2);
    let inverted: Vec<f32> = a.iter().map(|x| -x).collect();
    let loss = |r: &[f32]| {
        let mut imager = imager_with(ImagerSettings::default());
        run(&mut imager, &a, r, 1024);
        imager.readings().mono_loss
    };
    let same = loss(&a);
    assert!(same.integrated_lu.unwrap().abs() < 0.01, "{same:?}");
    let total = loss(&inverted);
    assert_eq!(total.integrated_lu, Some(f64::INFINITY));
    let independent = loss(&b);
    let lu = independent.integrated_lu.unwrap();
    // (L+R)/2 of independent equal-power noise has half the power: −3.01 dB.
    assert!((lu - 3.01).abs() < 0.15, "independent noise: {lu} LU");
    assert!(independent.short_term_lu.is_some());
}

#[test]
fn mono_warning_trips_on_loss_and_on_side_louder_than_mid() {
    let len = 48_000 * 4;
    let a = noise(len, 14, 0.2);
    let b = noise(len, 15, 0.2);
    let mut imager = imager_with(ImagerSettings::default());
    run(&mut imager, &a, &b, 1024);
    let readings = imager.readings();
    assert!(readings.mono_warning(1.5), "3 LU loss must warn at 1.5 LU");
    assert!(!readings.mono_warning(4.0) || readings.side_exceeds_mid);
    let mut identical = imager_with(ImagerSettings::default());
    run(&mut identical, &a, &a, 1024);
    assert!(!identical.readings().mono_warning(1.5));
    let neg: Vec<f32> = a.iter().map(|x| -0.9 * x).collect();
    let mut out_of_phase = imager_with(ImagerSettings::default());
    run(&mut out_of_phase, &a, &neg, 1024);
    assert!(out_of_phase.readings().side_exceeds_mid);
}

#[test]
fn output_does_not_depend_on_the_block_size() {
    let (l, r) = (noise(20_000, 16, 0.4), noise(20_000, 17, 0.2));
    let settings = ImagerSettings {
        width: 1.4,
        num_bands: 3,
        band_width: [0.2, 1.3, 1.8, 1.0],
        mono_maker: true,
        stereoize: 0.3,
        side_low_gain_db: -3.0,
        side_high_gain_db: 2.0,
        rotation_deg: 10.0,
        balance: 0.1,
        swap: true,
        invert: [false, true],
        ..ImagerSettings::default()
    };
    let reference = run(&mut imager_with(settings), &l, &r, 20_000);
    for block in [1, 7, 64, 4096] {
        assert!(
            run(&mut imager_with(settings), &l, &r, block) == reference,
            "block {block}"
        );
    }
}

#[test]
fn processing_never_allocates() {
    let mut imager = imager_with(ImagerSettings {
        width: 1.5,
        num_bands: 4,
        band_width: [0.0, 1.0, 1.5, 2.0],
        mono_maker: true,
        stereoize: 0.5,
        side_high_gain_db: 3.0,
        mono_listen: true,
        ..ImagerSettings::default()
    });
    let (mut l, mut r) = (noise(4096, 18, 0.5), noise(4096, 19, 0.5));
    assert_no_alloc::assert_no_alloc(|| {
        imager.process_with_scope(&mut [&mut l, &mut r], |_, _| {});
        let _ = imager.readings();
    });
}

#[test]
fn bypass_is_exactly_the_input_and_switches_without_a_click() {
    let busy = ImagerSettings {
        width: 2.0,
        side_gain_db: 6.0,
        mono_maker: true,
        stereoize: 0.8,
        mono_listen: true,
        ..ImagerSettings::default()
    };
    let (l, r) = (sine(48_000, 220.0, 0.5, RATE), noise(48_000, 21, 0.3));
    // Bypassed from the start: the input, bit for bit, even with Mono listen on.
    let mut imager = StereoImager::new(RATE);
    imager.set_settings(&busy);
    imager.set_bypass(true);
    assert!(imager.is_bypassed());
    let (ol, or) = run(&mut imager, &l, &r, 64);
    assert!(ol.iter().zip(&l).all(|(a, b)| a.to_bits() == b.to_bits()));
    assert!(or.iter().zip(&r).all(|(a, b)| a.to_bits() == b.to_bits()));

    // Switching mid-signal crossfades: the processed/dry difference is spread
    // over the fade, so no step is larger than a hard switch's would be.
    let mut hard = imager_with(busy);
    let (wl, _) = run(&mut hard, &l, &r, 64);
    let switch_at = 24_000;
    let hard_jump = (wl[switch_at - 1] - l[switch_at]).abs();
    let mut imager = imager_with(busy);
    let (mut ol, mut or) = (l.clone(), r.clone());
    imager.process(&mut [&mut ol[..switch_at], &mut or[..switch_at]]);
    imager.set_bypass(true);
    imager.process(&mut [&mut ol[switch_at..], &mut or[switch_at..]]);
    let max_signal_step = l
        .windows(2)
        .map(|w| (w[1] - w[0]).abs())
        .fold(0.0, f32::max)
        .max(
            wl.windows(2)
                .map(|w| (w[1] - w[0]).abs())
                .fold(0.0, f32::max),
        );
    let fade_len = (shared_dsp::processors::stereo_imager::FADE_MS * 1e-3 * RATE) as usize;
    let max_jump = ol[switch_at - 1..switch_at + fade_len]
        .windows(2)
        .map(|w| (w[1] - w[0]).abs())
        .fold(0.0, f32::max);
    assert!(
        max_jump <= 1.5 * max_signal_step,
        "bypass jumps by {max_jump}; signal steps ≤ {max_signal_step}, a hard switch {hard_jump}"
    );
    // After the fade: the input again, exactly.
    let settled = switch_at + fade_len + 1;
    assert!(ol[settled..]
        .iter()
        .zip(&l[settled..])
        .all(|(a, b)| a.to_bits() == b.to_bits()));
    assert!(or[settled..]
        .iter()
        .zip(&r[settled..])
        .all(|(a, b)| a.to_bits() == b.to_bits()));
}

#[test]
fn goniometer_puts_mono_up_sides_on_the_diagonals_and_polar_bins_find_them() {
    use shared_dsp::processors::stereo_imager::{goniometer_xy, polar_levels};
    let h = std::f32::consts::FRAC_1_SQRT_2;
    let close = |(x, y): (f32, f32), (ex, ey): (f32, f32)| {
        assert!((x - ex).abs() < 1e-6 && (y - ey).abs() < 1e-6, "({x}, {y})");
    };
    close(goniometer_xy(0.5, 0.5), (0.0, 2.0 * 0.5 * h)); // mono: straight up
    close(goniometer_xy(1.0, 0.0), (-h, h)); // left only: upper left
    close(goniometer_xy(0.0, 1.0), (h, h)); // right only: upper right
    close(goniometer_xy(1.0, -1.0), (-2.0 * h, 0.0)); // inverted: horizontal
                                                      // Mono frames (both polarities) land in the middle sector, left-only in
                                                      // the first quarter, inverted at the edge; radius √(L² + R²).
    let mut bins = [0.0f32; 8];
    polar_levels(&[0.5, 0.5, -0.25, -0.25, 0.3, 0.0, 0.2, -0.2], &mut bins);
    assert!(
        (bins[4] - 0.5 * std::f32::consts::SQRT_2).abs() < 1e-6,
        "{bins:?}"
    );
    assert!((bins[2] - 0.3).abs() < 1e-6, "{bins:?}");
    assert!(
        (bins[0] - 0.2 * std::f32::consts::SQRT_2).abs() < 1e-6,
        "{bins:?}"
    );
    assert_eq!(bins.iter().filter(|&&b| b > 0.0).count(), 3);
}

#[test]
fn huge_input_never_overflows_to_infinity() {
    // ±f32::MAX and +120 dBFS at every gain maxed, Mono listen on: the host
    // harness's hostile input. Output must stay finite and not subnormal.
    let loud = ImagerSettings {
        width: 2.0,
        mid_gain_db: 12.0,
        side_gain_db: 12.0,
        num_bands: 4,
        band_width: [2.0; 4],
        stereoize: 1.0,
        side_low_gain_db: 12.0,
        side_high_gain_db: 12.0,
        rotation_deg: 30.0,
        mono_listen: true,
        ..ImagerSettings::default()
    };
    let l: Vec<f32> = (0..4096)
        .map(|n| [f32::MAX, -f32::MAX, 1e6, 1e-40][n % 4])
        .collect();
    let r: Vec<f32> = (0..4096)
        .map(|n| [f32::MAX, f32::MAX, -1e6, 0.0][n % 3])
        .collect();
    for mono_listen in [true, false] {
        let mut imager = imager_with(ImagerSettings {
            mono_listen,
            ..loud
        });
        let (ol, or) = run(&mut imager, &l, &r, 64);
        for x in ol.iter().chain(&or) {
            assert!(x.is_finite() && (*x == 0.0 || x.is_normal()), "{x}");
        }
    }
}

#[test]
fn fold_down_loss_equals_two_bs1770_meters_on_the_stereo_and_the_fold_on_both_channels() {
    use shared_dsp::units::loudness::LoudnessMeter;
    let (l, r) = (
        noise(4 * 48_000, 31, 0.4),
        sine(4 * 48_000, 330.0, 0.2, RATE),
    );
    let mut imager = StereoImager::new(RATE);
    let _ = run(&mut imager, &l, &r, 64);
    let fold: Vec<f32> = l.iter().zip(&r).map(|(a, b)| 0.5 * (a + b)).collect();
    let mut stereo = LoudnessMeter::new(RATE, 2);
    stereo.process(&[&l[..], &r[..]]);
    let mut folded = LoudnessMeter::new(RATE, 2);
    folded.process(&[&fold[..], &fold[..]]);
    let (s, f) = (stereo.readings(), folded.readings());
    let loss = imager.readings().mono_loss;
    let expected_integrated = s.integrated_lufs.unwrap() - f.integrated_lufs.unwrap();
    let expected_short = s.short_term_lufs.unwrap() - f.short_term_lufs.unwrap();
    assert!(
        (loss.integrated_lu.unwrap() - expected_integrated).abs() < 1e-9,
        "{loss:?}"
    );
    assert!(
        (loss.short_term_lu.unwrap() - expected_short).abs() < 1e-9,
        "{loss:?}"
    );
}

#[global_allocator]
static ALLOCATOR: assert_no_alloc::AllocDisabler = assert_no_alloc::AllocDisabler;
