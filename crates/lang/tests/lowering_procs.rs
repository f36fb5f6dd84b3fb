//! The IR a procedure call compiles to: the procedure's code copied into the caller, its
//! parameters replaced by the arguments, its locals one set per thread, and the call stack
//! on every copied instruction.

use mutexcheck_core::ir::*;
use mutexcheck_core::System;
use mutexcheck_lang::compile;

fn model(src: &str) -> Model {
    let m = compile("t.mc", src.as_bytes()).unwrap_or_else(|d| panic!("{}", d.render("t.mc", src.as_bytes())));
    System::new(m.clone()).expect("core accepts every compiled model");
    m
}

/// The code of the first thread of the first process.
fn code(src: &str) -> Vec<Instr> {
    model(src).processes[0].threads[0].code.clone()
}

fn ops(code: &[Instr]) -> Vec<Op> {
    code.iter().map(|i| i.op.clone()).collect()
}

fn shared(index: usize) -> Place {
    Place { var: VarRef { scope: Scope::Shared, index }, index: None }
}

fn local(index: usize) -> Place {
    Place { var: VarRef { scope: Scope::Local, index }, index: None }
}

fn site(proc: &str, line: u32, col: u32, len: u32) -> CallSite {
    CallSite { proc: proc.into(), span: Span { line, col, len } }
}

#[test]
fn a_call_is_the_procedures_code_with_the_arguments_in_place_of_the_parameters() {
    let src = "model t\nmutex m\nshared a: 0..4 = 0\n\
               proc put(n: mutex, x: 0..1) {\n    wait n\n    a = x + 1\n    release n\n}\n\
               process w[2] {\n    put(m, self)\n    skip\n}\n";
    let got = code(src);
    let plus_one = Expr::Binary(BinOp::Add, Box::new(Expr::InstanceId), Box::new(Expr::Const(1)));
    assert_eq!(
        ops(&got),
        vec![
            Op::Wait { mutex: 0, mode: WaitMode::Infinite, result: None },
            Op::Assign { place: shared(0), value: plus_one },
            Op::Release { mutex: 0, result: None },
            Op::Skip,
        ]
    );
    // The copied statements keep their own lines and texts, and say where they were called.
    let call = [site("put", 10, 5, 12)];
    let where_: Vec<(u32, &str, &[CallSite])> =
        got.iter().map(|i| (i.span.line, i.text.as_str(), &i.called_from[..])).collect();
    assert_eq!(
        where_,
        vec![(5, "wait n", &call[..]), (6, "a = x + 1", &call[..]), (7, "release n", &call[..]), (11, "skip", &[][..]),]
    );
    assert_eq!(got[1].location(), "line 6 in put, called at line 10");
    assert_eq!(got[3].location(), "line 11");
}

#[test]
fn a_procedures_vars_and_lets_are_one_set_of_thread_locals_however_often_it_is_called() {
    let src = "model t\nmutex m\n\
               proc take(n: mutex): result {\n    var tries: 0..2 = 1\n    let r = wait n timeout\n    tries = tries + 1\n    return r\n}\n\
               process w {\n    var round: 0..1 = 0\n    let r = take(m)\n    let r = take(m)\n    release m\n}\n";
    let m = model(src);
    let t = &m.processes[0].threads[0];
    let locals: Vec<(&str, Ty, Value)> = t.locals.iter().map(|v| (v.name.as_str(), v.ty, v.init)).collect();
    assert_eq!(
        locals,
        vec![
            ("round", Ty::Int { lo: 0, hi: 1 }, 0),
            ("r", Ty::Result, result::OK),
            ("take.tries", Ty::Int { lo: 0, hi: 2 }, 1),
            ("take.r", Ty::Result, result::OK),
        ]
    );
    // Both copies use the same locals; each `return r` stores into the caller's `r`.
    let tries_plus_one = Expr::Binary(
        BinOp::Add,
        Box::new(Expr::Var(VarRef { scope: Scope::Local, index: 2 })),
        Box::new(Expr::Const(1)),
    );
    let copy = vec![
        Op::Wait { mutex: 0, mode: WaitMode::Timeout, result: Some(local(3)) },
        Op::Assign { place: local(2), value: tries_plus_one },
        Op::Assign { place: local(1), value: Expr::Var(VarRef { scope: Scope::Local, index: 3 }) },
    ];
    let mut want = copy.clone();
    want.extend(copy);
    want.push(Op::Release { mutex: 0, result: None });
    assert_eq!(ops(&t.code), want);
}

#[test]
fn each_thread_has_its_own_procedure_locals() {
    let src = "model t\nmutex m\nproc p() {\n    var n: 0..1 = 0\n    n = 1\n}\n\
               process w {\n    thread a { p() }\n    thread b { p() }\n}\n";
    let m = model(src);
    for t in &m.processes[0].threads {
        let names: Vec<&str> = t.locals.iter().map(|v| v.name.as_str()).collect();
        assert_eq!(names, vec!["p.n"], "thread {}", t.name);
        assert_eq!(ops(&t.code), vec![Op::Assign { place: local(0), value: Expr::Const(1) }]);
    }
}

