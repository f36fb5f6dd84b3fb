//! `semantics posix` end to end (issue #11): models compiled from text and checked, with
//! state counts worked out by hand and the verdict and message of each POSIX property.

use std::path::Path;

use mutexcheck_checker::{prepare, CheckResult, Reductions, Request, Verdict};
use mutexcheck_lang::compile;

/// Compiles `source` and checks it breadth first with `reductions`.
fn check(source: &str, reductions: Reductions) -> CheckResult {
    let model =
        compile("t.mc", source.as_bytes()).unwrap_or_else(|d| panic!("{}", d.render("t.mc", source.as_bytes())));
    let system = prepare(model, None).unwrap();
    let request = Request::new().reductions(reductions);
    request.check(&system, &request.guard(), &mut |_| {})
}

/// The violation's kind and message, or "ok".
fn verdict(r: &CheckResult) -> (String, String) {
    match &r.verdict {
        Verdict::Violation(c) => (c.violation.kind.name().to_string(), c.violation.message.clone()),
        Verdict::Ok => ("ok".into(), String::new()),
        Verdict::Incomplete(l) => (format!("incomplete {}", l.name()), String::new()),
    }
}

fn one_lock_and_unlock(attributes: &str) -> String {
    format!(
        "model tiny\nsemantics posix\ncrashes 1\nmutex m: {attributes}\nprocess w {{\n    lock m\n    unlock m\n}}\n"
    )
}

#[test]
fn one_lock_and_unlock_with_one_crash_has_five_states_robust_or_not() {
    // Unreduced: (pc 0, free), (pc 1, owned), (finished, free), and a crash from each of the
    // first two: (dead, free) and (dead, owner died) — or, not robust, (dead, owned by the
    // dead thread). Transitions: lock, unlock, two crashes. Nobody waits, so no deadlock.
    for attributes in ["normal robust", "normal", "recursive robust", "errorcheck"] {
        let r = check(&one_lock_and_unlock(attributes), Reductions::NONE);
        assert_eq!(verdict(&r).0, "ok", "{attributes}");
        assert_eq!((r.stats.states, r.stats.transitions), (5, 4), "{attributes}");
    }
}

/// A worker that may die holding m (the one crash falls anywhere) and handles a death itself
/// correctly, and a taker that handles what its lock returns with `handling`.
fn taker_after_a_death(attributes: &str, handling: &str) -> String {
    format!(
        "model t\nsemantics posix\ncrashes 1\nmutex m: {attributes}\nshared a: 0..2 = 0\nshared b: 0..2 = 0\n\
         protect m: a == b\n\
         process dier {{\n    let d = lock m\n    if d == OWNERDEAD {{\n        b = a\n        consistent m\n    }}\n    a = 1\n    b = 1\n    unlock m\n}}\n\
         process taker {{\n    let r = lock m\n{handling}\n}}\n"
    )
}

#[test]
fn unlocking_after_ownerdead_without_consistent_is_not_recoverable() {
    let r = check(&taker_after_a_death("normal robust", "    b = a\n    unlock m"), Reductions::ALL);
    assert_eq!(
        verdict(&r),
        (
            "not_recoverable".into(),
            "taker at line 21 (`unlock m`) unlocked m while it was inconsistent (OWNERDEAD, then no `consistent`): \
             m is not recoverable, every later lock fails with NOTRECOVERABLE"
                .into()
        )
    );
}

#[test]
fn repairing_then_consistent_then_unlock_verifies() {
    let handling = "    if r == OWNERDEAD {\n        b = a\n        consistent m\n    }\n    unlock m";
    for reductions in [Reductions::NONE, Reductions::ALL] {
        let r = check(&taker_after_a_death("normal robust", handling), reductions);
        assert_eq!(verdict(&r).0, "ok");
    }
}

#[test]
fn consistent_without_the_repair_breaks_the_protected_data() {
    let handling = "    if r == OWNERDEAD {\n        consistent m\n    }\n    unlock m";
    let r = check(&taker_after_a_death("normal robust", handling), Reductions::NONE);
    assert_eq!(
        verdict(&r),
        (
            "protect".into(),
            "m is free and consistent but its protected condition `a == b` is false (a = 1, b = 0)".into()
        )
    );
}

#[test]
fn a_non_robust_mutex_whose_owner_died_deadlocks_its_waiter() {
    let r = check(&taker_after_a_death("default", "    unlock m"), Reductions::ALL);
    assert_eq!(
        verdict(&r),
        (
            "deadlock".into(),
            "deadlock: taker at line 19 (`let r = lock m`) waits forever for m (owned by dier (count 1, dead owner))"
                .into()
        )
    );
}

#[test]
fn an_ignored_perm_and_an_unowned_unlock_of_a_plain_mutex_are_release_not_owner() {
    let src = |attributes: &str| {
        format!("model t\nsemantics posix\ncrashes 0\nmutex m: {attributes}\nprocess w {{\n    unlock m\n}}\n")
    };
    let r = check(&src("errorcheck"), Reductions::NONE);
    assert_eq!(
        verdict(&r),
        (
            "release_not_owner".into(),
            "w at line 6 (`unlock m`) unlocked m without owning it and ignored the PERM result".into()
        )
    );
    let r = check(&src("normal"), Reductions::NONE);
    assert_eq!(
        verdict(&r),
        (
            "release_not_owner".into(),
            "w at line 6 (`unlock m`) unlocked m (free) without owning it: undefined in POSIX, and glibc unlocks it for its owner"
                .into()
        )
    );
    // Storing the result and testing it is handling it.
    let checked = "model t\nsemantics posix\ncrashes 0\nmutex m: errorcheck\nprocess w {\n    let r = unlock m\n    assert r == PERM\n}\n";
    assert_eq!(verdict(&check(checked, Reductions::NONE)).0, "ok");
}

#[test]
fn the_classroom_posix_seed_bug_reads_like_the_win32_one() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../models/posix_seed_bug.mc");
    let source = std::fs::read_to_string(path).unwrap();
    let r = check(&source, Reductions::NONE);
    assert_eq!(verdict(&r), ("leaked_ownership".into(), "worker[1] ended owning m (count 1)".into()));
    let Verdict::Violation(c) = &r.verdict else { unreachable!() };
    assert_eq!(c.steps.len(), 12, "the same shortest length as seed_bug.mc");
}
