//! How step 1 cuts a batch's source states into chunks, the tasks the threads claim.
//!
//! The threads of a hand-off meet at its end: the one that finishes first waits for the
//! other's last task. Chunks of one size make that wait up to a whole chunk's expansion
//! (a fifth of a millisecond at [`super::CHUNK`] states), at every hand-off. So the chunks
//! shrink towards the end of a batch, each a share of what is left ("guided"
//! self-scheduling): long chunks while there is plenty of work, few states each in the last
//! tasks, so the threads finish within a short chunk of one another (not too short: each
//! chunk sets up its buckets and its expander anew, some microseconds each). On one thread
//! nothing waits, and the chunks keep one size. The cut depends only on counts, and a
//! chunk's states keep their positions, so it never shows in a result.

/// Source states a chunk takes at least (unless fewer are left): the length of the last
/// tasks of a batch spread over several threads.
pub(super) const MIN_CHUNK: usize = 128;

/// Writes to `bounds` where the chunks of a batch of `states` source states begin, and
/// `states` last, so that chunk `c` is `bounds[c]..bounds[c + 1]`: chunks of at most `most`
/// states; on several `threads`, each half an even share of what is left when that is less,
/// and at least [`MIN_CHUNK`].
pub(super) fn chunk_bounds(states: usize, threads: usize, most: usize, bounds: &mut Vec<usize>) {
    let most = most.max(1);
    let least = MIN_CHUNK.min(most);
    bounds.clear();
    let mut at = 0;
    while at < states {
        bounds.push(at);
        let left = states - at;
        let size = if threads > 1 { (left / (2 * threads)).clamp(least, most) } else { most };
        at += size.min(left);
    }
    bounds.push(states);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sizes(states: usize, threads: usize, most: usize) -> Vec<usize> {
        let mut bounds = Vec::new();
        chunk_bounds(states, threads, most, &mut bounds);
        bounds.windows(2).map(|w| w[1] - w[0]).collect()
    }

    #[test]
    fn chunks_cover_every_state_once_in_order_whatever_the_cut() {
        let mut bounds = Vec::new();
        for states in [0, 1, 2, 63, 64, 65, 511, 512, 513, 1000, 4096, 13_333, 16_384, 100_003] {
            for threads in [1, 2, 3, 8] {
                for most in [1, 7, 64, 100, 512] {
                    chunk_bounds(states, threads, most, &mut bounds);
                    assert_eq!((bounds[0], *bounds.last().unwrap()), (0, states), "{states} {threads} {most}");
                    // Strictly increasing: no state twice, none skipped, no empty chunk.
                    assert!(bounds.windows(2).all(|w| w[0] < w[1]), "{states} {threads} {most}: {bounds:?}");
                    assert!(bounds.windows(2).all(|w| w[1] - w[0] <= most), "{states} {threads} {most}");
                }
            }
        }
    }

    #[test]
    fn one_thread_gets_chunks_of_one_size() {
        assert_eq!(sizes(1300, 1, 512), vec![512, 512, 276]);
        assert_eq!(sizes(0, 1, 512), Vec::<usize>::new());
    }

    #[test]
    fn several_threads_get_long_chunks_first_and_short_ones_last() {
        let s = sizes(16_384, 2, 512);
        // 2048 states or more left: full chunks, 29 of them.
        assert_eq!(s[..29], [512; 29]);
        // Then a quarter of what is left: 1536 / 4.
        assert_eq!(s[29], 384);
        assert!(s.windows(2).all(|w| w[0] >= w[1]), "never longer than the chunk before: {s:?}");
        assert_eq!(s[s.len() - 4..], [128, 128, 128, 102], "the last tasks are the shortest");
        assert_eq!(s.len(), 37);
        assert_eq!(s.iter().sum::<usize>(), 16_384);
        // 1000 states on two threads, by hand: a quarter of what is left (1000 / 4 = 250,
        // 750 / 4 = 187, 563 / 4 = 140) down to 128 states, and the 39 left over.
        assert_eq!(sizes(1000, 2, 512), vec![250, 187, 140, 128, 128, 128, 39]);
        // A remainder under the shortest chunk is one last chunk.
        assert_eq!(sizes(100, 2, 512), vec![100]);
        assert_eq!(sizes(300, 2, 512), vec![128, 128, 44]);
    }
}
