//! How `thread NAME may_die` and `alive(P[i])` lower to the IR.

use mutexcheck_core::ir::{Expr, Op, Property, Scope, VarRef};

fn compile(src: &str) -> mutexcheck_core::Model {
    mutexcheck_lang::compile("t.mc", src.as_bytes()).unwrap_or_else(|d| panic!("{}", d.render("t.mc", src.as_bytes())))
}

#[test]
fn may_die_marks_only_its_thread() {
    let m =
        compile("model t\nprocess p {\n    thread a may_die { skip }\n    thread b { skip }\n}\nprocess q { skip }\n");
    let flags: Vec<bool> = m.processes.iter().flat_map(|p| &p.threads).map(|t| t.may_die).collect();
    assert_eq!(flags, [true, false, false]);
}

#[test]
fn may_die_stays_a_name_elsewhere() {
    let m = compile("model t\nshared may_die: 0..1 = 0\nprocess p {\n    may_die = 1\n}\n");
    assert_eq!(m.shared[0].name, "may_die");
}

#[test]
fn alive_names_the_template_and_lowers_its_index() {
    // `worker` is declared after the process that asks about it.
    let m = compile(
        "model t\nprocess app {\n    var i: 0..1 = 1\n    assert alive(worker[i]) || alive(worker[0])\n}\n\
         process worker[2] { skip }\ninvariant up: alive(app)\n",
    );
    let local = Expr::Var(VarRef { scope: Scope::Local, index: 0 });
    let want = Expr::Binary(
        mutexcheck_core::ir::BinOp::Or,
        Box::new(Expr::Alive { process: 1, index: Box::new(local) }),
        Box::new(Expr::Alive { process: 1, index: Box::new(Expr::Const(0)) }),
    );
    assert_eq!(m.processes[0].threads[0].code[0].op, Op::Assert { cond: want });
    let Property::Invariant { cond, .. } = &m.properties[0] else { panic!() };
    assert_eq!(*cond, Expr::Alive { process: 0, index: Box::new(Expr::Const(0)) });
}
