//! Replay: re-execute a stored trace against a model, step by step, and confirm that its
//! violation still happens — or say exactly which step no longer matches and why.
//!
//! Each recorded step is matched against the successors of the current state in the trace's
//! own vocabulary (actor, action, instruction, outcome, count, changes), so a replay checks
//! the same facts a reader of the trace relies on.

use mutexcheck_core::{Action, Actor, State, Step, System, ThreadId, ThreadStatus};

use super::format::{step_record, StepRecord, TraceFile};
use crate::checks::Checks;
use crate::result::TraceStep;

/// A violation as replay sees it: its kind and its sentence.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Found {
    /// The violation kind, e.g. `leaked_ownership`.
    pub kind: String,
    /// The violation in one sentence.
    pub message: String,
}

/// How a replay ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ReplayVerdict {
    /// Every step matched and the recorded violation happened at the recorded step.
    Reproduced(Found),
    /// Step `step` (from 1; 0 for the initial state) no longer matches: `reason` says why.
    Diverged { step: usize, reason: String },
}

/// The result of a replay: the steps that did replay, as one line each, and the verdict.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Replay {
    /// One line per replayed step, as in a check report:
    /// `   3. worker[0] line 12: a = a + 1    a: 0 -> 1`.
    pub lines: Vec<String>,
    /// The verdict.
    pub verdict: ReplayVerdict,
}

/// A replay together with the run it re-executed: the states a viewer shows step by step.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReplayRun {
    /// The replay's lines and verdict, as [`replay`] returns them.
    pub replay: Replay,
    /// The model's initial state.
    pub initial: State,
    /// Every step that matched, with the state after it, in order: as many as the trace has
    /// when it reproduces, fewer when it diverged (the steps before the one that no longer
    /// matches).
    pub steps: Vec<TraceStep>,
}

/// Replays `trace` on `system`, checking every property after every step exactly as the
/// search does (see [`Checks`] for the order).
pub fn replay(system: &System, trace: &TraceFile) -> Replay {
    run(system, trace, &checker_violation(system), None)
}

/// [`replay`], also returning the states along the way: the real states of the model, from
/// which a viewer draws every variable, mutex and thread at every step.
pub fn replay_run(system: &System, trace: &TraceFile) -> ReplayRun {
    let mut steps = Vec::with_capacity(trace.steps.len());
    let replay = run(system, trace, &checker_violation(system), Some(&mut steps));
    ReplayRun { replay, initial: system.initial_state(), steps }
}

/// The property check of the search, as a replay's [`ViolationAt`].
fn checker_violation(system: &System) -> impl Fn(Option<(&State, &Step)>, &State) -> Option<Found> + '_ {
    let checks = Checks::new(system);
    move |prev: Option<(&State, &Step)>, state: &State| {
        prev.and_then(|(before, step)| checks.step_violation(before, step, state))
            .or_else(|| checks.state_hooks(state))
            .map(|v| Found { kind: v.kind.name().to_string(), message: v.message })
    }
}

/// The property check of a replay: the violation (if any) seen on reaching a state by a step
/// from the state before it (`None` for the initial state).
pub type ViolationAt<'a> = dyn Fn(Option<(&State, &Step)>, &State) -> Option<Found> + 'a;

/// Replays `trace` on `system` with `violation_at(prev, state)` as the property check: the
/// violation (if any) observed on reaching `state` by the step `prev` from the state before
/// it (`None` for the initial state).
pub fn replay_with(system: &System, trace: &TraceFile, violation_at: &ViolationAt) -> Replay {
    run(system, trace, violation_at, None)
}

