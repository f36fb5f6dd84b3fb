//! Named constants and enums: `const N = 3`, `enum Phase { Idle, Writing, Done }`.
//!
//! A constant is a compile-time integer; [`Checker::const_int`] is the one place the front
//! end works out such an integer — a number, a constant's name, or `+ - * / %` and unary `-`
//! of them — wherever the language wants a number before anything runs: range bounds, array
//! lengths, instance counts, the crash budget, initial values, `owned_by` instances. Every
//! constant is resolved once, before the declarations that use it, in an order found without
//! recursion over constants (a chain of a hundred thousand constants must not overflow the
//! stack), and a cycle is reported once, naming the constants on it.
//!
//! An enum is a type of its own: its members are values of that type only (never numbers),
//! stored as their position, and written by name in every report (`Model::render`).

use super::{Checker, Entity, T};
use crate::ast::{ConstAst, EnumAst, ExprAst, ExprKind, Ident};
use crate::source::Sp;
use crate::RawDiag;
use mutexcheck_core::ir::{BinOp, EnumDecl, EnumId, UnOp, Value};

/// At most this many members (or constants on a cycle) are listed in a message; the rest
/// are counted.
const LISTED_MEMBERS: usize = 8;

impl<'a> Checker<'a> {
    /// Declares every enum type and its members as global names.
    pub(super) fn declare_enums(&mut self, enums: &[EnumAst<'a>]) {
        for e in enums {
            if let Some((first, what)) = super::Env::default().declared(self, e.name.name) {
                self.duplicate(&e.name, first, what);
                continue;
            }
            let id: EnumId = self.enums.len();
            if e.members.is_empty() {
                self.err(
                    RawDiag::new(e.sp, format!("enum `{}` has no members", e.name.name), "empty enum")
                        .help(format!("list its values, e.g. `enum {} {{ Idle, Busy }}`", e.name.name)),
                );
            }
            self.globals.insert(e.name.name, (Entity::Enum(id), e.name.sp));
            let mut members = Vec::new();
            for m in &e.members {
                match self.globals.get(m.name).copied() {
                    Some((Entity::Member { id: of, .. }, first)) if of == id => {
                        let line = self.line_of(first);
                        self.err(
                            RawDiag::new(
                                m.sp,
                                format!("enum `{}` lists `{}` twice (first on line {line})", e.name.name, m.name),
                                "listed again",
                            )
                            .help("each member of an enum is a different value"),
                        );
                        continue;
                    }
                    Some(_) => {
                        let (first, what) = super::Env::default().declared(self, m.name).unwrap_or_default();
                        self.duplicate(m, first, what);
                        continue;
                    }
                    None => {}
                }
                let index = members.len() as Value;
                self.globals.insert(m.name, (Entity::Member { id, index }, m.sp));
                members.push(m.name.to_string());
            }
            self.enums.push(EnumDecl { name: e.name.name.to_string(), members, span: self.src.span(e.sp) });
        }
    }

    /// Declares every constant's name (before the enums, so that a clash between a
    /// constant and an enum member is reported at the enum); `resolve_consts` then works
    /// out their values. Returns each declaration's index in `const_values`.
    pub(super) fn declare_consts(&mut self, consts: &[ConstAst<'a>]) -> Vec<Option<usize>> {
        let mut ids = Vec::with_capacity(consts.len());
        for c in consts {
            if let Some((first, what)) = super::Env::default().declared(self, c.name.name) {
                self.duplicate(&c.name, first, what);
                ids.push(None);
                continue;
            }
            let i = self.const_values.len();
            self.globals.insert(c.name.name, (Entity::Const(i), c.name.sp));
            self.const_values.push(None);
            ids.push(Some(i));
        }
        ids
    }

    /// Works out the value of every constant `declare_consts` declared. A constant may use
    /// constants declared after it; the order is found by a depth-first search with its own
    /// stack.
    pub(super) fn resolve_consts(&mut self, consts: &[ConstAst<'a>], ids: &[Option<usize>]) {
        // The constants each constant's value names, with where it names them.
        let mut deps: Vec<Vec<(usize, Sp)>> = vec![Vec::new(); self.const_values.len()];
        let mut decl_of: Vec<usize> = vec![0; self.const_values.len()];
        for (k, c) in consts.iter().enumerate() {
            if let Some(i) = ids[k] {
                decl_of[i] = k;
                self.const_names(&c.value, &mut deps[i]);
            }
        }
        // 0: not seen, 1: on the stack, 2: done.
        let mut state = vec![0u8; deps.len()];
        // On a cycle: no value, and no second error for it.
        let mut broken = vec![false; deps.len()];
        for root in 0..deps.len() {
            if state[root] != 0 {
                continue;
            }
            state[root] = 1;
            let mut stack: Vec<(usize, usize)> = vec![(root, 0)];
            while let Some(top) = stack.last_mut() {
                let (i, next) = *top;
                if let Some(&(j, sp)) = deps[i].get(next) {
                    top.1 += 1;
                    match state[j] {
                        0 => {
                            state[j] = 1;
                            stack.push((j, 0));
                        }
                        1 => {
                            let from = stack.iter().position(|&(k, _)| k == j).unwrap_or(0);
                            let cycle: Vec<usize> = stack[from..].iter().map(|&(k, _)| k).collect();
                            if !cycle.iter().any(|&k| broken[k]) {
                                let names: Vec<&str> = cycle.iter().map(|&k| consts[decl_of[k]].name.name).collect();
                                self.const_cycle(&names, sp);
                            }
                            for k in cycle {
                                broken[k] = true;
                            }
                        }
                        _ => {}
                    }
                    continue;
                }
                stack.pop();
                state[i] = 2;
                if !broken[i] {
                    self.const_values[i] = self.const_int(&consts[decl_of[i]].value, "a constant's value");
                }
            }
        }
    }

    /// The constants an expression names, in source order.
    fn const_names(&self, e: &ExprAst<'a>, out: &mut Vec<(usize, Sp)>) {
        match &e.kind {
            ExprKind::Name(n) => {
                if let Some((Entity::Const(i), _)) = self.globals.get(n) {
                    out.push((*i, e.sp));
                }
            }
            ExprKind::Unary(_, a) => self.const_names(a, out),
            ExprKind::Binary(_, a, b) => {
                self.const_names(a, out);
                self.const_names(b, out);
            }
            ExprKind::Index(_, a) => self.const_names(a, out),
            _ => {}
        }
    }

    fn const_cycle(&mut self, names: &[&str], sp: Sp) {
        let mut quoted: Vec<String> = names.iter().take(LISTED_MEMBERS).map(|n| format!("`{n}`")).collect();
        if names.len() > LISTED_MEMBERS {
            // A cycle may be as long as the file: name the first few.
            quoted.truncate(LISTED_MEMBERS - 1);
            quoted.push(format!("{} others", names.len() - quoted.len()));
        }
        let message = match quoted.as_slice() {
            [one] => format!("the constant {one} is defined in terms of itself"),
            [init @ .., last] => {
                format!("the constants {} and {last} are defined in terms of each other", init.join(", "))
            }
            [] => return,
        };
        self.err(
            RawDiag::new(sp, message, "used here in its own definition")
                .help("a constant's value must come from numbers and constants defined without it"),
        );
    }

    /// The value of a compile-time integer: a number, a constant's name, or `+ - * / %` and
    /// unary `-` of them, exact in 32 bits (`/` and `%` Euclidean, as at run time). `what`
    /// says what the integer is for, as in "an array length must be a constant". `None`
    /// after an error (reported here, or earlier for a constant that has no value).
    ///
    /// This is the one function that decides what a constant integer is: every place that
    /// takes a number at compile time calls it.
    pub(crate) fn const_int(&mut self, e: &ExprAst<'a>, what: &str) -> Option<Value> {
        let v = self.const_value(e, what)?;
        self.fits(v, e.sp)
    }

    fn fits(&mut self, v: i64, sp: Sp) -> Option<Value> {
        match Value::try_from(v) {
            Ok(v) => Some(v),
            Err(_) => {
                self.err(RawDiag::new(sp, format!("the number {v} does not fit in 32 bits"), "too large"));
                None
            }
        }
    }

    /// As [`Checker::const_int`], but a literal may be `2147483648` (under a minus).
    fn const_value(&mut self, e: &ExprAst<'a>, what: &str) -> Option<i64> {
        match &e.kind {
            ExprKind::Int(v) => Some(*v),
            ExprKind::Error => None,
            ExprKind::Name(n) => self.const_name(&Ident { name: n, sp: e.sp }, what),
            ExprKind::Unary(UnOp::Neg, a) => {
                let v = self.const_value(a, what)?;
                Some(-v)
            }
            ExprKind::Binary(op @ (BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::Div | BinOp::Mod), a, b) => {
                let x = self.const_value(a, what);
                let y = self.const_value(b, what);
                let x = self.fits(x?, a.sp)? as i64;
                let y = self.fits(y?, b.sp)? as i64;
                let sym = op.symbol();
                if y == 0 && matches!(op, BinOp::Div | BinOp::Mod) {
                    self.err(
                        RawDiag::new(e.sp, "division by zero in a constant expression", format!("`{sym}` by zero"))
                            .help("the right side of `/` and `%` must not be 0"),
                    );
                    return None;
                }
                let r = match op {
                    BinOp::Add => x + y,
                    BinOp::Sub => x - y,
                    BinOp::Mul => x * y,
                    BinOp::Div => x.div_euclid(y),
                    _ => x.rem_euclid(y),
                };
                if Value::try_from(r).is_err() {
                    self.err(
                        RawDiag::new(
                            e.sp,
                            "arithmetic overflow in a constant expression",
                            format!("{x} {sym} {y} is {r}, outside 32 bits"),
                        )
                        .help("values are 32-bit integers, -2147483648 to 2147483647"),
                    );
                    return None;
                }
                Some(r)
            }
            _ => {
                self.err(
                    RawDiag::new(e.sp, format!("{what} must be a constant"), "not a constant")
                        .help("write a number, a `const` name, or `+ - * / %` of them"),
                );
                None
            }
        }
    }

    /// A name inside a compile-time integer: a constant, or an error saying what it is.
    fn const_name(&mut self, name: &Ident<'a>, what: &str) -> Option<i64> {
        let n = name.name;
        let found = self.globals.get(n).map(|(e, _)| *e);
        let (message, label, help) = match found {
            Some(Entity::Const(i)) => return self.const_values[i].map(i64::from),
            Some(Entity::Member { id, .. }) => (
                format!("`{n}` is a member of enum `{}`, not a number", self.enums[id].name),
                "an enum member",
                format!("{what} must be a number or a `const`"),
            ),
            Some(Entity::Enum(_)) => {
                (format!("`{n}` is an enum type, not a number"), "an enum", format!("{what} must be a number"))
            }
            Some(Entity::Mutex(_) | Entity::MutexParam(_)) => (
                format!("{what} must be a constant, but `{n}` is a mutex"),
                "not a constant",
                "declare a constant: `const N = 3`".to_string(),
            ),
            Some(Entity::Var { .. } | Entity::Param { .. }) => (
                format!("{what} must be a constant, but `{n}` is a variable"),
                "not a constant",
                "its value is known only when the model runs; declare a constant: `const N = 3`".to_string(),
            ),
            None => {
                let hint = match self.errs.may_show(name.sp) {
                    true => self.similar_global(n, |e| matches!(e, Entity::Const(_))),
                    false => None,
                };
                let help = match hint {
                    Some(s) => format!("did you mean `{s}`?"),
                    None => format!("declare it at the top level: `const {n} = 3`"),
                };
                (format!("unknown constant `{n}`"), "not declared", help)
            }
        };
        self.err(RawDiag::new(name.sp, message, label).help(help));
        None
    }

    /// A global name of the wanted kind close to `name`, for a "did you mean" hint.
    fn similar_global(&mut self, name: &str, want: impl Fn(&Entity) -> bool) -> Option<String> {
        super::Env::default().similar(self, name, want)
    }

    /// The type of an enum type's name in a declaration, or an error saying what it is.
    pub(super) fn named_type(&mut self, name: &Ident<'a>) -> Option<mutexcheck_core::ir::Ty> {
        let n = name.name;
        let (message, label) = match self.globals.get(n).map(|(e, _)| *e) {
            Some(Entity::Enum(id)) => {
                let len = self.enums[id].members.len() as u32;
                return Some(mutexcheck_core::ir::Ty::Enum { id, len });
            }
            Some(Entity::Const(_)) => (format!("`{n}` is a constant, not a type"), "a constant"),
            Some(Entity::Member { .. }) => (format!("`{n}` is an enum member, not a type"), "an enum member"),
            Some(Entity::Mutex(_) | Entity::MutexParam(_)) => (format!("`{n}` is a mutex, not a type"), "a mutex"),
            Some(Entity::Var { .. } | Entity::Param { .. }) => {
                (format!("`{n}` is a variable, not a type"), "a variable")
            }
            None => (format!("unknown type `{n}`"), "not declared"),
        };
        let mut help = "the types are `LO..HI`, `bool`, `result`, `[TYPE; N]` and the model's enums".to_string();
        if self.errs.may_show(name.sp) {
            if let Some(s) = self.similar_global(n, |e| matches!(e, Entity::Enum(_))) {
                help = format!("did you mean `{s}`?");
            }
        }
        self.err(RawDiag::new(name.sp, message, label).help(help));
        None
    }

    /// How a type reads in messages: "a number", "a `Phase` value".
    pub(crate) fn noun(&self, t: T) -> String {
        match t {
            T::Enum(id) => format!("a `{}` value", self.enums.get(id).map_or("?", |e| e.name.as_str())),
            t => t.noun().to_string(),
        }
    }

    /// "a `Phase` value is one of Idle, Writing, Done", for a help line.
    pub(crate) fn enum_values(&self, id: EnumId) -> String {
        let e = &self.enums[id];
        let mut list: Vec<&str> = e.members.iter().take(LISTED_MEMBERS).map(String::as_str).collect();
        let more = e.members.len().saturating_sub(LISTED_MEMBERS);
        let more = if more > 0 { format!(" and {more} more") } else { String::new() };
        if list.is_empty() {
            list.push("(none)");
        }
        format!("a `{}` value is one of {}{more}", e.name, list.join(", "))
    }
}
