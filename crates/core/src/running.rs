//! Whether any thread of a state can take a step: the question every deadlock check asks
//! first, of every state a search reaches, and nearly always answered yes. Most states have
//! a running thread that is not at a wait at all, found from the status and program
//! counter slots alone; the mutex table is read only when every running thread stands at
//! an infinite wait. The per-thread answers (`thread_status`, `blocked`) live here too.

use crate::eval::Ctx;
use crate::ir::{Op, Pc, Semantics, Value};
use crate::mutex::WaitMode;
use crate::posix::LockCall;
use crate::state::{
    State, ThreadStatus, STATUS_DEAD, STATUS_FINISHED, STATUS_RUNNING, THREAD_PC, THREAD_SLOTS, THREAD_STATUS,
};
use crate::{System, ThreadId};

impl System {
    /// True when some thread is `Running` in the sense of [`System::thread_status`]: alive,
    /// not finished, and not blocked at an infinite wait on a mutex another thread owns; so
    /// it has an enabled step. The same answer as asking `thread_status` of every thread.
    pub fn some_thread_running(&self, s: &State) -> bool {
        let slots = &s.0;
        let base = self.layout.thread_base;
        let running = |t: usize| slots[base + THREAD_SLOTS * t + THREAD_STATUS] == STATUS_RUNNING;
        let threads = 0..self.thread_count();
        // A running thread at any other instruction has a step, whatever the mutexes hold.
        threads
            .clone()
            .any(|t| running(t) && !self.may_block_at(t as ThreadId, slots[base + THREAD_SLOTS * t + THREAD_PC] as Pc))
            || threads.into_iter().any(|t| running(t) && !self.blocked(slots, t as ThreadId))
    }

    /// Where a thread is in its life; `Blocked` when its next step is an infinite wait on a
    /// mutex another thread owns.
    pub fn thread_status(&self, s: &State, t: ThreadId) -> ThreadStatus {
        match s.0[self.layout.status_slot(t)] {
            STATUS_FINISHED => ThreadStatus::Finished,
            STATUS_DEAD => ThreadStatus::Dead,
            _ if self.blocked(&s.0, t) => ThreadStatus::Blocked,
            _ => ThreadStatus::Running,
        }
    }

    /// True when running thread `t`'s next step is an infinite wait (or POSIX `lock`) that
    /// cannot return now: the mutex is owned by another thread (alive or, for a non-robust
    /// POSIX mutex, dead), or `t` relocks a POSIX mutex of the normal type.
    pub(crate) fn blocked(&self, s: &[Value], t: ThreadId) -> bool {
        let tp = self.template(t);
        let pc = s[self.layout.pc_slot(t)] as usize;
        tp.may_block[pc] && self.op_blocks(s, t, &tp.code[pc].op)
    }

    /// True when thread `t`'s instruction at `pc` is a wait without a timeout: the one step
    /// that can block (`pc` may be the end of the code, which blocks nothing).
    #[inline(always)]
    pub(crate) fn may_block_at(&self, t: ThreadId, pc: Pc) -> bool {
        self.template(t).may_block[pc]
    }

    /// [`System::blocked`] for the operation `op` thread `t` is at (the search's hot path has
    /// it at hand already).
    #[inline(always)]
    pub(crate) fn op_blocks(&self, s: &[Value], t: ThreadId, op: &Op) -> bool {
        let mutex = match op {
            Op::Wait { mutex, mode: WaitMode::Infinite, .. } => *mutex,
            // An index outside the array is a fault of this step, not a block.
            Op::OnElement { element, op } if matches!(**op, Op::Wait { mode: WaitMode::Infinite, .. }) => {
                match self.element_mutex(s, Ctx::Thread(t), element) {
                    Ok(m) => m,
                    Err(_) => return false,
                }
            }
            _ => return false,
        };
        match self.model.semantics {
            Semantics::Win32 => self.layout.mutex(s, mutex).owner.is_some_and(|owner| owner != t),
            Semantics::Posix => {
                let attrs = self.model.mutexes[mutex].posix;
                self.layout.posix_mutex(s, mutex).clone().lock(attrs, t, LockCall::Lock).is_err()
            }
        }
    }
}
