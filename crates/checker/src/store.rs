//! The visited store: every state seen so far, stored once, with the way it was reached.
//!
//! States live in an arena indexed by discovery order; the hash table holds only 4-byte
//! indices and hashes and compares through the arena. Each entry records its parent's index
//! and its depth, so a trace is rebuilt by walking parents back to the initial state.

use std::hash::{BuildHasher, Hash};

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
pub struct Store<S> {
    states: Vec<S>,
    entries: Vec<Entry>,
    table: HashTable<StateId>,
    hasher: FxBuildHasher,
}

impl<S: Hash + Eq> Store<S> {
    /// An empty store.
    pub fn new() -> Store<S> {
        Store { states: Vec::new(), entries: Vec::new(), table: HashTable::new(), hasher: FxBuildHasher }
    }

    /// How many distinct states are stored.
    pub fn len(&self) -> usize {
        self.states.len()
    }

    /// True when no state is stored.
    pub fn is_empty(&self) -> bool {
        self.states.is_empty()
    }

    /// Stores `state` if it is new and returns its id and whether it was new. A state seen
    /// before keeps its first parent, which in breadth-first order is on a shortest path.
    pub fn insert(&mut self, state: S, entry: Entry) -> (StateId, bool) {
        let hash = self.hasher.hash_one(&state);
        let states = &self.states;
        if let Some(&id) = self.table.find(hash, |&id| states[id as usize] == state) {
            return (id, false);
        }
        let id = self.states.len() as StateId;
        let hasher = &self.hasher;
        self.table.insert_unique(hash, id, |&i| hasher.hash_one(&states[i as usize]));
        self.states.push(state);
        self.entries.push(entry);
        (id, true)
    }

    /// The id of `state`, if it is stored.
    pub fn find(&self, state: &S) -> Option<StateId> {
        let hash = self.hasher.hash_one(state);
        self.table.find(hash, |&id| self.states[id as usize] == *state).copied()
    }

    /// The state with this id.
    pub fn state(&self, id: StateId) -> &S {
        &self.states[id as usize]
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

    /// A rough count of the bytes this store holds besides the states' own heap data.
    pub fn overhead_bytes(&self) -> usize {
        self.states.capacity() * std::mem::size_of::<S>()
            + self.entries.capacity() * std::mem::size_of::<Entry>()
            + self.table.capacity() * (std::mem::size_of::<StateId>() + 1)
    }
}

impl<S: Hash + Eq> Default for Store<S> {
    fn default() -> Self {
        Store::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_state_is_stored_once_and_keeps_its_first_parent() {
        let mut store = Store::new();
        assert_eq!(store.insert("a", Entry { parent: 0, depth: 0 }), (0, true));
        assert_eq!(store.insert("b", Entry { parent: 0, depth: 1 }), (1, true));
        assert_eq!(store.insert("c", Entry { parent: 1, depth: 2 }), (2, true));
        assert_eq!(store.insert("b", Entry { parent: 2, depth: 3 }), (1, false));
        assert_eq!(store.len(), 3);
        assert_eq!(store.entry(1), Entry { parent: 0, depth: 1 });
        assert_eq!(store.path_to(2), vec![0, 1, 2]);
        assert_eq!(*store.state(2), "c");
        assert_eq!(store.find(&"c"), Some(2));
        assert_eq!(store.find(&"d"), None);
    }
}
