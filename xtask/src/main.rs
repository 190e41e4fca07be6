//! `cargo xtask …`: Lathe's build tasks.
//!
//! - `bundle <pkg> [--release]` — nice-plug's bundler (VST3 + CLAP in `target/bundled/`).
//! - `install [--profile P]` — bundle every plugin of the suite (release by default)
//!   and copy the bundles to `~/.clap` and `~/.vst3`.
//! - `test` — the whole test suite: bundle every plugin in the `ci` profile, run
//!   `cargo test --workspace --profile ci` (incl. the CLAP host harness), then
//!   the VST3 harness in pedalboard. One profile, so one build of everything.
//! - `screenshots` — render every plugin's editor headless (standalone build
//!   under Xvfb) into `docs/screenshots/<package>.png`.

use anyhow::{bail, Context, Result};
use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::time::Duration;

/// Every plugin of the suite: (cargo package, bundle name from bundler.toml).
/// Adding a plugin to the suite is one line here and one in bundler.toml.
const SUITE: &[(&str, &str)] = &[("loudness-meter", "Lathe Loudness Meter")];

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
        _ => nice_plug_xtask::main_with_args(
            "cargo xtask",
            std::iter::once(command).chain(rest),
        ),
    }
}

fn cargo() -> Command {
    Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
}

fn run(cmd: &mut Command) -> Result<()> {
    eprintln!("xtask: running {cmd:?}");
    let status = cmd.status().with_context(|| format!("could not start {cmd:?}"))?;
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
    for (package, _) in SUITE {
        args.push("-p".into());
        args.push((*package).into());
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
    for (_, name) in SUITE {
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
    run(Command::new("python3")
        .args(["-m", "pytest", "-q", "host-tests/vst3"])
        .env("LATHE_BUNDLE_DIR", &bundled))?;
    Ok(())
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
/// Time given to the editor to open and draw a few frames.
const EDITOR_SETTLE: Duration = Duration::from_secs(6);

fn screenshots() -> Result<()> {
    // The `ci` profile: optimised, and shares most dependency builds with the tests.
    let mut build = cargo();
    build.args(["build", "--profile", TEST_PROFILE]);
    for (package, _) in SUITE {
        build.args(["-p", package]);
    }
    build.args(["--features", "standalone"]);
    run(&mut build)?;

    std::fs::create_dir_all("docs/screenshots")?;
    let _xvfb = KillOnDrop(
        Command::new("Xvfb")
            .args([SCREENSHOT_DISPLAY, "-screen", "0", "1280x900x24", "+extension", "GLX"])
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
    for (package, name) in SUITE {
        let exe = Path::new("target").join(TEST_PROFILE).join(format!("{package}-standalone"));
        let _editor = KillOnDrop(
            Command::new(&exe)
                .args(["--backend", "dummy", "--sample-rate", "48000"])
                .env("DISPLAY", SCREENSHOT_DISPLAY)
                .spawn()
                .with_context(|| format!("could not start {}", exe.display()))?,
        );
        std::thread::sleep(EDITOR_SETTLE);
        let out = format!("docs/screenshots/{package}.png");
        run(Command::new("import")
            .args(["-window", name, &out])
            .env("DISPLAY", SCREENSHOT_DISPLAY))
        .or_else(|_| {
            run(Command::new("import")
                .args(["-window", "root", &out])
                .env("DISPLAY", SCREENSHOT_DISPLAY))
        })?;
        println!("wrote {out}");
    }
    Ok(())
}
