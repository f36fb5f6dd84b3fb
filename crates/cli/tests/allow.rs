//! `allow KIND [m]` (issue #20, item 7): an outcome the model declares intended is not a
//! violation in any engine or pass — breadth-first on any number of threads, depth-first,
//! liveness, graph export, replay, the story of a counterexample, `mutexcheck test` — and is
//! counted, deterministically, in the text and JSON reports.

mod common;

use common::{repo, run_in, scratch_dir, system_of, text};

use mutexcheck_checker::report::{json, text as text_report, ReportOptions};
use mutexcheck_checker::{Bfs, CheckResult, Engine, Limit, Limits, Reductions, Request, Spread, Strategy, Verdict};
use mutexcheck_core::allow::AllowKind;
use mutexcheck_core::System;

fn check(system: &System, strategy: Strategy, limits: Limits, threads: usize, reductions: Reductions) -> CheckResult {
    let engine = match strategy {
        Strategy::Bfs => Engine::Bfs(Bfs::new().threads(threads).spread(Spread::Always)),
        Strategy::Dfs => Engine::Dfs(mutexcheck_checker::Dfs::new()),
    };
    let request = Request::new().engine(engine).reductions(reductions).limits(limits);
    request.check(system, &request.guard(), &mut |_| {})
}

fn bfs(system: &System, reductions: Reductions) -> CheckResult {
    check(system, Strategy::Bfs, Limits::default(), 1, reductions)
}

fn report(system: &System, r: &CheckResult) -> String {
    text_report(system, r, &ReportOptions::default())
}

/// (kind, mutex name, transitions) of each allowed count.
fn allowed(system: &System, r: &CheckResult) -> Vec<(AllowKind, String, u64)> {
    r.stats.allowed.iter().map(|c| (c.kind, system.model().mutexes[c.mutex].name.clone(), c.transitions)).collect()
}

fn kind(r: &CheckResult) -> Option<&'static str> {
    r.counterexample().map(|c| c.violation.kind.name())
}

/// A thread that ends owning m: Windows abandons it.
const LEAK: &str = "model leak_by_design
crashes 0
mutex m
allow leaked_ownership m

process holder {
    wait m
}

process waiter {
    let r = wait m
    release m
}
";

/// A POSIX thread ends owning a robust m (its next locker gets OWNERDEAD), and that locker
/// unlocks without `consistent`: m becomes not recoverable.
const GIVE_UP: &str = "model give_up
semantics posix
crashes 0
mutex m: robust
allow leaked_ownership m
allow not_recoverable m

process dier {
    lock m
}

process user {
    let r = lock m
    unlock m
}
";

#[test]
fn an_allowed_leak_is_counted_and_the_search_goes_on_with_exact_counts() {
    // By hand, unreduced (r is never read, so it is dead data): S0 initial; holder's wait
    // ends it owning m, abandoned (S1); waiter's wait takes m (S2). S1: waiter gets ABANDONED
    // (S3), releases (S4, final). S2: waiter releases (S5), holder waits and ends owning m
    // (S6, final). 7 states, 6 transitions, two of them leaks (S0 -> S1, S5 -> S6).
    let system = system_of(LEAK);
    for reductions in [Reductions::NONE, Reductions::ALL] {
        let r = bfs(&system, reductions);
        assert_eq!(r.verdict, Verdict::Ok);
        assert_eq!((r.stats.states, r.stats.transitions, r.stats.max_depth), (7, 6, 3));
        assert_eq!(allowed(&system, &r), vec![(AllowKind::LeakedOwnership, "m".to_string(), 2)]);
    }
    let r = bfs(&system, Reductions::NONE);
    assert!(report(&system, &r).contains(
        "\nallowed (by design):\n  leaked_ownership m: in 2 explored transitions, e.g. holder at line 7 (`wait m`) ended owning m (count 1)\n\nstatistics:\n"
    ));
    let doc = json(&system, &r, &ReportOptions::default());
    assert_eq!(
        doc["allowed"].to_string(),
        r#"[{"example":"holder at line 7 (`wait m`) ended owning m (count 1)","kind":"leaked_ownership","mutex":"m","transitions":2}]"#
    );
}

#[test]
fn without_allow_the_same_leak_is_a_violation_at_the_first_step() {
    let system = system_of(&LEAK.replace("allow leaked_ownership m\n", ""));
    let r = bfs(&system, Reductions::NONE);
    assert_eq!(kind(&r), Some("leaked_ownership"));
    assert_eq!(r.counterexample().unwrap().steps.len(), 1);
    assert!(r.stats.allowed.is_empty());
    // And a model without `allow` has no allowed section at all.
    assert!(!report(&system, &r).contains("allowed (by design)"));
    assert!(json(&system, &r, &ReportOptions::default()).get("allowed").is_none());
}

