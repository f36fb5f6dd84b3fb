//! Issue #24 item 4: a crash or a thread's death says where each thread it killed was — in
//! the text report, the JSON report, the trace (format version 4, `killed`) and replay —
//! and traces of versions 1 to 3, which record no `killed`, still read and replay.

use std::path::{Path, PathBuf};

use mutexcheck_checker::report::{json, text, trace_json, ReportOptions};
use mutexcheck_checker::trace::{replay, ReplayVerdict, TraceFile, TraceOptions};
use mutexcheck_checker::{prepare, CheckResult, Reductions, Request, Verdict};
use mutexcheck_core::{Action, System};

fn models_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../models")
}

fn system_of_text(file: &str, source: &str) -> System {
    prepare(mutexcheck_lang::compile(file, source.as_bytes()).unwrap(), None).unwrap()
}

fn model(file: &str) -> (System, Vec<u8>) {
    let source = std::fs::read(models_dir().join(file)).unwrap();
    (system_of_text(file, std::str::from_utf8(&source).unwrap()), source)
}

fn checked(system: &System) -> CheckResult {
    let request = Request::new();
    request.check(system, &request.guard(), &mut |_| {})
}

fn trace_of(file: &str) -> (System, TraceFile) {
    let (system, source) = model(file);
    let result = checked(&system);
    let Verdict::Violation(cex) = &result.verdict else { panic!("{file} should have a violation") };
    let trace = TraceFile::new(
        &system,
        &format!("models/{file}"),
        &source,
        TraceOptions::new(&system, &Request::new().reductions(Reductions::NONE)),
        cex,
    );
    (system, trace)
}

#[test]
fn the_text_report_names_the_statement_the_crashed_thread_was_at() {
    // two_sections_crash.mc: transfer moved a unit out of ma (lines 24-26) and crashes
    // before `wait mb` (line 28), the point the exercise asks the student for.
    let (system, _) = model("two_sections_crash.mc");
    let report = text(&system, &checked(&system), &ReportOptions::default());
    assert!(
        report.contains("\n  9. transfer crashed at line 28, before: wait mb    transfer: running -> dead\n"),
        "{report}"
    );
}

#[test]
fn the_json_report_lists_each_killed_thread_with_line_and_statement() {
    let (system, _) = model("two_sections_crash.mc");
    let result = checked(&system);
    let doc = json(&system, &result, &ReportOptions::default());
    let step = &doc["trace"]["steps"][8];
    assert_eq!(step["action"]["kind"], "crash");
    assert_eq!(step["text"], "transfer crashed at line 28, before: wait mb");
    assert_eq!(
        step["killed"],
        serde_json::json!([{ "thread": "transfer", "line": 28, "statement": "wait mb", "blocked": false }])
    );
    // A step that runs a statement kills nobody: no `killed` member.
    assert!(doc["trace"]["steps"][0].get("killed").is_none());
    let Verdict::Violation(c) = &result.verdict else { panic!() };
    assert_eq!(trace_json(&system, c)["steps"][8]["killed"], step["killed"]);
}

#[test]
fn a_thread_death_names_the_statement_the_thread_was_at() {
    // thread_death_bug.mc: the writer dies between `a = 1` and `b = 1` (line 27).
    let (system, trace) = trace_of("thread_death_bug.mc");
    let death = trace.steps.iter().find(|s| s.action == "die").unwrap();
    assert_eq!(
        (death.killed.len(), death.killed[0].thread.as_str(), death.killed[0].pc, death.killed[0].operation.as_str()),
        (1, "server.writer", 2, "b = 1")
    );
    assert_eq!((death.killed[0].span.line, death.killed[0].blocked), (27, false));
    let report = text(&system, &checked(&system), &ReportOptions::default());
    assert!(report.contains(" server.writer died at line 27, before: b = 1    m: owned by"), "{report}");
}

#[test]
fn a_crash_of_several_threads_names_each_and_a_blocked_one_is_at_its_wait() {
    // holder takes m; then server crashes: its thread `a` is blocked in `wait m` (line 14),
    // its thread `b` has not run `x = 0` (line 18).
    let source = "model blocked_crash\ncrashes 1\nmutex m\nshared x: 0..1 = 0\n\
                  process holder {\n    wait m\n    x = 1\n    release m\n}\n\
                  process server {\n    thread a {\n        skip\n        skip\n        wait m\n        release m\n    }\n\
                  \x20   thread b {\n        x = 0\n    }\n}\n";
    let system = system_of_text("blocked_crash.mc", source);
    let mut state = system.initial_state();
    let mut succ = Vec::new();
    // holder: wait m; server.a: skip, skip (now blocked at `wait m`).
    for actor in [0u16, 1, 1] {
        succ.clear();
        system.successors(&state, &mut succ);
        state = succ
            .iter()
            .find(|(s, _)| matches!(s.action, Action::Run { thread, .. } if thread == actor))
            .unwrap()
            .1
            .clone();
    }
    succ.clear();
    system.successors(&state, &mut succ);
    let (crash, _) = succ.iter().find(|(s, _)| matches!(s.action, Action::Crash { process: 1 })).unwrap();
    assert_eq!(
        system.step_text_in(&state, crash),
        "server crashed: server.a at line 14, blocked in: wait m; server.b at line 18, before: x = 0"
    );
    let killed = mutexcheck_checker::trace::format::killed_records(&system, &state, crash);
    assert_eq!(
        killed.iter().map(|k| (k.thread.as_str(), k.span.line, k.blocked)).collect::<Vec<_>>(),
        [("server.a", 14, true), ("server.b", 18, false)]
    );
}

