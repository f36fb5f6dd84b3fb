//! Partial-order reduction: in a state where some thread's next step is invisible, that
//! thread's steps stand for all the state's successors; and the states inside an `atomic`
//! block that cannot block need not be stored.
//!
//! **Invisible steps.** A step is invisible when it reads and writes only the moving thread's
//! own locals and program counter — an assignment to a local from locals and constants, an
//! `if`/`while` test on locals, `skip`, the choice of an `either` — is not an `assert`,
//! touches no mutex, shared variable or process memory, and lies outside every `atomic` block
//! (a step inside one takes the move away from every other thread). Such a step may also end
//! the thread (run off its end, or `exit`), but only *quietly*: owning no mutex (ending
//! while owning one abandons it: a leak, and a change other threads see) in a process that
//! never restarts (see "Ending a thread" below). [`System::reduced_successors`] returns the
//! steps of the lowest thread whose next step is invisible (the lowest, so that the choice is
//! deterministic), and nothing else.
//!
//! **Why no violation is lost** (the ample-set conditions of Peled, Godefroid and Valmari,
//! checked here for this model). Let `α` be thread `t`'s invisible step in state `s`, and
//! take any run from `s` to a violation.
//! - If the run moves `t` before any crash of `t`'s process, its first step of `t` is `α`
//!   (only `t` moves `t`). Every step before it belongs to another thread, or is a crash or
//!   restart of another process: none reads or writes `t`'s locals or program counter, and
//!   `α` reads and writes nothing else, so `α` commutes with each of them. Moving `α` to the
//!   front gives a run through states that differ only in `t`'s locals and position, which
//!   no property and no other step reads: the same violation, at the same place.
//! - If the run crashes `t`'s process first, take `α` and then the same run: after the crash
//!   the two runs are in the same state, because a dead thread's position and locals are
//!   stored as fixed values ([`System::canonicalize_dead`]); before it, the states differ
//!   only in `t`'s locals and position.
//! - If the run does neither, `α` followed by the run ends in a state that differs only in
//!   `t`'s locals and position: the same state properties hold; it cannot be a deadlock or
//!   an end-of-run state that the original end state is not, since `t` was still able to move
//!   there (invisible steps never block) and has moved only along invisible steps.
//! - A fault in `α` itself (an out-of-range local) is found in `s`, where `α` is explored.
//!
//! **Ending a thread.** When `α` ends `t` quietly, the cases above hold with one change: a
//! crash of `t`'s process is no longer possible after `α` if `t` was the process's last
//! running thread. Compare the crash before `α` (t dead, one crash more used) with `α` (t
//! finished): `t` owns nothing, so neither abandons anything; a dead thread of a process that
//! never restarts and a finished one are the same to every property (`at end` and deadlock
//! treat both as done, properties read only shared data and mutexes) and to every later step
//! (neither moves again); and the run after `α` has one more crash left, so every later step
//! of the crash run is possible after `α` too. So a run through the crash is matched, state
//! for state up to `t`'s status and the crash count, by a run through `α`. If the process
//! has other running threads, the crash stays possible after `α` and kills them the same way.
//! A process that restarts is left out while a crash is left in the budget: a crash and a
//! restart give it a future that ending does not. Once the budget is used up no run from `s`
//! crashes anything, the case of the crash does not arise, and `restart` changes nothing: a
//! process marked `restart` under `--crashes 0` is reduced exactly as one that is not.
//!
//! So is a process some expression asks `alive(...)` of: ending its last running
//! thread changes what that expression reads, so the step does not commute with the one
//! that reads it.
//!
//! **Thread deaths** (`may_die`) are handled as crashes of one thread: a death of `t` itself
//! is the "crash of `t`'s process" of the cases above (after it, `t`'s position and locals
//! are dead data at fixed values; before `α` and after `α` it reaches the same state), and
//! the death of another thread touches neither `t`'s locals nor its position, so it commutes
//! with `α`. An `alive(...)` test is never invisible: deaths, crashes and ends of other
//! threads change it.
//!
//! **Guarded variables** (`guarded_by`, [`crate::guarded`]) need no case of their own: a
//! guarded variable is shared, so no access to one is invisible, and whether a step of
//! another thread is an `unguarded_access` depends on the mutex table, shared memory and
//! that thread's own locals, none of which `α` touches: the violating step is still there,
//! the same, after `α`.
//!
//! Each case gives a run from `α`'s target, and the reduced search explores `α`. The
//! induction ends because of the **cycle proviso**, decided statically: an instruction that
//! lies on a cycle of its thread's control flow made only of otherwise invisible instructions
//! is never reduced. So every reduced step moves a thread down an acyclic part of its code,
//! a chain of reduced states is finite, and every cycle of the reduced graph passes through a
//! state whose successors are all explored: no thread's steps are postponed forever. A run
//! found this way is a real run but may be longer than the shortest one.
//!
//! **Atomic blocks that cannot block.** An `atomic` block with no `wait` without a timeout and
//! no loop runs from its first step to its last with no other thread and no crash in between
//! (that is what `atomic` means). A state inside it has exactly its holder's steps as
//! successors, so [`System::reduced_successors`] returns them: a checker need not store
//! these states. It checks the steps through them (an `assert` stands where it is), but no
//! state property: nobody observes a state inside a block whose thread can go on
//! ([`System::is_observable`]).
//!
//! A state for which [`System::reduced_successors`] returns steps is *transient*: a checker
//! may follow its steps at once instead of storing it, which is how mutexcheck uses it.

