//! Writing a file all at once or not at all.
//!
//! The content goes to a hidden temporary file in the destination's own
//! directory (so the final rename never crosses file systems). Committing
//! flushes it to disk (`fsync`), renames it over the destination and syncs
//! the directory; dropping an uncommitted file deletes it, so an error, a
//! panic or an interruption never leaves a half-written file behind.

use std::fs::File;
use std::io;
use std::path::{Path, PathBuf};

use tempfile::NamedTempFile;

/// Prefix of the temporary files, so a stray one (after a power cut) is
/// recognisable.
const TEMP_PREFIX: &str = ".lathe-";
/// Mode of new files before the umask, as `File::create` uses (temporary
/// files are otherwise private to the owner, 0o600).
#[cfg(unix)]
const NEW_FILE_MODE: u32 = 0o666;

/// A file being written beside its destination.
#[derive(Debug)]
pub struct AtomicFile {
    temp: NamedTempFile,
    destination: PathBuf,
}

/// The directory a destination path lives in (`.` for a bare file name).
fn parent_dir(destination: &Path) -> &Path {
    match destination.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    }
}

/// `err` without the " at path …" tempfile adds (the kind is kept).
fn without_temp_path(err: io::Error) -> io::Error {
    let message = err.to_string();
    match message.split_once(" at path ") {
        Some((reason, _)) => io::Error::new(err.kind(), reason.to_owned()),
        None => err,
    }
}

impl AtomicFile {
    /// Creates an empty temporary file in the directory of `destination`.
    /// Its name ends with the destination's extension, for libraries that
    /// choose a format by extension.
    ///
    /// # Errors
    /// When the directory does not exist or is not writable.
    pub fn create(destination: &Path) -> io::Result<Self> {
        let suffix = match destination.extension() {
            Some(extension) => format!(".tmp.{}", extension.to_string_lossy()),
            None => ".tmp".to_owned(),
        };
        let mut builder = tempfile::Builder::new();
        builder.prefix(TEMP_PREFIX).suffix(&suffix);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            builder.permissions(std::fs::Permissions::from_mode(NEW_FILE_MODE));
        }
        // tempfile appends the temporary file's name to its errors; the user
        // named the destination, and the caller reports that.
        let temp = builder
            .tempfile_in(parent_dir(destination))
            .map_err(without_temp_path)?;
        Ok(Self {
            temp,
            destination: destination.to_owned(),
        })
    }

    /// Where the temporary file is (for libraries that write by path).
    pub fn temp_path(&self) -> &Path {
        self.temp.path()
    }

    /// Where the file goes when committed.
    pub fn destination(&self) -> &Path {
        &self.destination
    }

    /// The open temporary file.
    pub fn file(&self) -> &File {
        self.temp.as_file()
    }

    /// Flushes the content to disk and renames the file over its
    /// destination; with `overwrite == false` an existing destination is an
    /// error (checked atomically by the rename itself).
    ///
    /// # Errors
    /// When syncing or renaming fails; the temporary file is then removed.
    pub fn commit(self, overwrite: bool) -> io::Result<()> {
        self.temp.as_file().sync_all()?;
        let destination = self.destination;
        let result = if overwrite {
            self.temp.persist(&destination)
        } else {
            self.temp.persist_noclobber(&destination)
        };
        // On error the `NamedTempFile` inside the error is dropped here,
        // which deletes the temporary file.
        result.map_err(|err| err.error)?;
        sync_dir(parent_dir(&destination));
        Ok(())
    }
}

/// Makes a rename in `dir` durable. Best effort: the rename has happened,
/// and not every file system lets a directory be synced.
fn sync_dir(dir: &Path) {
    #[cfg(unix)]
    if let Ok(handle) = File::open(dir) {
        let _ = handle.sync_all();
    }
    #[cfg(not(unix))]
    let _ = dir;
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn names(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn commit_renames_and_drop_removes() {
        let dir = tempfile::tempdir().unwrap();
        let destination = dir.path().join("out.wav");

        let file = AtomicFile::create(&destination).unwrap();
        assert!(file.temp_path().to_string_lossy().ends_with(".wav"));
        drop(file);
        assert!(names(dir.path()).is_empty());

        let file = AtomicFile::create(&destination).unwrap();
        file.file().write_all(b"new").unwrap();
        file.commit(false).unwrap();
        assert_eq!(names(dir.path()), ["out.wav"]);
        assert_eq!(std::fs::read(&destination).unwrap(), b"new");
    }

    #[test]
    fn existing_destination_is_kept_without_overwrite() {
        let dir = tempfile::tempdir().unwrap();
        let destination = dir.path().join("out.wav");
        std::fs::write(&destination, b"old").unwrap();

        let file = AtomicFile::create(&destination).unwrap();
        file.file().write_all(b"new").unwrap();
        assert!(file.commit(false).is_err());
        assert_eq!(names(dir.path()), ["out.wav"]);
        assert_eq!(std::fs::read(&destination).unwrap(), b"old");

        let file = AtomicFile::create(&destination).unwrap();
        file.file().write_all(b"new").unwrap();
        file.commit(true).unwrap();
        assert_eq!(std::fs::read(&destination).unwrap(), b"new");
    }

    #[cfg(unix)]
    #[test]
    fn committed_files_are_not_private() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let destination = dir.path().join("out.wav");
        AtomicFile::create(&destination)
            .unwrap()
            .commit(false)
            .unwrap();
        let mode = destination.metadata().unwrap().permissions().mode();
        // Readable by others unless the umask forbids it (it rarely does).
        let umask_allows_read = std::fs::File::create(dir.path().join("probe"))
            .and_then(|f| f.metadata())
            .map(|m| m.permissions().mode() & 0o044 != 0)
            .unwrap();
        assert_eq!(mode & 0o044 != 0, umask_allows_read, "mode {mode:o}");
    }
}
