//! Where step 1 puts the transitions of the states it expands (with
//! [`crate::expansion::Expander`], as the cluster does): each target, keyed by its source's
//! position and its successor number, in the bucket of its visited-set shard.

use std::ops::ControlFlow;

use super::record::Mode;
use super::Expanded;
use crate::allowed::AllowedEvent;
use crate::checkable::Checkable;
use crate::expansion::Transitions;
use crate::trail::Key;
use crate::visited::shard_of;

/// The receiver of one source state's transitions: the chunk's buckets, its allowed events
/// and successor counts, and what a recording keeps of each transition.
pub(super) struct Chunk<'a, G, L> {
    pub out: &'a mut Expanded<L>,
    pub mode: &'a G,
    /// The source state's position in the level.
    pub pos: u32,
}

impl<M: Checkable, L, G: Mode<M, Label = L>> Transitions<M> for Chunk<'_, G, L> {
    #[inline]
    fn listed(&mut self, state: &M::State, successors: &[(M::Step, M::State)]) {
        self.out.successors.push(successors.len() as u32);
        if G::RECORDS {
            self.mode.record(state, successors, self.out);
        }
    }

    #[inline]
    fn allowed(&mut self, ord: u32, events: &[AllowedEvent]) {
        let key = Key { pos: self.pos, ord };
        self.out.allowed.extend(events.iter().map(|e| (key, *e)));
    }

    #[inline]
    fn target(&mut self, ord: u32, _: &M::State, packed: &[u64], hash: u64) -> ControlFlow<()> {
        if G::RECORDS {
            self.out.shards.push(shard_of(hash) as u8);
        }
        let bucket = &mut self.out.buckets[shard_of(hash)];
        bucket.keys.push(Key { pos: self.pos, ord });
        bucket.hashes.push(hash);
        bucket.packed.extend_from_slice(packed);
        ControlFlow::Continue(())
    }
}
