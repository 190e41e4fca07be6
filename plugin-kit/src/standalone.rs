//! A start-up preset for the standalone builds, so `cargo xtask screenshots`
//! (and anyone trying a plugin outside a host) can open an editor with its
//! controls set: the standalone wrapper has no preset loading of its own.
//!
//! A standalone `main` calls [`load_preset_from_env`] before
//! `nice_export_standalone`; [`Kit`](crate::Kit) applies the preset to the
//! parameters it creates. Plugin builds (CLAP, VST3) never call it, so a
//! host's instances are not affected by the environment.

use nice_plug::prelude::Params;
use std::collections::BTreeMap;
use std::sync::OnceLock;

/// Environment variable read by [`load_preset_from_env`]: `id=value` pairs
/// separated by `;`. A parameter id takes its *plain* value (dB, Hz, ms as
/// the parameter counts them; a bool 0 or 1; an enum its variant index); any
/// other id must be a persisted field (e.g. `editor-scale=150`) and takes
/// the field's serialized (JSON) value.
pub const PRESET_ENV: &str = "LATHE_STANDALONE_PRESET";

static PRESET: OnceLock<String> = OnceLock::new();

/// Reads [`PRESET_ENV`] for the plugin this standalone process creates.
pub fn load_preset_from_env() {
    if let Ok(preset) = std::env::var(PRESET_ENV) {
        let _ = PRESET.set(preset);
    }
}

/// Applies the preset loaded by [`load_preset_from_env`], if any. A bad
/// preset ends the standalone process with a message (it is a start-up
/// argument, wrong from the start).
pub(crate) fn apply_loaded_preset(params: &dyn Params) {
    if let Some(preset) = PRESET.get() {
        if let Err(message) = apply_preset(params, preset) {
            eprintln!("{PRESET_ENV}: {message}");
            std::process::exit(2);
        }
    }
}

/// Applies `preset` (the [`PRESET_ENV`] format) to `params`.
pub fn apply_preset(params: &dyn Params, preset: &str) -> Result<(), String> {
    let map = params.param_map();
    let fields = params.serialize_fields();
    for pair in preset.split(';').map(str::trim).filter(|p| !p.is_empty()) {
        let (id, value) = pair
            .split_once('=')
            .ok_or_else(|| format!("`{pair}` is not id=value"))?;
        let (id, value) = (id.trim(), value.trim());
        if let Some((_, ptr, _)) = map.iter().find(|(param_id, _, _)| param_id == id) {
            let plain: f32 = value
                .parse()
                .map_err(|_| format!("`{id}`: `{value}` is not a number"))?;
            // SAFETY: `ptr` points into `params`, which outlives this call.
            unsafe {
                let normalized = ptr.preview_normalized(plain);
                ptr._internal_set_normalized_value(normalized);
            }
        } else if fields.contains_key(id) {
            params.deserialize_fields(&BTreeMap::from([(id.to_owned(), value.to_owned())]));
        } else {
            return Err(format!("no parameter or persisted field `{id}`"));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use nice_plug::prelude::*;
    use std::sync::atomic::{AtomicU32, Ordering};
    use std::sync::Arc;

    #[derive(Params)]
    struct Test {
        #[id = "gain"]
        gain: FloatParam,
        #[id = "on"]
        on: BoolParam,
        #[persist = "size"]
        size: Arc<AtomicU32>,
    }

    fn test_params() -> Test {
        Test {
            gain: FloatParam::new(
                "Gain",
                0.0,
                FloatRange::Linear {
                    min: -24.0,
                    max: 24.0,
                },
            ),
            on: BoolParam::new("On", false),
            size: Arc::new(AtomicU32::new(100)),
        }
    }

    #[test]
    fn a_preset_sets_plain_values_and_persisted_fields() {
        let params = test_params();
        apply_preset(&params, "gain=6; on=1;size=150").unwrap();
        assert_eq!(params.gain.value(), 6.0);
        assert!(params.on.value());
        assert_eq!(params.size.load(Ordering::Relaxed), 150);
        // Out of range clamps to the parameter's range, as a host's value would.
        apply_preset(&params, "gain=99").unwrap();
        assert_eq!(params.gain.value(), 24.0);
    }

    #[test]
    fn a_bad_preset_is_an_error_naming_the_pair() {
        let params = test_params();
        let err = apply_preset(&params, "gain=6;nope=1").unwrap_err();
        assert!(err.contains("nope"), "{err}");
        assert!(apply_preset(&params, "gain=loud")
            .unwrap_err()
            .contains("gain"));
        assert!(apply_preset(&params, "gain").unwrap_err().contains("gain"));
    }
}
