//! What the processor benches share: the rate, one second of music-like
//! stereo (a bass tone and a decaying hiss on every quarter-second beat,
//! from a fixed LCG seed), the block loop, and the settings of the Bus
//! Glue's three-band and the Stereo Imager's bench cases.

use shared_dsp::processors::bus_glue::{BandSettings, BusGlueSettings, DEFAULT_BANDS};
use shared_dsp::processors::stereo_imager::ImagerSettings;

/// Sample rate of every bench, Hz.
pub const SAMPLE_RATE_HZ: f64 = 48_000.0;
/// Channels of the bench signal.
pub const NUM_CHANNELS: usize = 2;
/// One second of audio per iteration.
pub const SIGNAL_FRAMES: usize = 48_000;

/// The music-like bench signal, planar.
pub fn music_like() -> Vec<Vec<f32>> {
    let mut seed = 0x1234_5678u32;
    (0..NUM_CHANNELS)
        .map(|c| {
            (0..SIGNAL_FRAMES)
                .map(|i| {
                    seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
                    let hiss = (seed >> 9) as f32 / (1u32 << 23) as f32 - 0.5;
                    let t = i as f32 / SAMPLE_RATE_HZ as f32;
                    let beat = (i % 12_000) as f32 / SAMPLE_RATE_HZ as f32;
                    0.3 * (2.0 * std::f32::consts::PI * (110.0 + 3.0 * c as f32) * t).sin()
                        + 0.5 * (-beat * 20.0).exp() * hiss
                })
                .collect()
        })
        .collect()
}

/// Runs `process` over `left`/`right` in blocks of `block` frames.
pub fn in_blocks(
    left: &mut [f32],
    right: &mut [f32],
    block: usize,
    mut process: impl FnMut(&mut [&mut [f32]]),
) {
    for start in (0..left.len()).step_by(block) {
        let end = (start + block).min(left.len());
        process(&mut [&mut left[start..end], &mut right[start..end]]);
    }
}

/// Per-band threshold of the three-band bench, dBFS (several dB of
/// compression on every band of [`music_like`]).
pub const THREE_BAND_THRESHOLD_DB: f32 = -24.0;
/// Per-band ratio of the three-band bench.
pub const THREE_BAND_RATIO: f32 = 4.0;

/// The Bus Glue three-band bench settings (issue 12's 300× target): the
/// default bands at [`THREE_BAND_THRESHOLD_DB`] and [`THREE_BAND_RATIO`],
/// Auto release, meters off. One copy for `benches/units.rs`,
/// `benches/bus_glue.rs` and `examples/bus_glue_profile.rs`.
// Not every bench that includes this module uses it.
#[allow(dead_code)]
pub fn bus_glue_three_band() -> BusGlueSettings {
    BusGlueSettings {
        multiband: true,
        bands: DEFAULT_BANDS.map(|b| BandSettings {
            threshold_db: THREE_BAND_THRESHOLD_DB,
            ratio: THREE_BAND_RATIO,
            ..b
        }),
        auto_release: true,
        metering: false,
        ..BusGlueSettings::default()
    }
}

/// The Stereo Imager's single-band bench case (issue 8's 1500× target):
/// 150 % width, everything else default (meters on). One copy for
/// `benches/units.rs`, `benches/stereo_imager.rs` and
/// `examples/stereo_imager_profile.rs`.
#[allow(dead_code)]
pub fn stereo_imager_single_band() -> ImagerSettings {
    ImagerSettings {
        width: 1.5,
        ..ImagerSettings::default()
    }
}

/// The Stereo Imager's four-band bench case (issue 8's 400× target): four
/// bands of rising width, mono maker, stereoize and both side shelves on,
/// meters on. Shared as [`stereo_imager_single_band`] is.
#[allow(dead_code)]
pub fn stereo_imager_four_bands() -> ImagerSettings {
    ImagerSettings {
        width: 1.2,
        num_bands: 4,
        band_width: [0.0, 1.0, 1.3, 1.6],
        mono_maker: true,
        stereoize: 0.3,
        side_low_gain_db: -3.0,
        side_high_gain_db: 2.0,
        ..ImagerSettings::default()
    }
}
