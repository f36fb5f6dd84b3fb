//! Dead data: what no later step can read, stored at one fixed value.
//!
//! A local is *live* at a program counter when some path of the thread's code from there
//! reads it before overwriting it; otherwise it is dead there, and its value can influence
//! nothing the thread, another thread or a property will ever see. The same holds for all
//! that a finished or crashed thread holds (its program counter and every local) and for the
//! process memory of an instance none of whose threads is running (a restart resets it).
//! Two states that differ only in dead data have the same futures and the same violations,
//! so [`System::canonicalize_dead`] rewrites dead data to fixed values (initial values; the
//! end of the code for a dead thread's program counter) and a checker stores one state
//! where it would store many. Traces never show these values: they re-execute the real steps.
//!
//! The analysis is the textbook backward data flow over the code's control-flow graph
//! ([`crate::flow`]). An array counts as one variable, read by any element read and never
//! killed by an element write. Past [`MAX_PAIRS`] (instruction, local) pairs, or when the
//! iteration does not settle quickly, a thread's locals all count as live while it runs: a
//! safe answer whose cost stays linear in the model.

use crate::flow;
use crate::ir::{Expr, Op, Place, Scope, ThreadDecl, Value};
use crate::state::{STATUS_RUNNING, THREAD_PC, THREAD_SLOTS, THREAD_STATUS};
use crate::{Action, State, Step, System, ThreadId};

/// Above this many (instruction, local) pairs every local of a running thread counts as live.
const MAX_PAIRS: usize = 1 << 22;
/// Rounds of the data-flow iteration before giving up; code from the language settles in
/// about as many rounds as its loops nest (at most 64).
const MAX_ROUNDS: usize = 100;

/// Which locals of one template thread are dead where.
#[derive(Clone, Debug)]
pub(crate) struct ThreadLiveness {
    /// For each program counter `0..=len`, the range of `dead` that lists the locals not
    /// live there (at `len`, the end, all of them).
    at: Vec<(u32, u32)>,
    /// The dead locals, grouped by program counter, each as its place relative to the
    /// thread's first local slot: (offset, slots, initial value). Held by value, not by
    /// index, since making a state canonical reads them for every step.
    dead: Vec<(u32, u32, Value)>,
    /// Each local's place, in declaration order (the tests name locals by index).
    pub(crate) vars: Vec<(u32, u32, Value)>,
    /// What one step of a running thread can leave to reset, as bit masks
    /// ([`crate::dead_step`]); `None` past 64 locals.
    pub(crate) step: Option<crate::dead_step::StepMasks>,
}

impl ThreadLiveness {
    /// Works out the dead locals of `thread` at every program counter.
    pub(crate) fn new(thread: &ThreadDecl) -> ThreadLiveness {
        let mut offset = 0u32;
        let vars: Vec<(u32, u32, Value)> = thread
            .locals
            .iter()
            .map(|v| {
                let at = offset;
                offset += v.slots() as u32;
                (at, v.slots() as u32, v.init)
            })
            .collect();
        let n = thread.code.len();
        let nv = vars.len();
        let live = if nv == 0 || (n + 1).saturating_mul(nv) > MAX_PAIRS { None } else { live_in(thread) };
        let mut at = Vec::with_capacity(n + 1);
        let mut dead = Vec::new();
        for pc in 0..=n {
            let start = dead.len() as u32;
            match &live {
                Some(words) if pc < n => {
                    let w = nv.div_ceil(64);
                    let row = &words[pc * w..(pc + 1) * w];
                    dead.extend((0..nv as u32).filter(|&v| row[v as usize / 64] & (1 << (v % 64)) == 0));
                }
                None if pc < n => {}
                _ => dead.extend(0..nv as u32),
            }
            at.push((start, dead.len() as u32));
        }
        let step = crate::dead_step::StepMasks::new(thread, &at, &dead);
        let dead = dead.iter().map(|&v| vars[v as usize]).collect();
        ThreadLiveness { at, dead, vars, step }
    }

    /// The locals not live at `pc`, each as (offset, slots, initial value).
    fn dead_at(&self, pc: usize) -> &[(u32, u32, Value)] {
        let (start, end) = self.at.get(pc).copied().unwrap_or((0, 0));
        &self.dead[start as usize..end as usize]
    }

    /// True when local `var` is live at `pc`.
    #[cfg(test)]
    fn is_live(&self, pc: usize, var: usize) -> bool {
        let (start, end) = self.at.get(pc).copied().unwrap_or((0, 0));
        !self.dead[start as usize..end as usize].contains(&self.vars[var])
    }
}

