//! Biquad: analytic response against the DFT of the impulse response (no
//! FFT), analog/digital agreement at the prewarped corner, cookbook
//! properties, and subnormal-free state.

use shared_dsp::primitives::complex::Complex;
use shared_dsp::units::filter::{AnalogBiquad, BiquadCoefs, BiquadState, STATE_FLUSH_THRESHOLD};
use shared_dsp::units::loudness::k_weighting::KWeightingCoefs;
use std::f64::consts::PI;

const RATES: [f64; 6] = [44_100.0, 48_000.0, 88_200.0, 96_000.0, 176_400.0, 192_000.0];
/// Impulse-response length: long enough for the slowest design here (38 Hz
/// high-pass at 192 kHz) to decay far below the tolerance.
const IMPULSE_LEN: usize = 1 << 19;
/// Relative complex error allowed between analytic and measured response.
const RESPONSE_TOLERANCE: f64 = 1e-7;

fn designs(rate: f64) -> Vec<(String, BiquadCoefs)> {
    let k = KWeightingCoefs::new(rate);
    vec![
        (
            "lowpass 1k".into(),
            BiquadCoefs::lowpass(1000.0, std::f64::consts::FRAC_1_SQRT_2, rate),
        ),
        (
            "highpass 100 Q2".into(),
            BiquadCoefs::highpass(100.0, 2.0, rate),
        ),
        (
            "peaking 3k +6".into(),
            BiquadCoefs::peaking(3000.0, 6.0, 1.5, rate),
        ),
        (
            "low shelf 200 -8".into(),
            BiquadCoefs::low_shelf(200.0, -8.0, 0.7, rate),
        ),
        (
            "high shelf 8k +5".into(),
            BiquadCoefs::high_shelf(8000.0, 5.0, 0.7, rate),
        ),
        ("K shelf".into(), k.shelf),
        ("K highpass".into(), k.highpass),
    ]
}

/// DFT of the impulse response at `freq_hz`: Σ h[n]·e^{−jωn}.
fn measured_response(coefs: &BiquadCoefs, freq_hz: f64, rate: f64) -> Complex {
    let mut state = BiquadState::new();
    let w = 2.0 * PI * freq_hz / rate;
    let mut acc = Complex::default();
    for n in 0..IMPULSE_LEN {
        let h = state.process(coefs, if n == 0 { 1.0 } else { 0.0 });
        if h != 0.0 {
            acc = acc + Complex::from_polar(h, -w * n as f64);
        }
    }
    acc
}

#[test]
fn analytic_response_matches_impulse_response_dft() {
    for rate in RATES {
        for (name, coefs) in designs(rate) {
            assert!(coefs.is_stable(), "{name} at {rate}");
            for freq in [
                20.0,
                38.0,
                250.0,
                1000.0,
                1682.0,
                5000.0,
                15_000.0,
                0.45 * rate,
            ] {
                let analytic = coefs.response(freq, rate);
                let measured = measured_response(&coefs, freq, rate);
                let err = (analytic - measured).norm() / analytic.norm();
                assert!(
                    err < RESPONSE_TOLERANCE,
                    "{name} at {rate} Hz, {freq} Hz: analytic {analytic:?} measured {measured:?} (rel err {err:e})"
                );
            }
        }
    }
}

/// The bilinear transform is prewarped: digital and analog agree at f0.
#[test]
fn prewarped_corner_matches_analog_prototype() {
    let cases = [
        (AnalogBiquad::lowpass(0.7), 5000.0),
        (AnalogBiquad::highpass(1.3), 40.0),
        (AnalogBiquad::peaking(-9.0, 2.0), 12_000.0),
        (AnalogBiquad::high_shelf(6.0, 0.7), 15_000.0),
    ];
    for rate in RATES {
        for (proto, f0) in cases {
            let digital = BiquadCoefs::bilinear(&proto, f0, rate).response(f0, rate);
            let analog = proto.response(f0, f0);
            assert!(
                (digital - analog).norm() < 1e-9,
                "{proto:?} at {rate}: {digital:?} vs {analog:?}"
            );
        }
    }
}

#[test]
fn cookbook_gains() {
    let rate = 48_000.0;
    let peaking = BiquadCoefs::peaking(2000.0, 6.0, 1.0, rate);
    assert!((peaking.response(2000.0, rate).norm_db() - 6.0).abs() < 1e-9);
    assert!(peaking.response(10.0, rate).norm_db().abs() < 0.01);
    let low_shelf = BiquadCoefs::low_shelf(300.0, -8.0, 0.7, rate);
    assert!((low_shelf.response(1.0, rate).norm_db() + 8.0).abs() < 1e-3);
    assert!(low_shelf.response(23_999.0, rate).norm_db().abs() < 0.01);
    let high_shelf = BiquadCoefs::high_shelf(3000.0, 5.0, 0.7, rate);
    assert!(high_shelf.response(1.0, rate).norm_db().abs() < 1e-6);
    assert!((high_shelf.response(23_999.0, rate).norm_db() - 5.0).abs() < 0.05);
    let lowpass = BiquadCoefs::lowpass(1000.0, std::f64::consts::FRAC_1_SQRT_2, rate);
    assert!((lowpass.response(1000.0, rate).norm_db() + 3.0103).abs() < 1e-3);
    assert!((lowpass.response(0.0, rate).norm() - 1.0).abs() < 1e-12);
    // Identity passes through.
    let mut state = BiquadState::new();
    assert_eq!(state.process(&BiquadCoefs::IDENTITY, 0.25), 0.25);
}

