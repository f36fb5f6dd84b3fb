//! The trace viewer: a counterexample as one self-contained HTML page (issue #12).
//!
//! A page is made from a saved JSON trace and its model, never from a search: the trace is
//! replayed on the model ([`mutexcheck_checker::trace::replay_run`]) and the real state after
//! every step is described with the same functions the text reports use
//! ([`mutexcheck_core::describe`]). [`snapshot`] turns that run into [`snapshot::ViewData`],
//! the page's data; [`page`] writes the HTML around it from the template files in
//! `src/template/` (HTML, CSS, plain JavaScript, all inlined: the page needs no network and
//! opens from `file://`). `docs/viewer.md` says what the page shows.

pub mod page;
pub mod snapshot;

use mutexcheck_checker::trace::{replay_run, ReplayVerdict, TraceFile};
use mutexcheck_checker::Counterexample;
use mutexcheck_core::System;

/// Why a trace cannot be shown: it does not replay on the model, so the states the page would
/// draw do not exist.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ViewError {
    /// The first step (from 1; 0 for the initial state) that no longer matches.
    pub step: usize,
    /// Why, in replay's words.
    pub reason: String,
}

impl std::fmt::Display for ViewError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "the trace does not replay on this model, so it cannot be shown: step {}: {}", self.step, self.reason)
    }
}

impl std::error::Error for ViewError {}

/// The viewer page of `trace` on `system`, whose model file has the bytes `source` (shown
/// in the page, with the line of each step highlighted). The trace must replay and end in
/// its recorded violation; otherwise the error names the step that no longer matches.
pub fn render(system: &System, trace: &TraceFile, source: &[u8]) -> Result<String, ViewError> {
    let run = replay_run(system, trace);
    if let ReplayVerdict::Diverged { step, reason } = run.replay.verdict {
        return Err(ViewError { step, reason });
    }
    let data = snapshot::ViewData::new(system, trace, source, &run.initial, &run.steps);
    Ok(page::html(&data))
}

/// The viewer page of `trace` made from `cex`, the counterexample the trace was just built
/// from (as `check --html` has it): the real states are at hand, so nothing is replayed. The
/// page is the one [`render`] makes of the same trace.
pub fn render_counterexample(system: &System, trace: &TraceFile, source: &[u8], cex: &Counterexample) -> String {
    page::html(&snapshot::ViewData::new(system, trace, source, &cex.initial, &cex.steps))
}
