//! The channel strip's `set_settings`, `process`, `reset` and readouts
//! never allocate (checked with `assert_no_alloc`, which aborts this test
//! binary on any allocation inside the guarded closure).
// Settings are built up field by field from the neutral default: it reads
// as "neutral except …", which is what each test is about.
#![allow(clippy::field_reassign_with_default)]

use assert_no_alloc::{assert_no_alloc, AllocDisabler};
use shared_dsp::processors::channel_strip::{ChannelStrip, ChannelStripSettings};
use shared_dsp::units::dynamics::{CompressorSettings, GateSettings};
use shared_dsp::units::eq::{CutFilterSettings, EqBandSettings, EqBandType};
use shared_dsp::units::saturation::SaturationSettings;

#[global_allocator]
static ALLOCATOR: AllocDisabler = AllocDisabler;

#[test]
fn process_settings_reset_and_readouts_do_not_allocate() {
    let rate = 48_000.0;
    let mut strip = ChannelStrip::new(rate, 2);
    let mut settings = ChannelStripSettings::default();
    settings.high_pass = CutFilterSettings {
        enabled: true,
        cutoff_hz: 80.0,
        order: 4,
    };
    settings.low_pass.enabled = true;
    for (i, band) in settings.eq.bands.iter_mut().enumerate() {
        *band = EqBandSettings::new(EqBandType::Bell, 200.0 * (i + 1) as f32, 3.0, 1.0);
    }
    settings.compressor = CompressorSettings {
        enabled: true,
        ratio: 4.0,
        ..CompressorSettings::default()
    };
    settings.gate = GateSettings {
        enabled: true,
        range_db: 20.0,
        ..GateSettings::default()
    };
    settings.saturation = SaturationSettings {
        enabled: true,
        ..SaturationSettings::default()
    };
    let mut left: Vec<f32> = (0..4096).map(|i| ((i as f32) * 0.03).sin() * 0.7).collect();
    let mut right = left.clone();
    let mut checksum = 0.0f64;
    assert_no_alloc(|| {
        for i in 0..2000 {
            let n = [0, 1, 7, 64, 512, 4096][i % 6];
            if i % 50 == 0 {
                settings.eq.bands[i % 6].frequency_hz = 100.0 + (i % 700) as f32 * 20.0;
                settings.eq.bands[(i + 1) % 6].band_type = if i % 100 == 0 {
                    EqBandType::HighShelf
                } else {
                    EqBandType::Bell
                };
                settings.high_pass.order = 1 + (i % 8) as u8;
                settings.saturation.enabled = i % 300 != 0;
                // Band solo on, moved between bands, and off.
                settings.eq_solo = [None, Some(i % 6), Some((i + 3) % 6)][(i / 50) % 3];
                strip.set_settings(&settings);
            }
            if i % 97 == 0 {
                left[3] = f32::NAN;
            }
            strip.process(&mut [&mut left[..n], &mut right[..n]]);
            checksum +=
                strip.gain_reduction_db() + strip.gate_gain_db() + strip.latency_samples() as f64;
            checksum += strip.filter_response(1000.0).norm();
            if i == 1000 {
                strip.reset();
            }
        }
    });
    assert!(checksum.is_finite());
}
