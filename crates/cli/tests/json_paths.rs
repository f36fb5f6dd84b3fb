//! `--json` prints one JSON document on every path (issue #20, item 8): a model that cannot
//! be read or does not compile (every diagnostic), a run stopped by a bound or by Ctrl-C, and
//! a run the backstop ends (the `incomplete` document with the counts so far). Exit codes are
//! those of the text output.

mod common;
use common::{repo, run_in, scratch_dir, scratch_with_models, text};

use serde_json::{json, Value};

fn schema() -> jsonschema::Validator {
    let text = std::fs::read_to_string(repo().join("docs/report.schema.json")).unwrap();
    jsonschema::validator_for(&serde_json::from_str(&text).unwrap()).unwrap()
}

/// Every error of `doc` against docs/report.schema.json.
fn schema_errors(doc: &Value) -> Vec<String> {
    schema().iter_errors(doc).map(|e| format!("{e} at {}", e.instance_path)).collect()
}

/// The one JSON document on stdout (the whole of it must parse), valid against
/// docs/report.schema.json.
fn document(out: &std::process::Output) -> Value {
    let doc = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("stdout is not one JSON document ({e}):\n{}", text(&out.stdout)));
    let errors = schema_errors(&doc);
    assert!(errors.is_empty(), "{errors:?}\n{doc}");
    doc
}

/// Two errors, in source order: an initial value out of range, an unknown name.
const TWO_ERRORS: &str = "model bad\nshared a: 0..1 = 5\nprocess p {\n    b = 1\n}\n";

fn two_error_diagnostics(file: &str) -> Value {
    json!([
        {
            "severity": "error", "code": null, "file": file, "line": 2, "column": 18, "length": 1,
            "message": "the initial value 5 of `a` is outside its range 0..1", "label": "not in 0..1", "help": null,
        },
        {
            "severity": "error", "code": null, "file": file, "line": 4, "column": 5, "length": 1,
            "message": "unknown name `b`", "label": "not declared", "help": null,
        },
    ])
}

#[test]
fn a_model_that_does_not_compile_prints_one_document_with_every_diagnostic() {
    let dir = scratch_dir("json-paths", "compile-error");
    std::fs::write(dir.join("bad.mc"), TWO_ERRORS).unwrap();
    let out = run_in(&dir, &["check", "bad.mc", "--json"]);
    assert_eq!(out.status.code(), Some(2));
    // The terminal's rendering still goes to stderr, and is the document's `rendered`.
    let rendered = text(&out.stderr);
    assert!(rendered.starts_with("error: the initial value 5 of `a` is outside its range 0..1\n --> bad.mc:2:18\n"));
    assert!(rendered.ends_with("error: could not compile `bad.mc`: 2 errors\n"));
    assert_eq!(
        document(&out),
        json!({
            "model": null,
            "model_file": "bad.mc",
            "verdict": "bad_input",
            "complete": false,
            "exit_code": 2,
            "error": "could not compile `bad.mc`: 2 errors",
            "diagnostics": two_error_diagnostics("bad.mc"),
            "rendered": rendered,
        })
    );
}

#[test]
fn a_model_that_cannot_be_read_is_a_bad_input_document_with_one_unplaced_diagnostic() {
    let dir = scratch_dir("json-paths", "unreadable");
    let out = run_in(&dir, &["check", "missing.mc", "--json"]);
    assert_eq!(out.status.code(), Some(2));
    let doc = document(&out);
    assert_eq!(doc["verdict"], "bad_input");
    let message = doc["error"].as_str().unwrap();
    assert!(message.starts_with("cannot read `missing.mc`: "), "{message}");
    assert_eq!(
        doc["diagnostics"],
        json!([{ "severity": "error", "code": null, "file": "missing.mc", "line": null, "column": null,
                 "length": null, "message": message, "label": null, "help": null }])
    );
}

#[test]
fn a_cluster_that_cannot_run_is_a_bad_input_document() {
    let out = run_in(&repo(), &["check", "models/seed_bug.mc", "--cluster", "-n", "2", "-p", "5", "--json"]);
    assert_eq!(out.status.code(), Some(2));
    let doc = document(&out);
    assert_eq!(doc["error"], "cluster: -p 5 is not a process of -n 2 (0 to 1)");
    assert_eq!(doc["diagnostics"][0]["message"], doc["error"]);
    assert_eq!(doc["rendered"], "error: cluster: -p 5 is not a process of -n 2 (0 to 1)\n");
    assert_eq!(text(&out.stderr), "error: cluster: -p 5 is not a process of -n 2 (0 to 1)\n");
}

