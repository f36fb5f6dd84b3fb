//! One way to rebuild a run, and one rule for finding a recorded step among a state's
//! successors.
//!
//! A model's successors come in a fixed order, so a run from the initial state is named
//! exactly by its successor numbers (ordinals): the breadth-first trail, the cluster's keys,
//! the depth-first store's parent chain and the liveness lasso all come down to such a list,
//! and [`rebuild`] (or [`follow`], for successors that are not a [`Checkable`]'s) turns it
//! back into states and steps. Nothing else re-executes a run by number.
//!
//! Where a run is recorded by its steps instead (a trace file, a move's steps, a shortened
//! run's actors and choices, a state a parent chain reaches), each recorded step is found
//! again by [`find`]: the first successor, in successor order, that the record names. The
//! record's own vocabulary says what "names" means; the rule that the first one wins, which
//! is the one a search meets first, is written here once.

use crate::checkable::Checkable;
use crate::properties::Violation;
use crate::result::{Counterexample, TraceStep};

/// A run of a model from its initial state: the states it passes and the steps between them
/// (as stateright's `Path`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Run<St, Sp> {
    /// The state before the first step.
    pub initial: St,
    /// Each step with the state after it, first step first.
    pub steps: Vec<TraceStep<St, Sp>>,
}

impl<St, Sp> Run<St, Sp> {
    /// The state the run ends in.
    pub fn last_state(&self) -> &St {
        self.steps.last().map_or(&self.initial, |s| &s.state)
    }

    /// The run as a counterexample ending in `violation`.
    pub fn into_counterexample(self, violation: Violation, shortest: bool) -> Counterexample<St, Sp> {
        Counterexample::new(violation, self.initial, self.steps, shortest)
    }
}

/// The run of `model` from its initial state that takes, at each step, the successor with
/// the next number of `ordinals`. `None` when a state has no successor of that number: the
/// model's successors stopped early (a time or memory bound passed), or the numbers are not
/// of this model.
pub fn rebuild<M: Checkable>(model: &M, ordinals: &[u32]) -> Option<Run<M::State, M::Step>> {
    let initial = model.initial_state();
    let steps = follow(&initial, ordinals, |s, out| model.successors(s, out))?;
    Some(Run { initial, steps })
}

/// [`rebuild`] from the state `from` with any successor function (such as the unreduced
/// `System::successors`, which is not a [`Checkable`]): the steps taken, each with the
/// state after it.
pub fn follow<St, Sp>(
    from: &St,
    ordinals: &[u32],
    mut successors: impl FnMut(&St, &mut Vec<(Sp, St)>),
) -> Option<Vec<TraceStep<St, Sp>>> {
    let mut steps: Vec<TraceStep<St, Sp>> = Vec::with_capacity(ordinals.len());
    let mut out = Vec::new();
    for &ord in ordinals {
        out.clear();
        successors(steps.last().map_or(from, |s| &s.state), &mut out);
        let (step, state) = out.drain(..).nth(ord as usize)?;
        steps.push(TraceStep { step, state });
    }
    Some(steps)
}

/// The one rule for finding a recorded step among `successors`: the number of the first
/// successor (step and state after it) that `names` says the record names; `None` when none
/// does.
pub fn find<Sp, St>(successors: &[(Sp, St)], mut names: impl FnMut(&Sp, &St) -> bool) -> Option<usize> {
    successors.iter().position(|(step, state)| names(step, state))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_model::Doubling;

    fn states(run: &Run<u64, &'static str>) -> Vec<u64> {
        run.steps.iter().map(|s| s.state).collect()
    }

    #[test]
    fn ordinals_rebuild_the_exact_states_and_steps() {
        // Successor 0 is +1, successor 1 is *2 (mod 10): 0 +1 1 *2 2 *2 4 *2 8 +1 9.
        let run = rebuild(&Doubling { n: 10, target: 99 }, &[0, 1, 1, 1, 0]).unwrap();
        assert_eq!(run.initial, 0);
        assert_eq!(states(&run), vec![1, 2, 4, 8, 9]);
        let steps: Vec<&str> = run.steps.iter().map(|s| s.step).collect();
        assert_eq!(steps, vec!["+1", "*2", "*2", "*2", "+1"]);
        assert_eq!(*run.last_state(), 9);
        // Wrapping around: 8 *2 is 6 mod 10.
        assert_eq!(states(&rebuild(&Doubling { n: 10, target: 99 }, &[0, 1, 1, 1, 1]).unwrap()), vec![1, 2, 4, 8, 6]);
    }

    #[test]
    fn no_ordinals_is_the_initial_state_alone() {
        let run = rebuild(&Doubling { n: 10, target: 99 }, &[]).unwrap();
        assert_eq!((run.initial, run.steps.len(), *run.last_state()), (0, 0, 0));
    }

    #[test]
    fn an_ordinal_past_the_successors_rebuilds_nothing() {
        // Every state of Doubling has two successors: number 2 does not exist.
        assert_eq!(rebuild(&Doubling { n: 10, target: 99 }, &[0, 2]), None);
        assert_eq!(rebuild(&Doubling { n: 10, target: 99 }, &[u32::MAX]), None);
    }

    #[test]
    fn successors_cut_short_rebuild_nothing() {
        // A model whose successors stop early (as under a passed bound) after the first step.
        let mut calls = 0;
        let cut = follow(&0u64, &[1, 1], |s, out: &mut Vec<(&str, u64)>| {
            calls += 1;
            if calls == 1 {
                out.push(("+1", s + 1));
                out.push(("*2", s * 2));
            } else {
                out.push(("+1", s + 1));
            }
        });
        assert_eq!(cut, None);
    }

    #[test]
    fn find_takes_the_first_successor_the_record_names() {
        let successors = [("a", 1), ("b", 2), ("a", 3), ("b", 2)];
        assert_eq!(find(&successors, |step, _| *step == "a"), Some(0));
        assert_eq!(find(&successors, |_, state| *state == 2), Some(1));
        assert_eq!(find(&successors, |step, state| *step == "a" && *state == 3), Some(2));
        assert_eq!(find(&successors, |step, _| *step == "c"), None);
        assert_eq!(find::<&str, i32>(&[], |_, _| true), None);
    }
}
