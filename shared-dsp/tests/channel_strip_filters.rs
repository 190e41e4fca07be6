//! Channel-strip filters against independent truth: the FFT (realfft) of
//! the impulse response vs the analog prototypes' analytic magnitudes,
//! across sample rates; and click-free parameter sweeps.

mod strip_common;

use shared_dsp::units::eq::{
    band_analog_response, band_coefs, band_settings_coefs, CutFilter, CutFilterSettings,
    EqBandSettings, EqBandType, EqSettings, ParametricEq,
};
use shared_dsp::units::filter::{
    BiquadCoefs, BiquadState, ButterworthCoefs, ButterworthState, PassKind,
};
use std::f64::consts::PI;
use strip_common::*;

const RATES: [f64; 6] = [44_100.0, 48_000.0, 88_200.0, 96_000.0, 176_400.0, 192_000.0];
/// FFT length for impulse responses: 2^17 samples decays every design here
/// (20 Hz order-8 at 192 kHz included) far below the tolerances.
const IR_LEN: usize = 1 << 17;

/// Measured |H| (dB) at the bins nearest to `freqs`, with each bin's exact
/// frequency.
fn measured_db(ir: &[f64], freqs: &[f64], rate: f64) -> Vec<(f64, f64)> {
    let spec = spectrum(ir);
    freqs
        .iter()
        .map(|&f| {
            let (k, fk) = nearest_bin(f, ir.len(), rate);
            (fk, db(spec[k].norm()))
        })
        .collect()
}

fn butterworth_ir(coefs: &ButterworthCoefs) -> Vec<f64> {
    let mut state = ButterworthState::default();
    impulse_response(|x| state.process(coefs, x), IR_LEN)
}

/// Analog Butterworth magnitude, dB: |H|² = 1/(1 + (f/fc)^{±2n}).
fn butterworth_analog_db(kind: PassKind, order: usize, cutoff: f64, f: f64) -> f64 {
    let ratio = match kind {
        PassKind::LowPass => f / cutoff,
        PassKind::HighPass => cutoff / f,
    };
    -10.0 * (1.0 + ratio.powi(2 * order as i32)).log10()
}

#[test]
fn butterworth_matches_analog_prototype_up_to_the_bilinear_warp() {
    // The bilinear transform prewarped at fc makes the digital filter the
    // analog one at the warped frequency f_w = fc·tan(πf/fs)/tan(πfc/fs).
    // Butterworth's |d(dB)/d(log f)| ≤ 20·n, so the measured response must
    // be within 20·n·|log10(f_w/f)| (+0.01 dB) of the analog formula.
    let mut checked = 0;
    for rate in RATES {
        for kind in [PassKind::HighPass, PassKind::LowPass] {
            for order in 1..=8 {
                for cutoff in [20.0, 80.0, 1000.0, 5000.0, 12_000.0, 20_000.0] {
                    let coefs = ButterworthCoefs::new(kind, order, cutoff, rate);
                    for s in coefs.active() {
                        assert!(s.is_stable(), "{kind:?} {order} {cutoff} {rate}");
                    }
                    let freqs = log_freqs(20.0, 20_000.0, 60);
                    let ir = butterworth_ir(&coefs);
                    for (f, measured) in measured_db(&ir, &freqs, rate) {
                        let analog = butterworth_analog_db(kind, order, cutoff, f);
                        if analog < -100.0 || f == 0.0 {
                            continue; // below f64 IR accuracy of interest
                        }
                        let warped = cutoff * (PI * f / rate).tan() / (PI * cutoff / rate).tan();
                        let tolerance = 20.0 * order as f64 * (warped / f).log10().abs() + 0.01;
                        assert!(
                            (measured - analog).abs() <= tolerance,
                            "{kind:?} order {order} fc {cutoff} @ {rate}: {f:.1} Hz measured {measured:.3} dB, analog {analog:.3} dB, tol {tolerance:.3}"
                        );
                        // And the identity behind the tolerance, exactly:
                        let at_warp = butterworth_analog_db(kind, order, cutoff, warped);
                        if at_warp > -80.0 {
                            assert!(
                                (measured - at_warp).abs() < 1e-3,
                                "{kind:?} {order} {cutoff} {rate} {f}: {measured} vs warped {at_warp}"
                            );
                        }
                        checked += 1;
                    }
                    // −3.01 dB exactly at the cutoff (analytic).
                    let at_cutoff = coefs.response(coefs.cutoff_hz, rate).norm_db();
                    assert!(
                        (at_cutoff + 10.0 * 2f64.log10()).abs() < 1e-6,
                        "{at_cutoff}"
                    );
                }
            }
        }
    }
    assert!(checked > 20_000, "{checked}");
}