use crate::flow;
use crate::ir::{Expr, Op, Place, Scope, ThreadDecl};
use crate::state::{State, ATOMIC_SLOT, STATUS_RUNNING};
use crate::step::Step;
use crate::{System, ThreadId};

/// What the reduction knows of one template thread's code.
#[derive(Clone, Debug)]
pub(crate) struct ThreadReduction {
    /// For each instruction: its step is invisible whenever it does not end the thread.
    reducible: Vec<bool>,
    /// For each atomic block (numbered from 1; index 0 unused): it cannot block and has no loop.
    collapsible: Vec<bool>,
}

impl ThreadReduction {
    /// Analyses one thread's code; `blocks` tags each instruction with its atomic block.
    pub(crate) fn new(thread: &ThreadDecl, blocks: &[u32]) -> ThreadReduction {
        let code = &thread.code;
        let candidate: Vec<bool> = code.iter().zip(blocks).map(|(i, &block)| block == 0 && is_local(&i.op)).collect();
        let cyclic = flow::on_cycle(code, &candidate.iter().map(|&c| c as u32).collect::<Vec<_>>());
        let reducible = candidate.iter().zip(&cyclic).map(|(&c, &cy)| c && !cy).collect();
        let count = blocks.iter().copied().max().unwrap_or(0) as usize;
        let mut collapsible = vec![true; count + 1];
        collapsible[0] = false;
        for (i, &block) in code.iter().zip(blocks) {
            if i.op.waits_forever() {
                collapsible[block as usize] = false;
            }
        }
        // A loop inside a block: all blocks at once, so that many blocks cost no more.
        for (&block, cyclic) in blocks.iter().zip(flow::on_cycle(code, blocks)) {
            if cyclic {
                collapsible[block as usize] = false;
            }
        }
        ThreadReduction { reducible, collapsible }
    }
}

/// True when the instruction reads and writes only the running thread's own locals, cannot
/// block, and is not an `assert` or `exit`.
fn is_local(op: &Op) -> bool {
    match op {
        Op::Assign { place, value } => local_place(place) && local_expr(value),
        Op::Branch { cond, .. } => local_expr(cond),
        Op::Choose { .. } | Op::Skip | Op::Exit => true,
        // `progress` marks the runs a livelock check looks at: keep it a step of its own.
        Op::Assert { .. }
        | Op::Wait { .. }
        | Op::Release { .. }
        | Op::Consistent { .. }
        | Op::OnElement { .. }
        | Op::Progress => false,
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
        Expr::MutexCount(_) | Expr::Owns(_) | Expr::MutexAbandoned(_) | Expr::ElementQuery(..) => false,
        // Other threads' ends, crashes and deaths change it.
        Expr::Alive { .. } => false,
        Expr::Unary(_, a) => local_expr(a),
        Expr::Binary(_, a, b) => local_expr(a) && local_expr(b),
    }
}

