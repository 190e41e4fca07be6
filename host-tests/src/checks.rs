//! What every output block must satisfy, and an independent model of bit-exact passthrough.

use crate::case::{Passthrough, PluginCase};

/// Value the host writes into output buffers before each `process` call: a NaN with a
/// recognisable payload, so an output the plugin never wrote is reported as such.
pub const OUTPUT_SENTINEL: f32 = f32::from_bits(0x7FC0_1A7E);

/// Whether `sample` is finite and not subnormal (zero is fine).
pub fn is_sane(sample: f32) -> bool {
    sample.is_finite() && !sample.is_subnormal()
}

/// Checks output blocks against the plugin's [`Passthrough`] promise across one activation.
///
/// For [`Passthrough::BitExact`] it keeps the last `latency` input samples of each channel, so
/// the expected output of every block is known bit for bit.
pub struct OutputChecker {
    plugin: &'static str,
    passthrough: Passthrough,
    /// Per-channel ring of the last `latency` input samples (empty when latency is 0).
    history: Vec<Vec<f32>>,
    /// Next write index into every ring.
    write_idx: usize,
    /// Input samples seen per channel since the last reset (saturating).
    samples_seen: u64,
    /// Latency in samples.
    latency_samples: usize,
    /// Whether input and output channel counts match, so passthrough is defined.
    same_channel_count: bool,
}

impl OutputChecker {
    /// A checker for `case` with the given main port channel counts and latency.
    pub fn new(
        case: &PluginCase,
        input_channels: usize,
        output_channels: usize,
        latency_samples: u32,
    ) -> Self {
        let latency_samples = latency_samples as usize;
        Self {
            plugin: case.name,
            passthrough: case.passthrough,
            history: vec![vec![0.0; latency_samples]; input_channels],
            write_idx: 0,
            samples_seen: 0,
            latency_samples,
            same_channel_count: input_channels == output_channels,
        }
    }

    /// Forgets the input history, as after `reset` or a reactivation.
    pub fn reset(&mut self) {
        self.write_idx = 0;
        self.samples_seen = 0;
        for ring in &mut self.history {
            ring.fill(0.0);
        }
    }

    /// Checks one block. `input[channel]` and `output[channel]` hold the block's samples.
    ///
    /// # Panics
    /// On the first sample that breaks the promise, naming plugin, `context`, channel and sample.
    pub fn check(&mut self, input: &[&[f32]], output: &[&[f32]], context: &str) {
        let frames = output.first().map_or(0, |channel| channel.len());
        let bit_exact = self.passthrough == Passthrough::BitExact && self.same_channel_count;

        for frame in 0..frames {
            let in_pre_roll = self.samples_seen < self.latency_samples as u64;
            for (channel, out) in output.iter().enumerate() {
                let actual = out[frame];
                let expected = if bit_exact {
                    Some(self.delayed(channel, input[channel][frame]))
                } else {
                    None
                };
                // Only sane input must come out bit for bit; see `Passthrough::BitExact`.
                let expected = expected.filter(|&input| !in_pre_roll && is_sane(input));
                self.check_sample(actual, expected, channel, frame, context);
            }
            if bit_exact && self.latency_samples > 0 {
                self.write_idx = (self.write_idx + 1) % self.latency_samples;
            }
            self.samples_seen = self.samples_seen.saturating_add(1);
        }
    }

    /// Pushes `sample` into `channel`'s ring and returns the sample `latency` samples older.
    fn delayed(&mut self, channel: usize, sample: f32) -> f32 {
        if self.latency_samples == 0 {
            return sample;
        }
        std::mem::replace(&mut self.history[channel][self.write_idx], sample)
    }

