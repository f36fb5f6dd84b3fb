//! The set of two-word packed states in the visited set: an open-addressing table that holds
//! the states themselves, so that a lookup costs one cache miss and can be prefetched.
//!
//! A general hash table (hashbrown) keeps a control byte per slot in one array and the slots
//! in another: a lookup in a table far larger than the caches misses twice, once per array,
//! and the caller cannot learn where to prefetch. Here a slot is the state itself, probed
//! linearly from a home slot that the state's hash alone fixes, so [`PairSet::prefetch`] can
//! fetch that slot while the search still works on earlier states.

/// The table starts with this many slots.
const INITIAL_SLOTS: usize = 1024;

/// An open-addressing set of two-word states with linear probing: 16 bytes a slot and
/// nothing else. It grows by 3/2 when 80% full, so between growths it is 53% to 80% full:
/// 20 to 30 bytes per stored state (hashbrown's 17-byte slots, 44% to 87.5% full, take 19.4
/// to 38.9).
#[derive(Clone, Debug)]
pub struct PairSet {
    /// `[0, 0]` marks an empty slot; the state `[0, 0]` itself is kept in `has_zero`.
    slots: Vec<[u64; 2]>,
    len: usize,
    has_zero: bool,
}

impl Default for PairSet {
    fn default() -> Self {
        PairSet::new()
    }
}

impl PairSet {
    /// An empty set.
    pub fn new() -> PairSet {
        PairSet { slots: vec![[0; 2]; INITIAL_SLOTS], len: 0, has_zero: false }
    }

    /// How many states are stored.
    pub fn len(&self) -> usize {
        self.len + self.has_zero as usize
    }

    /// True when nothing is stored.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The bytes the table holds.
    pub fn bytes(&self) -> usize {
        self.slots.capacity() * 16
    }

    /// The first slot to probe for the state with hash `hash`: the hash scaled onto the table
    /// (Lemire's fast range), taken from its middle bits since its top bits chose the
    /// visited-set shard and are the same for every state of this set.
    fn home(hash: u64, slots: usize) -> usize {
        ((hash.rotate_left(32) as u128 * slots as u128) >> 64) as usize
    }

    /// Asks the processor to bring the home slot of the state with hash `hash` into the
    /// cache, so that inserting that state a little later does not wait for memory. Only a
    /// hint: it changes nothing in the set.
    pub fn prefetch(&self, hash: u64) {
        let at = Self::home(hash, self.slots.len());
        prefetch_read(self.slots[at..].as_ptr().cast());
    }

    /// Adds `pair`, whose hash is `hash` (as computed by [`crate::fingerprint::hash_words`]);
    /// true when it was not there yet.
    pub fn insert(&mut self, pair: [u64; 2], hash: u64) -> bool {
        if pair == [0, 0] {
            return !std::mem::replace(&mut self.has_zero, true);
        }
        if (self.len + 1) * 5 > self.slots.len() * 4 {
            self.grow();
        }
        let added = Self::put(&mut self.slots, pair, hash);
        self.len += added as usize;
        added
    }

    /// True when `pair` (whose hash is `hash`) is stored.
    pub fn contains(&self, pair: [u64; 2], hash: u64) -> bool {
        if pair == [0, 0] {
            return self.has_zero;
        }
        let n = self.slots.len();
        let mut at = Self::home(hash, n);
        loop {
            match self.slots[at] {
                [0, 0] => return false,
                s if s == pair => return true,
                _ => at = if at + 1 == n { 0 } else { at + 1 },
            }
        }
    }

    fn put(slots: &mut [[u64; 2]], pair: [u64; 2], hash: u64) -> bool {
        let n = slots.len();
        let mut at = Self::home(hash, n);
        loop {
            match slots[at] {
                [0, 0] => {
                    slots[at] = pair;
                    return true;
                }
                s if s == pair => return false,
                _ => at = if at + 1 == n { 0 } else { at + 1 },
            }
        }
    }

