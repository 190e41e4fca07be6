//! Channel roles and their BS.1770-4 weights (Annex 1, Table 3).
//!
//! The default layouts follow ITU-R BS.775 / SMPTE order (L R C LFE Ls Rs …),
//! the order hosts and WAV files use for 5.1, so 5.1 metering only needs the
//! channel count. Other orders (a WAV channel mask) are given to the meter as
//! a list of roles ([`super::LoudnessMeter::set_channel_layout`]).
//!
//! Every surround channel, the rear pair of 7.1 included, weighs 1.41, as the
//! 5.1 surrounds of Table 3 do (and as ffmpeg's meter does). A strict reading
//! of BS.1770-4's position rule (1.41 only for 60°–120° azimuth) would weigh
//! rear surrounds at 135°–150° 1.0, as libebur128 does for its ±135° channels;
//! 7.1 readings with loud rear channels then differ by up to 1.5 dB.

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

impl ChannelRole {
    /// Short name as channel lists print it: `M`, `L`, `R`, `C`, `LFE`,
    /// `Ls`, `Rs`, `Lrs`, `Rrs`.
    pub const fn short_name(self) -> &'static str {
        match self {
            Self::Mono => "M",
            Self::Left => "L",
            Self::Right => "R",
            Self::Center => "C",
            Self::Lfe => "LFE",
            Self::LeftSurround => "Ls",
            Self::RightSurround => "Rs",
            Self::LeftRearSurround => "Lrs",
            Self::RightRearSurround => "Rrs",
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
