//! A small CLAP host for testing Lathe's plugins, built on `clack-host`.
//!
//! The integration test `tests/clap_host.rs` loads the `.clap` bundle of every plugin in the
//! suite's `bundler.toml` and runs the checks clap-validator and pluginval would run: descriptor and factory,
//! audio ports and layouts, activation at many sample rates and block sizes, parameters, state,
//! latency, and a seeded fuzz run. This library holds the host side of that:
//!
//! - [`case`]: what a plugin promises: id and name from `bundler.toml`, latency, passthrough and
//!   channel layouts from the harness's table;
//! - [`bundle`]: where built bundles are found;
//! - [`host`]: the host callbacks (`clap_host_*` extensions) and the thread roles;
//! - [`plugin`]: a loaded plugin instance on the main thread (descriptor, parameters, state,
//!   layouts, latency, activation);
//! - [`audio`]: the audio-thread side (buffers, events, `process` calls, spawned audio threads);
//! - [`checks`]: what every output block must satisfy;
//! - [`params`]: owned parameter info and the values the tests send;
//! - [`signal`]: test input signals, including hostile ones;
//! - [`rng`]: a tiny seeded random number generator.
//!
//! Threading follows the CLAP rules: everything in [`plugin`] runs on the thread that created the
//! instance (the test thread, the "main thread"), and everything in [`audio`] runs on the thread
//! marked as the audio thread, which is usually a spawned one.

pub mod audio;
pub mod bundle;
pub mod case;
pub mod checks;
pub mod host;
pub mod params;
pub mod plugin;
pub mod rng;
pub mod signal;

use std::sync::{Mutex, MutexGuard};

/// Serialises tests that host plugins.
///
/// Cargo runs tests on parallel threads, but a CLAP host has one main thread. Each test holds this
/// guard while it hosts plugins, so only one thread at a time acts as the main thread.
pub fn serial_guard() -> MutexGuard<'static, ()> {
    static SERIAL: Mutex<()> = Mutex::new(());
    // A failed test poisons the mutex; the next test must still run.
    SERIAL
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}
