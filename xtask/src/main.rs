//! `cargo xtask …`: Lathe's build tasks.
//!
//! - `bundle <pkg> [--release]` — nice-plug's bundler (VST3 + CLAP in `target/bundled/`).
//! - `install [--profile P]` — bundle every plugin of the suite (release by default)
//!   and copy the bundles to `~/.clap` and `~/.vst3`.
//! - `test` — the whole test suite: bundle every plugin in the `ci` profile, run
//!   `cargo test --workspace --profile ci` (incl. the CLAP host harness), then
//!   the VST3 harness in pedalboard, then the Ardour 7 session tests
//!   (host-tests/ardour). One profile, so one build of everything.
//! - `screenshots` — render every plugin's editor headless (standalone build
//!   under Xvfb) into `docs/screenshots/<package>.png`.
//! - `validate` — run clap-validator, Steinberg's VST3 validator and pluginval
//!   on every bundle in `target/bundled/` (see [`validate`]).
//! - `bench-peers [--minutes N] [--runs N] [--only GROUP] [--no-write]` — time
//!   Lathe's processors against LSP, x42, libebur128 and ffmpeg on one
//!   programme and write the table into BENCHMARKS.md (see [`bench_peers`];
//!   not in CI).

use anyhow::{bail, Context, Result};
use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::time::Duration;

mod bench_peers;
mod validate;

/// Every plugin of the suite, in `bundler.toml` order: (cargo package, bundle
/// name). A plugin joins the suite by its table in `bundler.toml`; each
/// plugin's tests check that table against its `PluginIdentity`.
fn suite() -> Result<Vec<(String, String)>> {
    let text = std::fs::read_to_string("bundler.toml").context("reading bundler.toml")?;
    let table: toml::Table = text.parse().context("parsing bundler.toml")?;
    table
        .iter()
        .map(|(package, entry)| {
            let name = entry
                .get("name")
                .and_then(|name| name.as_str())
                .with_context(|| format!("bundler.toml: [{package}] has no name"))?;
            Ok((package.clone(), name.to_owned()))
        })
        .collect()
}

/// Profile the test command builds everything in (see the workspace Cargo.toml).
const TEST_PROFILE: &str = "ci";

fn main() -> Result<()> {
    let mut args = std::env::args().skip(1);
    let command = args.next().unwrap_or_default();
    let rest: Vec<String> = args.collect();
    nice_plug_xtask::chdir_workspace_root()?;
    match command.as_str() {
        "install" => install(&rest),
        "test" => test(&rest),
        "screenshots" => screenshots(),
        "bundle-suite" => bundle_suite(&rest).map(|_| ()),
        "bench-peers" => bench_peers::bench_peers(&rest),
        "validate" => {
            let suite = suite()?;
            let suite: Vec<(&str, &str)> = suite
                .iter()
                .map(|(package, name)| (package.as_str(), name.as_str()))
                .collect();
            validate::validate(&rest, &suite)
        }
        _ => nice_plug_xtask::main_with_args("cargo xtask", std::iter::once(command).chain(rest)),
    }
}

fn cargo() -> Command {
    Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
}

fn run(cmd: &mut Command) -> Result<()> {
    eprintln!("xtask: running {cmd:?}");
    let status = cmd
        .status()
        .with_context(|| format!("could not start {cmd:?}"))?;
    if !status.success() {
        bail!("{cmd:?} failed with {status}");
    }
    Ok(())
}

fn bundled_dir() -> PathBuf {
    PathBuf::from("target").join("bundled")
}

/// Builds and bundles every plugin of the suite with the given cargo profile
/// args (e.g. `--release` or `--profile ci`). Returns the bundle directory.
fn bundle_suite(profile_args: &[String]) -> Result<PathBuf> {
    let mut args = vec!["bundle".to_owned()];
    for (package, _) in suite()? {
        args.push("-p".into());
        args.push(package);
    }
    args.extend(profile_args.iter().cloned());
    nice_plug_xtask::main_with_args("cargo xtask", args)?;
    Ok(bundled_dir())
}

fn home() -> Result<PathBuf> {
    std::env::var_os("HOME")
        .map(PathBuf::from)
        .context("HOME is not set; cannot find ~/.clap and ~/.vst3")
}

fn copy_dir(from: &Path, to: &Path) -> Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_dir(&entry.path(), &target)?;
        } else {
            std::fs::copy(entry.path(), &target)?;
        }
    }
    Ok(())
}

