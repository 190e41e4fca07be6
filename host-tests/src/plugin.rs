//! A loaded plugin instance, driven from the main thread.

use crate::audio::{AudioRig, ThreadMode};
use crate::bundle::bundle_path;
use crate::case::{Layout, PluginCase};
use crate::host::{mark_main_thread, HostMainThread, HostShared, TestHost};
use crate::params::ParamSpec;
use clack_extensions::audio_ports::{AudioPortFlags, AudioPortInfoBuffer, PluginAudioPorts};
use clack_extensions::audio_ports_config::{AudioPortsConfigBuffer, PluginAudioPortsConfig};
use clack_extensions::latency::PluginLatency;
use clack_extensions::params::{ParamInfoBuffer, PluginParams};
use clack_extensions::state::{PluginState, StateError};
use clack_host::prelude::*;
use std::ffi::{CStr, CString};
use std::io::{Read, Write};

/// Host name, vendor, URL and version given to plugins.
const HOST_NAME: &str = "Lathe host-tests";
const HOST_VENDOR: &str = "Lathe";
const HOST_URL: &str = "https://lathe.dev";
const HOST_VERSION: &str = env!("CARGO_PKG_VERSION");

/// Size of the buffer given to `value_to_text` (CLAP hosts commonly use 256).
const PARAM_TEXT_CAPACITY: usize = 256;

/// An owned copy of a `clap_plugin_descriptor`.
#[derive(Debug, Clone, Default)]
pub struct Descriptor {
    pub id: String,
    pub name: String,
    pub vendor: String,
    pub version: String,
    pub features: Vec<String>,
}

/// One entry of the audio-ports-config extension.
#[derive(Debug, Clone)]
pub struct LayoutConfig {
    /// Config id to pass to `select`.
    pub id: ClapId,
    /// Display name.
    pub name: String,
    /// Main input/output channel counts (0 when there is no main port).
    pub layout: Layout,
}

/// An owned copy of a `clap_audio_port_info`.
#[derive(Debug, Clone)]
pub struct PortInfo {
    pub id: ClapId,
    pub name: String,
    pub channel_count: u32,
    pub is_main: bool,
    /// `"mono"`, `"stereo"`, another type, or `None`.
    pub port_type: Option<String>,
}

/// Sample rate and maximum block size of one activation.
#[derive(Debug, Clone, Copy)]
pub struct Activation {
    /// Sample rate in Hz.
    pub sample_rate_hz: f64,
    /// Largest block the host will send, in frames (≥ 1).
    pub max_frames: u32,
}

/// The plugin's extension pointers (`None` where the plugin lacks the extension).
#[derive(Clone, Copy)]
struct Extensions {
    params: Option<PluginParams>,
    state: Option<PluginState>,
    latency: Option<PluginLatency>,
    audio_ports: Option<PluginAudioPorts>,
    ports_config: Option<PluginAudioPortsConfig>,
}

/// A plugin instance living on the main thread (the thread that loaded it).
///
/// Dropping it destroys the instance; unless the thread is already panicking, it then asserts
/// that the plugin made no main-thread-only host call from another thread.
pub struct LoadedPlugin {
    /// The table row this instance was created from.
    pub case: &'static PluginCase,
    // Field order matters: the instance must be destroyed before its entry is released.
    instance: PluginInstance<TestHost>,
    entry: PluginEntry,
    ext: Extensions,
}

/// Loads `case`'s bundle and returns its CLAP entry (shared with instances loaded later).
///
/// # Panics
/// If the bundle is missing (see [`bundle_path`]) or is not a loadable CLAP library.
pub fn load_entry(case: &PluginCase) -> PluginEntry {
    let path = bundle_path(case);
    // SAFETY: loading a library runs its initialisers. The bundle under test is built from this
    // workspace; loading it is the point of the test.
    unsafe { PluginEntry::load(&path) }.unwrap_or_else(|err| {
        panic!(
            "{}: `{}` is not a loadable CLAP bundle: {err}",
            case.name,
            path.display()
        )
    })
}

/// The descriptors of every plugin `entry`'s factory lists.
///
/// # Panics
/// If the entry has no plugin factory.
pub fn factory_descriptors(entry: &PluginEntry) -> Vec<Descriptor> {
    let factory = entry
        .get_plugin_factory()
        .expect("the CLAP entry has no plugin factory");
    factory
        .plugin_descriptors()
        .map(|descriptor| Descriptor {
            id: lossy(descriptor.id()),
            name: lossy(descriptor.name()),
            vendor: lossy(descriptor.vendor()),
            version: lossy(descriptor.version()),
            features: descriptor
                .features()
                .map(|feature| lossy(Some(feature)))
                .collect(),
        })
        .collect()
}

