//! A small driver for profiling the Stereo Imager outside criterion
//! (callgrind, perf): the bench signal and the settings of the
//! `stereo_imager_silence` cases of `benches/units.rs`, 64-frame blocks,
//! 48 kHz stereo, `process` (the no-op goniometer feed) and the readings
//! after every block exactly as the bench does (the meters run: correlation
//! per band, balance, mid/side levels, the fold-down loudness).
//!
//! ```sh
//! cargo build -p shared-dsp --profile ci --example stereo_imager_profile
//! valgrind --tool=callgrind target/ci/examples/stereo_imager_profile four 2
//! ```
//!
//! Modes: `single` (width 150 %, one band), `four` (four bands, mono maker,
//! stereoize, side shelves). The second argument is the seconds of audio
//! (default 2). With `LATHE_NO_VEX` set in the environment the VEX-encoded
//! copies of the hot loops stay off (see `shared_dsp::units::pair::vex_available`).

#[allow(dead_code)]
#[path = "../benches/support/mod.rs"]
mod support;

use shared_dsp::processors::stereo_imager::StereoImager;
use support::{in_blocks, music_like, SAMPLE_RATE_HZ};

/// Block size of the bench cases profiled, frames.
const BLOCK: usize = 64;

fn main() {
    let mut args = std::env::args().skip(1);
    let mode = args.next().unwrap_or_else(|| "four".into());
    let seconds: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(2);
    let settings = match mode.as_str() {
        "single" => support::stereo_imager_single_band(),
        "four" => support::stereo_imager_four_bands(),
        other => panic!("unknown mode {other}"),
    };
    if std::env::var_os("LATHE_NO_VEX").is_some() {
        // The baseline SSE2 path (valgrind 3.19 cannot decode every VEX
        // encoding the AVX copies may hold).
        shared_dsp::units::pair::disable_vex();
    }
    let audio = music_like();
    let mut imager = StereoImager::new(SAMPLE_RATE_HZ);
    imager.set_settings(&settings);
    let mut left = audio[0].clone();
    let mut right = audio[1].clone();
    let mut checksum = 0.0f64;
    let mut meters = 0.0f64;
    for _ in 0..seconds {
        left.copy_from_slice(&audio[0]);
        right.copy_from_slice(&audio[1]);
        in_blocks(&mut left, &mut right, BLOCK, |channels| {
            imager.process(channels);
            let readings = std::hint::black_box(imager.readings());
            meters += readings.correlation + readings.band_correlation[1];
        });
        checksum += left
            .iter()
            .chain(&right)
            .map(|&x| f64::from(x))
            .sum::<f64>();
    }
    let readings = imager.readings();
    println!("{mode} {seconds} s: checksum {checksum:.9} meters {meters:.9}");
    println!("{readings:?}");
}
