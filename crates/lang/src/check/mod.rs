//! Name resolution, type checks and lowering from the syntax tree to core IR.
//!
//! Declarations are checked first (names, types, bounds, initial values), then each thread's
//! statements are lowered in source order; checking goes on after every problem, so one run
//! reports as many independent errors as it can (the first ones in source order are shown,
//! see [`ErrorList`]). The result is validated by [`mutexcheck_core::System::new`] so that a
//! model the front end accepts is one the core runs.
//!
//! Work done for a reader alone is bounded: a "did you mean" search, or a message quoting a
//! name other than the one it points at, is made only for an error that may be shown.

mod alive;
mod allow;
mod consts;
mod decl;
mod expr;
mod guard;
mod mutex_ref;
mod proc;
mod proc_args;
mod proc_graph;
mod stmt;
mod suggest;
mod teach;

use std::collections::BTreeMap;

use crate::ast::{Ident, ModelAst};
use crate::errors::ErrorList;
use crate::source::{Source, Sp};
use crate::RawDiag;
use mutexcheck_core::ir::{EnumDecl, EnumId, Model, MutexId, Ty, Value, VarRef};

pub(crate) use expr::T;
pub(crate) use suggest::closest_word;

/// What a name refers to.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Entity {
    Mutex(MutexId),
    Var {
        var: VarRef,
        ty: Ty,
        len: Option<u32>,
    },
    /// `const NAME = ...`: its index in `Checker::const_values`.
    Const(usize),
    /// `enum NAME { ... }`: the type.
    Enum(EnumId),
    /// A member of enum `id`, and its value (its position in the enum).
    Member {
        id: EnumId,
        index: Value,
    },
    /// A value parameter of the procedure being lowered: read-only, its uses replaced by
    /// the argument `Env::args[arg]` (a mutex parameter is the `Mutex` it names).
    Param {
        ty: Ty,
        arg: usize,
    },
    /// A `mutex` parameter of the procedure being lowered: the mutex its call names,
    /// `Env::mutex_args[arg]` (a fixed mutex or an element of an array chosen when the step
    /// runs).
    MutexParam(usize),
}

/// Names visible at one place, with where each was declared.
pub(crate) type Names<'a> = BTreeMap<&'a str, (Entity, Sp)>;

/// The names visible to an expression: a thread's locals and its process's memory on top of
/// the globals, or only the globals in a property.
#[derive(Default)]
pub(crate) struct Env<'a> {
    pub process: Names<'a>,
    pub local: Names<'a>,
    /// Checking a property: no thread, no `self`, no `owns`.
    pub property: bool,
    /// The index name of `protect lock[i]: EXPR` and the element it stands for while `EXPR`
    /// is checked for that element.
    pub binder: Option<(&'a str, mutexcheck_core::ir::Value)>,
    /// The arguments of the procedure call being lowered, by parameter.
    pub args: Vec<mutexcheck_core::ir::Expr>,
    /// The mutexes the call passes to the procedure's `mutex` parameters, by parameter.
    pub mutex_args: Vec<mutex_ref::MutexTarget>,
}

impl<'a> Env<'a> {
    pub fn lookup(&self, cx: &Checker, name: &str) -> Option<Entity> {
        self.local.get(name).or_else(|| self.process.get(name)).or_else(|| cx.globals.get(name)).map(|(e, _)| *e)
    }

    /// The visible name of the wanted kind closest to a misspelt `name`, for a "did you
    /// mean" hint (see [`suggest::closest`]).
    pub fn similar(&self, cx: &mut Checker, name: &str, want: impl Fn(&Entity) -> bool) -> Option<String> {
        let tables = [&self.local, &self.process, &cx.globals];
        let candidates = tables.into_iter().flat_map(|t| t.iter()).filter(|(_, (e, _))| want(e)).map(|(n, _)| *n);
        suggest::closest(name, candidates, &mut cx.budget).map(str::to_string)
    }

    /// Where `name` is already declared in any visible table, and as what.
    pub fn declared(&self, cx: &Checker, name: &str) -> Option<(Sp, &'static str)> {
        if let Some((e, sp)) = self.local.get(name) {
            let what = if matches!(e, Entity::Param { .. } | Entity::MutexParam(_)) {
                "a parameter"
            } else {
                "a local variable"
            };
            return Some((*sp, what));
        }
        if let Some((_, sp)) = self.process.get(name) {
            return Some((*sp, "a process variable"));
        }
        cx.globals.get(name).map(|(e, sp)| match e {
            Entity::Mutex(_) => (*sp, "a mutex"),
            Entity::MutexParam(_) => (*sp, "a parameter"),
            Entity::Var { .. } | Entity::Param { .. } => (*sp, "a shared variable"),
            Entity::Const(_) => (*sp, "a constant"),
            Entity::Enum(_) => (*sp, "an enum"),
            Entity::Member { .. } => (*sp, "an enum member"),
        })
    }
}

