//! Lathe's plugin kit: everything a plugin shares with the others below its
//! editor, so a new plugin is its parameters, its editor and a processor from
//! `shared-dsp`, with its identity written once.
//!
//! A plugin implements [`KitPlugin`] (identity, layouts, params, editor, and
//! the glue that feeds its processor) and ends its `lib.rs` with
//! [`export!`]. [`Kit`] turns it into a nice-plug CLAP and VST3 plugin: the
//! `Plugin`/`ClapPlugin`/`Vst3Plugin` constants, activation through
//! [`host::activation`], and announcing latency changes to the host.
//!
//! - [`host`]: channel layouts and activation checks every plugin shares.
//! - [`params`]: parameter builders (dB, ms, Hz, %, ratio, pan) with units and
//!   safe text parsing.
//! - [`targets`]: the loudness targets as parameter choices.
//! - [`telemetry`]: lock-free, allocation-free cells through which a plugin's
//!   audio thread hands meter values to its editor.
//! - [`bundler`]: the suite's `bundler.toml`, checked against each identity.
//! - [`standalone`]: the standalone builds' start-up preset.
//!
//! The egui side (theme, widgets, editor shell) is `shared-ui`.

use nice_plug::prelude::*;
use std::sync::Arc;

pub mod bundler;
pub mod host;
pub mod param_parity;
pub mod params;
pub mod standalone;
pub mod targets;
pub mod telemetry;

pub use host::Activation;
/// The framework, for [`export!`] and for plugins that need more of it.
pub use nice_plug;

/// [`KitPlugin::reset`] for a plugin whose DSP is one `shared-dsp` processor
/// built at activation (`None` before it). Never allocates.
pub fn reset_processor<U: shared_dsp::units::Unit>(processor: &mut Option<U>) {
    if let Some(processor) = processor.as_mut() {
        processor.reset();
    }
}

/// [`KitPlugin::latency_samples`] for such a plugin: the processor's
/// latency, 0 before activation.
pub fn processor_latency<U: shared_dsp::units::Unit>(processor: &Option<U>) -> u32 {
    processor
        .as_ref()
        .map_or(0, |processor| processor.latency_samples() as u32)
}

/// Level below which a plugin's ringing after its input falls silent counts
/// as finished, dBFS relative to a full-scale impulse: the end of a tail
/// ([`KitPlugin::tail_samples`]). −120 dB is below the noise floor of any
/// 20-bit converter.
pub const TAIL_FLOOR_DB: f64 = -120.0;

/// A tail of `latency` samples (the delayed input still coming out) plus
/// `decay_s` seconds of ringing at `sample_rate` Hz, rounded up; saturates at
/// `u32::MAX`.
pub fn tail_with_decay(latency: u32, decay_s: f64, sample_rate: f64) -> u32 {
    let decay = (decay_s.max(0.0) * sample_rate.max(0.0)).ceil();
    let decay = if decay.is_finite() && decay < f64::from(u32::MAX) {
        decay as u32
    } else {
        u32::MAX
    };
    latency.saturating_add(decay)
}

/// Input event capacity of every Lathe plugin, events per block: up to 80
/// parameters changing on every sample of a 64-frame block, which the VST3
/// validator's extensive "Accuracy: All Parameters, Change every 1 Samples"
/// sends in one call (nice-plug's default of 1024 made the wrapper allocate on
/// the audio thread: "Input event buffer filled up!").
pub const DEFAULT_INPUT_EVENT_CAPACITY: usize = 80 * 64;

/// Vendor every Lathe plugin reports.
pub const VENDOR: &str = "Lathe";

/// Who a plugin is, to hosts and to users' saved projects. Written once per
/// plugin (`const IDENTITY` in its `lib.rs`); every field but the description
/// is part of users' sessions: never change one once released.
#[derive(Debug, Clone, Copy)]
pub struct PluginIdentity {
    /// Plugin name as hosts list it; also the bundle name in `bundler.toml`
    /// (`<name>.clap`, `<name>.vst3`).
    pub name: &'static str,
    /// CLAP id, reverse domain: `dev.lathe.<package>`.
    pub clap_id: &'static str,
    /// VST3 class id, 16 bytes (`*b"LatheSomething01"`).
    pub vst3_class_id: [u8; 16],
    /// One line on what the plugin does (CLAP description).
    pub description: &'static str,
    /// CLAP features, main category first (`AudioEffect`, `Analyzer`, …).
    pub clap_features: &'static [ClapFeature],
    /// VST3 subcategories, `Fx` first.
    pub vst3_subcategories: &'static [Vst3SubCategory],
}

