//! State saved by a released build must keep loading unchanged, and its parameter ids never go
//! away (STYLE.md 19: ids never change once released; old state is migrated, not rejected).
//!
//! `fixtures/state/` holds, per plugin and release, two state blobs exactly as that release's
//! CLAP bundle saved them (`<package>-<release>-default.bin`: a fresh instance;
//! `<package>-<release>-custom.bin`: every settable parameter at a seeded non-default value), and
//! beside each a sidecar (`….params.tsv`) listing every parameter as that release read it back
//! after loading the blob: CLAP id, plain value, display text, module and name. The sidecar is
//! the independent record the tests compare today's bundle against.
//!
//! The fixtures are written by the ignored test [`write_state_fixtures`], once, against the
//! released build. They are history, not expectations: never regenerate them after a release.

use super::*;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// The release whose saved state the fixtures hold.
const FIXTURE_RELEASE: &str = "0.1.0";

/// Plugins that joined the suite after [`FIXTURE_RELEASE`]: that release never saved their
/// state, so there is nothing of theirs to load (and the fixture writer must not invent any).
/// Their fixtures are written from their own first release.
const NEWER_THAN_FIXTURE_RELEASE: &[&str] = &["bus-glue"];

/// Whether `case` was part of [`FIXTURE_RELEASE`].
fn in_fixture_release(case: &PluginCase) -> bool {
    !NEWER_THAN_FIXTURE_RELEASE.contains(&case.package)
}

/// The fixtures per plugin and release: a fresh instance's state, and non-default values.
const FIXTURE_KINDS: [FixtureKind; 2] = [FixtureKind::Default, FixtureKind::Custom];

/// Seed of the custom fixtures' values. Fixed (not `$LATHE_FUZZ_SEED`) so the generator is
/// reproducible; changing it after a release changes nothing, as the fixtures are never rewritten.
const CUSTOM_SEED: u64 = 0x0100_5747;

/// Random draws tried per parameter to find a value other than its default.
const NON_DEFAULT_DRAWS: usize = 64;

/// Which state a fixture holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FixtureKind {
    /// A fresh instance: every parameter at its default.
    Default,
    /// Every settable parameter at a seeded random value other than its default.
    Custom,
}

impl FixtureKind {
    fn name(self) -> &'static str {
        match self {
            FixtureKind::Default => "default",
            FixtureKind::Custom => "custom",
        }
    }
}

/// One parameter as the released build read it back after loading a fixture's state.
#[derive(Debug, Clone)]
struct RecordedParam {
    id: ClapId,
    /// CLAP plain value (as `clap_plugin_params.get_value` returns it).
    value: f64,
    /// `value_to_text` of `value`, for people reading a failure; not compared, as display
    /// formats may change.
    text: String,
    module: String,
    name: String,
}

/// A fixture: the saved state and its sidecar.
struct Fixture {
    state: Vec<u8>,
    params: Vec<RecordedParam>,
    /// Where the sidecar is, for messages.
    sidecar: PathBuf,
}

fn fixture_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join("state")
}

/// `fixtures/state/<package>-<release>-<kind>.<extension>`.
fn fixture_path(case: &PluginCase, kind: FixtureKind, extension: &str) -> PathBuf {
    fixture_dir().join(format!(
        "{}-{FIXTURE_RELEASE}-{}.{extension}",
        case.package,
        kind.name()
    ))
}

/// Extension of a fixture's state blob.
const STATE_EXTENSION: &str = "bin";
/// Extension of a fixture's sidecar.
const SIDECAR_EXTENSION: &str = "params.tsv";

impl Fixture {
    /// Reads `case`'s fixture of `kind`.
    ///
    /// # Panics
    /// If a file is missing or the sidecar does not parse: a missing fixture is a failure.
    fn read(case: &PluginCase, kind: FixtureKind) -> Self {
        let state_path = fixture_path(case, kind, STATE_EXTENSION);
        let sidecar = fixture_path(case, kind, SIDECAR_EXTENSION);
        let state = std::fs::read(&state_path).unwrap_or_else(|err| {
            panic!("{}: reading `{}`: {err}", case.name, state_path.display())
        });
        let text = std::fs::read_to_string(&sidecar)
            .unwrap_or_else(|err| panic!("{}: reading `{}`: {err}", case.name, sidecar.display()));
        let params = parse_sidecar(&text, &sidecar);
        assert!(
            !params.is_empty(),
            "{}: `{}` records no parameters",
            case.name,
            sidecar.display()
        );
        Self {
            state,
            params,
            sidecar,
        }
    }
}

/// Column header of a sidecar (tab-separated).
const SIDECAR_COLUMNS: &str = "clap_id\tvalue\ttext\tmodule\tname";

