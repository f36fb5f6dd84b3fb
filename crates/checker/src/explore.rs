//! The entry of the explicit-state search: breadth-first (shortest counterexamples, module
//! `bfs`, on one or more threads) or depth-first (module `dfs`, on one thread), and how a
//! search is asked for.
//!
//! Every reachable state is stored once and expanded once. Properties are checked in the
//! order [`Checkable`] documents: the initial state first, then for each expanded state its
//! transitions in successor order (the step itself, then the new state it reaches). In
//! breadth-first order every violation found while expanding states of depth `d` has a run of
//! length `d + 1`, and all runs of length `d` or less were checked before, so the first
//! violation found has a shortest run.

use crate::checkable::Checkable;
use crate::guard::Guard;
use crate::limits::{Limits, Strategy};
use crate::result::CheckResult;
use crate::stats::Stats;

/// How to search.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SearchOptions {
    /// Breadth-first (default) or depth-first.
    pub strategy: Strategy,
    /// Bounds on states, depth, memory and time.
    pub limits: Limits,
}

/// How the search uses the machine, and which reductions a mutexcheck model is checked with.
/// The thread count and fingerprints never change a verdict, a counterexample or a count (up
/// to fingerprint collisions, whose estimated probability
/// [`crate::Stats::collision_probability`] gives); reductions change the counts, never the
/// verdict.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EngineOptions {
    /// Threads expanding states and filling the visited set (1 and 0 both mean one).
    /// Depth-first search always runs on one thread.
    pub threads: usize,
    /// Store 64-bit fingerprints of states instead of whole packed states (`--fingerprints`,
    /// breadth-first only): less memory, with a small chance that a collision hides a state.
    pub fingerprints: bool,
    /// The reductions a [`crate::SystemModel`] is checked with (read by
    /// [`crate::check_with`]; a generic [`Checkable`] has its own).
    pub reductions: crate::Reductions,
}

impl Default for EngineOptions {
    /// One thread, whole states, every reduction.
    fn default() -> Self {
        EngineOptions { threads: 1, fingerprints: false, reductions: crate::Reductions::ALL }
    }
}

impl EngineOptions {
    /// One thread per core the system offers (1 when it does not say).
    pub fn all_cores() -> usize {
        std::thread::available_parallelism().map_or(1, |n| n.get())
    }
}

/// A snapshot of a running search, handed to a progress callback now and then.
#[derive(Clone, Debug)]
pub struct Progress<'a> {
    /// Counts so far (with `elapsed` up to date).
    pub stats: &'a Stats,
    /// States found but not yet expanded.
    pub frontier: usize,
}

/// How many expansions pass between two looks at the clock, the memory and the callback
/// (a power of two).
pub(crate) const CHECK_EVERY: u64 = 1024;

/// Explores every state of `model` reachable within `options`' limits on one thread and
/// returns the verdict, with a counterexample for the first violation found. `progress` is
/// called about every thousand expansions.
pub fn explore<M: Checkable + Sync>(
    model: &M,
    options: &SearchOptions,
    progress: &mut dyn FnMut(&Progress<'_>),
) -> CheckResult<M::State, M::Step> {
    explore_with(model, options, &EngineOptions::default(), progress)
}

/// [`explore`] with the threads and the state storage of `engine` (breadth-first only).
pub fn explore_with<M: Checkable + Sync>(
    model: &M,
    options: &SearchOptions,
    engine: &EngineOptions,
    progress: &mut dyn FnMut(&Progress<'_>),
) -> CheckResult<M::State, M::Step> {
    explore_guarded(model, options, engine, &Guard::new(&options.limits), progress)
}

/// [`explore_with`] under a [`Guard`] the caller started (whose limits then count, and whose
/// clock may have started before the search): the search asks it after every state it
/// expands and before every large allocation it can foresee.
pub fn explore_guarded<M: Checkable + Sync>(
    model: &M,
    options: &SearchOptions,
    engine: &EngineOptions,
    guard: &Guard,
    progress: &mut dyn FnMut(&Progress<'_>),
) -> CheckResult<M::State, M::Step> {
    if options.strategy == Strategy::Bfs {
        return crate::bfs::bfs(model, options, engine, guard, progress);
    }
    crate::dfs::dfs(model, options, guard, progress)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::limits::Limits;
    use crate::result::Verdict;
    use crate::test_model::Doubling;

    fn search(target: u64, strategy: Strategy) -> CheckResult<u64, &'static str> {
        let options = SearchOptions { strategy, limits: Limits::default() };
        explore(&Doubling { n: 10, target }, &options, &mut |_| {})
    }

    #[test]
    fn breadth_first_reaches_the_target_by_a_shortest_path() {
        // 0 -> 1 -> 2 -> 4 -> 8 -> 9 (5 steps); nothing shorter reaches 9.
        let r = search(9, Strategy::Bfs);
        let c = r.counterexample().unwrap();
        let path: Vec<u64> = c.steps.iter().map(|s| s.state).collect();
        assert_eq!(path, vec![1, 2, 4, 8, 9]);
        assert_eq!(c.violation.message, "reached 9");
    }

    #[test]
    fn any_number_of_threads_gives_the_one_thread_result() {
        for target in 0..11 {
            let options = SearchOptions { strategy: Strategy::Bfs, limits: Limits::default() };
            let one = search(target, Strategy::Bfs);
            for threads in [2, 3] {
                let engine = EngineOptions { threads, ..EngineOptions::default() };
                let r = explore_with(&Doubling { n: 10, target }, &options, &engine, &mut |_| {});
                assert_eq!(r.verdict, one.verdict, "target {target}, {threads} threads");
                assert_eq!(
                    (r.stats.states, r.stats.transitions, r.stats.max_depth),
                    (one.stats.states, one.stats.transitions, one.stats.max_depth)
                );
            }
        }
    }

    #[test]
    fn an_unreachable_target_explores_every_state_once() {
        // 0..=9 are all reachable by +1; each has two transitions.
        let r = search(10, Strategy::Bfs);
        assert_eq!(r.verdict, Verdict::Ok);
        assert_eq!((r.stats.states, r.stats.transitions, r.stats.max_depth), (10, 20, 5));
    }
}
