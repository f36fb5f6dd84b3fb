//! Declarations: the model header, mutexes, variables, processes, threads and properties.

use std::collections::BTreeMap;

use super::{Checker, Entity, Env, Names, T};
use crate::ast::*;
use crate::source::Sp;
use crate::RawDiag;
use mutexcheck_core::ir::*;

/// The most instances one process template may have.
pub const MAX_INSTANCES: i64 = 1000;
/// The longest array.
pub const MAX_ARRAY_LEN: i64 = 1024;
/// The largest crash budget.
pub const MAX_CRASHES: i64 = mutexcheck_core::ir::MAX_CRASHES as i64;

/// The first declaration of each name among `items`, found in one pass: a model may
/// declare tens of thousands of processes or invariants, and looking each one up by a scan
/// would take time in the square of that.
fn first_of<'a, 'b>(items: impl Iterator<Item = &'b Ident<'a>>) -> BTreeMap<&'a str, Sp>
where
    'a: 'b,
{
    let mut first = BTreeMap::new();
    for name in items {
        first.entry(name.name).or_insert(name.sp);
    }
    first
}

impl<'a> Checker<'a> {
    pub(super) fn model(&mut self, ast: &ModelAst<'a>) -> Model {
        let name = ast.name.as_ref().map_or(String::new(), |n| n.name.to_string());
        if let Some(s) = &ast.semantics {
            match s.name {
                "win32" => self.semantics = Semantics::Win32,
                "posix" => self.semantics = Semantics::Posix,
                _ => self.err(
                    RawDiag::new(s.sp, format!("unknown semantics `{}`", s.name), "not supported")
                        .help("the semantics are `win32` (the default) and `posix`"),
                ),
            }
        }
        // Enums and constants first: every other declaration may use them.
        let consts = self.declare_consts(&ast.consts);
        self.declare_enums(&ast.enums);
        self.resolve_consts(&ast.consts, &consts);
        let crashes = match &ast.crashes {
            None => 1,
            Some(e) => match self.const_int(e, "the crash budget") {
                Some(n) if !(0..=MAX_CRASHES).contains(&(n as i64)) => {
                    let d = RawDiag::new(
                        e.sp,
                        format!("the crash budget must be between 0 and {MAX_CRASHES}"),
                        "out of range",
                    );
                    self.err(value_help(d, e, n));
                    0
                }
                Some(n) => n as u32,
                None => 0,
            },
        };
        let mut mutexes = Vec::new();
        let mut owned = Vec::new();
        for m in &ast.mutexes {
            if let Some((first, what)) = Env::default().declared(self, m.name.name) {
                self.duplicate(&m.name, first, what);
                continue;
            }
            if let Some(o) = &m.owner {
                if self.semantics == Semantics::Posix {
                    self.err(
                        RawDiag::new(o.sp, "a POSIX mutex starts unlocked", "no initial owner in POSIX")
                            .help("lock it as the first statement of the owning thread instead"),
                    );
                }
            }
            let posix = self.mutex_attributes(m);
            let first = mutexes.len();
            self.globals.insert(m.name.name, (Entity::Mutex(first), m.name.sp));
            mutexes.extend(self.mutex_decls(m, posix, first));
            if let (Some(o), Semantics::Win32) = (&m.owner, self.semantics) {
                // Every element of an array is created owned by the same thread.
                owned.extend((first..mutexes.len()).map(|i| (i, o)));
            }
        }
        let mut shared = Vec::new();
        let mut guards = Vec::new();
        for v in &ast.shared {
            let env = Env::default();
            if let Some((first, what)) = env.declared(self, v.name.name) {
                self.duplicate(&v.name, first, what);
                continue;
            }
            let d = self.var_decl(v);
            let var = VarRef { scope: Scope::Shared, index: shared.len() };
            self.globals.insert(v.name.name, (Entity::Var { var, ty: d.ty, len: d.len }, v.name.sp));
            guards.extend(self.guard(v, shared.len(), &d));
            shared.push(d);
        }
        for p in &ast.processes {
            let vars = p.vars.iter().chain(p.threads.iter().flat_map(|t| t.vars.iter()));
            for v in vars {
                self.inner_vars.entry(v.name.name).or_insert(p.name.name);
            }
        }
        let first_process = first_of(ast.processes.iter().map(|p| &p.name));
        // Every process by name before any code is lowered: `alive(P)` may name a later one.
        for p in ast.processes.iter().filter(|p| first_process[p.name.name] == p.name.sp) {
            // The count's own errors are reported once, where the process is lowered.
            let reported = std::mem::take(&mut self.errs);
            let counted = p.instances.as_ref().and_then(|e| self.const_int(e, "an instance count"));
            self.errs = reported;
            let instances = match counted {
                Some(n) if (1..=MAX_INSTANCES).contains(&(n as i64)) => n as u32,
                _ => 1,
            };
            let info =
                super::alive::ProcessInfo { index: self.processes.len(), instances, indexed: p.instances.is_some() };
            self.processes.insert(p.name.name, info);
        }
        self.declare_procs(ast);
        let mut processes: Vec<ProcessDecl> = Vec::new();
        for p in &ast.processes {
            let first = first_process[p.name.name];
            if first != p.name.sp {
                self.duplicate(&p.name, first, "a process");
                continue;
            }
            processes.push(self.process(p));
        }
        if ast.processes.is_empty() && !self.partial {
            let sp = ast.name.as_ref().map_or(Default::default(), |n| n.sp);
            self.err(
                RawDiag::new(sp, "the model has no process", "nothing runs in this model")
                    .help("add one, e.g. `process worker[2] { ... }`"),
            );
        }
        if !owned.is_empty() {
            let owners = Owners::new(&processes);
            for (i, o) in owned {
                mutexes[i].initial_owner = self.owner(o, &owners, &processes);
            }
        }
        let invariants = first_of(ast.props.iter().filter_map(|p| match &p.kind {
            PropKind::Invariant(name) => Some(name),
            _ => None,
        }));
        let properties = ast.props.iter().flat_map(|p| self.property(p, &invariants)).collect();
        let mut liveness = Vec::new();
        for (m, sp) in &ast.starvation {
            let env = Env { property: true, ..Env::default() };
            if let Some(covered) = self.covered(&env, m, "starvation") {
                let span = self.src.span(*sp);
                liveness.extend(covered.mutexes.into_iter().map(|(mutex, _)| Liveness::Starvation { mutex, span }));
            }
        }
        let enums = std::mem::take(&mut self.enums);
        let allowed = self.allows(&ast.allows, &mutexes);
        Model {
            name,
            semantics: self.semantics,
            crashes,
            mutexes,
            shared,
            processes,
            properties,
            liveness,
            enums,
            allowed,
            guards,
        }
    }

