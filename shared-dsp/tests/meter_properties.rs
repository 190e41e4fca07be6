//! LoudnessMeter contract: block-size independence, reset, sample-rate
//! changes, non-finite input, step timing, `None` semantics, channel weights.

mod common;
use common::*;
use shared_dsp::units::loudness::{LoudnessMeter, LoudnessReadings};

const RATE: f64 = 48_000.0;

fn test_signal(rate: f64, seconds: f64) -> Vec<Vec<f32>> {
    let mut rng = Rng::new(42);
    let mut left = pink_noise(&mut rng, frames(seconds / 2.0, rate), 0.5);
    left.extend(am_noise(&mut rng, rate, seconds / 2.0, -20.0, 20.0, 0.3));
    let right = tone_bursts(rate, 440.0, 0.25, 0.15, &[-12.0, -30.0, -20.0], seconds);
    vec![left[..right.len()].to_vec(), right]
}

/// Readings after every completed step, feeding exactly to step boundaries.
fn series(meter: &mut LoudnessMeter, channels: &[Vec<f32>]) -> Vec<(u64, f64, LoudnessReadings)> {
    let len = channels[0].len();
    let mut pos = 0;
    let mut out = Vec::new();
    while pos < len {
        let n = meter.samples_until_next_step().min(len - pos);
        let block: Vec<&[f32]> = channels.iter().map(|c| &c[pos..pos + n]).collect();
        meter.process(&block);
        pos += n;
        if meter.samples_until_next_step() == meter.step_len_samples() {
            out.push((meter.steps_completed(), meter.time_s(), meter.readings()));
        }
    }
    out
}

#[test]
fn block_size_does_not_change_readings() {
    let signal = test_signal(RATE, 8.0);
    let mut reference = LoudnessMeter::new(RATE, 2);
    feed_all(&mut reference, &signal);
    let expected = reference.readings();
    assert!(expected.integrated_lufs.is_some() && expected.short_term_lufs.is_some());
    for size in [1usize, 7, 64, 4096] {
        let mut meter = LoudnessMeter::new(RATE, 2);
        feed_in_blocks(&mut meter, &signal, || size);
        assert_eq!(meter.readings(), expected, "block size {size}");
        assert_eq!(meter.steps_completed(), reference.steps_completed());
    }
    // Random sizes including 0 (a no-op call).
    let mut rng = Rng::new(7);
    let mut meter = LoudnessMeter::new(RATE, 2);
    let len = signal[0].len();
    let mut pos = 0;
    while pos < len {
        let n = rng.below(3000).min(len - pos);
        meter.process(&[&signal[0][pos..pos + n], &signal[1][pos..pos + n]]);
        pos += n;
    }
    assert_eq!(meter.readings(), expected, "random block sizes");
    // The step-by-step series ends in the same state too.
    let mut stepped = LoudnessMeter::new(RATE, 2);
    let s = series(&mut stepped, &signal);
    assert_eq!(stepped.readings(), expected);
    assert_eq!(s.len() as u64, stepped.steps_completed());
}

#[test]
fn reset_reproduces_identical_readings() {
    let signal = test_signal(RATE, 6.0);
    let mut meter = LoudnessMeter::new(RATE, 2);
    let first = series(&mut meter, &signal);
    meter.reset();
    assert_eq!(meter.readings(), LoudnessReadings::default());
    assert_eq!(meter.steps_completed(), 0);
    assert_eq!(meter.time_s(), 0.0);
    assert_eq!(meter.samples_until_next_step(), meter.step_len_samples());
    let second = series(&mut meter, &signal);
    assert_eq!(first, second);
}

#[test]
fn set_sample_rate_leaves_no_stale_state() {
    let rate = 44_100.0;
    let signal = test_signal(rate, 5.0);
    let mut fresh = LoudnessMeter::new(rate, 2);
    let expected = series(&mut fresh, &signal);

    let mut meter = LoudnessMeter::new(RATE, 2);
    feed_all(&mut meter, &test_signal(RATE, 4.0));
    // Leave a partial step behind too.
    meter.process(&[&[0.9f32; 123][..], &[0.9f32; 123][..]]);
    meter.set_sample_rate(rate);
    assert_eq!(meter.sample_rate(), rate);
    assert_eq!(meter.step_len_samples(), 4410);
    assert_eq!(meter.readings(), LoudnessReadings::default());
    assert_eq!(series(&mut meter, &signal), expected);
    // And back.
    meter.set_sample_rate(RATE);
    assert_eq!(meter.step_len_samples(), 4800);
    assert_eq!(meter.true_peak_oversampling_factor(), 4);
}

