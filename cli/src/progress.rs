//! Progress bars on stderr (`indicatif`): one line per file being worked on,
//! shown only when stderr is a terminal. A file's bar covers its whole job
//! ([`JobProgress`]): it never jumps back between passes.

use std::io::IsTerminal;
use std::sync::Mutex;
use std::time::Duration;

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

/// How often bars are redrawn at most, Hz.
const REFRESH_RATE_HZ: u8 = 10;
/// Longest file name shown before a bar, characters.
const NAME_WIDTH: usize = 24;
/// Template of a file's bar: name, phase, bar, percentage, time left.
const BAR_TEMPLATE: &str = "{prefix:24} {msg:22} [{bar:30}] {percent:>3}% {eta}";
/// Tick of the spinner used while a file's length is unknown.
const SPINNER_TICK: Duration = Duration::from_millis(100);

/// The set of bars of one run.
pub struct Progress {
    multi: MultiProgress,
}

impl Progress {
    /// Bars on stderr when it is a terminal, drawn nowhere otherwise.
    pub fn for_stderr() -> Self {
        let target = if std::io::stderr().is_terminal() {
            ProgressDrawTarget::stderr_with_hz(REFRESH_RATE_HZ)
        } else {
            ProgressDrawTarget::hidden()
        };
        Self {
            multi: MultiProgress::with_draw_target(target),
        }
    }

    /// Adds a bar for the file called `name`.
    pub fn add_file(&self, name: &str) -> FileProgress {
        let bar = self.multi.add(ProgressBar::new(0));
        let style = ProgressStyle::with_template(BAR_TEMPLATE)
            .expect("the bar template is valid")
            .progress_chars("=> ");
        bar.set_style(style);
        let shown: String = if name.chars().count() > NAME_WIDTH {
            let tail: Vec<char> = name.chars().rev().take(NAME_WIDTH - 1).collect();
            std::iter::once('…').chain(tail.into_iter().rev()).collect()
        } else {
            name.to_owned()
        };
        bar.set_prefix(shown);
        FileProgress {
            bar,
            job: Mutex::new(JobProgress::new(1)),
        }
    }

    /// Prints a line on stderr without tearing the bars.
    pub fn eprintln(&self, line: &str) {
        self.multi.suspend(|| eprintln!("{line}"));
    }

    /// Runs `f` (e.g. printing to stdout) with the bars cleared meanwhile.
    pub fn suspend<R>(&self, f: impl FnOnce() -> R) -> R {
        self.multi.suspend(f)
    }
}

/// Where one file's job stands, across all its phases (an analysis pass
/// and the processing passes of `lathe master`, or the single pass of
/// `lathe process`), as one bar whose position never goes back.
///
/// The bar's length is the frames of the phases done plus the current
/// phase's frames for every phase still planned, so it reads as the share
/// of the whole job. When more phases run than planned, the length grows
/// (the percentage dips a little) but the position keeps counting up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobProgress {
    /// Phases the job expects to run (≥ the phases started).
    planned_phases: u64,
    /// Phases started so far.
    phases_started: u64,
    /// Frames of the current phase, when known.
    phase_frames: Option<u64>,
    /// Frames counted by the phases already finished.
    completed_frames: u64,
    /// Frames done in the current phase (≤ `phase_frames`).
    phase_done_frames: u64,
}

impl JobProgress {
    /// A job expecting `planned_phases` phases (at least one).
    pub fn new(planned_phases: u64) -> Self {
        Self {
            planned_phases: planned_phases.max(1),
            phases_started: 0,
            phase_frames: None,
            completed_frames: 0,
            phase_done_frames: 0,
        }
    }

    /// Expects `planned_phases` phases in all (never fewer than started).
    pub fn plan(&mut self, planned_phases: u64) {
        self.planned_phases = planned_phases.max(self.phases_started).max(1);
    }

    /// Starts the next phase, over `frames` if known. The phase before it
    /// counts as whole: a short read (a truncated file) still moves the bar
    /// on by the frames the length allowed for.
    pub fn start_phase(&mut self, frames: Option<u64>) {
        if self.phases_started > 0 {
            self.completed_frames += self
                .phase_frames
                .unwrap_or(self.phase_done_frames)
                .max(self.phase_done_frames);
        }
        self.phases_started += 1;
        self.planned_phases = self.planned_phases.max(self.phases_started);
        self.phase_frames = frames;
        self.phase_done_frames = 0;
    }

    /// Counts `frames` more done in the current phase (no further than its
    /// length, when known).
    pub fn advance(&mut self, frames: u64) {
        self.phase_done_frames = self.phase_done_frames.saturating_add(frames);
        if let Some(total) = self.phase_frames {
            self.phase_done_frames = self.phase_done_frames.min(total);
        }
    }

    /// Frames done over the whole job.
    pub fn position(&self) -> u64 {
        self.completed_frames + self.phase_done_frames
    }

