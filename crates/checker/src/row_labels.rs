//! The labels of a recorded state graph ([`crate::state_graph::RecordedGraph`]), kept per
//! row rather than per edge: a row's labels (its edges', in successor order) are one of few
//! distinct sequences in a liveness graph (the facts of a state's moves repeat from state to
//! state), so each row keeps the index of its sequence in a table of the distinct ones,
//! assigned in the order rows are written (row order, whatever the thread count). That costs
//! a few bits a state where a label beside each edge cost a few bits an edge. When the
//! sequences are too many for the table to pay, the labels are kept per edge instead.

use std::hash::BuildHasher;

use rustc_hash::FxBuildHasher;

use crate::guard::Guard;
use crate::limits::Limit;
use crate::packed::{bits_for, room, PackedInts};

/// Below this many labels in the table of sequences it is kept whatever the edges: it is
/// small (a few MB), and the first levels of a search share little that later ones reuse.
const FEW_LABELS: usize = 1 << 21;
/// At most this many distinct sequences: past it, or once the table holds more than half
/// the edges' labels (past [`FEW_LABELS`]: the rows share too little), the labels are kept
/// per edge.
const MOST: usize = 1 << 20;

/// Each row's labels: see the module comment.
#[derive(Clone, Debug)]
pub(crate) enum RowLabels {
    Patterns {
        /// The distinct sequences one after another, in the order first met.
        table: PackedInts,
        /// Where each sequence starts in `table`, and where the last ends.
        starts: Vec<u32>,
        /// Each row's sequence.
        index: PackedInts,
        /// The sequences met, by hash, while the graph is recorded (emptied by
        /// [`RowLabels::finish`]).
        lookup: Lookup,
        /// The labels of the row being recorded.
        open: Vec<u32>,
    },
    /// Each edge's label, in edge order.
    PerEdge(PackedInts),
}

impl Default for RowLabels {
    fn default() -> RowLabels {
        RowLabels::Patterns {
            table: PackedInts::new(0),
            starts: vec![0],
            index: PackedInts::new(0),
            lookup: Lookup::default(),
            open: Vec::new(),
        }
    }
}

impl RowLabels {
    /// The label of successor `k` of row `s`, whose edges start at edge `start`.
    #[inline]
    pub fn get(&self, s: usize, start: usize, k: usize) -> u64 {
        match self {
            RowLabels::Patterns { table, starts, index, .. } => {
                let p = index.get(s) as usize;
                debug_assert!((starts[p] as usize + k) < starts[p + 1] as usize);
                table.get(starts[p] as usize + k)
            }
            RowLabels::PerEdge(labels) => labels.get(start + k),
        }
    }

    /// Where the labels of row `s`, whose edges start at edge `start`, begin (for
    /// [`RowLabels::at`]): the row's successor `k` is at that plus `k`.
    #[inline]
    pub fn base(&self, s: usize, start: usize) -> usize {
        match self {
            RowLabels::Patterns { starts, index, .. } => starts[index.get(s) as usize] as usize,
            RowLabels::PerEdge(_) => start,
        }
    }

    /// The label at `pos` (see [`RowLabels::base`]).
    #[inline]
    pub fn at(&self, pos: usize) -> u64 {
        match self {
            RowLabels::Patterns { table, .. } => table.get(pos),
            RowLabels::PerEdge(labels) => labels.get(pos),
        }
    }

    /// True when the labels are kept per row.
    pub fn per_row(&self) -> bool {
        matches!(self, RowLabels::Patterns { .. })
    }

    /// Makes room for `rows` more rows of `edges` edges.
    pub fn reserve(&mut self, rows: usize, edges: usize, guard: &Guard) -> Result<(), Limit> {
        match self {
            RowLabels::Patterns { index, .. } => index.reserve(rows, guard),
            RowLabels::PerEdge(labels) => labels.reserve(edges, guard),
        }
    }

    /// Appends the label of the next edge of the row being recorded.
    #[inline]
    pub fn push(&mut self, label: u64, guard: &Guard) -> Result<(), Limit> {
        match self {
            RowLabels::Patterns { open, .. } => {
                debug_assert!(label <= u32::MAX as u64, "labels are at most 4 bytes");
                open.push(label as u32);
                Ok(())
            }
            RowLabels::PerEdge(labels) => {
                if !labels.fits(label) {
                    labels.widen(bits_for(label), guard)?;
                }
                labels.push(label);
                Ok(())
            }
        }
    }

