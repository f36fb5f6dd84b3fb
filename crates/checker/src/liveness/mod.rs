//! Liveness: livelock and starvation, found as fair cycles of the state graph.
//!
//! A liveness violation is an infinite run, so a counterexample is a *lasso*: a prefix from
//! the initial state and a cycle that repeats forever. Runs are judged under **weak fairness
//! of threads**: a run in which some thread stays able to move from some point on, yet never
//! moves again, is not a real run of a scheduler and is ignored. A thread is *unable to move*
//! in a state when it is finished, dead, blocked, or held off by another thread inside an
//! atomic block ([`facts::unable`]). Crashes and restarts are not subject to fairness (a
//! crash is optional) and cannot lie on a cycle (each one uses up the crash budget, a counter
//! that only grows).
//!
//! The check records the whole reachable graph of a [`SystemModel`] on the shared store
//! ([`crate::state_graph::record`]: packed states, a CSR of edges), labelling each move with
//! its [`facts::MoveFacts`] and marking each state with who cannot move there and who is
//! blocked on a starvation mutex. Dead data is canonical (a bisimulation: it keeps every
//! infinite run). Where that graph is the safety search's own, one breadth-first search
//! checks safety and records it (`once.rs`). It then looks at the strongly connected
//! components ([`scc`]) of a subgraph per goal:
//! - **livelock**, when the model has `progress` statements: the subgraph without the moves
//!   that pass `progress`. A run that from some point never passes `progress` stays, from
//!   that point, in one component of it.
//! - **starvation of `m`**, for each thread `t`: the subgraph without the moves where `t`
//!   acquires `m`; the component must also hold a move of another thread that acquires `m`,
//!   and `t` must be trying for `m` in it (blocked on it, or a wait on it that failed).
//!
//! A component holds a fair cycle exactly when every thread either moves inside it or is
//! unable to move in one of its states (or in a transient state one of its moves passes): a
//! cycle through all of it then gives every thread its due. The first such component, in the
//! order of the states' discovery, is reported ([`lasso`]), with a shortest prefix to it and a
//! cycle through the moves and states that make it fair, re-executed on real states; replay
//! checks it again with [`recheck()`].
//!
//! **Partial-order reduction** ([`mutexcheck_core::por`]) is sound here too. In the reduced
//! graph a stored state is fully expanded; a move follows a step through *transient* states,
//! where either the lowest thread `t` whose next step `α` is invisible (local only, never
//! blocks, outside atomic; `progress` is never invisible) moves alone, or the holder of an
//! atomic block that cannot block does. The static cycle proviso (an instruction on a cycle
//! of invisible instructions is never reduced) makes every chain of transient states finite.
//! - *Reduced to full.* A move is a path of the full graph, so a cycle of moves is a cycle of
//!   the full graph through the same steps. Its fairness is judged on all of its states:
//!   the stored ones by their marks, the transient ones by what the move's facts record of
//!   them (threads unable to move, threads blocked on a starvation mutex, there but not in
//!   the move's last state). Both use full enabledness: what the real state allows, never
//!   "not explored in the reduced graph". So a fair cycle found reduced is one of the full
//!   graph with the same progress steps and acquisitions (and [`recheck()`] confirms it on the
//!   unreduced model).
//! - *Full to reduced.* Take a fair run ρ of the full graph from a transient state `s` of an
//!   invisible `α` of `t`. Only `t` changes `t`'s locals and position, and nothing else reads
//!   them, so `α` stays enabled until `t` moves, unless `t`'s process crashes or `t` dies, or
//!   another thread's atomic block holds `t` off. If ρ moves `t`, its first step of `t` is
//!   `α`, and moving it to the front (`α` commutes with every step before it) gives a run
//!   with the same steps otherwise and the same states after `t`'s step. If ρ never moves
//!   `t`, weak fairness makes `t` unable to move infinitely often in ρ (dead, or held off),
//!   and `α·ρ` is a run through the same states but for `t`'s locals and position, in which
//!   `t` is unable to move at the same places. Either way the new run is fair, passes the
//!   same `progress` steps (`α` is none) and the same acquisitions (`α` is no wait or lock),
//!   and every other thread is enabled or not in the same places. A transient state of an
//!   atomic block has its holder's steps only, as in the full graph, where the others are
//!   held off. Repeating this at each transient state (finitely many before each stored
//!   state) gives a run of moves that keeps every step of ρ in order, inserts only invisible
//!   steps, and is fair; its suffix stays in one component of the goal's subgraph, which the
//!   check finds. For starvation, the starving thread's acquisitions of the mutex are waits
//!   or locks: never invisible, so they stay steps of their own moves and are filtered.
//!
//! **Symmetry** is not simply sound here: a symmetry class may merge the thread that starves
//! with one that does not, and fairness of one thread is not fairness of its class. With
//! symmetry asked and interchangeable instances, the check runs on the quotient graph
//! (`symmetric.rs`, with one instance pinned for starvation) where a component proves the
//! absence of a violation, lifts a lasso to a real run (`lift.rs`) that [`recheck()`] confirms,
//! and leaves any doubt to the check without symmetry: its verdicts are this check's.

