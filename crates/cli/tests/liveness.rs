//! Liveness (issue #13): livelock and starvation on small models whose graphs are worked out
//! by hand, the lasso in the text report, and replay of a lasso through the binary.

use std::path::Path;
use std::process::Command;

use mutexcheck_checker::report::{text, ReportOptions};
use mutexcheck_checker::{
    check_with, prepare, CheckResult, EngineOptions, Limits, Reductions, SearchOptions, Strategy, Verdict,
};
use mutexcheck_lang::compile;

fn check(source: &str) -> CheckResult {
    check_reduced(source, Reductions::ALL)
}

fn check_reduced(source: &str, reductions: Reductions) -> CheckResult {
    let model =
        compile("t.mc", source.as_bytes()).unwrap_or_else(|d| panic!("{}", d.render("t.mc", source.as_bytes())));
    let system = prepare(model, None).unwrap();
    let options = SearchOptions { strategy: Strategy::Bfs, limits: Limits::default() };
    check_with(&system, &options, &EngineOptions { reductions, ..EngineOptions::default() }, &mut |_| {})
}

/// A lasso as its steps' lines, the first step of its cycle and the violation's message.
type Lasso = (Vec<String>, usize, String);

/// (states, transitions) and the lasso, or `None` for ok, of the unreduced liveness check
/// (the graphs the comments work out by hand).
fn lasso(source: &str) -> ((u64, u64), Option<Lasso>) {
    lasso_reduced(source, Reductions::NONE)
}

/// [`lasso`] with `reductions`.
fn lasso_reduced(source: &str, reductions: Reductions) -> ((u64, u64), Option<Lasso>) {
    let r = check_reduced(source, reductions);
    let counts = (r.stats.states, r.stats.transitions);
    assert!(r.stats.liveness, "the verdict comes from the liveness check");
    match &r.verdict {
        Verdict::Ok => (counts, None),
        Verdict::Violation(c) => {
            let model = compile("t.mc", source.as_bytes()).unwrap();
            let system = prepare(model, None).unwrap();
            let lines = c.steps.iter().map(|s| system.step_text(&s.step)).collect();
            (counts, Some((lines, c.cycle_start.expect("a lasso"), c.violation.message.clone())))
        }
        Verdict::Incomplete(l) => panic!("incomplete: {l:?}"),
    }
}

/// `p` spins forever; `q` passes `progress` once and ends.
const SPIN: &str =
    "model spin\ncrashes 0\nprocess p {\n    while true {\n        skip\n    }\n}\nprocess q {\n    progress\n}\n";

#[test]
fn a_thread_spinning_forever_after_the_last_progress_is_a_livelock() {
    // States: p at `while` or at `skip`, q before or after `progress`: 4. Transitions: from
    // the two states where q has not run, a step of p and one of q (4); from the two
    // after, one of p (2): 6. While q has not run, p's spinning is not fair to q (q can
    // always move), so the lasso first runs q, then loops p.
    let (counts, found) = lasso(SPIN);
    assert_eq!(counts, (4, 6));
    let (lines, start, message) = found.expect("a livelock");
    assert_eq!(lines, ["q line 9: progress", "p line 4: while true [true]", "p line 5: skip"]);
    assert_eq!(start, 2);
    assert_eq!(message, "livelock: steps 2-3 repeat forever, a fair run that never passes a `progress` statement");
}

#[test]
fn an_unfair_cycle_is_no_livelock() {
    // spinner loops until setter sets `go`; setter can always move until it does, so weak
    // fairness makes it move: every fair run reaches `progress`. States: spinner at `while`
    // or `skip` with go false (2); with go true and setter done, spinner at `while`, `skip`,
    // `progress`, finished (4): 6. Transitions: 2 + 2 from the first two, then 1, 1, 1, 0: 7.
    let src = "model unfair\ncrashes 0\nshared go: bool = false\n\
               process spinner {\n    while !go {\n        skip\n    }\n    progress\n}\n\
               process setter {\n    go = true\n}\n";
    assert_eq!(lasso(src), ((6, 7), None));
}

