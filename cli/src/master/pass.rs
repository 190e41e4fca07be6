//! One streamed pass over a file: decode → Maximizer → latency trim →
//! requantize → measure → write. Memory stays bounded: the file is decoded
//! again for every pass instead of being held.

use std::path::Path;

use shared_dsp::primitives::channels::STEREO;
use shared_dsp::processors::maximizer::{Maximizer, MaximizerSettings};

use super::MasterError;
use crate::aligned::{with_slices, AlignedWriter};
use crate::atomic::AtomicFile;
use crate::decode::{AudioInfo, AudioReader, DecodeError};
use crate::encode::{OutputFormat, WavSink};
use crate::interrupt;
use crate::measure::{MeasureOptions, Measurement, Measurer};
use crate::progress::FileProgress;

/// Frames of silence fed per call while flushing the latency out.
const FLUSH_BLOCK_FRAMES: usize = 4096;

/// What a processing pass produced.
pub struct PassOutput {
    /// The output as written, measured.
    pub measurement: Measurement,
    /// Largest gain reduction of the limiter during the pass, dB (≥ 0).
    pub max_gain_reduction_db: f64,
    /// The written WAV, still a temporary file.
    pub file: AtomicFile,
}

/// Measures the input (the analysis pass).
///
/// # Errors
/// When decoding fails or the user interrupts.
pub fn analyse(
    input: &Path,
    options: MeasureOptions,
    progress: &FileProgress,
) -> Result<Measurement, MasterError> {
    let mut reader = AudioReader::open(input)?;
    let num_channels = reader.info().num_channels;
    if num_channels > STEREO {
        // The Maximizer is a mono/stereo processor; surround is measured only.
        return Err(MasterError::Refused(format!(
            "lathe master takes mono and stereo files; this one has {num_channels} channels \
             (`lathe measure` reads up to 7.1)"
        )));
    }
    progress.start_phase("analysing".to_owned(), reader.declared_frames());
    let mut measurer = Measurer::new(reader.info(), options);
    while let Some(block) = reader.next_block()? {
        if interrupt::requested() {
            return Err(MasterError::Interrupted);
        }
        measurer.feed(block.channels());
        progress.advance(block.channels().first().map_or(0, |c| c.len()));
    }
    // A file shorter than its header says is damaged: mastering it would
    // deliver a cut master without a word (issue 10).
    if let Some(truncation) = reader.truncation() {
        return Err(DecodeError::Truncated(truncation).into());
    }
    Ok(measurer.finish())
}

/// Planar working buffers, one per channel, grown to the largest block.
struct WorkBuffer {
    channels: Vec<Vec<f32>>,
    num_frames: usize,
}

impl WorkBuffer {
    fn new(num_channels: usize) -> Self {
        Self {
            channels: vec![Vec::new(); num_channels],
            num_frames: 0,
        }
    }

    /// Copies a decoded block in.
    fn load(&mut self, block: &[&[f32]]) {
        for (buffer, samples) in self.channels.iter_mut().zip(block) {
            buffer.clear();
            buffer.extend_from_slice(samples);
        }
        self.num_frames = block.first().map_or(0, |c| c.len());
    }

    /// Fills the buffer with `num_frames` of silence.
    fn load_silence(&mut self, num_frames: usize) {
        for buffer in &mut self.channels {
            buffer.clear();
            buffer.resize(num_frames, 0.0);
        }
        self.num_frames = num_frames;
    }
}

/// The processor, and where its output goes.
struct Chain {
    maximizer: Maximizer,
    measurer: Measurer,
    writer: AlignedWriter,
    max_gain_reduction_db: f64,
}

impl Chain {
    /// Processes the buffer in place and passes on what is due.
    fn run(&mut self, work: &mut WorkBuffer) -> Result<(), MasterError> {
        let num_frames = work.num_frames;
        with_slices(&mut work.channels, num_frames, |slices| {
            self.maximizer.process(slices);
        });
        self.max_gain_reduction_db = self
            .max_gain_reduction_db
            .max(f64::from(self.maximizer.gain_reduction_db()));
        let measurer = &mut self.measurer;
        self.writer
            .write(&mut work.channels, num_frames, |out| measurer.feed(out))?;
        Ok(())
    }
}

/// Everything a processing pass needs besides the gain.
pub struct PassSetup<'a> {
    /// The file to read.
    pub input: &'a Path,
    /// Where the result will go (the temporary file is created beside it).
    pub output: &'a Path,
    /// Sample format written.
    pub format: OutputFormat,
    /// Whether to record the output's loudness series.
    pub measure: MeasureOptions,
}

/// Runs one processing pass with `settings` and writes the result to a
/// temporary file beside `setup.output`.
///
/// # Errors
/// When decoding or writing fails, or the user interrupts (the temporary
/// file is removed).
pub fn process(
    setup: &PassSetup,
    settings: &MaximizerSettings,
    progress: &FileProgress,
) -> Result<PassOutput, MasterError> {
    let mut reader = AudioReader::open(setup.input)?;
    let AudioInfo {
        sample_rate,
        num_channels,
    } = reader.info();
    let mut maximizer = Maximizer::new(f64::from(sample_rate), num_channels);
    maximizer.set_settings(settings);
    // Start from a clean state at these settings (no smoothing from defaults).
    maximizer.reset();
    let latency = maximizer.latency_samples();

    let mut chain = Chain {
        maximizer,
        measurer: Measurer::new(reader.info(), setup.measure),
        writer: AlignedWriter::new(
            WavSink::create(setup.output, reader.info(), setup.format)?,
            setup.format,
            latency,
        ),
        max_gain_reduction_db: 0.0,
    };
    let mut work = WorkBuffer::new(num_channels);
    while let Some(block) = reader.next_block()? {
        if interrupt::requested() {
            return Err(MasterError::Interrupted);
        }
        work.load(block.channels());
        chain.run(&mut work)?;
        progress.advance(work.num_frames);
    }
    // Push the last `latency` frames out of the processor, so the output is
    // as long as the input and aligned with it.
    let mut frames_left = latency;
    while frames_left > 0 {
        let num_frames = frames_left.min(FLUSH_BLOCK_FRAMES);
        work.load_silence(num_frames);
        chain.run(&mut work)?;
        frames_left -= num_frames;
    }
    Ok(PassOutput {
        measurement: chain.measurer.finish(),
        max_gain_reduction_db: chain.max_gain_reduction_db,
        file: chain.writer.finish()?,
    })
}