pub mod facts;
pub mod labels;
pub mod lasso;
mod lift;
pub(crate) mod once;
pub mod recheck;
pub mod scc;
mod symmetric;

pub use lasso::build_lasso;
pub use recheck::recheck;
pub use scc::{find_fair_component, Goal, LiveGraph};

use mutexcheck_core::ir::Liveness;
use mutexcheck_core::{System, ThreadId};

use crate::explore::Progress;
use crate::guard::Guard;
use crate::limits::{Limit, Limits};
use crate::request::Bfs;
use crate::result::Counterexample;
use crate::state_graph::{record_with_progress, Recorded};
use crate::stats::Stats;
use crate::system_model::{Reductions, SystemModel};

/// True when the model states a liveness property (a `progress` statement or `starvation`).
pub fn has_liveness(system: &System) -> bool {
    system.model().has_progress() || !system.model().liveness.is_empty()
}

/// How the liveness check runs: the reductions of the graph it records, and the threads
/// the recording may use.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LiveOptions {
    /// The reductions of the recorded [`SystemModel`].
    pub reductions: Reductions,
    /// Threads the recording may use.
    pub threads: usize,
}

impl LiveOptions {
    /// The liveness check's options when the safety search ran with `asked` (the reductions
    /// that took effect): partial-order reduction and symmetry as asked, both sound for
    /// liveness (see the module comment and `symmetric.rs`).
    pub fn after_safety(asked: Reductions, threads: usize) -> LiveOptions {
        LiveOptions { reductions: asked, threads }
    }
}

/// What the liveness check found.
#[derive(Clone, Debug)]
pub struct LiveOutcome {
    /// The lasso of the first fair cycle that breaks a liveness property, or none; `Err`
    /// when a bound stopped the check.
    pub found: Result<Option<Counterexample>, Limit>,
    /// The counts of the recorded graph, time and memory.
    pub stats: Stats,
    /// The reductions the check ran with.
    pub reductions: Reductions,
}

/// The goals of `system`'s liveness properties, in the order they are searched: livelock,
/// then starvation of each `starvation` property's mutex for each thread.
pub fn goals(system: &System) -> Vec<Goal> {
    let mut goals = Vec::new();
    if system.model().has_progress() {
        goals.push(Goal::Livelock);
    }
    for l in &system.model().liveness {
        let Liveness::Starvation { mutex, .. } = l;
        for t in 0..system.thread_count() as ThreadId {
            goals.push(Goal::Starvation { mutex: *mutex, starving: t });
        }
    }
    goals
}

/// Records the liveness graph of `model` within `limits`; `Err` with the bound that stopped
/// it. The statistics are the recording's either way. The labels are fact indices, kept per
/// row as an index into the distinct sequences of rows' labels (`row_labels.rs`; see
/// [`labels`]).
pub fn record_graph(
    model: &SystemModel<'_>,
    limits: &Limits,
    threads: usize,
    guard: &Guard,
) -> (Result<LiveGraph, Limit>, Stats) {
    // Only a recording that checks the properties meets a violation.
    record_labels(model, limits, &mut How::Plain { threads }, guard)
        .unwrap_or_else(|Violated| (Err(guard.cut_short_by()), Stats::default()))
}

/// How [`record_labels`] records: checking nothing on `threads` threads, or checking every
/// property as the safety search on `engine` does, calling `progress` now and then (see
/// [`crate::bfs::record_checked`]).
pub(crate) enum How<'a> {
    Plain { threads: usize },
    Checked { engine: Bfs, progress: &'a mut dyn FnMut(&Progress<'_>) },
}

/// A recording that checks the properties met a violation.
pub(crate) struct Violated;

/// The graph, or the bound that stopped it, and the recording's statistics.
type Graph = (Result<LiveGraph, Limit>, Stats);

