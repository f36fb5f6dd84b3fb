//! Whether any thread of a state can take a step: the question every deadlock check asks
//! first, of every state a search reaches, and nearly always answered yes. Most states have
//! a running thread that is not at a wait at all, found from the status and program
//! counter slots and one entry of the wait table per thread; a Win32 mutex's owner slot is
//! read only for a thread at an infinite wait. The per-thread answers (`thread_status`,
//! `blocked`) live here too.

use crate::eval::Ctx;
use crate::ir::{Op, Pc, Semantics, Value};
use crate::mutex::WaitMode;
use crate::posix::LockCall;
use crate::state::{
    State, ThreadStatus, STATUS_DEAD, STATUS_FINISHED, STATUS_RUNNING, THREAD_PC, THREAD_SLOTS, THREAD_STATUS,
};
use crate::system::Template;
use crate::{System, ThreadId};

/// In the wait table: the instruction is no infinite wait (nor the end of the code).
const NO_WAIT: u32 = u32::MAX;
/// In the wait table: an infinite wait on an element of a mutex array, chosen by the state.
const ON_ELEMENT: u32 = u32::MAX - 1;

/// For each pc `0..=code.len()` of a thread's code: the mutex its instruction waits on
/// without a timeout, [`ON_ELEMENT`] for such a wait on an array element, or [`NO_WAIT`];
/// worked out once per template, so that the question every state asks of every running
/// thread (can it block here?) reads one entry instead of matching its instruction.
pub(crate) fn wait_table(code: &[crate::ir::Instr]) -> Vec<u32> {
    let entry = |op: &Op| match op {
        Op::Wait { mutex, mode: WaitMode::Infinite, .. } if (*mutex as u64) < ON_ELEMENT as u64 => *mutex as u32,
        op if op.waits_forever() => ON_ELEMENT,
        _ => NO_WAIT,
    };
    code.iter().map(|i| entry(&i.op)).chain([NO_WAIT]).collect()
}

/// Every template's [`wait_table`] one after the other, and where the table of each thread
/// (of template `template_of[t]`) starts in it: [`System::waits`], [`System::waits_from`].
pub(crate) fn wait_tables(templates: &[Template], template_of: &[u32]) -> (Vec<u32>, Vec<u32>) {
    let tables: Vec<Vec<u32>> = templates.iter().map(|tp| wait_table(&tp.code)).collect();
    let starts: Vec<u32> = tables
        .iter()
        .scan(0, |next, table| {
            let start = *next;
            *next += table.len() as u32;
            Some(start)
        })
        .collect();
    (tables.concat(), template_of.iter().map(|&tp| starts[tp as usize]).collect())
}

impl System {
    /// True when some thread is `Running` in the sense of [`System::thread_status`]: alive,
    /// not finished, and not blocked at an infinite wait on a mutex another thread owns; so
    /// it has an enabled step. The same answer as asking `thread_status` of every thread.
    pub fn some_thread_running(&self, s: &State) -> bool {
        let slots = &s.0;
        let base = self.layout.thread_base;
        let running = |t: usize| slots[base + THREAD_SLOTS * t + THREAD_STATUS] == STATUS_RUNNING;
        let pc = |t: usize| slots[base + THREAD_SLOTS * t + THREAD_PC] as Pc;
        let threads = 0..self.thread_count();
        // A running thread at any other instruction than an infinite wait has a step, whatever
        // the mutexes hold: one entry of the wait tables says so.
        let own = &slots[base..base + THREAD_SLOTS * self.thread_count()];
        own.chunks_exact(THREAD_SLOTS).zip(&self.waits_from).any(|(thread, &from)| {
            thread[THREAD_STATUS] == STATUS_RUNNING && self.waits[from as usize + thread[THREAD_PC] as usize] == NO_WAIT
        }) || threads.into_iter().any(|t| running(t) && !self.blocks_at(slots, t as ThreadId, pc(t)))
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
    ///
    /// Asked of the instruction itself: the general answer, which the hot paths' table
    /// ([`System::blocks_at`]) must give too (`crates/checker/tests/dead_step.rs`).
    pub(crate) fn blocked(&self, s: &[Value], t: ThreadId) -> bool {
        let tp = self.template(t);
        let pc = s[self.layout.pc_slot(t)] as usize;
        tp.code.get(pc).is_some_and(|i| i.op.waits_forever()) && self.op_blocks(s, t, &tp.code[pc].op)
    }

    /// [`System::blocked`] for thread `t` at `pc`, from the wait tables ([`System::waits`]):
    /// an instruction that is no infinite wait is answered from one entry, an infinite wait
    /// on a named Win32 mutex from its owner slot; only an array element's wait or a POSIX
    /// lock asks the instruction.
    #[inline(always)]
    pub(crate) fn blocks_at(&self, s: &[Value], t: ThreadId, pc: Pc) -> bool {
        match self.waits[self.waits_from[t as usize] as usize + pc] {
            NO_WAIT => false,
            m if m != ON_ELEMENT && self.model.semantics == Semantics::Win32 => {
                self.layout.mutex(s, m as usize).owner.is_some_and(|owner| owner != t)
            }
            _ => self.op_blocks(s, t, &self.template(t).code[pc].op),
        }
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
