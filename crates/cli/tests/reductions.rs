//! Reductions never change a verdict (issue #10): every model in models/ gets the same
//! verdict with every combination of partial-order and symmetry reduction, breadth first and
//! depth first; every counterexample is a real run that replays on the unreduced model, and
//! is a shortest one exactly when no reduction may lengthen it. And each reduction stores the
//! number of states worked out by hand on small models.

mod common;

use common::{assert_real_run, models_in, repo, verdict_and_length};

use std::path::Path;

use mutexcheck_checker::trace::{replay, ReplayVerdict, TraceFile, TraceOptions};
use mutexcheck_checker::{prepare, CheckResult, Reductions, Request, Strategy, Verdict};
use mutexcheck_core::System;

fn system_of(name: &str, source: &str) -> System {
    let model = mutexcheck_lang::compile(name, source.as_bytes())
        .unwrap_or_else(|d| panic!("{}", d.render(name, source.as_bytes())));
    prepare(model, None).unwrap()
}

fn run(system: &System, strategy: Strategy, reductions: Reductions) -> CheckResult {
    let request = Request::new().engine(strategy).reductions(reductions);
    request.check(system, &request.guard(), &mut |_| {})
}

fn counts(r: &CheckResult) -> (u64, u64, u32) {
    (r.stats.states, r.stats.transitions, r.stats.max_depth)
}

const POR: Reductions = Reductions { partial_order: true, symmetry: false };
const SYMMETRY: Reductions = Reductions { partial_order: false, symmetry: true };

/// The counterexample, written as a trace, replays on the unreduced model and reproduces
/// its violation at its last step.
fn assert_replays(name: &str, system: &System, source: &str, r: &CheckResult) {
    let Some(c) = r.counterexample() else { return };
    let options = TraceOptions::new(system, &Request::new().engine(r.strategy));
    let trace = TraceFile::new(system, name, source.as_bytes(), options, c);
    let replayed = replay(system, &trace);
    assert!(
        matches!(&replayed.verdict, ReplayVerdict::Reproduced(f) if f.kind == c.violation.kind.name()),
        "{name}: {:?}",
        replayed.verdict
    );
}

#[test]
fn every_model_gets_the_same_verdict_with_every_combination_of_reductions() {
    let mut paths = models_in(&repo().join("models"));
    paths.extend(models_in(&repo().join("models/case-studies")));
    assert!(paths.len() >= 20);
    let (mut por_smaller, mut symmetry_smaller) = (0, 0);
    for path in paths {
        let name = path.to_string_lossy().into_owned();
        let source = std::fs::read_to_string(&path).unwrap();
        let system = system_of(&name, &source);
        let none = run(&system, Strategy::Bfs, Reductions::NONE);
        let (kind, shortest) = verdict_and_length(&none);
        // A liveness lasso (found after the safety check, with no reduction) is not a
        // shortest run of anything; every other unreduced breadth-first trace is.
        assert!(none.counterexample().is_none_or(|c| c.shortest || c.cycle_start.is_some()), "{name}");
        for (strategy, reductions) in [
            (Strategy::Bfs, POR),
            (Strategy::Bfs, SYMMETRY),
            (Strategy::Bfs, Reductions::ALL),
            (Strategy::Dfs, Reductions::NONE),
            (Strategy::Dfs, Reductions::ALL),
        ] {
            let what = format!("{name}, {strategy:?} with {:?}", reductions.names());
            let r = run(&system, strategy, reductions);
            let (k, length) = verdict_and_length(&r);
            assert_eq!(k, kind, "{what}");
            assert_real_run(&what, &system, &r);
            assert_replays(&what, &system, &source, &r);
            if let Some(c) = r.counterexample().filter(|c| c.cycle_start.is_some()) {
                // Liveness runs with the safety search's reductions: without any, the same
                // lasso as unreduced; with one, a lasso of the reduced graph (under symmetry,
                // lifted to a real run), which replayed above on the unreduced model.
                let live = r.stats.liveness_reductions.expect("a lasso comes from the liveness check");
                if live == Reductions::NONE {
                    assert_eq!(Some(c), none.counterexample(), "{what}");
                }
                continue;
            }
            if let (Some(c), Some(shortest)) = (r.counterexample(), shortest) {
                let exact = strategy == Strategy::Bfs && !reductions.partial_order;
                // Any other run is called shortest only when an exact search proved it
                // (issue #24): then it has the unreduced breadth-first length.
                assert!(c.shortest || !exact, "{what}");
                if exact || c.shortest {
                    assert_eq!(length, Some(shortest), "{what}: symmetry keeps the shortest length");
                } else {
                    assert!(c.steps.len() >= shortest, "{what}");
                    assert!(c.shortened_from.is_none_or(|found| found > c.steps.len()), "{what}");
                }
            }
            if matches!(none.verdict, Verdict::Ok) && strategy == Strategy::Bfs {
                assert!(r.stats.states <= none.stats.states, "{what}: {} > {}", r.stats.states, none.stats.states);
                por_smaller += (reductions == POR && r.stats.states < none.stats.states) as usize;
                symmetry_smaller += (reductions == SYMMETRY && r.stats.states < none.stats.states) as usize;
            }
        }
    }
    assert!(por_smaller >= 10, "partial-order reduction shrinks only {por_smaller} ok models");
    assert!(symmetry_smaller >= 5, "symmetry shrinks only {symmetry_smaller} ok models");
}

