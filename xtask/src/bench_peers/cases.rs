//! What the peer benchmark runs: each group is one job done by Lathe and by
//! the open peers, set up to do the same work.
//!
//! The settings, shared by everyone in a group:
//! - **EQ**: four bells, +3 dB, Q 1, at 100, 250, 625 and 1562.5 Hz
//!   (×2.5 apart); nothing else on.
//! - **Compressor**: threshold −18 dBFS, ratio 4:1, attack 10 ms, release
//!   100 ms, stereo-linked, peak detection where there is a choice.
//! - **Limiter**: +6 dB into a −1 dB ceiling (true peak where the processor
//!   offers it, 4× oversampled where it has a choice).
//! - **Loudness**: momentary, short-term, integrated, LRA and 4× true peak.
//!
//! LSP takes gains as linear factors, so its dB settings are converted with
//! [`db_to_gain`]. x42 darc's `Ratio` port is "the amount of gain or
//! attenuation to be applied (dB/dB above threshold)" (its `darc.ttl`), so
//! a 4:1 ratio is 1 − 1/4 = 0.75 there; darc always applies its automatic
//! make-up gain.

/// One timed command.
pub struct Case {
    /// Group the case is compared within (one of [`GROUPS`]).
    pub group: &'static str,
    /// What the table calls it.
    pub name: String,
    /// `true` for Lathe's own processors.
    pub ours: bool,
    /// Program and arguments; `{in}` and `{out}` are replaced by the
    /// programme's and a scratch output's path.
    pub argv: Vec<String>,
}

/// The groups, in table order, each with what it measures.
pub const GROUPS: [(&str, &str); 6] = [
    ("eq", "4-bell parametric EQ"),
    ("compressor", "compressor"),
    ("limiter", "true-peak limiter, 4×"),
    ("loudness", "loudness analysis with 4× true peak"),
    ("strip", "Channel Strip (no open peer)"),
    (
        "stereo",
        "stereo imager / bus glue (no open peer in this run)",
    ),
];

/// EQ bell centres, Hz.
const EQ_BELLS_HZ: [f64; 4] = [100.0, 250.0, 625.0, 1562.5];
/// EQ bell gain, dB.
const EQ_GAIN_DB: f64 = 3.0;
/// Compressor threshold, dBFS.
const COMP_THRESHOLD_DB: f64 = -18.0;
/// Compressor ratio.
const COMP_RATIO: f64 = 4.0;
/// Compressor attack, ms.
const COMP_ATTACK_MS: f64 = 10.0;
/// Compressor release, ms.
const COMP_RELEASE_MS: f64 = 100.0;
/// Limiter input gain, dB.
const LIMITER_GAIN_DB: f64 = 6.0;
/// Limiter ceiling, dB (dBTP for true-peak limiters).
const LIMITER_CEILING_DB: f64 = -1.0;

/// dB to a linear gain factor.
pub fn db_to_gain(db: f64) -> f64 {
    10f64.powf(db / 20.0)
}

fn args(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| (*s).to_owned()).collect()
}

fn lathe_process(lathe: &str, plugin_sets: &[(&str, Vec<String>)]) -> Vec<String> {
    let mut argv = args(&[lathe, "process", "{in}", "-o", "{out}", "--force"]);
    for (plugin, sets) in plugin_sets {
        argv.push("--plugin".into());
        argv.push((*plugin).into());
        for set in sets {
            argv.push("--set".into());
            argv.push(set.clone());
        }
    }
    argv
}

fn lv2(host: &str, uri: &str, ports: &[(String, f64)]) -> Vec<String> {
    let mut argv = args(&[host, "-i", "{in}", "-o", "{out}", uri]);
    argv.extend(
        ports
            .iter()
            .map(|(symbol, value)| format!("{symbol}={value}")),
    );
    argv
}

fn ffmpeg_filter(filter: &str) -> Vec<String> {
    args(&[
        "ffmpeg",
        "-nostdin",
        "-v",
        "error",
        "-y",
        "-i",
        "{in}",
        "-af",
        filter,
        "-c:a",
        "pcm_f32le",
        "{out}",
    ])
}

