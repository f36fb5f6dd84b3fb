//! Dead data after one thread's steps, without rewriting every dead local.
//!
//! A search stores every state with its dead data at fixed values ([`crate::liveness`]), and
//! makes each successor canonical after the move that reached it. When that move is steps
//! `p1 -> ... -> q` of one thread that keeps running, taken from a state whose dead data was
//! already canonical, most of [`System::canonicalize_dead_after`]'s work is for nothing: a
//! local dead at `p1` held its initial value before the move and still does, unless one of
//! the move's instructions writes it. Only the locals dead at `q` that were live at `p1`, or
//! that the move wrote, can hold anything else: `dead(q) & !(dead(p1) & !written)`. For most
//! moves that mask is zero and nothing is done. The thread still runs, so its program
//! counter is its own and its process's memory is live; no other thread's data changes.

use crate::ir::{Op, Scope, ThreadDecl, Value};
use crate::state::{STATUS_RUNNING, THREAD_PC, THREAD_SLOTS, THREAD_STATUS};
use crate::{Action, State, Step, System, ThreadId};

/// The locals of one template thread as bit masks (bit `v` for local `v`), for threads of at
/// most 64 locals.
#[derive(Clone, Debug)]
pub(crate) struct StepMasks {
    /// For each pc `0..=len`: the locals dead there.
    dead: Vec<u64>,
    /// For each pc `0..len`: the locals its instruction may write.
    writes: Vec<u64>,
}

impl StepMasks {
    /// The masks of `thread`, whose dead locals at pc `p` are `dead[at[p].0..at[p].1]` (as
    /// local indices); `None` past 64 locals.
    pub(crate) fn new(thread: &ThreadDecl, at: &[(u32, u32)], dead: &[u32]) -> Option<StepMasks> {
        if thread.locals.len() > 64 {
            return None;
        }
        let dead =
            at.iter().map(|&(a, b)| dead[a as usize..b as usize].iter().fold(0, |m, &v| m | bit(v as usize))).collect();
        let writes = thread.code.iter().map(|i| writes(&i.op)).collect();
        Some(StepMasks { dead, writes })
    }

    /// The locals to reset after steps from `first` that wrote `written`, to `to`.
    #[inline]
    fn reset(&self, first: usize, written: u64, to: usize) -> Option<u64> {
        Some(self.dead.get(to)? & !(self.dead.get(first)? & !written))
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
    /// [`System::canonicalize_dead_after`] for a state `s` reached by the steps `through`
    /// then `last` from a state whose dead data was canonical (a stored state): the same
    /// result, with the usual move of one thread that keeps running done from the masks
    /// (see the module comment). From a state whose dead data was not canonical (a real
    /// state a lasso replays, which asks only for the moves' steps) the result may keep
    /// dead values the general path would reset; the steps are the same either way.
    pub fn canonicalize_dead_after_move(&self, s: &mut State, through: &[Step], last: &Step) {
        let done = match (through, last.action) {
            ([], Action::Crash { process }) => self.dead_after_crash(s, process),
            _ => self.dead_after_thread_steps(s, through, last),
        };
        if !done {
            self.canonicalize_dead_after(s, through.iter().chain([last]));
        }
    }

    /// [`System::canonicalize_dead_after_move`] for the crash of process instance `process`
    /// from a canonical state: each thread it killed still stands at the pc it died at,
    /// whose dead locals were initial already; the others had ended before, canonical. True
    /// when the masks did the work (a thread without masks leaves the rest to the general
    /// path, which does all again).
    fn dead_after_crash(&self, s: &mut State, process: usize) -> bool {
        for t in self.layout.processes[process].threads.clone() {
            let at = self.layout.thread_base + THREAD_SLOTS * t as usize;
            let liveness = &self.template(t).liveness;
            let Some(masks) = &liveness.step else { return false };
            let end = masks.dead.len() - 1;
            let pc = s.0[at + THREAD_PC] as usize;
            if pc == end {
                continue;
            }
            let Some(reset) = masks.reset(pc, 0, end) else { return false };
            s.0[at + THREAD_PC] = end as Value;
            self.reset_locals(s, t, &liveness.vars, reset);
        }
        self.canonicalize_memory(&mut s.0, process);
        true
    }

    /// Sets the locals of thread `t` that the bits of `reset` name (indices into `vars`, the
    /// thread's `(offset, slots, initial value)` per local) back to their initial values.
    #[inline(always)]
    fn reset_locals(&self, s: &mut State, t: ThreadId, vars: &[(u32, u32, Value)], mut reset: u64) {
        let base = self.bases[t as usize][crate::compiled::LOCAL as usize];
        while reset != 0 {
            let v = reset.trailing_zeros() as usize;
            reset &= reset - 1;
            if let Some(&(offset, slots, init)) = vars.get(v) {
                let from = base + offset as usize;
                s.0[from..from + slots as usize].fill(init);
            }
        }
    }

    /// The fast path of [`System::canonicalize_dead_after_move`]: true when every step is
    /// one of the same thread, which still runs, and the masks did the work.
    #[inline]
    fn dead_after_thread_steps(&self, s: &mut State, through: &[Step], last: &Step) -> bool {
        let Action::Run { thread, pc: last_pc } = last.action else { return false };
        let at = self.layout.thread_base + THREAD_SLOTS * thread as usize;
        if s.0[at + THREAD_STATUS] != STATUS_RUNNING {
            return false;
        }
        let liveness = &self.template(thread).liveness;
        let Some(masks) = &liveness.step else { return false };
        // Where the thread stood before the move, and every local the move may have written.
        let (mut first, mut written) = (last_pc, masks.writes.get(last_pc).copied().unwrap_or(u64::MAX));
        for step in through.iter().rev() {
            match step.action {
                Action::Run { thread: t, pc } if t == thread => {
                    first = pc;
                    written |= masks.writes.get(pc).copied().unwrap_or(u64::MAX);
                }
                _ => return false,
            }
        }
        let Some(reset) = masks.reset(first, written, s.0[at + THREAD_PC] as usize) else { return false };
        if reset != 0 {
            self.reset_locals(s, thread, &liveness.vars, reset);
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
        // The wait writes r and the increment i.
        assert_eq!(masks.writes, vec![0, br, 0, 0, bi, 0]);
        let reset = |from: usize, to: usize| masks.reset(from, masks.writes[from], to).unwrap();
        assert_eq!(reset(2, 3), br, "r was live at the test and is dead after it");
        assert_eq!(reset(2, 4), br);
        assert_eq!(reset(0, 1), 0, "r was dead and stays untouched");
        assert_eq!(reset(1, 2), 0, "r is written and live");
        assert_eq!(reset(0, 6), bi, "leaving the loop leaves i dead");
        // Two steps: the wait, then the test that reads r (1 -> 2 -> 3): r was written on
        // the way and is dead at the end.
        assert_eq!(masks.reset(1, masks.writes[1] | masks.writes[2], 3), Some(br));
        // The increment, the loop test, the wait (4 -> 0 -> 1 -> 2): r is live at the end.
        assert_eq!(masks.reset(4, bi | br, 2), Some(0));
        assert_eq!(masks.reset(0, 0, 7), None, "no pc 7");
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
