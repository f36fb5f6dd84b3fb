//! `mutexcheck view` and `check --html` end to end through the binary (the page's drawing is
//! tested in a real browser by `viewer_browser.rs`).

use std::path::PathBuf;

mod common;
use common::{repo as root, run_in as run, scratch_with_models, text};

/// A scratch directory of this test's own with `models/seed_bug.mc`, `models/seed_fixed.mc`
/// and the golden `traces/seed_bug.json`.
fn scratch(test: &str) -> PathBuf {
    let dir = scratch_with_models("view-cli", test, &["seed_bug.mc", "seed_fixed.mc"]);
    std::fs::create_dir_all(dir.join("traces")).unwrap();
    std::fs::copy(root().join("traces/seed_bug.json"), dir.join("traces/seed_bug.json")).unwrap();
    dir
}

#[test]
fn view_writes_the_page_next_to_the_trace_by_default() {
    let dir = scratch("default");
    let out = run(&dir, &["view", "traces/seed_bug.json"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "trace viewer written to traces/seed_bug.html (12 steps; open it in a browser)\n");
    assert_eq!(text(&out.stderr), "");
    let page = std::fs::read_to_string(dir.join("traces/seed_bug.html")).unwrap();
    assert!(page.starts_with("<!DOCTYPE html>") && page.contains(r#""message":"worker[1] ended owning m (count 1)""#));
}

#[test]
fn check_html_writes_the_same_page_as_view_of_its_trace() {
    let dir = scratch("check-html");
    let out = run(&dir, &["check", "models/seed_bug.mc", "--no-timings", "--html", "out/seed.html"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stdout).ends_with(
        "trace written to traces/seed_bug.json (replay: mutexcheck replay traces/seed_bug.json)\n\
         trace viewer written to out/seed.html (open it in a browser)\n"
    ));
    let out = run(&dir, &["view", "traces/seed_bug.json", "-o", "out/viewed.html"]);
    assert_eq!(out.status.code(), Some(0));
    let checked = std::fs::read(dir.join("out/seed.html")).unwrap();
    assert!(checked == std::fs::read(dir.join("out/viewed.html")).unwrap(), "the same trace gives the same page");

    // --no-trace still writes the page (the trace is made in memory); --json names it.
    let out = run(&dir, &["check", "models/seed_bug.mc", "--no-trace", "--json", "--html", "out/json.html"]);
    assert_eq!(out.status.code(), Some(1));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["html_file"], "out/json.html");
    assert!(doc.get("trace_file").is_none());
    assert!(std::fs::read(dir.join("out/json.html")).unwrap() == checked);
}

#[test]
fn check_html_on_an_ok_model_writes_nothing_and_says_so() {
    let dir = scratch("check-ok");
    let out = run(&dir, &["check", "models/seed_fixed.mc", "--quiet", "--html", "out/fixed.html"]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(text(&out.stderr), "note: no violation, so no trace to show: `out/fixed.html` not written\n");
    assert!(!dir.join("out").exists());
}

#[test]
fn view_of_a_trace_that_no_longer_replays_names_the_step_and_exits_2() {
    let dir = scratch("diverged");
    let out = run(&dir, &["view", "traces/seed_bug.json", "--model", "models/seed_fixed.mc", "-o", "x.html"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        text(&out.stderr),
        "warning: `models/seed_fixed.mc` has changed since the trace was written (its SHA-256 differs); showing it anyway\n\
         warning: the trace is of model `try_to_take`, but `models/seed_fixed.mc` is model `try_to_take_fixed`\n\
         error: the trace does not replay on this model, so it cannot be shown: step 5: worker[1]'s instruction 2 is now line 24, `if r == ABANDONED`; the trace expects `if r == OK` there (line 23, as recorded): the model's code has changed\n"
    );
    assert!(!dir.join("x.html").exists());
}

#[test]
fn view_of_unreadable_input_is_a_clear_error_with_exit_2() {
    let dir = scratch("unreadable");
    let out = run(&dir, &["view", "nope.json"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(text(&out.stderr), "error: cannot read `nope.json`: No such file or directory (os error 2)\n");
    std::fs::write(dir.join("bad.json"), "{\"format\": \"something else\"}").unwrap();
    let out = run(&dir, &["view", "bad.json"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        text(&out.stderr),
        "error: bad.json: this is not a mutexcheck trace: its format is \"something else\", expected \"mutexcheck-trace\"\n"
    );
    let out = run(&dir, &["view", "traces/seed_bug.json", "-o", "traces/seed_bug.json/x.html"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).starts_with("error: cannot write the page to `traces/seed_bug.json/x.html`: "));
}