    /// The POSIX attributes a mutex declaration lists after `:` (a type word, at most one,
    /// and `robust`); under Win32 the list is an error.
    fn mutex_attributes(&mut self, m: &MutexAst<'a>) -> PosixAttributes {
        let mut attrs = PosixAttributes::default();
        let Some(first) = m.attrs.first() else { return attrs };
        if self.semantics != Semantics::Posix {
            let sp = first.sp.to(m.attrs.last().map_or(first.sp, |a| a.sp));
            self.err(
                RawDiag::new(
                    sp,
                    "mutex attributes are POSIX attributes, but this model uses Win32 semantics",
                    "POSIX only",
                )
                .help("add `semantics posix` at the top of the model, or drop the attributes"),
            );
            return attrs;
        }
        let mut kind: Option<&Ident<'a>> = None;
        let mut robust: Option<&Ident<'a>> = None;
        for a in &m.attrs {
            let ty = match a.name {
                "normal" => MutexType::Normal,
                "errorcheck" => MutexType::ErrorCheck,
                "recursive" => MutexType::Recursive,
                "default" => MutexType::Default,
                "robust" => {
                    if let Some(first) = robust {
                        let line = self.line_of(first.sp);
                        self.err(RawDiag::new(
                            a.sp,
                            format!("`robust` is given twice (first on line {line})"),
                            "again",
                        ));
                    }
                    robust = Some(a);
                    attrs.robust = true;
                    continue;
                }
                other => {
                    self.err(
                        RawDiag::new(a.sp, format!("unknown mutex attribute `{other}`"), "not an attribute").help(
                            "the attributes are a type (`normal`, `errorcheck`, `recursive` or `default`) and `robust`",
                        ),
                    );
                    continue;
                }
            };
            if let Some(first) = kind {
                self.err(
                    RawDiag::new(
                        a.sp,
                        format!("a mutex has one type, but `{}` follows `{}`", a.name, first.name),
                        "second type",
                    )
                    .help("keep one of `normal`, `errorcheck`, `recursive`, `default`"),
                );
                continue;
            }
            kind = Some(a);
            attrs.kind = ty;
        }
        attrs
    }

