//! The data a viewer page draws: the model's threads, mutexes and source, every step of the
//! trace, and the whole state before the first step and after each one.
//!
//! Everything here comes from the model's real states (re-executed by replay), described
//! with [`mutexcheck_core::describe`]: a value in the page is spelled exactly as in a text
//! report or a trace. Item lists keep describe's order, so nothing depends on hash order.

use mutexcheck_core::ir::Semantics;
use mutexcheck_core::posix::Consistency;
use serde::Serialize;

use mutexcheck_checker::trace::format::step_record;
use mutexcheck_checker::trace::{StepRecord, TraceFile};
use mutexcheck_checker::TraceStep;
use mutexcheck_core::describe::{Change, Item};
use mutexcheck_core::{Action, State, System, ThreadId};

/// Everything the page's script needs, serialized into the page as one JSON document.
#[derive(Clone, Debug, Serialize)]
pub struct ViewData {
    /// The model's name (after `model` in the file).
    pub model: String,
    /// The model file's path as recorded in the trace.
    pub model_path: String,
    /// The model file's text, shown with the step's line highlighted (invalid UTF-8 shown as
    /// U+FFFD).
    pub source: String,
    /// The violation the trace ends in (`None`: a run that breaks nothing, as `explore`
    /// shows one while it is played).
    pub violation: Option<ViolationView>,
    /// The crash budget, the search and the reductions the trace was found with.
    pub options: String,
    /// The model's mutex semantics, `win32` or `posix`: the page names a dead owner's mutex
    /// in that flavor's words (ABANDONED, or OWNERDEAD and inconsistent).
    pub semantics: String,
    /// Process instances in layout order, each with its lanes.
    pub processes: Vec<ProcessView>,
    /// One lane per thread, by thread id.
    pub lanes: Vec<LaneView>,
    /// Mutex names, in declaration order.
    pub mutexes: Vec<String>,
    /// The steps, in order (`steps[k - 1]` is step `k`).
    pub steps: Vec<StepView>,
    /// The initial state (`states[0]`) and the state after each step (`states[k]`).
    pub states: Vec<StateView>,
}

/// The violation a trace ends in.
#[derive(Clone, Debug, Serialize)]
pub struct ViolationView {
    /// Its kind, e.g. `leaked_ownership`.
    pub kind: String,
    /// Its sentence, e.g. `worker[1] ended owning m (count 1)`.
    pub message: String,
    /// The step at which it happens (0: the initial state).
    pub step: usize,
    /// A liveness violation's lasso: the first step of the cycle that repeats forever.
    pub cycle_start: Option<usize>,
}

/// A process instance and its threads.
#[derive(Clone, Debug, Serialize)]
pub struct ProcessView {
    /// `worker[1]`.
    pub name: String,
    /// Its threads' lanes (thread ids), contiguous.
    pub lanes: Vec<usize>,
}

/// One thread's lane.
#[derive(Clone, Debug, Serialize)]
pub struct LaneView {
    /// The thread's name: `worker[1]`, or `server.listener` in a process with several threads.
    pub name: String,
    /// Its process instance (index into [`ViewData::processes`]).
    pub process: usize,
}

/// One step of the trace.
#[derive(Clone, Debug, Serialize)]
pub struct StepView {
    /// Its number, from 1.
    pub index: usize,
    /// Who moved: a thread that ran or died, or a process that crashed or restarted.
    pub actor: String,
    /// `run`, `crash`, `restart` or `die`.
    pub action: String,
    /// The lanes the step is drawn in: the thread that ran or died, or every thread of the
    /// process that crashed or restarted.
    pub lanes: Vec<usize>,
    /// The statement's source text (`run` only).
    pub operation: Option<String>,
    /// What it returned: `OK`, `ABANDONED`, `TIMEOUT`, `true`, `done`, `crashed`, ...
    pub outcome: String,
    /// The recursion count after a successful wait.
    pub count: Option<u32>,
    /// The statement's line in the model, from 1: for `run` the statement run, for a crash
    /// or death the statement the first thread it killed was at (the source panel shows it).
    pub line: Option<u32>,
    /// For a crash or death: each thread it killed and where it was.
    pub killed: Vec<KilledView>,
    /// The step in one line, as the text report writes it.
    pub text: String,
    /// The items it changed, as the trace records them.
    pub changes: Vec<Change>,
}

