//! Helpers shared by the integration tests: test signals, WAV/FLAC writers,
//! an independent reference measurement (the `ebur128` crate, a port of
//! libebur128) and a runner for the built `lathe` binary.

#![allow(dead_code)] // Each test binary uses a different subset.

use std::f64::consts::TAU;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use ebur128::{EbuR128, Mode};
use flacenc::component::BitRepr;
use flacenc::error::Verify;
use serde_json::Value;

/// Meter step (and series spacing), seconds.
pub const STEP_S: f64 = 0.1;
/// Steps before the momentary (400 ms) window is full.
pub const MOMENTARY_WINDOW_STEPS: usize = 4;
/// Steps before the short-term (3 s) window is full.
pub const SHORT_TERM_WINDOW_STEPS: usize = 30;

/// Absolute gate of the loudness range (EBU Tech 3342), LUFS.
pub const LRA_ABSOLUTE_GATE_LUFS: f64 = -70.0;

/// Converts dBFS to a linear amplitude.
pub fn db_to_amplitude(db: f64) -> f64 {
    10f64.powf(db / 20.0)
}

/// How samples are stored in a test file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SampleFormat {
    Int16,
    Int24,
    Float32,
}

impl SampleFormat {
    /// Bits per sample in the file.
    pub fn bits(self) -> u16 {
        match self {
            Self::Int16 => 16,
            Self::Int24 => 24,
            Self::Float32 => 32,
        }
    }

    /// Full scale of the integer format (2^(bits-1)).
    fn full_scale(self) -> f64 {
        f64::from(1u32 << (self.bits() - 1))
    }
}

/// Planar test audio, already quantized to the format it will be stored in,
/// so the `f32` values are exactly what a decoder gives back.
#[derive(Debug, Clone)]
pub struct Signal {
    pub sample_rate: u32,
    pub format: SampleFormat,
    /// `channels[c][i]`, all the same length.
    pub channels: Vec<Vec<f32>>,
    /// For integer formats: the stored integers, `channels[c][i]`.
    ints: Vec<Vec<i32>>,
}

impl Signal {
    /// Quantizes planar `f64` audio (nominally −1..1) to `format`.
    pub fn new(sample_rate: u32, format: SampleFormat, planar: Vec<Vec<f64>>) -> Self {
        let mut ints = Vec::new();
        let channels = match format {
            SampleFormat::Float32 => planar
                .iter()
                .map(|ch| ch.iter().map(|&x| x as f32).collect())
                .collect(),
            SampleFormat::Int16 | SampleFormat::Int24 => {
                let scale = format.full_scale();
                ints = planar
                    .iter()
                    .map(|ch| {
                        ch.iter()
                            .map(|&x| (x * scale).round().clamp(-scale, scale - 1.0) as i32)
                            .collect::<Vec<i32>>()
                    })
                    .collect();
                // Same arithmetic as the decoder's integer → f32 conversion
                // (exact: the integers fit in f32's mantissa).
                ints.iter()
                    .map(|ch| ch.iter().map(|&v| (f64::from(v) / scale) as f32).collect())
                    .collect()
            }
        };
        Self {
            sample_rate,
            format,
            channels,
            ints,
        }
    }

    pub fn num_channels(&self) -> usize {
        self.channels.len()
    }

    pub fn num_frames(&self) -> usize {
        self.channels[0].len()
    }

    pub fn duration_s(&self) -> f64 {
        self.num_frames() as f64 / f64::from(self.sample_rate)
    }

    /// Interleaved `f32` frames `from..to`.
    fn interleaved_f32(&self, from: usize, to: usize) -> Vec<f32> {
        (from..to)
            .flat_map(|i| self.channels.iter().map(move |ch| ch[i]))
            .collect()
    }

    /// Interleaved stored integers (integer formats only).
    fn interleaved_ints(&self) -> Vec<i32> {
        (0..self.num_frames())
            .flat_map(|i| self.ints.iter().map(move |ch| ch[i]))
            .collect()
    }

