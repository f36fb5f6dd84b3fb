//! From the run the search found to the run a user reads: real values, and as short as can
//! be made.
//!
//! The search walks representatives ([`crate::SystemModel`]): dead data at fixed values,
//! interchangeable instances sorted, transient states folded into moves. A counterexample
//! must be a run of the model itself, every value as the program holds it, so [`tell`]
//! re-executes it on the unreduced model: from the real initial state, each step is the
//! first real successor whose canonical form is the next state of the found run (such a
//! successor exists because equivalent states have corresponding steps). The properties are
//! checked again along the real run, so the violation's message names the threads of the run
//! shown.
//!
//! A run found under partial-order reduction, or depth first, need not be a shortest one.
//! It is then shortened: whole threads' steps, then single steps, are dropped while the run
//! still replays (each remaining step is taken by the same actor with the same kind of
//! outcome) and still ends in a violation of the same kind, until no single step can be
//! dropped. The result is deterministic; `--shortest` gives an exact shortest run instead.

use mutexcheck_core::{Action, Outcome, State, Step, ThreadId, WaitOutcome};

use crate::limits::Strategy;
use crate::properties::{Violation, ViolationKind};
use crate::result::{CheckResult, Counterexample, TraceStep, Verdict};
use crate::system_model::{Move, SystemModel};

/// How many successor states shortening may generate in all while it re-executes runs: it
/// stops there, keeping the shortest run so far (a count, not a time, so that the result is
/// the same on every machine; and a count of successors, not of steps, so that a model of
/// many threads cannot make it take long).
const SHORTENING_BUDGET: u64 = 4_000_000;

/// Turns the result of a search of `model` into the result a user reads: the counterexample
/// as a real run of the model, shortened unless it is known to be a shortest one.
pub fn tell(model: &SystemModel<'_>, result: CheckResult<State, Move>) -> CheckResult {
    let verdict = match result.verdict {
        Verdict::Ok => Verdict::Ok,
        Verdict::Incomplete(limit) => Verdict::Incomplete(limit),
        Verdict::Violation(found) => {
            let shortest = result.strategy == Strategy::Bfs && !model.reductions().partial_order;
            let mut run = real_run(model, &found);
            run.shortest = shortest;
            Verdict::Violation(if shortest { run } else { shorten(model, run) })
        }
    };
    CheckResult { verdict, stats: result.stats, strategy: result.strategy }
}

/// The found run re-executed on the model itself (see the module comment).
fn real_run(model: &SystemModel<'_>, found: &Counterexample<State, Move>) -> Counterexample {
    let system = model.system();
    let checks = model.checks();
    let canonical = |s: &State| {
        let mut c = s.clone();
        model.canonicalize(&mut c);
        c
    };
    // The canonical state after every step of the found run. A move keeps only its steps:
    // the transient states between them are rebuilt from the stored state it left.
    let mut targets = Vec::new();
    let mut successors = Vec::new();
    for (k, ts) in found.steps.iter().enumerate() {
        let mut at = if k == 0 { found.initial.clone() } else { found.steps[k - 1].state.clone() };
        for step in &ts.step.through {
            successors.clear();
            system.successors(&at, &mut successors);
            let Some(i) = successors.iter().position(|(s, _)| s == step) else {
                debug_assert!(false, "a move's step is not a step of the state it leaves");
                break;
            };
            at = successors.swap_remove(i).1;
            targets.push(canonical(&at));
        }
        targets.push(ts.state.clone());
    }
    let initial = system.initial_state();
    let mut run = Counterexample {
        violation: found.violation.clone(),
        initial: initial.clone(),
        steps: Vec::with_capacity(targets.len()),
        shortest: found.shortest,
        shortened_from: None,
    };
    if let Some(v) = checks.state_hooks(&initial) {
        run.violation = v;
        return run;
    }
    let mut state = initial;
    for (k, target) in targets.iter().enumerate() {
        let last = k + 1 == targets.len();
        successors.clear();
        system.successors(&state, &mut successors);
        // Among the steps that reach the target's class: on the last one, one that commits
        // the violation the search found; before it, one that commits none.
        let mut pick = None;
        for (i, (step, next)) in successors.iter().enumerate() {
            if canonical(next) != *target {
                continue;
            }
            let kind = checks.step_violation(&state, step, next).map(|v| v.kind);
            let wanted = if last { kind == Some(found.violation.kind) } else { kind.is_none() };
            if wanted {
                pick = Some(i);
                break;
            }
            pick.get_or_insert(i);
        }
        let Some(i) = pick else {
            debug_assert!(false, "step {} of the found run has no real counterpart", k + 1);
            break;
        };
        let (step, next) = successors.swap_remove(i);
        let violation = checks.step_violation(&state, &step, &next).or_else(|| checks.state_hooks(&next));
        run.steps.push(TraceStep { step, state: next.clone() });
        state = next;
        if let Some(v) = violation {
            run.violation = v;
            return run;
        }
    }
    debug_assert!(false, "the found run re-executed reaches no violation");
    run
}

