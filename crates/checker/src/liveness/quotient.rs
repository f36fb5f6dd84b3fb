//! The quotient graph liveness under symmetry searches: one state per class of states that
//! differ by a renaming of interchangeable instances (all renamings, or with one instance
//! pinned only those that leave it in place), recorded whole by [`crate::state_graph`].
//!
//! A quotient state is a real reachable state (the reachable states are closed under
//! renamings, since the initial state is symmetric and a renaming maps steps to steps), its
//! dead data canonical. Its edges are its own steps ([`System::successors`], in that order,
//! so an edge's position in its row is the step's ordinal), each labelled with what the step
//! did *in the coordinates of that state* ([`StepFacts`]), and each leading to the canonical
//! form of the state the step reached. Which thread a label names is therefore only known up
//! to the renaming that canonicalized the source state: see `symmetric.rs` for what that
//! lets a component of the quotient prove.

use std::collections::HashMap;
use std::sync::Mutex;

use mutexcheck_core::symmetry::Symmetry;
use mutexcheck_core::{State, Step, System, ThreadId};

use crate::allowed::AllowedTally;
use crate::checkable::Checkable;
use crate::checks::Checks;
use crate::guard::Guard;
use crate::limits::{Limit, Limits};
use crate::properties::Violation;
use crate::state_graph::{record, Recorded, RecordedGraph, Recorder};
use crate::stats::Stats;

use super::facts::{step_facts, StepFacts};

/// The model whose graph is the quotient: [`System`]'s steps, targets canonicalized (dead
/// data, then symmetry with `pinned` kept in place).
pub(super) struct Quotient<'a> {
    pub system: &'a System,
    pub sym: &'a Symmetry,
    pub pinned: Option<usize>,
    guard: &'a Guard,
    packer: mutexcheck_core::pack::Packer,
    checks: Checks<'a>,
    /// The allowed events of the transitions expanded (see [`crate::allowed`]).
    allowed: Mutex<AllowedTally>,
}

impl<'a> Quotient<'a> {
    pub fn new(system: &'a System, sym: &'a Symmetry, pinned: Option<usize>, guard: &'a Guard) -> Quotient<'a> {
        Quotient {
            system,
            sym,
            pinned,
            guard,
            packer: system.packer(),
            checks: Checks::new(system),
            allowed: Mutex::default(),
        }
    }

    /// The state the quotient stores for `s` (a state with canonical dead data).
    pub fn canonical(&self, s: &mut State) {
        self.system.canonicalize_swap(self.sym, self.pinned, s);
    }

    /// The allowed events counted so far.
    pub fn allowed(&self) -> AllowedTally {
        self.allowed.lock().unwrap_or_else(|e| e.into_inner()).clone()
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
        let mut events = Vec::new();
        for (step, target) in &mut out[from..] {
            events.clear();
            self.checks.allowed_events(state, step, target, &mut events);
            if !events.is_empty() {
                self.allowed.lock().unwrap_or_else(|e| e.into_inner()).add_transition(&events);
            }
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

/// The recorded quotient graph: labels index `facts`, the table of the distinct
/// [`StepFacts`] of its edges; marks are the states themselves, packed.
pub(super) struct QuotientGraph {
    pub graph: RecordedGraph<u32>,
    pub facts: Vec<StepFacts>,
}

impl QuotientGraph {
    /// The out-edges of `state` as (ordinal, target, facts), in successor order.
    pub fn edges(&self, state: u32) -> impl Iterator<Item = (u32, u32, &StepFacts)> + '_ {
        self.graph.edges(state).map(|(o, t, &l)| (o, t, &self.facts[l as usize]))
    }
}

/// A [`StepFacts`] as a key of the table of distinct facts.
type FactsKey = (Option<ThreadId>, bool, Option<usize>, Option<usize>, bool);

fn key(f: &StepFacts) -> FactsKey {
    (f.thread, f.progress, f.acquired, f.missed, f.fault)
}

/// Labels edges with the index of their [`StepFacts`] in a table of distinct ones and marks
/// each state with itself, packed: the lift, fairness ("unable to move") and starvation
/// ("blocked on") read the quotient states back.
struct Labeller<'a> {
    system: &'a System,
    packer: mutexcheck_core::pack::Packer,
    table: Mutex<(HashMap<FactsKey, u32>, Vec<StepFacts>)>,
}

impl Recorder<Quotient<'_>> for Labeller<'_> {
    type Label = u32;

    fn label(&self, before: &State, _ordinal: u32, step: &Step, _after: &State) -> u32 {
        let f = step_facts(self.system, before, step);
        let mut table = self.table.lock().unwrap_or_else(|e| e.into_inner());
        let (index, facts) = &mut *table;
        *index.entry(key(&f)).or_insert_with(|| {
            facts.push(f);
            facts.len() as u32 - 1
        })
    }

    fn mark_words(&self) -> usize {
        self.packer.words()
    }

    fn mark(&self, state: &State, out: &mut [u64]) {
        self.packer.pack(state, out)
    }
}

/// Records the whole quotient graph of `quotient` within `limits`: the graph (whole unless
/// a bound stopped it, as [`Recorded::stopped`] says) and its counts.
pub(super) fn build(quotient: &Quotient<'_>, limits: &Limits, guard: &Guard) -> (QuotientGraph, Stats, Option<Limit>) {
    let system = quotient.system;
    let labeller = Labeller { system, packer: system.packer(), table: Mutex::default() };
    let Recorded { graph, stats, stopped } = record(quotient, &labeller, limits, 1, guard);
    let (_, facts) = labeller.table.into_inner().unwrap_or_else(|e| e.into_inner());
    (QuotientGraph { graph, facts }, stats, stopped)
}
