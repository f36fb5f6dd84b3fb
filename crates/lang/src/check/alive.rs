//! `alive(P)` and `alive(P[i])`: whether a process instance still runs.

use super::expr::Typed;
use super::{Checker, Env, T};
use crate::ast::{ExprAst, Ident};
use crate::RawDiag;
use mutexcheck_core::ir::Expr;

/// What `alive(...)` needs to know of a process template, by name.
#[derive(Clone, Copy, Debug)]
pub(crate) struct ProcessInfo {
    /// Its index in the model's processes.
    pub index: usize,
    /// How many instances it has.
    pub instances: u32,
    /// Declared with `[N]`: its instances are named by index.
    pub indexed: bool,
}

const ERR: Typed = (Expr::Const(0), T::Err);

impl<'a> Checker<'a> {
    /// `alive(process)` or `alive(process[index])`: a boolean.
    pub(super) fn alive(
        &mut self,
        env: &Env<'a>,
        e: &ExprAst<'a>,
        process: &Ident<'a>,
        index: Option<&ExprAst<'a>>,
    ) -> Typed {
        let index = index.map(|i| (self.expr(env, i), i.sp));
        let Some(&info) = self.processes.get(process.name) else {
            let mut help = "`alive(P)` asks whether an instance of a declared process P still runs".to_string();
            if self.errs.may_show(process.sp) {
                let names: Vec<&str> = self.processes.keys().copied().collect();
                if let Some(s) = super::suggest::closest(process.name, names.into_iter(), &mut self.budget) {
                    help = format!("did you mean `{s}`?");
                }
            }
            let d = RawDiag::new(process.sp, format!("unknown process `{}`", process.name), "not declared");
            self.err(d.help(help));
            return ERR;
        };
        let n = info.instances;
        let ix = match (index, info.indexed) {
            (None, false) => Expr::Const(0),
            (None, true) if n == 1 => Expr::Const(0),
            (None, true) => {
                self.err(
                    RawDiag::new(
                        e.sp,
                        format!("process `{}` has {n} instances; say which one", process.name),
                        "which instance?",
                    )
                    .help(format!("write e.g. `alive({}[0])`", process.name)),
                );
                return ERR;
            }
            (Some((_, sp)), false) => {
                self.err(
                    RawDiag::new(
                        sp,
                        format!("process `{}` has a single instance: it takes no index", process.name),
                        "no index here",
                    )
                    .help(format!("write `alive({})`", process.name)),
                );
                return ERR;
            }
            (Some(((_, T::Err), _)), true) => return ERR,
            (Some(((_, t), sp)), true) if t != T::Int => {
                self.err(RawDiag::new(
                    sp,
                    format!("an instance index must be a number, but this is {}", t.noun()),
                    format!("this is {}", t.noun()),
                ));
                return ERR;
            }
            (Some(((Expr::Const(i), _), sp)), true) if i < 0 || i >= n as i32 => {
                self.err(RawDiag::new(
                    sp,
                    format!("process `{}` has instances 0..{}, not {i}", process.name, n - 1),
                    "no such instance",
                ));
                return ERR;
            }
            (Some(((x, _), _)), true) => x,
        };
        (Expr::Alive { process: info.index, index: Box::new(ix) }, T::Bool)
    }
}
