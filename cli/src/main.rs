//! `lathe`: Lathe's command-line tool. Measures and masters files with the
//! same `shared-dsp` code the plugins run.

mod aligned;
mod atomic;
mod decode;
mod encode;
mod interrupt;
mod layout;
mod master;
mod measure;
mod parallel;
mod paths;
mod pcm;
mod plot;
mod process;
mod progress;
mod report;

use std::io::{self, Write};
use std::num::NonZeroUsize;
use std::panic::{self, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::error::ErrorKind;
use clap::{ArgMatches, Args, CommandFactory, FromArgMatches, Parser, Subcommand, ValueEnum};
use shared_dsp::processors::maximizer::{self, Character, DitherMode, Oversampling};

use crate::encode::OutputFormat;
use crate::master::report::ReportContext;
use crate::master::{master_file, MasterError, MasterOptions, MasterOutcome};
use crate::measure::{
    measure_file, MeasureOptions, Measurement, SeriesStep, FINE_GRID_MS, MAX_SERIES_STEP_MS,
};
use crate::paths::Job;
use crate::process::{ProcessOptions, StageReport, StageSpec};
use crate::progress::Progress;

/// Why `--bits 32` and a `.flac` output cannot go together.
const FLOAT_FLAC_MESSAGE: &str =
    "FLAC has no floating-point samples: use --bits 16 or 24 with a .flac output (or write .wav)";

/// Exit status when one or more files could not be processed.
const EXIT_SOME_FILES_FAILED: u8 = 1;
/// Exit status when the tool itself could not run (e.g. no threads).
const EXIT_INTERNAL_ERROR: u8 = 3;
/// Exit status after Ctrl-C (128 + SIGINT, the shell's convention).
const EXIT_INTERRUPTED: u8 = 130;

/// Accepted loudness targets, LUFS: the Maximizer's Learn range.
const TARGET_RANGE_LUFS: (f32, f32) =
    shared_dsp::processors::maximizer::learn::LEARN_TARGET_RANGE_LUFS;

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
    #[command(after_long_help = "\
Channels: mono, stereo, and surround up to 7.1, weighted per ITU-R BS.1770-4: \
L, R and C 1.0, the surrounds at 60-120 degrees (5.1 Ls Rs, 7.1 side Ls Rs) \
1.41 (+1.5 dB), the 7.1 rear surrounds (Lrs Rrs, 135-150 degrees) 1.0, the \
LFE excluded. The speaker of each channel comes from the WAV file's \
WAVE_FORMAT_EXTENSIBLE channel mask (back L/R are the 5.1 surrounds, or the \
rears when side L/R are present too); without one (and for FLAC) the \
WAV/FLAC default order is assumed: 5 channels L R C Ls Rs, 6 channels \
L R C LFE Ls Rs (5.1), 8 channels L R C LFE Lrs Rrs Ls Rs (7.1: back pair, \
then side pair). 3, 4 and 7 channels need a mask.

True peak and sample peak are the largest over all channels, the LFE included \
(BS.1770-4 measures true peak per channel).")]
    Measure(MeasureArgs),
    /// Bring files to a loudness target under a true-peak ceiling (Maximizer).
    Master(MasterArgs),
    /// Run a file through any chain of the suite's processors, set by the
    /// plugins' parameter IDs (`--list` shows them).
    Process(ProcessArgs),
}

#[derive(Debug, Args)]
#[command(after_help = "Example: lathe process mix.wav -o out.wav \\\n  \
    --plugin channel-strip --set eq_on_3=on --set eq_gain_3=3 \\\n  \
    --plugin stereo-imager --set width=120 \\\n  \
    --plugin maximizer --set input_gain=4 --set ceiling=-1")]
