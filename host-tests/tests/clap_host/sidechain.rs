//! Side-chain (auxiliary) inputs: the Bus Glue's external key, through the host's second input
//! port. A signal on the aux input alone compresses a quiet main input; a silent aux port (what a
//! host passes when nothing is routed to it) leaves the quiet main input untouched.

use super::*;

/// The plugin with a side-chain input.
const SIDECHAIN_PACKAGE: &str = "bus-glue";
/// Main input: a 440 Hz tone at this peak (≈ −50 dBFS, far below any threshold).
const QUIET_MAIN_PEAK: f32 = 0.003;
/// Aux input: a 100 Hz tone at this peak (−6 dBFS).
const LOUD_KEY_PEAK: f32 = 0.5;
/// The key must pull the main input down by at least this much, dB. At the default settings
/// (threshold −18 dBFS, 4:1, 6 dB knee) a −6 dBFS key asks for 9 dB on its peaks.
const MIN_KEYED_REDUCTION_DB: f32 = 6.0;
const RATE_HZ: f64 = 48_000.0;

fn tone(freq_hz: f32, peak: f32, frame: usize) -> f32 {
    peak * (std::f32::consts::TAU * freq_hz * frame as f32 / RATE_HZ as f32).sin()
}

/// Runs one second with the quiet main input and the key on aux port 0 at `key_peak`; returns
/// the output's peak over the last block relative to the input's, dB.
fn run_second(rig: &mut AudioRig, key_peak: f32, frame: &mut usize, context: &str) -> f32 {
    let frames = TYPICAL_BLOCK;
    let no_events = EventBuffer::new();
    let mut gain_db = 0.0;
    for block in 0..(RATE_HZ as usize / frames) {
        let start = *frame;
        let input: Vec<Vec<f32>> = (0..rig.input_channels())
            .map(|_| {
                (0..frames)
                    .map(|i| tone(440.0, QUIET_MAIN_PEAK, start + i))
                    .collect()
            })
            .collect();
        for channel in rig.aux_input_mut(0) {
            for (i, x) in channel[..frames].iter_mut().enumerate() {
                *x = tone(100.0, key_peak, start + i);
            }
        }
        rig.process(
            &input,
            frames,
            &no_events,
            &format!("{context}, block {block}"),
        );
        let peak = |x: &[f32]| x.iter().fold(0.0f32, |m, s| m.max(s.abs()));
        gain_db = 20.0 * (peak(rig.output(0, frames)) / peak(&input[0])).log10();
        *frame += frames;
    }
    gain_db
}

#[test]
fn a_signal_on_the_aux_input_alone_compresses_a_quiet_main_input() {
    let _serial = serial_guard();
    let case = plugins()
        .iter()
        .find(|case| case.package == SIDECHAIN_PACKAGE)
        .unwrap_or_else(|| panic!("`{SIDECHAIN_PACKAGE}` is not in the suite"));
    let mut plugin = LoadedPlugin::load(case);
    assert_eq!(
        plugin.aux_input_channels(),
        vec![2],
        "{}: one stereo side-chain input port",
        case.name
    );
    let specs = plugin.param_specs();
    let external = specs
        .iter()
        .find(|spec| spec.name == "External Side-chain")
        .unwrap_or_else(|| panic!("{}: no External Side-chain parameter", case.name));
    let mut events = EventBuffer::new();
    events.push(&external.value_event(0, external.max_value));
    plugin.flush_params(&events);

    let activation = Activation {
        sample_rate_hz: RATE_HZ,
        max_frames: TYPICAL_BLOCK as u32,
    };
    let (silent_key_db, keyed_db) = plugin.session(activation, ThreadMode::Spawned, |rig| {
        let mut frame = 0;
        let silent = run_second(rig, 0.0, &mut frame, "silent aux input");
        let keyed = run_second(rig, LOUD_KEY_PEAK, &mut frame, "loud aux input");
        (silent, keyed)
    });
    assert!(
        silent_key_db.abs() < 1e-3,
        "{}: a silent side-chain changed the quiet main input by {silent_key_db} dB",
        case.name
    );
    assert!(
        keyed_db < -MIN_KEYED_REDUCTION_DB,
        "{}: the side-chain key reduced the quiet main input by only {} dB",
        case.name,
        -keyed_db
    );
}
