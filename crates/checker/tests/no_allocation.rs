//! The search's hot path does not allocate once it is warm: expanding a state a second time
//! (its moves built, checked, packed and hashed by `expansion::Expander`, as every search
//! does) asks the allocator for nothing, whatever the moves carry: steps through transient
//! states, allowed events, mutexes a crash or a thread's death abandons. The states, the
//! moves' lists and the steps' abandonment lists of the previous expansion are reused.
//!
//! Counted by a global allocator of this test binary's own, per thread (the tests run side
//! by side).

use std::alloc::{GlobalAlloc, Layout, System as Malloc};
use std::cell::Cell;
use std::collections::{HashSet, VecDeque};
use std::ops::ControlFlow;
use std::path::Path;

use mutexcheck_checker::allowed::AllowedEvent;
use mutexcheck_checker::expansion::{Bounds, Expander, Outcome, Transitions};
use mutexcheck_checker::system_model::{Move, Reductions, SystemModel};
use mutexcheck_checker::{Checkable, Limit};
use mutexcheck_core::{State, System};

thread_local! {
    /// Allocations (and reallocations) this thread asked for so far.
    static ALLOCATIONS: Cell<u64> = const { Cell::new(0) };
}

/// The system allocator, counting.
struct Counting;

fn count() {
    // Never panics: a thread being torn down no longer counts.
    let _ = ALLOCATIONS.try_with(|n| n.set(n.get() + 1));
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count();
        unsafe { Malloc.alloc(layout) }
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        count();
        unsafe { Malloc.alloc_zeroed(layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count();
        unsafe { Malloc.realloc(ptr, layout, new_size) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { Malloc.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static COUNTING: Counting = Counting;

fn allocations() -> u64 {
    ALLOCATIONS.with(Cell::get)
}

/// No bound ever passes.
struct Unbounded;

impl Bounds for Unbounded {
    fn exceeded(&self) -> Option<Limit> {
        None
    }
    fn room_for(&self, _: usize) -> Result<(), Limit> {
        Ok(())
    }
}

/// Keeps what a search keeps of a transition without allocating: its target's hash, and
/// whether it had allowed events.
#[derive(Default)]
struct Tally {
    hashes: u64,
    targets: u64,
    with_events: u64,
}

impl<M: Checkable> Transitions<M> for Tally {
    fn allowed(&mut self, _: u32, events: &[AllowedEvent]) {
        self.with_events += !events.is_empty() as u64;
    }
    fn target(&mut self, _: u32, _: &M::State, _: &[u64], hash: u64) -> ControlFlow<()> {
        self.hashes = self.hashes.wrapping_add(hash);
        self.targets += 1;
        ControlFlow::Continue(())
    }
}

fn shipped(file: &str) -> System {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../models").join(file);
    let text = std::fs::read_to_string(path).unwrap();
    System::new(mutexcheck_lang::compile(file, text.as_bytes()).unwrap()).unwrap()
}

/// Up to `most` packed states of `model`, breadth first from its initial state.
fn packed_states(model: &SystemModel, most: usize) -> Vec<Vec<u64>> {
    let mut packed = vec![0; model.packed_words()];
    model.pack(&model.initial_state(), &mut packed);
    let mut seen = HashSet::from([packed.clone()]);
    let mut queue = VecDeque::from([packed]);
    let mut states = Vec::new();
    let mut out: Vec<(Move, State)> = Vec::new();
    while let Some(p) = queue.pop_front() {
        if states.len() == most {
            break;
        }
        out.clear();
        model.successors(&model.unpack(&p), &mut out);
        for (_, next) in &out {
            let mut q = vec![0; model.packed_words()];
            model.pack(next, &mut q);
            if seen.insert(q.clone()) {
                queue.push_back(q);
            }
        }
        states.push(p);
    }
    states
}

/// What expanding every state of `states` once more handed over (in a tally), and the
/// allocations it asked for.
fn expand_all(expander: &mut Expander<SystemModel>, states: &[Vec<u64>]) -> (Tally, u64) {
    let mut tally = Tally::default();
    let before = allocations();
    for p in states {
        let outcome = expander.expand(p, &Unbounded, true, &mut tally);
        assert!(matches!(outcome, Outcome::Expanded(_) | Outcome::StepViolation { .. }), "{outcome:?}");
    }
    (tally, allocations() - before)
}

/// The moves of `model`'s first `most` states, expanded a second time, allocate nothing; the
/// tally of what they handed over: transitions, how many with allowed events, how many
/// through transient states.
fn second_expansion_allocates_nothing(file: &str, reductions: Reductions, most: usize) -> (u64, u64, usize) {
    let sys = shipped(file);
    let model = SystemModel::new(&sys, reductions);
    let states = packed_states(&model, most);
    let mut expander = Expander::new(&model);
    let (warm, _) = expand_all(&mut expander, &states);
    let (again, allocated) = expand_all(&mut expander, &states);
    assert_eq!((again.targets, again.with_events, again.hashes), (warm.targets, warm.with_events, warm.hashes));
    assert_eq!(allocated, 0, "{file} {reductions:?}: {allocated} allocations in {} transitions", again.targets);
    let mut through = 0;
    let mut out = Vec::new();
    for p in &states {
        out.clear();
        model.successors(&model.unpack(p), &mut out);
        through += out.iter().filter(|(mv, _)| !mv.through.is_empty()).count();
    }
    (again.targets, again.with_events, through)
}

#[test]
fn expanding_a_state_again_allocates_nothing_with_crashes_and_transient_states() {
    // The benchmark's model: crashes abandon mutexes, partial-order moves go through
    // transient states.
    let (transitions, _, through) =
        second_expansion_allocates_nothing("bench/repair_n5_k3_c1.mc", Reductions::ALL, 3_000);
    assert!(transitions > 3_000 && through > 100, "{transitions} transitions, {through} through transient states");
    second_expansion_allocates_nothing("bench/repair_n5_k3_c1.mc", Reductions::NONE, 3_000);
    second_expansion_allocates_nothing(
        "bench/repair_n5_k3_c1.mc",
        Reductions { partial_order: true, symmetry: false },
        3_000,
    );
}

#[test]
fn expanding_a_state_again_allocates_nothing_with_allowed_events_and_thread_deaths() {
    let (_, with_events, _) = second_expansion_allocates_nothing("abandon_by_design.mc", Reductions::ALL, 5_000);
    assert!(with_events > 0, "the model's allowed events happened");
    second_expansion_allocates_nothing("abandon_by_design.mc", Reductions::NONE, 5_000);
    for file in ["thread_death_bug.mc", "restart_repair.mc", "posix_unlock_and_throw.mc"] {
        second_expansion_allocates_nothing(file, Reductions::ALL, 5_000);
        second_expansion_allocates_nothing(file, Reductions::NONE, 5_000);
    }
}
