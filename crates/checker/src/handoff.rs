//! Handing tasks to threads and collecting their results in task order.
//!
//! The parallel search splits each step of its work into numbered tasks (chunks of the
//! frontier to expand, shards of the visited set to fill). Threads take the next unclaimed
//! number from one atomic counter ([`Claims`]) until none is left, and publish each result in
//! the task's own slot ([`Slots`]); the caller reads the results in task order, so what
//! thread ran which task never shows in the output. Under `--cfg loom` the atomics and locks
//! are loom's, and the loom tests below explore every interleaving of two threads.

#[cfg(loom)]
pub(crate) use loom::sync::{
    atomic::{AtomicUsize, Ordering},
    Mutex, MutexGuard,
};
#[cfg(not(loom))]
pub(crate) use std::sync::{
    atomic::{AtomicUsize, Ordering},
    Mutex, MutexGuard,
};

/// Locks `m`; a lock poisoned by a panicking thread still hands out its data (the panic
/// itself reaches the caller through the thread scope).
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    match m.lock() {
        Ok(guard) => guard,
        Err(poisoned) => poisoned.into_inner(),
    }
}

/// Task numbers `0..len`, each handed out exactly once.
#[derive(Debug)]
pub struct Claims {
    next: AtomicUsize,
    len: usize,
}

impl Claims {
    /// Tasks `0..len`, none claimed yet.
    pub fn new(len: usize) -> Claims {
        Claims { next: AtomicUsize::new(0), len }
    }

    /// The next unclaimed task, or `None` when all are taken. The counter only orders the
    /// claims; results travel through [`Slots`], whose locks publish them.
    pub fn claim(&self) -> Option<usize> {
        let task = self.next.fetch_add(1, Ordering::Relaxed);
        (task < self.len).then_some(task)
    }
}

/// One result slot per task.
#[derive(Debug)]
pub struct Slots<T> {
    slots: Vec<Mutex<Option<T>>>,
}

impl<T> Slots<T> {
    /// `len` empty slots.
    pub fn new(len: usize) -> Slots<T> {
        Slots { slots: (0..len).map(|_| Mutex::new(None)).collect() }
    }

    /// Stores the result of `task`; false (and nothing stored) when the slot was already
    /// filled, which [`Claims`] rules out.
    pub fn put(&self, task: usize, value: T) -> bool {
        let mut slot = lock(&self.slots[task]);
        if slot.is_some() {
            return false;
        }
        *slot = Some(value);
        true
    }

    /// The results in task order; `None` for a task nobody ran.
    pub fn into_results(self) -> Vec<Option<T>> {
        self.slots
            .into_iter()
            .map(|m| match m.into_inner() {
                Ok(v) => v,
                Err(poisoned) => poisoned.into_inner(),
            })
            .collect()
    }
}

/// Runs `task(0..len)` on `threads` threads (the caller's included) and returns the results
/// in task order. One thread, or one task, runs inline with no thread started.
pub fn run_tasks<T: Send>(threads: usize, len: usize, task: impl Fn(usize) -> T + Sync) -> Vec<T> {
    if threads <= 1 || len <= 1 {
        return (0..len).map(task).collect();
    }
    let claims = Claims::new(len);
    let slots = Slots::new(len);
    let work = || {
        while let Some(i) = claims.claim() {
            slots.put(i, task(i));
        }
    };
    std::thread::scope(|s| {
        for _ in 1..threads.min(len) {
            s.spawn(work);
        }
        work();
    });
    // Every task was claimed and run: the loop above only ends when claims run out, and
    // scope() joins every thread (re-raising a worker's panic) before we get here.
    slots.into_results().into_iter().flatten().collect()
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    #[test]
    fn results_come_back_in_task_order_whatever_the_thread_count() {
        for threads in [1, 2, 3, 8] {
            let out = run_tasks(threads, 100, |i| i * i);
            assert_eq!(out, (0..100).map(|i| i * i).collect::<Vec<_>>());
        }
        assert!(run_tasks(2, 0, |i| i).is_empty());
    }

    #[test]
    fn a_slot_takes_one_result() {
        let slots = Slots::new(2);
        assert!(slots.put(1, "a"));
        assert!(!slots.put(1, "b"));
        assert_eq!(slots.into_results(), vec![None, Some("a")]);
    }
}

#[cfg(all(test, loom))]
mod loom_tests {
    use super::*;
    use crate::fingerprint::hash_words;
    use crate::visited::Shard;
    use loom::sync::Arc;

    /// Two threads (one spawned, plus the test's own) drain three tasks: in every
    /// interleaving each task is claimed once and its result lands in its slot.
    #[test]
    fn loom_claims_hand_each_task_to_exactly_one_thread() {
        loom::model(|| {
            let claims = Arc::new(Claims::new(3));
            let slots = Arc::new(Slots::new(3));
            let work = {
                let (claims, slots) = (claims.clone(), slots.clone());
                move || {
                    while let Some(i) = claims.claim() {
                        assert!(slots.put(i, i * 10), "task {i} claimed twice");
                    }
                }
            };
            let other = loom::thread::spawn(work.clone());
            work();
            other.join().unwrap();
            drop(work); // its Arc clones, so that try_unwrap below gets the only one
            assert_eq!(claims.claim(), None);
            let slots = Arc::try_unwrap(slots).unwrap();
            assert_eq!(slots.into_results(), vec![Some(0), Some(10), Some(20)]);
        });
    }

    /// The visited set's hand-off: two threads claim the shards of a two-shard set and insert
    /// each shard's candidates in key order. In every interleaving each shard ends up with
    /// exactly the states, and reports exactly the new ones, that one thread would.
    #[test]
    fn loom_sharded_inserts_match_one_thread() {
        let candidates: Vec<Vec<[u64; 1]>> = vec![vec![[1], [2], [1]], vec![[7], [7], [8]]];
        let expected: Vec<Vec<bool>> = vec![vec![true, true, false], vec![true, false, true]];
        loom::model(move || {
            let shards: Arc<Vec<Mutex<Shard>>> = Arc::new((0..2).map(|s| Mutex::new(Shard::new(1, s == 1))).collect());
            let claims = Arc::new(Claims::new(2));
            let slots = Arc::new(Slots::new(2));
            let candidates = Arc::new(candidates.clone());
            let work = {
                let (shards, claims, slots, candidates) =
                    (shards.clone(), claims.clone(), slots.clone(), candidates.clone());
                move || {
                    while let Some(s) = claims.claim() {
                        let mut shard = shards[s].lock().unwrap();
                        let new: Vec<bool> = candidates[s].iter().map(|p| shard.insert(p, hash_words(p))).collect();
                        slots.put(s, new);
                    }
                }
            };
            let other = loom::thread::spawn(work.clone());
            work();
            other.join().unwrap();
            drop(work); // its Arc clones, so that try_unwrap below gets the only one
            let results: Vec<Vec<bool>> =
                Arc::try_unwrap(slots).unwrap().into_results().into_iter().flatten().collect();
            assert_eq!(results, expected);
            assert_eq!(shards[0].lock().unwrap().len(), 2);
            assert_eq!(shards[1].lock().unwrap().len(), 2);
        });
    }
}