/// The replay itself; when `states` is given, each matched step and the state after it are
/// pushed onto it.
fn run(
    system: &System,
    trace: &TraceFile,
    violation_at: &ViolationAt,
    mut states: Option<&mut Vec<TraceStep>>,
) -> Replay {
    let mut lines = Vec::new();
    let mut state = system.initial_state();
    let expected = &trace.violation;
    let diverged = |lines: Vec<String>, step: usize, reason: String| Replay {
        lines,
        verdict: ReplayVerdict::Diverged { step, reason },
    };
    if expected.step > trace.steps.len() {
        let reason = format!(
            "the trace says its violation happens at step {} but it has only {} steps",
            expected.step,
            trace.steps.len()
        );
        return diverged(lines, expected.step, reason);
    }
    if let Some(found) = violation_at(None, &state) {
        return finish(lines, 0, trace.steps.len(), expected, found);
    }
    let mut successors = Vec::new();
    // A lasso is checked at its end against the states it went through.
    let lasso = expected.cycle_start;
    let mut lasso_states = vec![state.clone()];
    let mut taken: Vec<Step> = Vec::new();
    // Who each recorded step names: only that actor's steps are made at each step (a state
    // of a thousand threads has thousands of others).
    let threads: std::collections::HashMap<&str, ThreadId> =
        (0..system.thread_count() as ThreadId).map(|t| (system.thread_name(t), t)).collect();
    let processes: std::collections::HashMap<&str, usize> =
        (0..system.layout().processes.len()).map(|p| (system.process_name(p), p)).collect();
    for (i, recorded) in trace.steps.iter().enumerate() {
        let index = i + 1;
        if recorded.index != index {
            let reason = format!("step {index} is numbered {} in the file: the steps are out of order", recorded.index);
            return diverged(lines, index, reason);
        }
        successors.clear();
        let actor = match recorded.action.as_str() {
            "run" => threads.get(recorded.actor.as_str()).map(|&t| Actor::Thread(t)),
            "die" => threads.get(recorded.actor.as_str()).map(|&t| Actor::Death(t)),
            _ => processes.get(recorded.actor.as_str()).map(|&p| Actor::Process(p)),
        };
        if let Some(actor) = actor {
            system.successors_of(&state, actor, &mut successors);
        }
        // The one rule for a recorded step (crate::path::find): the first successor whose
        // record names the same action with the same outcome.
        let mut got = None;
        let matched = crate::path::find(&successors, |step, next| {
            let record = step_record(system, index, step, &state, next);
            let hit = same_action(&record, recorded) && same_outcome(&record, recorded);
            if hit {
                got = Some(record);
            }
            hit
        });
        let (Some(i), Some(got)) = (matched, got) else {
            // Only to say why: the first step of the same action, with its other outcome.
            let same_action = successors
                .iter()
                .map(|(step, next)| step_record(system, index, step, &state, next))
                .find(|got| same_action(got, recorded));
            let reason = match same_action {
                Some(got) => format!(
                    "{} `{}` now returns {}, the trace says {}",
                    recorded.actor,
                    op_text(recorded),
                    with_count(&got.outcome, got.count),
                    with_count(&recorded.outcome, recorded.count)
                ),
                None => why_not_enabled(system, &state, recorded),
            };
            return diverged(lines, index, reason);
        };
        let (step, next) = &successors[i];
        if !same_changes(&got.changes, &recorded.changes) {
            let reason = format!(
                "{} `{}` now changes {}, the trace says it changes {}",
                recorded.actor,
                op_text(recorded),
                changes_text(&got.changes),
                changes_text(&recorded.changes)
            );
            return diverged(lines, index, reason);
        }
        if let Some(reason) = killed_differs(&got, recorded) {
            return diverged(lines, index, reason);
        }
        let width = trace.steps.len().to_string().len();
        lines.push(crate::report::trace_line(system, index, width, &state, step, &got.changes));
        let found = violation_at(Some((&state, step)), next);
        if let Some(states) = states.as_deref_mut() {
            states.push(TraceStep { step: step.clone(), state: next.clone() });
        }
        if lasso.is_some() {
            lasso_states.push(next.clone());
            taken.push(step.clone());
        }
        state = next.clone();
        if let Some(found) = found {
            return finish(lines, index, trace.steps.len(), expected, found);
        }
    }
    if let Some(start) = lasso {
        return match crate::liveness::recheck(system, &lasso_states, &taken, start) {
            Ok(v) => {
                let found = Found { kind: v.kind.name().to_string(), message: v.message };
                finish(lines, trace.steps.len(), trace.steps.len(), expected, found)
            }
            Err(reason) => diverged(lines, trace.steps.len(), reason),
        };
    }
    let reason = format!(
        "all {} steps replay, but the violation ({}: {}) no longer happens",
        trace.steps.len(),
        expected.kind,
        expected.message
    );
    diverged(lines, trace.steps.len(), reason)
}