/// Who takes a step, as shortening matches it after other steps were dropped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Actor {
    Thread(ThreadId),
    Crash(usize),
    Restart(usize),
}

/// Which of an actor's alternatives a step took: what stays meaningful when earlier steps
/// change (a wait that acquired may now return OK where it returned ABANDONED).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Choice {
    Any,
    Acquired,
    TimedOut,
    Alternative(usize),
}

fn key(step: &Step) -> (Actor, Choice) {
    let actor = match step.action {
        Action::Run { thread, .. } => Actor::Thread(thread),
        Action::Crash { process } => Actor::Crash(process),
        Action::Restart { process } => Actor::Restart(process),
    };
    let choice = match step.outcome {
        Outcome::Wait { outcome: WaitOutcome::Timeout, .. } => Choice::TimedOut,
        Outcome::Wait { .. } => Choice::Acquired,
        Outcome::Choice { index } => Choice::Alternative(index),
        _ => Choice::Any,
    };
    (actor, choice)
}

/// Re-executes runs described by their steps' keys, within a budget of steps.
struct Replayer<'m, 'a> {
    model: &'m SystemModel<'a>,
    kind: ViolationKind,
    budget: u64,
}

impl Replayer<'_, '_> {
    /// Runs `keys` from `state` (which has no violation); the steps taken and the violation,
    /// when the run ends in a violation of the wanted kind before any other violation.
    fn run(&mut self, state: &State, keys: &[(Actor, Choice)]) -> Option<(Vec<TraceStep>, Violation)> {
        let system = self.model.system();
        let checks = self.model.checks();
        let mut steps: Vec<TraceStep> = Vec::new();
        let mut successors = Vec::new();
        for want in keys {
            if self.budget == 0 || self.model.interrupted() {
                return None;
            }
            let current = steps.last().map_or(state, |s| &s.state);
            successors.clear();
            system.successors(current, &mut successors);
            self.budget = self.budget.saturating_sub(successors.len().max(1) as u64);
            let i = successors.iter().position(|(step, _)| key(step) == *want)?;
            let (step, next) = successors.swap_remove(i);
            let violation = checks.step_violation(current, &step, &next).or_else(|| checks.state_hooks(&next));
            steps.push(TraceStep { step, state: next });
            if let Some(v) = violation {
                return (v.kind == self.kind).then_some((steps, v));
            }
        }
        None
    }
}

/// Drops steps from `run` while it still ends in a violation of the same kind (see the
/// module comment).
fn shorten(model: &SystemModel<'_>, mut run: Counterexample) -> Counterexample {
    let found = run.steps.len();
    let mut replayer = Replayer { model, kind: run.violation.kind, budget: SHORTENING_BUDGET };
    let keys = |run: &Counterexample| run.steps.iter().map(|s| key(&s.step)).collect::<Vec<_>>();
    let mut changed = true;
    while changed && replayer.budget > 0 && !model.interrupted() {
        changed = false;
        // Every step of one actor at once, actors in order of first appearance.
        let mut actors: Vec<Actor> = Vec::new();
        for (actor, _) in keys(&run) {
            if !actors.contains(&actor) {
                actors.push(actor);
            }
        }
        for actor in actors {
            let without: Vec<_> = keys(&run).into_iter().filter(|(a, _)| *a != actor).collect();
            if without.len() < run.steps.len() {
                if let Some((steps, v)) = replayer.run(&run.initial, &without) {
                    (run.steps, run.violation) = (steps, v);
                    changed = true;
                }
            }
        }
        // Then single steps; the run up to the dropped step stays as it was.
        let mut i = 0;
        while i < run.steps.len() {
            let rest = keys(&run)[i + 1..].to_vec();
            let before = if i == 0 { run.initial.clone() } else { run.steps[i - 1].state.clone() };
            match replayer.run(&before, &rest) {
                Some((steps, v)) => {
                    run.steps.truncate(i);
                    run.steps.extend(steps);
                    run.violation = v;
                    changed = true;
                }
                None => i += 1,
            }
        }
    }
    run.shortened_from = (run.steps.len() < found).then_some(found);
    run
}
