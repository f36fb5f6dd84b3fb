//! mutexcheck's transition system as a [`Checkable`]: the graph the search stores.
//!
//! The search does not walk the model's raw transition system ([`System::successors`]) but a
//! quotient of it that has the same violations:
//! - every state is stored with its dead data at fixed values ([`System::canonicalize_dead`]:
//!   always on, since it never changes a result, not even a counterexample's length);
//! - with symmetry reduction, as the one member of its class under swaps of interchangeable
//!   process instances ([`System::canonicalize`]);
//! - with partial-order reduction, a transition is a [`Move`]: a step from a stored state,
//!   followed at once by the steps of the *transient* states it leads through (states where
//!   one thread's invisible step, or one thread's non-blocking atomic block, stands for every
//!   successor: [`System::reduced_successors`]), which are checked but never stored.
//!
//! The states a search holds are therefore representatives, not always states the model
//! reaches with these exact values; [`crate::story`] turns a run through them back into a
//! real run of the model.

use mutexcheck_core::pack::Packer;
use mutexcheck_core::symmetry::Symmetry;
use mutexcheck_core::{Action, Actor, Outcome, State, Step, System};

use crate::allowed::AllowedEvent;
use crate::checkable::Checkable;
use crate::checks::Checks;
use crate::coverage::CoverageMap;
use crate::guard::Interrupt;
use crate::properties::Violation;

mod spares;

use spares::Spares;

/// The reductions a check runs with. Neither changes a verdict; partial-order reduction may
/// lengthen the run found (which is then shortened), symmetry never does.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Reductions {
    /// Partial-order reduction: invisible steps explored alone, and transient states followed
    /// without being stored (see [`mutexcheck_core::por`]).
    pub partial_order: bool,
    /// Symmetry reduction: one stored state per class of states that differ only by a swap of
    /// interchangeable process instances (see [`mutexcheck_core::symmetry`]).
    pub symmetry: bool,
}

impl Reductions {
    /// Both reductions: the default of `mutexcheck check`.
    pub const ALL: Reductions = Reductions { partial_order: true, symmetry: true };
    /// No reduction: the search stores every state the model reaches (up to dead data), and
    /// breadth-first search finds a shortest counterexample.
    pub const NONE: Reductions = Reductions { partial_order: false, symmetry: false };

    /// The names of the reductions that are on, as traces record them: `partial_order`,
    /// `symmetry`.
    pub fn names(&self) -> Vec<&'static str> {
        [(self.partial_order, "partial_order"), (self.symmetry, "symmetry")]
            .into_iter()
            .filter_map(|(on, name)| on.then_some(name))
            .collect()
    }
}

impl Default for Reductions {
    fn default() -> Self {
        Reductions::ALL
    }
}

/// One transition of the search graph: a step of the model, preceded (under partial-order
/// reduction) by the steps taken through transient states since the last stored state.
#[derive(Clone, Debug, PartialEq, Eq)]
// `repr(C)` here and in `Partial`, the same fields in the same order: a move built as a
// `Partial` becomes a `Move` by one plain copy (a field-by-field shuffle otherwise: 1 M
// instructions on repair 5 3 1).
#[repr(C)]
pub struct Move {
    /// The steps before the last, in order.
    pub through: Vec<Step>,
    /// The step that reaches the stored state.
    pub last: Step,
    /// The first violation the move commits: a step's, or a state property's in a transient
    /// state it passes (checked as the move is built, while those states are at hand). A
    /// move ends at its first violation.
    pub violation: Option<Box<Violation>>,
    /// The allowed events of the move's steps, in order (see [`crate::allowed`]).
    pub allowed: Vec<AllowedEvent>,
}

impl Move {
    /// How many steps of the model the move takes.
    pub fn len(&self) -> usize {
        self.through.len() + 1
    }

    /// Never: a move takes at least one step.
    pub fn is_empty(&self) -> bool {
        false
    }

    /// The move's steps, in order.
    pub fn steps(&self) -> impl Iterator<Item = &Step> {
        self.through.iter().chain([&self.last])
    }
}

