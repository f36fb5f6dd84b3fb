//! An `atomic` block is indivisible for every observer (issue #20, item 1): invariants,
//! `protect`'s free-mutex check and `at end` are evaluated only between steps, never in a
//! state inside a block whose thread can go on; an `assert` and a first `OK` wait's `protect`
//! check inside a block stand where they are; a holder blocked inside its block lost
//! atomicity, and the states where it waits are observed. Each model is checked without
//! reductions (a shortest counterexample) and with both (verdict and length kept).

mod common;
use common::{run_in, scratch_dir, text};

use mutexcheck_checker::{prepare, CheckResult, Reductions, Request, Verdict};
use mutexcheck_core::{Action, ThreadId};

/// Checks `source` breadth-first with `reductions`, with the model's crash budget unless
/// `crashes` overrides it.
fn check(source: &str, crashes: Option<u32>, reductions: Reductions) -> CheckResult {
    let model = mutexcheck_lang::compile("test.mc", source.as_bytes())
        .unwrap_or_else(|d| panic!("{}", d.render("test.mc", source.as_bytes())));
    let system = prepare(model, crashes).unwrap();
    let request = Request::new().reductions(reductions);
    request.check(&system, &request.guard(), &mut |_| {})
}

/// (kind, message, steps) of the violation found, the same with and without reductions.
fn violation(source: &str) -> (String, String, usize) {
    let found = [Reductions::NONE, Reductions::ALL].map(|reductions| {
        let r = check(source, None, reductions);
        let c = r.counterexample().unwrap_or_else(|| panic!("expected a violation, got {:?}", r.verdict));
        (c.violation.kind.name().to_string(), c.violation.message.clone(), c.steps.len())
    });
    assert_eq!(found[0], found[1], "the reductions changed the counterexample");
    found[0].clone()
}

/// The thread of each step of the unreduced search's counterexample.
fn movers(source: &str) -> Vec<ThreadId> {
    let r = check(source, None, Reductions::NONE);
    r.counterexample()
        .unwrap()
        .steps
        .iter()
        .map(|s| match s.step.action {
            Action::Run { thread, .. } => thread,
            ref other => panic!("expected thread steps only, got {other:?}"),
        })
        .collect()
}

fn counts(r: &CheckResult) -> (u64, u64, u32) {
    (r.stats.states, r.stats.transitions, r.stats.max_depth)
}

/// The example of the issue: the block writes `a` then `b`; between the two, `a != b`.
const HALF_WRITTEN: &str = "model half_written
shared a: 0..1 = 0
shared b: 0..1 = 0
invariant same: a == b
process p {
    atomic {
        a = 1
        b = 1
    }
}
";

#[test]
fn an_invariant_is_not_checked_inside_an_atomic_block() {
    for reductions in [Reductions::NONE, Reductions::ALL] {
        let r = check(HALF_WRITTEN, Some(0), reductions);
        assert!(r.verdict == Verdict::Ok, "{:?}: {:?}", reductions.names(), r.verdict);
    }
    // Unreduced, without crashes: before the block, inside it (stored, not observed), after
    // it: 3 states, 2 transitions, 2 deep. Partial-order reduction runs the block (it cannot
    // block) as one move: 2 states, 1 transition.
    assert_eq!(counts(&check(HALF_WRITTEN, Some(0), Reductions::NONE)), (3, 2, 2));
    assert_eq!(counts(&check(HALF_WRITTEN, Some(0), Reductions::ALL)), (2, 1, 1));
}

#[test]
fn the_example_of_the_language_reference_is_this_one_and_is_ok() {
    let doc = std::fs::read_to_string(common::repo().join("docs/language.md")).unwrap();
    let section = doc.split("**Nobody sees inside an `atomic` block.**").nth(1).expect("the section");
    let example = section.split("```\n").nth(1).expect("its example");
    assert_eq!(example, HALF_WRITTEN);
    let r = check(example, None, Reductions::ALL);
    assert_eq!(r.verdict, Verdict::Ok);
}

#[test]
fn no_crash_falls_inside_an_atomic_block_its_thread_can_continue() {
    // A crash between the writes would leave `a = 1, b = 0` for good, in an observed state.
    // Unreduced, one crash: the 3 states above and p crashed before the block (its memory
    // dead): 4 states, 3 transitions.
    let r = check(HALF_WRITTEN, Some(1), Reductions::NONE);
    assert!(r.verdict == Verdict::Ok, "{:?}", r.verdict);
    assert_eq!(counts(&r), (4, 3, 2));
    assert!(check(HALF_WRITTEN, Some(1), Reductions::ALL).verdict == Verdict::Ok);
}

