//! How many threads a batch of the breadth-first search runs on.
//!
//! A second thread pays only when a batch has enough work: waking a parked worker, handing
//! it chunks and merging its results cost tens of microseconds on an idle machine, and on a
//! busy one a worker may get the processor milliseconds late or lose it in the middle of a
//! chunk, which the batch then waits for. So the search starts on one thread and spreads a
//! batch over more only when each thread gets at least [`TRANSITIONS_PER_THREAD`]
//! transitions (estimated from the successors per state seen so far). Small models, and
//! the narrow levels at the start and end of a big search, run on one thread; the wide
//! levels of a big search on all of them. The choice depends only on counts, never on the
//! clock, and never changes a result.

/// How the breadth-first search spreads its batches over its threads.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Spread {
    /// Spread a batch only when it has enough transitions to pay for the threads (the
    /// default, and what `mutexcheck check` does).
    #[default]
    Adaptive,
    /// Spread every batch of more than one chunk over every thread, however small, in
    /// batches of a few hundred states: slower, but it runs the parallel hand-off on small
    /// models, a level in several batches, which the tests that compare thread counts need.
    Always,
}

/// Transitions each thread of a batch gets at least: a batch of fewer than twice this many
/// (10 to 20 ms of work on one thread of a 2-core machine) runs on one thread. Half of it
/// still paid on an idle machine, but lost to one thread when the machine was busy (see
/// BENCHMARKS.md); a full batch of the breadth-first search (16384 states) with one successor per state or more
/// always spreads.
pub const TRANSITIONS_PER_THREAD: usize = 8192;

/// The threads, at most `max`, that a batch of `states` source states with about
/// `successors` successors each runs on.
pub fn batch_threads(spread: Spread, states: usize, successors: usize, max: usize) -> usize {
    let max = max.max(1);
    match spread {
        Spread::Always => max,
        Spread::Adaptive => (states.saturating_mul(successors) / TRANSITIONS_PER_THREAD).clamp(1, max),
    }
}

/// How many of the `remaining` states of a level the next spread batch takes, at most
/// `most`, given about `successors` successors a state; `None` when no batch of them has the
/// work for a second thread (the level's rest then goes in one-thread batches).
///
/// The rest of the level is cut into equal batches (their sizes differ by one at most)
/// rather than into full batches and a remainder: a remainder too small to spread would run
/// on one thread while the other waits, at the end of every wide level. Should equal batches
/// be too small to spread where a full one is not (few successors a state), the batch is a
/// full one, as before. Like [`batch_threads`], the choice depends only on counts.
pub fn spread_batch(spread: Spread, remaining: usize, most: usize, successors: usize, max: usize) -> Option<usize> {
    let most = most.max(1);
    let full = remaining.min(most);
    let even = remaining.div_ceil(remaining.div_ceil(most).max(1));
    [even, full].into_iter().find(|&states| states > 0 && batch_threads(spread, states, successors, max) > 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_level_is_cut_into_equal_spread_batches_not_full_ones_and_a_remainder() {
        // 40000 states of 2 successors in batches of at most 16384: 13334, 13333, 13333
        // (16384, 16384 and a one-thread 7232 before).
        let mut sizes = Vec::new();
        let mut remaining = 40_000;
        while let Some(states) = spread_batch(Spread::Adaptive, remaining, 16_384, 2, 2) {
            sizes.push(states);
            remaining -= states;
        }
        assert_eq!((sizes, remaining), (vec![13_334, 13_333, 13_333], 0));
        // A level that fits in one batch is one batch.
        assert_eq!(spread_batch(Spread::Adaptive, 16_384, 16_384, 2, 2), Some(16_384));
        assert_eq!(spread_batch(Spread::Adaptive, 9_000, 16_384, 2, 2), Some(9_000));
        // 16385 states: two batches of 8193 and 8192, each 2 threads' worth at 2 successors.
        assert_eq!(spread_batch(Spread::Adaptive, 16_385, 16_384, 2, 2), Some(8_193));
        assert_eq!(spread_batch(Spread::Adaptive, 8_192, 16_384, 2, 2), Some(8_192));
    }

    #[test]
    fn a_level_too_small_to_spread_and_a_one_thread_search_get_no_spread_batch() {
        // 8191 states of 2 successors: 16382 transitions, under two threads' worth.
        assert_eq!(spread_batch(Spread::Adaptive, 8_191, 16_384, 2, 2), None);
        assert_eq!(spread_batch(Spread::Adaptive, 1_000_000, 16_384, 64, 1), None);
        assert_eq!(spread_batch(Spread::Adaptive, 0, 16_384, 2, 2), None);
        assert_eq!(spread_batch(Spread::Always, 0, 16_384, 2, 2), None);
        // Always spreads whatever the size, in equal batches.
        assert_eq!(spread_batch(Spread::Always, 3, 16_384, 1, 2), Some(3));
        assert_eq!(spread_batch(Spread::Always, 20, 8, 1, 2), Some(7));
    }

    #[test]
    fn equal_batches_too_small_to_spread_fall_back_to_a_full_batch() {
        // 20000 states of 1 successor: two equal batches of 10000 would each have under
        // 16384 transitions; a full batch of 16384 has two threads' worth.
        assert_eq!(spread_batch(Spread::Adaptive, 20_000, 16_384, 1, 2), Some(16_384));
        // Its remainder, 3616, spreads no more.
        assert_eq!(spread_batch(Spread::Adaptive, 3_616, 16_384, 1, 2), None);
    }

    #[test]
    fn a_batch_below_two_threads_worth_of_transitions_runs_on_one_thread() {
        // 2048 states of 7 successors: 14336 transitions, under 2 * 8192.
        assert_eq!(batch_threads(Spread::Adaptive, 2048, 7, 2), 1);
        assert_eq!(batch_threads(Spread::Adaptive, 1, 64, 8), 1);
        assert_eq!(batch_threads(Spread::Adaptive, 0, 3, 8), 1);
        // 2048 states of 8 successors: exactly two threads' worth.
        assert_eq!(batch_threads(Spread::Adaptive, 2048, 8, 2), 2);
        // A full batch (16384 states) spreads with one successor per state.
        assert_eq!(batch_threads(Spread::Adaptive, 16384, 1, 2), 2);
    }

    #[test]
    fn a_big_batch_spreads_over_as_many_threads_as_it_has_work_for_up_to_the_maximum() {
        // 16384 states of 3 successors: 49152 transitions, six threads' worth.
        assert_eq!(batch_threads(Spread::Adaptive, 16384, 3, 2), 2);
        assert_eq!(batch_threads(Spread::Adaptive, 16384, 3, 4), 4);
        assert_eq!(batch_threads(Spread::Adaptive, 16384, 3, 64), 6);
        assert_eq!(batch_threads(Spread::Adaptive, usize::MAX, 64, 4), 4);
    }

    #[test]
    fn one_thread_stays_one_thread_and_always_takes_every_thread() {
        assert_eq!(batch_threads(Spread::Adaptive, 16384, 64, 1), 1);
        assert_eq!(batch_threads(Spread::Always, 16384, 64, 1), 1);
        assert_eq!(batch_threads(Spread::Always, 0, 1, 0), 1);
        assert_eq!(batch_threads(Spread::Always, 2, 1, 3), 3);
    }
}
