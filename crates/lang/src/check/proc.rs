//! Procedures: their declarations, the recursion check, and inlining each call.
//!
//! A procedure has no state of its own at run time: each call is replaced by a copy of the
//! procedure's code, so a call adds no step and no state. Parameters are not stored either:
//! a mutex parameter is the mutex the call names (a fixed mutex, or an element of an array
//! whose index is evaluated at each use), and every use of a value parameter reads the
//! argument expression itself. That is sound because an argument, and the index of an
//! element passed as a mutex, may read only what the procedure cannot change (see `proc_args.rs`). A procedure's `var`s and `let` results are
//! locals of the calling thread, one set per thread and procedure, named `acquire.tries`.
//!
//! Every body is checked once on its own, where its errors are reported; the copies made
//! at each call are lowered again with their errors dropped, except the few that depend on
//! the call (reported at the call). Recursion is refused before any copy is made.

use std::collections::{BTreeMap, BTreeSet};
use std::rc::Rc;

use super::mutex_ref::MutexTarget;
use super::stmt::Lowering;
use super::{Checker, Entity, Env, Names, T};
use crate::ast::*;
use crate::source::Sp;
use crate::RawDiag;
use mutexcheck_core::ir::*;

/// The deepest nesting of calls (a call inside a procedure called inside ...).
pub const MAX_CALL_DEPTH: usize = 32;
/// The most instructions a thread's code may have once its calls are inlined.
pub const MAX_INLINED_CODE: u64 = 100_000;
/// The most instructions all calls of a model may copy in, together: a 1 MiB model of
/// many threads calling one large procedure must still compile in proportion to its size.
pub const MAX_COPIED_CODE: u64 = 1_000_000;

/// A parameter as declared.
pub(crate) enum ParamKind {
    Mutex,
    Value(Ty),
}

/// A declared procedure, its signature checked.
pub(crate) struct ProcInfo<'a> {
    pub ast: ProcAst<'a>,
    pub params: Vec<ParamKind>,
    pub ret: Option<Ty>,
    pub vars: Vec<VarDecl>,
    /// At most how many instructions one call makes, callees included (saturating).
    pub size: u64,
    /// An `atomic` block in the procedure or one it calls: a call inside `atomic` is refused.
    pub atomic: Option<Sp>,
}

/// One call being inlined.
struct Frame<'a> {
    name: &'a str,
    /// The return type and where `return EXPR` stores (nothing for a call as a statement).
    ret: Option<(Ty, Option<Place>)>,
    /// `return`s: jumps to the end of the copy, patched when it is done.
    returns: Vec<Pc>,
    /// Whether the call itself is inside an `atomic` block.
    atomic: bool,
}

/// The procedures of a model and the state of inlining them into one thread.
#[derive(Default)]
pub(crate) struct Procs<'a> {
    pub by_name: BTreeMap<&'a str, Rc<ProcInfo<'a>>>,
    /// Instances of the process being lowered: the range of `self` in its thread.
    pub instances: u32,
    /// The most instances of any process: the range of `self` inside a procedure.
    pub max_instances: u32,
    /// Checking bodies on their own: calls are checked, not inlined.
    standalone: bool,
    frames: Vec<Frame<'a>>,
    /// Per procedure, the thread locals holding its `var`s and `let`s in this thread.
    locals: BTreeMap<&'a str, Names<'a>>,
    /// Errors that depend on the call, found while copying a body, until the outermost
    /// call is done.
    at_calls: Vec<RawDiag>,
    /// Those already reported (each once, whichever call found it).
    reported: BTreeSet<(usize, String)>,
    /// Instructions copied in by the calls in threads so far (an upper bound).
    copied: u64,
    /// Some procedures call themselves (reported): no call is copied.
    pub recursion: bool,
}

impl<'a> Procs<'a> {
    /// A new thread: its procedures' locals are its own.
    pub fn start_thread(&mut self) {
        self.locals.clear();
    }

    /// True while lowering a procedure's body.
    pub fn inside(&self) -> bool {
        !self.frames.is_empty()
    }
}

