//! Process crashes and restarts: the two steps a process instance takes as a whole. A
//! crash kills every running thread of the instance at once (within the crash budget),
//! abandoning what they own; a restart starts a crashed instance marked `restart` again from
//! its first statement with its memory reset. (A `may_die` thread's death alone is in
//! `death.rs`.) What a thread owned when it ends, dies or crashes is abandoned here too.

use crate::ir::{Semantics, Value};
use crate::state::{State, ATOMIC_SLOT, CRASHES_SLOT, STATUS_DEAD, STATUS_RUNNING};
use crate::step::{Abandonment, Action, Outcome, Step};
use crate::{System, ThreadId};

impl System {
    /// The crash of process instance `p`, when the budget allows and it has a running thread.
    pub(crate) fn crash_step(&self, s: &State, p: usize, out: &mut Vec<(Step, State)>) {
        if self.crashes_used(s) >= self.model.crashes {
            return;
        }
        let live = self.layout.processes[p].threads.clone().any(|t| s.0[self.layout.status_slot(t)] == STATUS_RUNNING);
        if live {
            let mut next = crate::state::spare_copy(&s.0);
            next[CRASHES_SLOT] += 1;
            let abandoned = self.kill_process(&mut next, p);
            let step = Step { action: Action::Crash { process: p }, outcome: Outcome::Crashed, abandoned };
            out.push((step, State(next)));
        }
    }

    /// The restart of process instance `p`, when it is marked `restart` and crashed.
    pub(crate) fn restart_step(&self, s: &State, p: usize, out: &mut Vec<(Step, State)>) {
        let info = &self.layout.processes[p];
        if !self.model.processes[info.decl].restart {
            return;
        }
        let statuses = info.threads.clone().map(|t| s.0[self.layout.status_slot(t)]);
        let crashed = statuses.clone().any(|st| st == STATUS_DEAD) && statuses.clone().all(|st| st != STATUS_RUNNING);
        if crashed {
            let mut next = crate::state::spare_copy(&s.0);
            self.reset_process(&mut next, p);
            let step = Step { action: Action::Restart { process: p }, outcome: Outcome::Restarted, abandoned: vec![] };
            out.push((step, State(next)));
        }
    }

    /// Kills every running thread of process instance `p`, abandoning what they own.
    pub(crate) fn kill_process(&self, s: &mut [Value], p: usize) -> Vec<Abandonment> {
        let mut abandoned = Vec::new();
        for t in self.layout.processes[p].threads.clone() {
            if s[self.layout.status_slot(t)] == STATUS_RUNNING {
                s[self.layout.status_slot(t)] = STATUS_DEAD;
                self.abandon_all(s, t, true, &mut abandoned);
                if s[ATOMIC_SLOT] == t as Value + 1 {
                    s[ATOMIC_SLOT] = 0;
                }
            }
        }
        abandoned
    }

    /// Thread `t` ended or died: what it owned is abandoned (Win32), handed to the next
    /// locker with `EOWNERDEAD` (robust POSIX) or kept locked by the dead thread (POSIX, not
    /// robust); each is recorded in `out` either way.
    pub(crate) fn abandon_all(&self, s: &mut [Value], t: ThreadId, by_crash: bool, out: &mut Vec<Abandonment>) {
        let posix = self.model.semantics == Semantics::Posix;
        for m in 0..self.layout.mutex_count() {
            let count = if posix {
                let mut st = self.layout.posix_mutex(s, m);
                let count = st.owner_died(self.model.mutexes[m].posix, t);
                if count > 0 {
                    self.layout.set_posix_mutex(s, m, st);
                }
                count
            } else {
                let mut st = self.layout.mutex(s, m);
                let count = st.abandon_if_owned_by(t);
                if count > 0 {
                    self.layout.set_mutex(s, m, st);
                }
                count
            };
            if count > 0 {
                crate::step::room_for_abandonment(out);
                out.push(Abandonment { mutex: m, owner: t, count, by_crash });
            }
        }
    }
}
