//! `cargo xtask …`: Lathe's build tasks.
//!
//! - `bundle <pkg> [--release]` — nice-plug's bundler (VST3 + CLAP in `target/bundled/`).
//! - `install [--profile P]` — bundle every plugin of the suite (release by default)
//!   and copy the bundles to `~/.clap` and `~/.vst3`.
//! - `test` — the whole test suite: bundle every plugin in the `ci` profile, run
//!   `cargo test --workspace --profile ci` (incl. the CLAP host harness), then
//!   the VST3 harness in pedalboard, then the Ardour 7 session tests
//!   (host-tests/ardour). One profile, so one build of everything.
//! - `screenshots` — capture every plugin's editor headless (standalone build
//!   under Xvfb, fed the programme in real time through a JACK dummy-driver
//!   server) at 100 % and 150 % into `docs/screenshots/<package>-<percent>.png`
//!   (`screenshots <package>…` for some of them).
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

pub(crate) mod bench_peers;
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
        "screenshots" => screenshots(&rest),
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
/// Size of the headless screen, px: room for the largest editor at the
/// largest captured size plus the window manager's frame.
const SCREENSHOT_SCREEN: &str = "1920x1440x24";
/// Name of the private JACK server the captures run on (a user's own JACK
/// server, if any, is left alone).
const JACK_SERVER: &str = "lathe-screenshots";
/// Sample rate of the JACK dummy driver, Hz (the programme's rate).
const JACK_SAMPLE_RATE: u32 = bench_peers::signal::SAMPLE_RATE_HZ;
/// Period of the JACK dummy driver, frames (21 ms at 48 kHz).
const JACK_PERIOD: u32 = 1024;
/// JACK client name of the programme player (xtask itself).
const PLAYER_CLIENT: &str = "lathe-programme";
/// Editor sizes captured, percent of the base size: the default and a
/// larger one (each editor also offers 200 %, checked by its layout test).
const SCREENSHOT_SIZES_PERCENT: [u16; 2] = [100, 150];
/// Wall-clock time the plugin processes the programme, paced by the JACK
/// dummy driver, before its editor is captured: long enough for the
/// meters' histories and the Loudness Meter's integrated reading.
const CAPTURE_AFTER: Duration = Duration::from_secs(20);
/// Length of the programme rendered for the captures, s (it loops).
const PROGRAMME_SECONDS: u32 = 60;
/// Where playback starts in the programme, s: 15 s before its first
/// section change (verse to chorus, +6 dB at 30 s), so every history shows
/// a level change by the time of the capture.
const PROGRAMME_START_S: u32 = 15;
/// Longest wait for an editor window to be mapped at its chosen size.
const WINDOW_TIMEOUT: Duration = Duration::from_secs(60);
/// Fewest distinct colours a capture must have: a black or still-blank
/// window has one or two; a drawn editor has hundreds (anti-aliased text).
const MIN_CAPTURE_COLOURS: usize = 64;
/// Attempts at a capture that came out blank, one second apart.
const CAPTURE_ATTEMPTS: usize = 5;

/// `plugin_kit::standalone::PRESET_ENV`: the standalone builds' start-up
/// preset (not a dependency: xtask builds in release, plugin-kit would pull
/// nice-plug into it).
const STANDALONE_PRESET_ENV: &str = "LATHE_STANDALONE_PRESET";

/// Controls set for each plugin's capture (plugin-kit's standalone preset:
/// plain parameter values), so the editor shows the plugin working: EQ
/// bands and filters set and the compressor acting, the limiter limiting,
/// the glue compressor compressing, a widened image. The meter needs none.
fn screenshot_preset(package: &str) -> &'static str {
    match package {
        "channel-strip" => {
            "hp_on=1;hp_freq=35;eq_on_1=1;eq_gain_1=3;eq_on_3=1;eq_gain_3=-4;eq_q_3=1.4;\
             eq_on_5=1;eq_gain_5=2.5;eq_on_6=1;eq_gain_6=2;comp_on=1;comp_thr=-24;comp_ratio=3"
        }
        "maximizer" => "input_gain=10",
        "bus-glue" => "threshold=-24;ratio=4",
        "stereo-imager" => "width=1.4",
        _ => "",
    }
}