/// One thread a crash or death killed, and the statement it was at.
#[derive(Clone, Debug, Serialize)]
pub struct KilledView {
    /// The thread's lane.
    pub lane: usize,
    /// The statement's line, from 1 (`None` for a model without source).
    pub line: Option<u32>,
    /// The statement's text.
    pub statement: String,
    /// Where it was, in words: `at line 26, before: release ma` or `at line 31, blocked in:
    /// wait mb`.
    pub at: String,
}

/// The whole state at one point of the run.
#[derive(Clone, Debug, Serialize)]
pub struct StateView {
    /// Every shared variable (arrays element by element).
    pub shared: Vec<Item>,
    /// Every mutex, in declaration order.
    pub mutexes: Vec<MutexView>,
    /// Every thread, by thread id.
    pub threads: Vec<ThreadView>,
    /// Every process instance's memory (empty for single-thread processes), names without
    /// the instance prefix.
    pub memory: Vec<Vec<Item>>,
}

/// One mutex in one state.
#[derive(Clone, Debug, Serialize)]
pub struct MutexView {
    /// The owning thread's lane, if any.
    pub owner: Option<usize>,
    /// The recursion count (0 when free).
    pub count: u32,
    /// Free and abandoned: the next successful wait returns `ABANDONED` (POSIX: the owner
    /// died, and the next lock returns `OWNERDEAD`).
    pub abandoned: bool,
    /// POSIX: owned by a thread that got `OWNERDEAD` and has not made it consistent yet
    /// (unlocked so, it becomes not recoverable).
    pub inconsistent: bool,
    /// POSIX: not recoverable: every lock fails with `NOTRECOVERABLE`, forever.
    pub not_recoverable: bool,
    /// The state in words: `free`, `free (abandoned)`, `owned by worker[0] (count 1)`.
    pub text: String,
}

/// One thread in one state.
#[derive(Clone, Debug, Serialize)]
pub struct ThreadView {
    /// `running`, `blocked`, `finished` or `dead`.
    pub status: String,
    /// The line of the statement it executes next, while it is running or blocked.
    pub next_line: Option<u32>,
    /// Where that statement is, as reports say it: `line 12`, or `line 12 in acquire,
    /// called at line 30` for a statement of a procedure.
    pub next_at: Option<String>,
    /// Its locals, names without the thread prefix (`round`, not `worker[0].round`).
    pub locals: Vec<Item>,
}

impl ViewData {
    /// The data of `trace` on `system`: `initial` and `steps` are the run replay re-executed,
    /// or the counterexample the trace was made from (the steps of the trace, each with the
    /// state after it), `source` the model file.
    pub fn new(system: &System, trace: &TraceFile, source: &[u8], initial: &State, steps: &[TraceStep]) -> ViewData {
        let options = &trace.options;
        let reductions = if options.reductions.is_empty() { "none".to_string() } else { options.reductions.join(", ") };
        let run = RunInfo {
            model_path: trace.model.path.clone(),
            options: format!(
                "crashes allowed: {}, search: {}, reductions: {reductions}",
                options.crashes, options.search
            ),
            violation: Some(ViolationView {
                kind: trace.violation.kind.clone(),
                message: trace.violation.message.clone(),
                step: trace.violation.step,
                cycle_start: trace.violation.cycle_start,
            }),
        };
        let mut data = ViewData::of_run(system, run, source, initial, &[]);
        data.model = trace.model.name.clone();
        data.states.extend(steps.iter().map(|s| state_view(system, &s.state)));
        let befores = std::iter::once(initial).chain(steps.iter().map(|s| &s.state));
        data.steps = trace
            .steps
            .iter()
            .zip(steps)
            .zip(befores)
            .map(|((record, replayed), before)| step_view(system, record, replayed, before))
            .collect();
        data
    }

    /// The data of a run that is not (yet) a saved trace, such as the one `explore` has on
    /// screen: `initial` and `steps` are the model's real states; each step is described as
    /// a trace records it ([`step_record`]).
    pub fn of_run(system: &System, run: RunInfo, source: &[u8], initial: &State, steps: &[TraceStep]) -> ViewData {
        let layout = system.layout();
        let processes = layout
            .processes
            .iter()
            .map(|p| ProcessView { name: p.name.clone(), lanes: p.threads.clone().map(usize::from).collect() })
            .collect();
        let lanes = layout.threads.iter().map(|t| LaneView { name: t.name.clone(), process: t.process }).collect();
        let mut states = vec![state_view(system, initial)];
        states.extend(steps.iter().map(|s| state_view(system, &s.state)));
        let mut before = initial;
        let steps = steps
            .iter()
            .enumerate()
            .map(|(k, s)| {
                let record = step_record(system, k + 1, &s.step, before, &s.state);
                let view = step_view(system, &record, s, before);
                before = &s.state;
                view
            })
            .collect();
        ViewData {
            model: system.model().name.clone(),
            model_path: run.model_path,
            source: String::from_utf8_lossy(source).into_owned(),
            violation: run.violation,
            options: run.options,
            semantics: system.model().semantics.name().to_string(),
            processes,
            lanes,
            mutexes: system.model().mutexes.iter().map(|m| m.name.clone()).collect(),
            steps,
            states,
        }
    }
}

