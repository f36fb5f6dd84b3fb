//! The IR each construct compiles to: instructions, jump targets, scopes, texts and spans.

use mutexcheck_core::ir::*;
use mutexcheck_core::System;
use mutexcheck_lang::compile;

fn model(src: &str) -> Model {
    let m = compile("t.mc", src.as_bytes()).unwrap_or_else(|d| panic!("{}", d.render("t.mc", src.as_bytes())));
    System::new(m.clone()).expect("core accepts every compiled model");
    m
}

/// The ops of the only thread of a one-process model declaring `mutex m`, `shared a`, `f`.
fn ops(body: &str) -> Vec<Op> {
    let src = format!("model t\nmutex m\nshared a: 0..4 = 0\nshared f: bool = false\nprocess w {{\n{body}\n}}\n");
    model(&src).processes[0].threads[0].code.iter().map(|i| i.op.clone()).collect()
}

fn a() -> Expr {
    Expr::Var(VarRef { scope: Scope::Shared, index: 0 })
}
fn f() -> Expr {
    Expr::Var(VarRef { scope: Scope::Shared, index: 1 })
}
fn local(index: usize) -> Place {
    Place { var: VarRef { scope: Scope::Local, index }, index: None }
}
fn set_a(v: Value) -> Op {
    Op::Assign { place: Place { var: VarRef { scope: Scope::Shared, index: 0 }, index: None }, value: Expr::Const(v) }
}

#[test]
fn header_defaults_are_win32_one_crash_one_instance() {
    let m = model("model t\nprocess w { skip }\n");
    assert_eq!((m.name.as_str(), m.semantics, m.crashes), ("t", Semantics::Win32, 1));
    let p = &m.processes[0];
    assert_eq!((p.name.as_str(), p.instances, p.restart, p.threads[0].name.as_str()), ("w", 1, false, "main"));
    let m = model("model t\nsemantics win32\ncrashes 3\nprocess w[4] restart { skip }\n");
    assert_eq!((m.crashes, m.processes[0].instances, m.processes[0].restart), (3, 4, true));
}

#[test]
fn if_else_if_else_branches_over_each_arm_and_jumps_to_the_end() {
    let got = ops("if f { a = 1 } else if a == 2 { a = 2 } else { a = 3 }");
    let a_is_2 = Expr::Binary(BinOp::Eq, Box::new(a()), Box::new(Expr::Const(2)));
    assert_eq!(
        got,
        vec![
            Op::Branch { cond: f(), target: 3 },
            set_a(1),
            Op::Goto { target: 7 },
            Op::Branch { cond: a_is_2, target: 6 },
            set_a(2),
            Op::Goto { target: 7 },
            set_a(3),
        ]
    );
}

#[test]
fn if_without_else_has_no_jump() {
    assert_eq!(ops("if f { a = 1 }"), vec![Op::Branch { cond: f(), target: 2 }, set_a(1)]);
}

#[test]
fn while_branches_out_past_the_jump_back_to_its_test() {
    assert_eq!(
        ops("while f { a = 1 }\nskip"),
        vec![Op::Branch { cond: f(), target: 3 }, set_a(1), Op::Goto { target: 0 }, Op::Skip]
    );
}

#[test]
fn either_chooses_among_alternatives_that_rejoin_after_it() {
    assert_eq!(
        ops("either { a = 1 } or { a = 2 } or { skip }\nexit"),
        vec![
            Op::Choose { targets: vec![1, 3, 5] },
            set_a(1),
            Op::Goto { target: 6 },
            set_a(2),
            Op::Goto { target: 6 },
            Op::Skip,
            Op::Exit,
        ]
    );
}

#[test]
fn atomic_is_bracketed_by_markers() {
    assert_eq!(ops("atomic { a = 1; a = 2 }"), vec![Op::AtomicBegin, set_a(1), set_a(2), Op::AtomicEnd]);
}

#[test]
fn mutex_operations_lower_to_wait_and_release_with_their_modes_and_results() {
    let got = ops("wait m\nlet r = wait m timeout\nlet r = try m\nlet e = release m\nrelease m");
    assert_eq!(
        got,
        vec![
            Op::Wait { mutex: 0, mode: WaitMode::Infinite, result: None },
            Op::Wait { mutex: 0, mode: WaitMode::Timeout, result: Some(local(0)) },
            Op::Wait { mutex: 0, mode: WaitMode::Try, result: Some(local(0)) },
            Op::Release { mutex: 0, result: Some(local(1)) },
            Op::Release { mutex: 0, result: None },
        ]
    );
}

#[test]
fn let_declares_one_result_local_per_name_starting_at_ok() {
    let src = "model t\nmutex m\nprocess w {\n    var n: 0..1 = 0\n    let r = wait m\n    let r = release m\n}\n";
    let locals = &model(src).processes[0].threads[0].locals;
    let got: Vec<(&str, Ty, Value)> = locals.iter().map(|v| (v.name.as_str(), v.ty, v.init)).collect();
    assert_eq!(got, vec![("n", Ty::Int { lo: 0, hi: 1 }, 0), ("r", Ty::Result, result::OK)]);
}

#[test]
fn results_can_be_stored_in_declared_result_variables() {
    let src = "model t\nmutex m\nshared last: result = OK\nprocess w { last = wait m\nassert last != ABANDONED }\n";
    let m = model(src);
    let shared_last = Place { var: VarRef { scope: Scope::Shared, index: 0 }, index: None };
    assert_eq!(
        m.processes[0].threads[0].code[0].op,
        Op::Wait { mutex: 0, mode: WaitMode::Infinite, result: Some(shared_last) }
    );
}

