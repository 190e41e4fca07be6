//! `cargo xtask validate`: the three validators hosts and plugin shops trust,
//! on every bundle of the suite.
//!
//! ```text
//! cargo xtask validate [--validators DIR] [--bundle-dir DIR] [--fuzz-seconds N]
//!                      [--plugin PACKAGE]… [--only RUN]… [--allow-missing]
//!                      [--tolerate-denormal-timing]
//! ```
//!
//! For each plugin it runs clap-validator `validate` and `fuzz`, the VST3 SDK
//! validator in normal and extensive (`-e`) mode, and pluginval at strictness
//! 10 without GUI tests. Each run's output goes to
//! `target/validate/<package>-<run>.log`; the verdict comes from reading that
//! output, not only the exit code: the VST3 validator prints `ERROR:` lines
//! inside tests it counts as passed, clap-validator reports warnings with exit
//! code 0 (its fuzzer only in its log, e.g. a parameter text that does not
//! parse back to itself), and nice-plug's debug-assertion builds log `WARN`/`ERROR` lines for
//! misuse the validators do not check. One line per run and plugin is printed
//! (`PASS`, `WARN n`, `FAIL n`); any failure, warning or missing validator
//! makes the command fail (`--allow-missing` skips missing validators instead).
//!
//! `--tolerate-denormal-timing` lets one warning through, clap-validator's
//! `process-audio-denormals` timing comparison, and prints it as tolerated.
//! Its cause on our side is fixed (DAZ in the wrapper, subnormals measured as
//! silence; `shared-dsp/benches/denormals.rs` shows denormal input costs what
//! normal input does). What remains is the validator timing itself: it
//! generates the denormal input inside the timed loop, in its own thread
//! without FTZ/DAZ (≈ 56 ns a sample on x86, against ≈ 2 ns for normal
//! noise), so a plugin that costs little (a neutral channel strip, the meter)
//! reads 1.4–8×. `clap-validator validate --in-process --trace -t
//! process-audio-denormals` shows the plugin's own `process` calls taking the
//! same time for both inputs (Loudness Meter, release: 1.45–1.72 ms normal
//! against 1.59–1.69 ms denormal per 50 blocks, while it reported 1.4–1.6×).
//!
//! Validators are looked up in `--validators DIR`, then `$LATHE_VALIDATORS`,
//! then `PATH`. The bundles are the ones already in `target/bundled/` (or
//! `--bundle-dir`): `cargo xtask test` leaves the `ci`-profile bundles there
//! (debug assertions on, which is what shows nice-plug's warnings), `cargo
//! xtask bundle-suite --release` the release ones. Nothing is built here.

use anyhow::{bail, Context, Result};
use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Environment variable naming a folder that holds the validator binaries.
const VALIDATORS_ENV: &str = "LATHE_VALIDATORS";
/// Default length of the clap-validator fuzz run per plugin, s.
const DEFAULT_FUZZ_SECONDS: u64 = 30;
/// A run that has not finished after this long is killed and counted as failed.
const RUN_TIMEOUT: Duration = Duration::from_secs(30 * 60);
/// pluginval's strictness (1–10); 10 adds its fuzzing and long-running tests.
const PLUGINVAL_STRICTNESS: &str = "10";
/// Where logs go, under the workspace root.
const LOG_DIR: &str = "target/validate";

/// The three validator programs.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Tool {
    Clap,
    Vst3,
    Pluginval,
}

impl Tool {
    const ALL: [Tool; 3] = [Tool::Clap, Tool::Vst3, Tool::Pluginval];

    fn binary(self) -> &'static str {
        match self {
            Tool::Clap => "clap-validator",
            Tool::Vst3 => "vst3-validator",
            Tool::Pluginval => "pluginval",
        }
    }
}

/// One way of running a validator on one plugin.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Run {
    ClapValidate,
    ClapFuzz,
    Vst3,
    Vst3Extensive,
    Pluginval,
}

