//! `mutexcheck check` end to end: every model in models/ against its expect line, exact
//! state counts worked out by hand, the seed bug's shortest story, exit codes, determinism.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use mutexcheck_checker::{prepare, CheckResult, Reductions, Request, Verdict};
use mutexcheck_lang::{compile, expected_verdict, Expect};

fn models_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../models")
}

fn model_path(name: &str) -> String {
    models_dir().join(name).to_string_lossy().into_owned()
}

/// Checks a model file through the library, breadth-first with `reductions`, with its own
/// crash budget unless `crashes` overrides it.
fn check_reduced(path: &str, crashes: Option<u32>, reductions: Reductions) -> CheckResult {
    let source = std::fs::read(path).unwrap();
    let model = compile(path, &source).unwrap_or_else(|d| panic!("{}", d.render(path, &source)));
    let system = prepare(model, crashes).unwrap();
    let request = Request::new().reductions(reductions);
    request.check(&system, &request.guard(), &mut |_| {})
}

/// [`check_reduced`] without reductions: every state the model reaches (up to dead data) and
/// a shortest counterexample.
fn check_file(path: &str, crashes: Option<u32>) -> CheckResult {
    check_reduced(path, crashes, Reductions::NONE)
}

/// Writes `source` to a file of the test's own and returns its path.
fn temp_model(name: &str, source: &str) -> String {
    let path = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("{name}.mc"));
    std::fs::write(&path, source).unwrap();
    path.to_string_lossy().into_owned()
}

/// Runs the binary in a scratch working directory of the tests' own, so the traces it writes
/// by default (`traces/<model>.json`) land there and not in the repository.
fn mutexcheck(args: &[&str]) -> Output {
    let cwd = Path::new(env!("CARGO_TARGET_TMPDIR")).join("check-cwd");
    std::fs::create_dir_all(&cwd).unwrap();
    Command::new(env!("CARGO_BIN_EXE_mutexcheck")).current_dir(cwd).args(args).output().unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

fn counts(r: &CheckResult) -> (u64, u64, u32) {
    (r.stats.states, r.stats.transitions, r.stats.max_depth)
}

#[test]
fn every_model_gets_the_verdict_its_expect_line_promises() {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(models_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "mc"))
        .collect();
    paths.sort();
    assert!(paths.len() >= 5, "models/ should hold the seed models");
    for path in paths {
        let path = path.to_string_lossy().into_owned();
        let source = std::fs::read_to_string(&path).unwrap();
        let expect = expected_verdict(&source).unwrap_or_else(|| panic!("{path} has no expect line"));
        for reductions in [Reductions::NONE, Reductions::ALL] {
            let result = check_reduced(&path, None, reductions);
            match (&expect, &result.verdict) {
                (Expect::Ok, Verdict::Ok) => {}
                (Expect::Violation(kind), Verdict::Violation(c)) if c.violation.kind.name() == kind => {}
                (e, v) => panic!("{path} with {:?}: expected {e:?}, got {v:?}", reductions.names()),
            }
        }
        // The binary agrees, with the matching exit code.
        let out = mutexcheck(&["check", &path, "--quiet", "--no-timings"]);
        assert_eq!(out.status.code(), Some(if expect == Expect::Ok { 0 } else { 1 }), "{path}");
    }
}

#[test]
fn the_seed_bugs_shortest_counterexample_has_twelve_steps() {
    // worker[0]: loop test, wait -> OK (2 steps); worker[1] in round 0: loop test, wait ->
    // TIMEOUT, `if r == OK` false, round = 1 (4 steps); worker[0] crashes owning m (1 step);
    // worker[1] in round 1: loop test, wait -> ABANDONED, `if` false, round = 2, loop test
    // false: it ends owning m (5 steps). 2 + 4 + 1 + 5 = 12. Taking ABANDONED in round 0
    // instead costs a whole second round (recursive wait, updates, release): longer.
    let r = check_file(&model_path("seed_bug.mc"), None);
    let c = r.counterexample().expect("the seed bug is a violation");
    assert_eq!(c.violation.kind.name(), "leaked_ownership");
    assert_eq!(c.violation.message, "worker[1] ended owning m (count 1)");
    assert_eq!((c.steps.len(), c.shortest), (12, true));
    // The reduced search folds both loop tests into the first move and takes worker[1]'s
    // `while` test before worker[0]'s wait: 13 steps, shortened back to 12, which the
    // exact search of 11 steps (no violation in fewer) proves shortest.
    let r = check_reduced(&model_path("seed_bug.mc"), None, Reductions::ALL);
    let c = r.counterexample().unwrap();
    assert_eq!((c.steps.len(), c.shortened_from, c.shortest), (12, Some(13), true));
}

