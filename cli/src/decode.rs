//! Streaming audio decoding: a file in, planar `f32` blocks out.
//!
//! Parsing and decoding are done by `symphonia` (WAV and FLAC); this module
//! only opens the file, picks its audio track and converts each decoded
//! packet to planar `f32` in a buffer that is reused from packet to packet,
//! so memory stays bounded whatever the length of the file.
//!
//! Integer samples are scaled by symphonia's converters (`x / 2^(bits-1)`),
//! which is exact for 16- and 24-bit PCM.

use shared_dsp::units::loudness::{MAX_SAMPLE_RATE_HZ, MIN_SAMPLE_RATE_HZ};
use std::fs::File;
use std::io;
use std::path::Path;

use symphonia::core::audio::{AudioBuffer, Signal};
use symphonia::core::codecs::{Decoder, DecoderOptions, CODEC_TYPE_NULL};
use symphonia::core::errors::Error as SymphoniaError;
use symphonia::core::formats::{FormatOptions, FormatReader};
use symphonia::core::io::MediaSourceStream;
use symphonia::core::meta::MetadataOptions;
use symphonia::core::probe::Hint;

/// Largest channel count the tool accepts for now (mono and stereo).
pub use shared_dsp::primitives::channels::STEREO as MAX_CHANNELS;

/// Why a file could not be decoded. The `Display` text is the reason shown
/// to the user after `lathe: cannot read "FILE": `.
#[derive(Debug, thiserror::Error)]
pub enum DecodeError {
    /// The file could not be opened or read.
    #[error("{0}")]
    Io(#[from] io::Error),
    /// The file is not in a format we can decode.
    #[error("not a supported audio file (WAV or FLAC expected)")]
    UnsupportedFormat,
    /// The container holds no audio track.
    #[error("no audio track found")]
    NoAudioTrack,
    /// The track does not declare a sample rate or channel layout.
    #[error("the audio track does not declare its {0}")]
    MissingParameter(&'static str),
    /// More channels than [`MAX_CHANNELS`].
    #[error("{0}-channel files are not supported yet")]
    UnsupportedChannels(usize),
    /// A sample rate the loudness DSP does not measure.
    #[error("a sample rate of {0} Hz is not supported (supported: {min}–{max} Hz)",
        min = MIN_SAMPLE_RATE_HZ, max = MAX_SAMPLE_RATE_HZ)]
    UnsupportedSampleRate(u32),
    /// The stream changed its sample rate or channel count part-way through.
    #[error("the stream changes its sample rate or channel count part-way through")]
    SpecChanged,
    /// The codec is recognised but this build cannot decode it.
    #[error("unsupported audio encoding: {0}")]
    UnsupportedCodec(String),
    /// The audio data is damaged.
    #[error("corrupt audio data: {0}")]
    Corrupt(String),
}

impl From<SymphoniaError> for DecodeError {
    fn from(err: SymphoniaError) -> Self {
        match err {
            SymphoniaError::IoError(io_err) if io_err.kind() == io::ErrorKind::UnexpectedEof => {
                Self::Corrupt("the file ends unexpectedly".to_owned())
            }
            SymphoniaError::IoError(io_err) => Self::Io(io_err),
            SymphoniaError::DecodeError(msg) => Self::Corrupt(msg.to_owned()),
            SymphoniaError::Unsupported(what) => Self::UnsupportedCodec(what.to_owned()),
            SymphoniaError::LimitError(what) => Self::Corrupt(format!("limit exceeded: {what}")),
            SymphoniaError::SeekError(_) | SymphoniaError::ResetRequired => {
                Self::Corrupt(err.to_string())
            }
        }
    }
}

/// Stream parameters of an opened file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AudioInfo {
    /// Sample rate in Hz (> 0).
    pub sample_rate: u32,
    /// Number of channels, 1..=[`MAX_CHANNELS`].
    pub num_channels: usize,
}

/// One decoded block: `num_channels` planar slices of equal length.
#[derive(Debug, Clone, Copy)]
pub struct PlanarBlock<'a> {
    channels: [&'a [f32]; MAX_CHANNELS],
    num_channels: usize,
}

impl<'a> PlanarBlock<'a> {
    /// The channel slices, `channels()[c][i]`, samples nominally in −1.0..=1.0.
    pub fn channels(&self) -> &[&'a [f32]] {
        &self.channels[..self.num_channels]
    }
}

/// A streaming reader that yields a file's audio as planar `f32` blocks, one
/// decoded packet at a time.
pub struct AudioReader {
    format: Box<dyn FormatReader>,
    decoder: Box<dyn Decoder>,
    track_id: u32,
    info: AudioInfo,
    /// Conversion buffer, reused while packets fit in it.
    buffer: Option<AudioBuffer<f32>>,
    /// Frames the stream declares (WAV data size, FLAC STREAMINFO), if known.
    declared_frames: Option<u64>,
    /// Frames handed out so far.
    frames_read: u64,
}

