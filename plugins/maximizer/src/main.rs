//! Standalone build of the Maximizer (for screenshots and quick checks).

use nice_plug::prelude::*;

fn main() {
    nice_export_standalone::<plugin_kit::Kit<maximizer::Maximizer>>();
}