impl<'a> Checker<'a> {
    /// Checks every procedure's signature, refuses recursion, and checks each body once.
    pub(super) fn declare_procs(&mut self, ast: &ModelAst<'a>) {
        // The instance counts as `alive`'s table has them (constants worked out, clamped).
        self.procs.max_instances = self.processes.values().map(|p| p.instances).max().unwrap_or(1);
        for p in &ast.procs {
            if let Some(first) = self.procs.by_name.get(p.name.name) {
                let first = first.ast.name.sp;
                self.duplicate(&p.name, first, "a procedure");
                continue;
            }
            if crate::parser::QUERIES.contains(&p.name.name) {
                self.err(
                    RawDiag::new(
                        p.name.sp,
                        format!("`{}` is a mutex query, not a procedure name", p.name.name),
                        "a query",
                    )
                    .help("choose another name for the procedure"),
                );
                continue;
            }
            let info = self.signature(p);
            self.procs.by_name.insert(p.name.name, Rc::new(info));
        }
        self.recursion(ast);
        self.sizes(ast);
        let all: Vec<Rc<ProcInfo<'a>>> =
            ast.procs.iter().filter_map(|p| self.procs.by_name.get(p.name.name).cloned()).collect();
        for info in &all {
            self.check_body(info);
        }
    }

    fn signature(&mut self, p: &ProcAst<'a>) -> ProcInfo<'a> {
        let mut seen: BTreeMap<&str, Sp> = BTreeMap::new();
        let mut params = Vec::new();
        for prm in &p.params {
            if let Some(first) = seen.get(prm.name.name) {
                self.duplicate(&prm.name, *first, "a parameter of this procedure");
            } else if let Some((first, what)) = Env::default().declared(self, prm.name.name) {
                self.duplicate(&prm.name, first, what);
            }
            seen.insert(prm.name.name, prm.name.sp);
            params.push(match &prm.ty {
                ParamTy::Mutex => ParamKind::Mutex,
                ParamTy::Value(t) => ParamKind::Value(self.scalar_ty(t, prm.ty_sp, "a parameter")),
            });
        }
        let ret = p.ret.as_ref().map(|(t, sp)| self.scalar_ty(t, *sp, "a return value"));
        let mut vars = Vec::new();
        for v in &p.vars {
            if let Some(first) = seen.get(v.name.name) {
                self.duplicate(&v.name, *first, "a parameter or variable of this procedure");
                continue;
            }
            if let Some((first, what)) = Env::default().declared(self, v.name.name) {
                self.duplicate(&v.name, first, what);
                continue;
            }
            seen.insert(v.name.name, v.name.sp);
            self.refuse_guard(v, "a local variable of its procedure");
            vars.push(self.var_decl(v));
        }
        ProcInfo { ast: p.clone(), params, ret, vars, size: 0, atomic: None }
    }

    /// A parameter or return type: not an array.
    fn scalar_ty(&mut self, t: &TypeAst<'a>, sp: Sp, what: &str) -> Ty {
        if let TypeAst::Array { .. } = t {
            self.err(
                RawDiag::new(sp, format!("{what} cannot be an array"), "array")
                    .help("pass one element, or keep the array in a shared variable"),
            );
            return Ty::Int { lo: 0, hi: 0 };
        }
        let v = VarAst { name: Ident { name: "", sp }, ty: Some((t.clone(), sp)), init: None, guard: None, sp };
        self.var_decl(&v).ty
    }

    /// The environment of a procedure body: its parameters (as `args`) and its locals.
    fn proc_env(&self, info: &ProcInfo<'a>, args: Vec<Expr>, mutexes: &[MutexTarget], locals: Names<'a>) -> Env<'a> {
        let mut env = Env { local: locals, args, mutex_args: mutexes.to_vec(), ..Env::default() };
        let (mut a, mut m) = (0, 0);
        for (prm, kind) in info.ast.params.iter().zip(&info.params) {
            let e = match kind {
                ParamKind::Mutex => {
                    m += 1;
                    Entity::MutexParam(m - 1)
                }
                ParamKind::Value(ty) => {
                    a += 1;
                    Entity::Param { ty: *ty, arg: a - 1 }
                }
            };
            env.local.insert(prm.name.name, (e, prm.name.sp));
        }
        env
    }

