//! Loads every built Lathe `.clap` bundle through a real CLAP host (clack-host) and checks what
//! clap-validator and pluginval would check.
//!
//! Build the bundles first (`cargo xtask bundle <package> --profile ci`), then run
//! `cargo test -p host-tests --profile ci`. Bundles are looked up in `$LATHE_BUNDLE_DIR`, else in
//! `<workspace>/target/bundled/`; a missing bundle fails every test with that instruction.
//!
//! The fuzz test prints its seed; rerun a failure with `LATHE_FUZZ_SEED=<seed>`, and run longer
//! with `LATHE_FUZZ_SESSIONS=<n>`.
//!
//! `saved_state` loads state saved by released builds (`fixtures/state/`) into today's bundles;
//! those fixtures are written once per release and never regenerated.

use clack_host::prelude::*;
use host_tests::audio::{AudioRig, ThreadMode};
use host_tests::bundle::bundle_path;
use host_tests::case::{
    suite, Behaviour, Latency, Layout, Passthrough, PluginCase, MONO, STEREO, SURROUND_7_1,
};
use host_tests::checks::is_sane;
use host_tests::host::AudioThreadRole;
use host_tests::params::ParamSpec;
use host_tests::plugin::{
    factory_descriptors, load_entry, try_instantiate, Activation, LoadedPlugin,
};
use host_tests::rng::Rng;
use host_tests::serial_guard;
use host_tests::signal::Signal;
use std::collections::HashSet;
use std::io::{Read, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::OnceLock;
use std::time::Duration;

/// What each plugin of the suite must do, one line per cargo package (fields:
/// `host_tests::case::Behaviour`); names, bundles and CLAP ids come from `bundler.toml`. A
/// look-ahead limiter would be, for example:
/// `("limiter", Behaviour { latency_samples: Latency::PerSampleRate(|rate| (rate * 0.005).round()
/// as u32), passthrough: Passthrough::Processed, layouts: &[STEREO] })`
#[rustfmt::skip]
static BEHAVIOURS: &[(&str, Behaviour)] = &[
    ("loudness-meter", Behaviour { latency_samples: Latency::Fixed(0), passthrough: Passthrough::BitExact, layouts: &[STEREO, MONO, SURROUND_7_1] }),
    ("maximizer", Behaviour { latency_samples: Latency::Parametric { default: maximizer_latency::<15>, max: maximizer_latency::<50> }, passthrough: Passthrough::Processed, layouts: &[STEREO, MONO] }),
    ("channel-strip", Behaviour { latency_samples: Latency::Parametric { default: no_latency, max: channel_strip_max_latency }, passthrough: Passthrough::Processed, layouts: &[STEREO, MONO] }),
    ("stereo-imager", Behaviour { latency_samples: Latency::Fixed(0), passthrough: Passthrough::Processed, layouts: &[STEREO, MONO] }),
    ("bus-glue", Behaviour { latency_samples: Latency::Parametric { default: no_latency, max: bus_glue_max_latency }, passthrough: Passthrough::Processed, layouts: &[STEREO, MONO] }),
];

/// The plugins under test: the suite of `bundler.toml` with [`BEHAVIOURS`].
fn plugins() -> &'static [PluginCase] {
    static PLUGINS: OnceLock<Vec<PluginCase>> = OnceLock::new();
    PLUGINS.get_or_init(|| suite(BEHAVIOURS))
}

/// Zero latency at every sample rate.
fn no_latency(_sample_rate_hz: f64) -> u32 {
    0
}

/// The Channel Strip is latency-free until saturation is switched on; its 8×
/// oversampling then delays by a fixed 48 samples at every rate.
fn channel_strip_max_latency(_sample_rate_hz: f64) -> u32 {
    48
}

/// The Bus Glue is latency-free until its soft clip is switched on; the same
/// 8× oversampling then delays by a fixed 48 samples at every rate.
fn bus_glue_max_latency(_sample_rate_hz: f64) -> u32 {
    48
}

/// The Maximizer's latency with a look-ahead of `LOOKAHEAD_TENTHS_MS` / 10 ms (default 1.5 ms,
/// at most 5 ms): the limiter's true-peak detector's filter delay, fixed in samples, plus the
/// look-ahead rounded to samples; then the true-peak guard after it (`units::limiter_guard`):
/// the same detector delay plus its own 2 ms look-ahead rounded to samples (its window − 1 and
/// its one sample of peak slack cancel).
fn maximizer_latency<const LOOKAHEAD_TENTHS_MS: u32>(sample_rate_hz: f64) -> u32 {
    const DETECTOR_DELAY_SAMPLES: u32 = 133;
    const GUARD_LOOKAHEAD_S: f64 = 2e-3;
    let lookahead_s = f64::from(LOOKAHEAD_TENTHS_MS) * 1e-4;
    let limiter = DETECTOR_DELAY_SAMPLES + (lookahead_s * sample_rate_hz).round() as u32;
    let guard = DETECTOR_DELAY_SAMPLES + (GUARD_LOOKAHEAD_S * sample_rate_hz).round() as u32;
    limiter + guard
}