/// What a plugin writes; [`Kit`] does the rest.
///
/// The lifecycle follows nice-plug's: [`activate`](Self::activate) (main
/// thread, may allocate, called again on every re-activation), then
/// [`reset`](Self::reset) and [`process`](Self::process) on the audio thread,
/// which never allocate, lock or panic.
pub trait KitPlugin: Default + Send + 'static {
    /// Name, ids and categories.
    const IDENTITY: PluginIdentity;
    /// Channel layouts offered, preferred first (see [`host`]).
    const AUDIO_IO_LAYOUTS: &'static [AudioIOLayout];
    /// Most output channels the plugin processes; activation clamps to it.
    const MAX_CHANNELS: usize;
    /// Parameter events the wrapper can queue per block without allocating
    /// ([`DEFAULT_INPUT_EVENT_CAPACITY`]); raise it for a plugin with more than
    /// 80 parameters, which validators automate all at once on every sample.
    const INPUT_EVENT_CAPACITY: usize = DEFAULT_INPUT_EVENT_CAPACITY;
    /// The editor type (an `EguiEditor` over `shared_ui::editor::EditorShell`).
    type Editor: Editor;

    /// The parameters (shared with the editor).
    fn params(&self) -> Arc<dyn Params>;
    /// Creates the editor; `None` for none.
    fn editor(&mut self) -> Option<Self::Editor>;
    /// (Re)builds the DSP for an accepted activation (layout and rate already
    /// checked). Must be idempotent.
    fn activate(&mut self, activation: Activation);
    /// Clears DSP state (audio thread, never allocates).
    fn reset(&mut self);
    /// Processes one block in place (audio thread, never allocates).
    fn process(&mut self, buffer: &mut Buffer, aux: &mut AuxiliaryBuffers, transport: &Transport);
    /// Current latency, samples. [`Kit`] reports it on activation and
    /// announces every change after a block.
    fn latency_samples(&self) -> u32 {
        0
    }
    /// How long the output can still sound after the input falls silent,
    /// samples at `sample_rate` Hz: the latency (the delayed input still
    /// coming out) plus whatever rings after it (filters, reverberant
    /// decorrelators) until it is below [`TAIL_FLOOR_DB`]; see
    /// [`tail_with_decay`]. [`Kit`] returns it as `ProcessStatus::Tail`
    /// after every block, so a host may put the plugin to sleep once that
    /// many samples of silence have gone in (CLAP: `clap_plugin_tail`, with
    /// `CLAP_PROCESS_CONTINUE_IF_NOT_QUIET`; VST3: `getTailSamples`).
    ///
    /// The default is the latency alone: right for a plugin whose output is
    /// its delayed input times gains (meters, limiters without filters).
    fn tail_samples(&self, sample_rate: f64) -> u32 {
        let _ = sample_rate;
        self.latency_samples()
    }
}

/// A [`KitPlugin`] as a nice-plug plugin. Export it with [`export!`].
pub struct Kit<P: KitPlugin> {
    plugin: P,
    /// Latency last reported to the host, samples.
    reported_latency: u32,
    /// Sample rate of the current activation, Hz (0 before the first).
    sample_rate: f64,
}

impl<P: KitPlugin> Default for Kit<P> {
    fn default() -> Self {
        let plugin = P::default();
        standalone::apply_loaded_preset(&*plugin.params());
        Self {
            plugin,
            reported_latency: 0,
            sample_rate: 0.0,
        }
    }
}

impl<P: KitPlugin> Kit<P> {
    /// The wrapped plugin.
    pub fn plugin(&self) -> &P {
        &self.plugin
    }
}

impl<P: KitPlugin> Plugin for Kit<P> {
    const NAME: &'static str = P::IDENTITY.name;
    const VENDOR: &'static str = VENDOR;
    const URL: &'static str = "";
    const EMAIL: &'static str = "";
    // Every crate of the suite inherits the workspace version.
    const VERSION: &'static str = env!("CARGO_PKG_VERSION");

    const AUDIO_IO_LAYOUTS: &'static [AudioIOLayout] = P::AUDIO_IO_LAYOUTS;

    const SAMPLE_ACCURATE_AUTOMATION: bool = true;
    const INPUT_EVENT_CAPACITY: usize = P::INPUT_EVENT_CAPACITY;

    type Editor = P::Editor;
    type SysExMessage = ();
    type BackgroundTask = ();

