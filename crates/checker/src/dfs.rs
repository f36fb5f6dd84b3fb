//! Depth-first search, on one thread, over a [`Store`] of whole packed states.
//!
//! Every reachable state is stored once, with the state it was first reached from, and
//! expanded once, first successor first. Properties are checked in the order [`Checkable`]
//! documents. A counterexample found depth first need not be a shortest one.

use std::time::Instant;

use crate::allowed::AllowedTally;
use crate::checkable::Checkable;
use crate::explore::{Progress, CHECK_EVERY};
use crate::guard::Guard;
use crate::limits::{Limit, Limits, Strategy};
use crate::properties::Violation;
use crate::result::{CheckResult, Counterexample, TraceStep, Verdict};
use crate::stats::Stats;
use crate::store::{Entry, StateId, Store};

/// Depth-first search of `model` within `limits`, under `guard`; see the module
/// comment.
pub(crate) fn dfs<M: Checkable>(
    model: &M,
    limits: &Limits,
    guard: &Guard,
    progress: &mut dyn FnMut(&Progress<'_>),
) -> CheckResult<M::State, M::Step> {
    let store = Store::new(model.packed_words());
    let mut search = Search {
        model,
        limits,
        store,
        stats: Stats::default(),
        start: Instant::now(),
        guard,
        allowed: AllowedTally::default(),
    };
    let verdict = search.run(progress);
    let mut stats = search.stats;
    stats.states = search.store.len() as u64;
    stats.wrap_up(search.start, search.store.bytes() as u64, 1, search.allowed.into_counts());
    CheckResult { verdict, stats, strategy: Strategy::Dfs }
}

struct Search<'m, M: Checkable> {
    model: &'m M,
    limits: &'m Limits,
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
                None => Verdict::Incomplete(self.guard.cut_short_by()),
            },
        }
    }

    /// Runs the search; `Ok(Some(limit))` when it finished but skipped states beyond the
    /// depth limit.
    #[allow(clippy::type_complexity)]
    fn search(&mut self, progress: &mut dyn FnMut(&Progress<'_>)) -> Result<Option<Limit>, Stop<M::State, M::Step>> {
        let limits = *self.limits;
        let mut packed = vec![0u64; self.model.packed_words()];
        let initial = self.model.initial_state();
        self.model.pack(&initial, &mut packed);
        self.store.insert(&packed, Entry { parent: 0, depth: 0 });
        if let Some(v) = self.model.check_state(&initial) {
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
                if let Some(v) = self.model.check_state(&next) {
                    return Err(Stop::Violation(v, child, None));
                }
                new_children.push(child);
            }
            // Reversed so that the first successor is expanded first.
            frontier.extend(new_children.iter().rev().copied());
        }
        Ok(depth_cut)
    }

    /// Rebuilds the run to state `id` (and the step `last` out of it, for a violation on a
    /// step) from its successor numbers, with [`crate::path::rebuild`]. `None` when a bound
    /// passed meanwhile and the model's successors stopped early.
    fn counterexample(
        &self,
        violation: Violation,
        id: StateId,
        last: Option<(M::Step, M::State)>,
    ) -> Option<Counterexample<M::State, M::Step>> {
        let mut run = crate::path::rebuild(self.model, &self.ordinals_to(id)?)?;
        if let Some((step, state)) = last {
            run.steps.push(TraceStep { step, state });
        }
        Some(run.into_counterexample(violation, false))
    }

    /// The successor numbers from the initial state to state `id` along its parent chain:
    /// at each parent, the first successor that packs to the child, which is the one that
    /// discovered it (a parent's successors are met in order). Worked out once, for a
    /// counterexample, rather than stored with every state. `None` when a bound cut the
    /// successors short.
    fn ordinals_to(&self, id: StateId) -> Option<Vec<u32>> {
        let path = self.store.path_to(id);
        let mut ordinals = Vec::with_capacity(path.len());
        let mut successors = Vec::new();
        let mut packed = vec![0u64; self.model.packed_words()];
        for pair in path.windows(2) {
            let parent = self.model.unpack(self.store.packed(pair[0]));
            let child = self.store.packed(pair[1]);
            successors.clear();
            self.model.successors(&parent, &mut successors);
            let ord = crate::path::find(&successors, |_, next| {
                self.model.pack(next, &mut packed);
                packed == child
            })?;
            ordinals.push(ord as u32);
        }
        Some(ordinals)
    }
}

#[cfg(test)]
mod tests {
    use crate::explore::explore;
    use crate::limits::Strategy;
    use crate::request::Request;
    use crate::test_model::Doubling;

    #[test]
    fn depth_first_follows_the_first_successor_first() {
        // It expands 0, 1, 2 (finding 3 and 4), then 3 (4 is known; finds 6), 6 (finds 7),
        // 7 (finds 8), 8 (finds 9): the discovery path of 9 goes through 3, not 4.
        let request = Request::new().engine(Strategy::Dfs);
        let r = explore(&Doubling { n: 10, target: 9 }, &request, &request.guard(), &mut |_| {});
        let path: Vec<u64> = r.counterexample().unwrap().steps.iter().map(|s| s.state).collect();
        assert_eq!(path, vec![1, 2, 3, 6, 7, 8, 9]);
    }
}
