//! What the liveness check keeps of each transition and each state of the recorded graph.
//!
//! A transition (a [`Move`]: one step, or under partial-order reduction a step and the steps
//! through the transient states after it) is labelled with the index of its [`MoveFacts`] in
//! a per-check table of distinct facts, packed in the bits the table needs (see
//! [`super::labels`]), however many steps the move takes. A state is marked with bit sets
//! of `thread_count` bits: the threads unable to move
//! there, and for each mutex a `starvation` property names, the threads blocked on it.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::marker::PhantomData;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

use mutexcheck_core::ir::{Liveness, Op};
use mutexcheck_core::posix::LockOutcome;
use mutexcheck_core::{Action, Outcome, State, Step, System, ThreadId, ThreadStatus, WaitOutcome};

use super::labels::FactIndex;
use crate::allowed::AllowedTally;
use crate::state_graph::Recorder;
use crate::system_model::{Move, SystemModel};

/// What one step did that fairness and starvation look at.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct StepFacts {
    /// The thread that moved (`None` for a crash, restart or death).
    pub thread: Option<ThreadId>,
    /// A `progress` statement.
    pub progress: bool,
    /// The mutex it acquired, if it is a successful wait or lock.
    pub acquired: Option<usize>,
    /// The mutex a wait or lock on it did not get (a timeout, `BUSY`, ...).
    pub missed: Option<usize>,
    /// The step faulted: a safety violation, after which no run goes on.
    pub fault: bool,
}

/// The [`StepFacts`] of `step`, taken from `before`.
pub fn step_facts(system: &System, before: &State, step: &Step) -> StepFacts {
    let thread = match step.action {
        Action::Run { thread, .. } => Some(thread),
        _ => None,
    };
    let op = system.op_in(before, &step.action);
    let mutex = match op.as_deref() {
        Some(Op::Wait { mutex, .. }) => Some(*mutex),
        _ => None,
    };
    let acquired = match step.outcome {
        Outcome::Wait { outcome: WaitOutcome::Ok | WaitOutcome::Abandoned, .. } => mutex,
        Outcome::Lock { outcome: LockOutcome::Ok | LockOutcome::OwnerDead, count } if count > 0 => mutex,
        _ => None,
    };
    let missed = match step.outcome {
        Outcome::Wait { outcome: WaitOutcome::Timeout, .. } => mutex,
        Outcome::Lock { .. } if acquired.is_none() => mutex,
        _ => None,
    };
    let fault = matches!(step.outcome, Outcome::Fault(_));
    StepFacts { thread, progress: op.as_deref() == Some(&Op::Progress), acquired, missed, fault }
}

/// What one move did, as far as liveness cares: the union of its steps' [`StepFacts`], and
/// what holds in the transient states it passes but not in the state it ends in (those
/// states lie on every cycle through the move in the unreduced graph).
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct MoveFacts {
    /// The threads that took a step, sorted, once each.
    pub movers: Vec<ThreadId>,
    /// Some step was a `progress` statement.
    pub progress: bool,
    /// (thread, mutex) for each successful wait or lock, sorted, once each.
    pub acquired: Vec<(ThreadId, usize)>,
    /// (thread, mutex) for each wait or lock that did not get the mutex, sorted, once each.
    pub missed: Vec<(ThreadId, usize)>,
    /// Threads unable to move in a transient state of the move but able to in its last state.
    pub disabled_inside: Vec<ThreadId>,
    /// (thread, mutex): blocked on the mutex in a transient state of the move, not in its
    /// last state (only for the mutexes of `starvation` properties).
    pub blocked_inside: Vec<(ThreadId, usize)>,
    /// A step faulted: no run goes on (never so in a graph whose safety check passed).
    pub fault: bool,
}

impl MoveFacts {
    /// True when `t` took a step in the move.
    pub fn moved(&self, t: ThreadId) -> bool {
        self.movers.binary_search(&t).is_ok()
    }

    /// True when the move shows `t` unable to move, or moving: what weak fairness asks of a
    /// cycle for `t`.
    pub fn fair_to(&self, t: ThreadId) -> bool {
        self.moved(t) || self.disabled_inside.binary_search(&t).is_ok()
    }

    /// True when `t` acquired `mutex` in the move.
    pub fn acquires(&self, t: ThreadId, mutex: usize) -> bool {
        self.acquired.binary_search(&(t, mutex)).is_ok()
    }

    /// True when a thread other than `t` acquired `mutex` in the move.
    pub fn other_acquires(&self, t: ThreadId, mutex: usize) -> bool {
        self.acquired.iter().any(|&(u, m)| u != t && m == mutex)
    }

