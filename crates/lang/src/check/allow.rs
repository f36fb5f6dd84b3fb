//! `allow KIND [m]`: which outcomes can be declared intended, and the misuses of it. `m` may
//! name a mutex array: the line then covers every element.

use super::{Checker, Env};
use crate::ast::AllowAst;
use crate::RawDiag;
use mutexcheck_core::allow::{Allow, AllowKind};
use mutexcheck_core::ir::{MutexDecl, Semantics};

/// The violation kinds that cannot be allowed, each with why, as a help line says it.
const NOT_ALLOWABLE: &[(&str, &str)] = &[
    ("protect", "it is a property the model states: remove or weaken the `protect` declaration instead"),
    ("invariant", "it is a property the model states: remove or weaken the `invariant` instead"),
    ("at_end", "it is a property the model states: remove or weaken the `at end` declaration instead"),
    ("assert", "it is a property the model states: remove the `assert` instead"),
    ("deadlock", "no thread can move after it: there is nothing left to check"),
    ("release_not_owner", "store the result to handle NOT_OWNER/PERM: `let r = release m` (POSIX: `let r = unlock m`)"),
    ("out_of_range", "the operation cannot be carried out: the run has no next state"),
    ("recursion_limit", "the operation cannot be carried out: the run has no next state"),
    ("livelock", "remove the `progress` statements instead"),
    ("starvation", "remove the `starvation` declaration instead"),
    ("unguarded_access", "it is a property the model states: remove the `guarded_by` of the variable instead"),
];

/// `leaked_ownership, not_recoverable`: the kinds `allow` takes.
fn allowable() -> String {
    AllowKind::ALL.iter().map(|k| format!("`{}`", k.name())).collect::<Vec<_>>().join(", ")
}

impl<'a> Checker<'a> {
    /// The `allow` declarations of a model whose mutexes are declared.
    pub(super) fn allows(&mut self, ast: &[AllowAst<'a>], mutexes: &[MutexDecl]) -> Vec<Allow> {
        let mut out: Vec<(Allow, &AllowAst<'a>)> = Vec::new();
        for a in ast {
            let Some(kind) = self.allow_kind(a) else { continue };
            let env = Env { property: true, ..Env::default() };
            let mutex = match &a.mutex {
                None => None,
                Some(m) => match self.mutex_ref(&env, m) {
                    Some(id) => Some(id),
                    None => continue,
                },
            };
            if kind == AllowKind::NotRecoverable && !self.can_become_not_recoverable(a, mutex, mutexes) {
                continue;
            }
            let clash = out.iter().find(|(b, _)| b.kind == kind && (b.mutex.is_none() || b.mutex == mutex));
            if let Some((b, first)) = clash {
                let line = self.line_of(first.sp);
                let message = match (b.mutex, &a.mutex) {
                    (None, Some(m)) => format!(
                        "`{}` is already allowed for every mutex (line {line}), so also for `{}`",
                        kind.name(),
                        m.name
                    ),
                    _ => format!("this outcome is already allowed (line {line})"),
                };
                self.err(RawDiag::new(a.sp, message, "allowed again here").help("remove one of the two lines"));
                continue;
            }
            // An array's name covers every element: one `Allow` each, as the IR has one mutex each.
            let elements = match mutex.and_then(|m| self.mutex_arrays.get(&m).map(|&len| (m, len))) {
                Some((base, len)) => (base..base + len as usize).map(Some).collect(),
                None => vec![mutex],
            };
            for mutex in elements {
                out.push((Allow { kind, mutex, span: self.src.span(a.sp) }, a));
            }
        }
        out.into_iter().map(|(a, _)| a).collect()
    }

    /// The kind an `allow` line names, or an error saying which kinds there are.
    fn allow_kind(&mut self, a: &AllowAst<'a>) -> Option<AllowKind> {
        let name = a.kind.name;
        if let Some(kind) = AllowKind::from_name(name) {
            return Some(kind);
        }
        let d = match NOT_ALLOWABLE.iter().find(|(k, _)| *k == name) {
            Some((_, why)) => RawDiag::new(a.kind.sp, format!("`{name}` cannot be allowed"), why.to_string())
                .help(format!("the outcomes that can be allowed are {}", allowable())),
            None => {
                let known = AllowKind::ALL.iter().map(|k| k.name()).chain(NOT_ALLOWABLE.iter().map(|(k, _)| *k));
                // No search for an error that will not be shown.
                let hint = match self.errs.may_show(a.kind.sp) {
                    true => super::suggest::closest(name, known, &mut self.budget),
                    false => None,
                };
                let help = match hint {
                    Some(s) => format!("did you mean `{s}`?"),
                    None => format!("the outcomes that can be allowed are {}", allowable()),
                };
                RawDiag::new(a.kind.sp, format!("unknown outcome `{name}`"), "not an outcome").help(help)
            }
        };
        self.err(d);
        None
    }

    /// `allow not_recoverable [m]` names something that can happen: the model is POSIX, and
    /// `m` (or some mutex) is robust. Otherwise an error: the line would say nothing.
    fn can_become_not_recoverable(&mut self, a: &AllowAst<'a>, mutex: Option<usize>, mutexes: &[MutexDecl]) -> bool {
        if self.semantics == Semantics::Win32 {
            self.err(
                RawDiag::new(
                    a.kind.sp,
                    "a Win32 mutex never becomes not recoverable",
                    "cannot happen in a Win32 model",
                )
                .help(
                    "`not_recoverable` is a POSIX robust mutex's outcome: add `semantics posix`, or remove this line",
                ),
            );
            return false;
        }
        if let (Some(id), Some(m)) = (mutex, &a.mutex) {
            if !mutexes.get(id).is_none_or(|d| d.posix.robust) {
                self.err(
                    RawDiag::new(
                        m.sp,
                        format!("`{}` is not robust: it never becomes not recoverable", m.name),
                        "not robust",
                    )
                    .help(format!("declare it robust (`mutex {}: robust`), or remove this line", m.name)),
                );
                return false;
            }
        }
        true
    }
}
