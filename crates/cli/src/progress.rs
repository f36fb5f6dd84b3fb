//! The progress line on stderr during long searches, silent when stderr is not a terminal.

use std::cell::Cell;
use std::io::IsTerminal;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use mutexcheck_checker::Progress;

/// A spinner showing states, transitions, depth and the frontier while a search runs.
pub struct ProgressLine {
    bar: ProgressBar,
    /// The spinner starts with the first update (after about a thousand expansions), so
    /// short searches never draw anything.
    ticking: Cell<bool>,
}

impl ProgressLine {
    /// A progress line on stderr, hidden when `quiet` or when stderr is not a terminal (so
    /// logs and pipes stay clean).
    pub fn new(quiet: bool) -> ProgressLine {
        let target = if quiet || !std::io::stderr().is_terminal() {
            ProgressDrawTarget::hidden()
        } else {
            ProgressDrawTarget::stderr_with_hz(5)
        };
        let bar = ProgressBar::with_draw_target(None, target);
        if let Ok(style) = ProgressStyle::with_template("{spinner} {elapsed} {msg}") {
            bar.set_style(style);
        }
        ProgressLine { bar, ticking: Cell::new(false) }
    }

    /// Shows the search's current counts.
    pub fn update(&self, p: &Progress<'_>) {
        if !self.ticking.replace(true) {
            self.bar.enable_steady_tick(Duration::from_millis(200));
        }
        self.bar.set_message(format!(
            "{} states, {} transitions, depth {}, {} to expand",
            p.stats.states, p.stats.transitions, p.stats.max_depth, p.frontier
        ));
    }

    /// Removes the line before the report is printed.
    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}