/// The state of one compilation: the source, the global names and the errors so far.
pub(crate) struct Checker<'a> {
    pub src: &'a Source<'a>,
    pub globals: Names<'a>,
    /// Names of variables that live inside processes, for a helpful message when a property
    /// reads one: name -> the process that declares it.
    pub inner_vars: BTreeMap<&'a str, &'a str>,
    pub errs: ErrorList,
    /// What "did you mean" searches may still spend.
    budget: suggest::Budget,
    /// The model's mutex flavor, from its `semantics` line.
    pub semantics: mutexcheck_core::ir::Semantics,
    /// The value of each constant (`Entity::Const`), `None` after an error.
    pub const_values: Vec<Option<Value>>,
    /// The enums declared, as the IR gets them.
    pub enums: Vec<EnumDecl>,
    /// The process templates by name, for `alive(P[i])` (filled before any code is lowered).
    pub processes: BTreeMap<&'a str, alive::ProcessInfo>,
    /// The length of each mutex array, by its first element (the mutex its name resolves to).
    pub mutex_arrays: BTreeMap<MutexId, u32>,
    /// The procedures and the state of inlining them into the current thread.
    pub procs: proc::Procs<'a>,
    /// The model had syntax errors: parts of it may be missing.
    pub partial: bool,
}

impl<'a> Checker<'a> {
    pub fn new(src: &'a Source<'a>) -> Checker<'a> {
        Checker {
            src,
            globals: Names::new(),
            inner_vars: BTreeMap::new(),
            errs: ErrorList::default(),
            budget: suggest::Budget::for_source(src.text.len()),
            semantics: mutexcheck_core::ir::Semantics::Win32,
            const_values: Vec::new(),
            enums: Vec::new(),
            processes: BTreeMap::new(),
            mutex_arrays: BTreeMap::new(),
            procs: proc::Procs::default(),
            partial: false,
        }
    }

    /// The IR type of a `result` variable in this model's flavor.
    pub fn result_ty(&self) -> mutexcheck_core::ir::Ty {
        match self.semantics {
            mutexcheck_core::ir::Semantics::Win32 => mutexcheck_core::ir::Ty::Result,
            mutexcheck_core::ir::Semantics::Posix => mutexcheck_core::ir::Ty::PosixResult,
        }
    }

    pub fn err(&mut self, d: RawDiag) {
        self.errs.push(d);
    }

    /// The line of a position, for "first declared at line N" notes.
    pub fn line_of(&self, sp: Sp) -> u32 {
        self.src.line(sp)
    }

    /// Reports a second declaration of a name.
    pub fn duplicate(&mut self, name: &Ident<'a>, first: Sp, what: &str) {
        let line = self.line_of(first);
        self.err(
            RawDiag::new(
                name.sp,
                format!("`{}` is already declared as {what} (line {line})", name.name),
                "declared again here",
            )
            .help("give it a different name"),
        );
    }

    /// Resolves a variable name: its reference, type and array length.
    pub fn var(&mut self, env: &Env<'a>, name: &Ident<'a>) -> Option<(VarRef, Ty, Option<u32>)> {
        match env.lookup(self, name.name) {
            Some(Entity::Var { var, ty, len }) => Some((var, ty, len)),
            Some(Entity::Param { .. }) => {
                self.err(
                    RawDiag::new(
                        name.sp,
                        format!("`{}` is a parameter: it can be read, not assigned", name.name),
                        "read-only",
                    )
                    .help("copy it into a `var` of the procedure and change that"),
                );
                None
            }
            Some(Entity::Mutex(_) | Entity::MutexParam(_)) => {
                self.err(RawDiag::new(name.sp, format!("`{}` is a mutex, not a variable", name.name), "a mutex").help(
                    format!("query it with `held({0})`, `count({0})`, `owns({0})` or `abandoned({0})`", name.name),
                ));
                None
            }
            Some(Entity::Const(_) | Entity::Enum(_) | Entity::Member { .. }) => {
                let what = match env.lookup(self, name.name) {
                    Some(Entity::Const(_)) => "a constant",
                    Some(Entity::Enum(_)) => "an enum type",
                    _ => "an enum member",
                };
                self.err(
                    RawDiag::new(name.sp, format!("`{}` is {what}, not a variable", name.name), what)
                        .help("only variables can be assigned or indexed"),
                );
                None
            }
            None if env.property && self.inner_vars.contains_key(name.name) => {
                let p = self.inner_vars[name.name];
                // Built only if shown: `p` may be long, and quoted by every such error.
                self.errs.push_with(name.sp, || {
                    RawDiag::new(
                        name.sp,
                        format!("a property cannot read `{}`, a variable of process `{p}`", name.name),
                        "not shared",
                    )
                    .help("properties read only shared variables and mutexes")
                });
                None
            }
            None => {
                let mut d = RawDiag::new(name.sp, format!("unknown name `{}`", name.name), "not declared");
                let vars = |e: &Entity| matches!(e, Entity::Var { .. } | Entity::Const(_) | Entity::Member { .. });
                if mutexcheck_core::ir::posix_result::NAMES.contains(&name.name) {
                    d = d.help(format!(
                        "`{}` is a POSIX result: add `semantics posix` at the top of the model for POSIX mutexes",
                        name.name
                    ));
                } else if let Some(help) = teach::c_result_hint(name.name, self.semantics) {
                    d = d.help(help);
                } else if self.errs.may_show(name.sp) {
                    // No search for an error that will not be shown.
                    if let Some(s) = env.similar(self, name.name, vars) {
                        d = d.help(format!("did you mean `{s}`?"));
                    } else if let Some(r) = teach::misspelt_result(name.name, self.semantics) {
                        d = d.help(format!("did you mean `{r}`?"));
                    }
                }
                self.err(d);
                None
            }
        }
    }
}

