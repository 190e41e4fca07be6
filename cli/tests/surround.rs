//! `lathe measure` on 5.0, 5.1 and 7.1 files: the BS.1770-4 channel weights
//! (Table 3: L, R, C 1.0; surrounds at 60°–120° 1.41; the 7.1 rears at
//! 135°–150° 1.0; LFE excluded), the channel order from the WAV channel mask
//! or the documented default order, and EBU Tech 3341 case 6. Truth: the
//! BS.1770-4 formula evaluated on the signal levels, and the `ebur128` crate
//! (libebur128's default 5.0/5.1 channel map, and its ±90°/±135° channels
//! for 7.1).

mod common;

use std::path::{Path, PathBuf};

use common::*;
use serde_json::Value;

const RATE: u32 = 48_000;
/// EBU Tech 3341 Table 1 tolerance for I, LU.
const EBU_TOLERANCE_LU: f64 = 0.1;
/// Integrated and max momentary vs `ebur128`, LU (as in `measure.rs`).
const LOUDNESS_TOLERANCE_LU: f64 = 0.05;
/// Two readings of the same weighted energy: only JSON rounding (0.001) differs.
const SAME_READING_LU: f64 = 0.0015;
/// BS.1770-4 Table 3 weight of a surround channel at 60°–120° (linear, on energy).
const SURROUND_WEIGHT: f64 = 1.41;
/// BS.1770-4 Table 3 weight of every other channel: fronts and the 7.1 rears.
const OTHER_WEIGHT: f64 = 1.0;
/// Level of the 1 kHz test tones, dBFS peak.
const TONE_DBFS: f64 = -20.0;
/// Loudness of a 1 kHz sine of peak level `A` dBFS on one front channel:
/// `A − 10·log10(2)` LUFS (mean square a²/2; BS.1770-4's −0.691 dB offset
/// cancels the K-weighting gain at 1 kHz to a few thousandths of a dB).
const SINE_MEAN_SQUARE_DB: f64 = -3.0103;

/// WAV channel masks (`SPEAKER_*` bits, ascending = file order).
const MASK_5_0: u32 = 0x607; // L R C SL SR
const MASK_5_1: u32 = 0x60F; // L R C LFE SL SR
const MASK_5_1_BACK: u32 = 0x3F; // L R C LFE BL BR
const MASK_7_1: u32 = 0x63F; // L R C LFE BL BR SL SR
/// L R LFE BL BR: the third channel is the LFE, where the 5-channel default puts C.
const MASK_4_1: u32 = 0x3B;
/// L R BL BR SL SR: the fourth channel is a surround, where the 5.1 default puts the LFE.
const MASK_6_0: u32 = 0x633;

/// BS.1770-4 loudness of 1 kHz sines at `levels_dbfs[c]` peak on channels
/// of weights `weights[c]`: `10·log10(Σ G_c · 10^((A_c − 3.01)/10))` LUFS.
fn predicted_lufs(levels_dbfs: &[Option<f64>], weights: &[f64]) -> f64 {
    let energy: f64 = levels_dbfs
        .iter()
        .zip(weights)
        .filter_map(|(level, weight)| {
            level.map(|a| weight * 10f64.powf((a + SINE_MEAN_SQUARE_DB) / 10.0))
        })
        .sum();
    10.0 * energy.log10()
}

/// 1 kHz sines at `levels_dbfs[c]` (silence for `None`), `duration_s` long.
fn tones(levels_dbfs: &[Option<f64>], duration_s: f64) -> Signal {
    let planar = levels_dbfs
        .iter()
        .map(|level| match level {
            Some(a) => sine(RATE, 1_000.0, *a, duration_s),
            None => silence(RATE, duration_s),
        })
        .collect();
    Signal::new(RATE, SampleFormat::Int24, planar)
}

fn write(dir: &Path, name: &str, signal: &Signal, speakers: Speakers) -> PathBuf {
    let path = dir.join(name);
    signal.write_wav_with_speakers(&path, speakers);
    path
}

