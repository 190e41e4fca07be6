//! Audio ports and layouts, processing at every rate and block size, reactivation, latency.

use super::*;

#[test]
fn audio_ports_and_layouts_are_consistent() {
    for_each_plugin(|case| {
        let mut plugin = LoadedPlugin::load(case);
        let configs = plugin.layout_configs();
        let offered: Vec<Layout> = if configs.is_empty() {
            vec![plugin.main_layout()]
        } else {
            configs.iter().map(|config| config.layout).collect()
        };
        for required in case.layouts {
            assert!(
                offered.contains(required),
                "{}: layout {} is not offered; offered: {:?}",
                case.name,
                layout_name(*required),
                offered.iter().map(|l| layout_name(*l)).collect::<Vec<_>>()
            );
        }

        for_each_layout(&mut plugin, |plugin, layout| {
            let context = layout_name(layout);
            assert_eq!(
                plugin.main_layout(),
                layout,
                "{}, {context}: the audio-ports extension disagrees with the selected config",
                case.name
            );
            for is_input in [true, false] {
                let ports = plugin.ports(is_input);
                let mut ids = HashSet::new();
                for (index, port) in ports.iter().enumerate() {
                    assert!(
                        ids.insert(port.id),
                        "{}, {context}: duplicate port id {:?}",
                        case.name,
                        port.id
                    );
                    assert!(
                        port.channel_count > 0,
                        "{}, {context}: empty port",
                        case.name
                    );
                    assert!(
                        index == 0 || !port.is_main,
                        "{}, {context}: only the first port may be the main one",
                        case.name
                    );
                    let expected_channels = match port.port_type.as_deref() {
                        Some("mono") => Some(1),
                        Some("stereo") => Some(2),
                        _ => None,
                    };
                    if let Some(expected) = expected_channels {
                        assert_eq!(
                            port.channel_count, expected,
                            "{}, {context}: port `{}` of type {:?}",
                            case.name, port.name, port.port_type
                        );
                    }
                }
            }
        });
    });
}

// --- Processing --------------------------------------------------------------------------------

#[test]
fn processes_every_sample_rate_block_size_and_layout() {
    /// Blocks per block size and signal; more than one so state carries across blocks.
    const BLOCKS_EACH: usize = 3;
    for_each_plugin(|case| {
        let mut plugin = LoadedPlugin::load(case);
        let mut rng = Rng::new(fuzz_seed());
        for_each_layout(&mut plugin, |plugin, layout| {
            for sample_rate_hz in SAMPLE_RATES_HZ {
                let activation = Activation {
                    sample_rate_hz,
                    max_frames: SWEEP_MAX_FRAMES,
                };
                let rng = &mut rng;
                plugin.session(activation, ThreadMode::Spawned, move |rig| {
                    for frames in BLOCK_SIZES {
                        for signal in [Signal::Noise, Signal::Silence] {
                            let context = format!(
                                "{}, {sample_rate_hz} Hz, {frames}-frame blocks of {signal:?}",
                                layout_name(layout)
                            );
                            process_signal(rig, rng, signal, frames, BLOCKS_EACH, &context);
                        }
                    }
                });
            }
        });
    });
}

#[test]
fn processes_on_the_main_thread() {
    for_each_plugin(|case| {
        let mut plugin = LoadedPlugin::load(case);
        let mut rng = Rng::new(fuzz_seed());
        let activation = Activation {
            sample_rate_hz: 48_000.0,
            max_frames: SWEEP_MAX_FRAMES,
        };
        plugin.session(activation, ThreadMode::Main, |rig| {
            for frames in BLOCK_SIZES {
                let context = format!("main-thread processing, {frames}-frame blocks");
                process_signal(rig, &mut rng, Signal::Noise, frames, 2, &context);
            }
        });
    });
}