fn finish(
    lines: Vec<String>,
    at: usize,
    steps: usize,
    expected: &super::format::TraceViolation,
    found: Found,
) -> Replay {
    let verdict = if found.kind == expected.kind && at == expected.step && at < steps {
        // A run stops at its first violation: steps after it never happened in any search.
        let after = steps - at;
        ReplayVerdict::Diverged {
            step: at + 1,
            reason: format!(
                "the violation ({}) happens at step {at} as the trace says, but the trace goes on for {after} more step{} after it; a trace ends at its violation",
                found.kind,
                if after == 1 { "" } else { "s" }
            ),
        }
    } else if found.kind == expected.kind && at == expected.step {
        ReplayVerdict::Reproduced(found)
    } else {
        ReplayVerdict::Diverged {
            step: at,
            reason: format!(
                "the run now ends at step {at} with {}: {} — the trace expects {}: {} at step {}",
                found.kind, found.message, expected.kind, expected.message, expected.step
            ),
        }
    };
    Replay { lines, verdict }
}

/// True when a step's record names the recorded step's action: the same actor doing the same
/// thing at the same instruction, in the same procedure calls. The statement text must match
/// too: the same pc in an edited model may be another statement. Line numbers may move (an
/// edited header) without harm.
fn same_action(got: &StepRecord, recorded: &StepRecord) -> bool {
    got.actor == recorded.actor
        && got.action == recorded.action
        && got.pc == recorded.pc
        && got.operation == recorded.operation
        && same_procs(got, recorded)
}

/// True when a step's record has the recorded outcome (and count).
fn same_outcome(got: &StepRecord, recorded: &StepRecord) -> bool {
    got.outcome == recorded.outcome && got.count == recorded.count
}

/// True when two records of a step sit in the same procedure calls (by procedure name: a
/// call moved to another line is still the same call).
fn same_procs(a: &StepRecord, b: &StepRecord) -> bool {
    a.called_from.len() == b.called_from.len()
        && a.called_from.iter().zip(&b.called_from).all(|(x, y)| x.proc == y.proc)
}

/// Why a crash or death no longer kills its threads where the trace says (by thread,
/// instruction and statement: lines may move). A trace older than version 4 records no
/// `killed` and is not checked for it.
fn killed_differs(got: &StepRecord, recorded: &StepRecord) -> Option<String> {
    let key = |k: &super::format::KilledRecord| (k.thread.clone(), k.pc, k.operation.clone());
    let same =
        got.killed.len() == recorded.killed.len() && got.killed.iter().map(key).eq(recorded.killed.iter().map(key));
    if recorded.killed.is_empty() || same {
        return None;
    }
    let say = |ks: &[super::format::KilledRecord]| {
        let each: Vec<String> =
            ks.iter().map(|k| format!("{} at line {} (`{}`)", k.thread, k.span.line, k.operation)).collect();
        if each.is_empty() {
            "no thread".to_string()
        } else {
            each.join(", ")
        }
    };
    let verb = if recorded.action == "die" { "death" } else { "crash" };
    Some(format!(
        "{}'s {verb} now kills {}, the trace says it killed {}",
        recorded.actor,
        say(&got.killed),
        say(&recorded.killed)
    ))
}

fn op_text(step: &StepRecord) -> String {
    step.operation.clone().unwrap_or_else(|| step.action.clone())
}

fn with_count(outcome: &str, count: Option<u32>) -> String {
    match count {
        Some(c) => format!("{outcome} (count {c})"),
        None => outcome.to_string(),
    }
}

/// Whether a step's changes are the recorded ones. A trace older than version 4 has no typed
/// values: its changes are compared by their prose alone.
fn same_changes(got: &[mutexcheck_core::describe::Change], recorded: &[mutexcheck_core::describe::Change]) -> bool {
    got.len() == recorded.len()
        && got.iter().zip(recorded).all(|(g, r)| {
            let typed = |v: &Option<_>, w: &Option<_>| w.is_none() || v == w;
            g.name == r.name
                && g.before == r.before
                && g.after == r.after
                && typed(&g.before_value, &r.before_value)
                && typed(&g.after_value, &r.after_value)
        })
}