/// Starts the JACK client that plays `programme` (interleaved stereo)
/// from `position` (frames, shared so each capture restarts it), looping.
/// Its ports are `lathe-programme:out_1` and `out_2`.
fn start_player(
    programme: Vec<f32>,
    position: std::sync::Arc<std::sync::atomic::AtomicUsize>,
) -> Result<Box<dyn std::any::Any>> {
    use std::sync::atomic::Ordering;
    let (client, _status) = jack::Client::new(PLAYER_CLIENT, jack::ClientOptions::NO_START_SERVER)
        .context("could not connect to the screenshot JACK server")?;
    let mut left = client.register_port("out_1", jack::AudioOut::default())?;
    let mut right = client.register_port("out_2", jack::AudioOut::default())?;
    let frames = programme.len() / 2;
    let handler = jack::contrib::ClosureProcessHandler::new(
        move |_: &jack::Client, ps: &jack::ProcessScope| -> jack::Control {
            let (l, r) = (left.as_mut_slice(ps), right.as_mut_slice(ps));
            let start = position.load(Ordering::Relaxed);
            let mut at = start;
            for (l, r) in l.iter_mut().zip(r.iter_mut()) {
                at %= frames;
                *l = programme[2 * at];
                *r = programme[2 * at + 1];
                at += 1;
            }
            // Unless the task restarted playback meanwhile: then its position wins.
            let _ = position.compare_exchange(start, at, Ordering::Relaxed, Ordering::Relaxed);
            jack::Control::Continue
        },
    );
    // Dropping the box deactivates and closes the client.
    Ok(Box::new(client.activate_async((), handler)?))
}

/// Physical size and map state of the window titled `name`, if it exists.
fn window_geometry(name: &str) -> Option<(u32, u32, bool)> {
    let out = Command::new("xwininfo")
        .args(["-name", name])
        .env("DISPLAY", SCREENSHOT_DISPLAY)
        .output()
        .ok()?;
    let text = String::from_utf8_lossy(&out.stdout);
    let field = |key: &str| {
        text.lines()
            .find_map(|line| line.trim().strip_prefix(key).map(str::trim))
            .map(str::to_owned)
    };
    let width = field("Width:")?.parse().ok()?;
    let height = field("Height:")?.parse().ok()?;
    let viewable = field("Map State:")? == "IsViewable";
    Some((width, height, viewable))
}

/// Number of distinct colours in the image at `path` (ImageMagick's `%k`).
fn colour_count(path: &str) -> Result<usize> {
    let out = Command::new("identify")
        .args(["-format", "%k", path])
        .output()
        .context("could not run identify (apt-get install imagemagick)")?;
    String::from_utf8_lossy(&out.stdout)
        .trim()
        .parse()
        .with_context(|| format!("identify {path}"))
}

