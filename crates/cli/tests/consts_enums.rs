//! Named constants and enums end to end (issue #20): a model written with them explores the
//! same states as the one written with magic numbers, and every place that shows a value —
//! the text report, the JSON report, the JSON trace, `replay`, `graph` and the viewer —
//! writes an enum member by its name.

mod common;

use common::{run_in, scratch_dir, text};
use mutexcheck_checker::{prepare, CheckResult, Reductions, Request, Verdict};
use mutexcheck_lang::compile;

/// Two workers take `m`, set the phase to busy then done, and release `m`.
const MAGIC: &str = "model phases\nmutex m\nshared phase: 0..2 = 0\nprocess worker[2] {\n    wait m\n    \
                     phase = 1\n    phase = 2\n    release m\n}\n";
/// The same model with a constant and an enum.
const NAMED: &str = "model phases\nconst WORKERS = 2\nenum Phase { Idle, Busy, Done }\nmutex m\n\
                     shared phase: Phase = Idle\nprocess worker[WORKERS] {\n    wait m\n    phase = Busy\n    \
                     phase = Done\n    release m\n}\n";

/// A writer sets the phase to `Writing` and then `Done`; a reader asserts it never sees
/// `Writing`. Shortest counterexample: the writer's first step, then the reader's assert.
const BUG: &str = "// expect: violation assert\nmodel phases_bug\nenum Phase { Idle, Writing, Done }\n\
                   shared phase: Phase = Idle\nprocess writer {\n    phase = Writing\n    phase = Done\n}\n\
                   process reader {\n    assert phase != Writing\n}\n";

fn check(src: &str, crashes: u32, reductions: Reductions) -> CheckResult {
    let model = compile("t.mc", src.as_bytes()).unwrap_or_else(|d| panic!("{}", d.render("t.mc", src.as_bytes())));
    let system = prepare(model, Some(crashes)).unwrap();
    let request = Request::new().reductions(reductions);
    request.check(&system, &request.guard(), &mut |_| {})
}

fn counts(r: &CheckResult) -> (u64, u64, u32) {
    (r.stats.states, r.stats.transitions, r.stats.max_depth)
}

#[test]
fn a_model_with_const_and_enum_has_the_states_of_its_magic_number_twin() {
    // Without crashes each worker is at pc 0..=4 (4: finished), and whoever is at 1..=3 holds
    // m, so both cannot be there: 25 - 9 = 16 states (the phase follows from the pcs). Every
    // state has one step but (0,0) with two and (4,4) with none: 16 transitions; (4,4) is
    // 8 steps deep.
    let magic = check(MAGIC, 0, Reductions::NONE);
    let named = check(NAMED, 0, Reductions::NONE);
    assert_eq!(magic.verdict, Verdict::Ok);
    assert_eq!(named.verdict, Verdict::Ok);
    assert_eq!(counts(&magic), (16, 16, 8));
    assert_eq!(counts(&named), (16, 16, 8));
    for (crashes, reductions) in [(1, Reductions::NONE), (1, Reductions::ALL), (0, Reductions::ALL)] {
        let (a, b) = (check(MAGIC, crashes, reductions), check(NAMED, crashes, reductions));
        assert_eq!(a.verdict, b.verdict, "crashes {crashes}, {:?}", reductions.names());
        assert_eq!(counts(&a), counts(&b), "crashes {crashes}, {:?}", reductions.names());
    }
}

#[test]
fn a_counterexample_shows_enum_members_by_name_in_every_output() {
    let dir = scratch_dir("consts_enums", "by_name");
    std::fs::write(dir.join("bug.mc"), BUG).unwrap();

    let out = run_in(&dir, &["check", "bug.mc", "--no-timings"]);
    assert_eq!(out.status.code(), Some(1));
    let report = text(&out.stdout);
    assert!(report.contains("  initial state: phase = Idle, writer = running, reader = running\n"), "{report}");
    assert!(report.contains("  1. writer line 6: phase = Writing    phase: Idle -> Writing\n"), "{report}");
    assert!(report.contains("  2. reader line 10: assert phase != Writing [assertion failed]\n"), "{report}");

    let out = run_in(&dir, &["check", "bug.mc", "--json", "--no-timings"]);
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        doc["trace"]["initial"][0],
        serde_json::json!({ "name": "phase", "value": "Idle", "typed_value": "Idle" })
    );
    let change = serde_json::json!([{
        "name": "phase", "before": "Idle", "after": "Writing", "before_value": "Idle", "after_value": "Writing"
    }]);
    assert_eq!(doc["trace"]["steps"][0]["changes"], change);

    let trace: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("traces/bug.json")).unwrap()).unwrap();
    // Enum members are written by name, in the prose and (version 4) the typed values alike.
    assert_eq!(trace["version"], 4);
    assert_eq!(trace["steps"][0]["changes"], change);

    let out = run_in(&dir, &["replay", "traces/bug.json"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("  1. writer line 6: phase = Writing    phase: Idle -> Writing\n"));

    let out = run_in(&dir, &["graph", "bug.mc", "--crashes", "0"]);
    let dot = text(&out.stdout);
    assert!(dot.contains(r#"s0 [label="writer: at line 6\lreader: at line 10\lphase = Idle\l""#), "{dot}");
    assert!(dot.contains(r#"phase = Writing\l"#), "{dot}");

    let out = run_in(&dir, &["view", "traces/bug.json", "-o", "bug.html"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let page = std::fs::read_to_string(dir.join("bug.html")).unwrap();
    assert!(page.contains(r#""shared":[{"name":"phase","value":"Writing"}]"#));
}

#[test]
fn replay_names_enum_members_when_a_step_changes_something_else() {
    let dir = scratch_dir("consts_enums", "replay_diverges");
    std::fs::write(dir.join("bug.mc"), BUG).unwrap();
    assert_eq!(run_in(&dir, &["check", "bug.mc", "--quiet"]).status.code(), Some(1));
    // The model now starts in `Done`: the first step changes the phase from there.
    std::fs::write(dir.join("bug.mc"), BUG.replace("= Idle", "= Done")).unwrap();
    let out = run_in(&dir, &["replay", "traces/bug.json"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stdout).contains(
            "step 1: writer `phase = Writing` now changes phase: Done -> Writing, the trace says it changes \
             phase: Idle -> Writing"
        ),
        "{}",
        text(&out.stdout)
    );
}

#[test]
fn reordering_an_enums_members_keeps_a_trace_replaying() {
    // Values are recorded by name, so the trace does not depend on the members' numbering.
    let dir = scratch_dir("consts_enums", "reorder");
    std::fs::write(dir.join("bug.mc"), BUG).unwrap();
    assert_eq!(run_in(&dir, &["check", "bug.mc", "--quiet"]).status.code(), Some(1));
    std::fs::write(dir.join("bug.mc"), BUG.replace("{ Idle, Writing, Done }", "{ Idle, Done, Writing }")).unwrap();
    let out = run_in(&dir, &["replay", "traces/bug.json"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stdout));
}

#[test]
fn the_language_docs_example_of_const_and_enum_compiles_and_is_ok() {
    let doc = std::fs::read_to_string(common::repo().join("docs/language.md")).unwrap();
    let section = doc.split("## Constants and enums\n").nth(1).expect("the section");
    let example = section.split("```\n").nth(1).expect("its example");
    let r = check(&format!("model doc\n{example}"), 1, Reductions::NONE);
    assert_eq!(r.verdict, Verdict::Ok);
}