struct ProcessArgs {
    /// Audio file to process (WAV or FLAC, mono or stereo).
    #[arg(value_name = "FILE", required_unless_present = "list")]
    input: Option<PathBuf>,
    /// Output file, WAV or FLAC by its extension (written atomically; never the input).
    #[arg(
        short = 'o',
        long = "output",
        value_name = "OUT",
        required_unless_present = "list"
    )]
    output: Option<PathBuf>,
    /// A processor of the chain; repeat for a chain, run in the order given.
    #[arg(long = "plugin", value_name = "NAME", required = true,
        value_parser = clap::builder::PossibleValuesParser::new(process::stage::plugin_names()))]
    plugins: Vec<String>,
    /// A parameter of the `--plugin` before it: ID=VALUE, the value in the
    /// unit the host shows (dB, Hz, ms, %), a choice's ID, or on/off.
    #[arg(long = "set", value_name = "ID=VALUE", allow_hyphen_values = true)]
    sets: Vec<String>,
    /// Print every parameter of each `--plugin` (ID, range and unit,
    /// default, name) and exit.
    #[arg(long)]
    list: bool,
    /// Frames per processing call (as a host's buffer size), 1 to 8192.
    #[arg(long, value_name = "N", default_value_t = process::DEFAULT_BLOCK_FRAMES,
        value_parser = parse_block)]
    block: usize,
    /// Output bits per sample (32 = float; 16 and 24 are rounded, not dithered:
    /// put a maximizer with --set dither=tpdf last for that). FLAC has no
    /// float: a .flac output is 24-bit unless --bits 16 is given.
    #[arg(long, value_enum, default_value_t = BitsArg::Float32)]
    bits: BitsArg,
    /// Overwrite an existing output file (never the input).
    #[arg(long)]
    force: bool,
    /// Print the report as one JSON object (with --list: one object per plugin, with its parameters).
    #[arg(long)]
    json: bool,
}

fn parse_series_step(text: &str) -> Result<SeriesStep, String> {
    text.trim()
        .parse()
        .ok()
        .and_then(SeriesStep::from_ms)
        .ok_or_else(|| {
            format!(
                "{text:?} is not a multiple of {FINE_GRID_MS} ms in {FINE_GRID_MS}..={MAX_SERIES_STEP_MS}"
            )
        })
}

fn parse_block(text: &str) -> Result<usize, String> {
    let frames: usize = text
        .trim()
        .parse()
        .map_err(|_| format!("{text:?} is not a whole number of frames"))?;
    if (1..=process::MAX_BLOCK_FRAMES).contains(&frames) {
        Ok(frames)
    } else {
        Err(format!(
            "{frames} frames is outside 1..={}",
            process::MAX_BLOCK_FRAMES
        ))
    }
}

#[derive(Debug, Args)]
struct MeasureArgs {
    /// Audio files to measure (WAV or FLAC, mono, stereo or surround up to 7.1).
    #[arg(required = true, value_name = "FILE")]
    files: Vec<PathBuf>,
    /// Print one JSON object per file, one per line.
    #[arg(long)]
    json: bool,
    /// With --json: add the momentary and short-term loudness series (every 100 ms
    /// unless --series-step-ms says otherwise).
    #[arg(long, requires = "json")]
    series: bool,
    /// With --series: spacing of the series, ms, a multiple of 10 up to 3000. A
    /// multiple of 100 thins the 100 ms step series; any other (10 for the finest)
    /// reads the momentary loudness on the meter's 10 ms grid, the short-term
    /// loudness staying at 100 ms.
    #[arg(long, value_name = "MS", default_value = "100", requires = "series",
        value_parser = parse_series_step)]
    series_step_ms: SeriesStep,
    /// Number of files measured at once [default: one per core].
    #[arg(short = 'j', long, value_name = "N")]
    jobs: Option<NonZeroUsize>,
}

/// Limiter character (`--character`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum CharacterArg {
    /// Smooth gain changes, minimal distortion.
    Transparent,
    /// Faster release on transients: more punch and density.
    Punchy,
}

/// True-peak oversampling (`--oversampling`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum OversamplingArg {
    #[value(name = "4")]
    X4,
    #[value(name = "8")]
    X8,
}

/// Output word length (`--bits`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum BitsArg {
    /// 16-bit integer.
    #[value(name = "16")]
    Int16,
    /// 24-bit integer.
    #[value(name = "24")]
    Int24,
    /// 32-bit float.
    #[value(name = "32")]
    Float32,
}

