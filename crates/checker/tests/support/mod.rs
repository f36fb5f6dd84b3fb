//! Small IR models built by hand, with source lines so messages name them.
#![allow(dead_code)]

use mutexcheck_checker::{prepare, CheckResult, Limits, Reductions, Request, Strategy};
use mutexcheck_core::ir::{
    BinOp, Expr, Instr, Model, MutexDecl, Op, Place, ProcessDecl, Property, Scope, Semantics, Span, ThreadDecl, Ty,
    VarDecl, VarRef,
};
use mutexcheck_core::{System, WaitMode};

/// An instruction written on `line` as `text`.
pub fn at(line: u32, text: &str, op: Op) -> Instr {
    Instr::new(op, Span { line, col: 5, len: text.len() as u32 }, text)
}

pub fn shared_ref(index: usize) -> VarRef {
    VarRef { scope: Scope::Shared, index }
}

pub fn shared(index: usize) -> Place {
    Place { var: shared_ref(index), index: None }
}

pub fn var(index: usize) -> Expr {
    Expr::Var(shared_ref(index))
}

pub fn num(v: i32) -> Expr {
    Expr::Const(v)
}

pub fn bin(op: BinOp, a: Expr, b: Expr) -> Expr {
    Expr::Binary(op, Box::new(a), Box::new(b))
}

pub fn int(name: &str, lo: i32, hi: i32, init: i32) -> VarDecl {
    VarDecl { name: name.into(), ty: Ty::Int { lo, hi }, len: None, init, span: Span::default() }
}

pub fn wait(line: u32, mutex: usize) -> Instr {
    let name = ["m", "n"][mutex];
    at(line, &format!("wait {name}"), Op::Wait { mutex, mode: WaitMode::Infinite, result: None })
}

pub fn release(line: u32, mutex: usize) -> Instr {
    let name = ["m", "n"][mutex];
    at(line, &format!("release {name}"), Op::Release { mutex, result: None })
}

/// `shared[index] = value`, written as `text`.
pub fn assign(line: u32, text: &str, index: usize, value: Expr) -> Instr {
    at(line, text, Op::Assign { place: shared(index), value })
}

pub fn process(name: &str, instances: u32, code: Vec<Instr>) -> ProcessDecl {
    ProcessDecl {
        name: name.into(),
        instances,
        restart: false,
        vars: vec![],
        threads: vec![ThreadDecl { name: "main".into(), locals: vec![], code, may_die: false }],
        span: Span::default(),
    }
}

/// A model with mutexes `m` and `n` and shared variables `a: 0..3` and `b: 0..3`.
pub fn model(crashes: u32, processes: Vec<ProcessDecl>, properties: Vec<Property>) -> Model {
    let mutex = |name: &str| MutexDecl {
        name: name.into(),
        initial_owner: None,
        posix: Default::default(),
        span: Span::default(),
    };
    Model {
        name: "t".into(),
        semantics: Semantics::Win32,
        crashes,
        mutexes: vec![mutex("m"), mutex("n")],
        shared: vec![int("a", 0, 3, 0), int("b", 0, 3, 0)],
        processes,
        properties,
        liveness: vec![],
        enums: vec![],
        allowed: vec![],
        guards: vec![],
    }
}

pub fn protect(mutex: usize, cond: Expr, text: &str) -> Property {
    Property::Protect { mutex, cond, text: text.into(), span: Span::default() }
}

pub fn invariant(name: &str, cond: Expr, text: &str) -> Property {
    Property::Invariant { name: name.into(), cond, text: text.into(), span: Span::default() }
}

pub fn at_end(cond: Expr, text: &str) -> Property {
    Property::AtEnd { cond, text: text.into(), span: Span::default() }
}

pub fn system(m: Model) -> System {
    prepare(m, None).expect("a well-formed test model")
}

/// Checks `m` without reductions, so that the counts are those of every state the model
/// reaches (up to dead data) and a breadth-first counterexample is a shortest one.
pub fn run_with(m: Model, strategy: Strategy, limits: Limits) -> (System, CheckResult) {
    run_reduced(m, strategy, limits, Reductions::NONE)
}

/// Checks `m` with `reductions`.
pub fn run_reduced(m: Model, strategy: Strategy, limits: Limits, reductions: Reductions) -> (System, CheckResult) {
    let sys = system(m);
    let request = Request::new().engine(strategy).reductions(reductions).limits(limits);
    let result = request.check(&sys, &request.guard(), &mut |_| {});
    (sys, result)
}

pub fn run(m: Model) -> (System, CheckResult) {
    run_with(m, Strategy::Bfs, Limits::default())
}
