//! `lathe master`: bring a file to a loudness target under a true-peak
//! ceiling with the Maximizer, offline.
//!
//! 1. Analysis: measure the input's integrated loudness (streamed).
//! 2. Passes: run the whole file through `shared_dsp::processors::maximizer::Maximizer`
//!    with an input gain, measure the output exactly as it is written, and
//!    correct the gain by the remaining error ([`search::GainSearch`]) until
//!    it is within [`CONVERGED_LU`] or [`MAX_PASSES`] are done. Every pass
//!    writes its own temporary file; the best one is kept, so what is
//!    delivered is exactly what was measured.
//!    Each pass also checks the output's true peak with the same BS.1770
//!    meter that reports it, and lowers the processor's ceiling by any over
//!    (see [`METER_SPREAD_ALLOWANCE_DB`]).
//! 3. Commit the best pass atomically (and the plot, if asked for) — only
//!    if it is within [`TOLERANCE_LU`] of the target and under the ceiling.

mod pass;
pub mod report;

use std::path::Path;

use shared_dsp::processors::maximizer::{Character, DitherMode, MaximizerSettings, Oversampling};

use crate::decode::DecodeError;
use crate::encode::{EncodeError, OutputFormat};
use crate::measure::{MeasureOptions, Measurement};
use crate::paths::{self, Job};
use crate::plot::{self, PlotData};
use crate::progress::FileProgress;

pub use search::{MAX_INPUT_GAIN_DB, MIN_INPUT_GAIN_DB};
use shared_dsp::processors::maximizer::learn as search;

/// Most processing passes per file.
pub const MAX_PASSES: usize = 5;
/// Processing passes the progress bar allows for at the start: the gain
/// search usually lands within [`CONVERGED_LU`] on its second pass (the
/// first measures how much limiting costs). More passes extend the bar.
pub const EXPECTED_PASSES: usize = 2;
/// A pass this close to the target ends the search, LU.
pub const CONVERGED_LU: f64 = 0.05;
/// The largest error a delivered file may have, LU.
pub const TOLERANCE_LU: f64 = 0.2;
/// How far below the ceiling our meter must read a delivered file's true
/// peak, dB. BS.1770-4 Annex 2 meters use different interpolators and
/// disagree by up to ~0.1 dB on material with content near Nyquist (our
/// tests hold `LoudnessMeter` and libebur128 to 0.1 dB); keeping this much
/// room means any conformant meter reads the file at or below the ceiling.
/// The processor's own detector aims at the ceiling itself, so the first
/// pass already asks it for this much less.
pub const METER_SPREAD_ALLOWANCE_DB: f64 = 0.1;
/// Peak gain reduction above which `lathe master` warns that reaching the
/// target takes heavy limiting, dB. Mastering guidance for true-peak
/// limiters (FabFilter's Pro-L manual, iZotope's Ozone Maximizer guide)
/// puts the point where limiting becomes audible on most material — dulled
/// transients, pumping, distortion on bass — at a few dB, rarely more than
/// ~6 dB of peak reduction; beyond it the target is better reached by
/// mixing or compressing louder first. A warning, not an error: some genres
/// want it.
pub const HEAVY_LIMITING_GR_DB: f64 = 6.0;

/// The user's choices for every file.
#[derive(Debug, Clone, Copy)]
pub struct MasterOptions {
    /// Integrated-loudness target, LUFS.
    pub target_lufs: f64,
    /// True-peak ceiling, dBTP, −3.0..=−0.1.
    pub ceiling_dbtp: f64,
    /// Fixed release time, ms (1..=1000); `None` for the program-dependent release.
    pub release_ms: Option<f64>,
    /// Look-ahead, ms (0.5..=5.0); `None` for the processor's default.
    pub lookahead_ms: Option<f64>,
    pub character: Character,
    pub oversampling: Oversampling,
    pub format: OutputFormat,
    /// Dither to the output word length (integer formats only).
    pub dither: DitherMode,
    /// Overwrite existing outputs.
    pub force: bool,
}

impl MasterOptions {
    /// The processor's settings for a pass with `input_gain_db` and the
    /// processor ceiling `ceiling_dbtp`.
    fn settings(&self, input_gain_db: f64, ceiling_dbtp: f64) -> MaximizerSettings {
        let defaults = MaximizerSettings::default();
        MaximizerSettings {
            input_gain_db: input_gain_db as f32,
            ceiling_dbtp: ceiling_dbtp as f32,
            release_ms: self.release_ms.map_or(defaults.release_ms, |ms| ms as f32),
            auto_release: self.release_ms.is_none(),
            lookahead_ms: self
                .lookahead_ms
                .map_or(defaults.lookahead_ms, |ms| ms as f32),
            character: self.character,
            oversampling: self.oversampling,
            dither: if self.format.is_integer() {
                self.dither
            } else {
                DitherMode::Off
            },
            dither_bits: u32::from(self.format.bits()),
            ..defaults
        }
    }
}

