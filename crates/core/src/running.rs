//! Whether any thread of a state can take a step: the question every deadlock check asks
//! first, of every state a search reaches, and nearly always answered yes. Most states have
//! a running thread that is not at a wait at all, found from the status and program
//! counter slots alone; the mutex table is read only when every running thread stands at
//! an infinite wait.

use crate::ir::Pc;
use crate::state::{State, STATUS_RUNNING, THREAD_PC, THREAD_SLOTS, THREAD_STATUS};
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
}
