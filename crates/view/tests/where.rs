//! Issue #24 item 4 in the viewer's data: a crash row says where the killed thread was and
//! the source panel's line is that statement's; a POSIX model is described in POSIX terms
//! (owner died, inconsistent, not recoverable); a lasso's page names its cycle.

use std::path::{Path, PathBuf};

use mutexcheck_checker::prepare;
use mutexcheck_checker::trace::{replay_run, TraceFile};
use mutexcheck_view::snapshot::ViewData;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The viewer's data of a model's golden trace in traces/.
fn data(stem: &str) -> ViewData {
    let source = std::fs::read(root().join(format!("models/{stem}.mc"))).unwrap();
    let model = mutexcheck_lang::compile(&format!("models/{stem}.mc"), &source).unwrap();
    let system = prepare(model, None).unwrap();
    let trace = TraceFile::parse(&std::fs::read(root().join(format!("traces/{stem}.json"))).unwrap()).unwrap();
    let run = replay_run(&system, &trace);
    ViewData::new(&system, &trace, &source, &run.initial, &run.steps)
}

#[test]
fn a_crash_step_carries_the_line_the_killed_thread_was_at_for_the_source_panel() {
    // seed_bug.mc, step 8: worker[0] crashes after its wait (line 22), before `if r == OK`
    // (line 23). The source panel highlights `steps[k - 1].line`: line 23, not the header.
    let d = data("seed_bug");
    let crash = &d.steps[7];
    assert_eq!((crash.action.as_str(), crash.line), ("crash", Some(23)));
    assert_eq!(crash.text, "worker[0] crashed at line 23, before: if r == OK");
    let killed: Vec<_> = crash.killed.iter().map(|k| (k.lane, k.line, k.statement.as_str(), k.at.as_str())).collect();
    assert_eq!(killed, [(0, Some(23), "if r == OK", "at line 23, before: if r == OK")]);
    // A step that runs a statement kills nobody.
    assert!(d.steps[6].killed.is_empty());
}

#[test]
fn a_posix_model_marks_owner_died_then_inconsistent_then_not_recoverable() {
    // posix_forgot_consistent.mc: worker[0] crashes owning m (step 4), worker[1] locks it
    // with OWNERDEAD (step 5) and unlocks it without `consistent` (step 10).
    let d = data("posix_forgot_consistent");
    assert_eq!(d.semantics, "posix");
    let m = |k: usize| {
        let m = &d.states[k].mutexes[0];
        (m.owner, m.abandoned, m.inconsistent, m.not_recoverable, m.text.as_str())
    };
    assert_eq!(m(4), (None, true, false, false, "free (owner died)"));
    // Not "cleared": the mutex stays inconsistent while worker[1] works on the data.
    for k in 5..=9 {
        assert_eq!(m(k), (Some(1), false, true, false, "owned by worker[1] (count 1, inconsistent)"), "step {k}");
    }
    assert_eq!(m(10), (None, false, false, true, "not recoverable"));
    assert_eq!(d.steps[4].outcome, "OWNERDEAD");
    assert_eq!(d.steps[3].text, "worker[0] crashed at line 24, before: if r == OWNERDEAD");
}

#[test]
fn a_win32_model_says_win32() {
    let d = data("seed_bug");
    assert_eq!(d.semantics, "win32");
    assert!(d.states.iter().all(|s| s.mutexes.iter().all(|m| !m.inconsistent && !m.not_recoverable)));
}

#[test]
fn the_page_script_speaks_each_flavor_and_names_a_lasso_as_a_cycle() {
    // The words the script draws (run in a browser by crates/cli/tests/viewer_browser.rs):
    // POSIX's legend and marks, the cycle's legend entry, and a lasso's violation line.
    let js = include_str!("../src/template/viewer.js");
    for words in [
        "['OWNERDEAD', 'badge o-ABANDONED']",
        "owner died (next lock: OWNERDEAD)",
        "['inconsistent', 'swatch own inconsistent']",
        "if (v && v.cycle_start) keys.push(['cycle: repeats forever', 'swatch cycle-key']);",
        "'Violation: the cycle of steps ' + v.cycle_start + '-' + v.step + ' repeats forever (",
        "if (posix && mark === 'cleared' && st.inconsistent) mark = 'ownerdead';",
    ] {
        assert!(js.contains(words), "viewer.js lacks {words}");
    }
    let livelock = data("livelock");
    let v = livelock.violation.as_ref().unwrap();
    assert_eq!((v.cycle_start, v.step), (Some(3), 14));
}