    /// Checks a variable declaration: bounds, element count and initial value.
    pub(super) fn var_decl(&mut self, v: &VarAst<'a>) -> VarDecl {
        let init = v.init.as_ref().and_then(|e| self.constant(e));
        let mut init = init;
        let (ty, len) = match &v.ty {
            Some((t, sp)) => {
                if !self.type_names_known(t) {
                    // Its error is enough: no second one about the initial value.
                    init = None;
                }
                self.ty(t, *sp)
            }
            None => match init {
                Some((_, T::Bool)) => (Ty::Bool, None),
                Some((_, T::Result)) => (self.result_ty(), None),
                Some((_, T::Enum(id))) => (Ty::Enum { id, len: self.enums[id].members.len() as u32 }, None),
                _ => {
                    self.err(
                        RawDiag::new(v.name.sp, format!("variable `{}` has no bounds", v.name.name), "type missing")
                            .help(format!(
                                "give it a range, e.g. `{}: 0..3 = 0`, so the state space stays finite",
                                v.name.name
                            )),
                    );
                    init = None;
                    (Ty::Int { lo: 0, hi: 0 }, None)
                }
            },
        };
        let (lo, hi) = ty.bounds();
        let mut value = lo;
        if let (Some((x, t)), Some(e)) = (init, &v.init) {
            if t != T::of(ty) {
                let mut d = RawDiag::new(
                    e.sp,
                    format!(
                        "`{}` holds {}, but its initial value is {}",
                        v.name.name,
                        self.noun(T::of(ty)),
                        self.noun(t)
                    ),
                    format!("{} here", self.noun(t)),
                );
                if let T::Enum(id) = T::of(ty) {
                    d = d.help(self.enum_values(id));
                }
                self.err(d);
            } else if !ty.contains(x) {
                self.err(RawDiag::new(
                    e.sp,
                    format!("the initial value {x} of `{}` is outside its range {lo}..{hi}", v.name.name),
                    format!("not in {lo}..{hi}"),
                ));
            } else {
                value = x;
            }
        }
        VarDecl { name: v.name.name.to_string(), ty, len, init: value, span: self.src.span(v.sp) }
    }

    /// A constant initial value: a constant integer (see [`Checker::const_int`]),
    /// `true`/`false`, a result name or an enum member.
    fn constant(&mut self, e: &ExprAst<'a>) -> Option<(Value, T)> {
        match e.kind {
            ExprKind::Bool(b) => Some((b as Value, T::Bool)),
            ExprKind::Result(r) => Some((r, T::Result)),
            ExprKind::Name(n) => match self.globals.get(n).map(|(e, _)| *e) {
                Some(Entity::Member { id, index }) => Some((index, T::Enum(id))),
                _ if self.semantics == Semantics::Posix && posix_result::NAMES.contains(&n) => {
                    Some((posix_result::NAMES.iter().position(|r| *r == n).unwrap_or(0) as Value, T::Result))
                }
                _ => self.const_int(e, "an initial value").map(|v| (v, T::Int)),
            },
            _ => self.const_int(e, "an initial value").map(|v| (v, T::Int)),
        }
    }

    /// False when `t` names something that is not an enum (reported by `ty`).
    fn type_names_known(&self, t: &TypeAst<'a>) -> bool {
        match t {
            TypeAst::Named(n) => matches!(self.globals.get(n.name), Some((Entity::Enum(_), _))),
            TypeAst::Array { elem, .. } => self.type_names_known(elem),
            _ => true,
        }
    }

    fn ty(&mut self, t: &TypeAst<'a>, sp: crate::source::Sp) -> (Ty, Option<u32>) {
        match t {
            TypeAst::Bool => (Ty::Bool, None),
            TypeAst::Result => (self.result_ty(), None),
            TypeAst::Named(name) => (self.named_type(name).unwrap_or(Ty::Int { lo: 0, hi: 0 }), None),
            TypeAst::Range { lo, hi } => {
                let (lo, hi) = (self.const_int(lo, "a range bound"), self.const_int(hi, "a range bound"));
                let (Some(lo), Some(hi)) = (lo, hi) else { return (Ty::Int { lo: 0, hi: 0 }, None) };
                if lo > hi {
                    self.err(
                        RawDiag::new(sp, format!("the range {lo}..{hi} is empty"), "lower bound above upper bound")
                            .help(format!("write `{hi}..{lo}`")),
                    );
                    return (Ty::Int { lo: hi, hi: lo }, None);
                }
                (Ty::Int { lo, hi }, None)
            }
            TypeAst::Array { elem, len } => {
                if matches!(**elem, TypeAst::Array { .. }) {
                    self.err(RawDiag::new(sp, "arrays of arrays are not supported", "nested array"));
                    return (Ty::Int { lo: 0, hi: 0 }, Some(1));
                }
                let (ty, _) = self.ty(elem, sp);
                (ty, Some(self.array_len(len).unwrap_or(1)))
            }
        }
    }

