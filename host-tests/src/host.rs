//! The host side of the CLAP ABI: callbacks the plugin may call, and which thread is which.
//!
//! The plugin may ask the host whether it runs on the main or the audio thread (thread-check
//! extension). Threads get their role from thread-local flags ([`mark_main_thread`],
//! [`AudioThreadRole`]) so that answering never allocates or locks, as it may be asked from the
//! plugin's `process`.
//!
//! Callbacks that CLAP reserves for the main thread record a violation when they arrive on
//! another thread; [`HostShared::violations`] lists them and the plugin wrapper asserts there
//! were none.

use clack_extensions::audio_ports::{AudioPortRescanFlags, HostAudioPorts, HostAudioPortsImpl};
use clack_extensions::audio_ports_config::{HostAudioPortsConfig, HostAudioPortsConfigImpl};
use clack_extensions::latency::{HostLatency, HostLatencyImpl};
use clack_extensions::params::{
    HostParams, HostParamsImplMainThread, HostParamsImplShared, ParamClearFlags, ParamRescanFlags,
};
use clack_extensions::state::{HostState, HostStateImpl};
use clack_extensions::thread_check::{HostThreadCheck, HostThreadCheckImpl};
use clack_host::prelude::*;
use std::cell::Cell;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

thread_local! {
    /// Whether this thread is the host's main thread.
    static IS_MAIN_THREAD: Cell<bool> = const { Cell::new(false) };
    /// Whether this thread is currently the host's audio thread.
    static IS_AUDIO_THREAD: Cell<bool> = const { Cell::new(false) };
}

/// Marks the calling thread as the main thread. Plugins are created, queried and destroyed here.
pub fn mark_main_thread() {
    IS_MAIN_THREAD.with(|flag| flag.set(true));
}

/// Whether the calling thread was marked as the main thread.
pub fn is_main_thread() -> bool {
    IS_MAIN_THREAD.with(Cell::get)
}

/// Whether the calling thread currently acts as the audio thread.
pub fn is_audio_thread() -> bool {
    IS_AUDIO_THREAD.with(Cell::get)
}

/// Makes the calling thread the audio thread while alive (the main thread may be the audio thread
/// too, as in offline rendering).
pub struct AudioThreadRole {
    was_audio_thread: bool,
}

impl AudioThreadRole {
    /// Takes the audio-thread role for the calling thread.
    pub fn take() -> Self {
        let was_audio_thread = IS_AUDIO_THREAD.with(|flag| flag.replace(true));
        Self { was_audio_thread }
    }
}

impl Drop for AudioThreadRole {
    fn drop(&mut self) {
        IS_AUDIO_THREAD.with(|flag| flag.set(self.was_audio_thread));
    }
}

/// The host type given to `clack-host`.
pub struct TestHost;

impl HostHandlers for TestHost {
    type Shared<'a> = HostShared;
    type MainThread<'a> = HostMainThread<'a>;
    type AudioProcessor<'a> = ();

    fn declare_extensions(builder: &mut HostExtensions<Self>, _shared: &Self::Shared<'_>) {
        builder
            .register::<HostParams>()
            .register::<HostLatency>()
            .register::<HostState>()
            .register::<HostAudioPorts>()
            .register::<HostAudioPortsConfig>()
            .register::<HostThreadCheck>();
    }
}

/// Host state the plugin may reach from any thread.
#[derive(Default)]
pub struct HostShared {
    /// Set by `clap_host.request_callback`; the main thread then calls `on_main_thread`.
    callback_requested: AtomicBool,
    /// Set by `clap_host.request_restart`.
    restart_requested: AtomicBool,
    /// Set by `clap_host_params.request_flush`.
    flush_requested: AtomicBool,
    /// Main-thread-only callbacks that arrived on another thread.
    violations: Mutex<Vec<String>>,
}

impl HostShared {
    /// Takes (and clears) the "plugin asked for `on_main_thread`" flag.
    pub fn take_callback_request(&self) -> bool {
        self.callback_requested.swap(false, Ordering::AcqRel)
    }

