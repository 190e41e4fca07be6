//! Lathe Maximizer: the last plugin on the master bus. True-peak brickwall
//! limiting, loudness target learning, listening aids and dither, as a VST3
//! and CLAP plugin. Glue only: the processing is `shared_dsp::processors::maximizer`,
//! the same processor `lathe master` runs.

use nice_plug::prelude::*;
use shared_dsp::processors::maximizer::Maximizer as Processor;
use shared_ui::host::{activation, Activation, MONO, STEREO};
use std::sync::Arc;

mod editor;
pub mod params;
pub mod telemetry;

pub use params::MaximizerParams;
use telemetry::{MaximizerTelemetry, WAVEFORM_COLUMN_S};

/// Most channels the Maximizer processes.
const MAX_CHANNELS: usize = 2;

pub struct Maximizer {
    params: Arc<MaximizerParams>,
    telemetry: Arc<MaximizerTelemetry>,
    /// Built in `activate` for the negotiated channel count and rate.
    processor: Option<Processor>,
    /// Latency last reported to the host, samples.
    reported_latency: u32,
    /// Samples per waveform column at the current rate.
    column_len: usize,
    /// Progress through the current waveform column.
    column_pos: usize,
    column_input_peak: f32,
    column_output_peak: f32,
    column_gain_reduction_db: f32,
}

impl Default for Maximizer {
    fn default() -> Self {
        Self {
            params: Arc::new(MaximizerParams::default()),
            telemetry: Arc::new(MaximizerTelemetry::default()),
            processor: None,
            reported_latency: 0,
            column_len: 1,
            column_pos: 0,
            column_input_peak: 0.0,
            column_output_peak: 0.0,
            column_gain_reduction_db: 0.0,
        }
    }
}

impl Maximizer {
    fn start_column(&mut self) {
        self.column_pos = 0;
        self.column_input_peak = 0.0;
        self.column_output_peak = 0.0;
        self.column_gain_reduction_db = 0.0;
    }

    /// Gains that come from the meters: level match for the matched bypass
    /// (output − input integrated loudness) and the platform preview.
    fn metered_gains(&self) -> (f32, f32) {
        let t = &self.telemetry;
        let level_match = match (
            t.output.integrated_lufs.load(),
            t.input.integrated_lufs.load(),
        ) {
            (Some(out), Some(inp)) => out - inp,
            _ => 0.0,
        };
        let monitor = match (
            self.params.preview.value().target(),
            t.output.integrated_lufs.load(),
            t.output.true_peak_dbtp.load(),
        ) {
            (Some(target), Some(i), Some(tp)) => {
                target.playback_gain_db(f64::from(i), f64::from(tp)) as f32
            }
            _ => 0.0,
        };
        (level_match, monitor)
    }
}

impl Plugin for Maximizer {
    const NAME: &'static str = "Lathe Maximizer";
    const VENDOR: &'static str = "Lathe";
    const URL: &'static str = "";
    const EMAIL: &'static str = "";
    const VERSION: &'static str = env!("CARGO_PKG_VERSION");

    const AUDIO_IO_LAYOUTS: &'static [AudioIOLayout] = &[STEREO, MONO];

    const SAMPLE_ACCURATE_AUTOMATION: bool = true;

    type Editor = nice_plug_egui::EguiEditor<shared_ui::editor::EditorShell<editor::MaximizerView>>;
    type SysExMessage = ();
    type BackgroundTask = ();

    fn params(&self) -> Arc<dyn Params> {
        self.params.clone()
    }

    fn editor(&mut self, _async_executor: AsyncExecutor<Self>) -> Option<Self::Editor> {
        editor::create(self.params.clone(), self.telemetry.clone())
    }

    fn activate(
        &mut self,
        audio_io_layout: &AudioIOLayout,
        buffer_config: &BufferConfig,
        context: &mut impl ActivateContext<Self>,
    ) -> bool {
        let Some(Activation {
            outputs: num_channels,
            sample_rate,
            ..
        }) = activation(audio_io_layout, buffer_config, MAX_CHANNELS)
        else {
            return false;
        };
        let mut processor = Processor::new(sample_rate, num_channels);
        let (level_match, monitor) = self.metered_gains();
        processor.set_settings(&self.params.settings(level_match, monitor));
        processor.reset();
        self.reported_latency = processor.latency_samples() as u32;
        context.set_latency_samples(self.reported_latency);
        self.processor = Some(processor);
        self.telemetry.set_latency(self.reported_latency);
        self.telemetry.sample_rate_hz.store(Some(sample_rate));
        self.column_len = ((sample_rate * WAVEFORM_COLUMN_S).round() as usize).max(1);
        self.start_column();
        true
    }

