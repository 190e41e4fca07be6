//! One conformance test over every unit and processor of `shared-dsp`,
//! through the [`Unit`] lifecycle (see `src/units/unit.rs`):
//!
//! - block-size invariance: blocks of 1, 7, 64 and 4096 frames give exactly
//!   the output of one block;
//! - `reset` reproduces the first run exactly, and so does `set_sample_rate`;
//! - latency: an impulse comes out at the reported latency (the peak of the
//!   response for linear-phase and pass-through units, the first non-zero
//!   output for minimum-phase filters, whose peak lags by their group delay);
//! - hostile input — NaN, ±∞, subnormals, full-scale DC and square waves —
//!   never produces NaN, ±∞ or subnormal output, and normal input after it
//!   is processed normally again (finite, and not stuck at silence).
//!
//! Each unit is tested at settings that make it work (EQ bands boosted,
//! compressor compressing, saturation driven…), not at neutral.

#[path = "support/rng.rs"]
#[allow(dead_code)] // the shared test RNG; this file uses part of it
mod rng;

use rng::Rng;
use shared_dsp::processors::bus_glue::{BusGlue, BusGlueSettings, DetectMode};
use shared_dsp::processors::channel_strip::{ChannelStrip, ChannelStripSettings};
use shared_dsp::processors::loudness_meter::LoudnessMeterProcessor;
use shared_dsp::processors::maximizer::{Maximizer, MaximizerSettings};
use shared_dsp::processors::stereo_imager::{ImagerSettings, StereoImager};
use shared_dsp::units::crossover::{Crossover, CrossoverSlope};
use shared_dsp::units::dither::{DitherShape, Requantizer};
use shared_dsp::units::dynamics::{Compressor, CompressorSettings, Gate, GateSettings};
use shared_dsp::units::eq::{
    CutFilter, CutFilterSettings, EqBandSettings, EqBandType, EqSettings, ParametricEq,
};
use shared_dsp::units::filter::PassKind;
use shared_dsp::units::loudness::LoudnessMeter;
use shared_dsp::units::mono_check::MonoCheck;
use shared_dsp::units::saturation::{SaturationCharacter, SaturationSettings, Saturator};
use shared_dsp::units::stereo::{StereoSettings, StereoStage};
use shared_dsp::units::unit::{Delay, LimiterGain};
use shared_dsp::units::{Sample, Unit};

const RATE: f64 = 48_000.0;
/// Length of the test programme, frames (0.5 s).
const LEN: usize = 24_000;
/// Block sizes checked against one block.
const BLOCKS: [usize; 4] = [1, 7, 64, 4096];
/// Where the impulse of the latency check is, frames.
const IMPULSE_AT: usize = 1000;

/// How a unit's latency shows in its impulse response.
#[derive(Debug, Clone, Copy)]
enum LatencyShows {
    /// The largest |output| is at the latency.
    Peak,
    /// Nothing comes out before the latency; something does at it.
    Onset,
    /// The unit makes a gain signal, not audio: no impulse check.
    GainSignal,
}

fn programme(channels: usize, seed: u64) -> Vec<Vec<f64>> {
    let mut rng = Rng::new(seed);
    (0..channels)
        .map(|c| {
            (0..LEN)
                .map(|n| {
                    let t = n as f64 / RATE;
                    let swell = 0.5 + 0.5 * (std::f64::consts::TAU * 3.0 * t).sin();
                    let tone = (std::f64::consts::TAU * (200.0 + 70.0 * c as f64) * t).sin();
                    0.6 * swell * (0.7 * tone + 0.3 * rng.bipolar())
                })
                .collect()
        })
        .collect()
}

fn to_samples<S: Sample>(signal: &[Vec<f64>]) -> Vec<Vec<S>> {
    signal
        .iter()
        .map(|c| c.iter().map(|&x| S::from_f64(x)).collect())
        .collect()
}