fn measure_one(path: &Path) -> Value {
    measure_json(&[path.to_path_buf()], &[]).remove(0)
}

fn channel_order(report: &Value) -> Vec<String> {
    report["channel_order"]
        .as_array()
        .expect("channel_order")
        .iter()
        .map(|name| name.as_str().expect("a name").to_owned())
        .collect()
}

/// EBU Tech 3341 (2016) case 6: a 5.0 file of 1 kHz sines, L and R at
/// −28 dBFS, C at −24 dBFS, Ls and Rs at −30 dBFS, must read −23.0 ± 0.1 LUFS.
/// From the weights: L, R give −31.01 LUFS each, C −27.01, Ls, Rs
/// −33.01 + 1.49 = −31.52 each; their energies sum to −23.02 LUFS. Read with
/// no mask (the 5-channel default order), a plain header, and an explicit
/// 5.0 mask.
#[test]
fn ebu3341_case6_five_channel_sines_read_minus_23() {
    let levels = [
        Some(-28.0),
        Some(-28.0),
        Some(-24.0),
        Some(-30.0),
        Some(-30.0),
    ];
    let weights = [1.0, 1.0, 1.0, SURROUND_WEIGHT, SURROUND_WEIGHT];
    let predicted = predicted_lufs(&levels, &weights);
    assert!(
        (predicted + 23.0).abs() < EBU_TOLERANCE_LU,
        "the levels give {predicted}"
    );
    let dir = tempfile::tempdir().unwrap();
    let signal = tones(&levels, 20.0);
    for (name, speakers) in [
        ("case6 no mask.wav", Speakers::NoMask),
        ("case6 zero mask.wav", Speakers::Mask(0)),
        ("case6 5.0 mask.wav", Speakers::Mask(MASK_5_0)),
    ] {
        let report = measure_one(&write(dir.path(), name, &signal, speakers));
        assert_eq!(report["channels"], 5);
        assert_eq!(
            channel_order(&report),
            ["L", "R", "C", "Ls", "Rs"],
            "{name}"
        );
        let integrated = opt_f64(&report, "integrated_lufs").unwrap();
        assert!(
            (integrated + 23.0).abs() <= EBU_TOLERANCE_LU,
            "{name}: {integrated} LUFS"
        );
        assert_close(name, Some(integrated), Some(predicted), 0.01);
        let expected_mask = match speakers {
            Speakers::Mask(MASK_5_0) => Value::from(MASK_5_0),
            _ => Value::Null,
        };
        assert_eq!(report["channel_mask"], expected_mask, "{name}");
    }
}

/// 5.1 with a loud tone on the LFE: the loudness readings are those of the
/// same file with a silent LFE; the true peak (over all channels) is the
/// LFE's.
#[test]
fn a_loud_lfe_does_not_change_the_loudness_of_5_1() {
    const LFE_DBFS: f64 = -1.0;
    let dir = tempfile::tempdir().unwrap();
    let duration_s = 6.0;
    let programme = |seed: u64| lowpass(&noise(RATE, -18.0, duration_s, seed), RATE, 6_000.0, 2);
    let mut planar: Vec<Vec<f64>> = (0..6).map(|c| programme(c + 1)).collect();
    planar[3] = silence(RATE, duration_s);
    let quiet_lfe = Signal::new(RATE, SampleFormat::Int24, planar.clone());
    planar[3] = sine(RATE, 60.0, LFE_DBFS, duration_s);
    let loud_lfe = Signal::new(RATE, SampleFormat::Int24, planar);
    let reference = reference(&quiet_lfe);
    for (tag, speakers) in [
        ("no mask", Speakers::NoMask),
        ("side mask", Speakers::Mask(MASK_5_1)),
        ("back mask", Speakers::Mask(MASK_5_1_BACK)),
    ] {
        let quiet = measure_one(&write(
            dir.path(),
            &format!("quiet {tag}.wav"),
            &quiet_lfe,
            speakers,
        ));
        let loud = measure_one(&write(
            dir.path(),
            &format!("loud {tag}.wav"),
            &loud_lfe,
            speakers,
        ));
        assert_eq!(
            channel_order(&loud),
            ["L", "R", "C", "LFE", "Ls", "Rs"],
            "{tag}"
        );
        for key in [
            "integrated_lufs",
            "max_momentary_lufs",
            "max_short_term_lufs",
            "lra_lu",
        ] {
            assert_close(
                &format!("{tag} {key}"),
                opt_f64(&loud, key),
                opt_f64(&quiet, key),
                SAME_READING_LU,
            );
        }
        // libebur128's default 5.1 map (L R C unused Ls Rs) on the same samples.
        for (key, expected) in [
            ("integrated_lufs", reference.integrated_lufs),
            ("max_momentary_lufs", reference.max_momentary_lufs),
            ("max_short_term_lufs", reference.max_short_term_lufs),
        ] {
            assert_close(
                &format!("{tag} {key} vs ebur128"),
                opt_f64(&loud, key),
                expected,
                LOUDNESS_TOLERANCE_LU,
            );
        }
        let peak = opt_f64(&loud, "true_peak_dbtp").unwrap();
        assert!(
            (peak - LFE_DBFS).abs() < 0.05,
            "{tag}: true peak {peak} is the LFE's"
        );
        assert!(opt_f64(&quiet, "true_peak_dbtp").unwrap() < LFE_DBFS - 3.0);
    }
}

