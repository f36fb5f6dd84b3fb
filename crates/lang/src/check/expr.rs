//! Name resolution and type checking of expressions, producing IR expressions.

use super::mutex_ref::MutexTarget;
use super::{Checker, Entity, Env};
use crate::ast::{ExprAst, ExprKind, Ident, MutexRefAst};
use crate::RawDiag;
use mutexcheck_core::ir::{posix_result, result, BinOp, Expr, MutexId, MutexQuery, Semantics, Ty, UnOp, Value};

/// The type of an expression, or `Err` after an error was reported (to avoid cascades).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum T {
    Int,
    Bool,
    Result,
    /// A member of enum `EnumId`.
    Enum(mutexcheck_core::ir::EnumId),
    Err,
}

impl T {
    pub fn of(ty: Ty) -> T {
        match ty {
            Ty::Int { .. } => T::Int,
            Ty::Bool => T::Bool,
            Ty::Result | Ty::PosixResult => T::Result,
            Ty::Enum { id, .. } => T::Enum(id),
        }
    }

    /// "a number", "a boolean", "a result", as in "cannot compare a result with a number".
    /// An enum's values need its name: `Checker::noun` says "a `Phase` value".
    pub fn noun(self) -> &'static str {
        match self {
            T::Int => "a number",
            T::Bool => "a boolean",
            T::Result => "a result",
            T::Enum(_) => "an enum value",
            T::Err => "an invalid value",
        }
    }
}

/// A typed IR expression.
pub(crate) type Typed = (Expr, T);

const ERR: Typed = (Expr::Const(0), T::Err);

impl<'a> Checker<'a> {
    /// Resolves `name` as a mutex, reporting what it is otherwise.
    pub(super) fn mutex_ref(&mut self, env: &Env<'a>, name: &Ident<'a>) -> Option<MutexId> {
        match env.lookup(self, name.name) {
            Some(Entity::Mutex(id)) => Some(id),
            // Resolved by `mutex_target` before this; a fixed argument is that mutex.
            Some(Entity::MutexParam(k)) => match env.mutex_args.get(k) {
                Some(MutexTarget::Fixed(m)) => Some(*m),
                _ => {
                    self.err(RawDiag::new(
                        name.sp,
                        format!("`{}` is a mutex parameter, which cannot be named here", name.name),
                        "a parameter",
                    ));
                    None
                }
            },
            Some(Entity::Param { .. }) => {
                self.err(RawDiag::new(
                    name.sp,
                    format!("`{}` is a parameter holding a value, not a mutex", name.name),
                    "not a mutex",
                ));
                None
            }
            Some(e) => {
                let what = match e {
                    Entity::Const(_) => "a constant",
                    Entity::Enum(_) => "an enum type",
                    Entity::Member { .. } => "an enum member",
                    _ => "a variable",
                };
                self.err(RawDiag::new(name.sp, format!("`{}` is {what}, not a mutex", name.name), "not a mutex"));
                None
            }
            None => {
                // No search for an error that will not be shown.
                let hint = match self.errs.may_show(name.sp) {
                    true => env.similar(self, name.name, |e| matches!(e, Entity::Mutex(_) | Entity::MutexParam(_))),
                    false => None,
                };
                let help = match hint {
                    Some(s) => format!("did you mean `{s}`?"),
                    None => format!("declare it at the top level: `mutex {}`", name.name),
                };
                self.err(RawDiag::new(name.sp, format!("unknown mutex `{}`", name.name), "not declared").help(help));
                None
            }
        }
    }

    /// Checks an expression that must be of type `want` (a condition: `T::Bool`).
    pub(super) fn expr_of(&mut self, env: &Env<'a>, e: &ExprAst<'a>, want: T, what: &str) -> Expr {
        let (x, t) = self.expr(env, e);
        if t != want && t != T::Err {
            self.err(RawDiag::new(
                e.sp,
                format!("{what} must be {}, but this is {}", self.noun(want), self.noun(t)),
                format!("this is {}", self.noun(t)),
            ));
        }
        x
    }

