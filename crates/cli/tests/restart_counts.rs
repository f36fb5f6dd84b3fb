//! `restart` matters only where a crash can happen (issue #20, item 9): under `--crashes 0`
//! a process marked `restart` is explored exactly as one that is not, with every reduction
//! on or off, while with a crash left its thread's quiet end is still not reduced.

use mutexcheck_checker::{prepare, CheckResult, Reductions, Request};

/// `worker` ends with a step on its own local (invisible to everyone else); `other` takes
/// and gives back m. `{restart}` is where the keyword goes.
const QUIET_END: &str = "model quiet_end
mutex m
process worker {restart}{
    var x: 0..1 = 0
    x = 1
}
process other {
    wait m
    release m
}
";

fn check(restart: bool, crashes: u32, reductions: Reductions) -> CheckResult {
    let source = QUIET_END.replace("{restart}", if restart { "restart " } else { "" });
    let model = mutexcheck_lang::compile("quiet_end.mc", source.as_bytes())
        .unwrap_or_else(|d| panic!("{}", d.render("quiet_end.mc", source.as_bytes())));
    let system = prepare(model, Some(crashes)).unwrap();
    let request = Request::new().reductions(reductions);
    let r = request.check(&system, &request.guard(), &mut |_| {});
    assert_eq!(r.verdict, mutexcheck_checker::Verdict::Ok);
    r
}

fn counts(r: &CheckResult) -> (u64, u64, u32) {
    (r.stats.states, r.stats.transitions, r.stats.max_depth)
}

#[test]
fn restart_changes_no_count_when_no_crash_can_happen() {
    // Unreduced: worker at `x = 1` or finished (x is dead once written, so stored once),
    // times other before its wait, holding m, or finished: 2 * 3 = 6 states. worker's step
    // from each of its 3 states before, other's 2 steps from each of worker's 2 positions:
    // 7 transitions; the deepest state is 3 steps away.
    for restart in [false, true] {
        assert_eq!(counts(&check(restart, 0, Reductions::NONE)), (6, 7, 3), "restart: {restart}");
    }
    // Partial-order reduction: `x = 1` touches only worker's local and ends it owning
    // nothing, so the initial state is transient and runs it alone; then other's 2 steps:
    // the initial state and 3 more, 3 transitions, 3 deep. (With `restart` this used to be
    // refused, storing all 6 states: 55 against 75 on a larger model.)
    for restart in [false, true] {
        assert_eq!(counts(&check(restart, 0, Reductions::ALL)), (4, 3, 3), "restart: {restart}");
    }
}

#[test]
fn with_a_crash_left_a_restartable_thread_ending_is_not_reduced() {
    // One crash, no restart: worker's `x = 1` is run alone from the initial state I, to A
    // (worker finished). From A: other's wait (B) or its crash (C); from B: its release (D)
    // or its crash owning m (E, m abandoned). 6 states, 5 transitions, I-A-B-D 3 deep.
    assert_eq!(counts(&check(false, 1, Reductions::ALL)), (6, 5, 3));
    // With restart, while the crash is unused, worker ending and worker crashing differ (a
    // crash, then a restart, gives it a second life): worker at `x = 1` or finished, times
    // other at its 3 places: 6 states. Once the crash is used, worker at `x = 1` is run alone
    // again, so is never stored: worker dead (3 places of other), worker finished (3 places
    // of other), or other dead (m abandoned or not) with worker finished: 8 states. 14 in
    // all. Moves: 4 + 4 + 2 from the 3 states with worker at `x = 1` and no crash, 2 + 2
    // from worker finished and other before its release; after the crash, 2 + 2 + 1 from
    // worker dead (other's step, restart), 1 + 1 from worker finished: 21. The deepest, I,
    // wait, release, crash worker, restart: 4.
    assert_eq!(counts(&check(true, 1, Reductions::ALL)), (14, 21, 4));
}