    /// The procedure's own locals in a lowering: its `var`s, allocated from `lw.locals`.
    fn own_locals(&self, info: &ProcInfo<'a>, lw: &mut Lowering) -> Names<'a> {
        let mut names = Names::new();
        for (v, d) in info.ast.vars.iter().zip(&info.vars) {
            let var = VarRef { scope: Scope::Local, index: lw.locals.len() };
            names.insert(v.name.name, (Entity::Var { var, ty: d.ty, len: d.len }, v.name.sp));
            lw.locals.push(VarDecl { name: format!("{}.{}", info.ast.name.name, d.name), ..d.clone() });
        }
        names
    }

    /// Checks a body once, on its own: where its errors are reported.
    fn check_body(&mut self, info: &Rc<ProcInfo<'a>>) {
        let mut lw = Lowering::new(Vec::new());
        let locals = self.own_locals(info, &mut lw);
        let args = info
            .params
            .iter()
            .filter_map(|k| match k {
                ParamKind::Value(ty) => Some(Expr::Const(ty.bounds().0)),
                ParamKind::Mutex => None,
            })
            .collect();
        // Any mutex stands for the arguments: the code checked here is not kept.
        let mutexes: Vec<MutexTarget> =
            info.params.iter().filter(|k| matches!(k, ParamKind::Mutex)).map(|_| MutexTarget::Fixed(0)).collect();
        let mut env = self.proc_env(info, args, &mutexes, locals);
        self.procs.standalone = true;
        let ret = info.ret.map(|t| (t, None));
        self.procs.frames.push(Frame { name: info.ast.name.name, ret, returns: Vec::new(), atomic: false });
        self.block(&mut env, &mut lw, &info.ast.body);
        self.procs.frames.pop();
        self.procs.standalone = false;
        if let (Some(ty), false) = (info.ret, always_returns(&info.ast.body)) {
            self.err(
                RawDiag::new(
                    info.ast.name.sp,
                    format!("`{}` may reach its end without returning a value", info.ast.name.name),
                    format!("returns {}", T::of(ty).noun()),
                )
                .help("end every path through the procedure with `return EXPR`"),
            );
        }
    }

    /// A call as a statement, or storing its value (`let r = f(...)`, `x = f(...)`).
    pub(super) fn call_stmt(
        &mut self,
        env: &mut Env<'a>,
        lw: &mut Lowering,
        s: &Stmt<'a>,
        target: Option<&Target<'a>>,
        call: &CallAst<'a>,
    ) {
        let Some(info) = self.procs.by_name.get(call.name.name).cloned() else {
            self.unknown_proc(call);
            return;
        };
        let args = self.call_args(env, &info, call);
        let place = match (target, info.ret) {
            (None, _) => None,
            (Some(_), None) => {
                self.err(
                    RawDiag::new(call.name.sp, format!("`{}` returns no value", call.name.name), "no return type")
                        .help(format!(
                            "call it as a statement, `{}(...)`, or give it a return type: `proc {}(...): TYPE`",
                            call.name.name, call.name.name
                        )),
                );
                return;
            }
            (Some(Target::Let(name)), Some(ty)) => Some(self.let_var_of(env, lw, name, ty)),
            (Some(Target::Place(p)), Some(ty)) => Some(self.call_place(env, p, ty, call)),
        };
        let Some((values, mutexes)) = args else { return };
        // Found by each body's own check, and at the thread's call for what the call
        // copies in (`atomic` includes the procedures it calls): never call-dependent inside
        // a copy.
        if let Some(sp) = info.atomic.filter(|_| lw.atomic) {
            let line = self.line_of(sp);
            self.err(
                RawDiag::new(
                    call.sp,
                    format!(
                        "`{}` runs an `atomic` block (line {line}), so it cannot be called inside an `atomic` block",
                        call.name.name
                    ),
                    "inside `atomic`",
                )
                .help("atomic blocks do not nest; call it outside the block"),
            );
            return;
        }
        if place.as_ref().is_some_and(|p| p.is_none()) || self.procs.standalone {
            return;
        }
        if self.procs.recursion {
            return; // reported by `recursion`: no copy is made, so no error follows from it
        }
        if self.procs.frames.len() >= MAX_CALL_DEPTH {
            self.call_error(
                lw,
                RawDiag::new(
                    call.sp,
                    format!("procedure calls nest deeper than {MAX_CALL_DEPTH} levels here"),
                    "too deep",
                )
                .help("procedures are copied into each call; call fewer procedures from procedures"),
            );
            return;
        }
        if lw.code.len() as u64 + info.size > MAX_INLINED_CODE {
            self.call_error(
                lw,
                RawDiag::new(
                    call.sp,
                    format!("with this call the thread's code would pass {MAX_INLINED_CODE} instructions"),
                    "too much code",
                )
                .help("procedures are copied into each call; call fewer procedures from procedures"),
            );
            return;
        }
        if self.procs.frames.is_empty() {
            if self.procs.copied.saturating_add(info.size) > MAX_COPIED_CODE {
                self.err(
                    RawDiag::new(
                        call.sp,
                        format!("with this call the model's procedure calls would copy more than {MAX_COPIED_CODE} instructions"),
                        "too much code",
                    )
                    .help("procedures are copied into each call; call large procedures from fewer places"),
                );
                return;
            }
            self.procs.copied += info.size;
        }
        self.inline(lw, &info, values, &mutexes, place.flatten(), s.sp);
    }

    /// Copies the body of `info` into `lw` for one call at `call_sp`.
    fn inline(
        &mut self,
        lw: &mut Lowering,
        info: &Rc<ProcInfo<'a>>,
        args: Vec<Expr>,
        mutexes: &[MutexTarget],
        place: Option<Place>,
        call_sp: Sp,
    ) {
        let name = info.ast.name.name;
        let first_local = lw.locals.len();
        let locals = match self.procs.locals.get(name) {
            Some(l) => l.clone(),
            None => self.own_locals(info, lw),
        };
        let mut env = self.proc_env(info, args, mutexes, locals);
        lw.calls.push(CallSite { proc: name.to_string(), span: self.src.span(call_sp) });
        let ret = info.ret.map(|t| (t, place));
        self.procs.frames.push(Frame { name, ret, returns: Vec::new(), atomic: lw.atomic });
        // The body's own errors were reported by `check_body`.
        let reported = std::mem::take(&mut self.errs);
        self.block(&mut env, lw, &info.ast.body);
        self.errs = reported;
        let frame = self.procs.frames.pop().expect("pushed above");
        lw.calls.pop();
        if self.procs.frames.is_empty() {
            for d in std::mem::take(&mut self.procs.at_calls) {
                self.err(d);
            }
        }
        // A `return` that ends the body jumps to where it is already.
        let mut returns = frame.returns;
        if matches!(info.ast.body.last(), Some(Stmt { kind: StmtKind::Return(_), .. }))
            && returns.last().is_some_and(|&r| r + 1 == lw.code.len())
        {
            returns.pop();
            lw.code.pop();
        }
        let end = lw.here();
        for r in returns {
            lw.patch(r, end);
        }
        // The `let`s of the body are the procedure's locals too.
        for d in &mut lw.locals[first_local..] {
            if !d.name.contains('.') {
                d.name = format!("{name}.{}", d.name);
            }
        }
        env.local.retain(|_, (e, _)| matches!(e, Entity::Var { .. }));
        self.procs.locals.insert(name, env.local);
    }

    /// An error that depends on the call, found while copying a body: reported once, with
    /// the call in the thread that led there.
    fn call_error(&mut self, lw: &Lowering, mut d: RawDiag) {
        if self.procs.frames.is_empty() {
            self.err(d);
        } else if self.procs.reported.insert((d.sp.start, d.message.clone())) {
            if let Some(first) = lw.calls.first() {
                d.message.push_str(&format!(" (reached from the call at line {})", first.span.line));
            }
            self.procs.at_calls.push(d);
        }
    }

    /// `return` or `return EXPR`.
    pub(super) fn return_stmt(
        &mut self,
        env: &mut Env<'a>,
        lw: &mut Lowering,
        s: &Stmt<'a>,
        value: Option<&ExprAst<'a>>,
    ) {
        let Some(frame) = self.procs.frames.last() else {
            self.err(
                RawDiag::new(s.sp, "`return` outside a procedure", "not in a `proc`").help(
                    "`return` ends a procedure (`proc NAME(...) { ... }`); a thread ends with `exit`, or by running off its end",
                ),
            );
            return;
        };
        let name = frame.name;
        let ret = frame.ret.as_ref().map(|(t, p)| (*t, p.clone()));
        if lw.atomic != frame.atomic {
            self.err(
                RawDiag::new(s.sp, "`return` inside an `atomic` block", "inside `atomic`")
                    .help("end the atomic block first, then return"),
            );
            return;
        }
        let span = self.src.span(s.sp);
        let text = self.src.text_of(s.sp);
        match (value, ret) {
            (None, None) => {}
            (Some(v), None) => {
                self.err(
                    RawDiag::new(v.sp, format!("`{name}` returns no value, but this `return` gives one"), "a value")
                        .help(format!("give the procedure a return type, `proc {name}(...): TYPE`, or write `return`")),
                );
                return;
            }
            (None, Some((ty, _))) => {
                self.err(
                    RawDiag::new(
                        s.sp,
                        format!("missing return value: `{name}` returns {}", T::of(ty).noun()),
                        "no value",
                    )
                    .help("write `return EXPR`"),
                );
                return;
            }
            (Some(v), Some((ty, place))) => {
                let what = format!("the value `{name}` returns");
                let value = self.expr_of(env, v, T::of(ty), &what);
                match place {
                    Some(place) => lw.emit(Op::Assign { place, value }, span, text),
                    // The caller does not keep the value: the step stores nothing.
                    None => lw.emit(Op::Skip, span, text),
                };
            }
        }
        let jump = lw.emit(Op::Goto { target: 0 }, span, "return".into());
        if let Some(f) = self.procs.frames.last_mut() {
            f.returns.push(jump);
        }
    }

    fn unknown_proc(&mut self, call: &CallAst<'a>) {
        if self.c_call(call) {
            return;
        }
        let name = &call.name;
        let mut d = RawDiag::new(name.sp, format!("unknown procedure `{}`", name.name), "not declared");
        let hint = match self.errs.may_show(name.sp) {
            true => {
                let names: Vec<&str> = self.procs.by_name.keys().copied().collect();
                super::suggest::closest(name.name, names.into_iter(), &mut self.budget).map(str::to_string)
            }
            false => None,
        };
        d = d.help(match hint {
            Some(s) => format!("did you mean `{s}`?"),
            None => format!("declare it at the top level: `proc {}(...) {{ ... }}`", name.name),
        });
        self.err(d);
    }

    /// Reports a call of a C mutex function (`pthread_mutex_lock(m)`) with the model's
    /// operation to write instead; false when `call` is no such call.
    fn c_call(&mut self, call: &CallAst<'a>) -> bool {
        let mutex = match call.args.first().map(|a| &a.kind) {
            Some(ExprKind::Name(n)) => *n,
            _ => "m",
        };
        let Some((message, help)) = super::teach::c_call(call.name.name, mutex, self.semantics) else { return false };
        self.err(RawDiag::new(call.name.sp, message, "a C call").help(help));
        true
    }

    /// A procedure call used inside an expression.
    pub(super) fn call_in_expression(&mut self, call: &CallAst<'a>) {
        if self.procs.by_name.contains_key(call.name.name) {
            self.err(
                RawDiag::new(call.sp, "a procedure call cannot be part of an expression", "a call")
                    .help(format!("store its value first, `let r = {}(...)`, then use `r`", call.name.name)),
            );
        } else if !self.c_call(call) {
            self.err(
                RawDiag::new(call.name.sp, format!("unknown function `{}`", call.name.name), "not a built-in query")
                    .help("the mutex queries are `held(m)`, `count(m)`, `owns(m)` and `abandoned(m)`; a procedure is declared with `proc`"),
            );
        }
    }
}

/// True when every way through `body` ends in `return` or `exit` (or stays in a
/// `while true` loop, which only those leave).
fn always_returns(body: &[Stmt]) -> bool {
    body.iter().any(|s| match &s.kind {
        StmtKind::Return(_) | StmtKind::Exit => true,
        StmtKind::If { arms, els: Some((_, e)) } => arms.iter().all(|a| always_returns(&a.body)) && always_returns(e),
        StmtKind::Either(alts) => alts.iter().all(|(_, b)| always_returns(b)),
        StmtKind::Atomic(b) => always_returns(b),
        StmtKind::While { cond, .. } => matches!(cond.kind, ExprKind::Bool(true)),
        _ => false,
    })
}