    pub(super) fn expr(&mut self, env: &Env<'a>, e: &ExprAst<'a>) -> Typed {
        match &e.kind {
            ExprKind::Error => ERR,
            ExprKind::Int(v) => match Value::try_from(*v) {
                Ok(v) => (Expr::Const(v), T::Int),
                Err(_) => {
                    self.err(RawDiag::new(e.sp, format!("the number {v} does not fit in 32 bits"), "too large"));
                    ERR
                }
            },
            ExprKind::Bool(b) => (Expr::Const(*b as Value), T::Bool),
            ExprKind::Result(v) if *v != result::OK && self.semantics == Semantics::Posix => {
                let name = result::NAMES.get(*v as usize).copied().unwrap_or("?");
                self.err(
                    RawDiag::new(
                        e.sp,
                        format!("`{name}` is a Win32 result, but this model uses POSIX semantics"),
                        "Win32 only",
                    )
                    .help(super::teach::posix_counterpart(name)),
                );
                ERR
            }
            ExprKind::Result(v) => (Expr::Const(*v), T::Result),
            ExprKind::Name(n) if self.semantics == Semantics::Posix && posix_result::NAMES.contains(n) => {
                let v = posix_result::NAMES.iter().position(|r| r == n).unwrap_or(0);
                (Expr::Const(v as Value), T::Result)
            }
            ExprKind::SelfId => {
                if env.property {
                    self.err(
                        RawDiag::new(e.sp, "`self` has no meaning in a property", "not inside a process")
                            .help("properties are checked outside any process; they read shared variables and mutexes"),
                    );
                    return ERR;
                }
                (Expr::InstanceId, T::Int)
            }
            ExprKind::Name(n) if env.binder.is_some_and(|(b, _)| b == *n) => {
                (Expr::Const(env.binder.map_or(0, |(_, v)| v)), T::Int)
            }
            ExprKind::Name(n) if matches!(env.lookup(self, n), Some(Entity::Const(_) | Entity::Member { .. })) => {
                match env.lookup(self, n) {
                    Some(Entity::Const(i)) => match self.const_values[i] {
                        Some(v) => (Expr::Const(v), T::Int),
                        None => ERR,
                    },
                    Some(Entity::Member { id, index }) => (Expr::Const(index), T::Enum(id)),
                    _ => ERR,
                }
            }
            ExprKind::Name(n) if matches!(env.lookup(self, n), Some(Entity::Enum(_))) => {
                let Some(Entity::Enum(id)) = env.lookup(self, n) else { return ERR };
                let help = self.enum_values(id);
                self.err(RawDiag::new(e.sp, format!("`{n}` is an enum type, not a value"), "a type").help(help));
                ERR
            }
            ExprKind::Name(n) => {
                if let Some(Entity::Param { ty, arg }) = env.lookup(self, n) {
                    return (env.args.get(arg).cloned().unwrap_or(Expr::Const(0)), T::of(ty));
                }
                let ident = Ident { name: n, sp: e.sp };
                match self.var(env, &ident) {
                    Some((var, ty, None)) => (Expr::Var(var), T::of(ty)),
                    Some((_, _, Some(_))) => {
                        self.err(
                            RawDiag::new(e.sp, format!("`{n}` is an array; read one element"), "array")
                                .help(format!("index it, e.g. `{n}[0]`")),
                        );
                        ERR
                    }
                    None => ERR,
                }
            }
            ExprKind::Index(name, i) => {
                let v = self.var(env, name);
                let (ix, it) = self.expr(env, i);
                if it != T::Int && it != T::Err {
                    self.err(RawDiag::new(
                        i.sp,
                        format!("an array index must be a number, but this is {}", self.noun(it)),
                        format!("this is {}", self.noun(it)),
                    ));
                }
                match v {
                    Some((var, ty, Some(_))) => (Expr::Index(var, Box::new(ix)), T::of(ty)),
                    Some((_, _, None)) => {
                        self.err(RawDiag::new(name.sp, format!("`{}` is not an array", name.name), "not an array"));
                        ERR
                    }
                    None => ERR,
                }
            }
            ExprKind::Call(call) => self.call(env, &call.0, &call.1),
            ExprKind::Alive(alive) => self.alive(env, e, &alive.0, alive.1.as_ref()),
            ExprKind::ProcCall(call) => {
                self.call_in_expression(call);
                ERR
            }
            ExprKind::Unary(op, a) => {
                let (x, t) = self.expr(env, a);
                let (want, sym) = match op {
                    UnOp::Neg => (T::Int, "-"),
                    UnOp::Not => (T::Bool, "!"),
                };
                if t == T::Err {
                    return ERR;
                }
                if t != want {
                    self.err(RawDiag::new(
                        e.sp,
                        format!("`{sym}` needs {}, but this is {}", self.noun(want), self.noun(t)),
                        format!("{} here", self.noun(t)),
                    ));
                    return ERR;
                }
                (Expr::Unary(*op, Box::new(x)), want)
            }
            ExprKind::Binary(op, a, b) => {
                let (x, ta) = self.expr(env, a);
                let (y, tb) = self.expr(env, b);
                if ta == T::Err || tb == T::Err {
                    return ERR;
                }
                let sym = op.symbol();
                let out = match op {
                    BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::Div | BinOp::Mod => {
                        self.operands(e, sym, ta, tb, T::Int).map(|_| T::Int)
                    }
                    BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge => {
                        self.operands(e, sym, ta, tb, T::Int).map(|_| T::Bool)
                    }
                    BinOp::And | BinOp::Or => self.operands(e, sym, ta, tb, T::Bool).map(|_| T::Bool),
                    BinOp::Eq | BinOp::Ne => {
                        if ta == tb {
                            Some(T::Bool)
                        } else {
                            let mut d = RawDiag::new(
                                e.sp,
                                format!("cannot compare {} with {}", self.noun(ta), self.noun(tb)),
                                format!("{} `{sym}` {}", self.noun(ta), self.noun(tb)),
                            );
                            if ta == T::Result || tb == T::Result {
                                d = d.help(match self.semantics {
                                    Semantics::Win32 => {
                                        "a result is one of OK, ABANDONED, TIMEOUT, NOT_OWNER".to_string()
                                    }
                                    Semantics::Posix => {
                                        format!("a result is one of {}", posix_result::NAMES.join(", "))
                                    }
                                });
                            } else if let (T::Enum(id), _) | (_, T::Enum(id)) = (ta, tb) {
                                d = d.help(self.enum_values(id));
                            }
                            self.err(d);
                            None
                        }
                    }
                };
                match out {
                    Some(t) => (Expr::Binary(*op, Box::new(x), Box::new(y)), t),
                    None => ERR,
                }
            }
        }
    }