#[test]
fn after_an_allowed_leak_the_next_waiter_gets_abandoned() {
    // `at end` makes the run visible: the holder's leak is allowed, the waiter's wait then
    // returns ABANDONED, and the run ends with seen == ABANDONED.
    let source = LEAK
        .replace("mutex m\n", "mutex m\nshared seen = OK\nat end: seen != ABANDONED\n")
        .replace("let r = wait m", "seen = wait m");
    let system = system_of(&source);
    let r = bfs(&system, Reductions::NONE);
    let c = r.counterexample().expect("the at end property breaks");
    assert_eq!(c.violation.kind.name(), "at_end");
    let steps: Vec<String> = c.steps.iter().map(|s| system.step_text(&s.step)).collect();
    assert_eq!(
        steps,
        [
            "holder line 9: wait m [OK (count 1)]",
            "waiter line 13: seen = wait m [ABANDONED (count 1)]",
            "waiter line 14: release m [OK]"
        ]
    );
    // Level 0: 2 transitions; level 1: 2; level 2: the release that reaches the bad final
    // state is the first. Only the first transition is a leak.
    assert_eq!((r.stats.states, r.stats.transitions), (6, 5));
    assert_eq!(allowed(&system, &r), vec![(AllowKind::LeakedOwnership, "m".to_string(), 1)]);
    // The story of a reduced search (re-executed unreduced, shortened while the same kind of
    // violation happens) passes the allowed leak as well, to the same run.
    let reduced = bfs(&system, Reductions::ALL);
    let told: Vec<String> = reduced.counterexample().unwrap().steps.iter().map(|s| system.step_text(&s.step)).collect();
    assert_eq!(told, steps);
    common::assert_real_run("leak then abandoned", &system, &reduced);
}

#[test]
fn an_allowed_not_recoverable_unlock_is_counted_with_exact_counts() {
    // By hand, unreduced: as LEAK, with OWNERDEAD for ABANDONED: S0; dier locks and ends
    // owning m (S1, m owner-died); user locks (S2). S1: user gets OWNERDEAD (S3), unlocks
    // without consistent (S4: not recoverable, final). S2: user unlocks (S5), dier locks and
    // ends (S6). 7 states, 6 transitions: two leaks, one not-recoverable unlock.
    let system = system_of(GIVE_UP);
    for reductions in [Reductions::NONE, Reductions::ALL] {
        let r = bfs(&system, reductions);
        assert_eq!(r.verdict, Verdict::Ok);
        assert_eq!((r.stats.states, r.stats.transitions), (7, 6));
        assert_eq!(
            allowed(&system, &r),
            vec![(AllowKind::LeakedOwnership, "m".to_string(), 2), (AllowKind::NotRecoverable, "m".to_string(), 1)]
        );
    }
    assert!(report(&system, &bfs(&system, Reductions::NONE)).contains(
        "  not_recoverable m: in 1 explored transition, e.g. user at line 14 (`unlock m`) unlocked m while it was inconsistent: m is not recoverable\n"
    ));
    // Without the second allow, the unlock is the violation: 3 steps.
    let system = system_of(&GIVE_UP.replace("allow not_recoverable m\n", ""));
    let r = bfs(&system, Reductions::NONE);
    assert_eq!(kind(&r), Some("not_recoverable"));
    assert_eq!(r.counterexample().unwrap().steps.len(), 3);
}

#[test]
fn a_deadlock_after_an_allowed_leak_is_still_found() {
    // A non-robust POSIX mutex keeps its dead owner: the other thread waits forever.
    let system = system_of(
        "model t\nsemantics posix\ncrashes 0\nmutex m\nallow leaked_ownership\nprocess a { lock m }\nprocess b { lock m }\n",
    );
    let r = bfs(&system, Reductions::NONE);
    assert_eq!(kind(&r), Some("deadlock"));
    assert_eq!(r.counterexample().unwrap().steps.len(), 1);
    assert_eq!(allowed(&system, &r), vec![(AllowKind::LeakedOwnership, "m".to_string(), 1)]);
}

