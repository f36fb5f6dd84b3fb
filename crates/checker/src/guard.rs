//! Watching the time and memory bounds of a run, so that every phase can stop in time.
//!
//! A [`Guard`] starts a watchdog thread that looks at the clock and at the process's
//! resident memory every [`TICK`] (every [`FAR_TICK`] while far from every bound) and raises
//! a flag when a bound is passed. Asking the guard
//! ([`Guard::exceeded`]) is one atomic load, cheap enough for the search to ask after every
//! state it expands and inside long chains of steps, so that the time limit is honoured
//! within a fraction of a second and memory overshoots by what a few milliseconds of work
//! allocate. Where the search can predict a large allocation (a table or a buffer about to
//! double), it asks [`Guard::room_for`] first instead.
//!
//! With a backstop ([`Guard::with_backstop`]), the watchdog calls it once when a bound is
//! passed by more than [`BACKSTOP_MARGIN_MB`] or [`BACKSTOP_GRACE`]: the last line of
//! defence for any phase that cannot stop by itself. The library never ends the process:
//! the command line's backstop does (a message and exit code 3, never a kernel kill); a
//! library user's may log, or do nothing, and the run goes on with its flag raised. The
//! backstop is handed the last words set with [`Guard::on_backstop`] (what a command prints
//! on stdout before it ends, such as the `incomplete` JSON document).

use std::sync::atomic::{AtomicBool, AtomicU64, AtomicU8, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crate::limits::{Limit, Limits};
use crate::resident::Resident;

/// How often the watchdog looks at the clock and the memory, near a bound.
pub const TICK: Duration = Duration::from_millis(5);

/// How often it looks while far from every bound (1 GiB below the memory bound, and two of
/// these before the time limit): each look wakes a thread beside the search's, and a run
/// that allocates as fast as it can takes several times this long to make 1 GiB
/// resident, so the bounds stop it as soon as before.
pub const FAR_TICK: Duration = Duration::from_millis(20);

/// Resident memory this far below the memory bound is far from it (see [`FAR_TICK`]).
const FAR_BELOW_KB: u64 = 1 << 20;

/// How far past `--max-memory` a run goes before the backstop is called.
pub const BACKSTOP_MARGIN_MB: u64 = 64;

/// How far past `--time-limit` a run goes before the backstop is called.
pub const BACKSTOP_GRACE: Duration = Duration::from_millis(900);

/// Within this much of the memory bound, [`Guard::room_for`] reads the memory in use afresh
/// instead of trusting the watchdog's last look (a tick may allocate this much).
const FRESH_BELOW_KB: u64 = 64 << 10;

const GO: u8 = 0;
const TIME: u8 = 1;
const MEMORY: u8 = 2;
const INTERRUPTED: u8 = 3;

/// What a command's backstop runs before it ends the process, with the bound that was passed
/// and why it gives up (one sentence): a command's chance to print what it has.
pub type LastWords = Box<dyn Fn(Limit, &str) + Send + Sync>;

/// What the watchdog calls, once, when a bound is passed by more than the backstop's margin:
/// with the bound, why (one sentence: `the time limit of 5 s was passed by more than
/// 900ms`) and the last words set at that moment (the backstop runs them if it wants them
/// said). While it runs, [`Guard::on_backstop`] waits. If it returns, the run goes on.
pub type Backstop = Box<dyn Fn(Limit, &str, Option<&LastWords>) + Send + Sync>;

/// The guard's [`Backstop`], if any.
struct BackstopSlot(Option<Backstop>);

impl std::fmt::Debug for BackstopSlot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.is_some() { "Backstop" } else { "no backstop" })
    }
}

/// The backstop's [`LastWords`], replaceable while the run goes on.
#[derive(Default)]
struct LastWordsSlot(Mutex<Option<LastWords>>);

impl std::fmt::Debug for LastWordsSlot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("LastWords")
    }
}

