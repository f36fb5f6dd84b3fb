//! The set of whole packed states of any size in the visited set, numbered in the order they
//! come: the store of three-word-or-longer states, and of every state when the search
//! records the graph and must name the state a transition reaches.
//!
//! The states lie back to back in an arena, in insertion order, so a state's number is its
//! place there. A table of 64-byte buckets finds them: each bucket, one cache line, holds 12
//! state numbers and beside them one byte of each state's hash (its tag). A lookup reads its
//! home bucket, a line that the hash alone fixes and that [`NumberedSet::prefetch`] can fetch
//! early, compares the tags of the bucket's entries at once, and reads the arena only for an
//! entry whose tag matches: about one in 256 of the others. (hashbrown, used before, keeps its
//! tags and its entries in two arrays: two misses, and no way for a caller to prefetch.) A
//! full bucket sends the lookup on to the next one, which no deletion ever empties again.

use crate::fingerprint::hash_words;
use crate::pairs::prefetch_read;

/// Entries in a bucket.
const LANES: usize = 12;
/// The table starts with this many buckets.
const INITIAL_BUCKETS: usize = 8;

/// One cache line of the table: the tags of up to [`LANES`] states, how many there are, and
/// their numbers. Entries fill it in order and are never removed.
#[derive(Clone, Copy, Debug)]
#[repr(C, align(64))]
struct Bucket {
    /// Bytes 0..12: the tags; byte 12: the entries in use; the rest 0.
    meta: [u8; 16],
    ids: [u32; LANES],
}

/// The empty bucket, all zero: what a new table's memory holds ([`crate::huge_pages::Table`]).
#[cfg(test)]
const EMPTY: Bucket = Bucket { meta: [0; 16], ids: [0; LANES] };

// SAFETY: a bucket is bytes and u32s with no padding (16 + 48 = 64 bytes), valid for any
// bits; all zero is the empty bucket (no entries in use).
unsafe impl crate::huge_pages::Zeroed for Bucket {}

impl Bucket {
    fn len(&self) -> usize {
        self.meta[LANES] as usize
    }

    /// The entries in use whose tag is `tag`: bit `l` for lane `l`.
    fn matches(&self, tag: u8) -> u32 {
        Self::equal_bytes(&self.meta, tag) & ((1 << self.len()) - 1)
    }

    /// The bytes of `meta` equal to `tag`, one bit each: all 16 compared at once.
    #[cfg(target_arch = "x86_64")]
    fn equal_bytes(meta: &[u8; 16], tag: u8) -> u32 {
        use std::arch::x86_64::{_mm_cmpeq_epi8, _mm_loadu_si128, _mm_movemask_epi8, _mm_set1_epi8};
        // SAFETY: SSE2 is part of every x86_64 processor; the load reads the 16 bytes of
        // `meta`, with no alignment required.
        unsafe {
            let bytes = _mm_loadu_si128(meta.as_ptr().cast());
            _mm_movemask_epi8(_mm_cmpeq_epi8(bytes, _mm_set1_epi8(tag as i8))) as u32
        }
    }

    /// The bytes of `meta` equal to `tag`, one bit each, on processors without SSE2.
    #[cfg(not(target_arch = "x86_64"))]
    fn equal_bytes(meta: &[u8; 16], tag: u8) -> u32 {
        meta.iter().enumerate().filter(|&(_, &b)| b == tag).fold(0, |m, (l, _)| m | 1 << l)
    }

    fn push(&mut self, tag: u8, id: u32) {
        let at = self.len();
        self.meta[at] = tag;
        self.ids[at] = id;
        self.meta[LANES] += 1;
    }
}

/// Whole packed states of a fixed number of words, each numbered 0, 1, ... in the order it
/// was first inserted: `8 × words` bytes a state in the arena plus 5⅓ bytes a table entry,
/// the table 58% to 87.5% full (6.1 to 9.2 bytes a state; hashbrown's 4-byte indices took 5.7
/// to 11.4).
#[derive(Clone, Debug)]
pub struct NumberedSet {
    words: usize,
    /// The states, by number.
    arena: Vec<u64>,
    buckets: crate::huge_pages::Table<Bucket>,
    len: usize,
}