    /// The index of row `s`'s sequence, when the labels are kept per row.
    #[inline]
    pub fn pattern(&self, s: usize) -> Option<u64> {
        match self {
            RowLabels::Patterns { index, .. } => Some(index.get(s)),
            RowLabels::PerEdge(_) => None,
        }
    }

    /// Ends the row being recorded, `rows` rows of `edges` edges being ended before it. When
    /// this turns the labels per edge, it gives back the rows' sequence indices it held.
    pub fn end_row(&mut self, rows: usize, edges: usize, guard: &Guard) -> Result<Option<PackedInts>, Limit> {
        let RowLabels::Patterns { table, starts, index, lookup, open } = self else { return Ok(None) };
        let hash = FxBuildHasher.hash_one(open.as_slice());
        let p = match lookup.find(hash, |p| same(table, starts, p as usize, open)) {
            Some(p) => p as u64,
            None if starts.len() <= MOST && (table.len() < FEW_LABELS || table.len() <= (edges + open.len()) / 2) => {
                let p = (starts.len() - 1) as u32;
                let widest = open.iter().copied().max().unwrap_or(0) as u64;
                if !table.fits(widest) {
                    table.widen(bits_for(widest), guard)?;
                }
                table.reserve(open.len(), guard)?;
                room(starts, 1, guard)?;
                for &l in open.iter() {
                    table.push(l as u64);
                }
                starts.push(table.len() as u32);
                let mut seq = Vec::new();
                lookup.insert(hash, p, |q| sequence_hash(table, starts, q as usize, &mut seq), guard)?;
                p as u64
            }
            None => return self.per_edge(rows, guard),
        };
        if !index.fits(p) {
            index.widen(bits_for(p), guard)?;
        }
        index.push(p);
        open.clear();
        Ok(None)
    }

    /// Turns to labels per edge: the `rows` rows ended and the open one, which this ends.
    /// Gives back the rows' sequence indices.
    #[cold]
    fn per_edge(&mut self, rows: usize, guard: &Guard) -> Result<Option<PackedInts>, Limit> {
        let RowLabels::Patterns { table, starts, index, open, .. } = self else { return Ok(None) };
        let edges: usize = (0..rows).map(|s| pattern_len(starts, index.get(s) as usize)).sum::<usize>() + open.len();
        let widest = open.iter().copied().max().unwrap_or(0) as u64;
        let mut labels = PackedInts::new(table.bits().max(bits_for(widest)));
        labels.reserve(edges, guard)?;
        for s in 0..rows {
            let p = index.get(s) as usize;
            for i in starts[p] as usize..starts[p + 1] as usize {
                labels.push(table.get(i));
            }
        }
        for &l in open.iter() {
            labels.push(l as u64);
        }
        let index = std::mem::take(index);
        *self = RowLabels::PerEdge(labels);
        Ok(Some(index))
    }

    /// Drops the labels of the row being recorded, `edges` edges being in the rows ended.
    pub fn drop_open_row(&mut self, edges: usize) {
        match self {
            RowLabels::Patterns { open, .. } => open.clear(),
            RowLabels::PerEdge(labels) => labels.truncate(edges),
        }
    }

    /// Drops what only recording needs and the room beyond what is held.
    pub fn finish(&mut self) {
        match self {
            RowLabels::Patterns { table, starts, index, lookup, open } => {
                *lookup = Lookup::default();
                *open = Vec::new();
                table.shrink_to_fit();
                starts.shrink_to_fit();
                index.shrink_to_fit();
            }
            RowLabels::PerEdge(labels) => labels.shrink_to_fit(),
        }
    }

    /// The bits of a label: the widest label's.
    pub fn label_bits(&self) -> u32 {
        match self {
            RowLabels::Patterns { table, .. } => table.bits(),
            RowLabels::PerEdge(labels) => labels.bits(),
        }
    }

    pub fn bytes(&self) -> usize {
        match self {
            RowLabels::Patterns { table, starts, index, lookup, open } => {
                (starts.capacity() + open.capacity() + lookup.slots.capacity()) * 4 + table.bytes() + index.bytes()
            }
            RowLabels::PerEdge(labels) => labels.bytes(),
        }
    }
}

fn pattern_len(starts: &[u32], p: usize) -> usize {
    (starts[p + 1] - starts[p]) as usize
}

/// The hash of sequence `p` of `table` (as [`RowLabels::end_row`] hashes a row's labels),
/// read into `seq`.
fn sequence_hash(table: &PackedInts, starts: &[u32], p: usize, seq: &mut Vec<u32>) -> u64 {
    seq.clear();
    seq.extend((starts[p]..starts[p + 1]).map(|i| table.get(i as usize) as u32));
    FxBuildHasher.hash_one(seq.as_slice())
}

