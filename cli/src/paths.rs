//! Where `lathe master` writes, and the checks that keep it from destroying
//! anything: it never writes over one of its inputs (whatever the spelling,
//! symlink or hard link: files are compared by identity), never over an
//! existing file without `--force`, and never sends two results to one path.

use std::collections::HashSet;
use std::ffi::OsString;
use std::path::{Path, PathBuf};

/// Appended to an input's stem to name its output in an output directory.
pub const OUTPUT_SUFFIX: &str = ".mastered.wav";
/// Appended to an input's stem to name its plot in a plot directory.
pub const PLOT_SUFFIX: &str = ".loudness.png";
/// Output extensions: WAV, or FLAC (see `encode::is_flac_path`).
const OUTPUT_EXTENSIONS: &[&str] = &["wav", "flac"];
/// The only plot extension.
const PLOT_EXTENSIONS: &[&str] = &["png"];

/// Where one input's results go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Job {
    /// The file to master.
    pub input: PathBuf,
    /// The WAV or FLAC file to write.
    pub output: PathBuf,
    /// The loudness plot to draw, if asked for.
    pub plot: Option<PathBuf>,
}

/// `dir/<stem of input><suffix>`.
fn in_dir(dir: &Path, input: &Path, suffix: &str) -> PathBuf {
    let mut name: OsString = input
        .file_stem()
        .map_or_else(|| OsString::from("output"), ToOwned::to_owned);
    name.push(suffix);
    dir.join(name)
}

/// Whether `path` ends with `.extension` (any case).
fn has_extension(path: &Path, extension: &str) -> bool {
    path.extension()
        .is_some_and(|ext| ext.to_string_lossy().eq_ignore_ascii_case(extension))
}

/// The destinations for `num_inputs` inputs given the path the user named:
/// a directory (required with several inputs) gets `<stem><suffix>` names,
/// anything else is the file itself and must end in one of `.extensions`.
fn destinations(
    inputs: &[PathBuf],
    target: &Path,
    option: &str,
    suffix: &str,
    extensions: &[&str],
) -> Result<Vec<PathBuf>, String> {
    if target.is_dir() {
        return Ok(inputs
            .iter()
            .map(|input| in_dir(target, input, suffix))
            .collect());
    }
    if inputs.len() > 1 {
        return Err(format!(
            "with several input files, {option} must name an existing directory ({:?} is not one)",
            target.to_string_lossy()
        ));
    }
    if !extensions.iter().any(|ext| has_extension(target, ext)) {
        return Err(format!(
            "{option} {:?}: the file name must end in .{}",
            target.to_string_lossy(),
            extensions.join(" or .")
        ));
    }
    Ok(vec![target.to_owned()])
}

/// A path's spelling with its directory resolved (the file itself may not
/// exist yet), to spot two destinations that are one.
fn resolved(path: &Path) -> PathBuf {
    let parent = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    let parent = parent.canonicalize().unwrap_or_else(|_| parent.to_owned());
    match path.file_name() {
        Some(name) => parent.join(name),
        None => parent,
    }
}

/// Plans every input's output (and plot) path.
///
/// # Errors
/// A usage problem, described for the user: a non-directory target for
/// several inputs, a wrong extension, or two results sharing one path.
pub fn plan_jobs(
    inputs: &[PathBuf],
    output: &Path,
    plot: Option<&Path>,
) -> Result<Vec<Job>, String> {
    let outputs = destinations(inputs, output, "-o", OUTPUT_SUFFIX, OUTPUT_EXTENSIONS)?;
    let plots = match plot {
        Some(plot) => Some(destinations(
            inputs,
            plot,
            "--plot",
            PLOT_SUFFIX,
            PLOT_EXTENSIONS,
        )?),
        None => None,
    };
    let jobs: Vec<Job> = inputs
        .iter()
        .zip(outputs)
        .enumerate()
        .map(|(index, (input, output))| Job {
            input: input.clone(),
            output,
            plot: plots.as_ref().map(|plots| plots[index].clone()),
        })
        .collect();

    let mut seen = HashSet::new();
    for path in jobs
        .iter()
        .flat_map(|job| std::iter::once(&job.output).chain(&job.plot))
    {
        if !seen.insert(resolved(path)) {
            return Err(format!(
                "two results would be written to {:?} (inputs with the same name?)",
                path.to_string_lossy()
            ));
        }
    }
    Ok(jobs)
}

