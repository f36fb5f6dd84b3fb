//! `guarded_by`: the mutex a shared variable needs (`shared a: 0..3 = 0 guarded_by m`), one
//! mutex for the whole variable, one element of a mutex array (`guarded_by lock[0]`), or,
//! for an array variable, the element of a mutex array of the same length with the same
//! index (`guarded_by lock[i]`, `i` a new name as in `protect lock[i]`).

use super::{Checker, Env};
use crate::ast::VarAst;
use crate::RawDiag;
use mutexcheck_core::ir::{Guard, GuardedBy, VarDecl};

impl<'a> Checker<'a> {
    /// The guard of shared variable number `var` (declared as `d`), if `v` names one that
    /// resolves; every problem is an error at the `guarded_by` clause.
    pub(super) fn guard(&mut self, v: &VarAst<'a>, var: usize, d: &VarDecl) -> Option<Guard> {
        let (r, sp) = v.guard.as_ref()?;
        let covered = self.covered(&Env::default(), r, "guarded_by")?;
        let span = self.src.span(*sp);
        let by = match covered.mutexes.as_slice() {
            [(m, None)] => GuardedBy::Mutex(*m),
            [(base, Some((i, _))), ..] => {
                let len = covered.mutexes.len() as u32;
                if d.len != Some(len) {
                    let (n, m) = (v.name.name, r.name.name);
                    let what = match d.len {
                        Some(k) => format!("an array of {k}"),
                        None => "a single variable".to_string(),
                    };
                    self.err(
                        RawDiag::new(
                            r.sp,
                            format!("`guarded_by {m}[{i}]` guards element `k` of `{n}` by `{m}[k]`, but `{n}` is {what} and `{m}` has {len} mutexes"),
                            "lengths differ",
                        )
                        .help(format!("give `{n}` the length of `{m}`, or guard all of it by one mutex: `guarded_by {m}[0]`")),
                    );
                    return None;
                }
                GuardedBy::Elementwise { base: *base, len }
            }
            _ => return None,
        };
        Some(Guard { var, by, span })
    }

    /// A `guarded_by` on a variable that is not shared: an error, since process memory and
    /// locals are not shared between the threads a mutex keeps apart.
    pub(super) fn refuse_guard(&mut self, v: &VarAst<'a>, what: &str) {
        if let Some((_, sp)) = &v.guard {
            let n = v.name.name;
            self.err(
                RawDiag::new(
                    *sp,
                    format!("`{n}` is {what}: only a `shared` variable can be `guarded_by` a mutex"),
                    "not shared",
                )
                .help(format!("declare it at the top level as `shared {n}: ... guarded_by M`, or drop `guarded_by`")),
            );
        }
    }
}