    /// The bytes the set would newly allocate for its next insertion (0 when it fits): the
    /// table it grows into, while the old one is still held.
    pub fn growth_bytes(&self) -> usize {
        if (self.len + 1) * 5 > self.slots.len() * 4 {
            (self.slots.len() + self.slots.len() / 2) * 16
        } else {
            0
        }
    }

    /// Moves every state into a table half as large again. The hash of a state is computed
    /// anew from its two words, which the old slot holds: no other memory is read.
    fn grow(&mut self) {
        let size = self.slots.len() + self.slots.len() / 2;
        let mut slots = crate::huge_pages::table(size, [0u64; 2]);
        for &pair in self.slots.iter().filter(|&&p| p != [0, 0]) {
            Self::put(&mut slots, pair, crate::fingerprint::hash_words(&pair));
        }
        self.slots = slots;
    }
}

/// A prefetch of the cache line at `p` into all cache levels; nothing on targets without one.
#[inline(always)]
pub(crate) fn prefetch_read(p: *const i8) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: a prefetch is a hint that never faults and reads nothing the program sees; `p`
    // points into a live slice anyway.
    unsafe {
        std::arch::x86_64::_mm_prefetch::<{ std::arch::x86_64::_MM_HINT_T0 }>(p);
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = p;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fingerprint::hash_words;

    fn h(p: [u64; 2]) -> u64 {
        hash_words(&p)
    }

    #[test]
    fn the_set_stores_each_pair_once_across_growth() {
        let mut set = PairSet::new();
        let pair = |v: u64| [v / 3, v % 3];
        // v = 0 is the pair [0, 0], which the set keeps apart from its table.
        for v in 0..50_000u64 {
            assert!(set.insert(pair(v), h(pair(v))), "{v}");
        }
        assert!(set.slots.len() > INITIAL_SLOTS * 32, "grew many times");
        for v in 0..50_000u64 {
            assert!(!set.insert(pair(v), h(pair(v))), "{v}");
            assert!(set.contains(pair(v), h(pair(v))));
        }
        assert!(!set.contains(pair(50_000), h(pair(50_000))));
        assert!(!set.contains([u64::MAX, 0], h([u64::MAX, 0])));
        assert_eq!(set.len(), 50_000);
        assert!(set.insert(pair(50_000), h(pair(50_000))));
        assert_eq!(set.len(), 50_001);
        // Between 53% and 80% full: at most 30.2 bytes per state.
        assert!(set.bytes() as f64 / set.len() as f64 <= 30.2, "{} bytes", set.bytes());
    }

    #[test]
    fn pairs_with_the_same_hash_are_told_apart_by_their_words() {
        // One hash for all: every pair probes from the same home slot, so only the
        // comparison of the words keeps them apart, across the wrap at the table's end too.
        let mut set = PairSet::new();
        // 500 pairs stay below the first growth, which would place them by their own hashes.
        let same = u64::MAX;
        for v in 1..=500u64 {
            assert!(set.insert([v, v + 1], same));
            assert!(!set.insert([v, v + 1], same));
        }
        for v in 1..=500u64 {
            assert!(set.contains([v, v + 1], same));
            assert!(!set.contains([v + 1, v], same));
        }
        assert_eq!(set.len(), 500);
    }

    #[test]
    fn growth_bytes_names_the_table_the_next_insertion_allocates() {
        let mut set = PairSet::new();
        let mut v = 1u64;
        while set.growth_bytes() == 0 {
            assert!(set.insert([v, 7], h([v, 7])));
            v += 1;
        }
        assert_eq!(set.len(), INITIAL_SLOTS * 4 / 5);
        assert_eq!(set.growth_bytes(), INITIAL_SLOTS * 3 / 2 * 16);
        set.insert([v, 7], h([v, 7]));
        assert_eq!(set.bytes(), INITIAL_SLOTS * 3 / 2 * 16);
        assert_eq!(set.growth_bytes(), 0);
        set.prefetch(h([v, 7]));
        assert!(set.contains([v, 7], h([v, 7])));
    }
}