/// Dither (`--dither`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum DitherArg {
    /// Triangular-PDF dither.
    Tpdf,
    /// TPDF dither with noise shaping.
    Shaped,
    /// Plain rounding.
    Off,
}

#[derive(Debug, Args)]
struct MasterArgs {
    /// Audio files to master (WAV or FLAC, mono or stereo).
    #[arg(required = true, value_name = "FILE")]
    files: Vec<PathBuf>,
    /// Output file, WAV or FLAC by its extension (.wav, .flac); with several
    /// inputs, an existing directory that receives `<name>.mastered.wav` files.
    #[arg(short = 'o', long = "output", value_name = "OUT")]
    output: PathBuf,
    /// Integrated-loudness target, LUFS.
    #[arg(long, value_name = "LUFS", default_value_t = -14.0,
        allow_negative_numbers = true, value_parser = parse_target)]
    target: f64,
    /// True-peak ceiling, dBTP (−3 to −0.1).
    #[arg(long, value_name = "DBTP", default_value_t = -1.0,
        allow_negative_numbers = true, value_parser = parse_ceiling)]
    ceiling: f64,
    /// Fixed release time, ms (1 to 1000) [default: program-dependent].
    #[arg(long, value_name = "MS", value_parser = parse_release)]
    release: Option<f64>,
    /// Look-ahead, ms (0.5 to 5) [default: the Maximizer's].
    #[arg(long, value_name = "MS", value_parser = parse_lookahead)]
    lookahead: Option<f64>,
    /// Limiter character.
    #[arg(long, value_enum, default_value_t = CharacterArg::Transparent)]
    character: CharacterArg,
    /// True-peak oversampling factor.
    #[arg(long, value_enum, default_value_t = OversamplingArg::X4)]
    oversampling: OversamplingArg,
    /// Output bits per sample (32 = float, WAV only: FLAC stores 16 or 24).
    #[arg(long, value_enum, default_value_t = BitsArg::Int24)]
    bits: BitsArg,
    /// Dither to the output word length [default: tpdf for 16/24 bits, off for float].
    #[arg(long, value_enum)]
    dither: Option<DitherArg>,
    /// Draw loudness over time before and after as a PNG; with several
    /// inputs, an existing directory that receives `<name>.loudness.png` files.
    #[arg(long, value_name = "PNG")]
    plot: Option<PathBuf>,
    /// Overwrite existing output files (never an input).
    #[arg(long)]
    force: bool,
    /// Print one JSON object per file, one per line.
    #[arg(long)]
    json: bool,
    /// Number of files mastered at once [default: one per core].
    #[arg(short = 'j', long, value_name = "N")]
    jobs: Option<NonZeroUsize>,
}

/// Parses a number and checks it lies in `min..=max`. The comparison is
/// made in `f32`, the processor's precision, so `-0.1` meets a bound of
/// `-0.1_f32`.
fn parse_in_range(text: &str, min: f32, max: f32, unit: &str) -> Result<f64, String> {
    let value: f64 = text
        .trim()
        .parse()
        .map_err(|_| format!("{text:?} is not a number"))?;
    if !(min..=max).contains(&(value as f32)) {
        return Err(format!("{value} {unit} is outside {min}..={max} {unit}"));
    }
    Ok(value)
}

fn parse_target(text: &str) -> Result<f64, String> {
    parse_in_range(text, TARGET_RANGE_LUFS.0, TARGET_RANGE_LUFS.1, "LUFS")
}

// The processor's own ranges (it would clamp silently; the CLI refuses).

fn parse_ceiling(text: &str) -> Result<f64, String> {
    let (min, max) = maximizer::CEILING_RANGE_DBTP;
    parse_in_range(text, min, max, "dBTP")
}

fn parse_release(text: &str) -> Result<f64, String> {
    let (min, max) = maximizer::RELEASE_RANGE_MS;
    parse_in_range(text, min, max, "ms")
}

fn parse_lookahead(text: &str) -> Result<f64, String> {
    let (min, max) = maximizer::LOOKAHEAD_RANGE_MS;
    parse_in_range(text, min, max, "ms")
}