    fn check_sample(
        &self,
        actual: f32,
        expected: Option<f32>,
        channel: usize,
        frame: usize,
        context: &str,
    ) {
        let plugin = self.plugin;
        if actual.to_bits() == OUTPUT_SENTINEL.to_bits()
            && expected.map(f32::to_bits) != Some(OUTPUT_SENTINEL.to_bits())
        {
            panic!(
                "{plugin}, {context}: output channel {channel} sample {frame} was never written"
            );
        }
        match expected {
            Some(expected) => assert!(
                actual.to_bits() == expected.to_bits(),
                "{plugin}, {context}: output channel {channel} sample {frame} is {actual:e} \
                 (bits {:#010x}), expected the input {expected:e} (bits {:#010x}) bit for bit \
                 (latency {} samples)",
                actual.to_bits(),
                expected.to_bits(),
                self.latency_samples,
            ),
            None => assert!(
                is_sane(actual),
                "{plugin}, {context}: output channel {channel} sample {frame} is {actual:e} \
                 (bits {:#010x}); outputs must be finite and not subnormal",
                actual.to_bits(),
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::case::{Latency, STEREO};

    fn case(passthrough: Passthrough, latency: u32) -> &'static PluginCase {
        Box::leak(Box::new(PluginCase {
            package: "test",
            bundle: "Test.clap",
            clap_id: "dev.lathe.test",
            name: "Test",
            latency_samples: Latency::Fixed(latency),
            passthrough,
            layouts: &[STEREO],
        }))
    }

    /// Runs `input` through the checker in blocks of `block` frames, with `output` the plugin's.
    fn run(checker: &mut OutputChecker, input: &[f32], output: &[f32], block: usize) {
        for (inp, out) in input.chunks(block).zip(output.chunks(block)) {
            checker.check(&[inp], &[out], "unit test");
        }
    }

    fn delayed(input: &[f32], latency: usize) -> Vec<f32> {
        let mut output = vec![0.0; latency];
        output.extend_from_slice(&input[..input.len() - latency]);
        output
    }

    #[test]
    fn bit_exact_accepts_the_input_delayed_by_the_latency_across_blocks() {
        let input: Vec<f32> = (0..100).map(|i| i as f32 * 0.01 - 0.5).collect();
        for latency in [0, 1, 7, 64] {
            let mut checker =
                OutputChecker::new(case(Passthrough::BitExact, latency), 1, 1, latency);
            run(&mut checker, &input, &delayed(&input, latency as usize), 13);
        }
    }

    #[test]
    #[should_panic(expected = "bit for bit")]
    fn bit_exact_rejects_a_wrong_delay() {
        let input: Vec<f32> = (0..100).map(|i| i as f32 * 0.01 - 0.5).collect();
        let mut checker = OutputChecker::new(case(Passthrough::BitExact, 3), 1, 1, 3);
        run(&mut checker, &input, &delayed(&input, 2), 16);
    }

    #[test]
    #[should_panic(expected = "bit for bit")]
    fn bit_exact_rejects_a_flipped_sign_of_zero() {
        let mut checker = OutputChecker::new(case(Passthrough::BitExact, 0), 1, 1, 0);
        run(&mut checker, &[-0.0], &[0.0], 1);
    }

    #[test]
    fn bit_exact_lets_insane_input_come_out_as_any_sane_value() {
        let mut checker = OutputChecker::new(case(Passthrough::BitExact, 0), 1, 1, 0);
        let input = [f32::NAN, f32::INFINITY, f32::from_bits(1), 0.5];
        run(&mut checker, &input, &[0.0, 0.0, 0.0, 0.5], 4);
    }

    #[test]
    #[should_panic(expected = "finite and not subnormal")]
    fn bit_exact_rejects_nan_passed_through() {
        let mut checker = OutputChecker::new(case(Passthrough::BitExact, 0), 1, 1, 0);
        run(&mut checker, &[f32::NAN], &[f32::NAN], 1);
    }

    #[test]
    #[should_panic(expected = "finite and not subnormal")]
    fn processed_rejects_subnormal_output() {
        let mut checker = OutputChecker::new(case(Passthrough::Processed, 0), 1, 1, 0);
        run(&mut checker, &[0.5], &[f32::from_bits(3)], 1);
    }

    #[test]
    #[should_panic(expected = "never written")]
    fn unwritten_output_is_named() {
        let mut checker = OutputChecker::new(case(Passthrough::Processed, 0), 1, 1, 0);
        run(&mut checker, &[0.5], &[OUTPUT_SENTINEL], 1);
    }

    #[test]
    fn reset_restarts_the_pre_roll() {
        let mut checker = OutputChecker::new(case(Passthrough::BitExact, 2), 1, 1, 2);
        run(&mut checker, &[0.1, 0.2, 0.3], &[0.0, 0.0, 0.1], 3);
        checker.reset();
        // After a reset the plugin's delay line is empty again: zeros, then the new input.
        run(&mut checker, &[0.4, 0.5, 0.6], &[0.0, 0.0, 0.4], 3);
    }
}