#[test]
fn butterworth_slope_is_six_db_per_octave_per_order() {
    let rate = 192_000.0;
    for order in 1..=8 {
        let coefs = ButterworthCoefs::new(PassKind::HighPass, order, 2000.0, rate);
        // Two octaves far below the cutoff: the asymptote, 6.02·n dB/oct.
        let a = coefs.response(62.5, rate).norm_db();
        let b = coefs.response(125.0, rate).norm_db();
        let slope = b - a;
        let analog = butterworth_analog_db(PassKind::HighPass, order, 2000.0, 125.0)
            - butterworth_analog_db(PassKind::HighPass, order, 2000.0, 62.5);
        assert!(
            (slope - analog).abs() < 0.01,
            "order {order}: {slope} dB/oct"
        );
        assert!(
            (slope - 6.0206 * order as f64).abs() < 0.02,
            "order {order}: {slope} dB/oct"
        );
    }
}

fn biquad_ir(coefs: &BiquadCoefs) -> Vec<f64> {
    let mut state = BiquadState::new();
    impulse_response(|x| state.process(coefs, x), IR_LEN)
}

/// Largest |measured − analog| (dB) from 20 Hz to `top_hz`.
fn max_deviation_from_analog(band: &EqBandSettings, rate: f64, top_hz: f64) -> (f64, f64) {
    let coefs = band_settings_coefs(band, rate);
    assert!(coefs.is_stable(), "{band:?} @ {rate}: {coefs:?}");
    let ir = biquad_ir(&coefs);
    let freqs = log_freqs(20.0, top_hz, 200);
    let mut worst = (0.0, 0.0);
    for (f, measured) in measured_db(&ir, &freqs, rate) {
        let analog = band_analog_response(band, f).norm_db();
        let err = (measured - analog).abs();
        if err > worst.0 {
            worst = (err, f);
        }
    }
    worst
}

/// Largest |digital − analog| (dB) from 20 Hz to 20 kHz, both analytic
/// (the analytic digital response is checked against the impulse-response
/// FFT in `analytic_band_response_equals_impulse_response_fft`; analytic
/// here keeps a 4000-design grid fast and free of truncation error for
/// high-Q bands at 20 Hz).
fn analytic_deviation_from_analog(band: &EqBandSettings, rate: f64) -> (f64, f64) {
    let coefs = band_settings_coefs(band, rate);
    assert!(coefs.is_stable(), "{band:?} @ {rate}: {coefs:?}");
    let mut worst = (0.0, 0.0);
    for f in log_freqs(20.0, 20_000.0, 400) {
        let err =
            (coefs.response(f, rate).norm_db() - band_analog_response(band, f).norm_db()).abs();
        if err > worst.0 {
            worst = (err, f);
        }
    }
    worst
}

#[test]
fn matched_bell_12k_matches_analog_within_1_db_to_20k_at_44k1() {
    // The requirement, for boosts and cuts and a range of Q.
    let rate = 44_100.0;
    for q in [0.3, 0.5, 0.707, 1.0, 2.0, 4.0, 10.0] {
        for gain in [12.0, -12.0] {
            let band = EqBandSettings::new(EqBandType::Bell, 12_000.0, gain, q);
            let (err, f) = max_deviation_from_analog(&band, rate, 20_000.0);
            println!("bell 12 kHz {gain:+} dB Q {q}: max deviation {err:.3} dB at {f:.0} Hz");
            assert!(err < 1.0, "Q {q} gain {gain}: {err} dB at {f} Hz");
        }
    }
}