fn main() -> ExitCode {
    // The matches too: `lathe process` pairs each `--set` with the
    // `--plugin` before it by their positions on the command line.
    let matches = Cli::command().get_matches();
    let cli = Cli::from_arg_matches(&matches).unwrap_or_else(|err| err.exit());
    match cli.command {
        Command::Measure(args) => run_measure(&args),
        Command::Master(args) => run_master(&args),
        Command::Process(args) => {
            let sub = matches
                .subcommand_matches("process")
                .expect("the process subcommand was parsed");
            run_process(&args, sub)
        }
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
        series_step: args.series_step_ms,
    };
    let stdout = io::stdout();
    let mut failures = 0_usize;
    let mut reports_written = 0_usize;
    let mut stdout_closed = false;
    let mut report_error: Option<io::Error> = None;

    let run = parallel::for_each_ordered(
        &args.files,
        args.jobs,
        |path| measure_one(path, options),
        |path, outcome| {
            let name = path.to_string_lossy();
            match outcome {
                Ok(measurement) => {
                    if let Some(truncation) = measurement.truncated {
                        eprintln!(
                            "lathe: warning: {name:?}: {truncation}; measured the {:.3} s that are there",
                            measurement.duration_s()
                        );
                    }
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
                    if let Err(err) = out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
                        stdout_closed = true;
                        report_error = report_write_error(err);
                    }
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
    if let Some(err) = report_error {
        eprintln!("lathe: cannot write the report to standard output: {err}");
        return ExitCode::from(EXIT_SOME_FILES_FAILED);
    }
    if failures > 0 {
        ExitCode::from(EXIT_SOME_FILES_FAILED)
    } else {
        ExitCode::SUCCESS
    }
}

/// A failed write of a report to standard output: `None` for a closed pipe
/// (e.g. `| head`), which only means nobody reads any more; the error
/// otherwise (a full disk, an I/O error), which the user must hear of.
fn report_write_error(err: io::Error) -> Option<io::Error> {
    (err.kind() != io::ErrorKind::BrokenPipe).then_some(err)
}

/// Exits with clap's usage-error status and format (`lathe master`).
fn usage_error(message: impl std::fmt::Display) -> ! {
    subcommand_usage_error("master", message)
}

/// Exits with clap's usage-error status and format for `subcommand`.
fn subcommand_usage_error(subcommand: &str, message: impl std::fmt::Display) -> ! {
    let mut command = Cli::command();
    let sub = command
        .find_subcommand_mut(subcommand)
        .expect("the subcommand exists")
        .clone();
    sub.bin_name(format!("lathe {subcommand}"))
        .error(ErrorKind::ValueValidation, message)
        .exit()
}

/// The `--plugin` groups in command-line order, each with the `--set`s
/// that follow it.
fn stage_specs(args: &ProcessArgs, matches: &ArgMatches) -> Vec<StageSpec> {
    let plugin_at: Vec<usize> = matches
        .indices_of("plugins")
        .map_or(Vec::new(), Iterator::collect);
    let set_at: Vec<usize> = matches
        .indices_of("sets")
        .map_or(Vec::new(), Iterator::collect);
    let mut stages: Vec<StageSpec> = args
        .plugins
        .iter()
        .map(|plugin| StageSpec {
            plugin: plugin.clone(),
            sets: Vec::new(),
        })
        .collect();
    for (set, &at) in args.sets.iter().zip(&set_at) {
        match plugin_at.iter().rposition(|&p| p < at) {
            Some(owner) => stages[owner].sets.push(set.clone()),
            None => subcommand_usage_error(
                "process",
                format!("--set {set:?} comes before any --plugin; put it after the plugin it sets"),
            ),
        }
    }
    stages
}

/// `lathe process --list`: every parameter of each plugin.
fn print_parameter_list(stages: &[StageSpec], json: bool) -> ExitCode {
    use shared_dsp::processors::param_table::table_for;
    let mut text = String::new();
    if json {
        // One object per plugin: what a script needs to build `--set`s.
        for spec in stages {
            let Some(table) = table_for(&spec.plugin) else {
                continue;
            };
            let params: Vec<serde_json::Value> = table
                .describe()
                .iter()
                .map(|p| {
                    serde_json::json!({
                        "id": p.id,
                        "name": p.name,
                        "unit": p.unit,
                        "accepts": p.accepted,
                        "default": p.default,
                        "affects_audio": p.affects_audio,
                    })
                })
                .collect();
            text.push_str(
                &serde_json::json!({ "plugin": spec.plugin, "parameters": params }).to_string(),
            );
            text.push('\n');
        }
    }
    for (n, spec) in stages.iter().enumerate().filter(|_| !json) {
        let Some(table) = table_for(&spec.plugin) else {
            continue;
        };
        if n > 0 {
            text.push('\n');
        }
        text.push_str(&format!("{} parameters (--set ID=VALUE):\n", spec.plugin));
        text.push_str(&format!(
            "  {:<18} {:<34} {:<12} {}\n",
            "ID", "VALUES", "DEFAULT", "NAME"
        ));
        let params = table.describe();
        for p in &params {
            let note = if p.affects_audio {
                ""
            } else {
                "  (editor only: no effect offline)"
            };
            text.push_str(&format!(
                "  {:<18} {:<34} {:<12} {}{note}\n",
                p.id, p.accepted, p.default, p.name
            ));
        }
    }
    let mut out = io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) if err.kind() == io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("lathe: cannot write to standard output: {err}");
            ExitCode::from(EXIT_SOME_FILES_FAILED)
        }
    }
}

