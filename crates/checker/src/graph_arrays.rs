//! The compact arrays a recorded state graph ([`crate::state_graph::RecordedGraph`]) is kept
//! in: the rows (where each state's edges start), the edges (target and label in one packed
//! value; a recorded graph keeps its labels per row instead, see `row_labels.rs`, and pushes
//! label 0 here) and the marks (an index into a table of the distinct marks, per state or,
//! while each state's marks are its label sequence's, per sequence). Each is a
//! [`PackedInts`] at the narrowest width its values need, widened in place as the recording
//! grows, so the graph of a liveness check costs about 3.5 bytes an edge and 1.5 bytes a
//! state, where plain vectors took 5 and 17.

use std::collections::HashMap;
use std::ops::Range;

use rustc_hash::FxBuildHasher;

use crate::guard::Guard;
use crate::limits::Limit;
use crate::packed::{bits_for, room, PackedInts};
use crate::row_labels::RowLabels;

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
const _: () = assert!(GROUP.is_power_of_two());

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
        } else if (s + 1) & (GROUP - 1) == 0 {
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
        if self.within.len() & (GROUP - 1) == 0 {
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
pub(crate) const MOST_DISTINCT: usize = 1 << 16;

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

    /// The index of `mark` among the distinct marks, added if new; `None` when the marks are
    /// kept whole or `mark` would be one distinct mark too many.
    pub fn intern(&mut self, mark: &[u64]) -> Option<u64> {
        let Marks::Indexed { table, lookup, .. } = self else { return None };
        match lookup.get(mark) {
            Some(&i) => Some(i as u64),
            None if lookup.len() < MOST_DISTINCT => {
                let i = lookup.len() as u32;
                lookup.insert(mark.into(), i);
                table.extend_from_slice(mark);
                Some(i as u64)
            }
            None => None,
        }
    }

    /// Distinct mark `i` (of [`Marks::intern`]), of `words` words.
    #[inline]
    pub fn distinct(&self, i: usize, words: usize) -> &[u64] {
        match self {
            Marks::Indexed { table: all, .. } | Marks::Whole(all) => &all[i * words..(i + 1) * words],
        }
    }

    /// Gives the first `states` states (none marked yet) their index among the distinct
    /// marks, `of(s)` for state `s`.
    pub fn index_states(&mut self, states: usize, of: impl Fn(usize) -> u64, guard: &Guard) -> Result<(), Limit> {
        let Marks::Indexed { index, .. } = self else { return Ok(()) };
        debug_assert_eq!(index.len(), 0, "states marked already");
        index.reserve(states, guard)?;
        for s in 0..states {
            let i = of(s);
            if !index.fits(i) {
                index.widen(bits_for(i), guard)?;
            }
            index.push(i);
        }
        Ok(())
    }

    /// Appends the marks `mark` of the next state, `states` states being marked before it.
    pub fn push(&mut self, mark: &[u64], states: usize, guard: &Guard) -> Result<(), Limit> {
        let words = mark.len();
        if words == 0 {
            return Ok(());
        }
        if let Marks::Indexed { .. } = self {
            let i = match self.intern(mark) {
                Some(i) => i,
                None => {
                    // Too many to index: every state's marks whole from here on.
                    guard.room_for((states + 1) * words * 8)?;
                    let mut all = Vec::with_capacity((states + 1) * words);
                    if let Marks::Indexed { table, index, .. } = self {
                        for s in 0..states {
                            let i = index.get(s) as usize;
                            all.extend_from_slice(&table[i * words..(i + 1) * words]);
                        }
                    }
                    *self = Marks::Whole(all);
                    return self.push(mark, states, guard);
                }
            };
            let Marks::Indexed { index, .. } = self else { return Ok(()) };
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

/// Marks state `s` with `mark`, its labels' sequence just ended (`dropped`: the rows'
/// sequence indices, when that turned the labels per edge): by its sequence in `by_row`
/// while every state's marks are its sequence's, else in `marks` by state (see
/// `RecordedGraph`'s `marks_by_row`).
pub(crate) fn push_row_marks(
    marks: &mut Marks,
    by_row: &mut Option<Vec<u32>>,
    labels: &RowLabels,
    dropped: Option<PackedInts>,
    mark: &[u64],
    s: usize,
    guard: &Guard,
) -> Result<(), Limit> {
    if let Some(by) = by_row {
        let pattern = if dropped.is_some() { None } else { labels.pattern(s) };
        match (pattern, marks.intern(mark)) {
            (Some(p), Some(i)) if p as usize == by.len() => {
                room(by, 1, guard)?;
                by.push(i as u32);
                return Ok(());
            }
            (Some(p), Some(i)) if by.get(p as usize) == Some(&(i as u32)) => return Ok(()),
            _ => {}
        }
        // This state's marks are not its sequence's (or the sequences are gone): every state
        // gets its own index, the states before by their sequence's.
        let by = by_row.take().unwrap_or_default();
        let patterns = |r: usize| match &dropped {
            Some(index) => index.get(r),
            None => labels.pattern(r).unwrap_or_default(),
        };
        marks.index_states(s, |r| by[patterns(r) as usize] as u64, guard)?;
    }
    marks.push(mark, s, guard)
}

/// Each edge's target and label, packed as `target << label_bits | label`; both widths
/// grow as larger values come (the targets' once per batch of the search, see
/// [`Edges::reserve`]), and [`Edges::seal`] rewrites the targets in place at the end.
#[derive(Clone, Debug, Default)]
pub(crate) struct Edges {
    packed: PackedInts,
    label_bits: u32,
}

impl Edges {
    /// How many edges.
    pub fn len(&self) -> usize {
        self.packed.len()
    }

    /// Edge `e` as (target, label index).
    #[inline]
    pub fn get(&self, e: usize) -> (u32, u64) {
        let v = self.packed.get(e);
        ((v >> self.label_bits) as u32, v & ((1u64 << self.label_bits) - 1))
    }

    /// Makes room for `edges` more edges whose targets are at most `max_target`, widening
    /// the targets now (one pass over the edges held) rather than edge by edge.
    pub fn reserve(&mut self, edges: usize, max_target: u64, guard: &Guard) -> Result<(), Limit> {
        if !self.packed.fits(max_target << self.label_bits) {
            self.widen(max_target, 0, guard)?;
        }
        self.packed.reserve(edges, guard)
    }

    /// Appends an edge to `target` labelled `label`, widening the packing first when either
    /// does not fit.
    #[inline]
    pub fn push(&mut self, target: u64, label: u64, guard: &Guard) -> Result<(), Limit> {
        let lb = self.label_bits;
        if label >> lb != 0 || !self.packed.fits(target << lb) {
            self.widen(target, label, guard)?;
        }
        self.packed.push(target << self.label_bits | label);
        Ok(())
    }

    /// Widens the packing to hold `target` and `label`.
    #[cold]
    #[inline(never)]
    fn widen(&mut self, target: u64, label: u64, guard: &Guard) -> Result<(), Limit> {
        let lb = self.label_bits;
        let new_lb = lb.max(bits_for(label));
        let new_tb = (self.packed.bits() - lb).max(bits_for(target));
        let low = (1u64 << lb) - 1;
        self.packed.repack(new_tb + new_lb, |v| (v >> lb) << new_lb | (v & low), guard)?;
        self.label_bits = new_lb;
        Ok(())
    }

    /// Keeps the first `len` edges.
    pub fn truncate(&mut self, len: usize) {
        self.packed.truncate(len);
    }

    /// Rewrites each edge's target `t` as `f(t)`, first edge to last, in place, with targets
    /// of `target_bits` bits from now on (`f`'s values being below `2^target_bits`).
    pub fn seal(&mut self, target_bits: u32, mut f: impl FnMut(u64) -> u64, guard: &Guard) -> Result<(), Limit> {
        let lb = self.label_bits;
        if target_bits + lb > self.packed.bits() {
            self.packed.widen(target_bits + lb, guard)?;
        }
        let low = (1u64 << lb) - 1;
        self.packed.map_narrower(target_bits + lb, |v| f(v >> lb) << lb | (v & low));
        self.packed.shrink_to_fit();
        Ok(())
    }

    /// The largest target (one pass over the edges).
    #[cfg(test)]
    pub fn max_target(&self) -> u64 {
        (0..self.len()).map(|e| self.packed.get(e) >> self.label_bits).max().unwrap_or(0)
    }

    pub fn bytes(&self) -> usize {
        self.packed.bytes()
    }

    /// The (target bits, label bits) of the packing.
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
    fn edges_widen_at_a_label_or_target_that_does_not_fit_and_seal_in_place() {
        let mut edges = Edges::default();
        // Room for targets up to 7 (3 bits), no label bits yet; then 8, and labels to 4.
        edges.reserve(4, 7, &guard()).unwrap();
        assert_eq!(edges.widths(), (3, 0));
        let all = [(7u64, 0u64), (0, 1), (5, 3), (8, 0), (1, 2), (0, 4), (1, 0)];
        for &(t, l) in &all {
            edges.push(t, l, &guard()).unwrap();
        }
        assert_eq!((edges.len(), edges.max_target(), edges.widths()), (7, 8, (4, 3)));
        assert!((0..7).all(|e| edges.get(e) == (all[e].0 as u32, all[e].1)));
        // Sealed with each target plus 1,000 (10 bits: wider), then narrower again.
        let mut seen = Vec::new();
        let plus = |t| {
            seen.push(t);
            t + 1_000
        };
        edges.seal(10, plus, &guard()).unwrap();
        assert_eq!(seen, all.iter().map(|&(t, _)| t).collect::<Vec<_>>(), "row order");
        assert_eq!(edges.widths(), (10, 3));
        assert!((0..7).all(|e| edges.get(e) == (all[e].0 as u32 + 1_000, all[e].1)));
        edges.seal(4, |t| t - 1_000, &guard()).unwrap();
        assert_eq!(edges.widths(), (4, 3));
        assert!((0..7).all(|e| edges.get(e) == (all[e].0 as u32, all[e].1)));
    }

    #[test]
    fn an_unfinished_row_is_dropped() {
        let mut edges = Edges::default();
        for t in [1, 2, 3] {
            edges.push(t, 0, &guard()).unwrap();
        }
        edges.truncate(2);
        edges.push(3, 1, &guard()).unwrap();
        assert_eq!((edges.len(), edges.get(1), edges.get(2)), (3, (2, 0), (3, 1)));
    }
}
