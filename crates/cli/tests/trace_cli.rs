//! `check` writing traces, `replay` and `graph`, end to end through the binary.

mod common;
use common::{repo as root, run_in as run, scratch_with_models, text};
use std::process::Command;

/// A scratch directory of this test's own, holding a copy of `models/<names>`.
fn scratch(test: &str, models: &[&str]) -> std::path::PathBuf {
    scratch_with_models("trace-cli", test, models)
}

#[test]
fn check_writes_the_trace_to_traces_by_default_and_replay_reproduces_it() {
    let dir = scratch("default", &["seed_bug.mc"]);
    let out = run(&dir, &["check", "models/seed_bug.mc", "--no-timings"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stdout)
        .ends_with("\ntrace written to traces/seed_bug.json (replay: mutexcheck replay traces/seed_bug.json)\n"));
    let golden = std::fs::read_to_string(root().join("traces/seed_bug.json")).unwrap();
    assert_eq!(std::fs::read_to_string(dir.join("traces/seed_bug.json")).unwrap(), golden);

    let out = run(&dir, &["replay", "traces/seed_bug.json"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(stdout
        .starts_with("replaying traces/seed_bug.json (12 steps) against models/seed_bug.mc, crashes allowed: 1\n"));
    assert!(
        stdout.ends_with("reproduced: violation (leaked_ownership) at step 12\nworker[1] ended owning m (count 1)\n")
    );
    assert_eq!(text(&out.stderr), "");
}

#[test]
fn no_trace_writes_nothing_and_trace_out_writes_where_asked() {
    let dir = scratch("options", &["seed_bug.mc"]);
    let out = run(&dir, &["check", "models/seed_bug.mc", "--no-trace"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(!dir.join("traces").exists());
    assert!(!text(&out.stdout).contains("trace written"));
    let out = run(&dir, &["check", "models/seed_bug.mc", "--trace-out", "out/seed.json", "--json"]);
    assert_eq!(out.status.code(), Some(1));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["trace_file"], "out/seed.json");
    assert!(dir.join("out/seed.json").exists());
}

#[test]
fn an_ok_model_writes_no_trace() {
    let dir = scratch("ok", &["seed_fixed.mc"]);
    let out = run(&dir, &["check", "models/seed_fixed.mc"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(!dir.join("traces").exists());
}

#[test]
fn replay_on_the_fixed_model_warns_about_the_hash_and_names_the_step() {
    let dir = scratch("fixed", &["seed_bug.mc", "seed_fixed.mc"]);
    run(&dir, &["check", "models/seed_bug.mc"]);
    let out = run(&dir, &["replay", "traces/seed_bug.json", "--model", "models/seed_fixed.mc"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        text(&out.stderr),
        "warning: `models/seed_fixed.mc` has changed since the trace was written (its SHA-256 differs); replaying anyway\n\
         warning: the trace is of model `try_to_take`, but `models/seed_fixed.mc` is model `try_to_take_fixed`\n"
    );
    assert!(text(&out.stdout).ends_with(
"does not reproduce: step 5: worker[1]'s instruction 2 is now line 24, `if r == ABANDONED`; the trace expects `if r == OK` there (line 23, as recorded): the model's code has changed\n"
    ));
}

#[test]
fn replay_of_a_corrupted_trace_is_bad_input_with_a_clear_error() {
    let dir = scratch("corrupt", &["seed_bug.mc"]);
    run(&dir, &["check", "models/seed_bug.mc"]);
    let good = std::fs::read_to_string(dir.join("traces/seed_bug.json")).unwrap();
    std::fs::write(dir.join("cut.json"), &good[..100]).unwrap();
    let out = run(&dir, &["replay", "cut.json"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).starts_with("error: cut.json: the trace file is truncated"), "{}", text(&out.stderr));
    std::fs::write(dir.join("v9.json"), good.replacen("\"version\": 4", "\"version\": 9", 1)).unwrap();
    let out = run(&dir, &["replay", "v9.json"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        text(&out.stderr),
        "error: v9.json: trace format version 9 is not supported by this mutexcheck (it reads versions 1 to 4)\n"
    );
    let out = run(&dir, &["replay", "missing.json"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).starts_with("error: cannot read `missing.json`: "));
    // Both paths the trace gives lead nowhere: the error says where each came from.
    std::fs::write(dir.join("elsewhere.json"), good.replace("models/seed_bug.mc", "models/gone.mc")).unwrap();
    let out = run(&dir, &["replay", "elsewhere.json"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        text(&out.stderr),
        "error: the trace elsewhere.json names its model as ../models/gone.mc (relative to the trace's directory: \
         ../models/gone.mc) and as models/gone.mc (relative to the directory check ran in); neither is found; give it \
         with --model PATH\n"
    );
}

#[test]
fn graph_prints_dot_and_refuses_beyond_max_nodes() {
    let dir = scratch("graph", &["lock_order_deadlock.mc", "seed_fixed.mc"]);
    let out = run(&dir, &["graph", "models/lock_order_deadlock.mc"]);
    assert_eq!(out.status.code(), Some(0));
    let dot = text(&out.stdout);
    assert!(dot.starts_with("digraph \"lock_order_deadlock\" {\n") && dot.ends_with("}\n"));
    assert_eq!(dot.matches(" -> ").count(), 22);
    let out = run(&dir, &["graph", "models/lock_order_deadlock.mc", "-o", "g.dot"]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(std::fs::read_to_string(dir.join("g.dot")).unwrap(), dot);
    let out = run(&dir, &["graph", "models/seed_fixed.mc", "--max-nodes", "50"]);
    assert_eq!(out.status.code(), Some(3));
    assert_eq!(out.stdout, b"");
    assert!(text(&out.stderr).starts_with("error: models/seed_fixed.mc: the state graph has more than 50 states"));
}

#[test]
fn the_check_behind_a_graph_keeps_to_max_nodes_and_says_when_it_stopped() {
    // Issue #21: four workers looping on one mutex with `starvation m`. With --por --symmetry
    // the graph has 6 states, but the liveness check behind the red run looks at 11 (the
    // starvation of worker[0] is judged in the quotient that keeps worker[0] in place, finer
    // than the graph's): --max-nodes 8 stops it there (it once ran unbounded: 13 workers took
    // 83 s and overflowed the stack).
    let dir = scratch("graph-liveness", &["starvation.mc"]);
    let model = std::fs::read_to_string(dir.join("models/starvation.mc")).unwrap();
    std::fs::write(dir.join("starving4.mc"), model.replace("process worker[3]", "process worker[4]")).unwrap();
    let nodes = |dot: &str| dot.lines().filter(|l| l.starts_with("  s") && !l.contains(" -> ")).count();
    let reduced = ["graph", "starving4.mc", "--por", "--symmetry", "--max-nodes"];
    let graph = |max: &str| run(&dir, &[&reduced[..], &[max]].concat());
    let out = graph("8");
    assert_eq!(out.status.code(), Some(3), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stderr),
        "warning: starving4.mc: no counterexample is drawn: the check that looks for one stopped: it needs more than 8 \
         states (raise --max-nodes)\n"
    );
    let capped = text(&out.stdout);
    assert_eq!(nodes(&capped), 6, "the graph itself is whole");
    assert_eq!(capped.matches(", color=red").count(), 1, "only the initial state, where every run starts");
    let out = graph("11");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(text(&out.stderr), "");
    assert_eq!(nodes(&text(&out.stdout)), 6);
    assert!(text(&out.stdout).matches(", color=red").count() > 1, "the lasso is drawn");
    let out = graph("10");
    assert_eq!(out.status.code(), Some(3), "10 states are one too few for the liveness check");
}

#[test]
fn a_closed_pipe_ends_output_quietly_without_a_panic() {
    let dir = scratch("pipe", &["seed_bug.mc"]);
    let bin = env!("CARGO_BIN_EXE_mutexcheck");
    let out = Command::new("sh")
        .current_dir(&dir)
        .arg("-c")
        .arg(format!("'{bin}' graph models/seed_bug.mc --max-nodes 100000 | head -c 10 >/dev/null; '{bin}' check models/seed_bug.mc --no-trace | head -n 1"))
        .output()
        .unwrap();
    assert_eq!(
        text(&out.stdout),
        "model try_to_take: breadth-first search, crashes allowed: 1, reductions: partial-order, symmetry\n"
    );
    assert!(!text(&out.stderr).contains("panicked"), "{}", text(&out.stderr));
}

#[test]
fn a_trace_found_with_symmetry_records_it_and_replays() {
    let dir = scratch("symmetry", &["seed_bug.mc"]);
    let out = run(&dir, &["check", "models/seed_bug.mc", "--no-por", "--quiet"]);
    assert_eq!(out.status.code(), Some(1));
    let trace: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("traces/seed_bug.no-por.json")).unwrap()).unwrap();
    assert_eq!(trace["options"]["reductions"], serde_json::json!(["symmetry"]));
    assert_eq!(trace["steps"].as_array().unwrap().len(), 12, "symmetry keeps the shortest length");
    let out = run(&dir, &["replay", "traces/seed_bug.no-por.json"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stdout));
}

#[test]
fn a_trace_found_with_partial_order_reduction_records_it_and_replays_unreduced() {
    let dir = scratch("por", &["seed_bug.mc", "seed_fixed.mc"]);
    let out = run(&dir, &["check", "models/seed_bug.mc", "--no-symmetry", "--quiet"]);
    assert_eq!(out.status.code(), Some(1));
    let trace: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("traces/seed_bug.no-symmetry.json")).unwrap()).unwrap();
    assert_eq!(trace["options"]["reductions"], serde_json::json!(["partial_order"]));
    assert_eq!(trace["steps"].as_array().unwrap().len(), 12, "found with 13 steps, shortened to a shortest run");
    let out = run(&dir, &["replay", "traces/seed_bug.no-symmetry.json"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stdout));
    let full = run(&dir, &["graph", "models/seed_fixed.mc", "--max-nodes", "5000"]);
    let reduced = run(&dir, &["graph", "models/seed_fixed.mc", "--max-nodes", "5000", "--por"]);
    assert_eq!(text(&full.stdout).matches(" [label=").count() - text(&full.stdout).matches(" -> ").count(), 1025);
    assert_eq!(text(&reduced.stdout).matches(" [label=").count() - text(&reduced.stdout).matches(" -> ").count(), 215);
}
