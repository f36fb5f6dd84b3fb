//! The set of two-word packed states in the visited set: an open-addressing table that holds
//! the states themselves, so that a lookup costs one cache miss and can be prefetched.
//!
//! A general hash table (hashbrown) keeps a control byte per slot in one array and the slots
//! in another: a lookup in a table far larger than the caches misses twice, once per array,
//! and the caller cannot learn where to prefetch. Here a slot is the state itself, probed
//! linearly from a home slot that the state's hash alone fixes, so [`PairSet::prefetch`] can
//! fetch that slot while the search still works on earlier states.

use crate::fingerprint::hash_words;
use crate::huge_pages::Table;

/// The table starts with this many slots.
const INITIAL_SLOTS: usize = 1024;

/// An open-addressing set of two-word states with linear probing: 16 bytes a slot and
/// nothing else. It grows by 3/2 when 80% full, so between growths it is 53% to 80% full:
/// 20 to 30 bytes per stored state (hashbrown's 17-byte slots, 44% to 87.5% full, take 19.4
/// to 38.9).
#[derive(Clone, Debug)]
pub struct PairSet {
    /// `[0, 0]` marks an empty slot; the state `[0, 0]` itself is kept in `has_zero`.
    slots: Table<[u64; 2]>,
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
        PairSet { slots: Table::zeroed(INITIAL_SLOTS), len: 0, has_zero: false }
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
        self.slots.len() * 16
    }

    /// The first slot to probe for the state with hash `hash`: the hash scaled onto the table
    /// (Lemire's fast range), taken from its middle bits since its top bits chose the
    /// visited-set shard and are the same for every state of this set.
    fn home(hash: u64, slots: usize) -> usize {
        ((hash.rotate_left(32) as u128 * slots as u128) >> 64) as usize
    }

    /// Asks the processor to bring the home slot of the state with hash `hash` into the
    /// cache, and the cache line after it, so that inserting that state a little later does
    /// not wait for memory: a new state probes on to the first empty slot, past the home
    /// slot's line about half the time at the load the table has between growths (5 slots
    /// on average at 67% full, 13 at 80%; 4 to a line). Only a hint: it changes nothing.
    pub fn prefetch(&self, hash: u64) {
        let at = Self::home(hash, self.slots.len());
        // `home` is below the table's length; a prefetch of the line after the table's end
        // (for the last slots) reads nothing and cannot fault, so no bounds check is needed.
        let home = self.slots.as_ptr().wrapping_add(at);
        prefetch_read(home.cast());
        prefetch_read(home.wrapping_add(4).cast());
    }

    /// Adds `pair`, whose hash is `hash` (as computed by [`crate::fingerprint::hash_words`]);
    /// true when it was not there yet.
    pub fn insert(&mut self, pair: [u64; 2], hash: u64) -> bool {
        if pair == [0, 0] {
            return !std::mem::replace(&mut self.has_zero, true);
        }
        if self.grows() {
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

    /// Adds `pair` to `slots` unless it is there: true when it was not. Probes from the home
    /// slot to the end of the table, then from its start, up to the first empty slot, which
    /// a table never full has. Two plain runs over slices, so that a step is a load, two
    /// comparisons and the run's end, with no wrap test and no bounds check.
    #[inline(always)]
    fn put(slots: &mut [[u64; 2]], pair: [u64; 2], hash: u64) -> bool {
        /// The outcome of the probe in `run`: `None` when it reaches the run's end.
        #[inline(always)]
        fn probe(run: &mut [[u64; 2]], pair: [u64; 2]) -> Option<bool> {
            for slot in run {
                if *slot == pair {
                    return Some(false);
                }
                if *slot == [0, 0] {
                    *slot = pair;
                    return Some(true);
                }
            }
            None
        }
        let (front, back) = slots.split_at_mut(Self::home(hash, slots.len()));
        match probe(back, pair) {
            Some(added) => added,
            None => probe(front, pair).unwrap_or_else(|| unreachable!("a table at most 80% full has an empty slot")),
        }
    }

    /// True when the next insertion grows the table: it would be more than 80% full.
    fn grows(&self) -> bool {
        (self.len + 1) * 5 > self.slots.len() * 4
    }

    /// The slots of the table that follows one of `slots`: half as many again.
    fn grown(slots: usize) -> usize {
        slots + slots / 2
    }

    /// The bytes the set would newly allocate for its next insertion (0 when it fits): the
    /// table it grows into, while the old one is still held.
    pub fn growth_bytes(&self) -> usize {
        if self.grows() {
            Self::grown(self.slots.len()) * 16
        } else {
            0
        }
    }

    /// Moves every state into a table half as large again, fresh from the system (zero, so
    /// not written before the states are; see [`Table`]). A state's hash is computed anew
    /// from its two words, which its slot holds: no other memory is read. Out of line, so
    /// that the insertion, which runs for every transition, stays small.
    #[cold]
    #[inline(never)]
    fn grow(&mut self) {
        let size = Self::grown(self.slots.len());
        let mut slots = Table::zeroed(size);
        rehash_into(&self.slots, &mut slots, [0, 0], |pair| Self::home(hash_words(pair), size));
        self.slots = slots;
    }
}

/// Puts the entries of the linear-probing table `old` (those not `empty`) into the empty
/// table `new`, where `home` is an entry's first slot, in one pass over `old`: the home slot
/// of the entry a few slots ahead is fetched while this one is placed, so that the new
/// table's cache misses overlap. The entries are distinct: each goes to the first empty slot
/// from its home, with no comparison.
pub(crate) fn rehash_into<T: Copy + PartialEq>(old: &[T], new: &mut [T], empty: T, home: impl Fn(&T) -> usize) {
    const AHEAD: usize = 8;
    let n = new.len();
    let home_of = |i: usize| Some(old[i]).filter(|&e| e != empty).map(|e| home(&e).min(n - 1));
    let mut ring = [None; AHEAD];
    for (i, at) in ring.iter_mut().enumerate().take(old.len()) {
        *at = home_of(i);
    }
    for i in 0..old.len() {
        let at = ring[i % AHEAD];
        if i + AHEAD < old.len() {
            let ahead = home_of(i + AHEAD);
            if let Some(a) = ahead {
                prefetch_read(new[a..].as_ptr().cast());
            }
            ring[i % AHEAD] = ahead;
        }
        if let Some(mut at) = at {
            while new[at] != empty {
                at = if at + 1 == n { 0 } else { at + 1 };
            }
            new[at] = old[i];
        }
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
        for u in 1..=v {
            assert!(set.contains([u, 7], h([u, 7])), "{u}");
        }
        assert!(!set.contains([v + 1, 7], h([v + 1, 7])));
    }

    /// A table of `u64` entries (0 empty) is a valid linear-probing table for `home`: every
    /// entry is there once, and every slot from an entry's home to its own is full.
    fn assert_valid(slots: &[u64], home: impl Fn(&u64) -> usize, entries: &[u64]) {
        let n = slots.len();
        let mut found: Vec<u64> = slots.iter().copied().filter(|&e| e != 0).collect();
        found.sort_unstable();
        let mut want = entries.to_vec();
        want.sort_unstable();
        assert_eq!(found, want, "every entry exactly once");
        for (at, e) in slots.iter().enumerate().filter(|(_, &e)| e != 0) {
            let mut j = home(e);
            while j != at {
                assert_ne!(slots[j], 0, "a hole between the home {} of {e} and its slot {at}", home(e));
                j = (j + 1) % n;
            }
        }
    }

    #[test]
    fn a_rehash_places_entries_that_wrapped_past_the_old_end_by_their_new_homes() {
        // Entry e has home e * slots / 64 (a stand-in for the hash's fast range).
        let home_in = |n: usize| move |e: &u64| (*e as usize * n) / 64;
        // In 8 slots 63, 62, 61 and 56 have home 7: 63 sits there and the others wrapped to
        // 0, 1 and 2; 9 (home 1) follows them at 3.
        let old = [62u64, 61, 56, 9, 0, 0, 0, 63];
        assert_valid(&old, home_in(8), &[63, 62, 61, 56, 9]);
        let mut new = vec![0u64; 12];
        rehash_into(&old, &mut new, 0, home_in(12));
        // In 12 slots 62 comes first and takes its home 11, 61 wraps to 0, 56 takes its home
        // 10, 9 its home 1, and 63, placed last, wraps past 0 and 1 to 2.
        assert_eq!(new, [61, 9, 63, 0, 0, 0, 0, 0, 0, 0, 56, 62]);
        assert_valid(&new, home_in(12), &[63, 62, 61, 56, 9]);
    }

    #[test]
    fn a_rehash_keeps_every_entry_once_in_crowded_tables_of_any_growth() {
        // Entries crowd onto 4 homes (long clusters, many wrapping); tables grow by about
        // 3/2, 2, and a single slot, and shrink to exactly full.
        let mut seed = 0x1234_5678_u64;
        let mut next = move || {
            seed = crate::fingerprint::mix64(seed);
            seed
        };
        let home_in = |n: usize| move |e: &u64| ((e % 4) as usize * 16 + 13) * n / 64;
        for round in 0..400 {
            let size = 1 + (next() % 40) as usize;
            let count = 1 + next() as usize % size;
            let mut old = vec![0u64; size];
            let mut entries = Vec::new();
            while entries.len() < count {
                let e = 1 + next() % 1000;
                if !entries.contains(&e) {
                    entries.push(e);
                    let mut j = home_in(size)(&e);
                    while old[j] != 0 {
                        j = (j + 1) % size;
                    }
                    old[j] = e;
                }
            }
            assert_valid(&old, home_in(size), &entries);
            let new_size = [size + size / 2 + 1, size * 2, size + 1, count][round % 4];
            let mut new = vec![0u64; new_size];
            rehash_into(&old, &mut new, 0, home_in(new_size));
            assert_valid(&new, home_in(new_size), &entries);
        }
    }
}
