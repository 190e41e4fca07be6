//! `bundler.toml`, the suite's list of plugins: one table per cargo package
//! with the bundle `name` (read by nice-plug's bundler) and the `clap_id`
//! (read by the host harnesses). Each plugin's tests check its entry against
//! its [`PluginIdentity`](crate::PluginIdentity) (see [`assert_listed`]), so
//! the identity a plugin is built with and the one the tools use cannot drift.

use crate::PluginIdentity;
use std::path::{Path, PathBuf};

/// One plugin's entry in `bundler.toml`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BundlerEntry {
    /// Cargo package of the plugin (the table's key).
    pub package: String,
    /// Bundle name, which is also the plugin's name (`name`).
    pub name: String,
    /// CLAP id (`clap_id`); `None` if the entry has none.
    pub clap_id: Option<String>,
}

/// The `bundler.toml` of the workspace that contains `dir`.
///
/// # Panics
/// If no parent of `dir` holds a `bundler.toml`.
pub fn find(dir: &Path) -> PathBuf {
    dir.ancestors()
        .map(|d| d.join("bundler.toml"))
        .find(|p| p.is_file())
        .unwrap_or_else(|| panic!("no bundler.toml above {}", dir.display()))
}

/// Every entry of the `bundler.toml` at `path`, in file order.
///
/// # Panics
/// If the file cannot be read or parsed, or an entry has no `name`.
pub fn entries(path: &Path) -> Vec<BundlerEntry> {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let table: toml::Table = text
        .parse()
        .unwrap_or_else(|e| panic!("cannot parse {}: {e}", path.display()));
    let text_field =
        |entry: &toml::Value, key: &str| entry.get(key).and_then(|v| v.as_str()).map(str::to_owned);
    table
        .iter()
        .map(|(package, entry)| BundlerEntry {
            package: package.clone(),
            name: text_field(entry, "name")
                .unwrap_or_else(|| panic!("{}: [{package}] has no name", path.display())),
            clap_id: text_field(entry, "clap_id"),
        })
        .collect()
}

/// Asserts that `package`'s entry in the workspace's `bundler.toml` (found
/// from `manifest_dir`, the plugin crate's `CARGO_MANIFEST_DIR`) carries the
/// plugin's name and CLAP id, and that the README's table of identifiers
/// (beside `bundler.toml`) has a row with its CLAP id, VST3 class id and
/// name. [`export!`](crate::export) runs this as a test.
///
/// # Panics
/// If the entry or the README row is missing or differs from `identity`.
pub fn assert_listed(identity: &PluginIdentity, package: &str, manifest_dir: &str) {
    let path = find(Path::new(manifest_dir));
    let entries = entries(&path);
    let entry = entries
        .iter()
        .find(|e| e.package == package)
        .unwrap_or_else(|| panic!("{}: no [{package}] table", path.display()));
    assert_eq!(
        entry.name,
        identity.name,
        "{}: [{package}] name",
        path.display()
    );
    assert_eq!(
        entry.clap_id.as_deref(),
        Some(identity.clap_id),
        "{}: [{package}] clap_id",
        path.display()
    );
    let readme_path = path.with_file_name("README.md");
    let readme = std::fs::read_to_string(&readme_path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", readme_path.display()));
    let class_id = String::from_utf8_lossy(&identity.vst3_class_id);
    let row = [identity.clap_id, &*class_id, identity.name].map(|cell| format!("`{cell}`"));
    assert!(
        readme.lines().any(|line| {
            let cells: Vec<&str> = line.split('|').map(str::trim).collect();
            row.iter().all(|cell| cells.contains(&cell.as_str()))
        }),
        "{}: the table of plugin identifiers has no row {row:?}",
        readme_path.display()
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_workspace_bundler_toml_lists_packages_with_names_and_clap_ids() {
        let entries = entries(&find(Path::new(env!("CARGO_MANIFEST_DIR"))));
        assert!(!entries.is_empty());
        for e in &entries {
            assert!(e.name.starts_with("Lathe "), "{e:?}");
            assert!(
                e.clap_id
                    .as_deref()
                    .is_some_and(|id| id.starts_with("dev.lathe.")),
                "{e:?}"
            );
        }
    }
}
