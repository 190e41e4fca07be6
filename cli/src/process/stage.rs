//! One stage of a `lathe process` chain: a plugin's processor from
//! `shared-dsp`, set from the plugin's parameter table exactly as its host
//! would set it, run as the plugin runs it.

use shared_dsp::processors::bus_glue::{BusGlue, BusGlueSettings};
use shared_dsp::processors::channel_strip::ChannelStrip;
use shared_dsp::processors::loudness_meter::LoudnessMeterProcessor;
use shared_dsp::processors::maximizer::Maximizer;
use shared_dsp::processors::param_table::maximizer::MaximizerControls;
use shared_dsp::processors::param_table::{self, Binding, ParamTable};
use shared_dsp::processors::stereo_imager::StereoImager;
use shared_dsp::units::loudness::LoudnessReadings;
use shared_dsp::units::unit::Unit;

/// A `--plugin` group as the user gave it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StageSpec {
    /// Plugin name, e.g. `channel-strip`.
    pub plugin: String,
    /// `id=value` pairs, in order (a later one wins).
    pub sets: Vec<String>,
}

/// The plugins `lathe process` runs, in the suite's order.
pub fn plugin_names() -> Vec<&'static str> {
    param_table::TABLES.iter().map(|t| t.plugin()).collect()
}

/// A processor with what the command line reports of it.
pub enum Stage {
    Strip(Box<ChannelStrip>),
    Imager(Box<StereoImager>),
    Glue(Box<BusGlue>),
    Maximizer {
        processor: Box<Maximizer>,
        controls: MaximizerControls,
        /// Largest gain reduction so far, dB (≥ 0).
        max_gain_reduction_db: f32,
    },
    Meter(Box<LoudnessMeterProcessor>),
    /// The plugin's bypass was set: the input passes through.
    Bypassed,
}

/// What a finished stage reports.
pub enum StageReport {
    Nothing,
    /// The largest gain reduction of a dynamics stage, dB.
    GainReduction(f32),
    /// A meter's readings over the whole file.
    Loudness(LoudnessReadings),
}

/// Parses `sets` against `table`: the settings and whether bypass is on.
///
/// # Errors
/// An `id=value` that is malformed, names no parameter, or has a value the
/// parameter cannot take; the message lists what is valid.
fn settings_from<S>(table: &ParamTable<S>, sets: &[String]) -> Result<(S, bool), String> {
    let mut settings = (table.defaults)();
    let mut bypass = false;
    for set in sets {
        let Some((id, value)) = set.split_once('=') else {
            return Err(format!(
                "--set {set:?}: write it as ID=VALUE, e.g. --set {}",
                example(table)
            ));
        };
        let id = id.trim();
        let Some(spec) = table.find(id) else {
            let ids: Vec<&str> = table.params.iter().map(|p| p.id).collect();
            return Err(format!(
                "{} has no parameter {id:?}; its parameters are: {} (see `lathe process --list --plugin {}`)",
                table.plugin,
                ids.join(", "),
                table.plugin
            ));
        };
        let plain = spec
            .parse(value)
            .map_err(|err| format!("{}: {err}", table.plugin))?;
        match spec.binding {
            Binding::Setting { .. } => spec.apply(&mut settings, plain),
            Binding::Bypass => bypass = plain >= 0.5,
            Binding::EditorOnly { .. } => {}
        }
    }
    Ok((settings, bypass))
}

/// An `id=value` example from the table: its first parameter at its default.
fn example<S>(table: &ParamTable<S>) -> String {
    table.params.first().map_or_else(String::new, |p| {
        format!("{}={}", p.id, p.format(table.default_plain(p)))
    })
}

/// Checks every `--set` of `spec` without building a processor (before any
/// audio is read: the file's rate and channel count are not known yet).
///
/// # Errors
/// As [`Stage::new`], but for the channel count.
pub fn check_sets(spec: &StageSpec) -> Result<(), String> {
    use param_table::{bus_glue, channel_strip, loudness_meter, maximizer, stereo_imager};
    match spec.plugin.as_str() {
        "channel-strip" => settings_from(&channel_strip::TABLE, &spec.sets).map(drop),
        "stereo-imager" => settings_from(&stereo_imager::TABLE, &spec.sets).map(drop),
        "bus-glue" => settings_from(&bus_glue::TABLE, &spec.sets).map(drop),
        "maximizer" => settings_from(&maximizer::TABLE, &spec.sets).map(drop),
        "loudness-meter" => settings_from(&loudness_meter::TABLE, &spec.sets).map(drop),
        other => Err(unknown_plugin(other)),
    }
}

fn unknown_plugin(name: &str) -> String {
    format!(
        "there is no plugin {name:?}; the plugins are: {}",
        plugin_names().join(", ")
    )
}

/// Refuses a stage the file's channel count does not suit.
fn check_channels(plugin: &str, num_channels: usize, supported: &[usize]) -> Result<(), String> {
    if supported.contains(&num_channels) {
        Ok(())
    } else {
        let supported: Vec<String> = supported.iter().map(|n| n.to_string()).collect();
        Err(format!(
            "{plugin} takes {}-channel audio; the file has {num_channels} channel(s)",
            supported.join(" or ")
        ))
    }
}

