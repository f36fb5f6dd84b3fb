//! The expressions of a model compiled once, for the search's hot path.
//!
//! [`System::eval`] walks the IR's expression tree and looks every variable up through the
//! layout (template, process, thread, offset tables) each time it reads it. A search
//! evaluates the same few expressions millions of times, so [`System::new`] compiles each
//! thread instruction's expressions and place, and each property's condition, into a
//! [`CExpr`]: a variable becomes a slot offset from one of three bases (none for shared
//! memory, the instance's memory, the thread's locals), which a thread looks up once per
//! step, and the usual shapes `var op const` (`i < 3`, `r == ABANDONED`, `a + 1`) and
//! `var op var` (`a == b`) are one node. Whatever else an expression holds (array elements, mutex queries, `alive`) is left
//! to [`System::eval`], so the two agree by construction: the compiled form computes the
//! same operations, in the same order, with the same faults.

use crate::eval::{binary, Ctx};
use crate::ir::{BinOp, Expr, Op, Place, Scope, UnOp, Value, VarRef};
use crate::state::Layout;
use crate::step::Fault;
use crate::system::System;

/// Which base a compiled slot counts from: the index in [`Bases`].
const SHARED: u8 = 0;
const PROCESS: u8 = 1;
pub(crate) const LOCAL: u8 = 2;

/// Where a thread's variables start: the base of each scope, indexed by [`SHARED`],
/// [`PROCESS`] and [`LOCAL`] (shared slots are absolute: their base is 0).
pub(crate) type Bases = [usize; 3];

/// A compiled expression (see the module comment).
#[derive(Clone, Debug)]
pub(crate) enum CExpr {
    /// A constant.
    Const(Value),
    /// The value of the slot `off` past base `base`.
    Slot { base: u8, off: u32 },
    /// `slot op c`, for an arithmetic or comparison operator.
    SlotConst { op: BinOp, base: u8, off: u32, c: Value },
    /// `slot op slot`, for an arithmetic or comparison operator (`a == b` of a property).
    SlotSlot { op: BinOp, a: (u8, u32), b: (u8, u32) },
    /// `!a`.
    Not(Box<CExpr>),
    /// `a op b`, `&&` and `||` short-circuit.
    Binary(BinOp, Box<CExpr>, Box<CExpr>),
    /// Anything else: evaluated by [`System::eval`].
    Ir(Box<Expr>),
}

/// A compiled place: for a scalar, its slot and the bounds of its type; the IR's place for
/// everything [`System::store`] does otherwise (an array element, a value out of range,
/// whose fault names the variable).
#[derive(Clone, Debug)]
pub(crate) struct CPlace {
    /// The slot's base and offset and the type's bounds, for a scalar variable.
    scalar: Option<(u8, u32, Value, Value)>,
    ir: Place,
}

/// The compiled form of one instruction: what its hot path evaluates.
#[derive(Clone, Debug)]
pub(crate) enum COp {
    /// `place = value`.
    Assign { place: CPlace, value: CExpr },
    /// The condition of a `Branch` or an `Assert`.
    Cond(CExpr),
    /// The place a `Wait`, `Release` or `Consistent` stores its result in.
    Result(CPlace),
    /// Nothing compiled: the step runs on the IR.
    None,
}

/// Compiles what a template thread's code evaluates, for process template `decl`'s thread
/// `tdecl`.
pub(crate) fn compile_code(layout: &Layout, model: &crate::Model, decl: usize, tdecl: usize) -> Vec<COp> {
    let scope = Scoped { layout, model, decl, tdecl: Some(tdecl) };
    model.processes[decl].threads[tdecl]
        .code
        .iter()
        .map(|i| match &i.op {
            Op::Assign { place, value } => COp::Assign { place: scope.place(place), value: scope.expr(value) },
            Op::Branch { cond, .. } | Op::Assert { cond } => COp::Cond(scope.expr(cond)),
            Op::Wait { result: Some(place), .. }
            | Op::Release { result: Some(place), .. }
            | Op::Consistent { result: Some(place), .. } => COp::Result(scope.place(place)),
            _ => COp::None,
        })
        .collect()
}

/// Compiles every property's condition, in the model's order.
pub(crate) fn compile_properties(layout: &Layout, model: &crate::Model) -> Vec<CExpr> {
    model
        .properties
        .iter()
        .map(|p| match p {
            crate::ir::Property::Protect { cond, .. }
            | crate::ir::Property::Invariant { cond, .. }
            | crate::ir::Property::AtEnd { cond, .. } => compile_global(layout, model, cond),
        })
        .collect()
}

