//! Standalone build of the Stereo Imager (for screenshots and quick checks):
//! `stereo-imager-standalone --backend dummy`.

use nice_plug::prelude::*;

fn main() {
    plugin_kit::standalone::load_preset_from_env();
    nice_export_standalone::<plugin_kit::Kit<stereo_imager::StereoImager>>();
}
