//! Which speaker each channel of a file feeds, for the BS.1770-4 channel
//! weights: from a WAV file's `WAVE_FORMAT_EXTENSIBLE` channel mask when it
//! has one, else the WAV default order for the channel count.
//!
//! The fallback without a mask (also every FLAC file, whose specification
//! fixes these orders): 1 channel mono, 2 L R, 5 L R C Ls Rs, 6 L R C LFE Ls
//! Rs, 8 L R C LFE Lrs Rrs Ls Rs. The 8-channel order is FLAC's and the WAV
//! 7.1 mask's (`0x63F`: FL FR FC LFE BL BR SL SR, back pair before side
//! pair), the meter's default 7.1 order: it matters, because BS.1770-4
//! weighs the side surrounds 1.41 and the rears 1.0. 3, 4
//! and 7 channels without a mask are refused: their order is not settled
//! enough to guess. Mono and stereo files are measured as mono and stereo
//! whatever their mask says.

use shared_dsp::units::loudness::channels::default_layout;
use shared_dsp::units::loudness::ChannelRole;

use crate::decode::{DecodeError, MAX_CHANNELS};

/// Channel counts measured without a channel mask (see the module docs).
pub const FALLBACK_CHANNEL_COUNTS: [usize; 5] = [1, 2, 5, 6, 8];

/// WAV speaker-position bits (`SPEAKER_*` of `WAVEFORMATEXTENSIBLE`) this
/// tool weighs; a channel in an extensible file is the next set bit.
mod speaker {
    pub const FRONT_LEFT: u32 = 0x1;
    pub const FRONT_RIGHT: u32 = 0x2;
    pub const FRONT_CENTER: u32 = 0x4;
    pub const LOW_FREQUENCY: u32 = 0x8;
    pub const BACK_LEFT: u32 = 0x10;
    pub const BACK_RIGHT: u32 = 0x20;
    pub const SIDE_LEFT: u32 = 0x200;
    pub const SIDE_RIGHT: u32 = 0x400;
    /// Every bit above.
    pub const KNOWN: u32 = FRONT_LEFT
        | FRONT_RIGHT
        | FRONT_CENTER
        | LOW_FREQUENCY
        | BACK_LEFT
        | BACK_RIGHT
        | SIDE_LEFT
        | SIDE_RIGHT;
}

/// Where a [`ChannelLayout`] came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LayoutSource {
    /// The file's `WAVE_FORMAT_EXTENSIBLE` channel mask.
    ChannelMask(u32),
    /// The default order for the channel count (no mask, or a mono/stereo file).
    Default,
}

/// The speaker of every channel of a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChannelLayout {
    roles: [ChannelRole; MAX_CHANNELS],
    num_channels: usize,
    /// Where the order came from.
    pub source: LayoutSource,
}

impl ChannelLayout {
    /// The layout of a file with `num_channels` (1 ..= [`MAX_CHANNELS`]) and
    /// the channel mask of its header, if any (0 counts as none).
    ///
    /// # Errors
    /// A channel count without a default order and no mask; a mask naming
    /// speakers this tool does not weigh, or not one speaker per channel.
    pub fn for_file(num_channels: usize, mask: Option<u32>) -> Result<Self, DecodeError> {
        match mask.filter(|&mask| mask != 0) {
            Some(mask) if num_channels > 2 => Self::from_mask(mask, num_channels),
            _ => Self::fallback(num_channels),
        }
    }

    /// The default order for `num_channels`.
    fn fallback(num_channels: usize) -> Result<Self, DecodeError> {
        if !FALLBACK_CHANNEL_COUNTS.contains(&num_channels) {
            return Err(DecodeError::NoChannelMask(num_channels));
        }
        let mut roles = [ChannelRole::Mono; MAX_CHANNELS];
        roles[..num_channels].copy_from_slice(default_layout(num_channels));
        Ok(Self {
            roles,
            num_channels,
            source: LayoutSource::Default,
        })
    }