/// A validated mutexcheck [`System`] seen by the search, with its reductions.
pub struct SystemModel<'a> {
    system: &'a System,
    checks: Checks<'a>,
    packer: Packer,
    /// With symmetry reduction and interchangeable instances: which instances to sort.
    symmetry: Option<Symmetry>,
    /// Symmetry reduction was asked for (it may still have nothing to swap).
    symmetry_asked: bool,
    /// With symmetry: the process instance kept in place (see [`SystemModel::with_pinned`]).
    pinned: Option<usize>,
    partial_order: bool,
    /// When set, a time or memory bound passed: successors stop early (the search, asking
    /// the same guard, then stops too).
    interrupt: Option<Interrupt>,
    /// The statements the moves built so far ran (see [`crate::coverage`]).
    coverage: CoverageMap,
}

impl<'a> SystemModel<'a> {
    /// Wraps a system for checking with `reductions`. Symmetry reduction is left off when no
    /// template has interchangeable instances (it could not change anything).
    pub fn new(system: &'a System, reductions: Reductions) -> SystemModel<'a> {
        let symmetry = reductions.symmetry.then(|| system.symmetry()).filter(|s| !s.is_empty());
        SystemModel {
            system,
            checks: Checks::new(system),
            packer: system.packer(),
            symmetry,
            symmetry_asked: reductions.symmetry,
            pinned: None,
            partial_order: reductions.partial_order,
            interrupt: None,
            coverage: CoverageMap::new(system),
        }
    }

    /// The model under symmetry with process instance `pinned` kept in place: states are
    /// sorted only by the renamings that do not move it (see
    /// [`mutexcheck_core::System::canonicalize_swap`]). Liveness searches a thread's
    /// starvation so, since a class under every renaming merges it with the other instances.
    /// (The safety story's [`SystemModel::real_actors`] assumes no pin: liveness lifts its
    /// lassos with the renamings themselves.)
    pub fn with_pinned(mut self, pinned: usize) -> SystemModel<'a> {
        self.pinned = Some(pinned);
        self
    }

    /// The symmetry the model reduces by, if any, and the instance it keeps in place.
    pub fn symmetry(&self) -> Option<(&Symmetry, Option<usize>)> {
        self.symmetry.as_ref().map(|sym| (sym, self.pinned))
    }