    fn params(&self) -> Arc<dyn Params> {
        self.plugin.params()
    }

    fn editor(&mut self, _async_executor: AsyncExecutor<Self>) -> Option<Self::Editor> {
        self.plugin.editor()
    }

    fn activate(
        &mut self,
        audio_io_layout: &AudioIOLayout,
        buffer_config: &BufferConfig,
        context: &mut impl ActivateContext<Self>,
    ) -> bool {
        let Some(activation) = host::activation(audio_io_layout, buffer_config, P::MAX_CHANNELS)
        else {
            return false;
        };
        self.sample_rate = activation.sample_rate;
        self.plugin.activate(activation);
        self.reported_latency = self.plugin.latency_samples();
        context.set_latency_samples(self.reported_latency);
        true
    }

    fn reset(&mut self) {
        self.plugin.reset();
    }

    fn process(
        &mut self,
        buffer: &mut Buffer,
        aux: &mut AuxiliaryBuffers,
        context: &mut impl ProcessContext<Self>,
    ) -> ProcessStatus {
        self.plugin.process(buffer, aux, context.transport());
        let latency = self.plugin.latency_samples();
        if latency != self.reported_latency {
            // nice-plug announces this the way each format requires
            // (CLAP: latency changed + restart request; VST3: restartComponent).
            context.set_latency_samples(latency);
            self.reported_latency = latency;
        }
        // The vendored wrapper maps `Tail` to CLAP_PROCESS_CONTINUE_IF_NOT_QUIET
        // and reports `n` through clap_plugin_tail (patches/PATCHES.md): the
        // host may sleep the plugin once `n` samples of silence went in.
        ProcessStatus::Tail(self.plugin.tail_samples(self.sample_rate))
    }
}

impl<P: KitPlugin> ClapPlugin for Kit<P> {
    const CLAP_ID: &'static str = P::IDENTITY.clap_id;
    const CLAP_DESCRIPTION: Option<&'static str> = Some(P::IDENTITY.description);
    const CLAP_MANUAL_URL: Option<&'static str> = None;
    const CLAP_SUPPORT_URL: Option<&'static str> = None;
    const CLAP_FEATURES: &'static [ClapFeature] = P::IDENTITY.clap_features;
}

impl<P: KitPlugin> Vst3Plugin for Kit<P> {
    const VST3_CLASS_ID: [u8; 16] = P::IDENTITY.vst3_class_id;
    const VST3_SUBCATEGORIES: &'static [Vst3SubCategory] = P::IDENTITY.vst3_subcategories;
}

/// Exports a [`KitPlugin`] as CLAP and VST3 (`plugin_kit::export!(MyPlugin);`
/// at the end of the plugin's `lib.rs`), and adds a test that the plugin's
/// `bundler.toml` entry matches its [`PluginIdentity`].
#[macro_export]
macro_rules! export {
    ($plugin:ty) => {
        $crate::nice_plug::nice_export_clap!($crate::Kit<$plugin>);
        $crate::nice_plug::nice_export_vst3!($crate::Kit<$plugin>);

        #[cfg(test)]
        #[test]
        fn identity_is_the_one_in_bundler_toml() {
            $crate::bundler::assert_listed(
                &<$plugin as $crate::KitPlugin>::IDENTITY,
                env!("CARGO_PKG_NAME"),
                env!("CARGO_MANIFEST_DIR"),
            );
        }
    };
}

#[cfg(test)]
mod tail_tests {
    use super::*;

    #[test]
    fn a_tail_is_the_latency_plus_the_decay_rounded_up() {
        // 0.6 s at 48 kHz is 28 800 samples exactly; at 44.1 kHz 26 460.
        assert_eq!(tail_with_decay(0, 0.6, 48_000.0), 28_800);
        assert_eq!(tail_with_decay(48, 0.25, 44_100.0), 48 + 11_025);
        // A fraction of a sample still counts as one.
        assert_eq!(tail_with_decay(10, 1e-9, 48_000.0), 11);
        assert_eq!(tail_with_decay(7, 0.0, 48_000.0), 7);
        // Nonsense decays and rates never panic or wrap.
        assert_eq!(tail_with_decay(5, -1.0, 48_000.0), 5);
        assert_eq!(tail_with_decay(5, f64::NAN, 48_000.0), 5);
        assert_eq!(tail_with_decay(u32::MAX - 1, 1.0, 48_000.0), u32::MAX);
        assert_eq!(tail_with_decay(0, f64::INFINITY, 48_000.0), u32::MAX);
    }
}