/// Why a file could not be mastered. The `Display` text follows
/// `lathe: cannot master "FILE": `.
#[derive(Debug, thiserror::Error)]
pub enum MasterError {
    /// The input could not be read.
    #[error("{0}")]
    Decode(#[from] DecodeError),
    /// The output could not be written.
    #[error("cannot write the output: {0}")]
    Encode(#[from] EncodeError),
    /// The output could not be written, with the path the user asked for.
    #[error("cannot write {path:?}: {source}")]
    Write {
        /// The output file as the user named it (or as derived from the input).
        path: std::path::PathBuf,
        /// Why.
        source: EncodeError,
    },
    /// Writing would destroy something.
    #[error("{0}")]
    Refused(String),
    /// The input has no measurable loudness.
    #[error("the input is silent or too short to measure its loudness")]
    Silent,
    /// The processor could not keep the true peak under the ceiling.
    #[error(
        "cannot keep the true peak under {ceiling_dbtp:.1} dBTP: the best pass \
         peaks at {peak_dbtp:.2} dBTP"
    )]
    OverCeiling { ceiling_dbtp: f64, peak_dbtp: f64 },
    /// No gain within the processor's range reaches the target.
    #[error(
        "cannot reach {target_lufs:.1} LUFS: the best pass gave {best_lufs:.2} LUFS \
         (input gain {gain_db:+.2} dB, allowed {MIN_INPUT_GAIN_DB:+.0}..{MAX_INPUT_GAIN_DB:+.0} dB)"
    )]
    Unreachable {
        target_lufs: f64,
        best_lufs: f64,
        gain_db: f64,
    },
    /// The plot could not be drawn or written.
    #[error("{0}")]
    Plot(String),
    /// The user pressed Ctrl-C.
    #[error("interrupted")]
    Interrupted,
    /// A bug: the work panicked (the panic message is already on stderr).
    #[error("internal error while mastering (see above)")]
    Internal,
}

/// The result of mastering one file.
#[derive(Debug, Clone)]
pub struct MasterOutcome {
    /// The input, measured.
    pub before: Measurement,
    /// The delivered output, measured.
    pub after: Measurement,
    /// Input gain of the delivered pass, dB.
    pub input_gain_db: f64,
    /// Processing passes run.
    pub passes: usize,
    /// Largest gain reduction of the limiter in the delivered pass, dB.
    pub max_gain_reduction_db: f64,
    /// `false` when the plot had to be drawn without text (no font).
    pub plot_has_text: bool,
}

impl MasterOutcome {
    /// Whether the delivered pass needed more than [`HEAVY_LIMITING_GR_DB`]
    /// of peak gain reduction.
    pub fn heavy_limiting(&self) -> bool {
        self.max_gain_reduction_db > HEAVY_LIMITING_GR_DB
    }
}

/// The best pass so far, with the gain that made it.
struct Candidate {
    output: pass::PassOutput,
    gain_db: f64,
    /// Target − output loudness, LU.
    error_lu: f64,
    /// Whether the output's true peak is under the limit.
    peak_ok: bool,
}

impl Candidate {
    /// Whether this pass is a better delivery than `other`: under the
    /// ceiling first, then closer to the target.
    fn is_better_than(&self, other: &Self) -> bool {
        (self.peak_ok, -self.error_lu.abs()) > (other.peak_ok, -other.error_lu.abs())
    }

    /// Whether this pass is good enough to stop searching.
    fn is_converged(&self) -> bool {
        self.peak_ok && self.error_lu.abs() <= CONVERGED_LU
    }
}

