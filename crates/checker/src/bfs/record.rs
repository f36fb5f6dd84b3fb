//! The breadth-first search in recording mode: the whole state graph, as
//! [`crate::state_graph`] defines it, built by the same parallel search.
//!
//! Steps 1 and 2 run as for the safety search: each transition
//! gets its label and its shard, each expanded state its marks, and each shard, filled in key
//! order, hands back the shard's own number of every target (numbers at or past the shard's
//! size before the batch are states the batch found). Step 3 walks the batch's transitions in
//! key order: a target the shard held before has the global id kept beside the shard (one
//! 4-byte word per state, by the shard's number); a target new in this batch gets the next id
//! the first time it is met. Key order is the order of a one-thread breadth-first search, so
//! the ids are its discovery order and the graph is the same for any number of threads.
//!
//! Recording needs whole states (a fingerprint cannot be numbered): the shards are
//! [`Shard::indexed`] whatever `--fingerprints` says.
//!
//! A recording either checks no property (the caller checked safety before, or does not ask
//! for it) or checks every one as the safety search does ([`Recording::checks`]: the state
//! chain, the step checks, the allowed outcomes, in the same batches): then a model with
//! liveness properties is explored once, and a violation stops the recording
//! ([`Checked::Violated`]) for the caller to find its shortest run with the safety search.

use super::{Expanded, Filled, Search, Stop};
use crate::checkable::Checkable;
use crate::guard::Guard;
use crate::handoff::lock;
use crate::limits::{Limit, Limits};
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

/// The graph being recorded, and the global id of each stored state by shard and shard
/// number.
pub(super) struct Recording<'r, R, L> {
    recorder: &'r R,
    /// Every property is checked too, as by the safety search (see the module comment).
    checks: bool,
    mark_words: usize,
    /// [`Recorder::parents`].
    parents: bool,
    ids: Vec<Vec<u32>>,
    graph: RecordedGraph<L>,
}

/// Below this size a vector that grows may be copied (the allocator moves it); above, the
/// system remaps its pages (glibc serves blocks of 32 MiB and more by `mmap` and grows them
/// with `mremap`).
const COPIED_BELOW: usize = 32 << 20;

/// Makes room for `more` items in `v` (at least doubling it) when the memory bound allows.
/// What becomes resident is the items written, plus the old block while a small vector is
/// copied: the unwritten rest of a doubled vector takes no memory yet, so a graph of a few
/// hundred million edges is not refused for the half of its last doubling it never uses.
fn room<T>(v: &mut Vec<T>, more: usize, guard: &Guard) -> Result<(), Limit> {
    if v.capacity() - v.len() >= more {
        return Ok(());
    }
    let size = std::mem::size_of::<T>();
    guard.room_for(more * size + (v.capacity() * size).min(COPIED_BELOW))?;
    let want = (v.len() + more).max(2 * v.capacity());
    v.reserve_exact(want - v.len());
    Ok(())
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
        self.ids[shard].push(0);
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
        let g = &mut self.graph;
        room(&mut g.targets, edges, guard).map_err(no_key)?;
        room(&mut g.labels, edges, guard).map_err(no_key)?;
        room(&mut g.offsets, rows, guard).map_err(no_key)?;
        room(&mut g.marks, rows * self.mark_words, guard).map_err(no_key)?;
        if self.parents {
            room(&mut g.parents, fresh.iter().sum(), guard).map_err(no_key)?;
        }
        for (ids, &n) in self.ids.iter_mut().zip(&fresh) {
            room(ids, n, guard).map_err(no_key)?;
        }
        let (batch_edges, mut row) = (g.targets.len(), first);
        // The global id of each state new in this batch, by shard and rank, once met.
        let mut new_ids: Vec<Vec<u32>> = fresh.iter().map(|&n| vec![u32::MAX; n]).collect();
        let mut cursor = [0usize; SHARDS];
        for e in expanded {
            let mut t = 0;
            for (k, &n) in e.successors.iter().enumerate() {
                let source = (g.offsets.len() - 1) as u32;
                for ord in 0..n {
                    let s = e.shards[t] as usize;
                    let (local, base) = (filled[s].locals[cursor[s]], filled[s].base);
                    cursor[s] += 1;
                    let target = if local < base {
                        self.ids[s][local as usize]
                    } else {
                        let rank = (local - base) as usize;
                        if new_ids[s][rank] == u32::MAX {
                            if stats.states >= max_states {
                                let mut key = None;
                                if self.checks {
                                    // The safety search's count: the batch's transitions up to
                                    // this one, which it meets too.
                                    stats.transitions += (g.targets.len() - batch_edges + 1) as u64;
                                    key = Some(Key { pos: row as u32, ord });
                                }
                                // Only whole rows stay.
                                let kept = *g.offsets.last().unwrap_or(&0) as usize;
                                g.targets.truncate(kept);
                                g.labels.truncate(kept);
                                return Err((Limit::MaxStates(max_states), key));
                            }
                            new_ids[s][rank] = stats.states as u32;
                            stats.states += 1;
                            if self.parents {
                                g.parents.push((source, ord));
                            }
                            next.extend_from_slice(&filled[s].packed[rank * words..(rank + 1) * words]);
                        }
                        new_ids[s][rank]
                    };
                    g.targets.push(target);
                    g.labels.push(e.labels[t]);
                    t += 1;
                }
                g.offsets.push(g.targets.len() as u64);
                g.marks.extend_from_slice(&e.marks[k * self.mark_words..(k + 1) * self.mark_words]);
                row += 1;
            }
        }
        // Every state new in the batch was reached by one of its transitions: all numbered.
        for (ids, new) in self.ids.iter_mut().zip(new_ids) {
            ids.extend(new);
        }
        stats.transitions += edges as u64;
        Ok(())
    }
}