    /// Both operands of `sym` must be `want`.
    fn operands(&mut self, e: &ExprAst<'a>, sym: &str, ta: T, tb: T, want: T) -> Option<()> {
        if ta == want && tb == want {
            return Some(());
        }
        let bad = if ta != want { ta } else { tb };
        let mut d = RawDiag::new(
            e.sp,
            format!("`{sym}` needs {} on both sides, but one side is {}", self.noun(want), self.noun(bad)),
            format!("{} here", self.noun(bad)),
        );
        if let T::Enum(_) = bad {
            d = d.help("enum values have no order and no arithmetic; compare them with `==` and `!=`");
        }
        self.err(d);
        None
    }

    /// `held(m)`, `count(m)`, `owns(m)`, `abandoned(m)`.
    fn call(&mut self, env: &Env<'a>, f: &Ident<'a>, arg: &MutexRefAst<'a>) -> Typed {
        let known = ["held", "count", "owns", "abandoned"];
        if !known.contains(&f.name) {
            self.err(
                RawDiag::new(f.sp, format!("unknown function `{}`", f.name), "not a built-in query")
                    .help("the mutex queries are `held(m)`, `count(m)`, `owns(m)` and `abandoned(m)`"),
            );
            return ERR;
        }
        if f.name == "owns" && env.property {
            self.err(
                RawDiag::new(f.sp.to(arg.sp), "`owns(m)` has no meaning in a property", "which thread?")
                    .help("properties are checked outside any thread; use `held(m)` or `count(m)`"),
            );
            return ERR;
        }
        if f.name == "abandoned" && self.semantics == Semantics::Posix {
            self.err(
                RawDiag::new(
                    f.sp.to(arg.sp),
                    "`abandoned(m)` is a Win32 query, but this model uses POSIX semantics",
                    "Win32 only",
                )
                .help("a POSIX lock reports an owner's death with OWNERDEAD; test the result of `lock`"),
            );
            return ERR;
        }
        let m = match self.mutex_target(env, arg) {
            Some(MutexTarget::Fixed(m)) => m,
            Some(MutexTarget::Element(element)) => {
                let query = |q| Expr::ElementQuery(q, element);
                return match f.name {
                    "held" => {
                        let count = query(MutexQuery::Count);
                        (Expr::Binary(BinOp::Gt, Box::new(count), Box::new(Expr::Const(0))), T::Bool)
                    }
                    "count" => (query(MutexQuery::Count), T::Int),
                    "owns" => (query(MutexQuery::Owns), T::Bool),
                    _ => (query(MutexQuery::Abandoned), T::Bool),
                };
            }
            None => return ERR,
        };
        match f.name {
            "held" => (Expr::Binary(BinOp::Gt, Box::new(Expr::MutexCount(m)), Box::new(Expr::Const(0))), T::Bool),
            "count" => (Expr::MutexCount(m), T::Int),
            "owns" => (Expr::Owns(m), T::Bool),
            _ => (Expr::MutexAbandoned(m), T::Bool),
        }
    }
}
