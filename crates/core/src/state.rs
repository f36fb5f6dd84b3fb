//! The global state of a running model and how it is laid out.
//!
//! A [`State`] is one flat slice of small integers, so that cloning, hashing and comparing a
//! state is one pass over contiguous memory and a checker can pack it further. The [`Layout`]
//! says which slot holds what: the crash budget used, the thread inside an `atomic` block, each
//! mutex (owner, count, abandoned), each thread (program counter, status), the shared
//! variables, each process instance's memory and each thread's locals.

use crate::ir::{Model, Value, VarDecl};
use crate::mutex::{MutexState, ThreadId};
use crate::posix::{Consistency, PosixMutexState};

/// The global state of a model: every value the next step can depend on.
///
/// A search makes and drops a state for every step it takes, so the slices of dropped
/// states are kept (a few per thread) and reused by the next copies
/// instead of going back to the allocator.
#[derive(Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct State(pub(crate) Box<[Value]>);

/// How many dropped slices a thread keeps for reuse: more than a state's successors usually
/// hold at once, and a few kilobytes for the usual states.
const SPARES: usize = 64;

thread_local! {
    /// Slices of dropped states, for [`spare_copy`].
    static SPARE: std::cell::RefCell<Vec<Box<[Value]>>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// A copy of `slots` in a slice of a dropped state of the same length when this thread
/// has one (no allocation), or in a new one.
pub(crate) fn spare_copy(slots: &[Value]) -> Box<[Value]> {
    let spare = SPARE
        .try_with(|spare| spare.try_borrow_mut().ok().and_then(|mut spare| spare.pop()))
        .ok()
        .flatten()
        .filter(|b| b.len() == slots.len());
    match spare {
        Some(mut b) => {
            b.copy_from_slice(slots);
            b
        }
        None => slots.into(),
    }
}

impl Drop for State {
    fn drop(&mut self) {
        if self.0.is_empty() {
            return;
        }
        let slots = std::mem::take(&mut self.0);
        // During thread teardown or a nested borrow the slice is simply freed.
        let _ = SPARE.try_with(|spare| {
            if let Ok(mut spare) = spare.try_borrow_mut() {
                if spare.len() < SPARES {
                    spare.push(slots);
                }
            }
        });
    }
}

impl Clone for State {
    fn clone(&self) -> State {
        State(spare_copy(&self.0))
    }
}

impl State {
    /// The raw slots, in [`Layout`] order; what a checker hashes, packs or stores.
    pub fn slots(&self) -> &[Value] {
        &self.0
    }

    /// Rebuilds a state from raw slots (as stored by a checker). The caller must pass slots
    /// taken from a state of the same [`crate::System`].
    pub fn from_slots(slots: Box<[Value]>) -> State {
        State(slots)
    }
}

/// Where a thread is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ThreadStatus {
    /// It has a next step, enabled now.
    Running,
    /// Its next step is a wait on a mutex another live thread owns.
    Blocked,
    /// It ran to its end or executed `exit`.
    Finished,
    /// Its process crashed, or it died alone (a `may_die` thread's death).
    Dead,
}

pub(crate) const STATUS_RUNNING: Value = 0;
pub(crate) const STATUS_FINISHED: Value = 1;
pub(crate) const STATUS_DEAD: Value = 2;

/// A process instance: one copy of a template.
#[derive(Clone, Debug)]
pub struct ProcessInfo {
    /// Index of its template in [`Model::processes`].
    pub decl: usize,
    /// Which instance of the template.
    pub instance: u32,
    /// Its name as users read it: `worker[1]`, or `server` for a single instance.
    pub name: String,
    /// Its threads, a contiguous range of thread ids.
    pub threads: std::ops::Range<ThreadId>,
    /// First slot of its process memory.
    pub(crate) var_base: usize,
}

/// A thread of a process instance.
#[derive(Clone, Debug)]
pub struct ThreadInfo {
    /// Index of its process instance in [`Layout::processes`].
    pub process: usize,
    /// Index of its declaration in the template's threads.
    pub decl: usize,
    /// Its name as users read it: `worker[1]`, or `server.listener` when the process has
    /// several threads.
    pub name: String,
    /// First slot of its locals.
    pub(crate) local_base: usize,
}

/// Which slot of a [`State`] holds what, for one model.
#[derive(Clone, Debug)]
pub struct Layout {
    pub(crate) mutex_base: usize,
    pub(crate) thread_base: usize,
    pub(crate) shared_base: usize,
    /// Slot offset of each shared variable.
    pub(crate) shared_offsets: Vec<usize>,
    /// Slot offset of each process variable, relative to the instance's `var_base`.
    pub(crate) process_offsets: Vec<Vec<usize>>,
    /// Slot offset of each local, relative to the thread's `local_base`, per template thread.
    pub(crate) local_offsets: Vec<Vec<Vec<usize>>>,
    /// Every process instance, template by template.
    pub processes: Vec<ProcessInfo>,
    /// Every thread, process instance by process instance.
    pub threads: Vec<ThreadInfo>,
    /// Total number of slots.
    pub slots: usize,
}

pub(crate) const CRASHES_SLOT: usize = 0;
pub(crate) const ATOMIC_SLOT: usize = 1;
const MUTEX_SLOTS: usize = 3;
/// Slots per thread: its program counter, then its status.
pub(crate) const THREAD_SLOTS: usize = 2;
pub(crate) const THREAD_PC: usize = 0;
pub(crate) const THREAD_STATUS: usize = 1;

fn offsets(vars: &[VarDecl]) -> (Vec<usize>, usize) {
    let mut next = 0;
    let offsets = vars
        .iter()
        .map(|v| {
            let at = next;
            next += v.slots();
            at
        })
        .collect();
    (offsets, next)
}

