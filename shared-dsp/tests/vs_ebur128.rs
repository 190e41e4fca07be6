//! Cross-check against the `ebur128` crate (a port of libebur128, an
//! independent implementation) on seeded noise, sweeps, bursts and
//! modulated noise, mono, stereo and 5.1, at 44.1, 48 and 96 kHz.
//!
//! Both meters are fed the same audio one 100 ms step at a time, and the
//! ebur128 momentary / short-term values are queried at the same step
//! boundaries to form its maxima and an exact (sorted, every-step) LRA.

mod common;
use common::*;
use ebur128::{EbuR128, Mode};
use shared_dsp::units::loudness::{lufs_to_energy, LoudnessMeter};

const RATES: [f64; 3] = [44_100.0, 48_000.0, 96_000.0];
const INTEGRATED_TOLERANCE_LU: f64 = 0.05;
const MAX_WINDOW_TOLERANCE_LU: f64 = 0.05;
/// Against an exact LRA over ebur128's short-term values at every 100 ms
/// step (our histogram resolution is 0.01 LU per percentile).
const LRA_TOLERANCE_LU: f64 = 0.1;
/// ebur128 takes a short-term value only every 1 s (10 steps) for its LRA;
/// the exact LRA over every 10th of its step values must reproduce it, which
/// shows the reference above is built the way libebur128 defines LRA.
const LRA_REFERENCE_CONSISTENCY_LU: f64 = 0.02;
/// For band-limited signals (no content in the interpolators' transition
/// bands) at rates where ebur128 also oversamples 4×.
const TRUE_PEAK_TOLERANCE_DB: f64 = 0.1;
/// ebur128 oversamples only 4× (2× from 96 kHz) with a short Hann-windowed
/// sinc that under-reads full-band signals (≈ 1 dB on white noise, where an
/// ideal reconstruction is higher still, see `tests/true_peak.rs`); ours
/// must never read below it by more than this.
const TRUE_PEAK_NOT_BELOW_LIBEBUR128_DB: f64 = 0.1;
/// Rates from which ebur128 oversamples only 2×.
const LIBEBUR128_2X_FROM_HZ: f64 = 96_000.0;
const SAMPLE_PEAK_TOLERANCE_DB: f64 = 1e-6;

/// Nearest-rank LRA over a sorted list of short-term energies, exactly as
/// EBU Tech 3342 / libebur128 define it (absolute gate −70, relative −20).
fn exact_lra(short_term_lufs: &[f64]) -> Option<f64> {
    let mut energies: Vec<f64> = short_term_lufs
        .iter()
        .filter(|l| **l > -70.0)
        .map(|l| lufs_to_energy(*l))
        .collect();
    if energies.is_empty() {
        return None;
    }
    let mean = energies.iter().sum::<f64>() / energies.len() as f64;
    let gate = mean * 0.01;
    energies.retain(|e| *e > gate);
    energies.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let n = energies.len();
    let low = energies[((n - 1) as f64 * 0.10 + 0.5) as usize];
    let high = energies[((n - 1) as f64 * 0.95 + 0.5) as usize];
    Some(10.0 * (high / low).log10())
}

struct Comparison {
    label: String,
    ours: shared_dsp::units::loudness::LoudnessReadings,
    ref_integrated: f64,
    ref_max_momentary: f64,
    ref_max_short_term: f64,
    ref_lra_exact: Option<f64>,
    ref_lra_exact_every_second: Option<f64>,
    ref_lra_libebur128: f64,
    rate: f64,
    ref_true_peak_db: f64,
    ref_sample_peak_db: f64,
}

