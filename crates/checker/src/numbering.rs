//! The numbers of a recorded graph's states ([`crate::state_graph`]): breadth-first
//! discovery order, given once the recording ends.
//!
//! While the graph is recorded, an edge names its target by where the visited store keeps
//! it: its shard and its number in the shard ([`Numbering::provisional`]). States are
//! numbered in the order a one-thread breadth-first search meets them, which is the order
//! of their first edge in row order (the initial state, met by none, is 0): so one pass over
//! the edges at the end numbers every state and rewrites each edge with its target's number.
//! The table this takes (4 bytes a state, by shard and shard number) is made after the
//! visited store is freed, instead of growing beside it, where it would add to the
//! recording's peak memory.

use crate::guard::Guard;
use crate::limits::Limit;
use crate::packed::bits_for;
use crate::state_graph::{EdgeLabel, RecordedGraph};
use crate::visited::SHARDS;

/// Bits of a provisional target that name its shard.
const SHARD_BITS: u32 = SHARDS.trailing_zeros();
const _: () = assert!(1 << SHARD_BITS == SHARDS);

/// How many states each shard holds, and where the initial state is: what
/// [`Numbering::renumber`] needs of the visited store.
#[derive(Clone, Debug)]
pub(crate) struct Numbering {
    sizes: Vec<u64>,
    initial: u64,
}

impl Default for Numbering {
    fn default() -> Numbering {
        Numbering { sizes: vec![0; SHARDS], initial: 0 }
    }
}

impl Numbering {
    /// The initial state is number 0 of `shard`.
    pub fn initial(&mut self, shard: usize) {
        self.initial = Numbering::provisional(shard, 0);
        self.sizes[shard] = self.sizes[shard].max(1);
    }

    /// `count` more states were stored in `shard` (before any edge names them).
    pub fn stored(&mut self, shard: usize, count: usize) {
        self.sizes[shard] += count as u64;
    }

    /// How many states each shard holds.
    pub fn sizes(&self) -> impl Iterator<Item = u64> + '_ {
        self.sizes.iter().copied()
    }

    /// The target of an edge to the state number `local` of `shard` while recording.
    #[inline]
    pub fn provisional(shard: usize, local: u32) -> u64 {
        (local as u64) << SHARD_BITS | shard as u64
    }

    /// Numbers the states of `graph` (whose targets are provisional) in the order their
    /// first edge comes, after the initial state, and seals it ([`RecordedGraph::seal`])
    /// with every target rewritten as its number.
    /// Returns the bytes the numbering held.
    pub fn renumber<L: EdgeLabel>(&self, graph: &mut RecordedGraph<L>, guard: &Guard) -> Result<usize, Limit> {
        const UNSET: u32 = u32::MAX;
        let total: u64 = self.sizes.iter().sum();
        guard.room_for(total as usize * 4)?;
        let mut ids: Vec<Vec<u32>> = self.sizes.iter().map(|&n| vec![UNSET; n as usize]).collect();
        let bytes = ids.iter().map(|v| v.capacity() * 4).sum();
        let at = |code: u64| ((code & (SHARDS as u64 - 1)) as usize, (code >> SHARD_BITS) as usize);
        let (shard, local) = at(self.initial);
        if let Some(id) = ids[shard].get_mut(local) {
            *id = 0;
        }
        let mut next = 1u32;
        graph.seal(
            bits_for(total.saturating_sub(1)),
            |code| {
                let (shard, local) = at(code);
                let id = &mut ids[shard][local];
                if *id == UNSET {
                    *id = next;
                    next += 1;
                }
                *id as u64
            },
            guard,
        )?;
        Ok(bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::limits::Limits;

    #[test]
    fn states_are_numbered_by_their_first_edge_in_row_order_after_the_initial_one() {
        let guard = Guard::new(&Limits::default());
        let mut numbering = Numbering::default();
        numbering.initial(9);
        numbering.stored(9, 1);
        numbering.stored(SHARDS - 1, 2);
        let (a, b, c) =
            (Numbering::provisional(9, 0), Numbering::provisional(9, 1), Numbering::provisional(SHARDS - 1, 0));
        let d = Numbering::provisional(SHARDS - 1, 1);
        // Rows: 0 -> {c, a}; 1 -> {b, d, c}: c is met first (1), then b (2), then d (3).
        let mut g: RecordedGraph<u8> = RecordedGraph::new(0);
        for row in [&[c, a][..], &[b, d, c]] {
            for &t in row {
                g.push_edge(t, 0, &guard).unwrap();
            }
            g.end_row(&[], &guard).unwrap();
        }
        numbering.renumber(&mut g, &guard).unwrap();
        assert_eq!(g.targets(), [1, 0, 2, 3, 1]);
        // Four states: 2 bits a target.
        assert_eq!(g.edge_widths(), (2, 0));
    }
}
