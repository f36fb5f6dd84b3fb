//! The end of a level of the breadth-first search, overlapped with the start of the next.
//!
//! The last batch of a level is merged (step 3) after every other step of the level is
//! done, and the next level's first batch cannot be expanded before it has its states: on
//! two threads, one of them would wait through every level's last merge. But the next
//! level's first states are already there, merged from the level's other batches, so the
//! next level's first batch is cut from those ([`Search::batch_plan`] of that many states,
//! a count, never a time) and expanded by the threads while the calling thread merges the
//! last batch beside them. The merge writes to a vector of its own, appended to the next
//! level afterwards, because the expansion reads the next level meanwhile. The level itself
//! is freed before: every state of it is expanded by then, and the next level's first
//! batch takes its place, so the overlap holds no more memory than the search did.
//!
//! A stop found by that merge is still the first: nothing of the next level is merged,
//! counted or reported before it, so the result is the one-thread search's. The overlap is
//! skipped where the next level is not expanded (a depth limit), where the batch would run
//! on one thread, where the memory bound has no room for it, and when the graph is recorded
//! (whose merge writes what the expansion reads).

use super::merge::Stages;
use super::record::Mode;
use super::{Search, Stop, CHUNK};
use crate::checkable::Checkable;

impl<M: Checkable + Sync, G: Mode<M>> Search<'_, M, G> {
    /// Finishes the level `level` at `depth` whose batches in flight are `stages` and whose new
    /// states so far are `next`: steps 2 and 3 of its last batches, the last merge beside step
    /// 1 of the next level's first batch where it can (see the module comment). Returns how
    /// many of the next level's first states were expanded (`stages` then holds them,
    /// waiting for step 2); 0 when none were.
    pub(super) fn end_level(
        &mut self,
        level: Vec<u64>,
        stages: &mut Stages<G::Label>,
        next: &mut Vec<u64>,
        level_has_new: &mut bool,
        depth: u32,
    ) -> Result<usize, Stop> {
        while stages.expansion.is_some() {
            self.advance(&level, None, stages, next, level_has_new, depth)?;
        }
        // Expanded to its last state: the level is needed no more.
        drop(level);
        let ahead = self.ahead_plan(stages, next.len() / self.words, depth);
        if ahead == 0 {
            self.merge_pending(&mut stages.pending, next, level_has_new, depth)?;
            return Ok(0);
        }
        let mut tail = Vec::new();
        let advanced = self.advance(next, Some((0, ahead)), stages, &mut tail, level_has_new, depth);
        next.extend_from_slice(&tail);
        #[cfg(test)]
        {
            self.ahead += ahead;
        }
        advanced.map(|()| ahead)
    }

    /// How many of the `head` states of the next level merged so far its first batch takes,
    /// expanded beside the level's last merge: 0 when there is no such overlap (see the
    /// module comment). Sets the batch's threads and chunk as the search's loop does.
    fn ahead_plan(&mut self, stages: &Stages<G::Label>, head: usize, depth: u32) -> usize {
        if G::RECORDS || stages.pending.is_none() || head == 0 {
            return 0;
        }
        if self.limits.max_depth.is_some_and(|max| depth + 1 >= max) {
            return 0;
        }
        let (states, threads) = self.batch_plan(head);
        if threads < 2 || self.guard.room_for(2 * states * self.bytes_per_state()).is_err() {
            return 0;
        }
        self.batch_threads = threads;
        self.stats.threads = self.stats.threads.max(threads as u32);
        self.chunk = CHUNK.min(states.div_ceil(threads));
        states
    }
}

#[cfg(test)]
mod tests {
    use super::super::record::Unrecorded;
    use super::*;
    use crate::guard::Guard;
    use crate::limits::{Limit, Limits};
    use crate::spread::Spread;
    use crate::stats::Storage;
    use crate::test_model::Doubling;
    use crate::trail::Key;
    use crate::visited::Shard;

    /// How a search ended, what it counted, and how many states it expanded ahead.
    type Run = (Result<Option<Limit>, Option<(String, Option<Key>)>>, (u64, u64, u32), usize);

    fn run(model: &Doubling, threads: usize, spread: Spread, limits: &Limits) -> Run {
        let guard = Guard::new(limits);
        let storage = Storage::of(false, 1);
        let shard = |words| Shard::new(words, false);
        let mut search = Search::new(model, limits, threads, spread, shard, storage, &guard, Unrecorded);
        let end = search.search(&mut |_| {}).map_err(|stop| match stop {
            Stop::Violation(v, key) => Some((v.message, key)),
            Stop::Limit(_) => None,
        });
        (end, (search.stats.states, search.stats.transitions, search.stats.max_depth), search.ahead)
    }

    #[test]
    fn the_next_levels_first_batch_expanded_beside_the_last_merge_gives_the_one_thread_result() {
        // 3000 numbers, levels of up to a few hundred states: several 256-state batches a
        // level when every batch is spread.
        for target in [0, 1, 7, 100, 1500, 2047, 2999, 3000] {
            let model = Doubling { n: 3000, target };
            let limits = Limits::default();
            let (one, one_counts, one_ahead) = run(&model, 1, Spread::Adaptive, &limits);
            assert_eq!(one_ahead, 0, "one thread never expands ahead");
            for threads in [2, 3] {
                let (end, counts, ahead) = run(&model, threads, Spread::Always, &limits);
                assert_eq!((&end, counts), (&one, one_counts), "target {target}, {threads} threads");
                if target == 3000 {
                    // Unreachable: the wide levels start with a batch expanded beside the
                    // last merge of the level before (985 states of 3000 on 2 threads).
                    assert_eq!((&one, one_counts.0), (&Ok(None), 3000));
                    assert!(ahead > 0, "no state expanded ahead");
                }
            }
        }
    }

    #[test]
    fn a_depth_or_state_limit_stops_an_overlapped_search_where_one_thread_stops() {
        let model = Doubling { n: 3000, target: 3000 };
        for limits in [
            Limits { max_depth: Some(5), ..Limits::default() },
            Limits { max_depth: Some(12), ..Limits::default() },
            Limits { max_states: Some(1000), ..Limits::default() },
            Limits { max_states: Some(2999), ..Limits::default() },
        ] {
            let (one, one_counts, _) = run(&model, 1, Spread::Adaptive, &limits);
            for threads in [2, 3] {
                let (end, counts, _) = run(&model, threads, Spread::Always, &limits);
                assert_eq!((&end, counts), (&one, one_counts), "{limits:?}, {threads} threads");
            }
        }
    }
}