    /// Writes the signal as a WAV file with `hound`.
    pub fn write_wav(&self, path: &Path) {
        let spec = hound::WavSpec {
            channels: self.num_channels() as u16,
            sample_rate: self.sample_rate,
            bits_per_sample: self.format.bits(),
            sample_format: match self.format {
                SampleFormat::Float32 => hound::SampleFormat::Float,
                _ => hound::SampleFormat::Int,
            },
        };
        let mut writer = hound::WavWriter::create(path, spec).expect("create WAV");
        match self.format {
            SampleFormat::Float32 => {
                for sample in self.interleaved_f32(0, self.num_frames()) {
                    writer.write_sample(sample).expect("write WAV sample");
                }
            }
            SampleFormat::Int16 => {
                for sample in self.interleaved_ints() {
                    writer
                        .write_sample(sample as i16)
                        .expect("write WAV sample");
                }
            }
            SampleFormat::Int24 => {
                for sample in self.interleaved_ints() {
                    writer.write_sample(sample).expect("write WAV sample");
                }
            }
        }
        writer.finalize().expect("finalize WAV");
    }

    /// Writes the signal as a WAV file whose header says `speakers` about the
    /// channel order (hound writes `WAVE_FORMAT_EXTENSIBLE` with the first
    /// `channels` mask bits for more than two channels; this patches the mask
    /// or rewrites the format chunk as a plain one).
    pub fn write_wav_with_speakers(&self, path: &Path, speakers: Speakers) {
        assert!(
            self.num_channels() > 2,
            "hound writes a mask only for > 2 channels"
        );
        self.write_wav(path);
        let mut bytes = std::fs::read(path).expect("read back WAV");
        assert_eq!(&bytes[12..16], b"fmt ");
        assert_eq!(
            u32::from_le_bytes(bytes[16..20].try_into().unwrap()),
            EXTENSIBLE_FMT_BYTES
        );
        match speakers {
            Speakers::Mask(mask) => {
                bytes[CHANNEL_MASK_AT..CHANNEL_MASK_AT + 4].copy_from_slice(&mask.to_le_bytes())
            }
            Speakers::NoMask => {
                // The sub-format GUID starts with the plain format tag (1 PCM, 3 float).
                let tag = [bytes[SUB_FORMAT_AT], bytes[SUB_FORMAT_AT + 1]];
                bytes[20..22].copy_from_slice(&tag);
                bytes[16..20].copy_from_slice(&PLAIN_FMT_BYTES.to_le_bytes());
                let extension = (EXTENSIBLE_FMT_BYTES - PLAIN_FMT_BYTES) as usize;
                bytes.drain(36..36 + extension);
                let riff = u32::from_le_bytes(bytes[4..8].try_into().unwrap()) - extension as u32;
                bytes[4..8].copy_from_slice(&riff.to_le_bytes());
            }
        }
        std::fs::write(path, bytes).expect("write patched WAV");
    }

    /// Writes the signal as a FLAC file with `flacenc` (integer formats only).
    pub fn write_flac(&self, path: &Path) {
        assert_ne!(self.format, SampleFormat::Float32, "FLAC stores integers");
        let config = flacenc::config::Encoder::default()
            .into_verified()
            .expect("default FLAC config");
        let source = flacenc::source::MemSource::from_samples(
            &self.interleaved_ints(),
            self.num_channels(),
            usize::from(self.format.bits()),
            self.sample_rate as usize,
        );
        let stream = flacenc::encode_with_fixed_block_size(&config, source, config.block_size)
            .expect("encode FLAC");
        let mut sink = flacenc::bitsink::ByteSink::new();
        stream.write(&mut sink).expect("serialize FLAC");
        std::fs::write(path, sink.as_slice()).expect("write FLAC");
    }
}

/// What a multichannel WAV header says about its speakers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Speakers {
    /// `WAVE_FORMAT_EXTENSIBLE` with this channel mask (0: "not given").
    Mask(u32),
    /// A plain `WAVE_FORMAT_PCM` / `IEEE_FLOAT` header: no mask at all.
    NoMask,
}

