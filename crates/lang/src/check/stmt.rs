//! Lowering statements to instructions: straight-line code with branches and jumps by index.

use super::mutex_ref::MutexTarget;
use super::{Checker, Entity, Env, T};
use crate::ast::*;
use crate::RawDiag;
use mutexcheck_core::ir::*;

/// One thread being lowered: its locals (declared by `var` and by the first `let` of a name)
/// and its code so far.
pub(crate) struct Lowering {
    pub locals: Vec<VarDecl>,
    pub code: Vec<Instr>,
    /// Inside an `atomic` block (they do not nest).
    pub atomic: bool,
    /// The procedure calls being inlined here, outermost first: every instruction emitted
    /// carries them.
    pub calls: Vec<CallSite>,
}

impl Lowering {
    /// A thread's code, starting with its declared locals.
    pub fn new(locals: Vec<VarDecl>) -> Lowering {
        Lowering { locals, code: Vec::new(), atomic: false, calls: Vec::new() }
    }

    pub(super) fn emit(&mut self, op: Op, span: Span, text: String) -> Pc {
        self.code.push(Instr { op, span, text, called_from: self.calls.clone() });
        self.code.len() - 1
    }

    pub(super) fn here(&self) -> Pc {
        self.code.len()
    }

    /// Points the jump at `at` (a `Branch` or `Goto`) to `target`.
    pub(super) fn patch(&mut self, at: Pc, target: Pc) {
        match &mut self.code[at].op {
            Op::Branch { target: t, .. } | Op::Goto { target: t } => *t = target,
            _ => {}
        }
    }
}