/// Bits of a [`Lookup`] slot that hold a sequence's index plus one: enough for [`MOST`] + 1
/// sequences; the bits above hold a tag of the sequence's hash.
const INDEX_BITS: u32 = 21;
const INDEX_MASK: u32 = (1 << INDEX_BITS) - 1;
const _: () = assert!(MOST + 2 <= 1 << INDEX_BITS);

/// The distinct sequences by hash, while the graph is recorded: open addressing with linear
/// probing over 4-byte slots, each empty (0) or a sequence's index plus one under a tag of
/// its hash (most other sequences are passed by their tag, without reading their labels).
/// At most three quarters full. A map from hash to index took 16 bytes an entry (3.7 MB for
/// the 119 thousand sequences of issue #21's twelve workers, where these slots take 1 MB),
/// beside a second map for sequences whose hashes clash.
#[derive(Clone, Debug, Default)]
pub(crate) struct Lookup {
    slots: Vec<u32>,
    len: usize,
}

impl Lookup {
    /// The first slot to probe for `hash` among `slots` (a power of two), and its tag.
    #[inline]
    fn place(hash: u64, slots: usize) -> (usize, u32) {
        // Fibonacci hashing: the top bits of the product pick the slot, lower ones the tag.
        let mixed = hash.wrapping_mul(0x9E37_79B9_7F4A_7C15);
        ((mixed >> (64 - slots.trailing_zeros())) as usize, (mixed >> 8) as u32 & !INDEX_MASK)
    }

    /// The sequence of hash `hash` for which `is` holds.
    #[inline]
    pub fn find(&self, hash: u64, is: impl Fn(u32) -> bool) -> Option<u32> {
        if self.slots.is_empty() {
            return None;
        }
        let mask = self.slots.len() - 1;
        let (mut i, tag) = Self::place(hash, self.slots.len());
        loop {
            let slot = self.slots[i];
            if slot == 0 {
                return None;
            }
            if slot & !INDEX_MASK == tag && is((slot & INDEX_MASK) - 1) {
                return Some((slot & INDEX_MASK) - 1);
            }
            i = (i + 1) & mask;
        }
    }

    /// Adds sequence `p` (not in the table) of hash `hash`; `hash_of` gives the hash of the
    /// sequences already in it when the table grows.
    pub fn insert(
        &mut self,
        hash: u64,
        p: u32,
        mut hash_of: impl FnMut(u32) -> u64,
        guard: &Guard,
    ) -> Result<(), Limit> {
        debug_assert!(p as usize <= MOST, "{p} sequences");
        if (self.len + 1) * 4 > self.slots.len() * 3 {
            let size = (self.slots.len() * 2).max(1 << 10);
            guard.room_for(size * 4)?;
            let old = std::mem::replace(&mut self.slots, vec![0; size]);
            for slot in old.into_iter().filter(|&s| s != 0) {
                self.put(hash_of((slot & INDEX_MASK) - 1), slot & INDEX_MASK);
            }
        }
        self.put(hash, p + 1);
        self.len += 1;
        Ok(())
    }

    /// Writes `value` in the first empty slot from `hash`'s.
    fn put(&mut self, hash: u64, value: u32) {
        let mask = self.slots.len() - 1;
        let (mut i, tag) = Self::place(hash, self.slots.len());
        while self.slots[i] != 0 {
            i = (i + 1) & mask;
        }
        self.slots[i] = tag | value;
    }
}