/// Compiles a property's condition, which reads only shared variables and mutexes.
pub(crate) fn compile_global(layout: &Layout, model: &crate::Model, e: &Expr) -> CExpr {
    Scoped { layout, model, decl: 0, tdecl: None }.expr(e)
}

/// What a compiled variable is relative to: a template thread, or none (a property).
struct Scoped<'m> {
    layout: &'m Layout,
    model: &'m crate::Model,
    decl: usize,
    tdecl: Option<usize>,
}

impl Scoped<'_> {
    /// The base and offset of a scalar variable, or `None` where there is no thread to
    /// count from (validation keeps properties to shared variables).
    fn slot(&self, var: VarRef) -> Option<(u8, u32)> {
        let l = self.layout;
        let (base, off) = match (var.scope, self.tdecl) {
            (Scope::Shared, _) => (SHARED, l.shared_base + *l.shared_offsets.get(var.index)?),
            (Scope::Process, Some(_)) => (PROCESS, *l.process_offsets.get(self.decl)?.get(var.index)?),
            (Scope::Local, Some(t)) => (LOCAL, *l.local_offsets.get(self.decl)?.get(t)?.get(var.index)?),
            _ => return None,
        };
        Some((base, u32::try_from(off).ok()?))
    }

    fn ty(&self, var: VarRef) -> Option<crate::ir::Ty> {
        let decl = match (var.scope, self.tdecl) {
            (Scope::Shared, _) => self.model.shared.get(var.index)?,
            (Scope::Process, Some(_)) => self.model.processes.get(self.decl)?.vars.get(var.index)?,
            (Scope::Local, Some(t)) => self.model.processes.get(self.decl)?.threads.get(t)?.locals.get(var.index)?,
            _ => return None,
        };
        Some(decl.ty)
    }

    fn place(&self, place: &Place) -> CPlace {
        let scalar = match (&place.index, self.slot(place.var), self.ty(place.var)) {
            (None, Some((base, off)), Some(ty)) => {
                let (lo, hi) = ty.bounds();
                Some((base, off, lo, hi))
            }
            _ => None,
        };
        CPlace { scalar, ir: place.clone() }
    }

    fn expr(&self, e: &Expr) -> CExpr {
        let ir = || CExpr::Ir(Box::new(e.clone()));
        match e {
            Expr::Const(v) => CExpr::Const(*v),
            Expr::Var(var) => match self.slot(*var) {
                Some((base, off)) => CExpr::Slot { base, off },
                None => ir(),
            },
            Expr::Unary(UnOp::Not, a) => CExpr::Not(Box::new(self.expr(a))),
            Expr::Binary(op, a, b) => match (self.expr(a), self.expr(b)) {
                (CExpr::Slot { base, off }, CExpr::Const(c)) if !matches!(op, BinOp::And | BinOp::Or) => {
                    CExpr::SlotConst { op: *op, base, off, c }
                }
                (CExpr::Slot { base, off }, CExpr::Slot { base: b, off: o })
                    if !matches!(op, BinOp::And | BinOp::Or) =>
                {
                    CExpr::SlotSlot { op: *op, a: (base, off), b: (b, o) }
                }
                (a, b) => CExpr::Binary(*op, Box::new(a), Box::new(b)),
            },
            _ => ir(),
        }
    }
}

impl System {
    /// Evaluates a compiled expression in state slots `s` for `ctx`, whose variables start
    /// at `bases`: the value (or fault) [`System::eval`] gives the expression it came from.
    ///
    /// Inlined where it is called: the leaves (`i < 3`, `a == b`, a slot, a constant) are
    /// nearly every expression a step or a property evaluates, and cost less than the call.
    #[inline(always)]
    pub(crate) fn run(&self, s: &[Value], ctx: Ctx, bases: &Bases, e: &CExpr) -> Result<Value, Fault> {
        match e {
            CExpr::Const(v) => Ok(*v),
            CExpr::Slot { base, off } => Ok(s[bases[*base as usize] + *off as usize]),
            CExpr::SlotConst { op, base, off, c } => binary(*op, s[bases[*base as usize] + *off as usize], *c),
            CExpr::SlotSlot { op, a, b } => {
                binary(*op, s[bases[a.0 as usize] + a.1 as usize], s[bases[b.0 as usize] + b.1 as usize])
            }
            _ => self.run_tree(s, ctx, bases, e),
        }
    }