#[test]
fn survives_reactivation_reset_and_sleep() {
    /// Activate/deactivate cycles, each at the next sample rate and block size.
    const CYCLES: usize = 8;
    for_each_plugin(|case| {
        let mut plugin = LoadedPlugin::load(case);
        let mut rng = Rng::new(fuzz_seed());

        // Activate and deactivate without ever processing, and without starting processing.
        for sample_rate_hz in SAMPLE_RATES_HZ {
            let processor = plugin.activate(Activation {
                sample_rate_hz,
                max_frames: SWEEP_MAX_FRAMES,
            });
            plugin.deactivate(processor);
        }

        for cycle in 0..CYCLES {
            let sample_rate_hz = SAMPLE_RATES_HZ[cycle % SAMPLE_RATES_HZ.len()];
            let frames = BLOCK_SIZES[1 + cycle % (BLOCK_SIZES.len() - 1)];
            let activation = Activation {
                sample_rate_hz,
                max_frames: frames as u32,
            };
            let rng = &mut rng;
            plugin.session(activation, ThreadMode::Spawned, move |rig| {
                let context = format!("cycle {cycle}, {sample_rate_hz} Hz, {frames} frames");
                process_signal(rig, rng, Signal::Noise, frames, 2, &context);
                rig.reset();
                process_signal(
                    rig,
                    rng,
                    Signal::Noise,
                    frames,
                    2,
                    &format!("{context}, after reset"),
                );
                rig.sleep_and_wake();
                process_signal(
                    rig,
                    rng,
                    Signal::Noise,
                    frames,
                    2,
                    &format!("{context}, after sleep"),
                );
            });
            assert!(
                !plugin.is_active(),
                "{}: still active after deactivate",
                case.name
            );
        }
    });
}

// --- Latency -----------------------------------------------------------------------------------

#[test]
fn latency_is_reported_after_activation() {
    /// Odd and high rates as well as the standard ones.
    const RATES_HZ: [f64; 7] = [
        22_050.0, 44_100.0, 48_000.0, 88_200.0, 96_000.0, 176_400.0, 192_000.0,
    ];
    for_each_plugin(|case| {
        let mut plugin = LoadedPlugin::load(case);
        for_each_layout(&mut plugin, |plugin, layout| {
            for sample_rate_hz in RATES_HZ {
                let processor = plugin.activate(Activation {
                    sample_rate_hz,
                    max_frames: SWEEP_MAX_FRAMES,
                });
                let latency = plugin.latency();
                plugin.deactivate(processor);
                assert_eq!(
                    latency,
                    case.latency_samples.at(sample_rate_hz),
                    "{}, {}, {sample_rate_hz} Hz: reported latency",
                    case.name,
                    layout_name(layout)
                );
            }
        });
    });
}

/// Rounds of random parameter changes while active in the latency-announcement test.
const LATENCY_CHANGE_ROUNDS: usize = 6;

/// One session on the audio thread with `events` in its first block; returns the number of
/// `latency.changed` calls and whether a restart was first requested while it ran, with the main
/// thread pumped afterwards. A change while active must only request a restart (the CLAP spec
/// allows `latency.changed` only inside `activate`; see patches/PATCHES.md).
fn announcements_during_session(
    plugin: &mut LoadedPlugin,
    activation: Activation,
    events: &EventBuffer,
    rng: &mut Rng,
) -> (u32, bool) {
    plugin.pump_main_thread();
    let restart_before = plugin.host_shared(|host| host.restart_requested());
    let changes_before = plugin.host_record(|host| host.latency_changes.get());
    plugin.session(activation, ThreadMode::Spawned, move |rig| {
        let input = Signal::Noise.block(rng, rig.input_channels(), TYPICAL_BLOCK);
        rig.process(&input, TYPICAL_BLOCK, events, "latency announcement");
    });
    plugin.pump_main_thread();
    let restart = !restart_before && plugin.host_shared(|host| host.restart_requested());
    let changes = plugin.host_record(|host| host.latency_changes.get()) - changes_before;
    (changes, restart)
}

#[test]
fn latency_changes_while_active_are_announced() {
    for_each_plugin(|case| {
        if !matches!(case.latency_samples, Latency::Parametric { .. }) {
            return;
        }
        let mut rng = Rng::new(fuzz_seed());
        let activation = Activation {
            sample_rate_hz: 48_000.0,
            max_frames: TYPICAL_BLOCK as u32,
        };
        let mut changed_rounds = 0;
        for _ in 0..LATENCY_CHANGE_ROUNDS {
            // A fresh instance per round: the restart request is remembered since creation.
            let mut plugin = LoadedPlugin::load(case);
            let specs = settable(&plugin.param_specs());
            let processor = plugin.activate(activation);
            let before = plugin.latency();
            plugin.deactivate(processor);

            // The first activation's own announcement (0 → its latency) may be deferred to the
            // next activation; one idle session flushes it, a second measures the baseline.
            let none = EventBuffer::new();
            announcements_during_session(&mut plugin, activation, &none, &mut rng);
            let (baseline, _) =
                announcements_during_session(&mut plugin, activation, &none, &mut rng);

            let mut events = EventBuffer::new();
            for spec in &specs {
                events.push(&spec.value_event(0, spec.at(rng.unit_f64())));
            }
            let (changes, restart) =
                announcements_during_session(&mut plugin, activation, &events, &mut rng);

            let processor = plugin.activate(activation);
            let after = plugin.latency();
            plugin.deactivate(processor);
            if after != before {
                changed_rounds += 1;
                assert!(
                    restart || changes > baseline,
                    "{}: latency went from {before} to {after} samples while active, but the \
                     plugin neither requested a restart nor called latency.changed \
                     ({changes} calls; {baseline} in a session without changes)",
                    case.name
                );
            }
        }
        assert!(
            changed_rounds > 0,
            "{}: random parameters never changed the latency; the test proved nothing",
            case.name
        );
    });
}

