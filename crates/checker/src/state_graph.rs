//! The state graph a search records when asked: every stored state and every transition
//! between them, for the analyses that need the whole graph (liveness, graph export).
//!
//! The graph is kept in compressed sparse row form: states are numbered in breadth-first
//! discovery order (the initial state is 0, then level by level, in the order a one-thread
//! breadth-first search meets them), and the out-edges of a state are held back to back in
//! successor order, so the position of an edge in its row is the successor's ordinal — what
//! a run is rebuilt from. An edge costs its 4-byte target and the [`Recorder`]'s label; a
//! state its row offset, its discovering edge and the recorder's mark words. Nothing is
//! unpacked or cloned: the packed states stay in the visited store.
//!
//! Numbering and content are the same for any number of threads.

use crate::checkable::Checkable;
use crate::guard::Guard;
use crate::limits::{Limit, Limits};
use crate::stats::Stats;

/// What a caller keeps of each state and transition while the graph is recorded.
pub trait Recorder<M: Checkable>: Sync {
    /// What is kept of one transition (a few bytes: it is stored once per edge).
    type Label: Copy + Send + Sync;

    /// The label of the transition `before --step--> after`, which is successor number
    /// `ordinal` of `before`.
    fn label(&self, before: &M::State, ordinal: u32, step: &M::Step, after: &M::State) -> Self::Label;

    /// How many 64-bit words [`Recorder::mark`] writes per state (0 for none).
    fn mark_words(&self) -> usize {
        0
    }

    /// Writes what is kept of `state` into `out` (of [`Recorder::mark_words`] words, zeroed).
    fn mark(&self, _state: &M::State, _out: &mut [u64]) {}
}

/// A recorded state graph; see the module comment.
#[derive(Clone, Debug)]
pub struct RecordedGraph<L> {
    /// The out-edges of state `s` are `offsets[s]..offsets[s + 1]` of `targets` and `labels`.
    pub offsets: Vec<u64>,
    /// Each edge's target state.
    pub targets: Vec<u32>,
    /// Each edge's label.
    pub labels: Vec<L>,
    /// Words per state in `marks`.
    pub mark_words: usize,
    /// The marks of state `s`: `marks[s * mark_words..(s + 1) * mark_words]`.
    pub marks: Vec<u64>,
    /// For each state but the initial one (state `s` at `s - 1`): the state it was first
    /// reached from and the ordinal of that edge. Parents come before children, and the
    /// chain from any state back to 0 is a shortest path.
    pub parents: Vec<(u32, u32)>,
}

impl<L> RecordedGraph<L> {
    /// How many states the graph has.
    pub fn states(&self) -> usize {
        self.offsets.len().saturating_sub(1)
    }

    /// The out-edges of `state` as (ordinal, target, label), in successor order.
    pub fn edges(&self, state: u32) -> impl Iterator<Item = (u32, u32, &L)> + '_ {
        let (from, to) = (self.offsets[state as usize] as usize, self.offsets[state as usize + 1] as usize);
        (from..to).map(move |e| ((e - from) as u32, self.targets[e], &self.labels[e]))
    }

    /// The marks of `state`.
    pub fn mark(&self, state: u32) -> &[u64] {
        &self.marks[state as usize * self.mark_words..(state as usize + 1) * self.mark_words]
    }

    /// The successor ordinals of the discovery path from the initial state to `state`.
    pub fn ordinals_to(&self, state: u32) -> Vec<u32> {
        let mut ordinals = Vec::new();
        let mut at = state;
        while at != 0 {
            let (parent, ordinal) = self.parents[at as usize - 1];
            ordinals.push(ordinal);
            at = parent;
        }
        ordinals.reverse();
        ordinals
    }

    /// The bytes the graph holds.
    pub fn bytes(&self) -> usize {
        self.offsets.capacity() * 8
            + self.targets.capacity() * 4
            + self.labels.capacity() * std::mem::size_of::<L>()
            + self.marks.capacity() * 8
            + self.parents.capacity() * 8
    }
}

/// What [`record`] returns.
#[derive(Clone, Debug)]
pub struct Recorded<L> {
    /// The graph: whole when `stopped` is `None`.
    pub graph: RecordedGraph<L>,
    /// The counts of the recording (states, transitions, depth, time, memory).
    pub stats: Stats,
    /// The bound that stopped the recording before the graph was whole.
    pub stopped: Option<Limit>,
}

