//! Whether a counterexample found under a reduction (or depth first) is nevertheless a
//! shortest one: a breadth-first search of the unreduced model, bounded by the run's length
//! less one and by a budget of states, that finds no violation at all. Then every violating
//! run has at least as many steps (a move of the unreduced model is one step or more), so
//! `--shortest` could not give a shorter one and the report need not suggest it.

use std::collections::HashSet;

use crate::checkable::Checkable;

/// How many states the proof may store before it gives up (a count, not a time, so the
/// answer is the same on every machine). Classroom models need a few hundred.
pub const PROOF_STATES: usize = 100_000;

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
    let mut seen: HashSet<Vec<u64>> = HashSet::new();
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