/// Length of hound's `WAVE_FORMAT_EXTENSIBLE` format chunk, bytes.
const EXTENSIBLE_FMT_BYTES: u32 = 40;
/// Length of a plain format chunk, bytes.
const PLAIN_FMT_BYTES: u32 = 16;
/// File offset of the channel mask in hound's header (12 + 8 + 20).
const CHANNEL_MASK_AT: usize = 40;
/// File offset of the sub-format GUID in hound's header.
const SUB_FORMAT_AT: usize = 44;

/// A sine of `freq_hz` with peak level `peak_dbfs`, `duration_s` long.
pub fn sine(sample_rate: u32, freq_hz: f64, peak_dbfs: f64, duration_s: f64) -> Vec<f64> {
    let amplitude = db_to_amplitude(peak_dbfs);
    let num_frames = (duration_s * f64::from(sample_rate)).round() as usize;
    (0..num_frames)
        .map(|i| amplitude * (TAU * freq_hz * i as f64 / f64::from(sample_rate)).sin())
        .collect()
}

/// Seeded white noise, uniform in ±10^(peak_dbfs/20).
pub fn noise(sample_rate: u32, peak_dbfs: f64, duration_s: f64, seed: u64) -> Vec<f64> {
    let amplitude = db_to_amplitude(peak_dbfs);
    let num_frames = (duration_s * f64::from(sample_rate)).round() as usize;
    // xorshift64*: deterministic and independent of any crate.
    let mut state = seed.max(1);
    (0..num_frames)
        .map(|_| {
            state ^= state >> 12;
            state ^= state << 25;
            state ^= state >> 27;
            let bits = state.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 11;
            let unit = bits as f64 / (1u64 << 53) as f64; // 0..1
            amplitude * (2.0 * unit - 1.0)
        })
        .collect()
}

/// Tone bursts: a sine of `freq_hz` whose peak level steps through `levels_dbfs`,
/// each segment `segment_s` long.
pub fn bursts(sample_rate: u32, freq_hz: f64, levels_dbfs: &[f64], segment_s: f64) -> Vec<f64> {
    let segment_frames = (segment_s * f64::from(sample_rate)).round() as usize;
    let mut out = Vec::with_capacity(segment_frames * levels_dbfs.len());
    for &level in levels_dbfs {
        let amplitude = db_to_amplitude(level);
        for _ in 0..segment_frames {
            let i = out.len();
            out.push(amplitude * (TAU * freq_hz * i as f64 / f64::from(sample_rate)).sin());
        }
    }
    out
}

/// Digital silence.
pub fn silence(sample_rate: u32, duration_s: f64) -> Vec<f64> {
    vec![0.0; (duration_s * f64::from(sample_rate)).round() as usize]
}

/// Converts a value from `ebur128` (−inf when undefined) to `Option`.
fn defined(value: f64) -> Option<f64> {
    value.is_finite().then_some(value)
}

/// Linear peak → dB, `None` for 0.
fn peak_db(linear: f64) -> Option<f64> {
    (linear > 0.0).then(|| 20.0 * linear.log10())
}

/// The independent truth: everything `lathe measure --json --series` reports,
/// computed with the `ebur128` crate on the same samples.
#[derive(Debug, Clone)]
pub struct Reference {
    pub integrated_lufs: Option<f64>,
    pub lra_lu: Option<f64>,
    pub max_momentary_lufs: Option<f64>,
    pub max_short_term_lufs: Option<f64>,
    pub true_peak_dbtp: Option<f64>,
    pub sample_peak_dbfs: Option<f64>,
    /// `(t_end_s, lufs)` at each step from 0.4 s on.
    pub momentary_series: Vec<(f64, Option<f64>)>,
    /// `(t_end_s, lufs)` at each step from 3 s on.
    pub short_term_series: Vec<(f64, Option<f64>)>,
}

/// Measures `signal` with `ebur128`, querying the windows at every 100 ms
/// step boundary (when the meter's readings change), and the momentary
/// loudness also every 10 ms for its maximum (the meter's grid for it).
pub fn reference(signal: &Signal) -> Reference {
    reference_with_channels(signal, None)
}

