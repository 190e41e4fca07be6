//! The output end of an offline processing chain, shared by `lathe master`
//! and `lathe process`: drop the chain's latency from the start, requantize
//! to the output format, and write — so the output is aligned with the
//! input, as a host's render with delay compensation is.

use crate::atomic::AtomicFile;
use crate::decode::MAX_CHANNELS;
use crate::encode::{EncodeError, OutputFormat, WavSink};

/// Writes a processed stream minus its first `latency` frames.
pub struct AlignedWriter {
    /// Output frames still to drop.
    frames_to_skip: usize,
    format: OutputFormat,
    sink: WavSink,
    frames_written: u64,
}

impl AlignedWriter {
    /// A writer into `sink` that drops the first `latency_frames` it is given.
    pub fn new(sink: WavSink, format: OutputFormat, latency_frames: usize) -> Self {
        Self {
            frames_to_skip: latency_frames,
            format,
            sink,
            frames_written: 0,
        }
    }

    /// Takes the first `num_frames` of each processed channel: drops what
    /// is still latency, requantizes the rest in place, shows it to `tap`
    /// (a meter of the output, say) and writes it.
    ///
    /// # Errors
    /// When writing fails.
    pub fn write(
        &mut self,
        channels: &mut [Vec<f32>],
        num_frames: usize,
        tap: impl FnOnce(&[&[f32]]),
    ) -> Result<(), EncodeError> {
        let skip = self.frames_to_skip.min(num_frames);
        self.frames_to_skip -= skip;
        if skip == num_frames {
            return Ok(());
        }
        for channel in channels.iter_mut() {
            self.format.quantize(&mut channel[skip..num_frames]);
        }
        let mut out: [&[f32]; MAX_CHANNELS] = [&[]; MAX_CHANNELS];
        for (slot, channel) in out.iter_mut().zip(channels.iter()) {
            *slot = &channel[skip..num_frames];
        }
        let out = &out[..channels.len()];
        tap(out);
        self.sink.write_block(out)?;
        self.frames_written += (num_frames - skip) as u64;
        Ok(())
    }

    /// Frames written so far.
    pub fn frames_written(&self) -> u64 {
        self.frames_written
    }

    /// Finishes the WAV (still a temporary file until committed).
    ///
    /// # Errors
    /// When the last write fails.
    pub fn finish(self) -> Result<AtomicFile, EncodeError> {
        self.sink.finish()
    }
}

/// Runs `f` on the first `num_frames` of each channel as the `&mut [&mut
/// [f32]]` a processor takes, without allocating.
pub fn with_slices<R>(
    channels: &mut [Vec<f32>],
    num_frames: usize,
    f: impl FnOnce(&mut [&mut [f32]]) -> R,
) -> R {
    let num_channels = channels.len();
    let mut slices: [&mut [f32]; MAX_CHANNELS] = Default::default();
    for (slot, channel) in slices.iter_mut().zip(channels.iter_mut()) {
        *slot = &mut channel[..num_frames];
    }
    f(&mut slices[..num_channels])
}
