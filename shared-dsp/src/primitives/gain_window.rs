//! Windowed statistics of a gain envelope, one frame at a time: the sliding
//! minimum (the limiters' peak hold) and the moving average of linear gains
//! (their attack ramps). Shared by [`crate::units::limiter`] and
//! [`crate::units::limiter_guard`], which once kept near-copies of both.
//!
//! Both allocate for a largest window in `new` and never afterwards; the
//! window can be shortened with `set_window` / `set_len`, which clears them.

/// Sliding minimum over the last `window` values pushed (monotonic deque,
/// O(1) amortised). Before `window` values have been pushed since the last
/// reset, the minimum is over those pushed so far: missing history never
/// lowers it, whatever the unit of the values (the limiter pushes dB ≤ 0,
/// the guard linear gains ≤ 1).
#[derive(Debug, Clone)]
pub struct SlidingMin {
    /// (frame index, value), increasing values from front to back. Slots
    /// outside `front .. front + len` are never read, so their contents
    /// (zeros from `new`) do not matter.
    entries: Box<[(u64, f32)]>,
    front: usize,
    len: usize,
    window: usize,
    frame: u64,
}

impl SlidingMin {
    /// An empty sliding minimum over `max_window` values (≥ 1), the largest
    /// window [`Self::set_window`] accepts. Allocates.
    pub fn new(max_window: usize) -> Self {
        Self {
            entries: vec![(0, 0.0); max_window.max(1) + 1].into_boxed_slice(),
            front: 0,
            len: 0,
            window: max_window.max(1),
            frame: 0,
        }
    }

    /// Sets the window (1 ..= the `max_window` of [`Self::new`]) and clears.
    pub fn set_window(&mut self, window: usize) {
        debug_assert!(window >= 1 && window < self.entries.len());
        self.window = window;
        self.reset();
    }

    /// Forgets every value pushed. Never allocates.
    pub fn reset(&mut self) {
        self.front = 0;
        self.len = 0;
        self.frame = 0;
    }

    /// Pushes `value`; returns the minimum of the last `window` values
    /// pushed (see the type docs before that many). Never allocates.
    #[inline]
    pub fn push(&mut self, value: f32) -> f32 {
        let cap = self.entries.len();
        let wrap = |i: usize| if i >= cap { i - cap } else { i };
        while self.len > 0 && self.entries[wrap(self.front + self.len - 1)].1 >= value {
            self.len -= 1;
        }
        self.entries[wrap(self.front + self.len)] = (self.frame, value);
        self.len += 1;
        let oldest = self.frame.saturating_sub(self.window as u64 - 1);
        while self.entries[self.front].0 < oldest {
            self.front = wrap(self.front + 1);
            self.len -= 1;
        }
        self.frame += 1;
        self.entries[self.front].1
    }
}

/// Moving average of linear gains over `len` frames, kept as a running sum
/// of reductions `1 − g` in f64. Missing history counts as gain 1.0 (no
/// reduction). Exactly 1.0 when no entry in the window is below 1.0; the
/// sum is recomputed from the buffer once per window so rounding cannot
/// accumulate.
#[derive(Debug, Clone)]
pub struct MovingAverage {
    reductions: Box<[f64]>,
    len: usize,
    write_idx: usize,
    sum: f64,
    nonzero: usize,
}

impl MovingAverage {
    /// A cleared average over `max_len` frames (≥ 1), the largest length
    /// [`Self::set_len`] accepts. Allocates.
    pub fn new(max_len: usize) -> Self {
        Self {
            reductions: vec![0.0; max_len.max(1)].into_boxed_slice(),
            len: max_len.max(1),
            write_idx: 0,
            sum: 0.0,
            nonzero: 0,
        }
    }

    /// Sets the length (1 ..= the `max_len` of [`Self::new`]) and clears.
    pub fn set_len(&mut self, len: usize) {
        debug_assert!(len >= 1 && len <= self.reductions.len());
        self.len = len;
        self.reset();
    }

    /// Clears to no reduction. Never allocates.
    pub fn reset(&mut self) {
        self.reductions.fill(0.0);
        self.write_idx = 0;
        self.sum = 0.0;
        self.nonzero = 0;
    }

    /// Pushes `gain` (linear); returns the average of the last `len` gains.
    /// Never allocates.
    #[inline]
    pub fn push(&mut self, gain: f32) -> f32 {
        let reduction = 1.0 - f64::from(gain);
        let old = self.reductions[self.write_idx];
        self.nonzero -= usize::from(old != 0.0);
        self.nonzero += usize::from(reduction != 0.0);
        self.reductions[self.write_idx] = reduction;
        self.sum += reduction - old;
        self.write_idx += 1;
        if self.write_idx == self.len {
            self.write_idx = 0;
            self.sum = self.reductions[..self.len].iter().sum();
        }
        if self.nonzero == 0 {
            1.0
        } else {
            (1.0 - self.sum / self.len as f64) as f32
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sliding_min_matches_brute_force() {
        for (max_window, window) in [(10, 7), (7, 7), (1, 1)] {
            let mut s = SlidingMin::new(max_window);
            s.set_window(window);
            let values: Vec<f32> = (0..200)
                .map(|i| -(((i * 37) % 23) as f32) * if i % 5 == 0 { 0.0 } else { 1.0 })
                .collect();
            for (i, &v) in values.iter().enumerate() {
                let got = s.push(v);
                let lo = (i + 1).saturating_sub(window);
                let expected = values[lo..=i].iter().fold(f32::INFINITY, |m, &x| m.min(x));
                assert_eq!(got, expected, "{window} at {i}");
            }
        }
    }

    #[test]
    fn moving_average_matches_brute_force_and_is_exactly_one_when_idle() {
        let mut m = MovingAverage::new(16);
        m.set_len(10);
        let gains: Vec<f32> = (0..100)
            .map(|i| if i < 20 { 0.3 + 0.01 * i as f32 } else { 1.0 })
            .collect();
        for (i, &g) in gains.iter().enumerate() {
            let a = m.push(g);
            let window = &gains[(i + 1).saturating_sub(10)..=i];
            let expected = 1.0 - window.iter().map(|&g| 1.0 - f64::from(g)).sum::<f64>() / 10.0;
            assert!(
                (f64::from(a) - expected).abs() < 1e-6,
                "{i}: {a} vs {expected}"
            );
            if i >= 29 {
                assert_eq!(a, 1.0);
            }
        }
    }
}
