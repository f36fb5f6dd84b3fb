//! Operations and queries on an element of a mutex array chosen when the step runs
//! (`Op::OnElement`, `Expr::ElementQuery`): validation, the step itself, blocking, an index
//! outside the array, and what the static analyses make of them.

mod ir_builder;

use ir_builder::{instr, int_var, local, model, process, result_var, step_of, successors};
use mutexcheck_core::ir::{Expr, Model, MutexDecl, MutexElement, MutexQuery, Op, Scope, Span, VarRef};
use mutexcheck_core::{Fault, MutexState, Outcome, System, ThreadStatus, WaitMode, WaitOutcome};

/// `lock[0]`, `lock[1]` after the builder's `m` (mutexes 1 and 2).
fn with_array(mut m: Model) -> Model {
    for i in 0..2 {
        m.mutexes.push(MutexDecl {
            name: format!("lock[{i}]"),
            initial_owner: None,
            posix: Default::default(),
            span: Span::default(),
        });
    }
    m
}

fn element(index: Expr) -> MutexElement {
    MutexElement { base: 1, len: 2, index: Box::new(index) }
}

fn k() -> Expr {
    Expr::Var(VarRef { scope: Scope::Local, index: 0 })
}

/// `wait lock[k]` (infinite), with `k` the thread's local 0.
fn wait_on_k() -> Op {
    Op::OnElement { element: element(k()), op: Box::new(Op::Wait { mutex: 1, mode: WaitMode::Infinite, result: None }) }
}

fn one_thread(k_init: i32, code: Vec<Op>) -> System {
    let p = process("w", 1, vec![int_var("k", 0, 3, k_init)], code.into_iter().map(instr).collect());
    System::new(with_array(model(0, vec![p]))).unwrap()
}

#[test]
fn a_wait_on_a_computed_element_acquires_that_element_in_one_step() {
    // A `skip` after the wait, so that the thread does not end (abandoning what it owns).
    let sys = one_thread(1, vec![wait_on_k(), Op::Skip]);
    let s = sys.initial_state();
    let (step, next) = step_of(&sys, &s, 0);
    assert_eq!(step.outcome, Outcome::Wait { outcome: WaitOutcome::Ok, count: 1 });
    assert_eq!(sys.mutex(&next, 2), MutexState::owned_by(0));
    assert_eq!((sys.mutex(&next, 0), sys.mutex(&next, 1)), (MutexState::free(), MutexState::free()));
    // Reports read the operation with its element chosen, in the state before the step.
    let op = sys.op_in(&s, &step.action).unwrap();
    assert_eq!(*op, Op::Wait { mutex: 2, mode: WaitMode::Infinite, result: None });
}

#[test]
fn an_index_outside_the_array_is_a_fault_of_the_step_not_a_block() {
    let sys = one_thread(2, vec![wait_on_k()]);
    let s = sys.initial_state();
    assert_eq!(sys.thread_status(&s, 0), ThreadStatus::Running);
    let (step, next) = step_of(&sys, &s, 0);
    assert_eq!(
        step.outcome,
        Outcome::Fault(Box::new(Fault::IndexOutOfBounds { var: "lock".into(), index: 2, len: 2 }))
    );
    assert_eq!(next, s, "a fault changes nothing");
    assert!(sys.op_in(&s, &step.action).is_none());
}

#[test]
fn a_wait_on_an_element_another_thread_owns_blocks() {
    // Two instances, each `wait lock[k]; skip` with k = 0: the second to try is blocked.
    let p = process("w", 2, vec![int_var("k", 0, 3, 0)], vec![instr(wait_on_k()), instr(Op::Skip)]);
    let sys = System::new(with_array(model(0, vec![p]))).unwrap();
    let (_, after) = step_of(&sys, &sys.initial_state(), 0);
    assert_eq!(sys.thread_status(&after, 1), ThreadStatus::Blocked);
    let moves: Vec<_> = successors(&sys, &after).into_iter().map(|(step, _)| step.action).collect();
    assert_eq!(moves, [mutexcheck_core::Action::Run { thread: 0, pc: 1 }], "only worker 0 moves");
}

