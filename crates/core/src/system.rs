//! The transition system of a validated model: its initial state and successor function.
//!
//! Every step is one of: a thread executes its next instruction, a process crashes (within
//! the crash budget, before any step of any of its threads), a thread declared `may_die` dies
//! alone (within the same budget, see `death.rs`), or a crashed process marked `restart`
//! starts again. Successors come in a fixed order (threads by id, then crashes, then deaths
//! by thread id, then restarts), so that exploration is deterministic.

use crate::compiled::COp;
use crate::eval::Ctx;
use crate::ir::{Model, Op, Pc, Property, Semantics, Value, VarDecl};
use crate::mutex::{MutexState, ThreadId, Unavailable, WaitMode, WaitOutcome};
use crate::state::{
    Layout, State, ATOMIC_SLOT, CRASHES_SLOT, STATUS_DEAD, STATUS_FINISHED, STATUS_RUNNING, THREAD_SLOTS, THREAD_STATUS,
};
use crate::step::{Abandonment, Action, Actor, Fault, Outcome, Step};
use crate::IrError;

/// A validated model, ready to explore: the central object every checker serves.
#[derive(Clone, Debug)]
pub struct System {
    pub(crate) model: Model,
    pub(crate) layout: Layout,
    /// What is known statically of each template thread (a thread of a process template).
    pub(crate) templates: Vec<Template>,
    /// The template thread of each thread, by thread id: the hot paths look it up directly.
    pub(crate) template_of: Vec<u32>,
    /// Every template's wait table ([`crate::running::wait_table`]: for each pc `0..=len`,
    /// what its instruction waits on without a timeout, the one kind of step that can
    /// block) one after the other, and where each thread's starts: the question every state
    /// asks of every running thread reads one entry.
    pub(crate) waits: Vec<u32>,
    pub(crate) waits_from: Vec<u32>,
    /// Some process template is marked `restart`: without one, no state has a restart step
    /// to look for.
    restarts: bool,
    /// Some thread is declared `may_die`: without one, no state has a death step to look for.
    pub(crate) mortal: bool,
    /// Where each thread's variables start, by thread id ([`crate::compiled`]).
    pub(crate) bases: Vec<crate::compiled::Bases>,
    /// Each property's condition compiled, in the model's order.
    pub(crate) properties: Vec<crate::compiled::CExpr>,
}

/// The static facts of one template thread, shared by its threads in every instance.
#[derive(Clone, Debug)]
pub(crate) struct Template {
    /// Its code (a copy of the model's): one lookup away from a thread id on the hot paths.
    pub(crate) code: Vec<crate::ir::Instr>,
    /// What each instruction evaluates, compiled ([`crate::compiled`]).
    compiled: Vec<crate::compiled::COp>,
    /// The atomic block (from 1) each pc lies in, or 0.
    atomic_blocks: Vec<u32>,
    /// For each pc `0..=len`, the first real instruction at or after it ([`crate::flow::settle`]).
    settled: Vec<u32>,
    /// Its dead locals at each pc.
    pub(crate) liveness: crate::liveness::ThreadLiveness,
    /// What partial-order reduction may do with each instruction.
    pub(crate) reduction: crate::por::ThreadReduction,
    /// Declared `may_die`: it can die alone ([`crate::death`]).
    pub(crate) may_die: bool,
    /// Some expression asks `alive(...)` of its process: its end is seen by other threads.
    pub(crate) end_seen: bool,
}

