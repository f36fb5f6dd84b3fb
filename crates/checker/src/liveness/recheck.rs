//! A lasso checked again step by step on real states, as `replay` does, and the words a
//! liveness violation is told in.

use mutexcheck_core::ir::Liveness;
use mutexcheck_core::{Outcome, State, Step, System, ThreadId};

use super::facts::{blocked_on, step_facts, StepFacts};
use super::scc::Goal;
use crate::properties::{Violation, ViolationKind};

/// The violation a lasso of `goal` shows, whose cycle is steps `start..=end`.
pub fn describe(system: &System, goal: Goal, start: usize, end: usize) -> Violation {
    let repeat = if start == end { format!("step {start} repeats") } else { format!("steps {start}-{end} repeat") };
    match goal {
        Goal::Livelock => Violation::new(
            ViolationKind::Livelock,
            format!("livelock: {repeat} forever, a fair run that never passes a `progress` statement"),
        ),
        Goal::Starvation { mutex, starving } => Violation::new(
            ViolationKind::Starvation,
            format!(
                "starvation: {} waits for {} forever while other threads keep acquiring it ({repeat} forever, a fair run)",
                system.thread_name(starving),
                system.model().mutexes[mutex].name
            ),
        ),
    }
}

/// Re-checks a lasso step by step, as replay does: `states[0]` is the state before the first
/// step and `states[i]` the state after step `i`; the cycle is steps `start..=steps.len()`.
/// Returns the violation the cycle shows (a fair cycle back to its first state that breaks a
/// liveness property of the model), or why it shows none. Fairness is judged on every state
/// of the cycle with full enabledness, whatever reduction found the lasso.
pub fn recheck(system: &System, states: &[State], steps: &[Step], start: usize) -> Result<Violation, String> {
    let n = steps.len();
    if start == 0 || start > n {
        return Err(format!("the cycle is said to start at step {start}, but the trace has {n} steps"));
    }
    let canonical = |s: &State| {
        let mut s = s.clone();
        system.canonicalize_dead(&mut s);
        s
    };
    // Values no later step reads (dead data) may differ: the state is the same for every
    // future, so the cycle closes.
    if canonical(&states[n]) != canonical(&states[start - 1]) {
        return Err(format!("the last step does not return to the state before step {start}, where the cycle starts"));
    }
    let cycle_states = &states[start - 1..n];
    let cycle: Vec<StepFacts> =
        steps[start - 1..].iter().zip(cycle_states).map(|(s, before)| step_facts(system, before, s)).collect();
    let mut successors = Vec::new();
    let disabled_somewhere = |t: ThreadId, successors: &mut Vec<(Step, State)>| {
        cycle_states.iter().any(|s| {
            successors.clear();
            system.successors_of(s, mutexcheck_core::Actor::Thread(t), successors);
            successors.iter().all(|(step, _)| matches!(step.outcome, Outcome::Fault(_)))
        })
    };
    let unfair = (0..system.thread_count() as ThreadId)
        .find(|&t| !cycle.iter().any(|f| f.thread == Some(t)) && !disabled_somewhere(t, &mut successors));
    if let Some(t) = unfair {
        return Err(format!(
            "the cycle is not fair: {} can move in every state of it but never does",
            system.thread_name(t)
        ));
    }
    let end = n;
    if system.model().has_progress() && !cycle.iter().any(|f| f.progress) {
        return Ok(describe(system, Goal::Livelock, start, end));
    }
    for l in &system.model().liveness {
        let Liveness::Starvation { mutex, .. } = l;
        for t in 0..system.thread_count() as ThreadId {
            let never = !cycle.iter().any(|f| f.thread == Some(t) && f.acquired == Some(*mutex));
            let others = cycle.iter().any(|f| f.thread != Some(t) && f.acquired == Some(*mutex));
            let tries = cycle.iter().any(|f| f.thread == Some(t) && f.missed == Some(*mutex))
                || cycle_states.iter().any(|s| blocked_on(system, s, t, *mutex));
            if never && others && tries {
                return Ok(describe(system, Goal::Starvation { mutex: *mutex, starving: t }, start, end));
            }
        }
    }
    Err("the cycle passes a `progress` statement and starves no thread: it breaks no liveness property".into())
}
