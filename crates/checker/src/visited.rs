//! The visited set of the breadth-first search: a fixed number of shards, each a set of
//! packed states (or of their fingerprints) that one thread at a time owns.
//!
//! A state's shard is fixed by the top bits of its hash, so the shards never share a state
//! and the threads of a search can insert into different shards at once without touching a
//! common table. The number of shards does not depend on the number of threads, so the
//! search fills the same shards in the same order whatever the thread count.

use crate::fingerprint::FingerprintSet;
use crate::numbered::NumberedSet;
use crate::pairs::PairSet;

/// How many shards the visited set has (a power of two).
pub const SHARDS: usize = 16;

/// The shard of a state with hash `hash`: its top bits.
pub fn shard_of(hash: u64) -> usize {
    (hash >> (64 - SHARDS.trailing_zeros())) as usize
}

/// The part of the visited set for one range of hashes.
#[derive(Debug)]
pub enum Shard {
    /// Whole packed states, back to back in an arena and numbered in insertion order, found
    /// through a table of their numbers with a byte of their hash beside each: exact,
    /// `8 × words` bytes a state plus 6 to 9 of table.
    Full(NumberedSet),
    /// Only 64-bit fingerprints (`--fingerprints`, or states of one word, whose fingerprint
    /// is exact).
    Fingerprints(FingerprintSet),
    /// Whole states of two words, held in the table itself: one memory access per lookup
    /// instead of a table slot and then an arena entry, at a place [`Shard::prefetch`] knows.
    Pairs(PairSet),
}

impl Shard {
    /// An empty shard for states of `words` words; `fingerprints` stores only hashes. A
    /// one-word state is always stored as its hash, which encodes it one-to-one (see
    /// [`crate::fingerprint::hash_words`]): as exact as the word itself, in a table with no arena behind it.
    pub fn new(words: usize, fingerprints: bool) -> Shard {
        if fingerprints || words == 1 {
            Shard::Fingerprints(FingerprintSet::new())
        } else if words == 2 {
            Shard::Pairs(PairSet::new())
        } else {
            Shard::Full(NumberedSet::new(words))
        }
    }

    /// Adds the packed state whose hash is `hash` (as computed by [`crate::fingerprint::hash_words`]); true when
    /// it was not there yet.
    pub fn insert(&mut self, packed: &[u64], hash: u64) -> bool {
        match self {
            Shard::Fingerprints(set) => set.insert(hash),
            Shard::Pairs(set) => set.insert([packed[0], packed[1]], hash),
            // None is unreachable: the search stops at fewer than 2^32 states in total.
            Shard::Full(set) => set.insert(packed, hash).is_some_and(|(_, new)| new),
        }
    }

    /// Whether the packed state whose hash is `hash` is in the shard (its fingerprint, in a
    /// fingerprint shard). Changes nothing: the depth-first search asks it only at its state
    /// bound, to tell a known state (skipped) from a new one (which stops it).
    pub fn contains(&self, packed: &[u64], hash: u64) -> bool {
        match self {
            Shard::Fingerprints(set) => set.contains(hash),
            Shard::Pairs(set) => set.contains([packed[0], packed[1]], hash),
            Shard::Full(set) => set.get(packed, hash).is_some(),
        }
    }

    /// An empty shard that keeps whole packed states of `words` words and numbers them in
    /// the order they come (0, 1, ...), whatever their size: the store of a search that
    /// records the state graph, which must name the state a transition reaches
    /// ([`Shard::insert_indexed`]). Fingerprints cannot do that, so such a search always
    /// stores whole states.
    pub fn indexed(words: usize) -> Shard {
        Shard::Full(NumberedSet::new(words))
    }

    /// Adds the packed state whose hash is `hash` to a shard made by [`Shard::indexed`] and
    /// returns its number in the shard (the one it got when it came) and whether it is new.
    /// `None` for a shard that does not number its states (one of [`Shard::new`]'s
    /// fingerprint or pair shards), or one of 2^32 states already.
    pub fn insert_indexed(&mut self, packed: &[u64], hash: u64) -> Option<(u32, bool)> {
        let Shard::Full(set) = self else { return None };
        set.insert(packed, hash)
    }

