//! Bounds on a search, and which one stopped it.

use std::time::Duration;

use serde::Serialize;

/// The order in which states are expanded.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Strategy {
    /// Breadth-first: the first counterexample found is a shortest one.
    #[default]
    Bfs,
    /// Depth-first: follows one run as far as it goes first; counterexamples may be long.
    Dfs,
}

impl Strategy {
    /// How the strategy is named in reports.
    pub fn describe(&self) -> &'static str {
        match self {
            Strategy::Bfs => "breadth-first",
            Strategy::Dfs => "depth-first",
        }
    }
}

/// Bounds a search stays within. Hitting one makes the verdict incomplete (unless a violation
/// was found first), never an out-of-memory kill.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Limits {
    /// Stop once this many distinct states are stored.
    pub max_states: Option<u64>,
    /// Do not expand states this many steps from the initial state.
    pub max_depth: Option<u32>,
    /// Stop once the process's resident memory exceeds this many MiB.
    pub max_memory_mb: Option<u64>,
    /// Stop after this much time.
    pub time_limit: Option<Duration>,
}

impl Limits {
    /// The memory bound used when none is given: 80% of what the system has available now
    /// (plus what this process already holds), so a search stops with partial statistics
    /// before the kernel would kill it. `None` where the platform does not say.
    pub fn default_memory_mb() -> Option<u64> {
        let available = crate::stats::available_memory_kb()?;
        let held = crate::stats::current_rss_kb().unwrap_or(0);
        Some((available + held) / 1024 * 4 / 5)
    }
}

/// The bound that made a search incomplete.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "limit", content = "value", rename_all = "snake_case")]
pub enum Limit {
    /// `--max-states N` was reached.
    MaxStates(u64),
    /// States at depth `--max-depth N` had successors that were not explored.
    MaxDepth(u32),
    /// Resident memory exceeded `--max-memory MB`.
    MaxMemory(u64),
    /// `--time-limit SECS` ran out (seconds, fractions allowed).
    TimeLimit(#[serde(serialize_with = "as_seconds")] Duration),
    /// The run was asked to stop from outside (Ctrl-C: SIGINT).
    Interrupted,
}

/// A duration as seconds, e.g. `0.5` (how `--time-limit` takes it).
fn as_seconds<S: serde::Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_f64(d.as_secs_f64())
}

/// `d` in seconds as a person writes them: `5`, `0.5`, `0.001`.
pub fn seconds_text(d: Duration) -> String {
    format!("{}", d.as_secs_f64())
}

impl Limit {
    /// The limit's option name: `max_states`.
    pub fn name(&self) -> &'static str {
        match self {
            Limit::MaxStates(_) => "max_states",
            Limit::MaxDepth(_) => "max_depth",
            Limit::MaxMemory(_) => "max_memory",
            Limit::TimeLimit(_) => "time_limit",
            Limit::Interrupted => "interrupted",
        }
    }

    /// What happened, in one sentence.
    pub fn describe(&self) -> String {
        match self {
            Limit::MaxStates(n) => format!("the state limit of {n} states was reached"),
            Limit::MaxDepth(n) => format!("states at the depth limit of {n} steps were not expanded"),
            Limit::MaxMemory(mb) => format!("the memory limit of {mb} MB was reached"),
            Limit::TimeLimit(d) => format!("the time limit of {} s was reached", seconds_text(*d)),
            Limit::Interrupted => "the run was interrupted (Ctrl-C)".into(),
        }
    }
}
