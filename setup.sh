#!/usr/bin/env bash
# One command for a new machine: install dependencies, then build every
# plugin of the suite and install the VST3 and CLAP bundles into ~/.vst3 and
# ~/.clap. Run from the repository root.
set -euo pipefail
cd "$(dirname "$0")"
scripts/install-deps
cargo xtask install
cargo install --path cli --locked --quiet
echo "setup: done. Plugins are in ~/.clap and ~/.vst3; the 'lathe' command is in ~/.cargo/bin."
