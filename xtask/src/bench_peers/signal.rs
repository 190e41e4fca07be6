//! The peer benchmark's programme: a deterministic, music-like stereo mix,
//! written as a 32-bit float WAV.
//!
//! What it holds, so every processor has work to do: a kick on every beat
//! (a decaying 50→45 Hz sine), a bass line, a three-note pad that swells, a
//! hi-hat (decaying white noise) on every off-beat, and independent room
//! noise per channel. The arrangement changes level every
//! [`SECTION_SECONDS`] (verse/chorus/break), so compressors and limiters see
//! a moving programme and the loudness range is not zero.

use anyhow::{Context, Result};
use std::f32::consts::TAU;
use std::path::Path;

/// Sample rate of the programme, Hz (the 48 kHz).
pub const SAMPLE_RATE_HZ: u32 = 48_000;
/// Tempo, beats per minute.
const TEMPO_BPM: f32 = 120.0;
/// Length of one arrangement section, s.
const SECTION_SECONDS: f32 = 30.0;
/// Section gains, dB, cycled: verse, chorus, break, chorus.
const SECTION_GAINS_DB: [f32; 4] = [-6.0, 0.0, -14.0, -1.0];
/// Bass notes, Hz, one per bar of four beats, cycled.
const BASS_NOTES_HZ: [f32; 4] = [55.0, 73.42, 61.74, 82.41];
/// Gain of the whole mix, so the loudest section peaks near −2 dBFS
/// (checked by the test below).
const MIX_GAIN: f32 = 0.7;
/// Pad chord, Hz (A minor).
const PAD_HZ: [f32; 3] = [220.0, 261.63, 329.63];

/// 32-bit LCG (Numerical Recipes constants), so the file is the same on
/// every machine.
struct Lcg(u32);

impl Lcg {
    /// Uniform in [−1, 1).
    fn next(&mut self) -> f32 {
        self.0 = self.0.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
        (self.0 >> 8) as f32 / (1u32 << 23) as f32 - 1.0
    }
}

/// Writes `seconds` of the programme to `path` (stereo, 48 kHz, f32).
pub fn write_programme(path: &Path, seconds: u32) -> Result<()> {
    let spec = hound::WavSpec {
        channels: 2,
        sample_rate: SAMPLE_RATE_HZ,
        bits_per_sample: 32,
        sample_format: hound::SampleFormat::Float,
    };
    let mut writer = hound::WavWriter::create(path, spec)
        .with_context(|| format!("creating {}", path.display()))?;
    let rate = SAMPLE_RATE_HZ as f32;
    let beat_len = 60.0 / TEMPO_BPM;
    let mut noise = [Lcg(0x1234_5678), Lcg(0x8765_4321)];
    let mut hat = Lcg(0x0bad_cafe);
    let mut kick_phase = 0.0f32;
    let mut bass_phase = 0.0f32;
    let mut pad_phase = [0.0f32; 3];
    for n in 0..(seconds * SAMPLE_RATE_HZ) {
        // Time in f64, so phases do not lose precision over ten minutes.
        let t = n as f64 / f64::from(SAMPLE_RATE_HZ);
        let beat_pos = (t % f64::from(beat_len)) as f32;
        let beat = (t / f64::from(beat_len)) as usize;
        let section = ((t / f64::from(SECTION_SECONDS)) as usize) % SECTION_GAINS_DB.len();
        let gain = MIX_GAIN * 10f32.powf(SECTION_GAINS_DB[section] / 20.0);

        let kick_freq = 45.0 + 5.0 * (-beat_pos * 30.0).exp();
        kick_phase = (kick_phase + kick_freq / rate).fract();
        let kick = 0.8 * (-beat_pos * 8.0).exp() * (TAU * kick_phase).sin();

        let bass_freq = BASS_NOTES_HZ[(beat / 4) % BASS_NOTES_HZ.len()];
        bass_phase = (bass_phase + bass_freq / rate).fract();
        let bass = 0.25 * (TAU * bass_phase).sin() + 0.08 * (2.0 * TAU * bass_phase).sin();

        let swell = 0.5 + 0.5 * (TAU * 0.05 * t as f32).sin();
        let mut pad = 0.0;
        for (phase, freq) in pad_phase.iter_mut().zip(PAD_HZ) {
            *phase = (*phase + freq / rate).fract();
            pad += 0.06 * swell * (TAU * *phase).sin();
        }

        let off_beat = (beat_pos - beat_len / 2.0).max(0.0);
        let hat_env = if beat_pos >= beat_len / 2.0 {
            (-off_beat * 60.0).exp()
        } else {
            0.0
        };
        let hiss = 0.3 * hat_env * hat.next();

        for (c, room) in noise.iter_mut().enumerate() {
            // The pad leans left and the hat right, so the mix is stereo.
            let pan = if c == 0 { 1.2 } else { 0.8 };
            let sample = gain * (kick + bass + pan * pad + (2.0 - pan) * hiss + 0.01 * room.next());
            writer.write_sample(sample)?;
        }
    }
    writer.finalize().context("finishing the programme WAV")?;
    Ok(())
}

