//! 64-bit state hashes and the fingerprint set of `--fingerprints`.
//!
//! Every packed state gets one 64-bit hash, [`hash_words`]. It picks the state's shard of the
//! visited set, its slot in a table, and, with `--fingerprints`, it is all that is stored of
//! the state, as in TLC. The mixing function is a bijection, so a state that packs into one
//! word (most small models) gets a fingerprint that no other state has: storing fingerprints
//! is then exact. For longer states two different states may share a fingerprint; the search
//! then takes the second for the first and never expands it, which is why reports print the
//! estimated chance of that ([`collision_probability`]).

/// The splitmix64 finalizer: a fast bijection of `u64` whose output bits each depend on every
/// input bit, so nearby packed states get unrelated hashes.
pub fn mix64(mut x: u64) -> u64 {
    x ^= x >> 30;
    x = x.wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x ^= x >> 27;
    x = x.wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

/// Added before each mix so that the all-zero state does not hash to 0.
const SEED: u64 = 0x9e37_79b9_7f4a_7c15;

/// The hash (and fingerprint) of a packed state. One word maps one-to-one onto its hash.
pub fn hash_words(words: &[u64]) -> u64 {
    words.iter().fold(0, |h, &w| mix64(h ^ w ^ SEED))
}

/// The estimated probability that a fingerprint collision hid at least one state in a search
/// that stored `states` fingerprints of 64 bits: with fingerprints behaving as random values,
/// the chance that two of `n` states share one is about n(n−1)/2⁶⁵ (the birthday bound; TLC
/// prints a similar "optimistic" estimate). 0 when the fingerprints are exact.
pub fn collision_probability(states: u64, exact: bool) -> f64 {
    if exact {
        return 0.0;
    }
    let n = states as f64;
    (n * (n - 1.0) / 2f64.powi(65)).min(1.0)
}

/// The table starts with this many slots.
const INITIAL_SLOTS: usize = 1024;

/// An open-addressing set of 64-bit fingerprints with linear probing: 8 bytes a slot, no
/// other per-entry data. It grows by 7/5 when 85% full, so between growths it is 61% to 85%
/// full: 9.4 to 13.2 bytes per stored fingerprint.
#[derive(Clone, Debug)]
pub struct FingerprintSet {
    /// 0 marks an empty slot; the fingerprint 0 itself is kept in `has_zero`.
    slots: crate::huge_pages::Table<u64>,
    len: usize,
    has_zero: bool,
}

impl Default for FingerprintSet {
    fn default() -> Self {
        FingerprintSet::new()
    }
}

impl FingerprintSet {
    /// An empty set.
    pub fn new() -> FingerprintSet {
        FingerprintSet { slots: crate::huge_pages::Table::zeroed(INITIAL_SLOTS), len: 0, has_zero: false }
    }

    /// How many fingerprints are stored.
    pub fn len(&self) -> usize {
        self.len + self.has_zero as usize
    }

    /// True when nothing is stored.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The bytes the table holds.
    pub fn bytes(&self) -> usize {
        self.slots.len() * 8
    }

    /// The first slot to probe: the fingerprint scaled onto the table (Lemire's fast range),
    /// so any table size works. The scaling reads the high bits, so they are taken from the
    /// middle of the fingerprint: its top bits chose the visited-set shard and are the same
    /// for every fingerprint of this set.
    fn home(fp: u64, slots: usize) -> usize {
        ((fp.rotate_left(32) as u128 * slots as u128) >> 64) as usize
    }

    /// Asks the processor to bring the home slot of `fp` into the cache (see
    /// [`crate::pairs::PairSet::prefetch`]). Only a hint: it changes nothing in the set.
    pub fn prefetch(&self, fp: u64) {
        let at = Self::home(fp, self.slots.len());
        // `home` is below the table's length: no bounds check needed for a hint.
        crate::pairs::prefetch_read(self.slots.as_ptr().wrapping_add(at).cast());
    }

    /// Adds `fp`; true when it was not there yet.
    pub fn insert(&mut self, fp: u64) -> bool {
        if fp == 0 {
            return !std::mem::replace(&mut self.has_zero, true);
        }
        if (self.len + 1) * 20 > self.slots.len() * 17 {
            self.grow();
        }
        let added = Self::put(&mut self.slots, fp);
        self.len += added as usize;
        added
    }

    /// True when `fp` is stored.
    pub fn contains(&self, fp: u64) -> bool {
        if fp == 0 {
            return self.has_zero;
        }
        let n = self.slots.len();
        let mut at = Self::home(fp, n);
        loop {
            match self.slots[at] {
                0 => return false,
                s if s == fp => return true,
                _ => at = if at + 1 == n { 0 } else { at + 1 },
            }
        }
    }

    fn put(slots: &mut [u64], fp: u64) -> bool {
        let n = slots.len();
        let mut at = Self::home(fp, n);
        loop {
            match slots[at] {
                0 => {
                    slots[at] = fp;
                    return true;
                }
                s if s == fp => return false,
                _ => at = if at + 1 == n { 0 } else { at + 1 },
            }
        }
    }

    /// The bytes the set would newly allocate to take `extra` more fingerprints (0 when they
    /// fit): the tables it grows into, while the old one is still held.
    pub fn growth_bytes(&self, extra: usize) -> usize {
        let (mut size, mut bytes) = (self.slots.len(), 0);
        while (self.len + extra) * 20 > size * 17 {
            size = Self::grown(size);
            bytes = size * 8;
        }
        bytes
    }

    /// The slots of the table that follows one of `slots`: 7/5 as many.
    fn grown(slots: usize) -> usize {
        slots + slots * 2 / 5
    }

    /// Moves every fingerprint into a table 7/5 as large, fresh from the system (zero, so not
    /// written before the fingerprints are), fetching new slots ahead
    /// ([`crate::pairs::rehash_into`]).
    #[cold]
    #[inline(never)]
    fn grow(&mut self) {
        let size = Self::grown(self.slots.len());
        let mut slots = crate::huge_pages::Table::zeroed(size);
        crate::pairs::rehash_into(&self.slots, &mut slots, 0, |&fp| Self::home(fp, size));
        self.slots = slots;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_word_states_get_distinct_fingerprints() {
        let mut seen = std::collections::HashSet::new();
        for w in 0..100_000u64 {
            assert!(seen.insert(hash_words(&[w])), "two one-word states share a fingerprint");
        }
        assert_ne!(hash_words(&[0]), 0);
    }

    #[test]
    fn the_set_stores_each_fingerprint_once_across_growth() {
        let mut set = FingerprintSet::new();
        // mix64(0) is 0, which the set keeps apart from its table.
        for v in 0..50_000u64 {
            assert!(set.insert(mix64(v)));
        }
        assert!(!set.insert(0) && set.contains(0));
        for v in 0..50_000u64 {
            assert!(!set.insert(mix64(v)));
            assert!(set.contains(mix64(v)));
        }
        assert!(!set.contains(mix64(50_000)));
        assert_eq!(set.len(), 50_000);
        assert!(set.insert(mix64(50_000)));
        assert_eq!(set.len(), 50_001);
        // Between 61% and 85% full: at most 13.2 bytes per fingerprint.
        assert!(set.bytes() as f64 / set.len() as f64 <= 13.2, "{} bytes", set.bytes());
    }

    #[test]
    fn growth_bytes_names_the_last_table_of_the_growths_ahead() {
        let mut set = FingerprintSet::new();
        assert_eq!(set.growth_bytes(1), 0);
        // 870 fingerprints fill 1024 slots to 85%: one more grows them to 1433 slots; 1,300
        // grow them twice, to 2006.
        assert_eq!(set.growth_bytes(871), 1433 * 8);
        assert_eq!(set.growth_bytes(1_300), 2006 * 8);
        for v in 1..=870u64 {
            assert!(set.insert(mix64(v)));
        }
        assert_eq!(set.growth_bytes(1), 1433 * 8);
        assert!(set.insert(mix64(871)));
        assert_eq!((set.bytes(), set.growth_bytes(1)), (1433 * 8, 0));
        for v in 1..=871u64 {
            assert!(set.contains(mix64(v)), "{v}");
        }
        assert!(!set.contains(mix64(872)));
    }

    #[test]
    fn collision_probability_is_the_birthday_bound_and_zero_when_exact() {
        assert_eq!(collision_probability(1_000_000, true), 0.0);
        let p = collision_probability(1 << 32, false);
        assert!((p - 0.5).abs() < 1e-6, "{p}");
        assert_eq!(collision_probability(u64::MAX, false), 1.0);
    }
}
