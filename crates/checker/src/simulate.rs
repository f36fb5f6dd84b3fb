//! Random simulation: runs of a [`System`] that pick each move uniformly at random among the
//! enabled ones, with every safety property checked along the way (issue #22).
//!
//! A simulation proves nothing: it samples runs. It is still the right tool when a model is
//! too large to check exhaustively, or to see what typical runs of a model look like. Each
//! move is drawn uniformly from [`System::successors`] — every thread step with each outcome
//! it may have, every crash within the budget, every restart — so a crash is as likely as
//! any one thread step. Properties are checked with [`Checks`] exactly as the search checks
//! them: the step's own violation, then the state hooks. Liveness properties (`progress`,
//! `starvation`) need whole cycles of the graph and are not checked here.
//!
//! Reproducible: run `k` of a simulation with seed `s` draws from its own generator, seeded
//! from `(s, k)`, so the same seed gives the same runs on every machine, and a run can be
//! told without the runs before it.

use std::collections::BTreeMap;

use mutexcheck_core::{State, Step, System};
use rustc_hash::FxHashSet;

use crate::checks::Checks;
use crate::properties::Violation;
use crate::result::{Counterexample, TraceStep};

/// How many runs of how many steps at most, from which seed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SimOptions {
    /// The seed: the same seed gives the same runs.
    pub seed: u64,
    /// How many runs.
    pub runs: u64,
    /// A run that reaches this many steps without ending stops there.
    pub max_steps: u64,
}

/// How one run ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RunEnd {
    /// It broke a property (a deadlock is one): the run is a counterexample.
    Violation(Counterexample),
    /// Nothing could move any more, and no property was broken: every thread finished or
    /// died and no process will restart.
    Ended,
    /// It reached [`SimOptions::max_steps`] steps.
    MaxSteps,
}

/// What a simulation saw over all its runs.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SimSummary {
    /// Runs made.
    pub runs: u64,
    /// Steps made over all runs.
    pub steps: u64,
    /// Distinct states seen over all runs, the initial state included.
    pub distinct_states: u64,
    /// Runs that broke a property, by violation kind (`leaked_ownership`), in name order.
    pub violations: BTreeMap<String, u64>,
    /// Runs that ended with nothing left to move and no violation: every thread finished or
    /// died, and no process restarts (a thread that waits forever would be a deadlock).
    pub ended: u64,
    /// Runs that ended in a deadlock (also counted in `violations`).
    pub deadlocked: u64,
    /// Runs stopped at `max_steps`.
    pub max_steps: u64,
}

impl SimSummary {
    /// Runs that broke a property.
    pub fn violating_runs(&self) -> u64 {
        self.violations.values().sum()
    }
}