/// Parses a sidecar: `#` lines are comments, the header line is skipped, every other line is
/// one parameter.
///
/// # Panics
/// On a malformed line.
fn parse_sidecar(text: &str, path: &Path) -> Vec<RecordedParam> {
    const COLUMNS: usize = 5;
    text.lines()
        .enumerate()
        .filter(|(_, line)| !line.starts_with('#') && *line != SIDECAR_COLUMNS && !line.is_empty())
        .map(|(index, line)| {
            let at = || format!("`{}` line {}", path.display(), index + 1);
            let fields: Vec<&str> = line.splitn(COLUMNS, '\t').collect();
            let [id, value, text, module, name] = fields[..] else {
                panic!(
                    "{}: expected {COLUMNS} tab-separated fields: {line:?}",
                    at()
                );
            };
            let id = id
                .parse()
                .ok()
                .and_then(ClapId::from_raw)
                .unwrap_or_else(|| panic!("{}: bad CLAP id {id:?}", at()));
            let value = value
                .parse()
                .unwrap_or_else(|err| panic!("{}: bad value {value:?}: {err}", at()));
            RecordedParam {
                id,
                value,
                text: text.to_owned(),
                module: module.to_owned(),
                name: name.to_owned(),
            }
        })
        .collect()
}

/// Every parameter of `plugin` as it reads now.
fn record_params(plugin: &mut LoadedPlugin, specs: &[ParamSpec]) -> Vec<RecordedParam> {
    specs
        .iter()
        .map(|spec| {
            let value = plugin.param_value(spec.id).unwrap_or_else(|| {
                panic!("{}: get_value(`{}`) failed", plugin.case.name, spec.name)
            });
            RecordedParam {
                id: spec.id,
                value,
                text: plugin.value_to_text(spec.id, value).unwrap_or_default(),
                module: spec.module.clone(),
                name: spec.name.clone(),
            }
        })
        .collect()
}

/// The sidecar text for `params`.
fn format_sidecar(case: &PluginCase, kind: FixtureKind, params: &[RecordedParam]) -> String {
    let mut text = format!(
        "# {} {FIXTURE_RELEASE}: every parameter as read back (clap_plugin_params.get_value) from a\n\
         # fresh instance after loading `{}`.\n\
         # Written once by `write_state_fixtures` against the {FIXTURE_RELEASE} build; never edit or regenerate.\n\
         # `value` is the CLAP plain value; `text` is its display text, for reading only.\n\
         {SIDECAR_COLUMNS}\n",
        case.name,
        fixture_path(case, kind, STATE_EXTENSION)
            .file_name()
            .expect("fixture paths have a file name")
            .to_string_lossy(),
    );
    for param in params {
        for field in [&param.text, &param.module, &param.name] {
            assert!(
                !field.contains(['\t', '\n']),
                "{}: `{}` has a tab or newline in {field:?}",
                case.name,
                param.name
            );
        }
        // `{:?}` prints the shortest text that parses back to the same f64.
        writeln!(
            text,
            "{}\t{:?}\t{}\t{}\t{}",
            param.id.get(),
            param.value,
            param.text,
            param.module,
            param.name
        )
        .expect("writing to a String cannot fail");
    }
    text
}

/// A random legal value of `spec` other than its default (the last draw if none differs).
fn non_default_value(spec: &ParamSpec, rng: &mut Rng) -> f64 {
    let mut value = spec.random_value(rng);
    for _ in 1..NON_DEFAULT_DRAWS {
        if (value - spec.default_value).abs() > spec.tolerance() {
            break;
        }
        value = spec.random_value(rng);
    }
    value
}

/// Writes the fixtures of [`FIXTURE_RELEASE`] from the bundles in `$LATHE_BUNDLE_DIR`.
///
/// Run once against a released build; never regenerate after release. The fixtures record what
/// that release saved, so rewriting them from a later build would hide exactly the changes the
/// tests exist to catch. To run it (refuses to overwrite existing fixtures, and refuses a build
/// whose descriptor version is not the fixture release):
///
/// `LATHE_BUNDLE_DIR=<dir> cargo test -p host-tests --profile ci --test clap_host -- --ignored write_state_fixtures`
#[test]
#[ignore = "writes fixtures: run once against a released build; never regenerate after release"]
fn write_state_fixtures() {
    let dir = fixture_dir();
    std::fs::create_dir_all(&dir)
        .unwrap_or_else(|err| panic!("creating `{}`: {err}", dir.display()));
    for_each_plugin(|case| {
        if !in_fixture_release(case) {
            return;
        }
        let mut original = LoadedPlugin::load(case);
        let version = factory_descriptors(original.entry())
            .into_iter()
            .find(|descriptor| descriptor.id == case.clap_id)
            .expect("the factory lists the plugin")
            .version;
        assert_eq!(
            version, FIXTURE_RELEASE,
            "{}: the bundle is version {version}; fixtures are named for {FIXTURE_RELEASE}",
            case.name
        );
        let specs = original.param_specs();

        let mut rng = Rng::new(CUSTOM_SEED);
        for kind in FIXTURE_KINDS {
            if kind == FixtureKind::Custom {
                let mut events = EventBuffer::new();
                for spec in specs.iter().filter(|spec| spec.is_settable()) {
                    events.push(&spec.value_event(0, non_default_value(spec, &mut rng)));
                }
                original.flush_params(&events);
            }
            let state = original.save_state();
            let sent = record_params(&mut original, &specs);

            // The record is what a fresh instance reads after loading the state.
            let mut reader = LoadedPlugin::load(case);
            reader.load_state(&state).unwrap_or_else(|err| {
                panic!(
                    "{}: loading its own {} state: {err}",
                    case.name,
                    kind.name()
                )
            });
            let params = record_params(&mut reader, &specs);
            for ((read, sent), spec) in params.iter().zip(&sent).zip(&specs) {
                assert!(
                    (read.value - sent.value).abs() <= spec.tolerance(),
                    "{}: `{}` reads {} after a state round trip, was {}",
                    case.name,
                    spec.name,
                    read.value,
                    sent.value
                );
            }
            if kind == FixtureKind::Custom {
                let unchanged: Vec<&str> = params
                    .iter()
                    .zip(&specs)
                    .filter(|(read, spec)| {
                        spec.is_settable()
                            && (read.value - spec.default_value).abs() <= spec.tolerance()
                    })
                    .map(|(_, spec)| spec.name.as_str())
                    .collect();
                assert!(
                    unchanged.is_empty(),
                    "{}: custom state leaves {unchanged:?} at the default",
                    case.name
                );
            }

            for (extension, contents) in [
                (STATE_EXTENSION, state),
                (
                    SIDECAR_EXTENSION,
                    format_sidecar(case, kind, &params).into_bytes(),
                ),
            ] {
                let path = fixture_path(case, kind, extension);
                let mut file = std::fs::OpenOptions::new()
                    .write(true)
                    .create_new(true)
                    .open(&path)
                    .unwrap_or_else(|err| {
                        panic!(
                            "creating `{}`: {err} (fixtures of a release are never rewritten)",
                            path.display()
                        )
                    });
                file.write_all(&contents)
                    .unwrap_or_else(|err| panic!("writing `{}`: {err}", path.display()));
                println!("wrote {}", path.display());
            }
        }
    });
}

