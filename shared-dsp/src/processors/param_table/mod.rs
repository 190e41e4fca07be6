//! Parameter tables: every parameter of each plugin — its stable ID, the
//! name a host shows, its kind and plain range, its default, and how its
//! plain value lands in the processor's settings — so the `lathe` command
//! line (`lathe process --set id=value`) drives a processor exactly as the
//! plugin's host does, without importing a plugin crate (see the walls in
//! `docs/ARCHITECTURE.md`).
//!
//! One table per plugin ([`channel_strip::TABLE`] …, listed in [`TABLES`]).
//! Each plugin crate has a test that holds its real parameters to its table:
//! the same IDs, kinds, ranges, defaults and choice IDs, and for every
//! parameter the same processor settings when it is moved (see
//! `plugin_kit::param_parity`).
//!
//! Values are *plain* values, as nice-plug's `preview_plain` gives them:
//! dB, Hz, ms, a 0..=1 fraction for percentages (shown × 100), a choice's
//! index, 0/1 for switches. [`ParamSpec::parse`] turns what a user types (the
//! unit the host shows: `3`, `-6 dB`, `120` for 120 %, `low-shelf`) into a
//! plain value, refusing anything outside the range.

pub mod bus_glue;
pub mod channel_strip;
pub mod kinds;
pub mod loudness_meter;
pub mod maximizer;
pub mod stereo_imager;

use std::fmt;

/// Dynamics ratios at or above this plain value are ∞:1 (limiting, hard
/// gating); the top of every ratio parameter's range.
pub const RATIO_INFINITE_AT: f32 = 100.0;

/// The ratio a ratio parameter's plain value stands for: `f32::INFINITY` at
/// (or above) [`RATIO_INFINITE_AT`].
pub fn ratio_from_plain(plain: f32) -> f32 {
    if plain >= RATIO_INFINITE_AT {
        f32::INFINITY
    } else {
        plain
    }
}

/// One option of a choice parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Choice {
    /// Stable ID (the plugin enum variant's `#[id]`), what state files hold.
    pub id: &'static str,
    /// Name a host shows.
    pub name: &'static str,
}

/// What kind of value a parameter holds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ParamKind {
    /// A continuous value in `range` (plain), shown as plain × `display_scale`
    /// in `unit` (percentages: plain 0..=1, scale 100, unit `%`).
    Float {
        range: (f64, f64),
        unit: &'static str,
        display_scale: f64,
    },
    /// A whole number in `range`.
    Int { range: (i64, i64) },
    /// A switch: 0 = off, 1 = on.
    Bool,
    /// One of `choices`; the plain value is the index.
    Choice(&'static [Choice]),
}

/// Where a parameter's value goes.
pub enum Binding<S> {
    /// A field of the processor settings: read it (the default is what the
    /// table's default settings hold) and write it, as plain values.
    Setting {
        get: fn(&S) -> f64,
        set: fn(&mut S, f64),
    },
    /// The plugin's bypass switch (the host's): on, the stage passes its
    /// input through. Off by default.
    Bypass,
    /// Only the editor reads it (targets, warning thresholds); it changes
    /// nothing a file gets.
    EditorOnly { default: f64 },
}

/// One parameter of a plugin.
pub struct ParamSpec<S> {
    /// Stable ID, as the plugin's `#[id]` (nested arrays with their `_N` suffix).
    pub id: &'static str,
    /// Name a host shows.
    pub name: &'static str,
    pub kind: ParamKind,
    pub binding: Binding<S>,
}

/// A plugin's parameters and the processor settings they make.
pub struct ParamTable<S: 'static> {
    /// The plugin's name on the command line (its package name).
    pub plugin: &'static str,
    pub params: &'static [ParamSpec<S>],
    /// The settings of a freshly loaded plugin: every parameter at its
    /// default. The plugin builds its parameters' defaults from the same
    /// function, so the two cannot disagree.
    pub defaults: fn() -> S,
}

/// A settings field as a plain value and back.
pub trait PlainValue: Sized {
    fn to_plain(&self) -> f64;
    fn from_plain(plain: f64) -> Self;
}

impl PlainValue for f32 {
    fn to_plain(&self) -> f64 {
        f64::from(*self)
    }
    fn from_plain(plain: f64) -> Self {
        plain as f32
    }
}

impl PlainValue for bool {
    fn to_plain(&self) -> f64 {
        if *self {
            1.0
        } else {
            0.0
        }
    }
    fn from_plain(plain: f64) -> Self {
        plain >= 0.5
    }
}