/// True when sequence `p` of `table` is `labels`.
fn same(table: &PackedInts, starts: &[u32], p: usize, labels: &[u32]) -> bool {
    pattern_len(starts, p) == labels.len()
        && labels.iter().enumerate().all(|(k, &l)| table.get(starts[p] as usize + k) == l as u64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::limits::Limits;

    fn guard() -> Guard {
        Guard::new(&Limits::default())
    }

    /// Records `rows` (each row's labels), returning the labels and the rows' edge starts.
    fn record(rows: &[Vec<u64>]) -> (RowLabels, Vec<usize>) {
        let mut labels = RowLabels::default();
        let mut starts = Vec::new();
        let mut edges = 0;
        for (s, row) in rows.iter().enumerate() {
            starts.push(edges);
            for &l in row {
                labels.push(l, &guard()).unwrap();
            }
            edges += row.len();
            if let Some(index) = labels.end_row(s, edges - row.len(), &guard()).unwrap() {
                // Turned per edge: the sequences of the rows before are given back.
                assert_eq!(index.len(), s);
                assert!((0..s).all(|r| (rows[r] == rows[0]) == (index.get(r) == 0)));
            }
        }
        (labels, starts)
    }

    fn read(labels: &RowLabels, rows: &[Vec<u64>], starts: &[usize]) -> Vec<Vec<u64>> {
        rows.iter().enumerate().map(|(s, row)| (0..row.len()).map(|k| labels.get(s, starts[s], k)).collect()).collect()
    }

    #[test]
    fn rows_that_share_a_sequence_share_its_entry_and_read_back_every_label() {
        // Four sequences over 400 rows (one empty); a row dropped while open leaves nothing.
        let kinds = [vec![0, 5, 5], vec![], vec![5, 0, 5], vec![63, 1, 2, 3, 64]];
        let rows: Vec<Vec<u64>> = (0..400).map(|s| kinds[s * 7 % 4].clone()).collect();
        let (mut labels, starts) = record(&rows);
        labels.push(9, &guard()).unwrap();
        labels.drop_open_row(starts[399] + rows[399].len());
        assert!(matches!(&labels, RowLabels::Patterns { table, starts, .. } if table.len() == 11 && starts.len() == 5));
        assert_eq!(read(&labels, &rows, &starts), rows);
        assert_eq!(labels.label_bits(), 7);
        labels.finish();
        assert_eq!(read(&labels, &rows, &starts), rows);
        // First met, first numbered: row 0's sequence is entry 0, row 1's (kind 3) entry 1.
        assert!(
            matches!(&labels, RowLabels::Patterns { index, .. } if index.get(0) == 0 && index.get(1) == 1 && index.get(4) == 0)
        );
    }

    #[test]
    fn too_many_distinct_sequences_turn_to_labels_per_edge_that_read_back_the_same() {
        // Every row its own sequence: past FEW_LABELS (the table holding every edge's label)
        // the labels turn per edge, the rows before and the one open then kept whole; then
        // a label that widens them.
        let rows: Vec<Vec<u64>> =
            (0..(FEW_LABELS / 32) as u64 + 100).map(|s| (0..32).map(|k| s >> (k % 16) & 1).collect()).collect();
        let mut rows = rows;
        rows.push(vec![1 << 20, 0]);
        let (mut labels, starts) = record(&rows);
        assert!(!labels.per_row());
        assert_eq!(read(&labels, &rows, &starts), rows);
        assert_eq!(labels.label_bits(), 21);
        labels.push(4, &guard()).unwrap();
        labels.drop_open_row(starts[rows.len() - 1] + 2);
        labels.finish();
        assert_eq!(read(&labels, &rows, &starts), rows);
    }

    #[test]
    fn a_graph_whose_edge_targets_widen_reads_back_every_target_and_label_by_row_and_by_edge() {
        use crate::state_graph::RecordedGraph;
        // Row s: s % 4 edges (targets growing to 3,000: their width widens repeatedly), the
        // labels one of three sequences by length; every fourth row has none.
        let rows: Vec<Vec<(u64, u8)>> =
            (0..1_000u64).map(|s| (0..s % 4).map(|k| (s * 3 + k, [7u8, 0, 2][k as usize])).collect()).collect();
        let mut g = RecordedGraph::<u8>::new(0);
        for row in &rows {
            for &(t, l) in row {
                g.push_edge(t, l, &guard()).unwrap();
            }
            g.end_row(&[], &guard()).unwrap();
        }
        let g = g.sealed();
        assert!(g.labels_per_row());
        assert_eq!(g.edge_widths(), (bits_for(2_999), 3));
        let mut e = 0;
        for (s, row) in rows.iter().enumerate() {
            let read: Vec<(u32, u32, u8)> = g.edges(s as u32).collect();
            let want: Vec<(u32, u32, u8)> =
                row.iter().enumerate().map(|(k, &(t, l))| (k as u32, t as u32, l)).collect();
            assert_eq!(read, want, "row {s}");
            for &(t, l) in row {
                assert_eq!((g.row_of(e), g.edge(e), g.label(e)), (s as u32, (t as u32, l), l), "edge {e}");
                e += 1;
            }
        }
        assert_eq!(e, g.edge_count());
    }

    /// A graph of `rows` (each row's labels, its targets 0) whose state `s` has marks `mark(s)`.
    fn marked(rows: &[Vec<u8>], mark: &dyn Fn(usize) -> u64) -> crate::state_graph::RecordedGraph<u8> {
        let mut g = crate::state_graph::RecordedGraph::<u8>::new(1);
        for (s, row) in rows.iter().enumerate() {
            for &l in row {
                g.push_edge(0, l, &guard()).unwrap();
            }
            g.end_row(&[mark(s)], &guard()).unwrap();
        }
        g.sealed()
    }

    #[test]
    fn marks_that_follow_the_label_sequence_are_kept_by_sequence_until_one_does_not() {
        // Three sequences over 300 rows; the marks are the sequence's kind times 10.
        let kinds = [vec![1, 2], vec![], vec![2, 1, 1]];
        let rows: Vec<Vec<u8>> = (0..300).map(|s| kinds[s * 7 % 3].clone()).collect();
        let g = marked(&rows, &|s| (s * 7 % 3) as u64 * 10);
        assert!(g.marks_by_row());
        assert!((0..300).all(|s| g.mark(s as u32) == [(s * 7 % 3) as u64 * 10]));
        // Row 200's marks are not its sequence's: every state is marked on its own from
        // there on, the rows before it as their sequence's.
        let odd = |s: usize| if s == 200 { 99 } else { (s * 7 % 3) as u64 * 10 };
        let g = marked(&rows, &odd);
        assert!(!g.marks_by_row());
        assert!((0..300).all(|s| g.mark(s as u32) == [odd(s)]), "every mark reads back");
        // Past the most distinct marks (every row its own sequence and marks), the marks
        // turn whole and read back the same.
        let n = crate::graph_arrays::MOST_DISTINCT + 5;
        let rows: Vec<Vec<u8>> = (0..n).map(|s| vec![(s % 200) as u8, (s / 200) as u8]).collect();
        let g = marked(&rows, &|s| s as u64);
        assert!(!g.marks_by_row());
        assert!((0..n).all(|s| g.mark(s as u32) == [s as u64]));
    }

    #[test]
    fn sequences_of_one_hash_each_get_their_own_entry_and_are_found_again_after_the_table_grows() {
        // 5,000 sequences, every tenth of hash 7 (the rest of hash p): the lookup tells them
        // apart by `is`, before and after the table grows (from 1,024 slots to 8,192).
        let hash = |p: u32| if p.checked_rem(10) == Some(0) { 7 } else { p as u64 * 0x1234_5678_9ABC };
        let mut lookup = Lookup::default();
        for p in 0..5_000u32 {
            assert_eq!(lookup.find(hash(p), |q| q == p), None, "{p} not yet in");
            lookup.insert(hash(p), p, hash, &guard()).unwrap();
            if p == 100 {
                assert_eq!(lookup.slots.len(), 1 << 10);
                assert!((0..=100).all(|q| lookup.find(hash(q), |r| r == q) == Some(q)));
            }
        }
        assert_eq!((lookup.len, lookup.slots.len()), (5_000, 1 << 13));
        assert!((0..5_000).all(|q| lookup.find(hash(q), |r| r == q) == Some(q)));
        // Hash 7 with no sequence of its own among those of hash 7: none.
        assert_eq!(lookup.find(7, |r| r == 5), None);
    }

    #[test]
    fn a_sequence_whose_hash_another_has_gets_its_own_entry_and_is_found_again() {
        let mut labels = RowLabels::default();
        let row = |labels: &mut RowLabels, ls: &[u64], rows: usize| {
            for &l in ls {
                labels.push(l, &guard()).unwrap();
            }
            labels.end_row(rows, 0, &guard()).unwrap();
        };
        row(&mut labels, &[1, 2], 0);
        // As if [1, 2] had [3]'s hash too: the lookup finds entry 0 for [3], which is not [3].
        let RowLabels::Patterns { lookup, .. } = &mut labels else { panic!("labels per row") };
        let three = FxBuildHasher.hash_one([3u32].as_slice());
        lookup.insert(three, 0, |_| three, &guard()).unwrap();
        row(&mut labels, &[3], 1);
        row(&mut labels, &[3], 2);
        row(&mut labels, &[1, 2], 3);
        assert!(matches!(&labels, RowLabels::Patterns { starts, index, .. }
            if starts.len() == 3 && (0..4).map(|s| index.get(s)).eq([0, 1, 1, 0])));
        assert_eq!((labels.get(1, 2, 0), labels.get(2, 3, 0), labels.get(3, 4, 1)), (3, 3, 2));
    }
}
