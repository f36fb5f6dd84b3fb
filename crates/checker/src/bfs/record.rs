//! The breadth-first search in recording mode: the whole state graph, as
//! [`crate::state_graph`] defines it, built by the same parallel search.
//!
//! Steps 1 and 2 run as for the safety search: each transition
//! gets its label and its shard, each expanded state its marks, and each shard, filled in key
//! order, hands back the shard's own number of every target (numbers at or past the shard's
//! size before the batch are states the batch found). Step 3 walks the batch's transitions in
//! key order, writing each edge's target as its shard and shard number, and counting a state
//! new in this batch the first time it is met. Key order is the order of a one-thread
//! breadth-first search; once the search ends and the shards are freed, the states are
//! numbered by their first edge in that order ([`crate::numbering`]): the discovery order,
//! the same for any number of threads.
//!
//! Recording needs whole states (a fingerprint cannot be numbered): the shards are
//! [`Shard::indexed`] whatever `--fingerprints` says.
//!
//! A recording either checks no property (the caller checked safety before, or does not ask
//! for it) or checks every one as the safety search does ([`Recording::checks`]: the state
//! chain, the step checks, the allowed outcomes, in the same batches): then a model with
//! liveness properties is explored once, and a violation stops the recording
//! ([`Checked::Violated`]) for the caller to find its shortest run with the safety search.

use super::merge::{Merging, Pending};
use super::{Expanded, Filled, Search, Stop};
use crate::checkable::Checkable;
use crate::guard::Guard;
use crate::handoff::lock;
use crate::limits::{Limit, Limits};
use crate::numbering::Numbering;
use crate::packed::room;
use crate::request::Bfs;
use crate::spread::Spread;
use crate::state_graph::{Recorded, RecordedGraph, Recorder};
use crate::stats::{peak_rss_kb, Stats, Storage};
use crate::trail::Key;
use crate::visited::{Shard, SHARDS};

// A transition's shard is kept in one byte.
const _: () = assert!(SHARDS <= 256);

/// What the search does beside checking: nothing ([`Unrecorded`], the safety search, where
/// every hook compiles away) or recording the graph ([`Recording`]).
pub(super) trait Mode<M: Checkable>: Sync {
    /// True when recording: the shards number their states, step 3 is [`Mode::merge`].
    const RECORDS: bool;
    /// Bytes a batch holds per transition beyond the safety search's.
    const EDGE_BYTES: usize;
    /// What is kept of a transition.
    type Label: Copy + Send + Sync;

    /// True when the search checks the properties: always for the safety search; for a
    /// recording, when asked ([`Recording::checks`]).
    fn checks(&self) -> bool;

    /// The initial state was stored in shard `shard` (as its number 0).
    fn initial(&mut self, shard: usize);

    /// Step 1 for one expanded state: the labels of its `successors` and its marks.
    fn record(&self, state: &M::State, successors: &[(M::Step, M::State)], out: &mut Expanded<Self::Label>);

    /// Step 3: numbers the batch's new states, writes its rows and puts the new states, in
    /// discovery order, on `next`. The batch's states are those of the level from `first`.
    /// At the state limit, a recording that checks counts the transitions the safety search
    /// meets, up to the one that reaches the state past the limit, whose key it gives.
    #[allow(clippy::too_many_arguments)]
    fn merge(
        &mut self,
        expanded: &[Expanded<Self::Label>],
        filled: &[Filled],
        first: usize,
        words: usize,
        next: &mut Vec<u64>,
        stats: &mut Stats,
        max_states: u64,
        guard: &Guard,
    ) -> Result<(), (Limit, Option<Key>)>;
}

/// The safety search: nothing recorded.
pub(super) struct Unrecorded;

impl<M: Checkable> Mode<M> for Unrecorded {
    const RECORDS: bool = false;
    const EDGE_BYTES: usize = 0;
    type Label = ();

    #[inline(always)]
    fn checks(&self) -> bool {
        true
    }

    fn initial(&mut self, _: usize) {}

    fn record(&self, _: &M::State, _: &[(M::Step, M::State)], _: &mut Expanded<()>) {}

