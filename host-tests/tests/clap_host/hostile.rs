//! Hostile audio through a real host: NaN, ±∞, subnormals, +120 dBFS, full-scale DC and square
//! waves, and minutes of silence. The output must never be NaN/∞/subnormal (every `process` call
//! checks that), must stay bounded, and must be back to what a fresh instance outputs within
//! [`RECOVERY_S`] of the bad input ending.

use super::*;

/// How long after the last bad input sample the output must match a fresh instance's output for
/// the same clean input (issue 13: "back to normal within a documented time"). The slowest
/// plugin is the Bus Glue: after +120 dBFS input it holds its whole 40 dB range of gain
/// reduction and releases it with its default 300 ms time constant, ≈ 2.2 s until the output is
/// within −60 dB of a fresh instance's (the Maximizer, releasing with 100 ms, needs ≈ 1 s).
/// The README's "Robustness tests" quotes this number.
const RECOVERY_S: f64 = 3.0;

/// How long each bad input is fed before the clean input starts.
const BAD_INPUT_S: f64 = 0.25;

/// How long the clean input lasts after the bad input ends: the recovery time and a margin in
/// which the output must already match.
const CLEAN_INPUT_S: f64 = RECOVERY_S + 0.5;

/// Amplitude of the clean input after the bad one: noise peaking at −20 dBFS.
const CLEAN_AMPLITUDE: f32 = 0.1;

/// "Matches a fresh instance": within this fraction of the fresh output's peak (−60 dB).
const MATCH_TOLERANCE: f32 = 1e-3;

/// The output never exceeds this many times the larger of full scale and the peak of the finite
/// input so far (+12 dB): no plugin at default settings adds more gain than that.
const OUTPUT_BOUND_FACTOR: f32 = 4.0;

/// Sample rates the bad inputs are fed at: the lowest and highest the suite must run at, and a
/// common one.
const HOSTILE_RATES_HZ: [f64; 3] = [1_000.0, 48_000.0, 384_000.0];

/// Block size of the hostile runs, in frames (fixed, so the fresh reference sees the same blocks).
const HOSTILE_BLOCK: usize = 512;

/// Minutes of silence: how long, in seconds, the silence test feeds zeros after a burst of noise.
/// `$LATHE_SILENCE_S` overrides it (e.g. 3600 for an hour).
const DEFAULT_SILENCE_S: f64 = 120.0;

/// After the silence, the output must be quieter than this (−120 dBFS): no self-oscillation,
/// no DC offset, no noise floor of the plugin's own making.
const SILENT_OUTPUT_PEAK: f32 = 1e-6;

/// Runs one activation of `plugin` at `rate_hz`: `prelude` for `prelude_frames`, then clean noise
/// from `clean_seed` for `clean_frames`. Returns the output of the clean part, per channel, and
/// checks every block's output against the bound.
fn run_prelude_then_clean(
    plugin: &mut LoadedPlugin,
    rate_hz: f64,
    prelude: Signal,
    prelude_frames: usize,
    clean_frames: usize,
    clean_seed: u64,
    context: &str,
) -> Vec<Vec<f32>> {
    let activation = Activation {
        sample_rate_hz: rate_hz,
        max_frames: HOSTILE_BLOCK as u32,
    };
    plugin.session(activation, ThreadMode::Main, |rig| {
        let no_events = EventBuffer::new();
        let mut prelude_rng = Rng::new(clean_seed ^ 0xBAD);
        let mut clean_rng = Rng::new(clean_seed);
        let mut input_peak = 1.0_f32;
        let mut clean_output = vec![Vec::with_capacity(clean_frames); rig.output_channels()];
        let mut frame = 0;
        while frame < prelude_frames + clean_frames {
            let in_prelude = frame < prelude_frames;
            let end = if in_prelude {
                prelude_frames
            } else {
                prelude_frames + clean_frames
            };
            let frames = HOSTILE_BLOCK.min(end - frame);
            let input = if in_prelude {
                prelude.block(&mut prelude_rng, rig.input_channels(), frames)
            } else {
                let mut block = Signal::Noise.block(&mut clean_rng, rig.input_channels(), frames);
                block
                    .iter_mut()
                    .flatten()
                    .for_each(|s| *s *= CLEAN_AMPLITUDE);
                block
            };
            input_peak = input
                .iter()
                .flatten()
                .filter(|s| s.is_finite())
                .fold(input_peak, |peak, s| peak.max(s.abs()));
            let block_context = format!("{context}, frame {frame}");
            rig.process(&input, frames, &no_events, &block_context);
            for (channel, out) in clean_output.iter_mut().enumerate() {
                let samples = rig.output(channel, frames);
                let peak = samples.iter().fold(0.0_f32, |peak, s| peak.max(s.abs()));
                assert!(
                    peak <= OUTPUT_BOUND_FACTOR * input_peak,
                    "{block_context}: output peak {peak:e} on channel {channel} is over \
                     {OUTPUT_BOUND_FACTOR} × the input peak {input_peak:e}"
                );
                if !in_prelude {
                    out.extend_from_slice(samples);
                }
            }
            frame += frames;
        }
        clean_output
    })
}

