//! `Maximizer::process`, `reset` and `set_settings` (including look-ahead,
//! oversampling, dither and listen changes) never allocate: checked with
//! `assert_no_alloc`, which aborts this test binary on any allocation inside
//! the guarded closure.

use assert_no_alloc::{assert_no_alloc, AllocDisabler};
use shared_dsp::processors::maximizer::{
    Character, DitherMode, Listen, Maximizer, MaximizerSettings, Oversampling,
};

#[global_allocator]
static ALLOCATOR: AllocDisabler = AllocDisabler;

#[test]
fn process_reset_and_set_settings_do_not_allocate() {
    let rate = 48_000.0;
    let mut m = Maximizer::new(rate, 2);
    let mut left: Vec<f32> = (0..4096)
        .map(|i| ((i as f32) * 0.031).sin() * 2.0)
        .collect();
    let mut right = left.clone();
    right[7] = f32::NAN;
    right[8] = f32::INFINITY;
    let base = MaximizerSettings::default();
    let variants = [
        MaximizerSettings {
            input_gain_db: 12.0,
            ..base
        },
        MaximizerSettings {
            lookahead_ms: 5.0,
            oversampling: Oversampling::X8,
            character: Character::Punchy,
            ..base
        },
        MaximizerSettings {
            lookahead_ms: 0.5,
            dither: DitherMode::NoiseShaped,
            dither_bits: 16,
            listen: Listen::Delta,
            ..base
        },
        MaximizerSettings {
            listen: Listen::LevelMatchedBypass,
            dither: DitherMode::Tpdf,
            stereo_link: 0.3,
            auto_release: false,
            monitor_gain_db: -8.0,
            ..base
        },
    ];
    let mut checksum = 0.0f32;
    assert_no_alloc(|| {
        for round in 0..200 {
            m.set_settings(&variants[round % variants.len()]);
            let n = [0usize, 1, 7, 64, 512, 4096][round % 6];
            m.process(&mut [&mut left[..n], &mut right[..n]]);
            checksum += m.gain_reduction_db() + m.latency_samples() as f32;
            if round % 50 == 49 {
                m.reset();
            }
        }
        // Fewer slices than channels.
        m.process(&mut [&mut left[..100]]);
    });
    assert!(checksum.is_finite());
    assert!(left.iter().chain(&right).all(|v| v.is_finite()));
}