/// Replaces `dest` (file or directory) with a copy of `src`.
fn replace_with_copy(src: &Path, dest: &Path) -> Result<()> {
    if dest.is_dir() {
        std::fs::remove_dir_all(dest)?;
    } else if dest.exists() {
        std::fs::remove_file(dest)?;
    }
    if src.is_dir() {
        copy_dir(src, dest)
    } else {
        std::fs::copy(src, dest).map(|_| ()).map_err(Into::into)
    }
    .with_context(|| format!("copying {} to {}", src.display(), dest.display()))
}

fn install(args: &[String]) -> Result<()> {
    let profile_args = if args.is_empty() {
        vec!["--release".to_owned()]
    } else {
        args.to_vec()
    };
    let bundled = bundle_suite(&profile_args)?;
    let home = home()?;
    let clap_dir = home.join(".clap");
    let vst3_dir = home.join(".vst3");
    std::fs::create_dir_all(&clap_dir)?;
    std::fs::create_dir_all(&vst3_dir)?;
    for (_, name) in suite()? {
        for (ext, dir) in [("clap", &clap_dir), ("vst3", &vst3_dir)] {
            let file = format!("{name}.{ext}");
            let src = bundled.join(&file);
            if !src.exists() {
                bail!("{} was not bundled", src.display());
            }
            let dest = dir.join(&file);
            replace_with_copy(&src, &dest)?;
            println!("installed {}", dest.display());
        }
    }
    Ok(())
}

fn test(extra_cargo_args: &[String]) -> Result<()> {
    let profile = ["--profile".to_owned(), TEST_PROFILE.to_owned()];
    let bundled = std::fs::canonicalize(bundle_suite(&profile)?)?;
    run(cargo()
        .args(["test", "--workspace"])
        .args(&profile)
        .args(extra_cargo_args)
        .env("LATHE_BUNDLE_DIR", &bundled))?;
    run(Command::new(python())
        .args(["-m", "pytest", "-q", "host-tests/vst3"])
        .env("LATHE_BUNDLE_DIR", &bundled))?;
    // The suite in a real DAW: Ardour 7 headless (skips if it is not installed).
    run(Command::new(python())
        .args(["-m", "pytest", "-q", "-rsx", "host-tests/ardour"])
        .env("LATHE_BUNDLE_DIR", &bundled))?;
    Ok(())
}

/// The Python that has the VST3 harness's packages: the project's `.venv`
/// (made by `scripts/install-deps`) if present, else `python3` from PATH.
fn python() -> PathBuf {
    let venv = Path::new(".venv/bin/python3");
    if venv.exists() {
        venv.to_path_buf()
    } else {
        PathBuf::from("python3")
    }
}