impl System {
    /// Validates a model and lays out its state.
    pub fn new(model: Model) -> Result<System, IrError> {
        crate::validate::validate(&model)?;
        let layout = Layout::new(&model);
        let mut templates = Vec::new();
        let alive_asked = crate::death::alive_asked(&model);
        for (process, p) in model.processes.iter().enumerate() {
            for (tdecl, t) in p.threads.iter().enumerate() {
                let atomic_blocks = crate::flow::atomic_blocks(&t.code);
                templates.push(Template {
                    code: t.code.clone(),
                    compiled: crate::compiled::compile_code(&layout, &model, process, tdecl),
                    settled: crate::flow::settled_table(&t.code),
                    liveness: crate::liveness::ThreadLiveness::new(t),
                    reduction: crate::por::ThreadReduction::new(t, &atomic_blocks),
                    atomic_blocks,
                    may_die: t.may_die,
                    end_seen: alive_asked[process],
                });
            }
        }
        // Templates are numbered process by process, thread by thread.
        let first_template: Vec<usize> = model
            .processes
            .iter()
            .scan(0, |next, p| {
                let first = *next;
                *next += p.threads.len();
                Some(first)
            })
            .collect();
        let template_of: Vec<u32> = layout
            .threads
            .iter()
            .map(|th| (first_template[layout.processes[th.process].decl] + th.decl) as u32)
            .collect();
        let restarts = model.processes.iter().any(|p| p.restart);
        let properties = crate::compiled::compile_properties(&layout, &model);
        let mortal = templates.iter().any(|t| t.may_die);
        let (waits, waits_from) = crate::running::wait_tables(&templates, &template_of);
        let mut system = System {
            model,
            layout,
            templates,
            template_of,
            waits,
            waits_from,
            restarts,
            mortal,
            bases: Vec::new(),
            properties,
        };
        system.bases = (0..system.thread_count() as ThreadId).map(|t| system.bases_of(t)).collect();
        Ok(system)
    }

    /// The model this system runs.
    pub fn model(&self) -> &Model {
        &self.model
    }

    /// The state layout: process instances, threads and slot positions.
    pub fn layout(&self) -> &Layout {
        &self.layout
    }

    /// The number of threads over all process instances.
    pub fn thread_count(&self) -> usize {
        self.layout.threads.len()
    }

    /// The state before any step: every variable at its initial value, initially owned
    /// mutexes owned, every thread at its first instruction.
    pub fn initial_state(&self) -> State {
        let mut s = vec![0; self.layout.slots];
        for (i, m) in self.model.mutexes.iter().enumerate() {
            let st = match m.initial_owner {
                Some(r) => MutexState::owned_by(self.thread_of(r)),
                None => MutexState::free(),
            };
            self.layout.set_mutex(&mut s, i, st);
        }
        init_vars(&mut s, self.layout.shared_base, &self.model.shared);
        for p in 0..self.layout.processes.len() {
            self.reset_process(&mut s, p);
        }
        State(s.into_boxed_slice())
    }

    fn thread_of(&self, r: crate::ir::ThreadRef) -> ThreadId {
        let p = self
            .layout
            .processes
            .iter()
            .find(|p| p.decl == r.process && p.instance == r.instance)
            .expect("validated: initial owner names an existing instance");
        p.threads.start + r.thread as ThreadId
    }

    /// Puts a process instance at its start: memory and locals at their initial values, every
    /// thread running at its first instruction.
    pub(crate) fn reset_process(&self, s: &mut [Value], p: usize) {
        let info = &self.layout.processes[p];
        let decl = &self.model.processes[info.decl];
        init_vars(s, info.var_base, &decl.vars);
        for t in info.threads.clone() {
            let th = &self.layout.threads[t as usize];
            init_vars(s, th.local_base, &decl.threads[th.decl].locals);
            s[self.layout.status_slot(t)] = STATUS_RUNNING;
            self.settle(s, t, 0);
            if s[self.layout.pc_slot(t)] as usize >= self.code(t).len() {
                self.finish(s, t, &mut Vec::new());
            }
        }
    }

    /// The mutex table entry of mutex `m`.
    pub fn mutex(&self, s: &State, m: usize) -> MutexState {
        self.layout.mutex(&s.0, m)
    }

    /// A thread's program counter.
    pub fn pc(&self, s: &State, t: ThreadId) -> Pc {
        s.0[self.layout.pc_slot(t)] as Pc
    }

    /// The thread inside an `atomic` block, if any: it holds the move while it can go on.
    pub fn atomic_holder(&self, s: &State) -> Option<ThreadId> {
        let atomic = s.0[ATOMIC_SLOT];
        (atomic != 0).then(|| (atomic - 1) as ThreadId)
    }

