//! One typed run request: what a check runs (the search engine and its options, the
//! reductions, the bounds), as one value, and the one way to run it on a [`System`].
//!
//! A request is built in stateright's style and then run:
//!
//! ```
//! # use mutexcheck_checker::{Bfs, Limits, Reductions, Request};
//! let request = Request::new()
//!     .engine(Bfs::new().threads(4).fingerprints(true))
//!     .reductions(Reductions::NONE)
//!     .limits(Limits { max_states: Some(1000), ..Limits::default() });
//! assert_eq!(request.engine.threads(), 4);
//! ```
//!
//! Combinations that make no sense cannot be written: threads belong to [`Bfs`], the
//! breadth-first engine; [`Dfs`], the depth-first one, runs on one thread and has none. Both
//! store states in the same visited store ([`crate::visited::Shard`]), so both can store
//! fingerprints. A thread count of 0 is taken as 1, as "no parallelism" reads. The cluster's request
//! (`mutexcheck_cluster::ClusterRequest`) has no engine field at all: it is breadth-first.
//!
//! The crash budget is not part of the request: it belongs to the model
//! ([`crate::prepare`] applies `--crashes`), so a request cannot disagree with the system it
//! runs on about it.

use std::num::NonZeroUsize;

use mutexcheck_core::System;

use crate::explore::Progress;
use crate::guard::Guard;
use crate::limits::{Limits, Strategy};
use crate::liveness::once::{self, Once};
use crate::result::CheckResult;
use crate::spread::Spread;
use crate::stats::Stats;
use crate::system_model::{Reductions, SystemModel};

/// The breadth-first engine and how it uses the machine: threads, and whole states or
/// fingerprints in the visited set. Neither changes a verdict, a counterexample or a count
/// (up to fingerprint collisions, whose estimated probability
/// [`crate::Stats::collision_probability`] gives).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Bfs {
    threads: NonZeroUsize,
    fingerprints: bool,
    spread: Spread,
}

impl Bfs {
    /// `threads` for one thread per core, asked of the system only when a batch is first
    /// large enough to spread (the asking reads cgroup files: tens of microseconds, a few
    /// percent of the check of a small model).
    pub const EVERY_CORE: usize = usize::MAX;

    /// One thread, whole packed states, batches spread only when they pay.
    pub const fn new() -> Bfs {
        Bfs { threads: NonZeroUsize::MIN, fingerprints: false, spread: Spread::Adaptive }
    }

    /// Expands states and fills the visited set on at most `n` threads ([`Bfs::EVERY_CORE`]:
    /// one per core); 0 is taken as 1. How many a batch takes is `spread`'s choice.
    pub fn threads(self, n: usize) -> Bfs {
        Bfs { threads: NonZeroUsize::new(n).unwrap_or(NonZeroUsize::MIN), ..self }
    }

    /// When a batch is spread over more than one of the threads (see [`crate::spread`]).
    pub fn spread(self, spread: Spread) -> Bfs {
        Bfs { spread, ..self }
    }

    /// When a batch is spread over more than one of the threads.
    pub fn spreads(&self) -> Spread {
        self.spread
    }

    /// Stores 64-bit fingerprints of states instead of whole packed states
    /// (`--fingerprints`): less memory, with a small chance that a collision hides a state.
    pub fn fingerprints(self, on: bool) -> Bfs {
        Bfs { fingerprints: on, ..self }
    }

    /// The most threads, at least 1 ([`Bfs::EVERY_CORE`] for one per core).
    pub fn thread_count(&self) -> usize {
        self.threads.get()
    }

    /// Whether the visited set stores fingerprints.
    pub fn stores_fingerprints(&self) -> bool {
        self.fingerprints
    }

    /// One thread per core the system offers (1 when it does not say): what
    /// `mutexcheck check` runs on without `--threads`.
    pub fn all_cores() -> usize {
        std::thread::available_parallelism().map_or(1, |n| n.get())
    }
}

impl Default for Bfs {
    /// [`Bfs::new`].
    fn default() -> Self {
        Bfs::new()
    }
}

/// The depth-first engine and what its visited set stores: whole states or fingerprints,
/// in the breadth-first search's store. Fingerprints change no verdict, counterexample or
/// count (up to collisions, as for [`Bfs`]): the search keeps the run to the state it expands
/// itself, so it never needs a state back from the store.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Dfs {
    fingerprints: bool,
}

impl Dfs {
    /// Whole packed states in the visited set.
    pub const fn new() -> Dfs {
        Dfs { fingerprints: false }
    }