impl NumberedSet {
    /// An empty set of states of `words` words.
    pub fn new(words: usize) -> NumberedSet {
        NumberedSet { words, arena: Vec::new(), buckets: crate::huge_pages::Table::zeroed(INITIAL_BUCKETS), len: 0 }
    }

    /// How many states are stored.
    pub fn len(&self) -> usize {
        self.len
    }

    /// True when nothing is stored.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The bytes the arena and the table have reserved.
    pub fn bytes(&self) -> usize {
        self.arena.capacity() * 8 + self.buckets.len() * std::mem::size_of::<Bucket>()
    }

    /// The state numbered `id`.
    pub fn state(&self, id: u32) -> &[u64] {
        &self.arena[id as usize * self.words..(id as usize + 1) * self.words]
    }

    /// The home bucket of a state with hash `hash`: the hash scaled onto the table (Lemire's
    /// fast range), from its middle bits, since its top bits chose the visited-set shard.
    fn home(hash: u64, buckets: usize) -> usize {
        ((hash.rotate_left(32) as u128 * buckets as u128) >> 64) as usize
    }

    /// The byte of the hash kept beside a state's number: bits the home bucket (the low 32,
    /// for tables of fewer than 2^32 buckets) and the shard (the top 4) do not use.
    fn tag(hash: u64) -> u8 {
        (hash >> 32) as u8
    }

    /// Asks the processor to fetch the home bucket of the state with hash `hash`, so that
    /// looking that state up a little later does not wait for memory. Only a hint.
    pub fn prefetch(&self, hash: u64) {
        let at = Self::home(hash, self.buckets.len());
        prefetch_read((&self.buckets[at] as *const Bucket).cast());
    }

    /// Asks the processor to fetch the stored state that a lookup of the state with hash
    /// `hash` would compare first (the first entry of its home bucket with its tag), if any:
    /// the second miss of a lookup that finds its state, for a caller that fetched the
    /// bucket with [`NumberedSet::prefetch`] a while ago. Only a hint.
    pub fn prefetch_state(&self, hash: u64) {
        let bucket = &self.buckets[Self::home(hash, self.buckets.len())];
        let m = bucket.matches(Self::tag(hash));
        if m != 0 && self.words > 0 {
            let id = bucket.ids[m.trailing_zeros() as usize] as usize;
            prefetch_read(self.arena[id * self.words..].as_ptr().cast());
            prefetch_read(self.arena[(id + 1) * self.words - 1..].as_ptr().cast());
        }
    }

    /// The number of `packed` (whose hash is `hash`, as [`hash_words`] computes it), if it
    /// is stored.
    pub fn get(&self, packed: &[u64], hash: u64) -> Option<u32> {
        self.find(packed, hash).ok()
    }

    /// The number of `packed`, or else the bucket where it would go: the first one not full
    /// on its probe sequence.
    fn find(&self, packed: &[u64], hash: u64) -> Result<u32, usize> {
        let tag = Self::tag(hash);
        let n = self.buckets.len();
        let mut at = Self::home(hash, n);
        loop {
            let bucket = &self.buckets[at];
            let mut m = bucket.matches(tag);
            while m != 0 {
                let id = bucket.ids[m.trailing_zeros() as usize];
                // Word by word: for the usual few words this beats a memcmp call.
                if self.state(id).iter().zip(packed).all(|(a, b)| a == b) {
                    return Ok(id);
                }
                m &= m - 1;
            }
            if bucket.len() < LANES {
                return Err(at);
            }
            at = if at + 1 == n { 0 } else { at + 1 };
        }
    }

