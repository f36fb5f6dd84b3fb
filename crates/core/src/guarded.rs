//! Guarded variables (`shared a: 0..3 = 0 guarded_by m`): which guarded shared variables a
//! step reads or writes, and whether its thread owned the guarding mutex when it did.
//!
//! The rule, as `docs/language.md` states it: a thread step that reads or writes a guarded
//! variable is an `unguarded_access` unless the thread owns the variable's mutex at that
//! step. "Owns" is the owner slot of the mutex table: a POSIX mutex locked with `OWNERDEAD`
//! and not yet made consistent is owned. Ownership is taken in the state before the step,
//! with one exception: the result of a wait (or lock) stored in a guarded variable is
//! written as the wait returns, so it is judged in the state after it (`r = wait m` with
//! `r` guarded by `m` is fine; the same after a `TIMEOUT` is not).
//!
//! What counts as an access is what the step evaluates: the variables its expressions read
//! (the value of an assignment, an index, the condition of an `if`, `while` or `assert`, the
//! index of a mutex array element) and the place it stores into. The right operand of `&&`
//! and `||` counts only when evaluated, so `owns(m) && a == 1` reads `a` only while `m` is
//! owned. Properties (`invariant`, `protect`, `at end`) are not accesses, nor are crashes,
//! deaths and restarts. Steps inside an `atomic` block count like any other: a block makes
//! other threads wait, it does not take the variable's mutex.

use crate::eval::Ctx;
use crate::ir::{BinOp, Expr, MutexId, Op, Place, Scope, Value};
use crate::mutex::ThreadId;
use crate::state::State;
use crate::step::{Action, Outcome, Step};
use crate::system::System;

/// One read or write of a guarded variable by a thread that did not own its mutex.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnguardedAccess {
    /// The variable: an index in [`crate::ir::Model::shared`].
    pub var: usize,
    /// The element, for an array variable.
    pub element: Option<Value>,
    /// The mutex the thread should have owned.
    pub mutex: MutexId,
    /// True for a write (an assignment's place, a stored result), false for a read.
    pub write: bool,
    /// True when ownership was judged after the step (a wait's stored result).
    pub after: bool,
}

/// A guarded variable a step names, before ownership is looked at.
struct Access {
    var: usize,
    element: Option<Value>,
    write: bool,
    after: bool,
}

impl System {
    /// The first access of the step `before --step--> after` to a guarded variable made
    /// without owning its mutex, in the order the step makes them: the place it writes,
    /// then what it reads. `None` when the model guards nothing, for a step that is not a
    /// thread's, and for a faulting step (its fault is what is reported).
    pub fn unguarded_access(&self, before: &State, step: &Step, after: &State) -> Option<UnguardedAccess> {
        if self.model.guards.is_empty() || matches!(step.outcome, Outcome::Fault(_)) {
            return None;
        }
        let Action::Run { thread, .. } = step.action else { return None };
        let op = &self.instr(&step.action)?.op;
        let mut accesses = Vec::new();
        self.op_accesses(&before.0, thread, op, &mut accesses);
        accesses.into_iter().find_map(|a| {
            let mutex = self.model.guard_of(a.var)?.mutex_for(a.element)?;
            let state = if a.after { after } else { before };
            let owned = self.layout.mutex(&state.0, mutex).owner == Some(thread);
            (!owned).then_some(UnguardedAccess {
                var: a.var,
                element: a.element,
                mutex,
                write: a.write,
                after: a.after,
            })
        })
    }

    fn op_accesses(&self, s: &[Value], t: ThreadId, op: &Op, out: &mut Vec<Access>) {
        match op {
            Op::Assign { place, value } => {
                self.place_access(s, t, place, false, out);
                self.reads(s, t, value, out);
            }
            Op::Wait { result: Some(place), .. } => self.place_access(s, t, place, true, out),
            Op::Release { result: Some(place), .. } | Op::Consistent { result: Some(place), .. } => {
                self.place_access(s, t, place, false, out)
            }
            Op::OnElement { element, op } => {
                self.reads(s, t, &element.index, out);
                self.op_accesses(s, t, op, out);
            }
            Op::Assert { cond } | Op::Branch { cond, .. } => self.reads(s, t, cond, out),
            _ => {}
        }
    }

    /// The write of `place` (its index is read first, as the store evaluates it).
    fn place_access(&self, s: &[Value], t: ThreadId, place: &Place, after: bool, out: &mut Vec<Access>) {
        if let Some(i) = &place.index {
            self.reads(s, t, i, out);
        }
        if place.var.scope != Scope::Shared || self.model.guard_of(place.var.index).is_none() {
            return;
        }
        let element = place.index.as_ref().and_then(|i| self.eval(s, Ctx::Thread(t), i).ok());
        out.push(Access { var: place.var.index, element, write: true, after });
    }

    /// The guarded variables `e` reads when thread `t` evaluates it in `s`.
    fn reads(&self, s: &[Value], t: ThreadId, e: &Expr, out: &mut Vec<Access>) {
        match e {
            Expr::Var(v) if v.scope == Scope::Shared && self.model.guard_of(v.index).is_some() => {
                out.push(Access { var: v.index, element: None, write: false, after: false });
            }
            Expr::Index(v, i) => {
                self.reads(s, t, i, out);
                if v.scope == Scope::Shared && self.model.guard_of(v.index).is_some() {
                    let element = self.eval(s, Ctx::Thread(t), i).ok();
                    out.push(Access { var: v.index, element, write: false, after: false });
                }
            }
            Expr::Binary(op @ (BinOp::And | BinOp::Or), a, b) => {
                self.reads(s, t, a, out);
                // The right operand is evaluated only when the left does not decide.
                let left = self.eval(s, Ctx::Thread(t), a).ok();
                let decided = match (op, left) {
                    (BinOp::And, Some(v)) => v == 0,
                    (BinOp::Or, Some(v)) => v != 0,
                    _ => false,
                };
                if !decided {
                    self.reads(s, t, b, out);
                }
            }
            Expr::Binary(_, a, b) => {
                self.reads(s, t, a, out);
                self.reads(s, t, b, out);
            }
            Expr::Unary(_, a) | Expr::Alive { index: a, .. } => self.reads(s, t, a, out),
            Expr::ElementQuery(_, element) => self.reads(s, t, &element.index, out),
            _ => {}
        }
    }
}

/// A guard names a shared variable and mutexes that exist; an element-wise guard covers an
/// array variable of its own length.
pub(crate) fn validate_guard(model: &crate::Model, g: &crate::ir::Guard) -> Result<(), crate::IrError> {
    let err = |message: String| Err(crate::IrError { message });
    let Some(var) = model.shared.get(g.var) else {
        return err(format!("a guard names shared variable {}, which does not exist", g.var));
    };
    let (last, len) = match g.by {
        crate::ir::GuardedBy::Mutex(m) => (m, None),
        crate::ir::GuardedBy::Elementwise { base, len } => (base + len.max(1) as usize - 1, Some(len)),
    };
    if last >= model.mutexes.len() {
        return err(format!("the guard of `{}` names mutex {last}, which does not exist", var.name));
    }
    if len.is_some() && len != var.len {
        return err(format!("`{}` is guarded element by element by a mutex array of another length", var.name));
    }
    if model.guards.iter().filter(|o| o.var == g.var).count() > 1 {
        return err(format!("`{}` has two guards", var.name));
    }
    Ok(())
}