    /// True when `s` lies between steps for every observer: no thread is inside an `atomic`
    /// block it can go on with. Invariants, `protect` and `at end` are evaluated only in
    /// such states; a state inside a block whose holder can move is seen by nobody (only the
    /// holder moves there, no crash falls there). A holder blocked inside its block lost
    /// atomicity: other threads and crashes move, so that state is observable.
    pub fn is_observable(&self, s: &State) -> bool {
        match self.atomic_holder(s) {
            None => true,
            Some(t) => s.0[self.layout.status_slot(t)] != STATUS_RUNNING || self.blocked(&s.0, t),
        }
    }

    /// The number of crashes used so far.
    pub fn crashes_used(&self, s: &State) -> u32 {
        s.0[CRASHES_SLOT] as u32
    }

    /// True when every thread has finished or died and no crashed process will restart: the
    /// states where `at end` properties are checked.
    pub fn is_final(&self, s: &State) -> bool {
        let threads = &s.0[self.layout.thread_base..self.layout.thread_base + THREAD_SLOTS * self.thread_count()];
        // Asked of every state: without a `restart` process, ended is finished or dead.
        if !self.restarts {
            return threads.chunks_exact(THREAD_SLOTS).all(|thread| thread[THREAD_STATUS] != STATUS_RUNNING);
        }
        (0..self.thread_count() as ThreadId).all(|t| {
            let st = s.0[self.layout.status_slot(t)];
            st == STATUS_FINISHED
                || (st == STATUS_DEAD
                    && !self.model.processes[self.layout.processes[self.layout.threads[t as usize].process].decl]
                        .restart)
        })
    }

    /// Evaluates a property's condition in a state; a fault (division by zero, index out of
    /// bounds) is returned as such.
    pub fn holds(&self, s: &State, property: &Property) -> Result<bool, Fault> {
        // One of the model's own properties runs compiled (the usual case: the checks pass
        // them by reference); any other is evaluated on the IR.
        if let Some(i) = self.model.properties.iter().position(|p| std::ptr::eq(p, property)) {
            return self.property_holds(s, i);
        }
        let cond = match property {
            Property::Protect { cond, .. } | Property::Invariant { cond, .. } | Property::AtEnd { cond, .. } => cond,
        };
        Ok(self.eval(&s.0, Ctx::Global, cond)? != 0)
    }

    /// Evaluates the condition of the model's `i`-th property (in [`Model::properties`]) in a
    /// state, compiled: [`System::holds`] without looking the property up, for the checks
    /// asked of every state.
    #[inline(always)]
    pub fn property_holds(&self, s: &State, i: usize) -> Result<bool, Fault> {
        Ok(self.run(&s.0, Ctx::Global, &[0; 3], &self.properties[i])? != 0)
    }

    /// The value of a thread-visible or shared variable slot, for display.
    pub fn slot(&self, s: &State, slot: usize) -> Value {
        s.0[slot]
    }

    /// The static facts of thread `t`'s template thread.
    pub(crate) fn template(&self, t: ThreadId) -> &Template {
        &self.templates[self.template_of[t as usize] as usize]
    }

    pub(crate) fn code(&self, t: ThreadId) -> &[crate::ir::Instr] {
        &self.template(t).code
    }

    /// Moves thread `t` to `pc`, following control markers (`Goto`, `AtomicBegin`,
    /// `AtomicEnd`) to its next real instruction or the end of its code.
    fn settle(&self, s: &mut [Value], t: ThreadId, pc: Pc) {
        let settled = &self.template(t).settled;
        s[self.layout.pc_slot(t)] = settled.get(pc).copied().unwrap_or(settled.len() as u32 - 1) as Value;
    }

    /// The atomic block instruction `pc` of thread `t` lies in (0 for none).
    pub(crate) fn atomic_block(&self, t: ThreadId, pc: Pc) -> u32 {
        self.template(t).atomic_blocks.get(pc).copied().unwrap_or(0)
    }

    /// Every transition enabled in `s`, with the state it leads to, appended to `out`.
    pub fn successors(&self, s: &State, out: &mut Vec<(Step, State)>) {
        self.successors_until(s, out, &|| false);
    }

    /// [`System::successors`], asking `stop` now and then between threads, crashes and
    /// restarts and ending early (with the successors so far) when it says so: a state of
    /// thousands of large threads takes long to expand, and a time bound must be kept.
    pub fn successors_until(&self, s: &State, out: &mut Vec<(Step, State)>, stop: &dyn Fn() -> bool) {
        if !self.atomic_holder_moves(s, out) {
            self.expand(s, out, stop, false);
        }
    }

