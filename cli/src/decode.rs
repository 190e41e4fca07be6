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
use symphonia::core::codecs::{
    CodecType, Decoder, DecoderOptions, CODEC_TYPE_NULL, CODEC_TYPE_PCM_F32LE,
    CODEC_TYPE_PCM_S16LE, CODEC_TYPE_PCM_S24LE,
};
use symphonia::core::errors::Error as SymphoniaError;
use symphonia::core::formats::{FormatOptions, FormatReader};
use symphonia::core::io::{MediaSource, MediaSourceStream};
use symphonia::core::meta::MetadataOptions;
use symphonia::core::probe::Hint;

/// Largest channel count the tool decodes (7.1). `lathe measure` takes up to
/// this many; `lathe master` and `lathe process` take mono and stereo.
pub use shared_dsp::primitives::channels::MAX_CHANNELS;

use crate::layout::ChannelLayout;
use crate::pcm::{PcmFormat, FMT_TAG, RIFF_TAG, WAVE_TAG};

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
    #[error("{0}-channel files are not supported (at most {max}, 7.1)", max = MAX_CHANNELS)]
    UnsupportedChannels(usize),
    /// A channel count whose speaker order cannot be assumed, without a channel mask.
    #[error(
        "a {0}-channel file without a channel mask: its speaker order is unknown \
        (without a mask, 1, 2, 5, 6 and 8 channels are read in the WAV default order)"
    )]
    NoChannelMask(usize),
    /// A channel mask naming speakers the loudness weights do not cover.
    #[error(
        "the WAV channel mask {0:#x} names speakers that cannot be weighed \
        (known: front L/R/C, LFE, back L/R, side L/R)"
    )]
    UnsupportedSpeakers(u32),
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
    /// The file ends before the frames its header declares.
    #[error("{0}")]
    Truncated(Truncation),
}

/// A stream that ended before the length its header declares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Truncation {
    /// Frames the header declares.
    pub declared_frames: u64,
    /// Frames the file actually holds.
    pub frames_read: u64,
}

impl std::fmt::Display for Truncation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "the file is truncated: it ends after {} of the {} frames its header declares",
            self.frames_read, self.declared_frames
        )
    }
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
    /// The speaker of each channel.
    layout: ChannelLayout,
    /// Conversion buffer, reused while packets fit in it.
    buffer: Option<AudioBuffer<f32>>,
    /// The common PCM layouts read straight from the packet bytes
    /// ([`fast_pcm_format`]); `None` leaves every packet to symphonia's decoder.
    pcm: Option<PcmFormat>,
    /// Planar output of the [`fast_pcm_format`] path, one buffer per channel.
    pcm_buffer: Vec<Vec<f32>>,
    /// Frames the stream declares (WAV data size, FLAC STREAMINFO), if known.
    declared_frames: Option<u64>,
    /// Frames handed out so far.
    frames_read: u64,
    /// Whether the end of the stream has been reached.
    finished: bool,
}

/// The PCM format of `codec` stored in `bits_per_coded_sample`-bit words,
/// if it is one the reader de-interleaves itself: little-endian PCM whose
/// conversion to `f32` is a plain per-sample rule, decoded a packet at a
/// time instead of through symphonia's per-sample reader (a fifth of a
/// light `lathe process` run). The values are symphonia's, bit for bit
/// (`tests::pcm_fast_path_equals_symphonia`).
fn fast_pcm_format(codec: CodecType, bits_per_coded_sample: Option<u32>) -> Option<PcmFormat> {
    let format = match codec {
        CODEC_TYPE_PCM_F32LE => PcmFormat::Float32,
        CODEC_TYPE_PCM_S16LE => PcmFormat::Int16,
        CODEC_TYPE_PCM_S24LE => PcmFormat::Int24,
        _ => return None,
    };
    (bits_per_coded_sample == Some(u32::from(format.bits()))).then_some(format)
}

/// Largest WAV `data` chunk length, which streaming writers (ffmpeg to a pipe, some
/// recorders) put in the header as "length unknown"; a declared length this close to it is
/// not a promise.
const WAV_UNKNOWN_DATA_BYTES: u64 = u32::MAX as u64;

