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

#[test]
fn param_text_round_trips() {
    for_each_plugin(|case| {
        let mut plugin = LoadedPlugin::load(case);
        for spec in plugin.param_specs() {
            let what = format!("{}: `{}`", case.name, spec.name);
            for value in spec.probe_values() {
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
