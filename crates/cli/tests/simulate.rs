//! `mutexcheck simulate`: reproducible random runs, exact counts on a model without choices,
//! traces that replay, and which classroom violations 1000 runs with seed 1 find.

mod common;

use std::path::Path;
use std::process::{Command, Output};

fn mutexcheck(cwd: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_mutexcheck")).current_dir(cwd).args(args).output().unwrap()
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn the_same_seed_gives_byte_identical_output_in_text_and_json() {
    let dir = common::scratch_with_models("simulate", "same_seed", &["seed_bug.mc"]);
    for format in [&[][..], &["--json"][..]] {
        let run = |seed: &str| {
            let mut args = vec!["simulate", "models/seed_bug.mc", "--seed", seed, "--runs", "200"];
            args.extend_from_slice(format);
            mutexcheck(&dir, &args)
        };
        let (a, b, other) = (run("5"), run("5"), run("6"));
        assert_eq!(a.status.code(), Some(1), "{}", stdout(&a));
        assert_eq!(a.stdout, b.stdout, "seed 5 twice");
        assert_ne!(a.stdout, other.stdout, "another seed, other runs");
    }
}

/// One thread and no choice (no crash budget): every run makes the same two steps, so 7
/// runs make 14 steps and see 3 states (the initial one, after `a = 1`, after `a = 2`).
#[test]
fn a_model_without_choices_runs_one_path_with_a_known_step_count() {
    let dir = common::scratch_dir("simulate", "no_choice");
    std::fs::write(
        dir.join("one.mc"),
        "model one\ncrashes 0\nshared a: 0..3 = 0\nprocess p {\n    a = 1\n    a = 2\n}\n",
    )
    .unwrap();
    let out = mutexcheck(&dir, &["simulate", "one.mc", "--runs", "7", "--seed", "42"]);
    assert_eq!(out.status.code(), Some(0));
    let expected = "\
model one: random simulation, seed 42, 7 runs of at most 1000 steps, crashes allowed: 0

summary:
  runs:            7
  steps:           14
  distinct states: 3
  violations:      0
  ended:           7 (every thread finished or died)
  deadlocked:      0
  hit --max-steps: 0
verdict: no violation in 7 random runs (a simulation proves nothing: `mutexcheck check` explores every run)
";
    assert_eq!(stdout(&out), expected);
    // --max-steps 1 stops every run after its first step.
    let out = mutexcheck(&dir, &["simulate", "one.mc", "--runs", "3", "--max-steps", "1", "--json"]);
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let s = &doc["summary"];
    assert_eq!((s["runs"].as_u64(), s["steps"].as_u64(), s["max_steps"].as_u64()), (Some(3), Some(3), Some(3)));
    assert_eq!((s["distinct_states"].as_u64(), s["ended"].as_u64()), (Some(2), Some(0)));
    assert_eq!(doc["exit_code"], 0);
}

/// Each violating run is printed as a counterexample and written as a trace named after
/// the seed and the run, which replay reproduces; the golden trace is never touched.
#[test]
fn a_violating_run_is_printed_and_written_as_a_trace_that_replays() {
    let dir = common::scratch_with_models("simulate", "traces", &["seed_bug.mc"]);
    std::fs::create_dir_all(dir.join("traces")).unwrap();
    std::fs::write(dir.join("traces/seed_bug.json"), "golden").unwrap();
    let out = mutexcheck(&dir, &["simulate", "models/seed_bug.mc", "--seed", "3", "--runs", "5"]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.contains(
        "\nrun 5: violation (leaked_ownership)\nworker[0] ended owning m (count 1)\nrandom run (16 steps):\n"
    ));
    assert!(text.contains(
        "   4. worker[1] crashed at line 24, before: a = a + 1    m: owned by worker[1] (count 1) -> free (abandoned), worker[1]: running -> dead\n"
    ));
    assert!(text.contains("trace written to traces/seed_bug.sim-seed3-run5.json (replay: mutexcheck replay traces/seed_bug.sim-seed3-run5.json)\n"));
    assert!(text.contains("  violations:      1 (leaked_ownership 1)\n"), "{text}");
    assert!(text.ends_with("verdict: violation in 1 of 5 random runs\n"), "{text}");
    assert_eq!(std::fs::read_to_string(dir.join("traces/seed_bug.json")).unwrap(), "golden");
    let replay = mutexcheck(&dir, &["replay", "traces/seed_bug.sim-seed3-run5.json"]);
    assert_eq!(replay.status.code(), Some(1), "{}", stdout(&replay));
    assert!(stdout(&replay).contains("reproduced: violation (leaked_ownership) at step 16"));
    let view = mutexcheck(&dir, &["view", "traces/seed_bug.sim-seed3-run5.json"]);
    assert_eq!(view.status.code(), Some(0), "view accepts it too");
}

#[test]
fn bad_input_exits_2() {
    let dir = common::scratch_dir("simulate", "bad_input");
    assert_eq!(mutexcheck(&dir, &["simulate", "missing.mc"]).status.code(), Some(2));
    assert_eq!(mutexcheck(&dir, &["simulate", "missing.mc", "--runs", "-1"]).status.code(), Some(2));
}

/// The classroom models with a violation that `--runs 1000 --seed 1` finds, with the kind
/// their `// expect:` line names (docs/explore.md lists them). Of the four it does not find,
/// two are liveness violations (an infinite run, which a simulation does not check) and two
/// are needles in a haystack: runs of 16 and 18 steps that need several unlikely choices.
const FOUND_BY_1000_RUNS: &[&str] = &[
    "config_unguarded",
    "counter_overflow",
    "dining_deadlock",
    "error_path_exit",
    "ignore_abandoned",
    "init_race",
    "lock_order_deadlock",
    "posix_forgot_consistent",
    "posix_not_robust",
    "posix_seed_bug",
    "proc_acquire_bug",
    "reader_no_lock",
    "recursive_release_once",
    "release_after_timeout",
    "release_by_other_thread",
    "seed_bug",
    "thread_death_bug",
    "timeout_proceeds",
    "two_sections_crash",
];
const NOT_FOUND_BY_1000_RUNS: &[&str] = &["journal_no_redo", "livelock", "pid_lock_bug", "starvation"];

#[test]
fn a_thousand_runs_with_seed_1_find_every_classroom_safety_violation() {
    let root = common::repo();
    let mut models: Vec<_> = std::fs::read_dir(root.join("models"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "mc"))
        .collect();
    models.sort();
    let (mut found, mut missed) = (Vec::new(), Vec::new());
    for path in models {
        let text = std::fs::read_to_string(&path).unwrap();
        let Some(kind) = text.lines().find_map(|l| l.trim().strip_prefix("// expect: violation")) else { continue };
        let kind = kind.trim().to_string();
        let out = mutexcheck(
            &root,
            &["simulate", path.to_str().unwrap(), "--runs", "1000", "--seed", "1", "--no-trace", "--json"],
        );
        let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        let by_kind = doc["summary"]["violations"].as_object().cloned().unwrap_or_default();
        if by_kind.is_empty() {
            assert_eq!(out.status.code(), Some(0));
            missed.push(name);
        } else {
            assert_eq!(out.status.code(), Some(1));
            assert!(by_kind.contains_key(&kind), "{name}: simulation found {by_kind:?}, the model expects {kind}");
            found.push(name);
        }
    }
    assert_eq!(found, FOUND_BY_1000_RUNS);
    assert_eq!(missed, NOT_FOUND_BY_1000_RUNS);
}
