//! `lathe`: Lathe's command-line tool. Measures files with the same
//! `shared-dsp` code the plugins run (a `master` command will follow).

mod decode;
mod measure;
mod parallel;
mod report;

use std::io::{self, Write};
use std::num::NonZeroUsize;
use std::panic::{self, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

use crate::measure::{measure_file, MeasureOptions, Measurement};

/// Exit status when one or more files could not be processed.
const EXIT_SOME_FILES_FAILED: u8 = 1;
/// Exit status when the tool itself could not run (e.g. no threads).
const EXIT_INTERNAL_ERROR: u8 = 3;

/// Lathe's command-line tool.
#[derive(Debug, Parser)]
#[command(name = "lathe", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Measure loudness (EBU R128 / ITU-R BS.1770-4) and peaks of audio files.
    Measure(MeasureArgs),
}

#[derive(Debug, Args)]
struct MeasureArgs {
    /// Audio files to measure (WAV or FLAC, mono or stereo).
    #[arg(required = true, value_name = "FILE")]
    files: Vec<PathBuf>,
    /// Print one JSON object per file, one per line.
    #[arg(long)]
    json: bool,
    /// With --json: add the momentary and short-term loudness at every 100 ms step.
    #[arg(long, requires = "json")]
    series: bool,
    /// Number of files measured at once [default: one per core].
    #[arg(short = 'j', long, value_name = "N")]
    jobs: Option<NonZeroUsize>,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Measure(args) => run_measure(&args),
    }
}

/// What happened to one file.
type FileOutcome = Result<Measurement, String>;

/// Measures one file, turning a decoding error or a panic into a reason.
fn measure_one(path: &Path, options: MeasureOptions) -> FileOutcome {
    match panic::catch_unwind(AssertUnwindSafe(|| measure_file(path, options))) {
        Ok(result) => result.map_err(|err| err.to_string()),
        // The panic message itself has already gone to stderr.
        Err(_) => Err("internal error while measuring (see above)".to_owned()),
    }
}

/// `lathe measure`: measure every file, print in input order.
fn run_measure(args: &MeasureArgs) -> ExitCode {
    let options = MeasureOptions {
        series: args.series,
    };
    let stdout = io::stdout();
    let mut failures = 0_usize;
    let mut reports_written = 0_usize;
    let mut stdout_closed = false;

    let run = parallel::for_each_ordered(
        &args.files,
        args.jobs,
        |path| measure_one(path, options),
        |path, outcome| {
            let name = path.to_string_lossy();
            match outcome {
                Ok(measurement) => {
                    if stdout_closed {
                        return;
                    }
                    let text = if args.json {
                        report::json_line(&name, &measurement) + "\n"
                    } else {
                        let separator = if reports_written > 0 { "\n" } else { "" };
                        format!("{separator}{}", report::human_block(&name, &measurement))
                    };
                    let mut out = stdout.lock();
                    // A closed pipe (e.g. `| head`) is not an error worth a panic.
                    stdout_closed = out
                        .write_all(text.as_bytes())
                        .and_then(|()| out.flush())
                        .is_err();
                    reports_written += 1;
                }
                Err(reason) => {
                    failures += 1;
                    eprintln!("lathe: cannot read {name:?}: {reason}");
                }
            }
        },
    );

    if let Err(err) = run {
        eprintln!("lathe: cannot start worker threads: {err}");
        return ExitCode::from(EXIT_INTERNAL_ERROR);
    }
    if failures > 0 {
        ExitCode::from(EXIT_SOME_FILES_FAILED)
    } else {
        ExitCode::SUCCESS
    }
}