    /// The length of an array as written: of an array variable (`[T; N]`) and of a mutex
    /// array (`mutex lock[N]`) alike; `None` after reporting a bad one.
    pub(super) fn array_len(&mut self, len: &ExprAst<'a>) -> Option<u32> {
        let n = self.const_int(len, "an array length")?;
        if !(1..=MAX_ARRAY_LEN).contains(&(n as i64)) {
            let d = RawDiag::new(len.sp, format!("an array has 1 to {MAX_ARRAY_LEN} elements"), "bad length");
            self.err(value_help(d, len, n));
            return None;
        }
        Some(n as u32)
    }

    fn process(&mut self, p: &ProcessAst<'a>) -> ProcessDecl {
        let instances = match &p.instances {
            None => 1,
            Some(e) => match self.const_int(e, "an instance count") {
                Some(n) if !(1..=MAX_INSTANCES).contains(&(n as i64)) => {
                    let d = RawDiag::new(
                        e.sp,
                        format!("a process has 1 to {MAX_INSTANCES} instances"),
                        "bad instance count",
                    );
                    self.err(value_help(d, e, n));
                    1
                }
                Some(n) => n as u32,
                None => 1,
            },
        };
        self.procs.instances = instances;
        let mut env = Env::default();
        let mut vars = Vec::new();
        for v in &p.vars {
            if let Some((first, what)) = env.declared(self, v.name.name) {
                self.duplicate(&v.name, first, what);
                continue;
            }
            self.refuse_guard(v, "process memory");
            let d = self.var_decl(v);
            let var = VarRef { scope: Scope::Process, index: vars.len() };
            env.process.insert(v.name.name, (Entity::Var { var, ty: d.ty, len: d.len }, v.name.sp));
            vars.push(d);
        }
        let mut threads = Vec::new();
        let mut seen: Names = Names::new();
        for t in &p.threads {
            if let Some((_, first)) = seen.get(&t.name.name) {
                let first = *first;
                self.duplicate(&t.name, first, "a thread of this process");
                continue;
            }
            seen.insert(t.name.name, (Entity::Mutex(0), t.name.sp));
            env.local.clear();
            threads.push(self.thread(&mut env, t));
        }
        ProcessDecl {
            name: p.name.name.to_string(),
            instances,
            restart: p.restart,
            vars,
            threads,
            span: self.src.span(p.sp),
        }
    }

    fn thread(&mut self, env: &mut Env<'a>, t: &ThreadAst<'a>) -> ThreadDecl {
        let mut locals = Vec::new();
        for v in &t.vars {
            if let Some((first, what)) = env.declared(self, v.name.name) {
                self.duplicate(&v.name, first, what);
                continue;
            }
            self.refuse_guard(v, "a local variable of its thread");
            let d = self.var_decl(v);
            let var = VarRef { scope: Scope::Local, index: locals.len() };
            env.local.insert(v.name.name, (Entity::Var { var, ty: d.ty, len: d.len }, v.name.sp));
            locals.push(d);
        }
        self.procs.start_thread();
        let mut lw = super::stmt::Lowering::new(locals);
        self.block(env, &mut lw, &t.body);
        ThreadDecl { name: t.name.name.to_string(), locals: lw.locals, code: lw.code, may_die: t.may_die }
    }

