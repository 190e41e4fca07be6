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
    for_each_plugin(|case| {
        for _ in 0..CYCLES {
            // Two live instances at once, then both destroyed, then the library unloaded.
            let first = LoadedPlugin::load(case);
            let second = LoadedPlugin::load(case);
            drop(first);
            drop(second);
        }
    });
}
