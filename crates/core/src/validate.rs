//! Well-formedness checks on a model IR, so that the successor function never panics.

use crate::ir::{EnumDecl, Expr, Model, MutexElement, Op, Place, Property, Scope, Semantics, Ty, VarDecl, VarRef};
use crate::IrError;

/// Upper bound on threads: thread ids are 16-bit, and owner slots store id + 1.
const MAX_THREADS: usize = u16::MAX as usize - 1;
/// Upper bound on the slots of one state (keeps a model from asking for gigabytes per state).
const MAX_SLOTS: usize = 1 << 16;

fn err<T>(message: String) -> Result<T, IrError> {
    Err(IrError { message })
}

/// What an expression may read: which variable tables exist where it is evaluated.
struct Scopes<'a> {
    mutexes: usize,
    /// The process templates' instance counts, for `alive(P[i])`.
    instances: Vec<u32>,
    shared: &'a [VarDecl],
    process: Option<&'a [VarDecl]>,
    local: Option<&'a [VarDecl]>,
}

impl Scopes<'_> {
    fn var(&self, v: &VarRef, what: &str) -> Result<&VarDecl, IrError> {
        let table = match v.scope {
            Scope::Shared => Some(self.shared),
            Scope::Process => self.process,
            Scope::Local => self.local,
        };
        match table {
            None => err(format!("{what} reads a {:?} variable where only shared variables are visible", v.scope)),
            Some(t) => t.get(v.index).ok_or_else(|| IrError {
                message: format!("{what} names {:?} variable #{} but only {} are declared", v.scope, v.index, t.len()),
            }),
        }
    }

    fn mutex(&self, m: usize, what: &str) -> Result<(), IrError> {
        if m >= self.mutexes {
            return err(format!("{what} names mutex #{m} but only {} are declared", self.mutexes));
        }
        Ok(())
    }

    /// A mutex array's element: the array lies within the mutexes, and its index is readable.
    fn element(&self, element: &MutexElement, what: &str) -> Result<(), IrError> {
        let end = element.base.saturating_add(element.len as usize);
        if element.len == 0 || end > self.mutexes {
            return err(format!(
                "{what} names a mutex array of {} from mutex #{} but only {} mutexes are declared",
                element.len, element.base, self.mutexes
            ));
        }
        self.expr(&element.index, what)
    }

    fn expr(&self, e: &Expr, what: &str) -> Result<(), IrError> {
        match e {
            Expr::Const(_) | Expr::InstanceId => Ok(()),
            Expr::Var(v) => self.var(v, what).map(|_| ()),
            Expr::Index(v, i) => {
                if self.var(v, what)?.len.is_none() {
                    return err(format!("{what} indexes a variable that is not an array"));
                }
                self.expr(i, what)
            }
            Expr::MutexCount(m) | Expr::Owns(m) | Expr::MutexAbandoned(m) => self.mutex(*m, what),
            Expr::Alive { process, index } => {
                if *process >= self.instances.len() {
                    return err(format!(
                        "{what} asks whether process #{process} is alive but only {} are declared",
                        self.instances.len()
                    ));
                }
                self.expr(index, what)
            }
            Expr::ElementQuery(_, element) => self.element(element, what),
            Expr::Unary(_, a) => self.expr(a, what),
            Expr::Binary(_, a, b) => {
                self.expr(a, what)?;
                self.expr(b, what)
            }
        }
    }

    fn place(&self, p: &Place, what: &str) -> Result<&VarDecl, IrError> {
        let decl = self.var(&p.var, what)?;
        match (&p.index, decl.len) {
            (Some(i), Some(_)) => self.expr(i, what)?,
            (None, None) => {}
            (Some(_), None) => return err(format!("{what} indexes `{}`, which is not an array", decl.name)),
            (None, Some(_)) => return err(format!("{what} assigns the whole array `{}`", decl.name)),
        }
        Ok(decl)
    }
}

