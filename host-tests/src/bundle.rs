//! Where the built `.clap` bundles are.

use crate::case::PluginCase;
use std::path::{Path, PathBuf};

/// Environment variable that overrides the bundle directory.
pub const BUNDLE_DIR_ENV: &str = "LATHE_BUNDLE_DIR";

/// The directory holding the bundles: `$LATHE_BUNDLE_DIR`, or else `<workspace>/target/bundled/`
/// where `cargo xtask bundle` writes them.
pub fn bundle_dir() -> PathBuf {
    match std::env::var_os(BUNDLE_DIR_ENV) {
        Some(dir) if !dir.is_empty() => PathBuf::from(dir),
        _ => workspace_root().join("target").join("bundled"),
    }
}

/// The workspace root: this crate lives in `<workspace>/host-tests`.
fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("host-tests lives inside the workspace")
        .to_path_buf()
}

/// Path of `case`'s bundle.
///
/// # Panics
/// If the bundle does not exist, with a message saying how to build it: a missing bundle is a
/// failure, never a skipped test.
pub fn bundle_path(case: &PluginCase) -> PathBuf {
    let dir = bundle_dir();
    let path = dir.join(case.bundle);
    if !path.is_file() {
        let source = if std::env::var_os(BUNDLE_DIR_ENV).is_some() {
            format!("${BUNDLE_DIR_ENV}")
        } else {
            format!("the default; set ${BUNDLE_DIR_ENV} to look elsewhere")
        };
        panic!(
            "CLAP bundle `{}` not found in `{}` ({source}).\n\
             Build it first: cargo xtask bundle {} --profile ci",
            case.bundle,
            dir.display(),
            case.package,
        );
    }
    path
}