#[test]
fn a_waiter_bypassed_forever_starves_under_weak_fairness() {
    // Two workers loop `wait m; release m`. States: each worker at `while`, `wait` or
    // `release` (the one at `release` owns m, so not both): 4 + 4 = 8. Transitions: two in
    // each state but the two where one worker holds m and the other waits on it (blocked):
    // 14. worker[0] waits at `wait m`, is blocked while worker[1] holds m and able to move
    // when it is free: not continuously enabled, so a run that never serves it is fair.
    let src = "model s2\ncrashes 0\nmutex m\nstarvation m\n\
               process worker[2] {\n    while true {\n        wait m\n        release m\n    }\n}\n";
    let (counts, found) = lasso(src);
    assert_eq!(counts, (8, 14));
    let (lines, start, message) = found.expect("starvation");
    assert_eq!(
        lines,
        [
            "worker[0] line 6: while true [true]",
            "worker[1] line 6: while true [true]",
            "worker[1] line 7: wait m [OK (count 1)]",
            "worker[1] line 8: release m [OK]",
        ]
    );
    assert_eq!(start, 2);
    assert_eq!(
        message,
        "starvation: worker[0] waits for m forever while other threads keep acquiring it (steps 2-4 repeat forever, a fair run)"
    );
}

#[test]
fn timed_retries_that_always_fail_are_starvation_too() {
    // polite retries with a timed wait; greedy keeps taking m. A timed-out wait is a step,
    // so polite moves in the cycle (fair) and each of its tries fails. (Threads are tried in
    // order: polite, declared first, is the one reported.)
    let src = "model retry\ncrashes 0\nmutex m\nstarvation m\n\
               process polite {\n    while true {\n        let r = wait m timeout\n        if r != TIMEOUT {\n            release m\n        }\n    }\n}\n\
               process greedy {\n    while true {\n        wait m\n        release m\n    }\n}\n";
    let (_, found) = lasso(src);
    let (lines, start, message) = found.expect("starvation");
    assert!(message.starts_with("starvation: polite waits for m forever"), "{message}");
    assert!(lines[start - 1..].iter().any(|l| l.starts_with("polite") && l.ends_with("[TIMEOUT]")), "{lines:?}");
}

#[test]
fn a_model_without_liveness_properties_is_not_checked_for_them() {
    let r = check("model plain\ncrashes 0\nprocess p {\n    while true {\n        skip\n    }\n}\n");
    assert_eq!(r.verdict, Verdict::Ok);
    assert!(!r.stats.liveness);
    assert!(r.stats.partial_order, "safety keeps its reductions");
}

#[test]
fn the_report_marks_the_cycle_and_names_what_was_checked() {
    let r = check(SPIN);
    let model = compile("t.mc", SPIN.as_bytes()).unwrap();
    let system = prepare(model, None).unwrap();
    let report = text(&system, &r, &ReportOptions { timings: false });
    assert!(report.starts_with(
        "model spin: breadth-first search, crashes allowed: 0, reductions: partial-order\n\
         liveness: livelock (progress) checked on the whole state graph under weak fairness of threads, after the safety check found nothing (reductions: partial-order)\n\
         verdict: violation (livelock)\n"
    ), "{report}");
    assert!(report
        .contains("lasso counterexample (3 steps: 1 to reach the cycle, then a cycle of 2 that repeats forever):\n"));
    assert!(
        report.contains(
            "  1. q line 9: progress    q: running -> finished\n  \
         -- the cycle starts here: steps 2-3 repeat forever (the last returns to the state before step 2) --\n  \
         2. p line 4: while true [true]\n"
        ),
        "{report}"
    );
}

#[test]
fn replay_reexecutes_the_prefix_and_the_cycle_and_confirms_it_closes() {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("liveness-replay");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("models")).unwrap();
    std::fs::write(dir.join("models/spin.mc"), SPIN).unwrap();
    let run =
        |args: &[&str]| Command::new(env!("CARGO_BIN_EXE_mutexcheck")).current_dir(&dir).args(args).output().unwrap();
    let out = run(&["check", "models/spin.mc", "-q"]);
    assert_eq!(out.status.code(), Some(1));
    let trace: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("traces/spin.json")).unwrap()).unwrap();
    assert_eq!(trace["version"], 4);
    assert_eq!(trace["violation"]["cycle_start"], 2);
    let out = run(&["replay", "traces/spin.json"]);
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stdout));
    assert!(String::from_utf8_lossy(&out.stdout).ends_with(
        "reproduced: violation (livelock): the cycle of steps 2-3 repeats forever\n\
         livelock: steps 2-3 repeat forever, a fair run that never passes a `progress` statement\n\
         the cycle closes: step 3 returns to the state before step 2, so steps 2-3 repeat forever (a fair run)\n"
    ));
}