/// The generator of run `run` of a simulation with `seed`: splitmix64 of both, so that
/// neighbouring runs and seeds draw unrelated numbers.
fn run_rng(seed: u64, run: u64) -> fastrand::Rng {
    let mut z = seed ^ run.wrapping_mul(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    fastrand::Rng::with_seed(z ^ (z >> 31))
}

/// The violation (if any) on reaching `after` from `before` by `step`, in the search's order.
fn violation_at(checks: &Checks<'_>, before: &State, step: &Step, after: &State) -> Option<Violation> {
    checks.step_violation(before, step, after).or_else(|| checks.state_hooks(after))
}

/// One random run: run number `run` (from 1) of a simulation with `options`. Every state it
/// passes through is added to `seen`.
pub fn simulate_run(system: &System, options: &SimOptions, run: u64, seen: &mut FxHashSet<State>) -> (RunEnd, usize) {
    let checks = Checks::new(system);
    let mut rng = run_rng(options.seed, run);
    let initial = system.initial_state();
    seen.insert(initial.clone());
    if let Some(v) = checks.state_hooks(&initial) {
        return (RunEnd::Violation(Counterexample::new(v, initial, Vec::new(), false)), 0);
    }
    let mut steps: Vec<TraceStep> = Vec::new();
    let mut state = initial.clone();
    let mut successors = Vec::new();
    while (steps.len() as u64) < options.max_steps {
        successors.clear();
        system.successors(&state, &mut successors);
        if successors.is_empty() {
            return (RunEnd::Ended, steps.len());
        }
        let (step, next) = successors.swap_remove(rng.usize(0..successors.len()));
        let found = violation_at(&checks, &state, &step, &next);
        seen.insert(next.clone());
        steps.push(TraceStep { step, state: next.clone() });
        state = next;
        if let Some(v) = found {
            let n = steps.len();
            return (RunEnd::Violation(Counterexample::new(v, initial, steps, false)), n);
        }
    }
    (RunEnd::MaxSteps, steps.len())
}

/// Makes `options.runs` random runs of `system`, calling `on_violation(k, run)` for each run
/// `k` (from 1) that breaks a property, in run order, and returns what they saw.
pub fn simulate(
    system: &System,
    options: &SimOptions,
    on_violation: &mut dyn FnMut(u64, &Counterexample),
) -> SimSummary {
    let mut summary = SimSummary::default();
    let mut seen: FxHashSet<State> = FxHashSet::default();
    for run in 1..=options.runs {
        let (end, steps) = simulate_run(system, options, run, &mut seen);
        summary.runs += 1;
        summary.steps += steps as u64;
        match end {
            RunEnd::Violation(c) => {
                if c.violation.kind == crate::ViolationKind::Deadlock {
                    summary.deadlocked += 1;
                }
                *summary.violations.entry(c.violation.kind.name().to_string()).or_default() += 1;
                on_violation(run, &c);
            }
            RunEnd::Ended => summary.ended += 1,
            RunEnd::MaxSteps => summary.max_steps += 1,
        }
    }
    summary.distinct_states = seen.len() as u64;
    summary
}

#[cfg(test)]
mod tests {
    use super::*;

    fn system(text: &str) -> System {
        System::new(mutexcheck_lang::compile("t.mc", text.as_bytes()).unwrap()).unwrap()
    }

    /// One thread, no choice: every run takes the same two steps (`a = 1`, then `a = 2`,
    /// after which the thread has finished and nothing can move), so 5 runs make 10 steps
    /// and see 3 states (the initial one and the one after each assignment).
    #[test]
    fn a_model_without_choices_runs_the_same_path_every_time() {
        let sys = system("model one\ncrashes 0\nshared a: 0..3 = 0\nprocess p {\n    a = 1\n    a = 2\n}\n");
        let options = SimOptions { seed: 7, runs: 5, max_steps: 100 };
        let summary = simulate(&sys, &options, &mut |_, _| panic!("no violation"));
        assert_eq!(summary, SimSummary { runs: 5, steps: 10, distinct_states: 3, ended: 5, ..SimSummary::default() });
    }

    #[test]
    fn a_run_stops_at_max_steps() {
        let sys = system(
            "model spin\ncrashes 0\nshared a: 0..1 = 0\nprocess p {\n    while true {\n        a = 1 - a\n    }\n}\n",
        );
        let options = SimOptions { seed: 1, runs: 2, max_steps: 9 };
        let summary = simulate(&sys, &options, &mut |_, _| panic!("no violation"));
        assert_eq!((summary.runs, summary.steps, summary.max_steps, summary.ended), (2, 18, 2, 0));
    }

    #[test]
    fn the_same_seed_draws_the_same_numbers_and_runs_differ() {
        let (mut a, mut b) = (run_rng(1, 1), run_rng(1, 1));
        let xs: Vec<u64> = (0..8).map(|_| a.u64(..)).collect();
        assert_eq!(xs, (0..8).map(|_| b.u64(..)).collect::<Vec<_>>());
        let mut c = run_rng(1, 2);
        assert_ne!(xs, (0..8).map(|_| c.u64(..)).collect::<Vec<_>>());
    }
}