/// Checks that writing `destination` destroys nothing: it is none of the
/// `inputs` (compared by file identity, so symlinks, hard links and other
/// spellings are caught) and, unless `overwrite`, does not exist.
///
/// # Errors
/// The reason for refusing, for the user.
pub fn check_destination(
    destination: &Path,
    inputs: &[PathBuf],
    overwrite: bool,
) -> Result<(), String> {
    // `symlink_metadata`: a dangling symlink is something that exists too.
    if destination.symlink_metadata().is_err() {
        return Ok(());
    }
    for input in inputs {
        if same_file::is_same_file(destination, input).unwrap_or(false) {
            return Err(format!(
                "refusing to overwrite the input file {:?} with {:?}",
                input.to_string_lossy(),
                destination.to_string_lossy()
            ));
        }
    }
    if !overwrite {
        return Err(format!(
            "{:?} already exists (use --force to overwrite it)",
            destination.to_string_lossy()
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_input_writes_where_told_and_several_need_a_directory() {
        let dir = tempfile::tempdir().unwrap();
        let inputs = vec![PathBuf::from("in/a.flac"), PathBuf::from("b.wav")];
        let jobs = plan_jobs(&inputs, dir.path(), None).unwrap();
        assert_eq!(jobs[0].output, dir.path().join("a.mastered.wav"));
        assert_eq!(jobs[1].output, dir.path().join("b.mastered.wav"));

        let file = dir.path().join("x.wav");
        assert!(plan_jobs(&inputs, &file, None).is_err());
        let jobs = plan_jobs(&inputs[..1], &file, Some(dir.path())).unwrap();
        assert_eq!(jobs[0].output, file);
        assert_eq!(jobs[0].plot, Some(dir.path().join("a.loudness.png")));

        assert!(plan_jobs(&inputs[..1], &dir.path().join("x.mp3"), None).is_err());
        let flac = dir.path().join("x.FLAC");
        assert_eq!(
            plan_jobs(&inputs[..1], &flac, None).unwrap()[0].output,
            flac
        );
        assert!(plan_jobs(&inputs[..1], &file, Some(&dir.path().join("p.jpg"))).is_err());
    }

    #[test]
    fn two_results_for_one_path_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let inputs = vec![PathBuf::from("x/a.wav"), PathBuf::from("y/a.flac")];
        let err = plan_jobs(&inputs, dir.path(), None).unwrap_err();
        assert!(err.contains("two results"), "{err}");
    }

    #[test]
    fn inputs_are_recognised_through_links() {
        let dir = tempfile::tempdir().unwrap();
        let input = dir.path().join("in.wav");
        std::fs::write(&input, b"audio").unwrap();
        let hard = dir.path().join("hard.wav");
        std::fs::hard_link(&input, &hard).unwrap();
        let inputs = vec![input.clone()];

        assert!(check_destination(&input, &inputs, true).is_err());
        assert!(check_destination(&hard, &inputs, true).is_err());
        #[cfg(unix)]
        {
            let soft = dir.path().join("soft.wav");
            std::os::unix::fs::symlink(&input, &soft).unwrap();
            assert!(check_destination(&soft, &inputs, true).is_err());
        }
        let other = dir.path().join("other.wav");
        assert!(check_destination(&other, &inputs, false).is_ok());
        std::fs::write(&other, b"x").unwrap();
        assert!(check_destination(&other, &inputs, false).is_err());
        assert!(check_destination(&other, &inputs, true).is_ok());
    }
}
