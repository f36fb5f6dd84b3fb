//! Expression evaluation and variable access within one state.

use std::borrow::Cow;

use crate::ir::{BinOp, Expr, MutexElement, MutexId, MutexQuery, Op, Place, Scope, UnOp, Value, VarDecl, VarRef};
use crate::mutex::ThreadId;
use crate::step::Fault;
use crate::system::System;

/// Who is evaluating: a thread (which may read its locals and process memory) or a property
/// (which reads only shared variables and mutexes).
#[derive(Clone, Copy, Debug)]
pub(crate) enum Ctx {
    Thread(ThreadId),
    Global,
}

impl System {
    /// The declaration of a variable as seen from `ctx`.
    pub(crate) fn decl(&self, ctx: Ctx, var: VarRef) -> &VarDecl {
        match (var.scope, ctx) {
            (Scope::Shared, _) => &self.model.shared[var.index],
            (Scope::Process, Ctx::Thread(t)) => {
                let p = &self.layout.processes[self.layout.threads[t as usize].process];
                &self.model.processes[p.decl].vars[var.index]
            }
            (Scope::Local, Ctx::Thread(t)) => {
                let th = &self.layout.threads[t as usize];
                let p = &self.layout.processes[th.process];
                &self.model.processes[p.decl].threads[th.decl].locals[var.index]
            }
            // Validation rejects thread-scoped variables in properties.
            (_, Ctx::Global) => unreachable!("validated: properties read only shared variables"),
        }
    }

    /// The first slot of a variable as seen from `ctx`.
    pub(crate) fn base_slot(&self, ctx: Ctx, var: VarRef) -> usize {
        let l = &self.layout;
        match (var.scope, ctx) {
            (Scope::Shared, _) => l.shared_base + l.shared_offsets[var.index],
            (Scope::Process, Ctx::Thread(t)) => {
                let p = &l.processes[l.threads[t as usize].process];
                p.var_base + l.process_offsets[p.decl][var.index]
            }
            (Scope::Local, Ctx::Thread(t)) => {
                let th = &l.threads[t as usize];
                let p = &l.processes[th.process];
                th.local_base + l.local_offsets[p.decl][th.decl][var.index]
            }
            (_, Ctx::Global) => unreachable!("validated: properties read only shared variables"),
        }
    }

    /// The slot of `var[index]`, or a fault when the index is outside the array.
    fn element_slot(&self, s: &[Value], ctx: Ctx, var: VarRef, index: &Expr) -> Result<usize, Fault> {
        let i = self.eval(s, ctx, index)?;
        let decl = self.decl(ctx, var);
        let len = decl.len.unwrap_or(1) as Value;
        if i < 0 || i >= len {
            return Err(Fault::IndexOutOfBounds { var: decl.name.clone(), index: i, len: len as u32 });
        }
        Ok(self.base_slot(ctx, var) + i as usize)
    }

    /// The mutex an element of a mutex array names in state slots `s`, or a fault when its
    /// index is outside the array (reported like an array variable's, with the array's name).
    pub(crate) fn element_mutex(&self, s: &[Value], ctx: Ctx, element: &MutexElement) -> Result<MutexId, Fault> {
        let i = self.eval(s, ctx, &element.index)?;
        if i < 0 || i as u32 >= element.len {
            let var = element.array_name(&self.model).to_string();
            return Err(Fault::IndexOutOfBounds { var, index: i, len: element.len });
        }
        Ok(element.base + i as usize)
    }

