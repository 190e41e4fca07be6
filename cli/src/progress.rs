//! Progress bars on stderr (`indicatif`): one line per file being worked on,
//! shown only when stderr is a terminal.

use std::io::IsTerminal;
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
        FileProgress { bar }
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

/// One file's bar; removed from the screen when dropped.
pub struct FileProgress {
    bar: ProgressBar,
}

impl FileProgress {
    /// Starts a phase (`message`) over `total_frames`, if known.
    pub fn start_phase(&self, message: String, total_frames: Option<u64>) {
        self.bar.set_message(message);
        self.bar.set_position(0);
        match total_frames {
            Some(total) => {
                self.bar.disable_steady_tick();
                self.bar.set_length(total);
            }
            None => {
                self.bar.unset_length();
                self.bar.enable_steady_tick(SPINNER_TICK);
            }
        }
        self.bar.reset_eta();
    }

    /// Counts `frames` more frames done in the current phase.
    pub fn advance(&self, frames: usize) {
        self.bar.inc(frames as u64);
    }
}

impl Drop for FileProgress {
    fn drop(&mut self) {
        self.bar.finish_and_clear();
    }
}
