//! Parameter info, text conversions, events during `process`, and flushes.

use super::*;

#[test]
fn param_info_is_valid() {
    for_each_plugin(|case| {
        let mut plugin = LoadedPlugin::load(case);
        assert!(plugin.has_params(), "{}: no params extension", case.name);
        let specs = plugin.param_specs();
        let mut ids = HashSet::new();
        for spec in &specs {
            let what = format!("{}: param #{} `{}`", case.name, spec.index, spec.name);
            assert!(ids.insert(spec.id), "{what}: duplicate id {:?}", spec.id);
            assert!(!spec.name.trim().is_empty(), "{what}: empty name");
            assert!(
                spec.min_value.is_finite() && spec.max_value.is_finite(),
                "{what}: non-finite range [{}, {}]",
                spec.min_value,
                spec.max_value
            );
            assert!(
                spec.min_value < spec.max_value,
                "{what}: min {} is not below max {}",
                spec.min_value,
                spec.max_value
            );
            assert!(
                spec.default_value >= spec.min_value && spec.default_value <= spec.max_value,
                "{what}: default {} outside [{}, {}]",
                spec.default_value,
                spec.min_value,
                spec.max_value
            );
            if spec.is_stepped() {
                for value in [spec.min_value, spec.max_value, spec.default_value] {
                    assert_eq!(
                        value.fract(),
                        0.0,
                        "{what}: stepped but {value} is not whole"
                    );
                }
            }
            let value = plugin
                .param_value(spec.id)
                .unwrap_or_else(|| panic!("{what}: get_value failed"));
            assert!(
                (value - spec.default_value).abs() <= spec.tolerance(),
                "{what}: a fresh instance reads {value}, the default is {}",
                spec.default_value
            );
        }
        // Unknown ids must be refused, not crash.
        let unknown = (0..u32::MAX - 1)
            .map(ClapId::new)
            .find(|id| !ids.contains(id))
            .expect("some id is unused");
        assert!(
            plugin.param_value(unknown).is_none(),
            "{}: get_value accepted unknown id {unknown:?}",
            case.name
        );
    });
}

/// Seed of the text round-trip test's random values (any fixed seed: the run is reproducible).
const TEXT_ROUND_TRIP_SEED: u64 = 0x7e57_7e47;

#[test]
fn param_text_round_trips() {
    for_each_plugin(|case| {
        let mut plugin = LoadedPlugin::load(case);
        let mut rng = Rng::new(TEXT_ROUND_TRIP_SEED);
        for spec in plugin.param_specs() {
            let what = format!("{}: `{}`", case.name, spec.name);
            for value in spec.text_probe_values(&mut rng) {
                let text = plugin
                    .value_to_text(spec.id, value)
                    .unwrap_or_else(|| panic!("{what}: value_to_text({value}) failed"));
                assert!(
                    !text.trim().is_empty(),
                    "{what}: value_to_text({value}) is empty"
                );
                let parsed = plugin.text_to_value(spec.id, &text).unwrap_or_else(|| {
                    panic!("{what}: text_to_value cannot parse its own text `{text}` (of {value})")
                });
                assert!(
                    parsed >= spec.min_value && parsed <= spec.max_value,
                    "{what}: text_to_value(`{text}`) = {parsed} is outside the range"
                );
                let again = plugin
                    .value_to_text(spec.id, parsed)
                    .expect("value_to_text");
                assert_eq!(
                    again, text,
                    "{what}: value {value} -> `{text}` -> {parsed} -> `{again}` does not round-trip"
                );
            }
            // Nonsense text must be refused or parsed into range, never crash.
            for nonsense in ["", "not a number", "1e999", "-inf", "NaN", "∞ dB"] {
                if let Some(parsed) = plugin.text_to_value(spec.id, nonsense) {
                    assert!(
                        parsed >= spec.min_value && parsed <= spec.max_value,
                        "{what}: text_to_value(`{nonsense}`) = {parsed} is outside the range"
                    );
                }
            }
        }
    });
}

