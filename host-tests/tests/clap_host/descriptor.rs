//! Bundles, the factory and the plugin descriptor; creating and destroying instances.

use super::*;

#[test]
fn bundles_are_built() {
    for_each_plugin(|case| {
        bundle_path(case);
    });
}

#[test]
fn factory_lists_one_plugin_with_a_complete_descriptor() {
    for_each_plugin(|case| {
        let entry = load_entry(case);
        let descriptors = factory_descriptors(&entry);
        assert_eq!(
            descriptors.len(),
            1,
            "{}: the bundle's factory must list exactly one plugin, it lists {descriptors:?}",
            case.name
        );
        let descriptor = &descriptors[0];
        assert_eq!(descriptor.id, case.clap_id, "{}: CLAP id", case.name);
        assert_eq!(descriptor.name, case.name, "{}: descriptor name", case.name);
        assert!(!descriptor.vendor.is_empty(), "{}: empty vendor", case.name);
        assert!(
            descriptor.version.starts_with(|c: char| c.is_ascii_digit()),
            "{}: version `{}` should start with a digit",
            case.name,
            descriptor.version
        );
        assert!(
            !descriptor.features.is_empty(),
            "{}: no features",
            case.name
        );
        assert!(
            descriptor
                .features
                .iter()
                .all(|feature| !feature.is_empty()),
            "{}: empty feature string in {:?}",
            case.name,
            descriptor.features
        );
        let unique: HashSet<&String> = descriptor.features.iter().collect();
        assert_eq!(
            unique.len(),
            descriptor.features.len(),
            "{}: duplicate features {:?}",
            case.name,
            descriptor.features
        );
        assert!(
            descriptor
                .features
                .iter()
                .any(|feature| MAIN_CATEGORIES.contains(&feature.as_str())),
            "{}: features {:?} name none of the main categories {MAIN_CATEGORIES:?}",
            case.name,
            descriptor.features
        );
        let version = entry.version();
        assert!(
            version.major >= 1,
            "{}: entry CLAP version {version:?}",
            case.name
        );
    });
}

#[test]
fn unknown_plugin_ids_are_refused() {
    for_each_plugin(|case| {
        let entry = load_entry(case);
        for id in [
            "dev.lathe.no-such-plugin",
            "",
            &format!("{}x", case.clap_id),
        ] {
            assert!(
                try_instantiate(&entry, id).is_err(),
                "{}: the factory created a plugin for unknown id `{id}`",
                case.name
            );
        }
    });
}

#[test]
fn instances_are_created_and_destroyed_repeatedly() {
    const CYCLES: usize = 3;
    let activation = Activation {
        sample_rate_hz: 48_000.0,
        max_frames: TYPICAL_BLOCK as u32,
    };
    for_each_plugin(|case| {
        let mut rng = Rng::new(fuzz_seed());
        let mut defaults: Option<Vec<f64>> = None;
        for cycle in 0..CYCLES {
            // Two live instances at once, then both destroyed, then the library unloaded: each
            // cycle must start from scratch, whatever the previous one left behind.
            let mut first = LoadedPlugin::load(case);
            let mut second = LoadedPlugin::load(case);
            let context = format!("{}, cycle {cycle}", case.name);
            assert_eq!(
                factory_descriptors(first.entry()).len(),
                1,
                "{context}: the factory's plugin count changed with live instances"
            );

            // Every fresh instance starts at the same defaults, in every cycle.
            let specs = first.param_specs();
            for plugin in [&mut first, &mut second] {
                let values = param_values(plugin, &specs);
                let defaults = defaults.get_or_insert_with(|| values.clone());
                assert_eq!(
                    &values, defaults,
                    "{context}: a new instance is not at defaults"
                );
            }

            // Instances share nothing: changing the first leaves the second at its defaults.
            let mut events = EventBuffer::new();
            for spec in settable(&specs) {
                events.push(&spec.value_event(0, spec.random_value(&mut rng)));
            }
            first.flush_params(&events);
            assert_eq!(
                param_values(&mut second, &specs),
                *defaults.as_ref().expect("set above"),
                "{context}: setting the first instance's parameters changed the second's"
            );

            // Both active at once, then each processes on its own audio thread.
            let first_processor = first.activate(activation);
            let second_processor = second.activate(activation);
            assert!(
                first.is_active() && second.is_active(),
                "{context}: not both active"
            );
            first.deactivate(first_processor);
            second.deactivate(second_processor);
            for plugin in [&mut first, &mut second] {
                let rng = &mut rng;
                let block_context = context.clone();
                plugin.session(activation, ThreadMode::Spawned, move |rig| {
                    process_signal(rig, rng, Signal::Noise, TYPICAL_BLOCK, 4, &block_context);
                });
                assert!(
                    !plugin.is_active(),
                    "{context}: still active after deactivate"
                );
            }
            drop(first);
            drop(second);
        }
    });
}
