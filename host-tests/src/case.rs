//! What each plugin under test promises: its identity, read from the suite's
//! `bundler.toml` (see [`suite`]), and its behaviour, written in the harness.

use std::path::Path;

/// One plugin under test: where its bundle is and what it must report and do.
#[derive(Debug, Clone, Copy)]
pub struct PluginCase {
    /// Cargo package of the plugin, used in the "build it first" message
    /// (`cargo xtask bundle <package> --profile ci`).
    pub package: &'static str,
    /// File name of the bundle inside the bundle directory, e.g. `"Lathe Loudness Meter.clap"`.
    pub bundle: &'static str,
    /// CLAP plugin id; never changes once released.
    pub clap_id: &'static str,
    /// Plugin name as the CLAP descriptor reports it.
    pub name: &'static str,
    /// Latency the latency extension must report after activation.
    pub latency_samples: Latency,
    /// How the audio output relates to the input.
    pub passthrough: Passthrough,
    /// Main input/output channel layouts the plugin must offer. Every layout the plugin offers is
    /// tested; these are the ones whose absence is a failure.
    pub layouts: &'static [Layout],
}

/// What a plugin must do, as the harness's plugin table states it (its identity comes from
/// `bundler.toml`).
#[derive(Debug, Clone, Copy)]
pub struct Behaviour {
    /// Latency the latency extension must report after activation.
    pub latency_samples: Latency,
    /// How the audio output relates to the input.
    pub passthrough: Passthrough,
    /// Main input/output channel layouts whose absence is a failure.
    pub layouts: &'static [Layout],
}

/// The plugins under test: every table of the workspace's `bundler.toml` (package, `name`,
/// `clap_id`), in file order, with its row of `behaviours` (keyed by cargo package).
///
/// # Panics
/// If `bundler.toml` cannot be read, an entry lacks `name` or `clap_id`, or a plugin of the suite
/// has no behaviour row (or a row names no plugin of the suite): a plugin joining the suite must
/// say what it does.
pub fn suite(behaviours: &[(&str, Behaviour)]) -> Vec<PluginCase> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("host-tests lives inside the workspace")
        .join("bundler.toml");
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let table: toml::Table = text
        .parse()
        .unwrap_or_else(|e| panic!("cannot parse {}: {e}", path.display()));
    for (package, _) in behaviours {
        assert!(
            table.contains_key(*package),
            "the harness describes `{package}`, which is not in {}",
            path.display()
        );
    }
    let leak = |s: String| -> &'static str { Box::leak(s.into_boxed_str()) };
    table
        .iter()
        .map(|(package, entry)| {
            let field = |key: &str| {
                entry
                    .get(key)
                    .and_then(|v| v.as_str())
                    .map(str::to_owned)
                    .unwrap_or_else(|| panic!("{}: [{package}] has no {key}", path.display()))
            };
            let behaviour = behaviours
                .iter()
                .find(|(p, _)| p == package)
                .map(|(_, b)| *b)
                .unwrap_or_else(|| {
                    panic!("`{package}` (in bundler.toml) has no row in the harness's plugin table")
                });
            let name = field("name");
            PluginCase {
                package: leak(package.clone()),
                bundle: leak(format!("{name}.clap")),
                clap_id: leak(field("clap_id")),
                name: leak(name),
                latency_samples: behaviour.latency_samples,
                passthrough: behaviour.passthrough,
                layouts: behaviour.layouts,
            }
        })
        .collect()
}

/// Expected plugin latency.
#[derive(Debug, Clone, Copy)]
pub enum Latency {
    /// The same number of samples at every sample rate.
    Fixed(u32),
    /// Depends on the sample rate (e.g. a look-ahead in milliseconds); the function maps the
    /// sample rate in Hz to the latency in samples, rounded the way the plugin rounds.
    PerSampleRate(fn(f64) -> u32),
    /// Depends on parameters too (e.g. a look-ahead parameter): `default` gives the latency at
    /// default parameters (checked on fresh instances), `max` the largest at any parameters
    /// (checked after parameters were changed).
    Parametric {
        default: fn(f64) -> u32,
        max: fn(f64) -> u32,
    },
}

impl Latency {
    /// Expected latency in samples at `sample_rate_hz` with default parameters.
    pub fn at(&self, sample_rate_hz: f64) -> u32 {
        match *self {
            Latency::Fixed(samples) => samples,
            Latency::PerSampleRate(samples_at) => samples_at(sample_rate_hz),
            Latency::Parametric { default, .. } => default(sample_rate_hz),
        }
    }

    /// Whether `latency` is acceptable at `sample_rate_hz` with parameters that may have been
    /// changed: exactly [`Self::at`], or for parametric latency anything up to its maximum.
    pub fn accepts(&self, sample_rate_hz: f64, latency: u32) -> bool {
        match *self {
            Latency::Parametric { max, .. } => latency <= max(sample_rate_hz),
            _ => latency == self.at(sample_rate_hz),
        }
    }
}

/// How a plugin's audio output must relate to its input.
///
/// Whatever the variant, no output sample may ever be NaN, infinite or subnormal, whatever the
/// input: that is what CLAP validators and fuzzers flag, and what breaks the next plugin.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Passthrough {
    /// Meters and analysers: the output is the input delayed by the reported latency, bit for
    /// bit (signed zeros included), whatever the parameters, wherever that input sample was
    /// finite and not subnormal. Where it was not, the output sample only has to be sane. The
    /// first `latency` output samples only have to be sane.
    BitExact,
    /// The plugin changes the audio; every output sample only has to be sane.
    Processed,
}

/// A main input/output channel layout (one main port each way).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Layout {
    /// Channels of the main input port; 0 means no main input.
    pub inputs: u32,
    /// Channels of the main output port; 0 means no main output.
    pub outputs: u32,
}

/// Stereo in, stereo out.
pub const STEREO: Layout = Layout {
    inputs: 2,
    outputs: 2,
};

/// 7.1 in, 7.1 out (8 channels).
pub const SURROUND_7_1: Layout = Layout {
    inputs: 8,
    outputs: 8,
};

/// Mono in, mono out.
pub const MONO: Layout = Layout {
    inputs: 1,
    outputs: 1,
};