    /// Asks the processor to fetch the part of the shard that inserting the state with hash
    /// `hash` reads first, so that a caller that knows its next states' hashes can overlap
    /// their cache misses with its work on the current one. Only a hint: it changes nothing.
    pub fn prefetch(&self, hash: u64) {
        match self {
            Shard::Fingerprints(set) => set.prefetch(hash),
            Shard::Pairs(set) => set.prefetch(hash),
            Shard::Full(set) => set.prefetch(hash),
        }
    }

    /// The second stage of [`Shard::prefetch`], for a state whose first stage ran a while
    /// ago: in a shard of numbered states (whole states of three words or more, and
    /// [`Shard::indexed`]), fetches the stored state that inserting it would compare, the
    /// second miss of a lookup that finds its state already there. Other shards hold their
    /// states in the table, and do nothing. Only a hint: it changes nothing.
    pub fn prefetch_state(&self, hash: u64) {
        if let Shard::Full(set) = self {
            set.prefetch_state(hash);
        }
    }

    /// How many states the shard holds.
    pub fn len(&self) -> usize {
        match self {
            Shard::Fingerprints(set) => set.len(),
            Shard::Pairs(set) => set.len(),
            Shard::Full(set) => set.len(),
        }
    }

    /// True when the shard holds nothing.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// When the next insertion rehashes the shard's table into one about twice as large:
    /// the bytes of that new table, which the process holds beside the old one for a moment
    /// (0 when the next insertion fits). The one sudden step in the shard's memory: its
    /// arena grows by reallocation, which the system does in place or by remapping, and
    /// becomes resident only as states are written.
    pub fn growth_bytes(&self) -> usize {
        match self {
            Shard::Fingerprints(set) => set.growth_bytes(1),
            Shard::Pairs(set) => set.growth_bytes(),
            Shard::Full(set) => set.growth_bytes(),
        }
    }

    /// The bytes the shard has reserved.
    pub fn bytes(&self) -> usize {
        match self {
            Shard::Fingerprints(set) => set.bytes(),
            Shard::Pairs(set) => set.bytes(),
            Shard::Full(set) => set.bytes(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fingerprint::hash_words;

    #[test]
    fn full_and_fingerprint_shards_agree_on_what_is_new() {
        assert!(matches!(Shard::new(1, false), Shard::Fingerprints(_)), "one word: exact hashes");
        assert!(matches!(Shard::new(2, false), Shard::Pairs(_)), "two words: in the table");
        let mut full = Shard::new(3, false);
        let mut pairs = Shard::new(2, false);
        let mut fps = Shard::new(3, true);
        for round in 0..2 {
            for v in 0..5_000u64 {
                let packed = [v, v / 7, 1];
                let h = hash_words(&packed);
                assert_eq!(full.insert(&packed, h), round == 0);
                assert_eq!(fps.insert(&packed, h), round == 0);
                assert_eq!(pairs.insert(&packed[..2], hash_words(&packed[..2])), round == 0);
            }
        }
        assert_eq!((full.len(), pairs.len(), fps.len()), (5_000, 5_000, 5_000));
        assert!(fps.bytes() < full.bytes());
    }

    #[test]
    fn an_indexed_shard_numbers_states_in_the_order_they_come_whatever_their_size() {
        for words in [1, 2, 3] {
            let mut shard = Shard::indexed(words);
            for round in 0..2 {
                for v in 0..3_000u64 {
                    let packed = vec![v * 7 % 3_000; words];
                    let got = shard.insert_indexed(&packed, hash_words(&packed));
                    assert_eq!(got, Some((v as u32, round == 0)), "{words} words, value {v}");
                }
            }
            assert_eq!(shard.len(), 3_000);
        }
        let mut pairs = Shard::new(2, false);
        assert_eq!(pairs.insert_indexed(&[1, 2], hash_words(&[1, 2])), None, "a pair shard has no numbers");
    }

    #[test]
    fn shards_split_hashes_by_their_top_bits() {
        assert_eq!(shard_of(0), 0);
        assert_eq!(shard_of(u64::MAX), SHARDS - 1);
        assert_eq!(shard_of(1 << 63), SHARDS / 2);
    }
}
