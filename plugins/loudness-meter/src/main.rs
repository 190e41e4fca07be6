//! Standalone build of the Loudness Meter (for screenshots and quick checks):
//! `loudness-meter-standalone --backend dummy`.

use nice_plug::prelude::*;

fn main() {
    plugin_kit::standalone::load_preset_from_env();
    nice_export_standalone::<plugin_kit::Kit<loudness_meter::LoudnessMeter>>();
}
