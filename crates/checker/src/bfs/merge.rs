//! Step 3 of a batch of the breadth-first search (see the module comment of `bfs`): the
//! batch's new states and step violations in key order, counted against the state limit,
//! the new states put on the next level and their keys on the trail, the search stopped at
//! the first event a one-thread search would stop at.
//!
//! The merge reads only the batch's own buffers and adds only to what [`Merging`] holds, so
//! it can run on one thread while other threads expand and fill the batches behind it. The
//! batches of a level in flight between two hand-offs are [`Stages`]; the search finishes
//! them (steps 2 and 3, one after the other) with `Search::drain`.

use super::buffers::MergeBuffers;
use super::{Expanded, Filled, Mode, Search, Stop};
use crate::allowed::{AllowedEvent, AllowedTally};
use crate::checkable::Checkable;
use crate::limits::Limit;
use crate::stats::Stats;
use crate::trail::{Key, Trail};

/// The batches of a level in flight between two hand-offs to the threads.
pub(super) struct Stages<L> {
    /// Expanded, waiting for step 2.
    pub(super) expansion: Option<Expansion<L>>,
    /// Filled, waiting for step 3.
    pub(super) pending: Option<Pending<L>>,
}

/// A batch whose step 1 is done, waiting for step 2: the positions `first..end` of its
/// level, expanded in chunks, spread over `threads` threads.
pub(super) struct Expansion<L> {
    pub(super) first: usize,
    pub(super) end: usize,
    pub(super) threads: usize,
    pub(super) expanded: Vec<Expanded<L>>,
}

/// What one task of a hand-off produced: a shard filled or a chunk expanded.
pub(super) enum Done<L> {
    Filled(Filled),
    Expanded(Expanded<L>),
}

/// A batch whose steps 1 and 2 are done, waiting for step 3: the positions `first..end` of
/// its level, expanded in chunks.
pub(super) struct Pending<L> {
    pub(super) first: usize,
    pub(super) end: usize,
    pub(super) expanded: Vec<Expanded<L>>,
    pub(super) filled: Vec<Filled>,
}

/// What step 3 adds to: the search's counts, trail and allowed events, out of the search
/// while it merges.
pub(super) struct Merging {
    pub(super) stats: Stats,
    pub(super) trail: Trail,
    pub(super) allowed: AllowedTally,
}

impl Merging {
    /// Step 3 for `batch`, states of `words` words, at most `max_states` stored: the new
    /// states go on `next`, and `level_has_new` becomes true when there is one. Its scratch
    /// vectors come from `buffers`.
    pub(super) fn merge<L>(
        &mut self,
        batch: &Pending<L>,
        buffers: &mut MergeBuffers,
        words: usize,
        max_states: u64,
        next: &mut Vec<u64>,
        level_has_new: &mut bool,
    ) -> Result<(), Stop> {
        let Pending { first, expanded, filled, .. } = batch;
        let first = *first;
        // A key is a transition's place among the batch's transitions (the successor counts
        // before it, plus its number): each new state goes straight to its place, no sort
        // needed. A chunk that stopped at a step violation counts no successors for the
        // states it did not expand, so that every position keeps its place.
        let before = buffers.before();
        let mut total = 0usize;
        for e in expanded {
            for k in 0..e.states {
                before.push(total);
                total += e.successors.get(k).copied().unwrap_or(0) as usize;
            }
        }
        let (before, placed) = buffers.placed(total, (u32::MAX, 0));
        for (s, f) in filled.iter().enumerate() {
            for (i, n) in f.news.iter().enumerate() {
                placed[before[n.key.pos as usize - first] + n.key.ord as usize] = (s as u32, i as u32);
            }
        }
        let order = placed
            .iter()
            .copied()
            .filter(|&(s, _)| s != u32::MAX)
            .map(|(s, i)| (filled[s as usize].news[i as usize].key, s, i));
        let mut step_violations = expanded.iter().filter_map(|e| e.violation.as_ref()).peekable();
        for (key, s, i) in order {
            if let Some((vkey, v)) = step_violations.next_if(|(vkey, _)| *vkey < key) {
                return Err(self.stop_at(expanded, first, *vkey, Stop::Violation(v.clone(), Some(*vkey))));
            }
            if self.stats.states >= max_states {
                return Err(self.stop_at(expanded, first, key, Stop::Limit(Limit::MaxStates(max_states))));
            }
            self.stats.states += 1;
            *level_has_new = true;
            let new = &filled[s as usize].news[i as usize];
            if let Some(v) = &new.violation {
                return Err(self.stop_at(expanded, first, key, Stop::Violation(v.clone(), Some(key))));
            }
            let at = i as usize * words;
            next.extend_from_slice(&filled[s as usize].packed[at..at + words]);
            self.trail.push(key);
        }
        if let Some((vkey, v)) = step_violations.next() {
            return Err(self.stop_at(expanded, first, *vkey, Stop::Violation(v.clone(), Some(*vkey))));
        }
        self.stats.transitions += total as u64;
        self.count_allowed(expanded, None);
        Ok(())
    }