#[test]
fn step_timing_is_exact() {
    for (rate, step) in [
        (44_100.0, 4410),
        (48_000.0, 4800),
        (96_000.0, 9600),
        (22_050.0, 2205),
        (11_025.0, 1103),
    ] {
        let mut meter = LoudnessMeter::new(rate, 1);
        assert_eq!(meter.step_len_samples(), step);
        assert_eq!(meter.samples_until_next_step(), step);
        meter.process(&[vec![0.1f32; step - 1]]);
        assert_eq!(meter.samples_until_next_step(), 1);
        assert_eq!(meter.steps_completed(), 0);
        meter.process(&[vec![0.1f32; 1]]);
        assert_eq!(meter.steps_completed(), 1);
        assert_eq!(meter.samples_until_next_step(), step);
        meter.process(&[vec![0.1f32; 10 * step + 5]]);
        assert_eq!(meter.steps_completed(), 11);
        assert_eq!(meter.samples_until_next_step(), step - 5);
        assert!((meter.time_s() - 11.0 * step as f64 / rate).abs() < 1e-12);
    }
}

#[test]
fn windows_are_none_until_filled_and_for_silence() {
    let signal = sine_segments(RATE, &[(4.0, -23.0)]);
    let mut meter = LoudnessMeter::new(RATE, 2);
    let stereo = vec![signal.clone(), signal];
    for (steps, _, r) in series(&mut meter, &stereo) {
        assert_eq!(r.momentary_lufs.is_some(), steps >= 4, "M at step {steps}");
        assert_eq!(r.max_momentary_lufs.is_some(), steps >= 4);
        assert_eq!(r.integrated_lufs.is_some(), steps >= 4);
        assert_eq!(
            r.short_term_lufs.is_some(),
            steps >= 30,
            "S at step {steps}"
        );
        assert_eq!(r.loudness_range_lu.is_some(), steps >= 30);
        assert!(r.true_peak_dbtp.is_some() && r.sample_peak_dbfs.is_some());
    }
    // Pure digital silence: nothing is defined, at any length.
    let mut silent = LoudnessMeter::new(RATE, 2);
    silent.process(&[
        vec![0.0f32; frames(5.0, RATE)],
        vec![0.0f32; frames(5.0, RATE)],
    ]);
    assert_eq!(silent.readings(), LoudnessReadings::default());
    assert_eq!(silent.steps_completed(), 50);
}

/// After the programme stops, M and S become None once their windows hold
/// only silence (the filter tail is flushed to exact zero), while the
/// integrated loudness, LRA, maxima and peaks keep their values.
#[test]
fn silence_after_programme() {
    let signal = sine_segments(RATE, &[(5.0, -20.0), (10.0, -200.0)]);
    let zeroed: Vec<f32> = signal
        .iter()
        .enumerate()
        .map(|(i, x)| if i < frames(5.0, RATE) { *x } else { 0.0 })
        .collect();
    let mut meter = LoudnessMeter::new(RATE, 2);
    meter.process(&[&zeroed, &zeroed]);
    let r = meter.readings();
    assert_eq!(r.momentary_lufs, None);
    assert_eq!(r.short_term_lufs, None);
    // 47 full gating blocks at −20 plus the three straddling the stop
    // (¾, ½, ¼ of the energy; all above the relative gate).
    let expected_i = -20.0 + 10.0 * (48.5f64 / 50.0).log10();
    assert_within("I", r.integrated_lufs.unwrap(), expected_i, 0.02, 0.02);
    assert_within("max M", r.max_momentary_lufs.unwrap(), -20.0, 0.05, 0.05);
    assert_within("max S", r.max_short_term_lufs.unwrap(), -20.0, 0.05, 0.05);
    assert_within("TP", r.true_peak_dbtp.unwrap(), -20.0, 0.05, 0.05);
    assert_within("PLR", r.plr_lu.unwrap(), -20.0 - expected_i, 0.05, 0.05);
}

