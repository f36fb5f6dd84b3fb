//! The compact arrays a recorded state graph ([`crate::state_graph::RecordedGraph`]) is kept
//! in: the rows (where each state's edges start), the edges (target and label in one packed
//! value) and the marks (an index into a table of the distinct marks). Each is a
//! [`PackedInts`] at the narrowest width its values need, widened in place as the recording
//! grows, so the graph of a liveness check costs about 3.5 bytes an edge and 1.5 bytes a
//! state, where plain vectors took 5 and 17.

use std::collections::HashMap;
use std::ops::Range;

use rustc_hash::FxBuildHasher;

use crate::guard::Guard;
use crate::limits::Limit;
use crate::packed::{bits_for, room, PackedInts};

/// A label a recorder keeps of each edge: an unsigned number (of a few bits, for the
/// packing to pay), stored in the edge's packed value beside its target.
pub trait EdgeLabel: Copy + Send + Sync {
    /// The label as a number.
    fn index(self) -> u64;
    /// The label whose [`EdgeLabel::index`] is `index`.
    fn from_index(index: u64) -> Self;
}

impl EdgeLabel for () {
    fn index(self) -> u64 {
        0
    }
    fn from_index(_: u64) {}
}

macro_rules! unsigned_label {
    ($($t:ty),*) => {$(
        impl EdgeLabel for $t {
            #[inline]
            fn index(self) -> u64 {
                self as u64
            }
            #[inline]
            fn from_index(index: u64) -> $t {
                index as $t
            }
        }
    )*};
}
unsigned_label!(u8, u16, u32);

/// States per group of the row index: a group's first edge is kept whole (8 bytes), each
/// state's first edge as its distance from it (a few bits).
const GROUP: usize = 16;

/// Where each state's out-edges lie in the edge array: see [`GROUP`].
#[derive(Clone, Debug, Default)]
pub(crate) struct Rows {
    /// Each state's first edge less its group's.
    within: PackedInts,
    /// Each group's first edge.
    starts: Vec<u64>,
    edges: u64,
}

impl Rows {
    /// How many rows.
    pub fn len(&self) -> usize {
        self.within.len()
    }

    /// How many edges the rows hold.
    pub fn edges(&self) -> u64 {
        self.edges
    }

    /// The edge indices of row `s`.
    #[inline]
    pub fn range(&self, s: usize) -> Range<usize> {
        let group = self.starts[s / GROUP];
        let start = group + self.within.get(s);
        let end = if s + 1 == self.len() {
            self.edges
        } else if (s + 1) % GROUP == 0 {
            self.starts[(s + 1) / GROUP]
        } else {
            group + self.within.get(s + 1)
        };
        start as usize..end as usize
    }

    /// Makes room for `more` rows.
    pub fn reserve(&mut self, more: usize, guard: &Guard) -> Result<(), Limit> {
        self.within.reserve(more, guard)?;
        room(&mut self.starts, more.div_ceil(GROUP) + 1, guard)
    }

    /// Appends a row of `degree` edges.
    pub fn push(&mut self, degree: u64, guard: &Guard) -> Result<(), Limit> {
        if self.within.len() % GROUP == 0 {
            self.starts.push(self.edges);
        }
        let within = self.edges - self.starts[self.starts.len() - 1];
        if !self.within.fits(within) {
            self.within.widen(bits_for(within), guard)?;
        }
        self.within.push(within);
        self.edges += degree;
        Ok(())
    }

    pub fn shrink_to_fit(&mut self) {
        self.within.shrink_to_fit();
        self.starts.shrink_to_fit();
    }

    pub fn bytes(&self) -> usize {
        self.within.bytes() + self.starts.capacity() * 8
    }
}

/// Above this many distinct marks, marks are kept whole: an index would save little, and the
/// table's lookup would cost more than it saves.
const MOST_DISTINCT: usize = 1 << 16;

/// Each state's marks: an index into a table of the distinct marks while there are few (a
/// liveness check's marks are who cannot move and who is blocked: a few hundred values over
/// millions of states), else the words of each state one after another.
#[derive(Clone, Debug)]
pub(crate) enum Marks {
    Indexed {
        /// The distinct marks, `words` words each, in the order first met.
        table: Vec<u64>,
        index: PackedInts,
        /// Where each mark is in `table`, while the graph is recorded (emptied by
        /// [`Marks::finish`]).
        lookup: HashMap<Box<[u64]>, u32, FxBuildHasher>,
    },
    Whole(Vec<u64>),
}

