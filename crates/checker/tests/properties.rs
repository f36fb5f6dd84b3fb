//! Every violation kind, triggered by the smallest model that commits it, with its exact
//! message and the length of its shortest run.

mod support;

use mutexcheck_core::ir::{BinOp, Expr, Op};
use support::*;

/// Checks `m` and returns (kind name, message, steps) of the violation found.
fn violation(m: mutexcheck_core::Model) -> (String, String, usize) {
    let (_, r) = run(m);
    let c = r.counterexample().unwrap_or_else(|| panic!("expected a violation, got {:?}", r.verdict));
    (c.violation.kind.name().to_string(), c.violation.message.clone(), c.steps.len())
}

fn one(code: Vec<mutexcheck_core::ir::Instr>, props: Vec<mutexcheck_core::ir::Property>) -> mutexcheck_core::Model {
    model(0, vec![process("p", 1, code)], props)
}

#[test]
fn protect_is_violated_when_the_mutex_is_free_and_the_predicate_false() {
    let m = one(vec![assign(3, "a = 1", 0, num(1))], vec![protect(0, bin(BinOp::Eq, var(0), var(1)), "a == b")]);
    let (kind, msg, steps) = violation(m);
    assert_eq!(kind, "protect");
    assert_eq!(msg, "m is free and not abandoned but its protected condition `a == b` is false (a = 1, b = 0)");
    assert_eq!(steps, 1);
}

#[test]
fn protect_is_not_checked_while_the_mutex_is_free_but_abandoned() {
    // p takes m, breaks a == b and crashes: m is free but abandoned, which is allowed.
    let code = vec![wait(1, 0), assign(2, "a = 1", 0, num(1)), assign(3, "b = 1", 1, num(1)), release(4, 0)];
    let (_, r) = run(model(1, vec![process("p", 1, code)], vec![protect(0, bin(BinOp::Eq, var(0), var(1)), "a == b")]));
    assert_eq!(r.verdict, mutexcheck_checker::Verdict::Ok);
}

#[test]
fn protect_is_violated_when_a_first_wait_returns_ok_while_the_predicate_is_false() {
    // The predicate reads the mutex itself: it is false as soon as anyone owns m, so the
    // first wait's OK is the violation (the state before had m free with count 0).
    let cond = bin(BinOp::Eq, Expr::MutexCount(0), num(0));
    let m = one(vec![wait(1, 0), release(2, 0)], vec![protect(0, cond, "count(m) == 0")]);
    let (kind, msg, steps) = violation(m);
    assert_eq!(kind, "protect");
    assert_eq!(
        msg,
        "p at line 1 (`wait m`) acquired m with OK while its protected condition `count(m) == 0` is false (m = owned by p (count 1))"
    );
    assert_eq!(steps, 1);
}

#[test]
fn invariant_violation_names_the_invariant_and_the_values() {
    let m =
        one(vec![assign(2, "a = 2", 0, num(2))], vec![invariant("small", bin(BinOp::Le, var(0), num(1)), "a <= 1")]);
    assert_eq!(violation(m), ("invariant".into(), "invariant small: `a <= 1` is false (a = 2)".into(), 1));
}

#[test]
fn a_false_invariant_in_the_initial_state_is_a_run_of_no_steps() {
    let m = one(vec![at(1, "skip", Op::Skip)], vec![invariant("never", num(0), "false")]);
    assert_eq!(violation(m), ("invariant".into(), "invariant never: `false` is false".into(), 0));
}

#[test]
fn a_failed_assert_is_an_assert_violation() {
    let m = one(vec![at(4, "assert a == 1", Op::Assert { cond: bin(BinOp::Eq, var(0), num(1)) })], vec![]);
    assert_eq!(violation(m), ("assert".into(), "assertion failed in p at line 4 (`assert a == 1`)".into(), 1));
}

#[test]
fn threads_waiting_for_each_other_are_a_deadlock() {
    let p = process("p", 1, vec![wait(1, 0), wait(2, 1), release(3, 1), release(4, 0)]);
    let q = process("q", 1, vec![wait(6, 1), wait(7, 0), release(8, 0), release(9, 1)]);
    let (kind, msg, steps) = violation(model(0, vec![p, q], vec![]));
    assert_eq!(kind, "deadlock");
    assert_eq!(
        msg,
        "deadlock: p at line 2 (`wait n`) waits forever for n (owned by q (count 1)) and q at line 7 (`wait m`) waits forever for m (owned by p (count 1))"
    );
    assert_eq!(steps, 2);
}