/// Sample rates every plugin must run at, in Hz.
const SAMPLE_RATES_HZ: [f64; 4] = [44_100.0, 48_000.0, 96_000.0, 192_000.0];

/// Block sizes every plugin must process, in frames; 0 is a legal, empty `process` call.
const BLOCK_SIZES: [usize; 5] = [0, 1, 64, 512, 4096];

/// `max_frames_count` for the sweeps: the largest of [`BLOCK_SIZES`].
const SWEEP_MAX_FRAMES: u32 = 4096;

/// A typical block size for tests that are not about block sizes.
const TYPICAL_BLOCK: usize = 512;

/// `max_frames_count` and largest block of the fuzz test.
const FUZZ_MAX_FRAMES: u32 = 8192;

/// CLAP's main plugin categories; a descriptor must carry at least one (`plugin-features.h`).
const MAIN_CATEGORIES: [&str; 5] = [
    "instrument",
    "audio-effect",
    "note-effect",
    "note-detector",
    "analyzer",
];

/// Runs `test` once per plugin, holding the serial guard (one main thread at a time).
fn for_each_plugin(mut test: impl FnMut(&'static PluginCase)) {
    let _serial = serial_guard();
    for case in plugins() {
        test(case);
    }
}

/// Runs `test` once per layout the plugin offers (selecting it first), or once with the current
/// layout if the plugin has no audio-ports-config extension.
fn for_each_layout(plugin: &mut LoadedPlugin, mut test: impl FnMut(&mut LoadedPlugin, Layout)) {
    let configs = plugin.layout_configs();
    if configs.is_empty() {
        let layout = plugin.main_layout();
        test(plugin, layout);
        return;
    }
    for config in &configs {
        plugin.select_layout(config);
        test(plugin, config.layout);
    }
}

fn layout_name(layout: Layout) -> String {
    format!("{}in/{}out", layout.inputs, layout.outputs)
}

/// Processes `blocks` blocks of `frames` frames of `signal` without events.
fn process_signal(
    rig: &mut AudioRig,
    rng: &mut Rng,
    signal: Signal,
    frames: usize,
    blocks: usize,
    context: &str,
) {
    let no_events = EventBuffer::new();
    for block in 0..blocks {
        let input = signal.block(rng, rig.input_channels(), frames);
        rig.process(
            &input,
            frames,
            &no_events,
            &format!("{context}, block {block}"),
        );
    }
}

/// Parameters the host may change.
fn settable(specs: &[ParamSpec]) -> Vec<ParamSpec> {
    specs
        .iter()
        .filter(|spec| spec.is_settable())
        .cloned()
        .collect()
}

/// Asserts every parameter reads back a finite value within its range.
fn assert_params_in_range(plugin: &mut LoadedPlugin, specs: &[ParamSpec], context: &str) {
    for spec in specs {
        let value = plugin.param_value(spec.id).unwrap_or_else(|| {
            panic!(
                "{}, {context}: get_value(`{}`) failed",
                plugin.case.name, spec.name
            )
        });
        assert!(
            value.is_finite() && value >= spec.min_value && value <= spec.max_value,
            "{}, {context}: `{}` = {value} is outside [{}, {}]",
            plugin.case.name,
            spec.name,
            spec.min_value,
            spec.max_value
        );
    }
}

/// The current value of every parameter.
fn param_values(plugin: &mut LoadedPlugin, specs: &[ParamSpec]) -> Vec<f64> {
    specs
        .iter()
        .map(|spec| plugin.param_value(spec.id).expect("get_value"))
        .collect()
}

/// Seed for the randomised tests: `$LATHE_FUZZ_SEED`, or a fixed default so CI is repeatable.
fn fuzz_seed() -> u64 {
    const DEFAULT_FUZZ_SEED: u64 = 0x1A7E_5EED;
    std::env::var("LATHE_FUZZ_SEED")
        .ok()
        .and_then(|seed| seed.parse().ok())
        .unwrap_or(DEFAULT_FUZZ_SEED)
}

// The checks, one module per area. (`#[path]` keeps them out of Cargo's list of test targets.)
#[path = "clap_host/descriptor.rs"]
mod descriptor;
#[path = "clap_host/fuzz.rs"]
mod fuzz;
#[path = "clap_host/hostile.rs"]
mod hostile;
#[path = "clap_host/params.rs"]
mod params;
#[path = "clap_host/processing.rs"]
mod processing;
#[path = "clap_host/saved_state.rs"]
mod saved_state;
#[path = "clap_host/sidechain.rs"]
mod sidechain;
#[path = "clap_host/state.rs"]
mod state;