/// Seconds from the start of `output` until it matches `reference` for good (0 if it always
/// does), or `None` if it still differs at the end.
fn recovery_time_s(output: &[Vec<f32>], reference: &[Vec<f32>], rate_hz: f64) -> Option<f64> {
    let peak = reference
        .iter()
        .flatten()
        .fold(0.0_f32, |peak, s| peak.max(s.abs()));
    let tolerance = MATCH_TOLERANCE * peak.max(CLEAN_AMPLITUDE);
    let frames = reference.first().map_or(0, Vec::len);
    let last_mismatch = (0..frames).rev().find(|&frame| {
        output
            .iter()
            .zip(reference)
            .any(|(out, reference)| (out[frame] - reference[frame]).abs() > tolerance)
    });
    match last_mismatch {
        None => Some(0.0),
        Some(frame) if frame + 1 == frames => None,
        Some(frame) => Some((frame + 1) as f64 / rate_hz),
    }
}

#[test]
fn hostile_input_is_survived_and_forgotten_within_the_recovery_time() {
    let seed = fuzz_seed();
    let mut failures = Vec::new();
    for_each_plugin(|case| {
        let mut plugin = LoadedPlugin::load(case);
        for_each_layout(&mut plugin, |plugin, layout| {
            for rate_hz in HOSTILE_RATES_HZ {
                let prelude_frames = (BAD_INPUT_S * rate_hz).round() as usize;
                let clean_frames = (CLEAN_INPUT_S * rate_hz).round() as usize;
                let where_ = format!("{}, {}, {rate_hz} Hz", case.name, layout_name(layout));
                // A fresh activation after silence is the reference "normal".
                let reference = run_prelude_then_clean(
                    plugin,
                    rate_hz,
                    Signal::Silence,
                    prelude_frames,
                    clean_frames,
                    seed,
                    &format!("{where_}, reference"),
                );
                for bad in Signal::BAD {
                    let context = format!("{where_}, {BAD_INPUT_S} s of {bad:?} then clean noise");
                    let output = run_prelude_then_clean(
                        plugin,
                        rate_hz,
                        bad,
                        prelude_frames,
                        clean_frames,
                        seed,
                        &context,
                    );
                    match recovery_time_s(&output, &reference, rate_hz) {
                        Some(seconds) => {
                            println!("{context}: back to normal after {seconds:.3} s");
                            if seconds > RECOVERY_S {
                                failures.push(format!(
                                    "{context}: the output took {seconds:.3} s to match a fresh \
                                     instance's, more than the documented {RECOVERY_S} s"
                                ));
                            }
                        }
                        None => failures.push(format!(
                            "{context}: the output still differs from a fresh instance's \
                             {CLEAN_INPUT_S} s after the bad input ended"
                        )),
                    }
                }
            }
        });
    });
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn minutes_of_silence_after_loud_noise_stay_clean_and_quiet() {
    let silence_s = std::env::var("LATHE_SILENCE_S")
        .ok()
        .and_then(|seconds| seconds.parse().ok())
        .unwrap_or(DEFAULT_SILENCE_S);
    const RATE_HZ: f64 = 48_000.0;
    /// Full-scale noise first, so every filter, envelope and delay holds energy that then decays
    /// through the subnormal range during the silence.
    const NOISE_S: f64 = 1.0;
    /// The last stretch of the silence whose output must be quiet.
    const QUIET_TAIL_S: f64 = 1.0;
    /// Large blocks keep minutes of audio fast.
    const SILENCE_BLOCK: usize = 8192;
    let seed = fuzz_seed();
    for_each_plugin(|case| {
        let mut plugin = LoadedPlugin::load(case);
        let activation = Activation {
            sample_rate_hz: RATE_HZ,
            max_frames: SILENCE_BLOCK as u32,
        };
        plugin.session(activation, ThreadMode::Main, |rig| {
            let mut rng = Rng::new(seed);
            let no_events = EventBuffer::new();
            let noise_blocks = (NOISE_S * RATE_HZ / SILENCE_BLOCK as f64).ceil() as usize;
            let silence_blocks = (silence_s * RATE_HZ / SILENCE_BLOCK as f64).ceil() as usize;
            let tail_blocks = (QUIET_TAIL_S * RATE_HZ / SILENCE_BLOCK as f64).ceil() as usize;
            process_signal(
                rig,
                &mut rng,
                Signal::Noise,
                SILENCE_BLOCK,
                noise_blocks,
                &format!("{}, full-scale noise before the silence", case.name),
            );
            let silence = Signal::Silence.block(&mut rng, rig.input_channels(), SILENCE_BLOCK);
            for block in 0..silence_blocks {
                let context = format!(
                    "{}, {:.1} s into {silence_s} s of silence",
                    case.name,
                    (block * SILENCE_BLOCK) as f64 / RATE_HZ
                );
                rig.process(&silence, SILENCE_BLOCK, &no_events, &context);
                if block + tail_blocks >= silence_blocks {
                    for channel in 0..rig.output_channels() {
                        let peak = rig
                            .output(channel, SILENCE_BLOCK)
                            .iter()
                            .fold(0.0_f32, |peak, s| peak.max(s.abs()));
                        assert!(
                            peak <= SILENT_OUTPUT_PEAK,
                            "{context}: channel {channel} peaks at {peak:e}, not silent"
                        );
                    }
                }
            }
        });
    });
}

#[test]
fn odd_layout_requests_are_refused_and_leave_a_working_plugin() {
    /// Config ids no plugin of the suite offers.
    const BOGUS_CONFIG_IDS: [u32; 3] = [0xFFFF_FFF0, 12_345, 7];
    for_each_plugin(|case| {
        let mut plugin = LoadedPlugin::load(case);
        let offered: Vec<ClapId> = plugin.layout_configs().iter().map(|c| c.id).collect();
        let before = plugin.main_layout();
        for id in BOGUS_CONFIG_IDS.map(ClapId::new) {
            if offered.contains(&id) {
                continue;
            }
            assert!(
                !plugin.try_select_layout_id(id),
                "{}: audio_ports_config.select accepted unknown config id {}",
                case.name,
                id.get()
            );
            assert_eq!(
                plugin.main_layout(),
                before,
                "{}: a refused config changed the layout",
                case.name
            );
        }
        let mut rng = Rng::new(fuzz_seed());
        plugin.session(
            Activation {
                sample_rate_hz: 48_000.0,
                max_frames: TYPICAL_BLOCK as u32,
            },
            ThreadMode::Spawned,
            |rig| {
                process_signal(
                    rig,
                    &mut rng,
                    Signal::Noise,
                    TYPICAL_BLOCK,
                    2,
                    "after refused layouts",
                )
            },
        );
    });
}