#[test]
fn the_seed_bug_needs_a_crash() {
    let r = check_file(&model_path("seed_bug.mc"), Some(0));
    assert_eq!(r.verdict, Verdict::Ok);
}

#[test]
fn lock_order_fixed_without_crashes_has_sixteen_states() {
    // transfer and audit each run 4 statements (pc 0..=4, 4 = finished). Whoever is at pc
    // 1..=3 holds accounts, so both cannot be there: 25 - 9 = 16 states. Each state has one
    // enabled step except (0,0) with two and (4,4) with none: 16 transitions; the deepest
    // state (4,4) is 8 steps away.
    let r = check_file(&model_path("lock_order_fixed.mc"), Some(0));
    assert_eq!(r.verdict, Verdict::Ok);
    assert_eq!(counts(&r), (16, 16, 8));
}

const ONE: &str = "model one\nmutex m\nprocess p {\n    wait m\n    release m\n}\n";
const TWO: &str = "model two\nmutex m\nprocess worker[2] {\n    wait m\n    release m\n}\n";

#[test]
fn wait_release_models_have_the_hand_counted_state_spaces() {
    // The same counts as the IR models of the checker's own tests (reasoning there):
    // one thread 3 states / 2 transitions (5 / 4 with a crash); two threads 8 / 8
    // (18 / 24 with a crash).
    let one = temp_model("one", ONE);
    let two = temp_model("two", TWO);
    assert_eq!(counts(&check_file(&one, Some(0))), (3, 2, 2));
    assert_eq!(counts(&check_file(&one, Some(1))), (5, 4, 2));
    assert_eq!(counts(&check_file(&two, Some(0))), (8, 8, 4));
    assert_eq!(counts(&check_file(&two, Some(1))), (18, 24, 4));
    // With the reductions (no step here is invisible, so only symmetry acts): a state is the
    // multiset of the two workers' pcs, {0,0} {0,1} {0,2} {1,2} {2,2} ({1,1} is impossible).
    // Both first waits from {0,0} reach {0,1}; every other state has one step but {2,2}:
    // 5 states, 5 transitions, 4 deep.
    assert_eq!(counts(&check_reduced(&two, Some(0), Reductions::ALL)), (5, 5, 4));
}