#[test]
fn bilinear_bell_would_fail_the_same_test() {
    // Shows the requirement is not trivial: the prewarped bilinear (RBJ)
    // bell cramps by several dB at 20 kHz.
    let rate = 44_100.0;
    let band = EqBandSettings::new(EqBandType::Bell, 12_000.0, 12.0, 0.707);
    let coefs = BiquadCoefs::peaking(12_000.0, 12.0, 0.707, rate);
    let ir = biquad_ir(&coefs);
    let worst = measured_db(&ir, &log_freqs(20.0, 20_000.0, 200), rate)
        .into_iter()
        .map(|(f, m)| (m - band_analog_response(&band, f).norm_db()).abs())
        .fold(0.0, f64::max);
    println!("bilinear bell max deviation {worst:.2} dB");
    assert!(worst > 3.0, "{worst}");
}

#[test]
fn every_band_type_tracks_its_analog_prototype_across_rates() {
    // Deviation from the analog prototype, 20 Hz – 20 kHz, bells, shelves
    // and tilt at ±6/±12/±24 dB, Q 0.5 – 8, every rate: ≤ 0.5 dB for
    // corners up to 2 kHz, ≤ 1.1 dB up to 12 kHz, ≤ 4 dB above. The worst
    // cases (measured 1.02 dB at 12 kHz, 3.99 dB at 20 kHz) are ±24 dB
    // bells at 44.1 kHz, where a single biquad cannot follow an analog
    // curve that continues past Nyquist; at 88.2 kHz and up every case is
    // far inside the tolerances.
    let mut report = Vec::new();
    for rate in RATES {
        for band_type in [
            EqBandType::Bell,
            EqBandType::LowShelf,
            EqBandType::HighShelf,
            EqBandType::Tilt,
        ] {
            let mut worst_type: f64 = 0.0;
            for freq in [
                20.0, 100.0, 1000.0, 2000.0, 5000.0, 10_000.0, 15_000.0, 20_000.0,
            ] {
                for gain in [-24.0, -12.0, -6.0, 6.0, 12.0, 24.0] {
                    for q in [0.5, 0.707, 2.0, 8.0] {
                        if band_type != EqBandType::Bell && q > 1.0 {
                            // Resonant shelves (Q > 0.707 overshoots) are
                            // covered by the stability/mirror test only.
                            continue;
                        }
                        let band = EqBandSettings::new(band_type, freq, gain, q);
                        let (err, at) = analytic_deviation_from_analog(&band, rate);
                        let tolerance = if freq <= 2000.0 {
                            0.5
                        } else if freq <= 12_000.0 {
                            1.1
                        } else {
                            4.0
                        };
                        assert!(
                            err < tolerance,
                            "{band_type:?} {freq} Hz {gain:+} dB Q {q} @ {rate}: {err:.3} dB at {at:.0} Hz"
                        );
                        worst_type = worst_type.max(err);
                    }
                }
            }
            report.push(format!("{band_type:?} @ {rate}: worst {worst_type:.3} dB"));
        }
    }
    println!("{}", report.join("\n"));
}