    /// Whether the plugin asked for a restart (deactivate + reactivate) since creation.
    pub fn restart_requested(&self) -> bool {
        self.restart_requested.load(Ordering::Acquire)
    }

    /// Whether the plugin asked for a parameter flush since creation.
    pub fn flush_requested(&self) -> bool {
        self.flush_requested.load(Ordering::Acquire)
    }

    /// Main-thread-only host callbacks the plugin made from another thread.
    pub fn violations(&self) -> Vec<String> {
        self.violations
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone()
    }

    /// Records a violation unless the caller is on the main thread.
    fn expect_main_thread(&self, callback: &str) {
        if !is_main_thread() {
            self.violations
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner())
                .push(format!("{callback} called off the main thread"));
        }
    }
}

impl SharedHandler<'_> for HostShared {
    fn request_restart(&self) {
        self.restart_requested.store(true, Ordering::Release);
    }

    fn request_process(&self) {
        // The tests drive processing themselves; nothing sleeps that could be woken.
    }

    fn request_callback(&self) {
        self.callback_requested.store(true, Ordering::Release);
    }
}

impl HostThreadCheckImpl for HostShared {
    fn is_main_thread(&self) -> bool {
        is_main_thread()
    }

    fn is_audio_thread(&self) -> bool {
        is_audio_thread()
    }
}

impl HostParamsImplShared for HostShared {
    fn request_flush(&self) {
        self.flush_requested.store(true, Ordering::Release);
    }
}

/// Host state reachable from the main thread only.
pub struct HostMainThread<'a> {
    shared: &'a HostShared,
    /// Number of `clap_host_latency.changed` calls.
    pub latency_changes: Cell<u32>,
    /// Number of `clap_host_state.mark_dirty` calls.
    pub state_marked_dirty: Cell<u32>,
    /// Union of the flags of all `clap_host_params.rescan` calls.
    pub param_rescans: Cell<ParamRescanFlags>,
    /// Number of audio-ports or audio-ports-config rescans.
    pub port_rescans: Cell<u32>,
}

impl<'a> HostMainThread<'a> {
    /// Main-thread state for an instance whose shared state is `shared`.
    pub fn new(shared: &'a HostShared) -> Self {
        Self {
            shared,
            latency_changes: Cell::new(0),
            state_marked_dirty: Cell::new(0),
            param_rescans: Cell::new(ParamRescanFlags::empty()),
            port_rescans: Cell::new(0),
        }
    }
}

impl<'a> MainThreadHandler<'a> for HostMainThread<'a> {}

impl HostLatencyImpl for HostMainThread<'_> {
    fn changed(&self) {
        self.shared.expect_main_thread("clap_host_latency.changed");
        self.latency_changes.set(self.latency_changes.get() + 1);
    }
}

impl HostStateImpl for HostMainThread<'_> {
    fn mark_dirty(&self) {
        self.shared.expect_main_thread("clap_host_state.mark_dirty");
        self.state_marked_dirty
            .set(self.state_marked_dirty.get() + 1);
    }
}

impl HostParamsImplMainThread for HostMainThread<'_> {
    fn rescan(&self, flags: ParamRescanFlags) {
        self.shared.expect_main_thread("clap_host_params.rescan");
        self.param_rescans.set(self.param_rescans.get() | flags);
    }

    fn clear(&self, _param_id: ClapId, _flags: ParamClearFlags) {
        self.shared.expect_main_thread("clap_host_params.clear");
    }
}

impl HostAudioPortsImpl for HostMainThread<'_> {
    fn is_rescan_flag_supported(&self, _flag: AudioPortRescanFlags) -> bool {
        self.shared
            .expect_main_thread("clap_host_audio_ports.is_rescan_flag_supported");
        true
    }

    fn rescan(&self, _flags: AudioPortRescanFlags) {
        self.shared
            .expect_main_thread("clap_host_audio_ports.rescan");
        self.port_rescans.set(self.port_rescans.get() + 1);
    }
}

impl HostAudioPortsConfigImpl for HostMainThread<'_> {
    fn rescan(&self) {
        self.shared
            .expect_main_thread("clap_host_audio_ports_config.rescan");
        self.port_rescans.set(self.port_rescans.get() + 1);
    }
}
