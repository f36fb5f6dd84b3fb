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
use crate::request::{Engine, Request};
use crate::result::CheckResult;
use crate::stats::Stats;

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

/// Explores every state of `model` reachable within `request`'s bounds with its engine
/// and returns the verdict, with a counterexample for the first violation found. The search
/// asks `guard` after every state it expands and before every large allocation it can
/// foresee; `progress` is called about every thousand expansions. A generic [`Checkable`]
/// has its own reductions: `request.reductions` are [`crate::Request::check`]'s, for the
/// [`crate::SystemModel`] it makes.
pub(crate) fn explore<M: Checkable + Sync>(
    model: &M,
    request: &Request,
    guard: &Guard,
    progress: &mut dyn FnMut(&Progress<'_>),
) -> CheckResult<M::State, M::Step> {
    match request.engine {
        Engine::Bfs(engine) => crate::bfs::bfs(model, &request.limits, &engine, guard, progress),
        Engine::Dfs(engine) => crate::dfs::dfs(model, &engine, &request.limits, guard, progress),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::limits::Strategy;
    use crate::result::Verdict;
    use crate::test_model::Doubling;

    fn search(target: u64, strategy: Strategy) -> CheckResult<u64, &'static str> {
        let request = Request::new().engine(strategy);
        explore(&Doubling { n: 10, target }, &request, &request.guard(), &mut |_| {})
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
            let one = search(target, Strategy::Bfs);
            for threads in [2, 3] {
                let request = Request::new().engine(crate::Bfs::new().threads(threads).spread(crate::Spread::Always));
                let r = explore(&Doubling { n: 10, target }, &request, &request.guard(), &mut |_| {});
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
