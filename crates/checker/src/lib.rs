//! The mutexcheck checker: exhaustive explicit-state search over a model's transition
//! system, with every property, shortest counterexamples and search statistics.
//!
//! - [`Checkable`]: the one abstraction the search is generic over; [`SystemModel`] adapts
//!   a [`mutexcheck_core::System`] to it with every built-in and declared property.
//! - [`Request`]: what a check runs (engine, threads, storage, reductions, [`Limits`]) as
//!   one value; [`Request::check`] is the one way to run it on a `System`: breadth-first
//!   (default, shortest counterexample) or depth-first search, both over the sharded
//!   visited store ([`visited`]).
//! - [`CheckResult`]: verdict, [`Counterexample`] and [`Stats`]; [`report`] renders it as
//!   text or JSON.
//! - [`trace`]: the versioned JSON trace format and replay; [`graph`]: the state graph as
//!   Graphviz DOT.
//!
//! Parsing is not done here: the input is an IR [`mutexcheck_core::Model`].

pub mod allowed;
pub(crate) mod bfs;
pub mod checkable;
pub mod checks;
pub mod coverage;
pub(crate) mod dfs;
mod discovery;
pub mod expansion;
pub mod explore;
pub mod fingerprint;
pub mod graph;
pub(crate) mod graph_arrays;
pub mod guard;
pub(crate) mod handoff;
pub(crate) mod huge_pages;
pub mod limits;
pub mod liveness;
pub mod numbered;
pub(crate) mod numbering;
pub(crate) mod packed;
pub mod pairs;
pub mod path;
pub mod properties;
pub mod report;
pub mod request;
pub mod resident;
pub mod result;
pub(crate) mod row_labels;
pub mod shortest;
pub mod simulate;
pub mod spread;
pub mod state_graph;
pub mod stats;
pub mod story;
pub mod system_model;
#[cfg(test)]
pub(crate) mod test_model;
pub mod trace;
pub mod trail;
pub mod visited;

pub use checkable::Checkable;
pub use checks::Checks;
pub use explore::Progress;
pub use guard::{Guard, Interrupt, LastWords};
pub use limits::{Limit, Limits, Strategy};
pub use properties::{Violation, ViolationKind};
pub use request::{Bfs, Dfs, Engine, Request};
pub use result::{CheckResult, Counterexample, TraceStep, Verdict, VerdictKind};
pub use spread::Spread;
pub use stats::{Stats, Storage};
pub use system_model::{Move, Reductions, SystemModel};

use mutexcheck_core::{IrError, Model, System};

/// Validates a model for checking, with the crash budget overridden when `crashes` is given
/// (the command line's `--crashes N` beats the model's `crashes N`).
pub fn prepare(mut model: Model, crashes: Option<u32>) -> Result<System, IrError> {
    if let Some(n) = crashes {
        model.crashes = n;
    }
    System::new(model)
}

/// What [`Request::check`] does with the result of a search of `model` (a [`SystemModel`] of
/// `system`): the counterexample told as a real run of the model ([`story::tell`]), the
/// reductions that took effect, and, when safety holds and the model has liveness
/// properties, the liveness check. Shared with searches run elsewhere (the cluster), so that
/// their reports are the same.
pub fn finish(
    system: &System,
    model: &SystemModel<'_>,
    found: CheckResult<mutexcheck_core::State, Move>,
    request: &Request,
    guard: &Guard,
) -> CheckResult {
    finish_with(system, model, found, request, guard, None)
}

/// [`finish`], with the liveness check's outcome `live` when the search that found `found`
/// recorded the liveness graph too (see [`liveness::once`]): then it is not checked again.
pub(crate) fn finish_with(
    system: &System,
    model: &SystemModel<'_>,
    found: CheckResult<mutexcheck_core::State, Move>,
    request: &Request,
    guard: &Guard,
    live: Option<liveness::LiveOutcome>,
) -> CheckResult {
    let mut result = story::tell(model, found);
    let effective = model.reductions();
    result.stats.symmetry = effective.symmetry;
    result.stats.partial_order = effective.partial_order;
    result.stats.symmetry_off = model.symmetry_off();
    if result.verdict == Verdict::Ok && liveness::has_liveness(system) {
        // Safety holds everywhere: now the infinite runs, on the whole graph, with the
        // reductions that are sound for them.
        let outcome = live.unwrap_or_else(|| {
            let live = liveness::LiveOptions::after_safety(effective, request.engine.threads());
            liveness::check(system, &live, &request.limits, guard)
        });
        result.verdict = match outcome.found {
            Ok(Some(lasso)) => Verdict::Violation(lasso),
            Ok(None) => Verdict::Ok,
            Err(limit) => Verdict::Incomplete(limit),
        };
        // The counts are the liveness graph's; the reductions stay the safety search's, and
        // the liveness check's are named beside them.
        let (s, stats) = (&mut result.stats, outcome.stats);
        (s.states, s.transitions, s.max_depth) = (stats.states, stats.transitions, stats.max_depth);
        s.allowed = stats.allowed;
        s.elapsed += stats.elapsed;
        s.peak_rss_kb = stats.peak_rss_kb;
        s.stored_bytes = stats.stored_bytes;
        s.liveness = true;
        s.liveness_reductions = Some(outcome.reductions);
    }
    // Only a complete search that found nothing ran everything a run can run: a bound or a
    // violation stops it with part of the graph unexplored.
    if result.verdict == Verdict::Ok {
        result.stats.unreached = Some(coverage::unreached(system, &model.coverage().words()));
    }
    result
}
