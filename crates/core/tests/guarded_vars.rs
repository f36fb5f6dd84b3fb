//! Guarded variables in the core: validation of a guard, and
//! `System::unguarded_access`, which accesses of a step it reports and in which state it
//! judges ownership.

mod ir_builder;

use ir_builder::{instr, model, process, shared, step_of, wait};
use mutexcheck_core::guarded::UnguardedAccess;
use mutexcheck_core::ir::{BinOp, Expr, Guard, GuardedBy, Model, Op, Scope, Span, VarRef};
use mutexcheck_core::{System, WaitMode};

fn guarded(mut m: Model) -> Model {
    m.guards.push(Guard { var: 0, by: GuardedBy::Mutex(0), span: Span::default() });
    m
}

fn a() -> Expr {
    Expr::Var(VarRef { scope: Scope::Shared, index: 0 })
}

fn set_a(value: Expr) -> mutexcheck_core::ir::Instr {
    instr(Op::Assign { place: shared(0), value })
}

#[test]
fn a_guard_must_name_an_existing_variable_and_mutex_and_one_guard_per_variable() {
    let base = || model(0, vec![process("w", 1, vec![], vec![instr(Op::Skip)])]);
    let mut m = base();
    m.guards.push(Guard { var: 1, by: GuardedBy::Mutex(0), span: Span::default() });
    assert_eq!(System::new(m).unwrap_err().message, "a guard names shared variable 1, which does not exist");
    let mut m = base();
    m.guards.push(Guard { var: 0, by: GuardedBy::Mutex(1), span: Span::default() });
    assert_eq!(System::new(m).unwrap_err().message, "the guard of `a` names mutex 1, which does not exist");
    let mut m = guarded(guarded(base()));
    assert_eq!(System::new(m.clone()).unwrap_err().message, "`a` has two guards");
    m.guards.pop();
    m.guards[0].by = GuardedBy::Elementwise { base: 0, len: 1 };
    assert_eq!(
        System::new(m).unwrap_err().message,
        "`a` is guarded element by element by a mutex array of another length"
    );
}

#[test]
fn an_element_wise_guard_names_the_mutex_of_each_element_and_none_outside() {
    let by = GuardedBy::Elementwise { base: 3, len: 2 };
    assert_eq!([by.mutex_for(Some(0)), by.mutex_for(Some(1)), by.mutex_for(Some(2))], [Some(3), Some(4), None]);
    assert_eq!(by.mutex_for(Some(-1)), None);
    assert_eq!(GuardedBy::Mutex(5).mutex_for(None), Some(5));
}

#[test]
fn a_write_without_the_mutex_is_reported_and_the_same_write_owning_it_is_not() {
    // a = 1; wait m; a = a + 1
    let inc = Expr::Binary(BinOp::Add, Box::new(a()), Box::new(Expr::Const(1)));
    let code = vec![set_a(Expr::Const(1)), wait(WaitMode::Infinite, None), set_a(inc)];
    let sys = System::new(guarded(model(0, vec![process("w", 1, vec![], code)]))).unwrap();
    let s0 = sys.initial_state();
    let (step, s1) = step_of(&sys, &s0, 0);
    assert_eq!(
        sys.unguarded_access(&s0, &step, &s1),
        Some(UnguardedAccess { var: 0, element: None, mutex: 0, write: true, after: false })
    );
    let (step, s2) = step_of(&sys, &s1, 0);
    assert_eq!(sys.unguarded_access(&s1, &step, &s2), None, "a wait without a result touches no variable");
    let (step, s3) = step_of(&sys, &s2, 0);
    assert_eq!(sys.unguarded_access(&s2, &step, &s3), None, "owned: the read and the write are guarded");
}

#[test]
fn a_model_without_guards_reports_nothing() {
    let code = vec![set_a(Expr::Const(1))];
    let sys = System::new(model(0, vec![process("w", 1, vec![], code)])).unwrap();
    let s0 = sys.initial_state();
    let (step, s1) = step_of(&sys, &s0, 0);
    assert_eq!(sys.unguarded_access(&s0, &step, &s1), None);
}
