//! The audio-thread side: buffers, events and `process` calls.

use crate::case::{Layout, PluginCase};
use crate::checks::{OutputChecker, OUTPUT_SENTINEL};
use crate::host::{AudioThreadRole, TestHost};
use clack_extensions::params::PluginParams;
use clack_extensions::tail::{PluginTail, TailLength};
use clack_host::prelude::*;

/// Which thread runs an activation's audio processing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ThreadMode {
    /// A freshly spawned thread, as in a real host.
    Spawned,
    /// The main (test) thread, as in offline rendering.
    Main,
}

impl ThreadMode {
    /// Runs `job` on this thread with the audio-thread role, propagating its panic if any.
    pub fn run<R: Send>(self, job: impl FnOnce() -> R + Send) -> R {
        match self {
            ThreadMode::Main => {
                let _role = AudioThreadRole::take();
                job()
            }
            ThreadMode::Spawned => std::thread::scope(|scope| {
                let audio_thread = std::thread::Builder::new()
                    .name("clap-audio".into())
                    .spawn_scoped(scope, move || {
                        let _role = AudioThreadRole::take();
                        job()
                    })
                    .expect("spawning the audio thread");
                audio_thread
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            }),
        }
    }
}

/// A started audio processor with its buffers, driven from the audio thread.
///
/// Every [`process`](Self::process) call checks the output with an [`OutputChecker`], checks
/// that the plugin left the input untouched and that its output events are well-formed.
pub struct AudioRig {
    case: &'static PluginCase,
    /// Always started between calls; stopped only inside [`Self::sleep_and_wake`] and
    /// [`Self::flush_params`].
    processor: PluginAudioProcessor<TestHost>,
    input_ports: AudioPorts,
    output_ports: AudioPorts,
    /// Plugin-visible input channels, `max_frames` long.
    inputs: Vec<Vec<f32>>,
    /// Auxiliary (side-chain) input ports after the main one: channels, `max_frames` long
    /// each. Silent unless a test writes them ([`Self::aux_input_mut`]).
    aux_inputs: Vec<Vec<Vec<f32>>>,
    /// Plugin-visible output channels, `max_frames` long.
    outputs: Vec<Vec<f32>>,
    output_events: EventBuffer,
    checker: OutputChecker,
    /// Frames processed since activation, passed as `steady_time`.
    steady_time: u64,
    max_frames: usize,
}

impl AudioRig {
    /// Starts processing with buffers for `layout` and blocks up to `max_frames`, and no
    /// auxiliary input ports.
    ///
    /// # Panics
    /// If `start_processing` fails.
    pub fn start(
        case: &'static PluginCase,
        processor: StoppedPluginAudioProcessor<TestHost>,
        layout: Layout,
        max_frames: u32,
        latency_samples: u32,
    ) -> Self {
        Self::start_with_aux(case, processor, layout, &[], max_frames, latency_samples)
    }

    /// [`Self::start`] with one auxiliary input port per entry of `aux_input_channels` (its
    /// channel count) after the main input: a CLAP host passes a buffer for every input port the
    /// plugin declares (see [`crate::plugin::LoadedPlugin::aux_input_channels`]).
    ///
    /// # Panics
    /// If `start_processing` fails.
    pub fn start_with_aux(
        case: &'static PluginCase,
        processor: StoppedPluginAudioProcessor<TestHost>,
        layout: Layout,
        aux_input_channels: &[u32],
        max_frames: u32,
        latency_samples: u32,
    ) -> Self {
        let processor = processor
            .start_processing()
            .unwrap_or_else(|err| panic!("{}: start_processing failed: {err}", case.name));
        let max_frames = max_frames as usize;
        let channels = |count: u32| vec![vec![0.0f32; max_frames]; count as usize];
        Self {
            case,
            processor: processor.into(),
            // One port each way (plus the auxiliary inputs). The capacity matters: clack-host 0.2
            // recomputes buffer pointers wrongly when these grow, so they must never need to.
            input_ports: AudioPorts::with_capacity(
                (layout.inputs + aux_input_channels.iter().sum::<u32>()) as usize,
                1 + aux_input_channels.len(),
            ),
            output_ports: AudioPorts::with_capacity(layout.outputs as usize, 1),
            inputs: channels(layout.inputs),
            aux_inputs: aux_input_channels.iter().map(|&n| channels(n)).collect(),
            outputs: channels(layout.outputs),
            output_events: EventBuffer::with_capacity(64),
            checker: OutputChecker::new(
                case,
                layout.inputs as usize,
                layout.outputs as usize,
                latency_samples,
            ),
            steady_time: 0,
            max_frames,
        }
    }

