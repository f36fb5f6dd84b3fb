//! Names and values as a user reads them: what a step did and what it changed.
//!
//! Traces, replay and the state graph all describe states through these functions, so a
//! variable, a mutex or a thread is spelled the same way everywhere.

use serde::{Deserialize, Serialize};

use crate::eval::Ctx;
use crate::ir::{Instr, Op, Scope, Ty, Value, VarDecl, VarRef};
use crate::mutex::{MutexState, ReleaseOutcome, ThreadId};
use crate::state::{State, ThreadStatus};
use crate::step::{Action, Fault, Outcome, Step};
use crate::system::System;

/// One named item of a state and its value, e.g. `a = 1` or `m = owned by worker[0] (count 1)`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Item {
    /// The item: `a`, `flags[2]`, `worker[0].round`, `m`, `worker[1]` (a thread's status).
    pub name: String,
    /// Its value as text.
    pub value: String,
    /// Its value typed (the JSON report's `typed_value`; see [`crate::typed`]). Not part of
    /// an item's own serialized form, which pages and the explore API send as before.
    #[serde(skip)]
    pub typed_value: Option<crate::typed::TypedValue>,
}

/// One item a step changed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Change {
    /// The item.
    pub name: String,
    /// Its value before the step.
    pub before: String,
    /// Its value after the step.
    pub after: String,
    /// Trace format version 4: its value before the step, typed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub before_value: Option<crate::typed::TypedValue>,
    /// Trace format version 4: its value after the step, typed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after_value: Option<crate::typed::TypedValue>,
}

impl System {
    /// A thread's name: `worker[1]`, or `server.listener` in a process with several threads.
    pub fn thread_name(&self, t: ThreadId) -> &str {
        &self.layout.threads[t as usize].name
    }

    /// A process instance's name: `worker[1]`.
    pub fn process_name(&self, p: usize) -> &str {
        &self.layout.processes[p].name
    }

    /// The instruction a thread action executes, if the action is one.
    pub fn instr(&self, action: &Action) -> Option<&Instr> {
        match *action {
            Action::Run { thread, pc } => self.code(thread).get(pc),
            _ => None,
        }
    }

