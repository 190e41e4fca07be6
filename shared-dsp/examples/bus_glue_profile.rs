//! A small driver for profiling the Bus Glue outside criterion (callgrind,
//! perf): the bench signal and settings of `benches/bus_glue.rs`, 64-frame
//! blocks, 48 kHz stereo.
//!
//! ```sh
//! cargo build -p shared-dsp --profile ci --example bus_glue_profile
//! valgrind --tool=callgrind target/ci/examples/bus_glue_profile three 2
//! ```
//!
//! Modes: `single` (meters off), `meters` (meters on), `default` (default
//! settings: meters on, no auto release or make-up), `three` (three bands,
//! meters off: `support::bus_glue_three_band`, the benches' settings). The
//! second argument is the seconds of audio (default 2).

#[allow(dead_code)]
#[path = "../benches/support/mod.rs"]
mod support;

use shared_dsp::processors::bus_glue::{BusGlue, BusGlueSettings};
use support::{in_blocks, music_like, NUM_CHANNELS, SAMPLE_RATE_HZ};

/// Block size of the bench cases profiled, frames.
const BLOCK: usize = 64;

fn main() {
    let mut args = std::env::args().skip(1);
    let mode = args.next().unwrap_or_else(|| "single".into());
    let seconds: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(2);
    let bench = BusGlueSettings {
        threshold_db: -24.0,
        ratio: 4.0,
        auto_release: true,
        auto_makeup: true,
        ..BusGlueSettings::default()
    };
    let settings = match mode.as_str() {
        "single" => BusGlueSettings {
            metering: false,
            ..bench
        },
        "meters" => bench,
        "default" => BusGlueSettings::default(),
        "three" => support::bus_glue_three_band(),
        other => panic!("unknown mode {other}"),
    };
    let audio = music_like();
    let mut glue = BusGlue::new(SAMPLE_RATE_HZ, NUM_CHANNELS);
    glue.set_settings(&settings);
    let mut left = audio[0].clone();
    let mut right = audio[1].clone();
    let mut checksum = 0.0f64;
    for _ in 0..seconds {
        left.copy_from_slice(&audio[0]);
        right.copy_from_slice(&audio[1]);
        in_blocks(&mut left, &mut right, BLOCK, |channels| {
            glue.process(channels)
        });
        checksum += left
            .iter()
            .chain(&right)
            .map(|&x| f64::from(x))
            .sum::<f64>();
    }
    println!("{mode} {seconds} s: checksum {checksum:.9}");
}
