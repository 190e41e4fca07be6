//! `process`, `reset` and `readings` never allocate (checked with
//! `assert_no_alloc`, which aborts this test binary on any allocation inside
//! a guarded closure). A long guarded run also shows memory cannot grow.

use assert_no_alloc::{assert_no_alloc, AllocDisabler};
use shared_dsp::units::loudness::LoudnessMeter;

#[global_allocator]
static ALLOCATOR: AllocDisabler = AllocDisabler;

#[test]
fn process_reset_and_readings_do_not_allocate() {
    let rate = 48_000.0;
    let mut meter = LoudnessMeter::new(rate, 2);
    let block: Vec<f32> = (0..4096).map(|i| ((i as f32) * 0.01).sin() * 0.5).collect();
    let nan_block = vec![f32::NAN; 4096];
    let mut checksum = 0.0;
    assert_no_alloc(|| {
        // Ten minutes of audio in mixed block sizes, with resets.
        for round in 0..2 {
            for i in 0..(300.0 * rate) as usize / 4096 {
                let n = [0, 1, 7, 64, 512, 4096][i % 6];
                meter.process(&[&block[..n], &block[..n]]);
                if i % 97 == 0 {
                    meter.process(&[&nan_block[..n], &block[..n]]);
                }
                let r = meter.readings();
                checksum += r.momentary_lufs.unwrap_or(0.0);
            }
            if round == 0 {
                meter.reset();
            }
        }
        meter.process(&[&block[..100]]);
    });
    assert!(checksum.is_finite());
    assert!(meter.readings().integrated_lufs.is_some());
}
