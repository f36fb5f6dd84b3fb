//! The transition system's POSIX mutex operations: `lock`, `trylock`, `timedlock`, `unlock`
//! and `consistent` on a mutex's state slots, by the rules of [`crate::posix`]. Kept apart
//! from `system.rs`, which dispatches here for a `semantics posix` model.

use crate::ir::{Op, Value};
use crate::mutex::{ThreadId, WaitMode};
use crate::posix::LockCall;
use crate::state::State;
use crate::step::{Fault, Outcome};
use crate::system::System;

impl System {
    /// A POSIX mutex operation of thread `t` (not blocked) on the state `s`: its outcome,
    /// the result value to store, and where; a recursion count past the limit is a fault,
    /// as for Win32. A `timedlock` on a mutex another thread holds times out here: taking
    /// the mutex later is the thread not being scheduled until it is free, as for Win32.
    pub(crate) fn posix_step<'o>(
        &self,
        s: &mut [Value],
        t: ThreadId,
        op: &'o Op,
    ) -> Result<(Outcome, Value, &'o Option<crate::ir::Place>), Fault> {
        use crate::ir::posix_result as r;
        use crate::posix::LockOutcome;
        let (Op::Wait { mutex, result, .. } | Op::Release { mutex, result } | Op::Consistent { mutex, result }) = op
        else {
            unreachable!("only mutex operations come here")
        };
        let attrs = self.model.mutexes[*mutex].posix;
        let mut st = self.layout.posix_mutex(s, *mutex);
        let checked = result.is_some();
        let (outcome, value) = match op {
            Op::Wait { mode, .. } => {
                let call = match mode {
                    WaitMode::Infinite => LockCall::Lock,
                    WaitMode::Timeout => LockCall::TimedLock,
                    WaitMode::Try => LockCall::TryLock,
                };
                let outcome = st.lock(attrs, t, call).unwrap_or(LockOutcome::TimedOut);
                if outcome == LockOutcome::Again {
                    return Err(Fault::RecursionLimit { mutex: *mutex });
                }
                let value = r::of_lock(outcome);
                let count = if st.owner == Some(t) { st.count } else { 0 };
                (Outcome::Lock { outcome, count }, value)
            }
            Op::Release { .. } => {
                let outcome = st.unlock(attrs, t);
                let value = r::of_unlock(outcome);
                (Outcome::Unlock { outcome, checked }, value)
            }
            _ => {
                let outcome = st.make_consistent(attrs, t);
                let value = r::of_consistent(outcome);
                (Outcome::Consistent { outcome, checked }, value)
            }
        };
        self.layout.set_posix_mutex(s, *mutex, st);
        Ok((outcome, value, result))
    }

    /// A POSIX mutex's state.
    pub fn posix_mutex(&self, s: &State, m: usize) -> crate::posix::PosixMutexState {
        self.layout.posix_mutex(&s.0, m)
    }
}
