//! Small models built directly as IR, for the transition-system tests. (Shared by the test
//! files that include it: each uses a part.)
#![allow(dead_code)]

use mutexcheck_core::ir::{
    Instr, Model, MutexDecl, Op, Place, PosixAttributes, ProcessDecl, Scope, Semantics, Span, ThreadDecl, Ty, VarDecl,
    VarRef,
};
use mutexcheck_core::{Action, State, Step, System, WaitMode};

pub fn instr(op: Op) -> Instr {
    Instr::new(op, Span::default(), "")
}

pub fn local(index: usize) -> Place {
    Place { var: VarRef { scope: Scope::Local, index }, index: None }
}

pub fn shared(index: usize) -> Place {
    Place { var: VarRef { scope: Scope::Shared, index }, index: None }
}

pub fn result_var(name: &str) -> VarDecl {
    VarDecl { name: name.into(), ty: Ty::Result, len: None, init: 0, span: Span::default() }
}

pub fn int_var(name: &str, lo: i32, hi: i32, init: i32) -> VarDecl {
    VarDecl { name: name.into(), ty: Ty::Int { lo, hi }, len: None, init, span: Span::default() }
}

pub fn wait(mode: WaitMode, into: Option<usize>) -> Instr {
    instr(Op::Wait { mutex: 0, mode, result: into.map(local) })
}

pub fn release() -> Instr {
    instr(Op::Release { mutex: 0, result: None })
}

pub fn process(name: &str, instances: u32, locals: Vec<VarDecl>, code: Vec<Instr>) -> ProcessDecl {
    ProcessDecl {
        name: name.into(),
        instances,
        restart: false,
        vars: vec![],
        threads: vec![ThreadDecl { name: "main".into(), locals, code, may_die: false }],
        span: Span::default(),
    }
}

pub fn model(crashes: u32, processes: Vec<ProcessDecl>) -> Model {
    Model {
        name: "t".into(),
        semantics: Semantics::Win32,
        crashes,
        mutexes: vec![MutexDecl {
            name: "m".into(),
            initial_owner: None,
            posix: Default::default(),
            span: Span::default(),
        }],
        shared: vec![int_var("a", 0, 3, 0)],
        processes,
        properties: vec![],
        liveness: vec![],
        enums: vec![],
        allowed: vec![],
        guards: vec![],
    }
}

pub fn successors(sys: &System, s: &State) -> Vec<(Step, State)> {
    let mut out = Vec::new();
    sys.successors(s, &mut out);
    out
}

/// The only successor that is a step of thread `t`.
pub fn step_of(sys: &System, s: &State, t: u16) -> (Step, State) {
    let mut steps: Vec<_> = successors(sys, s)
        .into_iter()
        .filter(|(st, _)| matches!(st.action, Action::Run { thread, .. } if thread == t))
        .collect();
    assert_eq!(steps.len(), 1, "thread {t} should have exactly one step");
    steps.pop().unwrap()
}

pub fn has_step_of(sys: &System, s: &State, t: u16) -> bool {
    successors(sys, s).iter().any(|(st, _)| matches!(st.action, Action::Run { thread, .. } if thread == t))
}

/// [`model`] under POSIX semantics, its mutex `m` with `attrs`; result variables made by
/// [`posix_result_var`].
pub fn posix_model(attrs: PosixAttributes, crashes: u32, processes: Vec<ProcessDecl>) -> Model {
    let mut m = model(crashes, processes);
    m.semantics = Semantics::Posix;
    m.mutexes[0].posix = attrs;
    m
}

/// A POSIX result variable.
pub fn posix_result_var(name: &str) -> VarDecl {
    VarDecl { name: name.into(), ty: Ty::PosixResult, len: None, init: 0, span: Span::default() }
}

/// `consistent m`.
pub fn consistent() -> Instr {
    instr(Op::Consistent { mutex: 0, result: None })
}

/// `release m` (POSIX: `unlock m`) storing its result in local `into`.
pub fn release_into(into: usize) -> Instr {
    instr(Op::Release { mutex: 0, result: Some(local(into)) })
}
