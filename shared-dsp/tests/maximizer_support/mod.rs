//! Shared by the `maximizer*` tests: seeded stress-set generators, the
//! accurate true-peak reference, an FFT-based ideal reconstruction (for
//! reporting), the ebur128 reading, and block-wise processing helpers.
#![allow(dead_code)]

use shared_dsp::processors::maximizer::{Maximizer, MaximizerSettings};
use std::f64::consts::PI;

#[path = "../support/rng.rs"]
mod rng;
pub use rng::Rng;

pub fn db_to_amp(db: f64) -> f64 {
    10f64.powf(db / 20.0)
}

pub fn amp_to_db(amp: f64) -> f64 {
    20.0 * amp.max(1e-30).log10()
}

/// A stereo signal: planar channels.
pub type Stereo = Vec<Vec<f32>>;

/// Music-like: a bass line, chords of harmonic tones with attack/decay
/// envelopes, and drum-like noise bursts (kick: decaying low sine sweep;
/// snare/hats: decaying noise), different per channel. Peak about 1.0.
pub fn music_like(rng: &mut Rng, rate: f64, seconds: f64) -> Stereo {
    let n = (seconds * rate) as usize;
    let beat = (0.25 * rate) as usize; // 240 bpm sixteenths-ish grid
    let mut out = vec![vec![0.0f64; n]; 2];
    let chord = [110.0, 138.6, 164.8, 220.0];
    let pans = [0.3, 0.7, 0.5, 0.45];
    for (c, ch) in out.iter_mut().enumerate() {
        let mut noise_state = 0.0f64;
        let mut r = Rng::new(rng.next_u64() ^ c as u64);
        for (i, y) in ch.iter_mut().enumerate() {
            let t = i as f64 / rate;
            let pos = i % beat;
            let tb = pos as f64 / rate;
            let bar = i / beat;
            // Bass with harmonics.
            let f_bass = [55.0, 55.0, 73.4, 65.4][bar % 4];
            let bass_env = (-tb * 6.0).exp();
            let mut v = 0.35
                * bass_env
                * ((2.0 * PI * f_bass * t).sin() + 0.3 * (4.0 * PI * f_bass * t).sin());
            // Chord pads with a few harmonics up to ~5 kHz.
            for (k, &f) in chord.iter().enumerate() {
                let pan = if c == 0 { pans[k] } else { 1.0 - pans[k] };
                for h in 1..=6 {
                    v += 0.05 * pan / h as f64 * (2.0 * PI * f * h as f64 * t + k as f64).sin();
                }
            }
            // Kick on every beat: decaying pitch-swept sine.
            let kick_f = 50.0 + 120.0 * (-tb * 40.0).exp();
            v += 0.6 * (-tb * 25.0).exp() * (2.0 * PI * kick_f * tb).sin();
            // Snare / hats: coloured noise bursts on off-beats.
            let white = r.bipolar();
            noise_state = 0.6 * noise_state + 0.4 * white;
            let hat = if bar % 2 == 1 {
                white - noise_state
            } else {
                noise_state
            };
            v += 0.35 * (-tb * 30.0).exp() * hat;
            *y = v;
        }
    }
    normalise(out, 1.0)
}

fn normalise(x: Vec<Vec<f64>>, peak: f64) -> Stereo {
    let max = x
        .iter()
        .flatten()
        .fold(0.0f64, |m, v| m.max(v.abs()))
        .max(1e-12);
    x.into_iter()
        .map(|c| c.into_iter().map(|v| (v * peak / max) as f32).collect())
        .collect()
}

pub fn white_noise(rng: &mut Rng, rate: f64, seconds: f64) -> Stereo {
    let n = (seconds * rate) as usize;
    (0..2)
        .map(|_| (0..n).map(|_| rng.bipolar() as f32).collect())
        .collect()
}

/// Pink noise (Paul Kellet's economy filter), peak 1.0.
pub fn pink_noise(rng: &mut Rng, rate: f64, seconds: f64) -> Stereo {
    let n = (seconds * rate) as usize;
    let x = (0..2)
        .map(|_| {
            let (mut b0, mut b1, mut b2) = (0.0, 0.0, 0.0);
            (0..n)
                .map(|_| {
                    let w = rng.bipolar();
                    b0 = 0.99765 * b0 + w * 0.0990460;
                    b1 = 0.96300 * b1 + w * 0.2965164;
                    b2 = 0.57000 * b2 + w * 1.0526913;
                    b0 + b1 + b2 + w * 0.1848
                })
                .collect()
        })
        .collect();
    normalise(x, 1.0)
}

