//! The edge labels of a liveness graph: fact indices.
//!
//! An edge's label is the index of its [`super::facts::MoveFacts`] in the check's table of
//! distinct facts. Most models have a few dozen distinct facts, so the recorded graph packs
//! the index beside the edge's target in as many bits as the table needs (see
//! `graph_arrays.rs`): 6 bits an edge for 40 facts, where a byte or a 4-byte word
//! was kept before. The recording's peak memory is what the packing saves: the edges are
//! most of it. A recorder may still use a narrow label type ([`FactIndex::narrow`] says
//! when an index does not fit it); the check records with 4-byte labels, which never
//! overflow, and are packed all the same.

use crate::state_graph::EdgeLabel;

/// A fact index of one width: 1, 2 or 4 bytes.
pub trait FactIndex: EdgeLabel + 'static {
    /// The index `i` at this width, or `None` when it does not fit.
    fn narrow(i: u32) -> Option<Self>;
}

impl FactIndex for u8 {
    fn narrow(i: u32) -> Option<u8> {
        u8::try_from(i).ok()
    }
}

impl FactIndex for u16 {
    fn narrow(i: u32) -> Option<u16> {
        u16::try_from(i).ok()
    }
}

impl FactIndex for u32 {
    fn narrow(i: u32) -> Option<u32> {
        Some(i)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::guard::Guard;
    use crate::limits::Limits;
    use crate::system_model::{Reductions, SystemModel};

    /// A width that holds two facts: a label type the table outgrows.
    #[derive(Clone, Copy)]
    struct Two(u8);

    impl EdgeLabel for Two {
        fn index(self) -> u64 {
            self.0 as u64
        }
        fn from_index(index: u64) -> Two {
            Two(index as u8)
        }
    }

    impl FactIndex for Two {
        fn narrow(i: u32) -> Option<Two> {
            (i < 2).then_some(Two(i as u8))
        }
    }

    #[test]
    fn a_table_that_outgrows_a_label_type_is_refused_and_every_width_records_the_same_graph() {
        // Two threads taking turns at a mutex: more than two distinct facts, far fewer than 256.
        let text = "model turns\ncrashes 0\nmutex m\nprocess w[2] {\n    while true {\n        let r = wait m\n        progress\n        release m\n    }\n}\n";
        let system = mutexcheck_core::System::new(mutexcheck_lang::compile("t.mc", text.as_bytes()).unwrap()).unwrap();
        let model = SystemModel::new(&system, Reductions::NONE);
        let (limits, guard) = (Limits::default(), Guard::new(&Limits::default()));
        assert!(super::super::record_with::<Two>(&model, &limits, 1, &guard).is_none());
        let one = super::super::record_with::<u8>(&model, &limits, 1, &guard).unwrap().0.unwrap();
        let chosen = super::super::record_graph(&model, &limits, 1, &guard).0.unwrap();
        assert!(one.facts.len() > 2 && one.facts.len() <= 256, "{} facts", one.facts.len());
        // The labels are packed in the bits the table needs, whatever the label type.
        let bits = crate::packed::bits_for(one.facts.len() as u64 - 1);
        assert_eq!((one.graph.edge_widths().1, chosen.graph.edge_widths().1), (bits, bits));
        assert!(one.graph == chosen.graph);
        assert_eq!(one.facts, chosen.facts);
        assert!(one.graph.edge_count() > 0);
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
        assert_eq!(u32::from_index(u32::MAX.index()), u32::MAX);
    }
}
