//! The search engine's options never change a result (issue #6): any number of threads and
//! `--fingerprints` give the verdict, counterexample and counts of the one-thread search with
//! whole states, on every model in models/ (with every reduction and with none), on the
//! benchmark models, at violations found deep in a big search and at the state limit.

mod common;

use common::{models_in, repo};

use std::path::{Path, PathBuf};
use std::process::Command;

use mutexcheck_checker::report::{json, text, ReportOptions};
use mutexcheck_checker::{prepare, Bfs, CheckResult, Limit, Limits, Reductions, Request, Spread, Storage, Verdict};
use mutexcheck_core::System;
use mutexcheck_lang::{compile, expected_verdict, Expect};

fn system_of(path: &str, source: &str) -> System {
    let model = compile(path, source.as_bytes()).unwrap_or_else(|d| panic!("{}", d.render(path, source.as_bytes())));
    prepare(model, None).unwrap()
}

/// One breadth-first check of `system` on the given engine, with `reductions`.
fn run_reduced(
    system: &System,
    limits: Limits,
    threads: usize,
    fingerprints: bool,
    reductions: Reductions,
) -> CheckResult {
    let engine = Bfs::new().threads(threads).fingerprints(fingerprints).spread(Spread::Always);
    let request = Request::new().engine(engine).reductions(reductions).limits(limits);
    request.check(system, &request.guard(), &mut |_| {})
}

fn run(system: &System, limits: Limits, threads: usize, fingerprints: bool) -> CheckResult {
    run_reduced(system, limits, threads, fingerprints, Reductions::NONE)
}

/// The report without timings, and the JSON document without timings: what must not change.
fn reports(system: &System, r: &CheckResult) -> (String, String) {
    let options = ReportOptions::default();
    (text(system, r, &options), json(system, r, &options).to_string())
}

/// Asserts that 2 and 3 threads, and fingerprints on 1 and 2 threads, give the one-thread
/// result without reductions; returns it.
fn assert_engine_independent(name: &str, system: &System, limits: Limits) -> CheckResult {
    assert_engine_independent_with(name, system, limits, Reductions::NONE)
}

fn assert_engine_independent_with(name: &str, system: &System, limits: Limits, reductions: Reductions) -> CheckResult {
    let run = |system: &System, limits: Limits, threads: usize, fingerprints: bool| {
        run_reduced(system, limits, threads, fingerprints, reductions)
    };
    let one = run(system, limits, 1, false);
    let expected = reports(system, &one);
    for threads in [2, 3] {
        let r = run(system, limits, threads, false);
        assert!(r.stats.threads as usize <= threads, "{name}: {} threads", r.stats.threads);
        assert_eq!(reports(system, &r), expected, "{name} on {threads} threads");
    }
    for threads in [1, 2] {
        let r = run(system, limits, threads, true);
        assert!(matches!(r.stats.storage, Storage::Fingerprints { .. }), "{name}");
        assert_eq!(r.verdict, one.verdict, "{name} with fingerprints on {threads} threads");
        let counts = |r: &CheckResult| (r.stats.states, r.stats.transitions, r.stats.max_depth);
        assert_eq!(counts(&r), counts(&one), "{name} with fingerprints on {threads} threads");
    }
    one
}

#[test]
fn every_model_gets_the_same_result_on_any_number_of_threads_and_with_fingerprints() {
    let paths = models_in(&repo().join("models"));
    assert!(paths.len() >= 20, "{} models", paths.len());
    for path in paths {
        let name = path.to_string_lossy().into_owned();
        let source = std::fs::read_to_string(&path).unwrap();
        let system = system_of(&name, &source);
        for reductions in [Reductions::NONE, Reductions::ALL] {
            let name = format!("{name} with {:?}", reductions.names());
            let full = assert_engine_independent_with(&name, &system, Limits::default(), reductions);
            // The state limit stops every engine at the same transition.
            if full.stats.states > 4 {
                let limits = Limits { max_states: Some(full.stats.states / 2), ..Limits::default() };
                assert_engine_independent_with(&format!("{name} (half the states)"), &system, limits, reductions);
            }
            // So does the depth limit.
            if full.stats.max_depth > 2 {
                let limits = Limits { max_depth: Some(full.stats.max_depth / 2), ..Limits::default() };
                assert_engine_independent_with(&format!("{name} (half the depth)"), &system, limits, reductions);
            }
        }
    }
}