impl Run {
    const ALL: [Run; 5] = [
        Run::ClapValidate,
        Run::ClapFuzz,
        Run::Vst3,
        Run::Vst3Extensive,
        Run::Pluginval,
    ];

    /// Short name, used in log file names and `--only`.
    fn name(self) -> &'static str {
        match self {
            Run::ClapValidate => "clap-validate",
            Run::ClapFuzz => "clap-fuzz",
            Run::Vst3 => "vst3",
            Run::Vst3Extensive => "vst3-extensive",
            Run::Pluginval => "pluginval",
        }
    }

    fn tool(self) -> Tool {
        match self {
            Run::ClapValidate | Run::ClapFuzz => Tool::Clap,
            Run::Vst3 | Run::Vst3Extensive => Tool::Vst3,
            Run::Pluginval => Tool::Pluginval,
        }
    }
}

struct Options {
    validators_dir: Option<PathBuf>,
    bundle_dir: PathBuf,
    fuzz_seconds: u64,
    plugins: Vec<String>,
    only: Vec<String>,
    allow_missing: bool,
    tolerate_denormal_timing: bool,
}

/// The clap-validator test whose warning `--tolerate-denormal-timing` tolerates.
const DENORMAL_TIMING_TEST: &str = "process-audio-denormals";

fn parse_options(args: &[String]) -> Result<Options> {
    let mut options = Options {
        validators_dir: None,
        bundle_dir: PathBuf::from("target").join("bundled"),
        fuzz_seconds: DEFAULT_FUZZ_SECONDS,
        plugins: Vec::new(),
        only: Vec::new(),
        allow_missing: false,
        tolerate_denormal_timing: false,
    };
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        let mut value = || {
            args.next()
                .cloned()
                .with_context(|| format!("{arg} needs a value"))
        };
        match arg.as_str() {
            "--validators" => options.validators_dir = Some(PathBuf::from(value()?)),
            "--bundle-dir" => options.bundle_dir = PathBuf::from(value()?),
            "--fuzz-seconds" => {
                options.fuzz_seconds = value()?
                    .parse()
                    .context("--fuzz-seconds takes a whole number of seconds")?
            }
            "--plugin" => options.plugins.push(value()?),
            "--only" => options.only.push(value()?),
            "--allow-missing" => options.allow_missing = true,
            "--tolerate-denormal-timing" => options.tolerate_denormal_timing = true,
            other => bail!(
                "validate: unknown argument {other:?}; usage: cargo xtask validate \
                 [--validators DIR] [--bundle-dir DIR] [--fuzz-seconds N] [--plugin PACKAGE]… \
                 [--only {}]… [--allow-missing] [--tolerate-denormal-timing]",
                Run::ALL.map(Run::name).join("|")
            ),
        }
    }
    for only in &options.only {
        if !Run::ALL.iter().any(|run| run.name() == only) {
            bail!(
                "--only {only:?}: not one of {}",
                Run::ALL.map(Run::name).join(", ")
            );
        }
    }
    Ok(options)
}

/// Finds `name` in the given folder, then `$LATHE_VALIDATORS`, then `PATH`.
fn find_tool(name: &str, dir: Option<&Path>) -> Option<PathBuf> {
    let env_dir = std::env::var_os(VALIDATORS_ENV).map(PathBuf::from);
    let path_dirs = std::env::var_os("PATH")
        .map(|path| std::env::split_paths(&path).collect::<Vec<_>>())
        .unwrap_or_default();
    dir.map(Path::to_path_buf)
        .into_iter()
        .chain(env_dir)
        .chain(path_dirs)
        .map(|dir| dir.join(name))
        .find(|candidate| candidate.is_file())
        .and_then(|found| std::fs::canonicalize(found).ok())
}