    /// The model, stopping its successor function early once `interrupt` reports a bound:
    /// one state of a thousand threads can take long to expand.
    pub fn with_interrupt(mut self, interrupt: Interrupt) -> SystemModel<'a> {
        self.interrupt = Some(interrupt);
        self
    }

    /// True when a time or memory bound passed (see [`SystemModel::with_interrupt`]).
    pub(crate) fn interrupted(&self) -> bool {
        self.interrupt_limit().is_some()
    }

    /// The time or memory bound that passed, if any: the model's successors may since be
    /// partial.
    pub fn interrupt_limit(&self) -> Option<crate::Limit> {
        self.interrupt.as_ref().and_then(|i| i.exceeded())
    }

    /// The system being checked.
    pub fn system(&self) -> &'a System {
        self.system
    }

    /// The statements the moves built so far ran: after a complete search, every statement
    /// some run of the model executes (see [`crate::coverage`]).
    pub fn coverage(&self) -> &CoverageMap {
        &self.coverage
    }

    /// The properties being checked.
    pub fn checks(&self) -> &Checks<'a> {
        &self.checks
    }

    /// Why symmetry reduction, asked for, leaves templates out because they index a mutex
    /// array by `self` (see [`crate::Stats::symmetry_off`]).
    pub fn symmetry_off(&self) -> Option<String> {
        let reasons = self.symmetry_asked.then(|| self.system.symmetry().mutex_array_reasons().join("; "))?;
        (!reasons.is_empty()).then_some(reasons)
    }

    /// The reductions in effect (symmetry only where instances can be swapped).
    pub fn reductions(&self) -> Reductions {
        Reductions { partial_order: self.partial_order, symmetry: self.symmetry.is_some() }
    }

    /// Rewrites `s` into the state the search stores for it: dead data at fixed values and,
    /// with symmetry reduction, interchangeable instances in sorted order. Two states get
    /// the same result exactly when the search treats them as one.
    pub fn canonicalize(&self, s: &mut State) {
        self.system.canonicalize_dead(s);
        self.canonicalize_symmetric(s);
    }

    /// For a real state `s` (one the model reaches, whose canonical form the search
    /// stored): who in `s` plays each actor of that canonical form. Without symmetry,
    /// everyone plays themselves.
    pub fn real_actors(&self, s: &State) -> impl Fn(Actor) -> Actor + '_ {
        let mut dead = s.clone();
        self.system.canonicalize_dead(&mut dead);
        move |actor| match &self.symmetry {
            Some(sym) => self.system.canonical_actor(sym, &dead, actor),
            None => actor,
        }
    }

    /// [`SystemModel::canonicalize`] for the state `mv` reached from a stored (canonical) state.
    fn canonicalize_after(&self, mv: &Partial, s: &mut State) {
        self.system.canonicalize_dead_after_move(s, &mv.through, &mv.last);
        self.canonicalize_symmetric(s);
    }

    /// The symmetric part of [`SystemModel::canonicalize`]: instances sorted (but the pinned one).
    fn canonicalize_symmetric(&self, s: &mut State) {
        match (&self.symmetry, self.pinned) {
            (Some(sym), None) => self.system.canonicalize(sym, s),
            (Some(sym), Some(p)) => {
                self.system.canonicalize_swap(sym, Some(p), s);
            }
            (None, _) => {}
        }
    }

    /// Continues `mv`, which reached `next`, through transient states (depth first,
    /// alternatives in order, so that moves come out in a fixed order), into `out`. A chain
    /// is finite: see the cycle proviso in `mutexcheck_core::por`. Each step and each
    /// transient state is checked on the way; a move ends at its first violation.
    ///
    /// `quick` says that the move left a state that is not transient and where no thread
    /// holds an atomic block: then only the threads the move ran can stand at a step to run
    /// alone, and only they are looked at.
    fn follow(&self, mv: Partial, next: State, quick: bool, scratch: &mut Scratch, out: &mut Vec<(Move, State)>) {
        // The move itself first, without a round trip through `pending`: most moves reach a
        // state that is not transient and end there.
        if !self.follow_step(mv, next, quick, scratch, out) {
            return;
        }
        while let Some((mv, next)) = scratch.pending.pop() {
            if !self.follow_step(mv, next, quick, scratch, out) {
                return;
            }
        }
    }

    /// One state of [`SystemModel::follow`]: `mv`, which reached `next`, ends there (into
    /// `out`) or goes on through it (its continuations onto `scratch.pending`, the first on
    /// top). False when a bound passed: `pending` is then dropped.
    #[inline]
    fn follow_step(
        &self,
        mut mv: Partial,
        next: State,
        quick: bool,
        scratch: &mut Scratch,
        out: &mut Vec<(Move, State)>,
    ) -> bool {
        let Scratch { more, pending, events, recheck, spares, .. } = scratch;
        if self.interrupted() {
            pending.clear();
            return false;
        }
        // A faulting step is where its run ends, and so is any violation.
        let ends = mv.violation.is_some() || matches!(mv.last.outcome, Outcome::Fault(_));
        more.clear();
        let transient = !ends
            && if quick {
                self.reduced_among_movers(&mv, &next, more)
            } else {
                self.system.reduced_successors(&next, more)
            };
        debug_assert_eq!(
            transient,
            !ends && {
                // In a buffer of its own, emptied: the check allocates no more than the search.
                let again = self.system.reduced_successors(&next, recheck);
                recheck.clear();
                again
            }
        );
        if !transient {
            self.finish(mv, next, out);
            return true;
        }
        if let Some(v) = self.checks.state_violation(&next) {
            mv.violation = Some(Box::new(v));
            self.finish(mv, next, out);
            return true;
        }
        // The move's lists go on into its continuations (the last one takes them, the others
        // copies in lists of dropped moves): no allocation once the thread has spares.
        let Partial { mut through, last, mut allowed, .. } = mv;
        spares.room_for_through(&mut through);
        through.push(last);
        let (start, count) = (pending.len(), more.len());
        for (i, (step, after)) in more.drain(..).enumerate() {
            let violation = self.checks.step_violation(&next, &step, &after).map(Box::new);
            let (through, allowed) = if i + 1 == count {
                (std::mem::take(&mut through), std::mem::take(&mut allowed))
            } else {
                (spares.copy_through(&through), spares.copy_allowed(&allowed))
            };
            let allowed = self.allowed_after(allowed, &next, &step, &after, events, spares);
            pending.push((Partial { through, last: step, violation, allowed }, after));
        }
        // Popped in order: the first alternative first.
        pending[start..].reverse();
        spares.put_back(through, allowed);
        true
    }

    /// `before`, the allowed events of a move so far, followed by those of its step
    /// `from --step--> to` (see [`Checks::allowed_events`]): a list with room only when there
    /// are any. `events` is an empty buffer, left empty.
    #[inline(always)]
    fn allowed_after(
        &self,
        mut before: Vec<AllowedEvent>,
        from: &State,
        step: &Step,
        to: &State,
        events: &mut Vec<AllowedEvent>,
        spares: &mut Spares,
    ) -> Vec<AllowedEvent> {
        self.checks.allowed_events(from, step, to, events);
        if !events.is_empty() {
            if before.capacity() == 0 {
                before = spares.allowed();
            }
            before.append(events);
        }
        before
    }

    /// [`System::reduced_successors`] of the state `mv` reached from a state that was not
    /// transient and had no atomic holder: among the threads the move ran, or the threads of
    /// the process it restarted. A crash (or a thread's death) makes no thread runnable alone, except that the
    /// crash that uses up the budget lets a thread of a `restart` process end quietly (no
    /// crash can give it a second life any more): then those threads are looked at.
    fn reduced_among_movers(&self, mv: &Partial, next: &State, out: &mut Vec<(Step, State)>) -> bool {
        let layout = self.system.layout();
        match mv.through.first().unwrap_or(&mv.last).action {
            // A move from such a state runs one thread throughout: its first step's.
            Action::Run { thread, .. } => self.system.reduced_successors_among(next, [thread], out),
            Action::Restart { process } => {
                self.system.reduced_successors_among(next, layout.processes[process].threads.clone(), out)
            }
            // A death, as a crash, changes no thread's next instruction and uses the budget.
            Action::Crash { .. } | Action::Die { .. } => {
                let sys = self.system;
                if sys.crashes_used(next) < sys.model().crashes {
                    return false;
                }
                let restartable = layout
                    .processes
                    .iter()
                    .filter(|p| sys.model().processes[p.decl].restart)
                    .flat_map(|p| p.threads.clone());
                sys.reduced_successors_among(next, restartable, out)
            }
        }
    }

    /// Ends a move at `next` (the state its last step reached): canonical, into `out`.
    fn finish(&self, mv: Partial, mut next: State, out: &mut Vec<(Move, State)>) {
        // Every move ends here: its steps, through transient states too, count as run. Most
        // moves are one step: that case without the chained iterator.
        if mv.through.is_empty() {
            self.coverage.record(&mv.last);
            self.system.canonicalize_dead_after_move(&mut next, &[], &mv.last);
            self.canonicalize_symmetric(&mut next);
        } else {
            for step in mv.through.iter().chain([&mv.last]) {
                self.coverage.record(step);
            }
            self.canonicalize_after(&mv, &mut next);
        }
        let Partial { through, last, violation, allowed } = mv;
        out.push((Move { through, last, violation, allowed }, next));
    }
}