#[test]
fn a_command_line_refused_is_a_bad_input_document_for_check_and_test() {
    for command in ["check", "test"] {
        let out = run_in(&repo(), &[command, "--json", "--max-states", "many", "models/seed_bug.mc"]);
        assert_eq!(out.status.code(), Some(2));
        let doc = document(&out);
        assert_eq!(doc["model_file"], Value::Null);
        assert_eq!(doc["error"], "invalid value 'many' for '--max-states <N>': invalid digit found in string");
        assert_eq!(doc["diagnostics"][0]["file"], Value::Null);
        assert_eq!(doc["rendered"], text(&out.stderr));
    }
    // Help is not an error, and a command without --json keeps its plain usage error.
    let out = run_in(&repo(), &["check", "--json", "--help"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(text(&out.stdout).starts_with("Explore every interleaving"));
    let out = run_in(&repo(), &["replay", "--json", "t.json"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(text(&out.stdout), "");
}

#[test]
fn max_states_prints_the_incomplete_document_with_its_counts() {
    let out = run_in(&repo(), &["check", "models/seed_fixed.mc", "--max-states", "10", "--json", "--no-timings"]);
    assert_eq!(out.status.code(), Some(3));
    let doc = document(&out);
    assert_eq!(doc["verdict"], "incomplete");
    assert_eq!(doc["complete"], false);
    assert_eq!(doc["exit_code"], 3);
    assert_eq!(doc["model_file"], "models/seed_fixed.mc");
    assert_eq!(
        doc["incomplete"],
        json!({ "limit": "max_states", "message": "the state limit of 10 states was reached" })
    );
    assert_eq!(doc["stats"]["states"], 10);
}

#[test]
fn a_time_limit_of_zero_prints_the_incomplete_document() {
    let out = run_in(&repo(), &["check", "models/seed_bug.mc", "--time-limit", "0", "--json", "--no-trace"]);
    assert_eq!(out.status.code(), Some(3));
    let doc = document(&out);
    assert_eq!(doc["incomplete"], json!({ "limit": "time_limit", "message": "the time limit of 0 s was reached" }));
    // The guard's first look stops the search before its first expansion: the initial state.
    assert_eq!(doc["stats"]["states"], 1);
}

#[test]
fn a_trace_that_cannot_be_written_is_named_in_the_document_with_exit_4() {
    let dir = scratch_with_models("json-paths", "unwritable", &["seed_bug.mc"]);
    std::fs::write(dir.join("not-a-dir"), "").unwrap();
    let out = run_in(&dir, &["check", "models/seed_bug.mc", "--trace-out", "not-a-dir/t.json", "--json"]);
    assert_eq!(out.status.code(), Some(4));
    let doc = document(&out);
    assert_eq!(doc["verdict"], "violation");
    assert_eq!(doc["exit_code"], 4);
    assert!(doc["trace_error"].as_str().unwrap().starts_with("cannot write the trace to `not-a-dir/t.json`: "));
}

#[test]
fn mutexcheck_test_gives_the_diagnostics_of_a_model_that_does_not_compile() {
    let dir = scratch_dir("json-paths", "test-compile-error");
    std::fs::write(dir.join("bad.mc"), TWO_ERRORS).unwrap();
    let out = run_in(&dir, &["test", "bad.mc", "--json"]);
    assert_eq!(out.status.code(), Some(1));
    let doc = document(&out);
    assert_eq!(doc["failed"], 1);
    assert_eq!(doc["models"][0]["result"], "fail");
    assert_eq!(doc["models"][0]["diagnostics"], two_error_diagnostics("bad.mc"));
}

#[test]
fn every_models_report_and_the_test_report_follow_the_schema() {
    // Every verdict, a lasso among them, with and without timings and with fingerprints.
    let models = common::models_in(&repo().join("models"));
    for path in &models {
        let path = path.to_str().unwrap();
        for extra in [&["--no-timings"][..], &[], &["--fingerprints"]] {
            let out = run_in(&repo(), &[&["check", path, "--json", "--no-trace"][..], extra].concat());
            assert!(matches!(out.status.code(), Some(0 | 1)), "{path}: {}", text(&out.stderr));
            document(&out);
        }
    }
    let out = run_in(&repo(), &["test", "--json", "models/seed_bug.mc", "models/seed_fixed.mc"]);
    assert_eq!(document(&out)["passed"], 2);
}

#[test]
fn the_schema_rejects_a_document_of_the_wrong_shape() {
    // The schema checks above cannot pass vacuously.
    let out = run_in(&repo(), &["check", "models/seed_bug.mc", "--json", "--no-trace", "--no-timings"]);
    let good = document(&out);
    let mut bad = good.clone();
    bad["verdict"] = "violated".into();
    assert!(!schema_errors(&bad).is_empty());
    let mut bad = good.clone();
    bad["violation"] = Value::Null;
    assert!(!schema_errors(&bad).is_empty());
    let mut bad = good;
    bad["unknown"] = 1.into();
    assert!(!schema_errors(&bad).is_empty());
    let mut diagnostic = two_error_diagnostics("bad.mc")[0].clone();
    diagnostic["line"] = 0.into();
    let doc = json!({
        "model": null, "model_file": "bad.mc", "verdict": "bad_input", "complete": false, "exit_code": 2,
        "error": "e", "diagnostics": [diagnostic], "rendered": "",
    });
    assert!(!schema_errors(&doc).is_empty());
}

/// Runs `check` and `test` on what blocks for ever (a FIFO nobody opens on the other side),
/// so that only the backstop can end them, 900 ms after the time limit.
#[cfg(unix)]
mod backstop {
    use super::*;

    fn fifo(path: &std::path::Path) {
        let c = std::ffi::CString::new(path.to_str().unwrap()).unwrap();
        // SAFETY: mkfifo(3) with a valid NUL-terminated path.
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0, "mkfifo {}", path.display());
    }

    #[test]
    fn the_backstop_prints_the_incomplete_document_with_the_counts_so_far() {
        let dir = scratch_with_models("json-paths", "backstop-trace", &["seed_bug.mc"]);
        fifo(&dir.join("blocked.json"));
        // The search and its story take milliseconds; then writing the trace blocks.
        let args = ["check", "models/seed_bug.mc", "--json", "--no-timings", "--time-limit", "1"];
        let out = run_in(&dir, &[&args[..], &["--trace-out", "blocked.json"]].concat());
        assert_eq!(out.status.code(), Some(3), "{}", text(&out.stderr));
        assert_eq!(
            text(&out.stderr),
            "error: stopped: the time limit of 1 s was passed by more than 900ms; the run is incomplete\n"
        );
        let doc = document(&out);
        // The same run with its trace written elsewhere: the counts the backstop printed are
        // the finished search's, in the shape of any incomplete report.
        let done = document(&run_in(&dir, &[&args[..], &["--trace-out", "t.json"]].concat()));
        assert_eq!(done["verdict"], "violation");
        for key in ["model", "model_file", "strategy", "crashes", "reductions", "stats"] {
            assert_eq!(doc[key], done[key], "{key}");
        }
        assert_eq!(doc["verdict"], "incomplete");
        assert_eq!(doc["complete"], false);
        assert_eq!(doc["exit_code"], 3);
        assert_eq!(
            doc["incomplete"],
            json!({
                "limit": "time_limit",
                "message": "the time limit of 1 s was reached",
                "backstop": "the time limit of 1 s was passed by more than 900ms",
            })
        );
    }

    #[test]
    fn the_backstop_before_the_model_is_read_prints_a_document_without_a_model() {
        let dir = scratch_dir("json-paths", "backstop-read");
        fifo(&dir.join("model.mc"));
        let out = run_in(&dir, &["check", "model.mc", "--json", "--time-limit", "0.1"]);
        assert_eq!(out.status.code(), Some(3));
        assert_eq!(
            document(&out),
            json!({
                "model": null,
                "model_file": "model.mc",
                "verdict": "incomplete",
                "complete": false,
                "exit_code": 3,
                "incomplete": {
                    "limit": "time_limit",
                    "message": "the time limit of 0.1 s was reached",
                    "backstop": "the time limit of 0.1 s was passed by more than 900ms",
                },
                "stats": { "states": 0, "transitions": 0, "max_depth": 0 },
            })
        );
    }

    #[test]
    fn the_backstop_of_mutexcheck_test_prints_the_models_done_so_far() {
        let dir = scratch_with_models("json-paths", "backstop-test", &["seed_fixed.mc"]);
        fifo(&dir.join("blocked.mc"));
        let out = run_in(&dir, &["test", "models/seed_fixed.mc", "blocked.mc", "--json", "--time-limit", "1"]);
        assert_eq!(out.status.code(), Some(3));
        assert_eq!(
            document(&out),
            json!({
                "models": [{
                    "path": "models/seed_fixed.mc", "expected": "ok", "verdict": "ok", "result": "pass",
                    "detail": "ok",
                }],
                "passed": 1,
                "failed": 0,
                "complete": false,
                "exit_code": 3,
                "incomplete": {
                    "limit": "time_limit",
                    "message": "the time limit of 1 s was reached",
                    "backstop": "the time limit of 1 s was passed by more than 900ms",
                },
            })
        );
    }

    #[test]
    fn ctrl_c_with_json_prints_the_incomplete_document() {
        // Far more states than a debug build explores in a second (as user_habits.rs).
        let child = std::process::Command::new(env!("CARGO_BIN_EXE_mutexcheck"))
            .current_dir(repo())
            .args(["check", "models/bench/repair_n7_k4_c1.mc", "--no-reduce", "--threads", "1", "--json"])
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(1500));
        // SAFETY: kill(2) on our own child's pid, which has not been waited for yet.
        assert_eq!(unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGINT) }, 0);
        let out = child.wait_with_output().unwrap();
        assert_eq!(out.status.code(), Some(3), "{}", text(&out.stderr));
        let doc = document(&out);
        assert_eq!(doc["verdict"], "incomplete");
        assert_eq!(doc["incomplete"], json!({ "limit": "interrupted", "message": "the run was interrupted (Ctrl-C)" }));
        assert!(doc["stats"]["states"].as_u64().unwrap() > 1, "{doc}");
    }
}