#[test]
fn a_version_4_trace_records_killed_and_replays_with_the_same_lines() {
    let (system, trace) = trace_of("two_sections_crash.mc");
    assert_eq!(trace.version, 4);
    let crash = &trace.steps[8];
    assert_eq!(
        (
            crash.killed[0].thread.as_str(),
            crash.killed[0].pc,
            crash.killed[0].operation.as_str(),
            crash.killed[0].span.line
        ),
        ("transfer", 3, "wait mb", 28)
    );
    let parsed = TraceFile::parse(trace.to_json().as_bytes()).unwrap();
    assert_eq!(parsed, trace);
    let r = replay(&system, &parsed);
    assert!(matches!(r.verdict, ReplayVerdict::Reproduced(_)), "{:?}", r.verdict);
    assert_eq!(r.lines[8], "  9. transfer crashed at line 28, before: wait mb    transfer: running -> dead");
}

#[test]
fn traces_of_versions_1_to_3_without_killed_still_replay_and_say_where() {
    let (system, mut trace) = trace_of("two_sections_crash.mc");
    trace.steps.iter_mut().for_each(|s| s.killed.clear());
    without_typed_values(&mut trace);
    let v4 = trace.to_json();
    for old in [1, 2, 3] {
        let text = v4.replacen("\"version\": 4", &format!("\"version\": {old}"), 1);
        let trace = TraceFile::parse(text.as_bytes()).unwrap();
        let r = replay(&system, &trace);
        assert!(matches!(r.verdict, ReplayVerdict::Reproduced(_)), "version {old}: {:?}", r.verdict);
        // The model still knows where the thread was: replay says it for an old trace too.
        assert_eq!(r.lines[8], "  9. transfer crashed at line 28, before: wait mb    transfer: running -> dead");
    }
}

#[test]
fn killed_in_a_trace_older_than_version_4_is_malformed() {
    let (_, mut trace) = trace_of("two_sections_crash.mc");
    without_typed_values(&mut trace);
    let v3 = trace.to_json().replacen("\"version\": 4", "\"version\": 3", 1);
    assert_eq!(
        TraceFile::parse(v3.as_bytes()).unwrap_err().to_string(),
        "the trace is malformed: `killed` is a version 4 field, but the trace says version 3"
    );
}

#[test]
fn a_crash_that_now_kills_a_thread_elsewhere_does_not_reproduce() {
    let (system, mut trace) = trace_of("two_sections_crash.mc");
    trace.steps[8].killed[0].pc = 2;
    trace.steps[8].killed[0].operation = "release ma".into();
    trace.steps[8].killed[0].span.line = 26;
    match replay(&system, &trace).verdict {
        ReplayVerdict::Diverged { step, reason } => assert_eq!(
            (step, reason.as_str()),
            (
                9,
                "transfer's crash now kills transfer at line 28 (`wait mb`), the trace says it killed transfer at line 26 (`release ma`)"
            )
        ),
        other => panic!("expected a divergence, got {other:?}"),
    }
}

#[test]
fn a_killed_thread_in_a_procedure_names_its_calls_and_a_blocked_one_its_lock() {
    // dotnet_named_mutex_broken.mc, step 2: app[0] crashes with main just past its lock
    // (line 48 of pthread_acquire) and worker blocked in the same lock (line 47), each
    // through wait_one's own call (lines 112 and 126).
    let (system, source) = model("case-studies/dotnet_named_mutex_broken.mc");
    let result = checked(&system);
    let doc = json(&system, &result, &ReportOptions::default());
    let step = &doc["trace"]["steps"][1];
    assert_eq!(
        step["text"],
        "app[0] crashed: app[0].main at line 48 in pthread_acquire, called at line 62 in try_acquire_lock, called at line 103 in wait_one, called at line 112, before: if r == OWNERDEAD; app[0].worker at line 47 in pthread_acquire, called at line 62 in try_acquire_lock, called at line 103 in wait_one, called at line 126, blocked in: let r = lock m"
    );
    let killed = step["killed"].as_array().unwrap();
    let calls = |k: &serde_json::Value| {
        k["called_from"].as_array().unwrap().iter().map(|c| c["span"]["line"].as_u64().unwrap()).collect::<Vec<_>>()
    };
    assert_eq!((killed[0]["line"].as_u64(), killed[0]["blocked"].as_bool()), (Some(48), Some(false)));
    assert_eq!(calls(&killed[0]), [112, 103, 62]);
    assert_eq!((killed[1]["line"].as_u64(), killed[1]["blocked"].as_bool()), (Some(47), Some(true)));
    assert_eq!(calls(&killed[1]), [126, 103, 62]);
    // The trace records the same, and replays.
    let Verdict::Violation(cex) = &result.verdict else { panic!() };
    let options = TraceOptions::new(&system, &Request::new());
    let trace = TraceFile::new(&system, "dotnet_named_mutex_broken.mc", &source, options, cex);
    let k = &trace.steps[1].killed;
    assert_eq!(
        k.iter().map(|k| (k.thread.as_str(), k.span.line, k.called_from.len(), k.blocked)).collect::<Vec<_>>(),
        [("app[0].main", 48, 3, false), ("app[0].worker", 47, 3, true)]
    );
    assert!(matches!(replay(&system, &trace).verdict, ReplayVerdict::Reproduced(_)));
}

/// Drops version 4's typed values, so that only `killed` tells a version 4 trace from an
/// older one.
fn without_typed_values(trace: &mut TraceFile) {
    for change in trace.steps.iter_mut().flat_map(|s| &mut s.changes) {
        (change.before_value, change.after_value) = (None, None);
    }
}