    fn merge(
        &mut self,
        _: &[Expanded<()>],
        _: &[Filled],
        _: usize,
        _: usize,
        _: &mut Vec<u64>,
        _: &mut Stats,
        _: u64,
        _: &Guard,
    ) -> Result<(), (Limit, Option<Key>)> {
        Ok(())
    }
}

/// The graph being recorded, its edges naming their targets by shard and shard number
/// ([`Numbering`]) until the recording ends.
pub(super) struct Recording<'r, R, L> {
    recorder: &'r R,
    /// Every property is checked too, as by the safety search (see the module comment).
    checks: bool,
    mark_words: usize,
    /// [`Recorder::parents`].
    parents: bool,
    numbering: Numbering,
    graph: RecordedGraph<L>,
}

impl<M: Checkable, R: Recorder<M>> Mode<M> for Recording<'_, R, R::Label> {
    const RECORDS: bool = true;
    // A label, a shard and a shard number per transition.
    const EDGE_BYTES: usize = std::mem::size_of::<R::Label>() + 1 + 4;
    type Label = R::Label;

    fn checks(&self) -> bool {
        self.checks
    }

    fn initial(&mut self, shard: usize) {
        self.numbering.initial(shard);
    }

    fn record(&self, state: &M::State, successors: &[(M::Step, M::State)], out: &mut Expanded<R::Label>) {
        for (ord, (step, target)) in successors.iter().enumerate() {
            out.labels.push(self.recorder.label(state, ord as u32, step, target));
        }
        let at = out.marks.len();
        out.marks.resize(at + self.mark_words, 0);
        self.recorder.mark(state, &mut out.marks[at..]);
    }

    fn merge(
        &mut self,
        expanded: &[Expanded<R::Label>],
        filled: &[Filled],
        first: usize,
        words: usize,
        next: &mut Vec<u64>,
        stats: &mut Stats,
        max_states: u64,
        guard: &Guard,
    ) -> Result<(), (Limit, Option<Key>)> {
        let no_key = |limit| (limit, None);
        let edges: usize = expanded.iter().map(|e| e.labels.len()).sum();
        let rows: usize = expanded.iter().map(|e| e.successors.len()).sum();
        let fresh: Vec<usize> = filled.iter().map(|f| f.packed.len() / words.max(1)).collect();
        for (shard, &n) in fresh.iter().enumerate() {
            self.numbering.stored(shard, n);
        }
        let g = &mut self.graph;
        let most = self.numbering.sizes().max().unwrap_or(1).max(1) - 1;
        g.reserve(edges, Numbering::provisional(SHARDS - 1, most as u32), rows, guard).map_err(no_key)?;
        if self.parents {
            room(&mut g.parents, fresh.iter().sum(), guard).map_err(no_key)?;
        }
        // Which states new in this batch were met, by shard and rank.
        let mut met: Vec<Vec<bool>> = fresh.iter().map(|&n| vec![false; n]).collect();
        let mut cursor = [0usize; SHARDS];
        // The batch's transitions met so far and the level position of the row being written.
        let (mut seen, mut row) = (0u64, first);
        for e in expanded {
            let mut t = 0;
            for (k, &n) in e.successors.iter().enumerate() {
                let source = g.states() as u32;
                for ord in 0..n {
                    let s = e.shards[t] as usize;
                    let (local, base) = (filled[s].locals[cursor[s]], filled[s].base);
                    cursor[s] += 1;
                    if local >= base && !met[s][(local - base) as usize] {
                        let rank = (local - base) as usize;
                        if stats.states >= max_states {
                            let mut key = None;
                            if self.checks {
                                // The safety search's count: the batch's transitions up to this
                                // one, which it meets too.
                                stats.transitions += seen + 1;
                                key = Some(Key { pos: row as u32, ord });
                            }
                            // Only whole rows stay.
                            g.drop_open_row();
                            return Err((Limit::MaxStates(max_states), key));
                        }
                        met[s][rank] = true;
                        stats.states += 1;
                        if self.parents {
                            g.parents.push((source, ord));
                        }
                        next.extend_from_slice(&filled[s].packed[rank * words..(rank + 1) * words]);
                    }
                    g.push_edge(Numbering::provisional(s, local), e.labels[t], guard).map_err(no_key)?;
                    t += 1;
                    seen += 1;
                }
                g.end_row(&e.marks[k * self.mark_words..(k + 1) * self.mark_words], guard).map_err(no_key)?;
                row += 1;
            }
        }
        stats.transitions += edges as u64;
        Ok(())
    }
}