/// Strings a host or a user typing into a host's parameter field may send.
fn hostile_texts(spec_texts: &[String]) -> Vec<Vec<u8>> {
    let mut texts: Vec<Vec<u8>> = [
        "",
        " ",
        "\t\n",
        "-",
        "+",
        ".",
        "-.",
        "e",
        "1e",
        "--1",
        "+-1",
        "1..2",
        "0x1F",
        "1,5",
        "nan",
        "NaN dB",
        "-nan",
        "inf",
        "+inf",
        "-infinity",
        "Infinity Hz",
        "∞",
        "-∞ dB",
        "1e309",
        "-1e309",
        "1e-320",
        "-0",
        "-0.0 dB",
        "340282350000000000000000000000000000000",
        "18446744073709551616",
        "-9223372036854775809",
        "2147483648",
        "-2147483649",
        "−6 dB",
        "６ dB",
        "12 dB dB",
        "dB",
        "Hz",
        "ms",
        "%",
        "kHz",
        "1 kHz",
        "1k",
        "10 k",
        "20 kHz kHz",
        "1:2",
        ":1",
        "1:",
        "∞:1",
        "0:0",
        "L",
        "R",
        "C",
        "L100",
        "R-100",
        "L 1e9",
        "50L",
        "100R",
        "Off",
        "ON",
        "true",
        "yes",
        "🎛️",
        "\u{FFFD}",
        "\u{200B}5",
        "5\u{200B}",
        "  -3.0   dB  ",
    ]
    .iter()
    .map(|text| text.as_bytes().to_vec())
    .collect();
    texts.push(vec![b'9'; 10_000]);
    texts.push(b"-".repeat(4096));
    texts.push(vec![0xFF, 0xFE, b'1']);
    texts.push(vec![b'1', 0xC3]);
    texts.push(vec![0xED, 0xA0, 0x80]);
    // Each parameter's own display texts with their ends cut off or doubled.
    for text in spec_texts {
        let chars: Vec<char> = text.chars().collect();
        for cut in 0..chars.len() {
            texts.push(chars[..cut].iter().collect::<String>().into_bytes());
            texts.push(chars[cut..].iter().collect::<String>().into_bytes());
        }
        texts.push(format!("{text}{text}").into_bytes());
        texts.push(format!("-{text}").into_bytes());
    }
    texts
}

#[test]
fn param_text_parsing_survives_hostile_strings() {
    for_each_plugin(|case| {
        let mut plugin = LoadedPlugin::load(case);
        for spec in plugin.param_specs() {
            let what = format!("{}: `{}`", case.name, spec.name);
            let own_texts: Vec<String> = spec
                .probe_values()
                .into_iter()
                .filter_map(|value| plugin.value_to_text(spec.id, value))
                .collect();
            for bytes in hostile_texts(&own_texts) {
                let Ok(text) = std::ffi::CString::new(bytes.clone()) else {
                    continue;
                };
                if let Some(parsed) = plugin.text_to_value_cstr(spec.id, &text) {
                    assert!(
                        parsed.is_finite() && parsed >= spec.min_value && parsed <= spec.max_value,
                        "{what}: text_to_value({:?}) = {parsed} is outside [{}, {}]",
                        String::from_utf8_lossy(&bytes),
                        spec.min_value,
                        spec.max_value
                    );
                }
            }
            // value_to_text of values no host should send: refused or some text, never a crash.
            for value in [
                f64::NAN,
                f64::INFINITY,
                f64::NEG_INFINITY,
                f64::MAX,
                f64::MIN,
                spec.min_value - 1.0,
                spec.max_value + 1.0,
                f64::MIN_POSITIVE / 2.0,
            ] {
                let _ = plugin.value_to_text(spec.id, value);
            }
        }
        // An id that is no parameter's: refused.
        let unknown = ClapId::new(0xDEAD_BEEF);
        assert!(
            plugin.text_to_value(unknown, "0").is_none(),
            "{}: text_to_value accepted unknown id",
            case.name
        );
        assert!(
            plugin.value_to_text(unknown, 0.0).is_none(),
            "{}: value_to_text accepted unknown id",
            case.name
        );
    });
}