    /// True when the move shows `t` trying for `mutex`: a failed wait or lock on it, or `t`
    /// blocked on it in a transient state.
    pub fn tries(&self, t: ThreadId, mutex: usize) -> bool {
        self.missed.binary_search(&(t, mutex)).is_ok() || self.blocked_inside.binary_search(&(t, mutex)).is_ok()
    }
}

/// True when `t` cannot move in `s`: finished, dead, blocked, or held off by another thread
/// inside an atomic block it can go on with. This is full enabledness, read off the state
/// itself, never "not explored" under a reduction.
pub fn unable(system: &System, s: &State, t: ThreadId) -> bool {
    let held_off = system.atomic_holder(s).is_some_and(|h| h != t) && !system.is_observable(s);
    held_off || system.thread_status(s, t) != ThreadStatus::Running
}

/// True when `t` is blocked in `s` on an infinite wait (or lock) on `mutex`.
pub fn blocked_on(system: &System, s: &State, t: ThreadId, mutex: usize) -> bool {
    system.thread_status(s, t) == ThreadStatus::Blocked
        && matches!(
            system.op_in(s, &Action::Run { thread: t, pc: system.pc(s, t) }).as_deref(),
            Some(Op::Wait { mutex: m, .. }) if *m == mutex
        )
}

/// The distinct mutexes the model's `starvation` properties name, sorted.
pub fn starvation_mutexes(system: &System) -> Vec<usize> {
    let mut mutexes: Vec<usize> = system
        .model()
        .liveness
        .iter()
        .map(|l| {
            let Liveness::Starvation { mutex, .. } = l;
            *mutex
        })
        .collect();
    mutexes.sort_unstable();
    mutexes.dedup();
    mutexes
}

/// Adds one step's facts to a move's.
fn add_step(f: &mut MoveFacts, s: &StepFacts) {
    if let Some(t) = s.thread {
        f.movers.push(t);
        f.acquired.extend(s.acquired.map(|m| (t, m)));
        f.missed.extend(s.missed.map(|m| (t, m)));
    }
    f.progress |= s.progress;
    f.fault |= s.fault;
}

/// The table of distinct [`MoveFacts`] a recording fills: an edge's label is an index in it.
#[derive(Default)]
struct FactTable {
    index: HashMap<MoveFacts, u32>,
    /// The one-step moves (most of them), looked up by their step's facts: no vectors to
    /// build or hash on the recording's hot path.
    single: HashMap<StepFacts, u32, BuildHasherDefault<FxHasher>>,
    facts: Vec<MoveFacts>,
}

/// A multiply-rotate hasher for small keys of a few words (the table's keys are made by
/// the model, not by an adversary): SipHash's cost showed in profiles of the recording.
#[derive(Default)]
struct FxHasher(u64);

impl Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(b as u64);
        }
    }
    fn write_u8(&mut self, n: u8) {
        self.write_u64(n as u64);
    }
    fn write_u32(&mut self, n: u32) {
        self.write_u64(n as u64);
    }
    fn write_usize(&mut self, n: usize) {
        self.write_u64(n as u64);
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0.rotate_left(5) ^ n).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

/// The [`Recorder`] of the liveness check: labels are indices into a table of distinct
/// [`MoveFacts`]; marks are the bit sets of [`LiveRecorder::mark`]. It also counts the
/// allowed events of the recorded transitions, as the safety search does for its own.
pub struct LiveRecorder<'a, L = u32> {
    system: &'a System,
    /// The mutexes of `starvation` properties: one blocked-on set each in a mark.
    mutexes: Vec<usize>,
    /// 64-bit words of one set of `thread_count` bits.
    set_words: usize,
    table: Mutex<FactTable>,
    allowed: Mutex<AllowedTally>,
    /// Set when a fact index did not fit a label of width `L`: the graph is unusable.
    overflowed: AtomicBool,
    width: PhantomData<L>,
}

