//! Partial-order reduction (issue #6): on every model, the same verdict and breadth-first
//! counterexample length as without it; its counterexamples replay on the unreduced model;
//! and it stores fewer states where threads have local work.

mod common;

use common::{models_in, repo, verdict_and_length};

use std::path::{Path, PathBuf};

use mutexcheck_checker::trace::{replay, ReplayVerdict, TraceFile, TraceOptions};
use mutexcheck_checker::{check_with, prepare, CheckResult, EngineOptions, Limits, SearchOptions, Strategy, Verdict};
use mutexcheck_core::System;

fn system_of(path: &Path, por: bool) -> (System, Vec<u8>) {
    let source = std::fs::read(path).unwrap();
    let name = path.to_string_lossy();
    let model = mutexcheck_lang::compile(&name, &source).unwrap_or_else(|d| panic!("{}", d.render(&name, &source)));
    let mut system = prepare(model, None).unwrap();
    system.set_partial_order_reduction(por);
    (system, source)
}

fn run(system: &System, symmetry: bool) -> CheckResult {
    let options = SearchOptions { strategy: Strategy::Bfs, limits: Limits::default() };
    check_with(system, &options, &EngineOptions { threads: 1, fingerprints: false, symmetry }, &mut |_| {})
}

fn models() -> Vec<PathBuf> {
    models_in(&repo().join("models"))
}

#[test]
fn every_model_gets_the_same_verdict_and_counterexample_length_with_partial_order_reduction() {
    let paths = models();
    assert!(paths.len() >= 20);
    let mut fewer = 0;
    for path in paths {
        let (full, _) = system_of(&path, false);
        let (reduced, _) = system_of(&path, true);
        let (a, b) = (run(&full, false), run(&reduced, false));
        assert_eq!(verdict_and_length(&a), verdict_and_length(&b), "{}", path.display());
        if matches!(a.verdict, Verdict::Ok) {
            // A complete search: the reduced graph keeps a subset of the interleavings.
            assert!(b.stats.states <= a.stats.states, "{}: {} > {}", path.display(), b.stats.states, a.stats.states);
            fewer += (b.stats.states < a.stats.states) as usize;
        }
        // Both reductions together keep verdicts and lengths too.
        assert_eq!(verdict_and_length(&a), verdict_and_length(&run(&reduced, true)), "{} with symmetry", path.display());
    }
    // Five ok models have consecutive thread-local steps (loop counters, local tests).
    assert_eq!(fewer, 5, "ok models the reduction shrinks");
}

#[test]
fn every_reduced_counterexample_replays_on_the_unreduced_model() {
    for path in models() {
        let (reduced, source) = system_of(&path, true);
        let result = run(&reduced, false);
        let Verdict::Violation(cex) = &result.verdict else { continue };
        let options = TraceOptions::new(&reduced, Strategy::Bfs, &["partial_order"]);
        let trace = TraceFile::new(&reduced, &path.to_string_lossy(), &source, options, cex);
        let (full, _) = system_of(&path, false);
        let replayed = replay(&full, &trace);
        assert!(
            matches!(&replayed.verdict, ReplayVerdict::Reproduced(f) if f.kind == cex.violation.kind.name()),
            "{}: {:?}",
            path.display(),
            replayed.verdict
        );
    }
}

#[test]
fn the_reduction_shrinks_models_with_local_work_by_the_counted_amount() {
    // seed_fixed: `round = round + 1` followed by the local test `while round < 2` runs as
    // one block, and so on; the bench model's rounds likewise.
    for (file, full_states, reduced_states) in
        [("models/seed_fixed.mc", 2921, 2128), ("models/bench/bench_one_n3_k2.mc", 19112, 17364)]
    {
        let path = repo().join(file);
        let (full, _) = system_of(&path, false);
        let (reduced, _) = system_of(&path, true);
        let (a, b) = (run(&full, false), run(&reduced, false));
        assert_eq!(verdict_and_length(&a), ("ok".into(), None), "{file}");
        assert_eq!(verdict_and_length(&b), ("ok".into(), None), "{file}");
        assert_eq!((a.stats.states, b.stats.states), (full_states, reduced_states), "{file}");
    }
}
