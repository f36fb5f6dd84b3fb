//! The edge labels of a liveness graph at the width its fact table needs.
//!
//! An edge's label is the index of its [`super::facts::MoveFacts`] in the check's table of
//! distinct facts. Most models have a few dozen distinct facts, so a 4-byte index wastes
//! three of every edge's eight bytes (target and label): the check records with 1-byte
//! labels first and only when the table outgrows them records again with 2-byte, then
//! 4-byte ones ([`super::record_graph`]). The recording's peak memory is what the width
//! saves: the edges are most of it.

/// A fact index of one width: 1, 2 or 4 bytes.
pub trait FactIndex: Copy + Send + Sync + 'static {
    /// The index `i` at this width, or `None` when it does not fit.
    fn narrow(i: u32) -> Option<Self>;
    /// Wraps the labels of a recording into [`FactLabels`].
    fn wrap(labels: Vec<Self>) -> FactLabels;
}

impl FactIndex for u8 {
    fn narrow(i: u32) -> Option<u8> {
        u8::try_from(i).ok()
    }
    fn wrap(labels: Vec<u8>) -> FactLabels {
        FactLabels::One(labels)
    }
}

impl FactIndex for u16 {
    fn narrow(i: u32) -> Option<u16> {
        u16::try_from(i).ok()
    }
    fn wrap(labels: Vec<u16>) -> FactLabels {
        FactLabels::Two(labels)
    }
}

impl FactIndex for u32 {
    fn narrow(i: u32) -> Option<u32> {
        Some(i)
    }
    fn wrap(labels: Vec<u32>) -> FactLabels {
        FactLabels::Four(labels)
    }
}

/// Every edge's fact index, at the width the recording used.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FactLabels {
    /// 1-byte indices: a table of at most 256 facts.
    One(Vec<u8>),
    /// 2-byte indices: at most 65,536 facts.
    Two(Vec<u16>),
    /// 4-byte indices.
    Four(Vec<u32>),
}

impl FactLabels {
    /// The fact index of edge `e`.
    #[inline]
    pub fn get(&self, e: usize) -> usize {
        match self {
            FactLabels::One(v) => v[e] as usize,
            FactLabels::Two(v) => v[e] as usize,
            FactLabels::Four(v) => v[e] as usize,
        }
    }

    /// Bytes per label.
    pub fn width(&self) -> usize {
        match self {
            FactLabels::One(_) => 1,
            FactLabels::Two(_) => 2,
            FactLabels::Four(_) => 4,
        }
    }

    /// How many edges are labelled.
    pub fn len(&self) -> usize {
        match self {
            FactLabels::One(v) => v.len(),
            FactLabels::Two(v) => v.len(),
            FactLabels::Four(v) => v.len(),
        }
    }

    /// True when no edge is labelled.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::guard::Guard;
    use crate::limits::Limits;
    use crate::system_model::{Reductions, SystemModel};

    /// A width that holds two facts: the fallback of a table that outgrows its labels.
    #[derive(Clone, Copy)]
    struct Two(u8);

    impl FactIndex for Two {
        fn narrow(i: u32) -> Option<Two> {
            (i < 2).then_some(Two(i as u8))
        }
        fn wrap(labels: Vec<Two>) -> FactLabels {
            FactLabels::One(labels.into_iter().map(|l| l.0).collect())
        }
    }

    #[test]
    fn a_table_that_outgrows_its_labels_is_recorded_again_wider_with_the_same_graph_and_indices() {
        // Two threads taking turns at a mutex: more than two distinct facts, far fewer than 256.
        let text = "model turns\ncrashes 0\nmutex m\nprocess w[2] {\n    while true {\n        let r = wait m\n        progress\n        release m\n    }\n}\n";
        let system = mutexcheck_core::System::new(mutexcheck_lang::compile("t.mc", text.as_bytes()).unwrap()).unwrap();
        let model = SystemModel::new(&system, Reductions::NONE);
        let (limits, guard) = (Limits::default(), Guard::new(&Limits::default()));
        assert!(super::super::record_with::<Two>(&model, &limits, 1, &guard).is_none());
        let one = super::super::record_with::<u8>(&model, &limits, 1, &guard).unwrap().0.unwrap();
        let four = super::super::record_with::<u32>(&model, &limits, 1, &guard).unwrap().0.unwrap();
        let chosen = super::super::record_graph(&model, &limits, 1, &guard).0.unwrap();
        assert_eq!((one.labels.width(), four.labels.width(), chosen.labels.width()), (1, 4, 1));
        assert!(one.facts.len() > 2 && one.facts.len() <= 256, "{} facts", one.facts.len());
        assert_eq!(one.graph, four.graph);
        assert_eq!(one.facts, four.facts);
        assert!(!one.labels.is_empty() && (0..one.labels.len()).all(|e| one.labels.get(e) == four.labels.get(e)));
    }

    #[test]
    fn an_index_fits_the_narrowest_width_that_holds_it_and_reads_back_exactly() {
        for i in [0u32, 1, 200, 255] {
            assert_eq!(u8::narrow(i), Some(i as u8));
        }
        assert_eq!(u8::narrow(256), None);
        assert_eq!(u16::narrow(256), Some(256));
        assert_eq!(u16::narrow(65_535), Some(65_535));
        assert_eq!(u16::narrow(65_536), None);
        assert_eq!(u32::narrow(u32::MAX), Some(u32::MAX));
    }

    #[test]
    fn labels_of_each_width_read_back_the_indices_written() {
        let indices = [0u32, 7, 255, 3];
        let one = u8::wrap(indices.iter().map(|&i| u8::narrow(i).unwrap()).collect());
        let two = u16::wrap([0u16, 7, 65_535, 256].to_vec());
        let four = u32::wrap([0u32, 7, 70_000, u32::MAX].to_vec());
        assert_eq!((one.width(), two.width(), four.width()), (1, 2, 4));
        assert_eq!((0..4).map(|e| one.get(e)).collect::<Vec<_>>(), [0, 7, 255, 3]);
        assert_eq!((0..4).map(|e| two.get(e)).collect::<Vec<_>>(), [0, 7, 65_535, 256]);
        assert_eq!((0..4).map(|e| four.get(e)).collect::<Vec<_>>(), [0, 7, 70_000, u32::MAX as usize]);
        assert_eq!((one.len(), u8::wrap(Vec::new()).is_empty()), (4, true));
    }
}
