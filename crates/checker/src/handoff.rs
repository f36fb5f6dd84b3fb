//! Handing tasks to threads and collecting their results in task order.
//!
//! The parallel search splits each step of its work into numbered tasks (chunks of the
//! frontier to expand, shards of the visited set to fill). Threads take the next unclaimed
//! number from one atomic counter ([`Claims`]) until none is left, and publish each result in
//! the task's own slot ([`Slots`]); the caller reads the results in task order, so what
//! thread ran which task never shows in the output. Under `--cfg loom` the atomics and locks
//! are loom's, and the loom tests below explore every interleaving of two threads. The
//! threads are [`Workers`], parked between runs; the pool uses std's locks in every build
//! (its tests run on real threads).

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

/// Worker threads for [`Workers::run`], started when a run first needs them and parked
/// between runs, so that a search of many small levels does not pay for starting threads
/// level after level.
///
/// A run publishes its tasks, wakes as many parked workers as it wants helpers, and works
/// on the tasks itself. It waits only for workers that joined it and are still running a
/// task: a worker the operating system wakes late (a busy machine) finds the run over and
/// goes back to sleep, so it never holds the caller up. Between two runs a worker spins a
/// few tens of microseconds before it sleeps, and a caller for its run's last worker (see
/// [`SPIN`]), so the runs of a search, back to back, cost no wake-up. The workers end when
/// the pool is dropped.
#[derive(Debug, Default)]
pub struct Workers {
    shared: std::sync::Arc<Shared>,
    /// The started workers; the lock also keeps two runs of one pool from overlapping.
    handles: std::sync::Mutex<Vec<std::thread::JoinHandle<()>>>,
}

#[derive(Debug, Default)]
struct Shared {
    state: std::sync::Mutex<PoolState>,
    /// `PoolState::run`, readable without the lock: what an idle worker watches while it
    /// spins for the next run (see [`SPIN`]).
    runs: std::sync::atomic::AtomicU64,
    /// `PoolState::busy`, readable without the lock: what a caller watches while it spins
    /// for the workers of its run to leave it.
    busy: std::sync::atomic::AtomicUsize,
    /// Signalled when a run is published or the pool shuts down.
    wake: std::sync::Condvar,
    /// Signalled when the last worker of a run leaves it.
    done: std::sync::Condvar,
}

/// The tasks of the current run: the caller's work loop, its lifetime erased (see
/// [`Workers::run`] for why no worker uses it after the run).
#[derive(Clone, Copy)]
struct Job(&'static (dyn Fn() + Sync));

impl std::fmt::Debug for Job {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Job")
    }
}

#[derive(Debug, Default)]
struct PoolState {
    job: Option<Job>,
    /// Number of the current (or last) run; a worker joins each run at most once.
    run: u64,
    /// Workers the current run still takes.
    seats: usize,
    /// Workers inside the current run's job.
    busy: usize,
    /// Workers asleep on `wake`: a run notifies only when there is one to wake.
    sleepers: usize,
    /// Whether the caller sleeps on `done`: the last worker to leave notifies only then.
    withdrawing: bool,
    shutdown: bool,
    /// The first panic of a task on a worker, re-raised by the caller.
    panic: Option<Box<dyn std::any::Any + Send>>,
}