/// Naive (aliased) square waves at ±1, frequency stepping through
/// 100 Hz, 997 Hz, 4 kHz and 11 kHz, each channel offset in phase.
pub fn squares(rate: f64, seconds: f64) -> Stereo {
    let n = (seconds * rate) as usize;
    let freqs = [100.0, 997.0, 4000.0, 11_000.0];
    (0..2)
        .map(|c| {
            (0..n)
                .map(|i| {
                    let f = freqs[i * freqs.len() / n];
                    let phase = (f * i as f64 / rate + 0.13 * c as f64).fract();
                    if phase < 0.5 {
                        1.0
                    } else {
                        -1.0
                    }
                })
                .collect()
        })
        .collect()
}

/// Logarithmic sine sweep 20 Hz → 20 kHz at 0 dBFS (the right channel a
/// cosine: 90° apart, no discontinuity).
pub fn sweep(rate: f64, seconds: f64) -> Stereo {
    let n = (seconds * rate) as usize;
    let (f0, f1) = (20.0, 20_000.0f64.min(0.49 * rate));
    let k = (f1 / f0).ln();
    let phase = |i: usize| {
        let t = i as f64 / rate;
        2.0 * PI * f0 * seconds / k * ((t / seconds * k).exp() - 1.0)
    };
    vec![
        (0..n).map(|i| phase(i).sin() as f32).collect(),
        (0..n).map(|i| phase(i).cos() as f32).collect(),
    ]
}

/// Already-clipped material: music-like driven 12 dB into a hard clip at ±1.
pub fn pre_clipped(rng: &mut Rng, rate: f64, seconds: f64) -> Stereo {
    music_like(rng, rate, seconds)
        .into_iter()
        .map(|c| c.into_iter().map(|v| (v * 4.0).clamp(-1.0, 1.0)).collect())
        .collect()
}

/// Inter-sample-peak torture: fs/4 sine at 45° (samples ±0.707, true peak
/// 1.0), then 10 ms tone bursts at 0.45·fs (raised-cosine gated, 2 ms
/// edges, so they stay band-limited) at 0 dBFS.
pub fn isp_torture(rate: f64, seconds: f64) -> Stereo {
    let n = (seconds * rate) as usize;
    let f_hi = 0.45 * rate;
    (0..2)
        .map(|c| {
            (0..n)
                .map(|i| {
                    let t = i as f64 / rate;
                    if i < n / 2 {
                        (2.0 * PI * 0.25 * i as f64 + PI / 4.0 + c as f64 * 0.3).sin() as f32
                    } else {
                        let period = (rate * 0.03) as usize;
                        let edge = (rate * 0.002) as usize;
                        let on = (rate * 0.01) as usize;
                        let pos = i % period;
                        let gate = if pos < edge {
                            0.5 - 0.5 * (PI * pos as f64 / edge as f64).cos()
                        } else if pos < on + edge {
                            1.0
                        } else if pos < on + 2 * edge {
                            0.5 + 0.5 * (PI * (pos - on - edge) as f64 / edge as f64).cos()
                        } else {
                            0.0
                        };
                        (gate * (2.0 * PI * f_hi * t + c as f64).sin()) as f32
                    }
                })
                .collect()
        })
        .collect()
}

/// Raised-cosine fade-in and fade-out of `fade_s` seconds, so that a
/// band-limited signal does not gain full-band content at its edges.
pub fn faded(mut x: Stereo, rate: f64, fade_s: f64) -> Stereo {
    let n_fade = (fade_s * rate) as usize;
    for c in x.iter_mut() {
        let len = c.len();
        for i in 0..n_fade.min(len / 2) {
            let w = (0.5 - 0.5 * (PI * i as f64 / n_fade as f64).cos()) as f32;
            c[i] *= w;
            c[len - 1 - i] *= w;
        }
    }
    x
}

/// Fade of every stress signal, s.
pub const STRESS_FADE_S: f64 = 0.005;