/// What the guard and its watchdog share.
#[derive(Debug)]
struct Shared {
    limits: Limits,
    start: Instant,
    /// [`GO`], or which bound was passed first.
    stop: AtomicU8,
    /// The resident memory at the last look, in KiB.
    rss_kb: AtomicU64,
    /// Where the looks read it (kept open: a look is one read).
    resident: Resident,
    /// Set when the guard is dropped: the watchdog ends.
    done: Mutex<bool>,
    wake: Condvar,
    /// Handed to the backstop.
    last_words: LastWordsSlot,
    /// Called when a bound is passed by more than the margin.
    backstop: BackstopSlot,
    /// The backstop was called (it is called once).
    gave_up: AtomicBool,
}

impl Shared {
    fn room_for(&self, bytes: usize) -> Result<(), Limit> {
        let Some(mb) = self.limits.max_memory_mb else { return Ok(()) };
        let (limit_kb, want_kb) = (mb.saturating_mul(1024), bytes as u64 / 1024);
        // The watchdog's last look is at most a tick old: far from the bound it answers
        // without reading the process's memory again (asked for every state expanded).
        let recent = self.rss_kb.load(Ordering::Relaxed);
        // A look far from the bound is followed by the next only a FAR_TICK later, which may
        // allocate that many times more.
        let far = recent.saturating_add(FAR_BELOW_KB) <= limit_kb;
        let ticks = if far { (FAR_TICK.as_millis() / TICK.as_millis()) as u64 } else { 1 };
        if recent.saturating_add(want_kb).saturating_add(FRESH_BELOW_KB * ticks) <= limit_kb {
            return Ok(());
        }
        let rss = self.resident.kb().unwrap_or(0);
        self.rss_kb.store(rss, Ordering::Relaxed);
        if rss.saturating_add(want_kb) > limit_kb {
            let _ = self.stop.compare_exchange(GO, MEMORY, Ordering::Relaxed, Ordering::Relaxed);
            return Err(Limit::MaxMemory(mb));
        }
        Ok(())
    }

    fn cut_short_by(&self) -> Limit {
        self.exceeded().unwrap_or(Limit::MaxMemory(0))
    }

    fn rearm_memory(&self) -> bool {
        let Some(mb) = self.limits.max_memory_mb else { return false };
        let rss = self.resident.kb().unwrap_or(u64::MAX);
        self.rss_kb.store(rss, Ordering::Relaxed);
        rss < mb.saturating_mul(1024)
            && self.stop.compare_exchange(MEMORY, GO, Ordering::Relaxed, Ordering::Relaxed).is_ok()
    }

    fn exceeded(&self) -> Option<Limit> {
        match self.stop.load(Ordering::Relaxed) {
            GO => None,
            TIME => Some(Limit::TimeLimit(self.limits.time_limit.unwrap_or_default())),
            MEMORY => Some(Limit::MaxMemory(self.limits.max_memory_mb.unwrap_or(0))),
            _ => Some(Limit::Interrupted),
        }
    }

    /// How long the watchdog waits after a look that found `rss_kb` resident at `elapsed`:
    /// [`FAR_TICK`] when far from every bound, else [`TICK`].
    fn tick_after(&self, rss_kb: u64, elapsed: Duration) -> Duration {
        let memory_far =
            self.limits.max_memory_mb.is_none_or(|mb| rss_kb.saturating_add(FAR_BELOW_KB) <= mb.saturating_mul(1024));
        let time_far = self.limits.time_limit.is_none_or(|t| elapsed + FAR_TICK * 2 <= t);
        if memory_far && time_far && self.stop.load(Ordering::Relaxed) == GO {
            FAR_TICK
        } else {
            TICK
        }
    }