/// Runs `unit` over `input` in blocks of `block` frames.
fn run<U: Unit>(unit: &mut U, input: &[Vec<U::Sample>], block: usize) -> Vec<Vec<U::Sample>> {
    let mut out = input.to_vec();
    let len = out.first().map_or(0, Vec::len);
    let mut start = 0;
    while start < len {
        let end = (start + block).min(len);
        let mut slices: Vec<&mut [U::Sample]> =
            out.iter_mut().map(|c| &mut c[start..end]).collect();
        unit.process(&mut slices);
        start = end;
    }
    // A zero-length block is a no-op.
    let mut empty: Vec<&mut [U::Sample]> = out.iter_mut().map(|c| &mut c[len..]).collect();
    unit.process(&mut empty);
    out
}

fn is_bad(x: f64) -> bool {
    !x.is_finite() || (x != 0.0 && x.abs() < f64::MIN_POSITIVE)
}

fn conformance<U: Unit>(
    name: &str,
    make: impl Fn() -> U,
    num_channels: usize,
    latency_shows: LatencyShows,
) {
    let input: Vec<Vec<U::Sample>> = to_samples(&programme(num_channels, 5));

    // Block-size invariance.
    let mut unit = make();
    unit.reset();
    let reference = run(&mut unit, &input, LEN);
    for block in BLOCKS {
        let mut unit = make();
        unit.reset();
        let out = run(&mut unit, &input, block);
        assert!(
            out == reference,
            "{name}: blocks of {block} differ from one block"
        );
    }

    // Reset and set_sample_rate reproduce the first run.
    let again = {
        unit.reset();
        run(&mut unit, &input, 64)
    };
    assert!(
        again == reference,
        "{name}: reset does not reproduce the first run"
    );
    unit.set_sample_rate(96_000.0);
    run(&mut unit, &input, 512);
    unit.set_sample_rate(RATE);
    let after_rate_change = run(&mut unit, &input, 64);
    assert!(
        after_rate_change == reference,
        "{name}: set_sample_rate leaves stale state"
    );

    // Latency.
    let latency = unit.latency_samples();
    let mut impulse = vec![vec![U::Sample::from_f64(0.0); LEN]; num_channels];
    for channel in impulse.iter_mut() {
        channel[IMPULSE_AT] = U::Sample::from_f64(0.5);
    }
    unit.reset();
    let response = run(&mut unit, &impulse, 64);
    let expected = IMPULSE_AT + latency;
    for (c, channel) in response.iter().enumerate() {
        let magnitudes: Vec<f64> = channel.iter().map(|x| x.to_f64().abs()).collect();
        match latency_shows {
            LatencyShows::Peak => {
                let peak = magnitudes
                    .iter()
                    .enumerate()
                    .fold(
                        (0, 0.0),
                        |best, (i, &m)| if m > best.1 { (i, m) } else { best },
                    )
                    .0;
                assert_eq!(
                    peak, expected,
                    "{name} ch {c}: impulse peak vs latency {latency}"
                );
            }
            LatencyShows::Onset => {
                let first = magnitudes.iter().position(|&m| m > 0.0);
                assert_eq!(
                    first,
                    Some(expected),
                    "{name} ch {c}: impulse onset vs latency {latency}"
                );
            }
            LatencyShows::GainSignal => {}
        }
    }

    // Hostile input, then normal input again.
    let hostile_values = [
        f64::NAN,
        f64::INFINITY,
        f64::NEG_INFINITY,
        1e-40,
        -1e-310,
        f64::from(f32::MIN_POSITIVE) * 0.5,
    ];
    let mut hostile = vec![vec![U::Sample::from_f64(0.0); LEN]; num_channels];
    for (c, channel) in hostile.iter_mut().enumerate() {
        for (n, x) in channel.iter_mut().enumerate() {
            let v = match n * 6 / LEN {
                0 => hostile_values[(n + c) % hostile_values.len()],
                1 => 1.0, // full-scale DC
                2 => {
                    if (n / 24) % 2 == 0 {
                        1.0
                    } else {
                        -1.0
                    }
                } // full-scale square
                3 => {
                    if n % 3 == 0 {
                        hostile_values[n % 3]
                    } else {
                        0.3
                    }
                }
                4 => 1e-39 * if n % 2 == 0 { 1.0 } else { -1.0 }, // subnormal noise
                _ => 0.0,
            };
            *x = U::Sample::from_f64(v);
        }
    }
    unit.reset();
    for block in [1, 64, 4096] {
        let out = run(&mut unit, &hostile, block);
        for (c, channel) in out.iter().enumerate() {
            if let Some(n) = channel.iter().position(|x| is_bad(x.to_f64())) {
                panic!(
                    "{name} ch {c}: hostile input (block {block}) gave {:?} at frame {n}",
                    channel[n]
                );
            }
        }
        let recovered = run(&mut unit, &input, block);
        for (c, channel) in recovered.iter().enumerate() {
            assert!(
                channel.iter().all(|x| !is_bad(x.to_f64())),
                "{name} ch {c}: output bad after hostile input (block {block})"
            );
            assert!(
                channel[LEN / 2..].iter().any(|x| x.to_f64() != 0.0),
                "{name} ch {c}: stuck at silence after hostile input (block {block})"
            );
        }
    }
}