/// The strip's four bells, as `--set` values.
fn strip_eq_sets() -> Vec<String> {
    let mut sets = Vec::new();
    for (i, freq) in EQ_BELLS_HZ.iter().enumerate() {
        let band = i + 1;
        sets.push(format!("eq_on_{band}=true"));
        sets.push(format!("eq_type_{band}=bell"));
        sets.push(format!("eq_freq_{band}={freq}"));
        sets.push(format!("eq_gain_{band}={EQ_GAIN_DB}"));
        sets.push(format!("eq_q_{band}=1"));
    }
    sets
}

fn strip_comp_sets() -> Vec<String> {
    vec![
        "comp_on=true".into(),
        format!("comp_thr={COMP_THRESHOLD_DB}"),
        format!("comp_ratio={COMP_RATIO}"),
        format!("comp_attack={COMP_ATTACK_MS}"),
        format!("comp_release={COMP_RELEASE_MS}"),
        "comp_detect=peak".into(),
    ]
}

/// Every case, `lathe` and the helpers at the given paths.
pub fn all(lathe: &str, lv2host: &str, ebur128: &str) -> Vec<Case> {
    let mut cases = Vec::new();
    let mut add = |group, name: &str, ours, argv| {
        cases.push(Case {
            group,
            name: name.to_owned(),
            ours,
            argv,
        });
    };

    // EQ
    add(
        "eq",
        "Lathe Channel Strip, EQ only",
        true,
        lathe_process(lathe, &[("channel-strip", strip_eq_sets())]),
    );
    let mut lsp_eq = vec![("mode".to_owned(), 0.0)];
    for (i, freq) in EQ_BELLS_HZ.iter().enumerate() {
        lsp_eq.push((format!("ft_{i}"), 1.0)); // Bell
        lsp_eq.push((format!("fm_{i}"), 0.0)); // RLC, bilinear transform
        lsp_eq.push((format!("f_{i}"), *freq));
        lsp_eq.push((format!("g_{i}"), db_to_gain(EQ_GAIN_DB)));
        lsp_eq.push((format!("q_{i}"), 1.0));
    }
    add(
        "eq",
        "LSP Parametric EQ x16 stereo (IIR)",
        false,
        lv2(
            lv2host,
            "http://lsp-plug.in/plugins/lv2/para_equalizer_x16_stereo",
            &lsp_eq,
        ),
    );
    let mut fil4 = vec![("LSsec".to_owned(), 0.0), ("HSsec".to_owned(), 0.0)];
    for (i, freq) in EQ_BELLS_HZ.iter().enumerate() {
        let band = i + 1;
        fil4.push((format!("sec{band}"), 1.0));
        fil4.push((format!("freq{band}"), *freq));
        fil4.push((format!("q{band}"), 1.0));
        fil4.push((format!("gain{band}"), EQ_GAIN_DB));
    }
    add(
        "eq",
        "x42 fil4 stereo",
        false,
        lv2(lv2host, "http://gareus.org/oss/lv2/fil4#stereo", &fil4),
    );
    let ff_eq: Vec<String> = EQ_BELLS_HZ
        .iter()
        .map(|f| format!("equalizer=f={f}:t=q:w=1:g={EQ_GAIN_DB}"))
        .collect();
    add(
        "eq",
        "ffmpeg equalizer ×4",
        false,
        ffmpeg_filter(&ff_eq.join(",")),
    );

    // Compressor
    add(
        "compressor",
        "Lathe Channel Strip, compressor only",
        true,
        lathe_process(lathe, &[("channel-strip", strip_comp_sets())]),
    );
    add(
        "compressor",
        "Lathe Bus Glue",
        true,
        lathe_process(
            lathe,
            &[(
                "bus-glue",
                vec![
                    format!("threshold={COMP_THRESHOLD_DB}"),
                    format!("ratio={COMP_RATIO}"),
                    format!("attack={COMP_ATTACK_MS}"),
                    format!("release={COMP_RELEASE_MS}"),
                ],
            )],
        ),
    );
    add(
        "compressor",
        "x42 darc stereo",
        false,
        lv2(
            lv2host,
            "http://gareus.org/oss/lv2/darc#stereo",
            &[
                ("threshold".into(), COMP_THRESHOLD_DB),
                ("Ratio".into(), 1.0 - 1.0 / COMP_RATIO),
                ("attack".into(), COMP_ATTACK_MS / 1000.0),
                ("release".into(), COMP_RELEASE_MS / 1000.0),
            ],
        ),
    );
    add(
        "compressor",
        "LSP Compressor stereo",
        false,
        lv2(
            lv2host,
            "http://lsp-plug.in/plugins/lv2/compressor_stereo",
            &[
                ("al".into(), db_to_gain(COMP_THRESHOLD_DB)),
                ("cr".into(), COMP_RATIO),
                ("at".into(), COMP_ATTACK_MS),
                ("rt".into(), COMP_RELEASE_MS),
                ("scm".into(), 0.0), // Peak
            ],
        ),
    );
    add("compressor", "ffmpeg acompressor", false, ffmpeg_filter(&format!(
        "acompressor=threshold={}:ratio={COMP_RATIO}:attack={COMP_ATTACK_MS}:release={COMP_RELEASE_MS}:detection=peak",
        db_to_gain(COMP_THRESHOLD_DB)
    )));

    // Limiter
    add(
        "limiter",
        "Lathe Maximizer, 4× true peak",
        true,
        lathe_process(
            lathe,
            &[(
                "maximizer",
                vec![
                    format!("input_gain={LIMITER_GAIN_DB}"),
                    format!("ceiling={LIMITER_CEILING_DB}"),
                    "oversampling=4x".into(),
                ],
            )],
        ),
    );
    for (name, ovs) in [
        ("LSP Limiter stereo, half-band 4×", 5.0),
        ("LSP Limiter stereo, full-band 4×", 15.0),
    ] {
        add(
            "limiter",
            name,
            false,
            lv2(
                lv2host,
                "http://lsp-plug.in/plugins/lv2/limiter_stereo",
                &[
                    ("g_in".into(), db_to_gain(LIMITER_GAIN_DB)),
                    ("th".into(), db_to_gain(LIMITER_CEILING_DB)),
                    ("ovs".into(), ovs),
                ],
            ),
        );
    }
    add(
        "limiter",
        "x42 dpl stereo, true peak",
        false,
        lv2(
            lv2host,
            "http://gareus.org/oss/lv2/dpl#stereo",
            &[
                ("gain".into(), LIMITER_GAIN_DB),
                ("threshold".into(), LIMITER_CEILING_DB),
                ("truepeak".into(), 1.0),
            ],
        ),
    );
    add(
        "limiter",
        "ffmpeg alimiter (no true peak)",
        false,
        ffmpeg_filter(&format!(
            "alimiter=level_in={}:limit={}",
            db_to_gain(LIMITER_GAIN_DB),
            db_to_gain(LIMITER_CEILING_DB)
        )),
    );

    // Loudness
    add(
        "loudness",
        "lathe measure",
        true,
        args(&[lathe, "measure", "{in}"]),
    );
    add(
        "loudness",
        "libebur128 1.2.6 (M, S, I, LRA, TP)",
        false,
        args(&[ebur128, "{in}"]),
    );
    add(
        "loudness",
        "ffmpeg ebur128=peak=true",
        false,
        args(&[
            "ffmpeg",
            "-nostdin",
            "-nostats",
            "-v",
            "error",
            "-i",
            "{in}",
            "-af",
            "ebur128=peak=true",
            "-f",
            "null",
            "-",
        ]),
    );

    // Ours with no open peer here: shown for their × realtime.
    let mut full = strip_eq_sets();
    full.extend(strip_comp_sets());
    full.extend(args(&[
        "trim=2",
        "hp_on=true",
        "hp_freq=60",
        "lp_on=true",
        "lp_freq=18000",
        "gate_on=true",
        "gate_thr=-50",
        "sat_on=true",
        "sat_drive=6",
        "width=120",
        "out=-1",
    ]));
    add(
        "strip",
        "Lathe Channel Strip, every section on",
        true,
        lathe_process(lathe, &[("channel-strip", full.clone())]),
    );
    full.retain(|set| set != "sat_on=true");
    add(
        "strip",
        "Lathe Channel Strip, saturation off",
        true,
        lathe_process(lathe, &[("channel-strip", full)]),
    );
    add(
        "stereo",
        "Lathe Stereo Imager, width 150 %",
        true,
        lathe_process(lathe, &[("stereo-imager", args(&["width=150"]))]),
    );
    add(
        "stereo",
        "Lathe Bus Glue into Maximizer (a master chain)",
        true,
        lathe_process(
            lathe,
            &[
                ("bus-glue", args(&["threshold=-24"])),
                ("maximizer", args(&["input_gain=3", "ceiling=-1"])),
            ],
        ),
    );
    cases
}