/// What reading one run's output found.
#[derive(Debug, Default)]
struct Verdict {
    /// Failed tests, crashes, and a non-zero exit without a reason found.
    failures: Vec<String>,
    /// Warnings, `ERROR:` lines inside passed tests, nice-plug's debug-assertion lines.
    warnings: Vec<String>,
    /// Warnings let through by `--tolerate-denormal-timing`.
    tolerated: Vec<String>,
}

impl Verdict {
    fn summary(&self) -> String {
        let label = if !self.failures.is_empty() {
            format!("FAIL {}", self.failures.len())
        } else if !self.warnings.is_empty() {
            format!("WARN {}", self.warnings.len())
        } else if !self.tolerated.is_empty() {
            return format!("PASS (tolerated: {})", self.tolerated.join("; "));
        } else {
            return "PASS".into();
        };
        // The first distinct reasons, enough to know where to look in the log.
        let mut reasons: Vec<&str> = Vec::new();
        for reason in self.failures.iter().chain(&self.warnings) {
            if !reasons.contains(&reason.as_str()) {
                reasons.push(reason);
            }
        }
        let shown: Vec<&str> = reasons.iter().take(3).copied().collect();
        let more = if reasons.len() > shown.len() {
            format!(" (+{} more)", reasons.len() - shown.len())
        } else {
            String::new()
        };
        format!("{label}: {}{more}", shown.join("; "))
    }
}