/// 7.1: a tone on one channel at a time reads the tone's front-channel
/// loudness on L, R and C and on the two rear surrounds (BS.1770-4 Table 3:
/// 1.0 outside 60°–120°), nothing on the LFE, and +1.49 dB (weight 1.41) on
/// the two side surrounds; with the WAV 7.1 mask and without a mask (the
/// same FLAC / WAV order: back pair, then side pair).
#[test]
fn seven_one_weights_each_channel() {
    let dir = tempfile::tempdir().unwrap();
    let front = TONE_DBFS + SINE_MEAN_SQUARE_DB;
    let surround = front + 10.0 * SURROUND_WEIGHT.log10();
    let rear = front + 10.0 * OTHER_WEIGHT.log10();
    let order = ["L", "R", "C", "LFE", "Lrs", "Rrs", "Ls", "Rs"];
    for speakers in [Speakers::NoMask, Speakers::Mask(MASK_7_1)] {
        let mut paths = Vec::new();
        for channel in 0..8 {
            let mut levels = [None; 8];
            levels[channel] = Some(TONE_DBFS);
            let signal = tones(&levels, 1.0);
            paths.push(write(
                dir.path(),
                &format!("7.1 {speakers:?} ch{channel}.wav"),
                &signal,
                speakers,
            ));
        }
        let reports = measure_json(&paths, &[]);
        for (channel, report) in reports.iter().enumerate() {
            assert_eq!(channel_order(report), order, "{speakers:?}");
            let expected = match order[channel] {
                "LFE" => None,
                "L" | "R" | "C" => Some(front),
                "Lrs" | "Rrs" => Some(rear),
                _ => Some(surround),
            };
            assert_close(
                &format!("{speakers:?} channel {channel} ({})", order[channel]),
                opt_f64(report, "integrated_lufs"),
                expected,
                0.01,
            );
            // The true peak counts every channel, the LFE too.
            assert_close(
                "true peak",
                opt_f64(report, "true_peak_dbtp"),
                Some(TONE_DBFS),
                0.05,
            );
        }
    }
}

