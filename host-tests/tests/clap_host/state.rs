//! State save/load: round trips, trickling streams, corrupt state, loads while processing.

use super::*;

/// Sets every settable parameter to a random value through an inactive flush.
fn randomise_params(plugin: &mut LoadedPlugin, specs: &[ParamSpec], rng: &mut Rng) {
    let mut events = EventBuffer::new();
    for spec in specs.iter().filter(|spec| spec.is_settable()) {
        events.push(&spec.value_event(0, spec.random_value(rng)));
    }
    plugin.flush_params(&events);
}

#[test]
fn state_round_trips_byte_for_byte() {
    for_each_plugin(|case| {
        let mut rng = Rng::new(fuzz_seed());
        let mut original = LoadedPlugin::load(case);
        let specs = original.param_specs();

        // Defaults.
        let default_state = original.save_state();
        let mut copy = LoadedPlugin::load(case);
        copy.load_state(&default_state)
            .unwrap_or_else(|err| panic!("{}: loading its own default state: {err}", case.name));
        assert_eq!(
            copy.save_state(),
            default_state,
            "{}: default state changed on reload",
            case.name
        );
        drop(copy);

        // Random values, applied by processing.
        randomise_params(&mut original, &specs, &mut rng);
        original.session(
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
                    "before save",
                )
            },
        );
        let saved = original.save_state();
        let values = param_values(&mut original, &specs);
        assert_eq!(
            original.save_state(),
            saved,
            "{}: two saves differ",
            case.name
        );
        if values
            .iter()
            .zip(&specs)
            .any(|(value, spec)| (value - spec.default_value).abs() > spec.tolerance())
        {
            assert_ne!(
                saved, default_state,
                "{}: state ignores parameter values",
                case.name
            );
        }

        let mut copy = LoadedPlugin::load(case);
        copy.load_state(&saved)
            .unwrap_or_else(|err| panic!("{}: loading its own state: {err}", case.name));
        assert_eq!(
            copy.save_state(),
            saved,
            "{}: save -> load -> save differs",
            case.name
        );
        assert_eq!(
            param_values(&mut copy, &specs),
            values,
            "{}: parameter values differ after a state round trip",
            case.name
        );
    });
}

/// A reader that hands out at most a few bytes per call, like some hosts' streams.
struct TrickleReader<'a> {
    bytes: &'a [u8],
    rng: Rng,
}

impl Read for TrickleReader<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let count = buf
            .len()
            .min(self.bytes.len())
            .min(self.rng.range_usize(1, 7));
        buf[..count].copy_from_slice(&self.bytes[..count]);
        self.bytes = &self.bytes[count..];
        Ok(count)
    }
}

/// A writer that takes at most a few bytes per call.
struct TrickleWriter {
    bytes: Vec<u8>,
    rng: Rng,
}

impl Write for TrickleWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let count = buf.len().min(self.rng.range_usize(1, 7));
        self.bytes.extend_from_slice(&buf[..count]);
        Ok(count)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[test]
fn state_survives_streams_that_move_a_few_bytes_at_a_time() {
    for_each_plugin(|case| {
        let mut rng = Rng::new(fuzz_seed());
        let mut original = LoadedPlugin::load(case);
        let specs = original.param_specs();
        randomise_params(&mut original, &specs, &mut rng);
        let saved = original.save_state();

        let mut writer = TrickleWriter {
            bytes: Vec::new(),
            rng: Rng::new(rng.next_u64()),
        };
        original
            .save_state_to(&mut writer)
            .unwrap_or_else(|err| panic!("{}: save to a trickling stream: {err}", case.name));
        assert_eq!(writer.bytes, saved, "{}: trickled save differs", case.name);

        let mut copy = LoadedPlugin::load(case);
        let mut reader = TrickleReader {
            bytes: &saved,
            rng: Rng::new(rng.next_u64()),
        };
        copy.load_state_from(&mut reader)
            .unwrap_or_else(|err| panic!("{}: load from a trickling stream: {err}", case.name));
        assert_eq!(
            copy.save_state(),
            saved,
            "{}: trickled load differs",
            case.name
        );
    });
}