    /// Adds `packed`, whose hash is `hash`, and returns its number (the one it got when it
    /// first came) and whether it is new; `None` when it is new but 2^32 - 1 states are
    /// stored already (their numbers are 4 bytes).
    pub fn insert(&mut self, packed: &[u64], hash: u64) -> Option<(u32, bool)> {
        if self.grows() {
            self.grow();
        }
        let at = match self.find(packed, hash) {
            Ok(id) => return Some((id, false)),
            Err(at) => at,
        };
        let id = u32::try_from(self.len).ok().filter(|&id| id < u32::MAX)?;
        self.buckets[at].push(Self::tag(hash), id);
        self.arena.extend_from_slice(packed);
        self.len += 1;
        Some((id, true))
    }

    /// True when the next insertion grows the table: it would hold more than 7/8 of the
    /// entries its buckets have room for.
    fn grows(&self) -> bool {
        (self.len + 1) * 8 > self.buckets.len() * LANES * 7
    }

    /// The bytes the set would newly allocate for its next insertion beside what it holds
    /// (0 when it fits): the table it grows into. Its arena grows by reallocation, which the
    /// system does in place or by remapping, and becomes resident only as states are written.
    pub fn growth_bytes(&self) -> usize {
        if self.grows() {
            Self::grown(self.buckets.len()) * std::mem::size_of::<Bucket>()
        } else {
            0
        }
    }

    /// The buckets of the table that follows one of `buckets`: half as many again.
    fn grown(buckets: usize) -> usize {
        buckets + buckets / 2
    }

