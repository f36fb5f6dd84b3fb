//! Whether a counterexample found under a reduction (or depth first) is nevertheless a
//! shortest one: a breadth-first search of the unreduced model, bounded by the run's length
//! less one and by a budget of states, that finds no violation at all. Then every violating
//! run has at least as many steps (a move of the unreduced model is one step or more), so
//! `--shortest` could not give a shorter one and the report need not suggest it.

use rustc_hash::FxHashSet;

use crate::checkable::Checkable;

/// How many states the proof may store before it gives up (a count, not a time, so the
/// answer is the same on every machine). Classroom models need a few hundred, the shipped
/// models' default runs at most 12,238, the fuzzer's 1,532-step finding 22,933. A proof
/// that gives up has spent its whole budget for nothing, on top of the search: about 20 ms
/// here (at 100,000 it made small violating checks 7-11x slower than without the proof).
pub const PROOF_STATES: usize = 32_768;

/// How many packed 64-bit words the stored states may take in all (16 MB): a model of large
/// states gives up sooner.
pub const PROOF_WORDS: usize = 2_000_000;

/// True when `model` has no violating run of at most `depth` transitions, proved by a
/// breadth-first search of at most [`PROOF_STATES`] states (and [`PROOF_WORDS`] words);
/// false when it has one, when the budget runs out first, or when `stop()` says a time or
/// memory bound passed.
pub fn no_violation_within<M: Checkable>(model: &M, depth: usize, stop: &dyn Fn() -> bool) -> bool {
    let initial = model.initial_state();
    if model.check_state(&initial).is_some() {
        return false;
    }
    let words = model.packed_words().max(1);
    let max_states = PROOF_STATES.min(PROOF_WORDS / words);
    let pack = |s: &M::State| {
        let mut out = vec![0u64; words];
        model.pack(s, &mut out);
        out
    };
    // A set only: its order never reaches the answer.
    let mut seen: FxHashSet<Vec<u64>> = FxHashSet::default();
    seen.insert(pack(&initial));
    let mut level = vec![initial];
    let mut successors = Vec::new();
    for _ in 0..depth {
        let mut next = Vec::new();
        for state in &level {
            if stop() {
                return false;
            }
            successors.clear();
            model.successors(state, &mut successors);
            for (step, after) in successors.drain(..) {
                if model.step_violation(state, &step, &after).is_some() {
                    return false;
                }
                if seen.insert(pack(&after)) {
                    if seen.len() > max_states || model.check_state(&after).is_some() {
                        return false;
                    }
                    next.push(after);
                }
            }
        }
        if next.is_empty() {
            return true;
        }
        level = next;
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_model::Doubling;

    #[test]
    fn a_model_violating_in_four_steps_has_no_violation_within_three() {
        // 0 -> 1 -> 2 -> 4 -> 5: no run reaches 5 in fewer steps.
        let model = Doubling { n: 1000, target: 5 };
        assert!(no_violation_within(&model, 3, &|| false));
        assert!(!no_violation_within(&model, 4, &|| false));
    }

    #[test]
    fn a_proof_that_needs_more_states_than_its_budget_gives_up() {
        let never = u64::MAX;
        let fits = Doubling { n: PROOF_STATES as u64, target: never };
        assert!(no_violation_within(&fits, PROOF_STATES, &|| false));
        let too_many = Doubling { n: PROOF_STATES as u64 + 1, target: never };
        assert!(!no_violation_within(&too_many, PROOF_STATES, &|| false));
    }

    #[test]
    fn a_proof_asked_to_stop_gives_up() {
        assert!(!no_violation_within(&Doubling { n: 1000, target: 5 }, 3, &|| true));
    }
}
