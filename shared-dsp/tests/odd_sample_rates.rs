//! Every processor runs at any sample rate a host may offer, not only the
//! standard ones: plugin validators try rates from ≈ 1.2 kHz to 384 kHz
//! (clap-validator's `process-varying-sample-rates` uses 1234.57 Hz), and a
//! plugin that refuses to activate, panics or puts out NaN there is
//! blacklisted. Frequencies a processor cannot realise below Nyquist (a
//! 20 kHz EQ band at 8 kHz, K-weighting's 1.7 kHz shelf at 1.2 kHz) are
//! clamped; the output must stay finite and bounded.
// Settings are built up field by field from the neutral default: it reads
// as "neutral except …".
#![allow(clippy::field_reassign_with_default)]

#[path = "support/rng.rs"]
#[allow(dead_code)] // the shared RNG has helpers this file does not need
mod rng;
use rng::Rng;

use shared_dsp::processors::channel_strip::{ChannelStrip, ChannelStripSettings};
use shared_dsp::processors::maximizer::{
    Character, DitherMode, Listen, Maximizer, MaximizerSettings, Oversampling,
};
use shared_dsp::units::dynamics::{CompressorSettings, Detection, GateSettings};
use shared_dsp::units::eq::{CutFilterSettings, EqBandSettings, EqBandType};
use shared_dsp::units::loudness::LoudnessMeter;
use shared_dsp::units::saturation::{SaturationCharacter, SaturationSettings};

/// The odd and extreme rates validators and hosts try, Hz.
const RATES_HZ: [f64; 4] = [1_200.0, 1_234.57, 8_000.0, 384_000.0];
/// Audio fed per rate, s.
const SECONDS: f64 = 1.0;
/// Largest output magnitude accepted from full-scale input with every gain
/// stage at its maximum (channel strip: +24 dB trim, +24 dB EQ, +24 dB
/// output, makeup) — a bound that only a broken filter exceeds.
const MAX_STRIP_OUTPUT_ABS: f32 = 1.0e5;
/// Block sizes cycled through, frames (0 and 1 included: hosts send both).
const BLOCKS: [usize; 6] = [0, 1, 17, 64, 512, 4096];

/// Stereo noise with a 1/8 s on/off envelope (gate and compressor move), peak 1.
fn programme(rate: f64, rng: &mut Rng) -> [Vec<f32>; 2] {
    let len = (SECONDS * rate).round() as usize;
    let period = ((rate / 8.0).round() as usize).max(1);
    let mut channel = || -> Vec<f32> {
        (0..len)
            .map(|i| {
                let on = (i / period).is_multiple_of(2);
                (rng.bipolar() * if on { 1.0 } else { 0.01 }) as f32
            })
            .collect()
    };
    [channel(), channel()]
}

/// Feeds `input` through `process` in varying blocks; returns the output.
fn run_blocks(input: &[Vec<f32>; 2], mut process: impl FnMut(&mut [&mut [f32]])) -> [Vec<f32>; 2] {
    let mut out = input.clone();
    let [left, right] = &mut out;
    let mut offset = 0;
    let mut i = 0;
    while offset < left.len() {
        let n = BLOCKS[i % BLOCKS.len()].min(left.len() - offset);
        process(&mut [
            &mut left[offset..offset + n],
            &mut right[offset..offset + n],
        ]);
        offset += n;
        i += 1;
    }
    out
}

fn assert_sane(what: &str, rate: f64, out: &[Vec<f32>; 2], max_abs: f32) {
    for (c, channel) in out.iter().enumerate() {
        for (i, &x) in channel.iter().enumerate() {
            assert!(
                x.is_finite() && x.abs() <= max_abs,
                "{what} at {rate} Hz: channel {c} sample {i} is {x}"
            );
        }
    }
}

/// Every section of the strip on, with frequencies up to the 20 kHz maximum
/// (above Nyquist at most of these rates).
fn strip_all_on() -> ChannelStripSettings {
    let mut s = ChannelStripSettings::default();
    s.input_trim_db = 24.0;
    s.high_pass = CutFilterSettings {
        enabled: true,
        cutoff_hz: 5_000.0,
        order: 8,
    };
    s.low_pass = CutFilterSettings {
        enabled: true,
        cutoff_hz: 20_000.0,
        order: 8,
    };
    let types = [
        EqBandType::Bell,
        EqBandType::LowShelf,
        EqBandType::HighShelf,
        EqBandType::Notch,
        EqBandType::Tilt,
        EqBandType::Bell,
    ];
    let freqs = [20_000.0, 15_000.0, 18_000.0, 10_000.0, 3_000.0, 700.0];
    for ((band, band_type), freq) in s.eq.bands.iter_mut().zip(types).zip(freqs) {
        *band = EqBandSettings::new(band_type, freq, 24.0, 40.0);
    }
    s.gate = GateSettings {
        enabled: true,
        threshold_db: -20.0,
        range_db: 40.0,
        ..GateSettings::default()
    };
    s.compressor = CompressorSettings {
        enabled: true,
        ratio: 8.0,
        detection: Detection::Rms,
        sidechain_hpf_enabled: true,
        sidechain_hpf_hz: 500.0,
        makeup_db: 12.0,
        auto_makeup: true,
        ..CompressorSettings::default()
    };
    s.saturation = SaturationSettings {
        enabled: true,
        character: SaturationCharacter::Tape,
        drive_db: 24.0,
        ..SaturationSettings::default()
    };
    s.stereo.width = 2.0;
    s.output_gain_db = 24.0;
    s
}