#[test]
fn a_deadlock_is_reported_even_when_a_crash_could_still_happen() {
    let p = process("p", 1, vec![wait(1, 0), wait(2, 1), release(3, 1), release(4, 0)]);
    let q = process("q", 1, vec![wait(6, 1), wait(7, 0), release(8, 0), release(9, 1)]);
    let (kind, _, steps) = violation(model(1, vec![p, q], vec![]));
    assert_eq!((kind.as_str(), steps), ("deadlock", 2));
}

#[test]
fn ending_while_owning_a_mutex_leaks_ownership() {
    let m = one(vec![wait(1, 0), wait(2, 0), release(3, 0)], vec![]);
    assert_eq!(violation(m), ("leaked_ownership".into(), "p ended owning m (count 1)".into(), 3));
}

#[test]
fn ending_while_owning_two_mutexes_names_both() {
    let m = one(vec![wait(1, 0), wait(2, 1)], vec![]);
    assert_eq!(violation(m), ("leaked_ownership".into(), "p ended owning m (count 1) and n (count 1)".into(), 2));
}

#[test]
fn an_ignored_release_by_a_non_owner_is_a_violation() {
    let m = one(vec![release(5, 0)], vec![]);
    assert_eq!(
        violation(m),
        (
            "release_not_owner".into(),
            "p at line 5 (`release m`) released m without owning it and ignored the NOT_OWNER result".into(),
            1
        )
    );
}

#[test]
fn a_release_by_a_non_owner_is_reported_before_the_leak_of_the_same_step() {
    // The last statement releases n (not owned) and ends the thread still owning m.
    let m = one(vec![wait(1, 0), release(2, 1)], vec![]);
    let (kind, _, steps) = violation(m);
    assert_eq!((kind.as_str(), steps), ("release_not_owner", 2));
}

#[test]
fn a_value_outside_the_declared_range_is_out_of_range() {
    let m = one(vec![assign(7, "a = a + 5", 0, bin(BinOp::Add, var(0), num(5)))], vec![]);
    assert_eq!(
        violation(m),
        ("out_of_range".into(), "p at line 7 (`a = a + 5`): value 5 is outside 0..3, the range of `a`".into(), 1)
    );
}

#[test]
fn a_property_that_divides_by_zero_is_out_of_range() {
    let m = one(vec![at(1, "skip", Op::Skip)], vec![invariant("div", bin(BinOp::Div, num(1), var(0)), "1 / a")]);
    assert_eq!(
        violation(m),
        ("out_of_range".into(), "property `1 / a` cannot be evaluated: division by zero".into(), 0)
    );
}

#[test]
fn recursive_waits_beyond_the_limit_hit_the_recursion_limit() {
    // Counts 1..=255 are reached by the first 255 waits; the 256th faults.
    let m = one(vec![wait(1, 0), at(1, "", Op::Goto { target: 0 })], vec![]);
    assert_eq!(
        violation(m),
        (
            "recursion_limit".into(),
            "p at line 1 (`wait m`): recursive wait on `m` beyond the count limit 255".into(),
            256
        )
    );
}

#[test]
fn a_false_at_end_predicate_when_every_thread_finished_is_at_end() {
    let m = one(vec![at(1, "skip", Op::Skip)], vec![at_end(bin(BinOp::Eq, var(0), num(1)), "a == 1")]);
    assert_eq!(violation(m), ("at_end".into(), "at the end of the run `a == 1` is false (a = 0)".into(), 1));
}

#[test]
fn a_recursive_wait_is_not_a_first_wait_for_protect() {
    // `count(m) != 2` is false only while p holds m twice: the second wait is recursive and
    // m is never free then, so nothing is violated.
    let cond = bin(BinOp::Ne, Expr::MutexCount(0), num(2));
    let m = one(vec![wait(1, 0), wait(2, 0), release(3, 0), release(4, 0)], vec![protect(0, cond, "count(m) != 2")]);
    let (_, r) = run(m);
    assert_eq!(r.verdict, mutexcheck_checker::Verdict::Ok);
}
