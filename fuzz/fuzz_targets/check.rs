//! Arbitrary bytes as a model file, checked as `mutexcheck check` does on tiny bounds:
//! breadth-first and depth-first, with every combination of reductions, on one thread and
//! on two with fingerprints; then the text and JSON reports, and for every counterexample
//! its trace file, read back and replayed against the model.
//!
//! Promises checked (issue #15), any of which failing is a finding:
//! - no panic, abort, hang or out-of-memory (libFuzzer's `-timeout` and `-rss_limit_mb`);
//! - the bounds hold: never more than `MAX_STATES` states stored, and a search with a time
//!   limit of `TIME_LIMIT` returns within `TIME_LIMIT + SLACK` (the story of a
//!   counterexample included);
//! - every counterexample replays on the model and reproduces its violation, and its trace
//!   reads back from its own JSON unchanged;
//! - no two complete searches disagree: when one says `ok` and another found a violation
//!   that replays, a reduction or a strategy lost a violation;
//! - a counterexample said to be a shortest one (breadth-first, no reduction) is no longer
//!   than any other counterexample found, of any kind: each of them is a run of the model;
//! - one thread and two threads with fingerprints give the same verdict and counts unless a
//!   time or memory bound stopped one of them.
#![no_main]
#![allow(clippy::needless_update)]

mod common;

use std::time::{Duration, Instant};

use libfuzzer_sys::fuzz_target;
use mutexcheck_checker::report::{self, ReportOptions};
use mutexcheck_checker::trace::{ReplayVerdict, TraceFile, TraceOptions};
use mutexcheck_checker::{Bfs, CheckResult, Engine, Limit, Limits, Reductions, Request, Spread, Strategy, Verdict};
use mutexcheck_core::System;

/// Tiny bounds: a fuzz input should take milliseconds, at most a few seconds.
const MAX_STATES: u64 = 2000;
const TIME_LIMIT: Duration = Duration::from_secs(1);
/// How late a search with a time limit may return.
const SLACK: Duration = Duration::from_secs(1);
/// Far below libFuzzer's `-rss_limit_mb` (scripts/fuzz: 2048): a search must stop near
/// this, so reaching the fuzzer's limit is a memory bound overrun.
const MAX_MEMORY_MB: u64 = 1024;

const POR_ONLY: Reductions = Reductions { partial_order: true, symmetry: false };
const SYMMETRY_ONLY: Reductions = Reductions { partial_order: false, symmetry: true };

struct Run {
    name: &'static str,
    strategy: Strategy,
    reductions: Reductions,
    threads: usize,
    fingerprints: bool,
    max_depth: Option<u32>,
}

const fn run(name: &'static str, strategy: Strategy, reductions: Reductions) -> Run {
    Run { name, strategy, reductions, threads: 1, fingerprints: false, max_depth: None }
}

const RUNS: &[Run] = &[
    run("bfs", Strategy::Bfs, Reductions::ALL),
    run("bfs --no-reduce", Strategy::Bfs, Reductions::NONE),
    run("bfs --no-symmetry", Strategy::Bfs, POR_ONLY),
    run("bfs --no-por", Strategy::Bfs, SYMMETRY_ONLY),
    run("dfs", Strategy::Dfs, Reductions::ALL),
    run("dfs --no-reduce", Strategy::Dfs, Reductions::NONE),
    Run { threads: 2, fingerprints: true, ..run("bfs --threads 2 --fingerprints", Strategy::Bfs, Reductions::ALL) },
    Run { max_depth: Some(6), ..run("dfs --no-reduce --max-depth 6", Strategy::Dfs, Reductions::NONE) },
];

fuzz_target!(|data: &[u8]| {
    let Some(model) = common::compile(data) else { return };
    let system = common::system(model, None);
    let mut complete_ok: Option<&str> = None;
    let mut violation: Option<(&str, String)> = None;
    let mut first: Option<CheckResult> = None;
    let mut lengths: Vec<(&str, usize, bool)> = Vec::new();
    for r in RUNS {
        let result = check(&system, r);
        reports(&system, &result);
        match &result.verdict {
            Verdict::Ok => complete_ok = complete_ok.or(Some(r.name)),
            Verdict::Violation(cex) => {
                replays(&system, data, &result, r);
                violation.get_or_insert((r.name, cex.violation.kind.name().to_string()));
                lengths.push((r.name, cex.steps.len(), cex.shortest));
            }
            Verdict::Incomplete(_) => {}
        }
        if let (Some(ok), Some((found, kind))) = (complete_ok, &violation) {
            panic!("`check {ok}` is complete and finds no violation, but `check {found}` finds {kind}, which replays");
        }
        if r.threads > 1 {
            same_result(first.as_ref().expect("the first run is one-threaded"), &result, r.name);
        } else if first.is_none() {
            first = Some(result);
        }
    }
    for &(shortest, len, _) in lengths.iter().filter(|l| l.2) {
        for &(other, other_len, _) in &lengths {
            assert!(
                other_len >= len,
                "`check {shortest}` says its {len}-step counterexample is a shortest one, but `check {other}` found one of {other_len} steps"
            );
        }
    }
});