    /// The order a channel mask gives: channels follow the set bits from the
    /// lowest. Back L/R are the surrounds, unless side L/R are present too
    /// (7.1: then back L/R are the rear surrounds).
    fn from_mask(mask: u32, num_channels: usize) -> Result<Self, DecodeError> {
        use speaker::*;
        if mask & !KNOWN != 0 {
            return Err(DecodeError::UnsupportedSpeakers(mask));
        }
        if mask.count_ones() as usize != num_channels {
            return Err(DecodeError::Corrupt(format!(
                "the WAV channel mask {mask:#x} names {} speakers for {num_channels} channels",
                mask.count_ones()
            )));
        }
        let has_sides = mask & (SIDE_LEFT | SIDE_RIGHT) != 0;
        let role_of = |bit: u32| match bit {
            FRONT_LEFT => ChannelRole::Left,
            FRONT_RIGHT => ChannelRole::Right,
            FRONT_CENTER => ChannelRole::Center,
            LOW_FREQUENCY => ChannelRole::Lfe,
            BACK_LEFT if has_sides => ChannelRole::LeftRearSurround,
            BACK_RIGHT if has_sides => ChannelRole::RightRearSurround,
            BACK_LEFT | SIDE_LEFT => ChannelRole::LeftSurround,
            _ => ChannelRole::RightSurround, // BACK_RIGHT | SIDE_RIGHT
        };
        let mut roles = [ChannelRole::Mono; MAX_CHANNELS];
        let bits = (0..u32::BITS).map(|i| 1 << i).filter(|bit| mask & bit != 0);
        for (role, bit) in roles.iter_mut().zip(bits) {
            *role = role_of(bit);
        }
        Ok(Self {
            roles,
            num_channels,
            source: LayoutSource::ChannelMask(mask),
        })
    }

    /// The role of each channel, `roles()[c]` for channel `c`.
    pub fn roles(&self) -> &[ChannelRole] {
        &self.roles[..self.num_channels]
    }

    /// The channel names, space-separated: `"L R C LFE Ls Rs"`.
    pub fn names(&self) -> String {
        let names: Vec<&str> = self.roles().iter().map(|role| role.short_name()).collect();
        names.join(" ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ChannelRole::*;

    #[test]
    fn masks_give_the_order_of_their_bits() {
        let side_5_1 = ChannelLayout::for_file(6, Some(0x60F)).unwrap();
        assert_eq!(
            side_5_1.roles(),
            &[Left, Right, Center, Lfe, LeftSurround, RightSurround]
        );
        let back_5_1 = ChannelLayout::for_file(6, Some(0x3F)).unwrap();
        assert_eq!(back_5_1.roles(), side_5_1.roles());
        let wav_7_1 = ChannelLayout::for_file(8, Some(0x63F)).unwrap();
        assert_eq!(wav_7_1.names(), "L R C LFE Lrs Rrs Ls Rs");
        assert_eq!(wav_7_1.source, LayoutSource::ChannelMask(0x63F));
        // Without a mask, 8 channels are in the same (FLAC / WAV 7.1) order.
        assert_eq!(
            ChannelLayout::for_file(8, None).unwrap().roles(),
            wav_7_1.roles()
        );
        let four_one = ChannelLayout::for_file(5, Some(0x3B)).unwrap();
        assert_eq!(four_one.names(), "L R LFE Ls Rs");
    }

    #[test]
    fn no_mask_falls_back_to_the_wav_default_order() {
        for (channels, names) in [
            (1, "M"),
            (2, "L R"),
            (5, "L R C Ls Rs"),
            (6, "L R C LFE Ls Rs"),
            (8, "L R C LFE Lrs Rrs Ls Rs"),
        ] {
            for mask in [None, Some(0)] {
                let layout = ChannelLayout::for_file(channels, mask).unwrap();
                assert_eq!(layout.names(), names);
                assert_eq!(layout.source, LayoutSource::Default);
            }
        }
        // Mono and stereo ignore their mask.
        assert_eq!(
            ChannelLayout::for_file(2, Some(0x600)).unwrap().names(),
            "L R"
        );
        for channels in [3, 4, 7] {
            assert!(matches!(
                ChannelLayout::for_file(channels, None),
                Err(DecodeError::NoChannelMask(n)) if n == channels
            ));
        }
    }

    #[test]
    fn unknown_speakers_and_miscounted_masks_are_refused() {
        // Top front left (0x1000) is not weighed here.
        assert!(matches!(
            ChannelLayout::for_file(6, Some(0x100F | 0x30)),
            Err(DecodeError::UnsupportedSpeakers(_))
        ));
        assert!(matches!(
            ChannelLayout::for_file(6, Some(0x1F)),
            Err(DecodeError::Corrupt(_))
        ));
    }
}