/// What [`ViewData::of_run`] says about a run besides its states: where its model is, the
/// options in words, and the violation it ends in, if any.
#[derive(Clone, Debug)]
pub struct RunInfo {
    /// The model file's path, as given.
    pub model_path: String,
    /// The options in words, shown under the title.
    pub options: String,
    /// The violation the run ends in, if it breaks a property.
    pub violation: Option<ViolationView>,
}

/// The view of one step taken from `before` (the state it left: where the threads a crash
/// kills were).
fn step_view(system: &System, record: &StepRecord, replayed: &TraceStep, before: &State) -> StepView {
    let lanes = match replayed.step.action {
        // A thread's death is drawn on its own lane only: its process lives on.
        Action::Run { thread, .. } | Action::Die { thread } => vec![usize::from(thread)],
        Action::Crash { process } | Action::Restart { process } => {
            system.layout().processes[process].threads.clone().map(usize::from).collect()
        }
    };
    let killed: Vec<KilledView> = system
        .killed(before, &replayed.step.action)
        .iter()
        .map(|k| {
            let (span, text, _) = system.killed_at(k);
            KilledView {
                lane: usize::from(k.thread),
                line: (span.line > 0).then_some(span.line),
                statement: text.to_string(),
                at: system.killed_text(k),
            }
        })
        .collect();
    StepView {
        index: record.index,
        actor: record.actor.clone(),
        action: record.action.clone(),
        lanes,
        operation: record.operation.clone(),
        outcome: record.outcome.clone(),
        count: record.count,
        line: record.span.map(|s| s.line).or_else(|| killed.iter().find_map(|k| k.line)),
        killed,
        text: system.step_text_in(before, &replayed.step),
        changes: record.changes.clone(),
    }
}

fn state_view(system: &System, state: &State) -> StateView {
    let layout = system.layout();
    let mutexes = (0..system.model().mutexes.len())
        .map(|m| {
            let value = system.mutex(state, m);
            // A POSIX mutex whose owner died is drawn as an abandoned one: free, and the
            // next lock reports the death (OWNERDEAD).
            let (abandoned, consistency) = match system.model().semantics {
                Semantics::Win32 => (value.abandoned, Consistency::Consistent),
                Semantics::Posix => {
                    let c = system.posix_mutex(state, m).consistency;
                    (c == Consistency::OwnerDied, c)
                }
            };
            MutexView {
                owner: value.owner.map(usize::from),
                count: value.count,
                abandoned,
                inconsistent: consistency == Consistency::Inconsistent,
                not_recoverable: consistency == Consistency::NotRecoverable,
                text: system.mutex_state_text(state, m),
            }
        })
        .collect();
    let threads = (0..system.thread_count())
        .map(|t| {
            let t = t as ThreadId;
            let status = system.status_text(state, t);
            let active = matches!(status, "running" | "blocked");
            let next = system.instr(&Action::Run { thread: t, pc: system.pc(state, t) });
            ThreadView {
                status: status.to_string(),
                next_line: next.filter(|i| active && i.span.line > 0).map(|i| i.span.line),
                next_at: next.filter(|i| active && i.span.line > 0).map(|i| i.location()),
                locals: unprefixed(system.local_items(state, t), system.thread_name(t)),
            }
        })
        .collect();
    let memory = (0..layout.processes.len())
        .map(|p| unprefixed(system.process_items(state, p), system.process_name(p)))
        .collect();
    StateView { shared: system.shared_items(state), mutexes, threads, memory }
}

/// `items` named without the `owner.` prefix describe gives them: in the panel they are
/// listed under their owner.
fn unprefixed(items: Vec<Item>, owner: &str) -> Vec<Item> {
    items
        .into_iter()
        .map(|item| {
            let name = item.name.strip_prefix(owner).and_then(|n| n.strip_prefix('.')).map(str::to_string);
            Item { name: name.unwrap_or(item.name), ..item }
        })
        .collect()
}