    /// Moves every entry into a table half as large again, in one pass over the arena in
    /// number order: each state's hash is computed anew from its words, read sequentially,
    /// and the home bucket of the state a few ahead is fetched while this one is placed.
    /// Out of line, so that the lookup, which runs for every transition, stays small.
    #[cold]
    #[inline(never)]
    fn grow(&mut self) {
        const AHEAD: usize = 8;
        let size = Self::grown(self.buckets.len());
        let mut buckets: crate::huge_pages::Table<Bucket> = crate::huge_pages::Table::zeroed(size);
        let w = self.words;
        let hash = |id: usize| hash_words(&self.arena[id * w..(id + 1) * w]);
        let mut ring = [0u64; AHEAD];
        for (id, slot) in ring.iter_mut().enumerate().take(self.len) {
            *slot = hash(id);
            prefetch_read((&buckets[Self::home(*slot, size)] as *const Bucket).cast());
        }
        for id in 0..self.len {
            let h = ring[id % AHEAD];
            if id + AHEAD < self.len {
                let ahead = hash(id + AHEAD);
                prefetch_read((&buckets[Self::home(ahead, size)] as *const Bucket).cast());
                ring[id % AHEAD] = ahead;
            }
            let mut at = Self::home(h, size);
            while buckets[at].len() == LANES {
                at = if at + 1 == size { 0 } else { at + 1 };
            }
            buckets[at].push(Self::tag(h), id as u32);
        }
        self.buckets = buckets;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(p: &[u64]) -> u64 {
        hash_words(p)
    }

    #[test]
    fn a_bucket_is_one_cache_line_and_an_empty_one_is_zero() {
        assert_eq!(std::mem::size_of::<Bucket>(), 64);
        assert_eq!(std::mem::align_of::<Bucket>(), 64);
        let empty = NumberedSet::new(1);
        assert!(empty.buckets.iter().all(|b| b.meta == EMPTY.meta && b.ids == EMPTY.ids && b.len() == 0));
    }

    #[test]
    fn a_bucket_matches_exactly_the_entries_in_use_with_the_tag() {
        let mut b = EMPTY;
        // No entry in use: an all-zero tag byte of an empty lane does not match tag 0.
        assert_eq!(b.matches(0), 0);
        for (lane, tag) in [7u8, 0, 7, 255, 128, 7, 6, 8, 7, 0, 1, 7].into_iter().enumerate() {
            b.push(tag, lane as u32 * 10);
        }
        let lanes = |m: u32| (0..32).filter(|&l| m >> l & 1 == 1).collect::<Vec<_>>();
        assert_eq!(lanes(b.matches(7)), [0, 2, 5, 8, 11]);
        assert_eq!(lanes(b.matches(0)), [1, 9]);
        assert_eq!(lanes(b.matches(255)), [3]);
        assert_eq!(lanes(b.matches(128)), [4]);
        assert_eq!(lanes(b.matches(12)), Vec::<usize>::new(), "the count byte is not a tag");
        assert_eq!(lanes(b.matches(2)), Vec::<usize>::new());
        assert_eq!(b.ids[11], 110);
    }

    #[test]
    fn states_are_numbered_in_the_order_they_come_across_growth() {
        let mut set = NumberedSet::new(3);
        let state = |v: u64| [v % 7, v / 7, 0];
        // Past many growths: 96 entries fit the first table, 84 of them before it grows.
        for v in 0..20_000u64 {
            assert_eq!(set.insert(&state(v), h(&state(v))), Some((v as u32, true)), "{v}");
        }
        assert!(set.buckets.len() > INITIAL_BUCKETS * 100, "grew many times");
        for v in (0..20_000u64).rev() {
            assert_eq!(set.insert(&state(v), h(&state(v))), Some((v as u32, false)), "{v}");
            assert_eq!(set.get(&state(v), h(&state(v))), Some(v as u32));
            assert_eq!(set.state(v as u32), state(v));
        }
        assert_eq!(set.get(&state(20_000), h(&state(20_000))), None);
        assert_eq!(set.get(&[0, 0, 1], h(&[0, 0, 1])), None);
        assert_eq!(set.len(), 20_000);
        // At most 8/7 entries a state (12 to a 64-byte bucket) and 24 bytes of arena, plus
        // the arena's unused capacity.
        assert!(set.buckets.len() * LANES * 7 <= 20_000 * 8 * 3 / 2 + LANES * 8, "{}", set.buckets.len());
    }

    #[test]
    fn the_insertion_at_the_growth_boundary_grows_the_table_and_keeps_every_number() {
        let mut set = NumberedSet::new(1);
        let mut v = 0u64;
        while set.growth_bytes() == 0 {
            assert_eq!(set.insert(&[v * 3], h(&[v * 3])), Some((v as u32, true)));
            v += 1;
        }
        // 7/8 of 8 buckets of 12: the 84th state fits, the 85th grows the table to 12 buckets.
        assert_eq!(set.len(), 84);
        assert_eq!(set.growth_bytes(), 12 * 64);
        assert_eq!(set.buckets.len(), INITIAL_BUCKETS);
        // A duplicate at the boundary grows the table too, and is still found with its number.
        assert_eq!(set.insert(&[9], h(&[9])), Some((3, false)));
        assert_eq!(set.buckets.len(), 12);
        assert_eq!(set.growth_bytes(), 0);
        assert_eq!(set.insert(&[v * 3], h(&[v * 3])), Some((84, true)));
        for u in 0..=v {
            assert_eq!(set.get(&[u * 3], h(&[u * 3])), Some(u as u32));
        }
        assert_eq!(set.bytes(), set.arena.capacity() * 8 + 12 * 64);
    }

    #[test]
    fn states_with_one_hash_are_told_apart_by_their_words_across_full_buckets() {
        // One hash for all: every state has the same home bucket and tag, so the buckets fill
        // one after another (wrapping at the table's end) and only the words tell them apart.
        let same = u64::MAX;
        let mut set = NumberedSet::new(2);
        for v in 0..80u64 {
            assert_eq!(set.insert(&[v, 1], same), Some((v as u32, true)));
            assert_eq!(set.insert(&[v, 1], same), Some((v as u32, false)));
        }
        let home = NumberedSet::home(same, INITIAL_BUCKETS);
        assert_eq!(home, INITIAL_BUCKETS - 1, "the last bucket: probes wrap to the first");
        assert_eq!(set.buckets[home].len(), LANES);
        assert_eq!(set.buckets[0].len(), LANES);
        for v in 0..80u64 {
            assert_eq!(set.get(&[v, 1], same), Some(v as u32));
            assert_eq!(set.get(&[1, v], same), if v == 1 { Some(1) } else { None });
        }
        set.prefetch_state(same);
        set.prefetch(same);
        assert_eq!(set.len(), 80);
    }
}
