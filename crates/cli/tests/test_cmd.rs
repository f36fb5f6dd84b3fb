//! `mutexcheck test`: every model under the paths against its `// expect:` line, on a small
//! directory of models that pass, fail, lack an expect line and do not compile.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const PASS: &str = "// expect: ok\nmodel pass\nmutex m\nprocess worker[2] {\n    wait m\n    release m\n}\n";
const FAIL: &str =
    "// A worker that forgets to release.\n// expect: ok\nmodel leak\nmutex m\nprocess worker {\n    wait m\n}\n";
const NO_EXPECT: &str = "model no_expect\nmutex m\nprocess worker {\n    wait m\n    release m\n}\n";
const BROKEN: &str = "// expect: ok\nmodel broken\nprocess worker {\n    x = 1\n}\n";
const NESTED: &str = "// expect: violation leaked_ownership\nmodel nested\nmutex m\nprocess worker {\n    wait m\n}\n";

/// A scratch directory holding `models/` with the five models above (one in `sub/`) and a
/// file that is not a model.
fn scratch(test: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("test-cmd").join(test);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("models/sub")).unwrap();
    for (name, text) in [
        ("pass.mc", PASS),
        ("fail.mc", FAIL),
        ("no_expect.mc", NO_EXPECT),
        ("broken.mc", BROKEN),
        ("sub/nested.mc", NESTED),
        ("notes.txt", "not a model\n"),
    ] {
        std::fs::write(dir.join("models").join(name), text).unwrap();
    }
    dir
}

fn run(cwd: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_mutexcheck")).current_dir(cwd).args(args).output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

const REPORT: &str = "\
FAIL  models/broken.mc: does not compile: line 4:5: unknown name `x`
FAIL  models/fail.mc: expected ok, got violation leaked_ownership
FAIL  models/no_expect.mc: no `// expect: ok` or `// expect: violation KIND` line in its header (got ok)
pass  models/pass.mc: ok
pass  models/sub/nested.mc: violation leaked_ownership
2 passed, 3 failed
";

#[test]
fn every_model_under_models_gets_one_line_in_sorted_order_and_a_count() {
    let dir = scratch("default");
    let out = run(&dir, &["test"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(text(&out.stdout), REPORT, "models/ is the default path");
    assert_eq!(text(&out.stderr), "");
    let out = run(&dir, &["test", "models"]);
    assert_eq!((out.status.code(), text(&out.stdout)), (Some(1), REPORT.to_string()));
}

#[test]
fn all_passing_exits_0_and_named_files_are_tested_whatever_their_extension() {
    let dir = scratch("passing");
    std::fs::write(dir.join("pass.model"), PASS).unwrap();
    let out = run(&dir, &["test", "models/pass.mc", "models/sub", "pass.model"]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        text(&out.stdout),
        "pass  models/pass.mc: ok\npass  models/sub/nested.mc: violation leaked_ownership\npass  pass.model: ok\n3 passed, 0 failed\n"
    );
}

#[test]
fn an_incomplete_search_never_matches_an_expectation() {
    let dir = scratch("incomplete");
    let out = run(&dir, &["test", "models/pass.mc", "--max-states", "1"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        text(&out.stdout),
        "FAIL  models/pass.mc: expected ok, got incomplete (max_states)\n0 passed, 1 failed\n"
    );
}

#[test]
fn an_unreadable_path_is_reported_and_exits_2_after_the_others_ran() {
    let dir = scratch("unreadable");
    let out = run(&dir, &["test", "nope", "models/pass.mc"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        text(&out.stdout),
        "FAIL  nope: cannot read: No such file or directory (os error 2)\npass  models/pass.mc: ok\n1 passed, 1 failed\n"
    );
    std::fs::create_dir_all(dir.join("empty")).unwrap();
    let out = run(&dir, &["test", "empty"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(text(&out.stdout), "0 passed, 0 failed\n");
    assert_eq!(text(&out.stderr), "error: no `.mc` model files under empty\n");
}

#[test]
fn json_gives_every_model_with_expected_verdict_and_result() {
    let dir = scratch("json");
    let out = run(&dir, &["test", "--json"]);
    assert_eq!(out.status.code(), Some(1));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!((doc["passed"].as_u64(), doc["failed"].as_u64()), (Some(2), Some(3)));
    let models = doc["models"].as_array().unwrap();
    let row = |i: usize| {
        let m = &models[i];
        (m["path"].as_str(), m["expected"].as_str(), m["verdict"].as_str(), m["result"].as_str())
    };
    assert_eq!(models.len(), 5);
    assert_eq!(row(0), (Some("models/broken.mc"), Some("ok"), None, Some("fail")));
    assert_eq!(row(1), (Some("models/fail.mc"), Some("ok"), Some("violation leaked_ownership"), Some("fail")));
    assert_eq!(row(2), (Some("models/no_expect.mc"), None, Some("ok"), Some("fail")));
    assert_eq!(row(3), (Some("models/pass.mc"), Some("ok"), Some("ok"), Some("pass")));
    assert_eq!(models[0]["detail"], "does not compile: line 4:5: unknown name `x`");
}