impl Default for Marks {
    fn default() -> Marks {
        Marks::Indexed { table: Vec::new(), index: PackedInts::new(0), lookup: HashMap::default() }
    }
}

impl Marks {
    /// The marks of state `s`, of `words` words.
    #[inline]
    pub fn get(&self, s: usize, words: usize) -> &[u64] {
        let i = match self {
            Marks::Indexed { index, .. } if words > 0 => index.get(s) as usize,
            Marks::Indexed { .. } => 0,
            Marks::Whole(_) => s,
        };
        match self {
            Marks::Indexed { table: all, .. } | Marks::Whole(all) => &all[i * words..(i + 1) * words],
        }
    }

    /// Makes room for the marks of `more` states.
    pub fn reserve(&mut self, more: usize, words: usize, guard: &Guard) -> Result<(), Limit> {
        match self {
            Marks::Indexed { index, .. } => index.reserve(more, guard),
            Marks::Whole(all) => room(all, more * words, guard),
        }
    }

    /// Appends the marks `mark` of the next state, `states` states being marked before it.
    pub fn push(&mut self, mark: &[u64], states: usize, guard: &Guard) -> Result<(), Limit> {
        let words = mark.len();
        if words == 0 {
            return Ok(());
        }
        if let Marks::Indexed { table, index, lookup } = self {
            let i = match lookup.get(mark) {
                Some(&i) => i as u64,
                None if lookup.len() < MOST_DISTINCT => {
                    let i = lookup.len() as u32;
                    lookup.insert(mark.into(), i);
                    table.extend_from_slice(mark);
                    i as u64
                }
                None => {
                    // Too many to index: every state's marks whole from here on.
                    guard.room_for((states + 1) * words * 8)?;
                    let mut all = Vec::with_capacity((states + 1) * words);
                    for s in 0..states {
                        let i = index.get(s) as usize;
                        all.extend_from_slice(&table[i * words..(i + 1) * words]);
                    }
                    *self = Marks::Whole(all);
                    return self.push(mark, states, guard);
                }
            };
            if !index.fits(i) {
                index.widen(bits_for(i), guard)?;
            }
            index.push(i);
            return Ok(());
        }
        if let Marks::Whole(all) = self {
            room(all, words, guard)?;
            all.extend_from_slice(mark);
        }
        Ok(())
    }

    /// Drops what only recording needs and the room beyond what is held.
    pub fn finish(&mut self) {
        match self {
            Marks::Indexed { table, index, lookup } => {
                *lookup = HashMap::default();
                table.shrink_to_fit();
                index.shrink_to_fit();
            }
            Marks::Whole(all) => all.shrink_to_fit(),
        }
    }

    pub fn bytes(&self, words: usize) -> usize {
        match self {
            Marks::Indexed { table, index, lookup } => {
                table.capacity() * 8 + index.bytes() + lookup.capacity() * (words * 8 + 24)
            }
            Marks::Whole(all) => all.capacity() * 8,
        }
    }
}

/// Each edge's target and label, packed as `target << label_bits | label`.
///
/// While the graph is recorded the edges come in chunks (one per batch of the search, see
/// [`Edges::open_chunk`]), each packed at the widths its own values need, so a wider value
/// repacks only its chunk; [`Edges::seal`] then packs them all at one width, rewriting each
/// target on the way (the recording's provisional targets become state numbers).
#[derive(Clone, Debug, Default)]
pub(crate) struct Edges {
    packed: PackedInts,
    label_bits: u32,
    chunks: Vec<(PackedInts, u32)>,
    /// Edges held in `chunks`.
    in_chunks: usize,
    /// The largest target pushed to `chunks`.
    max_target: u64,
}

impl Edges {
    /// How many edges (sealed or in chunks).
    pub fn len(&self) -> usize {
        self.packed.len() + self.in_chunks
    }