/// Masters `job.input` into `job.output` (and draws `job.plot`).
/// `all_inputs` are every input of the run, none of which may be written.
///
/// # Errors
/// See [`MasterError`]; nothing is left behind on error.
pub fn master_file(
    job: &Job,
    all_inputs: &[std::path::PathBuf],
    options: &MasterOptions,
    progress: &FileProgress,
) -> Result<MasterOutcome, MasterError> {
    let check = |path: &Path| {
        paths::check_destination(path, all_inputs, options.force).map_err(MasterError::Refused)
    };
    check(&job.output)?;
    if let Some(plot) = &job.plot {
        check(plot)?;
    }
    // Fail before the analysis, not after it, when a destination's folder
    // is missing or not writable; the error names the user's path.
    probe_writable(&job.output).map_err(|source| MasterError::Write {
        path: job.output.clone(),
        source: source.into(),
    })?;
    if let Some(plot) = &job.plot {
        probe_writable(plot)
            .map_err(|err| MasterError::Plot(format!("cannot write {plot:?}: {err}")))?;
    }

    let measure = MeasureOptions {
        series: job.plot.is_some(),
        ..MeasureOptions::default()
    };
    // One bar over the analysis and every pass (it never jumps back).
    progress.plan(1 + EXPECTED_PASSES as u64);
    let before = pass::analyse(&job.input, measure, progress)?;
    let input_lufs = before.readings.integrated_lufs.ok_or(MasterError::Silent)?;

    let setup = pass::PassSetup {
        input: &job.input,
        output: &job.output,
        format: options.format,
        measure,
    };
    let (best, passes) = search_passes(&setup, options, input_lufs, before.num_frames, progress)?;
    if !best.peak_ok {
        return Err(MasterError::OverCeiling {
            ceiling_dbtp: options.ceiling_dbtp,
            peak_dbtp: best
                .output
                .measurement
                .readings
                .true_peak_dbtp
                .unwrap_or(f64::NAN),
        });
    }
    if best.error_lu.abs() > TOLERANCE_LU {
        return Err(MasterError::Unreachable {
            target_lufs: options.target_lufs,
            best_lufs: options.target_lufs - best.error_lu,
            gain_db: best.gain_db,
        });
    }

    let after = best.output.measurement;
    let plot_file = match &job.plot {
        Some(path) => {
            let data = PlotData {
                title: &job.input.to_string_lossy(),
                before: before.series.as_ref().expect("series were recorded"),
                after: after.series.as_ref().expect("series were recorded"),
                target_lufs: options.target_lufs,
                duration_s: before.duration_s(),
            };
            Some(plot::render(path, &data).map_err(MasterError::Plot)?)
        }
        None => None,
    };
    // Last chance before anything becomes visible: nothing moved meanwhile.
    if crate::interrupt::requested() {
        return Err(MasterError::Interrupted);
    }
    check(&job.output)?;
    if let Some((file, _)) = &plot_file {
        check(file.destination())?;
    }
    best.output
        .file
        .commit(options.force)
        .map_err(|err| MasterError::Encode(err.into()))?;
    let mut plot_has_text = true;
    if let Some((file, has_text)) = plot_file {
        plot_has_text = has_text;
        let path = file.destination().to_owned();
        file.commit(options.force)
            .map_err(|err| MasterError::Plot(format!("cannot write {path:?}: {err}")))?;
    }
    Ok(MasterOutcome {
        before,
        after,
        input_gain_db: best.gain_db,
        passes,
        max_gain_reduction_db: best.output.max_gain_reduction_db,
        plot_has_text,
    })
}

/// Checks that a file can be created beside `destination` (the way the
/// result will be written), leaving nothing behind.
fn probe_writable(destination: &Path) -> std::io::Result<()> {
    crate::atomic::AtomicFile::create(destination).map(drop)
}

/// Runs processing passes until one is on target and under the ceiling (or
/// [`MAX_PASSES`] are done, or another pass would repeat the last one).
/// Returns the best pass and the number of passes run.
fn search_passes(
    setup: &pass::PassSetup,
    options: &MasterOptions,
    input_lufs: f64,
    num_frames: u64,
    progress: &FileProgress,
) -> Result<(Candidate, usize), MasterError> {
    let mut search = search::GainSearch::new(options.target_lufs, input_lufs);
    let peak_limit_dbtp = options.ceiling_dbtp - METER_SPREAD_ALLOWANCE_DB;
    let mut processor_ceiling_dbtp = peak_limit_dbtp;
    let mut best: Option<Candidate> = None;
    let mut passes = 0;
    loop {
        let gain_db = search.next_gain_db();
        passes += 1;
        progress.start_phase(
            format!("pass {passes} ({gain_db:+.2} dB)"),
            Some(num_frames),
        );
        let settings = options.settings(gain_db, processor_ceiling_dbtp);
        let output = pass::process(setup, &settings, progress)?;
        let readings = &output.measurement.readings;
        // A silent output (possible only from a silent input) has no
        // loudness; treat it as infinitely far from the target.
        let output_lufs = readings.integrated_lufs.unwrap_or(f64::NEG_INFINITY);
        let peak_dbtp = readings.true_peak_dbtp;
        search.record(gain_db, output_lufs);
        let next_ceiling_dbtp =
            search::corrected_ceiling_dbtp(processor_ceiling_dbtp, peak_dbtp, peak_limit_dbtp);
        // With the gain pinned at the end of its range and the ceiling
        // unchanged, another pass would repeat this one.
        let would_repeat = search.is_stuck() && next_ceiling_dbtp == processor_ceiling_dbtp;
        processor_ceiling_dbtp = next_ceiling_dbtp;
        let candidate = Candidate {
            output,
            gain_db,
            error_lu: options.target_lufs - output_lufs,
            peak_ok: peak_dbtp.is_none_or(|peak| peak <= peak_limit_dbtp),
        };
        let converged = candidate.is_converged();
        if best
            .as_ref()
            .is_none_or(|best| candidate.is_better_than(best))
        {
            // Replacing the old best drops (deletes) its temporary file.
            best = Some(candidate);
        }
        if converged || would_repeat || passes == MAX_PASSES {
            break;
        }
    }
    Ok((best.expect("at least one pass runs"), passes))
}