#[test]
fn notch_has_a_true_zero_and_follows_the_analog_skirts() {
    for rate in RATES {
        for freq in [50.0, 1000.0, 5000.0, 12_000.0] {
            for q in [0.5, 2.0, 10.0] {
                let band = EqBandSettings::new(EqBandType::Notch, freq, 0.0, q);
                let coefs = band_settings_coefs(&band, rate);
                assert!(coefs.is_stable());
                assert!(coefs.response(0.0, rate).norm_db().abs() < 1e-9);
                assert!(coefs.response(f64::from(freq), rate).norm_db() < -120.0);
                let ir = biquad_ir(&coefs);
                for (f, measured) in measured_db(&ir, &log_freqs(20.0, 20_000.0, 120), rate) {
                    let analog = band_analog_response(&band, f).norm_db();
                    if analog < -20.0 {
                        continue;
                    }
                    let tolerance = if freq <= 5000.0 { 0.5 } else { 1.0 };
                    if f64::from(freq) > 0.125 * rate && f > f64::from(freq) {
                        continue; // Nyquist gain not matched (see matched_notch)
                    }
                    assert!(
                        (measured - analog).abs() < tolerance,
                        "notch {freq} Q {q} @ {rate}: {f:.0} Hz {measured:.2} vs {analog:.2}"
                    );
                }
            }
        }
    }
}

#[test]
fn analytic_band_response_equals_impulse_response_fft() {
    for rate in [44_100.0, 192_000.0] {
        for band_type in [
            EqBandType::Bell,
            EqBandType::LowShelf,
            EqBandType::HighShelf,
            EqBandType::Notch,
            EqBandType::Tilt,
        ] {
            let coefs = band_coefs(band_type, 3000.0, -9.0, 1.3, rate);
            let ir = biquad_ir(&coefs);
            let spec = spectrum(&ir);
            for f in log_freqs(20.0, 20_000.0, 50) {
                let (k, fk) = nearest_bin(f, IR_LEN, rate);
                let analytic = coefs.response(fk, rate);
                let err = ((spec[k].re - analytic.re).powi(2) + (spec[k].im - analytic.im).powi(2))
                    .sqrt();
                assert!(
                    err < 1e-9 + 1e-9 * analytic.norm(),
                    "{band_type:?} {rate} {fk}"
                );
            }
        }
    }
}

#[test]
fn designs_are_stable_and_gain_signs_are_mirror_images() {
    for rate in RATES {
        for band_type in [
            EqBandType::Bell,
            EqBandType::LowShelf,
            EqBandType::HighShelf,
            EqBandType::Tilt,
        ] {
            for freq in log_freqs(20.0, 20_000.0, 25) {
                for gain in [0.5, 3.0, 12.0, 24.0] {
                    for q in [0.1, 0.4, 1.0, 5.0, 40.0] {
                        let boost = band_coefs(band_type, freq, gain, q, rate);
                        let cut = band_coefs(band_type, freq, -gain, q, rate);
                        assert!(
                            boost.is_stable() && cut.is_stable(),
                            "{band_type:?} {freq} {gain} {q} {rate}"
                        );
                        for f in [30.0, freq, 0.45 * rate] {
                            let product = boost.response(f, rate) * cut.response(f, rate);
                            assert!(
                                (product.norm() - 1.0).abs() < 1e-6,
                                "{band_type:?} {freq} {gain} {q}: |H(g)·H(−g)| = {}",
                                product.norm()
                            );
                        }
                    }
                }
            }
        }
    }
}

/// Largest second difference |y[n] − 2y[n−1] + y[n−2]| after `skip` samples.
fn max_second_difference(y: &[f32], skip: usize) -> f64 {
    y.windows(3)
        .skip(skip)
        .map(|w| (f64::from(w[2]) - 2.0 * f64::from(w[1]) + f64::from(w[0])).abs())
        .fold(0.0, f64::max)
}

