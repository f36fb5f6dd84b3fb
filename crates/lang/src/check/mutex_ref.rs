//! Mutex arrays: their declaration (`mutex lock[3]`), a mutex named with an index where an
//! operation, a query, `protect` or `starvation` names one, and the index name `i` of
//! `protect lock[i]: EXPR` and `starvation lock[i]`, which stands for every element.
//!
//! An array of `N` mutexes is `N` mutexes of the IR named `lock[0]` .. `lock[N-1]`; its name
//! resolves to the first. An index that is a constant (a number, or arithmetic on numbers)
//! names one of them when the model is compiled, so the step is one on a fixed mutex and
//! an index outside the array is an error here; any other index is evaluated when the step
//! runs ([`MutexElement`]), where an index outside the array is an `out_of_range` violation.

use super::{Checker, Entity, Env, T};
use crate::ast::{ExprAst, ExprKind, MutexAst, MutexRefAst};
use crate::RawDiag;
use mutexcheck_core::ir::{
    posix_result, BinOp, Expr, MutexDecl, MutexElement, MutexId, PosixAttributes, Semantics, UnOp, Value,
};

/// The mutex a reference names: one known when compiling, or an element chosen at run time.
#[derive(Clone, Debug)]
pub(crate) enum MutexTarget {
    Fixed(MutexId),
    Element(MutexElement),
}

