use std::cell::{Cell, RefCell};
use std::ops::ControlFlow;
use std::time::Duration;

use mutexcheck_core::allow::AllowKind;

use super::*;
use crate::properties::ViolationKind;

/// The allowed event of every `b` step.
static LEAK: [AllowedEvent; 1] =
    [AllowedEvent { kind: AllowKind::LeakedOwnership, mutex: 0, thread: 0, pc: 0, count: 1 }];

/// Numbers mod `n`: from `i`, step `a` to `i + 1`, `b` to `2 i` (an allowed event), `c` to
/// `i + 5`, but nowhere from `n - 1` (a dead end). Step `b` from 1 breaks a step property;
/// reaching `bad` breaks a state property. Counts its unpacks and state checks, to pin what the expansion and admission reuse and skip.
struct Branching {
    n: u64,
    bad: u64,
    unpacks: Cell<u32>,
    unpacks_into: Cell<u32>,
    checked: RefCell<Vec<u64>>,
}

fn branching(n: u64, bad: u64) -> Branching {
    Branching { n, bad, unpacks: Cell::new(0), unpacks_into: Cell::new(0), checked: RefCell::default() }
}

impl Checkable for Branching {
    type State = u64;
    type Step = &'static str;
    fn packed_words(&self) -> usize {
        1
    }
    fn pack(&self, state: &u64, out: &mut [u64]) {
        out[0] = *state;
    }
    fn unpack(&self, packed: &[u64]) -> u64 {
        self.unpacks.set(self.unpacks.get() + 1);
        packed[0]
    }
    fn unpack_into(&self, packed: &[u64], state: &mut u64) {
        self.unpacks_into.set(self.unpacks_into.get() + 1);
        *state = packed[0];
    }
    fn initial_state(&self) -> u64 {
        0
    }
    fn successors(&self, s: &u64, out: &mut Vec<(&'static str, u64)>) {
        if *s == self.n - 1 {
            return;
        }
        out.push(("a", (s + 1) % self.n));
        out.push(("b", (s * 2) % self.n));
        out.push(("c", (s + 5) % self.n));
    }
    fn step_violation(&self, before: &u64, step: &&'static str, _: &u64) -> Option<Violation> {
        (*before == 1 && *step == "b").then(|| Violation::new(ViolationKind::Assert, "b from 1"))
    }
    fn allowed_events<'s>(&self, step: &'s &'static str) -> &'s [AllowedEvent] {
        if *step == "b" {
            &LEAK
        } else {
            &[]
        }
    }
    fn state_violation(&self, s: &u64) -> Option<Violation> {
        self.checked.borrow_mut().push(*s);
        (*s == self.bad).then(|| Violation::new(ViolationKind::Invariant, format!("reached {s}")))
    }
    fn deadlock(&self, _: &u64) -> Option<Violation> {
        None
    }
    fn final_violation(&self, _: &u64) -> Option<Violation> {
        None
    }
}

/// Everything handed over, in order.
#[derive(Default)]
struct Seen {
    listed: Vec<(u64, usize)>,
    allowed: Vec<(u32, Vec<AllowedEvent>)>,
    targets: Vec<(u32, Vec<u64>, u64)>,
    /// The transition whose target stops the expansion, if any.
    stop_at: Option<u32>,
}

impl Transitions<Branching> for Seen {
    fn listed(&mut self, state: &u64, successors: &[(&'static str, u64)]) {
        self.listed.push((*state, successors.len()));
    }
    fn allowed(&mut self, ord: u32, events: &[AllowedEvent]) {
        self.allowed.push((ord, events.to_vec()));
    }
    fn target(&mut self, ord: u32, state: &u64, packed: &[u64], hash: u64) -> ControlFlow<()> {
        assert_eq!([*state], packed, "the target handed over unpacked is the one packed");
        self.targets.push((ord, packed.to_vec(), hash));
        if self.stop_at == Some(ord) {
            ControlFlow::Break(())
        } else {
            ControlFlow::Continue(())
        }
    }
}

/// Bounds that say `exceeded` from its `after`-th question on, and refuse any room while
/// `full`, noting the bytes asked for.
#[derive(Default)]
struct Fake {
    asked: Cell<u32>,
    after: Option<u32>,
    full: bool,
    room_asked: RefCell<Vec<usize>>,
}

impl Bounds for Fake {
    fn exceeded(&self) -> Option<Limit> {
        let n = self.asked.get();
        self.asked.set(n + 1);
        self.after.filter(|&a| n >= a).map(|_| Limit::TimeLimit(Duration::from_secs(3)))
    }
    fn room_for(&self, bytes: usize) -> Result<(), Limit> {
        self.room_asked.borrow_mut().push(bytes);
        if self.full {
            Err(Limit::MaxMemory(1))
        } else {
            Ok(())
        }
    }
}

fn target(ord: u32, v: u64) -> (u32, Vec<u64>, u64) {
    (ord, vec![v], hash_words(&[v]))
}

#[test]
fn expanding_a_state_hands_over_each_target_packed_and_hashed_with_its_successor_number() {
    let model = branching(16, 99);
    let mut seen = Seen::default();
    let outcome = Expander::new(&model).expand(&[3], &Fake::default(), true, &mut seen);
    assert_eq!(outcome, Outcome::Expanded(3));
    assert_eq!(seen.listed, [(3, 3)]);
    assert_eq!(seen.targets, [target(0, 4), target(1, 6), target(2, 8)]);
    assert_eq!(seen.allowed, [(1, LEAK.to_vec())], "the events of step b, numbered 1");
}

#[test]
fn expansion_stops_at_the_first_step_violation_after_handing_over_its_allowed_events() {
    let model = branching(16, 99);
    let mut seen = Seen::default();
    let outcome = Expander::new(&model).expand(&[1], &Fake::default(), true, &mut seen);
    let violation = Violation::new(ViolationKind::Assert, "b from 1");
    assert_eq!(outcome, Outcome::StepViolation { ord: 1, violation });
    assert_eq!(seen.listed, [(1, 3)], "every successor was listed before the checks");
    assert_eq!(seen.targets, [target(0, 2)], "only the target before the violation");
    assert_eq!(seen.allowed, [(1, LEAK.to_vec())], "the violating transition's events count");
}

#[test]
fn without_checks_an_expansion_hands_over_every_target_and_no_allowed_event() {
    let model = branching(16, 99);
    let mut seen = Seen::default();
    let outcome = Expander::new(&model).expand(&[1], &Fake::default(), false, &mut seen);
    assert_eq!(outcome, Outcome::Expanded(3));
    assert_eq!(seen.targets, [target(0, 2), target(1, 2), target(2, 6)]);
    assert!(seen.allowed.is_empty());
}

#[test]
fn a_bound_passed_before_or_while_listing_interrupts_with_nothing_handed_over() {
    let model = branching(16, 99);
    let limit = Limit::TimeLimit(Duration::from_secs(3));
    for after in [0, 1] {
        let mut seen = Seen::default();
        let bounds = Fake { after: Some(after), ..Fake::default() };
        let outcome = Expander::new(&model).expand(&[3], &bounds, true, &mut seen);
        assert_eq!(outcome, Outcome::Interrupted(limit), "bound passed at question {after}");
        assert!(seen.listed.is_empty() && seen.targets.is_empty() && seen.allowed.is_empty());
        assert_eq!(bounds.asked.get(), after + 1, "asked until the bound said so");
    }
    // Passed only after the listing: this state is expanded, the next one is not.
    let bounds = Fake { after: Some(2), ..Fake::default() };
    let mut expander = Expander::new(&model);
    assert_eq!(expander.expand(&[3], &bounds, true, &mut Seen::default()), Outcome::Expanded(3));
    assert_eq!(expander.expand(&[4], &bounds, true, &mut Seen::default()), Outcome::Interrupted(limit));
}

#[test]
fn an_expander_unpacks_its_first_state_and_reuses_it_for_the_next() {
    let model = branching(16, 99);
    let mut expander = Expander::new(&model);
    let mut seen = Seen::default();
    for v in [3, 4, 5] {
        assert_eq!(expander.expand(&[v], &Fake::default(), true, &mut seen), Outcome::Expanded(3));
    }
    assert_eq!((model.unpacks.get(), model.unpacks_into.get()), (1, 2));
    assert_eq!(seen.listed, [(3, 3), (4, 3), (5, 3)], "each state unpacked right");
}

#[test]
fn a_new_state_is_checked_and_a_known_one_is_not() {
    let model = branching(16, 5);
    let mut shard = Shard::new(1, false);
    let mut admitter = Admitter::new(&model);
    let bounds = Fake::default();
    let mut admit = |v: u64, check: bool| admitter.admit(&mut shard, &[v], hash_words(&[v]), &bounds, check);
    let reached = Violation::new(ViolationKind::Invariant, "reached 5");
    assert_eq!(admit(5, true), Ok(Admitted::New(Some(reached))));
    assert_eq!(admit(5, true), Ok(Admitted::Known));
    assert_eq!(admit(6, true), Ok(Admitted::New(None)));
    assert_eq!(admit(7, false), Ok(Admitted::New(None)), "new, not checked");
    assert_eq!(admit(7, true), Ok(Admitted::Known), "known: not checked now either");
    assert_eq!(*model.checked.borrow(), [5, 6], "only the new states checked when asked");
    assert_eq!((model.unpacks.get(), model.unpacks_into.get()), (1, 1), "one state reused");
    assert_eq!(shard.len(), 3);
}

#[test]
fn admission_asks_room_only_for_a_growing_table_and_refuses_with_the_memory_limit() {
    let model = branching(1 << 20, u64::MAX);
    let mut shard = Shard::new(1, false);
    let mut admitter = Admitter::new(&model);
    let (free, full) = (Fake::default(), Fake { full: true, ..Fake::default() });
    let mut v = 0;
    while shard.growth_bytes() == 0 {
        let bounds = if v % 2 == 0 { &free } else { &full };
        assert_eq!(admitter.admit(&mut shard, &[v], hash_words(&[v]), bounds, true), Ok(Admitted::New(None)));
        v += 1;
    }
    assert!(free.room_asked.borrow().is_empty() && full.room_asked.borrow().is_empty(), "no growth, no question");
    let (held, growth) = (shard.len(), shard.growth_bytes());
    assert_eq!(admitter.admit(&mut shard, &[v], hash_words(&[v]), &full, true), Err(Limit::MaxMemory(1)));
    assert_eq!(*full.room_asked.borrow(), [growth], "asked for the new table's bytes");
    assert_eq!(shard.len(), held, "the refused state is not stored");
    assert_eq!(admitter.admit(&mut shard, &[v], hash_words(&[v]), &free, true), Ok(Admitted::New(None)));
    assert_eq!(*free.room_asked.borrow(), [growth]);
    assert_eq!(shard.growth_bytes(), 0, "the table grew");
}

#[test]
fn a_numbered_admission_gives_each_state_its_number_in_the_shard() {
    let model = branching(16, 9);
    let mut shard = Shard::indexed(1);
    let mut admitter = Admitter::new(&model);
    let bounds = Fake::default();
    let mut admit = |shard: &mut Shard, v: u64, check: bool| {
        admitter.admit_numbered(shard, &[v], hash_words(&[v]), &bounds, check, 1000)
    };
    let reached = Violation::new(ViolationKind::Invariant, "reached 9");
    assert_eq!(admit(&mut shard, 7, true), Ok((0, Admitted::New(None))));
    assert_eq!(admit(&mut shard, 9, true), Ok((1, Admitted::New(Some(reached)))));
    assert_eq!(admit(&mut shard, 7, true), Ok((0, Admitted::Known)));
    assert_eq!(admit(&mut shard, 8, false), Ok((2, Admitted::New(None))));
    assert_eq!(*model.checked.borrow(), [7, 9]);
    let mut pairs = Shard::new(2, false);
    let got = admitter_numbered_in_pairs(&model, &mut pairs);
    assert_eq!(got, Err(Limit::MaxStates(1000)), "a shard without numbers is the state limit");
}

fn admitter_numbered_in_pairs(model: &Branching, pairs: &mut Shard) -> Result<(u32, Admitted), Limit> {
    Admitter::new(model).admit_numbered(pairs, &[1, 2], hash_words(&[1, 2]), &Fake::default(), true, 1000)
}

/// Collects the targets of a real model's expansion.
#[derive(Default)]
struct Targets(Vec<(u32, Vec<u64>)>);

impl<M: Checkable> Transitions<M> for Targets {
    fn allowed(&mut self, _: u32, _: &[AllowedEvent]) {}
    fn target(&mut self, ord: u32, _: &M::State, packed: &[u64], hash: u64) -> ControlFlow<()> {
        assert_eq!(hash, hash_words(packed));
        self.0.push((ord, packed.to_vec()));
        ControlFlow::Continue(())
    }
}

#[test]
fn on_a_system_model_the_expansion_follows_its_successors_and_stops_where_a_thread_leaks_a_mutex() {
    use crate::system_model::{Reductions, SystemModel};
    let text = "model leak\ncrashes 0\nmutex m\nprocess p {\n    wait m\n    exit\n}\nprocess q {\n    wait m\n    release m\n}\n";
    let system = mutexcheck_core::System::new(mutexcheck_lang::compile("leak.mc", text.as_bytes()).unwrap()).unwrap();
    let model = SystemModel::new(&system, Reductions::NONE);
    let guard = Guard::new(&crate::limits::Limits::default());
    let pack = |s: &mutexcheck_core::State| {
        let mut packed = vec![0; model.packed_words()];
        model.pack(s, &mut packed);
        packed
    };
    let mut expander = Expander::new(&model);
    // From the start p or q takes m: successors 0 and 1, packed as the model packs them.
    let mut first = Targets::default();
    assert_eq!(expander.expand(&pack(&model.initial_state()), &guard, true, &mut first), Outcome::Expanded(2));
    let mut successors = Vec::new();
    model.successors(&model.initial_state(), &mut successors);
    let expected: Vec<(u32, Vec<u64>)> = successors.iter().enumerate().map(|(i, (_, s))| (i as u32, pack(s))).collect();
    assert_eq!(first.0, expected);
    // Once p owns m its only move is to exit owning it (q's wait blocks): transition 0 leaks.
    let mut after_p = Targets::default();
    match expander.expand(&first.0[0].1, &guard, true, &mut after_p) {
        Outcome::StepViolation { ord: 0, violation } => assert_eq!(violation.kind, ViolationKind::LeakedOwnership),
        other => panic!("expected p's exit to leak m, got {other:?}"),
    }
    assert!(after_p.0.is_empty());
    // Once q owns m it releases it and ends: no violation.
    let mut after_q = Targets::default();
    assert_eq!(expander.expand(&first.0[1].1, &guard, true, &mut after_q), Outcome::Expanded(1));
}

#[test]
fn a_receiver_that_stops_at_a_target_ends_the_expansion_after_that_transition() {
    let model = branching(16, 99);
    let mut seen = Seen { stop_at: Some(1), ..Seen::default() };
    let outcome = Expander::new(&model).expand(&[3], &Fake::default(), true, &mut seen);
    assert_eq!(outcome, Outcome::Expanded(2), "transitions 0 and 1 handed over");
    assert_eq!(seen.targets, [target(0, 4), target(1, 6)], "not transition 2's");
    assert_eq!(seen.allowed, [(1, LEAK.to_vec())]);
}

#[test]
fn the_transition_of_a_step_violation_can_be_taken_out_of_the_expander() {
    let model = branching(16, 99);
    let mut expander = Expander::new(&model);
    let outcome = expander.expand(&[1], &Fake::default(), true, &mut Seen::default());
    assert!(matches!(outcome, Outcome::StepViolation { ord: 1, .. }));
    assert_eq!(expander.take(1), ("b", 2), "step b from 1 to 2");
}

#[test]
fn has_successor_lists_the_successors_between_two_questions_to_the_bounds() {
    let model = branching(16, 99);
    let mut expander = Expander::new(&model);
    assert_eq!(expander.has_successor(&[3], &Fake::default()), Ok(true));
    assert_eq!(expander.has_successor(&[15], &Fake::default()), Ok(false), "15 is a dead end");
    assert_eq!((model.unpacks.get(), model.unpacks_into.get()), (1, 1), "the unpacked state reused");
    let limit = Limit::TimeLimit(Duration::from_secs(3));
    for after in [0, 1] {
        let bounds = Fake { after: Some(after), ..Fake::default() };
        assert_eq!(expander.has_successor(&[15], &bounds), Err(limit), "bound passed at question {after}");
        assert_eq!(bounds.asked.get(), after + 1);
    }
    let listed = Fake { after: Some(2), ..Fake::default() };
    assert_eq!(expander.has_successor(&[15], &listed), Ok(false), "the bound passed after both questions");
}

#[test]
fn any_successor_looks_until_a_state_has_one_and_says_yes_once_a_bound_has_passed() {
    let model = branching(16, 99);
    let mut expander = Expander::new(&model);
    let level = |states: &'static [u64]| states.iter().map(std::slice::from_ref);
    assert!(!expander.any_successor(level(&[]), &Fake::default()));
    assert!(!expander.any_successor(level(&[15, 15]), &Fake::default()), "only dead ends");
    assert_eq!(model.unpacks.get() + model.unpacks_into.get(), 2, "both looked at");
    assert!(expander.any_successor(level(&[15, 3, 15]), &Fake::default()));
    assert_eq!(model.unpacks.get() + model.unpacks_into.get(), 4, "not the state after 3");
    let passed = Fake { after: Some(0), ..Fake::default() };
    assert!(expander.any_successor(level(&[15]), &passed), "did not look: a state may be cut");
    assert_eq!(model.unpacks.get() + model.unpacks_into.get(), 4, "nothing unpacked");
}

#[test]
fn admitting_an_unpacked_target_refuses_a_new_state_at_the_state_limit_but_admits_a_known_one() {
    let model = branching(16, 5);
    let mut shard = Shard::new(1, false);
    let mut admitter = Admitter::new(&model);
    let bounds = Fake::default();
    let mut admit = |shard: &mut Shard, v: u64, held: u64| {
        admitter.admit_unpacked(shard, &[v], hash_words(&[v]), &v, &bounds, held, 2)
    };
    assert_eq!(admit(&mut shard, 4, 0), Ok(Admitted::New(None)));
    let reached = Violation::new(ViolationKind::Invariant, "reached 5");
    assert_eq!(admit(&mut shard, 5, 1), Ok(Admitted::New(Some(reached))));
    assert_eq!(admit(&mut shard, 6, 2), Err(Limit::MaxStates(2)), "new, at the limit");
    assert_eq!(admit(&mut shard, 6, 7), Err(Limit::MaxStates(2)), "new, past the limit");
    assert_eq!(admit(&mut shard, 4, 2), Ok(Admitted::Known), "known, at the limit");
    assert_eq!(shard.len(), 2, "the refused state is not stored");
    assert_eq!(*model.checked.borrow(), [4, 5], "each new state checked once");
    assert_eq!((model.unpacks.get(), model.unpacks_into.get()), (0, 0), "checked as handed over");
}

#[test]
fn admitting_an_unpacked_target_asks_room_for_a_growing_table_after_the_state_limit() {
    let model = branching(1 << 20, u64::MAX);
    let mut shard = Shard::new(1, false);
    let mut admitter = Admitter::new(&model);
    let (free, full) = (Fake::default(), Fake { full: true, ..Fake::default() });
    let mut v = 0;
    while shard.growth_bytes() == 0 {
        assert_eq!(
            admitter.admit_unpacked(&mut shard, &[v], hash_words(&[v]), &v, &full, 0, 1000),
            Ok(Admitted::New(None))
        );
        v += 1;
    }
    let (held, growth) = (shard.len(), shard.growth_bytes());
    let at_limit = admitter.admit_unpacked(&mut shard, &[v], hash_words(&[v]), &v, &full, held as u64, held as u64);
    assert_eq!(at_limit, Err(Limit::MaxStates(held as u64)), "the state limit is asked first");
    assert!(full.room_asked.borrow().is_empty(), "no room asked before the table grows");
    let no_room = admitter.admit_unpacked(&mut shard, &[v], hash_words(&[v]), &v, &full, held as u64, 1000);
    assert_eq!(no_room, Err(Limit::MaxMemory(1)));
    assert_eq!(*full.room_asked.borrow(), [growth]);
    assert_eq!(shard.len(), held);
    let room = admitter.admit_unpacked(&mut shard, &[v], hash_words(&[v]), &v, &free, held as u64, 1000);
    assert_eq!(room, Ok(Admitted::New(None)));
    assert_eq!(*free.room_asked.borrow(), [growth]);
}

#[test]
fn a_loaded_state_expands_as_expand_would_and_nothing_loaded_has_no_transition() {
    let model = branching(16, 99);
    let mut expander = Expander::new(&model);
    let mut nothing = Seen::default();
    assert_eq!(expander.expand_loaded(&Fake::default(), true, &mut nothing), Outcome::Expanded(0));
    assert!(nothing.listed.is_empty() && nothing.targets.is_empty());
    let (mut loaded, mut expanded) = (Seen::default(), Seen::default());
    expander.load(&[3]);
    assert_eq!(expander.expand_loaded(&Fake::default(), true, &mut loaded), Outcome::Expanded(3));
    assert_eq!(Expander::new(&model).expand(&[3], &Fake::default(), true, &mut expanded), Outcome::Expanded(3));
    assert_eq!((loaded.listed, loaded.allowed, loaded.targets), (expanded.listed, expanded.allowed, expanded.targets));
    let limit = Limit::TimeLimit(Duration::from_secs(3));
    for after in [0, 1] {
        let bounds = Fake { after: Some(after), ..Fake::default() };
        let mut seen = Seen::default();
        assert_eq!(expander.expand_loaded(&bounds, true, &mut seen), Outcome::Interrupted(limit));
        assert!(seen.listed.is_empty() && seen.targets.is_empty(), "bound passed at question {after}");
    }
}

#[test]
fn a_bound_passed_while_a_wide_state_is_packed_stops_it_within_sixty_four_targets() {
    use crate::system_model::{Reductions, SystemModel};
    // 150 processes, each with one step to take: the first state has 150 successors.
    let text = "model wide\ncrashes 0\nshared x: 0..1 = 0\nprocess p[150] {\n    x = 1\n}\n";
    let system = mutexcheck_core::System::new(mutexcheck_lang::compile("wide.mc", text.as_bytes()).unwrap()).unwrap();
    let model = SystemModel::new(&system, Reductions::NONE);
    let mut first = vec![0; model.packed_words()];
    model.pack(&model.initial_state(), &mut first);
    let mut expander = Expander::new(&model);
    // Questions 0 and 1 come before and after the listing; 2 at the 64th target, 3 at the
    // 128th: a bound that passes at question 2 lets only the first 63 targets through.
    let bounds = Fake { after: Some(2), ..Fake::default() };
    let mut cut = Targets::default();
    let outcome = expander.expand(&first, &bounds, true, &mut cut);
    assert_eq!(outcome, Outcome::Interrupted(Limit::TimeLimit(Duration::from_secs(3))));
    assert_eq!(cut.0.iter().map(|(ord, _)| *ord).collect::<Vec<_>>(), (0..63).collect::<Vec<u32>>());
    // A bound that never passes is asked at the 64th and 128th targets only.
    let bounds = Fake { after: Some(4), ..Fake::default() };
    let mut whole = Targets::default();
    assert_eq!(expander.expand(&first, &bounds, true, &mut whole), Outcome::Expanded(150));
    assert_eq!(whole.0.len(), 150);
    assert_eq!(bounds.asked.get(), 4);
}