/// Whether `frames` of `num_channels` channels at `bits_per_sample` fill a WAV `data` chunk of
/// the "length unknown" size (to within one frame).
fn is_wav_length_placeholder(
    frames: u64,
    num_channels: usize,
    bits_per_sample: Option<u32>,
) -> bool {
    let Some(bits) = bits_per_sample else {
        return false;
    };
    let frame_bytes = u64::from(bits.div_ceil(8)) * num_channels as u64;
    frame_bytes > 0 && frames.saturating_add(1).saturating_mul(frame_bytes) > WAV_UNKNOWN_DATA_BYTES
}

/// WAV `fmt ` format tag of `WAVE_FORMAT_EXTENSIBLE`.
const WAVE_FORMAT_EXTENSIBLE: u16 = 0xFFFE;
/// Byte offset of the channel mask in an extensible `fmt ` chunk's body.
const EXTENSIBLE_CHANNEL_MASK_OFFSET: usize = 20;
/// Largest `fmt ` chunk taken, bytes: the extensible format is 40, and codec extras are small.
/// symphonia reads a `fmt ` chunk into memory whole, and a huge claimed length with a RIFF
/// length of `u32::MAX` overflowed its chunk arithmetic.
const MAX_WAV_FMT_BYTES: u32 = 4096;
/// Chunks walked before `fmt ` before giving up (and leaving the file to symphonia).
const MAX_CHUNKS_BEFORE_FMT: usize = 64;

/// Checks the `fmt ` chunk of a RIFF/WAVE file before symphonia parses it, and rewinds.
///
/// symphonia 0.5 panics on some damaged headers, and a panic is not an error we can report:
/// the release profile aborts on panic, taking every other file of the run with it. The
/// property tests below found a sample rate of 0 (`TimeBase::new` asserts) and an extensible
/// header with fewer channel-mask bits than channels and bit 31 set (`fix_channel_mask`
/// shifts by 32); such headers, a block alignment of 0, and channel counts and rates this tool
/// does not take anyway, are refused here with a clear reason. Anything that
/// is not RIFF/WAVE, or a header this walk cannot read, is left to symphonia.
///
/// Returns the channel mask of a `WAVE_FORMAT_EXTENSIBLE` header (`None` for
/// any other header or file).
fn check_wav_header(source: &mut dyn MediaSource) -> Result<Option<u32>, DecodeError> {
    let result = walk_to_wav_format(source);
    source.seek(io::SeekFrom::Start(0))?;
    result
}

fn walk_to_wav_format(source: &mut dyn MediaSource) -> Result<Option<u32>, DecodeError> {
    let mut riff = [0u8; 12];
    if source.read_exact(&mut riff).is_err() || &riff[..4] != RIFF_TAG || &riff[8..] != WAVE_TAG {
        return Ok(None);
    }
    for _ in 0..MAX_CHUNKS_BEFORE_FMT {
        let mut header = [0u8; 8];
        if source.read_exact(&mut header).is_err() {
            return Ok(None);
        }
        let length = u32::from_le_bytes([header[4], header[5], header[6], header[7]]);
        if &header[..4] != FMT_TAG {
            // Chunks are padded to an even length.
            let skip = i64::from(length) + i64::from(length & 1);
            if source.seek(io::SeekFrom::Current(skip)).is_err() {
                return Ok(None);
            }
            continue;
        }
        if length > MAX_WAV_FMT_BYTES {
            return Err(DecodeError::Corrupt(format!(
                "the WAV header's format chunk claims {length} bytes"
            )));
        }
        let mut body = [0u8; EXTENSIBLE_CHANNEL_MASK_OFFSET + 4];
        let available = (length as usize).min(body.len());
        if source.read_exact(&mut body[..available]).is_err() || available < 4 {
            return Ok(None);
        }
        let format_tag = u16::from_le_bytes([body[0], body[1]]);
        let num_channels = usize::from(u16::from_le_bytes([body[2], body[3]]));
        if num_channels == 0 {
            return Err(DecodeError::MissingParameter("channel layout"));
        }
        if num_channels > MAX_CHANNELS {
            return Err(DecodeError::UnsupportedChannels(num_channels));
        }
        if available < 16 {
            return Ok(None);
        }
        // symphonia asserts a non-zero rate (`TimeBase::new`): a panic even in release.
        let sample_rate = u32::from_le_bytes([body[4], body[5], body[6], body[7]]);
        if !(MIN_SAMPLE_RATE_HZ..=MAX_SAMPLE_RATE_HZ).contains(&f64::from(sample_rate)) {
            return Err(DecodeError::UnsupportedSampleRate(sample_rate));
        }
        let block_align = u16::from_le_bytes([body[12], body[13]]);
        if block_align == 0 {
            return Err(DecodeError::Corrupt(
                "the WAV header gives a block alignment of 0 bytes".to_owned(),
            ));
        }
        if format_tag == WAVE_FORMAT_EXTENSIBLE && available == body.len() {
            let at = EXTENSIBLE_CHANNEL_MASK_OFFSET;
            let mask = u32::from_le_bytes([body[at], body[at + 1], body[at + 2], body[at + 3]]);
            if (mask.count_ones() as usize) < num_channels && mask & (1 << 31) != 0 {
                return Err(DecodeError::Corrupt(format!(
                    "the WAV channel mask {mask:#010x} does not match its {num_channels} channels"
                )));
            }
            return Ok(Some(mask));
        }
        return Ok(None);
    }
    Ok(None)
}