fn changes_text(changes: &[mutexcheck_core::describe::Change]) -> String {
    if changes.is_empty() {
        return "nothing".into();
    }
    changes.iter().map(|c| format!("{}: {} -> {}", c.name, c.before, c.after)).collect::<Vec<_>>().join(", ")
}

/// Why the recorded step's action is not among the enabled ones.
fn why_not_enabled(system: &System, state: &State, recorded: &StepRecord) -> String {
    let actor = &recorded.actor;
    let threads = 0..system.thread_count() as u16;
    let process = (0..system.layout().processes.len()).find(|&p| system.process_name(p) == actor);
    match recorded.action.as_str() {
        "run" => {
            let Some(t) = threads.clone().find(|&t| system.thread_name(t) == actor) else {
                return format!("the model has no thread named {actor}");
            };
            let op = op_text(recorded);
            match system.thread_status(state, t) {
                ThreadStatus::Finished => format!("{actor} has already finished, so it cannot run `{op}`"),
                ThreadStatus::Dead => format!("{actor} is dead, so it cannot run `{op}`"),
                status => {
                    let pc = system.pc(state, t);
                    let here = system.instr(&Action::Run { thread: t, pc });
                    let (line, text) = here.map(|i| (i.span.line, i.text.as_str())).unwrap_or_default();
                    let found = format!("instruction {pc} (line {line}, `{text}`)");
                    let want_line = recorded.span.map(|s| format!("line {}, ", s.line)).unwrap_or_default();
                    let procs = |calls: &[mutexcheck_core::ir::CallSite]| {
                        calls.iter().map(|c| c.proc.clone()).collect::<Vec<_>>()
                    };
                    if let Some(i) = here.filter(|i| {
                        recorded.pc == Some(pc) && text == op && procs(&i.called_from) != procs(&recorded.called_from)
                    }) {
                        let mut then = format!("line {}", recorded.span.map_or(0, |s| s.line));
                        mutexcheck_core::ir::append_calls(&mut then, &recorded.called_from);
                        return format!(
                            "{actor}'s instruction {pc}, `{text}`, is now at {}, but the trace has it at {then}: the model's code has changed",
                            i.location()
                        );
                    }
                    match recorded.pc {
                        Some(want) if want == pc && text == op => match status {
                            ThreadStatus::Blocked => {
                                format!("{actor} is blocked at {found}: the mutex is owned by another thread")
                            }
                            _ => format!("{actor} is at {found} as the trace says, but another thread is inside an atomic block"),
                        },
                        Some(want) if want == pc => format!(
                            "{actor}'s instruction {pc} is now line {line}, `{text}`; the trace expects `{op}` there ({want_line}as recorded): the model's code has changed"
                        ),
                        Some(want) => format!(
                            "{actor} is at {found}; the trace expects it at instruction {want} ({want_line}`{op}`): the model's code or the trace has changed"
                        ),
                        None => format!("{actor} is at {found}; the trace's step gives no instruction for `{op}`"),
                    }
                }
            }
        }
        "crash" | "restart" => {
            if process.is_none() {
                return format!("the model has no process named {actor}");
            }
            if recorded.action == "crash" && system.crashes_used(state) >= system.model().crashes {
                format!("{actor} cannot crash: the crash budget of {} is used up", system.model().crashes)
            } else if recorded.action == "crash" {
                format!(
                    "{actor} cannot crash here: it has no running thread (or another thread is inside an atomic block)"
                )
            } else {
                format!("{actor} cannot restart here: it is not a crashed process marked `restart`")
            }
        }
        "die" => {
            let Some(t) = threads.clone().find(|&t| system.thread_name(t) == actor) else {
                return format!("the model has no thread named {actor}");
            };
            let tp = &system.layout().threads[t as usize];
            let decl = &system.model().processes[system.layout().processes[tp.process].decl].threads[tp.decl];
            if !decl.may_die {
                format!("{actor} cannot die alone: its thread is not declared `may_die`")
            } else if system.crashes_used(state) >= system.model().crashes {
                format!("{actor} cannot die: the crash budget of {} is used up", system.model().crashes)
            } else {
                format!("{actor} cannot die here: it has already ended (or another thread is inside an atomic block)")
            }
        }
        other => format!("the trace has an unknown action \"{other}\" (expected run, crash, restart or die)"),
    }
}