impl<M: Checkable + Sync, G: Mode<M>> Search<'_, M, G> {
    /// Step 3 of a recording ([`Mode::merge`]). One that checks stops at a batch with a
    /// violation (which one comes first is the safety search's to say: the caller runs it),
    /// and otherwise counts the allowed events as the safety search does.
    pub(super) fn merge_recorded(
        &mut self,
        batch: &Pending<G::Label>,
        next: &mut Vec<u64>,
        level_has_new: &mut bool,
    ) -> Result<(), Stop> {
        let Pending { first, expanded, filled, .. } = batch;
        if self.mode.checks() {
            let step = expanded.iter().find_map(|e| e.violation.as_ref().map(|(_, v)| v));
            let state = || filled.iter().flat_map(|f| &f.news).find_map(|n| n.violation.as_ref());
            if let Some(v) = step.or_else(state) {
                return Err(Stop::Violation(v.clone(), None));
            }
        }
        let had = next.len();
        let merged =
            self.mode.merge(expanded, filled, *first, self.words, next, &mut self.stats, self.max_states, self.guard);
        *level_has_new |= next.len() > had;
        let counted = match &merged {
            Err((_, None)) => None,
            Err((_, Some(key))) => Some(Some(*key)),
            Ok(()) => self.mode.checks().then_some(None),
        };
        if let Some(upto) = counted {
            let mut merging = Merging {
                stats: std::mem::take(&mut self.stats),
                trail: std::mem::take(&mut self.trail),
                allowed: std::mem::take(&mut self.allowed),
            };
            merging.count_allowed(expanded, upto);
            (self.stats, self.trail, self.allowed) = (merging.stats, merging.trail, merging.allowed);
        }
        merged.map_err(|(limit, _)| Stop::Limit(limit))
    }
}

