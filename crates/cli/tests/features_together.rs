//! The features of issue #20 used together, as a model of a real protocol uses them:
//! constants sizing arrays and process templates, procedures taking array elements, enum
//! parameters and results, `alive` and `atomic` inside procedures, `allow` beside a thread
//! that may die. Each test pins the exact verdict and state counts (worked out by hand in
//! its comment) without reductions and with the default ones.

mod common;
use common::verdict_and_length;

use mutexcheck_checker::{
    check_with, prepare, CheckResult, EngineOptions, Limits, Reductions, SearchOptions, Strategy,
};
use mutexcheck_core::allow::AllowKind;
use mutexcheck_core::System;
use mutexcheck_lang::compile;

fn system_of(source: &str) -> System {
    let model =
        compile("t.mc", source.as_bytes()).unwrap_or_else(|d| panic!("{}", d.render("t.mc", source.as_bytes())));
    prepare(model, None).unwrap()
}

fn run_check(system: &System, reductions: Reductions) -> CheckResult {
    let options = SearchOptions { strategy: Strategy::Bfs, limits: Limits::default() };
    check_with(system, &options, &EngineOptions { threads: 1, fingerprints: false, reductions }, &mut |_| {})
}

/// (verdict, breadth-first counterexample length, states, transitions) without reductions
/// and with the default ones.
fn counts(source: &str) -> [(String, Option<usize>, u64, u64); 2] {
    let system = system_of(source);
    [Reductions::NONE, Reductions::default()].map(|r| {
        let result = run_check(&system, r);
        let (verdict, length) = verdict_and_length(&result);
        (verdict, length, result.stats.states, result.stats.transitions)
    })
}

fn ok(states: u64, transitions: u64) -> (String, Option<usize>, u64, u64) {
    ("ok".into(), None, states, transitions)
}

fn violation(kind: &str, length: usize, states: u64, transitions: u64) -> (String, Option<usize>, u64, u64) {
    (kind.into(), Some(length), states, transitions)
}

/// The first error message of a model that must not compile, with its line and column.
fn first_error(source: &str) -> (String, u32, u32) {
    let d = compile("t.mc", source.as_bytes()).expect_err("the model must not compile");
    let e = &d.items[0];
    (e.message.clone(), e.line, e.col)
}

// --- Array elements as mutex arguments -------------------------------------------------

/// `acquire` in a procedure, called with an element of `lock` whose index is computed.
fn with_proc(n: u32, crashes: u32, second: bool) -> String {
    let second = if second { "    acquire(lock[(self + 1) % N])\n" } else { "" };
    format!(
        "model t\ncrashes {crashes}\nconst N = {n}\nmutex lock[N]\nshared inside: 0..3 = 0\n\
         proc acquire(m: mutex) {{\n    let r = wait m timeout\n    if r == OK {{\n        inside = inside + 1\n        \
         inside = inside - 1\n        release m\n    }}\n}}\n\
         process worker[N] {{\n    acquire(lock[self])\n{second}}}\n"
    )
}

/// The same with the body pasted in place of each call.
fn pasted(n: u32, crashes: u32, second: bool) -> String {
    let body = |r: &str, at: &str| {
        format!(
            "    let {r} = wait lock[{at}] timeout\n    if {r} == OK {{\n        inside = inside + 1\n        \
             inside = inside - 1\n        release lock[{at}]\n    }}\n"
        )
    };
    let second = if second { body("r2", "(self + 1) % N") } else { String::new() };
    format!(
        "model t\ncrashes {crashes}\nconst N = {n}\nmutex lock[N]\nshared inside: 0..3 = 0\n\
         process worker[N] {{\n{}{second}}}\n",
        body("r", "self")
    )
}

#[test]
fn an_element_argument_has_the_states_of_the_body_pasted_in_counted_by_hand() {
    // Two workers, each on its own lock (never contended, so the timed wait succeeds):
    // a worker is before the wait, at the `if`, at each of the two increments, at the
    // release, or finished: 6 places, and `inside` follows from them (the number of
    // workers between the two assignments). 6 x 6 = 36 states without reductions; from
    // each, every worker not finished moves once: 2 x 5 x 6 = 60 transitions.
    let inline = pasted(2, 0, false);
    let called = with_proc(2, 0, false);
    assert_eq!(counts(&inline)[0], ok(36, 60));
    assert_eq!(counts(&called), counts(&inline));
}

#[test]
fn an_element_argument_with_crashes_gives_the_verdict_and_counts_of_the_body_pasted_in() {
    // Three workers, each taking its own lock then its neighbour's: a worker that crashes
    // holding its own lock makes the neighbour's wait return ABANDONED, which `if r == OK`
    // ignores, so the neighbour ends owning the lock (leaked_ownership): 9 steps (the
    // neighbour's whole first call, the wait and crash, its second wait and `if`). Too
    // large to count by hand; pinned, and equal both ways.
    let inline = pasted(3, 1, true);
    let called = with_proc(3, 1, true);
    let want = [violation("leaked_ownership", 9, 475, 1195), violation("leaked_ownership", 9, 389, 889)];
    assert_eq!(counts(&inline), want);
    assert_eq!(counts(&called), counts(&inline));
}