impl<'a> Checker<'a> {
    pub(super) fn block(&mut self, env: &mut Env<'a>, lw: &mut Lowering, stmts: &[Stmt<'a>]) {
        for s in stmts {
            self.stmt(env, lw, s);
        }
    }

    fn stmt(&mut self, env: &mut Env<'a>, lw: &mut Lowering, s: &Stmt<'a>) {
        let span = self.src.span(s.sp);
        let text = self.src.text_of(s.sp);
        match &s.kind {
            StmtKind::Skip => {
                lw.emit(Op::Skip, span, text);
            }
            StmtKind::Progress => {
                lw.emit(Op::Progress, span, text);
            }
            StmtKind::Exit => {
                lw.emit(Op::Exit, span, text);
            }
            StmtKind::Assert(e) => {
                let cond = self.expr_of(env, e, T::Bool, "an assertion");
                lw.emit(Op::Assert { cond }, span, text);
            }
            StmtKind::Assign { place, value } => {
                let (v, vt) = self.expr(env, value);
                if let Some((place, pt)) = self.place(env, place) {
                    if vt != pt && vt != T::Err {
                        let mut d = RawDiag::new(
                            value.sp,
                            format!(
                                "`{}` holds {}, but this value is {}",
                                s_name(&s.kind),
                                self.noun(pt),
                                self.noun(vt)
                            ),
                            format!("{} here", self.noun(vt)),
                        );
                        if let T::Enum(id) = pt {
                            d = d.help(self.enum_values(id));
                        }
                        self.err(d);
                    }
                    lw.emit(Op::Assign { place, value: v }, span, text);
                }
            }
            StmtKind::Mutex { target, op, mutex } => {
                let m = self.mutex_target(env, mutex);
                let result = match target {
                    None => None,
                    Some(Target::Let(name)) => self.let_var(env, lw, name),
                    Some(Target::Place(p)) => match self.place(env, p) {
                        Some((place, T::Result)) => Some(place),
                        Some((_, t)) => {
                            self.err(
                                RawDiag::new(
                                    p.sp,
                                    format!(
                                        "`{}` holds {}, but `{}` returns a result",
                                        p.name.name,
                                        self.noun(t),
                                        op.word()
                                    ),
                                    "not a result variable",
                                )
                                .help("store results in a variable of type `result`, or use `let`"),
                            );
                            None
                        }
                        None => None,
                    },
                };
                if op.is_posix() != (self.semantics == Semantics::Posix) {
                    self.mixed_flavors(*op, &mutex.name);
                } else if let Some(target) = m {
                    let on = |mutex| match op {
                        MutexOp::Wait(mode) | MutexOp::Lock(mode) => Op::Wait { mutex, mode: *mode, result },
                        MutexOp::Release | MutexOp::Unlock => Op::Release { mutex, result },
                        MutexOp::Consistent => Op::Consistent { mutex, result },
                    };
                    let op = match target {
                        MutexTarget::Fixed(mutex) => on(mutex),
                        MutexTarget::Element(element) => {
                            let first = on(element.base);
                            Op::OnElement { element, op: Box::new(first) }
                        }
                    };
                    lw.emit(op, span, text);
                }
            }
            StmtKind::If { arms, els } => {
                let mut to_end = Vec::new();
                for (i, arm) in arms.iter().enumerate() {
                    let cond = self.expr_of(env, &arm.cond, T::Bool, "an `if` condition");
                    let head_span = self.src.span(arm.head);
                    let head_text = self.src.text_of(arm.head);
                    let branch = lw.emit(Op::Branch { cond, target: 0 }, head_span, head_text.clone());
                    self.block(env, lw, &arm.body);
                    if i + 1 < arms.len() || els.is_some() {
                        to_end.push(lw.emit(Op::Goto { target: 0 }, head_span, head_text));
                    }
                    let next = lw.here();
                    lw.patch(branch, next);
                }
                if let Some((_, body)) = els {
                    self.block(env, lw, body);
                }
                let end = lw.here();
                for g in to_end {
                    lw.patch(g, end);
                }
            }
            StmtKind::While { cond, body } => {
                let cond = self.expr_of(env, cond, T::Bool, "a `while` condition");
                let head = lw.emit(Op::Branch { cond, target: 0 }, span, text.clone());
                self.block(env, lw, body);
                lw.emit(Op::Goto { target: head }, span, text);
                let end = lw.here();
                lw.patch(head, end);
            }
            StmtKind::Atomic(body) => {
                if lw.atomic {
                    self.err(
                        RawDiag::new(s.sp, "`atomic` blocks cannot be nested", "already inside `atomic`")
                            .help("the outer block is already one step"),
                    );
                }
                let outer = lw.atomic;
                lw.atomic = true;
                lw.emit(Op::AtomicBegin, span, "atomic".into());
                self.block(env, lw, body);
                lw.emit(Op::AtomicEnd, span, "end atomic".into());
                lw.atomic = outer;
            }
            StmtKind::Call { target, call } => self.call_stmt(env, lw, s, target.as_ref(), call),
            StmtKind::Return(value) => self.return_stmt(env, lw, s, value.as_ref()),
            StmtKind::Either(alts) => {
                let choose = lw.emit(Op::Choose { targets: Vec::new() }, span, text);
                let mut targets = Vec::new();
                let mut to_end = Vec::new();
                for (i, (or_sp, body)) in alts.iter().enumerate() {
                    targets.push(lw.here());
                    self.block(env, lw, body);
                    if i + 1 < alts.len() {
                        to_end.push(lw.emit(Op::Goto { target: 0 }, self.src.span(*or_sp), self.src.text_of(*or_sp)));
                    }
                }
                lw.code[choose].op = Op::Choose { targets };
                let end = lw.here();
                for g in to_end {
                    lw.patch(g, end);
                }
            }
        }
    }

    /// A Win32 operation in a POSIX model or the reverse: one error that names the
    /// operations of the model's flavor.
    fn mixed_flavors(&mut self, op: MutexOp, mutex: &Ident<'a>) {
        let word = op.word();
        let (message, help) = match self.semantics {
            Semantics::Posix => (
                format!("`{word}` is a Win32 operation, but this model uses POSIX semantics"),
                "the POSIX operations are `lock`, `trylock`, `timedlock`, `unlock` and `consistent`",
            ),
            Semantics::Win32 => (
                format!("`{word}` is a POSIX operation, but this model uses Win32 semantics"),
                "add `semantics posix` at the top of the model for POSIX mutexes, or use `wait`, `try` and `release`",
            ),
        };
        let sp = mutex.sp;
        self.err(RawDiag::new(sp, message, "wrong flavor").help(help));
    }

    /// `let r = ...`: the thread's result variable `r`, declared here if it is new.
    fn let_var(&mut self, env: &mut Env<'a>, lw: &mut Lowering, name: &Ident<'a>) -> Option<Place> {
        let ty = self.result_ty();
        self.let_var_of(env, lw, name, ty)
    }

    /// `let r = ...` storing a value of type `want`: the local `r`, declared here (of type
    /// `want`) if it is new, or the existing local `r` if it has exactly that type.
    pub(super) fn let_var_of(
        &mut self,
        env: &mut Env<'a>,
        lw: &mut Lowering,
        name: &Ident<'a>,
        want: Ty,
    ) -> Option<Place> {
        if let Some((Entity::Var { var, ty, len }, _)) = env.local.get(&name.name) {
            if *ty == want && len.is_none() {
                return Some(Place { var: *var, index: None });
            }
            let t = if len.is_some() { "an array".to_string() } else { self.noun(T::of(*ty)) };
            let needs = match want {
                Ty::Result | Ty::PosixResult => "a result variable".to_string(),
                Ty::Int { lo, hi } => format!("a variable of type {lo}..{hi}"),
                Ty::Bool => "a bool variable".to_string(),
                Ty::Enum { .. } => format!("a variable for {}", self.noun(T::of(want))),
            };
            let t = match (*ty, len) {
                (Ty::Int { lo, hi }, None) if T::of(want) == T::Int => format!("{lo}..{hi}"),
                _ => t,
            };
            self.err(
                RawDiag::new(
                    name.sp,
                    format!("`{}` holds {t}, but `let` needs {needs}", name.name),
                    "not a result variable",
                )
                .help("choose another name for the result"),
            );
            return None;
        }
        if let Some((first, what)) = env.declared(self, name.name) {
            let line = self.line_of(first);
            self.err(
                RawDiag::new(
                    name.sp,
                    format!("`{}` is already declared as {what} (line {line})", name.name),
                    "`let` declares a new thread-local result",
                )
                .help(format!("to store into an existing result variable write `{} = ...` without `let`", name.name)),
            );
            return None;
        }
        let var = VarRef { scope: Scope::Local, index: lw.locals.len() };
        let ty = want;
        lw.locals.push(VarDecl {
            name: name.name.to_string(),
            ty,
            len: None,
            init: ty.bounds().0,
            span: self.src.span(name.sp),
        });
        env.local.insert(name.name, (Entity::Var { var, ty, len: None }, name.sp));
        Some(Place { var, index: None })
    }

    /// The target of an assignment and its type.
    pub(super) fn place(&mut self, env: &Env<'a>, p: &PlaceAst<'a>) -> Option<(Place, T)> {
        let (var, ty, len) = self.var(env, &p.name)?;
        let index = match (&p.index, len) {
            (None, None) => None,
            (Some(i), Some(_)) => {
                let ix = self.expr_of(env, i, T::Int, "an array index");
                Some(Box::new(ix))
            }
            (None, Some(_)) => {
                self.err(
                    RawDiag::new(p.sp, format!("`{}` is an array; assign one element", p.name.name), "array")
                        .help(format!("index it, e.g. `{}[0] = ...`", p.name.name)),
                );
                return None;
            }
            (Some(_), None) => {
                self.err(RawDiag::new(p.sp, format!("`{}` is not an array", p.name.name), "not an array"));
                return None;
            }
        };
        Some((Place { var, index }, T::of(ty)))
    }
}

fn s_name(k: &StmtKind) -> String {
    match k {
        StmtKind::Assign { place, .. } => place.name.name.to_string(),
        _ => String::new(),
    }
}