#[test]
fn process_vars_are_process_memory_only_when_the_process_has_threads() {
    let src = "model t\nprocess one { var x: 0..1 = 0\nx = 1 }\n\
               process two {\n    var x: 0..1 = 1\n    thread a { var y: 0..2 = 2\n x = 0\n y = 0 }\n    thread b { x = 1 }\n}\n";
    let m = model(src);
    assert!(m.processes[0].vars.is_empty());
    assert_eq!(m.processes[0].threads[0].locals[0].name, "x");
    let two = &m.processes[1];
    assert_eq!((two.vars[0].name.as_str(), two.vars[0].init), ("x", 1));
    let names: Vec<&str> = two.threads.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names, ["a", "b"]);
    assert_eq!(
        two.threads[0].code[0].op,
        Op::Assign {
            place: Place { var: VarRef { scope: Scope::Process, index: 0 }, index: None },
            value: Expr::Const(0)
        }
    );
    assert_eq!(two.threads[0].code[1].op, Op::Assign { place: local(0), value: Expr::Const(0) });
}

#[test]
fn owned_by_names_instance_and_thread() {
    let src = "model t\nmutex m owned_by p[1].b\nmutex n owned_by q\nprocess p[2] { thread a { skip }\nthread b { skip } }\nprocess q { skip }\n";
    let m = model(src);
    assert_eq!(m.mutexes[0].initial_owner, Some(ThreadRef { process: 0, instance: 1, thread: 1 }));
    assert_eq!(m.mutexes[1].initial_owner, Some(ThreadRef { process: 1, instance: 0, thread: 0 }));
}

#[test]
fn queries_self_arrays_and_negative_values_lower_to_their_ir() {
    let src = "model t\nmutex m\nshared v: [-2..2; 3] = -1\nprocess w[3] {\n    v[self] = -2\n    assert held(m) || owns(m) || abandoned(m) || count(m) == 0\n}\n";
    let m = model(src);
    assert_eq!((m.shared[0].ty, m.shared[0].len, m.shared[0].init), (Ty::Int { lo: -2, hi: 2 }, Some(3), -1));
    let code = &m.processes[0].threads[0].code;
    let v = VarRef { scope: Scope::Shared, index: 0 };
    assert_eq!(
        code[0].op,
        Op::Assign { place: Place { var: v, index: Some(Box::new(Expr::InstanceId)) }, value: Expr::Const(-2) }
    );
    let held = Expr::Binary(BinOp::Gt, Box::new(Expr::MutexCount(0)), Box::new(Expr::Const(0)));
    let or = |x, y| Expr::Binary(BinOp::Or, Box::new(x), Box::new(y));
    let zero = Expr::Binary(BinOp::Eq, Box::new(Expr::MutexCount(0)), Box::new(Expr::Const(0)));
    let want = or(or(or(held, Expr::Owns(0)), Expr::MutexAbandoned(0)), zero);
    assert_eq!(code[1].op, Op::Assert { cond: want });
}

#[test]
fn untyped_booleans_and_results_take_their_initial_values_type() {
    let m = model("model t\nshared f = true\nshared r = ABANDONED\nshared n: 1..3\nprocess w { skip }\n");
    let got: Vec<(Ty, Value)> = m.shared.iter().map(|v| (v.ty, v.init)).collect();
    assert_eq!(got, vec![(Ty::Bool, 1), (Ty::Result, result::ABANDONED), (Ty::Int { lo: 1, hi: 3 }, 1)]);
}

#[test]
fn instructions_carry_statement_text_and_span() {
    let src = "model t\nmutex m\nshared round: 0..2 = 0\nprocess w {\n    while round < 2 {   // loop\n        let r = wait m\n        round = round +\n            1\n    }\n}\n";
    let code = &model(src).processes[0].threads[0].code;
    let got: Vec<(&str, Span)> = code.iter().map(|i| (i.text.as_str(), i.span)).collect();
    assert_eq!(
        got,
        vec![
            ("while round < 2", Span { line: 5, col: 5, len: 15 }),
            ("let r = wait m", Span { line: 6, col: 9, len: 14 }),
            ("round = round + 1", Span { line: 7, col: 9, len: 15 }),
            ("while round < 2", Span { line: 5, col: 5, len: 15 }),
        ]
    );
}

#[test]
fn properties_keep_their_expression_text_and_span() {
    let src = "model t\nmutex m\nshared a: 0..4 = 0\nshared b: 0..4 = 0\nprotect m: a == b\ninvariant small: a <= 3 &&\n    b <= 3\nat end: !held(m)\nprocess w { skip }\n";
    let props = model(src).properties;
    let ab = Expr::Binary(
        BinOp::Eq,
        Box::new(Expr::Var(VarRef { scope: Scope::Shared, index: 0 })),
        Box::new(Expr::Var(VarRef { scope: Scope::Shared, index: 1 })),
    );
    assert_eq!(
        props[0],
        Property::Protect { mutex: 0, cond: ab, text: "a == b".into(), span: Span { line: 5, col: 12, len: 6 } }
    );
    match &props[1] {
        Property::Invariant { name, text, span, .. } => {
            assert_eq!(
                (name.as_str(), text.as_str(), *span),
                ("small", "a <= 3 && b <= 3", Span { line: 6, col: 18, len: 9 })
            );
        }
        p => panic!("not an invariant: {p:?}"),
    }
    match &props[2] {
        Property::AtEnd { text, .. } => assert_eq!(text, "!held(m)"),
        p => panic!("not at end: {p:?}"),
    }
}

#[test]
fn semicolons_separate_statements_and_comments_are_ignored() {
    assert_eq!(ops("a = 1; /* two */ a = 2;; // three\n a = 3"), vec![set_a(1), set_a(2), set_a(3)]);
}