    /// `owned_by PROC[i].THREAD`: the thread that creates the mutex owning it.
    fn owner(&mut self, o: &OwnerAst<'a>, owners: &Owners, procs: &[ProcessDecl]) -> Option<ThreadRef> {
        let Some(&pi) = owners.processes.get(o.process.name) else {
            self.err(RawDiag::new(o.process.sp, format!("unknown process `{}`", o.process.name), "not declared"));
            return None;
        };
        let p = &procs[pi];
        let instance = match &o.instance {
            Some(e) => {
                let i = self.const_int(e, "an instance number")?;
                if i < 0 || i as i64 >= p.instances as i64 {
                    self.err(RawDiag::new(
                        e.sp,
                        format!("process `{}` has instances 0..{}, not {i}", p.name, p.instances - 1),
                        "no such instance",
                    ));
                    return None;
                }
                i as u32
            }
            None if p.instances > 1 => {
                self.err(
                    RawDiag::new(
                        o.process.sp,
                        format!("process `{}` has {} instances; say which one owns the mutex", p.name, p.instances),
                        "which instance?",
                    )
                    .help(format!("write e.g. `owned_by {}[0]`", p.name)),
                );
                return None;
            }
            None => 0,
        };
        let thread = match &o.thread {
            Some(t) => match owners.threads.get(&(pi, t.name)) {
                Some(&i) => i,
                None => {
                    self.err(RawDiag::new(
                        t.sp,
                        format!("process `{}` has no thread `{}`", p.name, t.name),
                        "no such thread",
                    ));
                    return None;
                }
            },
            None if p.threads.len() > 1 => {
                let first = &p.threads[0].name;
                let src = self.src;
                // Built only if shown: every such error quotes the first thread's name.
                self.errs.push_with(o.sp, || {
                    RawDiag::new(
                        o.sp,
                        format!("process `{}` has {} threads; say which one owns the mutex", p.name, p.threads.len()),
                        "which thread?",
                    )
                    .help(format!("write e.g. `{}.{first}`", src.text_of(o.sp)))
                });
                return None;
            }
            None => 0,
        };
        Some(ThreadRef { process: pi, instance, thread })
    }

    /// A property (one per element for `protect lock[i]`); `invariants` holds the first
    /// declaration of each invariant name.
    fn property(&mut self, p: &PropAst<'a>, invariants: &BTreeMap<&str, Sp>) -> Vec<Property> {
        let env = Env { property: true, ..Env::default() };
        let text = self.src.text_of(p.cond.sp);
        let span = self.src.span(p.cond.sp);
        if let PropKind::Protect(m) = &p.kind {
            return self.protect(m, &p.cond, text, span);
        }
        let cond = self.expr_of(&env, &p.cond, T::Bool, "a property");
        vec![match &p.kind {
            PropKind::Protect(_) => unreachable!("handled above"),
            PropKind::Invariant(name) => {
                let first = invariants[name.name];
                if first != name.sp {
                    self.duplicate(name, first, "an invariant");
                }
                Property::Invariant { name: name.name.to_string(), cond, text, span }
            }
            PropKind::AtEnd => Property::AtEnd { cond, text, span },
        }]
    }

    /// `protect m: EXPR`, or `protect lock[i]: EXPR`: one property per element, `EXPR`
    /// checked with `i` standing for that element (its errors reported once, not per element).
    fn protect(&mut self, m: &MutexRefAst<'a>, cond: &ExprAst<'a>, text: String, span: Span) -> Vec<Property> {
        let env = Env { property: true, ..Env::default() };
        let Some(covered) = self.covered(&env, m, "protect") else {
            // The condition is still checked, for its own errors.
            self.expr_of(&env, cond, T::Bool, "a property");
            return Vec::new();
        };
        let mut out = Vec::new();
        for (mutex, binder) in covered.mutexes {
            let before = self.errs.found();
            let env = Env { property: true, binder, ..Env::default() };
            let c = self.expr_of(&env, cond, T::Bool, "a property");
            if self.errs.found() != before {
                break;
            }
            let text = match binder {
                Some((name, k)) => format!("{text} ({name} = {k})"),
                None => text.clone(),
            };
            out.push(Property::Protect { mutex, cond: c, text, span });
        }
        out
    }
}

/// Adds "`N - 1` is 0" to a diagnostic about the value of a constant expression that is
/// not a plain number, so that the reader sees the value the bound was checked against.
fn value_help(d: RawDiag, e: &ExprAst, v: Value) -> RawDiag {
    match e.kind {
        ExprKind::Int(_) => d,
        _ => d.help(format!("this is {v}")),
    }
}

/// The processes and threads an `owned_by` may name, by name.
struct Owners<'p> {
    processes: BTreeMap<&'p str, usize>,
    threads: BTreeMap<(usize, &'p str), usize>,
}

impl<'p> Owners<'p> {
    fn new(procs: &'p [ProcessDecl]) -> Owners<'p> {
        let processes = procs.iter().enumerate().map(|(i, p)| (p.name.as_str(), i)).collect();
        let threads = procs
            .iter()
            .enumerate()
            .flat_map(|(i, p)| p.threads.iter().enumerate().map(move |(t, th)| ((i, th.name.as_str()), t)))
            .collect();
        Owners { processes, threads }
    }
}