#[test]
fn fast_frequency_sweep_of_a_bell_does_not_click() {
    // A 1 kHz sine (−6 dBFS) through a +12 dB, Q 2 bell whose frequency
    // jumps between 100 Hz and 10 kHz every 20 ms (automation as fast as a
    // host sends it). A smooth signal of amplitude ≤ A at 1 kHz has
    // |Δ²y| ≤ A·(2π·1000/fs)²; here A ≤ 0.5·4 (+12 dB). A click (a step or
    // kink in the output) would show up as a much larger second difference.
    let rate = 48_000.0;
    let amp = 0.5;
    let smooth_bound = amp * 4.0 * (2.0 * PI * 1000.0 / rate).powi(2);
    let bound = 1.5 * smooth_bound;
    let len = (2.0 * rate) as usize;
    let input = sine_f32(amp, 1000.0, rate, len);
    let block = 64;
    let jump_every = (0.02 * rate) as usize / block * block;

    let mut eq = ParametricEq::new(rate, 1);
    let mut settings = EqSettings::default();
    settings.bands[0] = EqBandSettings::new(EqBandType::Bell, 100.0, 12.0, 2.0);
    eq.set_settings(&settings);
    eq.reset();
    let mut output: Vec<f64> = input.iter().map(|&x| f64::from(x)).collect();
    for (i, chunk) in output.chunks_mut(block).enumerate() {
        if (i * block) % jump_every == 0 {
            let up = (i * block / jump_every).is_multiple_of(2);
            settings.bands[0].frequency_hz = if up { 10_000.0 } else { 100.0 };
            settings.bands[0].gain_db = if up { 12.0 } else { 6.0 };
            settings.bands[0].q = if up { 2.0 } else { 0.7 };
            eq.set_settings(&settings);
        }
        eq.process(&mut [chunk]);
    }
    let out32: Vec<f32> = output.iter().map(|&x| x as f32).collect();
    let smoothed = max_second_difference(&out32, 0);
    println!("smoothed sweep: max |Δ²y| = {smoothed:.4} (bound {bound:.4}, smooth sine {smooth_bound:.4})");
    assert!(smoothed < bound, "{smoothed} ≥ {bound}");

    // The same automation with coefficients switched instantly (no
    // smoothing) must fail the bound, or the test could not catch a click.
    let mut state = BiquadState::new();
    let mut coefs = band_coefs(EqBandType::Bell, 100.0, 12.0, 2.0, rate);
    let mut naive = Vec::with_capacity(len);
    for (n, &x) in input.iter().enumerate() {
        if n % jump_every == 0 {
            let up = (n / jump_every).is_multiple_of(2);
            coefs = if up {
                band_coefs(EqBandType::Bell, 10_000.0, 12.0, 2.0, rate)
            } else {
                band_coefs(EqBandType::Bell, 100.0, 6.0, 0.7, rate)
            };
        }
        naive.push(state.process(&coefs, f64::from(x)) as f32);
    }
    let unsmoothed = max_second_difference(&naive, 0);
    println!("instant switching: max |Δ²y| = {unsmoothed:.4}");
    assert!(unsmoothed > 2.0 * bound, "{unsmoothed}");
}

#[test]
fn cutoff_sweep_and_order_change_of_a_high_pass_do_not_click() {
    let rate = 48_000.0;
    let amp = 0.5;
    let bound = 1.5 * amp * (2.0 * PI * 1000.0 / rate).powi(2) * 1.2;
    let len = (1.5 * rate) as usize;
    let mut output: Vec<f64> = sine(amp, 1000.0, rate, len);
    let mut filter = CutFilter::new(PassKind::HighPass, rate, 1);
    let mut settings = CutFilterSettings {
        enabled: true,
        cutoff_hz: 20.0,
        order: 4,
    };
    filter.set_settings(&settings);
    filter.reset();
    for (i, chunk) in output.chunks_mut(32).enumerate() {
        match i % 400 {
            0 => settings.cutoff_hz = 2000.0,
            100 => settings.cutoff_hz = 20.0,
            200 => settings.order = 8,
            300 => {
                settings.order = 2;
                settings.enabled = !settings.enabled;
            }
            _ => {}
        }
        filter.set_settings(&settings);
        filter.process(&mut [chunk]);
    }
    let out32: Vec<f32> = output.iter().map(|&x| x as f32).collect();
    let d2 = max_second_difference(&out32, 0);
    println!("high-pass sweep: max |Δ²y| = {d2:.4} (bound {bound:.4})");
    assert!(d2 < bound, "{d2}");
}