    /// The successors of a state no thread holds atomically, as [`System::successors_until`];
    /// with `reduce`, stopping at the first thread whose steps [`System::reduced_successors`]
    /// would return, and returning true with only that thread's steps appended.
    pub(crate) fn expand(
        &self,
        s: &State,
        out: &mut Vec<(Step, State)>,
        stop: &dyn Fn() -> bool,
        reduce: bool,
    ) -> bool {
        let start = out.len();
        // Asked every 32 threads or processes: often enough for a state of thousands, and
        // no cost worth measuring for the usual few.
        let ask = |i: usize| i % 32 == 31 && stop();
        for t in 0..self.thread_count() {
            if ask(t) {
                return false;
            }
            let from = out.len();
            self.thread_steps(s, t as ThreadId, out);
            if reduce && out.len() > from && self.steps_stand_alone(s, t as ThreadId, &out[from..]) {
                out.drain(start..from);
                return true;
            }
        }
        // With the budget used up no process crashes: the loop would find nothing.
        if self.crashes_used(s) < self.model.crashes {
            for p in 0..self.layout.processes.len() {
                if ask(p) {
                    return false;
                }
                self.crash_step(s, p, out);
            }
        }
        if self.has_mortal_threads() {
            for t in 0..self.thread_count() {
                if ask(t) {
                    return false;
                }
                self.death_step(s, t as ThreadId, out);
            }
        }
        if self.restarts {
            for p in 0..self.layout.processes.len() {
                if ask(p) {
                    return false;
                }
                self.restart_step(s, p, out);
            }
        }
        false
    }

    /// The successors of `s` whose action is `actor`'s: those of [`System::successors`] by
    /// that thread (for [`Actor::Thread`]) or by that process's crash or restart (for
    /// [`Actor::Process`]), in the same order, without making the others. Replay asks for
    /// the one step a trace names; a state of a thousand threads has thousands of others.
    pub fn successors_of(&self, s: &State, actor: Actor, out: &mut Vec<(Step, State)>) {
        let start = out.len();
        if self.atomic_holder_moves(s, out) {
            let holder = (s.0[ATOMIC_SLOT] - 1) as ThreadId;
            if actor != Actor::Thread(holder) {
                out.truncate(start);
            }
            return;
        }
        match actor {
            Actor::Thread(t) if (t as usize) < self.thread_count() => self.thread_steps(s, t, out),
            Actor::Process(p) if p < self.layout.processes.len() => {
                self.crash_step(s, p, out);
                self.restart_step(s, p, out);
            }
            Actor::Death(t) if (t as usize) < self.thread_count() => self.death_step(s, t, out),
            _ => {}
        }
    }

    /// When a thread inside an atomic block can move, its steps are all the successors:
    /// appends them and returns true. (A blocked holder loses atomicity until it moves.)
    fn atomic_holder_moves(&self, s: &State, out: &mut Vec<(Step, State)>) -> bool {
        let start = out.len();
        if let Some(t) = self.atomic_holder(s) {
            self.thread_steps(s, t, out);
        }
        out.len() > start
    }

    /// The operations thread `t` can perform in `s`, each with every outcome the real system
    /// may choose between (a choice gives one step per alternative), appended to `out`; none
    /// when it is blocked, finished or dead.
    ///
    /// A timed wait on a mutex another thread holds has two futures: `TIMEOUT` now (a step
    /// here), or keep waiting — which is the thread simply not being scheduled yet, and
    /// taking the mutex (`OK` or `ABANDONED`) in a later state where it is free. Interleaving
    /// every thread's steps therefore covers both without a separate "keep waiting" step.
    pub fn thread_successors(&self, s: &State, t: ThreadId, out: &mut Vec<(Step, State)>) {
        self.thread_steps(s, t, out)
    }

    /// [`System::thread_successors`]. Inlined where it is called: most threads of most
    /// states are finished, dead or blocked, and that answer costs less than a call.
    #[inline(always)]
    fn thread_steps(&self, s: &State, t: ThreadId, out: &mut Vec<(Step, State)>) {
        if s.0[self.layout.status_slot(t)] != STATUS_RUNNING {
            return;
        }
        let pc = self.pc(s, t);
        if self.blocks_at(&s.0, t, pc) {
            return; // Blocked: no step, and no copy of the state made for nothing.
        }
        self.running_steps(s, t, pc, self.template(t), out)
    }

