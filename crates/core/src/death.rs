//! Process liveness (`alive(P[i])`) and the death of one thread (`thread NAME may_die`).
//!
//! A thread declared `may_die` can die alone at any step where it is running or blocked, as
//! ExitThread, TerminateThread or `pthread_exit` end one thread while its process lives on:
//! the death is a step of its own ([`Action::Die`]) that uses one unit of the same crash
//! budget as a process crash. What the thread owns is abandoned exactly as in a crash (Win32:
//! the next wait returns `ABANDONED`; robust POSIX: the next lock returns `EOWNERDEAD`; POSIX
//! not robust: kept by the dead owner); its locals become dead data; the process's memory and
//! its other threads go on.
//!
//! An instance is *alive* while it has a thread that is running or blocked: not crashed, and
//! not every thread ended (finished, exited or died). A process whose threads have all ended,
//! at least one of them by a death or a crash, is restarted by `restart` as after a crash.

use crate::ir::{Expr, Model, Op, Place, Property, Value};
use crate::mutex::ThreadId;
use crate::state::{State, ATOMIC_SLOT, CRASHES_SLOT, STATUS_DEAD, STATUS_RUNNING};
use crate::step::{Action, Fault, Outcome, Step};
use crate::System;

impl System {
    /// The death of thread `t`, when it is declared `may_die`, running or blocked, and the
    /// crash budget allows one more.
    pub(crate) fn death_step(&self, s: &State, t: ThreadId, out: &mut Vec<(Step, State)>) {
        let status = self.layout.status_slot(t);
        if !self.template(t).may_die || s.0[status] != STATUS_RUNNING || self.crashes_used(s) >= self.model.crashes {
            return;
        }
        let mut next = crate::state::spare_copy(&s.0);
        next[CRASHES_SLOT] += 1;
        next[status] = STATUS_DEAD;
        if next[ATOMIC_SLOT] == t as Value + 1 {
            next[ATOMIC_SLOT] = 0;
        }
        let mut abandoned = Vec::new();
        self.abandon_all(&mut next, t, true, &mut abandoned);
        out.push((Step { action: Action::Die { thread: t }, outcome: Outcome::Died, abandoned }, State(next)));
    }

    /// True when some thread of the model is declared `may_die`.
    pub(crate) fn has_mortal_threads(&self) -> bool {
        self.mortal
    }

    /// True when process instance `p` (an index in the layout) has a running or blocked thread.
    pub fn process_alive(&self, s: &State, p: usize) -> bool {
        self.layout.processes[p].threads.clone().any(|t| s.0[self.layout.status_slot(t)] == STATUS_RUNNING)
    }

    /// `alive(P[index])` for template `process`: a fault when `index` is not an instance.
    pub(crate) fn instance_alive(&self, s: &[Value], process: usize, index: Value) -> Result<bool, Fault> {
        let decl = &self.model.processes[process];
        if index < 0 || index >= decl.instances as Value {
            return Err(Fault::IndexOutOfBounds { var: decl.name.clone(), index, len: decl.instances });
        }
        // Instances lie template by template, each template's in instance order.
        let p = self.layout.processes.partition_point(|info| info.decl < process) + index as usize;
        Ok(self.layout.processes[p].threads.clone().any(|t| s[self.layout.status_slot(t)] == STATUS_RUNNING))
    }
}

/// For each process template: true when some expression of the model (in any thread's code or
/// any property) asks `alive(...)` of it. Its threads' ends are then seen by others, and its
/// instances are told apart.
pub(crate) fn alive_asked(model: &Model) -> Vec<bool> {
    let mut asked = vec![false; model.processes.len()];
    let mut mark = |e: &Expr| {
        visit(e, &mut |e| {
            if let Expr::Alive { process, .. } = e {
                if let Some(a) = asked.get_mut(*process) {
                    *a = true;
                }
            }
        })
    };
    for instr in model.processes.iter().flat_map(|p| &p.threads).flat_map(|t| &t.code) {
        op_exprs(&instr.op, &mut mark);
    }
    for p in &model.properties {
        let (Property::Protect { cond, .. } | Property::Invariant { cond, .. } | Property::AtEnd { cond, .. }) = p;
        mark(cond);
    }
    asked
}

/// Calls `f` on every expression an instruction evaluates (not their subexpressions).
fn op_exprs(op: &Op, f: &mut dyn FnMut(&Expr)) {
    let place = |p: &Place, f: &mut dyn FnMut(&Expr)| {
        if let Some(i) = &p.index {
            f(i)
        }
    };
    match op {
        Op::Assign { place: p, value } => {
            place(p, f);
            f(value);
        }
        Op::Wait { result, .. } | Op::Release { result, .. } | Op::Consistent { result, .. } => {
            if let Some(p) = result {
                place(p, f);
            }
        }
        Op::Assert { cond } | Op::Branch { cond, .. } => f(cond),
        Op::OnElement { element, op } => {
            f(&element.index);
            op_exprs(op, f);
        }
        Op::Choose { .. } | Op::Goto { .. } | Op::Skip | Op::AtomicBegin | Op::AtomicEnd | Op::Exit | Op::Progress => {}
    }
}

/// Calls `f` on `e` and every subexpression of it.
fn visit(e: &Expr, f: &mut impl FnMut(&Expr)) {
    f(e);
    match e {
        Expr::Index(_, i) | Expr::Unary(_, i) | Expr::Alive { index: i, .. } => visit(i, f),
        Expr::ElementQuery(_, element) => visit(&element.index, f),
        Expr::Binary(_, a, b) => {
            visit(a, f);
            visit(b, f);
        }
        Expr::Const(_)
        | Expr::Var(_)
        | Expr::InstanceId
        | Expr::MutexCount(_)
        | Expr::Owns(_)
        | Expr::MutexAbandoned(_) => {}
    }
}