impl<M: Checkable + Sync, G: Mode<M>> Search<'_, M, G> {
    /// Step 3 of a recording ([`Mode::merge`]). One that checks stops at a batch with a
    /// violation (which one comes first is the safety search's to say), and otherwise counts
    /// as the safety search does what it plans the next batches by and reports.
    pub(super) fn merge(
        &mut self,
        expanded: &[Expanded<G::Label>],
        filled: &[Filled],
        first: usize,
        end: usize,
        next: &mut Vec<u64>,
        level_has_new: &mut bool,
    ) -> Result<(), Stop> {
        if self.mode.checks() {
            let step = expanded.iter().find_map(|e| e.violation.as_ref().map(|(_, v)| v));
            let state = || filled.iter().flat_map(|f| &f.news).find_map(|n| n.violation.as_ref());
            if let Some(v) = step.or_else(state) {
                return Err(Stop::Violation(v.clone(), None));
            }
        }
        let had = next.len();
        let merged =
            self.mode.merge(expanded, filled, first, self.words, next, &mut self.stats, self.max_states, self.guard);
        *level_has_new |= next.len() > had;
        if let Err((limit, key)) = merged {
            if let Some(key) = key {
                self.count_allowed(expanded, Some(key));
            }
            return Err(Stop::Limit(limit));
        }
        if self.mode.checks() {
            self.count_allowed(expanded, None);
            let total: usize = expanded.iter().flat_map(|e| &e.successors).map(|&n| n as usize).sum();
            self.successors_per_state = (total.div_ceil(end - first)).clamp(1, 64);
        }
        Ok(())
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

/// [`record`] and [`record_checked`]; true beside the graph when a check found a violation.
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
        ids: vec![Vec::new(); SHARDS],
        graph: RecordedGraph {
            offsets: vec![0],
            targets: Vec::new(),
            labels: Vec::new(),
            mark_words,
            marks: Vec::new(),
            parents: Vec::new(),
        },
    };
    // Without checks the spread is always adaptive (the statistics' threads are not reported).
    let spread = if checks { engine.spreads() } else { Spread::Adaptive };
    let mut search =
        Search::new(model, &limits, engine.thread_count(), spread, Shard::indexed, Storage::Full, guard, mode);
    let (stopped, violated) = match search.search(progress) {
        Ok(None) => (None, false),
        Ok(Some(limit)) | Err(super::Stop::Limit(limit)) => (Some(limit), false),
        // Only a recording that checks stops at a violation; the graph is partial.
        Err(super::Stop::Violation(..)) => (Some(guard.cut_short_by()), true),
    };
    let shards: usize = search.shards.iter().map(|s| lock(s).bytes()).sum();
    let ids: usize = search.mode.ids.iter().map(|v| v.capacity() * 4).sum();
    let graph = search.mode.graph;
    let mut stats = search.stats;
    if !checks {
        // Only whole rows count: the states expanded and their transitions. A recording that
        // checks counts as the safety search does (the states found), which it reports when a
        // bound stops it; whole, both count the same.
        stats.states = graph.states() as u64;
        stats.transitions = graph.targets.len() as u64;
    }
    stats.elapsed = search.start.elapsed();
    stats.peak_rss_kb = peak_rss_kb();
    stats.stored_bytes = (shards + ids + graph.bytes()) as u64;
    stats.allowed = search.allowed.into_counts();
    (Recorded { graph, stats, stopped }, violated)
}
