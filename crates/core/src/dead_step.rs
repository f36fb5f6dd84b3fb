//! Dead data after one thread step, without rewriting every dead local.
//!
//! A search stores every state with its dead data at fixed values ([`crate::liveness`]), and
//! makes each successor canonical after the step that reached it. When that step is one
//! step `p -> q` of a thread that keeps running, taken from a state whose dead data was
//! already canonical, most of [`System::canonicalize_dead_after`]'s work is for nothing: a
//! local dead at `p` held its initial value before the step and still does, unless the
//! instruction at `p` writes it. Only the locals dead at `q` that were live at `p`, or that
//! the instruction wrote, can hold anything else: `dead(q) & !kept(p)`, with
//! `kept(p) = dead(p) & !writes(p)`. For most steps that mask is zero and nothing is done.
//! The thread still runs, so its program counter is its own and its process's memory is
//! live; no other thread's data changes in its step.

use crate::ir::{Op, Scope, ThreadDecl};
use crate::state::{STATUS_RUNNING, THREAD_PC, THREAD_SLOTS, THREAD_STATUS};
use crate::{Action, State, Step, System};

/// The locals of one template thread as bit masks (bit `v` for local `v`), for threads of at
/// most 64 locals.
#[derive(Clone, Debug)]
pub(crate) struct StepMasks {
    /// For each pc `0..=len`: the locals dead there.
    dead: Vec<u64>,
    /// For each pc `0..len`: the locals dead there that its instruction does not write, so
    /// at their initial values after a step from there out of a canonical state.
    kept: Vec<u64>,
}

impl StepMasks {
    /// The masks of `thread`, whose dead locals at pc `p` are `dead[at[p].0..at[p].1]` (as
    /// local indices); `None` past 64 locals.
    pub(crate) fn new(thread: &ThreadDecl, at: &[(u32, u32)], dead: &[u32]) -> Option<StepMasks> {
        if thread.locals.len() > 64 {
            return None;
        }
        let dead: Vec<u64> =
            at.iter().map(|&(a, b)| dead[a as usize..b as usize].iter().fold(0, |m, &v| m | bit(v as usize))).collect();
        let kept = thread.code.iter().zip(&dead).map(|(i, &d)| d & !writes(&i.op)).collect();
        Some(StepMasks { dead, kept })
    }
}

/// Bit `v`, or every bit for an index no mask can hold (counted as written: reset).
fn bit(v: usize) -> u64 {
    1u64.checked_shl(v as u32).filter(|_| v < 64).unwrap_or(u64::MAX)
}

/// The locals `op` may write (a whole local or any element of a local array).
fn writes(op: &Op) -> u64 {
    let place = match op {
        Op::Assign { place, .. } => Some(place),
        Op::Wait { result, .. } | Op::Release { result, .. } | Op::Consistent { result, .. } => result.as_ref(),
        Op::OnElement { op, .. } => return writes(op),
        Op::Assert { .. }
        | Op::Branch { .. }
        | Op::Choose { .. }
        | Op::Goto { .. }
        | Op::Skip
        | Op::AtomicBegin
        | Op::AtomicEnd
        | Op::Exit
        | Op::Progress => None,
    };
    match place {
        Some(place) if place.var.scope == Scope::Local => bit(place.var.index),
        _ => 0,
    }
}

impl System {
    /// [`System::canonicalize_dead_after`] for a state `s` reached by the one step `step`
    /// from a state whose dead data was canonical (a stored state): the same result, with
    /// the usual thread step that kept its thread running done from two masks (see the
    /// module comment).
    pub fn canonicalize_dead_after_step(&self, s: &mut State, step: &Step) {
        #[cfg(debug_assertions)]
        let slow = {
            let mut slow = s.clone();
            self.canonicalize_dead_after(&mut slow, [step]);
            slow
        };
        if !self.dead_after_thread_step(s, step) {
            self.canonicalize_dead_after(s, [step]);
        }
        #[cfg(debug_assertions)]
        debug_assert_eq!(*s, slow, "the masks reset what the slow path resets after {step:?}");
    }

