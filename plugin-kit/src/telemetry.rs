//! Lock-free hand-over of meter values from the audio thread to an editor.
//!
//! Everything here is a fixed-size block of atomics allocated once, on the
//! main thread, when the plugin is created. The audio thread only stores; the
//! GUI thread only loads. No locks, no allocation, no waiting on either side.
//! A value that is undefined (e.g. loudness of silence) is stored as NaN and
//! read back as `None`.

use atomic_float::AtomicF32;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

/// A single `Option<f32>` reading, stored as an `f32` with NaN for `None`.
#[derive(Debug)]
pub struct AtomicReading(AtomicF32);

impl Default for AtomicReading {
    fn default() -> Self {
        Self(AtomicF32::new(f32::NAN))
    }
}

impl AtomicReading {
    /// Stores a reading (audio thread). `None` and non-finite values read back as `None`.
    pub fn store(&self, value: Option<f64>) {
        let v = match value {
            Some(v) if v.is_finite() => v as f32,
            _ => f32::NAN,
        };
        self.0.store(v, Ordering::Relaxed);
    }

    /// Loads the last stored reading (GUI thread).
    pub fn load(&self) -> Option<f32> {
        let v = self.0.load(Ordering::Relaxed);
        v.is_finite().then_some(v)
    }
}

/// A one-shot request from the GUI to the audio thread (e.g. "reset the meter").
#[derive(Debug, Default)]
pub struct Request(AtomicBool);

impl Request {
    /// Raises the request (GUI thread).
    pub fn raise(&self) {
        self.0.store(true, Ordering::Release);
    }

    /// Takes the request if raised (audio thread); true at most once per `raise`.
    pub fn take(&self) -> bool {
        self.0.swap(false, Ordering::Acquire)
    }
}

/// Whether an editor is showing the plugin's meters (set by the GUI when
/// its window opens and closes, read by the audio thread), so metering that
/// only feeds the display can stop while nobody looks, as commercial
/// plugins do with their analysers.
#[derive(Debug, Default)]
pub struct Watched(AtomicBool);

impl Watched {
    /// The editor opened (`true`) or closed (`false`); GUI thread.
    pub fn set(&self, open: bool) {
        self.0.store(open, Ordering::Release);
    }

    /// Whether an editor is open; audio thread.
    pub fn get(&self) -> bool {
        self.0.load(Ordering::Acquire)
    }
}

/// A fixed-capacity history of `N_SERIES` readings per time step, written by
/// the audio thread and read by the GUI.
///
/// The writer stores one row per step and then publishes the new row count
/// with release ordering; the reader loads the count with acquire ordering and
/// reads the most recent rows. If the writer laps a slow reader, the reader may
/// see a row from a later step in an old slot: harmless for a display, and the
/// reason this type is for drawing, never for measurement.
#[derive(Debug)]
pub struct History<const N_SERIES: usize> {
    rows: Box<[[AtomicReading; N_SERIES]]>,
    written: AtomicU64,
}

impl<const N_SERIES: usize> History<N_SERIES> {
    /// Allocates a history that holds the last `capacity` rows (capacity ≥ 1).
    pub fn new(capacity: usize) -> Self {
        let rows = (0..capacity.max(1))
            .map(|_| std::array::from_fn(|_| AtomicReading::default()))
            .collect();
        Self {
            rows,
            written: AtomicU64::new(0),
        }
    }

    /// Number of rows the history keeps.
    pub fn capacity(&self) -> usize {
        self.rows.len()
    }

    /// Appends one row (audio thread; never allocates).
    pub fn push(&self, row: [Option<f64>; N_SERIES]) {
        let n = self.written.load(Ordering::Relaxed);
        let slot = &self.rows[(n % self.rows.len() as u64) as usize];
        for (cell, value) in slot.iter().zip(row) {
            cell.store(value);
        }
        self.written.store(n + 1, Ordering::Release);
    }

    /// Forgets every row (audio thread, on meter reset).
    pub fn clear(&self) {
        self.written.store(0, Ordering::Release);
    }

    /// Total rows pushed since the last clear (may exceed the capacity).
    pub fn rows_written(&self) -> u64 {
        self.written.load(Ordering::Acquire)
    }

    /// Copies the most recent rows, oldest first, into `out` (GUI thread).
    /// Returns the index (since clear) of the first row copied.
    pub fn snapshot(&self, out: &mut Vec<[Option<f32>; N_SERIES]>) -> u64 {
        out.clear();
        let written = self.rows_written();
        let available = written.min(self.rows.len() as u64);
        let first = written - available;
        for n in first..written {
            let slot = &self.rows[(n % self.rows.len() as u64) as usize];
            out.push(std::array::from_fn(|i| slot[i].load()));
        }
        first
    }
}