impl AudioReader {
    /// Opens `path` and prepares its first audio track for decoding.
    pub fn open(path: &Path) -> Result<Self, DecodeError> {
        let file = File::open(path)?;
        Self::from_source(
            Box::new(file),
            path.extension().and_then(|ext| ext.to_str()),
        )
    }

    /// Prepares the first audio track of `source` (a file, or bytes in memory for tests) for
    /// decoding; `extension` is a hint for the format probe.
    pub fn from_source(
        source: Box<dyn MediaSource>,
        extension: Option<&str>,
    ) -> Result<Self, DecodeError> {
        let mut source = source;
        let channel_mask = if source.is_seekable() {
            check_wav_header(source.as_mut())?
        } else {
            None
        };
        let source = MediaSourceStream::new(source, Default::default());
        let mut hint = Hint::new();
        if let Some(extension) = extension {
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
        let layout = ChannelLayout::for_file(num_channels, channel_mask)?;
        // FLAC STREAMINFO uses 0 for "unknown", WAV a data chunk of the largest size.
        let declared_frames = params.n_frames.filter(|&frames| {
            frames > 0 && !is_wav_length_placeholder(frames, num_channels, params.bits_per_sample)
        });
        let track_id = track.id;
        let pcm = fast_pcm_format(params.codec, params.bits_per_coded_sample);
        let decoder = symphonia::default::get_codecs().make(params, &DecoderOptions::default())?;

        Ok(Self {
            format,
            decoder,
            track_id,
            info: AudioInfo {
                sample_rate,
                num_channels,
            },
            layout,
            buffer: None,
            pcm,
            pcm_buffer: vec![Vec::new(); num_channels],
            declared_frames,
            frames_read: 0,
            finished: false,
        })
    }

    /// Sample rate and channel count of the stream.
    pub fn info(&self) -> AudioInfo {
        self.info
    }

    /// The speaker of each channel (channel mask, or the default order).
    pub fn channel_layout(&self) -> ChannelLayout {
        self.layout
    }

    /// Number of frames the container declares (WAV data size, FLAC
    /// STREAMINFO), if it declares any; a hint for progress, not a promise.
    pub fn declared_frames(&self) -> Option<u64> {
        self.declared_frames
    }

    /// How the stream fell short of its declared length, once [`Self::next_block`] has
    /// returned `Ok(None)`: `None` if it held every frame its header declares (or declares
    /// none), or the end has not been reached yet.
    pub fn truncation(&self) -> Option<Truncation> {
        let declared_frames = self.declared_frames?;
        (self.finished && self.frames_read < declared_frames).then_some(Truncation {
            declared_frames,
            frames_read: self.frames_read,
        })
    }

    /// Of `decoded_frames` just decoded, those within the declared length
    /// (some encoders pad the last FLAC frame to the full block size),
    /// counted as read.
    fn take_frames(&mut self, decoded_frames: u64) -> usize {
        let num_frames = match self.declared_frames {
            Some(declared) => decoded_frames.min(declared.saturating_sub(self.frames_read)),
            None => decoded_frames,
        };
        self.frames_read += num_frames;
        num_frames as usize
    }

    /// Decodes the next packet. Returns `Ok(None)` at the end of the stream, which may come
    /// before the declared length (see [`Self::truncation`]).
    pub fn next_block(&mut self) -> Result<Option<PlanarBlock<'_>>, DecodeError> {
        if self.finished {
            return Ok(None);
        }
        let packet = loop {
            match self.format.next_packet() {
                Ok(packet) if packet.track_id() == self.track_id => break packet,
                Ok(_) => continue,
                // symphonia reports the end of the stream as an EOF I/O error.
                Err(SymphoniaError::IoError(err)) if err.kind() == io::ErrorKind::UnexpectedEof => {
                    self.finished = true;
                    return Ok(None);
                }
                Err(err) => return Err(err.into()),
            }
        };

        // Whole frames of a common PCM layout: straight from the bytes.
        if let Some(layout) = self.pcm {
            let frame_bytes = layout.bytes() * self.info.num_channels;
            if packet.buf().len() % frame_bytes == 0 {
                layout.deinterleave(packet.buf(), &mut self.pcm_buffer);
                let num_frames = self.take_frames(self.pcm_buffer[0].len() as u64);
                let mut channels: [&[f32]; MAX_CHANNELS] = [&[]; MAX_CHANNELS];
                for (slot, channel) in channels.iter_mut().zip(&self.pcm_buffer) {
                    *slot = &channel[..num_frames];
                }
                return Ok(Some(PlanarBlock {
                    channels,
                    num_channels: self.info.num_channels,
                }));
            }
        }

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

        let decoded_frames = buffer.frames() as u64;
        let num_frames = self.take_frames(decoded_frames);

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

#[cfg(test)]
mod tests {
    //! Fuzz-style property tests of the decoder (issue 13: "fuzz targets … for the CLI's
    //! decoding of files"): random bytes and damaged WAV and FLAC headers, decoded from memory,
    //! must come back as an error or as audio, never as a panic or a hang.
    //! `LATHE_DECODE_CASES` sets the number of inputs per property (default 512).

    use super::*;
    use proptest::prelude::*;
    use std::io::Cursor;

    /// Byte offsets of the canonical 44-byte WAV header's fields: RIFF size, fmt chunk size,
    /// format tag, channels, sample rate, byte rate, block align, bits per sample, data size.
    const WAV_FIELD_OFFSETS: [usize; 9] = [4, 16, 20, 22, 24, 28, 32, 34, 40];

    /// Decoding stops after this many blocks (a valid file of the sizes used here has fewer).
    const MAX_BLOCKS: usize = 100_000;

    fn cases() -> u32 {
        std::env::var("LATHE_DECODE_CASES")
            .ok()
            .and_then(|n| n.parse().ok())
            .unwrap_or(512)
    }

    /// A short valid WAV in memory.
    fn valid_wav(channels: u16, sample_rate: u32, float: bool, frames: usize) -> Vec<u8> {
        let spec = hound::WavSpec {
            channels,
            sample_rate,
            bits_per_sample: if float { 32 } else { 16 },
            sample_format: if float {
                hound::SampleFormat::Float
            } else {
                hound::SampleFormat::Int
            },
        };
        let mut bytes = Cursor::new(Vec::new());
        let mut writer = hound::WavWriter::new(&mut bytes, spec).expect("WAV header");
        for i in 0..frames * usize::from(channels) {
            let x = ((i as f32) * 0.01).sin() * 0.5;
            if float {
                writer.write_sample(x).expect("sample");
            } else {
                writer.write_sample((x * 32767.0) as i16).expect("sample");
            }
        }
        writer.finalize().expect("WAV finalize");
        bytes.into_inner()
    }

    /// Opens `bytes` as a file with `extension` and decodes all of it. Returns the frames
    /// decoded or the error; panics only if the decoder does.
    fn decode(bytes: Vec<u8>, extension: Option<&str>) -> Result<u64, DecodeError> {
        let mut reader = AudioReader::from_source(Box::new(Cursor::new(bytes)), extension)?;
        let mut frames = 0;
        for _ in 0..MAX_BLOCKS {
            match reader.next_block()? {
                Some(block) => frames += block.channels()[0].len() as u64,
                None => return Ok(frames),
            }
        }
        panic!("the decoder did not reach the end after {MAX_BLOCKS} blocks");
    }

    fn extension() -> impl Strategy<Value = Option<&'static str>> {
        prop_oneof![
            Just(None),
            Just(Some("wav")),
            Just(Some("flac")),
            Just(Some("mp3"))
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: cases(), failure_persistence: None, ..ProptestConfig::default() })]