impl Layout {
    /// Lays out a model's state. The model must already have passed validation's size checks.
    pub(crate) fn new(model: &Model) -> Layout {
        let mutex_base = 2;
        let thread_count: usize = model.processes.iter().map(|p| p.instances as usize * p.threads.len()).sum();
        let thread_base = mutex_base + MUTEX_SLOTS * model.mutexes.len();
        let shared_base = thread_base + THREAD_SLOTS * thread_count;
        let (shared_offsets, shared_len) = offsets(&model.shared);
        let mut next = shared_base + shared_len;
        let mut process_offsets = Vec::new();
        let mut local_offsets = Vec::new();
        let mut processes = Vec::new();
        let mut threads = Vec::new();
        for (decl, p) in model.processes.iter().enumerate() {
            let (poffs, plen) = offsets(&p.vars);
            let locals: Vec<(Vec<usize>, usize)> = p.threads.iter().map(|t| offsets(&t.locals)).collect();
            for instance in 0..p.instances {
                let name = if p.instances == 1 { p.name.clone() } else { format!("{}[{}]", p.name, instance) };
                let first = threads.len() as ThreadId;
                let var_base = next;
                next += plen;
                for (tdecl, t) in p.threads.iter().enumerate() {
                    let tname = if p.threads.len() == 1 { name.clone() } else { format!("{}.{}", name, t.name) };
                    threads.push(ThreadInfo { process: processes.len(), decl: tdecl, name: tname, local_base: next });
                    next += locals[tdecl].1;
                }
                processes.push(ProcessInfo {
                    decl,
                    instance,
                    name,
                    threads: first..threads.len() as ThreadId,
                    var_base,
                });
            }
            process_offsets.push(poffs);
            local_offsets.push(locals.into_iter().map(|(o, _)| o).collect());
        }
        Layout {
            mutex_base,
            thread_base,
            shared_base,
            shared_offsets,
            process_offsets,
            local_offsets,
            processes,
            threads,
            slots: next,
        }
    }

    // Always inlined: the hot paths read one field of it, and a call costs more than the reads.
    #[inline(always)]
    pub(crate) fn mutex(&self, s: &[Value], m: usize) -> MutexState {
        let at = self.mutex_base + MUTEX_SLOTS * m;
        MutexState {
            owner: if s[at] == 0 { None } else { Some((s[at] - 1) as ThreadId) },
            count: s[at + 1] as u32,
            abandoned: s[at + 2] != 0,
        }
    }

    #[inline]
    pub(crate) fn set_mutex(&self, s: &mut [Value], m: usize, st: MutexState) {
        let at = self.mutex_base + MUTEX_SLOTS * m;
        s[at] = st.owner.map_or(0, |t| t as Value + 1);
        s[at + 1] = st.count as Value;
        s[at + 2] = st.abandoned as Value;
    }

    /// Mutex `m` read as a POSIX mutex: the same three slots, the third holding its
    /// [`Consistency`] (0 consistent, 1 owner died, 2 inconsistent, 3 not recoverable).
    pub(crate) fn posix_mutex(&self, s: &[Value], m: usize) -> PosixMutexState {
        let at = self.mutex_base + MUTEX_SLOTS * m;
        let consistency = match s[at + 2] {
            0 => Consistency::Consistent,
            1 => Consistency::OwnerDied,
            2 => Consistency::Inconsistent,
            _ => Consistency::NotRecoverable,
        };
        PosixMutexState {
            owner: if s[at] == 0 { None } else { Some((s[at] - 1) as ThreadId) },
            count: s[at + 1] as u32,
            consistency,
        }
    }

    pub(crate) fn set_posix_mutex(&self, s: &mut [Value], m: usize, st: PosixMutexState) {
        let at = self.mutex_base + MUTEX_SLOTS * m;
        s[at] = st.owner.map_or(0, |t| t as Value + 1);
        s[at + 1] = st.count as Value;
        s[at + 2] = match st.consistency {
            Consistency::Consistent => 0,
            Consistency::OwnerDied => 1,
            Consistency::Inconsistent => 2,
            Consistency::NotRecoverable => 3,
        };
    }

    #[inline]
    pub(crate) fn pc_slot(&self, t: ThreadId) -> usize {
        self.thread_base + THREAD_SLOTS * t as usize + THREAD_PC
    }

    #[inline]
    pub(crate) fn status_slot(&self, t: ThreadId) -> usize {
        self.thread_base + THREAD_SLOTS * t as usize + THREAD_STATUS
    }

    pub(crate) fn mutex_count(&self) -> usize {
        (self.thread_base - self.mutex_base) / MUTEX_SLOTS
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_copy_is_equal_whatever_spare_slices_the_thread_holds() {
        // Spare slices of another length (another model's states) and of the same length
        // with other values: a copy takes the values of what it copies, never a spare's.
        drop(State::from_slots(vec![9; 3].into_boxed_slice()));
        drop(State::from_slots(vec![7; 5].into_boxed_slice()));
        drop(State::from_slots(vec![8; 3].into_boxed_slice()));
        let s = State::from_slots(vec![1, 2, 3, 4, 5].into_boxed_slice());
        for _ in 0..3 {
            assert_eq!(s.clone().slots(), &[1, 2, 3, 4, 5]);
        }
        let t = State::from_slots(vec![-1, 0, 1].into_boxed_slice());
        assert_eq!(t.clone(), t);
    }

    #[test]
    fn the_spare_slices_of_a_thread_are_bounded() {
        let states: Vec<State> =
            (0..3 * SPARES as i32).map(|i| State::from_slots(vec![i; 2].into_boxed_slice())).collect();
        drop(states);
        assert_eq!(SPARE.with(|spare| spare.borrow().len()), SPARES);
    }
}