/// A 7.1 file with different levels on every channel, the rears loudest, as
/// libebur128 weighs it with the 7.1 speakers named (L R C, LFE unused, rears
/// at ±135°, sides at ±90°): the same integrated, max momentary and max
/// short-term loudness, and the BS.1770-4 formula's value.
#[test]
fn seven_one_agrees_with_libebur128_speaker_positions() {
    use ebur128::Channel;
    let dir = tempfile::tempdir().unwrap();
    // File order L R C LFE Lrs Rrs Ls Rs (mask 0x63F).
    let levels = [
        Some(-30.0),
        Some(-31.0),
        Some(-29.0),
        Some(-20.0),
        Some(-18.0),
        Some(-19.0),
        Some(-32.0),
        Some(-33.0),
    ];
    let weights = [
        OTHER_WEIGHT,
        OTHER_WEIGHT,
        OTHER_WEIGHT,
        0.0,
        OTHER_WEIGHT,
        OTHER_WEIGHT,
        SURROUND_WEIGHT,
        SURROUND_WEIGHT,
    ];
    let speakers = [
        Channel::Left,
        Channel::Right,
        Channel::Center,
        Channel::Unused,
        Channel::Mp135,
        Channel::Mm135,
        Channel::Mp090,
        Channel::Mm090,
    ];
    let signal = tones(&levels, 5.0);
    let reference = reference_with_channels(&signal, Some(&speakers));
    let predicted = predicted_lufs(&levels, &weights);
    // The old weighting (every surround 1.41) would read this much higher:
    // the test tells the two apart.
    let all_surrounds = predicted_lufs(
        &levels,
        &[
            1.0,
            1.0,
            1.0,
            0.0,
            SURROUND_WEIGHT,
            SURROUND_WEIGHT,
            SURROUND_WEIGHT,
            SURROUND_WEIGHT,
        ],
    );
    assert!(
        all_surrounds - predicted > 0.8,
        "{all_surrounds} vs {predicted}"
    );
    for speakers_in_file in [Speakers::Mask(MASK_7_1), Speakers::NoMask] {
        let report = measure_one(&write(
            dir.path(),
            &format!("7.1 levels {speakers_in_file:?}.wav"),
            &signal,
            speakers_in_file,
        ));
        let tag = format!("{speakers_in_file:?}");
        assert_close(
            &format!("{tag} integrated vs BS.1770-4"),
            opt_f64(&report, "integrated_lufs"),
            Some(predicted),
            0.01,
        );
        for (key, expected) in [
            ("integrated_lufs", reference.integrated_lufs),
            ("max_momentary_lufs", reference.max_momentary_lufs),
            ("max_short_term_lufs", reference.max_short_term_lufs),
        ] {
            assert_close(
                &format!("{tag} {key} vs ebur128"),
                opt_f64(&report, key),
                expected,
                LOUDNESS_TOLERANCE_LU,
            );
        }
    }
}

/// 5.1 with the back pair (mask 0x3F, the older WAV 5.1): back L/R are the
/// 5.1 surrounds at ±110° and weigh 1.41, as with the side pair (0x60F).
#[test]
fn five_one_back_pair_are_surrounds() {
    let dir = tempfile::tempdir().unwrap();
    let surround = TONE_DBFS + SINE_MEAN_SQUARE_DB + 10.0 * SURROUND_WEIGHT.log10();
    for mask in [MASK_5_1_BACK, MASK_5_1] {
        for channel in [4, 5] {
            let mut levels = [None; 6];
            levels[channel] = Some(TONE_DBFS);
            let report = measure_one(&write(
                dir.path(),
                &format!("5.1 {mask:x} ch{channel}.wav"),
                &tones(&levels, 1.0),
                Speakers::Mask(mask),
            ));
            assert_close(
                &format!("{mask:#x} channel {channel}"),
                opt_f64(&report, "integrated_lufs"),
                Some(surround),
                0.01,
            );
        }
    }
}