fn bench_source(n: u32, k: u32) -> String {
    std::fs::read_to_string(repo().join(format!("models/bench/bench_one_n{n}_k{k}.mc"))).unwrap()
}

#[test]
fn a_search_over_many_batches_counts_the_same_on_every_engine() {
    // 33,152 states: about thirty one-thread batches and two parallel ones.
    let system = system_of("bench_one_n3_k4.mc", &bench_source(3, 4));
    let r = assert_engine_independent("bench_one_n3_k4", &system, Limits::default());
    assert_eq!(r.verdict, Verdict::Ok);
    assert_eq!(r.stats.states, 33_152);
    let limits = Limits { max_states: Some(10_000), ..Limits::default() };
    let r = assert_engine_independent("bench_one_n3_k4 (10,000 states)", &system, limits);
    assert_eq!(r.verdict, Verdict::Incomplete(Limit::MaxStates(10_000)));
    assert_eq!(r.stats.states, 10_000);
}

#[test]
fn a_state_limit_anywhere_in_a_level_of_several_batches_stops_every_engine_at_the_same_state() {
    // With Spread::Always a level goes in batches of 256 states, each merged (and counted
    // against the limit) beside the next batch's expansion: a limit met in any batch, at
    // any place in it, stops every engine with the one-thread counts.
    let system = system_of("bench_one_n3_k4.mc", &bench_source(3, 4));
    for max in [1, 257, 3_001, 7_777, 12_345, 33_151] {
        let limits = Limits { max_states: Some(max), ..Limits::default() };
        let r = assert_engine_independent(&format!("bench_one_n3_k4 ({max} states)"), &system, limits);
        assert_eq!((r.verdict, r.stats.states), (Verdict::Incomplete(Limit::MaxStates(max)), max));
    }
}

#[test]
fn a_step_violation_in_the_middle_of_a_batch_stops_every_engine_at_it() {
    // The seed bug with four workers: a worker ends owning m (a step violation) while its
    // chunk is not the last of the batch, so later chunks have new states of their own
    // (they once landed out of place).
    let path = repo().join("models/bench/seed_bug_n4_k3_c2.mc");
    let system = system_of("seed_bug_n4_k3_c2.mc", &std::fs::read_to_string(path).unwrap());
    for reductions in [Reductions::NONE, Reductions::ALL] {
        let r = assert_engine_independent_with("seed_bug_n4_k3_c2", &system, Limits::default(), reductions);
        assert_eq!(r.counterexample().map(|c| c.violation.kind.name()), Some("leaked_ownership"));
    }
}

#[test]
fn a_violation_deep_in_a_big_search_has_the_same_counterexample_on_every_engine() {
    // Without its repair a worker that gets ABANDONED updates a and b while they are apart
    // and releases m: a protect violation after a crash, many batches into the search.
    let source = bench_source(3, 2).replace("if r == ABANDONED { b = a }", "skip");
    let system = system_of("bench_unrepaired.mc", &source);
    let r = assert_engine_independent("bench_unrepaired", &system, Limits::default());
    let c = r.counterexample().expect("a protect violation");
    assert_eq!(c.violation.kind.name(), "protect");
    assert_eq!(c.steps.len(), 11);
    assert_eq!(r.stats.states, 455);
    // b reaches 12 only in the last of the twelve rounds: the assert fails at depth 91, after
    // 36,952 states, two parallel batches into the search.
    let source = bench_source(3, 4).replace("        b = b + 1\n", "        b = b + 1\n        assert b < 12\n");
    let system = system_of("bench_deep_assert.mc", &source);
    let r = assert_engine_independent("bench_deep_assert", &system, Limits::default());
    let c = r.counterexample().expect("an assert violation");
    assert_eq!(c.violation.kind.name(), "assert");
    assert_eq!((c.steps.len(), r.stats.states, r.stats.transitions), (91, 36_952, 113_970));
    // The reduced search finds a longer run and shortens it: the same on every engine too.
    let r = assert_engine_independent_with("bench_deep_assert reduced", &system, Limits::default(), Reductions::ALL);
    let c = r.counterexample().expect("an assert violation");
    assert_eq!(c.violation.kind.name(), "assert");
    assert_eq!((c.steps.len(), c.shortened_from, r.stats.states), (91, Some(93), 1060));
}