/// [`reference`] with `ebur128`'s channel map set to `channels` (one per
/// channel of `signal`) instead of its default map.
pub fn reference_with_channels(
    signal: &Signal,
    channels: Option<&[ebur128::Channel]>,
) -> Reference {
    let num_channels = signal.num_channels() as u32;
    let mut meter = EbuR128::new(
        num_channels,
        signal.sample_rate,
        Mode::I | Mode::M | Mode::S | Mode::LRA | Mode::TRUE_PEAK | Mode::SAMPLE_PEAK,
    )
    .expect("ebur128 meter");
    if let Some(channels) = channels {
        assert_eq!(channels.len(), signal.num_channels());
        meter
            .set_channel_map(channels)
            .expect("ebur128 channel map");
    }
    assert_eq!(
        signal.sample_rate % 10,
        0,
        "test rates have whole-sample steps"
    );
    let step_frames = signal.sample_rate as usize / 10;
    // lathe seeks the momentary maximum on a 10 ms grid: so does the reference.
    let hop_frames = signal.sample_rate as usize / 100;
    let mut momentary_series = Vec::new();
    let mut short_term_series = Vec::new();
    let mut max_momentary: Option<f64> = None;
    let mut start = 0;
    let mut steps = 0;
    while start < signal.num_frames() {
        let step_end = (start + step_frames).min(signal.num_frames());
        let mut hop_start = start;
        while hop_start < step_end {
            let hop_end = (hop_start + hop_frames).min(step_end);
            meter
                .add_frames_f32(&signal.interleaved_f32(hop_start, hop_end))
                .expect("ebur128 add frames");
            if hop_end - hop_start == hop_frames && hop_end >= 40 * hop_frames {
                if let Some(m) = defined(meter.loudness_momentary().expect("momentary")) {
                    max_momentary = Some(max_momentary.map_or(m, |a| a.max(m)));
                }
            }
            hop_start = hop_end;
        }
        let end = step_end;
        if end - start == step_frames {
            steps += 1;
            let t_end_s = steps as f64 * STEP_S;
            if steps >= MOMENTARY_WINDOW_STEPS {
                let m = meter.loudness_momentary().expect("momentary");
                momentary_series.push((t_end_s, defined(m)));
            }
            if steps >= SHORT_TERM_WINDOW_STEPS {
                let s = meter.loudness_shortterm().expect("short-term");
                short_term_series.push((t_end_s, defined(s)));
            }
        }
        start = end;
    }
    let max_of = |series: &[(f64, Option<f64>)]| {
        series
            .iter()
            .filter_map(|&(_, v)| v)
            .fold(None, |acc: Option<f64>, v| {
                Some(acc.map_or(v, |a| a.max(v)))
            })
    };
    let channel_max = |f: &dyn Fn(u32) -> f64| (0..num_channels).map(f).fold(0.0_f64, f64::max);
    Reference {
        integrated_lufs: defined(meter.loudness_global().expect("integrated")),
        // ebur128 answers 0.0 when no short-term block passes the absolute
        // gate (EBU Tech 3342); that is "undefined", as lathe reports it.
        lra_lu: short_term_series
            .iter()
            .any(|&(_, v)| v.is_some_and(|v| v > LRA_ABSOLUTE_GATE_LUFS))
            .then(|| meter.loudness_range().expect("LRA")),
        max_momentary_lufs: max_momentary,
        max_short_term_lufs: max_of(&short_term_series),
        true_peak_dbtp: peak_db(channel_max(&|c| meter.true_peak(c).expect("true peak"))),
        sample_peak_dbfs: peak_db(channel_max(&|c| meter.sample_peak(c).expect("sample peak"))),
        momentary_series,
        short_term_series,
    }
}

/// Runs the built `lathe` binary with `args`.
pub fn run_lathe<I, S>(args: I) -> Output
where
    I: IntoIterator<Item = S>,
    S: AsRef<std::ffi::OsStr>,
{
    Command::new(env!("CARGO_BIN_EXE_lathe"))
        .args(args)
        .output()
        .expect("run lathe")
}