/// A mask that orders the channels differently from the default order is
/// followed: the channel the default calls C is the LFE of a 4.1 mask, the
/// channel the 5.1 default calls LFE a rear surround (weight 1.0) of a 6.0
/// mask (back L/R beside side L/R are rears).
#[test]
fn the_channel_mask_overrides_the_default_order() {
    let dir = tempfile::tempdir().unwrap();
    let front = TONE_DBFS + SINE_MEAN_SQUARE_DB;
    // (channels, the one with the tone, mask, order by the mask, reading by
    // the mask, reading by the default order)
    let cases = [
        (
            5,
            2,
            MASK_4_1,
            vec!["L", "R", "LFE", "Ls", "Rs"],
            None,
            Some(front),
        ),
        (
            6,
            3,
            MASK_6_0,
            vec!["L", "R", "Lrs", "Rrs", "Ls", "Rs"],
            Some(front), // a rear: 1.0
            None,
        ),
    ];
    for (channels, tone_at, mask, order, by_mask, by_default) in cases {
        let mut levels = vec![None; channels];
        levels[tone_at] = Some(TONE_DBFS);
        let signal = tones(&levels, 1.0);
        let masked = measure_one(&write(
            dir.path(),
            &format!("{mask:x}.wav"),
            &signal,
            Speakers::Mask(mask),
        ));
        let plain = measure_one(&write(
            dir.path(),
            &format!("{mask:x} plain.wav"),
            &signal,
            Speakers::NoMask,
        ));
        assert_eq!(channel_order(&masked), order);
        assert_eq!(masked["channel_mask"], mask);
        assert_close(
            &format!("{mask:#x} by mask"),
            opt_f64(&masked, "integrated_lufs"),
            by_mask,
            0.01,
        );
        assert_close(
            &format!("{mask:#x} by default"),
            opt_f64(&plain, "integrated_lufs"),
            by_default,
            0.01,
        );
    }
}

/// The human report names the speakers and where their order came from.
#[test]
fn the_human_report_names_the_channel_order() {
    let dir = tempfile::tempdir().unwrap();
    let signal = tones(&[Some(TONE_DBFS); 6], 1.0);
    let masked = write(dir.path(), "masked.wav", &signal, Speakers::Mask(MASK_5_1));
    let plain = write(dir.path(), "plain.wav", &signal, Speakers::NoMask);
    let output = run_lathe(["measure".as_ref(), masked.as_os_str(), plain.as_os_str()]);
    assert!(output.status.success());
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(
        text.contains("6 (L R C LFE Ls Rs; channel mask 0x60f)"),
        "{text}"
    );
    assert!(
        text.contains("6 (L R C LFE Ls Rs; default order, no channel mask)"),
        "{text}"
    );
}

/// Files whose speakers cannot be known or weighed are clear errors, and
/// `lathe master` refuses surround.
#[test]
fn unknown_layouts_are_clear_errors_and_master_refuses_surround() {
    let dir = tempfile::tempdir().unwrap();
    let quad = tones(&[Some(TONE_DBFS); 4], 0.5);
    let nine = tones(&[Some(TONE_DBFS); 9], 0.5);
    let six = tones(&[Some(TONE_DBFS); 6], 0.5);
    let cases = [
        (
            write(dir.path(), "quad no mask.wav", &quad, Speakers::NoMask),
            "a 4-channel file without a channel mask: its speaker order is unknown",
        ),
        (
            write(dir.path(), "nine.wav", &nine, Speakers::Mask(0x1FF)),
            "9-channel files are not supported (at most 8, 7.1)",
        ),
        (
            // Top front left/right instead of the surrounds.
            write(dir.path(), "height.wav", &six, Speakers::Mask(0x500F)),
            "the WAV channel mask 0x500f names speakers that cannot be weighed",
        ),
        (
            write(dir.path(), "miscounted.wav", &six, Speakers::Mask(0x1F)),
            "corrupt audio data: the WAV channel mask 0x1f names 5 speakers for 6 channels",
        ),
    ];
    for (path, reason) in &cases {
        let output = run_lathe(["measure".as_ref(), path.as_os_str()]);
        assert_eq!(output.status.code(), Some(1), "{path:?}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            stderr.contains(&format!(
                "lathe: cannot read {:?}: {reason}",
                path.to_string_lossy()
            )),
            "{stderr}"
        );
    }
    let surround = write(dir.path(), "5.1.wav", &six, Speakers::Mask(MASK_5_1));
    let out = dir.path().join("master.wav");
    let output = run_lathe([
        "master".as_ref(),
        surround.as_os_str(),
        "-o".as_ref(),
        out.as_os_str(),
    ]);
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("lathe master takes mono and stereo files; this one has 6 channels"),
        "{stderr}"
    );
    assert!(!out.exists());
}
