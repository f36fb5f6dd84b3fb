//! The search on hand-built models: exact state counts, shortest runs, limits, determinism.

mod support;

use std::time::Duration;

use mutexcheck_checker::report::{text, ReportOptions};
use mutexcheck_checker::{Limit, Limits, Strategy, Verdict, ViolationKind};
use mutexcheck_core::ir::{BinOp, Op};
use mutexcheck_core::Action;
use support::*;

fn counts(r: &mutexcheck_checker::CheckResult) -> (u64, u64, u32) {
    (r.stats.states, r.stats.transitions, r.stats.max_depth)
}

#[test]
fn one_thread_wait_release_without_crashes_has_three_states() {
    // s0 (pc 0, m free) -> wait -> s1 (pc 1, m owned count 1) -> release -> s2 (finished,
    // m free). Nothing else is enabled: 3 states, 2 transitions, depth 2.
    let (_, r) = run(model(0, vec![process("p", 1, vec![wait(1, 0), release(2, 0)])], vec![]));
    assert_eq!(r.verdict, Verdict::Ok);
    assert_eq!(counts(&r), (3, 2, 2));
    assert_eq!(r.verdict.kind(), mutexcheck_checker::VerdictKind::Ok);
}

#[test]
fn one_thread_wait_release_with_one_crash_has_five_states() {
    // Besides s0 -> s1 -> s2, the process may crash (budget 1) while it has a live thread:
    // in s0 (dead at pc 0, m free) and in s1 (dead at pc 1, m free and abandoned). s2 has
    // no live thread, and crash states have nothing enabled. 5 states, 4 transitions, depth 2.
    // A crash abandoning m is not a leak, so the verdict is ok.
    let (_, r) = run(model(1, vec![process("p", 1, vec![wait(1, 0), release(2, 0)])], vec![]));
    assert_eq!(r.verdict, Verdict::Ok);
    assert_eq!(counts(&r), (5, 4, 2));
}

#[test]
fn two_threads_wait_release_without_crashes_have_eight_states() {
    // States are pairs of pcs in {0, 1, 2} (2 = finished); (1, 1) is impossible since both
    // would own m, so 9 - 1 = 8 states, all reachable. Transitions: (0,0) has 2, (2,2) none,
    // every other state exactly 1 (the other thread is blocked or finished): 8. The longest
    // shortest path is to (2,2): 4 steps.
    let (_, r) = run(model(0, vec![process("worker", 2, vec![wait(1, 0), release(2, 0)])], vec![]));
    assert_eq!(r.verdict, Verdict::Ok);
    assert_eq!(counts(&r), (8, 8, 4));
}

#[test]
fn two_threads_wait_release_with_one_crash_have_twenty_two_states() {
    // The 8 crash-free states, plus the states after worker[0] crashed, with worker[1] at pc
    // y. Where worker[0] died is dead data, stored at one value, so a state is worker[1]'s
    // pc and m: (y = 0, m free), (y = 0, m abandoned: worker[0] died owning it), (y = 1, m
    // owned by worker[1]), (y = 2, m free), and (y = 2, m still abandoned) when the crash
    // came after worker[1] had finished: 5 states. (Keeping worker[0]'s pc would split
    // (y = 1) and (y = 2, m free) by where it died: 7.) By symmetry 5 more for worker[1]:
    // 8 + 5 + 5 = 18. Transitions: 8 thread steps crash-free; crashes from each crash-free
    // state, one per process with a live thread: 2+2+2+1+1+1+1+0 = 10; thread steps after a
    // crash: wait from (0, free) and from (0, abandoned), release from (1, owned): 3 per
    // side. 8 + 10 + 6 = 24. Deepest: crash of worker[0] owning m, then worker[1] waits and
    // releases: 4 steps (as deep as (2,2)).
    let (_, r) = run(model(1, vec![process("worker", 2, vec![wait(1, 0), release(2, 0)])], vec![]));
    assert_eq!(r.verdict, Verdict::Ok);
    assert_eq!(counts(&r), (18, 24, 4));
}

