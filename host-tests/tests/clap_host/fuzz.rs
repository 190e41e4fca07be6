//! Seeded fuzzing: random rates, block sizes, parameter events and hostile audio.

use super::*;

/// A random block size in `0..=max`: often tiny, often a power of two, otherwise uniform.
pub(super) fn random_block_size(rng: &mut Rng, max: usize) -> usize {
    match rng.below(4) {
        0 => rng.range_usize(0, 16.min(max)),
        1 => 1 << rng.range_usize(0, max.ilog2() as usize),
        _ => rng.range_usize(0, max),
    }
}

/// A random sample rate: usually a standard one or an edge of the range, sometimes anything from
/// 1 kHz to 384 kHz (issue 13: hosts and validators try odd rates).
pub(super) fn random_sample_rate(rng: &mut Rng) -> f64 {
    const STANDARD_RATES_HZ: [f64; 12] = [
        1_000.0, 8_000.0, 22_050.0, 32_000.0, 44_100.0, 48_000.0, 88_200.0, 96_000.0, 176_400.0,
        192_000.0, 352_800.0, 384_000.0,
    ];
    const LOWEST_RATE_HZ: f64 = 1_000.0;
    const HIGHEST_RATE_HZ: f64 = 384_000.0;
    if rng.chance(0.75) {
        *rng.pick(&STANDARD_RATES_HZ)
    } else {
        rng.range_f64(LOWEST_RATE_HZ, HIGHEST_RATE_HZ).round()
    }
}

/// Random parameter events for a `frames`-frame block, sorted by time: usually a few changes of
/// random parameters at random samples; sometimes a burst that throws one parameter from one
/// end of its range to the other on consecutive samples (rapid, extreme automation).
pub(super) fn random_param_events(
    rng: &mut Rng,
    specs: &[ParamSpec],
    frames: usize,
) -> EventBuffer {
    const MAX_EVENTS_PER_BLOCK: usize = 8;
    /// Chance that a block carries a min/max burst.
    const BURST_CHANCE: f64 = 0.2;
    /// Longest burst, in consecutive samples; well below the kit's input event capacity (1024),
    /// so the wrapper's event queue never has to grow on the audio thread.
    const MAX_BURST_EVENTS: usize = 256;
    let mut events = EventBuffer::new();
    if frames == 0 || specs.is_empty() {
        return events;
    }
    for _ in 0..rng.range_usize(0, MAX_EVENTS_PER_BLOCK) {
        let spec = rng.pick(specs);
        let time = rng.below(frames as u64) as u32;
        events.push(&spec.value_event(time, spec.random_value(rng)));
    }
    if rng.chance(BURST_CHANCE) {
        let spec = rng.pick(specs);
        let length = rng.range_usize(1, MAX_BURST_EVENTS.min(frames));
        let start = rng.range_usize(0, frames - length);
        for offset in 0..length {
            let value = if offset % 2 == 0 {
                spec.min_value
            } else {
                spec.max_value
            };
            events.push(&spec.value_event((start + offset) as u32, value));
        }
    }
    events.sort();
    events
}

#[test]
fn fuzz_random_rates_blocks_params_and_hostile_audio() {
    const DEFAULT_SESSIONS: usize = 48;
    /// Each activation lasts 1..=this many blocks, so deactivation comes at random points.
    const MAX_BLOCKS_PER_SESSION: usize = 32;
    /// Clean blocks after each hostile session's reactivation.
    const CLEAN_BLOCKS: usize = 8;
    let sessions = std::env::var("LATHE_FUZZ_SESSIONS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(DEFAULT_SESSIONS);
    let seed = fuzz_seed();
    println!("fuzz seed {seed} ({sessions} sessions); rerun with LATHE_FUZZ_SEED={seed}");

    for_each_plugin(|case| {
        let mut rng = Rng::new(seed);
        let mut plugin = LoadedPlugin::load(case);
        let specs = settable(&plugin.param_specs());
        let configs = plugin.layout_configs();

        for session in 0..sessions {
            if !configs.is_empty() {
                let config = rng.pick(&configs).clone();
                plugin.select_layout(&config);
            }
            let layout = plugin.main_layout();
            let activation = Activation {
                sample_rate_hz: random_sample_rate(&mut rng),
                max_frames: FUZZ_MAX_FRAMES,
            };
            let mut session_rng = Rng::new(rng.next_u64());
            let specs = &specs;
            let where_ = format!(
                "seed {seed}, session {session}, {}, {} Hz",
                layout_name(layout),
                activation.sample_rate_hz
            );
            plugin.session(activation, ThreadMode::Spawned, |rig| {
                let rng = &mut session_rng;
                for block in 0..rng.range_usize(1, MAX_BLOCKS_PER_SESSION) {
                    let frames = random_block_size(rng, rig.max_frames());
                    let signal = *rng.pick(&Signal::ALL);
                    let input = signal.block(rng, rig.input_channels(), frames);
                    let events = random_param_events(rng, specs, frames);
                    let context = format!("{where_}, block {block}: {frames} frames of {signal:?}");
                    rig.process(&input, frames, &events, &context);
                    if rng.chance(0.05) {
                        rig.reset();
                    }
                    if rng.chance(0.03) {
                        rig.sleep_and_wake();
                    }
                }
            });
            let all_specs = plugin.param_specs();
            assert_params_in_range(&mut plugin, &all_specs, &where_);

            // Reactivate at another rate: clean input must give clean output.
            let clean = Activation {
                sample_rate_hz: random_sample_rate(&mut rng),
                max_frames: FUZZ_MAX_FRAMES,
            };
            let where_clean = format!(
                "{where_}, clean reactivation at {} Hz",
                clean.sample_rate_hz
            );
            plugin.session(clean, ThreadMode::Spawned, |rig| {
                let rng = &mut session_rng;
                let no_events = EventBuffer::new();
                for block in 0..CLEAN_BLOCKS {
                    let frames = random_block_size(rng, rig.max_frames());
                    let input = Signal::Noise.block(rng, rig.input_channels(), frames);
                    let context = format!("{where_clean}, block {block}: {frames} frames");
                    rig.process(&input, frames, &no_events, &context);
                    for channel in 0..rig.output_channels() {
                        assert!(
                            rig.output(channel, frames).iter().all(|&s| is_sane(s)),
                            "{context}: insane output"
                        );
                    }
                }
            });
        }
    });
}
