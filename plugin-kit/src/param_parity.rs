//! Holds a plugin's real parameters to its `shared-dsp` parameter table
//! (`shared_dsp::processors::param_table`), which is what `lathe process`
//! drives the processor with: the same IDs, kinds, plain ranges, units,
//! defaults and choice names, and — moving one parameter at a time — the same
//! processor settings. Each plugin crate calls [`assert_params_match_table`]
//! from a test.

use std::collections::BTreeSet;
use std::fmt::Debug;

use nice_plug::prelude::{ParamPtr, Params};
use shared_dsp::processors::param_table::{Binding, ParamKind, ParamTable};

/// Normalised position the float parameters are moved to: off-centre and
/// off-grid, so a wrong field, range or skew shows.
const PROBE_NORMALIZED: f32 = 0.37;

/// Panics (with every mismatch listed) unless `make()`'s parameters and
/// `table` describe the same plugin and `settings_of` maps every parameter
/// as the table does.
pub fn assert_params_match_table<P, S>(
    make: impl Fn() -> P,
    table: &ParamTable<S>,
    settings_of: impl Fn(&P) -> S,
) where
    P: Params,
    S: PartialEq + Debug,
{
    let mut problems = Vec::new();
    let fresh = make();
    let map = fresh.param_map();
    let plugin_ids: BTreeSet<&str> = map.iter().map(|(id, _, _)| id.as_str()).collect();
    let table_ids: BTreeSet<&str> = table.params.iter().map(|p| p.id).collect();
    for id in plugin_ids.difference(&table_ids) {
        problems.push(format!("{id}: a plugin parameter the table lacks"));
    }
    for id in table_ids.difference(&plugin_ids) {
        problems.push(format!("{id}: in the table but not a plugin parameter"));
    }
    let defaults = (table.defaults)();
    if settings_of(&fresh) != defaults {
        problems.push(format!(
            "default settings differ:\n plugin {:?}\n table  {defaults:?}",
            settings_of(&fresh)
        ));
    }

    for spec in table.params {
        let Some((_, ptr, _)) = map.iter().find(|(id, _, _)| id == spec.id) else {
            continue;
        };
        // SAFETY: `fresh` outlives every use of its pointers here.
        let (name, unit, default_plain) =
            unsafe { (ptr.name().to_owned(), ptr.unit(), ptr.default_plain_value()) };
        let id = spec.id;
        if name != spec.name {
            problems.push(format!(
                "{id}: named {name:?}, the table says {:?}",
                spec.name
            ));
        }
        let table_default = table.default_plain(spec) as f32;
        if default_plain != table_default {
            problems.push(format!(
                "{id}: default {default_plain}, the table says {table_default}"
            ));
        }
        // SAFETY: as above.
        let (lo, hi) = unsafe { (ptr.preview_plain(0.0), ptr.preview_plain(1.0)) };
        match (ptr, spec.kind) {
            (
                ParamPtr::FloatParam(_),
                ParamKind::Float {
                    range,
                    unit: table_unit,
                    ..
                },
            ) => {
                if (lo, hi) != (range.0 as f32, range.1 as f32) {
                    problems.push(format!("{id}: range {lo}..={hi}, the table says {range:?}"));
                }
                if !unit.trim().is_empty() && unit.trim() != table_unit {
                    problems.push(format!(
                        "{id}: unit {unit:?}, the table says {table_unit:?}"
                    ));
                }
            }
            (ParamPtr::IntParam(_), ParamKind::Int { range }) => {
                if (lo, hi) != (range.0 as f32, range.1 as f32) {
                    problems.push(format!("{id}: range {lo}..={hi}, the table says {range:?}"));
                }
            }
            (ParamPtr::BoolParam(_), ParamKind::Bool) => {}
            (ParamPtr::EnumParam(_), ParamKind::Choice(choices)) => {
                // SAFETY: as above.
                let names: Vec<String> = (0..=hi as usize)
                    .map(|i| unsafe {
                        ptr.normalized_value_to_string(ptr.preview_normalized(i as f32), false)
                    })
                    .collect();
                let table_names: Vec<&str> = choices.iter().map(|c| c.name).collect();
                if names != table_names {
                    problems.push(format!(
                        "{id}: choices {names:?}, the table says {table_names:?}"
                    ));
                }
            }
            (_, kind) => problems.push(format!("{id}: a different kind from the table's {kind:?}")),
        }

        // Move this one parameter and compare the settings.
        let moved = make();
        let moved_map = moved.param_map();
        let (_, ptr, _) = moved_map.iter().find(|(pid, _, _)| pid == id).unwrap();
        // SAFETY: `moved` outlives its pointers.
        let plain = unsafe {
            let target = match spec.kind {
                ParamKind::Float { .. } => ptr.preview_plain(PROBE_NORMALIZED),
                ParamKind::Bool => 1.0 - default_plain,
                ParamKind::Int { .. } | ParamKind::Choice(_) => {
                    if default_plain + 1.0 <= hi {
                        default_plain + 1.0
                    } else {
                        lo
                    }
                }
            };
            ptr._internal_set_normalized_value(ptr.preview_normalized(target));
            ptr.unmodulated_plain_value()
        };
        let mut expected = (table.defaults)();
        spec.apply(&mut expected, f64::from(plain));
        let actual = settings_of(&moved);
        if actual != expected {
            problems.push(format!(
                "{id} = {plain}: settings differ:\n plugin {actual:?}\n table  {expected:?}"
            ));
        }
        if !matches!(spec.binding, Binding::Setting { .. }) && actual != defaults {
            problems.push(format!(
                "{id}: marked as not a setting, yet it changes the settings"
            ));
        }
    }
    assert!(
        problems.is_empty(),
        "the {} parameters and their table disagree:\n{}",
        table.plugin,
        problems.join("\n")
    );
}
