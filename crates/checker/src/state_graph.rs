//! The state graph a search records when asked: every stored state and every transition
//! between them, for the analyses that need the whole graph (liveness, graph export).
//!
//! The graph is kept in compressed sparse row form: states are numbered in breadth-first
//! discovery order (the initial state is 0, then level by level, in the order a one-thread
//! breadth-first search meets them), and the out-edges of a state are held back to back in
//! successor order, so the position of an edge in its row is the successor's ordinal — what
//! a run is rebuilt from. An edge costs its target packed in as few bits as it needs
//! (`graph_arrays.rs`); the [`Recorder`]'s labels are kept per row, as an index into the
//! distinct label sequences of rows (`row_labels.rs`, per edge when rows share too little);
//! a state costs a few bits of row offset, of label sequence, its marks (nothing of its own
//! while each state's marks are those of its label sequence) and, when kept, its
//! discovering edge. Nothing is
//! unpacked or cloned: the packed states stay in the visited store.
//!
//! Numbering and content are the same for any number of threads. The discovery paths (the
//! run from the initial state to a state) are read from the graph in `discovery.rs`.

use std::marker::PhantomData;
use std::ops::Range;

use crate::checkable::Checkable;
pub use crate::graph_arrays::EdgeLabel;
use crate::graph_arrays::{Edges, Marks, Rows};
use crate::guard::Guard;
use crate::limits::{Limit, Limits};
use crate::row_labels::RowLabels;
use crate::stats::Stats;

/// What a caller keeps of each state and transition while the graph is recorded.
pub trait Recorder<M: Checkable>: Sync {
    /// What is kept of one transition (a small number: it is packed beside the edge's target,
    /// in as many bits as the largest label needs).
    type Label: EdgeLabel;

    /// The label of the transition `before --step--> after`, which is successor number
    /// `ordinal` of `before`.
    fn label(&self, before: &M::State, ordinal: u32, step: &M::Step, after: &M::State) -> Self::Label;

    /// How many 64-bit words [`Recorder::mark`] writes per state (0 for none).
    fn mark_words(&self) -> usize {
        0
    }

    /// Writes what is kept of `state` into `out` (of [`Recorder::mark_words`] words, zeroed).
    fn mark(&self, _state: &M::State, _out: &mut [u64]) {}

    /// True to keep [`RecordedGraph::parents`] (8 bytes a state). Without them
    /// [`RecordedGraph::ordinals_to`] finds the discovery path by a scan of the edges: the
    /// same path, found more slowly, for a caller that asks for one or two paths.
    fn parents(&self) -> bool {
        true
    }
}

/// A recorded state graph; see the module comment. Its arrays are packed
/// (`graph_arrays.rs`): read it through its methods.
#[derive(Clone, Debug)]
pub struct RecordedGraph<L> {
    rows: Rows,
    /// Each edge's target (no label: the labels are kept per row, in `labels`).
    edges: Edges,
    labels: RowLabels,
    /// Words per state in the marks.
    pub mark_words: usize,
    marks: Marks,
    /// While every state's marks are the same as those of the other states whose row has
    /// the same label sequence (a liveness check's marks, who cannot move, follow from the
    /// facts of the state's moves): the index of those marks among the distinct ones, by
    /// sequence, in place of an index per state (12 bits a state on issue #21's model).
    /// `None` once a state's marks differ from its sequence's, or the labels are kept per
    /// edge: then `marks` indexes each state.
    marks_by_row: Option<Vec<u32>>,
    /// For each state but the initial one (state `s` at `s - 1`): the state it was first
    /// reached from and the ordinal of that edge. Parents come before children, and the
    /// chain from any state back to 0 is a shortest path. Empty when the recorder did not
    /// keep them ([`Recorder::parents`]).
    pub parents: Vec<(u32, u32)>,
    label: PhantomData<L>,
}

