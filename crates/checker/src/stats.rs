//! Search statistics and the process memory figures they include.

use std::time::{Duration, Instant};

use serde::Serialize;

/// How big the search was and how long it took. The counts are deterministic; `elapsed` and
/// `peak_rss_kb` are not, which is why reports can leave them out.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Stats {
    /// Distinct states stored.
    pub states: u64,
    /// Transitions generated (including those to states already seen).
    pub transitions: u64,
    /// The largest depth reached: of a stored state (steps from the initial state along its
    /// parent chain; in breadth-first order, its distance), or of the last step of a
    /// counterexample, so it is never below the counterexample's length.
    pub max_depth: u32,
    /// Wall-clock time of the search.
    #[serde(skip)]
    pub elapsed: Duration,
    /// Peak resident memory of the process in KiB (`VmHWM`), when the platform says.
    pub peak_rss_kb: Option<u64>,
    /// Bytes the visited set and the record of how states were reached hold at the end.
    pub stored_bytes: u64,
    /// The most threads one batch of the search ran on (at most the threads asked for; 1 for
    /// a depth-first search, and for a breadth-first search with no batch large enough to
    /// spread, see [`crate::spread`]).
    pub threads: u32,
    /// What the visited set stores of each state.
    pub storage: Storage,
    /// Symmetry reduction was on and had instances to swap: the counts are of classes of
    /// states, not of states.
    pub symmetry: bool,
    /// Symmetry reduction was asked for but left templates out because they index a mutex
    /// array by `self`: why, one sentence per template joined by `; ` (see
    /// `Symmetry::mutex_array_reasons`).
    pub symmetry_off: Option<String>,
    /// Partial-order reduction was on: transient states were not stored, and a transition
    /// may take several steps of the model.
    pub partial_order: bool,
    /// The counts are of the liveness check (the whole graph, reduced as
    /// `liveness_reductions` says), which ran after the safety check found nothing.
    pub liveness: bool,
    /// With `liveness`: the reductions the liveness check ran with (the fields above are the
    /// safety search's).
    #[serde(skip)]
    pub liveness_reductions: Option<crate::Reductions>,
    /// Outcomes the model allows (`allow KIND [m]`) that happened, by kind and mutex, with
    /// how many explored transitions had them (see [`crate::allowed`]).
    pub allowed: Vec<crate::allowed::AllowedCount>,
    /// After a complete search that found no violation: the statements no explored run
    /// executed (see [`crate::coverage`]), possibly none. `None` when the search stopped
    /// early (a bound or a violation), which leaves coverage unknown.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unreached: Option<Vec<crate::coverage::Unreached>>,
}

/// What the visited set stores of each state.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Storage {
    /// The whole packed state: exact.
    #[default]
    Full,
    /// A 64-bit fingerprint (`--fingerprints`); `exact` when every state packs into one
    /// 64-bit word, which the fingerprint encodes one-to-one.
    Fingerprints {
        /// No two states can share a fingerprint.
        exact: bool,
    },
}

impl Storage {
    /// What a visited set of states packed into `words` 64-bit words stores, with or without
    /// `fingerprints`: a fingerprint of a one-word state is the state itself, so exact.
    pub fn of(fingerprints: bool, words: usize) -> Storage {
        match (fingerprints, words) {
            (false, _) => Storage::Full,
            (true, 1) => Storage::Fingerprints { exact: true },
            (true, _) => Storage::Fingerprints { exact: false },
        }
    }
}

impl Stats {
    /// The figures every search sets as it ends, besides its counts: the time since `start`,
    /// the process's peak memory now, the bytes its store holds, the threads (or workers) it
    /// ran on and the allowed events it counted. Written once, so that no engine forgets one.
    pub fn wrap_up(
        &mut self,
        start: Instant,
        stored_bytes: u64,
        threads: u32,
        allowed: Vec<crate::allowed::AllowedCount>,
    ) {
        self.elapsed = start.elapsed();
        self.peak_rss_kb = peak_rss_kb();
        self.stored_bytes = stored_bytes;
        self.threads = threads;
        self.allowed = allowed;
    }

    /// Distinct states per second of search (0 when no time was measured).
    pub fn states_per_second(&self) -> u64 {
        let secs = self.elapsed.as_secs_f64();
        if secs > 0.0 {
            (self.states as f64 / secs) as u64
        } else {
            0
        }
    }

    /// Bytes stored per distinct state (see [`Stats::stored_bytes`]); 0 with no state.
    pub fn bytes_per_state(&self) -> f64 {
        if self.states == 0 {
            0.0
        } else {
            self.stored_bytes as f64 / self.states as f64
        }
    }

    /// With fingerprints, the estimated probability that a collision hid a state (see
    /// [`crate::fingerprint::collision_probability`]); `None` when whole states are stored.
    pub fn collision_probability(&self) -> Option<f64> {
        match self.storage {
            Storage::Full => None,
            Storage::Fingerprints { exact } => Some(crate::fingerprint::collision_probability(self.states, exact)),
        }
    }
}

/// A field of `/proc/self/status` in KiB (`VmHWM`, `VmRSS`), or `None` off Linux.
fn proc_status_kb(field: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status.lines().find_map(|line| {
        let rest = line.strip_prefix(field)?.strip_prefix(':')?;
        rest.trim().trim_end_matches("kB").trim().parse().ok()
    })
}

/// The process's peak resident memory so far, in KiB.
pub fn peak_rss_kb() -> Option<u64> {
    proc_status_kb("VmHWM")
}

/// The process's resident memory now, in KiB (`VmRSS`, read from the shorter
/// `/proc/self/statm`: see [`crate::resident`]).
pub fn current_rss_kb() -> Option<u64> {
    crate::resident::Resident::open().kb()
}

/// Memory the system can still give out, in KiB (`MemAvailable` of `/proc/meminfo`).
pub fn available_memory_kb() -> Option<u64> {
    let info = std::fs::read_to_string("/proc/meminfo").ok()?;
    info.lines().find_map(|line| {
        let rest = line.strip_prefix("MemAvailable:")?;
        rest.trim().trim_end_matches("kB").trim().parse().ok()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn states_per_second_divides_by_elapsed_time_and_is_zero_without_time() {
        let mut s = Stats { states: 500, ..Stats::default() };
        assert_eq!(s.states_per_second(), 0);
        s.elapsed = Duration::from_millis(250);
        assert_eq!(s.states_per_second(), 2000);
    }

    #[test]
    fn fingerprints_are_exact_only_for_one_word_states() {
        assert_eq!(Storage::of(false, 3), Storage::Full);
        assert_eq!(Storage::of(true, 1), Storage::Fingerprints { exact: true });
        assert_eq!(Storage::of(true, 2), Storage::Fingerprints { exact: false });
    }

    #[test]
    fn wrap_up_sets_every_figure_but_the_counts() {
        let mut s = Stats { states: 7, transitions: 9, ..Stats::default() };
        s.wrap_up(Instant::now(), 123, 4, Vec::new());
        assert_eq!((s.states, s.transitions, s.stored_bytes, s.threads), (7, 9, 123, 4));
        if cfg!(target_os = "linux") {
            assert!(s.peak_rss_kb.is_some());
        }
    }

    #[test]
    fn peak_memory_is_read_on_linux() {
        if cfg!(target_os = "linux") {
            assert!(peak_rss_kb().is_some_and(|kb| kb > 0));
            assert!(current_rss_kb().is_some_and(|kb| kb > 0));
        }
    }
}
