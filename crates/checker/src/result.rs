//! What a check returns: the verdict, the counterexample, the statistics.
//!
//! These types are the stable interface for everything built on a check (reports, trace
//! files, replay, graphs). They are generic over the state and step types so the search can
//! run on any [`crate::Checkable`]; the defaults are mutexcheck's own.

use mutexcheck_core::{State, Step};

use crate::limits::{Limit, Strategy};
use crate::properties::Violation;
use crate::stats::Stats;

/// One step of a counterexample: the transition taken and the state it led to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TraceStep<St = State, Sp = Step> {
    /// The transition.
    pub step: Sp,
    /// The state after it.
    pub state: St,
}

/// A run from the initial state that breaks a property. The last step (or the initial state
/// itself, when there are no steps) is where the violation happens.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Counterexample<St = State, Sp = Step> {
    /// The broken property.
    pub violation: Violation,
    /// The state before the first step.
    pub initial: St,
    /// The steps, in order.
    pub steps: Vec<TraceStep<St, Sp>>,
    /// True when no shorter run breaks a property: found by breadth-first search with no
    /// reduction that may lengthen runs.
    pub shortest: bool,
    /// How many steps the run the search found had, when it was shortened afterwards.
    pub shortened_from: Option<usize>,
    /// For a liveness violation (a lasso): the number (from 1) of the first step of the
    /// cycle. The steps from there on repeat forever: the last one returns to the state
    /// before that step (up to dead data: values no later step reads).
    pub cycle_start: Option<usize>,
    /// The time or memory bound stopped the shortening before it was done: the run is
    /// still a real counterexample, but how short it got depends on the machine.
    pub shortening_stopped: Option<Limit>,
}

impl<St, Sp> Counterexample<St, Sp> {
    /// The run `steps` from `initial` that breaks `violation`, as a search finds it: not a
    /// lasso, not shortened. (The one place a counterexample is made, so that a new field
    /// gets its default here rather than in every search.)
    pub fn new(violation: Violation, initial: St, steps: Vec<TraceStep<St, Sp>>, shortest: bool) -> Self {
        Counterexample {
            violation,
            initial,
            steps,
            shortest,
            shortened_from: None,
            cycle_start: None,
            shortening_stopped: None,
        }
    }

    /// The state the violation happens in (after the last step).
    pub fn last_state(&self) -> &St {
        self.steps.last().map_or(&self.initial, |s| &s.state)
    }
}

/// The outcome of a search.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict<St = State, Sp = Step> {
    /// Every reachable state and transition was checked: no violation.
    Ok,
    /// A property is broken; [`Counterexample::shortest`] says whether the run is a shortest one.
    Violation(Counterexample<St, Sp>),
    /// A bound stopped the search before it was complete and no violation was found so far.
    Incomplete(Limit),
}

/// A verdict with the statistics of the search that reached it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CheckResult<St = State, Sp = Step> {
    /// The verdict.
    pub verdict: Verdict<St, Sp>,
    /// How big the search was.
    pub stats: Stats,
    /// The exploration order used.
    pub strategy: Strategy,
}

/// A verdict without its data: what an exit code is made from (by the command line, not
/// here), and what the processes of a cluster tell each other.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum VerdictKind {
    /// [`Verdict::Ok`].
    Ok,
    /// [`Verdict::Violation`].
    Violation,
    /// [`Verdict::Incomplete`].
    Incomplete,
}

impl<St, Sp> Verdict<St, Sp> {
    /// Which verdict this is.
    pub fn kind(&self) -> VerdictKind {
        match self {
            Verdict::Ok => VerdictKind::Ok,
            Verdict::Violation(_) => VerdictKind::Violation,
            Verdict::Incomplete(_) => VerdictKind::Incomplete,
        }
    }
}

impl<St, Sp> CheckResult<St, Sp> {
    /// After a complete search that found no violation: the statements no run executed
    /// (see [`crate::coverage`]). Empty when every statement ran, and when the search
    /// stopped early (a bound or a violation), which leaves coverage unknown. Whether
    /// unreached statements fail a check (`--deny-unreached`) is the caller's decision.
    pub fn unreached(&self) -> &[crate::coverage::Unreached] {
        match (&self.verdict, &self.stats.unreached) {
            (Verdict::Ok, Some(unreached)) => unreached,
            _ => &[],
        }
    }

    /// The counterexample, if a violation was found.
    pub fn counterexample(&self) -> Option<&Counterexample<St, Sp>> {
        match &self.verdict {
            Verdict::Violation(c) => Some(c),
            _ => None,
        }
    }
}