        #[test]
        fn random_bytes_are_refused(bytes in prop::collection::vec(any::<u8>(), 0..4096), ext in extension()) {
            let starts_like_audio = bytes.starts_with(RIFF_TAG) || bytes.starts_with(b"fLaC");
            let result = decode(bytes, ext);
            prop_assert!(starts_like_audio || result.is_err(), "random bytes decoded: {result:?}");
        }

        #[test]
        fn damaged_wav_headers_decode_or_fail_cleanly(
            channels in 1u16..=3,
            sample_rate in prop_oneof![Just(44_100u32), Just(48_000), 1u32..400_000],
            float in any::<bool>(),
            frames in 0usize..2000,
            field_writes in prop::collection::vec(
                (prop::sample::select(WAV_FIELD_OFFSETS.to_vec()),
                 prop_oneof![Just(0u32), Just(1), Just(u32::MAX), Just(u32::MAX - 1), Just(0x8000_0000), any::<u32>()]),
                0..4),
            byte_writes in prop::collection::vec((0usize..64, any::<u8>()), 0..6),
            cut in prop::option::of(any::<prop::sample::Index>()),
            ext in extension(),
        ) {
            let mut bytes = valid_wav(channels, sample_rate, float, frames);
            for (offset, value) in field_writes {
                let width = if matches!(offset, 20 | 22 | 32 | 34) { 2 } else { 4 };
                bytes[offset..offset + width].copy_from_slice(&value.to_le_bytes()[..width]);
            }
            for (offset, value) in byte_writes {
                if offset < bytes.len() {
                    bytes[offset] = value;
                }
            }
            if let Some(cut) = cut {
                let len = cut.index(bytes.len() + 1);
                bytes.truncate(len);
            }
            let _ = decode(bytes, ext);
        }