/// Level a tail must have fallen below, linear (−120 dBFS: `plugin_kit::TAIL_FLOOR_DB`).
const TAIL_FLOOR: f32 = 1e-6;

/// Every block returns `CLAP_PROCESS_CONTINUE_IF_NOT_QUIET` (so the host relies on the tail,
/// as the CLAP spec defines it), `clap_plugin_tail` reports at least the latency (exactly it for a
/// pass-through meter), and once that many samples of silence have gone in after full-scale
/// noise, the output stays below −120 dBFS: a host that sleeps the plugin then cuts nothing.
#[test]
fn tail_is_reported_and_the_output_is_silent_after_it() {
    const SAMPLE_RATE_HZ: f64 = 48_000.0;
    const NOISE_BLOCKS: usize = 8;
    for_each_plugin(|case| {
        let mut plugin = LoadedPlugin::load(case);
        let activation = Activation {
            sample_rate_hz: SAMPLE_RATE_HZ,
            max_frames: TYPICAL_BLOCK as u32,
        };
        let latency = case.latency_samples.at(SAMPLE_RATE_HZ);
        let mut rng = Rng::new(41);
        plugin.session(activation, ThreadMode::Spawned, |rig| {
            let events = EventBuffer::new();
            let channels = rig.input_channels();
            let silence = Signal::Silence.block(&mut rng, channels, TYPICAL_BLOCK);
            let mut tail = None;
            let mut frame = 0usize;
            let mut loudest_after_tail = 0.0f32;
            let mut blocks = 0;
            loop {
                let noise = blocks < NOISE_BLOCKS;
                let input = if noise {
                    Signal::Noise.block(&mut rng, channels, TYPICAL_BLOCK)
                } else {
                    silence.clone()
                };
                let status = rig.process(&input, TYPICAL_BLOCK, &events, "tail");
                assert_eq!(
                    status,
                    ProcessStatus::ContinueIfNotQuiet,
                    "{}: process status (the host must rely on the tail)",
                    case.name
                );
                let reported = match rig.tail() {
                    Some(clack_extensions::tail::TailLength::Finite(n)) => n as usize,
                    other => panic!("{}: tail extension reports {other:?}", case.name),
                };
                let t = *tail.get_or_insert(reported);
                assert_eq!(
                    t, reported,
                    "{}: the tail changed without a change of settings",
                    case.name
                );
                let silent_from = NOISE_BLOCKS * TYPICAL_BLOCK + t;
                for c in 0..rig.output_channels() {
                    for (i, &y) in rig.output(c, TYPICAL_BLOCK).iter().enumerate() {
                        if frame + i >= silent_from {
                            loudest_after_tail = loudest_after_tail.max(y.abs());
                        }
                    }
                }
                frame += TYPICAL_BLOCK;
                blocks += 1;
                if frame >= silent_from + 4 * TYPICAL_BLOCK {
                    break;
                }
            }
            let t = tail.expect("processed");
            assert!(
                t >= latency as usize,
                "{}: tail {t} < latency {latency}",
                case.name
            );
            if case.passthrough == Passthrough::BitExact {
                assert_eq!(
                    t, latency as usize,
                    "{}: a pass-through's tail is its latency",
                    case.name
                );
            }
            assert!(
                loudest_after_tail < TAIL_FLOOR,
                "{}: output {loudest_after_tail} after the {t}-sample tail",
                case.name
            );
            println!(
                "{}: tail {t} samples, latency {latency}, after it ≤ {loudest_after_tail:e}",
                case.name
            );
        });
    });
}