#[test]
fn an_invariant_broken_after_the_block_is_found_after_the_block() {
    // Both writes, then `a = 0`: the first observed state with `a != b` is after step 3.
    // (Before atomic blocks were opaque, the state between the writes was reported at step 1.)
    let source = HALF_WRITTEN.replace("        b = 1\n    }\n", "        b = 1\n    }\n    a = 0\n");
    assert_eq!(violation(&source), ("invariant".into(), "invariant same: `a == b` is false (a = 0, b = 1)".into(), 3));
}

#[test]
fn an_invariant_never_broken_inside_the_block_keeps_its_shortest_length() {
    // `a <= b` holds between the writes (b first); `b = 0` after the block breaks it at step
    // 3, as it always did.
    let source = "model after_block
shared a: 0..1 = 0
shared b: 0..1 = 0
invariant ordered: a <= b
process p {
    atomic {
        b = 1
        a = 1
    }
    b = 0
}
";
    assert_eq!(
        violation(source),
        ("invariant".into(), "invariant ordered: `a <= b` is false (a = 1, b = 0)".into(), 3)
    );
}

#[test]
fn another_threads_step_breaking_the_invariant_is_the_counterexample() {
    // q's one write makes `a != b` at step 1. p's first step (inside its block) reached an
    // unobserved state first in breadth-first order; the violation is q's.
    let source = format!("{HALF_WRITTEN}process q {{\n    a = 1\n}}\n");
    assert_eq!(violation(&source), ("invariant".into(), "invariant same: `a == b` is false (a = 1, b = 0)".into(), 1));
    assert_eq!(movers(&source), vec![1]);
}

/// p's block waits for m inside; q may own m then.
const BLOCKED_INSIDE: &str = "model blocked_inside
mutex m
shared a: 0..1 = 0
shared b: 0..1 = 0
invariant same: a == b
process p {
    atomic {
        a = 1
        wait m
        b = 1
        release m
    }
}
process q {
    wait m
    release m
}
";

#[test]
fn a_thread_blocked_inside_its_block_is_observed_while_it_waits() {
    // q takes m (step 1), p enters its block and writes a (step 2), then waits for m: p
    // cannot go on, others move, and the half-written state is seen. Writing a first (p at
    // step 1) finds m free, so p goes on unobserved: no shorter run.
    assert_eq!(
        violation(BLOCKED_INSIDE),
        ("invariant".into(), "invariant same: `a == b` is false (a = 1, b = 0)".into(), 2)
    );
    assert_eq!(movers(BLOCKED_INSIDE), vec![1, 0]);
}

#[test]
fn a_blocking_atomic_block_lets_the_owner_release_what_it_waits_for() {
    // Without the invariant: q releases m while p waits inside its block, so no deadlock,
    // with and without a crash.
    let source = BLOCKED_INSIDE.replace("invariant same: a == b\n", "");
    for crashes in [0, 1] {
        for reductions in [Reductions::NONE, Reductions::ALL] {
            let r = check(&source, Some(crashes), reductions);
            assert!(r.verdict == Verdict::Ok, "{crashes} crashes, {:?}: {:?}", reductions.names(), r.verdict);
        }
    }
}

#[test]
fn protect_is_not_checked_while_the_block_that_released_the_mutex_goes_on() {
    // m is free between `release m` and `b = 1`, with `a != b`: not observable.
    let source = "model release_inside
mutex m
shared a: 0..1 = 0
shared b: 0..1 = 0
protect m: a == b
process p {
    wait m
    a = 1
    atomic {
        release m
        b = 1
    }
}
";
    for reductions in [Reductions::NONE, Reductions::ALL] {
        let r = check(source, None, reductions);
        assert!(r.verdict == Verdict::Ok, "{:?}: {:?}", reductions.names(), r.verdict);
    }
}

#[test]
fn an_assert_inside_a_block_is_checked_where_it_stands() {
    let source = HALF_WRITTEN
        .replace("invariant same: a == b\n", "")
        .replace("        a = 1\n", "        a = 1\n        assert a == b\n");
    assert_eq!(violation(&source), ("assert".into(), "assertion failed in p at line 7 (`assert a == b`)".into(), 2));
}

