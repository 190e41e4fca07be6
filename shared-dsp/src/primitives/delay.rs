//! Integer delay line for latency alignment (look-ahead, dry/wet alignment).
//!
//! Allocates once for a maximum delay; changing the delay within that
//! capacity never allocates. The delay is exact: `process` returns the input
//! of exactly `delay_samples` calls ago (zeros after `reset`).

/// A single-channel integer delay line.
#[derive(Debug, Clone)]
pub struct DelayLine {
    /// Ring buffer, power-of-two length > the largest delay.
    buffer: Box<[f32]>,
    /// `buffer.len() − 1`.
    mask: usize,
    /// Next write position.
    write_idx: usize,
    /// Current delay, samples, `0 ..= max_delay_samples`.
    delay_samples: usize,
}

impl DelayLine {
    /// A cleared delay line that can delay by up to `max_delay_samples`.
    /// Allocates.
    pub fn new(max_delay_samples: usize) -> Self {
        let len = (max_delay_samples + 1).next_power_of_two();
        Self {
            buffer: vec![0.0; len].into_boxed_slice(),
            mask: len - 1,
            write_idx: 0,
            delay_samples: 0,
        }
    }

    /// Largest delay this line supports, samples.
    pub fn max_delay_samples(&self) -> usize {
        self.buffer.len() - 1
    }

    /// Sets the delay (samples). Never allocates.
    ///
    /// # Panics
    /// If `delay_samples` exceeds [`Self::max_delay_samples`].
    pub fn set_delay_samples(&mut self, delay_samples: usize) {
        assert!(
            delay_samples <= self.max_delay_samples(),
            "delay {delay_samples} exceeds capacity {}",
            self.max_delay_samples()
        );
        self.delay_samples = delay_samples;
    }

    /// Current delay, samples.
    pub fn delay_samples(&self) -> usize {
        self.delay_samples
    }

    /// Clears the buffer. Never allocates.
    pub fn reset(&mut self) {
        self.buffer.fill(0.0);
        self.write_idx = 0;
    }

    /// Pushes `x` and returns the sample pushed `delay_samples` calls ago.
    #[inline]
    pub fn process(&mut self, x: f32) -> f32 {
        self.buffer[self.write_idx] = x;
        let read_idx = self.write_idx.wrapping_sub(self.delay_samples) & self.mask;
        self.write_idx = (self.write_idx + 1) & self.mask;
        self.buffer[read_idx]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_exactly() {
        for delay in [0usize, 1, 7, 64, 100] {
            let mut line = DelayLine::new(100);
            line.set_delay_samples(delay);
            for i in 0..500 {
                let y = line.process(i as f32 + 1.0);
                let expected = if i >= delay {
                    (i - delay) as f32 + 1.0
                } else {
                    0.0
                };
                assert_eq!(y, expected, "delay {delay} at {i}");
            }
        }
    }
}
