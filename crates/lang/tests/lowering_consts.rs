//! What constants and enums compile to (issue #20): a constant is its value wherever it is
//! used, an enum is `Ty::Enum` with its members numbered from 0 in declaration order.

use mutexcheck_core::ir::*;
use mutexcheck_core::System;
use mutexcheck_lang::compile;

fn model(src: &str) -> Model {
    let m = compile("t.mc", src.as_bytes()).unwrap_or_else(|d| panic!("{}", d.render("t.mc", src.as_bytes())));
    System::new(m.clone()).expect("core accepts every compiled model");
    m
}

#[test]
fn constants_give_every_compile_time_number_its_value() {
    // Used before they are declared, and in terms of each other.
    let m = model(
        "model t\ncrashes LAST\nmutex m owned_by w[LAST]\nshared slots: [LO..N; N * 2] = N - 1\n\
         process w[N] { var x: -N..N = -N\n x = LAST + x }\nconst LAST = N - 1\nconst N = 3\nconst LO = -(N % 2)\n",
    );
    assert_eq!(m.crashes, 2);
    assert_eq!(m.mutexes[0].initial_owner, Some(ThreadRef { process: 0, instance: 2, thread: 0 }));
    let s = &m.shared[0];
    assert_eq!((s.ty, s.len, s.init), (Ty::Int { lo: -1, hi: 3 }, Some(6), 2));
    let p = &m.processes[0];
    assert_eq!(p.instances, 3);
    let x = &p.threads[0].locals[0];
    assert_eq!((x.ty, x.init), (Ty::Int { lo: -3, hi: 3 }, -3));
    // In an expression a constant is its value: nothing is left to look up at run time.
    let Op::Assign { value, .. } = &p.threads[0].code[0].op else { panic!() };
    let local = Expr::Var(VarRef { scope: Scope::Local, index: 0 });
    assert_eq!(*value, Expr::Binary(BinOp::Add, Box::new(Expr::Const(2)), Box::new(local)));
    assert!(m.enums.is_empty());
}

#[test]
fn constant_division_is_euclidean_as_at_run_time() {
    // -7 / 2 == -4 and -7 % 2 == 1, as `eval` computes them; -2147483648 is a value.
    let m = model(
        "model t\nconst Q = -7 / 2\nconst R = -7 % 2\nconst MIN = -2147483648\n\
         shared q: Q..R = Q\nshared lo: MIN..MIN + 1 = MIN\nprocess w { skip }\n",
    );
    assert_eq!((m.shared[0].ty, m.shared[0].init), (Ty::Int { lo: -4, hi: 1 }, -4));
    assert_eq!(m.shared[1].ty, Ty::Int { lo: i32::MIN, hi: i32::MIN + 1 });
}

#[test]
fn an_enum_is_a_type_whose_members_are_numbered_in_order() {
    let m = model(
        "model t\nenum Phase { Idle, Writing, Done, }\nshared phase: Phase = Writing\nshared first: Phase\n\
         shared all: [Phase; 2] = Done\nshared last = Done\nprocess w {\n if phase == Done { phase = Idle }\n}\n",
    );
    assert_eq!(m.enums.len(), 1);
    let e = &m.enums[0];
    assert_eq!((e.name.as_str(), e.members.clone()), ("Phase", vec!["Idle".into(), "Writing".into(), "Done".into()]));
    assert_eq!((e.span.line, e.span.col), (2, 1));
    let ty = Ty::Enum { id: 0, len: 3 };
    let shared: Vec<(Ty, Option<u32>, Value)> = m.shared.iter().map(|v| (v.ty, v.len, v.init)).collect();
    // `= INIT` left out: the first member; a type left out is the initial member's enum.
    assert_eq!(shared, vec![(ty, None, 1), (ty, None, 0), (ty, Some(2), 2), (ty, None, 2)]);
    let code = &m.processes[0].threads[0].code;
    let phase = Expr::Var(VarRef { scope: Scope::Shared, index: 0 });
    let Op::Branch { cond, .. } = &code[0].op else { panic!() };
    assert_eq!(*cond, Expr::Binary(BinOp::Eq, Box::new(phase), Box::new(Expr::Const(2))));
    let Op::Assign { value, .. } = &code[1].op else { panic!() };
    assert_eq!(*value, Expr::Const(0));
}

#[test]
fn a_model_renders_enum_values_by_name_and_anything_else_as_before() {
    let m =
        model("model t\nenum Color { Red, Green }\nenum Phase { Idle, Done }\nshared c: Color\nprocess w { skip }\n");
    let phase = Ty::Enum { id: 1, len: 2 };
    assert_eq!((m.render(phase, 0), m.render(phase, 1)), ("Idle".into(), "Done".into()));
    assert_eq!(m.render(Ty::Enum { id: 0, len: 2 }, 1), "Green");
    // Out of its range (never stored: assignments are type-checked) it is the number.
    assert_eq!(m.render(phase, 5), "5");
    assert_eq!((m.render(Ty::Bool, 1), m.render(Ty::Result, 1)), ("true".into(), "ABANDONED".into()));
}

#[test]
fn the_core_rejects_an_enum_type_that_does_not_match_its_declaration() {
    let mut m = model("model t\nenum E { A, B }\nshared e: E\nprocess w { skip }\n");
    m.shared[0].ty = Ty::Enum { id: 0, len: 3 };
    let Err(e) = System::new(m.clone()) else { panic!("a wrong member count is refused") };
    assert_eq!(e.message, "shared variable `e` has enum type `E` with 3 members, but it declares 2");
    m.shared[0].ty = Ty::Enum { id: 1, len: 2 };
    let Err(e) = System::new(m) else { panic!("an unknown enum is refused") };
    assert_eq!(e.message, "shared variable `e` has enum type 1, which is not declared");
}
