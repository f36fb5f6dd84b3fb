//! Liveness with partial-order reduction (issue #21): the same verdicts as unreduced, lassos
//! that replay on the unreduced model, fairness judged with full enabledness (a thread held
//! off inside a collapsed atomic block counts as unable to move), the graphs' sizes pinned,
//! and the bounds that stop the liveness check with an honest `incomplete`.

mod common;

use common::{repo, run_in, scratch_dir, system_of, text};

use mutexcheck_checker::trace::{replay, ReplayVerdict, TraceFile, TraceOptions};
use mutexcheck_checker::{prepare, CheckResult, Limit, Limits, Reductions, Request, Verdict};
use mutexcheck_core::System;

const POR: Reductions = Reductions { partial_order: true, symmetry: false };

fn run(system: &System, reductions: Reductions, limits: Limits) -> CheckResult {
    let request = Request::new().reductions(reductions).limits(limits);
    request.check(system, &request.guard(), &mut |_| {})
}

/// The verdict's kind, (states, transitions), and whether the counterexample (a lasso, or a
/// safety violation at a larger crash budget) replays on the unreduced model (true for none).
fn outcome(system: &System, source: &str, reductions: Reductions) -> (String, (u64, u64), bool) {
    let r = run(system, reductions, Limits::default());
    // The liveness check runs when the safety search found nothing.
    assert_eq!(r.stats.liveness, r.counterexample().is_none_or(|c| c.cycle_start.is_some()));
    let kind = match &r.verdict {
        Verdict::Ok => "ok".to_string(),
        Verdict::Violation(c) => c.violation.kind.name().to_string(),
        Verdict::Incomplete(l) => panic!("incomplete: {l:?}"),
    };
    let replays = r.counterexample().is_none_or(|c| {
        let options = TraceOptions::new(system, &Request::new().reductions(POR));
        let trace = TraceFile::new(system, "t.mc", source.as_bytes(), options, c);
        matches!(replay(system, &trace).verdict, ReplayVerdict::Reproduced(f) if f.kind == kind)
    });
    (kind, (r.stats.states, r.stats.transitions), replays)
}

#[test]
fn a_thread_held_off_inside_a_collapsed_atomic_block_is_treated_fairly() {
    // `a` loops through an atomic block that cannot block; `b` loops through `progress`.
    // Inside the block b is held off, so a run that only ever loops a is fair to b (not
    // continuously able to move): a livelock, and the only one (b never ends). Unreduced:
    // a at `while`, at the block's first or second statement (inside, holding it), times b
    // at `while` or at `progress`: 6 states; both move in the 4 where a holds no block, only
    // a in the 2 where it does: 10 transitions. With partial-order reduction the loop tests
    // and the state inside the block are transient: the initial state (both at `while`,
    // only a's test explored, then b's in the same move) and a at the block with b at
    // `progress`: 2 states; the initial move, a's whole loop and b's `progress` with its
    // test, each a move back to that state: 3 transitions. In that one state b can move: only
    // the loop's move, which records that b was held off inside it, makes the cycle fair.
    let source = "model held\ncrashes 0\nshared s: 0..1 = 0\n\
                  process a {\n    while true {\n        atomic {\n            s = 1\n            s = 0\n        }\n    }\n}\n\
                  process b {\n    while true {\n        progress\n    }\n}\n";
    let system = system_of(source);
    assert_eq!(outcome(&system, source, Reductions::NONE), ("livelock".to_string(), (6, 10), true));
    assert_eq!(outcome(&system, source, POR), ("livelock".to_string(), (2, 3), true));
}

#[test]
fn a_cycle_unfair_to_a_thread_that_can_always_move_is_no_livelock_reduced_either() {
    // spinner loops until setter sets `go`; setter can always move until it does, so every
    // fair run reaches `progress`. The spinner's `skip` is invisible (its loop test reads
    // the shared `go`, so the loop is no cycle of invisible steps): reduced, it runs inside
    // the test's move, and setter, never explored in the transient state after the test, is
    // still able to move there: the cycle of the reduced graph is as unfair as the full one.
    let source = "model unfair\ncrashes 0\nshared go: bool = false\n\
                  process spinner {\n    while !go {\n        skip\n    }\n    progress\n}\n\
                  process setter {\n    go = true\n}\n";
    let system = system_of(source);
    assert_eq!(outcome(&system, source, Reductions::NONE), ("ok".to_string(), (6, 7), true));
    assert_eq!(outcome(&system, source, POR).0, "ok");
}