/// worker[0] writes a three times; worker[1] does a skip, then sets b to 1, which breaks
/// `invariant b_zero: b == 0`.
fn deep_and_shallow() -> mutexcheck_core::Model {
    let t0 = (1..=3).map(|k| assign(k, &format!("a = {k}"), 0, num(k as i32))).collect();
    let t1 = vec![at(5, "skip", Op::Skip), assign(6, "b = 1", 1, num(1))];
    model(
        0,
        vec![process("w", 1, t0), process("v", 1, t1)],
        vec![invariant("b_zero", bin(BinOp::Eq, var(1), num(0)), "b == 0")],
    )
}

#[test]
fn breadth_first_finds_a_shortest_counterexample() {
    let (_, r) = run(deep_and_shallow());
    let c = r.counterexample().expect("a violation");
    assert_eq!(c.violation.kind, ViolationKind::Invariant);
    assert_eq!(c.steps.len(), 2);
    assert!(c.steps.iter().all(|s| matches!(s.step.action, Action::Run { thread: 1, .. })));
}

#[test]
fn depth_first_follows_the_first_thread_to_its_end_before_the_second() {
    // DFS expands the first successor first: w's three writes, then v's two steps. The run
    // is then shortened: w's writes are not needed, v's two steps remain. No run of one step
    // violates anything (v's first step is a skip), so the 2 steps are known shortest.
    let (_, r) = run_with(deep_and_shallow(), Strategy::Dfs, Limits::default());
    let c = r.counterexample().expect("a violation");
    assert_eq!(c.violation.kind, ViolationKind::Invariant);
    assert_eq!((c.steps.len(), c.shortened_from, c.shortest), (2, Some(5), true));
    assert!(c.steps.iter().all(|s| matches!(s.step.action, Action::Run { thread: 1, .. })));
    assert_eq!(r.strategy, Strategy::Dfs);
}

#[test]
fn a_counterexample_replays_step_by_step_through_the_successor_function() {
    let (sys, r) = run(deep_and_shallow());
    let c = r.counterexample().unwrap();
    let mut at = c.initial.clone();
    assert_eq!(at, sys.initial_state());
    for ts in &c.steps {
        let mut succ = Vec::new();
        sys.successors(&at, &mut succ);
        assert!(succ.iter().any(|(st, s)| *st == ts.step && *s == ts.state));
        at = ts.state.clone();
    }
}

fn two_workers() -> mutexcheck_core::Model {
    model(0, vec![process("worker", 2, vec![wait(1, 0), release(2, 0)])], vec![])
}

#[test]
fn the_state_limit_stops_the_search_as_incomplete_with_partial_statistics() {
    let limits = Limits { max_states: Some(5), ..Limits::default() };
    let (_, r) = run_with(two_workers(), Strategy::Bfs, limits);
    assert_eq!(r.verdict, Verdict::Incomplete(Limit::MaxStates(5)));
    assert_eq!(r.stats.states, 5);
    assert_eq!(r.verdict.kind(), mutexcheck_checker::VerdictKind::Incomplete);
}

#[test]
fn a_state_limit_equal_to_the_state_count_is_complete() {
    let limits = Limits { max_states: Some(8), ..Limits::default() };
    let (_, r) = run_with(two_workers(), Strategy::Bfs, limits);
    assert_eq!(r.verdict, Verdict::Ok);
}

#[test]
fn the_depth_limit_is_incomplete_only_when_states_beyond_it_exist() {
    let cut = Limits { max_depth: Some(2), ..Limits::default() };
    let (_, r) = run_with(two_workers(), Strategy::Bfs, cut);
    assert_eq!(r.verdict, Verdict::Incomplete(Limit::MaxDepth(2)));
    // Depths 0, 1, 2 hold (0,0); (1,0), (0,1); (2,0), (0,2): 5 states.
    assert_eq!(r.stats.states, 5);
    let enough = Limits { max_depth: Some(4), ..Limits::default() };
    let (_, r) = run_with(two_workers(), Strategy::Bfs, enough);
    assert_eq!(r.verdict, Verdict::Ok);
}

