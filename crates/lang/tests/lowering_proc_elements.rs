//! The IR of a procedure whose `mutex` parameter is given an element of a mutex array: a
//! constant index is the fixed element, a computed one makes every use of the parameter an
//! operation or query on the element its index chooses when the step runs.

use mutexcheck_core::ir::*;
use mutexcheck_core::System;
use mutexcheck_lang::compile;

fn model(src: &str) -> Model {
    let m = compile("t.mc", src.as_bytes()).unwrap_or_else(|d| panic!("{}", d.render("t.mc", src.as_bytes())));
    System::new(m.clone()).expect("core accepts every compiled model");
    m
}

/// The operations of the first thread of the first process.
fn ops(src: &str) -> Vec<Op> {
    model(src).processes[0].threads[0].code.iter().map(|i| i.op.clone()).collect()
}

/// `wait m` then `release m` on mutex `m`.
fn wait_release(m: MutexId) -> Vec<Op> {
    vec![Op::Wait { mutex: m, mode: WaitMode::Infinite, result: None }, Op::Release { mutex: m, result: None }]
}

/// The same on the element of the array `base..base + len` that `index` chooses.
fn on_element(base: MutexId, len: u32, index: Expr) -> Vec<Op> {
    let element = MutexElement { base, len, index: Box::new(index) };
    wait_release(base).into_iter().map(|op| Op::OnElement { element: element.clone(), op: Box::new(op) }).collect()
}

const HEAD: &str =
    "model t\nconst N = 3\nmutex fork[N]\nmutex g\nproc take(m: mutex) {\n    wait m\n    release m\n}\n";

#[test]
fn a_constant_index_is_the_fixed_element() {
    // fork[0..2] are mutexes 0..2; `N - 1` is worked out when compiling.
    assert_eq!(ops(&format!("{HEAD}process w {{ take(fork[2]) }}\n")), wait_release(2));
    assert_eq!(ops(&format!("{HEAD}process w {{ take(fork[N - 1]) }}\n")), wait_release(2));
    assert_eq!(ops(&format!("{HEAD}process w {{ take(fork[0]) }}\n")), wait_release(0));
}

#[test]
fn a_single_mutex_after_an_array_is_that_mutex() {
    // A parameter given `g` (mutex 3) uses `g`, although mutex 0 is the first of an array.
    assert_eq!(ops(&format!("{HEAD}process w {{ take(g) }}\n")), wait_release(3));
}

#[test]
fn a_computed_index_is_evaluated_at_each_use() {
    assert_eq!(ops(&format!("{HEAD}process w[N] {{ take(fork[self]) }}\n")), on_element(0, 3, Expr::InstanceId));
    let next = Expr::Binary(
        BinOp::Mod,
        Box::new(Expr::Binary(BinOp::Add, Box::new(Expr::InstanceId), Box::new(Expr::Const(1)))),
        Box::new(Expr::Const(3)),
    );
    assert_eq!(ops(&format!("{HEAD}process w[N] {{ take(fork[(self + 1) % N]) }}\n")), on_element(0, 3, next));
}

#[test]
fn an_index_may_read_the_callers_local() {
    let k = Expr::Var(VarRef { scope: Scope::Local, index: 0 });
    let got = ops(&format!("{HEAD}process w {{\n    var k: 0..2 = 1\n    take(fork[k])\n}}\n"));
    assert_eq!(got, on_element(0, 3, k));
}

#[test]
fn an_element_parameter_is_passed_on_and_an_index_parameter_is_replaced_by_its_argument() {
    // `outer(fork[self])` passes its parameter on to `take`; `by(i)` indexes with its
    // value parameter, which is the caller's `self`.
    let outer = "proc outer(n: mutex) {\n    take(n)\n}\n";
    assert_eq!(
        ops(&format!("{HEAD}{outer}process w[N] {{ outer(fork[self]) }}\n")),
        on_element(0, 3, Expr::InstanceId)
    );
    let by = "proc by(i: 0..2) {\n    take(fork[i])\n}\n";
    assert_eq!(ops(&format!("{HEAD}{by}process w[N] {{ by(self) }}\n")), on_element(0, 3, Expr::InstanceId));
}

#[test]
fn queries_on_an_element_parameter_are_element_queries() {
    let src = format!(
        "{HEAD}shared c: 0..3 = 0\nproc look(m: mutex) {{\n    c = count(m)\n    assert owns(m)\n}}\n\
         process w[N] {{ look(fork[self]) }}\n"
    );
    let element = MutexElement { base: 0, len: 3, index: Box::new(Expr::InstanceId) };
    let c = Place { var: VarRef { scope: Scope::Shared, index: 0 }, index: None };
    assert_eq!(
        ops(&src),
        vec![
            Op::Assign { place: c, value: Expr::ElementQuery(MutexQuery::Count, element.clone()) },
            Op::Assert { cond: Expr::ElementQuery(MutexQuery::Owns, element) },
        ]
    );
}

#[test]
fn a_constant_index_from_a_constant_is_resolved_outside_procedures_too() {
    // `fork[N - 1]` in a thread is `fork[2]`, mutex 2, as in an argument.
    assert_eq!(
        ops(&format!("{HEAD}process w {{\n    wait fork[N - 1]\n    release fork[N - 1]\n}}\n")),
        wait_release(2)
    );
}

#[test]
fn posix_operations_on_an_element_parameter_are_element_operations() {
    let src =
        "model t\nsemantics posix\nmutex lock[2]: robust\nproc get(m: mutex) {\n    consistent m\n    unlock m\n}\n\
               process w[2] { get(lock[self]) }\n";
    let element = MutexElement { base: 0, len: 2, index: Box::new(Expr::InstanceId) };
    let on = |op| Op::OnElement { element: element.clone(), op: Box::new(op) };
    assert_eq!(
        ops(src),
        vec![on(Op::Consistent { mutex: 0, result: None }), on(Op::Release { mutex: 0, result: None })]
    );
}