#[test]
fn channel_strip_runs_at_odd_rates() {
    let mut rng = Rng::new(0x0DD_0001);
    for rate in RATES_HZ {
        for settings in [ChannelStripSettings::default(), strip_all_on()] {
            let input = programme(rate, &mut rng);
            let mut strip = ChannelStrip::new(rate, 2);
            strip.set_settings(&settings);
            strip.reset();
            let out = run_blocks(&input, |block| strip.process(block));
            assert_sane("channel strip", rate, &out, MAX_STRIP_OUTPUT_ABS);
            assert!(strip.filter_response(1_000.0).norm().is_finite());
        }
        // A rate change on a live strip (set_sample_rate is the plugin's reactivation).
        let mut strip = ChannelStrip::new(48_000.0, 2);
        strip.set_settings(&strip_all_on());
        strip.set_sample_rate(rate);
        let out = run_blocks(&programme(rate, &mut rng), |block| strip.process(block));
        assert_sane(
            "channel strip after set_sample_rate",
            rate,
            &out,
            MAX_STRIP_OUTPUT_ABS,
        );
    }
}

#[test]
fn maximizer_runs_at_odd_rates_and_keeps_its_ceiling() {
    let mut rng = Rng::new(0x0DD_0002);
    let hot = MaximizerSettings {
        input_gain_db: 24.0,
        lookahead_ms: 5.0,
        character: Character::Punchy,
        oversampling: Oversampling::X8,
        dither: DitherMode::Tpdf,
        dither_bits: 16,
        ..MaximizerSettings::default()
    };
    for rate in RATES_HZ {
        for settings in [MaximizerSettings::default(), hot] {
            for listen in [Listen::Output, Listen::Delta, Listen::LevelMatchedBypass] {
                let settings = MaximizerSettings { listen, ..settings };
                let input = programme(rate, &mut rng);
                let mut maximizer = Maximizer::new(rate, 2);
                maximizer.set_settings(&settings);
                maximizer.reset();
                let out = run_blocks(&input, |block| maximizer.process(block));
                // Delta and bypass carry up to the +24 dB gained input.
                let bound = if listen == Listen::Output {
                    // The ceiling (≤ −0.1 dBTP) plus dither, on sample peaks.
                    1.0
                } else {
                    20.0
                };
                assert_sane("maximizer", rate, &out, bound);
                assert!(maximizer.gain_reduction_db().is_finite());
                let readings = maximizer.output_readings();
                for value in [readings.momentary_lufs, readings.true_peak_dbtp]
                    .into_iter()
                    .flatten()
                {
                    assert!(value.is_finite(), "maximizer meter at {rate} Hz: {value}");
                }
            }
        }
    }
}

#[test]
fn loudness_meter_runs_at_odd_rates() {
    let mut rng = Rng::new(0x0DD_0003);
    for rate in RATES_HZ {
        let input = programme(rate, &mut rng);
        let mut meter = LoudnessMeter::new(rate, 2);
        let _ = run_blocks(&input, |block| meter.process(block));
        let readings = meter.readings();
        let values = [
            readings.momentary_lufs,
            readings.short_term_lufs,
            readings.integrated_lufs,
            readings.true_peak_dbtp,
            readings.sample_peak_dbfs,
        ];
        assert!(
            readings.momentary_lufs.is_some() && readings.true_peak_dbtp.is_some(),
            "loudness meter at {rate} Hz read nothing: {readings:?}"
        );
        for value in values.into_iter().flatten() {
            // Full-scale noise: anything outside this is a broken filter, not a reading.
            assert!(
                value.is_finite() && (-60.0..=20.0).contains(&value),
                "loudness meter at {rate} Hz: {readings:?}"
            );
        }
        meter.set_sample_rate(rate);
        assert_eq!(meter.steps_completed(), 0);
    }
}