/// The live-in sets of every instruction, `words` bits per instruction, or `None` when the
/// iteration does not settle within [`MAX_ROUNDS`].
fn live_in(thread: &ThreadDecl) -> Option<Vec<u64>> {
    let code = &thread.code;
    let n = code.len();
    let w = thread.locals.len().div_ceil(64);
    let mut uses = vec![0u64; n * w];
    let mut defs = vec![0u64; n * w];
    for (pc, instr) in code.iter().enumerate() {
        let (u, d) = (&mut uses[pc * w..(pc + 1) * w], &mut defs[pc * w..(pc + 1) * w]);
        let mut reads = |e: &Expr| expr_reads(e, u);
        match &instr.op {
            Op::Assign { place, value } => {
                reads(value);
                place_access(place, u, d);
            }
            Op::Wait { result: Some(place), .. }
            | Op::Release { result: Some(place), .. }
            | Op::Consistent { result: Some(place), .. } => {
                place_access(place, u, d);
            }
            Op::Assert { cond } | Op::Branch { cond, .. } => reads(cond),
            Op::OnElement { element, op } => {
                reads(&element.index);
                if let Op::Wait { result: Some(place), .. }
                | Op::Release { result: Some(place), .. }
                | Op::Consistent { result: Some(place), .. } = &**op
                {
                    place_access(place, u, d);
                }
            }
            _ => {}
        }
    }
    let succ: Vec<Vec<usize>> = (0..n)
        .map(|pc| {
            let mut out = Vec::new();
            flow::next_pcs(code, pc, &mut out);
            out.retain(|&q| q < n);
            out
        })
        .collect();
    let mut live = vec![0u64; n * w];
    let mut row = vec![0u64; w];
    for _ in 0..MAX_ROUNDS {
        let mut changed = false;
        // Reverse order visits most successors first: a round per loop nesting level.
        for pc in (0..n).rev() {
            row.iter_mut().for_each(|x| *x = 0);
            for &q in &succ[pc] {
                for (r, l) in row.iter_mut().zip(&live[q * w..(q + 1) * w]) {
                    *r |= l;
                }
            }
            for k in 0..w {
                let new = uses[pc * w + k] | (row[k] & !defs[pc * w + k]);
                if new != live[pc * w + k] {
                    live[pc * w + k] = new;
                    changed = true;
                }
            }
        }
        if !changed {
            return Some(live);
        }
    }
    None
}

fn set(bits: &mut [u64], var: usize) {
    bits[var / 64] |= 1 << (var % 64);
}

/// Marks the locals `e` reads.
fn expr_reads(e: &Expr, uses: &mut [u64]) {
    match e {
        Expr::Var(v) | Expr::Index(v, _) if v.scope == Scope::Local => set(uses, v.index),
        _ => {}
    }
    match e {
        Expr::Index(_, i) | Expr::Unary(_, i) | Expr::Alive { index: i, .. } => expr_reads(i, uses),
        Expr::ElementQuery(_, element) => expr_reads(&element.index, uses),
        Expr::Binary(_, a, b) => {
            expr_reads(a, uses);
            expr_reads(b, uses);
        }
        _ => {}
    }
}

/// A write to `place`: its index expression is read; a whole local is overwritten (killed),
/// an array element is not (the other elements live on).
fn place_access(place: &Place, uses: &mut [u64], defs: &mut [u64]) {
    match &place.index {
        Some(i) => expr_reads(i, uses),
        None if place.var.scope == Scope::Local => set(defs, place.var.index),
        None => {}
    }
}

impl System {
    /// Rewrites the dead data of `s` to fixed values (see the module comment): the locals
    /// of each running thread that are dead at its program counter, the program counter and
    /// locals of finished and dead threads, and the memory of process instances with no
    /// running thread. States that differ only in dead data become equal; nothing that any
    /// step or property reads changes.
    pub fn canonicalize_dead(&self, s: &mut State) {
        for t in 0..self.layout.threads.len() {
            self.canonicalize_thread(&mut s.0, t as ThreadId);
        }
        for p in 0..self.layout.processes.len() {
            self.canonicalize_memory(&mut s.0, p);
        }
    }