fn vars(enums: &[EnumDecl], decls: &[VarDecl], what: &str) -> Result<usize, IrError> {
    let mut slots = 0usize;
    for v in decls {
        if let Ty::Enum { id, len } = v.ty {
            match enums.get(id) {
                None => return err(format!("{what} `{}` has enum type {id}, which is not declared", v.name)),
                Some(e) if e.members.len() != len as usize || len == 0 => {
                    return err(format!(
                        "{what} `{}` has enum type `{}` with {len} members, but it declares {}",
                        v.name,
                        e.name,
                        e.members.len()
                    ))
                }
                Some(_) => {}
            }
        }
        if let Ty::Int { lo, hi } = v.ty {
            if lo > hi {
                return err(format!("{what} `{}` has an empty range {lo}..{hi}", v.name));
            }
        }
        if !v.ty.contains(v.init) {
            let (lo, hi) = v.ty.bounds();
            return err(format!("{what} `{}` starts at {}, outside {lo}..{hi}", v.name, v.init));
        }
        if v.len == Some(0) {
            return err(format!("{what} `{}` is an empty array", v.name));
        }
        slots = slots.saturating_add(v.slots());
    }
    Ok(slots)
}

/// Checks every index, range and jump in a model.
pub(crate) fn validate(model: &Model) -> Result<(), IrError> {
    let mut slots = 2 + 3 * model.mutexes.len();
    slots = slots.saturating_add(vars(&model.enums, &model.shared, "shared variable")?);
    let mut threads = 0usize;
    if model.processes.is_empty() {
        return err("the model has no process".into());
    }
    if model.crashes > crate::ir::MAX_CRASHES {
        return err(format!("the crash budget {} is above the largest, {}", model.crashes, crate::ir::MAX_CRASHES));
    }
    for p in &model.processes {
        let name = &p.name;
        if p.instances == 0 {
            return err(format!("process `{name}` has no instances"));
        }
        if p.threads.is_empty() {
            return err(format!("process `{name}` has no thread"));
        }
        let inst = p.instances as usize;
        threads = threads.saturating_add(inst * p.threads.len());
        slots = slots.saturating_add(inst.saturating_mul(vars(&model.enums, &p.vars, "process variable")?));
        for t in &p.threads {
            let what = format!("thread `{name}.{}`", t.name);
            slots = slots.saturating_add(inst.saturating_mul(2 + vars(&model.enums, &t.locals, "local variable")?));
            let scopes = Scopes {
                mutexes: model.mutexes.len(),
                instances: model.processes.iter().map(|p| p.instances).collect(),
                shared: &model.shared,
                process: Some(&p.vars),
                local: Some(&t.locals),
            };
            let len = t.code.len();
            for (pc, instr) in t.code.iter().enumerate() {
                let check = |what: &str| -> Result<(), IrError> {
                    let jump = |target: usize| {
                        if target > len {
                            err(format!("{what} jumps to {target}, outside the program (0..={len})"))
                        } else {
                            Ok(())
                        }
                    };
                    let mut op = &instr.op;
                    if let Op::OnElement { element, op: inner } = op {
                        scopes.element(element, what)?;
                        match &**inner {
                            Op::Wait { mutex, .. } | Op::Release { mutex, .. } | Op::Consistent { mutex, .. }
                                if *mutex == element.base => {}
                            _ => {
                                return err(format!(
                                    "{what} chooses a mutex array element for something other than a mutex operation on the array's first element"
                                ))
                            }
                        }
                        op = inner;
                    }
                    match op {
                        Op::Assign { place, value } => {
                            scopes.place(place, what)?;
                            scopes.expr(value, what)?;
                        }
                        Op::Wait { mutex, result, .. }
                        | Op::Release { mutex, result }
                        | Op::Consistent { mutex, result } => {
                            scopes.mutex(*mutex, what)?;
                            if matches!(op, Op::Consistent { .. }) && model.semantics != Semantics::Posix {
                                return err(format!("{what} calls `consistent`, which only POSIX mutexes have"));
                            }
                            let want = match model.semantics {
                                Semantics::Win32 => Ty::Result,
                                Semantics::Posix => Ty::PosixResult,
                            };
                            if let Some(place) = result {
                                if scopes.place(place, what)?.ty != want {
                                    return err(format!(
                                        "{what} stores a result in a variable that is not of type result"
                                    ));
                                }
                            }
                        }
                        Op::Assert { cond } => scopes.expr(cond, what)?,
                        Op::Branch { cond, target } => {
                            scopes.expr(cond, what)?;
                            jump(*target)?;
                        }
                        Op::Choose { targets } => {
                            if targets.is_empty() {
                                return err(format!("{what} is a choice with no alternative"));
                            }
                            targets.iter().try_for_each(|t| jump(*t))?;
                        }
                        Op::Goto { target } => jump(*target)?,
                        Op::Skip | Op::AtomicBegin | Op::AtomicEnd | Op::Exit | Op::Progress => {}
                        Op::OnElement { .. } => return err(format!("{what} nests a mutex array element choice")),
                    }
                    Ok(())
                };
                // The message names the thread and instruction; it is written only for an
                // instruction found wrong (names may be long, instructions many).
                if check("").is_err() {
                    check(&format!("{what}, instruction {pc} (`{}`)", instr.text))?;
                }
            }
            // A chain of markers that comes back to itself is a cycle that takes no step:
            // each pc is followed once, marked on the way (0 unknown, 1 on the chain being
            // followed, 2 known to reach a real instruction or the end).
            let mut mark = vec![0u8; len];
            for start in 0..len {
                let mut chain = Vec::new();
                let mut pc = start;
                while pc < len && mark[pc] == 0 {
                    match &t.code[pc].op {
                        Op::Goto { target } => {
                            mark[pc] = 1;
                            chain.push(pc);
                            pc = *target;
                        }
                        Op::AtomicBegin | Op::AtomicEnd => {
                            mark[pc] = 1;
                            chain.push(pc);
                            pc += 1;
                        }
                        _ => break,
                    }
                }
                if pc < len && mark[pc] == 1 {
                    return err(format!("{what} loops through jumps from instruction {start} without taking a step"));
                }
                for at in chain {
                    mark[at] = 2;
                }
            }
        }
    }
    if threads > MAX_THREADS {
        return err(format!("the model has {threads} threads; at most {MAX_THREADS} are supported"));
    }
    if slots > MAX_SLOTS {
        return err(format!("a state of this model needs {slots} values; at most {MAX_SLOTS} are supported"));
    }
    for m in &model.mutexes {
        if let Some(r) = m.initial_owner {
            let ok =
                model.processes.get(r.process).is_some_and(|p| r.instance < p.instances && r.thread < p.threads.len());
            if !ok {
                return err(format!("mutex `{}` is initially owned by a thread that does not exist", m.name));
            }
        }
    }
    let global = Scopes {
        mutexes: model.mutexes.len(),
        instances: model.processes.iter().map(|p| p.instances).collect(),
        shared: &model.shared,
        process: None,
        local: None,
    };
    for prop in &model.properties {
        match prop {
            Property::Protect { mutex, cond, text, .. } => {
                let what = format!("property `{text}`");
                global.mutex(*mutex, &what)?;
                global.expr(cond, &what)?;
            }
            Property::Invariant { cond, text, .. } | Property::AtEnd { cond, text, .. } => {
                global.expr(cond, &format!("property `{text}`"))?;
            }
        }
    }
    for l in &model.liveness {
        match l {
            crate::ir::Liveness::Starvation { mutex, .. } => global.mutex(*mutex, "a `starvation` property")?,
        }
    }
    for g in &model.guards {
        crate::guarded::validate_guard(model, g)?;
    }
    for a in &model.allowed {
        if let Some(m) = a.mutex {
            global.mutex(m, &format!("`allow {}`", a.kind.name()))?;
        }
    }
    Ok(())
}
