//! The quotient graph liveness under symmetry searches: one state per class of states that
//! differ by a renaming of interchangeable instances (all renamings, or with one instance
//! pinned only those that leave it in place), recorded whole by [`crate::state_graph`].
//!
//! A quotient state is a real reachable state (the reachable states are closed under
//! renamings, since the initial state is symmetric and a renaming maps steps to steps), its
//! dead data canonical. Its edges are its own steps ([`System::successors`], in that order,
//! so an edge's position in its row is the step's ordinal), each labelled with what the step
//! did *in the coordinates of that state* ([`EdgeFacts`]), and each leading to the canonical
//! form of the state the step reached. Which thread a label names is therefore only known up
//! to the renaming that canonicalized the source state: see `symmetric.rs` for what that
//! lets a component of the quotient prove.

use mutexcheck_core::symmetry::Symmetry;
use mutexcheck_core::{Outcome, State, Step, System};

use crate::checkable::Checkable;
use crate::guard::Guard;
use crate::limits::Limits;
use crate::properties::Violation;
use crate::state_graph::{record, Recorded, Recorder};

use super::{facts, EdgeFacts};

/// What a quotient edge records: the step's facts, and whether it faulted (a fault ends a
/// run, so no cycle passes it; it is a safety violation, reported before liveness runs).
#[derive(Clone, Copy, Debug)]
pub(super) struct Label {
    pub facts: EdgeFacts,
    pub fault: bool,
}

/// The model whose graph is the quotient: [`System`]'s steps, targets canonicalized (dead
/// data, then symmetry with `pinned` kept in place).
pub(super) struct Quotient<'a> {
    pub system: &'a System,
    pub sym: &'a Symmetry,
    pub pinned: Option<usize>,
    guard: &'a Guard,
    packer: mutexcheck_core::pack::Packer,
}

impl<'a> Quotient<'a> {
    pub fn new(system: &'a System, sym: &'a Symmetry, pinned: Option<usize>, guard: &'a Guard) -> Quotient<'a> {
        Quotient { system, sym, pinned, guard, packer: system.packer() }
    }

    /// The state the quotient stores for `s` (a state with canonical dead data).
    pub fn canonical(&self, s: &mut State) {
        self.system.canonicalize_swap(self.sym, self.pinned, s);
    }
}

impl Checkable for Quotient<'_> {
    type State = State;
    type Step = Step;

    fn packed_words(&self) -> usize {
        self.packer.words()
    }

    fn pack(&self, state: &State, out: &mut [u64]) {
        self.packer.pack(state, out)
    }

    fn unpack(&self, packed: &[u64]) -> State {
        self.packer.unpack(packed)
    }

    fn unpack_into(&self, packed: &[u64], state: &mut State) {
        self.packer.unpack_into(packed, state)
    }

    fn initial_state(&self) -> State {
        let mut s = self.system.initial_state();
        self.system.canonicalize_dead(&mut s);
        self.canonical(&mut s);
        s
    }

    fn successors(&self, state: &State, out: &mut Vec<(Step, State)>) {
        let from = out.len();
        self.system.successors_until(state, out, &|| self.guard.exceeded().is_some());
        for (step, target) in &mut out[from..] {
            self.system.canonicalize_dead_after(target, [&*step]);
            self.canonical(target);
        }
    }

    fn step_violation(&self, _: &State, _: &Step, _: &State) -> Option<Violation> {
        None
    }

    fn state_violation(&self, _: &State) -> Option<Violation> {
        None
    }

    fn deadlock(&self, _: &State) -> Option<Violation> {
        None
    }

    fn final_violation(&self, _: &State) -> Option<Violation> {
        None
    }
}

/// Labels edges with their [`Label`] and marks each state with itself, packed: the lift
/// and starvation's "blocked on" read the quotient states back.
pub(super) struct Labeller<'a> {
    pub system: &'a System,
    packer: mutexcheck_core::pack::Packer,
}

impl Recorder<Quotient<'_>> for Labeller<'_> {
    type Label = Label;

    fn label(&self, before: &State, ordinal: u32, step: &Step, _after: &State) -> Label {
        let fault = matches!(step.outcome, Outcome::Fault(_));
        Label { facts: facts(self.system, before, ordinal as usize, step), fault }
    }

    fn mark_words(&self) -> usize {
        self.packer.words()
    }

    fn mark(&self, state: &State, out: &mut [u64]) {
        self.packer.pack(state, out)
    }
}

/// Records the whole quotient graph of `system` under `sym` (with `pinned` kept in place),
/// within `limits`.
pub(super) fn build(
    system: &System,
    sym: &Symmetry,
    pinned: Option<usize>,
    limits: &Limits,
    guard: &Guard,
) -> Recorded<Label> {
    let quotient = Quotient::new(system, sym, pinned, guard);
    record(&quotient, &Labeller { system, packer: system.packer() }, limits, 1, guard)
}