/// The stress set: (name, signal, band-limited to the audio band?). Full-band
/// signals carry content up to Nyquist, which no finite-latency detector
/// reads exactly (see `maximizer_true_peak.rs`). Each is faded in and out
/// over [`STRESS_FADE_S`].
pub fn stress_set(rate: f64, seconds: f64, seed: u64) -> Vec<(&'static str, Stereo, bool)> {
    let mut rng = Rng::new(seed);
    let set = vec![
        ("music", music_like(&mut rng, rate, seconds), false),
        ("white", white_noise(&mut rng, rate, seconds), false),
        ("pink", pink_noise(&mut rng, rate, seconds), false),
        ("square", squares(rate, seconds), false),
        ("sweep", sweep(rate, seconds), true),
        ("clipped", pre_clipped(&mut rng, rate, seconds), false),
        ("isp", isp_torture(rate, seconds), true),
    ];
    set.into_iter()
        .map(|(name, x, band)| (name, faded(x, rate, STRESS_FADE_S), band))
        .collect()
}

/// Appends `extra` zeros to every channel (to flush the latency out).
pub fn with_tail(x: &Stereo, extra: usize) -> Stereo {
    x.iter()
        .map(|c| {
            let mut v = c.clone();
            v.resize(c.len() + extra, 0.0);
            v
        })
        .collect()
}

/// Processes a copy of `input` in blocks whose sizes `next_size` returns.
pub fn process_blocks(
    maximizer: &mut Maximizer,
    input: &Stereo,
    mut next_size: impl FnMut() -> usize,
) -> Stereo {
    let mut out = input.clone();
    let len = out[0].len();
    let mut pos = 0;
    while pos < len {
        let n = next_size().min(len - pos).max(1);
        let (l, r) = out.split_at_mut(1);
        let mut block: Vec<&mut [f32]> = vec![&mut l[0][pos..pos + n]];
        if let Some(r) = r.first_mut() {
            block.push(&mut r[pos..pos + n]);
        }
        maximizer.process(&mut block);
        pos += n;
    }
    out
}

/// A fresh maximizer with `settings`, run over `input` in one-size blocks.
pub fn run(rate: f64, settings: &MaximizerSettings, input: &Stereo, block: usize) -> Stereo {
    let mut m = Maximizer::new(rate, input.len());
    m.set_settings(settings);
    process_blocks(&mut m, input, || block)
}

/// Largest BS.1770 true peak over channels by the `ebur128` crate, dBTP.
pub fn ebur128_true_peak_db(x: &Stereo, rate: f64) -> f64 {
    use ebur128::{EbuR128, Mode};
    let mut meter = EbuR128::new(x.len() as u32, rate as u32, Mode::TRUE_PEAK).unwrap();
    let planar: Vec<&[f32]> = x.iter().map(|c| c.as_slice()).collect();
    meter.add_frames_planar_f32(&planar).unwrap();
    let peak = (0..x.len() as u32)
        .map(|c| meter.true_peak(c).unwrap())
        .fold(0.0f64, f64::max);
    amp_to_db(peak)
}

/// Kaiser-windowed sinc Nyquist interpolator branches in f64 (same family
/// as `shared_dsp::primitives::oversampling`, independent code): `factor` branches of
/// `taps` taps, newest sample last.
fn kaiser_branches(factor: usize, taps: usize, attenuation_db: f64) -> Vec<Vec<f64>> {
    fn i0(x: f64) -> f64 {
        let (mut term, mut sum) = (1.0, 1.0);
        for k in 1..200 {
            term *= (0.5 * x / k as f64).powi(2);
            sum += term;
            if term < 1e-17 * sum {
                break;
            }
        }
        sum
    }
    let beta = 0.1102 * (attenuation_db - 8.7);
    let len = taps * factor + 1;
    let center = (taps / 2 * factor) as f64;
    let h: Vec<f64> = (0..len)
        .map(|j| {
            let off = j as f64 - center;
            let r = off / center;
            let w = i0(beta * (1.0 - r * r).max(0.0).sqrt()) / i0(beta);
            let x = off / factor as f64;
            let sinc = if x == 0.0 {
                1.0
            } else {
                (PI * x).sin() / (PI * x)
            };
            sinc * w
        })
        .collect();
    (0..factor)
        .map(|p| {
            let b: Vec<f64> = (0..taps).map(|k| h[p + k * factor]).collect();
            let sum: f64 = b.iter().sum();
            // Oldest-first so output[n·L + p] = Σ b[k]·x[n − taps + 1 + k].
            b.iter().rev().map(|v| v / sum).collect()
        })
        .collect()
}