fn busy_eq() -> EqSettings {
    let mut eq = EqSettings::default();
    eq.bands[0] = EqBandSettings::new(EqBandType::LowShelf, 120.0, 4.0, 0.7);
    eq.bands[1] = EqBandSettings::new(EqBandType::Bell, 900.0, 6.0, 1.2);
    eq.bands[2] = EqBandSettings::new(EqBandType::Notch, 5000.0, 0.0, 4.0);
    eq.bands[3] = EqBandSettings::new(EqBandType::HighShelf, 9000.0, -3.0, 0.7);
    eq
}

fn compressing() -> CompressorSettings {
    CompressorSettings {
        enabled: true,
        threshold_db: -24.0,
        ratio: 4.0,
        knee_db: 6.0,
        auto_release: true,
        sidechain_hpf_enabled: true,
        mix: 0.9,
        ..CompressorSettings::default()
    }
}

#[test]
fn parametric_eq_conforms() {
    conformance(
        "ParametricEq",
        || {
            let mut eq = ParametricEq::new(RATE, 2);
            eq.set_settings(&busy_eq());
            eq
        },
        2,
        LatencyShows::Onset,
    );
}

#[test]
fn cut_filters_conform() {
    for (kind, cutoff_hz, order) in [
        (PassKind::HighPass, 80.0, 4),
        (PassKind::LowPass, 9000.0, 3),
    ] {
        conformance(
            &format!("CutFilter {kind:?}"),
            || {
                let mut f = CutFilter::new(kind, RATE, 2);
                f.set_settings(&CutFilterSettings {
                    enabled: true,
                    cutoff_hz,
                    order,
                });
                f
            },
            2,
            LatencyShows::Onset,
        );
    }
}

#[test]
fn compressor_conforms() {
    conformance(
        "Compressor",
        || {
            let mut c = Compressor::new(RATE, 2);
            c.set_settings(&compressing());
            c
        },
        2,
        LatencyShows::Peak,
    );
}

#[test]
fn gate_conforms() {
    conformance(
        "Gate",
        || {
            let mut g = Gate::new(RATE, 2);
            g.set_settings(&GateSettings {
                enabled: true,
                threshold_db: -30.0,
                range_db: 40.0,
                ..GateSettings::default()
            });
            g
        },
        2,
        LatencyShows::Peak,
    );
}

#[test]
fn saturator_conforms() {
    conformance(
        "Saturator",
        || {
            let mut s = Saturator::new(RATE, 2);
            s.set_settings(&SaturationSettings {
                enabled: true,
                character: SaturationCharacter::Tape,
                drive_db: 6.0,
                ..SaturationSettings::default()
            });
            s
        },
        2,
        LatencyShows::Peak,
    );
}

#[test]
fn stereo_stage_conforms() {
    conformance(
        "StereoStage",
        || {
            let mut s = StereoStage::new(RATE);
            s.set_settings(&StereoSettings {
                pan: 0.3,
                balance: -0.2,
                width: 1.4,
            });
            s
        },
        2,
        LatencyShows::Peak,
    );
}

#[test]
fn crossover_and_mono_check_conform() {
    conformance(
        "Crossover",
        || Crossover::new(RATE, CrossoverSlope::Lr48, 4, [150.0, 1_500.0, 7_000.0]),
        2,
        LatencyShows::Onset,
    );
    conformance("MonoCheck", || MonoCheck::new(RATE), 2, LatencyShows::Peak);
}

#[test]
fn limiter_gain_conforms() {
    conformance(
        "TruePeakLimiter",
        || LimiterGain::new(RATE, 2, 72, 0.5),
        2,
        LatencyShows::GainSignal,
    );
}