fn compare(label: &str, rate: f64, channels: &[Vec<f32>]) -> Comparison {
    let num_channels = channels.len();
    let mut meter = LoudnessMeter::new(rate, num_channels);
    let mut reference = EbuR128::new(
        num_channels as u32,
        rate as u32,
        Mode::I | Mode::M | Mode::S | Mode::LRA | Mode::TRUE_PEAK | Mode::SAMPLE_PEAK,
    )
    .unwrap();
    let len = channels[0].len();
    let mut pos = 0;
    let mut max_momentary = f64::NEG_INFINITY;
    let mut max_short_term = f64::NEG_INFINITY;
    let mut short_terms = Vec::new();
    // The meter seeks the momentary maximum on a 10 ms grid: read the
    // reference's momentary loudness on the same grid.
    let hop = ((rate * 0.01).round() as usize).max(1);
    while pos < len {
        let n = meter
            .samples_until_next_step()
            .min(hop - pos % hop)
            .min(len - pos);
        let block: Vec<&[f32]> = channels.iter().map(|c| &c[pos..pos + n]).collect();
        meter.process(&block);
        reference.add_frames_planar_f32(&block).unwrap();
        pos += n;
        if pos % hop == 0 && pos >= 40 * hop {
            max_momentary = max_momentary.max(reference.loudness_momentary().unwrap());
        }
        if meter.samples_until_next_step() == meter.step_len_samples() {
            let steps = meter.steps_completed();
            if steps >= 30 {
                let s = reference.loudness_shortterm().unwrap();
                max_short_term = max_short_term.max(s);
                short_terms.push(s);
            }
        }
    }
    let peak = |f: &dyn Fn(u32) -> f64| (0..num_channels as u32).map(f).fold(0.0f64, f64::max);
    Comparison {
        label: format!("{label} {num_channels} ch {rate} Hz"),
        ours: meter.readings(),
        ref_integrated: reference.loudness_global().unwrap(),
        ref_max_momentary: max_momentary,
        ref_max_short_term: max_short_term,
        ref_lra_exact: exact_lra(&short_terms),
        ref_lra_exact_every_second: exact_lra(
            &short_terms.iter().copied().step_by(10).collect::<Vec<_>>(),
        ),
        rate,
        ref_lra_libebur128: reference.loudness_range().unwrap(),
        ref_true_peak_db: 20.0 * peak(&|c| reference.true_peak(c).unwrap()).log10(),
        ref_sample_peak_db: 20.0 * peak(&|c| reference.sample_peak(c).unwrap()).log10(),
    }
}

/// Whether the signal has no content near Nyquist, so that true peaks are
/// comparable between different interpolators.
#[derive(Clone, Copy, PartialEq)]
enum Band {
    Limited,
    Full,
}

fn check(c: &Comparison, band: Band) {
    let o = &c.ours;
    let l = &c.label;
    assert_within(
        &format!("{l} integrated"),
        o.integrated_lufs.unwrap(),
        c.ref_integrated,
        INTEGRATED_TOLERANCE_LU,
        INTEGRATED_TOLERANCE_LU,
    );
    assert_within(
        &format!("{l} max M"),
        o.max_momentary_lufs.unwrap(),
        c.ref_max_momentary,
        MAX_WINDOW_TOLERANCE_LU,
        MAX_WINDOW_TOLERANCE_LU,
    );
    assert_within(
        &format!("{l} max S"),
        o.max_short_term_lufs.unwrap(),
        c.ref_max_short_term,
        MAX_WINDOW_TOLERANCE_LU,
        MAX_WINDOW_TOLERANCE_LU,
    );
    let lra = o.loudness_range_lu.unwrap();
    assert_within(
        &format!("{l} LRA (exact)"),
        lra,
        c.ref_lra_exact.unwrap(),
        LRA_TOLERANCE_LU,
        LRA_TOLERANCE_LU,
    );
    assert_within(
        &format!("{l} LRA reference vs libebur128"),
        c.ref_lra_exact_every_second.unwrap(),
        c.ref_lra_libebur128,
        LRA_REFERENCE_CONSISTENCY_LU,
        LRA_REFERENCE_CONSISTENCY_LU,
    );
    let true_peak = o.true_peak_dbtp.unwrap();
    if band == Band::Limited && c.rate < LIBEBUR128_2X_FROM_HZ {
        assert_within(
            &format!("{l} true peak"),
            true_peak,
            c.ref_true_peak_db,
            TRUE_PEAK_TOLERANCE_DB,
            TRUE_PEAK_TOLERANCE_DB,
        );
    } else {
        assert!(
            true_peak >= c.ref_true_peak_db - TRUE_PEAK_NOT_BELOW_LIBEBUR128_DB,
            "{l} true peak {true_peak} below libebur128's {}",
            c.ref_true_peak_db
        );
    }
    assert!(true_peak >= o.sample_peak_dbfs.unwrap());
    assert_within(
        &format!("{l} sample peak"),
        o.sample_peak_dbfs.unwrap(),
        c.ref_sample_peak_db,
        SAMPLE_PEAK_TOLERANCE_DB,
        SAMPLE_PEAK_TOLERANCE_DB,
    );
    let plr = o.plr_lu.unwrap();
    assert!((plr - (o.true_peak_dbtp.unwrap() - o.integrated_lufs.unwrap())).abs() < 1e-12);
    eprintln!(
        "{l}: I {:+.4} M {:+.4} S {:+.4} LRA {:+.4} (lib {:+.3}) TP {:+.4}",
        o.integrated_lufs.unwrap() - c.ref_integrated,
        o.max_momentary_lufs.unwrap() - c.ref_max_momentary,
        o.max_short_term_lufs.unwrap() - c.ref_max_short_term,
        lra - c.ref_lra_exact.unwrap(),
        lra - c.ref_lra_libebur128,
        true_peak - c.ref_true_peak_db,
    );
}