    fn reset(&mut self) {
        if let Some(p) = self.processor.as_mut() {
            p.reset();
        }
        self.start_column();
    }

    fn process(
        &mut self,
        buffer: &mut Buffer,
        _aux: &mut AuxiliaryBuffers,
        context: &mut impl ProcessContext<Self>,
    ) -> ProcessStatus {
        let (level_match, monitor) = self.metered_gains();
        let settings = self.params.settings(level_match, monitor);
        let bypass = self.params.bypass.value();
        let Some(processor) = self.processor.as_mut() else {
            return ProcessStatus::Normal;
        };
        processor.set_settings(&settings);
        processor.set_bypass(bypass);
        self.telemetry
            .monitor_gain_db
            .store(Some(f64::from(monitor)));

        let latency = processor.latency_samples() as u32;
        if latency != self.reported_latency {
            // nice-plug announces this the way each format requires
            // (CLAP: latency changed + restart request; VST3: restartComponent).
            context.set_latency_samples(latency);
            self.reported_latency = latency;
            self.telemetry.set_latency(latency);
        }
        if self.telemetry.reset_meters.take() {
            processor.reset_meters();
        }

        // Process in pieces that end on waveform-column boundaries.
        let num_samples = buffer.samples();
        let channels = buffer.as_slice();
        let num_channels = channels.len().min(MAX_CHANNELS);
        let mut start = 0;
        while start < num_samples {
            let len = (self.column_len - self.column_pos).min(num_samples - start);
            let mut block: [&mut [f32]; MAX_CHANNELS] = [&mut [], &mut []];
            for (slot, channel) in block.iter_mut().zip(channels.iter_mut()) {
                *slot = &mut channel[start..start + len];
            }
            processor.process(&mut block[..num_channels]);
            let stats = processor.block_stats();
            self.column_input_peak = self.column_input_peak.max(stats.input_peak);
            self.column_output_peak = self.column_output_peak.max(stats.output_peak);
            self.column_gain_reduction_db = self
                .column_gain_reduction_db
                .max(processor.gain_reduction_db());
            self.column_pos += len;
            start += len;
            if self.column_pos >= self.column_len {
                self.telemetry.push_column(
                    self.column_input_peak,
                    self.column_output_peak,
                    self.column_gain_reduction_db,
                );
                self.telemetry
                    .publish_meters(&processor.input_readings(), &processor.output_readings());
                self.column_pos = 0;
                self.column_input_peak = 0.0;
                self.column_output_peak = 0.0;
                self.column_gain_reduction_db = 0.0;
            }
        }
        ProcessStatus::Normal
    }
}

impl ClapPlugin for Maximizer {
    const CLAP_ID: &'static str = "dev.lathe.maximizer";
    const CLAP_DESCRIPTION: Option<&'static str> =
        Some("True-peak brickwall limiter with loudness learning, listening aids and dither");
    const CLAP_MANUAL_URL: Option<&'static str> = None;
    const CLAP_SUPPORT_URL: Option<&'static str> = None;
    const CLAP_FEATURES: &'static [ClapFeature] = &[
        ClapFeature::AudioEffect,
        ClapFeature::Limiter,
        ClapFeature::Mastering,
        ClapFeature::Stereo,
        ClapFeature::Mono,
    ];
}

impl Vst3Plugin for Maximizer {
    const VST3_CLASS_ID: [u8; 16] = *b"LatheMaximizer01";
    const VST3_SUBCATEGORIES: &'static [Vst3SubCategory] = &[
        Vst3SubCategory::Fx,
        Vst3SubCategory::Dynamics,
        Vst3SubCategory::Mastering,
    ];
}

nice_export_clap!(Maximizer);
nice_export_vst3!(Maximizer);