/// [`record_graph`] recorded as `how` says.
pub(crate) fn record_labels(
    model: &SystemModel<'_>,
    limits: &Limits,
    how: &mut How<'_>,
    guard: &Guard,
) -> Result<Graph, Violated> {
    record_how::<u32>(model, limits, how, guard).expect("a 4-byte label holds every fact index")
}

/// [`record_graph`] with labels of type `L`; `None` when the fact table outgrew them.
#[cfg(test)]
fn record_with<L: labels::FactIndex>(
    model: &SystemModel<'_>,
    limits: &Limits,
    threads: usize,
    guard: &Guard,
) -> Option<(Result<LiveGraph, Limit>, Stats)> {
    let recorded = record_how::<L>(model, limits, &mut How::Plain { threads }, guard)?;
    Some(recorded.unwrap_or_else(|Violated| (Err(guard.cut_short_by()), Stats::default())))
}

/// [`record_labels`] with labels of type `L`; `None` when the fact table outgrew them.
fn record_how<L: labels::FactIndex>(
    model: &SystemModel<'_>,
    limits: &Limits,
    how: &mut How<'_>,
    guard: &Guard,
) -> Option<Result<Graph, Violated>> {
    let system = model.system();
    let recorder = facts::LiveRecorder::<L>::new(system);
    let recorded = match how {
        How::Plain { threads } => record_with_progress(model, &recorder, limits, *threads, guard, &mut |_| {}),
        How::Checked { engine, progress } => {
            match crate::bfs::record_checked(model, &recorder, limits, engine, guard, *progress) {
                Some(recorded) => recorded,
                None => return Some(Err(Violated)),
            }
        }
    };
    let Recorded { graph, mut stats, stopped } = recorded;
    if recorder.overflowed() {
        return None;
    }
    let (mutexes, set_words) = (recorder.mutexes().to_vec(), recorder.set_words());
    let (facts, allowed) = recorder.finish();
    // A recording that checks and stopped at a bound reports what the safety search would:
    // the allowed outcomes of the transitions it counted.
    if matches!(how, How::Plain { .. }) || stopped.is_none() {
        stats.allowed = allowed.into_counts();
    }
    if let Some(limit) = stopped {
        return Some(Ok((Err(limit), stats)));
    }
    let graph = graph.relabel();
    let graph = LiveGraph { graph, facts, threads: system.thread_count(), mutexes, set_words };
    Some(Ok((Ok(graph), stats)))
}

/// The liveness verdict of `system` with `options` within `limits` (see the module comment).
pub fn check(system: &System, options: &LiveOptions, limits: &Limits, guard: &Guard) -> LiveOutcome {
    if options.reductions.symmetry && !system.symmetry().is_empty() {
        return symmetric::check(system, options, limits, guard);
    }
    check_goals(system, options, &goals(system), limits, guard)
}

/// [`check`] of `goals` only, in their order, without symmetry.
fn check_goals(system: &System, options: &LiveOptions, goals: &[Goal], limits: &Limits, guard: &Guard) -> LiveOutcome {
    let options = LiveOptions { reductions: Reductions { symmetry: false, ..options.reductions }, ..*options };
    let start = std::time::Instant::now();
    let model = SystemModel::new(system, options.reductions).with_interrupt(guard.interrupt());
    let (graph, stats) = record_graph(&model, limits, options.threads, guard);
    judge(&model, graph, stats, goals, guard, start)
}

/// The verdict on `goals` of the liveness graph `graph` of `model` (or the bound that
/// stopped its recording), with the recording's statistics `stats`, the time counted from
/// `start`.
pub(crate) fn judge(
    model: &SystemModel<'_>,
    graph: Result<LiveGraph, Limit>,
    mut stats: Stats,
    goals: &[Goal],
    guard: &Guard,
    start: std::time::Instant,
) -> LiveOutcome {
    let reductions = model.reductions();
    let found = graph.and_then(|g| {
        // Tarjan's arrays: 9 bytes a state.
        guard.room_for(g.graph.states() * 9)?;
        let mut buf = scc::Tarjan::default();
        for &goal in goals {
            let component = find_fair_component(&g, goal, &mut buf, &|| guard.exceeded().is_some());
            if let Some(limit) = guard.exceeded() {
                return Err(limit);
            }
            if let Some(component) = component {
                return Ok(Some(build_lasso(model, &g, goal, &component)));
            }
        }
        Ok(None)
    });
    stats.elapsed = start.elapsed();
    stats.peak_rss_kb = crate::stats::peak_rss_kb();
    LiveOutcome { found, stats, reductions }
}
