//! Little-endian interleaved PCM as a WAV file stores it: the three sample
//! formats the CLI writes and reads a packet at a time, their widths and
//! scales, and the RIFF tags both directions look for. One place, so the
//! reader ([`crate::decode`]) and the writer ([`crate::encode`]) cannot
//! disagree about a format.
//!
//! Integers map to `f32` as symphonia and hound do: `x / 2^(bits−1)` (exact
//! in `f32`: at most 24 significant bits, a power-of-two scale); float is
//! stored as is.

/// Magic of a RIFF file and of the WAVE form type.
pub const RIFF_TAG: &[u8; 4] = b"RIFF";
pub const WAVE_TAG: &[u8; 4] = b"WAVE";
/// The format chunk.
pub const FMT_TAG: &[u8; 4] = b"fmt ";
/// The sample data chunk.
pub const DATA_TAG: &[u8; 4] = b"data";
/// Bytes of a RIFF chunk's tag and its 32-bit length.
pub const CHUNK_HEADER_BYTES: usize = 8;
/// Bytes of `"RIFF" <length> "WAVE"` before the first chunk.
pub const RIFF_HEADER_BYTES: usize = 12;

/// A PCM sample format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PcmFormat {
    /// 16-bit integer PCM.
    Int16,
    /// 24-bit integer PCM.
    Int24,
    /// 32-bit IEEE float.
    Float32,
}

impl PcmFormat {
    /// Bits per sample in the file.
    pub fn bits(self) -> u16 {
        match self {
            Self::Int16 => 16,
            Self::Int24 => 24,
            Self::Float32 => 32,
        }
    }

    /// Bytes per sample in the file.
    pub fn bytes(self) -> usize {
        usize::from(self.bits() / 8)
    }

    /// Whether samples are stored as integers.
    pub fn is_integer(self) -> bool {
        !matches!(self, Self::Float32)
    }

    /// Integer full scale `2^(bits−1)`: the value of +1.0 (integer formats).
    pub fn full_scale(self) -> f32 {
        // Exact in f32: a power of two.
        (1_u32 << (self.bits() - 1)) as f32
    }

    /// De-interleaves the whole frames of `bytes` into `out` (one buffer per
    /// channel, resized to the frame count); a partial frame at the end is
    /// left out.
    pub fn deinterleave(self, bytes: &[u8], out: &mut [Vec<f32>]) {
        let width = self.bytes();
        let stride = width * out.len();
        let frames = bytes.len() / stride;
        let scale = 1.0 / self.full_scale();
        for (c, channel) in out.iter_mut().enumerate() {
            channel.resize(frames, 0.0);
            let at = c * width;
            let samples = bytes
                .chunks_exact(stride)
                .map(|frame| &frame[at..at + width]);
            match self {
                Self::Float32 => {
                    for (y, b) in channel.iter_mut().zip(samples) {
                        *y = f32::from_le_bytes([b[0], b[1], b[2], b[3]]);
                    }
                }
                Self::Int16 => {
                    for (y, b) in channel.iter_mut().zip(samples) {
                        *y = f32::from(i16::from_le_bytes([b[0], b[1]])) * scale;
                    }
                }
                Self::Int24 => {
                    // Sign-extended by the arithmetic shift.
                    for (y, b) in channel.iter_mut().zip(samples) {
                        *y = (i32::from_le_bytes([0, b[0], b[1], b[2]]) >> 8) as f32 * scale;
                    }
                }
            }
        }
    }

    /// Interleaves `num_frames` frames of the planar `channels` (already on
    /// the format's grid) into `out`, which holds exactly that many frames.
    pub fn interleave(self, channels: &[&[f32]], num_frames: usize, out: &mut [u8]) {
        let width = self.bytes();
        let stride = channels.len() * width;
        debug_assert_eq!(out.len(), num_frames * stride);
        let scale = self.full_scale();
        for (c, channel) in channels.iter().enumerate() {
            let frames = out.chunks_exact_mut(stride);
            let at = c * width;
            let channel = &channel[..num_frames];
            match self {
                // Exact: the samples are integers divided by a power of two.
                Self::Int16 => {
                    for (dst, &x) in frames.zip(channel) {
                        dst[at..at + 2].copy_from_slice(&((x * scale) as i16).to_le_bytes());
                    }
                }
                Self::Int24 => {
                    for (dst, &x) in frames.zip(channel) {
                        dst[at..at + 3].copy_from_slice(&((x * scale) as i32).to_le_bytes()[..3]);
                    }
                }
                Self::Float32 => {
                    for (dst, &x) in frames.zip(channel) {
                        dst[at..at + 4].copy_from_slice(&x.to_le_bytes());
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_grid_value_round_trips_through_the_bytes() {
        // The extremes, zero and a few in between, on each format's grid.
        for format in [PcmFormat::Int16, PcmFormat::Int24, PcmFormat::Float32] {
            let full = format.full_scale();
            let values: Vec<f32> = if format.is_integer() {
                [-full, -full + 1.0, -1.0, 0.0, 1.0, 12_345.0, full - 1.0]
                    .iter()
                    .map(|v| v / full)
                    .collect()
            } else {
                vec![-1.5, -1.0, -1e-30, 0.0, 0.25, 1.0, 3.0]
            };
            let left = values.clone();
            let right: Vec<f32> = values.iter().rev().copied().collect();
            let mut bytes = vec![0; values.len() * 2 * format.bytes()];
            format.interleave(&[&left, &right], values.len(), &mut bytes);
            let mut out = vec![Vec::new(), Vec::new()];
            format.deinterleave(&bytes, &mut out);
            assert_eq!(out[0], left, "{format:?}");
            assert_eq!(out[1], right, "{format:?}");
        }
    }

    #[test]
    fn integers_are_stored_little_endian_twos_complement() {
        let mut bytes = [0u8; 6];
        PcmFormat::Int24.interleave(&[&[-1.0], &[1.0 / 8_388_608.0]], 1, &mut bytes);
        assert_eq!(bytes, [0x00, 0x00, 0x80, 0x01, 0x00, 0x00]);
        let mut bytes = [0u8; 2];
        PcmFormat::Int16.interleave(&[&[-0.5]], 1, &mut bytes);
        assert_eq!(bytes, [0x00, 0xC0]);
    }
}