#[test]
fn fingerprints_of_one_word_states_are_exact_and_longer_states_get_a_collision_estimate() {
    let system = system_of("bench_one_n3_k2.mc", &bench_source(3, 2));
    let r = run(&system, Limits::default(), 1, true);
    assert_eq!(r.stats.storage, Storage::Fingerprints { exact: system.packer().words() == 1 });
    let report = text(&system, &r, &ReportOptions::default());
    if system.packer().words() == 1 {
        assert!(report.ends_with("  fingerprints: exact (every state packs into 64 bits)\n"), "{report}");
    }
    // Five workers of two rounds need more than 64 bits.
    let system = system_of("bench_one_n5_k2.mc", &bench_source(5, 2));
    assert!(system.packer().words() > 1);
    let states = 4_576_728u64;
    let p = mutexcheck_checker::fingerprint::collision_probability(states, false);
    assert!((p - (states * (states - 1)) as f64 / 2f64.powi(65)).abs() < 1e-15, "{p}");
}

#[test]
fn the_binary_prints_the_same_report_for_one_and_two_threads() {
    let path = repo().join("models/bench/bench_one_n3_k2.mc").to_string_lossy().into_owned();
    let out = |extra: &[&str]| {
        let mut args = vec!["check", path.as_str(), "--no-timings", "--no-trace", "--no-reduce"];
        args.extend_from_slice(extra);
        let o = Command::new(env!("CARGO_BIN_EXE_mutexcheck")).args(&args).output().unwrap();
        assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
        String::from_utf8(o.stdout).unwrap()
    };
    let one = out(&["--threads", "1"]);
    assert!(one.contains("  states:      5696\n"), "{one}");
    assert_eq!(out(&["--threads", "2"]), one);
    assert!(out(&["--threads", "2", "--fingerprints"]).starts_with(&one));
    let o = Command::new(env!("CARGO_BIN_EXE_mutexcheck")).args(["check", &path, "--threads", "0"]).output().unwrap();
    assert_eq!(o.status.code(), Some(2), "--threads 0 is refused");
}

#[test]
fn depth_first_with_fingerprints_prints_the_depth_first_report_and_the_collision_line() {
    // Depth first stores fingerprints too (clap refused `--dfs --fingerprints` before the
    // depth-first search used the visited store): the same report, and the fingerprint line.
    let path = repo().join("models/bench/bench_one_n3_k2.mc").to_string_lossy().into_owned();
    let out = |extra: &[&str]| {
        let mut args = vec!["check", path.as_str(), "--no-timings", "--no-trace", "--no-reduce", "--dfs"];
        args.extend_from_slice(extra);
        let o = Command::new(env!("CARGO_BIN_EXE_mutexcheck")).args(&args).output().unwrap();
        assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
        String::from_utf8(o.stdout).unwrap()
    };
    let dfs = out(&[]);
    assert!(dfs.contains("depth-first search") && dfs.contains("  states:      5696\n"), "{dfs}");
    let dfs_fingerprints = out(&["--fingerprints"]);
    assert!(dfs_fingerprints.starts_with(&dfs), "{dfs_fingerprints}");
    assert_eq!(&dfs_fingerprints[dfs.len()..], "  fingerprints: exact (every state packs into 64 bits)\n");
}