    /// One look at the clock and the memory; raises the flag, and calls the backstop when a
    /// bound is passed by more than its margin. Returns how long to wait for the next.
    fn look(&self) -> Duration {
        let backstop = self.backstop.0.is_some();
        let elapsed = self.start.elapsed();
        let rss = self.resident.kb().unwrap_or(0);
        self.rss_kb.store(rss, Ordering::Relaxed);
        if let Some(t) = self.limits.time_limit {
            if elapsed >= t {
                let _ = self.stop.compare_exchange(GO, TIME, Ordering::Relaxed, Ordering::Relaxed);
                if backstop && elapsed >= t + BACKSTOP_GRACE {
                    self.give_up(
                        Limit::TimeLimit(t),
                        &format!(
                            "the time limit of {} s was passed by more than {:?}",
                            crate::limits::seconds_text(t),
                            BACKSTOP_GRACE
                        ),
                    );
                }
            }
        }
        if let Some(mb) = self.limits.max_memory_mb {
            if rss > mb.saturating_mul(1024) {
                let _ = self.stop.compare_exchange(GO, MEMORY, Ordering::Relaxed, Ordering::Relaxed);
                if backstop && rss > (mb + BACKSTOP_MARGIN_MB).saturating_mul(1024) {
                    let why = format!(
                        "the memory limit of {mb} MB was passed by more than {BACKSTOP_MARGIN_MB} MB ({} MB in use)",
                        rss / 1024
                    );
                    self.give_up(Limit::MaxMemory(mb), &why);
                }
            }
        }
        self.tick_after(rss, elapsed)
    }
}

impl Shared {
    /// Calls the backstop, the first time only: a bound was passed and the running phase did
    /// not stop by itself.
    fn give_up(&self, limit: Limit, why: &str) {
        let Some(backstop) = &self.backstop.0 else { return };
        if self.gave_up.swap(true, Ordering::Relaxed) {
            return;
        }
        // Held while it runs: last words set or cleared meanwhile wait for it (and for the
        // exit, when it ends the process).
        let last_words = self.last_words.0.lock().unwrap_or_else(|e| e.into_inner());
        backstop(limit, why, last_words.as_ref());
    }
}

/// The time and memory bounds of one run, watched from a thread of their own.
#[derive(Debug)]
pub struct Guard {
    shared: Arc<Shared>,
    watchdog: Option<JoinHandle<()>>,
}

impl Guard {
    /// Starts watching `limits`, the time limit counted from now. Without a time or memory
    /// limit no thread is started and the guard never stops anything. A bound passed by
    /// far only raises the flag: nothing ends the process.
    pub fn new(limits: &Limits) -> Guard {
        Guard::start(limits, None)
    }

    /// [`Guard::new`], and the watchdog calls `backstop` (once) when a bound is passed by
    /// more than [`BACKSTOP_MARGIN_MB`] or [`BACKSTOP_GRACE`]. The command line's backstop
    /// ends the process with exit code 3.
    pub fn with_backstop(limits: &Limits, backstop: Backstop) -> Guard {
        Guard::start(limits, Some(backstop))
    }

    fn start(limits: &Limits, backstop: Option<Backstop>) -> Guard {
        let resident = Resident::open();
        let shared = Arc::new(Shared {
            limits: *limits,
            start: Instant::now(),
            stop: AtomicU8::new(GO),
            rss_kb: AtomicU64::new(resident.kb().unwrap_or(0)),
            resident,
            done: Mutex::new(false),
            wake: Condvar::new(),
            last_words: LastWordsSlot::default(),
            backstop: BackstopSlot(backstop),
            gave_up: AtomicBool::new(false),
        });
        let watched = limits.time_limit.is_some() || limits.max_memory_mb.is_some();
        if watched {
            // The first look before anything runs: a bound of 0 stops the very first
            // check, whatever the scheduler does with the watchdog thread.
            shared.look();
        }
        let watchdog = watched.then(|| {
            let shared = Arc::clone(&shared);
            std::thread::spawn(move || {
                let mut done = shared.done.lock().unwrap_or_else(|e| e.into_inner());
                while !*done {
                    let tick = shared.look();
                    done = shared.wake.wait_timeout(done, tick).map(|(d, _)| d).unwrap_or_else(|e| e.into_inner().0);
                }
            })
        });
        Guard { shared, watchdog }
    }

    /// The bound passed so far, if any: one atomic load.
    pub fn exceeded(&self) -> Option<Limit> {
        self.shared.exceeded()
    }

    /// The bound to report for work the model cut short (its successors stopped early, so
    /// the phase cannot finish): [`Guard::exceeded`], or [`Limit::MaxMemory`] of 0 should no
    /// bound be flagged, so that a cut-short phase is never reported complete.
    pub fn cut_short_by(&self) -> Limit {
        self.shared.cut_short_by()
    }