/// Records the state graph of `model` with `recorder` on `threads` threads: see
/// [`crate::state_graph::record`], whose body this is.
pub(crate) fn record<M: Checkable + Sync, R: Recorder<M>>(
    model: &M,
    recorder: &R,
    limits: &Limits,
    threads: usize,
    guard: &Guard,
    progress: &mut dyn FnMut(&crate::explore::Progress<'_>),
) -> Recorded<R::Label> {
    run(model, recorder, limits, &Bfs::new().threads(threads), false, guard, progress).0
}

/// [`record`] that also checks every property as the safety search on `engine` does, in
/// the same batches: a complete recording is a safety search that found nothing, and its
/// statistics' `threads` are that search's. `None` when a check found a violation: the
/// recording stopped at the batch that met it, and which violation comes first, with its
/// shortest run, is the safety search's to find. The depth limit is not applied (the caller
/// runs the safety search when there is one).
pub(crate) fn record_checked<M: Checkable + Sync, R: Recorder<M>>(
    model: &M,
    recorder: &R,
    limits: &Limits,
    engine: &Bfs,
    guard: &Guard,
    progress: &mut dyn FnMut(&crate::explore::Progress<'_>),
) -> Option<Recorded<R::Label>> {
    let (recorded, violated) = run(model, recorder, limits, engine, true, guard, progress);
    (!violated).then_some(recorded)
}

/// [`record`] and [`record_checked`]; true beside the graph when a check found a violation
/// (the graph is then empty: it is neither numbered nor kept).
fn run<M: Checkable + Sync, R: Recorder<M>>(
    model: &M,
    recorder: &R,
    limits: &Limits,
    engine: &Bfs,
    checks: bool,
    guard: &Guard,
    progress: &mut dyn FnMut(&crate::explore::Progress<'_>),
) -> (Recorded<R::Label>, bool) {
    let mark_words = recorder.mark_words();
    // The depth limit is the safety search's: a graph is whole or stopped.
    let limits = Limits { max_depth: None, ..*limits };
    let mode = Recording {
        recorder,
        checks,
        mark_words,
        parents: recorder.parents(),
        numbering: Numbering::default(),
        graph: RecordedGraph::new(mark_words),
    };
    // Without checks the spread is always adaptive (the statistics' threads are not reported).
    let spread = if checks { engine.spreads() } else { Spread::Adaptive };
    let mut search =
        Search::new(model, &limits, engine.thread_count(), spread, Shard::indexed, Storage::Full, guard, mode);
    let (mut stopped, violated) = match search.search(progress) {
        Ok(None) => (None, false),
        Ok(Some(limit)) | Err(super::Stop::Limit(limit)) => (Some(limit), false),
        // Only a recording that checks stops at a violation; the graph is partial.
        Err(super::Stop::Violation(..)) => (Some(guard.cut_short_by()), true),
    };
    let shards: usize = search.shards.iter().map(|s| lock(s).bytes()).sum();
    // The states are numbered once the shards are gone: the numbering's table is not held
    // beside them at the recording's peak.
    search.shards = Vec::new();
    let mut graph = search.mode.graph;
    // After a violation the caller throws the graph away (the safety search finds the run):
    // numbering it would be wasted work.
    let numbered = if violated {
        graph = RecordedGraph::new(mark_words);
        Ok(0)
    } else {
        search.mode.numbering.renumber(&mut graph, guard)
    };
    let ids = match numbered {
        Ok(bytes) => bytes,
        Err(limit) => {
            // No room to number the states (the bound was passed already): no graph.
            stopped = stopped.or(Some(limit));
            graph = RecordedGraph::new(mark_words);
            0
        }
    };
    let mut stats = search.stats;
    if !checks {
        // Only whole rows count: the states expanded and their transitions. A recording that
        // checks counts as the safety search does (the states found), which it reports when a
        // bound stops it; whole, both count the same.
        stats.states = graph.states() as u64;
        stats.transitions = graph.edge_count() as u64;
    }
    stats.elapsed = search.start.elapsed();
    stats.peak_rss_kb = peak_rss_kb();
    stats.stored_bytes = (shards + ids + graph.bytes()) as u64;
    stats.allowed = search.allowed.into_counts();
    (Recorded { graph, stats, stopped }, violated)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_model::Doubling;

    /// Labels an edge with its step's first byte.
    struct Steps;

    impl Recorder<Doubling> for Steps {
        type Label = u8;
        fn label(&self, _: &u64, _: u32, step: &&'static str, _: &u64) -> u8 {
            step.as_bytes()[0]
        }
    }

    fn checked(model: &Doubling, threads: usize) -> (Recorded<u8>, bool) {
        let guard = Guard::new(&Limits::default());
        run(model, &Steps, &Limits::default(), &Bfs::new().threads(threads), true, &guard, &mut |_| {})
    }

    #[test]
    fn a_checked_recording_that_meets_a_violation_keeps_no_graph_to_number() {
        // Mod 20,011, reaching 15,000 is a violation: met after thousands of rows recorded.
        for threads in [1, 2] {
            let (recorded, violated) = checked(&Doubling { n: 20_011, target: 15_000 }, threads);
            assert!(violated, "{threads} threads");
            assert_eq!((recorded.graph.states(), recorded.graph.edge_count()), (0, 0), "{threads} threads");
            assert!(recorded.stats.states > 1_000, "{threads} threads: {} states", recorded.stats.states);
        }
    }

    #[test]
    fn a_checked_recording_without_violation_numbers_the_graph_of_a_plain_one() {
        let model = Doubling { n: 20_011, target: u64::MAX };
        let guard = Guard::new(&Limits::default());
        let plain = record(&model, &Steps, &Limits::default(), 1, &guard, &mut |_| {});
        for threads in [1, 2] {
            let (recorded, violated) = checked(&model, threads);
            assert!(!violated);
            assert!(recorded.graph == plain.graph, "{threads} threads");
            assert_eq!((recorded.graph.states(), recorded.graph.edge_count()), (20_011, 40_022));
        }
    }
}