/// Runs `lathe measure --json [extra] FILES`, asserts success and returns
/// one parsed JSON object per file.
pub fn measure_json(files: &[PathBuf], extra: &[&str]) -> Vec<Value> {
    let mut args: Vec<std::ffi::OsString> = vec!["measure".into(), "--json".into()];
    args.extend(extra.iter().map(Into::into));
    args.extend(files.iter().map(|f| f.as_os_str().to_owned()));
    let output = run_lathe(&args);
    assert!(
        output.status.success(),
        "lathe failed: {}\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    parse_json_lines(&output.stdout)
}

/// Parses stdout as one JSON object per line.
pub fn parse_json_lines(stdout: &[u8]) -> Vec<Value> {
    String::from_utf8(stdout.to_vec())
        .expect("UTF-8 output")
        .lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("bad JSON {line:?}: {e}")))
        .collect()
}

/// A JSON number or null as `Option<f64>`; panics on anything else.
pub fn opt_f64(value: &Value, key: &str) -> Option<f64> {
    match value.get(key) {
        Some(Value::Null) => None,
        Some(Value::Number(n)) => n.as_f64(),
        other => panic!("{key}: expected a number or null, got {other:?}"),
    }
}

/// Asserts that two optional values are both undefined, or both defined and
/// within `tolerance`.
pub fn assert_close(what: &str, actual: Option<f64>, expected: Option<f64>, tolerance: f64) {
    match (actual, expected) {
        (None, None) => {}
        (Some(a), Some(e)) => assert!(
            (a - e).abs() <= tolerance,
            "{what}: lathe {a:.4}, reference {e:.4} (tolerance {tolerance})"
        ),
        _ => panic!("{what}: lathe {actual:?}, reference {expected:?}"),
    }
}

/// `signal` through `order` cascaded one-pole low-passes at `cutoff_hz`
/// (a test-signal shaper only: keeps noise away from Nyquist, where
/// true-peak interpolators legitimately disagree).
pub fn lowpass(signal: &[f64], sample_rate: u32, cutoff_hz: f64, order: usize) -> Vec<f64> {
    let coefficient = (-TAU * cutoff_hz / f64::from(sample_rate)).exp();
    let mut out = signal.to_vec();
    for _ in 0..order {
        let mut state = 0.0;
        for x in &mut out {
            state = (1.0 - coefficient) * *x + coefficient * state;
            *x = state;
        }
    }
    out
}

/// Oversampling factor of [`ideal_true_peak_dbtp`]: a full-band sine is
/// under-read by at most cos(π/(2·16)) ≈ −0.04 dB.
const IDEAL_OVERSAMPLING: usize = 16;
/// Input samples on each side of an interpolated point.
const IDEAL_HALF_TAPS: usize = 64;

/// The peak of the band-limited reconstruction of `channels`, dBTP: a long
/// Blackman-windowed sinc at 16× (ITU-R BS.1770-4 Annex 2 asks for ≥ 4×
/// with a shorter filter). Independent of both lathe and `ebur128`.
pub fn ideal_true_peak_dbtp(channels: &[Vec<f32>]) -> Option<f64> {
    let half_taps = IDEAL_HALF_TAPS as isize;
    let window_len = 2.0 * IDEAL_HALF_TAPS as f64;
    // kernel[phase][k]: weight of x[n + k - half_taps + 1] for the point at n + phase/L.
    let kernel: Vec<Vec<f64>> = (1..IDEAL_OVERSAMPLING)
        .map(|phase| {
            let frac = phase as f64 / IDEAL_OVERSAMPLING as f64;
            (-half_taps + 1..=half_taps)
                .map(|k| {
                    let t = k as f64 - frac; // distance from the point, samples
                    let sinc = (std::f64::consts::PI * t).sin() / (std::f64::consts::PI * t);
                    let w = (t + IDEAL_HALF_TAPS as f64) / window_len; // 0..1
                    let blackman = 0.42 - 0.5 * (TAU * w).cos() + 0.08 * (2.0 * TAU * w).cos();
                    sinc * blackman
                })
                .collect()
        })
        .collect();
    let mut peak = 0.0_f64;
    for channel in channels {
        let len = channel.len() as isize;
        let at = |i: isize| {
            if (0..len).contains(&i) {
                f64::from(channel[i as usize])
            } else {
                0.0
            }
        };
        for n in 0..len {
            peak = peak.max(at(n).abs());
            for weights in &kernel {
                let value: f64 = weights
                    .iter()
                    .zip(-half_taps + 1..=half_taps)
                    .map(|(w, k)| w * at(n + k))
                    .sum();
                peak = peak.max(value.abs());
            }
        }
    }
    peak_db(peak)
}