#[test]
fn return_stores_into_the_callers_place_and_jumps_past_the_rest_of_the_copy() {
    let src = "model t\nshared a: 0..4 = 0\nshared f: bool = false\n\
               proc pick(): 0..4 {\n    if f {\n        return 1\n    }\n    return 2\n}\n\
               process w {\n    a = pick()\n    skip\n}\n";
    assert_eq!(
        ops(&code(src)),
        vec![
            Op::Branch { cond: Expr::Var(VarRef { scope: Scope::Shared, index: 1 }), target: 3 },
            Op::Assign { place: shared(0), value: Expr::Const(1) },
            // `return` leaves the copy: a jump, not a step.
            Op::Goto { target: 4 },
            // The last statement needs no jump.
            Op::Assign { place: shared(0), value: Expr::Const(2) },
            Op::Skip,
        ]
    );
}

#[test]
fn a_plain_return_is_only_a_jump_and_a_dropped_value_is_a_step_that_stores_nothing() {
    let src = "model t\nshared f: bool = false\n\
               proc stop() {\n    if f {\n        return\n    }\n    skip\n}\n\
               proc two(): 0..2 {\n    return 2\n}\n\
               process w {\n    stop()\n    two()\n}\n";
    assert_eq!(
        ops(&code(src)),
        vec![
            Op::Branch { cond: Expr::Var(VarRef { scope: Scope::Shared, index: 0 }), target: 2 },
            Op::Goto { target: 3 },
            Op::Skip,
            // `return 2` whose value the caller drops: still the one step `return` is.
            Op::Skip,
        ]
    );
}

#[test]
fn nested_calls_carry_the_whole_call_stack_outermost_first() {
    let src = "model t\nshared a: 0..4 = 0\n\
               proc inner(x: 0..3) {\n    a = x\n}\n\
               proc outer(y: 0..2) {\n    var z: 0..3 = 3\n    inner(y + 1)\n    inner(z)\n}\n\
               process w {\n    outer(2)\n}\n";
    let got = code(src);
    let z = Expr::Var(VarRef { scope: Scope::Local, index: 0 });
    let three = Expr::Binary(BinOp::Add, Box::new(Expr::Const(2)), Box::new(Expr::Const(1)));
    assert_eq!(
        ops(&got),
        vec![Op::Assign { place: shared(0), value: three }, Op::Assign { place: shared(0), value: z }]
    );
    assert_eq!(got[0].called_from, vec![site("outer", 12, 5, 8), site("inner", 8, 5, 12)]);
    assert_eq!(got[1].called_from, vec![site("outer", 12, 5, 8), site("inner", 9, 5, 8)]);
    assert_eq!(got[1].location(), "line 4 in inner, called at line 9 in outer, called at line 12");
}

#[test]
fn procedures_may_be_declared_after_their_callers_and_call_each_other() {
    let src = "model t\nshared a: 0..4 = 0\nprocess w {\n    first()\n}\n\
               proc first() {\n    second()\n    a = 1\n}\nproc second() {\n    a = 2\n}\n";
    let got = code(src);
    assert_eq!(
        ops(&got),
        vec![
            Op::Assign { place: shared(0), value: Expr::Const(2) },
            Op::Assign { place: shared(0), value: Expr::Const(1) }
        ]
    );
}

#[test]
fn the_code_of_a_call_is_the_code_pasted_inline() {
    let with_proc = "model t\nmutex m\nshared a: 0..4 = 0\nshared b: 0..4 = 0\n\
                     proc update(n: mutex) {\n    let r = wait n timeout\n    if r == ABANDONED {\n        b = a\n    }\n    \
                     if r != TIMEOUT {\n        a = a + 1\n        b = b + 1\n        release n\n    }\n}\n\
                     process w[2] {\n    var round: 0..2 = 0\n    while round < 2 {\n        update(m)\n        round = round + 1\n    }\n}\n";
    let inline = "model t\nmutex m\nshared a: 0..4 = 0\nshared b: 0..4 = 0\n\
                  process w[2] {\n    var round: 0..2 = 0\n    while round < 2 {\n        let r = wait m timeout\n        \
                  if r == ABANDONED {\n            b = a\n        }\n        if r != TIMEOUT {\n            a = a + 1\n            \
                  b = b + 1\n            release m\n        }\n        round = round + 1\n    }\n}\n";
    assert_eq!(ops(&code(with_proc)), ops(&code(inline)));
    let local_names = |src: &str| -> Vec<String> {
        model(src).processes[0].threads[0].locals.iter().map(|v| v.name.clone()).collect()
    };
    assert_eq!(local_names(with_proc), vec!["round", "update.r"]);
    assert_eq!(local_names(inline), vec!["round", "r"]);
}

#[test]
fn a_mutex_parameter_is_passed_on_and_a_value_parameter_read_again() {
    let src = "model t\nmutex m\nmutex k\nshared a: 0..4 = 0\n\
               proc hold(n: mutex, v: 0..4) {\n    wait n\n    a = v\n    release n\n}\n\
               proc both(x: mutex, v: 0..4) {\n    hold(x, v)\n    hold(k, v)\n}\n\
               process w {\n    var i: 0..4 = 3\n    both(m, i)\n}\n";
    let i = Expr::Var(VarRef { scope: Scope::Local, index: 0 });
    let wait = |mutex| Op::Wait { mutex, mode: WaitMode::Infinite, result: None };
    let release = |mutex| Op::Release { mutex, result: None };
    assert_eq!(
        ops(&code(src)),
        vec![
            wait(0),
            Op::Assign { place: shared(0), value: i.clone() },
            release(0),
            wait(1),
            Op::Assign { place: shared(0), value: i },
            release(1),
        ]
    );
}