#[test]
fn a_loop_that_never_ends_still_gives_a_finite_complete_search() {
    // (pc at the loop test or at the assignment) x (a in 0..=3) = 8 states, one step each.
    // With partial-order reduction the loop test is invisible and runs with the assignment
    // before it: the initial state and the 4 states at the assignment are stored.
    let spin = temp_model(
        "spin",
        "model spin\nshared a: 0..3 = 0\nprocess p {\n    while true {\n        a = (a + 1) % 4\n    }\n}\n",
    );
    let out = mutexcheck(&["check", &spin, "--crashes", "0", "--no-timings", "--no-reduce"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(stdout(&out).contains("verdict: ok: no violation in 8 states (complete)\n"));
    let out = mutexcheck(&["check", &spin, "--crashes", "0", "--no-timings"]);
    assert!(stdout(&out).contains("verdict: ok: no violation in 5 states (complete)\n"), "{}", stdout(&out));
}

#[test]
fn exit_code_is_0_for_a_correct_model_and_1_for_a_violation() {
    assert_eq!(mutexcheck(&["check", &model_path("seed_fixed.mc")]).status.code(), Some(0));
    let out = mutexcheck(&["check", &model_path("seed_bug.mc"), "--no-timings"]);
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    assert!(text.contains("verdict: violation (leaked_ownership)\nworker[1] ended owning m (count 1)\n"));
    // Known shortest after the shortening: no `--shortest` hint.
    assert!(text.contains("\nshortest counterexample (12 steps, shortened from the 13 the search found):\n"), "{text}");
    assert!(text.contains("  12. worker[1] line 21: while round < 2 [false]"));
    let shortest = stdout(&mutexcheck(&["check", &model_path("seed_bug.mc"), "--no-timings", "--shortest"]));
    assert!(shortest.starts_with("model try_to_take: breadth-first search, crashes allowed: 1, reductions: none\n"));
    assert!(shortest.contains("shortest counterexample (12 steps):"));
}

#[test]
fn exit_code_is_2_for_bad_input() {
    let missing = mutexcheck(&["check", "/nonexistent/model.mc"]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&missing.stderr).starts_with("error: cannot read `/nonexistent/model.mc`"));
    let bad = temp_model("bad", "model bad\nfoo bar\n");
    let parse = mutexcheck(&["check", &bad]);
    assert_eq!(parse.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&parse.stderr).contains("error: could not compile"));
    assert!(parse.stdout.is_empty());
    let args = mutexcheck(&["check", &model_path("seed_bug.mc"), "--max-states", "many"]);
    assert_eq!(args.status.code(), Some(2));
    assert_eq!(mutexcheck(&["check", &model_path("seed_bug.mc"), "--bfs", "--dfs"]).status.code(), Some(2));
}

#[test]
fn exit_code_is_3_when_a_limit_is_hit_with_partial_statistics() {
    let out = mutexcheck(&["check", &model_path("seed_fixed.mc"), "--max-states", "10", "--no-timings"]);
    assert_eq!(out.status.code(), Some(3));
    let text = stdout(&out);
    assert!(text.contains(
        "verdict: incomplete (max_states): no violation in 10 states, but the state limit of 10 states was reached\n"
    ));
    assert!(text.contains("  states:      10\n"));
    let json = mutexcheck(&["check", &model_path("seed_fixed.mc"), "--max-states", "10", "--json"]);
    assert_eq!(json.status.code(), Some(3));
    let doc: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!((doc["verdict"].as_str(), doc["complete"].as_bool()), (Some("incomplete"), Some(false)));
    assert_eq!(doc["incomplete"]["limit"], "max_states");
    assert_eq!(doc["stats"]["states"], 10);
    let depth = mutexcheck(&["check", &model_path("seed_fixed.mc"), "--max-depth", "3"]);
    assert_eq!(depth.status.code(), Some(3));
    let time = mutexcheck(&["check", &model_path("seed_fixed.mc"), "--time-limit", "0", "--quiet"]);
    // The clock is read every 1024 expansions: a model this small may finish first.
    assert!(matches!(time.status.code(), Some(0) | Some(3)));
}

#[test]
fn the_json_exit_code_is_the_process_exit_code_for_ok_violation_and_incomplete() {
    // The CLI decides both, in one place: 0 complete and ok, 1 violation, 3 incomplete.
    for (args, code, verdict) in [
        (vec!["check", "seed_fixed.mc", "--json"], 0, "ok"),
        (vec!["check", "seed_bug.mc", "--json", "--no-trace"], 1, "violation"),
        (vec!["check", "seed_bug.mc", "--json", "--no-trace", "--dfs"], 1, "violation"),
        (vec!["check", "seed_fixed.mc", "--json", "--max-depth", "2"], 3, "incomplete"),
    ] {
        let path = model_path(args[1]);
        let args: Vec<&str> = args.iter().map(|a| if a.ends_with(".mc") { path.as_str() } else { a }).collect();
        let out = mutexcheck(&args);
        assert_eq!(out.status.code(), Some(code), "{args:?}");
        let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(
            (doc["exit_code"].as_i64(), doc["verdict"].as_str()),
            (Some(code as i64), Some(verdict)),
            "{args:?}"
        );
    }
}