/// `lathe process`: one file through the chain.
fn run_process(args: &ProcessArgs, matches: &ArgMatches) -> ExitCode {
    let stages = stage_specs(args, matches);
    if args.list {
        return print_parameter_list(&stages, args.json);
    }
    let (Some(input), Some(output)) = (&args.input, &args.output) else {
        subcommand_usage_error("process", "give a FILE and -o OUT (or --list)");
    };
    // Every --set is checked before any audio is read.
    for spec in &stages {
        if let Err(message) = process::stage::check_sets(spec) {
            subcommand_usage_error("process", message);
        }
    }
    let bits_given = matches.value_source("bits") == Some(clap::parser::ValueSource::CommandLine);
    let format = match (args.bits, encode::is_flac_path(output)) {
        (BitsArg::Int16, _) => OutputFormat::Int16,
        (BitsArg::Int24, _) => OutputFormat::Int24,
        // FLAC has no float: the default becomes 24-bit (rounded, as
        // --bits 24 is); asking for float explicitly is an error.
        (BitsArg::Float32, true) if !bits_given => OutputFormat::Int24,
        (BitsArg::Float32, true) => subcommand_usage_error("process", FLOAT_FLAC_MESSAGE),
        (BitsArg::Float32, false) => OutputFormat::Float32,
    };
    let options = ProcessOptions {
        stages,
        block_frames: args.block,
        format,
        force: args.force,
    };
    if let Err(err) = interrupt::install() {
        eprintln!("lathe: cannot install the Ctrl-C handler: {err}");
        return ExitCode::from(EXIT_INTERNAL_ERROR);
    }
    let progress = Progress::for_stderr();
    let name = input.to_string_lossy();
    let bar = progress.add_file(&name);
    let result = panic::catch_unwind(AssertUnwindSafe(|| {
        process::process_file(input, output, &options, &bar)
    }));
    drop(bar);
    let outcome = match result {
        Ok(Ok(outcome)) => outcome,
        Ok(Err(process::ProcessError::Interrupted)) => {
            eprintln!("lathe: interrupted; the unfinished output was removed");
            return ExitCode::from(EXIT_INTERRUPTED);
        }
        Ok(Err(err)) => {
            eprintln!("lathe: cannot process {name:?}: {err}");
            return ExitCode::from(EXIT_SOME_FILES_FAILED);
        }
        Err(_) => {
            eprintln!("lathe: internal error while processing {name:?} (see above)");
            return ExitCode::from(EXIT_INTERNAL_ERROR);
        }
    };
    let text = if args.json {
        process_json(&name, &output.to_string_lossy(), &outcome) + "\n"
    } else {
        process_human(&name, &output.to_string_lossy(), &outcome)
    };
    let mut out = io::stdout().lock();
    if let Err(err) = out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        if let Some(err) = report_write_error(err) {
            eprintln!("lathe: cannot write the report to standard output: {err}");
            return ExitCode::from(EXIT_SOME_FILES_FAILED);
        }
    }
    ExitCode::SUCCESS
}

