//! Buffers of the breadth-first search's batches, kept from batch to batch.
//!
//! The merge of a batch (module `merge`) places each new state by the successor counts
//! before its source and the batch's transitions: two vectors of a batch's length, 128 KiB
//! and 256 KiB for a full parallel batch. The command line keeps every block of 128 KiB or
//! more mapped on its own (`malloc.rs`), so fresh vectors would be mapped, faulted in page by
//! page and unmapped again at every batch (in a process with several threads, an unmapping
//! also interrupts the other cores to flush their TLBs). [`MergeBuffers`] keeps them,
//! cleared, with their capacity; they never hold more than the largest batch needs.
//!
//! Each chunk of step 1 fills [`SHARDS`] buckets of three vectors each, which the merge
//! frees: 48 small blocks a chunk, taken from a worker's malloc arena and given back to it
//! from the merging thread, which then waits for that arena's lock beside the worker's own
//! allocations. [`BucketPool`] keeps the merged chunks' buckets, cleared, for the chunks
//! expanded next. Small blocks freed stay in the process's heap anyway, so keeping them
//! adds nothing resident. What a buffer holds never reaches the output: the search's result
//! is the same whichever buffer a chunk gets.

use std::sync::{Mutex, MutexGuard};

use super::{Bucket, Expanded};
use crate::visited::SHARDS;

/// Bucket sets kept at most: a few batches' chunks in flight.
const KEPT: usize = 128;

/// The buckets of merged chunks, cleared, for the chunks expanded next (see the module
/// comment); shared by the threads of a search.
#[derive(Debug, Default)]
pub(super) struct BucketPool {
    spare: Mutex<Vec<Vec<Bucket>>>,
}

impl BucketPool {
    /// [`SHARDS`] empty buckets for a chunk, each with room for `expect` transitions of
    /// `words` words: kept ones when there are, else new.
    pub(super) fn take(&self, expect: usize, words: usize) -> Vec<Bucket> {
        let mut buckets = self.lock().pop().unwrap_or_default();
        buckets.resize_with(SHARDS, Bucket::default);
        for b in &mut buckets {
            b.keys.reserve(expect);
            b.hashes.reserve(expect);
            b.packed.reserve(expect * words);
        }
        buckets
    }

    /// Keeps the buckets of the merged chunks `expanded`, cleared, up to [`KEPT`] sets.
    pub(super) fn give_back<L>(&self, expanded: Vec<Expanded<L>>) {
        let mut spare = self.lock();
        for e in expanded {
            if spare.len() >= KEPT {
                return;
            }
            let mut buckets = e.buckets;
            for b in &mut buckets {
                b.keys.clear();
                b.hashes.clear();
                b.packed.clear();
            }
            spare.push(buckets);
        }
    }

    /// The kept sets; a lock poisoned by a panicking thread still hands them out (the panic
    /// reaches the caller through the thread scope).
    fn lock(&self) -> MutexGuard<'_, Vec<Vec<Bucket>>> {
        self.spare.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// The merge's two scratch vectors, handed out cleared (see the module comment).
#[derive(Debug, Default)]
pub(super) struct MergeBuffers {
    before: Vec<usize>,
    placed: Vec<(u32, u32)>,
}

impl MergeBuffers {
    /// The vector for the transitions before each source state of the batch: empty, with
    /// the room earlier batches gave it.
    pub(super) fn before(&mut self) -> &mut Vec<usize> {
        self.before.clear();
        &mut self.before
    }

    /// What [`MergeBuffers::before`] was given, and the place of each of the batch's `total`
    /// transitions, every one `empty`.
    pub(super) fn placed(&mut self, total: usize, empty: (u32, u32)) -> (&[usize], &mut [(u32, u32)]) {
        self.placed.clear();
        self.placed.resize(total, empty);
        (&self.before, &mut self.placed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::trail::Key;

    /// A merged chunk whose buckets hold `n` transitions each.
    fn expanded(n: usize) -> Expanded<()> {
        let mut buckets: Vec<Bucket> = (0..SHARDS).map(|_| Bucket::default()).collect();
        for b in &mut buckets {
            b.keys.extend((0..n as u32).map(|ord| Key { pos: 0, ord }));
            b.hashes.extend(0..n as u64);
            b.packed.extend(0..2 * n as u64);
        }
        Expanded {
            interrupted: false,
            buckets,
            successors: Vec::new(),
            violation: None,
            allowed: Vec::new(),
            labels: Vec::new(),
            shards: Vec::new(),
            marks: Vec::new(),
        }
    }

    #[test]
    fn a_chunk_gets_back_a_merged_chunks_buckets_cleared_with_their_room() {
        let pool = BucketPool::default();
        let fresh = pool.take(10, 2);
        assert_eq!(fresh.len(), SHARDS);
        assert!(fresh.iter().all(|b| b.keys.is_empty() && b.keys.capacity() >= 10 && b.packed.capacity() >= 20));
        pool.give_back(vec![expanded(1000)]);
        let kept = pool.take(10, 2);
        assert_eq!(kept.len(), SHARDS);
        for b in &kept {
            assert!(b.keys.is_empty() && b.hashes.is_empty() && b.packed.is_empty(), "cleared");
            assert!(b.keys.capacity() >= 1000 && b.hashes.capacity() >= 1000 && b.packed.capacity() >= 2000);
        }
        let again = pool.take(10, 2);
        assert!(again.iter().all(|b| b.keys.capacity() < 1000), "one set given back, one set handed out");
    }

    #[test]
    fn the_pool_keeps_at_most_a_few_batches_of_buckets() {
        let pool = BucketPool::default();
        pool.give_back((0..KEPT + 5).map(|_| expanded(1)).collect());
        assert_eq!(pool.lock().len(), KEPT);
    }

    #[test]
    fn reused_vectors_come_back_cleared_with_their_room() {
        let mut buffers = MergeBuffers::default();
        buffers.before().extend(0..40_000);
        let (before, placed) = buffers.placed(50_000, (u32::MAX, 0));
        assert_eq!((before.len(), before[39_999]), (40_000, 39_999), "placed() shows what before() was given");
        placed[7] = (3, 4);
        let (room_before, room_placed) = (buffers.before.capacity(), buffers.placed.capacity());
        assert!(room_before >= 40_000 && room_placed >= 50_000);
        assert!(buffers.before().is_empty());
        buffers.before().push(9);
        let (before, placed) = buffers.placed(3, (u32::MAX, 0));
        assert_eq!(before, [9], "only this batch's count");
        assert_eq!(*placed, [(u32::MAX, 0); 3], "no place of the last batch is left");
        assert_eq!((buffers.before.capacity(), buffers.placed.capacity()), (room_before, room_placed));
    }
}
