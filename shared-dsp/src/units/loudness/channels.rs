//! Channel roles and their BS.1770-4 weights (Annex 1, Table 3).
//!
//! The default layouts follow ITU-R BS.775 / SMPTE order (L R C LFE Ls Rs …),
//! the order hosts and WAV files use for 5.1, so 5.1 metering only needs the
//! channel count.

/// Largest channel count a [`super::LoudnessMeter`] accepts (7.1).
pub use crate::primitives::channels::MAX_CHANNELS;

/// Weight of front channels L, R, C (BS.1770-4 Table 3: 1.0, 0 dB).
pub const FRONT_WEIGHT: f64 = 1.0;
/// Weight of surround channels Ls, Rs (BS.1770-4 Table 3: 1.41, ≈ +1.5 dB).
pub const SURROUND_WEIGHT: f64 = 1.41;
/// Weight of the LFE channel: excluded from the measurement (BS.1770-4 §1).
pub const LFE_WEIGHT: f64 = 0.0;

/// Role of one channel in a layout.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChannelRole {
    /// The only channel of a mono programme.
    Mono,
    /// Front left.
    Left,
    /// Front right.
    Right,
    /// Front centre.
    Center,
    /// Low-frequency effects (not measured).
    Lfe,
    /// Left surround.
    LeftSurround,
    /// Right surround.
    RightSurround,
    /// Left rear surround (7.1).
    LeftRearSurround,
    /// Right rear surround (7.1).
    RightRearSurround,
}

impl ChannelRole {
    /// BS.1770-4 weight `G_i` of this channel (linear, applied to energy).
    pub const fn weight(self) -> f64 {
        match self {
            Self::Mono | Self::Left | Self::Right | Self::Center => FRONT_WEIGHT,
            Self::Lfe => LFE_WEIGHT,
            Self::LeftSurround
            | Self::RightSurround
            | Self::LeftRearSurround
            | Self::RightRearSurround => SURROUND_WEIGHT,
        }
    }
}

/// Default layout for `num_channels` (1 ..= [`MAX_CHANNELS`]): mono, stereo,
/// L R C, quad (L R Ls Rs), 5.0 (L R C Ls Rs), 5.1 (L R C LFE Ls Rs),
/// 6.1 (L R C LFE Ls Rs + rear centre weighted as surround), 7.1
/// (L R C LFE Ls Rs Lrs Rrs). Empty for other counts.
pub const fn default_layout(num_channels: usize) -> &'static [ChannelRole] {
    use ChannelRole::*;
    match num_channels {
        1 => &[Mono],
        2 => &[Left, Right],
        3 => &[Left, Right, Center],
        4 => &[Left, Right, LeftSurround, RightSurround],
        5 => &[Left, Right, Center, LeftSurround, RightSurround],
        6 => &[Left, Right, Center, Lfe, LeftSurround, RightSurround],
        7 => &[
            Left,
            Right,
            Center,
            Lfe,
            LeftSurround,
            RightSurround,
            LeftRearSurround,
        ],
        8 => &[
            Left,
            Right,
            Center,
            Lfe,
            LeftSurround,
            RightSurround,
            LeftRearSurround,
            RightRearSurround,
        ],
        _ => &[],
    }
}
