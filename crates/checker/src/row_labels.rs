//! The labels of a recorded state graph ([`crate::state_graph::RecordedGraph`]), kept per
//! row rather than per edge: a row's labels (its edges', in successor order) are one of few
//! distinct sequences in a liveness graph (the facts of a state's moves repeat from state to
//! state), so each row keeps the index of its sequence in a table of the distinct ones,
//! assigned in the order rows are written (row order, whatever the thread count). That costs
//! a few bits a state where a label beside each edge cost a few bits an edge. When the
//! sequences are too many for the table to pay, the labels are kept per edge instead.

use std::collections::hash_map::Entry;
use std::collections::HashMap;
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
        /// The sequence of each hash of a sequence met (the first met of that hash), while the
        /// graph is recorded (emptied by [`RowLabels::finish`]): a hash rather than the
        /// sequence keeps the table's labels in one place.
        lookup: HashMap<u64, u32, FxBuildHasher>,
        /// The sequences whose hash an earlier one has (almost never any).
        clashes: HashMap<Box<[u32]>, u32, FxBuildHasher>,
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
            lookup: HashMap::default(),
            clashes: HashMap::default(),
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

    /// Ends the row being recorded, `rows` rows of `edges` edges being ended before it.
    pub fn end_row(&mut self, rows: usize, edges: usize, guard: &Guard) -> Result<(), Limit> {
        let RowLabels::Patterns { table, starts, index, lookup, clashes, open } = self else { return Ok(()) };
        let hash = FxBuildHasher.hash_one(open.as_slice());
        let found = match lookup.get(&hash) {
            Some(&p) if same(table, starts, p as usize, open) => Some(p),
            Some(_) => clashes.get(open.as_slice()).copied(),
            None => None,
        };
        let p = match found {
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
                match lookup.entry(hash) {
                    Entry::Occupied(_) => {
                        clashes.insert(open.as_slice().into(), p);
                    }
                    Entry::Vacant(v) => {
                        v.insert(p);
                    }
                }
                p as u64
            }
            None => return self.per_edge(rows, guard),
        };
        if !index.fits(p) {
            index.widen(bits_for(p), guard)?;
        }
        index.push(p);
        open.clear();
        Ok(())
    }

    /// Turns to labels per edge: the `rows` rows ended and the open one, which this ends.
    #[cold]
    fn per_edge(&mut self, rows: usize, guard: &Guard) -> Result<(), Limit> {
        let RowLabels::Patterns { table, starts, index, open, .. } = self else { return Ok(()) };
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
        *self = RowLabels::PerEdge(labels);
        Ok(())
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
            RowLabels::Patterns { table, starts, index, lookup, clashes, open } => {
                *lookup = HashMap::default();
                *clashes = HashMap::default();
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
            RowLabels::Patterns { table, starts, index, lookup, clashes, open } => {
                (starts.capacity() + open.capacity()) * 4
                    + table.bytes()
                    + index.bytes()
                    + lookup.capacity() * 16
                    + clashes.keys().map(|k| k.len() * 4 + 24).sum::<usize>()
            }
            RowLabels::PerEdge(labels) => labels.bytes(),
        }
    }
}

fn pattern_len(starts: &[u32], p: usize) -> usize {
    (starts[p + 1] - starts[p]) as usize
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
            labels.end_row(s, edges - row.len(), &guard()).unwrap();
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
        // As if [3]'s hash were [1, 2]'s: the lookup finds entry 0, which is not [3].
        if let RowLabels::Patterns { lookup, .. } = &mut labels {
            lookup.insert(FxBuildHasher.hash_one([3u32].as_slice()), 0);
        }
        row(&mut labels, &[3], 1);
        row(&mut labels, &[3], 2);
        row(&mut labels, &[1, 2], 3);
        assert!(matches!(&labels, RowLabels::Patterns { clashes, index, .. }
            if clashes.len() == 1 && (0..4).map(|s| index.get(s)).eq([0, 1, 1, 0])));
        assert_eq!((labels.get(1, 2, 0), labels.get(2, 3, 0), labels.get(3, 4, 1)), (3, 3, 2));
    }
}
