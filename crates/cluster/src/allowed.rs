//! The allowed events (`allow KIND [m]`) of the cluster's search, counted as one machine
//! counts them: each worker counts the events of the transitions it expanded that one
//! machine counts (up to the level's stop), keeping the first by key as its example; the
//! counts add up over the workers, and the example with the smallest key wins, which is the
//! one-machine search's first.

use std::collections::BTreeMap;

use mutexcheck_checker::allowed::{AllowedCount, AllowedEvent};
use mutexcheck_core::allow::AllowKind;
use mutexcheck_core::ir::MutexId;

use crate::key::{compare, ords, Reader, Writer};

/// One worker's counts: per kind and mutex, the transitions and the first event with its key.
#[derive(Clone, Debug, Default)]
pub struct WorkerTally {
    counts: BTreeMap<(AllowKind, MutexId), (u64, Vec<u8>, AllowedEvent)>,
}

impl WorkerTally {
    /// Counts the transitions among `events` (in key order, several per transition sharing
    /// its key) up to and including the one at `upto` (all for `None`).
    pub fn count(&mut self, events: &[(Vec<u8>, AllowedEvent)], upto: Option<&[u8]>) {
        for (i, (key, e)) in events.iter().enumerate() {
            if upto.is_some_and(|u| compare(key, u).is_gt()) {
                break;
            }
            // Once per transition, kind and mutex.
            if events[..i]
                .iter()
                .rev()
                .take_while(|(k, _)| k == key)
                .any(|(_, d)| (d.kind, d.mutex) == (e.kind, e.mutex))
            {
                continue;
            }
            self.counts.entry((e.kind, e.mutex)).and_modify(|c| c.0 += 1).or_insert((1, key.clone(), *e));
        }
    }

    /// The counts as a message for [`merge`].
    pub fn encode(&self) -> Vec<u8> {
        let mut w = Writer::default();
        for (&(kind, mutex), (n, key, e)) in &self.counts {
            w.0.push(AllowKind::ALL.iter().position(|&k| k == kind).unwrap_or(0) as u8);
            for v in [mutex as u64, *n, e.thread as u64, e.pc as u64, e.count as u64] {
                w.0.extend_from_slice(&v.to_le_bytes());
            }
            w.bytes(key);
        }
        w.0
    }
}

/// True when the transition at key `a` comes before the one at `b` in one-machine
/// breadth-first order: an earlier level first (a key has one ordinal per level), then
/// [`compare`] within a level.
fn earlier(a: &[u8], b: &[u8]) -> bool {
    let (la, lb) = (ords(a).len(), ords(b).len());
    la < lb || (la == lb && compare(a, b).is_lt())
}

/// Every worker's counts added up, with the example of the earliest key.
pub fn merge(blobs: &[Vec<u8>]) -> Vec<AllowedCount> {
    let mut all: BTreeMap<(AllowKind, MutexId), (u64, Vec<u8>, AllowedEvent)> = BTreeMap::new();
    for blob in blobs {
        let mut r = Reader::new(blob);
        while !r.done() {
            let kind = AllowKind::ALL.get(r.u8() as usize).copied().unwrap_or(AllowKind::LeakedOwnership);
            let (mutex, n, thread, pc, count) = (r.u64(), r.u64(), r.u64(), r.u64(), r.u64());
            let key = r.bytes();
            let e = AllowedEvent {
                kind,
                mutex: mutex as usize,
                thread: thread as u16,
                pc: pc as usize,
                count: count as u32,
            };
            let entry = all.entry((kind, e.mutex)).or_insert((0, key.clone(), e));
            entry.0 += n;
            if earlier(&key, &entry.1) {
                (entry.1, entry.2) = (key, e);
            }
        }
    }
    all.into_iter()
        .map(|((kind, mutex), (transitions, _, example))| AllowedCount { kind, mutex, transitions, example })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::key::push_ord;

    fn key(ords: &[u32]) -> Vec<u8> {
        let mut k = Vec::new();
        for &o in ords {
            push_ord(&mut k, o);
        }
        k
    }

    fn leak(thread: u16) -> AllowedEvent {
        AllowedEvent { kind: AllowKind::LeakedOwnership, mutex: 0, thread, pc: 3, count: 1 }
    }

    #[test]
    fn counts_add_up_over_workers_and_the_smallest_key_gives_the_example() {
        let mut a = WorkerTally::default();
        // Two events in one transition count once; the one after `upto` not at all.
        a.count(&[(key(&[1, 0]), leak(1)), (key(&[1, 0]), leak(1)), (key(&[2, 5]), leak(2))], Some(&key(&[1, 0])));
        let mut b = WorkerTally::default();
        b.count(&[(key(&[0, 7]), leak(5))], None);
        let merged = merge(&[a.encode(), b.encode()]);
        assert_eq!(merged.len(), 1);
        assert_eq!((merged[0].transitions, merged[0].example), (2, leak(5)));
        // An event of an earlier level comes first, whatever its bytes.
        let mut c = WorkerTally::default();
        c.count(&[(key(&[3]), leak(6))], None);
        let merged = merge(&[a.encode(), b.encode(), c.encode()]);
        assert_eq!((merged[0].transitions, merged[0].example), (3, leak(6)));
    }
}