#[test]
fn invisible_local_steps_are_not_stored() {
    // Each worker: `n = 1`, `n = n + 1` (invisible), then `a = 1` (shared; ends the thread).
    // Unreduced, a state is the pair of positions 0..=3 (n and a follow): 16 states, each
    // with a step per unfinished worker: 24 transitions, 6 deep. With partial-order
    // reduction the initial state's one move runs both workers' local steps (lowest worker
    // first) up to (2,2); then (3,2), (2,3), (3,3): 5 states, 5 transitions, 3 deep. Symmetry
    // as well: (2,3) and (3,2) are one state: 4 states, 4 transitions.
    let source = "model local_then_shared\ncrashes 0\nshared a: 0..1 = 0\nprocess w[2] {\n    var n: 0..2 = 0\n    n = 1\n    n = n + 1\n    a = 1\n}\n";
    let system = system_of("local_then_shared.mc", source);
    assert_eq!(counts(&run(&system, Strategy::Bfs, Reductions::NONE)), (16, 24, 6));
    assert_eq!(counts(&run(&system, Strategy::Bfs, POR)), (5, 5, 3));
    assert_eq!(counts(&run(&system, Strategy::Bfs, Reductions::ALL)), (4, 4, 3));
}

#[test]
fn an_atomic_block_that_cannot_block_runs_as_one_transition() {
    // Each worker: atomic { a = a + 1; b = b + 1 }. Unreduced: positions 0 (before), 1 (inside,
    // holding the block: the other worker cannot move), 2 (finished); (1,1) is impossible:
    // 8 states, 8 transitions, 4 deep. With partial-order reduction the state inside the
    // block is not stored: (0,0) (2,0) (0,2) (2,2), 4 transitions, 2 deep.
    let source = "model atomic_pair\ncrashes 0\nshared a: 0..2 = 0\nshared b: 0..2 = 0\nprocess w[2] {\n    atomic {\n        a = a + 1\n        b = b + 1\n    }\n}\n";
    let system = system_of("atomic_pair.mc", source);
    assert_eq!(counts(&run(&system, Strategy::Bfs, Reductions::NONE)), (8, 8, 4));
    assert_eq!(counts(&run(&system, Strategy::Bfs, POR)), (4, 4, 2));
}

#[test]
fn an_atomic_block_with_a_loop_is_stored_step_by_step() {
    // A block that may loop forever cannot run as one transition (the transition would never
    // end): its states are stored like any others. Three states, with or without the
    // reduction: the loop test before the thread holds the block, then the skip and the loop
    // test inside it; the thread never ends, which is no violation.
    let source = "model atomic_forever\ncrashes 0\nprocess w {\n    atomic {\n        while true {\n            skip\n        }\n    }\n}\n";
    let system = system_of("atomic_forever.mc", source);
    for reductions in [Reductions::NONE, Reductions::ALL] {
        let r = run(&system, Strategy::Bfs, reductions);
        assert_eq!((r.verdict.clone(), counts(&r)), (Verdict::Ok, (3, 3, 2)), "{:?}", reductions.names());
    }
}

#[test]
fn the_repair_protocol_stores_what_spin_stores() {
    // ../shared/anchors/spin/repair.pml at N=4 K=3 C=2 stores 23,126 states in SPIN 6.5.2
    // (one SPIN step per semantic step, dead processes reset). mutexcheck's natural model of
    // the same protocol stores the same states, plus its initial state, where every worker
    // stands before its first loop test (SPIN's start at the wait).
    let path = repo().join("models/bench/repair_n4_k3_c2.mc");
    let system = system_of("repair_n4_k3_c2.mc", &std::fs::read_to_string(&path).unwrap());
    let r = run(&system, Strategy::Bfs, POR);
    assert_eq!(r.verdict, Verdict::Ok);
    assert_eq!(r.stats.states, 23_127);
}

#[test]
fn partial_order_reduction_counts_on_seed_fixed() {
    // Measured, to catch any change in what is stored: seed_fixed.mc stored 2,921 states
    // before dead data was canonical and 2,128 with the old `--por`.
    let path = repo().join("models/seed_fixed.mc");
    let system = system_of("seed_fixed.mc", &std::fs::read_to_string(Path::new(&path)).unwrap());
    let states: Vec<u64> = [Reductions::NONE, POR, SYMMETRY, Reductions::ALL]
        .into_iter()
        .map(|r| run(&system, Strategy::Bfs, r).stats.states)
        .collect();
    assert_eq!(states, [1025, 215, 521, 111]);
}