#[test]
fn allow_for_one_mutex_leaves_the_others_checked_and_unused_declarations_are_listed() {
    let system =
        system_of("model t\ncrashes 0\nmutex m\nmutex n\nallow leaked_ownership m\nprocess a { wait m\nwait n }\n");
    let r = bfs(&system, Reductions::NONE);
    let c = r.counterexample().expect("n leaks");
    assert_eq!(c.violation.message, "a ended owning n (count 1)");
    // The one step that leaks both: m's leak is counted, n's is the violation.
    assert_eq!(allowed(&system, &r), vec![(AllowKind::LeakedOwnership, "m".to_string(), 1)]);
    let system = system_of("model t\nmutex m\nallow leaked_ownership\nprocess a { wait m\nrelease m }\n");
    let r = bfs(&system, Reductions::NONE);
    assert_eq!(r.verdict, Verdict::Ok);
    assert!(report(&system, &r).contains("\nallowed (by design):\n  leaked_ownership (any mutex): did not happen\n"));
    assert_eq!(
        json(&system, &r, &ReportOptions::default())["allowed"].to_string(),
        r#"[{"example":null,"kind":"leaked_ownership","mutex":null,"transitions":0}]"#
    );
}

/// The seed bug benchmark with its leak allowed: leaks everywhere, deep in a big search.
fn big() -> System {
    let source = std::fs::read_to_string(repo().join("models/bench/seed_bug_n4_k3_c2.mc")).unwrap();
    system_of(&format!("{source}\nallow leaked_ownership\n"))
}

#[test]
fn counts_are_the_same_on_any_number_of_threads_and_at_every_stop() {
    let system = big();
    let invariant = system_of(&format!(
        "{}\ninvariant small: a < 5\n",
        std::fs::read_to_string(repo().join("models/bench/seed_bug_n4_k3_c2.mc")).unwrap() + "\nallow leaked_ownership"
    ));
    let cases: [(&System, Limits, Reductions, &str); 4] = [
        (&system, Limits::default(), Reductions::ALL, "ok"),
        // Cut in the middle of a level with leaks on both sides of the cut.
        (&system, Limits { max_states: Some(90_000), ..Limits::default() }, Reductions::NONE, "incomplete"),
        (&system, Limits { max_depth: Some(30), ..Limits::default() }, Reductions::ALL, "incomplete"),
        // A violation after many allowed leaks.
        (&invariant, Limits::default(), Reductions::NONE, "invariant"),
    ];
    for (system, limits, reductions, want) in cases {
        let one = check(system, Strategy::Bfs, limits, 1, reductions);
        let got = match &one.verdict {
            Verdict::Ok => "ok",
            Verdict::Incomplete(_) => "incomplete",
            Verdict::Violation(c) => c.violation.kind.name(),
        };
        assert_eq!(got, want);
        assert!(!one.stats.allowed.is_empty(), "{want}: leaks were counted");
        for threads in [2, 3] {
            let r = check(system, Strategy::Bfs, limits, threads, reductions);
            assert_eq!(report(system, &r), report(system, &one), "{want} on {threads} threads");
        }
    }
    let r = check(&system, Strategy::Bfs, Limits::default(), 1, Reductions::ALL);
    assert_eq!((r.stats.states, r.stats.transitions), (3226, 8101));
    assert_eq!(allowed(&system, &r), vec![(AllowKind::LeakedOwnership, "m".to_string(), 142)]);
    let cut =
        check(&system, Strategy::Bfs, Limits { max_states: Some(90_000), ..Limits::default() }, 1, Reductions::NONE);
    assert_eq!(cut.verdict, Verdict::Incomplete(Limit::MaxStates(90_000)));
    assert_eq!(allowed(&system, &cut), vec![(AllowKind::LeakedOwnership, "m".to_string(), 192)]);
    // Depth first, one thread: the same total over the same reduced graph.
    let dfs = check(&system, Strategy::Dfs, Limits::default(), 1, Reductions::ALL);
    assert_eq!(dfs.verdict, Verdict::Ok);
    assert_eq!(dfs.stats.transitions, 8101);
    assert_eq!(allowed(&system, &dfs), vec![(AllowKind::LeakedOwnership, "m".to_string(), 142)]);
}

#[test]
fn the_liveness_check_counts_allowed_events_on_its_own_graph() {
    // Unreduced: holder at its wait or finished (m free or abandoned with it) × spinner at its
    // test or at `progress`: 4 states; the spinner moves in each (4), the holder in the two
    // where it still waits (2, both leaks).
    let system = system_of(
        "model t\ncrashes 0\nmutex m\nallow leaked_ownership m\nprocess holder { wait m }\nprocess spinner {\n    while true { progress }\n}\n",
    );
    let r = bfs(&system, Reductions::NONE);
    assert!(r.stats.liveness);
    assert_eq!(r.verdict, Verdict::Ok);
    assert_eq!((r.stats.states, r.stats.transitions), (4, 6));
    assert_eq!(allowed(&system, &r), vec![(AllowKind::LeakedOwnership, "m".to_string(), 2)]);
    // Partial-order reduction: the spinner's loop test is invisible, so it runs inside the
    // moves: the initial state, then holder waiting or finished with the spinner at
    // `progress` (3 states); the initial move, the holder's wait (the one leak), and the
    // spinner's `progress` plus test from each of the two (4 transitions).
    let r = bfs(&system, Reductions::ALL);
    assert_eq!(r.stats.liveness_reductions, Some(Reductions { partial_order: true, symmetry: false }));
    assert_eq!(r.verdict, Verdict::Ok);
    assert_eq!((r.stats.states, r.stats.transitions), (3, 4));
    assert_eq!(allowed(&system, &r), vec![(AllowKind::LeakedOwnership, "m".to_string(), 1)]);
}