impl AudioReader {
    /// Opens `path` and prepares its first audio track for decoding.
    pub fn open(path: &Path) -> Result<Self, DecodeError> {
        let file = File::open(path)?;
        let source = MediaSourceStream::new(Box::new(file), Default::default());
        let mut hint = Hint::new();
        if let Some(extension) = path.extension().and_then(|ext| ext.to_str()) {
            hint.with_extension(extension);
        }
        let probed = symphonia::default::get_probe()
            .format(
                &hint,
                source,
                &FormatOptions::default(),
                &MetadataOptions::default(),
            )
            .map_err(|err| match err {
                SymphoniaError::IoError(io_err)
                    if io_err.kind() != io::ErrorKind::UnexpectedEof =>
                {
                    DecodeError::Io(io_err)
                }
                // Unknown or truncated headers: not something we can read.
                _ => DecodeError::UnsupportedFormat,
            })?;
        let format = probed.format;

        let track = format
            .tracks()
            .iter()
            .find(|track| track.codec_params.codec != CODEC_TYPE_NULL)
            .ok_or(DecodeError::NoAudioTrack)?;
        let params = &track.codec_params;
        let sample_rate = params
            .sample_rate
            .filter(|&rate| rate > 0)
            .ok_or(DecodeError::MissingParameter("sample rate"))?;
        let num_channels = params
            .channels
            .map(|channels| channels.count())
            .ok_or(DecodeError::MissingParameter("channel layout"))?;
        if num_channels == 0 {
            return Err(DecodeError::MissingParameter("channel layout"));
        }
        if num_channels > MAX_CHANNELS {
            return Err(DecodeError::UnsupportedChannels(num_channels));
        }
        if !(MIN_SAMPLE_RATE_HZ..=MAX_SAMPLE_RATE_HZ).contains(&f64::from(sample_rate)) {
            return Err(DecodeError::UnsupportedSampleRate(sample_rate));
        }
        // FLAC STREAMINFO uses 0 for "unknown".
        let declared_frames = params.n_frames.filter(|&frames| frames > 0);
        let track_id = track.id;
        let decoder = symphonia::default::get_codecs().make(params, &DecoderOptions::default())?;

        Ok(Self {
            format,
            decoder,
            track_id,
            info: AudioInfo {
                sample_rate,
                num_channels,
            },
            buffer: None,
            declared_frames,
            frames_read: 0,
        })
    }

    /// Sample rate and channel count of the stream.
    pub fn info(&self) -> AudioInfo {
        self.info
    }

    /// Number of frames the container declares (WAV data size, FLAC
    /// STREAMINFO), if it declares any; a hint for progress, not a promise.
    pub fn declared_frames(&self) -> Option<u64> {
        self.declared_frames
    }

    /// Decodes the next packet. Returns `Ok(None)` at the end of the stream.
    pub fn next_block(&mut self) -> Result<Option<PlanarBlock<'_>>, DecodeError> {
        let packet = loop {
            match self.format.next_packet() {
                Ok(packet) if packet.track_id() == self.track_id => break packet,
                Ok(_) => continue,
                // symphonia reports the end of the stream as an EOF I/O error.
                Err(SymphoniaError::IoError(err)) if err.kind() == io::ErrorKind::UnexpectedEof => {
                    return Ok(None)
                }
                Err(err) => return Err(err.into()),
            }
        };

        let decoded = self.decoder.decode(&packet)?;
        let spec = *decoded.spec();
        if spec.rate != self.info.sample_rate || spec.channels.count() != self.info.num_channels {
            return Err(DecodeError::SpecChanged);
        }
        let needs_new_buffer = match &self.buffer {
            Some(buffer) => buffer.capacity() < decoded.capacity() || *buffer.spec() != spec,
            None => true,
        };
        if needs_new_buffer {
            // Happens once per file in practice: packet sizes are bounded by
            // the container's maximum block size.
            self.buffer = Some(decoded.make_equivalent::<f32>());
        }
        let buffer = self.buffer.as_mut().expect("buffer was just ensured");
        decoded.convert(buffer);

        // Some encoders pad the last FLAC frame to the full block size; the
        // stream's declared length says where the audio really ends.
        let decoded_frames = buffer.frames() as u64;
        let num_frames = match self.declared_frames {
            Some(declared) => decoded_frames.min(declared.saturating_sub(self.frames_read)),
            None => decoded_frames,
        };
        self.frames_read += num_frames;
        let num_frames = num_frames as usize;

        let buffer = self.buffer.as_ref().expect("buffer was just ensured");
        let mut channels: [&[f32]; MAX_CHANNELS] = [&[]; MAX_CHANNELS];
        for (channel, slot) in channels.iter_mut().enumerate().take(self.info.num_channels) {
            *slot = &buffer.chan(channel)[..num_frames];
        }
        Ok(Some(PlanarBlock {
            channels,
            num_channels: self.info.num_channels,
        }))
    }
}
