//! The visited store: every state seen so far, packed and stored once, with the way it was
//! reached.
//!
//! Packed states (a fixed number of 64-bit words each, see [`crate::Checkable::pack`]) live
//! back to back in one flat arena indexed by discovery order, so a stored state costs its
//! words and no allocation of its own. The hash table holds only 4-byte indices and hashes
//! and compares through the arena. Each entry records its parent's index and its depth, so
//! a trace is rebuilt by walking parents back to the initial state.

use std::hash::BuildHasher;

use hashbrown::HashTable;
use rustc_hash::FxBuildHasher;

/// Index of a state in the store, in discovery order (the initial state is 0).
pub type StateId = u32;

/// How a state was first reached.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Entry {
    /// The state it was reached from (itself for the initial state).
    pub parent: StateId,
    /// Number of steps from the initial state along the parent chain.
    pub depth: u32,
}

/// The set of visited states with their parent pointers.
pub struct Store {
    words: usize,
    arena: Vec<u64>,
    entries: Vec<Entry>,
    table: HashTable<StateId>,
    hasher: FxBuildHasher,
}

impl Store {
    /// An empty store of states packed into `words` words each.
    pub fn new(words: usize) -> Store {
        Store { words, arena: Vec::new(), entries: Vec::new(), table: HashTable::new(), hasher: FxBuildHasher }
    }

    /// How many distinct states are stored.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when no state is stored.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    fn slice(arena: &[u64], words: usize, id: StateId) -> &[u64] {
        &arena[id as usize * words..(id as usize + 1) * words]
    }

    /// Stores the packed state if it is new and returns its id and whether it was new. A
    /// state seen before keeps its first parent, which in breadth-first order is on a
    /// shortest path.
    pub fn insert(&mut self, packed: &[u64], entry: Entry) -> (StateId, bool) {
        debug_assert_eq!(packed.len(), self.words);
        let hash = self.hasher.hash_one(packed);
        let (arena, words) = (&self.arena, self.words);
        if let Some(&id) = self.table.find(hash, |&id| Store::slice(arena, words, id) == packed) {
            return (id, false);
        }
        let id = self.entries.len() as StateId;
        let hasher = &self.hasher;
        self.table.insert_unique(hash, id, |&i| hasher.hash_one(Store::slice(arena, words, i)));
        self.arena.extend_from_slice(packed);
        self.entries.push(entry);
        (id, true)
    }

    /// The id of the packed state, if it is stored.
    pub fn find(&self, packed: &[u64]) -> Option<StateId> {
        let hash = self.hasher.hash_one(packed);
        self.table.find(hash, |&id| Store::slice(&self.arena, self.words, id) == packed).copied()
    }

    /// The packed state with this id.
    pub fn packed(&self, id: StateId) -> &[u64] {
        Store::slice(&self.arena, self.words, id)
    }

    /// How the state with this id was reached.
    pub fn entry(&self, id: StateId) -> Entry {
        self.entries[id as usize]
    }

    /// The ids from the initial state to `id`, both included.
    pub fn path_to(&self, id: StateId) -> Vec<StateId> {
        let mut path = vec![id];
        let mut at = id;
        while at != 0 {
            at = self.entries[at as usize].parent;
            path.push(at);
        }
        path.reverse();
        path
    }

    /// When the next insertion rehashes the store's table into one about twice as large:
    /// the bytes of that new table, held beside the old one for a moment (0 when the next
    /// insertion fits). The arena and the entries grow by reallocation and become resident
    /// only as states are written, so they make no such step.
    pub fn growth_bytes(&self) -> usize {
        if self.table.len() < self.table.capacity() {
            return 0;
        }
        ((self.table.len() + 1) * 8 / 7 + 1).next_power_of_two() * (std::mem::size_of::<StateId>() + 1)
    }

    /// The bytes the store has reserved: packed states, entries and the hash table.
    pub fn bytes(&self) -> usize {
        self.arena.capacity() * 8
            + self.entries.capacity() * std::mem::size_of::<Entry>()
            + self.table.capacity() * (std::mem::size_of::<StateId>() + 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_state_is_stored_once_and_keeps_its_first_parent() {
        let mut store = Store::new(2);
        assert_eq!(store.insert(&[1, 0], Entry { parent: 0, depth: 0 }), (0, true));
        assert_eq!(store.insert(&[2, 0], Entry { parent: 0, depth: 1 }), (1, true));
        assert_eq!(store.insert(&[2, 1], Entry { parent: 1, depth: 2 }), (2, true));
        assert_eq!(store.insert(&[2, 0], Entry { parent: 2, depth: 3 }), (1, false));
        assert_eq!(store.len(), 3);
        assert_eq!(store.entry(1), Entry { parent: 0, depth: 1 });
        assert_eq!(store.path_to(2), vec![0, 1, 2]);
        assert_eq!(store.packed(2), &[2, 1]);
        assert_eq!(store.find(&[2, 1]), Some(2));
        assert_eq!(store.find(&[1, 1]), None);
    }

    #[test]
    fn many_states_survive_table_growth() {
        let mut store = Store::new(1);
        for v in 0..10_000u64 {
            assert_eq!(store.insert(&[v * 7], Entry { parent: 0, depth: 0 }), (v as StateId, true));
        }
        for v in 0..10_000u64 {
            assert_eq!(store.find(&[v * 7]), Some(v as StateId));
        }
        assert_eq!(store.find(&[1]), None);
    }
}