/// The shipped model with its `allow` line removed.
fn without_allow(model: &str) -> String {
    let source = std::fs::read_to_string(repo().join("models").join(model)).unwrap();
    source.lines().filter(|l| !l.starts_with("allow ")).map(|l| format!("{l}\n")).collect()
}

#[test]
fn the_shipped_models_are_ok_with_allow_and_violations_without() {
    for (model, kind_without, counted) in [
        ("posix_unlock_and_throw.mc", "not_recoverable", (AllowKind::NotRecoverable, 3)),
        ("abandon_by_design.mc", "leaked_ownership", (AllowKind::LeakedOwnership, 5)),
    ] {
        let system = system_of(&std::fs::read_to_string(repo().join("models").join(model)).unwrap());
        let r = bfs(&system, Reductions::ALL);
        assert_eq!(r.verdict, Verdict::Ok, "{model}");
        assert_eq!(allowed(&system, &r), vec![(counted.0, "m".to_string(), counted.1)], "{model}");
        let r = bfs(&system_of(&without_allow(model)), Reductions::ALL);
        assert_eq!(kind(&r), Some(kind_without), "{model} without allow");
    }
}

#[test]
fn replay_does_not_claim_a_violation_the_model_now_allows() {
    let dir = scratch_dir("allow", "replay");
    std::fs::write(dir.join("leak.mc"), LEAK.replace("allow leaked_ownership m\n", "")).unwrap();
    std::fs::write(dir.join("allowed.mc"), LEAK).unwrap();
    let out = run_in(&dir, &["check", "leak.mc", "--trace-out", "leak.json"]);
    assert_eq!(out.status.code(), Some(1));
    let out = run_in(&dir, &["replay", "leak.json", "--model", "allowed.mc"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stdout).ends_with(
            "does not reproduce: step 1: all 1 steps replay, but the violation (leaked_ownership: holder ended owning m (count 1)) no longer happens\n"
        ),
        "{}",
        text(&out.stdout)
    );
}

#[test]
fn graph_marks_allowed_transitions_and_test_passes_an_allowed_model_expecting_ok() {
    let dir = scratch_dir("allow", "graph_test");
    std::fs::write(dir.join("leak.mc"), format!("// expect: ok\n{LEAK}")).unwrap();
    let out = run_in(&dir, &["graph", "leak.mc"]);
    assert_eq!(out.status.code(), Some(0));
    let dot = text(&out.stdout);
    assert_eq!(dot.matches("allowed: leaked_ownership m").count(), 2, "{dot}");
    assert!(!dot.lines().any(|l| l.contains(" -> ") && l.contains("color=red")), "no violation is drawn: {dot}");
    let out = run_in(&dir, &["test", "leak.mc"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));
    assert!(text(&out.stdout).contains("1 passed, 0 failed"), "{}", text(&out.stdout));
}

/// `allow not_recoverable lock` names a mutex array: it covers every element, also one an
/// unlock chooses with a computed index. Without the line, that unlock is the violation.
#[test]
fn allowing_a_mutex_array_covers_every_element_also_a_computed_one() {
    let allowed_model = "model give_up_elements
semantics posix
crashes 1
mutex lock[2]: robust
allow not_recoverable lock

process worker[2] {
    let r = lock lock[self]
    unlock lock[self]
}

process other {
    var i: 0..1 = 1
    let r = lock lock[i]
    unlock lock[i]
}
";
    let system = system_of(allowed_model);
    let r = bfs(&system, Reductions::NONE);
    assert_eq!(r.verdict, Verdict::Ok, "{}", report(&system, &r));
    let lines = allowed(&system, &r);
    assert!(lines.iter().any(|(k, m, n)| *k == AllowKind::NotRecoverable && m == "lock[1]" && *n > 0), "{lines:?}");
    let without = system_of(&allowed_model.replace("allow not_recoverable lock\n", ""));
    assert_eq!(kind(&bfs(&without, Reductions::NONE)), Some("not_recoverable"));
}
