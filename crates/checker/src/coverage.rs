//! Coverage: which statements of each template thread some explored transition ran, and
//! the ones none did (`unreached`), as a complete search reports them.
//!
//! A statement is one instruction of a template thread's code that a step can execute
//! (control markers — `goto`, the begin and end of an atomic block — are not statements:
//! no step runs them). Coverage is kept per template thread and pc, so a statement run by
//! any instance of a template counts for all of them, which is also why symmetry reduction
//! cannot hide one. It is recorded for every step of every move the search builds
//! (`SystemModel`'s moves: under partial-order reduction the steps through transient states
//! too), so a statement skipped only by a reduction is not reported.
//!
//! The record is a union of bits, set with atomic operations by every thread of the search:
//! a union does not depend on the order in which it is made, so for a complete search it is
//! the same for any number of threads, breadth-first or depth-first (both expand every
//! stored state once, and a stored state's moves do not depend on how it was reached). A
//! search that stopped early (a bound, a violation) has explored only part of the graph: its
//! coverage means nothing and is never reported.

use std::sync::atomic::{AtomicU64, Ordering};

use serde::Serialize;

use mutexcheck_core::ir::{BinOp, CallSite, Expr, Instr, Op, Pc, Scope, Semantics, Ty, VarRef};
use mutexcheck_core::{Action, Step, System};

/// The statements the search has run so far, one bit per template thread and pc.
#[derive(Debug)]
pub struct CoverageMap {
    /// For each thread id, the bit of pc 0 of its template thread.
    thread_base: Vec<usize>,
    bits: Vec<AtomicU64>,
}

/// The first bit of each template thread (process template by process template, thread by
/// thread), and the total number of bits.
fn template_bases(system: &System) -> (Vec<Vec<usize>>, usize) {
    let mut next = 0;
    let bases = system
        .model()
        .processes
        .iter()
        .map(|p| {
            p.threads
                .iter()
                .map(|t| {
                    let at = next;
                    next += t.code.len();
                    at
                })
                .collect()
        })
        .collect();
    (bases, next)
}

impl CoverageMap {
    /// Nothing run yet, for `system`'s code.
    pub fn new(system: &System) -> CoverageMap {
        let (bases, total) = template_bases(system);
        let layout = system.layout();
        let thread_base = layout.threads.iter().map(|t| bases[layout.processes[t.process].decl][t.decl]).collect();
        CoverageMap { thread_base, bits: (0..total.div_ceil(64)).map(|_| AtomicU64::new(0)).collect() }
    }

    /// Records the statement `step` ran, if it ran one (a crash, a restart or a death runs
    /// none). A bit already set is only read, so that once a statement is covered the
    /// threads of the search share its word without writing it.
    pub fn record(&self, step: &Step) {
        if let Action::Run { thread, pc } = step.action {
            let Some(base) = self.thread_base.get(thread as usize) else { return };
            let bit = base + pc;
            let Some(word) = self.bits.get(bit / 64) else { return };
            let mask = 1u64 << (bit % 64);
            if word.load(Ordering::Relaxed) & mask == 0 {
                word.fetch_or(mask, Ordering::Relaxed);
            }
        }
    }

    /// The bits so far, to send to another process or to read with [`unreached`].
    pub fn words(&self) -> Vec<u64> {
        self.bits.iter().map(|w| w.load(Ordering::Relaxed)).collect()
    }

    /// Adds what another search (another process of a cluster) ran.
    pub fn add_words(&self, words: &[u64]) {
        for (w, &v) in self.bits.iter().zip(words) {
            w.fetch_or(v, Ordering::Relaxed);
        }
    }
}

/// One statement no explored run executed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Unreached {
    /// The template thread it belongs to: `worker`, or `server.listener` for a process
    /// with several threads.
    pub template: String,
    /// Its pc in the template thread's code.
    pub pc: Pc,
    /// Its line (for a statement of a procedure: the line in the procedure).
    pub line: u32,
    /// The statement as written.
    pub statement: String,
    /// For a statement of a procedure: the calls it sits in, outermost first.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub called_from: Vec<CallSite>,
    /// When it begins an arm of a branch that ran but never went that way: which, and why
    /// where that can be told (`the ABANDONED branch of ... never ran: ...`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub branch: Option<String>,
}

impl Unreached {
    /// Where it is, as reports say it: `line 16`, `line 5 in repair, called at line 20`.
    pub fn location(&self) -> String {
        let mut out = format!("line {}", self.line);
        mutexcheck_core::ir::append_calls(&mut out, &self.called_from);
        out
    }
}

/// True for an instruction a step executes (not a control marker, not made up by the
/// compiler without a place in the source).
fn is_statement(i: &Instr) -> bool {
    !matches!(i.op, Op::Goto { .. } | Op::AtomicBegin | Op::AtomicEnd) && i.span.line > 0
}

/// The first statement at or after `pc`, following control markers (as a thread is moved
/// on); `code.len()` for the end of the code. Bounded: jumps between markers never cycle in
/// a valid model, and a bad one must not hang a report.
fn settle(code: &[Instr], mut pc: Pc) -> Pc {
    for _ in 0..=code.len() {
        match code.get(pc).map(|i| &i.op) {
            Some(Op::Goto { target }) => pc = *target,
            Some(Op::AtomicBegin | Op::AtomicEnd) => pc += 1,
            _ => return pc,
        }
    }
    pc
}