        #[test]
        fn damaged_flac_streams_decode_or_fail_cleanly(
            tail in prop::collection::vec(any::<u8>(), 0..2048),
            streaminfo_length in prop_oneof![Just(34u32), any::<u32>()],
        ) {
            // "fLaC", a last-block STREAMINFO header with a (maybe wrong) length, then garbage.
            let mut bytes = b"fLaC".to_vec();
            bytes.push(0x80);
            bytes.extend_from_slice(&streaminfo_length.to_be_bytes()[1..]);
            bytes.extend_from_slice(&tail);
            let _ = decode(bytes, Some("flac"));
        }
    }

    /// Every sample of a file, channel by channel, as `f32` bits.
    fn decode_bits(mut reader: AudioReader) -> Vec<Vec<u32>> {
        let mut out = vec![Vec::new(); reader.info().num_channels];
        while let Some(block) = reader.next_block().unwrap() {
            for (all, channel) in out.iter_mut().zip(block.channels()) {
                all.extend(channel.iter().map(|x| x.to_bits()));
            }
        }
        out
    }

    /// The packet-at-a-time PCM path gives symphonia's decoder's values,
    /// bit for bit: 16- and 24-bit integer and 32-bit float, 1–6 channels,
    /// random samples with the extremes of each format, and a file whose
    /// data ends mid-frame (symphonia then takes the last packet).
    #[test]
    fn pcm_fast_path_equals_symphonia() {
        let mut seed = 0x2545_f491_4f6c_dd1d_u64;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        let formats = [
            (hound::SampleFormat::Int, 16, PcmFormat::Int16),
            (hound::SampleFormat::Int, 24, PcmFormat::Int24),
            (hound::SampleFormat::Float, 32, PcmFormat::Float32),
        ];
        for (sample_format, bits, layout) in formats {
            // 7 and 8 channels with hound's default masks are no layout we take.
            for channels in 1..=6_u16 {
                let spec = hound::WavSpec {
                    channels,
                    sample_rate: 48_000,
                    bits_per_sample: bits,
                    sample_format,
                };
                let frames = 5_000 + usize::from(channels) * 7;
                let mut bytes = Cursor::new(Vec::new());
                let mut writer = hound::WavWriter::new(&mut bytes, spec).unwrap();
                let top = ((1_i64 << (bits - 1)) - 1) as i32;
                for i in 0..frames * usize::from(channels) {
                    let r = next();
                    match (sample_format, i % 97) {
                        (hound::SampleFormat::Float, 0) => writer.write_sample(1.0f32),
                        (hound::SampleFormat::Float, _) => {
                            writer.write_sample((r as i64 as f64 / i64::MAX as f64) as f32 * 1.5)
                        }
                        (_, 0) => writer.write_sample(top),
                        (_, 1) => writer.write_sample(-top - 1),
                        (_, _) => writer.write_sample((r as i32) >> (32 - bits)),
                    }
                    .unwrap();
                }
                writer.finalize().unwrap();
                let mut bytes = bytes.into_inner();
                for cut in [0, 1] {
                    bytes.truncate(bytes.len() - cut);
                    let open = || {
                        AudioReader::from_source(Box::new(Cursor::new(bytes.clone())), Some("wav"))
                            .unwrap()
                    };
                    let fast = open();
                    assert_eq!(fast.pcm, Some(layout), "{bits}-bit: the fast path applies");
                    let mut reference = open();
                    reference.pcm = None;
                    let (fast, reference) = (decode_bits(fast), decode_bits(reference));
                    assert!(reference[0].len() >= frames - 1);
                    assert!(
                        fast == reference,
                        "{bits}-bit, {channels} channels, cut {cut}"
                    );
                }
            }
        }
    }

    #[test]
    fn a_wav_shorter_than_its_header_is_reported_as_truncated() {
        let mut bytes = valid_wav(2, 48_000, false, 4800);
        bytes.truncate(bytes.len() / 2);
        let mut reader = AudioReader::from_source(Box::new(Cursor::new(bytes)), Some("wav"))
            .expect("the header is intact");
        let mut frames = 0;
        while let Some(block) = reader.next_block().expect("decodes") {
            frames += block.channels()[0].len() as u64;
        }
        let truncation = reader.truncation().expect("reported as truncated");
        assert_eq!(truncation.declared_frames, 4800);
        assert_eq!(truncation.frames_read, frames);
        assert!(frames < 4800);
    }

    #[test]
    fn a_whole_wav_and_a_streamed_wav_are_not_truncated() {
        let bytes = valid_wav(1, 48_000, true, 4800);
        assert_eq!(decode(bytes.clone(), Some("wav")).expect("decodes"), 4800);
        let mut reader =
            AudioReader::from_source(Box::new(Cursor::new(bytes.clone())), None).unwrap();
        while reader.next_block().unwrap().is_some() {}
        assert_eq!(reader.truncation(), None);
        // A streaming writer's "length unknown" data size.
        let mut streamed = bytes;
        streamed[40..44].copy_from_slice(&u32::MAX.to_le_bytes());
        let mut reader = AudioReader::from_source(Box::new(Cursor::new(streamed)), None).unwrap();
        while reader.next_block().unwrap().is_some() {}
        assert_eq!(reader.truncation(), None);
    }
}
