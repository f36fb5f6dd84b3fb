//! The progress line on stderr during long searches, silent when stderr is not a terminal.

use std::io::IsTerminal;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use mutexcheck_checker::Progress;

/// A spinner showing states, transitions, depth and the frontier while a search runs.
pub struct ProgressLine {
    bar: ProgressBar,
}

impl ProgressLine {
    /// A progress line on stderr, hidden when `quiet` or when stderr is not a terminal (so
    /// logs and pipes stay clean).
    pub fn new(quiet: bool) -> ProgressLine {
        let target = if quiet || !std::io::stderr().is_terminal() {
            ProgressDrawTarget::hidden()
        } else {
            ProgressDrawTarget::stderr()
        };
        let bar = ProgressBar::with_draw_target(None, target);
        if let Ok(style) = ProgressStyle::with_template("{spinner} {elapsed} {msg}") {
            bar.set_style(style);
        }
        bar.enable_steady_tick(Duration::from_millis(200));
        ProgressLine { bar }
    }

    /// Shows the search's current counts.
    pub fn update(&self, p: &Progress<'_>) {
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
