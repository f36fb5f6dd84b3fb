//! The explicit-state search: breadth-first (shortest counterexamples) or depth-first.
//!
//! Breadth-first search runs level by level on one or more threads (module `bfs`);
//! depth-first search runs here, on one thread, over a [`Store`] of whole packed states.
//! Every reachable state is stored once and expanded once. Properties are
//! checked in the order [`Checkable`] documents: the initial state first, then for each
//! expanded state its transitions in successor order (the step itself, then the new state it
//! reaches). In breadth-first order every violation found while expanding states of depth `d`
//! has a run of length `d + 1`, and all runs of length `d` or less were checked before, so the
//! first violation found has a shortest run.

use std::time::Instant;

use crate::allowed::AllowedTally;
use crate::checkable::Checkable;
use crate::guard::Guard;
use crate::limits::{Limit, Limits, Strategy};
use crate::properties::Violation;
use crate::result::{CheckResult, Counterexample, TraceStep, Verdict};
use crate::stats::{peak_rss_kb, Stats};
use crate::store::{Entry, StateId, Store};

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
    /// The most threads expanding states and filling the visited set (1 and 0 both mean
    /// one; [`EngineOptions::EVERY_CORE`] one per core); `spread` says when a batch takes
    /// more than one. Depth-first search always runs on one thread.
    pub threads: usize,
    /// Store 64-bit fingerprints of states instead of whole packed states (`--fingerprints`,
    /// breadth-first only): less memory, with a small chance that a collision hides a state.
    pub fingerprints: bool,
    /// The reductions a [`crate::SystemModel`] is checked with (read by
    /// [`crate::check_with`]; a generic [`Checkable`] has its own).
    pub reductions: crate::Reductions,
    /// When the breadth-first search spreads a batch over more than one of its `threads`.
    pub spread: crate::Spread,
}

impl Default for EngineOptions {
    /// One thread, whole states, every reduction.
    fn default() -> Self {
        EngineOptions {
            threads: 1,
            fingerprints: false,
            reductions: crate::Reductions::ALL,
            spread: crate::Spread::Adaptive,
        }
    }
}

impl EngineOptions {
    /// `threads` for one thread per core, asked of the system only when a batch is first
    /// large enough to spread (the asking reads cgroup files: tens of microseconds, a few
    /// percent of the check of a small model).
    pub const EVERY_CORE: usize = usize::MAX;

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
    let store = Store::new(model.packed_words());
    let mut search = Search {
        model,
        options,
        store,
        stats: Stats::default(),
        start: Instant::now(),
        guard,
        allowed: AllowedTally::default(),
    };
    let verdict = search.run(progress);
    let mut stats = search.stats;
    stats.allowed = search.allowed.into_counts();
    stats.states = search.store.len() as u64;
    stats.elapsed = search.start.elapsed();
    stats.peak_rss_kb = peak_rss_kb();
    stats.stored_bytes = search.store.bytes() as u64;
    stats.threads = 1;
    CheckResult { verdict, stats, strategy: options.strategy }
}

struct Search<'m, M: Checkable> {
    model: &'m M,
    options: &'m SearchOptions,
    store: Store,
    stats: Stats,
    start: Instant,
    guard: &'m Guard,
    /// The allowed events of the transitions counted in `stats.transitions`.
    allowed: AllowedTally,
}

/// Where a search stopped early.
enum Stop<St, Sp> {
    /// A violation: in the state with this id, or on a step out of it.
    Violation(Violation, StateId, Option<(Sp, St)>),
    /// A bound.
    Limit(Limit),
}

