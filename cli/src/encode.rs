//! Encoding planar `f32` audio as a WAV file (16- or 24-bit integer, or
//! 32-bit float) with `hound`, or as FLAC (16- or 24-bit; FLAC has no float
//! samples) with `flacenc`, chosen by the destination's extension and
//! written atomically through [`AtomicFile`].
//!
//! Integer output is requantized here by rounding to the nearest step
//! (`shared_dsp::units::dither::round_to_bits`, the requantizer's own rule), so
//! what is measured before writing ([`OutputFormat::quantize`]) is exactly
//! what a decoder reads back. Dither, when wanted, is the processor's job
//! (`shared_dsp::processors::maximizer` dithers to the same word length), which leaves
//! its samples on the integer grid already, so the rounding is then exact.

use std::io::{self, BufWriter, Seek, SeekFrom, Write};
use std::path::Path;

use flacenc::bitsink::ByteSink;
use flacenc::component::{BitRepr, Stream, StreamInfo};
use flacenc::error::Verify;
use flacenc::source::{Fill, FrameBuf};
use md5::{Digest, Md5};

use crate::atomic::AtomicFile;
use crate::decode::AudioInfo;
use crate::pcm::{CHUNK_HEADER_BYTES, DATA_TAG, RIFF_HEADER_BYTES, RIFF_TAG, WAVE_TAG};
use shared_dsp::primitives::level::sanitize_block;
use shared_dsp::units::dither::round_to_bits;

/// Sample format of the output file (see [`crate::pcm`]).
pub use crate::pcm::PcmFormat as OutputFormat;

