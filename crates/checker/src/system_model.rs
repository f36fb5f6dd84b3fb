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
use mutexcheck_core::{Outcome, State, Step, System};

use crate::checkable::Checkable;
use crate::checks::Checks;
use crate::properties::Violation;

/// The reductions a check runs with. Neither changes a verdict; partial-order reduction may
/// lengthen the run found (which is then shortened), symmetry never does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
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
pub struct Move {
    /// The steps before the last, each with the state it reached as the model holds it.
    pub through: Vec<(Step, State)>,
    /// The step that reaches the stored state.
    pub last: Step,
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
}

/// A validated mutexcheck [`System`] seen by the search, with its reductions.
pub struct SystemModel<'a> {
    system: &'a System,
    checks: Checks<'a>,
    packer: Packer,
    /// With symmetry reduction and interchangeable instances: which instances to sort.
    symmetry: Option<Symmetry>,
    partial_order: bool,
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
            partial_order: reductions.partial_order,
        }
    }

    /// The system being checked.
    pub fn system(&self) -> &'a System {
        self.system
    }

    /// The properties being checked.
    pub fn checks(&self) -> &Checks<'a> {
        &self.checks
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
        if let Some(sym) = &self.symmetry {
            self.system.canonicalize(sym, s);
        }
    }

    /// The steps to explore from `s`: one thread's when partial-order reduction allows, else all.
    fn steps_from(&self, s: &State, out: &mut Vec<(Step, State)>) {
        if !(self.partial_order && self.system.reduced_successors(s, out)) {
            self.system.successors(s, out);
        }
    }
}

impl Checkable for SystemModel<'_> {
    type State = State;
    type Step = Move;

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
        self.canonicalize(&mut s);
        s
    }

    fn successors(&self, state: &State, out: &mut Vec<(Move, State)>) {
        let mut first = Vec::new();
        self.steps_from(state, &mut first);
        if !self.partial_order {
            for (last, mut next) in first {
                self.canonicalize(&mut next);
                out.push((Move { through: Vec::new(), last }, next));
            }
            return;
        }
        // Through transient states depth first, alternatives in order, so that moves come out
        // in a fixed order. A chain is finite: see the cycle proviso in `mutexcheck_core::por`.
        let mut pending: Vec<(Vec<(Step, State)>, Step, State)> =
            first.into_iter().rev().map(|(step, next)| (Vec::new(), step, next)).collect();
        let mut more = Vec::new();
        while let Some((mut through, last, mut next)) = pending.pop() {
            more.clear();
            // A faulting step is where its run ends.
            let faults = matches!(last.outcome, Outcome::Fault(_));
            if !faults && self.system.reduced_successors(&next, &mut more) {
                through.push((last, next));
                for (i, (step, after)) in more.drain(..).enumerate().rev() {
                    let path = if i == 0 { std::mem::take(&mut through) } else { through.clone() };
                    pending.push((path, step, after));
                }
            } else {
                self.canonicalize(&mut next);
                out.push((Move { through, last }, next));
            }
        }
    }

    /// Every step of the move in turn, and the state properties of each transient state it
    /// passes (deadlock and end of run cannot hold there: a thread can still move).
    fn step_violation(&self, before: &State, mv: &Move, after: &State) -> Option<Violation> {
        let mut prev = before;
        for (step, state) in &mv.through {
            if let Some(v) = self.checks.step_violation(prev, step, state).or_else(|| self.checks.state_violation(state)) {
                return Some(v);
            }
            prev = state;
        }
        self.checks.step_violation(prev, &mv.last, after)
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
