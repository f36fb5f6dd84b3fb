//! The Win32 conformance scenarios (`scenarios.txt`, beside this file) and the model side:
//! what the core's `MutexState` says each step returns, as one table line per step.
//!
//! Shared by the example `win32_scenarios` (which prints the table that
//! `scripts/conformance-win32` diffs with the OS side, `scenarios.c`) and the test
//! `win32_scenarios` (which checks the table against the results written in the file).
//! The line format must stay byte for byte the one `scenarios.c` prints.

use std::fmt;

use mutexcheck_core::mutex::Unavailable;
use mutexcheck_core::{MutexState, ReleaseOutcome, ThreadId, WaitOutcome};

/// The scenario file, compiled in: the model side needs no path at run time.
pub const SCENARIOS: &str = include_str!("scenarios.txt");

/// Whether an actor is a thread of the driver's process or a process of its own.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ActorKind {
    Thread,
    Process,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    /// `WaitForSingleObject(m, ms)`.
    Wait(u32),
    Release,
    /// The actor starts `WaitForSingleObject(m, ms)`; the result is read by `EndWait`.
    BeginWait(u32),
    EndWait,
    ExitThread,
    /// A thread actor calls `ExitThread` (a `may_die` thread's death in a model).
    CallExitThread,
    /// The driver calls `TerminateThread` on a thread actor.
    KillThread,
    ExitProcess,
    Terminate,
}

impl fmt::Display for Op {
    /// The operation as the table prints it (and as `scenarios.c` does).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Op::Wait(ms) => write!(f, "wait {ms}"),
            Op::Release => f.write_str("release"),
            Op::BeginWait(ms) => write!(f, "begin-wait {ms}"),
            Op::EndWait => f.write_str("end-wait"),
            Op::ExitThread => f.write_str("exit-thread"),
            Op::CallExitThread => f.write_str("ExitThread"),
            Op::KillThread => f.write_str("kill-thread"),
            Op::ExitProcess => f.write_str("exit-process"),
            Op::Terminate => f.write_str("terminate"),
        }
    }
}

pub struct Step {
    /// Index in the scenario's actors, which is also the actor's `ThreadId` in the model.
    pub actor: usize,
    pub op: Op,
    /// The result the file writes after `->`: what the Win32 documentation says.
    pub documented: String,
    /// The line of the file, for error messages.
    pub line: usize,
}

pub struct Scenario {
    pub name: String,
    pub actors: Vec<(String, ActorKind)>,
    pub steps: Vec<Step>,
}

/// Parses the scenario file. The C side parses the same grammar; an error names the line.
pub fn parse(text: &str) -> Result<Vec<Scenario>, String> {
    let mut scenarios: Vec<Scenario> = Vec::new();
    for (index, raw) in text.lines().enumerate() {
        let line = index + 1;
        let content = raw.split('#').next().unwrap_or("").trim();
        if content.is_empty() {
            continue;
        }
        let err = |what: &str| Err(format!("scenarios.txt:{line}: {what}: {raw:?}"));
        let (call, documented) = match content.split_once("->") {
            Some((call, documented)) => (call, Some(documented.trim())),
            None => (content, None),
        };
        let words: Vec<&str> = call.split_whitespace().collect();
        if let ["scenario", name] = words[..] {
            if scenarios.iter().any(|s| s.name == name) {
                return err("a second scenario of this name");
            }
            scenarios.push(Scenario { name: name.to_string(), actors: Vec::new(), steps: Vec::new() });
            continue;
        }
        let Some(scenario) = scenarios.last_mut() else { return err("a line before the first scenario") };
        if let (["thread" | "process", name], None) = (&words[..], documented) {
            let kind = if words[0] == "thread" { ActorKind::Thread } else { ActorKind::Process };
            if scenario.actors.iter().any(|(actor, _)| actor == name) || !scenario.steps.is_empty() {
                return err("an actor declared twice, or after a step");
            }
            scenario.actors.push((name.to_string(), kind));
            continue;
        }
        let Some(documented) = documented.filter(|d| !d.is_empty()) else { return err("a step without `-> RESULT`") };
        let Some(actor) = words.first().and_then(|name| scenario.actors.iter().position(|(a, _)| a == name)) else {
            return err("a step by an undeclared actor");
        };
        let ms = |word: Option<&&str>| word.and_then(|w| w.parse::<u32>().ok());
        let op = match (&words[1..], ms(words.get(2))) {
            (["wait", _], Some(ms)) => Op::Wait(ms),
            (["begin-wait", _], Some(ms)) => Op::BeginWait(ms),
            (["release"], _) => Op::Release,
            (["end-wait"], _) => Op::EndWait,
            (["exit-thread"], _) => Op::ExitThread,
            (["ExitThread"], _) => Op::CallExitThread,
            (["kill-thread"], _) => Op::KillThread,
            (["exit-process"], _) => Op::ExitProcess,
            (["terminate"], _) => Op::Terminate,
            _ => return err("an unknown operation"),
        };
        let kind = scenario.actors[actor].1;
        let fits = match op {
            Op::ExitThread | Op::CallExitThread | Op::KillThread => kind == ActorKind::Thread,
            Op::ExitProcess | Op::Terminate => kind == ActorKind::Process,
            _ => true,
        };
        if !fits {
            return err(
                "exit-thread, ExitThread and kill-thread are for thread actors, exit-process and terminate for process actors",
            );
        }
        scenario.steps.push(Step { actor, op, documented: documented.to_string(), line });
    }
    Ok(scenarios)
}

