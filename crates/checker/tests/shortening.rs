//! Shortening under a time bound (fuzz finding 4, issue #15): the parallel search with
//! fingerprints printed a 1539-step counterexample where one thread printed 1532, because
//! the one-second time limit stopped the shortening at a different point — silently. The
//! same model and options must give the same output; where a bound cuts the shortening,
//! the counterexample must say so, so that a difference is never unexplained.

use std::time::Duration;

use mutexcheck_checker::{prepare, Bfs, CheckResult, Limits, Reductions, Request, Spread};
use mutexcheck_lang::compile;

/// The fuzzer's input, kept as it was found (a mutated bench model: eight workers that
/// never release, so the recursion limit is hit after a long run).
const FINDING: &str = include_str!("inputs/fuzz_finding_4_shortening_cut.mc");

fn check(limits: Limits, threads: usize, fingerprints: bool) -> CheckResult {
    let model = compile("finding.mc", FINDING.as_bytes()).expect("the finding compiles");
    let system = prepare(model, None).unwrap();
    let engine = Bfs::new().threads(threads).fingerprints(fingerprints).spread(Spread::Always);
    let request = Request::new().engine(engine).reductions(Reductions::ALL).limits(limits);
    request.check(&system, &request.guard(), &mut |_| {})
}

fn summary(r: &CheckResult) -> (String, u64, Option<(usize, Option<usize>)>) {
    let kind = match r.counterexample() {
        Some(c) => c.violation.kind.name().to_string(),
        None => format!("{:?}", r.verdict),
    };
    (kind, r.stats.states, r.counterexample().map(|c| (c.steps.len(), c.shortened_from)))
}

#[test]
fn without_a_time_bound_the_shortened_counterexample_is_the_same_on_any_engine() {
    let limits = Limits { max_states: Some(2000), ..Limits::default() };
    let one = check(limits, 1, false);
    assert_eq!(summary(&one), ("recursion_limit".into(), 1534, Some((1532, Some(1539)))));
    assert_eq!(one.counterexample().unwrap().shortening_stopped, None);
    assert_eq!(summary(&check(limits, 2, true)), summary(&one));
}

#[test]
fn a_counterexample_under_a_time_bound_is_the_unbounded_one_unless_it_says_the_bound_cut_it() {
    let unbounded = summary(&check(Limits { max_states: Some(2000), ..Limits::default() }, 1, false));
    // The fuzzer's bounds, tighter: the search (1,534 states) finishes within them, the
    // shortening of a 1,539-step run may not.
    let limits = Limits { max_states: Some(2000), time_limit: Some(Duration::from_millis(300)), ..Limits::default() };
    for (threads, fingerprints) in [(1, false), (2, true)] {
        let r = check(limits, threads, fingerprints);
        let Some(c) = r.counterexample() else { continue }; // the search itself ran out of time
        match c.shortening_stopped {
            None => assert_eq!(summary(&r), unbounded, "{threads} threads: cut without saying so"),
            Some(limit) => {
                assert_eq!(limit.name(), "time_limit");
                assert!(c.steps.len() >= 1532 && c.shortened_from.is_none_or(|found| found == 1539));
                let heading = mutexcheck_checker::report::trace_heading(c);
                assert!(heading.contains("the time limit of 0.3 s was reached"), "{heading}");
            }
        }
    }
}

#[test]
fn the_heading_of_a_cut_counterexample_names_the_bound() {
    let r = check(Limits { max_states: Some(2000), ..Limits::default() }, 1, false);
    let mut c = r.counterexample().unwrap().clone();
    // Uncut, the exact search proves the 1532 steps shortest; cut, nothing proved it.
    assert!(c.shortest);
    c.shortest = false;
    c.shortening_stopped = Some(mutexcheck_checker::Limit::TimeLimit(Duration::from_millis(300)));
    assert_eq!(
        mutexcheck_checker::report::trace_heading(&c),
        "counterexample (1532 steps, shortened from the 1539 the search found until the time limit of 0.3 s was reached; --shortest gives a shortest one)"
    );
    c.shortened_from = None;
    assert_eq!(
        mutexcheck_checker::report::trace_heading(&c),
        "counterexample (1532 steps, not shortened: the time limit of 0.3 s was reached; --shortest gives a shortest one)"
    );
}