    /// Edge `e` as (target, label index); the edges are sealed.
    #[inline]
    pub fn get(&self, e: usize) -> (u32, u64) {
        let v = self.packed.get(e);
        ((v >> self.label_bits) as u32, v & ((1u64 << self.label_bits) - 1))
    }

    /// Starts a chunk for `edges` more edges whose targets are at most `max_target`.
    pub fn open_chunk(&mut self, edges: usize, max_target: u64, guard: &Guard) -> Result<(), Limit> {
        let label_bits = self.chunks.last().map_or(0, |c| c.1);
        let bits = bits_for(max_target) + label_bits;
        guard.room_for((edges * bits as usize).div_ceil(8))?;
        self.chunks.push((PackedInts::with_capacity(bits, edges), label_bits));
        Ok(())
    }

    /// Appends an edge to `target` labelled `label` to the last chunk, widening the chunk
    /// first when either does not fit.
    #[inline]
    pub fn push(&mut self, target: u64, label: u64, guard: &Guard) -> Result<(), Limit> {
        match self.chunks.last_mut() {
            Some((packed, lb)) if label >> *lb == 0 && packed.fits(target << *lb) => {
                packed.push(target << *lb | label);
                self.in_chunks += 1;
                self.max_target = self.max_target.max(target);
                Ok(())
            }
            _ => self.push_wider(target, label, guard),
        }
    }

    /// [`Edges::push`] of an edge that does not fit the last chunk's widths (or no chunk).
    #[cold]
    #[inline(never)]
    fn push_wider(&mut self, target: u64, label: u64, guard: &Guard) -> Result<(), Limit> {
        if self.chunks.is_empty() {
            self.chunks.push((PackedInts::new(0), 0));
        }
        let (packed, lb) = self.chunks.last_mut().expect("a chunk is open");
        let target_bits = packed.bits() - *lb;
        let (old_lb, new_lb) = (*lb, (*lb).max(bits_for(label)));
        let new_tb = target_bits.max(bits_for(target));
        let low = (1u64 << old_lb) - 1;
        packed.repack(new_tb + new_lb, |v| (v >> old_lb) << new_lb | (v & low), guard)?;
        *lb = new_lb;
        packed.push(target << *lb | label);
        self.in_chunks += 1;
        self.max_target = self.max_target.max(target);
        Ok(())
    }

    /// Keeps the first `len` edges (of the last chunk: rows do not span chunks).
    pub fn truncate(&mut self, len: usize) {
        let total = self.len();
        if let Some((packed, _)) = self.chunks.last_mut() {
            let before = total - packed.len();
            let keep = len.saturating_sub(before).min(packed.len());
            self.in_chunks -= packed.len() - keep;
            packed.truncate(keep);
        }
    }

    /// The largest target in the chunks.
    pub fn max_target(&self) -> u64 {
        self.max_target
    }

    /// Packs the chunks' edges after the sealed ones at one width, each target `t` rewritten
    /// as `f(t)` (first edge to last), `f`'s values being below `2^target_bits`. Each chunk
    /// is freed once copied.
    pub fn seal(&mut self, target_bits: u32, mut f: impl FnMut(u64) -> u64, guard: &Guard) -> Result<(), Limit> {
        let label_bits = self.chunks.iter().map(|c| c.1).max().unwrap_or(0).max(self.label_bits);
        let bits = target_bits + label_bits;
        let total = self.len();
        guard.room_for((total * bits as usize).div_ceil(8))?;
        let mut packed = PackedInts::with_capacity(bits, total);
        let low = (1u64 << self.label_bits) - 1;
        for e in 0..self.packed.len() {
            let v = self.packed.get(e);
            packed.push(f(v >> self.label_bits) << label_bits | (v & low));
        }
        self.packed = PackedInts::new(0);
        for (chunk, lb) in std::mem::take(&mut self.chunks) {
            let low = (1u64 << lb) - 1;
            for v in chunk.iter() {
                packed.push(f(v >> lb) << label_bits | (v & low));
            }
        }
        (self.packed, self.label_bits, self.in_chunks, self.max_target) = (packed, label_bits, 0, 0);
        Ok(())
    }

    pub fn bytes(&self) -> usize {
        self.packed.bytes() + self.chunks.iter().map(|c| c.0.bytes()).sum::<usize>()
    }

