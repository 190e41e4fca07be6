//! Channel roles and their BS.1770-4 weights (Annex 1, Table 3).
//!
//! The default layouts follow the order hosts and WAV / FLAC files use (L R C
//! LFE Ls Rs for 5.1; 7.1 see [`default_layout`]), so 5.1 and 7.1 metering
//! only need the channel count. Other orders (a WAV channel mask) are given to the meter as
//! a list of roles ([`super::LoudnessMeter::set_channel_layout`]).
//!
//! The weights are BS.1770-4's position rule (Annex 1, Table 3): a channel
//! at elevation |φ| < 30° and azimuth 60° ≤ |θ| ≤ 120° weighs 1.41, every
//! other channel 1.0. The 5.1 surrounds (±110°) and the side surrounds of
//! 7.1 (±90°–110°) are in that range; the rear surrounds of 7.1 (±135°–150°)
//! and a rear centre (180°) are not, so they weigh 1.0 like the fronts. This
//! is libebur128's weighting too (1.41 for its ±60°, ±90° and ±110°
//! channels, 1.0 for ±135° and 180°). ffmpeg's `ebur128` filter weighs every
//! surround 1.41; on 7.1 with loud rear channels it reads up to 1.5 dB higher.

/// Largest channel count a [`super::LoudnessMeter`] accepts (7.1).
pub use crate::primitives::channels::MAX_CHANNELS;

/// Weight of front channels L, R, C (BS.1770-4 Table 3: 1.0, 0 dB).
pub const FRONT_WEIGHT: f64 = 1.0;
/// Weight of surround channels Ls, Rs (BS.1770-4 Table 3: 1.41, ≈ +1.5 dB,
/// for 60° ≤ |azimuth| ≤ 120°).
pub const SURROUND_WEIGHT: f64 = 1.41;
/// Weight of the 7.1 rear surrounds Lrs, Rrs (±135°–150°, outside Table 3's
/// 60°–120°: 1.0, as the fronts).
pub const REAR_SURROUND_WEIGHT: f64 = 1.0;
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
    /// Left surround (5.1 at ≈ 110°, or the side surround of 7.1 at ≈ 90°–110°).
    LeftSurround,
    /// Right surround (5.1 at ≈ −110°, or the side surround of 7.1).
    RightSurround,
    /// Left rear surround (7.1, ≈ 135°–150°).
    LeftRearSurround,
    /// Right rear surround (7.1, ≈ −135°–−150°).
    RightRearSurround,
}

impl ChannelRole {
    /// BS.1770-4 weight `G_i` of this channel (linear, applied to energy).
    pub const fn weight(self) -> f64 {
        match self {
            Self::Mono | Self::Left | Self::Right | Self::Center => FRONT_WEIGHT,
            Self::Lfe => LFE_WEIGHT,
            Self::LeftSurround | Self::RightSurround => SURROUND_WEIGHT,
            Self::LeftRearSurround | Self::RightRearSurround => REAR_SURROUND_WEIGHT,
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
/// 6.1 (L R C LFE Ls Rs + a rear centre, weighted as a rear surround), 7.1
/// (L R C LFE Lrs Rrs Ls Rs). Empty for other counts.
///
/// The 7.1 order is the one of the WAV 7.1 channel mask (`0x63F`: FL FR FC
/// LFE BL BR SL SR), of FLAC's 8 channels, of VST3's `k71Music` (L R C Lfe
/// Ls Rs Sl Sr, the same speaker bits) and of CLAP's surround channel ids:
/// the back pair (the 7.1 rears) before the side pair (the 7.1 surrounds).
/// It matters, because BS.1770-4 weighs the side pair 1.41 and the rears 1.0.
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
            LeftRearSurround,
            RightRearSurround,
            LeftSurround,
            RightSurround,
        ],
        _ => &[],
    }
}