#[test]
fn corrupt_state_is_refused_or_ignored() {
    /// Random garbage states, and mutated copies of a valid state.
    const GARBAGE_STATES: usize = 32;
    const MUTATED_STATES: usize = 64;
    for_each_plugin(|case| {
        let mut rng = Rng::new(fuzz_seed());
        let mut plugin = LoadedPlugin::load(case);
        let specs = plugin.param_specs();
        randomise_params(&mut plugin, &specs, &mut rng);
        let good = plugin.save_state();

        let mut corrupt: Vec<(String, Vec<u8>)> = vec![
            ("empty".into(), Vec::new()),
            ("one byte".into(), vec![0]),
            ("huge length prefix".into(), vec![0xFF; 8]),
            ("zero length prefix".into(), vec![0; 8]),
        ];
        for cut in [1, 7, 8, 9, good.len() / 2, good.len().saturating_sub(1)] {
            corrupt.push((
                format!("truncated to {cut} bytes"),
                good[..cut.min(good.len())].to_vec(),
            ));
        }
        for index in 0..GARBAGE_STATES {
            let len = rng.range_usize(1, 4096);
            let bytes = (0..len).map(|_| rng.next_u64() as u8).collect();
            corrupt.push((format!("garbage #{index}"), bytes));
        }
        for index in 0..MUTATED_STATES {
            let mut bytes = good.clone();
            for _ in 0..rng.range_usize(1, 8) {
                let at = rng.range_usize(0, bytes.len() - 1);
                // Digits keep JSON-like states parseable with other numbers; bytes break them.
                bytes[at] = if rng.chance(0.5) {
                    b'0' + rng.below(10) as u8
                } else {
                    rng.next_u64() as u8
                };
            }
            corrupt.push((format!("mutated #{index}"), bytes));
        }

        for (what, bytes) in &corrupt {
            // Refusing and loading are both fine; crashing or breaking the plugin is not.
            let _ = plugin.load_state(bytes);
            assert_params_in_range(&mut plugin, &specs, &format!("after loading {what} state"));
            plugin.save_state();
        }

        let mut rng2 = Rng::new(rng.next_u64());
        plugin.session(
            Activation {
                sample_rate_hz: 48_000.0,
                max_frames: TYPICAL_BLOCK as u32,
            },
            ThreadMode::Spawned,
            |rig| {
                process_signal(
                    rig,
                    &mut rng2,
                    Signal::Noise,
                    TYPICAL_BLOCK,
                    4,
                    "after corrupt states",
                )
            },
        );

        plugin.load_state(&good).unwrap_or_else(|err| {
            panic!(
                "{}: good state refused after corrupt ones: {err}",
                case.name
            )
        });
        assert_eq!(
            plugin.save_state(),
            good,
            "{}: good state not restored",
            case.name
        );
    });
}

#[test]
fn state_loads_while_the_audio_thread_processes() {
    /// Loads/saves done by the main thread while the audio thread keeps processing.
    const LOADS: usize = 20;
    for_each_plugin(|case| {
        let mut rng = Rng::new(fuzz_seed());
        let mut donor = LoadedPlugin::load(case);
        let specs = donor.param_specs();
        randomise_params(&mut donor, &specs, &mut rng);
        let state_a = donor.save_state();
        randomise_params(&mut donor, &specs, &mut rng);
        let state_b = donor.save_state();
        drop(donor);

        let mut plugin = LoadedPlugin::load(case);
        let layout = plugin.main_layout();
        let aux_inputs = plugin.aux_input_channels();
        let activation = Activation {
            sample_rate_hz: 48_000.0,
            max_frames: TYPICAL_BLOCK as u32,
        };
        let processor = plugin.activate(activation);
        let latency = plugin.latency();
        let stop = AtomicBool::new(false);
        let mut audio_rng = Rng::new(rng.next_u64());

        let processor = std::thread::scope(|scope| {
            let audio = scope.spawn(|| {
                let _role = AudioThreadRole::take();
                let mut rig = AudioRig::start_with_aux(
                    case,
                    processor,
                    layout,
                    &aux_inputs,
                    activation.max_frames,
                    latency,
                );
                let mut block = 0;
                while !stop.load(Ordering::Acquire) {
                    let context = format!("block {block} while the main thread loads state");
                    process_signal(
                        &mut rig,
                        &mut audio_rng,
                        Signal::Noise,
                        TYPICAL_BLOCK,
                        1,
                        &context,
                    );
                    block += 1;
                }
                rig.stop()
            });
            for load in 0..LOADS {
                let state = if load % 2 == 0 { &state_a } else { &state_b };
                let result = plugin.load_state(state);
                plugin.pump_main_thread();
                if let Err(err) = result {
                    stop.store(true, Ordering::Release);
                    let _ = audio.join();
                    panic!("{}: loading state while processing: {err}", case.name);
                }
                std::thread::sleep(Duration::from_millis(2));
            }
            stop.store(true, Ordering::Release);
            audio
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
        });
        plugin.deactivate(processor);
        plugin.pump_main_thread();
        assert_eq!(
            plugin.save_state(),
            state_b,
            "{}: the last state loaded while processing did not stick",
            case.name
        );
    });
}