    /// A cheap handle on the same flag, for code that outlives a borrow of the guard.
    pub fn interrupt(&self) -> Interrupt {
        Interrupt(Arc::clone(&self.shared))
    }

    /// When the run is about to allocate `bytes` more at once: `Err` with the memory limit
    /// if the memory in use now (read afresh) plus `bytes` would pass it. A stop raised
    /// this way is also seen by [`Guard::exceeded`].
    pub fn room_for(&self, bytes: usize) -> Result<(), Limit> {
        self.shared.room_for(bytes)
    }

    /// Lowers the flag of a passed memory bound when the process is back under the bound
    /// (the phase that would have passed it gave its memory back), so that a phase that
    /// needs less may run instead: true when it did. A passed time limit or an interrupt
    /// stays; so does a memory bound still passed.
    pub fn rearm_memory(&self) -> bool {
        self.shared.rearm_memory()
    }

    /// Sets (or, with `None`, clears) the last words handed to the backstop. A command
    /// clears them before it prints its own report, so that a backstop firing then adds
    /// nothing to the output; if the backstop is already running, this waits for it (and,
    /// when it ends the process, for the exit).
    pub fn on_backstop(&self, last_words: Option<LastWords>) {
        *self.shared.last_words.0.lock().unwrap_or_else(|e| e.into_inner()) = last_words;
    }

    /// When the run started (the time limit counts from here).
    pub fn start_time(&self) -> Instant {
        self.shared.start
    }
}

impl Drop for Guard {
    fn drop(&mut self) {
        if let Some(watchdog) = self.watchdog.take() {
            *self.shared.done.lock().unwrap_or_else(|e| e.into_inner()) = true;
            self.shared.wake.notify_all();
            let _ = watchdog.join();
        }
    }
}

/// A handle on a [`Guard`]'s flag: asks whether a bound was passed, nothing more.
#[derive(Clone, Debug)]
pub struct Interrupt(Arc<Shared>);

impl Interrupt {
    /// The bound passed so far, if any: one atomic load.
    pub fn exceeded(&self) -> Option<Limit> {
        self.0.exceeded()
    }

    /// [`Guard::cut_short_by`].
    pub fn cut_short_by(&self) -> Limit {
        self.0.cut_short_by()
    }

    /// [`Guard::room_for`].
    pub fn room_for(&self, bytes: usize) -> Result<(), Limit> {
        self.0.room_for(bytes)
    }