#[test]
fn non_finite_input_is_measured_as_silence_and_meter_recovers() {
    let signal = test_signal(RATE, 5.0);
    let mut poisoned = signal.clone();
    let mut cleaned = signal.clone();
    let mut rng = Rng::new(3);
    for c in 0..2 {
        for _ in 0..200 {
            let i = rng.below(poisoned[c].len());
            poisoned[c][i] = [f32::NAN, f32::INFINITY, f32::NEG_INFINITY][rng.below(3)];
            cleaned[c][i] = 0.0;
        }
    }
    let mut meter = LoudnessMeter::new(RATE, 2);
    let mut reference = LoudnessMeter::new(RATE, 2);
    let poisoned_series = series(&mut meter, &poisoned);
    assert_eq!(poisoned_series, series(&mut reference, &cleaned));
    let r = meter.readings();
    for value in [
        r.momentary_lufs,
        r.short_term_lufs,
        r.integrated_lufs,
        r.loudness_range_lu,
        r.true_peak_dbtp,
        r.sample_peak_dbfs,
        r.plr_lu,
    ] {
        assert!(value.unwrap().is_finite(), "{r:?}");
    }
    // A block of nothing but NaN leaves everything finite as well.
    meter.process(&[vec![f32::NAN; 10_000], vec![f32::INFINITY; 10_000]]);
    assert!(meter.readings().integrated_lufs.unwrap().is_finite());
    // Reset recovers completely.
    meter.reset();
    let mut fresh = LoudnessMeter::new(RATE, 2);
    assert_eq!(series(&mut meter, &signal), series(&mut fresh, &signal));
}

#[test]
fn channel_handling() {
    let signal = sine_segments(RATE, &[(4.0, -20.0)]);
    let zeros = vec![0.0f32; signal.len()];
    // Missing channels are silence; extra channels are ignored.
    let mut a = LoudnessMeter::new(RATE, 2);
    a.process(&[&signal]);
    let mut b = LoudnessMeter::new(RATE, 2);
    b.process(&[&signal, &zeros]);
    assert_eq!(a.readings(), b.readings());
    let mut c = LoudnessMeter::new(RATE, 1);
    c.process(&[&signal, &signal, &signal]);
    // Mono: weight 1.0, one channel reads 3.01 LU below the same signal on two.
    let mut stereo = LoudnessMeter::new(RATE, 2);
    stereo.process(&[&signal, &signal]);
    let mono_i = c.readings().integrated_lufs.unwrap();
    let stereo_i = stereo.readings().integrated_lufs.unwrap();
    assert_within(
        "stereo − mono",
        stereo_i - mono_i,
        10.0 * 2f64.log10(),
        1e-9,
        1e-9,
    );
    assert_eq!(a.readings().integrated_lufs, c.readings().integrated_lufs);
    // An empty channel list and empty blocks do nothing.
    let before = stereo.readings();
    let empty: [&[f32]; 0] = [];
    stereo.process(&empty);
    stereo.process(&[&signal[..0], &signal[..0]]);
    assert_eq!(stereo.readings(), before);
    assert_eq!(stereo.num_channels(), 2);
    assert_eq!(stereo.channel_weights(), &[1.0, 1.0]);
    // Per-channel peaks.
    assert!(b.channel_true_peak_dbtp(0).is_some());
    assert_eq!(b.channel_true_peak_dbtp(1), None);
    assert_eq!(b.channel_sample_peak_dbfs(5), None);
}

/// 5.1: LFE excluded, surrounds weighted 1.41 (≈ +1.49 dB).
#[test]
fn surround_weights() {
    let signal = sine_segments(RATE, &[(4.0, -20.0)]);
    let zeros = vec![0.0f32; signal.len()];
    let mut lfe_only = LoudnessMeter::new(RATE, 6);
    lfe_only.process(&[&zeros, &zeros, &zeros, &signal, &zeros, &zeros]);
    assert_eq!(lfe_only.readings().integrated_lufs, None);
    assert!(
        lfe_only.readings().true_peak_dbtp.is_some(),
        "peaks still include the LFE"
    );
    let mut left = LoudnessMeter::new(RATE, 6);
    left.process(&[&signal, &zeros, &zeros, &zeros, &zeros, &zeros]);
    let mut surround = LoudnessMeter::new(RATE, 6);
    surround.process(&[&zeros, &zeros, &zeros, &zeros, &signal, &zeros]);
    let diff =
        surround.readings().integrated_lufs.unwrap() - left.readings().integrated_lufs.unwrap();
    assert_within("surround gain", diff, 10.0 * 1.41f64.log10(), 1e-9, 1e-9);
    // Overriding the weights.
    left.set_channel_weights(&[0.5]);
    assert_eq!(left.channel_weights()[0], 0.5);
}