#[test]
fn delay_and_dither_conform() {
    conformance("Delay", || Delay::new(2, 37), 2, LatencyShows::Peak);
    conformance(
        "Requantizer",
        || Requantizer::new(DitherShape::NoiseShaped, 16),
        2,
        LatencyShows::Peak,
    );
}

#[test]
fn loudness_meters_conform() {
    conformance(
        "LoudnessMeter",
        || LoudnessMeter::new(RATE, 2),
        2,
        LatencyShows::Peak,
    );
    conformance(
        "LoudnessMeterProcessor",
        || LoudnessMeterProcessor::new(RATE, 2),
        2,
        LatencyShows::Peak,
    );
}

#[test]
fn channel_strip_conforms() {
    conformance(
        "ChannelStrip",
        || {
            let mut strip = ChannelStrip::new(RATE, 2);
            let mut s = ChannelStripSettings {
                eq: busy_eq(),
                compressor: compressing(),
                saturation: SaturationSettings {
                    enabled: true,
                    drive_db: 3.0,
                    ..SaturationSettings::default()
                },
                ..ChannelStripSettings::default()
            };
            s.input_trim_db = 2.0;
            strip.set_settings(&s);
            strip
        },
        2,
        LatencyShows::Peak,
    );
}

#[test]
fn maximizer_conforms() {
    conformance(
        "Maximizer",
        || {
            let mut m = Maximizer::new(RATE, 2);
            m.set_settings(&MaximizerSettings {
                input_gain_db: 6.0,
                ..MaximizerSettings::default()
            });
            m
        },
        2,
        LatencyShows::Peak,
    );
}

#[test]
fn stereo_imager_conforms() {
    conformance(
        "StereoImager",
        || {
            let mut imager = StereoImager::new(RATE);
            imager.set_settings(&ImagerSettings {
                width: 1.5,
                side_gain_db: 2.0,
                rotation_deg: 10.0,
                balance: 0.2,
                num_bands: 4,
                band_width: [0.0, 1.0, 1.5, 2.0],
                mono_maker: true,
                stereoize: 0.5,
                side_low_gain_db: -3.0,
                side_high_gain_db: 3.0,
                ..ImagerSettings::default()
            });
            imager
        },
        2,
        // Minimum-phase crossovers and all-passes: the response starts at 0
        // and peaks later.
        LatencyShows::Onset,
    );
}

#[test]
fn bus_glue_conforms() {
    conformance(
        "BusGlue",
        || {
            let mut g = BusGlue::new(RATE, 2);
            g.set_settings(&BusGlueSettings {
                threshold_db: -24.0,
                ratio: 4.0,
                attack_ms: 3.0,
                auto_release: true,
                auto_makeup: true,
                detector_rms: 0.5,
                sc_hpf_enabled: true,
                ..BusGlueSettings::default()
            });
            g
        },
        2,
        LatencyShows::Peak,
    );
    conformance(
        "BusGlue (M/S detection, parallel, level-matched bypass)",
        || {
            let mut g = BusGlue::new(RATE, 2);
            g.set_settings(&BusGlueSettings {
                threshold_db: -30.0,
                ratio: 10.0,
                detect_mode: DetectMode::Mid,
                mix: 0.5,
                matched_bypass: true,
                ..BusGlueSettings::default()
            });
            g
        },
        2,
        LatencyShows::Peak,
    );
    conformance(
        "BusGlue (three-band, parallel)",
        || {
            let mut g = BusGlue::new(RATE, 2);
            g.set_settings(&BusGlueSettings {
                multiband: true,
                detect_mode: DetectMode::Mid,
                mix: 0.6,
                ..BusGlueSettings::default()
            });
            g
        },
        2,
        // The band sum is a causal all-pass: the impulse starts at the latency.
        LatencyShows::Onset,
    );
    conformance(
        "BusGlue (soft clip)",
        || {
            let mut g = BusGlue::new(RATE, 2);
            g.set_settings(&BusGlueSettings {
                soft_clip: true,
                soft_clip_drive_db: 6.0,
                mix: 0.5,
                ..BusGlueSettings::default()
            });
            g
        },
        2,
        LatencyShows::Peak,
    );
}