fn upsample_f64(x: &[f64], factor: usize, taps: usize, attenuation_db: f64) -> Vec<f64> {
    let branches = kaiser_branches(factor, taps, attenuation_db);
    // Zero-pad so the whole response (both tails) is evaluated.
    let pad = taps;
    let mut padded = vec![0.0; pad];
    padded.extend_from_slice(x);
    padded.extend(std::iter::repeat_n(0.0, pad));
    let mut out = vec![0.0; (padded.len() - taps + 1) * factor];
    for n in 0..padded.len() - taps + 1 {
        let window = &padded[n..n + taps];
        for (p, b) in branches.iter().enumerate() {
            out[n * factor + p] = b.iter().zip(window).map(|(c, v)| c * v).sum();
        }
    }
    out
}

/// Largest magnitude of an oversampled stream, each local maximum refined
/// with a parabola through it and its neighbours.
fn refined_max(y: &[f64]) -> f64 {
    let mut peak = y.iter().fold(0.0f64, |m, v| m.max(v.abs()));
    for w in y.windows(3) {
        let (a, b, c) = (w[0], w[1], w[2]);
        let s = b.signum();
        let (a, b, c) = (a * s, b * s, c * s);
        if b >= a.abs() && b >= c.abs() && 2.0 * b - a - c > 0.0 {
            peak = peak.max(b + (a - c).powi(2) / (8.0 * (2.0 * b - a - c)));
        }
    }
    peak
}

/// Accurate true-peak reference, dBTP: 2× with 384 taps per branch at
/// 140 dB (pass band to ≈ 0.488·fs), then 8× with 24 taps at 140 dB, then
/// parabolic refinement of the 16× stream (grid error < 0.001 dB): a
/// reconstruction accurate to ±0.001 dB for content up to 0.488·fs (21.5 kHz
/// at 44.1 kHz). f64 throughout, independent of the code under test.
pub fn reference_true_peak_db(x: &Stereo) -> f64 {
    x.iter()
        .map(|c| {
            let v: Vec<f64> = c.iter().map(|&s| f64::from(s)).collect();
            let twice = upsample_f64(&v, 2, 384, 140.0);
            let fine = upsample_f64(&twice, 8, 24, 140.0);
            amp_to_db(refined_max(&fine))
        })
        .fold(f64::NEG_INFINITY, f64::max)
}

/// In-place iterative radix-2 complex FFT (sign −1 forward, +1 inverse,
/// unnormalised). `re.len()` must be a power of two.
fn fft(re: &mut [f64], im: &mut [f64], sign: f64) {
    let n = re.len();
    let mut j = 0;
    for i in 1..n {
        let mut bit = n >> 1;
        while j & bit != 0 {
            j ^= bit;
            bit >>= 1;
        }
        j |= bit;
        if i < j {
            re.swap(i, j);
            im.swap(i, j);
        }
    }
    let mut len = 2;
    while len <= n {
        let ang = sign * 2.0 * PI / len as f64;
        for start in (0..n).step_by(len) {
            for k in 0..len / 2 {
                let (s, c) = (ang * k as f64).sin_cos();
                let (a, b) = (start + k, start + k + len / 2);
                let tr = re[b] * c - im[b] * s;
                let ti = re[b] * s + im[b] * c;
                re[b] = re[a] - tr;
                im[b] = im[a] - ti;
                re[a] += tr;
                im[a] += ti;
            }
        }
        len <<= 1;
    }
}

/// Ideal (brick-wall, periodic sinc) reconstruction peak, dBTP: zero-padded
/// FFT interpolation by 16 with parabolic refinement. Reads content right up
/// to Nyquist, where any finite interpolator (and any DAC) rolls off; used
/// for reporting only.
pub fn ideal_true_peak_db(x: &Stereo) -> f64 {
    const FACTOR: usize = 16;
    x.iter()
        .map(|c| {
            let n = (c.len() * 2).next_power_of_two();
            let mut re = vec![0.0; n];
            let mut im = vec![0.0; n];
            for (r, &v) in re.iter_mut().zip(c) {
                *r = f64::from(v);
            }
            fft(&mut re, &mut im, -1.0);
            let m = n * FACTOR;
            let mut re2 = vec![0.0; m];
            let mut im2 = vec![0.0; m];
            for k in 0..n / 2 {
                re2[k] = re[k];
                im2[k] = im[k];
                if k > 0 {
                    re2[m - k] = re[n - k];
                    im2[m - k] = im[n - k];
                }
            }
            re2[n / 2] = 0.5 * re[n / 2];
            re2[m - n / 2] = 0.5 * re[n / 2];
            fft(&mut re2, &mut im2, 1.0);
            let y: Vec<f64> = re2.iter().map(|v| v / n as f64).collect();
            amp_to_db(refined_max(&y))
        })
        .fold(f64::NEG_INFINITY, f64::max)
}
