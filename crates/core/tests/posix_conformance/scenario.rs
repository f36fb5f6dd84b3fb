//! Scenarios and what the model says of each step.
//!
//! A scenario is a mutex (type, robust) and a list of steps, each an operation by an actor.
//! The model, `PosixMutexState`, runs the steps first: for each it gives the result it expects
//! and the request to make of the real mutex (a `lock` the model says blocks is made as a short
//! `timedlock`, which must time out: the test never blocks for real).

use std::fmt;

use mutexcheck_core::posix::{
    Blocked, ConsistentOutcome, LockCall, LockOutcome, MutexType, PosixAttributes, PosixMutexState, UnlockOutcome,
};
use mutexcheck_core::ThreadId;

/// How long a `timedlock` waits: long enough to see a wait, short enough to keep the test fast.
pub const TIMEDLOCK_MILLIS: u64 = 50;

/// Who makes a call: the main thread of process A, B or C, a second thread of A or B, or the
/// probe process that looks at the mutex once a scenario is over.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Actor {
    A,
    B,
    C,
    A2,
    B2,
    Probe,
}

impl Actor {
    /// The actor's thread in the model.
    pub fn thread(self) -> ThreadId {
        match self {
            Actor::A => 0,
            Actor::B => 1,
            Actor::C => 2,
            Actor::A2 => 3,
            Actor::B2 => 4,
            Actor::Probe => 9,
        }
    }

    /// The OS process the actor lives in (A2 in A's, B2 in B's).
    pub fn process(self) -> Actor {
        match self {
            Actor::A2 => Actor::A,
            Actor::B2 => Actor::B,
            other => other,
        }
    }

    /// The threads of this actor's process, as the model knows them.
    pub fn threads_of_process(self) -> Vec<Actor> {
        match self.process() {
            Actor::A => vec![Actor::A, Actor::A2],
            Actor::B => vec![Actor::B, Actor::B2],
            process => vec![process],
        }
    }

    pub fn is_second_thread(self) -> bool {
        matches!(self, Actor::A2 | Actor::B2)
    }
}

/// What an actor does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    Lock,
    TryLock,
    TimedLock,
    Unlock,
    Consistent,
    /// The actor's process ends at once (`_exit`), holding what it holds.
    ExitProcess,
    /// The driver kills the actor's process with SIGKILL.
    KillProcess,
    /// The actor, a second thread, returns from its thread function, holding what it holds.
    EndThread,
    /// The actor, a second thread, calls `pthread_exit`, holding what it holds.
    ExitThread,
}

impl Op {
    pub fn name(self) -> &'static str {
        match self {
            Op::Lock => "lock",
            Op::TryLock => "trylock",
            Op::TimedLock => "timedlock",
            Op::Unlock => "unlock",
            Op::Consistent => "consistent",
            Op::ExitProcess => "_exit",
            Op::KillProcess => "SIGKILL",
            Op::EndThread => "thread-end",
            Op::ExitThread => "pthread_exit",
        }
    }
}

#[derive(Clone, Copy, Debug)]
pub struct Step {
    pub actor: Actor,
    pub op: Op,
}

pub struct Scenario {
    pub name: String,
    pub attrs: PosixAttributes,
    pub steps: Vec<Step>,
}

impl Scenario {
    pub fn new(name: impl Into<String>, kind: MutexType, robust: bool, steps: &[(Actor, Op)]) -> Scenario {
        let steps = steps.iter().map(|&(actor, op)| Step { actor, op }).collect();
        Scenario { name: name.into(), attrs: PosixAttributes { kind, robust }, steps }
    }
}

/// The result of one step: a call's return value, a death, or no answer: in time (the call
/// blocked where the model says it returns), or at all (the process crashed in the call).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reply {
    Code(i32),
    Died,
    NoAnswer,
    Crashed,
}

impl fmt::Display for Reply {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Reply::Code(code) => f.write_str(&errno_name(code)),
            Reply::Died => f.write_str("died"),
            Reply::NoAnswer => f.write_str("no answer (blocked)"),
            Reply::Crashed => f.write_str("crashed in the call"),
        }
    }
}

/// The name of a pthread return value, as the model's outcomes are named.
pub fn errno_name(code: i32) -> String {
    let name = match code {
        0 => "0",
        libc::EOWNERDEAD => "EOWNERDEAD",
        libc::ENOTRECOVERABLE => "ENOTRECOVERABLE",
        libc::EDEADLK => "EDEADLK",
        libc::EBUSY => "EBUSY",
        libc::ETIMEDOUT => "ETIMEDOUT",
        libc::EAGAIN => "EAGAIN",
        libc::EPERM => "EPERM",
        libc::EINVAL => "EINVAL",
        other => return format!("errno {other}"),
    };
    name.to_string()
}