/// Two graphs are equal when they hold the same rows, edges, labels, marks and parents,
/// whatever widths their packing reached.
impl<L: EdgeLabel> PartialEq for RecordedGraph<L> {
    fn eq(&self, other: &Self) -> bool {
        let n = self.states();
        n == other.states()
            && self.edge_count() == other.edge_count()
            && self.mark_words == other.mark_words
            && self.parents == other.parents
            && (0..n).all(|s| self.row(s as u32) == other.row(s as u32) && self.mark(s as u32) == other.mark(s as u32))
            && (0..n as u32).all(|s| {
                self.edges(s).map(|(_, t, l)| (t, l.index())).eq(other.edges(s).map(|(_, t, l)| (t, l.index())))
            })
    }
}

impl<L: EdgeLabel> Eq for RecordedGraph<L> {}

impl<L: EdgeLabel> RecordedGraph<L> {
    /// An empty graph whose states have `mark_words` words of marks.
    pub fn new(mark_words: usize) -> RecordedGraph<L> {
        RecordedGraph {
            rows: Rows::default(),
            edges: Edges::default(),
            labels: RowLabels::default(),
            mark_words,
            marks: Marks::default(),
            marks_by_row: (mark_words > 0).then(Vec::new),
            parents: Vec::new(),
            label: PhantomData,
        }
    }

    /// How many states the graph has (rows recorded).
    pub fn states(&self) -> usize {
        self.rows.len()
    }

    /// How many edges the graph has.
    pub fn edge_count(&self) -> usize {
        self.edges.len()
    }

    /// The indices of `state`'s out-edges (for [`RecordedGraph::edge`]), in successor order:
    /// edge `row(s).start + k` is successor number `k`.
    #[inline]
    pub fn row(&self, state: u32) -> Range<usize> {
        self.rows.range(state as usize)
    }

    /// Edge `e` as (target, label). The labels being kept per row, this finds `e`'s row
    /// first (a binary search): where the row is known, [`RecordedGraph::edge_in`] is quicker.
    pub fn edge(&self, e: usize) -> (u32, L) {
        self.edge_in(self.row_of(e), e)
    }

    /// Edge `e`, one of `state`'s out-edges, as (target, label).
    #[inline]
    pub fn edge_in(&self, state: u32, e: usize) -> (u32, L) {
        let start = self.row(state).start;
        debug_assert!(self.row(state).contains(&e), "edge {e} of state {state}");
        (self.edges.get(e).0, L::from_index(self.labels.get(state as usize, start, e - start)))
    }

    /// Where the labels of `state`'s row begin, less the row's first edge: edge `e` of the
    /// row has label [`RecordedGraph::label_at`]`(e.wrapping_add(that))` (a loop over rows
    /// reads labels without finding the row again).
    #[inline]
    pub(crate) fn label_offset(&self, state: u32, start: usize) -> usize {
        self.labels.base(state as usize, start).wrapping_sub(start)
    }

    /// The label at `pos` (see [`RecordedGraph::label_offset`]).
    #[inline]
    pub(crate) fn label_at(&self, pos: usize) -> L {
        L::from_index(self.labels.at(pos))
    }