#[test]
fn the_shipped_liveness_models_keep_their_verdicts_in_smaller_graphs() {
    // (file, verdict, unreduced (states, transitions), with partial-order reduction, with
    // both reductions: only starvation.mc has interchangeable instances, and its liveness
    // then runs on the symmetry quotient with worker[0] pinned).
    let expected = [
        ("livelock.mc", "livelock", (108, 300), (32, 71), (32, 71)),
        ("livelock_fixed.mc", "ok", (82, 214), (26, 53), (26, 53)),
        ("starvation.mc", "starvation", (80, 252), (17, 37), (11, 26)),
        ("starvation_fixed.mc", "ok", (462, 1662), (202, 703), (202, 703)),
        ("pid_lock_fixed.mc", "ok", (96, 174), (46, 75), (46, 75)),
        ("pid_reuse.mc", "ok", (552, 916), (224, 416), (224, 416)),
    ];
    for (file, verdict, none, por, all) in expected {
        let source = std::fs::read_to_string(repo().join("models").join(file)).unwrap();
        let system = system_of(&source);
        assert_eq!(outcome(&system, &source, Reductions::NONE), (verdict.to_string(), none, true), "{file}");
        assert_eq!(outcome(&system, &source, POR), (verdict.to_string(), por, true), "{file}");
        assert_eq!(outcome(&system, &source, Reductions::ALL), (verdict.to_string(), all, true), "{file}");
    }
}

#[test]
fn the_state_bound_stops_the_liveness_check_with_an_honest_incomplete() {
    // On the twelve looping instances both checks store 4 states with both reductions (26
    // each with partial-order reduction alone), so no bound stops the liveness check alone.
    // models/starvation.mc's safety search stores 5, and its liveness check the 11 of the
    // quotient that keeps worker[0] in place: a bound of 8 stops the latter, after 3 states
    // expanded whole.
    let source = std::fs::read_to_string(repo().join("models/starvation.mc")).unwrap();
    let system = system_of(&source);
    let r = run(&system, Reductions::ALL, Limits { max_states: Some(8), ..Limits::default() });
    assert_eq!(r.verdict, Verdict::Incomplete(Limit::MaxStates(8)));
    assert!(r.stats.liveness);
    assert_eq!(r.stats.states, 3);
    assert!(r.stats.partial_order && r.stats.symmetry, "the safety search's reductions");
    assert_eq!(r.stats.liveness_reductions, Some(Reductions::ALL));
}

/// Nine interchangeable workers: the first through the atomic block spins without
/// `progress`, the others pass `progress` forever. No livelock (the others can always move),
/// but the spinner's loop meets the quotient's necessary condition, so symmetry leaves a
/// doubt that the check without it settles (see `liveness_symmetry.rs`).
const ROLES9: &str = "model roles9\ncrashes 0\nshared taken: bool = false\nprocess w[9] {\n    var spinner: bool = false\n    atomic {\n        if !taken {\n            taken = true\n            spinner = true\n        }\n    }\n    while spinner {\n        skip\n    }\n    while true {\n        progress\n    }\n}\n";