    /// The steps of thread `t`, running at `pc` and not blocked there (`tp` is its template).
    #[inline(never)]
    fn running_steps(&self, s: &State, t: ThreadId, pc: Pc, tp: &Template, out: &mut Vec<(Step, State)>) {
        let code = &tp.code;
        let op = &code[pc].op;
        let ctx = Ctx::Thread(t);
        let bases = &self.bases[t as usize];
        let compiled = &tp.compiled[pc];
        let action = Action::Run { thread: t, pc };
        let mut next = crate::state::spare_copy(&s.0);
        // The step's end, written out at each use (a closure here is not inlined, and every
        // step ends through it).
        macro_rules! advance {
            ($next:expr, $to:expr, $outcome:expr, $out:expr) => {
                self.advance(tp, t, pc, $next, $to, $outcome, $out)
            };
        }
        let fault = |f: Fault, out: &mut Vec<(Step, State)>| {
            out.push((Step { action, outcome: Outcome::Fault(Box::new(f)), abandoned: vec![] }, s.clone()));
        };
        let store_result = |next: &mut Box<[Value]>, result: &Option<crate::ir::Place>, value: Value| match result {
            Some(place) => self.store(next, ctx, place, value),
            None => Ok(()),
        };
        // A mutex array's element is chosen first, within the same step.
        let chosen;
        let op = match op {
            Op::OnElement { element, op } => match self.element_mutex(&s.0, ctx, element) {
                Ok(m) => {
                    chosen = op.on_mutex(m);
                    &chosen
                }
                Err(f) => return fault(f, out),
            },
            op => op,
        };
        if self.model.semantics == Semantics::Posix {
            if let Op::Wait { .. } | Op::Release { .. } | Op::Consistent { .. } = op {
                return match self.posix_step(&mut next, t, op) {
                    Ok((outcome, value, result)) => match store_result(&mut next, result, value) {
                        Ok(()) => advance!(&mut next, pc + 1, outcome, out),
                        Err(f) => fault(f, out),
                    },
                    Err(f) => fault(f, out),
                };
            }
        }
        match op {
            Op::Assign { place, value } => {
                let done = match compiled {
                    COp::Assign { place, value } => {
                        self.run(&next, ctx, bases, value).and_then(|v| self.put(&mut next, ctx, bases, place, v))
                    }
                    _ => self.eval(&next, ctx, value).and_then(|v| self.store(&mut next, ctx, place, v)),
                };
                match done {
                    Ok(()) => advance!(&mut next, pc + 1, Outcome::Done, out),
                    Err(f) => fault(f, out),
                }
            }
            Op::Wait { mutex, mode, result } => {
                let mut st = self.layout.mutex(&next, *mutex);
                let outcome = match st.acquire(t) {
                    Ok(o) => {
                        self.layout.set_mutex(&mut next, *mutex, st);
                        o
                    }
                    Err(Unavailable::RecursionLimit) => {
                        return fault(Fault::RecursionLimit { mutex: *mutex }, out);
                    }
                    Err(Unavailable::HeldByOther(_)) if *mode == WaitMode::Infinite => return,
                    Err(Unavailable::HeldByOther(_)) => WaitOutcome::Timeout,
                };
                let value = match outcome {
                    WaitOutcome::Ok => crate::ir::result::OK,
                    WaitOutcome::Abandoned => crate::ir::result::ABANDONED,
                    WaitOutcome::Timeout => crate::ir::result::TIMEOUT,
                };
                if let Some(place) = result {
                    if let Err(f) = self.store_result(&mut next, ctx, bases, compiled, place, value) {
                        return fault(f, out);
                    }
                }
                let count = self.layout.mutex(&next, *mutex).count;
                let count = if outcome == WaitOutcome::Timeout { 0 } else { count };
                advance!(&mut next, pc + 1, Outcome::Wait { outcome, count }, out);
            }
            Op::Release { mutex, result } => {
                let mut st = self.layout.mutex(&next, *mutex);
                let outcome = st.release(t);
                self.layout.set_mutex(&mut next, *mutex, st);
                if let Some(place) = result {
                    let value = match outcome {
                        crate::mutex::ReleaseOutcome::Ok => crate::ir::result::OK,
                        crate::mutex::ReleaseOutcome::NotOwner => crate::ir::result::NOT_OWNER,
                    };
                    if let Err(f) = self.store_result(&mut next, ctx, bases, compiled, place, value) {
                        return fault(f, out);
                    }
                }
                let checked = result.is_some();
                advance!(&mut next, pc + 1, Outcome::Release { outcome, checked }, out);
            }
            Op::Assert { cond } => match self.cond(&next, ctx, bases, compiled, cond) {
                Ok(0) => fault(Fault::AssertFailed, out),
                Ok(_) => advance!(&mut next, pc + 1, Outcome::Done, out),
                Err(f) => fault(f, out),
            },
            Op::Branch { cond, target } => match self.cond(&next, ctx, bases, compiled, cond) {
                Ok(v) => {
                    let taken = v != 0;
                    advance!(&mut next, if taken { pc + 1 } else { *target }, Outcome::Branch { taken }, out)
                }
                Err(f) => fault(f, out),
            },
            Op::Choose { targets } => {
                for (index, target) in targets.iter().enumerate() {
                    let mut branch = crate::state::spare_copy(&next);
                    advance!(&mut branch, *target, Outcome::Choice { index }, out);
                }
            }
            Op::Skip | Op::Progress => advance!(&mut next, pc + 1, Outcome::Done, out),
            Op::Exit => advance!(&mut next, code.len(), Outcome::Done, out),
            Op::Consistent { .. } => unreachable!("validated: consistent only in POSIX models"),
            Op::OnElement { .. } => unreachable!("the element is chosen above"),
            Op::Goto { .. } | Op::AtomicBegin | Op::AtomicEnd => {
                unreachable!("settle() never stops on a control marker")
            }
        }
    }

