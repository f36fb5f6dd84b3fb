//! Symmetry reduction (issue #6): the same verdict and breadth-first counterexample length
//! as without it on every model, counterexamples that are real runs, at least three times
//! fewer states with four interchangeable instances, and templates that read `self` left
//! alone with a reason.

mod common;

use common::{assert_real_run, models_in, repo, verdict_and_length};

use std::path::Path;
use std::process::Command;

use mutexcheck_checker::report::{text, ReportOptions};
use mutexcheck_checker::{prepare, Bfs, CheckResult, Reductions, Request, Spread, Verdict};
use mutexcheck_core::System;
use mutexcheck_lang::compile;

fn system_of(path: &str, source: &str) -> System {
    let model = compile(path, source.as_bytes()).unwrap_or_else(|d| panic!("{}", d.render(path, source.as_bytes())));
    prepare(model, None).unwrap()
}

fn run(system: &System, threads: usize, symmetry: bool) -> CheckResult {
    let reductions = Reductions { partial_order: false, symmetry };
    let request = Request::new().engine(Bfs::new().threads(threads).spread(Spread::Always)).reductions(reductions);
    request.check(system, &request.guard(), &mut |_| {})
}

#[test]
fn every_model_gets_the_same_verdict_and_counterexample_length_with_symmetry() {
    let paths = models_in(&repo().join("models"));
    assert!(paths.len() >= 20);
    let mut reduced = 0;
    for path in paths {
        let name = path.to_string_lossy().into_owned();
        let system = system_of(&name, &std::fs::read_to_string(&path).unwrap());
        let off = run(&system, 1, false);
        let on = run(&system, 1, true);
        let lasso = on.counterexample().is_some_and(|c| c.cycle_start.is_some());
        if lasso {
            // A lasso lifted from the liveness check's quotient: the same kind of violation,
            // a real run (checked below), of its own length.
            assert_eq!(verdict_and_length(&on).0, verdict_and_length(&off).0, "{name}");
        } else {
            assert_eq!(verdict_and_length(&on), verdict_and_length(&off), "{name}");
        }
        assert!(on.stats.states <= off.stats.states, "{name}");
        // Symmetry is reported as it ran, in the safety search and in the liveness check.
        assert_eq!(on.stats.symmetry, !system.symmetry().is_empty(), "{name}");
        assert!(on.stats.liveness_reductions.is_none_or(|l| l.symmetry == on.stats.symmetry), "{name}");
        reduced += (on.stats.states < off.stats.states) as usize;
        assert_real_run(&name, &system, &on);
        // The reduced search, too, is the same on two threads.
        let on2 = run(&system, 2, true);
        let report = |r: &CheckResult| text(&system, r, &ReportOptions::default());
        assert_eq!(report(&on2), report(&on), "{name} on two threads");
    }
    assert!(reduced >= 5, "only {reduced} models have interchangeable instances");
}

#[test]
fn four_interchangeable_workers_need_at_least_three_times_fewer_states() {
    let path = repo().join("models/bench/bench_one_n4_k2.mc");
    let system = system_of("bench_one_n4_k2.mc", &std::fs::read_to_string(path).unwrap());
    let off = run(&system, 2, false);
    let on = run(&system, 2, true);
    assert_eq!((off.verdict.clone(), on.verdict.clone()), (Verdict::Ok, Verdict::Ok));
    assert_eq!(off.stats.states, 70_656);
    assert!(on.stats.states * 3 <= off.stats.states, "{} states with symmetry", on.stats.states);
    assert_eq!(system.symmetry().templates(&system), vec!["worker".to_string()]);
}

#[test]
fn a_violation_found_in_a_reduced_search_names_the_threads_of_the_run_shown() {
    // Without its release, a worker ends owning m: leaked_ownership, named after the worker.
    let path = repo().join("models/bench/bench_one_n3_k2.mc");
    let source = std::fs::read_to_string(path).unwrap().replace("        release m\n", "");
    let system = system_of("unreleased.mc", &source);
    let off = run(&system, 1, false);
    let on = run(&system, 1, true);
    assert_eq!(verdict_and_length(&on), verdict_and_length(&off));
    assert_eq!(verdict_and_length(&on).0, "leaked_ownership");
    assert_real_run("unreleased", &system, &on);
    let c = on.counterexample().unwrap();
    let actor = system.actor(&c.steps.last().unwrap().step.action).to_string();
    assert_eq!(c.violation.message, format!("{actor} ended owning m (count 2)"));
}

#[test]
fn a_template_that_reads_self_is_left_alone_with_a_reason() {
    let source = "model uses_self\nmutex m\nshared seen: [bool; 2]\nprocess worker[2] {\n    wait m\n    seen[self] = true\n    release m\n}\n";
    let system = system_of("uses_self.mc", source);
    let sym = system.symmetry();
    assert!(sym.is_empty());
    assert_eq!(sym.refused(), ["process worker: its code reads `self`".to_string()]);
    let (off, on) = (run(&system, 1, false), run(&system, 1, true));
    assert_eq!(on.stats.states, off.stats.states);
    assert!(!on.stats.symmetry);
    // The binary says so on stderr.
    let path = Path::new(env!("CARGO_TARGET_TMPDIR")).join("uses_self.mc");
    std::fs::write(&path, source).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_mutexcheck"))
        .args(["check", &path.to_string_lossy(), "--symmetry", "--no-trace", "--quiet"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(String::from_utf8_lossy(&out.stderr), "note: --symmetry leaves process worker: its code reads `self`\n");
}

#[test]
fn swapped_instances_canonicalize_to_the_same_state() {
    let path = repo().join("models/bench/bench_one_n3_k2.mc");
    let system = system_of("bench_one_n3_k2.mc", &std::fs::read_to_string(path).unwrap());
    let sym = system.symmetry();
    // The first step of worker[0] and the first step of worker[2] reach states that differ
    // only by which worker moved.
    let mut successors = Vec::new();
    system.successors(&system.initial_state(), &mut successors);
    let by = |name: &str| successors.iter().find(|(step, _)| system.actor(&step.action) == name).unwrap().1.clone();
    let (mut a, mut b) = (by("worker[0]"), by("worker[2]"));
    assert_ne!(a, b);
    system.canonicalize(&sym, &mut a);
    system.canonicalize(&sym, &mut b);
    assert_eq!(a, b);
}