/// What to ask of the real mutex for one step.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Request {
    /// An actor command (see `actor.rs`), without the `second ` prefix.
    Call(String),
    ExitProcess,
    KillProcess,
    EndThread,
    ExitThread,
}

/// One step as the model sees it: the request for the real mutex and the expected reply.
pub struct PlannedStep {
    pub request: Request,
    pub expected: Reply,
    /// How the request differs from the step, if it does (a blocking `lock`).
    pub note: &'static str,
}

/// The model's mutex, stepped along a scenario.
pub struct Model {
    attrs: PosixAttributes,
    state: PosixMutexState,
}

impl Model {
    pub fn new(attrs: PosixAttributes) -> Model {
        Model { attrs, state: PosixMutexState::free() }
    }

    /// Runs `step` on the model: what it expects and what to ask of the real mutex.
    pub fn plan(&mut self, step: Step) -> PlannedStep {
        let thread = step.actor.thread();
        let call = |request: String, expected: i32| PlannedStep {
            request: Request::Call(request),
            expected: Reply::Code(expected),
            note: "",
        };
        match step.op {
            Op::Lock => self.plan_lock(thread, LockCall::Lock),
            Op::TryLock => self.plan_lock(thread, LockCall::TryLock),
            Op::TimedLock => self.plan_lock(thread, LockCall::TimedLock),
            Op::Unlock => call("unlock".into(), unlock_code(self.state.unlock(self.attrs, thread))),
            Op::Consistent => {
                call("consistent".into(), consistent_code(self.state.make_consistent(self.attrs, thread)))
            }
            Op::ExitProcess | Op::KillProcess => {
                for dying in step.actor.threads_of_process() {
                    self.state.owner_died(self.attrs, dying.thread());
                }
                let request = if step.op == Op::ExitProcess { Request::ExitProcess } else { Request::KillProcess };
                PlannedStep { request, expected: Reply::Died, note: "" }
            }
            Op::EndThread | Op::ExitThread => {
                assert!(step.actor.is_second_thread(), "only a second thread ends alone");
                self.state.owner_died(self.attrs, thread);
                let request = if step.op == Op::EndThread { Request::EndThread } else { Request::ExitThread };
                PlannedStep { request, expected: Reply::Died, note: "" }
            }
        }
    }

    fn plan_lock(&mut self, thread: ThreadId, call: LockCall) -> PlannedStep {
        let timed = format!("timedlock {TIMEDLOCK_MILLIS}");
        match self.state.lock(self.attrs, thread, call) {
            Ok(outcome) => {
                let request = match call {
                    LockCall::Lock => "lock".to_string(),
                    LockCall::TryLock => "trylock".to_string(),
                    LockCall::TimedLock => timed,
                };
                PlannedStep { request: Request::Call(request), expected: Reply::Code(lock_code(outcome)), note: "" }
            }
            Err(Blocked::HeldBy(_) | Blocked::SelfDeadlock) => {
                let note = if call == LockCall::Lock { "blocks: made as a timedlock" } else { "" };
                let expected = Reply::Code(lock_code(self.state.time_out()));
                PlannedStep { request: Request::Call(timed), expected, note }
            }
        }
    }
}

fn lock_code(outcome: LockOutcome) -> i32 {
    match outcome {
        LockOutcome::Ok => 0,
        LockOutcome::OwnerDead => libc::EOWNERDEAD,
        LockOutcome::NotRecoverable => libc::ENOTRECOVERABLE,
        LockOutcome::Deadlock => libc::EDEADLK,
        LockOutcome::Busy => libc::EBUSY,
        LockOutcome::TimedOut => libc::ETIMEDOUT,
        LockOutcome::Again => libc::EAGAIN,
    }
}

fn unlock_code(outcome: UnlockOutcome) -> i32 {
    match outcome {
        UnlockOutcome::Ok => 0,
        UnlockOutcome::Perm => libc::EPERM,
        UnlockOutcome::NotRecoverable => libc::ENOTRECOVERABLE,
    }
}

fn consistent_code(outcome: ConsistentOutcome) -> i32 {
    match outcome {
        ConsistentOutcome::Ok => 0,
        ConsistentOutcome::Inval => libc::EINVAL,
    }
}
