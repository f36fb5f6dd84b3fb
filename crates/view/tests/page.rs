//! The viewer's data and page for the seed bug's golden trace, and escaping of hostile text.

use std::path::{Path, PathBuf};

use mutexcheck_checker::prepare;
use mutexcheck_checker::trace::{replay_run, TraceFile};
use mutexcheck_core::System;
use mutexcheck_view::snapshot::ViewData;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn system_of(source: &[u8]) -> System {
    prepare(mutexcheck_lang::compile("models/seed_bug.mc", source).unwrap(), None).unwrap()
}

fn seed_bug() -> (System, TraceFile, Vec<u8>) {
    let source = std::fs::read(root().join("models/seed_bug.mc")).unwrap();
    let trace = TraceFile::parse(&std::fs::read(root().join("traces/seed_bug.json")).unwrap()).unwrap();
    (system_of(&source), trace, source)
}

fn data() -> ViewData {
    let (system, trace, source) = seed_bug();
    let run = replay_run(&system, &trace);
    ViewData::new(&system, &trace, &source, &run.initial, &run.steps)
}

#[test]
fn the_seed_bug_has_two_lanes_twelve_steps_and_a_state_before_and_after_each() {
    let d = data();
    let lanes: Vec<&str> = d.lanes.iter().map(|l| l.name.as_str()).collect();
    assert_eq!(lanes, ["worker[0]", "worker[1]"]);
    assert_eq!((d.steps.len(), d.states.len(), d.mutexes.clone()), (12, 13, vec!["m".to_string()]));
    let v = d.violation.as_ref().unwrap();
    assert_eq!(
        (v.kind.as_str(), v.message.as_str(), v.step),
        ("leaked_ownership", "worker[1] ended owning m (count 1)", 12)
    );
    assert_eq!(d.options, "crashes allowed: 1, search: bfs, reductions: partial_order, symmetry");
}

#[test]
fn the_owner_of_m_follows_the_crash_the_abandoned_wait_and_the_leak() {
    let d = data();
    let m = |k: usize| {
        let m = &d.states[k].mutexes[0];
        (m.owner, m.count, m.abandoned, m.text.as_str())
    };
    assert_eq!(m(0), (None, 0, false, "free"));
    assert_eq!(m(7), (Some(0), 1, false, "owned by worker[0] (count 1)"));
    assert_eq!(m(8), (None, 0, true, "free (abandoned)"));
    assert_eq!(m(9), (Some(1), 1, false, "owned by worker[1] (count 1)"));
    assert_eq!(m(12), (None, 0, true, "free (abandoned)"));
    let crash = &d.steps[7];
    assert_eq!((crash.action.as_str(), crash.actor.as_str(), crash.lanes.clone()), ("crash", "worker[0]", vec![0]));
    let wait = &d.steps[8];
    assert_eq!((wait.outcome.as_str(), wait.count, wait.line), ("ABANDONED", Some(1), Some(22)));
    assert_eq!(wait.text, "worker[1] line 22: let r = wait m timeout [ABANDONED (count 1)]");
}

#[test]
fn threads_have_their_status_next_line_and_locals_without_prefix() {
    let d = data();
    let t = |k: usize, lane: usize| &d.states[k].threads[lane];
    assert_eq!((t(0, 0).status.as_str(), t(0, 0).next_line), ("running", Some(21)));
    assert_eq!((t(8, 0).status.as_str(), t(8, 0).next_line), ("dead", None));
    assert_eq!((t(12, 1).status.as_str(), t(12, 1).next_line), ("finished", None));
    let locals: Vec<(&str, &str)> = t(9, 1).locals.iter().map(|i| (i.name.as_str(), i.value.as_str())).collect();
    assert_eq!(locals, [("round", "1"), ("r", "ABANDONED")]);
    let shared: Vec<(&str, &str)> = d.states[12].shared.iter().map(|i| (i.name.as_str(), i.value.as_str())).collect();
    assert_eq!(shared, [("a", "0"), ("b", "0")]);
    assert!(d.states[0].memory.iter().all(Vec::is_empty), "single-thread processes have no process memory");
}

#[test]
fn the_page_is_self_contained_and_holds_the_data_and_the_source() {
    let (system, trace, source) = seed_bug();
    let page = mutexcheck_view::render(&system, &trace, &source).unwrap();
    assert!(page.starts_with("<!DOCTYPE html>"));
    assert!(page.contains("<title>try_to_take — mutexcheck trace</title>"));
    for remote in ["http://", "https://", "src=", "<link"] {
        assert!(!page.contains(remote), "the page must need no network: {remote}");
    }
    assert!(!page.contains("{{"), "every template slot is filled");
    assert!(page.contains(r#""message":"worker[1] ended owning m (count 1)""#));
    assert!(page.contains("protect m: a == b"), "the model source is in the page");
}

/// A model's comments may hold anything; none of it may end the data's script element or
/// start markup: `<`, `>` and `&` reach the page only as JSON escapes.
#[test]
fn hostile_text_in_the_model_cannot_break_out_of_the_data() {
    let (_, trace, source) = seed_bug();
    let mut hostile = source.clone();
    hostile.extend_from_slice(b"// </script><script>alert(1)</script> <!-- & <img src=x onerror=alert(2)>\n");
    let page = mutexcheck_view::render(&system_of(&hostile), &trace, &hostile).unwrap();
    assert_eq!(page.matches("</script>").count(), 2, "only the page's own two script elements end");
    assert_eq!(page.matches("<script").count(), 2);
    assert!(!page.contains("<img"));
    assert!(page.contains(r"\u003c/script\u003e\u003cscript\u003ealert(1)"));
}

#[test]
fn a_trace_that_does_not_replay_is_refused_with_the_step_and_reason() {
    let (system, mut trace, source) = seed_bug();
    trace.steps[8].outcome = "OK".into();
    let err = mutexcheck_view::render(&system, &trace, &source).unwrap_err();
    assert_eq!(err.step, 9);
    assert_eq!(
        err.to_string(),
        "the trace does not replay on this model, so it cannot be shown: step 9: worker[1] `let r = wait m timeout` now returns ABANDONED (count 1), the trace says OK (count 1)"
    );
}

#[test]
fn the_page_of_a_fresh_counterexample_is_the_page_of_its_replayed_trace() {
    // `check --html` makes the page from the counterexample without replaying its trace:
    // it must be the very page `view` makes by replaying it, for a search of every kind.
    let source = std::fs::read(root().join("models/seed_bug.mc")).unwrap();
    let system = system_of(&source);
    for strategy in [mutexcheck_checker::Strategy::Bfs, mutexcheck_checker::Strategy::Dfs] {
        let request = mutexcheck_checker::Request::new().engine(strategy);
        let result = request.check(&system, &request.guard(), &mut |_| {});
        let cex = result.counterexample().expect("the seed bug has a violation");
        let options = mutexcheck_checker::trace::TraceOptions::new(&system, &request.in_effect(&result.stats));
        let trace = TraceFile::new(&system, "models/seed_bug.mc", &source, options, cex);
        let fresh = mutexcheck_view::render_counterexample(&system, &trace, &source, cex);
        assert_eq!(mutexcheck_view::render(&system, &trace, &source).unwrap(), fresh, "{strategy:?}");
    }
}