fn lock_std<T>(m: &std::sync::Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl Workers {
    /// A pool with no thread started yet.
    pub fn new() -> Workers {
        Workers::default()
    }

    /// Workers started so far (what the tests that run without loom look at).
    #[cfg(all(test, not(loom)))]
    pub fn started(&self) -> usize {
        lock_std(&self.handles).len()
    }

    /// Runs `task(0..len)` on up to `threads` threads (the caller's included) and returns the
    /// results in task order. One thread, or one task, runs inline with no worker woken. A
    /// task must not call `run` of the same pool. (The search hands off through
    /// [`Workers::run_beside`]; this is the plain hand-off, which the tests drive.)
    #[cfg_attr(not(test), allow(dead_code))]
    pub fn run<T: Send>(&self, threads: usize, len: usize, task: impl Fn(usize) -> T + Sync) -> Vec<T> {
        self.run_beside(threads, len, task, || ()).0
    }

    /// [`Workers::run`], with the caller doing `beside` first, while the workers it woke
    /// start on the tasks, and joining them on the tasks after: work of the caller's own that
    /// the tasks do not depend on (the search merges one batch while the next is expanded)
    /// then costs no thread a wait. With no worker to wake, `beside` runs first, then the
    /// tasks.
    pub fn run_beside<T: Send, R>(
        &self,
        threads: usize,
        len: usize,
        task: impl Fn(usize) -> T + Sync,
        beside: impl FnOnce() -> R,
    ) -> (Vec<T>, R) {
        let wanted = threads.min(len).saturating_sub(1);
        if wanted == 0 {
            let own = beside();
            return ((0..len).map(task).collect(), own);
        }
        let mut handles = lock_std(&self.handles);
        while handles.len() < wanted {
            let shared = self.shared.clone();
            match std::thread::Builder::new().name("mutexcheck-worker".into()).spawn(move || worker(&shared)) {
                Ok(handle) => handles.push(handle),
                // No thread to be had: the run goes on with those there are.
                Err(_) => break,
            }
        }
        let helpers = wanted.min(handles.len());
        let claims = Claims::new(len);
        let slots = Slots::new(len);
        let work = || {
            while let Some(i) = claims.claim() {
                slots.put(i, task(i));
            }
        };
        let own;
        {
            let work: &(dyn Fn() + Sync) = &work;
            // SAFETY: a worker calls the job only between taking a seat (`busy += 1`, under
            // the lock, while `job` is set) and leaving it (`busy -= 1`). `Withdraw`'s drop,
            // which runs before `work` and what it borrows go out of scope (also when a task
            // panics on this thread), clears `job` under the lock and waits until `busy` is
            // back to 0: after it no worker holds or can take the reference.
            let job = Job(unsafe { std::mem::transmute::<&(dyn Fn() + Sync), &'static (dyn Fn() + Sync)>(work) });
            let _withdraw = Withdraw(&self.shared);
            let sleeping = {
                let mut st = lock_std(&self.shared.state);
                st.job = Some(job);
                st.run += 1;
                self.shared.runs.store(st.run, std::sync::atomic::Ordering::Release);
                st.seats = helpers;
                // A worker's panic left over from a run whose caller panicked too.
                st.panic = None;
                st.sleepers
            };
            // Workers spinning for this run see it without a wake; only sleeping ones need one.
            for _ in 0..helpers.min(sleeping) {
                self.shared.wake.notify_one();
            }
            own = beside();
            work();
        }
        drop(handles);
        if let Some(panic) = lock_std(&self.shared.state).panic.take() {
            std::panic::resume_unwind(panic);
        }
        // Every task was claimed and run: the loops above only end when claims run out, and
        // the withdrawal waited for every worker that took one.
        let results = slots.into_results().into_iter().flatten().collect();
        (results, own)
    }
}

/// Ends a run: no worker may join it any more, and those in it have left.
struct Withdraw<'a>(&'a Shared);

impl Drop for Withdraw<'_> {
    fn drop(&mut self) {
        let mut st = lock_std(&self.0.state);
        st.job = None;
        st.seats = 0;
        if st.busy == 0 {
            return;
        }
        // A worker still in the run is finishing its last task, mostly a short one: spin for
        // it before sleeping (see [`SPIN`]).
        drop(st);
        spin_until(|| self.0.busy.load(std::sync::atomic::Ordering::Acquire) == 0);
        st = lock_std(&self.0.state);
        while st.busy > 0 {
            st.withdrawing = true;
            st = self.0.done.wait(st).unwrap_or_else(std::sync::PoisonError::into_inner);
        }
        st.withdrawing = false;
    }
}

/// How long an idle worker spins for the next run, and a caller for the last worker of its
/// run, before sleeping on a condition variable. The search hands off a batch every
/// millisecond or so, and the gaps between two hand-offs of a level are a few microseconds:
/// sleeping there costs two system calls and a wake-up of tens of microseconds (more on a
/// busy machine) per batch, while the other thread already works. Past the spin (the merge
/// that ends a level, the end of the search) the threads sleep as before, so an idle pool
/// takes no processor.
const SPIN: std::time::Duration = std::time::Duration::from_micros(50);

/// Spins until `ready` or [`SPIN`] has passed; true when `ready`.
fn spin_until(ready: impl Fn() -> bool) -> bool {
    let start = std::time::Instant::now();
    loop {
        for _ in 0..64 {
            if ready() {
                return true;
            }
            std::hint::spin_loop();
        }
        if start.elapsed() >= SPIN {
            return ready();
        }
    }
}

impl Drop for Workers {
    fn drop(&mut self) {
        lock_std(&self.shared.state).shutdown = true;
        self.shared.wake.notify_all();
        for handle in lock_std(&self.handles).drain(..) {
            // A worker catches its tasks' panics: joining cannot fail.
            let _ = handle.join();
        }
    }
}

/// A worker's life: sleep until a run has a seat it has not taken, run the run's job, and
/// so on until the pool shuts down.
fn worker(shared: &Shared) {
    let mut joined = 0u64;
    let mut st = lock_std(&shared.state);
    loop {
        if st.shutdown {
            return;
        }
        match st.job {
            Some(job) if st.seats > 0 && st.run != joined => {
                joined = st.run;
                st.seats -= 1;
                st.busy += 1;
                shared.busy.store(st.busy, std::sync::atomic::Ordering::Release);
                drop(st);
                let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| (job.0)()));
                st = lock_std(&shared.state);
                st.busy -= 1;
                shared.busy.store(st.busy, std::sync::atomic::Ordering::Release);
                if let Err(panic) = result {
                    st.panic.get_or_insert(panic);
                }
                if st.busy == 0 && st.withdrawing {
                    shared.done.notify_all();
                }
            }
            _ => {
                // No run for this worker: spin for the next one (see [`SPIN`]), then sleep.
                let seen = st.run;
                drop(st);
                let next = || shared.runs.load(std::sync::atomic::Ordering::Acquire) != seen;
                let spun = spin_until(next);
                st = lock_std(&shared.state);
                if !spun && st.run == seen && !st.shutdown {
                    st.sleepers += 1;
                    st = shared.wake.wait(st).unwrap_or_else(std::sync::PoisonError::into_inner);
                    st.sleepers -= 1;
                }
            }
        }
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    #[test]
    fn results_come_back_in_task_order_whatever_the_thread_count() {
        let workers = Workers::new();
        for threads in [1, 2, 3, 8] {
            let out = workers.run(threads, 100, |i| i * i);
            assert_eq!(out, (0..100).map(|i| i * i).collect::<Vec<_>>());
        }
        assert!(workers.run(2, 0, |i| i).is_empty());
    }

    #[test]
    fn workers_start_when_first_needed_and_serve_later_runs() {
        let workers = Workers::new();
        assert_eq!(workers.run(1, 10, |i| i).len(), 10);
        assert_eq!(workers.run(4, 1, |i| i), vec![0]);
        assert_eq!(workers.started(), 0, "one thread or one task starts no worker");
        for round in 0..50 {
            assert_eq!(workers.run(3, 7, |i| i + round), (round..round + 7).collect::<Vec<_>>());
        }
        assert_eq!(workers.started(), 2);
        // A run wanting fewer threads than there are workers takes some of them.
        assert_eq!(workers.run(2, 5, |i| i), vec![0, 1, 2, 3, 4]);
        assert_eq!(workers.started(), 2);
    }

    #[test]
    fn every_task_runs_once_when_several_workers_share_a_run() {
        let workers = Workers::new();
        let runs = AtomicUsize::new(0);
        // Tasks slow enough that the workers take some of them.
        let out = workers.run(3, 64, |i| {
            runs.fetch_add(1, Ordering::Relaxed);
            std::thread::sleep(std::time::Duration::from_micros(200));
            i
        });
        assert_eq!(out, (0..64).collect::<Vec<_>>());
        assert_eq!(runs.load(Ordering::Relaxed), 64);
    }

    #[test]
    fn a_task_panicking_on_a_worker_reaches_the_caller_and_the_pool_goes_on() {
        let workers = Workers::new();
        let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            workers.run(2, 200, |i| {
                // Only a worker panics: the caller is the test's own thread.
                if std::thread::current().name() == Some("mutexcheck-worker") {
                    panic!("task {i}");
                }
                std::thread::sleep(std::time::Duration::from_micros(100));
                i
            })
        }));
        // The worker may have woken after the caller ran every task: then nothing panicked.
        if let Err(panic) = caught {
            assert!(panic.downcast_ref::<String>().is_some_and(|m| m.starts_with("task ")));
        }
        assert_eq!(workers.run(2, 3, |i| i * 2), vec![0, 2, 4]);
    }

    #[test]
    fn the_callers_own_work_runs_once_beside_the_tasks_whatever_the_thread_count() {
        let workers = Workers::new();
        for threads in [1, 2, 3] {
            let mut own = 0;
            let (out, got) = workers.run_beside(
                threads,
                40,
                |i| i + 1,
                || {
                    own += 1;
                    "merged"
                },
            );
            assert_eq!((out, got, own), ((1..=40).collect::<Vec<_>>(), "merged", 1));
        }
        // No task: the caller's work still runs.
        let (out, got) = workers.run_beside(2, 0, |i| i, || 7);
        assert_eq!((out, got), (Vec::<usize>::new(), 7));
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
