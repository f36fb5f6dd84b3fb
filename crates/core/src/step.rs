//! What one transition did: who moved, what the operation returned, what it abandoned.

use serde::{Deserialize, Serialize};

use crate::ir::{MutexId, Pc, Value};
use crate::mutex::{ReleaseOutcome, ThreadId, WaitOutcome};
use crate::posix::{ConsistentOutcome, LockOutcome, UnlockOutcome};

/// Who moved in a transition.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Action {
    /// A thread executed the instruction at `pc`.
    Run { thread: ThreadId, pc: Pc },
    /// A process instance crashed: all its threads died at once.
    Crash { process: usize },
    /// A crashed process marked `restart` started again from its first statement.
    Restart { process: usize },
    /// A thread declared `may_die` died alone (ExitThread, TerminateThread, `pthread_exit`)
    /// while its process lives on: like a crash of that one thread.
    Die { thread: ThreadId },
}

/// Who can take a step: a thread, or a process instance (which crashes or restarts).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Actor {
    /// A thread, by id.
    Thread(ThreadId),
    /// A process instance, by index in the layout.
    Process(usize),
    /// A thread's death ([`Action::Die`]): not one of the thread's own steps, which fairness
    /// and replay tell apart from its death.
    Death(ThreadId),
}

impl Action {
    /// Who takes the step.
    pub fn actor(&self) -> Actor {
        match *self {
            Action::Run { thread, .. } => Actor::Thread(thread),
            Action::Crash { process } | Action::Restart { process } => Actor::Process(process),
            Action::Die { thread } => Actor::Death(thread),
        }
    }
}

/// What the moved operation returned.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Outcome {
    /// An assignment, `skip`, `assert` that held, `exit`.
    Done,
    /// A wait returned; `count` is the recursion count after it (0 after a timeout).
    Wait { outcome: WaitOutcome, count: u32 },
    /// A release returned; `checked` is true when the model stores the result.
    Release { outcome: ReleaseOutcome, checked: bool },
    /// A POSIX lock, trylock or timedlock returned; `count` is the recursion count after it
    /// (0 when the caller does not own the mutex).
    Lock { outcome: LockOutcome, count: u32 },
    /// A POSIX unlock returned; `checked` is true when the model stores the result.
    Unlock { outcome: UnlockOutcome, checked: bool },
    /// `pthread_mutex_consistent` returned; `checked` is true when the model stores it.
    Consistent { outcome: ConsistentOutcome, checked: bool },
    /// A branch condition evaluated to this.
    Branch { taken: bool },
    /// A nondeterministic choice took alternative `index` (from 0).
    Choice { index: usize },
    /// The process crashed.
    Crashed,
    /// The process restarted.
    Restarted,
    /// The thread died alone.
    Died,
    /// The operation cannot be carried out: the run stops here with a violation. (Boxed: a
    /// step is copied around on every transition, a fault is rare.)
    Fault(Box<Fault>),
}

/// Why an operation cannot be carried out. Each is a violation of the model.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Fault {
    /// An `assert` evaluated to false.
    AssertFailed,
    /// A value outside the declared type of the variable it was stored in.
    OutOfRange { var: String, value: i64, lo: Value, hi: Value },
    /// An array index outside `0..len`.
    IndexOutOfBounds { var: String, index: Value, len: u32 },
    /// Arithmetic left the 32-bit range.
    Overflow { value: i64 },
    /// Division or remainder by zero.
    DivisionByZero,
    /// A recursive wait would exceed [`crate::mutex::MAX_RECURSION`].
    RecursionLimit { mutex: MutexId },
}

/// A mutex that a step left abandoned: its owner ended or died while owning it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Abandonment {
    /// The mutex.
    pub mutex: MutexId,
    /// The thread that owned it.
    pub owner: ThreadId,
    /// The recursion count that was dropped.
    pub count: u32,
    /// True when a process crash or a thread's death abandoned it; false when the thread
    /// ended normally (a leak).
    pub by_crash: bool,
}

/// One transition of the model: the action, its outcome and the mutexes it abandoned.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct Step {
    /// Who moved.
    pub action: Action,
    /// What the operation returned.
    pub outcome: Outcome,
    /// Mutexes abandoned because a thread ended or died in this step.
    pub abandoned: Vec<Abandonment>,
}

/// How many emptied abandonment lists a thread keeps (see [`spare_abandoned`]).
const SPARE_ABANDONED: usize = 64;

thread_local! {
    /// Abandonment lists of dropped steps, for [`spare_abandoned`].
    static ABANDONED: std::cell::RefCell<Vec<Vec<Abandonment>>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// An empty list of abandonments, from a dropped step when this thread has one (see
/// [`keep_abandoned`]).
fn spare_abandoned() -> Vec<Abandonment> {
    crate::spare::take(&ABANDONED, 2)
}

/// Gives `out`, about to record an abandonment, a dropped step's list when it has no room
/// yet: a crash or a thread's end abandons what the thread owns on many transitions of a
/// search, and the list would otherwise be allocated for each.
#[inline]
pub(crate) fn room_for_abandonment(out: &mut Vec<Abandonment>) {
    if out.capacity() == 0 {
        *out = spare_abandoned();
    }
}

impl Clone for Step {
    /// A copy whose abandonment list, if any, is a dropped step's (a thread-local spare list).
    fn clone(&self) -> Step {
        let abandoned = if self.abandoned.is_empty() {
            Vec::new()
        } else {
            let mut copy = spare_abandoned();
            copy.extend_from_slice(&self.abandoned);
            copy
        };
        Step { action: self.action, outcome: self.outcome.clone(), abandoned }
    }
}

/// Gives `list`, the abandonment list of a step being dropped, back for the next steps of
/// this thread that abandon something (a search's consumer that drops its steps in bulk).
#[inline]
pub fn keep_abandoned(list: Vec<Abandonment>) {
    crate::spare::keep(&ABANDONED, list, SPARE_ABANDONED);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn abandonment(mutex: MutexId) -> Abandonment {
        Abandonment { mutex, owner: 1, count: 2, by_crash: true }
    }

    #[test]
    fn a_kept_abandonment_list_is_the_next_one_recorded_and_a_list_with_room_stays() {
        let mut kept = Vec::with_capacity(8);
        kept.push(abandonment(0));
        let at = kept.as_ptr();
        keep_abandoned(kept);
        let mut out = Vec::new();
        room_for_abandonment(&mut out);
        assert!(out.is_empty() && out.capacity() >= 8);
        assert_eq!(out.as_ptr(), at, "the very list kept");
        // A list that has room is left as it is.
        out.push(abandonment(3));
        room_for_abandonment(&mut out);
        assert_eq!((out.as_ptr(), out.len()), (at, 1));
    }

    #[test]
    fn a_steps_copy_is_equal_with_or_without_abandonments() {
        let done = Step { action: Action::Run { thread: 2, pc: 7 }, outcome: Outcome::Done, abandoned: Vec::new() };
        assert_eq!(done.clone(), done);
        assert_eq!(done.clone().abandoned.capacity(), 0, "no list for no abandonment");
        keep_abandoned(Vec::with_capacity(1));
        let crash = Step {
            action: Action::Crash { process: 1 },
            outcome: Outcome::Fault(Box::new(Fault::DivisionByZero)),
            abandoned: vec![abandonment(0), abandonment(1), abandonment(2)],
        };
        assert_eq!(crash.clone(), crash);
    }
}