/// Explores every state of `model` breadth-first within `limits` (the state limit, the time
/// and memory bounds of `guard`) and records the whole graph with `recorder`'s labels and
/// marks. No property is checked: the caller has checked safety already. `threads` threads
/// may share the work; the graph is the same for any number. When a bound stops it,
/// [`Recorded::stopped`] says which, and the graph holds the states expanded so far.
///
/// This first version runs on one thread over the depth-first search's [`crate::store::Store`].
pub fn record<M: Checkable + Sync, R: Recorder<M>>(
    model: &M,
    recorder: &R,
    limits: &Limits,
    _threads: usize,
    guard: &Guard,
) -> Recorded<R::Label> {
    use crate::store::{Entry, Store};
    let start = std::time::Instant::now();
    let words = model.packed_words();
    let mut store = Store::new(words);
    let mut packed = vec![0u64; words];
    let initial = model.initial_state();
    model.pack(&initial, &mut packed);
    store.insert(&packed, Entry { parent: 0, depth: 0 });
    let mark_words = recorder.mark_words();
    let mut graph = RecordedGraph {
        offsets: vec![0],
        targets: Vec::new(),
        labels: Vec::new(),
        mark_words,
        marks: Vec::new(),
        parents: Vec::new(),
    };
    let mut stats = Stats { threads: 1, ..Stats::default() };
    let max_states = limits.max_states.unwrap_or(u64::MAX).min(u32::MAX as u64 - 1);
    let mut successors = Vec::new();
    let mut state = initial;
    let mut next = 0u32;
    let stop = |limit: Limit, graph: RecordedGraph<R::Label>, mut stats: Stats| {
        stats.states = graph.states() as u64;
        stats.elapsed = start.elapsed();
        stats.peak_rss_kb = crate::stats::peak_rss_kb();
        Recorded { graph, stats, stopped: Some(limit) }
    };
    while (next as usize) < store.len() {
        if let Some(limit) = guard.exceeded() {
            return stop(limit, graph, stats);
        }
        model.unpack_into(store.packed(next), &mut state);
        let at = graph.marks.len();
        graph.marks.resize(at + mark_words, 0);
        recorder.mark(&state, &mut graph.marks[at..]);
        successors.clear();
        model.successors(&state, &mut successors);
        if let Some(limit) = guard.exceeded() {
            return stop(limit, graph, stats);
        }
        let depth = store.entry(next).depth;
        for (ordinal, (step, target)) in successors.iter().enumerate() {
            model.pack(target, &mut packed);
            if store.len() as u64 >= max_states && store.find(&packed).is_none() {
                return stop(Limit::MaxStates(max_states), graph, stats);
            }
            let growth = store.growth_bytes();
            if growth > 0 {
                if let Err(limit) = guard.room_for(growth) {
                    return stop(limit, graph, stats);
                }
            }
            let (id, new) = store.insert(&packed, Entry { parent: next, depth: depth + 1 });
            if new {
                graph.parents.push((next, ordinal as u32));
                stats.max_depth = stats.max_depth.max(depth + 1);
            }
            graph.targets.push(id);
            graph.labels.push(recorder.label(&state, ordinal as u32, step, target));
        }
        stats.transitions += successors.len() as u64;
        graph.offsets.push(graph.targets.len() as u64);
        next += 1;
    }
    stats.states = graph.states() as u64;
    stats.elapsed = start.elapsed();
    stats.peak_rss_kb = crate::stats::peak_rss_kb();
    stats.stored_bytes = (store.bytes() + graph.bytes()) as u64;
    Recorded { graph, stats, stopped: None }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::properties::Violation;

    /// Numbers mod `n`; from `i` one may go to `i + 1` or `2 * i`.
    struct Doubling {
        n: u64,
    }

    impl Checkable for Doubling {
        type State = u64;
        type Step = &'static str;
        fn packed_words(&self) -> usize {
            1
        }
        fn pack(&self, state: &u64, out: &mut [u64]) {
            out[0] = *state;
        }
        fn unpack(&self, packed: &[u64]) -> u64 {
            packed[0]
        }
        fn initial_state(&self) -> u64 {
            0
        }
        fn successors(&self, s: &u64, out: &mut Vec<(&'static str, u64)>) {
            out.push(("+1", (s + 1) % self.n));
            out.push(("*2", (s * 2) % self.n));
        }
        fn step_violation(&self, _: &u64, _: &&'static str, _: &u64) -> Option<Violation> {
            None
        }
        fn state_violation(&self, _: &u64) -> Option<Violation> {
            None
        }
        fn deadlock(&self, _: &u64) -> Option<Violation> {
            None
        }
        fn final_violation(&self, _: &u64) -> Option<Violation> {
            None
        }
    }

    /// Labels an edge with its step's first byte; marks a state with its value.
    struct Keep;

    impl Recorder<Doubling> for Keep {
        type Label = u8;
        fn label(&self, _: &u64, _: u32, step: &&'static str, _: &u64) -> u8 {
            step.as_bytes()[0]
        }
        fn mark_words(&self) -> usize {
            1
        }
        fn mark(&self, state: &u64, out: &mut [u64]) {
            out[0] = *state;
        }
    }

    #[test]
    fn states_are_numbered_in_breadth_first_order_with_edges_in_successor_order() {
        // Mod 5: 0 -> {1, 0}; 1 -> {2, 2}; 2 -> {3, 4}; 3 -> {4, 1}; 4 -> {0, 3}.
        let guard = Guard::new(&Limits::default());
        let Recorded { graph: g, stats, stopped } = record(&Doubling { n: 5 }, &Keep, &Limits::default(), 1, &guard);
        assert_eq!(stopped, None);
        assert_eq!(g.states(), 5);
        assert_eq!((stats.states, stats.transitions, stats.max_depth), (5, 10, 3));
        let values: Vec<u64> = (0..5).map(|s| g.mark(s)[0]).collect();
        assert_eq!(values, [0, 1, 2, 3, 4]);
        let edges: Vec<(u32, u32, u8)> = g.edges(2).map(|(o, t, l)| (o, t, *l)).collect();
        assert_eq!(edges, [(0, 3, b'+'), (1, 4, b'*')]);
        assert_eq!(g.ordinals_to(4), [0, 0, 1]);
    }

    #[test]
    fn the_state_limit_stops_the_recording() {
        let limits = Limits { max_states: Some(3), ..Limits::default() };
        let guard = Guard::new(&limits);
        let recorded = record(&Doubling { n: 5 }, &Keep, &limits, 1, &guard);
        assert_eq!(recorded.stopped, Some(Limit::MaxStates(3)));
        assert_eq!(recorded.stats.states, 2, "states 0 and 1 fully recorded");
    }
}
