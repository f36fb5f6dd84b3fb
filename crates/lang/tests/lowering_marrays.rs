//! What mutex arrays compile to: `N` mutexes named `lock[0]` .. `lock[N-1]` with the
//! array's attributes and owner; a constant index names one of them when compiling; any
//! other index is chosen when the step runs (`Op::OnElement`, `Expr::ElementQuery`);
//! `protect lock[i]` and `starvation lock[i]` are one property per element.

use mutexcheck_core::ir::*;
use mutexcheck_core::System;
use mutexcheck_lang::compile;

fn model(src: &str) -> Model {
    let m = compile("t.mc", src.as_bytes()).unwrap_or_else(|d| panic!("{}", d.render("t.mc", src.as_bytes())));
    System::new(m.clone()).expect("core accepts every compiled model");
    m
}

fn names(m: &Model) -> Vec<&str> {
    m.mutexes.iter().map(|m| m.name.as_str()).collect()
}

#[test]
fn an_array_is_one_mutex_per_element_named_with_its_index_after_the_mutexes_before_it() {
    let m = model("model t\nmutex a\nmutex lock[3]\nmutex z\nprocess w { skip }\n");
    assert_eq!(names(&m), ["a", "lock[0]", "lock[1]", "lock[2]", "z"]);
}

#[test]
fn posix_attributes_apply_to_every_element() {
    let m = model("model t\nsemantics posix\nmutex lock[2]: recursive robust\nprocess w { skip }\n");
    let want = PosixAttributes { kind: MutexType::Recursive, robust: true };
    assert_eq!(m.mutexes.iter().map(|m| m.posix).collect::<Vec<_>>(), [want, want]);
}

#[test]
fn owned_by_makes_every_element_owned_by_that_thread() {
    let m = model("model t\nmutex boot[2] owned_by init.main\nprocess init { release boot[0]\n release boot[1] }\n");
    let owner = Some(ThreadRef { process: 0, instance: 0, thread: 0 });
    assert_eq!(m.mutexes.iter().map(|m| m.initial_owner).collect::<Vec<_>>(), [owner, owner]);
}

fn ops(body: &str) -> Vec<Op> {
    let src = format!("model t\nmutex m\nmutex lock[3]\nshared x: 0..5 = 0\nprocess w[2] {{\n{body}\n}}\n");
    model(&src).processes[0].threads[0].code.iter().map(|i| i.op.clone()).collect()
}

#[test]
fn a_constant_index_names_the_element_when_compiling() {
    let got = ops("wait lock[2]\nrelease lock[(1 + 3) % 3]");
    assert_eq!(
        got,
        [Op::Wait { mutex: 3, mode: WaitMode::Infinite, result: None }, Op::Release { mutex: 2, result: None }]
    );
}

#[test]
fn a_computed_index_is_chosen_when_the_step_runs() {
    let got = ops("let r = wait lock[self] timeout");
    let element = MutexElement { base: 1, len: 3, index: Box::new(Expr::InstanceId) };
    let result = Some(Place { var: VarRef { scope: Scope::Local, index: 0 }, index: None });
    let inner = Op::Wait { mutex: 1, mode: WaitMode::Timeout, result };
    assert_eq!(got, [Op::OnElement { element, op: Box::new(inner) }]);
}

#[test]
fn queries_on_a_computed_element_read_it_when_evaluated() {
    let got = ops("assert held(lock[x])");
    let x = Expr::Var(VarRef { scope: Scope::Shared, index: 0 });
    let element = MutexElement { base: 1, len: 3, index: Box::new(x) };
    let count = Expr::ElementQuery(MutexQuery::Count, element);
    assert_eq!(got, [Op::Assert { cond: Expr::Binary(BinOp::Gt, Box::new(count), Box::new(Expr::Const(0))) }]);
}

#[test]
fn protect_with_an_index_name_is_one_property_per_element_with_the_name_bound() {
    let m = model(
        "model t\nmutex lock[2]\nshared slot: [0..1; 2] = 0\nprotect lock[i]: slot[i] == 0\nprocess w { skip }\n",
    );
    let slot = |k| Expr::Index(VarRef { scope: Scope::Shared, index: 0 }, Box::new(Expr::Const(k)));
    let got: Vec<(MutexId, Expr, String)> = m
        .properties
        .iter()
        .map(|p| match p {
            Property::Protect { mutex, cond, text, .. } => (*mutex, cond.clone(), text.clone()),
            other => panic!("{other:?}"),
        })
        .collect();
    let eq0 = |k| Expr::Binary(BinOp::Eq, Box::new(slot(k)), Box::new(Expr::Const(0)));
    assert_eq!(got, [(0, eq0(0), "slot[i] == 0 (i = 0)".to_string()), (1, eq0(1), "slot[i] == 0 (i = 1)".to_string())]);
}

#[test]
fn protect_with_a_constant_index_is_one_property() {
    let m = model("model t\nmutex lock[3]\nshared a: 0..1 = 0\nprotect lock[1]: a == 0\nprocess w { skip }\n");
    assert!(matches!(m.properties.as_slice(), [Property::Protect { mutex: 1, text, .. }] if text == "a == 0"));
}

#[test]
fn starvation_of_every_element_or_of_one() {
    let m = model("model t\nmutex lock[3]\nstarvation lock[k]\nstarvation lock[2]\nprocess w { skip }\n");
    let got: Vec<MutexId> = m
        .liveness
        .iter()
        .map(|l| {
            let Liveness::Starvation { mutex, .. } = l;
            *mutex
        })
        .collect();
    assert_eq!(got, [0, 1, 2, 2]);
}