/// Two processes each counting a shared variable from 0 to 99: 10,000+ states.
fn counters() -> mutexcheck_core::Model {
    let count = |v: usize, name: &str| {
        vec![
            at(1, &format!("while {name} < 99"), Op::Branch { cond: bin(BinOp::Lt, var(v), num(99)), target: 3 }),
            assign(2, &format!("{name} = {name} + 1"), v, bin(BinOp::Add, var(v), num(1))),
            at(2, "", Op::Goto { target: 0 }),
        ]
    };
    let mut m = model(0, vec![process("p", 1, count(0, "a")), process("q", 1, count(1, "b"))], vec![]);
    m.shared = vec![int("a", 0, 99, 0), int("b", 0, 99, 0)];
    m
}

#[test]
fn the_time_limit_stops_a_long_search_as_incomplete() {
    let limits = Limits { time_limit: Some(Duration::ZERO), ..Limits::default() };
    let (_, r) = run_with(counters(), Strategy::Bfs, limits);
    assert_eq!(r.verdict, Verdict::Incomplete(Limit::TimeLimit(Duration::ZERO)));
    assert!(r.stats.states > 0);
}

#[test]
fn the_memory_limit_stops_a_long_search_as_incomplete() {
    let limits = Limits { max_memory_mb: Some(1), ..Limits::default() };
    let (_, r) = run_with(counters(), Strategy::Dfs, limits);
    assert_eq!(r.verdict, Verdict::Incomplete(Limit::MaxMemory(1)));
}

#[test]
fn a_search_without_limits_over_a_larger_model_is_complete() {
    // Per process: at the branch with a in 0..=99 (100 states), after a true branch with a
    // in 0..=98 (99), finished with a = 99 (1): 200. The processes are independent: 200^2.
    let (_, r) = run(counters());
    assert_eq!(r.verdict, Verdict::Ok);
    assert_eq!(r.stats.states, 200 * 200);
}

#[test]
fn the_same_model_gives_byte_identical_reports_without_timings() {
    let opts = ReportOptions::default();
    let (s1, r1) = run(deep_and_shallow());
    let (s2, r2) = run(deep_and_shallow());
    assert_eq!(text(&s1, &r1, &opts), text(&s2, &r2, &opts));
    assert_eq!(r1.counterexample(), r2.counterexample());
}

#[test]
fn the_text_report_lists_verdict_sentence_numbered_steps_with_changes_and_statistics() {
    let (sys, r) = run(model(0, vec![process("p", 1, vec![wait(1, 0), wait(2, 0), release(3, 0)])], vec![]));
    let expected = "\
model t: breadth-first search, crashes allowed: 0, reductions: none
verdict: violation (leaked_ownership)
p ended owning m (count 1)

shortest counterexample (3 steps):
  initial state: a = 0, b = 0, m = free, n = free, p = running
  1. p line 1: wait m [OK (count 1)]    m: free -> owned by p (count 1)
  2. p line 2: wait m [OK (count 2)]    m: owned by p (count 1) -> owned by p (count 2)
  3. p line 3: release m [OK]    m: owned by p (count 2) -> free (abandoned), p: running -> finished

statistics:
  states:      3
  transitions: 3
  max depth:   3
";
    assert_eq!(text(&sys, &r, &ReportOptions::default()), expected);
    let timed = text(&sys, &r, &ReportOptions { timings: true, ..ReportOptions::default() });
    assert!(timed.starts_with(expected));
    assert!(timed[expected.len()..].starts_with("  time:        "));
}

#[test]
fn progress_is_reported_during_a_long_search_with_growing_counts() {
    let sys = system(counters());
    let mut seen = Vec::new();
    let request = mutexcheck_checker::Request::new();
    let r = request.check(&sys, &request.guard(), &mut |p| seen.push(p.stats.states));
    // One report per 1024 expansions: 40,000 states give 39.
    assert_eq!(seen.len(), 39);
    assert!(seen.windows(2).all(|w| w[0] <= w[1]));
    assert!(*seen.last().unwrap() <= r.stats.states);
}

#[test]
fn the_default_memory_bound_is_known_on_linux() {
    if cfg!(target_os = "linux") {
        assert!(Limits::default_memory_mb().is_some_and(|mb| mb > 0));
    }
}
