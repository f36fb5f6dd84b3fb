//! The arguments of a procedure call, and where its value goes.
//!
//! Parameters are not stored: every use of a value parameter inside the procedure reads the
//! argument expression again. So that this reads the value the call passed, an argument may
//! read only what nothing can change while the procedure runs: constants, `self`, and the
//! caller's own locals (a thread's `var`s and `let` results, or, inside a procedure, its
//! `var`s, `let`s and parameters). The callee cannot see those, no other thread can, and a
//! procedure never runs inside itself. Shared variables, process memory and mutex queries
//! are refused; the user copies such a value into a local first. The same holds for the
//! index of an array element passed as a mutex (`acquire(lock[self])`): it is evaluated
//! where the procedure uses the parameter.
//!
//! An integer argument must also fit its parameter's range for every value it can take,
//! which is worked out from the types of what it reads (`self` of a thread of `worker[3]`
//! is `0..2`; inside a procedure, `self` ranges over the largest process).

use super::mutex_ref::MutexTarget;
use super::proc::{ParamKind, ProcInfo};
use super::{Checker, Entity, Env, T};
use crate::ast::*;
use crate::RawDiag;
use mutexcheck_core::ir::*;

impl<'a> Checker<'a> {
    /// Checks a call's arguments against `info`'s parameters: the value arguments as IR
    /// expressions and the mutexes, in parameter order, or `None` after an error.
    pub(super) fn call_args(
        &mut self,
        env: &Env<'a>,
        info: &ProcInfo<'a>,
        call: &CallAst<'a>,
    ) -> Option<(Vec<Expr>, Vec<MutexTarget>)> {
        let name = call.name.name;
        if call.args.len() != info.params.len() {
            let n = info.params.len();
            let plural = if n == 1 { "" } else { "s" };
            let given = call.args.len();
            let line = self.line_of(info.ast.name.sp);
            self.err(
                RawDiag::new(
                    call.sp,
                    format!(
                        "`{name}` takes {n} argument{plural}, but {given} {} given",
                        if given == 1 { "is" } else { "are" }
                    ),
                    format!("expected {n} argument{plural}"),
                )
                .help(format!("`{}` is declared at line {line}", self.src.text_of(info.ast.sp))),
            );
            return None;
        }
        let mut ok = true;
        let (mut values, mut mutexes) = (Vec::new(), Vec::new());
        for (k, (arg, (prm, kind))) in call.args.iter().zip(info.ast.params.iter().zip(&info.params)).enumerate() {
            let which = format!("`{}` (argument {} of `{name}`)", prm.name.name, k + 1);
            match kind {
                ParamKind::Mutex => match self.mutex_arg(env, arg, &which) {
                    Some(m) => mutexes.push(m),
                    None => ok = false,
                },
                ParamKind::Value(ty) => match self.value_arg(env, arg, *ty, &which) {
                    Some(x) => values.push(x),
                    None => ok = false,
                },
            }
        }
        ok.then_some((values, mutexes))
    }

    /// A mutex argument: a mutex, a mutex parameter of the calling procedure, or an element
    /// of a mutex array. A constant index names its element now (an index outside the
    /// array is an error here); any other index is evaluated where the procedure uses the
    /// parameter, so it may read only what a value argument may.
    fn mutex_arg(&mut self, env: &Env<'a>, arg: &ExprAst<'a>, which: &str) -> Option<MutexTarget> {
        let is_mutex = |cx: &Self, n: &str| matches!(env.lookup(cx, n), Some(Entity::Mutex(_) | Entity::MutexParam(_)));
        let r = match &arg.kind {
            ExprKind::Name(n) if is_mutex(self, n) || env.lookup(self, n).is_none() => {
                MutexRefAst { name: Ident { name: n, sp: arg.sp }, index: None, sp: arg.sp }
            }
            ExprKind::Index(name, i) if is_mutex(self, name.name) => {
                MutexRefAst { name: name.clone(), index: Some(i.clone()), sp: arg.sp }
            }
            _ => {
                let (_, t) = self.expr(env, arg);
                if t != T::Err {
                    self.err(
                        RawDiag::new(arg.sp, format!("{which} is a mutex, but this is {}", t.noun()), "not a mutex")
                            .help("pass a mutex, or an element of a mutex array: `lock[i]`"),
                    );
                }
                return None;
            }
        };
        let before = self.errs.found();
        let target = self.mutex_target(env, &r)?;
        if let (MutexTarget::Element(_), Some(i)) = (&target, &r.index) {
            // Not a second error for an index already reported (of the wrong type).
            if self.errs.found() != before {
                return None;
            }
            if let Some((sp, what)) = self.changeable(env, i) {
                self.err(
                    RawDiag::new(sp, format!("the index of a mutex argument cannot read {what}"), "may change during the call")
                        .help("copy it into a local first (`var k: ...`, `k = ...`) and pass `lock[k]`: the index is evaluated where the procedure uses its parameter, so it may read only constants, `self` and the caller's own locals"),
                );
                return None;
            }
        }
        Some(target)
    }