/// After an impulse and a long silence, every state cell is normal or
/// exactly zero at every sample, the tail ends in exact zeros within a few
/// seconds, and once zero it stays zero (the flush does not re-excite it).
#[test]
fn state_never_subnormal_and_decays_to_zero() {
    for rate in [44_100.0, 192_000.0] {
        for (name, coefs) in designs(rate) {
            let mut state = BiquadState::new();
            let mut output_zero_from = None;
            let mut last_nonzero_output = 0.0f64;
            for n in 0..(20.0 * rate) as usize {
                let x = if n == 0 { 1.0 } else { 0.0 };
                let y = state.process(&coefs, x);
                for cell in state.cells() {
                    assert!(
                        cell == 0.0 || cell.is_normal(),
                        "{name}: cell {cell:e} at {n}"
                    );
                }
                match output_zero_from {
                    None if n > 0 && state.cells() == [0.0, 0.0] => output_zero_from = Some(n),
                    Some(from) => assert_eq!(
                        y, 0.0,
                        "{name}: output {y:e} at {n} after silence from {from}"
                    ),
                    None => assert!(y.abs() < 2.0, "{name}: output {y}"),
                }
                if y != 0.0 {
                    last_nonzero_output = y;
                }
            }
            // The tail is cut only once it is negligible (no audible truncation).
            assert!(
                last_nonzero_output.abs() < 10.0 * STATE_FLUSH_THRESHOLD,
                "{name}: tail cut at {last_nonzero_output:e}"
            );
            let silent_after =
                output_zero_from.unwrap_or_else(|| panic!("{name} at {rate} did not decay to 0"));
            assert!(
                (silent_after as f64) < 2.0 * rate,
                "{name} at {rate}: silent only after {silent_after}"
            );
        }
    }
}

/// The two-lane cascade (SSE2 on x86-64) is bit-identical to the scalar
/// reference, channel by channel, for 1 ..= 9 sections (past the register
/// group size), in uneven blocks, on noise followed by silence (so the
/// decaying tails reach the flush, at different times on the two channels).
#[test]
fn stereo_cascade_is_bit_identical_to_the_scalar_path() {
    use shared_dsp::primitives::biquad::{process_cascade_pair, process_cascade_scalar};
    let rate = 48_000.0;
    let all: Vec<BiquadCoefs> = designs(rate).into_iter().map(|(_, c)| c).collect();
    let mut seed = 0x2545_f491u32;
    let mut noise = || {
        seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
        f64::from(seed >> 8) / f64::from(1u32 << 23) - 1.0
    };
    for sections in 1..=9 {
        let coefs: Vec<BiquadCoefs> = (0..sections).map(|k| all[k % all.len()]).collect();
        let len = 48_000;
        let left: Vec<f64> = (0..len)
            .map(|n| if n < 4_000 { noise() } else { 0.0 })
            .collect();
        let right: Vec<f64> = (0..len)
            .map(|n| if n < 2_000 { 1e-3 * noise() } else { 0.0 })
            .collect();
        let (mut l_ref, mut r_ref) = (left.clone(), right.clone());
        let mut ls_ref = vec![BiquadState::new(); sections];
        let mut rs_ref = vec![BiquadState::new(); sections];
        process_cascade_scalar(&coefs, &mut ls_ref, &mut l_ref);
        process_cascade_scalar(&coefs, &mut rs_ref, &mut r_ref);
        let (mut l, mut r) = (left.clone(), right.clone());
        let mut ls = vec![BiquadState::new(); sections];
        let mut rs = vec![BiquadState::new(); sections];
        let mut start = 0;
        for block in [1usize, 7, 64, 333, 4096].iter().cycle() {
            if start >= len {
                break;
            }
            let end = (start + block).min(len);
            process_cascade_pair(
                &coefs,
                &mut ls,
                &mut rs,
                &mut l[start..end],
                &mut r[start..end],
            );
            start = end;
        }
        for n in 0..len {
            assert_eq!(
                l[n].to_bits(),
                l_ref[n].to_bits(),
                "{sections} sections, left {n}"
            );
            assert_eq!(
                r[n].to_bits(),
                r_ref[n].to_bits(),
                "{sections} sections, right {n}"
            );
        }
        assert_eq!(ls, ls_ref);
        assert_eq!(rs, rs_ref);
        // The tails decayed and were flushed to exact zero.
        assert!(l[len - 1] == 0.0 && r[len - 1] == 0.0, "{sections}");
    }
}