    /// The operation a thread action executes in state `s` (the state before the step), with
    /// a mutex array's element chosen there: `wait lock[self]` by `worker[1]` is a `Wait` on
    /// `lock[1]`. `None` for a crash or restart, and for an index outside its array (the
    /// step faults).
    pub fn op_in(&self, s: &State, action: &Action) -> Option<std::borrow::Cow<'_, Op>> {
        let Action::Run { thread, .. } = *action else { return None };
        self.choose_element(&s.0, Ctx::Thread(thread), &self.instr(action)?.op).ok()
    }

    /// Who acted: a thread name, or a process name for a crash or restart.
    pub fn actor(&self, action: &Action) -> &str {
        match *action {
            Action::Run { thread, .. } => self.thread_name(thread),
            Action::Crash { process } | Action::Restart { process } => self.process_name(process),
            Action::Die { thread } => self.thread_name(thread),
        }
    }

    /// A mutex's state in words: `free`, `free (abandoned)`, `owned by worker[0] (count 2)`.
    pub fn mutex_text(&self, m: MutexState) -> String {
        match m.owner {
            None if m.abandoned => "free (abandoned)".into(),
            None => "free".into(),
            Some(t) => format!("owned by {} (count {})", self.thread_name(t), m.count),
        }
    }

    /// Mutex `m` in state `s` in words, in the model's flavor: for Win32 as
    /// [`System::mutex_text`]; for POSIX `free`, `free (owner died)`, `not recoverable`,
    /// `owned by worker[0] (count 1)`, `owned by worker[1] (count 1, inconsistent)`.
    pub fn mutex_state_text(&self, s: &State, m: usize) -> String {
        self.mutex_words(&s.0, m)
    }

    fn mutex_words(&self, s: &[Value], m: usize) -> String {
        use crate::posix::Consistency;
        match self.model.semantics {
            crate::ir::Semantics::Win32 => self.mutex_text(self.layout.mutex(s, m)),
            crate::ir::Semantics::Posix => {
                let st = self.layout.posix_mutex(s, m);
                match (st.owner, st.consistency) {
                    (None, Consistency::OwnerDied) => "free (owner died)".into(),
                    (None, Consistency::NotRecoverable) => "not recoverable".into(),
                    (None, _) => "free".into(),
                    (Some(t), Consistency::Inconsistent) => {
                        format!("owned by {} (count {}, inconsistent)", self.thread_name(t), st.count)
                    }
                    // A non-robust mutex keeps its dead owner: say so, it is why waiters wait.
                    (Some(t), _) if s[self.layout.status_slot(t)] == crate::state::STATUS_DEAD => {
                        format!("owned by {} (count {}, dead owner)", self.thread_name(t), st.count)
                    }
                    (Some(t), _) => format!("owned by {} (count {})", self.thread_name(t), st.count),
                }
            }
        }
    }

    /// What an outcome means, in a few words: `OK (count 1)`, `ABANDONED`, `NOT_OWNER`.
    pub fn outcome_text(&self, outcome: &Outcome) -> String {
        match outcome {
            Outcome::Done => "done".into(),
            Outcome::Wait { outcome, count } => match outcome {
                crate::WaitOutcome::Timeout => "TIMEOUT".into(),
                o => format!("{} (count {count})", if *o == crate::WaitOutcome::Ok { "OK" } else { "ABANDONED" }),
            },
            Outcome::Release { outcome: ReleaseOutcome::Ok, .. } => "OK".into(),
            Outcome::Release { outcome: ReleaseOutcome::NotOwner, .. } => "NOT_OWNER".into(),
            Outcome::Lock { outcome, count } => {
                let word = crate::ir::Ty::PosixResult.render(crate::ir::posix_result::of_lock(*outcome));
                if *count > 0 {
                    format!("{word} (count {count})")
                } else {
                    word
                }
            }
            Outcome::Unlock { outcome, .. } => {
                crate::ir::Ty::PosixResult.render(crate::ir::posix_result::of_unlock(*outcome))
            }
            Outcome::Consistent { outcome, .. } => {
                crate::ir::Ty::PosixResult.render(crate::ir::posix_result::of_consistent(*outcome))
            }
            Outcome::Branch { taken } => if *taken { "true" } else { "false" }.into(),
            Outcome::Choice { index } => format!("alternative {}", index + 1),
            Outcome::Crashed => "crashed".into(),
            Outcome::Restarted => "restarted".into(),
            Outcome::Died => "died".into(),
            Outcome::Fault(f) => self.fault_text(f),
        }
    }

    /// A fault in one sentence.
    pub fn fault_text(&self, f: &Fault) -> String {
        match f {
            Fault::AssertFailed => "assertion failed".into(),
            Fault::OutOfRange { var, value, lo, hi } => {
                format!("value {value} is outside {lo}..{hi}, the range of `{var}`")
            }
            Fault::IndexOutOfBounds { var, index, len } => {
                format!("index {index} is outside `{var}` (length {len})")
            }
            Fault::Overflow { value } => format!("arithmetic overflow ({value})"),
            Fault::DivisionByZero => "division by zero".into(),
            Fault::RecursionLimit { mutex } => format!(
                "recursive wait on `{}` beyond the count limit {}",
                self.model.mutexes[*mutex].name,
                crate::mutex::MAX_RECURSION
            ),
        }
    }

    /// A step in one line: `worker[0] line 12: a = a + 1`, with the outcome in brackets when
    /// it says more than "done": `worker[1] line 9: let r = wait m timeout [ABANDONED (count 1)]`.
    /// A statement of a procedure says where it was called from: `worker[1] line 3 in
    /// acquire, called at line 12: let r = wait m timeout`.
    pub fn step_text(&self, step: &Step) -> String {
        let actor = self.actor(&step.action);
        let outcome = self.outcome_text(&step.outcome);
        let what = match self.instr(&step.action) {
            Some(i) if i.span.line > 0 => format!("{actor} {}: {}", i.location(), i.text),
            Some(i) => format!("{actor}: {}", i.text),
            None => return format!("{actor} {outcome}"),
        };
        match step.outcome {
            Outcome::Done => what,
            _ => format!("{what} [{outcome}]"),
        }
    }

    fn push_vars(&self, s: &[Value], ctx: Ctx, scope: Scope, prefix: &str, decls: &[VarDecl], out: &mut Vec<Item>) {
        for (index, d) in decls.iter().enumerate() {
            let base = self.base_slot(ctx, VarRef { scope, index });
            match d.len {
                None => out.push(Item {
                    name: format!("{prefix}{}", d.name),
                    value: self.model.render(d.ty, s[base]),
                    typed_value: Some(self.typed_var(d.ty, s[base])),
                }),
                Some(n) => {
                    for i in 0..n as usize {
                        out.push(Item {
                            name: format!("{prefix}{}[{i}]", d.name),
                            value: self.model.render(d.ty, s[base + i]),
                            typed_value: Some(self.typed_var(d.ty, s[base + i])),
                        });
                    }
                }
            }
        }
    }

    /// Every item of a state, in a fixed order: shared variables, mutexes, then each process's
    /// memory and each thread's status, position and locals.
    pub fn items(&self, state: &State) -> Vec<Item> {
        let mut out = self.shared_items(state);
        for (m, decl) in self.model.mutexes.iter().enumerate() {
            let typed_value = Some(self.typed_mutex(&state.0, m));
            out.push(Item { name: decl.name.clone(), value: self.mutex_words(&state.0, m), typed_value });
        }
        for (p, info) in self.layout.processes.iter().enumerate() {
            out.extend(self.process_items(state, p));
            for t in info.threads.clone() {
                out.push(Item {
                    name: self.thread_name(t).to_string(),
                    value: self.status_text(state, t).to_string(),
                    typed_value: Some(self.typed_status(state, t)),
                });
                out.extend(self.local_items(state, t));
            }
        }
        out
    }

    /// The shared variables of a state, one item per scalar or array element (`a`, `flags[2]`).
    pub fn shared_items(&self, state: &State) -> Vec<Item> {
        let mut out = Vec::new();
        self.push_vars(&state.0, Ctx::Global, Scope::Shared, "", &self.model.shared, &mut out);
        out
    }

    /// The process memory of process instance `p` (`server[0].done`); empty for a process
    /// without thread blocks, whose variables are its one thread's locals.
    pub fn process_items(&self, state: &State, p: usize) -> Vec<Item> {
        let info = &self.layout.processes[p];
        let decl = &self.model.processes[info.decl];
        let mut out = Vec::new();
        let first = Ctx::Thread(info.threads.start);
        self.push_vars(&state.0, first, Scope::Process, &format!("{}.", info.name), &decl.vars, &mut out);
        out
    }

    /// The locals of thread `t` (`worker[0].round`).
    pub fn local_items(&self, state: &State, t: ThreadId) -> Vec<Item> {
        let th = &self.layout.threads[t as usize];
        let locals = &self.model.processes[self.layout.processes[th.process].decl].threads[th.decl].locals;
        let mut out = Vec::new();
        self.push_vars(&state.0, Ctx::Thread(t), Scope::Local, &format!("{}.", th.name), locals, &mut out);
        out
    }

    /// The items that differ between two states, in [`System::items`] order. Only what
    /// differs is written out: a state may hold tens of thousands of items.
    pub fn changes(&self, before: &State, after: &State) -> Vec<Change> {
        let (b, a) = (&before.0[..], &after.0[..]);
        let mut out = Vec::new();
        self.diff_vars(b, a, Ctx::Global, Scope::Shared, &|| String::new(), &self.model.shared, &mut out);
        for (m, decl) in self.model.mutexes.iter().enumerate() {
            // A POSIX mutex's words also change when its owner dies (`dead owner`).
            let posix = self.model.semantics == crate::ir::Semantics::Posix;
            if posix || self.layout.mutex(b, m) != self.layout.mutex(a, m) {
                let (before, after) = (self.mutex_words(b, m), self.mutex_words(a, m));
                if before != after {
                    let (before_value, after_value) = (Some(self.typed_mutex(b, m)), Some(self.typed_mutex(a, m)));
                    out.push(Change { name: decl.name.clone(), before, after, before_value, after_value });
                }
            }
        }
        for p in &self.layout.processes {
            let decl = &self.model.processes[p.decl];
            let prefix = || format!("{}.", p.name);
            self.diff_vars(b, a, Ctx::Thread(p.threads.start), Scope::Process, &prefix, &decl.vars, &mut out);
            for t in p.threads.clone() {
                let (sb, sa) = (self.status_text(before, t), self.status_text(after, t));
                if sb != sa {
                    out.push(Change {
                        name: self.thread_name(t).to_string(),
                        before: sb.into(),
                        after: sa.into(),
                        before_value: Some(self.typed_status(before, t)),
                        after_value: Some(self.typed_status(after, t)),
                    });
                }
                let th = &self.layout.threads[t as usize];
                let prefix = || format!("{}.", self.thread_name(t));
                self.diff_vars(b, a, Ctx::Thread(t), Scope::Local, &prefix, &decl.threads[th.decl].locals, &mut out);
            }
        }
        out
    }

    /// A thread's status as items show it: `running`, `blocked`, `finished`, `dead`.
    pub fn status_text(&self, state: &State, t: ThreadId) -> &'static str {
        match self.thread_status(state, t) {
            ThreadStatus::Finished => "finished",
            ThreadStatus::Dead => "dead",
            ThreadStatus::Blocked => "blocked",
            ThreadStatus::Running => "running",
        }
    }

    /// The changes of the variables `decls` of one table between `b` and `a`, named with
    /// `prefix()` (written only when something changed).
    #[allow(clippy::too_many_arguments)]
    fn diff_vars(
        &self,
        b: &[Value],
        a: &[Value],
        ctx: Ctx,
        scope: Scope,
        prefix: &dyn Fn() -> String,
        decls: &[VarDecl],
        out: &mut Vec<Change>,
    ) {
        for (index, d) in decls.iter().enumerate() {
            let base = self.base_slot(ctx, VarRef { scope, index });
            let len = d.slots();
            if b[base..base + len] == a[base..base + len] {
                continue;
            }
            for i in (0..len).filter(|&i| b[base + i] != a[base + i]) {
                let name = match d.len {
                    None => format!("{}{}", prefix(), d.name),
                    Some(_) => format!("{}{}[{i}]", prefix(), d.name),
                };
                out.push(Change {
                    name,
                    before: self.model.render(d.ty, b[base + i]),
                    after: self.model.render(d.ty, a[base + i]),
                    before_value: Some(self.typed_var(d.ty, b[base + i])),
                    after_value: Some(self.typed_var(d.ty, a[base + i])),
                });
            }
        }
    }

    /// A value rendered with its type, for messages: an enum member by name (see
    /// [`crate::ir::Model::render`]).
    pub fn render(&self, ty: Ty, v: Value) -> String {
        self.model.render(ty, v)
    }
}