    /// `op` with a mutex array's element chosen in state slots `s` (an [`Op::OnElement`]
    /// becomes the operation on that element), or the fault of an index outside the array;
    /// any other operation as it is.
    pub(crate) fn choose_element<'o>(&self, s: &[Value], ctx: Ctx, op: &'o Op) -> Result<Cow<'o, Op>, Fault> {
        match op {
            Op::OnElement { element, op } => Ok(Cow::Owned(op.on_mutex(self.element_mutex(s, ctx, element)?))),
            op => Ok(Cow::Borrowed(op)),
        }
    }

    /// Evaluates an expression in state slots `s`.
    pub(crate) fn eval(&self, s: &[Value], ctx: Ctx, e: &Expr) -> Result<Value, Fault> {
        Ok(match e {
            Expr::Const(v) => *v,
            Expr::Var(var) => s[self.base_slot(ctx, *var)],
            Expr::Index(var, index) => s[self.element_slot(s, ctx, *var, index)?],
            Expr::InstanceId => match ctx {
                Ctx::Thread(t) => self.layout.processes[self.layout.threads[t as usize].process].instance as Value,
                Ctx::Global => 0,
            },
            Expr::MutexCount(m) => self.layout.mutex(s, *m).count as Value,
            Expr::Owns(m) => match ctx {
                Ctx::Thread(t) => (self.layout.mutex(s, *m).owner == Some(t)) as Value,
                Ctx::Global => 0,
            },
            Expr::MutexAbandoned(m) => self.layout.mutex(s, *m).abandoned as Value,
            Expr::Alive { process, index } => {
                let i = self.eval(s, ctx, index)?;
                self.instance_alive(s, *process, i)? as Value
            }
            Expr::ElementQuery(query, element) => {
                let m = self.element_mutex(s, ctx, element)?;
                let st = self.layout.mutex(s, m);
                match (query, ctx) {
                    (MutexQuery::Count, _) => st.count as Value,
                    (MutexQuery::Owns, Ctx::Thread(t)) => (st.owner == Some(t)) as Value,
                    (MutexQuery::Owns, Ctx::Global) => 0,
                    (MutexQuery::Abandoned, _) => st.abandoned as Value,
                }
            }
            Expr::Unary(op, a) => {
                let a = self.eval(s, ctx, a)? as i64;
                match op {
                    UnOp::Neg => fit(-a)?,
                    UnOp::Not => (a == 0) as Value,
                }
            }
            Expr::Binary(BinOp::And, a, b) => (self.eval(s, ctx, a)? != 0 && self.eval(s, ctx, b)? != 0) as Value,
            Expr::Binary(BinOp::Or, a, b) => (self.eval(s, ctx, a)? != 0 || self.eval(s, ctx, b)? != 0) as Value,
            Expr::Binary(op, a, b) => binary(*op, self.eval(s, ctx, a)?, self.eval(s, ctx, b)?)?,
        })
    }

    /// Stores `v` into a place, or faults when `v` is outside the place's type.
    pub(crate) fn store(&self, s: &mut [Value], ctx: Ctx, place: &Place, v: Value) -> Result<(), Fault> {
        let slot = match &place.index {
            None => self.base_slot(ctx, place.var),
            Some(i) => self.element_slot(s, ctx, place.var, i)?,
        };
        let decl = self.decl(ctx, place.var);
        if !decl.ty.contains(v) {
            let (lo, hi) = decl.ty.bounds();
            return Err(Fault::OutOfRange { var: decl.name.clone(), value: v as i64, lo, hi });
        }
        s[slot] = v;
        Ok(())
    }
}

/// `a op b`, both operands evaluated (`&&` and `||` too: [`System::eval`] and the compiled
/// expressions short-circuit them before they get here), with the checks of the model's
/// arithmetic: a result outside the value range and a division by zero are faults.
#[inline(always)]
pub(crate) fn binary(op: BinOp, a: Value, b: Value) -> Result<Value, Fault> {
    let (a, b) = (a as i64, b as i64);
    Ok(match op {
        BinOp::Add => fit(a + b)?,
        BinOp::Sub => fit(a - b)?,
        BinOp::Mul => fit(a * b)?,
        BinOp::Div | BinOp::Mod if b == 0 => return Err(Fault::DivisionByZero),
        BinOp::Div => fit(a.div_euclid(b))?,
        BinOp::Mod => fit(a.rem_euclid(b))?,
        BinOp::Eq => (a == b) as Value,
        BinOp::Ne => (a != b) as Value,
        BinOp::Lt => (a < b) as Value,
        BinOp::Le => (a <= b) as Value,
        BinOp::Gt => (a > b) as Value,
        BinOp::Ge => (a >= b) as Value,
        BinOp::And => (a != 0 && b != 0) as Value,
        BinOp::Or => (a != 0 || b != 0) as Value,
    })
}

fn fit(v: i64) -> Result<Value, Fault> {
    Value::try_from(v).map_err(|_| Fault::Overflow { value: v })
}
