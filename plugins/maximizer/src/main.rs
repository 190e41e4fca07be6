//! Standalone build of the Maximizer (for screenshots and quick checks).

use nice_plug::prelude::*;

fn main() {
    nice_export_standalone::<maximizer::Maximizer>();
}