/// Every statement of `system` that the search recorded in `words` (from
/// [`CoverageMap::words`]) never ran, template thread by template thread in pc order.
pub fn unreached(system: &System, words: &[u64]) -> Vec<Unreached> {
    let ran = |bit: usize| words.get(bit / 64).is_some_and(|w| w & (1u64 << (bit % 64)) != 0);
    let (bases, _) = template_bases(system);
    let model = system.model();
    let mut out = Vec::new();
    for (p, process) in model.processes.iter().enumerate() {
        for (t, thread) in process.threads.iter().enumerate() {
            let template = match process.threads.len() {
                1 => process.name.clone(),
                _ => format!("{}.{}", process.name, thread.name),
            };
            let code = &thread.code;
            let base = bases[p][t];
            let start = out.len();
            for (pc, i) in code.iter().enumerate() {
                if is_statement(i) && !ran(base + pc) {
                    out.push(Unreached {
                        template: template.clone(),
                        pc,
                        line: i.span.line,
                        statement: i.text.clone(),
                        called_from: i.called_from.clone(),
                        branch: None,
                    });
                }
            }
            // The arms of branches that ran but never went one way.
            for (pc, i) in code.iter().enumerate() {
                let Op::Branch { cond, target } = &i.op else { continue };
                if !ran(base + pc) {
                    continue;
                }
                let (when_true, when_false) = (settle(code, pc + 1), settle(code, *target));
                if when_true == when_false {
                    continue;
                }
                for (arm, taken) in [(when_true, true), (when_false, false)] {
                    if let Some(u) = out[start..].iter_mut().find(|u| u.pc == arm) {
                        u.branch = Some(explain(system, p, t, i, cond, taken));
                    }
                }
            }
        }
    }
    out
}

/// The type of a variable a condition reads, when it is a plain variable or an array
/// element.
fn var_type(system: &System, p: usize, t: usize, e: &Expr) -> Option<Ty> {
    let v: &VarRef = match e {
        Expr::Var(v) | Expr::Index(v, _) => v,
        _ => return None,
    };
    let model = system.model();
    let decl = match v.scope {
        Scope::Shared => model.shared.get(v.index),
        Scope::Process => model.processes[p].vars.get(v.index),
        Scope::Local => model.processes[p].threads[t].locals.get(v.index),
    };
    decl.map(|d| d.ty)
}

/// `r == NAME` or `r != NAME` (either way round) on a result variable: the name and
/// whether the test is `==`.
fn result_test(system: &System, p: usize, t: usize, cond: &Expr) -> Option<(String, bool)> {
    let Expr::Binary(op @ (BinOp::Eq | BinOp::Ne), a, b) = cond else { return None };
    let (var, value) = match (&**a, &**b) {
        (Expr::Const(v), other) | (other, Expr::Const(v)) => (other, *v),
        _ => return None,
    };
    let ty = var_type(system, p, t, var).filter(|ty| matches!(ty, Ty::Result | Ty::PosixResult))?;
    Some((system.model().render(ty, value), *op == BinOp::Eq))
}

/// Why a branch on a wait's or lock's result never went the `name` way, where it can be
/// told from the model and the crash budget alone.
fn why_never(system: &System, name: &str) -> Option<String> {
    let crashes = system.model().crashes;
    let posix = system.model().semantics == Semantics::Posix;
    match (name, posix) {
        ("ABANDONED", false) | ("OWNERDEAD" | "NOTRECOVERABLE", true) => Some(if crashes == 0 {
            "with --crashes 0 no owner can die (try --crashes 1)".into()
        } else if !someone_outlives_a_death(system) {
            "a crash kills every thread of the model's one process at once, and no thread is `may_die`: no thread outlives an owner".into()
        } else {
            format!("no owner of the mutex died while holding it in any run (crash budget {crashes})")
        }),
        ("TIMEOUT", false) | ("TIMEDOUT", true) => {
            Some("no timed wait ever found the mutex owned by another thread".into())
        }
        ("BUSY", true) => Some("no trylock ever found the mutex locked".into()),
        ("NOT_OWNER", false) | ("PERM", true) => Some("no thread ever released a mutex it did not own".into()),
        _ => None,
    }
}

/// True when a thread can see another die: the model has two process instances or more, or
/// a `may_die` thread (which dies alone).
fn someone_outlives_a_death(system: &System) -> bool {
    let model = system.model();
    let instances: u64 = model.processes.iter().map(|p| u64::from(p.instances)).sum();
    instances > 1 || model.processes.iter().any(|p| p.threads.iter().any(|t| t.may_die))
}

/// The sentence for the arm of `branch` (the branch at template thread `t` of process `p`)
/// taken when its condition is `taken`, which never ran.
fn explain(system: &System, p: usize, t: usize, branch: &Instr, cond: &Expr, taken: bool) -> String {
    let at = branch.location();
    let text = &branch.text;
    if let Some((name, eq)) = result_test(system, p, t, cond) {
        if eq == taken {
            let mut s = format!("the {name} branch of `{text}` ({at}) never ran");
            if let Some(why) = why_never(system, &name) {
                s.push_str(": ");
                s.push_str(&why);
            }
            return s;
        }
        return format!("the branch of `{text}` ({at}) where the result is not {name} never ran");
    }
    let value = if taken { "true" } else { "false" };
    format!("the branch of `{text}` ({at}) where the condition is {value} never ran")
}

/// The text report's `unreached` section (from its heading line): one line per statement;
/// empty when every statement ran.
pub fn report_section(unreached: &[Unreached]) -> Vec<String> {
    if unreached.is_empty() {
        return Vec::new();
    }
    let n = unreached.len();
    let plural = if n == 1 { "" } else { "s" };
    let mut lines = vec![format!("unreached: {n} statement{plural} that no run of the complete search executed:")];
    for u in unreached {
        let mut line = format!("  {} {}: {}", u.template, u.location(), u.statement);
        if let Some(b) = &u.branch {
            line.push_str(" -- ");
            line.push_str(b);
        }
        lines.push(line);
    }
    lines
}