impl<'a, L: FactIndex> LiveRecorder<'a, L> {
    /// A recorder for the liveness properties of `system`, with labels of type `L`.
    pub fn new(system: &'a System) -> LiveRecorder<'a, L> {
        LiveRecorder {
            system,
            mutexes: starvation_mutexes(system),
            set_words: system.thread_count().div_ceil(64),
            table: Mutex::default(),
            allowed: Mutex::default(),
            overflowed: AtomicBool::new(false),
            width: PhantomData,
        }
    }

    /// True when the table outgrew labels of type `L`: some edges were labelled wrongly and
    /// the graph must be recorded again with wider labels.
    pub fn overflowed(&self) -> bool {
        self.overflowed.load(Ordering::Relaxed)
    }

    /// The facts table (label `i` is entry `i`) and the allowed events counted.
    pub fn finish(self) -> (Vec<MoveFacts>, AllowedTally) {
        let table = self.table.into_inner().unwrap_or_else(|e| e.into_inner());
        let allowed = self.allowed.into_inner().unwrap_or_else(|e| e.into_inner());
        (table.facts, allowed)
    }

    /// The mutexes whose blocked-on sets the marks hold, in mark order.
    pub fn mutexes(&self) -> &[usize] {
        &self.mutexes
    }

    /// Words of one bit set of threads.
    pub fn set_words(&self) -> usize {
        self.set_words
    }

    fn intern(&self, facts: MoveFacts) -> u32 {
        let mut table = self.table.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(&i) = table.index.get(&facts) {
            return i;
        }
        let i = table.facts.len() as u32;
        table.facts.push(facts.clone());
        table.index.insert(facts, i);
        i
    }

    /// [`LiveRecorder::intern`] of the facts of a one-step move.
    fn intern_step(&self, step: StepFacts) -> u32 {
        if let Some(&i) = self.table.lock().unwrap_or_else(|e| e.into_inner()).single.get(&step) {
            return i;
        }
        let mut f = MoveFacts::default();
        add_step(&mut f, &step);
        let i = self.intern(f);
        self.table.lock().unwrap_or_else(|e| e.into_inner()).single.insert(step, i);
        i
    }

    /// The facts of `mv`, a move through transient states, taken from `before`, ending in
    /// `after`.
    fn move_facts(&self, before: &State, mv: &Move, after: &State) -> MoveFacts {
        let system = self.system;
        let mut f = MoveFacts::default();
        let add = add_step;
        // A move through transient states: rebuild them (a move keeps only its steps).
        let mut at = before.clone();
        let mut successors = Vec::new();
        for (k, step) in mv.steps().enumerate() {
            if k > 0 {
                // A transient state: what holds here holds on the cycle in the full graph.
                for t in 0..system.thread_count() as ThreadId {
                    if unable(system, &at, t) && !unable(system, after, t) {
                        f.disabled_inside.push(t);
                    }
                    for &m in &self.mutexes {
                        if blocked_on(system, &at, t, m) && !blocked_on(system, after, t, m) {
                            f.blocked_inside.push((t, m));
                        }
                    }
                }
            }
            add(&mut f, &step_facts(system, &at, step));
            if k + 1 == mv.len() {
                break;
            }
            successors.clear();
            system.successors_of(&at, step.action.actor(), &mut successors);
            match successors.iter().position(|(s, _)| s == step) {
                Some(i) => at = successors.swap_remove(i).1,
                None => {
                    debug_assert!(false, "a move's step is not a step of the state it leaves");
                    break;
                }
            }
        }
        for v in [&mut f.movers, &mut f.disabled_inside] {
            v.sort_unstable();
            v.dedup();
        }
        for v in [&mut f.acquired, &mut f.missed, &mut f.blocked_inside] {
            v.sort_unstable();
            v.dedup();
        }
        f
    }
}

impl<'m, L: FactIndex> Recorder<SystemModel<'m>> for LiveRecorder<'_, L> {
    type Label = L;

    fn label(&self, before: &State, _ordinal: u32, mv: &Move, after: &State) -> L {
        if !mv.allowed.is_empty() {
            self.allowed.lock().unwrap_or_else(|e| e.into_inner()).add_transition(&mv.allowed);
        }
        let i = if mv.through.is_empty() {
            self.intern_step(step_facts(self.system, before, &mv.last))
        } else {
            self.intern(self.move_facts(before, mv, after))
        };
        L::narrow(i).unwrap_or_else(|| {
            self.overflowed.store(true, Ordering::Relaxed);
            L::narrow(0).expect("0 fits every width")
        })
    }

    fn mark_words(&self) -> usize {
        self.set_words * (1 + self.mutexes.len())
    }

    /// A lasso asks for one discovery path (per goal found): a scan of the edges finds it,
    /// and the recording's peak is 8 bytes a state lower.
    fn parents(&self) -> bool {
        false
    }

    /// Bit `t` of the first set: `t` cannot move here ([`unable`]); of set `1 + i`: `t` is
    /// blocked on the `i`-th starvation mutex ([`blocked_on`]).
    fn mark(&self, state: &State, out: &mut [u64]) {
        let w = self.set_words;
        for t in 0..self.system.thread_count() {
            let bit = 1u64 << (t % 64);
            if unable(self.system, state, t as ThreadId) {
                out[t / 64] |= bit;
            }
            for (i, &m) in self.mutexes.iter().enumerate() {
                if blocked_on(self.system, state, t as ThreadId, m) {
                    out[(1 + i) * w + t / 64] |= bit;
                }
            }
        }
    }
}