    /// Stores 64-bit fingerprints of states instead of whole packed states
    /// (`--fingerprints`): less memory, with a small chance that a collision hides a state.
    pub fn fingerprints(self, on: bool) -> Dfs {
        Dfs { fingerprints: on }
    }

    /// Whether the visited set stores fingerprints.
    pub fn stores_fingerprints(&self) -> bool {
        self.fingerprints
    }
}

/// The search engine of a request, with the options only it has.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Engine {
    /// Breadth-first, level by level (module `bfs`): the first counterexample found is a
    /// shortest one under no reduction.
    Bfs(Bfs),
    /// Depth-first (module `dfs`): one thread; a counterexample may be long.
    Dfs(Dfs),
}

impl Engine {
    /// The exploration order, as results and reports name it.
    pub fn strategy(&self) -> Strategy {
        match self {
            Engine::Bfs(_) => Strategy::Bfs,
            Engine::Dfs(_) => Strategy::Dfs,
        }
    }

    /// The threads the engine runs on: always 1 depth-first.
    pub fn threads(&self) -> usize {
        match self {
            Engine::Bfs(bfs) => bfs.thread_count(),
            Engine::Dfs(_) => 1,
        }
    }

    /// Whether the visited set stores fingerprints.
    pub fn fingerprints(&self) -> bool {
        match self {
            Engine::Bfs(bfs) => bfs.stores_fingerprints(),
            Engine::Dfs(dfs) => dfs.stores_fingerprints(),
        }
    }
}

impl Default for Engine {
    /// Breadth-first on one thread, whole states.
    fn default() -> Self {
        Engine::Bfs(Bfs::new())
    }
}

impl From<Bfs> for Engine {
    fn from(bfs: Bfs) -> Engine {
        Engine::Bfs(bfs)
    }
}

impl From<Dfs> for Engine {
    fn from(dfs: Dfs) -> Engine {
        Engine::Dfs(dfs)
    }
}

impl From<Strategy> for Engine {
    /// The engine of `strategy` with its defaults (one thread, whole states).
    fn from(strategy: Strategy) -> Engine {
        match strategy {
            Strategy::Bfs => Engine::Bfs(Bfs::new()),
            Strategy::Dfs => Engine::Dfs(Dfs::new()),
        }
    }
}

/// What one check runs: the engine, the reductions a [`SystemModel`] is checked with, and
/// the bounds. Every value is a valid request. The fields are public to read; the
/// methods of the same names build one.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Request {
    /// Breadth-first (with its threads and storage) or depth-first (with its storage).
    pub engine: Engine,
    /// The reductions asked for; a model may leave some without effect (the statistics say
    /// which took effect).
    pub reductions: Reductions,
    /// Bounds on states, depth, memory and time.
    pub limits: Limits,
}

impl Request {
    /// Breadth-first on one thread, whole states, every reduction, no bounds.
    pub fn new() -> Request {
        Request::default()
    }

    /// This request with `engine` ([`Bfs`], [`Dfs`] or a [`Strategy`]).
    pub fn engine(self, engine: impl Into<Engine>) -> Request {
        Request { engine: engine.into(), ..self }
    }

    /// This request with `reductions`.
    pub fn reductions(self, reductions: Reductions) -> Request {
        Request { reductions, ..self }
    }

    /// This request with `limits`.
    pub fn limits(self, limits: Limits) -> Request {
        Request { limits, ..self }
    }

    /// The exploration order.
    pub fn strategy(&self) -> Strategy {
        self.engine.strategy()
    }

    /// This request with only the reductions that took effect in a check whose statistics
    /// are `stats` (a model may have nothing to swap; a liveness verdict has the liveness pass's):
    /// the request as it ran, which a trace records.
    pub fn in_effect(&self, stats: &Stats) -> Request {
        // A liveness verdict is the liveness pass's, which has reductions of its own.
        let effective = stats
            .liveness_reductions
            .unwrap_or(Reductions { partial_order: stats.partial_order, symmetry: stats.symmetry });
        let reductions = Reductions {
            partial_order: self.reductions.partial_order && effective.partial_order,
            symmetry: self.reductions.symmetry && effective.symmetry,
        };
        Request { reductions, ..*self }
    }

    /// A guard on this request's time and memory bounds, started now, that never ends the
    /// process: for callers that do not watch the bounds of a longer run themselves.
    pub fn guard(&self) -> Guard {
        Guard::new(&self.limits)
    }