/// A varied programme for one channel: noise, sweep, bursts and AM noise in
/// sequence, so the loudness moves and the gates and LRA have work to do.
fn programme(rate: f64, seed: u64) -> Vec<f32> {
    let mut rng = Rng::new(seed);
    let mut out = pink_noise(&mut rng, frames(8.0, rate), 0.5);
    out.extend(white_noise(&mut rng, frames(5.0, rate), 0.05));
    out.extend(log_sweep(rate, 20.0, 20_000.0, 8.0, -12.0));
    out.extend(tone_bursts(
        rate,
        997.0,
        0.3,
        0.2,
        &[-10.0, -25.0, -40.0, -18.0],
        6.0,
    ));
    out.extend(tone_bursts(rate, 80.0, 1.0, 0.5, &[-6.0, -30.0], 5.0));
    out.extend(am_noise(&mut rng, rate, 12.0, -20.0, 24.0, 0.15));
    out.extend(vec![0.0; frames(2.0, rate)]);
    out.extend(pink_noise(&mut rng, frames(4.0, rate), 0.05));
    out
}

#[test]
fn white_noise_mono_and_stereo() {
    for rate in RATES {
        let mut rng = Rng::new(1);
        let left = white_noise(&mut rng, frames(20.0, rate), 0.3);
        check(
            &compare("white", rate, std::slice::from_ref(&left)),
            Band::Full,
        );
        let right = white_noise(&mut rng, frames(20.0, rate), 0.1);
        check(&compare("white", rate, &[left, right]), Band::Full);
    }
}

#[test]
fn pink_noise_mono_and_stereo() {
    for rate in RATES {
        let mut rng = Rng::new(2);
        let left = pink_noise(&mut rng, frames(20.0, rate), 0.7);
        check(
            &compare("pink", rate, std::slice::from_ref(&left)),
            Band::Full,
        );
        let right = pink_noise(&mut rng, frames(20.0, rate), 0.2);
        check(&compare("pink", rate, &[left, right]), Band::Full);
    }
}

#[test]
fn varied_programme_mono_and_stereo() {
    for rate in RATES {
        let left = programme(rate, 3);
        check(
            &compare("programme", rate, std::slice::from_ref(&left)),
            Band::Full,
        );
        let right = programme(rate, 4);
        check(&compare("programme", rate, &[left, right]), Band::Full);
    }
}

#[test]
fn amplitude_modulated_noise_stereo() {
    for rate in RATES {
        let mut rng = Rng::new(5);
        let left = am_noise(&mut rng, rate, 40.0, -18.0, 30.0, 0.05);
        let right = am_noise(&mut rng, rate, 40.0, -24.0, 12.0, 0.2);
        check(&compare("AM noise", rate, &[left, right]), Band::Full);
    }
}

/// 5.1 (L R C LFE Ls Rs): the LFE is excluded and surrounds weigh 1.41 in
/// both implementations.
#[test]
fn surround_5_1() {
    let rate = 48_000.0;
    let mut rng = Rng::new(6);
    let channels: Vec<Vec<f32>> = (0..6)
        .map(|c| pink_noise(&mut rng, frames(15.0, rate), 0.1 + 0.1 * c as f64))
        .collect();
    check(&compare("5.1 pink", rate, &channels), Band::Full);
}

/// White noise low-passed well below Nyquist (4 × 2nd-order Butterworth
/// sections at 0.3·fs, ≈ −48 dB/oct): the two interpolators agree on its
/// true peak.
fn band_limited_noise(rng: &mut Rng, rate: f64, seconds: f64, amp: f64) -> Vec<f32> {
    use shared_dsp::units::filter::{BiquadCoefs, BiquadState};
    const CUTOFF_FRACTION: f64 = 0.3;
    const BUTTERWORTH_Q: f64 = std::f64::consts::FRAC_1_SQRT_2;
    let coefs = BiquadCoefs::lowpass(CUTOFF_FRACTION * rate, BUTTERWORTH_Q, rate);
    let mut states = [BiquadState::new(); 4];
    white_noise(rng, frames(seconds, rate), amp)
        .into_iter()
        .map(|x| {
            let y = states
                .iter_mut()
                .fold(f64::from(x), |y, s| s.process(&coefs, y));
            y as f32
        })
        .collect()
}

#[test]
fn band_limited_noise_true_peak_mono_and_stereo() {
    for rate in RATES {
        let mut rng = Rng::new(7);
        let left = band_limited_noise(&mut rng, rate, 12.0, 0.9);
        check(
            &compare("band-limited", rate, std::slice::from_ref(&left)),
            Band::Limited,
        );
        let right = band_limited_noise(&mut rng, rate, 12.0, 0.4);
        check(
            &compare("band-limited", rate, &[left, right]),
            Band::Limited,
        );
    }
}