    /// Number of main input channels.
    pub fn input_channels(&self) -> usize {
        self.inputs.len()
    }

    /// Number of main output channels.
    pub fn output_channels(&self) -> usize {
        self.outputs.len()
    }

    /// The channels of auxiliary input port `port` (0 = the first after the main input),
    /// `max_frames` long: what the next [`Self::process`] calls pass on that port.
    ///
    /// # Panics
    /// If the plugin has no such port.
    pub fn aux_input_mut(&mut self, port: usize) -> &mut [Vec<f32>] {
        &mut self.aux_inputs[port]
    }

    /// Largest block this activation allows, in frames.
    pub fn max_frames(&self) -> usize {
        self.max_frames
    }

    /// Processes one block of `frames` frames. `input[channel]` must hold at least `frames`
    /// samples for every input channel. Returns the plugin's status.
    ///
    /// # Panics
    /// If `process` fails, writes to its input, leaves an output unwritten, breaks the plugin's
    /// passthrough promise, or emits badly timed events. `context` goes into every message.
    pub fn process(
        &mut self,
        input: &[Vec<f32>],
        frames: usize,
        events: &EventBuffer,
        context: &str,
    ) -> ProcessStatus {
        let name = self.case.name;
        assert!(
            frames <= self.max_frames,
            "test bug: block larger than max_frames"
        );
        assert_eq!(
            input.len(),
            self.inputs.len(),
            "test bug: input channel count"
        );
        for (host_channel, test_channel) in self.inputs.iter_mut().zip(input) {
            host_channel[..frames].copy_from_slice(&test_channel[..frames]);
        }
        for channel in &mut self.outputs {
            channel[..frames].fill(OUTPUT_SENTINEL);
        }
        self.output_events.clear();

        let status = {
            let Self {
                processor,
                input_ports,
                output_ports,
                inputs,
                aux_inputs,
                outputs,
                output_events,
                steady_time,
                ..
            } = self;
            // A missing main port is no port at all, not a port with zero channels.
            let audio_inputs = if inputs.is_empty() && aux_inputs.is_empty() {
                InputAudioBuffers::empty()
            } else {
                let main = (!inputs.is_empty()).then_some(&mut *inputs);
                let ports: Vec<&mut Vec<Vec<f32>>> =
                    main.into_iter().chain(aux_inputs.iter_mut()).collect();
                input_ports.with_input_buffers(ports.into_iter().map(|port| {
                    AudioPortBuffer {
                        latency: 0,
                        channels: AudioPortBufferType::f32_input_only(
                            port.iter_mut()
                                .map(|channel| InputChannel::variable(&mut channel[..frames])),
                        ),
                    }
                }))
            };
            let mut audio_outputs = if outputs.is_empty() {
                OutputAudioBuffers::empty()
            } else {
                output_ports.with_output_buffers([AudioPortBuffer {
                    latency: 0,
                    channels: AudioPortBufferType::f32_output_only(
                        outputs.iter_mut().map(|channel| &mut channel[..frames]),
                    ),
                }])
            };
            processor
                .as_started_mut()
                .expect("processing is started")
                .process(
                    &audio_inputs,
                    &mut audio_outputs,
                    &InputEvents::from_buffer(events),
                    &mut OutputEvents::from_buffer(output_events),
                    Some(*steady_time),
                    None,
                )
        }
        .unwrap_or_else(|err| panic!("{name}, {context}: process({frames} frames) failed: {err}"));
        self.steady_time += frames as u64;

        self.check_input_untouched(input, frames, context);
        self.check_output_events(frames, context);
        let input_slices: Vec<&[f32]> = input.iter().map(|channel| &channel[..frames]).collect();
        let output_slices: Vec<&[f32]> = self
            .outputs
            .iter()
            .map(|channel| &channel[..frames])
            .collect();
        self.checker.check(&input_slices, &output_slices, context);
        status
    }

