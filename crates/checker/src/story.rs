//! From the run the search found to the run a user reads: real values, and as short as can
//! be made.
//!
//! The search walks representatives ([`crate::SystemModel`]): dead data at fixed values,
//! interchangeable instances sorted, transient states folded into moves. A counterexample
//! must be a run of the model itself, every value as the program holds it, so [`tell`]
//! re-executes it on the unreduced model: from the real initial state, each step is the
//! first real successor ([`crate::path::find`]) whose canonical form is the next state of the
//! found run (such a successor exists because equivalent states have corresponding steps),
//! one that commits the found violation on the last step and none before it if there is one. The properties are
//! checked again along the real run, so the violation's message names the threads of the run
//! shown.
//!
//! A run found under partial-order reduction, or depth first, need not be a shortest one.
//! It is then shortened: whole threads' steps, then single steps, are dropped while the run
//! still replays (each remaining step is taken by the same actor with the same kind of
//! outcome) and still ends in a violation of the same kind, until no single step can be
//! dropped. The result is deterministic; `--shortest` gives an exact shortest run instead.

use mutexcheck_core::posix::LockOutcome;
use mutexcheck_core::{Action, Outcome, State, Step, ThreadId, WaitOutcome};

use crate::limits::Strategy;
use crate::properties::{Violation, ViolationKind};
use crate::result::{CheckResult, Counterexample, TraceStep, Verdict};
use crate::system_model::{Move, SystemModel};

/// How many values of states shortening may generate in all while it re-executes runs (a
/// successor of a state of `n` values costs `n`): it stops there, keeping the shortest run so
/// far. A count, not a time, so that the result is the same on every machine; and a count of
/// values, so that neither many threads nor large states can make it take long.
const SHORTENING_BUDGET: u64 = 400_000_000;

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
            let mut run = if shortest { run } else { shorten(model, run) };
            // Known shortest after all when no shorter run violates anything (a lasso has no
            // length to compare: it is not a shortest-run question).
            if !run.shortest && run.cycle_start.is_none() {
                run.shortest = run.steps.len() <= 1 || proved_shortest(model, run.steps.len());
            }
            Verdict::Violation(run)
        }
    };
    CheckResult { verdict, stats: result.stats, strategy: result.strategy }
}

/// True when the unreduced model has no violation within `steps - 1` transitions, so a run
/// of `steps` is a shortest one (see [`crate::shortest`]).
fn proved_shortest(model: &SystemModel<'_>, steps: usize) -> bool {
    let symmetry = model.reductions().symmetry;
    let exact = SystemModel::new(model.system(), crate::Reductions { partial_order: false, symmetry });
    crate::shortest::no_violation_within(&exact, steps - 1, &|| model.interrupted())
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
    let initial = system.initial_state();
    let mut run = Counterexample::new(found.violation.clone(), initial.clone(), Vec::new(), found.shortest);
    if let Some(v) = checks.state_hooks(&initial) {
        run.violation = v;
        return run;
    }
    let total: usize = found.steps.iter().map(|ts| ts.step.len()).sum();
    let mut state = initial;
    let mut successors = Vec::new();
    for (k, ts) in found.steps.iter().enumerate() {
        // The move's steps, from the stored state it left, with the states they reach (the
        // transient ones rebuilt: a move keeps only its steps), each then made canonical.
        let mut at = if k == 0 { found.initial.clone() } else { found.steps[k - 1].state.clone() };
        let mut targets = Vec::with_capacity(ts.step.len());
        for step in &ts.step.through {
            successors.clear();
            system.successors_of(&at, step.action.actor(), &mut successors);
            let Some(i) = crate::path::find(&successors, |s, _| s == step) else {
                debug_assert!(false, "a move's step is not a step of the state it leaves");
                break;
            };
            at = successors.swap_remove(i).1;
            targets.push((step.action.actor(), canonical(&at)));
        }
        targets.push((ts.step.last.action.actor(), ts.state.clone()));
        // Who plays each part of the move in the real state (symmetry may have swapped
        // interchangeable instances): found once, for the whole move.
        let real_actor = model.real_actors(&state);
        for (actor, target) in targets {
            let last = run.steps.len() + 1 == total;
            // Among the steps that reach the target's class: on the last one, one that
            // commits the violation the search found; before it, one that commits none.
            // The actor's own steps first; all steps if none of them fits.
            let mut pick = None;
            for everyone in [false, true] {
                successors.clear();
                if everyone {
                    system.successors(&state, &mut successors);
                } else {
                    system.successors_of(&state, real_actor(actor), &mut successors);
                }
                let reaches = |next: &State| canonical(next) == target;
                pick = crate::path::find(&successors, |step, next| {
                    let kind = || checks.step_violation(&state, step, next).map(|v| v.kind);
                    reaches(next) && if last { kind() == Some(found.violation.kind) } else { kind().is_none() }
                })
                .or_else(|| crate::path::find(&successors, |_, next| reaches(next)));
                if pick.is_some() {
                    break;
                }
            }
            let Some(i) = pick else {
                debug_assert!(false, "step {} of the found run has no real counterpart", run.steps.len() + 1);
                return run;
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
    Death(ThreadId),
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
        Action::Die { thread } => Actor::Death(thread),
    };
    let choice = match step.outcome {
        Outcome::Wait { outcome: WaitOutcome::Timeout, .. } => Choice::TimedOut,
        Outcome::Wait { .. } => Choice::Acquired,
        Outcome::Lock { outcome: LockOutcome::TimedOut | LockOutcome::Busy, .. } => Choice::TimedOut,
        Outcome::Lock { .. } => Choice::Acquired,
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
            let actor = match want.0 {
                Actor::Thread(t) => mutexcheck_core::Actor::Thread(t),
                Actor::Crash(p) | Actor::Restart(p) => mutexcheck_core::Actor::Process(p),
                Actor::Death(t) => mutexcheck_core::Actor::Death(t),
            };
            system.successors_of(current, actor, &mut successors);
            let cost = successors.len().max(1) * current.slots().len().max(1);
            self.budget = self.budget.saturating_sub(cost as u64);
            let i = crate::path::find(&successors, |step, _| key(step) == *want)?;
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
        // Every step of a set of actors at once, actors in order of first appearance: halves
        // of them first, then quarters, down to one actor at a time, so that a run through
        // many threads of which few matter sheds the others in a few tries.
        let mut actors: Vec<Actor> = Vec::new();
        for (actor, _) in keys(&run) {
            if !actors.contains(&actor) {
                actors.push(actor);
            }
        }
        let mut size = actors.len().div_ceil(2).max(1);
        loop {
            let mut i = 0;
            while i < actors.len() {
                let dropped = &actors[i..(i + size).min(actors.len())];
                let without: Vec<_> = keys(&run).into_iter().filter(|(a, _)| !dropped.contains(a)).collect();
                match replayer.run(&run.initial, &without) {
                    Some((steps, v)) if without.len() < run.steps.len() => {
                        (run.steps, run.violation) = (steps, v);
                        changed = true;
                        actors.drain(i..(i + size).min(actors.len()));
                    }
                    _ => i += size,
                }
            }
            if size == 1 {
                break;
            }
            size = size.div_ceil(2);
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
    // Stopped by a bound rather than done: say so, the length is then the machine's.
    run.shortening_stopped = model.interrupt_limit();
    run
}