/// Tries to create (and at once destroy) an instance of plugin `id` from `entry`.
///
/// The calling thread becomes the main thread.
pub fn try_instantiate(entry: &PluginEntry, id: &str) -> Result<(), PluginInstanceError> {
    mark_main_thread();
    let host_info = HostInfo::new(HOST_NAME, HOST_VENDOR, HOST_URL, HOST_VERSION)
        .expect("host info strings contain no NUL");
    let id = CString::new(id).expect("test ids contain no NUL");
    PluginInstance::<TestHost>::new(
        |_| HostShared::default(),
        |shared| HostMainThread::new(shared),
        entry,
        &id,
        &host_info,
    )
    .map(drop)
}

fn lossy(text: Option<&CStr>) -> String {
    text.map(|text| text.to_string_lossy().into_owned())
        .unwrap_or_default()
}

impl LoadedPlugin {
    /// Loads `case`'s bundle and creates an instance; the calling thread becomes the main thread.
    ///
    /// # Panics
    /// If the bundle is missing, the factory does not list `case.clap_id`, or instantiation fails.
    pub fn load(case: &'static PluginCase) -> Self {
        mark_main_thread();
        let entry = load_entry(case);
        let ids: Vec<String> = factory_descriptors(&entry)
            .into_iter()
            .map(|descriptor| descriptor.id)
            .collect();
        assert!(
            ids.iter().any(|id| id == case.clap_id),
            "{}: the factory does not list `{}`; it lists {ids:?}",
            case.name,
            case.clap_id
        );

        let host_info = HostInfo::new(HOST_NAME, HOST_VENDOR, HOST_URL, HOST_VERSION)
            .expect("host info strings contain no NUL");
        let plugin_id = CString::new(case.clap_id).expect("CLAP ids contain no NUL");
        let mut instance = PluginInstance::<TestHost>::new(
            |_| HostShared::default(),
            |shared| HostMainThread::new(shared),
            &entry,
            &plugin_id,
            &host_info,
        )
        .unwrap_or_else(|err| panic!("{}: instantiation failed: {err}", case.name));

        let handle = instance.plugin_handle();
        let ext = Extensions {
            params: handle.get_extension(),
            state: handle.get_extension(),
            latency: handle.get_extension(),
            audio_ports: handle.get_extension(),
            ports_config: handle.get_extension(),
        };
        Self {
            case,
            instance,
            entry,
            ext,
        }
    }

    /// The CLAP entry this instance came from.
    pub fn entry(&self) -> &PluginEntry {
        &self.entry
    }

    /// Reads the host's main-thread record of this instance (latency changes, rescans, …).
    pub fn host_record<R>(&self, read: impl FnOnce(&HostMainThread) -> R) -> R {
        self.instance
            .access_handler(|main_thread| read(main_thread))
    }

    /// Reads the host's shared record of this instance (requests, violations).
    pub fn host_shared<R>(&self, read: impl FnOnce(&HostShared) -> R) -> R {
        self.instance.access_shared_handler(read)
    }

    /// Runs `on_main_thread` if the plugin asked for it, as a host's event loop would.
    pub fn pump_main_thread(&mut self) {
        if self.host_shared(HostShared::take_callback_request) {
            self.instance.call_on_main_thread_callback();
        }
    }

    // --- Parameters -----------------------------------------------------------------------

    fn params_ext(&self) -> PluginParams {
        self.ext
            .params
            .unwrap_or_else(|| panic!("{}: no params extension", self.case.name))
    }

    /// Whether the plugin implements the params extension.
    pub fn has_params(&self) -> bool {
        self.ext.params.is_some()
    }

    /// Every parameter's info, in index order.
    ///
    /// # Panics
    /// If `get_info` fails for an index below `count`.
    pub fn param_specs(&mut self) -> Vec<ParamSpec> {
        let Some(params) = self.ext.params else {
            return Vec::new();
        };
        let name = self.case.name;
        let handle = self.instance.plugin_handle();
        let mut buffer = ParamInfoBuffer::new();
        (0..params.count(&handle))
            .map(|index| {
                let info = params
                    .get_info(&handle, index, &mut buffer)
                    .unwrap_or_else(|| panic!("{name}: params.get_info({index}) failed"));
                ParamSpec::from_info(index, &info)
            })
            .collect()
    }

    /// The current value of parameter `id`, or `None` if `get_value` fails.
    pub fn param_value(&mut self, id: ClapId) -> Option<f64> {
        let params = self.params_ext();
        params.get_value(&self.instance.plugin_handle(), id)
    }

    /// `value_to_text`, or `None` if the plugin declines.
    pub fn value_to_text(&mut self, id: ClapId, value: f64) -> Option<String> {
        let params = self.params_ext();
        let mut buffer = [0u8; PARAM_TEXT_CAPACITY];
        params
            .value_to_text(&self.instance.plugin_handle(), id, value, &mut buffer)
            .ok()
            .map(|text| String::from_utf8_lossy(text).into_owned())
    }