#[test]
fn an_option_the_engine_cannot_use_is_refused_as_bad_input_not_ignored() {
    // Depth-first search runs on one thread: `--threads` with `--dfs` was once silently
    // ignored; now the request cannot be written, and the command line says so.
    let out = mutexcheck(&["check", &model_path("seed_bug.mc"), "--dfs", "--threads", "2"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("'--dfs' cannot be used with '--threads <N>'"), "{stderr}");
    let json = mutexcheck(&["check", &model_path("seed_bug.mc"), "--dfs", "--threads", "2", "--json"]);
    assert_eq!(json.status.code(), Some(2));
    let doc: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!((doc["verdict"].as_str(), doc["exit_code"].as_i64()), (Some("bad_input"), Some(2)));
    // The cluster is breadth-first, its threads are `-w`: neither can be asked for.
    for (extra, message) in [
        ("--dfs", "'--cluster' cannot be used with '--dfs'"),
        ("--threads", "'--cluster' cannot be used with '--threads <N>'"),
    ] {
        let mut args = vec!["check", "SEED", "--cluster", extra];
        let seed = model_path("seed_bug.mc");
        args[1] = &seed;
        if extra == "--threads" {
            args.push("2");
        }
        let out = mutexcheck(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(message), "{stderr}");
    }
}

#[test]
fn output_without_timings_is_byte_identical_run_to_run() {
    for args in [
        vec!["check", "SEED", "--no-timings"],
        vec!["check", "SEED", "--no-timings", "--json"],
        vec!["check", "SEED", "--no-timings", "--dfs"],
    ] {
        let seed = model_path("seed_bug.mc");
        let args: Vec<&str> = args.iter().map(|a| if *a == "SEED" { seed.as_str() } else { a }).collect();
        let (a, b) = (mutexcheck(&args), mutexcheck(&args));
        assert_eq!(a.stdout, b.stdout, "{args:?}");
        assert!(!stdout(&a).contains("time:") && !stdout(&a).contains("elapsed"));
    }
    let timed = stdout(&mutexcheck(&["check", &model_path("seed_fixed.mc")]));
    assert!(timed.contains("  time:        ") && timed.contains("  states/s:    "));
}

#[test]
fn json_output_is_one_document_with_verdict_violation_trace_and_stats() {
    let out = mutexcheck(&["check", &model_path("seed_bug.mc"), "--json", "--no-timings"]);
    assert_eq!(out.status.code(), Some(1));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["verdict"], "violation");
    assert_eq!(doc["violation"]["kind"], "leaked_ownership");
    assert_eq!(doc["violation"]["message"], "worker[1] ended owning m (count 1)");
    assert_eq!(doc["reductions"], serde_json::json!(["partial_order", "symmetry"]));
    assert_eq!(doc["trace"]["steps"].as_array().unwrap().len(), 12);
    assert_eq!((doc["trace"]["shortest"].as_bool(), doc["trace"]["shortened_from"].as_u64()), (Some(true), Some(13)));
    assert_eq!(doc["trace"]["steps"][2]["outcome"], "OK (count 1)");
    // Depth counts stored transitions: a move of the reduced search may take several steps.
    assert_eq!(doc["stats"]["max_depth"], 6);
    assert!(doc["stats"].get("elapsed_seconds").is_none());
    let timed = mutexcheck(&["check", &model_path("seed_fixed.mc"), "--json"]);
    let doc: serde_json::Value = serde_json::from_slice(&timed.stdout).unwrap();
    assert_eq!((doc["verdict"].as_str(), doc["complete"].as_bool()), (Some("ok"), Some(true)));
    assert!(doc["stats"]["elapsed_seconds"].is_number() && doc["stats"]["peak_memory_kb"].is_number());
}

#[test]
fn depth_first_search_also_finds_the_seed_bug() {
    let out = mutexcheck(&["check", &model_path("seed_bug.mc"), "--dfs", "--quiet"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout(&out).starts_with("verdict: violation (leaked_ownership)\n"));
}

#[test]
fn crashes_0_on_the_command_line_overrides_the_model() {
    let out = mutexcheck(&["check", &model_path("seed_bug.mc"), "--crashes", "0", "--no-timings"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(stdout(&out).starts_with(
        "model try_to_take: breadth-first search, crashes allowed: 0, reductions: partial-order, symmetry\n"
    ));
}