    /// Frames of the whole job as now planned; `None` while the current
    /// phase's length is unknown.
    pub fn length(&self) -> Option<u64> {
        let phases_left = self.planned_phases - self.phases_started.max(1) + 1;
        self.phase_frames
            .map(|frames| self.completed_frames + frames * phases_left)
    }

    /// The current phase number (1-based) and the phases planned.
    pub fn phase_of(&self) -> (u64, u64) {
        (self.phases_started, self.planned_phases)
    }
}

/// One file's bar; removed from the screen when dropped.
pub struct FileProgress {
    bar: ProgressBar,
    job: Mutex<JobProgress>,
}

impl FileProgress {
    /// Expects `planned_phases` phases in all (see [`JobProgress::plan`]);
    /// a bar expects one until told otherwise.
    pub fn plan(&self, planned_phases: u64) {
        self.with_job(|job| job.plan(planned_phases));
    }

    /// Starts the next phase (`message`) over `total_frames`, if known; the
    /// bar carries on from where the last phase left it.
    pub fn start_phase(&self, message: String, total_frames: Option<u64>) {
        self.bar.set_message(message);
        let first = self.with_job(|job| {
            job.start_phase(total_frames);
            job.phase_of().0 == 1
        });
        match total_frames {
            Some(_) => self.bar.disable_steady_tick(),
            None => self.bar.enable_steady_tick(SPINNER_TICK),
        }
        self.sync();
        if first {
            self.bar.reset_eta();
        }
    }

    /// Counts `frames` more frames done in the current phase.
    pub fn advance(&self, frames: usize) {
        self.with_job(|job| job.advance(frames as u64));
        self.sync();
    }

    fn with_job<R>(&self, f: impl FnOnce(&mut JobProgress) -> R) -> R {
        // A panic elsewhere cannot leave a counter half-updated.
        let mut job = self.job.lock().unwrap_or_else(|e| e.into_inner());
        f(&mut job)
    }

    /// Shows the job's state on the bar.
    fn sync(&self) {
        let (position, length) = self.with_job(|job| (job.position(), job.length()));
        match length {
            Some(length) => self.bar.set_length(length),
            None => self.bar.unset_length(),
        }
        self.bar.set_position(position);
    }
}

impl Drop for FileProgress {
    fn drop(&mut self) {
        self.bar.finish_and_clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Frames per decoded block in the simulation.
    const BLOCK_FRAMES: u64 = 4096;

    /// Runs a simulated job: each `(frames, advanced)` starts a phase of
    /// `frames` (if known) and then advances `advanced` frames in blocks.
    /// Returns `(position, length)` after every step.
    fn simulate(planned: u64, phases: &[(Option<u64>, u64)]) -> Vec<(u64, Option<u64>)> {
        let mut job = JobProgress::new(planned);
        let mut trace = vec![(job.position(), job.length())];
        for &(frames, advanced) in phases {
            job.start_phase(frames);
            trace.push((job.position(), job.length()));
            let mut left = advanced;
            while left > 0 {
                let n = left.min(BLOCK_FRAMES);
                job.advance(n);
                left -= n;
                trace.push((job.position(), job.length()));
            }
        }
        trace
    }

    fn assert_monotonic(trace: &[(u64, Option<u64>)]) {
        for pair in trace.windows(2) {
            assert!(pair[1].0 >= pair[0].0, "position went back: {pair:?}");
        }
        for &(position, length) in trace {
            if let Some(length) = length {
                assert!(position <= length, "past the end: {position} > {length}");
            }
        }
    }

    #[test]
    fn a_master_job_never_goes_back() {
        let frames = 44_100 * 7 + 123;
        // Analysis then three passes, as planned: the fraction rises too.
        let trace = simulate(4, &[(Some(frames), frames); 4]);
        assert_monotonic(&trace);
        let fractions: Vec<f64> = trace
            .iter()
            .filter_map(|&(p, l)| l.map(|l| p as f64 / l as f64))
            .collect();
        for pair in fractions.windows(2) {
            assert!(pair[1] >= pair[0], "{pair:?}");
        }
        let &(end, length) = trace.last().unwrap();
        assert_eq!(Some(end), length);
        assert_eq!(end, 4 * frames);

        // More passes than planned, an analysis of unknown length and a
        // truncated pass: the position still only counts up.
        let trace = simulate(
            3,
            &[
                (None, frames),
                (Some(frames), frames),
                (Some(frames), frames / 2),
                (Some(frames), frames + 10 * BLOCK_FRAMES),
                (Some(frames), frames),
                (Some(frames), frames),
            ],
        );
        assert_monotonic(&trace);
        assert_eq!(trace.last().unwrap().0, 6 * frames);
    }

    #[test]
    fn planning_never_forgets_started_phases() {
        let mut job = JobProgress::new(2);
        job.start_phase(Some(10));
        job.start_phase(Some(10));
        job.start_phase(Some(10));
        job.plan(1);
        assert_eq!(job.phase_of(), (3, 3));
        assert_eq!(job.length(), Some(30));
    }
}
