//! Ctrl-C handling for long jobs: the signal only sets a flag, and the
//! workers check it between blocks, so they can remove their temporary files
//! and stop cleanly instead of dying half-way through a write.

use std::sync::atomic::{AtomicBool, Ordering};

/// Set once Ctrl-C (SIGINT, or SIGTERM/SIGHUP with ctrlc's defaults) arrives.
static INTERRUPTED: AtomicBool = AtomicBool::new(false);

/// Installs the handler. Call once per process, before starting work.
///
/// # Errors
/// When a handler is already installed or the OS refuses one.
pub fn install() -> Result<(), ctrlc::Error> {
    ctrlc::set_handler(|| INTERRUPTED.store(true, Ordering::SeqCst))
}

/// Whether the user asked the process to stop.
pub fn requested() -> bool {
    INTERRUPTED.load(Ordering::SeqCst)
}
