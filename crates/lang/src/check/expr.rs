//! Name resolution and type checking of expressions, producing IR expressions.

use super::{Checker, Entity, Env};
use crate::ast::{ExprAst, ExprKind, Ident};
use crate::RawDiag;
use mutexcheck_core::ir::{posix_result, result, BinOp, Expr, MutexId, Semantics, Ty, UnOp, Value};

/// The type of an expression, or `Err` after an error was reported (to avoid cascades).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum T {
    Int,
    Bool,
    Result,
    Err,
}

impl T {
    pub fn of(ty: Ty) -> T {
        match ty {
            Ty::Int { .. } => T::Int,
            Ty::Bool => T::Bool,
            Ty::Result | Ty::PosixResult => T::Result,
        }
    }

    /// "a number", "a boolean", "a result", as in "cannot compare a result with a number".
    pub fn noun(self) -> &'static str {
        match self {
            T::Int => "a number",
            T::Bool => "a boolean",
            T::Result => "a result",
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
            Some(Entity::Var { .. }) => {
                self.err(RawDiag::new(name.sp, format!("`{}` is a variable, not a mutex", name.name), "not a mutex"));
                None
            }
            Some(Entity::Param { .. }) => {
                self.err(RawDiag::new(
                    name.sp,
                    format!("`{}` is a parameter holding a value, not a mutex", name.name),
                    "not a mutex",
                ));
                None
            }
            None => {
                // No search for an error that will not be shown.
                let hint = match self.errs.may_show(name.sp) {
                    true => env.similar(self, name.name, |e| matches!(e, Entity::Mutex(_))),
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
                format!("{what} must be {}, but this is {}", want.noun(), t.noun()),
                format!("this is {}", t.noun()),
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
                    .help(format!("the POSIX results are {}", posix_result::NAMES.join(", "))),
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
                        format!("an array index must be a number, but this is {}", it.noun()),
                        format!("this is {}", it.noun()),
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
                        format!("`{sym}` needs {}, but this is {}", want.noun(), t.noun()),
                        format!("{} here", t.noun()),
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
                                format!("cannot compare {} with {}", ta.noun(), tb.noun()),
                                format!("{} `{sym}` {}", ta.noun(), tb.noun()),
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
        self.err(RawDiag::new(
            e.sp,
            format!("`{sym}` needs {} on both sides, but one side is {}", want.noun(), bad.noun()),
            format!("{} here", bad.noun()),
        ));
        None
    }

    /// `held(m)`, `count(m)`, `owns(m)`, `abandoned(m)`.
    fn call(&mut self, env: &Env<'a>, f: &Ident<'a>, arg: &Ident<'a>) -> Typed {
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
        let Some(m) = self.mutex_ref(env, arg) else { return ERR };
        match f.name {
            "held" => (Expr::Binary(BinOp::Gt, Box::new(Expr::MutexCount(m)), Box::new(Expr::Const(0))), T::Bool),
            "count" => (Expr::MutexCount(m), T::Int),
            "owns" => (Expr::Owns(m), T::Bool),
            _ => (Expr::MutexAbandoned(m), T::Bool),
        }
    }
}