    /// The (target bits, label bits) of the sealed packing.
    pub fn widths(&self) -> (u32, u32) {
        (self.packed.bits() - self.label_bits, self.label_bits)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::limits::Limits;

    fn guard() -> Guard {
        Guard::new(&Limits::default())
    }

    #[test]
    fn rows_read_back_at_every_group_boundary_and_when_the_offset_width_grows() {
        // Degrees 0..40 then 300 (an offset within a group past 8 bits): rows cross groups of
        // 16 and the within-group offsets widen several times.
        let degrees: Vec<u64> = (0..40).chain([300, 0, 1]).collect();
        let mut rows = Rows::default();
        for &d in &degrees {
            rows.push(d, &guard()).unwrap();
        }
        let mut start = 0usize;
        for (s, &d) in degrees.iter().enumerate() {
            assert_eq!(rows.range(s), start..start + d as usize, "row {s}");
            start += d as usize;
        }
        assert_eq!((rows.len(), rows.edges()), (degrees.len(), start as u64));
    }

    #[test]
    fn marks_are_indexed_while_few_and_kept_whole_past_the_most_distinct() {
        let mut marks = Marks::default();
        // Two words a mark: three distinct values over 1,000 states.
        for s in 0..1_000u64 {
            marks.push(&[s % 3, 7], s as usize, &guard()).unwrap();
        }
        assert!(matches!(&marks, Marks::Indexed { table, .. } if table.len() == 6));
        assert_eq!(marks.get(998, 2), [998 % 3, 7]);
        // Every state distinct: past MOST_DISTINCT the marks turn whole, and read back the same.
        let mut marks = Marks::default();
        let n = MOST_DISTINCT + 10;
        for s in 0..n {
            marks.push(&[s as u64], s, &guard()).unwrap();
        }
        assert!(matches!(marks, Marks::Whole(_)));
        assert!((0..n).all(|s| marks.get(s, 1) == [s as u64]));
        marks.finish();
        assert_eq!(marks.get(MOST_DISTINCT, 1), [MOST_DISTINCT as u64]);
    }

    #[test]
    fn edges_widen_their_chunk_at_a_label_or_target_that_does_not_fit_and_seal_at_one_width() {
        let mut edges = Edges::default();
        // A chunk for targets up to 7 (3 bits), no label bits yet.
        edges.open_chunk(4, 7, &guard()).unwrap();
        let first = [(7u64, 0u64), (0, 1), (5, 3), (8, 0)];
        for &(t, l) in &first {
            edges.push(t, l, &guard()).unwrap();
        }
        // A second chunk starts at the labels' 2 bits; a label of 4 takes 3.
        edges.open_chunk(3, 1, &guard()).unwrap();
        let second = [(1u64, 2u64), (0, 4), (1, 0)];
        for &(t, l) in &second {
            edges.push(t, l, &guard()).unwrap();
        }
        assert_eq!((edges.len(), edges.max_target()), (7, 8));
        // Sealed with each target plus 1,000 (10 bits).
        let mut seen = Vec::new();
        edges
            .seal(
                10,
                |t| {
                    seen.push(t);
                    t + 1_000
                },
                &guard(),
            )
            .unwrap();
        let all: Vec<(u64, u64)> = first.iter().chain(&second).copied().collect();
        assert_eq!(seen, all.iter().map(|&(t, _)| t).collect::<Vec<_>>(), "row order");
        assert_eq!(edges.widths(), (10, 3));
        assert!((0..7).all(|e| edges.get(e) == (all[e].0 as u32 + 1_000, all[e].1)));
    }

    #[test]
    fn an_unfinished_row_is_dropped_from_the_last_chunk_only() {
        let mut edges = Edges::default();
        edges.open_chunk(2, 3, &guard()).unwrap();
        edges.push(1, 0, &guard()).unwrap();
        edges.push(2, 0, &guard()).unwrap();
        edges.open_chunk(2, 3, &guard()).unwrap();
        edges.push(3, 1, &guard()).unwrap();
        edges.truncate(2);
        assert_eq!(edges.len(), 2);
        edges.seal(2, |t| t, &guard()).unwrap();
        assert_eq!((edges.get(0), edges.get(1)), ((1, 0), (2, 0)));
    }
}