/// Seconds of `frames` at `sample_rate`.
fn seconds(frames: u64, sample_rate: u32) -> f64 {
    frames as f64 / f64::from(sample_rate)
}

fn process_human(input: &str, output: &str, outcome: &process::ProcessOutcome) -> String {
    let chain: Vec<&str> = outcome.stages.iter().map(|(p, _)| p.as_str()).collect();
    let mut text = format!(
        "{input} → {output}\n  chain: {}\n  {:.3} s at {} Hz; latency {} samples compensated\n",
        chain.join(" → "),
        seconds(outcome.frames, outcome.sample_rate),
        outcome.sample_rate,
        outcome.latency_samples
    );
    let lufs =
        |v: Option<f64>, unit: &str| v.map_or("–".to_owned(), |v| format!("{v:.1} {unit}"));
    for (plugin, report) in &outcome.stages {
        match report {
            StageReport::Nothing => {}
            StageReport::GainReduction(db) => {
                text.push_str(&format!("  {plugin}: largest gain reduction {db:.1} dB\n"));
            }
            StageReport::Loudness(r) => text.push_str(&format!(
                "  {plugin}: integrated {}, LRA {}, max short-term {}, max momentary {}, true peak {}\n",
                lufs(r.integrated_lufs, "LUFS"),
                lufs(r.loudness_range_lu, "LU"),
                lufs(r.max_short_term_lufs, "LUFS"),
                lufs(r.max_momentary_lufs, "LUFS"),
                lufs(r.true_peak_dbtp, "dBTP"),
            )),
        }
    }
    text
}

fn process_json(input: &str, output: &str, outcome: &process::ProcessOutcome) -> String {
    let stages: Vec<serde_json::Value> = outcome
        .stages
        .iter()
        .map(|(plugin, report)| match report {
            StageReport::Nothing => serde_json::json!({ "plugin": plugin }),
            StageReport::GainReduction(db) => serde_json::json!({
                "plugin": plugin,
                "max_gain_reduction_db": db,
            }),
            StageReport::Loudness(r) => serde_json::json!({
                "plugin": plugin,
                "integrated_lufs": r.integrated_lufs,
                "loudness_range_lu": r.loudness_range_lu,
                "max_short_term_lufs": r.max_short_term_lufs,
                "max_momentary_lufs": r.max_momentary_lufs,
                "true_peak_dbtp": r.true_peak_dbtp,
            }),
        })
        .collect();
    serde_json::json!({
        "file": input,
        "output": output,
        "duration_s": seconds(outcome.frames, outcome.sample_rate),
        "sample_rate": outcome.sample_rate,
        "latency_samples": outcome.latency_samples,
        "stages": stages,
    })
    .to_string()
}

/// The mastering options from the arguments; usage errors exit.
fn master_options(args: &MasterArgs) -> MasterOptions {
    let format = match args.bits {
        BitsArg::Int16 => OutputFormat::Int16,
        BitsArg::Int24 => OutputFormat::Int24,
        BitsArg::Float32 if encode::is_flac_path(&args.output) => usage_error(FLOAT_FLAC_MESSAGE),
        BitsArg::Float32 => OutputFormat::Float32,
    };
    let dither = match (args.dither, format.is_integer()) {
        (None, true) | (Some(DitherArg::Tpdf), true) => DitherMode::Tpdf,
        (Some(DitherArg::Shaped), true) => DitherMode::NoiseShaped,
        (Some(DitherArg::Off), _) | (None, false) => DitherMode::Off,
        (Some(_), false) => usage_error(
            "--dither needs an integer output (--bits 16 or 24); float output is not dithered",
        ),
    };
    MasterOptions {
        target_lufs: args.target,
        ceiling_dbtp: args.ceiling,
        release_ms: args.release,
        lookahead_ms: args.lookahead,
        character: match args.character {
            CharacterArg::Transparent => Character::Transparent,
            CharacterArg::Punchy => Character::Punchy,
        },
        oversampling: match args.oversampling {
            OversamplingArg::X4 => Oversampling::X4,
            OversamplingArg::X8 => Oversampling::X8,
        },
        format,
        dither,
        force: args.force,
    }
}