    /// [`System::run`] of any expression: the tree walk.
    #[inline(never)]
    fn run_tree(&self, s: &[Value], ctx: Ctx, bases: &Bases, e: &CExpr) -> Result<Value, Fault> {
        Ok(match e {
            CExpr::Const(v) => *v,
            CExpr::Slot { base, off } => s[bases[*base as usize] + *off as usize],
            CExpr::SlotConst { op, base, off, c } => binary(*op, s[bases[*base as usize] + *off as usize], *c)?,
            CExpr::SlotSlot { op, a, b } => {
                binary(*op, s[bases[a.0 as usize] + a.1 as usize], s[bases[b.0 as usize] + b.1 as usize])?
            }
            CExpr::Not(a) => (self.run(s, ctx, bases, a)? == 0) as Value,
            CExpr::Binary(BinOp::And, a, b) => {
                (self.run(s, ctx, bases, a)? != 0 && self.run(s, ctx, bases, b)? != 0) as Value
            }
            CExpr::Binary(BinOp::Or, a, b) => {
                (self.run(s, ctx, bases, a)? != 0 || self.run(s, ctx, bases, b)? != 0) as Value
            }
            CExpr::Binary(op, a, b) => {
                let a = self.run(s, ctx, bases, a)?;
                binary(*op, a, self.run(s, ctx, bases, b)?)?
            }
            CExpr::Ir(e) => self.eval(s, ctx, e)?,
        })
    }

    /// Stores `v` into a compiled place: what [`System::store`] does with the place it came from.
    #[inline(always)]
    pub(crate) fn put(&self, s: &mut [Value], ctx: Ctx, bases: &Bases, place: &CPlace, v: Value) -> Result<(), Fault> {
        match place.scalar {
            Some((base, off, lo, hi)) if lo <= v && v <= hi => {
                s[bases[base as usize] + off as usize] = v;
                Ok(())
            }
            _ => self.store(s, ctx, &place.ir, v),
        }
    }

    /// The value of a branch's or assertion's condition `cond`, compiled as `compiled`.
    #[inline]
    pub(crate) fn cond(
        &self,
        s: &[Value],
        ctx: Ctx,
        bases: &Bases,
        compiled: &COp,
        cond: &Expr,
    ) -> Result<Value, Fault> {
        match compiled {
            COp::Cond(c) => self.run(s, ctx, bases, c),
            _ => self.eval(s, ctx, cond),
        }
    }

    /// Stores a mutex operation's result `v` into `place`, compiled as `compiled`.
    #[inline]
    pub(crate) fn store_result(
        &self,
        s: &mut [Value],
        ctx: Ctx,
        bases: &Bases,
        compiled: &COp,
        place: &Place,
        v: Value,
    ) -> Result<(), Fault> {
        match compiled {
            COp::Result(c) => self.put(s, ctx, bases, c, v),
            _ => self.store(s, ctx, place, v),
        }
    }