/// The most recent audio samples (one channel), for spectrum displays.
///
/// The audio thread writes samples and publishes the count; the GUI copies the
/// latest ones. A slow reader can see a few samples from the next lap mixed
/// in: harmless for a display, never use it for measurement.
#[derive(Debug)]
pub struct SampleRing {
    samples: Box<[AtomicF32]>,
    written: AtomicU64,
}

impl SampleRing {
    /// Allocates a ring of `capacity` samples (≥ 1).
    pub fn new(capacity: usize) -> Self {
        Self {
            samples: (0..capacity.max(1)).map(|_| AtomicF32::new(0.0)).collect(),
            written: AtomicU64::new(0),
        }
    }

    /// Appends samples (audio thread; never allocates).
    pub fn push(&self, samples: impl IntoIterator<Item = f32>) {
        let mut n = self.written.load(Ordering::Relaxed);
        let len = self.samples.len();
        // One division per block, then a wrapping index (a division per
        // sample cost more than the store).
        let mut slot = (n % len as u64) as usize;
        for s in samples {
            self.samples[slot].store(s, Ordering::Relaxed);
            slot += 1;
            if slot == len {
                slot = 0;
            }
            n += 1;
        }
        self.written.store(n, Ordering::Release);
    }

    /// Copies the latest `out.len()` samples (≤ capacity), oldest first; zeros
    /// where fewer were written (GUI thread).
    pub fn latest(&self, out: &mut [f32]) {
        let written = self.written.load(Ordering::Acquire);
        let len = self.samples.len() as u64;
        let want = (out.len() as u64).min(len);
        out.fill(0.0);
        let available = written.min(want);
        let offset = (want - available) as usize;
        for (k, n) in (written - available..written).enumerate() {
            out[offset + k] = self.samples[(n % len) as usize].load(Ordering::Relaxed);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reading_round_trips_and_maps_undefined_to_none() {
        let r = AtomicReading::default();
        assert_eq!(r.load(), None);
        r.store(Some(-23.5));
        assert_eq!(r.load(), Some(-23.5));
        r.store(Some(f64::NEG_INFINITY));
        assert_eq!(r.load(), None);
        r.store(None);
        assert_eq!(r.load(), None);
    }

    #[test]
    fn request_is_taken_once() {
        let q = Request::default();
        assert!(!q.take());
        q.raise();
        assert!(q.take());
        assert!(!q.take());
    }

    #[test]
    fn sample_ring_returns_the_latest_samples_oldest_first() {
        let ring = SampleRing::new(4);
        let mut out = [9.0; 3];
        ring.latest(&mut out);
        assert_eq!(out, [0.0; 3]);
        ring.push([1.0, 2.0]);
        ring.latest(&mut out);
        assert_eq!(out, [0.0, 1.0, 2.0]);
        ring.push([3.0, 4.0, 5.0]);
        ring.latest(&mut out);
        assert_eq!(out, [3.0, 4.0, 5.0]);
    }

    /// Against a plain list of everything pushed: pushes of every length
    /// 0..=13 into a ring of 5, many laps, the latest 1..=5 always equal
    /// to the list's tail.
    #[test]
    fn sample_ring_matches_a_list_over_many_laps() {
        let ring = SampleRing::new(5);
        let mut all = Vec::new();
        let mut next = 0.0f32;
        for round in 0..60 {
            let block: Vec<f32> = (0..round % 14)
                .map(|_| {
                    next += 1.0;
                    next
                })
                .collect();
            ring.push(block.iter().copied());
            all.extend(block);
            for want in 1..=5 {
                let mut out = vec![0.0; want];
                ring.latest(&mut out);
                let tail = &all[all.len().saturating_sub(want)..];
                assert_eq!(
                    &out[want - tail.len()..],
                    tail,
                    "round {round}, latest {want}"
                );
            }
        }
    }

    #[test]
    fn history_keeps_the_latest_rows_in_order() {
        let h = History::<2>::new(4);
        for i in 0..6 {
            h.push([Some(i as f64), None]);
        }
        let mut out = Vec::new();
        let first = h.snapshot(&mut out);
        assert_eq!(first, 2);
        let firsts: Vec<_> = out.iter().map(|r| r[0]).collect();
        assert_eq!(firsts, vec![Some(2.0), Some(3.0), Some(4.0), Some(5.0)]);
        assert!(out.iter().all(|r| r[1].is_none()));
        h.clear();
        assert_eq!(h.snapshot(&mut out), 0);
        assert!(out.is_empty());
    }
}
