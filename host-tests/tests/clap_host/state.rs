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

/// Bytes of nice-plug's CLAP state length prefix: the JSON's length as a little-endian `u64`.
const STATE_PREFIX_BYTES: usize = 8;

/// The JSON document inside a state blob saved by nice-plug's CLAP wrapper.
fn state_json(case: &PluginCase, blob: &[u8]) -> serde_json::Value {
    serde_json::from_slice(&blob[STATE_PREFIX_BYTES.min(blob.len())..]).unwrap_or_else(|err| {
        panic!(
            "{}: saved state is not length-prefixed JSON: {err}",
            case.name
        )
    })
}

/// A state blob as nice-plug's CLAP wrapper writes it: length prefix, then `json`.
fn state_blob(json: &[u8]) -> Vec<u8> {
    let mut blob = (json.len() as u64).to_le_bytes().to_vec();
    blob.extend_from_slice(json);
    blob
}

/// Loads `blob` (refusing is fine), then checks the plugin is unharmed: every parameter in range
/// and a save still works.
fn load_and_check(plugin: &mut LoadedPlugin, specs: &[ParamSpec], blob: &[u8], what: &str) {
    let _ = plugin.load_state(blob);
    plugin.pump_main_thread();
    assert_params_in_range(plugin, specs, &format!("after loading {what}"));
    plugin.save_state();
}

#[test]
fn wrong_shape_other_plugin_and_future_state_loads_best_effort() {
    /// Values of the wrong type, or of the right type but absurd, for any parameter.
    const WRONG_VALUES: [&str; 14] = [
        r#"{"f32":1e39}"#,
        r#"{"f32":-1e39}"#,
        r#"{"f32":1e-45}"#,
        r#"{"i32":2147483647}"#,
        r#"{"i32":-2147483648}"#,
        r#"{"bool":true}"#,
        r#"{"string":"no such variant"}"#,
        r#"{"string":""}"#,
        r#"{"future_type":1}"#,
        r#"{}"#,
        r#"null"#,
        r#"5"#,
        r#"[1,2,3]"#,
        r#""text""#,
    ];
    let _serial = serial_guard();
    // Every plugin's own state, to load into the others.
    let mut own_states = Vec::new();
    for case in plugins() {
        let mut rng = Rng::new(fuzz_seed());
        let mut plugin = LoadedPlugin::load(case);
        let specs = plugin.param_specs();
        randomise_params(&mut plugin, &specs, &mut rng);
        own_states.push((case, plugin.save_state()));
    }

    for (case, good) in &own_states {
        let mut plugin = LoadedPlugin::load(case);
        let specs = plugin.param_specs();
        let good_json = state_json(case, good);

        // Documents of another shape altogether.
        for json in [
            "null",
            "true",
            "0",
            "\"state\"",
            "[]",
            "[{}]",
            "{}",
            r#"{"version":"0.1.0"}"#,
            r#"{"params":[]}"#,
            r#"{"params":null}"#,
            r#"{"params":{},"fields":[]}"#,
            r#"{"version":5,"params":{}}"#,
            r#"{"params":{"":{"f32":0.0}}}"#,
        ] {
            load_and_check(&mut plugin, &specs, &state_blob(json.as_bytes()), json);
        }
        // The same documents without the length prefix, and the good JSON without it.
        load_and_check(&mut plugin, &specs, b"{\"params\":{}}", "unprefixed JSON");
        load_and_check(
            &mut plugin,
            &specs,
            &good[STATE_PREFIX_BYTES..],
            "unprefixed state",
        );
        // A prefix promising more or less than there is.
        for length in [
            0u64,
            1,
            (good.len() - STATE_PREFIX_BYTES) as u64 + 1,
            u64::MAX,
        ] {
            let mut blob = good.clone();
            blob[..STATE_PREFIX_BYTES].copy_from_slice(&length.to_le_bytes());
            load_and_check(
                &mut plugin,
                &specs,
                &blob,
                &format!("length prefix {length}"),
            );
        }

        // Each parameter with a value of the wrong type.
        let ids: Vec<String> = good_json["params"]
            .as_object()
            .map(|params| params.keys().cloned().collect())
            .unwrap_or_default();
        for id in &ids {
            for wrong in WRONG_VALUES {
                let mut json = good_json.clone();
                json["params"][id] = serde_json::from_str(wrong).expect("test JSON");
                let blob = state_blob(json.to_string().as_bytes());
                load_and_check(&mut plugin, &specs, &blob, &format!("`{id}` = {wrong}"));
            }
        }

        // Another plugin's state.
        for (other, other_state) in &own_states {
            if other.clap_id != case.clap_id {
                let what = format!("{}'s state", other.name);
                load_and_check(&mut plugin, &specs, other_state, &what);
            }
        }

        // A future version: a newer version string, parameters and fields this build does not
        // know, and top-level keys it has never heard of. The parameters it knows load as saved.
        plugin.load_state(good).expect("own state");
        let values = param_values(&mut plugin, &specs);
        let mut fresh = LoadedPlugin::load(case);
        let mut json = good_json.clone();
        json["version"] = "99.0.0".into();
        json["params"]["a_parameter_from_the_future"] = serde_json::json!({"f32": 0.5});
        json["params"]["another_one"] = serde_json::json!({"string": "mode 7"});
        json["fields"]["future_field"] = serde_json::json!("{\"nested\": true}");
        json["format"] = serde_json::json!({"compression": "none", "revision": 3});
        let future = state_blob(json.to_string().as_bytes());
        fresh.load_state(&future).unwrap_or_else(|err| {
            panic!("{}: a future version's state is refused: {err}", case.name)
        });
        assert_eq!(
            param_values(&mut fresh, &specs),
            values,
            "{}: a future version's state does not load the parameters this build knows",
            case.name
        );

        // After all that, the plugin still processes and takes a good state.
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
                    4,
                    "after bad states",
                )
            },
        );
        plugin.load_state(good).expect("own state after bad ones");
        assert_eq!(
            &plugin.save_state(),
            good,
            "{}: good state not restored",
            case.name
        );
    }
}