impl PlainValue for usize {
    fn to_plain(&self) -> f64 {
        *self as f64
    }
    fn from_plain(plain: f64) -> Self {
        plain.round().max(0.0) as usize
    }
}

/// [`PlainValue`] for a settings enum whose plain value is the index of its
/// variant in the list (the order of the plugin's enum and of the table's
/// [`Choice`]s).
macro_rules! choice_plain_value {
    ($ty:ty: [$($variant:expr),+ $(,)?]) => {
        impl $crate::processors::param_table::PlainValue for $ty {
            fn to_plain(&self) -> f64 {
                let variants = [$($variant),+];
                variants.iter().position(|v| v == self).unwrap_or(0) as f64
            }
            fn from_plain(plain: f64) -> Self {
                let variants = [$($variant),+];
                variants[(plain.round().max(0.0) as usize).min(variants.len() - 1)]
            }
        }
    };
}
pub(crate) use choice_plain_value;

/// A [`Binding::Setting`] of one settings field: `field!(|s| s.width)`.
macro_rules! field {
    (|$s:ident| $($path:tt)+) => {
        $crate::processors::param_table::Binding::Setting {
            get: |$s| $crate::processors::param_table::PlainValue::to_plain(&$($path)+),
            set: |$s, plain| $($path)+ = $crate::processors::param_table::PlainValue::from_plain(plain),
        }
    };
}
pub(crate) use field;

/// A value a user gave that a parameter cannot take.
#[derive(Debug, Clone, PartialEq)]
pub struct ParamError {
    pub message: String,
}

impl fmt::Display for ParamError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ParamError {}

impl<S> ParamTable<S> {
    /// The parameter with `id`.
    pub fn find(&self, id: &str) -> Option<&ParamSpec<S>> {
        self.params.iter().find(|p| p.id == id)
    }

    /// A parameter's default plain value.
    pub fn default_plain(&self, param: &ParamSpec<S>) -> f64 {
        match param.binding {
            Binding::Setting { get, .. } => get(&(self.defaults)()),
            Binding::Bypass => 0.0,
            Binding::EditorOnly { default } => default,
        }
    }
}

impl<S> ParamSpec<S> {
    /// Writes the plain value `plain` into `settings` (nothing for a bypass
    /// or editor-only parameter).
    pub fn apply(&self, settings: &mut S, plain: f64) {
        if let Binding::Setting { set, .. } = self.binding {
            set(settings, plain);
        }
    }

    /// The unit a user types values in (empty for switches and choices).
    pub fn unit(&self) -> &'static str {
        match self.kind {
            ParamKind::Float { unit, .. } => unit,
            _ => "",
        }
    }

    /// A plain value as a user would type it back: shown units, a choice's ID,
    /// `on`/`off`.
    pub fn format(&self, plain: f64) -> String {
        match self.kind {
            ParamKind::Float { display_scale, .. } => format_number(plain * display_scale),
            ParamKind::Int { .. } => format!("{}", plain.round() as i64),
            ParamKind::Bool => (if plain >= 0.5 { "on" } else { "off" }).to_owned(),
            ParamKind::Choice(choices) => choices
                .get(plain.round().max(0.0) as usize)
                .map_or_else(|| format_number(plain), |c| c.id.to_owned()),
        }
    }

    /// What the parameter accepts, for `--list` and error messages.
    pub fn accepted(&self) -> String {
        match self.kind {
            ParamKind::Float {
                range,
                unit,
                display_scale,
            } => {
                let space = if unit.is_empty() { "" } else { " " };
                format!(
                    "{} ..= {}{space}{unit}",
                    format_number(range.0 * display_scale),
                    format_number(range.1 * display_scale),
                )
            }
            ParamKind::Int { range } => format!("{} ..= {}", range.0, range.1),
            ParamKind::Bool => "on | off".to_owned(),
            ParamKind::Choice(choices) => {
                choices.iter().map(|c| c.id).collect::<Vec<_>>().join(" | ")
            }
        }
    }

    /// Parses what a user typed into a plain value.
    ///
    /// - Float: a number in the shown unit, optionally followed by that unit
    ///   (`-6`, `-6 dB`, `120` or `120%` for a percentage), within the range.
    /// - Int: a whole number within the range.
    /// - Bool: `on`/`off`, `true`/`false`, `1`/`0`, `yes`/`no`.
    /// - Choice: the choice's ID or its shown name, case-insensitive.
    ///
    /// # Errors
    /// Anything else, with a message that names the parameter and lists what
    /// it accepts.
    pub fn parse(&self, text: &str) -> Result<f64, ParamError> {
        let value = text.trim();
        let refuse = || ParamError {
            message: format!(
                "{value:?} is not a value of {} ({}); it takes {}",
                self.id,
                self.name,
                self.accepted()
            ),
        };
        match self.kind {
            ParamKind::Float {
                range,
                unit,
                display_scale,
            } => {
                let number = strip_unit(value, unit);
                let shown: f64 = number.parse().map_err(|_| refuse())?;
                if !shown.is_finite() {
                    return Err(refuse());
                }
                let plain = shown / display_scale;
                // Compared in f32, the plugins' precision, so "-0.1" meets a
                // bound of -0.1_f32 and "120" meets 1.2_f32 × 100.
                let inside = (range.0 as f32..=range.1 as f32).contains(&(plain as f32));
                if inside {
                    Ok(plain.clamp(range.0, range.1))
                } else {
                    Err(refuse())
                }
            }
            ParamKind::Int { range } => {
                let number: i64 = value.parse().map_err(|_| refuse())?;
                if (range.0..=range.1).contains(&number) {
                    Ok(number as f64)
                } else {
                    Err(refuse())
                }
            }
            ParamKind::Bool => match value.to_ascii_lowercase().as_str() {
                "on" | "true" | "1" | "yes" => Ok(1.0),
                "off" | "false" | "0" | "no" => Ok(0.0),
                _ => Err(refuse()),
            },
            ParamKind::Choice(choices) => choices
                .iter()
                .position(|c| {
                    c.id.eq_ignore_ascii_case(value) || c.name.eq_ignore_ascii_case(value)
                })
                .map(|index| index as f64)
                .ok_or_else(refuse),
        }
    }
}