/// Masters one file, turning a panic into an error.
fn master_one(
    job: &Job,
    inputs: &[PathBuf],
    options: &MasterOptions,
    progress: &Progress,
) -> Result<MasterOutcome, MasterError> {
    let bar = progress.add_file(&job.input.to_string_lossy());
    match panic::catch_unwind(AssertUnwindSafe(|| master_file(job, inputs, options, &bar))) {
        // Name the file the user will look for, not "the output".
        Ok(Err(MasterError::Encode(source))) => Err(MasterError::Write {
            path: job.output.clone(),
            source,
        }),
        Ok(result) => result,
        // The panic message itself has already gone to stderr.
        Err(_) => Err(MasterError::Internal),
    }
}

/// `lathe master`: master every file, report in input order.
fn run_master(args: &MasterArgs) -> ExitCode {
    let options = master_options(args);
    let jobs = match paths::plan_jobs(&args.files, &args.output, args.plot.as_deref()) {
        Ok(jobs) => jobs,
        Err(message) => usage_error(message),
    };
    if let Err(err) = interrupt::install() {
        eprintln!("lathe: cannot install the Ctrl-C handler: {err}");
        return ExitCode::from(EXIT_INTERNAL_ERROR);
    }
    let progress = Progress::for_stderr();
    let stdout = io::stdout();
    let mut failures = 0_usize;
    let mut reports_written = 0_usize;
    let mut stdout_closed = false;
    let mut report_error: Option<io::Error> = None;

    let run = parallel::for_each_ordered(
        &jobs,
        args.jobs,
        |job| master_one(job, &args.files, &options, &progress),
        |job, outcome| {
            let name = job.input.to_string_lossy();
            match outcome {
                Ok(outcome) => {
                    if !outcome.plot_has_text {
                        progress.eprintln(
                            "lathe: warning: no font found (install fonts-dejavu-core); \
                             the plot has no labels",
                        );
                    }
                    if let Some(warning) = master::report::heavy_limiting_warning(&name, &outcome) {
                        progress.eprintln(&warning);
                    }
                    if stdout_closed {
                        return;
                    }
                    let output = job.output.to_string_lossy();
                    let plot = job.plot.as_ref().map(|p| p.to_string_lossy());
                    let context = ReportContext {
                        file: &name,
                        output: &output,
                        plot: plot.as_deref(),
                        target_lufs: options.target_lufs,
                        ceiling_dbtp: options.ceiling_dbtp,
                    };
                    let text = if args.json {
                        master::report::json_line(&context, &outcome) + "\n"
                    } else {
                        let separator = if reports_written > 0 { "\n" } else { "" };
                        format!(
                            "{separator}{}",
                            master::report::human_block(&context, &outcome)
                        )
                    };
                    let mut out = stdout.lock();
                    if let Err(err) = progress
                        .suspend(|| out.write_all(text.as_bytes()).and_then(|()| out.flush()))
                    {
                        stdout_closed = true;
                        report_error = report_write_error(err);
                    }
                    reports_written += 1;
                }
                Err(MasterError::Interrupted) => failures += 1,
                Err(reason) => {
                    failures += 1;
                    progress.eprintln(&format!("lathe: cannot master {name:?}: {reason}"));
                }
            }
        },
    );

    if let Err(err) = run {
        eprintln!("lathe: cannot start worker threads: {err}");
        return ExitCode::from(EXIT_INTERNAL_ERROR);
    }
    if interrupt::requested() {
        eprintln!("lathe: interrupted; unfinished outputs were removed");
        return ExitCode::from(EXIT_INTERRUPTED);
    }
    if let Some(err) = report_error {
        eprintln!("lathe: cannot write the report to standard output: {err}");
        return ExitCode::from(EXIT_SOME_FILES_FAILED);
    }
    if failures > 0 {
        ExitCode::from(EXIT_SOME_FILES_FAILED)
    } else {
        ExitCode::SUCCESS
    }
}
