//! Name resolution, type checks and lowering from the syntax tree to core IR.
//!
//! Declarations are checked first (names, types, bounds, initial values), then each thread's
//! statements are lowered in source order; every problem found is kept, so one run reports
//! as many independent errors as it can. The result is validated by
//! [`mutexcheck_core::System::new`] so that a model the front end accepts is one the core runs.

mod decl;
mod expr;
mod stmt;

use std::collections::BTreeMap;

use crate::ast::{Ident, ModelAst};
use crate::source::{Sp, Source};
use crate::RawDiag;
use mutexcheck_core::ir::{Model, MutexId, Ty, VarRef};

pub(crate) use expr::T;

/// What a name refers to.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Entity {
    Mutex(MutexId),
    Var { var: VarRef, ty: Ty, len: Option<u32> },
}

/// Names visible at one place, with where each was declared.
pub(crate) type Names = BTreeMap<String, (Entity, Sp)>;

/// The names visible to an expression: a thread's locals and its process's memory on top of
/// the globals, or only the globals in a property.
#[derive(Default)]
pub(crate) struct Env {
    pub process: Names,
    pub local: Names,
    /// Checking a property: no thread, no `self`, no `owns`.
    pub property: bool,
}

impl Env {
    pub fn lookup(&self, cx: &Checker, name: &str) -> Option<Entity> {
        self.local
            .get(name)
            .or_else(|| self.process.get(name))
            .or_else(|| cx.globals.get(name))
            .map(|(e, _)| *e)
    }

    /// The visible name of the wanted kind closest to a misspelt `name` (at most two edits,
    /// and fewer than half its letters), for a "did you mean" hint. Ties go to the first in
    /// alphabetical order, so the hint is deterministic.
    pub fn similar(&self, cx: &Checker, name: &str, want: impl Fn(&Entity) -> bool) -> Option<String> {
        let tables = [&self.local, &self.process, &cx.globals];
        let mut best: Option<(usize, &str)> = None;
        for (candidate, (e, _)) in tables.iter().flat_map(|t| t.iter()) {
            if !want(e) {
                continue;
            }
            // The distance is at least the difference in length: skip the hopeless ones
            // before the quadratic comparison (a name may be very long).
            if name.len().abs_diff(candidate.len()) > 2 {
                continue;
            }
            let d = edit_distance(name, candidate);
            if d > 2 || d * 2 >= name.chars().count().max(2) {
                continue;
            }
            match best {
                Some(b) if b <= (d, candidate.as_str()) => {}
                _ => best = Some((d, candidate)),
            }
        }
        best.map(|(_, s)| s.to_string())
    }

    /// Where `name` is already declared in any visible table, and as what.
    pub fn declared(&self, cx: &Checker, name: &str) -> Option<(Sp, &'static str)> {
        if let Some((_, sp)) = self.local.get(name) {
            return Some((*sp, "a local variable"));
        }
        if let Some((_, sp)) = self.process.get(name) {
            return Some((*sp, "a process variable"));
        }
        cx.globals.get(name).map(|(e, sp)| match e {
            Entity::Mutex(_) => (*sp, "a mutex"),
            Entity::Var { .. } => (*sp, "a shared variable"),
        })
    }
}

/// Edit distance between two short names, counting a swap of neighbours as one edit
/// (optimal string alignment), since `lokc` for `lock` is the commonest slip.
fn edit_distance(a: &str, b: &str) -> usize {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, v) in d[0].iter_mut().enumerate() {
        *v = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut v = (d[i - 1][j] + 1).min(d[i][j - 1] + 1).min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(d[i - 2][j - 2] + 1);
            }
            d[i][j] = v;
        }
    }
    d[a.len()][b.len()]
}

/// The state of one compilation: the source, the global names and the errors so far.
pub(crate) struct Checker<'a> {
    pub src: &'a Source<'a>,
    pub globals: Names,
    /// Names of variables that live inside processes, for a helpful message when a property
    /// reads one: name -> the process that declares it.
    pub inner_vars: BTreeMap<String, String>,
    pub errs: Vec<RawDiag>,
}

impl Checker<'_> {
    pub fn err(&mut self, d: RawDiag) {
        self.errs.push(d);
    }

    /// The line of a position, for "first declared at line N" notes.
    pub fn line_of(&self, sp: Sp) -> u32 {
        self.src.diag_pos(sp).0
    }

    /// Reports a second declaration of a name.
    pub fn duplicate(&mut self, name: &Ident, first: Sp, what: &str) {
        let line = self.line_of(first);
        self.err(
            RawDiag::new(name.sp, format!("`{}` is already declared as {what} (line {line})", name.name), "declared again here")
                .help("give it a different name"),
        );
    }

    /// Resolves a variable name: its reference, type and array length.
    pub fn var(&mut self, env: &Env, name: &Ident) -> Option<(VarRef, Ty, Option<u32>)> {
        match env.lookup(self, &name.name) {
            Some(Entity::Var { var, ty, len }) => Some((var, ty, len)),
            Some(Entity::Mutex(_)) => {
                self.err(
                    RawDiag::new(name.sp, format!("`{}` is a mutex, not a variable", name.name), "a mutex")
                        .help(format!("query it with `held({0})`, `count({0})`, `owns({0})` or `abandoned({0})`", name.name)),
                );
                None
            }
            None if env.property && self.inner_vars.contains_key(&name.name) => {
                let p = self.inner_vars[&name.name].clone();
                self.err(
                    RawDiag::new(name.sp, format!("a property cannot read `{}`, a variable of process `{p}`", name.name), "not shared")
                        .help("properties read only shared variables and mutexes"),
                );
                None
            }
            None => {
                let mut d = RawDiag::new(name.sp, format!("unknown name `{}`", name.name), "not declared");
                let vars = |e: &Entity| matches!(e, Entity::Var { .. });
                if let Some(s) = env.similar(self, &name.name, vars) {
                    d = d.help(format!("did you mean `{s}`?"));
                }
                self.err(d);
                None
            }
        }
    }
}

/// Checks a parsed model and lowers it to IR, or returns every problem found.
pub(crate) fn lower(src: &Source, ast: &ModelAst) -> Result<Model, Vec<RawDiag>> {
    let mut cx = Checker { src, globals: Names::new(), inner_vars: BTreeMap::new(), errs: Vec::new() };
    let model = cx.model(ast);
    if !cx.errs.is_empty() {
        return Err(cx.errs);
    }
    // The core's own validation also bounds the state size; its rare complaints (a model
    // too large to lay out) are reported at the model's name.
    if let Err(e) = mutexcheck_core::System::new(model.clone()) {
        let sp = ast.name.as_ref().map_or(Sp::default(), |n| n.sp);
        return Err(vec![RawDiag::new(sp, e.message, "this model")]);
    }
    Ok(model)
}
