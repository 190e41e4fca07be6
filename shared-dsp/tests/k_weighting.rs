//! K-weighting: the BS.1770-4 48 kHz table, the calibration gain at 1 kHz,
//! and the same response at every rate (analog-prototype derivation).

use shared_dsp::units::loudness::k_weighting::{analog_response, KWeightingCoefs, KWeightingState};
use shared_dsp::units::loudness::LOUDNESS_OFFSET_DB;

/// BS.1770-4 Table 1 (pre-filter) and Table 2 (RLB), 48 kHz.
const TABLE_SHELF: [f64; 5] = [
    1.53512485958697,
    -2.69169618940638,
    1.19839281085285,
    -1.69065929318241,
    0.73248077421585,
];
const TABLE_HIGHPASS: [f64; 5] = [1.0, -2.0, 1.0, -1.99004745483398, 0.99007225036621];
const TABLE_TOLERANCE: f64 = 1e-6;

#[test]
fn coefficients_match_bs1770_table_at_48k() {
    let k = KWeightingCoefs::new(48_000.0);
    let shelf = [k.shelf.b0, k.shelf.b1, k.shelf.b2, k.shelf.a1, k.shelf.a2];
    let hp = [
        k.highpass.b0,
        k.highpass.b1,
        k.highpass.b2,
        k.highpass.a1,
        k.highpass.a2,
    ];
    for (got, want) in shelf
        .iter()
        .zip(TABLE_SHELF)
        .chain(hp.iter().zip(TABLE_HIGHPASS))
    {
        assert!(
            (got - want).abs() < TABLE_TOLERANCE,
            "{got} vs table {want}"
        );
    }
}

/// The −0.691 dB offset of the loudness formula cancels the K-weighting
/// gain at 1 kHz, at every rate: within the ≈ 0.011 dB by which the 48 kHz
/// table's shelf is warped at 1 kHz relative to the analog prototype (high
/// rates follow the prototype).
#[test]
fn gain_at_1khz_cancels_loudness_offset() {
    for rate in [32_000.0, 44_100.0, 48_000.0, 96_000.0, 192_000.0] {
        let gain_db = KWeightingCoefs::new(rate).response(1000.0, rate).norm_db();
        assert!(
            (gain_db + LOUDNESS_OFFSET_DB).abs() < 0.015,
            "{rate}: {gain_db}"
        );
    }
}

/// Every rate's digital response matches the 48 kHz one (and the analog
/// prototype) where bilinear warping is negligible; the table's 48 kHz
/// response is itself within 0.01 dB of the analog prototype up to 5 kHz.
#[test]
fn response_is_rate_independent_below_warping() {
    let reference = KWeightingCoefs::new(48_000.0);
    let freqs = [
        10.0, 20.0, 38.0, 60.0, 100.0, 300.0, 1000.0, 1682.0, 3000.0, 5000.0,
    ];
    for rate in [44_100.0, 88_200.0, 96_000.0, 176_400.0, 192_000.0] {
        let k = KWeightingCoefs::new(rate);
        for f in freqs {
            let ours = k.response(f, rate).norm_db();
            let at_48k = reference.response(f, 48_000.0).norm_db();
            let analog = analog_response(f).norm_db();
            // Warping error grows ~ (f/fs)²; 0.02 dB covers 5 kHz at 44.1 kHz.
            assert!(
                (ours - at_48k).abs() < 0.02,
                "{rate} Hz at {f} Hz: {ours} vs 48k {at_48k}"
            );
            assert!(
                (ours - analog).abs() < 0.02,
                "{rate} Hz at {f} Hz: {ours} vs analog {analog}"
            );
        }
        // Low frequencies (no warping) agree much more tightly.
        for f in [20.0, 100.0, 300.0] {
            let diff = k.response(f, rate).norm_db() - reference.response(f, 48_000.0).norm_db();
            assert!(diff.abs() < 0.002, "{rate} Hz at {f} Hz: {diff}");
        }
    }
}

/// The shape: ≈ −∞ at DC, ≈ +4 dB plateau at high frequencies.
#[test]
fn shape() {
    let k = KWeightingCoefs::new(48_000.0);
    assert!(k.response(5.0, 48_000.0).norm_db() < -20.0);
    let hf = k.response(12_000.0, 48_000.0).norm_db();
    assert!((3.9..4.1).contains(&hf), "HF gain {hf}");
}

#[test]
fn state_processes_like_the_two_biquads() {
    let rate = 48_000.0;
    let k = KWeightingCoefs::new(rate);
    let mut state = KWeightingState::default();
    let mut shelf = shared_dsp::units::filter::BiquadState::new();
    let mut hp = shared_dsp::units::filter::BiquadState::new();
    for n in 0..1000 {
        let x = ((n * 7919) % 97) as f64 / 97.0 - 0.5;
        let expected = hp.process(&k.highpass, shelf.process(&k.shelf, x));
        assert_eq!(state.process(&k, x), expected);
    }
    state.reset();
    assert_eq!(state.cells(), [0.0; 4]);
}

/// Readings agree across 8–192 kHz: a 1 kHz tone and pink noise read within
/// 0.02 LU of what they read at 48 kHz (the rate BS.1770-4 tabulates).
/// Below 44.1 kHz the pre-filter shelf is a magnitude-matched design
/// (following the analog prototype up to Nyquist); a bilinear shelf reads
/// 0.21 LU low at 8 kHz.
#[test]
fn readings_agree_across_sample_rates_within_0_02_lu() {
    use shared_dsp::units::loudness::LoudnessMeter;
    const RATES: [f64; 11] = [
        8_000.0, 11_025.0, 16_000.0, 22_050.0, 32_000.0, 44_100.0, 48_000.0, 88_200.0, 96_000.0,
        176_400.0, 192_000.0,
    ];
    let tone = |rate: f64| -> Vec<f32> {
        (0..(rate * 10.0) as usize)
            .map(|n| (0.1 * (std::f64::consts::TAU * 1000.0 * n as f64 / rate).sin()) as f32)
            .collect()
    };
    // Pink noise by summing octave-spaced sines with 1/√f amplitudes and
    // random phases: the same spectrum at every rate (components above
    // 0.45·fs are left out, as a band-limited source would be).
    let pink = |rate: f64| -> Vec<f32> {
        let mut phase = 0.123_f64;
        let components: Vec<(f64, f64, f64)> = (0..80)
            .map(|k| {
                let f = 20.0 * 2f64.powf(f64::from(k) / 8.0);
                phase = (phase * 7.31 + 0.377).fract();
                (f, 0.05 / (f / 1000.0).sqrt(), std::f64::consts::TAU * phase)
            })
            .filter(|&(f, _, _)| f < 3_400.0)
            .collect();
        (0..(rate * 10.0) as usize)
            .map(|n| {
                let t = n as f64 / rate;
                components
                    .iter()
                    .map(|&(f, a, p)| a * (std::f64::consts::TAU * f * t + p).sin())
                    .sum::<f64>() as f32
            })
            .collect()
    };
    for (name, make) in [
        ("1 kHz tone", &tone as &dyn Fn(f64) -> Vec<f32>),
        ("pink", &pink),
    ] {
        let read = |rate: f64| {
            let mut meter = LoudnessMeter::new(rate, 1);
            meter.process(&[make(rate)]);
            meter.readings().integrated_lufs.unwrap()
        };
        let reference = read(48_000.0);
        for rate in RATES {
            let lufs = read(rate);
            assert!(
                (lufs - reference).abs() <= 0.02,
                "{name} at {rate} Hz: {lufs:.4} LUFS vs {reference:.4} at 48 kHz"
            );
        }
    }
}
