//! Step 3's scratch vectors, kept from batch to batch.
//!
//! The merge of a batch (module `merge`) places each new state by the successor counts
//! before its source and the batch's transitions: two vectors of a batch's length, 128 KiB
//! and 256 KiB for a full parallel batch. The command line keeps every block of 128 KiB or
//! more mapped on its own (`malloc.rs`), so fresh vectors would be mapped, faulted in page by
//! page and unmapped again at every batch (in a process with several threads, an unmapping
//! also interrupts the other cores to flush their TLBs). [`MergeBuffers`] keeps them,
//! cleared, with their capacity; they never hold more than the largest batch needs.

/// The merge's two scratch vectors, handed out cleared (see the module comment).
#[derive(Debug, Default)]
pub(super) struct MergeBuffers {
    before: Vec<usize>,
    placed: Vec<(u32, u32)>,
}

impl MergeBuffers {
    /// The vector for the transitions before each source state of the batch: empty, with
    /// the room earlier batches gave it.
    pub(super) fn before(&mut self) -> &mut Vec<usize> {
        self.before.clear();
        &mut self.before
    }

    /// What [`MergeBuffers::before`] was given, and the place of each of the batch's `total`
    /// transitions, every one `empty`.
    pub(super) fn placed(&mut self, total: usize, empty: (u32, u32)) -> (&[usize], &mut [(u32, u32)]) {
        self.placed.clear();
        self.placed.resize(total, empty);
        (&self.before, &mut self.placed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reused_vectors_come_back_cleared_with_their_room() {
        let mut buffers = MergeBuffers::default();
        buffers.before().extend(0..40_000);
        let (before, placed) = buffers.placed(50_000, (u32::MAX, 0));
        assert_eq!((before.len(), before[39_999]), (40_000, 39_999), "placed() shows what before() was given");
        placed[7] = (3, 4);
        let (room_before, room_placed) = (buffers.before.capacity(), buffers.placed.capacity());
        assert!(room_before >= 40_000 && room_placed >= 50_000);
        assert!(buffers.before().is_empty());
        buffers.before().push(9);
        let (before, placed) = buffers.placed(3, (u32::MAX, 0));
        assert_eq!(before, [9], "only this batch's count");
        assert_eq!(*placed, [(u32::MAX, 0); 3], "no place of the last batch is left");
        assert_eq!((buffers.before.capacity(), buffers.placed.capacity()), (room_before, room_placed));
    }
}