    /// [`System::canonicalize_dead`] for a state reached by `steps` from a state whose dead
    /// data was already canonical: only what those steps' actors hold can have changed.
    pub fn canonicalize_dead_after<'s>(&self, s: &mut State, steps: impl IntoIterator<Item = &'s Step>) {
        let mut last = None;
        for step in steps {
            // What one actor holds needs making canonical once, however many steps it took
            // in a row (a move through transient states is mostly one thread's).
            let actor = step.action.actor();
            if last.replace(actor) == Some(actor) {
                continue;
            }
            match step.action {
                Action::Run { thread, .. } => {
                    self.canonicalize_thread(&mut s.0, thread);
                    self.canonicalize_memory(&mut s.0, self.layout.threads[thread as usize].process);
                }
                Action::Die { thread } => {
                    self.canonicalize_thread(&mut s.0, thread);
                    self.canonicalize_memory(&mut s.0, self.layout.threads[thread as usize].process);
                }
                Action::Crash { process } | Action::Restart { process } => {
                    for t in self.layout.processes[process].threads.clone() {
                        self.canonicalize_thread(&mut s.0, t);
                    }
                    self.canonicalize_memory(&mut s.0, process);
                }
            }
        }
    }

    /// Thread `t`'s dead locals, and its program counter when it is dead.
    fn canonicalize_thread(&self, s: &mut [Value], t: ThreadId) {
        let at = self.layout.thread_base + THREAD_SLOTS * t as usize;
        let liveness = &self.template(t).liveness;
        let pc = if s[at + THREAD_STATUS] == STATUS_RUNNING {
            s[at + THREAD_PC] as usize
        } else {
            let end = liveness.at.len() - 1;
            s[at + THREAD_PC] = end as Value;
            end
        };
        let base = self.bases[t as usize][crate::compiled::LOCAL as usize];
        for &(offset, slots, init) in liveness.dead_at(pc) {
            let from = base + offset as usize;
            if slots == 1 {
                s[from] = init;
            } else {
                s[from..from + slots as usize].fill(init);
            }
        }
    }

    /// Process instance `p`'s memory, when none of its threads is running.
    pub(crate) fn canonicalize_memory(&self, s: &mut [Value], p: usize) {
        let info = &self.layout.processes[p];
        let vars = &self.model.processes[info.decl].vars;
        // A process without memory has nothing to reset: no need to look at its threads.
        if !vars.is_empty() && info.threads.clone().all(|t| s[self.layout.status_slot(t)] != STATUS_RUNNING) {
            crate::system::init_vars(s, info.var_base, vars);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::{BinOp, Instr, Span, Ty, VarDecl, VarRef};

    fn local(index: usize) -> Expr {
        Expr::Var(VarRef { scope: Scope::Local, index })
    }

    fn to_local(index: usize) -> Place {
        Place { var: VarRef { scope: Scope::Local, index }, index: None }
    }

    fn thread(locals: usize, ops: Vec<Op>) -> ThreadDecl {
        ThreadDecl {
            name: "main".into(),
            locals: (0..locals)
                .map(|i| VarDecl {
                    name: format!("v{i}"),
                    ty: Ty::Int { lo: 0, hi: 3 },
                    len: None,
                    init: 0,
                    span: Span::default(),
                })
                .collect(),
            code: ops.into_iter().map(|op| Instr::new(op, Span::default(), "")).collect(),
            may_die: false,
        }
    }

    #[test]
    fn a_result_is_dead_after_its_last_test_and_before_the_wait_that_overwrites_it() {
        // 0: while i < 2 { 1: r = wait m; 2: if r == 1 { 3: skip } 4: i = i + 1 } (5: end)
        let i = 0;
        let r = 1;
        let t = thread(
            2,
            vec![
                Op::Branch { cond: Expr::Binary(BinOp::Lt, Box::new(local(i)), Box::new(Expr::Const(2))), target: 6 },
                Op::Wait { mutex: 0, mode: crate::WaitMode::Infinite, result: Some(to_local(r)) },
                Op::Branch { cond: Expr::Binary(BinOp::Eq, Box::new(local(r)), Box::new(Expr::Const(1))), target: 4 },
                Op::Skip,
                Op::Assign {
                    place: to_local(i),
                    value: Expr::Binary(BinOp::Add, Box::new(local(i)), Box::new(Expr::Const(1))),
                },
                Op::Goto { target: 0 },
            ],
        );
        let l = ThreadLiveness::new(&t);
        let live = |pc| (l.is_live(pc, i), l.is_live(pc, r));
        assert_eq!(live(0), (true, false), "the loop test reads i; r is overwritten by the wait");
        assert_eq!(live(1), (true, false));
        assert_eq!(live(2), (true, true), "the test reads r");
        assert_eq!(live(3), (true, false), "r is never read again after the test");
        assert_eq!(live(4), (true, false));
        assert_eq!(live(6), (false, false), "at the end nothing is live");
    }

    #[test]
    fn an_array_element_write_does_not_kill_the_array() {
        let arr = Place { var: VarRef { scope: Scope::Local, index: 0 }, index: Some(Box::new(Expr::Const(0))) };
        let read = Expr::Index(VarRef { scope: Scope::Local, index: 0 }, Box::new(Expr::Const(1)));
        let t = thread(1, vec![Op::Assign { place: arr, value: Expr::Const(1) }, Op::Assert { cond: read }]);
        let l = ThreadLiveness::new(&t);
        assert!(l.is_live(0, 0), "element 1 written before is read after the element 0 write");
        assert!(!l.is_live(2, 0));
    }
}