impl OutputFormat {
    /// Replaces every sample by the value the file will hold, as a decoder
    /// reads it back (`integer / 2^(bits−1)`): rounded to the integer grid
    /// and clamped to the format's range. Every format first gets the suite's
    /// input sanitiser (NaN, ±∞, subnormals → 0.0: a WAV file must not carry NaN).
    pub fn quantize(self, samples: &mut [f32]) {
        sanitize_block(samples);
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

/// Whether `destination` ends in `.flac` (any case): it is then written as
/// FLAC, anything else as WAV.
pub fn is_flac_path(destination: &Path) -> bool {
    destination
        .extension()
        .is_some_and(|ext| ext.eq_ignore_ascii_case("flac"))
}

/// Why a file could not be written.
#[derive(Debug, thiserror::Error)]
pub enum EncodeError {
    /// FLAC stores integer samples only.
    #[error("FLAC has no floating-point samples: use --bits 16 or 24 (or a .wav output)")]
    FloatFlac,
    /// The FLAC encoder refused.
    #[error("FLAC encoder: {0}")]
    Flac(String),
    /// Creating, writing, syncing or renaming failed.
    #[error("{0}")]
    Io(#[from] io::Error),
    /// The WAV encoder refused (e.g. the file grew past 4 GiB).
    #[error("{0}")]
    Wav(#[from] hound::Error),
}

/// Samples per FLAC frame (per channel): libFLAC's default block size for
/// 44.1/48 kHz material.
const FLAC_BLOCK_FRAMES: usize = 4096;

/// Blocks shorter than this (only ever the last one) are stored verbatim:
/// `flacenc` 0.4's Rice partitioning needs at least this many samples per
/// partition and overflows below it (`rice::finest_partition_order`).
const SHORT_BLOCK_FRAMES: usize = flacenc::constant::rice::MIN_PARTITION_SIZE;

/// An audio file being written to a temporary file beside its destination:
/// WAV, or FLAC when the destination ends in `.flac`. Dropping it before
/// [`AudioSink::finish`] + [`AtomicFile::commit`] removes the temporary file.
pub struct AudioSink {
    encoder: Encoder,
    file: AtomicFile,
}

/// The name the sink had when it wrote WAV only (kept for its users).
pub type WavSink = AudioSink;

enum Encoder {
    Wav(WavEncoder),
    Flac(Box<FlacEncoder>),
}

impl AudioSink {
    /// Starts a file that will become `destination`, FLAC when it ends in
    /// `.flac` and WAV otherwise.
    ///
    /// # Errors
    /// When the temporary file cannot be created, or FLAC is asked for
    /// float samples ([`EncodeError::FloatFlac`]).
    pub fn create(
        destination: &Path,
        info: AudioInfo,
        format: OutputFormat,
    ) -> Result<Self, EncodeError> {
        let flac = is_flac_path(destination);
        if flac && !format.is_integer() {
            return Err(EncodeError::FloatFlac);
        }
        let file = AtomicFile::create(destination)?;
        let handle = file.file().try_clone()?;
        let encoder = if flac {
            Encoder::Flac(Box::new(FlacEncoder::new(handle, info, format)?))
        } else {
            Encoder::Wav(WavEncoder::new(handle, info, format)?)
        };
        Ok(Self { encoder, file })
    }

    /// Appends one planar block that [`OutputFormat::quantize`] has already
    /// put on the format's grid.
    ///
    /// # Errors
    /// When writing fails.
    pub fn write_block(&mut self, channels: &[&[f32]]) -> Result<(), EncodeError> {
        let num_frames = channels.first().map_or(0, |channel| channel.len());
        match &mut self.encoder {
            Encoder::Wav(wav) => wav.write_block(channels, num_frames)?,
            Encoder::Flac(flac) => flac.write_block(channels)?,
        }
        Ok(())
    }

    /// Completes the file's header and returns the (still temporary) file,
    /// ready to [`AtomicFile::commit`].
    ///
    /// # Errors
    /// When the final writes fail.
    pub fn finish(self) -> Result<AtomicFile, EncodeError> {
        match self.encoder {
            Encoder::Wav(wav) => wav.finish()?,
            Encoder::Flac(flac) => flac.finish()?,
        }
        Ok(self.file)
    }
}

/// A WAV writer that stores whole blocks: `hound` writes the header (its
/// exact layout: `fmt ` chunk, `WAVE_FORMAT_EXTENSIBLE` where it uses it),
/// the samples are interleaved into a byte buffer per block and written in
/// one call, and the RIFF and `data` chunk sizes are patched at the end, as
/// `hound::WavWriter::finalize` does. The bytes are the ones `hound` writes
/// sample by sample (a test checks it), at a fraction of the cost: the
/// per-sample writer was a fifth of a light `lathe process` run.
struct WavEncoder {
    out: BufWriter<std::fs::File>,
    format: OutputFormat,
    num_channels: usize,
    /// Offset of the `data` chunk's 32-bit length in the header, bytes.
    data_len_offset: u64,
    /// Length of the header (everything before the first sample), bytes.
    header_len: u64,
    /// Sample bytes written so far.
    data_bytes: u64,
    /// Interleaved bytes of the block being written (reused).
    bytes: Vec<u8>,
}

/// Offset of the RIFF chunk's 32-bit length (after `"RIFF"`), bytes.
const RIFF_LEN_OFFSET: u64 = 4;

impl WavEncoder {
    fn new(
        file: std::fs::File,
        info: AudioInfo,
        format: OutputFormat,
    ) -> Result<Self, EncodeError> {
        // The header as `hound` lays it out for this spec, with no samples.
        let mut header = io::Cursor::new(Vec::new());
        hound::WavWriter::new(&mut header, format.wav_spec(info))?.finalize()?;
        let header = header.into_inner();
        let data_len_offset = data_len_offset(&header)
            .ok_or_else(|| io::Error::other("the WAV header has no data chunk at its end"))?;
        let mut out = BufWriter::new(file);
        out.write_all(&header)?;
        Ok(Self {
            out,
            format,
            num_channels: info.num_channels,
            data_len_offset: data_len_offset as u64,
            header_len: header.len() as u64,
            data_bytes: 0,
            bytes: Vec::new(),
        })
    }

    /// Appends `num_frames` frames of the planar `channels` (already on the
    /// format's grid).
    fn write_block(&mut self, channels: &[&[f32]], num_frames: usize) -> Result<(), EncodeError> {
        debug_assert_eq!(channels.len(), self.num_channels, "one slice per channel");
        if num_frames == 0 {
            return Ok(());
        }
        let len = num_frames * self.num_channels * self.format.bytes();
        let total = self.data_bytes + len as u64;
        if self.header_len - CHUNK_HEADER_BYTES as u64 + total > u64::from(u32::MAX) {
            return Err(io::Error::other(
                "a WAV file holds at most 4 GiB: write a .flac file, or fewer or shorter channels",
            )
            .into());
        }
        self.bytes.resize(len, 0);
        self.format
            .interleave(channels, num_frames, &mut self.bytes);
        self.out.write_all(&self.bytes)?;
        self.data_bytes = total;
        Ok(())
    }

    /// Patches the RIFF and `data` lengths and flushes.
    fn finish(mut self) -> Result<(), EncodeError> {
        // Both fit: `write_block` refuses anything past `u32::MAX`.
        let riff_len = (self.header_len - CHUNK_HEADER_BYTES as u64 + self.data_bytes) as u32;
        self.out.seek(SeekFrom::Start(RIFF_LEN_OFFSET))?;
        self.out.write_all(&riff_len.to_le_bytes())?;
        self.out.seek(SeekFrom::Start(self.data_len_offset))?;
        self.out
            .write_all(&(self.data_bytes as u32).to_le_bytes())?;
        self.out.flush()?;
        Ok(())
    }
}

/// Where the `data` chunk's length is in a RIFF/WAVE header that ends with
/// that chunk's header (as `hound` writes it), or `None` if it does not.
fn data_len_offset(header: &[u8]) -> Option<usize> {
    if header.get(..4)? != RIFF_TAG || header.get(8..12)? != WAVE_TAG {
        return None;
    }
    let mut pos = RIFF_HEADER_BYTES;
    while pos + CHUNK_HEADER_BYTES <= header.len() {
        let tag = &header[pos..pos + 4];
        let len = u32::from_le_bytes(header[pos + 4..pos + 8].try_into().ok()?) as usize;
        if tag == DATA_TAG {
            return (pos + CHUNK_HEADER_BYTES == header.len()).then_some(pos + 4);
        }
        // RIFF chunks are padded to an even length.
        pos += CHUNK_HEADER_BYTES + len + (len & 1);
    }
    None
}

/// A streaming FLAC encoder (fixed block size): frames are encoded with
/// `flacenc` as soon as a block is full and written straight to the file,
/// so memory stays bounded; the STREAMINFO block at the start (a fixed 42
/// bytes with the `fLaC` marker) is rewritten at the end with the length,
/// frame sizes and the MD5 of the samples.
struct FlacEncoder {
    out: BufWriter<std::fs::File>,
    config: flacenc::error::Verified<flacenc::config::Encoder>,
    /// Verbatim (uncompressed) subframes only, for a last block shorter
    /// than [`SHORT_BLOCK_FRAMES`] and blocks that do not compress.
    short_block_config: flacenc::error::Verified<flacenc::config::Encoder>,
    stream_info: StreamInfo,
    num_channels: usize,
    /// Bytes per sample in the MD5 (FLAC hashes little-endian samples
    /// of the stream's word length, rounded up to whole bytes).
    md5_bytes: usize,
    md5: Md5,
    scale: f32,
    /// Interleaved integer samples of the block being gathered.
    pending: Vec<i32>,
    frame_buf: FrameBuf,
    frame_bytes: ByteSink,
    frames_encoded: usize,
    total_frames: u64,
    min_frame_bytes: usize,
    max_frame_bytes: usize,
}

/// `flacenc`'s error types as ours.
fn flac_error(err: impl std::fmt::Display) -> EncodeError {
    EncodeError::Flac(err.to_string())
}

impl FlacEncoder {
    fn new(
        file: std::fs::File,
        info: AudioInfo,
        format: OutputFormat,
    ) -> Result<Self, EncodeError> {
        let bits = usize::from(format.bits());
        let num_channels = info.num_channels;
        let mut stream_info =
            StreamInfo::new(info.sample_rate as usize, num_channels, bits).map_err(flac_error)?;
        // Placeholders that fit their fields (0 frame size = unknown).
        stream_info
            .set_block_sizes(FLAC_BLOCK_FRAMES, FLAC_BLOCK_FRAMES)
            .map_err(flac_error)?;
        stream_info.set_frame_sizes(0, 0).map_err(flac_error)?;
        let config = flacenc::config::Encoder::default()
            .into_verified()
            .map_err(|(_, err)| flac_error(err))?;
        let mut verbatim = flacenc::config::Encoder::default();
        verbatim.subframe_coding.use_fixed = false;
        verbatim.subframe_coding.use_lpc = false;
        let short_block_config = verbatim
            .into_verified()
            .map_err(|(_, err)| flac_error(err))?;
        let mut encoder = Self {
            out: BufWriter::new(file),
            config,
            short_block_config,
            stream_info,
            num_channels,
            md5_bytes: bits.div_ceil(8),
            md5: Md5::new(),
            scale: format.full_scale(),
            pending: Vec::with_capacity(FLAC_BLOCK_FRAMES * num_channels),
            frame_buf: FrameBuf::with_size(num_channels, FLAC_BLOCK_FRAMES).map_err(flac_error)?,
            frame_bytes: ByteSink::new(),
            frames_encoded: 0,
            total_frames: 0,
            min_frame_bytes: usize::MAX,
            max_frame_bytes: 0,
        };
        // A placeholder header of the final size; `finish` rewrites it.
        encoder.write_header()?;
        Ok(encoder)
    }

    /// Writes `fLaC` + STREAMINFO at the current position.
    fn write_header(&mut self) -> Result<(), EncodeError> {
        let mut sink = ByteSink::new();
        Stream::with_stream_info(self.stream_info.clone())
            .write(&mut sink)
            .map_err(flac_error)?;
        self.out.write_all(sink.as_slice())?;
        Ok(())
    }

    fn write_block(&mut self, channels: &[&[f32]]) -> Result<(), EncodeError> {
        let num_frames = channels.first().map_or(0, |channel| channel.len());
        for frame in 0..num_frames {
            for channel in channels {
                // Exact: the samples are integers divided by a power of two.
                let sample = (channel[frame] * self.scale) as i32;
                self.md5.update(&sample.to_le_bytes()[..self.md5_bytes]);
                self.pending.push(sample);
            }
            if self.pending.len() == FLAC_BLOCK_FRAMES * self.num_channels {
                self.encode_pending()?;
            }
        }
        Ok(())
    }

    /// Encodes the gathered samples as one frame (the last may be short).
    fn encode_pending(&mut self) -> Result<(), EncodeError> {
        let block_frames = self.pending.len() / self.num_channels;
        if block_frames == 0 {
            return Ok(());
        }
        if block_frames != self.frame_buf.size() {
            self.frame_buf.resize(block_frames);
        }
        self.frame_buf
            .fill_interleaved(&self.pending)
            .map_err(flac_error)?;
        let encode = |config| {
            flacenc::encode_fixed_size_frame(
                config,
                &self.frame_buf,
                self.frames_encoded,
                &self.stream_info,
            )
            .map_err(|err| EncodeError::Flac(format!("{err:?}")))
        };
        let frame = if block_frames < SHORT_BLOCK_FRAMES {
            encode(&self.short_block_config)?
        } else {
            encode(&self.config)?
        };
        self.frame_bytes.clear();
        frame.write(&mut self.frame_bytes).map_err(flac_error)?;
        // flacenc 0.4 sometimes codes loud, noise-like 24-bit blocks far
        // larger than the samples themselves (its size estimate and the
        // written Rice code disagree); store those verbatim instead.
        let raw_bytes = block_frames * self.num_channels * self.stream_info.bits_per_sample() / 8;
        if self.frame_bytes.as_slice().len() > raw_bytes {
            let verbatim = encode(&self.short_block_config)?;
            let mut verbatim_bytes = ByteSink::new();
            verbatim.write(&mut verbatim_bytes).map_err(flac_error)?;
            if verbatim_bytes.as_slice().len() < self.frame_bytes.as_slice().len() {
                self.frame_bytes = verbatim_bytes;
            }
        }
        let bytes = self.frame_bytes.as_slice();
        self.out.write_all(bytes)?;
        self.min_frame_bytes = self.min_frame_bytes.min(bytes.len());
        self.max_frame_bytes = self.max_frame_bytes.max(bytes.len());
        self.frames_encoded += 1;
        self.total_frames += block_frames as u64;
        self.pending.clear();
        Ok(())
    }

    fn finish(mut self) -> Result<(), EncodeError> {
        self.encode_pending()?;
        let info = &mut self.stream_info;
        // In a fixed-block-size stream only the last frame may be shorter;
        // the block sizes name the fixed one (FLAC format, STREAMINFO).
        let block = if self.frames_encoded > 1 {
            FLAC_BLOCK_FRAMES
        } else {
            (self.total_frames as usize).clamp(flacenc::constant::MIN_BLOCK_SIZE, FLAC_BLOCK_FRAMES)
        };
        info.set_block_sizes(block, block).map_err(flac_error)?;
        if self.frames_encoded > 0 {
            info.set_frame_sizes(self.min_frame_bytes, self.max_frame_bytes)
                .map_err(flac_error)?;
        }
        info.set_total_samples(self.total_frames as usize);
        info.set_md5_digest(&self.md5.clone().finalize().into());
        self.out.seek(SeekFrom::Start(0))?;
        self.write_header()?;
        self.out.flush()?;
        Ok(())
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

    /// The block writer's bytes are the ones `hound` writes sample by
    /// sample (the oracle), for every format, 1 to 8 channels (hound uses
    /// `WAVE_FORMAT_EXTENSIBLE` above two), odd frame counts and several
    /// blocks of different lengths.
    #[test]
    fn wav_bytes_match_hound_sample_by_sample() {
        let dir = tempfile::tempdir().unwrap();
        let block_lengths = [1_usize, 0, 7, 1024, 333];
        for format in [
            OutputFormat::Int16,
            OutputFormat::Int24,
            OutputFormat::Float32,
        ] {
            for num_channels in 1..=8 {
                let info = AudioInfo {
                    sample_rate: 44_100,
                    num_channels,
                };
                let blocks: Vec<Vec<Vec<f32>>> = block_lengths
                    .iter()
                    .enumerate()
                    .map(|(b, &len)| {
                        (0..num_channels)
                            .map(|c| {
                                let mut channel: Vec<f32> = (0..len)
                                    .map(|i| ((i * 7 + c * 13 + b * 31) as f32 * 0.61).sin() * 1.1)
                                    .collect();
                                format.quantize(&mut channel);
                                channel
                            })
                            .collect()
                    })
                    .collect();

                let destination = dir.path().join(format!("{format:?}-{num_channels}.wav"));
                let mut sink = WavSink::create(&destination, info, format).unwrap();
                for block in &blocks {
                    let slices: Vec<&[f32]> = block.iter().map(Vec::as_slice).collect();
                    sink.write_block(&slices).unwrap();
                }
                sink.finish().unwrap().commit(true).unwrap();

                let mut expected = io::Cursor::new(Vec::new());
                let mut writer =
                    hound::WavWriter::new(&mut expected, format.wav_spec(info)).unwrap();
                let scale = format.full_scale();
                for block in &blocks {
                    for i in 0..block[0].len() {
                        for channel in block {
                            match format {
                                OutputFormat::Int16 => {
                                    writer.write_sample((channel[i] * scale) as i16)
                                }
                                OutputFormat::Int24 => {
                                    writer.write_sample((channel[i] * scale) as i32)
                                }
                                OutputFormat::Float32 => writer.write_sample(channel[i]),
                            }
                            .unwrap();
                        }
                    }
                }
                writer.finalize().unwrap();
                let written = std::fs::read(&destination).unwrap();
                assert!(
                    written == expected.into_inner(),
                    "{format:?}, {num_channels} channels: bytes differ from hound's"
                );
            }
        }
    }

    #[test]
    fn data_chunk_is_found_only_at_the_end_of_a_riff_wave_header() {
        let mut header = Vec::new();
        header.extend_from_slice(b"RIFF\0\0\0\0WAVE");
        header.extend_from_slice(b"fmt \x03\0\0\0abc\0"); // odd length, padded
        header.extend_from_slice(b"data\0\0\0\0");
        assert_eq!(data_len_offset(&header), Some(header.len() - 4));
        assert_eq!(data_len_offset(&header[..header.len() - 1]), None);
        let mut not_wave = header.clone();
        not_wave[8..12].copy_from_slice(b"AVI ");
        assert_eq!(data_len_offset(&not_wave), None);
        let mut trailing = header.clone();
        trailing.push(0);
        assert_eq!(data_len_offset(&trailing), None);
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

    /// Every decoded sample of `path`, planar, read with the tool's decoder.
    fn read_all(path: &Path) -> Vec<Vec<f32>> {
        let mut reader = crate::decode::AudioReader::open(path).unwrap();
        let mut out = vec![Vec::new(); reader.info().num_channels];
        while let Some(block) = reader.next_block().unwrap() {
            for (all, channel) in out.iter_mut().zip(block.channels()) {
                all.extend_from_slice(channel);
            }
        }
        out
    }

    /// Whether symphonia's FLAC decoder finds the file's MD5 (STREAMINFO)
    /// equal to the MD5 of what it decoded.
    fn flac_md5_matches(path: &Path) -> bool {
        use symphonia::core::codecs::DecoderOptions;
        use symphonia::core::formats::FormatOptions;
        use symphonia::core::io::MediaSourceStream;
        use symphonia::core::meta::MetadataOptions;
        let source = MediaSourceStream::new(
            Box::new(std::fs::File::open(path).unwrap()),
            Default::default(),
        );
        let mut hint = symphonia::core::probe::Hint::new();
        hint.with_extension("flac");
        let mut format = symphonia::default::get_probe()
            .format(
                &hint,
                source,
                &FormatOptions::default(),
                &MetadataOptions::default(),
            )
            .unwrap()
            .format;
        let track = format.default_track().unwrap().clone();
        let mut decoder = symphonia::default::get_codecs()
            .make(&track.codec_params, &DecoderOptions { verify: true })
            .unwrap();
        while let Ok(packet) = format.next_packet() {
            decoder.decode(&packet).unwrap();
        }
        decoder.finalize().verify_ok == Some(true)
    }

    #[test]
    fn flac_round_trips_exactly() {
        let dir = tempfile::tempdir().unwrap();
        // Lengths: empty, under FLAC's smallest block, one block plus a
        // short one, several blocks exactly.
        for (format, num_channels, num_frames) in [
            (OutputFormat::Int16, 2, 0),
            (OutputFormat::Int16, 1, 37),
            (OutputFormat::Int24, 2, FLAC_BLOCK_FRAMES + 1_001),
            (OutputFormat::Int24, 1, 3 * FLAC_BLOCK_FRAMES),
            (OutputFormat::Int16, 2, 48_000),
        ] {
            let destination = dir.path().join(format!("{num_channels}-{num_frames}.flac"));
            let info = AudioInfo {
                sample_rate: 48_000,
                num_channels,
            };
            let mut channels: Vec<Vec<f32>> = (0..num_channels)
                .map(|c| {
                    (0..num_frames)
                        .map(|i| {
                            ((i as f32 * (0.01 + 0.03 * c as f32)).sin() * 1.2).clamp(-1.0, 1.0)
                        })
                        .collect()
                })
                .collect();
            for channel in &mut channels {
                format.quantize(channel);
            }
            let mut sink = AudioSink::create(&destination, info, format).unwrap();
            // Blocks of an awkward size, as a processing chain delivers them.
            let mut start = 0;
            while start < num_frames {
                let end = (start + 1_000).min(num_frames);
                let block: Vec<&[f32]> = channels.iter().map(|c| &c[start..end]).collect();
                sink.write_block(&block).unwrap();
                start = end;
            }
            sink.finish().unwrap().commit(false).unwrap();

            let bytes = std::fs::read(&destination).unwrap();
            assert_eq!(&bytes[..4], b"fLaC");
            if num_frames == 0 {
                continue;
            }
            assert_eq!(read_all(&destination), channels, "{destination:?}");
            assert!(flac_md5_matches(&destination), "{destination:?}");
        }
    }

    #[test]
    fn flac_refuses_float_and_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let info = AudioInfo {
            sample_rate: 44_100,
            num_channels: 2,
        };
        let result = AudioSink::create(&dir.path().join("x.flac"), info, OutputFormat::Float32);
        assert!(matches!(result, Err(EncodeError::FloatFlac)));
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
        assert!(is_flac_path(Path::new("a/b.FlAc")));
        assert!(!is_flac_path(Path::new("a/flac.wav")));
    }

    #[test]
    fn flac_of_noisy_material_is_no_larger_than_the_samples() {
        let dir = tempfile::tempdir().unwrap();
        let destination = dir.path().join("noise.flac");
        let info = AudioInfo {
            sample_rate: 48_000,
            num_channels: 2,
        };
        let num_frames = 10 * FLAC_BLOCK_FRAMES;
        // A tone ring-modulated by xorshift noise, near full scale: barely
        // compressible, and a case flacenc 0.4 alone codes several times
        // larger than the samples.
        let mut state = 0x9e37_79b9_7f4a_7c15_u64;
        let mut channels: Vec<Vec<f32>> = (0..2)
            .map(|_| {
                (0..num_frames)
                    .map(|i| {
                        state ^= state << 13;
                        state ^= state >> 7;
                        state ^= state << 17;
                        let unit = (state >> 40) as f32 / (1_u64 << 24) as f32;
                        0.9 * (0.3 * i as f32).sin() * unit
                    })
                    .collect()
            })
            .collect();
        for channel in &mut channels {
            OutputFormat::Int24.quantize(channel);
        }
        let mut sink = AudioSink::create(&destination, info, OutputFormat::Int24).unwrap();
        let block: Vec<&[f32]> = channels.iter().map(Vec::as_slice).collect();
        sink.write_block(&block).unwrap();
        sink.finish().unwrap().commit(false).unwrap();
        let size = std::fs::metadata(&destination).unwrap().len() as usize;
        let raw = num_frames * 2 * 3;
        // Frame headers and CRCs: well under 1 %.
        assert!(
            size <= raw + raw / 100,
            "{size} bytes for {raw} bytes of samples"
        );
        assert_eq!(read_all(&destination), channels);
        assert!(flac_md5_matches(&destination));
    }
}