    /// `clap_plugin_tail.get` on the audio thread (`None` without the extension).
    pub fn tail(&mut self) -> Option<TailLength> {
        let handle = self
            .processor
            .as_started_mut()
            .expect("processing is started")
            .plugin_handle();
        let tail: PluginTail = handle.get_extension()?;
        Some(tail.get(&handle))
    }

    /// The first `frames` samples of output `channel` from the last block.
    pub fn output(&self, channel: usize, frames: usize) -> &[f32] {
        &self.outputs[channel][..frames]
    }

    /// Events the plugin emitted during the last block.
    pub fn output_events(&self) -> &EventBuffer {
        &self.output_events
    }

    /// `clap_plugin.reset`: clears the plugin's processing state (and the checker's history).
    pub fn reset(&mut self) {
        self.processor.reset();
        self.checker.reset();
    }

    /// Stops and restarts processing (a host putting the plugin to sleep and waking it).
    ///
    /// # Panics
    /// If `start_processing` fails.
    pub fn sleep_and_wake(&mut self) {
        self.processor
            .stop_processing()
            .expect("processing is started");
        self.restart_processing("sleep");
    }

    /// `params.flush` on the audio thread while active (not processing): stops processing,
    /// flushes `events`, restarts. Returns the plugin's output events.
    ///
    /// # Panics
    /// If `start_processing` fails afterwards.
    pub fn flush_params(&mut self, params: PluginParams, events: &EventBuffer) -> EventBuffer {
        let mut output = EventBuffer::new();
        let stopped = self
            .processor
            .stop_processing()
            .expect("processing is started");
        params.flush_active(
            &mut stopped.plugin_handle(),
            &InputEvents::from_buffer(events),
            &mut OutputEvents::from_buffer(&mut output),
        );
        self.restart_processing("params.flush");
        output
    }

    /// Stops processing and hands the processor back for deactivation on the main thread.
    pub fn stop(mut self) -> StoppedPluginAudioProcessor<TestHost> {
        self.processor.ensure_processing_stopped();
        self.processor.into_stopped()
    }

    fn restart_processing(&mut self, after: &str) {
        if let Err(err) = self.processor.start_processing() {
            panic!(
                "{}: start_processing after {after} failed: {err}",
                self.case.name
            );
        }
    }

    fn check_input_untouched(&self, input: &[Vec<f32>], frames: usize, context: &str) {
        for (channel, (seen, sent)) in self.inputs.iter().zip(input).enumerate() {
            let modified = seen[..frames]
                .iter()
                .zip(&sent[..frames])
                .position(|(a, b)| a.to_bits() != b.to_bits());
            if let Some(frame) = modified {
                panic!(
                    "{}, {context}: the plugin wrote to input channel {channel} at sample {frame}",
                    self.case.name
                );
            }
        }
    }

    fn check_output_events(&self, frames: usize, context: &str) {
        let mut last_time = 0;
        for event in self.output_events.iter() {
            let time = event.header().time();
            assert!(
                time >= last_time,
                "{}, {context}: output events out of order ({time} after {last_time})",
                self.case.name
            );
            assert!(
                frames == 0 || (time as usize) < frames,
                "{}, {context}: output event at sample {time} of a {frames}-frame block",
                self.case.name
            );
            last_time = time;
        }
    }
}
