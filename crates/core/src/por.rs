//! Partial-order reduction: a thread's consecutive thread-local steps run back to back.
//!
//! A step is *local* when it reads and writes only the running thread's own variables
//! (assignments to locals from locals and constants, conditions on locals, `either`, `skip`,
//! asserts on locals). Such a step commutes with every step of every other thread and with
//! every crash, and no property can see it: properties read only shared variables and
//! mutexes. With the reduction on, a thread that has taken a local step and stands at another
//! one keeps the move — no other thread moves and no process crashes — the same mechanism as
//! an `atomic` block. It gives the move up before its next non-local step, so no state is
//! stored twice merely because a thread held the move before a shared step.
//!
//! Why verdicts and breadth-first counterexample lengths stay the same: the reduced graph is
//! the full one with some interleavings left out, so every reduced run is a real run, and any
//! run can be rearranged, step count unchanged, into one the reduced graph keeps — move each
//! local step later, to just before its thread's next step, so that consecutive local steps
//! stand side by side (a local step that is not its thread's last commutes with every step of
//! another thread and changes nothing another thread or a property reads; the last one, which
//! may end the thread and abandon its mutexes, stays where it was);
//! local steps with no later step of their thread either end the run (a fault in them is the
//! violation, or a deadlock needs them taken) and can be moved to its end, or can be dropped,
//! which only shortens it. A crash that fell between two local steps of its own process
//! makes them pointless (the thread is dead, and a restart resets its locals); a crash of
//! another process moves before them. A thread can still wait to start its local steps, so a
//! timed wait after them can still see the mutex released first.

use crate::ir::{Expr, Model, Op, Place, Scope};

/// Whether each instruction of each template thread is a local step.
pub(crate) fn local_steps(model: &Model) -> Vec<Vec<Vec<bool>>> {
    model
        .processes
        .iter()
        .map(|p| p.threads.iter().map(|t| t.code.iter().map(|i| is_local(&i.op)).collect()).collect())
        .collect()
}

/// True when the instruction reads and writes only the running thread's own variables and
/// cannot block, end the thread or touch a mutex.
fn is_local(op: &Op) -> bool {
    match op {
        Op::Assign { place, value } => local_place(place) && local_expr(value),
        Op::Branch { cond, .. } | Op::Assert { cond } => local_expr(cond),
        Op::Choose { .. } | Op::Skip => true,
        Op::Wait { .. } | Op::Release { .. } | Op::Exit => false,
        // Markers are never executed as steps.
        Op::Goto { .. } | Op::AtomicBegin | Op::AtomicEnd => false,
    }
}

fn local_place(place: &Place) -> bool {
    place.var.scope == Scope::Local && place.index.as_deref().is_none_or(local_expr)
}

fn local_expr(e: &Expr) -> bool {
    match e {
        Expr::Const(_) | Expr::InstanceId => true,
        Expr::Var(v) => v.scope == Scope::Local,
        Expr::Index(v, i) => v.scope == Scope::Local && local_expr(i),
        // Another thread changes a mutex's owner and count.
        Expr::MutexCount(_) | Expr::Owns(_) | Expr::MutexAbandoned(_) => false,
        Expr::Unary(_, a) => local_expr(a),
        Expr::Binary(_, a, b) => local_expr(a) && local_expr(b),
    }
}

impl crate::System {
    /// Turns the partial-order reduction on or off (off by default). With it on, the
    /// successor function leaves out the interleavings described in [`crate::por`].
    pub fn set_partial_order_reduction(&mut self, on: bool) {
        self.por = on.then(|| local_steps(&self.model));
    }

    /// True when the partial-order reduction is on.
    pub fn partial_order_reduction(&self) -> bool {
        self.por.is_some()
    }

    /// True when the reduction is on and thread `t`, having run the local step at `from`,
    /// stands at another local step `to`: it keeps the move for that one too. Before a
    /// non-local step the move is given up, so a state never differs from an unreduced one
    /// only by who holds the move.
    pub(crate) fn keeps_the_move(&self, t: crate::ThreadId, from: crate::ir::Pc, to: crate::ir::Pc) -> bool {
        let Some(local) = &self.por else { return false };
        let th = &self.layout.threads[t as usize];
        let code = &local[self.layout.processes[th.process].decl][th.decl];
        code.get(from).copied().unwrap_or(false) && code.get(to).copied().unwrap_or(false)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::{BinOp, VarRef};

    fn var(scope: Scope) -> Expr {
        Expr::Var(VarRef { scope, index: 0 })
    }

    #[test]
    fn only_steps_on_the_threads_own_variables_are_local() {
        let local = Place { var: VarRef { scope: Scope::Local, index: 0 }, index: None };
        let shared = Place { var: VarRef { scope: Scope::Shared, index: 0 }, index: None };
        let inc = |e: Expr| Expr::Binary(BinOp::Add, Box::new(e), Box::new(Expr::Const(1)));
        assert!(is_local(&Op::Assign { place: local.clone(), value: inc(var(Scope::Local)) }));
        assert!(!is_local(&Op::Assign { place: local.clone(), value: inc(var(Scope::Shared)) }));
        assert!(!is_local(&Op::Assign { place: local, value: var(Scope::Process) }));
        assert!(!is_local(&Op::Assign { place: shared, value: Expr::Const(1) }));
        assert!(is_local(&Op::Branch { cond: var(Scope::Local), target: 0 }));
        assert!(!is_local(&Op::Branch { cond: Expr::Owns(0), target: 0 }));
        assert!(is_local(&Op::Skip));
        assert!(is_local(&Op::Choose { targets: vec![0, 1] }));
        assert!(!is_local(&Op::Exit));
        assert!(!is_local(&Op::Release { mutex: 0, result: None }));
    }
}