    /// Runs this request on `system`: every property, the counterexample told as a real
    /// run ([`crate::story`]), the liveness check when safety holds. The time and memory
    /// bounds that count are `guard`'s (usually [`Request::guard`], or the caller's own
    /// guard on the same limits, started earlier); `progress` is called now and then.
    ///
    /// Where the liveness check would record the safety search's own graph, one search does
    /// both (`liveness/once.rs`), with the same output.
    pub fn check(&self, system: &System, guard: &Guard, progress: &mut dyn FnMut(&Progress<'_>)) -> CheckResult {
        let fresh = || SystemModel::new(system, self.reductions).with_interrupt(guard.interrupt());
        let mut model = fresh();
        if once::applies(system, &model, self) {
            if let Some(Once { found, live }) = once::check_once(system, &model, self, guard, progress) {
                return crate::finish_with(system, &model, found, self, guard, live);
            }
            // The statements the single pass ran are no search's coverage: start afresh.
            model = fresh();
        }
        self.check_in_two_passes(system, &model, guard, progress)
    }

    /// [`Request::check`] as the safety search, then (when safety holds) the liveness check,
    /// each exploring the model: what the single pass must agree with.
    pub(crate) fn check_in_two_passes(
        &self,
        system: &System,
        model: &SystemModel<'_>,
        guard: &Guard,
        progress: &mut dyn FnMut(&Progress<'_>),
    ) -> CheckResult {
        let found = crate::explore::explore(model, self, guard, progress);
        crate::finish(system, model, found, self, guard)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_request_is_breadth_first_on_one_thread_with_every_reduction_and_no_bound() {
        let r = Request::new();
        assert_eq!(r.engine, Engine::Bfs(Bfs::new()));
        assert_eq!((r.strategy(), r.engine.threads(), r.engine.fingerprints()), (Strategy::Bfs, 1, false));
        assert_eq!(r.reductions, Reductions::ALL);
        assert_eq!(r.limits, Limits::default());
    }

    #[test]
    fn each_builder_method_sets_its_part_and_keeps_the_others() {
        let limits = Limits { max_states: Some(7), ..Limits::default() };
        let r = Request::new().limits(limits).reductions(Reductions::NONE).engine(Bfs::new().threads(3));
        assert_eq!((r.limits, r.reductions), (limits, Reductions::NONE));
        assert_eq!((r.engine.threads(), r.engine.fingerprints()), (3, false));
        let r = r.engine(Bfs::new().fingerprints(true).threads(2));
        assert_eq!((r.engine.threads(), r.engine.fingerprints(), r.limits), (2, true, limits));
    }

    #[test]
    fn zero_threads_are_taken_as_one() {
        assert_eq!(Bfs::new().threads(0).thread_count(), 1);
        assert_eq!(Bfs::new().threads(4).threads(0), Bfs::new());
    }

    #[test]
    fn depth_first_has_one_thread_and_whole_states_whatever_the_breadth_first_engine_had() {
        // Threads and storage are the breadth-first engine's: choosing depth-first replaces
        // that engine, so nothing of it is left to be ignored (depth first has its own storage).
        let r = Request::new().engine(Bfs::new().threads(8).fingerprints(true)).engine(Dfs::new());
        assert_eq!(r.engine, Engine::Dfs(Dfs::new()));
        assert_eq!((r.strategy(), r.engine.threads(), r.engine.fingerprints()), (Strategy::Dfs, 1, false));
        // And back: breadth-first from a strategy starts from its defaults.
        assert_eq!(r.engine(Strategy::Bfs).engine, Engine::Bfs(Bfs::new()));
    }

    #[test]
    fn depth_first_stores_fingerprints_only_when_asked_and_still_on_one_thread() {
        let r = Request::new().engine(Dfs::new().fingerprints(true));
        assert_eq!((r.strategy(), r.engine.threads(), r.engine.fingerprints()), (Strategy::Dfs, 1, true));
        assert_eq!(r.engine(Strategy::Dfs).engine, Engine::Dfs(Dfs::new()), "a strategy's engine has whole states");
    }

    #[test]
    fn a_request_guard_watches_the_request_limits_and_stops_nothing_without_them() {
        assert_eq!(Request::new().guard().exceeded(), None);
        let zero = Limits { max_memory_mb: Some(0), ..Limits::default() };
        let guard = Request::new().limits(zero).guard();
        assert_eq!(guard.room_for(1 << 20), Err(crate::Limit::MaxMemory(0)));
    }
}