    /// The end of a step of thread `t` (of template `tp`) from `from`: it moves on to `to`
    /// (settled), holds or gives up the move as its atomic block says, finishes at the end
    /// of its code, and the step with its outcome and state `next` joins `out`.
    #[allow(clippy::too_many_arguments)]
    #[inline(always)]
    fn advance(
        &self,
        tp: &Template,
        t: ThreadId,
        from: Pc,
        next: &mut Box<[Value]>,
        to: Pc,
        outcome: Outcome,
        out: &mut Vec<(Step, State)>,
    ) {
        let mut abandoned = Vec::new();
        // `settle`, with the template at hand.
        let to = tp.settled.get(to).copied().unwrap_or(tp.settled.len() as u32 - 1) as Pc;
        next[self.layout.pc_slot(t)] = to as Value;
        // A thread holds atomicity from its first step inside a block until it leaves it,
        // so others may still move between its previous step and the block's first one.
        let block = tp.atomic_blocks.get(from).copied().unwrap_or(0);
        let stays = block != 0 && Some(&block) == tp.atomic_blocks.get(to);
        // Ending the thread below gives the move up.
        next[ATOMIC_SLOT] = if stays { t as Value + 1 } else { 0 };
        if to >= tp.code.len() {
            self.finish(next, t, &mut abandoned);
        }
        let action = Action::Run { thread: t, pc: from };
        out.push((Step { action, outcome, abandoned }, State(std::mem::take(next))));
    }

    /// Thread `t` ran off its end: it finishes, abandoning what it still owns.
    fn finish(&self, s: &mut [Value], t: ThreadId, abandoned: &mut Vec<Abandonment>) {
        s[self.layout.status_slot(t)] = STATUS_FINISHED;
        s[self.layout.pc_slot(t)] = self.code(t).len() as Value;
        if s[ATOMIC_SLOT] == t as Value + 1 {
            s[ATOMIC_SLOT] = 0;
        }
        self.abandon_all(s, t, false, abandoned);
    }
}

pub(crate) fn init_vars(s: &mut [Value], base: usize, vars: &[VarDecl]) {
    let mut at = base;
    for v in vars {
        for _ in 0..v.slots() {
            s[at] = v.init;
            at += 1;
        }
    }
}