    /// The state whose row holds edge `e`.
    pub fn row_of(&self, e: usize) -> u32 {
        assert!(e < self.edge_count(), "edge {e} of {}", self.edge_count());
        // The last row starting at or before `e`: rows without edges before it start there too.
        let (mut lo, mut hi) = (0usize, self.states());
        while hi - lo > 1 {
            let mid = lo + (hi - lo) / 2;
            if self.rows.range(mid).start <= e {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        lo as u32
    }

    /// The target of edge `e`.
    #[inline]
    pub fn target(&self, e: usize) -> u32 {
        self.edges.get(e).0
    }

    /// The label of edge `e` (see [`RecordedGraph::edge`]).
    pub fn label(&self, e: usize) -> L {
        self.edge(e).1
    }

    /// The label of edge `e`, one of `state`'s out-edges.
    #[inline]
    pub fn label_in(&self, state: u32, e: usize) -> L {
        self.edge_in(state, e).1
    }

    /// The out-edges of `state` as (ordinal, target, label), in successor order.
    pub fn edges(&self, state: u32) -> impl Iterator<Item = (u32, u32, L)> + '_ {
        let row = self.row(state);
        let from = row.start;
        let base = self.labels.base(state as usize, from);
        row.map(move |e| {
            let (target, _) = self.edges.get(e);
            let label = L::from_index(self.labels.at(base + (e - from)));
            ((e - from) as u32, target, label)
        })
    }

    /// The marks of `state`.
    pub fn mark(&self, state: u32) -> &[u64] {
        match (&self.marks_by_row, self.labels.pattern(state as usize)) {
            // A row whose marks a memory bound kept out (a stopped graph's last) reads mark 0.
            (Some(by), Some(p)) => self.marks.distinct(by.get(p as usize).map_or(0, |&i| i as usize), self.mark_words),
            _ => self.marks.get(state as usize, self.mark_words),
        }
    }

    /// Where each row starts in the edges, and where the last ends (the plain form of the
    /// rows, for tests and comparisons).
    pub fn offsets(&self) -> Vec<u64> {
        let mut offsets: Vec<u64> = (0..self.states() as u32).map(|s| self.row(s).start as u64).collect();
        offsets.push(self.edge_count() as u64);
        offsets
    }

    /// Every edge's target, in row order (the plain form of the edges).
    pub fn targets(&self) -> Vec<u32> {
        (0..self.edge_count()).map(|e| self.target(e)).collect()
    }

    /// The same graph with labels read as `M` (the same numbers).
    pub fn relabel<M: EdgeLabel>(self) -> RecordedGraph<M> {
        let RecordedGraph { rows, edges, labels, mark_words, marks, marks_by_row, parents, label: _ } = self;
        RecordedGraph { rows, edges, labels, mark_words, marks, marks_by_row, parents, label: PhantomData }
    }

    /// Makes room for `edges` more edges, whose targets are at most `max_target`, and
    /// `rows` more rows.
    pub(crate) fn reserve(&mut self, edges: usize, max_target: u64, rows: usize, guard: &Guard) -> Result<(), Limit> {
        self.edges.reserve(edges, max_target, guard)?;
        self.labels.reserve(rows, edges, guard)?;
        self.rows.reserve(rows, guard)?;
        if self.marks_by_row.is_some() {
            return Ok(());
        }
        self.marks.reserve(rows, self.mark_words, guard)
    }

    /// Appends an edge of the row being recorded.
    #[inline]
    pub(crate) fn push_edge(&mut self, target: u64, label: L, guard: &Guard) -> Result<(), Limit> {
        self.edges.push(target, 0, guard)?;
        self.labels.push(label.index(), guard)
    }

    /// Ends the row being recorded: its edges are those pushed since the last row ended,
    /// its state's marks `mark`.
    pub(crate) fn end_row(&mut self, mark: &[u64], guard: &Guard) -> Result<(), Limit> {
        let degree = self.edges.len() as u64 - self.rows.edges();
        let s = self.rows.len();
        let dropped = self.labels.end_row(s, self.rows.edges() as usize, guard)?;
        self.rows.push(degree, guard)?;
        crate::graph_arrays::push_row_marks(
            &mut self.marks,
            &mut self.marks_by_row,
            &self.labels,
            dropped,
            mark,
            s,
            guard,
        )
    }

    /// Drops the edges of the row being recorded: only whole rows stay.
    pub(crate) fn drop_open_row(&mut self) {
        self.edges.truncate(self.rows.edges() as usize);
        self.labels.drop_open_row(self.rows.edges() as usize);
    }

    /// The largest target recorded.
    #[cfg(test)]
    pub(crate) fn max_target(&self) -> u64 {
        self.edges.max_target()
    }

    /// Ends the recording: drops an unfinished row and what only recording needs, and
    /// rewrites each target `t` as `f(t)` in row order, in place (below `2^target_bits`).
    pub(crate) fn seal(&mut self, target_bits: u32, f: impl FnMut(u64) -> u64, guard: &Guard) -> Result<(), Limit> {
        self.drop_open_row();
        self.rows.shrink_to_fit();
        self.marks.finish();
        if let Some(by) = &mut self.marks_by_row {
            by.shrink_to_fit();
        }
        self.labels.finish();
        self.parents.shrink_to_fit();
        self.edges.seal(target_bits, f, guard)
    }

    /// [`RecordedGraph::seal`] with the targets as recorded.
    #[cfg(test)]
    pub(crate) fn sealed(mut self) -> RecordedGraph<L> {
        let bits = crate::packed::bits_for(self.max_target());
        self.seal(bits, |t| t, &Guard::new(&Limits::default())).expect("no bound");
        self
    }

    /// The bits of an edge's target and of a label (kept per row or per edge, see
    /// `row_labels.rs`).
    pub fn edge_widths(&self) -> (u32, u32) {
        (self.edges.widths().0, self.labels.label_bits())
    }

    /// True when the labels are kept per row (see `row_labels.rs`).
    pub fn labels_per_row(&self) -> bool {
        self.labels.per_row()
    }

    /// True when the marks are kept by label sequence (see `marks_by_row`).
    #[cfg(test)]
    pub(crate) fn marks_by_row(&self) -> bool {
        self.marks_by_row.is_some()
    }

    /// The bytes the graph holds.
    pub fn bytes(&self) -> usize {
        self.rows.bytes()
            + self.edges.bytes()
            + self.labels.bytes()
            + self.marks.bytes(self.mark_words)
            + self.marks_by_row.as_ref().map_or(0, |by| by.capacity() * 4)
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
/// and memory bounds of `guard`; not the depth limit) and records the whole graph with
/// `recorder`'s labels and marks. No property is checked: the caller has checked safety
/// already. `threads` threads share the work (the parallel breadth-first search of module
/// `bfs`, in its recording mode); the graph is the same for any number. When a bound stops
/// it, [`Recorded::stopped`] says which, and the graph holds the rows of the states expanded
/// so far ([`RecordedGraph::states`], what `stats.states` counts), whose targets and
/// `parents` may name states found but not expanded.
///
/// The states themselves are stored whole (packed) while the graph is recorded, whatever
/// the caller would use for a safety search: a fingerprint cannot name the state a
/// transition reaches. Beyond them, the graph costs the bits of a target and a label per
/// edge (packed: 29 bits for 5 million states and 37 distinct labels), and per state a few
/// bits of row offset, its marks (an index into the distinct marks while they are few) and
/// 8 bytes of parent for a recorder that keeps them; 4 bytes a state number the states
/// once the shards are freed.
pub fn record<M: Checkable + Sync, R: Recorder<M>>(
    model: &M,
    recorder: &R,
    limits: &Limits,
    threads: usize,
    guard: &Guard,
) -> Recorded<R::Label> {
    crate::bfs::record(model, recorder, limits, threads, guard, &mut |_| {})
}

/// [`record`], calling `progress` now and then (about every thousand states expanded, as the
/// safety search does; its counts are the states found and the transitions recorded so far).
pub fn record_with_progress<M: Checkable + Sync, R: Recorder<M>>(
    model: &M,
    recorder: &R,
    limits: &Limits,
    threads: usize,
    guard: &Guard,
    progress: &mut dyn FnMut(&crate::Progress<'_>),
) -> Recorded<R::Label> {
    crate::bfs::record(model, recorder, limits, threads, guard, progress)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_model::Doubling;

    /// Numbers mod `n` (see [`Doubling`]); no state is a violation: recording checks none.
    fn doubling(n: u64) -> Doubling {
        Doubling { n, target: u64::MAX }
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
        let Recorded { graph: g, stats, stopped } = record(&doubling(5), &Keep, &Limits::default(), 1, &guard);
        assert_eq!(stopped, None);
        assert_eq!(g.states(), 5);
        assert_eq!((stats.states, stats.transitions, stats.max_depth), (5, 10, 3));
        let values: Vec<u64> = (0..5).map(|s| g.mark(s)[0]).collect();
        assert_eq!(values, [0, 1, 2, 3, 4]);
        let edges: Vec<(u32, u32, u8)> = g.edges(2).collect();
        assert_eq!(edges, [(0, 3, b'+'), (1, 4, b'*')]);
        assert_eq!(g.ordinals_to(4), [0, 0, 1]);
    }

    #[test]
    fn the_state_limit_stops_the_recording() {
        let limits = Limits { max_states: Some(3), ..Limits::default() };
        let guard = Guard::new(&limits);
        let recorded = record(&doubling(5), &Keep, &limits, 1, &guard);
        assert_eq!(recorded.stopped, Some(Limit::MaxStates(3)));
        assert_eq!(recorded.stats.states, 2, "states 0 and 1 fully recorded");
    }

    /// The graph a plain one-thread breadth-first search over a hash map of packed states
    /// meets: (offsets, targets, parents).
    fn reference<M: Checkable>(model: &M) -> (Vec<u64>, Vec<u32>, Vec<(u32, u32)>) {
        let words = model.packed_words();
        let pack = |s: &M::State| {
            let mut out = vec![0; words];
            model.pack(s, &mut out);
            out
        };
        let mut ids = std::collections::HashMap::new();
        let mut states = vec![model.initial_state()];
        ids.insert(pack(&states[0]), 0u32);
        let (mut offsets, mut targets, mut parents) = (vec![0u64], Vec::new(), Vec::new());
        let mut successors = Vec::new();
        let mut next = 0;
        while next < states.len() {
            successors.clear();
            model.successors(&states[next], &mut successors);
            for (ordinal, (_, target)) in successors.drain(..).enumerate() {
                let id = *ids.entry(pack(&target)).or_insert_with(|| {
                    states.push(target);
                    parents.push((next as u32, ordinal as u32));
                    states.len() as u32 - 1
                });
                targets.push(id);
            }
            offsets.push(targets.len() as u64);
            next += 1;
        }
        (offsets, targets, parents)
    }

    /// Records `model` on 1, 2 and 3 threads, asserts the three are the same, and returns it.
    fn same_on_every_thread_count<M: Checkable + Sync, R: Recorder<M>>(
        model: &M,
        recorder: &R,
        limits: &Limits,
    ) -> Recorded<R::Label>
    where
        R::Label: PartialEq + std::fmt::Debug,
    {
        let guard = Guard::new(limits);
        let one = record(model, recorder, limits, 1, &guard);
        for threads in [2, 3] {
            let more = record(model, recorder, limits, threads, &guard);
            assert!(more.graph == one.graph, "{threads} threads record another graph");
            assert_eq!(more.stopped, one.stopped);
            let counts = |s: &Stats| (s.states, s.transitions, s.max_depth);
            assert_eq!(counts(&more.stats), counts(&one.stats), "{threads} threads");
        }
        one
    }

    #[test]
    fn a_large_graph_is_the_same_on_one_two_and_three_threads_and_numbered_as_a_plain_search_meets_it() {
        // Many batches and chunks, and enough transitions per batch to fill shards in parallel.
        let model = doubling(100_003);
        let recorded = same_on_every_thread_count(&model, &Keep, &Limits::default());
        assert_eq!(recorded.stopped, None);
        let g = &recorded.graph;
        assert_eq!((g.offsets(), g.targets(), g.parents.clone()), reference(&model));
        assert_eq!((g.states(), g.edge_count()), (100_003, 200_006));
        assert!(g.edges(7).map(|(_, _, l)| l).eq([b'+', b'*']));
        assert!((0..g.states() as u32).all(|s| g.mark(s)[0] == model.unpack(&[g.mark(s)[0]])));
    }

    #[test]
    fn the_state_limit_stops_every_thread_count_at_the_same_whole_row() {
        for max in [1, 2, 3, 4, 1_000, 15_000] {
            let limits = Limits { max_states: Some(max), ..Limits::default() };
            let recorded = same_on_every_thread_count(&doubling(20_011), &Keep, &limits);
            assert_eq!(recorded.stopped, Some(Limit::MaxStates(max)));
            let g = &recorded.graph;
            // Every state found has its parent; only whole rows are kept, naming found states.
            assert_eq!(g.parents.len() as u64, max - 1);
            assert_eq!(g.edge_count() as u64, *g.offsets().last().unwrap());
            assert!((0..g.states() as u32).all(|s| g.mark(s).len() == 1));
            assert!(g.targets().iter().all(|&t| (t as u64) < max));
        }
    }

    #[test]
    fn progress_is_reported_about_every_thousand_states_expanded() {
        let guard = Guard::new(&Limits::default());
        let mut seen = Vec::new();
        let model = doubling(5_003);
        let recorded =
            record_with_progress(&model, &Keep, &Limits::default(), 1, &guard, &mut |p| seen.push(p.stats.states));
        assert_eq!(recorded.graph.states(), 5_003);
        // Five thousand states, in batches of 1,024 expansions: a report after each of the
        // first four thousands, each with more states found than the last.
        assert_eq!(seen.len(), 4, "{seen:?}");
        assert!(seen.windows(2).all(|w| w[0] < w[1]), "{seen:?}");
    }

    #[test]
    fn the_memory_bound_stops_the_recording() {
        let limits = Limits { max_memory_mb: Some(1), ..Limits::default() };
        let guard = Guard::new(&limits);
        let recorded = record(&doubling(200_003), &Keep, &limits, 2, &guard);
        assert!(matches!(recorded.stopped, Some(Limit::MaxMemory(_))), "{:?}", recorded.stopped);
        assert!(recorded.graph.states() < 200_003);
    }

    /// Labels an edge of a real model with its ordinal; marks a state with its packed words.
    struct Packed<'m, 'a>(&'m crate::SystemModel<'a>);

    impl<'a> Recorder<crate::SystemModel<'a>> for Packed<'_, 'a> {
        type Label = u16;
        fn label(&self, _: &mutexcheck_core::State, ordinal: u32, _: &crate::Move, _: &mutexcheck_core::State) -> u16 {
            ordinal as u16
        }
        fn mark_words(&self) -> usize {
            self.0.packed_words()
        }
        fn mark(&self, state: &mutexcheck_core::State, out: &mut [u64]) {
            self.0.pack(state, out);
        }
    }

    fn system(text: &str) -> mutexcheck_core::System {
        mutexcheck_core::System::new(mutexcheck_lang::compile("t.mc", text.as_bytes()).unwrap()).unwrap()
    }

    #[test]
    fn two_independent_steps_make_a_diamond() {
        // p sets a, q sets b, in either order: {}, {a}, {b}, {a, b}.
        let sys = system("model diamond\ncrashes 0\nshared a: 0..1 = 0\nshared b: 0..1 = 0\nprocess p {\n    a = 1\n}\nprocess q {\n    b = 1\n}\n");
        let model = crate::SystemModel::new(&sys, crate::Reductions::NONE);
        let recorded = same_on_every_thread_count(&model, &Packed(&model), &Limits::default());
        let g = &recorded.graph;
        assert_eq!(g.offsets(), [0, 2, 3, 4, 4]);
        assert_eq!(g.targets(), [1, 2, 3, 3]);
        assert_eq!(g.parents, [(0, 0), (0, 1), (1, 0)]);
        assert_eq!((recorded.stats.states, recorded.stats.transitions, recorded.stats.max_depth), (4, 4, 2));
    }

    #[test]
    fn real_models_record_the_same_graph_on_every_thread_count_reduced_or_not() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../models");
        for name in ["seed_bug.mc", "dining_deadlock.mc", "starvation.mc", "livelock.mc", "restart_repair.mc"] {
            let text = std::fs::read(dir.join(name)).unwrap();
            let sys = mutexcheck_core::System::new(mutexcheck_lang::compile(name, &text).unwrap()).unwrap();
            for reductions in [crate::Reductions::NONE, crate::Reductions::ALL] {
                let model = crate::SystemModel::new(&sys, reductions);
                let recorded = same_on_every_thread_count(&model, &Packed(&model), &Limits::default());
                assert_eq!(recorded.stopped, None, "{name}");
                let g = &recorded.graph;
                assert_eq!((g.offsets(), g.targets(), g.parents.clone()), reference(&model), "{name}");
                assert!(g.states() > 5, "{name}: {} states", g.states());
                // Each state's mark is its packed self: the walk along the parents reaches it.
                let last = g.states() as u32 - 1;
                let mut state = model.initial_state();
                let mut successors = Vec::new();
                for ordinal in g.ordinals_to(last) {
                    successors.clear();
                    model.successors(&state, &mut successors);
                    state = successors.swap_remove(ordinal as usize).1;
                }
                let mut packed = vec![0; model.packed_words()];
                model.pack(&state, &mut packed);
                assert_eq!(packed, g.mark(last), "{name}");
            }
        }
    }
}