/// One line of the table: step number, actor, operation, result, scenario (last, as the names
/// are long). `scenarios.c` prints exactly this format (`%3d  %-3s %-15s %-16s %s`), so the
/// two tables diff line by line.
pub fn table_line(scenario: &str, step: usize, actor: &str, op: &str, result: &str) -> String {
    format!("{step:>3}  {actor:<3} {op:<15} {result:<16} {scenario}")
}

/// The model's result of each step of `scenario`, in order.
///
/// The mutex is the core's `MutexState`, each actor one thread (`ThreadId` = its index). A
/// wait the mutex cannot satisfy is `WAIT_TIMEOUT`: every wait in a scenario has a finite
/// timeout, and the model's timed wait and zero-timeout try both give up while another
/// thread owns the mutex. A begun wait that blocks takes the mutex as soon as a step frees
/// it (the file's rule: nobody else waits in between), or times out at `end-wait`.
pub fn run(scenario: &Scenario) -> Result<Vec<String>, String> {
    let mut mutex = MutexState::free();
    let mut ended = vec![false; scenario.actors.len()];
    // Per actor, its begun wait if it has one: `Some(None)` while blocked, else its result.
    let mut begun: Vec<Option<Option<&'static str>>> = vec![None; scenario.actors.len()];
    let mut results = Vec::new();
    for step in &scenario.steps {
        let thread = step.actor as ThreadId;
        let err = |what: &str| Err(format!("scenarios.txt:{}: {what}", step.line));
        if ended[step.actor] {
            return err("a step by an actor that has ended");
        }
        if begun[step.actor].is_some() != (step.op == Op::EndWait) {
            return err("an actor with a begun wait must end it before anything else, and only then");
        }
        let result = match step.op {
            Op::Wait(_) => take(&mut mutex, thread)?.unwrap_or("WAIT_TIMEOUT"),
            Op::Release => match mutex.release(thread) {
                ReleaseOutcome::Ok => "TRUE",
                ReleaseOutcome::NotOwner => "ERROR_NOT_OWNER",
            },
            Op::BeginWait(_) => match take(&mut mutex, thread)? {
                Some(result) => {
                    begun[step.actor] = Some(Some(result));
                    "returned"
                }
                None => {
                    begun[step.actor] = Some(None);
                    "blocked"
                }
            },
            Op::EndWait => begun[step.actor].take().flatten().unwrap_or("WAIT_TIMEOUT"),
            Op::ExitThread | Op::CallExitThread | Op::KillThread | Op::ExitProcess | Op::Terminate => {
                // A process actor has one thread: its end or death is that thread's.
                mutex.abandon_if_owned_by(thread);
                ended[step.actor] = true;
                "ended"
            }
        };
        // A blocked waiter takes the mutex the moment it is free (one waiter at most
        // matters: the file ends a begun wait right after the step that frees the mutex).
        for (waiter, wait) in begun.iter_mut().enumerate() {
            if let Some(pending @ None) = wait {
                if mutex.is_free() {
                    *pending = take(&mut mutex, waiter as ThreadId)?;
                }
            }
        }
        results.push(result.to_string());
    }
    if let Some(waiter) = begun.iter().position(Option::is_some) {
        return Err(format!("{}: actor {} begins a wait it never ends", scenario.name, scenario.actors[waiter].0));
    }
    Ok(results)
}

/// A wait on the model: the result of a wait that takes the mutex, or `None` while another
/// thread owns it.
fn take(mutex: &mut MutexState, thread: ThreadId) -> Result<Option<&'static str>, String> {
    match mutex.acquire(thread) {
        Ok(WaitOutcome::Ok) => Ok(Some("WAIT_OBJECT_0")),
        Ok(WaitOutcome::Abandoned) => Ok(Some("WAIT_ABANDONED")),
        Ok(WaitOutcome::Timeout) => Ok(Some("WAIT_TIMEOUT")),
        Err(Unavailable::HeldByOther(_)) => Ok(None),
        // The model's bound, not Win32's (about 2^31): no scenario comes near it.
        Err(Unavailable::RecursionLimit) => Err("a step reaches the model's recursion limit".to_string()),
    }
}

/// The model's whole table, every scenario in file order.
pub fn table(scenarios: &[Scenario]) -> Result<Vec<String>, String> {
    let mut lines = Vec::new();
    for scenario in scenarios {
        for (index, (step, result)) in scenario.steps.iter().zip(run(scenario)?).enumerate() {
            let actor = &scenario.actors[step.actor].0;
            lines.push(table_line(&scenario.name, index + 1, actor, &step.op.to_string(), &result));
        }
    }
    Ok(lines)
}
