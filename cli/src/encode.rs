//! Encoding planar `f32` audio as a WAV file (16- or 24-bit integer, or
//! 32-bit float) with `hound`, written atomically through [`AtomicFile`].
//!
//! Integer output is requantized here by rounding to the nearest step
//! (`shared_dsp::units::dither::round_to_bits`, the requantizer's own rule), so
//! what is measured before writing ([`OutputFormat::quantize`]) is exactly
//! what a decoder reads back. Dither, when wanted, is the processor's job
//! (`shared_dsp::processors::maximizer` dithers to the same word length), which leaves
//! its samples on the integer grid already, so the rounding is then exact.

use std::io::{self, BufWriter};
use std::path::Path;

use crate::atomic::AtomicFile;
use crate::decode::AudioInfo;
use shared_dsp::primitives::level::sanitize;
use shared_dsp::units::dither::round_to_bits;

/// Sample format of the output file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputFormat {
    /// 16-bit integer PCM.
    Int16,
    /// 24-bit integer PCM.
    Int24,
    /// 32-bit IEEE float.
    Float32,
}

impl OutputFormat {
    /// Bits per sample in the file.
    pub fn bits(self) -> u16 {
        match self {
            Self::Int16 => 16,
            Self::Int24 => 24,
            Self::Float32 => 32,
        }
    }

    /// Whether samples are stored as integers.
    pub fn is_integer(self) -> bool {
        !matches!(self, Self::Float32)
    }

    /// Integer full scale `2^(bits−1)`: the value of +1.0 (integer formats).
    fn full_scale(self) -> f32 {
        // Exact in f32: a power of two.
        (1_u32 << (self.bits() - 1)) as f32
    }

    /// Replaces every sample by the value the file will hold, as a decoder
    /// reads it back (`integer / 2^(bits−1)`): rounded to the integer grid
    /// and clamped to the format's range. Every format first gets the suite's
    /// input sanitiser (NaN, ±∞, subnormals → 0.0: a WAV file must not carry NaN).
    pub fn quantize(self, samples: &mut [f32]) {
        for sample in samples.iter_mut() {
            *sample = sanitize(*sample);
        }
        if self.is_integer() {
            let bits = u32::from(self.bits());
            for sample in samples.iter_mut() {
                *sample = round_to_bits(*sample, bits);
            }
        }
    }

    fn wav_spec(self, info: AudioInfo) -> hound::WavSpec {
        hound::WavSpec {
            channels: info.num_channels as u16,
            sample_rate: info.sample_rate,
            bits_per_sample: self.bits(),
            sample_format: if self.is_integer() {
                hound::SampleFormat::Int
            } else {
                hound::SampleFormat::Float
            },
        }
    }
}

/// Why a file could not be written.
#[derive(Debug, thiserror::Error)]
pub enum EncodeError {
    /// Creating, writing, syncing or renaming failed.
    #[error("{0}")]
    Io(#[from] io::Error),
    /// The WAV encoder refused (e.g. the file grew past 4 GiB).
    #[error("{0}")]
    Wav(#[from] hound::Error),
}

/// A WAV file being written to a temporary file beside its destination.
/// Dropping it before [`WavSink::finish`] + [`AtomicFile::commit`] removes
/// the temporary file.
pub struct WavSink {
    writer: hound::WavWriter<BufWriter<std::fs::File>>,
    file: AtomicFile,
    format: OutputFormat,
    scale: f32,
}

impl WavSink {
    /// Starts a WAV file that will become `destination`.
    ///
    /// # Errors
    /// When the temporary file cannot be created.
    pub fn create(
        destination: &Path,
        info: AudioInfo,
        format: OutputFormat,
    ) -> Result<Self, EncodeError> {
        let file = AtomicFile::create(destination)?;
        let handle = file.file().try_clone()?;
        let writer = hound::WavWriter::new(BufWriter::new(handle), format.wav_spec(info))?;
        Ok(Self {
            writer,
            file,
            format,
            scale: format.full_scale(),
        })
    }

    /// Appends one planar block that [`OutputFormat::quantize`] has already
    /// put on the format's grid.
    ///
    /// # Errors
    /// When writing fails.
    pub fn write_block(&mut self, channels: &[&[f32]]) -> Result<(), EncodeError> {
        let num_frames = channels.first().map_or(0, |channel| channel.len());
        for frame in 0..num_frames {
            for channel in channels {
                let sample = channel[frame];
                match self.format {
                    // Exact: the samples are integers divided by a power of two.
                    OutputFormat::Int16 => {
                        self.writer.write_sample((sample * self.scale) as i16)?
                    }
                    OutputFormat::Int24 => {
                        self.writer.write_sample((sample * self.scale) as i32)?
                    }
                    OutputFormat::Float32 => self.writer.write_sample(sample)?,
                }
            }
        }
        Ok(())
    }

    /// Completes the WAV header and returns the (still temporary) file,
    /// ready to [`AtomicFile::commit`].
    ///
    /// # Errors
    /// When the final writes fail.
    pub fn finish(self) -> Result<AtomicFile, EncodeError> {
        self.writer.finalize()?;
        Ok(self.file)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantize_rounds_to_the_grid_and_clamps() {
        let mut samples = [0.0, 0.5, 1.0, -1.0, -2.0, 1.0 / 65_536.0, f32::NAN];
        OutputFormat::Int16.quantize(&mut samples);
        assert_eq!(samples[0], 0.0);
        assert_eq!(samples[1], 0.5);
        assert_eq!(samples[2], 32_767.0 / 32_768.0);
        assert_eq!(samples[3], -1.0);
        assert_eq!(samples[4], -1.0);
        // Half a step rounds away from zero.
        assert_eq!(samples[5], 1.0 / 32_768.0);
        assert_eq!(samples[6], 0.0);
        for sample in samples {
            assert_eq!((sample * 32_768.0).fract(), 0.0);
        }
    }

    #[test]
    fn quantized_samples_read_back_exactly() {
        let dir = tempfile::tempdir().unwrap();
        let destination = dir.path().join("out.wav");
        let info = AudioInfo {
            sample_rate: 48_000,
            num_channels: 2,
        };
        let mut left: Vec<f32> = (0..100).map(|i| (i as f32 * 0.37).sin() * 0.9).collect();
        let mut right: Vec<f32> = left.iter().map(|x| -x * 0.5).collect();
        OutputFormat::Int24.quantize(&mut left);
        OutputFormat::Int24.quantize(&mut right);
        let mut sink = WavSink::create(&destination, info, OutputFormat::Int24).unwrap();
        sink.write_block(&[&left, &right]).unwrap();
        sink.finish().unwrap().commit(false).unwrap();

        let mut reader = crate::decode::AudioReader::open(&destination).unwrap();
        let block = reader.next_block().unwrap().unwrap();
        assert_eq!(block.channels()[0], &left[..]);
        assert_eq!(block.channels()[1], &right[..]);
    }
}
