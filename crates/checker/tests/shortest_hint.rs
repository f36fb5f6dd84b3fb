//! Issue #24 item 4: `--shortest gives a shortest one` is printed only under a run that may
//! not be a shortest one. A run found depth first or under partial-order reduction is known
//! shortest when an exact breadth-first search finds no violation in fewer steps.

use mutexcheck_checker::report::trace_heading;
use mutexcheck_checker::{check_with, prepare, EngineOptions, Limits, Reductions, SearchOptions, Strategy};

fn heading(source: &str, strategy: Strategy) -> (String, bool) {
    let model = mutexcheck_lang::compile("hint.mc", source.as_bytes()).unwrap();
    let system = prepare(model, None).unwrap();
    let options = SearchOptions { strategy, limits: Limits::default() };
    let engine =
        EngineOptions { threads: 1, fingerprints: false, reductions: Reductions::ALL, ..EngineOptions::default() };
    let result = check_with(&system, &options, &engine, &mut |_| {});
    let c = result.counterexample().expect("a violation");
    (trace_heading(c), c.shortest)
}

/// w fails its assert after three skips (4 steps); v breaks the invariant after one skip
/// (2 steps). Depth first follows w, the first process, to its end.
const TWO_VIOLATIONS: &str = "model hint\ncrashes 0\nshared x: 0..1 = 0\ninvariant x_zero: x == 0\n\
    process w {\n    skip\n    skip\n    skip\n    assert false\n}\nprocess v {\n    skip\n    x = 1\n}\n";

#[test]
fn a_run_with_a_shorter_violation_of_another_kind_keeps_the_hint() {
    // The 4-step assert run cannot lose a step (each of w's is needed), but v's invariant
    // violation takes 2: --shortest would give that one.
    assert_eq!(
        heading(TWO_VIOLATIONS, Strategy::Dfs),
        (
            "counterexample (4 steps, shortened from the 5 the search found; --shortest gives a shortest one)".into(),
            false
        )
    );
}

#[test]
fn a_depth_first_run_proved_shortest_has_no_hint() {
    // Without w's assert, the only violation is v's, 2 steps in every run: nothing shorter.
    // Depth first runs w's three skips first (5 steps), shortened to v's 2.
    let only_v = TWO_VIOLATIONS.replace("    assert false\n", "");
    assert_eq!(
        heading(&only_v, Strategy::Dfs),
        ("shortest counterexample (2 steps, shortened from the 5 the search found)".into(), true)
    );
}

#[test]
fn a_one_step_run_has_no_hint() {
    // Under partial-order reduction (not known shortest by itself), one step is shortest:
    // the initial state breaks nothing.
    let one = "model one\ncrashes 0\nshared x: 0..1 = 0\ninvariant x_zero: x == 0\nprocess v {\n    x = 1\n}\n";
    assert_eq!(heading(one, Strategy::Dfs), ("shortest counterexample (1 step)".into(), true));
    assert_eq!(heading(one, Strategy::Bfs), ("shortest counterexample (1 step)".into(), true));
}