#[test]
fn a_query_on_a_computed_element_reads_it_and_faults_outside_the_array() {
    let owns = Expr::ElementQuery(MutexQuery::Owns, element(k()));
    let code = vec![wait_on_k(), Op::Assert { cond: owns.clone() }];
    let sys = one_thread(1, code);
    let (_, s1) = step_of(&sys, &sys.initial_state(), 0);
    let (step, _) = step_of(&sys, &s1, 0);
    assert_eq!(step.outcome, Outcome::Done, "worker owns lock[1]");
    let count = Expr::ElementQuery(MutexQuery::Count, element(Expr::Const(-1)));
    let sys = one_thread(0, vec![Op::Assert { cond: count }]);
    let (step, _) = step_of(&sys, &sys.initial_state(), 0);
    assert_eq!(
        step.outcome,
        Outcome::Fault(Box::new(Fault::IndexOutOfBounds { var: "lock".into(), index: -1, len: 2 }))
    );
}

#[test]
fn a_local_read_only_by_an_index_stays_live() {
    // `k = 1; wait lock[k]`: after the assignment, k is read by the index, so liveness must
    // not reset it (the wait would take lock[0] instead).
    let set_k = Op::Assign { place: local(0), value: Expr::Const(1) };
    let sys = one_thread(0, vec![set_k, wait_on_k()]);
    let (_, mut s1) = step_of(&sys, &sys.initial_state(), 0);
    let before = s1.clone();
    sys.canonicalize_dead(&mut s1);
    assert_eq!(s1, before);
}

#[test]
fn an_operation_on_a_computed_element_is_visible_to_partial_order_reduction() {
    let sys = one_thread(0, vec![wait_on_k()]);
    let mut out = Vec::new();
    assert!(!sys.reduced_successors(&sys.initial_state(), &mut out));
    assert!(out.is_empty());
}

#[test]
fn an_index_read_from_self_leaves_the_template_out_of_symmetry_with_the_array_named() {
    let op = Op::OnElement { element: element(Expr::InstanceId), op: Box::new(Op::Release { mutex: 1, result: None }) };
    let p = process("w", 2, vec![], vec![instr(op)]);
    let sym = System::new(with_array(model(0, vec![p]))).unwrap().symmetry();
    assert!(sym.is_empty());
    assert_eq!(sym.refused(), ["process w: its code reads `self`"]);
    assert_eq!(sym.mutex_array_reasons(), ["mutex array lock is indexed by `self` in process w"]);
}

#[test]
fn ill_formed_elements_are_errors_not_panics() {
    let bad = |op: Op| {
        let p = process("w", 1, vec![int_var("k", 0, 3, 0), result_var("r")], vec![instr(op)]);
        System::new(with_array(model(0, vec![p]))).unwrap_err().message
    };
    let past = MutexElement { base: 2, len: 2, index: Box::new(Expr::Const(0)) };
    let wait = |mutex| Box::new(Op::Wait { mutex, mode: WaitMode::Try, result: None });
    let msg = bad(Op::OnElement { element: past, op: wait(2) });
    assert!(msg.contains("names a mutex array of 2 from mutex #2 but only 3 mutexes are declared"), "{msg}");
    let empty = MutexElement { base: 1, len: 0, index: Box::new(Expr::Const(0)) };
    assert!(bad(Op::OnElement { element: empty, op: wait(1) }).contains("mutex array of 0"));
    let msg = bad(Op::OnElement { element: element(k()), op: wait(2) });
    assert!(msg.contains("other than a mutex operation on the array's first element"), "{msg}");
    let msg = bad(Op::OnElement { element: element(k()), op: Box::new(Op::Skip) });
    assert!(msg.contains("other than a mutex operation on the array's first element"), "{msg}");
    let index_var =
        MutexElement { base: 1, len: 2, index: Box::new(Expr::Var(VarRef { scope: Scope::Local, index: 9 })) };
    assert!(bad(Op::OnElement { element: index_var, op: wait(1) }).contains("Local variable #9"));
}
