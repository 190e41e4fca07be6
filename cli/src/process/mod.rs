//! `lathe process`: run a chain of the suite's processors over a file
//! offline, set by the plugins' own parameter IDs and plain values
//! (`shared_dsp::processors::param_table`), and write the result atomically.
//!
//! decode → re-block to `--block` frames → stage 1 → … → stage N → drop the
//! chain's latency → requantize → write. The output is exactly as long as
//! the input and aligned with it: the chain's total latency is dropped from
//! the start and pushed out of the end with silence, as a host's offline
//! render with delay compensation does.

pub mod stage;

use std::path::{Path, PathBuf};

use crate::aligned::{with_slices, AlignedWriter};
use crate::atomic::AtomicFile;
use crate::decode::{AudioInfo, AudioReader, DecodeError};
use crate::encode::{EncodeError, OutputFormat, WavSink};
use crate::interrupt;
use crate::paths;
use crate::progress::FileProgress;
pub use stage::{Stage, StageReport, StageSpec};

/// Block length processors are run with unless `--block` says otherwise, frames.
pub const DEFAULT_BLOCK_FRAMES: usize = 1024;
/// Largest `--block`, frames: the largest block a host gives (validators
/// try up to 8192).
pub const MAX_BLOCK_FRAMES: usize = 8192;

/// How to run a chain.
#[derive(Debug, Clone)]
pub struct ProcessOptions {
    pub stages: Vec<StageSpec>,
    /// Frames per processing call, 1 ..= [`MAX_BLOCK_FRAMES`].
    pub block_frames: usize,
    pub format: OutputFormat,
    /// Overwrite an existing output (never the input).
    pub force: bool,
}

/// Why a file could not be processed.
#[derive(Debug, thiserror::Error)]
pub enum ProcessError {
    #[error("{0}")]
    Decode(#[from] DecodeError),
    #[error("cannot write {path:?}: {source}")]
    Write { path: PathBuf, source: EncodeError },
    /// Writing would destroy something, or a stage cannot be built.
    #[error("{0}")]
    Refused(String),
    #[error("interrupted")]
    Interrupted,
}

/// What a finished run reports: per stage, in chain order.
pub struct ProcessOutcome {
    pub stages: Vec<(String, StageReport)>,
    /// Frames written.
    pub frames: u64,
    pub sample_rate: u32,
    /// Total latency of the chain that was compensated, samples.
    pub latency_samples: usize,
}

/// Builds every stage for a file of `info`, checking every `--set` first.
///
/// # Errors
/// The first stage that cannot be built, with why.
pub fn build_chain(stages: &[StageSpec], info: AudioInfo) -> Result<Vec<Stage>, String> {
    stages
        .iter()
        .map(|spec| Stage::new(spec, f64::from(info.sample_rate), info.num_channels))
        .collect()
}

/// Planar scratch of one block.
struct Block {
    channels: Vec<Vec<f32>>,
}

impl Block {
    fn new(num_channels: usize, frames: usize) -> Self {
        Self {
            channels: vec![vec![0.0; frames]; num_channels],
        }
    }
}

/// The stages and where their output goes.
struct Runner {
    stages: Vec<Stage>,
    writer: AlignedWriter,
}

impl Runner {
    /// Runs the first `num_frames` of `block` through every stage, then
    /// writes what is due.
    fn run(&mut self, block: &mut Block, num_frames: usize) -> Result<(), EncodeError> {
        with_slices(&mut block.channels, num_frames, |slices| {
            for stage in &mut self.stages {
                stage.process(slices);
            }
        });
        self.writer.write(&mut block.channels, num_frames, |_| ())
    }
}

/// Processes `input` into `output` through the chain.
///
/// # Errors
/// Decoding, writing, a refused destination or stage, or an interrupt;
/// nothing is left at `output` then (and an existing file there is kept).
pub fn process_file(
    input: &Path,
    output: &Path,
    options: &ProcessOptions,
    progress: &FileProgress,
) -> Result<ProcessOutcome, ProcessError> {
    paths::check_destination(output, &[input.to_path_buf()], options.force)
        .map_err(ProcessError::Refused)?;
    let mut reader = AudioReader::open(input)?;
    let info = reader.info();
    let stages = build_chain(&options.stages, info).map_err(ProcessError::Refused)?;
    let latency: usize = stages.iter().map(Stage::latency_samples).sum();
    let write_error = |source| ProcessError::Write {
        path: output.to_path_buf(),
        source,
    };
    let sink = WavSink::create(output, info, options.format).map_err(write_error)?;
    let mut runner = Runner {
        stages,
        writer: AlignedWriter::new(sink, options.format, latency),
    };

    progress.start_phase("processing".to_owned(), reader.declared_frames());
    let block_frames = options.block_frames;
    let mut block = Block::new(info.num_channels, block_frames);
    let mut filled = 0_usize;
    while let Some(decoded) = reader.next_block()? {
        if interrupt::requested() {
            return Err(ProcessError::Interrupted);
        }
        let decoded = decoded.channels();
        let len = decoded.first().map_or(0, |c| c.len());
        let mut pos = 0;
        while pos < len {
            let take = (block_frames - filled).min(len - pos);
            for (dst, src) in block.channels.iter_mut().zip(decoded) {
                dst[filled..filled + take].copy_from_slice(&src[pos..pos + take]);
            }
            filled += take;
            pos += take;
            if filled == block_frames {
                runner.run(&mut block, filled).map_err(write_error)?;
                filled = 0;
            }
        }
        progress.advance(len);
    }
    if let Some(truncation) = reader.truncation() {
        return Err(DecodeError::Truncated(truncation).into());
    }
    // The last partial block, then the latency pushed out with silence.
    let mut silence_left = latency;
    loop {
        let take = (block_frames - filled).min(silence_left);
        for channel in &mut block.channels {
            channel[filled..filled + take].fill(0.0);
        }
        filled += take;
        silence_left -= take;
        if filled > 0 {
            runner.run(&mut block, filled).map_err(write_error)?;
        }
        filled = 0;
        if silence_left == 0 {
            break;
        }
    }

    let frames = runner.writer.frames_written();
    let reports = options
        .stages
        .iter()
        .zip(&runner.stages)
        .map(|(spec, stage)| (spec.plugin.clone(), stage.report()))
        .collect();
    let file: AtomicFile = runner.writer.finish().map_err(write_error)?;
    file.commit(options.force)
        .map_err(|err| write_error(err.into()))?;
    Ok(ProcessOutcome {
        stages: reports,
        frames,
        sample_rate: info.sample_rate,
        latency_samples: latency,
    })
}
