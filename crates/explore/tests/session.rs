//! The run `explore` plays, without a server: the moves of a state, play, undo, back, a
//! trace as the history, saving, and the page being self-contained.

use std::path::{Path, PathBuf};

use mutexcheck_checker::prepare;
use mutexcheck_checker::trace::{replay, ReplayVerdict, TraceFile};
use mutexcheck_core::System;
use mutexcheck_explore::session::Refused;
use mutexcheck_explore::Session;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn seed_bug() -> (System, Vec<u8>) {
    let source = std::fs::read(root().join("models/seed_bug.mc")).unwrap();
    let system = prepare(mutexcheck_lang::compile("models/seed_bug.mc", &source).unwrap(), None).unwrap();
    (system, source)
}

fn session(save: &str) -> Session {
    let (system, source) = seed_bug();
    Session::new(system, source, "models/seed_bug.mc", save)
}

fn texts(s: &Session) -> Vec<String> {
    s.moves().into_iter().map(|m| m.text).collect()
}

#[test]
fn the_initial_state_offers_each_workers_step_and_each_crash() {
    let s = session("unused.json");
    assert_eq!(
        texts(&s),
        [
            "worker[0] line 21: while round < 2 [true]",
            "worker[1] line 21: while round < 2 [true]",
            "worker[0] crashed",
            "worker[1] crashed"
        ]
    );
    let actions: Vec<(String, String)> = s.moves().into_iter().map(|m| (m.actor, m.action)).collect();
    assert_eq!(actions[2], ("worker[0]".to_string(), "crash".to_string()));
    let view = s.view();
    assert_eq!((view.status, view.steps, view.violation.is_none()), ("running", 0, true));
    assert_eq!((view.view.states.len(), view.view.steps.len()), (1, 0));
}

/// A wait on a mutex another thread owns offers TIMEOUT only; after the owner's crash, the
/// same wait offers ABANDONED only (a wait on an available mutex does not time out), and
/// the crash budget of 1 is used up, so no crash is offered any more.
#[test]
fn the_outcomes_offered_follow_the_owner_of_m() {
    let mut s = session("unused.json");
    for m in [0, 1, 0] {
        s.play(m).unwrap();
    }
    assert_eq!(
        texts(&s),
        [
            "worker[0] line 23: if r == OK [true]",
            "worker[1] line 22: let r = wait m timeout [TIMEOUT]",
            "worker[0] crashed",
            "worker[1] crashed"
        ]
    );
    s.play(2).unwrap();
    assert_eq!(texts(&s), ["worker[1] line 22: let r = wait m timeout [ABANDONED (count 1)]"]);
    assert_eq!(s.view().path, [0, 1, 0, 2]);
}

#[test]
fn undo_and_back_cut_the_run_and_wrong_requests_are_refused() {
    let mut s = session("unused.json");
    assert_eq!(s.undo(), Err(Refused("nothing to undo: the run is at its initial state".into())));
    assert_eq!(s.play(4), Err(Refused("there is no move 4 here: 4 moves are enabled".into())));
    for m in [0, 1, 0, 1] {
        s.play(m).unwrap();
    }
    s.undo().unwrap();
    assert_eq!(s.view().path, [0, 1, 0]);
    assert_eq!(s.back_to(4), Err(Refused("there is no step 4: the run has 3 steps".into())));
    s.back_to(1).unwrap();
    assert_eq!(s.view().path, [0]);
    s.back_to(0).unwrap();
    assert_eq!((s.view().steps, s.view().view.states.len()), (0, 1));
}

/// The golden trace is played to its end: its path, its violation, no moves after it; the
/// run saved from it replays.
#[test]
fn a_trace_becomes_the_history_and_the_saved_run_replays() {
    let (system, source) = seed_bug();
    let golden = TraceFile::parse(&std::fs::read(root().join("traces/seed_bug.json")).unwrap()).unwrap();
    let save = Path::new(env!("CARGO_TARGET_TMPDIR")).join("explore-session/saved.json");
    let _ = std::fs::remove_file(&save);
    let mut s =
        Session::from_trace(system.clone(), source, "models/seed_bug.mc", save.to_str().unwrap(), &golden).unwrap();
    let view = s.view();
    assert_eq!((view.status, view.steps, view.moves.len()), ("violation", 12, 0));
    assert_eq!(view.path, [0, 1, 0, 1, 1, 1, 1, 2, 0, 0, 0, 0]);
    let v = view.violation.unwrap();
    assert_eq!(
        (v.kind.as_str(), v.message.as_str(), v.step),
        ("leaked_ownership", "worker[1] ended owning m (count 1)", 12)
    );
    assert!(s.play(0).unwrap_err().0.starts_with("the run has already broken a property (leaked_ownership)"));
    assert_eq!(s.save().unwrap(), save.to_str().unwrap());
    let saved = TraceFile::parse(&std::fs::read(&save).unwrap()).unwrap();
    assert_eq!(saved.steps, golden.steps, "the same steps as the trace it started from");
    assert_eq!((saved.options.search.as_str(), saved.options.reductions.len()), ("dfs", 0));
    assert!(matches!(replay(&system, &saved).verdict, ReplayVerdict::Reproduced(_)));
    // Back before the violation there is nothing to save.
    s.undo().unwrap();
    assert!(s.save().unwrap_err().0.starts_with("the run breaks no property yet"));
}

#[test]
fn the_page_is_self_contained() {
    let (system, _) = seed_bug();
    let page = mutexcheck_explore::page::html(&system);
    assert!(page.starts_with("<!DOCTYPE html>"));
    assert!(page.contains("<title>try_to_take — mutexcheck explore</title>"));
    assert!(page.contains("var MutexcheckViewer"), "the viewer's own script draws the run");
    assert!(page.contains("<main id=\"viewer\""), "into the viewer's own elements");
    for outside in ["<script src", "<link", "http://", "https://", "@import", "{{"] {
        assert!(!page.contains(outside), "the page loads nothing from elsewhere: {outside}");
    }
}