/// What run `r` asks for.
fn request(r: &Run) -> Request {
    let limits = Limits {
        max_states: Some(MAX_STATES),
        max_depth: r.max_depth,
        max_memory_mb: Some(MAX_MEMORY_MB),
        time_limit: Some(TIME_LIMIT),
        ..Default::default()
    };
    let engine = match r.strategy {
        Strategy::Bfs => Engine::Bfs(
            // Every batch on both threads: fuzzed models are small, and the default would run
            // them on one, leaving the parallel hand-off untested.
            Bfs::new().threads(r.threads).fingerprints(r.fingerprints).spread(Spread::Always),
        ),
        Strategy::Dfs => Engine::Dfs(mutexcheck_checker::Dfs::new().fingerprints(r.fingerprints)),
    };
    Request::new().engine(engine).reductions(r.reductions).limits(limits)
}

/// One search, with the bounds asserted.
fn check(system: &System, r: &Run) -> CheckResult {
    let request = request(r);
    let start = Instant::now();
    let result = request.check(system, &request.guard(), &mut |_| {});
    let took = start.elapsed();
    assert!(
        took <= TIME_LIMIT + SLACK,
        "`check {}` with a time limit of {TIME_LIMIT:?} took {took:?} ({})",
        r.name,
        report::verdict_line(&result, false)
    );
    assert!(
        result.stats.states <= MAX_STATES,
        "`check {}` stored {} states with --max-states {MAX_STATES}",
        r.name,
        result.stats.states
    );
    if let Verdict::Incomplete(Limit::MaxStates(n)) = result.verdict {
        assert_eq!(n, MAX_STATES, "`check {}` reports another state limit than it was given", r.name);
    }
    result
}

/// The reports a user reads, with and without timings.
fn reports(system: &System, result: &CheckResult) {
    for timings in [false, true] {
        let options = ReportOptions { timings, ..ReportOptions::default() };
        let text = report::text(system, result, &options);
        assert!(text.contains("verdict: "), "the text report has no verdict line:\n{text}");
        let json = report::json(system, result, &options);
        assert!(serde_json::to_string_pretty(&json).is_ok());
    }
}

/// A counterexample's trace reads back unchanged and replays on the model, as `mutexcheck
/// replay` runs it: recompiled from the same bytes, with the trace's crash budget.
fn replays(system: &System, source: &[u8], result: &CheckResult, r: &Run) {
    let name = r.name;
    let cex = result.counterexample().expect("a violation has a counterexample");
    let options = TraceOptions::new(system, &request(r).in_effect(&result.stats));
    let trace = TraceFile::new(system, common::PATH, source, options, cex);
    common::round_trip(&trace);
    let model = common::compile(source).expect("the model compiled a moment ago");
    let replay_system = common::system(model, Some(trace.options.crashes));
    let replay = mutexcheck_checker::trace::replay(&replay_system, &trace);
    match replay.verdict {
        ReplayVerdict::Reproduced(found) => assert_eq!(
            found.kind,
            cex.violation.kind.name(),
            "the counterexample of `check {name}` replays to another violation"
        ),
        ReplayVerdict::Diverged { step, reason } => panic!(
            "the counterexample of `check {name}` ({} steps, {}) does not replay: step {step}: {reason}\n{}",
            cex.steps.len(),
            cex.violation.kind.name(),
            trace.to_json()
        ),
    }
}

/// The parallel search with fingerprints promises the one-thread result (up to fingerprint
/// collisions, negligible at these sizes) unless time or memory stopped either search.
fn same_result(one: &CheckResult, two: &CheckResult, name: &str) {
    // A bound that stopped either search, or either counterexample's shortening (the run is
    // then as short as the machine got it in time), makes the two incomparable.
    let stopped = |r: &CheckResult| {
        matches!(r.verdict, Verdict::Incomplete(Limit::TimeLimit(_)) | Verdict::Incomplete(Limit::MaxMemory(_)))
            || r.counterexample().is_some_and(|c| c.shortening_stopped.is_some())
    };
    if stopped(one) || stopped(two) {
        return;
    }
    let summary = |r: &CheckResult| {
        (
            report::verdict_line(r, false),
            r.stats.states,
            r.stats.transitions,
            r.counterexample().map(|c| (c.violation.message.clone(), c.steps.len())),
        )
    };
    assert_eq!(summary(one), summary(two), "`check {name}` differs from the one-thread `check bfs`");
}