/// Removes ANSI colour escapes (clap-validator colours its log even into a file).
fn strip_ansi(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            // CSI: ESC [ … final byte in @..~
            if chars.next() == Some('[') {
                for c in chars.by_ref() {
                    if ('@'..='~').contains(&c) {
                        break;
                    }
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// The string value of `"key": "value"` on a JSON line, unescaped enough for a summary.
fn json_string_field<'a>(line: &'a str, key: &str) -> Option<&'a str> {
    let rest = line.trim().strip_prefix(&format!("\"{key}\": \""))?;
    rest.rsplit_once('"').map(|(value, _)| value)
}

/// nice-plug log messages that are the right answer to what a validator
/// deliberately does, not a fault: refusing the corrupt and truncated state
/// blobs of clap-validator's `state-invalid` tests.
const EXPECTED_NICE_PLUG_MESSAGES: &[&str] = &["Failed to load state"];

/// Lines every run is checked for: nice-plug's own warnings and errors (debug
/// assertions, allocation and threading checks, dropped tasks) and panics.
fn read_common(log: &str, verdict: &mut Verdict) {
    for line in log.lines() {
        if line.contains("panicked at") {
            verdict.failures.push(line.trim().to_owned());
        } else if (line.contains(" WARN nice_plug") || line.contains(" ERROR nice_plug"))
            && !EXPECTED_NICE_PLUG_MESSAGES
                .iter()
                .any(|expected| line.contains(expected))
        {
            // The message, without the timestamp and module path.
            let message = line.split_once(": ").map_or(line, |(_, m)| m);
            verdict
                .warnings
                .push(format!("nice-plug: {}", message.trim()));
        }
    }
}

/// clap-validator `validate --json` / `fuzz --json`: every test's status on stdout.
/// `validate` has `"code": "success|skipped|warning|failed|crashed"` per test,
/// `fuzz` `"type": …` per fuzzing chunk.
fn read_clap(json: &str, verdict: &mut Verdict) {
    let mut test = "?".to_owned();
    // Whether the entry just pushed still waits for its details: Some(true) for
    // the last failure, Some(false) for the last warning.
    let mut awaiting_details: Option<bool> = None;
    for line in json.lines() {
        if let Some(name) = json_string_field(line, "test") {
            test = name.to_owned();
            awaiting_details = None;
        }
        if let Some(code) = json_string_field(line, "code").or(json_string_field(line, "type")) {
            match code {
                "success" | "skipped" => {}
                "warning" => {
                    verdict.warnings.push(test.clone());
                    awaiting_details = Some(false);
                }
                other => {
                    verdict.failures.push(format!("{test} {other}"));
                    awaiting_details = Some(true);
                }
            }
        }
        let details = json_string_field(line, "details");
        if let (Some(details), Some(is_failure)) = (details, awaiting_details) {
            awaiting_details = None;
            let entry = if is_failure {
                verdict.failures.last_mut()
            } else {
                verdict.warnings.last_mut()
            };
            if let Some(entry) = entry {
                entry.push_str(&format!(": {}", details.replace("\\n", " / ")));
            }
        }
    }
}

/// clap-validator's own log (stderr) during `fuzz`: its JSON lists only failing chunks, so a
/// check that warns and goes on (e.g. "Text conversion error for parameter …", a value whose
/// text does not parse back to the same text) shows only as a `WARN` line of its own modules.
fn read_clap_fuzz_log(log: &str, verdict: &mut Verdict) {
    for line in log.lines() {
        if let Some((_, message)) = line.split_once(" WARN ") {
            if line.contains("clap_validator") {
                let message = message
                    .rsplit_once(" clap_validator")
                    .map_or(message, |(m, _)| m);
                verdict.warnings.push(format!("fuzz: {}", message.trim()));
            }
        }
    }
}

/// The VST3 validator: `[XXXXXXX Failed]` closes a failed test; `ERROR:` lines
/// can also appear inside tests it reports as `[Succeeded]`.
fn read_vst3(log: &str, verdict: &mut Verdict) {
    let mut test = "?".to_owned();
    for line in log.lines() {
        let line = line.trim();
        if line.starts_with('[') && line.ends_with(']') && !line.contains("Failed") {
            if line != "[Succeeded]" {
                test = line.trim_matches(['[', ']']).to_owned();
            }
        } else if line.contains("Failed]") {
            verdict.failures.push(test.clone());
        } else if let Some(message) = line.strip_prefix("ERROR:") {
            verdict.warnings.push(format!("{test}: {}", message.trim()));
        }
    }
}

/// pluginval: `!!! Test N failed: …` per failure, `*** FAILED` at the end.
fn read_pluginval(log: &str, verdict: &mut Verdict) {
    for line in log.lines() {
        let line = line.trim();
        if line.starts_with("!!!") {
            verdict
                .failures
                .push(line.trim_start_matches('!').trim().to_owned());
        } else if line.starts_with("*** FAILED") && verdict.failures.is_empty() {
            verdict.failures.push(line.to_owned());
        }
    }
}

/// Runs `cmd` with stdout and stderr captured, killing it after [`RUN_TIMEOUT`].
/// Returns (exit success, stdout, stderr). With `interleave`, both go to one
/// stream, in order (so the plugin's own log lines sit inside the test that
/// caused them), returned as stdout.
fn run_captured(
    cmd: &mut Command,
    log_path: &Path,
    interleave: bool,
) -> Result<(bool, String, String)> {
    let stdout_path = log_path.with_extension("stdout");
    let stderr_path = log_path.with_extension("stderr");
    let stdout = File::create(&stdout_path)?;
    let stderr = if interleave {
        stdout.try_clone()?
    } else {
        File::create(&stderr_path)?
    };
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(stdout)
        .stderr(stderr)
        .spawn()
        .with_context(|| format!("could not start {cmd:?}"))?;
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait()? {
            break Some(status);
        }
        if started.elapsed() > RUN_TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let read = |path: &Path| -> Result<String> {
        if !path.exists() {
            return Ok(String::new());
        }
        let bytes = std::fs::read(path)?;
        std::fs::remove_file(path)?;
        Ok(String::from_utf8_lossy(&bytes).into_owned())
    };
    let (stdout, stderr) = (read(&stdout_path)?, read(&stderr_path)?);
    let mut log = format!(
        "$ {cmd:?}\n\n{}\n{}",
        strip_ansi(&stderr),
        strip_ansi(&stdout)
    );
    if status.is_none() {
        log.push_str(&format!("\nxtask: killed after {RUN_TIMEOUT:?}\n"));
    }
    std::fs::write(log_path, log)?;
    Ok((status.is_some_and(|s| s.success()), stdout, stderr))
}

/// Runs one validator on one plugin and reads its output.
fn run_one(
    run: Run,
    tool: &Path,
    bundle_dir: &Path,
    bundle_name: &str,
    log_path: &Path,
    fuzz_seconds: u64,
    tolerate_denormal_timing: bool,
) -> Result<Verdict> {
    let clap = bundle_dir.join(format!("{bundle_name}.clap"));
    let vst3 = bundle_dir.join(format!("{bundle_name}.vst3"));
    let mut cmd = Command::new(tool);
    match run {
        Run::ClapValidate => cmd.args(["validate", "--json"]).arg(&clap),
        Run::ClapFuzz => cmd
            .args(["fuzz", "--json", "-d", &format!("{fuzz_seconds}s")])
            .arg(&clap),
        Run::Vst3 => cmd.arg(&vst3),
        Run::Vst3Extensive => cmd.arg("-e").arg(&vst3),
        Run::Pluginval => cmd
            .args([
                "--strictness-level",
                PLUGINVAL_STRICTNESS,
                "--skip-gui-tests",
            ])
            .arg("--output-dir")
            .arg(std::fs::canonicalize(LOG_DIR)?.join("pluginval"))
            .arg("--validate")
            .arg(&vst3),
    };
    // clap-validator's JSON must stay apart from its (and the plugin's) log lines.
    let interleave = run.tool() != Tool::Clap;
    let (success, stdout, stderr) = run_captured(&mut cmd, log_path, interleave)?;
    let mut verdict = Verdict::default();
    let all = strip_ansi(&format!("{stderr}\n{stdout}"));
    read_common(&all, &mut verdict);
    match run {
        Run::ClapValidate => read_clap(&stdout, &mut verdict),
        Run::ClapFuzz => {
            read_clap(&stdout, &mut verdict);
            read_clap_fuzz_log(&strip_ansi(&stderr), &mut verdict);
        }
        Run::Vst3 | Run::Vst3Extensive => read_vst3(&all, &mut verdict),
        Run::Pluginval => read_pluginval(&all, &mut verdict),
    }
    if tolerate_denormal_timing && run == Run::ClapValidate {
        let (tolerated, warnings) = std::mem::take(&mut verdict.warnings)
            .into_iter()
            .partition(|warning| warning.starts_with(DENORMAL_TIMING_TEST));
        verdict.tolerated = tolerated;
        verdict.warnings = warnings;
    }
    if !success && verdict.failures.is_empty() {
        verdict
            .failures
            .push(format!("{} exited unsuccessfully", tool.display()));
    }
    Ok(verdict)
}

/// `cargo xtask validate`; `suite` is (cargo package, bundle name) per plugin.
pub fn validate(args: &[String], suite: &[(&str, &str)]) -> Result<()> {
    let options = parse_options(args)?;
    let mut tools = Vec::new();
    let mut missing = Vec::new();
    for tool in Tool::ALL {
        match find_tool(tool.binary(), options.validators_dir.as_deref()) {
            Some(path) => {
                println!("validate: {} = {}", tool.binary(), path.display());
                tools.push((tool, path));
            }
            None => missing.push(tool.binary()),
        }
    }
    if !missing.is_empty() {
        let searched = format!(
            "{}${VALIDATORS_ENV} and PATH",
            options
                .validators_dir
                .as_ref()
                .map(|dir| format!("{}, ", dir.display()))
                .unwrap_or_default()
        );
        if options.allow_missing {
            eprintln!(
                "validate: MISSING {} (searched {searched}); skipped because of --allow-missing",
                missing.join(", ")
            );
        } else {
            bail!(
                "validate: MISSING {} (searched {searched}); pass --validators DIR, set \
                 ${VALIDATORS_ENV}, or --allow-missing to run only the others",
                missing.join(", ")
            );
        }
    }

    let plugins: Vec<(&str, &str)> = suite
        .iter()
        .copied()
        .filter(|(package, _)| {
            options.plugins.is_empty() || options.plugins.iter().any(|p| p == package)
        })
        .collect();
    if plugins.is_empty() {
        bail!(
            "validate: no plugin of the suite matches {:?}",
            options.plugins
        );
    }
    for (_, name) in &plugins {
        for ext in ["clap", "vst3"] {
            let bundle = options.bundle_dir.join(format!("{name}.{ext}"));
            if !bundle.exists() {
                bail!(
                    "validate: {} is missing; run `cargo xtask test` (ci-profile bundles) or \
                     `cargo xtask bundle-suite --release` first",
                    bundle.display()
                );
            }
        }
    }
    let bundle_dir = std::fs::canonicalize(&options.bundle_dir)?;
    std::fs::create_dir_all(Path::new(LOG_DIR).join("pluginval"))?;
    println!("validate: bundles in {}", bundle_dir.display());

    let runs: Vec<Run> = Run::ALL
        .into_iter()
        .filter(|run| options.only.is_empty() || options.only.iter().any(|o| o == run.name()))
        .collect();
    let mut lines = Vec::new();
    let mut bad = 0;
    let started = Instant::now();
    for run in runs {
        let Some((_, tool)) = tools.iter().find(|(tool, _)| *tool == run.tool()) else {
            lines.push(format!("{:<15} {:<16} MISSING", run.name(), "(all)"));
            continue;
        };
        for (package, name) in &plugins {
            let log_path = Path::new(LOG_DIR).join(format!("{package}-{}.log", run.name()));
            let run_started = Instant::now();
            let verdict = run_one(
                run,
                tool,
                &bundle_dir,
                name,
                &log_path,
                options.fuzz_seconds,
                options.tolerate_denormal_timing,
            )?;
            let line = format!(
                "{:<15} {:<16} {:>5.0} s  {}",
                run.name(),
                package,
                run_started.elapsed().as_secs_f64(),
                verdict.summary()
            );
            println!("{line}");
            if !(verdict.failures.is_empty() && verdict.warnings.is_empty()) {
                bad += 1;
            }
            lines.push(line);
        }
    }
    println!(
        "\nvalidate: summary ({:.0} s; logs in {LOG_DIR}/)",
        started.elapsed().as_secs_f64()
    );
    for line in &lines {
        println!("  {line}");
    }
    if bad > 0 {
        bail!("validate: {bad} run(s) failed or warned; see the logs in {LOG_DIR}/");
    }
    if !missing.is_empty() {
        println!("validate: passed, but without {}", missing.join(", "));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fuzz_warning_in_clap_validators_log_is_a_warning() {
        // The line clap-validator 0.4.1's fuzzer printed for the Bus Glue (2026-12-02).
        let log = "\n18261ms  WARN Text conversion error for parameter 1484639174: \
                   0.9998623527625703 -> \"999.5 Hz\" -> 0.9998697638511658 -> \"1.0 kHz\" \
                   clap_validator::fuzz::runner\n 18300ms  INFO Fuzzing chunk 3 clap_validator::fuzz\n";
        let mut verdict = Verdict::default();
        read_clap_fuzz_log(log, &mut verdict);
        assert_eq!(verdict.warnings.len(), 1, "{:?}", verdict.warnings);
        assert!(verdict.warnings[0].starts_with("fuzz: Text conversion error for parameter"));
        assert!(
            verdict.warnings[0].ends_with("-> \"1.0 kHz\""),
            "{}",
            verdict.warnings[0]
        );
        let mut quiet = Verdict::default();
        read_clap_fuzz_log(
            " 10ms  INFO Fuzzing chunk 1 clap_validator::fuzz\n[]",
            &mut quiet,
        );
        assert!(quiet.warnings.is_empty() && quiet.failures.is_empty());
    }
}
