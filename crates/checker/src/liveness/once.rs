//! A model with liveness properties explored once: the safety search and the recording of
//! the liveness graph as one breadth-first search.
//!
//! After a safety search that finds nothing, the liveness check records the whole graph
//! ([`super::check`]). When that recording would have exactly the safety search's reductions
//! (no symmetry took effect: the liveness check's own graph, without symmetry, is then the
//! safety search's graph) and the engine is breadth-first with no depth limit, one recording
//! that also checks every property as the safety search does ([`crate::bfs::record_checked`])
//! gives both: when it finds no violation, safety holds and its graph goes straight to the
//! component search ([`super::judge`]); its counts are the ones the liveness pass reports,
//! and its batches are the safety search's, so the threads it reports are too.
//!
//! The output stays the two-pass one byte for byte because whatever the single pass cannot
//! tell exactly is left to the two passes ([`Once::TwoPasses`]):
//! - a violation: its shortest run, and the counts up to it, are the plain safety search's
//!   (which a violation found in the middle of a batch of the recording does not give);
//! - the state limit: the safety search's counts at the limit (the state and the transition
//!   where it stops), not the recording's whole rows.
//!
//! A time or memory bound (or an interrupt) stops the single pass as it stops the safety
//! search: the verdict is incomplete, with the counts of the states found so far, and no
//! liveness check ran ([`Once::Stopped`]).

use mutexcheck_core::{State, System};

use super::{goals, has_liveness, judge, record_labels, Graph, How, LiveOutcome};
use crate::explore::Progress;
use crate::guard::Guard;
use crate::limits::{Limit, Strategy};
use crate::request::{Engine, Request};
use crate::result::{CheckResult, Verdict};
use crate::stats::{Stats, Storage};
use crate::system_model::{Move, SystemModel};
use crate::Checkable;

/// What [`check_once`] found.
pub(crate) enum Once {
    /// The single pass does not apply, or cannot give the output of the two passes exactly:
    /// run them.
    TwoPasses,
    /// A time or memory bound stopped the single pass: the safety search's incomplete result.
    Stopped(CheckResult<State, Move>),
    /// Safety holds (`found`, with the figures of the safety search the report keeps: its
    /// storage and threads), and the liveness check's `outcome`.
    Checked { found: CheckResult<State, Move>, outcome: LiveOutcome },
}

/// True when `request` on `model` (of `system`, made with the request's reductions) is
/// checked in one pass: breadth-first with no depth limit, a model with liveness
/// properties, and no symmetry in effect (with symmetry, the liveness check records graphs
/// of its own: see `symmetric.rs`).
pub(crate) fn applies(system: &System, model: &SystemModel<'_>, request: &Request) -> bool {
    matches!(request.engine, Engine::Bfs(_))
        && request.limits.max_depth.is_none()
        && !model.reductions().symmetry
        && model.symmetry().is_none()
        && has_liveness(system)
}

/// Checks safety and liveness of `model` (of `system`) in one recording when
/// [`applies`] says so; see the module comment.
pub(crate) fn check_once(
    system: &System,
    model: &SystemModel<'_>,
    request: &Request,
    guard: &Guard,
    progress: &mut dyn FnMut(&Progress<'_>),
) -> Once {
    let Engine::Bfs(engine) = request.engine else {
        return Once::TwoPasses;
    };
    if !applies(system, model, request) {
        return Once::TwoPasses;
    }
    let start = std::time::Instant::now();
    let (graph, stats) = match record_labels(model, &request.limits, &mut How::Checked { engine, progress }, guard) {
        Graph::Violated => return Once::TwoPasses,
        Graph::Recorded(Err(Limit::MaxStates(_)), _) => return Once::TwoPasses,
        Graph::Recorded(graph, stats) => (graph, stats),
    };
    // What the safety search would report of its storage and threads.
    let storage = Storage::of(engine.stores_fingerprints(), model.packed_words());
    let safety = Stats { storage, threads: stats.threads, ..Stats::default() };
    match graph {
        Err(limit) => {
            let stats = Stats { storage, ..stats };
            Once::Stopped(CheckResult { verdict: Verdict::Incomplete(limit), stats, strategy: Strategy::Bfs })
        }
        Ok(graph) => {
            let outcome = judge(model, Ok(graph), stats, &goals(system), guard, start);
            Once::Checked {
                found: CheckResult { verdict: Verdict::Ok, stats: safety, strategy: Strategy::Bfs },
                outcome,
            }
        }
    }
}