/// Reads a WAV file with `hound` (independent of lathe's decoder) as a
/// [`Signal`], together with its header.
pub fn read_wav(path: &Path) -> (Signal, hound::WavSpec) {
    let mut reader = hound::WavReader::open(path).expect("open WAV");
    let spec = reader.spec();
    let num_channels = usize::from(spec.channels);
    let interleaved: Vec<f64> = match spec.sample_format {
        hound::SampleFormat::Float => reader
            .samples::<f32>()
            .map(|s| f64::from(s.expect("read WAV sample")))
            .collect(),
        hound::SampleFormat::Int => {
            let scale = f64::from(1u32 << (spec.bits_per_sample - 1));
            reader
                .samples::<i32>()
                .map(|s| f64::from(s.expect("read WAV sample")) / scale)
                .collect()
        }
    };
    let planar: Vec<Vec<f64>> = (0..num_channels)
        .map(|c| {
            interleaved
                .iter()
                .skip(c)
                .step_by(num_channels)
                .copied()
                .collect()
        })
        .collect();
    let format = match (spec.sample_format, spec.bits_per_sample) {
        (hound::SampleFormat::Float, 32) => SampleFormat::Float32,
        (hound::SampleFormat::Int, 16) => SampleFormat::Int16,
        (hound::SampleFormat::Int, 24) => SampleFormat::Int24,
        other => panic!("unexpected WAV format {other:?}"),
    };
    (Signal::new(spec.sample_rate, format, planar), spec)
}

/// Seconds between two drum hits of [`music_like`].
const BEAT_S: f64 = 0.5;
/// Decay time constant of a drum hit, s.
const HIT_DECAY_S: f64 = 0.08;

/// A music-like programme: a chord of tones under a slow swell, drum-like
/// bursts of low-passed noise with sharp attacks on every beat, and a
/// quieter first `quiet_s` seconds (−12 dB), scaled to roughly `level_dbfs`
/// peak. Channels get different noise and a slightly detuned chord.
pub fn music_like(
    sample_rate: u32,
    num_channels: usize,
    duration_s: f64,
    quiet_s: f64,
    level_dbfs: f64,
    seed: u64,
) -> Vec<Vec<f64>> {
    let fs = f64::from(sample_rate);
    let num_frames = (duration_s * fs).round() as usize;
    let level = db_to_amplitude(level_dbfs);
    let quiet = db_to_amplitude(-12.0);
    (0..num_channels)
        .map(|channel| {
            let detune = 1.0 + 0.002 * channel as f64;
            let drums = lowpass(
                &noise(sample_rate, 0.0, duration_s, seed + channel as u64),
                sample_rate,
                4_000.0,
                2,
            );
            (0..num_frames)
                .map(|i| {
                    let t = i as f64 / fs;
                    let swell = 0.6 + 0.4 * (TAU * 0.2 * t).sin();
                    let chord: f64 = [110.0, 220.0, 277.2, 330.0, 1_320.0]
                        .iter()
                        .zip([0.5, 0.3, 0.25, 0.2, 0.08])
                        .map(|(f, a)| a * (TAU * f * detune * t).sin())
                        .sum();
                    let since_beat = t % BEAT_S;
                    let hit = (-since_beat / HIT_DECAY_S).exp();
                    let section = if t < quiet_s { quiet } else { 1.0 };
                    level * section * (0.35 * swell * chord + 1.6 * hit * drums[i])
                })
                .collect()
        })
        .collect()
}
