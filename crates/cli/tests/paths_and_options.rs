//! Issue #24, items 6 and 7, end to end through the binary: traces found from any directory,
//! trace names that never land on a golden trace, a model or a directory given where they do
//! not belong, `check -h` and the cluster's host file, `graph -o`, and trace format 4's typed
//! values (with version 3 traces still replaying).

mod common;
use common::{repo, run_in as run, scratch_dir, scratch_with_models, text};

/// A scratch directory of this test's own, holding a copy of `models/<names>`.
fn scratch(test: &str, models: &[&str]) -> std::path::PathBuf {
    scratch_with_models("paths-and-options", test, models)
}

#[test]
fn replay_and_view_find_the_model_from_any_directory() {
    let dir = scratch("anywhere", &["seed_bug.mc"]);
    assert_eq!(run(&dir, &["check", "models/seed_bug.mc", "-q"]).status.code(), Some(1));
    let trace: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("traces/seed_bug.json")).unwrap()).unwrap();
    assert_eq!(trace["model"]["path"], "models/seed_bug.mc");
    assert_eq!(trace["model"]["from_trace_dir"], "../models/seed_bug.mc");
    // From inside traces/ and from the directory above the scratch directory: `models/...`
    // does not exist relative to either, the trace's directory finds it.
    let inside = dir.join("traces");
    let out = run(&inside, &["replay", "seed_bug.json"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert!(text(&out.stdout)
        .starts_with("replaying seed_bug.json (12 steps) against ../models/seed_bug.mc, crashes allowed: 1\n"));
    assert_eq!(text(&out.stderr), "");
    let above = dir.parent().unwrap();
    let out = run(above, &["replay", "anywhere/traces/seed_bug.json"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert!(text(&out.stdout).starts_with(
        "replaying anywhere/traces/seed_bug.json (12 steps) against anywhere/models/seed_bug.mc, crashes allowed: 1\n"
    ));
    let out = run(&inside, &["view", "seed_bug.json", "-o", "page.html"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "trace viewer written to page.html (12 steps; open it in a browser)\n");
}

#[test]
fn a_model_the_trace_cannot_find_is_named_with_where_its_path_came_from_and_model_is_offered() {
    let dir = scratch("lost", &["seed_bug.mc"]);
    assert_eq!(run(&dir, &["check", "models/seed_bug.mc", "-q"]).status.code(), Some(1));
    std::fs::rename(dir.join("models"), dir.join("moved")).unwrap();
    let out = run(&dir, &["replay", "traces/seed_bug.json"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        text(&out.stderr),
        "error: the trace traces/seed_bug.json names its model as ../models/seed_bug.mc (relative to the trace's \
         directory: models/seed_bug.mc) and as models/seed_bug.mc (relative to the directory check ran in); neither \
         is found; give it with --model PATH\n"
    );
    let out = run(&dir, &["view", "traces/seed_bug.json", "--model", "moved/seed_bug.mc", "-o", "p.html"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
}

#[test]
fn a_version_3_trace_names_its_model_relative_to_where_check_ran_and_still_replays() {
    // The golden trace of the seed bug as version 3 wrote it (before typed values and
    // from_trace_dir), kept byte for byte with its model as it was then.
    let dir = scratch_dir("paths-and-options", "v3");
    std::fs::create_dir_all(dir.join("models")).unwrap();
    std::fs::write(dir.join("models/seed_bug.mc"), include_str!("data/seed_bug.v3.mc")).unwrap();
    let v3 = include_str!("data/seed_bug.v3.json");
    assert!(v3.contains("\"version\": 3,") && !v3.contains("from_trace_dir") && !v3.contains("before_value"));
    std::fs::create_dir_all(dir.join("old")).unwrap();
    std::fs::write(dir.join("old/seed_bug.json"), v3).unwrap();
    let out = run(&dir, &["replay", "old/seed_bug.json"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert!(text(&out.stdout)
        .ends_with("reproduced: violation (leaked_ownership) at step 12\nworker[1] ended owning m (count 1)\n"));
    // From elsewhere the cwd-relative path of version 3 is all there is: the error says so.
    let out = run(&dir.join("old"), &["replay", "seed_bug.json"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        text(&out.stderr),
        "error: the trace seed_bug.json names its model as models/seed_bug.mc (relative to the directory check ran \
         in); not found; give it with --model PATH\n"
    );
    let out = run(&dir.join("old"), &["replay", "seed_bug.json", "--model", "../models/seed_bug.mc"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
}

#[test]
fn a_model_outside_models_gets_its_directory_in_the_trace_name_and_never_replaces_a_golden_trace() {
    let dir = scratch("collide", &["seed_bug.mc"]);
    std::fs::create_dir_all(dir.join("student")).unwrap();
    std::fs::copy(dir.join("models/seed_bug.mc"), dir.join("student/seed_bug.mc")).unwrap();
    std::fs::copy(dir.join("models/seed_bug.mc"), dir.join("seed_bug.mc")).unwrap();
    assert_eq!(run(&dir, &["check", "models/seed_bug.mc", "-q"]).status.code(), Some(1));
    let golden = std::fs::read(dir.join("traces/seed_bug.json")).unwrap();

    let out = run(&dir, &["check", "student/seed_bug.mc", "--no-timings"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stdout).ends_with(
        "trace written to traces/student.seed_bug.json (replay: mutexcheck replay traces/student.seed_bug.json)\n"
    ));
    // A copy in the current directory would take the golden name: it is refused (exit 4).
    let out = run(&dir, &["check", "seed_bug.mc", "--no-timings"]);
    assert_eq!(out.status.code(), Some(4));
    assert_eq!(
        text(&out.stderr),
        "error: cannot write the trace to `traces/seed_bug.json`: it holds the trace of another model file, \
         models/seed_bug.mc, and is not replaced (give another path with --trace-out PATH, or delete it)\n"
    );
    assert_eq!(std::fs::read(dir.join("traces/seed_bug.json")).unwrap(), golden);
    // The model of the trace itself, run again, replaces it as before; --trace-out is obeyed.
    assert_eq!(run(&dir, &["check", "models/seed_bug.mc", "-q"]).status.code(), Some(1));
    let out = run(&dir, &["check", "seed_bug.mc", "-q", "--trace-out", "traces/seed_bug.json"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
}

#[test]
fn view_of_a_model_and_check_of_a_directory_say_which_command_was_meant() {
    let dir = scratch("misuse", &["seed_bug.mc"]);
    let out = run(&dir, &["view", "models/seed_bug.mc"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        text(&out.stderr),
        "error: `models/seed_bug.mc` is a model, not a trace: run `mutexcheck check models/seed_bug.mc --html FILE`\n"
    );
    let out = run(&dir, &["replay", "models/seed_bug.mc"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        text(&out.stderr),
        "error: `models/seed_bug.mc` is a model, not a trace: run `mutexcheck check models/seed_bug.mc`\n"
    );
    let out = run(&dir, &["check", "models/"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        text(&out.stderr),
        "error: `models/` is a directory: to check every model in it run `mutexcheck test models/`\n"
    );
}

#[test]
fn the_generated_pages_are_ignored_by_git() {
    let ignore = std::fs::read_to_string(repo().join(".gitignore")).unwrap();
    assert!(ignore.lines().any(|l| l == "traces/*.html"), "{ignore}");
}

#[test]
fn check_dash_h_prints_help_like_every_other_command() {
    let dir = scratch_dir("paths-and-options", "help");
    for args in [&["check", "-h"][..], &["check", "--help"], &["replay", "-h"]] {
        let out = run(&dir, args);
        assert_eq!(out.status.code(), Some(0), "{args:?}: {}", text(&out.stderr));
        assert!(text(&out.stdout).contains("Usage: mutexcheck "), "{args:?}");
    }
    let out = run(&dir, &["check", "-h"]);
    assert!(text(&out.stdout).contains("--hostfile <FILE>"));
}

#[test]
fn the_host_file_is_dash_h_after_cluster_and_hostfile_anywhere() {
    // Two processes and a host file that does not exist: both spellings reach the cluster,
    // which names the file (exit 2); without --cluster, --hostfile is refused by clap.
    let dir = scratch("hostfile", &["seed_bug.mc"]);
    let want = "error: cluster: cannot read the host file `nohosts.txt`: No such file or directory (os error 2)\n";
    for spelling in [
        &["check", "models/seed_bug.mc", "--cluster", "-n", "2", "-h", "nohosts.txt"][..],
        &["check", "models/seed_bug.mc", "--hostfile", "nohosts.txt", "--cluster", "-n", "2"],
    ] {
        let out = run(&dir, spelling);
        assert_eq!(out.status.code(), Some(2), "{spelling:?}");
        assert_eq!(text(&out.stderr), want, "{spelling:?}");
    }
    let out = run(&dir, &["check", "models/seed_bug.mc", "--hostfile", "h.txt"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("the following required arguments were not provided"), "{}", text(&out.stderr));
    // `-h` before --cluster is help.
    let out = run(&dir, &["check", "-h", "models/seed_bug.mc", "--cluster"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(text(&out.stdout).contains("Usage: mutexcheck check"));
}

#[test]
fn graph_dash_o_says_what_it_wrote_and_how_to_draw_it() {
    // Two threads in opposite lock order, no crashes: 19 states (see
    // crates/checker/tests/trace.rs, the_lock_order_graph_has_every_state_once...).
    let dir = scratch("graph", &["lock_order_deadlock.mc"]);
    let out = run(&dir, &["graph", "models/lock_order_deadlock.mc", "-o", "g.dot"]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(text(&out.stdout), "");
    assert_eq!(
        text(&out.stderr),
        "wrote the graph of 19 states to g.dot (Graphviz DOT: `dot -Tsvg g.dot -o graph.svg`)\n"
    );
    assert!(std::fs::read_to_string(dir.join("g.dot")).unwrap().starts_with("digraph "));
}

/// One process, no crashes: it takes `m`, sets an int, a bool and an enum, and ends owning
/// `m`. The run is those four steps; the last also abandons `m` and finishes `p`.
const TYPED: &str = "model typed\ncrashes 0\nenum Phase { Idle, Busy }\nmutex m\nshared n: 0..3 = 0\n\
                     shared on: bool = false\nshared phase: Phase = Idle\nprocess p {\n    let r = wait m\n    \
                     n = 2\n    on = true\n    phase = Busy\n}\n";

#[test]
fn a_trace_carries_typed_values_beside_the_prose() {
    let dir = scratch_dir("paths-and-options", "typed");
    std::fs::write(dir.join("typed.mc"), TYPED).unwrap();
    let out = run(&dir, &["check", "typed.mc", "-q"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let trace: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("traces/typed.json")).unwrap()).unwrap();
    assert_eq!(trace["version"], 4);
    assert_eq!(trace["model"]["from_trace_dir"], "../typed.mc");
    let changes: Vec<&serde_json::Value> = trace["steps"].as_array().unwrap().iter().map(|s| &s["changes"]).collect();
    let free = serde_json::json!({ "owner": null, "count": 0, "abandoned": false });
    let owned = serde_json::json!({ "owner": "p", "count": 1, "abandoned": false });
    let abandoned = serde_json::json!({ "owner": null, "count": 0, "abandoned": true });
    assert_eq!(
        changes,
        [
            &serde_json::json!([{ "name": "m", "before": "free", "after": "owned by p (count 1)",
                                  "before_value": free, "after_value": owned }]),
            &serde_json::json!([{ "name": "n", "before": "0", "after": "2", "before_value": 0, "after_value": 2 }]),
            &serde_json::json!([{ "name": "on", "before": "false", "after": "true",
                                  "before_value": false, "after_value": true }]),
            &serde_json::json!([
                { "name": "phase", "before": "Idle", "after": "Busy", "before_value": "Idle", "after_value": "Busy" },
                { "name": "m", "before": "owned by p (count 1)", "after": "free (abandoned)",
                  "before_value": owned, "after_value": abandoned },
                { "name": "p", "before": "running", "after": "finished",
                  "before_value": "running", "after_value": "finished" }
            ]),
        ]
    );
    // The JSON report's trace: the same typed values, and the initial items typed too (the
    // local `r` of result type starts as OK).
    let out = run(&dir, &["check", "typed.mc", "--json", "--no-timings", "--no-trace"]);
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let initial: Vec<(&str, &serde_json::Value)> = doc["trace"]["initial"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| (i["name"].as_str().unwrap(), &i["typed_value"]))
        .collect();
    assert_eq!(
        initial,
        [
            ("n", &serde_json::json!(0)),
            ("on", &serde_json::json!(false)),
            ("phase", &serde_json::json!("Idle")),
            ("m", &free),
            ("p", &serde_json::json!("running")),
            ("p.r", &serde_json::json!("OK")),
        ]
    );
    assert_eq!(&doc["trace"]["steps"][3]["changes"], changes[3]);
}

#[test]
fn a_posix_mutex_is_typed_with_its_consistency() {
    let golden: serde_json::Value =
        serde_json::from_slice(&std::fs::read(repo().join("traces/posix_seed_bug.json")).unwrap()).unwrap();
    let crash = golden["steps"].as_array().unwrap().iter().find(|s| s["action"] == "crash").unwrap();
    assert_eq!(
        crash["changes"][0]["before_value"],
        serde_json::json!({ "owner": "worker[0]", "count": 1, "consistency": "consistent" })
    );
    assert_eq!(
        crash["changes"][0]["after_value"],
        serde_json::json!({ "owner": null, "count": 0, "consistency": "owner_died" })
    );
}
