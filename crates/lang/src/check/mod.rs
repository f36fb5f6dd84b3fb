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
                self.err(RawDiag::new(name.sp, format!("unknown name `{}`", name.name), "not declared"));
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