/// `text` without a trailing `unit` (and the space before it).
fn strip_unit<'a>(text: &'a str, unit: &str) -> &'a str {
    let unit = unit.trim();
    if unit.is_empty() {
        return text;
    }
    text.strip_suffix(unit)
        .or_else(|| {
            // Units compare case-insensitively ("hz", "DB").
            let cut = text.len().checked_sub(unit.len())?;
            (text.is_char_boundary(cut) && text[cut..].eq_ignore_ascii_case(unit))
                .then(|| &text[..cut])
        })
        .unwrap_or(text)
        .trim_end()
}

/// A number without needless digits: `3`, `0.5`, `-0.1`, `0.707`.
fn format_number(value: f64) -> String {
    let text = format!("{value:.4}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    if text == "-0" {
        "0".to_owned()
    } else {
        text.to_owned()
    }
}

/// A plugin's table with its settings type hidden, for tools that list
/// parameters of any plugin.
pub trait AnyTable: Sync {
    /// The plugin's name on the command line.
    fn plugin(&self) -> &'static str;
    /// Every parameter: ID, name, kind, default.
    fn describe(&self) -> Vec<ParamInfo>;
}

/// A parameter without its binding.
#[derive(Debug, Clone, PartialEq)]
pub struct ParamInfo {
    pub id: &'static str,
    pub name: &'static str,
    pub unit: &'static str,
    /// What it accepts, as [`ParamSpec::accepted`].
    pub accepted: String,
    /// Default, as a user would type it.
    pub default: String,
    /// Whether it changes what a file gets (false for editor-only ones).
    pub affects_audio: bool,
}

impl<S: 'static> AnyTable for ParamTable<S> {
    fn plugin(&self) -> &'static str {
        self.plugin
    }
    fn describe(&self) -> Vec<ParamInfo> {
        self.params
            .iter()
            .map(|p| ParamInfo {
                id: p.id,
                name: p.name,
                unit: p.unit(),
                accepted: p.accepted(),
                default: p.format(self.default_plain(p)),
                affects_audio: !matches!(p.binding, Binding::EditorOnly { .. }),
            })
            .collect()
    }
}

/// Every plugin's table, in the suite's order.
pub const TABLES: &[&dyn AnyTable] = &[
    &channel_strip::TABLE,
    &bus_glue::TABLE,
    &stereo_imager::TABLE,
    &maximizer::TABLE,
    &loudness_meter::TABLE,
];