#[test]
fn a_first_ok_wait_inside_a_block_checks_protect_where_it_stands() {
    // The acquirer reads the data as it is when `wait` returns OK, its own earlier writes in
    // the block included: `a = 1` then `wait m` acquires with `a != b`.
    let source = "model wait_inside
mutex m
shared a: 0..1 = 0
shared b: 0..1 = 0
protect m: a == b
process p {
    atomic {
        a = 1
        wait m
        b = 1
        release m
    }
}
";
    assert_eq!(
        violation(source),
        (
            "protect".into(),
            "p at line 9 (`wait m`) acquired m with OK while its protected condition `a == b` is false (a = 1, b = 0)"
                .into(),
            2
        )
    );
}

#[test]
fn replay_reproduces_a_violation_seen_while_a_block_waits() {
    let dir = scratch_dir("atomic-observers", "replay");
    std::fs::write(dir.join("blocked_inside.mc"), BLOCKED_INSIDE).unwrap();
    for extra in [&[][..], &["--no-reduce"][..]] {
        let mut args = vec!["check", "blocked_inside.mc", "--trace-out", "t.json", "--no-timings"];
        args.extend_from_slice(extra);
        let out = run_in(&dir, &args);
        assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
        let out = run_in(&dir, &["replay", "t.json"]);
        assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
        assert!(
            text(&out.stdout).ends_with(
                "reproduced: violation (invariant) at step 2\ninvariant same: `a == b` is false (a = 1, b = 0)\n"
            ),
            "{}",
            text(&out.stdout)
        );
    }
}

#[test]
fn replay_of_a_trace_that_ends_inside_a_block_says_the_violation_no_longer_happens() {
    // What the checker reported before atomic blocks were opaque: HALF_WRITTEN followed by
    // `a = 0`, the invariant broken at step 1, between the block's writes. Made from today's
    // trace (3 steps) cut after its first step.
    let dir = scratch_dir("atomic-observers", "old-trace");
    let source = HALF_WRITTEN.replace("        b = 1\n    }\n", "        b = 1\n    }\n    a = 0\n");
    std::fs::write(dir.join("half_written.mc"), source).unwrap();
    let out = run_in(&dir, &["check", "half_written.mc", "--trace-out", "t.json", "-q"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let mut trace: serde_json::Value = serde_json::from_slice(&std::fs::read(dir.join("t.json")).unwrap()).unwrap();
    assert_eq!(trace["violation"]["step"], 3);
    trace["steps"].as_array_mut().unwrap().truncate(1);
    trace["violation"]["step"] = 1.into();
    trace["violation"]["message"] = "invariant same: `a == b` is false (a = 1, b = 0)".into();
    std::fs::write(dir.join("old.json"), trace.to_string()).unwrap();
    let out = run_in(&dir, &["replay", "old.json"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stdout).ends_with(
            "does not reproduce: step 1: all 1 steps replay, but the violation (invariant: invariant same: `a == b` is false (a = 1, b = 0)) no longer happens\n"
        ),
        "{}",
        text(&out.stdout)
    );
}

#[test]
fn crashes_fall_while_a_block_waits_and_never_while_it_can_go_on() {
    let model = mutexcheck_lang::compile("blocked_inside.mc", BLOCKED_INSIDE.as_bytes()).unwrap();
    let system = prepare(model, Some(1)).unwrap();
    let successors = |s: &mutexcheck_core::State| {
        let mut out = Vec::new();
        system.successors(s, &mut out);
        out
    };
    let by = |s: &mutexcheck_core::State, thread: ThreadId| {
        successors(s)
            .into_iter()
            .find(|(step, _)| matches!(step.action, Action::Run { thread: t, .. } if t == thread))
            .unwrap()
            .1
    };
    let crashes = |s: &mutexcheck_core::State| {
        successors(s).iter().filter(|(step, _)| matches!(step.action, Action::Crash { .. })).count()
    };
    let initial = system.initial_state();
    assert!(system.is_observable(&initial));
    assert_eq!(crashes(&initial), 2);
    // p writes a inside its block, m free: only p moves, no crash, nothing observed.
    let inside = by(&initial, 0);
    assert!(!system.is_observable(&inside));
    assert_eq!(crashes(&inside), 0);
    assert!(successors(&inside).iter().all(|(step, _)| matches!(step.action, Action::Run { thread: 0, .. })));
    // q took m first: p waits inside its block; q moves, either process may crash.
    let waiting = by(&by(&initial, 1), 0);
    assert_eq!(system.atomic_holder(&waiting), Some(0));
    assert!(system.is_observable(&waiting));
    assert_eq!(crashes(&waiting), 2);
}