/// Waits until the window titled `name` is mapped at `percent` of `base`
/// (the size its window had at 100 %, recorded by the 100 % capture, which
/// runs first): the shell opens at the base size and resizes on its first
/// frame, so a capture taken earlier would be cut off or blank.
fn wait_for_window(name: &str, percent: u16, base: &mut Option<(u32, u32)>) -> Result<(u32, u32)> {
    let start = std::time::Instant::now();
    loop {
        if let Some((w, h, true)) = window_geometry(name) {
            match *base {
                // 100 %: the first mapped size is the base size.
                None if percent == 100 => {
                    *base = Some((w, h));
                    return Ok((w, h));
                }
                Some((bw, bh)) => {
                    let want = (
                        (bw * u32::from(percent)).div_ceil(100),
                        (bh * u32::from(percent)).div_ceil(100),
                    );
                    // egui-baseview rounds the zoomed logical size; allow a pixel.
                    if w.abs_diff(want.0) <= 1 && h.abs_diff(want.1) <= 1 {
                        return Ok((w, h));
                    }
                }
                None => bail!("{name}: capture 100 % first"),
            }
        }
        if start.elapsed() > WINDOW_TIMEOUT {
            bail!(
                "{name} at {percent} %: no window of the expected size after {:?} (last seen: {:?})",
                WINDOW_TIMEOUT,
                window_geometry(name)
            );
        }
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// Builds every standalone, starts a headless X server, a window manager
/// and a JACK server on its dummy driver (real-time pacing without a sound
/// card), plays the programme into each plugin at wall-clock pace and
/// captures its editor at every size in [`SCREENSHOT_SIZES_PERCENT`] after
/// [`CAPTURE_AFTER`] of audio, into `docs/screenshots/<package>-<percent>.png`.
fn screenshots(only: &[String]) -> Result<()> {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;
    // The `ci` profile: optimised, and shares most dependency builds with the tests.
    let mut build = cargo();
    build.args(["build", "--profile", TEST_PROFILE]);
    // `cargo xtask screenshots [package…]`: all plugins, or the ones named.
    let suite: Vec<_> = suite()?
        .into_iter()
        .filter(|(package, _)| only.is_empty() || only.contains(package))
        .collect();
    if suite.is_empty() {
        bail!("no plugin of the suite is named {only:?}");
    }
    for (package, _) in &suite {
        build.args(["-p", package]);
    }
    build.args(["--features", "standalone"]);
    run(&mut build)?;

    std::fs::create_dir_all("docs/screenshots")?;
    let work = std::fs::canonicalize("target")?.join("screenshots");
    std::fs::create_dir_all(&work)?;
    let wav = work.join("programme.wav");
    bench_peers::signal::write_programme(&wav, PROGRAMME_SECONDS)?;
    let programme: Vec<f32> = hound::WavReader::open(&wav)?
        .samples::<f32>()
        .collect::<Result<_, _>>()?;

    let _xvfb = KillOnDrop(
        Command::new("Xvfb")
            .args([
                SCREENSHOT_DISPLAY,
                "-screen",
                "0",
                SCREENSHOT_SCREEN,
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
    // Every JACK client of this task (the player, each standalone) finds
    // the private server by this name.
    std::env::set_var("JACK_DEFAULT_SERVER", JACK_SERVER);
    let inputs = format!("{PLAYER_CLIENT}:out_1,{PLAYER_CLIENT}:out_2");

    for (package, name) in &suite {
        let exe = Path::new("target")
            .join(TEST_PROFILE)
            .join(format!("{package}-standalone"));
        let mut base = None;
        for percent in SCREENSHOT_SIZES_PERCENT {
            let preset = format!("{};editor-scale={percent}", screenshot_preset(package));
            // A fresh JACK server and player for every capture: a killed
            // standalone's client lingered in the server, which then timed
            // out on it every cycle, and the next editor stayed black.
            let jack = KillOnDrop(
                Command::new("jackd")
                    .args(["-n", JACK_SERVER, "--no-realtime", "-d", "dummy"])
                    .args(["-r", &JACK_SAMPLE_RATE.to_string()])
                    .args(["-p", &JACK_PERIOD.to_string()])
                    .env("JACK_NO_AUDIO_RESERVATION", "1")
                    .stdout(std::process::Stdio::null())
                    .stderr(std::process::Stdio::null())
                    .spawn()
                    .context("could not start jackd (apt-get install jackd2)")?,
            );
            std::thread::sleep(Duration::from_secs(2));
            let position = Arc::new(AtomicUsize::new(0));
            // The imager's meters need a stereo mix, not the near-mono
            // programme every other plugin gets.
            let played = if package.as_str() == "stereo-imager" {
                bench_peers::signal::widen(&programme)
            } else {
                programme.clone()
            };
            let player = start_player(played, position.clone())?;
            let editor = KillOnDrop(
                Command::new(&exe)
                    .args(["--backend", "jack", "--connect-jack-inputs", &inputs])
                    .env("DISPLAY", SCREENSHOT_DISPLAY)
                    .env(STANDALONE_PRESET_ENV, &preset)
                    .spawn()
                    .with_context(|| format!("could not start {}", exe.display()))?,
            );
            position.store(
                (PROGRAMME_START_S * JACK_SAMPLE_RATE) as usize,
                Ordering::Relaxed,
            );
            let size = wait_for_window(name, percent, &mut base)?;
            // What the window holds the moment it is mapped at its size (a
            // capture taken then is what came out black before).
            let probe = work.join("at-map.png");
            let probe = probe.to_string_lossy();
            run(Command::new("import")
                .args(["-window", name.as_str(), &probe])
                .env("DISPLAY", SCREENSHOT_DISPLAY))?;
            let at_map = colour_count(&probe)?;
            // Audio runs in real time from here on; the editor repaints with it.
            std::thread::sleep(CAPTURE_AFTER);
            let out = format!("docs/screenshots/{package}-{percent}.png");
            let mut colours = 0;
            for _ in 0..CAPTURE_ATTEMPTS {
                run(Command::new("import")
                    .args(["-window", name.as_str(), &out])
                    .env("DISPLAY", SCREENSHOT_DISPLAY))?;
                colours = colour_count(&out)?;
                if colours >= MIN_CAPTURE_COLOURS {
                    break;
                }
                std::thread::sleep(Duration::from_secs(1));
            }
            if colours < MIN_CAPTURE_COLOURS {
                bail!("{out}: the capture is blank ({colours} colours)");
            }
            drop(editor);
            drop(player);
            drop(jack);
            println!(
                "wrote {out} ({}×{} px, {colours} colours; {at_map} when mapped)",
                size.0, size.1
            );
        }
    }
    Ok(())
}