/// Delay of the "room" reflection [`widen`] adds to the side, s (a
/// typical early reflection, long enough to decorrelate the channels).
const ROOM_DELAY_S: f32 = 0.013;
/// Level of the room reflection in the side, relative to the mid.
const ROOM_LEVEL: f32 = 1.0;
/// The room reflection is high-passed here, Hz, so the low end stays
/// mono as a real mix's does.
const ROOM_HIGH_PASS_HZ: f32 = 120.0;

/// `programme` (interleaved stereo at [`SAMPLE_RATE_HZ`]) made wide as a
/// real stereo mix is: a delayed, high-passed copy of the mid (an early
/// reflection) is added to the left and taken from the right. The mono sum
/// `L + R` is unchanged sample for sample; the low end stays near mono.
/// For the Stereo Imager's capture, whose goniometer and correlation meters
/// would otherwise show a near-mono line.
pub fn widen(programme: &[f32]) -> Vec<f32> {
    let delay = (ROOM_DELAY_S * SAMPLE_RATE_HZ as f32) as usize;
    // One-pole high-pass coefficient (RC filter, bilinear-free form).
    let rc = 1.0 / (TAU * ROOM_HIGH_PASS_HZ);
    let dt = 1.0 / SAMPLE_RATE_HZ as f32;
    let alpha = rc / (rc + dt);
    let frames = programme.len() / 2;
    let mid = |i: usize| 0.5 * (programme[2 * i] + programme[2 * i + 1]);
    let mut out = programme.to_vec();
    let (mut x_prev, mut y_prev) = (0.0f32, 0.0f32);
    for i in 0..frames {
        let x = if i >= delay { mid(i - delay) } else { 0.0 };
        let y = alpha * (y_prev + x - x_prev);
        (x_prev, y_prev) = (x, y);
        out[2 * i] += ROOM_LEVEL * y;
        out[2 * i + 1] -= ROOM_LEVEL * y;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Reads back a programme written by [`write_programme`].
    fn read(path: &Path) -> Vec<f32> {
        hound::WavReader::open(path)
            .unwrap()
            .samples::<f32>()
            .map(Result::unwrap)
            .collect()
    }

    #[test]
    fn programme_is_deterministic_in_range_and_changes_level_by_section() {
        let dir = std::env::temp_dir().join(format!("lathe-programme-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let (a, b) = (dir.join("a.wav"), dir.join("b.wav"));
        let seconds = 2 * SECTION_SECONDS as u32 + 10;
        write_programme(&a, seconds).unwrap();
        write_programme(&b, seconds).unwrap();
        let (x, y) = (read(&a), read(&b));
        std::fs::remove_dir_all(&dir).unwrap();
        assert_eq!(x.len(), (seconds * SAMPLE_RATE_HZ * 2) as usize);
        assert!(
            x.iter().zip(&y).all(|(p, q)| p.to_bits() == q.to_bits()),
            "not deterministic"
        );
        let peak = x.iter().fold(0.0f32, |m, s| m.max(s.abs()));
        assert!(
            peak < 1.0 && peak > 0.3,
            "peak {peak} out of the intended range"
        );
        // RMS of the verse (section 0) and the chorus (section 1) differ by
        // about their gains' difference.
        let frames = |s: f32| (s * SAMPLE_RATE_HZ as f32) as usize * 2;
        let rms = |from: f32, to: f32| {
            let part = &x[frames(from)..frames(to)];
            (part.iter().map(|s| f64::from(*s).powi(2)).sum::<f64>() / part.len() as f64).sqrt()
        };
        let step_db = 20.0 * (rms(40.0, 50.0) / rms(10.0, 20.0)).log10();
        let expected = f64::from(SECTION_GAINS_DB[1] - SECTION_GAINS_DB[0]);
        assert!(
            (step_db - expected).abs() < 1.5,
            "chorus/verse {step_db:.2} dB, expected ≈ {expected}"
        );
    }

    /// Pearson correlation of the two channels of interleaved `x`.
    fn correlation(x: &[f32]) -> f64 {
        let (mut lr, mut ll, mut rr) = (0.0f64, 0.0f64, 0.0f64);
        for f in x.chunks_exact(2) {
            let (l, r) = (f64::from(f[0]), f64::from(f[1]));
            lr += l * r;
            ll += l * l;
            rr += r * r;
        }
        lr / (ll * rr).sqrt()
    }

    #[test]
    fn widening_keeps_the_mono_sum_and_opens_the_image() {
        let dir = std::env::temp_dir().join(format!("lathe-widen-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("p.wav");
        write_programme(&path, 20).unwrap();
        let x = read(&path);
        std::fs::remove_dir_all(&dir).unwrap();
        let wide = widen(&x);
        assert_eq!(wide.len(), x.len());
        for (a, b) in x.chunks_exact(2).zip(wide.chunks_exact(2)) {
            assert!(
                ((a[0] + a[1]) - (b[0] + b[1])).abs() < 1e-6,
                "mono sum kept"
            );
        }
        let (before, after) = (correlation(&x), correlation(&wide));
        // The programme alone is near mono; widened, clearly stereo yet
        // far from out of phase.
        assert!(before > 0.9, "programme correlation {before:.3}");
        assert!(
            (0.2..0.8).contains(&after),
            "widened correlation {after:.3}"
        );
        let peak = wide.iter().fold(0.0f32, |m, s| m.max(s.abs()));
        assert!(peak < 1.0, "no clipping: {peak}");
    }
}