impl<M: Checkable> Search<'_, M> {
    fn run(&mut self, progress: &mut dyn FnMut(&Progress<'_>)) -> Verdict<M::State, M::Step> {
        match self.search(progress) {
            Ok(None) => Verdict::Ok,
            Ok(Some(limit)) | Err(Stop::Limit(limit)) => Verdict::Incomplete(limit),
            Err(Stop::Violation(violation, id, last)) => match self.counterexample(violation, id, last) {
                Some(c) => Verdict::Violation(c),
                // A bound passed while the run was rebuilt, and the model stopped early.
                None => Verdict::Incomplete(self.guard.exceeded().unwrap_or(Limit::MaxMemory(0))),
            },
        }
    }

    /// The state hooks, in their documented order.
    fn state_violation(&self, state: &M::State) -> Option<Violation> {
        self.model
            .state_violation(state)
            .or_else(|| self.model.deadlock(state))
            .or_else(|| self.model.final_violation(state))
    }

    /// Runs the search; `Ok(Some(limit))` when it finished but skipped states beyond the
    /// depth limit.
    #[allow(clippy::type_complexity)]
    fn search(&mut self, progress: &mut dyn FnMut(&Progress<'_>)) -> Result<Option<Limit>, Stop<M::State, M::Step>> {
        let limits = self.options.limits;
        let mut packed = vec![0u64; self.model.packed_words()];
        let initial = self.model.initial_state();
        self.model.pack(&initial, &mut packed);
        self.store.insert(&packed, Entry { parent: 0, depth: 0 });
        if let Some(v) = self.state_violation(&initial) {
            return Err(Stop::Violation(v, 0, None));
        }
        // Depth-first: a stack (breadth-first search runs in crate::bfs).
        let mut frontier: Vec<StateId> = vec![0];
        let max_states = limits.max_states.unwrap_or(u64::MAX).min(u32::MAX as u64 - 1);
        let mut depth_cut = None;
        let mut successors = Vec::new();
        let mut new_children = Vec::new();
        let mut expanded: u64 = 0;
        while let Some(id) = frontier.pop() {
            expanded += 1;
            if let Some(limit) = self.guard.exceeded() {
                return Err(Stop::Limit(limit));
            }
            if expanded & (CHECK_EVERY - 1) == 0 {
                self.stats.states = self.store.len() as u64;
                self.stats.elapsed = self.start.elapsed();
                progress(&Progress { stats: &self.stats, frontier: frontier.len() });
            }
            let depth = self.store.entry(id).depth;
            let state = self.model.unpack(self.store.packed(id));
            successors.clear();
            self.model.successors(&state, &mut successors);
            if let Some(limit) = self.guard.exceeded() {
                // The model may have stopped early: these successors may be partial.
                return Err(Stop::Limit(limit));
            }
            if limits.max_depth.is_some_and(|max| depth >= max) {
                if !successors.is_empty() {
                    depth_cut = Some(Limit::MaxDepth(depth));
                }
                continue;
            }
            new_children.clear();
            for (step, next) in successors.drain(..) {
                self.stats.transitions += 1;
                let allowed = self.model.allowed_events(&step);
                if !allowed.is_empty() {
                    self.allowed.add_transition(allowed);
                }
                if let Some(v) = self.model.step_violation(&state, &step, &next) {
                    // The run reached depth + 1, though its last state is not stored.
                    self.stats.max_depth = self.stats.max_depth.max(depth + 1);
                    return Err(Stop::Violation(v, id, Some((step, next))));
                }
                self.model.pack(&next, &mut packed);
                if self.store.len() as u64 >= max_states && self.store.find(&packed).is_none() {
                    return Err(Stop::Limit(Limit::MaxStates(max_states)));
                }
                let growth = self.store.growth_bytes();
                if growth > 0 {
                    self.guard.room_for(growth).map_err(Stop::Limit)?;
                }
                let (child, new) = self.store.insert(&packed, Entry { parent: id, depth: depth + 1 });
                if !new {
                    continue;
                }
                self.stats.max_depth = self.stats.max_depth.max(depth + 1);
                if let Some(v) = self.state_violation(&next) {
                    return Err(Stop::Violation(v, child, None));
                }
                new_children.push(child);
            }
            // Reversed so that the first successor is expanded first.
            frontier.extend(new_children.iter().rev().copied());
        }
        Ok(depth_cut)
    }

    /// Rebuilds the run to state `id` by walking parents back, then regenerating each step:
    /// the first successor of a parent that reaches the child is the one that discovered it.
    /// `None` when a bound passed meanwhile and the model's successors stopped early.
    fn counterexample(
        &self,
        violation: Violation,
        id: StateId,
        last: Option<(M::Step, M::State)>,
    ) -> Option<Counterexample<M::State, M::Step>> {
        let path = self.store.path_to(id);
        let mut steps = Vec::with_capacity(path.len());
        let mut successors = Vec::new();
        for pair in path.windows(2) {
            let parent = self.model.unpack(self.store.packed(pair[0]));
            let child = self.model.unpack(self.store.packed(pair[1]));
            successors.clear();
            self.model.successors(&parent, &mut successors);
            // A stored parent reaches its child (successors are deterministic), unless a
            // bound cut the successors short.
            let (step, state) = successors.drain(..).find(|(_, s)| *s == child)?;
            steps.push(TraceStep { step, state });
        }
        if let Some((step, state)) = last {
            steps.push(TraceStep { step, state });
        }
        Some(Counterexample::new(violation, self.model.unpack(self.store.packed(0)), steps, false))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::properties::ViolationKind;

    /// Numbers mod `n`; from `i` one may go to `i + 1` or `2 * i`. Reaching `target` is a
    /// violation. Not a mutex model at all: the search only sees the [`Checkable`] hooks.
    struct Doubling {
        n: u64,
        target: u64,
    }

    impl Checkable for Doubling {
        type State = u64;
        type Step = &'static str;
        fn packed_words(&self) -> usize {
            1
        }
        fn pack(&self, state: &u64, out: &mut [u64]) {
            out[0] = *state;
        }
        fn unpack(&self, packed: &[u64]) -> u64 {
            packed[0]
        }
        fn initial_state(&self) -> u64 {
            0
        }
        fn successors(&self, s: &u64, out: &mut Vec<(&'static str, u64)>) {
            out.push(("+1", (s + 1) % self.n));
            out.push(("*2", (s * 2) % self.n));
        }
        fn step_violation(&self, _: &u64, _: &&'static str, _: &u64) -> Option<Violation> {
            None
        }
        fn state_violation(&self, s: &u64) -> Option<Violation> {
            (*s == self.target).then(|| Violation::new(ViolationKind::Invariant, format!("reached {s}")))
        }
        fn deadlock(&self, _: &u64) -> Option<Violation> {
            None
        }
        fn final_violation(&self, _: &u64) -> Option<Violation> {
            None
        }
    }

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
    fn depth_first_follows_the_first_successor_first() {
        // It expands 0, 1, 2 (finding 3 and 4), then 3 (4 is known; finds 6), 6 (finds 7),
        // 7 (finds 8), 8 (finds 9): the discovery path of 9 goes through 3, not 4.
        let r = search(9, Strategy::Dfs);
        let path: Vec<u64> = r.counterexample().unwrap().steps.iter().map(|s| s.state).collect();
        assert_eq!(path, vec![1, 2, 3, 6, 7, 8, 9]);
    }

    #[test]
    fn any_number_of_threads_gives_the_one_thread_result() {
        for target in 0..11 {
            let options = SearchOptions { strategy: Strategy::Bfs, limits: Limits::default() };
            let one = search(target, Strategy::Bfs);
            for threads in [2, 3] {
                let engine = EngineOptions { threads, spread: crate::Spread::Always, ..EngineOptions::default() };
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
