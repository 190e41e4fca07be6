//! Standalone build of the Channel Strip (for screenshots and quick checks).

use nice_plug::prelude::*;

fn main() {
    plugin_kit::standalone::load_preset_from_env();
    nice_export_standalone::<plugin_kit::Kit<channel_strip::ChannelStrip>>();
}
