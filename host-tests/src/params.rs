//! Owned parameter info and the values tests send.
//!
//! CLAP parameter values are plain `f64`s in `[min_value, max_value]` as `clap_param_info`
//! reports them. (nice-plug reports `0..1` for continuous parameters and `0..step_count` for
//! stepped ones, and its ids are hashes of the string ids; the tests rely on neither.)

use crate::rng::Rng;
use clack_extensions::params::{ParamInfo, ParamInfoFlags};
use clack_host::events::event_types::ParamValueEvent;
use clack_host::events::Pckn;
use clack_host::utils::ClapId;

/// An owned copy of `clap_param_info`.
#[derive(Debug, Clone)]
pub struct ParamSpec {
    /// Index passed to `get_info`.
    pub index: u32,
    /// Parameter id.
    pub id: ClapId,
    /// Display name.
    pub name: String,
    /// Module path (group), may be empty.
    pub module: String,
    /// CLAP flags.
    pub flags: ParamInfoFlags,
    /// Smallest plain value.
    pub min_value: f64,
    /// Largest plain value.
    pub max_value: f64,
    /// Default plain value.
    pub default_value: f64,
}

impl ParamSpec {
    /// Copies `info`, which was returned for `index`.
    pub fn from_info(index: u32, info: &ParamInfo) -> Self {
        Self {
            index,
            id: info.id,
            name: String::from_utf8_lossy(info.name).into_owned(),
            module: String::from_utf8_lossy(info.module).into_owned(),
            flags: info.flags,
            min_value: info.min_value,
            max_value: info.max_value,
            default_value: info.default_value,
        }
    }

    /// Whether the parameter only takes whole-number values.
    pub fn is_stepped(&self) -> bool {
        self.flags.contains(ParamInfoFlags::IS_STEPPED)
    }

    /// Whether the host may change the value (automatable and not read-only).
    pub fn is_settable(&self) -> bool {
        !self.flags.contains(ParamInfoFlags::IS_READONLY)
    }

    /// `value` snapped to what the host may send: whole numbers for stepped parameters, clamped
    /// to the range.
    pub fn legal(&self, value: f64) -> f64 {
        let value = if self.is_stepped() {
            value.round()
        } else {
            value
        };
        value.clamp(self.min_value, self.max_value)
    }

    /// The value a fraction `position` (0..=1) of the way through the range.
    pub fn at(&self, position: f64) -> f64 {
        self.legal(self.min_value + position * (self.max_value - self.min_value))
    }

    /// Values every parameter test visits: both ends, the default and three points between.
    pub fn probe_values(&self) -> Vec<f64> {
        const PROBE_POSITIONS: [f64; 5] = [0.0, 0.25, 0.5, 0.75, 1.0];
        let mut values: Vec<f64> = PROBE_POSITIONS.iter().map(|&p| self.at(p)).collect();
        values.push(self.default_value);
        values
    }

    /// Values the text round-trip test visits, as clap-validator's fuzzer does: the
    /// [`probe_values`](Self::probe_values), `TEXT_PROBE_RANDOM` seeded random positions, and
    /// `TEXT_PROBE_EDGE_STEPS` steps of `TEXT_PROBE_EDGE_STEP` of the range in from each end,
    /// where special texts ("∞:1", "Off") meet rounded numbers.
    pub fn text_probe_values(&self, rng: &mut Rng) -> Vec<f64> {
        const TEXT_PROBE_RANDOM: usize = 400;
        const TEXT_PROBE_EDGE_STEPS: u32 = 100;
        const TEXT_PROBE_EDGE_STEP: f64 = 1e-5;
        let mut values = self.probe_values();
        values.extend((0..TEXT_PROBE_RANDOM).map(|_| self.at(rng.unit_f64())));
        for step in 1..=TEXT_PROBE_EDGE_STEPS {
            let inset = f64::from(step) * TEXT_PROBE_EDGE_STEP;
            values.push(self.at(inset));
            values.push(self.at(1.0 - inset));
        }
        values
    }

    /// A random legal value; ends of the range come up often, as they find most bugs.
    pub fn random_value(&self, rng: &mut Rng) -> f64 {
        const END_CHANCE: f64 = 0.25;
        if rng.chance(END_CHANCE) {
            if rng.chance(0.5) {
                self.min_value
            } else {
                self.max_value
            }
        } else {
            self.at(rng.unit_f64())
        }
    }

    /// Tolerance for comparing a value read back with the value sent: plugins may store values in
    /// `f32` and snap them to steps, so a read-back value is equal up to this.
    pub fn tolerance(&self) -> f64 {
        /// Relative precision of an `f32` store, with headroom for a normalise/denormalise trip.
        const F32_ROUND_TRIP_RELATIVE: f64 = 1e-5;
        (self.max_value - self.min_value).abs() * F32_ROUND_TRIP_RELATIVE
    }

    /// A `CLAP_EVENT_PARAM_VALUE` event setting this parameter to `value` at sample `time`, for
    /// all notes, channels and ports.
    pub fn value_event(&self, time: u32, value: f64) -> ParamValueEvent {
        ParamValueEvent::new(time, self.id, Pckn::match_all(), value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(min_value: f64, max_value: f64, stepped: bool) -> ParamSpec {
        ParamSpec {
            index: 0,
            id: ClapId::new(1),
            name: "p".into(),
            module: String::new(),
            flags: if stepped {
                ParamInfoFlags::IS_STEPPED
            } else {
                ParamInfoFlags::empty()
            },
            min_value,
            max_value,
            default_value: min_value,
        }
    }

    #[test]
    fn values_sent_are_legal() {
        let stepped = spec(0.0, 8.0, true);
        assert_eq!(stepped.at(0.3), 2.0);
        assert_eq!(stepped.legal(9.7), 8.0);
        let continuous = spec(-1.0, 1.0, false);
        assert_eq!(continuous.at(0.75), 0.5);
        let mut rng = Rng::new(7);
        for _ in 0..1000 {
            let value = stepped.random_value(&mut rng);
            assert!(value.fract() == 0.0 && (0.0..=8.0).contains(&value));
        }
    }
}