/// Checks what parsed of a model that has syntax errors, for the name and type errors to
/// report with them. Errors about what the syntax errors may have cut out (a model without
/// any process) are not reported.
pub(crate) fn check_after_syntax_errors(src: &Source, ast: &ModelAst) -> ErrorList {
    let mut cx = Checker::new(src);
    cx.partial = true;
    cx.model(ast);
    cx.errs
}

/// Checks a parsed model and lowers it to IR, or returns the problems found.
pub(crate) fn lower(src: &Source, ast: ModelAst) -> Result<Model, ErrorList> {
    let mut cx = Checker::new(src);
    let model = cx.model(&ast);
    let errs = cx.errs;
    if !errs.is_empty() {
        return Err(errs);
    }
    let sp = ast.name.as_ref().map_or(Sp::default(), |n| n.sp);
    // The syntax tree is not needed any more: its memory can serve the copy below.
    drop(ast);
    // The core's own validation also bounds the state size; its rare complaints (a model
    // too large to lay out) are reported at the model's name.
    if let Err(e) = mutexcheck_core::System::new(model.clone()) {
        let mut errs = ErrorList::default();
        errs.push(RawDiag::new(sp, e.message, "this model"));
        return Err(errs);
    }
    Ok(model)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::errors::MAX_ERRORS;

    /// Checks `text` (which must parse) and returns its errors and the "did you mean" work:
    /// steps spent, searches made, and the steps the file was allowed.
    fn hint_work(text: &str) -> (Vec<RawDiag>, u64, u64, u64) {
        let src = Source::new(text);
        let mut p = crate::parser::Parser::new(text);
        let ast = p.model();
        assert!(p.finish().is_empty(), "the test input parses");
        let mut cx = Checker::new(&src);
        cx.model(&ast);
        let allowed = suggest::Budget::for_source(text.len()).left;
        let errors = cx.errs.into_sorted();
        (errors, cx.budget.spent, cx.budget.searches, allowed)
    }

    #[test]
    fn a_hundred_thousand_misspelt_names_make_about_fifty_searches() {
        let decls: String = (0..2000).map(|i| format!("shared v{i:04}: 0..1 = 0\n")).collect();
        let uses: String = (0..100_000).map(|i| format!("w{:04}=1\n", i % 2000)).collect();
        let (_, spent, searches, _) = hint_work(&format!("model t\n{decls}process w {{\n{uses}}}\n"));
        assert_eq!(searches, MAX_ERRORS as u64);
        // Each search looks at the 2000 names and compares the few of a similar length.
        assert!(spent <= searches * 2000 * 40, "{spent}");
    }

    #[test]
    fn a_misspelt_name_of_400000_letters_costs_steps_in_proportion_to_its_length() {
        let x = "x".repeat(400_000);
        let text = format!("model t\nshared {x}: 0..1 = 0\nprocess w {{\n    {}y = 1\n}}\n", &x[1..]);
        let (_, spent, searches, _) = hint_work(&text);
        assert_eq!(searches, 1);
        assert!(spent <= 5 * 400_000 + 10, "{spent}");
    }

    #[test]
    fn hints_for_long_alike_names_stop_when_the_files_budget_is_spent() {
        // 100 names of 2000 letters differing only at the end, and 60 misspellings of them:
        // each search compares every name to the end.
        let stem = "n".repeat(2000);
        let decls: String = (0..100).map(|i| format!("shared {stem}{i:03}: 0..1 = 0\n")).collect();
        let uses: String = (0..60).map(|i| format!("{stem}{:02}z = 1\n", i)).collect();
        let text = format!("model t\n{decls}process w {{\n{uses}}}\n");
        let (errors, spent, searches, allowed) = hint_work(&text);
        assert!(spent <= allowed, "{spent} > {allowed}");
        assert_eq!(searches, MAX_ERRORS as u64);
        let hinted: Vec<bool> = errors.iter().map(|d| d.help.is_some()).collect();
        assert!(hinted[0] && !hinted[MAX_ERRORS - 1], "{hinted:?}");
        assert!(hinted.windows(2).all(|w| w[0] >= w[1]), "hints stop, they do not come back: {hinted:?}");
    }
}
