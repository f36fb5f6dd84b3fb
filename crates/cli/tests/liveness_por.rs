//! Liveness with partial-order reduction (issue #21): the same verdicts as unreduced, lassos
//! that replay on the unreduced model, fairness judged with full enabledness (a thread held
//! off inside a collapsed atomic block counts as unable to move), the graphs' sizes pinned,
//! and the bounds that stop the liveness check with an honest `incomplete`.

mod common;

use common::{repo, run_in, scratch_dir, text};

use mutexcheck_checker::trace::{replay, ReplayVerdict, TraceFile, TraceOptions};
use mutexcheck_checker::{
    check_with, prepare, CheckResult, EngineOptions, Limit, Limits, Reductions, SearchOptions, Strategy, Verdict,
};
use mutexcheck_core::System;

const POR: Reductions = Reductions { partial_order: true, symmetry: false };

fn system_of(source: &str) -> System {
    let model = mutexcheck_lang::compile("t.mc", source.as_bytes())
        .unwrap_or_else(|d| panic!("{}", d.render("t.mc", source.as_bytes())));
    prepare(model, None).unwrap()
}

fn run(system: &System, reductions: Reductions, limits: Limits) -> CheckResult {
    let options = SearchOptions { strategy: Strategy::Bfs, limits };
    check_with(system, &options, &EngineOptions { reductions, ..EngineOptions::default() }, &mut |_| {})
}

/// The verdict's kind, (states, transitions), and whether the lasso replays on the
/// unreduced model (true for no lasso).
fn outcome(system: &System, source: &str, reductions: Reductions) -> (String, (u64, u64), bool) {
    let r = run(system, reductions, Limits::default());
    assert!(r.stats.liveness, "the verdict comes from the liveness check");
    let kind = match &r.verdict {
        Verdict::Ok => "ok".to_string(),
        Verdict::Violation(c) => c.violation.kind.name().to_string(),
        Verdict::Incomplete(l) => panic!("incomplete: {l:?}"),
    };
    let replays = r.counterexample().is_none_or(|c| {
        let options = TraceOptions::new(system, r.strategy, &POR.names());
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

/// Twelve restartable instances looping on one mutex with `progress`: 26 states for the
/// safety search with both reductions at `--crashes 0`, 53,248 unreduced.
const LOOP12: &str = "model loop12\nmutex m\nprocess w[12] restart {\n    while true {\n        let r = wait m\n        progress\n        release m\n    }\n}\n";

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

#[test]
fn bounds_stop_the_liveness_pass_in_text_and_json_never_the_backstop() {
    let dir = scratch_dir("liveness_por", "bounds");
    std::fs::write(dir.join("loop12.mc"), LOOP12).unwrap();
    // Unreduced at one crash: 430,080 states, several seconds of liveness check on any
    // machine after a safety search of the same size; both bounds are met inside it or
    // inside the safety search, and either way the run ends `incomplete` with exit 3.
    for (bound, value, name) in [("--time-limit", "1", "time_limit"), ("--max-memory", "30", "max_memory")] {
        let args = ["check", "loop12.mc", "--crashes", "1", "--no-reduce", "--no-trace", bound, value];
        let out = run_in(&dir, &args);
        let stdout = text(&out.stdout);
        assert_eq!(out.status.code(), Some(3), "{bound}: {stdout}{}", text(&out.stderr));
        assert!(stdout.contains(&format!("incomplete ({name})")), "{bound}: {stdout}");
        assert!(!text(&out.stderr).contains("passed by more than"), "{bound}: the backstop ended it");
        let mut json_args = args.to_vec();
        json_args.push("--json");
        let out = run_in(&dir, &json_args);
        assert_eq!(out.status.code(), Some(3), "{bound}");
        let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(doc["verdict"], "incomplete", "{bound}");
        assert_eq!(doc["incomplete"]["limit"], name, "{bound}");
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