#[test]
fn saved_state_from_0_1_0_loads_unchanged() {
    for_each_plugin(|case| {
        if !in_fixture_release(case) {
            return;
        }
        for kind in FIXTURE_KINDS {
            let fixture = Fixture::read(case, kind);
            let mut plugin = LoadedPlugin::load(case);
            let specs = plugin.param_specs();
            plugin.load_state(&fixture.state).unwrap_or_else(|err| {
                panic!(
                    "{}: state saved by {FIXTURE_RELEASE} ({} fixture) is refused: {err}",
                    case.name,
                    kind.name()
                )
            });

            let mut problems = Vec::new();
            for recorded in &fixture.params {
                let what = format!("`{}` (id {})", recorded.name, recorded.id.get());
                let Some(spec) = specs.iter().find(|spec| spec.id == recorded.id) else {
                    problems.push(format!("{what} is gone; parameter ids are frozen"));
                    continue;
                };
                match plugin.param_value(spec.id) {
                    None => problems.push(format!("{what}: get_value failed")),
                    Some(value) if (value - recorded.value).abs() > spec.tolerance() => {
                        let text = plugin.value_to_text(spec.id, value).unwrap_or_default();
                        problems.push(format!(
                            "{what} reads {value} ({text}); {FIXTURE_RELEASE} read {} ({})",
                            recorded.value, recorded.text
                        ));
                    }
                    Some(_) => {}
                }
            }
            // Parameters added since the release must come up at their default.
            for spec in specs
                .iter()
                .filter(|spec| fixture.params.iter().all(|recorded| recorded.id != spec.id))
            {
                let what = format!("new `{}` (id {})", spec.name, spec.id.get());
                match plugin.param_value(spec.id) {
                    None => problems.push(format!("{what}: get_value failed")),
                    Some(value) if (value - spec.default_value).abs() > spec.tolerance() => {
                        problems.push(format!(
                            "{what} reads {value}, not its default {}",
                            spec.default_value
                        ));
                    }
                    Some(_) => {}
                }
            }
            assert!(
                problems.is_empty(),
                "{}: state saved by {FIXTURE_RELEASE} ({} fixture, record `{}`) loads changed:\n  {}",
                case.name,
                kind.name(),
                fixture.sidecar.display(),
                problems.join("\n  ")
            );
        }
    });
}

#[test]
fn param_ids_from_0_1_0_still_exist() {
    for_each_plugin(|case| {
        if !in_fixture_release(case) {
            return;
        }
        let mut plugin = LoadedPlugin::load(case);
        let ids: HashSet<ClapId> = plugin.param_specs().iter().map(|spec| spec.id).collect();
        for kind in FIXTURE_KINDS {
            let fixture = Fixture::read(case, kind);
            let gone: Vec<String> = fixture
                .params
                .iter()
                .filter(|recorded| !ids.contains(&recorded.id))
                .map(|recorded| {
                    format!(
                        "`{}` (module `{}`, id {})",
                        recorded.name,
                        recorded.module,
                        recorded.id.get()
                    )
                })
                .collect();
            assert!(
                gone.is_empty(),
                "{}: parameter ids of {FIXTURE_RELEASE} are gone (`{}`); ids are frozen forever: {}",
                case.name,
                fixture.sidecar.display(),
                gone.join(", ")
            );
        }
    });
}