/// The table of the plugin called `plugin` on the command line.
pub fn table_for(plugin: &str) -> Option<&'static dyn AnyTable> {
    TABLES.iter().copied().find(|t| t.plugin() == plugin)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Clone, Copy, PartialEq)]
    enum Mode {
        A,
        B,
    }
    choice_plain_value!(Mode: [Mode::A, Mode::B]);

    #[derive(Debug, PartialEq)]
    struct Toy {
        gain: f32,
        mix: f32,
        on: bool,
        mode: Mode,
    }

    fn toy_defaults() -> Toy {
        Toy {
            gain: 0.0,
            mix: 1.0,
            on: true,
            mode: Mode::B,
        }
    }

    const MODES: &[Choice] = &[
        Choice {
            id: "a",
            name: "Alpha",
        },
        Choice {
            id: "b",
            name: "Beta",
        },
    ];

    const TOY: ParamTable<Toy> = ParamTable {
        plugin: "toy",
        defaults: toy_defaults,
        params: &[
            ParamSpec {
                id: "gain",
                name: "Gain",
                kind: ParamKind::Float {
                    range: (-0.1, 6.0),
                    unit: "dB",
                    display_scale: 1.0,
                },
                binding: field!(|s| s.gain),
            },
            ParamSpec {
                id: "mix",
                name: "Mix",
                kind: ParamKind::Float {
                    range: (0.0, 1.2),
                    unit: "%",
                    display_scale: 100.0,
                },
                binding: field!(|s| s.mix),
            },
            ParamSpec {
                id: "on",
                name: "On",
                kind: ParamKind::Bool,
                binding: field!(|s| s.on),
            },
            ParamSpec {
                id: "mode",
                name: "Mode",
                kind: ParamKind::Choice(MODES),
                binding: field!(|s| s.mode),
            },
            ParamSpec {
                id: "warn",
                name: "Warning",
                kind: ParamKind::Float {
                    range: (0.0, 6.0),
                    unit: "LU",
                    display_scale: 1.0,
                },
                binding: Binding::EditorOnly { default: 1.5 },
            },
        ],
    };

    #[test]
    fn defaults_come_from_the_default_settings() {
        let defaults: Vec<f64> = TOY.params.iter().map(|p| TOY.default_plain(p)).collect();
        assert_eq!(defaults, [0.0, 1.0, 1.0, 1.0, 1.5]);
    }

    #[test]
    fn apply_writes_the_field_and_nothing_else() {
        let mut toy = toy_defaults();
        TOY.find("mode").unwrap().apply(&mut toy, 0.0);
        TOY.find("mix").unwrap().apply(&mut toy, 0.25);
        TOY.find("warn").unwrap().apply(&mut toy, 3.0);
        assert_eq!(
            toy,
            Toy {
                gain: 0.0,
                mix: 0.25,
                on: true,
                mode: Mode::A
            }
        );
    }

    #[test]
    fn floats_parse_in_shown_units_with_or_without_the_unit() {
        let gain = TOY.find("gain").unwrap();
        assert_eq!(gain.parse("3").unwrap(), 3.0);
        assert_eq!(gain.parse("-0.1 dB").unwrap(), -0.1);
        assert_eq!(gain.parse("6db").unwrap(), 6.0);
        let mix = TOY.find("mix").unwrap();
        assert_eq!(mix.parse("120").unwrap(), 1.2);
        assert_eq!(mix.parse("50%").unwrap(), 0.5);
    }

    #[test]
    fn out_of_range_and_garbage_are_refused_with_what_is_accepted() {
        let gain = TOY.find("gain").unwrap();
        for bad in ["7", "-0.2", "NaN", "inf", "loud", ""] {
            let err = gain.parse(bad).unwrap_err();
            assert!(err.message.contains("-0.1 ..= 6 dB"), "{bad}: {err}");
        }
        assert!(TOY.find("mix").unwrap().parse("121").is_err());
    }

    #[test]
    fn switches_and_choices_take_words_ids_and_names() {
        let on = TOY.find("on").unwrap();
        assert_eq!(on.parse("off").unwrap(), 0.0);
        assert_eq!(on.parse("ON").unwrap(), 1.0);
        assert!(on.parse("2").is_err());
        let mode = TOY.find("mode").unwrap();
        assert_eq!(mode.parse("a").unwrap(), 0.0);
        assert_eq!(mode.parse("beta").unwrap(), 1.0);
        let err = mode.parse("gamma").unwrap_err();
        assert!(err.message.contains("a | b"), "{err}");
    }

    #[test]
    fn format_gives_back_what_parse_takes() {
        for spec in TOY.params {
            let default = TOY.default_plain(spec);
            assert_eq!(
                spec.parse(&spec.format(default)).unwrap(),
                default,
                "{}",
                spec.id
            );
        }
    }

    #[test]
    fn ratio_is_infinite_at_the_top() {
        assert_eq!(ratio_from_plain(4.0), 4.0);
        assert_eq!(ratio_from_plain(RATIO_INFINITE_AT), f32::INFINITY);
    }
}