impl System {
    /// True when the step leaves `t` running, or ends it owning nothing in a process that
    /// never restarts or can no longer crash, and whose liveness no expression asks (see
    /// "Ending a thread" in the module comment).
    fn ends_quietly(&self, t: ThreadId, step: &Step, next: &State) -> bool {
        // A thread step uses no crash: the budget left in `next` is the one left before it.
        let no_crash_left = self.crashes_used(next) >= self.model.crashes;
        next.0[self.layout.status_slot(t)] == STATUS_RUNNING
            || (step.abandoned.is_empty()
                && !self.template(t).end_seen
                && (no_crash_left
                    || !self.model.processes[self.layout.processes[self.layout.threads[t as usize].process].decl]
                        .restart))
    }

    fn reduction(&self, t: ThreadId) -> &ThreadReduction {
        &self.template(t).reduction
    }

    /// True when thread `t`'s instruction at `pc` is one partial-order reduction may explore
    /// alone (see the module comment), provided the step does not end the thread.
    #[inline]
    pub fn is_invisible_at(&self, t: ThreadId, pc: crate::ir::Pc) -> bool {
        self.reduction(t).reducible.get(pc).copied().unwrap_or(false)
    }

    /// When `s` is transient (see the module comment) — a thread holds an atomic block that
    /// cannot block, or some thread's next step is invisible — appends the steps of that one
    /// thread, which stand for every successor of `s`, and returns true. Otherwise appends
    /// nothing and returns false: every successor of [`System::successors`] must be explored.
    pub fn reduced_successors(&self, s: &State, out: &mut Vec<(Step, State)>) -> bool {
        self.reduced_successors_among(s, 0..self.thread_count() as ThreadId, out)
    }

    /// [`System::reduced_successors`] when `s` is transient (returning true), and otherwise
    /// every successor, as [`System::successors_until`] (returning false): the same answer
    /// as the two asked in turn, in one pass over the threads, which a search asks of every
    /// state it expands (nearly all of them not transient).
    pub fn reduced_or_all_successors_until(
        &self,
        s: &State,
        out: &mut Vec<(Step, State)>,
        stop: &dyn Fn() -> bool,
    ) -> bool {
        if s.0[ATOMIC_SLOT] != 0 {
            if self.reduced_successors(s, out) {
                return true;
            }
            self.successors_until(s, out, stop);
            return false;
        }
        // No holder: the first thread, in order, whose steps stand alone is the one
        // `reduced_successors` picks, and the threads before it have none that do.
        self.expand(s, out, stop, true)
    }

    /// True when `steps`, the steps of thread `t` in `s`, are what [`System::reduced_successors`]
    /// returns for `t`: its instruction is invisible and no step ends it loudly.
    pub(crate) fn steps_stand_alone(&self, s: &State, t: ThreadId, steps: &[(Step, State)]) -> bool {
        self.is_invisible_at(t, self.pc(s, t)) && steps.iter().all(|(step, next)| self.ends_quietly(t, step, next))
    }

    /// [`System::reduced_successors`] looking for an invisible step only among `threads`
    /// (in increasing order): the same answer whenever no other thread's next step in `s` is
    /// one that would be explored alone — for instance when `s` was reached by steps of
    /// `threads` from a state that is not transient and where no thread holds an atomic
    /// block. A checker uses it to avoid scanning every thread after every step.
    pub fn reduced_successors_among(
        &self,
        s: &State,
        threads: impl IntoIterator<Item = ThreadId>,
        out: &mut Vec<(Step, State)>,
    ) -> bool {
        let start = out.len();
        let atomic = s.0[ATOMIC_SLOT];
        if atomic != 0 {
            let t = (atomic - 1) as ThreadId;
            let block = self.atomic_block(t, self.pc(s, t));
            if self.reduction(t).collapsible.get(block as usize).copied().unwrap_or(false) {
                self.thread_successors(s, t, out);
            }
            return out.len() > start;
        }
        for t in threads {
            let status = self.layout.status_slot(t);
            if s.0[status] != STATUS_RUNNING || !self.is_invisible_at(t, self.pc(s, t)) {
                continue;
            }
            self.thread_successors(s, t, out);
            if out.len() > start && out[start..].iter().all(|(step, next)| self.ends_quietly(t, step, next)) {
                return true;
            }
            out.truncate(start);
        }
        false
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
        assert!(!is_local(&Op::Assert { cond: var(Scope::Local) }), "an assert is visible");
        assert!(is_local(&Op::Skip));
        assert!(is_local(&Op::Choose { targets: vec![0, 1] }));
        assert!(is_local(&Op::Exit), "ending the thread is decided when it happens");
        assert!(!is_local(&Op::Release { mutex: 0, result: None }));
    }
}