#[test]
#[should_panic(expected = "LoudnessMeter supports 1..=8 channels, got 0")]
fn zero_channels_panics() {
    let _ = LoudnessMeter::new(RATE, 0);
}

#[test]
#[should_panic(expected = "LoudnessMeter sample rate must be")]
fn absurd_sample_rate_panics() {
    let _ = LoudnessMeter::new(f64::NAN, 2);
}

/// A layout given as roles weighs each channel by its role: the 7.1 order of
/// a WAV mask (L R C LFE Lrs Rrs Ls Rs) weighs channels 4 and 5 (the rear
/// surrounds, outside BS.1770-4 Table 3's 60°–120°) 1.0, channels 6 and 7
/// (the side surrounds) 1.41 and channel 3 not at all.
#[test]
fn channel_layout_sets_the_weights_of_its_roles() {
    use shared_dsp::units::loudness::ChannelRole::*;
    let wav_7_1 = [
        Left,
        Right,
        Center,
        Lfe,
        LeftRearSurround,
        RightRearSurround,
        LeftSurround,
        RightSurround,
    ];
    let mut meter = LoudnessMeter::new(RATE, 8);
    // The default 7.1 order is this one (FLAC, WAV 0x63F, VST3 k71Music).
    assert_eq!(
        meter.channel_weights(),
        &[1.0, 1.0, 1.0, 0.0, 1.0, 1.0, 1.41, 1.41]
    );
    meter.set_channel_layout(&wav_7_1);
    assert_eq!(
        meter.channel_weights(),
        &[1.0, 1.0, 1.0, 0.0, 1.0, 1.0, 1.41, 1.41]
    );
    let mut four_one = LoudnessMeter::new(RATE, 5);
    four_one.set_channel_layout(&[Left, Right, Lfe, LeftSurround, RightSurround]);
    assert_eq!(four_one.channel_weights(), &[1.0, 1.0, 0.0, 1.41, 1.41]);
    // Fewer roles than channels leave the rest as they were.
    four_one.set_channel_layout(&[Center]);
    assert_eq!(four_one.channel_weights(), &[1.0, 1.0, 0.0, 1.41, 1.41]);
}

/// The 10 ms-grid momentary reading is the 400 ms window ending at the last
/// hop: it matches the step reading where the grids meet, and its maximum
/// over every hop is the reported maximum momentary loudness.
#[test]
fn fine_momentary_follows_every_hop() {
    // A burst between steps: 0.4 s of tone starting 1.23 s in.
    let mut signal = vec![0.0f32; (1.23 * RATE) as usize];
    let burst = sine_segments(RATE, &[(0.4, -20.0)]);
    signal.extend_from_slice(&burst);
    signal.extend(std::iter::repeat(0.0).take((1.0 * RATE) as usize));
    let mut meter = LoudnessMeter::new(RATE, 1);
    let mut fine_max = f64::NEG_INFINITY;
    let mut at = 0;
    while at < signal.len() {
        let take = meter.samples_until_next_hop().min(signal.len() - at);
        let hops = meter.hops_completed();
        meter.process(&[&signal[at..at + take]]);
        at += take;
        if meter.hops_completed() != hops {
            assert!((meter.fine_time_s() - at as f64 / RATE).abs() < 1e-12);
            if let Some(m) = meter.fine_momentary_lufs() {
                fine_max = fine_max.max(m);
            }
            if meter.samples_until_next_step() == meter.step_len_samples()
                && meter.steps_completed() >= 4
            {
                let (fine, step) = (meter.fine_momentary_lufs(), meter.readings().momentary_lufs);
                match (fine, step) {
                    (Some(f), Some(s)) => assert!((f - s).abs() < 1e-9, "{f} vs {s}"),
                    (f, s) => assert_eq!(f, s),
                }
            }
        }
    }
    let reported = meter.readings().max_momentary_lufs.unwrap();
    assert!(
        (fine_max - reported).abs() < 1e-9,
        "{fine_max} vs {reported}"
    );
    // The whole burst is inside one window: its level, a −20 dBFS sine on one channel.
    assert!((fine_max - (-20.0 - 3.0103)).abs() < 0.01, "{fine_max}");
}