/// Property test of state deserialisation (issue 13's fuzz target for state, run in CI): blobs
/// drawn by proptest — raw bytes, length-prefixed bytes, arbitrary JSON documents, and the
/// plugin's own state with parameters replaced by arbitrary JSON, its version changed and its
/// end cut off — must load or be refused without a crash, leaving every parameter in range.
///
/// `$LATHE_STATE_CASES` sets the number of blobs per plugin (default 256); the seed is
/// `$LATHE_FUZZ_SEED`'s, so a failure reruns exactly.
#[test]
fn state_deserialisation_property() {
    use proptest::prelude::*;
    use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
    use serde_json::Value;
    use std::cell::RefCell;

    const DEFAULT_CASES: u32 = 256;
    let cases = std::env::var("LATHE_STATE_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(DEFAULT_CASES);
    let seed = fuzz_seed();
    println!("state property: {cases} blobs per plugin, seed {seed} (LATHE_FUZZ_SEED)");

    fn arbitrary_json() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::from),
            any::<i64>().prop_map(Value::from),
            any::<f64>().prop_map(Value::from),
            "[ -~]{0,12}".prop_map(Value::from),
        ];
        leaf.prop_recursive(3, 24, 4, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
                prop::collection::btree_map(
                    prop_oneof![
                        Just("f32".to_owned()),
                        Just("i32".to_owned()),
                        Just("bool".to_owned()),
                        Just("string".to_owned()),
                        "[a-z_]{0,8}"
                    ],
                    inner,
                    0..3
                )
                .prop_map(|map| Value::Object(map.into_iter().collect())),
            ]
        })
    }

    let _serial = serial_guard();
    for case in plugins() {
        let mut plugin = LoadedPlugin::load(case);
        let specs = plugin.param_specs();
        let good = plugin.save_state();
        let good_json = state_json(case, &good);
        let ids: Vec<String> = good_json["params"]
            .as_object()
            .map(|params| params.keys().cloned().collect())
            .unwrap_or_default();

        let mutated_own_state = (
            prop::collection::vec((prop::sample::select(ids.clone()), arbitrary_json()), 0..4),
            prop::option::of(arbitrary_json()),
            prop::option::of(any::<prop::sample::Index>()),
        )
            .prop_map({
                let good_json = good_json.clone();
                move |(replacements, version, cut)| {
                    let mut json = good_json.clone();
                    for (id, value) in replacements {
                        json["params"][&id] = value;
                    }
                    if let Some(version) = version {
                        json["version"] = version;
                    }
                    let mut blob = state_blob(json.to_string().as_bytes());
                    if let Some(cut) = cut {
                        blob.truncate(cut.index(blob.len() + 1));
                    }
                    blob
                }
            });
        let blobs = prop_oneof![
            1 => prop::collection::vec(any::<u8>(), 0..256),
            1 => prop::collection::vec(any::<u8>(), 0..256).prop_map(|bytes| state_blob(&bytes)),
            1 => arbitrary_json().prop_map(|json| state_blob(json.to_string().as_bytes())),
            3 => mutated_own_state,
        ];

        let mut seed_bytes = [0u8; 32];
        seed_bytes[..8].copy_from_slice(&seed.to_le_bytes());
        let config = Config {
            cases,
            failure_persistence: None,
            ..Config::default()
        };
        let mut runner = TestRunner::new_with_rng(
            config,
            TestRng::from_seed(RngAlgorithm::ChaCha, &seed_bytes),
        );
        let plugin = RefCell::new(&mut plugin);
        let result = runner.run(&blobs, |blob: Vec<u8>| {
            let mut plugin = plugin.borrow_mut();
            let _ = plugin.load_state(&blob);
            plugin.pump_main_thread();
            for spec in &specs {
                let value = plugin.param_value(spec.id);
                prop_assert!(
                    value.is_some_and(|v| v.is_finite()
                        && v >= spec.min_value
                        && v <= spec.max_value),
                    "`{}` = {value:?} after loading {} bytes",
                    spec.name,
                    blob.len()
                );
            }
            Ok(())
        });
        if let Err(failure) = result {
            panic!(
                "{}: state deserialisation property failed: {failure}",
                case.name
            );
        }
        let plugin = plugin.into_inner();
        plugin
            .load_state(&good)
            .expect("own state after the property test");
        assert_eq!(
            plugin.save_state(),
            good,
            "{}: default state not restored",
            case.name
        );
    }
}