    /// Asks every phase watching this flag to stop, as a passed bound does: from now on
    /// [`Interrupt::exceeded`] says [`Limit::Interrupted`] (unless a bound was passed first).
    /// Safe to call from any thread, e.g. a Ctrl-C handler.
    pub fn stop_now(&self) {
        let _ = self.0.stop.compare_exchange(GO, INTERRUPTED, Ordering::Relaxed, Ordering::Relaxed);
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    #[test]
    fn without_bounds_nothing_is_watched_and_nothing_stops() {
        let guard = Guard::new(&Limits::default());
        assert!(guard.watchdog.is_none());
        assert_eq!(guard.exceeded(), None);
        assert_eq!(guard.room_for(usize::MAX / 2), Ok(()));
    }

    #[test]
    fn stop_now_is_seen_by_the_guard_and_every_handle_even_without_bounds() {
        let guard = Guard::new(&Limits::default());
        let (first, second) = (guard.interrupt(), guard.interrupt());
        assert_eq!(second.exceeded(), None);
        first.stop_now();
        assert_eq!(guard.exceeded(), Some(Limit::Interrupted));
        assert_eq!(second.exceeded(), Some(Limit::Interrupted));
    }

    #[test]
    fn work_cut_short_reports_the_flagged_bound_and_never_nothing() {
        let guard = Guard::new(&Limits::default());
        assert_eq!(guard.cut_short_by(), Limit::MaxMemory(0));
        guard.interrupt().stop_now();
        assert_eq!(guard.cut_short_by(), Limit::Interrupted);
        assert_eq!(guard.interrupt().cut_short_by(), Limit::Interrupted);
    }

    #[test]
    fn a_bound_passed_before_an_interrupt_stays_the_reason() {
        let guard = Guard::new(&Limits { max_memory_mb: Some(0), ..Limits::default() });
        assert_eq!(guard.room_for(1 << 20), Err(Limit::MaxMemory(0)));
        guard.interrupt().stop_now();
        assert_eq!(guard.exceeded(), Some(Limit::MaxMemory(0)));
    }

    #[test]
    fn a_passed_time_limit_raises_the_flag_within_a_few_ticks() {
        let limits = Limits { time_limit: Some(Duration::ZERO), ..Limits::default() };
        let guard = Guard::new(&limits);
        let interrupt = guard.interrupt();
        // The watchdog's first look comes at once; wait for it without a wall-clock bound.
        while guard.exceeded().is_none() {
            std::thread::sleep(TICK);
        }
        assert_eq!(guard.exceeded(), Some(Limit::TimeLimit(Duration::ZERO)));
        assert_eq!(interrupt.exceeded(), Some(Limit::TimeLimit(Duration::ZERO)));
    }

    #[test]
    fn an_allocation_that_would_pass_the_memory_limit_is_refused_before_it_happens() {
        let rss_mb = crate::stats::current_rss_kb().unwrap_or(0) / 1024;
        let limits = Limits { max_memory_mb: Some(rss_mb + 100), ..Limits::default() };
        let guard = Guard::new(&limits);
        assert_eq!(guard.room_for(10 << 20), Ok(()));
        if cfg!(target_os = "linux") {
            assert_eq!(guard.room_for(200 << 20), Err(Limit::MaxMemory(rss_mb + 100)));
            assert_eq!(guard.exceeded(), Some(Limit::MaxMemory(rss_mb + 100)));
        }
    }

    #[test]
    fn the_watchdog_raises_the_memory_flag_when_resident_memory_passes_the_bound() {
        if !cfg!(target_os = "linux") {
            return;
        }
        let rss_mb = crate::stats::current_rss_kb().expect("statm on Linux") / 1024;
        let limits = Limits { max_memory_mb: Some(rss_mb + 32), ..Limits::default() };
        let guard = Guard::new(&limits);
        // 96 MiB written: resident, and past the bound whatever other tests free meanwhile.
        let block = std::hint::black_box(vec![1u8; 96 << 20]);
        // The watchdog looks every tick; a few hundred ticks is far more than it needs.
        for _ in 0..400 {
            if guard.exceeded().is_some() {
                break;
            }
            std::thread::sleep(TICK);
        }
        assert_eq!(guard.exceeded(), Some(Limit::MaxMemory(rss_mb + 32)));
        drop(block);
    }

    #[test]
    fn the_watchdog_looks_slower_only_far_from_every_bound() {
        let gb = 1 << 20;
        let unbounded = Guard::new(&Limits::default());
        assert_eq!(unbounded.shared.tick_after(100 * gb, Duration::from_secs(100)), FAR_TICK);
        let memory = Guard::new(&Limits { max_memory_mb: Some(4096), ..Limits::default() });
        assert_eq!(memory.shared.tick_after(3 * gb, Duration::ZERO), FAR_TICK, "1 GiB below the bound");
        assert_eq!(memory.shared.tick_after(3 * gb + 1, Duration::ZERO), TICK, "less than 1 GiB below");
        assert_eq!(memory.shared.tick_after(5 * gb, Duration::ZERO), TICK, "past the bound");
        let timed = Guard::new(&Limits { time_limit: Some(Duration::from_secs(10)), ..Limits::default() });
        assert_eq!(timed.shared.tick_after(0, Duration::from_millis(9_960)), FAR_TICK);
        assert_eq!(timed.shared.tick_after(0, Duration::from_millis(9_961)), TICK, "two far ticks before the limit");
        memory.interrupt().stop_now();
        assert_eq!(memory.shared.tick_after(0, Duration::ZERO), TICK, "a raised flag is looked at closely");
    }

    #[test]
    fn a_large_allocation_after_a_far_look_is_checked_against_memory_read_afresh() {
        if !cfg!(target_os = "linux") {
            return;
        }
        // 96 MiB resident that the watchdog's (faked) last look did not see.
        let block = std::hint::black_box(vec![1u8; 96 << 20]);
        let rss_mb = crate::stats::current_rss_kb().expect("statm on Linux") / 1024;
        let limit_mb = rss_mb + 2048;
        let guard = Guard::new(&Limits { max_memory_mb: Some(limit_mb), ..Limits::default() });
        guard.shared.rss_kb.store(0, Ordering::Relaxed);
        // Within a tick's margin of the bound by that look, not by a far look's margin:
        // read afresh, and 70 MB from the bound there is no room for it.
        let want = (limit_mb - 70) as usize * (1 << 20);
        assert_eq!(guard.room_for(want), Err(Limit::MaxMemory(limit_mb)));
        drop(block);
    }

    #[test]
    fn a_memory_bound_refused_before_it_was_passed_can_be_rearmed_and_a_time_limit_cannot() {
        let rss_mb = crate::stats::current_rss_kb().unwrap_or(0) / 1024;
        let limits = Limits { max_memory_mb: Some(rss_mb + 500), ..Limits::default() };
        let guard = Guard::new(&limits);
        assert!(!guard.rearm_memory(), "nothing to rearm");
        if cfg!(target_os = "linux") {
            assert!(guard.room_for(1 << 30).is_err());
            assert!(guard.rearm_memory());
            assert_eq!(guard.exceeded(), None);
        }
        let timed =
            Guard::new(&Limits { time_limit: Some(Duration::ZERO), max_memory_mb: Some(1 << 20), ..Limits::default() });
        while timed.exceeded().is_none() {
            std::thread::yield_now();
        }
        assert!(!timed.rearm_memory());
        assert_eq!(timed.exceeded(), Some(Limit::TimeLimit(Duration::ZERO)));
    }

    /// Waits (without a wall-clock bound of its own) until `guard`'s time limit of 0 has been
    /// passed by the backstop's grace and a few ticks more.
    fn wait_past_the_grace(guard: &Guard) {
        while guard.start_time().elapsed() < BACKSTOP_GRACE + 20 * TICK {
            std::thread::sleep(TICK);
        }
    }

    #[test]
    fn a_bound_passed_far_beyond_the_margin_without_a_backstop_does_not_end_the_process() {
        // Were the process ended (as the backstop once did by itself), this test binary
        // would exit with 3 and the test would not pass.
        let guard = Guard::new(&Limits { time_limit: Some(Duration::ZERO), ..Limits::default() });
        wait_past_the_grace(&guard);
        assert_eq!(guard.exceeded(), Some(Limit::TimeLimit(Duration::ZERO)));
        assert!(!guard.shared.gave_up.load(Ordering::Relaxed));
    }

    #[test]
    fn the_backstop_is_called_once_past_the_margin_with_the_last_words_and_may_let_the_run_go_on() {
        let calls = Arc::new(Mutex::new(Vec::new()));
        let record = Arc::clone(&calls);
        let backstop: Backstop = Box::new(move |limit, why, last_words| {
            if let Some(speak) = last_words {
                speak(limit, why);
            }
            record.lock().unwrap().push(format!("backstop {limit:?}: {why}"));
        });
        let guard = Guard::with_backstop(&Limits { time_limit: Some(Duration::ZERO), ..Limits::default() }, backstop);
        let spoken = Arc::clone(&calls);
        guard.on_backstop(Some(Box::new(move |limit, _| spoken.lock().unwrap().push(format!("last words {limit:?}")))));
        while calls.lock().unwrap().is_empty() {
            std::thread::sleep(TICK);
        }
        // More looks past the margin call it no more.
        wait_past_the_grace(&guard);
        std::thread::sleep(10 * TICK);
        assert_eq!(
            *calls.lock().unwrap(),
            [
                "last words TimeLimit(0ns)".to_string(),
                "backstop TimeLimit(0ns): the time limit of 0 s was passed by more than 900ms".to_string(),
            ]
        );
        assert_eq!(guard.exceeded(), Some(Limit::TimeLimit(Duration::ZERO)));
    }
}