/// What `protect NAME[...]` or `starvation NAME[...]` stands for: the elements it covers,
/// with the index name bound to each (`None` for a single mutex or a constant index).
pub(crate) struct Covered<'a> {
    pub mutexes: Vec<(MutexId, Option<(&'a str, Value)>)>,
}

impl<'a> Checker<'a> {
    /// The mutexes one `mutex` declaration makes: one, or `lock[0]` .. `lock[N-1]` with the
    /// same attributes. The array's length is checked as an array variable's is.
    pub(super) fn mutex_decls(&mut self, m: &MutexAst<'a>, posix: PosixAttributes, first: MutexId) -> Vec<MutexDecl> {
        let span = self.src.span(m.sp);
        let decl = |name: String| MutexDecl { name, initial_owner: None, posix, span };
        let Some(len) = &m.len else { return vec![decl(m.name.name.to_string())] };
        // A bad length is reported; one element keeps later uses of the name checkable.
        let len = self.array_len(len).unwrap_or(1);
        self.mutex_arrays.insert(first, len);
        (0..len).map(|i| decl(format!("{}[{i}]", m.name.name))).collect()
    }

    /// Resolves `NAME` or `NAME[INDEX]` where an operation or a query names a mutex.
    pub(super) fn mutex_target(&mut self, env: &Env<'a>, r: &MutexRefAst<'a>) -> Option<MutexTarget> {
        // A procedure's mutex parameter is the one mutex its call passed, whether that was
        // a single mutex or an element of an array.
        if let Some(Entity::MutexParam(k)) = env.lookup(self, r.name.name) {
            if let Some(i) = &r.index {
                let n = r.name.name;
                self.err(
                    RawDiag::new(i.sp, format!("`{n}` is a mutex parameter: one mutex, not an array"), "not an array")
                        .help(format!(
                            "drop the index: `{n}`; index the array where the procedure is called: `f(lock[i])`"
                        )),
                );
                return None;
            }
            return env.mutex_args.get(k).cloned();
        }
        let base = self.mutex_ref(env, &r.name)?;
        let len = self.mutex_arrays.get(&base).copied();
        match (len, &r.index) {
            (None, None) => Some(MutexTarget::Fixed(base)),
            (None, Some(_)) => {
                self.not_an_array(r);
                None
            }
            (Some(len), None) => {
                self.missing_index(r, len, "a mutex operation");
                None
            }
            (Some(len), Some(i)) => {
                let index = self.expr_of(env, i, T::Int, "a mutex array index");
                match fold(&index) {
                    Some(c) => self.element(r, i, c, len).map(|m| MutexTarget::Fixed(base + m as usize)),
                    None => Some(MutexTarget::Element(MutexElement { base, len, index: Box::new(index) })),
                }
            }
        }
    }

    /// The mutexes `protect NAME[...]` or `starvation NAME[...]` covers: a single mutex, one
    /// element (a constant index), or every element with the index name bound to it (a
    /// name not declared anywhere, e.g. `i`).
    pub(super) fn covered(&mut self, env: &Env<'a>, r: &MutexRefAst<'a>, what: &str) -> Option<Covered<'a>> {
        let base = self.mutex_ref(env, &r.name)?;
        let len = self.mutex_arrays.get(&base).copied();
        let one = |m: MutexId| Some(Covered { mutexes: vec![(m, None)] });
        match (len, r.index.as_deref()) {
            (None, None) => one(base),
            (None, Some(_)) => {
                self.not_an_array(r);
                None
            }
            (Some(len), None) => {
                self.missing_index(r, len, what);
                None
            }
            (Some(len), Some(ExprAst { kind: ExprKind::Name(n), sp })) => {
                let posix_result = self.semantics == Semantics::Posix && posix_result::NAMES.contains(n);
                if posix_result {
                    self.err(
                        RawDiag::new(
                            *sp,
                            format!(
                                "the index `{n}` of `{what} {}[{n}]` names every element, but `{n}` is a POSIX result",
                                r.name.name
                            ),
                            "a POSIX result",
                        )
                        .help("choose a name that is not declared, e.g. `k`, or write a number for one element"),
                    );
                    return None;
                }
                if let Some((first, declared)) = env.declared(self, n) {
                    let line = self.line_of(first);
                    self.err(
                        RawDiag::new(
                            *sp,
                            format!(
                                "the index `{n}` of `{what} {}[{n}]` names every element, but `{n}` is already declared as {declared} (line {line})",
                                r.name.name
                            ),
                            "already declared",
                        )
                        .help("choose a name that is not declared, e.g. `k`, or write a number for one element"),
                    );
                    return None;
                }
                Some(Covered { mutexes: (0..len).map(|k| (base + k as usize, Some((*n, k as Value)))).collect() })
            }
            (Some(len), Some(i)) => {
                let before = self.errs.found();
                let index = self.expr_of(env, i, T::Int, "a mutex array index");
                match fold(&index) {
                    Some(c) => one(base + self.element(r, i, c, len)? as usize),
                    None => {
                        // Not a second error for an index already reported.
                        if self.errs.found() == before {
                            self.err(
                                RawDiag::new(
                                    i.sp,
                                    format!(
                                        "the index of `{what} {}[...]` must be a number or a new name",
                                        r.name.name
                                    ),
                                    "computed index",
                                )
                                .help(format!(
                                    "write `{what} {0}[i]` for every element, or `{what} {0}[0]` for one",
                                    r.name.name
                                )),
                            );
                        }
                        None
                    }
                }
            }
        }
    }

    /// A constant index `c` into an array of `len`, or an error at the index.
    fn element(&mut self, r: &MutexRefAst<'a>, i: &ExprAst<'a>, c: Value, len: u32) -> Option<u32> {
        if c >= 0 && (c as u32) < len {
            return Some(c as u32);
        }
        self.err(
            RawDiag::new(
                i.sp,
                format!("index {c} is outside the mutex array `{}`, whose elements are 0..{}", r.name.name, len - 1),
                "out of range",
            )
            .help(format!("`{}` has {len} elements", r.name.name)),
        );
        None
    }

    fn not_an_array(&mut self, r: &MutexRefAst<'a>) {
        let n = r.name.name;
        self.err(
            RawDiag::new(r.sp, format!("`{n}` is a single mutex, not an array"), "not an array")
                .help(format!("drop the index: `{n}`, or declare an array: `mutex {n}[N]`")),
        );
    }

    fn missing_index(&mut self, r: &MutexRefAst<'a>, len: u32, what: &str) {
        let n = r.name.name;
        let example = match what {
            "protect" | "starvation" => format!("`{what} {n}[i]` for every element, or `{what} {n}[0]` for one"),
            "guarded_by" => {
                format!("`guarded_by {n}[i]` guards element `k` of an array of {len} by `{n}[k]`, `guarded_by {n}[0]` the whole variable by one")
            }
            _ => format!("e.g. `{n}[0]` or `{n}[self]`"),
        };
        self.err(
            RawDiag::new(r.sp, format!("`{n}` is an array of {len} mutexes; name one element"), "which element?")
                .help(format!("index it: {example}")),
        );
    }
}

/// The value of an index that is a constant: numbers and arithmetic on them (no variable,
/// no `self`), or `None`. Overflow and division by zero are left to the run.
fn fold(e: &Expr) -> Option<Value> {
    Some(match e {
        Expr::Const(v) => *v,
        Expr::Unary(UnOp::Neg, a) => fold(a)?.checked_neg()?,
        Expr::Binary(op, a, b) => {
            let (a, b) = (fold(a)?, fold(b)?);
            match op {
                BinOp::Add => a.checked_add(b)?,
                BinOp::Sub => a.checked_sub(b)?,
                BinOp::Mul => a.checked_mul(b)?,
                BinOp::Div if b != 0 => a.checked_div_euclid(b)?,
                BinOp::Mod if b != 0 => a.checked_rem_euclid(b)?,
                _ => return None,
            }
        }
        _ => return None,
    })
}