/// A [`Move`] being built: the same parts, in a type without [`Move`]'s drop (which keeps its
/// lists for the next moves), so that its parts can be moved on as it grows. Laid out as
/// [`Move`] is.
#[repr(C)]
struct Partial {
    through: Vec<Step>,
    last: Step,
    violation: Option<Box<Violation>>,
    allowed: Vec<AllowedEvent>,
}

/// Reused buffers of [`SystemModel::successors`], one set per thread of the search.
struct Scratch {
    first: Vec<(Step, State)>,
    more: Vec<(Step, State)>,
    pending: Vec<(Partial, State)>,
    /// The allowed events of one step, before they go into its move's list.
    events: Vec<AllowedEvent>,
    /// The debug build's second look at whether a state is transient.
    recheck: Vec<(Step, State)>,
    /// The lists of dropped moves.
    spares: Spares,
}

impl Scratch {
    const fn new() -> Scratch {
        Scratch {
            first: Vec::new(),
            more: Vec::new(),
            pending: Vec::new(),
            events: Vec::new(),
            recheck: Vec::new(),
            spares: Spares::new(),
        }
    }
}

thread_local! {
    static SCRATCH: std::cell::RefCell<Scratch> = const { std::cell::RefCell::new(Scratch::new()) };
}

#[cfg(test)]
thread_local! {
    /// How many states [`SystemModel::successors`] expanded on this thread: how tests tell
    /// how many times a search explored a model.
    pub(crate) static EXPANSIONS: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

impl Checkable for SystemModel<'_> {
    type State = State;
    type Step = Move;

    fn packed_words(&self) -> usize {
        self.packer.words()
    }

    #[inline(always)]
    fn pack(&self, state: &State, out: &mut [u64]) {
        self.packer.pack(state, out)
    }

    fn unpack(&self, packed: &[u64]) -> State {
        self.packer.unpack(packed)
    }

    #[inline(always)]
    fn unpack_into(&self, packed: &[u64], state: &mut State) {
        self.packer.unpack_into(packed, state)
    }

    fn initial_state(&self) -> State {
        let mut s = self.system.initial_state();
        self.canonicalize(&mut s);
        s
    }

    fn successors(&self, state: &State, out: &mut Vec<(Move, State)>) {
        #[cfg(test)]
        EXPANSIONS.with(|n| n.set(n.get() + 1));
        // All of a state's successors are held at once: with thousands of threads of large
        // states that alone can be gigabytes, so the memory bound must have room first.
        if let Some(interrupt) = &self.interrupt {
            let layout = self.system.layout();
            // A step per thread and a crash per process, as most states have.
            let at_most = layout.threads.len() + layout.processes.len();
            if interrupt.room_for(at_most * state.slots().len() * std::mem::size_of::<i32>()).is_err() {
                return;
            }
        }
        SCRATCH.with(|scratch| {
            let mut scratch = scratch.borrow_mut();
            let mut first = std::mem::take(&mut scratch.first);
            first.clear();
            let stop = || self.interrupted();
            let transient = if self.partial_order {
                self.system.reduced_or_all_successors_until(state, &mut first, &stop)
            } else {
                self.system.successors_until(state, &mut first, &stop);
                false
            };
            let quick = !transient && self.system.atomic_holder(state).is_none();
            for (last, next) in first.drain(..) {
                if self.interrupted() {
                    break;
                }
                let violation = self.checks.step_violation(state, &last, &next).map(Box::new);
                let Scratch { events, spares, .. } = &mut *scratch;
                let allowed = self.allowed_after(Vec::new(), state, &last, &next, events, spares);
                let mv = Partial { through: Vec::new(), last, violation, allowed };
                if self.partial_order {
                    self.follow(mv, next, quick, &mut scratch, out);
                } else {
                    self.finish(mv, next, out);
                }
            }
            scratch.first = first;
        })
    }

    fn allowed_events<'s>(&self, mv: &'s Move) -> &'s [AllowedEvent] {
        &mv.allowed
    }

    /// The move's violation, found while it was built.
    fn step_violation(&self, _before: &State, mv: &Move, _after: &State) -> Option<Violation> {
        mv.violation.as_deref().cloned()
    }

    fn state_violation(&self, state: &State) -> Option<Violation> {
        self.checks.state_violation(state)
    }

    fn deadlock(&self, state: &State) -> Option<Violation> {
        self.checks.deadlock(state)
    }

    fn final_violation(&self, state: &State) -> Option<Violation> {
        self.checks.final_violation(state)
    }
}