    /// The fast path of [`System::canonicalize_dead_after_step`]: true when `step` is a
    /// thread step that left its thread running and the masks did the work.
    #[inline]
    fn dead_after_thread_step(&self, s: &mut State, step: &Step) -> bool {
        let Action::Run { thread, pc } = step.action else { return false };
        let at = self.layout.thread_base + THREAD_SLOTS * thread as usize;
        if s.0[at + THREAD_STATUS] != STATUS_RUNNING {
            return false;
        }
        let liveness = &self.template(thread).liveness;
        let Some(masks) = &liveness.step else { return false };
        let (Some(dead), Some(kept)) = (masks.dead.get(s.0[at + THREAD_PC] as usize), masks.kept.get(pc)) else {
            return false;
        };
        let mut reset = dead & !kept;
        if reset != 0 {
            let base = self.bases[thread as usize][crate::compiled::LOCAL as usize];
            while reset != 0 {
                let v = reset.trailing_zeros() as usize;
                reset &= reset - 1;
                if let Some(&(offset, slots, init)) = liveness.vars.get(v) {
                    let from = base + offset as usize;
                    s.0[from..from + slots as usize].fill(init);
                }
            }
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::{BinOp, Expr, Instr, Place, Span, Ty, VarDecl, VarRef};
    use crate::liveness::ThreadLiveness;

    fn local(index: usize) -> Expr {
        Expr::Var(VarRef { scope: Scope::Local, index })
    }

    #[test]
    fn a_step_resets_only_the_locals_it_leaves_dead_that_were_live_or_written_before_it() {
        // 0: while i < 2 { 1: r = wait m; 2: if r == 1 { 3: skip } 4: i = i + 1 } (5: goto 0, 6: end)
        let (i, r) = (0, 1);
        let to = |index| Place { var: VarRef { scope: Scope::Local, index }, index: None };
        let ops = vec![
            Op::Branch { cond: Expr::Binary(BinOp::Lt, Box::new(local(i)), Box::new(Expr::Const(2))), target: 6 },
            Op::Wait { mutex: 0, mode: crate::WaitMode::Infinite, result: Some(to(r)) },
            Op::Branch { cond: Expr::Binary(BinOp::Eq, Box::new(local(r)), Box::new(Expr::Const(1))), target: 4 },
            Op::Skip,
            Op::Assign { place: to(i), value: Expr::Binary(BinOp::Add, Box::new(local(i)), Box::new(Expr::Const(1))) },
            Op::Goto { target: 0 },
        ];
        let var = |name: &str| VarDecl {
            name: name.into(),
            ty: Ty::Int { lo: 0, hi: 3 },
            len: None,
            init: 0,
            span: Span::default(),
        };
        let thread = ThreadDecl {
            name: "main".into(),
            locals: vec![var("i"), var("r")],
            code: ops.into_iter().map(|op| Instr::new(op, Span::default(), "")).collect(),
            may_die: false,
        };
        let masks = ThreadLiveness::new(&thread).step.expect("two locals fit a mask");
        let (bi, br) = (1 << i, 1 << r);
        // r is live only at the test that reads it; nothing is live at the end.
        assert_eq!(masks.dead, vec![br, br, 0, br, br, br, bi | br]);
        // The wait writes r and the increment i: neither is known to be initial after them.
        assert_eq!(masks.kept, vec![br, 0, 0, br, br, br]);
        let reset = |from: usize, to: usize| masks.dead[to] & !masks.kept[from];
        assert_eq!(reset(2, 3), br, "r was live at the test and is dead after it");
        assert_eq!(reset(2, 4), br);
        assert_eq!(reset(0, 1), 0, "r was dead and stays untouched");
        assert_eq!(reset(1, 2), 0, "r is written and live");
        assert_eq!(reset(0, 6), bi, "leaving the loop leaves i dead");
    }

    #[test]
    fn a_thread_of_more_than_64_locals_has_no_masks() {
        let var = |k: usize| VarDecl {
            name: format!("v{k}"),
            ty: Ty::Int { lo: 0, hi: 1 },
            len: None,
            init: 0,
            span: Span::default(),
        };
        let thread = |n: usize| ThreadDecl {
            name: "main".into(),
            locals: (0..n).map(var).collect(),
            code: vec![Instr::new(Op::Skip, Span::default(), "")],
            may_die: false,
        };
        assert!(ThreadLiveness::new(&thread(64)).step.is_some());
        assert!(ThreadLiveness::new(&thread(65)).step.is_none());
    }
}