/// Kills a child process when dropped, so no Xvfb or editor outlives the task.
struct KillOnDrop(Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Display number used for the headless X server.
const SCREENSHOT_DISPLAY: &str = ":97";
/// Time given to the editor to open, measure the demo input and draw.
const EDITOR_SETTLE: Duration = Duration::from_secs(8);
/// Sample rate of the demo input and the standalone host, Hz.
const DEMO_SAMPLE_RATE: usize = 48_000;
/// Length of the demo input, seconds.
const DEMO_SECONDS: usize = 30;
/// ALSA's description of its `null` device (cpal names devices by description).
const ALSA_NULL_DEVICE: &str = "Discard all samples (playback) or generate zero samples (capture)";
/// Time between the demo programme's drum-like hits, seconds.
const BEAT_PERIOD_S: f32 = 0.5;
/// Decay time constant of a hit, seconds.
const HIT_DECAY_S: f32 = 0.08;
/// Period of the demo programme's level swell, seconds.
const SWELL_PERIOD_S: f32 = 4.0;
/// Description of the ALSA `file` device that plays the demo input.
const DEMO_DEVICE: &str = "Lathe demo input";

/// Writes a stereo, music-like demo programme as raw interleaved f32 (the
/// format cpal opens ALSA capture devices in): band-limited noise over a bass
/// line, with a slow level swell so the loudness history has a shape.
/// A screenshot fixture, not product DSP.
fn write_demo_input(path: &Path) -> Result<()> {
    let frames = DEMO_SAMPLE_RATE * DEMO_SECONDS;
    let mut bytes = Vec::with_capacity(frames * 2 * 4);
    let mut seed: u32 = 0x1234_5678;
    let (mut lp1, mut lp2) = (0.0f32, 0.0f32);
    for n in 0..frames {
        let t = n as f32 / DEMO_SAMPLE_RATE as f32;
        seed ^= seed << 13;
        seed ^= seed >> 17;
        seed ^= seed << 5;
        let white = seed as f32 / u32::MAX as f32 * 2.0 - 1.0;
        lp1 += 0.2 * (white - lp1);
        lp2 += 0.2 * (lp1 - lp2);
        let bass = (std::f32::consts::TAU * 55.0 * t).sin()
            * (0.6 + 0.4 * (std::f32::consts::TAU * 2.0 * t).sin());
        let swell = 0.5 + 0.45 * (std::f32::consts::TAU * t / SWELL_PERIOD_S).sin();
        // A drum-like hit every beat: the noise jumps up and decays.
        let since_beat = t % BEAT_PERIOD_S;
        let hit = 0.3 + 0.7 * (-since_beat / HIT_DECAY_S).exp();
        let x = ((2.6 * lp2 * hit + 0.4 * bass) * swell).clamp(-0.98, 0.98);
        let right = 0.9 * x + 0.1 * lp1;
        bytes.extend_from_slice(&x.to_le_bytes());
        bytes.extend_from_slice(&right.to_le_bytes());
    }
    std::fs::write(path, bytes)?;
    Ok(())
}

/// Prepares a private HOME whose `.asoundrc` defines the demo capture device.
fn demo_home() -> Result<PathBuf> {
    let home = std::fs::canonicalize("target")?.join("screenshot-home");
    std::fs::create_dir_all(&home)?;
    let raw = home.join("demo_f32.raw");
    write_demo_input(&raw)?;
    std::fs::write(
        home.join(".asoundrc"),
        format!(
            "pcm.lathedemo {{\n    type file\n    slave.pcm \"null\"\n    file \"/dev/null\"\n    infile \"{}\"\n    format \"raw\"\n    hint.description \"{DEMO_DEVICE}\"\n}}\n",
            raw.display()
        ),
    )?;
    Ok(home)
}

fn screenshots() -> Result<()> {
    // The `ci` profile: optimised, and shares most dependency builds with the tests.
    let mut build = cargo();
    build.args(["build", "--profile", TEST_PROFILE]);
    let suite = suite()?;
    for (package, _) in &suite {
        build.args(["-p", package]);
    }
    build.args(["--features", "standalone"]);
    run(&mut build)?;

    std::fs::create_dir_all("docs/screenshots")?;
    let home = demo_home()?;
    let _xvfb = KillOnDrop(
        Command::new("Xvfb")
            .args([
                SCREENSHOT_DISPLAY,
                "-screen",
                "0",
                "1280x900x24",
                "+extension",
                "GLX",
            ])
            .spawn()
            .context("could not start Xvfb (apt-get install xvfb)")?,
    );
    std::thread::sleep(Duration::from_secs(2));
    let _wm = KillOnDrop(
        Command::new("openbox")
            .env("DISPLAY", SCREENSHOT_DISPLAY)
            .spawn()
            .context("could not start openbox (apt-get install openbox)")?,
    );
    std::thread::sleep(Duration::from_secs(1));
    for (package, name) in &suite {
        let exe = Path::new("target")
            .join(TEST_PROFILE)
            .join(format!("{package}-standalone"));
        let _editor = KillOnDrop(
            Command::new(&exe)
                .args([
                    "--backend",
                    "alsa",
                    "--sample-rate",
                    &DEMO_SAMPLE_RATE.to_string(),
                ])
                .args([
                    "--input-device",
                    DEMO_DEVICE,
                    "--output-device",
                    ALSA_NULL_DEVICE,
                ])
                .env("DISPLAY", SCREENSHOT_DISPLAY)
                .env("HOME", &home)
                .spawn()
                .with_context(|| format!("could not start {}", exe.display()))?,
        );
        std::thread::sleep(EDITOR_SETTLE);
        let out = format!("docs/screenshots/{package}.png");
        run(Command::new("import")
            .args(["-window", name.as_str(), &out])
            .env("DISPLAY", SCREENSHOT_DISPLAY))?;
        println!("wrote {out}");
    }
    Ok(())
}