    /// `text_to_value`, or `None` if the plugin declines.
    pub fn text_to_value(&mut self, id: ClapId, text: &str) -> Option<f64> {
        let params = self.params_ext();
        let text = CString::new(text).ok()?;
        params.text_to_value(&self.instance.plugin_handle(), id, &text)
    }

    /// `text_to_value` of raw C-string bytes (which need not be UTF-8), or `None` if the plugin
    /// declines.
    pub fn text_to_value_cstr(&mut self, id: ClapId, text: &CStr) -> Option<f64> {
        let params = self.params_ext();
        params.text_to_value(&self.instance.plugin_handle(), id, text)
    }

    /// `params.flush` on the inactive plugin (main thread); returns the plugin's output events.
    ///
    /// # Panics
    /// If the plugin is active.
    pub fn flush_params(&mut self, events: &EventBuffer) -> EventBuffer {
        let params = self.params_ext();
        let mut output = EventBuffer::new();
        let mut handle = self
            .instance
            .inactive_plugin_handle()
            .expect("params.flush on the main thread needs an inactive plugin");
        params.flush(
            &mut handle,
            &InputEvents::from_buffer(events),
            &mut OutputEvents::from_buffer(&mut output),
        );
        output
    }

    /// The params extension, for flushing from the audio thread while active.
    pub fn params_extension(&self) -> Option<PluginParams> {
        self.ext.params
    }

    // --- State ----------------------------------------------------------------------------

    fn state_ext(&self) -> PluginState {
        self.ext
            .state
            .unwrap_or_else(|| panic!("{}: no state extension", self.case.name))
    }

    /// Saves the state into `writer`.
    pub fn save_state_to<W: Write>(&mut self, writer: &mut W) -> Result<(), StateError> {
        let state = self.state_ext();
        state.save(&self.instance.plugin_handle(), writer)
    }

    /// Saves the state.
    ///
    /// # Panics
    /// If saving fails.
    pub fn save_state(&mut self) -> Vec<u8> {
        let mut bytes = Vec::new();
        self.save_state_to(&mut bytes)
            .unwrap_or_else(|err| panic!("{}: state.save failed: {err}", self.case.name));
        bytes
    }

    /// Loads state from `reader`.
    pub fn load_state_from<R: Read>(&mut self, reader: &mut R) -> Result<(), StateError> {
        let state = self.state_ext();
        state.load(&self.instance.plugin_handle(), reader)
    }

    /// Loads state from `bytes`.
    pub fn load_state(&mut self, bytes: &[u8]) -> Result<(), StateError> {
        let mut reader = bytes;
        self.load_state_from(&mut reader)
    }

    // --- Audio ports and layouts ----------------------------------------------------------

    /// The layouts the audio-ports-config extension offers (empty without the extension).
    pub fn layout_configs(&mut self) -> Vec<LayoutConfig> {
        let Some(configs) = self.ext.ports_config else {
            return Vec::new();
        };
        let name = self.case.name;
        let handle = self.instance.plugin_handle();
        let mut buffer = AudioPortsConfigBuffer::new();
        (0..configs.count(&handle))
            .map(|index| {
                let config = configs
                    .get(&handle, index, &mut buffer)
                    .unwrap_or_else(|| panic!("{name}: audio_ports_config.get({index}) failed"));
                LayoutConfig {
                    id: config.id,
                    name: String::from_utf8_lossy(config.name).into_owned(),
                    layout: Layout {
                        inputs: config.main_input.map_or(0, |port| port.channel_count),
                        outputs: config.main_output.map_or(0, |port| port.channel_count),
                    },
                }
            })
            .collect()
    }

    /// Selects an audio-ports-config (plugin must be inactive).
    ///
    /// # Panics
    /// If the plugin lacks the extension or refuses the config.
    pub fn select_layout(&mut self, config: &LayoutConfig) {
        let name = self.case.name;
        let configs = self
            .ext
            .ports_config
            .unwrap_or_else(|| panic!("{name}: no audio-ports-config extension"));
        configs
            .select(&self.instance.plugin_handle(), config.id)
            .unwrap_or_else(|err| panic!("{name}: selecting layout `{}`: {err}", config.name));
    }

    /// Asks the plugin to select audio-ports-config `id` (plugin must be inactive); `false` if it
    /// refuses or lacks the extension.
    pub fn try_select_layout_id(&mut self, id: ClapId) -> bool {
        match self.ext.ports_config {
            Some(configs) => configs.select(&self.instance.plugin_handle(), id).is_ok(),
            None => false,
        }
    }