    /// The bases thread `t` counts its variables from (kept in `System::bases`).
    pub(crate) fn bases_of(&self, t: crate::ThreadId) -> Bases {
        let th = &self.layout.threads[t as usize];
        [0, self.layout.processes[th.process].var_base, th.local_base]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::{Instr, Model, MutexDecl, ProcessDecl, Semantics, Span, ThreadDecl, Ty, VarDecl};

    fn var(name: &str, lo: Value, hi: Value, init: Value) -> VarDecl {
        VarDecl { name: name.into(), ty: Ty::Int { lo, hi }, len: None, init, span: Span::default() }
    }

    fn v(scope: Scope, index: usize) -> Expr {
        Expr::Var(VarRef { scope, index })
    }

    fn bin(op: BinOp, a: Expr, b: Expr) -> Expr {
        Expr::Binary(op, Box::new(a), Box::new(b))
    }

    /// Two instances of a process with memory `p` and locals `x`, `y`, beside shared `a`, `big`.
    fn system() -> System {
        let thread = ThreadDecl {
            name: "main".into(),
            locals: vec![var("x", -5, 5, 2), var("y", 0, 3, 0)],
            code: vec![Instr::new(crate::ir::Op::Skip, Span::default(), "")],
            may_die: false,
        };
        let process = ProcessDecl {
            name: "w".into(),
            instances: 2,
            restart: false,
            vars: vec![var("p", 0, 9, 7)],
            threads: vec![thread],
            span: Span::default(),
        };
        let model = Model {
            name: "t".into(),
            semantics: Semantics::Win32,
            crashes: 0,
            mutexes: vec![MutexDecl {
                name: "m".into(),
                initial_owner: None,
                posix: Default::default(),
                span: Span::default(),
            }],
            shared: vec![var("a", 0, 3, 1), var("big", Value::MIN, Value::MAX, Value::MAX)],
            processes: vec![process],
            properties: vec![],
            liveness: vec![],
            enums: vec![],
            allowed: vec![],
            guards: vec![],
        };
        System::new(model).unwrap()
    }

    #[test]
    fn a_compiled_expression_gives_the_value_or_fault_the_ir_gives_for_every_thread() {
        let sys = system();
        let (x, y, p, a, big) =
            (v(Scope::Local, 0), v(Scope::Local, 1), v(Scope::Process, 0), v(Scope::Shared, 0), v(Scope::Shared, 1));
        let c = Expr::Const;
        let exprs = vec![
            c(4),
            x.clone(),
            p.clone(),
            a.clone(),
            bin(BinOp::Add, x.clone(), c(1)),
            bin(BinOp::Mod, bin(BinOp::Add, p.clone(), c(1)), c(3)),
            bin(BinOp::Lt, x.clone(), c(3)),
            bin(BinOp::Eq, y.clone(), c(0)),
            bin(BinOp::Sub, c(0), x.clone()),
            bin(BinOp::Div, x.clone(), c(0)),
            bin(BinOp::Mod, c(7), bin(BinOp::Sub, x.clone(), x.clone())),
            bin(BinOp::Add, big.clone(), c(1)),
            bin(BinOp::Mul, big.clone(), a.clone()),
            bin(BinOp::Div, c(-7), c(2)),
            bin(BinOp::Mod, x.clone(), c(-3)),
            bin(BinOp::And, bin(BinOp::Ne, y.clone(), c(0)), bin(BinOp::Div, c(1), y.clone())),
            bin(BinOp::Or, bin(BinOp::Eq, y.clone(), c(0)), bin(BinOp::Div, c(1), y.clone())),
            bin(BinOp::And, c(1), bin(BinOp::Div, c(1), y.clone())),
            Expr::Unary(UnOp::Not, Box::new(bin(BinOp::Ge, p.clone(), c(7)))),
            Expr::Unary(UnOp::Neg, Box::new(x.clone())),
            Expr::InstanceId,
            bin(BinOp::Le, Expr::InstanceId, x),
            Expr::Owns(0),
        ];
        let mut s = sys.initial_state();
        // The second instance's locals and memory differ from the first's.
        let second = sys.bases_of(1);
        s.0[second[LOCAL as usize]] = -4;
        s.0[second[PROCESS as usize]] = 2;
        let scope = |tdecl| Scoped { layout: &sys.layout, model: &sys.model, decl: 0, tdecl };
        for e in &exprs {
            let compiled = scope(Some(0)).expr(e);
            for t in 0..2 {
                let ctx = Ctx::Thread(t);
                let want = sys.eval(&s.0, ctx, e);
                assert_eq!(sys.run(&s.0, ctx, &sys.bases[t as usize], &compiled), want, "{e:?} in thread {t}");
            }
        }
        assert!(matches!(scope(Some(0)).expr(&bin(BinOp::Lt, v(Scope::Local, 0), c(3))), CExpr::SlotConst { .. }));
        let slots =
            [bin(BinOp::Mul, big.clone(), a.clone()), bin(BinOp::Sub, v(Scope::Local, 0), v(Scope::Process, 0))];
        for e in &slots {
            assert!(matches!(scope(Some(0)).expr(e), CExpr::SlotSlot { .. }), "{e:?}");
        }
        // `&&` and `||` short-circuit: never fused.
        let and = bin(BinOp::And, y.clone(), v(Scope::Local, 0));
        assert!(matches!(scope(Some(0)).expr(&and), CExpr::Binary(BinOp::And, ..)));
        // A property reads shared variables only, with no thread to count from.
        let global = bin(BinOp::Add, a, c(2));
        let compiled = compile_global(&sys.layout, &sys.model, &global);
        assert_eq!(sys.run(&s.0, Ctx::Global, &[0; 3], &compiled), Ok(3));
    }

    #[test]
    fn a_compiled_store_writes_the_threads_own_slot_and_faults_out_of_range_as_the_ir_does() {
        let sys = system();
        let scope = Scoped { layout: &sys.layout, model: &sys.model, decl: 0, tdecl: Some(0) };
        let y = Place { var: VarRef { scope: Scope::Local, index: 1 }, index: None };
        let place = scope.place(&y);
        let s = sys.initial_state();
        for t in 0..2 {
            let ctx = Ctx::Thread(t);
            let (mut compiled, mut ir) = (s.0.clone(), s.0.clone());
            assert_eq!(sys.put(&mut compiled, ctx, &sys.bases[t as usize], &place, 3), Ok(()));
            assert_eq!(sys.store(&mut ir, ctx, &y, 3), Ok(()));
            assert_eq!(compiled, ir);
            assert_ne!(compiled, s.0, "the store wrote something");
            let fault = sys.put(&mut compiled, ctx, &sys.bases[t as usize], &place, 4);
            assert_eq!(fault, Err(Fault::OutOfRange { var: "y".into(), value: 4, lo: 0, hi: 3 }));
            assert_eq!(fault, sys.store(&mut ir, ctx, &y, 4));
        }
    }
}