impl Stage {
    /// Builds the stage for `spec` at the file's rate and channel count,
    /// with its settings in place from the first sample (no glide from the
    /// defaults: the processor is reset after they are applied).
    ///
    /// # Errors
    /// An unknown plugin or parameter, a bad value, or a channel count the
    /// plugin does not take.
    pub fn new(spec: &StageSpec, sample_rate: f64, num_channels: usize) -> Result<Self, String> {
        use param_table::{bus_glue, channel_strip, loudness_meter, maximizer, stereo_imager};
        let stage = match spec.plugin.as_str() {
            "channel-strip" => {
                let (settings, bypass) = settings_from(&channel_strip::TABLE, &spec.sets)?;
                check_channels(&spec.plugin, num_channels, &[1, 2])?;
                if bypass {
                    return Ok(Self::Bypassed);
                }
                let mut strip = ChannelStrip::new(sample_rate, num_channels);
                strip.set_settings(&settings);
                strip.reset();
                Self::Strip(Box::new(strip))
            }
            "stereo-imager" => {
                let (settings, bypass) = settings_from(&stereo_imager::TABLE, &spec.sets)?;
                check_channels(&spec.plugin, num_channels, &[2])?;
                if bypass {
                    return Ok(Self::Bypassed);
                }
                let mut imager = StereoImager::new(sample_rate);
                imager.set_settings(&settings);
                imager.reset();
                Self::Imager(Box::new(imager))
            }
            "bus-glue" => {
                let (settings, bypass) = settings_from(&bus_glue::TABLE, &spec.sets)?;
                check_channels(&spec.plugin, num_channels, &[1, 2])?;
                if bypass {
                    return Ok(Self::Bypassed);
                }
                // Offline nothing reads the meters (the glue readout, the
                // level meters): the stage reports nothing, so they stay off.
                // A level-matched bypass still runs them (it needs them).
                let settings = BusGlueSettings {
                    metering: false,
                    ..settings
                };
                let mut glue = BusGlue::new(sample_rate, num_channels);
                glue.set_settings(&settings);
                glue.reset();
                Self::Glue(Box::new(glue))
            }
            "maximizer" => {
                let (controls, bypass) = settings_from(&maximizer::TABLE, &spec.sets)?;
                check_channels(&spec.plugin, num_channels, &[1, 2])?;
                if bypass {
                    return Ok(Self::Bypassed);
                }
                let mut processor = Maximizer::new(sample_rate, num_channels);
                processor.set_settings(&controls.settings);
                processor.reset();
                Self::Maximizer {
                    processor: Box::new(processor),
                    controls,
                    max_gain_reduction_db: 0.0,
                }
            }
            "loudness-meter" => {
                // Its parameters change nothing offline; they are still checked.
                let ((), _bypass) = settings_from(&loudness_meter::TABLE, &spec.sets)?;
                check_channels(&spec.plugin, num_channels, &[1, 2])?;
                Self::Meter(Box::new(LoudnessMeterProcessor::new(
                    sample_rate,
                    num_channels,
                )))
            }
            other => return Err(unknown_plugin(other)),
        };
        Ok(stage)
    }

    /// Latency at the current settings, samples.
    pub fn latency_samples(&self) -> usize {
        match self {
            Self::Strip(p) => p.latency_samples(),
            Self::Imager(p) => p.latency_samples(),
            Self::Glue(p) => p.latency_samples(),
            Self::Maximizer { processor, .. } => processor.latency_samples(),
            Self::Meter(_) | Self::Bypassed => 0,
        }
    }

    /// Processes one block in place, as the plugin's `process` does.
    pub fn process(&mut self, channels: &mut [&mut [f32]]) {
        match self {
            Self::Strip(p) => p.process(channels),
            Self::Imager(p) => p.process(channels),
            Self::Glue(p) => p.process(channels),
            Self::Maximizer {
                processor,
                controls,
                max_gain_reduction_db,
            } => {
                // The listening aids' gains come from the processor's own
                // meters, block by block, as in the plugin.
                let mut settings = controls.settings;
                settings.level_match_gain_db = processor.metered_level_match_db();
                settings.monitor_gain_db = processor.preview_gain_db(controls.preview_target());
                if settings != *processor.settings() {
                    processor.set_settings(&settings);
                }
                processor.process(channels);
                *max_gain_reduction_db = max_gain_reduction_db.max(processor.gain_reduction_db());
            }
            Self::Meter(p) => Unit::process(p.as_mut(), channels),
            Self::Bypassed => {}
        }
    }

    /// What the stage has to say once the file is through.
    pub fn report(&self) -> StageReport {
        match self {
            Self::Maximizer {
                max_gain_reduction_db,
                ..
            } => StageReport::GainReduction(*max_gain_reduction_db),
            Self::Meter(p) => StageReport::Loudness(p.readings()),
            _ => StageReport::Nothing,
        }
    }
}