    /// Counts the transitions a one-thread search meets up to and including the one at
    /// `key`, where it stops with `stop`.
    fn stop_at<L>(&mut self, expanded: &[Expanded<L>], first: usize, key: Key, stop: Stop) -> Stop {
        let before: u64 =
            expanded.iter().flat_map(|e| &e.successors).take(key.pos as usize - first).map(|&n| n as u64).sum();
        self.stats.transitions += before + key.ord as u64 + 1;
        self.count_allowed(expanded, Some(key));
        if let Stop::Violation(_, Some(_)) = &stop {
            // The run to the violation is one step longer than the level's depth.
            self.stats.max_depth = self.stats.max_depth.max(self.trail.levels() as u32);
        }
        stop
    }

    /// Counts the allowed events of the batch's transitions, up to and including the one at
    /// `upto` (all of them for `None`): those a one-thread search meets, in its order.
    pub(super) fn count_allowed<L>(&mut self, expanded: &[Expanded<L>], upto: Option<Key>) {
        let mut events = expanded.iter().flat_map(|e| &e.allowed).take_while(|(k, _)| upto.is_none_or(|u| *k <= u));
        let mut transition: Vec<AllowedEvent> = Vec::new();
        let mut at = None;
        loop {
            let next = events.next();
            if next.map(|(k, _)| *k) != at && !transition.is_empty() {
                self.allowed.add_transition(&transition);
                transition.clear();
            }
            let Some((k, e)) = next else { break };
            at = Some(*k);
            transition.push(*e);
        }
    }
}

impl<M: Checkable + Sync, G: Mode<M>> Search<'_, M, G> {
    /// Steps 2 and 3 of the batches in flight, on the threads they were spread over.
    pub(super) fn drain(
        &mut self,
        level: &[u64],
        stages: &mut Stages<G::Label>,
        next: &mut Vec<u64>,
        level_has_new: &mut bool,
        depth: u32,
    ) -> Result<(), Stop> {
        while stages.expansion.is_some() {
            self.advance(level, None, stages, next, level_has_new, depth)?;
        }
        self.merge_pending(&mut stages.pending, next, level_has_new, depth)
    }

    /// Step 3 of the batch `pending` holds, if any, on this thread alone.
    pub(super) fn merge_pending(
        &mut self,
        pending: &mut Option<Pending<G::Label>>,
        next: &mut Vec<u64>,
        level_has_new: &mut bool,
        depth: u32,
    ) -> Result<(), Stop> {
        let Some(batch) = pending.take() else { return Ok(()) };
        let merged = if G::RECORDS {
            self.merge_recorded(&batch, next, level_has_new)
        } else {
            let mut merging = Merging {
                stats: std::mem::take(&mut self.stats),
                trail: std::mem::take(&mut self.trail),
                allowed: std::mem::take(&mut self.allowed),
            };
            let merged =
                merging.merge(&batch, &mut self.merge_buffers, self.words, self.max_states, next, level_has_new);
            (self.stats, self.trail, self.allowed) = (merging.stats, merging.trail, merging.allowed);
            merged
        };
        if *level_has_new {
            self.stats.max_depth = depth + 1;
        }
        merged
    }
}