    fn value_arg(&mut self, env: &Env<'a>, arg: &ExprAst<'a>, ty: Ty, which: &str) -> Option<Expr> {
        let want = T::of(ty);
        // The index is not quoted: it may be long.
        let named = match &arg.kind {
            ExprKind::Name(n) => Some((*n, "")),
            ExprKind::Index(name, _) => Some((name.name, "[...]")),
            _ => None,
        };
        if let Some((n, index)) = named {
            if let Some(Entity::Mutex(_) | Entity::MutexParam(_)) = env.lookup(self, n) {
                let text = format!("{n}{index}");
                self.err(
                    RawDiag::new(arg.sp, format!("{which} is {}, but `{text}` is a mutex", want.noun()), "a mutex")
                        .help("a mutex is passed to a parameter declared `NAME: mutex`"),
                );
                return None;
            }
        }
        let (x, t) = self.expr(env, arg);
        if t == T::Err {
            return None;
        }
        if t != want {
            self.err(RawDiag::new(
                arg.sp,
                format!("{which} is {}, but this is {}", want.noun(), t.noun()),
                format!("this is {}", t.noun()),
            ));
            return None;
        }
        if let Some((sp, what)) = self.changeable(env, arg) {
            self.err(
                RawDiag::new(sp, format!("an argument cannot read {what}"), "may change during the call").help(
                    "copy it into a local first (`var tmp: ...`, `tmp = ...`) and pass the local: a parameter is read at each use, so an argument may read only constants, `self` and the caller's own locals",
                ),
            );
            return None;
        }
        if let Ty::Int { lo, hi } = ty {
            let range = self.interval(env, arg);
            if !range.is_some_and(|(a, b)| lo as i64 <= a && b <= hi as i64) {
                let can = match range {
                    Some((a, b)) => format!("it can be {a}..{b}"),
                    None => "its range is not known".to_string(),
                };
                self.err(
                    RawDiag::new(arg.sp, format!("{which} is in {lo}..{hi}, but {can}"), "may be out of range").help(
                        format!("copy it into a local of type {lo}..{hi} first (the assignment checks the range), or widen the parameter"),
                    ),
                );
                return None;
            }
        }
        Some(x)
    }

    /// The first part of an argument that something else may change while the procedure
    /// runs, and what it is, in words.
    fn changeable(&self, env: &Env<'a>, e: &ExprAst<'a>) -> Option<(crate::source::Sp, String)> {
        let var = |name: &str| match env.lookup(self, name) {
            Some(Entity::Var { var, .. }) => match var.scope {
                Scope::Shared => Some(format!("the shared variable `{name}`")),
                Scope::Process => Some(format!("the process variable `{name}`")),
                Scope::Local => None,
            },
            _ => None,
        };
        match &e.kind {
            ExprKind::Name(n) => var(n).map(|w| (e.sp, w)),
            ExprKind::Index(name, i) => var(name.name).map(|w| (name.sp, w)).or_else(|| self.changeable(env, i)),
            ExprKind::Call(call) => Some((e.sp, format!("the state of mutex `{}`", call.1.name.name))),
            // Another process may crash or end while the procedure runs.
            ExprKind::Alive(alive) => Some((e.sp, format!("whether `{}` is alive", alive.0.name))),
            ExprKind::Unary(_, a) => self.changeable(env, a),
            ExprKind::Binary(_, a, b) => self.changeable(env, a).or_else(|| self.changeable(env, b)),
            _ => None,
        }
    }

    /// The values an integer expression can take, from the types of what it reads, or
    /// `None` when that is not worked out (division, ...).
    fn interval(&self, env: &Env<'a>, e: &ExprAst<'a>) -> Option<(i64, i64)> {
        let bounds = |ty: Ty| match ty {
            Ty::Int { lo, hi } => Some((lo as i64, hi as i64)),
            _ => None,
        };
        match &e.kind {
            ExprKind::Int(v) => Some((*v, *v)),
            ExprKind::SelfId => {
                let n = if self.procs.inside() { self.procs.max_instances } else { self.procs.instances };
                Some((0, n.max(1) as i64 - 1))
            }
            ExprKind::Name(n) => match env.lookup(self, n)? {
                Entity::Var { ty, len: None, .. } | Entity::Param { ty, .. } => bounds(ty),
                // A constant is its value (`put(N - 1)`); `None` after an error in it.
                Entity::Const(i) => self.const_values.get(i).copied().flatten().map(|v| (v as i64, v as i64)),
                _ => None,
            },
            ExprKind::Index(name, _) => match env.lookup(self, name.name)? {
                Entity::Var { ty, len: Some(_), .. } => bounds(ty),
                _ => None,
            },
            ExprKind::Unary(UnOp::Neg, a) => {
                let (lo, hi) = self.interval(env, a)?;
                Some((hi.checked_neg()?, lo.checked_neg()?))
            }
            ExprKind::Binary(op, a, b) => {
                let (a, b) = (self.interval(env, a)?, self.interval(env, b)?);
                match op {
                    BinOp::Add => Some((a.0.checked_add(b.0)?, a.1.checked_add(b.1)?)),
                    BinOp::Sub => Some((a.0.checked_sub(b.1)?, a.1.checked_sub(b.0)?)),
                    BinOp::Mul => {
                        let p = [
                            a.0.checked_mul(b.0)?,
                            a.0.checked_mul(b.1)?,
                            a.1.checked_mul(b.0)?,
                            a.1.checked_mul(b.1)?,
                        ];
                        Some((*p.iter().min()?, *p.iter().max()?))
                    }
                    BinOp::Mod if b.0 > 0 => Some(if a.0 >= 0 { (0, b.1 - 1) } else { (1 - b.1, b.1 - 1) }),
                    _ => None,
                }
            }
            _ => None,
        }
    }

    /// `x = f(...)`: the place the returned value is stored into (checked when it is
    /// stored, as every assignment), or `None` after an error.
    pub(super) fn call_place(&mut self, env: &Env<'a>, p: &PlaceAst<'a>, ty: Ty, call: &CallAst<'a>) -> Option<Place> {
        let (place, pt) = self.place(env, p)?;
        if pt != T::of(ty) && pt != T::Err {
            self.err(RawDiag::new(
                call.sp,
                format!("`{}` holds {}, but `{}` returns {}", p.name.name, pt.noun(), call.name.name, T::of(ty).noun()),
                format!("returns {}", T::of(ty).noun()),
            ));
            return None;
        }
        Some(place)
    }
}