/// The default engine (`Spread::Adaptive`) on `threads` threads, without reductions.
fn adaptive(system: &System, limits: Limits, threads: usize) -> CheckResult {
    let request = Request::new().engine(Bfs::new().threads(threads)).reductions(Reductions::NONE).limits(limits);
    request.check(system, &request.guard(), &mut |_| {})
}

#[test]
fn the_default_engine_spreads_only_a_batch_with_enough_transitions_and_gets_the_one_thread_result() {
    // 33,152 states, no level with 16,384 transitions to expand (two threads' worth): every
    // batch runs on one thread, however many threads are allowed.
    let system = system_of("bench_one_n3_k4.mc", &bench_source(3, 4));
    for threads in [2, Bfs::EVERY_CORE] {
        let r = adaptive(&system, Limits::default(), threads);
        assert_eq!((r.stats.states, r.stats.threads), (33_152, 1));
    }
    // Four workers of three rounds: by 40,000 states a level is wide enough to spread.
    let system = system_of("bench_one_n4_k3.mc", &bench_source(4, 3));
    let limits = Limits { max_states: Some(40_000), ..Limits::default() };
    let one = adaptive(&system, limits, 1);
    let two = adaptive(&system, limits, 2);
    assert_eq!((one.stats.threads, two.stats.threads), (1, 2));
    assert_eq!(two.verdict, Verdict::Incomplete(Limit::MaxStates(40_000)));
    assert_eq!(reports(&system, &two), reports(&system, &one));
    // Every core: as many as the machine has, the one-thread result.
    let every = adaptive(&system, limits, Bfs::EVERY_CORE);
    let cores = Bfs::all_cores();
    assert!((cores.min(2)..=cores).contains(&(every.stats.threads as usize)), "{} threads", every.stats.threads);
    assert_eq!(reports(&system, &every), reports(&system, &one));
    // A level 10,000 states before: one thread still.
    let limits = Limits { max_states: Some(20_000), ..Limits::default() };
    assert_eq!(adaptive(&system, limits, 2).stats.threads, 1);
}

#[test]
fn the_binary_runs_a_small_model_on_one_thread_by_default_and_says_so() {
    let path = repo().join("models/bench/bench_one_n3_k2.mc").to_string_lossy().into_owned();
    let o = Command::new(env!("CARGO_BIN_EXE_mutexcheck")).args(["check", &path, "--no-trace"]).output().unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    let out = String::from_utf8(o.stdout).unwrap();
    assert!(out.contains("\n  threads:     1\n"), "{out}");
}

#[test]
fn the_benchmark_models_are_what_scripts_gen_bench_writes_with_their_expected_verdicts() {
    let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join("gen-bench");
    let _ = std::fs::remove_dir_all(&out);
    let status = Command::new("bash").arg(repo().join("scripts/gen-bench")).arg(&out).status().unwrap();
    assert!(status.success());
    let generated = models_in(&out);
    let committed = models_in(&repo().join("models/bench"));
    let names = |v: &[PathBuf]| v.iter().map(|p| p.file_name().unwrap().to_owned()).collect::<Vec<_>>();
    assert_eq!(names(&generated), names(&committed), "rerun scripts/gen-bench");
    assert!(committed.len() >= 8);
    for (g, c) in generated.iter().zip(&committed) {
        let source = std::fs::read_to_string(c).unwrap();
        assert_eq!(std::fs::read_to_string(g).unwrap(), source, "{} is stale: rerun scripts/gen-bench", c.display());
        let name = c.file_name().unwrap().to_string_lossy();
        let expect = expected_verdict(&source);
        let kind = |k: &str| Some(Expect::Violation(k.to_string()));
        match name.split('_').next() {
            Some("naive") => assert_eq!(expect, kind("protect"), "{name}"),
            Some("seed") => assert_eq!(expect, kind("leaked_ownership"), "{name}"),
            _ => assert_eq!(expect, Some(Expect::Ok), "{name}"),
        }
        system_of(&c.to_string_lossy(), &source);
    }
}