    /// The current audio ports in one direction.
    pub fn ports(&mut self, is_input: bool) -> Vec<PortInfo> {
        let Some(ports) = self.ext.audio_ports else {
            return Vec::new();
        };
        let name = self.case.name;
        let handle = self.instance.plugin_handle();
        let mut buffer = AudioPortInfoBuffer::new();
        (0..ports.count(&handle, is_input))
            .map(|index| {
                let info = ports
                    .get(&handle, index, is_input, &mut buffer)
                    .unwrap_or_else(|| panic!("{name}: audio_ports.get({index}) failed"));
                PortInfo {
                    id: info.id,
                    name: String::from_utf8_lossy(info.name).into_owned(),
                    channel_count: info.channel_count,
                    is_main: info.flags.contains(AudioPortFlags::IS_MAIN),
                    port_type: info
                        .port_type
                        .map(|port_type| port_type.0.to_string_lossy().into_owned()),
                }
            })
            .collect()
    }

    /// Channel counts of the current main ports (0 where there is none). By CLAP convention the
    /// main port is the first one, flagged `CLAP_AUDIO_PORT_IS_MAIN`.
    pub fn main_layout(&mut self) -> Layout {
        let main_channels = |ports: Vec<PortInfo>| {
            ports
                .first()
                .filter(|port| port.is_main)
                .map_or(0, |port| port.channel_count)
        };
        Layout {
            inputs: main_channels(self.ports(true)),
            outputs: main_channels(self.ports(false)),
        }
    }

    /// Channel counts of the current auxiliary input ports (every input port but the main one),
    /// in port order.
    pub fn aux_input_channels(&mut self) -> Vec<u32> {
        let ports = self.ports(true);
        let skip = usize::from(ports.first().is_some_and(|port| port.is_main));
        ports
            .iter()
            .skip(skip)
            .map(|port| port.channel_count)
            .collect()
    }

    // --- Activation and latency -----------------------------------------------------------

    /// The latency the plugin reports now (0 without the extension, as CLAP specifies).
    pub fn latency(&mut self) -> u32 {
        match self.ext.latency {
            Some(latency) => latency.get(&self.instance.plugin_handle()),
            None => 0,
        }
    }

    /// Activates the plugin.
    ///
    /// # Panics
    /// If activation fails.
    pub fn activate(&mut self, activation: Activation) -> StoppedPluginAudioProcessor<TestHost> {
        const MIN_FRAMES: u32 = 1;
        let configuration = PluginAudioConfiguration {
            sample_rate: activation.sample_rate_hz,
            min_frames_count: MIN_FRAMES,
            max_frames_count: activation.max_frames,
        };
        self.instance
            .activate(|_, _| (), configuration)
            .unwrap_or_else(|err| {
                panic!("{}: activate({activation:?}) failed: {err}", self.case.name)
            })
    }

    /// Deactivates the plugin and serves any main-thread callback it asked for.
    pub fn deactivate(&mut self, processor: StoppedPluginAudioProcessor<TestHost>) {
        self.instance.deactivate(processor);
        self.pump_main_thread();
    }

    /// Whether the plugin is active.
    pub fn is_active(&self) -> bool {
        self.instance.is_active()
    }

    /// One activation: activate, check the reported latency, run `body` with an [`AudioRig`] on
    /// the audio thread chosen by `thread`, stop processing, deactivate. Returns `body`'s result.
    ///
    /// # Panics
    /// If activation fails, the latency is not the expected one, or `body` panics.
    pub fn session<R: Send>(
        &mut self,
        activation: Activation,
        thread: ThreadMode,
        body: impl FnOnce(&mut AudioRig) -> R + Send,
    ) -> R {
        let layout = self.main_layout();
        let aux_inputs = self.aux_input_channels();
        let processor = self.activate(activation);
        let latency = self.latency();
        let expected = self.case.latency_samples;
        assert!(
            expected.accepts(activation.sample_rate_hz, latency),
            "{}: latency after activation at {} Hz is {latency} samples, expected {expected:?}",
            self.case.name,
            activation.sample_rate_hz
        );

        let case = self.case;
        let (processor, result) = thread.run(move || {
            let mut rig = AudioRig::start_with_aux(
                case,
                processor,
                layout,
                &aux_inputs,
                activation.max_frames,
                latency,
            );
            let result = body(&mut rig);
            (rig.stop(), result)
        });
        self.deactivate(processor);
        result
    }
}

impl Drop for LoadedPlugin {
    fn drop(&mut self) {
        if std::thread::panicking() {
            return;
        }
        let violations = self.host_shared(HostShared::violations);
        assert!(
            violations.is_empty(),
            "{}: CLAP threading violations: {violations:?}",
            self.case.name
        );
    }
}