#[test]
fn param_events_during_process_take_effect() {
    for_each_plugin(|case| {
        let mut plugin = LoadedPlugin::load(case);
        let specs = settable(&plugin.param_specs());
        let Some(probe_count) = specs.first().map(|spec| spec.probe_values().len()) else {
            return;
        };
        let mut rng = Rng::new(fuzz_seed());
        let activation = Activation {
            sample_rate_hz: 48_000.0,
            max_frames: TYPICAL_BLOCK as u32,
        };

        for probe in 0..probe_count {
            // Every parameter gets its `probe`-th value, each at its own sample offset; a decoy
            // event earlier in the block checks that the last event wins.
            let mut events = EventBuffer::new();
            let mut sent = Vec::new();
            for (index, spec) in specs.iter().enumerate() {
                let time = ((index * 7 + 1) % TYPICAL_BLOCK) as u32;
                let value = spec.probe_values()[probe];
                events.push(&spec.value_event(0, spec.at(rng.unit_f64())));
                events.push(&spec.value_event(time, value));
                sent.push(value);
            }
            events.sort();

            let rng = &mut rng;
            plugin.session(activation, ThreadMode::Spawned, move |rig| {
                let context = format!("parameter events, probe {probe}");
                let input = Signal::Noise.block(rng, rig.input_channels(), TYPICAL_BLOCK);
                rig.process(&input, TYPICAL_BLOCK, &events, &context);
                process_signal(rig, rng, Signal::Noise, TYPICAL_BLOCK, 2, &context);
            });

            for (spec, value) in specs.iter().zip(sent) {
                assert_value_took_effect(&mut plugin, spec, value, "after process events");
            }
        }
    });
}

/// Asserts `spec` now reads `sent`: exactly (up to `f32` storage) at the ends of the range and
/// the default, and elsewhere up to the plugin's own snapping (same display text).
fn assert_value_took_effect(plugin: &mut LoadedPlugin, spec: &ParamSpec, sent: f64, when: &str) {
    let what = format!("{}: `{}` {when}", plugin.case.name, spec.name);
    let got = plugin
        .param_value(spec.id)
        .unwrap_or_else(|| panic!("{what}: get_value failed"));
    let exact = [spec.min_value, spec.max_value, spec.default_value].contains(&sent);
    if exact || (got - sent).abs() <= spec.tolerance() {
        assert!(
            (got - sent).abs() <= spec.tolerance(),
            "{what}: sent {sent}, reads {got}"
        );
        return;
    }
    let sent_text = plugin.value_to_text(spec.id, sent);
    let got_text = plugin.value_to_text(spec.id, got);
    assert_eq!(
        got_text, sent_text,
        "{what}: sent {sent}, reads {got}, which is not the same value snapped"
    );
}

#[test]
fn params_flush_while_inactive_and_active() {
    for_each_plugin(|case| {
        let mut plugin = LoadedPlugin::load(case);
        let specs = settable(&plugin.param_specs());
        let events_setting = |value_of: &dyn Fn(&ParamSpec) -> f64| {
            let mut events = EventBuffer::new();
            for spec in &specs {
                events.push(&spec.value_event(0, value_of(spec)));
            }
            events
        };

        // Inactive: main thread.
        plugin.flush_params(&EventBuffer::new());
        plugin.flush_params(&events_setting(&|spec| spec.max_value));
        for spec in &specs {
            assert_value_took_effect(&mut plugin, spec, spec.max_value, "after inactive flush");
        }

        // Active, not processing: audio thread.
        let params = plugin.params_extension().expect("params extension");
        let to_min = events_setting(&|spec| spec.min_value);
        let activation = Activation {
            sample_rate_hz: 48_000.0,
            max_frames: TYPICAL_BLOCK as u32,
        };
        let mut rng = Rng::new(fuzz_seed());
        plugin.session(activation, ThreadMode::Spawned, |rig| {
            rig.flush_params(params, &EventBuffer::new());
            rig.flush_params(params, &to_min);
            process_signal(
                rig,
                &mut rng,
                Signal::Noise,
                TYPICAL_BLOCK,
                2,
                "after active flush",
            );
        });
        for spec in &specs {
            assert_value_took_effect(&mut plugin, spec, spec.min_value, "after active flush");
        }
    });
}
