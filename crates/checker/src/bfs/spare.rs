//! The vectors of filled shards, kept from a merged batch for the batches behind it.
//!
//! Step 2 puts each shard's new states of a batch in two vectors (the new states' keys, and
//! the states packed), grown push by push: on a batch of two threads, a thousand states or
//! so a shard, so each vector doubles some ten times, copying what it holds, batch after
//! batch, and is freed after the merge by the other thread than the one that allocated it (a
//! free into another thread's heap, which takes that heap's lock). [`Spares`] takes them
//! back once their batch is merged and hands them out again, emptied but with their room.
//! It keeps one batch's worth at most ([`MAX_FILLS`]): what one merge gives back and the
//! next hand-off's fills take. (The chunks' buckets are not kept: a chunk's buckets are
//! small and many, and kept at the size of the largest chunk they raised the peak memory.)

use super::{Filled, New, Pending};
use crate::handoff::{lock, Mutex};
use crate::visited::SHARDS;

/// Filled shards' vectors kept at most: one batch's.
const MAX_FILLS: usize = SHARDS;

/// Emptied vectors of merged batches' fills (see the module comment).
#[derive(Default)]
pub(super) struct Spares {
    fills: Mutex<Vec<(Vec<New>, Vec<u64>)>>,
}

impl Spares {
    /// The new states' and packed states' vectors for a shard's fill, empty.
    pub(super) fn fill(&self) -> (Vec<New>, Vec<u64>) {
        lock(&self.fills).pop().unwrap_or_default()
    }

    /// Takes back the fills' vectors of `batch`, merged (its other vectors are dropped).
    pub(super) fn give<L>(&self, batch: Pending<L>) {
        drop(batch.expanded);
        let mut fills = lock(&self.fills);
        for Filled { mut news, mut packed, .. } in batch.filled {
            if fills.len() < MAX_FILLS {
                news.clear();
                packed.clear();
                fills.push((news, packed));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::trail::Key;

    fn filled(news: u32, words: usize) -> Filled {
        Filled {
            news: (0..news).map(|pos| New { key: Key { pos, ord: 0 }, violation: None }).collect(),
            packed: vec![7; news as usize * words],
            stopped: None,
            locals: vec![],
            base: 0,
        }
    }

    #[test]
    fn vectors_come_back_empty_with_their_room() {
        let spares = Spares::default();
        spares.give(Pending::<()> { first: 0, end: 1, expanded: vec![], filled: vec![filled(300, 2)] });
        let (news, packed) = spares.fill();
        assert_eq!((news.len(), packed.len()), (0, 0));
        assert!(news.capacity() >= 300 && packed.capacity() >= 600, "room kept");
        // Nothing more to hand back: new, empty vectors.
        let (news, packed) = spares.fill();
        assert_eq!((news.capacity(), packed.capacity()), (0, 0));
    }

    #[test]
    fn no_more_is_kept_than_one_batch_uses() {
        let spares = Spares::default();
        for _ in 0..3 {
            let batch = (0..SHARDS).map(|_| filled(5, 2)).collect();
            spares.give(Pending::<()> { first: 0, end: 0, expanded: vec![], filled: batch });
        }
        assert_eq!(lock(&spares.fills).len(), MAX_FILLS);
    }
}