#[test]
fn bounds_stop_the_liveness_pass_in_text_and_json_never_the_backstop() {
    let dir = scratch_dir("liveness_por", "bounds");
    std::fs::write(dir.join("roles9.mc"), ROLES9).unwrap();
    // Symmetry alone: the safety search and the liveness check's quotient store a few
    // classes of states, but the quotient leaves a doubt (see ROLES9), which the check
    // without symmetry (and here without partial-order reduction) settles on all 1,180,000
    // states: seconds of work, and more than a hundred megabytes. The liveness line in the
    // report shows that the bound stopped the liveness check, not the safety search.
    for (bound, value, name) in [("--time-limit", "1", "time_limit"), ("--max-memory", "30", "max_memory")] {
        let args = ["check", "roles9.mc", "--no-por", "--no-trace", bound, value];
        let out = run_in(&dir, &args);
        let stdout = text(&out.stdout);
        assert_eq!(out.status.code(), Some(3), "{bound}: {stdout}{}", text(&out.stderr));
        assert!(stdout.contains(&format!("incomplete ({name})")), "{bound}: {stdout}");
        assert!(stdout.contains("\nliveness: livelock (progress) checked"), "{bound}: {stdout}");
        assert!(!text(&out.stderr).contains("passed by more than"), "{bound}: the backstop ended it");
        let mut json_args = args.to_vec();
        json_args.push("--json");
        let out = run_in(&dir, &json_args);
        assert_eq!(out.status.code(), Some(3), "{bound}");
        let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(doc["verdict"], "incomplete", "{bound}");
        assert_eq!(doc["incomplete"]["limit"], name, "{bound}");
        assert_eq!(doc["reductions"], serde_json::json!(["symmetry"]), "{bound}");
        assert_eq!(doc["liveness_reductions"], serde_json::json!([]), "{bound}");
        assert!(doc["stats"]["states"].as_u64().is_some_and(|s| s > 0), "{bound}: {doc}");
    }
    // The state bound: met by the liveness check only (see the test above).
    std::fs::copy(repo().join("models/starvation.mc"), dir.join("starvation.mc")).unwrap();
    let out = run_in(&dir, &["check", "starvation.mc", "--no-trace", "--max-states", "8", "--json"]);
    assert_eq!(out.status.code(), Some(3));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["incomplete"]["limit"], "max_states");
    assert_eq!(doc["reductions"], serde_json::json!(["partial_order", "symmetry"]));
    assert_eq!(doc["liveness_reductions"], serde_json::json!(["partial_order", "symmetry"]));
    assert_eq!(doc["stats"]["states"], 3);
}

/// The shipped models (and case studies) with a liveness property.
fn liveness_models() -> Vec<(String, String)> {
    let mut paths = common::models_in(&repo().join("models"));
    paths.extend(common::models_in(&repo().join("models/case-studies")));
    let found: Vec<(String, String)> = paths
        .into_iter()
        .map(|p| (p.to_string_lossy().into_owned(), std::fs::read_to_string(&p).unwrap()))
        .filter(|(_, source)| mutexcheck_checker::liveness::has_liveness(&system_of(source)))
        .collect();
    assert!(found.len() >= 6, "{found:?}");
    found
}

#[test]
fn every_liveness_model_gets_the_same_verdict_reduced_at_every_crash_budget() {
    for (name, source) in liveness_models() {
        for crashes in [0, 1, 2] {
            let model = mutexcheck_lang::compile(&name, source.as_bytes()).unwrap();
            let system = prepare(model, Some(crashes)).unwrap();
            let none = outcome(&system, &source, Reductions::NONE);
            let por = outcome(&system, &source, POR);
            assert_eq!(por.0, none.0, "{name} --crashes {crashes}");
            assert!(none.2 && por.2, "{name} --crashes {crashes}: a lasso that does not replay");
            // A complete graph is never larger reduced (a search a violation stopped may be).
            if none.0 == "ok" {
                assert!(por.1 .0 <= none.1 .0, "{name} --crashes {crashes}: {:?} > {:?}", por.1, none.1);
            }
        }
    }
}

#[test]
fn unable_to_move_read_off_a_state_is_having_no_step_in_it() {
    // The marks judge fairness from the state alone (status, blocking, atomic holder): the
    // same answer as asking the model for the thread's steps, in every reachable state.
    use mutexcheck_checker::liveness::facts::unable;
    use mutexcheck_core::{Action, Outcome, ThreadId};
    for (name, source) in liveness_models() {
        let system = system_of(&source);
        let mut seen = std::collections::HashSet::new();
        let mut queue = std::collections::VecDeque::from([system.initial_state()]);
        let mut successors = Vec::new();
        while let Some(s) = queue.pop_front() {
            if !seen.insert(s.clone()) {
                continue;
            }
            successors.clear();
            system.successors(&s, &mut successors);
            for t in 0..system.thread_count() as ThreadId {
                let moves = successors.iter().any(|(step, _)| {
                    matches!(step.action, Action::Run { thread, .. } if thread == t)
                        && !matches!(step.outcome, Outcome::Fault(_))
                });
                assert_eq!(unable(&system, &s, t), !moves, "{name}: {}", system.thread_name(t));
            }
            queue.extend(successors.drain(..).map(|(_, next)| next).filter(|n| !seen.contains(n)));
        }
        assert!(seen.len() >= 10, "{name}");
    }
}
